"""The gradient-flow integrator. (GD → flow with order 1 is the ledger claim train.gd-flow-order.)"""

import numpy as np
import pytest

from sims import integrate_gradient_flow
from theory import ModelSpec, loss

SPEC = ModelSpec(n=4, m=6)


def test_flow_starts_at_w0_and_lowers_the_loss():
    W0 = np.random.default_rng(2).normal(0, SPEC.init_std, SPEC.shape)
    spec = ModelSpec(n=4, m=6, l1=1e-3)
    sol = integrate_gradient_flow(spec, W0, np.linspace(0, 2, 9))
    np.testing.assert_array_equal(sol.W[0], W0)
    assert np.all(np.diff(loss(sol.W, l1=spec.l1)) < 0)  # L is a Lyapunov function of its own flow


def test_flow_validation():
    W0 = np.zeros(SPEC.shape)
    with pytest.raises(ValueError, match="t_eval"):
        integrate_gradient_flow(SPEC, W0, [1.0, 0.5])
    with pytest.raises(ValueError, match="W0 must have shape"):
        integrate_gradient_flow(SPEC, np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="rtol"):
        integrate_gradient_flow(SPEC, W0, [1.0], rtol=0)
