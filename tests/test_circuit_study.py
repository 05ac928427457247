"""Circuits through polysemantic neurons: the study (sims.studies.circuits), its report and CLI subcommand, and the
figure (sims.figures.circuits).

References: hand-built weights whose connections are known, an explicit input-by-input forward pass, the tied
one-layer model's first-order co-occurrence coefficient (theory.cooccurrence) as the special case V = I, W2 = W1,
and the counting theory's per-connection cost (theory.circuit_counts).
"""

import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sims.cli import main
from sims.measure.circuits import measure_circuit
from sims.studies.circuits import (
    CircuitReport,
    circuit_config,
    circuit_point,
    circuit_report,
    classify_spurious,
    constructed_shared_weight,
    learned_fraction_point,
    negative_connections,
    trained_circuits,
    two_hot_excess,
)
from theory.circuit_counts import negative_connection_cost
from theory.circuits import circuit_loss, target_matrix
from theory.cooccurrence import first_order_coefficient

from .strategies import seeds

#: Unaligned double sharing: inputs 0 (+), 1 (−) share layer-1 neuron 0; outputs 1 (+), 2 (−) share layer-2
#: neuron 1; paths 0 → 0 (V_00), 1 → 1 (V_01), 2 → 2 (V_11). Connection 0 → 2 rides on feature 1's path.
W1_DOUBLE = np.array([[1.0, 0], [-1.0, 0], [0, 1.0]])
W2_DOUBLE = np.array([[1.0, 0], [0, 1.0], [0, -1.0]])
V_DOUBLE = np.array([[1.0, -1.0], [0, -1.0]])


def explicit_two_hot_excess(W1, V, W2, T):
    """Σ_{i<j} [err(e_i + e_j) − err(e_i) − err(e_j)], each input pushed through the layers one at a time."""
    n = W1.shape[0]

    def err(x):
        h1 = W1.T @ x
        h2 = V.T @ h1
        y = np.maximum(W2 @ h2, 0.0)
        return float(np.sum((y - T.T @ x) ** 2))

    e = np.eye(n)
    return sum(err(e[i] + e[j]) - err(e[i]) - err(e[j]) for i in range(n) for j in range(i + 1, n))


def test_sign_rule_on_the_hand_built_double_sharing():
    c = classify_spurious(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(3))
    got = {(int(i), int(o)): (float(v), bool(own), bool(third))
           for i, o, v, own, third in zip(c.inputs, c.outputs, c.value, c.own, c.third)}
    assert got == {(0, 1): (-1.0, True, False), (0, 2): (1.0, False, True), (1, 0): (-1.0, True, False),
                   (1, 2): (-1.0, True, False), (2, 1): (-1.0, True, False)}
    assert c.counts() == {"own_negative": 4, "own_positive": 0, "third_negative": 0, "third_positive": 1, "mixed": 0,
                          "unexplained": 0}
    # only the positive one costs: the one-hot loss is its square
    assert circuit_loss(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(3)) == 1.0
    report = circuit_report(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(3))
    assert report.costly == ((0, 2, 1.0, 1.0),) and len(report.free) == 4
    assert (report.layer1_pairs, report.aligned_pairs) == (1, 0)
    # align the pair (output 1 read from layer-2 neuron 0, with the sign that keeps 1 → 1): no positive connection left
    W2 = np.array([[1.0, 0], [-1.0, 0], [0, -1.0]])
    V = np.array([[1.0, 0], [0, -1.0]])
    aligned = classify_spurious(W1_DOUBLE, V, W2, target=np.eye(3))
    assert aligned.value.tolist() == [-1.0, -1.0] and aligned.own.all()


@given(seed=seeds, n=st.integers(2, 6), m=st.integers(1, 5))
def test_two_hot_excess_is_the_first_order_coefficient_of_the_tied_model(seed, n, m):
    # V = I, W2 = W1 = W: M = W Wᵀ, and L_p = L_0 + p·L_1 + O(p²) with L_1 = theory.cooccurrence.first_order_coefficient
    W = np.random.default_rng(seed).normal(0, m**-0.5, size=(n, m))
    got = two_hot_excess(W, np.eye(m), W, target=np.eye(n))
    # sums of O(n²) terms of order 1: rounding only
    np.testing.assert_allclose(got, float(first_order_coefficient(W)), rtol=1e-10, atol=1e-10)


@given(seed=seeds, n=st.integers(2, 6), m1=st.integers(1, 5), m2=st.integers(1, 5), permute=st.booleans())
def test_two_hot_excess_equals_an_explicit_forward_pass(seed, n, m1, m2, permute):
    rng = np.random.default_rng(seed)
    W1, V, W2 = rng.normal(size=(n, m1)), rng.normal(size=(m1, m2)), rng.normal(size=(n, m2))
    T = np.eye(n)[rng.permutation(n) if permute else np.arange(n)]
    np.testing.assert_allclose(two_hot_excess(W1, V, W2, target=T), explicit_two_hot_excess(W1, V, W2, T),
                               rtol=1e-10, atol=1e-10)


def test_trained_incidental_models_pay_exactly_their_negative_connections():
    spec, res = trained_circuits(n=12, m1=24, m2=24, target="permutation", instances=3, rng=5)
    T = target_matrix(spec)
    total = 0
    for k in range(3):
        W1, V, W2 = (w[k] for w in res.final)
        u, v = negative_connections(W1, V, W2, target=T)
        total += u.size
        for p in (0.001, 0.05):
            predicted = float(np.sum(negative_connection_cost(p, u, v)))
            assert p * two_hot_excess(W1, V, W2, target=T) == pytest.approx(predicted, rel=1e-10, abs=1e-14)
    assert total > 0  # measured: 14 negative connections in the three models (seed 5)


def test_constructed_shared_weight_governs_size_squared_pairs():
    for size in (1, 3, 5):
        W1, V, W2, T = constructed_shared_weight(size)
        mc = measure_circuit(W1, V, W2, target=T)
        assert mc.pairs.counts[0, 0] == size**2
        assert mc.pairs.path_counts.tolist() == [size**2] * size + [1] * size
        report = circuit_report(W1, V, W2, target=T)
        assert len(report.costly) == size * (size - 1) and len(report.learned) == 2 * size
        assert len(report.shared_weights) == (size > 1)


def test_report_text_lists_shared_weights_free_and_costly_connections():
    report = circuit_report(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(3))
    assert isinstance(report, CircuitReport)
    text = report.text()
    assert text == str(report)
    assert "V[0, 0] = 1: inputs {0, 1} → outputs {0}: 2 pairs" in text
    assert "V[0, 1] = -1: inputs {0, 1} → outputs {1, 2}: 4 pairs" in text
    assert "4 free (negative), 1 costly (positive, one-hot loss 1)" in text
    assert "costly: 0→2 (1, loss 1)" in text
    assert "0 of 1 layer-1 pairs" in text
    short = report.text(limit=1)  # 3 shared weights → 1 and "… 2 more" (2 lines); 4 free → 1 and "… 3 more"
    assert len(short.splitlines()) == len(text.splitlines()) - 1
    assert "  … 2 more" in short and "free: 0→1 (-1), … 3 more" in short
    with pytest.raises(AttributeError):
        report.loss = 0.0  # frozen


def test_circuit_point_rows_and_the_oriented_start():
    out = circuit_point(rng=0, n=8, m=16, target="identity", instances=2)
    assert set(out) >= {"learned", "path_pairs", "weight_pairs", "spurious_negative", "spurious_positive",
                        "interference", "interference_negative", "layer1_pairs", "aligned_pairs", "two_hot_excess",
                        "negative_u", "negative_v", "own_negative", "third_positive"}
    assert all(len(v) == 2 for v in out.values())
    assert out["learned"] == [1.0, 1.0]  # every feature learned from the oriented start
    assert out["interference_negative"] == [0.0, 0.0]
    assert [sum(h) for h in out["weight_pairs"]] == [256, 256]  # one count per weight of V
    learned = learned_fraction_point(rng=np.random.default_rng(0), n=8, m=16, target="permutation", instances=4)
    assert learned["oriented"] == [1.0] * 4
    assert np.mean(learned["plain"]) < 1.0  # the plain start leaves dead features
    plain_only = learned_fraction_point(rng=np.random.default_rng(0), n=8, m=16, target="permutation", instances=4,
                                        oriented=False)
    assert plain_only == {key: learned[key] for key in ("start_dead", "plain")}  # the same draw, one run fewer


def test_plain_and_oriented_runs_start_from_the_same_draw(monkeypatch):
    from sims.studies import circuits

    starts = []
    real = circuits.train_circuit

    def spy(spec, config, *, rng, orient, metrics):
        res = real(spec, config, rng=rng, orient=orient, metrics=metrics)
        starts.append((spec.permutation, res.initial))
        return res

    monkeypatch.setattr(circuits, "train_circuit", spy)
    learned_fraction_point(rng=np.random.default_rng(3), n=6, m=12, target="permutation", instances=2)
    (pi_plain, plain), (pi_oriented, oriented) = starts
    assert pi_plain == pi_oriented
    np.testing.assert_array_equal(plain[0], oriented[0])
    np.testing.assert_array_equal(np.abs(plain[2]), np.abs(oriented[2]))


@pytest.mark.parametrize("rng", [7, np.random.SeedSequence(7), np.random.default_rng(7)],
                         ids=["int", "SeedSequence", "Generator"])
def test_studies_accept_every_kind_of_rng(rng):
    spec, res = trained_circuits(n=4, m1=6, m2=6, target="permutation", instances=1, rng=rng)
    spec7, res7 = trained_circuits(n=4, m1=6, m2=6, target="permutation", instances=1, rng=7)
    assert spec.permutation == spec7.permutation
    np.testing.assert_array_equal(res.final[1], res7.final[1])


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="^n must be"):
        circuit_config(n=0, m1=2, m2=2, instances=1)
    with pytest.raises(ValueError, match="^l1 must be"):
        circuit_config(n=2, m1=2, m2=2, l1=0.0, instances=1)
    with pytest.raises(ValueError, match="^target must be one of"):
        trained_circuits(n=2, m1=2, m2=2, target="transpose", instances=1, rng=0)
    with pytest.raises(ValueError, match="^rng must be"):
        trained_circuits(n=2, m1=2, m2=2, instances=1, rng="seed")
    with pytest.raises(ValueError, match="^target must be an"):
        classify_spurious(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.ones((3, 3)))
    with pytest.raises(ValueError, match="^target must be an"):
        two_hot_excess(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(2))
    with pytest.raises(ValueError, match="^size must be"):
        constructed_shared_weight(0)
    with pytest.raises(ValueError, match="^tol must be"):
        circuit_report(W1_DOUBLE, V_DOUBLE, W2_DOUBLE, target=np.eye(3), tol=-1.0)


# ------------------------------------------------------------------------------------------------ the command


def test_cli_circuit_report_trains_and_reads_weights(tmp_path, capsys):
    assert main(["circuit-report", "--n", "6", "--m1", "12", "--m2", "12", "--target", "permutation", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "oriented start, seed 2" in out and "π = [" in out and "6 of 6 features learned" in out
    assert "layer alignment:" in out
    path = tmp_path / "c.npz"
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE, W2=W2_DOUBLE)
    assert main(["circuit-report", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 costly (positive, one-hot loss 1)" in out and "3 of 3 features learned" in out
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE, W2=W2_DOUBLE, permutation=np.array([1, 0, 2]))
    assert main(["circuit-report", str(path)]) == 0
    out = capsys.readouterr().out  # π swaps 0 and 1: M_01 = M_10 = −1, only feature 2 keeps M_22 = 1
    assert "1 of 3 features learned" in out and "not learned (M_iπ(i) ≤ 0.5): 0, 1" in out
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE + 1e-6, W2=W2_DOUBLE)  # tiny entries, as AdamW leaves them
    assert main(["circuit-report", str(path)]) == 0  # V_10 = 1e-6 connects input 2 to output 0
    assert "4 free (negative), 2 costly" in capsys.readouterr().out
    assert main(["circuit-report", str(path), "--tol", "1e-3"]) == 0
    assert "4 free (negative), 1 costly" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["--n", "6"], "--n, --m1 and --m2 are required"),
    (["--n", "6", "--m1", "4", "--m2", "4", "--target", "transpose"], "target must be one of"),
    (["--n", "6", "--m1", "4", "--m2", "4", "--l1", "0"], "l1 must be"),
    (["--n", "6", "--m1", "4", "--m2", "4", "--tol", "-1"], "tol must be"),
    (["--n", "0", "--m1", "4", "--m2", "4"], "argument --n"),
    (["missing.npz"], "no such file"),
    (["BAD", "--n", "3"], "either WEIGHTS or --n"),
])
def test_cli_circuit_report_usage_errors_exit_2_with_one_line(args, message, tmp_path, capsys):
    args = [str(tmp_path / a) if a.endswith(".npz") else a for a in args]
    if "BAD" in args:
        bad = tmp_path / "bad.npz"
        np.savez(bad, W1=W1_DOUBLE)
        args[args.index("BAD")] = str(bad)
    assert main(["circuit-report", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err and err.startswith("incidental: error:")


def test_cli_circuit_report_rejects_malformed_weights(tmp_path, capsys):
    path = tmp_path / "c.npz"
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE)
    assert main(["circuit-report", str(path)]) == 2
    assert "no array W2" in capsys.readouterr().err
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE.T[:1], W2=W2_DOUBLE)
    assert main(["circuit-report", str(path)]) == 2
    assert "expected W1 (n, m1), V (m1, m2), W2 (n, m2)" in capsys.readouterr().err
    np.savez(path, W1=W1_DOUBLE, V=V_DOUBLE, W2=W2_DOUBLE, permutation=np.array([0, 0, 1]))
    assert main(["circuit-report", str(path)]) == 2
    assert "permutation must be a rearrangement" in capsys.readouterr().err
    (tmp_path / "text.npz").write_text("not a zip")
    assert main(["circuit-report", str(tmp_path / "text.npz")]) == 2


# ------------------------------------------------------------------------------------------------ the figure


@pytest.mark.slow
def test_reproduce_circuits_quick(tmp_path):
    assert main(["reproduce", "circuits", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "circuits.png").stat().st_size > 0
    with open(tmp_path / "circuits.csv") as f:
        rows = list(csv.DictReader(f))
    both = {int(r["m"]): r for r in rows if r["target"] == "both"}
    assert sorted(both) == [8, 12, 16, 32, 64, 128] and len(rows) == 18
    for m in (32, 64, 128):  # incidental: the sign rule leaves no positive connection, every feature learned
        assert float(both[m]["positive"]) == 0 and float(both[m]["learned"]) == 1
        assert float(both[m]["interference"]) == 0
    with open(tmp_path / "circuits_pairs.csv") as f:
        pairs = list(csv.DictReader(f))
    for m in (8, 32):
        measured = [float(r["measured"]) for r in pairs if int(r["m"]) == m]
        predicted = [float(r["predicted"]) for r in pairs if int(r["m"]) == m]
        assert abs(sum(measured) - 1) < 1e-9 and sum(predicted) > 0.999
