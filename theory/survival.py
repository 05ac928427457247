"""Incidental ± pairs that survive co-occurrence, and the predictions built on that survival law.

A ± pair of features sharing one neuron (an incidental collision) survives training with co-occurrence
probability p with probability S = exp(−κp/λ), κ a rate *measured* by simulation (the ledger claim
cooccurrence.survival-exponential; it is not derived here, so every function takes it as a required
argument). With n(n − 1)/(4m) collisions expected from N(0, 1/m) starts
(``collision_pairs``), the expected surviving pairs are
μ(p) = n(n − 1)/(4m)·exp(−κp/λ). Counts are neurons per instance; p and λ in code units (λ of the
summed-squared-error loss), so κp/λ is dimensionless.
"""

from __future__ import annotations

import numpy as np

from .cooccurrence import monosemantic_weight, shared_pair_cost

__all__ = ["collision_pairs", "incidental_half_probability", "one_move_fraction", "regime_counts", "repair_saving",
           "surviving_pairs"]


def collision_pairs(n, m):
    """n(n − 1)/(4m): opposite-sign collision pairs from N(0, 1/m) starts, for any n, m ≥ 1 (broadcasts).

    The mean of the distinct-neurons idealisation (``theory.collisions.expected_overlap_distinct``, which
    requires m ≥ n) read as a formula beyond m = n, where the regime map needs it next to the (n − m)₊
    forced pairs.

    Examples
    --------
    >>> from theory.survival import collision_pairs
    >>> collision_pairs(32, 128), collision_pairs(16, 8)
    (1.9375, 7.5)
    """
    n = np.asarray(n, dtype=float)
    out = n * (n - 1) / (4 * np.asarray(m, dtype=float))
    return float(out) if out.ndim == 0 else out


def surviving_pairs(p, n: int, m: int, l1: float, *, kappa: float):
    """μ(p) = n(n − 1)/(4m)·exp(−κp/λ): incidental ± pairs expected after training with co-occurrence p.

    The distinct-neurons collision count times the survival S = exp(−κp/λ); broadcasts over p.

    Examples
    --------
    >>> from theory.survival import surviving_pairs
    >>> round(float(surviving_pairs(0.0, 32, 128, 0.1, kappa=9.7)), 4)
    1.9375
    >>> round(float(surviving_pairs(0.01, 32, 128, 0.1, kappa=9.7)), 4)
    0.7345
    """
    return collision_pairs(n, m) * np.exp(-kappa * np.asarray(p, dtype=float) / l1)


def one_move_fraction(p, n: int, m: int, l1: float, *, kappa: float):
    """1 − exp(−μ(p)): the fraction of trained solutions one move from a strictly better one.

    With Poisson-distributed surviving pairs of mean μ(p) (``surviving_pairs``), a solution has at least one
    pair that costs Δ(p) > 0 with probability 1 − exp(−μ); 0 at p = 0, where a ± pair is free.

    Examples
    --------
    >>> from theory.survival import one_move_fraction
    >>> [round(float(f), 3) for f in one_move_fraction([0.0, 0.01], 32, 128, 0.1, kappa=9.7)]
    [0.0, 0.52]
    """
    p = np.asarray(p, dtype=float)
    return np.where(p > 0, -np.expm1(-surviving_pairs(p, n, m, l1, kappa=kappa)), 0.0)


def repair_saving(p, n: int, m: int, l1: float, *, kappa: float):
    """μ(p)·Δ(p): surviving pairs times the price of each, Δ(p) = 2p[1 − (1 − w*²)²] at w* = w*(λ).

    The mean loss a repair saves per trained solution (loss per active feature, as L_p).

    Examples
    --------
    >>> from theory.survival import repair_saving
    >>> float(repair_saving(0.0, 32, 128, 0.1, kappa=9.7))
    0.0
    """
    p = np.asarray(p, dtype=float)
    return surviving_pairs(p, n, m, l1, kappa=kappa) * np.asarray(shared_pair_cost(p, monosemantic_weight(l1)),
                                                                   dtype=float)


def regime_counts(n: int, m: int, p: float, l1: float, *, kappa: float) -> tuple[float, float]:
    """(incidental, necessary) polysemantic neurons expected of 1-sparse solutions, n ≤ 2m.

    max(0, n − m) pairs are forced (necessary); of the n(n − 1)/(4m) collision pairs of the distinct
    idealisation, those beyond the forced ones are incidental and survive co-occurrence with probability
    exp(−κp/λ): incidental = [n(n − 1)/(4m) − (n − m)₊]₊·exp(−κp/λ).

    Examples
    --------
    >>> from theory.survival import regime_counts
    >>> regime_counts(16, 8, 0.0, 0.05, kappa=9.7)
    (0.0, 8.0)
    >>> regime_counts(8, 8, 0.0, 0.05, kappa=9.7)
    (1.75, 0.0)
    """
    necessary = float(max(0, n - m))
    collisions = collision_pairs(n, m)
    return max(0.0, collisions - necessary) * float(np.exp(-kappa * p / l1)), necessary


def incidental_half_probability(n, m: int, l1: float, *, kappa: float):
    """The co-occurrence p at which the expected incidental count falls to 1/2 (NaN where it is ≤ 1/2 at p = 0).

    Solves c·exp(−κp/λ) = 1/2 with c = n(n − 1)/(4m) − (n − m)₊ (``regime_counts``): p = (λ/κ)·log 2c.
    ``n`` may be an array (a real-valued n draws the boundary of the regime map).

    Examples
    --------
    >>> from theory.survival import incidental_half_probability
    >>> round(float(incidental_half_probability(8, 8, 0.05, kappa=9.7)), 5)
    0.00646
    """
    n = np.asarray(n, dtype=float)
    c = np.maximum(collision_pairs(n, m) - np.maximum(n - m, 0), 1e-9)
    return np.where(c > 0.5, l1 / kappa * np.log(2 * c), np.nan)
