"""Gradient flow dW/dt = −∂L/∂W integrated with scipy's ``solve_ivp``.

Code units: time is optimiser time (GD with step η after k steps ≈ W(kη)) and λ = ``spec.l1``; the
paper's rescaled time is ``theory.units.paper_time(t)`` = 4t. Right-hand side
``theory.flow.gradient_flow_rhs``; result ``theory.ode.OdeSolution`` conventions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from theory import validate
from theory.flow import gradient_flow_rhs
from theory.ode import OdeSolution, from_solve_ivp
from theory.spec import ModelSpec

__all__ = ["GradientFlowSolution", "solve_gradient_flow"]


@dataclass(frozen=True, kw_only=True, eq=False)
class GradientFlowSolution(OdeSolution):
    """The gradient flow dW/dt = −∂L/∂W from ``solve_gradient_flow``, in code units (t = optimiser time, λ =
    ``spec.l1``): ``y[i]`` = W(t[i]) (shape (len(t), n, m)); ``spec``; with ``dense_output``, ``sol(t)`` = W(t).

    Examples
    --------
    >>> import numpy as np
    >>> from theory import ModelSpec
    >>> from sims.dynamics.gradient_flow import solve_gradient_flow
    >>> spec = ModelSpec(n=2, m=3, l1=0.01)
    >>> W0 = np.array([[0.5, 0.2, -0.1], [0.1, -0.4, 0.3]])
    >>> sol = solve_gradient_flow(spec, W0, [0.0, 1.0], dense_output=True)
    >>> sol.spec.l1, sol.t.tolist(), np.round(sol.y[-1], 3).tolist()
    (0.01, [0.0, 1.0], [[0.915, 0.359, -0.174], [0.188, -0.785, 0.586]])
    >>> sol.sol(0.5).shape, sol.sol([0.25, 0.5]).shape, bool(np.allclose(sol.sol(1.0), sol.y[-1]))
    ((2, 3), (2, 2, 3), True)
    """

    spec: ModelSpec


def solve_gradient_flow(spec: ModelSpec, W0, t_eval, *, method: str = "DOP853", rtol: float = 1e-10,
                        atol: float = 1e-12, dense_output: bool = False) -> GradientFlowSolution:
    """Code units (optimiser time, λ = ``spec.l1``): solve dW/dt = −∂L/∂W from W(0) = W0 (shape (n, m)).

    Returns W at the times ``t_eval`` (non-negative, strictly increasing) as ``y``; with
    ``dense_output``, ``sol(t)`` gives W at any t in the span (shape (n, m), or (len(t), n, m)).
    Raises ``RuntimeError`` with the solver's message if the integration fails.

    Limitation with λ > 0: the right-hand side uses the subgradient sign(W) with sign(0) = 0, which
    is discontinuous at W_ik = 0. Once a weight reaches zero the exact flow (the minimum-norm
    subgradient, a sliding mode) keeps it there, but an explicit solver chatters across the kink and
    the adaptive step collapses, so the integration stalls near the sparsification time. Use it for
    the dense phase (t before the first weight reaches zero, or λ = 0); for the sparse phase use
    proximal GD (``sims.dynamics.train`` with ``optimizer="prox_gd"``, small η), or, for one feature, the exact
    solver ``sims.dynamics.single_feature.solve_single_feature``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory import ModelSpec, loss
    >>> from sims.dynamics.gradient_flow import solve_gradient_flow
    >>> spec = ModelSpec(n=2, m=3, l1=0.01)
    >>> W0 = np.array([[0.5, 0.2, -0.1], [0.1, -0.4, 0.3]])
    >>> sol = solve_gradient_flow(spec, W0, [0.0, 0.5, 1.0])
    >>> sol.y.shape, sol.success, bool(np.all(np.diff(loss(sol.y, l1=spec.l1)) < 0))
    ((3, 2, 3), True, True)
    """
    if not isinstance(spec, ModelSpec):
        raise ValueError(f"spec must be a ModelSpec, got {spec!r}")
    W0 = np.asarray(W0, dtype=np.float64)
    if W0.shape != spec.shape:
        raise ValueError(f"W0 must have shape {spec.shape}, got {W0.shape}")
    t_eval = validate.times("t_eval", t_eval)
    validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    validate.real("atol", atol, minimum=0.0, strict_min=True)
    res = solve_ivp(gradient_flow_rhs, (0.0, float(t_eval[-1])), W0.ravel(), method=method,
                    t_eval=t_eval, args=(spec,), rtol=rtol, atol=atol, dense_output=dense_output)
    if not res.success:
        raise RuntimeError(f"gradient-flow integration failed: {res.message}")
    return from_solve_ivp(res, cls=GradientFlowSolution, shape=spec.shape, spec=spec)
