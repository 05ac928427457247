"""The pytest quick tier of the claims ledger: every quick claim runs here and must match its
expected status (confirmed, or refuted with the discrepancy recorded in the ledger)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sims.ledger import (
    CLAIMS,
    Claim,
    Outcome,
    expected_seconds,
    run_claim,
    select_claims,
)
from sims.ledger.core import claim_stream_key
from sims.runs.environment import numerical_environment

#: A quick claim that took longer than this on the reference machine (``sims/ledger/claim_seconds.json``)
#: runs in the slow tier here; ``incidental verify --quick`` runs every quick claim either way.
SLOW_CLAIM_SECONDS = 3.0
QUICK = [pytest.param(c.id, marks=pytest.mark.slow) if expected_seconds().get(c.id, 0.0) > SLOW_CLAIM_SECONDS
         else c.id for c in select_claims(tier="quick")]

#: Every quick claim's measured and predicted values at seed 0 (each claim on its own stream,
#: ``claim_stream_key``); a refactoring must leave them unchanged. A deliberate change of a claim's size or
#: method re-records them: ``incidental verify --quick --out DIR`` then
#: ``python tests/data/record_quick_claims.py DIR/claims.json``.
_RECORD = json.loads((Path(__file__).parent / "data" / "quick_claims_record.json").read_text())
RECORDED = _RECORD["claims"]

#: The record pins the numbers of the numerical environment it was made in (library versions and CPU,
#: ``numerical_environment``), to 1e-12 relative (the rounding of numba's threaded reductions). In another
#: environment only the statuses are compared: BLAS kernels and numba's vector code round differently on
#: another CPU or release, and training or an adaptive solver turns a last-place difference into any other
#: number (between two x86-64 machines the reduced solver's error moved from 0.44 to 0.24 of its tolerance,
#: the dictionary's MCC by 1.3e-5), while every status stayed.
SAME_ENVIRONMENT = _RECORD.get("environment") == numerical_environment()


def _same(a: float, b: float) -> bool:
    """Equal, both NaN, or within 1e-12 relative."""
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@pytest.mark.parametrize("claim_id", QUICK)
def test_quick_claim(claim_id):
    c = CLAIMS[claim_id]
    outcome = run_claim(c)
    assert outcome.status == c.expected, (
        f"{claim_id}: measured {outcome.measured:.6g}, predicted {outcome.predicted:.6g}, "
        f"{outcome.tolerance}; {outcome.detail}")
    if SAME_ENVIRONMENT and claim_id in RECORDED:
        before = RECORDED[claim_id]
        assert _same(outcome.measured, before["measured"]) and _same(outcome.predicted, before["predicted"]), (
            f"{claim_id}: measured {outcome.measured!r} (before {before['measured']!r}), "
            f"predicted {outcome.predicted!r} (before {before['predicted']!r})")


def test_every_claim_names_its_test_and_routes():
    for c in CLAIMS.values():
        assert c.statement and c.prediction and c.evidence and c.source
        if c.tier == "quick":
            assert c.test == f"tests/test_claims.py::test_quick_claim[{c.id}]"
        if c.expected == "refuted":
            assert c.correction, f"{c.id}: a refuted claim must state the corrected law"


def test_ledger_validation():
    with pytest.raises(ValueError, match="unknown claim"):
        select_claims(ids=["no-such-claim"])
    with pytest.raises(ValueError, match="tier"):
        select_claims(tier="medium")
    with pytest.raises(ValueError, match="status"):
        Outcome(status="maybe", measured=0, predicted=0, tolerance="")
    with pytest.raises(ValueError, match="tier"):
        Claim(id="x", statement="s", source="s", prediction="p", evidence="e", test="t", tier="t",
              check=lambda rng: None)


def test_runs_are_reproducible():
    c = CLAIMS["model.init-norm"]
    assert run_claim(c, seed=3) == run_claim(c, seed=3)
    assert run_claim(c, seed=3).measured != run_claim(c, seed=4).measured


def test_every_claim_has_its_own_random_stream():
    """Claims are independent evidence: no two claims may share a random stream (an id's prefix is not enough)."""
    assert len({claim_stream_key(claim_id) for claim_id in CLAIMS}) == len(CLAIMS)


def test_paired_decrease_without_spread_is_exact_not_zero():
    """A decrease equal in every instance is known exactly (z = ±inf), not read as "no change" (z = 0)."""
    from sims.ledger.mitigations import _z

    assert _z([2.0, 3.0, 4.0], [1.0, 2.0, 3.0]) == math.inf
    assert _z([1.0, 2.0], [2.0, 3.0]) == -math.inf
    assert _z([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert math.isclose(_z([2.0, 3.0, 5.0], [1.0, 2.0, 3.0]), 4 / 3 / (np.std([1, 1, 2], ddof=1) / np.sqrt(3)))
