"""Registered sweeps that ``incidental sweep NAME`` runs. Each has a quick grid (minutes on 2
cores) and a full grid; point functions are module-level so worker processes can import them."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import ModelSpec

from .metrics import (band_polysemantic_count, dominant_neurons, dominant_polysemantic_count,
                      start_end_correlation, winner_initial_rank)
from .schedule import Schedule
from .sweep import Sweep
from .train import TrainConfig, train

__all__ = ["SWEEPS", "make_sweep", "polysemantic_counts", "start_end_correlations"]


def polysemantic_counts(*, rng: np.random.Generator, n: int, m: int, l1: float, steps: int, instances: int,
                        optimizer: str = "adamw", lr: float = 1e-3) -> Mapping[str, list]:
    """Train ``instances`` models from N(0, 1/m) and count polysemantic neurons in each.

    Returns per-instance lists: the paper's band count, the band-free (dominant-neuron) count and
    its opposite-sign / same-sign split, the final loss, the fraction of features whose final
    neuron is their initial argmax, the median initial rank of the final neuron, and the mean
    diagonal and off-diagonal standard deviation of the start–end correlation ⟨W_a(0), W_b(T)⟩.
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


def start_end_correlations(*, rng: np.random.Generator, n: int, m: int, l1: float, steps: int, instances: int,
                           optimizer: str = "adamw", lr: float = 1e-3) -> Mapping[str, list]:
    """Train ``instances`` models from N(0, 1/m) and measure C_ab = ⟨W_a(0), W_b(T)⟩ (paper §3.5).

    Returns ``matrix``: C averaged over instances (n × n nested lists, weight² units), and per-instance
    lists: ``corr_diagonal`` (mean of C_aa), ``corr_offdiagonal_mean`` and ``corr_offdiagonal_std`` (of
    C_ab, a ≠ b), ``argmax_fraction`` (features whose final dominant neuron is their initial argmax
    |W_ak(0)|), ``w_star`` (mean over features of |W_ak(T)| at the dominant neuron k: the trained weight),
    ``init_max_abs`` (mean over features of max_k |W_ak(0)|), ``init_mean_abs`` (mean |W_ak(0)|),
    ``winner_init_abs`` (mean over features of |W_ak(0)| at the final dominant neuron) and the final loss.
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


M_PAPER = tuple(range(256, 4097, 256))
M_QUICK = (64, 128, 256, 512, 1024)
L1_CURVES = (1e-3, 1e-2, 1e-1)

# name → (point function, quick grid and fixed parameters, full grid and fixed parameters)
SWEEPS = {
    "polysemantic": (
        polysemantic_counts,
        ({"m": (64, 128, 256, 512, 1024)}, {"n": 64, "l1": 1e-3, "steps": 7500, "instances": 8}),
        ({"m": tuple(range(256, 4097, 256))}, {"n": 256, "l1": 1e-3, "steps": 7500, "instances": 16}),
    ),
    # paper §3.4 (all_curves.py): the collision count for three λ
    "curves": (
        polysemantic_counts,
        ({"l1": L1_CURVES, "m": M_QUICK}, {"n": 64, "steps": 7500, "instances": 8}),
        ({"l1": L1_CURVES, "m": M_PAPER}, {"n": 256, "steps": 7500, "instances": 16}),
    ),
    # paper §3.5 (correlations.py): the start–end correlation matrix at one (n, m)
    "correlations": (
        start_end_correlations,
        ({"m": (1024,)}, {"n": 64, "l1": 1e-3, "steps": 7500, "instances": 8}),
        ({"m": (4096,)}, {"n": 256, "l1": 1e-3, "steps": 7500, "instances": 16}),
    ),
}


def make_sweep(name: str, *, quick: bool, seed: int = 0) -> Sweep:
    """The registered sweep ``name`` at its quick or full size."""
    if name not in SWEEPS:
        raise ValueError(f"sweep must be one of {sorted(SWEEPS)}, got {name!r}")
    point, quick_grid, full_grid = SWEEPS[name]
    grid, fixed = quick_grid if quick else full_grid
    return Sweep(name=name, point=point, grid=grid, fixed=fixed, seed=seed)
