"""sims.figures.capacity: structure classification on constructed simplices, and the quick
`incidental reproduce capacity` run."""

import csv

import numpy as np
import pytest

from sims.measure.structures import structure_fractions
from sims.runs.grids import capacity_sweep
from sims.cli import main


def _simplex(k):
    """k unit vectors of a regular simplex in R^{k−1} (rows), padded to k columns."""
    E = np.eye(k) - 1.0 / k
    U, s, _ = np.linalg.svd(E)
    V = E @ U[:, : k - 1]
    return np.hstack([V / np.linalg.norm(V, axis=1, keepdims=True), np.zeros((k, 1))])


@pytest.mark.parametrize("k, name", [(2, "pair"), (3, "triangle"), (4, "tetrahedron")])
def test_structure_fractions_name_regular_simplices(k, name):
    W = np.zeros((k + 2, k + 2))
    W[:k, :k] = _simplex(k)
    W[k, k] = 0.9          # one feature alone
    # row k + 1 is dropped
    f = structure_fractions(W)
    assert f[name] == pytest.approx(k / (k + 2)) and f["alone"] == pytest.approx(1 / (k + 2))
    assert f["dropped"] == pytest.approx(1 / (k + 2)) and f["other"] == 0.0


@pytest.mark.slow
def test_quick_capacity_reproduction(tmp_path):
    assert main(["reproduce", "capacity", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "capacity.csv") as f:
        rows = list(csv.DictReader(f))
    sweep = capacity_sweep(quick=True)
    assert len(rows) == len(sweep.grid["n"]) * len(sweep.fixed["ps"])
    for r in rows:
        fractions = [float(r[f"frac_{k}"]) for k in ("dropped", "pair", "triangle", "tetrahedron", "alone", "other")]
        assert sum(fractions) == pytest.approx(1.0)
        if float(r["n_over_m"]) <= 2 and float(r["p"]) > 0:
            # n ≤ 2m: the excess loss is at least the first-order capacity bound, minus the O(p²) remainder
            assert float(r["excess_loss_mean"]) >= float(r["first_order_bound"]) - int(r["n"]) * float(r["p"]) ** 2


def test_incidental_split_on_constructed_solutions():
    from sims.measure.structures import incidental_split
    # n = 4 on m = 4: one ± pair (features 0, 1 on neuron 0), features 2, 3 alone: neuron 3 is free
    W = np.zeros((4, 4))
    W[0, 0], W[1, 0], W[2, 1], W[3, 2] = 1.0, -1.0, 1.0, 1.0
    s = incidental_split(W)
    assert (s["polysemantic"], s["free"], s["incidental"], s["necessary"]) == (1, 1, 1, 0)
    # n = 4 on m = 2: two forced pairs, no free neuron
    W = np.array([[1.0, 0], [-1.0, 0], [0, 1.0], [0, -1.0]])
    s = incidental_split(W)
    assert (s["polysemantic"], s["free"], s["incidental"], s["necessary"]) == (2, 0, 0, 2)


@pytest.mark.slow
def test_quick_regimes_reproduction(tmp_path):
    assert main(["reproduce", "regimes", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "regimes.csv") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        n, m = int(r["n"]), int(r["m"])
        # above n = m capacity forces at least n − m shared neurons (all features kept, 1-sparse, n ≤ 2m)
        assert float(r["necessary_mean"]) >= max(0, n - m) - 1e-12
        if n <= m:
            assert float(r["necessary_mean"]) == 0.0


def test_triangle_break_even_matches_exact_enumeration():
    """Exact L_p of a 120° triangle vs a ± pair plus a lone feature (3 features, 2 neurons, rows at w*): they
    cross at p/λ → 2(√3 − 1) as λ → 0 (first order in p and λ; 1.473 at λ = 1e-3, 1.558 at λ = 1e-2)."""
    from scipy.optimize import brentq

    from theory.cooccurrence import expected_loss_exact, monosemantic_weight, triangle_break_even_ratio
    errors = []
    for l1 in (1e-3, 1e-2):
        w = monosemantic_weight(l1)
        tri = w * np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
        pair = w * np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
        p_cross = brentq(lambda p: float(expected_loss_exact(tri, p, l1=l1) - expected_loss_exact(pair, p, l1=l1)),
                         1e-9, 5 * l1)
        errors.append(abs(p_cross / l1 - triangle_break_even_ratio()))
    assert errors[0] < 0.015 and errors[0] < errors[1]


def test_triangle_break_even_ratio_matches_the_derivation_and_the_best_orientation():
    from derivations.cooccurrence import derive_triangle_break_even
    from theory.cooccurrence import triangle_break_even_ratio
    assert triangle_break_even_ratio() == pytest.approx(float(derive_triangle_break_even()["break-even p/lambda"].rhs),
                                                        rel=1e-15)
    # one row on a neuron axis minimises the triangle's L1 norm over rotations (2 + √3); 3600 angles
    theta = np.linspace(0, 2 * np.pi, 3600, endpoint=False)[:, None] + 2 * np.pi * np.arange(3) / 3
    l1 = (np.abs(np.cos(theta)) + np.abs(np.sin(theta))).sum(axis=1)
    assert l1.min() == pytest.approx(2 + np.sqrt(3), rel=1e-12) and l1.max() > l1.min() + 0.1


_S2, _S6 = np.sqrt(2), np.sqrt(6)
_TETRAHEDRON = np.array([[0, 0, -1], [-_S6 / 3, _S2 / 3, 1 / 3], [_S6 / 3, _S2 / 3, 1 / 3], [0, -2 * _S2 / 3, 1 / 3]])


def test_tetrahedron_break_even_matches_the_derivation_and_exact_enumeration():
    """Theory equals the sympy derivation; the exact L_p of the tetrahedron and of a triangle plus a lone feature
    (rows at w*) cross at p/λ → 4√6 + 8√2 − 6 − 6√3 as λ → 0 (4.90 at λ = 1e-3, 4.74 at 1e-4)."""
    from scipy.optimize import brentq

    from derivations.cooccurrence import derive_tetrahedron_break_even
    from theory.cooccurrence import (expected_loss_exact, monosemantic_weight, tetrahedron_break_even_ratio,
                                     tetrahedron_l1)
    d = derive_tetrahedron_break_even()
    assert tetrahedron_break_even_ratio() == pytest.approx(float(d["break-even p/lambda vs triangle"].rhs), rel=1e-14)
    assert tetrahedron_break_even_ratio("pair") == pytest.approx(float(d["break-even p/lambda vs pair"].rhs), rel=1e-14)
    assert tetrahedron_l1() == pytest.approx(float(d["L1 norm, tetrahedron"].rhs), rel=1e-15)
    np.testing.assert_allclose(_TETRAHEDRON @ _TETRAHEDRON.T, (4 * np.eye(4) - 1) / 3, atol=1e-15)
    triangle_and_lone = np.array([[1, 0, 0], [-0.5, np.sqrt(3) / 2, 0], [-0.5, -np.sqrt(3) / 2, 0], [0, 0, 1]])
    errors = []
    for l1 in (1e-3, 1e-4):
        w = monosemantic_weight(l1)
        p_cross = brentq(lambda p: float(expected_loss_exact(w * _TETRAHEDRON, p, l1=l1)
                                         - expected_loss_exact(w * triangle_and_lone, p, l1=l1)), 1e-9, 20 * l1)
        errors.append(abs(p_cross / l1 - tetrahedron_break_even_ratio()))
    assert errors[1] < 0.03 and errors[1] < errors[0]
    with pytest.raises(ValueError, match="against"):
        tetrahedron_break_even_ratio("cube")


def test_tetrahedron_l1_is_the_minimum_over_rotations():
    """Nelder–Mead over rotation vectors from 60 random rotations (seeded) finds no orientation of the regular
    tetrahedron with a smaller ‖·‖₁ sum than the axis-vertex one, and reaches it; the cube-corner one is 4√3."""
    from scipy.optimize import minimize
    from scipy.spatial.transform import Rotation

    from theory.cooccurrence import tetrahedron_l1
    corners = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)

    def l1(x):
        return np.abs(Rotation.from_rotvec(x).apply(corners)).sum()

    assert l1(np.zeros(3)) == pytest.approx(4 * np.sqrt(3))
    rng = np.random.default_rng(0)
    found = [minimize(l1, Rotation.random(random_state=rng).as_rotvec(), method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000}).fun for _ in range(60)]
    assert min(found) >= tetrahedron_l1() - 1e-9 and min(found) == pytest.approx(tetrahedron_l1(), abs=1e-8)
