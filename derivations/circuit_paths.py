"""The L1 price of a path through the two-layer circuit model (M = W1 V W2ᵀ), derived with sympy.

Per feature, code units (``theory.circuit_paths``), all weights magnitudes (positive symbols):

* ``derive_l1_optimum``: at fixed intended virtual weight p, the L1 norm of each configuration is minimised by
  Lagrange multipliers — private a + v + a′ at a = v = a′ = p^{1/3} (3p^{1/3}); aligned ± pair 2a + v + 2a′ at
  a = a′ = (p/2)^{1/3}, v = 2(p/2)^{1/3} (3(4p)^{1/3}, so 2a = v = 2a′); unaligned pair 2a + v₁ + v₂ + a′₁ + a′₂
  under two products at every weight p^{1/3} (6p^{1/3}). sympy solves each Lagrange system; the reduced Hessians
  are positive definite (and in log-coordinates the problem is convex, so the stationary point is the global
  minimum).
* ``derive_finite_l1``: the explicit circuit loss Σ(Max(M, 0) − T)² + λΣ|w| of each configuration's matrices
  (n = 2) equals its reduced form, the ReLU removing the negative cross connections; its gradient vanishes at
  the stated weights iff 2w²(1 − w³) = λ (private, unaligned) or 2w′²(1 − w′³) = 2^{−1/3}λ (aligned, with
  a = 2^{−1/3}w′, v = 2^{2/3}w′); per feature the aligned pair is a private path at λ′ = 2^{−1/3}λ. The learning
  threshold: the stationary loss equals the dead loss 1 at w³ = 4/5, λ_c = (2/5)(4/5)^{2/3}. The tied one-layer
  pair W = (w, −w) costs exactly two monosemantic features (no saving).
* ``derive_small_l1``: w(λ) = 1 − λ/6 − λ²/12 − 11λ³/162 + O(λ⁴) by series reversion, F(λ) = 3λ − λ²/4 − λ³/12 +
  O(λ⁴) (and dF/dλ = 3w, the envelope theorem), and the saving S(λ) = 2[F(λ) − F(2^{−1/3}λ)].

``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_circuit_paths.py`` lambdifies these results
and compares them with ``theory.circuit_paths``.
"""

from __future__ import annotations

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = ["circuit_loss_of", "derive_finite_l1", "derive_l1_optimum", "derive_small_l1", "symbols"]


def symbols() -> dict[str, sp.Symbol]:
    """The symbols: λ (L1 strength), p (intended virtual weight), w (a private path's weight, or w′ of the aligned
    pair), a, v, a′ (magnitudes), t (the aligned pair's a = a′), μ, μ₂ (multipliers), all positive."""
    return {name: sp.Symbol(name, positive=True) for name in ("lambda", "p", "w", "a", "v", "a'", "t", "mu", "mu2")}


def circuit_loss_of(W1: sp.Matrix, V: sp.Matrix, W2: sp.Matrix, lam: sp.Expr) -> sp.Expr:
    """Σ_ij (Max(M_ij, 0) − δ_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁), M = W1 V W2ᵀ, identity target (theory.circuits)."""
    M = W1 * V * W2.T
    data = sum((sp.Max(M[i, j], 0) - (1 if i == j else 0)) ** 2 for i in range(M.rows) for j in range(M.cols))
    return data + lam * sum(sp.Abs(x) for A in (W1, V, W2) for x in A)


def _lagrange(f: sp.Expr, constraints: list[sp.Expr], variables: list[sp.Symbol], multipliers: list[sp.Symbol]):
    """Positive solutions of ∇f = Σ μ_k ∇g_k, g_k = 0."""
    eqs = [sp.diff(f, x) - sum(mu * sp.diff(g, x) for mu, g in zip(multipliers, constraints)) for x in variables]
    return sp.solve(eqs + constraints, variables + multipliers, dict=True)


def derive_l1_optimum() -> dict:
    """Minimum L1 norm at fixed intended virtual weight p, each configuration, by Lagrange multipliers."""
    S = symbols()
    p, a, v, a2, mu, mu2 = S["p"], S["a"], S["v"], S["a'"], S["mu"], S["mu2"]
    v1, v2, b1, b2 = sp.symbols("v1 v2 b1 b2", positive=True)
    residuals = []
    private = _lagrange(a + v + a2, [a * v * a2 - p], [a, v, a2], [mu])
    aligned = _lagrange(2 * a + v + 2 * a2, [a * v * a2 - p], [a, v, a2], [mu])
    unaligned = _lagrange(2 * a + v1 + v2 + b1 + b2, [a * v1 * b1 - p, a * v2 * b2 - p], [a, v1, v2, b1, b2],
                          [mu, mu2])
    residuals += [sp.Integer(len(private) - 1), sp.Integer(len(aligned) - 1), sp.Integer(len(unaligned) - 1)]
    sp_, sa, su = private[0], aligned[0], unaligned[0]
    cube = sp.cbrt(p)
    residuals += [sp_[a] - cube, sp_[v] - cube, sp_[a2] - cube,
                  sa[a] - sp.cbrt(p / 2), sa[a2] - sp.cbrt(p / 2), sa[v] - 2 * sp.cbrt(p / 2),
                  *(su[x] - cube for x in (a, v1, v2, b1, b2))]
    cost_private = (a + v + a2).subs(sp_)
    cost_aligned = (2 * a + v + 2 * a2).subs(sa)
    cost_unaligned = (2 * a + v1 + v2 + b1 + b2).subs(su)
    residuals += [cost_private - 3 * cube, cost_aligned - 3 * sp.cbrt(4 * p), cost_unaligned - 6 * cube]
    # second order: eliminate v = p/(a a′) and check the reduced Hessian is positive definite at the optimum
    for f, sol in ((a + a2 + p / (a * a2), sp_), (2 * a + 2 * a2 + p / (a * a2), sa)):
        H = sp.hessian(f, (a, a2)).subs({a: sol[a], a2: sol[a2]})
        residuals += [sp.Integer(int(not sp.simplify(H[0, 0]).is_positive)),
                      sp.Integer(int(not sp.simplify(H.det()).is_positive))]
    # at p = 1: a = a′ = 4^{1/3}/2, v = 4^{1/3}; the price per pair 3·4^{1/3}λ against 6λ
    residuals += [sa[a].subs(p, 1) - sp.cbrt(4) / 2, sa[v].subs(p, 1) - sp.cbrt(4)]
    return {"private": sp.Eq(sp.Symbol("min(a + v + a')"), sp.simplify(cost_private)),
            "aligned weights": sp.Eq(sp.Tuple(a, v, a2), sp.Tuple(sa[a], sa[v], sa[a2])),
            "aligned": sp.Eq(sp.Symbol("min(2a + v + 2a')"), sp.simplify(cost_aligned)),
            "unaligned": sp.Eq(sp.Symbol("min(2a + v1 + v2 + a'1 + a'2)"), sp.simplify(cost_unaligned)),
            "residuals": residuals}


def _configurations(a, v, a2):
    """(W1, V, W2) of the three configurations at n = 2: private (m1 = m2 = 2, diagonal), aligned (m1 = m2 = 1),
    unaligned (m1 = 1, m2 = 2: the ± pair of layer 1 read out by two layer-2 neurons, the second one flipped)."""
    return {"private": (sp.diag(a, a), sp.diag(v, v), sp.diag(a2, a2)),
            "aligned": (sp.Matrix([[a], [-a]]), sp.Matrix([[v]]), sp.Matrix([[a2], [-a2]])),
            "unaligned": (sp.Matrix([[a], [-a]]), sp.Matrix([[v, -v]]), sp.diag(a2, a2))}


def derive_finite_l1() -> dict:
    """The explicit loss of each configuration, its stationarity equation and per-feature loss; the threshold."""
    S = symbols()
    lam, w, a, v, a2 = S["lambda"], S["w"], S["a"], S["v"], S["a'"]
    residuals = []
    reduced = {"private": 2 * (1 - a * v * a2) ** 2 + 2 * lam * (a + v + a2),
               "aligned": 2 * (1 - a * v * a2) ** 2 + lam * (2 * a + v + 2 * a2),
               "unaligned": 2 * (1 - a * v * a2) ** 2 + lam * (2 * a + 2 * v + 2 * a2)}
    for name, (W1, V, W2) in _configurations(a, v, a2).items():
        residuals.append(sp.simplify(circuit_loss_of(W1, V, W2, lam) - reduced[name]))
    # the gradient of the explicit loss in every nonzero weight (one symbol each), at the stated point: each
    # component is −eq/c, eq the stationarity expression (c = 1; c = 2^{−1/3} for the aligned pair, whose shared
    # v and own a, a′ all give −2^{1/3}·eq)
    k = 2 ** sp.Rational(-1, 3)
    stationary = 2 * w**2 * (1 - w**3) - lam
    aligned_stationary = 2 * w**2 * (1 - w**3) - k * lam
    points = {"private": ((w, w, w), stationary, 1), "aligned": ((k * w, w / k**2, k * w), aligned_stationary, k),
              "unaligned": ((w, w, w), stationary, 1)}
    for name, ((pa, pv, pa2), eq, c) in points.items():
        u = sp.symbols(f"u0:{_SIZES[name]}", positive=True)
        L = circuit_loss_of(*_general(name, u), lam)
        at = dict(zip(u, _general_values(name, pa, pv, pa2)))
        residuals += [sp.simplify(c * sp.diff(L, x).subs(at) + eq) for x in u]
        target = (1 - w**3) ** 2 + 3 * (k if name == "aligned" else 1) * lam * w
        residuals.append(sp.simplify(L.subs(at) / 2 - target))  # per feature
    # learning threshold: stationary and loss 1 (the dead loss) at once: x = w³ = 4/5, λ_c = (2/5)(4/5)^{2/3}
    x = sp.Symbol("x", positive=True)
    F_stat = ((1 - w**3) ** 2 + 3 * lam * w).subs(lam, 2 * w**2 * (1 - w**3))
    residuals.append(sp.expand(F_stat.subs(w, sp.cbrt(x)) - 1 - x * (4 - 5 * x)))
    w_c = sp.cbrt(sp.Rational(4, 5))
    lam_c = 2 * w_c**2 * (1 - w_c**3)
    residuals += [sp.simplify(lam_c - sp.Rational(2, 5) * sp.Rational(4, 5) ** sp.Rational(2, 3)),
                  sp.simplify(((1 - w**3) ** 2 + 3 * lam * w).subs({lam: lam_c, w: w_c}) - 1)]
    peak = sp.solve(sp.diff(2 * w**2 * (1 - w**3), w), w)
    residuals.append(sp.simplify(peak[0] ** 3 - sp.Rational(2, 5)))
    # the tied one-layer pair W = (w, −w) on one neuron against two monosemantic features: no saving
    W = sp.Matrix([[w], [-w]])
    G = W * W.T
    tied = sum((sp.Max(G[i, j], 0) - (1 if i == j else 0)) ** 2 for i in range(2) for j in range(2)) + lam * 2 * w
    mono = 2 * ((1 - w**2) ** 2 + lam * w)
    residuals.append(sp.simplify(tied - mono))
    return {"private": sp.Eq(sp.Symbol("lambda"), 2 * w**2 * (1 - w**3)),
            "aligned": sp.Eq(sp.Symbol("lambda'"), 2 * w**2 * (1 - w**3)),
            "aligned weights": sp.Eq(sp.Tuple(a, v, a2), sp.Tuple(k * w, w / k**2, k * w)),
            "per-feature loss": sp.Eq(sp.Symbol("F(lambda)"), (1 - w**3) ** 2 + 3 * lam * w),
            "threshold": sp.Eq(sp.Symbol("lambda_c"), sp.simplify(lam_c)),
            "stationarity": stationary, "aligned stationarity": aligned_stationary,
            "residuals": residuals}


_SIZES = {"private": 6, "aligned": 5, "unaligned": 6}


def _general(name: str, u: list[sp.Symbol]):
    """The configuration's matrices with a free positive symbol for every nonzero magnitude."""
    if name == "private":
        return sp.diag(u[0], u[1]), sp.diag(u[2], u[3]), sp.diag(u[4], u[5])
    if name == "aligned":
        return sp.Matrix([[u[0]], [-u[1]]]), sp.Matrix([[u[2]]]), sp.Matrix([[u[3]], [-u[4]]])
    return sp.Matrix([[u[0]], [-u[1]]]), sp.Matrix([[u[2], -u[3]]]), sp.diag(u[4], u[5])


def _general_values(name: str, a, v, a2) -> tuple:
    """The magnitudes of ``_general``'s symbols at the configuration's point (a, v, a′)."""
    return (a, a, v, a2, a2) if name == "aligned" else (a, a, v, v, a2, a2)


def derive_small_l1() -> dict:
    """Series of w(λ), F(λ) and the aligned saving S(λ) = 2[F(λ) − F(2^{−1/3}λ)] to O(λ⁴)."""
    S = symbols()
    lam, w = S["lambda"], S["w"]
    c1, c2, c3 = sp.symbols("c1 c2 c3")
    ansatz = 1 + c1 * lam + c2 * lam**2 + c3 * lam**3
    eq = sp.expand(2 * ansatz**2 * (1 - ansatz**3) - lam)
    coeffs = sp.solve([eq.coeff(lam, k) for k in (1, 2, 3)], [c1, c2, c3], dict=True)[0]
    w_series = ansatz.subs(coeffs)
    F = (1 - w**3) ** 2 + 3 * lam * w
    F_series = sp.series(F.subs(w, w_series), lam, 0, 4).removeO()
    k = 2 ** sp.Rational(-1, 3)
    S_series = sp.expand(2 * (F_series - F_series.subs(lam, k * lam)))
    claimed_F = 3 * lam - lam**2 / 4 - lam**3 / 12
    claimed_S = (6 - 3 * sp.cbrt(4)) * lam - (1 - 2 ** sp.Rational(-2, 3)) * lam**2 / 2 - lam**3 / 12
    # envelope: dF/dλ along the stationary curve = ∂F/∂λ = 3w, since ∂F/∂w = −3(2w²(1 − w³) − λ) = 0 there
    dw = sp.Symbol("dw")
    total = sp.diff(F, lam) + sp.diff(F, w) * dw
    residuals = [sp.expand(sp.series(2 * w_series**2 * (1 - w_series**3) - lam, lam, 0, 4).removeO()),
                 sp.expand(F_series - claimed_F), sp.simplify(S_series - claimed_S),
                 sp.expand(sp.diff(F, w) + 3 * (2 * w**2 * (1 - w**3) - lam)),
                 sp.expand(total.subs(lam, 2 * w**2 * (1 - w**3)) - 3 * w),
                 sp.expand(sp.series(sp.diff(claimed_F, lam) - 3 * w_series, lam, 0, 3).removeO())]
    return {"w(lambda)": sp.Eq(sp.Symbol("w"), w_series), "F(lambda)": sp.Eq(sp.Symbol("F"), claimed_F),
            "S(lambda)": sp.Eq(sp.Symbol("S"), claimed_S), "S series": S_series, "residuals": residuals}


def _eqs(d):
    return {key: value for key, value in d.items() if isinstance(value, sp.Eq)}


@derivation(name="circuits.path-weights", title="Path weights of a private feature and of an aligned ± pair",
            source="ours (two-hidden-layer extension)",
            derive=lambda: {**_eqs(derive_l1_optimum()), **{f"finite: {k}": v for k, v in _eqs(derive_finite_l1()).items()}},
            text="At fixed intended virtual weight p the L1 norm of a private path, a + v + a', is smallest at "
                 "a = v = a' = p^(1/3) (3 p^(1/3)); an aligned pm pair pays 2a + v + 2a' for two features, smallest at "
                 "2a = v = 2a' = (4p)^(1/3) (3 (4p)^(1/3)); a pair sharing only a layer-1 neuron pays 6 p^(1/3), two "
                 "private paths. With the squared error the explicit circuit loss of each configuration's matrices "
                 "reduces (the ReLU removes the negative cross connections) to (1 - w^3)^2 + 3 lambda w per feature, "
                 "stationary where 2 w^2 (1 - w^3) = lambda, the aligned pair at lambda' = 2^(-1/3) lambda; the path "
                 "beats the dead one below lambda_c = (2/5)(4/5)^(2/3). The tied one-layer pair costs exactly two "
                 "monosemantic features.")
def check_path_weights():
    return symbolic_check(derive_l1_optimum()["residuals"] + derive_finite_l1()["residuals"])


@derivation(name="circuits.aligned-pair-saving", title="Saving of an aligned pm pair: (6 - 3*4^(1/3)) lambda + O(lambda^2)",
            source="ours (two-hidden-layer extension)", derive=lambda: _eqs(derive_small_l1()),
            text="Series reversion of 2 w^2 (1 - w^3) = lambda gives w = 1 - lambda/6 - lambda^2/12 - ..., the "
                 "per-feature minimum F = 3 lambda - lambda^2/4 - lambda^3/12 + O(lambda^4) (dF/dlambda = 3w), and "
                 "the saving per pair S = 2[F(lambda) - F(2^(-1/3) lambda)] = (6 - 3*4^(1/3)) lambda - "
                 "(1 - 2^(-2/3)) lambda^2/2 - lambda^3/12 + O(lambda^4).")
def check_aligned_pair_saving():
    return symbolic_check(derive_small_l1()["residuals"])
