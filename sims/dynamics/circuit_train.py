"""Training the two-hidden-layer circuit model in numpy, batched over independent instances.

Minimises, per instance (``theory.circuits``; code units, summed squared error),

    L = Σ_ij (ReLU(M_ij) − T_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁),   M = (W1 + 1ξᵀ) V W2ᵀ,

with the optimisers of ``sims.dynamics.train`` (``TrainConfig``): "gd" (with ``spec.noise``, a fresh
ξ ∈ R^{m1} per step shared by all inputs and instances: SGD), "prox_gd" (gradient step on the data
term, then soft threshold ηλ on every weight of the three matrices) and "adamw" (torch.optim.AdamW
with its defaults, applied to the data gradient plus λ sign(w)). Units: ``config.steps`` are
optimiser steps; for GD at rate η, k steps approximate the gradient flow at time t = kη.

Layout: each instance's three matrices live in one flat row of a (instances, P) buffer,
P = n·m1 + m1·m2 + n·m2 (W1, then V, then W2, each C-ordered), and so do its gradient and AdamW
moments. The element update is one call of the existing ``_kernels`` step kernel (``gd_step``,
``prox_gd_step``, ``adamw_step`` or their serial twins) on the whole flat buffer (batched path) or on
one instance's row (per-instance path), with ``train``'s own kernel scalars; so every element follows
exactly the update formula of ``train``. The matrix products are numpy's BLAS: per instance
P = H V, M = P W2ᵀ, D = 2(ReLU(M) − T) ⊙ 1[M > 0], Q = D W2, then ∂W1 = Q Vᵀ, ∂V = Hᵀ Q, ∂W2 = Dᵀ P
(3 n·m1·m2 + 3 n²·m2 multiply-adds, against 1.5 n²·m for one step of the tied model: at
n = 256, m1 = m2 = m = 1024 the circuit step has 10× the arithmetic; ``bench/bench_circuit_train.py``).

Measured at small sizes (n = 8, m1 = m2 = 16 and n = 16, m1 = m2 = 8, λ = 0.01, 8 instances;
``tests/test_circuits.py``): prox-GD (η = 0.1, 20000 steps) ends with exactly one nonzero in every learned
feature's W1 row and in its target's W2 row, one nonzero of V per path weight, and the learned virtual weights
at the exact L1 fixed points; but 11–23% of the features stay unlearned, with all-zero rows, because they
started with M_iπ(i) ≤ 0 (no gradient through the output ReLU: ``theory.circuits``, initialisation). AdamW
(lr 0.01, 10000 steps) learned every feature at n = 8, m = 16.

The oriented start (``orient=True`` of ``train_circuit`` and ``initial_circuit_weights``; ``orient_readouts``) flips
the sign of each read-out row W2_π(i) whose intended virtual weight starts negative, so every M_iπ(i)(0) ≥ 0:
magnitudes, and so the neurons the features are placed on in either layer, are those of the independent draw.
With it prox-GD learns every feature at the sizes above (``tests/test_circuits.py``) and at n = 32,
m ∈ {32, 64, 128} (ledger claims ``circuits.orientation``, ``circuits.plain-init-dead-stay-dead``: 1.00 against
0.55–0.70 from the plain start).

Paths (as ``train``): several instances with at least ``PER_INSTANCE_MIN_SIZE`` weights each and
≥ 2 numba threads run one thread per numba thread, each doing whole steps of its instances with
single-threaded BLAS and the serial kernel; otherwise all instances step together (single-threaded
BLAS when there are several instances, since their products are small).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np

from theory import validate
from theory.circuits import CircuitSpec, circuit_loss, virtual_weights

from . import _kernels
from .train import (
    STRETCH,
    DivergenceError,
    TrainConfig,
    _generator,
    _noise_draws,
    _Update,
)

__all__ = ["CircuitTrainResult", "default_circuit_metrics", "initial_circuit_weights", "orient_readouts",
           "train_circuit"]

#: Per-instance threading once each instance has at least this many weights (n·m1 + m1·m2 + n·m2).
PER_INSTANCE_MIN_SIZE = 1 << 14


@dataclass(frozen=True)
class CircuitTrainResult:
    """Outcome of ``train_circuit``: initial and final (W1, V, W2) and the recorded history.

    ``initial`` and ``final`` are tuples (W1, V, W2) of shapes (instances, n, m1), (instances, m1, m2),
    (instances, n, m2); ``history[name]`` has shape (len(steps), instances); ``weights`` (if kept) is a
    tuple of the three matrices at every recorded step, each with a leading axis of len(steps).
    ``seed`` is the entropy of the root SeedSequence, or None when a Generator was passed in.

    Examples
    --------
    >>> from theory.circuits import CircuitSpec
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig
    >>> from sims.dynamics.circuit_train import train_circuit
    >>> config = TrainConfig(optimizer="prox_gd", lr=0.05, steps=100, instances=2, record=Schedule(every=50),
    ...                      keep_weights=True)
    >>> result = train_circuit(CircuitSpec(n=3, m1=4, m2=5, l1=0.01), config, rng=0)
    >>> result.steps.tolist(), result.history["loss"].shape, [w.shape for w in result.weights], result.seed
    ([0, 50, 100], (3, 2), [(3, 2, 3, 4), (3, 2, 4, 5), (3, 2, 3, 5)], 0)
    >>> W1, V, W2 = result.final
    >>> bool((result.weights[1][-1] == V).all() and (result.weights[0][0] == result.initial[0]).all())
    True
    """

    spec: CircuitSpec
    config: TrainConfig
    initial: tuple[np.ndarray, np.ndarray, np.ndarray]
    final: tuple[np.ndarray, np.ndarray, np.ndarray]
    steps: np.ndarray
    history: Mapping[str, np.ndarray]
    weights: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    seed: int | None


def default_circuit_metrics(W1: np.ndarray, V: np.ndarray, W2: np.ndarray,
                            spec: CircuitSpec) -> dict[str, np.ndarray]:
    """Per-instance summaries of the noiseless model (ξ = 0), each of shape W1.shape[:-2]:

    * ``loss``: L with the L1 term (code units, ``theory.circuits.circuit_loss``);
    * ``interference``: Σ over spurious entries (T_ij = 0) of ReLU(M_ij)², the part of the error that
      connections between different features cost;
    * ``intended``: mean over features of the intended virtual weight M_{i,π(i)} (target 1);
    * ``l1_norm``: ‖W1‖₁ + ‖V‖₁ + ‖W2‖₁.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import CircuitSpec
    >>> from sims.dynamics.circuit_train import default_circuit_metrics
    >>> I2 = np.eye(2)
    >>> V = np.array([[1.0, 0.5], [0.0, 1.0]])  # a leak from neuron 0 to neuron 1: input 0 reaches output 1
    >>> metrics = default_circuit_metrics(I2, V, I2, CircuitSpec(n=2, m1=2, m2=2, l1=0.1))
    >>> {key: round(float(v), 4) for key, v in metrics.items()}
    {'loss': 0.9, 'interference': 0.25, 'intended': 1.0, 'l1_norm': 6.5}
    """
    M = virtual_weights(W1, V, W2)
    n = spec.n
    rows, cols = np.arange(n), spec.target_index
    R = np.maximum(M, 0)
    intended = M[..., rows, cols]
    R[..., rows, cols] = 0
    return {
        "loss": circuit_loss(W1, V, W2, spec=spec),
        "interference": np.sum(R * R, axis=(-2, -1)),
        "intended": intended.mean(axis=-1),
        "l1_norm": sum(np.sum(np.abs(a), axis=(-2, -1)) for a in (W1, V, W2)),
    }


def initial_circuit_weights(spec: CircuitSpec, instances: int, *, rng: np.random.Generator,
                            orient: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W1_ik ~ N(0, 1/m1), V_kl ~ N(0, 1/m2), W2_jl ~ N(0, 1/m2), float64, stacked over instances.

    Every row of every matrix has unit expected squared norm (``theory.circuits``, initialisation).
    Instance j draws W1, V, W2 in that order from the j-th stream spawned from ``rng``, so it does not
    depend on how many instances are drawn. With ``orient``, the draw is then passed through
    ``orient_readouts`` (no further random numbers): every intended virtual weight M_iπ(i) starts > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import CircuitSpec
    >>> from sims.dynamics.circuit_train import initial_circuit_weights
    >>> spec = CircuitSpec(n=4, m1=8, m2=6)
    >>> W1, V, W2 = initial_circuit_weights(spec, 2, rng=np.random.default_rng(0))
    >>> W1.shape, V.shape, W2.shape
    ((2, 4, 8), (2, 8, 6), (2, 4, 6))
    >>> bool(np.array_equal(initial_circuit_weights(spec, 3, rng=np.random.default_rng(0))[1][:2], V))
    True
    >>> O1, OV, O2 = initial_circuit_weights(spec, 2, rng=np.random.default_rng(0), orient=True)
    >>> bool(np.array_equal(O1, W1) and np.array_equal(np.abs(O2), np.abs(W2)))  # only W2's signs change
    True
    """
    if not isinstance(spec, CircuitSpec):
        raise ValueError(f"spec must be a CircuitSpec, got {spec!r}")  # noqa: TRY004 (package convention)
    validate.integer("instances", instances, minimum=1)
    if not isinstance(orient, (bool, np.bool_)):
        raise ValueError(f"orient must be True or False, got {orient!r}")  # noqa: TRY004 (package convention)
    draws = [[child.normal(0.0, std, size=shape) for shape, std in zip(spec.shapes, spec.init_stds)]
             for child in rng.spawn(instances)]
    W1, V, W2 = (np.stack(mats) for mats in zip(*draws))
    return orient_readouts(W1, V, W2, spec) if orient else (W1, V, W2)


def orient_readouts(W1, V, W2, spec: CircuitSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W1, V, S W2) with S = diag(s), s_π(i) = sign of M_iπ(i) (1 where M_iπ(i) = 0): every M_iπ(i) ≥ 0.

    M = W1 V W2ᵀ; flipping the read-out row W2_c of output c = π(i) flips column c of M and nothing else,
    and π is a permutation, so each intended weight M_iπ(i) gets its own sign: after the flip
    M_iπ(i) = |M_iπ(i)|. Every entry keeps its magnitude, so each W2 row keeps its norm and its largest
    |entry| (the neuron an output is read from), and the layers keep their independent placement: which
    neurons hold which features is that of the independent draw. Only the signs of W2's rows now depend on
    W1 and V (marginally each row is still N(0, I/m2), by the symmetry w ↦ −w). Why: a feature with
    M_iπ(i) ≤ 0 gets no gradient from its own error through the output ReLU (``theory.circuits``,
    initialisation), and under GD or prox-GD about half the features stay dead. Dimensionless; any leading
    (instance) shape; returns new arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import CircuitSpec, virtual_weights
    >>> from sims.dynamics.circuit_train import orient_readouts
    >>> spec = CircuitSpec(n=2, m1=1, m2=1, target="permutation", permutation=[1, 0])
    >>> W1, V, W2 = np.array([[1.0], [2.0]]), np.array([[1.0]]), np.array([[-1.0], [0.5]])
    >>> virtual_weights(W1, V, W2)[[0, 1], [1, 0]].tolist()  # intended M_01, M_10
    [0.5, -2.0]
    >>> O1, OV, O2 = orient_readouts(W1, V, W2, spec)
    >>> O2.tolist(), virtual_weights(O1, OV, O2)[[0, 1], [1, 0]].tolist()  # output 0 (= π(1)) flipped
    ([[1.0], [0.5]], [0.5, 2.0])
    """
    if not isinstance(spec, CircuitSpec):
        raise ValueError(f"spec must be a CircuitSpec, got {spec!r}")  # noqa: TRY004 (package convention)
    W1, V, W2 = (np.array(a, dtype=np.float64) for a in (W1, V, W2))
    if W1.shape[-2:] != spec.shapes[0] or V.shape[-2:] != spec.shapes[1] or W2.shape[-2:] != spec.shapes[2]:
        raise ValueError(f"W1, V, W2 must end in the shapes {spec.shapes} of spec, got {W1.shape}, {V.shape}, "
                         f"{W2.shape}")
    rows, cols = np.arange(spec.n), spec.target_index
    intended = virtual_weights(W1, V, W2)[..., rows, cols]
    s = np.where(intended < 0, -1.0, 1.0)
    flips = np.empty_like(s)
    flips[..., cols] = s  # output c = π(i) takes the sign of M_iπ(i)
    return W1, V, W2 * flips[..., :, None]


def _offsets(spec: CircuitSpec) -> list[int]:
    sizes = [a * b for a, b in spec.shapes]
    return [0, sizes[0], sizes[0] + sizes[1], sum(sizes)]


def _views(X: np.ndarray, spec: CircuitSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W1, V, W2 as views into the rows of the flat (instances, P) buffer ``X`` (or one row, shape (P,))."""
    o = _offsets(spec)
    lead = X.shape[:-1]
    return tuple(X[..., o[k]:o[k + 1]].reshape(lead + shape) for k, shape in enumerate(spec.shapes))


def _start(spec: CircuitSpec, config: TrainConfig, W0, rng, orient: bool) -> np.ndarray:
    """The flat (instances, P) parameter buffer in ``config.dtype``, from ``W0`` or drawn from ``rng``."""
    I = config.instances
    X = np.empty((I, spec.parameters), dtype=config.dtype)
    if W0 is None:
        mats = initial_circuit_weights(spec, I, rng=rng, orient=orient)
    else:
        if not (isinstance(W0, (tuple, list)) and len(W0) == 3):
            raise ValueError(f"W0 must be a tuple (W1, V, W2), got {type(W0).__name__}")
        mats = []
        for name, value, shape in zip(("W1", "V", "W2"), W0, spec.shapes):
            a = np.asarray(value, dtype=config.dtype)
            if a.shape == shape and I == 1:
                a = a[None]
            if a.shape != (I, *shape):
                raise ValueError(f"W0's {name} must have shape {(I, *shape)} (instances, ...), got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"W0's {name} must be finite")
            mats.append(a)
    for view, a in zip(_views(X, spec), mats):
        view[...] = a
    return X


class _Workspace:
    """Temporaries of the data gradient for a stack of instances (``lead`` = (instances,)) or one (``()``)."""

    def __init__(self, spec: CircuitSpec, lead: tuple, dtype, noisy: bool):
        n, m1, m2 = spec.n, spec.m1, spec.m2
        self.H = np.empty(lead + (n, m1), dtype=dtype) if noisy else None
        self.P = np.empty(lead + (n, m2), dtype=dtype)
        self.Q = np.empty(lead + (n, m2), dtype=dtype)
        self.M = np.empty(lead + (n, n), dtype=dtype)
        self.D = np.empty(lead + (n, n), dtype=dtype)
        self.rows, self.cols = np.arange(n), spec.target_index


def _data_gradient(W1, V, W2, xi, ws: _Workspace, gW1, gV, gW2) -> None:
    """Write (Q Vᵀ, Hᵀ Q, Dᵀ P) into (gW1, gV, gW2): ``theory.circuits.circuit_gradient`` without temporaries."""
    H = W1 if xi is None else np.add(W1, xi, out=ws.H)
    np.matmul(H, V, out=ws.P)
    np.matmul(ws.P, np.swapaxes(W2, -1, -2), out=ws.M)
    D = np.maximum(ws.M, 0, out=ws.D)
    D[..., ws.rows, ws.cols] -= ws.M[..., ws.rows, ws.cols] > 0  # T is a permutation matrix
    D *= 2
    np.matmul(D, W2, out=ws.Q)
    np.matmul(ws.Q, np.swapaxes(V, -1, -2), out=gW1)
    np.matmul(np.swapaxes(H, -1, -2), ws.Q, out=gV)
    np.matmul(np.swapaxes(D, -1, -2), ws.P, out=gW2)


def _use_per_instance(spec: CircuitSpec, instances: int) -> bool:
    return instances >= 2 and spec.parameters >= PER_INSTANCE_MIN_SIZE and numba.get_num_threads() >= 2


@contextmanager
def _batched_steps(spec: CircuitSpec, X: np.ndarray, update: _Update):
    """Every instance at once: batched BLAS products (single-threaded with several instances), then one
    kernel pass over the flat buffer (serial below ``_kernels.PARALLEL_MIN_SIZE`` elements)."""
    from threadpoolctl import threadpool_limits

    G = np.empty_like(X)
    ws = _Workspace(spec, X.shape[:1], X.dtype, spec.noise is not None)
    params, grads = _views(X, spec), _views(G, spec)
    flat = [X.reshape(-1), G.reshape(-1)] + [s.reshape(-1) for s in update.state]
    small = X.size < _kernels.PARALLEL_MIN_SIZE

    def advance(steps: range, xis) -> int:
        for step, xi in zip(steps, [None] * len(steps) if xis is None else xis):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the kernel
                _data_gradient(*params, xi, ws, *grads)
            scalars = update.scalars(step)
            if update.serial(*flat, *scalars) if small else _kernels.run(update.parallel, *flat, *scalars):
                return step
        return 0

    if X.shape[0] >= 2:
        with threadpool_limits(limits=1, user_api="blas"):
            yield advance
    else:
        yield advance


@contextmanager
def _per_instance_steps(spec: CircuitSpec, X: np.ndarray, update: _Update):
    """One thread per numba thread, each running whole stretches of steps of its instances with
    single-threaded BLAS and the serial GIL-free kernel (``train._per_instance_steps``' design)."""
    from threadpoolctl import threadpool_limits

    I = X.shape[0]
    G = np.empty_like(X)
    noisy = spec.noise is not None
    threads = min(numba.get_num_threads(), I)
    shares = [range(t, I, threads) for t in range(threads)]
    workspaces = [_Workspace(spec, (), X.dtype, noisy) for _ in range(threads)]

    def share(t: int, steps: range, scalars: list, xis: list) -> int:
        ws = workspaces[t]
        rows = [(_views(X[i], spec), _views(G[i], spec), [X[i], G[i]] + [s[i] for s in update.state])
                for i in shares[t]]
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the kernels
            for step, sc, xi in zip(steps, scalars, xis):
                bad = 0
                for params, grads, flat in rows:
                    _data_gradient(*params, xi, ws, *grads)
                    bad += update.serial(*flat, *sc)
                if bad:
                    return step
        return 0

    def advance(steps: range, xis) -> int:
        scalars = [update.scalars(step) for step in steps]
        xis = [None] * len(steps) if xis is None else list(xis)
        bad = [b for b in pool.map(share, range(threads), [steps] * threads, [scalars] * threads,
                                   [xis] * threads) if b]
        return min(bad, default=0)

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=threads) as pool:
        yield advance


def train_circuit(spec: CircuitSpec, config: TrainConfig, *, rng, W0=None, orient: bool = False,
                  metrics: Callable[..., Mapping[str, np.ndarray]] | None = None) -> CircuitTrainResult:
    """Train ``config.instances`` independent circuit models for ``config.steps`` optimiser steps.

    Minimises L = Σ_ij (ReLU(M_ij) − T_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁), M = (W1 + 1ξᵀ) V W2ᵀ
    (``theory.circuits``; λ = ``spec.l1`` in code units). Units: optimiser steps; for "gd" and
    "prox_gd" at rate η, k steps approximate the gradient flow at time t = kη.

    Parameters
    ----------
    spec : CircuitSpec
    config : TrainConfig
        Optimiser ("gd", "prox_gd", "adamw" as torch.optim.AdamW), lr, steps, instances, dtype,
        record schedule, keep_weights: exactly as ``sims.dynamics.train.train``.
    rng : Generator, SeedSequence, int or None (keyword-only)
        Source of the initialisation (instance j from the j-th spawned stream) and then of the noise
        draws, one ``spec.noise.sample(m1)`` per step, shared by all instances. Same seed, same numbers.
    W0 : tuple (W1, V, W2), optional
        Initial weights of shapes (instances, n, m1), (instances, m1, m2), (instances, n, m2) (without
        the instance axis when instances = 1); drawn by ``initial_circuit_weights`` when omitted.
    orient : bool
        Draw the initial weights with ``initial_circuit_weights(..., orient=True)``: the read-out rows
        W2_π(i) flipped so that every intended virtual weight M_iπ(i) starts positive (magnitudes and the
        layers' independent placement kept; ``orient_readouts``). Without it about half the features start
        with M_iπ(i) ≤ 0 and GD or prox-GD never learns them. Only for drawn weights (not with ``W0``;
        orient a given start with ``orient_readouts``).
    metrics : callable, optional
        ``metrics(W1, V, W2, spec)`` → dict of per-instance arrays, evaluated at the recorded steps;
        default ``default_circuit_metrics``.

    Raises
    ------
    DivergenceError
        If a weight becomes NaN or inf (or a recorded "loss" is not finite); the message gives the step.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import CircuitSpec
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig
    >>> from sims.dynamics.circuit_train import train_circuit
    >>> spec = CircuitSpec(n=4, m1=8, m2=8, l1=0.01, target="permutation", permutation=[1, 2, 3, 0])
    >>> config = TrainConfig(optimizer="adamw", lr=0.01, steps=1000, instances=2, record=Schedule(every=500))
    >>> result = train_circuit(spec, config, rng=0)
    >>> loss = result.history["loss"]
    >>> bool(np.all(loss[-1] < 0.5 * loss[0])), np.round(result.history["intended"][-1], 1).tolist()
    (True, [1.0, 1.0])
    """
    if not isinstance(spec, CircuitSpec):
        raise ValueError(f"spec must be a CircuitSpec, got {spec!r}")  # noqa: TRY004 (package convention)
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {config!r}")  # noqa: TRY004 (package convention)
    if metrics is None:
        metrics = default_circuit_metrics
    elif not callable(metrics):
        raise ValueError(f"metrics must be callable metrics(W1, V, W2, spec), got {metrics!r}")
    if not isinstance(orient, (bool, np.bool_)):
        raise ValueError(f"orient must be True or False, got {orient!r}")  # noqa: TRY004 (package convention)
    if orient and W0 is not None:
        raise ValueError("orient applies to drawn initial weights only, got W0 as well (orient a given start "
                         "with orient_readouts)")
    gen, seed = _generator(rng)
    X = _start(spec, config, W0, gen, bool(orient))
    initial = tuple(v.copy() for v in _views(X, spec))
    record_steps = config.record.steps(config.steps)
    records: dict[str, list] = {}
    snapshots = []

    def record(step: int) -> None:
        params = _views(X, spec)
        with np.errstate(over="ignore", invalid="ignore"):
            values = {key: np.asarray(value) for key, value in metrics(*params, spec).items()}
        if "loss" in values and not np.all(np.isfinite(values["loss"])):
            raise DivergenceError(step, config.optimizer, config.lr)
        for key, value in values.items():
            records.setdefault(key, []).append(value)
        if config.keep_weights:
            snapshots.append(tuple(v.copy() for v in params))

    update = _Update(spec, config, X)  # reads spec.l1 and X's dtype and shape only
    steps_of = _per_instance_steps if _use_per_instance(spec, config.instances) else _batched_steps
    record(0)  # schedules always include step 0
    done = 0
    with steps_of(spec, X, update) as advance:
        for stop in record_steps[1:]:
            while done < stop:
                steps = range(done + 1, min(int(stop), done + STRETCH) + 1)
                xis = None if spec.noise is None else _noise_draws(spec.noise, spec.m1, len(steps), gen, X.dtype)
                bad = advance(steps, xis)
                if bad:
                    raise DivergenceError(bad, config.optimizer, config.lr)
                done = steps[-1]
            record(int(stop))
    history = {key: np.stack(values) for key, values in records.items()}
    weights = tuple(np.stack(mats) for mats in zip(*snapshots)) if config.keep_weights else None
    final = tuple(v.copy() for v in _views(X, spec))
    return CircuitTrainResult(spec, config, initial, final, record_steps, history, weights, seed)
