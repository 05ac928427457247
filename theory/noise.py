"""Hidden-layer noise families: moments and sampling.

The paper adds ξ ∈ R^m to the hidden layer, one fresh draw per optimiser step, shared by all
inputs and all instances (arXiv 2312.03096, §1.3 of ``shared/research/paper.md``). Every family
here is symmetric, i.i.d. per neuron, and scaled to variance exactly σ².

=========  ========================================  ===============
family     distribution of ξ_k                        excess kurtosis
=========  ========================================  ===============
bipolar    ±σ with probability 1/2 (paper: Bernoulli)  −2
gaussian   N(0, σ²)                                    0
uniform    U(−√3 σ, √3 σ)                              −6/5
laplace    Laplace(0, σ/√2)                            +3
=========  ========================================  ===============
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate

__all__ = ["NOISE_FAMILIES", "NoiseSpec", "excess_kurtosis"]

#: Excess kurtosis E[ξ⁴]/σ⁴ − 3 of each family (dimensionless, independent of σ).
NOISE_FAMILIES: dict[str, float] = {
    "bipolar": -2.0,
    "gaussian": 0.0,
    "uniform": -1.2,
    "laplace": 3.0,
}


def excess_kurtosis(family: str) -> float:
    """Excess kurtosis κ = E[ξ⁴]/σ⁴ − 3 of a noise family (dimensionless)."""
    _validate.choice("family", family, NOISE_FAMILIES)
    return NOISE_FAMILIES[family]


@dataclass(frozen=True, kw_only=True)
class NoiseSpec:
    """Hidden-layer noise: i.i.d. symmetric ξ_k with Var ξ_k = σ².

    Parameters
    ----------
    family : {"bipolar", "gaussian", "uniform", "laplace"}
        Distribution of each coordinate; see the module table.
    sigma : float
        Standard deviation σ > 0 of each coordinate (units of the weights).
    """

    family: str
    sigma: float

    def __post_init__(self):
        _validate.choice("family", self.family, NOISE_FAMILIES)
        object.__setattr__(self, "sigma", _validate.real("sigma", self.sigma, minimum=0.0, strict_min=True))

    @property
    def excess_kurtosis(self) -> float:
        """E[ξ⁴]/σ⁴ − 3 (dimensionless)."""
        return NOISE_FAMILIES[self.family]

    @property
    def fourth_cumulant(self) -> float:
        """κ₄ = E[ξ⁴] − 3σ⁴ = (excess kurtosis)·σ⁴."""
        return self.excess_kurtosis * self.sigma**4

    def sample(self, size, *, rng: np.random.Generator) -> np.ndarray:
        """Draw float64 noise of shape ``size`` from ``rng``, each entry with variance σ²."""
        s = self.sigma
        if self.family == "bipolar":
            return np.where(rng.integers(0, 2, size=size, dtype=np.int8) == 1, s, -s)
        if self.family == "gaussian":
            return rng.normal(0.0, s, size=size)
        if self.family == "uniform":
            a = np.sqrt(3.0) * s
            return rng.uniform(-a, a, size=size)
        return rng.laplace(0.0, s / np.sqrt(2.0), size=size)
