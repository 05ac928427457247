"""Shared hypothesis strategies and test helpers."""

import numpy as np
from hypothesis import strategies as st

seeds = st.integers(min_value=0, max_value=2**32 - 1)
small_n = st.integers(min_value=1, max_value=6)
small_m = st.integers(min_value=1, max_value=8)
instances = st.integers(min_value=1, max_value=3)
l1 = st.sampled_from([0.0, 1e-3, 0.05, 0.3])
families = st.sampled_from(["bipolar", "gaussian", "uniform", "laplace"])

# ℓ1 amplification (paper units: λ = λ_code/4): the single-feature and shared-neuron flows.
paper_lams = st.floats(min_value=0.01, max_value=0.2)
init_scales = st.floats(min_value=0.5, max_value=1.5)  # multiplies the N(0, 1/m) initial row
pair_weights = st.floats(min_value=0.05, max_value=1.2)  # |initial weight| of a feature on a shared neuron
signs = st.sampled_from([1.0, -1.0])

# Noise amplification, in expectation: (n, m) with n ≤ m ≤ 6, where the centred simplex fits and the exact
# bipolar enumeration (2^m draws per row) is cheap.
simplex_sizes = st.integers(2, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(n, 6)))

# Noise amplification, sampled (SGD with fresh draws): (n, m, σ) where the first-order sign rule applies
# (σ ≤ 0.15, small against the simplex margin 1/(n − 1)) and 48 runs of 400 steps resolve both the fourth-norm
# drift and the ± pairs' share drift (the pilot's weakest corner, Laplace at n = 7, m = 12, σ = 0.1, expects
# z ≈ 5.2 for the share and 11.8 for the fourth norm; tests/test_amplification_noise.py).
sgd_noise_models = st.integers(7, 8).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(n, 12), st.floats(0.1, 0.15)))
kurtotic_families = st.sampled_from(["bipolar", "laplace"])  # excess kurtosis −2 and +3


def central_differences(f, W, h):
    """∂f/∂W by central differences with step h, entry by entry (shape of W)."""
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        g[idx] = (f(Wp) - f(Wm)) / (2 * h)
    return g
