"""The paper's sparsity figure (§3.1, ``sparsity.py`` + ``simulation.py``) with the exact dynamics.

One feature under ℓ1, paper units: dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k), m = 1e5, λ = 1e-5, initial
weights |N(0, 0.9²/m)| (paper §2.3(h)). Curves against t (log-log):

* exact m′(t) and ‖w‖₁(t) from ``sims.dynamics.single_feature.solve_single_feature`` (the reduction of §2.3(a));
* the paper's dashed heuristics m′ ≈ 1/(1/√m + λt)², ‖w‖₁ ≈ 1/(1/√m + λt), clipped at 1
  (``theory.paper_active_heuristic`` / ``paper_l1_heuristic``);
* the continuum law (``theory.solve_continuum_law``, m → ∞ then λ√m → 0) scaled to this m:
  m′ = m·2Φ̄(β(τ)), ‖w‖₁ = √m·M₁/√M₂, τ = λ√m·t;
* a brute-force check (``solve_single_feature(method="brute-force")``, the m-dimensional flow) at a smaller m
  (2000; quick: 500) at a few times, as markers on that m's exact curve.

Files: sparsity.png, sparsity.csv (per series and time: m′, ‖w‖₁, ‖w‖², b, the heuristics, the
ratios exact/heuristic, the continuum law), sparsity_summary.csv (the last survivor's time t_sparse,
λ·t_sparse against the paper's "sparsity at t ≈ 1/λ", the range of the ratios, the brute-force error).
``--quick``: m = 1e4.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.single_feature import paper_active_heuristic, paper_l1_heuristic, solve_continuum_law

from ..runs.output import atomic_csv, pyplot, save_figure
from .registry import RunOptions, reproduction
from ..runs.sweep import run_sweep
from ..runs.grids import sparsity_sweep

__all__ = ["reproduce_sparsity"]

RTOL, ATOL = 1e-10, 1e-12


def _rows(series, m, lam, t, active, l1, sq, b):
    t = np.asarray(t, dtype=np.float64)
    ha, hl = paper_active_heuristic(t, m, lam), paper_l1_heuristic(t, m, lam)
    tau = lam * np.sqrt(m) * t
    law = solve_continuum_law(np.unique(np.concatenate([[0.0], tau])))
    idx = np.searchsorted(law.t, tau)
    ca, cl = m * law.survivor_fraction[idx], np.sqrt(m) * law.l1_norm[idx]
    return [[series, m, float(ti), int(a_), float(l_), float(s_), float(b_), float(x), float(y), float(a_ / x),
             float(l_ / y), float(c1), float(c2)]
            for ti, a_, l_, s_, b_, x, y, c1, c2 in zip(t, active, l1, sq, b, ha, hl, ca, cl)]


@reproduction("sparsity", "one feature under L1: exact m′(t), ‖w‖₁(t) vs the paper's heuristic and the "
                          "continuum law (paper §3.1)")
def reproduce_sparsity(out: Path, options: RunOptions) -> list[Path]:
    """Write sparsity.png, sparsity.csv and sparsity_summary.csv."""
    sweep = sparsity_sweep(quick=options.quick, seed=options.seed)
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    row = res.rows[0]
    p, r = row["params"], row["result"]
    m, lam, bm = p["m"], p["lam"], p["brute_m"]
    t = np.array(r["t"])
    nan = [float("nan")] * len(r["brute_t"])
    rows = _rows("exact", m, lam, t, r["active"], r["l1_norm"], r["sq_norm"], r["threshold"])
    rows += _rows("brute_force", bm, lam, r["brute_t"], r["brute_active"], r["brute_l1"], nan, nan)
    header = ["series", "m", "t", "active", "l1_norm", "sq_norm", "threshold", "active_heuristic",
              "l1_heuristic", "active_over_heuristic", "l1_over_heuristic", "active_continuum", "l1_continuum"]
    csv = atomic_csv(out / "sparsity.csv", header, rows)

    exact = np.array([x[9:11] for x in rows if x[0] == "exact" and 1.0 <= x[2] <= r["t_sparse"]])
    summary = [["m", m], ["lam", lam], ["scale", p["scale"]],
               ["t_sparse (one weight left)", r["t_sparse"]], ["lam * t_sparse", lam * r["t_sparse"]],
               ["paper: sparsity at t ~ 1/lam", 1 / lam],
               ["paper heuristic reaches 1 at (1 - 1/sqrt m)/lam", (1 - m**-0.5) / lam],
               ["only the initial argmax is alive at the end", r["winner_is_argmax"]], ["l1 norm at t=0", r["w0_l1"]],
               ["active/heuristic min over [1, t_sparse]", float(exact[:, 0].min())],
               ["active/heuristic max over [1, t_sparse]", float(exact[:, 0].max())],
               ["l1/heuristic min over [1, t_sparse]", float(exact[:, 1].min())],
               ["l1/heuristic max over [1, t_sparse]", float(exact[:, 1].max())],
               ["brute-force m", bm],
               ["brute-force max error, units of atol + rtol(|w| + ab)", r["brute_err_units"]]]
    summary_csv = atomic_csv(out / "sparsity_summary.csv", ["quantity", "value"], summary)

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5), layout="constrained")
    x = np.maximum(t, 1.0)
    cont = [x_ for x_ in rows if x_[0] == "exact"]
    ax.plot(x, r["active"], color="tab:blue", lw=2, label=f"m′ exact (m = {m:.0e})")
    ax.plot(x, r["l1_norm"], color="tab:red", lw=2, label="‖w‖₁ exact")
    ax.plot(x, [c[7] for c in cont], color="tab:cyan", ls="--", label="m′ paper: 1/(1/√m + λt)²")
    ax.plot(x, [c[8] for c in cont], color="pink", ls="--", label="‖w‖₁ paper: 1/(1/√m + λt)")
    ax.plot(x, [c[11] for c in cont], color="navy", ls=":", label="m′ continuum law")
    ax.plot(x, [c[12] for c in cont], color="darkred", ls=":", label="‖w‖₁ continuum law")
    ax.plot(r["small_t"], r["small_active"], color="grey", lw=1, label=f"m′, ‖w‖₁ exact (m = {bm})")
    ax.plot(r["small_t"], r["small_l1"], color="grey", lw=1)
    ax.plot(r["brute_t"], r["brute_active"], "o", mfc="none", color="k", label=f"brute-force flow (m = {bm})")
    ax.plot(r["brute_t"], r["brute_l1"], "s", mfc="none", color="k")
    ax.axvline(r["t_sparse"], color="k", lw=0.8, ls="-.", label=f"one weight left: t = {lam * r['t_sparse']:.2f}/λ")
    ax.axvline(1 / lam, color="grey", lw=0.8, ls=(0, (1, 3)), label="paper: t ≈ 1/λ")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(1, x[-1])
    ax.set_ylim(0.5, 1.5 * m)
    ax.set_xlabel("t (gradient-flow time, paper units)")
    ax.set_title(f"Sparsity dynamics, m = {m:.0e}, λ = {lam:.0e}, init |N(0, {p['scale']}²/m)|", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    png = save_figure(fig, out / "sparsity.png")
    return [png, csv, summary_csv]
