"""The speed of noise-driven sparsification: the initial drift of the fourth norm against m, σ, κ
(paper §2.5(b), §3.2; issue 7).

Under hidden noise of excess kurtosis κ the only non-rotation-invariant part of the expected loss is,
to first order (the Edgeworth term of ``theory.noise_loss``),

    L_κ = Σ_j (κ/12) F_j σ‖W_j‖ Σ_{b≠j} c_bj φ(c_bj/(σ‖W_j‖)),   F_j = ‖W_j‖₄⁴/‖W_j‖₂⁴, c_bj = −⟨W_b, W_j⟩.

Once the Gram matrix has relaxed to the centred simplex (c_bj = 1/(n − 1), unit rows; a few hundred
steps at lr 0.02), the gradient flow moves each row along −(κ/12)A ∇F_j with
A = (n − 1)σcφ(c/σ), so dF_j/dt = −(κ/12) A ‖∇F_j‖². For a random unit row
E‖∇F‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) ≈ 96/m², hence

    dF/dt ≈ −(κ/12)(n − 1)σcφ(c/σ) · 96(m − 1)/((m + 2)(m + 4)(m + 6))     (per unit time t = lr·steps),

an m^−2 law for the absolute drift (m^−1 relative to the start 3/(m + 2)). The same ascent from a
random start needs a time ∝ m/log m to reach the neuron axes (``reduced_ascent_time``).

Measurements (``measured_fourth_norm_drift``, ``steps_to_fourth_norm``) use ``sims.train`` with plain
SGD (optimizer "gd", λ = 0), the paper's fourth_norm.py recipe. One run = one independent observation
(its instances share the noise draws).
"""

from __future__ import annotations

import math

import numpy as np

from theory import ModelSpec, NoiseSpec, _validate
from theory.noise import NOISE_FAMILIES
from theory.noise_loss import expected_loss_edgeworth

from .metrics import fourth_norm
from .schedule import Schedule
from .train import TrainConfig, train

__all__ = ["edgeworth_fourth_norm_drift", "measured_fourth_norm_drift", "predicted_fourth_norm_drift",
           "random_direction_gradient_square", "reduced_ascent_time", "simplex_margin_factor",
           "steps_to_fourth_norm"]

_SQRT_2PI = math.sqrt(2 * math.pi)


def random_direction_gradient_square(m: int) -> float:
    """E‖∇F(u)‖² = 96(m − 1)/((m + 2)(m + 4)(m + 6)) for u uniform on S^{m−1}, F = Σ_k u_k⁴ (dimensionless).

    From ∇F = 4(u³ − F u) on the unit sphere, E Σu⁶ = 15/((m + 2)(m + 4)) and
    E F² = (9m + 96)/((m + 2)(m + 4)(m + 6)). Needs m >= 1 (0 at m = 1).
    """
    m = _validate.integer("m", m, minimum=1)
    return 96.0 * (m - 1) / ((m + 2) * (m + 4) * (m + 6))


def simplex_margin_factor(n: int, sigma: float) -> float:
    """A = (n − 1)σcφ(c/σ), c = 1/(n − 1): Σ_b v c′φ(c′) of one unit row of the centred simplex (units of W²).

    The weight of F_j in the Edgeworth correction (κ/12)·F_j·A. Needs n >= 2, σ > 0.
    """
    n = _validate.integer("n", n, minimum=2)
    sigma = _validate.real("sigma", sigma, minimum=0.0, strict_min=True)
    c = 1.0 / (n - 1)
    return (n - 1) * sigma * c * math.exp(-0.5 * (c / sigma) ** 2) / _SQRT_2PI


def predicted_fourth_norm_drift(n: int, m: int, sigma: float, kurtosis: float) -> float:
    """dF/dt = −(κ/12)·(n − 1)σcφ(c/σ)·96(m − 1)/((m + 2)(m + 4)(m + 6)), c = 1/(n − 1).

    The first-order (Edgeworth) drift of a random row's fourth norm per unit gradient-flow time
    t = lr·steps, at the centred-simplex Gram matrix; multiply by lr for the drift per SGD step.
    Needs n >= 2, m >= 1, σ > 0, κ >= −2.
    """
    kurtosis = _validate.real("kurtosis", kurtosis, minimum=-2.0)
    return -kurtosis / 12.0 * simplex_margin_factor(n, sigma) * random_direction_gradient_square(m)


def _fourth_norm_gradient(W: np.ndarray) -> np.ndarray:
    """∇_{W_j} F_j = 4W_j³/‖W_j‖⁴ − 4F_j W_j/‖W_j‖², shape of W."""
    n2 = np.sum(W * W, axis=-1, keepdims=True)
    F = np.sum(W**4, axis=-1, keepdims=True) / n2**2
    return 4 * W**3 / n2**2 - 4 * F * W / n2


def edgeworth_fourth_norm_drift(W, sigma: float, kurtosis: float, *, h: float = 1e-5) -> np.ndarray:
    """(1/n)Σ_j ⟨∇F_j, −∇_{W_j}L_κ⟩: the first-order drift of the mean fourth norm per unit time at W.

    L_κ = ``expected_loss_edgeworth``(W, σ, κ) − ``expected_loss_edgeworth``(W, σ, 0), the part of the
    expected loss that is not rotation-invariant (the rotation-invariant rest has zero mean drift);
    its gradient by central differences with step ``h``. W has shape (n, m) or (instances, n, m),
    no zero row; returns shape W.shape[:-2]. Cost 2nm loss evaluations per instance.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim not in (2, 3) or W.shape[-1] < 1 or W.shape[-2] < 2 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite array of shape (n, m) or (instances, n, m) with n >= 2, got {W.shape}")
    if np.any(np.sum(W * W, axis=-1) == 0):
        raise ValueError("W must have no zero row (the fourth norm of 0 is undefined)")
    h = _validate.real("h", h, minimum=0.0, strict_min=True)
    flat = W.reshape((-1,) + W.shape[-2:])
    out = []
    for Wi in flat:
        n, m = Wi.shape
        E = np.eye(n * m).reshape(n * m, n, m) * h
        def kurt_part(X):
            return expected_loss_edgeworth(X, sigma, kurtosis) - expected_loss_edgeworth(X, sigma, 0.0)
        grad = ((kurt_part(Wi + E) - kurt_part(Wi - E)) / (2 * h)).reshape(n, m)
        out.append(float(np.mean(np.sum(_fourth_norm_gradient(Wi) * -grad, axis=-1))))
    out = np.array(out).reshape(W.shape[:-2])
    return out[()] if out.ndim == 0 else out


def _noise(family: str, sigma: float) -> NoiseSpec:
    _validate.choice("family", family, tuple(NOISE_FAMILIES))
    return NoiseSpec(family=family, sigma=sigma)


def _mean_fourth_norm(W, spec):
    return {"fourth_norm": np.nanmean(fourth_norm(W), axis=-1)}


def measured_fourth_norm_drift(*, n: int, m: int, sigma: float, lr: float, t0: int, window: int, runs: int,
                               instances: int, rng: np.random.Generator, family: str = "bipolar",
                               records: int = 10, predict: bool = False) -> dict[str, np.ndarray]:
    """Per-run least-squares slope of the mean fourth norm over steps [t0, t0 + window] (per SGD step).

    Each run trains ``instances`` models (SGD, λ = 0, its own streams spawned from ``rng``) for ``t0``
    steps under *Gaussian* noise of the same σ (the Gram matrix relaxes to the centred simplex while
    the law of W stays rotation-invariant, so E F(t0) = 3/(m + 2) exactly), then ``window`` more steps
    from the same weights twice: under ``family`` noise and under Gaussian noise (the control, whose
    expected drift is exactly 0). Returns arrays of length ``runs``: "slope" and "control" (per step,
    recorded ``records`` + 1 times), "drift" = slope − control (unbiased, lower variance), "start"
    (mean F at t0) and, with ``predict``, "edgeworth" = lr·``edgeworth_fourth_norm_drift`` at the
    weights of step t0 (the first-order prediction per step).
    """
    n = _validate.integer("n", n, minimum=2)
    m = _validate.integer("m", m, minimum=1)
    t0 = _validate.integer("t0", t0, minimum=0)
    window = _validate.integer("window", window, minimum=1)
    runs = _validate.integer("runs", runs, minimum=1)
    records = _validate.integer("records", records, minimum=1)
    if window % records:
        raise ValueError(f"window must be a multiple of records = {records}, got {window}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, got {rng!r}")
    spec = ModelSpec(n=n, m=m, noise=_noise(family, sigma))
    gauss = ModelSpec(n=n, m=m, noise=_noise("gaussian", sigma))
    cfg = TrainConfig(optimizer="gd", lr=lr, steps=window, instances=instances, record=Schedule(every=window // records))
    out = {"slope": [], "control": [], "start": [], "edgeworth": []}
    for g in rng.spawn(runs):
        g_init, g_run, g_ctrl = g.spawn(3)
        W = train(gauss, TrainConfig(optimizer="gd", lr=lr, steps=t0, instances=instances, record=Schedule(every=max(t0, 1))),
                  rng=g_init, metrics=lambda W, s: {}).W
        for key, sp, gr in (("slope", spec, g_run), ("control", gauss, g_ctrl)):
            res = train(sp, cfg, rng=gr, W0=W, metrics=_mean_fourth_norm)
            f = res.history["fourth_norm"].mean(axis=1)
            out[key].append(np.polyfit(res.steps.astype(np.float64), f, 1)[0])
        out["start"].append(f[0])
        if predict:
            out["edgeworth"].append(lr * float(np.mean(edgeworth_fourth_norm_drift(
                W, sigma, NOISE_FAMILIES[family]))))
    if not predict:
        del out["edgeworth"]
    out = {k: np.array(v) for k, v in out.items()}
    out["drift"] = out["slope"] - out["control"]
    return out


def steps_to_fourth_norm(*, n: int, m: int, sigma: float, lr: float, threshold: float, max_steps: int,
                         instances: int, rng: np.random.Generator, family: str = "bipolar",
                         every: int = 100) -> float:
    """First recorded step (multiple of ``every``) at which the mean fourth norm over the run's
    instances reaches ``threshold``, interpolated linearly between records; inf if not by ``max_steps``."""
    threshold = _validate.real("threshold", threshold, minimum=0.0, maximum=1.0)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    every = _validate.integer("every", every, minimum=1)
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
                        rng: np.random.Generator, dt: float | None = None) -> float:
    """Time t at which the mean of F over ``rows`` random unit rows, each following the sphere ascent
    du/dt = rate·∇F(u) = 4·rate·(u³ − F u), first reaches ``threshold`` (units of 1/rate).

    With rate = −(κ/12)A (``simplex_margin_factor``) this is the first-order prediction of the time
    to sparsify; divide by lr for SGD steps. Euler steps of rate·dt = m/200 (or ``dt``), renormalised.
    """
    m = _validate.integer("m", m, minimum=2)
    rate = _validate.real("rate", rate, minimum=0.0, strict_min=True)
    threshold = _validate.real("threshold", threshold, minimum=0.0, maximum=1.0, strict_max=True)
    rows = _validate.integer("rows", rows, minimum=1)
    if threshold <= 3.0 / (m + 2):
        raise ValueError(f"threshold must exceed the random-direction value 3/(m + 2) = {3 / (m + 2):.4g}, "
                         f"got {threshold}")
    tau = m / 200.0 if dt is None else _validate.real("dt", dt, minimum=0.0, strict_min=True) * rate
    u = rng.normal(size=(rows, m))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    t, F = 0.0, np.sum(u**4, axis=1)
    while F.mean() < threshold:
        u += tau * 4 * (u**3 - F[:, None] * u)
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        F = np.sum(u**4, axis=1)
        t += tau / rate
        if t * rate > 1e4 * m:
            raise RuntimeError("reduced ascent did not reach the threshold")
    return t
