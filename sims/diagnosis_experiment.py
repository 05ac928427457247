"""`incidental reproduce diagnosis` (issue 9 item 2): how often training's solution is one move from a
strictly better one, as a function of the co-occurrence probability p, with the theory's prediction.

Each point trains ``instances`` models with co-occurrence p from N(0, 1/m) (proximal GD, lr 0.1, λt = 20,
on L_0 + pL_1: ``sims.cooccurrence_train``), then reads each trained W with ``sims.diagnosis``: whether a
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

from theory import ModelSpec
from theory.cooccurrence import monosemantic_weight, shared_pair_cost

from ._io import atomic_csv, pyplot, save_figure
from .cooccurrence_pairs import SURVIVAL_KAPPA, surviving_pairs
from .cooccurrence_train import Cooccurrence, flow_time_config, train_cooccurrence
from .diagnosis import diagnose, repair
from .reproduce import RunOptions, reproduction
from .sweep import Sweep, run_sweep

__all__ = ["PS", "diagnosis_point", "diagnosis_sweep", "predicted_one_move_fraction", "predicted_repair_saving"]

PS = (0.0, 0.0025, 0.005, 0.01, 0.02)


def predicted_one_move_fraction(p, n: int, m: int, l1: float, *, kappa: float = SURVIVAL_KAPPA):
    """1 − exp(−μ(p)), μ = ``surviving_pairs`` = n(n − 1)/(4m)·exp(−κp/λ), for p > 0; 0 at p = 0 (a ± pair
    is free there)."""
    p = np.asarray(p, dtype=float)
    return np.where(p > 0, -np.expm1(-surviving_pairs(p, n, m, l1, kappa=kappa)), 0.0)


def predicted_repair_saving(p, n: int, m: int, l1: float, *, kappa: float = SURVIVAL_KAPPA):
    """μ(p)·Δ(p): surviving pairs times the price of each, Δ(p) = 2p[1 − (1 − w*²)²] at w* = w*(λ)."""
    p = np.asarray(p, dtype=float)
    return surviving_pairs(p, n, m, l1, kappa=kappa) * np.asarray(shared_pair_cost(p, monosemantic_weight(l1)),
                                                                   dtype=float)


def diagnosis_point(*, rng, p: float, n: int, m: int, l1: float, instances: int, init_seed: int) -> dict:
    """Per instance: "better" (``repair`` lowered L_p by more than round-off: a single move strictly lowers it,
    same-sign neurons aside, which repair leaves alone), "incidental", "necessary", "same_sign"
    (neurons so labelled) and "saving" (L_p before − after ``repair``). Every p starts from the same weights
    (seeded by ``init_seed``; ``rng`` unused), so the comparison across p is paired."""
    gen = np.random.default_rng(init_seed)
    W = train_cooccurrence(ModelSpec(n=n, m=m, l1=l1), flow_time_config(l1, instances), Cooccurrence(p=p),
                           rng=gen, metrics=lambda W, s: {}).W
    out = {k: [] for k in ("better", "incidental", "necessary", "same_sign", "saving")}
    for Wi in W:
        labels = [d.label for d in diagnose(Wi, l1=l1, p=p)]
        for key, label in (("incidental", "incidental"), ("necessary", "necessary"), ("same_sign", "same-sign")):
            out[key].append(labels.count(label))
        # repair re-diagnoses W; with no incidental neuron it would make no move (saving 0, not improved)
        fixed = repair(Wi, l1=l1, p=p) if "incidental" in labels else None
        out["better"].append(fixed is not None and fixed.improved)
        out["saving"].append(fixed.saving if fixed is not None else 0.0)
    return out


def diagnosis_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    fixed = {"n": 32, "m": 128, "l1": 0.1, "instances": 8 if quick else 64, "init_seed": seed}
    return Sweep(name="diagnosis-quick" if quick else "diagnosis", point=diagnosis_point, grid={"p": PS},
                 fixed=fixed, seed=seed)


@reproduction("diagnosis", "how often trained solutions are one move from a strictly better one, vs p (issue 9)")
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
                     float(predicted_one_move_fraction(p, n, m, l1)), np.mean(r["incidental"]), np.mean(r["necessary"]),
                     np.mean(r["same_sign"]), saving.mean(), saving.std(ddof=1) / np.sqrt(k),
                     float(predicted_repair_saving(p, n, m, l1))])
    header = ["p", "n", "m", "l1", "instances", "one_move_better", "one_move_better_se", "predicted_fraction",
              "incidental", "necessary", "same_sign", "repair_saving", "repair_saving_se", "predicted_saving"]
    csv = atomic_csv(out / "diagnosis.csv", header, rows)
    a = np.array(rows, dtype=float)
    grid = np.linspace(0, max(PS), 200)
    plt = pyplot()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    ax.errorbar(a[:, 0] / l1, a[:, 5], yerr=a[:, 6], fmt="o", capsize=3, label="trained (± binomial SE)")
    ax.plot(grid[1:] / l1, predicted_one_move_fraction(grid[1:], n, m, l1), "r-", label="1 − exp(−μ(p)), p > 0")
    ax.plot([0], [0], "r_", ms=14, mew=2, label="0 at p = 0 (± pairs free)")
    ax.set_xlabel("co-occurrence p/λ")
    ax.set_ylabel("fraction one move from strictly better")
    ax.legend(fontsize=8)
    ax2.errorbar(a[:, 0] / l1, a[:, 11], yerr=a[:, 12], fmt="o", capsize=3, label="repair saving (± SE)")
    ax2.plot(grid / l1, predicted_repair_saving(grid, n, m, l1), "r-", label="μ(p)·Δ(p)")
    ax2.set_xlabel("co-occurrence p/λ")
    ax2.set_ylabel("L_p saved by repair")
    ax2.legend(fontsize=8)
    fig.suptitle(f"Diagnosis after training, n = {n}, m = {m}, λ = {l1}, prox-GD λt = 20, κ = {SURVIVAL_KAPPA}"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "diagnosis.png")
    return [png, csv]
