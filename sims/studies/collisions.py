"""Collision survival: do opposite-sign features share neurons as often as independent placement predicts?

The idealisation behind n(n−1)/(4m) (paper §2.4) places each feature on an independent uniform neuron
with a random sign; same-sign conflicts are resolved (one feature moves), opposite-sign pairs share.
Given the trained assignment — N₊ distinct neurons holding a + feature, N₋ holding a − feature — that
idealisation predicts E[#shared] = N₊N₋/m ("distinct", exact hypergeometric mean). This module trains
models and returns, per instance, the measured number of shared neurons next to N₊N₋/m, so that the
survival ratio ρ = Σ shared / Σ N₊N₋/m tests the independence assumption directly (ρ = 1 if it holds).

It also returns the initial-argmax view (how many opposite-sign argmax collisions there were at
initialisation and how many survive with both features on that neuron) and the neuron-polarity
statistic associated with ρ < 1 under AdamW: the correlation between the initial
sum of the other features' weights on a neuron and the sign of the feature that finally occupies it.

Counts are numbers of neurons or feature pairs (dimensionless); steps are optimiser steps.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import ModelSpec, validate

from ..measure.metrics import (band_polysemantic_count, dominant_neurons, dominant_polysemantic_count,
                               start_end_correlation, winner_initial_rank)
from ..measure.occupancy import occupancy_statistics
from ..dynamics.schedule import Schedule
from ..dynamics.train import OPTIMIZERS, TrainConfig, initial_weights, train

__all__ = ["DEFAULT_LR", "collision_survival", "polysemantic_counts", "start_end_correlations"]

#: Learning rate used when none is given: the paper's AdamW rate; 0.1 for (proximal) GD, which
#: is stable (the loss curvature is ≈ 8, so η < 0.25) and reaches the sparse state in ~30000 steps.
DEFAULT_LR = {"adamw": 1e-3, "prox_gd": 0.1, "gd": 0.1}


def collision_survival(n: int, m: int, *, optimizer: str = "adamw", steps: int = 7500, instances: int = 8,
                       rng=None, lr: float | None = None, l1: float = 1e-3,
                       center_columns: bool = False) -> Mapping[str, np.ndarray]:
    """Train ``instances`` models W ∈ R^{n×m} from N(0, 1/m) and measure collision survival.

    Code units: loss = summed squared error + λ‖W‖₁ with λ = ``l1``, ``steps`` optimiser steps (gradient-flow
    time t = lr·steps for (proximal) GD); counts are numbers of neurons.

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
        λ ≥ 0 in code units (the summed loss of ``theory.loss``; the paper's gradient-flow λ is l1/4).
    center_columns : bool
        Intervention: subtract each initial column's mean over features and rescale by √(n/(n−1))
        (keeps Var W_ik = 1/m), so every initial column sums to 0. (Under AdamW this does not
        restore ρ = 1: ledger claim collisions.adamw-polarity-mechanism, refuted.)

    Returns
    -------
    dict of per-instance arrays (see ``occupancy_statistics``) plus ``W0`` and ``W``
    (instances, n, m). ρ = pooled_ratio(opposite_shared, expected_independent).

    Examples
    --------
    >>> from sims.studies.collisions import collision_survival
    >>> out = collision_survival(4, 8, optimizer="prox_gd", l1=0.1, steps=2000, instances=2, rng=0)  # λt = 20
    >>> out["W"].shape, out["opposite_shared"].tolist(), out["expected_independent"].round(3).tolist()
    ((2, 4, 8), [1.0, 0.0], [0.5, 0.375])
    >>> out["argmax_fraction"].round(3).tolist()  # features whose initial argmax neuron won
    [0.5, 1.0]
    """
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=1)
    validate.choice("optimizer", optimizer, OPTIMIZERS)
    steps = validate.integer("steps", steps, minimum=0)
    instances = validate.integer("instances", instances, minimum=1)
    lr = DEFAULT_LR[optimizer] if lr is None else validate.real("lr", lr, minimum=0.0, strict_min=True)
    l1 = validate.real("l1", l1, minimum=0.0)
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


def polysemantic_counts(*, rng, n: int, m: int, l1: float, steps: int, instances: int,
                        optimizer: str = "adamw", lr: float = 1e-3) -> Mapping[str, list]:
    """Train ``instances`` models from N(0, 1/m) and count polysemantic neurons in each.

    Code units: λ = ``l1`` on the summed loss, ``steps`` optimiser steps of ``optimizer`` in float32 (default
    AdamW at lr 1e-3, the paper's recipe). Returns per-instance lists: the paper's band count, the band-free
    (dominant-neuron) count and its opposite-sign / same-sign split, the final loss, the fraction of features
    whose final neuron is their initial argmax, the median initial rank of the final neuron, and the mean
    diagonal and off-diagonal standard deviation of the start–end correlation ⟨W_a(0), W_b(T)⟩.

    Examples
    --------
    >>> from sims.studies.collisions import polysemantic_counts
    >>> out = polysemantic_counts(rng=0, n=4, m=8, l1=0.1, steps=2000, instances=2, optimizer="prox_gd", lr=0.1)
    >>> sorted(out)  # doctest: +NORMALIZE_WHITESPACE
    ['argmax_fraction', 'band', 'corr_diagonal', 'corr_offdiagonal_std', 'dominant', 'loss', 'median_rank',
     'opposite_sign', 'same_sign']
    >>> out["band"].tolist(), out["dominant"].tolist(), [round(float(x), 3) for x in out["loss"]]  # loss ≈ nℓ*
    ([1, 0], [1, 0], [0.397, 0.397])
    """
    spec = ModelSpec(n=n, m=m, l1=l1)
    cfg = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, dtype="float32",
                      record=Schedule(every=max(steps, 1)))
    res = train(spec, cfg, rng=rng)
    dom = dominant_polysemantic_count(res.W)
    _, rank = winner_initial_rank(res.W0, res.W)
    corr = start_end_correlation(res.W0.astype(np.float64), res.W.astype(np.float64))
    off = ~np.eye(n, dtype=bool)
    return {"band": band_polysemantic_count(res.W), "dominant": dom["polysemantic"],
            "opposite_sign": dom["opposite_sign"], "same_sign": dom["same_sign"],
            "loss": res.history["loss"][-1], "argmax_fraction": (rank == 0).mean(axis=-1),
            "median_rank": np.median(rank, axis=-1),
            "corr_diagonal": np.diagonal(corr, axis1=-2, axis2=-1).mean(axis=-1),
            "corr_offdiagonal_std": corr[:, off].std(axis=-1)}


def start_end_correlations(*, rng, n: int, m: int, l1: float, steps: int, instances: int,
                           optimizer: str = "adamw", lr: float = 1e-3) -> Mapping[str, list]:
    """Train ``instances`` models from N(0, 1/m) and measure C_ab = ⟨W_a(0), W_b(T)⟩ (paper §3.5).

    Code units: λ = ``l1`` on the summed loss, ``steps`` optimiser steps of ``optimizer`` in float32 (default
    AdamW at lr 1e-3).

    Returns ``matrix``: C averaged over instances (n × n nested lists, weight² units), and per-instance
    lists: ``corr_diagonal`` (mean of C_aa), ``corr_offdiagonal_mean`` and ``corr_offdiagonal_std`` (of
    C_ab, a ≠ b), ``argmax_fraction`` (features whose final dominant neuron is their initial argmax
    |W_ak(0)|), ``w_star`` (mean over features of |W_ak(T)| at the dominant neuron k: the trained weight),
    ``init_max_abs`` (mean over features of max_k |W_ak(0)|), ``init_mean_abs`` (mean |W_ak(0)|),
    ``winner_init_abs`` (mean over features of |W_ak(0)| at the final dominant neuron) and the final loss.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.collisions import start_end_correlations
    >>> out = start_end_correlations(rng=0, n=4, m=8, l1=1e-3, steps=200, instances=2)
    >>> np.shape(out["matrix"]), out["corr_diagonal"].round(3).tolist(), out["argmax_fraction"].tolist()
    ((4, 4), [0.793, 1.144], [0.75, 1.0])
    """
    spec = ModelSpec(n=n, m=m, l1=l1)
    cfg = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, dtype="float32",
                      record=Schedule(every=max(steps, 1)))
    res = train(spec, cfg, rng=rng)
    W0, W = res.W0.astype(np.float64), res.W.astype(np.float64)
    corr = start_end_correlation(W0, W)
    off = ~np.eye(n, dtype=bool)
    winner, _ = dominant_neurons(W)
    _, rank = winner_initial_rank(W0, W)
    a0 = np.abs(W0)
    return {"matrix": corr.mean(axis=0),
            "corr_diagonal": np.diagonal(corr, axis1=-2, axis2=-1).mean(axis=-1),
            "corr_offdiagonal_mean": corr[:, off].mean(axis=-1),
            "corr_offdiagonal_std": corr[:, off].std(axis=-1),
            "argmax_fraction": (rank == 0).mean(axis=-1),
            "w_star": np.take_along_axis(np.abs(W), winner[..., None], axis=-1)[..., 0].mean(axis=-1),
            "init_max_abs": a0.max(axis=-1).mean(axis=-1),
            "init_mean_abs": a0.mean(axis=(-2, -1)),
            "winner_init_abs": np.take_along_axis(a0, winner[..., None], axis=-1)[..., 0].mean(axis=-1),
            "loss": res.history["loss"][-1]}
