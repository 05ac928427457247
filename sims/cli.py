"""The ``incidental`` command line: a thin shell that parses arguments, calls the library and prints.

    incidental [--debug] verify [--quick | --full] [--claim ID ...] [--seed N] [--out DIR] [--json] [--quiet]
    incidental [--debug] sweep NAME [--quick] [--seed N] [--workers N | --scheduler ADDRESS] --out DIR [--quiet]
    incidental [--debug] reproduce NAME|all [--quick] [--seed N] [--workers N | --scheduler ADDRESS] --out DIR
    incidental [--debug] derive [NAME ...] [--check] [--latex FILE] [--list]
    incidental [--debug] train --n N --m M [--l1 λ] [--noise FAMILY:SIGMA] [--optimizer NAME] [--lr η]
                     [--steps K] [--instances I] [--dtype D] [--seed S] --out DIR
    incidental [--debug] diagnose WEIGHTS [--key NAME] [--l1 λ] [--p P] [--tol T] [--repair FILE] [--json]
    incidental [--debug] visualise WEIGHTS --neuron K [--neuron K ...] [--instance I] [--key NAME]
                     [--objective square|signed|abs] [--diversity gram|cosine|none] [--weight W]
                     [--domain simplex|box|sphere] [--hidden linear|relu] [--batch B] [--steps S] [--seed S] --out DIR
    incidental [--debug] circuit-report [WEIGHTS] [--n N --m1 M1 --m2 M2] [--target identity|permutation]
                     [--l1 λ] [--seed S] [--plain-init] [--tol T]

Exit codes and errors (one line on stderr each):

* 2, ``incidental: error: ...``: a usage error, bad input from the command line: argparse's errors, an
  unknown claim, sweep or figure, an unwritable ``--out`` or ``--repair``, a malformed weights file, a
  missing extra the command needs, and a ValueError raised while building a configuration (ModelSpec,
  TrainConfig, NoiseSpec, Schedule, ...) from the arguments; only the code inside ``_from_argv`` blocks
  turns a ValueError into a usage error.
* 1, ``incidental: error: ...``: training diverged (``DivergenceError``, with its step), or the operating
  system refused a read or write in the middle of a run (``OSError``: disk full, network, ...).
* 1, ``incidental: internal error: <Type>: <message> (...)``: any other exception, a ValueError from inside
  the library included, is a bug. With ``--debug`` (before the command) or ``INCIDENTAL_DEBUG=1`` every
  error that is not a usage error propagates with its traceback.
* 1: ``verify``: a claim does not come out as the ledger expects (``derive``: a check fails).
* 130, ``incidental: interrupted``: Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

__all__ = ["UsageError", "main"]

DEBUG_ENV = "INCIDENTAL_DEBUG"


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, no traceback
        raise UsageError(message)


@contextmanager
def _from_argv():
    """Around building configurations from the command line's arguments (and nothing deeper): a ValueError
    raised there is bad input, a UsageError. A ValueError from anywhere else is a bug (exit 1)."""
    try:
        yield
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="incidental", description="Check the theory of incidental polysemanticity.")
    p.add_argument("--debug", action="store_true",
                   help=f"let an error that is not a usage error propagate with its traceback "
                        f"(also {DEBUG_ENV}=1)")
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
    v.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="run claims in this many worker processes, longest first, with the numbers of a serial "
                        "run (default: the machine's cores)")

    w = sub.add_parser("sweep", help="run a registered parameter sweep, resuming what is on disk")
    w.add_argument("name", help="sweep name (see sims/runs/grids.py)")
    _add_run_options(w, quick="the quick grid instead of the paper's size",
                     out="results go to DIR/NAME/ and DIR/NAME.csv")

    r = sub.add_parser("reproduce", help="reproduce a figure of the paper (PNG + CSV)")
    r.add_argument("name", help="figure name, or 'all' (see sims/figures/)")
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

    f = sub.add_parser("visualise", help="feature visualisation with diversity of hidden neurons of trained weights: "
                       "the optimised inputs and their facets (sims.dynamics.visualise)")
    f.add_argument("weights", type=Path, help=".npy, or .npz (array --key); shape (n, m) or (instances, n, m)")
    f.add_argument("--neuron", type=_nonnegative_int, action="append", required=True,
                   help="a neuron to visualise (repeat for several)")
    f.add_argument("--instance", type=_nonnegative_int, default=0, help="which instance of stacked weights")
    f.add_argument("--key", default="W", help="array name inside an .npz (default W, as `incidental train` writes)")
    f.add_argument("--objective", default="square", help="square (h²; default), signed (h) or abs (|h|)")
    f.add_argument("--diversity", default="cosine", help="cosine (default), gram (lucid's) or none")
    f.add_argument("--weight", type=float, default=0.03, help="diversity weight w (lucid's published value: 100)")
    f.add_argument("--domain", default="simplex", help="simplex (default), box or sphere")
    f.add_argument("--hidden", default="linear", help="linear (the paper's model; default) or relu")
    f.add_argument("--batch", type=int, default=8)
    f.add_argument("--steps", type=int, default=512)
    f.add_argument("--seed", type=_nonnegative_int, default=0)
    f.add_argument("--out", type=Path, required=True, help="folder for visualise.png and visualise.csv")

    c = sub.add_parser("circuit-report", help="train one two-hidden-layer circuit model (or load one) and report its "
                       "shared weights, free and costly spurious connections, alignment (sims.studies.circuits)")
    c.add_argument("weights", type=Path, nargs="?", help=".npz with arrays W1 (n, m1), V (m1, m2), W2 (n, m2) and "
                   "optionally permutation (π); without it a model is trained")
    c.add_argument("--n", type=_positive_int, help="features (to train)")
    c.add_argument("--m1", type=_positive_int, help="first hidden layer's neurons (to train)")
    c.add_argument("--m2", type=_positive_int, help="second hidden layer's neurons (to train)")
    c.add_argument("--target", default="identity", help="identity (default) or permutation (π drawn from --seed)")
    c.add_argument("--l1", type=float, default=0.1, help="L1 strength λ (code units; default 0.1)")
    c.add_argument("--seed", type=_nonnegative_int, default=0)
    c.add_argument("--plain-init", action="store_true",
                   help="the plain independent start (default: read-outs oriented, every feature learned)")
    c.add_argument("--tol", type=float, default=1e-9,
                   help="|V_ab| and |M_ic| at or below this count as zero (default 1e-9: prox-GD's exact zeros)")
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


# ------------------------------------------------------------------------------- checks of the arguments


def _writable_folder(path: Path, option: str = "--out") -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot create folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: folder is not writable")
    return path


def _writable_file(path: Path, option: str) -> Path:
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder")
    _writable_folder(path.parent, option)
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: file is not writable")
    return path


def _plotting_available() -> None:
    """Figures need matplotlib; missing, it is the command that cannot run here (exit 2), not a bug."""
    from .runs.output import pyplot

    try:
        pyplot()
    except ValueError as exc:  # pyplot's "figures need matplotlib: pip install ..."
        raise UsageError(str(exc)) from None


def _scheduler_available(scheduler) -> None:
    if scheduler is None:
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed: "
                         "pip install 'incidental-polysemanticity[distributed]'") from None


def _load_weights(path: Path, key: str):
    import zipfile

    import numpy as np

    unreadable = (OSError, ValueError, EOFError, zipfile.BadZipFile)
    if not path.is_file():
        raise UsageError(f"weights {path}: no such file")
    try:
        data = np.load(path, allow_pickle=False)
    except unreadable as exc:
        raise UsageError(f"weights {path}: not a .npy or .npz file ({exc})") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            if key not in data.files:
                raise UsageError(f"--key {key!r}: not in {path} (arrays: {', '.join(data.files)})")
            try:
                data = data[key]
            except unreadable as exc:
                raise UsageError(f"weights {path}: cannot read array {key!r} ({exc})") from None
    try:
        W = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        kind = f"dtype {data.dtype}" if isinstance(data, np.ndarray) else type(data).__name__
        raise UsageError(f"weights {path}: not an array of real numbers ({kind})") from None
    if W.ndim not in (2, 3) or 0 in W.shape:
        raise UsageError(f"weights {path}: expected shape (n, m) or (instances, n, m), got {W.shape}")
    if not np.all(np.isfinite(W)):
        raise UsageError(f"weights {path}: contains NaN or inf")
    return W


# ------------------------------------------------------------------------------------------- commands


def _verify(args) -> int:
    from .ledger import run_claims, select_claims
    from .ledger.report import claim_row, write_report
    from .runs.environment import numerical_environment
    from .runs.progress import progress_bar
    from .runs.sweep import code_version

    with _from_argv():
        claims = select_claims(tier=args.tier, ids=args.claim)
    out = _writable_folder(args.out) if args.out is not None else None
    done = {}
    start = time.perf_counter()
    with progress_bar(total=len(claims), desc="claims", disable=args.quiet or args.json) as bar:
        for c, o, seconds in run_claims(claims, seed=args.seed, workers=args.workers):
            done[c.id] = claim_row(c, o, seconds)
            bar.update(1)
            if not args.quiet and not args.json:
                mark = "ok  " if o.status == c.expected else "FAIL"
                bar.write(f"{mark} {c.id:<22} {o.status:<9} measured {o.measured:<11.4g} "
                          f"predicted {o.predicted:<11.4g} {o.tolerance}")
    rows = [done[c.id] for c in claims]  # the ledger's order, whatever order they finished in
    elapsed = time.perf_counter() - start
    header = {"tier": args.tier, "seed": args.seed, "code": code_version(), "seconds": round(elapsed, 2),
              "environment": numerical_environment()}
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
    from .runs.output import write_sweep_table
    from .runs.grids import make_sweep
    from .runs.sweep import run_sweep

    with _from_argv():
        sweep = make_sweep(args.name, quick=args.quick, seed=args.seed)
    _scheduler_available(args.scheduler)
    out = _writable_folder(args.out)
    res = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet)
    table = write_sweep_table(out / f"{sweep.name}.csv", res.rows)
    if not args.quiet:
        print(f"{sweep.name}: {len(res.rows)} points ({res.computed} computed, {res.reused} reused); "
              f"results in {res.folder}, table {table}")
    return 0


def _reproduce(args) -> int:
    """One figure, or ``all``: one after another (each sweep spread over ``--workers`` processes or the
    ``--scheduler``), or with ``--workers N`` > 1 and no scheduler, whole figures N at a time in worker
    processes, the longest first (``run_reproductions``); the files are identical either way. Each figure's
    line is printed as it finishes (completion order: the registry's order when they run one after another),
    above a progress bar of the figures when they run concurrently."""
    from .figures.registry import RunOptions, load_all, run_reproductions
    from .runs.progress import progress_bar

    registry = load_all()
    names = list(registry) if args.name == "all" else [args.name]
    for name in names:
        if name not in registry:
            raise UsageError(f"unknown figure {name!r}; known: {', '.join(registry)} or all")
    with _from_argv():
        options = RunOptions(quick=args.quick, seed=args.seed, workers=args.workers, scheduler=args.scheduler,
                             progress=not args.quiet)
    _scheduler_available(args.scheduler)
    _plotting_available()
    out = _writable_folder(args.out)
    concurrent = len(names) > 1 and args.workers > 1 and args.scheduler is None
    runs = run_reproductions([registry[name] for name in names], out, options,
                             workers=args.workers if concurrent else 1)
    with progress_bar(total=len(names), desc="figures", disable=args.quiet or not concurrent) as bar:
        for repro, files, seconds in runs:
            bar.update(1)
            if not args.quiet:
                bar.write(f"{repro.name}: wrote {', '.join(str(f) for f in files)} ({seconds:.1f} s)")
    return 0


def _train(args) -> int:
    import numpy as np

    from theory import ModelSpec, NoiseSpec

    from .dynamics.schedule import Schedule
    from .dynamics.train import TrainConfig, train
    from .runs.output import write_training_run

    noise = None
    if args.noise:
        family, _, sigma = args.noise.partition(":")
        try:
            sigma_value = float(sigma)
        except ValueError:
            raise UsageError(f"--noise must look like FAMILY:SIGMA (e.g. bipolar:0.1), got {args.noise!r}") from None
        with _from_argv():
            noise = NoiseSpec(family=family, sigma=sigma_value)
    with _from_argv():
        spec = ModelSpec(n=args.n, m=args.m, l1=args.l1, noise=noise)
        config = TrainConfig(optimizer=args.optimizer, lr=args.lr, steps=args.steps, instances=args.instances,
                             dtype=args.dtype, record=Schedule(points=args.records))
    out = _writable_folder(args.out)
    res = train(spec, config, rng=args.seed)
    weights, history = write_training_run(out, res)
    final = {k: float(np.mean(res.history[k][-1])) for k in sorted(res.history)}
    print(f"wrote {weights} and {history}; final means: "
          + ", ".join(f"{k} {v:.4g}" for k, v in final.items()))
    return 0


def _diagnose(args) -> int:
    from theory import validate

    from .measure.diagnosis import diagnose, repair
    from .runs.output import diagnosis_json, diagnosis_record, write_repaired_weights

    with _from_argv():  # the checks diagnose() makes of its parameters, here where they are the user's
        l1 = validate.real("l1", args.l1, minimum=0.0)
        p = validate.real("p", args.p, minimum=0.0, maximum=1.0)
        tol = validate.real("tol", args.tol, minimum=0.0)
    W = _load_weights(args.weights, args.key)
    if args.repair is not None:
        _writable_file(args.repair, "--repair")
    Ws = W if W.ndim == 3 else W[None]
    diagnoses = [diagnose(Wi, l1=l1, p=p, tol=tol) for Wi in Ws]
    repairs = [repair(Wi, l1=l1, p=p, tol=tol) for Wi in Ws] if args.repair is not None else None
    record = diagnosis_record(args.weights, diagnoses, l1=args.l1, p=args.p, tol=args.tol, repairs=repairs)
    if repairs is not None:
        write_repaired_weights(args.repair, [r.W for r in repairs], stacked=W.ndim == 3)
    if args.json:
        print(diagnosis_json(record))
        return 0
    for entry in record["instances"]:
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


def _visualise(args) -> int:
    from .dynamics.visualise import VisualisationConfig, visualise_neurons
    from .measure.facets import facets

    with _from_argv():
        config = VisualisationConfig(objective=args.objective, diversity=args.diversity, weight=args.weight,
                                     domain=args.domain, hidden=args.hidden, batch=args.batch, steps=args.steps)
    W = _load_weights(args.weights, args.key)
    if W.ndim == 3:
        if args.instance >= W.shape[0]:
            raise UsageError(f"--instance must be below {W.shape[0]} (the weights hold {W.shape[0]} instances), "
                             f"got {args.instance}")
        W = W[args.instance]
    bad = [k for k in args.neuron if k >= W.shape[1]]
    if bad:
        raise UsageError(f"--neuron must be below m = {W.shape[1]}, got {bad[0]}")
    _plotting_available()
    out = _writable_folder(args.out)
    from .figures._batch import write_visualisation

    vis = visualise_neurons(W, args.neuron, config, rng=args.seed)
    found = facets(vis, W)
    files = write_visualisation(out, vis, found)
    for k, sets, count in zip(vis.neurons, found.sets, found.count):
        names = ", ".join("{" + ", ".join(map(str, sorted(s))) + "}" for s in sets) or "none"
        print(f"neuron {k}: {count} facet(s): {names}")
    print(f"wrote {', '.join(str(f) for f in files)}")
    return 0


def _load_circuit(path: Path):
    import zipfile

    import numpy as np

    unreadable = (OSError, ValueError, EOFError, zipfile.BadZipFile)
    if not path.is_file():
        raise UsageError(f"weights {path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("W1", "V", "W2") if k not in data.files]
            if missing:
                raise UsageError(f"weights {path}: no array {missing[0]} (arrays: {', '.join(data.files)}); "
                                 "a circuit needs W1, V and W2")
            arrays = {k: data[k] for k in ("W1", "V", "W2", "permutation") if k in data.files}
    except unreadable as exc:
        raise UsageError(f"weights {path}: not an .npz file of arrays ({exc})") from None
    try:
        W1, V, W2 = (np.asarray(arrays[k], dtype=np.float64) for k in ("W1", "V", "W2"))
    except (TypeError, ValueError):
        raise UsageError(f"weights {path}: W1, V and W2 must be arrays of real numbers") from None
    if W1.ndim != 2 or V.ndim != 2 or V.shape[0] != W1.shape[1] or W2.shape != (W1.shape[0], V.shape[1]):
        raise UsageError(f"weights {path}: expected W1 (n, m1), V (m1, m2), W2 (n, m2), got {W1.shape}, {V.shape}, "
                         f"{W2.shape}")
    if not all(np.all(np.isfinite(a)) for a in (W1, V, W2)):
        raise UsageError(f"weights {path}: contains NaN or inf")
    n = W1.shape[0]
    pi = np.asarray(arrays.get("permutation", np.arange(n)))
    if pi.shape != (n,) or not np.array_equal(np.sort(pi), np.arange(n)):
        raise UsageError(f"weights {path}: permutation must be a rearrangement of 0..{n - 1}")
    return W1, V, W2, np.eye(n)[pi.astype(np.int64)]


def _circuit_report(args) -> int:
    from theory import validate

    with _from_argv():
        l1 = validate.real("l1", args.l1, minimum=0.0, strict_min=True)
        tol = validate.real("tol", args.tol, minimum=0.0)
        validate.choice("target", args.target, ("identity", "permutation"))
    if args.weights is not None:
        if any(v is not None for v in (args.n, args.m1, args.m2)):
            raise UsageError("give either WEIGHTS or --n, --m1 and --m2 (to train), not both")
        W1, V, W2, T = _load_circuit(args.weights)
        print(f"weights {args.weights}")
    else:
        if any(v is None for v in (args.n, args.m1, args.m2)):
            raise UsageError("--n, --m1 and --m2 are required to train a model (or give WEIGHTS, an .npz with W1, V, W2)")
        from theory.circuits import target_matrix

        from .studies.circuits import trained_circuits

        spec, res = trained_circuits(n=args.n, m1=args.m1, m2=args.m2, target=args.target, instances=1,
                                     rng=args.seed, l1=l1, orient=not args.plain_init)
        W1, V, W2 = (w[0] for w in res.final)
        T = target_matrix(spec)
        print(f"trained: prox-GD, λ = {l1:g}, lr {res.config.lr:g}, {res.config.steps} steps, "
              f"{'plain' if args.plain_init else 'oriented'} start, seed {args.seed}; target {args.target}"
              + (f" π = {spec.target_index.tolist()}" if args.target == "permutation" else ""))
    from .studies.circuits import circuit_report

    print(circuit_report(W1, V, W2, target=T, tol=tol).text())
    return 0


_COMMANDS = {"verify": _verify, "sweep": _sweep, "reproduce": _reproduce, "train": _train, "diagnose": _diagnose,
             "visualise": _visualise, "circuit-report": _circuit_report}


# --------------------------------------------------------------------------------------- entry point


def _debug_from_env() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def _divergence_error() -> tuple[type, ...]:
    """``DivergenceError`` if training was imported (else nothing raised can be one), without importing it."""
    train = sys.modules.get(f"{__package__}.dynamics.train")
    return (train.DivergenceError,) if train is not None else ()


def _fail(message: str, code: int) -> int:
    print(f"incidental: {' '.join(message.split())}", file=sys.stderr)  # one line, whatever the message
    return code


def main(argv=None) -> int:
    """Entry point of the ``incidental`` console script; returns the exit code (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = _debug_from_env()
    try:
        head = 0
        while argv[head:head + 1] == ["--debug"]:  # the global option, before the command
            head += 1
        debug = debug or head > 0
        if argv[head:head + 1] == ["derive"]:  # its own parser: python -m derivations
            from derivations import main as derive_main

            return derive_main(argv[head + 1:], prog="incidental derive")
        args = _parser().parse_args(argv)
        debug = debug or args.debug
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        return _fail(f"error: {exc}", 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        if debug:
            raise
        if isinstance(exc, (_divergence_error(), OSError)):  # not a bug: the run diverged, the system refused
            return _fail(f"error: {exc}", 1)
        return _fail(f"internal error: {type(exc).__name__}: {exc} "
                     f"(rerun with --debug or {DEBUG_ENV}=1 for the traceback)", 1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
