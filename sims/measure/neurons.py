"""Measurements of a task network's hidden neurons: which classes or known features each neuron serves.

Activations ``H`` have shape (N, m) or (instances, N, m): row b is sample b, column k is hidden neuron k,
values >= 0 (ReLU outputs, noiseless; ``sims.dynamics.task_train.TaskNetResult.hidden``). Every function is
vectorised over the leading instance axis. Scores per neuron are arranged (…, R, m): one row per class
or feature, one column per neuron.

* Class-conditional mean activation μ_ck = mean of H_bk over the samples of class c (activation units).
* A neuron's preferred rows (``preferred``): those with score >= rel × the neuron's largest score (rel = 0.5
  by default), none when that largest score is <= 0. Its *classes* are the preferred rows of μ; a neuron
  is *polysemantic* with 2 or more, *dead* when it is never active (H_bk = 0 for every sample b). A neuron
  that is active but *constant* (``constant_neurons``: e.g. W₁[:, k] = 0 under a proximal L1 step and b_k > 0)
  has equal class means, so it prefers every class and counts as polysemantic: report it apart.
* Class selectivity index (Leavitt & Morcos 2021, arXiv 2003.01262): SI = (μ_max − μ_−max)/(μ_max + μ_−max),
  μ_max the largest class mean, μ_−max the mean of the other C − 1; 0 for equal means, 1 for a neuron active
  on one class only, NaN for a dead neuron.
* Known features (``sims.data.synthetic``): the weight-based truth, loadings of neuron k's input weights
  w_k = W₁[:, k] on each feature direction e_i (|cos(w_k, e_i)| or the projection e_iᵀ w_k), and the
  activation-based view, feature-conditional means of H; both go through ``preferred`` and can be compared
  neuron by neuron (``agreement``).
"""

from __future__ import annotations

import numpy as np

from theory import validate

__all__ = [
    "agreement",
    "class_means",
    "constant_neurons",
    "dead_neurons",
    "feature_means",
    "neuron_classes",
    "polysemantic_neurons",
    "preferred",
    "selectivity_index",
    "weight_feature_loadings",
]

LOADINGS = ("cos", "projection")
CONDITIONS = ("only", "on")


def _activations(H, name: str = "activations") -> np.ndarray:
    H = np.asarray(H, dtype=np.float64)
    if H.ndim not in (2, 3) or H.shape[-2] < 1 or H.shape[-1] < 1:
        raise ValueError(f"{name} must have shape (N, m) or (instances, N, m) with N, m >= 1, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError(f"{name} must be finite")
    if np.any(H < 0):
        raise ValueError(f"{name} must be >= 0 (ReLU outputs), got a minimum of {H.min():g}")
    return H


def _rel(rel) -> float:
    return validate.real("rel", rel, minimum=0.0, maximum=1.0, strict_min=True)


def class_means(activations, labels, *, n_class: int | None = None) -> np.ndarray:
    """μ_ck = (1/N_c) Σ_{b: y_b = c} H_bk, the class-conditional mean activation (activation units).

    Parameters
    ----------
    activations : array (N, m) or (instances, N, m)
        Hidden activations H >= 0.
    labels : array (N,)
        Integer classes in [0, n_class − 1]; every class must occur.
    n_class : int, optional
        C >= 2; default max(labels) + 1.

    Returns
    -------
    array (C, m) or (instances, C, m)

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import class_means
    >>> H = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0]])
    >>> class_means(H, [0, 0, 1]).tolist()  # rows: classes; columns: neurons
    [[2.0, 0.0], [0.0, 2.0]]
    """
    H = _activations(activations)
    y = np.asarray(labels)
    if y.shape != (H.shape[-2],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be {H.shape[-2]} integer classes (one per sample), got shape {y.shape}, "
                         f"dtype {y.dtype}")
    C = int(y.max()) + 1 if n_class is None else validate.integer("n_class", n_class, minimum=2)
    if C < 2 or y.min() < 0 or y.max() >= C:
        raise ValueError(f"labels must lie in [0, n_class − 1] with n_class >= 2, got values in "
                         f"[{y.min()}, {y.max()}] and n_class = {C}")
    counts = np.bincount(y, minlength=C)
    if np.any(counts == 0):
        raise ValueError(f"labels must contain every class 0..{C - 1}; missing {np.flatnonzero(counts == 0).tolist()}")
    onehot = (y[None, :] == np.arange(C)[:, None]).astype(np.float64)
    return np.matmul(onehot, H) / counts[:, None]


def dead_neurons(activations) -> np.ndarray:
    """Neurons never active on the data: H_bk = 0 for every sample b (bool, shape (m,) or (instances, m)).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import dead_neurons
    >>> dead_neurons(np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 1e-9]])).tolist()
    [True, False, False]
    """
    return ~np.any(_activations(activations) > 0, axis=-2)


def constant_neurons(activations, *, atol: float = 0.0) -> np.ndarray:
    """Active neurons whose activation does not vary over the data: max_b H_bk − min_b H_bk <= atol and
    max_b H_bk > 0 (bool, shape (m,) or (instances, m); atol in activation units).

    Such a neuron (zero input weights and a positive bias, say) carries no information about the input,
    yet prefers every class (``preferred``) and has SI = 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import constant_neurons
    >>> constant_neurons(np.array([[0.0, 0.3, 1.0], [0.0, 0.3, 2.0]])).tolist()  # dead, constant, varying
    [False, True, False]
    """
    H = _activations(activations)
    atol = validate.real("atol", atol, minimum=0.0)
    top = H.max(axis=-2)
    return (top - H.min(axis=-2) <= atol) & (top > 0)


def preferred(scores, *, rel: float = 0.5) -> np.ndarray:
    """Each neuron's preferred rows: score_rk >= rel · max_r score_rk, and max_r score_rk > 0 (bool, shape of scores).

    ``scores`` has shape (R, m) or (instances, R, m): rows are classes or features, columns neurons.
    A neuron whose largest score is <= 0 (dead, or only negative loadings) prefers nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import preferred
    >>> means = np.array([[1.0, 1.0, 0.0], [0.6, 0.2, 0.0], [0.0, 0.0, 0.0]])  # 3 classes × 3 neurons
    >>> preferred(means, rel=0.5).T.astype(int).tolist()  # neuron 0: classes 0 and 1; neuron 2: none (dead)
    [[1, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    rel = _rel(rel)
    S = np.asarray(scores, dtype=np.float64)
    if S.ndim not in (2, 3) or S.shape[-2] < 1 or S.shape[-1] < 1:
        raise ValueError(f"scores must have shape (R, m) or (instances, R, m) with R, m >= 1, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("scores must be finite")
    top = S.max(axis=-2, keepdims=True)
    return (S >= rel * top) & (top > 0)


def neuron_classes(activations, labels, *, n_class: int | None = None, rel: float = 0.5) -> np.ndarray:
    """Each neuron's classes: μ_ck >= rel · max_c μ_ck (``class_means`` then ``preferred``), bool (…, C, m).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import neuron_classes, polysemantic_neurons
    >>> H = np.array([[1.0, 0.0], [0.8, 0.1], [0.0, 1.0]])  # neuron 0 fires for classes 0 and 1
    >>> classes = neuron_classes(H, [0, 1, 2])
    >>> classes.sum(axis=-2).tolist(), polysemantic_neurons(classes).tolist()
    ([2, 1], [True, False])
    """
    return preferred(class_means(activations, labels, n_class=n_class), rel=rel)


def polysemantic_neurons(preferences) -> np.ndarray:
    """Neurons with 2 or more preferred rows (classes or features): bool (m,) or (instances, m).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import polysemantic_neurons
    >>> polysemantic_neurons(np.array([[True, True, False], [True, False, False]])).tolist()
    [True, False, False]
    """
    P = np.asarray(preferences)
    if P.dtype != bool or P.ndim not in (2, 3):
        raise ValueError(f"preferences must be a boolean array (R, m) or (instances, R, m), got dtype {P.dtype}, "
                         f"shape {P.shape}")
    return P.sum(axis=-2) >= 2


def selectivity_index(means) -> np.ndarray:
    """SI = (μ_max − μ_−max)/(μ_max + μ_−max) per neuron (Leavitt & Morcos 2021; dimensionless, in [0, 1]).

    μ_max = max_c μ_ck, μ_−max = the mean of the other C − 1 class means. NaN for a dead neuron (all μ = 0).

    Parameters
    ----------
    means : array (C, m) or (instances, C, m)
        Class-conditional mean activations >= 0 (``class_means``), C >= 2.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import selectivity_index
    >>> means = np.array([[2.0, 1.0, 3.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    >>> selectivity_index(means).round(4).tolist()  # one class only; equal; (3 − 0.5)/(3 + 0.5); dead
    [1.0, 0.0, 0.7143, nan]
    """
    mu = _activations(means, "means")
    C = mu.shape[-2]
    if C < 2:
        raise ValueError(f"means must have C >= 2 class rows, got shape {mu.shape}")
    top = mu.max(axis=-2)
    rest = (mu.sum(axis=-2) - top) / (C - 1)
    with np.errstate(invalid="ignore"):
        return np.where(top > 0, (top - rest) / np.where(top > 0, top + rest, 1.0), np.nan)


def weight_feature_loadings(W1, directions, *, kind: str = "cos") -> np.ndarray:
    """Loading of neuron k's input weights w_k = W₁[:, k] on feature direction e_i: (…, k_features, m).

    ``kind="cos"``: |cos(w_k, e_i)| = |e_iᵀ w_k| / (‖e_i‖ ‖w_k‖) ∈ [0, 1] (0 for a zero column w_k);
    ``kind="projection"``: e_iᵀ w_k / ‖e_i‖, signed (the neuron's input per unit of feature i; only positive
    values excite it, so ``preferred`` never selects a negative one). The weight-based truth of which
    features a neuron reads, to pass to ``preferred``.

    Parameters
    ----------
    W1 : array (d, m) or (instances, d, m)
        First-layer weights (columns = neurons).
    directions : array (d, k_features)
        Feature directions e_i as columns (``sims.data.synthetic.SyntheticTask.directions``), nonzero.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import preferred, weight_feature_loadings
    >>> E = np.eye(3)[:, :2]                       # two features along the first two axes of R^3
    >>> W1 = np.array([[1.0, 0.0, 0.0], [1.0, -2.0, 0.0], [0.0, 0.0, 0.0]])  # d × m, neuron 2 is zero
    >>> weight_feature_loadings(W1, E).round(4).tolist()
    [[0.7071, 0.0, 0.0], [0.7071, 1.0, 0.0]]
    >>> weight_feature_loadings(W1, E, kind="projection").tolist()
    [[1.0, 0.0, 0.0], [1.0, -2.0, 0.0]]
    >>> preferred(weight_feature_loadings(W1, E, kind="projection")).T.astype(int).tolist()
    [[1, 1], [0, 0], [0, 0]]
    """
    validate.choice("kind", kind, LOADINGS)
    W = np.asarray(W1, dtype=np.float64)
    E = np.asarray(directions, dtype=np.float64)
    if W.ndim not in (2, 3):
        raise ValueError(f"W1 must have shape (d, m) or (instances, d, m), got shape {W.shape}")
    if E.ndim != 2 or E.shape[0] != W.shape[-2]:
        raise ValueError(f"directions must have shape (d, k) with d = {W.shape[-2]} (W1's rows), got shape {E.shape}")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(E))):
        raise ValueError("W1 and directions must be finite")
    norms = np.linalg.norm(E, axis=0)
    if np.any(norms == 0):
        raise ValueError("directions must have nonzero columns")
    P = np.matmul((E / norms).T, W)
    if kind == "projection":
        return P
    wn = np.linalg.norm(W, axis=-2, keepdims=True)
    return np.abs(P) / np.where(wn > 0, wn, 1.0)


def feature_means(activations, features, *, condition: str = "only") -> np.ndarray:
    """Feature-conditional mean activation: mean of H_bk over the samples b where feature i is on, (…, k, m).

    ``condition="only"``: samples where feature i is the only feature on (s_i > 0, s_j = 0 for j ≠ i), the
    activation-based counterpart of the weight loadings free of co-active features; ``"on"``: every sample
    with s_i > 0. Activation units.

    Parameters
    ----------
    activations : array (N, m) or (instances, N, m)
    features : array (N, k)
        Feature intensities s >= 0 (``sims.data.synthetic.SyntheticTask.features_train``); every feature
        must meet the condition in at least one sample.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import feature_means
    >>> s = np.array([[0.5, 0.0], [1.0, 0.0], [0.0, 0.7], [0.3, 0.4]])
    >>> H = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [9.0, 9.0]])
    >>> feature_means(H, s).tolist(), feature_means(H, s, condition="on")[:, 0].tolist()
    ([[2.0, 0.0], [0.0, 2.0]], [4.333333333333333, 4.5])
    """
    validate.choice("condition", condition, CONDITIONS)
    H = _activations(activations)
    S = np.asarray(features, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != H.shape[-2]:
        raise ValueError(f"features must have shape (N, k) with N = {H.shape[-2]} (one row per sample), "
                         f"got shape {S.shape}")
    on = S > 0
    if condition == "only":
        on &= on.sum(axis=1, keepdims=True) == 1
    counts = on.sum(axis=0)
    if np.any(counts == 0):
        raise ValueError(f"features must meet condition {condition!r} in at least one sample for every feature; "
                         f"none for features {np.flatnonzero(counts == 0).tolist()}")
    return np.matmul(on.T.astype(np.float64), H) / counts[:, None]


def agreement(a, b) -> np.ndarray:
    """Jaccard index |A_k ∩ B_k| / |A_k ∪ B_k| of two preference sets per neuron (e.g. weight- vs
    activation-based features): 1 for identical sets, NaN where both are empty. Shape (m,) or (instances, m).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.neurons import agreement
    >>> a = np.array([[True, True, False], [False, True, False]])
    >>> b = np.array([[True, False, False], [False, True, False]])
    >>> agreement(a, b).tolist()
    [1.0, 0.5, nan]
    """
    A, B = np.asarray(a), np.asarray(b)
    if A.dtype != bool or B.dtype != bool or A.shape != B.shape or A.ndim not in (2, 3):
        raise ValueError(f"a and b must be boolean arrays of one shape (R, m) or (instances, R, m), got "
                         f"{A.dtype} {A.shape} and {B.dtype} {B.shape}")
    inter = (A & B).sum(axis=-2)
    union = (A | B).sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), np.nan)
