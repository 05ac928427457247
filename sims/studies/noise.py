"""Training under hidden noise: the fourth norm's trajectory (paper §3.2) and polysemantic counts across m.

* ``fourth_norm_curve``: λ = 0, plain SGD with hidden noise ξ of ``family`` (σ), drawn fresh every step and
  shared by the inputs and instances; the normalised fourth norm Σ_k W_ik⁴/‖W_i‖⁴ and the paper's
  Σ_k W_ik⁴, averaged over features, at the recorded optimiser steps.
* ``noise_polysemantic_counts``: bipolar noise with and without L1 (``CONDITIONS``), proximal GD; the
  band and dominant-neuron counts per instance. Counts are numbers of neurons; steps are optimiser steps.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import ModelSpec, NoiseSpec

from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig, train
from ..measure.metrics import band_polysemantic_count, dominant_polysemantic_count, fourth_norm

__all__ = ["CONDITIONS", "FAMILIES", "SIGMAS", "fourth_norm_curve", "noise_polysemantic_counts"]

#: The noise families of the paper's figure and its extension (excess kurtosis −2, −1.2, 0, +3).
FAMILIES = ("bipolar", "uniform", "gaussian", "laplace")


SIGMAS = (0.07, 0.1, 0.15)


def _fourth_norm_metrics(W: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
    return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1),
            "fourth_power_sum": (W**4).sum(axis=-1).mean(axis=-1)}  # the paper's unnormalised Σ_k W_ik⁴


def fourth_norm_curve(*, rng, family: str, sigma: float, n: int, m: int, lr: float,
                      steps: int, instances: int, points: int) -> Mapping[str, list]:
    """Train with hidden noise (λ = 0, SGD) and return the recorded steps and, per recorded step and
    instance, the normalised fourth norm and the paper's Σ_k W_ik⁴ (both averaged over features).

    F_i = Σ_k W_ik⁴/(Σ_k W_ik²)² (mean 3/(m + 2) over random directions, 1 when 1-sparse); steps are optimiser
    steps of plain GD at ``lr`` (gradient-flow time t = lr·steps in code units), noise drawn fresh each step.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.noise import fourth_norm_curve
    >>> out = fourth_norm_curve(rng=0, family="bipolar", sigma=0.1, n=4, m=8, lr=0.02, steps=200, instances=2,
    ...                         points=3)
    >>> out["steps"].tolist(), np.round(out["fourth_norm"], 3).tolist()  # (recorded steps, instances)
    ([0, 1, 200], [[0.251, 0.336], [0.251, 0.336], [0.265, 0.33]])
    """
    spec = ModelSpec(n=n, m=m, noise=NoiseSpec(family=family, sigma=sigma))
    cfg = TrainConfig(optimizer="gd", lr=lr, steps=steps, instances=instances, record=Schedule(points=points))
    res = train(spec, cfg, rng=rng, metrics=_fourth_norm_metrics)
    return {"steps": res.steps, "fourth_norm": res.history["fourth_norm"],
            "fourth_power_sum": res.history["fourth_power_sum"]}


#: condition → (noise on?, L1 on?)
CONDITIONS = {"noise": (True, False), "noise+L1": (True, True), "L1": (False, True), "none": (False, False)}


def noise_polysemantic_counts(*, rng, n: int, m: int, condition: str, sigma: float,
                              l1: float, lr: float, steps: int, instances: int,
                              lr_reference_m: int | None = None) -> Mapping[str, list]:
    """Train ``instances`` models under ``condition`` (see ``CONDITIONS``) with prox GD and return
    per-instance lists: band count, dominant count (with its opposite-/same-sign split), max load,
    mean fourth norm and mean ‖W_i‖₂.

    With ``lr_reference_m`` set, ``lr`` and ``steps`` apply at m ≤ lr_reference_m; wider models train
    at lr·lr_reference_m/m for steps·m/lr_reference_m steps (the same gradient-flow time t = lr·steps).
    At a fixed lr the SGD step term cancels the noise drift at large m and noise keeps the encodings
    dense (claim noise-dynamics.sgd-blocks-large-m), which would make the counts counts of dense rows.
    Code units: λ = ``l1`` on the summed loss (0 unless the condition has L1), ``steps`` optimiser steps.

    Examples
    --------
    >>> from sims.studies.noise import noise_polysemantic_counts
    >>> out = noise_polysemantic_counts(rng=0, n=4, m=8, condition="noise+L1", sigma=0.15, l1=0.01, lr=0.02,
    ...                                 steps=200, instances=2)
    >>> out["dominant"].tolist(), out["max_load"].tolist(), out["fourth_norm"].round(3).tolist()
    ([1, 0], [2, 1], [0.284, 0.357])
    """
    if condition not in CONDITIONS:
        raise ValueError(f"condition must be one of {sorted(CONDITIONS)}, got {condition!r}")
    if lr_reference_m is not None:
        if not (isinstance(lr_reference_m, int) and lr_reference_m >= 1):
            raise ValueError(f"lr_reference_m must be an integer >= 1 or None, got {lr_reference_m!r}")
        scale = max(1.0, m / lr_reference_m)
        lr, steps = lr / scale, int(round(steps * scale))
    noisy, sparse = CONDITIONS[condition]
    spec = ModelSpec(n=n, m=m, l1=l1 if sparse else 0.0,
                     noise=NoiseSpec(family="bipolar", sigma=sigma) if noisy else None)
    cfg = TrainConfig(optimizer="prox_gd", lr=lr, steps=steps, instances=instances, record=Schedule(every=max(steps, 1)))
    res = train(spec, cfg, rng=rng, metrics=lambda W, s: {})
    dom = dominant_polysemantic_count(res.W)
    return {"band": band_polysemantic_count(res.W), "dominant": dom["polysemantic"],
            "opposite_sign": dom["opposite_sign"], "same_sign": dom["same_sign"], "max_load": dom["max_load"],
            "fourth_norm": np.nanmean(fourth_norm(res.W), axis=-1),
            "row_norm": np.linalg.norm(res.W, axis=-1).mean(axis=-1)}
