"""Sparse dictionaries over the hidden activations of trained toy models (``sims.studies.dictionary``): does the
dictionary see the features through incidentally polysemantic neurons?

Prox-GD models (λ = 0.2, lr 0.01, 8000 steps) at fixed n and growing m ≥ n; inputs with each feature on with
probability 0.05 (intensity U[0, 1]); a dictionary with 2n latents (ReLU encoder, unit-norm decoder, L1 0.1,
projected Adam) trained on h = Wᵀx. Panels: (a) the effective feature count F (Bereska et al. 2025) against m,
with F = n and the neuron count m: F stays at n while m grows (polysemanticity without superposition, F/m = n/m);
(b) MCC, the mean matched |cos| to the true feature directions W_i; (c) how many latents load on a ± neuron and on
a monosemantic one (2 and 1 if the dictionary splits every incidental neuron into its two features).

Files: dictionary.png, dictionary.csv (per m and model: MCC, signed MCC, F, F/m, dead latents, L0, FVU),
dictionary_latents.csv (per m: the histogram of latents per ± and per monosemantic neuron).
``--quick``: n = 32, m ∈ {32, 64, 128}, 1 model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..runs.grids import dictionary_sweep
from ..runs.output import atomic_csv, pyplot, save_figure
from ..runs.sweep import run_sweep
from .registry import RunOptions, reproduction

__all__ = ["reproduce_dictionary"]


@reproduction("dictionary", "sparse dictionaries of trained models' activations: effective feature count F = n "
                            "against m, MCC, latents per ± and monosemantic neuron")
def reproduce_dictionary(out: Path, options: RunOptions) -> list[Path]:
    """Write dictionary.png, dictionary.csv and dictionary_latents.csv."""
    sweep = dictionary_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n = sweep.fixed["n"]
    rows, hist = [], []
    by_m = {}
    for row in res.rows:
        m, r = row["params"]["m"], row["result"]
        by_m[m] = r
        for i in range(len(r["mcc"])):
            rows.append([n, m, i, r["mcc"][i], r["signed_mcc"][i], r["F"][i], r["F"][i] / m, r["dead"][i], r["l0"][i],
                         r["fvu"][i]])
        top = max([4, *r["latents_pm"], *r["latents_mono"]])
        hist.append([m, *np.bincount(r["latents_pm"], minlength=top + 1), *np.bincount(r["latents_mono"],
                                                                                      minlength=top + 1)])
    csv = atomic_csv(out / "dictionary.csv", ["n", "m", "model", "mcc", "signed_mcc", "F", "F_over_m", "dead", "l0",
                                              "fvu"], rows)
    width = max(len(h) for h in hist)
    hist = [h + [0] * (width - len(h)) for h in hist]
    k = (width - 1) // 2
    latents_csv = atomic_csv(out / "dictionary_latents.csv",
                             ["m", *(f"pm_{j}" for j in range(k)), *(f"mono_{j}" for j in range(width - 1 - k))], hist)

    ms = sorted(by_m)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    ax = axes[0]
    for m in ms:
        ax.plot([m] * len(by_m[m]["F"]), by_m[m]["F"], "o", mfc="none", color="tab:blue")
    ax.plot(ms, [n] * len(ms), "k-", lw=1, label=f"F = n = {n}")
    ax.plot(ms, ms, "k--", lw=1, label="neurons m")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("m (neurons)")
    ax.set_ylabel("effective feature count F")
    ax.set_title("F stays at n as m grows (F/m = n/m)", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1]
    for m in ms:
        ax.plot([m] * len(by_m[m]["mcc"]), by_m[m]["mcc"], "s", mfc="none", color="tab:green")
    ax.axhline(0.99, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("m (neurons)")
    ax.set_title("MCC to the true directions W_i", fontsize=10)
    ax = axes[2]
    pm = np.concatenate([by_m[m]["latents_pm"] for m in ms]).astype(int)
    mono = np.concatenate([by_m[m]["latents_mono"] for m in ms]).astype(int)
    bins = np.arange(0, max(4, pm.max(initial=0), mono.max(initial=0)) + 2) - 0.5
    ax.hist([mono, pm], bins=bins, density=True, label=[f"monosemantic ({mono.size})", f"± ({pm.size})"],
            color=["tab:grey", "tab:red"])
    ax.set_xlabel("latents loading on the neuron")
    ax.set_ylabel("fraction of neurons")
    ax.set_title("latents per neuron (all m pooled)", fontsize=10)
    ax.legend(fontsize=8)
    fig.suptitle(f"Sparse dictionaries of prox-GD models, n = {n}, 2n latents", fontsize=10)
    png = save_figure(fig, out / "dictionary.png")
    return [png, csv, latents_csv]
