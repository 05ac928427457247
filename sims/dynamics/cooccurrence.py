"""Training with co-occurring features (issue 8): ``sims.dynamics.train`` with the data gradient of
L_p(W) = (1/p)·E_x‖ReLU(WWᵀx) − x‖² (x_i ~ Bernoulli(p) independently) in place of the one-hot one.

Three gradient routes (``theory.cooccurrence``):

* ``"first-order"`` (default): the gradient of L_0 + pL_1, L_p to first order in p with its two- and
  three-body terms, deterministic, O(n³); each feature's self-reconstruction keeps weight 1;
* ``"pairwise"``: the exact gradient of L_p truncated to inputs with ≤ 2 active features,
  deterministic, O(n³). Its one-feature weight (1 − p)^{n−1} shrinks the data term against λ once np
  is not small (at n = 32, p = 0.04 the self-reconstruction weight of a monosemantic solution is
  0.65): an effective λ that grows with p, so use it only for np ≪ 1;
* ``"minibatch"``: the unbiased minibatch gradient of L_p (``batch`` sampled inputs per step,
  shared by the instances): SGD on the full objective.

The L1 term is applied by the optimiser (proximal step for "prox_gd", subgradient for "gd" and
"adamw"), as in the one-hot model. Steps are optimiser steps; λ is in the summed-loss units of
``theory.loss``. At p = 0 the deterministic routes are the one-hot model exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import numpy as np

from theory import validate
from theory.cooccurrence import (expected_loss_pairwise, expected_loss_pairwise_gradient, first_order_loss,
                                 first_order_loss_gradient, loss_minibatch)
from theory.spec import ModelSpec

from ..measure.metrics import band_polysemantic_count, dominant_polysemantic_count
from .schedule import Schedule
from .train import TrainConfig, TrainResult, train

__all__ = ["ESTIMATORS", "Cooccurrence", "cooccurrence_metrics", "flow_time_config", "train_at_each_p",
           "train_cooccurrence"]

ESTIMATORS = ("first-order", "pairwise", "minibatch")


@dataclass(frozen=True, kw_only=True)
class Cooccurrence:
    """The input law and gradient route: features active independently with probability ``p``.

    ``estimator`` "first-order" or "pairwise" (deterministic, p ∈ [0, 1]) or "minibatch" (``batch`` ≥ 2
    sampled inputs per step, p ∈ (0, 1]).
    """

    p: float
    estimator: str = "first-order"
    batch: int = 256

    def __post_init__(self):
        validate.choice("estimator", self.estimator, ESTIMATORS)
        validate.real("p", self.p, minimum=0.0, maximum=1.0, strict_min=self.estimator == "minibatch")
        validate.integer("batch", self.batch, minimum=2)

    def gradient(self, W: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """∂L_p^{data}/∂W (no L1 term) by the chosen route; shape of W."""
        if self.estimator == "first-order":
            return first_order_loss_gradient(W, self.p)
        if self.estimator == "pairwise":
            return expected_loss_pairwise_gradient(W, self.p)
        return loss_minibatch(W, self.p, self.batch, rng=rng).gradient

    def loss(self, W: np.ndarray, l1: float) -> np.ndarray:
        """The objective the route descends, per instance: L_0 + pL_1 + λ‖W‖₁ for "first-order",
        L_p^{(≤2)} + λ‖W‖₁ otherwise (the minibatch route's expectation is the full L_p)."""
        if self.estimator == "first-order":
            return first_order_loss(W, self.p, l1=l1)
        return expected_loss_pairwise(W, self.p, l1=l1)


def cooccurrence_metrics(cooc: Cooccurrence) -> Callable[[np.ndarray, ModelSpec], Mapping[str, np.ndarray]]:
    """Recorded per instance: pairwise loss, band count, dominant-neuron polysemantic and opposite-sign counts."""

    def metrics(W: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
        dom = dominant_polysemantic_count(W)
        return {"loss": cooc.loss(W, spec.l1), "polysemantic": band_polysemantic_count(W),
                "dominant": dom["polysemantic"], "opposite_sign": dom["opposite_sign"]}

    return metrics


def train_cooccurrence(spec: ModelSpec, config: TrainConfig, cooc: Cooccurrence, *, W0=None, rng=None,
                       metrics: Callable[[np.ndarray, ModelSpec], Mapping[str, np.ndarray]] | None = None,
                       ) -> TrainResult:
    """Train ``config.instances`` models on L_p + λ‖W‖₁ (λ = ``spec.l1``; ``spec.noise`` must be None).

    Same arguments and result as ``sims.dynamics.train.train``; ``metrics`` defaults to
    ``cooccurrence_metrics(cooc)``. Raises ``DivergenceError`` with the step on NaN/inf.
    """
    if not isinstance(cooc, Cooccurrence):
        raise ValueError(f"cooc must be a Cooccurrence, got {cooc!r}")
    return train(spec, config, W0=W0, rng=rng, metrics=metrics or cooccurrence_metrics(cooc),
                 gradient=cooc.gradient)


def flow_time_config(l1: float, instances: int, *, lr: float = 0.1, time: float = 20.0) -> TrainConfig:
    """Proximal GD at step ``lr`` for gradient-flow time λt = ``time``: max(1, round(time/(lr·λ))) steps,
    recording only the start and the end (λt = 20 leaves every feature 1-sparse at the sizes used here)."""
    return TrainConfig(optimizer="prox_gd", lr=lr, steps=max(1, round(time / (lr * l1))), instances=instances,
                       record=Schedule(points=2))


def train_at_each_p(spec: ModelSpec, config: TrainConfig, ps, W0, *, rng,
                    estimator: str = "first-order") -> Iterator[np.ndarray]:
    """Final weights (instances, n, m) of ``train_cooccurrence`` from the same ``W0`` at each p in ``ps``,
    in order (common random numbers across p); ``rng`` is shared, so the sequence is reproducible."""
    for p in ps:
        yield train_cooccurrence(spec, config, Cooccurrence(p=p, estimator=estimator), W0=W0, rng=rng,
                                 metrics=lambda W, s: {}).W
