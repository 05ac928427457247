"""Ledger claims about reading a real (task-trained) neuron's features, checked where the truth is known: the
synthetic task's feature directions E (``sims.studies.neuron_measures``), and the digits' classes.

Setting (synthetic): k = 16 features on with p = 0.1, U[0, 1] intensities, label = strongest feature (C = k);
4000 samples; ReLU networks of width m = 32 trained by AdamW (lr 0.01, 2000 steps of 64, λ = 0.01 on W₁);
orthonormal directions at d = k = 16, random unit directions (superposition) at d = 8 and 4. Truth: feature f
drives neuron k, Δ_fk = h_k(a e_f) − h_k(0) >= ½ max_f' Δ_f'k > 0 at a = ½; a neuron is polysemantic with >= 2
features. Measures: activation-based (feature-only means, rel ½), weight-based (projections e_fᵀw_k, rel ½), facets
(the pre-activation maximised with cosine diversity, w = 0.3, over the box spanned by the data, inputs named
by their loadings Eᵀx). Scores pooled over the networks of a claim.

Setting (digits): 10 classes, networks of width 32 (AdamW lr 0.01, 1000 steps of 64, no L1); a neuron's
classes are those with class-conditional mean activation >= ½ max (``sims.measure.neurons``); its facets are
visualised as above over the pixel box [0, 1]^64 and each image named by the network's own predicted class.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..data.digits import digits_task
from ..dynamics.schedule import Schedule
from ..dynamics.task_train import TaskNetConfig, train_task_network
from ..measure.neurons import agreement
from ..studies.neuron_measures import (
    FACET_CONFIG,
    MEASURES,
    digit_facets,
    neuron_measures_point,
    polysemantic_digit_neurons,
)
from .core import claim, verdict

K, WIDTH, L1 = 16, 32, 0.01
QUICK_NETWORKS = 8
DIGIT_NETWORKS = 6  # ≈ 2 two-class neurons per network of width 32 (pilot: 4 in 2 networks)
STRONG_WEIGHT = 3.0  # reported beside the claim: ten times its weight, for activations ≈ 15 at the optimum
D_ORTHOGONAL, D_SUPERPOSITION = 16, (8, 4)
TARGETS = ("polysemantic", "features")

TRUST = ("Which measure to trust: none alone. Read a neuron's features as its isolated-feature drive "
         "h_k(a e_f) − h_k(0), weights and bias together; of the three, the weight projections e_fᵀw_k come "
         "closest to it (feature-set precision ≈ 0.7 at recall 1, in and out of superposition). Activation means "
         "track the activation level, not its change: right for the plain response h_k(a e_f) (precision 0.99), "
         "but ≈ 0.25 against the drive when most neurons have b > 0 (a neuron at rest 'prefers' every feature that "
         "does not switch it off; a constant neuron prefers all). A visualisation's facets should not be trusted "
         "for the feature set of a first-layer ReLU neuron (precision ≈ 0.25; on digits one class of two): its "
         "pre-activation is linear, so over a box it has one maximiser, a corner that loads on many features")


def _row(d: int, rng, networks: int) -> dict:
    return neuron_measures_point(rng=rng, n_features=K, d=d, width=WIDTH, l1=L1, instances=networks)


def _scores_text(row: dict) -> str:
    return "; ".join(f"{m}: " + ", ".join(f"{t} P {row[f'{m}_{t}_precision']:.2f} R {row[f'{m}_{t}_recall']:.2f}"
                                         for t in TARGETS) for m in MEASURES)


def _nan_to_zero(x: float) -> float:
    return 0.0 if np.isnan(x) else float(x)


@claim(id="task.measures-agree-orthogonal",
       statement="With orthogonal feature directions (d = k = 16), the weight-based and the activation-based "
                 "measures recover the truth: precision and recall >= 0.9 for the polysemantic neurons and for the "
                 "per-neuron feature sets",
       source="ours (interpretability evidence checked where the features are known)",
       prediction="min over {activation, weights} × {polysemantic, features} × {precision, recall} >= 0.9 (0.95 "
                  "expected): with orthonormal E the projection e_fᵀw_k is exactly the linear drive of feature f and "
                  "the feature-only samples present each feature alone; the facets' feature sets predicted worse "
                  "(precision ≈ 0.5): a linear pre-activation over a box peaks at a corner, which loads on several "
                  "features. Written before the claim's measurement (a one-seed pilot had already run)",
       evidence=f"{QUICK_NETWORKS} networks (256 neurons, ≈ 155 polysemantic, ≈ 530 true (feature, neuron) pairs), "
                "pooled. Power: a measure with true precision or recall 0.8 passes the 0.9 line on ≈ 160 neurons "
                "with probability ≈ 8e-4 (binomial, z ≈ 3.2). " + TRUST,
       expected="refuted",
       correction="Recall is 1.00 for both, precision is not (seed 0: activation feature sets 0.24, polysemantic "
                  "0.84; weights feature sets 0.71, polysemantic 0.71; facets feature sets 0.23 at recall 0.92). "
                  "182 of the 256 neurons have b > 0. Activation means: such a neuron has feature-only means near "
                  "its resting activation for every feature that does not switch it off, and L1 leaves "
                  "near-constant neurons (W₁ column ≈ 0, b > 0) that 'prefer' every feature. Weights: the "
                  "projection ignores a negative bias that silences a weak positive loading. Against the plain "
                  "response h_k(a e_f) without the baseline (the detail) the roles swap: activation 0.99/0.99 "
                  "(feature sets), weights 0.71 precision at recall 0.24, so which measure 'recovers the truth' "
                  "depends on whether a resting activation counts as encoding; we count the change (a constant "
                  "neuron encodes nothing). What holds: each measure matches the truth it computes (activation "
                  "level, weight projection); only the bias-aware drive ReLU(a e_fᵀw_k + b_k) − ReLU(b_k) is both",
       test="tests/test_claims.py::test_quick_claim[task.measures-agree-orthogonal]", tier="quick")
def _measures_agree_orthogonal(rng):
    row = _row(D_ORTHOGONAL, rng, QUICK_NETWORKS)
    values = {f"{m}_{t}_{s}": _nan_to_zero(row[f"{m}_{t}_{s}"]) for m in ("activation", "weights") for t in TARGETS
              for s in ("precision", "recall")}
    worst = min(values, key=values.get)
    plain = "; ".join(f"{m} " + ", ".join(f"{t} P {row[f'plain_{m}_{t}_precision']:.2f} R "
                                          f"{row[f'plain_{m}_{t}_recall']:.2f}" for t in TARGETS) for m in MEASURES)
    return verdict(values[worst] >= 0.9, values[worst], 0.9, "min precision/recall of the activation and weight "
                   "measures >= 0.9", f"worst: {worst}; {_scores_text(row)}; truth: {row['truth_polysemantic']} of "
                   f"{row['neurons']} neurons polysemantic, {row['positive_bias']} with b > 0; facets per neuron "
                   f"{row['facets_per_neuron']:.2f}, two or more facets as the polysemantic verdict: P "
                   f"{row['split_polysemantic_precision']:.2f} R {row['split_polysemantic_recall']:.2f}; against the plain "
                   f"response h_k(a e_f) (no baseline): {plain}; test accuracy {row['test_accuracy']:.3f}", row)


@claim(id="task.measures-superposition",
       statement="With the features in superposition in the input (d < k), the facets degrade and the other two "
                 "measures do not: from d = 16 to d = 4 (k = 16) the facets' feature-set precision drops by >= 0.1, "
                 "while the weight-based and activation-based feature-set precision and recall move by <= 0.08",
       source="ours",
       prediction="facets: drop >= 0.1 (an input along e_f loads on every e_g with |cos| ≈ 1/√d, so Eᵀx names more "
                  "features); weights: no change (e_fᵀw_k is the exact drive of feature f for any E, orthogonal or "
                  "not); activation-based: no change (feature-only samples present f alone for any E). Written "
                  "before the measurement",
       evidence=f"{QUICK_NETWORKS} networks at each of d = 16 (orthonormal), 8, 4 (random unit directions), "
                "independent tasks. Power: pooled feature-set precision on ≈ 500 pairs has SE ≈ 0.02, a difference "
                "≈ 0.03, so a true change of 0 exceeds 0.08 with probability ≈ 0.01 and a true facet drop of 0.2 "
                "falls below 0.1 with probability ≈ 4e-4. " + TRUST,
       expected="refuted",
       correction="The facets do not degrade: their feature-set precision rises (seed 0: 0.23 at d = 16, 0.27 at "
                  "d = 8, 0.35 at d = 4; recall 0.91–0.96), and the weight-based precision moves by 0.09 (0.72 → "
                  "0.63), the activation-based by 0.10 (0.25 → 0.34). The facets and activation means report most "
                  "(feature, neuron) pairs at every d (1800–2400 of 4096), so their precision follows the base "
                  "rate of true pairs, which is higher in superposition (586 at d = 16, 658 at d = 4) while they "
                  "report fewer (facets 2277 → 1812): a gain from the base rate, not from resolving features. "
                  "None of the three resolves superposition better than the projections, which stay the best "
                  "(0.63–0.74)",
       test="tests/test_claims.py::test_quick_claim[task.measures-superposition]", tier="quick")
def _measures_superposition(rng):
    rows = {d: _row(d, g, QUICK_NETWORKS) for d, g in zip((D_ORTHOGONAL, *D_SUPERPOSITION), rng.spawn(3))}
    lo = D_SUPERPOSITION[-1]
    facet_drop = (_nan_to_zero(rows[D_ORTHOGONAL]["facets_features_precision"])
                  - _nan_to_zero(rows[lo]["facets_features_precision"]))
    moves = {f"{m}_{s}": abs(_nan_to_zero(rows[lo][f"{m}_features_{s}"])
                             - _nan_to_zero(rows[D_ORTHOGONAL][f"{m}_features_{s}"]))
             for m in ("activation", "weights") for s in ("precision", "recall")}
    biggest = max(moves, key=moves.get)
    ok = facet_drop >= 0.1 and moves[biggest] <= 0.08
    detail = (f"facet feature-set precision drop d = 16 → 4: {facet_drop:.3f}; largest move of the others: "
              f"{biggest} {moves[biggest]:.3f}; " + " | ".join(f"d = {d}: {_scores_text(r)}" for d, r in rows.items()))
    return verdict(ok, facet_drop, 0.1, "facet precision drop >= 0.1 and the other measures move <= 0.08",
                   detail, {str(d): r for d, r in rows.items()})


def _two_class_neurons(rng):
    """Digit networks and, per instance, its neurons with exactly two classes, their classes and a stream."""
    g_net, g_vis = rng.spawn(2)
    data = digits_task(n_class=10)
    result = train_task_network(data, TaskNetConfig(width=WIDTH, lr=0.01, steps=1000, batch=64,
                                                    instances=DIGIT_NETWORKS, record=Schedule(every=1000)), rng=g_net)
    picked = []
    for i, g in enumerate(g_vis.spawn(result.W1.shape[0])):
        neurons, classes = polysemantic_digit_neurons(result, data.X_train, data.y_train, instance=i)
        two = classes.sum(axis=0) == 2
        if np.any(two):
            picked.append((i, neurons[two], classes[:, two], g))
    return result, picked


@claim(id="task.facets-find-classes",
       statement="On digits, the facets of a neuron that responds to 2 classes (class-conditional means >= ½ max) "
                 "show those 2 classes: mean Jaccard agreement between facet classes and activation classes >= 0.8",
       source="ours; Nguyen, Yosinski & Clune 2016 (multifaceted feature visualisation)",
       prediction="≈ 0.3, so refuted: a first-layer neuron's pre-activation is linear in the pixels, so over the "
                  "pixel box it has one maximiser (a binary corner image); the kept images stay near it and the "
                  "network calls them one class, often neither of the two. Written before the measurement",
       evidence=f"{DIGIT_NETWORKS} networks (width 32, 10 classes); every live neuron with exactly 2 classes; its facets under "
                "cosine diversity (w = 0.3, B = 8, 512 Adam steps on the pre-activation) named by the network's "
                "predicted class of each kept image; also the share of those neurons whose facets show both "
                "classes. Power: ≈ 10–20 such neurons; Jaccard per neuron in {0, ⅓, ½, 1}, so the mean has SE ≲ 0.1 "
                "and a true mean of 0.5 passes 0.8 with probability ≲ 1e-3. " + TRUST,
       expected="refuted",
       correction="Measured 0.50, above the predicted 0.3 but far below 0.8: in every one of the 10 two-class "
                  "neurons (seed 0) the facets show exactly one of the two classes, never both and never a third, "
                  "so the Jaccard is ½ each. All 8 images of a neuron are the same binary corner image of the pixel "
                  "box (their activations differ by < 1e-4 of ≈ 15): the single maximiser of a linear "
                  "pre-activation, which the network reads as one of the neuron's classes, and at activations ≈ 15 "
                  "the scale-free cosine term at w = 0.3 (its gradient falls as 1/‖h‖) cannot move the saturated "
                  "sigmoid inputs. Ten times the weight (w = 3, in the detail) splits some batches (1.4 facets per "
                  "neuron) and raises the mean Jaccard only to ≈ 0.58; at w = 30 the batch leaves the neuron "
                  "(pilot). A first-layer neuron's second class is visible in its activation statistics, not in "
                  "its visualisation",
       test="tests/test_claims.py::test_quick_claim[task.facets-find-classes]", tier="quick")
def _facets_find_classes(rng):
    result, picked = _two_class_neurons(rng)
    jaccards, both, rows, spreads, tops, strong, strong_count = [], 0, [], [], [], [], []
    for i, neurons, classes, g in picked:
        g_claim, g_strong = g.spawn(2)
        out = digit_facets(result, neurons, instance=i, rng=g_claim)
        J = agreement(out.facet_classes, classes)
        J = np.nan_to_num(J, nan=0.0)
        spreads.extend(np.ptp(out.visualisation.activation, axis=1).tolist())
        tops.extend(out.visualisation.activation.max(axis=1).tolist())
        alt = digit_facets(result, neurons, replace(FACET_CONFIG, weight=STRONG_WEIGHT), instance=i, rng=g_strong)
        strong.extend(np.nan_to_num(agreement(alt.facet_classes, classes), nan=0.0).tolist())
        strong_count.extend(alt.facets.count.tolist())
        jaccards.extend(J.tolist())
        both += int(np.sum((out.facet_classes & classes).sum(axis=0) == 2))
        for k, j, act, fc in zip(neurons, J, classes.T, out.facet_classes.T):
            rows.append({"instance": i, "neuron": int(k), "activation_classes": np.flatnonzero(act).tolist(),
                         "facet_classes": np.flatnonzero(fc).tolist(), "jaccard": float(j)})
    mean = float(np.mean(jaccards)) if jaccards else float("nan")
    spread = float(np.mean(spreads)) if spreads else float("nan")
    detail = (f"{len(jaccards)} two-class neurons; mean Jaccard {mean:.3f}; facets show both classes for {both}; "
              f"mean range of the 8 images' activations {spread:.2g} (activation at the optimum ≈ "
              f"{np.mean(tops):.3g}); at w = {STRONG_WEIGHT:g} (not the claim's setting): mean Jaccard "
              f"{np.mean(strong):.3f}, facets per neuron {np.mean(strong_count):.2f}; "
              f"test accuracy {np.round(result.test_accuracy, 3).tolist()}; "
              + "; ".join(f"n{r['neuron']}: {r['activation_classes']} vs {r['facet_classes']}" for r in rows[:12]))
    return verdict(bool(mean >= 0.8), mean, 0.8, "mean Jaccard >= 0.8", detail, {"neurons": rows})


WINDOW = (0.3, 1.0, 3.0, 10.0, 30.0)


@claim(id="task.facets-weight-window",
       statement="Some cosine-diversity weight w ∈ {0.3, 1, 3, 10, 30} makes the facets of 2-class digit neurons show "
                 "their 2 classes: mean Jaccard agreement with the activation classes >= 0.8 at the best w",
       source="ours (does a larger diversity weight rescue task.facets-find-classes?)",
       prediction="≈ 0.6 at the best w, so refuted: task.facets-find-classes measured 0.58 at w = 3 as a side "
                  "number, and a pilot at w = 30 kept no image (the batch leaves the neuron); between them the "
                  "cosine term either cannot move the saturated inputs or pushes them below half the maximum. "
                  "Written before the measurement",
       evidence=f"{DIGIT_NETWORKS} networks (width 32, 10 classes) trained as in task.facets-find-classes (own "
                "stream); every two-class neuron visualised at each w, facets named by the network's predicted "
                "class. Power: as task.facets-find-classes (≈ 10 neurons, SE of the mean ≲ 0.1; the best of 5 "
                "weights lifts a true 0.6 over 0.8 with probability ≲ 0.02). " + TRUST,
       expected="refuted",
       correction="As predicted: the best weight (w = 1, seed 0) reaches a mean Jaccard of 0.56 on 8 two-class "
                  "neurons (1.1 facets per neuron); w = 0.3: 0.50 (one facet each), w = 3: 0.46 (1.5 facets, the "
                  "second often a class the neuron does not prefer), w = 10: 0.31 with 38% of the neurons showing no "
                  "facet, w = 30: no facet at all. At most 1 of the 8 neurons shows both of its classes at any weight; "
                  "the window between 'cannot move the batch' and 'pushes it off the neuron' adds mostly wrong "
                  "facets",
       test="tests/test_claims.py::test_quick_claim[task.facets-weight-window]", tier="quick")
def _facets_weight_window(rng):
    result, picked = _two_class_neurons(rng)
    per_weight = {}
    for w, g_w in zip(WINDOW, rng.spawn(len(WINDOW))):
        config = replace(FACET_CONFIG, weight=w)
        J, count, both = [], [], 0
        for (i, neurons, classes, _), g in zip(picked, g_w.spawn(len(picked))):
            out = digit_facets(result, neurons, config, instance=i, rng=g)
            J.extend(np.nan_to_num(agreement(out.facet_classes, classes), nan=0.0).tolist())
            count.extend(out.facets.count.tolist())
            both += int(np.sum((out.facet_classes & classes).sum(axis=0) == 2))
        per_weight[w] = {"jaccard": float(np.mean(J)) if J else float("nan"),
                         "facets_per_neuron": float(np.mean(count)) if count else float("nan"),
                         "no_facet": float(np.mean(np.asarray(count) == 0)) if count else float("nan"),
                         "both_classes": both}
    best = max(WINDOW, key=lambda w: per_weight[w]["jaccard"])
    detail = (f"{sum(len(p[1]) for p in picked)} two-class neurons; best w = {best:g}; " + "; ".join(
        f"w = {w:g}: mean Jaccard {v['jaccard']:.3f}, facets per neuron {v['facets_per_neuron']:.2f}, no facet "
        f"{v['no_facet']:.2f}, both classes shown {v['both_classes']}" for w, v in per_weight.items()))
    top = per_weight[best]["jaccard"]
    return verdict(bool(top >= 0.8), top, 0.8, "mean Jaccard >= 0.8 at the best w", detail,
                   {str(w): v for w, v in per_weight.items()})


# ------------------------------------------------------------------------ the toy model's 1/m law, features known
#
# Setting (``sims.studies.synthetic_law``): k = 16 features, orthonormal directions (d = k), each on with
# probability p = 1/k (≈ 60% of the samples one-hot, the rest mostly two features), label = the strongest feature
# (C = k: the target needs every feature); 4000 samples; ReLU networks of width m trained by AdamW (lr 0.01, 1000
# steps of 64, ≈ 21 epochs), λ on W₁. Truth: ``feature_truth`` (Δ_fj >= ½ max, a = ½); polysemantic = encodes
# >= 2 features. The comparison is theory.collisions.expected_overlap_distinct(k, m) = k(k − 1)/(4m): the
# package's n(n − 1)/(4m) law, exact under the "distinct" idealisation (same-sign losers relocate) for m >= n, the
# one the trained toy models (collisions.corrected-count-law) and the digits (task.count-*) are compared with;
# the "signed-slots" mean (no relocation) is lower (first correction −n(n − 1)(n − 2)/(8m²); 0.81 × it at k = 16, m = 32), and
# the networks here have every m >= k.

from theory.collisions import expected_overlap_distinct, variance_overlap_distinct

from ..measure.statistics import mean_se as _mean_se
from ..measure.statistics import z_test_power as _z_test_power
from ..runs.grids import (
    SYNTHETIC_LAW_L1,
    SYNTHETIC_LAW_NETWORKS,
    SYNTHETIC_LAW_PROX,
    SYNTHETIC_LAW_RECIPE,
    SYNTHETIC_LAW_WIDTHS,
)
from ..studies.synthetic_law import synthetic_law_networks, truth_counts
from .task_network import _log_slope, _paired, _seed, _z

#: The recipe of the count-law claims is the one of the figure's sweeps (``sims.runs.grids``), so both train
#: the same networks: k = 16 features, AdamW lr 1e-2, 1000 steps of 64 of 4000 samples; λ = 0.01 nats per unit
#: |weight| (the package's synthetic-task λ, above), fixed before any measurement here; the toy model's
#: gradient-flow-faithful optimiser (exact zeros) reported beside the full claim is proximal GD at lr 0.5 and the
#: same λ (a pilot: λ >= 0.02 switches every feature off from torch's initialisation at this lr).
LAW_RECIPE = SYNTHETIC_LAW_RECIPE
LAW_K = LAW_RECIPE["k"]
LAW_L1 = SYNTHETIC_LAW_L1
LAW_WIDTHS_QUICK, LAW_WIDTHS_FULL = SYNTHETIC_LAW_WIDTHS[True], SYNTHETIC_LAW_WIDTHS[False]
LAW_NETS_QUICK, LAW_NETS_FULL = SYNTHETIC_LAW_NETWORKS[True], SYNTHETIC_LAW_NETWORKS[False]
LAW_WIDTH_L1 = 64
LAW_PROX = SYNTHETIC_LAW_PROX
LAW_Z, LAW_Z_ONE_SIDED = 3.0, 2.0
#: Drive floor of the detail's second count (activation units): 10 × the drive a·lr = 0.005 of a weight AdamW leaves
#: jittering at ± lr around 0 under L1 (it never sets a weight exactly to zero); not part of any verdict.
LAW_FLOOR = 0.05


def _floored(out: dict) -> dict:
    return truth_counts(out["truth"] & (out["drive"] >= LAW_FLOOR))


def _law_power(widths, nets: int) -> tuple[float, float]:
    """SE of the slope if the counts had the toy law's mean and variance (``variance_overlap_distinct``), and the
    power of |slope + 1| > 3 SE against a slope of 0 (count flat in m)."""
    x = np.log(np.asarray(widths, float))
    mean = np.asarray([float(expected_overlap_distinct(LAW_K, m)) for m in widths])
    se = np.sqrt(np.asarray([float(variance_overlap_distinct(LAW_K, m)) for m in widths]) / nets) / mean
    w = 1.0 / se**2
    sxx = np.sum(w * (x - np.sum(w * x) / np.sum(w)) ** 2)
    slope_se = float(np.sqrt(1.0 / sxx))
    return slope_se, _z_test_power(1.0 / slope_se, LAW_Z)


def _law_counts(seed: int, widths, nets: int, l1: float, **recipe) -> list[dict]:
    return [synthetic_law_networks(width=m, l1=l1, instances=nets, rng=np.random.SeedSequence([seed, m]),
                                   **{**LAW_RECIPE, **recipe}) for m in widths]


def _law_verdict(widths, outs):
    counts = [o["polysemantic"] for o in outs]
    slope, se = _log_slope(widths, counts)
    toy = np.asarray([float(expected_overlap_distinct(LAW_K, m)) for m in widths])
    ratio, ratio_se = _mean_se(np.sum(counts, axis=0) / toy.sum())
    ok = bool(abs(slope + 1.0) <= LAW_Z * se and abs(ratio - 1.0) <= LAW_Z * ratio_se)
    detail = (f"slope {slope:.3f} ± {se:.3f}; count / k(k − 1)/(4m) pooled {ratio:.3f} ± {ratio_se:.3f}; " + "; ".join(
        f"m = {m}: polysemantic {np.mean(o['polysemantic']):.2f} ± {_mean_se(o['polysemantic'])[1]:.2f} (toy {t:.3f}; "
        f"with the drive floor {LAW_FLOOR:g}: {np.mean(_floored(o)['polysemantic']):.2f}), encoding {np.mean(o['encoding']):.1f}, live {np.mean(o['live']):.1f}, features encoded "
        f"{np.mean(o['features_encoded']):.2f}/{LAW_K}, neurons per feature {np.mean(o['neurons_per_feature']):.2f}, "
        f"test acc {np.mean(o['test_accuracy']):.3f}" for m, o, t in zip(widths, outs, toy)))
    data = {"m": list(widths), "count_mean": [float(np.mean(c)) for c in counts],
            "count_se": [_mean_se(c)[1] for c in counts], "toy": toy.tolist(), "slope": slope, "slope_se": se,
            "ratio": ratio, "ratio_se": ratio_se}
    return ok, slope, detail, data


def _plot_law(data, ax):
    m = np.array(data["m"])
    ax.errorbar(m, data["count_mean"], yerr=data["count_se"], fmt="o-", ms=3, label=f"λ = {LAW_L1:g} (± SE)")
    if "count_mean_none" in data:
        ax.errorbar(m, data["count_mean_none"], yerr=data["count_se_none"], fmt="s-", ms=3, label="λ = 0 (± SE)")
    if "count_mean_prox" in data:
        ax.plot(m, data["count_mean_prox"], "^-", ms=3, label=f"proximal GD, λ = {LAW_L1:g}")
    ax.loglog(m, data["toy"], "k--", label="toy k(k − 1)/(4m)")
    ax.set_xlabel("hidden neurons m")
    ax.set_ylabel(f"polysemantic neurons (truth), k = {LAW_K}")
    ax.legend()


_SE_Q, _POW_Q = _law_power(LAW_WIDTHS_QUICK, LAW_NETS_QUICK)
_SE_F, _POW_F = _law_power(LAW_WIDTHS_FULL, LAW_NETS_FULL)


@claim(id="task.synthetic-count-vs-m",
       statement=f"In a network trained on the synthetic task with known, orthonormal, nearly one-hot features "
                 f"(k = {LAW_K}, label = feature) and L1 (λ = {LAW_L1:g}), the truth-defined polysemantic count follows "
                 f"the toy model's incidental law k(k − 1)/(4m): slope of log count on log m = −1 at m = 32, 64, 128, "
                 "and count / k(k − 1)/(4m) = 1",
       source="paper §2.4, §3.3 (n²/(4m)); the bridge between the toy model (one-hot features) and the digits "
              "(task.count-times-m-flat: count ∝ m)",
       prediction="slope −1 and ratio 1: k(k − 1)/(4m) = 1.875, 0.938, 0.469 neurons at m = 32, 64, 128 "
                  "(theory.collisions.expected_overlap_distinct(16, m); module comment: why 'distinct'). Our own "
                  "expectation, written with it before any measurement: the count is below the toy number and may "
                  "not fall as 1/m, because a ReLU hidden neuron shows a feature only when the feature drives it up: "
                  "the toy model's free sharing is between opposite signs, and a negative loading is invisible to the "
                  "truth here, while two features driving one neuron up is the toy's costly same-sign sharing, which "
                  "the cross-entropy should push apart (the neuron alone cannot tell the two labels apart)",
       evidence=f"{LAW_NETS_QUICK} networks per width (one task per width, independent inits), AdamW lr 0.01, 1000 "
                "steps of 64; weighted least squares of log mean count on log m (task.count-times-m-flat's method); "
                "pooled ratio Σ counts / Σ k(k − 1)/(4m) per network with its SE; confirmed when |slope + 1| ≤ 3 SE "
                "and |ratio − 1| ≤ 3 SE (false failure ≈ 0.5% if the law held). Power: at the toy law's mean and "
                f"variance (variance_overlap_distinct) the slope's SE is {_SE_Q:.2f}, so a count flat in m (slope 0) "
                f"is told from −1 with probability {_POW_Q:.2f}, and the digits' slope +1 with probability ≈ 1. "
                "The detail gives, per width, the encoding and live neurons, the features encoded, neurons per "
                "feature and test accuracy",
       expected="refuted",
       correction="The count grows with m (seed 0: slope +0.831 ± 0.023; 20.3, 39.0, 64.6 neurons at m = 32, 64, 128 "
                  "against 1.88, 0.94, 0.47, 38 times the toy number; test accuracy ≈ 0.95), as on the digits but with "
                  "orthogonal, nearly one-hot features: AdamW's L1 at λ = 0.01 only halves the features per neuron and "
                  "leaves weights jittering at ± lr around 0 (it never sets one to zero) that the truth's relative "
                  "threshold reads as features; with a drive floor Δ >= 0.05 the count is flat in m (15.6, 19.0, "
                  "18.3). Where L1 does zero weights (proximal GD, task.synthetic-count-vs-m-full: slope +0.11 ± 0.02, "
                  "8–12 neurons at m = 16…256) the count is set by k, not m: fewer neurons encode features than there "
                  "are features (10–13 of 16) and each carries ≈ 3, a compressed code (necessary, not incidental, "
                  "sharing). " + "No λ gives the law (pilot, seed 99, 8 networks per width at m = 32 and 128): AdamW at λ = 0.015 and 0.02 "
                  "still grows with m (16.5 → 58.0, 13.5 → 38.5), λ >= 0.03 switches every feature off (test accuracy at "
                  "chance); proximal GD at λ = 0.003 grows with m, at 0.01 is flat (≈ 10–13), at >= 0.015–0.02 switches "
                  "the features off, and with 500 of 1500 steps of L1 warm-up λ = 0.02–0.03 gives 9.5–18, rising a "
                  "little with m. " "The cross-entropy with an untied read-out does not "
                  "price two features on one neuron as the toy model's tied reconstruction does (the read-out tells "
                  "them apart by the other neurons they drive), and L1 on W₁ alone is eased by shrinking W₁ while the "
                  "unpenalised W_out grows (pilot, m = 64, 4 networks, 1000 → 3000 steps at λ = 0.01: ‖W₁‖₁ 38 → 31 "
                  "and max |W_out| 4.0 → 6.3 under proximal GD, 33 → 27 and 5.0 → 7.9 under AdamW; the count barely "
                  "moves with the longer training)",
       test="tests/test_claims.py::test_quick_claim[task.synthetic-count-vs-m]", tier="quick")
def _synthetic_count_vs_m(rng):
    outs = _law_counts(_seed(rng), LAW_WIDTHS_QUICK, LAW_NETS_QUICK, LAW_L1)
    ok, slope, detail, data = _law_verdict(LAW_WIDTHS_QUICK, outs)
    return verdict(ok, slope, -1.0, f"|slope + 1| ≤ {LAW_Z:g} SE and |count/toy − 1| ≤ {LAW_Z:g} SE (measured: "
                   "slope)", detail, data)


@claim(id="task.synthetic-count-vs-m-full", plot=_plot_law,
       statement=f"Full size of task.synthetic-count-vs-m: with L1 (λ = {LAW_L1:g}) the truth-defined polysemantic "
                 f"count of the synthetic-task network follows k(k − 1)/(4m) at m = 16…256 (k = {LAW_K}): slope −1 "
                 "and count / k(k − 1)/(4m) = 1",
       source="paper §2.4, §3.3; task.synthetic-count-vs-m",
       prediction="slope −1 and ratio 1 (theory.collisions.expected_overlap_distinct(16, m) = 60/m); our own "
                  "expectation as in task.synthetic-count-vs-m (below the toy number)",
       evidence=f"{LAW_NETS_FULL} networks per width (independent inits, one task per width), m ∈ {LAW_WIDTHS_FULL}, "
                "the quick claim's recipe and test (|slope + 1| ≤ 3 SE and |ratio − 1| ≤ 3 SE). Power: at the toy "
                f"law's variance the slope's SE is {_SE_F:.2f}; a flat count is told from −1 with probability "
                f"{_POW_F:.2f}. The detail and plot add the same networks without L1 (λ = 0), the digits' contrast, and "
                "under proximal GD (lr 0.5, the same λ; exact zeros, as the toy model's faithful optimiser)",
       expected="refuted",
       correction="Seed 0, 16 networks per width: AdamW λ = 0.01 grows with m, slope +0.825 ± 0.013 (10.6, 18.6, 36.9, "
                  "66.5, 106.8 neurons at m = 16…256 against 3.75 … 0.23: 33 times the toy number pooled; with the drive "
                  "floor 0.05: 10.2, 14.4, 16.6, 19.4, 21.2); λ = 0: slope +0.986 ± 0.005 (≈ 90% of the neurons, ≈ "
                  "0.23 m neurons per feature, as the digits); proximal GD λ = 0.01: slope +0.105 ± 0.019, 7.8–11.8 "
                  "neurons, 9.6–13.4 encoding neurons for 16 features, ≈ 3 features each, test accuracy 0.89–0.93: "
                  "flat in m and set by k — a compressed code, not chance collisions of winners. "
                  "task.synthetic-count-vs-m gives the λ scan and the reading",
       test="incidental verify --full --claim task.synthetic-count-vs-m-full", tier="full")
def _synthetic_count_vs_m_full(rng):
    seed = _seed(rng)
    outs = _law_counts(seed, LAW_WIDTHS_FULL, LAW_NETS_FULL, LAW_L1)
    none = _law_counts(seed, LAW_WIDTHS_FULL, LAW_NETS_FULL, 0.0)
    prox = _law_counts(seed, LAW_WIDTHS_FULL, LAW_NETS_FULL, LAW_L1, **LAW_PROX)
    ok, slope, detail, data = _law_verdict(LAW_WIDTHS_FULL, outs)
    slope0, se0 = _log_slope(LAW_WIDTHS_FULL, [o["polysemantic"] for o in none])
    data.update({"count_mean_none": [float(np.mean(o["polysemantic"])) for o in none],
                 "count_se_none": [_mean_se(o["polysemantic"])[1] for o in none]})
    detail += f" | λ = 0: slope {slope0:.3f} ± {se0:.3f}; " + "; ".join(
        f"m = {m}: polysemantic {np.mean(o['polysemantic']):.2f}, neurons per feature "
        f"{np.mean(o['neurons_per_feature']):.2f}, test acc {np.mean(o['test_accuracy']):.3f}"
        for m, o in zip(LAW_WIDTHS_FULL, none))
    slope_p, se_p = _log_slope(LAW_WIDTHS_FULL, [o["polysemantic"] for o in prox])
    data.update({"count_mean_prox": [float(np.mean(o["polysemantic"])) for o in prox]})
    detail += f" | proximal GD (lr 0.5, λ = {LAW_L1:g}): slope {slope_p:.3f} ± {se_p:.3f}; " + "; ".join(
        f"m = {m}: polysemantic {np.mean(o['polysemantic']):.2f}, encoding {np.mean(o['encoding']):.1f}, neurons per "
        f"feature {np.mean(o['neurons_per_feature']):.2f}, features per encoding neuron "
        f"{np.nanmean(o['features_per_neuron']):.2f}, test acc {np.mean(o['test_accuracy']):.3f}"
        for m, o in zip(LAW_WIDTHS_FULL, prox))
    return verdict(ok, slope, -1.0, f"|slope + 1| ≤ {LAW_Z:g} SE and |count/toy − 1| ≤ {LAW_Z:g} SE (measured: "
                   "slope)", detail, data)


@claim(id="task.synthetic-l1-sparsifies",
       statement=f"On the synthetic task with known, orthonormal, nearly one-hot features (k = {LAW_K}, m = "
                 f"{LAW_WIDTH_L1}), L1 (λ = {LAW_L1:g}) makes each feature's encoding winner-take-all: the mean number "
                 "of neurons encoding a feature (truth) falls from its value without L1 to 1 ± 0.5",
       source="paper §2.3 (L1 makes each feature's encoding 1-sparse); the digits' task.l1-winner-take-all "
              "(refuted there: pixels are shared by the classes)",
       prediction="≈ 1 neuron per feature with L1 (the toy model's winner-take-all); without L1 ≈ 0.28 m ≈ 18 (a "
                  "neuron with random input weights is driven up by about half of the k features, of which about "
                  "half reach ½ of its largest drive: ≈ 4.5 features per neuron, so 4.5·m/k neurons per feature). "
                  "Written before any measurement",
       evidence=f"{LAW_NETS_QUICK} networks per λ on one task, the same inits and minibatches (paired), AdamW lr 0.01, "
                "1000 steps of 64; confirmed when |mean neurons per feature − 1| ≤ 0.5 under L1 and the paired "
                f"difference (L1 − none) has z ≤ −{LAW_Z_ONE_SIDED:g} (one-sided; a false pass of the decrease ≤ "
                "2.3%). Power: the predicted decrease (≈ 17 neurons per feature, per-network SD of a mean over 16 "
                "features ≲ 3) is > 10 SE, detected with probability ≈ 1; the ±0.5 band is ≈ 5 SE of the mean over "
                f"{LAW_NETS_QUICK} networks if the per-network SD is ≲ 0.3",
       expected="refuted",
       correction="L1 halves the neurons per feature but is far from winner-take-all (seed 0, m = 64: 16.09 → 7.73, "
                  "paired Δ −8.36 ± 0.28, z −29; features per encoding neuron 4.23 → 2.98; test accuracy 0.977 → "
                  "0.949). The value without L1 came out near the predicted ≈ 18 (16.1). Not counting AdamW's ± lr "
                  "jitter (drive floor Δ >= 0.05): 3.59. Under proximal GD at the same λ (exact zeros; "
                  "task.synthetic-count-vs-m-full) 1.7–2.8 neurons per feature, with each encoding neuron carrying ≈ 3 "
                  "features; a larger λ switches the features off before it makes them 1-sparse (pilot: AdamW λ >= "
                  "0.03, proximal GD λ >= 0.02). With a learnt, untied read-out the cross-entropy is met by a "
                  "distributed code over ≈ k neurons, not by one neuron per feature",
       test="tests/test_claims.py::test_quick_claim[task.synthetic-l1-sparsifies]", tier="quick")
def _synthetic_l1_sparsifies(rng):
    seed = _seed(rng)
    none, l1 = (synthetic_law_networks(width=LAW_WIDTH_L1, l1=lam, instances=LAW_NETS_QUICK, rng=seed, **LAW_RECIPE)
                for lam in (0.0, LAW_L1))
    d, sd = _paired(l1["neurons_per_feature"], none["neurons_per_feature"])
    z = _z(d, sd)
    npf = float(np.mean(l1["neurons_per_feature"]))
    ok = bool(abs(npf - 1.0) <= 0.5 and z <= -LAW_Z_ONE_SIDED)
    detail = (f"neurons per feature {np.mean(none['neurons_per_feature']):.2f} → {npf:.2f} (paired Δ {d:+.2f} ± "
              f"{sd:.2f}, z {z:.1f}; with the drive floor {LAW_FLOOR:g}: "
              f"{np.mean(_floored(none)['neurons_per_feature']):.2f} → {np.mean(_floored(l1)['neurons_per_feature']):.2f}); features per encoding neuron {np.nanmean(none['features_per_neuron']):.2f} → "
              f"{np.nanmean(l1['features_per_neuron']):.2f}; polysemantic {np.mean(none['polysemantic']):.2f} → "
              f"{np.mean(l1['polysemantic']):.2f} (toy {float(expected_overlap_distinct(LAW_K, LAW_WIDTH_L1)):.3f}); "
              f"encoding {np.mean(none['encoding']):.1f} → {np.mean(l1['encoding']):.1f}; features encoded "
              f"{np.mean(none['features_encoded']):.2f} → {np.mean(l1['features_encoded']):.2f} of {LAW_K}; test acc "
              f"{np.mean(none['test_accuracy']):.3f} → {np.mean(l1['test_accuracy']):.3f}")
    return verdict(ok, npf, 1.0, f"|neurons per feature − 1| ≤ 0.5 under L1 and paired z ≤ −{LAW_Z_ONE_SIDED:g} "
                   "(measured: neurons per feature under L1)", detail,
                   {"none": none["neurons_per_feature"].tolist(), "l1": l1["neurons_per_feature"].tolist()})
