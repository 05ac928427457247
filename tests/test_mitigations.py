"""sims.studies.mitigations: the distinct-argmax start, predictions, bad input, and the quick reproduction."""

import csv

import numpy as np
import pytest

from sims.cli import main
from sims.studies.mitigations import (ARMS, KAPPAS, distinct_argmax_start, kurtosis_encodings, mitigation_counts,
                              orthonormal_rows, prediction_inputs)
from theory.mitigations import mitigation_count


def test_distinct_argmax_start_gives_every_feature_its_own_argmax_and_keeps_the_values():
    rng = np.random.default_rng(0)
    W0 = rng.normal(size=(3, 16, 20))
    W = distinct_argmax_start(W0, rng=np.random.default_rng(1))
    for a, b in zip(W0, W):
        assert len(set(np.argmax(np.abs(b), axis=1))) == 16
        np.testing.assert_allclose(np.sort(a, axis=1), np.sort(b, axis=1))  # a swap within each row
    with pytest.raises(ValueError, match="m must be"):
        distinct_argmax_start(np.zeros((1, 4, 3)), rng=rng)


def test_orthonormal_rows_are_orthonormal_and_closest():
    W0 = np.random.default_rng(2).normal(0, 0.125, size=(3, 16, 64))
    Q = orthonormal_rows(W0)
    np.testing.assert_allclose(Q @ np.swapaxes(Q, -1, -2), np.broadcast_to(np.eye(16), (3, 16, 16)), atol=1e-12)
    # closest orthonormal rows (the polar factor) ⇔ W0Qᵀ is symmetric positive definite; Gram–Schmidt (QR) rows
    # are orthonormal too but fail this
    P = W0 @ np.swapaxes(Q, -1, -2)
    np.testing.assert_allclose(P, np.swapaxes(P, -1, -2), atol=1e-14)
    assert np.all(np.linalg.eigvalsh(P) > 0)
    gram_schmidt = np.swapaxes(np.linalg.qr(np.swapaxes(W0[0], 0, 1))[0], 0, 1)
    assert not np.allclose(W0[0] @ gram_schmidt.T, (W0[0] @ gram_schmidt.T).T, atol=1e-6)


def predicted_count(arm, n, m, l1):
    return mitigation_count(arm, n, m, l1, **prediction_inputs(n, m))


def test_predictions():
    assert predicted_count("baseline", 32, 128, 0.1) == pytest.approx(32 * 31 / 512)
    assert predicted_count("wider", 32, 128, 0.1) == pytest.approx(32 * 31 / 2048)
    assert predicted_count("distinct-init", 32, 128, 0.1) == 0.0
    assert predicted_count("cooccurrence", 32, 128, 0.1) < predicted_count("l1-warmup", 32, 128, 0.1)
    assert predicted_count("late-kick", 32, 128, 0.1) == predicted_count("baseline", 32, 128, 0.1)
    assert predicted_count("orthogonal-init", 32, 128, 0.1) == pytest.approx(32 * 31 / 512 * 0.795, rel=0.03)


def test_orthonormal_coincidence_ratio_is_below_one_and_tends_to_one_with_width():
    """Orthonormal rows repel shared argmaxes: r < 1 at m = 4n and r rises towards 1 as m/n grows (fixed seed,
    so deterministic; measured 0.71 at (16, 64) and 0.98 at (16, 1024), each from ≈ 1900 Gaussian coincidences,
    relative SE ≈ 3%)."""
    from sims.studies.mitigations import orthonormal_coincidence_ratio

    narrow, wide = orthonormal_coincidence_ratio(16, 64), orthonormal_coincidence_ratio(16, 1024)
    assert narrow < 0.9 and narrow < wide and orthonormal_coincidence_ratio(1, 4) == 1.0
    with pytest.raises(ValueError, match="m must be"):
        orthonormal_coincidence_ratio(8, 4)


def test_late_kick_keeps_every_baseline_pair_and_pays_delta_p_for_each():
    """Paired starts: below the escape threshold (ε = 1 < ε* = 6) each baseline pair is still there after the kick
    and co-occurrence training (the kick may add a collision, never removes one), and the loss paid is Δ(p) per pair
    (p = 0.01, λ = 0.1), to the re-optimisation saving O(p²)."""
    from theory.cooccurrence import monosemantic_weight, shared_pair_cost

    base = mitigation_counts(arm="baseline", n=16, m=64, l1=0.1, instances=8, rng=3)
    kick = mitigation_counts(arm="late-kick", n=16, m=64, l1=0.1, instances=8, rng=3)
    assert base["shared"].sum() > 0 and np.all(kick["shared"] >= base["shared"])
    price = float(shared_pair_cost(0.01, monosemantic_weight(0.1)))
    np.testing.assert_allclose(kick["excess_loss"], kick["shared"] * price, atol=1e-3 * price + 1e-12, rtol=0.01)


def test_kurtosis_encodings_bipolar_concentrates_and_laplace_like_spreads():
    """The kurtosis rule's sign at a small size: κ = −2 raises the fourth norm above κ = +3 (every instance)."""
    lo = kurtosis_encodings(kappa=-2.0, rng=0, n=4, m=8, instances=4, steps=5000)
    hi = kurtosis_encodings(kappa=3.0, rng=0, n=4, m=8, instances=4, steps=5000)
    assert lo["fourth_norm"].shape == (4,) and np.all(lo["fourth_norm"] > hi["fourth_norm"])
    assert KAPPAS[0] == -2.0 and list(KAPPAS) == sorted(KAPPAS)
    with pytest.raises(ValueError, match="kurtosis"):
        kurtosis_encodings(kappa=-3.0, rng=0, n=4, m=8, instances=1, steps=1)


def test_same_seed_pairs_the_arms_of_one_width():
    a = mitigation_counts(arm="baseline", n=8, m=16, l1=0.2, instances=3, rng=5)
    b = mitigation_counts(arm="baseline", n=8, m=16, l1=0.2, instances=3, rng=5)
    np.testing.assert_array_equal(a["shared"], b["shared"])
    assert np.all(a["same_sign"] == 0) and np.allclose(a["excess_loss"], 0.0, atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [(dict(arm="dropout"), "arm"), (dict(m=4), "m"), (dict(l1=0.0), "l1"),
                                           (dict(recipe="sgd"), "recipe")])
def test_bad_input(kwargs, match):
    base = dict(arm="baseline", n=8, m=16, l1=0.2, instances=2, rng=0)
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        mitigation_counts(**base)


@pytest.mark.slow
def test_quick_mitigations_reproduction(tmp_path):
    assert main(["reproduce", "mitigations", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "mitigations.csv") as f:
        rows = {r["arm"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(ARMS) and (tmp_path / "mitigations.png").exists()
    assert {r["recipe"] for r in rows.values()} == {"prox-gd"}
    # one-hot arms pay nothing for their ± pairs; co-occurrence pays about Δ(p) per remaining pair
    assert all(abs(float(rows[a]["loss_paid"])) < 1e-9 for a in ARMS if a not in ("cooccurrence", "late-kick"))
    assert float(rows["cooccurrence"]["loss_paid"]) > 0 and float(rows["late-kick"]["loss_paid"]) > 0
    with open(tmp_path / "mitigations-kurtosis.csv") as f:
        F = [float(r["fourth_norm_mean"]) for r in csv.DictReader(f)]
    assert len(F) == len(KAPPAS) and F[0] > 0.5 > F[-1]


def test_full_sweep_runs_every_arm_at_both_recipes_with_their_lambdas():
    from sims.studies.mitigations import RECIPE_L1, RECIPES
    from sims.runs.grids import mitigations_sweep

    points = mitigations_sweep(quick=False).points()
    assert sorted((p["recipe"], p["arm"]) for p in points) == sorted((r, a) for r in RECIPES for a in ARMS)
    assert RECIPE_L1 == {"prox-gd": 0.1, "adamw": 1e-3}
    assert [p["recipe"] for p in mitigations_sweep(quick=True).points()] == ["prox-gd"] * len(ARMS)
