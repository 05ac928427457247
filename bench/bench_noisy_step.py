"""Microseconds per training step of small models in ``sims.dynamics.train``, before and after the fused
small-model kernel (``sims.dynamics._kernels.fused_*_steps``) and the one-call noise draw per stretch.

Usage: python bench/bench_noisy_step.py [--steps 2000] [--repeats 5] [--crossover]

"before" is the step as it was: ``theory.loss.data_gradient`` and one update kernel per step, through numpy
and BLAS (``FUSED_MAX_SIZE = 0``), and one ``noise.sample`` call per step. "after" is the default. One row per
size (n, m, instances) and case: the path the default takes (fused, batched BLAS or per-instance), µs per
optimiser step before and after (best of ``--repeats`` runs of ``train``, recording only steps 0 and the
last) and their ratio. ``--crossover`` adds the measurement behind ``FUSED_MAX_SIZE``: µs per step of the
fused and the BLAS batched path at larger n·m, single-threaded (numba and BLAS), Gaussian noise.
"""

from __future__ import annotations

import argparse
import importlib
import time
from unittest import mock

import numba
import numpy as np
from threadpoolctl import threadpool_limits

from sims.dynamics.schedule import Schedule
from theory.noise import NoiseSpec
from theory.spec import ModelSpec

train_module = importlib.import_module("sims.dynamics.train")  # the module (sims.dynamics.train is the function)

SIZES = [(8, 16, 8), (8, 16, 5), (16, 64, 8), (64, 256, 8)]
BIPOLAR = NoiseSpec(family="bipolar", sigma=0.15)
CASES = [("gd", BIPOLAR, 0.0), ("prox_gd", BIPOLAR, 0.01), ("gd", None, 0.0)]  # (optimizer, noise, λ)
CROSSOVER = [(16, 128, 8), (32, 128, 8), (64, 128, 8), (32, 512, 1), (64, 256, 1), (64, 256, 8), (128, 128, 1),
             (128, 256, 1), (64, 512, 1), (128, 512, 1)]


def _no_metrics(W, spec) -> dict:
    return {}


def _per_step_draws(noise, m, count, gen, dtype):
    """The noise draws as they were made: one ``sample`` call per step."""
    return np.stack([noise.sample(m, rng=gen).astype(dtype) for _ in range(count)])


def us_per_step(spec: ModelSpec, optimizer: str, instances: int, steps: int, repeats: int, *, before: bool,
                per_instance: bool = True) -> float:
    lr = 0.02 if spec.n <= 16 else 0.002  # the ledger's SGD rate; n = 64 needs a smaller one
    config = train_module.TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances,
                                      record=Schedule(points=2))
    patches = []
    if before:
        patches += [mock.patch.object(train_module, "FUSED_MAX_SIZE", 0),
                    mock.patch.object(train_module, "_noise_draws", _per_step_draws)]
    if not per_instance:
        patches.append(mock.patch.object(train_module, "PER_INSTANCE_MIN_SIZE", 2**62))
    for p in patches:
        p.start()
    try:
        train_module.train(spec, config, rng=0, metrics=_no_metrics)  # warm-up (numba compilation, caches)
        best = np.inf
        for r in range(repeats):
            t0 = time.perf_counter()
            train_module.train(spec, config, rng=r + 1, metrics=_no_metrics)
            best = min(best, time.perf_counter() - t0)
        return 1e6 * best / steps
    finally:
        for p in patches:
            p.stop()


def path(n: int, m: int, instances: int) -> str:
    if train_module._use_per_instance(np.zeros((instances, n, m))):
        return "per-instance"
    return "fused" if n * m <= train_module.FUSED_MAX_SIZE else "batched BLAS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="steps per timed run at n·m ≤ 1024 (fewer above)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--crossover", action="store_true")
    args = parser.parse_args()
    print(f"numba threads {numba.get_num_threads()}; FUSED_MAX_SIZE = {train_module.FUSED_MAX_SIZE}")
    print(f"{'n':>4} {'m':>4} {'inst':>5} {'optimizer':>9} {'noise':>8} {'path':>13} {'before µs':>10} "
          f"{'after µs':>9} {'speed-up':>9}")
    for n, m, instances in SIZES:
        steps = max(100, args.steps * 1024 // max(n * m, 1024))
        for optimizer, noise, l1 in CASES:
            spec = ModelSpec(n=n, m=m, l1=l1, noise=noise)
            before = us_per_step(spec, optimizer, instances, steps, args.repeats, before=True)
            after = us_per_step(spec, optimizer, instances, steps, args.repeats, before=False)
            print(f"{n:>4} {m:>4} {instances:>5} {optimizer:>9} {noise.family if noise else 'none':>8} "
                  f"{path(n, m, instances):>13} {before:>10.1f} {after:>9.1f} {before / after:>8.1f}×", flush=True)
    if args.crossover:
        print("\ncrossover (single-threaded, batched path, gd with Gaussian noise): µs per step")
        print(f"{'n':>4} {'m':>4} {'inst':>5} {'n·m':>6} {'fused':>9} {'BLAS':>9} {'BLAS/fused':>10}")
        gaussian = NoiseSpec(family="gaussian", sigma=0.1)
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                for n, m, instances in CROSSOVER:
                    spec = ModelSpec(n=n, m=m, noise=gaussian)
                    steps = max(20, int(2e6 // (n * n * m * instances) * 8))
                    with mock.patch.object(train_module, "FUSED_MAX_SIZE", 2**62):
                        fused = us_per_step(spec, "gd", instances, steps, args.repeats, before=False,
                                            per_instance=False)
                    blas = us_per_step(spec, "gd", instances, steps, args.repeats, before=True, per_instance=False)
                    print(f"{n:>4} {m:>4} {instances:>5} {n * m:>6} {fused:>9.1f} {blas:>9.1f} {blas / fused:>10.2f}",
                          flush=True)
        finally:
            numba.set_num_threads(threads)


if __name__ == "__main__":
    main()
