"""Registered sweeps that ``incidental sweep NAME`` runs. Each has a quick grid (minutes on 2
cores) and a full grid; point functions are module-level so worker processes can import them."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import ModelSpec

from .metrics import band_polysemantic_count, dominant_polysemantic_count
from .schedule import Schedule
from .sweep import Sweep
from .train import TrainConfig, train

__all__ = ["SWEEPS", "make_sweep", "polysemantic_counts"]


def polysemantic_counts(*, rng: np.random.Generator, n: int, m: int, l1: float, steps: int, instances: int,
                        optimizer: str = "adamw", lr: float = 1e-3) -> Mapping[str, list]:
    """Train ``instances`` models from N(0, 1/m) and count polysemantic neurons in each.

    Returns per-instance lists: the paper's band count, the band-free (dominant-neuron) count and
    its opposite-sign / same-sign split, and the final loss.
    """
    spec = ModelSpec(n=n, m=m, l1=l1)
    cfg = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, dtype="float32",
                      record=Schedule(every=max(steps, 1)))
    res = train(spec, cfg, rng=rng)
    dom = dominant_polysemantic_count(res.W)
    return {"band": band_polysemantic_count(res.W), "dominant": dom["polysemantic"],
            "opposite_sign": dom["opposite_sign"], "same_sign": dom["same_sign"],
            "loss": res.history["loss"][-1]}


# name → (point function, quick grid and fixed parameters, full grid and fixed parameters)
SWEEPS = {
    "polysemantic": (
        polysemantic_counts,
        ({"m": (16, 24, 32, 48, 64, 96, 128, 192)}, {"n": 16, "l1": 1e-3, "steps": 5000, "instances": 4}),
        ({"m": tuple(range(256, 4097, 256))}, {"n": 256, "l1": 1e-3, "steps": 7500, "instances": 16}),
    ),
}


def make_sweep(name: str, *, quick: bool, seed: int = 0) -> Sweep:
    """The registered sweep ``name`` at its quick or full size."""
    if name not in SWEEPS:
        raise ValueError(f"sweep must be one of {sorted(SWEEPS)}, got {name!r}")
    point, quick_grid, full_grid = SWEEPS[name]
    grid, fixed = quick_grid if quick else full_grid
    return Sweep(name=name, point=point, grid=grid, fixed=fixed, seed=seed)
