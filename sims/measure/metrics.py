"""Measurements on trained weights W of shape (n, m) or (instances, n, m).

Row i is feature i's encoding, column k is neuron k. Every function is vectorised over leading
instance axes and returns one value per instance (or per instance and feature).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PAPER_BAND",
    "active_count",
    "band_polysemantic_count",
    "dominant_neurons",
    "dominant_polysemantic_count",
    "feature_dimensionality",
    "fourth_norm",
    "l1_norms",
    "multi_feature_neurons",
    "opposite_pair_members",
    "start_end_correlation",
    "winner_initial_rank",
]

#: The paper's band: weight W_ik "activates" neuron k when |W_ik| ∈ [0.8, 1.2] (collisions.py).
PAPER_BAND = (0.8, 1.2)


def _w(W) -> np.ndarray:
    W = np.asarray(W)
    if W.ndim < 2:
        raise ValueError(f"W must have shape (n, m) or (instances, n, m), got shape {W.shape}")
    return W


def band_polysemantic_count(W, *, band: tuple[float, float] = PAPER_BAND) -> np.ndarray:
    """Number of neurons k with at least 2 features i such that |W_ik| ∈ band (the paper's count).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import band_polysemantic_count
    >>> W = np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]])  # features 0, 1 share neuron 0
    >>> band_polysemantic_count(np.stack([W, np.eye(3)])).tolist()  # one count per instance
    [1, 0]
    """
    lo, hi = band
    if not 0 <= lo <= hi:
        raise ValueError(f"band must satisfy 0 <= low <= high, got {band!r}")
    a = np.abs(_w(W))
    hits = ((a >= lo) & (a <= hi)).sum(axis=-2)
    return (hits >= 2).sum(axis=-1)


def dominant_neurons(W) -> tuple[np.ndarray, np.ndarray]:
    """Each feature's dominant neuron argmax_k |W_ik| and the sign of W_ik there.

    Returns ``(neuron, sign)``, both of shape W.shape[:-1] (integer index, ±1 or 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import dominant_neurons
    >>> neuron, sign = dominant_neurons(np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]]))
    >>> neuron.tolist(), sign.tolist()
    ([0, 0, 2], [1, -1, 1])
    """
    W = _w(W)
    k = np.argmax(np.abs(W), axis=-1)
    sign = np.sign(np.take_along_axis(W, k[..., None], axis=-1)[..., 0]).astype(np.int8)
    return k, sign


def dominant_polysemantic_count(W) -> dict[str, np.ndarray]:
    """Band-free count: assign each feature to its dominant neuron, then count shared neurons.

    Returns a dict of per-instance integer arrays:
    ``polysemantic`` (neurons dominant for ≥ 2 features), ``opposite_sign`` (exactly one + and
    one − feature), ``same_sign`` (≥ 2 features of one sign, the configuration the paper's
    theory says interference removes) and ``max_load`` (largest number of features on a neuron).
    A feature whose row is all zero (dropped: sign 0 at its "dominant" neuron) is on no neuron.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import dominant_polysemantic_count
    >>> W = np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]])
    >>> {key: int(v) for key, v in dominant_polysemantic_count(W).items()}
    {'polysemantic': 1, 'opposite_sign': 1, 'same_sign': 0, 'max_load': 2}
    """
    W = _w(W)
    m = W.shape[-1]
    k, s = dominant_neurons(W)
    flat_k = k.reshape(-1, k.shape[-1])
    flat_s = s.reshape(flat_k.shape)
    out = {key: np.zeros(flat_k.shape[0], dtype=np.int64)
           for key in ("polysemantic", "opposite_sign", "same_sign", "max_load")}
    for r, (kr, sr) in enumerate(zip(flat_k, flat_s)):
        pos = np.bincount(kr[sr > 0], minlength=m)
        neg = np.bincount(kr[sr < 0], minlength=m)
        load = pos + neg
        out["polysemantic"][r] = np.count_nonzero(load >= 2)
        out["opposite_sign"][r] = np.count_nonzero((pos == 1) & (neg == 1))
        out["same_sign"][r] = np.count_nonzero((pos >= 2) | (neg >= 2))
        out["max_load"][r] = load.max()
    return {key: v.reshape(k.shape[:-1]) for key, v in out.items()}


def opposite_pair_members(W) -> tuple[np.ndarray, np.ndarray]:
    """Features whose dominant neuron is shared with exactly one other feature, of the opposite sign.

    Returns ``(member, neuron)`` of shape W.shape[:-1]: a boolean mask of the members of such ±
    pairs (the incidental pair of paper §2.4) and each feature's dominant neuron argmax_k |W_ik|.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import opposite_pair_members
    >>> W = np.array([[1.0, 0.1, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.2, 1.1], [0.1, 0.0, 0.8]])
    >>> member, neuron = opposite_pair_members(W)
    >>> member.tolist(), neuron.tolist()  # features 2 and 3 share neuron 2 with one sign
    ([True, True, False, False], [0, 0, 2, 2])
    """
    W = _w(W)
    k, sign = dominant_neurons(W)
    member = np.zeros(k.shape, dtype=bool)
    for idx in np.ndindex(k.shape[:-1]):
        kr, sr = k[idx], sign[idx]
        m = W.shape[-1]
        pos = np.bincount(kr[sr > 0], minlength=m)
        neg = np.bincount(kr[sr < 0], minlength=m)
        member[idx] = ((pos == 1) & (neg == 1))[kr] & (sr != 0)
    return member, k


def fourth_norm(W) -> np.ndarray:
    """Σ_k W_ik⁴ / ‖W_i‖₂⁴ per feature, shape W.shape[:-1]; 1/m′ ≤ value ≤ 1, NaN for W_i = 0.

    1 for a one-neuron encoding, 1/m for a flat one, ≈ 3/(m + 2) for a random direction.

    Examples
    --------
    >>> from sims.measure.metrics import fourth_norm
    >>> fourth_norm([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, 0.5, 0.5]]).round(4).tolist()  # 1/m′
    [1.0, 0.5, 0.3333]
    """
    W = _w(W)
    sq = W * W
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sq * sq).sum(axis=-1) / sq.sum(axis=-1) ** 2


def active_count(W, *, tol: float = 0.0) -> np.ndarray:
    """m′_i = #{k : |W_ik| > tol} per feature. ``tol = 0`` counts exact nonzeros (proximal runs);
    optimisers that never reach zero (AdamW) need a positive ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import active_count
    >>> W = np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]])
    >>> active_count(W).tolist(), active_count(W, tol=0.2).tolist()
    ([1, 2, 1], [1, 1, 1])
    """
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    return np.count_nonzero(np.abs(_w(W)) > tol, axis=-1)


def l1_norms(W) -> np.ndarray:
    """‖W_i‖₁ = Σ_k |W_ik| per feature, shape W.shape[:-1] (weight units).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import l1_norms
    >>> np.round(l1_norms([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]]), 4).tolist()
    [1.0, 1.0, 1.1]
    """
    return np.abs(_w(W)).sum(axis=-1)


def winner_initial_rank(W0, W) -> tuple[np.ndarray, np.ndarray]:
    """Each feature's final dominant neuron and its rank in the initial |W_i(0)| (0 = largest).

    Returns ``(winner, rank)``, shape W.shape[:-1]. Rank 0 everywhere means "the initially
    largest weight wins", exact for the single-feature L1 gradient flow (paper §2.3a).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import winner_initial_rank
    >>> W0 = np.array([[0.5, -0.2, 0.1], [-0.3, 0.4, 0.2], [0.1, 0.3, 0.6]])
    >>> W = np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]])
    >>> winner, rank = winner_initial_rank(W0, W)
    >>> winner.tolist(), rank.tolist()  # feature 1 won on its second-largest initial weight
    ([0, 0, 2], [0, 1, 0])
    """
    W0, W = _w(W0), _w(W)
    if W0.shape != W.shape:
        raise ValueError(f"W0 and W must have the same shape, got {W0.shape} and {W.shape}")
    winner, _ = dominant_neurons(W)
    a0 = np.abs(W0)
    at_winner = np.take_along_axis(a0, winner[..., None], axis=-1)
    rank = (a0 > at_winner).sum(axis=-1)
    return winner, rank


def start_end_correlation(W0, W) -> np.ndarray:
    """C_ab = ⟨W_a(0), W_b(T)⟩, shape (..., n, n) (weight units²; paper §3.5; average over instances to plot).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import start_end_correlation
    >>> W0 = np.array([[0.5, -0.2, 0.1], [-0.3, 0.4, 0.2], [0.1, 0.3, 0.6]])
    >>> W = np.array([[1.0, 0.0, 0.0], [-0.9, 0.1, 0.0], [0.0, 0.0, 1.1]])
    >>> np.round(np.diag(start_end_correlation(W0, W)), 3).tolist()  # C_aa
    [0.5, 0.31, 0.66]
    """
    W0, W = _w(W0), _w(W)
    if W0.shape != W.shape:
        raise ValueError(f"W0 and W must have the same shape, got {W0.shape} and {W.shape}")
    return W0 @ np.swapaxes(W, -1, -2)


def feature_dimensionality(W) -> np.ndarray:
    """D_i = ‖W_i‖² / Σ_j ⟨Ŵ_i, W_j⟩², Ŵ_i = W_i/‖W_i‖, per feature (0 for a zero row); shape W.shape[:-1].

    The basis-free per-feature dimensionality of Toy Models of Superposition (Elhage et al. 2022):
    1 for a feature orthogonal to all others, (k − 1)/k for a vertex of a regular simplex of k
    unit features (1/2 for an antipodal ± pair, 2/3 for a 120° triangle), whatever the neuron basis.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import feature_dimensionality
    >>> feature_dimensionality([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]).round(4).tolist()
    [0.5, 0.5, 1.0, 0.0]
    >>> s = np.sqrt(3) / 2
    >>> feature_dimensionality([[1.0, 0.0], [-0.5, s], [-0.5, -s]]).round(4).tolist()  # a triangle
    [0.6667, 0.6667, 0.6667]
    """
    W = _w(W)
    G = W @ np.swapaxes(W, -1, -2)
    sq = np.diagonal(G, axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        D = sq * sq / np.sum(G * G, axis=-1)
    return np.where(sq > 0, D, 0.0)


def multi_feature_neurons(W, *, rel: float = 0.5) -> np.ndarray:
    """Neurons carrying ≥ 2 strong features, per instance: feature i is strong on k when
    |W_ik| ≥ rel·max_k′|W_ik′| (all-zero rows are on no neuron). A basis-dependent count of
    polysemantic neurons that sees dense codes, unlike the dominant-neuron and band counts.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.metrics import dominant_polysemantic_count, multi_feature_neurons
    >>> s = np.sqrt(3) / 2
    >>> W = np.array([[1.0, 0.0], [-0.5, s], [-0.5, -s]])  # a 120° triangle on 2 neurons
    >>> int(multi_feature_neurons(W)), int(dominant_polysemantic_count(W)["polysemantic"])
    (2, 1)
    """
    if not 0 < rel <= 1:
        raise ValueError(f"rel must be in (0, 1], got {rel!r}")
    A = np.abs(_w(W))
    top = A.max(axis=-1, keepdims=True)
    strong = (A >= rel * top) & (top > 0)
    return (strong.sum(axis=-2) >= 2).sum(axis=-1)
