"""The L1 price of a feature's path through the two-layer circuit model, and why an aligned ± pair is cheaper.

Model (``theory.circuits``; code units: squared error summed over inputs and outputs, λ = ``l1``): one-hot inputs,
M = W1 V W2ᵀ, output ReLU(M), L = Σ_ij (ReLU(M_ij) − T_ij)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁). Every loss below is
*per feature* (the configuration's loss divided by the features it serves); weights are magnitudes ≥ 0.

Three configurations of the paths of two features (derivation ``circuits.path-weights``):

* ``"private"``: each feature on its own path, W1_ia = a, V_ab = v, W2_π(i)b = a′ on neurons nobody else uses.
  The data term depends only on the product p = a v a′ and, at fixed p, a + v + a′ ≥ 3p^{1/3} (AM–GM), with
  equality at a = v = a′ = w. Per feature

      L(w) = (1 − w³)² + 3λw,   stationary where 2w²(1 − w³) = λ,

  a quintic solved by a 1-D root (the larger of its two roots in (0, 1)). As λ → 0, w = 1 and the L1 price is
  3λ per feature, 6λ for two.
* ``"aligned"``: a ± pair that shares a neuron in *both* layers, W1 = (+a, −a)ᵀ on one layer-1 neuron, one weight
  v of V, W2 = (+a′, −a′)ᵀ on one layer-2 neuron. Then M = p [[1, −1], [−1, 1]]: the two cross connections
  −p < 0 are removed by the ReLU and cost nothing with one-hot inputs. The pair pays 2(1 − p)² + λ(2a + v + 2a′);
  at fixed p, 2a + v + 2a′ ≥ 3(4p)^{1/3} with equality at 2a = v = 2a′. One weight of V serves two features,
  so per feature the L1 price is a + v/2 + a′ and the pair is a private path at the smaller strength

      λ′ = 2^{−1/3} λ ≈ 0.794 λ:   a = a′ = 2^{−1/3} w′,  v = 2^{2/3} w′,  p = w′³,  2w′²(1 − w′³) = λ′.

  As λ → 0: a = a′ = 4^{1/3}/2 ≈ 0.794, v = 4^{1/3} ≈ 1.587, an L1 price of 3·4^{1/3} λ ≈ 4.762λ per pair.
* ``"unaligned"``: the same ± pair on one layer-1 neuron (W1 = (+a, −a)ᵀ), but two weights of V to two layer-2
  neurons (read-outs a′₁, a′₂). The cross connections are again negative and free, but the pair pays
  λ(2a + v₁ + v₂ + a′₁ + a′₂) ≥ 6λp^{1/3}, equality at a = v = a′ = p^{1/3}: exactly two private paths (and so
  is a pair sharing only a layer-2 neuron). Sharing one layer saves nothing; sharing the middle weight does.

The exact saving of an aligned pair over two private (or unaligned) paths, per pair,

    S(λ) = 2[F(λ) − F(2^{−1/3} λ)],   F(λ) = min_w (1 − w³)² + 3λw,
    S(λ) = (6 − 3·4^{1/3})λ − (1 − 2^{−2/3})λ²/2 − λ³/12 + O(λ⁴) ≈ 1.238λ − 0.185λ² − 0.083λ³,

is positive for every λ > 0. Learning threshold: the path beats the dead one (all weights 0, loss 1 per feature)
while λ < λ_c = (2/5)(4/5)^{2/3} ≈ 0.3447 (there w³ = 4/5); an aligned pair is learned up to 2^{1/3}λ_c ≈ 0.4343,
so for λ between the two only the polysemantic pair is learned at all.

Contrast (``theory.cooccurrence``): in the tied one-layer model a ± pair W = (w, −w) on one neuron pays
(1 − w²)² + λw per feature, exactly a monosemantic feature's price: there the pair is free, not cheaper. With
L1 on every layer of the circuit model the aligned pair is *favoured*: polysemanticity lowers the loss. This
explains why trained circuits align every layer-1 ± pair (ledger ``circuits.alignment``) and why such pairs
exceed chance; it does not predict how many pairs training finds (the fully paired model is the lowest loss;
reaching it is a matter of the dynamics).

Examples
--------
>>> from theory.circuit_paths import aligned_pair_saving, path_weights
>>> r = path_weights(0.1, configuration="aligned")
>>> round(r.w1, 4), round(r.v, 4), round(r.w2, 4), round(r.loss, 4)
(0.7828, 1.5655, 0.7828, 0.2365)
>>> round(path_weights(0.1, configuration="private").loss, 4), round(aligned_pair_saving(0.1), 4)
(0.2974, 0.1218)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from . import validate

__all__ = [
    "ALIGNED_L1_FACTOR",
    "CONFIGURATIONS",
    "LEARNING_THRESHOLD",
    "PathWeights",
    "aligned_pair_saving",
    "aligned_pair_saving_series",
    "learning_threshold",
    "path_weights",
]

#: The configurations: one feature per path; a ± pair sharing a neuron in both layers and one weight of V;
#: a ± pair sharing a layer-1 neuron only (two weights of V, two layer-2 neurons).
CONFIGURATIONS = ("private", "aligned", "unaligned")
#: λ′/λ of an aligned pair: its per-feature problem is a private path's at λ′ = 2^{−1/3} λ.
ALIGNED_L1_FACTOR = 2.0 ** (-1.0 / 3.0)
#: λ_c = (2/5)(4/5)^{2/3}: a private path is the global minimum for λ < λ_c (w³ = 4/5 there), the dead one above.
LEARNING_THRESHOLD = 0.4 * 0.8 ** (2.0 / 3.0)
#: argmax of 2w²(1 − w³), w³ = 2/5: the stationary equation has a root above it iff λ ≤ 2w²(1 − w³) there.
_PEAK = 0.4 ** (1.0 / 3.0)


@dataclass(frozen=True, kw_only=True)
class PathWeights:
    """The loss-minimising weights of one configuration (``path_weights``) at L1 strength λ.

    ``w1``, ``v``, ``w2``: magnitudes of the feature's W1 entry, of its V weight and of its read-out W2 entry
    (the aligned pair: each feature's ±a, the shared v, ±a′); ``product``: the intended virtual weight
    p = w1·v·w2; ``loss``: the configuration's loss per feature, (1 − p)² + λ·(L1 norm)/features (code units);
    ``features``: features the configuration serves (1 or 2); ``learned``: False when the dead configuration
    (all weights 0, loss 1) is the minimum, λ ≥ ``learning_threshold(configuration)``.

    Examples
    --------
    >>> from theory.circuit_paths import path_weights
    >>> pair = path_weights(0.1, configuration="aligned")
    >>> round(pair.w1, 4), round(pair.v, 4), round(pair.l1_norm, 4), pair.features
    (0.7828, 1.5655, 4.6965, 2)
    """

    configuration: str
    l1: float
    w1: float
    v: float
    w2: float
    product: float
    loss: float
    features: int
    learned: bool

    @property
    def l1_norm(self) -> float:
        """‖W1‖₁ + ‖V‖₁ + ‖W2‖₁ of the whole configuration (its ``features`` features)."""
        if self.configuration == "private":
            return self.w1 + self.v + self.w2
        if self.configuration == "aligned":
            return 2 * self.w1 + self.v + 2 * self.w2
        return 2 * self.w1 + 2 * self.v + 2 * self.w2


def _private_root(lam: float) -> float:
    """The larger root w ∈ [(2/5)^{1/3}, 1] of 2w²(1 − w³) = λ, for 0 ≤ λ ≤ 2w²(1 − w³) at its peak."""
    if lam == 0.0:
        return 1.0
    return float(brentq(lambda w: 2 * w * w * (1 - w**3) - lam, _PEAK, 1.0, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def _private_loss(lam: float) -> tuple[float, bool]:
    """(F(λ), learned): F = min over w ≥ 0 of (1 − w³)² + 3λw per feature."""
    if lam >= LEARNING_THRESHOLD:
        return 1.0, False
    w = _private_root(lam)
    return (1 - w**3) ** 2 + 3 * lam * w, True


def learning_threshold(configuration: str) -> float:
    """λ at which the configuration's path stops beating the dead one: λ_c = (2/5)(4/5)^{2/3} ≈ 0.3447 (private,
    unaligned), 2^{1/3}λ_c ≈ 0.4343 (aligned). Code units of λ.

    At λ_c the stationary w has w³ = 4/5 and (1 − w³)² + 3λ_c w = 1 (derivation ``circuits.path-weights``).

    Examples
    --------
    >>> from theory.circuit_paths import learning_threshold
    >>> round(learning_threshold("private"), 4), round(learning_threshold("aligned"), 4)
    (0.3447, 0.4343)
    """
    validate.choice("configuration", configuration, CONFIGURATIONS)
    return LEARNING_THRESHOLD / ALIGNED_L1_FACTOR if configuration == "aligned" else LEARNING_THRESHOLD


def path_weights(l1: float, *, configuration: str) -> PathWeights:
    """The exact minimiser of one configuration's loss (1 − p)² + λ(L1)/features per feature, p = w1·v·w2.

    private, unaligned: w1 = v = w2 = w, 2w²(1 − w³) = λ, loss (1 − w³)² + 3λw;
    aligned: w1 = w2 = 2^{−1/3}w′, v = 2^{2/3}w′, 2w′²(1 − w′³) = 2^{−1/3}λ, loss (1 − w′³)² + 3·2^{−1/3}λw′.
    Above the learning threshold the minimum is the dead configuration (weights 0, loss 1 per feature).

    Parameters
    ----------
    l1 : float
        λ >= 0, the L1 strength of all three matrices (code units, as ``theory.circuits.CircuitSpec.l1``).
    configuration : {"private", "aligned", "unaligned"}
        See the module docstring.

    Returns
    -------
    PathWeights

    Examples
    --------
    >>> from theory.circuit_paths import path_weights
    >>> r = path_weights(0.0, configuration="aligned")  # λ → 0: AM–GM, 2a = v = 2a′ = 4^{1/3}
    >>> round(r.w1, 6), round(r.v, 6), r.product
    (0.793701, 1.587401, 1.0)
    >>> p = path_weights(0.1, configuration="private")
    >>> round(p.w1, 4), p.w1 == p.v == p.w2, round(p.loss, 4)
    (0.9824, True, 0.2974)
    >>> path_weights(0.4, configuration="private").learned, path_weights(0.4, configuration="aligned").learned
    (False, True)
    """
    lam = validate.real("l1", l1, minimum=0.0)
    validate.choice("configuration", configuration, CONFIGURATIONS)
    factor = ALIGNED_L1_FACTOR if configuration == "aligned" else 1.0
    loss, learned = _private_loss(factor * lam)
    w = _private_root(factor * lam) if learned else 0.0
    if configuration == "aligned":
        w1 = v = w2 = 0.0
        if learned:
            w1 = w2 = ALIGNED_L1_FACTOR * w
            v = w / ALIGNED_L1_FACTOR**2
    else:
        w1 = v = w2 = w
    return PathWeights(configuration=configuration, l1=lam, w1=w1, v=v, w2=w2, product=w**3, loss=loss,
                       features=1 if configuration == "private" else 2, learned=learned)


def aligned_pair_saving(l1: float) -> float:
    """S(λ) = 2[F(λ) − F(2^{−1/3}λ)]: how much less an aligned ± pair loses than two private paths, per pair.

    F(λ) = min_w (1 − w³)² + 3λw is the per-feature minimum (``path_weights``), 1 above the learning threshold.
    Code units (loss summed over the pair's two features); S > 0 for every λ > 0, S(0) = 0;
    S ≈ (6 − 3·4^{1/3})λ ≈ 1.238λ at small λ (``aligned_pair_saving_series``); S = 2 − 2F(2^{−1/3}λ) between
    the two learning thresholds, 0 above both. Two unaligned features save nothing (their loss is the private one).

    Examples
    --------
    >>> from theory.circuit_paths import aligned_pair_saving
    >>> round(aligned_pair_saving(0.1), 5), aligned_pair_saving(0.0), aligned_pair_saving(1.0)
    (0.12184, 0.0, 0.0)
    """
    lam = validate.real("l1", l1, minimum=0.0)
    return 2 * (_private_loss(lam)[0] - _private_loss(ALIGNED_L1_FACTOR * lam)[0])


def aligned_pair_saving_series(l1: float) -> float:
    """(6 − 3·4^{1/3})λ − (1 − 2^{−2/3})λ²/2 − λ³/12: ``aligned_pair_saving`` to O(λ⁴), code units per pair.

    From F(λ) = 3λ − λ²/4 − λ³/12 + O(λ⁴) (envelope: dF/dλ = 3w, w = 1 − λ/6 − λ²/12 + O(λ³); derivation
    ``circuits.path-weights``). Relative error ≈ 0.05λ³ at small λ (6e-5 at the study's λ = 0.1, 5e-4 at λ = 0.2).

    Examples
    --------
    >>> from theory.circuit_paths import aligned_pair_saving_series
    >>> round(aligned_pair_saving_series(0.1), 5)
    0.12185
    """
    lam = validate.real("l1", l1, minimum=0.0)
    return (6 - 3 * 4 ** (1 / 3)) * lam - (1 - 2 ** (-2 / 3)) * lam**2 / 2 - lam**3 / 12
