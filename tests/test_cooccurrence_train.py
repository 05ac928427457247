"""sims.dynamics.cooccurrence: the frozen-column mechanism, the p → 0 reduction to the one-hot model,
agreement of the two gradient routes, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.dynamics.cooccurrence import Cooccurrence, train_cooccurrence
from sims.dynamics.schedule import Schedule
from sims.dynamics.train import TrainConfig, train
from theory import ModelSpec
from theory.cooccurrence import (expected_loss_exact, expected_loss_pairwise, first_order_loss,
                                 first_order_loss_gradient, loss_minibatch)

from .strategies import central_differences, seeds


def _config(optimizer, steps=200, lr=0.02, instances=3):
    return TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, record=Schedule(every=steps))


@pytest.mark.parametrize("optimizer", ["prox_gd", "gd", "adamw"])
@pytest.mark.parametrize("estimator", ["first-order", "pairwise", "minibatch"])
def test_zero_neuron_column_stays_zero(optimizer, estimator):
    """L_p depends on W only through WWᵀ, so ∂L/∂W_{:,k} = 2(F + Fᵀ)W_{:,k} = 0 for a zero column k: the
    data gradient vanishes there, sign(0) = 0, and no optimiser moves it (AdamW's moments stay 0)."""
    spec = ModelSpec(n=6, m=8, l1=0.05)
    W0 = np.random.default_rng(0).normal(0, 8**-0.5, size=(3, 6, 8))
    W0[:, :, [2, 5]] = 0.0
    lr = 1e-3 if optimizer == "adamw" else 0.02
    res = train_cooccurrence(spec, _config(optimizer, lr=lr), Cooccurrence(p=0.2, estimator=estimator, batch=64),
                             W0=W0, rng=1)
    assert np.all(res.W[:, :, [2, 5]] == 0.0)
    assert np.any(res.W != W0)  # the other columns did move


def test_p_zero_is_the_one_hot_model():
    spec = ModelSpec(n=5, m=7, l1=0.1)
    for optimizer in ("prox_gd", "adamw"):
        a = train_cooccurrence(spec, _config(optimizer), Cooccurrence(p=0.0), rng=4)
        b = train(spec, _config(optimizer), rng=4)
        np.testing.assert_allclose(a.W, b.W, rtol=0, atol=1e-12)


def test_minibatch_gradient_is_unbiased_for_the_pairwise_at_n_two():
    """At n = 2 the pairwise loss is exact, so the mean minibatch gradient must match its gradient:
    4000 batches of 64; per-entry z ≤ 5 (false failure ≤ 8 × 5.7e-7)."""
    from theory.cooccurrence import expected_loss_pairwise_gradient
    W = np.random.default_rng(2).normal(0, 0.7, size=(2, 4))
    rng = np.random.default_rng(3)
    g = np.stack([loss_minibatch(W, 0.3, 64, rng=rng).gradient for _ in range(4000)])
    z = (g.mean(axis=0) - expected_loss_pairwise_gradient(W, 0.3)) / (g.std(axis=0, ddof=1) / np.sqrt(4000) + 1e-300)
    assert np.abs(z).max() <= 5


@pytest.mark.parametrize("estimator", ["first-order", "pairwise"])
def test_deterministic_training_lowers_its_objective(estimator):
    spec = ModelSpec(n=6, m=12, l1=0.01)
    cooc = Cooccurrence(p=0.1, estimator=estimator)
    res = train_cooccurrence(spec, _config("prox_gd", steps=500, lr=0.05), cooc, rng=5)
    assert np.all(res.history["loss"][-1] < res.history["loss"][0])
    objective = first_order_loss if estimator == "first-order" else expected_loss_pairwise
    np.testing.assert_allclose(res.history["loss"][-1], objective(res.W, 0.1, l1=0.01))


@pytest.mark.parametrize("shape", [(2, 3), (5, 4), (2, 6, 5)])
def test_first_order_gradient_matches_central_differences(shape):
    W = np.random.default_rng(len(shape)).normal(0, 0.6, size=shape)
    g = first_order_loss_gradient(W, 0.2, l1=0.1)
    for idx in np.ndindex(shape[:-2]):
        fd = central_differences(lambda V: first_order_loss(V, 0.2, l1=0.1), W[idx], 1e-6)
        np.testing.assert_allclose(g[idx], fd, atol=1e-7)


def test_first_order_objective_keeps_the_self_weight():
    """At a monosemantic W (rows w*e_i) the first-order objective equals the exact L_p at every p (no
    interaction terms), while the truncated pairwise loss falls below it by the missing ≥ 3-feature mass."""
    n, w = 12, 0.9
    W = np.hstack([w * np.eye(n), np.zeros((n, 4))])
    for p in (0.01, 0.1):
        exact = float(expected_loss_exact(W, p))
        assert float(first_order_loss(W, p)) == pytest.approx(exact, rel=1e-12)
        # missing mass: 1 − (1 − p)^{n−2}(1 + (n − 2)p) of the exact loss (0.5% at p = 0.01, 30% at p = 0.1)
        missing = 1 - (1 - p) ** (n - 2) * (1 + (n - 2) * p)
        assert float(expected_loss_pairwise(W, p)) == pytest.approx(exact * (1 - missing), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [(dict(p=-0.1), "p"), (dict(p=1.5), "p"),
                                           (dict(p=0.0, estimator="minibatch"), "p"),
                                           (dict(p=0.1, estimator="exact"), "estimator"),
                                           (dict(p=0.1, batch=1), "batch")])
def test_bad_cooccurrence(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Cooccurrence(**kwargs)


def test_bad_training_arguments():
    from theory import NoiseSpec
    with pytest.raises(ValueError, match="cooc"):
        train_cooccurrence(ModelSpec(n=3, m=4), _config("gd"), 0.1)
    with pytest.raises(ValueError, match="noise"):
        train_cooccurrence(ModelSpec(n=3, m=4, noise=NoiseSpec(family="bipolar", sigma=0.1)), _config("gd"),
                           Cooccurrence(p=0.1))


@given(seed=seeds, n=st.integers(1, 9), instances=st.integers(1, 4))
@settings(max_examples=25)
def test_compiled_pair_sums_equal_the_tensor_route(seed, n, instances):
    """The training gradient's three-body sums Σ_k ReLU(G_ij + G_kj): compiled loop against the n³ tensor."""
    from sims.dynamics.cooccurrence import _compiled_pair_sums
    from theory.cooccurrence import relu_pair_sums

    W = np.random.default_rng(seed).normal(size=(instances, n, n + 2))
    G = W @ np.swapaxes(W, -1, -2)
    np.testing.assert_allclose(_compiled_pair_sums(G), relu_pair_sums(G), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(_compiled_pair_sums(G[0]), relu_pair_sums(G[0]), rtol=1e-13, atol=1e-13)
