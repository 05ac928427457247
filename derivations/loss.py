"""The loss of the tied ReLU-output model and its gradient, derived with sympy.

* ``derive_network_loss(n, m)``: the summed squared error of ReLU(W(Wᵀx + ξ)) over the explicit
  one-hot batch, with symbolic W and ξ (the paper's code, §1.2).
* ``derive_row_form_residual(n, m)``: that loss minus the row form
  Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)² (paper §2.1), at ξ = 0; simplifies to 0.
* ``derive_gradient_residuals(n, m)``: in every sign region of the off-diagonal overlaps, the
  symbolic gradient of the row form minus the closed form −[feature benefit + interference]
  = −4(1 − ‖W_i‖²)W_i + 4Σ_{j≠i} ReLU(⟨W_i,W_j⟩)W_j (paper §2.2); each simplifies to 0.

* ``derive_index_form()``: the same constants in general index form (any n, m), with sympy sums.
* ``derive_rescaled_flow()``: in time t′ = 4t with λ′ = λ/4 the flow reads
  dW_i/dt′ = (1 − ‖W_i‖²)W_i − Σ_{j≠i} ReLU(⟨W_i,W_j⟩)W_j − λ′ sign(W_i), the paper's simulation units.

``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_derivations.py`` lambdifies
these expressions and compares them with the numpy code at sampled points (never as strings).
"""

from __future__ import annotations

import itertools

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = [
    "derive_gradient_residuals",
    "derive_index_form",
    "derive_rescaled_flow",
    "derive_network_loss",
    "derive_row_form_residual",
    "weight_symbols",
]


def weight_symbols(n: int, m: int) -> sp.Matrix:
    """The n×m matrix of real symbols w_ik."""
    return sp.Matrix(n, m, lambda i, k: sp.Symbol(f"w_{i}_{k}", real=True))


def derive_network_loss(n: int, m: int, *, noise: bool = False):
    """Σ_b Σ_j (ReLU(W(Wᵀe_b + ξ))_j − δ_bj)² with symbolic W (and ξ). Returns (L, W, ξ)."""
    W = weight_symbols(n, m)
    xi = sp.Matrix(m, 1, lambda k, _: sp.Symbol(f"xi_{k}", real=True)) if noise else sp.zeros(m, 1)
    L = sp.Integer(0)
    for b in range(n):
        e = sp.zeros(n, 1)
        e[b] = 1
        y = (W * (W.T * e + xi)).applyfunc(lambda a: sp.Max(0, a))
        L += sum((y[j] - e[j]) ** 2 for j in range(n))
    return L, W, xi


def _row_form(W: sp.Matrix, relu=lambda a: sp.Max(0, a)):
    n = W.rows
    rows = [W.row(i) for i in range(n)]
    L = sum((1 - (r * r.T)[0]) ** 2 for r in rows)
    L += sum(relu((rows[i] * rows[j].T)[0]) ** 2 for i in range(n) for j in range(n) if i != j)
    return L


def derive_row_form_residual(n: int, m: int) -> sp.Expr:
    """Network loss at ξ = 0 minus the row form; the diagonal ReLU is inactive because ‖W_i‖² ≥ 0."""
    L, W, _ = derive_network_loss(n, m)
    diag_relu_free = L.replace(
        lambda e: isinstance(e, sp.Max) and all(sp.ask(sp.Q.nonnegative(a)) is True for a in e.args if a != 0),
        lambda e: [a for a in e.args if a != 0][0])
    return sp.simplify(sp.expand(diag_relu_free - _row_form(W)))


def derive_gradient_residuals(n: int, m: int) -> list[sp.Expr]:
    """For each symmetric on/off pattern P of the off-diagonal ReLUs: ∇(row form) − closed form."""
    W = weight_symbols(n, m)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    residuals = []
    for pattern in itertools.product((0, 1), repeat=len(pairs)):
        on = {p: s for p, s in zip(pairs, pattern)}
        on.update({(j, i): s for (i, j), s in zip(pairs, pattern)})
        rows = [W.row(i) for i in range(n)]
        L = sum((1 - (r * r.T)[0]) ** 2 for r in rows)
        L += sum(on[i, j] * ((rows[i] * rows[j].T)[0]) ** 2 for i in range(n) for j in range(n) if i != j)
        for i in range(n):
            closed = -4 * (1 - (rows[i] * rows[i].T)[0]) * rows[i]
            for j in range(n):
                if j != i:
                    closed += 4 * on[i, j] * (rows[i] * rows[j].T)[0] * rows[j]
            for k in range(m):
                residuals.append(sp.expand(sp.diff(L, W[i, k]) - closed[k]))
    return residuals


def derive_index_form() -> dict:
    """Index-form derivatives of the loss's pieces (any n, m), sympy ``Sum`` over k = 1..m.

    Returns the derivative of the feature-benefit term (1 − Σ_k W_ik²)² and of one ordered
    interference term (Σ_k W_ik W_jk)² (in its ReLU-active region) with respect to W_il, and the
    residuals against −4(1 − ‖W_i‖²)W_il and 2⟨W_i,W_j⟩W_jl (so the two ordered pairs give 4).
    """
    W = sp.IndexedBase("W", real=True)
    i, j, k, l = sp.symbols("i j k l", integer=True)
    m = sp.Symbol("m", integer=True, positive=True)
    norm2 = sp.Sum(W[i, k] ** 2, (k, 1, m))
    overlap = sp.Sum(W[i, k] * W[j, k], (k, 1, m))
    d_benefit = sp.diff((1 - norm2) ** 2, W[i, l])
    d_pair = sp.diff(overlap**2, W[i, l])
    # KroneckerDelta(i, i) = 1 on the differentiated row; l lies in 1..m
    in_range = {sp.KroneckerDelta(i, i): 1}
    r1 = d_benefit.subs(in_range).doit() - (-4 * (1 - norm2) * W[i, l])
    r2 = d_pair.subs(in_range).doit() - 2 * overlap * W[j, l]
    return {"dL_benefit/dW_il": sp.Eq(sp.Derivative((1 - norm2) ** 2, W[i, l]), -4 * (1 - norm2) * W[i, l]),
            "dL_pair/dW_il": sp.Eq(sp.Derivative(overlap**2, W[i, l]), 2 * overlap * W[j, l]),
            "residuals": (r1, r2), "symbols": (W, i, j, k, l, m)}


def _index_residuals(expr, W, i, j, l, m):
    """Evaluate an index-form residual with l inside 1..m, i ≠ j: the KroneckerDelta sums collapse."""
    expr = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])
    return sp.simplify(expr.doit().subs({sp.KroneckerDelta(i, j): 0}))


def derive_rescaled_flow() -> dict:
    """−∂L/∂W_i divided by 4 (time t′ = 4t) with λ′ = λ/4, for one row against three others, m = 2."""
    W = weight_symbols(4, 2)
    lam = sp.Symbol("lambda", positive=True)
    rows = [W.row(i) for i in range(4)]
    i = 0
    force = 4 * (1 - (rows[i] * rows[i].T)[0]) * rows[i]
    on = (1, 0, 1)  # a sign region: pairs (0,1) and (0,3) overlap positively, (0,2) does not
    for j, s in zip((1, 2, 3), on):
        force -= 4 * s * (rows[i] * rows[j].T)[0] * rows[j]
    signs = sp.Matrix([[sp.Symbol("s_0", real=True), sp.Symbol("s_1", real=True)]])
    force -= lam * signs
    lam_p = lam / 4
    paper = (1 - (rows[i] * rows[i].T)[0]) * rows[i] - lam_p * signs
    for j, s in zip((1, 2, 3), on):
        paper -= s * (rows[i] * rows[j].T)[0] * rows[j]
    return {"dW_i/dt'": sp.Eq(sp.Symbol("dW_0/dt'"), paper[0]), "residual": sp.expand(force / 4 - paper)}


def _show_row_form():
    W = weight_symbols(2, 2)
    return {"network loss, n = m = 2": sp.Eq(sp.Symbol("L"), derive_network_loss(2, 2)[0]),
            "row form": sp.Eq(sp.Symbol("L"), _row_form(W))}


@derivation(name="loss.row-form", title="The network's squared error in row form", source="paper §2.1",
            derive=_show_row_form,
            text="With one-hot inputs output j for input i is ReLU(<W_i, W_j>); the diagonal ReLU is inactive "
                 "because ||W_i||^2 >= 0, which leaves (1 - ||W_i||^2)^2 per feature and ReLU(<W_i,W_j>)^2 per "
                 "ordered pair. Checked on the full symbolic network at n = m = 3.")
def check_row_form():
    return symbolic_check([derive_row_form_residual(3, 3)])


def _show_forces():
    d = derive_index_form()
    return {k: v for k, v in d.items() if k.startswith("dL")}


@derivation(name="loss.forces", title="Feature benefit, interference and regularisation, with constants",
            source="paper §2.2", derive=_show_forces,
            text="-dL/dW_i = 4(1 - ||W_i||^2) W_i - 4 sum_{j != i} ReLU(<W_i,W_j>) W_j - lambda sign(W_i). "
                 "Checked by differentiating the row form at n = 3, m = 2 in every sign region of the three "
                 "overlaps, and in general index form with sympy sums.")
def check_forces():
    d = derive_index_form()
    W, i, j, k, l, m = d["symbols"]
    index = [_index_residuals(r, W, i, j, l, m) for r in d["residuals"]]
    return symbolic_check(derive_gradient_residuals(3, 2) + index)


@derivation(name="loss.rescaled-time", title="The paper's time units: t' = 4t, lambda' = lambda/4",
            source="paper §2.2", derive=lambda: {"flow": derive_rescaled_flow()["dW_i/dt'"]},
            text="Dividing -dL/dW by 4 gives the paper's flow (its simulation.py units); lambda_code = 1e-3 is "
                 "lambda' = 2.5e-4.")
def check_rescaled_time():
    return symbolic_check(list(derive_rescaled_flow()["residual"]))
