"""Co-occurring features: the expected loss to first order in p, the shared pair and capacity.

Inputs x ∈ {0,1}ⁿ, independent Bernoulli(p) entries; L_p = (1/p)E‖ReLU(Gx) − x‖² (+ λ‖W‖₁, λ = λ_code)
= Σ_{S≠∅} p^{|S|−1}(1 − p)^{n−|S|} err(S), a polynomial in p. ReLU is ``Max(0, ·)``; a "sign region"
replaces each Max by its argument or 0 as the argument's sign at a sample point of the region.

* ``derive_first_order(n)``: with symbolic Gram entries (a_i = G_ii ≥ 0, g_ik = G_ik real), the
  coefficients of p⁰, p¹, p² of the enumerated L_p are L_0 = Σ_i(a_i − 1)² + 2Σ_{i<k}(g_ik)₊²,
  L_1 = Σ_{i≠k}ψ(a_i, g_ik) + Σ_j Σ_{i<k; i,k≠j}τ(g_ij, g_kj) with ψ(a, g) = (ReLU(a + g) − 1)² −
  (a − 1)² − g₊², τ(u, v) = ReLU(u + v)² − u₊² − v₊², and L_2 = E₃ − (n − 2)E₂ + C(n−1, 2)E₁.
* ``derive_pair_potential()``: two unit-norm features (n = 2): L_p = 2(g)₊² + 2p(g)₋² exactly in
  p for g ≥ −1 (both sign regions); the three-body τ in its four sign regions.
* ``derive_shared_pair()``: W = (w, −w)ᵀ on one neuron: L_p − 2(1 − w²)² = 2p[1 − (1 − w²)²],
  exact to all orders (L_p is linear in p); two such pairs on two neurons add; the unequal pair
  (+a, −b, a > b) has data loss (1 − p)[(1 − a²)² + (1 − b²)²] + p[(a² − ab − 1)² + 1] (plus λ(a + b)).
* ``derive_reoptimised_pair()``: re-optimising a, b moves them to w* + αp, w* − βp with
  α = w*(2u − 1)/(6u − 2), β = w*(3 − 2u)/(6u − 2), u = w*², and the cost becomes
  Δ(p) − p²·u[(1 − 2u)² + (3 − 2u)²]/(2(3u − 1)) + O(p³) (λ = 4w*(1 − w*²), code units).
* ``derive_capacity()``: with G_ii = 1 the pair input {i, k} costs 2g² for g ∈ [−1, 0] (zero only at
  g = 0, so p > 0 needs orthonormal rows); at zero one-hot loss L_1 = Σ_{i≠k}G_ik²; and
  Σλ_k² − (Σλ_k)²/m = Σ(λ_k − λ̄)² ≥ 0, so L_1 = ‖G‖_F² − n ≥ n²/m − n.

All checks symbolic.
"""

from __future__ import annotations

import itertools
from math import comb

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = ["derive_capacity", "derive_first_order", "derive_pair_potential", "derive_reoptimised_pair",
           "derive_shared_pair", "derive_tetrahedron_break_even", "derive_triangle_break_even", "enumerated_loss", "gram_symbols"]

p = sp.Symbol("p", nonnegative=True)
lam = sp.Symbol("lambda", nonnegative=True)


def relu(e):
    return sp.Max(0, e)


def gram_symbols(n: int) -> sp.Matrix:
    """Symmetric n×n Gram matrix: a_i ≥ 0 on the diagonal, real g_ik = g_ki off it."""
    def entry(i, k):
        if i == k:
            return sp.Symbol(f"a_{i}", nonnegative=True)
        i, k = min(i, k), max(i, k)
        return sp.Symbol(f"g_{i}{k}", real=True)
    return sp.Matrix(n, n, entry)


def _err(G: sp.Matrix, S) -> sp.Expr:
    """Squared error of the input 1_S: Σ_j (ReLU(Σ_{i∈S} G_ij) − [j∈S])²."""
    n = G.rows
    return sum((relu(sum((G[i, j] for i in S), sp.Integer(0))) - (1 if j in S else 0)) ** 2 for j in range(n))


def _error_sums(G: sp.Matrix) -> list[sp.Expr]:
    """E_s = Σ_{|S|=s} err(S), s = 0..n."""
    n = G.rows
    return [sum((_err(G, S) for S in itertools.combinations(range(n), s)), sp.Integer(0)) for s in range(n + 1)]


def enumerated_loss(G: sp.Matrix) -> sp.Expr:
    """L_p = Σ_{S≠∅} p^{|S|−1}(1 − p)^{n−|S|} err(S), summed over all 2ⁿ inputs."""
    n = G.rows
    E = _error_sums(G)
    return sum(p ** (s - 1) * (1 - p) ** (n - s) * E[s] for s in range(1, n + 1))


def _psi(a, g):
    return (relu(a + g) - 1) ** 2 - (a - 1) ** 2 - relu(g) ** 2


def _tau(u, v):
    return relu(u + v) ** 2 - relu(u) ** 2 - relu(v) ** 2


def first_order_terms(G: sp.Matrix) -> tuple[sp.Expr, sp.Expr]:
    """(L_0, L_1) in the closed forms of the module docstring."""
    n = G.rows
    L0 = sum((G[i, i] - 1) ** 2 for i in range(n)) + sum(relu(G[i, k]) ** 2 for i in range(n) for k in range(n) if i != k)
    two = sum(_psi(G[i, i], G[i, k]) for i in range(n) for k in range(n) if i != k)
    three = sum(_tau(G[i, j], G[k, j]) for j in range(n) for i in range(n) for k in range(i + 1, n) if j not in (i, k))
    return L0, two + three


def _coefficient(L: sp.Expr, order: int) -> sp.Expr:
    return sp.diff(L, p, order).subs(p, 0) / sp.factorial(order)


def derive_first_order(n: int = 3) -> dict:
    """Coefficients of p⁰, p¹, p² of the enumerated loss against the closed forms."""
    G = gram_symbols(n)
    L = sp.expand(enumerated_loss(G))
    L0, L1 = first_order_terms(G)
    E = _error_sums(G)
    L2 = E[3] - (n - 2) * E[2] + comb(n - 1, 2) * E[1] if n >= 3 else sp.Integer(0)
    return {"L_0": sp.Eq(sp.Symbol("L_0"), L0), "L_1": sp.Eq(sp.Symbol("L_1"), L1),
            "L_1 = E_2 - (n - 1) E_1": sp.Eq(sp.Symbol("L_1"), E[2] - (n - 1) * E[1]),
            "residuals": [sp.expand(_coefficient(L, 0) - L0), sp.expand(_coefficient(L, 1) - L1),
                          sp.expand(_coefficient(L, 2) - L2), sp.expand(L1 - (E[2] - (n - 1) * E[1]))],
            "gram": G, "loss": L}


def in_region(expr: sp.Expr, point: dict) -> sp.Expr:
    """Replace every Max(0, e) by e or 0 according to the sign of e at ``point`` (innermost first)."""
    def branch(m):
        e = [x for x in m.args if x != 0][0]
        value = e.subs(point)
        if value == 0:
            raise ValueError(f"the sample point lies on the kink of {m}")
        return e if value > 0 else sp.Integer(0)
    return expr.replace(lambda x: isinstance(x, sp.Max) and 0 in x.args, branch)


def derive_pair_potential() -> dict:
    """n = 2 with unit norms: L_p = 2g₊² + 2pg₋² exactly; τ(u, v) in its sign regions."""
    g, u, v = sp.symbols("g u v", real=True)
    G = sp.Matrix([[1, g], [g, 1]])
    L = sp.expand(enumerated_loss(G))
    potential = 2 * relu(g) ** 2 + 2 * p * relu(-g) ** 2
    residuals = [sp.expand(in_region(L - potential, {g: s})) for s in (sp.Rational(1, 2), sp.Rational(-1, 2))]
    tau = _tau(u, v)
    regions = {"u, v > 0": ({u: 1, v: 2}, 2 * u * v), "u, v < 0": ({u: -1, v: -2}, 0),
               "u > 0 > v, u + v > 0": ({u: 2, v: -1}, 2 * u * v + v**2),
               "u > 0 > v, u + v < 0": ({u: 1, v: -2}, -u**2)}
    residuals += [sp.expand(in_region(tau, pt) - closed) for pt, closed in regions.values()]
    out = {"pair potential (G_ii = 1, g >= -1)": sp.Eq(sp.Symbol("L_p"), potential)}
    out.update({f"tau, {k}": sp.Eq(sp.Symbol("tau"), closed) for k, (_, closed) in regions.items()})
    out["residuals"] = residuals
    return out


def _weights_loss(W: sp.Matrix) -> sp.Expr:
    return enumerated_loss(W * W.T)


def derive_shared_pair() -> dict:
    """The ± pair's extra loss (exact in p), additivity over two pairs, and the unequal pair's loss."""
    w, w1, w2, a, b, d = sp.symbols("w w_1 w_2 a b d", positive=True)
    mono = lambda x: (1 - x**2) ** 2  # noqa: E731  (one feature alone on its neuron, any p)
    delta = lambda x: 2 * p * (1 - (1 - x**2) ** 2)  # noqa: E731
    one = sp.expand(_weights_loss(sp.Matrix([[w], [-w]])) - 2 * mono(w))
    two = sp.expand(_weights_loss(sp.Matrix([[w1, 0], [-w1, 0], [0, w2], [0, -w2]])) - 2 * mono(w1) - 2 * mono(w2))
    unequal = _weights_loss(sp.Matrix([[b + d], [-b]]))  # a = b + d > b
    closed = ((1 - p) * ((1 - (b + d) ** 2) ** 2 + (1 - b**2) ** 2)
              + p * (((b + d) ** 2 - (b + d) * b - 1) ** 2 + 1))
    return {"Delta(p)": sp.Eq(sp.Symbol("Delta"), sp.factor(one)),
            "unequal pair (a > b)": sp.Eq(sp.Symbol("L_p"), closed.subs(d, a - b)),
            "residuals": [sp.expand(one - delta(w)), sp.expand(two - delta(w1) - delta(w2)),
                          sp.expand(unequal - closed), sp.degree(sp.expand(one), p) - 1]}


def derive_reoptimised_pair() -> dict:
    """Perturbative minimum of the unequal pair's loss around a = b = w*, to O(p²)."""
    w = sp.Symbol("w", positive=True)           # w*, with λ = 4w(1 − w²)
    al, be = sp.symbols("alpha beta", real=True)
    a, b = sp.symbols("a b", positive=True)
    lam_w = 4 * w * (1 - w**2)
    f = (1 - p) * ((1 - a**2) ** 2 + (1 - b**2) ** 2) + p * ((a**2 - a * b - 1) ** 2 + 1) + lam_w * (a + b)
    at = {a: w + al * p, b: w - be * p}
    stationary = [sp.expand(sp.diff(f, x).subs(at)) for x in (a, b)]
    order1 = [sp.expand(s).coeff(p, 1) for s in stationary]
    sol = sp.solve(order1, [al, be], dict=True)[0]
    u = w**2
    alpha, beta = w * (2 * u - 1) / (6 * u - 2), w * (3 - 2 * u) / (6 * u - 2)
    ell = (1 - w**2) ** 2 + lam_w * w
    cost = sp.expand(f.subs(at).subs(sol) - 2 * ell)
    closed = 2 * p * (1 - (1 - u) ** 2) - p**2 * u * ((1 - 2 * u) ** 2 + (3 - 2 * u) ** 2) / (2 * (3 * u - 1))
    zeroth = [sp.expand(s).coeff(p, 0) for s in stationary]
    return {"alpha": sp.Eq(al, alpha), "beta": sp.Eq(be, beta),
            "cost to O(p^2)": sp.Eq(sp.Symbol("Delta_reopt"), closed),
            "residuals": zeroth + [sp.simplify(sol[al] - alpha), sp.simplify(sol[be] - beta),
                                   sp.simplify(cost.coeff(p, 0)), sp.simplify(cost.coeff(p, 1) - closed.coeff(p, 1)),
                                   sp.simplify(cost.coeff(p, 2) - sp.expand(closed).coeff(p, 2))]}


def derive_capacity(m: int = 3) -> dict:
    """Pair input at unit norm; L_1 at zero one-hot loss; the eigenvalue variance identity."""
    g = sp.Symbol("g", real=True)
    pair_error = (relu(1 + g) - 1) ** 2 * 2          # outputs i and k of the input {i, k}, G_ii = G_kk = 1
    G = gram_symbols(3).subs({sp.Symbol(f"a_{i}", nonnegative=True): 1 for i in range(3)})
    point = {x: -sp.Rational(1, 3 + k) for k, x in enumerate(sorted(G.free_symbols, key=str))}
    _, L1 = first_order_terms(G)
    offdiag = sum(G[i, k] ** 2 for i in range(3) for k in range(3) if i != k)
    ev = sp.symbols(f"l_1:{m + 1}", real=True)
    mean = sum(ev) / m
    variance_identity = sum(x**2 for x in ev) - sum(ev) ** 2 / m - sum((x - mean) ** 2 for x in ev)
    return {"pair input error (G_ii = 1, -1 <= g <= 0)": sp.Eq(sp.Symbol("err"), 2 * g**2),
            "L_1 at zero one-hot loss": sp.Eq(sp.Symbol("L_1"), offdiag),
            "residuals": [sp.expand(in_region(pair_error, {g: -sp.Rational(1, 2)}) - 2 * g**2),
                          sp.expand(in_region(L1, point) - offdiag), sp.expand(variance_identity)]}


def _eqs(d):
    return {k: e for k, e in d.items() if isinstance(e, sp.Eq)}


@derivation(name="cooccurrence.first-order", title="Co-occurring features: the loss to first order in p",
            source="ours; paper §4 (one-hot assumption)", derive=lambda: _eqs(derive_first_order(3)),
            text="Enumerating the 8 inputs of n = 3 features with symbolic Gram entries, L_p = sum_S p^(|S|-1) "
                 "(1 - p)^(n - |S|) err(S) has p^0 coefficient the one-hot loss, p^1 coefficient L_1 = E_2 - "
                 "(n - 1) E_1 = sum_{i != k} psi(G_ii, G_ik) + sum_j sum_{i<k; i,k != j} tau(G_ij, G_kj), and "
                 "p^2 coefficient E_3 - (n - 2) E_2 + C(n - 1, 2) E_1 (identities in the Max atoms).")
def check_first_order():
    return symbolic_check(derive_first_order(3)["residuals"], simplify=sp.expand)


@derivation(name="cooccurrence.pair-potential", title="Pair potential 2(G)_+^2 + 2p(G)_-^2 and three-body terms",
            source="ours", derive=lambda: _eqs(derive_pair_potential()),
            text="Two unit-norm features: in both sign regions of g (g >= -1) the enumerated loss is "
                 "2 g_+^2 + 2p g_-^2, exactly in p. The three-body tau(u, v) is 2uv (both > 0), 0 (both < 0), "
                 "2uv + v^2 or -u^2 (opposite signs, by the sign of u + v).")
def check_pair_potential():
    return symbolic_check(derive_pair_potential()["residuals"], simplify=sp.expand)


@derivation(name="cooccurrence.shared-pair", title="The opposite-sign shared neuron costs 2p[1 - (1 - w^2)^2]",
            source="ours; paper §2.1", derive=lambda: _eqs(derive_shared_pair()),
            text="W = (w, -w) on one neuron against two monosemantic features of weight w: the extra loss is "
                 "exactly 2p[1 - (1 - w^2)^2] (L_p is linear in p, so there are no higher orders); two pairs on "
                 "disjoint neurons add. With a > b the both-active input passes a(a - b) to output i.")
def check_shared_pair():
    return symbolic_check(derive_shared_pair()["residuals"], simplify=sp.expand)


@derivation(name="cooccurrence.reoptimised-pair", title="The re-optimised shared pair to O(p^2)",
            source="ours", derive=lambda: _eqs(derive_reoptimised_pair()),
            text="Around a = b = w* (lambda = 4w*(1 - w*^2)) the first-order stationarity conditions give "
                 "a = w* + p w*(2u - 1)/(6u - 2), b = w* - p w*(3 - 2u)/(6u - 2), u = w*^2; the cost is "
                 "Delta(p) - p^2 u[(1 - 2u)^2 + (3 - 2u)^2]/(2(3u - 1)) + O(p^3) (p^2/2 saved at lambda = 0).")
def check_reoptimised_pair():
    return symbolic_check(derive_reoptimised_pair()["residuals"])


@derivation(name="cooccurrence.capacity", title="Lossless capacity 2m (one-hot) and m (p > 0); the bound n(n-m)/m",
            source="ours; paper §2.1 side remark", derive=lambda: _eqs(derive_capacity()),
            text="With G_ii = 1 the input {i, k} has error 2g^2 for -1 <= g <= 0, zero only when g = 0: any p > 0 "
                 "needs orthonormal rows (n <= m). At zero one-hot loss (G_ii = 1, G_ik <= 0) the first-order "
                 "coefficient is sum_{i != k} G_ik^2 = ||G||_F^2 - n, and sum l^2 - (sum l)^2/m = sum (l - mean)^2 "
                 "over the m eigenvalues gives ||G||_F^2 >= n^2/m.")
def check_capacity():
    return symbolic_check(derive_capacity()["residuals"], simplify=sp.expand)


def derive_triangle_break_even() -> dict:
    """120° triangle vs ± pair + lone feature (3 unit features on 2 neurons): co-occurrence costs 3p/2 vs 2p to
    first order (the exact losses are enumerated), L1 norms 2 + √3 vs 3, so the triangle wins for
    p/λ > 2(√3 − 1). Orientation: one row on a neuron axis (the L1 minimum over rotations; checked numerically
    in tests/test_capacity.py)."""
    s3 = sp.sqrt(3)
    tri = sp.Matrix([[1, 0], [-sp.Rational(1, 2), s3 / 2], [-sp.Rational(1, 2), -s3 / 2]])
    pair = sp.Matrix([[1, 0], [-1, 0], [0, 1]])
    L_tri, L_pair = (sp.expand(_weights_loss(W)) for W in (tri, pair))
    c_tri, c_pair = (sp.diff(L, p).subs(p, 0) for L in (L_tri, L_pair))
    l1_tri, l1_pair = (sum(abs(x) for x in W) for W in (tri, pair))
    ratio = sp.solve(sp.Eq(c_tri * p + l1_tri * lam, c_pair * p + l1_pair * lam), p)[0] / lam
    return {"co-occurrence cost, triangle": sp.Eq(sp.Symbol("c_tri"), c_tri),
            "co-occurrence cost, pair + lone": sp.Eq(sp.Symbol("c_pair"), c_pair),
            "break-even p/lambda": sp.Eq(sp.Symbol("p/lambda"), sp.simplify(ratio)),
            "residuals": [c_tri - sp.Rational(3, 2), c_pair - 2, sp.simplify(l1_tri - 2 - s3),
                          sp.simplify(ratio - 2 * (s3 - 1)), L_pair.subs(p, 0), L_tri.subs(p, 0)]}


@derivation(name="cooccurrence.triangle-break-even", title="Triangles beat a pair plus a lone feature for p/λ > 2(√3 − 1)",
            source="ours", derive=lambda: _eqs(derive_triangle_break_even()),
            text="Three unit features on two neurons, both lossless one-hot: the 120-degree triangle pays 3p/2 for "
                 "co-occurrence (six ordered pairs at overlap -1/2, each psi = 1/4) against 2p for the +- pair, but its "
                 "rows (1, 0), (-1/2, +-sqrt3/2) have L1 norm 2 + sqrt3 against 3: equal at p/lambda = 2(sqrt3 - 1) "
                 "= 1.464.")
def check_triangle_break_even():
    return symbolic_check(derive_triangle_break_even()["residuals"])


def derive_tetrahedron_break_even() -> dict:
    """Regular tetrahedron vs 120° triangle + lone feature vs ± pair + two lone features (4 unit features on 3
    neurons, all lossless one-hot): co-occurrence costs 4p/3, 3p/2, 2p to first order (exact losses enumerated
    over the 16 inputs), L1 norms 2 + (2√6 + 4√2)/3, 3 + √3, 4 in the L1-minimal orientations (one row on a
    neuron axis; minimality checked numerically in tests/test_capacity.py). Break-evens p/λ = 4√6 + 8√2 − 6 − 6√3
    against the triangle and √6 + 2√2 − 3 against the pair."""
    s2, s3, s6 = sp.sqrt(2), sp.sqrt(3), sp.sqrt(6)
    r = sp.Rational
    tet = sp.Matrix([[0, 0, -1], [-s6 / 3, s2 / 3, r(1, 3)], [s6 / 3, s2 / 3, r(1, 3)], [0, -2 * s2 / 3, r(1, 3)]])
    tri = sp.Matrix([[1, 0, 0], [-r(1, 2), s3 / 2, 0], [-r(1, 2), -s3 / 2, 0], [0, 0, 1]])
    pair = sp.Matrix([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, 0, 1]])
    losses = [sp.expand(_weights_loss(W)) for W in (tet, tri, pair)]
    c_tet, c_tri, c_pair = (sp.diff(L, p).subs(p, 0) for L in losses)
    l1_tet, l1_tri, l1_pair = (sum(abs(x) for x in W) for W in (tet, tri, pair))
    vs_tri = sp.solve(sp.Eq(c_tet * p + l1_tet * lam, c_tri * p + l1_tri * lam), p)[0] / lam
    vs_pair = sp.solve(sp.Eq(c_tet * p + l1_tet * lam, c_pair * p + l1_pair * lam), p)[0] / lam
    unit_rows = [sp.simplify((tet * tet.T)[i, i] - 1) for i in range(4)]
    overlaps = [sp.simplify((tet * tet.T)[i, j] + r(1, 3)) for i in range(4) for j in range(i + 1, 4)]
    return {"co-occurrence cost, tetrahedron": sp.Eq(sp.Symbol("c_tet"), c_tet),
            "co-occurrence cost, triangle + lone": sp.Eq(sp.Symbol("c_tri"), c_tri),
            "L1 norm, tetrahedron": sp.Eq(sp.Symbol("l1_tet"), sp.nsimplify(sp.simplify(l1_tet))),
            "break-even p/lambda vs triangle": sp.Eq(sp.Symbol("p/lambda_tri"), sp.simplify(vs_tri)),
            "break-even p/lambda vs pair": sp.Eq(sp.Symbol("p/lambda_pair"), sp.simplify(vs_pair)),
            "residuals": unit_rows + overlaps + [
                c_tet - r(4, 3), c_tri - r(3, 2), c_pair - 2, sp.simplify(l1_tet - 2 - (2 * s6 + 4 * s2) / 3),
                sp.simplify(vs_tri - (4 * s6 + 8 * s2 - 6 - 6 * s3)), sp.simplify(vs_pair - (s6 + 2 * s2 - 3))]
                + [L.subs(p, 0) for L in losses]}


@derivation(name="cooccurrence.tetrahedron-break-even",
            title="Tetrahedra beat a triangle plus a lone feature for p/λ > 4√6 + 8√2 − 6 − 6√3 ≈ 4.72",
            source="ours (left open there)", derive=lambda: _eqs(derive_tetrahedron_break_even()),
            text="Four unit features on three neurons, all lossless one-hot: the regular tetrahedron (overlaps -1/3) "
                 "pays 4p/3 for co-occurrence against 3p/2 (triangle + lone) and 2p (pair + two lone), but its "
                 "L1-minimal orientation, one row on a neuron axis, has L1 norm 2 + (2 sqrt6 + 4 sqrt2)/3 = 5.519 "
                 "against 3 + sqrt3 and 4: it wins over the triangle for p/lambda > 4.719 (over the pair from "
                 "2.278, where the triangle already wins).")
def check_tetrahedron_break_even():
    return symbolic_check(derive_tetrahedron_break_even()["residuals"])
