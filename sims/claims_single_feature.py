"""Ledger claims about one feature under ℓ1 (paper §2.3, §2.6) and two features on a shared neuron
(§2.4), in the paper's gradient-flow units (λ = λ_code/4)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from theory.single_feature import (continuum_flow, continuum_law, continuum_survivor_fraction,
                                   exact_weights, fixed_point, initial_magnitudes, paper_active_heuristic,
                                   reduced_flow)
from theory.two_features import shared_neuron_rhs

from .ledger import claim, within

RTOL, ATOL = 1e-10, 1e-12


def _brute_force_flow(w0: np.ndarray, lam: float, T: float) -> tuple[np.ndarray, int]:
    """Integrate the m-dimensional flow dw/dt = (1 − ‖w‖²)w − λ sign w with solve_ivp, stopping at
    each zero crossing (event) and freezing that coordinate at 0. Returns (w(T), #deaths).

    A living coordinate keeps its initial sign, so its force uses sign(w_k(0)): the right-hand side
    is then smooth up to the crossing, which the event locates (with sign(w) itself the solver
    chatters at 0 and never completes the step that would trigger the event)."""
    w, alive, t, deaths = w0.astype(np.float64).copy(), w0 != 0, 0.0, 0
    sign0 = np.sign(w0)

    def rhs(_, u):
        return np.where(alive, (1.0 - u @ u) * u - lam * sign0, 0.0)

    def hits_zero(_, u):
        return float(np.min(sign0[alive] * u[alive]))  # |w_k| while alive, negative past 0

    hits_zero.terminal, hits_zero.direction = True, -1
    while t < T:
        sol = solve_ivp(rhs, (t, T), w, method="DOP853", rtol=RTOL, atol=ATOL, events=hits_zero)
        if not sol.success:
            raise RuntimeError(sol.message)
        t, w = float(sol.t[-1]), sol.y[:, -1].copy()
        if sol.status == 1:  # a coordinate reached 0: freeze it there
            k = int(np.flatnonzero(alive)[np.argmin(sign0[alive] * w[alive])])
            w[k], alive[k] = 0.0, False
            alive = alive.copy()
            deaths += 1
    return w, deaths


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
       prediction="theory.exact_weights at theory.reduced_flow (prefix sums, O(log m) per step)",
       evidence="brute-force solve_ivp (DOP853, rtol 1e-10, atol 1e-12) of the m = 50 dimensional flow with a "
                "terminal event at each zero crossing; max error in units of atol + rtol·(|w| + ab), bound 50",
       test="tests/test_claims.py::test_quick_claim[single-feature.exact-map]", tier="quick")
def _exact_map(rng):
    m, lam, T = 50, 0.05, 12.0
    w0 = np.sort(rng.normal(0.0, m**-0.5, m))
    w0 = w0[np.argsort(np.abs(w0))]
    brute, deaths = _brute_force_flow(w0, lam, T)
    log_a, b = reduced_flow(w0, lam, [T], rtol=RTOL, atol=ATOL)
    exact = exact_weights(w0, log_a[-1], b[-1])
    # w = a|w(0)| − ab is a difference of two terms each known to relative rtol, so its error unit
    # is atol + rtol(|w| + ab) (the condition of the map), not atol + rtol|w|
    unit = ATOL + RTOL * (np.abs(exact) + np.exp(log_a[-1]) * b[-1])
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
    _, b = reduced_flow(w0, lam, np.asarray(taus) / eps, rtol=RTOL, atol=ATOL)
    init = initial_magnitudes(w0)
    return np.array([(m - init.first_survivor(bb)) / m for bb in b]), eps


@claim(id="single-feature.continuum-law",
       statement="As m → ∞ at fixed ε = λ√m the surviving fraction m′/m follows the 2-D continuum flow in "
                 "τ = λ√m·t; as ε → 0 it becomes 2Φ̄(β(τ)) with dβ/dτ = √M₂(β), a function of τ alone",
       source="ours (paper §2.3(d) gives only the heuristic m′ ≈ 1/(1/√m + λt)²)",
       prediction="theory.continuum_flow(τ = 3, ε = 0.01) → theory.continuum_survivor_fraction",
       evidence="the exact reduced flow of m = 10⁶ half-normal weights, λ = 10⁻⁵ (ε = 0.01), survivor "
                "fraction at τ = 3; tolerance 4 binomial standard errors (false failure ≈ 6e-5)",
       test="tests/test_claims.py::test_quick_claim[single-feature.continuum-law]", tier="quick")
def _continuum_law(rng):
    m, lam, tau = 10**6, 1e-5, 3.0
    (frac,), eps = _survivor_fraction_at(m, lam, [tau], rng)
    pred = float(continuum_survivor_fraction(continuum_flow([0.0, tau], eps)[1][-1]))
    quasi = float(continuum_law([0.0, tau]).survivor_fraction[-1])
    se = np.sqrt(pred * (1 - pred) / m)
    return within(float(frac), pred, 4 * se,
                  f"τ = {tau}, ε = {eps:g}, SE = {se:.2g}; the ε → 0 law gives {quasi:.5f} (O(ε) above); the "
                  f"paper's heuristic 1/(1/√m + λt)²/m gives {1 / (m**-0.5 + tau / np.sqrt(m)) ** 2 / m:.5f}")


@claim(id="single-feature.paper-active-curve",
       statement="The active count follows the paper's dashed curve m′ ≈ 1/(1/√m + λt)²",
       source="paper §2.3(d) [V-code sparsity.py, fb_vs_regularization.py]",
       prediction="ratio m′/[1/(1/√m + λt)²] = 1",
       evidence="the exact reduced flow of m = 10⁶ half-normal weights, λ = 10⁻⁵, at τ = λ√m·t = 30 (m′ ≈ 2700)",
       test="tests/test_claims.py::test_quick_claim[single-feature.paper-active-curve]", tier="quick",
       expected="refuted",
       correction="m′/m = 2Φ̄(β(τ)) with dβ/dτ = √M₂(β) (theory.continuum_law); for large τ m′ = 2(1 + 3/β²)/(λt)² "
                  "with β² ≈ 4 log τ, i.e. the dashed curve misses the factor 1 + RV → 2 and the slowly decaying "
                  "3/β²: it is low by a factor ≈ 2.5–2.7 over τ = 3…100 (≈ 2.6 at τ = 30). The ℓ1 curve "
                  "1/(1/√m + λt) is right to within ≈ 20% (the ratio is 1.18 at τ = 30)")
def _paper_active_curve(rng):
    m, lam, tau = 10**6, 1e-5, 30.0
    (frac,), eps = _survivor_fraction_at(m, lam, [tau], rng)
    heuristic = float(paper_active_heuristic(tau / eps, m, lam))
    law = continuum_law([0.0, tau])
    return within(float(frac) * m / heuristic, 1.0, 0.25,
                  f"m′ = {frac * m:.0f}, heuristic {heuristic:.0f}; the continuum law predicts the ratio "
                  f"{float(law.survivor_fraction[-1]) * m / heuristic:.3f}, its asymptote 2(1 + 3/β²) = "
                  f"{2 * (1 + 3 / float(law.beta[-1]) ** 2):.3f}; tolerance: 25% would cover the paper's "
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
