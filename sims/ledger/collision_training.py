"""Ledger claims about collisions in *trained* models (paper §2.4, §3.3): whether
opposite-sign features share neurons as often as independent placement predicts (the sharing ratio ρ
of ``sims.studies.collisions``), whether each feature's winner is its initial argmax, why AdamW shares
less, and the corrected count law ρ·n(n−1)/(4m) against the paper-size counts.

Units: optimiser steps; λ in the summed-loss units of ``theory.loss``.
"""

from __future__ import annotations

import numpy as np

from ..measure.occupancy import pooled_ratio
from ..studies.collisions import collision_survival
from theory.collisions import expected_overlap_distinct, paper_prediction

from ..measure.statistics import mean_se
from .core import claim, verdict
from ..measure.metrics import winner_initial_rank

Z = 5.0  # two-sided normal z: false-failure probability 5.7e-7 per comparison

#: The paper's recipe and the gradient-flow-faithful one (proximal GD; λ large enough that every
#: feature is 1-sparse within 8000 steps at η = 0.01, i.e. gradient-flow time 80, λt = 16).
ADAMW = dict(optimizer="adamw", lr=1e-3, l1=1e-3, steps=7500)
PROX_GD = dict(optimizer="prox_gd", lr=0.01, l1=0.2, steps=8000)


def _sharing(stats) -> tuple[float, float]:
    return pooled_ratio(stats["opposite_shared"], stats["expected_independent"])



@claim(id="collisions.independent-sharing-adamw", expected="refuted",
       statement="Under the paper's AdamW recipe (lr 1e-3, λ = 1e-3, 7500 steps) opposite-sign features share a "
                 "neuron as often as independent placement predicts: ρ = Σ shared / Σ N₊N₋/m = 1 (the idealisation "
                 "behind n(n−1)/(4m))",
       source="paper §2.4 [R] (the idealisation), §3.3 [V-fig] (counts below the line); measured here",
       prediction="ρ = 1: N₊N₋/m is the hypergeometric mean of the shared count when the N₊ neurons holding a "
                  "+ feature and the N₋ holding a − feature are independent uniform sets",
       evidence="sims.studies.collisions at n = 128, m = 512, 96 instances; pooled ratio with its delta-method SE; "
                f"refuted when |ρ − 1| > {Z:g} SE (a true ρ = 1 is read as refuted with probability 5.7e-7). Full tier: "
                "24 instances (SE ≈ 0.05) gave ρ = 0.66 and 0.81 at two seeds, too close to the 5-SE line",
       correction="ρ ≈ 0.72 ± 0.03 at n = 128, m = 512 (96 instances; 0.66–0.81 at other seeds with 16–24 instances; "
                  "≈ 0.83–0.91 at n = 64, m = 256): + and − features avoid each other's neurons. Under AdamW the "
                  "final sign of a neuron follows the initial weights of the other features on it far more strongly "
                  "than under proximal GD (collisions.adamw-neuron-polarity), which shares independently "
                  "(collisions.independent-sharing-prox-gd). The count follows ρ·n(n−1)/(4m) approximately "
                  "(collisions.corrected-count-law); centring the initial columns does not restore ρ = 1 "
                  "(collisions.adamw-polarity-mechanism, refuted)",
       test="incidental verify --full --claim collisions.independent-sharing-adamw", tier="full")
def _independent_sharing_adamw(rng):
    s = collision_survival(128, 512, instances=96, rng=rng, **ADAMW)
    rho, se = _sharing(s)
    pol, pol_se = mean_se(s["polarity"])
    return verdict(abs(rho - 1) <= Z * se, rho, 1.0, f"|ρ − 1| ≤ {Z:g} SE = {Z * se:.3f}",
                   f"ρ = {rho:.3f} ± {se:.3f} ({(rho - 1) / se:+.1f} SE); shared {s['opposite_shared'].mean():.2f} "
                   f"vs N₊N₋/m {s['expected_independent'].mean():.2f} per instance; neuron polarity β₀ = {pol:.3f} ± "
                   f"{pol_se:.3f}; same-sign neurons {int(s['same_sign'].sum())}; initial argmax wins for "
                   f"{s['argmax_fraction'].mean():.1%} of features")


@claim(id="collisions.independent-sharing-prox-gd",
       statement="Under gradient-flow-faithful training (proximal GD, η = 0.01, λ = 0.2, 8000 steps: every feature "
                 "1-sparse) opposite-sign features share neurons as independent placement predicts: ρ = 1",
       source="paper §2.4 [R] (the idealisation); measured here",
       prediction="ρ = 1 (hypergeometric mean N₊N₋/m of the shared count)",
       evidence="sims.studies.collisions at n = 64, m = 256, 128 instances; confirmed when |ρ − 1| ≤ "
                f"{Z:g} SE (false failure 5.7e-7). SE ≈ 0.037 (seed 0: ρ = 1.046 ± 0.037), so the band reaches down "
                "to ρ ≈ 0.82 and only ρ ≤ 0.75 is refuted with power 0.95: AdamW's ρ ≈ 0.72 at n = 128 "
                "(collisions.independent-sharing-adamw) would pass with probability 0.5%, its 0.81 at other seeds "
                "with 44%. Power: against AdamW's ρ at the same n = 64, m = 256 (0.78, collisions.rho-falls-with-n "
                "at seed 0), sd ≈ 0.42 per instance (the pooled ratio's SE·√k), k = 128 gives a false pass of 16% "
                "(false failure 5.7e-7); the smallest k with false pass ≤ 5% is 159 (212 against 0.81), 1.2× the "
                "cost, so the size is kept",
       test="tests/test_claims.py::test_quick_claim[collisions.independent-sharing-prox-gd]", tier="quick")
def _independent_sharing_prox_gd(rng):
    s = collision_survival(64, 256, instances=128, rng=rng, **PROX_GD)
    rho, se = _sharing(s)
    return verdict(abs(rho - 1) <= Z * se, rho, 1.0, f"|ρ − 1| ≤ {Z:g} SE = {Z * se:.3f}",
                   f"ρ = {rho:.3f} ± {se:.3f}; shared {s['opposite_shared'].mean():.3f} vs N₊N₋/m "
                   f"{s['expected_independent'].mean():.3f} per instance (n(n−1)/(4m) = {64 * 63 / 1024:.3f}); "
                   f"same-sign neurons {int(s['same_sign'].sum())}; {int(s['surviving_collisions'].sum())} of "
                   f"{int(s['initial_collisions'].sum())} initial opposite-sign argmax collisions survive")


def _winner_statistics(rng, recipe) -> dict[str, float]:
    s = collision_survival(64, 256, instances=8, rng=rng, **recipe)
    _, rank = winner_initial_rank(s["W0"], s["W"])
    frac, frac_se = mean_se(s["argmax_fraction"])
    return {"argmax_fraction": frac, "argmax_fraction_se": frac_se, "rank_mean": float(rank.mean()),
            "rank_median": float(np.median(rank)), "rank_p90": float(np.quantile(rank, 0.9)),
            "rank_le_2": float(np.mean(rank <= 2))}


@claim(id="collisions.argmax-winner", expected="refuted",
       statement="Each feature ends on its initial argmax neuron argmax_k |W_ik(0)| (the idealisation behind the "
                 "collision count; exact for a single feature under the L1 gradient flow)",
       source="paper §2.4 [R] (idealisation), §2.3 [R] (single feature); measured here",
       prediction="fraction of features whose final dominant neuron is the initial argmax = 1",
       evidence="sims.studies.collisions + sims.measure.metrics.winner_initial_rank at n = 64, m = 256, 8 instances "
                "each under proximal GD (η = 0.01, λ = 0.2, 8000 steps) and AdamW (the paper's recipe); measured = the "
                f"prox-GD fraction (the faithful recipe); refuted when it is below 1 by more than {Z:g} SE over "
                "instances (one-sided). Power: against the fraction measured under prox-GD (0.67 at 16 instances, "
                "seed 0), sd ≈ 0.064 per instance, k = 16 gave a false pass (a confirmation) of < 1e-26 (false "
                "failure ≤ 2.9e-7); the smallest k with false pass ≤ 5% is 2, so 8, one batch (false pass 4e-8 "
                "with the t tail of an SE from 8 instances). Measured at seed 0 (8 instances): prox-GD 0.625 ± 0.020 "
                "(initial rank ≤ 2 for 93%), AdamW 0.090 ± 0.016 (median initial rank 12)",
       correction="the initial argmax wins for ≈ 2/3 of features under proximal GD (initial rank ≤ 2 for ≈ 90%) and "
                  "for ≈ 4–9% under AdamW (median initial rank ≈ 11–12 at m = 256): interference between features in "
                  "the dense phase reorders near-tied leaders, and AdamW's per-coordinate normalisation erases the "
                  "magnitude ordering. The winner is still decided at initialisation (collisions.correlation-diagonal)",
       test="tests/test_claims.py::test_quick_claim[collisions.argmax-winner]", tier="quick")
def _argmax_winner(rng):
    prox = _winner_statistics(rng, PROX_GD)
    adam = _winner_statistics(rng, ADAMW)
    f, se = prox["argmax_fraction"], prox["argmax_fraction_se"]
    detail = "; ".join(f"{name}: argmax wins {d['argmax_fraction']:.3f} ± {d['argmax_fraction_se']:.3f}, initial rank "
                       f"of the winner mean {d['rank_mean']:.2f}, median {d['rank_median']:.0f}, 90th percentile "
                       f"{d['rank_p90']:.0f}, rank ≤ 2 for {d['rank_le_2']:.1%}"
                       for name, d in (("prox-GD", prox), ("AdamW", adam)))
    return verdict(1 - f <= Z * max(se, 1e-12), f, 1.0, f"1 − fraction ≤ {Z:g} SE", detail,
                   {"prox_gd": prox, "adamw": adam})


@claim(id="collisions.adamw-neuron-polarity",
       statement="Under AdamW a singly occupied neuron's final sign is set by its initial column sum far more strongly "
                 "than under proximal GD: the polarity β₀ (mean of −sign(occupant)·z_k, z_k the other features' "
                 "initial weights on k summed, in units of √(n/m)) is larger under AdamW",
       source="ours (the mechanism behind collisions.independent-sharing-adamw)",
       prediction="β₀(AdamW) > β₀(prox-GD) (measured ≈ 0.6 vs ≈ 0.22 at n = 64, m = 256)",
       evidence="sims.studies.collisions (occupancy_statistics' polarity) at n = 64, m = 256, 16 instances per recipe; "
                f"confirmed when the difference of the instance means exceeds {Z:g} SE (one-sided). Power: the "
                "alternative to exclude is no difference (equal β₀), read as a pass with probability 2.9e-7 at any k "
                "(≈ 1e-5 with the t tail of SEs from 2 × 16 instances); at the measured gap 0.36 ± 0.039 (seed 0; sd "
                "≈ 0.16 per instance pair: 0.11 AdamW, 0.11 prox-GD) k = 16 has power 0.99999 (false failure "
                "8e-6: a 4.3-SE low draw); the smallest k with power ≥ 0.95 is 9, so the batch of 16 is kept",
       test="tests/test_claims.py::test_quick_claim[collisions.adamw-neuron-polarity]", tier="quick")
def _adamw_neuron_polarity(rng):
    adam, adam_se = mean_se(collision_survival(64, 256, instances=16, rng=rng, **ADAMW)["polarity"])
    prox, prox_se = mean_se(collision_survival(64, 256, instances=16, rng=rng, **PROX_GD)["polarity"])
    se = float(np.hypot(adam_se, prox_se))
    return verdict(adam - prox > Z * se, adam - prox, 0.0, f"β₀(AdamW) − β₀(prox-GD) > {Z:g} SE = {Z * se:.3f}",
                   f"β₀ AdamW {adam:.3f} ± {adam_se:.3f}, prox-GD {prox:.3f} ± {prox_se:.3f}")


@claim(id="collisions.adamw-polarity-mechanism", expected="refuted",
       statement="AdamW's sharing deficit (ρ < 1) comes from neuron polarity set by the plain initial column sums: "
                 "the final sign of a singly occupied neuron anti-correlates with the initial sum of the other "
                 "features' weights on it (β₀ > 0), and centring every initial column (sum 0, variance kept) restores "
                 "ρ = 1",
       source="ours (a hypothesis from a 16-instance run that gave ρ(centred) = 1.01 ± 0.09)",
       prediction="β₀ > 0 under AdamW; ρ(centred) = 1; ρ(centred) > ρ(plain)",
       evidence="sims.studies.collisions at n = 128, m = 512, 32 instances plain and 32 centred (center_columns=True); "
                f"β₀ mean over instances > {Z:g} SE; |ρ(centred) − 1| ≤ {Z:g} SE; ρ(centred) − ρ(plain) > 3 SE of the "
                "difference (one-sided)",
       correction="β₀ is large (0.62 ± 0.02) but centring leaves the deficit: ρ = 0.85 ± 0.05 centred vs 0.81 ± 0.05 "
                  "plain (gap 0.5 SE). The polarity is not the plain column sum's; a candidate, not tested here, is "
                  "the overlap-weighted sum Σ_j ReLU(G_ij)W_jk that sets the sign of AdamW's first, sign-like steps",
       test="incidental verify --full --claim collisions.adamw-polarity-mechanism", tier="full")
def _adamw_polarity(rng):
    plain = collision_survival(128, 512, instances=32, rng=rng, **ADAMW)
    centred = collision_survival(128, 512, instances=32, rng=rng, center_columns=True, **ADAMW)
    (r0, s0), (r1, s1) = _sharing(plain), _sharing(centred)
    pol, pol_se = mean_se(plain["polarity"])
    gap_se = float(np.hypot(s0, s1))
    ok = pol > Z * pol_se and abs(r1 - 1) <= Z * s1 and r1 - r0 > 3 * gap_se
    return verdict(ok, r1, 1.0, f"β₀ > {Z:g} SE, |ρ(centred) − 1| ≤ {Z:g} SE, gap > 3 SE",
                   f"β₀ = {pol:.3f} ± {pol_se:.3f}; ρ plain {r0:.3f} ± {s0:.3f}, centred {r1:.3f} ± {s1:.3f} "
                   f"(gap {(r1 - r0) / gap_se:.1f} SE)")


@claim(id="collisions.corrected-count-law",
       statement="Under the paper's AdamW recipe at n = 256 the polysemantic count is ρ·n(n−1)/(4m), with ρ the "
                 "sharing ratio measured independently at n = 128, m = 512 (0.72–0.81), not n²/(4m) (16 at m = 1024, "
                 "8 at m = 2048)",
       source="paper §3.3 [V-fig] (10–11 at m = 1024, 5.4 at m = 2048); the correction is ours",
       prediction="ρ̂·n(n−1)/(4m), ρ̂ from sims.studies.collisions at n = 128, m = 512 (24 instances)",
       evidence="AdamW training at n = 256, m ∈ {1024, 2048}, 8 instances each; dominant-neuron opposite-sign count "
                f"(sims.measure.metrics.dominant_polysemantic_count); |count − prediction| ≤ {Z:g} SE (SE of the mean count "
                "and of ρ̂ combined) at both m, and n²/(4m) is outside that band at m = 1024. At seed 0 the counts sit "
                "3–4 SE below ρ̂·n(n−1)/(4m) (9.4 vs 13.0, 3.9 vs 6.5): ρ falls with n (collisions.rho-falls-with-n: "
                "ρ ≈ 0.62 at n = 256, which predicts 9.9 and 4.9), so the law needs ρ at the n in question (the "
                "paper-size sweep gives count/(n(n−1)/(4m)) between 0.6 and 0.8)",
       test="incidental verify --full --claim collisions.corrected-count-law", tier="full")
def _corrected_count_law(rng):
    rho, rho_se = _sharing(collision_survival(128, 512, instances=24, rng=rng, **ADAMW))
    n, parts, ok, worst = 256, [], True, 0.0
    for m in (1024, 2048):
        s = collision_survival(n, m, instances=8, rng=rng, **ADAMW)
        count, count_se = mean_se(s["opposite_shared"])
        base = expected_overlap_distinct(n, m)
        pred, se = rho * base, float(np.hypot(count_se, rho_se * base))
        z = (count - pred) / se
        worst = max(worst, abs(z))
        ok &= abs(z) <= Z
        if m == 1024:
            ok &= abs(count - paper_prediction(n, m)) > Z * se
        parts.append(f"m={m}: count {count:.2f} ± {count_se:.2f} vs ρ̂·n(n−1)/(4m) = {pred:.2f} (z = {z:+.1f}), "
                     f"n²/(4m) = {paper_prediction(n, m):.1f}")
    return verdict(ok, worst, 0.0, f"|z| ≤ {Z:g} at both m; n²/(4m) outside at m = 1024",
                   f"ρ̂ = {rho:.3f} ± {rho_se:.3f}; " + "; ".join(parts))


def _log2_slope(x, rho, se) -> tuple[float, float]:
    """Weighted least-squares slope of ρ on log₂ x (weights 1/SE²) and its standard error."""
    X, w = np.log2(np.asarray(x, float)), 1.0 / np.asarray(se, float) ** 2
    xbar = np.sum(w * X) / np.sum(w)
    sxx = np.sum(w * (X - xbar) ** 2)
    return float(np.sum(w * (X - xbar) * np.asarray(rho, float)) / sxx), float(1.0 / np.sqrt(sxx))


@claim(id="collisions.rho-falls-with-n",
       statement="Under the paper's AdamW recipe the sharing ratio ρ falls with the number of features n at fixed "
                 "m/n = 4 (about 0.1 per doubling of n, from ≈ 0.9 at n = 32 to ≈ 0.6 at n = 256), and does not "
                 "depend on m/n at fixed n = 64: the count is ρ(n)·n(n−1)/(4m), not n²/(4m) with one constant",
       source="ours (an open question: whether ρ falls with n or with m/n); hypothesis from a pilot run at "
              "seed 2026 (ρ = 0.87, 0.78, 0.71, 0.66 at n = 32…256; 0.80, 0.71, 0.75 at n = 128, m/n = 2, 4, 8), "
              "tested here on fresh seeds",
       prediction="slope of ρ on log₂ n < 0 at m/n = 4; slope on log₂(m/n) = 0 at n = 64",
       evidence="sims.studies.collisions (AdamW lr 1e-3, λ = 1e-3, 7500 steps) at n = 32, 64, 128, 256 with m = 4n "
                "(128, 96, 48, 24 instances) and at n = 64 with m/n = 2, 8, 16 (96 instances each; m/n = 4 shared); "
                "weighted least squares of ρ̂ on log₂. Confirmed when the n-slope is below 0 by more than 3 SE (a "
                "false pass if ρ were constant: 0.13%) and the m/n-slope is within 3 SE of 0 (false failure 0.27%). "
                "Measured at seed 0: ρ = 0.93, 0.78, 0.67, 0.62 (± 0.04–0.05), slope −0.098 ± 0.019 per doubling of "
                "n; at n = 64 ρ = 0.80, 0.78, 0.85, 0.82 for m/n = 2, 4, 8, 16, slope +0.013 ± 0.023 (7.5 min)",
       test="incidental verify --full --claim collisions.rho-falls-with-n", tier="full")
def _rho_falls_with_n(rng):
    by_n, by_ratio = {}, {}
    for n, instances in ((32, 128), (64, 96), (128, 48), (256, 24)):
        by_n[n] = _sharing(collision_survival(n, 4 * n, instances=instances, rng=rng, **ADAMW))
    by_ratio[4] = by_n[64]
    for ratio in (2, 8, 16):
        by_ratio[ratio] = _sharing(collision_survival(64, 64 * ratio, instances=96, rng=rng, **ADAMW))
    by_ratio = dict(sorted(by_ratio.items()))
    slope_n, se_n = _log2_slope(list(by_n), *zip(*by_n.values()))
    slope_r, se_r = _log2_slope(list(by_ratio), *zip(*by_ratio.values()))
    ok = slope_n < -3 * se_n and abs(slope_r) <= 3 * se_r

    def fmt(d, key):
        return ", ".join(f"{key}={k}: {r:.3f} ± {s:.3f}" for k, (r, s) in d.items())

    return verdict(ok, slope_n, 0.0, "n-slope < −3 SE; |m/n-slope| ≤ 3 SE",
                   f"m = 4n: {fmt(by_n, 'n')}; slope per doubling of n {slope_n:+.3f} ± {se_n:.3f}. n = 64: "
                   f"{fmt(by_ratio, 'm/n')}; slope per doubling of m/n {slope_r:+.3f} ± {se_r:.3f}")
