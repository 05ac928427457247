"""Circuits through polysemantic neurons (the two-hidden-layer model, M = W1 V W2ᵀ), derived with sympy.

Idealisation (``theory.circuit_counts``): input feature i sits on layer-1 neuron a_i, output feature c on
layer-2 neuron b_c, all independent and uniform over 1/q1 (1/q2) units, so two features share a neuron
with probability q1 (q2); V is nonzero exactly on the used weights (a_i, b_π(i)); j′ is the input with
π(j′) = c.

* ``derive_spurious_count``: the off-target entry (i, π(j′)) is nonzero iff A (b_π(i) = b_π(j′)), B
  (a_j′ = a_i) or some C_j (a_j = a_i, b_π(j) = b_π(j′), j ∉ {i, j′}); independent events of probabilities
  q2, q1, q1q2, so by inclusion–exclusion P = 1 − (1 − q1)(1 − q2)(1 − q1q2)^{n−2} (checked term by term
  for n ≤ 5), and the split by the sign rule into negative (own paths only), positive (third features
  only) and mixed.
* ``derive_path_pairs``: generating functions z1 z2 (1 − q1 + q1 z1)^{n−1}(1 − q2 + q2 z2)^{n−1} of the
  pairs on a feature's path: mean (1 + (n − 1)q1)(1 + (n − 1)q2), second moment E(1 + X)² =
  1 + 3(n − 1)q + (n − 1)(n − 2)q², the pmf at fixed n, the per-weight pmf (mean n²q1q2) and the aligned
  mean E(1 + X)² + (n − 1)q2(1 − q1)(1 − 2q1)^{n−2}.
* Both are also checked against exact enumeration, in rationals, of every placement a ∈ [m1]ⁿ, b ∈ [m2]ⁿ
  for small (n, m1, m2) with q = 1/m (the "signed" placement is the same computation over 2m slots): the
  mean spurious count, its sign split (signs from the product rule of ``derive_sign_rule``, not from the
  categories), the path-pair pmf, the per-weight pmf and the aligned mean.
* ``derive_sign_rule``: with W1_ia = s_i α_i, W1_ja = s_j α_j, W2_cb = t_c γ_c, W2_π(j)b = t_j γ_j and
  V_ab = s_j t_j ν (the sign that makes j's intended M positive), M_ic = (s_i s_j)(t_c t_j) α_i ν γ_c; a
  carrier with one opposite-sign sharing gives −, one with a sharing in each layer +, and ReLU(M_ic)² = 0
  for the negative ones.
* ``derive_cooccurrence_cost``: the loss per active feature of two features with block [[u, −v], [−v′, u′]]
  (inputs active with probability p) exceeds the unshared block diag(u, u′) by
  p[(1 − max(u − v′, 0))² − (1 − u)²] + p[(1 − max(u′ − v, 0))² − (1 − u′)²], which is 2p[1 − (1 − u)²] at
  u = u′ = v = v′, and the tied one-layer pair W = (w, −w) (G = W Wᵀ) is this block with u = w²:
  Δ(p) = 2p[1 − (1 − w²)²].

All checks symbolic. ``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_circuit_counts.py``
lambdifies these results and compares them with ``theory.circuit_counts``.
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = [
    "derive_cooccurrence_cost",
    "derive_path_pairs",
    "derive_path_pairs_pmf",
    "derive_sign_rule",
    "derive_spurious_count",
    "derive_weight_pairs_pmf",
    "enumerate_placements",
    "symbols",
]

#: (n, m1, m2, π) of the exact enumerations: n > m and n ≤ m, identity and non-trivial permutations.
ENUMERATED = ((3, 2, 3, (1, 2, 0)), (3, 3, 2, (0, 1, 2)), (4, 2, 2, (1, 0, 3, 2)), (4, 3, 2, (2, 3, 1, 0)),
              (2, 1, 3, (1, 0)))


def symbols() -> dict[str, sp.Symbol]:
    """The symbols: n (features), q1, q2 (sharing probabilities in (0, 1)), z1, z2 (generating-function
    variables), p (activation probability), u, u′, v, v′ (virtual weights), w (one-layer weight)."""
    return {"n": sp.Symbol("n", positive=True, integer=True),
            "q1": sp.Symbol("q1", positive=True), "q2": sp.Symbol("q2", positive=True),
            "z1": sp.Symbol("z1"), "z2": sp.Symbol("z2"),
            "p": sp.Symbol("p", nonnegative=True), "u": sp.Symbol("u", nonnegative=True),
            "u'": sp.Symbol("u'", nonnegative=True), "v": sp.Symbol("v", nonnegative=True),
            "v'": sp.Symbol("v'", nonnegative=True), "w": sp.Symbol("w", real=True)}


def _closed_forms(n, q1, q2) -> dict[str, sp.Expr]:
    own, third = (1 - q1) * (1 - q2), (1 - q1 * q2) ** (n - 2)
    return {"nonzero": 1 - own * third, "negative": (1 - own) * third, "positive": own * (1 - third),
            "mixed": (1 - own) * (1 - third), "path pairs": (1 + (n - 1) * q1) * (1 + (n - 1) * q2),
            "second moment 1": 1 + 3 * (n - 1) * q1 + (n - 1) * (n - 2) * q1**2,
            "aligned": 1 + 3 * (n - 1) * q1 + (n - 1) * (n - 2) * q1**2
            + (n - 1) * q2 * (1 - q1) * (1 - 2 * q1) ** (n - 2),
            "weight pairs": n**2 * q1 * q2}


# ---------------------------------------------------------------------------------- exact enumeration

@functools.cache  # each case is walked once for the spurious counts and once for the pair counts; read only
def enumerate_placements(n: int, m1: int, m2: int, pi: tuple[int, ...]) -> dict[str, object]:
    """Exact averages (``Fraction``) over all m1ⁿ·m2ⁿ placements: the spurious entries per matrix and their
    signs by the product rule, the path pairs of feature 0 (mean and pmf), the per-weight pairs pmf and the
    aligned path pairs of feature 0."""
    total = m1**n * m2**n
    spurious = negative = positive = mixed = aligned = Fraction(0)
    path_pmf: dict[int, Fraction] = {}
    weight_pmf: dict[int, Fraction] = {}
    for a in itertools.product(range(m1), repeat=n):
        members1 = [a.count(k) for k in range(m1)]
        for b in itertools.product(range(m2), repeat=n):  # b[c]: the layer-2 neuron of output c
            members2 = [b.count(k) for k in range(m2)]
            for i in range(n):
                for c in range(n):
                    if c == pi[i]:
                        continue
                    # carriers: features k whose used weight (a_k, b_π(k)) is (a_i, b_c); the sign of the
                    # carried connection is sign(W1_ia W1_ka)·sign(W2_cb W2_π(k)b), with opposite signs
                    # for distinct features sharing a neuron
                    signs = {(-1 if k != i else 1) * (-1 if pi[k] != c else 1)
                             for k in range(n) if a[k] == a[i] and b[pi[k]] == b[c]}
                    if signs:
                        spurious += 1
                        negative += signs == {-1}
                        positive += signs == {1}
                        mixed += signs == {-1, 1}
            k0 = members1[a[0]] * members2[b[pi[0]]]
            path_pmf[k0] = path_pmf.get(k0, 0) + Fraction(1, total)
            for x in members1:
                for y in members2:
                    weight_pmf[x * y] = weight_pmf.get(x * y, 0) + Fraction(1, total * m1 * m2)
            # alignment: every layer-1 group of ≥ 2 sits on a private layer-2 neuron; lonely features'
            # outputs keep b and share only with other lonely features' outputs
            if members1[a[0]] >= 2:
                aligned += Fraction(members1[a[0]] ** 2, total)
            else:
                lonely = [j for j in range(n) if members1[a[j]] == 1]
                aligned += Fraction(sum(b[pi[j]] == b[pi[0]] for j in lonely), total)
    return {"spurious": spurious / total, "negative": negative / total, "positive": positive / total,
            "mixed": mixed / total, "path pmf": path_pmf, "weight pmf": weight_pmf, "aligned": aligned}


def _enumeration_residuals(kind: str) -> list[sp.Expr]:
    S = symbols()
    res = []
    for n, m1, m2, pi in ENUMERATED:
        exact = enumerate_placements(n, m1, m2, pi)
        closed = {k: v.subs({S["n"]: n, S["q1"]: sp.Rational(1, m1), S["q2"]: sp.Rational(1, m2)})
                  for k, v in _closed_forms(S["n"], S["q1"], S["q2"]).items()}
        if kind == "spurious":
            for key in ("negative", "positive", "mixed"):
                res.append(sp.Rational(exact[key]) - n * (n - 1) * closed[key])
            res.append(sp.Rational(exact["spurious"]) - n * (n - 1) * closed["nonzero"])
        else:
            pmf = derive_path_pairs_pmf(n)
            weights = derive_weight_pairs_pmf(n)
            for k in range(n * n + 1):
                q = {S["q1"]: sp.Rational(1, m1), S["q2"]: sp.Rational(1, m2)}
                res.append(sp.Rational(exact["path pmf"].get(k, 0)) - pmf[k].subs(q))
                res.append(sp.Rational(exact["weight pmf"].get(k, 0)) - weights[k].subs(q))
            res.append(sp.Rational(exact["aligned"]) - closed["aligned"])
    return res


# ---------------------------------------------------------------------------------- spurious count

def derive_spurious_count() -> dict:
    """P(entry nonzero) by inclusion–exclusion over independent A, B, C_j; its sign split; residuals."""
    S = symbols()
    n, q1, q2 = S["n"], S["q1"], S["q2"]
    closed = _closed_forms(n, q1, q2)
    residuals = []
    for size in range(2, 6):  # the n − 2 third features, term by term
        probs = [q2, q1] + [q1 * q2] * (size - 2)
        union = sum((-1) ** (len(sub) + 1) * sp.Mul(*sub)
                    for r in range(1, len(probs) + 1) for sub in itertools.combinations(probs, r))
        residuals.append(sp.expand(union - closed["nonzero"].subs(n, size)))
        # negative: (A ∪ B) and no C; positive: neither A nor B, some C; by inclusion–exclusion over C's
        no_c = sp.expand(sp.Mul(*[1 - x for x in probs[2:]]))
        a_or_b = q1 + q2 - q1 * q2
        residuals.append(sp.expand(a_or_b * no_c - closed["negative"].subs(n, size)))
        some_c = sum((-1) ** (len(sub) + 1) * sp.Mul(*sub)
                     for r in range(1, size - 1) for sub in itertools.combinations(probs[2:], r))
        residuals.append(sp.expand((1 - q1) * (1 - q2) * some_c - closed["positive"].subs(n, size)))
    residuals.append(sp.expand(closed["negative"] + closed["positive"] + closed["mixed"] - closed["nonzero"]))
    count = sp.Symbol("E[#spurious]")
    return {"P(nonzero)": sp.Eq(sp.Symbol("P(nonzero)"), closed["nonzero"]),
            "E[#spurious]": sp.Eq(count, n * (n - 1) * closed["nonzero"]),
            "negative": sp.Eq(sp.Symbol("E[#negative]"), n * (n - 1) * closed["negative"]),
            "positive": sp.Eq(sp.Symbol("E[#positive]"), n * (n - 1) * closed["positive"]),
            "mixed": sp.Eq(sp.Symbol("E[#mixed]"), n * (n - 1) * closed["mixed"]),
            "residuals": residuals}


# ---------------------------------------------------------------------------------- path pairs

def _coefficients(poly: sp.Expr, z1: sp.Symbol, z2: sp.Symbol, size: int) -> list[sp.Expr]:
    """P(K = k) of K = X1·X2 from the bivariate generating function Σ P(x1, x2) z1^x1 z2^x2."""
    out = [sp.Integer(0)] * size
    for (e1, e2), coeff in sp.Poly(sp.expand(poly), z1, z2).terms():
        out[e1 * e2] += coeff
    return [sp.factor(c) for c in out]


def derive_path_pairs_pmf(n: int) -> list[sp.Expr]:
    """P(k), k = 0 … n², of (1 + X1)(1 + X2), X ~ Bin(n − 1, q), from z1 z2 (1 − q1 + q1z1)^{n−1}(1 − q2 + q2z2)^{n−1}."""
    S = symbols()
    q1, q2, z1, z2 = S["q1"], S["q2"], S["z1"], S["z2"]
    return _coefficients(z1 * z2 * (1 - q1 + q1 * z1) ** (n - 1) * (1 - q2 + q2 * z2) ** (n - 1), z1, z2, n * n + 1)


def derive_weight_pairs_pmf(n: int) -> list[sp.Expr]:
    """P(k), k = 0 … n², of X1·X2, X ~ Bin(n, q), from (1 − q1 + q1z1)ⁿ(1 − q2 + q2z2)ⁿ (one weight of V)."""
    S = symbols()
    q1, q2, z1, z2 = S["q1"], S["q2"], S["z1"], S["z2"]
    return _coefficients((1 - q1 + q1 * z1) ** n * (1 - q2 + q2 * z2) ** n, z1, z2, n * n + 1)


def derive_path_pairs() -> dict:
    """Means by generating functions (symbolic n), pmfs at fixed n, the aligned mean; residuals."""
    S = symbols()
    n, q1, q2, z1, z2 = S["n"], S["q1"], S["q2"], S["z1"], S["z2"]
    closed = _closed_forms(n, q1, q2)
    G1, G2 = (1 - q1 + q1 * z1) ** (n - 1), (1 - q2 + q2 * z2) ** (n - 1)
    H = z1 * z2 * G1 * G2  # generating function of (1 + X1, 1 + X2)
    mean = sp.diff(H, z1, z2).subs({z1: 1, z2: 1})
    # E(1 + X)² = E[Y(Y − 1)] + E[Y] for Y = 1 + X with generating function z G(z)
    Y = z1 * G1
    second = (sp.diff(Y, z1, 2) + sp.diff(Y, z1)).subs(z1, 1)
    Hw = (1 - q1 + q1 * z1) ** n * (1 - q2 + q2 * z2) ** n
    weight_mean = sp.diff(Hw, z1, z2).subs({z1: 1, z2: 1})
    # alignment: P(i lonely) = (1 − q1)^{n−1}; given that, j avoids a_i (1 − q1) and each of the others,
    # uniform over the 1/q1 − 1 other units, avoids a_j: (1 − q1/(1 − q1))^{n−2}
    both_lonely = (1 - q1) ** (n - 1) * (1 - q1 / (1 - q1)) ** (n - 2)
    aligned = second + (n - 1) * q2 * both_lonely
    # powers of symbolic n combine only on positive bases: write q1 = (1 − h)/2 with h = 1 − 2q1 > 0 (q1 < ½;
    # q1 = ½, two units, is among the exact enumerations)
    h = sp.Symbol("h", positive=True)

    def positive_bases(expr):
        expr = sp.factor(expr.subs(q1, (1 - h) / 2))
        return sp.simplify(sp.powsimp(sp.expand_power_base(expr, force=True), force=True))

    residuals = [sp.simplify(mean - closed["path pairs"]), sp.simplify(second - closed["second moment 1"]),
                 sp.simplify(weight_mean - closed["weight pairs"]),
                 positive_bases(both_lonely - (1 - q1) * (1 - 2 * q1) ** (n - 2)),
                 positive_bases(aligned - closed["aligned"])]
    for size in range(1, 5):
        pmf = derive_path_pairs_pmf(size)
        residuals.append(sp.expand(sum(pmf) - 1))
        residuals.append(sp.expand(sum(k * P for k, P in enumerate(pmf)) - closed["path pairs"].subs(n, size)))
        weights = derive_weight_pairs_pmf(size)
        residuals.append(sp.expand(sum(weights) - 1))
        residuals.append(sp.expand(sum(k * P for k, P in enumerate(weights)) - closed["weight pairs"].subs(n, size)))
    return {"E pairs on a path": sp.Eq(sp.Symbol("E[|F_a||F'_b|]"), sp.factor(mean)),
            "E(1 + X)^2": sp.Eq(sp.Symbol("E[(1+X)^2]"), sp.expand(second)),
            "E pairs per weight": sp.Eq(sp.Symbol("E[|F_a||F'_b|]_weight"), sp.factor(weight_mean)),
            "aligned": sp.Eq(sp.Symbol("E[pairs]_aligned"), closed["aligned"]),
            "pmf n = 3": sp.Eq(sp.Symbol("P(k), k = 0..9"), sp.Tuple(*derive_path_pairs_pmf(3))),
            "residuals": residuals}


# ---------------------------------------------------------------------------------- sign rule

def derive_sign_rule() -> dict:
    """M_ic = (s_i s_j)(t_c t_j) α_i ν γ_c for the connection carried by j's path; the three carriers; ReLU."""
    a_i, a_j, nu, g_c, g_j = sp.symbols("alpha_i alpha_j nu gamma_c gamma_j", positive=True)
    s_i, s_j, t_c, t_j = sp.symbols("s_i s_j t_c t_j")
    sign_symbols = (s_i, s_j, t_c, t_j)

    def virtual(si, sj, tc, tj):
        V = sj * tj * nu  # sign(V_ab) = sign(W1_ja W2_π(j)b): j's intended M is positive
        return si * a_i * V * tc * g_c, sj * a_j * V * tj * g_j  # M_ic, M_jπ(j)

    M_ic, M_jj = virtual(*sign_symbols)
    residuals = []
    for values in itertools.product((1, -1), repeat=4):
        sub = dict(zip(sign_symbols, values))
        connection, intended = virtual(*values)
        residuals.append(sp.expand(connection - sp.Mul(*values) * a_i * nu * g_c))
        residuals.append(sp.expand(intended - a_j * nu * g_j))  # positive whatever the signs
        residuals.append(sp.expand(connection - M_ic.subs(sub)))
    cases = {}
    for s in (1, -1):
        for t in (1, -1):
            own_i = virtual(s, s, t, -t)[0]  # j = i: i's own path, π(i) ≠ c on c's layer-2 neuron
            own_j = virtual(s, -s, t, t)[0]  # j = j′: π(j′) = c, j′ ≠ i on i's layer-1 neuron
            third = virtual(s, -s, t, -t)[0]  # a sharing in each layer
            cases.update({"A": own_i, "B": own_j, "C": third})
            residuals += [own_i + a_i * nu * g_c, own_j + a_i * nu * g_c, third - a_i * nu * g_c,
                          sp.Max(own_i, 0) ** 2, sp.Max(own_j, 0) ** 2,  # ReLU: no one-hot loss
                          sp.Max(third, 0) ** 2 - (a_i * nu * g_c) ** 2]
    return {"carried connection": sp.Eq(sp.Symbol("M_ic"), M_ic),
            "intended": sp.Eq(sp.Symbol("M_j,pi(j)"), sp.powsimp(M_jj)),
            "own path of i": sp.Eq(sp.Symbol("M_ic (A)"), cases["A"]),
            "path of j'": sp.Eq(sp.Symbol("M_ic (B)"), cases["B"]),
            "third feature": sp.Eq(sp.Symbol("M_ic (C)"), cases["C"]),
            "residuals": residuals}


# ---------------------------------------------------------------------------------- co-occurrence cost

def _per_active_loss(M: sp.Matrix, p: sp.Expr) -> sp.Expr:
    """(1/p) E_x ‖ReLU(xᵀM) − x‖² for two features active independently with probability p (x ≠ 0)."""
    total = sp.Integer(0)
    for x in ((1, 0), (0, 1), (1, 1)):
        weight = sp.Mul(*[p if xi else 1 - p for xi in x]) / p
        out = sp.Matrix([x]) * M
        total += weight * sum((sp.Max(out[k], 0) - x[k]) ** 2 for k in range(2))
    return total


def derive_cooccurrence_cost() -> dict:
    """Extra loss per active feature of the block [[u, −v], [−v′, u′]] over diag(u, u′); the tied pair."""
    S = symbols()
    p, u, u2, v, v2, w = S["p"], S["u"], S["u'"], S["v"], S["v'"], S["w"]
    d1, d2 = sp.symbols("d1 d2", nonnegative=True)  # u − v′ ≥ 0 and u′ − v ≥ 0 (or their negatives)

    def cost(pp, uu, vv):
        return pp * ((1 - sp.Max(uu - vv, 0)) ** 2 - (1 - uu) ** 2)

    extra = _per_active_loss(sp.Matrix([[u, -v], [-v2, u2]]), p) - _per_active_loss(sp.Matrix([[u, 0], [0, u2]]), p)
    residuals = []
    for s1 in (1, -1):  # both sides of each ReLU kink: v′ = u − s·d
        for s2 in (1, -1):
            sub = {v2: u - s1 * d1, v: u2 - s2 * d2}
            residuals.append(sp.simplify((extra - cost(p, u, v2) - cost(p, u2, v)).subs(sub)))
    symmetric = sp.simplify(extra.subs({u2: u, v: u, v2: u}))
    residuals.append(sp.expand(symmetric - 2 * p * (1 - (1 - u) ** 2)))
    W = sp.Matrix([[w], [-w]])
    G = W * W.T  # the tied one-layer pair (w, −w) on one neuron: the same block with u = v = w²
    tied = _per_active_loss(G, p) - _per_active_loss(sp.diag(w**2, w**2), p)
    delta = 2 * p * (1 - (1 - w**2) ** 2)
    residuals += [sp.expand(G[0, 0] - w**2), sp.expand(G[0, 1] + w**2), sp.simplify(tied - delta),
                  sp.expand(symmetric.subs(u, w**2) - delta)]
    return {"extra loss": sp.Eq(sp.Symbol("L_shared - L_apart"), cost(p, u, v2) + cost(p, u2, v)),
            "pm pair": sp.Eq(sp.Symbol("L_shared - L_apart (u = u' = v = v')"), sp.factor(symmetric)),
            "tied pair": sp.Eq(sp.Symbol("Delta(p)"), sp.factor(tied)),
            "residuals": residuals}


def _eqs(d):
    return {k: v for k, v in d.items() if isinstance(v, sp.Eq)}


@derivation(name="circuits.spurious-count", title="Spurious virtual weights of a two-layer circuit and their signs",
            source="ours (two-hidden-layer extension)", derive=lambda: _eqs(derive_spurious_count()),
            text="The off-target entry (i, pi(j')) is nonzero iff weight (a_i, b_pi(j')) is used: by i's own path "
                 "(probability q2), by j''s (q1) or by one of n - 2 third features (q1 q2 each), independent given "
                 "(a_i, b_pi(j')). Inclusion-exclusion gives n(n-1)[1 - (1-q1)(1-q2)(1-q1q2)^(n-2)] spurious "
                 "weights, split into negative (own paths only), positive (third features only) and mixed; exact "
                 "enumeration of every placement for small (n, m1, m2) at q = 1/m agrees in rationals.")
def check_spurious_count():
    return symbolic_check(derive_spurious_count()["residuals"] + _enumeration_residuals("spurious"))


@derivation(name="circuits.path-pairs", title="Feature pairs governed by a path's weight, with and without alignment",
            source="ours (two-hidden-layer extension)", derive=lambda: _eqs(derive_path_pairs()),
            text="From the generating function z1 z2 (1 - q1 + q1 z1)^(n-1) (1 - q2 + q2 z2)^(n-1): mean "
                 "(1 + (n-1)q1)(1 + (n-1)q2) and the pmf of the product; per weight (1 - q1 + q1 z1)^n (...)^n, "
                 "mean n^2 q1 q2. Aligned: E(1 + X)^2 + (n-1) q2 (1-q1)(1-2q1)^(n-2). Exact enumeration agrees.")
def check_path_pairs():
    return symbolic_check(derive_path_pairs()["residuals"] + _enumeration_residuals("pairs"))


@derivation(name="circuits.sign-rule", title="The sign of a carried connection: sign(W1_ia W1_ja) sign(W2_cb W2_pi(j)b)",
            source="ours (two-hidden-layer extension)", derive=lambda: _eqs(derive_sign_rule()),
            text="V_ab takes the sign that makes j's intended virtual weight positive, so the connection i -> c it "
                 "carries has sign (s_i s_j)(t_c t_j). With opposite signs on shared neurons, i's own path or j''s "
                 "path gives a negative connection (zero one-hot loss after the ReLU) and a third feature a "
                 "positive one, paid as its square.")
def check_sign_rule():
    return symbolic_check(derive_sign_rule()["residuals"], simplify=sp.expand)


@derivation(name="circuits.cooccurrence-cost", title="Price of negative connections under co-occurrence: 2p[1 - (1 - u)^2]",
            source="ours; compare cooccurrence.shared-pair", derive=lambda: _eqs(derive_cooccurrence_cost()),
            text="Two features with block [[u, -v], [-v', u']] and inputs active with probability p: per active "
                 "feature the loss exceeds diag(u, u') by p[(1 - max(u - v', 0))^2 - (1 - u)^2] + (same for u', v); "
                 "at u = u' = v = v' it is 2p[1 - (1 - u)^2], the one-layer Delta(p) with u = w^2.")
def check_cooccurrence_cost():
    return symbolic_check(derive_cooccurrence_cost()["residuals"])
