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
