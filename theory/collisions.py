"""Collision statistics: the number of polysemantic neurons under two idealisations (paper §2.4, §3.3).

After the winner-take-all of §2.3 each of the n features sits on one neuron with one sign. A neuron is
*polysemantic* when it holds features of both signs (opposite signs share at no loss, §2.1).

``"signed-slots"`` (idealisation 1, "argmax with sign")
    feature i lands on (neuron, sign) uniform over the 2m slots, independently; no relocation. A
    neuron holding both signs counts once, however many features of each sign it holds.
``"distinct"`` (idealisation 2, §2.4's "slightly more exact" one)
    N₊ ~ Binomial(n, ½); same-sign losers relocate, so the positive features occupy a uniform random
    set of N₊ distinct neurons and the negative ones an independent uniform set of N₋ = n − N₊
    distinct neurons; the count is the overlap of the two sets. Needs m ≥ n (N₊ can be n).

Counts are numbers of neurons (dimensionless); no time units enter. Every formula is re-derived in
``derivations.collisions`` (sympy, checked against exhaustive enumeration in exact rationals).

The paper's line is n²/(4m) (``paper_prediction``). Under "distinct", n(n−1)/(4m) is exact for m ≥ n;
under "signed-slots" it is only the first term of a series in 1/m whose next term is
−n(n−1)(n−2)/(8m²): at n = m = 256 the exact expectation is 39.6, not 63.75.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import stats
from scipy.integrate import quad
from scipy.special import erfc

from . import validate

__all__ = [
    "IDEALISATIONS",
    "expected_abs_normal",
    "expected_max_abs_normal",
    "expected_overlap_distinct",
    "expected_polysemantic_signed_slots",
    "neurons_for_no_polysemantic",
    "overlap_distribution",
    "paper_prediction",
    "probability_no_polysemantic",
    "variance_overlap_distinct",
    "variance_polysemantic_signed_slots",
]

#: The two idealisations, by name (see the module docstring).
IDEALISATIONS = ("signed-slots", "distinct")


def _integers(name: str, value, *, minimum: int) -> np.ndarray:
    """``value`` (an integer or array of integers, each ≥ ``minimum``) as an int64 array."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if arr.ndim == 0 and isinstance(value, numbers.Integral) and not isinstance(value, bool):
            arr = np.asarray(int(value))
        else:
            raise ValueError(f"{name} must be an integer >= {minimum} (or an array of them), got {value!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be an integer >= {minimum} (or an array of them), got {value!r}")
    return arr.astype(np.int64)


def _sizes(n, m) -> tuple[np.ndarray, np.ndarray]:
    return _integers("n", n, minimum=1), _integers("m", m, minimum=1)


def _distinct_sizes(n, m) -> tuple[np.ndarray, np.ndarray]:
    n, m = _sizes(n, m)
    if np.any(m < n):
        raise ValueError(f"m must be >= n under the 'distinct' idealisation (N+ distinct neurons for up to n "
                         f"positive features), got n={n.tolist()}, m={m.tolist()}")
    return n, m


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _all_slots_occupied(n: int, slots_probability: float, classes: int) -> float:
    """P(each of ``classes`` slots, each of probability ``slots_probability``/``classes``, holds ≥ 1 of
    n features), as a mixture of positive terms: Σ_t Binom(t; n, slots_probability)·c!S(t, c)/cᵗ
    (t features fall in the union of the slots; all c are hit with probability c!S(t,c)/cᵗ)."""
    t = np.arange(n + 1)
    weights = stats.binom.pmf(t, n, slots_probability)
    surjective = sum((-1) ** j * math.comb(classes, j) * (1 - j / classes) ** t for j in range(classes + 1))
    surjective = np.where(t >= classes, surjective, 0.0)  # exactly 0 below `classes` features
    return float(np.dot(weights, surjective))


def _both_signs(n: int, m: int) -> float:
    """p₁ = P(a given neuron holds both signs) = 1 − 2(1 − 1/(2m))ⁿ + (1 − 1/m)ⁿ."""
    return _all_slots_occupied(n, min(1.0, 1 / m), 2)


def _two_neurons_both_signs(n: int, m: int) -> float:
    """p₂ = P(two given neurons both hold both signs) = Σ_j (−1)ʲ C(4,j)(1 − j/(2m))ⁿ (m ≥ 2)."""
    return _all_slots_occupied(n, min(1.0, 2 / m), 4) if m >= 2 else 0.0


def expected_polysemantic_signed_slots(n, m):
    """E[#polysemantic] = m[1 − 2(1 − 1/(2m))ⁿ + (1 − 1/m)ⁿ] under "signed-slots".

    Parameters
    ----------
    n, m : int or array of int
        Features (≥ 1) and neurons (≥ 1); broadcast together.

    Returns
    -------
    float or ndarray
        Expected number of neurons holding both signs (neurons). Equals n(n−1)/(4m) −
        n(n−1)(n−2)/(8m²) + O(n⁴/m³). Paper §2.4; derivation ``collisions.signed-slots-mean``.
        Evaluated as a mixture of positive binomial terms (no cancellation at large m).

    Examples
    --------
    >>> from theory.collisions import expected_polysemantic_signed_slots
    >>> round(expected_polysemantic_signed_slots(8, 16), 4)
    0.7251
    >>> round(expected_polysemantic_signed_slots(256, 256), 1)  # the paper's line n²/(4m) says 64
    39.6
    """
    n, m = _sizes(n, m)
    f = np.vectorize(lambda nn, mm: mm * _both_signs(int(nn), int(mm)), otypes=[float])
    return _out(f(n, m))


def variance_polysemantic_signed_slots(n, m):
    """Var[#polysemantic] = m p₁ + m(m−1) p₂ − (m p₁)² under "signed-slots".

    p₁ = 1 − 2(1 − 1/(2m))ⁿ + (1 − 1/m)ⁿ (one neuron holds both signs), p₂ = Σ_{j=0}^{4} (−1)ʲ C(4,j)
    (1 − j/(2m))ⁿ (two given neurons both do). Units: neurons². Leading terms n(n−1)/(4m) −
    n(n−1)(3n−5)/(8m²). Paper §2.4 (ours); derivation ``collisions.signed-slots-variance``.

    Examples
    --------
    >>> from theory.collisions import variance_polysemantic_signed_slots
    >>> round(variance_polysemantic_signed_slots(8, 16), 4)
    0.497
    >>> variance_polysemantic_signed_slots(1, 4)  # one feature never shares
    0.0
    """
    n, m = _sizes(n, m)

    def var(nn, mm):
        nn, mm = int(nn), int(mm)
        p1 = _both_signs(nn, mm)
        return max(0.0, mm * p1 + mm * (mm - 1) * _two_neurons_both_signs(nn, mm) - (mm * p1) ** 2)

    return _out(np.vectorize(var, otypes=[float])(n, m))


def expected_overlap_distinct(n, m):
    """E[#polysemantic] = E[N₊N₋]/m = n(n−1)/(4m) under "distinct", exactly, for m ≥ n.

    Units: neurons. Paper §2.4 (which says "for any m ≥ n/2"; the idealisation is defined for every
    outcome only when m ≥ n). Derivation ``collisions.distinct-mean``.

    Examples
    --------
    >>> from theory.collisions import expected_overlap_distinct
    >>> expected_overlap_distinct(8, 16)
    0.875
    >>> expected_overlap_distinct([4, 8], 16).tolist()  # broadcasts over n
    [0.1875, 0.875]
    """
    n, m = _distinct_sizes(n, m)
    return _out(n * (n - 1) / (4 * m))


def variance_overlap_distinct(n, m):
    """Var[#polysemantic] = n(n−1)(2m−n)(2m−n+1)/(16m²(m−1)) under "distinct" (m ≥ n; 0 at n = 1).

    Law of total variance over N₊ with the hypergeometric overlap given N₊, N₋. Units: neurons².
    Equals (n+1)/16 at m = n and n(n−1)/(4m) + O(n³/m²) at large m. Paper §2.4 (ours); derivation
    ``collisions.distinct-variance``.

    Examples
    --------
    >>> from theory.collisions import variance_overlap_distinct
    >>> variance_overlap_distinct(4, 4)  # (n + 1)/16 at m = n
    0.3125
    >>> round(variance_overlap_distinct(8, 16), 4)
    0.5469
    """
    n, m = _distinct_sizes(n, m)
    n, m = np.broadcast_arrays(n.astype(float), m.astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = n * (n - 1) * (2 * m - n) * (2 * m - n + 1) / (16 * m**2 * (m - 1))
    return _out(np.where(n == 1, 0.0, v))


def overlap_distribution(n: int, m: int) -> np.ndarray:
    """P(X = x), x = 0 … ⌊n/2⌋, under "distinct": Σ_a Binom(a; n, ½)·Hypergeom(x; m, a, n − a).

    Parameters
    ----------
    n, m : int
        Features (≥ 1) and neurons (m ≥ n).

    Returns
    -------
    ndarray, shape (n // 2 + 1,)
        Probability of each polysemantic count (each overlap neuron holds exactly one + and one −
        feature). Paper §2.4; derivations ``collisions.distinct-mean``, ``collisions.no-polysemantic``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.collisions import overlap_distribution
    >>> P = overlap_distribution(4, 4)
    >>> np.round(P, 4).tolist()
    [0.3125, 0.625, 0.0625]
    >>> round(float(P @ np.arange(P.size)), 10)  # the mean n(n−1)/(4m)
    0.75
    """
    n = validate.integer("n", n, minimum=1)
    m = validate.integer("m", m, minimum=1)
    _distinct_sizes(n, m)
    a = np.arange(n + 1)[:, None]
    x = np.arange(n // 2 + 1)[None, :]
    pmf = stats.binom.pmf(a[:, 0], n, 0.5) @ stats.hypergeom.pmf(x, m, a, n - a)
    return pmf / pmf.sum()


def _no_polysemantic_signed_slots(n: int, m: int) -> float:
    """Forward recursion over features on k = number of occupied neurons (all single-signed so far):
    a new feature opens a new neuron w.p. (m−k)/m, joins a same-sign one w.p. k/(2m), and makes a
    polysemantic neuron w.p. k/(2m). Equals (2m)^{−n} Σ_j C(m,j)(−1)^{m−j} 2ʲ jⁿ, O(n²), no cancellation."""
    q = np.zeros(min(n, m) + 1)
    q[0] = 1.0
    k = np.arange(q.size)
    for _ in range(n):
        new = q * k / (2 * m)
        new[1:] += q[:-1] * (m - k[:-1]) / m
        q = new
    return float(q.sum())


def _no_polysemantic_distinct(n: int, m: int) -> float:
    """Σ_a Binom(a; n, ½) Π_{i<n−a} (1 − a/(m−i)) = E[C(m−N₊, N₋)/C(m, N₋)], in logs (log1p)."""
    a = np.arange(n + 1)[:, None]
    i = np.arange(n)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):  # masked entries only
        terms = np.where(i < n - a, np.log1p(-a / (m - i)), 0.0)
    return float(np.dot(stats.binom.pmf(a[:, 0], n, 0.5), np.exp(terms.sum(axis=1))))


def probability_no_polysemantic(n: int, m: int, *, idealisation: str) -> float:
    """P(#polysemantic = 0): the birthday-paradox probability of no shared neuron.

    ``"signed-slots"``: (2m)^{−n} Σ_{j=0}^{m} C(m,j)(−1)^{m−j} 2ʲ jⁿ (evaluated by an O(n²) recursion).
    ``"distinct"`` (m ≥ n): E over N₊ ~ Binomial(n, ½) of C(m−N₊, N₋)/C(m, N₋).
    Both → exp(−n²/(4m)) when n → ∞ with n²/m fixed. Dimensionless. Paper §2.4 (birthday
    corollaries); derivations ``collisions.no-polysemantic``, ``collisions.birthday``.

    Examples
    --------
    >>> from theory.collisions import probability_no_polysemantic
    >>> round(probability_no_polysemantic(4, 8, idealisation="distinct"), 4)
    0.6384
    >>> round(probability_no_polysemantic(4, 8, idealisation="signed-slots"), 4)
    0.6804
    """
    n = validate.integer("n", n, minimum=1)
    m = validate.integer("m", m, minimum=1)
    validate.choice("idealisation", idealisation, IDEALISATIONS)
    if idealisation == "distinct":
        _distinct_sizes(n, m)
        return _no_polysemantic_distinct(n, m)
    return _no_polysemantic_signed_slots(n, m)


def paper_prediction(n, m):
    """The paper's line y = n²/(4m) (``collisions.py``, §2.4, §3.3), in neurons.

    The first-order term of both idealisations' expectation, with n(n−1) rounded to n².
    Derivation ``collisions.signed-slots-series``.

    Examples
    --------
    >>> from theory.collisions import paper_prediction
    >>> paper_prediction(8, 16)
    1.0
    >>> paper_prediction(256, 256)
    64.0
    """
    n, m = _sizes(n, m)
    return _out(n.astype(float) ** 2 / (4 * m))


def neurons_for_no_polysemantic(n: int, probability: float, *, idealisation: str) -> int:
    """Smallest m with P(no polysemantic neuron) ≥ ``probability``.

    Found by doubling and bisection on the exact ``probability_no_polysemantic`` (increasing in m).
    To leading order m ≈ n(n−1)/(4 ln(1/p)) ≈ n²/(4δ) for p = 1 − δ, δ → 0: Ω(n²) neurons, not n.
    Paper §2.4; derivation ``collisions.birthday``.

    Parameters
    ----------
    n : int
        Features, ≥ 1.
    probability : float
        Target probability p in (0, 1).
    idealisation : {"signed-slots", "distinct"}
        Under "distinct" the search starts at m = n.

    Examples
    --------
    >>> from theory.collisions import neurons_for_no_polysemantic
    >>> neurons_for_no_polysemantic(4, 0.5, idealisation="distinct")
    6
    >>> neurons_for_no_polysemantic(4, 0.5, idealisation="signed-slots")
    5
    """
    n = validate.integer("n", n, minimum=1)
    p = validate.real("probability", probability, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    validate.choice("idealisation", idealisation, IDEALISATIONS)

    def ok(mm):
        return probability_no_polysemantic(n, mm, idealisation=idealisation) >= p

    lo = n if idealisation == "distinct" else 1
    if ok(lo):
        return lo
    hi = 2 * lo
    while not ok(hi):
        lo, hi = hi, 2 * hi
    while hi - lo > 1:  # invariant: not ok(lo), ok(hi)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


# ---------------------------------------------------------------- start–end correlation (paper §3.5)

def expected_abs_normal(scale: float) -> float:
    """E|X| = s·√(2/π) for X ~ N(0, s²).

    With W(0) ~ N(0, 1/m) (s = 1/√m) this is w*·E|W| / w*: the diagonal of the start–end correlation
    C_aa = ⟨W_a(0), W_a(T)⟩ per unit of trained weight w* if each feature's final neuron were a random
    one (keeping its initial sign), paper §3.5. Units: those of ``scale`` (weight units).

    Examples
    --------
    >>> from theory.collisions import expected_abs_normal
    >>> round(expected_abs_normal(1.0), 4)  # √(2/π)
    0.7979
    >>> round(expected_abs_normal(0.25), 4)  # s = 1/√m at m = 16
    0.1995
    """
    s = validate.real("scale", scale, minimum=0.0, strict_min=True)
    return s * math.sqrt(2.0 / math.pi)


def _max_abs_normal_tail(x: float, m: int) -> float:
    """P(max_k |Z_k| > x) = 1 − erf(x/√2)^m for m i.i.d. standard normals, without cancellation."""
    return float(-np.expm1(m * np.log1p(-erfc(x / math.sqrt(2.0)))))


def expected_max_abs_normal(m: int, scale: float) -> float:
    """E max_{k≤m} |X_k| = s·∫₀^∞ [1 − erf(x/√2)^m] dx for X_1 … X_m ~ N(0, s²) i.i.d.

    The exact finite-m expectation of the largest of m half-normal magnitudes (numerical integration
    of the survival function with ``scipy.integrate.quad``, relative error ~1e-12; no asymptotic
    form). s·√(2/π) at m = 1, 2s/√π at m = 2, ≈ s·√(2 ln m) as m → ∞. With W(0) ~ N(0, 1/m) (s = 1/√m)
    it is the diagonal C_aa = ⟨W_a(0), W_a(T)⟩ per unit of trained weight w* if each feature's final
    neuron were its initial argmax (paper §3.5, §2.3a). Units: those of ``scale``.

    Parameters
    ----------
    m : int
        Number of i.i.d. normals (neurons), ≥ 1.
    scale : float
        Their standard deviation s > 0.

    Examples
    --------
    >>> from theory.collisions import expected_max_abs_normal
    >>> round(expected_max_abs_normal(2, 1.0), 4)  # 2/√π
    1.1284
    >>> round(expected_max_abs_normal(16, 0.25), 4)  # s = 1/√m at m = 16
    0.5193
    """
    m = validate.integer("m", m, minimum=1)
    s = validate.real("scale", scale, minimum=0.0, strict_min=True)
    # the survival function drops from ≈ 1 to ≈ 0 around x₀ = √(2 ln 2m); split there so quad sees the step
    x0 = math.sqrt(2.0 * math.log(2.0 * m))
    x1 = x0 + 12.0  # beyond x1 the tail is < m·erfc(x1/√2) < 1e-30·m
    opts = dict(args=(m,), epsabs=1e-14, epsrel=1e-12, limit=200)
    total = quad(_max_abs_normal_tail, 0.0, x0, **opts)[0] + quad(_max_abs_normal_tail, x0, x1, **opts)[0]
    total += quad(_max_abs_normal_tail, x1, np.inf, **opts)[0]
    return s * total
