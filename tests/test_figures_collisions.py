"""The multi-λ figure (paper §3.4, ``reproduce curves``) and the start–end correlation figure
(§3.5, ``reproduce correlations``), with the two diagonal predictions of ``theory.collisions``."""

import csv
import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from sims.runs import grids as sweeps
from sims.studies import collisions as studies
from sims.cli import main
from sims.figures.correlations import HEADER, diagonal_predictions
from sims.figures.curves import count_summary
from sims.measure.metrics import start_end_correlation
from sims.dynamics.train import TrainConfig, train
from theory import ModelSpec
from theory.collisions import expected_abs_normal, expected_max_abs_normal

Z = 5.0  # two-sided normal z for a Monte Carlo mean: false-failure probability 5.7e-7 per comparison


# ------------------------------------------------------------------------------ theory


@pytest.mark.parametrize("m,scale", [(1, 1.0), (2, 0.5), (7, 2.0), (64, 1 / 8), (1024, 1 / 32)])
def test_expected_max_abs_normal_matches_monte_carlo(m, scale):
    rng = np.random.default_rng([6, m])
    trials = 20_000
    sample = np.abs(rng.normal(0.0, scale, size=(trials, m))).max(axis=1)
    z = (sample.mean() - expected_max_abs_normal(m, scale)) / (sample.std(ddof=1) / math.sqrt(trials))
    assert abs(z) <= Z, z


@pytest.mark.parametrize("scale", [1e-3, 1 / 64, 1.0, 3.0])
def test_expected_abs_normal_matches_monte_carlo(scale):
    rng = np.random.default_rng([6, 0])
    sample = np.abs(rng.normal(0.0, scale, size=200_000))
    z = (sample.mean() - expected_abs_normal(scale)) / (sample.std(ddof=1) / math.sqrt(sample.size))
    assert abs(z) <= Z, z


def test_expected_max_abs_normal_closed_forms_and_order_statistic_route():
    # m = 1: E|X| = s√(2/π); m = 2: E max(|X|, |Y|) = 2E|X| − E min = 2s/√π (E min = s√(2/π)(2 − √2))
    assert expected_max_abs_normal(1, 0.3) == pytest.approx(expected_abs_normal(0.3), rel=1e-12)
    assert expected_max_abs_normal(2, 0.3) == pytest.approx(0.6 / math.sqrt(math.pi), rel=1e-11)
    # independent route: E max = ∫ x · m f(x) F(x)^{m−1} dx with the half-normal density f and cdf F
    for m in (3, 100, 4096, 10**6):
        density = stats.halfnorm.pdf
        cdf = stats.halfnorm.cdf
        x_hi = math.sqrt(2 * math.log(2 * m)) + 12
        route = quad(lambda x: x * m * density(x) * cdf(x) ** (m - 1), 0, x_hi, points=[math.sqrt(2 * math.log(m))],
                     limit=200, epsabs=1e-13, epsrel=1e-11)[0]
        assert expected_max_abs_normal(m, 1.0) == pytest.approx(route, rel=1e-8), m
    # scale-equivariant, increasing in m, below the extreme-value bound √(2 ln 2m)
    values = [expected_max_abs_normal(m, 1.0) for m in (1, 2, 10, 100, 1000, 10_000)]
    assert np.all(np.diff(values) > 0)
    assert all(v < math.sqrt(2 * math.log(2 * m)) for v, m in zip(values[1:], (2, 10, 100, 1000, 10_000)))
    assert expected_max_abs_normal(50, 2.5) == pytest.approx(2.5 * expected_max_abs_normal(50, 1.0), rel=1e-12)
    # the paper's reference numbers at m = 4096 (§3.5): ≈ 0.06 (argmax) and ≈ 0.0125 (random)
    assert expected_max_abs_normal(4096, 1 / 64) == pytest.approx(0.0594, abs=5e-4)
    assert expected_abs_normal(1 / 64) == pytest.approx(0.0125, abs=1e-4)


@pytest.mark.parametrize("call,name", [
    (lambda: expected_max_abs_normal(0, 1.0), "m"),
    (lambda: expected_max_abs_normal(2.5, 1.0), "m"),
    (lambda: expected_max_abs_normal(True, 1.0), "m"),
    (lambda: expected_max_abs_normal(4, 0.0), "scale"),
    (lambda: expected_max_abs_normal(4, -1.0), "scale"),
    (lambda: expected_max_abs_normal(4, math.nan), "scale"),
    (lambda: expected_max_abs_normal(4, "1"), "scale"),
    (lambda: expected_abs_normal(0.0), "scale"),
    (lambda: expected_abs_normal(math.inf), "scale"),
    (lambda: expected_abs_normal(None), "scale"),
])
def test_theory_input_validation(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        call()


# ------------------------------------------------------------------------------ point functions and summaries


def test_count_summary():
    s = count_summary([1, 2, 3, 4, 10])
    assert s["mean"] == 4.0 and s["median"] == 3.0 and s["q25"] == 2.0 and s["q75"] == 4.0
    assert s["se"] == pytest.approx(np.std([1, 2, 3, 4, 10], ddof=1) / math.sqrt(5))
    with pytest.raises(ValueError, match="values"):
        count_summary([])


def test_start_end_correlations_at_step_zero_is_the_initial_gram_matrix():
    # with no training W(T) = W(0): C = W0 W0ᵀ, every feature's winner is its argmax, w* = max|W_a(0)|
    r = studies.start_end_correlations(rng=np.random.default_rng(3), n=8, m=16, l1=1e-3, steps=0, instances=3)
    again = studies.start_end_correlations(rng=np.random.default_rng(3), n=8, m=16, l1=1e-3, steps=0, instances=3)
    assert r["matrix"].tolist() == again["matrix"].tolist()
    W0 = train(ModelSpec(n=8, m=16, l1=1e-3), TrainConfig(steps=0, instances=3, dtype="float32"),
               rng=np.random.default_rng(3)).W0.astype(np.float64)
    C = start_end_correlation(W0, W0)
    np.testing.assert_allclose(r["matrix"], C.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(r["corr_diagonal"], (W0**2).sum(-1).mean(-1), rtol=1e-12)
    np.testing.assert_array_equal(r["argmax_fraction"], 1.0)
    np.testing.assert_allclose(r["w_star"], r["init_max_abs"], rtol=1e-12)
    np.testing.assert_allclose(r["winner_init_abs"], r["init_max_abs"], rtol=1e-12)
    np.testing.assert_allclose(r["init_mean_abs"], np.abs(W0).mean(axis=(1, 2)), rtol=1e-12)


def test_diagonal_predictions_arithmetic():
    result = {"w_star": [1.0, 0.5], "corr_diagonal": [0.06, 0.04], "corr_offdiagonal_mean": [0.0, 0.0],
              "corr_offdiagonal_std": [0.01, 0.01], "argmax_fraction": [0.2, 0.4], "init_max_abs": [0.1, 0.2],
              "init_mean_abs": [0.02, 0.04], "winner_init_abs": [0.05, 0.06],
              "matrix": [[0.05, 0.01, -0.01], [0.03, 0.05, 0.0], [0.0, 0.0, 0.05]]}
    s = diagonal_predictions(result, m=1024, l1=1e-3)
    assert set(HEADER[5:]) == set(s)
    assert s["w_star_measured"] == 0.75 and s["diagonal_mean"] == pytest.approx(0.05)
    assert s["argmax_prediction"] == pytest.approx(0.75 * expected_max_abs_normal(1024, 1 / 32))
    assert s["random_prediction"] == pytest.approx(0.75 * math.sqrt(2 / (math.pi * 1024)))
    assert s["argmax_prediction_empirical"] == pytest.approx((0.1 + 0.1) / 2)
    assert s["random_prediction_empirical"] == pytest.approx((0.02 + 0.02) / 2)
    assert s["winner_init_empirical"] == pytest.approx((0.05 + 0.03) / 2)
    assert s["matrix_offdiagonal_std"] == pytest.approx(np.std([0.01, -0.01, 0.03, 0.0, 0.0, 0.0]))
    assert s["w_star_fixed_point"] == pytest.approx(1 - 1e-3 / 8, abs=1e-6)  # w* ≈ 1 − λ'/2, λ' = λ/4
    assert s["diagonal_position"] == pytest.approx(
        (0.05 - s["random_prediction"]) / (s["argmax_prediction"] - s["random_prediction"]))


# ------------------------------------------------------------------------------ smoke: the two reproductions


def _table(path):
    with open(path) as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_reproduce_curves_tiny(tmp_path, monkeypatch):
    tiny = ({"l1": (1e-3, 1e-1), "m": (8, 16)}, {"n": 8, "steps": 200, "instances": 3})
    monkeypatch.setitem(sweeps.SWEEPS, "curves", (studies.polysemantic_counts, tiny, tiny))
    assert main(["reproduce", "curves", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    header, rows = _table(tmp_path / "curves.csv")
    for col in ("n", "l1", "m", "instances", "band_mean", "band_se", "band_q25", "band_median", "band_q75",
                "dominant_mean", "dominant_se", "dominant_q25", "dominant_q75", "opposite_sign_mean", "same_sign_mean",
                "paper_n2_over_4m", "distinct_expected"):
        assert col in header, col
    assert [(float(r[1]), int(r[2])) for r in rows] == [(1e-3, 8), (1e-3, 16), (1e-1, 8), (1e-1, 16)]
    for r in rows:
        row = dict(zip(header, r))
        values = [float(row[c]) for c in header if c != "distinct_expected"]
        assert all(math.isfinite(v) for v in values)
        assert float(row["band_q25"]) <= float(row["band_median"]) <= float(row["band_q75"])
        assert float(row["paper_n2_over_4m"]) == 64 / (4 * int(row["m"]))


def test_reproduce_correlations_tiny(tmp_path, monkeypatch):
    tiny = ({"m": (16,)}, {"n": 8, "l1": 1e-3, "steps": 200, "instances": 3})
    monkeypatch.setitem(sweeps.SWEEPS, "correlations", (studies.start_end_correlations, tiny, tiny))
    assert main(["reproduce", "correlations", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "correlations.png").read_bytes()[:4] == b"\x89PNG"
    header, rows = _table(tmp_path / "correlations.csv")
    assert tuple(header) == HEADER and len(rows) == 1
    row = {k: float(v) for k, v in zip(header, rows[0])}
    assert all(math.isfinite(v) for v in row.values())
    assert (row["n"], row["m"], row["instances"]) == (8, 16, 3)
    assert row["random_prediction"] == pytest.approx(row["w_star_measured"] * math.sqrt(2 / (math.pi * 16)))
    mheader, mrows = _table(tmp_path / "correlations-matrix.csv")
    assert mheader == ["a"] + [f"b{b}" for b in range(8)] and len(mrows) == 8
    C = np.array([[float(x) for x in r[1:]] for r in mrows])
    assert np.all(np.isfinite(C))
    assert np.diag(C).mean() == pytest.approx(row["diagonal_mean"], rel=1e-9)
