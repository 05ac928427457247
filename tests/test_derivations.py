"""Every sympy derivation check passes (python -m derivations runs the same list)."""

import pytest

from derivations import CHECKS


@pytest.mark.parametrize("name", list(CHECKS))
def test_derivation(name):
    passed, detail = CHECKS[name]()
    assert passed, detail
