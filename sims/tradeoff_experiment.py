"""The performance–polysemanticity trade-off with co-occurring features (issue 8 item 2; the paper's
closing call, §4): `incidental reproduce tradeoff`.

For each (m, λ), ``instances`` models are trained from the same N(0, 1/m) start at every p
(proximal GD on L_p to first order in p, L_0 + pL_1, λt = 20, ``sims.cooccurrence_train``). Each trained
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
from typing import Mapping

import numpy as np

from theory import ModelSpec
from theory.cooccurrence import (dropped_feature_cost, expected_loss_exact, monosemantic_loss, monosemantic_weight,
                                 shared_pair_cost)

from ._io import atomic_csv, pyplot, save_figure
from .cooccurrence_train import flow_time_config, train_at_each_p
from .metrics import active_count, dominant_polysemantic_count
from .reproduce import RunOptions, reproduction
from .sweep import Sweep, run_sweep
from .train import initial_weights

__all__ = ["predicted_excess_loss", "tradeoff_point", "tradeoff_sweep"]


def predicted_excess_loss(k, d, p: float, l1: float):
    """k·Δ(p) + d·(1 − ℓ*(λ)): the excess loss of k ± shared pairs and d dropped features (dimensionless)."""
    return np.asarray(k) * shared_pair_cost(p, monosemantic_weight(l1)) + np.asarray(d) * dropped_feature_cost(l1)


def tradeoff_point(*, rng: np.random.Generator, n: int, m: int, l1: float, ps: tuple, instances: int,
                   lr: float = 0.1, time: float = 20.0) -> Mapping[str, list]:
    """Per p in ``ps`` (rows) and instance (columns): shared pairs, dropped features, excess loss
    L_p − nℓ* (exact enumeration) and its prediction; all p start from the same weights."""
    spec = ModelSpec(n=n, m=m, l1=l1)
    W0 = initial_weights(spec, instances, rng=rng)
    out = {"shared": [], "dropped": [], "excess": [], "predicted": []}
    for p, W in zip(ps, train_at_each_p(spec, flow_time_config(l1, instances, lr=lr, time=time), ps, W0, rng=rng)):
        k = dominant_polysemantic_count(W)["opposite_sign"]
        d = (active_count(W, tol=1e-3) == 0).sum(axis=-1)
        excess = expected_loss_exact(W, p, l1=l1) - n * monosemantic_loss(l1)
        out["shared"].append(k.tolist())
        out["dropped"].append(d.tolist())
        out["excess"].append(np.asarray(excess).tolist())
        out["predicted"].append(predicted_excess_loss(k, d, p, l1).tolist())
    return out


def _se(x: np.ndarray) -> float:
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")


def tradeoff_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """m × λ at n = 16 (quick: m ∈ {32, 64}, λ ∈ {0.1, 0.2}, 8 instances) or n = 32 (m ∈ {64, 128, 256},
    λ ∈ {0.05, 0.1, 0.2}, 32 instances); p inside each point up to np = 0.8 (the first-order objective's range):
    {0, 0.01, 0.02, 0.05} at n = 16, {0, 0.005, 0.01, 0.025} at n = 32."""
    ps = (0.0, 0.01, 0.02, 0.05) if quick else (0.0, 0.005, 0.01, 0.025)
    fixed = {"n": 16 if quick else 32, "instances": 8 if quick else 32, "ps": ps}
    grid = {"m": (32, 64) if quick else (64, 128, 256), "l1": (0.1, 0.2) if quick else (0.05, 0.1, 0.2)}
    return Sweep(name="tradeoff-quick" if quick else "tradeoff", point=tradeoff_point, grid=grid, fixed=fixed, seed=seed)


@reproduction("tradeoff", "excess loss against polysemantic count with co-occurring features (issue 8)")
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
            rows.append([n, prm["m"], prm["l1"], p, k.size, k.mean(), _se(k), d.mean(), ex.mean(), _se(ex), pr.mean(),
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
