"""Collision survival: do opposite-sign features share neurons as often as independent placement predicts?

The idealisation behind n(n−1)/(4m) (paper §2.4) places each feature on an independent uniform neuron
with a random sign; same-sign conflicts are resolved (one feature moves), opposite-sign pairs share.
Given the trained assignment — N₊ distinct neurons holding a + feature, N₋ holding a − feature — that
idealisation predicts E[#shared] = N₊N₋/m ("distinct", exact hypergeometric mean). This module trains
models and returns, per instance, the measured number of shared neurons next to N₊N₋/m, so that the
survival ratio ρ = Σ shared / Σ N₊N₋/m tests the independence assumption directly (ρ = 1 if it holds).

It also returns the initial-argmax view (how many opposite-sign argmax collisions there were at
initialisation and how many survive with both features on that neuron) and the neuron-polarity
statistic associated with ρ < 1 under AdamW (issue 6 item 4): the correlation between the initial
sum of the other features' weights on a neuron and the sign of the feature that finally occupies it.

Counts are numbers of neurons or feature pairs (dimensionless); steps are optimiser steps.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import ModelSpec, _validate

from .metrics import dominant_neurons, dominant_polysemantic_count
from .schedule import Schedule
from .train import OPTIMIZERS, TrainConfig, initial_weights, train

__all__ = ["DEFAULT_LR", "collision_survival", "occupancy_statistics", "pooled_ratio"]

#: Learning rate used when none is given: the paper's AdamW rate; 0.1 for (proximal) GD, which
#: is stable (the loss curvature is ≈ 8, so η < 0.25) and reaches the sparse state in ~30000 steps.
DEFAULT_LR = {"adamw": 1e-3, "prox_gd": 0.1, "gd": 0.1}


def occupancy_statistics(W0, W) -> dict[str, np.ndarray]:
    """Per-instance sharing statistics of trained weights W (instances, n, m) started from W0.

    Returns a dict of arrays of shape (instances,):

    * ``opposite_shared``: neurons whose dominant features are exactly one + and one − feature;
    * ``same_sign``: neurons dominant for ≥ 2 features of one sign (0 once training is complete);
    * ``expected_independent``: N₊N₋/m, the mean of ``opposite_shared`` if the N₊ neurons holding
      + features and the N₋ holding − features were independent uniform sets (hypergeometric mean);
    * ``initial_collisions``: unordered feature pairs whose initial argmax neuron coincides with
      opposite initial signs (the idealisation's polysemantic pairs);
    * ``surviving_collisions``: those pairs whose final dominant neuron is, for both, that neuron;
    * ``argmax_fraction``: fraction of features whose final neuron is their initial argmax;
    * ``polarity``: β₀ = mean over neurons occupied by features of one sign only of
      −sign(occupant)·z_k, where z_k = Σ_{i not on k} W_ik(0) / √(n/m) is the initial column sum
      of the *other* features (the final occupants' own entries left out) in units of the spread
      of an initial column sum. 0 when a neuron's final sign does not depend on its initial column
      sum; > 0 when neurons whose other weights sum positive end up holding − features. (After
      ``center_columns`` the left-out entries make z_k = −occupant's entry, so β₀ > 0 trivially.)
    """
    W0, W = np.asarray(W0, dtype=float), np.asarray(W, dtype=float)
    if W0.ndim != 3 or W0.shape != W.shape:
        raise ValueError(f"W0 and W must both have shape (instances, n, m), got {W0.shape} and {W.shape}")
    I, _, m = W.shape
    k0, s0 = dominant_neurons(W0)
    k, s = dominant_neurons(W)
    dom = dominant_polysemantic_count(W)
    n = W.shape[1]
    out = {key: np.zeros(I) for key in ("expected_independent", "initial_collisions", "surviving_collisions",
                                        "argmax_fraction", "polarity")}
    for i in range(I):
        plus, minus = np.zeros(m, bool), np.zeros(m, bool)
        plus[k[i][s[i] > 0]] = True
        minus[k[i][s[i] < 0]] = True
        out["expected_independent"][i] = plus.sum() * minus.sum() / m
        single = plus ^ minus
        own = np.zeros((n, m), bool)
        own[np.arange(n), k[i]] = True
        z = np.where(own, 0.0, W0[i]).sum(axis=0) / np.sqrt(n / m)
        out["polarity"][i] = np.mean(-np.where(plus, 1.0, -1.0)[single] * z[single]) if single.any() else 0.0
        same0 = np.triu(k0[i][:, None] == k0[i][None, :], 1)
        opp0 = same0 & (s0[i][:, None] != s0[i][None, :])
        a, b = np.nonzero(opp0)
        out["initial_collisions"][i] = a.size
        out["surviving_collisions"][i] = np.count_nonzero((k[i][a] == k0[i][a]) & (k[i][b] == k0[i][b]))
        out["argmax_fraction"][i] = np.mean(k[i] == k0[i])
    out["opposite_shared"] = dom["opposite_sign"].astype(float)
    out["same_sign"] = dom["same_sign"].astype(float)
    return out


def pooled_ratio(shared, expected) -> tuple[float, float]:
    """ρ = Σ shared / Σ expected over instances, and its standard error (ratio estimator, delta method).

    SE² = Σ (shared_i − ρ expected_i)² / (I(I−1) ē²), ē the mean expectation (instances with
    expected_i = 0 count in the spread). Dimensionless.
    """
    x, e = np.asarray(shared, dtype=float), np.asarray(expected, dtype=float)
    if x.shape != e.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"shared and expected must be 1-d arrays of equal length >= 2, got {x.shape}, {e.shape}")
    if not (np.all(e >= 0) and e.sum() > 0):
        raise ValueError("expected must be >= 0 for every instance, with a positive total")
    rho = x.sum() / e.sum()
    se = np.sqrt(np.sum((x - rho * e) ** 2) / (x.size * (x.size - 1))) / e.mean()
    return float(rho), float(se)


def collision_survival(n: int, m: int, *, optimizer: str = "adamw", steps: int = 7500, instances: int = 8,
                       rng=None, lr: float | None = None, l1: float = 1e-3,
                       center_columns: bool = False) -> Mapping[str, np.ndarray]:
    """Train ``instances`` models W ∈ R^{n×m} from N(0, 1/m) and measure collision survival.

    Parameters
    ----------
    n, m : int
        Features (≥ 2) and neurons (≥ 1).
    optimizer : {"adamw", "prox_gd", "gd"}
    steps : int
        Optimiser steps (≥ 0).
    instances : int
        Independent models (≥ 1).
    rng : Generator, SeedSequence, int or None
        Source of the initial weights; an integer seed gives the same W0 as ``train(..., rng=seed)``.
    lr : float, optional
        Learning rate; ``DEFAULT_LR[optimizer]`` when omitted.
    l1 : float
        λ in the paper's summed-loss units (≥ 0).
    center_columns : bool
        Intervention: subtract each initial column's mean over features and rescale by √(n/(n−1))
        (keeps Var W_ik = 1/m), so every initial column sums to 0. (Under AdamW this does not
        restore ρ = 1: ledger claim collisions.adamw-polarity-mechanism, refuted.)

    Returns
    -------
    dict of per-instance arrays (see ``occupancy_statistics``) plus ``W0`` and ``W``
    (instances, n, m). ρ = pooled_ratio(opposite_shared, expected_independent).
    """
    n = _validate.integer("n", n, minimum=2)
    m = _validate.integer("m", m, minimum=1)
    _validate.choice("optimizer", optimizer, OPTIMIZERS)
    steps = _validate.integer("steps", steps, minimum=0)
    instances = _validate.integer("instances", instances, minimum=1)
    lr = DEFAULT_LR[optimizer] if lr is None else _validate.real("lr", lr, minimum=0.0, strict_min=True)
    l1 = _validate.real("l1", l1, minimum=0.0)
    if not isinstance(center_columns, bool):
        raise ValueError(f"center_columns must be True or False, got {center_columns!r}")
    spec = ModelSpec(n=n, m=m, l1=l1)
    gen = np.random.default_rng(rng)
    W0 = initial_weights(spec, instances, rng=gen)
    if center_columns:
        W0 = (W0 - W0.mean(axis=1, keepdims=True)) * np.sqrt(n / (n - 1))
    config = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, dtype="float32",
                         record=Schedule(every=max(steps, 1)))
    result = train(spec, config, W0=W0, rng=gen, metrics=lambda W, s: {})
    stats = occupancy_statistics(result.W0, result.W)
    stats["W0"], stats["W"] = result.W0, result.W
    return stats
