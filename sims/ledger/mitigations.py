"""Ledger claims about mitigations of incidental polysemanticity: each arm of
``sims.studies.mitigations`` against its predicted effect, at n = 32, m = 128, λ = 0.1, proximal GD, 48 instances.
Arms that keep the width share the baseline's initial weights (same seed), so their effects are paired
per instance."""

from __future__ import annotations

import numpy as np

from theory.mitigations import mitigation_count

from .core import claim, verdict
from ..studies.mitigations import ARMS, KAPPAS, RECIPE_L1, kurtosis_encodings, mitigation_counts, prediction_inputs

N, M, L1, INSTANCES = 32, 128, RECIPE_L1["prox-gd"], 48


def _arms(rng, *, l1: float = L1, recipe: str = "prox-gd") -> dict[str, dict]:
    """Every arm at n = N, m = M from one seed drawn from ``rng`` (paired starts for arms of one width)."""
    seed = int(rng.integers(2**63))
    return {arm: mitigation_counts(arm=arm, n=N, m=M, l1=l1, instances=INSTANCES, rng=seed, recipe=recipe)
            for arm in ARMS}


def _z(x, y) -> float:
    """Paired z of the decrease: mean(x − y)/SE(x − y), for arms started from the same weights.

    Without spread the decrease is known exactly: 0 when every difference is 0, else ±inf (its sign).
    """
    d = np.asarray(x, float) - np.asarray(y, float)
    se = d.std(ddof=1) / np.sqrt(d.size)
    if se > 0:
        return float(d.mean() / se)
    return 0.0 if d.mean() == 0 else float(np.copysign(np.inf, d.mean()))


def _z_independent(x, y) -> float:
    """(mean x − mean y)/√(SE_x² + SE_y²), for arms with different starts (the wider model)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float((x.mean() - y.mean()) / np.hypot(x.std(ddof=1) / np.sqrt(x.size), y.std(ddof=1) / np.sqrt(y.size)))


@claim(id="mitigations.predicted-effects",
       statement="Each lever moves the count of incidental (opposite-sign shared) neurons the way the theory predicts: "
                 "4× more neurons and co-occurrence (p/λ = 0.1) lower it, to n(n−1)/(16m) and n(n−1)/(4m)·exp(−κp/λ); "
                 "an L1 warm-up leaves it unchanged (interference never separates opposite-sign features); distinct "
                 "initial argmaxes lower it; orthonormal initial rows lower it by the factor r(n, m) ≈ 0.80 by "
                 "which orthonormality repels coincident initial argmaxes; "
                 "co-occurrence switched on only after training, behind a perturbation of the initial scale "
                 "(ε = 1 < ε* ≈ 0.6λ/p = 6), leaves it unchanged",
       source="ours (each mitigation's predicted and measured effect)",
       prediction="theory.mitigations.mitigation_count: 1.94 baseline, 0.48 wider, 0.74 co-occurrence (κ = 9.7), 1.54 "
                  "orthogonal-init (Monte Carlo r = 0.795 of the starts alone), 1.94 warm-up and late kick "
                  "(cooccurrence.escape-threshold)",
       evidence="sims.studies.mitigations.mitigation_counts at n = 32, m = 128, λ = 0.1, 48 instances. One-sided z of the decrease "
                "> 3 for wider (independent) and co-occurrence (paired), > 2 for distinct-init (paired; a false pass "
                "if it had no effect: 2.3%); |z| ≤ 3 for the warm-up and the late kick (false failure 0.27% each); "
                "wider, orthogonal-init and co-occurrence counts within 3 SE of their predictions (false failure "
                "0.27% each; at this size orthogonal-init's r = 0.8 and 1 are only 2.2 SE apart, so that check is "
                "weak: `reproduce mitigations` at n = 64, m = 256 measures 3.50 ± 0.29 against the baseline's "
                "4.13 ± 0.30, ratio 0.85, r(64, 256) = 0.86). Power (sd per instance at seed 0): the predicted "
                "decreases of wider (1.45, sd 1.55) and co-occurrence (1.20, paired sd 0.94) are detected with power "
                "> 0.999 (smallest k 25 and 14), distinct-init's measured 0.77 (paired sd 1.64) with 0.90 at z > 2 "
                "(smallest k 61); against a warm-up that removes 21% of the pairs, as under AdamW "
                "(mitigations.adamw-recipe: 1.83 → 1.44; 0.41 here, paired sd 0.48), k = 48 gives a false pass of "
                "0.2% (smallest k 30; 49% and 113 if the paired sd rose to the co-occurrence arm's 0.94), against a "
                "late kick acting like co-occurrence from the start (1.20) < 1e-8 (smallest k 14). The fits are weak: "
                "a false pass of 80% against r = 1 for orthogonal-init (count 1.94, sd 1.27; smallest k 222), 32% "
                "against AdamW's κ ≈ 4 for co-occurrence (count 1.30, sd ≈ 1.1 as variance ≈ mean in every arm; "
                "smallest k 87), 98% against a 20% error for wider (sd 0.80; smallest k 1464); ≥ 222 instances "
                "would cost ≥ 4.6× (minutes), so the size is kept",
       test="tests/test_claims.py::test_quick_claim[mitigations.predicted-effects]", tier="quick")
def _predicted_effects(rng):
    r = _arms(rng)
    base = r["baseline"]["shared"]
    z = {"wider": _z_independent(base, r["wider"]["shared"]),
         "distinct-init": _z(base, r["distinct-init"]["shared"]), "cooccurrence": _z(base, r["cooccurrence"]["shared"]),
         "l1-warmup": _z(base, r["l1-warmup"]["shared"]), "late-kick": _z(base, r["late-kick"]["shared"]),
         "orthogonal-init": _z(base, r["orthogonal-init"]["shared"])}
    fit = {}
    for arm in ("wider", "orthogonal-init", "cooccurrence"):
        s = r[arm]["shared"].astype(float)
        fit[arm] = (s.mean() - mitigation_count(arm, N, M, L1, **prediction_inputs(N, M))) / (s.std(ddof=1) / np.sqrt(s.size))
    ok = z["wider"] > 3 and z["cooccurrence"] > 3 and z["distinct-init"] > 2 and abs(z["l1-warmup"]) <= 3 \
        and abs(z["late-kick"]) <= 3 and all(abs(v) <= 3 for v in fit.values())
    detail = "; ".join(f"{arm}: {r[arm]['shared'].mean():.2f} ± {r[arm]['shared'].std(ddof=1) / np.sqrt(INSTANCES):.2f} "
                       f"(predicted {mitigation_count(arm, N, M, L1, **prediction_inputs(N, M)):.2f}; decrease z = {z.get(arm, 0.0):+.1f}; loss paid "
                       f"{float(np.mean(r[arm]['excess_loss'])):.4f})" for arm in ARMS)
    return verdict(ok, float(z["l1-warmup"]), 0.0, "signs as predicted (z thresholds in evidence)",
                   detail + "; count vs prediction z: " + ", ".join(f"{k} {v:+.1f}" for k, v in fit.items()))


@claim(id="mitigations.distinct-argmax-init", expected="refuted",
       statement="Giving every feature its own initial argmax neuron removes incidental polysemanticity (the "
                 "idealisation: each feature ends on its initial argmax, so no two features collide)",
       source="ours (the initialisation lever); the idealisation of paper §2.4",
       prediction="theory.mitigations.mitigation_count('distinct-init') = 0",
       evidence="sims.studies.mitigations.mitigation_counts(arm='distinct-init') at n = 32, m = 128, λ = 0.1, 48 instances; "
                "refuted when the mean count exceeds 0 by more than 3 SE. Measured at seed 0: 0.979 ± 0.135. Power: "
                "against the lower of the two measured counts (0.85), sd ≈ 0.90 per instance, k = 48 gives a false "
                "pass (a "
                "confirmation) of 0.02% (false failure 0: a true count of 0 has no spread); the smallest k with false "
                "pass ≤ 5% is 25 (the claim's recorded cost is 1.7 s, so the size is kept)",
       correction="distinct initial argmaxes lower the count by about a third (1.96 → 1.25 ± 0.14 and 1.62 → 0.85 ± 0.13 at two seeds), not to 0: "
                  "under proximal GD the initial argmax wins for only ≈ 2/3 of features (collisions.argmax-winner), so "
                  "collisions re-form among the near-tied leaders",
       test="tests/test_claims.py::test_quick_claim[mitigations.distinct-argmax-init]", tier="quick")
def _distinct_argmax(rng):
    s = mitigation_counts(arm="distinct-init", n=N, m=M, l1=L1, instances=INSTANCES, rng=int(rng.integers(2**63)))
    x = s["shared"].astype(float)
    se = x.std(ddof=1) / np.sqrt(x.size)
    return verdict(x.mean() <= 3 * se, float(x.mean()), 0.0, "mean ≤ 3 SE", f"{x.mean():.3f} ± {se:.3f} per instance")


@claim(id="mitigations.birthday-width",
       statement="The width needed for no incidental polysemantic neuron is the birthday bound: at the m where the "
                 "distinct-neurons idealisation gives P(no shared neuron) = 1/2 or 0.9 (m = 94 and 577 for n = 16, "
                 "374 for n = 32; m = Ω(n²)), that fraction of trained models has none",
       source="paper §2.4 (birthday corollary) [R]; ours (more neurons)",
       prediction="theory.collisions.neurons_for_no_polysemantic(n, P, idealisation='distinct')",
       evidence="sims.studies.mitigations.mitigation_counts(arm='baseline') (prox-GD, λ = 0.1, λt = 20) at those m, 96 instances "
                "each; fraction with no opposite-sign shared neuron within 3 binomial SE of P (false failure 0.27% "
                "each). Measured at seed 0: 0.365, 0.885, 0.531 (z = −2.7, −0.5, +0.6); at another seed 0.50, 0.92, "
                "0.57. (Under AdamW sharing is rarer, ρ < 1, so fewer neurons suffice there.) Power: against a 20% "
                "error in the count (ρ = 0.8, AdamW's deficit at n = 128, collisions.independent-sharing-adamw: "
                "P(none) = P^0.8 = 0.574, 0.919, 0.574), binomial sd 0.5, 0.3, 0.5 per instance, k = 96 gives a "
                "false pass of 88% (the three cases reject with probability 6%, 0.05%, 6%; false failure 0.27% "
                "each); the smallest k with false pass ≤ 5% is ≈ 630 per case (976 for one P = 1/2 case alone, "
                "5286 for P = 0.9), 6.5× the cost, so the size is kept: at 96 only a count off by ρ ≤ 0.54 or "
                "ρ ≥ 1.66 is excluded with false pass ≤ 5%",
       test="tests/test_claims.py::test_quick_claim[mitigations.birthday-width]", tier="quick")
def _birthday_width(rng):
    from theory.collisions import neurons_for_no_polysemantic

    parts, worst = [], 0.0
    for n, P in ((16, 0.5), (16, 0.9), (32, 0.5)):
        m = neurons_for_no_polysemantic(n, P, idealisation="distinct")
        r = mitigation_counts(arm="baseline", n=n, m=m, l1=L1, instances=96, rng=int(rng.integers(2**63)))
        frac = float(np.mean(r["shared"] == 0))
        z = (frac - P) / np.sqrt(P * (1 - P) / 96)
        worst = max(worst, abs(z))
        parts.append(f"n={n}, m={m}: none shared in {frac:.3f} (predicted {P}, z = {z:+.1f})")
    return verdict(worst <= 3, worst, 0.0, "|z| ≤ 3 for every case", "; ".join(parts))


@claim(id="mitigations.adamw-recipe",
       statement="Under the paper's AdamW recipe (lr 1e-3, λ = 1e-3, 7500 steps) more neurons and co-occurrence "
                 "(p/λ = 0.1) still lower the incidental count, but distinct initial argmaxes do nothing: AdamW's "
                 "winner is the initial argmax for only ≈ 5% of features (collisions.argmax-winner)",
       source="ours (the levers at the paper's recipe)",
       prediction="wider: decrease (n(n−1)/(16m)·ρ); distinct-init: no change; co-occurrence: decrease",
       evidence="sims.studies.mitigations.mitigation_counts(recipe='adamw') at n = 32, m = 128, 48 instances, paired starts: "
                "one-sided decrease z > 3 for wider (independent samples) and > 2 for co-occurrence (paired; false pass "
                "2.3%); |z| ≤ 3 for distinct-init (false failure 0.27%). Measured at seed 0: baseline 1.83 ± 0.18, wider "
                "0.42 ± 0.08, distinct-init 1.98 ± 0.16, L1 warm-up 1.44 ± 0.17 (z = 1.6, reported), co-occurrence "
                "1.27 ± 0.15 (a weaker decrease than prox-GD's exp(−0.97): κ under AdamW ≈ 4). At n = 64, m = 256 "
                "(`reproduce mitigations`, 32 instances) orthonormal starts lower AdamW's count more than r predicts: "
                "2.03 ± 0.22 vs 2.97 ± 0.28 (ratio 0.68, r = 0.86): AdamW's outcome depends on the initial overlaps "
                "(collisions.adamw-neuron-polarity), which orthonormal rows set to 0",
       test="incidental verify --full --claim mitigations.adamw-recipe", tier="full")
def _adamw_recipe(rng):
    r = _arms(rng, l1=RECIPE_L1["adamw"], recipe="adamw")
    base = r["baseline"]["shared"].astype(float)
    z = {"wider": _z_independent(base, r["wider"]["shared"]),
         "distinct-init": _z(base, r["distinct-init"]["shared"]), "l1-warmup": _z(base, r["l1-warmup"]["shared"]),
         "cooccurrence": _z(base, r["cooccurrence"]["shared"])}
    ok = z["wider"] > 3 and z["cooccurrence"] > 2 and abs(z["distinct-init"]) <= 3
    return verdict(ok, float(z["distinct-init"]), 0.0, "decreases for wider and co-occurrence, none for distinct-init",
                   "; ".join(f"{arm}: {r[arm]['shared'].mean():.2f} ± "
                             f"{r[arm]['shared'].std(ddof=1) / np.sqrt(INSTANCES):.2f} (decrease z = {z.get(arm, 0.0):+.1f})"
                             for arm in ARMS))


@claim(id="mitigations.kurtosis-sweep",
       statement="At fixed noise variance (three-point noise, σ = 0.15) with L1 (λ = 0.01; n = 16, m = 64), the trained "
                 "mean fourth norm falls monotonically with the excess kurtosis κ ∈ {−2, −1, 0, 1, 3, 6}: negative κ "
                 "sparsifies (F > 0.5 at κ = −2), κ ≥ 0 leaves every encoding spread (F < 0.2). Positive-kurtosis noise "
                 "thus removes the winner-take-all behind incidental collisions, at the price of dense codes that "
                 "are polysemantic per neuron",
       source="paper §2.5(b) (the kurtosis sign rule) [R]; ours (the noise lever and the κ sweep)",
       prediction="theory.noise_loss.fourth_norm_drift_sign(κ) = sign(−κ): F decreasing in κ",
       evidence="sims.dynamics.train, prox-GD lr 0.01 (the noise-counts rate for m = 64), 4e4 steps, 8 instances per κ; mean F "
                "over features and instances. Confirmed when the 6 means are in strictly decreasing order (a false pass "
                "if κ had no effect: 1/720 under exchangeable runs), F(−2) > 0.5 and F(κ ≥ 0) < 0.2. Measured at seed 0: "
                "0.736, 0.228, 0.126, 0.113, 0.100, 0.090; without noise F = 1. Power: the order has no margin "
                "(threshold 0), so against F flat beyond κ = 3 (the sign rule fixes only the drift's sign) the false "
                "pass is 1/2 at any k; the smallest measured gap, F(3) − F(6) = 0.006 at one draw (0.010 at "
                "seed 0) with paired sd ≈ 0.011 per instance, is ordered correctly with probability 0.93 at k = 8 "
                "(all five gaps: 0.93, a false failure "
                "of 7%); 0.95 needs k = 10, i.e. 16 in batches (2× the cost), so the size is kept. The thresholds "
                "sit ≥ 17 SE from the measured F (sd ≤ 0.012 per instance at κ = −2 and κ ≥ 0)",
       test="tests/test_claims.py::test_quick_claim[mitigations.kurtosis-sweep]", tier="quick")
def _kurtosis_sweep(rng):
    seed = int(rng.integers(2**63))
    runs = [kurtosis_encodings(kappa=kappa, rng=seed) for kappa in KAPPAS]
    F = [float(r["fourth_norm"].mean()) for r in runs]
    strong = [float(r["multi_feature"].mean()) for r in runs]
    F_arr = np.array(F)
    ok = bool(np.all(np.diff(F_arr) < 0) and F_arr[0] > 0.5 and np.all(F_arr[2:] < 0.2))
    return verdict(ok, float(F_arr[0] - F_arr[-1]), 0.0, "strictly decreasing in κ; F(−2) > 0.5; F(κ ≥ 0) < 0.2",
                   "; ".join(f"κ={k:g}: F {f:.3f}, neurons with ≥ 2 strong features {s:.1f}/64"
                             for k, f, s in zip(KAPPAS, F, strong)))
