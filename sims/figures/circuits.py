"""Circuits through polysemantic neurons (``sims.studies.circuits``): how many feature pairs the weight on each
feature's path governs, and how many spurious virtual weights of each sign trained models keep, in the incidental
(m ≥ n) and the superposition (m < n) regime, against ``theory.circuit_counts``.

Models: the two-hidden-layer circuit model, m1 = m2 = m, prox-GD at λ = 0.1 for λt = 20, read-outs oriented
(every feature learned), identity and permutation targets pooled. Panels: (a, b) the distribution of pairs per
path weight (one per learned feature) as a CDF at each m, against ``path_pairs_pmf`` with the regime's placement
("signed", q = 1/(2m), when m ≥ n; "independent", q = 1/m, when m < n); (c, d) negative and positive spurious
virtual weights per model (mean ± SE) against m, with ``spurious_sign_means`` (negative; positive + mixed) and
``spurious_count_mean``.

Files: circuits.png; circuits.csv (per regime, m and target — "both" is what is plotted: measured mean and SE of
the path pairs, of the negative and positive spurious connections, of their one-hot loss, of the layer-1 pairs and
the aligned ones, and every prediction drawn); circuits_pairs.csv (per regime, m and k: the measured fraction of
paths with k pairs and the pmf). n = 32; ``--quick``: m ∈ {8, 12, 16, 32, 64, 128}, 4 models per point; full: also
m = 24, 48, 96, 16 models.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.circuit_counts import (
    aligned_path_pairs_mean,
    alignment_chance,
    path_pairs_mean,
    path_pairs_pmf,
    spurious_count_mean,
    spurious_sign_means,
)

from ..measure.statistics import mean_se
from ..runs.grids import circuits_sweep
from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.sweep import run_sweep
from .registry import RunOptions, reproduction

__all__ = ["reproduce_circuits"]

COUNT_COLUMNS = ["regime", "m", "target", "models", "path_pairs", "path_pairs_se", "path_pairs_unaligned",
                 "path_pairs_aligned", "negative", "negative_se", "negative_predicted", "positive", "positive_se",
                 "positive_predicted", "spurious_predicted", "interference", "interference_se", "layer1_pairs",
                 "aligned_pairs", "alignment_chance", "learned"]


def _regime(n: int, m: int) -> str:
    return "incidental" if m >= n else "superposition"


def _placement(regime: str) -> str:
    return "signed" if regime == "incidental" else "independent"


def _count_row(n: int, m: int, target: str, results: list[dict]) -> list:
    regime = _regime(n, m)
    pl = _placement(regime)
    merged = {key: [x for r in results for x in r[key]] for key in results[0]}
    pp, pp_se = mean_se([float(np.mean(c)) if len(c) else np.nan for c in merged["path_pairs"]])
    neg, neg_se = mean_se(merged["spurious_negative"])
    pos, pos_se = mean_se(merged["spurious_positive"])
    inter, inter_se = mean_se(merged["interference"])
    signs = spurious_sign_means(n, m, m, placement=pl)
    return [regime, m, target, len(merged["learned"]), pp, pp_se, float(path_pairs_mean(n, m, m, placement=pl)),
            float(aligned_path_pairs_mean(n, m, m, placement=pl)), neg, neg_se, float(signs.negative), pos, pos_se,
            float(signs.positive + signs.mixed), float(spurious_count_mean(n, m, m, placement=pl)), inter, inter_se,
            float(np.mean(merged["layer1_pairs"])), float(np.mean(merged["aligned_pairs"])),
            float(alignment_chance(n, m, placement=pl)), float(np.mean(merged["learned"]))]


@reproduction("circuits", "circuits through polysemantic neurons: pairs per path weight and spurious connections by "
                          "sign against m, incidental and superposition regimes, against theory.circuit_counts")
def reproduce_circuits(out: Path, options: RunOptions) -> list[Path]:
    """Write circuits.png, circuits.csv and circuits_pairs.csv."""
    sweep = circuits_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    by = {}
    for row in res.rows:
        by.setdefault(row["params"]["m"], {})[row["params"]["target"]] = row["result"]
    ms = sorted(by)
    counts, pairs = [], []
    for m in ms:
        for target in sorted(by[m]):
            counts.append(_count_row(n, m, target, [by[m][target]]))
        counts.append(_count_row(n, m, "both", list(by[m].values())))
        regime = _regime(n, m)
        paths = np.array([c for r in by[m].values() for model in r["path_pairs"] for c in model], dtype=int)
        pmf = path_pairs_pmf(n, m, m, placement=_placement(regime))
        measured = np.bincount(paths, minlength=pmf.size)[:pmf.size] / max(paths.size, 1)
        top = int(max(paths.max(initial=1), np.flatnonzero(np.cumsum(pmf) < 1 - 1e-6).max(initial=1) + 1))
        pairs += [[regime, m, k, float(measured[k]), float(pmf[k])] for k in range(1, top + 1)]
    csv = atomic_csv(out / "circuits.csv", COUNT_COLUMNS, counts)
    pairs_csv = atomic_csv(out / "circuits_pairs.csv", ["regime", "m", "k", "measured", "predicted"], pairs)

    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5), layout="constrained")
    colours = plt.get_cmap("viridis")
    for col, regime in enumerate(("superposition", "incidental")):
        rms = [m for m in ms if _regime(n, m) == regime]
        ax = axes[0, col]
        for i, m in enumerate(rms):
            colour = colours(i / max(len(rms) - 1, 1))
            rows = [r for r in pairs if r[0] == regime and r[1] == m]
            k = np.array([r[2] for r in rows])
            ax.step(k, np.cumsum([r[3] for r in rows]), where="post", color=colour, lw=1.8, label=f"m = {m} trained")
            ax.step(k, np.cumsum([r[4] for r in rows]), where="post", color=colour, lw=1, ls="--",
                    label=f"m = {m} {_placement(regime)} placement")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("pairs governed by the path weight |F_a|·|F′_b|")
        ax.set_ylabel("fraction of paths ≤ k")
        ax.set_title(f"({'ab'[col]}) {regime}: pairs per path weight, n = {n}", fontsize=10)
        ax.legend(fontsize=7)
        ax = axes[1, col]
        both = [r for r in counts if r[0] == regime and r[2] == "both"]
        x = np.array([r[1] for r in both])
        idx = {name: COUNT_COLUMNS.index(name) for name in COUNT_COLUMNS}
        for name, colour in (("negative", "tab:blue"), ("positive", "tab:red")):
            ax.errorbar(x, [r[idx[name]] for r in both], yerr=[r[idx[name + "_se"]] for r in both], fmt="o",
                        color=colour, capsize=3, label=f"{name} (trained, ± SE)")
            ax.plot(x, [r[idx[name + "_predicted"]] for r in both], "--", color=colour, lw=1,
                    label=f"{name}{' + mixed' if name == 'positive' else ''} (theory)")
        ax.plot(x, [r[idx["spurious_predicted"]] for r in both], "k:", lw=1, label="all spurious (theory)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("m (neurons per layer)")
        ax.set_ylabel("spurious virtual weights per model")
        ax.set_title(f"({'cd'[col]}) {regime}: spurious connections by sign", fontsize=10)
        ax.legend(fontsize=7)
    fig.suptitle("Circuit model M = W1 V W2ᵀ, prox-GD λ = 0.1, oriented start; identity and permutation targets pooled",
                 fontsize=10)
    png = save_figure(fig, out / "circuits.png")
    return [png, csv, pairs_csv]
