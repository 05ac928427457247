"""Drawing and tabulating one feature visualisation (``incidental visualise``): the batch of each neuron as bars
over the features, kept inputs coloured by facet, the rest grey."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..runs.output import atomic_csv, pyplot, save_figure

__all__ = ["write_visualisation"]

_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def write_visualisation(out: Path, vis, found) -> list[Path]:
    """Write ``visualise.csv`` (one row per neuron and batch input: activation h_k, objective value, facet index
    or −1, the input x) and ``visualise.png`` (one panel per neuron); return the paths.

    ``vis`` is a ``sims.dynamics.visualise.Visualisation``, ``found`` its ``sims.measure.facets.Facets``.
    """
    mags = np.abs(vis.inputs)
    K, B, n = vis.inputs.shape
    facet = found.member
    rows = [[int(vis.neurons[k]), b, float(vis.activation[k, b]), float(vis.values[k, b]), int(facet[k, b]),
             *map(float, vis.inputs[k, b])] for k in range(K) for b in range(B)]
    csv = atomic_csv(out / "visualise.csv", ["neuron", "input", "activation", "objective", "facet",
                                             *(f"x_{i}" for i in range(n))], rows)
    plt = pyplot()
    fig, axes = plt.subplots(K, 1, figsize=(max(6.0, 0.12 * n + 3), 0.45 * B * K + 0.8), squeeze=False,
                             layout="constrained")
    for k, ax in enumerate(axes[:, 0]):
        for b in range(B):
            colour = "lightgrey" if facet[k, b] < 0 else _COLOURS[facet[k, b] % len(_COLOURS)]
            ax.bar(np.arange(n), 0.9 * vis.inputs[k, b] / max(mags[k, b].max(), 1e-300), bottom=B - 1 - b,
                   color=colour, width=0.8)
        names = ", ".join("{" + ", ".join(map(str, sorted(s))) + "}" for s in found.sets[k]) or "none"
        ax.set_title(f"neuron {vis.neurons[k]}: {found.count[k]} facet(s): {names}", fontsize=9)
        ax.set_yticks(np.arange(B) + 0.45, [f"h={vis.activation[k, b]:+.2f}" for b in reversed(range(B))],
                      fontsize=6)
        ax.set_xlim(-0.6, n - 0.4)
    axes[-1, 0].set_xlabel("feature (bars: each input's intensities, scaled to its largest; grey: not kept)")
    cfg = vis.config
    fig.suptitle(f"{cfg.objective} objective, {cfg.diversity} diversity w = {cfg.weight:g}, {cfg.domain} inputs, "
                 f"{cfg.hidden} hidden layer, B = {cfg.batch}, {cfg.steps} Adam steps", fontsize=9)
    png = save_figure(fig, out / "visualise.png")
    return [png, csv]
