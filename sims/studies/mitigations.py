"""Mitigations of incidental polysemanticity, each against the theory's predicted effect,
at the gradient-flow-faithful recipe: proximal GD, lr 0.1, λ = 0.1, gradient-flow time λt = 20 (every
feature 1-sparse), from N(0, 1/m) unless the arm changes the start.

Arms (``ARMS``) and what the theory predicts for the number of opposite-sign shared neurons:

* ``baseline``: n(n − 1)/(4m) (distinct-neurons idealisation, ``theory.collisions``);
* ``wider``: 4m neurons: n(n − 1)/(16m), a quarter;
* ``distinct-init``: every feature's initial argmax on its own neuron (its largest weight moved to a
  neuron no other feature's argmax uses, magnitudes kept): 0 if the initial argmax always won — it
  wins for ≈ 2/3 of features under prox-GD (ledger collisions.argmax-winner), so fewer, not none;
* ``orthogonal-init``: the Gaussian start with orthonormal rows, W0 ← (W0W0ᵀ)^{−1/2}W0 (the closest
  orthonormal rows, ``orthonormal_rows``). Which neuron is each feature's largest stays random, but
  orthonormality repels coincident argmaxes (two rows sharing a large entry must cancel its overlap
  elsewhere): the count falls by the ratio r(n, m) of initial argmax coincidences, orthonormal to
  Gaussian (``orthonormal_coincidence_ratio``, Monte Carlo: 0.80 at n = 32, m = 128; 0.86 at 64, 256;
  → 1 as m/n grows), if trained collisions are proportional to initial ones;
* ``l1-warmup``: λ = 0 for gradient-flow time 5/λ, then λ: interference ReLU(G_ij)² only repels
  same-sign overlaps, so opposite-sign collisions are not separated: no decrease predicted;
* ``cooccurrence``: co-occurrence p = 0.01 (p/λ = 0.1; ``sims.dynamics.cooccurrence``, first order):
  survival exp(−κp/λ) ≈ 0.38 with κ ≈ 9.7 (ledger cooccurrence.survival-exponential);
* ``late-kick``: the perturbation lever: the baseline's trained weights, perturbed by ε·N(0, 1/m) with
  ε = ``KICK`` = 1 (the initial scale), then trained as long again under co-occurrence p/λ = 0.1. A
  trained pair escapes only for ε above ε* ≈ 0.6·λ/p = 6 (ledger cooccurrence.escape-threshold), so no
  decrease is predicted: co-occurrence switched on after winner-take-all cannot undo a collision at a
  perturbation the training survives (prox-GD at lr 0.1 diverges from ε ≈ 2).

Counts are neurons per instance (``sims.measure.metrics.dominant_polysemantic_count``, opposite-sign); the
loss paid is the one-hot loss (L_p for the co-occurrence and late-kick arms) minus n·ℓ*(λ).
"""

from __future__ import annotations

import functools
from typing import Mapping

import numpy as np

from theory import ModelSpec, NoiseSpec, validate
from theory.cooccurrence import expected_loss_exact, first_order_loss, monosemantic_loss
from theory.loss import loss
from theory.mitigations import MITIGATION_ARMS

from .cooccurrence import SURVIVAL_KAPPA
from ..dynamics.cooccurrence import Cooccurrence, train_cooccurrence
from ..measure.metrics import dominant_polysemantic_count, fourth_norm, multi_feature_neurons
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig, initial_weights, train

__all__ = ["ARMS", "KAPPAS", "RECIPE_L1", "RECIPES", "distinct_argmax_start", "kurtosis_encodings",
           "mitigation_counts", "orthonormal_coincidence_ratio", "orthonormal_rows", "kurtosis_point", "mitigation_point",
           "prediction_inputs"]

ARMS = MITIGATION_ARMS
LR, TIME, P_OVER_L1 = 0.1, 20.0, 0.1  # co-occurrence arm: p = 0.1λ (p = 0.01 at λ = 0.1)
KICK = 1.0  # late-kick arm: perturbation ε·N(0, 1/m) of the trained weights


def distinct_argmax_start(W0: np.ndarray, *, rng) -> np.ndarray:
    """W0 with each feature's largest-|W| entry swapped onto its own neuron (a random injection
    features → neurons), so no two features share an initial argmax; shape (instances, n, m), m ≥ n.

    Each row keeps its multiset of entries (two entries swap), so its norms are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.mitigations import distinct_argmax_start
    >>> W0 = np.random.default_rng(0).normal(0.0, 8**-0.5, size=(1, 4, 8))
    >>> np.abs(W0).argmax(axis=-1).tolist()  # features 0 and 3 share neuron 6
    [[6, 4, 5, 6]]
    >>> W = distinct_argmax_start(W0, rng=0)
    >>> np.abs(W).argmax(axis=-1).tolist(), bool(np.array_equal(np.sort(W, axis=-1), np.sort(W0, axis=-1)))
    ([[2, 4, 3, 6]], True)
    """
    W = np.array(W0, dtype=float, copy=True)
    I, n, m = W.shape
    if m < n:
        raise ValueError(f"m must be >= n = {n} for distinct initial argmaxes, got {m}")
    rng = validate.generator(rng)
    for i in range(I):
        targets = rng.permutation(m)[:n]
        for f, t in enumerate(targets):
            k = int(np.argmax(np.abs(W[i, f])))
            W[i, f, k], W[i, f, t] = W[i, f, t], W[i, f, k]
    return W


def orthonormal_rows(W0: np.ndarray) -> np.ndarray:
    """(W0W0ᵀ)^{−1/2}W0 = UVᵀ for W0 = UΣVᵀ: the rows closest to W0's (Frobenius) that are orthonormal
    (symmetric orthogonalisation: no row is privileged); shape (..., n, m), full row rank, m ≥ n.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.mitigations import orthonormal_rows
    >>> W0 = np.random.default_rng(0).normal(0.0, 8**-0.5, size=(2, 4, 8))
    >>> W = orthonormal_rows(W0)
    >>> W.shape, bool(np.allclose(W @ W.swapaxes(-1, -2), np.eye(4)))
    ((2, 4, 8), True)
    """
    U, _, Vt = np.linalg.svd(np.asarray(W0, dtype=float), full_matrices=False)
    return U @ Vt


@functools.lru_cache(maxsize=None)
def orthonormal_coincidence_ratio(n: int, m: int, *, samples: int = 2000, seed: int = 0) -> float:
    """r(n, m) = E[# feature pairs with the same initial argmax neuron] for orthonormalised starts
    (``orthonormal_rows`` of N(0, 1/m)) over the same for the Gaussian starts, estimated from ``samples``
    paired starts with a fixed ``seed`` (deterministic; relative SE ≈ √(2m/(n(n − 1)·samples)), 1.5% at
    n = 32, m = 128). 1 for n = 1; < 1 otherwise (orthonormality repels shared argmaxes). Cached per arguments.

    Examples
    --------
    >>> from sims.studies.mitigations import orthonormal_coincidence_ratio
    >>> round(orthonormal_coincidence_ratio(4, 8, samples=200), 4), orthonormal_coincidence_ratio(1, 8)
    (0.3602, 1.0)
    """
    n = validate.integer("n", n, minimum=1)
    m = validate.integer("m", m, minimum=n)
    if n == 1:
        return 1.0
    samples = validate.integer("samples", samples, minimum=1)
    gen, iu = np.random.default_rng(seed), np.triu_indices(n, 1)

    def coincidences(V):
        k = np.argmax(np.abs(V), axis=-1)
        return int(np.sum(k[:, iu[0]] == k[:, iu[1]]))

    orth = gauss = 0
    for start in range(0, samples, 100):  # chunks bound the memory at 100·n·m floats
        W = gen.normal(0.0, m**-0.5, size=(min(100, samples - start), n, m))
        orth, gauss = orth + coincidences(orthonormal_rows(W)), gauss + coincidences(W)
    return orth / gauss


def prediction_inputs(n: int, m: int) -> dict[str, float]:
    """The measured numbers ``theory.mitigations.mitigation_count`` needs at (n, m): κ (``SURVIVAL_KAPPA``), the
    co-occurrence arm's p/λ and the Monte Carlo ratio r(n, m) of ``orthonormal_coincidence_ratio``.

    Examples
    --------
    >>> from sims.studies.mitigations import prediction_inputs
    >>> from theory.mitigations import mitigation_count
    >>> round(mitigation_count("cooccurrence", 32, 128, 0.1, **prediction_inputs(32, 128)), 2)
    0.73
    """
    return {"kappa": SURVIVAL_KAPPA, "p_over_l1": P_OVER_L1, "coincidence_ratio": orthonormal_coincidence_ratio(n, m)}


RECIPES = ("prox-gd", "adamw")
RECIPE_L1 = {"prox-gd": 0.1, "adamw": 1e-3}  # λ of each recipe in the reproduction and the claims


def _config(recipe: str, steps: int, instances: int) -> TrainConfig:
    if recipe == "adamw":
        return TrainConfig(optimizer="adamw", lr=1e-3, steps=max(1, steps), instances=instances, dtype="float32",
                           record=Schedule(points=2))
    return TrainConfig(optimizer="prox_gd", lr=LR, steps=max(1, steps), instances=instances, record=Schedule(points=2))


def _steps(recipe: str, l1: float) -> tuple[int, int, float]:
    """(training steps, warm-up steps, co-occurrence p) of a recipe: prox-GD λt = 20, warm-up λt = 5,
    p/λ = 0.1; AdamW the paper's 7500 steps, warm-up 2500, p/λ = 0.1."""
    if recipe == "adamw":
        return 7500, 2500, P_OVER_L1 * l1
    return round(TIME / (LR * l1)), round(5 / (LR * l1)), P_OVER_L1 * l1


def mitigation_counts(*, arm: str, n: int, m: int, l1: float, instances: int, rng,
                      recipe: str = "prox-gd") -> Mapping[str, np.ndarray]:
    """Train ``instances`` models under ``arm`` (see ``ARMS``) with ``recipe`` ("prox-gd": the module's
    gradient-flow-faithful recipe; "adamw": the paper's, lr 1e-3, 7500 steps, float32) and return per-instance
    "shared" (opposite-sign shared neurons), "same_sign" and "excess_loss" (loss − n·ℓ*(λ)). The co-occurrence
    arm uses p = 0.1λ under either recipe.

    Code units: λ = ``l1`` on the summed loss; prox-GD trains for gradient-flow time λt = 20 (t = lr·steps,
    round(20/(0.1·λ)) optimiser steps); counts are neurons, losses summed over the n one-hot inputs.

    Examples
    --------
    >>> from sims.studies.mitigations import mitigation_counts
    >>> base = mitigation_counts(arm="baseline", n=4, m=8, l1=0.1, instances=2, rng=0)  # 2000 steps
    >>> wide = mitigation_counts(arm="wider", n=4, m=8, l1=0.1, instances=2, rng=0)
    >>> base["shared"].tolist(), wide["shared"].tolist(), [round(float(x), 4) for x in base["excess_loss"]]
    ([1, 0], [0, 0], [0.0, 0.0])
    """
    validate.choice("arm", arm, ARMS)
    validate.choice("recipe", recipe, RECIPES)
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=n)
    l1 = validate.real("l1", l1, minimum=0.0, strict_min=True)
    gen = np.random.default_rng(rng)
    width = 4 * m if arm == "wider" else m
    spec = ModelSpec(n=n, m=width, l1=l1)
    W0 = initial_weights(spec, instances, rng=gen)
    steps, warm, p = _steps(recipe, l1)
    if arm == "distinct-init":
        W0 = distinct_argmax_start(W0, rng=gen)
    if arm == "orthogonal-init":
        W0 = orthonormal_rows(W0)
    if arm == "l1-warmup":
        W0 = train(ModelSpec(n=n, m=width), _config(recipe, warm, instances), W0=W0, rng=gen,
                   metrics=lambda W, s: {}).W
        steps = steps - warm if recipe == "adamw" else steps
    if arm == "late-kick":
        W0 = train(spec, _config(recipe, steps, instances), W0=W0, rng=gen, metrics=lambda W, s: {}).W
        W0 = np.asarray(W0, dtype=np.float64) + KICK * gen.normal(0.0, width**-0.5, size=W0.shape)
    if arm in ("cooccurrence", "late-kick"):
        W = train_cooccurrence(spec, _config(recipe, steps, instances), Cooccurrence(p=p), W0=W0, rng=gen,
                               metrics=lambda W, s: {}).W
        W64 = np.asarray(W, dtype=np.float64)
        try:
            excess = expected_loss_exact(W64, p, l1=l1) - n * monosemantic_loss(l1)
        except ValueError:  # dense weights (AdamW never reaches exact zeros): first order, error O(p²)
            excess = first_order_loss(W64, p, l1=l1) - n * monosemantic_loss(l1)
    else:
        W = train(spec, _config(recipe, steps, instances), W0=W0, rng=gen, metrics=lambda W, s: {}).W
        excess = loss(np.asarray(W, dtype=np.float64), l1=l1) - n * monosemantic_loss(l1)
    dom = dominant_polysemantic_count(W)
    return {"shared": dom["opposite_sign"], "same_sign": dom["same_sign"], "excess_loss": np.asarray(excess)}


KAPPAS = (-2.0, -1.0, 0.0, 1.0, 3.0, 6.0)


def kurtosis_encodings(*, kappa: float, rng, n: int = 16, m: int = 64, l1: float = 0.01, sigma: float = 0.15,
                       instances: int = 8, steps: int = 40_000) -> Mapping[str, np.ndarray]:
    """The noise lever: train under three-point hidden noise of excess kurtosis ``kappa`` (≥ −2) at fixed
    standard deviation ``sigma``, with L1 ``l1``; proximal GD, lr 0.01 (the noise-counts rate at m = 64),
    ``steps`` optimiser steps. The kurtosis rule predicts the fourth norm F = Σ_k W_ik⁴/(Σ_k W_ik²)² to
    rise (winner-take-all) for κ < 0 and fall (spread) for κ > 0. Returns per-instance "fourth_norm" (mean
    over features) and "multi_feature" (neurons with ≥ 2 strong features, ``sims.measure.metrics.multi_feature_neurons``).

    Code units: λ = ``l1`` on the summed loss, σ the noise's standard deviation, ``steps`` optimiser steps.

    Examples
    --------
    >>> from sims.studies.mitigations import kurtosis_encodings
    >>> out = kurtosis_encodings(kappa=-2.0, rng=0, n=4, m=8, instances=2, steps=200)
    >>> out["fourth_norm"].round(3).tolist(), out["multi_feature"].tolist()
    ([0.281, 0.345], [5, 2])
    """
    spec = ModelSpec(n=n, m=m, l1=l1, noise=NoiseSpec(family="three-point", sigma=sigma, kurtosis=kappa))
    W = train(spec, TrainConfig(optimizer="prox_gd", lr=0.01, steps=steps, instances=instances,
                                record=Schedule(points=2)), rng=rng, metrics=lambda W, s: {}).W
    return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1), "multi_feature": multi_feature_neurons(W)}


def mitigation_point(*, rng, recipe: str, arm: str, n: int, m: int, instances: int, init_seed: int) -> dict:
    """``mitigation_counts`` at the recipe's λ (``RECIPE_L1``), seeded by ``init_seed`` rather than the point's
    own stream ``rng`` (unused), so every arm of one width starts from the same weights and the comparisons
    are paired. Code units (see ``mitigation_counts``).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.mitigations import mitigation_counts, mitigation_point
    >>> out = mitigation_point(rng=None, recipe="prox-gd", arm="baseline", n=4, m=8, instances=2, init_seed=0)
    >>> same = mitigation_counts(arm="baseline", n=4, m=8, l1=0.1, instances=2, rng=0)
    >>> out["shared"].tolist(), all(np.array_equal(out[k], same[k]) for k in same)
    ([1, 0], True)
    """
    return dict(mitigation_counts(arm=arm, n=n, m=m, l1=RECIPE_L1[recipe], instances=instances, rng=init_seed,
                                  recipe=recipe))


def kurtosis_point(*, rng, kappa: float, instances: int, init_seed: int) -> dict:
    """``kurtosis_encodings`` seeded by ``init_seed`` (``rng`` unused): paired starts across κ.

    At ``kurtosis_encodings``' default size (n = 16, m = 64, 40000 prox-GD steps at lr 0.01, λ = ``l1`` = 0.01
    in code units), which a point cannot change: about 2 s even for one instance, so the example is skipped.

    Examples
    --------
    >>> from sims.studies.mitigations import kurtosis_point
    >>> out = kurtosis_point(rng=None, kappa=-2.0, instances=1, init_seed=0)  # doctest: +SKIP
    >>> out["fourth_norm"].round(3).tolist(), out["multi_feature"].tolist()  # doctest: +SKIP
    ([0.739], [4])
    """
    return dict(kurtosis_encodings(kappa=kappa, instances=instances, rng=init_seed))
