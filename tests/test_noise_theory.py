"""theory.noise_loss against the sympy derivations (lambdified, at hypothesis-drawn points), against
numerical quadrature, and against brute force over the noise; limits and invalid input."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from derivations import noise as dn
from theory import NoiseSpec, loss
from theory.noise_loss import (centred_simplex, edgeworth_relu_square_mean, expected_loss_bipolar_exact,
                               expected_loss_edgeworth, expected_loss_gaussian, fourth_norm_drift_sign,
                               gaussian_relu_error_mean, gaussian_relu_square_mean, projection_excess_kurtosis,
                               projection_moments, random_direction_fourth_norm, simplex_fourth_norm)

from .strategies import seeds

MODULES = [{"erf": special.erf, "erfc": special.erfc}, "numpy"]
reals = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False)
variances = st.floats(min_value=1e-3, max_value=2.0)
sigmas = st.floats(min_value=0.01, max_value=1.0)
kurtoses = st.floats(min_value=-2.0, max_value=6.0)


def _lambdify(args, expr):
    return sp.lambdify(args, expr, modules=MODULES)


# ------------------------------------------------------------------ derived expressions vs theory


@pytest.fixture(scope="module")
def moments4():
    d = dn.derive_projection_moments(4)
    es2, es4 = d["computed"]
    return _lambdify([list(d["w"]), dn.sigma, dn.kappa], [es2, es4])


@given(seed=seeds, sigma=sigmas, kappa=kurtoses)
def test_projection_moments_match_the_expanded_expectation(moments4, seed, sigma, kappa):
    w = np.random.default_rng(seed).normal(size=4)
    es2, es4 = projection_moments(w, sigma, kappa)
    sym2, sym4 = moments4(list(w), sigma, kappa)
    assert es2 == pytest.approx(sym2, rel=1e-12)
    assert es4 == pytest.approx(sym4, rel=1e-12)


@pytest.fixture(scope="module")
def excess_kurtosis_form():
    return _lambdify([dn.A2, dn.B4, dn.kappa], dn.derive_projection_moments_general()["excess kurtosis of s"])


@given(seed=seeds, kappa=kurtoses, m=st.integers(1, 12))
def test_projection_excess_kurtosis_matches_the_cumulant_derivation(excess_kurtosis_form, seed, kappa, m):
    f = excess_kurtosis_form
    w = np.random.default_rng(seed).normal(size=m)
    assert projection_excess_kurtosis(w, kappa) == pytest.approx(f(w @ w, np.sum(w**4), kappa), rel=1e-12, abs=1e-15)
    es2, es4 = projection_moments(w, 0.7, kappa)
    assert es4 / es2**2 - 3 == pytest.approx(projection_excess_kurtosis(w, kappa), rel=1e-9, abs=1e-12)


@pytest.fixture(scope="module")
def gaussian_forms():
    closed = dn.derive_gaussian_relu_square()["closed form"]
    diag = dn.derive_gaussian_diagonal()["closed form"]
    tail = dn.derive_edgeworth()
    ks = tail["kappa_s"]
    return (_lambdify([dn.G, dn.v], closed), _lambdify([dn.a, dn.v], diag),
            _lambdify([dn.c, dn.v, ks], tail["tail2"]))


@given(G=reals, v=variances)
def test_gaussian_relu_square_matches_the_integrated_form(gaussian_forms, G, v):
    f, _, _ = gaussian_forms
    assert gaussian_relu_square_mean(G, v) == pytest.approx(f(G, v), rel=1e-10, abs=1e-14)


@given(a=reals, v=variances)
def test_gaussian_diagonal_matches_the_integrated_form(gaussian_forms, a, v):
    _, f, _ = gaussian_forms
    assert gaussian_relu_error_mean(a, v) == pytest.approx(f(a, v), rel=1e-10, abs=1e-14)


@given(c=reals, v=variances, ks=st.floats(-2.0, 6.0))
def test_edgeworth_matches_the_derived_tail(gaussian_forms, c, v, ks):
    _, _, f = gaussian_forms
    # the derived tail is in the standardised margin c′ = c/√v
    assert edgeworth_relu_square_mean(c, v, ks) == pytest.approx(f(c / math.sqrt(v), v, ks), rel=1e-10, abs=1e-14)


@pytest.fixture(scope="module")
def end_state_forms():
    return (_lambdify([dn.n_sym], dn.derive_simplex_fourth_norm()["simplified"]),
            _lambdify([dn.m_sym], dn.derive_random_direction_fourth_norm()["E sum u^4"].rhs))


@given(n=st.integers(2, 60), m=st.integers(1, 200))
def test_end_states_match_the_derivation(end_state_forms, n, m):
    simplex, rand = end_state_forms
    assert simplex_fourth_norm(n) == pytest.approx(simplex(n), rel=1e-14)
    assert random_direction_fourth_norm(m) == pytest.approx(rand(m), rel=1e-14)


def test_paper_end_state_values():
    assert simplex_fourth_norm(8) == pytest.approx(43 / 56) and round(simplex_fourth_norm(8), 3) == 0.768
    assert random_direction_fourth_norm(16) == pytest.approx(1 / 6)


# ------------------------------------------------------------------ quadrature and Monte Carlo


def _gauss_expect(f, v):
    sd = math.sqrt(v)
    val, err = integrate.quad(lambda x: f(x) * math.exp(-x * x / (2 * v)) / (sd * math.sqrt(2 * math.pi)),
                              -math.inf, math.inf, epsabs=1e-14, epsrel=1e-12, limit=200)
    return val


@given(G=reals, v=variances)
@settings(max_examples=15)
def test_gaussian_forms_match_quadrature(G, v):
    sd = math.sqrt(v)
    # split at the kink: quad over [−G, ∞) of (G + s)² density
    val, _ = integrate.quad(lambda s: (G + s) ** 2 * math.exp(-s * s / (2 * v)) / (sd * math.sqrt(2 * math.pi)),
                            -G, math.inf, epsabs=1e-14, epsrel=1e-12)
    assert gaussian_relu_square_mean(G, v) == pytest.approx(val, rel=1e-8, abs=1e-13)
    a = G
    lo, _ = integrate.quad(lambda s: math.exp(-s * s / (2 * v)) / (sd * math.sqrt(2 * math.pi)), -math.inf, -a)
    hi, _ = integrate.quad(lambda s: (a + s - 1) ** 2 * math.exp(-s * s / (2 * v)) / (sd * math.sqrt(2 * math.pi)),
                           -a, math.inf, epsabs=1e-14, epsrel=1e-12)
    assert gaussian_relu_error_mean(a, v) == pytest.approx(lo + hi, rel=1e-8, abs=1e-13)


@given(c=st.floats(-1.5, 1.5), v=variances, ks=st.floats(-2.0, 3.0))
@settings(max_examples=15)
def test_edgeworth_matches_quadrature_of_the_edgeworth_density(c, v, ks):
    sd = math.sqrt(v)

    def dens(s):
        z = s / sd
        return math.exp(-z * z / 2) / (sd * math.sqrt(2 * math.pi)) * (1 + ks / 24 * (z**4 - 6 * z**2 + 3))

    val, _ = integrate.quad(lambda s: (s - c) ** 2 * dens(s), c, math.inf, epsabs=1e-14, epsrel=1e-12)
    assert edgeworth_relu_square_mean(c, v, ks) == pytest.approx(val, rel=1e-8, abs=1e-13)


def test_expected_loss_gaussian_matches_monte_carlo():
    # 200 000 draws; z = 5, false failure 5.7e-7
    rng = np.random.default_rng(12)
    W = rng.normal(0, 0.25, (5, 7))
    sigma, draws = 0.5, 200_000
    xi = NoiseSpec(family="gaussian", sigma=sigma).sample((draws, 7), rng=rng)
    A = (W @ W.T)[None] + (xi @ W.T)[:, None, :]
    R = np.maximum(A, 0) - np.eye(5)
    losses = (R**2).sum(axis=(1, 2))
    se = losses.std(ddof=1) / math.sqrt(draws)
    assert abs(losses.mean() - float(expected_loss_gaussian(W, sigma))) <= 5 * se
    # the test has power: at this W (‖W_b‖² ≈ 0.1–0.4) the diagonal ReLU is often inactive, and the
    # positivity formula Σ(1 − a)² + σ²a is off by ≈ 80 SE
    G = W @ W.T
    v = sigma**2 * np.sum(W**2, axis=1)
    positive_diag = np.sum((1 - np.diag(G)) ** 2 + v) + sum(
        float(gaussian_relu_square_mean(G[b, j], v[j])) for b in range(5) for j in range(5) if b != j)
    assert abs(positive_diag - float(expected_loss_gaussian(W, sigma))) > 10 * se


def test_random_direction_fourth_norm_matches_monte_carlo():
    # 100 000 Haar directions in R^16; z = 5, false failure 5.7e-7
    rng = np.random.default_rng(3)
    g = rng.normal(size=(100_000, 16))
    u4 = np.sum((g / np.linalg.norm(g, axis=1, keepdims=True)) ** 4, axis=1)
    assert abs(u4.mean() - random_direction_fourth_norm(16)) <= 5 * u4.std(ddof=1) / math.sqrt(len(u4))


# ------------------------------------------------------------------ exact enumeration


@given(seed=seeds, n=st.integers(1, 4), m=st.integers(1, 5), sigma=sigmas)
@settings(max_examples=15)
def test_bipolar_enumeration_equals_brute_force_over_theory_loss(seed, n, m, sigma):
    W = np.random.default_rng(seed).normal(0, 0.7, (n, m))
    brute = np.mean([loss(W, xi=sigma * np.array(p)) for p in itertools.product((-1.0, 1.0), repeat=m)])
    assert float(expected_loss_bipolar_exact(W, sigma)) == pytest.approx(brute, rel=1e-12)


def test_bipolar_enumeration_stacks_and_chunks():
    rng = np.random.default_rng(5)
    W = rng.normal(0, 0.4, (3, 9, 10))  # 2^10 patterns; chunked by 2^22/81 > 2^10: one chunk
    stacked = expected_loss_bipolar_exact(W, 0.2)
    assert stacked.shape == (3,)
    np.testing.assert_allclose(stacked, [expected_loss_bipolar_exact(Wi, 0.2) for Wi in W], rtol=1e-14)
    big = rng.normal(0, 0.1, (300, 6))  # 2^22/300² = 46 patterns per chunk: many chunks
    brute = np.mean([loss(big, xi=0.1 * np.array(p)) for p in itertools.product((-1.0, 1.0), repeat=6)])
    assert float(expected_loss_bipolar_exact(big, 0.1)) == pytest.approx(brute, rel=1e-12)


def test_bipolar_positivity_formula_when_the_diagonal_stays_positive():
    # centred simplex, σ = 0.15: ‖W_b‖² = 1 > σ‖W_b‖₁, so the diagonal term is (1 − a)² + σ²a exactly
    U = centred_simplex(4, 6)
    sigma = 0.15
    off = []
    for p in itertools.product((-1.0, 1.0), repeat=6):
        s = U @ (sigma * np.array(p))
        off.append(sum(max((U[b] @ U[j]) + s[j], 0) ** 2 for b in range(4) for j in range(4) if b != j))
    assert float(expected_loss_bipolar_exact(U, sigma)) == pytest.approx(4 * sigma**2 + np.mean(off), rel=1e-12)


# ------------------------------------------------------------------ structure and limits


@given(seed=seeds, sigma=sigmas)
@settings(max_examples=10)
def test_gaussian_loss_is_rotation_invariant_and_edgeworth_reduces_to_it(seed, sigma):
    rng = np.random.default_rng(seed)
    W = rng.normal(0, 0.5, (4, 6))
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    assert float(expected_loss_gaussian(W @ Q, sigma)) == pytest.approx(float(expected_loss_gaussian(W, sigma)),
                                                                      rel=1e-12)
    assert float(expected_loss_edgeworth(W, sigma, 0.0)) == pytest.approx(float(expected_loss_gaussian(W, sigma)),
                                                                        rel=1e-12)


@given(seed=seeds)
@settings(max_examples=10)
def test_noiseless_limit_is_the_loss(seed):
    W = np.random.default_rng(seed).normal(0, 0.6, (2, 4, 5))
    for value in (expected_loss_gaussian(W, 0.0), expected_loss_edgeworth(W, 0.0, -2.0),
                  expected_loss_bipolar_exact(W, 0.0)):
        np.testing.assert_allclose(value, loss(W), rtol=1e-12)


def test_zero_rows_and_zero_variance():
    W = np.zeros((3, 4))
    W[0, 0] = 1.0
    assert float(expected_loss_edgeworth(W, 0.2, -2.0)) == pytest.approx(float(expected_loss_bipolar_exact(W, 0.2)))
    assert gaussian_relu_square_mean(-0.3, 0.0) == 0.0 and gaussian_relu_square_mean(0.3, 0.0) == pytest.approx(0.09)
    assert gaussian_relu_error_mean(-0.5, 0.0) == 1.0 and gaussian_relu_error_mean(0.5, 0.0) == pytest.approx(0.25)
    assert edgeworth_relu_square_mean(-0.3, 0.0, 5.0) == pytest.approx(0.09)


def test_centred_simplex_geometry():
    U = centred_simplex(8, 16)
    G = U @ U.T
    np.testing.assert_allclose(np.diag(G), 1.0, rtol=1e-14)
    np.testing.assert_allclose(G[~np.eye(8, dtype=bool)], -1 / 7, rtol=1e-13)
    np.testing.assert_allclose(U.sum(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(np.sum(U**4, axis=1), simplex_fourth_norm(8), rtol=1e-13)


def test_sign_rule():
    assert [fourth_norm_drift_sign(k) for k in (-2.0, -1.2, 0.0, 3.0)] == [1, 1, 0, -1]
    # the Edgeworth correction grows with κ_s at a positive margin and shrinks at a negative one
    assert edgeworth_relu_square_mean(0.1, 0.02, 1.0) > edgeworth_relu_square_mean(0.1, 0.02, 0.0)
    assert edgeworth_relu_square_mean(-0.1, 0.02, 1.0) < edgeworth_relu_square_mean(-0.1, 0.02, 0.0)
    # at the aligned simplex (large ‖w‖₄⁴) the Edgeworth loss orders the three families as the exact values do
    U = centred_simplex(8, 16)
    values = [float(expected_loss_edgeworth(U, 0.15, k)) for k in (-2.0, 0.0, 3.0)]
    assert values[0] < values[1] < values[2]


# ------------------------------------------------------------------ invalid input


@pytest.mark.parametrize("call,match", [
    (lambda: expected_loss_bipolar_exact(np.zeros((2, 21)), 0.1), "m <= 20"),
    (lambda: expected_loss_bipolar_exact(np.zeros(5), 0.1), "W must have shape"),
    (lambda: expected_loss_gaussian(np.ones((2, 3)), -0.1), "sigma"),
    (lambda: expected_loss_edgeworth(np.ones((2, 3)), 0.1, -3.0), "kurtosis"),
    (lambda: expected_loss_gaussian(np.full((2, 3), np.nan), 0.1), "W must be finite"),
    (lambda: projection_moments(np.ones(3), 0.1, math.inf), "kurtosis"),
    (lambda: projection_moments(np.ones((2, 0)), 0.1, 0.0), "w must have shape"),
    (lambda: projection_excess_kurtosis(np.zeros(3), -2.0), "no zero row"),
    (lambda: gaussian_relu_square_mean(0.1, -1.0), "v must be a variance"),
    (lambda: gaussian_relu_error_mean(np.nan, 1.0), "a must be finite"),
    (lambda: edgeworth_relu_square_mean(0.1, 1.0, np.nan), "kurtosis_s must be finite"),
    (lambda: simplex_fourth_norm(1), "n must be an integer >= 2"),
    (lambda: random_direction_fourth_norm(0), "m must be an integer >= 1"),
    (lambda: centred_simplex(8, 4), "m must be >= n"),
    (lambda: fourth_norm_drift_sign("negative"), "kurtosis"),
])
def test_invalid_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
