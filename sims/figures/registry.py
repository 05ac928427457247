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

__all__ = ["REPRODUCTIONS", "Reproduction", "RunOptions", "reproduction"]


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How to run a reproduction: size, root seed, parallelism, progress."""

    quick: bool = False
    seed: int = 0
    workers: int = 1
    scheduler: str | None = None
    progress: bool = False


@dataclass(frozen=True)
class Reproduction:
    """``run(out, options)`` writes the reproduction's files under ``out`` and returns their paths."""

    name: str
    description: str
    run: Callable[[Path, RunOptions], list[Path]]


REPRODUCTIONS: dict[str, Reproduction] = {}


def reproduction(name: str, description: str) -> Callable:
    """Decorator registering ``run`` as the reproduction ``name``."""

    def register(run):
        if name in REPRODUCTIONS:
            raise ValueError(f"reproduction {name!r} is registered twice")
        REPRODUCTIONS[name] = Reproduction(name, description, run)
        return run

    return register


def load_all() -> dict[str, Reproduction]:
    """Import every module that registers a reproduction; return the registry."""
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name != "registry" and not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")

    return REPRODUCTIONS
