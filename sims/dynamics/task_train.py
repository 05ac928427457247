"""A small classifier trained on a task (digits, synthetic features), batched over independent instances.

Network (one instance; rows are samples, x ∈ R^d):

    h = ReLU(x W₁ + b₁) + ξ₁ ∈ R^m,        [layers = 2:  h₂ = ReLU(h W₂ + b₂) + ξ₂ ∈ R^m]
    z = h_L W_out + b_out ∈ R^C,           p = softmax(z),

with W₁ ∈ R^{d×m} (column k = hidden neuron k's input weights), b₁ ∈ R^m, W_out ∈ R^{m×C}, b_out ∈ R^C.
The hidden noise ξ (optional, ``theory.noise.NoiseSpec``: i.i.d. entries of variance σ²) is added after
the ReLU and drawn afresh at every optimiser step: one draw per minibatch row (``noise_draw="sample"``) or
one per step shared by the minibatch (``"step"``, the package's SGD of ``sims.dynamics.train``). It is a
training perturbation only: evaluation (``task_forward`` without ``xis``, the recorded history, the result's
accuracies) is noiseless.

Objective of a minibatch {(x_b, y_b)}_{b=1..B}, per instance:

    L = (1/B) Σ_b −log p_{y_b}(x_b) + λ ‖W₁‖₁,      ‖W₁‖₁ = Σ_{ik} |(W₁)_ik|.

Units: the cross-entropy is in nats per sample; λ (``TaskNetConfig.l1``, code units) is in nats per unit
of |weight|, applied to the first layer only (the layer whose neurons are read as features); biases and
later layers are unpenalised. ``steps`` are optimiser steps, one minibatch each.

Initialisation: torch.nn.Linear's default, every weight and bias of a layer with fan-in f drawn
U(−1/√f, 1/√f) (kaiming_uniform with a = √5); instance j from the j-th stream spawned from ``rng``.
``TaskNetConfig.init_scale`` = c multiplies the drawn W₁ by c (the other parameters keep torch's draw), and
``TaskNetConfig.l1_warmup`` = s trains the first s steps with λ = 0 (an L1 schedule).

Optimisers (``TaskNetConfig.optimizer``), through the element updates of ``sims.dynamics._kernels``:

* ``"adamw"``: torch.optim.AdamW on every parameter (defaults β = (0.9, 0.999), ε = 1e-8, decoupled weight
  decay 0.01 applied to every parameter, biases included, as ``AdamW(model.parameters())`` does), the
  gradient of W₁ being ∂CE/∂W₁ + λ sign W₁ (sign 0 = 0; torch's gradient of ``λ * W.abs().sum()``).
* ``"prox_gd"``: W₁ ← soft_threshold(W₁ − η ∂CE/∂W₁, ηλ) (sets weights exactly to zero); the other
  parameters take plain gradient steps.
* ``"gd"``: θ ← θ − η (∂CE/∂θ + λ sign W₁ on W₁).

Minibatches: each epoch a fresh permutation of the training set cut into ⌊N/B⌋ batches (remainder dropped).
All instances see the same minibatches and the same noise draws (as in ``sims.dynamics.train``): they differ
only by their initialisation, and instance j's numbers do not depend on how many instances run beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from theory import validate
from theory.noise import NoiseSpec

from . import _kernels
from ._minibatches import minibatches
from .schedule import Schedule
from .train import DTYPES, DivergenceError

__all__ = [
    "TaskNetConfig",
    "TaskNetResult",
    "initial_task_parameters",
    "task_forward",
    "task_gradients",
    "task_loss",
    "train_task_network",
]

OPTIMIZERS = ("gd", "prox_gd", "adamw")
NOISE_DRAWS = ("sample", "step")
LAYERS = (1, 2)

#: BLAS threads while training: the products are small (B × d × m per instance) and, as in
#: ``sims.dynamics.train``, a threaded BLAS next to other work on 2 shared cores costs more than it saves
#: (``bench/bench_task_train.py`` prints both).
BLAS_THREADS = 1


@dataclass(frozen=True, kw_only=True)
class TaskNetConfig:
    """How to build and train the task network: width, depth, L1, optimiser, steps, minibatch, noise.

    Parameters
    ----------
    width : int
        Hidden neurons m per layer (>= 1).
    layers : {1, 2}
        Hidden layers (ReLU, width m each).
    l1 : float
        λ >= 0 on ‖W₁‖₁ (nats per unit |weight|; module docstring).
    optimizer : {"gd", "prox_gd", "adamw"}
    lr : float
        Learning rate η > 0.
    steps : int
        Optimiser steps (>= 0), one minibatch each.
    batch : int
        Minibatch size B (>= 1); capped at the training set's size.
    instances : int
        Independently initialised networks trained side by side (>= 1).
    noise : NoiseSpec, optional
        Hidden noise ξ added after each hidden ReLU during training.
    noise_draw : {"sample", "step"}
        One ξ per minibatch row and step, or one per step shared by the minibatch.
    betas, eps, weight_decay : AdamW only; torch's defaults ((0.9, 0.999), 1e-8, 0.01).
    dtype : {"float32", "float64"}
    record : Schedule
        Steps at which the full train and test sets are evaluated (0 and ``steps`` always included).
    init_scale : float
        Factor c > 0 on the initial first-layer weights W₁ (torch's draw times c; biases and later layers
        unchanged): the toy model's initialisation-scale lever. 1 (the default) leaves the draw untouched.
    l1_warmup : int
        Optimiser steps (>= 0) trained with λ = 0 before λ = ``l1`` applies (an L1 schedule: steps
        1 … ``l1_warmup`` unpenalised); 0, the default, applies λ from the first step. The recorded
        ``history["loss"]`` adds λ‖W₁‖₁ at every recorded step, warm-up included.

    Examples
    --------
    >>> from sims.dynamics.task_train import TaskNetConfig
    >>> config = TaskNetConfig(width=64, steps=3000, batch=64, instances=16)
    >>> config.optimizer, config.lr, config.weight_decay, config.layers
    ('adamw', 0.001, 0.01, 1)
    >>> TaskNetConfig(layers=3)
    Traceback (most recent call last):
    ...
    ValueError: layers must be one of [1, 2], got 3
    """

    width: int = 64
    layers: int = 1
    l1: float = 0.0
    optimizer: str = "adamw"
    lr: float = 1e-3
    steps: int = 3000
    batch: int = 64
    instances: int = 1
    noise: NoiseSpec | None = None
    noise_draw: str = "sample"
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.01
    dtype: str = "float64"
    record: Schedule = field(default_factory=lambda: Schedule(points=20))
    init_scale: float = 1.0
    l1_warmup: int = 0

    def __post_init__(self):
        validate.integer("width", self.width, minimum=1)
        if isinstance(self.layers, bool):
            raise ValueError(f"layers must be one of {list(LAYERS)}, got {self.layers!r}")  # noqa: TRY004 (package convention)
        validate.choice("layers", self.layers, LAYERS)
        validate.real("l1", self.l1, minimum=0.0)
        validate.choice("optimizer", self.optimizer, OPTIMIZERS)
        validate.real("lr", self.lr, minimum=0.0, strict_min=True)
        validate.integer("steps", self.steps, minimum=0)
        validate.integer("batch", self.batch, minimum=1)
        validate.integer("instances", self.instances, minimum=1)
        if self.noise is not None and not isinstance(self.noise, NoiseSpec):
            raise ValueError(f"noise must be a theory.noise.NoiseSpec or None, got {self.noise!r}")
        validate.choice("noise_draw", self.noise_draw, NOISE_DRAWS)
        validate.adam_settings(self.betas, self.eps)
        validate.real("weight_decay", self.weight_decay, minimum=0.0)
        validate.choice("dtype", self.dtype, DTYPES)
        if not isinstance(self.record, Schedule):
            raise ValueError(f"record must be a Schedule, got {self.record!r}")  # noqa: TRY004 (package convention)
        validate.real("init_scale", self.init_scale, minimum=0.0, strict_min=True)
        validate.integer("l1_warmup", self.l1_warmup, minimum=0)


@dataclass(frozen=True, eq=False)
class TaskNetResult:
    """Trained task networks (one per instance) and their record.

    Attributes
    ----------
    config : TaskNetConfig
    params : tuple of arrays
        (W₁, b₁, [W₂, b₂,] W_out, b_out), each with a leading instance axis: W_l of shape
        (instances, fan_in, fan_out), b_l of shape (instances, fan_out). Column k of W₁ is hidden neuron
        k's input weights.
    initial : tuple of arrays
        The parameters at step 0, same layout.
    steps : array (R,)
        Recorded optimiser steps.
    history : mapping of str to array (R, instances)
        ``"loss"`` (training objective: mean cross-entropy over the whole training set + λ‖W₁‖₁),
        ``"train_cross_entropy"``, ``"train_accuracy"``, ``"test_cross_entropy"``, ``"test_accuracy"``
        (noiseless, whole sets) and ``"l1_norm"`` (‖W₁‖₁).
    train_accuracy, test_accuracy, train_cross_entropy, test_cross_entropy : array (instances,)
        Final values (noiseless, whole sets): accuracies (fraction correct, argmax of the logits) and mean
        cross-entropy (nats; the training objective adds λ‖W₁‖₁: ``history["loss"][-1]``).
    seed : int or None
        Entropy of the root SeedSequence, or None when a Generator was passed in.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data import TaskData
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.task_train import TaskNetConfig, train_task_network
    >>> X = np.eye(4)
    >>> data = TaskData(X_train=X, y_train=[0, 1, 2, 3], X_test=X, y_test=[0, 1, 2, 3], n_class=4, description="")
    >>> config = TaskNetConfig(width=8, lr=0.05, steps=200, batch=4, instances=2, record=Schedule(every=100))
    >>> result = train_task_network(data, config, rng=0)
    >>> result.steps.tolist(), result.history["test_accuracy"].shape, result.W1.shape
    ([0, 100, 200], (3, 2), (2, 4, 8))
    >>> result.test_accuracy.tolist(), result.hidden(X).shape  # (instances, samples, m)
    ([1.0, 1.0], (2, 4, 8))
    """

    config: TaskNetConfig
    params: tuple
    initial: tuple
    steps: np.ndarray
    history: Mapping[str, np.ndarray]
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    train_cross_entropy: np.ndarray
    test_cross_entropy: np.ndarray
    seed: int | None

    @property
    def W1(self) -> np.ndarray:
        """First-layer weights (instances, d, m)."""
        return self.params[0]

    @property
    def b1(self) -> np.ndarray:
        """First-layer biases (instances, m)."""
        return self.params[1]

    def hidden(self, X, *, layer: int = 1) -> np.ndarray:
        """Noiseless activations ReLU(…) of hidden layer ``layer`` (1-based) on inputs X (N, d): (instances, N, m)."""
        validate.integer("layer", layer, minimum=1)
        if layer > self.config.layers:
            raise ValueError(f"layer must be an integer in [1, {self.config.layers}], got {layer!r}")
        hidden, _ = task_forward(self.params, X)
        return hidden[layer - 1]

    def logits(self, X) -> np.ndarray:
        """Logits z of shape (instances, N, C) on inputs X (N, d), noiseless."""
        return task_forward(self.params, X)[1]


def _check_params(params) -> tuple[np.ndarray, ...]:
    if not isinstance(params, (tuple, list)) or len(params) not in (4, 6):
        raise ValueError("params must be a tuple (W1, b1, [W2, b2,] W_out, b_out) of 4 or 6 arrays")
    params = tuple(np.asarray(p) for p in params)
    instances = params[0].shape[0] if params[0].ndim == 3 else None
    for j in range(0, len(params), 2):
        W, b = params[j], params[j + 1]
        if W.ndim != 3 or b.ndim != 2 or W.shape[0] != instances or b.shape != (instances, W.shape[2]):
            raise ValueError(f"params[{j}] must have shape (instances, fan_in, fan_out) and params[{j + 1}] "
                             f"(instances, fan_out); got {W.shape} and {b.shape}")
        if j and W.shape[1] != params[j - 2].shape[2]:
            raise ValueError(f"params[{j}] must have fan_in = {params[j - 2].shape[2]} (the previous layer's "
                             f"width), got shape {W.shape}")
    return params


def _inputs(X, d: int | None = None, name: str = "X") -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"{name} must have shape (N, d) with N >= 1, got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise ValueError(f"{name} must have d = {d} columns, got shape {X.shape}")
    return X


def _labels(y, N: int, C: int, name: str = "y") -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (N,) or (N and not np.issubdtype(y.dtype, np.integer)):
        raise ValueError(f"{name} must be {N} integer labels (one per row of X), got shape {y.shape}, dtype {y.dtype}")
    if N and (y.min() < 0 or y.max() >= C):
        raise ValueError(f"{name} must hold labels in [0, {C - 1}], got values in [{y.min()}, {y.max()}]")
    return y


def initial_task_parameters(d: int, width: int, n_class: int, *, layers: int = 1, instances: int = 1, rng,
                            dtype="float64") -> tuple[np.ndarray, ...]:
    """torch.nn.Linear's initialisation: each weight and bias of a layer with fan-in f drawn U(−1/√f, 1/√f).

    Returns (W₁, b₁, [W₂, b₂,] W_out, b_out) with a leading instance axis (module docstring). Instance j is
    drawn from the j-th stream spawned from ``rng``, so it does not depend on how many instances are drawn.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.task_train import initial_task_parameters
    >>> params = initial_task_parameters(64, 32, 10, instances=3, rng=0)
    >>> [p.shape for p in params]
    [(3, 64, 32), (3, 32), (3, 32, 10), (3, 10)]
    >>> float(np.abs(params[0]).max()) <= 1 / 8, float(np.abs(params[2]).max()) <= 1 / 32**0.5
    (True, True)
    >>> bool(np.array_equal(initial_task_parameters(64, 32, 10, instances=1, rng=0)[0][0], params[0][0]))
    True
    """
    d = validate.integer("d", d, minimum=1)
    width = validate.integer("width", width, minimum=1)
    n_class = validate.integer("n_class", n_class, minimum=2)
    validate.choice("layers", layers, LAYERS)
    instances = validate.integer("instances", instances, minimum=1)
    validate.choice("dtype", str(np.dtype(dtype)), DTYPES)
    gen = validate.generator(rng)
    shapes = [(d, width)] + [(width, width)] * (layers - 1) + [(width, n_class)]
    per_instance = []
    for child in gen.spawn(instances):
        drawn = []
        for fan_in, fan_out in shapes:
            bound = 1.0 / math.sqrt(fan_in)
            drawn.append(child.uniform(-bound, bound, size=(fan_in, fan_out)))
            drawn.append(child.uniform(-bound, bound, size=fan_out))
        per_instance.append(drawn)
    return tuple(np.stack([inst[j] for inst in per_instance]).astype(dtype) for j in range(2 * len(shapes)))


def _noise_terms(xis, layers: int) -> list:
    if xis is None:
        return [None] * layers
    if not isinstance(xis, (tuple, list)) or len(xis) != layers:
        raise ValueError(f"xis must be None or a sequence of {layers} arrays (one per hidden layer), got {xis!r}")
    return [None if xi is None else np.asarray(xi) for xi in xis]


def task_forward(params, X, *, xis=None) -> tuple[list[np.ndarray], np.ndarray]:
    """Hidden activations and logits: h_l = ReLU(h_{l−1} W_l + b_l) + ξ_l (h₀ = x), z = h_L W_out + b_out.

    Parameters
    ----------
    params : tuple
        (W₁, b₁, [W₂, b₂,] W_out, b_out) with a leading instance axis (``initial_task_parameters``).
    X : array (N, d)
        Inputs, shared by every instance.
    xis : sequence of arrays, optional
        One noise term per hidden layer, each broadcastable to (instances, N, m) (or None for no noise).

    Returns
    -------
    hidden : list of arrays (instances, N, m)
        h_l *including* ξ_l, one per hidden layer.
    logits : array (instances, N, C)

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.task_train import task_forward
    >>> W1, b1 = np.array([[[1.0, -1.0]]]), np.array([[0.0, 0.5]])  # d = 1, m = 2, one instance
    >>> Wo, bo = np.array([[[1.0, 0.0], [0.0, 1.0]]]), np.zeros((1, 2))
    >>> hidden, logits = task_forward((W1, b1, Wo, bo), np.array([[2.0], [-1.0]]))
    >>> hidden[0][0].tolist(), logits[0].tolist()  # ReLU(2, −1.5) and ReLU(−1, 1.5)
    ([[2.0, 0.0], [0.0, 1.5]], [[2.0, 0.0], [0.0, 1.5]])
    """
    params = _check_params(params)
    X = _inputs(X, params[0].shape[1])
    layers = len(params) // 2 - 1
    xis = _noise_terms(xis, layers)
    h = X
    hidden = []
    for j in range(layers):
        h = np.maximum(np.matmul(h, params[2 * j]) + params[2 * j + 1][:, None, :], 0)
        if xis[j] is not None:
            h = h + xis[j]
        hidden.append(h)
    return hidden, np.matmul(h, params[-2]) + params[-1][:, None, :]


def _cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean −log softmax(z)_y per instance (nats) and the softmax probabilities, stably."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    expz = np.exp(shifted)
    total = expz.sum(axis=-1, keepdims=True)
    rows = np.arange(len(y))
    ce = (np.log(total[..., 0]) - shifted[:, rows, y]).mean(axis=-1)
    return ce, expz / total


def task_loss(params, X, y, *, l1: float = 0.0, xis=None) -> np.ndarray:
    """L = (1/N) Σ_b −log softmax(z_b)_{y_b} + λ‖W₁‖₁ per instance (nats; module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.task_train import task_loss
    >>> zero = (np.zeros((1, 3, 4)), np.zeros((1, 4)), np.zeros((1, 4, 5)), np.zeros((1, 5)))
    >>> bool(np.isclose(task_loss(zero, np.ones((2, 3)), [0, 4])[0], np.log(5)))  # uniform over C = 5
    True
    """
    params = _check_params(params)
    X = _inputs(X, params[0].shape[1])
    y = _labels(y, X.shape[0], params[-1].shape[1])
    l1 = validate.real("l1", l1, minimum=0.0)
    ce, _ = _cross_entropy(task_forward(params, X, xis=xis)[1], y)
    return ce + l1 * np.abs(params[0]).sum(axis=(1, 2))


def task_gradients(params, X, y, *, xis=None, out=None) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Mean cross-entropy CE = (1/B) Σ_b −log p_{y_b} per instance and its analytic gradient (no L1 term).

    Backpropagation with G = (p − onehot(y))/B, δ_L = G W_outᵀ ⊙ 1[a_L > 0], δ_{l−1} = δ_l W_lᵀ ⊙ 1[a_{l−1} > 0]
    (a_l the pre-activation; ReLU′(0) taken as 0):

        ∂/∂W_out = h_Lᵀ G,  ∂/∂b_out = Σ_b G_b,  ∂/∂W_l = h_{l−1}ᵀ δ_l,  ∂/∂b_l = Σ_b δ_{l,b}

    (h includes ξ, so the noise enters through the next layer's weight gradient). The optimiser adds
    λ sign W₁ (or the proximal step) itself.

    Parameters
    ----------
    params, X, xis : as ``task_forward``.
    y : array (N,)
        Integer labels in [0, C − 1].
    out : tuple of arrays, optional
        Arrays shaped like ``params`` to write the gradient into.

    Returns
    -------
    ce : array (instances,)
    gradient : tuple of arrays shaped like ``params``

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.task_train import task_gradients
    >>> zero = (np.zeros((1, 3, 4)), np.zeros((1, 4)), np.zeros((1, 4, 2)), np.zeros((1, 2)))
    >>> ce, grad = task_gradients(zero, np.ones((2, 3)), [0, 0])
    >>> round(float(ce[0]), 6), grad[3].tolist()  # log 2; ∂/∂b_out = mean(p − onehot) = (−½, ½)
    (0.693147, [[-0.5, 0.5]])
    """
    params = _check_params(params)
    X = _inputs(X, params[0].shape[1])
    y = _labels(y, X.shape[0], params[-1].shape[1])
    layers = len(params) // 2 - 1
    xis = _noise_terms(xis, layers)
    if out is None:
        out = tuple(np.empty_like(p) for p in params)
    B = X.shape[0]
    h = X
    acts, masks = [X], []
    for j in range(layers):
        a = np.matmul(h, params[2 * j])
        a += params[2 * j + 1][:, None, :]
        masks.append(a > 0)
        h = np.maximum(a, 0, out=a)
        if xis[j] is not None:
            h += xis[j]
        acts.append(h)
    logits = np.matmul(h, params[-2])
    logits += params[-1][:, None, :]
    ce, G = _cross_entropy(logits, y)
    G[:, np.arange(B), y] -= 1
    G /= B
    np.matmul(h.transpose(0, 2, 1), G, out=out[-2])
    G.sum(axis=1, out=out[-1])
    delta = np.matmul(G, params[-2].transpose(0, 2, 1))
    for j in reversed(range(layers)):
        delta *= masks[j]
        prev = acts[j]
        np.matmul(prev.T if prev.ndim == 2 else prev.transpose(0, 2, 1), delta, out=out[2 * j])
        delta.sum(axis=1, out=out[2 * j + 1])
        if j:
            delta = np.matmul(delta, params[2 * j].transpose(0, 2, 1))
    return ce, out


class _Optimizer:
    """All parameters (and their gradients and AdamW moments) as views of flat buffers; ``step(t)`` applies
    one update with ``_kernels``' element formulas, W₁ (the first segment) with λ and the rest without."""

    def __init__(self, params, config: TaskNetConfig):
        dtype = params[0].dtype
        sizes = [p.size for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        n_buffers = 4 if config.optimizer == "adamw" else 2
        self.flat = [np.zeros(offsets[-1], dtype) for _ in range(n_buffers)]  # parameters, gradient, [m, v]

        def views(buf):
            return tuple(buf[a:b].reshape(p.shape) for a, b, p in zip(offsets[:-1], offsets[1:], params))

        self.params = views(self.flat[0])
        for view, value in zip(self.params, params):
            view[...] = value
        self.grads = views(self.flat[1])
        self.split = int(sizes[0])  # W₁ = flat[:split]
        self.config = config
        self.dt = dtype.type

    def step(self, t: int) -> int:
        """Optimiser step t (1-based) from the gradient in ``grads``; returns the count of non-finite parameters.

        λ is 0 for t <= ``config.l1_warmup`` and ``config.l1`` after."""
        c, dt, k = self.config, self.dt, self.split
        l1 = c.l1 if t > c.l1_warmup else 0.0
        first = [buf[:k] for buf in self.flat]
        rest = [buf[k:] for buf in self.flat]
        if c.optimizer == "gd":
            return (_kernels.gd_step_serial(*first, dt(c.lr), dt(l1))
                    + _kernels.gd_step_serial(*rest, dt(c.lr), dt(0)))
        if c.optimizer == "prox_gd":
            return (_kernels.prox_gd_step_serial(*first, dt(c.lr), dt(c.lr * l1))
                    + _kernels.gd_step_serial(*rest, dt(c.lr), dt(0)))
        beta1, beta2 = c.betas
        scalars = (dt(1 - c.lr * c.weight_decay), dt(1 - beta1), dt(beta2), dt(1 - beta2),
                   dt(c.lr / (1 - beta1**t)), dt(math.sqrt(1 - beta2**t)), dt(c.eps))
        return (_kernels.adamw_step_serial(*first, dt(l1), *scalars)
                + _kernels.adamw_step_serial(*rest, dt(0), *scalars))


def _task_arrays(data):
    names = ("X_train", "y_train", "X_test", "y_test", "n_class")
    if not all(hasattr(data, name) for name in names):
        raise ValueError(f"data must have attributes {', '.join(names)} (a sims.data.TaskData), got {data!r}")
    C = validate.integer("data.n_class", data.n_class, minimum=2)
    X_train = _inputs(data.X_train, name="data.X_train")
    X_test = _inputs(data.X_test, X_train.shape[1], name="data.X_test")
    if not (np.all(np.isfinite(X_train)) and np.all(np.isfinite(X_test))):
        raise ValueError("data.X_train and data.X_test must be finite")
    y_train = _labels(data.y_train, X_train.shape[0], C, name="data.y_train")
    y_test = _labels(data.y_test, X_test.shape[0], C, name="data.y_test")
    return X_train, y_train, X_test, y_test, C


def _evaluate(params, X, y) -> dict[str, np.ndarray]:
    logits = task_forward(params, X)[1]
    ce, _ = _cross_entropy(logits, y)
    return {"cross_entropy": ce, "accuracy": (logits.argmax(axis=-1) == y).mean(axis=-1)}


def train_task_network(data, config: TaskNetConfig, *, rng) -> TaskNetResult:
    """Train ``config.instances`` task networks on ``data`` by minibatch (noisy) AdamW, GD or proximal GD.

    Minimises L = (1/B) Σ_b −log softmax(z_b)_{y_b} + λ‖W₁‖₁ (nats; λ = ``config.l1`` in code units) over
    minibatches of the training set (module docstring: network, initialisation, optimisers, noise).
    Units: ``config.steps`` optimiser steps. Same seed, same numbers (on one machine: BLAS may change the last
    bits elsewhere).

    Parameters
    ----------
    data : TaskData
        Anything with ``X_train`` (N, d), ``y_train`` (N,), ``X_test``, ``y_test`` and ``n_class``
        (``sims.data``).
    config : TaskNetConfig
    rng : Generator, SeedSequence or int
        Source of the initialisation (one spawned stream per instance), the minibatch order and the noise.

    Raises
    ------
    DivergenceError
        If a parameter or the loss becomes non-finite (lower ``config.lr``); the message gives the step.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data.digits import digits_task
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.task_train import TaskNetConfig, train_task_network
    >>> data = digits_task(n_class=10)
    >>> config = TaskNetConfig(width=16, lr=1e-2, steps=300, batch=64, instances=2, record=Schedule(every=300))
    >>> result = train_task_network(data, config, rng=0)
    >>> bool((result.test_accuracy > 0.8).all())  # 300 steps ≈ 14 epochs
    True
    """
    from threadpoolctl import threadpool_limits

    if not isinstance(config, TaskNetConfig):
        raise ValueError(f"config must be a TaskNetConfig, got {config!r}")  # noqa: TRY004 (package convention)
    X_train, y_train, X_test, y_test, C = _task_arrays(data)
    if rng is None or isinstance(rng, (int, np.integer)):
        validate.generator(rng)  # rejects negative seeds and other types
        rng = np.random.SeedSequence(rng)
    seed = rng.entropy if isinstance(rng, np.random.SeedSequence) else None
    gen = validate.generator(rng)
    dtype = np.dtype(config.dtype)
    N, d = X_train.shape
    B = min(config.batch, N)
    m, I = config.width, config.instances
    initial = initial_task_parameters(d, m, C, layers=config.layers, instances=I, rng=gen, dtype=dtype)
    if config.init_scale != 1.0:
        initial = (initial[0] * dtype.type(config.init_scale),) + initial[1:]
    opt = _Optimizer(initial, config)
    X_train_t, X_test_t = X_train.astype(dtype), X_test.astype(dtype)
    record_steps = config.record.steps(config.steps)
    records: dict[str, list] = {}

    def record(step: int) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            l1_norm = np.abs(opt.params[0]).sum(axis=(1, 2))
            train = _evaluate(opt.params, X_train_t, y_train)
            test = _evaluate(opt.params, X_test_t, y_test)
        values = {"loss": train["cross_entropy"] + config.l1 * l1_norm,
                  "train_cross_entropy": train["cross_entropy"], "train_accuracy": train["accuracy"],
                  "test_cross_entropy": test["cross_entropy"], "test_accuracy": test["accuracy"],
                  "l1_norm": l1_norm}
        if not np.all(np.isfinite(values["loss"])):
            raise DivergenceError(step, config.optimizer, config.lr)
        for key, value in values.items():
            records.setdefault(key, []).append(np.asarray(value, dtype=np.float64))

    noise_rows = 1 if config.noise_draw == "step" else B
    record(0)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
        next_record = 1
        for t, idx in enumerate(minibatches(N, B, config.steps, rng=gen), start=1):
            xis = None
            if config.noise is not None:
                xis = [config.noise.sample((noise_rows, m), rng=gen).astype(dtype) for _ in range(config.layers)]
            task_gradients(opt.params, X_train_t[idx], y_train[idx], xis=xis, out=opt.grads)
            if opt.step(t):
                raise DivergenceError(t, config.optimizer, config.lr)
            if t == record_steps[next_record]:
                record(t)
                next_record += 1
    history = {key: np.stack(values) for key, values in records.items()}
    params = tuple(p.copy() for p in opt.params)
    return TaskNetResult(config, params, initial, record_steps, history, history["train_accuracy"][-1].copy(),
                         history["test_accuracy"][-1].copy(), history["train_cross_entropy"][-1].copy(),
                         history["test_cross_entropy"][-1].copy(), seed)
