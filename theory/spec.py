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

    Output y = ReLU(W(Wᵀx + ξ)) for one-hot x, loss L = Σ (summed) squared error + λ‖W‖₁ with
    λ = ``l1`` in code units, initialisation W_ik ~ N(0, 1/m) (``init_std`` = 1/√m).

    Parameters
    ----------
    n : int
        Number of features (rows of W), n >= 1.
    m : int
        Number of hidden neurons (columns of W), m >= 1. The paper's regime is m >= n, but
        m < n (superposition) is allowed.
    l1 : float
        λ >= 0, the L1 strength in the paper's code normalisation (summed squared error + λ‖W‖₁).
        The gradient-flow analysis of the paper uses λ' = λ/4 with time τ = 4t (t = lr·steps).
    noise : NoiseSpec or None
        Hidden-layer noise; ``None`` for the deterministic model.

    Examples
    --------
    >>> from theory.noise import NoiseSpec
    >>> from theory.spec import ModelSpec
    >>> spec = ModelSpec(n=4, m=16, l1=0.1)
    >>> spec.shape, spec.init_std  # W_ik(0) ~ N(0, 1/m)
    ((4, 16), 0.25)
    >>> noisy = ModelSpec(n=4, m=16, l1=0.1, noise=NoiseSpec(family="gaussian", sigma=0.05))
    >>> noisy.noise.excess_kurtosis
    0.0
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
