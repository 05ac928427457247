"""A sparse dictionary over a trained toy model's hidden activations, scored against the known features.

Inputs x ∈ [0, 1]^n: feature i is on with probability p, independently, with intensity U[0, 1] when on.
Hidden activations h = Wᵀx ∈ R^m (the toy model's linear hidden layer), so feature i's true direction in
activation space is row W_i. A dictionary (``sims.dynamics.dictionary``) is trained on ``samples`` such
activation vectors and measured (``sims.measure.dictionary_match``) on a fresh draw of the same size:
matching to the rows W_i, how many latents load on each ± polysemantic neuron (``opposite_pair_members``)
and on each monosemantic one, dead latents, L0, FVU and the effective feature count F.

Units: activations in the model's units (h_k = Σ_i W_ik x_i); counts are numbers of latents or neurons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import validate

from ..dynamics.dictionary import DictionaryConfig, DictionaryResult, train_dictionary
from ..measure.dictionary_match import (
    code_statistics,
    directions_per_neuron,
    effective_feature_count,
    fraction_of_variance_unexplained,
    latents_per_neuron,
    matched_correlation,
)
from ..measure.metrics import dominant_neurons, opposite_pair_members

__all__ = ["DictionaryStudy", "dictionary_of_model", "dictionary_point", "sparse_inputs"]


def sparse_inputs(n: int, samples: int, p: float, *, rng) -> np.ndarray:
    """x ∈ [0, 1]^{samples×n}: x_i = u_i·1[v_i < p], u_i, v_i ~ U[0, 1] independent (u drawn first).

    Examples
    --------
    >>> from sims.studies.dictionary import sparse_inputs
    >>> x = sparse_inputs(4, 10000, 0.25, rng=0)
    >>> x.shape, round(float((x > 0).mean()), 2), bool(x.max() <= 1)
    ((10000, 4), 0.25, True)
    """
    validate.integer("n", n, minimum=1)
    validate.integer("samples", samples, minimum=1)
    validate.real("p", p, minimum=0.0, maximum=1.0, strict_min=True)
    gen = validate.generator(rng)
    u = gen.random((samples, n))
    return u * (gen.random((samples, n)) < p)


@dataclass(frozen=True, eq=False)
class DictionaryStudy:
    """Outcome of ``dictionary_of_model``.

    Attributes
    ----------
    n, m : int
        Features and neurons of the toy model.
    mcc, signed_mcc : float
        ``matched_correlation`` of the decoder against the rows W_i (|cos| and signed assignments).
    abs_cos, cos : arrays (n,)
        Per feature: |cos| under the |cos| assignment, signed cos under the signed one.
    latent : int array (n,)
        Latent matched to each feature (signed assignment).
    latents_per_neuron : int array (m,)
        Counted over the latents firing on at least ``min_frequency`` of the evaluation inputs.
    directions_per_neuron : int array (m,)
        The same count with duplicate latents (decoder cos ≥ ``same``) counted once
        (``directions_per_neuron``).
    pm_neurons, latents_per_pm_neuron, directions_per_pm_neuron : int arrays
        The ± neurons (one + and one − feature dominant there) and their counts (2 = split in two).
    mono_neurons, latents_per_mono_neuron, directions_per_mono_neuron : int arrays
        Neurons dominant for exactly one feature and their counts (1 = one latent).
    dead : int
        Latents active on none of the evaluation inputs.
    rare : int
        Latents active on fewer than ``min_frequency`` of them (dead ones included).
    l0 : float
        Mean active latents per input.
    fvu : float
        Fraction of variance unexplained on the evaluation inputs.
    F : float
        Effective feature count exp(H) (Bereska et al. 2025); ``psi`` = F/m.
    dictionary : DictionaryResult

    Examples
    --------
    ``dictionary_of_model`` returns one; ``psi`` is F/m:

    >>> from sims.studies.dictionary import DictionaryStudy
    >>> [name for name in DictionaryStudy.__dataclass_fields__ if name.endswith("pm_neuron")]
    ['latents_per_pm_neuron', 'directions_per_pm_neuron']
    """

    n: int
    m: int
    mcc: float
    signed_mcc: float
    abs_cos: np.ndarray
    cos: np.ndarray
    latent: np.ndarray
    latents_per_neuron: np.ndarray
    directions_per_neuron: np.ndarray
    pm_neurons: np.ndarray
    latents_per_pm_neuron: np.ndarray
    directions_per_pm_neuron: np.ndarray
    mono_neurons: np.ndarray
    latents_per_mono_neuron: np.ndarray
    directions_per_mono_neuron: np.ndarray
    dead: int
    rare: int
    l0: float
    fvu: float
    F: float
    dictionary: DictionaryResult

    @property
    def psi(self) -> float:
        """ψ = F/m, effective features per neuron (Bereska et al.'s superposition ratio)."""
        return self.F / self.m


def dictionary_of_model(W, *, samples: int, p: float, config: DictionaryConfig, rng, rel: float = 0.5,
                        min_frequency: float = 1e-3, same: float = 0.99) -> DictionaryStudy:
    """Train a dictionary on h = Wᵀx for sparse x (each x_i on with probability p, intensity U[0, 1])
    and score it against the true directions W_i.

    Parameters
    ----------
    W : array (n, m)
        Toy-model weights (one instance); row W_i is feature i's direction among the m neurons.
    samples : int
        Activation vectors to train on (>= 1); as many fresh ones are drawn for the measurements.
    p : float
        Probability that a feature is on, in (0, 1].
    config : DictionaryConfig
    rng : Generator, SeedSequence or int
        One stream for the training inputs, one for the evaluation inputs, one for the dictionary.
    rel : float
        Loading threshold of ``latents_per_neuron`` (relative to each latent's largest entry).
    min_frequency : float
        Latents firing on fewer than this fraction of the evaluation inputs are left out of the
        latents-per-neuron counts: rarely firing latents keep diffuse decoder columns whose largest entry
        is small, so at ``rel`` = 0.5 they "load" on many neurons (measured in ``bench/bench_dictionary.py``:
        they fire on ~1e-4 of inputs, a matched feature latent on ≈ p·(1 − shrinkage)). 0 keeps every
        live latent.
    same : float
        Decoder cosine at which two latents count as one direction (``directions_per_neuron``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.dynamics.dictionary import DictionaryConfig
    >>> from sims.studies.dictionary import dictionary_of_model
    >>> W = np.zeros((4, 6)); W[[0, 1, 2, 3], [0, 0, 2, 4]] = [1.0, -1.0, 1.0, 1.0]  # a ± pair on neuron 0
    >>> config = DictionaryConfig(latents=8, steps=10000, batch=128)
    >>> study = dictionary_of_model(W, samples=5000, p=0.1, config=config, rng=1)
    >>> round(study.signed_mcc, 3), study.pm_neurons.tolist(), study.latents_per_pm_neuron.tolist()
    (1.0, [0], [2])
    >>> study.mono_neurons.tolist(), study.latents_per_mono_neuron.tolist(), round(study.F, 1)
    ([2, 4], [1, 1], 4.0)
    >>> study.dead, round(study.psi, 3)  # 8 latents for 4 features: the 4 surplus ones died
    (4, 0.665)
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or 0 in W.shape or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite (n, m) array of one model, got shape {W.shape}")
    if not isinstance(config, DictionaryConfig):
        raise ValueError(f"config must be a DictionaryConfig, got {config!r}")  # noqa: TRY004 (package convention)
    validate.real("min_frequency", min_frequency, minimum=0.0, maximum=1.0)
    n, m = W.shape
    train_rng, eval_rng, dict_rng = validate.generator(rng).spawn(3)
    h_train = sparse_inputs(n, samples, p, rng=train_rng) @ W
    h_eval = sparse_inputs(n, samples, p, rng=eval_rng) @ W
    result = train_dictionary(h_train, config, rng=dict_rng)
    codes = result.encode(h_eval)
    stats = code_statistics(codes)
    match = matched_correlation(result.decoder, W)
    counted = stats.frequency >= min_frequency if min_frequency > 0 else ~stats.dead
    per_neuron = latents_per_neuron(result.decoder, rel=rel, latents=counted)
    directions = directions_per_neuron(result.decoder, rel=rel, latents=counted, same=same)
    member, neuron = opposite_pair_members(W)
    pm = np.unique(neuron[member])
    k, sign = dominant_neurons(W)
    load = np.bincount(k[sign != 0], minlength=m)
    mono = np.setdiff1d(np.flatnonzero(load == 1), pm)
    return DictionaryStudy(
        n=n, m=m, mcc=match.mcc, signed_mcc=match.signed_mcc, abs_cos=match.abs_cos, cos=match.cos,
        latent=match.signed_latent, latents_per_neuron=per_neuron, directions_per_neuron=directions,
        pm_neurons=pm, latents_per_pm_neuron=per_neuron[pm], directions_per_pm_neuron=directions[pm],
        mono_neurons=mono, latents_per_mono_neuron=per_neuron[mono], directions_per_mono_neuron=directions[mono],
        dead=stats.n_dead, rare=int((stats.frequency < min_frequency).sum()), l0=stats.l0,
        fvu=fraction_of_variance_unexplained(h_eval, result.decode(codes)),
        F=effective_feature_count(codes).count, dictionary=result)


def dictionary_point(*, rng, n: int, m: int, models: int, samples: int, steps: int, p: float) -> dict:
    """One sweep point: train ``models`` prox-GD toy models (λ = 0.2, lr 0.01, 8000 steps) and a dictionary with 2n
    latents on each one's activations (``dictionary_of_model``). Returns per-model lists: "mcc", "signed_mcc", "F",
    "dead", "l0", "fvu", and the pooled "latents_pm" / "latents_mono" (latents per ± / monosemantic neuron) and
    "directions_pm".

    Examples
    --------
    >>> from sims.studies.dictionary import dictionary_point
    >>> out = dictionary_point(rng=0, n=8, m=16, models=1, samples=4000, steps=3000, p=0.1)
    >>> sorted(out)
    ['F', 'dead', 'directions_pm', 'fvu', 'l0', 'latents_mono', 'latents_pm', 'mcc', 'signed_mcc']
    """
    from .feature_visualisation import trained_weights

    g_train, g_dict = validate.generator(rng).spawn(2)
    weights = trained_weights(n=n, m=m, recipe="prox-gd", instances=models, rng=g_train)
    config = DictionaryConfig(latents=2 * n, steps=steps)
    studies = [dictionary_of_model(W, samples=samples, p=p, config=config, rng=g)
               for W, g in zip(weights, g_dict.spawn(models))]
    out = {key: [float(getattr(s, key)) for s in studies] for key in ("mcc", "signed_mcc", "F", "l0", "fvu")}
    out["dead"] = [int(s.dead) for s in studies]
    out["latents_pm"] = [int(c) for s in studies for c in s.latents_per_pm_neuron]
    out["directions_pm"] = [int(c) for s in studies for c in s.directions_per_pm_neuron]
    out["latents_mono"] = [int(c) for s in studies for c in s.latents_per_mono_neuron]
    return out
