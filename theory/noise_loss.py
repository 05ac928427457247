"""Expected loss under hidden-layer noise: projection moments, Gaussian and Edgeworth closed forms,
exact bipolar enumeration, and the fourth-norm end states (paper §1.3, §2.5, §3.2).

ξ ∈ R^m has i.i.d. symmetric coordinates with variance σ² and excess kurtosis κ (families in
``theory.noise``). For input e_b, output j is ReLU(G_bj + s_j) with G = W Wᵀ and s_j = ⟨ξ, W_j⟩,
so the expected loss is a sum of per-(b, j) terms, each depending only on the marginal law of s_j:

    E L = Σ_b E[(ReLU(‖W_b‖² + s_b) − 1)²] + Σ_{b≠j} E[ReLU(G_bj + s_j)²].

(The s_j of different outputs are correlated through the shared ξ, but no term involves two of
them.) When the diagonal pre-activations stay positive (‖W_b‖² + s_b > 0 almost surely; for bipolar
noise ‖W_b‖² > σ‖W_b‖₁) the diagonal term is (1 − ‖W_b‖²)² + σ²‖W_b‖² for every noise law.

Units: the code's loss (squared error **summed** over inputs and outputs, as ``theory.loss``; no
rescaling by 4), without the L1 term. Derivations: ``derivations.noise``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from . import validate

__all__ = [
    "centred_simplex",
    "edgeworth_relu_square_mean",
    "expected_loss_bipolar_exact",
    "expected_loss_edgeworth",
    "expected_loss_gaussian",
    "fourth_norm_drift_sign",
    "gaussian_relu_error_mean",
    "gaussian_relu_square_mean",
    "projection_excess_kurtosis",
    "projection_moments",
    "random_direction_fourth_norm",
    "reduced_simplex",
    "reduced_simplex_fourth_norm",
    "simplex_fourth_norm",
]

#: The exact bipolar enumeration visits 2^m sign patterns; beyond this m it refuses.
MAX_ENUMERATION_M = 20

_SQRT_2PI = np.sqrt(2 * np.pi)


def _phi(x):
    return np.exp(-0.5 * x * x) / _SQRT_2PI


def _finite_array(name: str, value) -> np.ndarray:
    x = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def _variance(v) -> np.ndarray:
    v = _finite_array("v", v)
    if np.any(v < 0):
        raise ValueError(f"v must be a variance >= 0, got {v!r}")
    return v


def _vector(w) -> np.ndarray:
    w = _finite_array("w", w)
    if w.ndim < 1 or w.shape[-1] < 1:
        raise ValueError(f"w must have shape (..., m) with m >= 1, got shape {w.shape}")
    return w


def _weights(W) -> np.ndarray:
    W = _finite_array("W", W)
    if W.ndim < 2 or W.shape[-1] < 1 or W.shape[-2] < 1:
        raise ValueError(f"W must have shape (n, m) or (..., n, m) with n, m >= 1, got shape {np.shape(W)}")
    return W


def _sigma(sigma) -> float:
    return validate.real("sigma", sigma, minimum=0.0)


def _kurtosis(kurtosis) -> float:
    return validate.real("kurtosis", kurtosis, minimum=-2.0)


# ------------------------------------------------------------------------------------------------
# moments of the projection


def projection_moments(w, sigma: float, kurtosis: float):
    """(E s², E s⁴) = (σ²‖w‖₂², 3σ⁴‖w‖₂⁴ + κσ⁴‖w‖₄⁴) for s = ⟨ξ, w⟩ (paper §2.5(a)).

    Parameters
    ----------
    w : array, shape (..., m)
        One weight row per trailing axis (units of the weights).
    sigma : float
        σ >= 0, standard deviation of each ξ_k.
    kurtosis : float
        κ >= −2, excess kurtosis E ξ⁴/σ⁴ − 3 of each ξ_k (−2 is the least possible, bipolar).

    Returns
    -------
    (E s², E s⁴), arrays of shape w.shape[:-1]. Derivation: ``noise.projection-moments``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_loss import projection_moments
    >>> w = np.array([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]])  # one-hot and flat unit rows
    >>> Es2, Es4 = projection_moments(w, 0.1, -2.0)  # bipolar noise, σ = 0.1
    >>> np.round(Es2, 6).tolist(), np.round(Es4, 6).tolist()
    ([0.01, 0.01], [0.0001, 0.00025])
    """
    w = _vector(w)
    sigma, kurtosis = _sigma(sigma), _kurtosis(kurtosis)
    n2 = np.sum(w * w, axis=-1)
    n4 = np.sum(w**4, axis=-1)
    return sigma**2 * n2, 3 * sigma**4 * n2**2 + kurtosis * sigma**4 * n4


def projection_excess_kurtosis(w, kurtosis: float):
    """κ_s = κ‖w‖₄⁴/‖w‖₂⁴, the excess kurtosis of s = ⟨ξ, w⟩ (dimensionless; paper §2.5(a)).

    ``w`` has shape (..., m) and no zero row (s = 0 has no kurtosis). Derivation:
    ``noise.projection-moments``.

    Examples
    --------
    >>> from theory.noise_loss import projection_excess_kurtosis
    >>> projection_excess_kurtosis([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]], -2.0).tolist()
    [-2.0, -0.5]
    """
    w = _vector(w)
    kurtosis = _kurtosis(kurtosis)
    n2 = np.sum(w * w, axis=-1)
    if np.any(n2 == 0):
        raise ValueError("w must have no zero row: the excess kurtosis of s = <xi, 0> is undefined")
    return kurtosis * np.sum(w**4, axis=-1) / n2**2


# ------------------------------------------------------------------------------------------------
# Gaussian and Edgeworth closed forms


def _gaussian_relu_square(G, v) -> np.ndarray:
    """E[(G + s)₊²] for s ~ N(0, v), on validated arrays; always returns an array."""
    G, v = np.broadcast_arrays(G, v)
    sd = np.sqrt(v)
    out = np.array(np.maximum(G, 0.0) ** 2, dtype=np.float64)
    pos = sd > 0
    x = G[pos] / sd[pos]
    out[pos] = (G[pos] ** 2 + v[pos]) * ndtr(x) + G[pos] * sd[pos] * _phi(x)
    return out


def _scalar_or_array(x: np.ndarray):
    return x[()] if x.ndim == 0 else x


def gaussian_relu_square_mean(G, v):
    """E[(G + s)₊²] = (G² + v)Φ(G/√v) + G√v φ(G/√v) for s ~ N(0, v) (paper §2.5(b)).

    Broadcasts ``G`` (a pre-activation, any real) against ``v`` >= 0 (the variance of s); at v = 0 it
    is ReLU(G)². Units: squared output. Derivation: ``noise.gaussian-relu-square``.

    Examples
    --------
    >>> from theory.noise_loss import gaussian_relu_square_mean
    >>> float(gaussian_relu_square_mean(0.0, 1.0)), float(gaussian_relu_square_mean(1.0, 0.0))  # v/2; ReLU(G)²
    (0.5, 1.0)
    >>> gaussian_relu_square_mean([-0.5, 0.0, 0.5], 0.04).round(4).tolist()
    [0.0, 0.02, 0.29]
    """
    return _scalar_or_array(_gaussian_relu_square(_finite_array("G", G), _variance(v)))


def _gaussian_relu_mean(G, v):
    """E[(G + s)₊] = GΦ(G/√v) + √v φ(G/√v) for s ~ N(0, v) (arrays already validated)."""
    G, v = np.broadcast_arrays(G, v)
    sd = np.sqrt(v)
    out = np.array(np.maximum(G, 0.0), dtype=np.float64)
    pos = sd > 0
    x = G[pos] / sd[pos]
    out[pos] = G[pos] * ndtr(x) + sd[pos] * _phi(x)
    return out


def gaussian_relu_error_mean(a, v):
    """E[(ReLU(a + s) − 1)²] = ((1 − a)² + v)Φ(x) + Φ̄(x) + (a − 2)√v φ(x), x = a/√v, s ~ N(0, v).

    The exact Gaussian diagonal term (input b, output b, a = ‖W_b‖²), with no positivity
    assumption; at v = 0 it is (ReLU(a) − 1)². Units: squared output. Derivation:
    ``noise.expected-loss``.

    Examples
    --------
    >>> from theory.noise_loss import gaussian_relu_error_mean
    >>> float(gaussian_relu_error_mean(1.0, 0.0))
    0.0
    >>> round(float(gaussian_relu_error_mean(1.0, 0.01)), 6)  # (1 − a)² + v while a + s stays > 0
    0.01
    """
    a = _finite_array("a", a)
    v = _variance(v)
    # (ReLU(x) − 1)² = ReLU(x)² − 2 ReLU(x) + 1
    return _scalar_or_array(_gaussian_relu_square(a, v) - 2 * _gaussian_relu_mean(a, v) + 1.0)


def edgeworth_relu_square_mean(c, v, kurtosis_s):
    """E[(s − c)₊²] ≈ v[(1 + c′²)Φ̄(c′) − c′φ(c′)] + (κ_s/12) v c′φ(c′), c′ = c/√v (paper §2.5(b)).

    First-order Edgeworth approximation for a symmetric s with variance ``v`` >= 0 and excess
    kurtosis ``kurtosis_s`` (κ_s); ``c`` is the margin (c = −G). At v = 0 it returns ReLU(−c)². The
    Gaussian part is exact; the correction is positive for c > 0 when κ_s > 0. Units: squared output.
    Derivation: ``noise.edgeworth``.

    Examples
    --------
    >>> from theory.noise_loss import edgeworth_relu_square_mean, gaussian_relu_square_mean
    >>> edgeworth_relu_square_mean(0.2, 0.04, [0.0, -2.0, 3.0]).round(5).tolist()  # margin c = 1 sd
    [0.00301, 0.0014, 0.00543]
    >>> round(float(gaussian_relu_square_mean(-0.2, 0.04)), 5)  # κ_s = 0 is the Gaussian value
    0.00301
    """
    c, v, ks = np.broadcast_arrays(_finite_array("c", c), _variance(v), _finite_array("kurtosis_s", kurtosis_s))
    return _scalar_or_array(_edgeworth_relu_square(c, v, ks))


def _edgeworth_relu_square(c, v, ks) -> np.ndarray:
    """The Edgeworth E[(s − c)₊²] on validated, broadcast arrays."""
    out = _gaussian_relu_square(-c, v)
    pos = v > 0
    cp = c[pos] / np.sqrt(v[pos])
    out[pos] = out[pos] + ks[pos] / 12 * v[pos] * cp * _phi(cp)
    return out


def _edgeworth_relu_mean(c, v, ks):
    """E[(s − c)₊] ≈ √v[φ(c′) − c′Φ̄(c′)] + (κ_s/24)√v(c′² − 1)φ(c′) (arrays already validated)."""
    out = _gaussian_relu_mean(-c, v)
    pos = v > 0
    sd = np.sqrt(v[pos])
    cp = c[pos] / sd
    out[pos] = out[pos] + ks[pos] / 24 * sd * (cp * cp - 1) * _phi(cp)
    return out


# ------------------------------------------------------------------------------------------------
# expected loss


def _squared_norms(W: np.ndarray) -> np.ndarray:
    return np.sum(W * W, axis=-1)


def expected_loss_gaussian(W, sigma: float):
    """E L = Σ_b E[(ReLU(‖W_b‖² + s_b) − 1)²] + Σ_{b≠j} E[(G_bj + s_j)₊²], ξ ~ N(0, σ²I), exactly.

    Each term depends only on the marginal s_j ~ N(0, σ²‖W_j‖²), so the Gaussian expectation is
    exact termwise (``gaussian_relu_error_mean`` on the diagonal, with no positivity assumption,
    ``gaussian_relu_square_mean`` off it). It depends on W only through G = W Wᵀ: rotation-invariant.

    Parameters
    ----------
    W : array, shape (n, m) or (..., n, m)
    sigma : float
        σ >= 0.

    Returns
    -------
    array of shape W.shape[:-2], in the code's loss units (summed squared error). Derivations:
    ``noise.expected-loss``, ``noise.gaussian-relu-square``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_loss import centred_simplex, expected_loss_gaussian
    >>> round(float(expected_loss_gaussian(np.eye(2), 0.1)), 6)  # nσ² + n(n − 1)σ²/2
    0.03
    >>> round(float(expected_loss_gaussian(centred_simplex(3, 4), 0.3)), 4)
    0.2777
    """
    W = _weights(W)
    sigma = _sigma(sigma)
    G = W @ np.swapaxes(W, -1, -2)
    var = sigma**2 * _squared_norms(W)  # Var s_j, one per output j
    n = G.shape[-1]
    off = _gaussian_relu_square(G, np.broadcast_to(var[..., None, :], G.shape))
    idx = np.arange(n)
    a = G[..., idx, idx]
    diag = _gaussian_relu_square(a, var) - 2 * _gaussian_relu_mean(a, var) + 1.0
    return off.sum(axis=(-2, -1)) - off[..., idx, idx].sum(axis=-1) + np.sum(diag, axis=-1)


def expected_loss_edgeworth(W, sigma: float, kurtosis: float):
    """E L ≈ Σ_{b,j} first-order Edgeworth expectation of (ReLU(G_bj + s_j) − δ_bj)² (paper §2.5(b)).

    Each s_j is treated as symmetric with variance v_j = σ²‖W_j‖² and excess kurtosis
    κ_s = κ‖W_j‖₄⁴/‖W_j‖₂⁴ (``projection_excess_kurtosis``): off the diagonal
    ``edgeworth_relu_square_mean(−G_bj, v_j, κ_s)``; on it E(ReLU(a + s) − 1)² =
    E(a + s)₊² − 2E(a + s)₊ + 1 with the same expansion of both, which is (1 − a)² + v + O(e^{−a²/2v}).
    At κ = 0 it equals ``expected_loss_gaussian``. An approximation: for bipolar noise on a
    1-sparse row it recovers about half of the exact deviation from the Gaussian value (claims).

    Parameters
    ----------
    W : array, shape (n, m) or (..., n, m)
    sigma : float
        σ >= 0.
    kurtosis : float
        κ >= −2, the excess kurtosis of each ξ_k.

    Returns
    -------
    array of shape W.shape[:-2], in the code's loss units. Derivation: ``noise.edgeworth``.

    Examples
    --------
    >>> from theory.noise_loss import centred_simplex, expected_loss_bipolar_exact, expected_loss_edgeworth
    >>> W = centred_simplex(3, 4)
    >>> round(float(expected_loss_edgeworth(W, 0.3, 0.0)), 4)  # the Gaussian value at κ = 0
    0.2777
    >>> round(float(expected_loss_edgeworth(W, 0.3, -2.0)), 4)  # bipolar κ: toward the exact 0.27
    0.2716
    """
    W = _weights(W)
    sigma, kurtosis = _sigma(sigma), _kurtosis(kurtosis)
    G = W @ np.swapaxes(W, -1, -2)
    n2 = _squared_norms(W)
    n4 = np.sum(W**4, axis=-1)
    ks = np.divide(kurtosis * n4, n2**2, out=np.zeros_like(n2), where=n2 > 0)
    var = sigma**2 * n2
    full_var = np.broadcast_to(var[..., None, :], G.shape)
    full_ks = np.broadcast_to(ks[..., None, :], G.shape)
    off = _edgeworth_relu_square(-G, full_var, full_ks)
    n = G.shape[-1]
    idx = np.arange(n)
    a = G[..., idx, idx]
    diag = _edgeworth_relu_square(-a, var, ks) - 2 * _edgeworth_relu_mean(-a, var, ks) + 1.0
    return off.sum(axis=(-2, -1)) - off[..., idx, idx].sum(axis=-1) + np.sum(diag, axis=-1)


def _sign_patterns(m: int, start: int, stop: int) -> np.ndarray:
    """Rows start..stop−1 of the 2^m × m matrix of ±1 patterns (bit k of the row index → ξ_k)."""
    idx = np.arange(start, stop, dtype=np.int64)[:, None]
    return ((idx >> np.arange(m, dtype=np.int64)) & 1) * 2.0 - 1.0


def _bipolar_exact_single(W: np.ndarray, sigma: float) -> float:
    n, m = W.shape
    G = W @ W.T
    idx = np.arange(n)
    total = 2**m
    chunk = max(1, min(total, 2**22 // (n * n)))
    acc = 0.0
    for start in range(0, total, chunk):
        S = sigma * (_sign_patterns(m, start, min(total, start + chunk)) @ W.T)  # s_j per pattern
        R = np.maximum(G[None, :, :] + S[:, None, :], 0.0)  # R[p, b, j] = ReLU(G_bj + s_j)
        R[:, idx, idx] -= 1.0
        acc += float(np.einsum("pbj,pbj->", R, R))
    return acc / total


def expected_loss_bipolar_exact(W, sigma: float):
    """E L = 2^{−m} Σ_{ξ ∈ {±σ}^m} L(W, ξ), exactly, by enumerating every sign pattern (paper §2.5(b)).

    L(W, ξ) = Σ_{b,j} (ReLU(G_bj + ⟨ξ, W_j⟩) − δ_bj)² is ``theory.loss`` without L1. The 2^m patterns
    are batched through one matrix product per chunk; cost 2^m·n(n + m) per instance. No positivity
    assumption. The exact reference for the Gaussian and Edgeworth approximations.

    Parameters
    ----------
    W : array, shape (n, m) or (..., n, m), with m <= 20
    sigma : float
        σ >= 0: ξ_k = ±σ with probability 1/2 each.

    Returns
    -------
    array of shape W.shape[:-2], in the code's loss units (summed squared error).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_loss import centred_simplex, expected_loss_bipolar_exact
    >>> round(float(expected_loss_bipolar_exact(np.eye(2), 0.1)), 6)
    0.03
    >>> round(float(expected_loss_bipolar_exact(centred_simplex(3, 4), 0.3)), 4)  # 2⁴ sign patterns
    0.27
    """
    W = _weights(W)
    sigma = _sigma(sigma)
    m = W.shape[-1]
    if m > MAX_ENUMERATION_M:
        raise ValueError(f"W must have m <= {MAX_ENUMERATION_M} columns for exact enumeration over 2^m sign "
                         f"patterns, got m = {m}")
    flat = W.reshape((-1,) + W.shape[-2:])
    out = np.array([_bipolar_exact_single(Wi, sigma) for Wi in flat])
    out = out.reshape(W.shape[:-2])
    return out[()] if out.ndim == 0 else out


# ------------------------------------------------------------------------------------------------
# end states


def centred_simplex(n: int, m: int) -> np.ndarray:
    """W_i = (e_i − (1/n)1_n)/√(1 − 1/n) on the first n of m neurons, shape (n, m) (paper §2.5(c)).

    The neuron-aligned centred one-hot simplex: unit rows, ⟨W_i, W_j⟩ = −1/(n − 1), Σ_i W_i = 0.
    Needs 2 <= n <= m. Derivation: ``noise.end-states``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_loss import centred_simplex
    >>> W = centred_simplex(3, 4)
    >>> np.round(W, 4).tolist()
    [[0.8165, -0.4082, -0.4082, 0.0], [-0.4082, 0.8165, -0.4082, 0.0], [-0.4082, -0.4082, 0.8165, 0.0]]
    >>> np.round(W @ W.T, 4).tolist()
    [[1.0, -0.5, -0.5], [-0.5, 1.0, -0.5], [-0.5, -0.5, 1.0]]
    """
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=1)
    if m < n:
        raise ValueError(f"m must be >= n = {n} to embed the centred simplex in the neuron basis, got {m}")
    W = np.zeros((n, m))
    W[:, :n] = (np.eye(n) - 1.0 / n) / np.sqrt(1 - 1.0 / n)
    return W


def simplex_fourth_norm(n: int) -> float:
    """‖W_i‖₄⁴/‖W_i‖₂⁴ = [(1 − 1/n)⁴ + (n − 1)/n⁴]/(1 − 1/n)² = (n² − 3n + 3)/(n(n − 1)).

    The normalised fourth norm of each row of the neuron-aligned centred simplex
    (``centred_simplex``); 43/56 ≈ 0.768 at n = 8 (paper §2.5(c)). Needs n >= 2 (dimensionless).
    Derivation: ``noise.end-states``.

    Examples
    --------
    >>> from theory.noise_loss import simplex_fourth_norm
    >>> round(simplex_fourth_norm(8), 4), round(43 / 56, 4)
    (0.7679, 0.7679)
    """
    n = validate.integer("n", n, minimum=2)
    return ((1 - 1 / n) ** 4 + (n - 1) / n**4) / (1 - 1 / n) ** 2


def reduced_simplex(n: int, m: int) -> np.ndarray:
    """W_i = a e_i + b 1_{n−1} (i < n), W_n = −1_{n−1}/√(n − 1) on the first n − 1 of m neurons, shape (n, m).

    a = √(n/(n − 1)), b = (1/√(n − 1) − a)/(n − 1): the Gram matrix of ``centred_simplex`` (unit rows,
    ⟨W_i, W_j⟩ = −1/(n − 1)) in n − 1 neurons: n − 1 features nearly one-hot, the last spread evenly
    over their neurons. The end state SGD reaches under bipolar noise (σ = 0.15, n = 8, m = 16;
    ledger claim ``noise-dynamics.end-state-bipolar``). Needs 2 <= n <= m + 1.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise_loss import reduced_simplex
    >>> W = reduced_simplex(3, 2)  # 3 features in 2 neurons
    >>> np.round(W, 4).tolist()
    [[0.9659, -0.2588], [-0.2588, 0.9659], [-0.7071, -0.7071]]
    >>> np.round(W @ W.T, 4).tolist()  # the Gram matrix of the centred simplex
    [[1.0, -0.5, -0.5], [-0.5, 1.0, -0.5], [-0.5, -0.5, 1.0]]
    """
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=1)
    if m < n - 1:
        raise ValueError(f"m must be >= n - 1 = {n - 1} to hold the reduced simplex, got {m}")
    a = np.sqrt(n / (n - 1))
    b = (1 / np.sqrt(n - 1) - a) / (n - 1)
    W = np.zeros((n, m))
    W[: n - 1, : n - 1] = a * np.eye(n - 1) + b
    W[n - 1, : n - 1] = -1 / np.sqrt(n - 1)
    return W


def reduced_simplex_fourth_norm(n: int) -> float:
    """Mean over rows of ‖W_i‖₄⁴ for ``reduced_simplex``: [(n − 1)((a + b)⁴ + (n − 2)b⁴) + 1/(n − 1)]/n.

    a = √(n/(n − 1)), b = (1/√(n − 1) − a)/(n − 1); rows have unit norm. 0.7940 at n = 8, against
    43/56 ≈ 0.768 for the neuron-aligned simplex (``simplex_fourth_norm``). Needs n >= 2.

    Examples
    --------
    >>> from theory.noise_loss import reduced_simplex_fourth_norm
    >>> round(reduced_simplex_fourth_norm(8), 4)
    0.794
    """
    n = validate.integer("n", n, minimum=2)
    a = np.sqrt(n / (n - 1))
    b = (1 / np.sqrt(n - 1) - a) / (n - 1)
    return float(((n - 1) * ((a + b) ** 4 + (n - 2) * b**4) + 1 / (n - 1)) / n)


def random_direction_fourth_norm(m: int) -> float:
    """E Σ_k u_k⁴ = 3/(m + 2) for u uniform on the sphere S^{m−1} (paper §2.5(c), §3.2).

    The expected fourth norm of a randomly oriented unit row; 1/6 at m = 16. Needs m >= 1.
    Derivation: ``noise.end-states``.

    Examples
    --------
    >>> from theory.noise_loss import random_direction_fourth_norm
    >>> round(random_direction_fourth_norm(16), 4), random_direction_fourth_norm(1)
    (0.1667, 1.0)
    """
    m = validate.integer("m", m, minimum=1)
    return 3.0 / (m + 2)


def fourth_norm_drift_sign(kurtosis: float) -> int:
    """sign(−κ): the predicted direction of the fourth-norm drift under noise of excess kurtosis κ.

    +1 (toward the neuron axes) for κ < 0 (bipolar, uniform), 0 for Gaussian, −1 (spreading out) for
    κ > 0 (Laplace). From ∂E L/∂‖w‖₄⁴ = κσ²c′φ(c′)/(12‖w‖₂²) at a positive margin c′ (paper §2.5(b)).
    Derivation: ``noise.edgeworth``.

    Examples
    --------
    >>> from theory.noise_loss import fourth_norm_drift_sign
    >>> [fourth_norm_drift_sign(k) for k in (-2.0, 0.0, 3.0)]  # bipolar, Gaussian, Laplace
    [1, 0, -1]
    """
    kurtosis = _kurtosis(kurtosis)
    return int(-np.sign(kurtosis))
