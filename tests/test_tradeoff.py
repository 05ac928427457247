"""`incidental reproduce tradeoff --quick`: files, columns, and the exact pricing of the
trained solutions' excess loss."""

import csv

import numpy as np
import pytest

from sims.cli import main
from sims.runs.grids import tradeoff_sweep
from theory.cooccurrence import predicted_excess_loss
from theory.cooccurrence import dropped_feature_cost, monosemantic_weight, shared_pair_cost


def test_predicted_excess_loss_prices_pairs_and_drops():
    assert predicted_excess_loss(0, 0, 0.1, 0.1) == 0.0
    assert predicted_excess_loss(3, 1, 0.1, 0.1) == pytest.approx(
        3 * shared_pair_cost(0.1, monosemantic_weight(0.1)) + dropped_feature_cost(0.1))


def test_sweeps_keep_np_within_the_first_order_range():
    for quick in (True, False):
        s = tradeoff_sweep(quick=quick)
        assert max(s.fixed["ps"]) * s.fixed["n"] <= 0.8 and s.fixed["ps"][0] == 0.0


@pytest.mark.slow
def test_quick_tradeoff_reproduction(tmp_path):
    assert main(["reproduce", "tradeoff", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "tradeoff.png").stat().st_size > 0
    with open(tmp_path / "tradeoff.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 2 * 4  # m × λ × p
    for r in rows:
        p, k = float(r["p"]), float(r["shared_mean"])
        if p == 0:
            assert abs(float(r["excess_loss_mean"])) < 1e-12  # one-hot: a ± pair is free
        # mean |excess − k·Δ| is bounded by the re-optimisation saving, ≤ k·p² per instance
        assert float(r["mean_abs_error"]) <= k * p * p + 1e-9
    assert np.mean([float(r["shared_mean"]) for r in rows if float(r["p"]) == 0]) > \
        np.mean([float(r["shared_mean"]) for r in rows if float(r["p"]) == 0.05])
