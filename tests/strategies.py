"""Shared hypothesis strategies and test helpers."""

import numpy as np
from hypothesis import strategies as st

seeds = st.integers(min_value=0, max_value=2**32 - 1)
small_n = st.integers(min_value=1, max_value=6)
small_m = st.integers(min_value=1, max_value=8)
instances = st.integers(min_value=1, max_value=3)
l1 = st.sampled_from([0.0, 1e-3, 0.05, 0.3])
families = st.sampled_from(["bipolar", "gaussian", "uniform", "laplace"])


def central_differences(f, W, h):
    """∂f/∂W by central differences with step h, entry by entry (shape of W)."""
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        g[idx] = (f(Wp) - f(Wm)) / (2 * h)
    return g
