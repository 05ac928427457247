"""Wall time of ``sims.dynamics.task_train.train_task_network`` on the 10-class digits (m = 64, 16 instances).

1. Times whole runs (default: 3000 AdamW steps of B = 64, lr 1e-3, float64 and float32, recording at steps 0
   and 3000 only) and prints seconds, ms per step and the final train/test accuracy (mean, min, max over
   instances). Target: a few seconds on 2 cores.
2. Times one optimiser step (``task_gradients`` + the fused AdamW update) with BLAS on 1 and on 2 threads
   (``BLAS_THREADS``), and the same step as a plain numpy loop over instances (per-instance forward,
   backward and a numpy AdamW), to show what batching the instances saves.

numba's kernels are compiled (or loaded from the cache) by a warm-up run before timing.
Usage: python bench/bench_task_train.py [--steps 3000] [--batch 64] [--instances 16] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

TARGET_S = 5.0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--instances", type=int, default=16)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--step-repeats", type=int, default=500, help="steps per case of the one-step timing (0: skip)")
    p.add_argument("--json", type=Path, default=None)
    return p.parse_args(argv)


def plain_loop_step(params, states, X, y, t, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    """One AdamW step, instance by instance, in plain numpy (1 hidden layer, no L1, no noise); ``states[i]``
    holds instance i's (m, v) per parameter."""
    B = X.shape[0]
    for i in range(params[0].shape[0]):
        W1, b1, W2, b2 = (p[i] for p in params)
        a = X @ W1 + b1
        h = np.maximum(a, 0)
        z = h @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        P = np.exp(z)
        P /= P.sum(axis=1, keepdims=True)
        P[np.arange(B), y] -= 1
        G = P / B
        delta = (G @ W2.T) * (a > 0)
        grads = (X.T @ delta, delta.sum(0), h.T @ G, G.sum(0))
        for p, g, (m, v) in zip((W1, b1, W2, b2), grads, states[i]):
            p *= 1 - lr * weight_decay
            m += (1 - betas[0]) * (g - m)
            v *= betas[1]
            v += (1 - betas[1]) * g * g
            p -= lr / (1 - betas[0] ** t) * m / (np.sqrt(v) / math.sqrt(1 - betas[1] ** t) + eps)


def step_timing(data, args) -> dict[str, float]:
    from threadpoolctl import threadpool_limits

    from sims.dynamics import task_train as tt

    config = tt.TaskNetConfig(width=args.width, lr=args.lr, batch=args.batch, instances=args.instances)
    params = tt.initial_task_parameters(data.X_train.shape[1], args.width, data.n_class, instances=args.instances,
                                        rng=args.seed)
    gen = np.random.default_rng(args.seed)
    batches = [gen.integers(0, len(data.y_train), args.batch) for _ in range(args.step_repeats)]
    out = {}
    for threads in (1, 2):
        opt = tt._Optimizer(params, config)
        with threadpool_limits(limits=threads, user_api="blas"):
            tt.task_gradients(opt.params, data.X_train[batches[0]], data.y_train[batches[0]], out=opt.grads)
            opt.step(1)  # warm-up
            t0 = time.perf_counter()
            for t, idx in enumerate(batches, start=2):
                tt.task_gradients(opt.params, data.X_train[idx], data.y_train[idx], out=opt.grads)
                opt.step(t)
            out[f"batched_blas{threads}_ms"] = 1e3 * (time.perf_counter() - t0) / len(batches)
    plain = [p.copy() for p in params]
    states = [[(np.zeros_like(p[i]), np.zeros_like(p[i])) for p in plain] for i in range(args.instances)]
    with threadpool_limits(limits=1, user_api="blas"):
        t0 = time.perf_counter()
        for t, idx in enumerate(batches, start=1):
            plain_loop_step(plain, states, data.X_train[idx], data.y_train[idx], t, lr=args.lr)
        out["plain_loop_blas1_ms"] = 1e3 * (time.perf_counter() - t0) / len(batches)
    return out


def main(argv=None) -> dict:
    from sims.data.digits import digits_task
    from sims.dynamics.schedule import Schedule
    from sims.dynamics.task_train import TaskNetConfig, train_task_network

    args = parse_args(argv)
    data = digits_task(n_class=10)
    report: dict = {"steps": args.steps, "batch": args.batch, "instances": args.instances, "width": args.width,
                    "lr": args.lr}
    train_task_network(data, TaskNetConfig(width=args.width, steps=5, batch=args.batch, instances=2), rng=0)  # warm-up
    for dtype in ("float64", "float32"):
        config = TaskNetConfig(width=args.width, lr=args.lr, steps=args.steps, batch=args.batch,
                               instances=args.instances, dtype=dtype, record=Schedule(every=max(args.steps, 1)))
        t0 = time.perf_counter()
        result = train_task_network(data, config, rng=args.seed)
        seconds = time.perf_counter() - t0
        acc = result.test_accuracy
        report[dtype] = {"seconds": seconds, "ms_per_step": 1e3 * seconds / max(args.steps, 1),
                         "train_accuracy_mean": float(result.train_accuracy.mean()),
                         "test_accuracy_mean": float(acc.mean()), "test_accuracy_min": float(acc.min()),
                         "test_accuracy_max": float(acc.max())}
        print(f"{dtype}: {args.instances} instances, m = {args.width}, {args.steps} steps of B = {args.batch}: "
              f"{seconds:.2f} s ({1e3 * seconds / max(args.steps, 1):.3f} ms/step); train accuracy "
              f"{result.train_accuracy.mean():.4f}, test {acc.mean():.4f} [{acc.min():.4f}, {acc.max():.4f}]  "
              f"{'PASS' if seconds <= TARGET_S else 'MISS'} (target <= {TARGET_S:g} s)")
    if args.step_repeats:
        timing = step_timing(data, args)
        report["step_ms"] = timing
        print("one AdamW step (float64): " + ", ".join(f"{k} {v:.3f}" for k, v in timing.items()))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
