"""Fused, parallel optimiser updates (numba), one pass over weights, gradient and state.

Each kernel updates the flattened weights in place, adds the L1 subgradient λ·sign(w)
(sign(0) = 0) to the data gradient on the fly, and returns the number of non-finite
weights it produced, so divergence is detected without another pass. Elementwise work has no
reductions across elements other than that count, so results do not depend on the thread count.
Scalars are passed in the weights' dtype, so float32 runs compute in float32 as PyTorch does.

Small arrays run on one thread (``run``): waking numba's thread pool costs more than the update
itself below ~32k elements, and under CPU contention it costs milliseconds.
"""

from __future__ import annotations

import numba
import numpy as np

PARALLEL_MIN_SIZE = 1 << 15


def run(kernel, w, *args):
    """Call ``kernel(w, *args)``, on a single thread when ``w`` is small."""
    if w.size >= PARALLEL_MIN_SIZE:
        return kernel(w, *args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(w, *args)
    finally:
        numba.set_num_threads(threads)


@numba.njit(parallel=True, cache=True, fastmath=False)
def gd_step(w, g, lr, l1):  # pragma: no cover - compiled
    """w ← w − η (g + λ sign w)."""
    bad = 0
    for k in numba.prange(w.size):
        wk = w[k]
        new = wk - lr * (g[k] + l1 * np.sign(wk))
        w[k] = new
        if not np.isfinite(new):
            bad += 1
    return bad


@numba.njit(parallel=True, cache=True, fastmath=False)
def prox_gd_step(w, g, lr, threshold):  # pragma: no cover - compiled
    """w ← sign(u) max(|u| − ηλ, 0), u = w − η g (gradient step, then soft threshold)."""
    bad = 0
    for k in numba.prange(w.size):
        u = w[k] - lr * g[k]
        a = np.abs(u) - threshold
        new = np.sign(u) * a if a > 0 else u * 0
        w[k] = new
        if not np.isfinite(new):
            bad += 1
    return bad


@numba.njit(parallel=True, cache=True, fastmath=False)
def adamw_step(w, g, m, v, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
               step_size, bias_correction2_sqrt, eps):  # pragma: no cover - compiled
    """torch.optim.AdamW's single-tensor update, fused (torch 2.x ``_single_tensor_adam``).

    g ← g + λ sign w;  w ← w·(1 − ηδ);  m ← m + (1 − β₁)(g − m);  v ← β₂ v + (1 − β₂) g²;
    w ← w − (η/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε).
    """
    bad = 0
    for k in numba.prange(w.size):
        wk = w[k]
        gk = g[k] + l1 * np.sign(wk)
        wk = wk * decay
        mk = m[k] + one_minus_beta1 * (gk - m[k])
        vk = v[k] * beta2 + one_minus_beta2 * gk * gk
        m[k] = mk
        v[k] = vk
        new = wk - step_size * mk / (np.sqrt(vk) / bias_correction2_sqrt + eps)
        w[k] = new
        if not np.isfinite(new):
            bad += 1
    return bad
