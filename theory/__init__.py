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
from .noise_loss import (
    centred_simplex,
    edgeworth_relu_square_mean,
    expected_loss_bipolar_exact,
    expected_loss_edgeworth,
    expected_loss_gaussian,
    fourth_norm_drift_sign,
    gaussian_relu_error_mean,
    gaussian_relu_square_mean,
    projection_excess_kurtosis,
    projection_moments,
    random_direction_fourth_norm,
    simplex_fourth_norm,
)
from .spec import ModelSpec

__all__ = [
    "IDEALISATIONS",
    "NOISE_FAMILIES",
    "centred_simplex",
    "data_gradient",
    "edgeworth_relu_square_mean",
    "excess_kurtosis",
    "expected_loss_bipolar_exact",
    "expected_loss_edgeworth",
    "expected_loss_gaussian",
    "expected_overlap_distinct",
    "expected_polysemantic_signed_slots",
    "forces",
    "Forces",
    "fourth_norm_drift_sign",
    "gaussian_relu_error_mean",
    "gaussian_relu_square_mean",
    "gradient_flow_rhs",
    "gram",
    "loss",
    "loss_gradient",
    "ModelSpec",
    "neurons_for_no_polysemantic",
    "NoiseSpec",
    "output_error_derivative",
    "overlap_distribution",
    "paper_prediction",
    "probability_no_polysemantic",
    "projection_excess_kurtosis",
    "projection_moments",
    "random_direction_fourth_norm",
    "simplex_fourth_norm",
    "variance_overlap_distinct",
    "variance_polysemantic_signed_slots",
]
