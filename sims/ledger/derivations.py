"""Ledger claims for the symbolic derivations: one claim per entry of ``derivations.REGISTRY``.

The prediction is the equation ``theory`` implements; the evidence is the derivation's machine
check (a residual that simplifies to 0, or high-precision equality at random points). The
lambdify comparison with the numpy code lives in the tests named in ``tests/test_derivations.py``.
"""

from __future__ import annotations

from derivations import REGISTRY, Derivation

from .core import Outcome, claim


def _checker(d: Derivation):
    def check(rng) -> Outcome:  # deterministic: the rng is not needed
        c = d.check()
        return Outcome(status="confirmed" if c.passed else "refuted", measured=0.0 if c.passed else 1.0,
                       predicted=0.0, tolerance=c.method, detail=c.detail)

    return check


for _d in REGISTRY.values():
    claim(id=f"derive.{_d.name}", statement=_d.title, source=_d.source,
          prediction="the equation as implemented in theory/", evidence=f"sympy derivation {_d.name}",
          test=f"tests/test_claims.py::test_quick_claim[derive.{_d.name}]", tier="quick")(_checker(_d))
