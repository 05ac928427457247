"""Time to full sparsity of one feature under ℓ1: the exact reduced solver against the paper's Euler loop.

Flow (paper §2.3, paper units): dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k), initial |N(0, 0.9²/m)|,
λ = 1e-5, run until one weight is left.

* reduced: ``sims.dynamics.single_feature.solve_single_feature(w0, λ)`` (sort + prefix sums, compiled Radau IIA on
  (log a, b), death times of all m coordinates), median wall time over --repeats, at each --rtol;
* Euler: the paper's ``simulation.py`` loop (paper.md §2.3(h), §3.1): w ← w + dt·((1 − ‖w‖²)w − λ)
  with dt = 0.5, dropping weights ≤ 0 after each step, until one is left; numpy-vectorised, run
  once in the same process on the same w0;
* ratio = Euler / reduced; also the reduced solver alone at --m-large (default 1e7).

Targets: reduced ≤ 50 ms at m = 1e5, Euler/reduced ≥ 100, reduced ≤ 10 s at m = 1e7.
Run: ``python bench/bench_sparsity.py [--repeats 5] [--rtol 1e-10 1e-8] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sims.dynamics.single_feature import solve_single_feature  # noqa: E402

LAM, SCALE, DT, SEED = 1e-5, 0.9, 0.5, 0
TARGET_MS, TARGET_RATIO, TARGET_LARGE_S = 50.0, 100.0, 10.0


def parse_args(argv) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--m", type=int, default=10**5, help="size for the Euler comparison")
    p.add_argument("--m-large", type=int, default=10**7, help="size for the reduced solver alone (0: skip)")
    p.add_argument("--rtol", type=float, nargs="+", default=[1e-10, 1e-8], help="reduced-solver tolerances")
    p.add_argument("--repeats", type=int, default=5, help="reduced-solver repeats; the median is reported")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write results here")
    args = p.parse_args(argv)
    if args.m < 2 or args.m_large < 0 or args.repeats < 1 or any(r <= 0 for r in args.rtol):
        p.error("need --m >= 2, --m-large >= 0, --repeats >= 1, --rtol > 0")
    return args


def initial_weights(m: int) -> np.ndarray:
    return np.abs(np.random.default_rng(SEED).normal(0.0, SCALE / np.sqrt(m), m))


def euler_until_sparse(w0: np.ndarray, lam: float, dt: float) -> float:
    """The paper's loop: Euler steps of dt, weights ≤ 0 removed, until one is left; returns that time."""
    w = np.sort(w0)
    steps = 0
    while w.size > 1:
        w = w + dt * ((1.0 - w @ w) * w - lam)
        steps += 1
        if w[0] <= 0:  # the map keeps the order while 1 + dt(1 − q) > 0, so w[0] is the minimum
            w = w[w > 0]
    return steps * dt


def seconds(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv=None) -> int:
    args = parse_args(argv)
    w0 = initial_weights(args.m)
    rows = []
    solve_single_feature(w0[:1000], LAM)  # warm imports and caches
    for rtol in args.rtol:
        runs = [seconds(lambda: solve_single_feature(w0, LAM, rtol=rtol, atol=1e-14)) for _ in range(args.repeats)]
        rows.append({"m": args.m, "rtol": rtol, "reduced_ms": 1e3 * statistics.median(r[0] for r in runs),
                     "t_sparse": runs[0][1].t_sparse})
        print(f"reduced m={args.m} rtol={rtol:g}: {rows[-1]['reduced_ms']:.1f} ms (median of {args.repeats}), "
              f"one weight left at t = {rows[-1]['t_sparse']:.6g} = {LAM * rows[-1]['t_sparse']:.4f}/λ", flush=True)
    euler_s, euler_t = seconds(lambda: euler_until_sparse(w0, LAM, DT))
    print(f"Euler  m={args.m} dt={DT}: {euler_s:.2f} s, one weight left at t = {euler_t:.6g} "
          f"= {LAM * euler_t:.4f}/λ", flush=True)
    large = None
    if args.m_large:
        wl = initial_weights(args.m_large)
        large_s, sol = seconds(lambda: solve_single_feature(wl, LAM))
        large = {"m": args.m_large, "rtol": 1e-10, "seconds": large_s, "t_sparse": sol.t_sparse}
        print(f"reduced m={args.m_large} rtol=1e-10: {large_s:.2f} s (one run, sort and death times included), "
              f"one weight left at {LAM * sol.t_sparse:.4f}/λ", flush=True)
    checks = []
    for r in rows:
        r["euler_s"], r["ratio"] = euler_s, 1e3 * euler_s / r["reduced_ms"]
        checks.append(f"{'PASS' if r['reduced_ms'] <= TARGET_MS else 'MISS'}  m={r['m']} rtol={r['rtol']:g}: "
                      f"reduced {r['reduced_ms']:.1f} ms (target <= {TARGET_MS:g})")
        checks.append(f"{'PASS' if r['ratio'] >= TARGET_RATIO else 'MISS'}  m={r['m']} rtol={r['rtol']:g}: "
                      f"Euler/reduced = {r['ratio']:.0f} (target >= {TARGET_RATIO:g})")
    if large is not None:
        checks.append(f"{'PASS' if large['seconds'] <= TARGET_LARGE_S else 'MISS'}  m={large['m']}: reduced "
                      f"{large['seconds']:.2f} s (target <= {TARGET_LARGE_S:g})")
    print("\n" + "\n".join(checks))
    if args.json is not None:
        payload = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                   "rows": rows, "large": large, "targets": checks}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
