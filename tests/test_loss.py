"""Exact loss, gradient and forces against independent routes: finite differences and the network."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from theory import NoiseSpec, data_gradient, forces, gram, loss, loss_gradient

from .strategies import central_differences, families, instances, l1, seeds, small_m, small_n


def naive_network_loss(W, l1=0.0, xi=None):
    """The paper's code, transcribed: identity batch, einsums, ReLU output, summed squared error."""
    W = np.atleast_3d(W) if W.ndim == 3 else W[None]
    I, n, m = W.shape
    x = np.broadcast_to(np.eye(n), (I, n, n))
    hidden = np.einsum("ibf,ifh->ibh", x, W)
    if xi is not None:
        hidden = hidden + xi
    out = np.maximum(np.einsum("ibh,ifh->ibf", hidden, W), 0)
    return ((out - x) ** 2).sum(axis=(1, 2)) + l1 * np.abs(W).sum(axis=(1, 2))


def random_weights(seed, shape, scale=None):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, scale if scale is not None else shape[-1] ** -0.5, size=shape)


@given(seed=seeds, I=instances, n=small_n, m=small_m, lam=l1, noisy=st.booleans(), family=families)
def test_loss_equals_naive_network_loss(seed, I, n, m, lam, noisy, family):
    W = random_weights(seed, (I, n, m))
    xi = NoiseSpec(family=family, sigma=0.2).sample(m, rng=np.random.default_rng(seed + 1)) if noisy else None
    np.testing.assert_allclose(loss(W, l1=lam, xi=xi), naive_network_loss(W, lam, xi), rtol=1e-12, atol=1e-12)


def test_loss_closed_form_without_noise():
    """Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)² + λ‖W‖₁ (paper §2.1), written out by rows."""
    W = random_weights(3, (5, 7))
    expected = sum((1 - W[i] @ W[i]) ** 2 for i in range(5))
    expected += sum(max(W[i] @ W[j], 0) ** 2 for i in range(5) for j in range(5) if i != j)
    expected += 0.1 * np.abs(W).sum()
    assert loss(W, l1=0.1) == pytest.approx(expected, rel=1e-13)


@given(seed=seeds, n=small_n, m=small_m, lam=l1, noisy=st.booleans(), family=families)
def test_gradient_matches_central_differences(seed, n, m, lam, noisy, family):
    W = random_weights(seed, (n, m))
    xi = NoiseSpec(family=family, sigma=0.2).sample(m, rng=np.random.default_rng(seed + 1)) if noisy else None
    h = 1e-6
    # Kinks (|W_ik| < h for the L1 term, A_ij ≈ 0 for the ReLU) would make the difference
    # quotient differ from the one-sided derivative: skip the measure-zero neighbourhood.
    A = gram(W) + (0 if xi is None else (W @ xi)[None, :])
    assume(np.min(np.abs(W)) > 1e-4 and np.min(np.abs(A)) > 1e-4)
    fd = central_differences(lambda V: loss(V, l1=lam, xi=xi), W, h)
    # central differences: truncation O(h²·|L'''|) plus rounding O(ε·|L|/h)
    tol = 1e-6 * (1 + np.abs(fd).max())
    np.testing.assert_allclose(loss_gradient(W, l1=lam, xi=xi), fd, atol=tol, rtol=0)


@given(seed=seeds, I=instances, n=small_n, m=small_m, lam=l1, noisy=st.booleans())
def test_forces_sum_to_minus_gradient(seed, I, n, m, lam, noisy):
    W = random_weights(seed, (I, n, m))
    xi = np.random.default_rng(seed).normal(0, 0.1, m) if noisy else None
    f = forces(W, l1=lam, xi=xi)
    np.testing.assert_allclose(f.total, -loss_gradient(W, l1=lam, xi=xi), rtol=1e-12, atol=1e-13)


def test_forces_closed_forms_without_noise():
    """Row-by-row transcription of paper §2.2 (before its t → 4t rescaling)."""
    W = random_weights(5, (4, 6))
    lam = 0.07
    f = forces(W, l1=lam)
    for i in range(4):
        np.testing.assert_allclose(f.feature_benefit[i], 4 * (1 - W[i] @ W[i]) * W[i], rtol=1e-12)
        interf = -4 * sum(max(W[i] @ W[j], 0) * W[j] for j in range(4) if j != i)
        np.testing.assert_allclose(f.interference[i], interf, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(f.regularisation, -lam * np.sign(W))


def test_l1_subgradient_is_zero_at_zero():
    W = np.zeros((2, 3))
    W[0, 0] = 0.5
    g = loss_gradient(W, l1=1.0) - data_gradient(W)
    np.testing.assert_array_equal(g, np.sign(W))


def test_batched_equals_per_instance():
    W = random_weights(9, (3, 4, 5))
    xi = np.random.default_rng(1).normal(0, 0.1, 5)
    batched = loss_gradient(W, l1=0.01, xi=xi)
    for k in range(3):
        np.testing.assert_allclose(batched[k], loss_gradient(W[k], l1=0.01, xi=xi), rtol=1e-14)


def test_float32_stays_float32_and_out_is_used():
    W = random_weights(2, (2, 4, 8)).astype(np.float32)
    out = np.empty_like(W)
    res = data_gradient(W, out=out)
    assert res is out and res.dtype == np.float32
    np.testing.assert_allclose(res, data_gradient(W.astype(np.float64)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 2, 2))[..., 0, 0]])
def test_weights_must_be_a_matrix(bad):
    with pytest.raises(ValueError, match="W must have shape"):
        loss(bad)


def test_noise_shape_is_checked():
    with pytest.raises(ValueError, match="xi must have shape"):
        loss(np.zeros((2, 3)), xi=np.zeros(4))
