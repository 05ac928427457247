"""Compiled Radau IIA (order 5) for the two-variable single-feature flow d(log a, b)/dt.

Why not ``solve_ivp(method="Radau")``: the flow is stiff (the norm relaxes at rate 2‖w‖² ≈ 2 while
the threshold moves on the time scale 1/λ), so it takes ~10³ implicit steps to full sparsity, and
scipy's Python-level step costs ~200 µs for a 2-vector: ~0.3 s at m = 10⁵, rtol = 1e-10, against the
≤ 50 ms target for a full-sparsity solve at m = 10⁵. This is a line-by-line numba port of scipy's ``Radau`` solver
(scipy/integrate/_ivp/radau.py, after Hairer & Wanner, Solving ODEs II, §IV.8): the same tableau,
simplified Newton iteration with the transformed real/complex systems (solved here in closed form,
2×2), embedded third-order error estimate, predictive step-size control, Jacobian reuse, and the
collocation cubic as dense output. Checked against ``solve_ivp(method="Radau")`` in
tests/test_single_feature_solvers.py (same accepted steps to rounding, same dense output).

Right-hand side (``theory.single_feature.reduced_rhs``; derivation ``single-feature.reduced-ode``):
d(log a)/dt = 1 − a²Σ_{w>b}(w − b)², db/dt = λ/a, with w the sorted initial magnitudes and prefix
sums c1, c2 of ``theory.single_feature.InitialMagnitudes`` (O(log m) per evaluation; direct sums
when fewer than ``InitialMagnitudes.DIRECT_SUM_BELOW`` = 64 survivors). ``_sums`` is the compiled
copy of ``InitialMagnitudes.excess_sums``, kept because ``theory`` may not import numba and a
compiled kernel cannot call the numpy one; it sums the few survivors sequentially where numpy sums
pairwise, so the two agree to rounding, not bit for bit (and each route is reproducible to the bit).
Units: paper units (λ = λ_code/4, t = 4 × optimiser time). Entry point:
``sims.dynamics.single_feature.solve_single_feature(..., method="reduced")``.

Why not SUNDIALS: measured against CVODE through scikit-sundae 1.2.0 (bench/bench_cvode.py), which
decided to keep this port. At m = 1e5, rtol 1e-10: the port takes 12.4 ms per solve (the integrator
alone 4.6 ms; 1438 steps, 12082 right-hand-side evaluations), with max relative error against
scipy's Radau at rtol 1e-12 of 5.4e-11 in b, 1.9e-10 in log a and 1.6e-10 in t_sparse; CVODE (BDF,
analytic Jacobian, the numba-compiled sums called from Python callbacks) takes 55 ms (5943 steps,
8778 evaluations; ≥ 45 ms even recording nothing), with errors 1.6e-9 in b, 2.4e-9 in log a and
3.8e-9 in t_sparse; at rtol 1e-11 CVODE matches the port's t_sparse but takes 112 ms. BDF takes
~4× the steps of Radau IIA here and the binding's Python callbacks cost ~8 µs per step, so CVODE
misses the ≤ 50 ms target and is 10–30× less accurate at the same rtol.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from theory.single_feature import InitialMagnitudes

__all__ = ["radau_reduced"]

_S6 = 6**0.5
_C = np.array([(4 - _S6) / 10, (4 + _S6) / 10, 1.0])
_E = np.array([-13 - 7 * _S6, -13 + 7 * _S6, -1.0]) / 3
_MU_REAL = 3 + 3 ** (2 / 3) - 3 ** (1 / 3)
_MU_COMPLEX = 3 + 0.5 * (3 ** (1 / 3) - 3 ** (2 / 3)) - 0.5j * (3 ** (5 / 6) + 3 ** (7 / 6))
_T = np.array([[0.09443876248897524, -0.14125529502095421, 0.03002919410514742],
               [0.25021312296533332, 0.20412935229379994, -0.38294211275726192],
               [1.0, 1.0, 0.0]])
_TI = np.array([[4.17871859155190428, 0.32768282076106237, 0.52337644549944951],
                [-4.17871859155190428, -0.32768282076106237, 0.47662355450055044],
                [0.50287263494578682, -2.57192694985560522, 0.59603920482822492]])
_P = np.array([[13 / 3 + 7 * _S6 / 3, -23 / 3 - 22 * _S6 / 3, 10 / 3 + 5 * _S6],
               [13 / 3 - 7 * _S6 / 3, -23 / 3 + 22 * _S6 / 3, 10 / 3 - 5 * _S6],
               [1 / 3, -8 / 3, 10 / 3]])
_NEWTON_MAXITER = 6
_MIN_FACTOR, _MAX_FACTOR = 0.2, 10.0
# a compile-time constant of ``_sums``; numba's on-disk cache is keyed on this file, so recompile
# (touch this file) if ``InitialMagnitudes.DIRECT_SUM_BELOW`` ever changes
_DIRECT_SUM_BELOW = InitialMagnitudes.DIRECT_SUM_BELOW
_EPS = np.finfo(float).eps

#: status codes of ``radau_reduced``
FINISHED, STOPPED, STEP_TOO_SMALL = 0, 1, -1


@njit(cache=True)
def _sums(w, c1, c2, b):
    """(Σ_{w>b}(w − b), Σ_{w>b}(w − b)²): the compiled copy of ``InitialMagnitudes.excess_sums``."""
    m = w.size
    j = np.searchsorted(w, b, side="right")
    if m - j < _DIRECT_SUM_BELOW:
        s1 = 0.0
        s2 = 0.0
        for i in range(j, m):
            e = w[i] - b
            s1 += e
            s2 += e * e
        return s1, s2
    s0 = m - j
    t1 = c1[m] - c1[j]
    s1 = max(t1 - b * s0, 0.0)
    s2 = max(c2[m] - c2[j] - 2.0 * b * t1 + b * b * s0, 0.0)
    return s1, s2


@njit(cache=True)
def _rhs(y, w, c1, c2, lam, out):
    a = np.exp(y[0])
    _, s2 = _sums(w, c1, c2, y[1])
    out[0] = 1.0 - a * a * s2
    out[1] = lam / a


@njit(cache=True)
def _jac(y, w, c1, c2, lam, J):
    """∂(d log a/dt, db/dt)/∂(log a, b) = [[−2q, 2a²Σ(w − b)₊], [−λ/a, 0]]."""
    a = np.exp(y[0])
    s1, s2 = _sums(w, c1, c2, y[1])
    J[0, 0] = -2.0 * a * a * s2
    J[0, 1] = 2.0 * a * a * s1
    J[1, 0] = -lam / a
    J[1, 1] = 0.0


@njit(cache=True)
def _rms(x):
    return np.sqrt(np.mean(x * x))


@njit(cache=True)
def _inverse(mu, J):
    """(mu·I − J)⁻¹ for 2×2 J (mu real or complex)."""
    a = mu - J[0, 0]
    b = -J[0, 1]
    c = -J[1, 0]
    d = mu - J[1, 1]
    det = a * d - b * c
    inv = np.empty((2, 2), dtype=np.complex128)
    inv[0, 0] = d / det
    inv[0, 1] = -b / det
    inv[1, 0] = -c / det
    inv[1, 1] = a / det
    return inv


@njit(cache=True)
def _predict_factor(h_abs, h_abs_old, error_norm, error_norm_old):
    if error_norm_old < 0 or h_abs_old < 0 or error_norm == 0:
        multiplier = 1.0
    else:
        multiplier = h_abs / h_abs_old * (error_norm_old / error_norm) ** 0.25
    if error_norm == 0:
        return np.inf
    return min(1.0, multiplier) * error_norm**-0.25


@njit(cache=True)
def _collocation(t, y, h, Z0, scale, tol, inv_real, inv_complex, w, c1, c2, lam, C, T, TI, mu_real,
                 mu_complex):
    """scipy's ``solve_collocation_system``: simplified Newton on the transformed stage system."""
    M_real = mu_real / h
    M_complex = mu_complex / h
    W = TI @ Z0
    Z = Z0.copy()
    F = np.empty((3, 2))
    dW = np.empty((3, 2))
    yi = np.empty(2)
    fi = np.empty(2)
    dW_norm_old = -1.0
    rate = -1.0
    converged = False
    k = 0
    for k in range(_NEWTON_MAXITER):
        finite = True
        for i in range(3):
            yi[0] = y[0] + Z[i, 0]
            yi[1] = y[1] + Z[i, 1]
            _rhs(yi, w, c1, c2, lam, fi)
            F[i, 0] = fi[0]
            F[i, 1] = fi[1]
            if not (np.isfinite(fi[0]) and np.isfinite(fi[1])):
                finite = False
        if not finite:
            break
        fr = np.empty(2)
        fc = np.empty(2, dtype=np.complex128)
        for j in range(2):
            fr[j] = F[0, j] * TI[0, 0] + F[1, j] * TI[0, 1] + F[2, j] * TI[0, 2] - M_real * W[0, j]
            fc[j] = (F[0, j] * (TI[1, 0] + 1j * TI[2, 0]) + F[1, j] * (TI[1, 1] + 1j * TI[2, 1])
                     + F[2, j] * (TI[1, 2] + 1j * TI[2, 2]) - M_complex * (W[1, j] + 1j * W[2, j]))
        for j in range(2):
            dW[0, j] = (inv_real[j, 0] * fr[0] + inv_real[j, 1] * fr[1]).real
            dc = inv_complex[j, 0] * fc[0] + inv_complex[j, 1] * fc[1]
            dW[1, j] = dc.real
            dW[2, j] = dc.imag
        dW_norm = _rms((dW / scale).ravel())
        if dW_norm_old >= 0:
            rate = dW_norm / dW_norm_old
        if rate >= 0 and (rate >= 1 or rate ** (_NEWTON_MAXITER - k) / (1 - rate) * dW_norm > tol):
            break
        W += dW
        Z = T @ W
        if dW_norm == 0 or (rate >= 0 and rate / (1 - rate) * dW_norm < tol):
            converged = True
            break
        dW_norm_old = dW_norm
    return converged, k + 1, Z, rate


@njit(cache=True)
def _grow(a, n):
    out = np.empty((n,) + a.shape[1:], dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _initial_step(y0, f0, t_bound, w, c1, c2, lam, rtol, atol):
    """scipy's ``select_initial_step`` with error-estimator order 3."""
    if t_bound == 0.0:
        return 0.0
    scale = atol + np.abs(y0) * rtol
    d0 = _rms(y0 / scale)
    d1 = _rms(f0 / scale)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, t_bound)
    y1 = y0 + h0 * f0
    f1 = np.empty(2)
    _rhs(y1, w, c1, c2, lam, f1)
    d2 = _rms((f1 - f0) / scale) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** 0.25
    return min(100 * h0, h1, t_bound)


@njit(cache=True)
def _event_fraction(y_old_b, q_b, b_stop):
    """Smallest x ∈ [0, 1] with y_old_b + q_b·(x, x², x³) = b_stop (bisection then Newton)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if y_old_b + mid * (q_b[0] + mid * (q_b[1] + mid * q_b[2])) >= b_stop:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-17:
            break
    return hi


@njit(cache=True)
def radau_reduced(w, c1, c2, lam, stops, b_stop, rtol, atol):
    """Integrate (log a, b) from (0, 0) at t = 0 through the ascending ``stops`` (each reached
    exactly, as a step end point), stopping early when b reaches ``b_stop`` (``inf``: never).

    Returns (status, ts, y_old, h, Q, values, t_end, nfev): accepted step boundaries ts (k+1), the
    state at each step start y_old (k, 2), the full step length h (k), the collocation coefficients
    Q (k, 2, 3) so that y(t) = y_old + Q·(x, x², x³) with x = (t − ts[i])/h[i] on [ts[i], ts[i+1]];
    the state at each stop reached (values, (len(stops), 2)); the final time; the number of
    right-hand-side evaluations. status: 0 finished, 1 stopped at b = b_stop, −1 step too small.
    """
    C, T, TI, P, E = _C, _T, _TI, _P, _E
    mu_real = _MU_REAL + 0j
    mu_complex = _MU_COMPLEX
    cap = 256
    ts = np.empty(cap + 1)
    y_olds = np.empty((cap, 2))
    hs = np.empty(cap)
    Qs = np.empty((cap, 2, 3))
    values = np.full((stops.size, 2), np.nan)
    nstep = 0
    nfev = 0
    t = 0.0
    ts[0] = 0.0
    y = np.zeros(2)
    f = np.empty(2)
    _rhs(y, w, c1, c2, lam, f)
    nfev += 1
    J = np.empty((2, 2))
    _jac(y, w, c1, c2, lam, J)
    current_jac = True
    newton_tol = max(10 * _EPS / rtol, min(0.03, rtol**0.5))
    s_h_abs = _initial_step(y, f, stops[-1], w, c1, c2, lam, rtol, atol)  # scipy's self.h_abs
    nfev += 1
    s_h_abs_old = -1.0  # -1: None
    s_error_norm_old = -1.0
    have_lu = False
    inv_real = np.empty((2, 2), dtype=np.complex128)
    inv_complex = np.empty((2, 2), dtype=np.complex128)
    have_sol = False
    prev_t_old, prev_h = 0.0, 1.0
    prev_y_old = np.zeros(2)
    prev_Q = np.zeros((2, 3))
    f_tmp = np.empty(2)
    status = FINISHED
    for si in range(stops.size):
        t_bound = stops[si]
        while t < t_bound:
            min_step = 10 * abs(np.nextafter(t, np.inf) - t)
            h_abs, h_abs_old, error_norm_old = s_h_abs, s_h_abs_old, s_error_norm_old
            if h_abs < min_step:
                h_abs = min_step
                h_abs_old = -1.0
                error_norm_old = -1.0
            step_accepted = False
            rejected = False
            n_iter = 0
            rate = -1.0
            error_norm = 0.0
            safety = 0.9
            Z = np.zeros((3, 2))
            t_new = t
            while not step_accepted:
                if h_abs < min_step:
                    return STEP_TOO_SMALL, ts[: nstep + 1], y_olds[:nstep], hs[:nstep], Qs[:nstep], values, t, nfev
                h = h_abs
                t_new = t + h
                if t_new > t_bound:
                    t_new = t_bound
                h = t_new - t
                h_abs = abs(h)
                Z0 = np.zeros((3, 2))
                if have_sol:
                    for i in range(3):
                        x = (t + h * C[i] - prev_t_old) / prev_h
                        for j in range(2):
                            Z0[i, j] = prev_y_old[j] + x * (prev_Q[j, 0] + x * (prev_Q[j, 1] + x * prev_Q[j, 2])) - y[j]
                scale = atol + np.abs(y) * rtol
                converged = False
                while not converged:
                    if not have_lu:
                        inv_real = _inverse(mu_real / h, J)
                        inv_complex = _inverse(mu_complex / h, J)
                        have_lu = True
                    converged, n_iter, Z, rate = _collocation(t, y, h, Z0, scale, newton_tol, inv_real,
                                                              inv_complex, w, c1, c2, lam, C, T, TI,
                                                              _MU_REAL, mu_complex)
                    nfev += 3 * n_iter
                    if not converged:
                        if current_jac:
                            break
                        _jac(y, w, c1, c2, lam, J)
                        current_jac = True
                        have_lu = False
                if not converged:
                    h_abs *= 0.5
                    have_lu = False
                    continue
                y_new = y + Z[2]
                ZE = (Z.T @ E) / h
                rhs_e = f + ZE
                error = np.empty(2)
                error[0] = (inv_real[0, 0] * rhs_e[0] + inv_real[0, 1] * rhs_e[1]).real
                error[1] = (inv_real[1, 0] * rhs_e[0] + inv_real[1, 1] * rhs_e[1]).real
                scale = atol + np.maximum(np.abs(y), np.abs(y_new)) * rtol
                error_norm = _rms(error / scale)
                safety = 0.9 * (2 * _NEWTON_MAXITER + 1) / (2 * _NEWTON_MAXITER + n_iter)
                if rejected and error_norm > 1:
                    _rhs(y + error, w, c1, c2, lam, f_tmp)
                    nfev += 1
                    rhs_e = f_tmp + ZE
                    error[0] = (inv_real[0, 0] * rhs_e[0] + inv_real[0, 1] * rhs_e[1]).real
                    error[1] = (inv_real[1, 0] * rhs_e[0] + inv_real[1, 1] * rhs_e[1]).real
                    error_norm = _rms(error / scale)
                if error_norm > 1:
                    factor = _predict_factor(h_abs, h_abs_old, error_norm, error_norm_old)
                    h_abs *= max(_MIN_FACTOR, safety * factor)
                    have_lu = False
                    rejected = True
                else:
                    step_accepted = True
            y_new = y + Z[2]
            recompute_jac = n_iter > 2 and rate > 1e-3
            factor = _predict_factor(h_abs, h_abs_old, error_norm, error_norm_old)
            factor = min(_MAX_FACTOR, safety * factor)
            if not recompute_jac and factor < 1.2:
                factor = 1.0
            else:
                have_lu = False
            f_new = np.empty(2)
            _rhs(y_new, w, c1, c2, lam, f_new)
            nfev += 1
            if recompute_jac:
                _jac(y_new, w, c1, c2, lam, J)
                current_jac = True
            else:
                current_jac = False
            s_h_abs_old = s_h_abs  # scipy: self.h_abs_old = self.h_abs (the proposal this step started from)
            s_error_norm_old = error_norm
            s_h_abs = h_abs * factor
            Q = Z.T @ P
            if nstep == cap:
                cap *= 2
                ts = _grow(ts, cap + 1)
                y_olds = _grow(y_olds, cap)
                hs = _grow(hs, cap)
                Qs = _grow(Qs, cap)
            y_olds[nstep] = y
            hs[nstep] = h
            Qs[nstep] = Q
            prev_t_old, prev_h, prev_y_old, prev_Q, have_sol = t, h, y.copy(), Q, True
            if y_new[1] >= b_stop:  # the event: b reaches b_stop within this step
                x = _event_fraction(y[1], Q[1], b_stop)
                t_event = t + x * h
                for _ in range(64):  # the dense output at t_event (x recomputed from it) must reach b_stop
                    x = (t_event - t) / h
                    if y[1] + x * (Q[1, 0] + x * (Q[1, 1] + x * Q[1, 2])) >= b_stop:
                        break
                    t_event = np.nextafter(t_event, np.inf)
                for j in range(2):
                    y_new[j] = y[j] + x * (Q[j, 0] + x * (Q[j, 1] + x * Q[j, 2]))
                nstep += 1
                ts[nstep] = t_event
                return STOPPED, ts[: nstep + 1], y_olds[:nstep], hs[:nstep], Qs[:nstep], values, t_event, nfev
            nstep += 1
            ts[nstep] = t_new
            t = t_new
            y = y_new
            f = f_new
        values[si, 0] = y[0]
        values[si, 1] = y[1]
    return status, ts[: nstep + 1], y_olds[:nstep], hs[:nstep], Qs[:nstep], values, t, nfev


class RadauDenseOutput:
    """Dense output of ``radau_reduced``: y(t) = y_old[i] + Q[i]·(x, x², x³), x = (t − ts[i])/h[i],
    on the accepted step [ts[i], ts[i+1]] containing t (the collocation cubic; scipy's
    ``RadauDenseOutput`` for all steps at once). Call with a scalar or array of times; returns
    shape (2,) or (2, len(t))."""

    def __init__(self, ts: np.ndarray, y_old: np.ndarray, h: np.ndarray, Q: np.ndarray):
        self.ts, self.y_old, self.h, self.Q = ts, y_old, h, Q

    def segment(self, t) -> np.ndarray:
        """Index i of the step [ts[i], ts[i+1]] holding each t (the last step for t = ts[-1])."""
        return np.clip(np.searchsorted(self.ts, t, side="right") - 1, 0, self.h.size - 1)

    def __call__(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        flat = np.atleast_1d(t)
        i = self.segment(flat)
        x = (flat - self.ts[i]) / self.h[i]
        Q = self.Q[i]  # (k, 2, 3)
        y = self.y_old[i] + x[:, None] * (Q[:, :, 0] + x[:, None] * (Q[:, :, 1] + x[:, None] * Q[:, :, 2]))
        return y.T if t.ndim else y[0]


@njit(cache=True)
def crossing_times(ts, y_old, h, Q, targets):
    """Times at which b(t) = target, for ascending targets in (0, b(ts[-1])]: walk the steps in
    order (b increases, db/dt = λ/a > 0) and solve each step's collocation cubic for x by
    safeguarded Newton (bisection fallback), to |Δx| ≤ 1e-15."""
    out = np.empty(targets.size)
    k = 0
    nseg = h.size
    for i in range(targets.size):
        target = targets[i]
        # advance to the step whose end value reaches the target
        while k < nseg - 1:
            xe = (ts[k + 1] - ts[k]) / h[k]
            q = Q[k, 1]
            if y_old[k, 1] + xe * (q[0] + xe * (q[1] + xe * q[2])) >= target:
                break
            k += 1
        xe = (ts[k + 1] - ts[k]) / h[k]
        q = Q[k, 1]
        b0 = y_old[k, 1]
        lo, hi = 0.0, xe
        b_hi = b0 + xe * (q[0] + xe * (q[1] + xe * q[2]))
        x = xe * min(max((target - b0) / (b_hi - b0), 0.0), 1.0) if b_hi > b0 else xe
        for _ in range(60):
            p = b0 + x * (q[0] + x * (q[1] + x * q[2])) - target
            if p > 0:
                hi = x
            else:
                lo = x
            dp = q[0] + x * (2.0 * q[1] + 3.0 * x * q[2])
            x_new = x - p / dp if dp > 0 else 0.5 * (lo + hi)
            if not (lo <= x_new <= hi):
                x_new = 0.5 * (lo + hi)
            if abs(x_new - x) <= 1e-15:
                x = x_new
                break
            x = x_new
        out[i] = ts[k] + x * h[k]
    return out
