"""Geometry of trained solutions read off the weights: the simplex each feature sits in and whether a
polysemantic neuron's sharing is incidental (a free neuron exists) or necessary (capacity forces it).

Structures come from the basis-free per-feature dimensionality D_i of Toy Models of Superposition
(``feature_dimensionality``): D = 1 alone, 1/2 in an antipodal pair, 2/3 in a 120° triangle, 3/4 in a
tetrahedron, 0 dropped. Fractions are of features, counts of neurons, per instance.
"""

from __future__ import annotations

import numpy as np

from .metrics import dominant_polysemantic_count, feature_dimensionality

__all__ = ["STRUCTURES", "incidental_split", "structure_fractions"]

#: Structure name → the per-feature dimensionality of its regular simplex.
STRUCTURES = {"dropped": 0.0, "pair": 1 / 2, "triangle": 2 / 3, "tetrahedron": 3 / 4, "alone": 1.0}


TOLERANCE = 0.04  # |D − value| for a feature to count as that structure; otherwise "other"


def structure_fractions(W) -> dict[str, np.ndarray]:
    """Fraction of features per structure (``STRUCTURES`` within ``TOLERANCE``, else "other"), per instance.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.structures import structure_fractions
    >>> W = np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0], [0, 0, 0]])  # a ± pair, a lone and a dropped feature
    >>> {key: float(v) for key, v in structure_fractions(W).items()}
    {'dropped': 0.25, 'pair': 0.5, 'triangle': 0.0, 'tetrahedron': 0.0, 'alone': 0.25, 'other': 0.0}
    """
    D = feature_dimensionality(W)
    out, matched = {}, np.zeros(D.shape, dtype=bool)
    for name, value in STRUCTURES.items():
        hit = np.abs(D - value) <= TOLERANCE
        out[name] = hit.mean(axis=-1)
        matched |= hit
    out["other"] = (~matched).mean(axis=-1)
    return out


def incidental_split(W, *, tol: float = 1e-3) -> dict[str, np.ndarray]:
    """Polysemantic neurons split by whether a free neuron could take one of their features.

    ``polysemantic``: neurons dominant for ≥ 2 features; ``free``: neurons with no weight above
    ``tol``; ``incidental`` = min(polysemantic, free) (each could hand a feature to its own free
    neuron); ``necessary`` = the rest (forced by capacity: no free neuron is left). Per instance.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.structures import incidental_split
    >>> W = np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0], [0, 0, 0]])  # neuron 2 is free
    >>> {key: int(v) for key, v in incidental_split(W).items()}
    {'polysemantic': 1, 'free': 1, 'incidental': 1, 'necessary': 0}
    >>> {key: int(v) for key, v in incidental_split(W[:, :2]).items()}  # no free neuron
    {'polysemantic': 1, 'free': 0, 'incidental': 0, 'necessary': 1}
    """
    W = np.asarray(W)
    poly = dominant_polysemantic_count(W)["polysemantic"]
    free = np.count_nonzero(np.abs(W).max(axis=-2) <= tol, axis=-1)
    incidental = np.minimum(poly, free)
    return {"polysemantic": poly, "free": free, "incidental": incidental, "necessary": poly - incidental}

