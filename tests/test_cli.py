"""Smoke tests of the command line, called through main([...])."""

import json

import numpy as np
import pytest

from sims.cli import main


def test_verify_quick_prints_every_claim(capsys):
    assert main(["verify", "--quick", "--claim", "model.forces", "--claim", "model.loss-rows", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "model.forces" in out and "model.loss-rows" in out and "2 of 2 claims as expected" in out


def test_verify_in_worker_processes_gives_the_serial_numbers(capsys):
    ids = ["model.init-norm", "noise.fourth-moment", "model.gradient"]
    args = ["verify", "--json", *[a for i in ids for a in ("--claim", i)]]
    assert main([*args, "--workers", "1"]) == 0
    serial = json.loads(capsys.readouterr().out)["claims"]
    assert main([*args, "--workers", "2"]) == 0
    parallel = json.loads(capsys.readouterr().out)["claims"]
    assert [c["id"] for c in parallel] == [c["id"] for c in serial]  # the ledger's order, not finishing order
    assert [(c["measured"], c["predicted"], c["status"]) for c in parallel] == \
        [(c["measured"], c["predicted"], c["status"]) for c in serial]


def test_run_claims_starts_the_longest_first_and_rejects_bad_workers():
    from sims.ledger import CLAIMS
    from sims.ledger.runner import expected_seconds, run_claims

    cost = expected_seconds()
    assert cost["mitigations.birthday-width"] > cost["model.init-norm"] > 0
    with pytest.raises(ValueError, match="workers"):
        list(run_claims([CLAIMS["model.init-norm"]], workers=0))


def test_numba_caches_outside_the_source_tree(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import sims

    root = Path(sims.__file__).resolve().parents[1]
    assert root not in sims.numba_cache_dir().resolve().parents
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = "import sims, numba.core.config as c; print(c.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(tmp_path / "incidental-polysemanticity" / "numba")


def test_verify_json_and_quiet(capsys):
    assert main(["verify", "--claim", "model.forces", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claims"][0]["id"] == "model.forces" and data["claims"][0]["status"] == "confirmed"
    assert main(["verify", "--claim", "model.forces", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_verify_exit_code_when_a_claim_disagrees(monkeypatch, capsys):
    from sims import ledger as claims

    broken = claims.Outcome(status="refuted", measured=1.0, predicted=0.0, tolerance="x")
    monkeypatch.setattr(claims.runner, "run_claim", lambda c, seed=0: broken)
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


def test_verify_writes_report_json_and_figures(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["verify", "--quick", "--quiet", "--out", str(out),
                 "--claim", "train.gd-flow-order", "--claim", "model.forces", "--workers", "1"]) == 0
    assert capsys.readouterr().out == ""
    data = json.loads((out / "claims.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["model.forces", "train.gd-flow-order"]
    assert data["claims"][1]["figure"] == "figures/train.gd-flow-order.png"
    png = out / "figures" / "train.gd-flow-order.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "2 of 2 claims came out as the ledger expects" in report
    assert "[png](figures/train.gd-flow-order.png)" in report
    table = [line for line in report.splitlines() if line.startswith("| [")]  # the summary: one row per claim
    assert len(table) == 2 and all(line.replace("\\|", "").count("|") == 6 for line in table)  # 5 cells
    assert not list(out.rglob(".*tmp*"))


def test_sweep_command_writes_results_and_resumes(tmp_path, capsys, monkeypatch):
    from sims.runs import grids as sweeps

    from .sweep_points import noisy_sum

    grid = ({"a": (0, 1)}, {"b": 0.5})
    monkeypatch.setitem(sweeps.SWEEPS, "demo", (noisy_sum, grid, grid))
    assert main(["sweep", "demo", "--quick", "--out", str(tmp_path), "--quiet"]) == 0
    lines = (tmp_path / "demo.csv").read_text().splitlines()
    assert lines[0] == "b,a,instance,draws,value" and len(lines) == 1 + 2 * 3
    assert main(["sweep", "demo", "--quick", "--out", str(tmp_path)]) == 0
    assert "(0 computed, 2 reused)" in capsys.readouterr().out


@pytest.mark.parametrize("args,fragment", [
    (["sweep", "nope", "--out", "X"], "sweep must be one of"),
    (["sweep", "polysemantic", "--workers", "0", "--out", "X"], "positive integer"),
    (["sweep", "polysemantic", "--workers", "2", "--scheduler", "tcp://x:1", "--out", "X"], "not allowed with"),
    (["sweep", "polysemantic"], "--out"),
])
def test_sweep_bad_input(args, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_reproduce_noise_writes_png_and_csv(tmp_path, capsys, monkeypatch):
    from sims.figures import noise as noise_experiment

    real = noise_experiment.noise_sweep

    def tiny(*, quick, seed=0):
        s = real(quick=quick, seed=seed)
        return type(s)(name=s.name, point=s.point, grid=s.grid, seed=s.seed,
                       fixed={**s.fixed, "steps": 300, "points": 5})

    monkeypatch.setattr(noise_experiment, "noise_sweep", tiny)
    assert main(["reproduce", "noise", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "noise.png").read_bytes()[:4] == b"\x89PNG"
    lines = (tmp_path / "noise.csv").read_text().splitlines()
    assert lines[0].startswith("family,sigma,excess_kurtosis,step,fourth_norm_mean,ci95_low,ci95_high")
    families = {line.split(",")[0] for line in lines[1:]}
    assert families == {"bipolar", "uniform", "gaussian", "laplace"}
    for line in lines[1:]:
        mean, lo, hi = map(float, line.split(",")[4:7])
        assert lo <= mean <= hi


def test_reproduce_unknown_figure(capsys, tmp_path):
    assert main(["reproduce", "nope", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "unknown figure 'nope'" in err and not (tmp_path / "x").exists()


def test_reproduce_collisions_writes_png_and_csv(tmp_path, monkeypatch):
    from sims.runs import grids as sweeps

    tiny = ({"m": (8, 16)}, {"n": 8, "l1": 1e-3, "steps": 300, "instances": 3})
    monkeypatch.setitem(sweeps.SWEEPS, "polysemantic", (sweeps.polysemantic_counts, tiny, tiny))
    assert main(["reproduce", "collisions", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "collisions.png").read_bytes()[:4] == b"\x89PNG"
    header, *rows = (tmp_path / "collisions.csv").read_text().splitlines()
    cols = header.split(",")
    assert cols[:4] == ["n", "m", "instances", "band_mean"] and "distinct_expected" in cols
    assert [r.split(",")[1] for r in rows] == ["8", "16"]
    distinct = [float(r.split(",")[cols.index("distinct_expected")]) for r in rows]
    assert distinct == pytest.approx([8 * 7 / 32, 8 * 7 / 64])


def _incidental_pair(w=0.95):
    """Features 0 (+w) and 1 (−w) share neuron 0, feature 2 is alone on neuron 1, neurons 2 and 3 are free."""
    W = np.zeros((3, 4))
    W[0, 0], W[1, 0], W[2, 1] = w, -w, w
    return W


def test_diagnose_labels_repairs_and_writes_the_repaired_weights(tmp_path, capsys):
    from theory.cooccurrence import expected_loss_exact

    np.save(tmp_path / "W.npy", _incidental_pair())
    out = tmp_path / "fixed" / "W.npy"
    assert main(["diagnose", str(tmp_path / "W.npy"), "--l1", "0.1", "--p", "0.05", "--repair", str(out),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["instances"]
    (neuron,) = entry["neurons"]
    assert neuron["label"] == "incidental" and neuron["neuron"] == 0 and entry["one_move_from_better"]
    assert entry["repair"]["loss_after"] < entry["repair"]["loss_before"] and entry["repair"]["moves"] == 1
    fixed = np.load(out)
    assert fixed.shape == (3, 4) and len(set(np.argmax(np.abs(fixed), axis=1))) == 3
    assert float(expected_loss_exact(fixed, 0.05, l1=0.1)) == pytest.approx(entry["repair"]["loss_after"], rel=1e-12)
    # the npz written by `incidental train` (key W, a stack of instances), in text form
    np.savez(tmp_path / "run.npz", W=np.stack([_incidental_pair(), np.eye(3, 4)]))
    assert main(["diagnose", str(tmp_path / "run.npz"), "--p", "0.05"]) == 0
    text = capsys.readouterr().out
    assert "instance 0: 1 polysemantic neurons (1 incidental" in text and "instance 1: 0 polysemantic" in text


@pytest.mark.parametrize("make,args,fragment", [
    (None, [], "no such file"),
    ("npz", ["--key", "X"], "--key 'X': not in"),
    ("vector", [], "expected shape (n, m)"),
    ("npy", ["--p", "1.5"], "p must be"),
    ("npy", ["--l1", "-1"], "l1 must be"),
])
def test_diagnose_bad_input_is_one_line_and_exit_2(make, args, fragment, tmp_path, capsys):
    path = tmp_path / ("W.npz" if make == "npz" else "W.npy")
    if make == "npz":
        np.savez(path, W=_incidental_pair())
    elif make == "vector":
        np.save(path, np.ones(4))
    elif make == "npy":
        np.save(path, _incidental_pair())
    assert main(["diagnose", str(path)] + args) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


# ------------------------------------------------------------------ usage errors, internal errors, --debug


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    return err


def test_usage_error_is_exit_2_with_one_line_even_under_debug(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENTAL_DEBUG", "1")
    # a ValueError from building a configuration out of argv (ModelSpec) is bad input, not a bug
    assert main(["--debug", "train", "--n", "0", "--m", "8", "--out", "X"]) == 2
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("incidental: error: n must be an integer >= 1") and "internal" not in err
    assert list(tmp_path.iterdir()) == []
    assert main(["verify", "--claim", "model.forces", "--debug"]) == 2  # a global option: before the command
    assert "unrecognized arguments: --debug" in _one_line(capsys.readouterr().err)


def _diagnose_raises(monkeypatch):
    from sims.measure import diagnosis

    def broken(W, **kw):
        raise ValueError("library bug deep inside")

    monkeypatch.setattr(diagnosis, "diagnose", broken)


def test_library_value_error_is_an_internal_error_exit_1(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)
    np.save(tmp_path / "W.npy", _incidental_pair())
    _diagnose_raises(monkeypatch)
    assert main(["diagnose", str(tmp_path / "W.npy")]) == 1
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("incidental: internal error: ValueError: library bug deep inside")
    assert "--debug" in err and "INCIDENTAL_DEBUG=1" in err


def test_figure_calling_a_theory_function_wrongly_is_an_internal_error(tmp_path, capsys, monkeypatch):
    # the bug class behind this: a figure passing m < n to theory.collisions.expected_overlap_distinct was
    # reported as bad input (exit 2)
    from sims.figures.registry import Reproduction, load_all
    from theory.collisions import expected_overlap_distinct

    monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)
    registry = load_all()
    monkeypatch.setitem(registry, "regimes",
                        Reproduction("regimes", "broken", lambda out, options: [expected_overlap_distinct(12, 8)]))
    assert main(["reproduce", "regimes", "--quick", "--quiet", "--out", str(tmp_path)]) == 1
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("incidental: internal error: ValueError: m must be >= n")


@pytest.mark.parametrize("debug_args,env", [(["--debug"], None), ([], "1"), (["--debug", "--debug"], "0")])
def test_debug_lets_the_library_error_propagate(debug_args, env, tmp_path, capsys, monkeypatch):
    if env is None:
        monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)
    else:
        monkeypatch.setenv("INCIDENTAL_DEBUG", env)
    np.save(tmp_path / "W.npy", _incidental_pair())
    _diagnose_raises(monkeypatch)
    with pytest.raises(ValueError, match="library bug deep inside"):
        main(debug_args + ["diagnose", str(tmp_path / "W.npy")])
    assert capsys.readouterr().err == ""


def test_debug_env_zero_means_off(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENTAL_DEBUG", "0")
    np.save(tmp_path / "W.npy", _incidental_pair())
    _diagnose_raises(monkeypatch)
    assert main(["diagnose", str(tmp_path / "W.npy")]) == 1
    assert "internal error" in capsys.readouterr().err


def test_os_error_mid_run_is_exit_1_but_not_internal(tmp_path, capsys, monkeypatch):
    from sims.runs import output

    monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)

    def full(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "write_training_run", full)
    args = ["train", "--n", "2", "--m", "2", "--steps", "1", "--records", "2", "--optimizer", "gd", "--lr", "0.1",
            "--out", str(tmp_path / "o")]
    assert main(args) == 1
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("incidental: error:") and "No space left" in err and "internal" not in err
    with pytest.raises(OSError):
        main(["--debug"] + args)


def test_divergence_is_not_internal_and_debug_shows_it(tmp_path, capsys, monkeypatch):
    from sims.dynamics.train import DivergenceError

    monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)
    args = ["train", "--n", "3", "--m", "4", "--optimizer", "gd", "--lr", "50", "--steps", "100",
            "--out", str(tmp_path / "o")]
    assert main(args) == 1
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("incidental: error: weights became non-finite at step") and "internal" not in err
    with pytest.raises(DivergenceError):
        main(["--debug"] + args)


def test_diagnose_malformed_weights_and_unwritable_repair_are_usage_errors(tmp_path, capsys):
    bad = _incidental_pair()
    bad[0, 0] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    assert main(["diagnose", str(tmp_path / "nan.npy")]) == 2
    assert "NaN or inf" in _one_line(capsys.readouterr().err)
    np.save(tmp_path / "text.npy", np.array([["a", "b"], ["c", "d"]]))
    assert main(["diagnose", str(tmp_path / "text.npy")]) == 2
    assert "not an array of real numbers" in _one_line(capsys.readouterr().err)
    (tmp_path / "empty.npy").write_bytes(b"")
    (tmp_path / "cut.npz").write_bytes((tmp_path / "nan.npy").read_bytes()[:60])
    for name in ("empty.npy", "cut.npz"):  # EOFError, BadZipFile: bad input, not a bug
        assert main(["diagnose", str(tmp_path / name)]) == 2
        assert "not a .npy or .npz file" in _one_line(capsys.readouterr().err)
    np.save(tmp_path / "W.npy", _incidental_pair())
    assert main(["diagnose", str(tmp_path / "W.npy"), "--repair", str(tmp_path)]) == 2
    assert "--repair" in _one_line(capsys.readouterr().err)


# ----------------------------------------------------------------------------- the writers in sims.runs.output


def test_train_files_come_from_the_library_writer_unchanged(tmp_path, capsys):
    from sims.dynamics.schedule import Schedule
    from sims.dynamics.train import TrainConfig, train
    from sims.runs.output import write_training_run
    from theory import ModelSpec

    out = tmp_path / "cli"
    assert main(["train", "--n", "3", "--m", "5", "--l1", "0.01", "--steps", "20", "--instances", "2",
                 "--optimizer", "gd", "--lr", "0.05", "--records", "4", "--seed", "7", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out / 'weights.npz'} and {out / 'history.csv'}; final means:")
    with np.load(out / "weights.npz") as saved:
        assert saved.files == ["W0", "W", "steps"]  # the keys and their order, as before
        assert saved["W0"].shape == saved["W"].shape == (2, 3, 5) and saved["steps"][0] == 0
        steps = saved["steps"].tolist()
    header, *rows = (out / "history.csv").read_text().splitlines()
    assert header == "step,instance,fourth_norm,l1_norm,loss,polysemantic"
    assert [r.split(",")[:2] for r in rows] == [[str(s), str(i)] for s in steps for i in range(2)]
    for r in rows:  # floats with repr precision, the count as a float as before
        assert all(c == repr(float(c)) for c in r.split(",")[2:])
    # the same run written by the library function directly: byte for byte the same files
    res = train(ModelSpec(n=3, m=5, l1=0.01), TrainConfig(optimizer="gd", lr=0.05, steps=20, instances=2,
                                                          record=Schedule(points=4)), rng=7)
    paths = write_training_run(tmp_path / "lib", res)
    assert [p.name for p in paths] == ["weights.npz", "history.csv"]
    for p in paths:
        assert p.read_bytes() == (out / p.name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == ["history.csv", "weights.npz"]  # no temporaries


def test_visualise_writes_the_batch_and_names_the_facets(tmp_path, capsys):
    """`incidental visualise` on a hand-built ± neuron and a monosemantic one: two facets and one, the CSV holds
    B rows per neuron with their facet index, the PNG is written; a neuron out of range is a usage error."""
    import csv

    import numpy as np

    from sims.cli import main

    path = tmp_path / "W.npy"
    np.save(path, np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]))
    assert main(["visualise", str(path), "--neuron", "0", "--neuron", "1", "--steps", "300", "--out",
                 str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "neuron 0: 2 facet(s): {0}, {1}" in out and "neuron 1: 1 facet(s): {2}" in out
    with open(tmp_path / "out" / "visualise.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 16 and {r["facet"] for r in rows if r["neuron"] == "0"} == {"0", "1"}
    assert (tmp_path / "out" / "visualise.png").stat().st_size > 0
    assert main(["visualise", str(path), "--neuron", "2", "--out", str(tmp_path / "out")]) == 2
    assert "--neuron must be below m = 2" in capsys.readouterr().err
