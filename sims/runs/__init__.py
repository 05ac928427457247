"""Runs: resumable sweeps over parameter grids (``sweep``: one seed stream per point, atomic results, local
processes or dask), every named grid (``grids``), the files results are written to (``output``), the libraries and CPU the numbers depend on
(``environment``) and the
progress bar (``progress``).
"""

from . import environment as _environment, grids as _grids, output as _output, progress as _progress, sweep as _sweep
from .environment import *  # noqa: F403
from .output import *  # noqa: F403
from .progress import *  # noqa: F403
from .grids import *  # noqa: F403
from .sweep import *  # noqa: F403

__all__ = [*_environment.__all__, *_output.__all__, *_progress.__all__, *_grids.__all__, *_sweep.__all__]
