"""sims.studies.cooccurrence: the survival fit, the survival and escape measurements on small models, bad input."""

import numpy as np
import pytest

from sims.studies.cooccurrence import fit_survival_rate, pair_escape, pair_survival


def test_fit_survival_rate_recovers_an_exponential():
    x = np.array([0.0, 0.1, 0.2, 0.4])  # p/λ
    kappa, kappa_se, misfit = fit_survival_rate(x, np.exp(-7.0 * x))
    assert kappa == pytest.approx(7.0) and misfit == pytest.approx(0.0, abs=1e-12) and np.isnan(kappa_se)
    _, _, misfit = fit_survival_rate(x, [1.0, 0.5, 0.4, 0.4])  # a floor: the exponential misses
    assert misfit > 0.3
    with pytest.raises(ValueError, match="survival"):
        fit_survival_rate([0.0, 1.0], [1.0, 0.0])


def test_weighted_survival_fit_and_its_standard_error():
    """Weights (S/SE)²: a point with a huge SE does not move κ; SE(κ) = 1/√Σ w x²."""
    x = np.array([0.1, 0.2, 0.4])
    S = np.exp(-5.0 * x)
    S_bad = S.copy()
    S_bad[2] = 0.9  # far off the law, but with an enormous standard error
    se = np.array([0.01, 0.01, 1e6])
    kappa, kappa_se, _ = fit_survival_rate(x, S_bad, se)
    assert kappa == pytest.approx(5.0, rel=1e-6)
    w = (S_bad / se) ** 2
    assert kappa_se == pytest.approx(1 / np.sqrt(np.sum(w * x * x)))


def test_pair_survival_is_one_sparse_and_pairs_are_opposite_sign():
    r = pair_survival(n=8, m=32, l1=0.2, ps=(0.0, 0.05), instances=4, rng=0, time=20)
    assert r["opposite_shared"].shape == (2, 4) and np.all(r["p"] == [0.0, 0.05])
    assert np.all(r["same_sign"] == 0) and np.all(r["one_sparse"] == 1.0) and np.all(r["dropped"] == 0)
    same = pair_survival(n=8, m=32, l1=0.2, ps=(0.0, 0.05), instances=4, rng=0, time=20)
    np.testing.assert_array_equal(same["opposite_shared"], r["opposite_shared"])  # same seed, same counts


def test_pair_escape_without_perturbation_keeps_every_pair():
    """ε = 0 under prox-GD: the free columns are exactly 0 and stay 0, so a pair cannot move (λ = 0.2 pins
    it; p = 0.02 is far below the break-even for dropping)."""
    r = pair_escape(n=8, m=32, l1=0.2, p=0.02, eps=(0.0,), optimizer="prox_gd", instances=4, rng=1, steps=300)
    np.testing.assert_array_equal(r["after"][0], r["before"])
    assert r["dropped"].shape == (1, 4)


@pytest.mark.parametrize("kwargs, match", [(dict(m=4), "m"), (dict(l1=0.0), "l1"), (dict(ps=(1.5,)), "p"),
                                           (dict(lr=0.0), "lr"), (dict(time=-1.0), "time")])
def test_pair_survival_rejects_bad_input(kwargs, match):
    base = dict(n=8, m=32, l1=0.2, ps=(0.0,), instances=2, rng=0)
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        pair_survival(**base)


def test_pair_escape_rejects_bad_input():
    with pytest.raises(ValueError, match="optimizer"):
        pair_escape(n=8, m=32, l1=0.2, p=0.1, eps=(0.0,), optimizer="sgd", instances=2, rng=0)
    with pytest.raises(ValueError, match="eps"):
        pair_escape(n=8, m=32, l1=0.2, p=0.1, eps=(-1.0,), optimizer="gd", instances=2, rng=0)


def test_surviving_pairs_is_the_collision_count_times_the_survival():
    from sims.studies.cooccurrence import SURVIVAL_KAPPA
    from theory.survival import surviving_pairs

    assert surviving_pairs(0.0, 32, 128, 0.1, kappa=SURVIVAL_KAPPA) == pytest.approx(32 * 31 / 512)
    np.testing.assert_allclose(surviving_pairs([0.01, 0.02], 32, 128, 0.1, kappa=SURVIVAL_KAPPA),
                               32 * 31 / 512 * np.exp(-SURVIVAL_KAPPA * np.array([0.1, 0.2])), rtol=1e-14)
