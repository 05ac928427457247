"""Smoke tests of the command line, called through main([...])."""

import json

import numpy as np
import pytest

from sims.cli import main


def test_verify_quick_prints_every_claim(capsys):
    assert main(["verify", "--quick", "--claim", "model.forces", "--claim", "model.loss-rows"]) == 0
    out = capsys.readouterr().out
    assert "model.forces" in out and "model.loss-rows" in out and "2 of 2 claims as expected" in out


def test_verify_json_and_quiet(capsys):
    assert main(["verify", "--claim", "model.forces", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claims"][0]["id"] == "model.forces" and data["claims"][0]["status"] == "confirmed"
    assert main(["verify", "--claim", "model.forces", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_verify_exit_code_when_a_claim_disagrees(monkeypatch, capsys):
    from sims import claims

    broken = claims.Outcome(status="refuted", measured=1.0, predicted=0.0, tolerance="x")
    monkeypatch.setattr(claims, "run_claim", lambda c, seed=0: broken)
    assert main(["verify", "--claim", "model.forces"]) == 1
    assert "unexpected: model.forces" in capsys.readouterr().out


def test_train_writes_weights_and_history(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--n", "4", "--m", "8", "--l1", "0.01", "--steps", "50", "--instances", "2",
            "--optimizer", "gd", "--lr", "0.05", "--records", "5", "--seed", "3", "--out", str(out)]
    assert main(args) == 0
    saved = np.load(out / "weights.npz")
    assert saved["W"].shape == (2, 4, 8) and saved["steps"][-1] == 50
    lines = (out / "history.csv").read_text().splitlines()
    assert lines[0] == "step,instance,fourth_norm,l1_norm,loss,polysemantic"
    assert len(lines) == 1 + 2 * len(saved["steps"])
    assert sorted(p.name for p in out.iterdir()) == ["history.csv", "weights.npz"]
    first = saved["W"].copy()
    assert main(args) == 0
    np.testing.assert_array_equal(np.load(out / "weights.npz")["W"], first)  # same seed, same numbers


@pytest.mark.parametrize("args,fragment", [
    (["verify", "--claim", "nope"], "unknown claim"),
    (["verify", "--quick", "--full"], "not allowed with"),
    (["verify", "--seed", "-1"], "non-negative integer"),
    (["train", "--n", "4", "--m", "0", "--out", "X"], "m must be an integer >= 1"),
    (["train", "--n", "4", "--m", "8", "--l1", "-0.1", "--out", "X"], "l1 must be"),
    (["train", "--n", "4", "--m", "8", "--steps", "1e3", "--out", "X"], "invalid int value"),
    (["train", "--n", "4", "--m", "8", "--noise", "cauchy:0.1", "--out", "X"], "family must be one of"),
    (["train", "--n", "4", "--m", "8", "--noise", "bipolar", "--out", "X"], "FAMILY:SIGMA"),
    (["train", "--n", "4", "--m", "8", "--optimizer", "lbfgs", "--out", "X"], "optimizer must be one of"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_2(args, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("incidental: error:") and fragment in err
    assert list(tmp_path.iterdir()) == []  # nothing written half-way


def test_unwritable_out(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "--n", "2", "--m", "2", "--steps", "1", "--out", str(blocker / "sub")]) == 2
    assert "--out" in capsys.readouterr().err


def test_divergence_exits_nonzero_with_the_step(tmp_path, capsys):
    args = ["train", "--n", "3", "--m", "4", "--optimizer", "gd", "--lr", "50", "--steps", "100",
            "--out", str(tmp_path / "o")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "at step" in err and err.count("\n") == 1
