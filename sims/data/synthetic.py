"""A synthetic classification task with known features: sparse features embedded in R^d, label = strongest.

Draw (one sample): k features s_i = a_i u_i with a_i ~ Bernoulli(p) ("on") and u_i ~ U[0, 1] (its
intensity), independently; samples with no feature on are drawn again, so every sample has at least one.
The input is x = E s ∈ R^d, with E ∈ R^{d×k} a fixed matrix of unit columns (column i = feature i's
direction e_i, drawn N(0, I_d) and normalised). The label is the class of the strongest feature,

    y = c(argmax_i s_i),    c(i) = i mod C,

so with C = k (the default) the label *is* the strongest feature, and as p → 0 the task becomes the
one-hot inputs of Lecomte et al. (x = u e_i, y = i). Why this target: it is a C-way classification
(the same softmax cross-entropy as the digits) that every feature enters: to label a sample whose only
active feature is i, the network must detect e_i, for every i; and since features of one class share a
label (C < k), a neuron may serve several features of one class (polysemantic in features, monosemantic
in classes) or of several classes, and the two can be told apart because E and s are returned.

Units: s and x are dimensionless intensities (|x| <= Σ_i s_i <= k); ties in argmax have probability 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import validate

from ._task import TaskData, _frozen

__all__ = ["SyntheticTask", "synthetic_task"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SyntheticTask(TaskData):
    """``TaskData`` of ``synthetic_task`` plus the truth: features s, directions E and the feature→class map.

    Parameters
    ----------
    directions : array (d, k)
        E: column i is feature i's unit direction e_i in input space (x = E s).
    features_train, features_test : array (N_train, k), (N_test, k)
        The feature intensities s ∈ [0, 1]^k of every sample (x = s Eᵀ row by row).
    feature_class : array (k,)
        c(i) = i mod C, the class a sample gets when feature i is its strongest.
    p : float
        Probability that a feature is on (before the redraw of all-off samples).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data.synthetic import synthetic_task
    >>> task = synthetic_task(n_features=3, d=5, p=0.3, samples=8, rng=0)
    >>> task.directions.shape, task.features_train.shape, task.feature_class.tolist()
    ((5, 3), (6, 3), [0, 1, 2])
    >>> bool(np.allclose(task.features_train @ task.directions.T, task.X_train))
    True
    """

    directions: np.ndarray
    features_train: np.ndarray
    features_test: np.ndarray
    feature_class: np.ndarray
    p: float

    def __post_init__(self):
        super().__post_init__()
        E = _frozen("directions", self.directions, ndim=2, dtype=np.float64)
        if E.shape[0] != self.input_dim:
            raise ValueError(f"directions must have d = {self.input_dim} rows, got shape {E.shape}")
        k = E.shape[1]
        object.__setattr__(self, "directions", E)
        for part in ("train", "test"):
            S = _frozen(f"features_{part}", getattr(self, f"features_{part}"), ndim=2, dtype=np.float64)
            if S.shape != (getattr(self, f"X_{part}").shape[0], k):
                raise ValueError(f"features_{part} must have shape (N_{part}, k) = "
                                 f"({getattr(self, f'X_{part}').shape[0]}, {k}), got {S.shape}")
            object.__setattr__(self, f"features_{part}", S)
        c = _frozen("feature_class", self.feature_class, ndim=1, dtype=np.int64)
        if c.shape != (k,) or c.min() < 0 or c.max() >= self.n_class:
            raise ValueError(f"feature_class must hold k = {k} classes in [0, {self.n_class - 1}], got {c.tolist()}")
        object.__setattr__(self, "feature_class", c)
        object.__setattr__(self, "p", validate.real("p", self.p, minimum=0.0, maximum=1.0, strict_min=True))

    @property
    def n_features(self) -> int:
        """Number of known features k."""
        return self.directions.shape[1]


def _features(k: int, p: float, count: int, gen: np.random.Generator) -> np.ndarray:
    """``count`` rows s ∈ [0, 1]^k, each feature on w.p. p with intensity U[0, 1], all-off rows redrawn."""
    S = np.empty((count, k))
    todo = np.arange(count)
    while todo.size:
        on = gen.random((todo.size, k)) < p
        S[todo] = on * gen.random((todo.size, k))
        todo = todo[~on.any(axis=1)]
    return S


def synthetic_task(*, n_features: int, d: int, p: float, samples: int, n_class: int | None = None,
                   test_fraction: float = 0.25, rng) -> SyntheticTask:
    """Sparse known features in R^d: x = E s, s_i ~ Bernoulli(p)·U[0, 1], y = (argmax_i s_i) mod C.

    See the module docstring for the design. The test samples are drawn after, and independently of,
    the training samples (the same law).

    Parameters
    ----------
    n_features : int
        k >= 2 known features.
    d : int
        Input dimension >= 1 (d < k puts the features in superposition in the input: E cannot be orthogonal).
    p : float
        Probability in (0, 1] that each feature is on; samples with none on are redrawn (expected share of
        redraws (1 − p)^k).
    samples : int
        Total number of samples N >= 2, split into ⌈N·test_fraction⌉ test and the rest training samples.
    n_class : int, optional
        C in [2, k]; default k (the label is the strongest feature).
    test_fraction : float
        In (0, 1); both sides must get at least one sample.
    rng : Generator, SeedSequence or int
        Source of E and of the samples (``theory.validate.generator``). Same seed, same task.

    Returns
    -------
    SyntheticTask

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data.synthetic import synthetic_task
    >>> task = synthetic_task(n_features=6, d=4, p=0.2, samples=400, n_class=3, rng=0)
    >>> task.X_train.shape, task.X_test.shape, task.n_class, task.feature_class.tolist()
    ((300, 4), (100, 4), 3, [0, 1, 2, 0, 1, 2])
    >>> np.linalg.norm(task.directions, axis=0).round(12).tolist()  # unit directions
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    >>> s = task.features_train
    >>> bool((s.max(axis=1) > 0).all() and (task.feature_class[s.argmax(axis=1)] == task.y_train).all())
    True
    """
    k = validate.integer("n_features", n_features, minimum=2)
    d = validate.integer("d", d, minimum=1)
    p = validate.real("p", p, minimum=0.0, maximum=1.0, strict_min=True)
    samples = validate.integer("samples", samples, minimum=2)
    C = k if n_class is None else validate.integer("n_class", n_class, minimum=2)
    if C > k:
        raise ValueError(f"n_class must be an integer in [2, n_features = {k}], got {n_class!r}")
    test_fraction = validate.real("test_fraction", test_fraction, minimum=0.0, maximum=1.0,
                                  strict_min=True, strict_max=True)
    n_test = math.ceil(samples * test_fraction)
    if not 1 <= n_test <= samples - 1:
        raise ValueError(f"test_fraction must leave at least one of samples = {samples} on each side, "
                         f"got {test_fraction!r}")
    gen = validate.generator(rng)
    E = gen.standard_normal((d, k))
    E /= np.linalg.norm(E, axis=0)
    S_train = _features(k, p, samples - n_test, gen)
    S_test = _features(k, p, n_test, gen)
    classes = np.arange(k) % C
    return SyntheticTask(
        X_train=S_train @ E.T, y_train=classes[S_train.argmax(axis=1)],
        X_test=S_test @ E.T, y_test=classes[S_test.argmax(axis=1)], n_class=C,
        description=f"synthetic: k={k} features on w.p. p={p:g} with U[0,1] intensity (all-off redrawn), "
                    f"unit directions in R^{d}; label = strongest feature mod {C}; {samples} samples, "
                    f"test_fraction={test_fraction:g}",
        directions=E, features_train=S_train, features_test=S_test, feature_class=classes, p=p)
