"""Exact loss, gradient and force decomposition of the tied ReLU-output model.

For W of shape (n, m) or (..., n, m) (a stack of independent instances) and a noise draw
ξ ∈ R^m shared by all inputs and instances (the paper's convention), input e_i produces
output y_j(e_i) = ReLU(A_ij) with

    A = G + 1 sᵀ,   G = W Wᵀ (the Gram matrix),   s = W ξ,

so A_ij = ⟨W_i, W_j⟩ + ⟨W_j, ξ⟩. The loss is the summed squared error over the n one-hot
inputs and n outputs plus the L1 penalty,

    L = Σ_ij (ReLU(A_ij) − δ_ij)² + λ‖W‖₁,

which without noise is Σ_i (1 − ‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)² + λ‖W‖₁ (paper §2.1).
Everything is computed through the n×n matrix A: O(n²m) per instance, and the n×n identity
batch of inputs is never formed. Derivations: ``derivations.loss``.

L1 subgradient convention: ∂|w|/∂w = sign(w) with sign(0) = 0, as in PyTorch's autograd of
``torch.norm(W, p=1)``; this is the minimum-norm element of the subdifferential of the
penalty alone. (Proximal training handles exact zeros without a subgradient.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Forces",
    "data_gradient",
    "forces",
    "gram",
    "loss",
    "loss_gradient",
    "output_error_derivative",
]


def _weights(W) -> np.ndarray:
    W = np.asarray(W)
    if W.ndim < 2:
        raise ValueError(f"W must have shape (n, m) or (instances, n, m), got shape {W.shape}")
    if not np.issubdtype(W.dtype, np.floating):
        W = W.astype(np.float64)
    return W


def _noise(xi, W: np.ndarray):
    if xi is None:
        return None
    xi = np.asarray(xi, dtype=W.dtype)
    if xi.shape != (W.shape[-1],):
        raise ValueError(f"xi must have shape (m,) = ({W.shape[-1]},), got shape {xi.shape}")
    return xi


def gram(W) -> np.ndarray:
    """G = W Wᵀ, shape (..., n, n): G_ij = ⟨W_i, W_j⟩ (numpy uses a symmetric rank-k update).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import gram
    >>> gram(np.array([[1.0, 0.0], [0.6, 0.8]])).round(3).tolist()
    [[1.0, 0.6], [0.6, 1.0]]
    """
    W = _weights(W)
    return W @ np.swapaxes(W, -1, -2)


def _preactivation(W: np.ndarray, xi) -> np.ndarray:
    A = gram(W)
    if xi is not None:
        A += (W @ xi)[..., None, :]
    return A


def output_error_derivative(A) -> np.ndarray:
    """D = ∂L_data/∂A = 2 (ReLU(A) − I) ⊙ 1[A > 0], shape (..., n, n).

    ``A`` holds the output pre-activations A_ij = ⟨W_i, W_j⟩ + ⟨W_j, ξ⟩ (row: input, column: output).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import gram, output_error_derivative
    >>> A = gram(np.array([[0.8, 0.3], [-0.5, 0.6]]))  # ⟨W_1, W_2⟩ = −0.22 < 0: no interference
    >>> output_error_derivative(A).round(3).tolist()
    [[-0.54, 0.0], [0.0, -0.78]]
    """
    A = np.asarray(A)
    idx = np.arange(A.shape[-1])
    # Off the diagonal 2 ReLU(A) already vanishes where A <= 0; only the diagonal needs the mask.
    D = np.maximum(A, 0)
    D[..., idx, idx] -= A[..., idx, idx] > 0
    D *= 2
    return D


def loss(W, *, l1: float = 0.0, xi=None) -> np.ndarray:
    """L = Σ_ij (ReLU(A_ij) − δ_ij)² + λ‖W‖₁, one value per instance (shape W.shape[:-2]).

    Parameters
    ----------
    W : array, shape (n, m) or (..., n, m)
    l1 : float
        λ >= 0, the L1 strength (sum-normalised, as in the paper's code; the paper's §2.2
        gradient-flow analysis writes it as λ/4, with time 4t).
    xi : array of shape (m,), optional
        One noise draw, shared by all inputs and instances.

    Returns
    -------
    array of shape W.shape[:-2]
        The loss in the code's units (squared error summed over inputs and outputs, not averaged).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import loss
    >>> float(loss(np.eye(2))), float(loss(np.eye(2), l1=0.1))  # monosemantic: only the L1 term
    (0.0, 0.2)
    >>> float(loss([[1.0], [-1.0]])), float(loss([[1.0], [1.0]]))  # ± sharing is free, same sign is not
    (0.0, 2.0)
    >>> loss(np.stack([np.eye(2), 0.5 * np.eye(2)])).tolist()  # one value per instance
    [0.0, 1.125]
    >>> round(float(loss(np.eye(2), xi=[0.1, -0.1])), 4)  # one noise draw ξ
    0.03
    """
    W = _weights(W)
    A = _preactivation(W, _noise(xi, W))
    R = np.maximum(A, 0)
    idx = np.arange(A.shape[-1])
    R[..., idx, idx] -= 1
    data = np.sum(R * R, axis=(-2, -1))
    if l1:
        data = data + l1 * np.sum(np.abs(W), axis=(-2, -1))
    return data


def data_gradient(W, *, xi=None, out=None) -> np.ndarray:
    """∂/∂W of the squared-error term: (D + Dᵀ) W + (1ᵀD)ᵀ ξᵀ, shape of ``W``.

    ``out`` (same shape and dtype as W, C-contiguous) receives the result without allocation
    of a W-sized temporary. Cost: one Gram product and one (n×n)(n×m) product per instance.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import data_gradient
    >>> np.diag(data_gradient(0.5 * np.eye(2))).tolist()  # −4w(1 − w²) at w = 0.5
    [-1.5, -1.5]
    """
    W = _weights(W)
    xi = _noise(xi, W)
    D = output_error_derivative(_preactivation(W, xi))
    S = D + np.swapaxes(D, -1, -2)
    out = np.matmul(S, W, out=out)
    if xi is not None:
        out += D.sum(axis=-2)[..., :, None] * xi
    return out


def loss_gradient(W, *, l1: float = 0.0, xi=None) -> np.ndarray:
    """∂L/∂W = (D + Dᵀ) W + (1ᵀD)ᵀ ξᵀ + λ sign(W), with sign(0) = 0 (module docstring).

    Units: the code's summed loss per unit weight, λ = λ_code; the paper's §2.2 flow divides by 4
    (λ′ = λ/4 in time τ = 4t).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import loss_gradient
    >>> np.diag(loss_gradient(0.5 * np.eye(2), l1=0.1)).tolist()  # −1.5 + λ
    [-1.4, -1.4]
    """
    W = _weights(W)
    g = data_gradient(W, xi=xi)
    if l1:
        g += l1 * np.sign(W)
    return g


@dataclass(frozen=True)
class Forces:
    """The three forces on W, in units of −∂L/∂W (optimiser time, not the paper's rescaled time).

    Without noise, row i reads (paper §2.2, before its rescaling t → 4t, λ → λ/4):

    * ``feature_benefit``  =  4 (1 − ‖W_i‖²) W_i
    * ``interference``     = −4 Σ_{j≠i} ReLU(⟨W_i, W_j⟩) W_j
    * ``regularisation``   = −λ sign(W_i)

    With noise, the feature benefit collects the diagonal outputs (input i, output i) and the
    interference the off-diagonal ones, each including its ξ-dependent part.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import Forces
    >>> f = Forces(feature_benefit=np.array([[1.0]]), interference=np.array([[-0.25]]),
    ...            regularisation=np.array([[-0.1]]))
    >>> np.round(f.total, 3).tolist()
    [[0.65]]
    """

    feature_benefit: np.ndarray
    interference: np.ndarray
    regularisation: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Sum of the three forces, which equals −∂L/∂W exactly (up to rounding)."""
        return self.feature_benefit + self.interference + self.regularisation


def forces(W, *, l1: float = 0.0, xi=None) -> Forces:
    """Decompose −∂L/∂W into feature benefit, interference and regularisation (see ``Forces``).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.loss import forces, loss_gradient
    >>> W = np.array([[0.6, 0.3], [0.3, 0.6]])
    >>> f = forces(W, l1=0.1)
    >>> np.round(f.feature_benefit, 3).tolist()  # 4(1 − ‖W_i‖²) W_i
    [[1.32, 0.66], [0.66, 1.32]]
    >>> np.round(f.interference, 3).tolist()  # −4 ReLU(⟨W_1, W_2⟩) W_j
    [[-0.432, -0.864], [-0.864, -0.432]]
    >>> bool(np.allclose(f.total, -loss_gradient(W, l1=0.1)))
    True
    """
    W = _weights(W)
    xi = _noise(xi, W)
    D = output_error_derivative(_preactivation(W, xi))
    n = D.shape[-1]
    idx = np.arange(n)
    d = D[..., idx, idx].copy()
    D_off = D.copy()
    D_off[..., idx, idx] = 0
    benefit = -2 * d[..., :, None] * W
    interference = -(D_off + np.swapaxes(D_off, -1, -2)) @ W
    if xi is not None:
        benefit -= d[..., :, None] * xi
        interference -= D_off.sum(axis=-2)[..., :, None] * xi
    return Forces(benefit, interference, -l1 * np.sign(W))
