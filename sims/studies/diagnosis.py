"""How often trained solutions are one move from a strictly better one, under co-occurrence p.

Each point trains models with co-occurrence p from N(0, 1/m) (proximal GD, lr 0.1, λt = 20, on
L_0 + pL_1: ``sims.dynamics.cooccurrence``) and reads each trained W with ``sims.measure.diagnosis``.
Counts are neurons; losses per active feature, as L_p.
"""

from __future__ import annotations

import numpy as np

from theory import ModelSpec

from ..dynamics.cooccurrence import Cooccurrence, flow_time_config, train_cooccurrence
from ..measure.diagnosis import diagnose, repair

__all__ = ["diagnosis_point"]


def diagnosis_point(*, rng, p: float, n: int, m: int, l1: float, instances: int, init_seed: int) -> dict:
    """Per instance: "better" (``repair`` lowered L_p by more than round-off: a single move strictly lowers it,
    same-sign neurons aside, which repair leaves alone), "incidental", "necessary", "same_sign"
    (neurons so labelled) and "saving" (L_p before − after ``repair``). Every p starts from the same weights
    (seeded by ``init_seed``; ``rng`` unused), so the comparison across p is paired.

    Code units: λ = ``l1`` on the summed loss; proximal GD, lr 0.1, for gradient-flow time λt = 20.

    Examples
    --------
    >>> from sims.studies.diagnosis import diagnosis_point
    >>> out = diagnosis_point(rng=None, p=0.01, n=4, m=8, l1=0.1, instances=2, init_seed=3)
    >>> out["incidental"], out["better"], [round(x, 4) for x in out["saving"]]
    ([0, 1], [False, True], [0.0, 0.0199])
    """
    gen = np.random.default_rng(init_seed)
    W = train_cooccurrence(ModelSpec(n=n, m=m, l1=l1), flow_time_config(l1, instances), Cooccurrence(p=p),
                           rng=gen, metrics=lambda W, s: {}).W
    out = {k: [] for k in ("better", "incidental", "necessary", "same_sign", "saving")}
    for Wi in W:
        labels = [d.label for d in diagnose(Wi, l1=l1, p=p)]
        for key, label in (("incidental", "incidental"), ("necessary", "necessary"), ("same_sign", "same-sign")):
            out[key].append(labels.count(label))
        # repair re-diagnoses W; with no incidental neuron it would make no move (saving 0, not improved)
        fixed = repair(Wi, l1=l1, p=p) if "incidental" in labels else None
        out["better"].append(fixed is not None and fixed.improved)
        out["saving"].append(fixed.saving if fixed is not None else 0.0)
    return out
