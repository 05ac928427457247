"""Counting circuits through polysemantic neurons: how many feature pairs one weight of V governs, how many
spurious virtual weights a placement creates, their signs, and what they cost.

Model (``theory.circuits``, an extension of arXiv 2312.03096 §1 to two hidden layers, not in the paper):
one-hot inputs e_i, linear hidden layers of widths m1, m2, virtual weights M = W1 V W2ᵀ (n × n, row: input
feature, column: output feature), output ReLU(M), target T_iπ(i) = 1 for the identity or a permutation π, and
L = Σ(ReLU(M) − T)² + λ(‖W1‖₁ + ‖V‖₁ + ‖W2‖₁). Layer-1 neuron a holds the input features F_a (those whose
dominant neuron is a), layer-2 neuron b the output features F′_b (those whose read-out row W2_c is dominated
by b). Feature i's *path* is the weight V[a_i, b_π(i)]; it governs |F_a|·|F′_b| (input, output) pairs.

The idealisation (independent placement, after the winner-take-all of each layer):

* each input feature i sits on one layer-1 neuron a_i, each output feature c on one layer-2 neuron b_c,
  every one uniformly and independently; q1 (q2) is the probability that two given features share a
  neuron of layer 1 (layer 2);
* ``placement="independent"``: q = 1/m, uniform over the m neurons (the plain birthday picture, also the
  superposition regime n > m);
* ``placement="signed"``: q = 1/(2m), uniform over the 2m signed slots (neuron, sign): the paper's
  incidental regime, in which only opposite-sign collisions survive the L1 winner-take-all, so two
  features share a neuron with probability 1/(2m) (n(n − 1)/(4m) shared pairs, the paper's n²/(4m) law;
  ``theory.collisions.expected_polysemantic_signed_slots`` is the same placement). Features sharing a
  neuron are taken to have opposite signs (the *sign rule* below);
* V is nonzero exactly on the *used* weights (a_i, b_π(i)), one per feature's intended path, with the
  sign that makes that feature's intended M_iπ(i) positive; W1 and W2 rows are one-hot (their dominant
  neuron only).

Because π is a bijection and the b's are i.i.d., the pairs (a_i, b_π(i)) are i.i.d. over i. Write j′ for
the input whose intended output is c, c = π(j′). Results (derivations ``circuits.path-pairs``,
``circuits.spurious-count``, ``circuits.sign-rule``, ``circuits.cooccurrence-cost``; every count is exact
under the idealisation, for any n, m1, m2, and is a number of feature pairs or of virtual weights):

* |F_a| of the neuron a feature sits on is 1 + Bin(n − 1, q); a feature's path governs
  (1 + Bin(n − 1, q1))(1 + Bin(n − 1, q2)) pairs, mean (1 + (n − 1)q1)(1 + (n − 1)q2) (the two layers
  independent: no alignment); a uniformly chosen weight of V governs Bin(n, q1)·Bin(n, q2) pairs.
* An off-target entry (i, π(j′)), j′ ≠ i, is nonzero iff the weight (a_i, b_π(j′)) is used, i.e. iff
  A: b_π(i) = b_π(j′) (i's own path carries it), B: a_j′ = a_i (j′'s path carries it), or C_j: a third
  feature j ∉ {i, j′} has a_j = a_i and b_π(j) = b_π(j′). Given (a_i, b_π(j′)) these n events are
  independent with probabilities q2, q1 and q1q2, so E[#spurious] = n(n − 1)[1 − (1 − q1)(1 − q2)(1 − q1q2)^{n−2}].
* Sign rule: the connection carried by feature j's path has sign sign(W1_ia W1_ja)·sign(W2_cb W2_π(j)b).
  With opposite signs for features sharing a neuron, a connection carried by i's or j′'s own path (one
  sharing) is negative: the output ReLU removes it and it costs nothing with one-hot inputs. One carried
  only by third features (a sharing in each layer, not aligned) is positive: an error the loss pays,
  ReLU(M_ic)². Entries carried by both kinds are "mixed" (sign set by magnitudes).
* Alignment: if training lines up every layer-1 group with one private layer-2 neuron, a feature with
  X ≥ 1 layer-1 partners governs (1 + X)² pairs and one without governs 1 + (its lonely layer-2 partners)
  (``aligned_path_pairs_mean``).
* Costs under co-occurrence (inputs active independently with probability p, loss per active feature as
  ``theory.cooccurrence``): a negative connection −v into output c, against c's intended weight u, costs
  p[(1 − max(u − v, 0))² − (1 − u)²]; a ± pair (two connections −u against u) costs 2p[1 − (1 − u)²], which
  is the one-layer tied model's Δ(p) = ``theory.cooccurrence.shared_pair_cost(p, w)`` with u = w².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from . import validate
from .collisions import _integers, _out

__all__ = [
    "PLACEMENTS",
    "SpuriousSignMeans",
    "aligned_path_pairs_mean",
    "alignment_chance",
    "member_set_size_mean",
    "negative_connection_cost",
    "path_pairs_mean",
    "path_pairs_pmf",
    "sharing_probability",
    "spurious_count_mean",
    "spurious_pair_cost",
    "spurious_sign_means",
    "weight_pairs_pmf",
]

#: The two placements: uniform over m neurons (q = 1/m) or over 2m signed slots (q = 1/(2m)).
PLACEMENTS = ("independent", "signed")


def _q(m: np.ndarray, placement: str) -> np.ndarray:
    validate.choice("placement", placement, PLACEMENTS)
    return 1.0 / (m.astype(float) * (2 if placement == "signed" else 1))


def _sizes(n, m1, m2, placement):
    n = _integers("n", n, minimum=1)
    q1 = _q(_integers("m1", m1, minimum=1), placement)
    q2 = _q(_integers("m2", m2, minimum=1), placement)
    return np.broadcast_arrays(n.astype(float), q1, q2)


def _scalar_sizes(n, m1, m2, placement) -> tuple[int, float, float]:
    n = validate.integer("n", n, minimum=1)
    m1 = validate.integer("m1", m1, minimum=1)
    m2 = validate.integer("m2", m2, minimum=1)
    return n, float(_q(np.asarray(m1), placement)), float(_q(np.asarray(m2), placement))


def sharing_probability(m, *, placement: str = "independent"):
    """q = 1/m (``"independent"``) or 1/(2m) (``"signed"``): the chance that two given features share a neuron.

    Parameters
    ----------
    m : int or array of int
        Neurons in the layer, ≥ 1.
    placement : {"independent", "signed"}
        Uniform over the m neurons, or over the 2m signed slots (only opposite-sign sharing survives).

    Returns
    -------
    float or ndarray
        Probability (dimensionless).

    Examples
    --------
    >>> from theory.circuit_counts import sharing_probability
    >>> sharing_probability(4), sharing_probability(4, placement="signed")
    (0.25, 0.125)
    >>> sharing_probability([1, 2]).tolist()
    [1.0, 0.5]
    """
    return _out(_q(_integers("m", m, minimum=1), placement))


def member_set_size_mean(n, m, *, placement: str = "independent"):
    """E|F_a| = 1 + (n − 1)q for the neuron a that a given feature sits on (features, ≥ 1).

    The feature itself plus Bin(n − 1, q) partners. Derivation ``circuits.path-pairs``.

    Parameters
    ----------
    n, m : int or array of int
        Features (≥ 1) and neurons in the layer (≥ 1); broadcast together.
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) (``sharing_probability``).

    Examples
    --------
    >>> from theory.circuit_counts import member_set_size_mean
    >>> member_set_size_mean(9, 4), member_set_size_mean(9, 4, placement="signed")
    (3.0, 2.0)
    """
    n, q, _ = _sizes(n, m, m, placement)
    return _out(1 + (n - 1) * q)


def path_pairs_mean(n, m1, m2, *, placement: str = "independent"):
    """E[|F_a||F′_b|] = (1 + (n − 1)q1)(1 + (n − 1)q2) on a given feature's path weight V[a_i, b_π(i)].

    The (input, output) feature pairs that the weight on a feature's intended path governs, with the two
    layers placed independently (no alignment). 1 when both layers are wide (q → 0), n² when m1 = m2 = 1.
    Derivation ``circuits.path-pairs``.

    Parameters
    ----------
    n, m1, m2 : int or array of int
        Features and the widths of the two hidden layers (each ≥ 1); broadcast together.
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) in each layer.

    Returns
    -------
    float or ndarray
        Expected number of feature pairs.

    Examples
    --------
    >>> from theory.circuit_counts import path_pairs_mean
    >>> path_pairs_mean(9, 4, 8)  # (1 + 8/4)(1 + 8/8)
    6.0
    >>> path_pairs_mean(9, 4, 8, placement="signed")  # (1 + 8/8)(1 + 8/16)
    3.0
    """
    n, q1, q2 = _sizes(n, m1, m2, placement)
    return _out((1 + (n - 1) * q1) * (1 + (n - 1) * q2))


def _product_pmf(x1: np.ndarray, p1: np.ndarray, x2: np.ndarray, p2: np.ndarray, size: int) -> np.ndarray:
    """P(K = k), k = 0 … size − 1, of K = X1·X2 for independent X1, X2 with values x and probabilities p."""
    k = np.multiply.outer(x1, x2).ravel()
    return np.bincount(k, weights=np.multiply.outer(p1, p2).ravel(), minlength=size)


def path_pairs_pmf(n: int, m1: int, m2: int, *, placement: str = "independent") -> np.ndarray:
    """P(k), k = 0 … n², of the pairs a given feature's path weight governs: (1 + Bin(n−1, q1))(1 + Bin(n−1, q2)).

    Parameters
    ----------
    n, m1, m2 : int
        Features and the widths of the two hidden layers (each ≥ 1).
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) in each layer.

    Returns
    -------
    ndarray, shape (n² + 1,)
        Probabilities (0 for k = 0 and for every k that is not a product of two factors ≤ n); sums to 1,
        mean ``path_pairs_mean``. Derivation ``circuits.path-pairs`` (generating functions).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuit_counts import path_pairs_pmf
    >>> P = path_pairs_pmf(2, 2, 2)  # each layer: the other feature shares with probability 1/2
    >>> P.round(12).tolist()
    [0.0, 0.25, 0.5, 0.0, 0.25]
    >>> round(float(P @ np.arange(P.size)), 12)  # (1 + 1/2)²
    2.25
    """
    n, q1, q2 = _scalar_sizes(n, m1, m2, placement)
    x = np.arange(n)
    return _product_pmf(1 + x, stats.binom.pmf(x, n - 1, q1), 1 + x, stats.binom.pmf(x, n - 1, q2), n * n + 1)


def weight_pairs_pmf(n: int, m1: int, m2: int, *, placement: str = "independent") -> np.ndarray:
    """P(k), k = 0 … n², of the pairs |F_a|·|F′_b| one weight of V governs, |F_a| ~ Bin(n, q1), |F′_b| ~ Bin(n, q2).

    The distribution over all m1·m2 weights (over all 2m1·2m2 signed-slot weights for ``"signed"``) of a
    uniformly chosen one: exact under independent placement (a given neuron receives each feature with
    probability q, and the two layers are independent). P(0) is the fraction of weights no path can use;
    the mean is n²q1q2.

    Parameters
    ----------
    n, m1, m2 : int
        Features and the widths of the two hidden layers (each ≥ 1).
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) in each layer.

    Returns
    -------
    ndarray, shape (n² + 1,)
        Probabilities, summing to 1. Derivation ``circuits.path-pairs``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.circuit_counts import weight_pairs_pmf
    >>> P = weight_pairs_pmf(2, 2, 2)
    >>> P.round(12).tolist()  # |F_a|, |F'_b| ~ Bin(2, 1/2): P(product = 0) = 1 − (3/4)²
    [0.4375, 0.25, 0.25, 0.0, 0.0625]
    >>> round(float(P @ np.arange(P.size)), 12)  # n² q1 q2
    1.0
    """
    n, q1, q2 = _scalar_sizes(n, m1, m2, placement)
    x = np.arange(n + 1)
    return _product_pmf(x, stats.binom.pmf(x, n, q1), x, stats.binom.pmf(x, n, q2), n * n + 1)


def _log_zero_probabilities(n, q1, q2):
    """log[(1 − q1)(1 − q2)] (no own-path carrier) and log(1 − q1q2)^{n−2} (no third-feature carrier), in log1p
    form so that 1 − their product keeps full relative precision when q1, q2 → 0 (−inf where a factor is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = −inf; 0·(−inf) only in the discarded branch
        own = np.log1p(-q1) + np.log1p(-q2)
        third = np.where(n > 2, np.maximum(n - 2, 0) * np.log1p(-q1 * q2), 0.0)  # no third feature at n = 2
    return own, third


def spurious_count_mean(n, m1, m2, *, placement: str = "independent"):
    """E[#nonzero off-target entries of M] = n(n − 1)[1 − (1 − q1)(1 − q2)(1 − q1q2)^{n−2}].

    Entry (i, π(j′)), j′ ≠ i, is nonzero iff the weight (a_i, b_π(j′)) is used: by i's own path
    (b_π(i) = b_π(j′), probability q2), by j′'s path (a_j′ = a_i, q1) or by a third feature's
    (a_j = a_i and b_π(j) = b_π(j′), q1q2 for each of the n − 2), independent given (a_i, b_π(j′)).
    Derivation ``circuits.spurious-count`` (inclusion–exclusion and exact enumeration).

    Parameters
    ----------
    n, m1, m2 : int or array of int
        Features and the widths of the two hidden layers (each ≥ 1); broadcast together.
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) in each layer.

    Returns
    -------
    float or ndarray
        Expected number of spurious virtual weights, of either sign (0 at n = 1, → 0 as m1, m2 → ∞,
        n(n − 1) at m1 = m2 = 1). About n(n − 1)(q1 + q2) when q1, q2 and nq1q2 are small.

    Examples
    --------
    >>> from theory.circuit_counts import spurious_count_mean
    >>> round(spurious_count_mean(3, 2, 3), 6)  # 6[1 − (1/2)(2/3)(5/6)]
    4.333333
    >>> spurious_count_mean(5, 1, 1)  # everything on one neuron per layer: all 20 off-target entries
    20.0
    """
    n, q1, q2 = _sizes(n, m1, m2, placement)
    own, third = _log_zero_probabilities(n, q1, q2)
    return _out(np.where(n >= 2, -n * (n - 1) * np.expm1(own + third), 0.0))


@dataclass(frozen=True, kw_only=True)
class SpuriousSignMeans:
    """Expected spurious virtual weights by the sign the sign rule gives them (virtual weights).

    ``negative``: carried by i's or j′'s own path and by no third feature (removed by the ReLU, free with
    one-hot inputs); ``positive``: carried by third features only (paid for, ReLU(M)²); ``mixed``: by both
    kinds (the sign depends on the magnitudes). Floats, or arrays when the sizes broadcast.

    Examples
    --------
    >>> from theory.circuit_counts import SpuriousSignMeans
    >>> s = SpuriousSignMeans(negative=2.0, positive=0.5, mixed=0.25)
    >>> s.total
    2.75
    """

    negative: float | np.ndarray
    positive: float | np.ndarray
    mixed: float | np.ndarray

    @property
    def total(self):
        """negative + positive + mixed = ``spurious_count_mean``."""
        return _out(np.asarray(self.negative) + self.positive + self.mixed)


def spurious_sign_means(n, m1, m2, *, placement: str = "signed") -> SpuriousSignMeans:
    """n(n − 1)·{[1 − (1−q1)(1−q2)](1−q1q2)^{n−2}; (1−q1)(1−q2)[1 − (1−q1q2)^{n−2}]; [1 − (1−q1)(1−q2)][1 − (1−q1q2)^{n−2}]}.

    The expected negative, positive and mixed spurious virtual weights under the sign rule: the
    connection (i, c) carried by feature j's path has sign sign(W1_ia W1_ja)·sign(W2_cb W2_π(j)b) (V_ab
    takes the sign that makes j's intended M positive); with opposite signs for features sharing a neuron
    a carrier with one sharing (j = i or j = j′) gives −, one with a sharing in each layer gives +.
    Derivations ``circuits.sign-rule``, ``circuits.spurious-count``.

    Parameters
    ----------
    n, m1, m2 : int or array of int
        Features and the widths of the two hidden layers (each ≥ 1); broadcast together.
    placement : {"signed", "independent"}
        q = 1/(2m) (default: the incidental regime, where sharing features have opposite signs) or 1/m.

    Returns
    -------
    SpuriousSignMeans
        Its ``total`` is ``spurious_count_mean``. Only ``positive`` enters the one-hot loss.

    Examples
    --------
    >>> from theory.circuit_counts import spurious_sign_means
    >>> s = spurious_sign_means(16, 32, 32)  # q = 1/64 in each layer
    >>> round(s.negative, 3), round(s.positive, 3), round(s.mixed, 4)
    (7.416, 0.794, 0.0254)
    """
    n, q1, q2 = _sizes(n, m1, m2, placement)
    own, third = _log_zero_probabilities(n, q1, q2)
    pairs = np.where(n >= 2, n * (n - 1), 0.0)
    some_own, some_third = 0.0 - np.expm1(own), 0.0 - np.expm1(third)  # 1 − (1−q1)(1−q2), 1 − (1−q1q2)^{n−2}
    return SpuriousSignMeans(negative=_out(pairs * some_own * np.exp(third)),
                             positive=_out(pairs * np.exp(own) * some_third), mixed=_out(pairs * some_own * some_third))


def alignment_chance(n, m2, *, placement: str = "independent"):
    """q2: the chance that π(i), π(j) share a layer-2 neuron given that i, j share a layer-1 neuron.

    Under independent placement the layers do not know about each other, so an aligned pair (a shared
    layer-1 neuron whose two features' outputs also share a layer-2 neuron) arises by chance with
    probability q2, whatever n; training that aligns pairs beats this chance level
    (``aligned_path_pairs_mean``). Dimensionless.

    Parameters
    ----------
    n : int or array of int
        Features, ≥ 2 (a pair needs two).
    m2 : int or array of int
        Width of the second hidden layer, ≥ 1.
    placement : {"independent", "signed"}
        q2 = 1/m2 or 1/(2m2).

    Examples
    --------
    >>> from theory.circuit_counts import alignment_chance
    >>> alignment_chance(16, 8), alignment_chance(16, 8, placement="signed")
    (0.125, 0.0625)
    """
    n, _, q2 = _sizes(_integers("n", n, minimum=2), m2, m2, placement)
    return _out(q2 + 0 * n)


def aligned_path_pairs_mean(n, m1, m2, *, placement: str = "independent"):
    """E[pairs on a feature's path] = 1 + 3(n−1)q1 + (n−1)(n−2)q1² + (n−1)q2(1 − q1)(1 − 2q1)^{n−2} under alignment.

    Assumptions: layer 1 is placed independently, uniformly over 1/q1 units (m1 neurons or 2m1 signed
    slots); training then aligns every layer-1 group: the outputs π(F_a) of a group with |F_a| ≥ 2 sit
    together on one layer-2 neuron that holds no other output; the outputs of layer-1-lonely features keep
    their independent layer-2 placement (pairwise sharing probability q2), among themselves only (the
    aligned groups' neurons are others). Then a feature with X ~ Bin(n − 1, q1) layer-1 partners governs
    (1 + X)² pairs when X ≥ 1 (4 for a ± pair), and a lonely one 1 + Y pairs, Y the lonely features j whose
    outputs share with its own; P(i and j both lonely) = (1 − q1)(1 − 2q1)^{n−2}. So
    E = E[(1 + X)²] + (n − 1)q2(1 − q1)(1 − 2q1)^{n−2}. Compare ``path_pairs_mean`` (no alignment).
    Derivation ``circuits.path-pairs`` (moments and exact enumeration).

    Parameters
    ----------
    n, m1, m2 : int or array of int
        Features and the widths of the two hidden layers (each ≥ 1); broadcast together.
    placement : {"independent", "signed"}
        q = 1/m or 1/(2m) in each layer.

    Returns
    -------
    float or ndarray
        Expected number of feature pairs (1 at n = 1 or as m1, m2 → ∞; n² at m1 = 1, "independent").

    Examples
    --------
    >>> from theory.circuit_counts import aligned_path_pairs_mean, path_pairs_mean
    >>> round(aligned_path_pairs_mean(16, 32, 32, placement="signed"), 4)
    1.9023
    >>> round(path_pairs_mean(16, 32, 32, placement="signed"), 4)  # unaligned
    1.5237
    """
    n, q1, q2 = _sizes(n, m1, m2, placement)
    square = 1 + 3 * (n - 1) * q1 + (n - 1) * (n - 2) * q1**2
    lonely = (n - 1) * q2 * (1 - q1) * np.power(1 - 2 * q1, np.maximum(n - 2, 0))
    return _out(square + lonely)


def _probability(p) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    return p


def _finite(name: str, value, *, minimum: float = -np.inf) -> np.ndarray:
    x = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(x)) or np.any(x < minimum):
        raise ValueError(f"{name} must be finite and >= {minimum:g}, got {value!r}")
    return x


def negative_connection_cost(p, u, v):
    """p[(1 − max(u − v, 0))² − (1 − u)²]: the price of a negative spurious connection −v into output c.

    Loss per active feature (dimensionless, ``theory.cooccurrence``'s units) added when inputs are active
    independently with probability p: the connection's input co-occurs with c's intended input (whose
    intended virtual weight is u) with probability p, and then c receives u − v instead of u. Free with
    one-hot inputs (p = 0). 0 when v = 0; p[1 − (1 − u)²] once v ≥ u. Derivation
    ``circuits.cooccurrence-cost``.

    Parameters
    ----------
    p : float or array
        Activation probability of each feature, in [0, 1].
    u : float or array
        The intended virtual weight M_j′c (finite).
    v : float or array
        Size of the negative connection M_ic = −v, ≥ 0.

    Examples
    --------
    >>> from theory.circuit_counts import negative_connection_cost
    >>> round(negative_connection_cost(0.1, 0.9, 0.9), 6)  # p[1 − (1 − u)²]
    0.099
    >>> round(negative_connection_cost(0.1, 0.9, 0.3), 6)  # p[(0.4)² − (0.1)²]
    0.015
    """
    p = _probability(p)
    u, v = _finite("u", u), _finite("v", v, minimum=0.0)
    return _out(p * ((1 - np.maximum(u - v, 0)) ** 2 - (1 - u) ** 2))


def spurious_pair_cost(p, u):
    """2p[1 − (1 − u)²]: the price of a ± pair, two negative connections −u against intended weights u.

    The 2×2 block [[u, −u], [−u, u]] of M (two features sharing a neuron in one layer, each feature's
    intended weight u) costs, per active feature, twice ``negative_connection_cost(p, u, u)``. With
    u = w² it is the one-layer tied model's Δ(p) = 2p[1 − (1 − w²)²]
    (``theory.cooccurrence.shared_pair_cost(p, w)``), whose block G = W Wᵀ is exactly this one.
    Derivation ``circuits.cooccurrence-cost``.

    Parameters
    ----------
    p : float or array
        Activation probability of each feature, in [0, 1].
    u : float or array
        Intended virtual weight, ≥ 0.

    Examples
    --------
    >>> from theory.circuit_counts import spurious_pair_cost
    >>> round(spurious_pair_cost(0.1, 0.81), 6)  # = shared_pair_cost(0.1, 0.9)
    0.19278
    """
    p = _probability(p)
    u = _finite("u", u, minimum=0.0)
    return _out(2 * p * (1 - (1 - u) ** 2))
