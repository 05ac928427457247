"""Milliseconds per training step on the batched and per-instance paths of ``sims.dynamics.train``,
with numpy's BLAS threaded (its default) or single-threaded around the batched products, and with the
dead columns of proximal GD dropped (``COMPACT_FRACTION``) or not.

Usage: python bench/bench_train_threads.py [--steps 1000]

One row per case: the size, optimiser, path and the ms per optimiser step. The batched path limits BLAS
to one thread when it trains several instances; the "threaded BLAS" column undoes that limit to show
what it saves (a threaded BLAS spinning next to numba's threads).
"""

from __future__ import annotations

import argparse
import importlib
import time
from contextlib import nullcontext
from unittest import mock

import numpy as np

from theory.spec import ModelSpec

train_module = importlib.import_module("sims.dynamics.train")
CASES = [(64, 128, 8, "adamw", 1e-3, 1e-3), (32, 64, 8, "prox_gd", 0.01, 0.2), (16, 94, 96, "prox_gd", 0.1, 0.1),
         (64, 256, 16, "prox_gd", 0.01, 0.2), (32, 374, 32, "prox_gd", 0.1, 0.1)]


def ms_per_step(n, m, instances, optimizer, lr, l1, steps, *, threaded_blas=False, compact=True) -> float:
    from sims.dynamics.schedule import Schedule

    spec = ModelSpec(n=n, m=m, l1=l1)
    config = train_module.TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances,
                                      dtype="float32", record=Schedule(every=steps))
    patches = [mock.patch.object(train_module, "COMPACT_FRACTION", 0.75 if compact else 0.0)]
    if threaded_blas:
        patches.append(mock.patch("threadpoolctl.threadpool_limits", lambda **kw: nullcontext()))
    for p in patches:
        p.start()
    try:
        train_module.train(spec, config, rng=0)  # warm-up (numba compilation)
        t0 = time.perf_counter()
        train_module.train(spec, config, rng=1)
        return 1e3 * (time.perf_counter() - t0) / steps
    finally:
        for p in patches:
            p.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    print(f"{'n':>4} {'m':>4} {'inst':>5} {'optimizer':>9} {'path':>12} {'ms/step':>8} {'threaded BLAS':>14} "
          f"{'no compaction':>14}")
    for n, m, instances, optimizer, lr, l1 in CASES:
        path = "per-instance" if train_module._use_per_instance(np.zeros((instances, n, m))) else "batched"
        base = ms_per_step(n, m, instances, optimizer, lr, l1, args.steps)
        threaded = ms_per_step(n, m, instances, optimizer, lr, l1, args.steps, threaded_blas=True)
        full = ms_per_step(n, m, instances, optimizer, lr, l1, args.steps, compact=False)
        print(f"{n:>4} {m:>4} {instances:>5} {optimizer:>9} {path:>12} {base:>8.3f} {threaded:>14.3f} {full:>14.3f}")


if __name__ == "__main__":
    main()
