"""The paper's collision figure (§3.3, collisions.py): polysemantic neurons against m.

Training: the paper's recipe (AdamW lr 1e-3, weight decay 0.01, λ = 1e-3, 7500 steps, float32),
n = 256, m = 256…4096 in steps of 256, 16 instances (``--quick``: n = 64, m = 64…1024, 8
instances), through the resumable sweep ``polysemantic`` (``sims.runs.grids``). Plotted with standard
errors (the paper drew log(std)), against the paper's line n²/(4m) and the two idealisations of
``theory.collisions``: signed slots (exact finite-m expectation) and distinct neurons
(n(n−1)/(4m), exact for m ≥ n).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.collisions import expected_overlap_distinct, expected_polysemantic_signed_slots, paper_prediction

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..measure.statistics import mean_se
from ..runs.sweep import run_sweep
from ..runs.grids import make_sweep

__all__ = ["reproduce_collisions"]

COLUMNS = ("band", "dominant", "opposite_sign", "same_sign", "argmax_fraction", "median_rank", "corr_diagonal")


@reproduction("collisions", "polysemantic neurons against m, with standard errors and the idealisations (paper §3.3)")
def reproduce_collisions(out: Path, options: RunOptions) -> list[Path]:
    """Write collisions.csv (means and standard errors per m) and collisions.png."""
    sweep = make_sweep("polysemantic", quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    rows, table = [], {c: [] for c in COLUMNS}
    ms = []
    for row in res.rows:
        m = row["params"]["m"]
        ms.append(m)
        stats = [mean_se(row["result"][c]) for c in COLUMNS]
        for c, st in zip(COLUMNS, stats):
            table[c].append(st)
        ideal = (paper_prediction(n, m), expected_polysemantic_signed_slots(n, m),
                 expected_overlap_distinct(n, m) if m >= n else float("nan"))
        rows.append([n, m, len(row["result"]["band"])] + [x for st in stats for x in st] + list(ideal))
    header = ["n", "m", "instances"] + [f"{c}_{k}" for c in COLUMNS for k in ("mean", "se")]
    header += ["paper_n2_over_4m", "signed_slots_expected", "distinct_expected"]
    csv = atomic_csv(out / "collisions.csv", header, rows)

    plt = pyplot()
    ms = np.array(ms)
    grid = np.unique(np.geomspace(ms.min(), ms.max(), 200).round().astype(int))
    fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    for key, label, marker in (("band", "trained: paper's band count", "o"),
                               ("dominant", "trained: dominant-neuron count", "s")):
        mean, se = np.array(table[key]).T
        ax.errorbar(ms, mean, yerr=se, fmt=marker, capsize=3, label=f"{label} (± SE)")
    ax.plot(grid, [paper_prediction(n, m) for m in grid], "k--", label="paper: n²/(4m)")
    ax.plot(grid, [expected_polysemantic_signed_slots(n, m) for m in grid], "C2-", label="signed slots (exact)")
    ax.plot(grid[grid >= n], [expected_overlap_distinct(n, m) for m in grid[grid >= n]], "C3:",
            label="distinct neurons: n(n−1)/(4m)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("hidden neurons m")
    ax.set_ylabel("polysemantic neurons per instance")
    ax.set_title(f"Polysemantic neurons, n = {n}, AdamW, λ = 1e-3, 7500 steps" + (" (quick)" if options.quick else ""))
    ax.legend(fontsize=8)
    png = save_figure(fig, out / "collisions.png")
    return [png, csv]
