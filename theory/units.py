"""The two unit systems and the one place that converts between them.

* Code units (the paper's code, ``ModelSpec.l1``, ``sims.dynamics.train``): loss Σ(squared error),
  summed over inputs and outputs, + λ_code‖W‖₁; time t_code = k·η after k steps of size η.
* Paper units (the gradient-flow analysis of §2.2 and everything derived from it: ``theory.
  single_feature``, ``theory.two_features``, ``sims.dynamics.single_feature``): the flow divided by
  4, i.e. λ = λ_code/4 and t = 4·t_code, in which one feature reads dw/dt = (1 − ‖w‖²)w − λ sign w.

The factor 4 is exact in floating point (a power of two), so a round trip returns the same bits.
"""

from __future__ import annotations

__all__ = ["code_lambda", "code_time", "paper_lambda", "paper_time"]


def paper_lambda(l1):
    """λ = λ_code/4: the paper's gradient-flow ℓ1 strength from the code's ``l1`` (scalar or array).

    Examples
    --------
    >>> from theory.units import paper_lambda
    >>> paper_lambda(0.1)
    0.025
    """
    return l1 / 4.0


def code_lambda(lam):
    """λ_code = 4λ: the code's ``l1`` from the paper's gradient-flow λ (inverse of ``paper_lambda``).

    Examples
    --------
    >>> from theory.units import code_lambda, paper_lambda
    >>> code_lambda(0.025), code_lambda(paper_lambda(0.3)) == 0.3
    (0.1, True)
    """
    return 4.0 * lam


def paper_time(t_code):
    """t = 4·t_code: the paper's gradient-flow time from optimiser time (k steps of size η: t_code = kη).

    Examples
    --------
    >>> from theory.units import paper_time
    >>> paper_time(1000 * 0.05)  # 1000 GD steps of η = 0.05
    200.0
    """
    return 4.0 * t_code


def code_time(t):
    """t_code = t/4: optimiser time from the paper's gradient-flow time (inverse of ``paper_time``).

    Examples
    --------
    >>> from theory.units import code_time
    >>> code_time(200.0)
    50.0
    """
    return t / 4.0
