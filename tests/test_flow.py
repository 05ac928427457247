"""The gradient-flow integrator. (GD → flow with order 1 is the ledger claim train.gd-flow-order.)"""

import numpy as np
import pytest

from sims import solve_gradient_flow
from theory import ModelSpec, loss

SPEC = ModelSpec(n=4, m=6)


def test_flow_starts_at_w0_and_lowers_the_loss():
    W0 = np.random.default_rng(2).normal(0, SPEC.init_std, SPEC.shape)
    spec = ModelSpec(n=4, m=6, l1=1e-3)
    sol = solve_gradient_flow(spec, W0, np.linspace(0, 2, 9))
    np.testing.assert_array_equal(sol.y[0], W0)
    assert np.all(np.diff(loss(sol.y, l1=spec.l1)) < 0)  # L is a Lyapunov function of its own flow
    assert sol.success and sol.nfev > 0 and sol.sol is None and sol.spec is spec


def test_flow_dense_output_matches_the_grid():
    W0 = np.random.default_rng(3).normal(0, SPEC.init_std, SPEC.shape)
    t = np.linspace(0, 1, 5)
    plain = solve_gradient_flow(SPEC, W0, t)
    dense = solve_gradient_flow(SPEC, W0, t, dense_output=True)
    np.testing.assert_array_equal(dense.y, plain.y)  # same steps, same values at t_eval
    np.testing.assert_allclose(dense.sol(t), dense.y, rtol=1e-12, atol=1e-15)
    assert dense.sol(0.3).shape == SPEC.shape


def test_flow_validation():
    W0 = np.zeros(SPEC.shape)
    with pytest.raises(ValueError, match="t_eval"):
        solve_gradient_flow(SPEC, W0, [1.0, 0.5])
    with pytest.raises(ValueError, match="W0 must have shape"):
        solve_gradient_flow(SPEC, np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="rtol"):
        solve_gradient_flow(SPEC, W0, [1.0], rtol=0)
