"""Polysemantic neurons of digit networks (``sims.studies.task_network``): measurements on constructed
activations, reproducible point functions, the toy model's null against a Monte Carlo of class placement,
the Pareto front and rank correlation used by the trade-off figure, input validation, and the quick
reproductions (slow tier).

Every stochastic test uses fixed seeds; the Monte Carlo test states its false-failure probability.
"""

import csv
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sims.figures.digits import incidental_null, pareto_front
from sims.studies.task_network import (
    DIGIT_ARMS,
    digits_arm_point,
    digits_networks,
    digits_point,
    network_measures,
    noise_spec,
    spearman_interval,
)

from .strategies import seeds

TINY = {"n_class": 3, "width": 8, "steps": 60, "lr": 1e-2, "instances": 2}


# ------------------------------------------------------------------------ measurements by hand


def test_network_measures_by_hand():
    # 4 images of classes 0, 0, 1, 2; m = 5 neurons:
    # 0: classes 0 and 1 equally (polysemantic, SI = 0.5); 1: class 2 only (SI 1); 2: dead;
    # 3: constant 0.7 (prefers every class: polysemantic, SI 0); 4: class 0 at 1.0, class 1 at 0.4 (< rel 0.5)
    H = np.array([[1.0, 0.0, 0.0, 0.7, 1.0],
                  [1.0, 0.0, 0.0, 0.7, 1.0],
                  [1.0, 0.0, 0.0, 0.7, 0.4],
                  [0.0, 2.0, 0.0, 0.7, 0.0]])[None]
    out = network_measures(H, np.array([0, 0, 1, 2]), n_class=3)
    assert out["live"].tolist() == [4]
    assert out["polysemantic"].tolist() == [2]
    assert out["constant"].tolist() == [1]
    si = [(1 - 0.5) / (1 + 0.5), 1.0, 0.0, (1 - 0.2) / (1 + 0.2)]  # neurons 0, 1, 3, 4
    assert out["low_selectivity"].tolist() == [sum(s < 0.5 for s in si)]
    assert out["mean_selectivity"][0] == pytest.approx(np.mean(si), rel=1e-12)
    # a stricter rel keeps neuron 0 polysemantic (equal means) and the constant neuron
    assert network_measures(H, np.array([0, 0, 1, 2]), n_class=3, rel=0.99)["polysemantic"].tolist() == [2]
    # a looser one adds neuron 4 (0.4 >= 0.3 × 1.0)
    assert network_measures(H, np.array([0, 0, 1, 2]), n_class=3, rel=0.3)["polysemantic"].tolist() == [3]


def test_network_measures_all_dead_gives_nan_selectivity():
    out = network_measures(np.zeros((2, 3, 4)), np.array([0, 1, 1]), n_class=2)
    assert out["live"].tolist() == [0, 0] and out["polysemantic"].tolist() == [0, 0]
    assert np.isnan(out["mean_selectivity"]).all()


# ------------------------------------------------------------------------ point functions


def test_digits_point_same_seed_same_row():
    a = digits_point(rng=None, init_seed=3, **TINY)
    b = digits_point(rng=np.random.default_rng(99), init_seed=3, **TINY)  # rng unused: paired starts
    c = digits_point(rng=None, init_seed=4, **TINY)
    assert a.keys() == b.keys()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["test_loss"], c["test_loss"])
    assert a["count_times_m"].tolist() == (a["polysemantic"] * TINY["width"]).tolist()
    assert (a["polysemantic"] <= a["live"]).all() and (a["live"] <= TINY["width"]).all()


def test_digits_networks_uses_its_rng():
    a = digits_networks(rng=np.random.default_rng(5), **TINY)
    b = digits_networks(rng=np.random.default_rng(5), **TINY)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_two_layer_counts_are_each_hidden_layer_measured():
    from sims.data.digits import digits_task
    from sims.dynamics.schedule import Schedule
    from sims.dynamics.task_train import TaskNetConfig, train_task_network

    out = digits_networks(rng=7, layers=2, more_rels=(0.8,), **TINY)
    one = digits_networks(rng=7, more_rels=(0.8,), **TINY)
    assert not any(key.endswith("_layer2") for key in one)
    assert set(out) == set(one) | {f"{key}_layer2" for key in one
                                   if key not in ("test_accuracy", "test_loss", "train_accuracy")}
    config = TaskNetConfig(width=TINY["width"], lr=TINY["lr"], steps=TINY["steps"], instances=TINY["instances"],
                           layers=2, record=Schedule(points=2))
    data = digits_task(n_class=TINY["n_class"], test_fraction=0.25, seed=0)
    result = train_task_network(data, config, rng=7)
    for layer, suffix in ((1, ""), (2, "_layer2")):
        want = network_measures(result.hidden(data.X_train, layer=layer), data.y_train, n_class=TINY["n_class"])
        assert all(np.array_equal(out[f"{key}{suffix}"], want[key], equal_nan=True) for key in want)
        assert np.array_equal(out[f"count_times_m{suffix}"], want["polysemantic"] * TINY["width"])
    assert np.array_equal(out["test_accuracy"], result.test_accuracy)


def test_synthetic_law_sweeps_train_as_the_count_law_claims():
    # the figure's sweeps are built from the recipe the count-law claims use (the ledger's LAW_* are grids' constants)
    from sims.ledger import synthetic_task as ledger
    from sims.runs.grids import synthetic_law_sweeps

    for quick, widths, nets in ((True, ledger.LAW_WIDTHS_QUICK, ledger.LAW_NETS_QUICK),
                                (False, ledger.LAW_WIDTHS_FULL, ledger.LAW_NETS_FULL)):
        sweeps = synthetic_law_sweeps(quick=quick)
        assert sweeps["adamw"].fixed == {**ledger.LAW_RECIPE, "l1": ledger.LAW_L1, "instances": nets}
        assert sweeps["prox-gd"].fixed == {**ledger.LAW_RECIPE, **ledger.LAW_PROX, "l1": ledger.LAW_L1,
                                           "instances": nets}
        assert all(s.grid == {"width": widths} for s in sweeps.values())


def test_arm_baseline_is_the_point_and_arms_differ():
    params = {k: v for k, v in TINY.items() if k != "width"}
    base = digits_arm_point(rng=None, arm="baseline", init_seed=1, width=8, **params)
    same = digits_point(rng=None, init_seed=1, width=8, **params)
    assert all(np.array_equal(base[k], same[k]) for k in base)
    wider = digits_arm_point(rng=None, arm="wider", init_seed=1, width=8, **params)
    assert (wider["live"] > TINY["width"]).any()  # 32 neurons
    l1 = digits_arm_point(rng=None, arm="l1", init_seed=1, width=8, l1=1e-2, **params)
    assert not np.array_equal(l1["test_loss"], base["test_loss"])


@pytest.mark.parametrize("arm", DIGIT_ARMS)
def test_every_arm_runs(arm):
    out = digits_arm_point(rng=None, arm=arm, init_seed=0, width=4, n_class=3, steps=20, lr=1e-2, instances=1)
    assert np.isfinite(out["test_loss"]).all() and 0 <= out["test_accuracy"][0] <= 1


# ------------------------------------------------------------------------ the toy model's null


def test_incidental_null_is_k_k_minus_1_over_4m():
    for k, m in ((2, 16), (5, 64), (10, 64), (10, 512)):
        assert incidental_null(k, m) == pytest.approx(k * (k - 1) / (4 * m), rel=1e-15)


@pytest.mark.parametrize("k,m", [(10, 16), (10, 64), (5, 32)])
def test_incidental_null_matches_monte_carlo_of_class_placement(k, m):
    """Each class's winner: sign ± with probability ½; the positive classes on distinct uniform neurons, the
    negative ones on an independent set of distinct uniform neurons; a neuron holding both signs is polysemantic.
    |mean − null| ≤ 4.5 SE: false failure ≈ 7e-6 per case (normal approximation, 40000 placements)."""
    rng = np.random.default_rng([k, m, 2023])
    trials = 40_000
    n_pos = rng.binomial(k, 0.5, size=trials)[:, None]
    # a uniform random set of s distinct neurons = the neurons ranked < s by independent uniform keys
    rank_pos = rng.random((trials, m)).argsort(axis=1).argsort(axis=1)
    rank_neg = rng.random((trials, m)).argsort(axis=1).argsort(axis=1)
    counts = ((rank_pos < n_pos) & (rank_neg < k - n_pos)).sum(axis=1)
    se = counts.std(ddof=1) / math.sqrt(trials)
    assert abs(counts.mean() - incidental_null(k, m)) <= 4.5 * se


# ------------------------------------------------------------------------ front and correlation


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=25))
def test_pareto_front_is_exactly_the_undominated_points(points):
    cost, value = np.array(points, float).T
    front = pareto_front(cost, value)
    assert front.any()  # a point of least cost and, among those, greatest value is never dominated
    for i in range(len(points)):
        dominated = any(cost[j] <= cost[i] and value[j] >= value[i] and (cost[j] < cost[i] or value[j] > value[i])
                        for j in range(len(points)))
        assert front[i] == (not dominated)


@given(seeds)
def test_spearman_interval_contains_rho_and_is_rank_invariant(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=30), rng.normal(size=30)
    rho, lo, hi = spearman_interval(x, y)
    assert -1 <= lo <= rho <= hi <= 1
    assert spearman_interval(np.exp(x), y ** 3) == pytest.approx((rho, lo, hi), abs=1e-12)  # monotone maps


def test_spearman_interval_width_shrinks_as_one_over_sqrt_n():
    """Fisher z: the half-width in z is 1.96·√(1.06/(N − 3)), so at ρ = 0 it is tanh of that."""
    x = np.arange(103.0)
    y = np.r_[x[::2], x[1::2]]  # some shuffle
    rho, lo, hi = spearman_interval(x, y)
    half = 1.959963984540054 * math.sqrt(1.06 / 100)
    assert math.atanh(hi) - math.atanh(rho) == pytest.approx(half, rel=1e-9)
    assert math.atanh(rho) - math.atanh(lo) == pytest.approx(half, rel=1e-9)


# ------------------------------------------------------------------------ input validation


@pytest.mark.parametrize("call,match", [
    (lambda: noise_spec("cauchy", 0.3), "noise_family"),
    (lambda: noise_spec("bipolar", -0.3), "sigma"),
    (lambda: noise_spec("three-point", 0.3, -3.0), "kurtosis"),
    (lambda: digits_networks(rng=0, **{**TINY, "width": 0}), "width"),
    (lambda: digits_networks(rng=0, **{**TINY, "n_class": 11}), "n_class"),
    (lambda: digits_networks(rng=0, **{**TINY, "init_scale": 0.0}), "init_scale"),
    (lambda: digits_networks(rng=0, **{**TINY, "l1_warmup": -1}), "l1_warmup"),
    (lambda: digits_networks(rng=0, **{**TINY, "rel": 0.0}), "rel"),
    (lambda: digits_networks(rng=0, **TINY, more_rels=(0.8, 1.5)), "rel"),
    (lambda: digits_networks(rng=0, **TINY, more_rels=0.8), "more_rels"),
    (lambda: digits_point(rng=None, init_seed=-1, **TINY), "init_seed"),
    (lambda: digits_arm_point(rng=None, arm="dropout", init_seed=0), "arm"),
    (lambda: network_measures(np.ones((3, 2)), np.array([0, 1, 1]), n_class=2), "activations"),
    (lambda: network_measures(np.ones((1, 3, 2)), np.array([0, 1, 1]), n_class=2, si_threshold=0.0), "si_threshold"),
    (lambda: pareto_front([1, 2], [1.0]), "cost and value"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------ quick reproductions


def _rows(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_reproduce_digits_quick(tmp_path):
    from sims.cli import main

    assert main(["reproduce", "digits", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "digits.png").stat().st_size > 0
    rows = _rows(tmp_path / "digits.csv")
    assert [r["sweep"] for r in rows] == (["width"] * 3 + ["classes"] * 3 + ["l1"] * 3 + ["kurtosis"] * 3
                                          + ["two-layer"] * 6)
    assert [(r["layers"], r["layer"]) for r in rows] == [("1", "1")] * 12 + [("2", "1"), ("2", "2")] * 3
    for r in rows:
        k, m = int(r["n_class"]), int(r["width"])
        assert float(r["null"]) == pytest.approx(k * (k - 1) / (4 * m))
        assert float(r["excess_mean"]) == pytest.approx(float(r["polysemantic_mean"]) - float(r["null"]))
        assert float(r["polysemantic_mean"]) <= float(r["live_mean"]) <= m
    width = [r for r in rows if r["sweep"] == "width"]
    assert float(width[-1]["polysemantic_mean"]) > float(width[0]["polysemantic_mean"])  # m = 256 vs 16
    for r in width:  # a stricter threshold can only drop classes from a neuron's set
        assert (float(r["polysemantic_rel0.95_mean"]) <= float(r["polysemantic_rel0.8_mean"])
                <= float(r["polysemantic_mean"]))
    assert all(r["polysemantic_rel0.8_mean"] == "" for r in rows if r["sweep"] != "width")
    two = [r for r in rows if r["sweep"] == "two-layer"]
    assert [int(r["width"]) for r in two] == [int(r["width"]) for r in width for _ in (1, 2)]  # same widths
    for first, second in zip(two[::2], two[1::2]):  # one network per pair of rows: shared accuracy, own counts
        assert first["test_accuracy_mean"] == second["test_accuracy_mean"] and first["null"] == second["null"]
    assert float(two[-2]["polysemantic_mean"]) > float(two[0]["polysemantic_mean"])  # layer 1, m = 256 vs 16
    assert float(two[-1]["polysemantic_mean"]) > float(two[1]["polysemantic_mean"])  # layer 2, m = 256 vs 16


@pytest.mark.slow
def test_reproduce_digits_tradeoff_quick(tmp_path):
    from sims.cli import main

    assert main(["reproduce", "digits-tradeoff", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    rows = _rows(tmp_path / "digits-tradeoff.csv")
    assert [r["arm"] for r in rows] == list(DIGIT_ARMS)
    assert any(r["pareto_accuracy"] == "True" for r in rows) and any(r["pareto_loss"] == "True" for r in rows)
    assert {int(r["width"]) for r in rows} == {64, 256}
    nets = _rows(tmp_path / "digits-tradeoff_networks.csv")
    assert len(nets) == 16 * len(DIGIT_ARMS)
