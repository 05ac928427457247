"""Closed forms of the fourth-norm drift under hidden noise (paper §2.5(b), §3.2).

Under hidden noise of excess kurtosis κ the only non-rotation-invariant part of the expected loss is,
to first order (the Edgeworth term of ``theory.noise_loss``),

    L_κ = Σ_j (κ/12) F_j σ‖W_j‖ Σ_{b≠j} c_bj φ(c_bj/(σ‖W_j‖)),   F_j = ‖W_j‖₄⁴/‖W_j‖₂⁴, c_bj = −⟨W_b, W_j⟩.

Once the Gram matrix has relaxed to the centred simplex (c_bj = 1/(n − 1), unit rows; a few hundred
steps at lr 0.02), the gradient flow moves each row along −(κ/12)A ∇F_j with
A = (n − 1)σcφ(c/σ), so dF_j/dt = −(κ/12) A ‖∇F_j‖². For a random unit row
E‖∇F‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) ≈ 96/m², hence

    dF/dt ≈ −(κ/12)(n − 1)σcφ(c/σ) · 96(m − 1)/((m + 2)(m + 4)(m + 6))     (per unit time t = lr·steps),

an m^−2 law for the absolute drift (m^−1 relative to the start 3/(m + 2)). The same ascent from a
random start needs a time ∝ m/log m to reach the neuron axes (``sims.noise_drift.reduced_ascent_time``).

Pure numpy; the measurements that test these laws are in ``sims.noise_drift``. Derivation of
E‖∇F‖²: ``derivations.noise`` (sphere moments).
"""

from __future__ import annotations

import math

import numpy as np

from . import validate
from .noise_loss import expected_loss_edgeworth

__all__ = ["edgeworth_fourth_norm_drift", "fourth_norm_drift", "fourth_norm_gradient", "predicted_fourth_norm_drift", "random_direction_gradient_square",
           "simplex_margin_factor"]

_SQRT_2PI = math.sqrt(2 * math.pi)


def random_direction_gradient_square(m: int) -> float:
    """E‖∇F(u)‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) for u uniform on S^{m−1}, F = Σ_k u_k⁴ (dimensionless).

    From ∇F = 4(u³ − F u) on the unit sphere, E Σu⁶ = 15/((m + 2)(m + 4)) and
    E F² = (9m + 96)/((m + 2)(m + 4)(m + 6)). Needs m >= 1 (0 at m = 1).

    Examples
    --------
    >>> from theory.noise_drift import random_direction_gradient_square
    >>> round(random_direction_gradient_square(16), 6), random_direction_gradient_square(1)
    (0.181818, 0.0)
    """
    m = validate.integer("m", m, minimum=1)
    return 96.0 * (m - 1) / ((m + 2) * (m + 4) * (m + 6))


def simplex_margin_factor(n: int, sigma: float) -> float:
    """A = (n − 1)σcφ(c/σ), c = 1/(n − 1): Σ_b v c′φ(c′) of one unit row of the centred simplex (units of W²).

    The weight of F_j in the Edgeworth correction (κ/12)·F_j·A. Needs n >= 2, σ > 0.

    Examples
    --------
    >>> from theory.noise_drift import simplex_margin_factor
    >>> round(simplex_margin_factor(8, 0.15), 6)
    0.038023
    """
    n = validate.integer("n", n, minimum=2)
    sigma = validate.real("sigma", sigma, minimum=0.0, strict_min=True)
    c = 1.0 / (n - 1)
    return (n - 1) * sigma * c * math.exp(-0.5 * (c / sigma) ** 2) / _SQRT_2PI


def predicted_fourth_norm_drift(n: int, m: int, sigma: float, kurtosis: float) -> float:
    """dF/dt = −(κ/12)·(n − 1)σcφ(c/σ)·96(m − 1)/((m + 2)(m + 4)(m + 6)), c = 1/(n − 1).

    The first-order (Edgeworth) drift of a random row's fourth norm per unit gradient-flow time
    t = lr·steps, at the centred-simplex Gram matrix; multiply by lr for the drift per SGD step.
    Needs n >= 2, m >= 1, σ > 0, κ >= −2.

    Examples
    --------
    >>> from theory.noise_drift import predicted_fourth_norm_drift
    >>> round(predicted_fourth_norm_drift(8, 16, 0.15, -2.0), 8)  # bipolar: F rises (toward the axes)
    0.0011522
    >>> round(0.02 * predicted_fourth_norm_drift(8, 16, 0.15, -2.0), 10)  # per SGD step at lr 0.02
    2.3044e-05
    """
    kurtosis = validate.real("kurtosis", kurtosis, minimum=-2.0)
    return -kurtosis / 12.0 * simplex_margin_factor(n, sigma) * random_direction_gradient_square(m)


def fourth_norm_gradient(W) -> np.ndarray:
    """∇_{W_j} F_j = 4W_j³/‖W_j‖⁴ − 4F_j W_j/‖W_j‖², F_j = ‖W_j‖₄⁴/‖W_j‖₂⁴; shape of W (rows without 0).

    Dimensionless per unit weight; orthogonal to W_j (F is scale-invariant).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_drift import fourth_norm_gradient
    >>> fourth_norm_gradient(np.array([[1.0, 1.0]])).tolist()  # F = 1/2 is smallest on the diagonal
    [[0.0, 0.0]]
    >>> fourth_norm_gradient(np.array([[1.0, 0.5]])).round(4).tolist()
    [[0.384, -0.768]]
    """
    W = np.asarray(W, dtype=np.float64)
    n2 = np.sum(W * W, axis=-1, keepdims=True)
    F = np.sum(W**4, axis=-1, keepdims=True) / n2**2
    return 4 * W**3 / n2**2 - 4 * F * W / n2


def fourth_norm_drift(W, loss, *, h: float = 1e-5) -> np.ndarray:
    """(1/n)Σ_j ⟨∇F_j, −∇_{W_j}loss⟩: the drift of the mean fourth norm per unit time under the gradient
    flow of ``loss`` at W, the gradient by central differences with step ``h``.

    ``loss`` maps an array of shape (k, n, m) to k losses (every loss of ``theory.noise_loss`` does). W has
    shape (n, m) or (instances, n, m), no zero row; returns shape W.shape[:-2]. Cost 2nm loss evaluations
    per instance, in one batched call.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_drift import fourth_norm_drift
    >>> W = np.array([[1.0, 0.5], [0.2, -1.0]])
    >>> round(float(fourth_norm_drift(W, lambda X: -np.sum(X**4, axis=(-2, -1)))), 4)  # ascent of Σ w⁴ raises F
    0.8382
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim not in (2, 3) or W.shape[-1] < 1 or W.shape[-2] < 2 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite array of shape (n, m) or (instances, n, m) with n >= 2, got {W.shape}")
    if np.any(np.sum(W * W, axis=-1) == 0):
        raise ValueError("W must have no zero row (the fourth norm of 0 is undefined)")
    h = validate.real("h", h, minimum=0.0, strict_min=True)
    flat = W.reshape((-1,) + W.shape[-2:])
    out = []
    for Wi in flat:
        n, m = Wi.shape
        E = np.eye(n * m).reshape(n * m, n, m) * h
        grad = ((np.asarray(loss(Wi + E)) - np.asarray(loss(Wi - E))) / (2 * h)).reshape(n, m)
        out.append(float(np.mean(np.sum(fourth_norm_gradient(Wi) * -grad, axis=-1))))
    out = np.array(out).reshape(W.shape[:-2])
    return out[()] if out.ndim == 0 else out


def edgeworth_fourth_norm_drift(W, sigma: float, kurtosis: float, *, h: float = 1e-5) -> np.ndarray:
    """(1/n)Σ_j ⟨∇F_j, −∇_{W_j}L_κ⟩: the first-order drift of the mean fourth norm per unit time at W.

    L_κ = ``expected_loss_edgeworth``(W, σ, κ) − ``expected_loss_edgeworth``(W, σ, 0), the part of the
    expected loss that is not rotation-invariant (the rotation-invariant rest has zero mean drift);
    ``fourth_norm_drift`` of it with step ``h``. W has shape (n, m) or (instances, n, m), no zero row;
    returns shape W.shape[:-2].

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_drift import edgeworth_fourth_norm_drift
    >>> W = np.random.default_rng(0).normal(size=(3, 4))
    >>> W /= np.linalg.norm(W, axis=1, keepdims=True)
    >>> [round(float(edgeworth_fourth_norm_drift(W, 0.3, k)), 5) for k in (-2.0, 3.0)]  # linear in κ
    [0.00453, -0.0068]
    """
    def kurt_part(X):
        return expected_loss_edgeworth(X, sigma, kurtosis) - expected_loss_edgeworth(X, sigma, 0.0)

    return fourth_norm_drift(W, kurt_part, h=h)
