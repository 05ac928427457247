"""Wall time and recovery of the sparse dictionary on a trained toy model's activations (n = 64, m = 256).

1. Trains the toy model with proximal GD (n = 64, m = 256, λ = 0.2, lr 0.01, --model-steps steps: every
   row is one-hot by then) and reports its ± polysemantic neurons (``opposite_pair_members``).
2. Times ``sims.studies.dictionary.dictionary_of_model`` on --samples activation vectors h = Wᵀx (x_i on
   with probability --p, intensity U[0, 1]): drawing the inputs, training the dictionary (--latents,
   --steps, --batch, float32) and measuring it on a fresh draw. Target: ≤ 30 s on 2 cores.
3. Prints MCC (|cos| and signed), the worst feature's cos, L0, dead and rarely firing latents, FVU,
   F = exp(H) and ψ = F/m, latents and distinct directions per ± neuron and per monosemantic neuron,
   and the per-± -neuron count over every live latent (no frequency filter) for comparison.
4. Times one training step of the final dictionary on each gradient path (compiled sparse kernel, dense
   numpy) with BLAS on 1 and on 2 threads (``SPARSE_FRACTION``, ``BLAS_THREADS``).

numba's cache goes to a temporary folder (removed at exit); kernels are compiled once before timing.
Usage: python bench/bench_dictionary.py [--samples 100000] [--steps 30000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 30.0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--m", type=int, default=256)
    p.add_argument("--model-steps", type=int, default=3000, help="prox-GD steps of the toy model")
    p.add_argument("--samples", type=int, default=100_000)
    p.add_argument("--p", type=float, default=0.05)
    p.add_argument("--latents", type=int, default=None, help="default 2n")
    p.add_argument("--steps", type=int, default=30_000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--l1", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--path-steps", type=int, default=500, help="steps per case of the path timing (0: skip)")
    p.add_argument("--json", type=Path, default=None)
    return p.parse_args(argv)


def counts(a) -> str:
    """'value×count' pairs of an integer array, e.g. '1×47 2×3'."""
    values, n = np.unique(np.asarray(a), return_counts=True)
    return " ".join(f"{v}×{c}" for v, c in zip(values.tolist(), n.tolist())) or "-"


def path_timing(result, x, steps: int) -> dict[str, float]:
    """ms per step of a _Trainer started at the trained dictionary, per gradient path and BLAS thread count."""
    from threadpoolctl import threadpool_limits

    import sims.dynamics.dictionary as engine

    out = {}
    params = (result.encoder, result.encoder_bias, result.decoder, result.decoder_bias)
    gen = np.random.default_rng(0)
    batches = [gen.integers(0, x.shape[0], result.config.batch) for _ in range(steps)]
    xs = x.astype(result.config.dtype)
    saved = engine.SPARSE_FRACTION
    try:
        for path, fraction in (("sparse", 1.0), ("dense", -1.0)):
            engine.SPARSE_FRACTION = fraction
            for threads in (1, 2):
                trainer = engine._Trainer([p.copy() for p in params], result.config)
                with threadpool_limits(limits=threads, user_api="blas"):
                    trainer.step(xs[batches[0]], 1)  # warm-up
                    t0 = time.perf_counter()
                    for t, idx in enumerate(batches, start=2):
                        trainer.step(xs[idx], t)
                    out[f"{path}_blas{threads}_ms"] = 1e3 * (time.perf_counter() - t0) / steps
    finally:
        engine.SPARSE_FRACTION = saved
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-dictionary-numba-") as cache:
        os.environ["NUMBA_CACHE_DIR"] = cache
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
        return run(args)


def run(args) -> int:
    from threadpoolctl import threadpool_info

    from sims.dynamics.dictionary import DictionaryConfig, train_dictionary
    from sims.dynamics.schedule import Schedule
    from sims.dynamics.train import TrainConfig, train
    from sims.measure.dictionary_match import code_statistics, latents_per_neuron
    from sims.measure.metrics import dominant_polysemantic_count
    from sims.studies.dictionary import dictionary_of_model, sparse_inputs
    from theory import ModelSpec

    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"BLAS: {blas}; cpu count {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
    n, m = args.n, args.m
    latents = args.latents or 2 * n
    t0 = time.perf_counter()
    model = train(ModelSpec(n=n, m=m, l1=0.2),
                  TrainConfig(optimizer="prox_gd", lr=0.01, steps=args.model_steps, instances=1,
                              record=Schedule(every=args.model_steps)), rng=args.seed)
    W = model.W[0]
    poly = dominant_polysemantic_count(W)
    print(f"toy model n={n} m={m}: {args.model_steps} prox-GD steps in {time.perf_counter() - t0:.2f} s; "
          f"non-zeros per row {counts(np.count_nonzero(W, axis=1))}; ± neurons {int(poly['opposite_sign'])}, "
          f"same-sign shared {int(poly['same_sign'])}")

    # compile the kernels (both paths) outside the timing
    warm = sparse_inputs(n, 512, args.p, rng=1) @ W
    train_dictionary(warm, DictionaryConfig(latents=latents, steps=20, batch=64), rng=0)

    config = DictionaryConfig(latents=latents, l1=args.l1, lr=args.lr, steps=args.steps, batch=args.batch)
    t0 = time.perf_counter()
    study = dictionary_of_model(W, samples=args.samples, p=args.p, config=config, rng=args.seed + 1)
    wall = time.perf_counter() - t0
    h = sparse_inputs(n, args.samples, args.p, rng=args.seed + 2) @ W
    stats = code_statistics(study.dictionary.encode(h))
    every_live = latents_per_neuron(study.dictionary.decoder, latents=~stats.dead)
    print(f"dictionary: {args.samples} vectors of d={m}, {latents} latents, {args.steps} steps of B={args.batch} "
          f"(λ={args.l1}, lr={args.lr}, float32)")
    print(f"  wall time {wall:.2f} s (target ≤ {TARGET_S:.0f} s: {'PASS' if wall <= TARGET_S else 'MISS'}), "
          f"{1e3 * wall / args.steps:.3f} ms per step including data and evaluation")
    print(f"  MCC {study.mcc:.5f}, signed MCC {study.signed_mcc:.5f}, worst feature cos {np.nanmin(study.cos):.4f}")
    above = n * args.p * (1 - args.l1 / 2)  # features on with intensity above the shrinkage λ/2
    print(f"  L0 {study.l0:.3f} (n·p = {n * args.p:.2f} features on per input, {above:.2f} of them above λ/2), "
          f"dead {study.dead}, "
          f"rare (< 1e-3) {study.rare}, FVU {study.fvu:.4f}")
    print(f"  F {study.F:.2f} (n = {n}), ψ = F/m {study.psi:.4f}")
    print(f"  ± neurons ({study.pm_neurons.size}): latents {counts(study.latents_per_pm_neuron)}, "
          f"directions {counts(study.directions_per_pm_neuron)}; counting every live latent: "
          f"{counts(every_live[study.pm_neurons])}")
    print(f"  monosemantic neurons ({study.mono_neurons.size}): latents {counts(study.latents_per_mono_neuron)}, "
          f"directions {counts(study.directions_per_mono_neuron)}; counting every live latent: "
          f"{counts(every_live[study.mono_neurons])}")
    record = {"wall_s": wall, "steps": args.steps, "samples": args.samples, "latents": latents, "mcc": study.mcc,
              "signed_mcc": study.signed_mcc, "worst_cos": float(np.nanmin(study.cos)), "l0": study.l0,
              "dead": study.dead, "rare": study.rare, "fvu": study.fvu, "F": study.F, "psi": study.psi,
              "latents_per_pm_neuron": study.latents_per_pm_neuron.tolist(),
              "directions_per_pm_neuron": study.directions_per_pm_neuron.tolist(),
              "latents_per_mono_neuron": study.latents_per_mono_neuron.tolist()}
    if args.path_steps:
        timing = path_timing(study.dictionary, h, args.path_steps)
        print("  one step at the trained state (ms): " + ", ".join(f"{k[:-3]} {v:.3f}" for k, v in timing.items()))
        record.update(timing)
    if args.json:
        args.json.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
