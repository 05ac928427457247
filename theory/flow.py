"""Right-hand side of the gradient flow dW/dt = −∂L/∂W (deterministic model, no noise).

Time t is optimiser time: gradient descent with step η after k steps approximates W(t = kη).
The paper's analysis (§2.2) uses τ = 4t and λ' = λ/4, in which dW_i/dτ =
(1 − ‖W_i‖²)W_i − Σ_{j≠i} ReLU(⟨W_i,W_j⟩)W_j − λ' sign(W_i).
"""

from __future__ import annotations

import numpy as np

from .loss import loss_gradient
from .spec import ModelSpec

__all__ = ["gradient_flow_rhs"]


def gradient_flow_rhs(t: float, y: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """dy/dt = −∂L/∂W for the flattened weights y = W.ravel() of one instance (shape (n·m,)).

    The L1 term uses sign(0) = 0; the flow is then a Filippov-type approximation near zero
    weights, which the integrator resolves only where no weight crosses zero.
    """
    if spec.noise is not None:
        raise ValueError("spec.noise must be None for the deterministic gradient flow")
    W = np.asarray(y, dtype=np.float64).reshape(spec.n, spec.m)
    return -loss_gradient(W, l1=spec.l1).ravel()
