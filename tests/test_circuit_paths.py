"""The L1 price of circuit paths: ``theory.circuit_paths`` against a direct numerical minimisation of the explicit
loss ``theory.circuits.circuit_loss`` on tiny weight matrices (the independent route), against the KKT conditions of
the full matrices, against the sympy derivations of ``derivations.circuit_paths`` (lambdified); plus limits, the
series and input validation. Everything here is deterministic."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from derivations import circuit_paths as dp
from theory import circuit_paths as cp
from theory.circuits import circuit_gradient, circuit_loss, l1_subgradient

EYE = np.eye(2)

# The support of each configuration at n = 2 (signs fixed; the free parameters are the magnitudes): a function of
# the magnitudes x returning (W1, V, W2). Private: m1 = m2 = 2, diagonal; aligned: m1 = m2 = 1; unaligned: m1 = 1,
# m2 = 2 (the layer-1 ± pair read out by two layer-2 neurons, the second V weight negative).
SUPPORTS = {
    "private": (6, lambda x: (np.diag(x[0:2]), np.diag(x[2:4]), np.diag(x[4:6]))),
    "aligned": (5, lambda x: (np.array([[x[0]], [-x[1]]]), np.array([[x[2]]]), np.array([[x[3]], [-x[4]]]))),
    "unaligned": (6, lambda x: (np.array([[x[0]], [-x[1]]]), np.array([[x[2], -x[3]]]), np.diag(x[4:6]))),
}


def _numerical_optimum(configuration: str, lam: float):
    """Minimise circuit_loss over the configuration's magnitudes from an asymmetric start (BFGS with finite-difference
    gradients: the loss is smooth where no magnitude is 0). Returns (magnitudes, loss per feature)."""
    size, build = SUPPORTS[configuration]
    x0 = np.linspace(0.7, 1.3, size)

    def f(x):
        return float(circuit_loss(*build(x), target=EYE, l1=lam))

    res = minimize(f, x0, method="BFGS", options={"gtol": 1e-11})
    return res.x, res.fun / 2


@pytest.mark.parametrize("lam", [0.01, 0.1, 0.3])
@pytest.mark.parametrize("configuration", ["private", "aligned", "unaligned"])
def test_closed_form_is_the_minimum_of_the_explicit_loss(configuration, lam):
    x, per_feature = _numerical_optimum(configuration, lam)
    r = cp.path_weights(lam, configuration=configuration)
    assert r.learned
    # BFGS stops at gradient 1e-11 on a loss of curvature O(1): weights agree to ~1e-7 and the loss to ~1e-12
    assert per_feature == pytest.approx(r.loss, abs=1e-10)
    expected = {"private": [r.w1, r.w1, r.v, r.v, r.w2, r.w2], "aligned": [r.w1, r.w1, r.v, r.w2, r.w2],
                "unaligned": [r.w1, r.w1, r.v, r.v, r.w2, r.w2]}[configuration]
    np.testing.assert_allclose(x, expected, rtol=1e-6)
    np.testing.assert_allclose(r.product, r.w1 * r.v * r.w2, rtol=1e-14)
    # and the explicit loss of the closed-form weights is the closed-form loss (r.l1_norm is the configuration's)
    _, build = SUPPORTS[configuration]
    assert float(circuit_loss(*build(np.array(expected)), target=EYE, l1=lam)) / 2 == pytest.approx(r.loss, rel=1e-12)
    assert r.features * (1 - r.product) ** 2 + lam * r.l1_norm == pytest.approx(r.features * r.loss, rel=1e-12)


def test_aligned_pair_is_learned_where_private_paths_die():
    lam = 0.4  # between λ_c ≈ 0.3447 and 2^{1/3}λ_c ≈ 0.4343
    _, private = _numerical_optimum("private", lam)
    _, aligned = _numerical_optimum("aligned", lam)
    assert cp.path_weights(lam, configuration="private").loss == 1.0
    assert private > 1.0  # the nonzero stationary point exists but loses to the dead configuration (loss 1)
    assert aligned == pytest.approx(cp.path_weights(lam, configuration="aligned").loss, abs=1e-10) and aligned < 1.0
    assert cp.aligned_pair_saving(lam) == pytest.approx(2 * (1 - aligned), abs=1e-9)


@pytest.mark.parametrize("configuration", ["private", "aligned"])
def test_closed_form_satisfies_kkt_in_the_full_matrices(configuration):
    # embedded in n = 2, m1 = m2 = 2 with every other weight 0: nonzero weights have data gradient −λ sign(w),
    # zero weights |data gradient| ≤ λ (here exactly 0), so it is a fixed point of proximal GD
    lam = 0.1
    r = cp.path_weights(lam, configuration=configuration)
    W1, V, W2 = (np.zeros((2, 2)) for _ in range(3))
    if configuration == "private":
        W1[[0, 1], [0, 1]], V[[0, 1], [0, 1]], W2[[0, 1], [0, 1]] = r.w1, r.v, r.w2
    else:
        W1[:, 0], V[0, 0], W2[:, 0] = [r.w1, -r.w1], r.v, [r.w2, -r.w2]
    data = circuit_gradient(W1, V, W2, target=EYE)
    for g, s, w in zip(data, l1_subgradient(W1, V, W2, l1=lam), (W1, V, W2)):
        on = w != 0
        np.testing.assert_allclose(g[on] + s[on], 0, atol=1e-12)
        assert np.all(np.abs(g[~on]) <= lam)


def test_limits():
    k = 2 ** (-1 / 3)
    al, pr, un = (cp.path_weights(0.0, configuration=c) for c in ("aligned", "private", "unaligned"))
    np.testing.assert_allclose([al.w1, al.v, al.w2], [4 ** (1 / 3) / 2, 4 ** (1 / 3), 4 ** (1 / 3) / 2], rtol=1e-15)
    assert al.w1 == pytest.approx(k, rel=1e-15) and al.l1_norm == pytest.approx(3 * 4 ** (1 / 3), rel=1e-15)
    assert (pr.w1, pr.v, pr.w2, pr.loss, pr.l1_norm) == (1.0, 1.0, 1.0, 0.0, 3.0)
    assert un.l1_norm == 6.0 and un.loss == 0.0 and un.features == 2
    assert cp.aligned_pair_saving(0.0) == 0.0
    # dS/dλ at 0 is the L1 saving 6 − 3·4^{1/3} ≈ 1.238 (and the ratio of prices 4^{1/3}/2 ≈ 0.794)
    assert cp.aligned_pair_saving(1e-7) / 1e-7 == pytest.approx(6 - 3 * 4 ** (1 / 3), rel=1e-7)
    # at the learning threshold the stationary loss is the dead loss 1, and just below it is < 1
    below = cp.path_weights(cp.LEARNING_THRESHOLD * (1 - 1e-9), configuration="private")
    assert below.learned and below.loss == pytest.approx(1.0, abs=1e-7) and below.product == pytest.approx(0.8, abs=1e-4)
    assert not cp.path_weights(cp.LEARNING_THRESHOLD, configuration="private").learned
    dead = cp.path_weights(0.5, configuration="aligned")
    assert (dead.w1, dead.v, dead.w2, dead.loss, dead.learned) == (0.0, 0.0, 0.0, 1.0, False)
    assert cp.aligned_pair_saving(0.5) == 0.0
    assert cp.learning_threshold("aligned") == pytest.approx(2 ** (1 / 3) * cp.learning_threshold("unaligned"))


@given(lam=st.floats(min_value=1e-6, max_value=0.43))
@settings(max_examples=30)
def test_aligned_pair_always_cheaper(lam):
    # the unaligned pair against the explicit loss: the minimisation tests above
    al, pr = (cp.path_weights(lam, configuration=c) for c in ("aligned", "private"))
    assert al.loss < pr.loss
    if pr.learned:  # the stationarity equation and the envelope dF/dλ = 3w
        assert 2 * pr.w1**2 * (1 - pr.w1**3) == pytest.approx(lam, rel=1e-12)
        h = 1e-6 * lam
        slope = (cp.path_weights(lam + h, configuration="private").loss
                 - cp.path_weights(lam - h, configuration="private").loss) / (2 * h)
        assert slope == pytest.approx(3 * pr.w1, rel=1e-5)


@given(lam=st.floats(min_value=0.0, max_value=0.3))
@settings(max_examples=30)
def test_series_matches_the_exact_saving(lam):
    # the next term is ≈ 0.062λ⁴ (λ³·S·0.05): bound 0.1λ⁴ up to λ = 0.3
    assert abs(cp.aligned_pair_saving_series(lam) - cp.aligned_pair_saving(lam)) <= 0.1 * lam**4 + 1e-15


def test_derivation_agrees_with_numpy():
    S = dp.symbols()
    lam, w = S["lambda"], S["w"]
    fin = dp.derive_finite_l1()
    for value in (0.01, 0.1, 0.3):
        pr = cp.path_weights(value, configuration="private")
        al = cp.path_weights(value, configuration="aligned")
        assert abs(float(fin["stationarity"].subs({lam: value, w: pr.w1}))) < 1e-14
        w_al = al.w1 * 2 ** (1 / 3)  # w′ of the aligned pair
        assert abs(float(fin["aligned stationarity"].subs({lam: value, w: w_al}))) < 1e-14
        a, v, a2 = (float(e.subs(w, w_al)) for e in fin["aligned weights"].rhs)
        np.testing.assert_allclose([a, v, a2], [al.w1, al.v, al.w2], rtol=1e-14)
        F = sp.lambdify((lam, w), fin["per-feature loss"].rhs)
        assert F(value, pr.w1) == pytest.approx(pr.loss, rel=1e-14)
        assert F(value * 2 ** (-1 / 3), w_al) == pytest.approx(al.loss, rel=1e-14)
    assert float(fin["threshold"].rhs) == pytest.approx(cp.LEARNING_THRESHOLD, rel=1e-15)
    series = sp.lambdify(lam, dp.derive_small_l1()["S(lambda)"].rhs)
    for value in (0.0, 0.05, 0.1, 0.2):
        assert series(value) == pytest.approx(cp.aligned_pair_saving_series(value), rel=1e-14, abs=1e-16)
    opt = dp.derive_l1_optimum()
    assert float(opt["aligned"].rhs.subs(S["p"], 1)) == pytest.approx(3 * 4 ** (1 / 3), rel=1e-15)
    assert float(opt["unaligned"].rhs.subs(S["p"], 1)) == 6.0


def test_validation():
    with pytest.raises(ValueError, match="l1"):
        cp.path_weights(-0.1, configuration="private")
    with pytest.raises(ValueError, match="l1"):
        cp.aligned_pair_saving(math.nan)
    with pytest.raises(ValueError, match="l1"):
        cp.aligned_pair_saving_series(math.inf)
    with pytest.raises(ValueError, match="configuration"):
        cp.path_weights(0.1, configuration="shared")
    with pytest.raises(ValueError, match="configuration"):
        cp.learning_threshold("tied")
    r = cp.path_weights(0.1, configuration="aligned")
    with pytest.raises(AttributeError):
        r.w1 = 1.0  # frozen
