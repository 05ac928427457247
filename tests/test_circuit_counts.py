"""Counting circuits through polysemantic neurons: ``theory.circuit_counts`` against a Monte Carlo of the
idealised placement (built from the placement alone, never from the closed forms), against the sympy
derivations of ``derivations.circuits`` (lambdified), against real weight matrices for the sign rule, and
against the one-layer co-occurrence price Δ(p); plus limits and input validation."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import circuits as dc
from theory import circuit_counts as cc
from theory.circuits import virtual_weights
from theory.cooccurrence import expected_loss_exact, shared_pair_cost

from .strategies import seeds

# ---------------------------------------------------------------------------------- Monte Carlo

DRAWS = 40_000
# Means: |mean − theory| ≤ Z_MEAN·SE (empirical SE over independent draws, CLT): false failure 5.7e-7 each.
Z_MEAN = 5.0
# Frequencies (each draw's fraction of features or weights with a value, in [0, 1]): Bernstein's inequality
# with variance ≤ P(1 − P) gives P(|f − P| ≥ t) ≤ 2 exp(−Z²/2) = 5.5e-7 for Z = 5.5, whatever P (no normal
# approximation in the tails). About 300 comparisons below in all: false failure of the file < 2e-4.
Z_FREQ = 5.5

# (n, m1, m2, placement): n > m and n ≤ m, both placements
CASES = [(6, 3, 4, "independent"), (5, 8, 6, "independent"), (6, 2, 3, "signed"), (5, 6, 8, "signed")]


def simulate(n, m1, m2, placement, *, rng):
    """Per-draw observations of the idealised placement: input i on unit a_i, output c on unit b_c, uniform
    over m units ("independent") or 2m signed slots ("signed"), π a random permutation."""
    units = (m1, m2) if placement == "independent" else (2 * m1, 2 * m2)
    pi = rng.permutation(n)
    a = rng.integers(0, units[0], (DRAWS, n))
    b = rng.integers(0, units[1], (DRAWS, n))  # b[:, c]: the unit of output c
    rows = np.arange(DRAWS)[:, None]
    size1 = np.zeros((DRAWS, units[0]), dtype=np.int64)
    np.add.at(size1, (rows, a), 1)
    size2 = np.zeros((DRAWS, units[1]), dtype=np.int64)
    np.add.at(size2, (rows, b), 1)
    B = b[:, pi]  # B[:, i] = b_π(i): the layer-2 unit of feature i's path
    F1 = np.take_along_axis(size1, a, axis=1)  # |F_a| of each feature's layer-1 unit
    F2 = np.take_along_axis(size2, B, axis=1)
    path = F1 * F2
    weights = (size1[:, :, None] * size2[:, None, :]).reshape(DRAWS, -1)
    # carriers of entry (i, c): features k whose used weight (a_k, b_π(k)) is (a_i, b_c); the sign of what k
    # carries is sign(W1_ia W1_ka)·sign(W2_cb W2_π(k)b), opposite signs for distinct features sharing a unit
    inv = np.argsort(pi)  # inv[c] = j′, the input whose intended output is c
    carries = (a[:, None, None, :] == a[:, :, None, None]) & (B[:, None, None, :] == b[:, None, :, None])
    k = np.arange(n)
    sign = np.where(k[None, None, :] != k[:, None, None], -1, 1) * np.where(pi[None, None, :] != k[None, :, None], -1, 1)
    off = pi[:, None] != k[None, :]
    neg = (carries & (sign == -1)).any(-1) & off
    pos = (carries & (sign == 1)).any(-1) & off
    lonely = F1 == 1
    share2 = (B[:, :, None] == B[:, None, :]) & lonely[:, None, :]
    aligned = np.where(lonely, share2.sum(-1), F1**2)
    pair = a[:, 0] == a[:, 1]
    return {"pi": pi, "inv": inv, "F1": F1, "F2": F2, "path": path, "weights": weights,
            "spurious": (carries.any(-1) & off).sum((1, 2)), "negative": (neg & ~pos).sum((1, 2)),
            "positive": (pos & ~neg).sum((1, 2)), "mixed": (neg & pos).sum((1, 2)), "aligned": aligned,
            "layer2 given layer1": (B[pair, 0] == B[pair, 1])}


def assert_mean(x, expected, what):
    x = np.asarray(x, dtype=float)
    se = x.std(ddof=1) / math.sqrt(x.size)
    assert abs(x.mean() - expected) <= Z_MEAN * se + 1e-12, (what, x.mean(), expected, se)


def bernstein(P, draws, z=Z_FREQ):
    """t with P(|mean − P| ≥ t) ≤ 2 exp(−z²/2) for the mean of `draws` independent [0, 1] observations of mean P."""
    var = P * (1 - P)
    return (z**2 / 3 + np.sqrt(z**4 / 9 + 4 * draws * z**2 * var)) / (2 * draws)


def assert_pmf(values, pmf, what):
    """Each draw's fraction of its values equal to k, averaged over draws, against P(k); exact 0 where P(k) = 0."""
    values = np.asarray(values)
    freq = np.stack([(values == k).mean(axis=1) for k in range(pmf.size)], axis=1).mean(axis=0)
    assert np.all(freq[pmf == 0] == 0), (what, np.flatnonzero((pmf == 0) & (freq > 0)))
    bad = np.abs(freq - pmf) > bernstein(pmf, values.shape[0])
    assert not bad.any(), (what, np.flatnonzero(bad), freq[bad], pmf[bad])


@pytest.fixture(scope="module", params=CASES, ids=[f"n{n}-m{a}-{b}-{p}" for n, a, b, p in CASES])
def case(request):
    n, m1, m2, placement = request.param
    return request.param, simulate(n, m1, m2, placement, rng=np.random.default_rng(20260312 + n * 100 + m1 * 10 + m2))


def test_set_sizes_and_path_pairs_match_the_independent_placement(case):
    (n, m1, m2, placement), s = case
    assert_mean(s["F1"].mean(1), cc.member_set_size_mean(n, m1, placement=placement), "|F_a|")
    assert_mean(s["F2"].mean(1), cc.member_set_size_mean(n, m2, placement=placement), "|F'_b|")
    assert_mean(s["path"].mean(1), cc.path_pairs_mean(n, m1, m2, placement=placement), "path pairs")
    assert_pmf(s["path"], cc.path_pairs_pmf(n, m1, m2, placement=placement), "path pmf")


def test_weight_pairs_match_the_independent_placement(case):
    (n, m1, m2, placement), s = case
    P = cc.weight_pairs_pmf(n, m1, m2, placement=placement)
    assert_pmf(s["weights"], P, "weight pmf")
    assert_mean(s["weights"].mean(1), n * n * cc.sharing_probability(m1, placement=placement)
                * cc.sharing_probability(m2, placement=placement), "weight pairs mean")


def test_spurious_counts_and_signs_match_the_independent_placement(case):
    (n, m1, m2, placement), s = case
    assert_mean(s["spurious"], cc.spurious_count_mean(n, m1, m2, placement=placement), "spurious")
    signs = cc.spurious_sign_means(n, m1, m2, placement=placement)
    for name in ("negative", "positive", "mixed"):
        assert_mean(s[name], getattr(signs, name), name)
    assert np.array_equal(s["negative"] + s["positive"] + s["mixed"], s["spurious"])


def test_alignment_chance_and_aligned_pairs(case):
    (n, m1, m2, placement), s = case
    hits = s["layer2 given layer1"]  # independent Bernoulli(q2) draws, one per draw with a_0 = a_1
    q2 = cc.alignment_chance(n, m2, placement=placement)
    assert hits.size > 1000 and abs(hits.mean() - q2) <= bernstein(q2, hits.size)
    assert_mean(s["aligned"].mean(1), cc.aligned_path_pairs_mean(n, m1, m2, placement=placement), "aligned")


def test_monte_carlo_tolerances_would_catch_the_common_mistakes():
    # power: the mistakes one would make (q = 1/m for the signed regime, (1 − q1q2)^(n−1) for (n−2), no
    # third-feature term) are each more than 10 standard errors away at the sizes above
    n, m1, m2 = 6, 2, 3
    s = simulate(n, m1, m2, "signed", rng=np.random.default_rng(1))
    se = s["spurious"].std(ddof=1) / math.sqrt(DRAWS)
    q1, q2 = 1 / (2 * m1), 1 / (2 * m2)
    wrong = [cc.spurious_count_mean(n, m1, m2, placement="independent"),
             n * (n - 1) * (1 - (1 - q1) * (1 - q2) * (1 - q1 * q2) ** (n - 1)),
             n * (n - 1) * (1 - (1 - q1) * (1 - q2))]
    assert all(abs(s["spurious"].mean() - w) > 10 * se for w in wrong)


# ---------------------------------------------------------------------------------- sign rule with real weights

def signed_circuit(n, m1, m2, *, rng):
    """A placement whose neurons hold at most two features (rejection), as real weights: one-hot rows with
    random magnitudes, opposite signs on shared neurons, V nonzero on the used weights with the sign that
    makes each intended virtual weight positive."""
    pi = rng.permutation(n)
    while True:
        a, b = rng.integers(0, m1, n), rng.integers(0, m2, n)
        if np.bincount(a).max() <= 2 and np.bincount(b).max() <= 2:
            break

    def rows(place, m):
        W = np.zeros((n, m))
        for unit in np.unique(place):
            members = np.flatnonzero(place == unit)
            signs = rng.permutation([1.0, -1.0])[: members.size] if members.size == 2 else rng.choice([1.0, -1.0], 1)
            W[members, unit] = signs * rng.uniform(0.5, 1.5, members.size)
        return W

    W1, W2 = rows(a, m1), rows(b, m2)
    V = np.zeros((m1, m2))
    for j in range(n):
        sign = np.sign(W1[j, a[j]] * W2[pi[j], b[pi[j]]])
        assert V[a[j], b[pi[j]]] * sign >= 0  # aligned pairs ask for the same sign
        V[a[j], b[pi[j]]] = sign * rng.uniform(0.5, 1.5)
    return pi, a, b, W1, V, W2


@given(seed=seeds, size=st.sampled_from([(5, 4, 4), (6, 5, 3), (4, 2, 2)]))
@settings(max_examples=40)
def test_sign_rule_holds_for_real_weights(seed, size):
    n, m1, m2 = size
    rng = np.random.default_rng(seed)
    pi, a, b, W1, V, W2 = signed_circuit(n, m1, m2, rng=rng)
    M = virtual_weights(W1, V, W2)
    inv = np.argsort(pi)
    assert np.all(M[np.arange(n), pi] > 0)  # every intended path is positive
    for i in range(n):
        for c in range(n):
            if c == pi[i]:
                continue
            carriers = {k for k in range(n) if a[k] == a[i] and b[pi[k]] == b[c]}
            if not carriers:
                assert M[i, c] == 0
            elif carriers <= {i, inv[c]}:
                assert M[i, c] < 0  # own path of i or of j′: removed by the ReLU
            else:
                assert carriers.isdisjoint({i, inv[c]}) and M[i, c] > 0  # third feature: paid as M²


# ---------------------------------------------------------------------------------- derivations (lambdified)

S = dc.symbols()
ARGS = (S["n"], S["q1"], S["q2"])


def _rhs(d, key):
    f = sp.lambdify(ARGS, d[key].rhs, modules="mpmath")

    def evaluate(n, m1, m2, units):  # in 50 digits: the float64 closed forms avoid the cancellation in 1 − (…)ⁿ
        with mpmath.workdps(50):
            return float(f(mpmath.mpf(n), mpmath.mpf(1) / (units * m1), mpmath.mpf(1) / (units * m2)))

    return evaluate


@pytest.fixture(scope="module")
def derived():
    spur, pairs = dc.derive_spurious_count(), dc.derive_path_pairs()
    return {"spurious": _rhs(spur, "E[#spurious]"), "negative": _rhs(spur, "negative"),
            "positive": _rhs(spur, "positive"), "mixed": _rhs(spur, "mixed"),
            "path": _rhs(pairs, "E pairs on a path"), "aligned": _rhs(pairs, "aligned")}


@given(n=st.integers(2, 300), m1=st.integers(1, 5000), m2=st.integers(1, 5000),
       placement=st.sampled_from(cc.PLACEMENTS))
def test_derivations_match_the_closed_forms(derived, n, m1, m2, placement):
    # n ≥ 2: the formulas with (1 − q1q2)^(n−2) are singular at n = 1, m1 = m2 = 1 (n = 1 is in test_limits)
    units = 2 if placement == "signed" else 1
    signs = cc.spurious_sign_means(n, m1, m2, placement=placement)
    pairs = [("spurious", cc.spurious_count_mean(n, m1, m2, placement=placement)),
             ("negative", signs.negative), ("positive", signs.positive), ("mixed", signs.mixed),
             ("path", cc.path_pairs_mean(n, m1, m2, placement=placement)),
             ("aligned", cc.aligned_path_pairs_mean(n, m1, m2, placement=placement))]
    for key, value in pairs:
        assert value == pytest.approx(derived[key](n, m1, m2, units), rel=1e-12, abs=1e-300), key


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_pmfs_match_the_generating_functions(n):
    path = sp.lambdify((S["q1"], S["q2"]), dc.derive_path_pairs_pmf(n), modules="numpy")
    weight = sp.lambdify((S["q1"], S["q2"]), dc.derive_weight_pairs_pmf(n), modules="numpy")
    for m1, m2, placement in [(1, 1, "independent"), (3, 7, "independent"), (2, 5, "signed"), (40, 9, "signed")]:
        q1, q2 = (cc.sharing_probability(m, placement=placement) for m in (m1, m2))
        np.testing.assert_allclose(cc.path_pairs_pmf(n, m1, m2, placement=placement), path(q1, q2), atol=1e-14)
        np.testing.assert_allclose(cc.weight_pairs_pmf(n, m1, m2, placement=placement), weight(q1, q2), atol=1e-14)


def test_exact_enumeration_agrees_with_the_closed_forms():
    for n, m1, m2, pi in dc.ENUMERATED:
        exact = dc.enumerate_placements(n, m1, m2, pi)
        assert float(exact["spurious"]) == pytest.approx(cc.spurious_count_mean(n, m1, m2), rel=1e-12)
        assert float(exact["aligned"]) == pytest.approx(cc.aligned_path_pairs_mean(n, m1, m2), rel=1e-12)
        path = np.array([float(exact["path pmf"].get(k, 0)) for k in range(n * n + 1)])
        np.testing.assert_allclose(cc.path_pairs_pmf(n, m1, m2), path, atol=1e-14)


# ---------------------------------------------------------------------------------- limits and identities

@given(n=st.integers(1, 60), m1=st.integers(1, 200), m2=st.integers(1, 200),
       placement=st.sampled_from(cc.PLACEMENTS))
def test_pmfs_sum_to_one_and_have_the_stated_means(n, m1, m2, placement):
    P = cc.path_pairs_pmf(n, m1, m2, placement=placement)
    W = cc.weight_pairs_pmf(n, m1, m2, placement=placement)
    k = np.arange(n * n + 1)
    assert P.shape == W.shape == (n * n + 1,) and P.min() >= 0 and W.min() >= 0
    assert P.sum() == pytest.approx(1, abs=1e-12) and W.sum() == pytest.approx(1, abs=1e-12)
    assert P @ k == pytest.approx(cc.path_pairs_mean(n, m1, m2, placement=placement), rel=1e-10)
    q1, q2 = (cc.sharing_probability(m, placement=placement) for m in (m1, m2))
    assert W @ k == pytest.approx(n * n * q1 * q2, rel=1e-10, abs=1e-14)
    assert P[0] == 0
    signs = cc.spurious_sign_means(n, m1, m2, placement=placement)
    assert signs.total == pytest.approx(cc.spurious_count_mean(n, m1, m2, placement=placement), rel=1e-12)
    assert cc.aligned_path_pairs_mean(n, m1, m2, placement=placement) >= 1


@pytest.mark.parametrize("placement", cc.PLACEMENTS)
def test_limits(placement):
    n, huge = 12, 10**12
    assert cc.path_pairs_mean(n, huge, huge, placement=placement) == pytest.approx(1, abs=1e-9)
    assert cc.aligned_path_pairs_mean(n, huge, huge, placement=placement) == pytest.approx(1, abs=1e-9)
    assert cc.spurious_count_mean(n, huge, huge, placement=placement) < 1e-9
    assert cc.path_pairs_pmf(n, huge, huge, placement=placement)[1] == pytest.approx(1, abs=1e-9)
    # n = 1: one feature, one pair, nothing spurious
    assert cc.path_pairs_mean(1, 3, 4, placement=placement) == 1 == cc.aligned_path_pairs_mean(1, 3, 4)
    assert cc.spurious_count_mean(1, 1, 1, placement=placement) == 0
    assert cc.spurious_sign_means(1, 1, 1, placement=placement).total == 0
    assert cc.path_pairs_pmf(1, 1, 1, placement=placement).tolist() == [0.0, 1.0]
    # small q: E[#spurious] ≈ n(n − 1)(q1 + q2), the first order
    m = 10**6
    q = cc.sharing_probability(m, placement=placement)
    assert cc.spurious_count_mean(n, m, m, placement=placement) == pytest.approx(n * (n - 1) * 2 * q, rel=1e-5)
    # full relative precision far out (no cancellation in 1 − product): the first order is exact to O(q)
    q = cc.sharing_probability(huge, placement=placement)
    assert cc.spurious_count_mean(n, huge, huge, placement=placement) == pytest.approx(n * (n - 1) * 2 * q, rel=1e-10)
    signs = cc.spurious_sign_means(n, huge, huge, placement=placement)
    assert signs.negative == pytest.approx(n * (n - 1) * 2 * q, rel=1e-10)
    assert signs.positive == pytest.approx(n * (n - 1) * (n - 2) * q * q, rel=1e-10)


def test_everything_on_one_neuron():
    n = 7
    assert cc.spurious_count_mean(n, 1, 1) == n * (n - 1)
    assert cc.path_pairs_mean(n, 1, 1) == n * n == cc.aligned_path_pairs_mean(n, 1, 1)
    assert cc.path_pairs_pmf(n, 1, 1)[n * n] == 1
    signs = cc.spurious_sign_means(n, 1, 1, placement="independent")
    assert (signs.negative, signs.positive, signs.mixed) == (0.0, 0.0, n * (n - 1))


def test_broadcasting():
    m = np.array([4, 8, 16])
    out = cc.spurious_count_mean(6, m, 2 * m, placement="signed")
    assert out.shape == (3,) and np.all(np.diff(out) < 0)
    np.testing.assert_allclose(out, [cc.spurious_count_mean(6, int(x), int(2 * x), placement="signed") for x in m])
    assert cc.spurious_sign_means([3, 4], 5, 6).positive.shape == (2,)
    assert cc.path_pairs_mean([1, 2], [[1], [2]], 1).shape == (2, 2)


# ---------------------------------------------------------------------------------- costs

def block_cost(p, u, v):
    """Extra loss per active feature of [[u, −v], [−v, u]] over diag(u, u), by summing over the three inputs."""
    def loss(M):
        total = 0.0
        for x, weight in (((1, 0), 1 - p), ((0, 1), 1 - p), ((1, 1), p)):  # P(x)/p
            y = np.maximum(np.array(x) @ M, 0)
            total += weight * np.sum((y - np.array(x)) ** 2)
        return total

    return loss(np.array([[u, -v], [-v, u]])) - loss(np.diag([u, u]))


@given(p=st.floats(0, 1), u=st.floats(0, 1.5), v=st.floats(0, 2))
def test_negative_connection_cost_is_the_two_hot_excess(p, u, v):
    assert 2 * cc.negative_connection_cost(p, u, v) == pytest.approx(block_cost(p, u, v), abs=1e-12)
    assert cc.negative_connection_cost(p, u, 0.0) == 0 and cc.negative_connection_cost(0.0, u, v) == 0


@given(p=st.floats(0, 1), w=st.floats(0, 1.2))
def test_spurious_pair_cost_is_the_one_layer_shared_pair_price(p, w):
    u = w * w
    assert cc.spurious_pair_cost(p, u) == pytest.approx(float(shared_pair_cost(p, math.sqrt(u))), abs=1e-12)
    assert cc.spurious_pair_cost(p, u) == pytest.approx(2 * cc.negative_connection_cost(p, u, u), abs=1e-12)
    # and against the exact co-occurrence loss of the tied model: (w, −w) on one neuron vs two monosemantic
    shared = expected_loss_exact(np.array([[w], [-w]]), p)
    apart = expected_loss_exact(np.diag([w, w]), p)
    assert cc.spurious_pair_cost(p, u) == pytest.approx(float(shared - apart), abs=1e-12)


# ---------------------------------------------------------------------------------- validation

@pytest.mark.parametrize("call, name", [
    (lambda: cc.sharing_probability(0), "m must be"),
    (lambda: cc.sharing_probability(4, placement="tied"), "placement must be"),
    (lambda: cc.member_set_size_mean(0, 4), "n must be"),
    (lambda: cc.path_pairs_mean(3, 0, 4), "m1 must be"),
    (lambda: cc.path_pairs_mean(3, 4, 2.5), "m2 must be"),
    (lambda: cc.path_pairs_pmf(0, 2, 2), "n must be"),
    (lambda: cc.weight_pairs_pmf(3, 2, -1), "m2 must be"),
    (lambda: cc.spurious_count_mean([3, 0], 2, 2), "n must be"),
    (lambda: cc.spurious_sign_means(3, 2, 2, placement="none"), "placement must be"),
    (lambda: cc.alignment_chance(1, 4), "n must be"),
    (lambda: cc.aligned_path_pairs_mean(3, True, 4), "m1 must be"),
    (lambda: cc.negative_connection_cost(1.5, 0.5, 0.5), "p must be"),
    (lambda: cc.negative_connection_cost(0.5, 0.5, -0.1), "v must be"),
    (lambda: cc.negative_connection_cost(0.5, np.nan, 0.1), "u must be"),
    (lambda: cc.spurious_pair_cost(0.1, -0.5), "u must be"),
])
def test_bad_input_is_a_value_error_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
