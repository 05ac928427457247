"""Record schedules: at which optimiser steps a training run measures its state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import validate

__all__ = ["Schedule"]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Record every ``every`` steps, or at ``points`` geometrically spaced steps (give one).

    Step 0 (the initialisation) and the final step are always recorded. Steps are optimiser steps
    (for gradient descent at rate η, step k is gradient-flow time t = kη).

    Examples
    --------
    >>> from sims.dynamics.schedule import Schedule
    >>> Schedule(every=100).steps(250).tolist()
    [0, 100, 200, 250]
    >>> Schedule(points=5).steps(1000).tolist()  # 0, then 4 geometrically spaced steps from 1
    [0, 1, 10, 100, 1000]
    """

    every: int | None = None
    points: int | None = None

    def __post_init__(self):
        if (self.every is None) == (self.points is None):
            raise ValueError(f"give exactly one of every, points; got every={self.every!r}, points={self.points!r}")
        if self.every is not None:
            validate.integer("every", self.every, minimum=1)
        else:
            validate.integer("points", self.points, minimum=2)

    def steps(self, total: int) -> np.ndarray:
        """Sorted unique recorded steps in [0, total], including 0 and ``total``."""
        total = validate.integer("steps", total, minimum=0)
        if self.every is not None:
            s = np.arange(0, total + 1, self.every)
        else:
            s = np.geomspace(1, max(total, 1), self.points - 1).round().astype(np.int64)
        s = np.unique(np.concatenate([[0], s, [total]]).astype(np.int64))
        return s[s <= total]
