"""`incidental reproduce diagnosis`: how often training's solution is one move from a
strictly better one, as a function of the co-occurrence probability p, with the theory's prediction.

Each point trains ``instances`` models with co-occurrence p from N(0, 1/m) (proximal GD, lr 0.1, λt = 20,
on L_0 + pL_1: ``sims.dynamics.cooccurrence``), then reads each trained W with ``sims.measure.diagnosis``: whether a
single move strictly lowers the exact L_p, the labels of its polysemantic neurons, and what ``repair`` saves.

Prediction. At p = 0 a ± pair costs nothing, so no move is strictly better (fraction 0, saving 0). At p > 0
each surviving pair costs Δ(p) = 2p[1 − (1 − w*²)²] (``theory.cooccurrence.shared_pair_cost``) and splitting
it saves that; pairs survive training with probability exp(−κp/λ) (κ ≈ 9.7 at n = 32, m = 128, ledger
claim cooccurrence.survival-exponential), so with Poisson-distributed counts of mean
μ(p) = n(n − 1)/(4m)·exp(−κp/λ) the fraction one move from better is 1 − exp(−μ(p)) and the mean repair
saving μ(p)·Δ(p). n = 32, m = 128, λ = 0.1 (where κ was measured); quick: 8 instances per p, full: 64.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.survival import one_move_fraction, repair_saving


from ..runs.output import atomic_csv, pyplot, save_figure
from ..studies.cooccurrence import SURVIVAL_KAPPA
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import DIAGNOSIS_PS, diagnosis_sweep

__all__ = ["reproduce_diagnosis"]


@reproduction("diagnosis", "how often trained solutions are one move from a strictly better one, vs p")
def reproduce_diagnosis(out: Path, options: RunOptions) -> list[Path]:
    """Write diagnosis.csv (per p: fraction one move from better, mean incidental/necessary/same-sign neurons,
    mean repair saving, with SEs and predictions) and diagnosis.png."""
    sweep = diagnosis_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, m, l1 = (sweep.fixed[k] for k in ("n", "m", "l1"))
    rows = []
    for row in res.rows:
        p, r = row["params"]["p"], row["result"]
        better = np.asarray(r["better"], dtype=float)
        saving = np.asarray(r["saving"], dtype=float)
        k = better.size
        rows.append([p, n, m, l1, k, better.mean(), np.sqrt(better.mean() * (1 - better.mean()) / k),
                     float(one_move_fraction(p, n, m, l1, kappa=SURVIVAL_KAPPA)), np.mean(r["incidental"]), np.mean(r["necessary"]),
                     np.mean(r["same_sign"]), saving.mean(), saving.std(ddof=1) / np.sqrt(k),
                     float(repair_saving(p, n, m, l1, kappa=SURVIVAL_KAPPA))])
    header = ["p", "n", "m", "l1", "instances", "one_move_better", "one_move_better_se", "predicted_fraction",
              "incidental", "necessary", "same_sign", "repair_saving", "repair_saving_se", "predicted_saving"]
    csv = atomic_csv(out / "diagnosis.csv", header, rows)
    a = np.array(rows, dtype=float)
    grid = np.linspace(0, max(DIAGNOSIS_PS), 200)
    plt = pyplot()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    ax.errorbar(a[:, 0] / l1, a[:, 5], yerr=a[:, 6], fmt="o", capsize=3, label="trained (± binomial SE)")
    ax.plot(grid[1:] / l1, one_move_fraction(grid[1:], n, m, l1, kappa=SURVIVAL_KAPPA), "r-", label="1 − exp(−μ(p)), p > 0")
    ax.plot([0], [0], "r_", ms=14, mew=2, label="0 at p = 0 (± pairs free)")
    ax.set_xlabel("co-occurrence p/λ")
    ax.set_ylabel("fraction one move from strictly better")
    ax.legend(fontsize=8)
    ax2.errorbar(a[:, 0] / l1, a[:, 11], yerr=a[:, 12], fmt="o", capsize=3, label="repair saving (± SE)")
    ax2.plot(grid / l1, repair_saving(grid, n, m, l1, kappa=SURVIVAL_KAPPA), "r-", label="μ(p)·Δ(p)")
    ax2.set_xlabel("co-occurrence p/λ")
    ax2.set_ylabel("L_p saved by repair")
    ax2.legend(fontsize=8)
    fig.suptitle(f"Diagnosis after training, n = {n}, m = {m}, λ = {l1}, prox-GD λt = 20, κ = {SURVIVAL_KAPPA}"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "diagnosis.png")
    return [png, csv]
