"""sims.studies.collisions: the sharing statistics on constructed weights, the pooled ratio ρ and its
standard error, the column-centring intervention and bad parameters."""

import numpy as np
import pytest

from sims.measure.occupancy import occupancy_statistics, pooled_ratio
from sims.studies.collisions import collision_survival


def _constructed():
    """n = 4, m = 6. Initial argmaxes: features 0 (+) and 1 (−) collide on neuron 0, feature 2 (+) and
    3 (+) on neuron 3. Final: 0 and 1 still share neuron 0; 2 stays on 3; 3 moved to neuron 5 (−)."""
    W0 = np.full((4, 6), 0.01)
    W0[0, 0], W0[1, 0], W0[2, 3], W0[3, 3] = 0.9, -0.8, 0.7, 0.6
    W = np.zeros((4, 6))
    W[0, 0], W[1, 0], W[2, 3], W[3, 5] = 1.0, -1.0, 1.0, -1.0
    return W0[None], W[None]


def test_occupancy_statistics_on_constructed_weights():
    W0, W = _constructed()
    s = occupancy_statistics(W0, W)
    assert s["opposite_shared"][0] == 1 and s["same_sign"][0] == 0
    # N₊ = 2 neurons hold + features (0, 3), N₋ = 2 hold − features (0, 5): 2·2/6
    assert s["expected_independent"][0] == pytest.approx(4 / 6)
    assert s["initial_collisions"][0] == 1 and s["surviving_collisions"][0] == 1
    assert s["argmax_fraction"][0] == pytest.approx(3 / 4)
    # polarity over singly occupied neurons 3 (+) and 5 (−): z_k = (others' W0 on k)/√(n/m)
    z3, z5 = (0.01 * 2 + 0.6) / np.sqrt(4 / 6), 3 * 0.01 / np.sqrt(4 / 6)  # feature 3's 0.6 is on neuron 3
    assert s["polarity"][0] == pytest.approx(np.mean([-z3, +z5]))


def test_occupancy_statistics_counts_a_broken_collision():
    W0, W = _constructed()
    W[0, 1, 0], W[0, 1, 1] = 0.0, -1.0  # feature 1 leaves neuron 0
    s = occupancy_statistics(W0, W)
    assert s["opposite_shared"][0] == 0 and s["surviving_collisions"][0] == 0 and s["initial_collisions"][0] == 1
    with pytest.raises(ValueError, match="shape"):
        occupancy_statistics(W0[0], W[0])


def test_pooled_ratio_and_standard_error():
    shared, expected = np.array([2.0, 4.0, 3.0]), np.array([2.0, 3.0, 4.0])
    rho, se = pooled_ratio(shared, expected)
    assert rho == pytest.approx(1.0)
    resid = shared - expected
    assert se == pytest.approx(np.sqrt((resid**2).sum() / 6) / 3)
    assert pooled_ratio(2 * shared, expected)[0] == pytest.approx(2.0)
    assert pooled_ratio([1.0, 0.0], [1.0, 0.0])[0] == 1.0  # an instance with nothing expected is allowed
    with pytest.raises(ValueError, match="expected must be >= 0"):
        pooled_ratio([1.0, 1.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="positive total"):
        pooled_ratio([1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="equal length"):
        pooled_ratio([1.0], [1.0])


def test_centred_columns_sum_to_zero_and_keep_the_variance():
    s = collision_survival(32, 64, steps=0, instances=4, rng=0, center_columns=True)
    np.testing.assert_allclose(s["W0"].sum(axis=1), 0.0, atol=1e-5)
    # Var W_ik(0) = 1/m kept: 4·32·64 entries, relative SE of the variance ≈ √(2/8192) ≈ 0.016; bound 5 SE
    assert s["W0"].var() * 64 == pytest.approx(1.0, abs=0.08)
    plain = collision_survival(32, 64, steps=0, instances=4, rng=0)
    assert np.abs(plain["W0"].sum(axis=1)).max() > 0.5  # uncentred column sums have SD √(n/m) ≈ 0.71


def test_same_seed_same_statistics():
    a = collision_survival(8, 16, optimizer="prox_gd", steps=50, instances=2, rng=3, lr=0.05, l1=0.1)
    b = collision_survival(8, 16, optimizer="prox_gd", steps=50, instances=2, rng=3, lr=0.05, l1=0.1)
    np.testing.assert_array_equal(a["W"], b["W"])


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=1, m=4), "n"), (dict(n=4, m=0), "m"), (dict(n=4, m=4, optimizer="sgd"), "optimizer"),
    (dict(n=4, m=4, l1=-1.0), "l1"), (dict(n=4, m=4, lr=0.0), "lr"), (dict(n=4, m=4, instances=0), "instances"),
    (dict(n=4, m=4, center_columns=1), "center_columns")])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        collision_survival(**kwargs)


def test_log2_slope_recovers_a_line_and_its_weighted_error():
    from sims.ledger.collision_training import _log2_slope

    x = [32, 64, 128, 256]
    slope, se = _log2_slope(x, [0.9 - 0.1 * k for k in range(4)], [0.05] * 4)
    assert slope == pytest.approx(-0.1) and se == pytest.approx(0.05 / np.sqrt(5))  # Σ(X − X̄)² = 5 for 0..3
