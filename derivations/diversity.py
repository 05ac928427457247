"""The diversity terms of feature visualisation for a layer without spatial positions, derived with sympy.

* ``derive_gram_cosine(m)``: for activation vectors h_a, h_b ∈ R^m (symbols), the Gram matrices of one
  position G = h hᵀ satisfy vec(G_a)·vec(G_b) = (h_a·h_b)² and ‖vec G_a‖² = ‖h_a‖⁴, so lucid's
  cos(vec G_a, vec G_b) = cos²(h_a, h_b); replacing h_b by −h_b leaves it unchanged (sign-blind) while the
  plain cosine changes sign.
* ``derive_cosine_power_gradient(m)``: ∂cos(h_a, h_b)^p/∂h_a = p cos^{p−1} (ĥ_b − cos·ĥ_a)/‖h_a‖ for p = 1
  and p = 2 (the gradients the feature-visualisation engine uses, ``sims.dynamics.visualise``).

All checks symbolic. ``derivations`` imports neither ``theory`` nor ``sims``; ``tests/test_diversity.py``
evaluates these results against ``theory.diversity`` and against a literal transcription of lucent's code.
"""

from __future__ import annotations

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = ["activation_symbols", "derive_cosine_power_gradient", "derive_gram_cosine"]


def activation_symbols(name: str, m: int) -> sp.Matrix:
    """The column vector of m real symbols name_k."""
    return sp.Matrix(m, 1, lambda k, _: sp.Symbol(f"{name}_{k}", real=True))


def _dot(u: sp.Matrix, v: sp.Matrix) -> sp.Expr:
    return (u.T * v)[0]


def derive_gram_cosine(m: int) -> dict:
    """The Gram inner product, the Gram norm and lucid's Gram cosine in terms of h_a, h_b; residuals."""
    ha, hb = activation_symbols("a", m), activation_symbols("b", m)
    Ga, Gb = ha * ha.T, hb * hb.T
    inner = sum(Ga[i, j] * Gb[i, j] for i in range(m) for j in range(m))
    norm_a_sq = sum(Ga[i, j] ** 2 for i in range(m) for j in range(m))
    dot, na, nb = _dot(ha, hb), _dot(ha, ha), _dot(hb, hb)
    gram_cos_sq = inner**2 / (norm_a_sq * sum(Gb[i, j] ** 2 for i in range(m) for j in range(m)))
    flipped = (-hb) * (-hb).T
    inner_flipped = sum(Ga[i, j] * flipped[i, j] for i in range(m) for j in range(m))
    return {"Gram inner product": sp.Eq(sp.Symbol("vec(G_a).vec(G_b)"), sp.factor(inner)),
            "Gram norm": sp.Eq(sp.Symbol("|vec G_a|^2"), sp.factor(norm_a_sq)),
            "residuals": [sp.expand(inner - dot**2), sp.expand(norm_a_sq - na**2),
                          # squared, to avoid square roots: cos_G² = cos⁴ (both sides ≥ 0, so cos_G = cos²)
                          sp.cancel(gram_cos_sq - dot**4 / (na**2 * nb**2)),
                          sp.expand(inner_flipped - inner),
                          sp.expand(_dot(ha, -hb) + dot)]}


def derive_cosine_power_gradient(m: int) -> dict:
    """∂ cos^p / ∂h_a by sympy against p cos^{p−1}(ĥ_b − cos ĥ_a)/‖h_a‖, p = 1, 2."""
    ha, hb = activation_symbols("a", m), activation_symbols("b", m)
    na, nb = sp.sqrt(_dot(ha, ha)), sp.sqrt(_dot(hb, hb))
    c = _dot(ha, hb) / (na * nb)
    residuals = []
    for p in (1, 2):
        for k in range(m):
            closed = p * c ** (p - 1) * (hb[k] / nb - c * ha[k] / na) / na
            residuals.append(sp.simplify(sp.diff(c**p, ha[k]) - closed))
    return {"d cos/d h_a": sp.Eq(sp.Symbol("dcos/dh_a0"), sp.simplify(sp.diff(c, ha[0]))),
            "residuals": residuals}


def _eqs(d):
    return {k: v for k, v in d.items() if isinstance(v, sp.Eq)}


@derivation(name="diversity.gram-is-cosine-squared", title="lucid's Gram diversity of a non-spatial layer",
            source="Olah et al. 2017 (Feature Visualization, Distill); lucid/lucent objectives.diversity",
            derive=lambda: _eqs(derive_gram_cosine(3)),
            text="With one position the Gram matrix of an example is G = h h^T, so vec(G_a).vec(G_b) = "
                 "(h_a.h_b)^2 and |vec G|^2 = |h|^4: the cosine of two Gram matrices is cos^2 of the activation "
                 "vectors, unchanged when h_b is replaced by -h_b, while the plain cosine changes sign.")
def check_gram_cosine():
    return symbolic_check(derive_gram_cosine(3)["residuals"])


@derivation(name="diversity.cosine-gradient", title="Gradient of a power of the cosine",
            source="ours (feature-visualisation engine)", derive=lambda: _eqs(derive_cosine_power_gradient(3)),
            text="d cos(h_a, h_b)^p / d h_a = p cos^(p-1) (h_b/|h_b| - cos h_a/|h_a|)/|h_a| for p = 1 (cosine "
                 "diversity) and p = 2 (Gram diversity).")
def check_cosine_gradient():
    return symbolic_check(derive_cosine_power_gradient(3)["residuals"])
