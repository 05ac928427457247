"""Capacity and geometry beyond m features: `incidental reproduce capacity`.

With one-hot inputs, n ≤ 2m features fit losslessly as ± pairs (``theory.cooccurrence.lossless_capacity``);
any co-occurrence p > 0 cuts lossless capacity to m, and to first order the cost of fitting n > m
features is at least p·n(n − m)/m (``cooccurrence_capacity_bound``; tight for ± pairs at n = 2m and
for simplices). Beyond 2m·(one-hot) or once p/λ exceeds 2(√3 − 1) ≈ 1.46 (``triangle_break_even_ratio``),
120° triangles beat a ± pair plus a lone feature. Here models with n/m ∈ [1, 2.5] are trained (prox-GD on L_0 + pL_1, λt = 20, common
starts across p) and each feature's geometry is read off the basis-free per-feature dimensionality
D_i of Toy Models of Superposition (``sims.measure.metrics.feature_dimensionality``): D = 1 alone,
1/2 in an antipodal pair, 2/3 in a 120° triangle, 3/4 in a tetrahedron, 0 dropped.

Losses are per active feature; the excess loss is L_p − nℓ*(λ), ℓ* the monosemantic loss.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.cooccurrence import cooccurrence_capacity_bound

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import capacity_sweep
from ..measure.structures import STRUCTURES

__all__ = ["reproduce_capacity"]


@reproduction("capacity", "geometry of trained solutions beyond m features: pairs, triangles, tetrahedra")
def reproduce_capacity(out: Path, options: RunOptions) -> list[Path]:
    """Write capacity.csv (per n and p: mean structure fractions, polysemantic neurons, excess loss, bound) and capacity.png."""
    sweep = capacity_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    m, ps = sweep.fixed["m"], sweep.fixed["ps"]
    names = (*STRUCTURES, "other")
    rows, table = [], {}
    for row in res.rows:
        n, r = row["params"]["n"], row["result"]
        for j, p in enumerate(ps):
            vals = {key: float(np.mean(r[key][j])) for key in (*names, "polysemantic", "excess")}
            table[n, p] = vals
            rows.append([n, m, n / m, p, sweep.fixed["l1"], *(vals[k] for k in names), vals["polysemantic"],
                         vals["excess"], r["bound"][j]])
    csv = atomic_csv(out / "capacity.csv", ["n", "m", "n_over_m", "p", "l1", *(f"frac_{k}" for k in names),
                                            "polysemantic_mean", "excess_loss_mean", "first_order_bound"], rows)
    plt = pyplot()
    ns = np.array(sweep.grid["n"])
    fig, axes = plt.subplots(1, len(ps) + 1, figsize=(3.6 * (len(ps) + 1), 3.6), layout="constrained")
    colours = {"dropped": "grey", "pair": "C0", "triangle": "C1", "tetrahedron": "C2", "alone": "C3", "other": "k"}
    for ax, p in zip(axes, ps):
        bottom = np.zeros(ns.size)
        for k in names:
            v = np.array([table[n, p][k] for n in ns])
            ax.bar(ns / m, v, bottom=bottom, width=0.8 * (ns[1] - ns[0]) / m, color=colours[k], label=k)
            bottom += v
        ax.set_title(f"p = {p:g}", fontsize=10)
        ax.set_xlabel("n / m")
    axes[0].set_ylabel("fraction of features")
    axes[0].legend(fontsize=7)
    ax = axes[-1]
    for j, p in enumerate(ps[1:]):
        ax.plot(ns / m, [table[n, p]["excess"] for n in ns], "o-", color=f"C{j}", label=f"p = {p:g}: trained")
        ax.plot(ns / m, [cooccurrence_capacity_bound(int(n), m, p) for n in ns], "--", color=f"C{j}", lw=1,
                label="p·n(n − m)/m")
    ax.set_xlabel("n / m")
    ax.set_ylabel("excess loss L_p − nℓ*")
    ax.legend(fontsize=7)
    fig.suptitle(f"Capacity and geometry, m = {m}, λ = {sweep.fixed['l1']}, prox-GD on L_0 + pL_1"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "capacity.png")
    return [png, csv]


