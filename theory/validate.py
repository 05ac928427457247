"""Argument checks shared by the configuration dataclasses (private)."""

from __future__ import annotations

import math
import numbers


def integer(name: str, value, *, minimum: int) -> int:
    """Return ``value`` if it is an integer ``>= minimum``; raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def real(name: str, value, *, minimum: float = -math.inf, maximum: float = math.inf,
         strict_min: bool = False, strict_max: bool = False) -> float:
    """Return ``value`` as a float if it is finite and inside the stated interval.

    The error message names the parameter, the value and the allowed range.
    """
    lo = "(" if strict_min else "["
    hi = ")" if strict_max or maximum == math.inf else "]"
    allowed = f"{lo}{minimum:g}, {maximum:g}{hi}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number in {allowed}, got {value!r}")
    x = float(value)
    ok = math.isfinite(x)
    ok = ok and (x > minimum if strict_min else x >= minimum)
    ok = ok and (x < maximum if strict_max else x <= maximum)
    if not ok:
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value!r}")
    return x


def choice(name: str, value, allowed) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def generator(rng):
    """A ``numpy.random.Generator`` from ``rng``: a Generator (returned as is), a ``SeedSequence``, an
    integer seed ≥ 0 or None (fresh entropy), as SPEC 7 asks of every ``rng=`` argument.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.validate import generator
    >>> g = np.random.default_rng(0)
    >>> generator(g) is g, float(generator(1).random()) == float(np.random.default_rng(1).random())
    (True, True)
    """
    import numpy as np

    if rng is None or isinstance(rng, (np.random.Generator, np.random.SeedSequence)) or (
            isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, SeedSequence, integer seed >= 0 or None, got {rng!r}")


def times(name: str, t):
    """Return ``t`` as a 1-D float64 array if it is a non-empty, strictly increasing sequence of
    finite times ≥ 0 (a scalar counts as one time); raise ``ValueError`` naming ``name`` otherwise.
    The one check of every ODE solver's time grid (``t_eval``, ``tau``).

    Examples
    --------
    >>> from theory.validate import times
    >>> times("t_eval", [0.0, 0.5, 2.0]).tolist(), times("t_eval", 3).tolist()
    ([0.0, 0.5, 2.0], [3.0])
    >>> times("tau", [1.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: tau must be a non-empty strictly increasing sequence of finite times >= 0, got [1.0, 1.0]
    """
    import reprlib

    import numpy as np

    try:
        arr = np.atleast_1d(np.asarray(t, dtype=np.float64))
    except (TypeError, ValueError):
        arr = None
    if (arr is None or arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or arr[0] < 0
            or np.any(np.diff(arr) <= 0)):
        raise ValueError(f"{name} must be a non-empty strictly increasing sequence of finite times >= 0, "
                         f"got {reprlib.repr(t)}")
    return arr


def adam_settings(betas, eps) -> tuple[tuple[float, float], float]:
    """Return Adam's ``betas`` = (β₁, β₂), each in [0, 1), and ``eps`` > 0; raise ``ValueError`` naming the
    offending setting. The one check of every Adam or AdamW configuration.

    Examples
    --------
    >>> from theory.validate import adam_settings
    >>> adam_settings((0.9, 0.999), 1e-8)
    ((0.9, 0.999), 1e-08)
    >>> adam_settings((0.9, 1.0), 1e-8)
    Traceback (most recent call last):
    ...
    ValueError: betas[1] must be a finite number in [0, 1), got 1.0
    """
    if not (isinstance(betas, tuple) and len(betas) == 2):
        raise ValueError(f"betas must be a tuple (beta1, beta2), got {betas!r}")
    b = tuple(real(f"betas[{i}]", v, minimum=0.0, maximum=1.0, strict_max=True) for i, v in enumerate(betas))
    return b, real("eps", eps, minimum=0.0, strict_min=True)
