"""Noise families: variance exactly σ² and the stated excess kurtosis, by Monte Carlo."""

import math

import numpy as np
import pytest

from theory import NOISE_FAMILIES, NoiseSpec, excess_kurtosis

N = 400_000
Z = 5.0  # two-sided normal tail at 5 standard errors: false-failure chance ≈ 6e-7 per check


FIXED = [(family, None) for family in sorted(NOISE_FAMILIES)]
THREE_POINT = [("three-point", kappa) for kappa in (-2.0, -1.0, 0.0, 3.0, 10.0)]


@pytest.mark.parametrize("family,kurtosis", FIXED + THREE_POINT)
def test_moments_match_the_stated_variance_and_kurtosis(family, kurtosis):
    spec = NoiseSpec(family=family, sigma=0.3, kurtosis=kurtosis)
    x = spec.sample(N, rng=np.random.default_rng(2024))
    x2, x4 = x**2, x**4
    for sample, expected in ((x2, spec.sigma**2), (x4, (3 + spec.excess_kurtosis) * spec.sigma**4)):
        se = sample.std(ddof=1) / math.sqrt(N)
        if family == "bipolar" or kurtosis == -2.0:  # ξ² = σ² and ξ⁴ = σ⁴ for every draw
            np.testing.assert_allclose(sample, expected, rtol=1e-14)
        else:
            assert abs(sample.mean() - expected) < Z * se
    assert abs(x.mean()) < Z * x.std() / math.sqrt(N)


def test_table_and_accessors():
    assert NOISE_FAMILIES == {"bipolar": -2.0, "gaussian": 0.0, "uniform": -1.2, "laplace": 3.0}
    assert excess_kurtosis("laplace") == 3.0
    spec = NoiseSpec(family="bipolar", sigma=0.1)
    assert spec.fourth_cumulant == pytest.approx(-2e-4)
    assert set(np.unique(spec.sample(100, rng=np.random.default_rng(0)))) == {-0.1, 0.1}
    with pytest.raises(ValueError, match="family"):
        excess_kurtosis("cauchy")
