"""Resumable parameter sweeps: one SeedSequence stream per point, atomic results, optional
parallelism through local processes or a dask.distributed scheduler.

Each grid point's result is written to ``<out>/<sweep name>/<key>.json`` through a temporary file
and a rename, so a sweep interrupted at any moment (Ctrl-C, ``kill -9``) leaves only complete
results; running it again computes only the missing points. ``key`` hashes the sweep name, the
point function, the parameters, the root seed and the version of the code the point runs (its module and
what that imports, docstrings and comments aside: ``code_version``), so changed code never reuses stale
results and an unrelated edit never discards them. The point's random stream is ``SeedSequence(seed, spawn_key=(h,))`` with ``h``
derived from the parameters, so it does not depend on the grid's order or size, on the number of
workers, or on the machine that computes it: serial, ``workers=N`` and dask give identical numbers.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import itertools
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from theory import validate

from .environment import worker_threads
from .output import atomic_text
from .progress import progress_bar

__all__ = ["Sweep", "SweepResult", "code_dependencies", "code_version", "run_sweep"]


def _source_files(package: str) -> list[Path]:
    return sorted(_package_root(package).rglob("*.py"))


def _module_path(name: str) -> Path | None:
    """Source file of module ``name`` of theory or sims (None for any other module)."""
    if name.split(".")[0] not in _PACKAGES:
        return None
    base = _package_root(name.split(".")[0]).parent.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=None)
def _package_root(package: str) -> Path:
    return Path(importlib.util.find_spec(package).origin).parent


def _code_of(path: Path) -> str:
    """The module's code without its docstrings or comments: ``ast.dump`` of the tree, docstrings removed."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _imported_modules(name: str, path: Path) -> set[str]:
    """Modules of theory and sims that module ``name`` (at ``path``) imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            if node.module is not None:
                found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)  # "from . import module"
    return {m for m in found if _module_path(m) is not None}


def code_dependencies(module: str) -> list[str]:
    """The modules of theory and sims that ``module`` runs: itself and what it imports, transitively.

    Read from the source (every import statement, those inside functions included); a package's
    ``__init__`` counts only where it is imported by name, not as the parent of a module.

    Examples
    --------
    >>> from sims.runs.sweep import code_dependencies
    >>> deps = code_dependencies("sims.studies.noise")
    >>> "sims.dynamics.train" in deps and "sims.ledger.core" not in deps
    True
    """
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or _module_path(name) is None:
            continue
        seen.add(name)
        todo.extend(_imported_modules(name, _module_path(name)))
    return sorted(seen)


@functools.lru_cache(maxsize=None)
def code_version(module: str | None = None) -> str:
    """Hash of the code a computation runs: sha256 of the names and, docstrings and comments stripped, the source of ``module`` and every module of theory and sims it imports, transitively
    (``code_dependencies``); with no ``module``, of all of theory and sims.

    A sweep point's cached result is keyed by the code version of its point function's module, so an edit
    that changes no code the point runs (a docstring, a comment, a ledger claim, a figure) keeps the cache.

    Examples
    --------
    >>> from sims.runs.sweep import code_version
    >>> len(code_version()), code_version("sims.studies.noise") == code_version("sims.studies.noise")
    (16, True)
    """
    h = hashlib.sha256()
    if module is None:
        paths = [path for package in _PACKAGES for path in _source_files(package)]
    else:
        paths = [_module_path(name) for name in code_dependencies(module)]
    for path in sorted(paths, key=_relative_name):
        h.update(_relative_name(path).encode())
        h.update(_code_of(path).encode())
    return h.hexdigest()[:16]


_PACKAGES = ("theory", "sims")


def _relative_name(path: Path) -> str:
    """``theory/loss.py``-style name of a source file of theory or sims."""
    parts = Path(path).parts
    start = max(i for i, part in enumerate(parts) if part in _PACKAGES and i < len(parts) - 1)
    return "/".join(parts[start:])


def _plain(value):
    """JSON-ready copy: numpy scalars and arrays become Python numbers and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True, kw_only=True)
class Sweep:
    """A grid of parameters and the function that computes one point.

    ``point(rng=..., **params)`` must be a module-level function (so workers can import it) that
    returns a mapping of numbers or arrays. ``grid`` maps each parameter name to its values; the
    points are their Cartesian product in the order given. Units are those of the point function (the
    studies of ``sims.studies`` take λ = ``l1`` in code units and optimiser steps, but ``sparsity_curves``
    the paper's gradient-flow λ).

    Examples
    --------
    >>> from sims.runs.sweep import Sweep
    >>> from sims.studies.noise import fourth_norm_curve
    >>> sweep = Sweep(name="demo", point=fourth_norm_curve, grid={"sigma": (0.1, 0.15)},
    ...               fixed={"family": "bipolar", "n": 4, "m": 8, "lr": 0.02, "steps": 20, "instances": 2,
    ...                      "points": 2})
    >>> [p["sigma"] for p in sweep.points()], len(sweep.points()[0]), len(sweep.key(sweep.points()[0]))
    ([0.1, 0.15], 8, 24)
    >>> sweep.identity(sweep.points()[0])["point"], sweep.seed_sequence(sweep.points()[0]).entropy
    ('sims.studies.noise.fourth_norm_curve', 0)
    """

    name: str
    point: Callable[..., Mapping[str, Any]]
    grid: Mapping[str, tuple]
    seed: int = 0
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"name must be a non-empty string of letters, digits, '-' or '_', got {self.name!r}")
        validate.integer("seed", self.seed, minimum=0)
        if not self.grid or any(len(tuple(v)) == 0 for v in self.grid.values()):
            raise ValueError(f"grid must map each parameter to a non-empty sequence of values, got {self.grid!r}")
        object.__setattr__(self, "grid", {k: tuple(_plain(list(v))) for k, v in self.grid.items()})

    def points(self) -> list[dict]:
        """Every grid point as a dict of parameters (fixed parameters included)."""
        keys = list(self.grid)
        return [dict(self.fixed, **dict(zip(keys, values)))
                for values in itertools.product(*(self.grid[k] for k in keys))]

    def identity(self, params: Mapping) -> dict:
        """What a point's result depends on; its hash is the file name."""
        return {"sweep": self.name, "point": f"{self.point.__module__}.{self.point.__qualname__}",
                "params": _plain(dict(params)), "seed": self.seed, "code": code_version(self.point.__module__)}

    def key(self, params: Mapping) -> str:
        """File stem of a point's result: sha256 of ``identity(params)``."""
        return hashlib.sha256(json.dumps(self.identity(params), sort_keys=True).encode()).hexdigest()[:24]

    def seed_sequence(self, params: Mapping) -> np.random.SeedSequence:
        """The point's own stream: spawned from the root seed with a key derived from the parameters."""
        digest = hashlib.sha256(json.dumps(_plain(dict(params)), sort_keys=True).encode()).digest()
        return np.random.SeedSequence(self.seed, spawn_key=(int.from_bytes(digest[:8], "little"),))


@dataclass(frozen=True)
class SweepResult:
    """Rows (one per grid point, in grid order: ``{"params":…, "result":…}``), and how many points
    this run computed versus found already on disk; ``folder`` = ``out/<sweep name>``.

    Examples
    --------
    >>> import tempfile
    >>> from sims.runs.sweep import Sweep, run_sweep
    >>> from sims.studies.noise import fourth_norm_curve
    >>> sweep = Sweep(name="demo", point=fourth_norm_curve, grid={"sigma": (0.1, 0.15)},
    ...               fixed={"family": "bipolar", "n": 4, "m": 8, "lr": 0.02, "steps": 20, "instances": 2,
    ...                      "points": 2})
    >>> with tempfile.TemporaryDirectory() as out:
    ...     first = run_sweep(sweep, out)
    ...     again = run_sweep(sweep, out)  # every point found on disk
    >>> (first.computed, first.reused), (again.computed, again.reused), first.folder.name, first.rows == again.rows
    ((2, 0), (0, 2), 'demo', True)
    """

    sweep: Sweep
    rows: list
    computed: int
    reused: int
    folder: Path


def compute_point(point: Callable, params: dict, entropy: int, spawn_key: tuple) -> dict:
    """Run one point with its own generator; a module-level function so workers can unpickle it."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=spawn_key))
    return _plain(dict(point(rng=rng, **params)))


def run_sweep(sweep: Sweep, out, *, workers: int = 1, scheduler=None, progress: bool = False) -> SweepResult:
    """Compute every point of ``sweep`` not already stored under ``out/<sweep.name>/``.

    Parameters
    ----------
    sweep : Sweep
        The grid and its point function.
    out : path-like
        Root folder of the results (``out/<sweep.name>/<key>.json``, created if missing).
    workers : int
        Local worker processes (``concurrent.futures.ProcessPoolExecutor``); 1 runs in-process.
    scheduler : str or dask.distributed.Client, optional
        A dask scheduler address (or a client) to farm points out to; overrides ``workers``.
        Results are gathered and written by this process, so workers need no shared disk.
    progress : bool
        Show a progress bar (tqdm, if installed).

    Returns
    -------
    SweepResult
        Every point's parameters and result (JSON-ready: lists and numbers), in grid order.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sims.runs.sweep import Sweep, run_sweep
    >>> from sims.studies.noise import fourth_norm_curve
    >>> sweep = Sweep(name="demo", point=fourth_norm_curve, grid={"sigma": (0.1, 0.15)},
    ...               fixed={"family": "bipolar", "n": 4, "m": 8, "lr": 0.02, "steps": 20, "instances": 2,
    ...                      "points": 2})
    >>> with tempfile.TemporaryDirectory() as out:
    ...     result = run_sweep(sweep, out, workers=1)
    >>> row = result.rows[1]
    >>> row["params"]["sigma"], row["result"]["steps"], np.round(row["result"]["fourth_norm"], 3).tolist()
    (0.15, [0, 1, 20], [[0.302, 0.25], [0.301, 0.249], [0.321, 0.251]])
    """
    validate.integer("workers", workers, minimum=1)
    folder = Path(out) / sweep.name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.tmp"):  # left by a run killed between write and rename
        stale.unlink()
    points = sweep.points()
    keys = [sweep.key(p) for p in points]
    todo = [i for i, k in enumerate(keys) if not (folder / f"{k}.json").exists()]

    def store(i: int, result: dict) -> None:
        record = dict(sweep.identity(points[i]), result=result,
                      entropy=sweep.seed, spawn_key=list(sweep.seed_sequence(points[i]).spawn_key))
        atomic_text(folder / f"{keys[i]}.json", json.dumps(record, sort_keys=True))

    def task(i: int):
        ss = sweep.seed_sequence(points[i])
        return (compute_point, sweep.point, points[i], ss.entropy, tuple(ss.spawn_key))

    with progress_bar(total=len(todo), desc=sweep.name, disable=not progress) as bar:
        if scheduler is not None:
            _run_dask(scheduler, todo, task, store, bar)
        elif workers == 1 or len(todo) <= 1:
            for i in todo:
                fn, *args = task(i)
                store(i, fn(*args))
                bar.update(1)
        else:
            # spawn, not fork: the parent may already run BLAS and numba threads
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                with worker_threads(workers):  # each worker its share of the cores (they start on submit)
                    futures = {pool.submit(*task(i)): i for i in todo}
                for fut in as_completed(futures):
                    store(futures[fut], fut.result())
                    bar.update(1)

    rows = []
    for p, k in zip(points, keys):
        with open(folder / f"{k}.json") as fh:
            rows.append({"params": p, "result": json.load(fh)["result"]})
    return SweepResult(sweep, rows, len(todo), len(points) - len(todo), folder)


def _run_dask(scheduler, todo, task, store, bar) -> None:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise ValueError("scheduler needs dask.distributed: pip install 'incidental-polysemanticity[distributed]'") from None
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {client.submit(*task(i), pure=False): i for i in todo}
        for fut in dask_completed(futures):
            store(futures[fut], fut.result())
            bar.update(1)
    finally:
        if client is not scheduler:
            client.close()
