"""Amplification of random initial overlaps under the ℓ1 penalty, the central mechanism of incidental
polysemanticity (Lecomte et al., arXiv 2312.03096, §2.3(a) and §2.4). Paper units throughout
(λ = λ_code/4, t = 4·t_code; ``theory.units``).

* Within a feature (winner-take-all, §2.3(a)): along the single-feature flow
  dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) every weight is w_k = sign(w_k(0))·a·(|w_k(0)| − b)₊ with b
  increasing (``theory.single_feature.exact_weights``), so for two survivors with |w_i(0)| > |w_j(0)| the
  ratio |w_i|/|w_j| = (|w_i(0)| − b)/(|w_j(0)| − b) grows: a small initial gap is amplified until the
  smaller weight dies. Checked on both routes of ``sims.dynamics.single_feature.solve_single_feature``.
* Between features on one neuron (§2.4, ``theory.two_features.shared_neuron_rhs``): a same-sign pair
  interferes and resolves to the larger initial |weight|; an opposite-sign pair does not interfere and
  both weights persist at ±w*, so the chance overlap of the two features is kept and strengthened.

Not here (see there): order, signs and winner of the single-feature flow, and reduced = brute force at
the weights (tests/test_single_feature_solvers.py); the pointwise right-hand side of ``shared_neuron_rhs``
against the sympy derivation (tests/test_single_feature_theory.py); collisions under prox-GD training
(tests/test_collisions_training.py: ``test_no_neuron_ends_with_two_same_sign_features`` asserts, for
every neuron of random starts, at most one + and one − feature at the end, which contains the same-sign
race under training, so it is not repeated here).
"""

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from sims.dynamics.single_feature import solve_single_feature
from theory.single_feature import fixed_point
from theory.two_features import shared_neuron_rhs

from .strategies import init_scales, pair_weights, paper_lams, seeds, signs

RTOL, ATOL = 1e-10, 1e-12
# A brute-force weight agrees with the exact reduction to 50 units of atol + rtol(|w| + ab)
# (tests/test_single_feature_solvers.py: measured max 1.2 over 30 draws at m = 100); a ratio of two
# weights is then known to the sum of their relative errors.
UNITS = 50
MONOTONE_RTOL = 1e-8  # allowed relative decrease of a ratio between two grid times, beyond the solver error
FIXED_POINT_ATOL = 1e-8  # |weight − w*| at the end of a pair run (the ledger's two-features.larger-wins bound)
BAND = 1e-3  # starts whose lone weight is within 0.1% of the unstable root w_u are skipped (fate undecided)

ms = st.integers(min_value=2, max_value=16)


def _unstable_root(lam: float) -> float:
    """w_u, the smaller positive root of (1 − w²)w = λ: a lone weight above it tends to w*, below it dies."""
    return 2.0 / math.sqrt(3.0) * math.cos(math.acos(-1.5 * math.sqrt(3.0) * lam) / 3.0 + 4.0 * math.pi / 3.0)


# ------------------------------------------------------------------ 1. within a feature

def _grid(sparse) -> np.ndarray:
    """Times 0, the midpoint between consecutive deaths (each survivor set once), and 5%…95% of t_sparse."""
    deaths = np.sort(sparse.death_time[np.isfinite(sparse.death_time)])
    edges = np.concatenate([[0.0], deaths])
    mids = 0.5 * (edges[:-1] + edges[1:])
    return np.unique(np.concatenate([[0.0], mids, sparse.t_sparse * np.linspace(0.05, 0.95, 10)]))


def _ratios(W: np.ndarray, larger: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R[t, i, j] = W[t, i]/W[t, j] for the pairs |w_i(0)| > |w_j(0)| alive (nonzero) at t, NaN elsewhere;
    and the mask of those entries."""
    alive = W > 0
    both = alive[:, :, None] & alive[:, None, :] & larger[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(both, W[:, :, None] / W[:, None, :], np.nan), both


def _assert_amplified(R, both, initial, slack, route):
    """R non-decreasing between consecutive grid times and ≥ its initial value, up to MONOTONE_RTOL + slack
    (slack[t, i, j]: the ratio's own relative error)."""
    tol = MONOTONE_RTOL + np.broadcast_to(slack, R.shape)
    steady = both[1:] & both[:-1]  # alive at consecutive times (the alive sets only shrink)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(steady, R[1:] / R[:-1] - 1.0 + tol[1:] + tol[:-1], 0.0)
        below = np.where(both, R / initial[None] - 1.0 + tol, 0.0)
    assert drop.min() >= 0, f"{route}: a ratio decreased (by {-drop.min():.3g} beyond the tolerance)"
    assert below.min() >= 0, f"{route}: a ratio fell below its initial value"


@given(m=ms, lam=paper_lams, seed=seeds, scale=init_scales)
def test_within_feature_ratios_are_amplified(m, lam, seed, scale):
    """Paper §2.3(a) (``theory.single_feature.exact_weights``, derivation ``single-feature.exact-solution``):
    for survivors with |w_i(0)| > |w_j(0)|, |w_i(t)|/|w_j(t)| = (|w_i(0)| − b(t))/(|w_j(0)| − b(t)), which
    increases with b, and b increases (db/dt = λ/a > 0). So the ratio is non-decreasing in t and at least
    |w_i(0)|/|w_j(0)|, on the reduced route (method="reduced") and on the m-dimensional flow
    (method="brute-force") at the same times; and the brute-force ratio equals the formula with b from the
    reduced route, to the two solvers' error: UNITS times the sum of the two weights' error units
    (measured over 300 draws: ≤ 2.9 units, ≤ 3.1e-7 relative, ≤ 2.5e-9 where the smaller weight is
    ≥ 1e-2). Mutations that fail (checked once): b 10% off on the reduced route; a brute force that
    shrinks the weights proportionally (no threshold b, ratios constant)."""
    w0 = np.random.default_rng(seed).normal(0.0, scale / np.sqrt(m), m)
    mag = np.abs(w0)
    sparse = solve_single_feature(w0, lam, rtol=RTOL, atol=ATOL)  # until one weight is left
    times = _grid(sparse)
    red = solve_single_feature(w0, lam, times, rtol=RTOL, atol=ATOL)
    brute = solve_single_feature(w0, lam, times, method="brute-force", rtol=RTOL, atol=ATOL)
    log_a, b = red.y[:, 0], red.y[:, 1]  # at the grid times
    assert np.all(np.diff(b) > 0)

    larger = mag[:, None] > mag[None, :]
    initial = np.where(larger, mag[:, None] / np.where(larger, mag[None, :], 1.0), np.nan)
    W_red = np.abs(np.array([red.weights(t) for t in times]))
    W_bf = np.abs(brute.y)
    R_red, both_red = _ratios(W_red, larger)
    R_bf, both_bf = _ratios(W_bf, larger)

    # the brute force's relative error per weight, then per ratio (the reduced ratio is exact given b)
    unit = ATOL + RTOL * (W_red + (np.exp(log_a) * b)[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(W_bf > 0, UNITS * unit / W_bf, np.inf)
    slack_bf = rel[:, :, None] + rel[:, None, :]
    _assert_amplified(R_red, both_red, initial, 0.0, "reduced")
    _assert_amplified(R_bf, both_bf, initial, slack_bf, "brute-force")

    # the identity, where both routes have both weights alive
    excess = mag[None, :] - b[:, None]  # |w_k(0)| − b(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        theory = excess[:, :, None] / excess[:, None, :]
    common = both_red & both_bf
    err = np.abs(R_bf[common] / theory[common] - 1.0)
    worst = int(np.argmax(err / slack_bf[common]))
    assert np.all(err <= slack_bf[common]), (float(err[worst]), float(slack_bf[common][worst]))


# ------------------------------------------------------------------ 2. between features on one neuron

def _pair_flow(w0, lam: float, t_eval):
    """Integrate ``shared_neuron_rhs`` (signs read from the state) with DOP853 from w0 = (x, y) to each time
    of ``t_eval``, with a terminal event at each zero crossing; a weight that reaches 0 is set to exactly 0,
    where sign(0) = 0 keeps it. Returns the weights at ``t_eval`` (shape (len, 2)), the death times (inf if
    alive at the end) and the state just after each death (rows, NaN if none)."""
    u = np.array(w0, dtype=np.float64)
    sign0 = np.sign(u)
    death = np.full(2, np.inf)
    after = np.full((2, 2), np.nan)
    out = np.zeros((len(t_eval), 2))

    def hits_zero(_, v, lam):
        return float(np.min(np.where(np.isinf(death), sign0 * v, np.inf)))

    hits_zero.terminal, hits_zero.direction = True, -1
    t = 0.0
    for i, target in enumerate(t_eval):
        while t < target and np.isinf(death).any():
            sol = solve_ivp(shared_neuron_rhs, (t, float(target)), u, method="DOP853", args=(lam,), rtol=RTOL,
                            atol=ATOL, events=hits_zero)
            assert sol.success, sol.message
            t, u = float(sol.t[-1]), sol.y[:, -1].copy()
            if sol.status == 1:
                s = np.where(np.isinf(death), sign0 * u, np.inf)
                dead = np.isinf(death) & (s <= 0)
                dead[int(np.argmin(s))] = True
                death[dead] = t
                u[dead] = 0.0
                after[dead] = u
        t = max(t, float(target))
        out[i] = u
    return out, death, after


@given(x=pair_weights, y=pair_weights, lam=paper_lams, sign=signs)
def test_same_sign_pair_resolves_to_the_larger_weight(x, y, lam, sign):
    """Paper §2.4 (``theory.two_features.shared_neuron_rhs``, derivation ``two-features.reduced-system``): two
    same-sign features alone on a neuron interfere, and their flow is one feature's ℓ1 flow on m = 2, so the
    smaller initial |weight| dies (at the exact solver's death time) while the larger is alive, and the
    larger then ends at sign·w*, (1 − w*²)w* = λ (``theory.single_feature.fixed_point``), provided it is
    above the unstable root w_u when left alone (§2.6); below w_u it dies too, after its partner. Before
    the death the pair's trajectory is the exact single-feature solution."""
    assume(abs(x - y) >= 1e-3)
    w0 = sign * np.array([x, y])
    big, small = (0, 1) if x > y else (1, 0)
    exact = solve_single_feature(w0, lam, rtol=RTOL, atol=ATOL)  # m = 2: until the smaller one dies
    assert exact.winner == big and np.isinf(exact.death_time[big])
    t_mid, T = 0.5 * exact.t_sparse, exact.t_sparse + 60.0
    W, death, after = _pair_flow(w0, lam, [t_mid, T])

    # one feature's flow on m = 2 while both live (error unit as for the brute force)
    ref = exact.weights(t_mid)
    a, b = np.exp(exact.log_a(t_mid)), exact.threshold(t_mid)
    assert np.all(np.abs(W[0] - ref) <= UNITS * (ATOL + RTOL * (np.abs(ref) + a * b)))
    # the smaller dies first, when the exact b reaches its initial magnitude
    assert death[small] < death[big]
    assert math.isclose(death[small], exact.t_sparse, rel_tol=1e-7, abs_tol=1e-9)
    alone = abs(after[small, big])  # the larger weight when its partner dies
    w_u = _unstable_root(lam)
    assume(abs(alone - w_u) > BAND * w_u)
    assert W[-1, small] == 0.0
    if alone > w_u:
        assert np.isinf(death[big]) and np.sign(W[-1, big]) == sign
        assert abs(abs(W[-1, big]) - fixed_point(lam)) <= FIXED_POINT_ATOL
    else:
        assert W[-1, big] == 0.0 and death[big] > death[small]


@given(x=pair_weights, y=pair_weights, lam=paper_lams, sign=signs)
def test_opposite_sign_pair_persists_at_the_fixed_point(x, y, lam, sign):
    """Paper §2.4 (``theory.two_features.shared_neuron_rhs``): with opposite signs the ReLU removes the
    interference, each weight follows the lone-feature flow dx/dt = x(1 − x²) − λ sign x (its trajectory is
    ``solve_single_feature`` on m = 1), and every weight above the unstable root w_u ends at ±w* with its
    initial sign (§2.6): the shared neuron keeps both features, with overlap −w*², however unequal the
    initial weights (a weight below w* grows to w*: the chance overlap is strengthened). A weight below
    w_u dies, alone as it would without its partner. Ties x = y are allowed: there is no race."""
    w0 = sign * np.array([x, -y])
    w_u, w_star = _unstable_root(lam), fixed_point(lam)
    assume(np.all(np.abs(np.abs(w0) - w_u) > BAND * w_u))
    times = [1.0, 4.0, 60.0]
    W, death, _ = _pair_flow(w0, lam, times)
    for k in range(2):
        lone = solve_single_feature(w0[k:k + 1], lam, times, method="brute-force", rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(W[:, k], lone.y[:, 0], rtol=0, atol=1e-8)  # no interference
        if abs(w0[k]) > w_u:
            assert np.isinf(death[k]) and np.sign(W[-1, k]) == np.sign(w0[k])
            assert abs(abs(W[-1, k]) - w_star) <= FIXED_POINT_ATOL
        else:
            assert np.isfinite(death[k]) and W[-1, k] == 0.0
    if np.all(np.abs(w0) > w_u):  # persistence: both features still share the neuron, at ±w*
        assert W[-1, 0] * W[-1, 1] < 0
        assert abs(W[-1, 0] * W[-1, 1] + w_star**2) <= 2 * FIXED_POINT_ATOL
