"""Circuits through polysemantic neurons: trained two-hidden-layer models (``theory.circuits``) measured for how
many feature pairs each weight of V governs, which spurious virtual weights exist and of which sign, whether
sharing in layer 1 lines up with sharing in layer 2, and what the spurious connections cost once features
co-occur; plus a diagnose-style report of one model (``circuit_report``).

Recipe (``CIRCUIT_L1``, ``circuit_config``): proximal GD at λ = 0.1 (code units, as the package's other
studies at n = 32) for gradient-flow time λt = 20, lr 0.1 when both layers are at least as wide as n (the
incidental regime) and lr 0.02 otherwise (the superposition regime n > m, where the wider initial weights
diverge at 0.1); the read-outs oriented at the start (``orient_readouts``: every intended virtual weight starts
positive, so every feature gets a gradient; ``orient=False`` is the plain independent draw).

Classification of a spurious virtual weight M_ic, c = π(j′), j′ ≠ i (the idealisation of
``theory.circuit_counts``, read off the trained weights' dominant neurons: feature i on layer-1 neuron a_i,
output c on layer-2 neuron b_c): it is carried by i's own path when b_π(i) = b_c ("own", one sharing, in
layer 2), by j′'s path when a_j′ = a_i ("own", one sharing, in layer 1), and by a third feature j when
a_j = a_i and b_π(j) = b_c ("third": a sharing in each layer, the two not aligned). Counts are virtual weights,
losses code units (summed squared error), per model.

Measured (ledger topic ``circuits``, n = 32): in the incidental regime (m = 32…128) training aligns every ± pair of
layer 1 with a ± pair of layer 2 on one V weight, makes such pairs 1.5–4.6× more common than the independent
placement, and leaves no positive spurious connection, only the two negative ones of each pair; in superposition
(m = 8…16) the codes are not one-hot and a third to a half of the layer-1 pairs are aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import validate
from theory.circuits import CircuitSpec, target_matrix

from ..dynamics.circuit_train import train_circuit
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig
from ..measure.circuits import _target_index, measure_circuit, neuron_feature_sets

__all__ = [
    "CIRCUIT_L1",
    "CircuitReport",
    "SpuriousClasses",
    "circuit_config",
    "circuit_point",
    "circuit_report",
    "classify_spurious",
    "constructed_shared_weight",
    "learned_fraction_point",
    "negative_connections",
    "trained_circuits",
    "two_hot_excess",
]

#: λ of the study (code units): the package's prox-GD λ at n = 32 (``sims.studies.diagnosis``).
CIRCUIT_L1 = 0.1
#: Gradient-flow time λt of every run (λ = ``l1``, t = lr·steps), as ``sims.dynamics.cooccurrence.flow_time_config``.
FLOW_TIME = 20.0
#: A virtual weight counts as a connection when |M_ij| exceeds this (proximal GD leaves exact zeros).
CONNECTION_TOL = 1e-9
#: An intended virtual weight above this counts as learned (a learned one ends near the L1 fixed point ≈ 0.9–1).
LEARNED = 0.5


def circuit_config(*, n: int, m1: int, m2: int, l1: float = CIRCUIT_L1, instances: int,
                   lr: float | None = None) -> TrainConfig:
    """Proximal GD for gradient-flow time λt = 20: round(20/(lr·λ)) steps, lr 0.1 if m1, m2 ≥ n else 0.02.

    Units: ``steps`` are optimiser steps, t = lr·steps, λ = ``l1`` in code units. Records steps 0, 1 and the end.
    Range: at λ = 0.1 the recipe learns every feature up to m = 128 (n = 32 and 64); at m = 256 the soft threshold
    outpaces the initial growth of every path (entries of order 1/√m) and only ≈ 5% of the features are learned.

    Examples
    --------
    >>> from sims.studies.circuits import circuit_config
    >>> c = circuit_config(n=32, m1=64, m2=64, instances=2)
    >>> c.optimizer, c.lr, c.steps
    ('prox_gd', 0.1, 2000)
    >>> circuit_config(n=32, m1=8, m2=8, instances=2).steps  # lr 0.02 in superposition
    10000
    """
    for name, value in (("n", n), ("m1", m1), ("m2", m2)):
        validate.integer(name, value, minimum=1)
    l1 = validate.real("l1", l1, minimum=0.0, strict_min=True)
    if lr is None:
        lr = 0.1 if min(m1, m2) >= n else 0.02
    lr = validate.real("lr", lr, minimum=0.0, strict_min=True)
    return TrainConfig(optimizer="prox_gd", lr=lr, steps=max(1, round(FLOW_TIME / (lr * l1))), instances=instances,
                       record=Schedule(points=2))


def _spec(n: int, m1: int, m2: int, l1: float, target: str, gen: np.random.Generator) -> CircuitSpec:
    validate.choice("target", target, ("identity", "permutation"))
    if target == "identity":
        return CircuitSpec(n=n, m1=m1, m2=m2, l1=l1)
    return CircuitSpec(n=n, m1=m1, m2=m2, l1=l1, target="permutation",
                       permutation=tuple(int(c) for c in gen.permutation(n)))


def trained_circuits(*, n: int, m1: int, m2: int, target: str = "identity", instances: int, rng,
                     l1: float = CIRCUIT_L1, orient: bool = True, lr: float | None = None):
    """Train ``instances`` circuit models with ``circuit_config``; returns (spec, result).

    With target "permutation", π is drawn uniformly from ``rng`` (one π for all instances), then the weights
    from a second stream. ``orient``: ``train_circuit``'s oriented start (default) or the plain draw.

    Examples
    --------
    >>> from sims.studies.circuits import trained_circuits
    >>> spec, res = trained_circuits(n=4, m1=8, m2=8, instances=2, rng=0)
    >>> spec.n, res.final[1].shape, res.config.steps
    (4, (2, 8, 8), 2000)
    """
    gen = validate.generator(rng)
    g_target, g_train = gen.spawn(2)
    spec = _spec(n, m1, m2, l1, target, g_target)
    config = circuit_config(n=n, m1=m1, m2=m2, l1=l1, instances=instances, lr=lr)
    return spec, train_circuit(spec, config, rng=g_train, orient=orient, metrics=lambda *a: {})


@dataclass(frozen=True, kw_only=True)
class SpuriousClasses:
    """Every nonzero spurious virtual weight of one model, classified by what carries it (module docstring).

    ``inputs``, ``outputs``: (i, c) of each connection; ``value``: M_ic; ``own``: carried by i's or j′'s own
    path (one sharing); ``third``: carried by a third feature's path (a sharing in each layer);
    neither: carried by no path of the dominant-neuron picture (a residue of a distributed code).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.circuits import classify_spurious
    >>> W1 = np.array([[1.0], [-1.0]])  # both layers: one ± neuron
    >>> s = classify_spurious(W1, [[1.0]], W1, target=np.eye(2))
    >>> s.value.tolist(), s.own.tolist(), s.third.tolist(), s.counts()
    ([-1.0, -1.0], [True, True], [False, False], {'own_negative': 2, 'own_positive': 0, 'third_negative': 0, 'third_positive': 0, 'mixed': 0, 'unexplained': 0})
    """

    inputs: np.ndarray
    outputs: np.ndarray
    value: np.ndarray
    own: np.ndarray
    third: np.ndarray

    def counts(self) -> dict[str, int]:
        """Connections by carrier (own only, third only, both = "mixed", neither) and sign."""
        own_only, third_only = self.own & ~self.third, self.third & ~self.own
        neg, pos = self.value < 0, self.value > 0
        return {"own_negative": int(np.sum(own_only & neg)), "own_positive": int(np.sum(own_only & pos)),
                "third_negative": int(np.sum(third_only & neg)), "third_positive": int(np.sum(third_only & pos)),
                "mixed": int(np.sum(self.own & self.third)), "unexplained": int(np.sum(~self.own & ~self.third))}


def _neuron_of(on: np.ndarray) -> np.ndarray:
    """Each row's dominant neuron, −1 for a row on no neuron."""
    return np.where(on.any(axis=1), np.argmax(on, axis=1), -1)


def classify_spurious(W1, V, W2, *, target, tol: float = CONNECTION_TOL) -> SpuriousClasses:
    """The nonzero spurious virtual weights (|M_ic| > ``tol``, T_ic = 0) and what carries each one.

    Dominant neurons a_i (W1 row i) and b_c (W2 row c); for connection (i, c), c = π(j′): "own" when
    b_π(i) = b_c or a_j′ = a_i, "third" when some j ∉ {i, j′} has a_j = a_i and b_π(j) = b_c.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.circuits import classify_spurious
    >>> W1 = np.array([[1.0, 0], [-1.0, 0], [0, 1.0]])  # inputs 0 (+), 1 (−) share layer-1 neuron 0
    >>> W2 = np.array([[1.0, 0], [0, 1.0], [0, -1.0]])  # outputs 1 (+), 2 (−) share layer-2 neuron 1
    >>> V = np.array([[1.0, -1.0], [0, -1.0]])  # paths 0→0, 1→1 (through V_01), 2→2 (through V_11)
    >>> s = classify_spurious(W1, V, W2, target=np.eye(3))
    >>> [(int(i), int(c), float(v)) for i, c, v in zip(s.inputs, s.outputs, s.value)]
    [(0, 1, -1.0), (0, 2, 1.0), (1, 0, -1.0), (1, 2, -1.0), (2, 1, -1.0)]
    >>> s.third.tolist()  # 0 → 2 is carried by feature 1's path only: a sharing in each layer, positive
    [False, True, False, False, False]
    """
    W1, V, W2 = (np.asarray(a, dtype=np.float64) for a in (W1, V, W2))
    n = W1.shape[0]
    pi = _target_index(target, n)
    sets = neuron_feature_sets(W1, W2)
    M = W1 @ V @ W2.T
    a, b = _neuron_of(sets.layer1), _neuron_of(sets.layer2)
    inv = np.empty(n, dtype=np.int64)
    inv[pi] = np.arange(n)
    path_b = b[pi]  # layer-2 neuron of each input feature's target
    inputs, outputs, own, third = [], [], [], []
    for i in range(n):
        for c in range(n):
            if c == pi[i] or abs(M[i, c]) <= tol:
                continue
            jp = inv[c]
            ok = a[i] >= 0 and b[c] >= 0
            own.append(bool(ok and (path_b[i] == b[c] or a[jp] == a[i])))
            others = (a == a[i]) & (path_b == b[c])
            others[[i, jp]] = False
            third.append(bool(ok and others.any()))
            inputs.append(i)
            outputs.append(c)
    inputs, outputs = np.array(inputs, dtype=np.int64), np.array(outputs, dtype=np.int64)
    return SpuriousClasses(inputs=inputs, outputs=outputs, value=M[inputs, outputs],
                           own=np.array(own, dtype=bool), third=np.array(third, dtype=bool))


def two_hot_excess(W1, V, W2, *, target) -> float:
    """X = Σ_{i<j} [err(e_i + e_j) − err(e_i) − err(e_j)], err(x) = ‖ReLU(W2 Vᵀ W1ᵀ x) − T(x)‖², T(x) = Tᵀx.

    Brute force: the network is evaluated on every one-hot and every two-hot input (n(n + 1)/2 forward
    passes, layer by layer). Under co-occurrence with probability p (loss per active feature,
    ``theory.cooccurrence``), L_p = L_0 + p·X + O(p²): p·X is the extra loss co-occurrence adds to first
    order. Code units (summed squared error).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.circuits import two_hot_excess
    >>> W1 = np.array([[1.0], [-1.0]])  # a ± pair on one neuron in both layers: M = [[1, −1], [−1, 1]]
    >>> two_hot_excess(W1, [[1.0]], W1, target=np.eye(2))  # e_0 + e_1 reaches neither output: 2 − 0
    2.0
    """
    W1, V, W2 = (np.asarray(a, dtype=np.float64) for a in (W1, V, W2))
    n = W1.shape[0]
    T = np.asarray(target, dtype=np.float64)
    _target_index(T, n)
    i, j = np.triu_indices(n, k=1)
    X = np.zeros((i.size, n))
    X[np.arange(i.size), i] = 1.0
    X[np.arange(i.size), j] = 1.0

    def err(x):
        y = np.maximum(((x @ W1) @ V) @ W2.T, 0.0)
        return np.sum((y - x @ T) ** 2, axis=-1)

    one = err(np.eye(n))
    return float(np.sum(err(X) - one[i] - one[j]))


def negative_connections(W1, V, W2, *, target, tol: float = CONNECTION_TOL) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) of every negative spurious connection M_jc = −v < −``tol``: u = M_ic, c = π(i), the intended
    virtual weight of the output it enters (the inputs of ``theory.circuit_counts.negative_connection_cost``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.circuits import negative_connections
    >>> W1 = np.array([[1.0], [-1.0]])
    >>> [a.tolist() for a in negative_connections(W1, [[0.9]], W1, target=np.eye(2))]
    [[0.9, 0.9], [0.9, 0.9]]
    """
    W1, V, W2 = (np.asarray(a, dtype=np.float64) for a in (W1, V, W2))
    n = W1.shape[0]
    pi = _target_index(target, n)
    M = W1 @ V @ W2.T
    inv = np.empty(n, dtype=np.int64)
    inv[pi] = np.arange(n)
    spurious = np.ones((n, n), dtype=bool)
    spurious[np.arange(n), pi] = False
    j, c = np.nonzero(spurious & (M < -tol))
    return M[inv[c], c], -M[j, c]


def constructed_shared_weight(size: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(W1, V, W2, T) with ``size`` input features on layer-1 neuron 0 and their ``size`` outputs on layer-2
    neuron 0, joined by V_00 = 1; the other ``size`` features monosemantic on neurons 1 … size in both
    layers (V diagonal). n = 2·size, m1 = m2 = size + 1, T = I: V_00 governs size² pairs.

    Examples
    --------
    >>> from sims.measure.circuits import measure_circuit
    >>> from sims.studies.circuits import constructed_shared_weight
    >>> W1, V, W2, T = constructed_shared_weight(5)
    >>> W1.shape, int(measure_circuit(W1, V, W2, target=T).pairs.counts[0, 0])
    ((10, 6), 25)
    """
    validate.integer("size", size, minimum=1)
    n, m = 2 * size, size + 1
    W1 = np.zeros((n, m))
    W1[:size, 0] = 1.0
    W1[size + np.arange(size), 1 + np.arange(size)] = 1.0
    return W1, np.eye(m), W1.copy(), np.eye(n)


def _model_row(W1, V, W2, T) -> dict:
    mc = measure_circuit(W1, V, W2, target=T)
    learned = mc.split.intended > LEARNED
    learned_paths = learned[mc.pairs.path_features]
    classes = classify_spurious(W1, V, W2, target=T)
    u, v = negative_connections(W1, V, W2, target=T)
    M = mc.split.virtual
    spurious = ~T.astype(bool)
    pos = spurious & (M > CONNECTION_TOL)
    neg = spurious & (M < -CONNECTION_TOL)
    row = {
        "learned": float(learned.mean()),
        "path_pairs": [int(c) for c in mc.pairs.path_counts[learned_paths]],
        "weight_pairs": [int(c) for c in mc.pairs.distribution],
        "spurious_negative": int(neg.sum()),
        "spurious_positive": int(pos.sum()),
        "interference": float(np.sum(np.maximum(M[pos], 0) ** 2)),
        "interference_negative": float(np.sum(np.maximum(M[neg], 0) ** 2)),
        "layer1_pairs": mc.alignment.count,
        "aligned_pairs": mc.alignment.aligned,
        "two_hot_excess": two_hot_excess(W1, V, W2, target=T),
        "negative_u": [float(x) for x in u],
        "negative_v": [float(x) for x in v],
    }
    row.update(classes.counts())
    return row


def circuit_point(*, rng, n: int, m: int, target: str, instances: int, l1: float = CIRCUIT_L1,
                  orient: bool = True) -> dict:
    """One sweep point: ``trained_circuits`` at m1 = m2 = m, each model measured. Returns per-model lists
    (index = model): "learned" (fraction of features with M_iπ(i) > 0.5), "spurious_negative",
    "spurious_positive" (nonzero spurious virtual weights by sign), "interference" (Σ ReLU(M)² over the
    positive ones: their one-hot loss), "interference_negative" (the same over the negative ones: 0),
    "layer1_pairs" / "aligned_pairs" (pairs sharing a layer-1 neuron, and of those, pairs whose targets share
    a layer-2 one), "two_hot_excess" (``two_hot_excess``), the carrier classes of ``SpuriousClasses.counts``;
    and "path_pairs" (pairs on each learned feature's path weight, per model), "weight_pairs" (``np.bincount``
    of the pairs over all m² weights, per model), "negative_u" / "negative_v" (per model).

    Examples
    --------
    >>> from sims.studies.circuits import circuit_point
    >>> out = circuit_point(rng=0, n=6, m=12, target="permutation", instances=2)
    >>> out["learned"], out["interference_negative"], len(out["path_pairs"])
    ([1.0, 1.0], [0.0, 0.0], 2)
    """
    spec, res = trained_circuits(n=n, m1=m, m2=m, target=target, instances=instances, rng=rng, l1=l1,
                                 orient=orient)
    T = target_matrix(spec)
    rows = [_model_row(*(w[k] for w in res.final), T) for k in range(instances)]
    return {key: [r[key] for r in rows] for key in rows[0]}


def learned_fraction_point(*, rng, n: int, m: int, target: str, instances: int, l1: float = CIRCUIT_L1,
                           oriented: bool = True) -> dict:
    """The same models trained from the plain and from the oriented start (the same draw, read-outs flipped):
    per model "start_dead" (fraction of intended virtual weights ≤ 0 at the plain start), "plain" and
    "oriented" (fraction learned, M_iπ(i) > 0.5 at the end). ``oriented=False`` trains the plain start only
    (no "oriented" entry; the others unchanged).

    Examples
    --------
    >>> from sims.studies.circuits import learned_fraction_point
    >>> out = learned_fraction_point(rng=1, n=6, m=12, target="identity", instances=2)
    >>> out["oriented"]
    [1.0, 1.0]
    """
    seed = int(validate.generator(rng).integers(2**63))  # one seed for both runs: the same π and the same draw
    out = {}
    for orient in (False, True) if oriented else (False,):
        spec, res = trained_circuits(n=n, m1=m, m2=m, target=target, instances=instances, rng=seed, l1=l1,
                                     orient=orient)
        rows, pi = np.arange(n), spec.target_index
        end = (res.final[0] @ res.final[1] @ np.swapaxes(res.final[2], -1, -2))[:, rows, pi]
        out["oriented" if orient else "plain"] = [float(x) for x in (end > LEARNED).mean(axis=-1)]
        if not orient:
            start = (res.initial[0] @ res.initial[1] @ np.swapaxes(res.initial[2], -1, -2))[:, rows, pi]
            out["start_dead"] = [float(x) for x in (start <= 0).mean(axis=-1)]
    return {key: out[key] for key in ("start_dead", "plain", "oriented") if key in out}


# ------------------------------------------------------------------------------------------------ the report


@dataclass(frozen=True, kw_only=True)
class CircuitReport:
    """A diagnose-style reading of one circuit model (``circuit_report``); ``text()`` / ``str()`` prints it.

    ``shared_weights``: (a, b, value, inputs F_a, outputs F′_b) for every nonzero weight V_ab governing more
    than one pair; ``free``: (i, c, M_ic) for the negative spurious connections (removed by the ReLU, free
    with one-hot inputs); ``costly``: (i, c, M_ic, M_ic²) for the positive ones (real errors, with their
    one-hot loss); ``layer1_pairs`` / ``aligned_pairs``: pairs sharing a layer-1 neuron and, of those, pairs
    whose targets share a layer-2 one; ``learned`` / ``dead``: features with M_iπ(i) > 0.5 and the others;
    ``loss``: the data loss Σ(ReLU(M) − T)² (code units).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.circuits import circuit_report
    >>> W1 = np.array([[1.0], [-1.0]])
    >>> print(circuit_report(W1, [[1.0]], W1, target=np.eye(2)))  # doctest: +NORMALIZE_WHITESPACE
    circuit n = 2, m1 = 1, m2 = 1: 2 of 2 features learned; data loss 0
    weights of V governing more than one pair: 1
      V[0, 0] = 1: inputs {0, 1} → outputs {0, 1}: 4 pairs
    spurious connections: 2 free (negative), 0 costly (positive, one-hot loss 0)
      free: 0→1 (-1), 1→0 (-1)
    layer alignment: 1 of 1 layer-1 pairs have their targets on a shared layer-2 neuron
    """

    n: int
    m1: int
    m2: int
    shared_weights: tuple
    free: tuple
    costly: tuple
    layer1_pairs: int
    aligned_pairs: int
    learned: tuple
    dead: tuple
    loss: float

    def text(self, *, limit: int = 20) -> str:
        """The report as lines of text (at most ``limit`` entries per list, then a count of the rest)."""
        def some(items, fmt):
            shown = [fmt(x) for x in items[:limit]]
            return shown + ([f"… {len(items) - limit} more"] if len(items) > limit else [])

        def members(s):
            return "{" + ", ".join(str(x) for x in s) + "}"

        head = (f"circuit n = {self.n}, m1 = {self.m1}, m2 = {self.m2}: {len(self.learned)} of {self.n} features "
                f"learned; data loss {self.loss:.6g}")
        lines = [head]
        if self.dead:
            lines.append("  not learned (M_iπ(i) ≤ 0.5): " + ", ".join(str(i) for i in self.dead))
        lines.append(f"weights of V governing more than one pair: {len(self.shared_weights)}")
        lines += ["  " + s for s in some(self.shared_weights, lambda w: f"V[{w[0]}, {w[1]}] = {w[2]:.4g}: inputs "
                                         f"{members(w[3])} → outputs {members(w[4])}: {len(w[3]) * len(w[4])} pairs")]
        cost = sum(c[3] for c in self.costly)
        lines.append(f"spurious connections: {len(self.free)} free (negative), {len(self.costly)} costly "
                     f"(positive, one-hot loss {cost:.4g})")
        if self.free:
            lines.append("  free: " + ", ".join(some(self.free, lambda f: f"{f[0]}→{f[1]} ({f[2]:.3g})")))
        if self.costly:
            lines.append("  costly: " + ", ".join(some(self.costly, lambda f: f"{f[0]}→{f[1]} ({f[2]:.3g}, "
                                                                              f"loss {f[3]:.3g})")))
        lines.append(f"layer alignment: {self.aligned_pairs} of {self.layer1_pairs} layer-1 pairs have their "
                     "targets on a shared layer-2 neuron")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def circuit_report(W1, V, W2, *, target, tol: float = CONNECTION_TOL) -> CircuitReport:
    """Read one model: the weights of V that govern several pairs, the free (negative) and costly (positive)
    spurious connections, the alignment of shared neurons across layers and the learned features.

    Parameters
    ----------
    W1, V, W2 : arrays (n, m1), (m1, m2), (n, m2)
        One model (noiseless: M = W1 V W2ᵀ).
    target : array (n, n)
        The permutation matrix T (``theory.circuits.target_matrix``).
    tol : float
        |V_ab| and |M_ic| at or below this count as zero, ≥ 0.

    Examples
    --------
    >>> from sims.studies.circuits import circuit_report, constructed_shared_weight
    >>> report = circuit_report(*constructed_shared_weight(3)[:3], target=constructed_shared_weight(3)[3])
    >>> report.shared_weights[0][:2], len(report.costly), len(report.learned)
    ((0, 0), 6, 6)
    """
    tol = validate.real("tol", tol, minimum=0.0)
    mc = measure_circuit(W1, V, W2, target=target)
    V = np.asarray(V, dtype=np.float64)
    sets = mc.sets
    shared = tuple((int(a), int(b), float(V[a, b]), tuple(int(x) for x in sets.members1(a)),
                    tuple(int(x) for x in sets.members2(b)))
                   for a, b in zip(*np.nonzero((mc.pairs.counts > 1) & (np.abs(V) > tol))))
    M, T = mc.split.virtual, np.asarray(target)
    spurious = T == 0
    free = tuple((int(i), int(c), float(M[i, c])) for i, c in zip(*np.nonzero(spurious & (M < -tol))))
    costly = tuple((int(i), int(c), float(M[i, c]), float(M[i, c] ** 2))
                   for i, c in zip(*np.nonzero(spurious & (M > tol))))
    learned = mc.split.intended > LEARNED
    n, m1 = mc.sets.layer1.shape
    return CircuitReport(n=n, m1=m1, m2=mc.sets.layer2.shape[1], shared_weights=shared, free=free, costly=costly,
                         layer1_pairs=mc.alignment.count, aligned_pairs=mc.alignment.aligned,
                         learned=tuple(int(i) for i in np.flatnonzero(learned)),
                         dead=tuple(int(i) for i in np.flatnonzero(~learned)), loss=mc.split.error)
