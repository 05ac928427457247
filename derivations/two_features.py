"""Two features on one shared neuron (paper §2.4, "Same sign"), in the paper's gradient-flow units.

* ``derive_reduced_system()``: the row-form loss of two features on two neurons, in the code's
  units, L = Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)² + 4λ‖W‖₁ (λ_code = 4λ), differentiated
  symbolically and restricted to W_i = x e_1, W_j = y e_1: −(∂L/∂W)/4 gives
  same sign (x, y > 0): dx/dt = x(1 − x² − y²) − λ, dy/dt = y(1 − x² − y²) − λ;
  opposite sign (x > 0 > y): dx/dt = x(1 − x²) − λ, dy/dt = y(1 − y²) + λ (no interference);
  and zero force on the unused neuron (the restriction is an invariant set with sign(0) = 0).
* ``derive_winner()``: for the same-sign pair, d(x − y)/dt = (1 − x² − y²)(x − y) (so x − y keeps its
  sign), d(x/y)/dt = λ(x − y)/y² (the ratio grows when x > y), γ = (x − y)/x obeys dγ/dt = λγ/x (the
  paper's ``gamma`` update); the system is one feature's ℓ1 flow on m = 2 coordinates, so the exact
  solution a(t)(w(0) − b(t))₊ applies and the larger initial weight wins; the end state (w*, 0) is
  a rest point with dy/dt = −λ < 0 at y = 0⁺ (the loser stays at 0), and the symmetric state
  x = y = v (v(1 − 2v²) = λ) is unstable along x − y with rate 1 − 2v² = λ/v > 0.

All checks symbolic.
"""

from __future__ import annotations

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = ["derive_reduced_system", "derive_winner"]

lam = sp.Symbol("lambda", positive=True)
x, y, z, v = sp.symbols("x y z v", positive=True)


def _loss_two_rows():
    W = sp.Matrix(2, 2, lambda i, k: sp.Symbol(f"w_{i}_{k}", real=True))
    r0, r1 = W.row(0), W.row(1)
    n0, n1, g = (r0 * r0.T)[0], (r1 * r1.T)[0], (r0 * r1.T)[0]
    L = (1 - n0) ** 2 + (1 - n1) ** 2 + 2 * sp.Max(0, g) ** 2 + 4 * lam * sum(sp.Abs(w) for w in W)
    return L, W


def _paper_flow_on(W, L, values):
    """−(∂L/∂W)/4 at W = values (time rescaled by 4, λ_code = 4λ)."""
    subs = dict(zip(list(W), values))
    return [sp.simplify((-sp.diff(L, w) / 4).subs(subs)) for w in W]


def derive_reduced_system() -> dict:
    """Restricted flows for same and opposite signs, and their residuals against the closed forms."""
    L, W = _loss_two_rows()
    same = _paper_flow_on(W, L, [x, 0, y, 0])      # W_0 = x e_1, W_1 = y e_1, x, y > 0
    opp = _paper_flow_on(W, L, [x, 0, -z, 0])      # y = −z < 0
    same_x, same_y = x * (1 - x**2 - y**2) - lam, y * (1 - x**2 - y**2) - lam
    opp_x, opp_y = x * (1 - x**2) - lam, (-z) * (1 - z**2) + lam
    return {"same sign dx/dt": sp.Eq(sp.Symbol("dx/dt"), same[0]),
            "same sign dy/dt": sp.Eq(sp.Symbol("dy/dt"), same[2]),
            "opposite sign dx/dt": sp.Eq(sp.Symbol("dx/dt"), opp[0]),
            "opposite sign dy/dt (y = -z)": sp.Eq(sp.Symbol("dy/dt"), opp[2]),
            "residuals": [same[0] - same_x, same[2] - same_y, same[1], same[3],
                          opp[0] - opp_x, opp[2] - opp_y, opp[1], opp[3]]}


def derive_winner() -> dict:
    """Difference, ratio and relative-gap laws; equivalence with m = 2; end state; symmetric state."""
    d = 1 - x**2 - y**2
    fx, fy = x * d - lam, y * d - lam
    ratio = (fx * y - x * fy) / y**2
    gamma = (x - y) / x
    dgamma = sp.diff(gamma, x) * fx + sp.diff(gamma, y) * fy
    # one feature on m = 2 coordinates: dw_k/dt = (1 − w_1² − w_2²)w_k − λ
    w1, w2 = sp.symbols("w_1 w_2", positive=True)
    single = [((1 - w1**2 - w2**2) * w - lam) for w in (w1, w2)]
    ws = sp.Symbol("w_star", positive=True)  # any root of (1 − w²)w = λ
    end_x = (x * d - lam).subs({x: ws, y: 0}).subs(lam, (1 - ws**2) * ws)
    end_y0 = (y * d - lam).subs(y, 0)
    sym = (1 - 2 * v**2)  # rate of x − y at x = y = v
    return {"d(x - y)/dt": sp.Eq(sp.Symbol("d(x-y)/dt"), sp.factor(fx - fy)),
            "d(x/y)/dt": sp.Eq(sp.Symbol("d(x/y)/dt"), lam * (x - y) / y**2),
            "dgamma/dt": sp.Eq(sp.Symbol("dgamma/dt"), lam * gamma / x),
            "residuals": [sp.expand(fx - fy - d * (x - y)), sp.simplify(ratio - lam * (x - y) / y**2),
                          sp.simplify(dgamma - lam * gamma / x),
                          sp.expand(single[0].subs({w1: x, w2: y}) - fx),
                          sp.expand(single[1].subs({w1: x, w2: y}) - fy),
                          sp.expand(end_x), end_y0 + lam,
                          sp.simplify(sym.subs(lam, v * (1 - 2 * v**2)) - (v * (1 - 2 * v**2)) / v)]}


def _eqs(d):
    return {k: e for k, e in d.items() if isinstance(e, sp.Eq)}


@derivation(name="two-features.reduced-system", title="Two features on one neuron: the reduced flow",
            source="paper §2.4", derive=lambda: _eqs(derive_reduced_system()),
            text="From the row-form loss with lambda_code = 4 lambda, restricted to W_i = x e_k and W_j = y e_k "
                 "and divided by 4: same sign, dx/dt = x(1 - x^2 - y^2) - lambda and symmetrically for y; "
                 "opposite sign, the ReLU of the negative overlap removes the interference and each evolves "
                 "as a lone feature, dx/dt = x(1 - x^2) - lambda sign x. The force on the other neuron is 0, "
                 "so the restriction is invariant (others' rows are taken as 0).")
def check_reduced_system():
    return symbolic_check(derive_reduced_system()["residuals"])


@derivation(name="two-features.winner", title="Same-sign pair: the larger weight wins",
            source="paper §2.4, §2.3(e)", derive=lambda: _eqs(derive_winner()),
            text="d(x - y)/dt = (1 - x^2 - y^2)(x - y): the difference never changes sign. d(x/y)/dt = "
                 "lambda (x - y)/y^2 > 0 for x > y: the ratio grows and the relative gap gamma = (x - y)/x "
                 "obeys dgamma/dt = lambda gamma/x. The pair is exactly one feature's flow on m = 2 "
                 "coordinates, so x = a(x0 - b), y = a(y0 - b)_+: the smaller dies when b reaches y0 and "
                 "stays at 0 (dy/dt = -lambda at 0+), the larger ends at w*. The symmetric state x = y = v is "
                 "unstable along x - y with rate lambda/v.")
def check_winner():
    return symbolic_check(derive_winner()["residuals"])
