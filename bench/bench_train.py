"""Per-step time of AdamW training of the toy model: ``sims.dynamics.train`` against plain PyTorch.

Model (arXiv 2312.03096): W of shape (instances, n, m), W_ik ~ N(0, 1/m); the inputs are the n
one-hot vectors e_i, the output is ReLU(W Wᵀ e_i), and each instance's loss is

    L = Σ_ij (ReLU(⟨W_i, W_j⟩) − δ_ij)² + λ‖W‖₁,   λ = 1e-3,

trained with AdamW at torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0.01).

Reported per m, in milliseconds per optimiser step (median over --repeats; torch and ours are
timed alternately, so a noisy machine slows both alike):

* torch: the paper's code (identity batch, two einsums, mse_loss(sum) + λ·norm(W, 1), AdamW);
* ours:  sims.dynamics.train, as (t(K2) − t(K1)) / (K2 − K1), so initialisation and records cancel;
* limit: 2 GEMMs (I, n, n) @ (I, n, m) at this machine's best measured rate (2·I·n²·m flop each),
  plus one pass reading W, g, m, v and writing W, m, v (7 arrays of W's size, 4 or 8 bytes per
  element) at the best measured bandwidth of a numba kernel doing exactly that traffic;
* ratio = torch / ours; fraction of limit = limit / ours.

Run: ``python bench/bench_train.py [--m 256 1024 4096] [--threads 2] ...`` (needs ``.[bench]``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sims import Schedule, TrainConfig, train  # noqa: E402
from theory import ModelSpec  # noqa: E402

L1 = 1e-3
SEED = 0
TARGET_EVERY_M, TARGET_AT_4096 = 3.0, 5.0


@numba.njit(parallel=True, cache=False)
def _read4_write3(w, g, m, v):  # pragma: no cover - compiled
    """The memory traffic of the fused AdamW pass: read w, g, m, v; write w, m, v."""
    for k in numba.prange(w.size):
        mk = 0.5 * m[k] + g[k]
        vk = 0.5 * v[k] + g[k]
        m[k] = mk
        v[k] = vk
        w[k] = w[k] - 1e-3 * (mk - vk)


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
    p.add_argument("--n", type=positive, default=256, help="features (rows of W)")
    p.add_argument("--instances", type=positive, default=16, help="independent models trained together")
    p.add_argument("--m", type=positive, nargs="+", default=[256, 1024, 4096], help="hidden sizes")
    p.add_argument("--threads", type=positive, default=2, help="threads for torch, BLAS and numba")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--steps", type=positive, default=None,
                   help="timed steps per repeat (default: 65536/m, clipped to [16, 256])")
    p.add_argument("--repeats", type=positive, default=5, help="repeats; the median is reported")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write results here")
    args = p.parse_args(argv)
    if args.threads > numba.config.NUMBA_NUM_THREADS:
        p.error(f"--threads {args.threads} exceeds numba's maximum {numba.config.NUMBA_NUM_THREADS} "
                "(set NUMBA_NUM_THREADS)")
    if args.json is not None and not args.json.resolve().parent.is_dir():
        p.error(f"--json: directory {args.json.resolve().parent} does not exist")
    return args


def steps_for(m: int, steps: int | None) -> int:
    return steps if steps is not None else min(256, max(16, 65536 // m))


def initial_weights(instances: int, n: int, m: int, dtype: str) -> np.ndarray:
    return np.random.default_rng(SEED).normal(0.0, m**-0.5, size=(instances, n, m)).astype(dtype)


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ours_step_timer(W0: np.ndarray, steps: int):
    """Warm ``sims.dynamics.train`` up; return a function timing one repeat, in seconds per step."""
    instances, n, m = W0.shape
    spec = ModelSpec(n=n, m=m, l1=L1)

    def run(k):
        config = TrainConfig(optimizer="adamw", steps=k, instances=instances, dtype=str(W0.dtype),
                             record=Schedule(every=10**9))
        train(spec, config, W0=W0)

    run(2)  # numba compiles (or loads) its kernels on the first call
    k1 = max(1, steps // 4)
    k2 = k1 + steps

    def repeat():
        run(1)  # untimed: right after torch, numpy's first big allocations cost ~0.8 s of kernel time
        return (seconds(lambda: run(k2)) - seconds(lambda: run(k1))) / (k2 - k1)

    return repeat


def torch_step_timer(W0: np.ndarray, steps: int):
    """Warm the paper's PyTorch loop up; return a function timing one repeat, in seconds per step."""
    import torch
    import torch.nn.functional as F

    instances, n, _ = W0.shape
    W = torch.nn.Parameter(torch.from_numpy(W0.copy()))
    x = torch.eye(n, dtype=W.dtype).expand(instances, n, n)
    opt = torch.optim.AdamW([W], lr=1e-3)

    def step():
        hidden = torch.einsum("ibf,ifh->ibh", x, W)
        out = F.relu(torch.einsum("ibh,ifh->ibf", hidden, W))
        loss = F.mse_loss(out, x, reduction="sum") + L1 * torch.norm(W, p=1)
        loss.backward()
        opt.step()
        opt.zero_grad()

    def run():
        for _ in range(steps):
            step()

    def repeat():
        step()  # untimed, as for ours: switching engines costs neither
        return seconds(run) / steps

    for _ in range(2):
        step()
    return repeat


def gemm_seconds(instances: int, n: int, m: int, dtype: str, repeats: int) -> float:
    rng = np.random.default_rng(SEED + 1)
    A = rng.standard_normal((instances, n, n)).astype(dtype)
    B = rng.standard_normal((instances, n, m)).astype(dtype)
    C = np.empty_like(B)
    np.matmul(A, B, out=C)
    return min(seconds(lambda: np.matmul(A, B, out=C)) for _ in range(repeats))


def adamw_pass_seconds(shape: tuple[int, ...], dtype: str, repeats: int) -> float:
    w, g, m, v = (np.ones(int(np.prod(shape)), dtype=dtype) for _ in range(4))
    _read4_write3(w, g, m, v)
    time.sleep(0.5)  # let BLAS threads that spin after a call go idle (OpenBLAS: ~0.1 s)
    return min(seconds(lambda: _read4_write3(w, g, m, v)) for _ in range(repeats))


def target_lines(rows: list[dict]) -> list[str]:
    lines = []
    for row in rows:
        want = TARGET_AT_4096 if row["m"] == 4096 else TARGET_EVERY_M
        verdict = "PASS" if row["ratio"] >= want else "MISS"
        lines.append(f"{verdict}  m={row['m']}: torch/ours = {row['ratio']:.2f} (target >= {want:g})")
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import threadpoolctl
        import torch
    except ImportError as exc:
        print(f"bench needs torch and threadpoolctl ({exc.name} missing): pip install -e '.[bench]'",
              file=sys.stderr)
        return 2
    T, I, n, dtype = args.threads, args.instances, args.n, args.dtype
    torch.set_num_threads(T)
    numba.set_num_threads(T)
    rows = []
    with threadpoolctl.threadpool_limits(T):
        blas = sorted((info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"),
                      key=lambda info: "numpy" not in info["filepath"])  # numpy's wheel copy first
        for info in blas:
            where = Path(info["filepath"])
            print(f"BLAS {info['internal_api']} {info['version']} ({info.get('architecture', '?')}, "
                  f"{info['num_threads']} threads): {where.parent.name}/{where.name}")
        adamw_pass_seconds((1,), dtype, 1)  # compile, so numba's threading layer is chosen
        print(f"numba {numba.__version__}: threading layer {numba.threading_layer()}, "
              f"{numba.get_num_threads()} threads; torch {torch.__version__}: {torch.get_num_threads()} threads")
        print(f"n={n} instances={I} dtype={dtype} repeats={args.repeats} lambda={L1:g}")
        for m in args.m:
            steps = steps_for(m, args.steps)
            W0 = initial_weights(I, n, m, dtype)
            t_pass = adamw_pass_seconds(W0.shape, dtype, max(args.repeats, 10))
            t_gemm = gemm_seconds(I, n, m, dtype, max(args.repeats, 10))
            torch_timer, ours_timer = torch_step_timer(W0, steps), ours_step_timer(W0, steps)
            timings = [(torch_timer(), ours_timer()) for _ in range(args.repeats)]  # interleaved
            torch_s, ours_s = (statistics.median(column) for column in zip(*timings))
            limit_s = 2 * t_gemm + t_pass
            rows.append({"m": m, "steps": steps, "torch_ms": 1e3 * torch_s, "ours_ms": 1e3 * ours_s,
                         "ratio": torch_s / ours_s, "limit_ms": 1e3 * limit_s,
                         "fraction_of_limit": limit_s / ours_s,
                         "gemm_gflops": 2 * I * n * n * m / t_gemm / 1e9,
                         "bandwidth_gbs": 7 * W0.nbytes / t_pass / 1e9})
            print(f"m={m}: {steps} steps; GEMM {rows[-1]['gemm_gflops']:.0f} GFLOP/s, "
                  f"read-4/write-3 pass {rows[-1]['bandwidth_gbs']:.1f} GB/s", flush=True)
    print(f"\n{'m':>6} {'torch ms/step':>14} {'ours ms/step':>13} {'torch/ours':>11} "
          f"{'limit ms/step':>14} {'of limit':>9}")
    for r in rows:
        print(f"{r['m']:>6} {r['torch_ms']:>14.2f} {r['ours_ms']:>13.2f} {r['ratio']:>11.2f} "
              f"{r['limit_ms']:>14.2f} {r['fraction_of_limit']:>9.0%}")
    checks = target_lines(rows)
    print("\n" + "\n".join(checks))
    if args.json is not None:
        settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
        payload = {"settings": settings, "numba_threading_layer": numba.threading_layer(),
                   "blas": blas, "rows": rows, "targets": checks}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
