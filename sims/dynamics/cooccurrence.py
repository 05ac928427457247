"""Training with co-occurring features: ``sims.dynamics.train`` with the data gradient of
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
from . import _kernels
from .schedule import Schedule
from .train import TrainConfig, TrainResult, train

__all__ = ["ESTIMATORS", "Cooccurrence", "cooccurrence_metrics", "flow_time_config", "train_at_each_p",
           "train_cooccurrence"]

ESTIMATORS = ("first-order", "pairwise", "minibatch")


def _compiled_pair_sums(G: np.ndarray) -> np.ndarray:
    """``theory.cooccurrence.relu_pair_sums`` by the compiled kernel (no n³ tensor), for any leading shape."""
    flat = np.ascontiguousarray(G, dtype=np.float64).reshape((-1,) + G.shape[-2:])
    return _kernels.relu_pair_sums(flat).reshape(G.shape)


@dataclass(frozen=True, kw_only=True)
class Cooccurrence:
    """The input law and gradient route: features active independently with probability ``p``.

    Losses are per active feature (dimensionless, summed squared error); λ in code units.

    ``estimator`` "first-order" or "pairwise" (deterministic, p ∈ [0, 1]) or "minibatch" (``batch`` ≥ 2
    sampled inputs per step, p ∈ (0, 1]).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.cooccurrence import Cooccurrence
    >>> cooc = Cooccurrence(p=0.05)  # the first-order route
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> round(float(cooc.loss(W, 0.1)), 4)  # L_0 + pL_1 + λ‖W‖₁
    0.68
    >>> np.round(cooc.gradient(W, rng=np.random.default_rng(0)), 4)[0].tolist()
    [-0.378, -0.1281]
    """

    p: float
    estimator: str = "first-order"
    batch: int = 256

    def __post_init__(self):
        validate.choice("estimator", self.estimator, ESTIMATORS)
        validate.real("p", self.p, minimum=0.0, maximum=1.0, strict_min=self.estimator == "minibatch")
        validate.integer("batch", self.batch, minimum=2)

    def gradient(self, W: np.ndarray, *, rng) -> np.ndarray:
        """∂L_p^{data}/∂W (no L1 term) by the chosen route; shape of W."""
        if self.estimator == "first-order":
            return first_order_loss_gradient(W, self.p, pair_sums=_compiled_pair_sums)
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
    """Recorded per instance: pairwise loss, band count, dominant-neuron polysemantic and opposite-sign counts.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.cooccurrence import Cooccurrence, cooccurrence_metrics
    >>> metrics = cooccurrence_metrics(Cooccurrence(p=0.05))
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> {key: round(float(v), 4) for key, v in metrics(W, ModelSpec(n=3, m=2, l1=0.1)).items()}
    {'loss': 0.68, 'polysemantic': 0.0, 'dominant': 1.0, 'opposite_sign': 1.0}
    """

    def metrics(W: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
        dom = dominant_polysemantic_count(W)
        return {"loss": cooc.loss(W, spec.l1), "polysemantic": band_polysemantic_count(W),
                "dominant": dom["polysemantic"], "opposite_sign": dom["opposite_sign"]}

    return metrics


def train_cooccurrence(spec: ModelSpec, config: TrainConfig, cooc: Cooccurrence, *, W0=None, rng=None,
                       metrics: Callable[[np.ndarray, ModelSpec], Mapping[str, np.ndarray]] | None = None,
                       ) -> TrainResult:
    """Train ``config.instances`` models on L_p + λ‖W‖₁ (λ = ``spec.l1``; ``spec.noise`` must be None).

    Units: ``config.steps`` are optimiser steps (for "gd"/"prox_gd" at rate η, time t = η·steps; the
    paper's τ = 4t); λ in code units (paper λ′ = λ/4); L_p per active feature.

    Same arguments and result as ``sims.dynamics.train.train``; ``metrics`` defaults to
    ``cooccurrence_metrics(cooc)``. Raises ``DivergenceError`` with the step on NaN/inf.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.cooccurrence import Cooccurrence, flow_time_config, train_cooccurrence
    >>> spec = ModelSpec(n=4, m=8, l1=0.1)
    >>> config = flow_time_config(spec.l1, 2, time=10.0)  # prox_gd, 1000 steps at lr 0.1
    >>> result = train_cooccurrence(spec, config, Cooccurrence(p=0.2), rng=0)
    >>> result.history["dominant"][-1].tolist()  # no shared neuron (at p = 0 instance 0 ends with a ± pair)
    [0, 0]
    >>> np.round(result.history["loss"][-1], 3).tolist()
    [0.397, 0.397]
    """
    if not isinstance(cooc, Cooccurrence):
        raise ValueError(f"cooc must be a Cooccurrence, got {cooc!r}")
    return train(spec, config, W0=W0, rng=rng, metrics=metrics or cooccurrence_metrics(cooc),
                 gradient=cooc.gradient)


def flow_time_config(l1: float, instances: int, *, lr: float = 0.1, time: float = 20.0) -> TrainConfig:
    """Proximal GD at step ``lr`` for gradient-flow time λt = ``time``: max(1, round(time/(lr·λ))) steps,
    recording only steps 0, 1 and the end (``Schedule(points=2)``; λt = 20 leaves every feature 1-sparse
    at the sizes used here). t = lr·steps is optimiser time and λ = ``l1`` in code units (the paper's
    λ′τ = (λ/4)(4t) is the same number).

    Examples
    --------
    >>> from sims.dynamics.cooccurrence import flow_time_config
    >>> config = flow_time_config(0.1, 2)
    >>> config.optimizer, config.lr, config.steps, config.record.steps(config.steps).tolist()
    ('prox_gd', 0.1, 2000, [0, 1, 2000])
    """
    return TrainConfig(optimizer="prox_gd", lr=lr, steps=max(1, round(time / (lr * l1))), instances=instances,
                       record=Schedule(points=2))


def train_at_each_p(spec: ModelSpec, config: TrainConfig, ps, W0, *, rng,
                    estimator: str = "first-order") -> Iterator[np.ndarray]:
    """Final weights (instances, n, m) of ``train_cooccurrence`` from the same ``W0`` at each p in ``ps``,
    in order (common random numbers across p); ``rng`` is shared, so the sequence is reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spec import ModelSpec
    >>> from sims.dynamics.cooccurrence import flow_time_config, train_at_each_p
    >>> from sims.dynamics.train import initial_weights
    >>> from sims.measure.metrics import dominant_polysemantic_count
    >>> spec = ModelSpec(n=4, m=8, l1=0.1)
    >>> W0 = initial_weights(spec, 2, rng=np.random.default_rng(0))
    >>> finals = train_at_each_p(spec, flow_time_config(spec.l1, 2, time=10.0), [0.0, 0.2], W0,
    ...                          rng=np.random.default_rng(1))
    >>> [dominant_polysemantic_count(W)["opposite_sign"].tolist() for W in finals]  # a ± pair at p = 0 only
    [[1, 0], [0, 0]]
    """
    for p in ps:
        yield train_cooccurrence(spec, config, Cooccurrence(p=p, estimator=estimator), W0=W0, rng=rng,
                                 metrics=lambda W, s: {}).W
