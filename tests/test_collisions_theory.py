"""Collision statistics (paper §2.4, §3.3): ``theory.collisions`` against the sympy derivations
(lambdified, evaluated in 50-digit mpmath), against exhaustive enumeration in exact rationals, and
against the Monte Carlo of ``sims.measure.idealisations``."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import collisions as dc
from sims.measure.idealisations import sample_polysemantic_counts
from theory import collisions as tc

from .strategies import seeds

S = dc.symbols()
n_sym, m_sym = S["n"], S["m"]
sizes_n = st.integers(min_value=1, max_value=400)
sizes_m = st.integers(min_value=1, max_value=5000)


def _mp(expr):
    return sp.lambdify((n_sym, m_sym), expr, modules="mpmath")


E1, V1 = _mp(dc.derive_signed_slots_mean()), _mp(dc.derive_signed_slots_variance())
E2, V2 = _mp(dc.derive_distinct_mean()), _mp(dc.derive_distinct_variance())


def _reference(f, n, m):
    with mpmath.workdps(50):
        return float(f(mpmath.mpf(n), mpmath.mpf(m)))


# ------------------------------------------------------------------ derivations (lambdified) vs theory

@given(n=sizes_n, m=sizes_m)
def test_signed_slots_moments_match_derivation(n, m):
    assert tc.expected_polysemantic_signed_slots(n, m) == pytest.approx(_reference(E1, n, m), rel=1e-11, abs=1e-13)
    assert tc.variance_polysemantic_signed_slots(n, m) == pytest.approx(_reference(V1, n, m), rel=1e-9, abs=1e-12)


@given(n=sizes_n, extra=st.integers(min_value=0, max_value=5000))
def test_distinct_moments_match_derivation(n, extra):
    m = n + extra
    assert tc.expected_overlap_distinct(n, m) == pytest.approx(_reference(E2, n, m), rel=1e-13)
    if m >= 2:
        assert tc.variance_overlap_distinct(n, m) == pytest.approx(_reference(V2, n, m), rel=1e-13, abs=1e-15)


@given(n=st.integers(1, 40), m=st.integers(1, 40))
def test_no_polysemantic_signed_slots_matches_exact_sum(n, m):
    exact = float(dc.derive_no_polysemantic_signed_slots(n, m))
    assert tc.probability_no_polysemantic(n, m, idealisation="signed-slots") == pytest.approx(exact, rel=1e-11, abs=1e-300)


@given(n=st.integers(1, 40), extra=st.integers(0, 60))
def test_no_polysemantic_distinct_matches_exact_sum(n, extra):
    m = n + extra
    exact = float(dc.derive_no_polysemantic_distinct(n, m))
    assert tc.probability_no_polysemantic(n, m, idealisation="distinct") == pytest.approx(exact, rel=1e-11, abs=1e-300)
    assert tc.overlap_distribution(n, m)[0] == pytest.approx(exact, rel=1e-9, abs=1e-300)


def test_series_has_third_order_remainder():
    """E₁ minus its two-term series in 1/m falls as m⁻³ (fitted order, n = 20)."""
    series = sp.lambdify((n_sym, S["x"]), dc.derive_signed_slots_mean_series(2), "mpmath")
    ms = [2000, 4000, 8000, 16000]
    with mpmath.workdps(50):
        rem = [abs(float(E1(mpmath.mpf(20), mpmath.mpf(m)) - series(20, mpmath.mpf(1) / m))) for m in ms]
    order = np.polyfit(np.log(ms), np.log(rem), 1)[0]
    assert order == pytest.approx(-3, abs=0.02)


# ------------------------------------------------------------------ exhaustive enumeration vs theory

@pytest.mark.parametrize("n,m", dc.SLOT_GRID)
def test_signed_slots_against_enumeration(n, m):
    dist = dc.enumerate_signed_slots(n, m)
    mean = float(sum(k * v for k, v in dist.items()))
    var = float(sum(k * k * v for k, v in dist.items())) - mean**2
    assert tc.expected_polysemantic_signed_slots(n, m) == pytest.approx(mean, rel=1e-12, abs=1e-14)
    assert tc.variance_polysemantic_signed_slots(n, m) == pytest.approx(var, rel=1e-12, abs=1e-14)
    assert tc.probability_no_polysemantic(n, m, idealisation="signed-slots") == pytest.approx(float(dist.get(0, 0)), rel=1e-12)


@pytest.mark.parametrize("n,m", dc.DISTINCT_GRID)
def test_distinct_distribution_against_enumeration(n, m):
    dist = dc.enumerate_distinct(n, m)
    exact = np.zeros(n // 2 + 1)
    for k, v in dist.items():
        exact[k] = float(v)
    np.testing.assert_allclose(tc.overlap_distribution(n, m), exact, rtol=1e-12, atol=1e-15)


@given(n=st.integers(1, 300), extra=st.integers(0, 3000))
def test_overlap_distribution_moments_match_closed_forms(n, extra):
    m = n + extra
    pmf = tc.overlap_distribution(n, m)
    k = np.arange(pmf.size)
    mean = pmf @ k
    assert pmf.sum() == pytest.approx(1, abs=1e-12) and np.all(pmf >= 0)
    assert mean == pytest.approx(tc.expected_overlap_distinct(n, m), rel=1e-9, abs=1e-12)
    assert pmf @ (k - mean) ** 2 == pytest.approx(tc.variance_overlap_distinct(n, m), rel=1e-8, abs=1e-12)


def test_limits_and_special_values():
    assert tc.expected_polysemantic_signed_slots(1, 7) == 0
    assert tc.variance_overlap_distinct(1, 1) == 0
    assert tc.expected_polysemantic_signed_slots(5, 1) == pytest.approx(1 - 2**-4)  # one neuron: both signs
    assert tc.variance_overlap_distinct(256, 256) == pytest.approx(257 / 16)
    assert tc.probability_no_polysemantic(1, 1, idealisation="signed-slots") == 1
    assert tc.paper_prediction(256, 4096) == 4.0
    np.testing.assert_allclose(tc.expected_polysemantic_signed_slots(3, [1, 10]),
                               [tc.expected_polysemantic_signed_slots(3, 1), tc.expected_polysemantic_signed_slots(3, 10)])


# ------------------------------------------------------------------ birthday corollaries

@pytest.mark.parametrize("idealisation", tc.IDEALISATIONS)
@pytest.mark.parametrize("n,p", [(4, 0.5), (12, 0.9), (30, 0.99)])
def test_neurons_needed_is_the_smallest(idealisation, n, p):
    m = tc.neurons_for_no_polysemantic(n, p, idealisation=idealisation)
    assert tc.probability_no_polysemantic(n, m, idealisation=idealisation) >= p
    lowest = n if idealisation == "distinct" else 1
    if m > lowest:
        assert tc.probability_no_polysemantic(n, m - 1, idealisation=idealisation) < p


@pytest.mark.parametrize("idealisation", tc.IDEALISATIONS)
def test_neurons_needed_approaches_birthday_asymptotics(idealisation):
    """m(n, p)/[n(n−1)/(4 ln(1/p))] → 1 as n grows (derivation collisions.birthday). Measured
    deviations at p = 0.9, n = 64, 256, 1024: signed slots 8.9e-5, 1.7e-6, 3.9e-7; distinct 3.3e-3,
    8.3e-4, 2.1e-4 (about 0.2/n)."""
    p = 0.9
    dev = [abs(tc.neurons_for_no_polysemantic(n, p, idealisation=idealisation) / (n * (n - 1) / (4 * math.log(1 / p))) - 1)
           for n in (64, 256, 1024)]
    assert dev[0] > dev[1] > dev[2] and dev[2] < 3e-4


def test_probability_no_polysemantic_increases_with_m():
    for idealisation in tc.IDEALISATIONS:
        ps = [tc.probability_no_polysemantic(20, m, idealisation=idealisation) for m in range(20, 400)]
        assert np.all(np.diff(ps) > 0)


# ------------------------------------------------------------------ Monte Carlo vs theory

@given(seed=seeds, n=st.integers(2, 64), m=st.integers(1, 300))
@settings(max_examples=10)
def test_signed_slots_monte_carlo_mean(seed, n, m):
    # z = 5 on the mean with the exact SE: false failure 5.7e-7 per example
    counts = sample_polysemantic_counts(n, m, 4000, rng=np.random.default_rng(seed), idealisation="signed-slots")
    E, V = tc.expected_polysemantic_signed_slots(n, m), tc.variance_polysemantic_signed_slots(n, m)
    assert abs(counts.mean() - E) <= 5 * math.sqrt(V / counts.size) + 1e-12


@given(seed=seeds, n=st.integers(2, 64), extra=st.integers(0, 300))
@settings(max_examples=10)
def test_distinct_monte_carlo_mean_and_no_collision_frequency(seed, n, extra):
    # z = 5 on the mean and on the frequency of zero: false failure ≤ 2 × 5.7e-7 per example
    m = n + extra
    counts = sample_polysemantic_counts(n, m, 4000, rng=np.random.default_rng(seed), idealisation="distinct")
    E, V = tc.expected_overlap_distinct(n, m), tc.variance_overlap_distinct(n, m)
    assert abs(counts.mean() - E) <= 5 * math.sqrt(V / counts.size) + 1e-12
    p0 = tc.probability_no_polysemantic(n, m, idealisation="distinct")
    assert abs((counts == 0).mean() - p0) <= 5 * math.sqrt(p0 * (1 - p0) / counts.size) + 1e-12
    assert counts.max() <= n // 2


def test_signed_slots_monte_carlo_no_collision_frequency():
    # z = 5 at n = 40, m = 400 (P ≈ 0.38), 2·10⁴ trials: false failure 5.7e-7
    counts = sample_polysemantic_counts(40, 400, 20_000, rng=np.random.default_rng(11), idealisation="signed-slots")
    p0 = tc.probability_no_polysemantic(40, 400, idealisation="signed-slots")
    assert abs((counts == 0).mean() - p0) <= 5 * math.sqrt(p0 * (1 - p0) / counts.size)


def test_the_two_idealisations_differ_at_m_equal_n():
    """The discriminating case: at n = m = 256 the signed-slot mean is 39.6, the distinct one 63.75."""
    rng = np.random.default_rng(5)
    a = sample_polysemantic_counts(256, 256, 2000, rng=rng, idealisation="signed-slots").mean()
    b = sample_polysemantic_counts(256, 256, 2000, rng=rng, idealisation="distinct").mean()
    assert a == pytest.approx(tc.expected_polysemantic_signed_slots(256, 256), abs=0.6)  # 5 SE = 0.49
    assert b == pytest.approx(63.75, abs=0.5)  # 5 SE = 0.45


# ------------------------------------------------------------------ invalid input

@pytest.mark.parametrize("call,match", [
    (lambda: tc.expected_polysemantic_signed_slots(0, 4), "n must be an integer >= 1"),
    (lambda: tc.variance_polysemantic_signed_slots(3, 0), "m must be an integer >= 1"),
    (lambda: tc.expected_polysemantic_signed_slots(2.5, 4), "n must be an integer"),
    (lambda: tc.expected_overlap_distinct(5, 4), "m must be >= n"),
    (lambda: tc.variance_overlap_distinct(5, 3), "m must be >= n"),
    (lambda: tc.overlap_distribution(5, 4), "m must be >= n"),
    (lambda: tc.probability_no_polysemantic(5, 4, idealisation="distinct"), "m must be >= n"),
    (lambda: tc.probability_no_polysemantic(5, 4, idealisation="argmax"), "idealisation must be one of"),
    (lambda: tc.neurons_for_no_polysemantic(5, 1.0, idealisation="distinct"), r"probability must be .*\(0, 1\)"),
    (lambda: tc.neurons_for_no_polysemantic(0, 0.5, idealisation="distinct"), "n must be an integer >= 1"),
    (lambda: tc.paper_prediction(3, -1), "m must be an integer >= 1"),
    (lambda: sample_polysemantic_counts(5, 4, 10, rng=np.random.default_rng(0), idealisation="distinct"), "m must be >= n"),
    (lambda: sample_polysemantic_counts(5, 4, 0, rng=np.random.default_rng(0), idealisation="signed-slots"), "trials"),
    (lambda: sample_polysemantic_counts(5, 4, 10, rng="0", idealisation="signed-slots"), "rng must be"),
    (lambda: sample_polysemantic_counts(5, 4, 10, rng=np.random.default_rng(0), idealisation="x"), "idealisation"),
])
def test_invalid_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
