"""Which neurons trained features occupy, against the independent-placement idealisation.

``occupancy_statistics`` reads per-instance sharing statistics off trained weights and their starts;
``pooled_ratio`` pools the sharing ratio ρ = Σ shared / Σ N₊N₋/m over instances with its standard error.
Counts are numbers of neurons or feature pairs (dimensionless).
"""

from __future__ import annotations

import numpy as np

from .metrics import dominant_neurons, dominant_polysemantic_count

__all__ = ["occupancy_statistics", "pooled_ratio"]


def occupancy_statistics(W0, W) -> dict[str, np.ndarray]:
    """Per-instance sharing statistics of trained weights W (instances, n, m) started from W0.

    Returns a dict of arrays of shape (instances,):

    * ``opposite_shared``: neurons whose dominant features are exactly one + and one − feature;
    * ``same_sign``: neurons dominant for ≥ 2 features of one sign (0 once training is complete);
    * ``expected_independent``: N₊N₋/m, the mean of ``opposite_shared`` if the N₊ neurons holding
      + features and the N₋ holding − features were independent uniform sets (hypergeometric mean);
    * ``initial_collisions``: unordered feature pairs whose initial argmax neuron coincides with
      opposite initial signs (the idealisation's polysemantic pairs);
    * ``surviving_collisions``: those pairs whose final dominant neuron is, for both, that neuron;
    * ``argmax_fraction``: fraction of features whose final neuron is their initial argmax;
    * ``polarity``: β₀ = mean over neurons occupied by features of one sign only of
      −sign(occupant)·z_k, where z_k = Σ_{i not on k} W_ik(0) / √(n/m) is the initial column sum
      of the *other* features (the final occupants' own entries left out) in units of the spread
      of an initial column sum. 0 when a neuron's final sign does not depend on its initial column
      sum; > 0 when neurons whose other weights sum positive end up holding − features. (After
      ``center_columns`` the left-out entries make z_k = −occupant's entry, so β₀ > 0 trivially.)

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.occupancy import occupancy_statistics
    >>> W0 = np.array([[[0.5, -0.2, 0.1], [-0.6, 0.4, 0.2], [0.1, 0.3, 0.6]]])  # features 0, 1 collide on neuron 0
    >>> W = np.array([[[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]])
    >>> stats = occupancy_statistics(W0, W)
    >>> [stats[key].tolist() for key in ("initial_collisions", "surviving_collisions", "opposite_shared")]
    [[1.0], [1.0], [1.0]]
    >>> np.round(stats["expected_independent"], 4).tolist()  # N₊N₋/m = 2·1/3
    [0.6667]
    """
    W0, W = np.asarray(W0, dtype=float), np.asarray(W, dtype=float)
    if W0.ndim != 3 or W0.shape != W.shape:
        raise ValueError(f"W0 and W must both have shape (instances, n, m), got {W0.shape} and {W.shape}")
    I, _, m = W.shape
    k0, s0 = dominant_neurons(W0)
    k, s = dominant_neurons(W)
    dom = dominant_polysemantic_count(W)
    n = W.shape[1]
    out = {key: np.zeros(I) for key in ("expected_independent", "initial_collisions", "surviving_collisions",
                                        "argmax_fraction", "polarity")}
    for i in range(I):
        plus, minus = np.zeros(m, bool), np.zeros(m, bool)
        plus[k[i][s[i] > 0]] = True
        minus[k[i][s[i] < 0]] = True
        out["expected_independent"][i] = plus.sum() * minus.sum() / m
        single = plus ^ minus
        own = np.zeros((n, m), bool)
        own[np.arange(n), k[i]] = True
        z = np.where(own, 0.0, W0[i]).sum(axis=0) / np.sqrt(n / m)
        out["polarity"][i] = np.mean(-np.where(plus, 1.0, -1.0)[single] * z[single]) if single.any() else 0.0
        same0 = np.triu(k0[i][:, None] == k0[i][None, :], 1)
        opp0 = same0 & (s0[i][:, None] != s0[i][None, :])
        a, b = np.nonzero(opp0)
        out["initial_collisions"][i] = a.size
        out["surviving_collisions"][i] = np.count_nonzero((k[i][a] == k0[i][a]) & (k[i][b] == k0[i][b]))
        out["argmax_fraction"][i] = np.mean(k[i] == k0[i])
    out["opposite_shared"] = dom["opposite_sign"].astype(float)
    out["same_sign"] = dom["same_sign"].astype(float)
    return out


def pooled_ratio(shared, expected) -> tuple[float, float]:
    """ρ = Σ shared / Σ expected over instances, and its standard error (ratio estimator, delta method).

    SE² = Σ (shared_i − ρ expected_i)² / (I(I−1) ē²), ē the mean expectation (instances with
    expected_i = 0 count in the spread). Dimensionless.

    Examples
    --------
    >>> from sims.measure.occupancy import pooled_ratio
    >>> rho, se = pooled_ratio([1, 0, 2, 1], [0.5, 0.75, 1.0, 0.5])
    >>> round(rho, 4), round(se, 4)
    (1.4545, 0.5371)
    """
    x, e = np.asarray(shared, dtype=float), np.asarray(expected, dtype=float)
    if x.shape != e.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"shared and expected must be 1-d arrays of equal length >= 2, got {x.shape}, {e.shape}")
    if not (np.all(e >= 0) and e.sum() > 0):
        raise ValueError("expected must be >= 0 for every instance, with a positive total")
    rho = x.sum() / e.sum()
    se = np.sqrt(np.sum((x - rho * e) ** 2) / (x.size * (x.size - 1))) / e.mean()
    return float(rho), float(se)

