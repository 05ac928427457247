"""Per-step time of AdamW training of the two-hidden-layer circuit model: ours, plain PyTorch, and the one-layer model.

Circuit model (``theory.circuits``): W1 (n, m1), V (m1, m2), W2 (n, m2) per instance, virtual weights
M = W1 V W2ᵀ, L = Σ_ij (ReLU(M_ij) − δ_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁), trained by
``sims.dynamics.circuit_train.train_circuit``. One-layer model (the paper's, ``theory.loss``):
W (n, m), L = Σ_ij (ReLU(⟨W_i, W_j⟩) − δ_ij)² + λ‖W‖₁, trained by ``sims.dynamics.train.train``.
Both with AdamW at torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0.01),
λ = 1e-3, float32, 16 instances, n = 256, m1 = m2 = m = 1024 by default (``--quick``: n = 64,
m = 256, 3 repeats of 20 steps, under a minute).

Each model is also trained by the plainest faithful PyTorch loop, in the same process with the same
thread count for torch, numpy's BLAS and numba (``--threads``, default 2, as ``bench_train.py``):

* torch circuit: ``torch.nn.Parameter`` W1, V, W2 of shapes (I, n, m1), (I, m1, m2), (I, n, m2) from
  the same start as ours; the full one-hot batch is the identity, so the output is
  ReLU(bmm(bmm(W1, V), W2ᵀ)); loss ((ReLU(M) − T)²).sum() + λ(|W1|.sum() + |V|.sum() + |W2|.sum()),
  ``loss.backward()``, ``torch.optim.AdamW(lr=1e-3)`` step, ``zero_grad()``;
* torch one-layer: the paper's loop, ``bench_train.torch_step_timer`` (imported, as is our one-layer
  timer ``bench_train.ours_step_timer``).

Reported, in milliseconds per optimiser step (median over --repeats; all timers run alternately, so
that a loaded machine slows them alike; ours as (t(K2) − t(K1)) / (K2 − K1), so initialisation and
records cancel; torch as the time of --steps steps (2·--steps for the one-layer model); every repeat
starts with one untimed step, since switching engines costs neither):

* one-layer and circuit step times, ours and torch's, and their ratios: torch / ours for each model
  (our margin over plain PyTorch) and ours circuit / one-layer (target: ≤ 2.5);
* the arithmetic ratio: multiply-adds per step, 3·n·m1·m2 + 3·n²·m2 for the circuit against
  n²·m/2 + n²·m for the one-layer step (a symmetric rank-k Gram, then one product);
* the circuit's limit: three (I, n, m1) @ (I, m1, m2) products at this machine's best measured
  rate plus one AdamW kernel pass over the I·(n·m1 + m1·m2 + n·m2) weights, and the fraction of it
  reached (limit / measured), and the limit over the one-layer time: the ratio no implementation of
  these dense products can beat on this machine;
* the circuit step on its default path and on the other one (per-instance threads or all instances batched).

Run: ``python bench/bench_circuit_train.py [--n 256] [--m 1024] [--instances 16] [--repeats 5] [--steps 5]
[--threads 2] [--quick]`` (needs torch: ``pip install -e '.[bench]'``). ``--quick`` takes about 11 s on
2 cores; the default size an estimated 1–2 minutes (about 8 timed and untimed circuit steps per timer and
repeat, each of the order of 0.2–0.4 s).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_train, also when not run as a script

import bench_train

from sims.dynamics import _kernels, circuit_train
from sims.dynamics.circuit_train import initial_circuit_weights, train_circuit
from sims.dynamics.schedule import Schedule
from sims.dynamics.train import TrainConfig
from theory.circuits import CircuitSpec, target_matrix

L1 = bench_train.L1
TARGET = 2.5
FULL = {"n": 256, "m": 1024, "repeats": 5, "steps": 5}
QUICK = {"n": 64, "m": 256, "repeats": 3, "steps": 20}


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def config(steps: int, instances: int, dtype: str) -> TrainConfig:
    return TrainConfig(optimizer="adamw", steps=steps, instances=instances, dtype=dtype, record=Schedule(every=10**9))


def circuit_start(spec: CircuitSpec, instances: int, dtype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(a.astype(dtype) for a in initial_circuit_weights(spec, instances, rng=np.random.default_rng(0)))


def circuit_timer(spec: CircuitSpec, W0, dtype: str, steps: int, per_instance: bool | None):
    """Warm ``train_circuit`` up (on the path forced by ``per_instance``, or its own with None); return a
    function timing one repeat, in seconds per step."""
    instances = W0[0].shape[0]
    default = circuit_train.PER_INSTANCE_MIN_SIZE
    k1, k2 = 1, 1 + steps

    def run(k):
        if per_instance is not None:
            circuit_train.PER_INSTANCE_MIN_SIZE = 1 if per_instance else 1 << 62
        try:
            train_circuit(spec, config(k, instances, dtype), W0=W0, rng=0)
        finally:
            circuit_train.PER_INSTANCE_MIN_SIZE = default

    def repeat():
        run(1)  # untimed, as bench_train's: the first big allocations right after torch cost extra
        return (seconds(lambda: run(k2)) - seconds(lambda: run(k1))) / (k2 - k1)

    run(1)  # compile or load the kernels
    return repeat


def torch_circuit_timer(spec: CircuitSpec, W0, steps: int):
    """Warm the plain PyTorch loop of the circuit model up; return a function timing one repeat, in
    seconds per step."""
    import torch

    W1, V, W2 = (torch.nn.Parameter(torch.from_numpy(a.copy())) for a in W0)
    T = torch.from_numpy(target_matrix(spec).astype(W0[0].dtype)).expand(W1.shape[0], spec.n, spec.n)
    opt = torch.optim.AdamW([W1, V, W2], lr=1e-3)

    def step():
        M = torch.bmm(torch.bmm(W1, V), W2.transpose(1, 2))  # the one-hot batch is the identity
        loss = ((torch.relu(M) - T) ** 2).sum() + L1 * (W1.abs().sum() + V.abs().sum() + W2.abs().sum())
        loss.backward()
        opt.step()
        opt.zero_grad()

    def run():
        for _ in range(steps):
            step()

    def repeat():
        step()  # untimed, as for ours
        return seconds(run) / steps

    for _ in range(2):
        step()
    return repeat


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


def parse_args(argv) -> argparse.Namespace:
    def positive(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
        return value

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"small size: n={QUICK['n']} m={QUICK['m']} repeats={QUICK['repeats']} steps={QUICK['steps']} "
                        "(each still overridable)")
    p.add_argument("--n", type=positive, default=None, help=f"features (default {FULL['n']})")
    p.add_argument("--m", type=positive, default=None,
                   help=f"m1 = m2 of the circuit, m of the one-layer model (default {FULL['m']})")
    p.add_argument("--instances", type=positive, default=16)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--repeats", type=positive, default=None, help=f"repeats; the median is reported "
                                                                   f"(default {FULL['repeats']})")
    p.add_argument("--steps", type=positive, default=None,
                   help=f"timed circuit steps per repeat, twice as many one-layer steps (default {FULL['steps']})")
    p.add_argument("--threads", type=positive, default=2, help="threads for torch, BLAS and numba")
    args = p.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.threads > numba.config.NUMBA_NUM_THREADS:
        p.error(f"--threads {args.threads} exceeds numba's maximum {numba.config.NUMBA_NUM_THREADS} "
                "(set NUMBA_NUM_THREADS)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import threadpoolctl
        import torch
    except ImportError as exc:
        print(f"bench needs torch and threadpoolctl ({exc.name} missing): pip install -e '.[bench]'",
              file=sys.stderr)
        return 2
    n, m, I, dtype, steps, T = args.n, args.m, args.instances, args.dtype, args.steps, args.threads
    torch.set_num_threads(T)
    numba.set_num_threads(T)
    with threadpoolctl.threadpool_limits(T):
        blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)"
                for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        print(f"BLAS: {'; '.join(blas)}; numba {numba.__version__}: {numba.get_num_threads()} threads; "
              f"torch {torch.__version__}: {torch.get_num_threads()} threads")
        print(f"n={n} m1=m2=m={m} instances={I} dtype={dtype} repeats={args.repeats} steps={steps} "
              f"lambda={L1:g}", flush=True)

        W = bench_train.initial_weights(I, n, m, dtype)
        spec = CircuitSpec(n=n, m1=m, m2=m, l1=L1)
        W0 = circuit_start(spec, I, dtype)
        other = not circuit_train._use_per_instance(spec, I)
        timers = {"torch one-layer": bench_train.torch_step_timer(W, 2 * steps),
                  "one-layer": bench_train.ours_step_timer(W, 2 * steps),
                  "torch circuit": torch_circuit_timer(spec, W0, steps),
                  "circuit": circuit_timer(spec, W0, dtype, steps, None),  # the path train_circuit takes
                  f"circuit {'per-instance' if other else 'batched'}": circuit_timer(spec, W0, dtype, steps, other)}
        times = {key: [] for key in timers}
        for r in range(args.repeats):  # interleaved
            for key, timer in timers.items():
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
        print(f"{key:>22} {1e3 * med[key]:>17.2f} {1e3 * min(v):>8.2f} {1e3 * max(v):>8.2f}")
    margin_circuit = med["torch circuit"] / med["circuit"]
    margin_one = med["torch one-layer"] / med["one-layer"]
    print(f"\ntorch / ours: circuit {margin_circuit:.2f}, one-layer {margin_one:.2f}")
    ratio = med["circuit"] / med["one-layer"]
    print(f"circuit / one-layer = {ratio:.2f} (target <= {TARGET:g}: {'PASS' if ratio <= TARGET else 'MISS'}); "
          f"torch's {med['torch circuit'] / med['torch one-layer']:.2f}; "
          f"arithmetic ratio {macs_circuit / macs_one:.1f}")
    print(f"circuit limit (3 GEMMs + 1 AdamW pass) {1e3 * limit:.1f} ms; reached {limit / med['circuit']:.0%}; "
          f"even at the limit circuit / one-layer = {limit / med['one-layer']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
