"""Incidental polysemanticity in networks trained on real digits, and its price:
`incidental reproduce digits` and `incidental reproduce digits-tradeoff`.

Networks (``sims.studies.task_network``): 8×8 digits, one ReLU hidden layer of m neurons, cross-entropy, AdamW
lr 3e-3, 1000 steps of 64 images (``sims.runs.grids.DIGITS_RECIPE``). A neuron is polysemantic when live and its
class-conditional mean activation on the training images is >= 0.5 × its largest for 2 or more classes;
low-selectivity when its class selectivity index is < 0.5. Counts are neurons per network, mean ± SE over
networks (16 per point at full size, 8 quick). The toy model's incidental null is k(k − 1)/(4m)
(``theory.collisions.expected_overlap_distinct`` with n = k classes), and the *excess* count − null is the
share the null does not explain (the "necessary" share, excess/count).

``digits``: count and count × m against m (k = 10), count against k (m = 64), count and mean selectivity against
λ and against the excess kurtosis κ of three-point hidden noise at σ = 0.3 (m = 64), and the count of each
hidden layer of a network with two hidden layers of m neurons against m (same widths and recipe; λ = 0; the toy
null is the same k(k − 1)/(4m) for either layer). ``digits.csv``: one row per sweep point and hidden layer
(``layers`` the network's hidden layers, ``layer`` the one measured; the two-layer sweep has a row per layer).

``digits-tradeoff``: test accuracy and loss against the polysemantic count across networks, for the toy model's
mitigations (``sims.studies.task_network.DIGIT_ARMS``: 4× wider, W₁'s initial scale × 0.25 or × 4, L1 from
the start or after a warm-up, bipolar or Laplace noise), and the Pareto front of the arms' mean accuracy against
their mean count (fewer polysemantic neurons and higher accuracy both better). ``digits-tradeoff.csv``: one row
per arm (means ± SE, Spearman ρ of count with accuracy and with loss within the arm and their 95% intervals,
whether the arm is on the accuracy and on the loss front); ``digits-tradeoff_networks.csv``: one row per network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.collisions import expected_overlap_distinct

from ..measure.statistics import mean_se
from ..runs.grids import DIGITS_MORE_RELS, digits_sweeps, digits_tradeoff_sweep
from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.sweep import run_sweep
from ..studies.task_network import REL, SI_THRESHOLD, spearman_interval
from .registry import RunOptions, reproduction

__all__ = ["incidental_null", "pareto_front", "reproduce_digits", "reproduce_digits_tradeoff"]

MEASURES = ("live", "polysemantic", "count_times_m", "low_selectivity", "mean_selectivity", "test_accuracy",
            "test_loss")


def incidental_null(n_class: int, width: int) -> float:
    """The toy model's incidental count k(k − 1)/(4m) for k classes on m neurons (neurons), m >= k.

    Examples
    --------
    >>> from sims.figures.digits import incidental_null
    >>> incidental_null(10, 64)
    0.3515625
    """
    return float(expected_overlap_distinct(n_class, width))


def pareto_front(cost, value) -> np.ndarray:
    """Points not dominated: no other point has cost <= and value >= with one of them strict (bool array).

    Examples
    --------
    >>> from sims.figures.digits import pareto_front
    >>> pareto_front([1, 2, 3, 2], [0.5, 0.9, 0.8, 0.7]).tolist()
    [True, True, False, False]
    """
    c, v = np.asarray(cost, float), np.asarray(value, float)
    if c.shape != v.shape or c.ndim != 1:
        raise ValueError(f"cost and value must be 1-dimensional of one length, got shapes {c.shape}, {v.shape}")
    dominated = ((c[None, :] <= c[:, None]) & (v[None, :] >= v[:, None])
                 & ((c[None, :] < c[:, None]) | (v[None, :] > v[:, None])))
    return ~dominated.any(axis=1)


def _summary(result: dict) -> list[float]:
    out = []
    for key in MEASURES:
        out.extend(mean_se(result[key]))
    return out


def _ticks(ax, values, labels=None) -> None:
    """Major ticks at ``values`` labelled as plain numbers (no minor labels on a log axis)."""
    ax.set_xticks(list(values))
    ax.set_xticklabels(labels if labels is not None else [f"{v:g}" for v in values])
    ax.minorticks_off()


def _layer_result(result: dict, layer: int) -> dict:
    """The measures of hidden layer ``layer`` of a point's result: layer 1 unsuffixed, layer 2 ``_layer2``."""
    if layer == 1:
        return result
    suffix = f"_layer{layer}"
    return {**{key: result[f"{key}{suffix}"] for key in MEASURES if f"{key}{suffix}" in result},
            **{key: result[key] for key in ("test_accuracy", "test_loss")},
            **{key: result[f"{key}{suffix}"] for key in (f"polysemantic_rel{rel:g}" for rel in DIGITS_MORE_RELS)
               if f"{key}{suffix}" in result}}


def _header() -> list[str]:
    return [f"{key}_{stat}" for key in MEASURES for stat in ("mean", "se")]


@reproduction("digits", "polysemantic neurons of digit networks against m, classes, λ and noise kurtosis, with the "
                        "toy model's k(k−1)/(4m)")
def reproduce_digits(out: Path, options: RunOptions) -> list[Path]:
    """Write digits.csv (one row per sweep point: means ± SE, the null, the excess) and digits.png."""
    sweeps = digits_sweeps(quick=options.quick, seed=options.seed)
    results = {name: run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler,
                               progress=options.progress).rows for name, sweep in sweeps.items()}
    rows, series = [], {}
    for name, res in results.items():
        for row in res:
            prm = row["params"]
            k, m, layers = prm.get("n_class", 10), prm.get("width", 64), prm.get("layers", 1)
            null = incidental_null(k, m)
            for layer in range(1, layers + 1):
                r = _layer_result(row["result"], layer)
                count = float(np.mean(r["polysemantic"]))
                stricter = [v for rel in DIGITS_MORE_RELS
                            for v in (mean_se(r[f"polysemantic_rel{rel:g}"]) if f"polysemantic_rel{rel:g}" in r
                                      else ("", ""))]
                rows.append([name, layers, layer, k, m, prm.get("l1", 0.0), prm.get("noise_family", "none"),
                             prm.get("sigma", 0.0), prm.get("kurtosis", ""), len(r["polysemantic"]), REL,
                             SI_THRESHOLD, *_summary(r), null, count - null,
                             (count - null) / count if count > 0 else float("nan"), *stricter])
                series.setdefault(name if layers == 1 else f"{name}{layer}", []).append((prm, r, null))
    csv = atomic_csv(out / "digits.csv", ["sweep", "layers", "layer", "n_class", "width", "l1", "noise_family", "sigma", "kurtosis",
                                          "instances", "rel", "si_threshold", *_header(), "null", "excess_mean",
                                          "necessary_share",
                                          *[f"polysemantic_rel{rel:g}_{stat}" for rel in DIGITS_MORE_RELS
                                            for stat in ("mean", "se")]], rows)
    plt = pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(18, 8), layout="constrained")
    (a, b, c, g), (d, e, f, h) = axes

    def stats_of(name, key):
        xs = series[name]
        return np.array([mean_se(r[key]) for _, r, _ in xs]).T

    m = np.array([p["width"] for p, _, _ in series["width"]], float)
    cnt, cse = stats_of("width", "polysemantic")
    live, _ = stats_of("width", "live")
    null = np.array([n for _, _, n in series["width"]])
    a.errorbar(m, cnt, yerr=cse, fmt="o-", ms=4, label="polysemantic (rel 0.5), mean ± SE")
    a.plot(m, live, "s:", ms=3, color="grey", label="live neurons")
    for rel, style in zip(DIGITS_MORE_RELS, ("v-", "^-")):
        y, yse = stats_of("width", f"polysemantic_rel{rel:g}")
        a.errorbar(m, y, yerr=yse, fmt=style, ms=3, lw=0.8, label=f"polysemantic at rel {rel:g}")
    a.plot(m, null, "k--", label="toy null k(k−1)/(4m)")
    a.set(xscale="log", yscale="log", xlabel="hidden neurons m", ylabel="neurons per network", title="k = 10")
    a.legend(fontsize=7)
    _ticks(a, m)
    cm, cmse = stats_of("width", "count_times_m")
    b.errorbar(m, cm, yerr=cmse, fmt="o-", ms=4, label="count × m")
    b.plot(m, null * m, "k--", label="toy: k(k−1)/4 (flat)")
    b.set(xscale="log", yscale="log", xlabel="hidden neurons m", ylabel="count × m (neurons²)", title="the 1/m law")
    b.legend(fontsize=7)
    _ticks(b, m)
    k = np.array([p["n_class"] for p, _, _ in series["classes"]], float)
    kc, kse = stats_of("classes", "polysemantic")
    c.errorbar(k, kc, yerr=kse, fmt="o-", ms=4, label="measured")
    c.plot(k, [n for _, _, n in series["classes"]], "k--", label="toy null k(k−1)/(4·64)")
    c.set_yscale("symlog", linthresh=0.01)
    c.set(xlabel="classes k", ylabel="polysemantic neurons", title="m = 64")
    c.legend(fontsize=7)
    for ax, name, key, xlabel in ((d, "l1", "l1", "λ (nats per unit |W₁|)"),
                                  (e, "kurtosis", "kurtosis", "excess kurtosis κ of the hidden noise (σ = 0.3)")):
        x = np.array([p[key] for p, _, _ in series[name]], float)
        if name == "l1":
            raw = x
            x = np.where(x > 0, x, np.min(x[x > 0]) / 3)
            ax.set_xscale("log")
            _ticks(ax, x, [f"{v:g}" for v in raw])
        y, yse = stats_of(name, "polysemantic")
        ax.errorbar(x, y, yerr=yse, fmt="o-", ms=4, label="polysemantic")
        lv, _ = stats_of(name, "live")
        ax.plot(x, lv, "s:", ms=3, color="grey", label="live")
        ax.set(xlabel=xlabel, ylabel="neurons (m = 64)")
        twin = ax.twinx()
        si, sise = stats_of(name, "mean_selectivity")
        twin.errorbar(x, si, yerr=sise, fmt="^-", ms=4, color="tab:red", label="mean selectivity index")
        twin.set_ylabel("mean selectivity index", color="tab:red")
        ax.legend(fontsize=7, loc="lower left")
    d.set_title("L1 on W₁: toy predicts more selective")
    e.set_title("noise kurtosis: toy predicts fewer for κ < 0")
    acc_w, acc_wse = stats_of("width", "test_accuracy")
    f.errorbar(m, acc_w, yerr=acc_wse, fmt="o-", ms=4, label="one hidden layer")
    f.set(xscale="log", xlabel="hidden neurons m", ylabel="test accuracy", title="accuracy against width")
    _ticks(f, m)
    m2 = np.array([p["width"] for p, _, _ in series["two-layer1"]], float)
    null2 = np.array([n for _, _, n in series["two-layer1"]])
    for layer, style in ((1, "o-"), (2, "s-")):
        y, yse = stats_of(f"two-layer{layer}", "polysemantic")
        g.errorbar(m2, y, yerr=yse, fmt=style, ms=4, label=f"layer {layer}, mean ± SE")
        y, yse = stats_of(f"two-layer{layer}", "count_times_m")
        h.errorbar(m2, y, yerr=yse, fmt=style, ms=4, label=f"layer {layer}")
    g.plot(m, cnt, ":", color="grey", label="one hidden layer (panel 1)")
    g.plot(m2, null2, "k--", label="toy null k(k−1)/(4m)")
    g.set(xscale="log", yscale="log", xlabel="hidden neurons m per layer", ylabel="polysemantic neurons per layer",
          title="two hidden layers of m (k = 10)")
    g.legend(fontsize=7)
    _ticks(g, m2)
    acc2, acc2se = stats_of("two-layer1", "test_accuracy")
    f.errorbar(m2, acc2, yerr=acc2se, fmt="s--", ms=4, label="two hidden layers")
    f.legend(fontsize=7)
    h.plot(m2, null2 * m2, "k--", label="toy: k(k−1)/4 (flat)")
    h.set(xscale="log", yscale="log", xlabel="hidden neurons m per layer", ylabel="count × m (neurons²)",
          title="two hidden layers: the 1/m law per layer")
    h.legend(fontsize=7)
    _ticks(h, m2)
    fig.suptitle("Polysemantic neurons of digit networks against the toy model's incidental null"
                 + (" (quick)" if options.quick else ""), fontsize=11)
    png = save_figure(fig, out / "digits.png")
    return [png, csv]


@reproduction("digits-tradeoff", "test accuracy and loss against polysemantic count of digit networks under the toy "
                                 "model's mitigations, with the Pareto front")
def reproduce_digits_tradeoff(out: Path, options: RunOptions) -> list[Path]:
    """Write digits-tradeoff.csv (per arm), digits-tradeoff_networks.csv (per network) and digits-tradeoff.png."""
    sweep = digits_tradeoff_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    arms, nets, summary = [], [], []
    for row in res.rows:
        prm, r = row["params"], row["result"]
        arm = prm["arm"]
        width = prm["width"] * (4 if arm == "wider" else 1)
        null = incidental_null(prm["n_class"], width)
        for j in range(len(r["polysemantic"])):
            nets.append([arm, j, width, *(r[key][j] for key in MEASURES), null])
        rho, lo, hi = spearman_interval(r["polysemantic"], r["test_accuracy"])
        rho_l, lo_l, hi_l = spearman_interval(r["polysemantic"], r["test_loss"])
        summary.append([arm, width, len(r["polysemantic"]), *_summary(r), null, rho, lo, hi, rho_l, lo_l, hi_l])
        arms.append((arm, r))
    count_mean = np.array([np.mean(r["polysemantic"]) for _, r in arms])
    acc_mean = np.array([np.mean(r["test_accuracy"]) for _, r in arms])
    loss_mean = np.array([np.mean(r["test_loss"]) for _, r in arms])
    for row, on, on_loss in zip(summary, pareto_front(count_mean, acc_mean), pareto_front(count_mean, -loss_mean)):
        row.extend([bool(on), bool(on_loss)])
    csv = atomic_csv(out / "digits-tradeoff.csv", ["arm", "width", "instances", *_header(), "null",
                                                   "rho_count_accuracy", "rho_low", "rho_high", "rho_count_loss",
                                                   "rho_loss_low", "rho_loss_high", "pareto_accuracy",
                                                   "pareto_loss"], summary)
    nets_csv = atomic_csv(out / "digits-tradeoff_networks.csv", ["arm", "instance", "width", *MEASURES, "null"], nets)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
    cmap = plt.get_cmap("tab10")
    for ax, key, label in zip(axes[:2], ("test_accuracy", "test_loss"), ("test accuracy", "test loss (nats)")):
        for j, (arm, r) in enumerate(arms):
            ax.plot(r["polysemantic"], r[key], "o", ms=2.5, alpha=0.35, color=cmap(j))
            (x, xs), (y, ys) = mean_se(r["polysemantic"]), mean_se(r[key])
            ax.errorbar(x, y, xerr=xs, yerr=ys, fmt="D", ms=6, color=cmap(j), mec="k", label=arm)
        ys = np.array([np.mean(r[key]) for _, r in arms])
        on = pareto_front(count_mean, ys if key == "test_accuracy" else -ys)
        order = np.argsort(count_mean[on])
        ax.plot(count_mean[on][order], ys[on][order], "k-", lw=1, label="Pareto front (arm means)")
        ax.set(xscale="log", xlabel="polysemantic neurons per network (rel 0.5; log)", ylabel=label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    for j, (arm, r) in enumerate(arms):
        axes[2].plot(np.asarray(r["polysemantic"]) / np.maximum(r["live"], 1), r["test_accuracy"], "o", ms=2.5,
                     alpha=0.5, color=cmap(j), label=arm)
    axes[2].set(xlabel="polysemantic fraction of live neurons", ylabel="test accuracy",
                title="the fraction, free of width and dead neurons")
    axes[2].grid(alpha=0.3)
    fig.suptitle("Digit networks: accuracy and loss against polysemanticity under the toy model's mitigations"
                 + (" (quick)" if options.quick else ""), fontsize=11)
    png = save_figure(fig, out / "digits-tradeoff.png")
    return [png, csv, nets_csv]
