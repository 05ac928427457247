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

For small models the whole step is one compiled call: ``fused_gd_steps``, ``fused_prox_gd_steps`` and
``fused_adamw_steps`` run a stretch of steps for every instance, each step the exact one-hot data gradient
(``theory.loss.data_gradient``) followed by the same ``_*_element`` update, with the matrix products in
explicit vector tiles (``_tile_product``).

Examples
--------
>>> import numpy as np
>>> from sims.dynamics import _kernels
>>> from theory.loss import data_gradient
>>> W = np.random.default_rng(0).normal(0, 0.5, size=(2, 3, 5))
>>> xi = np.array([[0.1, -0.1, 0.1, 0.1, -0.1]])
>>> want = W - 0.05 * data_gradient(W, xi=xi[0])
>>> _kernels.fused_gd_steps(W, xi, np.array([[0.05, 0.0]]))  # one step (lr, λ); 0: no weight diverged
0
>>> bool(np.allclose(W, want, rtol=1e-14, atol=1e-15))
True
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

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


# ------------------------------------------------------------------------------------------------
# The fused small-model step: a whole stretch of optimiser steps in one call

#: ``_fused_steps``' optimiser codes (``kind``).
GD, PROX_GD, ADAMW = 0, 1, 2

#: ``_tile_product``'s tile: TILE_ROWS rows × TILE_LANES columns, one vector register per row.
TILE_ROWS, TILE_LANES = 4, 8


@intrinsic
def _tile_product(typingctx, X, i0, B, j0, K, out):
    """out[i0 + r, j0:j0 + 8] = Σ_{k<K} X[i0 + r, k] B[k, j0:j0 + 8] for r = 0..3 (C-contiguous 2-D
    arrays of one dtype, indices unchecked: the caller pads its arrays to whole tiles).

    Each of the 32 sums runs over k in order, with IEEE multiplies and adds (no fused multiply-add,
    no reassociation), so it equals the plain loop ``a = 0; for k: a += X[i, k] * B[k, j]`` bit for bit;
    the 8 columns of a row are one LLVM vector register. Written in LLVM IR because numba makes no vectors
    of loops this short: its loop vectoriser needs long loops and its SLP vectoriser is off by default
    (``NUMBA_SLP_VECTORIZE``); as plain numba loops these products ran ~6× slower.
    """
    arrays = (X, B, out)
    if not (all(isinstance(a, types.Array) and a.ndim == 2 and a.layout == "C" for a in arrays)
            and X.dtype == B.dtype == out.dtype and isinstance(X.dtype, types.Float)
            and all(isinstance(v, types.Integer) for v in (i0, j0, K))):
        return None

    def codegen(context, builder, sig, args):
        (Xty, i0ty, Bty, j0ty, Kty, Oty), (Xv, i0v, Bv, j0v, Kv, Ov) = sig.args, args
        Xa, Ba, Oa = (context.make_array(ty)(context, builder, v) for ty, v in ((Xty, Xv), (Bty, Bv), (Oty, Ov)))
        i0v, j0v, Kv = (context.cast(builder, v, ty, types.intp) for v, ty in ((i0v, i0ty), (j0v, j0ty), (Kv, Kty)))
        elt = context.get_data_type(Xty.dtype)
        vec = ir.VectorType(elt, TILE_LANES)
        index = ir.IntType(32)
        splat = ir.Constant(ir.VectorType(index, TILE_LANES), [0] * TILE_LANES)
        rows = [builder.add(i0v, context.get_constant(types.intp, r)) for r in range(TILE_ROWS)]

        def vector_at(aty, a, i, j):
            ptr = cgutils.get_item_pointer(context, builder, aty, a, [i, j], wraparound=False)
            return builder.bitcast(ptr, vec.as_pointer())

        acc = [cgutils.alloca_once_value(builder, ir.Constant(vec, None)) for _ in rows]  # zeros
        with cgutils.for_range(builder, Kv) as loop:
            b = builder.load(vector_at(Bty, Ba, loop.index, j0v), align=1)
            for r, row in enumerate(rows):
                x = builder.load(cgutils.get_item_pointer(context, builder, Xty, Xa, [row, loop.index],
                                                          wraparound=False))
                x = builder.shuffle_vector(builder.insert_element(ir.Constant(vec, ir.Undefined), x,
                                                                  ir.Constant(index, 0)),
                                           ir.Constant(vec, ir.Undefined), splat)
                builder.store(builder.fadd(builder.load(acc[r]), builder.fmul(x, b)), acc[r])
        for r, row in enumerate(rows):
            builder.store(builder.load(acc[r]), vector_at(Oty, Oa, row, j0v), align=1)
        return context.get_dummy_value()

    return types.none(X, i0, B, j0, K, out), codegen


@numba.njit(inline="always")
def _fused_steps(W, M, V, xis, scalars, kind):  # pragma: no cover - compiled
    """Run ``scalars.shape[0]`` optimiser steps on every instance of W (instances, n, m), serially.

    Step t, instance by instance: the one-hot data gradient of ``theory.loss.data_gradient`` under
    the noise draw ξ = ``xis[t]`` (``xis`` of shape (steps, m), or (steps, 0) for no noise),

        A = W Wᵀ + 1 sᵀ, s = W ξ;  D, S = D + Dᵀ and c = 1ᵀD (``symmetrised_error``);  g = S W + c ξᵀ,

    then the optimiser's element update with ``scalars[t]``, the scalar arguments that
    ``gd_step_serial``, ``prox_gd_step_serial`` or ``adamw_step_serial`` take (``kind`` GD, PROX_GD or
    ADAMW), so the update arithmetic is theirs. ``M`` and ``V`` are AdamW's moments (shape of W;
    ignored, and may be empty, for the others). Returns the first step (1-based, within this call)
    after which a weight is non-finite, else 0; every instance is updated at that step, as in the
    step-by-step path.

    The products are ``_tile_product``'s, on zero-padded copies of the instance's weights: with ξ
    appended as row n, the Gram matrix of [W; ξᵀ] holds G = W Wᵀ and s (its row n), and [S | c] [W; ξᵀ]
    is g. Every sum runs over its index in order, so ⟨W_i, W_j⟩ = ⟨W_j, W_i⟩ exactly (the tiles below
    the diagonal are mirrored, not computed) and all-zero columns of W change no number
    (``sims.dynamics.train._live_columns``); against numpy's BLAS only the order of the sums differs
    (last bits). For small models, where a step through numpy costs more in calls than in arithmetic.
    """
    I, n, m = W.shape
    noisy = xis.shape[1] > 0
    rows = n + 1  # the features and ξ
    r4 = -(-rows // TILE_ROWS) * TILE_ROWS
    c8, m8 = -(-rows // TILE_LANES) * TILE_LANES, -(-m // TILE_LANES) * TILE_LANES
    wp = np.zeros((r4, m8), dtype=W.dtype)  # [W; ξᵀ] of the current instance and step, zero-padded
    wt = np.zeros((m, c8), dtype=W.dtype)  # its transpose
    A = np.zeros((r4, c8), dtype=W.dtype)  # Gram matrix of [W; ξᵀ], then A = G + 1 sᵀ
    Sc = np.zeros((r4, rows), dtype=W.dtype)  # [S | c]
    g = np.zeros((r4, m8), dtype=W.dtype)
    S, c = Sc[:n, :n], Sc[:n, n]
    K = n + 1 if noisy else n  # the sums of A's rows and of g's terms
    for t in range(scalars.shape[0]):
        sc = scalars[t]
        if noisy:
            xi = xis[t]
            for k in range(m):
                wp[n, k] = xi[k]
                wt[k, n] = xi[k]
        bad = 0
        for inst in range(I):
            w = W[inst]
            for i in range(n):
                for k in range(m):
                    wp[i, k] = w[i, k]
                    wt[k, i] = w[i, k]
            for i0 in range(0, K, TILE_ROWS):
                for j0 in range(i0 // TILE_LANES * TILE_LANES, K, TILE_LANES):
                    _tile_product(wp, i0, wt, j0, m, A)
                for i in range(i0, min(i0 + TILE_ROWS, K)):
                    for j in range(i0 // TILE_LANES * TILE_LANES):
                        A[i, j] = A[j, i]
            if noisy:
                for i in range(n):
                    for j in range(n):
                        A[i, j] += A[n, j]
            symmetrised_error(A[:n, :n], S, c)
            for i0 in range(0, n, TILE_ROWS):
                for k0 in range(0, m, TILE_LANES):
                    _tile_product(Sc, i0, wp, k0, K, g)
            for i in range(n):
                wi, gi = w[i], g[i]
                if kind == GD:
                    for k in range(m):
                        bad += _gd_element(wi, gi, k, sc[0], sc[1])
                elif kind == PROX_GD:
                    for k in range(m):
                        bad += _prox_element(wi, gi, k, sc[0], sc[1])
                else:
                    mi, vi = M[inst, i], V[inst, i]
                    for k in range(m):
                        bad += _adamw_element(wi, gi, mi, vi, k, sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6],
                                              sc[7])
        if bad:
            return t + 1
    return 0


@numba.njit(nogil=True, cache=True, error_model="numpy")
def fused_gd_steps(W, xis, scalars):  # pragma: no cover - compiled
    """``_fused_steps`` for gradient descent: ``scalars[t]`` = (lr, l1) as ``gd_step_serial``."""
    return _fused_steps(W, W, W, xis, scalars, GD)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def fused_prox_gd_steps(W, xis, scalars):  # pragma: no cover - compiled
    """``_fused_steps`` for proximal GD: ``scalars[t]`` = (lr, lr·l1) as ``prox_gd_step_serial``."""
    return _fused_steps(W, W, W, xis, scalars, PROX_GD)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def fused_adamw_steps(W, M, V, xis, scalars):  # pragma: no cover - compiled
    """``_fused_steps`` for AdamW: ``scalars[t]`` as ``adamw_step_serial``'s, M and V its moments."""
    return _fused_steps(W, M, V, xis, scalars, ADAMW)
