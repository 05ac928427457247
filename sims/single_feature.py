"""ODE solvers for one feature under ℓ1 alone: dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) (paper §2.3).

Units: the paper's gradient-flow units (λ = λ_code/4, t = 4 × optimiser time). A coordinate that
reaches 0 stays at 0: the minimal-norm subgradient at w_k = 0 is (1 − q)·0 − λ·[−1, 1] ∋ 0, so the
flow keeps it there (|(1 − q)·0| < λ).

* ``integrate_single_feature``: brute force, the m-dimensional flow with ``solve_ivp``; a terminal
  event at each zero crossing, after which that coordinate is frozen at 0 and integration restarts
  on the survivors (O(m) per right-hand side; for checks at small m).
* ``solve_reduced``: the exact reduction w_k(t) = sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊ of
  ``theory.single_feature`` (derivation ``single-feature.reduced-ode``), solved for (log a, b) with
  O(log m) per evaluation; dense output of m′(t), ‖w‖₁(t), ‖w‖²(t), b(t), the death time of every
  coordinate (where b(t) crosses its initial magnitude) and the winner (the initial argmax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import OdeSolution, solve_ivp

from theory import _validate
from theory.single_feature import InitialMagnitudes, exact_weights, initial_magnitudes, reduced_rhs

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
    return _validate.real("lam", lam, minimum=0.0)


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
    rtol = _validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    atol = _validate.real("atol", atol, minimum=0.0, strict_min=True)
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

def _jacobian(_, y, init: InitialMagnitudes, lam: float) -> np.ndarray:
    """∂(d log a/dt, db/dt)/∂(log a, b) = [[−2q, 2a²Σ(w − b)₊], [−λ/a, 0]]."""
    a = math.exp(float(y[0]))
    b = float(y[1])
    q = a * a * init.survivor_square_excess(b)
    j = init.first_survivor(b)
    s1 = float(np.sum(init.w[j:] - b)) if init.m - j < _DIRECT_SUM_BELOW else \
        float(max(init.c1[-1] - init.c1[j] - b * (init.m - j), 0.0))
    return np.array([[-2.0 * q, 2.0 * a * a * s1], [-lam / a, 0.0]])


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
    the requested times and (log a, b) there (step end points).
    """

    w0: np.ndarray
    lam: float
    init: InitialMagnitudes
    order: np.ndarray
    t_end: float
    solution: OdeSolution
    t: np.ndarray
    log_a_eval: np.ndarray
    b_eval: np.ndarray
    death_time: np.ndarray
    winner: int
    t_sparse: float

    @property
    def m(self) -> int:
        """Number of coordinates."""
        return self.init.m

    def _state(self, t) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0) or np.any(t > self.t_end * (1 + 1e-12)):
            raise ValueError(f"t must lie in [0, t_end = {self.t_end}]")
        y = self.solution(np.atleast_1d(t)) if self.t_end > 0 else np.zeros((2, np.atleast_1d(t).size))
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


def _solve_pieces(init, lam, stops, *, rtol, atol, method, until_sparse):
    """Integrate (log a, b) from 0 through each time in ``stops`` (restarting there, so the values at
    ``stops`` are step end points); with ``until_sparse`` stop instead when b reaches the second
    largest magnitude. Returns (OdeSolution, values at stops, t_end)."""
    ts, interpolants, values = [0.0], [], []
    y, t = np.zeros(2), 0.0
    events = None
    if until_sparse:
        second = float(init.w[-2])

        def sparse(_, u, *args):
            return u[1] - second

        sparse.terminal, sparse.direction = True, 1
        events = sparse
    kwargs = {"jac": _jacobian} if method in ("Radau", "BDF", "LSODA") else {}
    for stop in stops:
        if stop > t:
            sol = solve_ivp(reduced_rhs, (t, float(stop)), y, method=method, args=(init, lam), rtol=rtol,
                            atol=atol, dense_output=True, events=events, **kwargs)
            if not sol.success:
                raise RuntimeError(f"reduced-flow integration failed: {sol.message}")
            ts.extend(sol.sol.ts[1:])
            interpolants.extend(sol.sol.interpolants)
            t, y = float(sol.t[-1]), sol.y[:, -1].copy()
            if until_sparse and sol.status != 1:
                raise RuntimeError(f"full sparsity not reached by t = {stop:g} (λ too small?)")
        values.append(y.copy())
    if not interpolants:
        return None, np.array(values), 0.0
    return OdeSolution(np.array(ts), interpolants), np.array(values), t


def _crossing_times(solution: OdeSolution, lam: float, targets: np.ndarray) -> np.ndarray:
    """Times at which b(t) = target for ascending targets in (0, b(t_end)]: Newton on the dense output
    (db/dt = λ/a), started from linear interpolation between step ends, segment by segment."""
    ts = solution.ts
    b_steps = np.maximum.accumulate(np.concatenate([[0.0], [ip(ts[i + 1])[1] for i, ip in
                                                              enumerate(solution.interpolants)]]))
    seg = np.clip(np.searchsorted(b_steps, targets, side="left") - 1, 0, len(ts) - 2)
    lo, hi = ts[seg], ts[seg + 1]
    blo, bhi = b_steps[seg], b_steps[seg + 1]
    t = lo + (hi - lo) * np.clip((targets - blo) / np.where(bhi > blo, bhi - blo, 1.0), 0.0, 1.0)
    bounds = np.searchsorted(seg, np.arange(len(ts)), side="left")  # targets of segment k: bounds[k]:bounds[k+1]
    for _ in range(8):
        y = np.empty((2, t.size))
        for k in np.unique(seg):
            sl = slice(bounds[k], bounds[k + 1])
            y[:, sl] = solution.interpolants[k](t[sl])
        step = (y[1] - targets) * np.exp(y[0]) / lam
        t = np.clip(t - step, lo, hi)
        if np.all(np.abs(step) <= 1e-14 * np.maximum(t, 1.0)):
            break
    return t


def solve_reduced(w0, lam: float, t_end: float | None = None, *, t_eval=None, rtol: float = 1e-10,
                  atol: float = 1e-12, method: str = "Radau") -> ReducedSolution:
    """Solve d(log a, b)/dt = (1 − a²Σ(|w(0)| − b)₊², λ/a) from (0, 0): the exact flow of one feature.

    Paper §2.3(a), paper units; ``theory.single_feature.reduced_rhs`` (derivation
    ``single-feature.reduced-ode``), O(log m) per evaluation after an O(m log m) sort. The span is
    [0, t_end], or [0, t_eval[-1]] (the values at ``t_eval`` are then step end points), or, with
    neither, until full sparsity (b reaches the second largest |w_k(0)|; needs λ > 0 and a unique
    largest magnitude). Radau with the analytic Jacobian: the norm relaxes at rate 2q ≈ 2 while
    the threshold moves on the time scale t itself, so explicit methods need ~1/λ steps.
    Death times: Newton on the dense output (relative error ≈ rtol).
    """
    w0 = _weights(w0)
    lam = _lam(lam)
    if t_eval is not None:
        t_eval = _times("t_eval", t_eval)
        if t_end is not None and float(t_end) != t_eval[-1]:
            raise ValueError("t_end must equal t_eval[-1] when both are given")
        stops = t_eval
    elif t_end is not None:
        stops = np.array([_validate.real("t_end", t_end, minimum=0.0)])
    else:
        stops = None
    init = initial_magnitudes(w0)
    order = np.argsort(np.abs(w0), kind="stable")
    winner = int(np.argmax(np.abs(w0)))
    until_sparse = stops is None
    if until_sparse:
        if lam == 0:
            raise ValueError("lam must be > 0 to run until full sparsity (or give t_end)")
        if init.m >= 2 and init.w[-2] == init.w[-1]:
            raise ValueError("w0: the two largest magnitudes are equal, so full sparsity is never reached")
        stops = np.array([1e6 / lam + 1e6])
    if until_sparse and init.m == 1:
        solution, values, t_stop = None, np.zeros((1, 2)), 0.0
        t_out = np.zeros(1)
    else:
        solution, values, t_stop = _solve_pieces(init, lam, stops, rtol=rtol, atol=atol, method=method,
                                                 until_sparse=until_sparse)
        t_out = np.array([t_stop]) if until_sparse else stops
        if until_sparse:
            values = values[-1:]
    # death times of the sorted magnitudes: 0 for zeros, crossing times up to b(t_end), inf after
    death_sorted = np.full(init.m, np.inf)
    death_sorted[init.w == 0] = 0.0
    b_end = float(values[-1, 1])
    dying = np.flatnonzero((init.w > 0) & (init.w <= b_end))
    if dying.size and solution is not None and lam > 0:
        death_sorted[dying] = _crossing_times(solution, lam, init.w[dying])
    if until_sparse and init.m >= 2:
        death_sorted[-2] = t_stop  # the event located it; Newton agrees to rounding
        death_sorted[-1] = np.inf
    death = np.empty(init.m)
    death[order] = death_sorted
    t_sparse = 0.0 if init.m == 1 else float(death_sorted[-2])
    return ReducedSolution(w0, lam, init, order, float(t_stop), solution, t_out, values[:, 0], values[:, 1],
                           death, winner, t_sparse)
