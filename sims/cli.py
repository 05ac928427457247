"""The ``incidental`` command line: a thin layer over the library.

    incidental verify [--quick | --full] [--claim ID ...] [--seed N] [--out DIR] [--json] [--quiet]
    incidental sweep NAME [--quick] [--seed N] [--workers N | --scheduler ADDRESS] --out DIR [--quiet]
    incidental reproduce NAME|all [--quick] [--seed N] [--workers N | --scheduler ADDRESS] --out DIR
    incidental derive [NAME ...] [--check] [--latex FILE] [--list]
    incidental train --n N --m M [--l1 λ] [--noise FAMILY:SIGMA] [--optimizer NAME] [--lr η]
                     [--steps K] [--instances I] [--dtype D] [--seed S] --out DIR
    incidental diagnose WEIGHTS [--key NAME] [--l1 λ] [--p P] [--tol T] [--repair FILE] [--json]

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

from .runs.output import atomic_csv

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
    v.add_argument("--out", type=Path, help="write report.md, claims.json and figures/ here")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--quiet", action="store_true", help="print nothing; the exit code tells")

    w = sub.add_parser("sweep", help="run a registered parameter sweep, resuming what is on disk")
    w.add_argument("name", help="sweep name (see sims/sweeps.py)")
    _add_run_options(w, quick="the quick grid instead of the paper's size",
                     out="results go to DIR/NAME/ and DIR/NAME.csv")

    r = sub.add_parser("reproduce", help="reproduce a figure of the paper (PNG + CSV)")
    r.add_argument("name", help="figure name, or 'all' (see sims/reproduce.py)")
    _add_run_options(r, quick="a smaller version that runs in minutes",
                     out="folder for the PNG, CSV and sweep results")

    sub.add_parser("derive", help="re-derive and check the theory's equations (sympy); "
                   "arguments as python -m derivations", add_help=False)

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

    d = sub.add_parser("diagnose", help="label each polysemantic neuron of trained weights incidental, necessary "
                       "or same-sign, with the evidence (sims.measure.diagnosis)")
    d.add_argument("weights", type=Path, help=".npy, or .npz (array --key); shape (n, m) or (instances, n, m)")
    d.add_argument("--key", default="W", help="array name inside an .npz (default W, as `incidental train` writes)")
    d.add_argument("--l1", type=float, default=0.0, help="L1 strength λ the weights were trained with")
    d.add_argument("--p", type=float, default=0.0, help="co-occurrence probability of the data (0: one-hot)")
    d.add_argument("--tol", type=float, default=1e-3, help="weights at or below this count as zero")
    d.add_argument("--repair", type=Path, metavar="FILE", help="write the repaired weights here (.npy)")
    d.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    return p


def _add_run_options(p: argparse.ArgumentParser, *, quick: str, out: str) -> None:
    """--quick, --seed, --workers | --scheduler, --out, --quiet: the options of sweeps and figures."""
    p.add_argument("--quick", action="store_true", help=quick)
    p.add_argument("--seed", type=_nonnegative_int, default=0)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, default=1, help="local worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="dask.distributed scheduler address")
    p.add_argument("--out", type=Path, required=True, help=out)
    p.add_argument("--quiet", action="store_true")


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    value = _nonnegative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
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
    from .ledger import run_claim, select_claims
    from .ledger.report import claim_row, write_report
    from .runs.sweep import code_version
    from .runs.progress import progress_bar

    claims = select_claims(tier=args.tier, ids=args.claim)
    out = _writable_folder(args.out) if args.out is not None else None
    rows = []
    start = time.perf_counter()
    with progress_bar(total=len(claims), desc="claims", disable=args.quiet or args.json) as bar:
        for c in claims:
            t0 = time.perf_counter()
            o = run_claim(c, seed=args.seed)
            rows.append(claim_row(c, o, time.perf_counter() - t0))
            bar.update(1)
            if not args.quiet and not args.json:
                mark = "ok  " if o.status == c.expected else "FAIL"
                print(f"{mark} {c.id:<22} {o.status:<9} measured {o.measured:<11.4g} "
                      f"predicted {o.predicted:<11.4g} {o.tolerance}", flush=True)
    elapsed = time.perf_counter() - start
    header = {"tier": args.tier, "seed": args.seed, "code": code_version(), "seconds": round(elapsed, 2)}
    report = write_report(out, claims, rows, header=header) if out is not None else None
    failed = [r["id"] for r in rows if not r["as_expected"]]
    if args.json and not args.quiet:
        print(json.dumps({**header, "claims": rows}, indent=2))
    elif not args.quiet:
        print(f"{len(rows) - len(failed)} of {len(rows)} claims as expected ({elapsed:.1f} s)"
              + (f"; unexpected: {', '.join(failed)}" if failed else "")
              + (f"; report: {report}" if report else ""))
    return 1 if failed else 0


def _sweep(args) -> int:
    from .runs.sweep import run_sweep
    from .runs.registry import make_sweep

    sweep = make_sweep(args.name, quick=args.quick, seed=args.seed)
    out = _writable_folder(args.out)
    res = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet)
    table = out / f"{sweep.name}.csv"
    params = list(res.rows[0]["params"])
    # one row per instance; matrix-valued results (lists of lists) stay in the per-point JSON only
    values = [k for k, v in res.rows[0]["result"].items()
              if not (isinstance(v, list) and any(isinstance(x, list) for x in v))]
    rows = []
    for row in res.rows:
        result = row["result"]
        count = max(len(result[k]) if isinstance(result[k], list) else 1 for k in values)
        for i in range(count):
            rows.append([row["params"][p] for p in params] + [i]
                        + [result[k][i] if isinstance(result[k], list) else result[k] for k in values])
    atomic_csv(table, params + ["instance"] + values, rows)
    if not args.quiet:
        print(f"{sweep.name}: {len(res.rows)} points ({res.computed} computed, {res.reused} reused); "
              f"results in {res.folder}, table {table}")
    return 0


def _reproduce(args) -> int:
    from .figures.registry import RunOptions, load_all

    registry = load_all()
    names = list(registry) if args.name == "all" else [args.name]
    for name in names:
        if name not in registry:
            raise UsageError(f"unknown figure {name!r}; known: {', '.join(registry)} or all")
    out = _writable_folder(args.out)
    options = RunOptions(quick=args.quick, seed=args.seed, workers=args.workers, scheduler=args.scheduler,
                         progress=not args.quiet)
    for name in names:
        t0 = time.perf_counter()
        files = registry[name].run(out, options)
        if not args.quiet:
            print(f"{name}: wrote {', '.join(str(f) for f in files)} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _train(args) -> int:
    import numpy as np

    from theory import ModelSpec, NoiseSpec

    from .dynamics.schedule import Schedule
    from .dynamics.train import TrainConfig, train

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
    atomic_csv(out / "history.csv", ["step", "instance"] + names,
               ([step, i] + [float(res.history[k][r, i]) for k in names]
                for r, step in enumerate(res.steps) for i in range(config.instances)))
    final = {k: float(np.mean(res.history[k][-1])) for k in names}
    print(f"wrote {out / 'weights.npz'} and {out / 'history.csv'}; final means: "
          + ", ".join(f"{k} {v:.4g}" for k, v in final.items()))
    return 0


def _load_weights(path: Path, key: str):
    import numpy as np

    if not path.is_file():
        raise UsageError(f"weights {path}: no such file")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise UsageError(f"weights {path}: not a .npy or .npz file ({exc})") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        if key not in data.files:
            raise UsageError(f"--key {key!r}: not in {path} (arrays: {', '.join(data.files)})")
        data = data[key]
    W = np.asarray(data, dtype=np.float64)
    if W.ndim not in (2, 3):
        raise UsageError(f"weights {path}: expected shape (n, m) or (instances, n, m), got {W.shape}")
    return W


def _diagnose(args) -> int:
    import numpy as np

    from .measure.diagnosis import diagnose, repair

    W = _load_weights(args.weights, args.key)
    Ws = W if W.ndim == 3 else W[None]
    report, repaired = [], []
    for idx, Wi in enumerate(Ws):
        diags = diagnose(Wi, l1=args.l1, p=args.p, tol=args.tol)
        entry = {"instance": idx, "one_move_from_better": any(d.strictly_better for d in diags),
                 "neurons": [{"neuron": d.neuron, "label": d.label, "features": list(d.features),
                              "weights": list(d.weights), "move": list(d.move) if d.move else None,
                              "loss_change": d.change, "objective": d.objective, "evidence": d.evidence}
                             for d in diags]}
        if args.repair is not None:
            r = repair(Wi, l1=args.l1, p=args.p, tol=args.tol)
            repaired.append(r.W)
            entry["repair"] = {"loss_before": r.loss_before, "loss_after": r.loss_after, "moves": r.moves,
                               "objective": r.objective}
        report.append(entry)
    if args.repair is not None:
        args.repair.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.repair.with_name(args.repair.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, np.stack(repaired) if W.ndim == 3 else repaired[0])
        os.replace(tmp, args.repair)
    if args.json:
        print(json.dumps({"weights": str(args.weights), "l1": args.l1, "p": args.p, "tol": args.tol,
                          "instances": report}, indent=2))
        return 0
    for entry in report:
        labels = [n["label"] for n in entry["neurons"]]
        print(f"instance {entry['instance']}: {len(labels)} polysemantic neurons ("
              + ", ".join(f"{labels.count(lab)} {lab}" for lab in ("incidental", "necessary", "same-sign"))
              + f"); one move from strictly better: {'yes' if entry['one_move_from_better'] else 'no'}")
        for n in entry["neurons"]:
            print(f"  neuron {n['neuron']}: {n['label']}: {n['evidence']}")
        if "repair" in entry:
            r = entry["repair"]
            print(f"  repair: {r['moves']} moves, loss {r['loss_before']:.6g} → {r['loss_after']:.6g} ({r['objective']})")
    if args.repair is not None:
        print(f"wrote {args.repair}")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``incidental`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["derive"]:  # its own parser: python -m derivations
        from derivations import main as derive_main

        return derive_main(argv[1:], prog="incidental derive")
    try:
        args = _parser().parse_args(argv)
        return {"verify": _verify, "sweep": _sweep, "reproduce": _reproduce, "train": _train,
                "diagnose": _diagnose}[args.command](args)
    except (UsageError, ValueError, OSError) as exc:
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
