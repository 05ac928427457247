"""Registry of figure reproductions run by ``incidental reproduce NAME [--quick] --out DIR``.

Each reproduction computes through a resumable ``Sweep`` (so an interrupted run resumes), then
writes ``DIR/<name>.png`` and ``DIR/<name>.csv`` atomically. ``--quick`` runs a smaller version
that finishes within minutes on 2 cores; the default is the paper's size.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["REPRODUCTIONS", "Reproduction", "RunOptions", "load_all", "reproduction"]


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
    ['capacity', 'collisions', 'correlations', 'curves', 'diagnosis', 'mitigations', 'noise', 'noise-counts',
     'regimes', 'sparsity', 'tradeoff']
    """
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name != "registry" and not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")

    return REPRODUCTIONS
