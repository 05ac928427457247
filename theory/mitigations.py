"""Predicted opposite-sign shared neurons per instance under each lever against incidental polysemanticity.

Counts are neurons per instance after training to 1-sparse encodings from N(0, 1/m) starts. The base is
the distinct-neurons collision count n(n − 1)/(4m) (``theory.collisions.expected_overlap_distinct``); each
arm scales it (the arms are trained by ``sims.studies.mitigations``).
"""

from __future__ import annotations

from . import validate
from .collisions import expected_overlap_distinct
from .survival import surviving_pairs

__all__ = ["MITIGATION_ARMS", "mitigation_count"]

#: The levers, in the order of the mitigations figure.
MITIGATION_ARMS = ("baseline", "wider", "distinct-init", "orthogonal-init", "l1-warmup", "cooccurrence", "late-kick")


def mitigation_count(arm: str, n: int, m: int, l1: float, *, kappa: float, p_over_l1: float,
                     coincidence_ratio: float) -> float:
    """Predicted opposite-sign shared neurons per instance for ``arm``.

    n(n − 1)/(4m) for ``baseline``, ``l1-warmup`` and ``late-kick`` (no lever on opposite-sign collisions);
    n(n − 1)/(16m) for ``wider`` (4m neurons); 0 for ``distinct-init`` (the idealisation that the initial
    argmax always wins); n(n − 1)/(4m)·r for ``orthogonal-init``, r = ``coincidence_ratio``, the ratio of
    initial argmax coincidences orthonormal/Gaussian (a Monte Carlo number,
    ``sims.measure.idealisations.orthonormal_coincidence_ratio``); and n(n − 1)/(4m)·exp(−κp/λ) for
    ``cooccurrence`` at p = ``p_over_l1``·λ, κ the measured survival rate (``theory.survival``).

    Examples
    --------
    >>> from theory.mitigations import mitigation_count
    >>> kw = dict(kappa=9.7, p_over_l1=0.1, coincidence_ratio=0.8)
    >>> mitigation_count("baseline", 32, 128, 0.1, **kw), mitigation_count("wider", 32, 128, 0.1, **kw)
    (1.9375, 0.484375)
    >>> round(mitigation_count("cooccurrence", 32, 128, 0.1, **kw), 4)
    0.7345
    """
    validate.choice("arm", arm, MITIGATION_ARMS)
    base = expected_overlap_distinct(n, m)
    if arm == "orthogonal-init":
        return base * coincidence_ratio
    return {"baseline": base, "l1-warmup": base, "late-kick": base, "wider": base / 4, "distinct-init": 0.0,
            "cooccurrence": float(surviving_pairs(p_over_l1 * l1, n, m, l1, kappa=kappa))}[arm]
