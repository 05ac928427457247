"""Summary statistics of per-instance measurements: the mean and its standard error."""

from __future__ import annotations

import numpy as np

__all__ = ["mean_se"]


def mean_se(values) -> tuple[float, float]:
    """(x̄, s/√k): the mean of k values and its standard error, s the sample standard deviation (ddof = 1).

    The standard error is NaN for a single value. Units are those of ``values``.

    Examples
    --------
    >>> from sims.measure.statistics import mean_se
    >>> mean_se([1.0, 2.0, 3.0, 4.0])
    (2.5, 0.6454972243679028)
    >>> mean_se([5.0])
    (5.0, nan)
    """
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
