"""Running the ledger: importing this module registers every topic's claims (``TOPICS``); ``run_claims`` runs
a selection serially or in worker processes, the longest first, with the numbers of a serial run.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Iterator

from . import (circuits, collision_training, collisions, cooccurrence, derivations, diagnosis, evidence,
               mitigations, model, noise, noise_dynamics, noise_speed, single_feature, synthetic_task,
               task_network)
from ..runs.environment import worker_threads
from .core import CLAIMS, Claim, Outcome, run_claim

__all__ = ["TOPICS", "expected_seconds", "run_claims"]

#: The topic modules, in the order their claims are registered (the report's order).
TOPICS = (circuits, collision_training, collisions, cooccurrence, derivations, diagnosis, evidence, mitigations,
          model, noise, noise_dynamics, noise_speed, single_feature, synthetic_task, task_network)


def _timed_claim(claim_id: str, seed: int) -> tuple[str, Outcome, float]:
    """(id, outcome, wall seconds) of one claim; module-level so worker processes can run it."""
    start = time.perf_counter()
    outcome = run_claim(CLAIMS[claim_id], seed=seed)
    return claim_id, outcome, time.perf_counter() - start


def expected_seconds() -> dict[str, float]:
    """Each claim's wall time in seconds on the reference machine (2 cores), from ``claim_seconds.json``;
    ``run_claims`` starts the longest first. A claim missing from the file counts as 0."""
    path = Path(__file__).with_name("claim_seconds.json")
    return json.loads(path.read_text()) if path.exists() else {}


def run_claims(claims, *, seed: int = 0, workers: int = 1) -> Iterator[tuple[Claim, Outcome, float]]:
    """Run ``claims``, yielding (claim, outcome, wall seconds) as each finishes.

    ``workers`` > 1 runs them in that many worker processes (``concurrent.futures.ProcessPoolExecutor``,
    spawned), the longest first (``expected_seconds``); each claim seeds its own generator from (seed, id)
    (``run_claim``), so the outcomes are those of a serial run, whatever the order or the worker.

    Examples
    --------
    >>> from sims.ledger import CLAIMS
    >>> from sims.ledger.runner import run_claims
    >>> [(c.id, o.status) for c, o, _ in run_claims([CLAIMS["model.init-norm"]], seed=0)]
    [('model.init-norm', 'confirmed')]
    """
    claims = list(claims)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    by_id = {c.id: c for c in claims}
    if workers == 1 or len(claims) <= 1:
        for c in claims:
            _, outcome, seconds = _timed_claim(c.id, seed)
            yield c, outcome, seconds
        return
    cost = expected_seconds()
    order = sorted(claims, key=lambda c: -cost.get(c.id, 0.0))
    # spawn, not fork: the parent may already run BLAS and numba threads
    with ProcessPoolExecutor(max_workers=min(workers, len(claims)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        with worker_threads(workers):  # each worker its share of the cores (the workers start on submit)
            futures = [pool.submit(_timed_claim, c.id, seed) for c in order]
        for future in as_completed(futures):
            claim_id, outcome, seconds = future.result()
            yield by_id[claim_id], outcome, seconds
