"""Training: optimiser updates against direct transcriptions, torch, reproducibility, divergence."""

import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims import DivergenceError, Schedule, TrainConfig, initial_weights, train
from theory import ModelSpec, NoiseSpec, data_gradient, loss_gradient

from .strategies import instances, seeds, small_m, small_n

SPEC = ModelSpec(n=5, m=8, l1=0.01)


def run(spec, steps, optimizer="adamw", lr=1e-3, dtype="float64", instances=2, W0=None, rng=0, **kw):
    cfg = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=instances, dtype=dtype,
                      record=Schedule(every=max(steps, 1)), **kw)
    return train(spec, cfg, W0=W0, rng=rng)


def test_gd_and_prox_equal_direct_transcriptions():
    res = run(SPEC, 200, optimizer="gd", lr=0.05)
    W = res.W0.copy()
    for _ in range(200):
        W = W - 0.05 * loss_gradient(W, l1=SPEC.l1)
    np.testing.assert_allclose(res.W, W, rtol=1e-12, atol=1e-14)

    spec = ModelSpec(n=5, m=8, l1=0.2)
    res = run(spec, 200, optimizer="prox_gd", lr=0.05)
    W = res.W0.copy()
    for _ in range(200):
        U = W - 0.05 * data_gradient(W)
        W = np.sign(U) * np.maximum(np.abs(U) - 0.05 * 0.2, 0)
    np.testing.assert_allclose(res.W, W, rtol=1e-12, atol=1e-14)
    assert np.count_nonzero(res.W == 0) > 0, "proximal steps must produce exact zeros"


def test_sgd_with_noise_equals_transcription_with_the_same_draws():
    spec = ModelSpec(n=4, m=6, noise=NoiseSpec(family="bipolar", sigma=0.15))
    res = run(spec, 50, optimizer="gd", lr=0.02, rng=7)
    rng = np.random.default_rng(np.random.SeedSequence(7))
    W = initial_weights(spec, 2, rng=rng)
    np.testing.assert_array_equal(W, res.W0)
    for _ in range(50):
        xi = spec.noise.sample(spec.m, rng=rng)
        W = W - 0.02 * loss_gradient(W, xi=xi)
    np.testing.assert_allclose(res.W, W, rtol=1e-12, atol=1e-14)




@pytest.mark.torch
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 2e-4)])
def test_adamw_equals_torch(dtype, rtol):
    torch = pytest.importorskip("torch")
    steps = 200
    res = run(SPEC, steps, dtype=dtype, instances=3)
    Wt = torch.nn.Parameter(torch.tensor(res.W0))
    opt = torch.optim.AdamW([Wt], lr=1e-3)
    x = torch.eye(SPEC.n, dtype=Wt.dtype).expand(3, SPEC.n, SPEC.n)
    for _ in range(steps):
        opt.zero_grad()
        hidden = torch.einsum("ibf,ifh->ibh", x, Wt)
        out = torch.relu(torch.einsum("ibh,ifh->ibf", hidden, Wt))
        lossv = torch.nn.functional.mse_loss(out, x, reduction="sum") + SPEC.l1 * torch.norm(Wt, p=1)
        lossv.backward()
        opt.step()
    # float64: rounding only; float32: ~1e-7 relative rounding per step, amplified by the
    # normalised Adam step, accumulated over 200 steps.
    np.testing.assert_allclose(res.W, Wt.detach().numpy(), rtol=rtol, atol=rtol * 1e-1)


@given(seed=seeds, dtype=st.sampled_from(["float32", "float64"]),
       optimizer=st.sampled_from(["gd", "prox_gd", "adamw"]))
@settings(max_examples=6)
def test_same_seed_is_bit_identical(seed, dtype, optimizer):
    spec = ModelSpec(n=6, m=9, l1=0.01, noise=NoiseSpec(family="uniform", sigma=0.1))
    a = run(spec, 30, optimizer=optimizer, lr=0.01, dtype=dtype, rng=seed)
    b = run(spec, 30, optimizer=optimizer, lr=0.01, dtype=dtype, rng=seed)
    assert a.W.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a.W, b.W)
    for key in a.history:
        np.testing.assert_array_equal(a.history[key], b.history[key])
    c = run(spec, 30, optimizer=optimizer, lr=0.01, dtype=dtype, rng=seed + 1)
    assert not np.array_equal(a.W, c.W)


def test_initialisation_variance_and_instance_streams():
    spec = ModelSpec(n=64, m=128)
    W = initial_weights(spec, 4, rng=np.random.default_rng(np.random.SeedSequence(3)))
    one = initial_weights(spec, 1, rng=np.random.default_rng(np.random.SeedSequence(3)))
    np.testing.assert_array_equal(W[0], one[0])  # instance streams do not depend on the count
    # E‖W_i‖² = 1: mean of 256 rows, each of variance 2/m → SE = sqrt(2/128/256); z = 5 (p ≈ 6e-7)
    sq = (W**2).sum(axis=-1)
    assert abs(sq.mean() - 1) < 5 * math.sqrt(2 / 128 / sq.size)


def test_divergence_raises_with_step():
    W0 = np.full((1, 3, 4), 2.0)
    with pytest.raises(DivergenceError, match=r"at step \d+ .*lower lr") as err:
        run(ModelSpec(n=3, m=4), 100, optimizer="gd", lr=10.0, instances=1, W0=W0)
    assert 1 <= err.value.step <= 100


def test_w0_validation_and_promotion():
    with pytest.raises(ValueError, match="W0 must have shape"):
        run(SPEC, 1, W0=np.zeros((3, 5, 8)))
    with pytest.raises(ValueError, match="W0 must be finite"):
        run(SPEC, 1, instances=1, W0=np.full((5, 8), np.nan))
    res = run(SPEC, 0, instances=1, W0=np.ones((5, 8)))
    assert res.W.shape == (1, 5, 8) and res.steps.tolist() == [0]


def test_rng_validation():
    with pytest.raises(ValueError, match="rng"):
        run(SPEC, 1, rng="seed")
    with pytest.raises(ValueError, match="rng"):
        run(SPEC, 1, rng=-1)


def test_history_and_kept_weights_follow_the_schedule():
    cfg = TrainConfig(optimizer="gd", lr=0.05, steps=40, instances=3, record=Schedule(every=10), keep_weights=True)
    res = train(SPEC, cfg, rng=1)
    assert res.steps.tolist() == [0, 10, 20, 30, 40]
    assert res.weights.shape == (5, 3, 5, 8)
    np.testing.assert_array_equal(res.weights[0], res.W0)
    np.testing.assert_array_equal(res.weights[-1], res.W)
    assert set(res.history) == {"loss", "fourth_norm", "l1_norm", "polysemantic"}
    assert res.history["loss"].shape == (5, 3)
    assert np.all(np.diff(res.history["loss"], axis=0) < 0), "GD at a small step must lower the loss"
    assert res.seed == 1


@pytest.mark.parametrize("optimizer", ["gd", "prox_gd", "adamw"])
@pytest.mark.parametrize("noisy", [False, True])
def test_per_instance_path_equals_batched_path(optimizer, noisy, monkeypatch):
    """The threaded per-instance step (fused kernels, single-threaded BLAS) and the batched step
    (theory.data_gradient, one parallel kernel pass) are two routes to the same update."""
    import importlib

    module = importlib.import_module("sims.dynamics.train")
    if numba.get_num_threads() < 2:  # e.g. a pytest-xdist worker holding one core's share (tests/conftest.py)
        pytest.skip("the per-instance path runs only with >= 2 numba threads")
    monkeypatch.setattr(module, "FUSED_MAX_SIZE", 0)  # batched through BLAS (the fused kernel: tests below)
    spec = ModelSpec(n=12, m=20, l1=0.05, noise=NoiseSpec(family="laplace", sigma=0.1) if noisy else None)
    results = []
    for threshold in (0, 2**62):  # 0: every run per instance; huge: every run batched
        monkeypatch.setattr(module, "PER_INSTANCE_MIN_SIZE", threshold)
        assert module._use_per_instance(np.zeros((3, 12, 20))) == (threshold == 0)
        results.append(run(spec, 150, optimizer=optimizer, lr=0.02, instances=3, rng=5))
    a, b = results
    np.testing.assert_allclose(a.W, b.W, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(a.history["loss"], b.history["loss"], rtol=1e-11)
    again = run(spec, 150, optimizer=optimizer, lr=0.02, instances=3, rng=5)  # still batched here
    np.testing.assert_array_equal(again.W, b.W)
    monkeypatch.setattr(module, "PER_INSTANCE_MIN_SIZE", 0)
    np.testing.assert_array_equal(run(spec, 150, optimizer=optimizer, lr=0.02, instances=3, rng=5).W, a.W)


def test_divergence_on_the_per_instance_path(monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("sims.dynamics.train"), "PER_INSTANCE_MIN_SIZE", 0)
    with pytest.raises(DivergenceError, match=r"at step \d+"):
        run(ModelSpec(n=3, m=4), 100, optimizer="gd", lr=10.0, instances=2, W0=np.full((2, 3, 4), 2.0))


@given(seed=seeds, dead=st.lists(st.integers(0, 9), min_size=1, max_size=5))
@settings(max_examples=20)
def test_an_all_zero_column_has_zero_gradient(seed, dead):
    """The fact behind training on live columns only: (∂L_data/∂W)_ik = Σ_j S_ij W_jk = 0 when
    column k of W is zero (no noise), so (proximal) GD leaves the column at 0."""
    W = np.random.default_rng(seed).normal(0, 0.3, size=(2, 6, 10))
    W[:, :, dead] = 0.0
    assert np.all(data_gradient(W)[:, :, dead] == 0.0)
    assert np.all(loss_gradient(W, l1=0.1)[:, :, dead] == 0.0)


@pytest.mark.parametrize("optimizer,per_instance", [("prox_gd", False), ("prox_gd", True), ("gd", False)])
def test_training_on_live_columns_changes_no_number(optimizer, per_instance, monkeypatch):
    """Prox-GD kills most columns early (n live of m); the steps then run on the live columns only.
    Same weights and history as training at full width, and the same as a direct transcription."""
    import importlib

    module = importlib.import_module("sims.dynamics.train")
    monkeypatch.setattr(module, "PER_INSTANCE_MIN_SIZE", 0 if per_instance else 2**62)
    compacted = []
    live_columns = module._live_columns

    def spy(*args):
        out = live_columns(*args)
        compacted.append(out is not None)
        return out

    monkeypatch.setattr(module, "_live_columns", spy)
    spec = ModelSpec(n=6, m=40, l1=0.3)
    lr, steps = 0.05, 1300
    config = TrainConfig(optimizer=optimizer, lr=lr, steps=steps, instances=3, record=Schedule(every=300))
    narrow = train(spec, config, rng=3)
    if optimizer == "prox_gd":
        assert any(compacted), "prox-GD at λt = 19.5 must leave few live columns"
        assert np.all(np.count_nonzero(np.abs(narrow.W).max(axis=1), axis=1) <= 0.75 * spec.m)
    monkeypatch.setattr(module, "COMPACT_FRACTION", 0.0)
    full = train(spec, config, rng=3)
    np.testing.assert_array_equal(narrow.W, full.W)
    for key in full.history:
        np.testing.assert_array_equal(narrow.history[key], full.history[key])
    if optimizer == "prox_gd":
        W = narrow.W0.copy()
        for _ in range(steps):
            U = W - lr * data_gradient(W)
            W = np.sign(U) * np.maximum(np.abs(U) - lr * spec.l1, 0)
        np.testing.assert_allclose(narrow.W, W, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------------------------
# The fused small-model step (sims.dynamics._kernels.fused_*_steps) against the numpy/BLAS step


NOISES = [NoiseSpec(family="gaussian", sigma=0.2), NoiseSpec(family="bipolar", sigma=0.2),
          NoiseSpec(family="uniform", sigma=0.2), NoiseSpec(family="laplace", sigma=0.2),
          NoiseSpec(family="three-point", sigma=0.2, kurtosis=1.0), NoiseSpec(family="three-point", sigma=0.2,
                                                                            kurtosis=-2.0)]


@pytest.mark.parametrize("noise", NOISES, ids=lambda s: f"{s.family}{'' if s.kurtosis is None else s.kurtosis}")
def test_one_noise_call_per_stretch_draws_the_per_step_numbers(noise):
    """train draws a stretch's noise in one call where that gives the per-step calls' numbers exactly
    (every family but bipolar, whose per-call byte buffer makes it so only when 4 divides m)."""
    import importlib

    noise_draws = importlib.import_module("sims.dynamics.train")._noise_draws
    for m in [*range(1, 10), 16]:
        per_step, one_call, helper = (np.random.default_rng(m) for _ in range(3))
        want = np.stack([noise.sample(m, rng=per_step) for _ in range(7)])
        got = noise_draws(noise, m, 7, helper, np.float64)
        np.testing.assert_array_equal(got, want)
        assert helper.bit_generator.state == per_step.bit_generator.state  # later steps draw the same too
        same = np.array_equal(noise.sample((7, m), rng=one_call), want)
        assert same == (noise.family != "bipolar" or m % 4 == 0), "the one-call rule no longer holds: update " \
            "sims.dynamics.train._noise_draws"


def _one_step(W0, spec, optimizer, xi, fused, monkeypatch, dtype="float64"):
    """W after optimiser step 1 from W0 with noise draw ``xi`` (or None), on the fused or the BLAS path."""
    import importlib

    module = importlib.import_module("sims.dynamics.train")
    monkeypatch.setattr(module, "FUSED_MAX_SIZE", 2**62 if fused else 0)
    config = TrainConfig(optimizer=optimizer, lr=0.05, steps=1, instances=W0.shape[0], dtype=dtype)
    W = W0.astype(dtype)
    update = module._Update(spec, config, W)
    with module._batched_steps(W, update) as advance:
        assert advance(range(1, 2), None if xi is None else xi[None].astype(dtype)) == 0
    return W, update.state


SHAPES = [(1, 1, 1), (1, 5, 2), (5, 1, 3), (3, 7, 2), (8, 16, 5), (13, 9, 3), (9, 21, 1)]


@pytest.mark.parametrize("optimizer", ["gd", "prox_gd", "adamw"])
@pytest.mark.parametrize("noisy", [False, True])
@pytest.mark.parametrize("n,m,instances", SHAPES)
def test_fused_step_equals_the_numpy_step(n, m, instances, optimizer, noisy, monkeypatch):
    """One fused step (whole-gradient kernel) against theory.loss.data_gradient + the serial update kernel:
    the same formulas, sums in another order, so equal to float64 rounding (≤ 1e-12 of max|W|)."""
    rng = np.random.default_rng([n, m, instances])
    spec = ModelSpec(n=n, m=m, l1=0.05)
    W0 = rng.normal(0, 1 / np.sqrt(m), size=(instances, n, m))
    W0[:, :, rng.random(m) < 0.2] = 0.0  # dead columns
    xi = rng.normal(0, 0.2, size=m) if noisy else None
    a, state_a = _one_step(W0, spec, optimizer, xi, True, monkeypatch)
    b, state_b = _one_step(W0, spec, optimizer, xi, False, monkeypatch)
    scale = np.max(np.abs(b))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * scale)
    for sa, sb in zip(state_a, state_b):  # AdamW's moments
        np.testing.assert_allclose(sa, sb, rtol=1e-12, atol=1e-12 * np.max(np.abs(sb)))
    a32, _ = _one_step(W0, spec, optimizer, xi, True, monkeypatch, dtype="float32")
    b32, _ = _one_step(W0, spec, optimizer, xi, False, monkeypatch, dtype="float32")
    assert a32.dtype == np.float32
    np.testing.assert_allclose(a32, b32, rtol=1e-5, atol=1e-5 * scale)  # float32 rounding (eps 6e-8) × terms


@given(seed=seeds, n=small_n, m=small_m, instances=instances, noisy=st.booleans(),
       optimizer=st.sampled_from(["gd", "prox_gd", "adamw"]))
def test_fused_step_equals_the_numpy_step_property(seed, n, m, instances, noisy, optimizer):
    """As above, over random small shapes, weights and noise (the "ci" profile's examples)."""
    rng = np.random.default_rng(seed)
    spec = ModelSpec(n=n, m=m, l1=0.05)
    W0 = rng.normal(0, 1 / np.sqrt(m), size=(instances, n, m))
    xi = rng.normal(0, 0.3, size=m) if noisy else None
    with pytest.MonkeyPatch.context() as monkeypatch:
        a, _ = _one_step(W0, spec, optimizer, xi, True, monkeypatch)
        b, _ = _one_step(W0, spec, optimizer, xi, False, monkeypatch)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.max(np.abs(b)))


@pytest.mark.parametrize("optimizer,l1", [("gd", 0.0), ("prox_gd", 0.01), ("adamw", 0.0)])
def test_fused_noisy_run_agrees_with_the_numpy_run(optimizer, l1, monkeypatch):
    """200 noisy steps at the ledger's noise-dynamics size (n = 8, m = 16, 8 instances, bipolar σ = 0.15)
    through the fused kernel and through numpy: the same draws, the last bits apart (≤ 1e-9 of max|W|)."""
    import importlib

    from sims.dynamics import _kernels

    module = importlib.import_module("sims.dynamics.train")
    calls = []
    fused = getattr(_kernels, f"fused_{optimizer}_steps")
    monkeypatch.setattr(_kernels, f"fused_{optimizer}_steps", lambda *args: calls.append(1) or fused(*args))
    spec = ModelSpec(n=8, m=16, l1=l1, noise=NoiseSpec(family="bipolar", sigma=0.15))
    a = run(spec, 200, optimizer=optimizer, lr=0.02, instances=8, rng=11)
    assert calls, "n·m = 128 must take the fused path"
    monkeypatch.setattr(module, "FUSED_MAX_SIZE", 0)
    b = run(spec, 200, optimizer=optimizer, lr=0.02, instances=8, rng=11)
    np.testing.assert_array_equal(a.W0, b.W0)
    np.testing.assert_allclose(a.W, b.W, rtol=1e-9, atol=1e-9 * np.max(np.abs(b.W)))
    np.testing.assert_allclose(a.history["fourth_norm"], b.history["fourth_norm"], rtol=1e-9)


def test_fused_path_reports_the_same_divergence_step(monkeypatch):
    import importlib

    module = importlib.import_module("sims.dynamics.train")
    steps = []
    for limit in (2**62, 0):
        monkeypatch.setattr(module, "FUSED_MAX_SIZE", limit)
        with pytest.raises(DivergenceError) as err:
            run(ModelSpec(n=3, m=4, noise=NoiseSpec(family="gaussian", sigma=0.1)), 100, optimizer="gd", lr=10.0,
                instances=2, W0=np.full((2, 3, 4), 2.0))
        steps.append(err.value.step)
    assert steps[0] == steps[1]
