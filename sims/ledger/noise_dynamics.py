"""Ledger claims about the fourth-norm dynamics under hidden noise (paper §2.5, §3.2):
the direction of the drift for negative, zero and positive excess kurtosis, its first-order
(gradient-flow) nature, the sign rule across the tunable-kurtosis three-point family, and the
end states.

Setting (the paper's fourth_norm.py): n = 8, m = 16, λ = 0, SGD (optimizer "gd", lr 0.02), σ = 0.15,
init N(0, 1/m). The measured quantity is the normalised fourth norm Σ_k W_ik⁴/‖W_i‖₂⁴ averaged over
the features (``sims.measure.metrics.fourth_norm``); its drift is its value at the last step minus its value
at step 0, per instance.

Statistics. ``sims.dynamics.train`` shares one noise draw per step among the instances of a run, so the
instances of one run are correlated; the independent observation is one *run* (its own seed, its
own noise stream), summarised by the mean over its instances. Tests are Student t tests over runs
(assuming normal run means; each run mean averages 8 instances), with the false-failure (or
false-pass) probability stated per claim.

Exact null for Gaussian noise: the initialisation and the Gaussian noise are invariant under
W → WQ, ξ → Qᵀξ for any orthogonal Q, and the SGD step commutes with that rotation, so the law of
W_t is right-rotation invariant at every step; each row's direction is then uniform on S^{m−1} and
E[fourth norm] = 3/(m + 2) at every step (``theory.noise_loss.random_direction_fourth_norm``). The
expected drift is exactly 0 under Gaussian noise.
"""

from __future__ import annotations


import numpy as np
from scipy import stats

from theory import ModelSpec, NoiseSpec
from theory.noise_loss import (fourth_norm_drift_sign, random_direction_fourth_norm, reduced_simplex_fourth_norm,
                               simplex_fourth_norm)

from ..measure.statistics import mean_se
from .core import Outcome, claim, verdict
from ..measure.metrics import fourth_norm
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig, initial_weights, train

__all__ = ["fourth_norm_runs", "t_statistic"]

N, M, SIGMA, LR = 8, 16, 0.15, 0.02
STEPS = 10_000  # quick tier: t = lr·steps = 200 in gradient-flow time
INSTANCES = 8  # per run (they share the noise draws: one run = one independent observation)
ALPHA = 1e-4  # per test: the one-sided (rise/fall) or two-sided (no drift) error probability


def _metrics(W: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
    return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1)}


def fourth_norm_runs(noise: NoiseSpec, *, runs: int, rng: np.random.Generator, lr: float = LR, steps: int = STEPS,
                     instances: int = INSTANCES, record: Schedule | None = None, W0s=None):
    """Train ``runs`` independent runs (each its own noise stream) and return (recorded steps, array
    of shape (runs, records) of the per-run mean fourth norm). ``W0s`` (runs, instances, n, m) fixes
    the initial weights (common random numbers across learning rates)."""
    spec = ModelSpec(n=N, m=M, noise=noise)
    cfg = TrainConfig(optimizer="gd", lr=lr, steps=steps, instances=instances, record=record or Schedule(points=2))
    curves, recorded = [], None
    for r in range(runs):
        res = train(spec, cfg, rng=rng.spawn(1)[0], metrics=_metrics, W0=None if W0s is None else W0s[r])
        recorded = res.steps
        curves.append(res.history["fourth_norm"].mean(axis=1))
    return recorded, np.array(curves)


def t_statistic(x) -> tuple[float, float, float]:
    """(mean, standard error, t = mean/SE) of independent observations ``x``."""
    mean, se = mean_se(x)
    return mean, se, mean / se


def _drifts(noise: NoiseSpec, runs: int, rng) -> np.ndarray:
    _, curves = fourth_norm_runs(noise, runs=runs, rng=rng)
    return curves[:, -1] - curves[:, 0]


def _directional(noise: NoiseSpec, direction: int, runs: int, rng) -> Outcome:
    """One-sided t test that the drift has sign ``direction`` (false pass ≤ ALPHA if it has not)."""
    d = _drifts(noise, runs, rng)
    mean, se, t = t_statistic(d)
    crit = float(stats.t.ppf(1 - ALPHA, runs - 1))
    return verdict(direction * t > crit, mean, float(direction),
                    f"sign(mean drift) = {direction:+d} with {'t' if direction > 0 else '−t'} > {crit:.2f} (one-sided "
                    f"Student t, {runs - 1} df: a false pass ≤ {ALPHA:g} if the drift had the other sign or were 0)",
                    f"mean drift {mean:+.4f} ± {se:.4f} (SE over {runs} runs × {INSTANCES} instances, {STEPS} steps), "
                    f"t = {t:+.1f}; start ≈ {random_direction_fourth_norm(M):.4f}",
                    {"drifts": d.tolist()})


# ------------------------------------------------------------------------------------------------
# (a) direction of the drift for the three reference laws


@claim(id="noise-dynamics.rise-bipolar",
       statement="Under bipolar noise (excess kurtosis −2, σ = 0.15) SGD raises the fourth norm from its random start",
       source="paper §2.5(b), §3.2 [N]",
       prediction="theory.noise_loss.fourth_norm_drift_sign(−2) = +1",
       evidence="5 independent SGD runs × 8 instances, n = 8, m = 16, lr 0.02, 1e4 steps; one-sided t test over runs "
                "(false pass ≤ 1e-4). Power: against no drift (0, the Gaussian value) or a fall the false pass is "
                "≤ 1e-4 at any k; at the drift +0.53, sd ≈ 0.027 per run (16-run pilot), k = 5 runs gives a false "
                "failure of 1e-8 (noncentral t, 4 df); the smallest k with false failure ≤ 1e-3 is 5 (k = 4: 3%).",
       test="tests/test_claims.py::test_quick_claim[noise-dynamics.rise-bipolar]", tier="quick")
def _rise_bipolar(rng):
    return _directional(NoiseSpec(family="bipolar", sigma=SIGMA), fourth_norm_drift_sign(-2.0), 5, rng)


@claim(id="noise-dynamics.fall-laplace",
       statement="Under Laplace noise (excess kurtosis +3, σ = 0.15) SGD lowers the fourth norm from its random start",
       source="paper §2.5(b) [R]",
       prediction="theory.noise_loss.fourth_norm_drift_sign(3) = −1",
       evidence="10 independent SGD runs × 8 instances, n = 8, m = 16, lr 0.02, 1e4 steps; one-sided t test over runs "
                "(false pass ≤ 1e-4). Power: against no drift (0) or a rise the false pass is ≤ 1e-4 at any k; at the "
                "drift −0.032, sd ≈ 0.0078 per run (30-run pilot), k = 10 runs gives a false failure of 6e-5 (5e-4 at "
                "the pilot's mean − 2 SE); the smallest k with false failure ≤ 1e-3 is 10 (k = 8: 1.6%).",
       test="tests/test_claims.py::test_quick_claim[noise-dynamics.fall-laplace]", tier="quick")
def _fall_laplace(rng):
    return _directional(NoiseSpec(family="laplace", sigma=SIGMA), fourth_norm_drift_sign(3.0), 10, rng)


@claim(id="noise-dynamics.fall-laplace-large-sigma",
       statement="Under Laplace noise at twice the paper's σ (σ = 0.3) SGD still lowers the fourth norm: the sign "
                 "rule −κ, which the paper states without a range of σ",
       source="paper §2.5(b) [R]; theory.noise_drift (first order in κ)",
       prediction="theory.noise_loss.fourth_norm_drift_sign(3) = −1; first-order initial rate "
                  "lr·theory.noise_drift.predicted_fourth_norm_drift(8, 16, 0.3, 3) = −9.7e-5 per step",
       evidence="12 independent SGD runs × 8 instances, n = 8, m = 16, lr 0.02, 1e4 steps; one-sided t test over runs "
                "(false pass ≤ 1e-4 if the drift were 0 or positive). Power: at σ = 0.15 the drift is −0.032 with sd "
                "≈ 0.0078 per run (noise-dynamics.fall-laplace), so a fall of even a third of that size would be "
                "detected at 12 runs with false failure < 1e-3.",
       expected="refuted",
       correction="The sign rule is a small-σ law. At n = 8, m = 16 over 1e4 steps (12-run pilot, seed 3) the Laplace "
                  "drift is −0.032 at σ = 0.15, −0.0026 ± 0.0035 at σ = 0.2, +0.0085 ± 0.0024 at σ = 0.25, "
                  "+0.0174 ± 0.0021 at σ = 0.3: it changes sign near σ = 0.2, where the first-order (Edgeworth) "
                  "drift is still negative. In short windows from a Gaussian-relaxed start it is positive at "
                  "σ = 0.35 for m = 2n (n = 6: z = +3.7; n = 8: z = +4.0, 48 runs), while the Edgeworth drift at "
                  "the same weights stays negative until σ ≈ 0.5. The higher cumulants of the Laplace law, which "
                  "the first-order theory drops, win at large σ; no closed form for the crossover yet",
       test="incidental verify --full --claim noise-dynamics.fall-laplace-large-sigma", tier="full")
def _fall_laplace_large_sigma(rng):
    return _directional(NoiseSpec(family="laplace", sigma=0.3), fourth_norm_drift_sign(3.0), 12, rng)


@claim(id="noise-dynamics.gaussian-flat",
       statement="Under Gaussian noise (σ = 0.15) the fourth norm stays, in expectation, at its start 3/(m + 2)",
       source="paper §2.5(a), §3.2 [N, R]",
       prediction="expected drift exactly 0 (rotation equivariance, module docstring); "
                  "theory.noise_loss.fourth_norm_drift_sign(0) = 0",
       evidence="19 independent SGD runs × 8 instances, n = 8, m = 16, lr 0.02, 1e4 steps; two-sided t test of mean "
                "drift = 0 over runs (false failure 1e-4). Power: against the drift of the κ = 0 three-point law "
                "(−0.015 in the same 1e4 steps, noise-dynamics.zero-kurtosis-three-point: zero excess kurtosis, not "
                "Gaussian), sd ≈ 0.0089 per run (30-run pilot), k = 19 runs gives a false pass of 3.2% (noncentral t, "
                "18 df; false failure 1e-4); the smallest k with false pass ≤ 5% is 19 (k = 10 gave 72%; against the "
                "Laplace drift −0.032 it gave 0.5%).",
       test="tests/test_claims.py::test_quick_claim[noise-dynamics.gaussian-flat]", tier="quick")
def _gaussian_flat(rng):
    runs = 19
    d = _drifts(NoiseSpec(family="gaussian", sigma=SIGMA), runs, rng)
    mean, se, t = t_statistic(d)
    crit = float(stats.t.ppf(1 - ALPHA / 2, runs - 1))
    return verdict(abs(t) <= crit, mean, 0.0,
                    f"|t| ≤ {crit:.2f} (two-sided Student t, {runs - 1} df, false failure {ALPHA:g})",
                    f"mean drift {mean:+.4f} ± {se:.4f} (SE), t = {t:+.2f}; the test detects a drift of "
                    f"{crit * se:.3f} (bipolar drifts ≈ +0.5, Laplace ≈ −0.04 in the same time)",
                    {"drifts": d.tolist()})


# ------------------------------------------------------------------------------------------------
# (b) first order in expectation


FIRST_ORDER_TOL = 0.1  # |Δ| ≤ 10% of the total drift; a diffusive (second-order, ∝ lr) effect would give ≈ 50%
# Measured max|Δ|/drift at seeds 0–11: 0.066, 0.061, 0.079, 0.050, 0.066, 0.113, 0.089, 0.071, 0.045, 0.070, 0.094,
# 0.062 (mean 0.072, sd 0.019; seed 5 fails). A 32-run pilot puts the O(lr) correction itself at 0.075 ± 0.010 of the
# drift (peak at t ≈ 140) and the ratio's sd at 3 runs at ≈ 0.03, so the false failure is ≈ 10–30% per seed.


def _plot_first_order(data, ax):
    t = np.array(data["time"])
    ax.plot(t, data["lr_0.02"], "o-", label="lr 0.02, 1e4 steps")
    ax.plot(t, data["lr_0.01"], "s--", label="lr 0.01, 2e4 steps")
    ax.set_xlabel("gradient-flow time t = lr·steps")
    ax.set_ylabel("mean fourth norm")
    ax.legend(fontsize=8)


@claim(id="noise-dynamics.first-order", plot=_plot_first_order,
       statement="The noise-driven rise of the fourth norm is first order in expectation: halving the learning rate and "
                 "doubling the steps gives the same curve at matched gradient-flow time t = lr·steps",
       source="paper §2.5(b) (the drift is the gradient of the expected loss) [R]",
       prediction="the mean fourth-norm curves of lr 0.02 × 1e4 steps and lr 0.01 × 2e4 steps agree at t = 0, 20, …, 200 "
                  "within 10% of the total drift (a drift driven by SGD diffusion, ∝ lr, would differ by ≈ 50%)",
       evidence="bipolar σ = 0.15, n = 8, m = 16; 40 runs × 8 instances per learning rate, the same initial weights "
                "for both learning rates (common random numbers), independent noise. Power: against a diffusive (∝ lr) "
                "drift (≈ 0.5 of the total drift) the false pass is ≈ 0 at any k; but the O(lr) correction is itself "
                "≈ 0.07 of the drift (32-run pilot: 0.075 ± 0.010; seed 0 at 40 runs: 0.069), so the 10% line sits "
                "≈ 2.5 of its SE above the truth at 3 runs: the former quick size (3 runs) failed at ≈ 10–30% of seeds "
                "(seed 0 of the claim's own stream: 0.149), and a false failure ≤ 1e-3 needs ≈ 40 runs (≈ 40 s), "
                "hence the full tier",
       test="incidental verify --full --claim noise-dynamics.first-order", tier="full")
def _first_order(rng):
    runs, points = 40, 10
    noise = NoiseSpec(family="bipolar", sigma=SIGMA)
    spec = ModelSpec(n=N, m=M, noise=noise)
    W0s = np.stack([initial_weights(spec, INSTANCES, rng=g) for g in rng.spawn(runs)])
    _, fast = fourth_norm_runs(noise, runs=runs, rng=rng, lr=LR, steps=STEPS, W0s=W0s,
                               record=Schedule(every=STEPS // points))
    _, slow = fourth_norm_runs(noise, runs=runs, rng=rng, lr=LR / 2, steps=2 * STEPS, W0s=W0s,
                               record=Schedule(every=2 * STEPS // points))
    a, b = fast.mean(axis=0), slow.mean(axis=0)
    drift = float(a[-1] - a[0])
    gap = float(np.max(np.abs(a - b)))
    time = (LR * np.arange(0, STEPS + 1, STEPS // points)).tolist()
    return verdict(gap <= FIRST_ORDER_TOL * drift, gap / drift, 0.0,
                    f"max_t |Δ| ≤ {FIRST_ORDER_TOL:g} × total drift",
                    f"max |Δ| = {gap:.4f} against a total drift of {drift:.3f} (lr 0.02); end values {a[-1]:.4f} "
                    f"(lr 0.02) and {b[-1]:.4f} (lr 0.01): the smaller step is slightly ahead (an O(lr) correction)",
                    {"time": time, "lr_0.02": a.tolist(), "lr_0.01": b.tolist()})


# ------------------------------------------------------------------------------------------------
# (c) the sign rule across the three-point family


def _sign_rule(kappas, runs: int, rng) -> tuple[bool, list, str]:
    rows, ok = [], True
    crit = float(stats.t.ppf(1 - ALPHA, runs - 1))
    for kappa in kappas:
        d = _drifts(NoiseSpec(family="three-point", sigma=SIGMA, kurtosis=kappa), runs, rng)
        mean, se, t = t_statistic(d)
        sign = fourth_norm_drift_sign(kappa)
        ok = ok and sign * t > crit
        rows.append({"kurtosis": kappa, "predicted_sign": sign, "drift": mean, "se": se, "t": t})
    text = "; ".join(f"κ = {r['kurtosis']:+g}: {r['drift']:+.4f} (t = {r['t']:+.1f})" for r in rows)
    return ok, rows, text


def _plot_sign_rule(data, ax):
    rows = data["rows"]
    k = [r["kurtosis"] for r in rows]
    ax.errorbar(k, [r["drift"] for r in rows], yerr=[3 * r["se"] for r in rows], fmt="o")
    ax.axhline(0, color="k", lw=1)
    ax.set_xlabel("excess kurtosis κ (three-point noise)")
    ax.set_ylabel("fourth-norm drift in 1e4 steps (± 3 SE)")


@claim(id="noise-dynamics.sign-rule", plot=_plot_sign_rule,
       statement="The fourth-norm drift has the sign of −κ for three-point noise of excess kurtosis κ = −1.5 and +6",
       source="paper §2.5(b) [R]",
       prediction="theory.noise_loss.fourth_norm_drift_sign: +1 at κ = −1.5, −1 at κ = +6",
       evidence="three-point noise (theory.NoiseSpec, σ = 0.15), 8 runs × 8 instances per κ, 1e4 steps; one-sided t "
                "test per κ (false pass ≤ 1e-4 each). Power: against no drift the false pass is ≤ 1e-4 per κ at any k; "
                "at κ = +6 the drift is −0.052, sd ≈ 0.0085 per run (30-run pilot), and k = 8 runs gives a false "
                "failure of 3e-6 (2e-5 at the pilot's mean − 2 SE; k = 6 gave 4% and 7%); κ = −1.5 (+0.36, sd ≈ 0.028) "
                "is far (< 1e-9 at k ≥ 6); the smallest k with false failure ≤ 1e-3 at both κ is 7 at the pilot's "
                "mean, 8 at its mean − 2 SE.",
       test="tests/test_claims.py::test_quick_claim[noise-dynamics.sign-rule]", tier="quick")
def _sign_rule_quick(rng):
    runs = 8
    ok, rows, text = _sign_rule((-1.5, 6.0), runs, rng)
    crit = float(stats.t.ppf(1 - ALPHA, runs - 1))
    return verdict(ok, rows[0]["drift"], 1.0, f"sign(−κ)·t > {crit:.2f} at each κ (one-sided, {runs - 1} df)", text,
                    {"rows": rows})


SWEEP_KAPPAS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0)


@claim(id="noise-dynamics.sign-rule-sweep", plot=_plot_sign_rule,
       statement="Across the three-point family the fourth-norm drift has the sign of −κ wherever |κ| ≥ 1 "
                 "(κ ∈ {−2, −1.5, −1, 1, 3, 6}); κ ∈ {−0.5, 0, 0.5} are measured and reported",
       source="paper §2.5(b) [R]",
       prediction="theory.noise_loss.fourth_norm_drift_sign(κ)",
       evidence="three-point noise, σ = 0.15, 8 runs × 8 instances per κ, 1e4 steps; one-sided t test per κ with "
                "|κ| ≥ 1 (false pass ≤ 1e-4 each)",
       test="incidental verify --full --claim noise-dynamics.sign-rule-sweep", tier="full")
def _sign_rule_sweep(rng):
    runs = 8
    tested = [k for k in SWEEP_KAPPAS if abs(k) >= 1]
    ok, rows, text = _sign_rule(tested, runs, rng)
    _, small, small_text = _sign_rule([k for k in SWEEP_KAPPAS if abs(k) < 1], runs, rng)
    rows = sorted(rows + small, key=lambda r: r["kurtosis"])
    crit = float(stats.t.ppf(1 - ALPHA, runs - 1))
    return verdict(ok, rows[0]["drift"], 1.0, f"sign(−κ)·t > {crit:.2f} at each |κ| ≥ 1 (one-sided, {runs - 1} df)",
                    f"{text}. Reported only: {small_text} (at κ = 0 the first-order rule predicts no drift; "
                    f"a nonzero value there comes from the law beyond its fourth cumulant)",
                    {"rows": rows})


@claim(id="noise-dynamics.zero-kurtosis-three-point",
       statement="Noise with zero excess kurtosis leaves the fourth norm unchanged in expectation, whatever its law "
                 "(the first-order sign rule: fourth_norm_drift_sign(0) = 0), here three-point noise with κ = 0 "
                 "(ξ = 0 w.p. 2/3, ±√3σ w.p. 1/6 each)",
       source="paper §2.5(b) (the rule is stated through the fourth cumulant only) [R]",
       prediction="mean drift 0 at κ = 0, as for Gaussian noise",
       evidence="three-point noise, κ = 0, σ = 0.15, 32 runs × 8 instances, 1e4 steps; two-sided t test of mean drift "
                "= 0 (false refutation 1e-4 if the rule held)",
       expected="refuted",
       correction="at κ = 0 the three-point law lowers the fourth norm (≈ −0.015 in 1e4 steps, against +0.53 for "
                  "bipolar and −0.044 for κ = +3; Gaussian gives 0 exactly): the sign of the drift is not fixed by κ "
                  "alone; across the three-point family the zero crossing lies between κ = −0.5 and 0 "
                  "(noise-dynamics.sign-rule-sweep). At matched t = lr·steps = 200 it does not shrink as the learning rate "
                  "is halved (−0.012, −0.019, −0.019 at lr 0.02, 0.01, 0.005; 3 runs × 8 instances, SE ≈ 0.002), so it "
                  "is a gradient-flow (expected-loss) effect of the law beyond its fourth cumulant, not SGD diffusion",
       test="incidental verify --full --claim noise-dynamics.zero-kurtosis-three-point", tier="full")
def _zero_kurtosis_three_point(rng):
    runs = 32
    d = _drifts(NoiseSpec(family="three-point", sigma=SIGMA, kurtosis=0.0), runs, rng)
    mean, se, t = t_statistic(d)
    crit = float(stats.t.ppf(1 - ALPHA / 2, runs - 1))
    return verdict(abs(t) <= crit, mean, 0.0,
                    f"|t| ≤ {crit:.2f} (two-sided Student t, {runs - 1} df, false refutation {ALPHA:g})",
                    f"mean drift {mean:+.4f} ± {se:.4f} (SE), t = {t:+.1f}", {"drifts": d.tolist()})


# ------------------------------------------------------------------------------------------------
# (d) end states (the paper's 1e5 steps; full tier)


END_STEPS = 100_000


END_TOL = 0.01  # the two candidate end states differ by 0.026 in mean fourth norm at n = 8


@claim(id="noise-dynamics.end-state-bipolar",
       statement="After 1e5 SGD steps under bipolar noise (σ = 0.15) the fourth norm reaches that of the "
                 "neuron-aligned centred simplex, [(1 − 1/n)⁴ + (n − 1)/n⁴]/(1 − 1/n)² = 0.768 at n = 8",
       source="paper §2.5(c), §3.2 [N]",
       prediction="theory.noise_loss.simplex_fourth_norm(8) = 43/56 ≈ 0.7679",
       evidence="4 runs × 5 instances, n = 8, m = 16, lr 0.02, 1e5 steps (the paper's run); |mean − 0.768| ≤ 0.01",
       expected="refuted",
       correction="SGD reaches the centred simplex on n − 1 neurons (theory.noise_loss.reduced_simplex: 7 "
                  "features nearly one-hot, entries 0.970 and −0.099, the 8th spread as ±1/√7 over their neurons), "
                  "mean fourth norm 0.794; at σ = 0.15 its exact bipolar expected loss 0.2100 is below the aligned "
                  "n-neuron simplex's 0.2163 (theory.noise_loss.expected_loss_bipolar_exact), same Gram matrix",
       test="incidental verify --full --claim noise-dynamics.end-state-bipolar", tier="full")
def _end_state_bipolar(rng):
    runs = 4
    _, curves = fourth_norm_runs(NoiseSpec(family="bipolar", sigma=SIGMA), runs=runs, rng=rng, steps=END_STEPS,
                                 instances=5)
    mean, se, _ = t_statistic(curves[:, -1])
    predicted = simplex_fourth_norm(N)
    reduced = reduced_simplex_fourth_norm(N)
    return verdict(abs(mean - predicted) <= END_TOL, mean, predicted, f"|measured − predicted| ≤ {END_TOL:g}",
                    f"mean over {runs} runs × 5 instances {mean:.4f} ± {se:.4f} (SE), {(mean - predicted) / se:+.1f} SE "
                    f"from the n-neuron simplex; the (n − 1)-neuron simplex has {reduced:.4f} "
                    f"({(mean - reduced) / se:+.1f} SE)", {"end": curves[:, -1].tolist()})


@claim(id="noise-dynamics.end-state-gaussian",
       statement="After 1e5 SGD steps under Gaussian noise (σ = 0.15) the fourth norm is that of a randomly oriented "
                 "row, 3/(m + 2) = 1/6 at m = 16",
       source="paper §2.5(c), §3.2 [N]",
       prediction="theory.noise_loss.random_direction_fourth_norm(16) = 1/6 (exact in expectation at every step, "
                  "module docstring)",
       evidence="8 runs × 5 instances, n = 8, m = 16, lr 0.02, 1e5 steps; two-sided t test over runs (false failure "
                "1e-4)",
       test="incidental verify --full --claim noise-dynamics.end-state-gaussian", tier="full")
def _end_state_gaussian(rng):
    runs = 8
    _, curves = fourth_norm_runs(NoiseSpec(family="gaussian", sigma=SIGMA), runs=runs, rng=rng, steps=END_STEPS,
                                 instances=5)
    predicted = random_direction_fourth_norm(M)
    mean, se, t = t_statistic(curves[:, -1] - predicted)
    crit = float(stats.t.ppf(1 - ALPHA / 2, runs - 1))
    return verdict(abs(t) <= crit, mean + predicted, predicted,
                    f"|t| ≤ {crit:.2f} (two-sided Student t, {runs - 1} df, false failure {ALPHA:g})",
                    f"mean {mean + predicted:.4f} ± {se:.4f} (SE), t = {t:+.2f}", {"end": curves[:, -1].tolist()})
