"""Ledger claims about diagnosing incidental polysemanticity from trained weights: the
diagnosis of ``sims.measure.diagnosis`` against the exact price of a shared pair (``theory.cooccurrence``)."""

from __future__ import annotations

import numpy as np

from theory import ModelSpec
from theory.cooccurrence import monosemantic_weight, shared_pair_cost, shared_pair_loss

from ..dynamics.cooccurrence import Cooccurrence, train_cooccurrence
from ..measure.diagnosis import diagnose, one_move_from_better, repair
from .core import claim, verdict
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig


@claim(id="diagnosis.one-move-from-better",
       statement="After training with co-occurrence (n = 16, m = 32, λ = 0.1, p = 0.01) a solution is one move from a "
                 "strictly better one exactly when it has an incidental polysemantic neuron, and splitting a ± pair "
                 "with trained weights a, b saves exactly shared_pair_loss(a, b, p) − shared_pair_loss(a, b, 0) "
                 "(= Δ(p) = 2p[1 − (1 − w*²)²] at a = b = w*)",
       source="ours (how often training's solution is one move away from a strictly better one)",
       prediction="theory.cooccurrence.shared_pair_loss(a, b, p) − shared_pair_loss(a, b, 0) per incidental neuron, "
                  "a, b its two features' trained weights",
       evidence="sims.dynamics.cooccurrence (prox-GD lr 0.1, λt = 20, 8 instances, L_0 + pL_1), sims.measure.diagnosis.diagnose, "
                "one_move_from_better and repair on each trained W with the exact L_p; per instance the two booleans "
                "agree, repair never raises the loss, and each incidental neuron's best move saves the predicted "
                "amount to 1e-10 (Δ(p) at w* reported beside it)",
       test="tests/test_claims.py::test_quick_claim[diagnosis.one-move-from-better]", tier="quick")
def _one_move_from_better(rng):
    n, m, l1, p = 16, 32, 0.1, 0.01
    cfg = TrainConfig(optimizer="prox_gd", lr=0.1, steps=2000, instances=8, record=Schedule(points=2))
    Ws = train_cooccurrence(ModelSpec(n=n, m=m, l1=l1), cfg, Cooccurrence(p=p), rng=rng, metrics=lambda W, s: {}).W
    price = float(shared_pair_cost(p, monosemantic_weight(l1)))
    ok, better, incidental, savings, worst = True, 0, 0, [], 0.0
    for W in Ws:
        diags = diagnose(W, l1=l1, p=p)
        b = one_move_from_better(W, l1=l1, p=p)
        inc = [d for d in diags if d.label == "incidental"]
        ok &= b == bool(inc)
        better, incidental = better + b, incidental + bool(inc)
        for d in inc:
            a_, b_ = (abs(w) for w in d.weights)
            predicted = float(shared_pair_loss(a_, b_, p) - shared_pair_loss(a_, b_, 0.0))
            worst = max(worst, abs(-d.change - predicted))
            savings.append(-d.change)
        r = repair(W, l1=l1, p=p)
        ok &= r.loss_after <= r.loss_before + 1e-12 * max(1.0, r.loss_before)
    ok &= worst <= 1e-10
    return verdict(ok and better > 0, better / len(Ws), incidental / len(Ws),
                   "one move from better ⇔ an incidental neuron, per instance; each saving as predicted to 1e-10",
                   f"{better}/{len(Ws)} instances one move from better, {incidental}/{len(Ws)} with an incidental neuron; "
                   f"savings {np.round(savings, 6).tolist()} (largest deviation from the pair formula {worst:.1e}) vs Δ(p) at "
                   f"w* = {price:.6f}")


@claim(id="diagnosis.basis-free-vs-per-neuron",
       statement="Per-neuron and basis-free measures disagree on dense solutions and agree on sparse ones: without L1 "
                 "(n = 16, m = 64) training ends dense, most neurons carrying ≥ 2 strong features, while the per-feature "
                 "dimensionality stays near 1 (≥ 0.75 for every feature, mean ≈ 0.91: little superposition); with L1 (λ = 0.1) the "
                 "neurons carrying ≥ 2 strong features are exactly the ± pairs, whose features have D = 1/2",
       source="ours (beyond the basis); the measure of Toy Models of Superposition",
       prediction="D_i = 1/2 for the two features of a ± pair, near 1 for features with only small overlaps "
                  "(sims.measure.metrics.feature_dimensionality); polysemanticity per neuron is basis-dependent, D is not",
       evidence="prox-GD (λ = 0 is plain GD), lr 0.1, 2000 steps, 8 instances; 'strong' = |W_ik| ≥ ½ max_k'|W_ik'|. "
                "Confirmed when at λ = 0 ≥ half of the neurons carry ≥ 2 strong features and min D ≥ 0.75, and at "
                "λ = 0.1 the count of such neurons equals the opposite-sign shared count in every instance and every "
                "paired feature has |D − 1/2| ≤ 0.02",
       test="tests/test_claims.py::test_quick_claim[diagnosis.basis-free-vs-per-neuron]", tier="quick")
def _basis_free_vs_per_neuron(rng):
    from ..measure.metrics import dominant_neurons, dominant_polysemantic_count, feature_dimensionality, multi_feature_neurons
    from ..dynamics.train import train

    out = {}
    seed = int(rng.integers(2**63))
    for l1 in (0.0, 0.1):
        W = train(ModelSpec(n=16, m=64, l1=l1), TrainConfig(optimizer="prox_gd", lr=0.1, steps=2000, instances=8,
                                                            record=Schedule(points=2)),
                  rng=seed, metrics=lambda W, s: {}).W
        out[l1] = {"W": W, "D": feature_dimensionality(W), "multi": multi_feature_neurons(W),
                   "pairs": dominant_polysemantic_count(W)["opposite_sign"]}
    dense, sparse = out[0.0], out[0.1]
    k, _ = dominant_neurons(sparse["W"])
    paired = np.array([[np.sum(ki == ki[f]) == 2 for f in range(ki.size)] for ki in k])
    ok = bool(np.all(dense["multi"] >= 32) and dense["D"].min() >= 0.75 and np.all(sparse["multi"] == sparse["pairs"])
              and (not paired.any() or np.abs(sparse["D"][paired] - 0.5).max() <= 0.02))
    return verdict(ok, float(dense["multi"].mean()), 32.0, "see evidence",
                   f"λ = 0: neurons with ≥ 2 strong features {dense['multi'].tolist()} of 64, D min {dense['D'].min():.3f} "
                   f"mean {dense['D'].mean():.3f}; λ = 0.1: such neurons {sparse['multi'].tolist()}, ± pairs "
                   f"{sparse['pairs'].tolist()}, paired features' D {np.round(sparse['D'][paired], 3).tolist()}")


@claim(id="diagnosis.one-move-fraction",
       statement="How often training's solution is one move from a strictly better one: never without co-occurrence "
                 "(a ± pair is free at p = 0), and with probability 1 − exp(−μ(p)), μ(p) = n(n−1)/(4m)·exp(−κp/λ), "
                 "at p > 0 (Poisson-distributed surviving pairs, each strictly improvable by a split)",
       source="ours (report how often training's solution is one move away from a strictly better one)",
       prediction="theory.survival.one_move_fraction with κ = 9.7 (cooccurrence.survival-exponential, "
                  "measured on other seeds): 0, 0.70, 0.52, 0.24 at p = 0, 0.005, 0.01, 0.02 (n = 32, m = 128, λ = 0.1)",
       evidence="sims.figures.diagnosis.diagnosis_point (prox-GD λt = 20 on L_0 + pL_1, then sims.measure.diagnosis.repair on "
                 "the exact L_p), 16 instances per p from common starts. Confirmed when the fraction is exactly 0 at "
                 "p = 0 and within 3 binomial SE (of the prediction) at each p > 0 (false failure ≈ 0.3% each, normal "
                 "approximation). Measured at seed 0: 0, 0.875, 0.812, 0.438 (z = +1.6, +2.3, +1.8). At full size "
                 "(`reproduce diagnosis`, 64 "
                 "instances, p/λ = 0.025…0.2): 0.75, 0.64, 0.47, 0.11 against 0.78, 0.70, 0.52, 0.24 — the last 2.5 SE "
                 "low: pairs die faster than exp(−9.7p/λ) beyond p/λ = 0.1 (−ln S/(p/λ) = 9.8, 10.2, 10.1, 12.8 from "
                 "the counts 1.80 → 1.41, 1.08, 0.66, 0.14). Power (exact binomial, the three p > 0 together): "
                 "against co-occurrence leaving the pairs alone (κ = 0: 0.856 at every p), sd ≈ 0.43–0.50 per "
                 "instance, k = 16 gives a false pass of 0.3% (false failure 0.5% in all); the smallest k with false "
                 "pass ≤ 5% is 10, 16 in batches, so the size is kept. Against κ = 12.8, the full-size value at p/λ "
                 "= 0.2 above (0.64, 0.42, 0.14), k = 16 gives a false pass of 98%; ≤ 5% needs ≈ 250 instances "
                 "(16× the cost), so this check cannot tell κ = 9.7 from 12.8",
       test="tests/test_claims.py::test_quick_claim[diagnosis.one-move-fraction]", tier="quick")
def _one_move_fraction(rng):
    from theory.survival import one_move_fraction

    from ..studies.cooccurrence import SURVIVAL_KAPPA
    from ..studies.diagnosis import diagnosis_point

    n, m, l1, k = 32, 128, 0.1, 16
    seed = int(rng.integers(2**63))
    parts, worst, ok = [], 0.0, True
    for p in (0.0, 0.005, 0.01, 0.02):
        r = diagnosis_point(rng=None, p=p, n=n, m=m, l1=l1, instances=k, init_seed=seed)
        frac = float(np.mean(r["better"]))
        P = float(one_move_fraction(p, n, m, l1, kappa=SURVIVAL_KAPPA))
        if p == 0:
            ok &= frac == 0.0
            parts.append(f"p=0: {frac:.3f} one move from better (predicted 0; incidental neurons per instance "
                         f"{np.mean(r['incidental']):.2f}, every move free)")
            continue
        z = (frac - P) / np.sqrt(P * (1 - P) / k)
        worst = max(worst, abs(z))
        parts.append(f"p={p}: {frac:.3f} (predicted {P:.3f}, z = {z:+.1f}; repair saves {np.mean(r['saving']):.4f})")
    return verdict(ok and worst <= 3, worst, 0.0, "0 at p = 0; |z| ≤ 3 at each p > 0", "; ".join(parts))
