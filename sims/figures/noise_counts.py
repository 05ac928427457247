"""Polysemantic neurons under hidden noise, with and without L1, across m (the reviewers'
open point; paper §2.5 and §3.3).

n features, m neurons, bipolar noise (σ = 0.15, excess kurtosis −2) drawn fresh each step and
shared by the inputs and instances. Four conditions, all with the same optimiser (proximal gradient
descent, ``sims.dynamics.train`` optimizer "prox_gd", lr 0.02), so they differ only in the forces:

=============  =========  ========
condition      noise σ     λ
=============  =========  ========
noise          0.15        0
noise+L1       0.15        λ
L1             none        λ
none           none        0
=============  =========  ========

Counts (``sims.measure.metrics``): the paper's band count (neurons with ≥ 2 features of |W_ik| ∈ [0.8, 1.2])
and the band-free dominant-neuron count (neurons that are the largest-|W_ik| neuron of ≥ 2 features).
Reference: n(n − 1)/(4m), the paper's collision estimate for the L1 mechanism (each of the
n(n − 1)/2 feature pairs lands on the same neuron with probability 1/m and survives with
probability 1/2; paper §3.3), and the L1-only counts measured here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from theory.collisions import expected_overlap_distinct


from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import noise_counts_sweep
from ..studies.noise import CONDITIONS

__all__ = ["reproduce_noise_counts"]


def _mean_ci(values) -> tuple[float, float, float]:
    """Mean over instances and its 95% Student-t interval."""
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")
    return mean, mean - half, mean + half


@reproduction("noise-counts", "polysemantic neurons under bipolar noise, with and without L1, across m")
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
                     expected_overlap_distinct(n, p["m"]), f4])
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
        ax.plot(ms, [expected_overlap_distinct(n, m) for m in ms], "k--", lw=1, label="n(n − 1)/(4m)")
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
