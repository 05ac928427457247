"""Numerical experiments on the incidental-polysemanticity model, in layers that import one way:

``measure`` (pure functions of weights) → ``dynamics`` (training, flows, solvers) → ``studies`` (parameters
and rng → arrays) → ``runs`` (resumable sweeps, grids, output files) → ``figures`` (one module per figure)
→ ``ledger`` (the claims, the report) → ``cli``. This namespace re-exports the engines and measurements.
"""

from . import dynamics as _dynamics, measure as _measure
from .dynamics import *  # noqa: F403
from .measure import *  # noqa: F403

__all__ = [*_dynamics.__all__, *_measure.__all__]
