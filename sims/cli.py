"""The ``incidental`` command line: a thin layer over the library.

    incidental verify [--quick | --full] [--claim ID ...] [--seed N] [--json] [--quiet]
    incidental train --n N --m M [--l1 λ] [--noise FAMILY:SIGMA] [--optimizer NAME] [--lr η]
                     [--steps K] [--instances I] [--dtype D] [--seed S] --out DIR

Bad input gives one line on stderr and exit code 2; a claim that does not come out as the ledger
expects gives exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, no traceback
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="incidental", description="Check the theory of incidental polysemanticity.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("verify", help="run the claims ledger and print which claims hold")
    tier = v.add_mutually_exclusive_group()
    tier.add_argument("--quick", dest="tier", action="store_const", const="quick",
                      help="only the quick claims (default)")
    tier.add_argument("--full", dest="tier", action="store_const", const="full", help="every claim")
    v.set_defaults(tier="quick")
    v.add_argument("--claim", action="append", metavar="ID", help="run only this claim (repeatable)")
    v.add_argument("--seed", type=_nonnegative_int, default=0, help="root seed (default 0)")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--quiet", action="store_true", help="print nothing; the exit code tells")

    t = sub.add_parser("train", help="train the toy model and save weights and metrics")
    t.add_argument("--n", type=int, required=True, help="features")
    t.add_argument("--m", type=int, required=True, help="hidden neurons")
    t.add_argument("--l1", type=float, default=0.0, help="L1 strength λ (sum-normalised)")
    t.add_argument("--noise", metavar="FAMILY:SIGMA", help="hidden noise, e.g. bipolar:0.1")
    t.add_argument("--optimizer", default="adamw", help="gd, prox_gd or adamw (default)")
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--steps", type=int, default=7500)
    t.add_argument("--instances", type=int, default=1)
    t.add_argument("--dtype", default="float64")
    t.add_argument("--records", type=int, default=50, help="geometrically spaced record points")
    t.add_argument("--seed", type=_nonnegative_int, default=0)
    t.add_argument("--out", type=Path, required=True, help="folder for weights.npz and history.csv")
    return p


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _writable_folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot create folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"--out {path}: folder is not writable")
    return path


def _verify(args) -> int:
    from .claims import run_claim, select_claims

    claims = select_claims(tier=args.tier, ids=args.claim)
    rows = []
    start = time.perf_counter()
    for c in claims:
        t0 = time.perf_counter()
        o = run_claim(c, seed=args.seed)
        rows.append({"id": c.id, "statement": c.statement, "source": c.source, "expected": c.expected,
                     "status": o.status, "measured": o.measured, "predicted": o.predicted,
                     "tolerance": o.tolerance, "detail": o.detail, "correction": c.correction,
                     "seconds": round(time.perf_counter() - t0, 3)})
        if not args.quiet and not args.json:
            mark = "ok  " if o.status == c.expected else "FAIL"
            print(f"{mark} {c.id:<22} {o.status:<9} measured {o.measured:<11.4g} "
                  f"predicted {o.predicted:<11.4g} {o.tolerance}", flush=True)
    failed = [r["id"] for r in rows if r["status"] != r["expected"]]
    if args.json and not args.quiet:
        print(json.dumps({"tier": args.tier, "seed": args.seed, "claims": rows}, indent=2))
    elif not args.quiet:
        print(f"{len(rows) - len(failed)} of {len(rows)} claims as expected "
              f"({time.perf_counter() - start:.1f} s)" + (f"; unexpected: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _train(args) -> int:
    import numpy as np

    from theory import ModelSpec, NoiseSpec

    from .schedule import Schedule
    from .train import TrainConfig, train

    noise = None
    if args.noise:
        family, _, sigma = args.noise.partition(":")
        try:
            sigma_value = float(sigma)
        except ValueError:
            raise UsageError(f"--noise must look like FAMILY:SIGMA (e.g. bipolar:0.1), got {args.noise!r}") from None
        noise = NoiseSpec(family=family, sigma=sigma_value)
    spec = ModelSpec(n=args.n, m=args.m, l1=args.l1, noise=noise)
    config = TrainConfig(optimizer=args.optimizer, lr=args.lr, steps=args.steps, instances=args.instances,
                         dtype=args.dtype, record=Schedule(points=args.records))
    out = _writable_folder(args.out)
    res = train(spec, config, rng=args.seed)
    tmp = out / "weights.npz.tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, W0=res.W0, W=res.W, steps=res.steps)
    os.replace(tmp, out / "weights.npz")
    names = sorted(res.history)
    lines = ["step,instance," + ",".join(names)]
    for r, step in enumerate(res.steps):
        for i in range(config.instances):
            lines.append(f"{step},{i}," + ",".join(f"{float(res.history[k][r, i]):.10g}" for k in names))
    (out / "history.csv.tmp").write_text("\n".join(lines) + "\n")
    os.replace(out / "history.csv.tmp", out / "history.csv")
    final = {k: float(np.mean(res.history[k][-1])) for k in names}
    print(f"wrote {out / 'weights.npz'} and {out / 'history.csv'}; final means: "
          + ", ".join(f"{k} {v:.4g}" for k, v in final.items()))
    return 0


def main(argv=None) -> int:
    """Entry point of the ``incidental`` console script; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
        return _verify(args) if args.command == "verify" else _train(args)
    except (UsageError, ValueError) as exc:
        print(f"incidental: error: {exc}", file=sys.stderr)
        return 2
    except FloatingPointError as exc:  # DivergenceError
        print(f"incidental: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("incidental: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
