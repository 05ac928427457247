"""Polysemantic neurons under hidden noise, with and without L1, across m (issue 7, the reviewers'
open point; paper §2.5 and §3.3).

n features, m neurons, bipolar noise (σ = 0.15, excess kurtosis −2) drawn fresh each step and
shared by the inputs and instances. Four conditions, all with the same optimiser (proximal gradient
descent, ``sims.train`` optimizer "prox_gd", lr 0.02), so they differ only in the forces:

=============  =========  ========
condition      noise σ     λ
=============  =========  ========
noise          0.15        0
noise+L1       0.15        λ
L1             none        λ
none           none        0
=============  =========  ========

Counts (``sims.metrics``): the paper's band count (neurons with ≥ 2 features of |W_ik| ∈ [0.8, 1.2])
and the band-free dominant-neuron count (neurons that are the largest-|W_ik| neuron of ≥ 2 features).
Reference: n(n − 1)/(4m), the paper's collision estimate for the L1 mechanism (each of the
n(n − 1)/2 feature pairs lands on the same neuron with probability 1/m and survives with
probability 1/2; paper §3.3), and the L1-only counts measured here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
from scipy import stats

from theory import ModelSpec, NoiseSpec

from ._io import atomic_csv, pyplot, save_figure
from .metrics import band_polysemantic_count, dominant_polysemantic_count, fourth_norm
from .reproduce import RunOptions, reproduction
from .schedule import Schedule
from .sweep import Sweep, run_sweep
from .train import TrainConfig, train

__all__ = ["CONDITIONS", "collision_estimate", "noise_counts_sweep", "noise_polysemantic_counts"]

#: condition → (noise on?, L1 on?)
CONDITIONS = {"noise": (True, False), "noise+L1": (True, True), "L1": (False, True), "none": (False, False)}


def collision_estimate(n: int, m: int) -> float:
    """n(n − 1)/(4m): expected polysemantic neurons from L1 collisions (paper §3.3; dimensionless)."""
    return n * (n - 1) / (4 * m)


def noise_polysemantic_counts(*, rng: np.random.Generator, n: int, m: int, condition: str, sigma: float,
                              l1: float, lr: float, steps: int, instances: int,
                              lr_reference_m: int | None = None) -> Mapping[str, list]:
    """Train ``instances`` models under ``condition`` (see ``CONDITIONS``) with prox GD and return
    per-instance lists: band count, dominant count (with its opposite-/same-sign split), max load,
    mean fourth norm and mean ‖W_i‖₂.

    With ``lr_reference_m`` set, ``lr`` and ``steps`` apply at m ≤ lr_reference_m; wider models train
    at lr·lr_reference_m/m for steps·m/lr_reference_m steps (the same gradient-flow time t = lr·steps).
    At a fixed lr the SGD step term cancels the noise drift at large m and noise keeps the encodings
    dense (claim noise-dynamics.sgd-blocks-large-m), which would make the counts counts of dense rows.
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


def noise_counts_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """Conditions × m at n = 16; quick: 2e4 steps × 8 instances, full: 1e5 steps × 16 instances, at lr
    0.02 up to m = 32 and lr 0.02·32/m with proportionally more steps beyond (``lr_reference_m``)."""
    fixed = {"n": 16, "sigma": 0.15, "l1": 0.01, "lr": 0.02, "steps": 20_000 if quick else 100_000,
             "instances": 8 if quick else 16, "lr_reference_m": 32}
    grid = {"condition": tuple(CONDITIONS), "m": (16, 32, 64, 128) if quick else (16, 32, 64, 128, 256)}
    return Sweep(name="noise-counts-quick" if quick else "noise-counts", point=noise_polysemantic_counts,
                 grid=grid, fixed=fixed, seed=seed)


def _mean_ci(values) -> tuple[float, float, float]:
    """Mean over instances and its 95% Student-t interval."""
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")
    return mean, mean - half, mean + half


@reproduction("noise-counts", "polysemantic neurons under bipolar noise, with and without L1, across m (issue 7)")
def reproduce_noise_counts(out: Path, options: RunOptions) -> list[Path]:
    """Write noise-counts.csv (mean and 95% CI of each count per condition and m) and noise-counts.png."""
    sweep = noise_counts_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    rows, table = [], {}
    for row in res.rows:
        p, r = row["params"], row["result"]
        for count in ("band", "dominant", "same_sign", "opposite_sign"):
            mean, lo, hi = _mean_ci(r[count])
            table[p["condition"], p["m"], count] = (mean, lo, hi)
        f4, _, _ = _mean_ci(r["fourth_norm"])
        scale = max(1.0, p["m"] / p["lr_reference_m"])
        rows.append([p["condition"], p["m"], n, p["sigma"] if CONDITIONS[p["condition"]][0] else 0.0,
                     p["l1"] if CONDITIONS[p["condition"]][1] else 0.0, p["lr"] / scale, int(round(p["steps"] * scale)),
                     len(r["band"]),
                     *table[p["condition"], p["m"], "band"], *table[p["condition"], p["m"], "dominant"],
                     table[p["condition"], p["m"], "same_sign"][0], table[p["condition"], p["m"], "opposite_sign"][0],
                     collision_estimate(n, p["m"]), f4])
    csv = atomic_csv(out / "noise-counts.csv",
                     ["condition", "m", "n", "sigma", "l1", "lr", "steps", "instances", "band_mean", "band_ci95_low", "band_ci95_high",
                      "dominant_mean", "dominant_ci95_low", "dominant_ci95_high", "same_sign_mean",
                      "opposite_sign_mean", "collision_estimate", "fourth_norm_mean"], rows)

    plt = pyplot()
    ms = np.array(sweep.grid["m"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
    colours = {"noise": "tab:purple", "noise+L1": "tab:red", "L1": "tab:blue", "none": "tab:grey"}
    for ax, count, title in zip(axes, ("band", "dominant"), ("band count (|W_ik| ∈ [0.8, 1.2])", "dominant-neuron count")):
        for condition in CONDITIONS:
            mean, lo, hi = (np.array([table[condition, m, count][i] for m in ms]) for i in range(3))
            ax.errorbar(ms, mean, yerr=[mean - lo, hi - mean], fmt="o-", capsize=3, color=colours[condition],
                        label=condition)
        ax.plot(ms, [collision_estimate(n, m) for m in ms], "k--", lw=1, label="n(n − 1)/(4m)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("neurons m")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel(f"polysemantic neurons (mean, 95% CI, {sweep.fixed['instances']} instances)")
    axes[0].legend(fontsize=8)
    ref = sweep.fixed["lr_reference_m"]
    fig.suptitle(f"Polysemantic neurons, n = {n}: bipolar noise σ = {sweep.fixed['sigma']}, λ = {sweep.fixed['l1']}, "
                 f"prox GD lr {sweep.fixed['lr']}·min(1, {ref}/m), {sweep.fixed['steps']}·max(1, m/{ref}) steps"
                 + (" (quick)" if options.quick else ""))
    png = save_figure(fig, out / "noise-counts.png")
    return [png, csv]
