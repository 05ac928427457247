"""A sparse dictionary (sparse autoencoder) over activation vectors, trained by projected Adam in numpy.

Model (Bricken et al. 2023, "Towards Monosemanticity", §Setup), for an activation vector x ∈ R^d and L latents:

    f = ReLU(W_e (x − b_d) + b_e) ∈ R^L,    x̂ = W_d f + b_d,
    loss of a minibatch {x_b}_{b=1..B} = (1/B) Σ_b (‖x_b − x̂_b‖² + λ‖f_b‖₁),

with W_e ∈ R^{L×d}, b_e ∈ R^L, W_d ∈ R^{d×L} (column l is latent l's dictionary direction), b_d ∈ R^d.

Training: every step draws a minibatch (successive random permutations of the N activation vectors, one
epoch after the other, remainders dropped), takes the analytic gradient (``dictionary_gradients``), applies
``torch.optim.Adam``'s update to all four parameters (``adam_update``, torch's formulas and defaults) and then
renormalises every decoder column to unit norm: *projected* Adam onto the product of unit spheres (the
constraint that keeps the ℓ1 penalty from being evaded by shrinking f and growing W_d). The Adam moments are
not modified by the projection. Initialisation: decoder columns drawn N(0, I_d) and normalised to unit
norm, W_e = W_dᵀ, b_e = 0, b_d = 0. No resampling of dead latents.

Units: ``steps`` are optimiser steps (one minibatch each); x, x̂, b_d are in the units of the activations;
f is in the same units (decoder columns are unit vectors, so f_l is the length of x̂'s component along
column l); λ has the units of the activations (loss = squared activation units).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from theory import validate

from . import _kernels
from ._minibatches import minibatches
from .train import DTYPES

__all__ = [
    "DictionaryConfig",
    "DictionaryResult",
    "adam_update",
    "dictionary_gradients",
    "dictionary_loss",
    "initial_dictionary",
    "train_dictionary",
]



@dataclass(frozen=True, kw_only=True)
class DictionaryConfig:
    """How to train a sparse dictionary: size, penalty, Adam settings, steps, minibatch, dtype.

    Parameters
    ----------
    latents : int
        Number of latents L (dictionary size, >= 1).
    l1 : float
        Sparsity coefficient λ >= 0 on ‖f‖₁ (activation units).
    lr : float
        Adam learning rate > 0.
    steps : int
        Optimiser steps (>= 1), one minibatch each.
    batch : int
        Minibatch size B (>= 1); capped at the number of activation vectors.
    betas, eps : Adam's (β₁, β₂) in [0, 1) and ε > 0; torch's defaults (0.9, 0.999), 1e-8.
    dtype : {"float32", "float64"}
        Arithmetic precision of training (the result is returned in this dtype).

    The defaults suit activations of order 1 such as the toy model's h = Wᵀx with x ∈ [0, 1]^n
    (λ = 0.1 shrinks each code by ≈ λ/2 = 0.05); lr = 0.01 is the largest rate that stayed stable there
    (0.03 collapsed every latent); by 30000 steps at B = 256 (≈ 20 s at d = 256, L = 128) the surplus
    latents of a 2n-latent dictionary had died or fire on < 1e-3 of the inputs (``bench/bench_dictionary.py``).

    Examples
    --------
    >>> from sims.dynamics.dictionary import DictionaryConfig
    >>> config = DictionaryConfig(latents=32, steps=2000)
    >>> config.l1, config.lr, config.batch, config.betas
    (0.1, 0.01, 256, (0.9, 0.999))
    >>> DictionaryConfig(latents=0)
    Traceback (most recent call last):
    ...
    ValueError: latents must be an integer >= 1, got 0
    """

    latents: int
    l1: float = 0.1
    lr: float = 1e-2
    steps: int = 30000
    batch: int = 256
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    dtype: str = "float32"

    def __post_init__(self):
        validate.integer("latents", self.latents, minimum=1)
        validate.real("l1", self.l1, minimum=0.0)
        validate.real("lr", self.lr, minimum=0.0, strict_min=True)
        validate.integer("steps", self.steps, minimum=1)
        validate.integer("batch", self.batch, minimum=1)
        validate.adam_settings(self.betas, self.eps)
        validate.choice("dtype", self.dtype, DTYPES)


@dataclass(frozen=True, eq=False)
class DictionaryResult:
    """A trained dictionary: f = ReLU(W_e(x − b_d) + b_e), x̂ = W_d f + b_d, and its training record.

    Attributes
    ----------
    config : DictionaryConfig
    encoder : array (L, d)
        W_e.
    encoder_bias : array (L,)
        b_e.
    decoder : array (d, L)
        W_d, unit columns (latent l's direction in activation space is column l).
    decoder_bias : array (d,)
        b_d.
    loss : array (steps,)
        Minibatch loss (1/B) Σ_b (‖x_b − x̂_b‖² + λ‖f_b‖₁) at each step, before that step's update.
    reconstruction : array (steps,)
        Its first term, the minibatch mean squared reconstruction error (1/B) Σ_b ‖x_b − x̂_b‖².
    seed : int or None
        Entropy of the root SeedSequence, or None when a Generator was passed in.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import DictionaryConfig, train_dictionary
    >>> x = np.random.default_rng(0).random((200, 3))
    >>> result = train_dictionary(x, DictionaryConfig(latents=4, steps=10, batch=50), rng=0)
    >>> result.encode(x).shape, result.reconstruct(x).shape, result.loss.shape
    ((200, 4), (200, 3), (10,))
    >>> np.allclose(np.linalg.norm(result.decoder, axis=0), 1.0)
    True
    """

    config: DictionaryConfig
    encoder: np.ndarray
    encoder_bias: np.ndarray
    decoder: np.ndarray
    decoder_bias: np.ndarray
    loss: np.ndarray
    reconstruction: np.ndarray
    seed: int | None

    def encode(self, x) -> np.ndarray:
        """Codes f = ReLU(W_e(x − b_d) + b_e), shape (N, L), for activations x of shape (N, d) (float64)."""
        x = _activations(x, self.decoder.shape[0])
        pre = (x - self.decoder_bias) @ self.encoder.T.astype(np.float64) + self.encoder_bias
        return np.maximum(pre, 0.0)

    def decode(self, f) -> np.ndarray:
        """Reconstructions x̂ = W_d f + b_d, shape (N, d), for codes f of shape (N, L) (float64)."""
        f = np.asarray(f, dtype=np.float64)
        return f @ self.decoder.T.astype(np.float64) + self.decoder_bias

    def reconstruct(self, x) -> np.ndarray:
        """x̂ = W_d ReLU(W_e(x − b_d) + b_e) + b_d for activations x of shape (N, d)."""
        return self.decode(self.encode(x))


def _activations(x, d: int | None = None) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"activations must have shape (N, d) with N, d >= 1, got shape {x.shape}")
    if d is not None and x.shape[1] != d:
        raise ValueError(f"activations must have d = {d} columns, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("activations must be finite")
    return x


def initial_dictionary(d: int, latents: int, *, rng, dtype="float64") -> tuple[np.ndarray, ...]:
    """Initial parameters (W_e, b_e, W_d, b_d): W_d columns N(0, I_d) normalised to unit length,
    W_e = W_dᵀ, b_e = 0 and b_d = 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import initial_dictionary
    >>> W_e, b_e, W_d, b_d = initial_dictionary(3, 5, rng=0)
    >>> W_e.shape, b_e.shape, W_d.shape, b_d.shape
    ((5, 3), (5,), (3, 5), (3,))
    >>> bool(np.allclose(np.linalg.norm(W_d, axis=0), 1) and np.array_equal(W_e, W_d.T))
    True
    """
    validate.integer("d", d, minimum=1)
    validate.integer("latents", latents, minimum=1)
    rng = validate.generator(rng)
    W_d = rng.standard_normal((d, latents))
    W_d /= np.linalg.norm(W_d, axis=0)
    W_d = W_d.astype(dtype)
    return (np.ascontiguousarray(W_d.T), np.zeros(latents, dtype), W_d, np.zeros(d, dtype))


def dictionary_loss(params, x, l1: float) -> float:
    """(1/B) Σ_b (‖x_b − x̂_b‖² + λ‖f_b‖₁) for parameters ``params`` = (W_e, b_e, W_d, b_d) and a
    minibatch x of shape (B, d); f = ReLU(W_e(x − b_d) + b_e), x̂ = W_d f + b_d.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import dictionary_loss
    >>> eye = np.eye(2)
    >>> x = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> dictionary_loss((eye, np.zeros(2), eye, np.zeros(2)), x, 0.5)  # exact reconstruction: λ mean ‖f‖₁
    0.75
    """
    W_e, b_e, W_d, b_d = params
    x = np.asarray(x)
    f = np.maximum((x - b_d) @ W_e.T + b_e, 0)
    r = f @ W_d.T + b_d - x
    return float(((r * r).sum() + l1 * f.sum()) / x.shape[0])


def dictionary_gradients(params, x, l1: float):
    """The loss (``dictionary_loss``) and its analytic gradient with respect to (W_e, b_e, W_d, b_d).

    With xc = x − b_d, p = xc W_eᵀ + b_e, f = ReLU(p), r = f W_dᵀ − xc = x̂ − x (rows are samples),
    G = (2/B) r and δ = (G W_d + λ/B) ⊙ 1[p > 0] (the ReLU's derivative taken as 0 at p = 0):

        ∂/∂W_d = Gᵀ f,   ∂/∂W_e = δᵀ xc,   ∂/∂b_e = Σ_b δ_b,   ∂/∂b_d = Σ_b G_b − (Σ_b δ_b) W_e.

    Five matrix products of size B·d·L. Returns ``(loss, reconstruction, (gW_e, gb_e, gW_d, gb_d))``
    with ``reconstruction`` = (1/B) Σ_b ‖r_b‖².

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import dictionary_gradients
    >>> eye = np.eye(2)
    >>> loss, mse, grads = dictionary_gradients((eye, np.zeros(2), eye, np.zeros(2)), np.eye(2), 0.5)
    >>> loss, mse, grads[1].tolist()  # ∂/∂b_e = λ/B per active latent when reconstruction is exact
    (0.5, 0.0, [0.25, 0.25])
    """
    W_e, b_e, W_d, b_d = params
    x = np.asarray(x)
    B = x.shape[0]
    xc = x - b_d
    pre = xc @ W_e.T
    pre += b_e
    f = np.maximum(pre, 0)
    r = f @ W_d.T
    r -= xc
    mse = float(np.vdot(r, r) / B)
    loss = mse + float(l1 * f.sum() / B)
    G = r
    G *= 2.0 / B
    gW_d = G.T @ f
    delta = G @ W_d
    delta += l1 / B
    delta *= pre > 0
    gW_e = delta.T @ xc
    gb_e = delta.sum(axis=0)
    gb_d = G.sum(axis=0) - gb_e @ W_e
    return loss, mse, (gW_e, gb_e, gW_d, gb_d)


def adam_update(param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int, *, lr: float,
                betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
    """One ``torch.optim.Adam`` step (no weight decay, no amsgrad), in place on ``param``, ``m`` and ``v``:

        m ← m + (1 − β₁)(g − m),   v ← β₂ v + (1 − β₂) g²,
        θ ← θ − (η/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε),

    t = ``step`` (1-based). This is torch's single-tensor implementation, operation for operation
    (``lerp`` for m), equal to the documented m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − η m̂/(√v̂ + ε).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import adam_update
    >>> p, m, v = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    >>> adam_update(p, np.array([0.5, -3.0]), m, v, 1, lr=0.1)  # first step: θ − η sign(g) (up to ε)
    >>> p.round(6).tolist()
    [0.9, -1.9]
    """
    beta1, beta2 = betas
    dt = param.dtype.type
    m += dt(1 - beta1) * (grad - m)
    v *= dt(beta2)
    v += dt(1 - beta2) * grad * grad
    step_size = dt(lr / (1 - beta1**step))
    denom = np.sqrt(v)
    denom /= dt(math.sqrt(1 - beta2**step))
    denom += dt(eps)
    param -= step_size * (m / denom)


#: Use the sparse backward kernel when at most this fraction of the minibatch's codes is active
#: (d = 256, L = 128, B = 256: dense numpy 1.2 ms per gradient, the kernel ≈ 0.5 ms + 3 ms × fraction).
SPARSE_FRACTION = 0.1

#: BLAS threads during training. On 2 cores shared with other processes, 2 OpenBLAS threads made a dense
#: step 10–20× slower than 1 (d = 256, L = 128, B = 256–1024, measured under load); on an idle machine
#: 2 threads save 0.1 ms of 0.5 on the sparse path, 0.4 of 1.1 on the dense one (bench/bench_dictionary.py).
BLAS_THREADS = 1


@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _sparse_backward(xc, pre, Dt, two_over_B, l1_over_B, gW_e, gb_e, gDt, gsum):  # pragma: no cover - compiled
    """``dictionary_gradients`` visiting only the active codes (p_bl > 0), rows of Dt = W_dᵀ.

    Writes ∂/∂W_e, ∂/∂b_e, ∂/∂W_dᵀ and Σ_b G_b into the output arrays (∂/∂b_d = Σ_b G_b − (∂/∂b_e) W_e is
    left to the caller); returns (Σ_b ‖r_b‖², Σ_bl f_bl). Cost O(B·d·(active codes per input)).
    Reassociated sums: equal to the dense products up to rounding, not bit for bit."""
    B, d = xc.shape
    L = pre.shape[1]
    gW_e[:] = 0
    gb_e[:] = 0
    gDt[:] = 0
    gsum[:] = 0
    r = np.empty(d, xc.dtype)
    act = np.empty(L, np.int64)
    sq = 0.0
    l1sum = 0.0
    for b in range(B):
        na = 0
        for l in range(L):
            if pre[b, l] > 0:
                act[na] = l
                na += 1
        for k in range(d):
            r[k] = -xc[b, k]
        for j in range(na):
            l = act[j]
            fl = pre[b, l]
            l1sum += fl
            for k in range(d):
                r[k] += fl * Dt[l, k]
        for k in range(d):
            sq += r[k] * r[k]
            r[k] *= two_over_B
            gsum[k] += r[k]
        for j in range(na):
            l = act[j]
            fl = pre[b, l]
            s = r[0] * 0
            for k in range(d):
                s += r[k] * Dt[l, k]
            delta = s + l1_over_B
            gb_e[l] += delta
            for k in range(d):
                gDt[l, k] += fl * r[k]
                gW_e[l, k] += delta * xc[b, k]
    return sq, l1sum


class _Trainer:
    """Parameters in the kernels' layout (decoder stored as Dt = W_dᵀ, rows = latents), Adam state and
    gradient buffers; ``step(x, t)`` does one projected Adam step on minibatch x and returns (loss, mse).

    The four parameters are views into one flat array (and so are their gradients and Adam moments), so
    one compiled pass updates them all."""

    def __init__(self, params, config: DictionaryConfig):
        W_e, b_e, W_d, b_d = params
        L, d = W_e.shape
        shapes = [(L, d), (L,), (L, d), (d,)]
        sizes = [math.prod(s) for s in shapes]
        offsets = np.cumsum([0, *sizes])
        dtype = W_e.dtype
        self.flat = [np.zeros(offsets[-1], dtype) for _ in range(4)]  # parameters, gradient, m, v

        def views(buf):
            return [buf[a:b].reshape(s) for a, b, s in zip(offsets[:-1], offsets[1:], shapes)]

        self.params = views(self.flat[0])
        for view, value in zip(self.params, (W_e, b_e, W_d.T, b_d)):
            view[...] = value
        self.grads = views(self.flat[1])
        self.gsum = np.zeros(d, dtype)
        self.config = config
        self.dt = dtype.type

    def gradients(self, x: np.ndarray) -> tuple[float, float]:
        W_e, b_e, Dt, b_d = self.params
        gW_e, gb_e, gDt, gb_d = self.grads
        B = x.shape[0]
        dt, l1 = self.dt, self.config.l1
        xc = x - b_d
        pre = xc @ W_e.T
        pre += b_e
        if np.count_nonzero(pre > 0) <= SPARSE_FRACTION * pre.size:
            sq, l1sum = _sparse_backward(xc, pre, Dt, dt(2.0 / B), dt(l1 / B), gW_e, gb_e, gDt, self.gsum)
            np.subtract(self.gsum, gb_e @ W_e, out=gb_d)
            mse = sq / B
            return mse + l1 * l1sum / B, mse
        f = np.maximum(pre, 0, out=pre)
        r = f @ Dt
        r -= xc
        mse = float(np.vdot(r, r)) / B
        loss = mse + l1 * float(f.sum()) / B
        r *= dt(2.0 / B)
        np.matmul(f.T, r, out=gDt)
        delta = r @ Dt.T
        delta += dt(l1 / B)
        delta *= f > 0
        np.matmul(delta.T, xc, out=gW_e)
        delta.sum(axis=0, out=gb_e)
        np.subtract(r.sum(axis=0), gb_e @ W_e, out=gb_d)
        return loss, mse

    def step(self, x: np.ndarray, t: int) -> tuple[float, float]:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the caller
            loss, mse = self.gradients(x)
            if not math.isfinite(loss):
                return loss, mse
            beta1, beta2 = self.config.betas
            dt = self.dt
            # Adam is AdamW without decay: λ = 0, decay factor 1 (torch's single-tensor update, ``_kernels``)
            _kernels.adamw_step_serial(*self.flat, dt(0), dt(1), dt(1 - beta1), dt(beta2), dt(1 - beta2),
                                       dt(self.config.lr / (1 - beta1**t)), dt(math.sqrt(1 - beta2**t)),
                                       dt(self.config.eps))
            Dt = self.params[2]
            Dt /= np.sqrt(np.einsum("lk,lk->l", Dt, Dt))[:, None]
        return loss, mse


def train_dictionary(activations, config: DictionaryConfig, *, rng) -> DictionaryResult:
    """Train a sparse dictionary f = ReLU(W_e(x − b_d) + b_e), x̂ = W_d f + b_d on activation vectors.

    Minimises (1/B) Σ_b (‖x_b − x̂_b‖² + λ‖f_b‖₁) over minibatches by projected Adam (Adam step,
    then every decoder column renormalised to unit norm), from W_d with random unit columns, W_e = W_dᵀ,
    b_e = b_d = 0 (module docstring). Units: ``config.steps`` optimiser steps; activation units throughout.

    The gradient of a minibatch is ``dictionary_gradients`` (dense products) while more than
    ``SPARSE_FRACTION`` of its codes are active, and the same formulas restricted to the active codes
    (a compiled kernel) once the codes are sparse; BLAS runs on ``BLAS_THREADS`` threads. Adam is
    ``adam_update`` as one compiled pass over all four parameters (``_kernels.adamw_step_serial`` with λ = 0 and no decay) (views of one flat array).
    Same seed, same numbers on a given machine; the kernel's reassociated sums and BLAS may change the
    last bits elsewhere.

    Parameters
    ----------
    activations : array (N, d)
        The activation vectors x (finite).
    config : DictionaryConfig
    rng : Generator, SeedSequence or int
        Source of the initial decoder and of the minibatch order (``theory.validate.generator``).
        Same seed, same numbers.

    Raises
    ------
    FloatingPointError
        If the loss becomes non-finite (lower ``config.lr``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import DictionaryConfig, train_dictionary
    >>> rng = np.random.default_rng(0)
    >>> s = rng.random((2000, 2)) * (rng.random((2000, 2)) < 0.2)   # sparse intensities of 2 features
    >>> directions = np.array([[0.6, 0.8, 0.0], [0.0, -0.6, 0.8]])  # unit feature directions in R^3
    >>> config = DictionaryConfig(latents=2, l1=0.01, lr=1e-2, steps=400, batch=100, dtype="float64")
    >>> result = train_dictionary(s @ directions, config, rng=1)
    >>> np.abs(directions @ result.decoder).max(axis=1).round(2).tolist()  # |cos| of each feature's best latent
    [1.0, 1.0]
    """
    from threadpoolctl import threadpool_limits

    if not isinstance(config, DictionaryConfig):
        raise ValueError(f"config must be a DictionaryConfig, got {config!r}")  # noqa: TRY004 (package convention)
    if rng is None or isinstance(rng, (int, np.integer)):
        validate.generator(rng)  # rejects negative seeds
        rng = np.random.SeedSequence(rng)
    seed = rng.entropy if isinstance(rng, np.random.SeedSequence) else None
    gen = validate.generator(rng)
    x_all = _activations(activations).astype(config.dtype)
    N, d = x_all.shape
    B = min(config.batch, N)
    trainer = _Trainer(initial_dictionary(d, config.latents, rng=gen, dtype=config.dtype), config)
    loss = np.empty(config.steps)
    mse = np.empty(config.steps)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        for t, idx in enumerate(minibatches(N, B, config.steps, rng=gen), start=1):
            loss[t - 1], mse[t - 1] = trainer.step(x_all[idx], t)
            if not math.isfinite(loss[t - 1]):
                raise FloatingPointError(f"dictionary loss became non-finite at step {t} (lr={config.lr:g}); "
                                         "lower lr")
    W_e, b_e, Dt, b_d = (p.copy() for p in trainer.params)
    return DictionaryResult(config, W_e, b_e, np.ascontiguousarray(Dt.T), b_d, loss, mse, seed)
