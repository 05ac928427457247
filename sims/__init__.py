"""Numerical experiments: training loops, gradient-flow integration, metrics, CLI."""

from .collisions_mc import sample_polysemantic_counts
from .diagnosis import NeuronDiagnosis, RepairResult, diagnose, one_move_from_better, repair
from .flow import FlowResult, integrate_gradient_flow
from .metrics import (
    PAPER_BAND,
    active_count,
    band_polysemantic_count,
    dominant_neurons,
    dominant_polysemantic_count,
    feature_dimensionality,
    fourth_norm,
    l1_norms,
    multi_feature_neurons,
    start_end_correlation,
    winner_initial_rank,
)
from .schedule import Schedule
from .single_feature import BruteForceSolution, ReducedSolution, integrate_single_feature, solve_reduced
from .train import DivergenceError, TrainConfig, TrainResult, default_metrics, initial_weights, train

__all__ = [
    "NeuronDiagnosis",
    "RepairResult",
    "diagnose",
    "one_move_from_better",
    "repair",
    "BruteForceSolution",
    "ReducedSolution",
    "integrate_single_feature",
    "solve_reduced",
    "PAPER_BAND",
    "DivergenceError",
    "FlowResult",
    "Schedule",
    "TrainConfig",
    "TrainResult",
    "active_count",
    "band_polysemantic_count",
    "default_metrics",
    "dominant_neurons",
    "dominant_polysemantic_count",
    "feature_dimensionality",
    "fourth_norm",
    "initial_weights",
    "integrate_gradient_flow",
    "l1_norms",
    "multi_feature_neurons",
    "sample_polysemantic_counts",
    "start_end_correlation",
    "train",
    "winner_initial_rank",
]
