"""Closed forms and analytic right-hand sides of the incidental-polysemanticity model.

Pure numpy/scipy functions; no I/O. The model specification lives here and is shared by ``sims``.
"""

from .collisions import (
    IDEALISATIONS,
    expected_overlap_distinct,
    expected_polysemantic_signed_slots,
    neurons_for_no_polysemantic,
    overlap_distribution,
    paper_prediction,
    probability_no_polysemantic,
    variance_overlap_distinct,
    variance_polysemantic_signed_slots,
)
from .flow import gradient_flow_rhs
from .loss import Forces, data_gradient, forces, gram, loss, loss_gradient, output_error_derivative
from .noise import NOISE_FAMILIES, NoiseSpec, excess_kurtosis
from .spec import ModelSpec

__all__ = [
    "IDEALISATIONS",
    "NOISE_FAMILIES",
    "Forces",
    "ModelSpec",
    "NoiseSpec",
    "data_gradient",
    "excess_kurtosis",
    "expected_overlap_distinct",
    "expected_polysemantic_signed_slots",
    "forces",
    "gradient_flow_rhs",
    "gram",
    "loss",
    "loss_gradient",
    "neurons_for_no_polysemantic",
    "output_error_derivative",
    "overlap_distribution",
    "paper_prediction",
    "probability_no_polysemantic",
    "variance_overlap_distinct",
    "variance_polysemantic_signed_slots",
]
