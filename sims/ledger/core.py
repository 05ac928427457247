"""The claims ledger's machinery: ``Claim``, ``Outcome``, the registry ``CLAIMS`` and the
``claim`` decorator. The claims themselves live in ``sims/claims_*.py`` (one module per topic),
collected by ``sims.ledger``; ``incidental verify``, the pytest quick tier and the report read them.

A claim's ``check(rng)`` runs the independent route (simulation, brute force, another method)
and returns an ``Outcome`` comparing the measurement with the prediction at a stated tolerance.
A claim that the evidence refutes stays here, registered with ``expected="refuted"`` and a
``correction`` that states the law that does hold; its outcome carries the measured discrepancy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["CLAIMS", "Claim", "Outcome", "claim", "claim_stream_key", "run_claim", "select_claims", "verdict", "within"]

STATUSES = ("confirmed", "refuted", "not run")
TIERS = ("quick", "full")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Result of one check: ``measured`` against ``predicted`` under ``tolerance`` (text).

    ``data`` holds the numbers behind the measurement (lists), which the claim's ``plot`` draws.
    """

    status: str
    measured: float
    predicted: float
    tolerance: str
    detail: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One ledger entry.

    ``prediction`` names the theory side, ``evidence`` the independent route, ``test`` the pytest
    node that runs it; ``expected`` is "confirmed" or "refuted" (a paper claim our evidence
    contradicts, with ``correction`` stating the law that holds instead). ``plot(data, ax)``, if
    given, draws the outcome's data on a matplotlib Axes for the report.
    """

    id: str
    statement: str
    source: str
    prediction: str
    evidence: str
    test: str
    tier: str
    check: Callable[[np.random.Generator], Outcome]
    expected: str = "confirmed"
    correction: str = ""
    plot: Callable[[Mapping[str, Any], Any], None] | None = None

    def __post_init__(self):
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if self.expected not in ("confirmed", "refuted"):
            raise ValueError(f"expected must be 'confirmed' or 'refuted', got {self.expected!r}")


CLAIMS: dict[str, Claim] = {}


def claim(**fields) -> Callable:
    """Decorator registering ``check`` under ``fields['id']`` (a Claim's fields, less ``check``)."""

    def register(check):
        if fields["id"] in CLAIMS:
            raise ValueError(f"claim id {fields['id']!r} is registered twice")
        CLAIMS[fields["id"]] = Claim(check=check, **fields)
        return check

    return register


def select_claims(*, tier: str = "full", ids=None) -> list[Claim]:
    """Claims of ``tier`` ("quick" → quick only; "full" → all), optionally restricted to ``ids``."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
    chosen = [c for c in CLAIMS.values() if tier == "full" or c.tier == "quick"]
    if ids is not None:
        unknown = sorted(set(ids) - set(CLAIMS))
        if unknown:
            raise ValueError(f"unknown claim id(s) {unknown}; known: {sorted(CLAIMS)}")
        chosen = [c for c in chosen if c.id in set(ids)]
    return chosen


def claim_stream_key(claim_id: str) -> int:
    """The claim's own random stream: the first 8 bytes of SHA-256(id), as an integer < 2⁶⁴.

    Hashing the whole id gives every claim its own stream (distinct ids, distinct keys), so no two
    claims reuse each other's random draws.

    Examples
    --------
    >>> from sims.ledger.core import claim_stream_key
    >>> claim_stream_key("collisions.argmax-winner") == claim_stream_key("collisions.argmax-loser")
    False
    """
    return int.from_bytes(hashlib.sha256(claim_id.encode()).digest()[:8], "little")


def run_claim(c: Claim, *, seed: int = 0) -> Outcome:
    """Run one claim's check with a generator seeded from (seed, ``claim_stream_key(claim id)``)."""
    return c.check(np.random.default_rng([seed, claim_stream_key(c.id)]))


def verdict(ok: bool, measured: float, predicted: float, tolerance: str, detail: str = "", data=None) -> Outcome:
    """Outcome "confirmed" when ``ok``, else "refuted", with the numbers and the test stated."""
    return Outcome(status="confirmed" if ok else "refuted", measured=measured, predicted=predicted,
                   tolerance=tolerance, detail=detail, data=data or {})


def within(measured: float, predicted: float, atol: float, detail: str = "", data=None) -> Outcome:
    """Outcome "confirmed" when |measured − predicted| ≤ atol, else "refuted"."""
    return verdict(abs(measured - predicted) <= atol, measured, predicted,
                   f"|measured − predicted| ≤ {atol:g}", detail, data)
