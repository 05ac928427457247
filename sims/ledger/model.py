"""Ledger claims about the model itself: loss, gradient, forces, initialisation, optimisers."""

from __future__ import annotations

import math

import numpy as np

from theory import ModelSpec, forces, loss, loss_gradient

from ..dynamics.gradient_flow import solve_gradient_flow
from .core import claim, within
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig, initial_weights, train


@claim(id="model.loss-rows",
       statement="With one-hot inputs the summed squared error equals Σ_i(1−‖W_i‖²)² + Σ_{i≠j} ReLU(⟨W_i,W_j⟩)²",
       source="paper §2.1 [R]",
       prediction="theory.loss (Gram-matrix form, O(n²m))",
       evidence="the network ReLU(W Wᵀ x) evaluated on the explicit identity batch",
       test="tests/test_claims.py::test_quick_claim[model.loss-rows]", tier="quick")
def _loss_rows(rng):
    W = rng.normal(0, 0.4, size=(3, 7, 11))
    x = np.eye(7)
    out = np.maximum(np.einsum("bf,ifh,igh->ibg", x, W, W), 0)
    naive = ((out - x) ** 2).sum(axis=(1, 2))
    rel = float(np.max(np.abs(loss(W) - naive) / naive))
    return within(rel, 0.0, 1e-12, "max relative difference over 3 random instances")


@claim(id="model.gradient",
       statement="The hand-derived gradient (D + Dᵀ)W + λ sign W is the derivative of the loss",
       source="ours",
       prediction="theory.loss_gradient",
       evidence="central finite differences of theory.loss (h = 1e-6)",
       test="tests/test_claims.py::test_quick_claim[model.gradient]", tier="quick")
def _gradient(rng):
    W = rng.normal(0, 0.4, size=(5, 6))
    h = 1e-6
    fd = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = h
        fd[idx] = (loss(W + e, l1=0.01) - loss(W - e, l1=0.01)) / (2 * h)
    err = float(np.abs(loss_gradient(W, l1=0.01) - fd).max())
    return within(err, 0.0, 1e-7, "max abs error; central differences are accurate to O(h²) + O(ε/h)")


@claim(id="model.forces",
       statement="Feature benefit, interference and regularisation sum to −∂L/∂W",
       source="paper §2.2 [R]",
       prediction="theory.forces (per-row closed forms)",
       evidence="theory.loss_gradient, itself checked against finite differences",
       test="tests/test_claims.py::test_quick_claim[model.forces]", tier="quick")
def _forces(rng):
    W = rng.normal(0, 0.4, size=(2, 6, 9))
    err = float(np.abs(forces(W, l1=0.02).total + loss_gradient(W, l1=0.02)).max())
    return within(err, 0.0, 1e-12)


@claim(id="model.init-norm",
       statement="Initialisation N(0, 1/m) gives E‖W_i‖² = 1",
       source="paper §1.1 [V-code]",
       prediction="E‖W_i‖² = 1",
       evidence="Monte Carlo mean over 4 × 256 rows of sims.initial_weights (z = 5, false failure ≈ 6e-7). Power: "
                "against a 2% error in the initial variance (E‖W_i‖² = 1.02), sd √(2/m) = 0.0625 per row, 1024 rows "
                "give a false pass of 8e-8; the smallest number of rows with false pass ≤ 5% is 432 (1725 for a 1% "
                "error, which 1024 rows catch with probability 0.55); 0.03 s, so the size is kept",
       test="tests/test_claims.py::test_quick_claim[model.init-norm]", tier="quick")
def _init_norm(rng):
    spec = ModelSpec(n=256, m=512)
    sq = (initial_weights(spec, 4, rng=rng) ** 2).sum(axis=-1)
    return within(float(sq.mean()), 1.0, 5 * math.sqrt(2 / spec.m / sq.size))


def _plot_gd_order(data, ax):
    lr, err = np.array(data["lr"]), np.array(data["error"])
    ax.loglog(lr, err, "o-", label="GD vs solve_ivp flow")
    ax.loglog(lr, err[0] * lr / lr[0], "k--", label="slope 1")
    ax.set_xlabel("step size η")
    ax.set_ylabel("max |W_GD(T) − W_flow(T)|")
    ax.legend()


@claim(id="train.gd-flow-order", plot=_plot_gd_order,
       statement="Gradient descent with step η approaches the gradient flow with global error O(η)",
       source="ours",
       prediction="order 1 in η",
       evidence="sims.dynamics.train (GD) against sims.solve_gradient_flow (solve_ivp DOP853, rtol 1e-12)",
       test="tests/test_claims.py::test_quick_claim[train.gd-flow-order]", tier="quick")
def _gd_order(rng):
    spec = ModelSpec(n=4, m=6)
    T = 0.6
    W0 = rng.normal(0, 1.5 * spec.init_std, spec.shape)
    flow = solve_gradient_flow(spec, W0, [T], rtol=1e-12, atol=1e-14).y[-1]
    lrs = T / np.array([40, 80, 160, 320])
    errs = []
    for lr in lrs:
        cfg = TrainConfig(optimizer="gd", lr=float(lr), steps=round(T / lr), record=Schedule(every=10**9))
        errs.append(np.abs(train(spec, cfg, W0=W0[None]).W[0] - flow).max())
    order = float(np.polyfit(np.log(lrs), np.log(errs), 1)[0])
    return within(order, 1.0, 0.05, f"fitted slope of log error vs log η over η = T/40 … T/320, T = {T}",
                   data={"lr": lrs.tolist(), "error": [float(e) for e in errs]})


@claim(id="train.adamw-formula",
       statement="The fused AdamW equals the AdamW update formula with torch's defaults",
       source="ours (the paper trains with torch.optim.AdamW)",
       prediction="W_t from the textbook AdamW recursion (decoupled weight decay 0.01, bias correction)",
       evidence="sims.dynamics.train(optimizer='adamw') in float64, 300 steps",
       test="tests/test_claims.py::test_quick_claim[train.adamw-formula]", tier="quick")
def _adamw(rng):
    spec = ModelSpec(n=5, m=8, l1=0.01)
    res = train(spec, TrainConfig(optimizer="adamw", steps=300, instances=2, record=Schedule(every=300)), rng=rng)
    W, m, v = res.W0.copy(), 0.0, 0.0
    for t in range(1, 301):
        g = loss_gradient(W, l1=spec.l1)
        W = W * (1 - 1e-3 * 0.01)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        W = W - 1e-3 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    rel = float(np.abs(res.W - W).max() / np.abs(W).max())
    return within(rel, 0.0, 1e-11, "max relative difference after 300 steps")
