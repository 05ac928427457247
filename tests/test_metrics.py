"""Metrics on hand-built weights whose answers are known."""

import numpy as np
import pytest

from sims import (
    active_count,
    band_polysemantic_count,
    dominant_neurons,
    dominant_polysemantic_count,
    feature_dimensionality,
    fourth_norm,
    l1_norms,
    multi_feature_neurons,
    opposite_pair_members,
    start_end_correlation,
    winner_initial_rank,
)


def solution():
    """4 features on 5 neurons: features 0 (+) and 1 (−) share neuron 2; 2 and 3 share neuron 4 (+, +)."""
    W = np.zeros((4, 5))
    W[0, 2], W[1, 2] = 0.97, -1.01
    W[2, 4], W[3, 4] = 0.9, 0.3
    W[3, 0] = 0.6
    return W


def test_band_count_uses_the_paper_band():
    W = solution()
    assert band_polysemantic_count(W) == 1  # neuron 4 has only one weight in [0.8, 1.2]
    assert band_polysemantic_count(W, band=(0.2, 1.2)) == 2
    stacked = np.stack([W, np.zeros_like(W)])
    np.testing.assert_array_equal(band_polysemantic_count(stacked), [1, 0])
    with pytest.raises(ValueError, match="band"):
        band_polysemantic_count(W, band=(1.2, 0.8))


def test_dominant_assignment_with_signs():
    W = solution()
    k, s = dominant_neurons(W)
    np.testing.assert_array_equal(k, [2, 2, 4, 0])
    np.testing.assert_array_equal(s, [1, -1, 1, 1])
    counts = dominant_polysemantic_count(W)
    assert (counts["polysemantic"], counts["opposite_sign"], counts["same_sign"], counts["max_load"]) == (1, 1, 0, 2)
    W[3, 0] = 0.0  # now feature 3's dominant neuron is 4, shared with feature 2 with the same sign
    counts = dominant_polysemantic_count(W)
    assert (counts["polysemantic"], counts["opposite_sign"], counts["same_sign"]) == (2, 1, 1)


def test_dropped_feature_is_on_no_neuron():
    """An all-zero row has argmax 0 and sign 0: it must not count as a − feature on neuron 0."""
    W = np.zeros((3, 4))
    W[0, 0] = 1.0   # + feature on neuron 0; rows 1 and 2 dropped
    counts = dominant_polysemantic_count(W)
    assert (counts["polysemantic"], counts["opposite_sign"], counts["max_load"]) == (0, 0, 1)
    W[1, 0] = -1.0  # a real − feature on neuron 0 makes it polysemantic
    counts = dominant_polysemantic_count(W)
    assert (counts["polysemantic"], counts["opposite_sign"], counts["max_load"]) == (1, 1, 2)


def test_fourth_norm_active_count_l1():
    W = np.array([[1.0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5], [0.0, 0, 0, 0]])
    fn = fourth_norm(W)
    assert fn[0] == 1.0 and fn[1] == pytest.approx(0.25) and np.isnan(fn[2])
    np.testing.assert_array_equal(active_count(W), [1, 4, 0])
    np.testing.assert_array_equal(active_count(W, tol=0.6), [1, 0, 0])
    np.testing.assert_allclose(l1_norms(W), [1, 2, 0])


def test_random_direction_fourth_norm_is_three_over_m_plus_two():
    """E Σ_k u_k⁴ = 3/(m + 2) for u uniform on the sphere; 2000 rows, z = 5 (false failure ≈ 6e-7)."""
    m = 16
    W = np.random.default_rng(5).normal(size=(2000, m))
    fn = fourth_norm(W)
    assert abs(fn.mean() - 3 / (m + 2)) < 5 * fn.std() / np.sqrt(fn.size)


def test_winner_rank_and_correlation():
    W0 = np.array([[0.1, -0.5, 0.3], [0.2, 0.1, -0.05]])
    W = np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -1.0]])
    winner, rank = winner_initial_rank(W0, W)
    np.testing.assert_array_equal(winner, [1, 2])
    np.testing.assert_array_equal(rank, [0, 2])
    np.testing.assert_allclose(start_end_correlation(W0, W), W0 @ W.T)
    with pytest.raises(ValueError, match="same shape"):
        winner_initial_rank(W0, W[:1])


def test_feature_dimensionality_of_simplices_is_basis_free():
    """(k − 1)/k for regular simplices of k unit features; 1 for orthogonal ones; 0 for a dropped row;
    unchanged by a rotation of the neuron basis."""
    pair = np.array([[1.0, 0, 0], [-1.0, 0, 0]])
    tri = np.array([[1.0, 0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    tri = np.hstack([tri, np.zeros((3, 1))])
    np.testing.assert_allclose(feature_dimensionality(pair), [0.5, 0.5])
    np.testing.assert_allclose(feature_dimensionality(tri), [2 / 3] * 3)
    W = np.vstack([np.eye(4)[:3] * 0.9, np.zeros(4)])
    np.testing.assert_allclose(feature_dimensionality(W), [1, 1, 1, 0])
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    np.testing.assert_allclose(feature_dimensionality(tri @ Q), [2 / 3] * 3)


def test_multi_feature_neurons_counts_strong_features_and_ignores_dropped_rows():
    W = np.zeros((4, 3))
    W[0] = [1.0, 0.6, 0.0]   # strong on neurons 0 and 1 (0.6 ≥ ½)
    W[1] = [0.0, 1.0, 0.4]   # strong on neuron 1 only
    W[2] = [0.2, 0.0, 1.0]   # strong on neuron 2 only; row 3 dropped
    assert multi_feature_neurons(W) == 1           # neuron 1 carries features 0 and 1
    assert multi_feature_neurons(W, rel=0.3) == 2  # now feature 1 is strong on neuron 2 too
    np.testing.assert_array_equal(multi_feature_neurons(np.stack([W, np.zeros_like(W)])), [1, 0])
    with pytest.raises(ValueError, match="rel"):
        multi_feature_neurons(W, rel=0.0)


def test_opposite_pair_members_only_marks_a_lone_plus_minus_pair():
    """A neuron dominant for exactly one + and one − feature marks both; three features on a neuron (two of one
    sign), a same-sign pair and an all-zero row mark none; batched input is handled per instance."""
    W = np.array([[[1.0, 0.0], [-1.0, 0.1], [0.0, 1.0], [0.0, 0.9]],      # ± pair on 0, same-sign pair on 1
                  [[1.0, 0.0], [-1.0, 0.1], [0.8, 0.0], [0.0, 0.0]]])     # 2 + and 1 − on 0, zero row
    member, neuron = opposite_pair_members(W)
    assert member.tolist() == [[True, True, False, False], [False, False, False, False]]
    assert neuron.tolist() == [[0, 0, 1, 1], [0, 0, 0, 0]]
