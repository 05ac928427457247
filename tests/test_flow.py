"""Gradient descent converges to the gradient flow (solve_ivp) with order 1 in the step size."""

import numpy as np
import pytest

from sims import Schedule, TrainConfig, integrate_gradient_flow, train
from theory import ModelSpec, loss

SPEC = ModelSpec(n=4, m=6)  # λ = 0: the flow is C¹, so GD's global error is O(η)
T = 0.6


def gd_at(W0, lr):
    steps = round(T / lr)
    cfg = TrainConfig(optimizer="gd", lr=lr, steps=steps, instances=1, record=Schedule(every=steps))
    return train(SPEC, cfg, W0=W0[None]).W[0]


def test_gd_converges_to_flow_with_order_one():
    W0 = np.random.default_rng(11).normal(0, SPEC.init_std * 1.5, SPEC.shape)
    flow = integrate_gradient_flow(SPEC, W0, [T], rtol=1e-12, atol=1e-14).W[-1]
    lrs = T / np.array([40, 80, 160, 320, 640])
    errors = np.array([np.abs(gd_at(W0, lr) - flow).max() for lr in lrs])
    order, _ = np.polyfit(np.log(lrs), np.log(errors), 1)
    # The solver error (~1e-11) is far below the smallest GD error, so the fit sees GD alone.
    assert errors.min() > 1e3 * 1e-11
    assert order == pytest.approx(1.0, abs=0.05), (order, errors)


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
