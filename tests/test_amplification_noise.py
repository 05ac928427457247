"""Noise and the fourth norm, in expectation and exactly: what drives winner-take-all under hidden noise.

The expected loss under noise splits into a part that depends on W only through G = W Wᵀ and the row norms
(the Gaussian closed form; the whole bipolar loss while no noise draw crosses a ReLU) and the rest. At the
centred simplex, the relaxed Gram matrix of paper §2.5(b), a function of G alone leaves every row's fourth
norm stationary, so only the non-Gaussian part can drive F: the mechanism behind the kurtosis sign rule
(``theory.noise_drift``). The sign rule itself holds on average over rotations, not start by start (ledger
claim ``noise.sign-rule-per-start``, refuted). Paper units are not used: code loss units, t = lr·steps.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.noise_drift import fourth_norm_gradient
from theory.noise_loss import centred_simplex, expected_loss_bipolar_exact, expected_loss_gaussian

from .strategies import central_differences, seeds

simplex_sizes = st.integers(2, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(n, 6)))


def _rotated_simplex(n: int, m: int, seed: int) -> np.ndarray:
    Q = np.linalg.qr(np.random.default_rng(seed).normal(size=(m, m)))[0]
    return centred_simplex(n, m) @ Q


def _row_drifts(loss, W: np.ndarray) -> np.ndarray:
    """⟨∇F_j, −∇_{W_j} loss⟩ per row j (central differences, h = 1e-6)."""
    return np.sum(fourth_norm_gradient(W) * -central_differences(loss, W, 1e-6), axis=-1)


@given(size=simplex_sizes, seed=seeds, sigma=st.floats(0.05, 0.6))
@settings(max_examples=20)
def test_a_gram_function_leaves_every_fourth_norm_stationary_at_the_simplex(size, seed, sigma):
    """Theorem: if L depends on W only through G, ∇_{W_j}L = Σ_b M_jb W_b with M = 2∂L/∂G; at the centred
    simplex M_jb takes one value off the diagonal and the rows sum to 0, so ∇_{W_j}L ∝ W_j ⟂ ∇F_j: dF_j/dt = 0
    for every row and every rotation. Checked on the Gaussian expected loss (theory.noise_loss), which is such
    a function, at any σ."""
    n, m = size
    W = _rotated_simplex(n, m, seed)
    drifts = _row_drifts(lambda X: float(expected_loss_gaussian(X, sigma)), W)
    assert np.all(np.abs(drifts) <= 1e-6), drifts


@given(size=simplex_sizes, seed=seeds, margin=st.floats(0.1, 0.95))
@settings(max_examples=20)
def test_bipolar_noise_that_crosses_no_relu_drives_no_fourth_norm(size, seed, margin):
    """While every bipolar draw keeps each pre-activation's sign (|s_j| ≤ σ‖W_j‖₁ below the off-diagonal
    margin 1/(n − 1) and the diagonal 1), the exact bipolar loss is a function of G and the row norms
    (E s_j² = σ²‖W_j‖²), so at the simplex it drives no fourth norm either: winner-take-all under bipolar noise
    needs draws that cross a ReLU (σ√m > 1/(n − 1) for unit rows). Paper §2.5(b); theory.noise_loss."""
    n, m = size
    W = _rotated_simplex(n, m, seed)
    sigma = margin * min(1.0, 1.0 / (n - 1)) / float(np.abs(W).sum(axis=1).max())
    drifts = _row_drifts(lambda X: float(expected_loss_bipolar_exact(X, sigma)), W)
    assert np.all(np.abs(drifts) <= 1e-6), drifts


def test_crossing_bipolar_noise_does_drive_the_fourth_norm():
    """The converse, so the two properties above are not vacuous: at n = 4, m = 4, σ = 0.3 (draws cross the
    off-diagonal ReLUs) the bipolar loss moves the fourth norms at the same rotated simplex."""
    W = _rotated_simplex(4, 4, 12)
    drifts = _row_drifts(lambda X: float(expected_loss_bipolar_exact(X, 0.3)), W)
    assert np.max(np.abs(drifts)) > 1e-4, drifts
