"""Moments of the hidden-noise families (theory/noise.py), derived with sympy.stats.

Each family is scaled to variance σ²; its excess kurtosis E[ξ⁴]/σ⁴ − 3 is a number independent
of σ: bipolar ±σ → −2; Gaussian → 0; uniform on [−√3σ, √3σ] → −6/5; Laplace with scale σ/√2 → 3;
three-point (0 w.p. 1 − p, ±σ/√p w.p. p/2 each) → 1/p − 3, which spans [−2, ∞) for p ∈ (0, 1].
"""

from __future__ import annotations

import sympy as sp
from sympy import stats

from ._core import derivation, symbolic_check

__all__ = ["derive_family_moments"]

SIGMA = sp.Symbol("sigma", positive=True)
P = sp.Symbol("p", positive=True)


def derive_family_moments() -> dict[str, tuple[sp.Expr, sp.Expr]]:
    """{family: (variance, excess kurtosis)} computed from each distribution's definition."""
    s = SIGMA
    families = {
        "bipolar": stats.FiniteRV("xi_b", {s: sp.Rational(1, 2), -s: sp.Rational(1, 2)}),
        "gaussian": stats.Normal("xi_g", 0, s),
        "uniform": stats.Uniform("xi_u", -sp.sqrt(3) * s, sp.sqrt(3) * s),
        "laplace": stats.Laplace("xi_l", 0, s / sp.sqrt(2)),
    }
    out = {}
    for name, X in families.items():
        var = sp.simplify(stats.E(X**2))
        out[name] = (var, sp.simplify(stats.E(X**4) / var**2 - 3))
    # three-point: written out, since p stays symbolic
    a = s / sp.sqrt(P)
    var = sp.simplify(P * a**2)
    out["three-point"] = (var, sp.simplify(P * a**4 / var**2 - 3))
    return out


def _show():
    return {f"{name}: excess kurtosis": sp.Eq(sp.Symbol(f"kappa_{name}"), k)
            for name, (_, k) in derive_family_moments().items()}


@derivation(name="noise.family-moments", title="Variance and excess kurtosis of each noise family",
            source="paper §1.3 (bipolar, Gaussian); ours (uniform, Laplace, three-point)", derive=_show,
            text="Each family has variance sigma^2; excess kurtosis -2 (bipolar), 0 (Gaussian), -6/5 (uniform), "
                 "3 (Laplace), 1/p - 3 (three-point).")
def check_family_moments():
    expected = {"bipolar": -2, "gaussian": 0, "uniform": sp.Rational(-6, 5), "laplace": 3, "three-point": 1 / P - 3}
    d = derive_family_moments()
    return symbolic_check([d[k][0] - SIGMA**2 for k in d] + [d[k][1] - expected[k] for k in d])
