"""Feature visualisation against the known ± neurons of trained toy models (``sims.studies.feature_visualisation``).

n = 64 features, prox-GD models (λ = 0.2, lr 0.01, 8000 steps), every live neuron visualised with lucent's
defaults (simplex inputs, B = 8, Adam lr 0.05, 512 steps) under each setting of ``FACET_SETTINGS``: the h²
objective with no diversity, with cosine or lucid's Gram diversity at weights 0.01…100 (lucid's published value
is 100; activations here are of order 1), the signed objective, and a ReLU hidden layer. Truth: neurons that
are the dominant neuron of exactly one + and one − feature.

Panels: (a) recall of the ± neurons (two facets) against the diversity weight, per term and m; (b) the fraction
of monosemantic neurons shown with one facet; (c) per model, the ± neurons of the weights and the two-facet
neurons of three settings against m, with the independent-placement law n(n − 1)/(4m)
(``theory.collisions.expected_overlap_distinct``). Also the shared-feature control (cat/car/fur) per setting.

Files: facets.png (prox-GD models), facets.csv (per recipe, m and setting: counts, precision, recall, monosemantic
shown; the full run adds the paper's AdamW recipe), facets_control.csv (the control's facets per setting).
``--quick``: m ∈ {64, 256}, 1 model per point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.collisions import expected_overlap_distinct

from ..dynamics.visualise import VisualisationConfig
from ..runs.grids import facets_sweep
from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.sweep import run_sweep
from ..studies.feature_visualisation import (
    FACET_SETTINGS,
    FACET_WEIGHTS,
    shared_feature_control,
)
from .registry import RunOptions, reproduction

__all__ = ["reproduce_facets"]


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


@reproduction("facets", "feature visualisation with diversity against the ± neurons of trained models: recall, "
                        "monosemantic visibility and counts per diversity term and weight")
def reproduce_facets(out: Path, options: RunOptions) -> list[Path]:
    """Write facets.png, facets.csv and facets_control.csv."""
    sweep = facets_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    table = {}
    rows = []
    for row in res.rows:
        p, r = row["params"], row["result"]
        tot = {k: float(np.sum(v)) for k, v in r.items()}
        if p["recipe"] == "prox-gd":  # the panels; the CSV holds every recipe
            table[(p["m"], p["setting"])] = r
        rows.append([p["recipe"], p["m"], p["setting"], len(r["actual"]), tot["actual"], tot["reported"], tot["true_positive"],
                     _ratio(tot["true_positive"], tot["reported"]), _ratio(tot["true_positive"], tot["actual"]),
                     tot["monosemantic"], _ratio(tot["monosemantic_shown"], tot["monosemantic"])])
    csv = atomic_csv(out / "facets.csv", ["recipe", "m", "setting", "models", "pm_neurons", "reported", "true_positive",
                                          "precision", "recall", "monosemantic", "monosemantic_shown_fraction"], rows)

    control = []
    for i, (label, (objective, diversity, weight, hidden)) in enumerate(FACET_SETTINGS.items()):
        c = shared_feature_control(VisualisationConfig(objective=objective, diversity=diversity, weight=weight,
                                                       hidden=hidden),
                                   rng=np.random.SeedSequence([options.seed, i]))
        control.append([label, " | ".join("+".join(f) for f in c.shared_facets) or "(none)",
                        " | ".join("+".join(f) for f in c.incidental_facets) or "(none)",
                        "+".join(c.shared_objects), "+".join(c.incidental_objects)])
    control_csv = atomic_csv(out / "facets_control.csv", ["setting", "fur_neuron_facets", "incidental_neuron_facets",
                                                          "fur_neuron_objects", "incidental_neuron_objects"], control)

    ms = sorted({m for m, _ in table})
    colours = dict(zip(ms, ("tab:blue", "tab:orange", "tab:green")))
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), layout="constrained")

    def pooled(m, setting, num, den):
        r = table[(m, setting)]
        return _ratio(float(np.sum(r[num])), float(np.sum(r[den])))

    for ax, (num, den, label) in zip(axes[:2], (("true_positive", "actual", "recall of the ± neurons (two facets)"),
                                                ("monosemantic_shown", "monosemantic",
                                                 "monosemantic neurons shown with one facet"))):
        for m in ms:
            for term, style in (("cosine", "-o"), ("gram", "--s")):
                ax.plot(FACET_WEIGHTS, [pooled(m, f"{term}@{w:g}", num, den) for w in FACET_WEIGHTS], style,
                        color=colours[m], mfc="none", label=f"{term}, m = {m}")
            ax.axhline(pooled(m, "none", num, den), color=colours[m], lw=0.8, ls=":")
        ax.axvline(100.0, color="grey", lw=0.8, ls="-.")
        ax.text(100.0, 0.5, " lucid's\n weight", fontsize=7, color="grey", ha="right")
        ax.set_xscale("log")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("diversity weight w (objective − w·S/B)")
        ax.set_title(label, fontsize=10)
    axes[0].legend(fontsize=7, loc="center left")
    axes[0].text(0.01, 0.02, "dotted: no diversity", transform=axes[0].transAxes, fontsize=7)

    ax = axes[2]
    grid = np.arange(min(ms), max(ms) + 1)
    ax.plot(grid, expected_overlap_distinct(n, grid), color="k", lw=1, label="n(n − 1)/(4m)")
    for k, (setting, marker) in enumerate((("none", "o"), ("cosine@0.3", "^"), ("gram@0.3", "v"))):
        y = [np.mean(table[(m, setting)]["reported"]) for m in ms]
        ax.plot(np.array(ms) * (1 + 0.04 * (k + 1)), y, marker, mfc="none", label=f"two facets: {setting}")
    truth = [np.mean(table[(m, "none")]["actual"]) for m in ms]
    ax.plot(ms, truth, "k*", ms=9, label="± neurons of the weights")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("m (neurons)")
    ax.set_ylabel("neurons per model")
    ax.set_title(f"counts per model (n = {n})", fontsize=10)
    ax.legend(fontsize=7)
    png = save_figure(fig, out / "facets.png")
    return [png, csv, control_csv]
