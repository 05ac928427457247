"""Hidden-layer noise: moments of the projection, the expected loss, the Edgeworth tail and the
end states of the fourth norm, derived with sympy (paper §1.3, §2.5, §3.2).

Setting: ξ ∈ R^m has i.i.d. symmetric coordinates with E ξ_k² = σ² and E ξ_k⁴ = (3 + κ)σ⁴ (κ the
excess kurtosis); for input e_b, output j is ReLU(G_bj + s_j) with G = W Wᵀ and s_j = ⟨ξ, W_j⟩.
Losses are in the code's units (squared error summed over inputs and outputs, as
``derivations.loss``; no rescaling by 4).

* ``derive_projection_moments(m)``: E s², E s⁴ by expanding (Σ_k w_k ξ_k)⁴ and taking moments
  monomial by monomial (odd moments 0, independence); ``derive_projection_moments_general()``: the
  same for any m through additive cumulants, E s⁴ = 3σ⁴‖w‖₂⁴ + κσ⁴‖w‖₄⁴, so the excess kurtosis of
  s is κ‖w‖₄⁴/‖w‖₂⁴.
* ``derive_diagonal_term()``: E(1 − ‖W_b‖² − s_b)² = (1 − ‖W_b‖²)² + σ²‖W_b‖² (valid for every
  noise law when ‖W_b‖² + s_b > 0 almost surely); ``derive_gaussian_diagonal()``: the exact Gaussian
  E[(ReLU(a + s) − 1)²] without that condition.
* ``derive_gaussian_relu_square()``: E[(G + s)₊²] = (G² + v)Φ(G/√v) + G√v φ(G/√v) for s ~ N(0, v),
  by integration, and its expansion v/2 + G√(2v/π) + G²/2 + G³/(3√(2πv)) + O(G⁴).
* ``derive_edgeworth()``: the identities ∫_{c}^∞ (z − c)² He₄ φ = 2cφ(c) and ∫_{c}^∞ (z − c) He₄ φ
  = (c² − 1)φ(c), the Edgeworth tail E[(s − c)₊²] ≈ v[(1 + c′²)Φ̄(c′) − c′φ(c′)] + (κ_s/12) v c′φ(c′)
  and its derivative in ‖w‖₄⁴, κ σ² c′φ(c′)/(12‖w‖₂²): the sign rule.
* ``derive_random_direction_gradient_square()``: E‖∇F‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) on the
  sphere, the speed factor of the fourth-norm drift (``theory.noise_drift``).
* ``derive_simplex_fourth_norm()`` and ``derive_random_direction_fourth_norm()``: the end states
  (n² − 3n + 3)/(n(n − 1)) (= 43/56 ≈ 0.768 at n = 8) and 3/(m + 2).

Every check here is symbolic (residuals that simplify to 0); erfc is rewritten as 1 − erf first.
``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_noise_theory.py``
lambdifies these expressions and compares them with ``theory.noise_loss``.
"""

from __future__ import annotations

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = [
    "derive_diagonal_term",
    "derive_edgeworth",
    "derive_expected_loss_pieces",
    "derive_gaussian_diagonal",
    "derive_gaussian_relu_square",
    "derive_projection_moments",
    "derive_projection_moments_general",
    "derive_random_direction_gradient_square",
    "derive_random_direction_fourth_norm",
    "derive_simplex_fourth_norm",
    "hermite_he4",
    "normal_cdf",
    "normal_pdf",
]

sigma = sp.Symbol("sigma", positive=True)
kappa = sp.Symbol("kappa", real=True)
v = sp.Symbol("v", positive=True)
G = sp.Symbol("G", real=True)
a = sp.Symbol("a", real=True)
c = sp.Symbol("c", real=True)  # the standardised margin c′ = c/√v in the Edgeworth formulas
s = sp.Symbol("s", real=True)
z = sp.Symbol("z", real=True)
t = sp.Symbol("t", real=True)
A2 = sp.Symbol("A2", positive=True)  # ‖w‖₂²
B4 = sp.Symbol("B4", positive=True)  # ‖w‖₄⁴
n_sym = sp.Symbol("n", integer=True, positive=True)
m_sym = sp.Symbol("m", integer=True, positive=True)


def normal_pdf(x):
    """φ(x) = exp(−x²/2)/√(2π)."""
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def normal_cdf(x):
    """Φ(x) = (1 + erf(x/√2))/2."""
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def _simplify_erf(expr):
    return sp.simplify(sp.expand(expr.rewrite(sp.erf)))


# --------------------------------------------------------------------------------------------------
# moments of the projection s = ⟨ξ, w⟩


def _noise_moment(p: int):
    """E ξ^p for symmetric ξ with variance σ² and excess kurtosis κ (p ≤ 4)."""
    if p % 2:
        return sp.Integer(0)
    return {0: sp.Integer(1), 2: sigma**2, 4: (3 + kappa) * sigma**4}[p]


def _expectation_over_xi(poly_expr, xi):
    """E of a polynomial in independent ξ_k: each monomial Π ξ_k^{p_k} → Π E ξ^{p_k}."""
    poly = sp.Poly(sp.expand(poly_expr), *xi)
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        term = coeff
        for p in powers:
            term *= _noise_moment(p)
        total += term
    return sp.expand(total)


def derive_projection_moments(m: int = 4) -> dict:
    """E s² and E s⁴ for explicit m, with symbols w_k, and the residuals against the closed forms."""
    w = sp.symbols(f"w_0:{m}", real=True)
    xi = sp.symbols(f"xi_0:{m}", real=True)
    proj = sum(wk * xk for wk, xk in zip(w, xi))
    es2 = _expectation_over_xi(proj**2, xi)
    es4 = _expectation_over_xi(proj**4, xi)
    n2 = sum(wk**2 for wk in w)
    n4 = sum(wk**4 for wk in w)
    closed2 = sigma**2 * n2
    closed4 = 3 * sigma**4 * n2**2 + kappa * sigma**4 * n4
    return {"E s^2": sp.Eq(sp.Symbol("E[s^2]"), es2), "E s^4": sp.Eq(sp.Symbol("E[s^4]"), closed4),
            "computed": (es2, es4), "residuals": (es2 - closed2, es4 - closed4), "w": w}


def derive_projection_moments_general() -> dict:
    """Any m: cumulants add over independent terms and scale as w_k^r, so the cumulant generating
    function of s is K_s(t) = σ²A2 t²/2 + κσ⁴B4 t⁴/24 + O(t⁶) with A2 = ‖w‖₂², B4 = ‖w‖₄⁴.

    Returns E s⁴ = 24 [t⁴] exp K_s(t), the symmetric-variable check K_ξ(t) of one coordinate (whose
    t⁴ coefficient is (E ξ⁴ − 3σ⁴)/24 = κσ⁴/24), and the projection's excess kurtosis.
    """
    mu4 = (3 + kappa) * sigma**4
    K_xi = sp.series(sp.log(1 + sigma**2 * t**2 / 2 + mu4 * t**4 / 24), t, 0, 6).removeO()
    cumulant4_residual = sp.expand(K_xi.coeff(t, 4) - kappa * sigma**4 / 24)
    cumulant2_residual = sp.expand(K_xi.coeff(t, 2) - sigma**2 / 2)
    K_s = sigma**2 * A2 * t**2 / 2 + kappa * sigma**4 * B4 * t**4 / 24
    M_s = sp.series(sp.exp(K_s), t, 0, 6).removeO()
    es2 = sp.expand(2 * M_s.coeff(t, 2))
    es4 = sp.expand(24 * M_s.coeff(t, 4))
    excess = sp.simplify(es4 / es2**2 - 3)
    return {"E s^2": es2, "E s^4": es4, "excess kurtosis of s": excess,
            "residuals": (cumulant2_residual, cumulant4_residual, es2 - sigma**2 * A2,
                          es4 - (3 * sigma**4 * A2**2 + kappa * sigma**4 * B4),
                          excess - kappa * B4 / A2**2)}


@derivation(name="noise.projection-moments", title="Moments of the noise projection s = <xi, w>",
            source="paper §2.5(a)",
            derive=lambda: {"E s^4, m = 4": derive_projection_moments(4)["E s^4"],
                            "excess kurtosis of s": sp.Eq(sp.Symbol("kappa_s"),
                                                          derive_projection_moments_general()[
                                                              "excess kurtosis of s"])},
            text="Expanding (sum_k w_k xi_k)^4 with E xi^2 = sigma^2, E xi^4 = (3 + kappa) sigma^4, odd moments 0 "
                 "and independence gives E s^4 = 3 sigma^4 ||w||_2^4 + kappa sigma^4 ||w||_4^4 (checked at m = 3 "
                 "and 4); for any m through additive cumulants (kappa_4(s) = kappa sigma^4 sum_k w_k^4). The "
                 "projection's excess kurtosis is kappa ||w||_4^4/||w||_2^4.")
def check_projection_moments():
    res = list(derive_projection_moments(3)["residuals"]) + list(derive_projection_moments(4)["residuals"])
    return symbolic_check(res + list(derive_projection_moments_general()["residuals"]))


# --------------------------------------------------------------------------------------------------
# the expected loss


def derive_diagonal_term() -> dict:
    """E(ReLU(a + s) − 1)² with a = ‖W_b‖², s = s_b, when a + s > 0 almost surely (then ReLU is the
    identity): E(a + s − 1)² = (1 − a)² + E s² with E s = 0, E s² = σ²a. Distribution-free.

    Returns the result and the residual, computed by expanding in s and substituting moments.
    """
    e_s = {1: sp.Integer(0), 2: sigma**2 * a}
    poly = sp.Poly(sp.expand((a + s - 1) ** 2), s)
    value = sum(coeff * (e_s[p[0]] if p[0] else 1) for p, coeff in poly.terms())
    closed = (1 - a) ** 2 + sigma**2 * a
    return {"diagonal": sp.Eq(sp.Symbol("E(1 - ||W_b||^2 - s_b)^2"), closed),
            "residual": sp.expand(value - closed)}


def derive_expected_loss_pieces(n: int = 2, m: int = 2) -> dict:
    """The loss of the explicit network with symbolic W, ξ is Σ_b (ReLU(G_bb + s_b) − 1)² +
    Σ_{b≠j} ReLU(G_bj + s_j)², i.e. a sum of per-(b, j) terms each depending on ξ only through
    s_j = ⟨ξ, W_j⟩: the expectation is a sum of marginal expectations (s_j's correlations do not
    enter). Returns the residual of that decomposition (with ReLU kept as Max)."""
    W = sp.Matrix(n, m, lambda i, k: sp.Symbol(f"w_{i}_{k}", real=True))
    xi = sp.Matrix(m, 1, lambda k, _: sp.Symbol(f"xi_{k}", real=True))
    network = sp.Integer(0)
    for b in range(n):
        e = sp.zeros(n, 1)
        e[b] = 1
        y = (W * (W.T * e + xi)).applyfunc(lambda x: sp.Max(0, x))
        network += sum((y[j] - e[j]) ** 2 for j in range(n))
    pieces = sp.Integer(0)
    for b in range(n):
        for j in range(n):
            g = (W.row(b) * W.row(j).T)[0]
            sj = (W.row(j) * xi)[0]
            pieces += (sp.Max(0, sp.expand(g + sj)) - (1 if b == j else 0)) ** 2
    return {"residual": sp.expand(network - pieces)}


def derive_gaussian_diagonal() -> dict:
    """Exact Gaussian diagonal term, no positivity assumption: for s ~ N(0, v), x = a/√v,
    E[(ReLU(a + s) − 1)²] = ((1 − a)² + v)Φ(x) + Φ̄(x) + (a − 2)√v φ(x)."""
    dens = normal_pdf(s / sp.sqrt(v)) / sp.sqrt(v)
    integral = (sp.integrate((a + s - 1) ** 2 * dens, (s, -a, sp.oo))
                + sp.integrate(dens, (s, -sp.oo, -a)))
    x = a / sp.sqrt(v)
    closed = ((1 - a) ** 2 + v) * normal_cdf(x) + (1 - normal_cdf(x)) + (a - 2) * sp.sqrt(v) * normal_pdf(x)
    # v → 0⁺ gives the noiseless (ReLU(a) − 1)²: (1 − a)² for a > 0 and 1 for a < 0
    p = sp.Symbol("p", positive=True)
    limits = (sp.limit(closed.subs(a, p), v, 0, "+") - (1 - p) ** 2, sp.limit(closed.subs(a, -p), v, 0, "+") - 1)
    return {"closed form": closed, "residual": _simplify_erf(integral - closed),
            "limit residuals": tuple(sp.simplify(r) for r in limits)}


@derivation(name="noise.expected-loss", title="The expected loss under hidden-layer noise", source="paper §2.5(b)",
            derive=lambda: {"diagonal": derive_diagonal_term()["diagonal"],
                            "diagonal, Gaussian, exact": sp.Eq(sp.Symbol("E[(ReLU(a + s) - 1)^2]"),
                                                               derive_gaussian_diagonal()["closed form"])},
            text="E L = sum_b E(ReLU(||W_b||^2 + s_b) - 1)^2 + sum_{b != j} E ReLU(G_bj + s_j)^2, a sum of "
                 "per-(b, j) terms each depending only on the marginal law of s_j (checked on the symbolic "
                 "network at n = m = 2). When the diagonal pre-activations stay positive (||W_b||^2 + s_b > 0 "
                 "almost surely; for bipolar noise ||W_b||^2 > sigma ||W_b||_1) the diagonal term is "
                 "(1 - ||W_b||^2)^2 + sigma^2 ||W_b||^2 for every noise law; for Gaussian noise the exact "
                 "diagonal term without that condition is derived by integration.")
def check_expected_loss():
    gd = derive_gaussian_diagonal()
    return symbolic_check([derive_diagonal_term()["residual"], derive_expected_loss_pieces()["residual"],
                           gd["residual"], *gd["limit residuals"]])


# --------------------------------------------------------------------------------------------------
# Gaussian projection


def derive_gaussian_relu_square() -> dict:
    """E[(G + s)₊²] for s ~ N(0, v) by integration, the closed form, and its series in G."""
    dens = normal_pdf(s / sp.sqrt(v)) / sp.sqrt(v)
    integral = sp.integrate((G + s) ** 2 * dens, (s, -G, sp.oo))
    x = G / sp.sqrt(v)
    closed = (G**2 + v) * normal_cdf(x) + G * sp.sqrt(v) * normal_pdf(x)
    series = sp.series(closed, G, 0, 4).removeO()
    expected_series = v / 2 + G * sp.sqrt(2 * v / sp.pi) + G**2 / 2 + G**3 / (3 * sp.sqrt(2 * sp.pi * v))
    # E|s| = √(2v/π) for Gaussian s: the linear coefficient is E|s| (any symmetric law: d/dG = 2E s₊)
    abs_mean = 2 * sp.integrate(s * dens, (s, 0, sp.oo))
    relu_mean = sp.integrate((G + s) * dens, (s, -G, sp.oo))
    relu_mean_closed = G * normal_cdf(x) + sp.sqrt(v) * normal_pdf(x)
    return {"closed form": closed, "series": expected_series, "relu mean": relu_mean_closed,
            "residuals": (_simplify_erf(integral - closed), sp.simplify(series - expected_series),
                          sp.simplify(abs_mean - sp.sqrt(2 * v / sp.pi)),
                          _simplify_erf(relu_mean - relu_mean_closed),
                          # d/dG E[(G+s)₊²] = 2 E[(G+s)₊]
                          _simplify_erf(sp.diff(closed, G) - 2 * relu_mean_closed))}


@derivation(name="noise.gaussian-relu-square", title="E[ReLU(G + s)^2] for a Gaussian projection",
            source="paper §2.5(b)",
            derive=lambda: {"E[(G + s)_+^2]": sp.Eq(sp.Symbol("E[(G + s)_+^2]"),
                                                      derive_gaussian_relu_square()["closed form"]),
                            "small G": sp.Eq(sp.Symbol("E[(G + s)_+^2]"), derive_gaussian_relu_square()["series"]
                                             + sp.O(G**4))},
            text="For s ~ N(0, v): E[(G + s)_+^2] = (G^2 + v) Phi(G/sqrt v) + G sqrt(v) phi(G/sqrt v), by "
                 "integration. At small G it is v/2 + G E|s| + G^2/2 + G^3/(3 sqrt(2 pi v)) + O(G^4) with "
                 "E|s| = sqrt(2v/pi); the linear term rewards G < 0 (a margin). The paper's 'v/2 + G E|s| + "
                 "G^2/2 + ...' is this expansion.")
def check_gaussian_relu_square():
    return symbolic_check(list(derive_gaussian_relu_square()["residuals"]))


# --------------------------------------------------------------------------------------------------
# Edgeworth tail


def hermite_he4(x):
    """Probabilists' Hermite polynomial He₄(x) = x⁴ − 6x² + 3."""
    return x**4 - 6 * x**2 + 3


def derive_edgeworth() -> dict:
    """The Edgeworth tail of a symmetric projection with variance v and excess kurtosis κ_s.

    Density of z = s/√v to first order: φ(z)[1 + (κ_s/24) He₄(z)] (no skewness term: s is
    symmetric). With c′ = c/√v (the symbol ``c`` here):

        E[(s − c)₊²] ≈ v[(1 + c′²)Φ̄(c′) − c′φ(c′)] + (κ_s/12) v c′φ(c′)
        E[(s − c)₊]  ≈ √v[φ(c′) − c′Φ̄(c′)] + (κ_s/24) √v (c′² − 1)φ(c′)

    using ∫_{c′}^∞ (z − c′)² He₄ φ dz = 2c′φ(c′) and ∫_{c′}^∞ (z − c′) He₄ φ dz = (c′² − 1)φ(c′)
    (He₄ φ = φ⁗, then integrate by parts). The sign rule: at fixed ‖w‖₂ and margin, with
    κ_s = κ B4/A2², ∂/∂B4 of the approximation is κ σ² c′φ(c′)/(12 A2) (v = σ²A2), of the sign of κ
    for c′ > 0.
    """
    ks = sp.Symbol("kappa_s", real=True)
    He4 = hermite_he4(z)
    identity2 = sp.integrate((z - c) ** 2 * He4 * normal_pdf(z), (z, c, sp.oo))
    identity1 = sp.integrate((z - c) * He4 * normal_pdf(z), (z, c, sp.oo))
    he4_is_fourth_derivative = sp.simplify(sp.diff(normal_pdf(z), z, 4) - He4 * normal_pdf(z))
    gauss2 = sp.integrate((z - c) ** 2 * normal_pdf(z), (z, c, sp.oo))
    gauss1 = sp.integrate((z - c) * normal_pdf(z), (z, c, sp.oo))
    upper = 1 - normal_cdf(c)
    gauss2_closed = (1 + c**2) * upper - c * normal_pdf(c)
    gauss1_closed = normal_pdf(c) - c * upper
    tail2 = v * gauss2_closed + ks / 12 * v * c * normal_pdf(c)
    tail1 = sp.sqrt(v) * gauss1_closed + ks / 24 * sp.sqrt(v) * (c**2 - 1) * normal_pdf(c)
    # the approximation, computed as v ∫ (z − c′)² φ (1 + κ_s He₄/24): must equal tail2
    tail2_from_density = v * (gauss2 + ks / 24 * identity2)
    tail1_from_density = sp.sqrt(v) * (gauss1 + ks / 24 * identity1)
    # the sign rule, with c′ held fixed and v = σ² A2
    tail2_w = tail2.subs({ks: kappa * B4 / A2**2, v: sigma**2 * A2})
    d_dB4 = sp.diff(tail2_w, B4)
    d_dB4_closed = kappa * sigma**2 * c * normal_pdf(c) / (12 * A2)
    return {"tail2": tail2, "tail1": tail1, "kappa_s": ks, "d/dB4": d_dB4_closed,
            "residuals": (_simplify_erf(identity2 - 2 * c * normal_pdf(c)),
                          _simplify_erf(identity1 - (c**2 - 1) * normal_pdf(c)),
                          he4_is_fourth_derivative,
                          _simplify_erf(tail2_from_density - tail2),
                          _simplify_erf(tail1_from_density - tail1),
                          sp.simplify(d_dB4 - d_dB4_closed))}


@derivation(name="noise.edgeworth", title="The Edgeworth tail beyond the margin and the sign rule",
            source="paper §2.5(b)",
            derive=lambda: {"E[(s - c)_+^2]": sp.Eq(sp.Symbol("E[(s - c)_+^2]"), derive_edgeworth()["tail2"]),
                            "d/d||w||_4^4": sp.Eq(sp.Symbol("dE/dB4"), derive_edgeworth()["d/dB4"])},
            text="With the density phi(z)[1 + (kappa_s/24) He_4(z)] of z = s/sqrt v and int_{c'}^oo (z - c')^2 "
                 "He_4 phi = 2 c' phi(c') (He_4 phi is the fourth derivative of phi), E[(s - c)_+^2] ~ "
                 "v[(1 + c'^2) Phibar(c') - c' phi(c')] + (kappa_s/12) v c' phi(c'). The correction is positive "
                 "for c' > 0 when kappa_s > 0; with kappa_s = kappa ||w||_4^4/||w||_2^4 its derivative in "
                 "||w||_4^4 is kappa sigma^2 c' phi(c')/(12 ||w||_2^2): negative kappa lowers the loss of rows "
                 "with a large fourth norm, so the fourth norm drifts with the sign of -kappa.")
def check_edgeworth():
    return symbolic_check(list(derive_edgeworth()["residuals"]))


# --------------------------------------------------------------------------------------------------
# end states of the fourth norm


def derive_simplex_fourth_norm() -> dict:
    """The centred one-hot simplex: W_i = e_i − (1/n)1_n (in R^n, padded with zeros to R^m).

    One entry 1 − 1/n and n − 1 entries −1/n: ‖W_i‖₂² = 1 − 1/n, ‖W_i‖₄⁴ = (1 − 1/n)⁴ + (n − 1)/n⁴,
    ⟨W_i, W_j⟩ = −1/n, Σ_i W_i = 0. Normalised to unit rows: Gram off-diagonal −1/(n − 1) and
    normalised fourth norm ‖W_i‖₄⁴/‖W_i‖₂⁴ = (n² − 3n + 3)/(n(n − 1)).
    """
    n = n_sym
    norm2 = (1 - 1 / n) ** 2 + (n - 1) / n**2
    norm4 = (1 - 1 / n) ** 4 + (n - 1) / n**4
    overlap = 2 * (1 - 1 / n) * (-1 / n) + (n - 2) / n**2
    paper = ((1 - 1 / n) ** 4 + (n - 1) / n**4) / (1 - 1 / n) ** 2
    simple = (n**2 - 3 * n + 3) / (n * (n - 1))
    residuals = [sp.simplify(norm2 - (1 - 1 / n)), sp.simplify(norm4 / norm2**2 - paper),
                 sp.simplify(paper - simple), sp.simplify(overlap / norm2 + 1 / (n - 1))]
    for k in range(2, 7):  # the counting above against explicit matrices
        U = sp.eye(k) - sp.ones(k, k) / k
        r0 = U.row(0)
        residuals += [sum(x**4 for x in r0) / ((r0 * r0.T)[0]) ** 2 - simple.subs(n, k),
                      (U.row(0) * U.row(1).T)[0] / (r0 * r0.T)[0] + sp.Rational(1, k - 1),
                      sum((U * sp.ones(k, 1)))]
    return {"normalised fourth norm": sp.Eq(sp.Symbol("||W_i||_4^4/||W_i||_2^4"), paper),
            "simplified": simple, "value at n = 8": simple.subs(n, 8), "residuals": residuals}


def derive_random_direction_fourth_norm() -> dict:
    """E Σ_k u_k⁴ = 3/(m + 2) for u uniform on S^{m−1}.

    With g ~ N(0, I_m), g = r u where r = ‖g‖ and u = g/‖g‖ are independent, so
    E‖g‖₄⁴ = E[r⁴] E[Σ u_k⁴] exactly (no ratio-of-means approximation). E‖g‖₄⁴ = 3m and
    E r⁴ = Σ_{k,l} E g_k²g_l² = 3m + m(m − 1) = m(m + 2). Checked against the direct integrals at
    m = 2 (u = (cos θ, sin θ)) and m = 3 (u₁ uniform on [−1, 1], Archimedes).
    """
    m = m_sym
    e_g4 = 3 * m
    e_r4 = 3 * m + m * (m - 1)
    value = sp.simplify(e_g4 / e_r4)
    # E r⁴ from the χ² law: E (χ²_m)² = Var + mean² = 2m + m²
    chi2 = 2 * m + m**2
    theta = sp.Symbol("theta", real=True)
    m2 = sp.integrate(sp.cos(theta) ** 4 + sp.sin(theta) ** 4, (theta, 0, 2 * sp.pi)) / (2 * sp.pi)
    x = sp.Symbol("x", real=True)
    m3 = 3 * sp.integrate(x**4, (x, -1, 1)) / 2
    return {"E sum u^4": sp.Eq(sp.Symbol("E||u||_4^4"), value),
            "residuals": [sp.simplify(value - 3 / (m + 2)), sp.expand(e_r4 - chi2),
                          m2 - value.subs(m, 2), m3 - value.subs(m, 3)]}


def derive_random_direction_gradient_square() -> dict:
    """E‖∇F(u)‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) for u uniform on S^{m−1}, F = ‖u‖₄⁴/‖u‖₂⁴.

    ∇F = 4u³/‖u‖⁴ − 4F u/‖u‖², so on the sphere ‖∇F‖² = 16(Σu⁶ − F²). With g = r u (r, u independent)
    E Σ g⁶ = E r⁶ · E Σu⁶ and E(Σ g⁴)² = E r⁸ · E F², where E r^{2k} = m(m + 2)⋯(m + 2k − 2) (χ² moments),
    E g⁶ = 15, E g⁸ = 105, E g⁴g'⁴ = 9. Checked against the direct integral at m = 2 (u = (cos θ, sin θ)).
    """
    m = m_sym
    e_u6 = 15 * m / (m * (m + 2) * (m + 4))
    e_f2 = (105 * m + 9 * m * (m - 1)) / (m * (m + 2) * (m + 4) * (m + 6))
    value = sp.factor(sp.simplify(16 * (e_u6 - e_f2)))
    u = sp.symbols("u0:3", real=True)
    s2 = sum(x**2 for x in u)
    F = sum(x**4 for x in u) / s2**2
    grad = [sp.diff(F, x) for x in u]
    claimed = [4 * x**3 / s2**2 - 4 * F * x / s2 for x in u]
    on_sphere = sum((x**3 - F * x) ** 2 for x in u) - (sum(x**6 for x in u) - 2 * F * sum(x**4 for x in u) + F**2 * s2)
    theta = sp.Symbol("theta", real=True)
    c, s_ = sp.cos(theta), sp.sin(theta)
    F2 = c**4 + s_**4
    direct_m2 = sp.integrate(16 * (c**6 + s_**6 - F2**2), (theta, 0, 2 * sp.pi)) / (2 * sp.pi)
    return {"E||grad F||^2": sp.Eq(sp.Symbol("E||grad F||^2"), value),
            "residuals": [sp.simplify(value - 96 * (m - 1) / ((m + 2) * (m + 4) * (m + 6)))]
            + [sp.simplify(g - h) for g, h in zip(grad, claimed)] + [sp.expand(on_sphere)]
            + [sp.simplify(direct_m2 - value.subs(m, 2))]}


@derivation(name="noise.fourth-norm-gradient", title="Mean squared gradient of the fourth norm on the sphere",
            source="paper §2.5(b), §3.2 (the speed of the drift; ours)",
            derive=lambda: {"E||grad F||^2": derive_random_direction_gradient_square()["E||grad F||^2"]},
            text="The first-order drift of a random row's fourth norm under noise of excess kurtosis kappa is "
                 "dF/dt = -(kappa/12) A E||grad F||^2 at the centred-simplex Gram matrix (theory.noise_drift); "
                 "E||grad F||^2 = 96(m - 1)/((m + 2)(m + 4)(m + 6)) ~ 96/m^2 from the Gaussian moments "
                 "E g^6 = 15, E g^8 = 105 and the chi-square moments of ||g||.")
def check_random_direction_gradient_square():
    return symbolic_check(derive_random_direction_gradient_square()["residuals"])


@derivation(name="noise.end-states", title="Fourth norm of the aligned centred simplex and of a random direction",
            source="paper §2.5(c), §3.2",
            derive=lambda: {"simplex": derive_simplex_fourth_norm()["normalised fourth norm"],
                            "simplex, simplified": sp.Eq(sp.Symbol("F_simplex"),
                                                         derive_simplex_fourth_norm()["simplified"]),
                            "random direction": derive_random_direction_fourth_norm()["E sum u^4"]},
            text="The paper's formula [(1 - 1/n)^4 + (n - 1)/n^4]/(1 - 1/n)^2 is ||W_i||_4^4/||W_i||_2^4 of the "
                 "centred one-hot W_i = e_i - (1/n) 1_n (one entry 1 - 1/n, n - 1 entries -1/n, zeros on the "
                 "other m - n neurons): the n-simplex aligned with the neuron basis, Gram off-diagonal -1/(n - 1). "
                 "It simplifies to (n^2 - 3n + 3)/(n(n - 1)) = 43/56 = 0.768 at n = 8. A uniformly random "
                 "direction has E||u||_4^4 = 3/(m + 2) exactly (0.1667 at m = 16), by the independence of "
                 "||g|| and g/||g|| for Gaussian g.")
def check_end_states():
    return symbolic_check(derive_simplex_fourth_norm()["residuals"]
                          + derive_random_direction_fourth_norm()["residuals"])

