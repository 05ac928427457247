"""Ledger claims about one feature under ℓ1 (paper §2.3, §2.6) and two features on a shared neuron
(§2.4), in the paper's gradient-flow units (λ = λ_code/4)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from theory.single_feature import (continuum_survivor_fraction, exact_weights, fixed_point, initial_magnitudes,
                                   paper_active_heuristic, solve_continuum_flow, solve_continuum_law,
                                   solve_reduced_flow)
from theory.two_features import shared_neuron_rhs

from .core import claim, within
from ..dynamics.single_feature import solve_single_feature

RTOL, ATOL = 1e-10, 1e-12


def _brute_force_flow(w0: np.ndarray, lam: float, T: float) -> tuple[np.ndarray, int]:
    """w(T) of the m-dimensional flow (``sims.dynamics.single_feature.solve_single_feature``, brute force:
    solve_ivp with a terminal event at each zero crossing, that coordinate then frozen at 0) and the number of
    deaths."""
    sol = solve_single_feature(w0, lam, [T], method="brute-force", rtol=RTOL, atol=ATOL)
    return sol.y[-1], int(np.count_nonzero((sol.death_time > 0) & np.isfinite(sol.death_time)))


def _plot_exact_map(data, ax):
    ax.semilogy(np.abs(data["brute"]), "o", label="solve_ivp, m-dimensional flow")
    ax.semilogy(np.abs(data["exact"]), "x", label="a(|w(0)| − b)₊ from the reduced flow")
    ax.set_xlabel("coordinate (sorted by |w(0)|)")
    ax.set_ylabel("|w_k(T)|")
    ax.legend()


@claim(id="single-feature.exact-map", plot=_plot_exact_map,
       statement="One feature under ℓ1 alone follows w_k(t) = sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊, with "
                 "(log a, b) obeying the 2-variable reduced flow",
       source="paper §2.3(a) [R]",
       prediction="theory.exact_weights at theory.solve_reduced_flow (prefix sums, O(log m) per step)",
       evidence="brute-force solve_ivp (DOP853, rtol 1e-10, atol 1e-12) of the m = 50 dimensional flow with a "
                "terminal event at each zero crossing; max error in units of atol + rtol·(|w| + ab), bound 50",
       test="tests/test_claims.py::test_quick_claim[single-feature.exact-map]", tier="quick")
def _exact_map(rng):
    m, lam, T = 50, 0.05, 12.0
    w0 = np.sort(rng.normal(0.0, m**-0.5, m))
    w0 = w0[np.argsort(np.abs(w0))]
    brute, deaths = _brute_force_flow(w0, lam, T)
    log_a, b = solve_reduced_flow(w0, lam, [T], rtol=RTOL, atol=ATOL).y[-1]
    exact = exact_weights(w0, log_a, b)
    # w = a|w(0)| − ab is a difference of two terms each known to relative rtol, so its error unit
    # is atol + rtol(|w| + ab) (the condition of the map), not atol + rtol|w|
    unit = ATOL + RTOL * (np.abs(exact) + np.exp(log_a) * b)
    err = float(np.max(np.abs(brute - exact) / unit))
    # bound 50: a global error (two solves, 40+ restarts), not a local one; over 60 seeds the
    # measurement had median 2.8 and maximum 18, while any error in the map gives ≳ 1e6
    return within(err, 0.0, 50.0, f"max |Δw|/(atol + rtol(|w| + ab)) at T = {T}, λ = {lam}, m = {m}; "
                  f"{deaths} coordinates died on the way (same set in both routes: "
                  f"{bool(np.array_equal(brute == 0, exact == 0))})",
                  data={"brute": brute.tolist(), "exact": exact.tolist()})


@claim(id="single-feature.survivor-fixed-point",
       statement="The last survivor settles at w* with (1 − w*²)w* = λ, w* ≈ 1 − λ/2 − 3λ²/8",
       source="paper §2.6 [R]",
       prediction="theory.fixed_point(λ) (largest root, trigonometric form)",
       evidence="the m = 50 dimensional flow (solve_ivp with zero-crossing events, as in single-feature.exact-map) "
                "run to t = 400 (= 20/λ): |w_winner(T)|, requiring exactly one survivor, the initial argmax",
       test="tests/test_claims.py::test_quick_claim[single-feature.survivor-fixed-point]", tier="quick")
def _survivor_fixed_point(rng):
    m, lam, T = 50, 0.05, 400.0
    w0 = rng.normal(0.0, m**-0.5, m)
    w, deaths = _brute_force_flow(w0, lam, T)
    alive = np.flatnonzero(w)
    ok = alive.size == 1 and alive[0] == int(np.argmax(np.abs(w0)))
    measured = float(np.abs(w).max()) if ok else float("nan")
    return within(measured, fixed_point(lam), 1e-8,
                  f"survivors at T: {alive.size} (the initial argmax: {ok}, {deaths} deaths); tolerance: the "
                  f"approach is exponential at rate 3w*² − 1 ≈ 1.85, so the gap at T is the solver's")


def _survivor_fraction_at(m, lam, taus, rng):
    w0 = rng.normal(0.0, m**-0.5, m)
    eps = lam * np.sqrt(m)
    b = solve_reduced_flow(w0, lam, np.asarray(taus) / eps, rtol=RTOL, atol=ATOL).y[:, 1]
    init = initial_magnitudes(w0)
    return np.array([(m - init.first_survivor(bb)) / m for bb in b]), eps


@claim(id="single-feature.continuum-law",
       statement="As m → ∞ at fixed ε = λ√m the surviving fraction m′/m follows the 2-D continuum flow in "
                 "τ = λ√m·t; as ε → 0 it becomes 2Φ̄(β(τ)) with dβ/dτ = √M₂(β), a function of τ alone",
       source="ours (paper §2.3(d) gives only the heuristic m′ ≈ 1/(1/√m + λt)²)",
       prediction="theory.solve_continuum_flow(τ = 3, ε = 0.01) → theory.continuum_survivor_fraction",
       evidence="the exact reduced flow of m = 10⁶ half-normal weights, λ = 10⁻⁵ (ε = 0.01), survivor "
                "fraction at τ = 3; tolerance 4 binomial standard errors (false failure ≈ 6e-5). Power: against the "
                "ε → 0 law (0.15678, 5.0e-4 above the flow's 0.15628), binomial sd √(P(1 − P)) ≈ 0.363 per weight, "
                "m = 10⁶ gives a false pass of 99.6% (1.4 SE): the check does not resolve the O(ε) term; the smallest "
                "m with false pass ≤ 5% is 1.7·10⁷. Against the paper's heuristic (0.0625, 258 SE) the false pass "
                "is 0.",
       test="tests/test_claims.py::test_quick_claim[single-feature.continuum-law]", tier="quick")
def _continuum_law(rng):
    m, lam, tau = 10**6, 1e-5, 3.0
    (frac,), eps = _survivor_fraction_at(m, lam, [tau], rng)
    pred = float(continuum_survivor_fraction(solve_continuum_flow([0.0, tau], eps).y[-1, 1]))
    quasi = float(solve_continuum_law([0.0, tau]).survivor_fraction[-1])
    se = np.sqrt(pred * (1 - pred) / m)
    return within(float(frac), pred, 4 * se,
                  f"τ = {tau}, ε = {eps:g}, SE = {se:.2g}; the ε → 0 law gives {quasi:.5f} (O(ε) above); the "
                  f"paper's heuristic 1/(1/√m + λt)²/m gives {1 / (m**-0.5 + tau / np.sqrt(m)) ** 2 / m:.5f}")


@claim(id="single-feature.paper-active-curve",
       statement="The active count follows the paper's dashed curve m′ ≈ 1/(1/√m + λt)²",
       source="paper §2.3(d) [V-code sparsity.py, fb_vs_regularization.py]",
       prediction="ratio m′/[1/(1/√m + λt)²] = 1",
       evidence="the exact reduced flow of m = 10⁶ half-normal weights, λ = 10⁻⁵, at τ = λ√m·t = 30 (m′ ≈ 2700). "
                "Power: binomial sd of m′ ≈ √m′; if the dashed curve held (m′ ≈ 1041, ratio sd ≈ 0.031) a false "
                "refutation needs 8 sd; at the continuum law's ratio 2.60 (sd ≈ 0.05) a false confirmation needs "
                "27 sd: both ≈ 0 at m = 10⁶.",
       test="tests/test_claims.py::test_quick_claim[single-feature.paper-active-curve]", tier="quick",
       expected="refuted",
       correction="m′/m = 2Φ̄(β(τ)) with dβ/dτ = √M₂(β) (theory.solve_continuum_law); for large τ m′ = 2(1 + 3/β²)/(λt)² "
                  "with β² ≈ 4 log τ, i.e. the dashed curve misses the factor 1 + RV → 2 and the slowly decaying "
                  "3/β²: it is low by a factor ≈ 2.5–2.7 over τ = 3…100 (≈ 2.6 at τ = 30). The ℓ1 curve "
                  "1/(1/√m + λt) is right to within ≈ 20% (the ratio is 1.18 at τ = 30)")
def _paper_active_curve(rng):
    m, lam, tau = 10**6, 1e-5, 30.0
    (frac,), eps = _survivor_fraction_at(m, lam, [tau], rng)
    heuristic = float(paper_active_heuristic(tau / eps, m, lam))
    law = solve_continuum_law([0.0, tau])
    return within(float(frac) * m / heuristic, 1.0, 0.25,
                  f"m′ = {frac * m:.0f}, heuristic {heuristic:.0f}; the continuum law predicts the ratio "
                  f"{float(law.survivor_fraction[-1]) * m / heuristic:.3f}, its asymptote 2(1 + 3/β²) = "
                  f"{2 * (1 + 3 / float(law.y[-1, 0]) ** 2):.3f}; tolerance: 25% would cover the paper's "
                  f"S(0) ≈ √m and ε corrections")


@claim(id="two-features.larger-wins",
       statement="Two same-sign features on one neuron: the larger initial weight wins and ends at w*, the "
                 "smaller reaches 0; with opposite signs both survive at ±w*",
       source="paper §2.4 [R]",
       prediction="winner = argmax initial weight, |winner| → theory.fixed_point(λ), loser → 0 (same sign); "
                  "both at w* (opposite signs)",
       evidence="theory.shared_neuron_rhs integrated with solve_ivp (signs read from the state) from 20 random "
                 "pairs x0, y0 ~ U(0.05, 1) and their opposite-sign copies, to t = 40/λ; measured: largest "
                 "deviation from the predicted end state over all 40 runs",
       test="tests/test_claims.py::test_quick_claim[two-features.larger-wins]", tier="quick")
def _larger_wins(rng):
    lam, T = 0.05, 800.0
    worst = 0.0
    ws = fixed_point(lam)

    def y_dies(_, u, *args):
        return u[1]

    y_dies.terminal = True
    for x0, y0 in rng.uniform(0.05, 1.0, (20, 2)):
        big, small = max(x0, y0), min(x0, y0)
        # same sign: integrate to the loser's death (event), then the winner alone
        sol = solve_ivp(shared_neuron_rhs, (0, T), [big, small], args=(lam,), events=y_dies,
                        method="DOP853", rtol=RTOL, atol=ATOL)
        if sol.status != 1:  # the smaller one never died
            worst = max(worst, 1.0)
            continue
        rest = solve_ivp(shared_neuron_rhs, (sol.t[-1], T), [sol.y[0, -1], 0.0], args=(lam,),
                         method="DOP853", rtol=RTOL, atol=ATOL)
        worst = max(worst, abs(rest.y[0, -1] - ws), abs(rest.y[1, -1]))
        opp = solve_ivp(shared_neuron_rhs, (0, T), [x0, -y0], args=(lam,), method="DOP853", rtol=RTOL, atol=ATOL)
        worst = max(worst, abs(opp.y[0, -1] - ws), abs(opp.y[1, -1] + ws))
    return within(worst, 0.0, 1e-8, "max over runs of |winner − w*|, |loser|, |x − w*|, |y + w*|; the larger "
                  "weight was passed first, so an event on the second (smaller) coordinate is a win for the larger")


@claim(id="single-feature.reduced-solver",
       statement="The two-variable reduced solver (sims.solve_single_feature) reproduces the m-dimensional flow: the "
                 "weights at every requested time and the time each coordinate dies",
       source="paper §2.3(a) [R]; ours (the speed target)",
       prediction="sims.dynamics.single_feature.solve_single_feature, method 'reduced' (compiled Radau IIA on (log a, b), O(log m) per step; "
                  "death times by Newton on its collocation cubics)",
       evidence="sims.dynamics.single_feature.solve_single_feature, method 'brute-force' (DOP853, events at zero crossings) for 3 draws of "
                "m = 100 weights N(0, 1/m), λ = 0.02, at t = 2, 10, 40, 120; both at rtol 1e-10, atol 1e-12; "
                "measured: max weight error in units of atol + rtol·(|w| + ab); bound 50. Not statistical: a "
                "deterministic comparison of two solvers; the draws are test inputs (≈ 90–99 deaths each), one draw "
                "already exercises every path (a wrong map or death time gives ≳ 10⁶ units), and they cost ≈ 0.12 s "
                "each; the claim's recorded time is numba compiling the Radau kernel on a cold cache",
       test="tests/test_claims.py::test_quick_claim[single-feature.reduced-solver]", tier="quick")
def _reduced_solver(rng):
    m, lam, times = 100, 0.02, np.array([2.0, 10.0, 40.0, 120.0])
    worst, worst_death, same_deaths = 0.0, 0.0, True
    for _ in range(3):
        w0 = rng.normal(0.0, m**-0.5, m)
        brute = solve_single_feature(w0, lam, times, method="brute-force", rtol=RTOL, atol=ATOL)
        red = solve_single_feature(w0, lam, times, rtol=RTOL, atol=ATOL)
        for i, t in enumerate(times):
            exact = red.weights(t)
            # w = a|w(0)| − ab, each term known to relative rtol: the error unit is atol + rtol(|w| + ab)
            unit = ATOL + RTOL * (np.abs(exact) + np.exp(red.y[i, 0]) * red.y[i, 1])  # y = (log a, b)
            worst = max(worst, float(np.max(np.abs(brute.y[i] - exact) / unit)))
        died = np.isfinite(brute.death_time)
        same_deaths &= bool(np.array_equal(died, np.isfinite(red.death_time)))
        if died.any():
            rel = np.abs(brute.death_time[died] - red.death_time[died]) / brute.death_time[died]
            worst_death = max(worst_death, float(rel.max()))
    measured = worst if same_deaths and worst_death < 1e-6 else float("inf")
    # bound 50: a global error of two solves (the brute force restarts at each of ~90 deaths); over 30
    # seeds the measurement had median 0.05 and maximum 1.2, death times agreed to 7e-11 relative
    return within(measured, 0.0, 50.0, f"max |Δw|/(atol + rtol(|w| + ab)) = {worst:.3g}; same set of deaths: "
                  f"{same_deaths}; max relative death-time difference {worst_death:.2g} (must be < 1e-6)")


def _sparsity_times(m: int, lam: float, seeds: int, rng) -> np.ndarray:
    """λ·t_sparse (one weight left) for ``seeds`` draws of |N(0, 0.9²/m)| (the paper's simulation)."""
    out = []
    for _ in range(seeds):
        w0 = np.abs(rng.normal(0.0, 0.9 / np.sqrt(m), m))
        out.append(lam * solve_single_feature(w0, lam, rtol=1e-8, atol=1e-14).t_sparse)
    return np.array(out)


@claim(id="single-feature.sparsity-time",
       statement="Sparsity (a single weight left) is reached at t ≈ 1/λ, largely independently of m",
       source="paper §2.3(e) [R]; the heuristic m′ = 1/(1/√m + λt)² reaches 1 at (1 − 1/√m)/λ",
       prediction="λ·t_sparse = 1 (tolerance 0.25)",
       evidence="exact reduced solver (sims.solve_single_feature, rtol 1e-8) to full sparsity for 16 draws of m = 10⁵ "
                "weights |N(0, 0.9²/m)|, λ = 10⁻⁵ (the paper's simulation); measured: median of λ·t_sparse. Power: "
                "against the law that holds (median ≈ 1.7; 200-draw pilot: P(c < 1.25) ≈ 0.26, 10–90% range "
                "1.04–3.0), a false confirmation (median within 0.25 of 1) has probability ≈ 1% at 16 draws "
                "(bootstrap; ≤ 3% by the binomial bound ≥ 8 of 16 below 1.25); the smallest count with ≤ 5% is ≈ 8.",
       test="tests/test_claims.py::test_quick_claim[single-feature.sparsity-time]", tier="quick",
       expected="refuted",
       correction="one weight is left only at t = c/λ with c random, median ≈ 1.7 (40 draws at m = 10⁵: "
                  "10–90% range 1.2–2.3; single draws from 0.7 to 4.2 seen; the paper's own seed: 1.82), "
                  "because the final two-way race obeys dγ/dt = λγ/w₁ for the relative gap γ of the top two, so "
                  "it lasts ≈ log(1/γ)/λ and c has a right tail set by the initial gap between the two largest "
                  "weights; the heuristic's (1 − 1/√m)/λ is when m′ is down to a few")
def _sparsity_time(rng):
    # 16 draws: P(c < 1.25) ≈ 0.26 per draw (200-draw pilot; 0.18 in an earlier 40-draw one), so a median inside
    # the tolerance by chance needs ≥ 8 of 16 below 1.25: binomial probability ≤ 0.03 (bootstrap of the median ≈ 0.01)
    c = _sparsity_times(10**5, 1e-5, 16, rng)
    return within(float(np.median(c)), 1.0, 0.25,
                  f"λ·t_sparse over 16 draws: min {c.min():.3f}, median {np.median(c):.3f}, max {c.max():.3f}; "
                  f"tolerance 0.25 covers the paper's own (1 − 1/√m)/λ and its '≈'",
                  data={"c": c.tolist()})
