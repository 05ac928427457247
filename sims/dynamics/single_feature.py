"""ODE solvers for one feature under ℓ1 alone: dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) (paper §2.3).

Units: the paper's gradient-flow units (λ = λ_code/4, t = 4 × optimiser time). A coordinate that
reaches 0 stays at 0: the minimal-norm subgradient at w_k = 0 is (1 − q)·0 − λ·[−1, 1] ∋ 0, so the
flow keeps it there (|(1 − q)·0| < λ).

* ``integrate_single_feature``: brute force, the m-dimensional flow with ``solve_ivp``; a terminal
  event at each zero crossing, after which that coordinate is frozen at 0 and integration restarts
  on the survivors (O(m) per right-hand side; for checks at small m).
* ``solve_reduced``: the exact reduction w_k(t) = sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊ of
  ``theory.single_feature`` (derivation ``single-feature.reduced-ode``), solved for (log a, b) with
  O(log m) per evaluation by a compiled port of scipy's Radau IIA (``sims.dynamics._radau``); dense output of m′(t), ‖w‖₁(t), ‖w‖²(t), b(t), the death time of every
  coordinate (where b(t) crosses its initial magnitude) and the winner (the initial argmax).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from theory import validate
from theory.single_feature import InitialMagnitudes, exact_weights

from ._radau import STEP_TOO_SMALL, STOPPED, RadauDenseOutput, crossing_times, radau_reduced

__all__ = ["BruteForceSolution", "ReducedSolution", "integrate_single_feature", "solve_reduced"]

_DIRECT_SUM_BELOW = 64  # as theory.single_feature: sum the few survivors directly (no cancellation)


# ---------------------------------------------------------------- validation

def _weights(w0) -> np.ndarray:
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.ndim != 1 or w0.size == 0 or not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be a non-empty 1-D array of finite numbers, got shape {w0.shape}")
    return w0


def _times(name: str, t) -> np.ndarray:
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if (t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or t[0] < 0
            or np.any(np.diff(t) <= 0)):
        raise ValueError(f"{name} must be a non-empty strictly increasing sequence of finite times >= 0")
    return t


def _lam(lam) -> float:
    return validate.real("lam", lam, minimum=0.0)


# ---------------------------------------------------------------- brute force

@dataclass(frozen=True)
class BruteForceSolution:
    """The m-dimensional flow at the times ``t``: ``w[i]`` = w(t[i]) (shape (len(t), m)).

    ``death_time[k]``: the time coordinate k reached 0 (0 if w_k(0) = 0; inf if alive at t[-1]).
    """

    t: np.ndarray
    w: np.ndarray
    death_time: np.ndarray

    @property
    def active(self) -> np.ndarray:
        """m′ = #{k : w_k ≠ 0} at each time ``t``."""
        return np.count_nonzero(self.w, axis=1)


def integrate_single_feature(w0, lam: float, t_eval, *, rtol: float = 1e-10,
                             atol: float = 1e-12) -> BruteForceSolution:
    """Integrate dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) in m dimensions, the ℓ1 kink exactly.

    Paper §2.3, paper units. DOP853 on the living coordinates; a terminal event when one reaches 0,
    which is then frozen at 0 and dropped from the state, and the integration restarts. A living
    coordinate keeps its initial sign, so its force uses sign(w_k(0)): the right-hand side is smooth
    up to the crossing, which the event locates (with sign(w) itself the solver chatters at 0).
    The values at ``t_eval`` are step end points (the integration is restarted at each of them).
    O(m) per right-hand side and one restart per death: meant for checks at m ≲ 10⁴.
    """
    w0 = _weights(w0)
    lam = _lam(lam)
    t_eval = _times("t_eval", t_eval)
    rtol = validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    atol = validate.real("atol", atol, minimum=0.0, strict_min=True)
    m = w0.size
    alive = np.flatnonzero(w0)  # indices of the living coordinates
    sign = np.sign(w0[alive])
    u = w0[alive].copy()
    death = np.full(m, np.inf)
    death[w0 == 0] = 0.0
    out = np.zeros((t_eval.size, m))

    def rhs(_, v):
        return (1.0 - v @ v) * v - lam * sign

    def hits_zero(_, v):
        return float(np.min(sign * v)) if v.size else 1.0  # |w_k| while alive, negative past 0

    hits_zero.terminal, hits_zero.direction = True, -1
    t = 0.0
    for i, target in enumerate(t_eval):
        while t < target and u.size:
            sol = solve_ivp(rhs, (t, float(target)), u, method="DOP853", rtol=rtol, atol=atol,
                            events=hits_zero if lam > 0 else None)
            if not sol.success:
                raise RuntimeError(f"brute-force integration failed: {sol.message}")
            t, u = float(sol.t[-1]), sol.y[:, -1].copy()
            if sol.status == 1:  # a coordinate reached 0 (others may be at 0 within the event's tolerance)
                dead = sign * u <= 0
                dead[int(np.argmin(sign * u))] = True
                death[alive[dead]] = t
                alive, sign, u = alive[~dead], sign[~dead], u[~dead]
        t = max(t, float(target))
        out[i, alive] = u
    return BruteForceSolution(t_eval, out, death)


# ---------------------------------------------------------------- exact reduction

def _excess_sums(init: InitialMagnitudes, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per threshold b: (#{w > b}, Σ(w − b)₊, Σ(w − b)₊²), prefix sums or direct sums for few survivors."""
    j = np.searchsorted(init.w, b, side="right")
    s0 = init.m - j
    s1 = np.maximum(init.c1[-1] - init.c1[j] - b * s0, 0.0)
    s2 = np.maximum(init.c2[-1] - init.c2[j] - 2 * b * (init.c1[-1] - init.c1[j]) + b * b * s0, 0.0)
    for i in np.flatnonzero(s0 < _DIRECT_SUM_BELOW):
        e = init.w[j[i]:] - b[i]
        s1[i], s2[i] = np.sum(e), np.sum(e * e)
    return s0, s1, s2


@dataclass(frozen=True)
class ReducedSolution:
    """The exact single-feature flow from ``solve_reduced``; every method takes times in [0, t_end].

    ``init``: sorted magnitudes and prefix sums; ``order``: ``np.argsort(|w0|)`` (sorted position →
    coordinate); ``death_time``: per coordinate (original order), the time b(t) reaches |w_k(0)|
    (0 if w_k(0) = 0, inf if it is alive at t_end; always inf for the winner); ``winner``: the index
    of the initial argmax |w_k(0)|, the last survivor; ``t_sparse``: when one coordinate is left
    (the second largest magnitude's death; inf if after t_end); ``t``/``log_a_eval``/``b_eval``:
    the requested times and (log a, b) there (step end points); ``solution``: the dense output
    (log a, b)(t) (``None`` when t_end = 0); ``nfev``: right-hand-side evaluations.
    """

    w0: np.ndarray
    lam: float
    init: InitialMagnitudes
    order: np.ndarray
    t_end: float
    solution: RadauDenseOutput | None
    t: np.ndarray
    log_a_eval: np.ndarray
    b_eval: np.ndarray
    death_time: np.ndarray
    winner: int
    t_sparse: float
    nfev: int = 0

    @property
    def m(self) -> int:
        """Number of coordinates."""
        return self.init.m

    def _state(self, t) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0) or np.any(t > self.t_end * (1 + 1e-12)):
            raise ValueError(f"t must lie in [0, t_end = {self.t_end}]")
        flat = np.atleast_1d(t).ravel()
        y = self.solution(flat) if self.solution is not None else np.zeros((2, flat.size))
        return y[0].reshape(t.shape), np.maximum(y[1], 0.0).reshape(t.shape)

    def log_a(self, t) -> np.ndarray:
        """log a(t) = ∫₀ᵗ(1 − ‖w‖²)."""
        return self._state(t)[0]

    def threshold(self, t) -> np.ndarray:
        """b(t) = λ∫₀ᵗ a⁻¹: coordinates with |w_k(0)| ≤ b(t) are dead at t."""
        return self._state(t)[1]

    def _sums(self, t):
        log_a, b = self._state(t)
        s0, s1, s2 = _excess_sums(self.init, np.atleast_1d(b).ravel())
        return np.exp(log_a), s0.reshape(b.shape), s1.reshape(b.shape), s2.reshape(b.shape)

    def active(self, t) -> np.ndarray:
        """m′(t) = #{k : |w_k(0)| > b(t)}."""
        return self._sums(t)[1]

    def l1_norm(self, t) -> np.ndarray:
        """‖w(t)‖₁ = a·Σ(|w_k(0)| − b)₊."""
        a, _, s1, _ = self._sums(t)
        return a * s1

    def sq_norm(self, t) -> np.ndarray:
        """‖w(t)‖² = a²·Σ(|w_k(0)| − b)₊²."""
        a, _, _, s2 = self._sums(t)
        return a * a * s2

    def weights(self, t: float) -> np.ndarray:
        """w(t) (original order): sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊."""
        log_a, b = self._state(float(t))
        return exact_weights(self.w0, float(log_a), float(b))


def _sorted_magnitudes(w0: np.ndarray) -> tuple[InitialMagnitudes, np.ndarray]:
    """(sorted |w0| with prefix sums, the sorting permutation): one O(m log m) argsort."""
    mag = np.abs(w0)
    order = np.argsort(mag)
    w = mag[order]
    c1 = np.empty(w.size + 1)
    c2 = np.empty(w.size + 1)
    c1[0] = c2[0] = 0.0
    np.cumsum(w, out=c1[1:])
    np.cumsum(w * w, out=c2[1:])
    return InitialMagnitudes(w, c1, c2), order


def solve_reduced(w0, lam: float, t_end: float | None = None, *, t_eval=None, rtol: float = 1e-10,
                  atol: float = 1e-12) -> ReducedSolution:
    """Solve d(log a, b)/dt = (1 − a²Σ(|w(0)| − b)₊², λ/a) from (0, 0): the exact flow of one feature.

    Paper §2.3(a), paper units; ``theory.single_feature.reduced_rhs`` (derivation
    ``single-feature.reduced-ode``), O(log m) per evaluation after an O(m log m) sort. The span is
    [0, t_end], or [0, t_eval[-1]] (the values at ``t_eval`` are step end points), or, with
    neither, until full sparsity (b reaches the second largest |w_k(0)|; needs λ > 0 and a unique
    largest magnitude). Radau IIA (order 5) with the analytic Jacobian, compiled (``sims.dynamics._radau``,
    a port of scipy's solver: the norm relaxes at rate 2q ≈ 2 while the threshold moves on the
    time scale t itself, so explicit methods need ~1/λ steps). Death times: Newton on the
    collocation cubic of the step that holds them (relative error ≈ rtol).
    """
    w0 = _weights(w0)
    lam = _lam(lam)
    rtol = validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    atol = validate.real("atol", atol, minimum=0.0, strict_min=True)
    if t_eval is not None:
        t_eval = _times("t_eval", t_eval)
        if t_end is not None and float(t_end) != t_eval[-1]:
            raise ValueError("t_end must equal t_eval[-1] when both are given")
        stops = t_eval
    elif t_end is not None:
        stops = np.array([validate.real("t_end", t_end, minimum=0.0)])
    else:
        stops = None
    init, order = _sorted_magnitudes(w0)
    winner = int(order[-1]) if np.count_nonzero(init.w == init.w[-1]) == 1 else int(np.argmax(np.abs(w0)))
    until_sparse = stops is None
    if until_sparse:
        if lam == 0:
            raise ValueError("lam must be > 0 to run until full sparsity (or give t_end)")
        if init.m >= 2 and init.w[-2] == init.w[-1]:
            raise ValueError("w0: the two largest magnitudes are equal, so full sparsity is never reached")
        stops = np.array([1e6 / lam + 1e6])
    dense, t_stop = None, 0.0
    if until_sparse and init.m == 1:
        values, t_out = np.zeros((1, 2)), np.zeros(1)
    else:
        b_stop = float(init.w[-2]) if until_sparse else np.inf
        nonzero = stops > 0
        status, ts, y_old, h, Q, values, t_stop, nfev = radau_reduced(
            init.w, init.c1, init.c2, lam, stops[nonzero] if nonzero.any() else stops, b_stop, rtol, atol)
        if status == STEP_TOO_SMALL:
            raise RuntimeError(f"reduced-flow integration failed: step size too small at t = {t_stop:g}")
        if until_sparse and status != STOPPED:
            raise RuntimeError(f"full sparsity not reached by t = {stops[-1]:g} (λ too small?)")
        if not nonzero.all():  # t_eval starting at 0: the state there is (0, 0)
            values = np.concatenate([np.zeros((1, 2)), values]) if nonzero.any() else np.zeros((1, 2))
        dense = RadauDenseOutput(ts, y_old, h, Q) if h.size else None
        t_out = np.array([t_stop]) if until_sparse else stops
        if until_sparse:
            values = np.array([[float(dense(t_stop)[0]), float(init.w[-2])]])
    # death times of the sorted magnitudes: 0 for zeros, crossing times up to b(t_end), inf after
    death_sorted = np.full(init.m, np.inf)
    death_sorted[init.w == 0] = 0.0
    b_end = float(values[-1, 1])
    dying = np.flatnonzero((init.w > 0) & (init.w <= b_end))
    if dying.size and dense is not None and lam > 0:
        death_sorted[dying] = crossing_times(dense.ts, dense.y_old, dense.h, dense.Q, init.w[dying])
    if until_sparse and init.m >= 2:
        death_sorted[-2] = t_stop  # the event located it; Newton agrees to rounding
        death_sorted[-1] = np.inf
    death = np.empty(init.m)
    death[order] = death_sorted
    t_sparse = 0.0 if init.m == 1 else float(death_sorted[-2])
    return ReducedSolution(w0, lam, init, order, float(t_stop), dense, t_out, values[:, 0], values[:, 1],
                           death, winner, t_sparse, int(nfev) if dense is not None else 0)
