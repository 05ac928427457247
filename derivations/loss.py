"""The loss of the tied ReLU-output model and its gradient, derived with sympy.

* ``derive_network_loss(n, m)``: the summed squared error of ReLU(W(Wᵀx + ξ)) over the explicit
  one-hot batch, with symbolic W and ξ (the paper's code, §1.2).
* ``derive_row_form_residual(n, m)``: that loss minus the row form
  Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)² (paper §2.1), at ξ = 0; simplifies to 0.
* ``derive_gradient_residuals(n, m)``: in every sign region of the off-diagonal overlaps, the
  symbolic gradient of the row form minus the closed form −[feature benefit + interference]
  = −4(1 − ‖W_i‖²)W_i + 4Σ_{j≠i} ReLU(⟨W_i,W_j⟩)W_j (paper §2.2); each simplifies to 0.

``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_derivations.py`` lambdifies
these expressions and compares them with the numpy code at sampled points (never as strings).
"""

from __future__ import annotations

import itertools

import sympy as sp

__all__ = [
    "derive_gradient_residuals",
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
