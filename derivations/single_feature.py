"""One feature under ℓ1 alone (paper §2.3, §2.6), in the paper's gradient-flow units:
dw_k/dt = δ w_k − λ (w_k > 0), δ = 1 − q, q = ‖w‖², S = ‖w‖₁, m′ = #{w_k > 0}, λ = λ_code/4.

* ``derive_exact_solution()``: w_k = a(w_k(0) − b) with a = exp∫δ, b = λ∫a⁻¹ solves the ODE
  (residual 0, a and b kept as functions with a′ = δa, b′ = λ/a); gaps w_k − w_l = a(w_k(0) − w_l(0)).
* ``derive_reduced_ode(k)``: Σ(w(0) − b)² = S₂ − 2bS₁ + b²S₀ over k survivors, q = a²(…),
  S = a(S₁ − bS₀); d(log a)/dt = 1 − q.
* ``derive_norm_balance(k)``: dq/dt = 2δq − 2λS, dS/dt = δS − λm′, RV = m′q/S² − 1 and, under the
  exact balance dq/dt = 0 (δ = λS/q), d(1/S)/dt = λ·RV/q. The paper's λ(m′/S² − 1) = λRV
  additionally sets q = 1 in the balance; the two differ by exactly λ(1 − q)/q.
* ``derive_continuum()``: moments M_p(β) = ∫_β^∞(x − β)^p 2φ(x)dx (p = 0, 1, 2) in closed form;
  the m → ∞ ODE in τ = λ√m·t; its ε = λ√m → 0 slow manifold dβ/dτ = √M₂, on which
  d(√m/S)/dτ = RV(β) = M₀M₂/M₁² − 1 exactly.
* ``derive_asymptotics()``: with the Mills ratio R = Φ̄/φ and its large-β series, the inverse law
  τ(β) ≈ (2π)^{1/4}β^{1/2}e^{β²/4}(1 + 2/β²) and m′/m·τ² = 2(1 + 3/β²) + O(β⁻⁴).
* ``derive_fixed_point()``: (1 − w²)w = λ: trigonometric largest root, its series, the threshold
  2/(3√3), stability.

All checks are symbolic (residuals simplify to 0), except the closed forms of M_p, whose residual
against sympy's own integral mixes erf and erfc: it is rewritten in erf, then simplifies to 0.
"""

from __future__ import annotations

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = [
    "derive_asymptotics",
    "derive_continuum",
    "derive_exact_solution",
    "derive_fixed_point",
    "derive_norm_balance",
    "derive_reduced_ode",
    "half_normal_moments",
    "mills_series",
]

t, s_ = sp.symbols("t s", nonnegative=True)
lam = sp.Symbol("lambda", positive=True)
beta = sp.Symbol("beta", positive=True)
x = sp.Symbol("x", positive=True)


def derive_exact_solution() -> dict:
    """Substitute w_k = a(t)(w_k(0) − b(t)) into dw_k/dt = δw_k − λ; residuals and the gap law."""
    delta = sp.Function("delta", real=True)
    r_ = sp.Symbol("r", nonnegative=True)
    a = sp.exp(sp.Integral(delta(s_), (s_, 0, t)))
    b = lam * sp.Integral(1 / sp.exp(sp.Integral(delta(r_), (r_, 0, s_))), (s_, 0, t))
    w0k, w0l = sp.symbols("w0_k w0_l", positive=True)
    wk, wl = a * (w0k - b), a * (w0l - b)
    residual = sp.diff(wk, t) - (delta(t) * wk - lam)
    residual = residual.replace(lambda e: isinstance(e, sp.Integral), lambda e: e.as_dummy())  # same bound variable
    # the same with a, b abstract functions obeying a' = δa, b' = λ/a
    A, B = sp.Function("a", positive=True)(t), sp.Function("b", real=True)(t)
    wk_abs = A * (w0k - B)
    abstract = sp.diff(wk_abs, t).subs({sp.Derivative(A, t): delta(t) * A, sp.Derivative(B, t): lam / A})
    return {"w_k": sp.Eq(sp.Symbol("w_k"), wk),
            "ode residual (explicit a, b)": residual,
            "ode residual (a' = delta a, b' = lambda/a)": sp.expand(abstract - (delta(t) * wk_abs - lam)),
            "initial value residual": wk.subs(t, 0).doit() - w0k,
            "gap": sp.Eq(sp.Symbol("w_k - w_l"), sp.factor(wk - wl)),
            "gap residual": sp.simplify(wk - wl - a * (w0k - w0l))}


def _survivors(k: int):
    return sp.symbols(f"u_1:{k + 1}", positive=True)


def derive_reduced_ode(k: int = 5) -> dict:
    """Σ_{survivors}(u − b)² through the prefix sums S₀, S₁, S₂; q, S and d(log a)/dt."""
    u = _survivors(k)
    a, b = sp.symbols("a b", positive=True)
    S0, S1, S2 = sp.Integer(k), sum(u), sum(v**2 for v in u)
    direct = sum((v - b) ** 2 for v in u)
    q = a**2 * (S2 - 2 * b * S1 + b**2 * S0)
    S = a * (S1 - b * S0)
    return {"square excess": sp.Eq(sp.Symbol("Sum (u - b)^2"), S2 - 2 * b * S1 + b**2 * S0),
            "dlog a/dt": sp.Eq(sp.Symbol("dlog_a/dt"), 1 - q),
            "db/dt": sp.Eq(sp.Symbol("db/dt"), lam / a),
            "residual q": sp.expand(q - sum((a * (v - b)) ** 2 for v in u)),
            "residual S": sp.expand(S - sum(a * (v - b) for v in u)),
            "residual prefix": sp.expand(direct - (S2 - 2 * b * S1 + b**2 * S0))}


def derive_norm_balance(k: int = 4) -> dict:
    """dq/dt, dS/dt, RV and d(1/S)/dt for k explicit survivors w_1..w_k > 0."""
    w = _survivors(k)
    q, S = sum(v**2 for v in w), sum(w)
    delta = 1 - q
    dw = [delta * v - lam for v in w]
    dq = sum(2 * v * d for v, d in zip(w, dw))
    dS = sum(dw)
    d_invS = -dS / S**2
    mean = S / k
    rv = (sum((v - mean) ** 2 for v in w) / k) / mean**2
    # exact balance dq/dt = 0 ⇔ δ = λS/q: replace the common δ in the rates by λS/q
    dl = sp.Symbol("delta", real=True)
    d_invS_delta = -(dl * S - lam * k) / S**2
    balanced = d_invS_delta.subs(dl, lam * S / q)
    paper = d_invS_delta.subs(dl, lam * S)  # the paper's q = 1 in the balance: λ(m'/S² − 1)
    return {"dq/dt": sp.Eq(sp.Symbol("dq/dt"), 2 * sp.Symbol("delta") * sp.Symbol("q") - 2 * lam * sp.Symbol("S")),
            "balance": sp.Eq(sp.Symbol("delta"), lam * sp.Symbol("S") / sp.Symbol("q")),
            "d(1/S)/dt (balanced)": sp.Eq(sp.Symbol("d(1/S)/dt"), lam * sp.Symbol("RV") / sp.Symbol("q")),
            "residual dq": sp.expand(dq - (2 * delta * q - 2 * lam * S)),
            "residual dS": sp.expand(dS - (delta * S - lam * k)),
            "residual d(1/S)": sp.simplify(d_invS - (lam * k / S**2 - delta / S)),
            "residual RV": sp.simplify(rv - (k * q / S**2 - 1)),
            "residual balanced": sp.simplify(balanced - lam * rv / q),
            "residual paper - balanced": sp.simplify(paper - balanced - lam * (1 - q) / q),
            "residual paper form": sp.simplify(paper - lam * (k / S**2 - 1))}


def _phi(z):
    return sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)


def _phibar(z):
    return sp.erfc(z / sp.sqrt(2)) / 2


def half_normal_moments(b=beta) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(M₀, M₁, M₂) closed forms: 2Φ̄, 2[φ − βΦ̄], 2[(1 + β²)Φ̄ − βφ]."""
    return (2 * _phibar(b), 2 * (_phi(b) - b * _phibar(b)), 2 * ((1 + b**2) * _phibar(b) - b * _phi(b)))


def derive_continuum() -> dict:
    """Continuum moments, the limiting ODE and its slow manifold."""
    M = half_normal_moments()
    integrals = [sp.integrate((x - beta) ** p * 2 * _phi(x), (x, beta, sp.oo)) for p in range(3)]
    eps, sc, a, tau = sp.symbols("epsilon s a tau", positive=True)
    m = sp.Symbol("m", positive=True)
    # scaling: w(0) = s x/√m, b = s β/√m ⇒ a²(w(0) − b)² = a² s² (x − β)²/m, a(w(0) − b) = a s (x − β)/√m
    w0, b = sc * x / sp.sqrt(m), sc * beta / sp.sqrt(m)
    per_coord_q = sp.simplify(a**2 * (w0 - b) ** 2 - a**2 * sc**2 * (x - beta) ** 2 / m)
    per_coord_S = sp.simplify(a * (w0 - b) - a * sc * (x - beta) / sp.sqrt(m))
    # time change τ = λ√m t (ε = λ√m): dβ/dτ = (√m/s)(db/dt)/ε with db/dt = λ/a
    dbeta_dtau = sp.sqrt(m) / sc * (lam / a) / (lam * sp.sqrt(m))
    dloga_dtau = (1 - a**2 * sc**2 * M[2]) / eps
    manifold_a = 1 / (sc * sp.sqrt(M[2]))
    slow = dbeta_dtau.subs(a, manifold_a)
    # on the manifold S/√m = a s M₁ = M₁/√M₂; d(√m/S)/dτ = d/dβ(√M₂/M₁)·dβ/dτ
    invS = sp.sqrt(M[2]) / M[1]
    rv = M[0] * M[2] / M[1] ** 2 - 1
    return {"M_0": sp.Eq(sp.Symbol("M_0"), M[0]), "M_1": sp.Eq(sp.Symbol("M_1"), M[1]),
            "M_2": sp.Eq(sp.Symbol("M_2"), M[2]),
            "dlog a/dtau": sp.Eq(sp.Symbol("dlog_a/dtau"), dloga_dtau),
            "dbeta/dtau": sp.Eq(sp.Symbol("dbeta/dtau"), dbeta_dtau),
            "slow manifold": sp.Eq(sp.Symbol("a"), manifold_a),
            "quasi-static law": sp.Eq(sp.Symbol("dbeta/dtau"), sp.sqrt(sp.Symbol("M_2"))),
            "RV": sp.Eq(sp.Symbol("RV"), rv),
            "residual moments": [sp.simplify((i - mp).rewrite(sp.erf)) for i, mp in zip(integrals, M)],
            "residual scaling": [per_coord_q, per_coord_S],
            "residual dM": [sp.simplify(sp.diff(M[1], beta) + M[0]), sp.simplify(sp.diff(M[2], beta) + 2 * M[1])],
            "residual manifold": sp.simplify(dloga_dtau.subs(a, manifold_a)),
            "residual slow law": sp.simplify(slow - sp.sqrt(M[2])),
            "residual d(1/S)": sp.simplify(sp.diff(invS, beta) * sp.sqrt(M[2]) - rv),
            "residual RV(0)": sp.simplify(rv.subs(beta, 0) - (sp.pi / 2 - 1)),
            "residual q(0)": sp.simplify(M[2].subs(beta, 0) - 1)}


def mills_series(b=beta, order: int = 6) -> sp.Expr:
    """R(β) ~ Σ_{k<order} (−1)^k (2k − 1)!!/β^{2k+1}, the large-β series of Φ̄/φ."""
    return sum((-1) ** k * sp.factorial2(2 * k - 1) / b ** (2 * k + 1) for k in range(order))


def derive_asymptotics(order: int = 6) -> dict:
    """Large-β law through the Mills ratio R = Φ̄/φ (R′ = βR − 1). Everything is algebraic in β.

    With M₂ = φ·P(β), P = 2[(1 + β²)R − β], and τ = (2π)^{1/4}β^{1/2}e^{β²/4}T(β), T = 1 + 2/β²:
    (dτ/dβ)²M₂ = [(β^{1/2}T)′ + β^{3/2}T/2]²P (the exponentials cancel), which is 1 + O(β⁻⁴);
    m′/m·τ² = 2RφC²βe^{β²/2}T² = 2βRT² = 2(1 + 3/β²) + O(β⁻⁴); τ·S/√m = 2(1 − βR)β^{1/2}T/√P.
    """
    u = sp.Symbol("v", positive=True)  # v = 1/β, for series at β = ∞
    R = mills_series(beta, order)
    T = 1 + 2 / beta**2
    P = 2 * ((1 + beta**2) * R - beta)
    ode = (sp.diff(sp.sqrt(beta) * T, beta) + beta ** sp.Rational(3, 2) * T / 2) ** 2 * P
    frac_tau2 = 2 * beta * R * T**2
    s_tau = 2 * (1 - beta * R) * sp.sqrt(beta) * T / sp.sqrt(P)

    def at_infinity(e, n):
        return sp.series(sp.simplify(e.subs(beta, 1 / u)), u, 0, n).removeO()

    return {"tau(beta)": sp.Eq(sp.Symbol("tau"), (2 * sp.pi) ** sp.Rational(1, 4) * sp.sqrt(beta)
                               * sp.exp(beta**2 / 4) * T),
            "survivor fraction * tau^2": sp.Eq(sp.Symbol("f tau^2"), 2 + 6 / beta**2),
            "tau * S/sqrt(m)": sp.Eq(sp.Symbol("tau S/sqrt(m)"), at_infinity(s_tau, 3).subs(u, 1 / beta)),
            "mills residual": sp.expand(sp.diff(R, beta) - (beta * R - 1)),  # = O(β^{-2·order})
            "ode series": at_infinity(ode, 4),
            "fraction series": at_infinity(frac_tau2, 4),
            "S series": at_infinity(s_tau, 3),
            "v": u}


def derive_fixed_point() -> dict:
    """(1 − w²)w = λ: trigonometric root, series, threshold and stability."""
    w = sp.Symbol("w", real=True)
    c = sp.Symbol("c", real=True)  # c = cos(θ), 3θ = arccos(−3√3λ/2)
    root = 2 / sp.sqrt(3) * c
    cos3 = 4 * c**3 - 3 * c  # cos 3θ
    # (1 − w²)w with w = (2/√3)cos θ equals −(2/(3√3))cos 3θ; with cos 3θ = −3√3λ/2 it is λ
    trig_residual = sp.expand((1 - root**2) * root + 2 / (3 * sp.sqrt(3)) * cos3)
    lam_of_cos3 = sp.expand(-2 / (3 * sp.sqrt(3)) * (-3 * sp.sqrt(3) * lam / 2) - lam)
    # series: w = 1 + c1 λ + c2 λ² + c3 λ³
    c1, c2, c3 = sp.symbols("c1 c2 c3")
    ws = 1 + c1 * lam + c2 * lam**2 + c3 * lam**3
    eqs = sp.Poly(sp.expand((1 - ws**2) * ws - lam), lam).all_coeffs()[::-1][1:4]
    sol = sp.solve(eqs, [c1, c2, c3], dict=True)[0]
    g = (1 - w**2) * w
    wmax = sp.solve(sp.diff(g, w), w)
    wmax = [r for r in wmax if r.is_positive][0]
    w_star = 2 / sp.sqrt(3) * sp.cos(sp.acos(-3 * sp.sqrt(3) * lam / 2) / 3)
    return {"w*": sp.Eq(sp.Symbol("w*"), w_star),
            "series": sp.Eq(sp.Symbol("w*"), ws.subs(sol)),
            "argmax": sp.Eq(sp.Symbol("w_max"), wmax),
            "threshold": sp.Eq(sp.Symbol("lambda_max"), g.subs(w, wmax)),
            "stability": sp.Eq(sp.Symbol("df/dw"), sp.diff(g, w)),
            "residual trig": trig_residual, "residual cos3": lam_of_cos3,
            "series coefficients": (sol[c1], sol[c2], sol[c3]),
            "threshold residual": sp.simplify(g.subs(w, wmax) - 2 / (3 * sp.sqrt(3))),
            "w*(0)": sp.simplify(w_star.subs(lam, 0)),
            "w*(threshold)": sp.simplify(w_star.subs(lam, 2 / (3 * sp.sqrt(3))) - 1 / sp.sqrt(3)),
            "series residual": sp.simplify(sp.series(w_star, lam, 0, 4).removeO() - ws.subs(sol))}


def _eqs(d):
    return {k: v for k, v in d.items() if isinstance(v, sp.Eq)}


@derivation(name="single-feature.exact-solution", title="The exact soft-threshold solution of one feature",
            source="paper §2.3(a)", derive=lambda: _eqs(derive_exact_solution()),
            text="Because delta = 1 - ||w||^2 is common to all coordinates, w_k(t) = a(t)(w_k(0) - b(t))_+ "
                 "with a = exp int delta and b = lambda int 1/a solves dw_k/dt = delta w_k - lambda for every "
                 "surviving coordinate (w_k(0) > b); a dead coordinate stays at 0 since b only increases. "
                 "Gaps scale by a, so the ordering is preserved and the last survivor is the initial argmax. "
                 "Checked with a, b as explicit integrals and as functions obeying a' = delta a, b' = lambda/a.")
def check_exact_solution():
    d = derive_exact_solution()
    return symbolic_check([d["ode residual (explicit a, b)"], d["ode residual (a' = delta a, b' = lambda/a)"],
                           d["initial value residual"], d["gap residual"]])


@derivation(name="single-feature.reduced-ode", title="The two-variable reduced flow through prefix sums",
            source="paper §2.3(a)", derive=lambda: _eqs(derive_reduced_ode()),
            text="q = a^2 sum_{w(0) > b} (w(0) - b)^2 = a^2 (S2 - 2 b S1 + b^2 S0) with S0, S1, S2 the count, "
                 "sum and sum of squares of the surviving initial magnitudes (prefix sums of the sorted "
                 "magnitudes, found by bisection: O(log m) per evaluation); d(log a)/dt = 1 - q, db/dt = "
                 "lambda/a; ||w||_1 = a (S1 - b S0). Checked with 5 explicit survivors.")
def check_reduced_ode():
    d = derive_reduced_ode()
    return symbolic_check([d["residual q"], d["residual S"], d["residual prefix"]])


@derivation(name="single-feature.norm-balance", title="Norm balance and the l1-norm law",
            source="paper §2.3(c), (d)", derive=lambda: _eqs(derive_norm_balance()),
            text="dq/dt = 2(1 - q) q - 2 lambda S and dS/dt = (1 - q) S - lambda m' exactly. RV (population "
                 "variance over mean squared of the survivors) = m' q/S^2 - 1 exactly. Under the exact balance "
                 "dq/dt = 0, i.e. 1 - q = lambda S/q, d(1/S)/dt = lambda RV/q. The paper's lambda(m'/S^2 - 1) "
                 "= lambda RV uses 1 - q = lambda S (q = 1 in the balance); it exceeds the balanced rate by "
                 "exactly lambda (1 - q)/q = O(lambda^2 S). Checked with 4 explicit survivors.")
def check_norm_balance():
    d = derive_norm_balance()
    return symbolic_check([d[k] for k in ("residual dq", "residual dS", "residual d(1/S)", "residual RV",
                                          "residual balanced", "residual paper - balanced")])


@derivation(name="single-feature.continuum", title="The continuum limit for half-normal initial weights",
            source="paper §2.3(d), (e)", derive=lambda: _eqs(derive_continuum()),
            text="With |w_k(0)| ~ |N(0, s^2/m)|, x = sqrt(m) w(0)/s, beta = sqrt(m) b/s and tau = lambda "
                 "sqrt(m) t: m'/m -> M0(beta), q -> a^2 s^2 M2(beta), S/sqrt(m) -> a s M1(beta), with M_p = "
                 "int_beta^inf (x - beta)^p 2 phi(x) dx. As m -> infinity at fixed epsilon = lambda sqrt(m) "
                 "the flow is the 2-D system d(log a)/dtau = (1 - a^2 s^2 M2)/epsilon, dbeta/dtau = 1/(s a): "
                 "m'/m is then a function of tau, epsilon and s. Only in the further limit epsilon -> 0 "
                 "(quasi-static, q = 1) does it depend on tau alone: a = 1/(s sqrt(M2)) and dbeta/dtau = "
                 "sqrt(M2(beta)), beta(0) = 0, for any s; on it d(sqrt(m)/S)/dtau = RV(beta) = M0 M2/M1^2 - 1 "
                 "exactly, from pi/2 - 1 at tau = 0 towards 1.")
def check_continuum():
    d = derive_continuum()
    return symbolic_check(d["residual moments"] + d["residual scaling"] + d["residual dM"]
                          + [d[k] for k in ("residual manifold", "residual slow law", "residual d(1/S)",
                                            "residual RV(0)", "residual q(0)")])


@derivation(name="single-feature.asymptotics", title="Large-tau asymptotics of the continuum law",
            source="paper §2.3(d), (e)", derive=lambda: _eqs(derive_asymptotics()),
            text="With the Mills ratio R = Phibar/phi ~ 1/beta - 1/beta^3 + 3/beta^5 - ..., M2 = phi P(beta) "
                 "with P ~ 4/beta^3. tau(beta) ~ (2 pi)^(1/4) beta^(1/2) exp(beta^2/4)(1 + 2/beta^2) solves "
                 "dbeta/dtau = sqrt(M2) to relative O(beta^-4); then m'/m tau^2 = 2(1 + 3/beta^2) + O(beta^-4) "
                 "and tau S/sqrt(m) = 1 + O(beta^-2), beta^2 ~ 4 log tau. So ||w||_1 ~ 1/(lambda t) as the "
                 "paper says, but m' ~ 2/(lambda t)^2, twice the paper's 1/(1/sqrt(m) + lambda t)^2 (the factor "
                 "1 + RV -> 2), approached slowly (3/beta^2 ~ 0.75/log tau).")
def check_asymptotics():
    d = derive_asymptotics()
    v = d["v"]
    mills = sp.expand(d["mills residual"] * beta ** 12)  # order 6: residual = c/β^12 exactly
    return symbolic_check([sp.expand(d["ode series"] - 1),
                           sp.expand(d["fraction series"] - (2 + 6 * v**2)),
                           sp.expand(d["S series"].coeff(v, 0) - 1),
                           sp.diff(mills, beta)])


@derivation(name="single-feature.fixed-point", title="The lone survivor's fixed point",
            source="paper §2.6", derive=lambda: _eqs(derive_fixed_point()),
            text="A lone survivor obeys dw/dt = (1 - w^2) w - lambda. With w = (2/sqrt 3) cos theta, "
                 "(1 - w^2) w = -(2/(3 sqrt 3)) cos 3 theta, so the largest root is w* = (2/sqrt 3) cos(arccos("
                 "-3 sqrt(3) lambda/2)/3) = 1 - lambda/2 - 3 lambda^2/8 - lambda^3/2 + O(lambda^4); it exists "
                 "iff lambda <= 2/(3 sqrt 3) = max of (1 - w^2) w (at w = 1/sqrt 3), and is stable "
                 "(1 - 3 w*^2 < 0) iff lambda < 2/(3 sqrt 3).")
def check_fixed_point():
    d = derive_fixed_point()
    c1, c2, c3 = d["series coefficients"]
    return symbolic_check([d["residual trig"], d["residual cos3"], d["threshold residual"], d["w*(0)"] - 1,
                           d["w*(threshold)"], d["series residual"], c1 + sp.Rational(1, 2),
                           c2 + sp.Rational(3, 8), c3 + sp.Rational(1, 2)])
