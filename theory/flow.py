"""Right-hand side of the gradient flow dW/dt = −∂L/∂W (deterministic model, no noise).

Code units: time t is optimiser time (gradient descent with step η after k steps approximates
W(t = kη)) and λ = ``spec.l1``. The paper's analysis (§2.2) uses τ = 4t and λ' = λ/4
(``theory.units.paper_time`` / ``paper_lambda``), in which dW_i/dτ =
(1 − ‖W_i‖²)W_i − Σ_{j≠i} ReLU(⟨W_i,W_j⟩)W_j − λ' sign(W_i). Solved by
``sims.dynamics.gradient_flow.solve_gradient_flow``; conventions in ``theory.ode``.
"""

from __future__ import annotations

import numpy as np

from .loss import loss_gradient
from .spec import ModelSpec

__all__ = ["gradient_flow_rhs"]


def gradient_flow_rhs(t: float, y: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Code units (optimiser time, λ = ``spec.l1``): dy/dt = −∂L/∂W for the flat weights y = W.ravel().

    One instance, shape (n·m,). The L1 term uses sign(0) = 0; the flow is then a Filippov-type
    approximation near zero weights, which the integrator resolves only where no weight crosses
    zero. Convention of ``theory.ode``: ``args=(spec,)``.

    Examples
    --------
    >>> from theory.flow import gradient_flow_rhs
    >>> from theory.spec import ModelSpec
    >>> # one feature, one neuron: L = (1 − w²)² + λ|w|, so −dL/dw = 4w(1 − w²) − λ
    >>> gradient_flow_rhs(0.0, [0.5], ModelSpec(n=1, m=1, l1=0.1)).round(12).tolist()
    [1.4]
    """
    if spec.noise is not None:
        raise ValueError("spec.noise must be None for the deterministic gradient flow")
    W = np.asarray(y, dtype=np.float64).reshape(spec.n, spec.m)
    return -loss_gradient(W, l1=spec.l1).ravel()
