"""Closed forms and analytic right-hand sides of the incidental-polysemanticity model.

Pure numpy/scipy functions; no I/O. The model specification lives here and is shared by ``sims``.
"""

from .flow import gradient_flow_rhs
from .loss import Forces, data_gradient, forces, gram, loss, loss_gradient, output_error_derivative
from .noise import NOISE_FAMILIES, NoiseSpec, excess_kurtosis
from .spec import ModelSpec

__all__ = [
    "NOISE_FAMILIES",
    "Forces",
    "ModelSpec",
    "NoiseSpec",
    "data_gradient",
    "excess_kurtosis",
    "forces",
    "gradient_flow_rhs",
    "gram",
    "loss",
    "loss_gradient",
    "output_error_derivative",
]
