"""Three measures of a task network's neurons against the known truth, and the facets of digit neurons
(``sims.studies.neuron_measures``).

``synthetic-task``: k = 16 known features (p = 0.1), ReLU networks of width 32 (AdamW, lr 0.01, 2000 steps of
64), input dimension d from superposition (d < k, random unit directions) to orthogonal (d >= k, orthonormal
directions); per point, the precision and recall of each measure (activation-based feature means, weight
projections, facets of a cosine-diversity visualisation) against the truth Δ_fk = h_k(½ e_f) − h_k(0) >= ½ max,
for the polysemantic neurons and for the (feature, neuron) pairs; mean ± SE over independent replicates (tasks
and networks). Quick: λ = 0.01, d ∈ {4, 8, 16}, 3 replicates of 4 networks; full: λ ∈ {0.001, 0.01},
d ∈ {2, 4, 8, 16, 32}, 5 replicates of 8 networks. Files: synthetic-task.png, synthetic-task.csv (per point).
Its right-hand panel is the toy model's count law on the task (``sims.studies.synthetic_law``, as the claims
``task.synthetic-count-vs-m(-full)``): k = 16 orthonormal features, p = 1/k, label = feature, λ = 0.01 on W₁ under
AdamW and under proximal GD (``sims.runs.grids.synthetic_law_sweeps``); the truth-defined polysemantic count
(neurons with >= 2 features) against width m, mean ± SE over networks (8 per point at m ∈ {32, 64, 128} quick; 16
at m ∈ {16, …, 256} full), beside the toy count k(k − 1)/(4m) (``theory.collisions.expected_overlap_distinct``).
synthetic-task_law.csv: one row per (optimiser, m).

``digits-facets``: one digits network (width 32, 10 classes); its most polysemantic neurons (most classes by
class-conditional mean activation) visualised with cosine diversity (pre-activation, pixel box [0, 1]^64); each
row shows the neuron's class means (bars, activation-based classes in red) and its 8 optimised images with the
network's predicted class and facet. Quick: 4 neurons at w = 0.3 and 3; full: 8 neurons at w = 0, 0.3, 3 and 30
(the pre-activations at the optimum are ≈ 10, so 0.3 barely moves the batch and 30 pushes it off the neuron). Files:
digits-facets.png, digits-facets.csv (neuron, image, facet, facet class, nearest class-mean class, activation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.collisions import expected_overlap_distinct

from ..measure.statistics import mean_se
from ..runs.grids import make_sweep, synthetic_law_sweeps
from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.sweep import run_sweep
from ..studies.neuron_measures import MEASURES
from .registry import RunOptions, reproduction

__all__ = ["reproduce_digits_facets", "reproduce_synthetic_task"]

TARGETS = ("polysemantic", "features")
STATS = ("precision", "recall")
LAW_MEASURES = ("polysemantic", "encoding", "live", "features_encoded", "neurons_per_feature", "test_accuracy")


def _mean_se(values) -> tuple[float, float]:
    """``mean_se`` of the values that are not NaN; (NaN, NaN) when none is."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return mean_se(v) if v.size else (float("nan"), float("nan"))


@reproduction("synthetic-task", "precision and recall of activation-, weight- and facet-based feature sets of a "
                                "task network's neurons against the synthetic task's known features, against d/k")
def reproduce_synthetic_task(out: Path, options: RunOptions) -> list[Path]:
    """Write synthetic-task.png and synthetic-task.csv."""
    sweep = make_sweep("synthetic-task", quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    k = sweep.fixed["n_features"]
    columns = [f"{m}_{t}_{s}" for m in MEASURES for t in TARGETS for s in STATS]
    rows, groups = [], {}
    for row in res.rows:
        p, r = row["params"], row["result"]
        l1 = p.get("l1", sweep.fixed.get("l1"))
        rows.append([l1, p["d"], p["d"] / k, p["replicate"], r["neurons"], r["truth_polysemantic"],
                     r["test_accuracy"], *(r[c] for c in columns)])
        groups.setdefault((l1, p["d"]), []).append(r)
    csv = atomic_csv(out / "synthetic-task.csv", ["l1", "d", "d_over_k", "replicate", "neurons",
                                                  "truth_polysemantic", "test_accuracy", *columns], rows)

    law_rows, law = [], {}
    for name, law_sweep in synthetic_law_sweeps(quick=options.quick, seed=options.seed).items():
        law_res = run_sweep(law_sweep, out, workers=options.workers, scheduler=options.scheduler,
                            progress=options.progress)
        for row in law_res.rows:
            p, r = row["params"], row["result"]
            toy = float(expected_overlap_distinct(p["k"], p["width"]))
            count, count_se = mean_se(r["polysemantic"])
            law_rows.append([name, p["optimizer"], p["lr"], p["l1"], p["k"], p["width"], len(r["polysemantic"]),
                             *(v for key in LAW_MEASURES for v in mean_se(r[key])), toy, count / toy])
            law.setdefault(name, []).append((p["width"], count, count_se, toy))
        law_l1, law_k = law_sweep.fixed["l1"], law_sweep.fixed["k"]
    law_csv = atomic_csv(out / "synthetic-task_law.csv",
                         ["recipe", "optimizer", "lr", "l1", "k", "width", "instances",
                          *(f"{key}_{stat}" for key in LAW_MEASURES for stat in ("mean", "se")), "toy",
                          "count_over_toy"], law_rows)

    plt = pyplot()
    fig = plt.figure(figsize=(15, 7), layout="constrained")
    grid = fig.add_gridspec(2, 3)
    axes = np.empty((2, 2), dtype=object)
    for i in range(2):
        for j in range(2):
            axes[i, j] = fig.add_subplot(grid[i, j], sharex=axes[0, 0] if (i, j) != (0, 0) else None)
    colours = dict(zip(MEASURES, ("tab:blue", "tab:orange", "tab:green")))
    l1s = sorted({key[0] for key in groups})
    styles = dict(zip(l1s, ("-o", "--s", ":^")))
    for (i, target), (j, stat) in ((a, b) for a in enumerate(TARGETS) for b in enumerate(STATS)):
        ax = axes[i, j]
        for l1 in l1s:
            ds = sorted(d for (lam, d) in groups if lam == l1)
            for m in MEASURES:
                stats = [_mean_se([r[f"{m}_{target}_{stat}"] for r in groups[(l1, d)]]) for d in ds]
                ax.errorbar(np.array(ds) / k, [s[0] for s in stats], yerr=[s[1] for s in stats], fmt=styles[l1],
                            color=colours[m], mfc="none", capsize=2, label=f"{m}, λ = {l1:g}")
        ax.axvline(1.0, color="grey", lw=0.8, ls="-.")
        ax.set_xscale("log", base=2)
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"{stat} of the {'polysemantic neurons' if target == 'polysemantic' else 'feature sets'}",
                     fontsize=10)
        if i == 1:
            ax.set_xlabel("d / k (< 1: features in superposition; ≥ 1: orthonormal)")
    axes[0, 0].legend(fontsize=7)
    ax = fig.add_subplot(grid[:, 2])
    for (name, points), style in zip(law.items(), ("o-", "^-")):
        m, count, count_se, toy = (np.array(v, float) for v in zip(*sorted(points)))
        ax.errorbar(m, count, yerr=count_se, fmt=style, ms=4, capsize=2,
                    label=f"{name}, λ = {law_l1:g} (mean ± SE)")
    ax.plot(m, toy, "k--", label="toy k(k − 1)/(4m)")
    ax.set(xscale="log", yscale="log", xlabel="hidden neurons m", ylabel="polysemantic neurons (truth) per network",
           title=f"count law: k = {law_k} orthonormal features, p = 1/k", xticks=m,
           xticklabels=[f"{v:g}" for v in m])
    ax.yaxis.set_major_formatter("{x:g}")
    ax.minorticks_off()
    ax.title.set_fontsize(10)
    ax.legend(fontsize=7)
    fig.suptitle(f"Three measures of a neuron's features against the truth (k = {k} features, width "
                 f"{sweep.fixed['width']}; mean ± SE over replicates), and the toy model's count law on the task",
                 fontsize=10)
    png = save_figure(fig, out / "synthetic-task.png")
    return [png, csv, law_csv]


@reproduction("digits-facets", "facet images of the most polysemantic digit neurons (cosine diversity), with "
                               "each neuron's class means")
def reproduce_digits_facets(out: Path, options: RunOptions) -> list[Path]:
    """Write digits-facets.png and digits-facets.csv."""
    sweep = make_sweep("digits-facets", quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    rows, blocks = [], []
    for row in res.rows:
        w, r = row["params"]["weight"], row["result"]
        for i, neuron in enumerate(r["neuron"]):
            blocks.append((w, i, r))
            for b in range(len(r["images"][i])):
                f = r["facet"][i][b]
                rows.append([w, neuron, "+".join(map(str, r["classes"][i])), b, f,
                             r["image_class"][i][b] if f >= 0 else "", r["image_class"][i][b],
                             r["nearest_class"][i][b], r["activation"][i][b]])
    csv = atomic_csv(out / "digits-facets.csv", ["weight", "neuron", "activation_classes", "image", "facet",
                                                 "facet_class", "predicted_class", "nearest_mean_class",
                                                 "activation"], rows)
    B = max(len(r["images"][i]) for _, i, r in blocks)
    plt = pyplot()
    fig, axes = plt.subplots(len(blocks), B + 1, figsize=(1.3 * (B + 2), 1.4 * len(blocks)), layout="constrained",
                             squeeze=False, gridspec_kw={"width_ratios": [2.0] + [1.0] * B})
    for row_axes, (w, i, r) in zip(axes, blocks):
        means = np.asarray(r["class_means"][i])
        chosen = set(r["classes"][i])
        ax = row_axes[0]
        ax.bar(np.arange(means.size), means, color=["tab:red" if c in chosen else "tab:grey"
                                                    for c in range(means.size)])
        ax.set_xticks(np.arange(means.size))
        ax.tick_params(labelsize=6)
        ax.set_title(f"w = {w:g}, neuron {r['neuron'][i]}", fontsize=7)
        for b, ax in enumerate(row_axes[1:]):
            ax.imshow(np.asarray(r["images"][i][b]).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            f = r["facet"][i][b]
            ax.set_title(f"{r['image_class'][i][b]}" + (f" (f{f})" if f >= 0 else " (–)"), fontsize=7)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("Facets of the most polysemantic digit neurons: class means (red: the neuron's classes) and "
                 "optimised images (predicted class, facet; – not kept)", fontsize=9)
    png = save_figure(fig, out / "digits-facets.png")
    return [png, csv]
