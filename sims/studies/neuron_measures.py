"""Three ways to read a hidden neuron's features, scored against the known truth of a synthetic task; the facets
of digit neurons.

Synthetic task (``sims.data.synthetic``): k known features s ∈ [0, 1]^k, on with probability p, embedded as
x = E s ∈ R^d (E: unit columns e_f), label = strongest feature mod C. With d >= k the directions are made
exactly orthonormal here (QR of the drawn E, ``synthetic_networks``): the features are *orthogonal*; with d < k
they keep the drawn unit directions and lie in *superposition* in the input. A ReLU network
h = ReLU(x W₁ + b₁) ∈ R^m is trained on it (``sims.dynamics.task_train``, AdamW, L1 λ on W₁).

Truth (``feature_truth``). Neuron k encodes feature f when the feature presented alone, at its typical amplitude a,
drives it:

    Δ_fk = h_k(a e_f) − h_k(0) = ReLU(a e_fᵀ w_k + b_k) − ReLU(b_k),     encodes ⟺ Δ_fk >= rel · max_f' Δ_f'k > 0.

Why this: it is the neuron's causal response to each feature with every other feature absent, through the
neuron's own nonlinearity, so it counts the bias (a neuron with a large negative bias ignores a weak positive
loading) and does not depend on which features co-occur in the data. The baseline h_k(0) is subtracted so that a
neuron with a positive bias is not said to encode features that merely fail to switch it off (for b_k <= 0,
h_k(0) = 0 and this is the plain h_k(a e_f) >= rel · max_f' h_k(a e_f'); the scores against that plain response
are reported too, since the choice decides which measure looks right). a = ``AMPLITUDE`` = 0.5, the mean
intensity U[0, 1] of an on feature; rel = ``MEASURE_REL`` = 0.5, the threshold ``sims.measure.neurons`` uses throughout.
A neuron is polysemantic when it encodes two or more features.

Measures (each a boolean (instances, k, m): feature f read as one of neuron k's features):

1. activation-based (``activation_features``): feature-conditional mean activation over the training samples
   where f is the only feature on (``feature_means(condition="only")``), preferred at rel;
2. weight-based (``weight_features``): projection e_fᵀ w_k (``weight_feature_loadings(kind="projection")``,
   signed, so an inhibitory loading never counts), preferred at rel; blind to the bias;
3. facets (``facet_features``): every neuron's pre-activation x·w_k + b_k (lucid visualises the pre-ReLU
   tensor: a batch that starts where the ReLU is off gets no gradient) maximised with cosine diversity over the
   box spanned by the training inputs, [min_b x_bi, max_b x_bi] per coordinate; each kept input named by its
   loadings Eᵀx (``sims.measure.facets`` with ``scores``); the neuron's features are the union of its facets.

Scores (``measure_scores``): precision and recall (``sims.measure.facets.precision_recall``) of each measure's
polysemantic neurons against the truth's, and of its (feature, neuron) pairs against the truth's, pooled over
the networks.

Digits (``digit_facets``): the facets of chosen neurons of a digits network, each optimised image named by the
class the network itself predicts for it (or the nearest class-mean image); ``polysemantic_digit_neurons``
picks the neurons with the most classes by class-conditional mean activation (``neuron_classes``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from theory import validate

from ..data.digits import digits_task
from ..data.synthetic import SyntheticTask, synthetic_task
from ..dynamics.schedule import Schedule
from ..dynamics.task_train import TaskNetConfig, TaskNetResult, train_task_network
from ..dynamics.visualise import Visualisation, VisualisationConfig, visualise_neurons
from ..measure.facets import Facets, PrecisionRecall, facets, precision_recall
from ..measure.neurons import (
    class_means,
    constant_neurons,
    dead_neurons,
    feature_means,
    preferred,
    selectivity_index,
    weight_feature_loadings,
)

__all__ = [
    "AMPLITUDE",
    "FACET_CONFIG",
    "MEASURES",
    "MEASURE_REL",
    "DigitFacets",
    "activation_features",
    "digit_facets",
    "digit_facets_point",
    "facet_features",
    "feature_drive",
    "feature_truth",
    "measure_scores",
    "neuron_measures_point",
    "orthonormal_task",
    "polysemantic_digit_neurons",
    "synthetic_networks",
    "weight_features",
]

#: Relative threshold of every feature set here (truth and measures), as ``sims.measure.neurons``' default.
MEASURE_REL = 0.5
#: Typical amplitude a of an on feature: the mean of its U[0, 1] intensity.
AMPLITUDE = 0.5
#: Visualisation of the facets measure: the pre-activation (signed), cosine diversity at the weight of the
#: ledger's ``evidence`` claims (activations of order 1), lucent's Adam settings, over a box domain.
FACET_CONFIG = VisualisationConfig(domain="box", objective="signed", diversity="cosine", weight=0.3,
                                   hidden="linear")
MEASURES = ("activation", "weights", "facets")


def orthonormal_task(task: SyntheticTask) -> SyntheticTask:
    """The same features s and labels with orthonormal directions Q (QR of E, columns signed to keep
    e_fᵀq_f > 0): x = Q s. Needs d >= k.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data.synthetic import synthetic_task
    >>> from sims.studies.neuron_measures import orthonormal_task
    >>> task = orthonormal_task(synthetic_task(n_features=3, d=4, p=0.5, samples=10, rng=0))
    >>> bool(np.allclose(task.directions.T @ task.directions, np.eye(3)))
    True
    >>> bool(np.allclose(task.features_train @ task.directions.T, task.X_train))
    True
    """
    E = task.directions
    if E.shape[0] < E.shape[1]:
        raise ValueError(f"task must have d >= k for orthonormal directions, got d = {E.shape[0]}, k = {E.shape[1]}")
    Q, R = np.linalg.qr(E)
    Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
    return dataclasses.replace(task, directions=Q, X_train=task.features_train @ Q.T,
                               X_test=task.features_test @ Q.T)


def synthetic_networks(*, n_features: int, d: int, width: int, l1: float, p: float = 0.1, samples: int = 4000,
                       steps: int = 2000, lr: float = 1e-2, batch: int = 64, instances: int = 4,
                       rng) -> tuple[SyntheticTask, TaskNetResult]:
    """A synthetic task (orthonormal directions when d >= k) and ``instances`` ReLU networks trained on it.

    AdamW (torch's defaults but lr), L1 λ = ``l1`` on W₁ (nats per unit |weight|), ``steps`` optimiser steps
    of minibatches of ``batch``. The task and the networks come from two streams spawned from ``rng``.

    Examples
    --------
    >>> from sims.studies.neuron_measures import synthetic_networks
    >>> task, result = synthetic_networks(n_features=4, d=4, width=8, l1=0.0, samples=400, steps=50, instances=2,
    ...                                   rng=0)
    >>> task.directions.shape, result.W1.shape
    ((4, 4), (2, 4, 8))
    """
    g_task, g_net = validate.generator(rng).spawn(2)
    task = synthetic_task(n_features=n_features, d=d, p=p, samples=samples, rng=g_task)
    if d >= n_features:
        task = orthonormal_task(task)
    config = TaskNetConfig(width=width, l1=l1, lr=lr, steps=steps, batch=batch, instances=instances,
                           record=Schedule(every=max(steps, 1)))
    return task, train_task_network(task, config, rng=g_net)


def _first_layer(W1, b1) -> tuple[np.ndarray, np.ndarray]:
    W = np.asarray(W1, dtype=np.float64)
    b = np.asarray(b1, dtype=np.float64)
    if W.ndim != 3 or b.shape != (W.shape[0], W.shape[2]):
        raise ValueError(f"W1 must have shape (instances, d, m) and b1 (instances, m), got {W.shape} and {b.shape}")
    return W, b


def feature_drive(W1, b1, directions, *, amplitude: float = AMPLITUDE, baseline: bool = True) -> np.ndarray:
    """Δ_fk = ReLU(a e_fᵀw_k + b_k) − ReLU(b_k): how much feature f alone, at intensity a, moves neuron k,
    float (instances, k, m) in activation units (module docstring). ``baseline=False`` drops the − ReLU(b_k).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.neuron_measures import feature_drive
    >>> W1, b1 = np.array([[[1.0, 0.0], [-1.0, 2.0]]]), np.array([[0.5, -0.5]])
    >>> feature_drive(W1, b1, np.eye(2), amplitude=0.5)[0].tolist()  # rows: features, columns: neurons
    [[0.5, 0.0], [-0.5, 0.5]]
    """
    W, b = _first_layer(W1, b1)
    a = validate.real("amplitude", amplitude, minimum=0.0, strict_min=True)
    E = np.asarray(directions, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != W.shape[1]:
        raise ValueError(f"directions must have shape (d, k) with d = {W.shape[1]}, got shape {E.shape}")
    drive = np.maximum(a * np.matmul(E.T, W) + b[:, None, :], 0.0)
    if baseline:
        drive = drive - np.maximum(b[:, None, :], 0.0)
    return drive


def feature_truth(W1, b1, directions, *, amplitude: float = AMPLITUDE, rel: float = MEASURE_REL,
                  baseline: bool = True) -> np.ndarray:
    """Which features each neuron encodes: Δ_fk = ReLU(a e_fᵀw_k + b_k) − ReLU(b_k) >= rel · max_f' Δ_f'k > 0
    (module docstring), bool (instances, k, m). Activation units for Δ; a dimensionless (feature intensity).
    ``baseline=False`` drops the − ReLU(b_k) (the plain response h_k(a e_f); differs only where b_k > 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.neuron_measures import feature_truth
    >>> E = np.eye(2)
    >>> W1 = np.array([[[1.0, 1.0, 0.0], [0.8, -1.0, 0.0]]])  # neuron 0 reads both; 1 only feature 0; 2 nothing
    >>> b1 = np.array([[0.0, 0.0, 0.7]])                      # neuron 2: constant, encodes nothing
    >>> feature_truth(W1, b1, E)[0].T.astype(int).tolist()
    [[1, 1], [1, 0], [0, 0]]
    >>> feature_truth(W1, np.array([[-0.35, 0.0, 0.0]]), E)[0, :, 0].tolist()  # the bias silences feature 1
    [True, False]
    """
    return preferred(feature_drive(W1, b1, directions, amplitude=amplitude, baseline=baseline), rel=rel)


def activation_features(result: TaskNetResult, task: SyntheticTask, *, rel: float = MEASURE_REL) -> np.ndarray:
    """Measure 1: preferred(feature_means(H, s, condition="only"), rel) on the training set, bool (instances, k, m).

    Examples
    --------
    >>> from sims.studies.neuron_measures import activation_features, synthetic_networks
    >>> task, result = synthetic_networks(n_features=4, d=4, width=8, l1=0.0, samples=400, steps=50, instances=2,
    ...                                   rng=0)
    >>> activation_features(result, task).shape
    (2, 4, 8)
    """
    H = result.hidden(task.X_train)
    return preferred(feature_means(H, task.features_train, condition="only"), rel=rel)


def weight_features(W1, directions, *, rel: float = MEASURE_REL) -> np.ndarray:
    """Measure 2: preferred(e_fᵀ w_k, rel) (signed projections; the bias is ignored), bool (instances, k, m).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.neuron_measures import weight_features
    >>> weight_features(np.array([[[1.0, 1.0, 0.0], [0.8, -1.0, 0.0]]]), np.eye(2))[0].T.astype(int).tolist()
    [[1, 1], [1, 0], [0, 0]]
    """
    return preferred(weight_feature_loadings(W1, directions, kind="projection"), rel=rel)


def facet_features(W1, b1, directions, bounds, config: VisualisationConfig = FACET_CONFIG, *,
                   rng) -> tuple[np.ndarray, list[Facets]]:
    """Measure 3: the features of each neuron's facets (union over its facets), bool (instances, k, m), and the
    facets of every instance. Every neuron is visualised over the box ``bounds`` = (l, u) (``config``: domain
    box); each kept input is named by its loadings Eᵀx. One stream per instance, spawned from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.studies.neuron_measures import facet_features
    >>> W1 = np.array([[[1.0, -1.0], [-1.0, 1.0]]])   # neuron 0: feature 0 minus feature 1; neuron 1 the reverse
    >>> cfg = VisualisationConfig(domain="box", objective="signed", diversity="none", steps=200)
    >>> shown, fs = facet_features(W1, np.zeros((1, 2)), np.eye(2), (np.zeros(2), np.ones(2)), cfg, rng=0)
    >>> shown[0].astype(int).tolist(), fs[0].count.tolist()  # corners (1, 0) and (0, 1): one feature each
    ([[1, 0], [0, 1]], [1, 1])
    """
    W, b = _first_layer(W1, b1)
    E = np.asarray(directions, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != W.shape[1]:
        raise ValueError(f"directions must have shape (d, k) with d = {W.shape[1]}, got shape {E.shape}")
    shown = np.zeros((W.shape[0], E.shape[1], W.shape[2]), dtype=bool)
    out = []
    for i, g in enumerate(validate.generator(rng).spawn(W.shape[0])):
        vis = visualise_neurons(W[i], None, config, bias=b[i], bounds=bounds, rng=g)
        f = facets(vis, W[i], scores=vis.inputs @ E)
        for k, sets in zip(f.neurons, f.sets):
            for s in sets:
                shown[i, sorted(s), k] = True
        out.append(f)
    return shown, out


def measure_scores(truth, measures) -> dict[str, dict[str, PrecisionRecall]]:
    """Per measure (name → bool (…, k, m)): ``"polysemantic"`` (neurons with >= 2 features) and ``"features"``
    ((feature, neuron) pairs) precision and recall against ``truth``, pooled.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.neuron_measures import measure_scores
    >>> truth = np.array([[[True, True], [True, False]]])          # neuron 0: features 0, 1; neuron 1: feature 0
    >>> s = measure_scores(truth, {"all": np.ones((1, 2, 2), bool)})["all"]
    >>> s["polysemantic"].precision, s["polysemantic"].recall, s["features"].precision
    (0.5, 1.0, 0.75)
    """
    T = np.asarray(truth, dtype=bool)
    poly = T.sum(axis=-2) >= 2
    out = {}
    for name, M in measures.items():
        M = np.asarray(M, dtype=bool)
        out[name] = {"polysemantic": precision_recall(M.sum(axis=-2) >= 2, poly),
                     "features": precision_recall(M, T)}
    return out


def neuron_measures_point(*, rng, n_features: int, d: int, width: int, l1: float, p: float = 0.1,
                          samples: int = 4000, steps: int = 2000, instances: int = 4,
                          weight: float = FACET_CONFIG.weight, replicate: int = 0) -> dict:
    """One sweep point: train ``instances`` networks on one synthetic task and score the three measures.

    Returns a dict: per measure m and target t ∈ {polysemantic, features}, "<m>_<t>_precision",
    "<m>_<t>_recall" (NaN for an empty denominator) and "<m>_<t>_true_positive/reported/actual" counts; the
    same precision and recall against the truth without the baseline (``feature_truth(baseline=False)``) as
    "plain_<m>_<t>_precision/recall"; "split_polysemantic_precision/recall" (a neuron read as polysemantic when
    its visualisation has two or more facets, as ``sims.studies.feature_visualisation`` reads the toy model) and
    "facets_per_neuron"; the truth's "truth_polysemantic" (count), "positive_bias" (neurons with
    b_k > 0) and "neurons"; "test_accuracy" (mean over instances). ``replicate``
    only labels independent repetitions (the sweep gives each point its own stream).

    Examples
    --------
    >>> from sims.studies.neuron_measures import neuron_measures_point
    >>> row = neuron_measures_point(rng=0, n_features=4, d=4, width=8, l1=0.0, samples=400, steps=50,
    ...                             instances=1)
    >>> row["neurons"], 0.0 <= row["weights_features_recall"] <= 1.0
    (8, True)
    """
    validate.integer("replicate", replicate, minimum=0)
    g_net, g_vis = validate.generator(rng).spawn(2)
    task, result = synthetic_networks(n_features=n_features, d=d, width=width, l1=l1, p=p, samples=samples,
                                      steps=steps, instances=instances, rng=g_net)
    W1, b1, E = result.W1, result.b1, task.directions
    truth = feature_truth(W1, b1, E)
    bounds = (task.X_train.min(axis=0), task.X_train.max(axis=0))
    config = dataclasses.replace(FACET_CONFIG, weight=weight)
    shown, facet_list = facet_features(W1, b1, E, bounds, config, rng=g_vis)
    measures = {"activation": activation_features(result, task), "weights": weight_features(W1, E), "facets": shown}
    row: dict = {"neurons": int(truth.shape[0] * truth.shape[2]),
                 "truth_polysemantic": int(np.sum(truth.sum(axis=-2) >= 2)), "positive_bias": int(np.sum(b1 > 0)),
                 "test_accuracy": float(np.mean(result.test_accuracy))}
    split = precision_recall(np.stack([f.count for f in facet_list]) >= 2, truth.sum(axis=-2) >= 2)
    row.update({"split_polysemantic_precision": split.precision, "split_polysemantic_recall": split.recall,
                "facets_per_neuron": float(np.mean([f.count for f in facet_list]))})
    for name, scores in measure_scores(feature_truth(W1, b1, E, baseline=False), measures).items():
        for target, pr in scores.items():
            row.update({f"plain_{name}_{target}_precision": pr.precision, f"plain_{name}_{target}_recall": pr.recall})
    for name, scores in measure_scores(truth, measures).items():
        for target, pr in scores.items():
            key = f"{name}_{target}"
            row.update({f"{key}_precision": pr.precision, f"{key}_recall": pr.recall,
                        f"{key}_true_positive": pr.true_positive, f"{key}_reported": pr.reported,
                        f"{key}_actual": pr.actual})
    return row


# ------------------------------------------------------------------------------------------------ digits


def _instance(result: TaskNetResult, instance: int) -> int:
    validate.integer("instance", instance, minimum=0)
    if instance >= result.W1.shape[0]:
        raise ValueError(f"instance must be an integer in [0, {result.W1.shape[0] - 1}], got {instance!r}")
    return instance


def polysemantic_digit_neurons(result: TaskNetResult, X, y, *, count: int | None = None, instance: int = 0,
                               rel: float = MEASURE_REL) -> tuple[np.ndarray, np.ndarray]:
    """The live, non-constant neurons of one network ranked by their number of classes (class-conditional means
    on (X, y), ``preferred`` at rel), most first, ties by lower class selectivity; returns (neurons, classes)
    with classes bool (C, len(neurons)). ``count`` keeps the first ``count``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data import TaskData
    >>> from sims.dynamics.task_train import TaskNetConfig, train_task_network
    >>> from sims.studies.neuron_measures import polysemantic_digit_neurons
    >>> X = np.eye(4)
    >>> data = TaskData(X_train=X, y_train=[0, 1, 2, 3], X_test=X, y_test=[0, 1, 2, 3], n_class=4, description="")
    >>> result = train_task_network(data, TaskNetConfig(width=6, lr=0.05, steps=100, batch=4), rng=0)
    >>> neurons, classes = polysemantic_digit_neurons(result, X, data.y_train, count=2)
    >>> len(neurons), classes.shape, bool(classes.sum(axis=0)[0] >= classes.sum(axis=0)[1])
    (2, (4, 2), True)
    """
    _instance(result, instance)
    H = result.hidden(X)[instance]
    y = np.asarray(y)
    C = result.params[-1].shape[-1]
    means = class_means(H, y, n_class=C)
    classes = preferred(means, rel=rel)
    live = ~dead_neurons(H) & ~constant_neurons(H)
    si = np.nan_to_num(selectivity_index(means), nan=1.0)
    order = [k for k in np.lexsort((si, -classes.sum(axis=0))) if live[k]]
    if count is not None:
        order = order[:validate.integer("count", count, minimum=1)]
    order = np.asarray(order, dtype=np.int64)
    return order, classes[:, order]


@dataclass(frozen=True)
class DigitFacets:
    """Facets of digit neurons: the ``visualisation`` (images x (K, B, d) in ``inputs``), each image's class
    ``image_class`` (K, B) (the network's prediction, or the nearest class mean), and ``facets`` (class sets
    per neuron: ``facets.sets[k]`` are frozensets of classes). ``facet_classes`` (C, K) bool: the union.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.measure.facets import Facets
    >>> from sims.studies.neuron_measures import DigitFacets
    >>> f = Facets(np.array([3]), ((frozenset({1}), frozenset({7})),), np.array([2]), np.array([[0, 1]]))
    >>> DigitFacets(None, np.array([[1, 7]]), f, 10).facet_classes[:, 0].nonzero()[0].tolist()
    [1, 7]
    """

    visualisation: Visualisation | None
    image_class: np.ndarray
    facets: Facets
    n_class: int

    @property
    def facet_classes(self) -> np.ndarray:
        out = np.zeros((self.n_class, len(self.facets.sets)), dtype=bool)
        for k, sets in enumerate(self.facets.sets):
            for s in sets:
                out[sorted(s), k] = True
        return out


def digit_facets(result: TaskNetResult, neurons, config: VisualisationConfig | None = None, *, instance: int = 0,
                 class_images=None, rng) -> DigitFacets:
    """Facet images of digit neurons: visualise the pre-activation x·w_k + b_k (``config``, default
    ``FACET_CONFIG`` on the pixel box [0, 1]^64 of ``digits_task``) and name every optimised image by a class:
    the network's own prediction argmax_c z_c(x), or, with ``class_images`` (C, d), the class whose mean image is
    nearest (Euclidean). Facets are the kept images grouped by class (``sims.measure.facets`` with one-hot scores).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data import TaskData
    >>> from sims.dynamics.task_train import TaskNetConfig, train_task_network
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.studies.neuron_measures import digit_facets
    >>> X = np.eye(4)
    >>> data = TaskData(X_train=X, y_train=[0, 1, 2, 3], X_test=X, y_test=[0, 1, 2, 3], n_class=4, description="")
    >>> result = train_task_network(data, TaskNetConfig(width=6, lr=0.05, steps=100, batch=4), rng=0)
    >>> cfg = VisualisationConfig(domain="box", objective="signed", diversity="none", steps=100)
    >>> out = digit_facets(result, [0, 1], cfg, rng=0)
    >>> out.image_class.shape, out.facet_classes.shape
    ((2, 8), (4, 2))
    """
    config = FACET_CONFIG if config is None else config
    _instance(result, instance)
    W, b = result.W1[instance], result.b1[instance]
    C = result.params[-1].shape[-1]
    vis = visualise_neurons(W, neurons, config, bias=b, rng=rng)
    K, B, d = vis.inputs.shape
    images = vis.inputs.reshape(K * B, d)
    if class_images is None:
        labels = result.logits(images)[instance].argmax(axis=-1)
    else:
        M = np.asarray(class_images, dtype=np.float64)
        if M.shape != (C, d):
            raise ValueError(f"class_images must have shape (C, d) = ({C}, {d}), got {M.shape}")
        labels = np.argmin(((images[:, None, :] - M[None]) ** 2).sum(axis=-1), axis=-1)
    labels = labels.reshape(K, B)
    f = facets(vis, W, scores=np.eye(C)[labels])
    return DigitFacets(vis, labels, f, C)


def digit_facets_point(*, rng, width: int = 32, n_class: int = 10, steps: int = 1000, count: int = 4,
                       weight: float = FACET_CONFIG.weight) -> dict:
    """One sweep point: train one digits network (AdamW lr 0.01, minibatch 64, no L1), pick its ``count`` most
    polysemantic neurons (``polysemantic_digit_neurons`` on the training set) and visualise their facets
    (``digit_facets``, cosine diversity at ``weight``). Returns lists per neuron: "neuron", "classes"
    (activation-based), "class_means" (C,), "images" (B, 64), "image_class" (the network's prediction),
    "nearest_class" (nearest class-mean image), "activation" (pre-activation, B), "facet" (facet index of each
    image, −1 if not kept), "facet_classes"; and "test_accuracy".

    Examples
    --------
    >>> from sims.studies.neuron_measures import digit_facets_point
    >>> row = digit_facets_point(rng=0, width=8, n_class=3, steps=30, count=2)
    >>> len(row["neuron"]), len(row["images"][0]), len(row["images"][0][0])
    (2, 8, 64)
    """
    width = validate.integer("width", width, minimum=1)
    count = validate.integer("count", count, minimum=1)
    g_net, g_vis = validate.generator(rng).spawn(2)
    data = digits_task(n_class=n_class)
    result = train_task_network(data, TaskNetConfig(width=width, lr=0.01, steps=steps, batch=64,
                                                    record=Schedule(every=max(steps, 1))), rng=g_net)
    neurons, classes = polysemantic_digit_neurons(result, data.X_train, data.y_train, count=count)
    means = class_means(result.hidden(data.X_train)[0], data.y_train, n_class=n_class)
    class_images = np.stack([data.X_train[data.y_train == c].mean(axis=0) for c in range(n_class)])
    out = digit_facets(result, neurons, dataclasses.replace(FACET_CONFIG, weight=weight), rng=g_vis)
    images = out.visualisation.inputs
    nearest = np.argmin(((images[..., None, :] - class_images) ** 2).sum(axis=-1), axis=-1)
    return {"neuron": neurons.tolist(), "classes": [np.flatnonzero(c).tolist() for c in classes.T],
            "class_means": means[:, neurons].T.tolist(), "images": images.tolist(),
            "image_class": out.image_class.tolist(), "nearest_class": nearest.tolist(),
            "activation": out.visualisation.activation.tolist(), "facet": out.facets.member.tolist(),
            "facet_classes": [[sorted(f) for f in sets] for sets in out.facets.sets],
            "test_accuracy": float(result.test_accuracy[0])}
