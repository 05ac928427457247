"""Co-occurring features: three evaluations of L_p agree, the first-order expansion is
O(p²)-accurate, the shared-pair cost is exact and additive, p → 0 is the one-hot model, and the
capacity statements hold on constructed weights. References are written out here independently
(explicit enumeration with itertools), never taken from theory.cooccurrence itself."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from derivations import cooccurrence as dco
from derivations._core import REGISTRY
from theory import loss, loss_gradient
from theory.cooccurrence import (
    cooccurrence_capacity_bound,
    dropped_feature_cost,
    expected_loss_exact,
    expected_loss_pairwise,
    expected_loss_pairwise_gradient,
    first_order_coefficient,
    first_order_loss,
    loss_minibatch,
    lossless_capacity,
    monosemantic_loss,
    monosemantic_weight,
    reoptimised_shared_pair_cost,
    reoptimised_shared_pair_cost_expansion,
    shared_pair_cost,
    shared_pair_loss,
    sharing_break_even_probability,
)

from .strategies import central_differences, l1, seeds, small_m

probabilities = st.floats(min_value=0.0, max_value=1.0)
small_n = st.integers(min_value=1, max_value=5)


def random_weights(seed, shape, scale=0.6):
    return np.random.default_rng(seed).normal(0.0, scale, size=shape)


def input_errors(W):
    """{S: ‖ReLU(G 1_S) − 1_S‖²} over all subsets S of the n features, by explicit forward passes."""
    n = W.shape[0]
    out = {}
    for x in itertools.product((0, 1), repeat=n):
        x = np.array(x, dtype=float)
        y = np.maximum(W @ (W.T @ x), 0.0)
        out[tuple(np.flatnonzero(x))] = float(np.sum((y - x) ** 2))
    return out


def naive_expected_loss(W, p, lam=0.0, max_active=None):
    """(1/p)·Σ_{|S| ≤ max_active} p^|S|(1 − p)^{n−|S|} err(S) + λ‖W‖₁, with p^|S|/p written as p^{|S|−1}."""
    n = W.shape[0]
    total = sum(p ** (len(S) - 1) * (1 - p) ** (n - len(S)) * e for S, e in input_errors(W).items()
                if S and (max_active is None or len(S) <= max_active))
    return total + lam * np.abs(W).sum()


def error_sums(W):
    """E_s = Σ_{|S|=s} err(S), s = 0..n."""
    E = np.zeros(W.shape[0] + 1)
    for S, e in input_errors(W).items():
        E[len(S)] += e
    return E


def shared_and_monosemantic(weights, r, w_mono=1.0):
    """k ± pairs (weights w_1..w_k) on k neurons plus r monosemantic features on r more neurons,
    and the same 2k + r features each on its own neuron."""
    k = len(weights)
    n = 2 * k + r
    shared = np.zeros((n, k + r))
    mono = np.zeros((n, n))
    for q, w in enumerate(weights):
        shared[2 * q, q], shared[2 * q + 1, q] = w, -w
        mono[2 * q, 2 * q], mono[2 * q + 1, 2 * q + 1] = w, w
    for q in range(r):
        shared[2 * k + q, k + q] = w_mono
        mono[2 * k + q, 2 * k + q] = w_mono
    return shared, mono


# ------------------------------------------------------------------------- three evaluations agree


@given(seed=seeds, n=small_n, m=small_m, p=probabilities, lam=l1)
def test_exact_equals_explicit_enumeration(seed, n, m, p, lam):
    W = random_weights(seed, (n, m))
    assert expected_loss_exact(W, p, l1=lam) == pytest.approx(naive_expected_loss(W, p, lam), rel=1e-12, abs=1e-13)


@given(seed=seeds, n=small_n, m=small_m, p=probabilities, lam=l1)
def test_pairwise_is_the_truncated_sum(seed, n, m, p, lam):
    W = random_weights(seed, (n, m))
    truncated = naive_expected_loss(W, p, lam, max_active=2)
    assert expected_loss_pairwise(W, p, l1=lam) == pytest.approx(truncated, rel=1e-12, abs=1e-13)


@given(seed=seeds, n=st.integers(1, 2), m=small_m, p=probabilities, lam=l1)
def test_pairwise_equals_exact_for_at_most_two_features(seed, n, m, p, lam):
    """Both are exact when n ≤ 2: agreement to rounding."""
    W = random_weights(seed, (n, m))
    assert expected_loss_pairwise(W, p, l1=lam) == pytest.approx(expected_loss_exact(W, p, l1=lam), rel=1e-13, abs=1e-14)


@given(seed=seeds, n=st.integers(3, 5), m=small_m, p=probabilities)
def test_pairwise_truncation_is_nonnegative_and_order_p_squared(seed, n, m, p):
    """0 ≤ L_p − L_p^{(≤2)} = (1/p)Σ_{|S|≥3}P(S)err(S) ≤ C(n,3)p²·max_S err(S) (union bound on 3 actives)."""
    W = random_weights(seed, (n, m))
    gap = expected_loss_exact(W, p) - expected_loss_pairwise(W, p)
    assert -1e-12 <= gap <= math.comb(n, 3) * p * p * max(input_errors(W).values()) + 1e-12


def test_monte_carlo_agrees_with_exact():
    """|L̂ − L_p| ≤ 5 SE for 8 (W, p) cases, B = 20000 each. Per case the false-failure chance is
    P(|Z| > 5) ≈ 5.7e-7 (normal approximation; the errors are bounded, B large), ≤ 5e-6 in all;
    seeds are fixed, so the outcome is deterministic."""
    rng = np.random.default_rng(20240808)
    for case, p in enumerate((0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.05, 0.2)):
        W = random_weights(case, (5, 4), scale=0.7)
        est = loss_minibatch(W, p, 20000, l1=0.05, rng=rng)
        exact = expected_loss_exact(W, p, l1=0.05)
        assert est.standard_error > 0
        assert abs(est.loss - exact) <= 5 * est.standard_error, (case, est.loss, exact, est.standard_error)


def test_monte_carlo_gradient_is_unbiased():
    """Mean of 400 minibatch gradients (B = 100) against the exact gradient at n = 2 (where the
    pairwise evaluation is exact): every entry within 5 SE of the mean (SE from the 400 replicates).
    8 entries × P(|Z| > 5) ≈ 4.6e-6 false-failure chance (normal approximation, 400 replicates)."""
    W = np.array([[0.9, 0.3, -0.2, 0.1], [-0.6, 0.5, 0.4, -0.3]])
    p, lam = 0.35, 0.02
    rng = np.random.default_rng(7)
    grads = np.stack([loss_minibatch(W, p, 100, l1=lam, rng=rng).gradient for _ in range(400)])
    mean, se = grads.mean(axis=0), grads.std(axis=0, ddof=1) / math.sqrt(len(grads))
    exact = expected_loss_pairwise_gradient(W, p, l1=lam)
    assert np.all(se > 0)
    assert np.all(np.abs(mean - exact) <= 5 * se), (mean, exact, se)


def test_monte_carlo_at_p_one_is_the_all_ones_input():
    W = random_weights(4, (4, 3))
    est = loss_minibatch(W, 1.0, 10, rng=0)
    assert est.standard_error == 0.0
    assert est.loss == pytest.approx(expected_loss_exact(W, 1.0), rel=1e-13)


@given(seed=seeds, n=st.integers(2, 4), m=st.integers(1, 4), p=st.floats(0.0, 1.0), lam=l1)
def test_pairwise_gradient_matches_central_differences(seed, n, m, p, lam):
    W = random_weights(seed, (n, m))
    G = W @ W.T
    T = G[:, None, :] + G[None, :, :]
    # skip the measure-zero neighbourhoods of the kinks (|W_ik| ≈ 0 for ℓ1, G_ij + G_kj ≈ 0 for the ReLU)
    assume(np.min(np.abs(W)) > 1e-3 and np.min(np.abs(T)) > 1e-3)
    fd = central_differences(lambda V: expected_loss_pairwise(V, p, l1=lam), W, 1e-6)
    # truncation O(h²|L'''|) + rounding O(ε|L|/h)
    np.testing.assert_allclose(expected_loss_pairwise_gradient(W, p, l1=lam), fd, atol=1e-6 * (1 + np.abs(fd).max()), rtol=0)


def test_instances_axis_equals_per_instance():
    W = random_weights(11, (3, 4, 3))
    p, lam = 0.3, 0.1
    for f in (expected_loss_exact, expected_loss_pairwise, first_order_loss):
        np.testing.assert_allclose(f(W, p, l1=lam), [f(w, p, l1=lam) for w in W], rtol=1e-13)
    g = expected_loss_pairwise_gradient(W, p, l1=lam)
    for k in range(3):
        np.testing.assert_allclose(g[k], expected_loss_pairwise_gradient(W[k], p, l1=lam), rtol=1e-13)
    est = loss_minibatch(W, p, 50, l1=lam, rng=3)        # the inputs are shared by the instances
    for k in range(3):
        one = loss_minibatch(W[k], p, 50, l1=lam, rng=3)
        assert est.loss[k] == pytest.approx(one.loss, rel=1e-13)
        np.testing.assert_allclose(est.gradient[k], one.gradient, rtol=1e-12, atol=1e-14)


def test_exact_enumerates_per_output_support():
    """30 features in 12 disjoint blocks: each output is touched by ≤ 3 features, so n = 30 > 20 is exact,
    and the loss is the sum of the blocks' losses; a dense W with n = 21 is refused."""
    rng = np.random.default_rng(5)
    blocks = [rng.normal(0, 0.7, (3, 2)) if b < 6 else rng.normal(0, 0.7, (2, 2)) for b in range(12)]
    n, m = sum(B.shape[0] for B in blocks), sum(B.shape[1] for B in blocks)
    W = np.zeros((n, m))
    r = c = 0
    for B in blocks:
        W[r:r + B.shape[0], c:c + B.shape[1]] = B
        r, c = r + B.shape[0], c + B.shape[1]
    p = 0.4
    assert expected_loss_exact(W, p) == pytest.approx(sum(naive_expected_loss(B, p) for B in blocks), rel=1e-12)
    with pytest.raises(ValueError, match="at most 20 features"):
        expected_loss_exact(np.ones((21, 2)), p)


# ----------------------------------------------------------------------------- first order in p


@given(seed=seeds, n=small_n, m=small_m, p=probabilities, lam=l1)
def test_first_order_error_is_bounded_by_C_p_squared(seed, n, m, p, lam):
    """|L_p − (L_0 + pL_1)| ≤ C p², C = C(n−1,2)E₁ + (n−2)₊E₂ + C(n,3)·Σ_j(1 + Σ_i|G_ij|)²
    (from L_p = Σ_s p^{s−1}(1−p)^{n−s}E_s: Taylor bounds on the s = 1, 2 weights, the union bound
    P(|S| ≥ 3) ≤ C(n,3)p³ and err(S) ≤ Σ_j(1 + Σ_i|G_ij|)²). C = 0 for n ≤ 2: exact there."""
    W = random_weights(seed, (n, m))
    G = W @ W.T
    E = error_sums(W)
    E2 = E[2] if n >= 2 else 0.0
    C = math.comb(n - 1, 2) * E[1] + max(n - 2, 0) * E2 + math.comb(n, 3) * np.sum((1 + np.abs(G).sum(axis=0)) ** 2)
    err = abs(expected_loss_exact(W, p, l1=lam) - first_order_loss(W, p, l1=lam))
    assert err <= C * p * p + 1e-12 * (1 + E[1] + E2)


def test_first_order_remainder_is_second_order_with_the_predicted_coefficient():
    """(L_p − L_0 − pL_1)/p² → L_2 = E₃ − (n−2)E₂ + C(n−1,2)E₁ with error O(p); fitted order 2."""
    W = random_weights(2, (5, 3), scale=0.8)
    E = error_sums(W)
    L2 = E[3] - 3 * E[2] + math.comb(4, 2) * E[1]
    ps = np.array([4e-3, 2e-3, 1e-3])
    rem = np.array([expected_loss_exact(W, p) - first_order_loss(W, p) for p in ps])
    assert abs(L2) > 0.1
    np.testing.assert_allclose(rem / ps**2, L2, rtol=20 * ps[0])
    slopes = np.diff(np.log(np.abs(rem))) / np.diff(np.log(ps))
    np.testing.assert_allclose(slopes, 2.0, atol=0.02)


@given(seed=seeds, m=small_m, p=probabilities)
def test_unit_norm_pair_potential_is_exact_for_two_features(seed, m, p):
    """n = 2, ‖W_i‖ = 1: L_p = 2(g)₊² + 2p(g)₋² exactly, g = ⟨W_1, W_2⟩ ≥ −1."""
    W = random_weights(seed, (2, m))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    g = W[0] @ W[1]
    expected = 2 * max(g, 0) ** 2 + 2 * p * max(-g, 0) ** 2
    assert expected_loss_exact(W, p) == pytest.approx(expected, rel=1e-12, abs=1e-14)


@pytest.fixture(scope="module")
def symbolic_first_order():
    d = dco.derive_first_order(3)
    syms = [d["gram"][i, k] for i in range(3) for k in range(i, 3)]
    return sp.lambdify(syms, d["L_1"].rhs, "numpy"), sp.lambdify([dco.p] + syms, d["loss"], "numpy")


@given(seed=seeds, p=probabilities)
def test_symbolic_expansion_matches_numpy(symbolic_first_order, seed, p):
    """The derivation's L_1 and enumerated L_p (n = 3), lambdified, at a random Gram matrix."""
    f_L1, f_Lp = symbolic_first_order
    W = random_weights(seed, (3, 3))
    G = W @ W.T
    vals = [G[i, k] for i in range(3) for k in range(i, 3)]
    assert float(f_L1(*vals)) == pytest.approx(float(first_order_coefficient(W)), rel=1e-12, abs=1e-13)
    assert float(f_Lp(p, *vals)) == pytest.approx(float(expected_loss_exact(W, p)), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("name", [n for n in REGISTRY if n.startswith("cooccurrence.")])
def test_derivation_checks_pass(name):
    c = REGISTRY[name].check()
    assert c.passed, c.detail


def test_every_cooccurrence_derivation_is_registered():
    assert {n for n in REGISTRY if n.startswith("cooccurrence.")} == {
        "cooccurrence.first-order", "cooccurrence.pair-potential", "cooccurrence.shared-pair",
        "cooccurrence.reoptimised-pair", "cooccurrence.capacity", "cooccurrence.triangle-break-even",
        "cooccurrence.tetrahedron-break-even"}


# ----------------------------------------------------------------------------------- p → 0


@given(seed=seeds, n=small_n, m=small_m, lam=l1)
def test_p_zero_is_the_one_hot_model(seed, n, m, lam):
    W = random_weights(seed, (n, m))
    one_hot = loss(W, l1=lam)
    for f in (expected_loss_exact, expected_loss_pairwise, first_order_loss):
        assert f(W, 0.0, l1=lam) == pytest.approx(one_hot, rel=1e-13, abs=1e-14)
    np.testing.assert_allclose(expected_loss_pairwise_gradient(W, 0.0, l1=lam), loss_gradient(W, l1=lam),
                               rtol=1e-13, atol=1e-14)
    # and continuously: |L_p − L_0| = O(p)
    assert abs(expected_loss_exact(W, 1e-9, l1=lam) - one_hot) <= 1e-9 * (1 + 10 * abs(first_order_coefficient(W)))


def test_p_zero_limits_of_the_trade_off():
    for lam in (0.0, 0.05, 0.5):
        w = monosemantic_weight(lam)
        assert shared_pair_cost(0.0, w) == 0.0
        r = reoptimised_shared_pair_cost(0.0, lam)
        assert abs(r.cost) <= 1e-12 and r.a == pytest.approx(w, abs=1e-6) and r.b == pytest.approx(w, abs=1e-6)
        shared, mono = shared_and_monosemantic([w, w], 1, w)
        assert expected_loss_exact(shared, 0.0, l1=lam) == pytest.approx(loss(mono, l1=lam), rel=1e-13)


# ---------------------------------------------------------------------- the shared pair, exactly


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("p", [0.0, 0.03, 0.25, 0.6, 1.0])
def test_shared_pair_cost_from_constructed_weights(k, p):
    """k ± pairs on k neurons (plus 2 monosemantic features) against all features monosemantic:
    the loss difference is Σ_q Δ(p, w_q) = 2pΣ_q[1 − (1 − w_q²)²], exactly; at w = w* it is kΔ(p)."""
    lam = 0.1
    w = monosemantic_weight(lam)
    shared, mono = shared_and_monosemantic([w] * k, 2, w)
    diff = expected_loss_exact(shared, p, l1=lam) - expected_loss_exact(mono, p, l1=lam)
    assert diff == pytest.approx(k * float(shared_pair_cost(p, w)), rel=1e-12, abs=1e-13)
    assert expected_loss_exact(mono, p, l1=lam) == pytest.approx((2 * k + 2) * monosemantic_loss(lam), rel=1e-12)
    weights = np.linspace(0.5, 1.2, k)
    shared, mono = shared_and_monosemantic(list(weights), 1)
    diff = expected_loss_exact(shared, p) - expected_loss_exact(mono, p)
    assert diff == pytest.approx(float(np.sum(shared_pair_cost(p, weights))), rel=1e-12, abs=1e-13)


def test_shared_pair_cost_closed_form_values():
    assert shared_pair_cost(0.5, 1.0) == 1.0               # 2·½·[1 − 0]
    np.testing.assert_allclose(shared_pair_cost([0.1, 0.2], 0.5), [0.2 * (1 - 0.75**2), 0.4 * (1 - 0.75**2)])


@given(a=st.floats(0, 1.5), b=st.floats(0, 1.5), p=probabilities, lam=l1)
def test_shared_pair_loss_is_the_exact_loss_of_the_pair(a, b, p, lam):
    W = np.array([[a], [-b]])
    assert shared_pair_loss(a, b, p, l1=lam) == pytest.approx(expected_loss_exact(W, p, l1=lam), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("p", [0.01, 0.1, 0.4, 0.9])
def test_reoptimised_cost_is_the_minimum(lam, p):
    """Below the fixed-weight cost and the drop cost; equal to the grid minimum over a, b ∈ [0, 1.5]
    (spacing h = 0.0025) up to the grid's own error ½|H|h² ≲ 1e-4; consistent with its weights."""
    r = reoptimised_shared_pair_cost(p, lam)
    w = monosemantic_weight(lam)
    assert r.cost <= min(float(shared_pair_cost(p, w)), dropped_feature_cost(lam)) + 1e-12
    assert r.cost == pytest.approx(shared_pair_loss(r.a, r.b, p, l1=lam) - 2 * monosemantic_loss(lam), abs=1e-13)
    grid = np.linspace(0, 1.5, 601)
    A, B = np.meshgrid(grid, grid)
    best = float(np.min(shared_pair_loss(A, B, p, l1=lam))) - 2 * monosemantic_loss(lam)
    assert best - 1e-4 <= r.cost <= best + 1e-12
    assert r.dropped == (r.b == 0.0)
    if r.dropped:
        assert r.cost == pytest.approx(dropped_feature_cost(lam), abs=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.05, 0.3])
def test_reoptimised_cost_expansion_is_third_order_accurate(lam):
    """|reoptimised − (Δ(p) − c₂p²)| = O(p³): fitted order ≈ 3, and strictly below Δ(p) for p > 0."""
    ps = np.array([0.02, 0.01, 0.005])
    costs = np.array([reoptimised_shared_pair_cost(p, lam).cost for p in ps])
    w = monosemantic_weight(lam)
    assert np.all(costs < shared_pair_cost(ps, w))
    rem = np.abs(costs - reoptimised_shared_pair_cost_expansion(ps, lam))
    slopes = np.diff(np.log(rem)) / np.diff(np.log(ps))
    np.testing.assert_allclose(slopes, 3.0, atol=0.15)


def test_dropped_feature_cost_from_constructed_weights():
    """Zeroing one monosemantic feature's row raises the exact loss by 1 − ℓ*, at any p."""
    lam = 0.2
    w = monosemantic_weight(lam)
    _, mono = shared_and_monosemantic([w, w], 1, w)
    dropped = mono.copy()
    dropped[0] = 0.0
    for p in (0.0, 0.3, 1.0):
        diff = expected_loss_exact(dropped, p, l1=lam) - expected_loss_exact(mono, p, l1=lam)
        assert diff == pytest.approx(dropped_feature_cost(lam), rel=1e-12)
    assert dropped_feature_cost(0.0) == pytest.approx(1.0)
    assert dropped_feature_cost(4 * math.sqrt(2 / 3) / 3) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.1, 0.7])
def test_break_even_probability(lam):
    p = sharing_break_even_probability(lam)
    assert float(shared_pair_cost(p, monosemantic_weight(lam))) == pytest.approx(dropped_feature_cost(lam), rel=1e-12)
    assert sharing_break_even_probability(0.0) == pytest.approx(0.5)


# ------------------------------------------------------------------------------------ capacity


def test_lossless_capacity_constructions():
    """n = 2m ± pairs: zero one-hot loss, L_p = np exactly = the bound (tight); n = m orthonormal:
    L_p = 0 for every p; a 7th feature in R³ (n > 2m) cannot have zero one-hot loss."""
    m = 3
    pairs, _ = shared_and_monosemantic([1.0] * m, 0)
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(m, m)))[0]
    for p in (0.0, 0.2, 1.0):
        assert expected_loss_exact(pairs @ Q, p) == pytest.approx(2 * m * p, abs=1e-12)
        assert cooccurrence_capacity_bound(2 * m, m, p) == pytest.approx(2 * m * p)
        assert expected_loss_exact(Q, p) == pytest.approx(0.0, abs=1e-12)
    assert lossless_capacity(m, 0.0) == 2 * m and lossless_capacity(m, 0.01) == m
    assert cooccurrence_capacity_bound(m, m, 0.5) == 0.0


def simplex(d):
    """d + 1 unit vectors in R^d with pairwise inner product −1/d."""
    E = np.eye(d + 1) - 1.0 / (d + 1)
    U = np.linalg.svd(E)[0][:, :d]
    V = E @ U
    return V / np.linalg.norm(V, axis=1, keepdims=True)


@given(seed=seeds, blocks=st.lists(st.sampled_from(["pair", "single", "s2", "s3"]), min_size=1, max_size=4),
       p=st.floats(0.0, 1.0))
def test_capacity_bound_on_obtuse_configurations(seed, blocks, p):
    """Zero one-hot loss configurations (orthogonal blocks of ± pairs, singles and simplices, randomly
    rotated): L_1 = ‖G‖_F² − n ≥ n(n − m)/m, and L_p ≥ (1 − p)^{n−2}·p·n(n − m)/m exactly."""
    parts = {"pair": np.array([[1.0], [-1.0]]), "single": np.array([[1.0]]), "s2": simplex(2), "s3": simplex(3)}
    mats = [parts[b] for b in blocks]
    n, m = sum(M.shape[0] for M in mats), sum(M.shape[1] for M in mats)
    W = np.zeros((n, m))
    r = c = 0
    for M in mats:
        W[r:r + M.shape[0], c:c + M.shape[1]] = M
        r, c = r + M.shape[0], c + M.shape[1]
    W = W @ np.linalg.qr(np.random.default_rng(seed).normal(size=(m, m)))[0]
    G = W @ W.T
    assert loss(W) == pytest.approx(0.0, abs=1e-12)
    L1 = first_order_coefficient(W)
    assert L1 == pytest.approx(np.sum(G * G) - n, abs=1e-10)
    assert L1 >= n * (n - m) / m - 1e-10
    assert expected_loss_exact(W, p) >= (1 - p) ** (n - 2) * cooccurrence_capacity_bound(n, m, p) - 1e-10


def test_capacity_bound_is_tight_for_a_simplex():
    W = simplex(3)
    assert first_order_coefficient(W) == pytest.approx(4 * 1 / 3, rel=1e-12)


# ----------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.3"])
def test_bad_probability(p):
    W = np.ones((2, 2))
    for f in (expected_loss_exact, expected_loss_pairwise, expected_loss_pairwise_gradient, first_order_loss):
        with pytest.raises(ValueError, match="p must"):
            f(W, p)
    with pytest.raises(ValueError, match="p must"):
        cooccurrence_capacity_bound(3, 2, p)


def test_bad_arguments():
    W = np.ones((2, 2))
    with pytest.raises(ValueError, match="l1 must"):
        expected_loss_exact(W, 0.2, l1=-1.0)
    for bad in (np.ones(3), np.ones((1, 2, 2, 2))):
        with pytest.raises(ValueError, match="W must have shape"):
            expected_loss_pairwise(bad, 0.2)
    with pytest.raises(ValueError, match="p must"):
        loss_minibatch(W, 0.0, 10, rng=0)
    with pytest.raises(ValueError, match="batch must"):
        loss_minibatch(W, 0.5, 1, rng=0)
    with pytest.raises(ValueError, match="l1 must"):
        monosemantic_weight(2.0)
    with pytest.raises(ValueError, match="p must"):
        shared_pair_cost(1.2, 1.0)
    with pytest.raises(ValueError, match="a and b"):
        shared_pair_loss(-0.1, 0.5, 0.2)
    with pytest.raises(ValueError, match="m must"):
        lossless_capacity(0, 0.1)
    with pytest.raises(ValueError, match="n must"):
        cooccurrence_capacity_bound(0, 2, 0.1)
