"""Summary statistics of per-instance measurements (the mean and its standard error) and the power of
the z tests the ledger uses (how many instances a claim needs)."""

from __future__ import annotations

import numpy as np

__all__ = ["instances_for_power", "mean_se", "z_test_power"]


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


def z_test_power(shift: float, threshold: float, *, sided: str = "two") -> float:
    """P(the test rejects) = Φ(δ − c) + Φ(−δ − c) (two-sided) or Φ(δ − c) (one-sided, "greater").

    The test rejects when its normal statistic z exceeds ``threshold`` c (|z| > c two-sided); ``shift``
    δ is the true mean of z (the effect in standard errors). δ = 0 gives the false-rejection rate.
    Dimensionless.

    Examples
    --------
    >>> from sims.measure.statistics import z_test_power
    >>> round(z_test_power(0.0, 3.0), 4)  # false rejection of |z| > 3
    0.0027
    >>> round(z_test_power(3.0 + 1.6449, 3.0, sided="greater"), 3)  # δ = c + z₀.₉₅: power 0.95
    0.95
    """
    from scipy.stats import norm

    if sided not in ("two", "greater"):
        raise ValueError(f"sided must be 'two' or 'greater', got {sided!r}")
    power = norm.sf(threshold - shift)
    return float(power + (norm.cdf(-threshold - shift) if sided == "two" else 0.0))


def instances_for_power(effect: float, sd: float, threshold: float, *, power: float = 0.95,
                        sided: str = "two") -> int:
    """Smallest k with ``z_test_power(effect·√k/sd, threshold) ≥ power``: k ≈ ((c + z_power)·sd/effect)².

    ``effect`` is the difference between the null and the alternative the test must tell apart, ``sd``
    the per-instance standard deviation (same units as ``effect``), ``threshold`` the test's z cut-off c.
    The false-pass probability of a claim confirmed by "no rejection" is then 1 − ``power`` at that
    alternative.

    Examples
    --------
    >>> from sims.measure.statistics import instances_for_power
    >>> instances_for_power(0.2, 1.0, 3.0)  # ((3 + 1.645)/0.2)² ≈ 539.6
    540
    """
    if not (effect != 0 and sd > 0 and threshold > 0 and 0 < power < 1):
        raise ValueError("effect must be non-zero, sd and threshold positive and power in (0, 1), got "
                         f"effect={effect!r}, sd={sd!r}, threshold={threshold!r}, power={power!r}")
    from scipy.stats import norm

    def enough(k: int) -> bool:
        return z_test_power(abs(effect) * np.sqrt(k) / sd, threshold, sided=sided) >= power

    k = max(1, int(np.ceil(((threshold + norm.ppf(power)) * sd / abs(effect)) ** 2)))
    while k > 1 and enough(k - 1):
        k -= 1
    while not enough(k):
        k += 1
    return k
