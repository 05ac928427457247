"""One feature under the ℓ1 penalty alone: the exact soft-threshold solution and its reductions.

Units: the paper's gradient-flow units (§2.2), dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k), with
λ = λ_code/4 and t = 4 × (optimiser time); a coordinate that reaches 0 stays there (sign(0) = 0).
Paper §2.3 and §2.6; every equation here is re-derived in ``derivations/single_feature.py``
(topic ``single-feature``), named in each docstring.

* Exact solution (``single-feature.exact-solution``): w_k(t) = sign(w_k(0))·a(t)·(|w_k(0)| − b(t))₊,
  a = exp∫₀ᵗ(1 − q), b = λ∫₀ᵗ a⁻¹, q = ‖w‖².
* Reduced flow (``single-feature.reduced-ode``): d(log a)/dt = 1 − a²Σ_{|w_k(0)|>b}(|w_k(0)| − b)²,
  db/dt = λ/a; O(log m) per evaluation through prefix sums of the sorted magnitudes
  (``InitialMagnitudes``, the one implementation of the reduction's sums; the compiled solver of
  ``sims.dynamics`` keeps a numba copy, see ``InitialMagnitudes``). ``reduced_rhs``,
  ``solve_reduced_flow`` (scipy, the reference route); the fast route with dense output and death
  times is ``sims.dynamics.single_feature.solve_single_feature``.
* Continuum limit (``single-feature.continuum``): |w_k(0)| ~ |N(0, s²/m)|, x = √m|w(0)|/s,
  β = √m·b/s, τ = λ√m·t, ε = λ√m. As m → ∞ at fixed ε: d(log a)/dτ = (1 − a²s²M₂(β))/ε,
  dβ/dτ = 1/(s·a) (``continuum_rhs``, ``solve_continuum_flow``); as ε → 0 as well (quasi-static,
  q = 1): dβ/dτ = √M₂(β), β(0) = 0 (``solve_continuum_law``).
* Survivor fixed point (``single-feature.fixed-point``): (1 − w²)w = λ.

Right-hand sides follow ``theory.ode`` (``rhs(t, y, lam, ...)``); the solvers (``solve_*``) return
``theory.ode.OdeSolution``. Callers in code units convert with ``theory.units.paper_lambda`` /
``paper_time``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import erfcx

from . import validate
from .ode import OdeSolution, TimeFirst, from_solve_ivp

__all__ = [
    "ContinuumLaw",
    "InitialMagnitudes",
    "asymptotic_tau",
    "continuum_moments",
    "continuum_relative_variance",
    "continuum_rhs",
    "continuum_survivor_fraction",
    "exact_weights",
    "fixed_point",
    "fixed_point_threshold",
    "initial_magnitudes",
    "norm_balance_rate",
    "paper_active_heuristic",
    "paper_l1_heuristic",
    "quasi_static_feature_benefit",
    "reduced_rhs",
    "relative_variance",
    "solve_continuum_flow",
    "solve_continuum_law",
    "solve_reduced_flow",
]

_SQRT_HALF_PI = math.sqrt(math.pi / 2)


def exact_weights(w0, log_a, b) -> np.ndarray:
    """w_k(t) = sign(w_k(0))·a·(|w_k(0)| − b)₊ with a = exp(log_a); paper units (λ = λ_code/4, t = 4·t_code).

    Paper §2.3(a); derivation ``single-feature.exact-solution``. ``w0`` is any array of initial
    weights (paper units); ``log_a`` and ``b ≥ 0`` are the reduced variables at time t.

    Examples
    --------
    >>> import math
    >>> from theory.single_feature import exact_weights
    >>> exact_weights([0.6, -0.5, 0.1], math.log(2.0), 0.2).round(4).tolist()  # a = 2, b = 0.2
    [0.8, -0.6, 0.0]
    """
    w0 = np.asarray(w0, dtype=np.float64)
    log_a = validate.real("log_a", log_a)
    b = validate.real("b", b, minimum=0.0)
    return np.sign(w0) * math.exp(log_a) * np.maximum(np.abs(w0) - b, 0.0)


@dataclass(frozen=True, eq=False)
class InitialMagnitudes:
    """Sorted initial magnitudes |w_k(0)| (ascending) with prefix sums c_p[j] = Σ_{i<j} w_(i)^p.

    Build with ``initial_magnitudes(w0)``; ``order`` is the sorting permutation (``w = |w0|[order]``,
    sorted position → coordinate). This class is the one implementation of the single-feature
    reduction's sums: ``excess_sums(b)`` gives (#{w > b}, Σ(w − b)₊, Σ(w − b)₊²) in O(log m) by
    bisection and prefix sums, summing the tail directly when fewer than ``DIRECT_SUM_BELOW``
    coordinates survive (the prefix-sum form S₂ − 2bS₁ + b²S₀ cancels when the excesses are small
    compared with the magnitudes). ``reduced_rhs``, ``solve_reduced_flow`` and the solutions of
    ``sims.dynamics.single_feature`` use it. The compiled Radau solver (``sims.dynamics._radau._sums``)
    keeps a numba copy of the same formulas with this threshold: ``theory`` may not import numba,
    and that copy sums the few survivors sequentially where numpy sums pairwise, so sharing one
    code path would change the last bits of one of the two routes.

    Examples
    --------
    >>> from theory.single_feature import initial_magnitudes
    >>> init = initial_magnitudes([0.3, -0.1, 0.2])
    >>> init.w.tolist(), init.order.tolist(), init.first_survivor(0.15)
    ([0.1, 0.2, 0.3], [1, 2, 0], 1)
    >>> [round(float(x), 12) for x in init.excess_sums(0.15)]  # (2, 0.05 + 0.15, 0.05² + 0.15²)
    [2.0, 0.2, 0.025]
    """

    #: fewer survivors than this are summed directly
    DIRECT_SUM_BELOW: ClassVar[int] = 64

    w: np.ndarray
    c1: np.ndarray
    c2: np.ndarray
    order: np.ndarray | None = None

    @property
    def m(self) -> int:
        """Number of coordinates."""
        return int(self.w.size)

    def first_survivor(self, b: float) -> int:
        """Index (in ``w``) of the smallest magnitude strictly above b; O(log m)."""
        return int(np.searchsorted(self.w, b, side="right"))

    def survivor_sums(self, b: float) -> tuple[int, float, float]:
        """(S₀, S₁, S₂) = (#{w > b}, Σ_{w>b} w, Σ_{w>b} w²), O(log m) by bisection."""
        j = self.first_survivor(b)
        return self.m - j, float(self.c1[-1] - self.c1[j]), float(self.c2[-1] - self.c2[j])

    def excess_sums(self, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(#{w > b}, Σ_{w>b}(w − b), Σ_{w>b}(w − b)²) for a threshold b or each of an array of them
        (derivation ``single-feature.reduced-ode``); arrays shaped like ``b``.

        Prefix sums, S₁ − bS₀ and S₂ − 2bS₁ + b²S₀ clipped at 0, or, with fewer than
        ``DIRECT_SUM_BELOW`` survivors, the direct sums of the excesses.
        """
        b = np.asarray(b, dtype=np.float64)
        flat = b.reshape(-1)
        j = np.searchsorted(self.w, flat, side="right")
        s0, s1, s2 = self._prefix_form(j, flat)
        for i in np.flatnonzero(s0 < self.DIRECT_SUM_BELOW):
            s1[i], s2[i] = self._direct_form(j[i], flat[i])
        return s0.reshape(b.shape), s1.reshape(b.shape), s2.reshape(b.shape)

    def survivor_square_excess(self, b: float) -> float:
        """Σ_{w>b}(w − b)² at one threshold b: the third of ``excess_sums``, without its array overhead
        (the right-hand side of ``solve_reduced_flow`` calls it at every evaluation)."""
        j = self.first_survivor(b)
        if self.m - j < self.DIRECT_SUM_BELOW:
            return float(self._direct_form(j, b)[1])
        return float(self._prefix_form(j, b)[2])

    def _prefix_form(self, j, b):
        """(S₀, S₁ − bS₀, S₂ − 2bS₁ + b²S₀) from the prefix sums, clipped at 0; j = first survivor."""
        s0 = self.m - j
        t1 = self.c1[-1] - self.c1[j]
        return s0, np.maximum(t1 - b * s0, 0.0), np.maximum(self.c2[-1] - self.c2[j] - 2 * b * t1 + b * b * s0, 0.0)

    def _direct_form(self, j, b):
        """(Σ(w − b), Σ(w − b)²) over the survivors w[j:], summed directly."""
        e = self.w[j:] - b
        return np.sum(e), np.sum(e * e)


def initial_magnitudes(w0) -> InitialMagnitudes:
    """Sort |w0| (one argsort, O(m log m)) and build the prefix sums of ``InitialMagnitudes``.

    Examples
    --------
    >>> from theory.single_feature import initial_magnitudes
    >>> init = initial_magnitudes([0.5, -0.5, 0.1])
    >>> init.m, init.c1.tolist(), round(init.survivor_square_excess(0.1), 12)
    (3, [0.0, 0.1, 0.6, 1.1], 0.32)
    """
    mag = np.abs(np.asarray(w0, dtype=np.float64).ravel())
    if mag.size == 0 or not np.all(np.isfinite(mag)):
        raise ValueError("w0 must be a non-empty array of finite numbers")
    order = np.argsort(mag)
    w = mag[order]
    c1 = np.empty(w.size + 1)
    c2 = np.empty(w.size + 1)
    c1[0] = c2[0] = 0.0
    np.cumsum(w, out=c1[1:])
    np.cumsum(w * w, out=c2[1:])
    return InitialMagnitudes(w, c1, c2, order)


def reduced_rhs(t: float, y, lam: float, init: InitialMagnitudes) -> np.ndarray:
    """Paper units (λ = λ_code/4, t = 4·t_code): d(log a, b)/dt = (1 − a²Σ_{|w(0)|>b}(|w(0)| − b)², λ/a).

    The exact single-feature flow, paper §2.3(a); derivation ``single-feature.reduced-ode``.
    ``y = (log a, b)``; ``lam`` = λ ≥ 0; ``init`` from ``initial_magnitudes``. O(log m) per call
    (``InitialMagnitudes.excess_sums``). Convention of ``theory.ode``: ``args=(lam, init)``.

    Examples
    --------
    >>> from theory.single_feature import initial_magnitudes, reduced_rhs
    >>> init = initial_magnitudes([0.5, -0.5])   # ‖w(0)‖² = 0.5
    >>> reduced_rhs(0.0, [0.0, 0.0], 0.1, init).tolist()
    [0.5, 0.1]
    """
    log_a, b = float(y[0]), float(y[1])
    a = math.exp(log_a)
    q = a * a * init.survivor_square_excess(b)
    return np.array([1.0 - q, lam / a])


def solve_reduced_flow(w0, lam: float, t_eval, *, rtol: float = 1e-10, atol: float = 1e-12,
                       method: str = "DOP853", dense_output: bool = False) -> OdeSolution:
    """Paper units (λ = λ_code/4, t = 4·t_code): solve ``reduced_rhs`` from (log a, b) = (0, 0) with scipy.

    Returns an ``OdeSolution`` with ``y[i]`` = (log a, b) at ``t_eval[i]``; the weights there are
    ``exact_weights(w0, *sol.y[i])``. ``solve_ivp`` with ``method`` (scipy's reference route; the
    compiled solver with death times is ``sims.dynamics.single_feature.solve_single_feature``).
    Raises ``RuntimeError`` if the solver fails. Precision: a survivor's w = a(|w(0)| − b) carries
    an absolute error ≈ a·(error of b) ≥ a·2⁻⁵³·b, which grows with a ≈ e^{λt/w*} once one
    survivor is left (≈ 3e-7 at λ = 0.05, t = 400); for long runs continue the lone survivor directly.

    Examples
    --------
    >>> from theory.single_feature import exact_weights, solve_reduced_flow
    >>> w0 = [0.6, -0.5, 0.1]
    >>> sol = solve_reduced_flow(w0, 0.1, [0.0, 2.0])
    >>> sol.y.shape, sol.success
    ((2, 2), True)
    >>> exact_weights(w0, *sol.y[-1]).round(4).tolist()  # the smallest weight is dead by t = 2
    [0.7204, -0.559, 0.0]
    """
    lam = validate.real("lam", lam, minimum=0.0)
    t_eval = validate.times("t_eval", t_eval)
    init = initial_magnitudes(w0)
    res = solve_ivp(reduced_rhs, (0.0, float(t_eval[-1])), [0.0, 0.0], method=method, t_eval=t_eval,
                    args=(lam, init), rtol=rtol, atol=atol, dense_output=dense_output)
    if not res.success:
        raise RuntimeError(f"reduced-flow integration failed: {res.message}")
    return from_solve_ivp(res)


def norm_balance_rate(q, l1_norm, lam):
    """dq/dt = 2(1 − q)q − 2λS for q = ‖w‖², S = ‖w‖₁ (paper §2.3(c); ``single-feature.norm-balance``).

    Paper units: λ = λ_code/4 and t = 4·t_code (``theory.units``). ``q`` and ``l1_norm`` broadcast.

    Examples
    --------
    >>> from theory.single_feature import norm_balance_rate
    >>> round(float(norm_balance_rate(0.9, 2.0, 0.01)), 4)  # 2·0.1·0.9 − 2·0.01·2
    0.14
    >>> norm_balance_rate([0.5, 1.0], 1.0, 0.1).round(4).tolist()
    [0.3, -0.2]
    """
    lam = validate.real("lam", lam, minimum=0.0)
    q = np.asarray(q, dtype=np.float64)
    return 2 * (1 - q) * q - 2 * lam * np.asarray(l1_norm, dtype=np.float64)


def quasi_static_feature_benefit(l1_norm, lam, sq_norm=1.0):
    """δ = 1 − q = λS/q, the feature benefit at which dq/dt = 0 (paper §2.3(c): δ ≈ λS at q ≈ 1).

    Derivation ``single-feature.norm-balance``. Paper units (λ = λ_code/4); ``l1_norm`` = S = ‖w‖₁,
    ``sq_norm`` = q > 0.

    Examples
    --------
    >>> from theory.single_feature import norm_balance_rate, quasi_static_feature_benefit
    >>> [round(float(quasi_static_feature_benefit(2.0, 0.05, q)), 4) for q in (1.0, 0.9)]
    [0.1, 0.1111]
    >>> q = 0.9
    >>> round(float(norm_balance_rate(q, (1 - q) * q / 0.05, 0.05)), 12)  # S with 1 − q = λS/q: balanced
    0.0
    """
    lam = validate.real("lam", lam, minimum=0.0)
    q = np.asarray(sq_norm, dtype=np.float64)
    if np.any(q <= 0):
        raise ValueError(f"sq_norm must be > 0, got {sq_norm!r}")
    return lam * np.asarray(l1_norm, dtype=np.float64) / q


def relative_variance(w) -> float:
    """RV = Var/mean² of the nonzero |w_k| (population variance) = m′q/S² − 1.

    Paper §2.3(d); the identity is checked in ``single-feature.norm-balance``. Under the exact
    balance dq/dt = 0 one has d(1/S)/dt = λ·RV/q (paper units: λ = λ_code/4, t = 4·t_code). Zeros
    are excluded (m′ = number of nonzero entries); dimensionless.

    Examples
    --------
    >>> from theory.single_feature import relative_variance
    >>> relative_variance([3.0, -1.0, 0.0])  # nonzero magnitudes 3, 1: mean 2, variance 1
    0.25
    >>> relative_variance([0.5, -0.5])
    0.0
    """
    w = np.abs(np.asarray(w, dtype=np.float64).ravel())
    w = w[w > 0]
    if w.size == 0:
        raise ValueError("w must have at least one nonzero entry")
    return float(w.size * np.sum(w * w) / np.sum(w) ** 2 - 1.0)


def _heuristic_args(t, m, lam):
    m = validate.integer("m", m, minimum=1)
    lam = validate.real("lam", lam, minimum=0.0)
    t = np.asarray(t, dtype=np.float64)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("t must be finite and >= 0")
    return t, m, lam


def paper_l1_heuristic(t, m: int, lam: float, *, clip: bool = True):
    """‖w‖₁ ≈ 1/(1/√m + λt), the paper's dashed curve (``sparsity.py``), clipped below at 1.

    Paper §2.3(d), which assumes RV = 1 and S(0) = √m (the true S(0) is √(2m/π) for N(0, 1/m)).
    ``clip=False`` gives the raw expression. Paper units: λ = λ_code/4, t = 4·t_code
    (gradient-flow time).

    Examples
    --------
    >>> from theory.single_feature import paper_l1_heuristic
    >>> paper_l1_heuristic([0.0, 10.0, 1000.0], 100, 0.01).round(4).tolist()  # 1/(0.1 + λt), then clipped
    [10.0, 5.0, 1.0]
    >>> round(float(paper_l1_heuristic(1000.0, 100, 0.01, clip=False)), 4)
    0.099
    """
    t, m, lam = _heuristic_args(t, m, lam)
    s = 1.0 / (m**-0.5 + lam * t)
    return np.maximum(s, 1.0) if clip else s


def paper_active_heuristic(t, m: int, lam: float, *, clip: bool = True):
    """m′ ≈ 1/(1/√m + λt)², the paper's dashed active-count curve, clipped below at 1.

    Paper §2.3(d). The continuum law (``solve_continuum_law``) gives m′ → 2(1 + 3/β²)/(λt)² instead:
    the heuristic drops the factor 1 + RV → 2. ``clip=False`` gives the raw expression. Paper units:
    λ = λ_code/4, t = 4·t_code (gradient-flow time).

    Examples
    --------
    >>> from theory.single_feature import paper_active_heuristic
    >>> paper_active_heuristic([0.0, 10.0, 1000.0], 100, 0.01).round(4).tolist()  # starts at m = 100
    [100.0, 25.0, 1.0]
    """
    s = paper_l1_heuristic(t, m, lam, clip=False)
    return np.maximum(s * s, 1.0) if clip else s * s


# ---------------------------------------------------------------- continuum limit m → ∞

def _beta(beta) -> np.ndarray:
    b = np.asarray(beta, dtype=np.float64)
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError(f"beta must be finite and >= 0, got {beta!r}")
    return b


def _mills(b: np.ndarray) -> np.ndarray:
    """Mills ratio R(β) = Φ̄(β)/φ(β) = √(π/2)·erfcx(β/√2), without underflow."""
    return _SQRT_HALF_PI * erfcx(b / math.sqrt(2.0))


def continuum_survivor_fraction(beta):
    """m′/m = 2Φ̄(β) = P(X > β) for X ~ |N(0, 1)| (derivation ``single-feature.continuum``).

    β = √m·b/s is the dimensionless threshold of the continuum limit (b in paper units, initial
    weights |N(0, s²/m)|); ``beta`` ≥ 0, scalar or array.

    Examples
    --------
    >>> from theory.single_feature import continuum_survivor_fraction
    >>> continuum_survivor_fraction([0.0, 1.0, 2.0]).round(4).tolist()  # P(|Z| > β)
    [1.0, 0.3173, 0.0455]
    """
    b = _beta(beta)
    return 2.0 * _phi(b) * _mills(b)


def _phi(b):
    return np.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)


def continuum_moments(beta):
    """(M₀, M₁, M₂) with M_p(β) = ∫_β^∞ (x − β)^p 2φ(x) dx (β ≥ 0, X half-normal):

    M₀ = 2Φ̄(β), M₁ = 2[φ(β) − βΦ̄(β)], M₂ = 2[(1 + β²)Φ̄(β) − βφ(β)].
    Derivation ``single-feature.continuum``. Computed as φ·(polynomial in β and the Mills ratio);
    the bracket of M₂ loses about log₁₀(β⁴/4) digits to cancellation (≈ 5e-12 relative at β = 20).
    β = √m·b/s is dimensionless (see ``continuum_survivor_fraction``).

    Examples
    --------
    >>> from theory.single_feature import continuum_moments
    >>> [m.round(4).tolist() for m in continuum_moments([0.0, 1.0])]  # M₀, M₁, M₂; M₁(0) = √(2/π)
    [[1.0, 0.3173], [0.7979, 0.1666], [1.0, 0.1507]]
    """
    b = _beta(beta)
    phi, r = _phi(b), _mills(b)
    return 2 * phi * r, 2 * phi * (1 - b * r), 2 * phi * ((1 + b * b) * r - b)


def continuum_relative_variance(beta):
    """RV(β) = M₀M₂/M₁² − 1, the relative variance of the survivors' excesses (x − β).

    π/2 − 1 at β = 0, → 1 as β → ∞ (excesses become exponential). ``single-feature.continuum``.
    β = √m·b/s is dimensionless (see ``continuum_survivor_fraction``).

    Examples
    --------
    >>> from theory.single_feature import continuum_relative_variance
    >>> continuum_relative_variance([0.0, 1.0, 10.0]).round(4).tolist()  # π/2 − 1 = 0.5708 at β = 0
    [0.5708, 0.722, 0.9816]
    """
    b = _beta(beta)
    r = _mills(b)
    return r * ((1 + b * b) * r - b) / (1 - b * r) ** 2 - 1.0


def continuum_rhs(t: float, y, eps: float, scale: float = 1.0) -> np.ndarray:
    """Paper units, continuum time τ = λ√m·t: d(log a, β)/dτ = ((1 − a²s²M₂(β))/ε, 1/(s·a)).

    The m → ∞ limit at fixed ε = λ√m; initial weights |N(0, s²/m)| (``scale`` = s), β = √m·b/s;
    ``t`` is τ. Derivation ``single-feature.continuum``. Convention of ``theory.ode``:
    ``args=(eps, scale)``.

    Examples
    --------
    >>> from theory.single_feature import continuum_rhs
    >>> [round(float(v), 9) for v in continuum_rhs(0.0, [0.0, 0.0], 0.01, 0.5)]  # M₂(0) = 1
    [75.0, 2.0]
    """
    a = math.exp(float(y[0]))
    m2 = float(continuum_moments(max(float(y[1]), 0.0))[2])
    return np.array([(1.0 - a * a * scale * scale * m2) / eps, 1.0 / (scale * a)])


def solve_continuum_flow(tau, eps: float, scale: float = 1.0, *, rtol: float = 1e-10, atol: float = 1e-12,
                         dense_output: bool = False) -> OdeSolution:
    """Paper units, continuum time τ = λ√m·t: solve ``continuum_rhs`` from (log a, β) = (0, 0).

    The m → ∞ law at fixed ε = λ√m. Returns an ``OdeSolution`` with ``y[i]`` = (log a, β) at
    ``tau[i]``; m′/m = ``continuum_survivor_fraction(sol.y[:, 1])``. Its ε → 0 limit is
    ``solve_continuum_law`` (the difference is O(ε) after the transient). Radau, since the log a
    equation is stiff (rate 2/ε) when ε is small.

    Examples
    --------
    >>> from theory.single_feature import continuum_survivor_fraction, solve_continuum_flow
    >>> sol = solve_continuum_flow([0.0, 1.0, 3.0], 0.01)
    >>> continuum_survivor_fraction(sol.y[:, 1]).round(4).tolist()
    [1.0, 0.4708, 0.1563]
    """
    eps = validate.real("eps", eps, minimum=0.0, strict_min=True)
    scale = validate.real("scale", scale, minimum=0.0, strict_min=True)
    tau = validate.times("tau", tau)
    if tau[-1] == 0:
        return OdeSolution(t=tau, y=np.zeros((tau.size, 2)), status=0, message="Nothing to integrate (tau = 0).",
                           nfev=0)
    res = solve_ivp(continuum_rhs, (0.0, float(tau[-1])), [0.0, 0.0], method="Radau", t_eval=tau,
                    args=(eps, scale), rtol=rtol, atol=atol, dense_output=dense_output)
    if not res.success:
        raise RuntimeError(f"continuum-flow integration failed: {res.message}")
    return from_solve_ivp(res)


@dataclass(frozen=True, kw_only=True, eq=False)
class ContinuumLaw(OdeSolution):
    """The quasi-static continuum law from ``solve_continuum_law``: ``t`` = τ = λ√m·t, ``y[:, 0]`` = β(τ).

    ``survivor_fraction``: m′/m = 2Φ̄(β); ``l1_norm``: ‖w‖₁/√m = M₁/√M₂; ``relative_variance``:
    RV(β), with d(√m/‖w‖₁)/dτ = RV exactly in this limit (all at the times ``t``). Paper units:
    τ = λ√m·t with λ = λ_code/4 and t = 4·t_code.

    Examples
    --------
    >>> from theory.single_feature import solve_continuum_law
    >>> law = solve_continuum_law([0.0, 1.0, 3.0])
    >>> law.t.tolist(), law.y.shape, law.l1_norm.round(4).tolist(), law.relative_variance.round(4).tolist()
    ([0.0, 1.0, 3.0], (3, 1), [0.7979, 0.5292, 0.2977], [0.5708, 0.6852, 0.7687])
    >>> near = solve_continuum_law([2.0, 2.001])  # d(1/l1_norm)/dτ = RV
    >>> slope = (1 / near.l1_norm[1] - 1 / near.l1_norm[0]) / 0.001
    >>> round(float(slope), 3), round(float(near.relative_variance[0]), 3)
    (0.738, 0.738)
    """

    survivor_fraction: np.ndarray
    l1_norm: np.ndarray
    relative_variance: np.ndarray


def _quasi_static_rhs(t, y):
    """dβ/dτ = √M₂(β), the slow manifold of ``continuum_rhs`` (no parameters)."""
    return np.sqrt(continuum_moments(max(y[0], 0.0))[2])


def solve_continuum_law(tau, *, rtol: float = 1e-10, atol: float = 1e-12, dense_output: bool = False) -> ContinuumLaw:
    """Paper units, continuum time τ = λ√m·t: solve dβ/dτ = √M₂(β), β(0) = 0 (the quasi-static law).

    The limit m → ∞, then ε = λ√m → 0 (q = 1). This is not the m → ∞ limit at fixed ε
    (``continuum_rhs``), which keeps a 2-D system; it is its slow manifold a = 1/(s√M₂(β)), valid
    up to O(ε) and after a transient of duration O(ε) in τ. Independent of the initial scale s.
    DOP853. Derivation ``single-feature.continuum``; large-τ behaviour in ``asymptotic_tau``.
    ``sol`` (with ``dense_output``) gives β only.

    Examples
    --------
    >>> from theory.single_feature import solve_continuum_law
    >>> law = solve_continuum_law([0.0, 1.0, 3.0])
    >>> law.y[:, 0].round(4).tolist(), law.survivor_fraction.round(4).tolist()
    ([0.0, 0.7194, 1.416], [1.0, 0.4719, 0.1568])
    """
    tau = validate.times("tau", tau)
    if tau[-1] == 0:
        beta, status, message, nfev, sol = np.zeros(1), 0, "Nothing to integrate (tau = 0).", 0, None
    else:
        res = solve_ivp(_quasi_static_rhs, (0.0, float(tau[-1])), [0.0], method="DOP853", t_eval=tau, rtol=rtol,
                        atol=atol, dense_output=dense_output)
        if not res.success:
            raise RuntimeError(f"continuum-law integration failed: {res.message}")
        beta, status, message, nfev = res.y[0], int(res.status), res.message, int(res.nfev)
        sol = None if res.sol is None else TimeFirst(res.sol)
    m0, m1, m2 = continuum_moments(beta)
    return ContinuumLaw(t=tau, y=beta[:, None], status=status, message=message, nfev=nfev, sol=sol,
                        survivor_fraction=m0, l1_norm=m1 / np.sqrt(m2), relative_variance=continuum_relative_variance(beta))


def asymptotic_tau(beta):
    """τ(β) ≈ (2π)^{1/4}·β^{1/2}·e^{β²/4}·(1 + 2/β²), the large-β inverse of the continuum law.

    Relative error O(β⁻⁴) (plus the additive constant of τ(β) = ∫₀^β M₂^{-1/2}). It implies
    m′/m = 2(1 + 3/β² + O(β⁻⁴))/τ² and τ·‖w‖₁/√m = 1 + O(β⁻²): asymptotically m′ ≈ 2/(λt)² and
    ‖w‖₁ ≈ 1/(λt). Derivation ``single-feature.asymptotics``. τ = λ√m·t in paper units (λ = λ_code/4,
    t = 4·t_code); β = √m·b/s dimensionless.

    Examples
    --------
    >>> from theory.single_feature import asymptotic_tau, solve_continuum_law
    >>> law = solve_continuum_law([0.0, 10.0, 100.0])
    >>> asymptotic_tau(law.y[1:, 0]).round(2).tolist()  # vs τ = 10, 100: 22% and 1.6% high
    [12.18, 101.58]
    """
    b = _beta(beta)
    if np.any(b <= 0):
        raise ValueError("beta must be > 0 for the asymptotic form")
    return (2 * math.pi) ** 0.25 * np.sqrt(b) * np.exp(b * b / 4) * (1 + 2 / (b * b))


# ---------------------------------------------------------------- the lone survivor

def fixed_point_threshold() -> float:
    """λ_max = 2/(3√3) ≈ 0.3849, the maximum of (1 − w²)w (at w = 1/√3); paper §2.6.

    Paper units (λ = λ_code/4): a lone survivor has a fixed point (``fixed_point``) iff λ < λ_max.

    Examples
    --------
    >>> import math
    >>> from theory.single_feature import fixed_point_threshold
    >>> round(fixed_point_threshold(), 4), round((1 - 1 / 3) / math.sqrt(3), 4)
    (0.3849, 0.3849)
    """
    return 2.0 / (3.0 * math.sqrt(3.0))


def fixed_point(lam: float) -> float:
    """w* = the largest root of (1 − w²)w = λ: w* = (2/√3)·cos(⅓·arccos(−3√3λ/2)).

    Stable (1 − 3w*² < 0), w* = 1 − λ/2 − 3λ²/8 − λ³/2 + O(λ⁴). Exists iff 0 ≤ λ < 2/(3√3)
    (at equality the root is the degenerate w = 1/√3, excluded). Paper §2.6; derivation
    ``single-feature.fixed-point``. Paper units (λ = λ_code/4).

    Examples
    --------
    >>> from theory.single_feature import fixed_point
    >>> w = fixed_point(0.05)
    >>> round(w, 6), round((1 - w * w) * w, 12), round(1 - 0.05 / 2 - 3 * 0.05**2 / 8 - 0.05**3 / 2, 6)
    (0.973994, 0.05, 0.974)
    >>> round(fixed_point(0.0), 12), round(fixed_point(0.3), 4)
    (1.0, 0.7865)
    """
    lam = validate.real("lam", lam, minimum=0.0, maximum=fixed_point_threshold(), strict_max=True)
    return 2.0 / math.sqrt(3.0) * math.cos(math.acos(-1.5 * math.sqrt(3.0) * lam) / 3.0)
