"""One training step of ``sims.dynamics.task_train.train_task_network`` against PyTorch: torch.nn's functional
layers and cross-entropy with torch.optim.AdamW, from the same initial weights, on the same minibatch and the
same hidden-noise draw (skipped when torch is not installed: ``pip install -e '.[bench]'``)."""

import numpy as np
import pytest

from sims.data.synthetic import synthetic_task
from sims.dynamics.schedule import Schedule
from sims.dynamics.task_train import TaskNetConfig, train_task_network
from theory.noise import NoiseSpec

SEED = 5
LR, L1 = 1e-2, 1e-3
DATA = synthetic_task(n_features=6, d=5, p=0.3, samples=160, n_class=3, rng=1)

#: Tolerance per dtype, in units of the parameters (|θ| ≲ 1): about 100 ulp of 1 in float64 (2.2e-16 each) and
#: 8 ulp in float32 (1.2e-7 each). The two routes sum the minibatch in a different order (~1 ulp relative per
#: gradient entry), and AdamW's first step moves each weight by lr·g/(|g| + ε) ≈ ±lr, which damps a gradient's
#: rounding except for |g| near ε. Measured (seed 5, all 12 cases): at most 5.6e-17 (float64), 3.0e-8 (float32).
TOL = {"float64": 2e-14, "float32": 1e-6}
NOISES = {"none": None, "gaussian-sample": (NoiseSpec(family="gaussian", sigma=0.1), "sample"),
          "bipolar-step": (NoiseSpec(family="bipolar", sigma=0.2), "step")}


def _replayed_draws(N: int, m: int, layers: int, noise) -> tuple[np.ndarray, list]:
    """The minibatch and the noise of step 1, drawn as train_task_network draws them from ``rng=SEED``: the
    generator of SeedSequence(SEED) spawns the instances' streams (which consumes no draws), then gives one
    permutation of the training set (B = N: the whole set is the minibatch) and then one noise draw per layer."""
    gen = np.random.default_rng(np.random.SeedSequence(SEED))
    perm = gen.permutation(N)
    if noise is None:
        return perm, [None] * layers
    spec, draw = noise
    rows = 1 if draw == "step" else N
    return perm, [spec.sample((rows, m), rng=gen) for _ in range(layers)]


def _torch_step(torch, params, X, y, xis, *, dtype):
    """Loss and parameters after one torch.optim.AdamW step on mean CE + λ‖W₁‖₁ (instances stacked: every
    instance's loss depends only on its own parameters, and AdamW is elementwise, so one optimiser is the same
    as one per instance)."""
    tdt = {"float64": torch.float64, "float32": torch.float32}[dtype]
    P = [torch.nn.Parameter(torch.tensor(np.asarray(p), dtype=tdt)) for p in params]
    opt = torch.optim.AdamW(P, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    x = torch.tensor(X, dtype=tdt)
    target = torch.tensor(y, dtype=torch.int64)
    layers = len(P) // 2 - 1
    h = x.expand(P[0].shape[0], *x.shape)
    for j in range(layers):
        h = torch.nn.functional.relu(h @ P[2 * j] + P[2 * j + 1][:, None, :])
        if xis[j] is not None:
            h = h + torch.tensor(xis[j], dtype=tdt)
    logits = h @ P[-2] + P[-1][:, None, :]
    ce = torch.stack([torch.nn.functional.cross_entropy(z, target) for z in logits])
    loss = ce + L1 * P[0].abs().sum(dim=(1, 2))
    opt.zero_grad()
    loss.sum().backward()
    opt.step()
    return loss.detach().numpy(), [p.detach().numpy() for p in P]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("noise", list(NOISES))
def test_one_adamw_step_equals_torch(dtype, layers, noise):
    torch = pytest.importorskip("torch")
    N = DATA.X_train.shape[0]
    config = TaskNetConfig(width=7, layers=layers, l1=L1, lr=LR, steps=1, batch=N, instances=2, dtype=dtype,
                           noise=None if NOISES[noise] is None else NOISES[noise][0],
                           noise_draw="sample" if NOISES[noise] is None else NOISES[noise][1],
                           record=Schedule(every=1))
    result = train_task_network(DATA, config, rng=SEED)
    perm, xis = _replayed_draws(N, config.width, layers, NOISES[noise])
    loss, params = _torch_step(torch, result.initial, DATA.X_train[perm], DATA.y_train[perm], xis, dtype=dtype)
    tol = TOL[dtype]
    for ours, theirs in zip(result.params, params):
        assert ours.dtype == np.dtype(dtype)
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    if NOISES[noise] is None:  # the recorded step-0 objective is noiseless, on the whole training set
        np.testing.assert_allclose(result.history["loss"][0], loss, rtol=10 * tol)
    # the step moved every weight of W₁ by about lr (AdamW's first step is ≈ lr·sign g): the check has teeth
    moved = np.abs(result.params[0] - result.initial[0])
    assert np.median(moved) > 0.5 * LR


@pytest.mark.torch
def test_replayed_draws_are_what_training_used():
    """A control of the replay: with another noise draw (a different seed) the step differs from torch's by far
    more than the tolerance, so the agreement above is not an accident of a small noise."""
    torch = pytest.importorskip("torch")
    N = DATA.X_train.shape[0]
    spec = NoiseSpec(family="gaussian", sigma=0.1)
    config = TaskNetConfig(width=7, l1=L1, lr=LR, steps=1, batch=N, instances=1, noise=spec, record=Schedule(every=1))
    result = train_task_network(DATA, config, rng=SEED)
    perm, _ = _replayed_draws(N, 7, 1, (spec, "sample"))
    other = [spec.sample((N, 7), rng=np.random.default_rng(99))]
    _, params = _torch_step(torch, result.initial, DATA.X_train[perm], DATA.y_train[perm], other, dtype="float64")
    assert np.max(np.abs(result.params[-2] - params[-2])) > 1e3 * TOL["float64"]
