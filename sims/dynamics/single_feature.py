"""ODE solvers for one feature under ℓ1 alone: dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) (paper §2.3).

Units: the paper's gradient-flow units (λ = λ_code/4, t = 4 × optimiser time; from code units use
``theory.units.paper_lambda`` / ``paper_time``). A coordinate that reaches 0 stays at 0: the
minimal-norm subgradient at w_k = 0 is (1 − q)·0 − λ·[−1, 1] ∋ 0, so the flow keeps it there
(|(1 − q)·0| < λ).

One entry point, ``solve_single_feature(w0, lam, t_eval, method=...)``, two routes, both returning a
``theory.ode.OdeSolution`` with the same ``active(t)``, ``weights(t)`` and ``death_time``:

* ``method="reduced"`` (default) → ``ReducedSolution``: the exact reduction
  w_k(t) = sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊ of ``theory.single_feature`` (derivation
  ``single-feature.reduced-ode``), solved for (log a, b) with O(log m) per evaluation by a compiled
  port of scipy's Radau IIA (``sims.dynamics._radau``); dense output of m′(t), ‖w‖₁(t), ‖w‖²(t),
  b(t), the death time of every coordinate (where b(t) crosses its initial magnitude) and the
  winner (the initial argmax); without a time grid it runs until full sparsity.
* ``method="brute-force"`` → ``BruteForceSolution``: the m-dimensional flow with ``solve_ivp``; a
  terminal event at each zero crossing, after which that coordinate is frozen at 0 and integration
  restarts on the survivors (O(m) per right-hand side; for checks at small m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from theory import validate
from theory.ode import OdeSolution, TimeFirst
from theory.single_feature import InitialMagnitudes, exact_weights, initial_magnitudes

from ._radau import STEP_TOO_SMALL, STOPPED, RadauDenseOutput, crossing_times, radau_reduced

__all__ = ["BruteForceSolution", "ReducedSolution", "solve_single_feature"]

METHODS = ("reduced", "brute-force")
_FINISHED = "The solver successfully reached the end of the integration interval."
_SPARSE = "A termination event occurred: one coordinate is left (full sparsity)."


# ---------------------------------------------------------------- validation

def _weights(w0) -> np.ndarray:
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.ndim != 1 or w0.size == 0 or not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be a non-empty 1-D array of finite numbers, got shape {w0.shape}")
    return w0


def _stops(t_eval, t_end) -> np.ndarray | None:
    """The requested times: ``t_eval``, or [t_end], or None (neither: until full sparsity)."""
    if t_eval is not None:
        t_eval = validate.times("t_eval", t_eval)
        if t_end is not None and float(t_end) != t_eval[-1]:
            raise ValueError("t_end must equal t_eval[-1] when both are given")
        return t_eval
    if t_end is not None:
        return np.array([validate.real("t_end", t_end, minimum=0.0)])
    return None


def _rows(t_all: np.ndarray, t) -> np.ndarray | slice:
    """Indices of the times ``t`` in ``t_all`` (exact matches; all rows when t is None)."""
    if t is None:
        return slice(None)
    t = np.asarray(t, dtype=np.float64)
    i = np.clip(np.searchsorted(t_all, t), 0, t_all.size - 1)
    if not np.array_equal(t_all[i], t):
        raise ValueError(f"t must be among the solution's times {t_all.tolist()} (the brute force has no dense "
                         "output)")
    return i


# ---------------------------------------------------------------- brute force

@dataclass(frozen=True, kw_only=True, eq=False)
class BruteForceSolution(OdeSolution):
    """The m-dimensional flow (``solve_single_feature(..., method="brute-force")``), paper units.

    ``y[i]`` = w(t[i]) (shape (len(t), m)); ``sol`` is None (values at the requested times only);
    ``nfev``: summed over the restarts. ``death_time[k]``: the time coordinate k reached 0 (0 if
    w_k(0) = 0; inf if alive at t[-1]).

    Examples
    --------
    >>> from sims.dynamics.single_feature import solve_single_feature
    >>> from theory.single_feature import fixed_point
    >>> bf = solve_single_feature([0.6, -0.5, 0.3, 0.1], 0.1, [1.0, 5.0, 20.0], method="brute-force")
    >>> bf.death_time.round(4).tolist(), bf.active().tolist(), int(bf.active(5.0))
    ([inf, 14.1991, 4.8127, 1.1559], [4, 2, 1], 2)
    >>> bf.weights(20.0).round(4).tolist(), round(fixed_point(0.1), 4)  # the survivor near w*(λ)
    ([0.9456, 0.0, 0.0, 0.0], 0.9456)
    """

    death_time: np.ndarray

    def active(self, t=None) -> np.ndarray:
        """m′ = #{k : w_k ≠ 0} at the times ``t`` (each one of ``self.t``; default: all of them)."""
        return np.count_nonzero(self.y[_rows(self.t, t)], axis=-1)

    def weights(self, t) -> np.ndarray:
        """w(t) (one of ``self.t``)."""
        return self.y[_rows(self.t, t)]


def _solve_brute_force(w0: np.ndarray, lam: float, t_eval: np.ndarray, rtol: float,
                       atol: float) -> BruteForceSolution:
    """DOP853 on the living coordinates; a terminal event when one reaches 0, which is then frozen at 0
    and dropped from the state, and the integration restarts. A living coordinate keeps its initial
    sign, so its force uses sign(w_k(0)): the right-hand side is smooth up to the crossing, which the
    event locates (with sign(w) itself the solver chatters at 0). The values at ``t_eval`` are step
    end points (the integration is restarted at each of them). O(m) per right-hand side and one
    restart per death: meant for checks at m ≲ 10⁴."""
    m = w0.size
    alive = np.flatnonzero(w0)  # indices of the living coordinates
    sign = np.sign(w0[alive])
    u = w0[alive].copy()
    death = np.full(m, np.inf)
    death[w0 == 0] = 0.0
    out = np.zeros((t_eval.size, m))
    nfev = 0

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
            nfev += int(sol.nfev)
            t, u = float(sol.t[-1]), sol.y[:, -1].copy()
            if sol.status == 1:  # a coordinate reached 0 (others may be at 0 within the event's tolerance)
                dead = sign * u <= 0
                dead[int(np.argmin(sign * u))] = True
                death[alive[dead]] = t
                alive, sign, u = alive[~dead], sign[~dead], u[~dead]
        t = max(t, float(target))
        out[i, alive] = u
    return BruteForceSolution(t=t_eval, y=out, status=0, message=_FINISHED, nfev=nfev, death_time=death)


# ---------------------------------------------------------------- exact reduction

@dataclass(frozen=True, kw_only=True, eq=False)
class ReducedSolution(OdeSolution):
    """The exact single-feature flow (``solve_single_feature(..., method="reduced")``), paper units.

    Common fields: ``t`` the requested times (or [t_sparse] when run until full sparsity), ``y[i]`` =
    (log a, b) at ``t[i]`` (step end points), ``sol(t)`` the dense output of (log a, b) (None when
    no step was taken), ``status`` 0 (end reached) or 1 (stopped at full sparsity), ``nfev``.
    Extras: ``w0``, ``lam``; ``init``: sorted magnitudes, prefix sums and sorting permutation
    ``init.order`` (sorted position → coordinate); ``t_end``: where the integration stopped;
    ``radau``: the compiled solver's steps and collocation cubics (``RadauDenseOutput``, None when
    no step was taken); ``death_time``: per coordinate (original order), the time b(t) reaches
    |w_k(0)| (0 if w_k(0) = 0, inf if it is alive at t_end; always inf for the winner);
    ``winner``: the index of the initial argmax |w_k(0)|, the last survivor; ``t_sparse``: when
    one coordinate is left (the second largest magnitude's death; inf if after t_end). Every
    method takes times in [0, t_end]; ``active``, ``l1_norm`` and ``sq_norm`` default to ``t``.

    Examples
    --------
    >>> from sims.dynamics.single_feature import solve_single_feature
    >>> red = solve_single_feature([0.6, -0.5, 0.3, 0.1], 0.1, [1.0, 5.0, 20.0])
    >>> red.m, red.order.tolist(), red.winner, round(red.t_sparse, 4), red.death_time.round(4).tolist()
    (4, [3, 2, 1, 0], 0, 14.1991, [inf, 14.1991, 4.8127, 1.1559])
    >>> red.y.round(4).tolist()  # (log a, b) at t
    [[0.248, 0.088], [0.9634, 0.3073], [2.8604, 0.5459]]
    >>> red.active().tolist(), red.l1_norm().round(4).tolist(), red.sq_norm().round(4).tolist()
    ([4, 2, 1], [1.4709, 1.2723, 0.9456], [0.7831, 0.8437, 0.8943])
    >>> red.active([0.5, 2.5]).tolist(), red.threshold(5.0).round(4).tolist(), abs(red.weights(20.0)).round(4).tolist()
    ([4, 3], 0.3073, [0.9456, 0.0, 0.0, 0.0])
    """

    w0: np.ndarray
    lam: float
    init: InitialMagnitudes
    t_end: float
    radau: RadauDenseOutput | None
    death_time: np.ndarray
    winner: int
    t_sparse: float

    @property
    def m(self) -> int:
        """Number of coordinates."""
        return self.init.m

    @property
    def order(self) -> np.ndarray:
        """``np.argsort(|w0|)``: sorted position → coordinate."""
        return self.init.order

    def _state(self, t) -> tuple[np.ndarray, np.ndarray]:
        if t is None:
            return self.y[:, 0], np.maximum(self.y[:, 1], 0.0)
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0) or np.any(t > self.t_end * (1 + 1e-12)):
            raise ValueError(f"t must lie in [0, t_end = {self.t_end}]")
        flat = np.atleast_1d(t).ravel()
        y = self.radau(flat) if self.radau is not None else np.zeros((2, flat.size))
        return y[0].reshape(t.shape), np.maximum(y[1], 0.0).reshape(t.shape)

    def log_a(self, t) -> np.ndarray:
        """log a(t) = ∫₀ᵗ(1 − ‖w‖²)."""
        return self._state(t)[0]

    def threshold(self, t) -> np.ndarray:
        """b(t) = λ∫₀ᵗ a⁻¹: coordinates with |w_k(0)| ≤ b(t) are dead at t."""
        return self._state(t)[1]

    def _sums(self, t):
        log_a, b = self._state(t)
        s0, s1, s2 = self.init.excess_sums(b)
        return np.exp(log_a), s0, s1, s2

    def active(self, t=None) -> np.ndarray:
        """m′(t) = #{k : |w_k(0)| > b(t)} (default: at the times ``self.t``)."""
        return self._sums(t)[1]

    def l1_norm(self, t=None) -> np.ndarray:
        """‖w(t)‖₁ = a·Σ(|w_k(0)| − b)₊."""
        a, _, s1, _ = self._sums(t)
        return a * s1

    def sq_norm(self, t=None) -> np.ndarray:
        """‖w(t)‖² = a²·Σ(|w_k(0)| − b)₊²."""
        a, _, _, s2 = self._sums(t)
        return a * a * s2

    def weights(self, t: float) -> np.ndarray:
        """w(t) (original order): sign(w_k(0))·a(t)(|w_k(0)| − b(t))₊."""
        log_a, b = self._state(float(t))
        return exact_weights(self.w0, float(log_a), float(b))


def _solve_reduced(w0: np.ndarray, lam: float, stops: np.ndarray | None, rtol: float,
                   atol: float) -> ReducedSolution:
    """Radau IIA (order 5) with the analytic Jacobian, compiled (``sims.dynamics._radau``, a port of
    scipy's solver: the norm relaxes at rate 2q ≈ 2 while the threshold moves on the time scale t
    itself, so explicit methods need ~1/λ steps). Death times: Newton on the collocation cubic of
    the step that holds them (relative error ≈ rtol)."""
    init = initial_magnitudes(w0)
    order = init.order
    winner = int(order[-1]) if np.count_nonzero(init.w == init.w[-1]) == 1 else int(np.argmax(np.abs(w0)))
    until_sparse = stops is None
    if until_sparse:
        if lam == 0:
            raise ValueError("lam must be > 0 to run until full sparsity (or give t_end)")
        if init.m >= 2 and init.w[-2] == init.w[-1]:
            raise ValueError("w0: the two largest magnitudes are equal, so full sparsity is never reached")
        stops = np.array([1e6 / lam + 1e6])
    dense, t_stop, status = None, 0.0, 1 if until_sparse else 0
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
    return ReducedSolution(t=t_out, y=values, status=int(status), message=_SPARSE if status == STOPPED else _FINISHED,
                           nfev=int(nfev) if dense is not None else 0, sol=None if dense is None else TimeFirst(dense),
                           w0=w0, lam=lam, init=init, t_end=float(t_stop), radau=dense, death_time=death,
                           winner=winner, t_sparse=t_sparse)


def solve_single_feature(w0, lam: float, t_eval=None, *, t_end: float | None = None, method: str = "reduced",
                         rtol: float = 1e-10, atol: float = 1e-12) -> ReducedSolution | BruteForceSolution:
    """Paper units (λ = λ_code/4, t = 4·t_code): solve dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) from w(0) = w0.

    Paper §2.3, one feature under ℓ1 alone, the kink at 0 exact (a coordinate that reaches 0 stays
    there).

    Parameters
    ----------
    w0 : array_like, shape (m,)
        Initial weights, finite.
    lam : float
        λ ≥ 0 in paper units (``theory.units.paper_lambda(l1)`` from the code's ``l1``).
    t_eval : array_like, optional
        Ascending times ≥ 0 at which to return the state (step end points of both routes).
    t_end : float, optional
        End of the span when ``t_eval`` is not given (must equal ``t_eval[-1]`` if both are).
        With neither, the reduced route runs until full sparsity (b reaches the second largest
        |w_k(0)|; needs λ > 0 and a unique largest magnitude).
    method : {"reduced", "brute-force"}
        ``"reduced"``: the exact two-variable reduction (log a, b) of ``theory.single_feature``
        (``reduced_rhs``, derivation ``single-feature.reduced-ode``), O(log m) per evaluation after
        an O(m log m) sort, compiled Radau IIA with dense output and death times
        (``ReducedSolution``). ``"brute-force"``: the m coordinates with ``solve_ivp`` (DOP853) and
        a terminal event at each zero crossing, O(m) per evaluation (``BruteForceSolution``).
    rtol, atol : float
        Tolerances, > 0.

    Returns
    -------
    ReducedSolution or BruteForceSolution
        ``theory.ode.OdeSolution`` subclasses; both have ``active(t)``, ``weights(t)`` and
        ``death_time``. Raises ``RuntimeError`` if the solver fails.

    Examples
    --------
    >>> from sims.dynamics.single_feature import solve_single_feature
    >>> w0 = [0.6, -0.5, 0.3, 0.1]
    >>> red = solve_single_feature(w0, 0.1)  # until one weight is left
    >>> red.status, red.winner, bool(red.t_sparse == red.death_time[1])  # the second largest dies last
    (1, 0, True)
    >>> times = [1.0, 5.0, 20.0]
    >>> red = solve_single_feature(w0, 0.1, times)
    >>> bf = solve_single_feature(w0, 0.1, times, method="brute-force")
    >>> red.active().tolist(), bf.active().tolist(), int(red.active(2.5))
    ([4, 2, 1], [4, 2, 1], 3)
    >>> bool(abs(red.weights(20.0) - bf.weights(20.0)).max() < 1e-8)
    True
    """
    method = validate.choice("method", method, METHODS)
    w0 = _weights(w0)
    lam = validate.real("lam", lam, minimum=0.0)
    rtol = validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    atol = validate.real("atol", atol, minimum=0.0, strict_min=True)
    stops = _stops(t_eval, t_end)
    if method == "brute-force":
        if stops is None:
            raise ValueError("t_eval (or t_end) is required for method='brute-force', which has no full-sparsity event")
        return _solve_brute_force(w0, lam, stops, rtol, atol)
    return _solve_reduced(w0, lam, stops, rtol, atol)
