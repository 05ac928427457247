"""Collision statistics: how many neurons end up polysemantic (paper §2.4, §3.3), derived exactly.

Two idealisations of where the winner-take-all of §2.3 leaves each of the n features:

1. **Signed slots** ("argmax with sign"): feature i lands on neuron k_i uniform in [m] with sign
   ε_i = ±1 with probability ½, independently, i.e. uniformly on the 2m (neuron, sign) slots. A
   neuron is *polysemantic* when it holds at least one + and at least one − feature. Opposite signs
   share at no loss (§2.1); this idealisation does *not* relocate same-sign conflicts, and it counts
   a neuron holding both signs as one polysemantic neuron however many features of each sign it holds.
2. **Distinct neurons per sign** (§2.4, "slightly more exact"): N₊ ~ Binomial(n, ½) features are
   positive; same-sign losers relocate, so the positive features occupy a uniform random set of N₊
   distinct neurons and the N₋ = n − N₊ negative features an independent uniform set of N₋ distinct
   neurons. The polysemantic count is the overlap X = |S₊ ∩ S₋| (at most one feature per sign per
   neuron). Defined for every outcome only when m ≥ n.

Results (each a ``derive_*`` returning sympy objects, each checked below):

* E₁ = m[1 − 2(1 − 1/(2m))ⁿ + (1 − 1/m)ⁿ] = m Σ_{k≥2} (−1)ᵏ C(n,k)(1 − 2^{1−k}) m^{−k}
       = n(n−1)/(4m) − n(n−1)(n−2)/(8m²) + 7·C(n,4)/(8m³) − …
* Var₁ = m p₁ + m(m−1) p₂ − m²p₁², p₂ = Σ_{j=0}^{4} (−1)ʲ C(4,j)(1 − j/(2m))ⁿ
       = n(n−1)/(4m) − n(n−1)(3n−5)/(8m²) + O(n⁶/m³)   (under-dispersed relative to Poisson).
* E₂ = E[N₊N₋]/m = n(n−1)/(4m) exactly (m ≥ n), from E[N₊N₋] = n(n−1)/4.
* Var₂ = E[N₊N₋(m−N₊)(m−N₋)]/(m²(m−1)) + Var(N₊N₋)/m² (hypergeometric given N₊, N₋)
       = n(n−1)(2m−n)(2m−n+1)/(16m²(m−1))  (m ≥ max(n, 2)); (n+1)/16 at m = n, n(n−1)/(4m) + O(n³/m²).
* P₁(none) = (2m)^{−n} Σ_j C(m,j)(−1)^{m−j} 2ʲ jⁿ (coefficient of xⁿ/n! in (2eˣ − 1)^m);
  P₂(none) = E_{N₊}[C(m−N₊, N₋)/C(m, N₋)].
* Birthday: log P₂(none | N₊=a, N₋=b) = −ab/m − ab(a+b−1)/(2m²) + O(m⁻³); with m = n²/c and
  n → ∞, P(none) → e^{−c/4}, so P(none) ≥ p needs m ≈ n(n−1)/(4 ln(1/p)) (= n²/(4δ) for p = 1 − δ,
  δ → 0): m = Ω(n²), not m ≥ n.

Every exact formula is also compared with brute-force enumeration, in exact rationals, over all
(2m)ⁿ signed-slot assignments (n ≤ 4, m ≤ 3) and over all sign vectors and injective placements for
idealisation 2 (n ≤ 4, n ≤ m ≤ 4): an independent exact route. All checks are symbolic (residuals
that simplify to 0, several of them at concrete (n, m) in exact rationals); none is numeric.

``derivations`` imports neither ``theory`` nor ``sims``: ``tests/test_collisions_theory.py``
lambdifies these expressions and compares them with ``theory.collisions``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

import sympy as sp

from ._core import derivation, symbolic_check

__all__ = [
    "derive_birthday_log_series",
    "derive_birthday_scaling_limit",
    "derive_distinct_mean",
    "derive_distinct_variance",
    "derive_neurons_needed",
    "derive_no_polysemantic_distinct",
    "derive_no_polysemantic_signed_slots",
    "derive_product_moment",
    "derive_signed_slots_mean",
    "derive_signed_slots_mean_series",
    "derive_signed_slots_pair",
    "derive_signed_slots_variance",
    "derive_signed_slots_variance_series",
    "enumerate_distinct",
    "enumerate_signed_slots",
    "moments",
    "symbols",
]

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
x = sp.Symbol("x", positive=True)  # x = 1/m in the series
a = sp.Symbol("a", integer=True, nonnegative=True)  # N₊
p = sp.Symbol("p", positive=True)  # a target probability in (0, 1)
c = sp.Symbol("c", positive=True)  # n²/m in the birthday scaling limit


def symbols() -> dict:
    """The module's symbols: n, m (integers ≥ 1), x = 1/m, a = N₊, p (probability), c = n²/m."""
    return {"n": n, "m": m, "x": x, "a": a, "p": p, "c": c}


# --------------------------------------------------------------------------- idealisation 1

def _all_classes_occupied(classes: int) -> sp.Expr:
    """P(each of ``classes`` given (neuron, sign) slots holds ≥ 1 of n features), inclusion–exclusion:
    Σ_j (−1)ʲ C(classes, j)(1 − j/(2m))ⁿ (each slot has probability 1/(2m))."""
    return sum((-1) ** j * sp.binomial(classes, j) * (1 - sp.Rational(j, 2) / m) ** n for j in range(classes + 1))


def derive_signed_slots_mean() -> sp.Expr:
    """E[#polysemantic] = m·P(neuron k holds both signs) = m[1 − 2(1 − 1/(2m))ⁿ + (1 − 1/m)ⁿ]
    (inclusion–exclusion on "no +" and "no −" at neuron k, then linearity over the m neurons)."""
    return m * _all_classes_occupied(2)


def derive_signed_slots_pair() -> sp.Expr:
    """P(neurons k ≠ l both polysemantic): all four slots k±, l± occupied,
    1 − 4(1 − 1/(2m))ⁿ + 6(1 − 1/m)ⁿ − 4(1 − 3/(2m))ⁿ + (1 − 2/m)ⁿ."""
    return _all_classes_occupied(4)


def derive_signed_slots_variance() -> sp.Expr:
    """Var[#polysemantic] = m p₁ + m(m−1) p₂ − (m p₁)² (sum of indicators: m diagonal terms
    E[I_k²] = p₁ and m(m−1) ordered pairs E[I_k I_l] = p₂)."""
    p1 = _all_classes_occupied(2)
    return m * p1 + m * (m - 1) * derive_signed_slots_pair() - (m * p1) ** 2


def _series_in_inverse_m(expr: sp.Expr, order: int) -> sp.Expr:
    """Series of ``expr`` in x = 1/m about x = 0 up to x^order inclusive, with n symbolic."""
    s = sp.series(expr.subs(m, 1 / x), x, 0, order + 1).removeO()
    return sum(sp.factor(sp.expand(s.coeff(x, k))) * x**k for k in range(order + 1))


def derive_signed_slots_mean_series(order: int = 3) -> sp.Expr:
    """E₁ as a polynomial in x = 1/m: n(n−1)/4·x − n(n−1)(n−2)/8·x² + 7n(n−1)(n−2)(n−3)/192·x³ + …"""
    return _series_in_inverse_m(derive_signed_slots_mean(), order)


def derive_signed_slots_variance_series(order: int = 2) -> sp.Expr:
    """Var₁ as a polynomial in x = 1/m: n(n−1)/4·x − n(n−1)(3n−5)/8·x² + …"""
    return _series_in_inverse_m(derive_signed_slots_variance(), order)


def _mean_as_finite_sum() -> sp.Expr:
    """E₁ = m Σ_{k=2}^{n} (−1)ᵏ C(n,k)(1 − 2^{1−k}) m^{−k} (binomial theorem on each power)."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    return m * sp.Sum((-1) ** k * sp.binomial(n, k) * (1 - 2 ** (1 - k)) * m ** (-k), (k, 2, n))


def derive_no_polysemantic_signed_slots(n_value=None, m_value=None) -> sp.Expr:
    """P₁(no polysemantic neuron) = (2m)^{−n} Σ_{j=0}^{m} C(m,j)(−1)^{m−j} 2ʲ jⁿ.

    Each neuron is empty, or holds only + features, or only − ones: exponential generating function
    1 + 2(eˣ − 1) = 2eˣ − 1 per neuron, so the number of admissible assignments of n labelled
    features is n![xⁿ](2eˣ − 1)^m. With concrete ``n_value``, ``m_value`` returns the exact rational.
    """
    j = sp.Symbol("j", integer=True, nonnegative=True)
    if n_value is None:
        return sp.Sum(sp.binomial(m, j) * (-1) ** (m - j) * 2**j * j**n, (j, 0, m)) / (2 * m) ** n
    total = sum(sp.binomial(m_value, jj) * (-1) ** (m_value - jj) * 2**jj * sp.Integer(jj) ** n_value
                for jj in range(m_value + 1))
    return sp.Rational(total, (2 * m_value) ** n_value)


# --------------------------------------------------------------------------- idealisation 2

def moments(poly: sp.Expr) -> sp.Expr:
    """E[poly(N₊)] for N₊ ~ Binomial(n, ½), n symbolic: expand in falling factorials,
    a^j = Σ_k S(j,k) a^{(k)}, and use E[N₊^{(k)}] = n^{(k)}/2ᵏ."""
    P = sp.Poly(sp.expand(poly), a)
    out = sp.Integer(0)
    for (j,), coeff in P.terms():
        out += coeff * sum(sp.functions.combinatorial.numbers.stirling(j, k) * sp.ff(n, k) / 2**k
                           for k in range(j + 1))
    return sp.factor(sp.expand(out))


def derive_product_moment() -> dict:
    """E[N₊N₋] = n(n−1)/4 by two routes: falling-factorial moments, and sympy's summation of
    2^{−n} Σ_a C(n,a) a(n−a) (valid for n ≥ 2; at n = 1 both sides are 0)."""
    by_moments = moments(a * (n - a))
    summed = sp.summation(sp.binomial(n, a) * a * (n - a), (a, 0, n))
    # sympy returns Piecewise pieces whose first branch holds for n ≥ 2; n = 1 is checked separately
    summed = summed.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])
    return {"E[N+ N-] (moments)": by_moments, "E[N+ N-] (summation)": sp.simplify(summed / 2**n)}


def derive_distinct_mean() -> sp.Expr:
    """E[X] = E[E[X | N₊, N₋]] = E[N₊N₋]/m = n(n−1)/(4m) (hypergeometric mean N₊N₋/m; m ≥ n)."""
    return moments(a * (n - a)) / m


def _hypergeometric_variance(successes, draws) -> sp.Expr:
    """Variance of the overlap of a fixed ``successes``-set with a uniform ``draws``-subset of [m]."""
    return draws * successes * (m - successes) * (m - draws) / (m**2 * (m - 1))


def derive_distinct_variance() -> sp.Expr:
    """Var X = E[Var(X | N₊)] + Var(E[X | N₊])
    = E[N₊N₋(m−N₊)(m−N₋)]/(m²(m−1)) + (E[(N₊N₋)²] − E[N₊N₋]²)/m²  (m ≥ n, m ≥ 2)."""
    b = n - a
    within = moments(a * b * (m - a) * (m - b)) / (m**2 * (m - 1))
    between = (moments((a * b) ** 2) - moments(a * b) ** 2) / m**2
    return sp.factor(sp.together(within + between))


def derive_no_polysemantic_distinct(n_value=None, m_value=None) -> sp.Expr:
    """P₂(no polysemantic neuron) = 2^{−n} Σ_a C(n,a) C(m−a, n−a)/C(m, n−a): the N₋ negative
    neurons all avoid the N₊ positive ones. Exact rational for concrete (n, m), else an
    unevaluated ``Sum``."""
    if n_value is None:
        return sp.Sum(sp.binomial(n, a) * sp.binomial(m - a, n - a) / sp.binomial(m, n - a), (a, 0, n)) / 2**n
    return sum(sp.binomial(n_value, aa) * sp.binomial(m_value - aa, n_value - aa) / sp.binomial(m_value, n_value - aa)
               for aa in range(n_value + 1)) / sp.Integer(2) ** n_value


def derive_birthday_log_series() -> dict:
    """log P₂(none | N₊=a, N₋=b) = Σ_{i<b} log(1 − a/(m−i)) = −ab/m − ab(a+b−1)/(2m²) + O(m⁻³).

    The second-order term of each log, summed over i = 0 … b−1 with sympy (b symbolic)."""
    b, i = sp.symbols("b i", integer=True, nonnegative=True)
    term = sp.series(sp.log(1 - a * x / (1 - i * x)), x, 0, 3).removeO()
    summed = sp.expand(sp.summation(sp.expand(term), (i, 0, b - 1)))
    expected = -a * b * x - a * b * (a + b - 1) * x**2 / 2
    return {"log P(none | a, b)": summed, "closed": expected, "b": b}


def derive_birthday_scaling_limit() -> sp.Expr:
    """lim_{n→∞} log P₂(none | N₊) at m = n²/c, N₊ = n/2 + s√n/2 (s the standardised fluctuation,
    any fixed s): the first two orders of the log series tend to −c/4, so P(none) → e^{−c/4}."""
    s = sp.Symbol("s", real=True)
    aa = n / 2 + s * sp.sqrt(n) / 2
    bb = n - aa
    mm = n**2 / c
    log_p = -aa * bb / mm - aa * bb * (n - 1) / (2 * mm**2)
    return sp.limit(sp.expand(log_p), n, sp.oo)


def derive_neurons_needed() -> sp.Expr:
    """Leading-order m for P(none) = p: solve exp(−n(n−1)/(4m)) = p, m = n(n−1)/(4 ln(1/p));
    for p = 1 − δ with δ → 0 this is ≈ n²/(4δ)."""
    sol = sp.solve(sp.Eq(sp.exp(-n * (n - 1) / (4 * m)), p), m)
    return sp.simplify(sol[0])


# --------------------------------------------------------------------------- brute force

def enumerate_signed_slots(n_value: int, m_value: int) -> dict[int, Fraction]:
    """Exact distribution of the polysemantic count under idealisation 1, by listing all (2m)ⁿ
    equally likely assignments of features to (neuron, sign) slots."""
    counts = Counter()
    for slots in itertools.product(range(2 * m_value), repeat=n_value):
        occupied = set(slots)
        counts[sum(1 for k in range(m_value) if 2 * k in occupied and 2 * k + 1 in occupied)] += 1
    total = (2 * m_value) ** n_value
    return {k: Fraction(v, total) for k, v in sorted(counts.items())}


def enumerate_distinct(n_value: int, m_value: int) -> dict[int, Fraction]:
    """Exact distribution of the overlap under idealisation 2, by listing every sign vector (2ⁿ) and
    every injective placement of the + features and of the − features (equally likely given signs)."""
    if m_value < n_value:
        raise ValueError(f"m must be >= n for idealisation 2, got n={n_value}, m={m_value}")
    dist = Counter()
    for signs in itertools.product((0, 1), repeat=n_value):
        pos = signs.count(1)
        neg = n_value - pos
        placements_pos = list(itertools.permutations(range(m_value), pos))
        placements_neg = list(itertools.permutations(range(m_value), neg))
        weight = Fraction(1, 2**n_value * len(placements_pos) * len(placements_neg))
        for sp_ in placements_pos:
            s_pos = set(sp_)
            for sn in placements_neg:
                dist[len(s_pos.intersection(sn))] += weight
    return dict(sorted(dist.items()))


def _moment(dist: dict[int, Fraction], power: int) -> sp.Rational:
    return sp.Rational(sum(v * k**power for k, v in dist.items()))


def _variance(dist) -> sp.Rational:
    return _moment(dist, 2) - _moment(dist, 1) ** 2


SLOT_GRID = [(nv, mv) for nv in range(1, 5) for mv in range(1, 4)]
DISTINCT_GRID = [(nv, mv) for nv in range(1, 5) for mv in range(nv, 5)]


def _at(expr, nv, mv):
    return expr.subs({n: nv, m: mv})


# --------------------------------------------------------------------------- registered checks

@derivation(name="collisions.signed-slots-mean", title="Expected polysemantic neurons, signed slots (exact)",
            source="paper §2.4", derive=lambda: {"E1": sp.Eq(sp.Symbol("E_1"), derive_signed_slots_mean()),
                                                 "finite sum": sp.Eq(sp.Symbol("E_1"), _mean_as_finite_sum())},
            text="Each feature lands uniformly on one of 2m (neuron, sign) slots. Neuron k is polysemantic when "
                 "both of its slots are occupied: by inclusion-exclusion 1 - 2(1 - 1/(2m))^n + (1 - 1/m)^n; "
                 "times m by linearity. A neuron holding both signs counts once however many features it holds. "
                 "Checked against the finite-sum form and against enumeration of all (2m)^n assignments, "
                 "n <= 4, m <= 3, in exact rationals.")
def check_signed_slots_mean():
    E = derive_signed_slots_mean()
    finite = _mean_as_finite_sum()
    residuals = [_at(E, nv, mv) - _moment(enumerate_signed_slots(nv, mv), 1) for nv, mv in SLOT_GRID]
    residuals += [_at(E, nv, m) - finite.subs(n, nv).doit() for nv in range(1, 8)]
    return symbolic_check(residuals)


@derivation(name="collisions.signed-slots-series", title="The 1/m expansion of the signed-slot expectation",
            source="paper §2.4", derive=lambda: {"E1 series (x = 1/m)": derive_signed_slots_mean_series(3)},
            text="E1 = n(n-1)/(4m) - n(n-1)(n-2)/(8m^2) + 7 n(n-1)(n-2)(n-3)/(192 m^3) + ..., n symbolic; "
                 "the paper's n(n-1)/(4m) is the first term, and the relative size of the next is -(n-2)/(2m). "
                 "Checked against the coefficients (-1)^k C(n,k)(1 - 2^(1-k)) of the finite sum.")
def check_signed_slots_series():
    s = derive_signed_slots_mean_series(3)
    hand = n * (n - 1) / 4 * x - n * (n - 1) * (n - 2) / 8 * x**2 + 7 * sp.binomial(n, 4) / 8 * x**3
    from_sum = sum((-1) ** k * sp.expand_func(sp.binomial(n, k)) * (1 - sp.Integer(2) ** (1 - k)) * x ** (k - 1)
                   for k in range(2, 5))
    return symbolic_check([sp.expand_func(s - hand), sp.expand_func(s - from_sum)])


@derivation(name="collisions.signed-slots-variance", title="Variance of the signed-slot count (exact)",
            source="paper §2.4 (ours)", derive=lambda: {"p2": sp.Eq(sp.Symbol("p_2"), derive_signed_slots_pair()),
                                                        "Var1": sp.Eq(sp.Symbol("V_1"), derive_signed_slots_variance()),
                                                        "Var1 series (x = 1/m)": derive_signed_slots_variance_series(2)},
            text="Var = m p1 + m(m-1) p2 - (m p1)^2 with p2 = P(neurons k, l both polysemantic) by "
                 "inclusion-exclusion over the four slots k+, k-, l+, l-. Leading terms n(n-1)/(4m) - "
                 "n(n-1)(3n-5)/(8m^2): the count is under-dispersed relative to a Poisson law. Checked against "
                 "enumeration, n <= 4, m <= 3.")
def check_signed_slots_variance():
    V = derive_signed_slots_variance()
    residuals = [_at(V, nv, mv) - _variance(enumerate_signed_slots(nv, mv)) for nv, mv in SLOT_GRID]
    hand = n * (n - 1) / 4 * x - n * (n - 1) * (3 * n - 5) / 8 * x**2
    residuals.append(sp.expand(derive_signed_slots_variance_series(2) - hand))
    return symbolic_check(residuals)


@derivation(name="collisions.distinct-mean", title="Distinct neurons per sign: E[overlap] = n(n-1)/(4m) exactly",
            source="paper §2.4", derive=lambda: {**derive_product_moment(),
                                                 "E2": sp.Eq(sp.Symbol("E_2"), derive_distinct_mean())},
            text="Given N+ = a, the overlap of an a-set and an independent (n-a)-set of [m] is hypergeometric "
                 "with mean a(n-a)/m, and E[N+ N-] = n^2/2 - E[N+^2] = n(n-1)/4. The idealisation needs m >= n "
                 "(N+ can be n), not m >= n/2 as the paper says: at n = 256, m = 128 it is undefined (N+ or N- "
                 "exceeds m) with probability 0.95, at m = 160 with probability 4.4e-5. Checked by sympy's summation over the binomial "
                 "and by enumeration of all sign vectors and injective placements, n <= 4, n <= m <= 4.")
def check_distinct_mean():
    prod = derive_product_moment()
    E = derive_distinct_mean()
    residuals = [v - n * (n - 1) / 4 for v in prod.values()]
    residuals.append(sp.Rational(sum(sp.binomial(1, aa) * aa * (1 - aa) for aa in range(2)), 2))  # n = 1
    residuals.append(E - n * (n - 1) / (4 * m))
    residuals += [_at(E, nv, mv) - _moment(enumerate_distinct(nv, mv), 1) for nv, mv in DISTINCT_GRID]
    return symbolic_check(residuals)


@derivation(name="collisions.distinct-variance", title="Distinct neurons per sign: variance of the overlap",
            source="paper §2.4 (ours)", derive=lambda: {"Var2": sp.Eq(sp.Symbol("V_2"), derive_distinct_variance())},
            text="Law of total variance over N+: hypergeometric variance a b (m-a)(m-b)/(m^2(m-1)) averaged, "
                 "plus Var(N+ N-)/m^2. Checked against enumeration (m >= 2) and against the direct binomial "
                 "sums at n = 1..10, m = n..n+3.")
def check_distinct_variance():
    V = derive_distinct_variance()
    residuals = [_at(V, nv, mv) - _variance(enumerate_distinct(nv, mv)) for nv, mv in DISTINCT_GRID if mv >= 2]
    for nv in range(1, 11):
        for mv in range(max(nv, 2), nv + 4):
            w = [sp.binomial(nv, aa) / sp.Integer(2) ** nv for aa in range(nv + 1)]
            mean_c = [sp.Rational(aa * (nv - aa), mv) for aa in range(nv + 1)]
            var_c = [sp.Rational(aa * (nv - aa) * (mv - aa) * (mv - nv + aa), mv**2 * (mv - 1)) for aa in range(nv + 1)]
            mu = sum(wi * mi for wi, mi in zip(w, mean_c))
            direct = sum(wi * (vi + mi**2) for wi, vi, mi in zip(w, var_c, mean_c)) - mu**2
            residuals.append(_at(V, nv, mv) - direct)
    return symbolic_check(residuals)


@derivation(name="collisions.no-polysemantic", title="Probability of no polysemantic neuron, both idealisations",
            source="paper §2.4 (birthday corollaries)",
            derive=lambda: {"P1(none)": sp.Eq(sp.Symbol("P_1"), derive_no_polysemantic_signed_slots()),
                            "P2(none)": sp.Eq(sp.Symbol("P_2"), derive_no_polysemantic_distinct())},
            text="Signed slots: per neuron the exponential generating function is 2e^x - 1 (empty, or only +, or "
                 "only -), so P1 = n![x^n](2e^x - 1)^m/(2m)^n. Distinct neurons: the N- negative neurons avoid "
                 "the N+ positive ones with probability C(m-N+, N-)/C(m, N-). Checked against enumeration.")
def check_no_polysemantic():
    residuals = [derive_no_polysemantic_signed_slots(nv, mv) - sp.Rational(enumerate_signed_slots(nv, mv).get(0, 0))
                 for nv, mv in SLOT_GRID]
    residuals += [derive_no_polysemantic_distinct(nv, mv) - sp.Rational(enumerate_distinct(nv, mv).get(0, 0))
                  for nv, mv in DISTINCT_GRID]
    return symbolic_check(residuals)


@derivation(name="collisions.birthday", title="Birthday corollary: P(no polysemantic neuron) -> exp(-n^2/(4m))",
            source="paper §2.4",
            derive=lambda: {"log P(none | a, b), to O(x^2)": derive_birthday_log_series()["log P(none | a, b)"],
                            "lim log P(none), m = n^2/c": derive_birthday_scaling_limit(),
                            "m needed for P(none) = p": sp.Eq(m, derive_neurons_needed())},
            text="log P2(none | a, b) = -ab/m - ab(a+b-1)/(2m^2) + O(m^-3); with m = n^2/c and n -> infinity "
                 "(any fixed standardised fluctuation of N+) the limit is -c/4, so P(none) -> exp(-c/4) and "
                 "P(none) >= p needs m ~ n(n-1)/(4 ln(1/p)), i.e. n^2/(4 delta) for p = 1 - delta, delta -> 0: "
                 "m = Omega(n^2). The leading-order m is checked against the exact smallest m in the tests.")
def check_birthday():
    d = derive_birthday_log_series()
    lim = derive_birthday_scaling_limit()
    need = derive_neurons_needed()
    return symbolic_check([sp.expand(d["log P(none | a, b)"] - d["closed"]), lim + c / 4,
                           sp.simplify(sp.exp(-n * (n - 1) / (4 * need)) - p)])
