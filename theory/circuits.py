"""Exact loss and gradient of the two-hidden-layer ("circuit") extension of the toy model.

Model (an extension of arXiv 2312.03096 §1 to two hidden layers joined by V, not in the paper). Per instance, weights
W1 ∈ R^{n×m1} (features → first hidden layer), V ∈ R^{m1×m2} (first → second hidden layer) and
W2 ∈ R^{n×m2} (second hidden layer → outputs). Input e_i (one-hot), optional hidden noise ξ ∈ R^{m1}
at layer 1 (one draw shared by all inputs and instances, as in the one-layer model):

    h1 = W1ᵀ e_i + ξ,   h2 = Vᵀ h1,   y = ReLU(W2 h2) ∈ R^n.

The target of input i is column i of a fixed n×n matrix T: the identity (the paper's
reconstruction) or a permutation matrix, T_ij = 1 iff j = π(i), so that input feature i must
produce output feature π(i). Over the whole one-hot batch the output pre-activations are the
n×n *virtual weights* (row: input feature, column: output feature)

    M = H V W2ᵀ,   H = W1 + 1 ξᵀ   (M = W1 V W2ᵀ without noise; with noise row i gains ξᵀ V W2ᵀ),

and the loss, in the code's units (squared error summed over inputs and outputs, as
``theory.loss``), is

    L = Σ_ij (ReLU(M_ij) − T_ij)² + λ (‖W1‖₁ + ‖V‖₁ + ‖W2‖₁).

Gradient of the data term: with D = ∂L_data/∂M = 2 (ReLU(M) − T) ⊙ 1[M > 0], P = H V and Q = D W2,

    ∂L/∂W1 = Q Vᵀ,   ∂L/∂V = Hᵀ Q,   ∂L/∂W2 = Dᵀ P.

Cost per instance: three products of n·m1·m2 multiply-adds (P, Q Vᵀ, Hᵀ Q) and three of n²·m2
(M = P W2ᵀ, Q, Dᵀ P); the loss alone needs one of each size. The one-hot batch is never formed.

Special case: m1 = m2 = m, V = I and W2 = W1 = W give M = W Wᵀ (+ 1 (Wξ)ᵀ), the paper's tied
one-layer model; then the data term equals ``theory.loss.loss(W)`` and ∂L/∂W1 + ∂L/∂W2 (the two uses
of the tied weight) equals ``theory.loss.data_gradient(W)``.

Initialisation (``CircuitSpec.init_stds``): every weight matrix has i.i.d. N(0, 1/columns) entries,
W1_ik ~ N(0, 1/m1), V_kl ~ N(0, 1/m2), W2_jl ~ N(0, 1/m2), so every row has unit expected squared
norm. This is the paper's convention for W (E‖W_i‖² = 1) applied to each matrix: a feature's layer-1
code W1_i and each read-out W2_j have E‖·‖² = 1, and Vᵀ preserves squared norms in expectation,
E‖Vᵀh‖² = ‖h‖², so the layer-2 code h2 = Vᵀ W1_i also has E‖h2‖² = 1. Unlike the tied model
(M_ii = ‖W_i‖² ≈ 1), the virtual weights start near zero: M_ij has mean 0 and variance ≈ 1/m2.
Consequence: about half the features start with M_iπ(i) ≤ 0, where their own error (0 − 1)² has no
gradient through the output ReLU (D_iπ(i) = 0); only updates made for other features can lift them
(``sims.dynamics.circuit_train`` reports how often that happens).

L1 subgradient: λ sign(w) with sign(0) = 0, as ``theory.loss``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .noise import NoiseSpec

__all__ = [
    "TARGETS",
    "CircuitSpec",
    "circuit_gradient",
    "circuit_loss",
    "circuit_loss_gradient",
    "l1_subgradient",
    "target_matrix",
    "virtual_error_derivative",
    "virtual_weights",
]

#: The targets: the identity (input i → output i) and a permutation (input i → output π(i)).
TARGETS = ("identity", "permutation")


@dataclass(frozen=True, kw_only=True)
class CircuitSpec:
    """The two-hidden-layer model: n features, m1 and m2 hidden neurons, L1 strength, target, noise.

    y(e_i) = ReLU(W2 Vᵀ (W1ᵀ e_i + ξ)), L = Σ_ij (ReLU(M_ij) − T_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁) with
    M = (W1 + 1ξᵀ) V W2ᵀ, in code units (summed squared error, λ = ``l1``); see the module docstring.

    Parameters
    ----------
    n : int
        Number of features, n >= 1: rows of W1 (inputs) and of W2 (outputs).
    m1, m2 : int
        Neurons of the first and second hidden layers, >= 1.
    l1 : float
        λ >= 0, one L1 strength for all three matrices (code units, as ``theory.spec.ModelSpec``).
    target : {"identity", "permutation"}
        T = I, or the permutation matrix T_ij = 1 iff j = π(i).
    permutation : sequence of int, optional
        π as the outputs π(0), …, π(n − 1), a rearrangement of 0..n−1 (only with target
        "permutation"; give it or ``permutation_seed``).
    permutation_seed : int, optional
        Seed >= 0 of a uniformly random π, ``np.random.default_rng(seed).permutation(n)`` (it may have
        fixed points: about one on average).
    noise : NoiseSpec or None
        Noise ξ ∈ R^{m1} added to the first hidden layer; ``None`` for the deterministic model.

    Examples
    --------
    >>> from theory.circuits import CircuitSpec
    >>> spec = CircuitSpec(n=4, m1=16, m2=4, l1=0.01)
    >>> spec.shapes, spec.init_stds  # W1, V, W2 and the N(0, 1/columns) initial scales
    (((4, 16), (16, 4), (4, 4)), (0.25, 0.5, 0.5))
    >>> CircuitSpec(n=4, m1=4, m2=4, target="permutation", permutation=[1, 0, 3, 2]).target_index.tolist()
    [1, 0, 3, 2]
    >>> CircuitSpec(n=4, m1=4, m2=4, target="permutation", permutation=[0, 0, 1, 2])
    Traceback (most recent call last):
    ...
    ValueError: permutation must be a rearrangement of 0..3 (each once), got [0, 0, 1, 2]
    """

    n: int
    m1: int
    m2: int
    l1: float = 0.0
    target: str = "identity"
    permutation: tuple[int, ...] | None = None
    permutation_seed: int | None = None
    noise: NoiseSpec | None = None

    def __post_init__(self):
        for name in ("n", "m1", "m2"):
            object.__setattr__(self, name, validate.integer(name, getattr(self, name), minimum=1))
        object.__setattr__(self, "l1", validate.real("l1", self.l1, minimum=0.0))
        validate.choice("target", self.target, TARGETS)
        if self.target == "identity":
            if self.permutation is not None or self.permutation_seed is not None:
                raise ValueError("permutation and permutation_seed must be None for target 'identity', got "
                                 f"permutation={self.permutation!r}, permutation_seed={self.permutation_seed!r}")
        elif (self.permutation is None) == (self.permutation_seed is None):
            raise ValueError("permutation or permutation_seed (exactly one) must be given for target 'permutation', "
                             f"got permutation={self.permutation!r}, permutation_seed={self.permutation_seed!r}")
        elif self.permutation is not None:
            object.__setattr__(self, "permutation", _permutation(self.permutation, self.n))
        else:
            object.__setattr__(self, "permutation_seed",
                               validate.integer("permutation_seed", self.permutation_seed, minimum=0))
        if self.noise is not None and not isinstance(self.noise, NoiseSpec):
            raise ValueError(f"noise must be a NoiseSpec or None, got {self.noise!r}")

    @property
    def target_index(self) -> np.ndarray:
        """π as an int64 array of length n: input feature i must produce output feature π(i)."""
        if self.target == "identity":
            return np.arange(self.n)
        if self.permutation is not None:
            return np.array(self.permutation, dtype=np.int64)
        return np.random.default_rng(self.permutation_seed).permutation(self.n)

    @property
    def shapes(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """Shapes of one instance's W1 (n, m1), V (m1, m2) and W2 (n, m2)."""
        return (self.n, self.m1), (self.m1, self.m2), (self.n, self.m2)

    @property
    def init_stds(self) -> tuple[float, float, float]:
        """Initial standard deviations (1/√m1, 1/√m2, 1/√m2) of W1, V, W2: N(0, 1/columns), unit rows."""
        return self.m1**-0.5, self.m2**-0.5, self.m2**-0.5

    @property
    def parameters(self) -> int:
        """Weights per instance, n·m1 + m1·m2 + n·m2."""
        return self.n * self.m1 + self.m1 * self.m2 + self.n * self.m2


def _permutation(value, n: int) -> tuple[int, ...]:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        arr = None
    ok = (arr is not None and arr.shape == (n,) and (arr.size == 0 or np.issubdtype(arr.dtype, np.integer))
          and np.array_equal(np.sort(arr), np.arange(n)))
    if not ok:
        shown = arr.tolist() if arr is not None and arr.size <= 20 else value
        raise ValueError(f"permutation must be a rearrangement of 0..{n - 1} (each once), got {shown!r}")
    return tuple(int(v) for v in arr)


def target_matrix(spec: CircuitSpec) -> np.ndarray:
    """T with T_ij = 1 iff j = π(i) (row: input feature, column: output feature), float64 (n, n).

    Examples
    --------
    >>> from theory.circuits import CircuitSpec, target_matrix
    >>> target_matrix(CircuitSpec(n=3, m1=3, m2=3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> target_matrix(CircuitSpec(n=3, m1=3, m2=3, target="permutation", permutation=[2, 0, 1])).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if not isinstance(spec, CircuitSpec):
        raise ValueError(f"spec must be a CircuitSpec, got {spec!r}")
    T = np.zeros((spec.n, spec.n))
    T[np.arange(spec.n), spec.target_index] = 1.0
    return T


def _weights(W1, V, W2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = []
    for name, value in (("W1", W1), ("V", V), ("W2", W2)):
        a = np.asarray(value)
        if a.ndim < 2:
            raise ValueError(f"{name} must have at least 2 dimensions (a matrix, or a stack of instances), "
                             f"got shape {a.shape}")
        arrays.append(a)
    dtype = np.result_type(*arrays, np.float32)  # floats stay as they are; integers become float64
    if not np.issubdtype(dtype, np.floating):
        dtype = np.float64
    W1, V, W2 = (a.astype(dtype, copy=False) for a in arrays)
    n, m1 = W1.shape[-2:]
    if V.shape[-2] != m1:
        raise ValueError(f"V must have m1 = {m1} rows (the columns of W1), got shape {V.shape}")
    if W2.shape[-2:] != (n, V.shape[-1]):
        raise ValueError(f"W2 must have shape (n, m2) = ({n}, {V.shape[-1]}) (rows of W1, columns of V), "
                         f"got shape {W2.shape}")
    if not W1.shape[:-2] == V.shape[:-2] == W2.shape[:-2]:
        raise ValueError("W1, V and W2 must have the same leading (instance) shape, got "
                         f"{W1.shape[:-2]}, {V.shape[:-2]}, {W2.shape[:-2]}")
    return W1, V, W2


def _hidden(W1: np.ndarray, xi) -> np.ndarray:
    """H = W1 + 1 ξᵀ: row i is the first hidden layer for input e_i."""
    if xi is None:
        return W1
    xi = np.asarray(xi, dtype=W1.dtype)
    if xi.shape != (W1.shape[-1],):
        raise ValueError(f"xi must have shape (m1,) = ({W1.shape[-1]},), got shape {xi.shape}")
    return W1 + xi


def _target(target, spec, n: int, dtype) -> np.ndarray:
    if (target is None) == (spec is None):
        raise ValueError("give exactly one of target (an n×n array) and spec (a CircuitSpec)")
    if spec is not None:
        if not isinstance(spec, CircuitSpec):
            raise ValueError(f"spec must be a CircuitSpec, got {spec!r}")
        if spec.n != n:
            raise ValueError(f"spec.n = {spec.n} does not match the weights' n = {n}")
        return target_matrix(spec).astype(dtype)
    T = np.asarray(target, dtype=dtype)
    if T.shape != (n, n) or not np.all(np.isfinite(T)):
        raise ValueError(f"target must be a finite array of shape (n, n) = ({n}, {n}), got shape {T.shape}")
    return T


def _l1(l1, spec) -> float:
    if spec is not None:
        if l1 is not None:
            raise ValueError(f"l1 is taken from spec (l1 = {spec.l1:g}); pass l1 only with target, got l1={l1!r}")
        return spec.l1
    return 0.0 if l1 is None else validate.real("l1", l1, minimum=0.0)


def virtual_weights(W1, V, W2, *, xi=None) -> np.ndarray:
    """M = (W1 + 1ξᵀ) V W2ᵀ, shape (..., n, n): M_ij is output j's pre-activation for input e_i.

    Without noise M = W1 V W2ᵀ, the feature-to-feature weights through both hidden layers. Cost:
    n·m1·m2 + n²·m2 multiply-adds per instance.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import virtual_weights
    >>> W1 = np.array([[1.0], [-1.0]])  # features 0 (+) and 1 (−) share the one layer-1 neuron
    >>> virtual_weights(W1, [[2.0]], [[0.5], [-0.5]]).tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """
    W1, V, W2 = _weights(W1, V, W2)
    return _hidden(W1, xi) @ V @ np.swapaxes(W2, -1, -2)


def virtual_error_derivative(M, target) -> np.ndarray:
    """D = ∂L_data/∂M = 2 (ReLU(M) − T) ⊙ 1[M > 0], shape of ``M`` (ReLU′(0) = 0, as PyTorch).

    Examples
    --------
    >>> from theory.circuits import virtual_error_derivative
    >>> virtual_error_derivative([[0.5, -0.3], [0.2, 1.5]], [[1.0, 0.0], [0.0, 1.0]]).tolist()
    [[-1.0, 0.0], [0.4, 1.0]]
    """
    M = np.asarray(M)
    if not np.issubdtype(M.dtype, np.floating):
        M = M.astype(np.float64)
    T = np.asarray(target, dtype=M.dtype)
    return 2 * np.where(M > 0, M - T, 0)


def circuit_loss(W1, V, W2, *, target=None, spec: CircuitSpec | None = None, l1=None, xi=None) -> np.ndarray:
    """L = Σ_ij (ReLU(M_ij) − T_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁), one value per instance.

    Code units (summed over the n one-hot inputs and n outputs, not averaged), as
    ``theory.loss.loss``. Cost: n·m1·m2 + n²·m2 multiply-adds per instance.

    Parameters
    ----------
    W1, V, W2 : arrays of shapes (..., n, m1), (..., m1, m2), (..., n, m2)
        The same leading (instance) shape.
    target : array (n, n), optional
        T (row: input, column: output); give it or ``spec``.
    spec : CircuitSpec, optional
        Gives T (``target_matrix``) and λ (``spec.l1``).
    l1 : float, optional
        λ >= 0 with ``target`` (default 0); with ``spec`` it comes from the spec.
    xi : array (m1,), optional
        One layer-1 noise draw, shared by all inputs and instances.

    Returns
    -------
    array of shape W1.shape[:-2]

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import CircuitSpec, circuit_loss
    >>> I2 = np.eye(2)
    >>> float(circuit_loss(I2, I2, I2, target=I2)), round(float(circuit_loss(I2, I2, I2, target=I2, l1=0.1)), 12)
    (0.0, 0.6)
    >>> swap = CircuitSpec(n=2, m1=2, m2=2, target="permutation", permutation=[1, 0])
    >>> float(circuit_loss(I2, [[0.0, 1.0], [1.0, 0.0]], I2, spec=swap))  # V routes 0 → 1 and 1 → 0
    0.0
    >>> float(circuit_loss(I2, I2, I2, spec=swap))  # the identity circuit: 2 misses, 2 spurious outputs
    4.0
    >>> circuit_loss(np.stack([I2, 0.5 * I2]), np.stack([I2, I2]), np.stack([I2, I2]), target=I2).tolist()
    [0.0, 0.5]
    """
    W1, V, W2 = _weights(W1, V, W2)
    T = _target(target, spec, W1.shape[-2], W1.dtype)
    lam = _l1(l1, spec)
    R = np.maximum(virtual_weights(W1, V, W2, xi=xi), 0) - T
    out = np.sum(R * R, axis=(-2, -1))
    if lam:
        out = out + lam * sum(np.sum(np.abs(a), axis=(-2, -1)) for a in (W1, V, W2))
    return out


def circuit_gradient(W1, V, W2, *, target=None, spec: CircuitSpec | None = None,
                     xi=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂W1, ∂L/∂V, ∂L/∂W2) of the squared-error term: (Q Vᵀ, Hᵀ Q, Dᵀ P).

    H = W1 + 1ξᵀ, P = H V, M = P W2ᵀ, D = 2(ReLU(M) − T) ⊙ 1[M > 0], Q = D W2 (module docstring).
    Units: code loss per unit weight. Cost per instance: 3 n·m1·m2 + 3 n²·m2 multiply-adds. The L1
    term is ``l1_subgradient``; ``spec.l1`` is not used here.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuits import circuit_gradient
    >>> gW1, gV, gW2 = circuit_gradient([[0.5]], [[1.0]], [[1.0]], target=[[1.0]])
    >>> float(gW1[0, 0]), float(gV[0, 0]), float(gW2[0, 0])  # L = (0.5·v·w2 − 1)²: each ∂ = 2(M − 1)·(others)
    (-1.0, -0.5, -0.5)
    """
    W1, V, W2 = _weights(W1, V, W2)
    T = _target(target, spec, W1.shape[-2], W1.dtype)
    H = _hidden(W1, xi)
    P = H @ V
    D = virtual_error_derivative(P @ np.swapaxes(W2, -1, -2), T)
    Q = D @ W2
    return Q @ np.swapaxes(V, -1, -2), np.swapaxes(H, -1, -2) @ Q, np.swapaxes(D, -1, -2) @ P


def l1_subgradient(W1, V, W2, *, l1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """λ (sign W1, sign V, sign W2) with sign(0) = 0: the gradient of λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁) off zeros.

    Examples
    --------
    >>> from theory.circuits import l1_subgradient
    >>> [g.tolist() for g in l1_subgradient([[2.0, 0.0]], [[-1.0], [3.0]], [[0.5]], l1=0.1)]
    [[[0.1, 0.0]], [[-0.1], [0.1]], [[0.1]]]
    """
    W1, V, W2 = _weights(W1, V, W2)
    lam = validate.real("l1", l1, minimum=0.0)
    return tuple(lam * np.sign(a) for a in (W1, V, W2))


def circuit_loss_gradient(W1, V, W2, *, target=None, spec: CircuitSpec | None = None, l1=None,
                          xi=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """∂L/∂(W1, V, W2) including the L1 subgradient: ``circuit_gradient`` + ``l1_subgradient``.

    λ from ``spec.l1`` or ``l1`` (with ``target``), as ``circuit_loss``.

    Examples
    --------
    >>> from theory.circuits import circuit_loss_gradient
    >>> [float(g[0, 0]) for g in circuit_loss_gradient([[0.5]], [[1.0]], [[1.0]], target=[[1.0]], l1=0.1)]
    [-0.9, -0.4, -0.4]
    """
    W1, V, W2 = _weights(W1, V, W2)
    lam = _l1(l1, spec)
    data = circuit_gradient(W1, V, W2, target=target, spec=spec, xi=xi)
    if not lam:
        return data
    return tuple(g + lam * np.sign(a) for g, a in zip(data, (W1, V, W2)))
