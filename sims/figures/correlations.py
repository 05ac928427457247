"""The paper's initialisation figure (§3.5, correlations.py): the start–end correlation matrix.

C_ab = ⟨W_a(0), W_b(T)⟩ (weight² units), averaged over instances, after the paper's recipe (AdamW lr
1e-3, weight decay 0.01, λ = 1e-3, 7500 steps, float32) at n = 256, m = 4096, 16 instances
(``--quick``: n = 64, m = 1024, 8 instances), through the resumable sweep ``correlations``
(``sims.runs.grids.start_end_correlations``). A bright diagonal means that each feature's final encoding
is decided by its own initial row.

The mean diagonal is compared with two predictions: after the winner-take-all each feature sits on
one neuron k with weight ±w* of the initial sign, so C_aa = w*·|W_ak(0)|, and

* winner = initial argmax (exact for the single-feature ℓ1 flow, §2.3a):
  C_aa = w*·E max_k |W_ak(0)| (``theory.collisions.expected_max_abs_normal(m, 1/√m)``);
* winner = a random neuron: C_aa = w*·E|W| = w*·√(2/(πm)) (``expected_abs_normal(1/√m)``),

with w* the trained weight measured as the mean |W_ak(T)| at each feature's dominant neuron (the ℓ1
fixed point of §2.6, w* = ``theory.fixed_point(λ/4)``, is listed beside it). Both are also computed
from the same initial weights (mean over features of max_k |W_ak(0)|, and mean |W_ak(0)|, times the
measured w*), so the figure compares like with like, and the "actual winner" value w*·|W_ak(0)| at
the final dominant neuron shows how much of the diagonal the winner's own initial weight explains.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from theory.collisions import expected_abs_normal, expected_max_abs_normal
from theory.single_feature import fixed_point
from theory.units import paper_lambda

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..measure.statistics import mean_se
from ..runs.sweep import run_sweep
from ..runs.grids import make_sweep

__all__ = ["diagonal_predictions", "reproduce_correlations"]

HEADER = ("n", "m", "l1", "steps", "instances",
          "diagonal_mean", "diagonal_se", "offdiagonal_mean", "offdiagonal_std_mean", "matrix_offdiagonal_std",
          "argmax_fraction_mean",
          "w_star_measured", "w_star_se", "w_star_fixed_point",
          "argmax_prediction", "argmax_prediction_empirical", "random_prediction", "random_prediction_empirical",
          "winner_init_empirical", "argmax_prediction_fixed_point", "random_prediction_fixed_point",
          "diagonal_position")


def diagonal_predictions(result, *, m: int, l1: float) -> dict[str, float]:
    """The measured mean diagonal of C and its predictions from one ``start_end_correlations`` result.

    Keys follow ``HEADER``: ``offdiagonal_std_mean`` is the per-instance spread of C_ab (a ≠ b),
    ``matrix_offdiagonal_std`` that of the instance-averaged C (the heatmap's background);
    ``argmax_prediction`` = w*·E max_k|W_ak(0)|, ``random_prediction`` = w*·√(2/(πm)) (theory, measured
    w*); ``*_empirical`` use the same W(0) (per-instance means times that instance's w*, averaged);
    ``*_fixed_point`` use w* = fixed_point(λ/4); ``diagonal_position`` = (diagonal − random)/(argmax −
    random), in (0, 1) when the diagonal lies between the two. Weight² units (w* in weight units).
    """
    w = np.asarray(result["w_star"], dtype=float)
    diag, diag_se = mean_se(result["corr_diagonal"])
    w_star, w_se = mean_se(w)
    scale = 1.0 / math.sqrt(m)
    e_max, e_abs = expected_max_abs_normal(m, scale), expected_abs_normal(scale)
    try:
        w_fixed = fixed_point(paper_lambda(l1))  # λ in the paper's flow units is λ_code/4
    except ValueError:  # λ beyond the fixed point's existence
        w_fixed = float("nan")
    argmax, random = w_star * e_max, w_star * e_abs
    C = np.asarray(result["matrix"], dtype=float)
    return {"diagonal_mean": diag, "diagonal_se": diag_se,
            "offdiagonal_mean": float(np.mean(result["corr_offdiagonal_mean"])),
            "offdiagonal_std_mean": float(np.mean(result["corr_offdiagonal_std"])),
            "matrix_offdiagonal_std": float(C[~np.eye(C.shape[0], dtype=bool)].std()),
            "argmax_fraction_mean": float(np.mean(result["argmax_fraction"])),
            "w_star_measured": w_star, "w_star_se": w_se, "w_star_fixed_point": w_fixed,
            "argmax_prediction": argmax,
            "argmax_prediction_empirical": float(np.mean(w * np.asarray(result["init_max_abs"]))),
            "random_prediction": random,
            "random_prediction_empirical": float(np.mean(w * np.asarray(result["init_mean_abs"]))),
            "winner_init_empirical": float(np.mean(w * np.asarray(result["winner_init_abs"]))),
            "argmax_prediction_fixed_point": w_fixed * e_max, "random_prediction_fixed_point": w_fixed * e_abs,
            "diagonal_position": (diag - random) / (argmax - random)}


@reproduction("correlations", "start–end weight correlations: the diagonal against argmax and random winners (paper §3.5)")
def reproduce_correlations(out: Path, options: RunOptions) -> list[Path]:
    """Write correlations.csv (diagonal summary and predictions per m), correlations-matrix.csv (the
    averaged C at the largest m) and correlations.png (heatmap; diagonal against the predictions)."""
    sweep = make_sweep("correlations", quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, l1, steps = sweep.fixed["n"], sweep.fixed["l1"], sweep.fixed["steps"]
    summaries, rows = [], []
    for row in res.rows:
        p, r = row["params"], row["result"]
        s = diagonal_predictions(r, m=p["m"], l1=p["l1"])
        summaries.append((p["m"], s))
        rows.append([n, p["m"], p["l1"], p["steps"], len(r["corr_diagonal"])] + [s[k] for k in HEADER[5:]])
    csv = atomic_csv(out / "correlations.csv", HEADER, rows)

    last = max(res.rows, key=lambda row: row["params"]["m"])
    m_show = last["params"]["m"]
    C = np.asarray(last["result"]["matrix"], dtype=float)
    matrix_csv = atomic_csv(out / "correlations-matrix.csv", ["a"] + [f"b{b}" for b in range(C.shape[1])],
                            [[a] + [float(x) for x in C[a]] for a in range(C.shape[0])])

    plt = pyplot()
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(14, 4.8), layout="constrained")
    vmax = float(np.max(np.abs(C)))
    im = ax0.imshow(C, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    fig.colorbar(im, ax=ax0, shrink=0.85, label="⟨W_a(0), W_b(T)⟩")
    ax0.set_xlabel("feature b (trained row W_b(T))")
    ax0.set_ylabel("feature a (initial row W_a(0))")
    ax0.set_title(f"Weight correlations, n = {n}, m = {m_show}, mean of {len(last['result']['corr_diagonal'])} "
                  "instances", fontsize=9)

    ms = np.array([m for m, _ in summaries])
    w_star = float(np.mean([s["w_star_measured"] for _, s in summaries]))
    grid = np.unique(np.geomspace(max(2, ms.min() / 16), ms.max() * 4, 60).round().astype(int))
    ax1.plot(grid, [w_star * expected_max_abs_normal(int(m), 1 / math.sqrt(m)) for m in grid], "C3-",
             label=f"winner = initial argmax: w*·E max_k|W_ak(0)| (w* = {w_star:.3f})")
    ax1.plot(grid, [w_star * expected_abs_normal(1 / math.sqrt(m)) for m in grid], "C0-",
             label="winner = random neuron: w*·√(2/(πm))")
    pick = {k: np.array([s[k] for _, s in summaries]) for k in HEADER[5:]}
    ax1.errorbar(ms, pick["diagonal_mean"], yerr=pick["diagonal_se"], fmt="ko", mfc="none", mew=1.5, ms=12,
                 capsize=4, label="measured mean diagonal C_aa (± SE over instances)")
    ax1.plot(ms, pick["argmax_prediction_empirical"], "C3D", mfc="none", ms=9, label="argmax, from the same W(0)")
    ax1.plot(ms, pick["random_prediction_empirical"], "C0D", mfc="none", ms=9, label="random, from the same W(0)")
    ax1.plot(ms, pick["winner_init_empirical"], "C2*", ms=8, zorder=5, label="actual winner: w*·|W_ak(0)| at the final neuron")
    ax1.plot(ms, pick["offdiagonal_std_mean"], "x", color="grey", ms=8, label="off-diagonal std, one instance")
    ax1.plot(ms, pick["matrix_offdiagonal_std"], "+", color="grey", ms=10,
             label="off-diagonal std of the averaged C (heatmap background)")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("hidden neurons m")
    ax1.set_ylabel("mean diagonal ⟨W_a(0), W_a(T)⟩")
    ax1.set_title(f"Mean diagonal against the two predictions (λ = {l1:g}, {steps} steps)\n"
                  f"the initial argmax is the final neuron for {pick['argmax_fraction_mean'].mean():.1%} of features",
                  fontsize=9)
    ax1.grid(alpha=0.3, which="both")
    ax1.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if options.quick:
        fig.suptitle("quick size", fontsize=9)
    png = save_figure(fig, out / "correlations.png")
    return [png, csv, matrix_csv]
