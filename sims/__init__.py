"""Numerical experiments on the incidental-polysemanticity model, in layers that import one way:

``measure`` (pure functions of weights) → ``dynamics`` (training, flows, solvers) → ``studies`` (parameters
and rng → arrays) → ``runs`` (resumable sweeps, grids, output files) → ``figures`` (one module per figure)
→ ``ledger`` (the claims, the report) → ``cli``. This namespace re-exports the engines and measurements.

numba's compiled kernels are cached on disk in a per-user folder (``numba_cache_dir``), never in the
source tree or site-packages, so a second process or a second run does not compile them again.
"""

import os as _os
import sys as _sys
from pathlib import Path as _Path


def numba_cache_dir() -> _Path:
    """Where numba caches the package's compiled kernels: ``$NUMBA_CACHE_DIR`` if set, else
    ``$XDG_CACHE_HOME/incidental-polysemanticity/numba`` (``~/.cache/...`` without XDG_CACHE_HOME).

    Examples
    --------
    >>> import os, sims
    >>> str(sims.numba_cache_dir()) == os.environ["NUMBA_CACHE_DIR"]  # set at import unless it was already
    True
    """
    if _os.environ.get("NUMBA_CACHE_DIR"):
        return _Path(_os.environ["NUMBA_CACHE_DIR"])
    base = _os.environ.get("XDG_CACHE_HOME") or _Path.home() / ".cache"
    return _Path(base) / "incidental-polysemanticity" / "numba"


# Before numba is imported (it reads NUMBA_CACHE_DIR once); if it already is, set its config directly.
_os.environ.setdefault("NUMBA_CACHE_DIR", str(numba_cache_dir()))
if "numba" in _sys.modules:
    _sys.modules["numba"].config.CACHE_DIR = _os.environ["NUMBA_CACHE_DIR"]

from . import dynamics as _dynamics, measure as _measure  # noqa: E402
from .dynamics import *  # noqa: E402, F403
from .measure import *  # noqa: E402, F403

__all__ = ["numba_cache_dir", *_dynamics.__all__, *_measure.__all__]
