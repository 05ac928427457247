"""The paper's multi-λ figure (§3.4, all_curves.py): polysemantic neurons against m for λ ∈ {1e-3, 1e-2, 1e-1}.

Training: the paper's recipe (AdamW lr 1e-3, weight decay 0.01, 7500 steps, float32), n = 256,
m = 256…4096 in steps of 256, 16 instances (``--quick``: n = 64, m ∈ {64, 128, 256, 512, 1024}, 8
instances), through the resumable sweep ``curves`` (``sims.runs.grids``, the point function
``polysemantic_counts``). Plotted as mean ± standard error per λ (the paper drew percentile bands;
the 25–75 percentile band is drawn lightly), for the paper's band count and the band-free
dominant-neuron count, against the paper's line n²/(4m) and n(n−1)/(4m) (exact under the
distinct-neurons idealisation, ``theory.collisions``). Counts are numbers of neurons per instance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.collisions import expected_overlap_distinct, paper_prediction

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import make_sweep

__all__ = ["count_summary", "reproduce_curves"]

#: counts summarised with quartiles (and plotted) / with mean and SE only
BAND_COUNTS = ("band", "dominant")
SPLIT_COUNTS = ("opposite_sign", "same_sign")


def count_summary(values) -> dict[str, float]:
    """Mean, standard error s/√I of the mean, and the 25th, 50th and 75th percentiles of I per-instance counts."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence of counts, got shape {v.shape}")
    se = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
    q25, q50, q75 = np.percentile(v, (25, 50, 75))
    return {"mean": float(v.mean()), "se": se, "q25": float(q25), "median": float(q50), "q75": float(q75)}


def _header() -> list[str]:
    cols = ["n", "l1", "m", "instances"]
    cols += [f"{c}_{k}" for c in BAND_COUNTS for k in ("mean", "se", "q25", "median", "q75")]
    cols += [f"{c}_{k}" for c in SPLIT_COUNTS for k in ("mean", "se")]
    return cols + ["paper_n2_over_4m", "distinct_expected"]


@reproduction("curves", "polysemantic neurons against m for λ = 1e-3, 1e-2, 1e-1, with standard errors (paper §3.4)")
def reproduce_curves(out: Path, options: RunOptions) -> list[Path]:
    """Write curves.csv (per λ and m: mean, SE and quartiles of each count, the sign split, the lines) and curves.png."""
    sweep = make_sweep("curves", quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    rows, table = [], {}
    for row in res.rows:
        p, r = row["params"], row["result"]
        stats = {c: count_summary(r[c]) for c in BAND_COUNTS + SPLIT_COUNTS}
        table[p["l1"], p["m"]] = stats
        rows.append([n, p["l1"], p["m"], len(r["band"])]
                    + [stats[c][k] for c in BAND_COUNTS for k in ("mean", "se", "q25", "median", "q75")]
                    + [stats[c][k] for c in SPLIT_COUNTS for k in ("mean", "se")]
                    + [paper_prediction(n, p["m"]), expected_overlap_distinct(n, p["m"]) if p["m"] >= n else float("nan")])
    csv = atomic_csv(out / "curves.csv", _header(), rows)

    plt = pyplot()
    lams = sweep.grid["l1"]
    ms = np.array(sweep.grid["m"])
    grid = np.unique(np.geomspace(ms.min(), ms.max(), 200).round().astype(int))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True, layout="constrained")
    titles = {"band": "paper's band count (≥ 2 features with |W_ik| ∈ [0.8, 1.2])",
              "dominant": "dominant-neuron count (≥ 2 features whose largest |W_ik| is on k)"}
    for ax, count in zip(axes, BAND_COUNTS):
        for j, lam in enumerate(lams):
            s = {k: np.array([table[lam, m][count][k] for m in ms]) for k in ("mean", "se", "q25", "q75")}
            colour = plt.get_cmap("viridis")(0.1 + 0.75 * j / max(len(lams) - 1, 1))
            ax.fill_between(ms, s["q25"], s["q75"], color=colour, alpha=0.15, lw=0)
            dodge = 1.025 ** (j - (len(lams) - 1) / 2)  # ±2.5% in m so the error bars do not overlap
            ax.errorbar(ms * dodge, s["mean"], yerr=s["se"], fmt="o-", ms=4, capsize=3, color=colour,
                        label=f"λ = {lam:g}: mean ± SE (band: 25–75%)")
        ax.plot(grid, [paper_prediction(n, m) for m in grid], "k--", lw=1, label="paper: n²/(4m)")
        ax.plot(grid[grid >= n], [expected_overlap_distinct(n, m) for m in grid[grid >= n]], ":", color="C3", lw=1.2,
                label="n(n−1)/(4m)")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1.0)  # counts reach 0 at large m; linear below 1
        ax.set_xlabel("hidden neurons m")
        ax.set_title(titles[count], fontsize=9)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("polysemantic neurons per instance")
    axes[0].legend(fontsize=7)
    instances = sweep.fixed["instances"]
    fig.suptitle(f"Polysemantic neurons for three λ, n = {n}, AdamW lr 1e-3, {sweep.fixed['steps']} steps, "
                 f"{instances} instances" + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "curves.png")
    return [png, csv]
