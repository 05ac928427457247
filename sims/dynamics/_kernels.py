"""Fused optimiser updates and the fused output-error matrix (numba).

Each optimiser kernel updates flattened weights in place in one pass over weights, gradient and
state, adds the L1 subgradient λ·sign(w) (sign(0) = 0) to the data gradient on the fly, and
returns the number of non-finite weights it produced, so divergence is detected without another
pass. The per-element formulas are written once (``_*_element``, inlined) and used by two loops:
a parallel one over a whole batch and a serial, GIL-free one that the per-instance path of
``sims.dynamics.train`` calls from its own worker threads. Elementwise work has no reductions other than
that count, so results do not depend on the thread count. Scalars are passed in the weights'
dtype, so float32 runs compute in float32 as PyTorch does. ``error_model="numpy"``: division
follows IEEE (x/0 → ±inf, caught as divergence) instead of raising, which lets LLVM vectorise the
loops (4× faster than numba's default Python error model here).
"""

from __future__ import annotations

import numba
import numpy as np

PARALLEL_MIN_SIZE = 1 << 15


def run(kernel, w, *args):
    """Call a parallel ``kernel(w, *args)``, on a single thread when ``w`` is small: waking
    numba's thread pool costs more than the update below ~32k elements."""
    if w.size >= PARALLEL_MIN_SIZE:
        return kernel(w, *args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(w, *args)
    finally:
        numba.set_num_threads(threads)


@numba.njit(inline="always")
def _gd_element(w, g, k, lr, l1):  # pragma: no cover - compiled
    """w ← w − η (g + λ sign w)."""
    new = w[k] - lr * (g[k] + l1 * np.sign(w[k]))
    w[k] = new
    return 0 if np.isfinite(new) else 1


@numba.njit(inline="always")
def _prox_element(w, g, k, lr, threshold):  # pragma: no cover - compiled
    """w ← sign(u) max(|u| − ηλ, 0), u = w − η g (gradient step, then soft threshold)."""
    u = w[k] - lr * g[k]
    a = np.abs(u) - threshold
    new = np.sign(u) * a if a > 0 else u * 0
    w[k] = new
    return 0 if np.isfinite(new) else 1


@numba.njit(inline="always")
def _adamw_element(w, g, m, v, k, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
                   step_size, bias_correction2_sqrt, eps):  # pragma: no cover - compiled
    """torch.optim.AdamW's single-tensor update (torch 2.x ``_single_tensor_adam``):

    g ← g + λ sign w;  w ← w·(1 − ηδ);  m ← m + (1 − β₁)(g − m);  v ← β₂ v + (1 − β₂) g²;
    w ← w − (η/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε).
    """
    wk = w[k]
    gk = g[k] + l1 * np.sign(wk)
    wk = wk * decay
    mk = m[k] + one_minus_beta1 * (gk - m[k])
    vk = v[k] * beta2 + one_minus_beta2 * gk * gk
    m[k] = mk
    v[k] = vk
    new = wk - step_size * mk / (np.sqrt(vk) / bias_correction2_sqrt + eps)
    w[k] = new
    return 0 if np.isfinite(new) else 1


@numba.njit(parallel=True, cache=True, error_model="numpy")
def gd_step(w, g, lr, l1):  # pragma: no cover - compiled
    bad = 0
    for k in numba.prange(w.size):
        bad += _gd_element(w, g, k, lr, l1)
    return bad


@numba.njit(nogil=True, cache=True, error_model="numpy")
def gd_step_serial(w, g, lr, l1):  # pragma: no cover - compiled
    bad = 0
    for k in range(w.size):
        bad += _gd_element(w, g, k, lr, l1)
    return bad


@numba.njit(parallel=True, cache=True, error_model="numpy")
def prox_gd_step(w, g, lr, threshold):  # pragma: no cover - compiled
    bad = 0
    for k in numba.prange(w.size):
        bad += _prox_element(w, g, k, lr, threshold)
    return bad


@numba.njit(nogil=True, cache=True, error_model="numpy")
def prox_gd_step_serial(w, g, lr, threshold):  # pragma: no cover - compiled
    bad = 0
    for k in range(w.size):
        bad += _prox_element(w, g, k, lr, threshold)
    return bad


@numba.njit(parallel=True, cache=True, error_model="numpy")
def adamw_step(w, g, m, v, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
               step_size, bias_correction2_sqrt, eps):  # pragma: no cover - compiled
    bad = 0
    for k in numba.prange(w.size):
        bad += _adamw_element(w, g, m, v, k, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
                              step_size, bias_correction2_sqrt, eps)
    return bad


@numba.njit(nogil=True, cache=True, error_model="numpy")
def adamw_step_serial(w, g, m, v, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
                      step_size, bias_correction2_sqrt, eps):  # pragma: no cover - compiled
    bad = 0
    for k in range(w.size):
        bad += _adamw_element(w, g, m, v, k, l1, decay, one_minus_beta1, beta2, one_minus_beta2,
                              step_size, bias_correction2_sqrt, eps)
    return bad


@numba.njit(nogil=True, cache=True, error_model="numpy")
def symmetrised_error(A, S, colsum):  # pragma: no cover - compiled
    """S = D + Dᵀ and colsum = 1ᵀD in one pass, D = 2(ReLU(A) − I ⊙ 1[A_ii > 0]) (one instance).

    This is ``theory.loss.output_error_derivative`` fused with the symmetrisation that
    ``theory.loss.data_gradient`` applies; ``A`` is the n×n pre-activation matrix.
    """
    n = A.shape[0]
    for j in range(n):
        colsum[j] = 0
    for i in range(n):
        for j in range(i, n):
            dij = 2 * max(A[i, j], 0)
            dji = 2 * max(A[j, i], 0)
            if i == j and A[i, i] > 0:
                dij -= 2
                dji -= 2
            S[i, j] = dij + dji
            S[j, i] = dij + dji
            colsum[j] += dij
            if i != j:
                colsum[i] += dji
    return S


@numba.njit(nogil=True, cache=True, error_model="numpy")
def symmetric_error(G, S):  # pragma: no cover - compiled
    """S = D + Dᵀ = 4(ReLU(G) − I ⊙ 1[G_ii > 0]) for a symmetric G = W Wᵀ (no noise), one instance.

    Contiguous and vectorised; numpy computes W Wᵀ by a symmetric rank-k update, so G is exactly
    symmetric and this equals ``symmetrised_error`` (which the noisy case needs).
    """
    n = G.shape[0]
    four = G.dtype.type(4)
    for i in range(n):
        for j in range(n):
            S[i, j] = four * max(G[i, j], 0)
        if G[i, i] > 0:
            S[i, i] -= four
    return S


@numba.njit(nogil=True, cache=True, error_model="numpy")
def relu_pair_sums(G):  # pragma: no cover - compiled
    """P_ij = Σ_k ReLU(G_ij + G_kj) for G of shape (instances, n, n): ``theory.cooccurrence.relu_pair_sums``
    without the n³ tensor (column j read contiguously from Gᵀ). Serial: ``verify --workers`` already
    fills the cores with processes, and a threaded kernel beside them spins."""
    I, n, _ = G.shape
    P = np.empty_like(G)
    for inst in range(I):
        Gt = np.ascontiguousarray(G[inst].T)
        for j in range(n):
            col = Gt[j]
            for i in range(n):
                g = G[inst, i, j]
                s = 0.0
                for k in range(n):
                    u = g + col[k]
                    if u > 0:
                        s += u
                P[inst, i, j] = s
    return P
