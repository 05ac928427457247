"""Wall time of the paper-size collision sweep, measured on a subset and extrapolated.

The sweep (``incidental reproduce collisions``, sweep ``polysemantic`` at full size): n = 256,
m = 256…4096 in steps of 256 (16 points), 16 instances each, AdamW, 7500 steps, float32. Each point
runs ``sims.runs.grids.polysemantic_counts`` (training plus the metrics). Here, at each --m, the point
function is timed at --steps-short and --steps-long optimiser steps (median over --repeats), giving
a per-step time and a fixed cost (initialisation, records, metrics) per point:

    point(m) = fixed(m) + 7500 · per_step(m),

per_step and fixed are fitted linear in m (least squares over the measured m; the work per step is
two (I, n, n)@(I, n, m) GEMMs plus O(I·n·m) element-wise work), and the sweep's wall time is the sum
over the 16 points of the fitted point(m). Target: under 2 hours on this machine's 2 cores
(the paper's PyTorch code: about 11 hours).

Run: ``python bench/bench_paper_sweep.py [--m 256 1024 2048 4096] [--json out.json]``.
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

from sims.runs.grids import make_sweep  # noqa: E402
from sims.studies.collisions import polysemantic_counts  # noqa: E402

TARGET_HOURS = 2.0


def parse_args(argv) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--m", type=int, nargs="+", default=[256, 1024, 2048, 4096], help="measured sizes")
    p.add_argument("--steps-short", type=int, default=100)
    p.add_argument("--steps-long", type=int, default=600)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", type=Path, default=None, metavar="PATH")
    args = p.parse_args(argv)
    if (len(args.m) < 2 or min(args.m) < 1 or not 0 < args.steps_short < args.steps_long
            or args.repeats < 1):
        p.error("need at least two --m >= 1, 0 < --steps-short < --steps-long, --repeats >= 1")
    return args


def point_seconds(m: int, steps: int, fixed: dict, seed: int) -> float:
    params = dict(fixed, m=m, steps=steps)
    start = time.perf_counter()
    polysemantic_counts(rng=np.random.default_rng(seed), **params)
    return time.perf_counter() - start


def main(argv=None) -> int:
    args = parse_args(argv)
    sweep = make_sweep("polysemantic", quick=False)
    fixed = dict(sweep.fixed)
    full_steps = int(fixed.pop("steps"))
    grid = np.array(sweep.grid["m"], dtype=float)
    point_seconds(args.m[0], 2, fixed, 0)  # compile and warm
    rows = []
    for m in args.m:
        short = statistics.median(point_seconds(m, args.steps_short, fixed, r) for r in range(args.repeats))
        long = statistics.median(point_seconds(m, args.steps_long, fixed, r) for r in range(args.repeats))
        per_step = (long - short) / (args.steps_long - args.steps_short)
        rows.append({"m": m, "per_step_ms": 1e3 * per_step, "fixed_s": short - args.steps_short * per_step,
                     "point_s": short + (full_steps - args.steps_short) * per_step})
        print(f"m={m}: {rows[-1]['per_step_ms']:.2f} ms/step, fixed {rows[-1]['fixed_s']:.2f} s, "
              f"one point ({full_steps} steps) ≈ {rows[-1]['point_s'] / 60:.1f} min", flush=True)
    ms = np.array([r["m"] for r in rows], dtype=float)
    design = np.stack([np.ones_like(ms), ms], axis=1)
    per_step_fit = np.linalg.lstsq(design, [r["per_step_ms"] / 1e3 for r in rows], rcond=None)[0]
    fixed_fit = np.linalg.lstsq(design, [r["fixed_s"] for r in rows], rcond=None)[0]
    points = (fixed_fit[0] + fixed_fit[1] * grid) + full_steps * (per_step_fit[0] + per_step_fit[1] * grid)
    hours = float(points.sum() / 3600)
    verdict = "PASS" if hours <= TARGET_HOURS else "MISS"
    print(f"\nextrapolated paper-size sweep ({grid.size} points, m = {int(grid[0])}…{int(grid[-1])}, "
          f"{fixed['instances']} instances, {full_steps} steps): {hours:.2f} h")
    print(f"{verdict}  sweep wall time {hours:.2f} h (target <= {TARGET_HOURS:g} h)")
    if args.json is not None:
        args.json.write_text(json.dumps({"rows": rows, "hours": hours, "points_s": points.tolist(),
                                         "grid": grid.tolist(), "verdict": verdict}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
