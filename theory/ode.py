"""One surface for every ODE in the package: the right-hand-side convention and the result type.

Right-hand sides
----------------
Every analytic right-hand side has scipy's signature ``rhs(t, y, *args)``, so it can be passed to
``scipy.integrate.solve_ivp(rhs, span, y0, args=args)`` unchanged:

* ``t``: the time, in the units the function's docstring states first (paper units, continuum
  time τ = λ√m·t, or optimiser time); the flows are autonomous, so ``t`` is unused;
* ``y``: the state, a 1-D sequence (flattened if the state is a matrix);
* ``args``: first the ℓ1 strength (λ in paper units, ε = λ√m in the continuum scaling, or a
  ``ModelSpec`` whose ``l1`` is in code units), then the fixed problem data (sorted initial
  magnitudes, the initial scale), then options, which have defaults.

=========================================  ==========================  ===============================
right-hand side                            ``args``                    units
=========================================  ==========================  ===============================
``theory.flow.gradient_flow_rhs``          ``(spec,)``                 code: optimiser time, λ = l1
``theory.single_feature.reduced_rhs``      ``(lam, init)``             paper: λ = l1/4, t = 4·t_code
``theory.single_feature.continuum_rhs``    ``(eps, scale=1.0)``        paper, τ = λ√m·t, ε = λ√m
``theory.two_features.shared_neuron_rhs``  ``(lam, same_sign=None)``   paper: λ = l1/4, t = 4·t_code
=========================================  ==========================  ===============================

The conversions between code and paper units are in ``theory.units`` (``paper_lambda``,
``paper_time`` and their inverses); a paper-unit solver says so in the first line of its docstring.
The compiled kernels of ``sims.dynamics._radau`` are internal and keep numba's own calling style.

Solutions
---------
Every solver (``solve_*``) validates its time grid with ``theory.validate.times`` and returns an
``OdeSolution`` (or a subclass that adds solver-specific fields): ``t`` the requested times, ``y``
the states there with time along the first axis, scipy's ``status`` / ``message`` / ``nfev``,
``success`` and, when the solver keeps it, the dense output ``sol(t)`` (states at any t in the
span, laid out as ``y``). The solvers raise ``RuntimeError`` rather than return a failed solution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["OdeSolution", "TimeFirst", "from_solve_ivp"]


@dataclass(frozen=True, kw_only=True, eq=False)
class OdeSolution:
    """The result of every ODE solver of the package (cf. scipy's ``OdeResult``, diffrax's ``Solution``).

    Attributes
    ----------
    t : ndarray, shape (k,)
        The requested times, ascending.
    y : ndarray, shape (k, *state_shape)
        The state at each time ``t[i]`` is ``y[i]`` (time along the first axis, unlike scipy).
    status : int
        As scipy: 0 the end of the span was reached, 1 a terminal event stopped the solver,
        −1 failure (the solvers raise instead of returning it).
    message : str
        The solver's description of the status.
    nfev : int
        Right-hand-side evaluations.
    sol : callable or None
        Dense output: ``sol(t)`` is the state at a scalar t (shape ``state_shape``) or at each
        of an array of times (shape ``(len(t), *state_shape)``); ``None`` if not kept.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.ode import OdeSolution
    >>> s = OdeSolution(t=np.array([0.0, 1.0]), y=np.array([[1.0], [0.5]]), status=0, message="done", nfev=12)
    >>> s.success, s.y[-1].tolist(), s.sol is None
    (True, [0.5], True)
    """

    t: np.ndarray
    y: np.ndarray
    status: int
    message: str
    nfev: int
    sol: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def success(self) -> bool:
        """True unless the solver failed (``status`` < 0)."""
        return self.status >= 0


class TimeFirst:
    """Wrap a scipy-layout dense output (state first: shape (n,) or (n, k)) as ``OdeSolution.sol``.

    ``TimeFirst(dense, shape)(t)`` is ``dense(t)`` with time moved to the first axis and the
    state reshaped to ``shape`` (default: left flat); the values are the wrapped ones, unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.ode import TimeFirst
    >>> sol = TimeFirst(lambda t: np.vstack([np.asarray(t), 2 * np.asarray(t)]) if np.ndim(t)
    ...                 else np.array([t, 2 * t]), shape=(1, 2))
    >>> sol(1.0).tolist(), sol(np.array([1.0, 3.0])).tolist()
    ([[1.0, 2.0]], [[[1.0, 2.0]], [[3.0, 6.0]]])
    """

    def __init__(self, dense: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...] | None = None):
        self.dense, self.shape = dense, shape

    def __call__(self, t) -> np.ndarray:
        y = self.dense(t)
        if np.ndim(t) == 0:
            return y if self.shape is None else y.reshape(self.shape)
        y = y.T
        return y if self.shape is None else y.reshape((y.shape[0], *self.shape))


def from_solve_ivp(res, *, cls: type = OdeSolution, shape: tuple[int, ...] | None = None, **extras) -> OdeSolution:
    """``cls`` (``OdeSolution`` or a subclass, with ``extras`` for its own fields) from scipy's ``OdeResult``.

    ``y`` is ``res.y.T`` (time first), reshaped to ``(len(t), *shape)`` if ``shape`` is given; ``sol``
    wraps ``res.sol`` (``TimeFirst``) when ``solve_ivp`` ran with ``dense_output=True``.

    Examples
    --------
    >>> from scipy.integrate import solve_ivp
    >>> from theory.ode import from_solve_ivp
    >>> res = solve_ivp(lambda t, y, k: -k * y, (0.0, 1.0), [1.0, 2.0], args=(0.5,), t_eval=[0.0, 1.0])
    >>> s = from_solve_ivp(res)
    >>> s.y.shape, s.success, s.y[0].tolist()
    ((2, 2), True, [1.0, 2.0])
    """
    y = res.y.T if shape is None else res.y.T.reshape((len(res.t), *shape))
    sol = None if getattr(res, "sol", None) is None else TimeFirst(res.sol, shape)
    return cls(t=res.t, y=y, status=int(res.status), message=res.message, nfev=int(res.nfev), sol=sol, **extras)
