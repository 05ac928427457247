"""Facets of a feature visualisation, and how well they find the polysemantic neurons of the weights.

A visualised batch (``sims.dynamics.visualise``) is read as a researcher reads it: keep the inputs that
activate the neuron strongly, φ(h_bk) ≥ ½ φ_max, with φ the objective and φ_max its largest value over the
input domain (``domain_maximum``: a batch that a heavy diversity term has pushed off the neuron shows nothing);
name each kept input by the features it loads on, {i : |x_bi| ≥ ½ max_i |x_bi|}; inputs whose feature sets
overlap belong to one facet (connected components), named by the union of their sets. A neuron shows as
polysemantic when it has two or more facets; facets are disjoint feature sets by construction.

Real inputs (a task network's pixels, a synthetic task's input coordinates) are not features, so there each
kept input is named from ``scores`` (K, B, R) over R things a researcher can name: the known features'
loadings Eᵀx of a synthetic task, or a one-hot of the class a digits image is assigned to (the network's own
prediction, or the nearest class-mean image). The input is named by {r : score_r ≥ ½ max_r score_r > 0}; an
input that loads on nothing (max_r score_r ≤ 0) joins no facet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Facets", "PrecisionRecall", "domain_maximum", "facets", "precision_recall"]

KEEP = 0.5  # an input is kept when its objective value is ≥ KEEP × the batch's maximum
LOADS = 0.5  # an input loads on feature i when |x_i| ≥ LOADS × its largest |x_j|


@dataclass(frozen=True)
class Facets:
    """``sets[k]``: the facets of block k (a tuple of frozensets of feature indices, largest first);
    ``count`` (K,) the number of facets; ``neurons`` (K,) the visualised neurons; ``member`` (K, B) the facet
    index (into ``sets[k]``) of each batch input, −1 for an input that was not kept.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.facets import Facets
    >>> f = Facets(np.array([0, 1]), ((frozenset({0}), frozenset({1})), (frozenset({2}),)), np.array([2, 1]),
    ...            np.array([[0, 1], [0, -1]]))
    >>> f.polysemantic.tolist()
    [True, False]
    """

    neurons: np.ndarray
    sets: tuple
    count: np.ndarray
    member: np.ndarray

    @property
    def polysemantic(self) -> np.ndarray:
        """Boolean (K,): two or more facets."""
        return self.count >= 2


def _components(sets: list[frozenset]) -> list[frozenset]:
    merged: list[set] = []
    for s in sets:
        joined = set(s)
        rest = []
        for group in merged:
            if group & joined:
                joined |= group
            else:
                rest.append(group)
        merged = rest + [joined]
    return sorted((frozenset(g) for g in merged), key=lambda g: (-len(g), sorted(g)))


def domain_maximum(W, neurons, *, domain: str, objective: str, hidden: str = "linear", bias=None,
                   bounds=None) -> np.ndarray:
    """φ_max = max over the input domain of φ(h_k(x)), per neuron (shape of ``neurons``).

    h_k(x) = Σ_i x_i W_ik is linear in x (a ReLU hidden layer only clips it at 0), so on the simplex the
    maximum is at a vertex, max_i φ(W_ik); on the box [0, 1]ⁿ at the corner that sums the positive (or the
    negative) weights, P = Σ_i (W_ik)₊, N = Σ_i (W_ik)₋; on the unit sphere at x = ±W_k/‖W_k‖, |h| = ‖W_k‖.
    The signed objective (and a ReLU layer) only gets the positive side. With a ``bias`` b (m,) the range of
    h_k shifts by b_k; on a box [l, u] (``bounds``) its ends are Σ_i max(l_i W_ik, u_i W_ik) + b_k and
    Σ_i min(l_i W_ik, u_i W_ik) + b_k.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.facets import domain_maximum
    >>> W = np.array([[0.9, 0.0], [-1.0, 0.2], [0.0, 0.3]])
    >>> domain_maximum(W, [0, 1], domain="simplex", objective="square").round(2).tolist()
    [1.0, 0.09]
    >>> domain_maximum(W, [0, 1], domain="simplex", objective="signed").round(2).tolist()
    [0.9, 0.3]
    >>> domain_maximum(W, [0], domain="simplex", objective="square", hidden="relu").round(2).tolist()
    [0.81]
    >>> domain_maximum(W, [0, 1], domain="box", objective="signed", bias=[-1.0, 0.5], bounds=(0.0, 2.0)).tolist()
    [0.8, 1.5]
    """
    idx = np.atleast_1d(neurons)
    cols = np.asarray(W, dtype=np.float64)[:, idx]
    positive_only = objective == "signed" or hidden == "relu"
    if domain == "simplex":
        hi, lo = cols.max(axis=0), -cols.min(axis=0)
    elif domain == "box" and bounds is not None:
        low, high = (np.broadcast_to(np.asarray(v, dtype=np.float64), (cols.shape[0],))[:, None] for v in bounds)
        hi = np.maximum(low * cols, high * cols).sum(axis=0)
        lo = -np.minimum(low * cols, high * cols).sum(axis=0)
    elif domain == "box":
        hi, lo = np.maximum(cols, 0).sum(axis=0), np.maximum(-cols, 0).sum(axis=0)
    elif domain == "sphere":
        hi = lo = np.linalg.norm(cols, axis=0)
    else:
        raise ValueError(f"domain must be one of ['box', 'simplex', 'sphere'], got {domain!r}")
    if bias is not None:
        b = np.asarray(bias, dtype=np.float64)[idx]
        hi, lo = hi + b, lo - b  # max h = hi + b; min h = −lo + b, so its negative side is lo − b
    top = np.maximum(hi, 0.0) if positive_only else np.maximum(np.maximum(hi, lo), 0.0)
    return top * top if objective == "square" else top


def facets(vis, W, *, keep: float = KEEP, loads: float = LOADS, scores=None) -> Facets:
    """The facets of each visualised neuron of weights W (module docstring: kept inputs, their feature sets,
    components). ``vis`` is a ``sims.dynamics.visualise.Visualisation`` (its ``inputs``, ``values``,
    ``neurons``, ``config``, ``bias`` and ``bounds`` are read). ``scores`` (K, B, R), optional: name each input
    by the rows r with score_r ≥ ``loads`` × max_r score_r > 0 instead of by its own coordinates (real inputs,
    module docstring); facets then hold indices r.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig, visualise_neurons
    >>> from sims.measure.facets import facets
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    >>> cfg = VisualisationConfig(diversity="cosine", weight=0.1, steps=300)
    >>> f = facets(visualise_neurons(W, [0, 1], cfg, rng=0), W)
    >>> [sorted(map(sorted, s)) for s in f.sets], f.count.tolist()
    ([[[0], [1]], [[2]]], [2, 1])

    Named by scores (here a one-hot class per input; inputs 0–3 of block 0 are class 1, the rest class 4):

    >>> classes = np.where(np.arange(8) < 4, 1, 4)[None].repeat(2, axis=0)
    >>> g = facets(visualise_neurons(W, [0, 1], cfg, rng=0), W, scores=np.eye(5)[classes])
    >>> [sorted(map(sorted, s)) for s in g.sets]
    [[[1], [4]], [[1], [4]]]
    """
    keep = float(keep)
    loads = float(loads)
    if not (0.0 < keep <= 1.0 and 0.0 < loads <= 1.0):
        raise ValueError(f"keep and loads must lie in (0, 1], got keep = {keep!r}, loads = {loads!r}")
    phi = vis.values
    tops = domain_maximum(W, vis.neurons, domain=vis.config.domain, objective=vis.config.objective,
                          hidden=vis.config.hidden, bias=vis.bias, bounds=vis.bounds)
    if scores is None:
        mags = np.abs(vis.inputs)
        named = mags >= loads * mags.max(axis=-1, keepdims=True)
    else:
        S = np.asarray(scores, dtype=np.float64)
        if S.ndim != 3 or S.shape[:2] != phi.shape or not np.all(np.isfinite(S)):
            raise ValueError(f"scores must be a finite array of shape (K, B, R) with (K, B) = {phi.shape}, "
                             f"got shape {S.shape}")
        top_score = S.max(axis=-1, keepdims=True)
        named = (S >= loads * top_score) & (top_score > 0)
    out = []
    member = np.full(phi.shape, -1, dtype=np.int64)
    for k in range(phi.shape[0]):
        top = tops[k]
        if top <= 0:
            out.append(())
            continue
        kept = np.flatnonzero((phi[k] >= keep * top) & named[k].any(axis=-1))
        features = {int(b): frozenset(np.flatnonzero(named[k, b]).tolist()) for b in kept}
        sets = tuple(_components(list(features.values())))
        for b, f in features.items():
            member[k, b] = next(i for i, s in enumerate(sets) if f <= s)
        out.append(sets)
    return Facets(vis.neurons, tuple(out), np.array([len(s) for s in out], dtype=np.int64), member)


@dataclass(frozen=True)
class PrecisionRecall:
    """Counts of a method's reported set against the truth: ``true_positive``, ``reported``, ``actual``;
    ``precision`` = TP/reported and ``recall`` = TP/actual (NaN when the denominator is 0).

    Examples
    --------
    >>> from sims.measure.facets import PrecisionRecall
    >>> PrecisionRecall(true_positive=3, reported=4, actual=6).precision
    0.75
    """

    true_positive: int
    reported: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.reported if self.reported else float("nan")

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else float("nan")


def precision_recall(reported, actual) -> PrecisionRecall:
    """Precision and recall of boolean ``reported`` against boolean ``actual`` (same shape, pooled).

    Examples
    --------
    >>> from sims.measure.facets import precision_recall
    >>> pr = precision_recall([True, True, False, False], [True, False, True, False])
    >>> pr.precision, pr.recall
    (0.5, 0.5)
    """
    r = np.asarray(reported, dtype=bool)
    a = np.asarray(actual, dtype=bool)
    if r.shape != a.shape:
        raise ValueError(f"reported and actual must have the same shape, got {r.shape} and {a.shape}")
    return PrecisionRecall(int(np.sum(r & a)), int(r.sum()), int(a.sum()))
