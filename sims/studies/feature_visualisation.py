"""Feature visualisation checked where the features are known: do its facets find the incidental neurons?

The truth comes from the weights of trained toy models: a neuron is incidentally polysemantic when it is the
dominant neuron of exactly one + and one − feature (``sims.measure.metrics.opposite_pair_members``), and
monosemantic when it is dominant for exactly one feature. The method's verdict is a visualisation
(``sims.dynamics.visualise``) with two or more facets (``sims.measure.facets``). Three settings:

* trained models (``facet_detection``): the paper's tied model trained with proximal GD (the gradient-flow
  recipe, λ = 0.2, lr 0.01, 8000 steps) or AdamW (the paper's recipe);
* the shared-feature control (``shared_feature_control``): primitives cat-face, car-front and fur, objects
  cat = {cat-face, fur} and car = {car-front, fur}; a neuron that encodes fur responds to both objects, as
  does an incidental neuron holding cat-face (+) and car-front (−). Read off objects the two look alike; a
  faithful visualisation in the primitives' space shows one facet (fur) on the first and two on the second;
* the ReLU hidden layer (``VisualisationConfig(hidden="relu")`` on the same weights): a ± neuron fires for
  its + feature only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import ModelSpec, validate

from ..dynamics.train import TrainConfig, train
from ..dynamics.visualise import (
    VisualisationConfig,
    objective_values,
    visualise_neurons,
)
from ..measure.facets import PrecisionRecall, facets, precision_recall
from ..measure.metrics import dominant_neurons, opposite_pair_members

__all__ = ["FACET_SETTINGS", "FACET_WEIGHTS", "MODEL_RECIPES", "FacetDetection", "SharedFeatureControl", "facet_detection", "facet_point", "shared_feature_control",
           "trained_weights"]

#: Training recipes of the models whose neurons are visualised (optimiser steps; λ in the code's units).
MODEL_RECIPES = {"prox-gd": {"optimizer": "prox_gd", "lr": 0.01, "steps": 8000, "l1": 0.2},
           "adamw": {"optimizer": "adamw", "lr": 1e-3, "steps": 7500, "l1": 1e-3}}


def trained_weights(*, n: int, m: int, recipe: str, instances: int, rng) -> np.ndarray:
    """Weights (instances, n, m) of toy models trained by ``recipe`` (``MODEL_RECIPES``) from N(0, 1/m).

    Examples
    --------
    >>> from sims.studies.feature_visualisation import trained_weights
    >>> trained_weights(n=4, m=8, recipe="prox-gd", instances=2, rng=0).shape
    (2, 4, 8)
    """
    validate.choice("recipe", recipe, tuple(MODEL_RECIPES))
    r = dict(MODEL_RECIPES[recipe])
    spec = ModelSpec(n=n, m=m, l1=r.pop("l1"))
    return train(spec, TrainConfig(instances=instances, **r), rng=rng, metrics=lambda W, s: {}).W


def _neuron_truth(W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(± neuron, monosemantic neuron, live neuron) masks of shape (m,) for one model W (n, m)."""
    m = W.shape[1]
    member, neuron = opposite_pair_members(W)
    pm = np.zeros(m, dtype=bool)
    pm[neuron[member]] = True
    k, sign = dominant_neurons(W)
    load = np.bincount(k[sign != 0], minlength=m)
    return pm, load == 1, np.any(W != 0, axis=0)


@dataclass(frozen=True)
class FacetDetection:
    """Per neuron of each model (shape (models, m)): ``truth`` (± neuron of the weights), ``reported`` (two or
    more facets), ``monosemantic`` (dominant for one feature), ``one_facet`` (exactly one facet), ``count``
    (facets). Pooled over models: ``scores`` (precision and recall of ``reported`` against ``truth``) and
    ``monosemantic_visible`` (fraction of monosemantic neurons shown with exactly one facet).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.studies.feature_visualisation import FacetDetection
    >>> det = FacetDetection(VisualisationConfig(), truth=np.array([[True, False]]),
    ...                      reported=np.array([[True, False]]), monosemantic=np.array([[False, True]]),
    ...                      count=np.array([[2, 1]]))
    >>> det.scores.recall, det.monosemantic_visible
    (1.0, 1.0)
    """

    config: VisualisationConfig
    truth: np.ndarray
    reported: np.ndarray
    monosemantic: np.ndarray
    count: np.ndarray

    @property
    def scores(self) -> PrecisionRecall:
        return precision_recall(self.reported, self.truth)

    @property
    def one_facet(self) -> np.ndarray:
        return self.count == 1

    @property
    def monosemantic_visible(self) -> float:
        mono = self.monosemantic
        return float(np.mean(self.one_facet[mono])) if mono.any() else float("nan")


def facet_detection(weights, config: VisualisationConfig, *, rng) -> FacetDetection:
    """Visualise every live neuron of each model in ``weights`` (models, n, m) and score its facets.

    Dead neurons (an all-zero column) are not visualised: they have no facet. Each model gets its own
    stream spawned from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.studies.feature_visualisation import facet_detection
    >>> W = np.array([[[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> det = facet_detection(W, VisualisationConfig(diversity="cosine", weight=0.1, steps=300), rng=0)
    >>> det.count.tolist(), det.scores.recall, det.monosemantic_visible
    ([[2, 1, 0]], 1.0, 1.0)
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 3:
        raise ValueError(f"weights must have shape (models, n, m), got shape {weights.shape}")
    gens = validate.generator(rng).spawn(weights.shape[0])
    truth, mono, count = [], [], []
    for W, g in zip(weights, gens):
        pm, mn, live = _neuron_truth(W)
        c = np.zeros(W.shape[1], dtype=np.int64)
        if live.any():
            c[live] = facets(visualise_neurons(W, np.flatnonzero(live), config, rng=g), W).count
        truth.append(pm)
        mono.append(mn)
        count.append(c)
    count = np.array(count)
    return FacetDetection(config, np.array(truth), count >= 2, np.array(mono), count)


#: Primitive features of the shared-feature control, and the objects built from them.
PRIMITIVES = ("cat-face", "car-front", "fur", "wheel", "whisker", "window")
OBJECTS = {"cat": ("cat-face", "fur", "whisker"), "car": ("car-front", "wheel", "window", "fur")}


@dataclass(frozen=True)
class SharedFeatureControl:
    """The facets (names of primitives) and the responding objects of the shared-primitive neuron (``fur``)
    and of the incidental neuron (cat-face +, car-front −).

    Examples
    --------
    >>> from sims.studies.feature_visualisation import SharedFeatureControl
    >>> SharedFeatureControl((("fur",),), (("car-front",), ("cat-face",)), ("car", "cat"), ("car", "cat")).shared_facets
    (('fur',),)
    """

    shared_facets: tuple
    incidental_facets: tuple
    shared_objects: tuple
    incidental_objects: tuple


def shared_feature_control(config: VisualisationConfig, *, rng) -> SharedFeatureControl:
    """Visualise a constructed tied model whose neuron 0 encodes the primitive "fur" shared by the objects cat
    and car, and whose neuron 1 holds cat-face (+1) and car-front (−1); every other primitive has its own neuron.

    The weights are a zero-loss solution of the paper's model (unit rows; the only overlap, −1, is negative).
    An object activates a neuron through its primitives (x = the object's indicator vector, normalised to
    sum 1); "responding objects" are those with φ ≥ ½ the largest φ over objects.

    Examples
    --------
    >>> from sims.dynamics.visualise import VisualisationConfig
    >>> from sims.studies.feature_visualisation import shared_feature_control
    >>> c = shared_feature_control(VisualisationConfig(diversity="cosine", weight=0.03, steps=300), rng=0)
    >>> c.shared_facets, c.incidental_facets
    ((('fur',),), (('car-front',), ('cat-face',)))
    >>> c.shared_objects, c.incidental_objects  # read off objects, both neurons respond to cats and cars
    (('car', 'cat'), ('car', 'cat'))
    """
    n = len(PRIMITIVES)
    index = {p: i for i, p in enumerate(PRIMITIVES)}
    W = np.zeros((n, n))
    W[index["fur"], 0] = 1.0
    W[index["cat-face"], 1], W[index["car-front"], 1] = 1.0, -1.0
    for k, p in enumerate(q for q in PRIMITIVES if q not in ("fur", "cat-face", "car-front")):
        W[index[p], 2 + k] = 1.0
    f = facets(visualise_neurons(W, [0, 1], config, rng=rng), W)

    def names(sets):
        return tuple(sorted(tuple(sorted(PRIMITIVES[i] for i in s)) for s in sets))

    X = np.array([[1.0 if p in prims else 0.0 for p in PRIMITIVES] for prims in OBJECTS.values()])
    X /= X.sum(axis=1, keepdims=True)
    h = X @ W[:, :2]
    phi = objective_values(np.maximum(h, 0.0) if config.hidden == "relu" else h, config.objective)
    responding = [tuple(sorted(o for o, v in zip(OBJECTS, phi[:, k]) if v > 0 and v >= 0.5 * phi[:, k].max()))
                  for k in range(2)]
    return SharedFeatureControl(names(f.sets[0]), names(f.sets[1]), responding[0], responding[1])


#: Visualisation settings of the facets sweep: label → (objective, diversity, weight, hidden layer).
FACET_WEIGHTS = (0.01, 0.03, 0.1, 0.3, 1.0, 100.0)
FACET_SETTINGS = {"none": ("square", "none", 0.0, "linear"),
                  **{f"{d}@{w:g}": ("square", d, w, "linear") for d in ("cosine", "gram") for w in FACET_WEIGHTS},
                  "signed-cosine@0.3": ("signed", "cosine", 0.3, "linear"),
                  "relu-none": ("square", "none", 0.0, "relu")}


def facet_point(*, rng, n: int, m: int, recipe: str, models: int, setting: str, model_seed: int = 0) -> dict:
    """One sweep point: train ``models`` toy models (``trained_weights``, from the stream (model_seed, n, m), so
    every setting at one m reads the same models) and score the facets of every live neuron under one
    visualisation ``setting`` (a key of ``FACET_SETTINGS``; ``facet_detection``, from ``rng``). Returns
    per-model counts (lists): "true_positive", "reported", "actual" (± neurons of the weights), "monosemantic",
    "monosemantic_shown" (shown with exactly one facet).

    Examples
    --------
    >>> from sims.studies.feature_visualisation import facet_point
    >>> out = facet_point(rng=0, n=8, m=16, recipe="prox-gd", models=2, setting="none")
    >>> sorted(out), len(out["actual"])
    (['actual', 'monosemantic', 'monosemantic_shown', 'reported', 'true_positive'], 2)
    """
    validate.choice("setting", setting, tuple(FACET_SETTINGS))
    objective, diversity, weight, hidden = FACET_SETTINGS[setting]
    model_seed = validate.integer("model_seed", model_seed, minimum=0)
    weights = trained_weights(n=n, m=m, recipe=recipe, instances=models,
                              rng=np.random.SeedSequence([model_seed, n, m]))
    det = facet_detection(weights, VisualisationConfig(objective=objective, diversity=diversity, weight=weight,
                                                       hidden=hidden), rng=rng)
    return {"true_positive": np.sum(det.reported & det.truth, axis=1).tolist(),
            "reported": det.reported.sum(axis=1).tolist(), "actual": det.truth.sum(axis=1).tolist(),
            "monosemantic": det.monosemantic.sum(axis=1).tolist(),
            "monosemantic_shown": np.sum(det.monosemantic & det.one_facet, axis=1).tolist()}
