"""Feature visualisation with diversity for the hidden neurons of a tied model, vectorised over neurons.

For a neuron k of W ∈ R^{n×m}, a batch of B inputs x_1…x_B in an input domain is optimised jointly for

    objective = (1/B) Σ_b φ(h_bk) − (w/B) S(h_1, …, h_B),        h_b = Wᵀx_b   (or ReLU(Wᵀx_b)),

with φ the neuron objective (``"signed"``: h, what a ReLU network's neuron reports; ``"square"``: h²;
``"abs"``: |h|) and S a diversity penalty on the hidden activation vectors: ``"gram"`` is lucid's Gram-matrix
term, which for a layer without positions equals Σ_a Σ_{b≠a} cos²(h_a, h_b) (``theory.diversity``,
``derivations.diversity``); ``"cosine"`` is Σ_a Σ_{b≠a} cos(h_a, h_b); ``"none"`` drops it. This is lucent's
``objectives.channel(layer, k) - w * objectives.diversity(layer)`` written as a maximisation (lucent's published
weight is w = 100; its ``render_vis`` defaults are Adam, lr 0.05, 512 steps, which are the defaults here).

Input domains (parameterisations of an unconstrained z ∈ R^n, initialised N(0, s²) as lucid's images):
``"simplex"``: x = softmax(z), non-negative feature intensities summing to 1; ``"box"``: x = sigmoid(z) ∈ [0, 1]ⁿ,
or x = l + (u − l)·sigmoid(z) ∈ [l, u] with ``bounds=(l, u)`` (a task's input range: the digits' pixels, the box
spanned by a data set); ``"sphere"``: x = z/‖z‖. Units: optimiser steps of Adam on z; activations in the model's
units.

A hidden neuron of a task network (``sims.dynamics.task_train``), h_k(x) = ReLU(x·W₁[:, k] + b_k), is the same
computation with ``bias=b₁``: W = W₁ (d × m, rows are input coordinates instead of features), ``hidden="relu"``
for the post-ReLU activation, or ``hidden="linear"`` for the pre-activation x·W₁[:, k] + b_k, which lucid
visualises for ReLU layers (its ``*_pre_relu`` tensors) because a batch that starts where the ReLU is off gets
no gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from theory import validate

__all__ = ["DIVERSITIES", "DOMAINS", "OBJECTIVES", "Visualisation", "VisualisationConfig", "objective_values",
           "visualise_neurons"]

DOMAINS = ("simplex", "box", "sphere")
OBJECTIVES = ("signed", "square", "abs")
DIVERSITIES = ("gram", "cosine", "none")
HIDDEN = ("linear", "relu")

_EPS = 1e-12  # as torch.nn.functional.normalize: ‖h‖ is floored at eps


@dataclass(frozen=True, kw_only=True)
class VisualisationConfig:
    """How the batch is optimised (lucent's ``render_vis`` defaults: Adam, lr 0.05, 512 steps; weight 100).

    Examples
    --------
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> VisualisationConfig(diversity="cosine").weight
    100.0
    >>> VisualisationConfig(batch=0)
    Traceback (most recent call last):
    ...
    ValueError: batch must be an integer >= 1, got 0
    """

    domain: str = "simplex"
    objective: str = "square"
    diversity: str = "gram"
    weight: float = 100.0
    hidden: str = "linear"
    batch: int = 8
    steps: int = 512
    lr: float = 0.05
    init_scale: float = 0.01
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __post_init__(self):
        validate.choice("domain", self.domain, DOMAINS)
        validate.choice("objective", self.objective, OBJECTIVES)
        validate.choice("diversity", self.diversity, DIVERSITIES)
        validate.choice("hidden", self.hidden, HIDDEN)
        object.__setattr__(self, "weight", validate.real("weight", self.weight, minimum=0.0))
        validate.integer("batch", self.batch, minimum=1)
        validate.integer("steps", self.steps, minimum=0)
        object.__setattr__(self, "lr", validate.real("lr", self.lr, minimum=0.0, strict_min=True))
        object.__setattr__(self, "init_scale", validate.real("init_scale", self.init_scale, minimum=0.0))
        validate.adam_settings(self.betas, self.eps)


@dataclass(frozen=True)
class Visualisation:
    """The optimised batches: ``inputs`` x (K, B, n), ``hidden`` h (K, B, m), ``activation`` h_k (K, B) of each
    block's neuron, ``objective`` (the maximised value per neuron at the end, shape (K,)), ``neurons`` (K,),
    the config, and the ``bias`` (m,) and box ``bounds`` (l, u) it was run with (None: none, [0, 1]ⁿ).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig, visualise_neurons
    >>> vis = visualise_neurons(np.eye(3), [2], VisualisationConfig(diversity="none", steps=200), rng=0)
    >>> vis.inputs.shape, vis.hidden.shape, bool(np.all(vis.values[0] > 0.9))  # every input near feature 2
    ((1, 8, 3), (1, 8, 3), True)
    """

    neurons: np.ndarray
    inputs: np.ndarray
    hidden: np.ndarray
    activation: np.ndarray
    objective: np.ndarray
    config: VisualisationConfig
    bias: np.ndarray | None = None
    bounds: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def values(self) -> np.ndarray:
        """φ(h_bk) per batch element, shape (K, B): what the objective rewards."""
        return _objective_terms(self.activation, self.config.objective)[0]


def _inputs(Z: np.ndarray, domain: str, bounds=None) -> np.ndarray:
    if domain == "simplex":
        E = np.exp(Z - Z.max(axis=-1, keepdims=True))
        return E / E.sum(axis=-1, keepdims=True)
    if domain == "box":
        if bounds is not None:
            low, high = bounds
            return low + (high - low) / (1.0 + np.exp(-Z))
        return 1.0 / (1.0 + np.exp(-Z))
    return Z / np.maximum(np.linalg.norm(Z, axis=-1, keepdims=True), _EPS)


def _input_pullback(Z: np.ndarray, X: np.ndarray, G: np.ndarray, domain: str, bounds=None) -> np.ndarray:
    """∂/∂z of a function with gradient G = ∂/∂x, through the domain's parameterisation."""
    if domain == "simplex":
        return X * (G - np.sum(X * G, axis=-1, keepdims=True))
    if domain == "box":
        if bounds is not None:
            low, high = bounds
            S = 1.0 / (1.0 + np.exp(-Z))
            return G * (high - low) * S * (1.0 - S)
        return G * X * (1.0 - X)
    norm = np.maximum(np.linalg.norm(Z, axis=-1, keepdims=True), _EPS)
    return (G - np.sum(G * X, axis=-1, keepdims=True) * X) / norm


def _diversity_and_gradient(H: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """S = Σ_a Σ_{b≠a} c_ab^p (p = 2 gram, 1 cosine) per block and ∂S/∂H (derivations.diversity):
    ∂S/∂h_a = 2 Σ_{b≠a} p c_ab^{p−1} (ĥ_b − c_ab ĥ_a)/‖h_a‖."""
    norms = np.maximum(np.linalg.norm(H, axis=-1, keepdims=True), _EPS)
    U = H / norms
    C = U @ np.swapaxes(U, -1, -2)
    off = 1.0 - np.eye(H.shape[-2])
    if kind == "gram":
        S = np.sum(C * C * off, axis=(-2, -1))
        M = 2.0 * C * off
        grad = 2.0 * (M @ U - np.sum(M * C, axis=-1, keepdims=True) * U) / norms
        return S, grad
    # cosine: M = 1 − I, so Σ_b M_ab ĥ_b = Σ_b ĥ_b − ĥ_a and Σ_b M_ab c_ab = Σ_b c_ab − c_aa
    diag = np.diagonal(C, axis1=-2, axis2=-1)[..., None]
    row = C.sum(axis=-1, keepdims=True)
    S = np.sum(row - diag, axis=(-2, -1))
    grad = 2.0 * (U.sum(axis=-2, keepdims=True) - U - (row - diag) * U) / norms
    return S, grad


def objective_values(a, objective: str) -> np.ndarray:
    """φ(a) elementwise: a (``"signed"``), a² (``"square"``) or |a| (``"abs"``), for activations ``a``.

    Examples
    --------
    >>> from sims.dynamics.visualise import objective_values
    >>> objective_values([-2.0, 3.0], "square").tolist(), objective_values([-2.0, 3.0], "abs").tolist()
    ([4.0, 9.0], [2.0, 3.0])
    """
    validate.choice("objective", objective, OBJECTIVES)
    return _objective_terms(np.asarray(a, dtype=np.float64), objective)[0]


def _objective_terms(a: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """φ(a) and φ'(a) elementwise."""
    if kind == "signed":
        return a, np.ones_like(a)
    if kind == "square":
        return a * a, 2.0 * a
    return np.abs(a), np.sign(a)


def _evaluate(Z, W, neurons, config, *, gradient: bool, bias=None, bounds=None):
    """Objective per block (K,) and, with ``gradient``, its gradient with respect to Z; also X, H, h_k."""
    K, B, n = Z.shape
    X = _inputs(Z, config.domain, bounds)
    pre = (X.reshape(K * B, n) @ W).reshape(K, B, -1)
    if bias is not None:
        pre = pre + bias
    H = np.maximum(pre, 0.0) if config.hidden == "relu" else pre
    rows = np.arange(K)
    a = H[rows, :, neurons]  # (K, B)
    phi, dphi = _objective_terms(a, config.objective)
    value = phi.mean(axis=-1)
    dH = np.zeros_like(H) if gradient else None
    if config.diversity != "none" and config.weight > 0:
        S, dS = _diversity_and_gradient(H, config.diversity)
        value = value - config.weight / B * S
        if gradient:
            dH -= config.weight / B * dS
    if not gradient:
        return value, X, H, a, None
    dH[rows, :, neurons] += dphi / B
    if config.hidden == "relu":
        dH *= pre > 0
    dX = (dH.reshape(K * B, -1) @ W.T).reshape(K, B, n)
    return value, X, H, a, _input_pullback(Z, X, dX, config.domain, bounds)


_HEAP_KEPT = False


def _keep_heap() -> None:
    """Ask glibc's malloc to keep freed memory (once per process; no-op elsewhere).

    Each optimiser step allocates and frees about ten (K, B, m) temporaries of ~1 MB. By default glibc serves
    them by mmap or trims its heap after each free, so every step page-faults them in again: half of a
    visualisation's time was system time (600 000 minor faults for 60 neurons at m = 256). Raising the mmap and
    trim thresholds to 256 MiB keeps the pages; it changes no number.
    """
    global _HEAP_KEPT
    if _HEAP_KEPT:
        return
    _HEAP_KEPT = True
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_trim_threshold, 256 << 20)
        libc.mallopt(m_mmap_threshold, 256 << 20)
    except (OSError, AttributeError):  # not glibc
        pass


def _neurons(neurons, m: int) -> np.ndarray:
    if neurons is None:
        return np.arange(m)
    idx = np.atleast_1d(np.asarray(neurons))
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"neurons must be a non-empty sequence of integers, got {neurons!r}")
    if idx.min() < 0 or idx.max() >= m:
        raise ValueError(f"neurons must lie in [0, {m - 1}] (m = {m}), got {idx.tolist()}")
    return idx.astype(np.int64)


def _bias(bias, m: int) -> np.ndarray | None:
    if bias is None:
        return None
    b = np.asarray(bias, dtype=np.float64)
    if b.shape != (m,) or not np.all(np.isfinite(b)):
        raise ValueError(f"bias must be a finite array of shape (m,) = ({m},), got shape {b.shape}")
    return b


def _bounds(bounds, n: int, domain: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(l, u) as float arrays of shape (n,) with l < u, for the box domain; None keeps [0, 1]ⁿ."""
    if bounds is None:
        return None
    if domain != "box":
        raise ValueError(f"bounds must be None unless config.domain is 'box', got domain {domain!r}")
    try:
        low, high = (np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy() for v in bounds)
    except (TypeError, ValueError) as err:
        raise ValueError(f"bounds must be a pair (l, u) of arrays broadcastable to (n,) = ({n},)") from err
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low < high)):
        raise ValueError("bounds must be finite with l < u in every coordinate")
    return low, high


def visualise_neurons(W, neurons=None, config: VisualisationConfig | None = None, *, bias=None, bounds=None,
                      rng) -> Visualisation:
    """Optimise a batch of B inputs per neuron: maximise (1/B)Σ_b φ(h_bk) − (w/B)·S(h_1…h_B) by Adam on z.

    Parameters
    ----------
    W : array, shape (n, m)
        The model's weights (rows: features, columns: neurons); hidden activations h = Wᵀx (``config.hidden``
        ``"relu"``: h = ReLU(Wᵀx), as in Toy Models of Superposition).
    neurons : sequence of int, optional
        The neurons to visualise (default: all m), each optimised independently, all at once.
    config : VisualisationConfig
        Domain, objective φ, diversity S and its weight w, batch size, Adam settings.
    bias : array, shape (m,), optional
        b added to the pre-activation: h = Wᵀx + b (or ReLU of it); a task network's b₁. Default: none.
    bounds : pair of arrays broadcastable to (n,), optional
        (l, u) with l < u elementwise: the box domain [l, u] (``config.domain="box"`` only); default [0, 1]ⁿ.
    rng : int, SeedSequence or Generator
        Source of the initial z ~ N(0, init_scale²) (shape (K, B, n)). Same seed, same numbers.

    Returns
    -------
    Visualisation
        Inputs, hidden activations and the neuron's activation per batch element, and the final objective.

    Examples
    --------
    >>> import numpy as np
    >>> from dataclasses import replace
    >>> from sims.dynamics.visualise import VisualisationConfig, visualise_neurons
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # neuron 0: feature 0 (+) and feature 1 (−)
    >>> vis = visualise_neurons(W, [0], VisualisationConfig(diversity="cosine", weight=0.1, steps=300), rng=0)
    >>> np.round(vis.inputs[0], 2).max(axis=0)  # the batch splits between features 0 and 1
    array([1., 1., 0.])
    >>> sorted(np.round(vis.activation[0], 2).tolist())
    [-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0]

    A neuron with a bias on the box [0, 2]²: its pre-activation x₀ − x₁ − 1 is largest at the corner (2, 0).
    After the ReLU the batch, which starts at (1, 1) where x₀ − x₁ − 1 < 0, gets no gradient and stays there.

    >>> cfg = VisualisationConfig(domain="box", objective="signed", diversity="none", steps=300)
    >>> vis = visualise_neurons([[1.0], [-1.0]], [0], cfg, bias=[-1.0], bounds=(0.0, 2.0), rng=0)
    >>> np.round(vis.inputs[0, 0], 1).tolist(), round(float(vis.activation[0, 0]), 1)
    ([2.0, 0.0], 1.0)
    >>> relu = visualise_neurons([[1.0], [-1.0]], [0], replace(cfg, hidden="relu"), bias=[-1.0], bounds=(0.0, 2.0),
    ...                          rng=0)
    >>> np.round(relu.inputs[0, 0], 2).tolist(), float(relu.activation[0, 0])
    ([1.0, 1.0], 0.0)
    """
    config = VisualisationConfig() if config is None else config
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite array of shape (n, m), got shape {W.shape}")
    idx = _neurons(neurons, W.shape[1])
    bias = _bias(bias, W.shape[1])
    bounds = _bounds(bounds, W.shape[0], config.domain)
    gen = validate.generator(rng)
    _keep_heap()
    Z = gen.normal(0.0, config.init_scale, size=(idx.size, config.batch, W.shape[0]))
    b1, b2 = config.betas
    m1, v1 = np.zeros_like(Z), np.zeros_like(Z)
    # the products are small: a threaded BLAS costs 10-20× more than it saves (as in sims.dynamics.train)
    with threadpool_limits(limits=1, user_api="blas"):
        for step in range(1, config.steps + 1):
            _, _, _, _, g = _evaluate(Z, W, idx, config, gradient=True, bias=bias, bounds=bounds)
            g = -g  # Adam minimises the loss −objective (torch.optim.Adam, no weight decay)
            m1 = b1 * m1 + (1 - b1) * g
            v1 = b2 * v1 + (1 - b2) * g * g
            m_hat = m1 / (1 - b1**step)
            v_hat = v1 / (1 - b2**step)
            Z = Z - config.lr * m_hat / (np.sqrt(v_hat) + config.eps)
        value, X, H, a, _ = _evaluate(Z, W, idx, config, gradient=False, bias=bias, bounds=bounds)
    return Visualisation(idx, X, H, a, value, config, bias, bounds)
