"""Training the toy model in numpy, batched over independent instances.

Units: ``steps`` are optimiser steps. For gradient descent with learning rate η, k steps
approximate the gradient flow dW/dt = −∂L/∂W at time t = kη (``sims.dynamics.gradient_flow``).

Optimisers (``TrainConfig.optimizer``):

* ``"gd"``: W ← W − η(∂L_data/∂W + λ sign W). With ``spec.noise`` set, each step draws a fresh
  ξ shared by all inputs and instances: this is the paper's SGD (fourth_norm.py).
* ``"prox_gd"``: W ← soft_threshold(W − η ∂L_data/∂W, ηλ), proximal gradient descent, which
  sets weights exactly to zero (the ℓ1 kink of the paper's §2.3).
* ``"adamw"``: torch.optim.AdamW with its defaults (β = (0.9, 0.999), ε = 1e-8, decoupled weight
  decay 0.01, bias correction), applied to ∂L/∂W with the L1 subgradient, as the paper trains.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numba
import numpy as np

from theory import validate
from theory.loss import data_gradient, loss
from theory.spec import ModelSpec

from . import _kernels
from ..measure.metrics import band_polysemantic_count, fourth_norm, l1_norms
from .schedule import Schedule

__all__ = ["DivergenceError", "TrainConfig", "TrainResult", "default_metrics", "initial_weights", "train"]

OPTIMIZERS = ("gd", "prox_gd", "adamw")
DTYPES = ("float32", "float64")


class DivergenceError(FloatingPointError):
    """Training produced NaN or inf; ``step`` is the optimiser step (1-based) where it happened.

    Examples
    --------
    >>> from sims.dynamics.train import DivergenceError
    >>> err = DivergenceError(6, "gd", 50.0)
    >>> err.step
    6
    >>> print(err)
    weights became non-finite at step 6 (gd, lr=50); lower lr or check the initial weights
    """

    def __init__(self, step: int, optimizer: str, lr: float):
        self.step = step
        super().__init__(
            f"weights became non-finite at step {step} ({optimizer}, lr={lr:g}); "
            "lower lr or check the initial weights")


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """How to train: optimiser, step size, number of steps and instances, dtype, recording.

    Parameters
    ----------
    optimizer : {"gd", "prox_gd", "adamw"}
    lr : float
        Learning rate η > 0 (optimiser-step units).
    steps : int
        Number of optimiser steps (>= 0).
    instances : int
        Independent models trained side by side (>= 1); they share noise draws, nothing else.
    dtype : {"float32", "float64"}
    betas, eps, weight_decay : AdamW only; torch defaults.
    record : Schedule
        Steps at which ``metrics`` are evaluated (0 and ``steps`` always included).
    keep_weights : bool
        Also keep a copy of W at every recorded step (memory: records × instances × n × m).

    Examples
    --------
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig
    >>> config = TrainConfig(optimizer="prox_gd", lr=0.1, steps=2000, instances=2, record=Schedule(every=500))
    >>> config.record.steps(config.steps).tolist()
    [0, 500, 1000, 1500, 2000]
    >>> round(config.lr * config.steps, 6)  # gradient-flow time t = ηk (the paper's τ = 4t)
    200.0
    """

    optimizer: str = "adamw"
    lr: float = 1e-3
    steps: int = 7500
    instances: int = 1
    dtype: str = "float64"
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.01
    record: Schedule = field(default_factory=lambda: Schedule(points=50))
    keep_weights: bool = False

    def __post_init__(self):
        validate.choice("optimizer", self.optimizer, OPTIMIZERS)
        validate.real("lr", self.lr, minimum=0.0, strict_min=True)
        validate.integer("steps", self.steps, minimum=0)
        validate.integer("instances", self.instances, minimum=1)
        validate.choice("dtype", self.dtype, DTYPES)
        validate.adam_settings(self.betas, self.eps)
        validate.real("weight_decay", self.weight_decay, minimum=0.0)
        if not isinstance(self.record, Schedule):
            raise ValueError(f"record must be a Schedule, got {self.record!r}")


@dataclass(frozen=True)
class TrainResult:
    """Outcome of ``train``: initial and final weights (instances, n, m) and the recorded history.

    ``history[name]`` has shape (len(steps), instances); ``weights`` (if kept) has shape
    (len(steps), instances, n, m). ``seed`` is the entropy of the root SeedSequence, or None when
    a Generator was passed in.

    Examples
    --------
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig, train
    >>> config = TrainConfig(optimizer="prox_gd", lr=0.1, steps=200, instances=2, record=Schedule(every=100),
    ...                      keep_weights=True)
    >>> result = train(ModelSpec(n=4, m=8, l1=0.1), config, rng=0)
    >>> result.steps.tolist(), result.history["loss"].shape, result.weights.shape, result.seed
    ([0, 100, 200], (3, 2), (3, 2, 4, 8), 0)
    >>> bool((result.weights[0] == result.W0).all() and (result.weights[-1] == result.W).all())
    True
    """

    spec: ModelSpec
    config: TrainConfig
    W0: np.ndarray
    W: np.ndarray
    steps: np.ndarray
    history: Mapping[str, np.ndarray]
    weights: np.ndarray | None
    seed: int | None


def default_metrics(W: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
    """Per-instance summaries: noiseless loss, mean fourth norm, mean ‖W_i‖₁, band polysemantic count.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.train import default_metrics
    >>> W = np.eye(4, 8)
    >>> W[3] = -W[0]  # features 0 and 3 share neuron 0 with opposite signs
    >>> {key: round(float(v), 4) for key, v in default_metrics(W, ModelSpec(n=4, m=8, l1=0.1)).items()}
    {'loss': 0.4, 'fourth_norm': 1.0, 'l1_norm': 1.0, 'polysemantic': 1.0}
    """
    return {
        "loss": loss(W, l1=spec.l1),
        "fourth_norm": np.nanmean(fourth_norm(W), axis=-1),
        "l1_norm": l1_norms(W).mean(axis=-1),
        "polysemantic": band_polysemantic_count(W),
    }


def _generator(rng) -> tuple[np.random.Generator, int | None]:
    if isinstance(rng, np.random.Generator):
        return rng, None
    if rng is None or isinstance(rng, (int, np.integer)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng must be a non-negative integer seed, got {rng!r}")
        ss = np.random.SeedSequence(rng)
    elif isinstance(rng, np.random.SeedSequence):
        ss = rng
    else:
        raise ValueError(f"rng must be a numpy Generator, SeedSequence, integer seed or None, got {rng!r}")
    return np.random.default_rng(ss), ss.entropy


def initial_weights(spec: ModelSpec, instances: int, *, rng: np.random.Generator) -> np.ndarray:
    """W_ik ~ N(0, 1/m), float64 of shape (instances, n, m); instance j uses the j-th stream
    spawned from ``rng``, so it does not depend on how many instances are drawn.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.train import initial_weights
    >>> spec = ModelSpec(n=4, m=8)
    >>> W0 = initial_weights(spec, 2, rng=np.random.default_rng(0))
    >>> W0.shape
    (2, 4, 8)
    >>> bool(np.array_equal(initial_weights(spec, 3, rng=np.random.default_rng(0))[:2], W0))
    True
    """
    validate.integer("instances", instances, minimum=1)
    return np.stack([child.normal(0.0, spec.init_std, size=spec.shape) for child in rng.spawn(instances)])


def _start(spec: ModelSpec, config: TrainConfig, W0, rng) -> np.ndarray:
    if W0 is None:
        return initial_weights(spec, config.instances, rng=rng).astype(config.dtype)
    W0 = np.array(W0, dtype=config.dtype, order="C", copy=True)
    if W0.shape == spec.shape and config.instances == 1:
        W0 = W0[None]
    want = (config.instances, spec.n, spec.m)
    if W0.shape != want:
        raise ValueError(f"W0 must have shape {want} (instances, n, m), got {W0.shape}")
    if not np.all(np.isfinite(W0)):
        raise ValueError("W0 must be finite")
    return W0


class _Update:
    """The optimiser's kernels (parallel, serial and fused: ``_kernels``), state arrays (shaped like W) and
    per-step scalars."""

    def __init__(self, spec: ModelSpec, config: TrainConfig, W: np.ndarray):
        dt = W.dtype.type
        self.dt, self.config = dt, config
        self.state: list[np.ndarray] = []
        if config.optimizer == "gd":
            self.parallel, self.serial, self.fused = _kernels.gd_step, _kernels.gd_step_serial, _kernels.fused_gd_steps
            self.fixed = (dt(config.lr), dt(spec.l1))
        elif config.optimizer == "prox_gd":
            self.parallel, self.serial = _kernels.prox_gd_step, _kernels.prox_gd_step_serial
            self.fused = _kernels.fused_prox_gd_steps
            self.fixed = (dt(config.lr), dt(config.lr * spec.l1))
        else:
            self.parallel, self.serial = _kernels.adamw_step, _kernels.adamw_step_serial
            self.fused = _kernels.fused_adamw_steps
            self.state = [np.zeros_like(W), np.zeros_like(W)]
            beta1, beta2 = config.betas
            self.fixed = (dt(spec.l1), dt(1 - config.lr * config.weight_decay), dt(1 - beta1), dt(beta2),
                          dt(1 - beta2))

    def scalars(self, step: int) -> tuple:
        """Kernel scalars for optimiser step ``step`` (1-based): AdamW's bias corrections change."""
        if self.config.optimizer != "adamw":
            return self.fixed
        beta1, beta2 = self.config.betas
        dt = self.dt
        return self.fixed + (dt(self.config.lr / (1 - beta1**step)), dt(math.sqrt(1 - beta2**step)),
                             dt(self.config.eps))


def _scatter(W: np.ndarray, work: np.ndarray, cols: np.ndarray) -> None:
    """W[i][:, cols[i]] = work[i] for every instance i (the live columns back into the full weights)."""
    np.put_along_axis(W, np.broadcast_to(cols[:, None, :], work.shape), work, axis=2)


#: Train on the live columns once at most this fraction of the current width is live.
COMPACT_FRACTION = 0.75


def _live_columns(W: np.ndarray, work: np.ndarray, cols: np.ndarray | None):
    """The live columns of every instance, gathered into a narrower array, or None if not worth it.

    ``work`` holds columns ``cols`` (instances, K) of W (all of W when ``cols`` is None). A column
    k of an instance is dead when W_ik = 0 for every feature i: then (∂L_data/∂W)_ik = Σ_j S_ij W_jk = 0
    (no noise), and a (proximal) GD step leaves it 0, so dropping it changes no arithmetic except
    the order of the sums in W Wᵀ (last-bit differences). Returns ``(work, cols)`` with width
    K = the largest live count over instances, each instance's live columns first (in order), then
    dead ones as padding (zero columns that stay zero), when K ≤ ``COMPACT_FRACTION`` × current width.
    """
    live = np.any(work != 0, axis=1)
    K = max(int(live.sum(axis=1).max()), 1)
    if K > COMPACT_FRACTION * work.shape[2]:
        return None
    if cols is not None:
        _scatter(W, work, cols)
    live = np.any(W != 0, axis=1)
    cols = np.argsort(~live, axis=1, kind="stable")[:, :K]
    return np.ascontiguousarray(np.take_along_axis(W, cols[:, None, :], axis=2)), cols


#: Longest run of steps between synchronisations of the worker threads (bounds the pre-drawn noise).
STRETCH = 256

#: Per-instance threading pays off once each instance's n·m reaches this size.
PER_INSTANCE_MIN_SIZE = 1 << 14

#: Models with n·m at most this run whole stretches of steps in one compiled call (``_kernels.fused_*_steps``)
#: on the batched path; larger ones take numpy's BLAS (``bench/bench_noisy_step.py``). 0 switches it off.
FUSED_MAX_SIZE = 1 << 14


def _use_per_instance(W: np.ndarray) -> bool:
    return W.shape[0] >= 2 and W.shape[1] * W.shape[2] >= PER_INSTANCE_MIN_SIZE and numba.get_num_threads() >= 2


def _noise_draws(noise, m: int, count: int, gen: np.random.Generator, dtype) -> np.ndarray:
    """``count`` noise draws ξ ∈ R^m as rows of a (count, m) array of ``dtype``: the numbers of ``count``
    successive ``noise.sample(m, rng=gen)`` calls, from one call where that draws the same numbers.

    It does for every family but bipolar, whose int8 draws come four to a 32-bit word from a buffer
    each call starts afresh (numpy's ``Generator.integers``): a call of m bytes consumes ⌈m/4⌉ words,
    so one call for the stretch matches the per-step calls only when 4 divides m
    (``tests/test_train.py::test_one_noise_call_per_stretch_draws_the_per_step_numbers``).
    """
    if noise.family != "bipolar" or m % 4 == 0:
        return noise.sample((count, m), rng=gen).astype(dtype)
    return np.stack([noise.sample(m, rng=gen) for _ in range(count)]).astype(dtype)


@contextmanager
def _batched_steps(W: np.ndarray, update: _Update, gradient: Callable[[np.ndarray], np.ndarray] | None = None):
    """One step for all instances at once: batched BLAS products, then one parallel kernel pass.
    ``gradient(W)``, if given, replaces the one-hot data gradient (``train``'s ``gradient``).

    Small models (n·m ≤ ``FUSED_MAX_SIZE``) with the one-hot gradient instead run each stretch in one
    call of the fused kernel: per step it costs the arithmetic (a few µs at n = 8, m = 16, 8 instances)
    rather than a dozen numpy calls (~50 µs); the order of its sums differs from BLAS, so numbers differ
    in the last bits.

    With several instances the products are small and BLAS runs single-threaded: a threaded BLAS
    spinning next to numba's threads made a step of 8 instances at n = 64, m = 128 about 20× slower
    (``bench/bench_train_threads.py``)."""
    from threadpoolctl import threadpool_limits

    if gradient is None and W.shape[1] * W.shape[2] <= FUSED_MAX_SIZE:
        def fused(steps: range, xis: np.ndarray | None) -> int:
            scalars = np.array([update.scalars(step) for step in steps], dtype=W.dtype)
            if xis is None:
                xis = np.empty((len(steps), 0), dtype=W.dtype)
            bad = update.fused(W, *update.state, xis, scalars)
            return steps[bad - 1] if bad else 0

        yield fused
        return

    grad = np.empty_like(W)
    flat = [W.reshape(-1), grad.reshape(-1)] + [s.reshape(-1) for s in update.state]
    # below PARALLEL_MIN_SIZE elements waking numba's threads costs more than the update: the serial kernel
    # (the same elementwise formulas, so the same numbers)
    small = W.size < _kernels.PARALLEL_MIN_SIZE

    def advance(steps: range, xis: np.ndarray | None) -> int:
        for step, xi in zip(steps, [None] * len(steps) if xis is None else xis):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the kernel
                if gradient is None:
                    data_gradient(W, xi=xi, out=grad)
                else:
                    grad[...] = gradient(W)
            if (update.serial(*flat, *update.scalars(step)) if small
                    else _kernels.run(update.parallel, *flat, *update.scalars(step))):
                return step
        return 0

    if W.shape[0] >= 2:
        with threadpool_limits(limits=1, user_api="blas"):
            yield advance
    else:
        yield advance


@contextmanager
def _per_instance_steps(W: np.ndarray, update: _Update):
    """One step per instance on a pool of threads (one per numba thread), each running the whole
    step of its instance with single-threaded BLAS and serial GIL-free kernels: the thread pools of
    BLAS and numba no longer compete for the cores, and each instance's data stays in cache."""
    from threadpoolctl import threadpool_limits

    I, n, _ = W.shape
    grad = np.empty_like(W)
    S = np.empty((I, n, n), dtype=W.dtype)
    colsum = np.empty((I, n), dtype=W.dtype)
    A = np.empty((I, n, n), dtype=W.dtype)
    flat = [[W[i].reshape(-1), grad[i].reshape(-1)] + [s[i].reshape(-1) for s in update.state] for i in range(I)]

    def instance(i: int, scalars: tuple, xi) -> int:
        Wi = W[i]
        np.matmul(Wi, Wi.T, out=A[i])
        if xi is None:
            _kernels.symmetric_error(A[i], S[i])
            np.matmul(S[i], Wi, out=grad[i])
        else:
            A[i] += (Wi @ xi)[None, :]
            _kernels.symmetrised_error(A[i], S[i], colsum[i])
            np.matmul(S[i], Wi, out=grad[i])
            grad[i] += colsum[i][:, None] * xi
        return update.serial(*flat[i], *scalars)

    threads = min(numba.get_num_threads(), I)
    shares = [range(t, I, threads) for t in range(threads)]  # one task per thread and stretch

    def share(instances: range, steps: range, scalars: list, xis: list) -> int:
        """Run every step of the stretch for these instances; return the first diverging step or 0.
        Instances are independent (noise draws are made beforehand), so threads need no sync."""
        # errstate is per thread; divergence is reported by the kernels' non-finite count
        with np.errstate(over="ignore", invalid="ignore"):
            for step, sc, xi in zip(steps, scalars, xis):
                if sum(instance(i, sc, xi) for i in instances):
                    return step
        return 0

    def advance(steps: range, xis: np.ndarray | None) -> int:
        scalars = [update.scalars(step) for step in steps]
        if xis is None:
            xis = [None] * len(steps)
        bad = [b for b in pool.map(share, shares, [steps] * threads, [scalars] * threads, [xis] * threads) if b]
        return min(bad, default=0)

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=threads) as pool:
        yield advance


def train(spec: ModelSpec, config: TrainConfig, *, W0=None, rng=None,
          metrics: Callable[[np.ndarray, ModelSpec], Mapping[str, np.ndarray]] = default_metrics,
          gradient: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
          ) -> TrainResult:
    """Train ``config.instances`` independent copies of the model for ``config.steps`` steps.

    Minimises L = Σ_ij (ReLU(A_ij) − δ_ij)² + λ‖W‖₁ (``theory.loss.loss``; λ = ``spec.l1`` in code
    units, the paper's λ′ = λ/4). Units: ``config.steps`` are optimiser steps; for "gd" and "prox_gd"
    at rate η, k steps approximate the gradient flow dW/dt = −∂L/∂W at t = kη (the paper's τ = 4t).

    Parameters
    ----------
    spec : ModelSpec
    config : TrainConfig
    W0 : array of shape (instances, n, m), optional
        Initial weights; drawn N(0, 1/m) from ``rng`` when omitted.
    rng : Generator, SeedSequence, int or None
        Source of the initialisation and of the noise draws. Same seed, same numbers.
    metrics : callable
        ``metrics(W, spec)`` → dict of per-instance arrays, evaluated at the recorded steps.
    gradient : callable, optional
        ``gradient(W, *, rng)`` → ∂L_data/∂W (shape of W, without the L1 term, which the optimiser
        applies from ``spec.l1``), replacing the one-hot data gradient: other input laws, e.g.
        co-occurring features (``sims.dynamics.cooccurrence``). Called once per step with the run's
        generator; needs ``spec.noise`` None.

    Raises
    ------
    DivergenceError
        If a weight becomes NaN or inf; the message gives the step.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig, train
    >>> spec = ModelSpec(n=4, m=8, l1=0.1)
    >>> config = TrainConfig(optimizer="prox_gd", lr=0.1, steps=2000, instances=2, record=Schedule(every=1000))
    >>> result = train(spec, config, rng=0)  # t = ηk = 200, λt = 20
    >>> result.steps.tolist()
    [0, 1000, 2000]
    >>> np.round(result.history["loss"][-1], 3).tolist()  # 4ℓ*(λ): each feature on one neuron, w* ≈ 0.987
    [0.397, 0.397]
    >>> result.history["polysemantic"][-1].tolist()  # instance 0 keeps an incidental ± pair (free at p = 0)
    [1, 0]
    """
    if not isinstance(spec, ModelSpec):
        raise ValueError(f"spec must be a ModelSpec, got {spec!r}")
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {config!r}")
    gen, seed = _generator(rng)
    W = _start(spec, config, W0, gen)
    W0 = W.copy()
    record_steps = config.record.steps(config.steps)
    records: dict[str, list] = {}
    snapshots = []

    def record(Wcur, step):
        with np.errstate(over="ignore", invalid="ignore"):
            values = {key: np.asarray(value) for key, value in metrics(Wcur, spec).items()}
        if "loss" in values and not np.all(np.isfinite(values["loss"])):
            raise DivergenceError(step, config.optimizer, config.lr)
        for key, value in values.items():
            records.setdefault(key, []).append(value)
        if config.keep_weights:
            snapshots.append(Wcur.copy())

    update = _Update(spec, config, W)
    if gradient is not None:
        if not callable(gradient):
            raise ValueError(f"gradient must be callable gradient(W, *, rng), got {gradient!r}")
        if spec.noise is not None:
            raise ValueError("gradient replaces the data gradient and cannot be combined with spec.noise")
        custom = gradient

        def step_fn(W, update):
            return _batched_steps(W, update, lambda Wc: custom(Wc, rng=gen))
    else:
        per_instance = _use_per_instance(W)  # decided at full width: compacting keeps the layout

        def step_fn(W, update):
            return (_per_instance_steps if per_instance else _batched_steps)(W, update)
    next_record = 0
    if record_steps[0] == 0:  # always true: schedules include step 0
        record(W, 0)
        next_record = 1
    # Without noise, a custom gradient or optimiser state, an all-zero column of W has zero gradient
    # and stays zero, so the steps run on the live columns only (``_live_columns``).
    compactable = gradient is None and spec.noise is None and config.optimizer != "adamw"
    work, cols = W, None
    done = 0
    with ExitStack() as stack:
        advance = stack.enter_context(step_fn(work, update))
        # run stretches of steps between records; the stretch's noise is drawn beforehand, step by step in order
        for stop in record_steps[next_record:]:
            while done < stop:
                if compactable and done > 0:
                    live = _live_columns(W, work, cols)
                    if live is not None:
                        stack.close()
                        work, cols = live
                        advance = stack.enter_context(step_fn(work, update))
                steps = range(done + 1, min(int(stop), done + STRETCH) + 1)
                xis = None if spec.noise is None else _noise_draws(spec.noise, spec.m, len(steps), gen, W.dtype)
                bad = advance(steps, xis)
                if bad:
                    raise DivergenceError(bad, config.optimizer, config.lr)
                done = steps[-1]
            if cols is not None:
                _scatter(W, work, cols)
            record(W, int(stop))
    history = {key: np.stack(values) for key, values in records.items()}
    weights = np.stack(snapshots) if config.keep_weights else None
    return TrainResult(spec, config, W0, W, record_steps, history, weights, seed)
