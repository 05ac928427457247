"""One feature under L1 in the paper's units: exact curves of the m-coordinate flow and a brute-force check.

dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) (gradient-flow time, paper λ), initial weights |N(0, scale²/m)|
(paper §2.3(h)); solved exactly by the reduced solver and, at a smaller m, by integrating all coordinates.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from theory import validate

from ..dynamics.single_feature import solve_single_feature

__all__ = ["BRUTE_TIMES", "RTOL", "ATOL", "random_initial_magnitudes", "sparsity_curves"]

RTOL, ATOL = 1e-10, 1e-12

#: Times (gradient-flow units) at which the brute-force flow is compared with the reduced solution.
BRUTE_TIMES = (10.0, 100.0, 1e3, 1e4, 3e4)


def random_initial_magnitudes(m: int, scale: float, *, rng: np.random.Generator) -> np.ndarray:
    """|N(0, scale²/m)|, the simulation's initialisation (paper §2.3(h)); ``rng`` as ``theory.validate.generator``.

    Examples
    --------
    >>> from sims.studies.sparsity import random_initial_magnitudes
    >>> random_initial_magnitudes(5, 1.0, rng=0).round(3).tolist()
    [0.056, 0.059, 0.286, 0.047, 0.24]
    """
    return np.abs(validate.generator(rng).normal(0.0, scale / np.sqrt(m), m))


def sparsity_curves(*, rng: np.random.Generator, m: int, lam: float, scale: float, brute_m: int,
                    points: int) -> Mapping[str, list]:
    """Exact curves of the m-coordinate flow on a log grid t ∈ [1, max(√10/λ, 1.1·t_sparse)], and a
    brute-force check of a brute_m-coordinate flow at ``BRUTE_TIMES`` against its reduced solution.

    Paper units: dw_k/dt = (1 − ‖w‖²)w_k − λ sign(w_k) with λ = ``lam`` = λ_code/4 and t = 4·t_code. Keep
    λ·max(``BRUTE_TIMES``) small (the figure's λ = 1e-5 gives 0.3): long after full sparsity the reduced
    solver slows sharply (a lone survivor's a(t) grows like e^{λt/w*}): λ = 1e-3 (λt = 30) does not finish.
    The brute force alone (DOP853 to t = 3e4) takes about 1 s at any brute_m, so the example is skipped.

    Examples
    --------
    >>> from sims.studies.sparsity import sparsity_curves
    >>> out = sparsity_curves(rng=0, m=100, lam=1e-4, scale=0.9, brute_m=4, points=3)  # doctest: +SKIP
    >>> out["t"].round(1).tolist(), out["active"].tolist(), round(out["t_sparse"], 1)  # doctest: +SKIP
    ([0.0, 1.0, 177.8, 31622.8], [100, 100, 89, 1], 20189.1)
    >>> out["brute_active"].tolist(), out["winner_is_argmax"]  # doctest: +SKIP
    ([4, 4, 4, 2, 1], True)
    """
    rng = validate.generator(rng)
    w0 = random_initial_magnitudes(m, scale, rng=rng)
    first = solve_single_feature(w0, lam, rtol=RTOL, atol=ATOL)  # until one weight is left
    t_end = max(np.sqrt(10.0) / lam, 1.1 * first.t_sparse)
    sol = solve_single_feature(w0, lam, t_end=t_end, rtol=RTOL, atol=ATOL)
    t = np.concatenate([[0.0], np.geomspace(1.0, t_end, points)])
    out = {"t": t, "active": sol.active(t), "l1_norm": sol.l1_norm(t), "sq_norm": sol.sq_norm(t),
           "threshold": sol.threshold(t), "t_sparse": first.t_sparse, "winner_is_argmax":
           bool(np.array_equal(np.flatnonzero(sol.weights(t_end)), [np.argmax(w0)])), "w0_l1": float(np.sum(w0))}
    small = random_initial_magnitudes(brute_m, scale, rng=rng)
    bf = solve_single_feature(small, lam, BRUTE_TIMES, method="brute-force", rtol=RTOL, atol=ATOL)
    red = solve_single_feature(small, lam, BRUTE_TIMES, rtol=RTOL, atol=ATOL)
    exact = np.array([np.abs(red.weights(s)) for s in BRUTE_TIMES])
    a = np.exp(red.y[:, 0])[:, None]  # y = (log a, b) at BRUTE_TIMES
    unit = ATOL + RTOL * (exact + a * red.y[:, 1][:, None])  # the map a|w(0)| − ab: each term to rtol
    small_t = np.geomspace(1.0, t_end, points)
    small_sol = solve_single_feature(small, lam, t_end=t_end, rtol=RTOL, atol=ATOL)
    out.update({"brute_t": list(BRUTE_TIMES), "brute_active": bf.active(), "brute_l1": np.abs(bf.y).sum(axis=1),
                "brute_err_units": float(np.max(np.abs(np.abs(bf.y) - exact) / unit)),
                "small_t": small_t, "small_active": small_sol.active(small_t),
                "small_l1": small_sol.l1_norm(small_t)})
    return out
