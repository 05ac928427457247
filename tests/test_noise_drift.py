"""Tests of theory.noise_drift and sims.studies.noise_drift: the closed-form drift law, its numeric Edgeworth counterpart, and the
measurement of the fourth-norm drift (fast: < 30 s)."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from sims.studies.noise_drift import measured_fourth_norm_drift, reduced_ascent_time
from theory.noise_drift import (edgeworth_fourth_norm_drift, predicted_fourth_norm_drift, random_direction_gradient_square,
                                simplex_margin_factor)


@pytest.mark.slow
@given(st.integers(min_value=2, max_value=200))
def test_random_direction_gradient_square_matches_monte_carlo(m):
    # E‖∇F(u)‖² over 20000 uniform unit vectors; the relative SE of the MC mean is < 2% for every m here,
    # so a 10% tolerance fails with probability < 1e-6 (normal approximation).
    rng = np.random.default_rng(m)
    u = rng.normal(size=(20000, m))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    F = np.sum(u**4, axis=1, keepdims=True)
    g2 = np.sum((4 * (u**3 - F * u)) ** 2, axis=1)
    assert random_direction_gradient_square(m) == pytest.approx(g2.mean(), rel=0.1)


def test_gradient_square_matches_the_sympy_derivation():
    import sympy as sp

    from derivations import noise as dn
    derived = sp.lambdify(dn.m_sym, dn.derive_random_direction_gradient_square()["E||grad F||^2"].rhs)
    for m in (1, 2, 3, 16, 1000):
        assert random_direction_gradient_square(m) == pytest.approx(derived(m), rel=1e-14, abs=1e-300)


def test_gradient_square_scales_as_inverse_m_squared():
    assert random_direction_gradient_square(1) == 0.0
    assert random_direction_gradient_square(10_000) * 10_000**2 == pytest.approx(96, rel=2e-3)


def test_predicted_drift_sign_and_sigma_dependence():
    assert predicted_fourth_norm_drift(8, 16, 0.15, -2.0) > 0
    assert predicted_fourth_norm_drift(8, 16, 0.15, 0.0) == 0.0
    assert predicted_fourth_norm_drift(8, 16, 0.15, 3.0) < 0
    # A = (n − 1)σcφ(c/σ) with c = 1/(n − 1)
    c = 1 / 7
    assert simplex_margin_factor(8, 0.1) == pytest.approx(7 * 0.1 * c * math.exp(-0.5 * (c / 0.1) ** 2)
                                                          / math.sqrt(2 * math.pi))


def test_edgeworth_numeric_drift_matches_closed_form_on_a_random_simplex():
    # Rows of a centred simplex, randomly rotated in R^m: the numeric Edgeworth drift at that state
    # should agree with the closed form averaged over directions (within MC scatter of 20 rotations).
    n, m, sigma = 8, 32, 0.15
    rng = np.random.default_rng(3)
    S = (np.eye(n) - 1.0 / n) / math.sqrt(1 - 1.0 / n)
    Ws = []
    for _ in range(20):
        Q, _ = np.linalg.qr(rng.normal(size=(m, m)))
        Ws.append(np.hstack([S, np.zeros((n, m - n))]) @ Q)
    numeric = edgeworth_fourth_norm_drift(np.stack(Ws), sigma, -2.0).mean()
    assert numeric == pytest.approx(predicted_fourth_norm_drift(n, m, sigma, -2.0), rel=0.25)
    assert edgeworth_fourth_norm_drift(Ws[0], sigma, 0.0) == pytest.approx(0.0, abs=1e-9)


def test_measured_drift_is_positive_for_bipolar_at_small_m():
    # n = 8, m = 16, σ = 0.15: predicted 2.3e-5 per step; measured (6 runs) ≈ 2.5e-5 ± 0.3e-5, so > 0
    # with a margin of ~8 SE (fixed seed; false failure negligible).
    r = measured_fourth_norm_drift(n=8, m=16, sigma=0.15, lr=0.02, t0=250, window=200, runs=6, instances=8,
                                   rng=np.random.default_rng(0))
    assert r["drift"].shape == (6,)
    assert r["drift"].mean() > 0.3 * 0.02 * predicted_fourth_norm_drift(8, 16, 0.15, -2.0)
    assert abs(r["start"].mean() - 3 / 18) < 0.02


def test_reduced_ascent_time_grows_with_m():
    rng = np.random.default_rng(1)
    t16 = reduced_ascent_time(16, 1.0, rng=rng)
    t64 = reduced_ascent_time(64, 1.0, rng=rng)
    assert 2.5 < t64 / t16 < 8


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=1), "n"), (dict(m=0), "m"), (dict(runs=0), "runs"), (dict(window=7), "window"),
    (dict(family="cauchy"), "family"), (dict(rng="0"), "rng")])
def test_measured_drift_rejects_bad_input(kwargs, name):
    base = dict(n=4, m=8, sigma=0.1, lr=0.02, t0=10, window=10, runs=1, instances=2,
                rng=np.random.default_rng(0))
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        measured_fourth_norm_drift(**base)


def test_closed_forms_reject_bad_input():
    with pytest.raises(ValueError, match="kurtosis"):
        predicted_fourth_norm_drift(8, 16, 0.1, -3.0)
    with pytest.raises(ValueError, match="sigma"):
        simplex_margin_factor(8, 0.0)
    with pytest.raises(ValueError, match="threshold"):
        reduced_ascent_time(16, 1.0, threshold=0.1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="W"):
        edgeworth_fourth_norm_drift(np.zeros((3, 4)), 0.1, -2.0)
