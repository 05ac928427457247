"""Ledger claims about circuits through polysemantic neurons: the two-hidden-layer model (``theory.circuits``)
trained with the study's recipe (``sims.studies.circuits``: prox-GD, λ = 0.1, λt = 20, oriented read-outs) and
measured against the counting theory of ``theory.circuit_counts``.

Regimes (n = 32, m1 = m2 = m): incidental, m ∈ {32, 64, 128} (n ≤ m; lr 0.1, 2000 steps), where the theory's
placement is "signed" (only opposite-sign sharing survives, q = 1/(2m)); superposition, m ∈ {8, 12, 16}
(n > m; lr 0.02, 10000 steps), placement "independent" (q = 1/m). Each prediction below was computed from
``theory.circuit_counts`` and written down before the claim's check ran; the expected statuses of the refuted
claims were set after pilot runs on other seeds, and their corrections quote each claim's own numbers at seed 0
(pilot numbers where marked). No threshold was changed after seeing a result; two sample sizes were raised for
power (path pairs in superposition: 8 → 16 models; pairs per weight: 4 → 8), which the evidence states.
"""

from __future__ import annotations

import numpy as np

from theory.circuit_counts import (
    aligned_path_pairs_mean,
    alignment_chance,
    negative_connection_cost,
    path_pairs_mean,
    spurious_count_mean,
    spurious_sign_means,
    weight_pairs_pmf,
)

from ..measure.circuits import measure_circuit, split_virtual_weights
from ..measure.statistics import mean_se, z_test_power
from ..studies.circuits import (
    CONNECTION_TOL,
    LEARNED,
    circuit_point,
    classify_spurious,
    constructed_shared_weight,
    learned_fraction_point,
)
from .core import claim, verdict

N = 32
INCIDENTAL_MS = (32, 64, 128)
SUPERPOSITION_MS = (8, 12, 16)
PLACEMENT = {"incidental": "signed", "superposition": "independent"}
Z = 3.0  # two-sided z cut-off of every mean-vs-prediction test: false failure 0.27% per width


def _points(ms, target: str, instances: int, rng) -> dict[int, dict]:
    return {m: circuit_point(rng=g, n=N, m=m, target=target, instances=instances) for m, g in zip(ms, rng.spawn(len(ms)))}


def _path_pairs(ms, regime: str, target: str, instances: int, rng):
    placement = PLACEMENT[regime]
    rows, worst, parts = [], 0.0, []
    for m, r in _points(ms, target, instances, rng).items():
        per_model = [float(np.mean(c)) for c in r["path_pairs"]]
        mean, se = mean_se(per_model)
        preds = {f"{p}, {'aligned' if a else 'unaligned'}": float((aligned_path_pairs_mean if a else path_pairs_mean)(
            N, m, m, placement=p)) for p in ("signed", "independent") for a in (False, True)}
        pred = preds[f"{placement}, unaligned"]
        z = (mean - pred) / se if se > 0 else (0.0 if mean == pred else np.inf)
        worst = max(worst, abs(z))
        nearest = min(preds, key=lambda k: abs(preds[k] - mean))
        l1_pairs = float(np.mean(r["layer1_pairs"]))
        parts.append(f"m = {m}: {mean:.3f} ± {se:.3f} vs {pred:.3f} (z = {z:+.1f}); aligned {placement} "
                     f"{preds[placement + ', aligned']:.3f}; nearest of the four: {nearest} {preds[nearest]:.3f}; layer-1 pairs "
                     f"{l1_pairs:.2f} per model (chance {N * (N - 1) / 2 / (2 * m if placement == 'signed' else m):.2f}),"
                     f" of which aligned {np.sum(r['aligned_pairs']) / max(1, np.sum(r['layer1_pairs'])):.2f}; "
                     f"1 + 6P/n = {1 + 6 * l1_pairs / N:.3f}")
        rows.append({"m": m, "measured": mean, "se": se, "predicted": pred, "aligned": preds[placement + ", aligned"],
                     "from_pairs": 1 + 6 * l1_pairs / N})
    return worst, parts, rows


def _plot_path_pairs(data, ax):
    rows = data["rows"]
    m = [r["m"] for r in rows]
    ax.errorbar(m, [r["measured"] for r in rows], yerr=[r["se"] for r in rows], fmt="ko", capsize=3,
                label="trained (± SE)")
    ax.plot(m, [r["predicted"] for r in rows], "C0--", label="path_pairs_mean (independent layers)")
    ax.plot(m, [r["aligned"] for r in rows], "C1:", label="aligned_path_pairs_mean")
    ax.plot(m, [r["from_pairs"] for r in rows], "C2x", ms=8, label="1 + 6P/n, P measured layer-1 pairs")
    ax.set_xscale("log", base=2)
    ax.set_xlabel(f"m (neurons per layer), n = {N}")
    ax.set_ylabel("pairs governed by a feature's path weight")
    ax.legend(fontsize=8)


@claim(id="circuits.path-pairs-incidental", plot=_plot_path_pairs,
       statement="In the incidental regime (n = 32, m1 = m2 = m ∈ {32, 64, 128}) the weight of V on a feature's path "
                 "governs on average (1 + (n − 1)q)² feature pairs, q = 1/(2m): the layers' placements independent "
                 "and only opposite-sign sharing surviving",
       source="ours (the circuit extension of the paper's collision count)",
       prediction="theory.circuit_counts.path_pairs_mean(32, m, m, placement='signed') = 2.203, 1.543, 1.257 at m = 32, "
                  "64, 128 (aligned_path_pairs_mean, if training aligns every layer-1 pair: 2.864, 1.933, 1.473)",
       evidence="sims.studies.circuits.circuit_point (identity target, 4 models per m; the mean over each model's "
                 "learned features of |F_a|·|F′_b| on its path weight, dominant neurons); confirmed when |z| ≤ 3 at "
                 "every m (false failure ≈ 0.8% in all). Power: SE 0.08–0.16 with 4 models (seed 0), so at SE 0.15 "
                 "a 0.7-pair error is found with probability 0.95 (z_test_power(4.7, 3)), a 0.5-pair error with "
                 "0.63, a 1-pair error with 0.9999",
       expected="refuted",
       correction="Training aligns and multiplies the sharing (seed 0): 3.16 ± 0.12, 2.80 ± 0.16, 2.69 ± 0.08 against "
                  "2.20, 1.54, 1.26 (signed, unaligned; z = +7.9, +7.8, +18.7) and 2.86, 1.93, 1.47 (signed, aligned): "
                  "the data follow neither placement. All but one of 40 layer-1 pairs have their targets on a shared "
                  "layer-2 neuron (circuits.alignment), and these ± pairs are 1.5–4.6× more common than chance (11.5, "
                  "9.75, 9.0 per model against n(n − 1)/(4m) = 7.75, 3.9, 1.9). What holds is 1 + 6P/n, P the measured "
                  "layer-1 pairs (an aligned ± pair gives each of its features 4 pairs): 3.16, 2.83, 2.69. The excess "
                  "is made in training: only ≈ 20% of the features end on their initial argmax |W1_ik| neuron, half of "
                  "the paired ones end off the layer-1 neuron of their best initial path W1_ik V_kk′ W2_π(i)k′, and the "
                  "best initial paths alone pair 19.5, 9.2, 4.75 features per model of any sign (pilot, 64 draws). One "
                  "V weight shared by a ± pair saves L1 (λ·6a, 2a³ = 1, a ≈ 0.79, against λ·6w, w³ ≈ 1, for two "
                  "private paths), so features are recruited onto grown paths. P barely falls with m while chance falls as "
                  "1/m (`reproduce circuits`, 32 models per m: 12.0, 11.0, 9.5, 9.2, 9.0 at m = 32, 48, 64, 96, 128): "
                  "the pairing is not a collision count, and no closed form for P is known yet. Not an artefact "
                  "of prox-GD: AdamW (lr 0.01, λ = 0.01, 10000 steps; pilot, 4 models) gives 10.0 and 9.5 layer-1 "
                  "pairs per model at m = 64, 128, all aligned, and 2.88, 2.78 pairs per path",
       test="tests/test_claims.py::test_quick_claim[circuits.path-pairs-incidental]", tier="quick")
def _path_pairs_incidental(rng):
    worst, parts, rows = _path_pairs(INCIDENTAL_MS, "incidental", "identity", 4, rng)
    return verdict(worst <= Z, rows[0]["measured"], rows[0]["predicted"],
                   "|z| ≤ 3 at every m (values at the smallest m)", "; ".join(parts), {"rows": rows})


@claim(id="circuits.path-pairs-superposition", plot=_plot_path_pairs,
       statement="In the superposition regime (n = 32, m ∈ {8, 12, 16}) the weight of V on a feature's path governs "
                 "on average (1 + (n − 1)/m)² feature pairs: features placed on their dominant neurons independently "
                 "and uniformly in each layer",
       source="ours (birthday counting of pairs through two layers)",
       prediction="theory.circuit_counts.path_pairs_mean(32, m, m, placement='independent') = 23.766, 12.840, 8.629 at "
                  "m = 8, 12, 16 (aligned: 27.157, 15.218, 10.478)",
       evidence="sims.studies.circuits.circuit_point (identity target, 16 models per m, dominant neurons of the "
                 "trained W1 and W2 rows, learned features); confirmed when |z| ≤ 3 at every m. Power: SE 0.26, 0.50, "
                 "1.9 at m = 16, 12, 8 with 16 models (seed 0); a 20% error is found with probability 1.0 at m = 16, "
                 "0.98 at m = 12 and only 0.32 at m = 8, where the loads spread most. With 8 models the m = 16 "
                 "deficit was found at 3 of 5 seeds; with 16 at 5 of 5 (seeds 0–4)",
       expected="refuted",
       correction="Seed 0: 28.7 ± 1.9, 11.8 ± 0.5, 6.7 ± 0.3 against 23.8, 12.8, 8.6 (z = +2.6, −2.1, −7.3): within "
                  "3 SE at m = 8, 12, not at m = 16 = n/2, where the trained loads are balanced (the ± packing: 24.25 "
                  "layer-1 pairs per model against 31 by chance; pilot: 60% of the neurons hold exactly 2 features, "
                  "variance of |F_a| 1.1 against the binomial 1.9); 6.7–7.3 at m = 16 at every seed 0–4. A third to "
                  "two thirds of the layer-1 pairs are aligned (circuits.alignment, chance 1/m), which at m = 8 lifts "
                  "the mean above the unaligned prediction, to the aligned one (27.16)",
       test="tests/test_claims.py::test_quick_claim[circuits.path-pairs-superposition]", tier="quick")
def _path_pairs_superposition(rng):
    worst, parts, rows = _path_pairs(SUPERPOSITION_MS, "superposition", "identity", 16, rng)
    return verdict(worst <= Z, rows[-1]["measured"], rows[-1]["predicted"],
                   "|z| ≤ 3 at every m (values at the largest m)", "; ".join(parts), {"rows": rows})


@claim(id="circuits.spurious-count",
       statement="The number of nonzero spurious virtual weights (M_ic ≠ 0, c ≠ π(i)) of a trained model is "
                 "n(n − 1)[1 − (1 − q1)(1 − q2)(1 − q1q2)^{n−2}], in the incidental (q = 1/(2m)) and the superposition "
                 "(q = 1/m) regime",
       source="ours",
       prediction="theory.circuit_counts.spurious_count_mean(32, m, m): 37.77, 17.23, 8.19 at m = 32, 64, 128 (signed; "
                  "by sign, spurious_sign_means: negative 30.5, 15.4, 7.7, positive 7.0, 1.8, 0.45); 518.5, 315.7, "
                  "216.7 at m = 8, 12, 16 (independent)",
       evidence="sims.studies.circuits.circuit_point, permutation target, 16 models per m; |M_ic| > 1e-9 counts as a "
                 "connection (prox-GD leaves exact zeros); confirmed when |z| ≤ 3 at all six m (false failure ≈ 1.6%). "
                 "Power: SE 0.6–0.7 (incidental) and 17–29 (superposition) connections with 16 models (seed 0); a 25% "
                 "error is found with probability ≥ 0.99 at m = 32, 64 and 8, 0.66 at m = 128, 0.57 at m = 16",
       expected="refuted",
       correction="Seed 0: incidental 24.4, 18.0, 17.4 against 37.8, 17.2, 8.2, all negative and carried by "
                  "one sharing, none positive: training removes every third-feature (positive) connection by aligning "
                  "the pairs, and each aligned ± pair leaves exactly two negative connections, so the count is 2P with P "
                  "the layer-1 pairs, which exceed chance (circuits.path-pairs-incidental); superposition 861, 575, 157 "
                  "against 518, 316, 217: the codes are not one-hot (pilot: ≈ 4, 2.5, 1.9 nonzeros per W1 row), so 63%, "
                  "79%, 48% of the nonzero entries of M lie outside the dominant-neuron picture, and at m = 16 the "
                  "balanced ± packing leaves fewer",
       test="incidental verify --full --claim circuits.spurious-count", tier="full")
def _spurious_count(rng):
    parts, rows, worst = [], [], 0.0
    g_inc, g_sup = rng.spawn(2)
    for regime, ms, g in (("incidental", INCIDENTAL_MS, g_inc), ("superposition", SUPERPOSITION_MS, g_sup)):
        placement = PLACEMENT[regime]
        for m, r in _points(ms, "permutation", 16, g).items():
            neg, pos = np.array(r["spurious_negative"]), np.array(r["spurious_positive"])
            mean, se = mean_se(neg + pos)
            pred = float(spurious_count_mean(N, m, m, placement=placement))
            signs = spurious_sign_means(N, m, m, placement=placement)
            z = (mean - pred) / se if se > 0 else (0.0 if mean == pred else np.inf)
            worst = max(worst, abs(z))
            parts.append(f"{regime} m = {m}: {mean:.1f} ± {se:.1f} vs {pred:.1f} (z = {z:+.1f}); negative "
                         f"{neg.mean():.1f} (theory {signs.negative:.1f}), positive {pos.mean():.1f} (theory "
                         f"{signs.positive:.1f} + mixed {signs.mixed:.1f}); carriers: own-only "
                         f"{np.mean(r['own_negative']) + np.mean(r['own_positive']):.1f}, third-only "
                         f"{np.mean(r['third_negative']) + np.mean(r['third_positive']):.1f}, mixed "
                         f"{np.mean(r['mixed']):.1f}, outside the dominant picture {np.mean(r['unexplained']):.1f}")
            rows.append({"regime": regime, "m": m, "measured": mean, "se": se, "predicted": pred,
                         "negative": float(neg.mean()), "positive": float(pos.mean())})
    return verdict(worst <= Z, worst, 0.0, "|z| ≤ 3 at every m (measured: the largest |z|)", "; ".join(parts),
                   {"rows": rows})


@claim(id="circuits.sign-rule",
       statement="In the incidental regime every spurious connection carried by a single sharing (the input's own "
                 "path, or the path of the feature whose target it reaches) is negative and costs exactly 0 with "
                 "one-hot inputs; a positive one needs a sharing in each layer that is not aligned (a third feature's "
                 "path), and costs ReLU(M)²",
       source="ours (theory.circuit_counts, sign rule)",
       prediction="0 violations: no own-path connection positive, Σ ReLU(M)² over the negative ones = 0 exactly, every "
                  "positive connection third-feature-carried; in the constructed unaligned double sharing (inputs 0, 1 "
                  "share layer-1 neuron 0, outputs 1, 2 share layer-2 neuron 1) connection 0 → 2 is +1 and costs 1",
       evidence="sims.studies.circuits.circuit_point (permutation target, 3 models at each m ∈ {32, 64, 128}) and "
                 "sims.studies.circuits.classify_spurious (carriers from the dominant neurons); deterministic "
                 "given the models (an exact rule, no statistics). The theory's expected positive (third-feature) "
                 "count at these sizes (spurious_sign_means, signed: 7.0, 1.8, 0.45) is reported beside the measured",
       test="tests/test_claims.py::test_quick_claim[circuits.sign-rule]", tier="quick")
def _sign_rule(rng):
    violations, parts, rows = 0, [], []
    for m, r in _points(INCIDENTAL_MS, "permutation", 3, rng).items():
        bad = (sum(r["own_positive"]) + sum(1 for x in r["interference_negative"] if x != 0.0)
               + sum(p - t for p, t in zip(r["spurious_positive"], r["third_positive"])))
        violations += bad
        theory = spurious_sign_means(N, m, m, placement="signed")
        parts.append(f"m = {m}: own-path connections {sum(r['own_negative']) + sum(r['own_positive'])} "
                     f"({sum(r['own_positive'])} positive), their one-hot loss {max(r['interference_negative']):g}; "
                     f"positive connections {sum(r['spurious_positive'])} (third-feature {sum(r['third_positive'])}; "
                     f"theory {3 * theory.positive:.1f} per 3 models at independent signed placement)")
        rows.append({"m": m, "own": sum(r["own_negative"]), "positive": sum(r["spurious_positive"])})
    # the constructed unaligned double sharing (classify_spurious's example): 0 → 2 is carried by feature 1's path
    W1 = np.array([[1.0, 0], [-1.0, 0], [0, 1.0]])
    W2 = np.array([[1.0, 0], [0, 1.0], [0, -1.0]])
    V = np.array([[1.0, -1.0], [0, -1.0]])
    c = classify_spurious(W1, V, W2, target=np.eye(3))
    split = split_virtual_weights(W1, V, W2, target=np.eye(3))
    k = int(np.flatnonzero((c.inputs == 0) & (c.outputs == 2))[0])
    constructed_ok = bool(c.third[k] and not c.own[k] and c.value[k] == 1.0 and split.interference == 1.0
                          and np.all(c.value[c.own] < 0))
    violations += 0 if constructed_ok else 1
    parts.append(f"constructed: 0 → 2 = {c.value[k]:g}, third-feature only: {bool(c.third[k] and not c.own[k])}, "
                 f"one-hot interference {split.interference:g}; its own-path connections {c.value[c.own].tolist()}")
    return verdict(violations == 0, float(violations), 0.0, "no violation (exact)", "; ".join(parts), {"rows": rows})


@claim(id="circuits.alignment",
       statement="The fraction of feature pairs sharing a layer-1 neuron whose targets also share a layer-2 neuron is "
                 "the chance q2 of independent placement",
       source="ours",
       prediction="theory.circuit_counts.alignment_chance: q2 = 1/(2m) = 0.0156, 0.0078, 0.0039 at m = 32, 64, 128 "
                  "(signed) and 1/m = 0.125, 0.083, 0.0625 at m = 8, 12, 16 (independent)",
       evidence="sims.studies.circuits.circuit_point (identity target, 2 models per m), pairs pooled per m; confirmed "
                 "when the pooled fraction is within 3 binomial SE (at the prediction) of q2 at every m. Power: with the "
                 "fewest pooled pairs expected (≈ 15 per m) a true fraction of 0.5 against q2 = 0.125 is 4.4 SE away "
                 "(found with probability 0.92), 0.3 only 2.0 SE (0.17); against q2 ≤ 0.016 (incidental) any fraction "
                 "≥ 0.2 is ≥ 5 SE away",
       expected="refuted",
       correction="Training aligns the layers (seed 0): 1.00, 0.95, 1.00 at m = 32, 64, 128 (61 of 62 pooled pairs: "
                  "the ± pair of layer 1 has its targets on one layer-2 neuron with opposite signs, so one V weight "
                  "serves both features) and 0.32, 0.37, 0.47 at m = 8, 12, 16 (3–8× chance; in superposition capacity "
                  "forces other groupings)",
       test="tests/test_claims.py::test_quick_claim[circuits.alignment]", tier="quick")
def _alignment(rng):
    g_inc, g_sup = rng.spawn(2)
    parts, rows, worst = [], [], 0.0
    for regime, ms, g in (("incidental", INCIDENTAL_MS, g_inc), ("superposition", SUPERPOSITION_MS, g_sup)):
        for m, r in _points(ms, "identity", 2, g).items():
            count, aligned = int(np.sum(r["layer1_pairs"])), int(np.sum(r["aligned_pairs"]))
            q = float(alignment_chance(N, m, placement=PLACEMENT[regime]))
            frac = aligned / count if count else float("nan")
            z = (frac - q) / np.sqrt(q * (1 - q) / count) if count else 0.0
            worst = max(worst, abs(z))
            parts.append(f"{regime} m = {m}: {aligned}/{count} = {frac:.3f} vs {q:.4f} (z = {z:+.1f})")
            rows.append({"regime": regime, "m": m, "measured": frac, "predicted": q, "pairs": count})
    low = min(r["measured"] for r in rows if r["regime"] == "incidental")
    return verdict(worst <= Z, low, rows[0]["predicted"], "|z| ≤ 3 at every m (values: the smallest incidental "
                   "fraction, q2 at m = 32)", "; ".join(parts), {"rows": rows})


@claim(id="circuits.cooccurrence-cost",
       statement="With co-occurring features (each active with probability p, loss per active feature) a trained "
                 "incidental circuit pays, to first order in p, exactly Σ over its negative spurious connections −v "
                 "into outputs with intended weight u of p[(1 − max(u − v, 0))² − (1 − u)²]",
       source="ours (the circuit version of the shared-pair price Δ(p), theory.cooccurrence)",
       prediction="theory.circuit_counts.negative_connection_cost summed over the measured negative connections (u, v), "
                  "equal to the brute-force p·Σ_{i<j}[err(e_i + e_j) − err(e_i) − err(e_j)] to rounding (relative 1e-9), "
                  "at p = 0.001, 0.01, 0.05",
       evidence="sims.studies.circuits.two_hot_excess evaluates each trained model on all 496 two-hot inputs, layer by "
                 "layer; 4 models at m = 64, identity and permutation targets; exact (valid while the model has no "
                 "positive spurious connection, which the sign rule's trained models do not have; checked)",
       test="tests/test_claims.py::test_quick_claim[circuits.cooccurrence-cost]", tier="quick")
def _cooccurrence_cost(rng):
    worst, parts, ok = 0.0, [], True
    for target, g in zip(("identity", "permutation"), rng.spawn(2)):
        r = circuit_point(rng=g, n=N, m=64, target=target, instances=4)
        ok &= all(p == 0 for p in r["spurious_positive"])
        for p in (0.001, 0.01, 0.05):
            measured = np.array([p * x for x in r["two_hot_excess"]])
            predicted = np.array([float(np.sum(negative_connection_cost(p, np.array(u), np.array(v))))
                                  for u, v in zip(r["negative_u"], r["negative_v"])])
            dev = float(np.max(np.abs(measured - predicted) / np.maximum(np.abs(predicted), 1e-300)))
            worst = max(worst, dev)
            if p == 0.01:
                parts.append(f"{target}, p = 0.01: measured {np.round(measured, 6).tolist()} vs predicted "
                             f"{np.round(predicted, 6).tolist()} ({sum(len(u) for u in r['negative_u'])} negative "
                             f"connections in 4 models)")
    parts.append(f"largest relative deviation over p ∈ {{0.001, 0.01, 0.05}}: {worst:.1e}")
    return verdict(ok and worst <= 1e-9, worst, 0.0, "relative deviation ≤ 1e-9 and no positive connection",
                   "; ".join(parts))


@claim(id="circuits.twenty-five-pairs",
       statement="One weight of V joining a layer-1 neuron that holds 5 input features to a layer-2 neuron that holds "
                 "their 5 outputs governs 25 feature pairs (5 intended, 20 spurious connections, all positive)",
       source="ours (the circuit consequence of polysemantic neurons: pairs multiply across layers)",
       prediction="25 = |F_a|·|F′_b| = 5·5 (exact), and 20 costly spurious connections of +1 each",
       evidence="sims.studies.circuits.constructed_shared_weight(5) (n = 10, m1 = m2 = 6, explicit weights) read by "
                 "sims.measure.circuits.measure_circuit and sims.studies.circuits.circuit_report; deterministic. "
                 "The trained superposition distribution of pairs per weight is circuits.weight-pairs-superposition",
       test="tests/test_claims.py::test_quick_claim[circuits.twenty-five-pairs]", tier="quick")
def _twenty_five_pairs(rng):
    from ..studies.circuits import circuit_report

    W1, V, W2, T = constructed_shared_weight(5)
    mc = measure_circuit(W1, V, W2, target=T)
    report = circuit_report(W1, V, W2, target=T)
    count = int(mc.pairs.counts[0, 0])
    ok = (count == 25 and mc.pairs.path_counts[:5].tolist() == [25] * 5 and mc.pairs.distribution[25] == 1
          and len(report.costly) == 20 and len(report.shared_weights) == 1 and len(report.free) == 0)
    return verdict(ok, float(count), 25.0, "exact", f"V[0, 0] governs {count} pairs; paths of features 0–4 "
                   f"{mc.pairs.path_counts[:5].tolist()}; report: {len(report.shared_weights)} shared weight, "
                   f"{len(report.costly)} costly connections (one-hot loss {sum(c[3] for c in report.costly):g})")


def _placement_tv(n: int, m: int, models: int, pmf: np.ndarray, gen: np.random.Generator) -> float:
    """TV distance of the pooled pairs-per-weight histogram of ``models`` independent uniform placements from pmf."""
    counts = np.zeros(pmf.size)
    for _ in range(models):
        s1 = np.bincount(gen.integers(m, size=n), minlength=m)
        s2 = np.bincount(gen.integers(m, size=n), minlength=m)
        counts += np.bincount(np.outer(s1, s2).ravel(), minlength=pmf.size)
    return 0.5 * float(np.abs(counts / counts.sum() - pmf).sum())


@claim(id="circuits.weight-pairs-superposition",
       statement="In the superposition regime (n = 32, m ∈ {8, 12, 16}) the pairs |F_a|·|F′_b| governed by the weights "
                 "of V follow Bin(n, 1/m)·Bin(n, 1/m), independent uniform placement in each layer",
       source="ours",
       prediction="theory.circuit_counts.weight_pairs_pmf(32, m, m, placement='independent'); mean n²/m² = 16, 7.1, 4",
       evidence="sims.studies.circuits.circuit_point (identity target, 8 models per m), the pooled histogram over "
                 "all m² weights of every model; its total-variation distance from the pmf is compared with the "
                 "99th percentile of the same distance for 200 simulated independent uniform placements with the same "
                 "number of models (false failure ≈ 3% over the three m). Power: the pilot's distances (0.28–0.37) "
                 "are several times the null's spread",
       expected="refuted",
       correction="Seed 0 (8 models): TV 0.209, 0.157, 0.265 at m = 8, 12, 16 against null 99th percentiles 0.210, "
                  "0.149, 0.119: clearly not binomial at m = 16 = n/2, where the ± packing balances the loads (P(0) "
                  "0.19 against 0.24; pilot: 60% of the neurons hold exactly 2 features), at the edge at m = 8, 12 "
                  "(at m = 8 11% of the features are dropped, on no neuron, so the mean is 12.6 against n²/m² = 16)",
       test="tests/test_claims.py::test_quick_claim[circuits.weight-pairs-superposition]", tier="quick")
def _weight_pairs_superposition(rng):
    g_train, g_null = rng.spawn(2)
    parts, rows, ok = [], [], True
    for m, r in _points(SUPERPOSITION_MS, "identity", 8, g_train).items():
        pmf = weight_pairs_pmf(N, m, m, placement="independent")
        hist = np.zeros(pmf.size)
        for h in r["weight_pairs"]:
            hist[:len(h)] += h
        hist /= hist.sum()
        tv = 0.5 * float(np.abs(hist - pmf).sum())
        null = np.quantile([_placement_tv(N, m, len(r["weight_pairs"]), pmf, g_null) for _ in range(200)], 0.99)
        ok &= tv <= null
        parts.append(f"m = {m}: TV {tv:.3f} (null 99th percentile {null:.3f}); mean pairs per weight "
                     f"{hist @ np.arange(hist.size):.2f} vs {pmf @ np.arange(pmf.size):.2f}; P(0) {hist[0]:.3f} vs "
                     f"{pmf[0]:.3f}")
        rows.append({"m": m, "tv": tv, "null99": float(null)})
    return verdict(ok, max(r["tv"] for r in rows), max(r["null99"] for r in rows),
                   "TV ≤ the null's 99th percentile at every m (values: the largest of each)", "; ".join(parts),
                   {"rows": rows})


@claim(id="circuits.orientation",
       statement="From the independent initialisation about half the intended virtual weights start ≤ 0; flipping the "
                 "read-out rows W2_π(i) to make them all positive (orient_readouts: magnitudes and placement kept) makes "
                 "proximal GD learn every feature",
       source="ours (sims.dynamics.circuit_train, initialisation)",
       prediction="start ≤ 0: 1/2 (M_iπ(i)(0) is symmetric about 0); learned with the oriented start: 1 (every feature has "
                  "a gradient from its own error); learned with the plain start: 1/2 if a feature that starts dead "
                  "stays dead (circuits.plain-init-dead-stay-dead)",
       evidence="sims.studies.circuits.learned_fraction_point (n = 32, m = 64, identity, 8 models, the same draws "
                 "with and without orientation); confirmed when the oriented fraction is 1 in every model and the "
                 "fraction starting ≤ 0 is within 3 SE of 1/2 (SE √(1/4/256) = 0.031 for 8·32 features: false "
                 "failure 0.3%). Power: a start fraction of 0.35 or 0.65 fails with probability 0.96",
       test="tests/test_claims.py::test_quick_claim[circuits.orientation]", tier="quick")
def _orientation(rng):
    r = learned_fraction_point(rng=rng, n=N, m=64, target="identity", instances=8)
    dead = float(np.mean(r["start_dead"]))
    se = np.sqrt(0.25 / (N * len(r["start_dead"])))
    oriented, plain = float(np.mean(r["oriented"])), float(np.mean(r["plain"]))
    ok = all(x == 1.0 for x in r["oriented"]) and abs(dead - 0.5) <= Z * se
    return verdict(ok, oriented, 1.0, "oriented learned fraction = 1 in every model and |start fraction ≤ 0 − 1/2| "
                   "≤ 3 SE", f"start ≤ 0: {dead:.3f} (predicted 0.5, SE {se:.3f}); learned: plain {plain:.3f} "
                   f"(predicted 0.5 if the dead-started stay dead), oriented {oriented:.3f} (predicted 1)",
                   {"start_dead": r["start_dead"], "plain": r["plain"], "oriented": r["oriented"]})


@claim(id="circuits.plain-init-dead-stay-dead",
       statement="From the plain independent initialisation, proximal GD learns exactly the features whose intended "
                 "virtual weight starts > 0: a feature that starts with M_iπ(i) ≤ 0 gets no gradient from its own "
                 "error through the output ReLU and stays dead",
       source="ours (theory.circuits, initialisation)",
       prediction="learned fraction = 1 − (fraction starting ≤ 0) in each model (difference 0)",
       evidence="sims.studies.circuits.learned_fraction_point (n = 32, m ∈ {32, 64, 128}, identity, 8 models per m); "
                 "the per-model difference learned − (1 − start dead), pooled over m; confirmed when its mean is "
                 "within 3 SE of 0. Power: SE 0.015–0.017 over 24 models (seed 0); a revival of 0.1 of the features is "
                 "found with probability 0.998, of 0.07 with 0.87, of 0.05 with 0.48 (at SE 0.017)",
       expected="refuted",
       correction="Some dead-started features are revived by the updates made for other features (they move the "
                  "neurons W1_i and W2_π(i) share with them): seed 0, learned 0.70, 0.64, 0.55 against 1 − dead = 0.50, "
                  "0.45, 0.48, a revival of +0.20, +0.19, +0.07 of the features at m = 32, 64, 128 (pooled +0.154 ± "
                  "0.015, z = +10), falling as m grows. The oriented start removes the question (circuits.orientation)",
       test="incidental verify --full --claim circuits.plain-init-dead-stay-dead", tier="full")
def _plain_init_dead(rng):
    diffs, parts = [], []
    for m, g in zip(INCIDENTAL_MS, rng.spawn(len(INCIDENTAL_MS))):
        r = learned_fraction_point(rng=g, n=N, m=m, target="identity", instances=8, oriented=False)
        d = [p - (1 - s) for p, s in zip(r["plain"], r["start_dead"])]
        diffs += d
        parts.append(f"m = {m}: learned {np.mean(r['plain']):.3f}, start > 0 {1 - np.mean(r['start_dead']):.3f}, "
                     f"revived {np.mean(d):+.3f}")
    mean, se = mean_se(diffs)
    z = mean / se if se > 0 else (0.0 if mean == 0 else np.inf)
    parts.append(f"pooled revival {mean:+.3f} ± {se:.3f} (z = {z:+.1f}; power against 0.1: "
                 f"{z_test_power(0.1 / se, Z) if se > 0 else 1.0:.2f})")
    return verdict(abs(z) <= Z, mean, 0.0, "|z| ≤ 3", "; ".join(parts), {"differences": diffs})


# ------------------------------------------------------------------------------------------------ path weights
# theory.circuit_paths: one weight of V serving a ± pair saves L1. Predictions computed from the closed forms at the
# study's λ = 0.1 and written here before the checks ran.


#: Relative tolerance of the path-weight means: the λ → 0 values (0.794, 1.587, 1) lie 1.4–1.8% from the λ = 0.1 ones.
PATH_RTOL = 0.005


def _path_magnitudes(W1, V, W2, pi) -> dict[str, list[tuple[float, float, float]]]:
    """(|W1_ia|, |V_ab|, |W2_π(i)b|) of each learned feature on its dominant neurons, split into "aligned" (a ± pair
    alone on layer-1 neuron a whose two targets are alone on layer-2 neuron b), "private" (alone on a, its target
    alone on b) and "other"; plus "extra": the fraction of learned W1 and W2 rows with more than one nonzero."""
    n = W1.shape[0]
    M = W1 @ V @ W2.T
    learned = M[np.arange(n), pi] > LEARNED
    a, b = np.argmax(np.abs(W1), axis=1), np.argmax(np.abs(W2), axis=1)
    out = {"aligned": [], "private": [], "other": []}
    for i in np.flatnonzero(learned):
        group1 = np.flatnonzero(learned & (a == a[i]))
        group2 = np.flatnonzero(b == b[pi[i]])
        if group1.size == 1 and group2.size == 1:
            kind = "private"
        elif group1.size == 2 and group2.size == 2 and set(pi[group1]) == set(group2):
            kind = "aligned"
        else:
            kind = "other"
        out[kind].append((abs(W1[i, a[i]]), abs(V[a[i], b[pi[i]]]), abs(W2[pi[i], b[pi[i]]])))
    rows = np.concatenate([W1[learned], W2[pi[learned]]])
    out["extra"] = [float(np.mean(np.sum(np.abs(rows) > CONNECTION_TOL, axis=1) > 1))]
    return out


@claim(id="circuits.aligned-pair-weights",
       statement="In trained incidental circuits every aligned ± pair sits at the L1 optimum of one shared V weight: "
                 "|W1| = |W2| = 2^{−1/3}w′, |V| = 2^{2/3}w′ with 2w′²(1 − w′³) = 2^{−1/3}λ (→ 4^{1/3}/2 ≈ 0.794 and "
                 "4^{1/3} ≈ 1.587 as λ → 0), and every private path at |W1| = |V| = |W2| = w, 2w²(1 − w³) = λ",
       source="ours (theory.circuit_paths)",
       prediction="theory.circuit_paths.path_weights(0.1, ...): aligned |W1| = |W2| = 0.7828, |V| = 1.5655; private "
                  "0.9824 each (the λ → 0 values 0.7937, 1.5874, 1 are 1.4–1.8% away)",
       evidence="sims.studies.circuits.trained_circuits (the study's recipe: n = 32, m1 = m2 = 64, λ = 0.1, prox-GD "
                 "lr 0.1 for λt = 20, oriented start, identity target; 4 models); each learned feature's dominant "
                 "neurons classify it as aligned pair, private path or other; confirmed when the mean of each of the "
                 "six magnitudes is within 0.5% of the prediction. Deterministic given the models (a converged "
                 "fixed point, not a sample mean): the tolerance is the convergence allowance, and it separates the "
                 "finite-λ law from its λ → 0 limit (1.4–1.8% apart). Sample: 68 aligned features (34 pairs) and 60 "
                 "private ones over 4 models at seed 0, every learned feature one or the other",
       test="tests/test_claims.py::test_quick_claim[circuits.aligned-pair-weights]", tier="quick")
def _aligned_pair_weights(rng):
    from theory.circuit_paths import path_weights

    from ..studies.circuits import trained_circuits

    spec, res = trained_circuits(n=N, m1=64, m2=64, instances=4, rng=rng)
    pi = spec.target_index
    pooled = {"aligned": [], "private": [], "other": [], "extra": []}
    for k in range(4):
        for key, values in _path_magnitudes(*(w[k] for w in res.final), pi).items():
            pooled[key] += values
    ok, parts, worst, headline = True, [], 0.0, (float("nan"), float("nan"))
    for kind in ("aligned", "private"):
        pred = path_weights(spec.l1, configuration=kind)
        values = np.array(pooled[kind]).reshape(-1, 3)
        if not len(values):
            ok = False
            parts.append(f"{kind}: none found")
            continue
        means = values.mean(axis=0)
        if kind == "aligned":
            headline = (float(means[0]), pred.w1)
        dev = means / np.array([pred.w1, pred.v, pred.w2]) - 1
        spread = np.max(np.abs(values / np.array([pred.w1, pred.v, pred.w2]) - 1))
        worst = max(worst, float(np.max(np.abs(dev))))
        ok &= bool(np.all(np.abs(dev) <= PATH_RTOL))
        parts.append(f"{kind} ({len(values)} features): |W1|, |V|, |W2| = {means[0]:.4f}, {means[1]:.4f}, {means[2]:.4f} "
                     f"against {pred.w1:.4f}, {pred.v:.4f}, {pred.w2:.4f} (mean deviations "
                     f"{', '.join(f'{d:+.2%}' for d in dev)}; largest single deviation {spread:.2%})")
    parts.append(f"other learned features: {len(pooled['other'])}; learned rows with more than one nonzero: "
                 f"{np.mean(pooled['extra']):.3f}")
    parts.append(f"largest relative deviation of a mean {worst:.1e}")
    return verdict(ok, *headline, f"every mean within {PATH_RTOL:.1%} of the prediction (values: the aligned pairs' "
                   "mean |W1|)", "; ".join(parts))


def _two_feature_starts(kind: str, instances: int, gen: np.random.Generator):
    """Initial (W1, V, W2) at n = 2, m1 = m2 = 2 with the support of a configuration, magnitudes U(0.5, 1.5)."""
    r = gen.uniform(0.5, 1.5, size=(instances, 6))
    W1, V, W2 = (np.zeros((instances, 2, 2)) for _ in range(3))
    if kind == "private":
        W1[:, 0, 0], W1[:, 1, 1], V[:, 0, 0], V[:, 1, 1], W2[:, 0, 0], W2[:, 1, 1] = r.T
    else:  # the ± pair on neuron 0 of both layers, one V weight
        W1[:, 0, 0], W1[:, 1, 0], V[:, 0, 0], W2[:, 0, 0], W2[:, 1, 0] = r[:, 0], -r[:, 1], r[:, 2], r[:, 3], -r[:, 4]
    return W1, V, W2


@claim(id="circuits.aligned-pair-saving",
       statement="Two features (n = 2, identity target) trained into an aligned ± pair (one neuron per layer, one V "
                 "weight) end with a lower loss than trained into two private paths, by S(λ) = 2[F(λ) − F(2^{−1/3}λ)], "
                 "F(λ) = min_w (1 − w³)² + 3λw; S ≈ (6 − 3·4^{1/3})λ ≈ 1.238λ at small λ",
       source="ours (theory.circuit_paths; the one-layer tied pair saves nothing, theory.cooccurrence)",
       prediction="at λ = 0.1: private 2F(0.1) = 0.59482, aligned 2F(0.0794) = 0.47298, saving 0.12184 "
                  "(series 0.12185; λ → 0 law 0.12378)",
       evidence="sims.dynamics.circuit_train.train_circuit with the study's recipe (sims.studies.circuits.circuit_config: "
                 "prox-GD lr 0.1, 2000 steps, λ = 0.1) at n = 2, m1 = m2 = 2, 8 starts of each support (private: "
                 "diagonal; aligned: the ± pair on neuron 0 of both layers) with magnitudes U(0.5, 1.5); the final "
                 "theory.circuits.circuit_loss of each; confirmed when every final loss is within 1e-6 of its "
                 "configuration's closed form. Deterministic optimisation (no sampling error); 8 random starts each "
                 "test that the end point does not depend on the start. Also reported: 16 starts from the study's "
                 "oriented random draw, and where they end",
       test="tests/test_claims.py::test_quick_claim[circuits.aligned-pair-saving]", tier="quick")
def _aligned_pair_saving(rng):
    from theory.circuit_paths import aligned_pair_saving, path_weights
    from theory.circuits import CircuitSpec, circuit_loss

    from ..dynamics.circuit_train import train_circuit
    from ..studies.circuits import circuit_config

    spec = CircuitSpec(n=2, m1=2, m2=2, l1=0.1)
    g_start, g_random = rng.spawn(2)
    finals, parts, worst = {}, [], 0.0
    for kind in ("private", "aligned"):
        config = circuit_config(n=2, m1=2, m2=2, instances=8)
        res = train_circuit(spec, config, rng=0, W0=_two_feature_starts(kind, 8, g_start), metrics=lambda *a: {})
        loss = circuit_loss(*res.final, spec=spec)
        pred = 2 * path_weights(spec.l1, configuration=kind).loss
        worst = max(worst, float(np.max(np.abs(loss - pred))))
        finals[kind] = float(np.mean(loss))
        parts.append(f"{kind}: final loss {np.min(loss):.6f}–{np.max(loss):.6f} against {pred:.6f}")
    saving = aligned_pair_saving(spec.l1)
    parts.append(f"measured saving {finals['private'] - finals['aligned']:.6f} against {saving:.6f}")
    res = train_circuit(spec, circuit_config(n=2, m1=2, m2=2, instances=16), rng=g_random, orient=True,
                        metrics=lambda *a: {})
    loss = circuit_loss(*res.final, spec=spec)
    ends = {kind: int(np.sum(np.abs(loss - 2 * path_weights(spec.l1, configuration=kind).loss) < 1e-6))
            for kind in ("private", "aligned")}
    parts.append(f"from 16 oriented random draws: {ends['aligned']} end at the aligned loss, {ends['private']} at the "
                 f"private one, {16 - sum(ends.values())} elsewhere (losses {np.round(np.sort(loss), 4).tolist()})")
    return verdict(worst <= 1e-6, finals["private"] - finals["aligned"], saving,
                   "every final loss within 1e-6 of its closed form (values: the saving)", "; ".join(parts))
