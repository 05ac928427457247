"""Registry of figure reproductions run by ``incidental reproduce NAME [--quick] --out DIR``.

Each reproduction computes through a resumable ``Sweep`` (so an interrupted run resumes), then
writes ``DIR/<name>.png`` and ``DIR/<name>.csv`` atomically. ``--quick`` runs a smaller version
that finishes within minutes on 2 cores; the default is the paper's size. ``run_reproductions`` runs several,
one after another or whole figures at once in worker processes, the longest first (``figure_seconds.json``).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import multiprocessing
import pkgutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from theory import validate

from ..runs.environment import worker_threads

__all__ = ["REPRODUCTIONS", "Reproduction", "RunOptions", "expected_seconds", "load_all", "reproduction",
           "run_reproductions"]


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How to run a reproduction: size, root seed, parallelism, progress.

    ``quick``: the smaller grid of ``sims.runs.grids``; ``seed``: the sweep's root seed; ``workers`` /
    ``scheduler``: as ``sims.runs.run_sweep``; ``progress``: show a progress bar.

    Examples
    --------
    >>> from sims.figures.registry import RunOptions
    >>> RunOptions(quick=True, workers=2)
    RunOptions(quick=True, seed=0, workers=2, scheduler=None, progress=False)
    """

    quick: bool = False
    seed: int = 0
    workers: int = 1
    scheduler: str | None = None
    progress: bool = False


@dataclass(frozen=True)
class Reproduction:
    """``run(out, options)`` writes the reproduction's files under ``out`` and returns their paths.

    Examples
    --------
    >>> from sims.figures.registry import load_all
    >>> repro = load_all()["sparsity"]
    >>> repro.name, repro.run.__name__, repro.description.startswith("one feature under L1")
    ('sparsity', 'reproduce_sparsity', True)
    """

    name: str
    description: str
    run: Callable[[Path, RunOptions], list[Path]]


REPRODUCTIONS: dict[str, Reproduction] = {}


def reproduction(name: str, description: str) -> Callable:
    """Decorator registering ``run`` as the reproduction ``name`` (a ValueError if the name is taken).

    Examples
    --------
    >>> from sims.figures.registry import REPRODUCTIONS, RunOptions, reproduction
    >>> @reproduction("demo", "an empty reproduction")
    ... def run_demo(out, options):
    ...     return []
    >>> REPRODUCTIONS["demo"].description, REPRODUCTIONS["demo"].run("out", RunOptions())
    ('an empty reproduction', [])
    >>> reproduction("demo", "again")(run_demo)
    Traceback (most recent call last):
    ...
    ValueError: reproduction 'demo' is registered twice
    >>> del REPRODUCTIONS["demo"]  # leave the registry as it was
    """

    def register(run):
        if name in REPRODUCTIONS:
            raise ValueError(f"reproduction {name!r} is registered twice")
        REPRODUCTIONS[name] = Reproduction(name, description, run)
        return run

    return register


def load_all() -> dict[str, Reproduction]:
    """Import every module that registers a reproduction; return the registry.

    Importing ``sims.figures`` imports only this registry; ``load_all`` imports the figure modules (every
    module of the package but ``registry`` and private ones), which register themselves. No computation.

    Examples
    --------
    >>> from sims.figures.registry import load_all
    >>> sorted(load_all())  # doctest: +NORMALIZE_WHITESPACE
    ['capacity', 'circuits', 'collisions', 'correlations', 'curves', 'diagnosis', 'dictionary', 'digits',
     'digits-facets', 'digits-tradeoff', 'facets', 'mitigations', 'noise', 'noise-counts', 'regimes', 'sparsity',
     'synthetic-task', 'tradeoff']
    """
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name != "registry" and not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")

    return REPRODUCTIONS


def expected_seconds(*, quick: bool) -> dict[str, float]:
    """Each figure's wall time in seconds on the reference machine (2 cores), quick or full size, from
    ``figure_seconds.json``; ``run_reproductions`` starts the longest first. A figure missing from the file
    counts as 0.

    Examples
    --------
    >>> from sims.figures.registry import expected_seconds, load_all
    >>> quick, full = expected_seconds(quick=True), expected_seconds(quick=False)
    >>> set(quick) == set(full) == set(load_all()), all(full[k] >= quick[k] > 0 for k in quick)
    (True, True)
    """
    path = Path(__file__).with_name("figure_seconds.json")
    if not path.exists():
        return {}
    return {k: float(v) for k, v in json.loads(path.read_text())["quick" if quick else "full"].items()}


def _timed_run(repro: Reproduction, out: Path, options: RunOptions) -> tuple[str, list[Path], float]:
    """(name, files written, wall seconds) of one reproduction; module-level so worker processes can run it."""
    start = time.perf_counter()
    files = repro.run(out, options)
    return repro.name, files, time.perf_counter() - start


def run_reproductions(reproductions: Iterable[Reproduction | str], out, options: RunOptions, *,
                      workers: int = 1) -> Iterator[tuple[Reproduction, list[Path], float]]:
    """Run several reproductions, yielding (reproduction, files written, wall seconds) as each finishes.

    Parameters
    ----------
    reproductions : iterable of Reproduction or str
        The figures to run; a name is looked up in ``load_all()``.
    out : path-like
        The folder every reproduction writes its files and sweep results into (it must exist).
    options : RunOptions
        How to run each figure.
    workers : int
        Figures run at once. With ``workers`` > 1, more than one figure and no ``options.scheduler``, whole
        figures run concurrently in ``min(workers, len(reproductions))`` worker processes
        (``concurrent.futures.ProcessPoolExecutor``, spawned), the longest first (``expected_seconds``), each
        with ``options.workers`` = 1 (its sweep runs inside its own process, so the pool is not
        oversubscribed) and no progress bar (concurrent bars would garble the terminal). Otherwise they run
        one after another in this process, in the order given, with ``options`` as given (``options.workers``
        or ``options.scheduler`` then spread each sweep's points).

    Returns
    -------
    iterator of (Reproduction, list of Path, float)
        One tuple per reproduction, in completion order (the order given when they run one after another).

    Raises
    ------
    ValueError
        Here, before anything runs: ``workers`` below 1, or a name that is not a registered reproduction.

    Notes
    -----
    The files and the numbers in them are those of a serial run with the same ``options.seed``: each sweep
    point draws from its own stream, spawned from the root seed with a key derived from the point's
    parameters (``sims.runs.Sweep``), so neither the order, the process nor the worker count changes it, and
    every figure writes files and sweep folders of its own. If a figure raises, the figures not yet started
    are cancelled, the running ones are waited for, and the exception propagates.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sims.figures.registry import Reproduction, RunOptions, run_reproductions
    >>> def note(name):  # a stand-in figure writing name.txt
    ...     def run(out, options):
    ...         path = Path(out, f"{name}.txt")
    ...         path.write_text(name)
    ...         return [path]
    ...     return Reproduction(name, "a demo figure", run)
    >>> with tempfile.TemporaryDirectory() as out:
    ...     done = [(r.name, [f.name for f in files])
    ...             for r, files, seconds in run_reproductions([note("a"), note("b")], out, RunOptions())]
    >>> done
    [('a', ['a.txt']), ('b', ['b.txt'])]
    >>> run_reproductions(["no-such-figure"], "out", RunOptions())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown reproduction 'no-such-figure'; known: ...
    """
    validate.integer("workers", workers, minimum=1)
    chosen = list(reproductions)
    if any(isinstance(item, str) for item in chosen):
        registry = load_all()
        for item in chosen:
            if isinstance(item, str) and item not in registry:
                raise ValueError(f"unknown reproduction {item!r}; known: {', '.join(registry)}")
        chosen = [registry[item] if isinstance(item, str) else item for item in chosen]
    if workers == 1 or len(chosen) <= 1 or options.scheduler is not None:
        return _run_serially(chosen, Path(out), options)
    return _run_concurrently(chosen, Path(out), options, workers)


def _run_serially(chosen: list[Reproduction], out: Path, options: RunOptions):
    for repro in chosen:
        _, files, seconds = _timed_run(repro, out, options)
        yield repro, files, seconds


def _run_concurrently(chosen: list[Reproduction], out: Path, options: RunOptions, workers: int):
    cost = expected_seconds(quick=options.quick)
    order = sorted(chosen, key=lambda r: -cost.get(r.name, 0.0))  # stable: ties keep the order given
    inner = dataclasses.replace(options, workers=1, progress=False)
    # spawn, not fork: the parent may already run BLAS and numba threads
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chosen)), mp_context=multiprocessing.get_context("spawn"))
    try:
        with worker_threads(min(workers, len(chosen))):  # each worker its share of the cores
            futures = {pool.submit(_timed_run, repro, out, inner): repro for repro in order}
        for future in as_completed(futures):
            _, files, seconds = future.result()
            yield futures[future], files, seconds
    finally:
        # after an error, Ctrl-C or an abandoned iterator: start no further figure, wait for the running ones
        pool.shutdown(wait=True, cancel_futures=True)
