"""Measurements of a sparse dictionary against the truth: matching, loading per neuron, activity, compression.

A dictionary is given by its decoder W_d ∈ R^{d×L} (column l = latent l's direction in activation space,
d = neurons) and by codes f ∈ R^{N×L}_{≥0} (latent activations on N inputs, ``DictionaryResult.encode``).
True feature directions are the rows of an (n, d) array; in the toy model h = Wᵀx they are the rows W_i.
Every function here is pure (arrays in, numbers out) and does not depend on how the dictionary was trained.

Units: cosines and shares are dimensionless; counts are numbers of latents or neurons; L0 is latents per
input; F (``effective_feature_count``) is a number of latents ("virtual neurons").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from theory import validate

__all__ = [
    "CodeStatistics",
    "EffectiveFeatures",
    "MatchedCorrelation",
    "code_statistics",
    "directions_per_neuron",
    "effective_feature_count",
    "fraction_of_variance_unexplained",
    "latents_per_neuron",
    "matched_correlation",
]

#: Norms below this count as zero when directions are normalised (SAELens clamps at the same value).
NORM_FLOOR = 1e-8


def _matrix(name: str, a, *, ndim: int = 2) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != ndim or 0 in a.shape:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


@dataclass(frozen=True, eq=False)
class MatchedCorrelation:
    """One-to-one matchings of true features to latents (``matched_correlation``).

    Attributes
    ----------
    mcc : float
        SAELens's MCC: mean |cos| over the pairs of the assignment maximising Σ |cos| (min(n, L) pairs).
    latent, abs_cos : arrays (n,)
        That assignment: each feature's latent (−1 if unmatched, only when L < n) and their |cos|
        (NaN if unmatched).
    signed_mcc : float
        Mean cos over the pairs of the assignment maximising Σ cos: a latent pointing against its feature
        counts negatively. For non-negative feature intensities (f ≥ 0 codes) the latent of feature i
        should point along +t_i, so this is the stricter score; it equals ``mcc`` when every feature has
        a latent along it and the sign-blind assignment can pick it.
    signed_latent, cos : arrays (n,)
        That assignment: each feature's latent (−1 if unmatched) and their signed cos (NaN if unmatched).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import matched_correlation
    >>> decoder = np.array([[0.0, 1.0], [-1.0, 0.0]])  # latent 0 points against feature 1
    >>> match = matched_correlation(decoder, np.eye(2))
    >>> round(match.mcc, 6), round(match.signed_mcc, 6), match.latent.tolist(), match.cos.tolist()
    (1.0, 0.0, [1, 0], [1.0, -1.0])
    """

    mcc: float
    latent: np.ndarray
    abs_cos: np.ndarray
    signed_mcc: float
    signed_latent: np.ndarray
    cos: np.ndarray


def _unit_rows(a: np.ndarray) -> np.ndarray:
    return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), NORM_FLOOR)


def _assign(score: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Assignment maximising Σ score over min(n, L) one-to-one pairs; (mean, latent per row, score per row)."""
    rows, cols = linear_sum_assignment(1.0 - score)
    n = score.shape[0]
    latent = np.full(n, -1, dtype=np.int64)
    latent[rows] = cols
    matched = np.full(n, np.nan)
    matched[rows] = score[rows, cols]
    return float(score[rows, cols].mean()), latent, matched


def matched_correlation(decoder, true_directions) -> MatchedCorrelation:
    """MCC = (1/K) Σ_{(i,l) ∈ π} |cos(t_i, w_l)|, π the one-to-one assignment of K = min(n, L) pairs
    maximising Σ_π |cos| (Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``).

    t_i is row i of ``true_directions`` (n, d), w_l column l of ``decoder`` (d, L). This is SAELens's
    ``mean_correlation_coefficient`` (``sae_lens/synthetic/evals.py``): vectors normalised with their norm
    clamped below at 1e-8 (so a zero vector has cos 0 with everything), |cosine| matrix, assignment on
    the cost 1 − |cos|, mean of the matched |cos|. With L ≥ n every feature is matched and the mean is
    over the n features; with L < n only L features are matched and the mean is over those L (SAELens's
    convention; the unmatched features do not lower it).

    |cos| ignores sign, so a ± pair (t_j = −t_i) is matched as well by two latents pointing the same way
    as by the right two, and ties between such matchings are broken arbitrarily. ``signed_mcc`` repeats
    the assignment on the signed cosine (cost 1 − cos), which does tell them apart.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import matched_correlation
    >>> truth = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # a ± pair on neuron 0
    >>> decoder = np.array([[0.0, -1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]])
    >>> match = matched_correlation(decoder, truth)
    >>> round(match.mcc, 6), round(match.signed_mcc, 6), match.signed_latent.tolist(), match.cos.tolist()
    (1.0, 1.0, [2, 1, 0], [1.0, 1.0, 1.0])
    >>> one_sided = matched_correlation(decoder[:, [0, 2, 2]], truth)  # two copies of the + latent
    >>> round(one_sided.mcc, 6), round(one_sided.signed_mcc, 6)
    (1.0, 0.333333)
    """
    D = _matrix("decoder", decoder)
    T = _matrix("true_directions", true_directions)
    if T.shape[1] != D.shape[0]:
        raise ValueError(f"true_directions must have d = {D.shape[0]} columns (decoder rows), got shape {T.shape}")
    cos = _unit_rows(T) @ _unit_rows(D.T).T  # (n, L)
    mcc, latent, abs_cos = _assign(np.abs(cos))
    signed_mcc, signed_latent, signed = _assign(cos)
    return MatchedCorrelation(mcc, latent, abs_cos, signed_mcc, signed_latent, signed)


def latents_per_neuron(decoder, *, rel: float = 0.5, latents=None) -> np.ndarray:
    """c_k = #{l : |W_d[k, l]| ≥ rel · max_k′ |W_d[k′, l]|}: how many latents load on neuron k, shape (d,).

    A latent loads on every coordinate where its decoder entry reaches ``rel`` (in (0, 1]) of its
    largest entry, so a one-hot latent loads on one neuron. ``latents`` (a boolean mask of length L or
    an index array) restricts the count to those latents, e.g. the live ones (``code_statistics``): a
    dead latent keeps its random initial direction, which loads on many neurons. All-zero columns load
    nowhere. A ± polysemantic neuron that a dictionary splits into its two features has c_k = 2.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import latents_per_neuron
    >>> decoder = np.array([[1.0, -0.9, 0.1], [0.0, 0.4, 0.7], [0.0, 0.0, 0.7]])
    >>> latents_per_neuron(decoder).tolist()  # latent 1 peaks at 0.9: its 0.4 on neuron 1 is below 0.45
    [2, 1, 1]
    >>> latents_per_neuron(decoder, latents=[True, True, False]).tolist()
    [2, 0, 0]
    """
    D = _matrix("decoder", decoder)
    validate.real("rel", rel, minimum=0.0, maximum=1.0, strict_min=True)
    a = np.abs(D)
    if latents is not None:
        a = a[:, _latent_selection(latents, D.shape[1])]
    peak = a.max(axis=0)
    return ((a >= rel * peak) & (peak > 0)).sum(axis=1)


def directions_per_neuron(decoder, *, rel: float = 0.5, latents=None, same: float = 0.99) -> np.ndarray:
    """Like ``latents_per_neuron``, but latents with (nearly) the same decoder direction count once.

    Latents l, l′ are duplicates when cos(w_l, w_l′) ≥ ``same`` (in (0, 1]); duplicates are grouped
    transitively (single linkage) and c_k counts the groups with a member loading on neuron k. A ± neuron
    split into its two features has c_k = 2 however many copies of each feature's latent the dictionary
    holds. (Copies arise with surplus latents: the ℓ1 penalty is indifferent to how a feature's activation
    is split between latents with the same decoder direction, and two latents that also respond alike to
    the data get nearly equal gradients, so training does not separate them; measured in
    ``bench/bench_dictionary.py``.)

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import directions_per_neuron, latents_per_neuron
    >>> decoder = np.array([[1.0, 1.0, -1.0], [0.0, 0.0, 0.0]])  # a + latent twice and a − latent
    >>> latents_per_neuron(decoder).tolist(), directions_per_neuron(decoder).tolist()
    ([3, 0], [2, 0])
    """
    D = _matrix("decoder", decoder)
    validate.real("rel", rel, minimum=0.0, maximum=1.0, strict_min=True)
    validate.real("same", same, minimum=0.0, maximum=1.0, strict_min=True)
    if latents is not None:
        D = D[:, _latent_selection(latents, D.shape[1])]
    L = D.shape[1]
    if L == 0:
        return np.zeros(D.shape[0], dtype=np.int64)
    a = np.abs(D)
    peak = a.max(axis=0)
    loads = (a >= rel * peak) & (peak > 0)
    U = _unit_rows(D.T)
    close = U @ U.T >= same
    group = np.arange(L)
    for i in range(L):  # union-find without ranks: L is a dictionary size
        for j in np.flatnonzero(close[i, i + 1:]) + i + 1:
            gi, gj = _root(group, i), _root(group, j)
            if gi != gj:
                group[max(gi, gj)] = min(gi, gj)
    roots = np.array([_root(group, i) for i in range(L)])
    return np.array([np.unique(roots[row]).size for row in loads], dtype=np.int64)


def _root(group: np.ndarray, i: int) -> int:
    while group[i] != i:
        i = group[i]
    return int(i)


def _latent_selection(latents, L: int) -> np.ndarray:
    sel = np.asarray(latents)
    if sel.dtype == bool:
        if sel.shape != (L,):
            raise ValueError(f"latents must be a boolean mask of length {L} or an index array, got shape {sel.shape}")
        return sel
    if sel.ndim != 1 or not np.issubdtype(sel.dtype, np.integer) or np.any((sel < 0) | (sel >= L)):
        raise ValueError(f"latents must be a boolean mask of length {L} or indices in [0, {L}), got {latents!r}")
    return sel


@dataclass(frozen=True, eq=False)
class CodeStatistics:
    """Activity of the latents on a set of inputs (``code_statistics``).

    Attributes
    ----------
    l0 : float
        Mean number of active latents (f_l > 0) per input.
    frequency : array (L,)
        Fraction of inputs on which each latent is active.
    dead : bool array (L,)
        Latents active on none of the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import code_statistics
    >>> code_statistics(np.array([[1.0, 0.0], [0.0, 0.0]])).n_dead
    1
    """

    l0: float
    frequency: np.ndarray
    dead: np.ndarray

    @property
    def n_dead(self) -> int:
        """Number of dead latents."""
        return int(self.dead.sum())


def code_statistics(codes) -> CodeStatistics:
    """L0 = (1/N) Σ_b #{l : f_bl > 0}, each latent's firing frequency, and the dead latents (never > 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import code_statistics
    >>> stats = code_statistics(np.array([[0.5, 0.0, 0.0], [0.2, 0.1, 0.0]]))
    >>> stats.l0, stats.frequency.tolist(), stats.dead.tolist(), stats.n_dead
    (1.5, [1.0, 0.5, 0.0], [False, False, True], 1)
    """
    f = _matrix("codes", codes)
    active = f > 0
    frequency = active.mean(axis=0)
    return CodeStatistics(float(active.sum(axis=1).mean()), frequency, frequency == 0)


def fraction_of_variance_unexplained(x, x_hat) -> float:
    """FVU = Σ_b ‖x_b − x̂_b‖² / Σ_b ‖x_b − x̄‖², x̄ the mean input (0 = perfect, 1 = as good as x̄).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import fraction_of_variance_unexplained
    >>> x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> fraction_of_variance_unexplained(x, x), fraction_of_variance_unexplained(x, np.tile(x.mean(0), (3, 1)))
    (0.0, 1.0)
    """
    x = _matrix("x", x)
    x_hat = _matrix("x_hat", x_hat)
    if x_hat.shape != x.shape:
        raise ValueError(f"x_hat must have the shape of x {x.shape}, got {x_hat.shape}")
    total = float(((x - x.mean(axis=0)) ** 2).sum())
    if total == 0:
        raise ValueError("x must not be constant: its variance is the denominator of the FVU")
    return float(((x - x_hat) ** 2).sum() / total)


@dataclass(frozen=True, eq=False)
class EffectiveFeatures:
    """Effective feature count (``effective_feature_count``).

    Attributes
    ----------
    count : float
        F = exp(H), between 1 and the number of active latents.
    entropy : float
        H = −Σ_l p_l ln p_l in nats.
    share : array (L,)
        p_l, each latent's share of the total activation mass.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import effective_feature_count
    >>> eff = effective_feature_count(np.eye(3))
    >>> round(eff.count, 6), round(eff.entropy, 6)  # three equal shares: F = 3, H = ln 3
    (3.0, 1.098612)
    """

    count: float
    entropy: float
    share: np.ndarray


def effective_feature_count(codes) -> EffectiveFeatures:
    """F = exp(H(p)), H(p) = −Σ_l p_l ln p_l, p_l = Σ_b |f_bl| / Σ_{b,l′} |f_bl′| (Bereska et al. 2025).

    p_l is latent l's share of the total activation mass over the N inputs (equivalently mean |f_l| over
    the inputs, normalised over latents); F counts latents that carry mass evenly: L latents with equal
    shares give F = L, one latent gives 1. Superposition ratio ψ = F/N_neurons in their paper. Definition
    as in Bereska, Tzifa-Kratira, Samavi, Gavves, "Superposition as Lossy Compression" (arXiv 2512.13568),
    taken from the authors' code (``leonardbereska/superposition-measurement``,
    ``experiments/adversarial/evaluation.py``: ``get_feature_distribution`` = mean |activation| per
    latent / its sum; ``calculate_feature_metrics``: natural log, F = exp(H)). One difference: their code
    adds 1e-10 to every p_l and renormalises before the logarithm; here 0 ln 0 = 0 exactly (the two differ
    by about 2.3e-9 per dead latent in H).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.dictionary_match import effective_feature_count
    >>> round(effective_feature_count(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])).count, 6)
    2.0
    >>> eff = effective_feature_count(np.array([[3.0, 1.0], [0.0, 0.0]]))
    >>> eff.share.tolist(), round(eff.count, 4)  # exp(−(¾ ln ¾ + ¼ ln ¼))
    ([0.75, 0.25], 1.7548)
    """
    f = np.abs(_matrix("codes", codes))
    mass = f.sum(axis=0)
    total = mass.sum()
    if total == 0:
        raise ValueError("codes must not be all zero: F needs some activation mass")
    p = mass / total
    nz = p[p > 0]
    H = float(-(nz * np.log(nz)).sum())
    return EffectiveFeatures(float(np.exp(H)), H, p)
