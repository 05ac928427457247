"""The three-point noise family, the helpers of sims.ledger.noise_dynamics, and the noise-counts
reproduction's point function (the claims themselves run in tests/test_claims.py)."""

import math

import numpy as np
import pytest
from scipy.stats import ortho_group

from sims.ledger.noise_dynamics import fourth_norm_runs, t_statistic
from sims.measure.metrics import fourth_norm
from sims.runs.grids import noise_counts_sweep
from sims.studies.noise import CONDITIONS, noise_polysemantic_counts
from sims.dynamics.schedule import Schedule
from sims.dynamics.train import TrainConfig, train
from theory import ModelSpec, NoiseSpec, excess_kurtosis
from theory.loss import data_gradient
from theory.noise import TUNABLE_FAMILIES, three_point_probability
from theory.noise_loss import (centred_simplex, expected_loss_bipolar_exact, reduced_simplex, reduced_simplex_fourth_norm,
                               simplex_fourth_norm)

Z = 5.0  # two-sided normal tail: false-failure chance ≈ 5.7e-7 per check


# ------------------------------------------------------------------------------------------------
# three-point family


@pytest.mark.parametrize("kurtosis", [None, -2.01, math.nan, math.inf, "1", True])
def test_three_point_rejects_bad_kurtosis(kurtosis):
    with pytest.raises(ValueError, match=r"^kurtosis\b"):
        NoiseSpec(family="three-point", sigma=0.1, kurtosis=kurtosis)


@pytest.mark.parametrize("family", ["bipolar", "gaussian", "uniform", "laplace"])
def test_fixed_families_reject_a_kurtosis(family):
    with pytest.raises(ValueError, match=r"^kurtosis\b"):
        NoiseSpec(family=family, sigma=0.1, kurtosis=0.0)
    assert NoiseSpec(family=family, sigma=0.1).kurtosis is None


def test_three_point_accessors():
    assert TUNABLE_FAMILIES == ("three-point",)
    spec = NoiseSpec(family="three-point", sigma=0.2, kurtosis=1)
    assert spec.kurtosis == 1.0 and isinstance(spec.kurtosis, float)
    assert spec.excess_kurtosis == 1.0
    assert spec.fourth_cumulant == pytest.approx(1.0 * 0.2**4)
    assert three_point_probability(-2) == 1.0
    assert three_point_probability(0) == pytest.approx(1 / 3)
    assert three_point_probability(7) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="kurtosis"):
        three_point_probability(-3)
    with pytest.raises(ValueError, match="tunable"):
        excess_kurtosis("three-point")


@pytest.mark.parametrize("kurtosis", [-2.0, -1.0, 0.0, 3.0, 12.0])
def test_three_point_support_and_zero_mass(kurtosis):
    spec = NoiseSpec(family="three-point", sigma=0.3, kurtosis=kurtosis)
    p = three_point_probability(kurtosis)
    a = 0.3 / math.sqrt(p)
    N = 200_000
    x = spec.sample((N // 4, 4), rng=np.random.default_rng(11))
    assert x.shape == (N // 4, 4) and x.dtype == np.float64
    values = set(np.unique(x).tolist())
    assert values <= {-a, 0.0, a} and {-a, a} <= values
    nonzero, positive = np.mean(x != 0), np.mean(x > 0)
    assert abs(nonzero - p) <= Z * math.sqrt(p * (1 - p) / N) + 1e-12
    assert abs(positive - p / 2) <= Z * math.sqrt(p / 2 * (1 - p / 2) / N)


def test_three_point_is_reproducible_and_bipolar_at_minus_two():
    spec = NoiseSpec(family="three-point", sigma=0.1, kurtosis=-2.0)
    x = spec.sample(1000, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(x, spec.sample(1000, rng=np.random.default_rng(5)))
    np.testing.assert_allclose(np.abs(x), 0.1, rtol=1e-15)


def test_three_point_noise_trains():
    spec = ModelSpec(n=3, m=5, noise=NoiseSpec(family="three-point", sigma=0.1, kurtosis=2.0))
    res = train(spec, TrainConfig(optimizer="gd", lr=0.02, steps=20, instances=2, record=Schedule(points=2)), rng=0)
    assert res.W.shape == (2, 3, 5) and np.all(np.isfinite(res.W))
    assert not np.allclose(res.W, res.W0)


# ------------------------------------------------------------------------------------------------
# the claims' building blocks


def test_gradient_is_rotation_equivariant():
    """∂L/∂W at (WQ, Qᵀξ) equals (∂L/∂W at (W, ξ)) Q: the basis of the exact Gaussian null
    E[fourth norm] = 3/(m + 2) used by noise-dynamics.gaussian-flat and .end-state-gaussian."""
    rng = np.random.default_rng(3)
    W, xi = rng.normal(0, 0.4, (6, 9)), rng.normal(0, 0.15, 9)
    Q = ortho_group.rvs(9, random_state=rng)
    np.testing.assert_allclose(data_gradient(W @ Q, xi=Q.T @ xi), data_gradient(W, xi=xi) @ Q, atol=1e-12)
    # and a wrong rotation of the noise breaks it (the test can fail)
    assert not np.allclose(data_gradient(W @ Q, xi=xi), data_gradient(W, xi=xi) @ Q, atol=1e-6)


def test_t_statistic():
    mean, se, t = t_statistic([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5 and se == pytest.approx(math.sqrt(5 / 3) / 2) and t == pytest.approx(2.5 / se)


def test_fourth_norm_runs_shapes_and_common_start():
    noise = NoiseSpec(family="bipolar", sigma=0.15)
    W0s = np.random.default_rng(0).normal(0, 0.25, (2, 3, 8, 16))
    steps, curves = fourth_norm_runs(noise, runs=2, rng=np.random.default_rng(1), steps=40, instances=3, W0s=W0s,
                                     record=Schedule(every=20))
    assert steps.tolist() == [0, 20, 40] and curves.shape == (2, 3)
    np.testing.assert_allclose(curves[:, 0], np.nanmean(fourth_norm(W0s), axis=-1).mean(axis=-1))


def test_reduced_simplex_has_the_centred_simplex_gram_and_fourth_norm_0794():
    n, m = 8, 16
    R, U = reduced_simplex(n, m), centred_simplex(n, m)
    np.testing.assert_allclose(R @ R.T, U @ U.T, atol=1e-14)
    # n − 1 rows: (a + b)⁴ + (n − 2)b⁴; last row: 1/(n − 1)
    a = math.sqrt(n / (n - 1))
    b = (1 / math.sqrt(n - 1) - a) / (n - 1)
    expected = ((n - 1) * ((a + b) ** 4 + (n - 2) * b**4) + 1 / (n - 1)) / n
    assert np.mean(fourth_norm(R)) == pytest.approx(expected, rel=1e-12)
    for k in range(2, 12):  # the closed form against the constructed matrix
        assert reduced_simplex_fourth_norm(k) == pytest.approx(np.mean(fourth_norm(reduced_simplex(k, k))), rel=1e-12)
    with pytest.raises(ValueError, match="m"):
        reduced_simplex(8, 6)
    assert expected == pytest.approx(0.7940, abs=5e-5) and expected > simplex_fourth_norm(n) + 0.02


def test_reduced_simplex_beats_the_aligned_one_at_sigma_015_only():
    """The correction of noise-dynamics.end-state-bipolar, by exact enumeration (2^16 patterns)."""
    R, U = reduced_simplex(8, 16), centred_simplex(8, 16)
    assert expected_loss_bipolar_exact(R, 0.15) < expected_loss_bipolar_exact(U, 0.15) - 5e-3
    assert expected_loss_bipolar_exact(R, 0.1) > expected_loss_bipolar_exact(U, 0.1)


# ------------------------------------------------------------------------------------------------
# noise-counts reproduction


def test_noise_polysemantic_counts_point():
    r = noise_polysemantic_counts(rng=np.random.default_rng(0), n=4, m=6, condition="noise+L1", sigma=0.15,
                                  l1=0.01, lr=0.02, steps=30, instances=3)
    for key in ("band", "dominant", "opposite_sign", "same_sign", "max_load", "fourth_norm", "row_norm"):
        assert np.shape(r[key]) == (3,)
    assert np.all(np.asarray(r["dominant"]) <= 4 // 2) and np.all(np.asarray(r["max_load"]) >= 1)
    with pytest.raises(ValueError, match="condition"):
        noise_polysemantic_counts(rng=np.random.default_rng(0), n=4, m=6, condition="both", sigma=0.15, l1=0.01,
                                  lr=0.02, steps=1, instances=1)


def test_noise_counts_sweep_grid():
    quick = noise_counts_sweep(quick=True)
    assert set(quick.grid["condition"]) == set(CONDITIONS) and quick.grid["m"] == (16, 32, 64, 128)
    assert len(quick.points()) == 16 and quick.name != noise_counts_sweep(quick=False).name
