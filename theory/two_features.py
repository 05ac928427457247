"""Two features on one shared neuron: the reduced 2-D flow of paper §2.4.

Units: the paper's gradient-flow units (§2.2), λ = λ_code/4 (``theory.units.paper_lambda``). Features i, j with W_i = x e_k and
W_j = y e_k (all their other coordinates 0, an invariant set of the flow with sign(0) = 0). From
the row-form loss (derivation ``two-features.reduced-system``):

* same sign (xy > 0): dx/dt = x(1 − x² − y²) − λ sign x, dy/dt = y(1 − x² − y²) − λ sign y,
  which is exactly one feature's ℓ1 flow on m = 2 coordinates, so the larger |weight| wins;
* opposite sign (xy ≤ 0): the ReLU removes the interference, each is a lone feature,
  dx/dt = x(1 − x²) − λ sign x (and the same for y); both end at ±w*.
"""

from __future__ import annotations

import numpy as np

from . import validate

__all__ = ["shared_neuron_rhs"]


def shared_neuron_rhs(t: float, y, lam: float, same_sign: bool | None = None) -> np.ndarray:
    """Paper units (λ = λ_code/4, t = 4·t_code): d(x, y)/dt of two features sharing one neuron,

    (x(1 − x² − ρy²) − λ sign x, y(1 − y² − ρx²) − λ sign y) with ρ = [xy > 0]. Paper §2.4; derivation ``two-features.reduced-system``. ``same_sign`` forces the
    regime (True: interference on, ρ = 1; False: off, ρ = 0); ``None`` (default) reads it from the
    current signs, which is the exact flow restricted to the shared neuron. sign(0) = 0, so a
    weight at exactly 0 stays there. Convention of ``theory.ode``: ``args=(lam,)`` or
    ``args=(lam, same_sign)``.

    Examples
    --------
    >>> from theory.two_features import shared_neuron_rhs
    >>> [round(float(v), 12) for v in shared_neuron_rhs(0.0, [0.5, 0.5], 0.1)]   # same sign: interference
    [0.15, 0.15]
    >>> [round(float(v), 12) for v in shared_neuron_rhs(0.0, [0.5, -0.5], 0.1)]  # opposite: two lone features
    [0.275, -0.275]
    """
    lam = validate.real("lam", lam, minimum=0.0)
    x, w = float(y[0]), float(y[1])
    rho = (x * w > 0) if same_sign is None else bool(same_sign)
    common = 1.0 - x * x - w * w
    fx = (common if rho else 1.0 - x * x) * x - lam * np.sign(x)
    fy = (common if rho else 1.0 - w * w) * w - lam * np.sign(w)
    return np.array([fx, fy])
