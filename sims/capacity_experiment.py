"""Capacity and geometry beyond m features (issue 8 item 4): `incidental reproduce capacity`.

With one-hot inputs, n ≤ 2m features fit losslessly as ± pairs (``theory.cooccurrence.lossless_capacity``);
any co-occurrence p > 0 cuts lossless capacity to m, and to first order the cost of fitting n > m
features is at least p·n(n − m)/m (``cooccurrence_capacity_bound``; tight for ± pairs at n = 2m and
for simplices). Beyond 2m·(one-hot) or once p/λ exceeds 2(√3 − 1) ≈ 1.46 (``triangle_break_even_ratio``),
120° triangles beat a ± pair plus a lone feature. Here models with n/m ∈ [1, 2.5] are trained (prox-GD on L_0 + pL_1, λt = 20, common
starts across p) and each feature's geometry is read off the basis-free per-feature dimensionality
D_i of Toy Models of Superposition (``sims.metrics.feature_dimensionality``): D = 1 alone,
1/2 in an antipodal pair, 2/3 in a 120° triangle, 3/4 in a tetrahedron, 0 dropped.

Losses are per active feature; the excess loss is L_p − nℓ*(λ), ℓ* the monosemantic loss.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from theory import ModelSpec
from theory.cooccurrence import cooccurrence_capacity_bound, expected_loss_exact, monosemantic_loss

from ._io import atomic_csv, pyplot, save_figure
from .cooccurrence_train import flow_time_config, train_at_each_p
from .metrics import dominant_polysemantic_count, feature_dimensionality
from .reproduce import RunOptions, reproduction
from .sweep import Sweep, run_sweep
from .train import initial_weights

__all__ = ["STRUCTURES", "capacity_point", "capacity_sweep", "incidental_split", "regimes_sweep", "structure_fractions"]

#: Structure name → the per-feature dimensionality of its regular simplex.
STRUCTURES = {"dropped": 0.0, "pair": 1 / 2, "triangle": 2 / 3, "tetrahedron": 3 / 4, "alone": 1.0}
TOLERANCE = 0.04  # |D − value| for a feature to count as that structure; otherwise "other"


def structure_fractions(W) -> dict[str, np.ndarray]:
    """Fraction of features per structure (``STRUCTURES`` within ``TOLERANCE``, else "other"), per instance."""
    D = feature_dimensionality(W)
    out, matched = {}, np.zeros(D.shape, dtype=bool)
    for name, value in STRUCTURES.items():
        hit = np.abs(D - value) <= TOLERANCE
        out[name] = hit.mean(axis=-1)
        matched |= hit
    out["other"] = (~matched).mean(axis=-1)
    return out


def incidental_split(W, *, tol: float = 1e-3) -> dict[str, np.ndarray]:
    """Polysemantic neurons split by whether a free neuron could take one of their features.

    ``polysemantic``: neurons dominant for ≥ 2 features; ``free``: neurons with no weight above
    ``tol``; ``incidental`` = min(polysemantic, free) (each could hand a feature to its own free
    neuron); ``necessary`` = the rest (forced by capacity: no free neuron is left). Per instance.
    """
    W = np.asarray(W)
    poly = dominant_polysemantic_count(W)["polysemantic"]
    free = np.count_nonzero(np.abs(W).max(axis=-2) <= tol, axis=-1)
    incidental = np.minimum(poly, free)
    return {"polysemantic": poly, "free": free, "incidental": incidental, "necessary": poly - incidental}


def capacity_point(*, rng: np.random.Generator, n: int, m: int, l1: float, ps: tuple, instances: int,
                   lr: float = 0.1, time: float = 20.0) -> Mapping[str, list]:
    """Per p (rows) and instance: structure fractions, polysemantic neurons, excess loss L_p − nℓ*
    (exact enumeration) and the first-order bound p·n(n − m)/m; all p from the same start."""
    spec = ModelSpec(n=n, m=m, l1=l1)
    W0 = initial_weights(spec, instances, rng=rng)
    out: dict[str, list] = {key: [] for key in (*STRUCTURES, "other", "polysemantic", "incidental", "necessary",
                                                "excess", "bound")}
    for p, W in zip(ps, train_at_each_p(spec, flow_time_config(l1, instances, lr=lr, time=time), ps, W0, rng=rng)):
        for key, value in structure_fractions(W).items():
            out[key].append(value.tolist())
        split = incidental_split(W)
        for key in ("polysemantic", "incidental", "necessary"):
            out[key].append(split[key].tolist())
        out["excess"].append(np.asarray(expected_loss_exact(W, p, l1=l1) - n * monosemantic_loss(l1)).tolist())
        out["bound"].append(cooccurrence_capacity_bound(n, m, p))
    return out


def capacity_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """n at m = 8 (quick: n ∈ {8, 12, 16, 20}, 4 instances; full: n ∈ {8, 10, …, 20}, 16 instances), λ = 0.02,
    p ∈ {0, 0.01, 0.02, 0.04} inside each point (np ≤ 0.8; p/λ up to 2, past the triangle break-even 1.46)."""
    ns = (8, 12, 16, 20) if quick else tuple(range(8, 21, 2))
    return Sweep(name="capacity-quick" if quick else "capacity", point=capacity_point,
                 grid={"n": ns}, fixed={"m": 8, "l1": 0.02, "instances": 4 if quick else 16,
                                        "ps": (0.0, 0.01, 0.02, 0.04)}, seed=seed)


@reproduction("capacity", "geometry of trained solutions beyond m features: pairs, triangles, tetrahedra (issue 8)")
def reproduce_capacity(out: Path, options: RunOptions) -> list[Path]:
    """Write capacity.csv (per n and p: mean structure fractions, polysemantic neurons, excess loss, bound) and capacity.png."""
    sweep = capacity_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    m, ps = sweep.fixed["m"], sweep.fixed["ps"]
    names = (*STRUCTURES, "other")
    rows, table = [], {}
    for row in res.rows:
        n, r = row["params"]["n"], row["result"]
        for j, p in enumerate(ps):
            vals = {key: float(np.mean(r[key][j])) for key in (*names, "polysemantic", "excess")}
            table[n, p] = vals
            rows.append([n, m, n / m, p, sweep.fixed["l1"], *(vals[k] for k in names), vals["polysemantic"],
                         vals["excess"], r["bound"][j]])
    csv = atomic_csv(out / "capacity.csv", ["n", "m", "n_over_m", "p", "l1", *(f"frac_{k}" for k in names),
                                            "polysemantic_mean", "excess_loss_mean", "first_order_bound"], rows)
    plt = pyplot()
    ns = np.array(sweep.grid["n"])
    fig, axes = plt.subplots(1, len(ps) + 1, figsize=(3.6 * (len(ps) + 1), 3.6), layout="constrained")
    colours = {"dropped": "grey", "pair": "C0", "triangle": "C1", "tetrahedron": "C2", "alone": "C3", "other": "k"}
    for ax, p in zip(axes, ps):
        bottom = np.zeros(ns.size)
        for k in names:
            v = np.array([table[n, p][k] for n in ns])
            ax.bar(ns / m, v, bottom=bottom, width=0.8 * (ns[1] - ns[0]) / m, color=colours[k], label=k)
            bottom += v
        ax.set_title(f"p = {p:g}", fontsize=10)
        ax.set_xlabel("n / m")
    axes[0].set_ylabel("fraction of features")
    axes[0].legend(fontsize=7)
    ax = axes[-1]
    for j, p in enumerate(ps[1:]):
        ax.plot(ns / m, [table[n, p]["excess"] for n in ns], "o-", color=f"C{j}", label=f"p = {p:g}: trained")
        ax.plot(ns / m, [cooccurrence_capacity_bound(int(n), m, p) for n in ns], "--", color=f"C{j}", lw=1,
                label="p·n(n − m)/m")
    ax.set_xlabel("n / m")
    ax.set_ylabel("excess loss L_p − nℓ*")
    ax.legend(fontsize=7)
    fig.suptitle(f"Capacity and geometry, m = {m}, λ = {sweep.fixed['l1']}, prox-GD on L_0 + pL_1"
                 + (" (quick)" if options.quick else ""), fontsize=10)
    png = save_figure(fig, out / "capacity.png")
    return [png, csv]


def regimes_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """n at m = 8 from the incidental regime (n < m) through n = 2m (quick: n ∈ {4, 8, 12, 16}, 4 instances;
    full: n ∈ {2, 4, …, 16}, 16 instances), λ = 0.05, p ∈ {0, 0.01, 0.02, 0.05} (np ≤ 0.8)."""
    ns = (4, 8, 12, 16) if quick else tuple(range(2, 17, 2))
    return Sweep(name="regimes-quick" if quick else "regimes", point=capacity_point, grid={"n": ns},
                 fixed={"m": 8, "l1": 0.05, "instances": 4 if quick else 16, "ps": (0.0, 0.01, 0.02, 0.05)}, seed=seed)


def _regime_theory(n: int, m: int, p: float, l1: float, kappa: float) -> tuple[float, float]:
    """(incidental, necessary) expected for 1-sparse solutions, n ≤ 2m: max(0, n − m) pairs are forced
    (necessary); of the n(n − 1)/(4m) collision pairs of the distinct idealisation, those beyond the
    forced ones are incidental and survive co-occurrence with probability exp(−κp/λ)."""
    necessary = float(max(0, n - m))
    collisions = n * (n - 1) / (4 * m)
    return max(0.0, collisions - necessary) * float(np.exp(-kappa * p / l1)), necessary


#: κ measured by the ledger claim cooccurrence.survival-exponential at n = 32, m = 128 (≈ 10); used for the
#: theory lines of the regime map only.
KAPPA = 10.0


@reproduction("regimes", "map of incidental and necessary polysemantic neurons over n/m and p (issue 8)")
def reproduce_regimes(out: Path, options: RunOptions) -> list[Path]:
    """Write regimes.csv (per n and p: mean incidental and necessary counts with theory) and regimes.png."""
    sweep = regimes_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    m, ps, l1 = sweep.fixed["m"], sweep.fixed["ps"], sweep.fixed["l1"]
    ns = np.array(sweep.grid["n"])
    inc, nec, rows = np.zeros((len(ps), ns.size)), np.zeros((len(ps), ns.size)), []
    for a, row in enumerate(res.rows):
        n, r = row["params"]["n"], row["result"]
        for j, p in enumerate(ps):
            inc[j, a], nec[j, a] = np.mean(r["incidental"][j]), np.mean(r["necessary"][j])
            t_inc, t_nec = _regime_theory(n, m, p, l1, KAPPA)
            rows.append([n, m, n / m, p, l1, len(r["incidental"][j]), inc[j, a], nec[j, a], t_inc, t_nec])
    csv = atomic_csv(out / "regimes.csv", ["n", "m", "n_over_m", "p", "l1", "instances", "incidental_mean",
                                           "necessary_mean", "incidental_theory", "necessary_theory"], rows)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
    x_edges = np.concatenate([[ns[0] - 1], (ns[1:] + ns[:-1]) / 2, [ns[-1] + 1]]) / m
    pv = np.array(ps)
    p_edges = np.concatenate([[pv[0] - (pv[1] - pv[0]) / 2], (pv[1:] + pv[:-1]) / 2, [pv[-1] + (pv[-1] - pv[-2]) / 2]])
    fine = np.linspace(ns[0], ns[-1], 200)
    # theory boundary: the p at which the incidental count [n(n−1)/(4m) − (n − m)₊]·exp(−κp/λ) falls to 1/2
    c = np.maximum(fine * (fine - 1) / (4 * m) - np.maximum(fine - m, 0), 1e-9)
    p_half = np.where(c > 0.5, l1 / KAPPA * np.log(2 * c), np.nan)
    for ax, data, title in zip(axes, (inc, nec), ("incidental (a free neuron exists)", "necessary (no free neuron)")):
        mesh = ax.pcolormesh(x_edges, p_edges, data, cmap="magma", shading="flat")
        fig.colorbar(mesh, ax=ax, label="polysemantic neurons per instance")
        for x, style in ((1.0, "--"), (2.0, ":")):
            ax.axvline(x, color="c", ls=style, lw=1.2)
        ax.set_ylim(p_edges[0], p_edges[-1])
        ax.set_xlabel("n / m  (dashed: n = m; dotted: n = 2m)")
        ax.set_title(title, fontsize=10)
    axes[0].plot(fine / m, p_half, "c-", lw=1.2, label="theory: incidental count = 1/2")
    axes[0].legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("co-occurrence p")
    png = save_figure(fig, out / "regimes.png")
    return [png, csv]
