"""`incidental reproduce mitigations` (issue 9 item 1): every lever of ``sims.mitigations`` side by side,
measured count of incidental (opposite-sign shared) neurons ± SE against the theory's prediction, and the
loss paid (excess over n monosemantic features). Quick: n = 32, m = 128, 16 instances, proximal GD for λt = 20
at λ = 0.1; full: n = 64, m = 256, 32 instances, that recipe and the paper's AdamW (λ = 1e-3, 7500 steps).
The noise lever is a third panel: the trained fourth norm against the excess kurtosis κ at fixed variance (``sims.mitigations.kurtosis_encodings``, n = 16, m = 64;
8 instances per κ quick, 32 full), whose predicted sign is that of −κ."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._io import atomic_csv, pyplot, save_figure
from .mitigations import (ARMS, KAPPAS, RECIPE_L1, RECIPES, kurtosis_encodings, mitigation_counts,
                          predicted_count)
from .reproduce import RunOptions, reproduction
from .sweep import Sweep, run_sweep

__all__ = ["kurtosis_point", "kurtosis_sweep", "mitigation_point", "mitigations_sweep"]


def mitigations_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point per (recipe, arm): prox-GD only when quick, prox-GD and the paper's AdamW at full size; arms
    that keep the width share the initial weights (``init_seed``)."""
    fixed = {"n": 32 if quick else 64, "m": 128 if quick else 256, "instances": 16 if quick else 32,
             "init_seed": seed}
    return Sweep(name="mitigations-quick" if quick else "mitigations", point=mitigation_point,
                 grid={"recipe": ("prox-gd",) if quick else RECIPES, "arm": ARMS}, fixed=fixed, seed=seed)


def mitigation_point(*, rng, recipe: str, arm: str, n: int, m: int, instances: int, init_seed: int) -> dict:
    """``mitigation_counts`` at the recipe's λ (``RECIPE_L1``), seeded by ``init_seed`` rather than the point's
    own stream ``rng`` (unused), so every arm of one width starts from the same weights and the comparisons
    are paired."""
    return dict(mitigation_counts(arm=arm, n=n, m=m, l1=RECIPE_L1[recipe], instances=instances, rng=init_seed,
                                  recipe=recipe))


def kurtosis_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point per excess kurtosis in ``KAPPAS``, all from the same initial weights (``init_seed``)."""
    return Sweep(name="mitigations-kurtosis-quick" if quick else "mitigations-kurtosis", point=kurtosis_point,
                 grid={"kappa": KAPPAS}, fixed={"instances": 8 if quick else 32, "init_seed": seed}, seed=seed)


def kurtosis_point(*, rng, kappa: float, instances: int, init_seed: int) -> dict:
    """``kurtosis_encodings`` seeded by ``init_seed`` (``rng`` unused): paired starts across κ."""
    return dict(kurtosis_encodings(kappa=kappa, instances=instances, rng=init_seed))


@reproduction("mitigations", "levers against incidental polysemanticity: measured vs predicted count and loss paid (issue 9)")
def reproduce_mitigations(out: Path, options: RunOptions) -> list[Path]:
    """Write mitigations.csv (per recipe and arm: mean count, SE, prediction, loss paid),
    mitigations-kurtosis.csv (per κ: mean fourth norm ± SE, neurons with ≥ 2 strong features) and
    mitigations.png (one row of count and loss-paid bars per recipe, the κ panel beside them)."""
    sweep = mitigations_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, m = sweep.fixed["n"], sweep.fixed["m"]
    rows = []
    for row in res.rows:
        recipe, arm, r = row["params"]["recipe"], row["params"]["arm"], row["result"]
        x = np.asarray(r["shared"], dtype=float)
        l1 = RECIPE_L1[recipe]
        rows.append([recipe, arm, n, m, l1, x.size, x.mean(), x.std(ddof=1) / np.sqrt(x.size),
                     predicted_count(arm, n, m, l1), float(np.mean(r["excess_loss"]))])
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
