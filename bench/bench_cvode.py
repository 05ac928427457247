"""Can SUNDIALS CVODE (via scikit-sundae) replace the compiled Radau IIA port for the reduced single-feature flow?

Problem (as bench/bench_sparsity.py, paper units): y = (log a, b) from (0, 0),
d(log a)/dt = 1 − a²Σ_{w>b}(w − b)², db/dt = λ/a, w the sorted |w0|, w0 ~ N(0, 0.9²/m) (seed 0),
λ = 1e-5, run until b reaches the second-largest magnitude (full sparsity: one weight left).
The right-hand side is O(log m) through prefix sums; every solver below uses the package's own
compiled ``_sums`` kernel, so the comparison is between integrators, not right-hand sides.

Solvers, at each --m (default 1e5 and 1e3):

* port       ``solve_single_feature(w0, λ, rtol=, atol=)`` from the package: sort + prefix sums + numba
             Radau IIA until full sparsity + dense output + death times of all m coordinates;
* port core  ``radau_reduced`` alone on the pre-sorted magnitudes (the part CVODE could replace);
* cvode      sort + prefix sums + scikit-sundae ``CVODE`` (BDF, dense linear solver, analytic 2×2
             Jacobian, root function b − w_(m−1) terminal) via ``solve([0, t_end], y0)``, which
             records every internal step (no dense output, no death times);
* cvode core the same CVODE solve on pre-sorted magnitudes;
* cvode step CVODE in ``init_step``/``step`` mode to the event: nothing recorded (best case);
* scipy      ``solve_ivp(method="Radau")`` with the analytic Jacobian and a terminal event, at the
             reference tolerances (rtol 1e-12, atol 1e-16).

CVODE's callbacks are Python functions that call numba-compiled kernels (scikit-sundae accepts
Python callables only). Times: median of --repeats solves after a warm-up (compile excluded);
"first" is the first call in this process with that data (includes numba compilation of the
CVODE kernels, and numba cache loading for the port, at the first --m only).

Accuracy, against the reference: the reference values at a common grid (200 log-spaced times
in [1, 0.999·t_sparse]) come from scipy Radau at rtol 1e-12 integrated segment by segment, so
each grid time is a step end point; the full-sparsity time is the reference event refined by
one Newton step on an exact end-point solve. Each solver is asked for the grid the way it offers
it: the port with ``t_eval`` (step end points) and through the dense output of the timed run,
CVODE with ``tspan`` = grid (CVODE's own interpolation). Errors are max pointwise relative
errors of b(t) and log a(t) on the grid, and the relative error of t_sparse of the timed run.
"ref self" compares the reference with scipy at rtol 1e-13 to show the reference's own error.

Target: ≤ 50 ms per solve at m = 1e5 with accuracy comparable to the port.
Run: ``python bench/bench_cvode.py [--m 100000 1000] [--repeats 7] [--rtol 1e-10] [--atol 1e-14]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit
from scipy.integrate import solve_ivp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout

from sims.dynamics._radau import STOPPED, _sums, radau_reduced  # noqa: E402
from sims.dynamics.single_feature import solve_single_feature  # noqa: E402

LAM, SCALE, SEED = 1e-5, 0.9, 0
REF_RTOL, REF_ATOL, CHECK_RTOL = 1e-12, 1e-16, 1e-13
N_GRID = 200
TARGET_MS = 50.0

import sksundae  # noqa: E402
from sksundae.cvode import CVODE  # noqa: E402


# ------------------------------------------------------------------ right-hand side kernels

@njit
def _f(y, w, c1, c2, lam, out):
    a = np.exp(y[0])
    _, s2 = _sums(w, c1, c2, y[1])
    out[0] = 1.0 - a * a * s2
    out[1] = lam / a


@njit
def _J(y, w, c1, c2, lam, J):
    a = np.exp(y[0])
    s1, s2 = _sums(w, c1, c2, y[1])
    J[0, 0] = -2.0 * a * a * s2
    J[0, 1] = 2.0 * a * a * s1
    J[1, 0] = -lam / a
    J[1, 1] = 0.0


def prefix_sums(w0):
    w = np.sort(np.abs(w0))
    c1 = np.zeros(w.size + 1)
    c2 = np.zeros(w.size + 1)
    np.cumsum(w, out=c1[1:])
    np.cumsum(w * w, out=c2[1:])
    return w, c1, c2


def t_max(lam):
    return 1e6 / lam + 1e6  # as solve_single_feature: the span when running until full sparsity


# ------------------------------------------------------------------ CVODE

def cvode_solver(w, c1, c2, lam, rtol, atol, event=True):
    b_stop = float(w[-2])

    def rhs(t, y, yp):
        _f(y, w, c1, c2, lam, yp)

    def jac(t, y, yp, JJ):
        _J(y, w, c1, c2, lam, JJ)

    def ev(t, y, g):
        g[0] = y[1] - b_stop

    ev.terminal = [True]
    ev.direction = [1]
    opts = dict(method="BDF", rtol=rtol, atol=atol, jacfn=jac, linsolver="dense", max_num_steps=10**7)
    if event:
        opts.update(eventsfn=ev, num_events=1)
    return CVODE(rhs, **opts)


def cvode_core(w, c1, c2, lam, rtol, atol):
    """Until full sparsity, every internal step recorded. Returns (t_sparse, nfev, nsteps)."""
    res = cvode_solver(w, c1, c2, lam, rtol, atol).solve(np.array([0.0, t_max(lam)]), np.zeros(2))
    if res.status != 2:
        raise RuntimeError(f"CVODE: {res.message}")
    return float(res.t_events[0]), int(res.nfev), res.t.size - 1


def cvode_full(w0, lam, rtol, atol):
    return cvode_core(*prefix_sums(w0), lam, rtol, atol)


def cvode_step(w, c1, c2, lam, rtol, atol):
    """Step mode: one ``step`` call to the event, nothing recorded."""
    s = cvode_solver(w, c1, c2, lam, rtol, atol)
    s.init_step(0.0, np.zeros(2))
    res = s.step(t_max(lam), tstop=t_max(lam))
    if res.status != 2:
        raise RuntimeError(f"CVODE step: {res.message}")
    return float(res.t_events[0]) if res.t_events is not None else float(res.t), int(res.nfev), -1


def cvode_grid(w, c1, c2, lam, rtol, atol, grid):
    res = cvode_solver(w, c1, c2, lam, rtol, atol).solve(np.concatenate([[0.0], grid, [t_max(lam)]]),
                                                         np.zeros(2))
    if not np.array_equal(res.t[1:grid.size + 1], grid):
        raise RuntimeError("CVODE did not return the grid")
    return res.y[1:grid.size + 1].T


# ------------------------------------------------------------------ port

def port_full(w0, lam, rtol, atol):
    sol = solve_single_feature(w0, lam, rtol=rtol, atol=atol)
    return sol.t_sparse, sol.nfev, sol.radau.h.size, sol


def port_core(w, c1, c2, lam, rtol, atol):
    out = radau_reduced(w, c1, c2, lam, np.array([t_max(lam)]), float(w[-2]), rtol, atol)
    if out[0] != STOPPED:
        raise RuntimeError("radau_reduced did not reach full sparsity")
    return float(out[6]), int(out[7]), out[3].size


# ------------------------------------------------------------------ scipy reference

def scipy_funcs(w, c1, c2, lam):
    def fun(t, y):
        out = np.empty(2)
        _f(y, w, c1, c2, lam, out)
        return out

    def jac(t, y):
        J = np.empty((2, 2))
        _J(y, w, c1, c2, lam, J)
        return J

    return fun, jac


def scipy_solve(w, c1, c2, lam, rtol, atol):
    fun, jac = scipy_funcs(w, c1, c2, lam)
    b_stop = float(w[-2])

    def ev(t, y):
        return y[1] - b_stop

    ev.terminal, ev.direction = True, 1
    res = solve_ivp(fun, (0.0, t_max(lam)), np.zeros(2), method="Radau", jac=jac, events=ev,
                    rtol=rtol, atol=atol)
    if res.status != 1:
        raise RuntimeError(f"solve_ivp: {res.message}")
    return float(res.t_events[0][0]), int(res.nfev), res.t.size - 1


def scipy_endpoints(w, c1, c2, lam, rtol, atol, times):
    """y at each of the ascending ``times``, each an exact step end point (segment by segment)."""
    fun, jac = scipy_funcs(w, c1, c2, lam)
    y, t, out = np.zeros(2), 0.0, np.empty((2, times.size))
    for i, ti in enumerate(times):
        res = solve_ivp(fun, (t, ti), y, method="Radau", jac=jac, rtol=rtol, atol=atol)
        if res.status != 0:
            raise RuntimeError(f"solve_ivp: {res.message}")
        y, t = res.y[:, -1], ti
        out[:, i] = y
    return out


def scipy_t_sparse(w, c1, c2, lam, rtol, atol):
    """The event time refined by one Newton step on b(t) − w_(m−1) from an exact end-point value."""
    t1 = scipy_solve(w, c1, c2, lam, rtol, atol)[0]
    y1 = scipy_endpoints(w, c1, c2, lam, rtol, atol, np.array([t1]))[:, 0]
    return t1 + (float(w[-2]) - y1[1]) * np.exp(y1[0]) / lam


# ------------------------------------------------------------------ driver

def timed(fn, repeats):
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times), value


def first(fn):
    start = time.perf_counter()
    fn()
    return 1e3 * (time.perf_counter() - start)


def rel_err(y, ref):
    """(max relative error of b, of log a) over the grid."""
    return float(np.max(np.abs(y[1] / ref[1] - 1))), float(np.max(np.abs(y[0] / ref[0] - 1)))


def run_m(m, args):
    w0 = np.abs(np.random.default_rng(SEED).normal(0.0, SCALE / np.sqrt(m), m))
    w, c1, c2 = prefix_sums(w0)
    lam, rtol, atol = LAM, args.rtol, args.atol
    print(f"\n=== m = {m}", flush=True)
    rows = []
    cases = [
        ("port", "solve_single_feature (sort+Radau+dense+deaths)", lambda: port_full(w0, lam, rtol, atol)),
        ("port core", "radau_reduced on sorted w", lambda: port_core(w, c1, c2, lam, rtol, atol)),
        ("cvode", "sort + CVODE BDF solve()", lambda: cvode_full(w0, lam, rtol, atol)),
        ("cvode core", "CVODE BDF solve() on sorted w", lambda: cvode_core(w, c1, c2, lam, rtol, atol)),
        ("cvode step", "CVODE BDF step() to event", lambda: cvode_step(w, c1, c2, lam, rtol, atol)),
    ]
    for name, what, fn in cases:
        first_ms = first(fn)
        ms, value = timed(fn, args.repeats)
        rows.append(dict(name=name, what=what, first=first_ms, ms=ms, t_sparse=value[0], nfev=value[1],
                         steps=value[2], extra=value[3] if len(value) > 3 else None))
    first_ms = first(lambda: scipy_solve(w, c1, c2, lam, REF_RTOL, REF_ATOL))
    ms, value = timed(lambda: scipy_solve(w, c1, c2, lam, REF_RTOL, REF_ATOL), max(1, min(args.repeats, 3)))
    rows.append(dict(name="scipy ref", what=f"solve_ivp Radau rtol {REF_RTOL:g}", first=first_ms, ms=ms,
                     t_sparse=value[0], nfev=value[1], steps=value[2], extra=None))

    print(f"reference (scipy Radau rtol {REF_RTOL:g}, atol {REF_ATOL:g}) ...", flush=True)
    t_ref = scipy_t_sparse(w, c1, c2, lam, REF_RTOL, REF_ATOL)
    grid = np.geomspace(1.0, 0.999 * t_ref, N_GRID)
    y_ref = scipy_endpoints(w, c1, c2, lam, REF_RTOL, REF_ATOL, grid)
    y_chk = scipy_endpoints(w, c1, c2, lam, CHECK_RTOL, REF_ATOL, grid)
    t_chk = scipy_t_sparse(w, c1, c2, lam, CHECK_RTOL, REF_ATOL)
    print(f"t_sparse (reference) = {t_ref:.12g};  ref self-check vs rtol {CHECK_RTOL:g}: "
          f"b {rel_err(y_chk, y_ref)[0]:.1e}, log a {rel_err(y_chk, y_ref)[1]:.1e}, "
          f"t_sparse {abs(t_chk / t_ref - 1):.1e}", flush=True)

    # accuracy runs (not timed): values on the grid
    sol_grid = solve_single_feature(w0, lam, grid, rtol=rtol, atol=atol)
    port_grid = sol_grid.y.T  # rows (log a, b)
    cv_grid = cvode_grid(w, c1, c2, lam, rtol, atol, grid)

    grid_err = {"port": rel_err(port_grid, y_ref), "port core": None,
                "cvode": rel_err(cv_grid, y_ref), "cvode core": None, "cvode step": None,
                "scipy ref": (0.0, 0.0)}
    dense_sol = rows[0]["extra"]
    dense_err = rel_err(np.vstack([dense_sol.log_a(grid), dense_sol.threshold(grid)]), y_ref)

    print(f"rtol {rtol:g}, atol {atol:g} (port and CVODE); times in ms")
    hdr = f"{'solver':<11} {'first':>8} {'median':>8} {'nfev':>7} {'steps':>6} {'err b':>8} {'err loga':>8} {'err t_sp':>8}  what"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ge = grid_err[r["name"]]
        eb, ea = (f"{ge[0]:8.1e}", f"{ge[1]:8.1e}") if ge is not None else (f"{'·':>8}", f"{'·':>8}")
        steps = f"{r['steps']:6d}" if r["steps"] >= 0 else f"{'?':>6}"
        print(f"{r['name']:<11} {r['first']:8.2f} {r['ms']:8.2f} {r['nfev']:7d} {steps} {eb} {ea} "
              f"{abs(r['t_sparse'] / t_ref - 1):8.1e}  {r['what']}")
    print(f"port dense output of the timed run on the grid: err b {dense_err[0]:.1e}, err log a {dense_err[1]:.1e}")
    cv = next(r for r in rows if r["name"] == "cvode")
    port = rows[0]
    return dict(m=m, cvode_ms=cv["ms"], port_ms=port["ms"], cvode_err=grid_err["cvode"],
                port_err=grid_err["port"], cvode_tsp=abs(cv["t_sparse"] / t_ref - 1),
                port_tsp=abs(port["t_sparse"] / t_ref - 1))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--m", type=int, nargs="+", default=[10**5, 10**3])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--rtol", type=float, default=1e-10)
    p.add_argument("--atol", type=float, default=1e-14, help="as bench_sparsity.py")
    args = p.parse_args(argv)
    print(f"scikit-sundae {sksundae.__version__}, numpy {np.__version__}")
    results = [run_m(m, args) for m in args.m]
    print()
    for r in results:
        if r["m"] != 10**5:
            continue
        fast = r["cvode_ms"] <= TARGET_MS
        # "comparable": within 10x of the port's error on every measure
        pairs = [(r["cvode_err"][0], r["port_err"][0]), (r["cvode_err"][1], r["port_err"][1]),
                 (r["cvode_tsp"], r["port_tsp"])]
        accurate = all(c <= 10 * p_ for c, p_ in pairs)
        print(f"{'PASS' if fast else 'MISS'}  m={r['m']}: CVODE (sort + solve) {r['cvode_ms']:.1f} ms "
              f"(target <= {TARGET_MS:g}; port {r['port_ms']:.1f} ms)")
        print(f"{'PASS' if accurate else 'MISS'}  m={r['m']}: CVODE accuracy comparable to the port "
              f"(b {r['cvode_err'][0]:.1e} vs {r['port_err'][0]:.1e}, log a {r['cvode_err'][1]:.1e} vs "
              f"{r['port_err'][1]:.1e}, t_sparse {r['cvode_tsp']:.1e} vs {r['port_tsp']:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
