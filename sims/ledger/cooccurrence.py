"""Ledger claims about co-occurring features: the three evaluations of L_p agree, the cost of
an opposite-sign shared neuron is Δ(p) = 2p[1 − (1 − w*²)²] exactly and additively, its re-optimised
value follows the second-order expansion, trained incidental pairs are frozen once co-occurrence is
switched on, and the survival of incidental pairs against p/λ.

L_p(W) = (1/p)E_x‖ReLU(WWᵀx) − x‖² + λ‖W‖₁, x_i ~ Bernoulli(p) independently (``theory.cooccurrence``).
"""

from __future__ import annotations

import numpy as np

from theory.cooccurrence import (
    expected_loss_exact,
    expected_loss_pairwise,
    loss_minibatch,
    monosemantic_weight,
    reoptimised_shared_pair_cost,
    reoptimised_shared_pair_cost_expansion,
    shared_pair_cost,
)

from ..measure.occupancy import pooled_ratio
from ..studies.cooccurrence import fit_survival_rate, pair_escape, pair_survival
from .core import claim, verdict

Z = 5.0  # two-sided normal z: false-failure probability 5.7e-7 per comparison


@claim(id="cooccurrence.three-evaluations",
       statement="The three evaluations of the co-occurrence loss agree: per-output exact enumeration, the exact sum "
                 "over inputs with ≤ 2 active features (equal to it for n = 2, below it by O(p²) otherwise) and "
                 "unbiased minibatch Monte Carlo",
       source="ours",
       prediction="theory.cooccurrence.expected_loss_exact",
       evidence="loss_minibatch (2·10⁵ inputs) within 5 SE of the enumeration at n = 8, m = 12, p ∈ {0.05, 0.3} "
                "(false failure ≤ 2 × 5.7e-7); expected_loss_pairwise equal to the enumeration to 1e-12 at n = 2 and "
                "below it by ≤ C(n,3)p²·max err at n = 8. Power: against the pairwise evaluation (below the "
                "enumeration by 0.19 at p = 0.05 and 3.0 at p = 0.3 at seed 0's W), sd ≈ 7.6 and 3.7 per input, "
                "2·10⁵ inputs give a false pass < 1e-15 (11 and 366 SE); the smallest count with false pass ≤ 5% is "
                "69 533 inputs.",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.three-evaluations]", tier="quick")
def _three_evaluations(rng):
    W = rng.normal(0, 12**-0.5, size=(8, 12))
    zs, parts, ok = [], [], True
    for p in (0.05, 0.3):
        exact = float(expected_loss_exact(W, p))
        est = loss_minibatch(W, p, 200_000, rng=rng)
        z = (float(est.loss) - exact) / float(est.standard_error)
        zs.append(z)
        gap = exact - float(expected_loss_pairwise(W, p))
        ok &= 0 <= gap <= 56 * p * p * 64  # C(8,3) = 56 inputs of ≥ 3 features per p², err ≤ 64 (loose)
        parts.append(f"p={p}: exact {exact:.6f}, Monte Carlo {float(est.loss):.6f} ± {float(est.standard_error):.6f} "
                     f"(z = {z:+.2f}), pairwise below by {gap:.3g}")
    W2 = rng.normal(0, 0.7, size=(2, 5))
    two = abs(float(expected_loss_exact(W2, 0.4)) - float(expected_loss_pairwise(W2, 0.4)))
    ok &= two <= 1e-12 and max(abs(z) for z in zs) <= Z
    return verdict(ok, max(abs(z) for z in zs), 0.0, f"|z| ≤ {Z:g}; pairwise = exact at n = 2 (≤ 1e-12)",
                   "; ".join(parts) + f"; n = 2 difference {two:.1e}")


@claim(id="cooccurrence.shared-pair-cost",
       statement="An opposite-sign shared neuron with both weights at the monosemantic optimum w* costs exactly "
                 "Δ(p) = 2p[1 − (1 − w*²)²] more than two monosemantic neurons, at every p, additively over pairs",
       source="ours (the paper's call to quantify the trade-off, §4); derivation cooccurrence.shared-pair",
       prediction="theory.cooccurrence.shared_pair_cost(p, w*) × k",
       evidence="expected_loss_exact of constructed W (k ∈ {1, 2, 3} ± pairs on k neurons plus 8 − 2k monosemantic "
                "features, λ = 0.05) minus the all-monosemantic W, at p ∈ {0.01, 0.1, 0.5, 1}; agreement to 1e-12",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.shared-pair-cost]", tier="quick")
def _shared_pair_cost(rng):
    l1, n = 0.05, 8
    w = monosemantic_weight(l1)
    mono = np.zeros((n, n))
    mono[np.arange(n), np.arange(n)] = w
    worst, parts = 0.0, []
    for k in (1, 2, 3):
        W = mono.copy()
        for j in range(k):  # feature n − 1 − j joins feature j's neuron with the opposite sign
            W[n - 1 - j] = 0.0
            W[n - 1 - j, j] = -w
        for p in (0.01, 0.1, 0.5, 1.0):
            measured = float(expected_loss_exact(W, p, l1=l1) - expected_loss_exact(mono, p, l1=l1))
            predicted = k * float(shared_pair_cost(p, w))
            worst = max(worst, abs(measured - predicted))
        parts.append(f"k={k}: extra loss at p = 1 {measured:.6f} vs k·Δ {predicted:.6f}")
    return verdict(worst <= 1e-12, worst, 0.0, "max |measured − k·Δ(p)| ≤ 1e-12",
                   f"w* = {w:.6f}; " + "; ".join(parts))


@claim(id="cooccurrence.reoptimised-pair",
       statement="Letting the two weights of a ± shared pair differ lowers its cost below Δ(p) by "
                 "p²·u[(1 − 2u)² + (3 − 2u)²]/(2(3u − 1)) + O(p³), u = w*² (p²/2 at λ = 0)",
       source="ours; derivation cooccurrence.reoptimised-pair",
       prediction="theory.cooccurrence.reoptimised_shared_pair_cost_expansion",
       evidence="theory.cooccurrence.reoptimised_shared_pair_cost (numerical minimum, L-BFGS-B) at λ ∈ {0, 0.1}, "
                "p ∈ {0.01, 0.02, 0.04}: |numeric − expansion| ≤ 2p³ (the O(p³) remainder; measured ≈ 0.2–0.6 p³), "
                "and the saving Δ − numeric ≥ p²/4 at p = 0.04 (so the remainder is ≤ 8p of the second-order term)",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.reoptimised-pair]", tier="quick")
def _reoptimised_pair(rng):
    worst, parts, ok = 0.0, [], True
    for l1 in (0.0, 0.1):
        w = monosemantic_weight(l1)
        for p in (0.01, 0.02, 0.04):
            numeric = reoptimised_shared_pair_cost(p, l1).cost
            expansion = float(reoptimised_shared_pair_cost_expansion(p, l1))
            err = abs(numeric - expansion) / p**3
            worst = max(worst, err)
            ok &= err <= 2.0
        saving = float(shared_pair_cost(0.04, w)) - numeric
        ok &= saving >= 0.04**2 / 4
        parts.append(f"λ={l1}: at p=0.04 numeric {numeric:.8f}, expansion {expansion:.8f}, Δ {float(shared_pair_cost(0.04, w)):.8f}")
    return verdict(ok, worst, 0.0, "|numeric − expansion| ≤ 2p³ and saving ≥ p²/4 at p = 0.04", "; ".join(parts))


@claim(id="cooccurrence.frozen-pairs",
       statement="A trained incidental pair does not escape to a free neuron when co-occurrence is switched on "
                 "(p = 0.05, λ = 0.1): an all-zero neuron column has zero gradient (L_p depends on W only through "
                 "WWᵀ), and L1 pins perturbations of size 0.3/√m there, under proximal GD, GD and AdamW alike",
       source="ours",
       prediction="opposite-sign shared count unchanged: after = before",
       evidence="sims.studies.cooccurrence.pair_escape at n = 16, m = 64, 16 instances: one-hot prox-GD warm start "
                "(λt = 20), then 2000 steps at p = 0.05 from the trained W and from W + 0.3·N(0, 1/m); exact equality "
                "of the summed counts. Training objective L_0 + pL_1 (sims.dynamics.cooccurrence, first order in p). "
                "Power: ε = 0 is exact (zero gradient), so only ε = 0.3 is random: against a per-pair escape rate of "
                "3/13 (AdamW at ε = 0.6/√m, p/λ = 0.4, cooccurrence.escape-threshold), all of an optimiser's pairs "
                "staying (15, 13, 17 at seed 0) is a false pass of at most 0.77¹³ ≈ 3.3%; the smallest count with "
                "false pass ≤ 5% is 12 pairs, ≈ 14 instances at ≈ 0.9 pairs each, so 16 instances stay.",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.frozen-pairs]", tier="quick")
def _frozen_pairs(rng):
    parts, ok = [], True
    for optimizer in ("prox_gd", "gd", "adamw"):
        r = pair_escape(n=16, m=64, l1=0.1, p=0.05, eps=(0.0, 0.3), optimizer=optimizer, instances=16, rng=rng,
                        steps=2000)
        before, after = int(r["before"].sum()), r["after"].sum(axis=1).astype(int)
        ok &= bool(np.all(after == before)) and before > 0
        parts.append(f"{optimizer}: {before} pairs before, after ε = 0 / 0.3: {after.tolist()}, dropped "
                     f"{r['dropped'].sum(axis=1).astype(int).tolist()}")
    return verdict(ok, float(ok), 1.0, "after = before for every optimiser and ε", "; ".join(parts))


SURVIVAL_PS = (0.0, 0.0025, 0.005, 0.01, 0.02)
SURVIVAL_L1 = (0.05, 0.1, 0.2)


@claim(id="cooccurrence.survival-exponential",
       statement="Training from scratch with co-occurrence p, the fraction of incidental ± pairs that survive is "
                 "S = exp(−κp/λ) with one κ across λ (κ ≈ 10 at n = 32, m = 128; κ grows with m: ≈ 7, 10–12, 14 at "
                 "m = 64, 128, 256 for n = 32)",
       source="ours (the hypothesis to test)",
       prediction="S = exp(−κ̂p/λ), κ̂ the weighted least-squares fit of −log S on p/λ through the origin over all points",
       evidence="sims.studies.cooccurrence.pair_survival at n = 32, m = 128, 32 instances, λ ∈ {0.05, 0.1, 0.2}, "
                "p ∈ {0.0025, 0.005, 0.01, 0.02} (np ≤ 0.64), prox-GD on L_0 + pL_1 for λt = 20, common initial weights "
                "per λ; S = pooled ratio of counts to p = 0 with its delta-method SE (floored at one pair, 1/Σ count(0), "
                "where no pair survives); confirmed when every point is "
                f"within {Z:g} SE of the fit. (On the truncated pairwise loss, whose effective λ grows with np, S "
                "instead levelled off at a λ-dependent floor: an artefact of that objective.)",
       test="incidental verify --full --claim cooccurrence.survival-exponential", tier="full")
def _survival_exponential(rng):
    xs, Ss, ses, parts = [], [], [], []
    for l1 in SURVIVAL_L1:
        r = pair_survival(n=32, m=128, l1=l1, ps=SURVIVAL_PS, instances=32, rng=rng)
        c = r["opposite_shared"]
        for p, row in zip(SURVIVAL_PS[1:], c[1:]):
            S, se = pooled_ratio(row, c[0])
            se = max(se, 1.0 / c[0].sum())  # the delta-method SE is 0 when no pair survives: floor at one pair
            xs.append(p / l1)
            Ss.append(S)
            ses.append(se)
        parts.append(f"λ={l1}: S = " + ", ".join(f"{s:.2f}±{e:.2f}" for s, e in zip(Ss[-4:], ses[-4:])))
    x, S, se = np.array(xs), np.array(Ss), np.array(ses)
    kappa, kappa_se, _ = fit_survival_rate(x, S, se)
    z = (S - np.exp(-kappa * x)) / np.maximum(se, 1e-12)
    worst = float(np.max(np.abs(z)))
    return verdict(worst <= Z, worst, 0.0, f"every |S − exp(−κ̂p/λ)| ≤ {Z:g} SE",
                   f"κ̂ = {kappa:.1f} ± {kappa_se:.1f}; " + "; ".join(parts) + f"; p/λ = {np.round(x, 4).tolist()}; "
                   f"z = {np.round(z, 1).tolist()}", {"p_over_l1": x.tolist(), "S": S.tolist(), "se": se.tolist(),
                                                       "kappa": kappa, "kappa_se": kappa_se})


@claim(id="cooccurrence.tradeoff-pricing",
       statement="Trained solutions pay for polysemanticity exactly as priced: the excess loss over n monosemantic "
                 "features is k·Δ(p) + d·(1 − ℓ*(λ)) for k opposite-sign shared neurons and d dropped features, up to "
                 "the pairs' re-optimisation saving (≈ p²/2 per pair)",
       source="ours (the Pareto view the paper asked for, §4)",
       prediction="sims.figures.tradeoff.predicted_excess_loss (theory.cooccurrence.shared_pair_cost, "
                  "dropped_feature_cost)",
       evidence="sims.figures.tradeoff.tradeoff_point at n = 16, m = 32, λ = 0.2, p ∈ {0.01, 0.02, 0.05}, 8 instances "
                "(prox-GD on L_0 + pL_1 from common starts); exact excess loss by enumeration; every instance within "
                "k·p² + 1e-9 of the prediction (the re-optimisation saving is ≤ k·p²/2 to second order), and some k > 0",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.tradeoff-pricing]", tier="quick")
def _tradeoff_pricing(rng):
    from ..studies.cooccurrence import tradeoff_point

    ps = (0.01, 0.02, 0.05)
    r = tradeoff_point(rng=rng, n=16, m=32, l1=0.2, ps=ps, instances=8)
    ok, worst, parts = True, 0.0, []
    for j, p in enumerate(ps):
        k, ex, pr = (np.array(r[key][j]) for key in ("shared", "excess", "predicted"))
        err = np.abs(ex - pr)
        ok &= bool(np.all(err <= k * p * p + 1e-9))
        worst = max(worst, float(np.max(err / np.maximum(k * p * p, 1e-300) * (k > 0))))
        parts.append(f"p={p}: pairs {k.tolist()}, excess {ex.sum():.5f} vs predicted {pr.sum():.5f}")
    total_pairs = sum(sum(x) for x in r["shared"])
    return verdict(ok and total_pairs > 0, worst, 0.0, "|excess − prediction| ≤ k·p² per instance",
                   "; ".join(parts) + f"; largest error / (k·p²) = {worst:.2f}")


@claim(id="cooccurrence.capacity-pairs-at-2m",
       statement="At n = 2m with co-occurrence p > 0 training packs every feature into an antipodal ± pair (per-feature "
                 "dimensionality 1/2) and pays m·Δ(p) ≈ p·n(n − m)/m = np, the first-order capacity bound, which is "
                 "tight there",
       source="ours (capacity 2m one-hot, m for p > 0; the bound p(n − m)n/m)",
       prediction="theory.cooccurrence.cooccurrence_capacity_bound(2m, m, p) = np; m·shared_pair_cost(p, w*)",
       evidence="sims.figures.capacity.capacity_point at m = 8, n = 16, λ = 0.05, p ∈ {0.005, 0.01, 0.02}, "
                "4 instances: every feature's D within 0.04 of 1/2, and the exact excess loss within m·p² (the pairs' "
                "re-optimisation saving) of m·Δ(p), which is within 0.05% of np",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.capacity-pairs-at-2m]", tier="quick")
def _capacity_pairs(rng):
    from theory.cooccurrence import cooccurrence_capacity_bound

    from ..studies.cooccurrence import capacity_point

    m, n, l1, ps = 8, 16, 0.05, (0.005, 0.01, 0.02)
    r = capacity_point(rng=rng, n=n, m=m, l1=l1, ps=ps, instances=4)
    w = monosemantic_weight(l1)
    ok, parts, worst = True, [], 0.0
    for j, p in enumerate(ps):
        ex = np.array(r["excess"][j])
        price = m * float(shared_pair_cost(p, w))
        ok &= bool(np.all(np.array(r["pair"][j]) == 1.0)) and bool(np.all(np.abs(ex - price) <= m * p * p))
        worst = max(worst, float(np.max(np.abs(ex - price)) / (m * p * p)))
        parts.append(f"p={p}: pair fraction {np.mean(r['pair'][j]):.3f}, excess {ex.mean():.5f}, m·Δ {price:.5f}, "
                     f"bound np {cooccurrence_capacity_bound(n, m, p):.5f}")
    return verdict(ok, worst, 0.0, "all features paired; |excess − m·Δ(p)| ≤ m·p²", "; ".join(parts))


@claim(id="cooccurrence.escape-threshold",
       statement="A trained incidental pair escapes to a free neuron under co-occurrence only when the weights are "
                 "perturbed by more than ε* ≈ 0.6·(λ/p)/√m per entry: pairs stay at p/λ = 0.4 with ε = 0.6/√m and leave "
                 "at p/λ = 2.5, under proximal GD and SGD (AdamW behaves alike, a little looser: 10/13 stay)",
       source="ours (the size of perturbation that lets a pair escape)",
       prediction="linear escape: a free-neuron entry of size ε grows at a rate ∝ p from the co-occurrence force but "
                  "the L1 term pulls it back at rate λ, so ε* ∝ λ/p",
       evidence="sims.studies.cooccurrence.pair_escape at n = 16, m = 64, 16 instances, 4000 steps after the one-hot "
                "warm start, ε = 0.6: at (λ, p) = (0.05, 0.02) ≥ 3/4 of the pairs remain, at (0.02, 0.05) ≤ 1/10 "
                "remain, for prox-GD on L_0 + pL_1 and minibatch SGD (GD on 256-input batches); AdamW reported. "
                "Measured at seed 0 (prox-GD, SGD, AdamW): 13/13, 13/13, 10/13 stay and 0/15, 0/15, 0/15 remain; "
                "at (0.05, 0.05) the threshold lies between ε = 0.3 and 1",
       test="incidental verify --full --claim cooccurrence.escape-threshold", tier="full")
def _escape_threshold(rng):
    parts, ok, remain = [], True, {}
    for (l1, p), want in (((0.05, 0.02), "stay"), ((0.02, 0.05), "leave")):
        for optimizer, estimator in (("prox_gd", "first-order"), ("gd", "minibatch"), ("adamw", "first-order")):
            r = pair_escape(n=16, m=64, l1=l1, p=p, eps=(0.6,), optimizer=optimizer, estimator=estimator,
                            instances=16, rng=rng, steps=4000, lr=None if optimizer == "adamw" else 0.05)
            frac = float(r["after"].sum() / max(r["before"].sum(), 1))
            remain[l1, p, optimizer] = frac
            if optimizer != "adamw":
                ok &= frac >= 0.75 if want == "stay" else frac <= 0.1
            parts.append(f"λ={l1}, p={p}, {optimizer}: {frac:.2f} remain")
    return verdict(ok, min(v for (l1, _, _), v in remain.items() if l1 == 0.05), 1.0,
                   "prox-GD and SGD: ≥ 3/4 remain at p/λ = 0.4, ≤ 1/10 at p/λ = 2.5 (ε = 0.6)", "; ".join(parts))


@claim(id="cooccurrence.structure-transition",
       statement="With n = 1.5m features, training packs them as ± pairs plus lone features while p/λ is below the "
                 "triangle break-even 2(√3 − 1) ≈ 1.46 and as 120° triangles (and some tetrahedra) above it: "
                 "co-occurrence favours the triangle (1.5p vs 2p per 3 features), L1 the axis-aligned pair ((√3 − 1)λ)",
       source="ours (which structures win as a function of n/m and p/λ)",
       prediction="theory.cooccurrence.triangle_break_even_ratio() = 2(√3 − 1) (exact enumeration of the two "
                   "structures crosses at 1.473 at λ = 1e-3, tests/test_capacity.py)",
       evidence="sims.figures.capacity.capacity_point at n = 12, m = 8, λ = 0.02, 8 instances, p = 0.008 (p/λ = 0.4) "
                "and 0.04 (p/λ = 2.0); features classed by the per-feature dimensionality (triangle: D within 0.04 of "
                "2/3). Confirmed when no feature is in a triangle at p/λ = 0.4 and ≥ 1/3 are at p/λ = 2 (measured at "
                "seed 0: 0 and 0.66; p/λ = 1.0 gave 0 triangles and 0.16 tetrahedra, p/λ = 1.2 at λ = 0.05 gave 0.38). "
                "Tetrahedra beat a triangle plus a lone feature only above p/λ = 4√6 + 8√2 − 6 − 6√3 ≈ 4.72 and a "
                "pair plus two lone features above 2.28 (theory.cooccurrence.tetrahedron_break_even_ratio, "
                "derivation cooccurrence.tetrahedron-break-even), so those at p/λ ≤ 2 are not the cheapest packing. "
                "Power: against no transition below p/λ = 2 (triangle fraction 0, as at p/λ = 0.4 and 1.0), the "
                "per-instance sd of the triangle fraction at p/λ = 2 is ≈ 0.13–0.32 (two draws; means 0.64–0.66), so "
                "k = 8 gives a false pass ≈ 0 and a false failure ≤ 0.4% (0.64 − 1/3 ≥ 2.6 SE, normal approximation); "
                "no triangle in all 8 instances at p/λ = 0.4 excludes a 31% per-instance triangle rate at 5%; the "
                "smallest k with false pass ≤ 5% is 1, so 8, the batch, stays.",
       test="tests/test_claims.py::test_quick_claim[cooccurrence.structure-transition]", tier="quick")
def _structure_transition(rng):
    from theory.cooccurrence import triangle_break_even_ratio

    from ..studies.cooccurrence import capacity_point

    r = capacity_point(rng=rng, n=12, m=8, l1=0.02, ps=(0.008, 0.04), instances=8)
    below, above = (float(np.mean(r["triangle"][j])) for j in (0, 1))
    detail = "; ".join(f"p/λ = {p / 0.02:.1f}: " + ", ".join(f"{k} {np.mean(r[k][j]):.2f}" for k in
                                                           ("pair", "alone", "triangle", "tetrahedron", "other"))
                       for j, p in enumerate((0.008, 0.04)))
    return verdict(below == 0.0 and above >= 1 / 3, above, triangle_break_even_ratio(),
                   "no triangle at p/λ = 0.4, ≥ 1/3 of features in triangles at p/λ = 2", detail)
