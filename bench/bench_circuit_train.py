"""Per-step time of AdamW training of the two-hidden-layer circuit model against the one-layer model.

Circuit model (``theory.circuits``): W1 (n, m1), V (m1, m2), W2 (n, m2) per instance, virtual weights
M = W1 V W2ᵀ, L = Σ_ij (ReLU(M_ij) − δ_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁), trained by
``sims.dynamics.circuit_train.train_circuit``. One-layer model (the paper's, ``theory.loss``):
W (n, m), L = Σ_ij (ReLU(⟨W_i, W_j⟩) − δ_ij)² + λ‖W‖₁, trained by ``sims.dynamics.train.train``.
Both with AdamW at torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0.01),
λ = 1e-3, float32, 16 instances, n = 256, m1 = m2 = m = 1024 by default.

Reported, in milliseconds per optimiser step (median over --repeats, the two trainers timed
alternately so that a loaded machine slows both alike; each as (t(K2) − t(K1)) / (K2 − K1), so
initialisation and records cancel):

* one-layer and circuit step times and their ratio (target: circuit / one-layer ≤ 2.5);
* the arithmetic ratio: multiply-adds per step, 3·n·m1·m2 + 3·n²·m2 for the circuit against
  n²·m/2 + n²·m for the one-layer step (a symmetric rank-k Gram, then one product);
* the circuit's limit: three (I, n, m1) @ (I, m1, m2) products at this machine's best measured
  rate plus one AdamW kernel pass over the I·(n·m1 + m1·m2 + n·m2) weights, and the fraction of it
  reached (limit / measured), and the limit over the one-layer time: the ratio no implementation of
  these dense products can beat on this machine;
* the circuit step on its default path and on the other one (per-instance threads or all instances batched).

Run: ``python bench/bench_circuit_train.py [--n 256] [--m 1024] [--instances 16] [--repeats 5]``.
Takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sims.dynamics import _kernels, circuit_train
from sims.dynamics.circuit_train import initial_circuit_weights, train_circuit
from sims.dynamics.schedule import Schedule
from sims.dynamics.train import TrainConfig, train
from theory.circuits import CircuitSpec
from theory.spec import ModelSpec

L1 = 1e-3
TARGET = 2.5


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def config(steps: int, instances: int, dtype: str) -> TrainConfig:
    return TrainConfig(optimizer="adamw", steps=steps, instances=instances, dtype=dtype, record=Schedule(every=10**9))


def one_layer_timer(n: int, m: int, instances: int, dtype: str, k1: int, k2: int):
    spec = ModelSpec(n=n, m=m, l1=L1)
    W0 = np.random.default_rng(0).normal(0.0, m**-0.5, size=(instances, n, m)).astype(dtype)

    def run(k):
        train(spec, config(k, instances, dtype), W0=W0, rng=0)

    run(2)  # compile or load the kernels
    return lambda: (seconds(lambda: run(k2)) - seconds(lambda: run(k1))) / (k2 - k1)


def circuit_timer(n: int, m: int, instances: int, dtype: str, k1: int, k2: int, per_instance: bool | None):
    spec = CircuitSpec(n=n, m1=m, m2=m, l1=L1)
    W0 = tuple(a.astype(dtype) for a in initial_circuit_weights(spec, instances, rng=np.random.default_rng(0)))
    default = circuit_train.PER_INSTANCE_MIN_SIZE

    def run(k):
        if per_instance is not None:
            circuit_train.PER_INSTANCE_MIN_SIZE = 1 if per_instance else 1 << 62
        try:
            train_circuit(spec, config(k, instances, dtype), W0=W0, rng=0)
        finally:
            circuit_train.PER_INSTANCE_MIN_SIZE = default

    run(1)
    return lambda: (seconds(lambda: run(k2)) - seconds(lambda: run(k1))) / (k2 - k1)


def gemm_seconds(n: int, m: int, instances: int, dtype: str, repeats: int) -> float:
    """Best time of one (I, n, m) @ (I, m, m) product with numpy's (threaded) BLAS."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((instances, n, m)).astype(dtype)
    B = rng.standard_normal((instances, m, m)).astype(dtype)
    C = np.empty((instances, n, m), dtype=dtype)
    np.matmul(A, B, out=C)
    return min(seconds(lambda: np.matmul(A, B, out=C)) for _ in range(repeats))


def adamw_pass_seconds(size: int, dtype: str, repeats: int) -> float:
    """Best time of one ``_kernels.adamw_step`` pass over ``size`` weights (numba's threads)."""
    w, g, mom, v = (np.full(size, 0.5, dtype=dtype) for _ in range(4))
    dt = np.dtype(dtype).type
    scalars = (dt(L1), dt(1 - 1e-5), dt(0.1), dt(0.999), dt(0.001), dt(1e-3), dt(0.5), dt(1e-8))
    _kernels.adamw_step(w, g, mom, v, *scalars)
    time.sleep(0.2)
    return min(seconds(lambda: _kernels.adamw_step(w, g, mom, v, *scalars)) for _ in range(repeats))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--m", type=int, default=1024, help="m1 = m2 of the circuit, m of the one-layer model")
    p.add_argument("--instances", type=int, default=16)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    n, m, I, dtype = args.n, args.m, args.instances, args.dtype
    from threadpoolctl import threadpool_info

    blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)" for i in threadpool_info()
            if i["user_api"] == "blas"]
    print(f"BLAS: {'; '.join(blas)}; numba {numba.__version__}: {numba.get_num_threads()} threads")
    print(f"n={n} m1=m2=m={m} instances={I} dtype={dtype} repeats={args.repeats} lambda={L1:g}", flush=True)

    one = one_layer_timer(n, m, I, dtype, 2, 12)
    other = not circuit_train._use_per_instance(CircuitSpec(n=n, m1=m, m2=m), I)
    paths = {"circuit": circuit_timer(n, m, I, dtype, 1, 6, None),  # the path train_circuit takes
             f"circuit {'per-instance' if other else 'batched'}": circuit_timer(n, m, I, dtype, 1, 6, other)}
    times = {"one-layer": [], **{key: [] for key in paths}}
    for r in range(args.repeats):  # interleaved
        times["one-layer"].append(one())
        for key, timer in paths.items():
            times[key].append(timer())
        print(f"repeat {r + 1}: " + ", ".join(f"{k} {1e3 * v[-1]:.1f}" for k, v in times.items()), flush=True)
    med = {key: statistics.median(v) for key, v in times.items()}

    t_gemm = gemm_seconds(n, m, I, dtype, max(args.repeats, 5))
    params = I * (n * m + m * m + n * m)
    t_pass = adamw_pass_seconds(params, dtype, max(args.repeats, 5))
    limit = 3 * t_gemm + t_pass
    macs_circuit = 3 * n * m * m + 3 * n * n * m
    macs_one = 1.5 * n * n * m

    print(f"\nGEMM (I, n, m) @ (I, m, m): {1e3 * t_gemm:.1f} ms = {2 * I * n * m * m / t_gemm / 1e9:.0f} GFLOP/s; "
          f"AdamW pass over {params:,} weights: {1e3 * t_pass:.1f} ms")
    print(f"{'':>22} {'ms/step (median)':>17} {'min':>8} {'max':>8}")
    for key, v in times.items():
        print(f"{key:>22} {1e3 * med[key]:>17.1f} {1e3 * min(v):>8.1f} {1e3 * max(v):>8.1f}")
    ratio = med["circuit"] / med["one-layer"]
    print(f"\ncircuit / one-layer = {ratio:.2f} (target <= {TARGET:g}: {'PASS' if ratio <= TARGET else 'MISS'}); "
          f"arithmetic ratio {macs_circuit / macs_one:.1f}")
    print(f"circuit limit (3 GEMMs + 1 AdamW pass) {1e3 * limit:.1f} ms; reached {limit / med['circuit']:.0%}; "
          f"even at the limit circuit / one-layer = {limit / med['one-layer']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
