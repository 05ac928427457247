"""Map of incidental and necessary polysemantic neurons over n/m and co-occurrence p: `incidental reproduce regimes`.

Models at m = 8 from the incidental regime (n < m) through n = 2m are trained at each p from one start
(``sims.studies.cooccurrence.capacity_point``); each polysemantic neuron is incidental when a free neuron
exists (``sims.measure.structures.incidental_split``), necessary otherwise. Theory columns:
[n(n−1)/(4m) − (n − m)₊]·exp(−κp/λ) and (n − m)₊ (``theory.survival.regime_counts``) with the measured κ
(``sims.studies.cooccurrence.SURVIVAL_KAPPA``). Counts are neurons per instance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.survival import incidental_half_probability, regime_counts

from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.grids import regimes_sweep
from ..runs.sweep import run_sweep
from ..studies.cooccurrence import SURVIVAL_KAPPA
from .registry import RunOptions, reproduction

__all__ = ["reproduce_regimes"]


@reproduction("regimes", "map of incidental and necessary polysemantic neurons over n/m and p")
def reproduce_regimes(out: Path, options: RunOptions) -> list[Path]:
    """Write regimes.csv (per n and p: mean incidental and necessary counts with theory) and regimes.png."""
    sweep = regimes_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    m, ps, l1 = sweep.fixed["m"], sweep.fixed["ps"], sweep.fixed["l1"]
    ns = np.array(sweep.grid["n"])
    inc, nec, rows = np.zeros((len(ps), ns.size)), np.zeros((len(ps), ns.size)), []
    for a, row in enumerate(res.rows):
        n, r = row["params"]["n"], row["result"]
        for j, p in enumerate(ps):
            inc[j, a], nec[j, a] = np.mean(r["incidental"][j]), np.mean(r["necessary"][j])
            t_inc, t_nec = regime_counts(n, m, p, l1, kappa=SURVIVAL_KAPPA)
            rows.append([n, m, n / m, p, l1, len(r["incidental"][j]), inc[j, a], nec[j, a], t_inc, t_nec])
    csv = atomic_csv(out / "regimes.csv", ["n", "m", "n_over_m", "p", "l1", "instances", "incidental_mean",
                                           "necessary_mean", "incidental_theory", "necessary_theory"], rows)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
    x_edges = np.concatenate([[ns[0] - 1], (ns[1:] + ns[:-1]) / 2, [ns[-1] + 1]]) / m
    pv = np.array(ps)
    p_edges = np.concatenate([[pv[0] - (pv[1] - pv[0]) / 2], (pv[1:] + pv[:-1]) / 2, [pv[-1] + (pv[-1] - pv[-2]) / 2]])
    fine = np.linspace(ns[0], ns[-1], 200)
    # theory boundary: the p at which the incidental count [n(n−1)/(4m) − (n − m)₊]·exp(−κp/λ) falls to 1/2
    p_half = incidental_half_probability(fine, m, l1, kappa=SURVIVAL_KAPPA)
    for ax, data, title in zip(axes, (inc, nec), ("incidental (a free neuron exists)", "necessary (no free neuron)")):
        mesh = ax.pcolormesh(x_edges, p_edges, data, cmap="magma", shading="flat")
        fig.colorbar(mesh, ax=ax, label="polysemantic neurons per instance")
        for x, style in ((1.0, "--"), (2.0, ":")):
            ax.axvline(x, color="c", ls=style, lw=1.2)
        ax.set_ylim(p_edges[0], p_edges[-1])
        ax.set_xlabel("n / m  (dashed: n = m; dotted: n = 2m)")
        ax.set_title(title, fontsize=10)
    axes[0].plot(fine / m, p_half, "c-", lw=1.2, label="theory: incidental count = 1/2")
    axes[0].legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("co-occurrence p")
    png = save_figure(fig, out / "regimes.png")
    return [png, csv]
