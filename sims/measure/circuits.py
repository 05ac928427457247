"""Measurements of one trained circuit model (W1, V, W2): whose features each neuron holds, how many
feature-to-feature connections each weight of V governs, which virtual weights are errors, and
whether sharing in one layer lines up with sharing in the next.

Model (``theory.circuits``): h1 = W1ᵀ e_i, h2 = Vᵀ h1, y = ReLU(W2 h2); virtual weights
M = W1 V W2ᵀ (row: input feature, column: output feature); target T with T_ij = 1 iff j = π(i).
All measurements are of the noiseless network (ξ = 0) and of one instance (2-D arrays).

Feature sets. Layer-1 neuron k holds the *input* features F_k = {i : i is on k by W1_i}; layer-2
neuron k′ holds the *output* features F′_k′ = {j : j is on k′ by W2_j}: layer 2's features are
defined by the decoder (read-out) rows W2_j, since output feature j is read from h2 through W2_j
alone. "On" is, for criterion "dominant", the package's dominant neuron (``metrics.dominant_neurons``:
k = argmax |W1_ik|, one neuron per feature, none for an all-zero row) and, for criterion "band",
|w| ≥ rel·max (feature i on every neuron k with |W1_ik| ≥ rel·max_k′ |W1_ik′|; possibly several).

Weight V_kk′ enters M_ij = Σ W1_ik V_kk′ W2_jk′ for every i ∈ F_k, j ∈ F′_k′: it governs |F_k|·|F′_k′|
(input, output) pairs. On feature i's intended path (its layer-1 neuron to the layer-2 neuron of its
target π(i)) one weight governs 1 pair when both neurons are monosemantic and 4 when a ± pair shares
each. Spurious virtual weights (T_ij = 0) that are positive pass the output ReLU and are paid for,
ReLU(M_ij)², by the loss; negative ones are removed by the ReLU at no cost (one-hot inputs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .metrics import dominant_neurons

__all__ = [
    "CRITERIA",
    "CircuitMeasurement",
    "GovernedPairs",
    "LayerAlignment",
    "NeuronFeatureSets",
    "VirtualWeightSplit",
    "governed_pairs",
    "layer_alignment",
    "measure_circuit",
    "neuron_feature_sets",
    "split_virtual_weights",
]

#: Which neurons a feature is on: its dominant neuron only, or every neuron within a band of its largest weight.
CRITERIA = ("dominant", "band")


def _matrix(name: str, value, ndim_hint: str) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array {ndim_hint} (one instance), got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise ValueError(f"{name} must be a real array, got dtype {a.dtype}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a.astype(np.float64, copy=False)


def _target_index(target, n: int) -> np.ndarray:
    """π from T (one 1 per row, zeros elsewhere): T_ij = 1 iff j = π(i)."""
    T = np.asarray(target)
    if (T.shape != (n, n) or not np.all((T == 0) | (T == 1)) or not np.all(T.sum(axis=1) == 1)
            or not np.all(T.sum(axis=0) == 1)):
        raise ValueError(f"target must be an (n, n) = ({n}, {n}) permutation matrix (one 1 per row and column, "
                         f"zeros elsewhere: theory.circuits.target_matrix), got shape {T.shape}")
    return np.argmax(T, axis=1)


@dataclass(frozen=True)
class NeuronFeatureSets:
    """Which features each neuron of both hidden layers holds (module docstring).

    ``layer1[i, k]``: input feature i is on layer-1 neuron k (i ∈ F_k), shape (n, m1);
    ``layer2[j, k′]``: output feature j is on layer-2 neuron k′ (j ∈ F′_k′), shape (n, m2);
    ``sign1``, ``sign2``: the sign of W1_ik, W2_jk′ where the feature is on the neuron, 0 elsewhere
    (int8). ``criterion`` is "dominant" or "band" and ``rel`` the band's fraction (None for dominant).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import NeuronFeatureSets
    >>> on = np.array([[True, False], [True, False], [False, True]])
    >>> sets = NeuronFeatureSets("dominant", None, on, on, on.astype(np.int8), on.astype(np.int8))
    >>> sets.sizes1.tolist(), sets.members1(0).tolist()
    ([2, 1], [0, 1])
    """

    criterion: str
    rel: float | None
    layer1: np.ndarray
    layer2: np.ndarray
    sign1: np.ndarray
    sign2: np.ndarray

    @property
    def sizes1(self) -> np.ndarray:
        """|F_k| for every layer-1 neuron k, shape (m1,)."""
        return self.layer1.sum(axis=0)

    @property
    def sizes2(self) -> np.ndarray:
        """|F′_k′| for every layer-2 neuron k′, shape (m2,)."""
        return self.layer2.sum(axis=0)

    def members1(self, k: int) -> np.ndarray:
        """The input features on layer-1 neuron k (sorted indices)."""
        return np.flatnonzero(self.layer1[:, k])

    def members2(self, k: int) -> np.ndarray:
        """The output features on layer-2 neuron k′ (sorted indices)."""
        return np.flatnonzero(self.layer2[:, k])

    @property
    def polysemantic1(self) -> int:
        """Layer-1 neurons holding ≥ 2 features."""
        return int(np.count_nonzero(self.sizes1 >= 2))

    @property
    def polysemantic2(self) -> int:
        """Layer-2 neurons holding ≥ 2 features."""
        return int(np.count_nonzero(self.sizes2 >= 2))


def _on_neurons(W: np.ndarray, criterion: str, rel: float) -> tuple[np.ndarray, np.ndarray]:
    if criterion == "dominant":
        k, sign = dominant_neurons(W)
        on = np.zeros(W.shape, dtype=bool)
        rows = np.flatnonzero(sign != 0)  # an all-zero row is on no neuron
        on[rows, k[rows]] = True
    else:
        A = np.abs(W)
        top = A.max(axis=1, keepdims=True)
        on = (A >= rel * top) & (top > 0)
    return on, np.where(on, np.sign(W), 0).astype(np.int8)


def neuron_feature_sets(W1, W2, *, criterion: str = "dominant", rel: float = 0.5) -> NeuronFeatureSets:
    """F_k (input features by W1's rows) and F′_k′ (output features by W2's rows) for every neuron.

    "dominant": feature i on argmax_k |W1_ik| only (``metrics.dominant_neurons``); output j on
    argmax_k′ |W2_jk′|. "band": on every neuron whose |weight| ≥ ``rel``·(the row's largest), with
    0 < rel ≤ 1. All-zero rows are on no neuron.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import neuron_feature_sets
    >>> W1 = np.array([[1.0, 0.1], [-0.9, 0.6], [0.0, 1.0]])  # features 0 (+) and 1 (−) on neuron 0
    >>> sets = neuron_feature_sets(W1, np.eye(3, 2))
    >>> sets.sizes1.tolist(), sets.sign1[:, 0].tolist(), sets.sizes2.tolist()  # output 2 is read from nowhere
    ([2, 1], [1, -1, 0], [1, 1])
    >>> neuron_feature_sets(W1, np.eye(3, 2), criterion="band", rel=0.5).sizes1.tolist()  # 0.6 ≥ 0.5·0.9
    [2, 2]
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {list(CRITERIA)}, got {criterion!r}")
    if isinstance(rel, bool) or not isinstance(rel, (int, float, np.floating)) or not 0 < rel <= 1:
        raise ValueError(f"rel must be a number in (0, 1], got {rel!r}")
    W1 = _matrix("W1", W1, "(n, m1)")
    W2 = _matrix("W2", W2, "(n, m2)")
    if W2.shape[0] != W1.shape[0]:
        raise ValueError(f"W2 must have n = {W1.shape[0]} rows (as W1), got shape {W2.shape}")
    on1, sign1 = _on_neurons(W1, criterion, rel)
    on2, sign2 = _on_neurons(W2, criterion, rel)
    return NeuronFeatureSets(criterion, None if criterion == "dominant" else float(rel), on1, on2, sign1, sign2)


@dataclass(frozen=True)
class GovernedPairs:
    """Feature pairs governed by each weight of V: ``counts[k, k′]`` = |F_k|·|F′_k′| (int, (m1, m2)).

    ``distribution[c]``: how many weights of V govern c pairs (``np.bincount`` of ``counts``).
    The intended paths, one entry per (feature, path weight): ``path_features[e]`` = i, the weight
    V[``path_neurons1[e]``, ``path_neurons2[e]``] from a layer-1 neuron holding i to a layer-2 neuron
    holding π(i), and ``path_counts[e]`` its count. With the "dominant" criterion every feature has
    at most one path weight (none when its W1 row or its target's W2 row is zero); with "band" it
    has one per pair of its layer-1 and its target's layer-2 neurons.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import GovernedPairs
    >>> pairs = GovernedPairs(np.array([[4, 2], [2, 1]]), np.array([0, 1, 2, 0, 1]), np.array([0, 1]),
    ...                       np.array([0, 0]), np.array([0, 0]), np.array([4, 4]))
    >>> pairs.path_distribution.tolist(), pairs.mean_path_count
    ([0, 0, 0, 0, 2], 4.0)
    """

    counts: np.ndarray
    distribution: np.ndarray
    path_features: np.ndarray
    path_neurons1: np.ndarray
    path_neurons2: np.ndarray
    path_counts: np.ndarray

    @property
    def path_distribution(self) -> np.ndarray:
        """How many path entries govern c pairs, for c = 0, 1, …"""
        return np.bincount(self.path_counts)

    @property
    def mean_path_count(self) -> float:
        """Mean pairs governed by a weight on an intended path (NaN without paths)."""
        return float(self.path_counts.mean()) if self.path_counts.size else float("nan")


def governed_pairs(sets: NeuronFeatureSets, target) -> GovernedPairs:
    """|F_k|·|F′_k′| for every weight V_kk′, over all weights and over the intended paths (i → π(i)).

    ``target`` is the (n, n) permutation matrix T (``theory.circuits.target_matrix``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import governed_pairs, neuron_feature_sets
    >>> W1 = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # layer 1: {0 (+), 1 (−)} on neuron 0
    >>> W2 = np.array([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0]])  # layer 2: outputs {0, 1} on neuron 1
    >>> pairs = governed_pairs(neuron_feature_sets(W1, W2), np.eye(3))
    >>> pairs.counts.tolist(), pairs.distribution.tolist()
    ([[2, 4], [1, 2]], [0, 1, 2, 0, 1])
    >>> pairs.path_neurons1.tolist(), pairs.path_neurons2.tolist(), pairs.path_counts.tolist()
    ([0, 0, 1], [1, 1, 0], [4, 4, 1])
    """
    if not isinstance(sets, NeuronFeatureSets):
        raise ValueError(f"sets must be a NeuronFeatureSets (neuron_feature_sets), got {type(sets).__name__}")
    n = sets.layer1.shape[0]
    pi = _target_index(target, n)
    counts = np.outer(sets.sizes1, sets.sizes2).astype(np.int64)
    feats, ks, kps = [], [], []
    for i in range(n):
        for k in np.flatnonzero(sets.layer1[i]):
            for kp in np.flatnonzero(sets.layer2[pi[i]]):
                feats.append(i)
                ks.append(k)
                kps.append(kp)
    feats, ks, kps = (np.array(v, dtype=np.int64) for v in (feats, ks, kps))
    return GovernedPairs(counts, np.bincount(counts.ravel()), feats, ks, kps, counts[ks, kps])


@dataclass(frozen=True)
class VirtualWeightSplit:
    """M = W1 V W2ᵀ split by the target: intended entries (T_ij = 1) and spurious ones (T_ij = 0).

    ``virtual``: M (n, n); ``intended``: M_{i,π(i)} per input feature i, shape (n,);
    ``spurious_positive`` / ``spurious_negative``: how many spurious entries are > 0 (real errors:
    the ReLU passes them and the loss pays ReLU(M_ij)²) and < 0 (removed by the ReLU at no cost);
    ``interference`` = Σ_spurious ReLU(M_ij)² and ``intended_error`` = Σ_i (ReLU(M_{iπ(i)}) − 1)², in
    code loss units; their sum is the data loss (``error``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import VirtualWeightSplit
    >>> split = VirtualWeightSplit(np.eye(2), np.ones(2), 0, 0, 0.0, 0.0)
    >>> split.error, split.spurious_count
    (0.0, 2)
    """

    virtual: np.ndarray
    intended: np.ndarray
    spurious_positive: int
    spurious_negative: int
    interference: float
    intended_error: float

    @property
    def error(self) -> float:
        """The data loss Σ_ij (ReLU(M_ij) − T_ij)² = intended_error + interference (code units)."""
        return self.intended_error + self.interference

    @property
    def spurious_count(self) -> int:
        """Number of spurious entries, n² − n."""
        n = self.virtual.shape[0]
        return n * n - n


def split_virtual_weights(W1, V, W2, *, target) -> VirtualWeightSplit:
    """Split M = W1 V W2ᵀ into intended and spurious entries, the latter by sign (see the class).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import split_virtual_weights
    >>> W1 = np.array([[1.0], [-1.0]])  # inputs 0 (+) and 1 (−) share the one layer-1 neuron
    >>> W2 = np.array([[1.0], [-1.0]])  # outputs 0 (+) and 1 (−) share the one layer-2 neuron
    >>> split = split_virtual_weights(W1, [[1.0]], W2, target=np.eye(2))
    >>> split.intended.tolist(), split.spurious_negative, split.interference  # M_01 = M_10 = −1: free
    ([1.0, 1.0], 2, 0.0)
    >>> split_virtual_weights(W1, [[1.0]], -W2, target=np.eye(2)).interference  # the wrong sign: 2 errors of 1
    2.0
    """
    W1 = _matrix("W1", W1, "(n, m1)")
    V = _matrix("V", V, "(m1, m2)")
    W2 = _matrix("W2", W2, "(n, m2)")
    n = W1.shape[0]
    if V.shape[0] != W1.shape[1] or W2.shape != (n, V.shape[1]):
        raise ValueError(f"W1, V, W2 must have shapes (n, m1), (m1, m2), (n, m2), got {W1.shape}, {V.shape}, "
                         f"{W2.shape}")
    pi = _target_index(target, n)
    M = W1 @ V @ W2.T
    rows = np.arange(n)
    intended = M[rows, pi].copy()
    spurious = np.ones((n, n), dtype=bool)
    spurious[rows, pi] = False
    s = M[spurious]
    return VirtualWeightSplit(M, intended, int(np.count_nonzero(s > 0)), int(np.count_nonzero(s < 0)),
                              float(np.sum(np.maximum(s, 0) ** 2)),
                              float(np.sum((np.maximum(intended, 0) - 1) ** 2)))


@dataclass(frozen=True)
class LayerAlignment:
    """For each pair of input features sharing a layer-1 neuron: do their targets share a layer-2 neuron?

    ``pairs`` (K, 2): input features a < b with a common layer-1 neuron ``neuron1`` (K,) (the lowest
    common one under the band criterion); ``targets_share`` (K,): π(a) and π(b) have a common layer-2
    neuron, ``neuron2`` (K,) the lowest such (−1 if none); ``opposite1`` / ``opposite2``: the two
    features have opposite signs on ``neuron1`` / on ``neuron2`` (False without a common neuron).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import LayerAlignment
    >>> a = LayerAlignment(np.array([[0, 1]]), np.array([0]), np.array([True]), np.array([2]),
    ...                    np.array([True]), np.array([True]))
    >>> a.count, a.aligned, a.fraction
    (1, 1, 1.0)
    """

    pairs: np.ndarray
    neuron1: np.ndarray
    targets_share: np.ndarray
    neuron2: np.ndarray
    opposite1: np.ndarray
    opposite2: np.ndarray

    @property
    def count(self) -> int:
        """Pairs of features sharing a layer-1 neuron."""
        return int(self.pairs.shape[0])

    @property
    def aligned(self) -> int:
        """Of those, pairs whose targets also share a layer-2 neuron."""
        return int(np.count_nonzero(self.targets_share))

    @property
    def fraction(self) -> float:
        """aligned / count (NaN without shared layer-1 neurons)."""
        return self.aligned / self.count if self.count else float("nan")


def layer_alignment(sets: NeuronFeatureSets, target) -> LayerAlignment:
    """Pairs of input features sharing a layer-1 neuron, and whether their targets share a layer-2 one.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import layer_alignment, neuron_feature_sets
    >>> W1 = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # inputs 0, 1 share layer-1 neuron 0
    >>> W2 = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0]])  # outputs 0, 2 share layer-2 neuron 1
    >>> swap = np.eye(3)[[2, 1, 0]]  # π = (2, 1, 0): targets of inputs 0, 1 are outputs 2, 1
    >>> a = layer_alignment(neuron_feature_sets(W1, W2), swap)
    >>> a.pairs.tolist(), a.targets_share.tolist(), a.opposite1.tolist()
    ([[0, 1]], [False], [True])
    >>> layer_alignment(neuron_feature_sets(W1, W2), np.eye(3)[[0, 2, 1]]).targets_share.tolist()  # π = (0, 2, 1)
    [True]
    """
    if not isinstance(sets, NeuronFeatureSets):
        raise ValueError(f"sets must be a NeuronFeatureSets (neuron_feature_sets), got {type(sets).__name__}")
    n = sets.layer1.shape[0]
    pi = _target_index(target, n)
    pairs, n1, share, n2, opp1, opp2 = [], [], [], [], [], []
    for a in range(n):
        for b in range(a + 1, n):
            common1 = np.flatnonzero(sets.layer1[a] & sets.layer1[b])
            if common1.size == 0:
                continue
            k = int(common1[0])
            common2 = np.flatnonzero(sets.layer2[pi[a]] & sets.layer2[pi[b]])
            kp = int(common2[0]) if common2.size else -1
            pairs.append((a, b))
            n1.append(k)
            share.append(common2.size > 0)
            n2.append(kp)
            opp1.append(bool(sets.sign1[a, k] * sets.sign1[b, k] < 0))
            opp2.append(bool(kp >= 0 and sets.sign2[pi[a], kp] * sets.sign2[pi[b], kp] < 0))
    return LayerAlignment(np.array(pairs, dtype=np.int64).reshape(-1, 2), np.array(n1, dtype=np.int64),
                          np.array(share, dtype=bool), np.array(n2, dtype=np.int64), np.array(opp1, dtype=bool),
                          np.array(opp2, dtype=bool))


@dataclass(frozen=True)
class CircuitMeasurement:
    """Every measurement of one circuit instance: ``sets``, ``pairs``, ``split`` and ``alignment``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import measure_circuit
    >>> m = measure_circuit(np.eye(2), np.eye(2), np.eye(2), target=np.eye(2))  # two monosemantic paths
    >>> m.pairs.path_counts.tolist(), m.split.error, m.alignment.count
    ([1, 1], 0.0, 0)
    """

    sets: NeuronFeatureSets
    pairs: GovernedPairs
    split: VirtualWeightSplit
    alignment: LayerAlignment


def measure_circuit(W1, V, W2, *, target, criterion: str = "dominant", rel: float = 0.5) -> CircuitMeasurement:
    """``neuron_feature_sets``, ``governed_pairs``, ``split_virtual_weights`` and ``layer_alignment`` at once.

    Parameters
    ----------
    W1, V, W2 : arrays (n, m1), (m1, m2), (n, m2)
        One trained instance (e.g. ``result.final[k][instance]`` of ``train_circuit``).
    target : array (n, n)
        The permutation matrix T (``theory.circuits.target_matrix(spec)``).
    criterion : {"dominant", "band"}
    rel : float
        The band's fraction, 0 < rel ≤ 1 (used by "band" only).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.circuits import measure_circuit
    >>> W1 = np.array([[1.0], [-1.0]])
    >>> m = measure_circuit(W1, [[1.0]], W1, target=np.eye(2))  # both layers share one ± neuron
    >>> m.pairs.counts.tolist(), m.split.spurious_negative, m.alignment.fraction
    ([[4]], 2, 1.0)
    """
    sets = neuron_feature_sets(W1, W2, criterion=criterion, rel=rel)
    return CircuitMeasurement(sets, governed_pairs(sets, target), split_virtual_weights(W1, V, W2, target=target),
                              layer_alignment(sets, target))
