"""The paper's noise experiment (§3.2, fourth_norm.py) and its extension to other noise families.

n = 8 features, m = 16 neurons, λ = 0, plain SGD (lr 0.02) with hidden noise ξ drawn fresh every
step and shared by the inputs and the 5 instances; the normalised fourth norm Σ_k W_ik⁴/‖W_i‖⁴,
averaged over features, is recorded at geometrically spaced steps. The paper runs 1e5 steps
with bipolar and Gaussian noise at σ ∈ {0.07, 0.1, 0.15}; we add uniform (κ = −1.2) and Laplace
(κ = +3). Theory (theory.noise_loss): the fourth norm drifts with sign(−κ); the bipolar end state
is the neuron-aligned centred simplex, fourth norm [(1 − 1/n)⁴ + (n − 1)/n⁴]/(1 − 1/n)²; a random
direction has 3/(m + 2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from theory import excess_kurtosis
from theory.noise_loss import random_direction_fourth_norm, simplex_fourth_norm

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import noise_sweep
from ..studies.noise import FAMILIES, SIGMAS

__all__ = ["reproduce_noise"]


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over instances (axis 1) and its 95% Student-t confidence interval."""
    k = values.shape[1]
    mean = values.mean(axis=1)
    half = stats.t.ppf(0.975, k - 1) * values.std(axis=1, ddof=1) / np.sqrt(k)
    return mean, mean - half, mean + half


@reproduction("noise", "fourth norm under hidden noise: bipolar, uniform, Gaussian, Laplace (paper §3.2)")
def reproduce_noise(out: Path, options: RunOptions) -> list[Path]:
    """Write noise.csv (mean and 95% CI per family, σ, step) and noise.png (one panel per family)."""
    sweep = noise_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    n, m = sweep.fixed["n"], sweep.fixed["m"]
    rows, curves = [], {}
    for row in res.rows:
        p, r = row["params"], row["result"]
        steps = np.array(r["steps"])
        mean, lo, hi = _band(np.array(r["fourth_norm"]))
        paper_mean = np.array(r["fourth_power_sum"]).mean(axis=1)
        curves[p["family"], p["sigma"]] = (steps, mean, lo, hi)
        rows += [[p["family"], p["sigma"], excess_kurtosis(p["family"]), int(s), a, b, c, d]
                 for s, a, b, c, d in zip(steps, mean, lo, hi, paper_mean)]
    csv = atomic_csv(out / "noise.csv", ["family", "sigma", "excess_kurtosis", "step", "fourth_norm_mean",
                                         "ci95_low", "ci95_high", "paper_fourth_power_sum_mean"], rows)

    plt = pyplot()
    fig, axes = plt.subplots(1, len(FAMILIES), figsize=(4 * len(FAMILIES), 3.6), sharey=True, layout="constrained")
    colours = dict(zip(SIGMAS, ("tab:orange", "tab:red", "tab:purple")))
    for ax, family in zip(axes, FAMILIES):
        for sigma in SIGMAS:
            steps, mean, lo, hi = curves[family, sigma]
            x = np.maximum(steps, 1)
            ax.plot(x, mean, color=colours[sigma], label=f"σ = {sigma}")
            ax.fill_between(x, lo, hi, color=colours[sigma], alpha=0.25, linewidth=0)
        ax.axhline(simplex_fourth_norm(n), color="k", ls="--", lw=1, label="aligned simplex")
        ax.axhline(random_direction_fourth_norm(m), color="grey", ls=":", lw=1, label="random direction 3/(m+2)")
        ax.set_xscale("log")
        ax.set_xlabel("SGD steps (lr 0.02)")
        ax.set_title(f"{family} (excess kurtosis {excess_kurtosis(family):+g})", fontsize=10)
    axes[0].set_ylabel("mean Σ_k W_ik⁴ / ‖W_i‖⁴ (95% CI, 5 instances)")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Fourth norm under hidden noise, n = {n}, m = {m}, λ = 0"
                 + (" (quick: 2e4 steps)" if options.quick else ""))
    png = save_figure(fig, out / "noise.png")
    return [png, csv]
