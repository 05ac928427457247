"""Polysemantic neurons of ReLU networks trained on the 8×8 digits, per network, for sweeps and claims.

A network (``sims.dynamics.task_train``: x ∈ [0, 1]^64 → ReLU(x W₁ + b₁) ∈ R^m → softmax over k classes,
cross-entropy + λ‖W₁‖₁, AdamW) is trained on the first k digits (``sims.data.digits.digits_task``, fixed
stratified split). Its hidden neurons are read on the noiseless *training* set (``sims.measure.neurons``):

* live: active on at least one training image (not dead);
* polysemantic (activation-based): live, with class-conditional mean activation μ_ck >= rel · max_c μ_ck for
  2 or more classes c (rel = 0.5 unless stated);
* low-selectivity: live, with class selectivity index SI = (μ_max − μ_−max)/(μ_max + μ_−max) (Leavitt & Morcos
  2021) below ``si_threshold`` (0.5 unless stated: the top class mean at most 3 × the mean of the others);
* constant: live but never varying over the images (a neuron with zero input weights and positive bias).

Each quantity is a count of neurons per network (dimensionless); ``count_times_m`` = polysemantic count × m
(neurons²), flat in m under the toy model's 1/m law. Test accuracy is the fraction of the held-out images
classified correctly, test loss the mean cross-entropy on them (nats per image), both noiseless.

The toy model's incidental null k(k − 1)/(4m) (``theory.collisions.expected_overlap_distinct`` with n = k
classes) is the comparison, never computed here: figures (``sims.figures.digits``) and claims
(``sims.ledger.task_network``) set the two side by side.

Levers, each a field of ``TaskNetConfig`` or of the data: width m, classes k, λ (``l1``, nats per unit
|weight| on W₁), hidden noise (family and σ, or the three-point family with excess kurtosis κ at fixed σ),
initialisation scale of W₁ (``init_scale``), an L1 warm-up (``l1_warmup`` steps at λ = 0), optimiser.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
from scipy import stats

from theory import validate
from theory.noise import NOISE_FAMILIES, TUNABLE_FAMILIES, NoiseSpec

from ..data.digits import digits_task
from ..dynamics.schedule import Schedule
from ..dynamics.task_train import TaskNetConfig, train_task_network
from ..measure.neurons import (
    class_means,
    constant_neurons,
    dead_neurons,
    polysemantic_neurons,
    preferred,
    selectivity_index,
)

__all__ = ["DIGIT_ARMS", "NOISE_CHOICES", "REL", "SI_THRESHOLD", "digits_arm_point", "digits_networks",
           "digits_point", "network_measures", "noise_spec", "spearman_interval"]

#: Relative threshold of a neuron's preferred classes: μ_ck >= REL · max_c μ_ck (``sims.measure.neurons``).
REL = 0.5
#: A live neuron with class selectivity index below this counts as low-selectivity.
SI_THRESHOLD = 0.5
#: Hidden-noise choices of a point: no noise, a fixed-kurtosis family, or the tunable three-point family.
NOISE_CHOICES = ("none",) + tuple(NOISE_FAMILIES) + TUNABLE_FAMILIES
#: The toy model's mitigations applied to the digit network (``digits_arm_point``): what each arm changes from the
#: baseline's width m, λ = 0, no noise, torch's initial scale.
DIGIT_ARMS = ("baseline", "wider", "small-init", "large-init", "l1", "l1-warmup", "bipolar-noise",
                   "laplace-noise")


def noise_spec(family: str, sigma: float, kurtosis: float | None = None) -> NoiseSpec | None:
    """The hidden noise of a point: None for ``family="none"``, else ``NoiseSpec(family, σ[, κ])``.

    σ is the standard deviation of each ξ_k (activation units); κ the excess kurtosis of the three-point family
    (ignored, and must be None, otherwise).

    Examples
    --------
    >>> from sims.studies.task_network import noise_spec
    >>> noise_spec("none", 0.3) is None, noise_spec("three-point", 0.3, -2.0).excess_kurtosis
    (True, -2.0)
    >>> noise_spec("cauchy", 0.3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: noise_family must be one of ['bipolar', 'gaussian', ..., 'uniform'], got 'cauchy'
    """
    validate.choice("noise_family", family, NOISE_CHOICES)
    if family == "none":
        return None
    return NoiseSpec(family=family, sigma=sigma, kurtosis=kurtosis if family in TUNABLE_FAMILIES else None)


def network_measures(activations, labels, *, n_class: int, rel: float = REL,
                     si_threshold: float = SI_THRESHOLD) -> dict[str, np.ndarray]:
    """Per network: live, polysemantic, low-selectivity, constant neuron counts and the mean SI of live neurons.

    Parameters
    ----------
    activations : array (instances, N, m)
        Noiseless hidden activations H >= 0 on N images.
    labels : array (N,)
        Their classes in [0, n_class − 1] (every class present).
    n_class : int
        Classes k >= 2.
    rel : float
        Preferred-class threshold in (0, 1] (module docstring).
    si_threshold : float
        Selectivity index below which a live neuron counts as low-selectivity, in (0, 1].

    Returns
    -------
    dict of int or float arrays (instances,)
        "live", "polysemantic", "low_selectivity", "constant" (neurons), "mean_selectivity" (mean SI over live
        neurons, NaN if none is live).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.task_network import network_measures
    >>> H = np.array([[[1.0, 0.0, 2.0, 0.0], [0.8, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]])  # 3 images, m = 4
    >>> out = network_measures(H, np.array([0, 1, 2]), n_class=3)
    >>> [int(out[k][0]) for k in ("live", "polysemantic", "low_selectivity", "constant")]
    [3, 1, 1, 0]
    >>> round(float(out["mean_selectivity"][0]), 4)  # SIs (1 − 0.4)/(1 + 0.4) = 0.4286, 1 and 1 of the live neurons
    0.8095
    """
    si_threshold = validate.real("si_threshold", si_threshold, minimum=0.0, maximum=1.0, strict_min=True)
    H = np.asarray(activations, dtype=np.float64)
    if H.ndim != 3:
        raise ValueError(f"activations must have shape (instances, N, m), got shape {H.shape}")
    means = class_means(H, labels, n_class=n_class)
    live = ~dead_neurons(H)
    si = selectivity_index(means)
    with np.errstate(invalid="ignore"):
        mean_si = np.where(live.any(axis=-1), np.nansum(np.where(live, si, 0.0), axis=-1)
                           / np.maximum(live.sum(axis=-1), 1), np.nan)
    return {"live": live.sum(axis=-1),
            "polysemantic": (polysemantic_neurons(preferred(means, rel=rel)) & live).sum(axis=-1),
            "low_selectivity": (live & (np.nan_to_num(si, nan=1.0) < si_threshold)).sum(axis=-1),
            "constant": constant_neurons(H).sum(axis=-1),
            "mean_selectivity": mean_si}


@functools.lru_cache(maxsize=16)
def _digits(n_class: int, data_seed: int):
    return digits_task(n_class=n_class, test_fraction=0.25, seed=data_seed)


def digits_networks(*, n_class: int = 10, width: int = 64, l1: float = 0.0, noise_family: str = "none",
                    sigma: float = 0.3, kurtosis: float | None = None, init_scale: float = 1.0, l1_warmup: int = 0,
                    optimizer: str = "adamw", lr: float = 1e-3, steps: int = 3000, batch: int = 64,
                    instances: int = 16, rel: float = REL, si_threshold: float = SI_THRESHOLD, data_seed: int = 0,
                    more_rels: tuple = (), layers: int = 1, rng) -> Mapping[str, np.ndarray]:
    """Train ``instances`` networks on the first ``n_class`` digits and measure each (module docstring).

    Code units: λ = ``l1`` in nats per unit |weight| of W₁, σ in activation units, ``steps`` optimiser steps
    of ``batch`` images, ``l1_warmup`` steps at λ = 0 first; ``init_scale`` multiplies torch's draw of W₁.

    ``more_rels`` lists further preferred-class thresholds r in (0, 1] at which the polysemantic count is also
    reported (key ``f"polysemantic_rel{r:g}"``), to show how the count depends on the stated ``rel``.

    ``layers`` = 2 trains two ReLU hidden layers of m neurons each (``TaskNetConfig.layers``; λ on W₁ only); the
    unsuffixed counts are then those of layer 1, and layer 2's (read the same way, on its activations over the
    training images) carry the suffix ``_layer2``.

    Returns
    -------
    dict of arrays (instances,)
        ``network_measures``' counts, "count_times_m" (polysemantic × m), "test_accuracy", "test_loss"
        (mean test cross-entropy, nats), "train_accuracy", and one "polysemantic_rel<r>" per ``more_rels``;
        with ``layers`` = 2 also every count of layer 2 (``network_measures``' keys, "count_times_m" and the
        "polysemantic_rel<r>") suffixed ``_layer2``.

    Examples
    --------
    >>> from sims.studies.task_network import digits_networks
    >>> out = digits_networks(n_class=3, width=8, steps=100, lr=1e-2, instances=2, more_rels=(0.9,), rng=0)
    >>> out["live"].tolist(), out["polysemantic"].tolist(), out["test_accuracy"].round(3).tolist()
    ([4, 7], [2, 4], [0.993, 0.993])
    >>> out["polysemantic_rel0.9"].tolist()  # a stricter threshold: fewer classes per neuron
    [0, 3]
    >>> two = digits_networks(n_class=3, width=8, steps=100, lr=1e-2, instances=2, layers=2, rng=0)
    >>> bool((two["polysemantic_layer2"] <= two["live_layer2"]).all()), "polysemantic_layer3" in two
    (True, False)
    """
    if isinstance(more_rels, (str, bytes)) or not hasattr(more_rels, "__iter__"):
        raise ValueError(f"more_rels must be a sequence of thresholds in (0, 1], got {more_rels!r}")
    for r in (rel, *more_rels):
        validate.real("rel", r, minimum=0.0, maximum=1.0, strict_min=True)
    config = TaskNetConfig(width=width, l1=l1, optimizer=optimizer, lr=lr, steps=steps, batch=batch,
                           instances=instances, noise=noise_spec(noise_family, sigma, kurtosis),
                           init_scale=init_scale, l1_warmup=l1_warmup, layers=layers, record=Schedule(points=2))
    data = _digits(validate.integer("n_class", n_class, minimum=2), validate.integer("data_seed", data_seed, minimum=0))
    result = train_task_network(data, config, rng=rng)
    out = {}
    for layer in range(1, config.layers + 1):
        suffix = "" if layer == 1 else f"_layer{layer}"
        hidden = result.hidden(data.X_train, layer=layer)
        counts = network_measures(hidden, data.y_train, n_class=data.n_class, rel=rel, si_threshold=si_threshold)
        counts["count_times_m"] = counts["polysemantic"] * width
        for r in more_rels:
            counts[f"polysemantic_rel{r:g}"] = network_measures(hidden, data.y_train, n_class=data.n_class, rel=r,
                                                                si_threshold=si_threshold)["polysemantic"]
        out.update({f"{key}{suffix}": value for key, value in counts.items()})
    out["test_accuracy"] = result.test_accuracy
    out["test_loss"] = result.test_cross_entropy
    out["train_accuracy"] = result.train_accuracy
    return out


def digits_point(*, rng, init_seed: int, **params) -> dict:
    """``digits_networks(**params)`` seeded by ``init_seed`` rather than the point's own stream ``rng`` (unused),
    so every condition of a sweep starts from the same networks and sees the same minibatches: comparisons
    across λ, noise, schedule at one width are paired. Code units as ``digits_networks``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.task_network import digits_networks, digits_point
    >>> out = digits_point(rng=None, init_seed=0, n_class=3, width=8, steps=100, lr=1e-2, instances=2)
    >>> same = digits_networks(n_class=3, width=8, steps=100, lr=1e-2, instances=2, rng=0)
    >>> all(np.array_equal(out[k], same[k]) for k in same)
    True
    """
    return dict(digits_networks(rng=validate.integer("init_seed", init_seed, minimum=0), **params))


def spearman_interval(x, y, *, level: float = 0.95) -> tuple[float, float, float]:
    """Spearman's ρ and its confidence interval by Fisher's z with Var(atanh ρ̂) ≈ 1.06/(N − 3) (Fieller,
    Hartley & Pearson 1957); NaN when either variable is constant. Dimensionless.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.task_network import spearman_interval
    >>> x = np.arange(20.0)
    >>> y = x + np.random.default_rng(0).normal(0, 5, 20)
    >>> [round(v, 3) for v in spearman_interval(x, y)]  # ρ and its 95% interval
    [0.746, 0.442, 0.896]
    >>> spearman_interval(x, np.ones(20))  # a constant variable has no rank correlation
    (nan, nan, nan)
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan"), float("nan")
    rho = float(stats.spearmanr(x, y).statistic)
    half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(1.06 / (x.size - 3))
    z = np.arctanh(np.clip(rho, -1 + 1e-15, 1 - 1e-15))
    return rho, float(np.tanh(z - half)), float(np.tanh(z + half))


def _arm_settings(arm: str, *, width: int, l1: float, sigma: float, steps: int) -> dict:
    validate.choice("arm", arm, DIGIT_ARMS)
    return {"baseline": {}, "wider": {"width": 4 * width}, "small-init": {"init_scale": 0.25},
            "large-init": {"init_scale": 4.0}, "l1": {"l1": l1}, "l1-warmup": {"l1": l1, "l1_warmup": steps // 2},
            "bipolar-noise": {"noise_family": "bipolar", "sigma": sigma},
            "laplace-noise": {"noise_family": "laplace", "sigma": sigma}}[arm]


def digits_arm_point(*, rng, arm: str, init_seed: int, width: int = 64, l1: float = 1e-3, sigma: float = 0.3,
                     steps: int = 1000, **params) -> dict:
    """``digits_point`` for one mitigation arm (``DIGIT_ARMS``): the baseline (``width``, λ = 0, no noise,
    torch's initial scale) changed by one lever, as the toy model's mitigations: 4× wider; W₁'s initial scale
    × 0.25 or × 4; L1 λ = ``l1`` from the start, or after an L1 warm-up of ``steps``/2 steps at λ = 0; bipolar
    (excess kurtosis −2) or Laplace (+3) hidden noise of standard deviation ``sigma``. Every arm starts from the
    same ``init_seed`` (paired; ``rng`` unused). Code units as ``digits_networks``.

    Examples
    --------
    >>> from sims.studies.task_network import digits_arm_point
    >>> out = digits_arm_point(rng=None, arm="wider", init_seed=0, width=4, n_class=3, steps=100, lr=1e-2,
    ...                        instances=2)
    >>> out["live"].tolist(), out["polysemantic"].tolist(), out["count_times_m"].tolist()  # m = 4 × 4 = 16
    ([13, 12], [3, 3], [48, 48])
    """
    settings = {"width": width, "steps": steps, **_arm_settings(arm, width=width, l1=l1, sigma=sigma, steps=steps)}
    return digits_point(rng=rng, init_seed=init_seed, **{**params, **settings})
