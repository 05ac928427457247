"""The derivation registry and the two kinds of machine check.

A ``Derivation`` pairs ``derive()`` (named sympy results, shown and typeset) with ``check()``
(a ``Check``): symbolic when a residual simplifies to 0, numeric — equality at ≥ 50 random points
in 30-digit arithmetic — only where sympy cannot simplify, and the ``method`` says which.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import sympy as sp

__all__ = ["Check", "Derivation", "REGISTRY", "derivation", "numeric_check", "symbolic_check"]


@dataclass(frozen=True)
class Check:
    """Outcome of a derivation's machine check."""

    passed: bool
    method: str
    detail: str


@dataclass(frozen=True)
class Derivation:
    """``name`` (dotted, topic first), ``title``, ``source`` (paper section), ``derive`` returning
    {label: sympy expression or Eq}, ``check`` returning a ``Check``, and ``text``: prose for the
    typeset document."""

    name: str
    title: str
    source: str
    derive: Callable[[], Mapping[str, sp.Basic]]
    check: Callable[[], Check]
    text: str = ""


REGISTRY: dict[str, Derivation] = {}


def derivation(*, name: str, title: str, source: str, derive: Callable, text: str = "") -> Callable:
    """Decorator: register the decorated check function under ``name``."""

    def register(check):
        if name in REGISTRY:
            raise ValueError(f"derivation {name!r} is registered twice")
        REGISTRY[name] = Derivation(name, title, source, derive, check, text)
        return check

    return register


def symbolic_check(residuals: Iterable[sp.Expr], *, simplify=sp.simplify) -> Check:
    """Passed when every residual simplifies to exactly 0."""
    residuals = list(residuals)
    nonzero = [r for r in residuals if simplify(r) != 0]
    return Check(not nonzero, "symbolic", f"{len(residuals)} residual(s) simplify to 0"
                 if not nonzero else f"{len(nonzero)} of {len(residuals)} residuals do not simplify to 0")


def numeric_check(lhs: sp.Expr, rhs: sp.Expr, ranges: Mapping[sp.Symbol, tuple[float, float]], *,
                  points: int = 50, digits: int = 30, rel: float = 1e-20, seed: int = 0) -> Check:
    """Passed when |lhs − rhs| ≤ rel·max(1, |lhs|) at ``points`` random points drawn uniformly
    from ``ranges``, evaluated with ``digits`` significant digits. For identities sympy cannot
    simplify (special functions, integrals)."""
    rnd = random.Random(seed)
    worst = 0.0
    for _ in range(points):
        subs = {s: sp.Float(rnd.uniform(lo, hi), digits) for s, (lo, hi) in ranges.items()}
        a = sp.N(lhs.subs(subs), digits)
        b = sp.N(rhs.subs(subs), digits)
        err = abs(a - b) / max(1, abs(a))
        worst = max(worst, float(err))
    return Check(worst <= rel, f"numeric: {points} random points at {digits} digits",
                 f"largest relative difference {worst:.2e} (bound {rel:.0e})")
