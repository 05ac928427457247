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
three-pt   0 w.p. 1 − p, ±σ/√p w.p. p/2 each            κ = 1/p − 3 ∈ [−2, ∞)
=========  ========================================  ===============

The three-point family ("three-point") has a tunable excess kurtosis κ, given as
``NoiseSpec.kurtosis``; p = 1/(κ + 3) ∈ (0, 1], and κ = −2 (p = 1) is the bipolar law. It is not in
``NOISE_FAMILIES``, whose entries have a fixed kurtosis. Derivation: ``derivations.noise_families``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate

__all__ = ["NOISE_FAMILIES", "TUNABLE_FAMILIES", "NoiseSpec", "excess_kurtosis", "three_point_probability"]

#: Excess kurtosis E[ξ⁴]/σ⁴ − 3 of each family (dimensionless, independent of σ).
NOISE_FAMILIES: dict[str, float] = {
    "bipolar": -2.0,
    "gaussian": 0.0,
    "uniform": -1.2,
    "laplace": 3.0,
}

#: Families whose excess kurtosis is a parameter (``NoiseSpec.kurtosis``), not a constant.
TUNABLE_FAMILIES: tuple[str, ...] = ("three-point",)

_ALL_FAMILIES = tuple(NOISE_FAMILIES) + TUNABLE_FAMILIES


def excess_kurtosis(family: str) -> float:
    """Excess kurtosis κ = E[ξ⁴]/σ⁴ − 3 of a fixed-kurtosis noise family (dimensionless).

    For "three-point" the kurtosis is a parameter: use ``NoiseSpec(...).excess_kurtosis``.

    Examples
    --------
    >>> from theory.noise import excess_kurtosis
    >>> excess_kurtosis("bipolar"), excess_kurtosis("gaussian"), excess_kurtosis("laplace")
    (-2.0, 0.0, 3.0)
    """
    if family in TUNABLE_FAMILIES:
        raise ValueError(f"family {family!r} has a tunable kurtosis: read NoiseSpec(family={family!r}, sigma=..., "
                         f"kurtosis=...).excess_kurtosis")
    validate.choice("family", family, NOISE_FAMILIES)
    return NOISE_FAMILIES[family]


def three_point_probability(kurtosis: float) -> float:
    """p = 1/(κ + 3): the probability that a three-point ξ_k is nonzero (dimensionless, (0, 1]).

    ξ_k = ±σ/√p with probability p/2 each, else 0, has E ξ² = σ² and E ξ⁴/σ⁴ = 1/p, so excess
    kurtosis κ = 1/p − 3. Needs a finite κ >= −2.

    Examples
    --------
    >>> from theory.noise import three_point_probability
    >>> three_point_probability(-2.0), three_point_probability(1.0)  # κ = −2 is the bipolar law
    (1.0, 0.25)
    """
    kurtosis = validate.real("kurtosis", kurtosis, minimum=-2.0)
    return 1.0 / (kurtosis + 3.0)


@dataclass(frozen=True, kw_only=True)
class NoiseSpec:
    """Hidden-layer noise: i.i.d. symmetric ξ_k with Var ξ_k = σ².

    Parameters
    ----------
    family : {"bipolar", "gaussian", "uniform", "laplace", "three-point"}
        Distribution of each coordinate; see the module table.
    sigma : float
        Standard deviation σ > 0 of each coordinate (units of the weights).
    kurtosis : float, optional
        Excess kurtosis κ >= −2 (finite) of the "three-point" family; required for it and not
        allowed for the other families, whose kurtosis is fixed.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.noise import NoiseSpec
    >>> spec = NoiseSpec(family="bipolar", sigma=0.1)
    >>> spec.excess_kurtosis, round(spec.fourth_cumulant, 8)
    (-2.0, -0.0002)
    >>> sorted(set(spec.sample(8, rng=np.random.default_rng(0)).tolist()))
    [-0.1, 0.1]
    >>> tp = NoiseSpec(family="three-point", sigma=0.1, kurtosis=1.0)  # nonzero w.p. p = 1/(κ + 3)
    >>> xi = tp.sample(100_000, rng=np.random.default_rng(0))
    >>> round(float(xi.std()), 2), round(float(np.mean(xi != 0)), 2)
    (0.1, 0.25)
    """

    family: str
    sigma: float
    kurtosis: float | None = None

    def __post_init__(self):
        validate.choice("family", self.family, _ALL_FAMILIES)
        object.__setattr__(self, "sigma", validate.real("sigma", self.sigma, minimum=0.0, strict_min=True))
        if self.family in TUNABLE_FAMILIES:
            if self.kurtosis is None:
                raise ValueError(f"kurtosis must be given (a finite number >= -2) for family {self.family!r}")
            object.__setattr__(self, "kurtosis", validate.real("kurtosis", self.kurtosis, minimum=-2.0))
        elif self.kurtosis is not None:
            raise ValueError(f"kurtosis must be None for family {self.family!r} (its excess kurtosis is fixed at "
                             f"{NOISE_FAMILIES[self.family]:g}); got {self.kurtosis!r}")

    @property
    def excess_kurtosis(self) -> float:
        """E[ξ⁴]/σ⁴ − 3 (dimensionless)."""
        if self.family in TUNABLE_FAMILIES:
            return self.kurtosis
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
        if self.family == "laplace":
            return rng.laplace(0.0, s / np.sqrt(2.0), size=size)
        # three-point: one uniform draw u per entry; −a if u < p/2, +a if p/2 <= u < p, else 0
        p = three_point_probability(self.kurtosis)
        a = s / np.sqrt(p)
        u = rng.random(size)
        return np.where(u < p, np.where(u < 0.5 * p, -a, a), 0.0)
