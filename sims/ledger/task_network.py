"""Ledger claims: does the toy model's incidental polysemanticity carry over to a network trained on real digits?

Setting (``sims.studies.task_network``): 8×8 digits (scikit-learn's, fixed stratified split), one ReLU hidden
layer of m neurons, cross-entropy, AdamW (torch's defaults, lr 3e-3, 1000 steps of 64 images ≈ 48 epochs,
test accuracy ≈ 0.97–0.98). A neuron is polysemantic when live and its class-conditional mean activation is
>= 0.5 × its largest for 2 or more classes (training images, noiseless); low-selectivity when its class
selectivity index is < 0.5. The toy model's predictions (one-hot features ↔ classes, n = k): winner-take-all
under L1 or negative-kurtosis noise, and chance collisions of winners giving k(k − 1)/(4m) polysemantic neurons
(``theory.collisions.expected_overlap_distinct``), free of loss.

Each prediction below was written from the toy theory before the claim was run; a 10-minute pilot (seed 1,
8 networks per condition, 3000 steps at lr 1e-3) had shown that nearly every live neuron is polysemantic at
rel = 0.5 (0.98–1.0 of them at m = 16…256), so the claims that the pilot already contradicted are registered
as refuted, with the measured numbers and the law that holds instead.
"""

from __future__ import annotations

import numpy as np

from theory.collisions import expected_overlap_distinct

from ..measure.statistics import mean_se, z_test_power
from ..studies.task_network import REL, SI_THRESHOLD, digits_networks, spearman_interval
from .core import claim, verdict

RECIPE = {"lr": 3e-3, "steps": 1000, "batch": 64, "optimizer": "adamw"}
QUICK_NETS, FULL_NETS = 8, 16
WIDTH = 64
WIDTHS_FULL = (16, 32, 64, 128, 256)
STRICTER_RELS = (0.8, 0.95)  # the full-size width claim also reports its slope at these thresholds (not the verdict)
SIGMA = 0.3  # hidden noise σ: trained activations have mean ≈ 1 on this task, so σ = 0.3 is a sizeable perturbation
L1 = 1e-3  # nats per unit |weight|: ‖W₁‖₁ ≈ 100–400 at m = 64, so λ‖W₁‖₁ is comparable to the cross-entropy
CORRELATION_NETS = 256
Z = 3.0
Z_ONE_SIDED = 2.0


def _nets(seed: int, **params) -> dict:
    return digits_networks(rng=seed, rel=REL, si_threshold=SI_THRESHOLD, **{**RECIPE, **params})


def _seed(rng) -> int:
    return int(rng.integers(2**31))


def _log_slope(ms, counts) -> tuple[float, float]:
    """Weighted least-squares slope of log(mean count) on log m, weights 1/SE², SE(log mean) = SE/mean; NaN when
    a mean count is 0 (no logarithm)."""
    x = np.log(np.asarray(ms, float))
    means = np.array([np.mean(c) for c in counts])
    if np.any(means <= 0):
        return float("nan"), float("nan")
    se = np.array([mean_se(c)[1] for c in counts]) / means
    w = 1.0 / np.maximum(se, 1e-12) ** 2
    xb = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - xb) ** 2)
    slope = float(np.sum(w * (x - xb) * np.log(means)) / sxx)
    return slope, float(np.sqrt(1.0 / sxx))


def _plot_width(data, ax):
    m = np.array(data["m"])
    ax.errorbar(m, data["count_mean"], yerr=data["count_se"], fmt="o-", ms=3, label="measured (± SE)")
    ax.loglog(m, data["null"], "k--", label="toy null k(k−1)/(4m)")
    ax.set_xlabel("hidden neurons m")
    ax.set_ylabel("polysemantic neurons (rel 0.5), k = 10")
    ax.legend()


@claim(id="task.count-times-m-flat", plot=_plot_width,
       statement="On the digits (k = 10 classes) the polysemantic count follows the toy model's 1/m law: count × m "
                 "is flat in m (slope of log count on log m = −1), at m = 16…256",
       source="paper §2.4, §3.3 (n²/(4m)); its closing call to test task-optimised networks",
       prediction="slope −1: k(k − 1)/(4m) = 22.5/m neurons (theory.collisions.expected_overlap_distinct, n = k = 10)",
       evidence=f"{FULL_NETS} networks per width, m ∈ {WIDTHS_FULL}; weighted least squares of log mean count on "
                "log m (SE of a log mean = SE/mean); confirmed when |slope + 1| ≤ 3 SE (false failure 0.27% if the "
                "law held). The detail adds the slope at the stricter thresholds rel = 0.8 and 0.95, which do not "
                "enter the verdict",
       expected="refuted",
       correction="The count grows in proportion to m (slope +1.012 ± 0.006 at seed 0, not −1; at the stricter "
                  "thresholds rel = 0.8 and 0.95 still +0.951 ± 0.011 and +0.911 ± 0.028, so not an artefact of "
                  "rel): nearly every live "
                  "neuron responds to several digits (13.0 of 16 … 216.5 of 256 neurons), so count × m grows as m² "
                  "(208 → 55424), and the count at m = 64 (52.9) is 150 times the toy null 0.352. The digits' "
                  "classes are not one-hot features: they share pixels, and a hidden neuron is a template over "
                  "strokes that many digits contain",
       test="incidental verify --full --claim task.count-times-m-flat", tier="full")
def _count_times_m_flat(rng):
    seed = _seed(rng)
    nets = [_nets(seed, width=m, instances=FULL_NETS, more_rels=STRICTER_RELS) for m in WIDTHS_FULL]
    counts = [n["polysemantic"] for n in nets]
    slope, se = _log_slope(WIDTHS_FULL, counts)
    stricter = {rel: _log_slope(WIDTHS_FULL, [n[f"polysemantic_rel{rel:g}"] for n in nets]) for rel in STRICTER_RELS}
    null = [float(expected_overlap_distinct(10, m)) for m in WIDTHS_FULL]
    rows = [(m, *mean_se(c)) for m, c in zip(WIDTHS_FULL, counts)]
    detail = (f"slope {slope:.3f} ± {se:.3f} (at stricter thresholds: "
              + ", ".join(f"rel {rel:g}: {b:.3f} ± {e:.3f}" for rel, (b, e) in stricter.items()) + "); " + "; ".join(
        f"m = {m}: {c:.2f} ± {s:.2f} (× m = {c * m:.0f}; null {n:.3f}, excess {c - n:.2f})"
        for (m, c, s), n in zip(rows, null)))
    data = {"m": list(WIDTHS_FULL), "count_mean": [r[1] for r in rows], "count_se": [r[2] for r in rows],
            "null": null, "slope": slope, "slope_se": se,
            "stricter_slopes": {f"{rel:g}": list(v) for rel, v in stricter.items()}}
    return verdict(abs(slope + 1.0) <= Z * se, slope, -1.0, f"|slope + 1| ≤ {Z:g} SE", detail, data)


WIDTHS_QUICK = (32, 128)


@claim(id="task.count-times-m-flat-two-widths",
       statement="The toy model's 1/m law, quick form: from m = 32 to m = 128 (k = 10) the polysemantic count falls "
                 "by 4 (slope of log count on log m = −1)",
       source="paper §2.4, §3.3 (n²/(4m)); the full-size check is task.count-times-m-flat",
       prediction="slope −1 (k(k − 1)/(4m): 0.703 → 0.176 neurons)",
       evidence=f"{QUICK_NETS} networks per width from one seed; slope of log mean count between the two widths, SE by "
                "the delta method; confirmed when |slope + 1| ≤ 3 SE. Power: the pilot's SE of a log mean count is "
                "≈ 0.02, so the slope's SE is ≈ 0.02 and any departure from −1 beyond 0.1 is detected",
       expected="refuted",
       correction="The count rises in proportion to m instead (slope ≈ +1; full size: +1.012 ± 0.006, "
                  "task.count-times-m-flat): nearly every live neuron responds to several digits",
       test="tests/test_claims.py::test_quick_claim[task.count-times-m-flat-two-widths]", tier="quick")
def _count_times_m_two_widths(rng):
    seed = _seed(rng)
    counts = [_nets(seed, width=m, instances=QUICK_NETS)["polysemantic"] for m in WIDTHS_QUICK]
    slope, se = _log_slope(WIDTHS_QUICK, counts)
    detail = f"slope {slope:.3f} ± {se:.3f}; " + "; ".join(
        f"m = {m}: {np.mean(c):.2f} ± {mean_se(c)[1]:.2f} (null {float(expected_overlap_distinct(10, m)):.3f})"
        for m, c in zip(WIDTHS_QUICK, counts))
    return verdict(abs(slope + 1.0) <= Z * se, slope, -1.0, f"|slope + 1| ≤ {Z:g} SE", detail,
                   {"m": list(WIDTHS_QUICK), "counts": [np.asarray(c).tolist() for c in counts]})


@claim(id="task.classes-scaling",
       statement="Doubling the classes from k = 5 to k = 10 multiplies the polysemantic count at m = 64 by the toy "
                 "model's k(k − 1) ratio, 90/20 = 4.5",
       source="paper §2.4 (n(n − 1)/(4m) with n = classes)",
       prediction="ratio 4.5 (theory.collisions.expected_overlap_distinct(10, 64) / (5, 64))",
       evidence=f"{QUICK_NETS} networks per k at m = {WIDTH}, the same seed for both; ratio of means with its delta-"
                "method SE; confirmed when |ratio − 4.5| ≤ 3 SE. Power: the pilot's SE of a mean count is ≈ 0.5 of "
                "≈ 58, so a ratio SE of ≈ 0.02 resolves any departure from 4.5 larger than 0.1",
       expected="refuted",
       correction="The ratio is 1.21 ± 0.05 (seed 0: 44.6 neurons at k = 5, 54.0 at k = 10), not 4.5: with 5 or "
                  "with 10 digits nearly every live neuron is polysemantic at rel 0.5, so the count is set by m (and "
                  "by how many neurons stay alive), not by k(k − 1)",
       test="tests/test_claims.py::test_quick_claim[task.classes-scaling]", tier="quick")
def _classes_scaling(rng):
    seed = _seed(rng)
    five, ten = (_nets(seed, n_class=k, width=WIDTH, instances=QUICK_NETS)["polysemantic"] for k in (5, 10))
    (a, sa), (b, sb) = mean_se(five), mean_se(ten)
    ratio = b / a
    se = ratio * float(np.hypot(sa / a, sb / b))
    predicted = float(expected_overlap_distinct(10, WIDTH) / expected_overlap_distinct(5, WIDTH))
    return verdict(abs(ratio - predicted) <= Z * se, ratio, predicted, f"|ratio − 4.5| ≤ {Z:g} SE",
                   f"k = 5: {a:.2f} ± {sa:.2f} (null {float(expected_overlap_distinct(5, WIDTH)):.3f}); k = 10: "
                   f"{b:.2f} ± {sb:.2f} (null {float(expected_overlap_distinct(10, WIDTH)):.3f}); ratio {ratio:.3f} ± "
                   f"{se:.3f}", {"five": five.tolist(), "ten": ten.tolist()})


def _paired(x, y) -> tuple[float, float]:
    d = np.asarray(x, float) - np.asarray(y, float)
    return mean_se(d)


def _z(mean: float, se: float) -> float:
    if se > 0:
        return mean / se
    return 0.0 if mean == 0 else float(np.copysign(np.inf, mean))


@claim(id="task.kurtosis-sign-rule",
       statement=f"Bipolar hidden noise (excess kurtosis −2) lowers the polysemantic count at m = {WIDTH} below that "
                 f"of no noise and of Laplace noise (+3) at the same σ = {SIGMA:g}, as the toy model's sign rule says",
       source="paper §2.2, §3.2 (negative-kurtosis noise drives winner-take-all); ledger noise.* claims",
       prediction="a decrease: count(bipolar) − count(none) < 0 and count(bipolar) − count(laplace) < 0",
       evidence=f"{QUICK_NETS} networks per condition from the same starts and minibatches (paired); confirmed when "
                f"both paired differences have z ≤ −{Z_ONE_SIDED:g} (one-sided; false pass ≤ 2.3% each). Power: a "
                f"true decrease of 2 neurons (3%) with the pilot's paired SD ≈ 1.4 (SE 0.5) passes with probability "
                f"{z_test_power(4.0, Z_ONE_SIDED, sided='greater'):.2f}",
       expected="refuted",
       correction="No kurtosis sign rule on the digits: any hidden noise of σ = 0.3 lowers the count a little "
                  "(seed 0: bipolar − none −2.4 ± 0.5, mostly neurons that die: 54.3 → 52.9 live), but bipolar and "
                  "Laplace noise give the same count (difference 0.0 ± 0.4) and the same mean selectivity (0.396, "
                  "0.397; pilot at σ = 1: the same). The count stays at ≈ all live neurons, so there is no "
                  "winner-take-all for the noise's kurtosis to favour",
       test="tests/test_claims.py::test_quick_claim[task.kurtosis-sign-rule]", tier="quick")
def _kurtosis_sign_rule(rng):
    seed = _seed(rng)
    out = {fam: _nets(seed, width=WIDTH, instances=QUICK_NETS, noise_family=fam, sigma=SIGMA)
           for fam in ("none", "bipolar", "gaussian", "laplace")}
    dn, sn = _paired(out["bipolar"]["polysemantic"], out["none"]["polysemantic"])
    dl, sl = _paired(out["bipolar"]["polysemantic"], out["laplace"]["polysemantic"])
    zn, zl = _z(dn, sn), _z(dl, sl)
    detail = "; ".join(f"{fam}: count {np.mean(o['polysemantic']):.2f} of {np.mean(o['live']):.2f} live, "
                       f"mean SI {np.nanmean(o['mean_selectivity']):.3f}, "
                       f"test acc {np.mean(o['test_accuracy']):.4f}" for fam, o in out.items())
    detail += f"; bipolar − none {dn:+.2f} ± {sn:.2f} (z {zn:.2f}); bipolar − laplace {dl:+.2f} ± {sl:.2f} (z {zl:.2f})"
    return verdict(max(zn, zl) <= -Z_ONE_SIDED, max(zn, zl), -Z_ONE_SIDED,
                   f"both paired z ≤ −{Z_ONE_SIDED:g} (measured: the larger z)", detail,
                   {fam: {k: np.asarray(v).tolist() for k, v in o.items()} for fam, o in out.items()})


@claim(id="task.l1-winner-take-all",
       statement=f"L1 on the first layer (λ = {L1:g}) makes the digit network's neurons more selective: mean class "
                 f"selectivity index up and polysemantic count down at m = {WIDTH}, as L1's winner-take-all does in "
                 f"the toy model",
       source="paper §2.3 (L1 makes each feature's encoding 1-sparse)",
       prediction="ΔSI > 0 and Δcount ≤ 0 (λ vs 0, paired)",
       evidence=f"{QUICK_NETS} networks per λ from the same starts and minibatches; confirmed when the paired ΔSI has "
                f"z ≥ {Z_ONE_SIDED:g} and Δcount ≤ 0. Power: against a true ΔSI of 0.02 with the pilot's paired SD "
                f"≈ 0.01 the test passes with probability ≈ 1",
       expected="refuted",
       correction="L1 lowers selectivity instead (seed 0: mean SI 0.386 → 0.326, ΔSI −0.060 ± 0.005; pilot at "
                  "λ = 3e-3: 0.24), raises the count (54.5 → 58.3: fewer dead neurons) and costs accuracy (0.976 → "
                  "0.969): with pixels shared by many digits, sparse input weights make each neuron a small stroke "
                  "detector that fires for many digits",
       test="tests/test_claims.py::test_quick_claim[task.l1-winner-take-all]", tier="quick")
def _l1_winner_take_all(rng):
    seed = _seed(rng)
    base, l1 = (_nets(seed, width=WIDTH, instances=QUICK_NETS, l1=lam) for lam in (0.0, L1))
    dsi, ssi = _paired(l1["mean_selectivity"], base["mean_selectivity"])
    dc, sc = _paired(l1["polysemantic"], base["polysemantic"])
    z = _z(dsi, ssi)
    detail = (f"mean SI {np.mean(base['mean_selectivity']):.3f} → {np.mean(l1['mean_selectivity']):.3f} "
              f"(Δ {dsi:+.3f} ± {ssi:.3f}, z {z:.2f}); count {np.mean(base['polysemantic']):.2f} → {np.mean(l1['polysemantic']):.2f} "
              f"(Δ {dc:+.2f} ± {sc:.2f}); low-selectivity {np.mean(base['low_selectivity']):.2f} → "
              f"{np.mean(l1['low_selectivity']):.2f}; test acc {np.mean(base['test_accuracy']):.4f} → "
              f"{np.mean(l1['test_accuracy']):.4f}")
    return verdict(z >= Z_ONE_SIDED and dc <= 0, dsi, 0.0, f"paired ΔSI z ≥ {Z_ONE_SIDED:g} and Δcount ≤ 0 (measured: "
                   "ΔSI)", detail, {"dsi": dsi, "dsi_se": ssi, "dcount": dc, "dcount_se": sc})


def _plot_cost(data, ax):
    ax.plot(data["polysemantic"], data["test_accuracy"], "o", ms=3)
    ax.set_xlabel(f"polysemantic neurons (rel 0.5), m = {WIDTH}")
    ax.set_ylabel("test accuracy")


@claim(id="task.accuracy-cost", plot=_plot_cost,
       statement=f"Across seeds at m = {WIDTH}, the polysemantic count is uncorrelated with test accuracy and test "
                 "loss (Spearman ρ's 95% interval contains 0): polysemanticity at a given width is free",
       source="paper §2.1, §4 (the ± pairs of the toy model cost no loss; the call to quantify the trade-off)",
       prediction="ρ = 0 for count vs accuracy and count vs loss",
       evidence=f"{CORRELATION_NETS} networks (different starts, same minibatches); Spearman ρ with a Fisher-z 95% "
                f"interval (Var ≈ 1.06/(N − 3)); confirmed when both intervals contain 0 (false failure ≤ 10% for "
                f"the two). Power: half-width ≈ {1.96 * np.sqrt(1.06 / (CORRELATION_NETS - 3)):.2f}, so |ρ| = 0.25 is "
                f"detected with probability ≈ {z_test_power(0.25 / np.sqrt(1.06 / (CORRELATION_NETS - 3)), 1.96):.2f}. "
                "The detail also gives ρ for the live-neuron count and the polysemantic fraction of live neurons",
       expected="refuted",
       correction="The count is not free in the toy model's sense but comes with *better* performance, weakly: "
                  "seed 0, 256 networks: ρ(count, accuracy) = 0.26 [0.14, 0.37], ρ(count, loss) = −0.24 [−0.36, "
                  "−0.12] (pilot, 128 networks at two other seeds: 0.16, 0.23 and −0.08, −0.37). The count is almost "
                  "the live-neuron count (ρ ≈ 0.98; ρ(live, accuracy) = 0.28 [0.16, 0.39]): a network that kept more "
                  "neurons alive does slightly better, while the polysemantic *fraction* of live neurons is "
                  "uncorrelated with accuracy (ρ = −0.09 [−0.21, 0.04]). No accuracy is bought by fewer polysemantic "
                  "neurons across seeds",
       test="incidental verify --full --claim task.accuracy-cost", tier="full")
def _accuracy_cost(rng):
    out = _nets(_seed(rng), width=WIDTH, instances=CORRELATION_NETS)
    acc = spearman_interval(out["polysemantic"], out["test_accuracy"])
    loss = spearman_interval(out["polysemantic"], out["test_loss"])
    live = spearman_interval(out["live"], out["test_accuracy"])
    frac = spearman_interval(out["polysemantic"] / np.maximum(out["live"], 1), out["test_accuracy"])
    ok = all(lo <= 0 <= hi for _, lo, hi in (acc, loss))
    detail = (f"count {np.mean(out['polysemantic']):.2f} (range {out['polysemantic'].min()}–{out['polysemantic'].max()}"
              f", null {float(expected_overlap_distinct(10, WIDTH)):.3f}); ρ(count, accuracy) = {acc[0]:.3f} "
              f"[{acc[1]:.3f}, {acc[2]:.3f}]; ρ(count, loss) = {loss[0]:.3f} [{loss[1]:.3f}, {loss[2]:.3f}]; "
              f"ρ(live, accuracy) = {live[0]:.3f} [{live[1]:.3f}, {live[2]:.3f}]; ρ(polysemantic/live, accuracy) "
              f"= {frac[0]:.3f} [{frac[1]:.3f}, {frac[2]:.3f}]")
    return verdict(ok, acc[0], 0.0, "both 95% intervals contain 0 (measured: ρ with accuracy)", detail,
                   {"polysemantic": out["polysemantic"].tolist(), "test_accuracy": out["test_accuracy"].tolist(),
                    "test_loss": out["test_loss"].tolist(), "rho_accuracy": list(acc), "rho_loss": list(loss)})
