"""theory.single_feature and theory.two_features against the sympy derivations (lambdified at
hypothesis-drawn points), limits, and validation."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import single_feature as dsf
from derivations import two_features as dtf
from theory import single_feature as tsf
from theory.two_features import shared_neuron_rhs

from .strategies import seeds

betas = st.floats(min_value=0.0, max_value=25.0)
lams = st.floats(min_value=0.0, max_value=0.38)

mpmath.mp.dps = 30
_M = sp.lambdify(dsf.beta, list(dsf.half_normal_moments()), modules="mpmath")
_RV = sp.lambdify(dsf.beta, dsf.derive_continuum()["RV"].rhs, modules="mpmath")
_WSTAR = sp.lambdify(dsf.lam, dsf.derive_fixed_point()["w*"].rhs, modules="mpmath")


@given(beta=betas)
def test_continuum_moments_match_derivation(beta):
    # numpy loses ≈ log10(β⁴/4) digits to cancellation in M₂ (documented); 1e-10 covers β ≤ 25
    ref = [float(v) for v in _M(mpmath.mpf(beta))]
    got = tsf.continuum_moments(beta)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=0)
    assert float(tsf.continuum_survivor_fraction(beta)) == pytest.approx(ref[0], rel=1e-13)
    assert float(tsf.continuum_relative_variance(beta)) == pytest.approx(float(_RV(mpmath.mpf(beta))), rel=1e-9)


def test_continuum_limits():
    m0, m1, m2 = tsf.continuum_moments(0.0)
    assert (m0, m2) == (pytest.approx(1.0), pytest.approx(1.0)) and m1 == pytest.approx(math.sqrt(2 / math.pi))
    assert float(tsf.continuum_relative_variance(0.0)) == pytest.approx(math.pi / 2 - 1, rel=1e-14)
    assert float(tsf.continuum_relative_variance(30.0)) == pytest.approx(1.0, abs=1e-2)


@given(lam=lams)
def test_fixed_point_matches_derivation_and_solves_the_cubic(lam):
    w = tsf.fixed_point(lam)
    assert w == pytest.approx(float(_WSTAR(mpmath.mpf(lam))), rel=1e-14)
    assert (1 - w * w) * w == pytest.approx(lam, abs=1e-14)
    assert w > 1 / math.sqrt(3)  # the largest root, on the stable branch 1 − 3w² < 0
    if lam < 0.05:
        assert w == pytest.approx(1 - lam / 2 - 3 * lam**2 / 8 - lam**3 / 2, abs=2 * lam**4 + 4e-16)


def test_fixed_point_validation():
    assert tsf.fixed_point_threshold() == pytest.approx(2 / (3 * math.sqrt(3)))
    assert tsf.fixed_point(0.0) == pytest.approx(1.0, abs=4e-16)
    for bad in (-0.01, tsf.fixed_point_threshold(), 0.5, float("nan")):
        with pytest.raises(ValueError, match="lam"):
            tsf.fixed_point(bad)


def _mdim_rhs(w, lam):
    """dw/dt = (1 − ‖w‖²)w − λ sign w, sign(0) = 0 (the flow itself, computed directly)."""
    return (1 - w @ w) * w - lam * np.sign(w)


@given(seed=seeds, m=st.integers(1, 300), lam=st.floats(0.0, 0.3), frac=st.floats(0.0, 0.95),
       log_a=st.floats(-1.0, 3.0))
def test_reduced_rhs_reproduces_the_m_dimensional_flow(seed, m, lam, frac, log_a):
    rng = np.random.default_rng(seed)
    w0 = rng.normal(0, m**-0.5, m)
    b = float(frac * np.abs(w0).max())
    init = tsf.initial_magnitudes(w0)
    dloga, db = tsf.reduced_rhs(0.0, [log_a, b], lam, init)
    w = tsf.exact_weights(w0, log_a, b)
    assert dloga == pytest.approx(1 - w @ w, rel=1e-11, abs=1e-12)
    assert db == pytest.approx(lam * math.exp(-log_a), rel=1e-14)
    # chain rule of w = sign·a(|w0| − b)₊: dw/dt = w·dlog a/dt − sign·a·db/dt on survivors
    alive = np.abs(w0) > b
    chain = np.where(alive, w * dloga - np.sign(w0) * math.exp(log_a) * db, 0.0)
    np.testing.assert_allclose(chain, _mdim_rhs(w, lam), rtol=1e-10, atol=1e-11)


@given(seed=seeds)
@settings(max_examples=10)
def test_reduced_ode_matches_derivation(seed):
    d = dsf.derive_reduced_ode(5)
    u = sp.symbols("u_1:6", positive=True)
    a, b = sp.symbols("a b", positive=True)
    f = sp.lambdify([u, a, b], d["dlog a/dt"].rhs)
    rng = np.random.default_rng(seed)
    w0 = np.abs(rng.normal(0, 0.45, 5)) + 0.01
    bb, aa = float(0.9 * w0.min()), float(rng.uniform(0.5, 3))
    got = tsf.reduced_rhs(0.0, [math.log(aa), bb], 0.1, tsf.initial_magnitudes(w0))[0]
    assert got == pytest.approx(f(list(w0), aa, bb), rel=1e-12, abs=1e-12)


@given(seed=seeds, m=st.integers(65, 2000), frac=st.floats(0.0, 0.5))
@settings(max_examples=10)
def test_prefix_sums_agree_with_direct_sum(seed, m, frac):
    rng = np.random.default_rng(seed)
    init = tsf.initial_magnitudes(rng.normal(0, m**-0.5, m))
    b = float(np.quantile(init.w, frac))
    direct = float(np.sum(np.maximum(init.w - b, 0.0) ** 2))
    assert init.survivor_square_excess(b) == pytest.approx(direct, rel=1e-10)
    # the vectorised sums at an array of thresholds equal the scalar ones, bit for bit
    bs = np.quantile(init.w, [0.0, frac, 0.99, 1.0])
    s0, s1, s2 = init.excess_sums(bs)
    for i, bb in enumerate(bs):
        e = np.maximum(init.w - bb, 0.0)
        assert s0[i] == np.count_nonzero(e) and s2[i] == init.survivor_square_excess(float(bb))
        assert s1[i] == pytest.approx(e.sum(), rel=1e-10, abs=1e-15)


@given(seed=seeds, lam=st.floats(1e-4, 0.05))
@settings(max_examples=15)
def test_balanced_inverse_l1_rate_is_lambda_rv_over_q(seed, lam):
    rng = np.random.default_rng(seed)
    w = np.abs(rng.normal(0, 0.2, 30))
    q, S, m_ = float(w @ w), float(w.sum()), w.size
    delta = float(tsf.quasi_static_feature_benefit(S, lam, q))
    assert float(tsf.norm_balance_rate(1 - delta, S, lam)) != 0  # q here is not the balanced one
    assert float(tsf.norm_balance_rate(q, S, lam)) == pytest.approx(2 * (1 - q) * q - 2 * lam * S)
    rate = lam * m_ / S**2 - delta / S  # d(1/S)/dt = −(δS − λm′)/S² with δ balanced
    assert rate == pytest.approx(lam * tsf.relative_variance(w) / q, rel=1e-10)


def test_continuum_flow_tends_to_the_quasi_static_law_at_order_one_in_eps():
    tau = 3.0
    beta0 = float(tsf.solve_continuum_law([0.0, tau]).y[-1, 0])
    eps = np.array([0.04, 0.02, 0.01, 0.005])
    err = [abs(float(tsf.solve_continuum_flow([0.0, tau], e).y[-1, 1]) - beta0) for e in eps]
    slope = np.polyfit(np.log(eps), np.log(err), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.1)


def test_continuum_law_structure_and_asymptotics():
    tau = np.array([0.0, 0.5, 1.0, 1e3, 1e4])
    law = tsf.solve_continuum_law(tau)
    assert law.survivor_fraction[0] == 1.0 and law.l1_norm[0] == pytest.approx(math.sqrt(2 / math.pi))
    # d(√m/S)/dτ = RV on the slow manifold (central difference, h = 1e-3)
    h = 1e-3
    side = tsf.solve_continuum_law([0.0, 1.0 - h, 1.0, 1.0 + h])
    d_inv = (1 / side.l1_norm[3] - 1 / side.l1_norm[1]) / (2 * h)
    assert d_inv == pytest.approx(side.relative_variance[2], rel=1e-5)
    # large τ: τ(β) ≈ asymptotic_tau(β) to O(β⁻⁴), and m′/m·τ² = 2(1 + 3/β²) + O(β⁻⁴)
    b = law.y[3:, 0]
    assert np.all(np.abs(tsf.asymptotic_tau(b) / tau[3:] - 1) < 5 / b**4)
    assert np.all(np.abs(law.survivor_fraction[3:] * tau[3:] ** 2 - 2 * (1 + 3 / b**2)) < 60 / b**4)


def test_paper_heuristics():
    assert float(tsf.paper_l1_heuristic(0.0, 100, 0.01)) == pytest.approx(10.0)
    assert float(tsf.paper_active_heuristic(0.0, 100, 0.01)) == pytest.approx(100.0)
    assert float(tsf.paper_active_heuristic(1e4, 100, 0.01)) == 1.0
    assert float(tsf.paper_active_heuristic(1e4, 100, 0.01, clip=False)) == pytest.approx(1 / 100.1**2)
    with pytest.raises(ValueError, match="m"):
        tsf.paper_l1_heuristic(1.0, 0, 0.01)
    with pytest.raises(ValueError, match="lam"):
        tsf.paper_l1_heuristic(1.0, 10, -1.0)


def test_validation_names_the_parameter():
    with pytest.raises(ValueError, match="b must"):
        tsf.exact_weights([0.1], 0.0, -0.1)
    with pytest.raises(ValueError, match="beta"):
        tsf.continuum_moments(-1.0)
    with pytest.raises(ValueError, match="eps"):
        tsf.solve_continuum_flow([0.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="tau"):
        tsf.solve_continuum_law([0.0, np.nan])
    with pytest.raises(ValueError, match="t_eval"):
        tsf.solve_reduced_flow([0.1, 0.2], 0.1, [2.0, 1.0])
    with pytest.raises(ValueError, match="sq_norm"):
        tsf.quasi_static_feature_benefit(1.0, 0.1, 0.0)
    with pytest.raises(ValueError, match="w0"):
        tsf.initial_magnitudes([])
    with pytest.raises(ValueError, match="lam"):
        shared_neuron_rhs(0.0, [0.5, 0.5], -0.1)


_X, _Y, _Z = dtf.x, dtf.y, dtf.z
_TF = dtf.derive_reduced_system()
_SAME = sp.lambdify([_X, _Y, dtf.lam], [_TF["same sign dx/dt"].rhs, _TF["same sign dy/dt"].rhs])
_OPP = sp.lambdify([_X, _Z, dtf.lam], [_TF["opposite sign dx/dt"].rhs, _TF["opposite sign dy/dt (y = -z)"].rhs])


@given(x=st.floats(0.01, 1.5), y=st.floats(0.01, 1.5), lam=lams)
def test_shared_neuron_rhs_matches_derivation(x, y, lam):
    np.testing.assert_allclose(shared_neuron_rhs(0.0, [x, y], lam), _SAME(x, y, lam), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(shared_neuron_rhs(0.0, [-x, -y], lam), -np.array(_SAME(x, y, lam)),
                               rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(shared_neuron_rhs(0.0, [x, -y], lam), _OPP(x, y, lam), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(shared_neuron_rhs(0.0, [x, -y], lam, same_sign=False), _OPP(x, y, lam),
                               rtol=1e-13, atol=1e-14)
    # the same-sign pair is one feature on m = 2 coordinates
    np.testing.assert_allclose(shared_neuron_rhs(0.0, [x, y], lam), _mdim_rhs(np.array([x, y]), lam),
                               rtol=1e-13, atol=1e-14)
