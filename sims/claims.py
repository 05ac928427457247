"""The claims ledger: every claim, the paper's or ours, with its prediction, its independent
check and its test. ``incidental verify``, the pytest quick tier and the report all read ``CLAIMS``.

A claim's ``check(rng)`` runs the independent route (simulation, brute force, another method)
and returns an ``Outcome`` comparing the measurement with the prediction at a stated tolerance.
A claim that the evidence refutes stays here, registered with ``expected="refuted"`` and a
``correction`` that states the law that does hold; its outcome carries the measured discrepancy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from theory import ModelSpec, forces, loss, loss_gradient

from .flow import integrate_gradient_flow
from .schedule import Schedule
from .train import TrainConfig, initial_weights, train

__all__ = ["CLAIMS", "Claim", "Outcome", "run_claim", "select_claims"]

STATUSES = ("confirmed", "refuted", "not run")
TIERS = ("quick", "full")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Result of one check: ``measured`` against ``predicted`` under ``tolerance`` (text).

    ``data`` holds the numbers behind the measurement (lists), which the claim's ``plot`` draws.
    """

    status: str
    measured: float
    predicted: float
    tolerance: str
    detail: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One ledger entry.

    ``prediction`` names the theory side, ``evidence`` the independent route, ``test`` the pytest
    node that runs it; ``expected`` is "confirmed" or "refuted" (a paper claim our evidence
    contradicts, with ``correction`` stating the law that holds instead). ``plot(data, ax)``, if
    given, draws the outcome's data on a matplotlib Axes for the report.
    """

    id: str
    statement: str
    source: str
    prediction: str
    evidence: str
    test: str
    tier: str
    check: Callable[[np.random.Generator], Outcome]
    expected: str = "confirmed"
    correction: str = ""
    plot: Callable[[Mapping[str, Any], Any], None] | None = None

    def __post_init__(self):
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if self.expected not in ("confirmed", "refuted"):
            raise ValueError(f"expected must be 'confirmed' or 'refuted', got {self.expected!r}")


CLAIMS: dict[str, Claim] = {}


def claim(**fields) -> Callable:
    """Decorator registering ``check`` under ``fields['id']`` (a Claim's fields, less ``check``)."""

    def register(check):
        if fields["id"] in CLAIMS:
            raise ValueError(f"claim id {fields['id']!r} is registered twice")
        CLAIMS[fields["id"]] = Claim(check=check, **fields)
        return check

    return register


def select_claims(*, tier: str = "full", ids=None) -> list[Claim]:
    """Claims of ``tier`` ("quick" → quick only; "full" → all), optionally restricted to ``ids``."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
    chosen = [c for c in CLAIMS.values() if tier == "full" or c.tier == "quick"]
    if ids is not None:
        unknown = sorted(set(ids) - set(CLAIMS))
        if unknown:
            raise ValueError(f"unknown claim id(s) {unknown}; known: {sorted(CLAIMS)}")
        chosen = [c for c in chosen if c.id in set(ids)]
    return chosen


def run_claim(c: Claim, *, seed: int = 0) -> Outcome:
    """Run one claim's check with a generator seeded from (seed, claim id)."""
    key = int.from_bytes(c.id.encode(), "little") % 2**63
    return c.check(np.random.default_rng([seed, key]))


def _within(measured: float, predicted: float, atol: float, detail: str = "", data=None) -> Outcome:
    ok = abs(measured - predicted) <= atol
    return Outcome(status="confirmed" if ok else "refuted", measured=measured, predicted=predicted,
                   tolerance=f"|measured − predicted| ≤ {atol:g}", detail=detail, data=data or {})


# --- issue 2: the model, its loss and its optimisers ----------------------------------------

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
    return _within(rel, 0.0, 1e-12, "max relative difference over 3 random instances")


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
    return _within(err, 0.0, 1e-7, "max abs error; central differences are accurate to O(h²) + O(ε/h)")


@claim(id="model.forces",
       statement="Feature benefit, interference and regularisation sum to −∂L/∂W",
       source="paper §2.2 [R]",
       prediction="theory.forces (per-row closed forms)",
       evidence="theory.loss_gradient, itself checked against finite differences",
       test="tests/test_claims.py::test_quick_claim[model.forces]", tier="quick")
def _forces(rng):
    W = rng.normal(0, 0.4, size=(2, 6, 9))
    err = float(np.abs(forces(W, l1=0.02).total + loss_gradient(W, l1=0.02)).max())
    return _within(err, 0.0, 1e-12)


@claim(id="model.init-norm",
       statement="Initialisation N(0, 1/m) gives E‖W_i‖² = 1",
       source="paper §1.1 [V-code]",
       prediction="E‖W_i‖² = 1",
       evidence="Monte Carlo mean over 4 × 256 rows of sims.initial_weights (z = 5, false failure ≈ 6e-7)",
       test="tests/test_claims.py::test_quick_claim[model.init-norm]", tier="quick")
def _init_norm(rng):
    spec = ModelSpec(n=256, m=512)
    sq = (initial_weights(spec, 4, rng=rng) ** 2).sum(axis=-1)
    return _within(float(sq.mean()), 1.0, 5 * math.sqrt(2 / spec.m / sq.size))


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
       evidence="sims.train (GD) against sims.integrate_gradient_flow (solve_ivp DOP853, rtol 1e-12)",
       test="tests/test_claims.py::test_quick_claim[train.gd-flow-order]", tier="quick")
def _gd_order(rng):
    spec = ModelSpec(n=4, m=6)
    T = 0.6
    W0 = rng.normal(0, 1.5 * spec.init_std, spec.shape)
    flow = integrate_gradient_flow(spec, W0, [T], rtol=1e-12, atol=1e-14).W[-1]
    lrs = T / np.array([40, 80, 160, 320])
    errs = []
    for lr in lrs:
        cfg = TrainConfig(optimizer="gd", lr=float(lr), steps=round(T / lr), record=Schedule(every=10**9))
        errs.append(np.abs(train(spec, cfg, W0=W0[None]).W[0] - flow).max())
    order = float(np.polyfit(np.log(lrs), np.log(errs), 1)[0])
    return _within(order, 1.0, 0.05, f"fitted slope of log error vs log η over η = T/40 … T/320, T = {T}",
                   data={"lr": lrs.tolist(), "error": [float(e) for e in errs]})


@claim(id="train.adamw-formula",
       statement="The fused AdamW equals the AdamW update formula with torch's defaults",
       source="ours (the paper trains with torch.optim.AdamW)",
       prediction="W_t from the textbook AdamW recursion (decoupled weight decay 0.01, bias correction)",
       evidence="sims.train(optimizer='adamw') in float64, 300 steps",
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
    return _within(rel, 0.0, 1e-11, "max relative difference after 300 steps")
