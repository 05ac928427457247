"""sims.figures.diagnosis: the predicted fraction and saving, one point, and the quick reproduction."""

import csv

import numpy as np
import pytest

from sims.cli import main
from sims.runs.grids import DIAGNOSIS_PS as PS
from sims.studies.diagnosis import diagnosis_point
from theory.survival import one_move_fraction, repair_saving
from theory.cooccurrence import monosemantic_weight, shared_pair_cost


def test_predictions_vanish_at_p0_and_follow_the_poisson_law():
    assert one_move_fraction(0.0, 32, 128, 0.1, kappa=9.7) == 0.0 and repair_saving(0.0, 32, 128, 0.1, kappa=9.7) == 0.0
    mu = 32 * 31 / 512 * np.exp(-9.7 * 0.1)
    assert one_move_fraction(0.01, 32, 128, 0.1, kappa=9.7) == pytest.approx(1 - np.exp(-mu))
    assert repair_saving(0.01, 32, 128, 0.1, kappa=9.7) == pytest.approx(
        mu * float(shared_pair_cost(0.01, monosemantic_weight(0.1))))
    f = one_move_fraction(np.array(PS[1:]), 32, 128, 0.1, kappa=9.7)
    assert np.all(np.diff(f) < 0)


def test_point_no_strict_improvement_at_p0_and_better_iff_incidental_at_p_positive():
    """At p = 0 moves are free (saving 0 to round-off); at p > 0 a strictly better move exists exactly when an
    incidental neuron does, and repair saves ≥ 0."""
    zero = diagnosis_point(rng=None, p=0.0, n=16, m=64, l1=0.1, instances=6, init_seed=3)
    assert not any(zero["better"]) and np.allclose(zero["saving"], 0.0, atol=1e-10)
    assert sum(zero["incidental"]) > 0  # seed 3 leaves pairs, so the p = 0 check is not vacuous
    pos = diagnosis_point(rng=None, p=0.005, n=16, m=64, l1=0.1, instances=6, init_seed=3)
    assert [b for b in pos["better"]] == [i > 0 for i in pos["incidental"]]
    assert np.all(np.asarray(pos["saving"]) >= -1e-12) and any(pos["better"])


@pytest.mark.slow
def test_quick_diagnosis_reproduction(tmp_path):
    assert main(["reproduce", "diagnosis", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "diagnosis.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["p"]) for r in rows] == list(PS) and (tmp_path / "diagnosis.png").exists()
    assert float(rows[0]["one_move_better"]) == 0.0 and float(rows[0]["repair_saving"]) == pytest.approx(0, abs=1e-10)
    assert all(float(r["same_sign"]) == 0 for r in rows)
