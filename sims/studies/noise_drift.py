"""The speed of noise-driven sparsification measured: the initial drift of the fourth norm against
m, σ, κ (paper §2.5(b), §3.2). The closed forms it is compared with are in
``theory.noise_drift``: to first order the mean fourth norm of a random row drifts at
dF/dt ≈ −(κ/12)(n − 1)σcφ(c/σ)·96(m − 1)/((m + 2)(m + 4)(m + 6)) per unit time t = lr·steps once the Gram
matrix is the centred simplex (an m⁻² law), and the ascent from a random start needs a time ∝ m/log m
(``reduced_ascent_time``).

Measurements (``measured_fourth_norm_drift``, ``steps_to_fourth_norm``) use ``sims.dynamics.train`` with plain
SGD (optimizer "gd", λ = 0), the paper's fourth_norm.py recipe. One run = one independent observation
(its instances share the noise draws).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp

from theory import ModelSpec, NoiseSpec, validate
from theory.noise import NOISE_FAMILIES
from theory.noise_drift import edgeworth_fourth_norm_drift

from ..measure.metrics import fourth_norm, opposite_pair_members
from ..dynamics.schedule import Schedule
from ..dynamics.train import TrainConfig, train

__all__ = ["measured_fourth_norm_drift", "reduced_ascent_time", "steps_to_fourth_norm"]

def _noise(family: str, sigma: float) -> NoiseSpec:
    validate.choice("family", family, tuple(NOISE_FAMILIES))
    return NoiseSpec(family=family, sigma=sigma)


def _mean_fourth_norm(W, spec):
    return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1)}


def _pair_share(member, neuron):
    """Metric: mean share W_ik²/‖W_i‖² of ± pair members at their neuron at the start (NaN without pairs)."""
    def metric(W, spec):
        sq = W * W
        share = np.take_along_axis(sq, neuron[..., None], axis=-1)[..., 0] / sq.sum(axis=-1)
        return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1),
                "pair_share": np.array([np.mean(share[member]) if member.any() else np.nan] * W.shape[0])}
    return metric


def measured_fourth_norm_drift(*, n: int, m: int, sigma: float, lr: float, t0: int, window: int, runs: int,
                               instances: int, rng, family: str = "bipolar",
                               records: int = 10, predict: bool = False,
                               pairs: bool = False) -> dict[str, np.ndarray]:
    """Per-run least-squares slope of the mean fourth norm over steps [t0, t0 + window] (per SGD step).

    Each run trains ``instances`` models (SGD, λ = 0, its own streams spawned from ``rng``) for ``t0``
    steps under *Gaussian* noise of the same σ (the Gram matrix relaxes to the centred simplex while
    the law of W stays rotation-invariant, so E F(t0) = 3/(m + 2) exactly), then ``window`` more steps
    from the same weights twice: under ``family`` noise and under Gaussian noise (the control, whose
    expected drift is exactly 0). Returns arrays of length ``runs``: "slope" and "control" (per step,
    recorded ``records`` + 1 times), "drift" = slope − control (unbiased, lower variance), "start"
    (mean F at t0) and, with ``predict``, "edgeworth" = lr·``edgeworth_fourth_norm_drift`` at the
    weights of step t0 (the first-order prediction per step). With ``pairs``, also "pair_slope",
    "pair_control" and "pair_drift": the same for the mean share W_ik²/‖W_i‖² that the members of the ±
    pairs present at t0 (``opposite_pair_members``, all instances pooled) hold at their shared neuron k,
    NaN for a run without such a pair. Units: λ = 0; slopes are per optimiser step
    (divide by ``lr`` for the rate per unit gradient-flow time t = lr·steps, code units).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.studies.noise_drift import measured_fourth_norm_drift
    >>> out = measured_fourth_norm_drift(n=4, m=8, sigma=0.1, lr=0.02, t0=100, window=100, runs=2, instances=2,
    ...                                  rng=0, predict=True)
    >>> sorted(out), out["start"].round(3).tolist()  # E F(t0) = 3/(m + 2) = 0.3
    (['control', 'drift', 'edgeworth', 'slope', 'start'], [0.267, 0.326])
    >>> np.round(out["drift"] * 1e6, 1).tolist(), bool(np.array_equal(out["drift"], out["slope"] - out["control"]))
    ([-11.2, 32.7], True)
    """
    n = validate.integer("n", n, minimum=2)
    m = validate.integer("m", m, minimum=1)
    t0 = validate.integer("t0", t0, minimum=0)
    window = validate.integer("window", window, minimum=1)
    runs = validate.integer("runs", runs, minimum=1)
    records = validate.integer("records", records, minimum=1)
    if window % records:
        raise ValueError(f"window must be a multiple of records = {records}, got {window}")
    rng = validate.generator(rng)
    spec = ModelSpec(n=n, m=m, noise=_noise(family, sigma))
    gauss = ModelSpec(n=n, m=m, noise=_noise("gaussian", sigma))
    cfg = TrainConfig(optimizer="gd", lr=lr, steps=window, instances=instances, record=Schedule(every=window // records))
    out = {"slope": [], "control": [], "start": [], "edgeworth": [], "pair_slope": [], "pair_control": []}
    for g in rng.spawn(runs):
        g_init, g_run, g_ctrl = g.spawn(3)
        W = train(gauss, TrainConfig(optimizer="gd", lr=lr, steps=t0, instances=instances, record=Schedule(every=max(t0, 1))),
                  rng=g_init, metrics=lambda W, s: {}).W
        metric = _pair_share(*opposite_pair_members(W)) if pairs else _mean_fourth_norm
        for key, sp, gr in (("slope", spec, g_run), ("control", gauss, g_ctrl)):
            res = train(sp, cfg, rng=gr, W0=W, metrics=metric)
            steps = res.steps.astype(np.float64)
            f = res.history["fourth_norm"].mean(axis=1)
            out[key].append(np.polyfit(steps, f, 1)[0])
            if pairs:
                share = res.history["pair_share"][:, 0]
                out["pair_" + key].append(np.polyfit(steps, share, 1)[0] if np.all(np.isfinite(share)) else np.nan)
        out["start"].append(f[0])
        if predict:
            out["edgeworth"].append(lr * float(np.mean(edgeworth_fourth_norm_drift(
                W, sigma, NOISE_FAMILIES[family]))))
    if not predict:
        del out["edgeworth"]
    if not pairs:
        del out["pair_slope"], out["pair_control"]
    out = {k: np.array(v) for k, v in out.items()}
    out["drift"] = out["slope"] - out["control"]
    if pairs:
        out["pair_drift"] = out["pair_slope"] - out["pair_control"]
    return out


def steps_to_fourth_norm(*, n: int, m: int, sigma: float, lr: float, threshold: float, max_steps: int,
                         instances: int, rng, family: str = "bipolar",
                         every: int = 100) -> float:
    """First recorded step (multiple of ``every``) at which the mean fourth norm over the run's
    instances reaches ``threshold``, interpolated linearly between records; inf if not by ``max_steps``.

    Units: optimiser steps of plain GD at ``lr`` (λ = 0, hidden noise of ``family`` with standard deviation σ).

    Examples
    --------
    >>> from sims.studies.noise_drift import steps_to_fourth_norm
    >>> kwargs = dict(n=4, m=8, lr=0.02, threshold=0.5, max_steps=2000, instances=2, rng=0)
    >>> round(steps_to_fourth_norm(sigma=0.3, **kwargs), 1), steps_to_fourth_norm(sigma=0.15, **kwargs)
    (1855.6, inf)
    """
    threshold = validate.real("threshold", threshold, minimum=0.0, maximum=1.0)
    max_steps = validate.integer("max_steps", max_steps, minimum=1)
    every = validate.integer("every", every, minimum=1)
    spec = ModelSpec(n=n, m=m, noise=_noise(family, sigma))
    res = train(spec, TrainConfig(optimizer="gd", lr=lr, steps=max_steps, instances=instances,
                                  record=Schedule(every=every)), rng=rng, metrics=_mean_fourth_norm)
    f = res.history["fourth_norm"].mean(axis=1)
    hit = np.flatnonzero(f >= threshold)
    if hit.size == 0:
        return math.inf
    k = int(hit[0])
    if k == 0:
        return 0.0
    s0, s1, f0, f1 = res.steps[k - 1], res.steps[k], f[k - 1], f[k]
    return float(s0 + (threshold - f0) / (f1 - f0) * (s1 - s0))


def reduced_ascent_time(m: int, rate: float, *, threshold: float = 0.5, rows: int = 256,
                        rng, rtol: float = 1e-6) -> float:
    """Time t at which the mean of F over ``rows`` random unit rows, each following the sphere ascent
    du/dt = rate·∇F(u) = 4·rate·(u³ − F u), first reaches ``threshold`` (units of 1/rate).

    With rate = −(κ/12)A (``theory.noise_drift.simplex_margin_factor``) this is the first-order
    prediction of the time to sparsify; divide by lr for SGD steps. The flow keeps ‖u‖ = 1
    (⟨u, u³ − F u⟩ = 0); it is integrated in τ = rate·t by ``solve_ivp`` (RK45) with a terminal
    event at mean F = threshold.

    Examples
    --------
    >>> from sims.studies.noise_drift import reduced_ascent_time
    >>> t = reduced_ascent_time(8, 1.0, rows=4, rng=0)
    >>> round(t, 4), round(reduced_ascent_time(8, 2.0, rows=4, rng=0) / t, 6)  # time ∝ 1/rate
    (0.2889, 0.5)
    """
    rng = validate.generator(rng)
    m = validate.integer("m", m, minimum=2)
    rate = validate.real("rate", rate, minimum=0.0, strict_min=True)
    threshold = validate.real("threshold", threshold, minimum=0.0, maximum=1.0, strict_max=True)
    rows = validate.integer("rows", rows, minimum=1)
    rtol = validate.real("rtol", rtol, minimum=0.0, strict_min=True)
    if threshold <= 3.0 / (m + 2):
        raise ValueError(f"threshold must exceed the random-direction value 3/(m + 2) = {3 / (m + 2):.4g}, "
                         f"got {threshold}")
    u0 = rng.normal(size=(rows, m))
    u0 /= np.linalg.norm(u0, axis=1, keepdims=True)

    def mean_fourth_norm(u):
        sq = u * u
        return float(np.mean(np.sum(sq * sq, axis=1) / np.sum(sq, axis=1) ** 2))

    def rhs(_, y):
        u = y.reshape(rows, m)
        F = np.sum(u**4, axis=1, keepdims=True)
        return (4 * (u**3 - F * u)).ravel()

    def reached(_, y):
        return mean_fourth_norm(y.reshape(rows, m)) - threshold
    reached.terminal, reached.direction = True, 1.0

    if mean_fourth_norm(u0) >= threshold:
        return 0.0
    sol = solve_ivp(rhs, (0.0, 1e4 * m), u0.ravel(), method="RK45", rtol=rtol, atol=rtol * 1e-3, events=reached)
    if sol.t_events[0].size == 0:
        raise RuntimeError(f"reduced ascent did not reach the threshold by τ = {1e4 * m:g} ({sol.message})")
    return float(sol.t_events[0][0]) / rate
