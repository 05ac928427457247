"""sympy derivations that re-derive and check each equation ``theory`` uses.

Run all checks with ``python -m derivations``; each entry of ``CHECKS`` returns (passed, detail).
"""

from __future__ import annotations

import sympy as sp

from . import loss

__all__ = ["CHECKS", "loss", "run_all"]


def _all_zero(exprs) -> tuple[bool, str]:
    bad = [e for e in exprs if sp.simplify(e) != 0]
    return not bad, f"{len(exprs)} residuals, {len(bad)} nonzero"


CHECKS = {
    "loss: network = row form (paper §2.1), n=3, m=3": lambda: _all_zero([loss.derive_row_form_residual(3, 3)]),
    "gradient: every ReLU sign region (paper §2.2), n=3, m=2": lambda: _all_zero(loss.derive_gradient_residuals(3, 2)),
}


def run_all(*, verbose: bool = True) -> bool:
    """Run every check; print one line each; return True if all pass."""
    ok = True
    for name, check in CHECKS.items():
        passed, detail = check()
        ok &= passed
        if verbose:
            print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail}", flush=True)
    return ok
