"""Shared hypothesis strategies."""

from hypothesis import strategies as st

seeds = st.integers(min_value=0, max_value=2**32 - 1)
small_n = st.integers(min_value=1, max_value=6)
small_m = st.integers(min_value=1, max_value=8)
instances = st.integers(min_value=1, max_value=3)
l1 = st.sampled_from([0.0, 1e-3, 0.05, 0.3])
families = st.sampled_from(["bipolar", "gaussian", "uniform", "laplace"])
