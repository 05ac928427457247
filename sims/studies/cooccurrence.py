"""What co-occurrence does to incidental pairs: their survival against p/λ when
training from scratch, and whether a trained pair can escape once co-occurrence is switched on.

* ``pair_survival``: from the same initial weights (common random numbers), train with proximal GD at
  each p and count opposite-sign shared neurons; S(p) = count(p)/count(0). The hypothesis under test
  is S ≈ exp(−κp/λ).
* ``pair_escape``: train one-hot (p = 0) until every feature is 1-sparse, then continue at p > 0 with
  a perturbation ε·N(0, 1/m) added to the weights first; count the pairs that remain. With ε = 0
  under proximal dynamics, an all-zero neuron column has zero gradient (the loss depends on W only
  through WWᵀ), so a pair has nowhere to go.
* ``tradeoff_point``: per p, trained solutions' shared pairs k, dropped features d and excess loss
  L_p − nℓ* against its price k·Δ(p) + d·(1 − ℓ*) (``theory.cooccurrence.predicted_excess_loss``).
* ``capacity_point``: per p, the geometry of trained solutions beyond m features (structure fractions,
  incidental and necessary neurons) and the excess loss against the first-order bound p·n(n − m)/m.

Counts are numbers of neurons; steps are optimiser steps; λ in the summed-loss units of ``theory.loss``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np

from theory import ModelSpec, validate
from theory.cooccurrence import (cooccurrence_capacity_bound, expected_loss_exact, monosemantic_loss,
                                 predicted_excess_loss)

from ..dynamics.cooccurrence import Cooccurrence, flow_time_config, train_at_each_p, train_cooccurrence
from ..measure.metrics import active_count, dominant_polysemantic_count
from ..measure.structures import STRUCTURES, incidental_split, structure_fractions
from ..dynamics.schedule import Schedule
from ..dynamics.train import OPTIMIZERS, TrainConfig, initial_weights

__all__ = ["SURVIVAL_KAPPA", "capacity_point", "fit_survival_rate", "pair_escape", "pair_survival", "tradeoff_point"]

#: κ of the survival law S = exp(−κp/λ), measured by ``pair_survival`` and ``fit_survival_rate`` at n = 32,
#: m = 128, λ = 0.1 (ledger claim cooccurrence.survival-exponential). The one place that predictions
#: (``theory.survival``, ``theory.mitigations``) take κ from, in the ledger and the figures alike.
SURVIVAL_KAPPA = 9.7


def _counts(W) -> dict[str, np.ndarray]:
    act = active_count(W, tol=1e-3)
    dom = dominant_polysemantic_count(W)
    return {"opposite_shared": dom["opposite_sign"], "same_sign": dom["same_sign"],
            "dropped": (act == 0).sum(axis=-1), "one_sparse": (act == 1).mean(axis=-1)}


def pair_survival(*, n: int, m: int, l1: float, ps, instances: int, rng, lr: float = 0.1,
                  time: float = 20.0) -> dict[str, np.ndarray]:
    """Opposite-sign shared neurons after proximal GD from one set of W0, for each p in ``ps``.

    Trains for λt = ``time`` (steps = time/(lr·λ)) on L_p to first order in p (L_0 + pL_1). Returns arrays of
    shape (len(ps), instances): "opposite_shared", "same_sign", "dropped" (features with no weight
    above 1e-3) and "one_sparse" (fraction of features with exactly one), plus "p". Code units: λ = ``l1``
    on the summed loss, t = lr·steps optimiser time (λt is the same number in the paper's units).

    Examples
    --------
    >>> from sims.studies.cooccurrence import pair_survival
    >>> out = pair_survival(n=4, m=8, l1=0.1, ps=[0.0, 0.01], instances=2, rng=0)  # 2000 steps per p
    >>> out["p"].tolist(), out["opposite_shared"].tolist(), out["one_sparse"].tolist()
    ([0.0, 0.01], [[1, 0], [0, 0]], [[1.0, 1.0], [1.0, 1.0]])
    """
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=n)
    l1 = validate.real("l1", l1, minimum=0.0, strict_min=True)
    lr = validate.real("lr", lr, minimum=0.0, strict_min=True)
    time = validate.real("time", time, minimum=0.0, strict_min=True)
    ps = [validate.real("p", p, minimum=0.0, maximum=1.0) for p in ps]
    gen = np.random.default_rng(rng)
    spec = ModelSpec(n=n, m=m, l1=l1)
    W0 = initial_weights(spec, instances, rng=gen)
    cfg = flow_time_config(l1, instances, lr=lr, time=time)
    rows = [_counts(W) for W in train_at_each_p(spec, cfg, ps, W0, rng=gen)]
    out = {key: np.stack([r[key] for r in rows]) for key in rows[0]}
    out["p"] = np.array(ps)
    return out


def fit_survival_rate(p_over_l1, survival, se=None) -> tuple[float, float, float]:
    """κ in S = exp(−κ·p/λ): least squares of −log S on x = p/λ through the origin, weighted by (S/SE)²
    when the standard errors ``se`` of S are given (delta method for log S), else unweighted.

    Returns (κ, its SE — NaN without ``se`` —, the largest relative misfit |S_fit/S − 1|). Points with
    x = 0 or S = 0 are skipped (log S undefined). x = p/λ is dimensionless (p a probability, λ = ``l1`` in code
    units, as in ``SURVIVAL_KAPPA``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.cooccurrence import fit_survival_rate
    >>> x = np.array([0.0, 0.05, 0.1, 0.2])
    >>> kappa, se, misfit = fit_survival_rate(x, np.exp(-9.7 * x))
    >>> round(kappa, 6), se, round(misfit, 6)  # the x = 0 point is skipped; no SE without ``se``
    (9.7, nan, 0.0)
    >>> kappa, se, misfit = fit_survival_rate(x, [1.0, 0.6, 0.4, 0.15], se=[0.05, 0.05, 0.05, 0.05])
    >>> round(kappa, 2), round(se, 2), round(misfit, 3)
    (9.53, 0.86, 0.036)
    """
    x, S = np.asarray(p_over_l1, dtype=float), np.asarray(survival, dtype=float)
    keep = (x > 0) & (S > 0)
    if keep.sum() < 1:
        raise ValueError("need at least one point with p > 0 and survival > 0")
    w = np.ones(keep.sum()) if se is None else (S[keep] / np.maximum(np.asarray(se, dtype=float)[keep], 1e-12)) ** 2
    x, y, S = x[keep], -np.log(S[keep]), S[keep]
    kappa = float(np.sum(w * x * y) / np.sum(w * x * x))
    kappa_se = float("nan") if se is None else float(1 / np.sqrt(np.sum(w * x * x)))
    return kappa, kappa_se, float(np.max(np.abs(np.exp(-kappa * x) / S - 1)))


def pair_escape(*, n: int, m: int, l1: float, p: float, eps, optimizer: str, instances: int, rng,
                lr: float | None = None, steps: int = 4000, warm_steps: int | None = None,
                estimator: str = "first-order", batch: int = 256) -> dict[str, np.ndarray]:
    """Pairs left after continuing a trained one-hot solution at co-occurrence ``p``.

    Warm start: proximal GD at p = 0, lr 0.1, λt = 20 (every feature 1-sparse, free columns exactly 0).
    Then for each ε in ``eps``: W ← W + ε·N(0, 1/m) (ε = 0: untouched) and ``steps`` of ``optimizer``
    (lr default 0.1 for GD/prox-GD, 1e-3 for AdamW) on L_p through ``estimator`` ("first-order",
    "pairwise" or "minibatch" with ``batch`` inputs per step: SGD). Returns "before" (instances,) and, per ε,
    "after" (len(eps), instances) opposite-sign shared neurons and "dropped" (features left with no
    weight above 1e-3: a pair can also end by one feature dropping), plus "eps". Code units: λ = ``l1`` on
    the summed loss; ``steps`` and ``warm_steps`` are optimiser steps.

    Examples
    --------
    >>> from sims.studies.cooccurrence import pair_escape
    >>> out = pair_escape(n=4, m=8, l1=0.1, p=0.01, eps=[0.0, 1.0], optimizer="prox_gd", instances=2, rng=0,
    ...                   steps=100)
    >>> out["before"].tolist(), out["eps"].tolist(), out["after"].tolist(), out["dropped"].tolist()
    ([1, 0], [0.0, 1.0], [[1, 0], [0, 0]], [[0, 0], [0, 0]])
    """
    validate.choice("optimizer", optimizer, OPTIMIZERS)
    p = validate.real("p", p, minimum=0.0, maximum=1.0)
    eps = [validate.real("eps", e, minimum=0.0) for e in eps]
    l1 = validate.real("l1", l1, minimum=0.0, strict_min=True)
    gen = np.random.default_rng(rng)
    spec = ModelSpec(n=n, m=m, l1=l1)
    warm = flow_time_config(l1, instances)
    if warm_steps is not None:
        warm = replace(warm, steps=warm_steps)
    W = train_cooccurrence(spec, warm, Cooccurrence(p=0.0), rng=gen, metrics=lambda W, s: {}).W
    lr = (1e-3 if optimizer == "adamw" else 0.1) if lr is None else lr
    cfg = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, record=Schedule(points=2))
    cooc = Cooccurrence(p=p, estimator=estimator, batch=batch)
    after, dropped = [], []
    for e in eps:
        Wp = W + e * gen.normal(0.0, m**-0.5, size=W.shape)
        c = _counts(train_cooccurrence(spec, cfg, cooc, W0=Wp, rng=gen, metrics=lambda W, s: {}).W)
        after.append(c["opposite_shared"])
        dropped.append(c["dropped"])
    return {"before": _counts(W)["opposite_shared"], "after": np.stack(after), "dropped": np.stack(dropped),
            "eps": np.array(eps)}


def tradeoff_point(*, rng, n: int, m: int, l1: float, ps: tuple, instances: int,
                   lr: float = 0.1, time: float = 20.0) -> Mapping[str, list]:
    """Per p in ``ps`` (rows) and instance (columns): shared pairs, dropped features, excess loss
    L_p − nℓ* (exact enumeration) and its prediction; all p start from the same weights.

    Code units: λ = ``l1`` on the summed loss; proximal GD at step ``lr`` for λt = ``time`` (t = lr·steps).

    Examples
    --------
    >>> from sims.studies.cooccurrence import tradeoff_point
    >>> out = tradeoff_point(rng=0, n=4, m=8, l1=0.1, ps=(0.0, 0.01), instances=2)
    >>> out["shared"], out["dropped"]
    ([[1, 0], [0, 0]], [[0, 0], [0, 0]])
    >>> [[round(x, 4) for x in row] for row in out["excess"]], [[round(x, 4) for x in row] for row in out["predicted"]]
    ([[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])
    """
    rng = validate.generator(rng)
    spec = ModelSpec(n=n, m=m, l1=l1)
    W0 = initial_weights(spec, instances, rng=rng)
    out = {"shared": [], "dropped": [], "excess": [], "predicted": []}
    for p, W in zip(ps, train_at_each_p(spec, flow_time_config(l1, instances, lr=lr, time=time), ps, W0, rng=rng)):
        k = dominant_polysemantic_count(W)["opposite_sign"]
        d = (active_count(W, tol=1e-3) == 0).sum(axis=-1)
        excess = expected_loss_exact(W, p, l1=l1) - n * monosemantic_loss(l1)
        out["shared"].append(k.tolist())
        out["dropped"].append(d.tolist())
        out["excess"].append(np.asarray(excess).tolist())
        out["predicted"].append(predicted_excess_loss(k, d, p, l1).tolist())
    return out


def capacity_point(*, rng, n: int, m: int, l1: float, ps: tuple, instances: int,
                   lr: float = 0.1, time: float = 20.0) -> Mapping[str, list]:
    """Per p (rows) and instance: structure fractions, polysemantic neurons, excess loss L_p − nℓ*
    (exact enumeration) and the first-order bound p·n(n − m)/m; all p from the same start.

    Code units: λ = ``l1`` on the summed loss; proximal GD at step ``lr`` for λt = ``time`` (t = lr·steps).

    Examples
    --------
    >>> from sims.studies.cooccurrence import capacity_point
    >>> out = capacity_point(rng=0, n=4, m=8, l1=0.1, ps=(0.0, 0.01), instances=2)
    >>> out["pair"], out["alone"], out["incidental"], out["bound"]  # n < m: bound 0, the pair is incidental
    ([[0.5, 0.0], [0.0, 0.0]], [[0.5, 1.0], [1.0, 1.0]], [[1, 0], [0, 0]], [0.0, 0.0])
    """
    rng = validate.generator(rng)
    spec = ModelSpec(n=n, m=m, l1=l1)
    W0 = initial_weights(spec, instances, rng=rng)
    out: dict[str, list] = {key: [] for key in (*STRUCTURES, "other", "polysemantic", "incidental", "necessary",
                                                "excess", "bound")}
    for p, W in zip(ps, train_at_each_p(spec, flow_time_config(l1, instances, lr=lr, time=time), ps, W0, rng=rng)):
        for key, value in structure_fractions(W).items():
            out[key].append(value.tolist())
        split = incidental_split(W)
        for key in ("polysemantic", "incidental", "necessary"):
            out[key].append(split[key].tolist())
        out["excess"].append(np.asarray(expected_loss_exact(W, p, l1=l1) - n * monosemantic_loss(l1)).tolist())
        out["bound"].append(cooccurrence_capacity_bound(n, m, p))
    return out
