"""Co-occurring features: the loss when features are active independently with probability p.

Input x ∈ {0, 1}ⁿ with independent Bernoulli(p) entries (multi-hot), output y = ReLU(G x) with
G = W Wᵀ (tied weights, no hidden noise), and the loss normalised per active feature,

    L_p(W) = (1/p)·E_x ‖ReLU(G x) − x‖² + λ‖W‖₁,

so that p → 0 recovers the paper's one-hot loss Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j}ReLU(G_ij)² + λ‖W‖₁
(``theory.loss.loss``) and λ keeps its meaning (λ_code, summed-loss units; paper units λ′ = λ/4).
Writing err(S) for the squared error of the input 1_S and E_s = Σ_{|S|=s} err(S),

    L_p = Σ_{s≥1} p^{s−1}(1 − p)^{n−s} E_s + λ‖W‖₁        (err(∅) = 0, so p = 0 is allowed).

Three evaluations, each an independent route to the same number:

* ``expected_loss_exact``: the sum over all inputs, per output j over the features that touch it
  (G_ij ≠ 0), in O(n·2^s) with s the largest such support;
* ``expected_loss_pairwise``: the same sum truncated to |S| ≤ 2 (deterministic, with gradient);
* ``loss_minibatch``: unbiased Monte Carlo over sampled inputs, with its standard error.

``first_order_loss`` is the expansion L_0 + p·L_1 + O(p²) (derivation ``cooccurrence.first-order``):
the pair potential of unit-norm features becomes 2(G_ij)₊² + 2p(G_ij)₋², plus three-body terms.
The trade-off of an opposite-sign shared neuron (``shared_pair_cost``, exact in p, derivation
``cooccurrence.shared-pair``) is set against the cost of dropping a feature, and capacities follow.
Losses are dimensionless (summed squared error per active feature); λ is λ_code throughout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from . import validate
from .loss import _weights, data_gradient, gram, loss, output_error_derivative
from .single_feature import fixed_point, fixed_point_threshold
from .units import code_lambda, paper_lambda

__all__ = [
    "MinibatchEstimate",
    "SharedPairOptimum",
    "cooccurrence_capacity_bound",
    "dropped_feature_cost",
    "expected_loss_exact",
    "expected_loss_pairwise",
    "expected_loss_pairwise_gradient",
    "first_order_coefficient",
    "first_order_loss",
    "first_order_loss_gradient",
    "relu_pair_sums",
    "loss_minibatch",
    "lossless_capacity",
    "monosemantic_loss",
    "monosemantic_weight",
    "predicted_excess_loss",
    "reoptimised_shared_pair_cost",
    "reoptimised_shared_pair_cost_expansion",
    "shared_pair_cost",
    "shared_pair_loss",
    "sharing_break_even_probability",
    "tetrahedron_break_even_ratio",
    "tetrahedron_l1",
    "triangle_break_even_ratio",
]

#: Largest number of features touching one output that ``expected_loss_exact`` enumerates (2^20 inputs).
MAX_SUPPORT = 20


# ---------------------------------------------------------------------------------------------- inputs


def _matrix(W) -> np.ndarray:
    W = _weights(W)
    if W.ndim > 3:
        raise ValueError(f"W must have shape (n, m) or (instances, n, m), got shape {W.shape}")
    return W


def _probability(p, *, positive: bool = False) -> float:
    return validate.real("p", p, minimum=0.0, maximum=1.0, strict_min=positive)


def _l1(l1) -> float:
    return validate.real("l1", l1, minimum=0.0)


def _penalty(W: np.ndarray, l1: float):
    return l1 * np.sum(np.abs(W), axis=(-2, -1)) if l1 else 0.0


# ------------------------------------------------------------------------------------ exact expectation


def _output_error_sums(g: np.ndarray, j: int) -> np.ndarray:
    """E^{(j)}_k = Σ_{|S|=k, S ⊆ supp} (ReLU(Σ_{i∈S} g_i) − [j∈S])² for k = 0..s, over the support
    of column g (its nonzero entries, and j itself); the subsets are built by doubling."""
    others = [i for i in np.flatnonzero(g) if i != j]
    s = 1 + len(others)
    if s > MAX_SUPPORT:
        raise ValueError(f"expected_loss_exact enumerates at most {MAX_SUPPORT} features per output; "
                         f"output {j} is touched by {s} (W must be sparser or n <= {MAX_SUPPORT})")
    pre = np.array([0.0, g[j]])          # subsets of {j}; bit 0 of the index is x_j
    count = np.array([0, 1])
    for i in others:
        pre = np.concatenate([pre, pre + g[i]])
        count = np.concatenate([count, count + 1])
    target = np.arange(pre.size) & 1
    err = (np.maximum(pre, 0.0) - target) ** 2
    return np.bincount(count, weights=err, minlength=s + 1)


def _per_feature_expectation(sums: np.ndarray, p: float) -> float:
    """(1/p)·Σ_S P(S) err(S) = Σ_{k≥1} p^{k−1}(1 − p)^{s−k} E_k over a support of s features."""
    s = sums.size - 1
    k = np.arange(1, s + 1)
    return float(np.sum(p ** (k - 1) * (1.0 - p) ** (s - k) * sums[1:]))


def expected_loss_exact(W, p: float, *, l1: float = 0.0) -> np.ndarray:
    """L_p = (1/p)·Σ_{x∈{0,1}ⁿ} P(x)‖ReLU(Gx) − x‖² + λ‖W‖₁, exactly (shape W.shape[:-2]).

    Output j depends only on the features with G_ij ≠ 0 (and on x_j), so each output is summed
    over the 2^s subsets of its support, s ≤ 20; cost O(n·2^s) per instance. Valid at p = 0 (the
    one-hot loss, ``theory.loss.loss``) and p = 1 (the all-ones input only).

    Parameters
    ----------
    W : array, shape (n, m) or (instances, n, m)
    p : float in [0, 1], the probability that a feature is active.
    l1 : float ≥ 0, λ_code.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import expected_loss_exact
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # a ± pair on neuron 0, a lone feature on 1
    >>> float(expected_loss_exact(W, 0.0)), float(expected_loss_exact(W, 0.1))  # the pair costs Δ = 2p
    (0.0, 0.2)
    >>> float(expected_loss_exact(W, 0.1, l1=0.1))  # + λ‖W‖₁
    0.5
    """
    W = _matrix(W)
    p, l1 = _probability(p), _l1(l1)
    G = gram(W).reshape((-1,) + W.shape[-2:-1] * 2)
    data = np.array([sum(_per_feature_expectation(_output_error_sums(g[:, j], j), p) for j in range(g.shape[0]))
                     for g in G]).reshape(W.shape[:-2])
    return data + _penalty(W, l1)


# ----------------------------------------------------------------------------- |S| ≤ 2 truncation


def _pair_residuals(G: np.ndarray):
    """T[i,k,j] = G_ij + G_kj and R = ReLU(T) − δ_ij − δ_kj, shape (..., n, n, n) (input pair i, k;
    output j); the i = k slices are meaningless and masked by the callers."""
    T = G[..., :, None, :] + G[..., None, :, :]
    eye = np.eye(G.shape[-1])
    return T, np.maximum(T, 0.0) - (eye[:, None, :] + eye[None, :, :])


def _pair_weights(n: int, p: float) -> tuple[float, float]:
    """(c₁, c₂) = ((1 − p)^{n−1}, p(1 − p)^{n−2}) : the weights of one- and two-feature inputs in L_p."""
    return (1.0 - p) ** (n - 1), (p * (1.0 - p) ** (n - 2) if n >= 2 else 0.0)


def _off_diagonal_pairs(n: int) -> np.ndarray:
    return ~np.eye(n, dtype=bool)[:, :, None]


def expected_loss_pairwise(W, p: float, *, l1: float = 0.0) -> np.ndarray:
    """L_p^{(≤2)} = (1 − p)^{n−1}·E₁ + p(1 − p)^{n−2}·E₂ + λ‖W‖₁: L_p truncated to |S| ≤ 2.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    The truncated sum (1/p)Σ_{|S|≤2} P(S) err(S), not renormalised: E₁ = Σ_i err({i}) is the
    one-hot squared error and E₂ = Σ_{i<k} Σ_j (ReLU(G_ij + G_kj) − δ_ij − δ_kj)². Exact for
    n ≤ 2; otherwise below L_p by (1/p)Σ_{|S|≥3}P(S)err(S) ≥ 0, which is O(p²) (at most
    C(n,3)p²·max err). Cost O(n³) time and memory per instance; shape W.shape[:-2].

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import expected_loss_exact, expected_loss_pairwise
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> round(float(expected_loss_pairwise(W, 0.05)), 5), round(float(expected_loss_exact(W, 0.05)), 5)
    (0.34534, 0.3503)
    """
    W = _matrix(W)
    p, l1 = _probability(p), _l1(l1)
    n = W.shape[-2]
    c1, c2 = _pair_weights(n, p)
    _, R = _pair_residuals(gram(W))
    e2 = np.sum(R * R * _off_diagonal_pairs(n), axis=(-3, -2, -1)) / 2
    return c1 * loss(W) + c2 * e2 + _penalty(W, l1)


def expected_loss_pairwise_gradient(W, p: float, *, l1: float = 0.0) -> np.ndarray:
    """∂L_p^{(≤2)}/∂W = c₁·∂E₁/∂W + c₂·(F + Fᵀ)W + λ sign(W), shape of W.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    F_ab = Σ_{k≠a} 2(ReLU(T_akb) − δ_ab − δ_kb)·1[T_akb > 0] is ∂E₂/∂G_ab (T_akb = G_ab + G_kb),
    c₁, c₂ as in ``expected_loss_pairwise``, ∂E₁/∂W is ``theory.loss.data_gradient`` and
    sign(0) = 0 (the convention of ``theory.loss``).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import expected_loss_pairwise, expected_loss_pairwise_gradient
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> g = expected_loss_pairwise_gradient(W, 0.05)
    >>> E = np.zeros_like(W)
    >>> E[0, 0] = 1e-6
    >>> fd = (expected_loss_pairwise(W + E, 0.05) - expected_loss_pairwise(W - E, 0.05)) / 2e-6
    >>> round(float(g[0, 0]), 4), round(float(fd), 4)
    (-0.3762, -0.3762)
    """
    W = _matrix(W)
    p, l1 = _probability(p), _l1(l1)
    n = W.shape[-2]
    c1, c2 = _pair_weights(n, p)
    T, R = _pair_residuals(gram(W))
    F = np.sum(2 * R * (T > 0) * _off_diagonal_pairs(n), axis=-2)
    grad = c1 * data_gradient(W) + c2 * ((F + np.swapaxes(F, -1, -2)) @ W)
    if l1:
        grad += l1 * np.sign(W)
    return grad


# ---------------------------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class MinibatchEstimate:
    """Unbiased Monte Carlo estimates of L_p and ∂L_p/∂W from one minibatch.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    ``loss`` and ``standard_error`` have shape W.shape[:-2]; the standard error is that of the
    data term (the sample standard deviation of (1/p)‖ReLU(Gx) − x‖² over √batch; λ‖W‖₁ is
    exact). ``gradient`` has the shape of W (sign(0) = 0 for the penalty).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import MinibatchEstimate
    >>> est = MinibatchEstimate(loss=np.array(0.37), standard_error=np.array(0.03), gradient=np.zeros((3, 2)))
    >>> [round(float(est.loss + z * est.standard_error), 2) for z in (-2, 2)]  # a 2-SE interval
    [0.31, 0.43]
    """

    loss: np.ndarray
    standard_error: np.ndarray
    gradient: np.ndarray


def loss_minibatch(W, p: float, batch: int, *, l1: float = 0.0, rng) -> MinibatchEstimate:
    """L̂ = (1/(pB))Σ_b ‖ReLU(G x_b) − x_b‖² + λ‖W‖₁ with x_b ~ Bernoulli(p)ⁿ i.i.d., b = 1..B.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    E L̂ = L_p and E ∂L̂/∂W = ∂L_p/∂W wherever L_p is differentiable; the inputs are shared by
    all instances. ``rng`` is a ``numpy.random.Generator`` (or a seed); p ∈ (0, 1], batch ≥ 2.
    Gradient: (F + Fᵀ)W + λ sign W with F = XᵀD/(pB), D = 2(ReLU(A) − X)⊙1[A > 0], A = XG.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import expected_loss_exact, loss_minibatch
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> est = loss_minibatch(W, 0.05, 4096, rng=0)
    >>> round(float(est.loss), 3), round(float(est.standard_error), 3), est.gradient.shape
    (0.371, 0.032, (3, 2))
    >>> bool(abs(est.loss - expected_loss_exact(W, 0.05)) < 3 * est.standard_error)  # unbiased
    True
    """
    W = _matrix(W)
    p, l1 = _probability(p, positive=True), _l1(l1)
    batch = validate.integer("batch", batch, minimum=2)
    rng = np.random.default_rng(rng)
    X = (rng.random((batch, W.shape[-2])) < p).astype(W.dtype)
    A = X @ gram(W)                                  # (..., B, n); G is symmetric
    R = np.maximum(A, 0.0) - X
    err = np.sum(R * R, axis=-1) / p                 # (..., B)
    D = 2 * R * (A > 0)
    F = X.T @ D / (p * batch)                        # broadcasts over instances
    grad = (F + np.swapaxes(F, -1, -2)) @ W
    if l1:
        grad += l1 * np.sign(W)
    return MinibatchEstimate(err.mean(axis=-1) + _penalty(W, l1),
                             err.std(axis=-1, ddof=1) / math.sqrt(batch), grad)


# ------------------------------------------------------------------------------- first order in p


def _two_body(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """ψ(a, g) = (ReLU(a + g) − 1)² − (a − 1)² − g₊², a = G_ii ≥ 0: the first-order change of
    output i when feature k (overlap g = G_ik) is co-active with i."""
    return (np.maximum(a + g, 0.0) - 1) ** 2 - (a - 1) ** 2 - np.maximum(g, 0.0) ** 2


def _three_body(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """τ(u, v) = ReLU(u + v)² − u₊² − v₊²: the change of output j ∉ {i, k} (u = G_ij, v = G_kj)."""
    return np.maximum(u + v, 0.0) ** 2 - np.maximum(u, 0.0) ** 2 - np.maximum(v, 0.0) ** 2


def first_order_coefficient(W) -> np.ndarray:
    """L_1 = Σ_{i≠k} ψ(G_ii, G_ik) + Σ_j Σ_{i<k; i,k≠j} τ(G_ij, G_kj), with L_p = L_0 + pL_1 + O(p²).

    ψ (two-body, the co-active pair's own outputs) and τ (three-body, a third output) are as in
    ``first_order_loss``. Equals E₂ − (n − 1)E₁ (derivation ``cooccurrence.first-order``).
    Cost O(n³) per instance; shape W.shape[:-2].

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import first_order_coefficient
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # a ± pair: ψ(1, −1) = 1 per ordered pair
    >>> float(first_order_coefficient(W))
    2.0
    """
    G = gram(_matrix(W))
    n = G.shape[-1]
    diag = np.diagonal(G, axis1=-2, axis2=-1)
    off = ~np.eye(n, dtype=bool)
    two = np.sum(_two_body(diag[..., :, None], G) * off, axis=(-2, -1))
    tau = _three_body(G[..., :, None, :], G[..., None, :, :])       # [i, k, j]
    eye = np.eye(n, dtype=bool)
    distinct = off[:, :, None] & ~eye[:, None, :] & ~eye[None, :, :]
    three = np.sum(tau * distinct, axis=(-3, -2, -1)) / 2
    return two + three


def first_order_loss(W, p: float, *, l1: float = 0.0) -> np.ndarray:
    """L_0 + p·L_1 + λ‖W‖₁, the expansion of L_p to first order in p (error O(p²)).

    L_0 = Σ_i(1 − G_ii)² + Σ_{i≠j}(G_ij)₊² is the one-hot loss, and (``first_order_coefficient``)

        L_1 = Σ_{i≠k} ψ(G_ii, G_ik) + Σ_j Σ_{i<k; i,k≠j} τ(G_ij, G_kj),
        ψ(a, g) = (ReLU(a + g) − 1)² − (a − 1)² − g₊²,   τ(u, v) = ReLU(u + v)² − u₊² − v₊².

    For unit-norm features (G_ii = 1) and G_ij ≥ −1, ψ(1, g) = g₋², so the pair potential of
    i, k is 2(G_ik)₊² + 2p(G_ik)₋² (exact in p for n = 2); the three-body term τ is 2uv when
    both overlaps are positive, 0 when both are ≤ 0 and ReLU(u + v)² − u² ≤ 0 for u > 0 ≥ v.
    Derivation ``cooccurrence.first-order``. |L_p − first_order_loss| ≤ C p² with
    C = C(n−1, 2)E₁ + (n − 2)E₂ + C(n, 3)·Σ_j(1 + Σ_i|G_ij|)² (see the tests).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import expected_loss_exact, first_order_loss
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> [round(float(first_order_loss(W, p)), 5) for p in (0.0, 0.05)]
    [0.2709, 0.34998]
    >>> round(float(expected_loss_exact(W, 0.05)), 5)  # differs by O(p²)
    0.3503
    """
    W = _matrix(W)
    p, l1 = _probability(p), _l1(l1)
    return loss(W) + p * first_order_coefficient(W) + _penalty(W, l1)


def relu_pair_sums(G) -> np.ndarray:
    """P_ij = Σ_k ReLU(G_ij + G_kj), the three-body sums of the first-order gradient; shape of G (..., n, n).

    Through the (..., n, n, n) tensor G_ij + G_kj: O(n³) time and memory per instance. Units of G.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import relu_pair_sums
    >>> relu_pair_sums(np.array([[1.0, -0.5], [-0.5, 1.0]])).tolist()  # e.g. P_01 = ReLU(−1) + ReLU(0.5)
    [[2.5, 0.5], [0.5, 2.5]]
    """
    G = np.asarray(G, dtype=np.float64)
    U = G[..., :, None, :] + G[..., None, :, :]                        # [i, k, j] = G_ij + G_kj
    return np.maximum(U, 0.0, out=U).sum(axis=-2)


def first_order_loss_gradient(W, p: float, *, l1: float = 0.0, pair_sums=None) -> np.ndarray:
    """∂(L_0 + pL_1 + λ‖W‖₁)/∂W = ∂L_0/∂W + p(D + Dᵀ)W + λ sign W, D = ∂L_1/∂G; shape of W.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    D_ii = Σ_{k≠i}[r_ik − 2(G_ii − 1)], D_ik = r_ik − 2(G_ik)₊ with r_ik = 2(ReLU(G_ii + G_ik) − 1)·1[G_ii + G_ik > 0]
    (two-body), plus D_ij += Σ_{k∉{i,j}} 2[ReLU(G_ij + G_kj) − (G_ij)₊] (three-body). Unlike the
    truncated pairwise loss, whose one-feature weight (1 − p)^{n−1} shrinks the data term against λ
    when np is not small, the first-order objective keeps each feature's self-reconstruction at
    weight 1 (L_1 = E₂ − (n − 1)E₁): the training objective of choice for np ≲ 1. O(n³) per instance.

    ``pair_sums``, if given, computes the three-body sums P_ij = Σ_k ReLU(G_ij + G_kj) from G (shape
    (..., n, n), a float64 array) in place of the n³ numpy tensor (``relu_pair_sums``); the training code
    passes a compiled one.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import first_order_loss, first_order_loss_gradient
    >>> W = np.array([[0.9, 0.3], [-0.4, 0.8], [0.2, -0.7]])
    >>> g = first_order_loss_gradient(W, 0.05)
    >>> E = np.zeros_like(W)
    >>> E[0, 0] = 1e-6
    >>> fd = (first_order_loss(W + E, 0.05) - first_order_loss(W - E, 0.05)) / 2e-6
    >>> round(float(g[0, 0]), 4), round(float(fd), 4)
    (-0.378, -0.378)
    """
    W = _matrix(W)
    p, l1 = _probability(p), _l1(l1)
    G = gram(W)
    n = G.shape[-1]
    eye = np.eye(n, dtype=bool)
    diag = np.diagonal(G, axis1=-2, axis2=-1)
    T = diag[..., :, None] + G
    r = 2 * (np.maximum(T, 0.0) - 1) * (T > 0)
    D = np.where(eye, 0.0, r - 2 * np.maximum(G, 0.0))
    D[..., eye] = np.sum(np.where(eye, 0.0, r - 2 * (diag[..., :, None] - 1)), axis=-1)
    # three-body: Σ_k over all k of ReLU(G_ij + G_kj) − (G_ij)₊, minus the k = i term (G_ij)₊ and the k = j
    # term ReLU(G_ij + G_jj) − (G_ij)₊; nothing on the diagonal (no mask over the n³ tensor)
    S = (pair_sums or relu_pair_sums)(G)                                # Σ_k ReLU(G_ij + G_kj)
    three = S - n * np.maximum(G, 0.0) - np.maximum(G + diag[..., None, :], 0.0)
    D += 2 * np.where(eye, 0.0, three)
    D = output_error_derivative(G) + p * D                              # ∂(L_0 + pL_1)/∂G, one product below
    grad = (D + np.swapaxes(D, -1, -2)) @ W
    if l1:
        grad += l1 * np.sign(W)
    return grad


# ------------------------------------------------------------------------- shared pair vs dropping


def monosemantic_weight(l1: float) -> float:
    """w* = the largest root of w(1 − w²) = λ/4, the minimiser of (1 − w²)² + λw near 1.

    The one-feature, one-neuron loss (1/p)E[(ReLU(w²x) − x)²] + λ|w| = (1 − w²)² + λ|w| does not
    depend on p; λ = λ_code, so w* = ``theory.single_feature.fixed_point``(λ/4). Needs
    0 ≤ λ < 8/(3√3) ≈ 1.540.

    Examples
    --------
    >>> from theory.cooccurrence import monosemantic_weight
    >>> round(monosemantic_weight(0.0), 6), round(monosemantic_weight(0.1), 6)
    (1.0, 0.987257)
    """
    l1 = validate.real("l1", l1, minimum=0.0, maximum=code_lambda(fixed_point_threshold()), strict_max=True)
    return fixed_point(paper_lambda(l1))


def monosemantic_loss(l1: float) -> float:
    """ℓ*(λ) = (1 − w*²)² + λw*, the loss of one feature alone on its own neuron, for any p.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    Examples
    --------
    >>> from theory.cooccurrence import monosemantic_loss
    >>> round(monosemantic_loss(0.0), 6), round(monosemantic_loss(0.1), 6)
    (0.0, 0.099367)
    """
    w = monosemantic_weight(l1)
    return (1 - w * w) ** 2 + l1 * w


def shared_pair_cost(p, w):
    """Δ(p) = 2p[1 − (1 − w²)²]: extra loss of two features sharing a neuron with weights ±w.

    Relative to the same two features on two neurons with weight w; exact in p (the loss of the
    pair is linear in p), and additive over pairs on disjoint neurons. With w = w*(λ) this is the
    extra loss at the monosemantic optimum. Derivation ``cooccurrence.shared-pair``.
    Broadcasts over array p ∈ [0, 1] and w.

    Examples
    --------
    >>> from theory.cooccurrence import monosemantic_weight, shared_pair_cost
    >>> float(shared_pair_cost(0.1, 1.0))  # 2p at w = 1
    0.2
    >>> shared_pair_cost([0.0, 0.05, 0.1], monosemantic_weight(0.1)).round(4).tolist()
    [0.0, 0.0999, 0.1999]
    """
    p = np.asarray(p, dtype=np.float64)
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    u = np.asarray(w, dtype=np.float64) ** 2
    return 2 * p * (1 - (1 - u) ** 2)


def shared_pair_loss(a, b, p: float, *, l1: float = 0.0):
    """L_p of features i, k alone on one neuron with W_i = +a, W_k = −b (a, b ≥ 0).

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    (1 − p)[(1 − a²)² + (1 − b²)²] + p[(ReLU(a² − ab) − 1)² + (ReLU(b² − ab) − 1)²] + λ(a + b):
    one active feature is reconstructed as alone; both active give output i the pre-activation
    a(a − b). Broadcasts over a, b.

    Examples
    --------
    >>> from theory.cooccurrence import shared_pair_loss
    >>> round(float(shared_pair_loss(1.0, 1.0, 0.1)), 6)  # both active: output a(a − b) = 0 for each
    0.2
    >>> round(float(shared_pair_loss(1.0, 0.0, 0.1)), 6)  # feature k dropped: loss 1 per active input
    1.0
    """
    p, l1 = _probability(p), _l1(l1)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("a and b must be >= 0 (magnitudes; the signs are +a, -b)")
    single = (1 - a * a) ** 2 + (1 - b * b) ** 2
    both = (np.maximum(a * (a - b), 0) - 1) ** 2 + (np.maximum(b * (b - a), 0) - 1) ** 2
    return (1 - p) * single + p * both + l1 * (a + b)


@dataclass(frozen=True)
class SharedPairOptimum:
    """Minimum over a ≥ b ≥ 0 of ``shared_pair_loss`` minus 2ℓ*: ``cost``, at weights ``a``, ``b``.

    Units: ``cost`` in loss per active feature (dimensionless), ``a`` and ``b`` in weight units;
    λ = λ_code (paper λ′ = λ/4).

    ``dropped`` is True when the minimum has b = 0 (dropping feature k beats sharing).

    Examples
    --------
    >>> from theory.cooccurrence import SharedPairOptimum, shared_pair_cost
    >>> opt = SharedPairOptimum(cost=0.1942, a=1.0138, b=0.9568, dropped=False)
    >>> bool(opt.cost < shared_pair_cost(0.1, 1.0)), round(opt.a - opt.b, 4)
    (True, 0.057)
    """

    cost: float
    a: float
    b: float
    dropped: bool


def reoptimised_shared_pair_cost(p: float, l1: float) -> SharedPairOptimum:
    """min_{a ≥ b ≥ 0} [shared_pair_loss(a, b, p) − 2ℓ*(λ)], the shared pair's cost after re-optimising.

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    Below Δ(p) at w*: the symmetric point a = b has a descent direction into a > b (the larger
    weight lets output i through when both are active), so for p > 0 the optimum is unequal. The
    minimum includes the boundary b = 0, where the cost is ``dropped_feature_cost``. Numerical
    (L-BFGS-B from three starts, on the smooth piece a ≥ b, parametrised b = a·s, s ∈ [0, 1]);
    to second order it is ``reoptimised_shared_pair_cost_expansion``.

    Examples
    --------
    >>> from theory.cooccurrence import reoptimised_shared_pair_cost
    >>> opt = reoptimised_shared_pair_cost(0.1, 0.1)
    >>> round(opt.cost, 4), round(opt.a, 3), round(opt.b, 3), opt.dropped  # below Δ(0.1) ≈ 0.1999
    (0.1942, 1.014, 0.957, False)
    """
    p, l1 = _probability(p), _l1(l1)
    w = monosemantic_weight(l1)
    base = 2 * monosemantic_loss(l1)

    def f(z):
        a, s = z
        b = a * s
        return (1 - p) * ((1 - a * a) ** 2 + (1 - b * b) ** 2) + p * ((a * a * (1 - s) - 1) ** 2 + 1) + l1 * (a + b)

    best = None
    for start in ((w, 1.0), (w, 0.9), (w, 0.0)):
        res = minimize(f, start, method="L-BFGS-B", bounds=[(0.0, 2.0), (0.0, 1.0)],
                       options={"ftol": 1e-15, "gtol": 1e-12})
        if best is None or res.fun < best.fun:
            best = res
    a, s = (float(v) for v in best.x)
    return SharedPairOptimum(float(best.fun) - base, a, a * s, bool(s == 0.0))


def reoptimised_shared_pair_cost_expansion(p, l1: float):
    """Δ(p) − p²·u[(1 − 2u)² + (3 − 2u)²]/(2(3u − 1)) with u = w*², the re-optimised cost to O(p²).

    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    The weights move to a = w* + α, b = w* − β with α = p·w*(2u − 1)/(6u − 2) and
    β = p·w*(3 − 2u)/(6u − 2) (first order); at λ = 0 the saving is p²/2. Derivation
    ``cooccurrence.reoptimised-pair``. Valid while b > 0, i.e. p small.

    Examples
    --------
    >>> from theory.cooccurrence import reoptimised_shared_pair_cost_expansion
    >>> round(float(reoptimised_shared_pair_cost_expansion(0.1, 0.0)), 4)  # 2p − p²/2 at λ = 0
    0.195
    >>> round(float(reoptimised_shared_pair_cost_expansion(0.1, 0.1)), 4)
    0.1948
    """
    u = monosemantic_weight(l1) ** 2
    p = np.asarray(p, dtype=np.float64)
    return shared_pair_cost(p, math.sqrt(u)) - p * p * u * ((1 - 2 * u) ** 2 + (3 - 2 * u) ** 2) / (2 * (3 * u - 1))


def dropped_feature_cost(l1: float) -> float:
    """1 − ℓ*(λ) = 1 − (1 − w*²)² − λw*: extra loss of dropping a feature (W_k = 0, loss 1 per
    active input) instead of representing it monosemantically; independent of p.

    Positive for λ < 4·√(2/3)/3 ≈ 1.089 (there w*² = 2/3 and dropping breaks even), negative above.
    Units: loss per active feature (dimensionless, summed squared error); λ = λ_code (paper λ′ = λ/4).

    Examples
    --------
    >>> from theory.cooccurrence import dropped_feature_cost
    >>> dropped_feature_cost(0.0), round(dropped_feature_cost(0.1), 6)
    (1.0, 0.900633)
    """
    return 1.0 - monosemantic_loss(l1)


def sharing_break_even_probability(l1: float) -> float:
    """p_Δ = (1 − ℓ*)/(2[1 − (1 − w*²)²]): the p at which Δ(p) at w* equals ``dropped_feature_cost``.

    Dimensionless; λ = λ_code (paper λ′ = λ/4).

    For p > p_Δ dropping one feature of a ± pair beats sharing at fixed weights w*; p_Δ = 1/2 at
    λ = 0 and p_Δ ≤ 0 for λ ≥ 4√(2/3)/3 (dropping is then always cheaper). Re-optimising the
    weights moves the break-even up (``reoptimised_shared_pair_cost``).

    Examples
    --------
    >>> from theory.cooccurrence import sharing_break_even_probability
    >>> sharing_break_even_probability(0.0), round(sharing_break_even_probability(0.1), 4)
    (0.5, 0.4506)
    """
    u = monosemantic_weight(l1) ** 2
    return dropped_feature_cost(l1) / (2 * (1 - (1 - u) ** 2))


# ------------------------------------------------------------------------------------------ capacity


def triangle_break_even_ratio() -> float:
    """p/λ = 2(√3 − 1) ≈ 1.464: above it a 120° triangle of 3 features on 2 neurons beats a ± pair plus a
    lone feature on the same 2 neurons (first order in p, unit rows, the triangle oriented with one
    row on a neuron axis).

    Co-occurrence: the pair pays Δ ≈ 2p, the triangle 6 ordered co-active pairs × ψ(1, −1/2) = 1.5p.
    L1: the triangle's rows (1, 0), (−1/2, ±√3/2) have ‖·‖₁ sum 2 + √3, against 3 for axis-aligned rows, so
    it pays (√3 − 1)λ more; 0.5p = (√3 − 1)λ at the break-even. Dimensionless.

    Examples
    --------
    >>> from theory.cooccurrence import triangle_break_even_ratio
    >>> round(triangle_break_even_ratio(), 4)
    1.4641
    """
    return 2 * (math.sqrt(3) - 1)


def tetrahedron_l1() -> float:
    """2 + (2√6 + 4√2)/3 ≈ 5.519: the smallest ‖·‖₁ sum of the four unit rows of a regular tetrahedron in R³
    over rotations, reached with one row on a neuron axis, (0, 0, −1), the others (±√(2/3), √2/3, 1/3) and
    (0, −2√2/3, 1/3) (against 4√3 ≈ 6.93 for the cube-corner orientation). Minimality is numerical (a
    multi-start search over rotations, tests/test_capacity.py); the value is derived in
    ``cooccurrence.tetrahedron-break-even``.

    Examples
    --------
    >>> import math
    >>> from theory.cooccurrence import tetrahedron_l1
    >>> round(tetrahedron_l1(), 4), round(4 * math.sqrt(3), 4)  # against the cube-corner orientation
    (5.5186, 6.9282)
    """
    return 2 + (2 * math.sqrt(6) + 4 * math.sqrt(2)) / 3


def tetrahedron_break_even_ratio(against: str = "triangle") -> float:
    """p/λ above which a regular tetrahedron of 4 features on 3 neurons beats the other lossless packings of
    4 features on the same 3 neurons (first order in p, unit rows, L1-minimal orientations).

    Co-occurrence costs: tetrahedron 12 ordered pairs × ψ(1, −1/3) = 4p/3, a 120° triangle plus a lone
    feature 3p/2, a ± pair plus two lone features 2p. L1 norms: ``tetrahedron_l1()`` ≈ 5.519, 3 + √3, 4.
    ``against="triangle"``: 6(tetrahedron_l1 − 3 − √3) = 4√6 + 8√2 − 6 − 6√3 ≈ 4.719; ``against="pair"``:
    (3/2)(tetrahedron_l1 − 4) = √6 + 2√2 − 3 ≈ 2.278 (but the triangle already wins there, from
    ``triangle_break_even_ratio()`` ≈ 1.464). Dimensionless.

    Examples
    --------
    >>> from theory.cooccurrence import tetrahedron_break_even_ratio
    >>> round(tetrahedron_break_even_ratio(), 4), round(tetrahedron_break_even_ratio("pair"), 4)
    (4.7194, 2.2779)
    """
    validate.choice("against", against, ("triangle", "pair"))
    if against == "triangle":
        return 6 * (tetrahedron_l1() - 3 - math.sqrt(3))
    return 1.5 * (tetrahedron_l1() - 4)


def lossless_capacity(m: int, p: float) -> int:
    """Largest n with a W ∈ R^{n×m} of zero data loss: 2m at p = 0 (± pairs on each neuron), m for p > 0.

    At p = 0 the zero-loss set is G_ii = 1, G_ij ≤ 0 (i ≠ j), which holds at most 2m vectors in R^m.
    For p > 0 the input {i, k} also needs ReLU(1 + G_ik) = 1, so G_ik = 0: the rows are orthonormal.

    Examples
    --------
    >>> from theory.cooccurrence import lossless_capacity
    >>> lossless_capacity(4, 0.0), lossless_capacity(4, 0.1)
    (8, 4)
    """
    m = validate.integer("m", m, minimum=1)
    p = _probability(p)
    return 2 * m if p == 0 else m


def cooccurrence_capacity_bound(n: int, m: int, p: float) -> float:
    """p·n(n − m)/m (0 for n ≤ m): lower bound on p·L_1 for every W ∈ R^{n×m} with zero one-hot loss.

    Zero one-hot loss (L_0 = 0, possible for n ≤ 2m) means G_ii = 1 and G_ij ≤ 0, so
    ψ(1, G_ik) = G_ik², τ = 0 and L_1 = Σ_{i≠k}G_ik² = ‖G‖_F² − n ≥ (tr G)²/rank G − n
    ≥ n²/m − n (Cauchy–Schwarz on the ≤ m nonzero eigenvalues of G = WWᵀ). Equality: tight
    frames, e.g. ± pairs at n = 2m (cost exactly np) and the simplex of m + 1 vectors. The first-order
    cost of co-occurrence is therefore ≥ p·n(n − m)/m; exactly, L_p ≥ (1 − p)^{n−2} times it.

    Examples
    --------
    >>> from theory.cooccurrence import cooccurrence_capacity_bound
    >>> round(cooccurrence_capacity_bound(8, 4, 0.1), 6)  # ± pairs at n = 2m reach it: np
    0.8
    >>> cooccurrence_capacity_bound(4, 4, 0.1)
    0.0
    """
    n = validate.integer("n", n, minimum=1)
    m = validate.integer("m", m, minimum=1)
    p = _probability(p)
    return p * n * max(n - m, 0) / m


def predicted_excess_loss(k, d, p: float, l1: float):
    """k·Δ(p) + d·(1 − ℓ*(λ)): the excess loss over nℓ*(λ) of k ± shared pairs and d dropped features.

    Exact for 1-sparse solutions at the optimal weights (``shared_pair_cost``, ``dropped_feature_cost``);
    loss per active feature, as L_p (dimensionless). Broadcasts over k and d.

    Examples
    --------
    >>> from theory.cooccurrence import predicted_excess_loss
    >>> float(predicted_excess_loss(0, 0, 0.01, 0.1))
    0.0
    >>> bool(predicted_excess_loss(1, 0, 0.01, 0.1) > 0)
    True
    """
    return np.asarray(k) * shared_pair_cost(p, monosemantic_weight(l1)) + np.asarray(d) * dropped_feature_cost(l1)
