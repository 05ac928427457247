"""Gradient flow dW/dt = −∂L/∂W integrated with scipy's ``solve_ivp``.

Time is optimiser time (GD with step η after k steps ≈ W(kη)); the paper's rescaled time is 4t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from theory import validate
from theory.flow import gradient_flow_rhs
from theory.spec import ModelSpec

__all__ = ["FlowResult", "integrate_gradient_flow"]


@dataclass(frozen=True)
class FlowResult:
    """Solution of the gradient flow: ``t`` (k,), ``W`` (k, n, m), solver ``status`` and ``message``."""

    t: np.ndarray
    W: np.ndarray
    status: int
    message: str
    nfev: int


def integrate_gradient_flow(spec: ModelSpec, W0, t_eval, *, method: str = "DOP853",
                            rtol: float = 1e-10, atol: float = 1e-12) -> FlowResult:
    """Solve dW/dt = −∂L/∂W from W(0) = W0 (shape (n, m)) and return W at the times ``t_eval``.

    ``t_eval`` must be non-negative and increasing (optimiser-time units). Raises
    ``RuntimeError`` with the solver's message if the integration fails.

    Limitation with λ > 0: the right-hand side uses the subgradient sign(W) with sign(0) = 0, which
    is discontinuous at W_ik = 0. Once a weight reaches zero the exact flow (the minimum-norm
    subgradient, a sliding mode) keeps it there, but an explicit solver chatters across the kink and
    the adaptive step collapses, so the integration stalls near the sparsification time. Use it for
    the dense phase (t before the first weight reaches zero, or λ = 0); for the sparse phase use
    proximal GD (``sims.dynamics.train`` with ``optimizer="prox_gd"``, small η), or, for one feature, the exact
    reduced solver ``sims.dynamics.single_feature``.
    """
    if not isinstance(spec, ModelSpec):
        raise ValueError(f"spec must be a ModelSpec, got {spec!r}")
    W0 = np.asarray(W0, dtype=np.float64)
    if W0.shape != spec.shape:
        raise ValueError(f"W0 must have shape {spec.shape}, got {W0.shape}")
    t_eval = np.atleast_1d(np.asarray(t_eval, dtype=np.float64))
    if t_eval.ndim != 1 or t_eval.size == 0 or t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError("t_eval must be a non-empty increasing sequence of times >= 0")
    validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    validate.real("atol", atol, minimum=0.0, strict_min=True)
    sol = solve_ivp(gradient_flow_rhs, (0.0, float(t_eval[-1])), W0.ravel(), method=method,
                    t_eval=t_eval, args=(spec,), rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"gradient-flow integration failed: {sol.message}")
    W = sol.y.T.reshape(len(sol.t), spec.n, spec.m)
    return FlowResult(sol.t, W, sol.status, sol.message, sol.nfev)
