"""The toy model's incidental count law tested in a task network whose features are known: the synthetic task
with orthonormal directions, nearly one-hot inputs and the label = the feature, read by the truth of
``sims.studies.neuron_measures.feature_truth``.

Task (``sims.data.synthetic``): k features s ∈ [0, 1]^k, each on with probability p (default 1/k, so a sample
has ≈ 1.6 features on and ≈ 60% of the samples are one-hot) with U[0, 1] intensity, embedded as x = Q s with Q
∈ R^{d×k} orthonormal (``orthonormal_task``, d >= k); label = the strongest feature (C = k classes), so the
target needs every feature, and as p → 0 the inputs are the one-hot inputs of the toy model (x = u e_f, y = f).
Network: h = ReLU(x W₁ + b₁) ∈ R^m, softmax read-out, cross-entropy + λ‖W₁‖₁ (``sims.dynamics.task_train``;
λ in nats per unit |weight|), AdamW (the digits recipe) or proximal GD (exact zeros, the toy model's
gradient-flow-faithful optimiser).

Truth per network (``feature_truth``): neuron j encodes feature f when the feature alone at amplitude a = ½ drives
it, Δ_fj = ReLU(a q_fᵀw_j + b_j) − ReLU(b_j) >= ½ max_f' Δ_f'j > 0; with ``min_drive`` > 0 also Δ_fj >=
``min_drive`` (activation units; a floor that keeps a weight left at the optimiser's jitter from counting).
Counts per network (dimensionless, neurons or features):

* polysemantic: neurons encoding >= 2 features (the toy model's comparison: a neuron shared by features);
* encoding: neurons encoding >= 1 feature; live: neurons active on >= 1 training sample;
* features encoded: features encoded by >= 1 neuron;
* neurons per feature: mean over the k features of the number of neurons encoding it (1 under the toy model's
  winner-take-all), and features per encoding neuron.

The toy model's number k(k − 1)/(4m) (``theory.collisions``) is the comparison; it is never computed here: the
claims (``sims.ledger.synthetic_task``) set the two side by side.
"""

from __future__ import annotations

import numpy as np

from theory import validate

from ..data.synthetic import synthetic_task
from ..dynamics.schedule import Schedule
from ..dynamics.task_train import TaskNetConfig, train_task_network
from ..measure.neurons import dead_neurons, preferred
from .neuron_measures import MEASURE_REL, feature_drive, orthonormal_task

__all__ = ["synthetic_law_networks", "synthetic_law_point", "truth_counts"]

_COUNTS = ("polysemantic", "encoding", "live", "features_encoded", "neurons_per_feature", "features_per_neuron",
           "test_accuracy")


def synthetic_law_networks(*, k: int, width: int, l1: float, d: int | None = None, p: float | None = None,
                           samples: int = 4000, steps: int = 1000, lr: float = 1e-2, batch: int = 64,
                           optimizer: str = "adamw", instances: int = 8, min_drive: float = 0.0,
                           l1_warmup: int = 0, rng) -> dict[str, np.ndarray]:
    """Train ``instances`` networks on one orthonormal synthetic task (label = feature) and count, per network,
    the truth-defined polysemantic neurons (module docstring).

    Parameters
    ----------
    k : int
        Known features = classes (>= 2).
    width : int
        Hidden neurons m (>= 1).
    l1 : float
        λ >= 0 on ‖W₁‖₁ (nats per unit |weight|).
    d : int, optional
        Input dimension >= k (default k); the directions are orthonormal.
    p : float, optional
        Probability in (0, 1] that a feature is on (default 1/k).
    samples, steps, lr, batch, optimizer
        Task size; optimiser steps of ``batch`` samples at learning rate ``lr`` (``TaskNetConfig``).
    instances : int
        Networks (>= 1), differing only by their initialisation.
    min_drive : float
        Floor >= 0 on Δ_fj for feature f to count (activation units); 0 is ``feature_truth`` as it stands.
    l1_warmup : int
        The first ``l1_warmup`` of the ``steps`` train at λ = 0 (``TaskNetConfig.l1_warmup``).
    rng : Generator, SeedSequence or int
        The task and the networks come from two streams spawned from it; same seed, same numbers.

    Returns
    -------
    dict
        Arrays (instances,): "polysemantic", "encoding", "live", "features_encoded" (counts),
        "neurons_per_feature", "features_per_neuron" (means; NaN with no encoding neuron), "test_accuracy";
        "truth", bool (instances, k, m): feature f encoded by neuron j; and "drive", Δ_fj (instances, k, m),
        activation units.

    Examples
    --------
    >>> from sims.studies.synthetic_law import synthetic_law_networks
    >>> out = synthetic_law_networks(k=4, width=8, l1=0.0, samples=400, steps=100, instances=2, rng=0)
    >>> out["truth"].shape, out["polysemantic"].shape
    ((2, 4, 8), (2,))
    >>> bool((out["polysemantic"] <= out["encoding"]).all() and (out["features_encoded"] <= 4).all())
    True
    """
    k = validate.integer("k", k, minimum=2)
    d = k if d is None else validate.integer("d", d, minimum=k)
    p = 1.0 / k if p is None else validate.real("p", p, minimum=0.0, maximum=1.0, strict_min=True)
    min_drive = validate.real("min_drive", min_drive, minimum=0.0)
    config = TaskNetConfig(width=width, l1=l1, optimizer=optimizer, lr=lr, steps=steps, batch=batch,
                           instances=instances, l1_warmup=l1_warmup, record=Schedule(every=max(steps, 1)))
    g_task, g_net = validate.generator(rng).spawn(2)
    task = orthonormal_task(synthetic_task(n_features=k, d=d, p=p, samples=samples, rng=g_task))
    result = train_task_network(task, config, rng=g_net)
    W1, b1, Q = result.W1, result.b1, task.directions
    drive = feature_drive(W1, b1, Q)
    truth = preferred(drive, rel=MEASURE_REL)
    if min_drive > 0:
        truth &= drive >= min_drive
    out = truth_counts(truth)
    out.update({"live": (~dead_neurons(result.hidden(task.X_train))).sum(axis=-1),
                "test_accuracy": np.asarray(result.test_accuracy, float), "truth": truth, "drive": drive})
    return out


def truth_counts(truth) -> dict[str, np.ndarray]:
    """Counts of a truth array T (bool (instances, k, m), T_fj: feature f encoded by neuron j), per instance.

    Returns "polysemantic" (neurons with >= 2 features), "encoding" (>= 1), "features_encoded" (features with
    >= 1 neuron), "neurons_per_feature" (mean over the k features) and "features_per_neuron" (mean over the
    encoding neurons; NaN with none), arrays (instances,). Dimensionless.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.synthetic_law import truth_counts
    >>> T = np.array([[[1, 1, 0], [1, 0, 0]]], dtype=bool)  # 2 features × 3 neurons: neuron 0 holds both
    >>> {name: value.tolist() for name, value in truth_counts(T).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'polysemantic': [1], 'encoding': [2], 'features_encoded': [2], 'neurons_per_feature': [1.5],
     'features_per_neuron': [1.5]}
    """
    T = np.asarray(truth, dtype=bool)
    if T.ndim != 3:
        raise ValueError(f"truth must have shape (instances, k, m), got shape {T.shape}")
    per_neuron, per_feature = T.sum(axis=1), T.sum(axis=2)
    encoding = (per_neuron >= 1).sum(axis=-1)
    features_per_neuron = np.where(encoding > 0, per_neuron.sum(axis=-1) / np.maximum(encoding, 1), np.nan)
    return {"polysemantic": (per_neuron >= 2).sum(axis=-1), "encoding": encoding,
            "features_encoded": (per_feature >= 1).sum(axis=-1), "neurons_per_feature": per_feature.mean(axis=-1),
            "features_per_neuron": features_per_neuron}


def synthetic_law_point(*, rng, k: int, width: int, l1: float, d: int | None = None, p: float | None = None,
                        instances: int = 8, samples: int = 4000, steps: int = 1000, lr: float = 1e-2,
                        batch: int = 64, optimizer: str = "adamw", min_drive: float = 0.0, l1_warmup: int = 0,
                        replicate: int = 0) -> dict:
    """One sweep point: ``synthetic_law_networks`` as a JSON-ready row of per-network lists.

    Returns a dict: per network (lists of length ``instances``) "polysemantic", "encoding", "live",
    "features_encoded" (counts), "neurons_per_feature", "features_per_neuron", "test_accuracy", and
    "feature_sets" (per network, per neuron, the sorted features it encodes); and "k", "width", "l1"
    (code units as ``synthetic_law_networks``). ``replicate`` only labels independent repetitions.

    Examples
    --------
    >>> from sims.studies.synthetic_law import synthetic_law_point
    >>> row = synthetic_law_point(rng=0, k=4, width=8, l1=0.0, samples=400, steps=100, instances=2)
    >>> len(row["polysemantic"]), len(row["feature_sets"][0]), row["k"], row["width"]
    (2, 8, 4, 8)
    """
    validate.integer("replicate", replicate, minimum=0)
    out = synthetic_law_networks(k=k, width=width, l1=l1, d=d, p=p, samples=samples, steps=steps, lr=lr,
                                 batch=batch, optimizer=optimizer, instances=instances, min_drive=min_drive,
                                 l1_warmup=l1_warmup, rng=rng)
    row: dict = {name: np.asarray(out[name]).tolist() for name in _COUNTS}
    row["feature_sets"] = [[np.flatnonzero(col).tolist() for col in net.T] for net in out["truth"]]
    row.update({"k": int(k), "width": int(width), "l1": float(l1)})
    return row
