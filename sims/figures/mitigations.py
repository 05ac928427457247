"""`incidental reproduce mitigations`: every lever of ``sims.studies.mitigations`` side by side,
measured count of incidental (opposite-sign shared) neurons ± SE against the theory's prediction, and the
loss paid (excess over n monosemantic features). Quick: n = 32, m = 128, 16 instances, proximal GD for λt = 20
at λ = 0.1; full: n = 64, m = 256, 32 instances, that recipe and the paper's AdamW (λ = 1e-3, 7500 steps).
The noise lever is a third panel: the trained fourth norm against the excess kurtosis κ at fixed variance (``sims.studies.mitigations.kurtosis_encodings``, n = 16, m = 64;
8 instances per κ quick, 32 full), whose predicted sign is that of −κ."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..runs.output import atomic_csv, pyplot, save_figure
from theory.mitigations import mitigation_count

from ..studies.mitigations import ARMS, RECIPE_L1, prediction_inputs
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import kurtosis_sweep, mitigations_sweep

__all__ = ["reproduce_mitigations"]


@reproduction("mitigations", "levers against incidental polysemanticity: measured vs predicted count and loss paid")
def reproduce_mitigations(out: Path, options: RunOptions) -> list[Path]:
    """Write mitigations.csv (per recipe and arm: mean count, SE, prediction, loss paid),
    mitigations-kurtosis.csv (per κ: mean fourth norm ± SE, neurons with ≥ 2 strong features) and
    mitigations.png (one row of count and loss-paid bars per recipe, the κ panel beside them)."""
    sweep = mitigations_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, m = sweep.fixed["n"], sweep.fixed["m"]
    inputs = prediction_inputs(n, m)
    rows = []
    for row in res.rows:
        recipe, arm, r = row["params"]["recipe"], row["params"]["arm"], row["result"]
        x = np.asarray(r["shared"], dtype=float)
        l1 = RECIPE_L1[recipe]
        rows.append([recipe, arm, n, m, l1, x.size, x.mean(), x.std(ddof=1) / np.sqrt(x.size),
                     mitigation_count(arm, n, m, l1, **inputs), float(np.mean(r["excess_loss"]))])
    csv = atomic_csv(out / "mitigations.csv", ["recipe", "arm", "n", "m", "l1", "instances", "shared_mean",
                                                "shared_se", "predicted", "loss_paid"], rows)
    kurt = run_sweep(kurtosis_sweep(quick=options.quick, seed=options.seed), out, workers=options.workers,
                     scheduler=options.scheduler, progress=options.progress)
    krows = []
    for row in kurt.rows:
        F, multi = (np.asarray(row["result"][k], dtype=float) for k in ("fourth_norm", "multi_feature"))
        krows.append([row["params"]["kappa"], F.size, F.mean(), F.std(ddof=1) / np.sqrt(F.size), multi.mean()])
    kcsv = atomic_csv(out / "mitigations-kurtosis.csv", ["kappa", "instances", "fourth_norm_mean", "fourth_norm_se",
                                                          "multi_feature_neurons"], krows)
    recipes = sweep.grid["recipe"]
    plt = pyplot()
    fig, axes = plt.subplot_mosaic([[f"count-{r}", f"paid-{r}", "kurtosis"] for r in recipes],
                                   figsize=(14, 3.8 * len(recipes)), layout="constrained", width_ratios=(3, 3, 2))
    xs = np.arange(len(ARMS))
    for recipe in recipes:
        mine = [r for r in rows if r[0] == recipe]
        ax, ax2 = axes[f"count-{recipe}"], axes[f"paid-{recipe}"]
        ax.bar(xs, [r[6] for r in mine], yerr=[r[7] for r in mine], capsize=4, color="C0", alpha=0.8,
               label="measured (± SE)")
        ax.plot(xs, [r[8] for r in mine], "r_", ms=28, mew=2, label="predicted")
        ax.set_xticks(xs, ARMS, rotation=20)
        ax.set_ylabel("opposite-sign shared neurons per instance")
        ax.set_title(f"{recipe}, λ = {RECIPE_L1[recipe]:g}", fontsize=9)
        ax.legend(fontsize=8)
        ax2.bar(xs, [r[9] for r in mine], color="C2")
        ax2.set_xticks(xs, ARMS, rotation=20)
        ax2.set_ylabel("loss paid: L − nℓ*(λ)")
    ax3 = axes["kurtosis"]
    k = np.array(krows, dtype=float)
    ax3.errorbar(k[:, 0], k[:, 2], yerr=k[:, 3], fmt="o-", capsize=3, label="trained (± SE)")
    ax3.axhline(1.0, color="0.5", ls=":", label="no noise (1-sparse)")
    ax3.axvline(0.0, color="r", lw=0.8, label="predicted sign flip (κ = 0)")
    ax3.set_xlabel("excess kurtosis κ of the hidden noise (σ = 0.15)")
    ax3.set_ylabel("mean fourth norm (1: winner-take-all)")
    ax3.set_title("noise lever, n = 16, m = 64, λ = 0.01", fontsize=9)
    ax3.legend(fontsize=7)
    fig.suptitle(f"Mitigations, n = {n}, m = {m} (wider: 4m); predictions from the prox-GD idealisations"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "mitigations.png")
    return [png, csv, kcsv]
