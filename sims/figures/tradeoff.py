"""The performance–polysemanticity trade-off with co-occurring features (the paper's
closing call, §4): `incidental reproduce tradeoff`.

For each (m, λ), ``instances`` models are trained from the same N(0, 1/m) start at every p
(proximal GD on L_p to first order in p, L_0 + pL_1, λt = 20, ``sims.dynamics.cooccurrence``). Each trained
solution has k opposite-sign shared neurons and d dropped features; the theory prices them exactly
(``theory.cooccurrence``): a shared pair costs Δ(p) = 2p[1 − (1 − w*²)²], a dropped feature
1 − ℓ*(λ), so the excess loss over n monosemantic features is predicted to be

    L_p(W) − nℓ*(λ) ≈ k·Δ(p) + d·(1 − ℓ*)       (exact for 1-sparse solutions at the optimal weights).

The figure plots the measured excess loss against k (the Pareto view: loss paid per polysemantic
neuron), with the lines k·Δ(p); the CSV gives, per (m, λ, p), the mean count, the mean excess
loss, its prediction and the mean |measured − predicted|. Losses are per active feature (the
normalisation of L_p); counts are numbers of neurons.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.cooccurrence import (monosemantic_weight,
                                 shared_pair_cost)

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..measure.statistics import mean_se
from ..runs.sweep import run_sweep
from ..runs.grids import tradeoff_sweep

__all__ = ["reproduce_tradeoff"]


@reproduction("tradeoff", "excess loss against polysemantic count with co-occurring features")
def reproduce_tradeoff(out: Path, options: RunOptions) -> list[Path]:
    """Write tradeoff.csv (per m, λ, p: mean count, dropped, excess loss, prediction) and tradeoff.png."""
    sweep = tradeoff_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, ps = sweep.fixed["n"], sweep.fixed["ps"]
    rows, points = [], []
    for row in res.rows:
        prm, r = row["params"], row["result"]
        for j, p in enumerate(ps):
            k, d = np.array(r["shared"][j]), np.array(r["dropped"][j])
            ex, pr = np.array(r["excess"][j]), np.array(r["predicted"][j])
            rows.append([n, prm["m"], prm["l1"], p, k.size, k.mean(), mean_se(k)[1], d.mean(), ex.mean(), mean_se(ex)[1], pr.mean(),
                         float(np.abs(ex - pr).mean()), float(shared_pair_cost(p, monosemantic_weight(prm["l1"])))])
            points.append((prm["m"], prm["l1"], p, k, ex))
    csv = atomic_csv(out / "tradeoff.csv", ["n", "m", "l1", "p", "instances", "shared_mean", "shared_se",
                                            "dropped_mean", "excess_loss_mean", "excess_loss_se",
                                            "predicted_excess_mean", "mean_abs_error", "delta_p"], rows)
    plt = pyplot()
    lams = sweep.grid["l1"]
    fig, axes = plt.subplots(1, len(lams), figsize=(4.6 * len(lams), 4), sharey=True, layout="constrained")
    cmap = plt.get_cmap("plasma")
    for ax, lam in zip(np.atleast_1d(axes), lams):
        kmax = max(int(k.max()) for (_, l1, _, k, _) in points if l1 == lam) + 1
        for j, p in enumerate(ps):
            colour = cmap(0.85 * j / max(len(ps) - 1, 1))
            for (m, l1, pp, k, ex) in points:
                if l1 == lam and pp == p:
                    jitter = 0.08 * (np.log2(m) - np.log2(min(sweep.grid["m"])))
                    ax.plot(k + jitter, ex, "o", ms=3, alpha=0.5, color=colour)
            ax.plot([0, kmax], [0, kmax * float(shared_pair_cost(p, monosemantic_weight(lam)))], "-", color=colour,
                    lw=1, label=f"p = {p:g}: k·Δ(p)")
        ax.set_xlabel("opposite-sign shared neurons k (points: trained instances, all m)")
        ax.set_title(f"λ = {lam:g}", fontsize=10)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("excess loss L_p − nℓ*(λ)")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"Performance–polysemanticity trade-off, n = {n}, prox-GD on L_0 + pL_1"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "tradeoff.png")
    return [png, csv]
