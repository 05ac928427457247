"""The model specification shared by ``theory`` and ``sims``.

Model (arXiv 2312.03096 §1): W ∈ R^{n×m}, tied weights, inputs the one-hot basis e_1..e_n,
output y = ReLU(W(Wᵀx + ξ)), loss Σ squared error (summed, not averaged) + λ‖W‖₁,
initialisation W_ik ~ N(0, 1/m).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import validate
from .noise import NoiseSpec

__all__ = ["ModelSpec"]


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """The toy model: ``n`` features, ``m`` hidden neurons, L1 strength ``l1``, optional noise.

    Parameters
    ----------
    n : int
        Number of features (rows of W), n >= 1.
    m : int
        Number of hidden neurons (columns of W), m >= 1. The paper's regime is m >= n, but
        m < n (superposition) is allowed.
    l1 : float
        λ >= 0, the L1 strength in the paper's code normalisation (summed squared error + λ‖W‖₁).
        The gradient-flow analysis of the paper uses λ' = λ/4 in time units 4× faster.
    noise : NoiseSpec or None
        Hidden-layer noise; ``None`` for the deterministic model.
    """

    n: int
    m: int
    l1: float = 0.0
    noise: NoiseSpec | None = None

    def __post_init__(self):
        object.__setattr__(self, "n", validate.integer("n", self.n, minimum=1))
        object.__setattr__(self, "m", validate.integer("m", self.m, minimum=1))
        object.__setattr__(self, "l1", validate.real("l1", self.l1, minimum=0.0))
        if self.noise is not None and not isinstance(self.noise, NoiseSpec):
            raise ValueError(f"noise must be a NoiseSpec or None, got {self.noise!r}")

    @property
    def shape(self) -> tuple[int, int]:
        """Shape (n, m) of one instance's weight matrix."""
        return (self.n, self.m)

    @property
    def init_std(self) -> float:
        """Standard deviation 1/√m of the initial weights, so that E‖W_i‖² = 1."""
        return self.m**-0.5
