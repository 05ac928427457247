"""Sweeps: resumable after kill -9, identical across serial, process and dask execution."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sims.runs.sweep import Sweep, run_sweep

from .sweep_points import dies_once, noisy_sum, rows_equal

ROOT = Path(__file__).resolve().parents[1]
GRID = {"a": (0, 1, 2), "b": (0.5, 1.5)}


def test_serial_run_then_resume_reuses_everything(tmp_path):
    sweep = Sweep(name="demo", point=noisy_sum, grid=GRID, seed=4)
    first = run_sweep(sweep, tmp_path)
    assert (first.computed, first.reused) == (6, 0)
    again = run_sweep(sweep, tmp_path)
    assert (again.computed, again.reused) == (0, 6)
    assert rows_equal(first.rows, again.rows)
    other_seed = run_sweep(Sweep(name="demo", point=noisy_sum, grid=GRID, seed=5), tmp_path)
    assert other_seed.computed == 6 and not rows_equal(first.rows, other_seed.rows)


def test_point_stream_does_not_depend_on_grid_order_or_size(tmp_path):
    whole = run_sweep(Sweep(name="w", point=noisy_sum, grid=GRID, seed=1), tmp_path)
    part = run_sweep(Sweep(name="p", point=noisy_sum, grid={"b": (1.5,), "a": (2, 1)}, seed=1), tmp_path)
    by_params = {(r["params"]["a"], r["params"]["b"]): r["result"]["value"] for r in whole.rows}
    for r in part.rows:
        assert r["result"]["value"] == by_params[r["params"]["a"], r["params"]["b"]]


def test_workers_give_identical_numbers(tmp_path):
    sweep = Sweep(name="demo", point=noisy_sum, grid=GRID, seed=4)
    serial = run_sweep(sweep, tmp_path / "serial")
    parallel = run_sweep(sweep, tmp_path / "parallel", workers=2)
    assert parallel.computed == 6 and rows_equal(serial.rows, parallel.rows)


KILL_SCRIPT = """
import sys
from sims.runs.sweep import Sweep, run_sweep
from tests.sweep_points import noisy_sum
grid = {"a": tuple(range(12)), "b": (0.5,)}
run_sweep(Sweep(name="k", point=noisy_sum, grid=grid, fixed={"delay": 0.25}, seed=9), sys.argv[1])
"""


@pytest.mark.slow
def test_sweep_killed_mid_run_resumes_with_identical_results(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(out)], cwd=ROOT)
    folder = out / "k"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(folder.glob("*.json"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list(folder.glob("*.json")))
    assert 3 <= done_before < 12, "the kill must land mid-run"
    for path in folder.glob("*.json"):  # every result on disk is complete
        json.loads(path.read_text())

    sweep = Sweep(name="k", point=noisy_sum, grid={"a": tuple(range(12)), "b": (0.5,)}, fixed={"delay": 0.25}, seed=9)
    resumed = run_sweep(sweep, out)
    assert (resumed.computed, resumed.reused) == (12 - done_before, done_before)
    assert not list(folder.glob(".*.tmp"))
    fresh = run_sweep(sweep, tmp_path / "fresh")
    assert fresh.computed == 12
    assert [r["result"] for r in resumed.rows] == [r["result"] for r in fresh.rows]


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_equals_serial(tmp_path, dask_client):
    sweep = Sweep(name="demo", point=noisy_sum, grid=GRID, seed=4)
    serial = run_sweep(sweep, tmp_path / "serial")
    remote = run_sweep(sweep, tmp_path / "dask", scheduler=dask_client)
    assert remote.computed == 6 and rows_equal(serial.rows, remote.rows)


def test_dask_worker_killed_holding_a_task(tmp_path, dask_client):
    marker = tmp_path / "marker"
    dying = Sweep(name="demo", point=dies_once, grid=GRID, fixed={"marker": str(marker)}, seed=4)
    remote = run_sweep(dying, tmp_path / "dask", scheduler=dask_client)
    assert marker.exists(), "a worker must have been killed"
    serial = run_sweep(dying, tmp_path / "serial")  # the marker exists now: nothing dies
    assert [r["result"] for r in remote.rows] == [r["result"] for r in serial.rows]


@pytest.mark.parametrize("kwargs,match", [
    ({"name": "bad name!"}, "name"), ({"seed": -1}, "seed"), ({"grid": {}}, "grid"), ({"grid": {"a": ()}}, "grid"),
])
def test_sweep_validation(kwargs, match):
    base = dict(name="demo", point=noisy_sum, grid=GRID)
    with pytest.raises(ValueError, match=match):
        Sweep(**{**base, **kwargs})


def test_workers_validation(tmp_path):
    with pytest.raises(ValueError, match="workers"):
        run_sweep(Sweep(name="demo", point=noisy_sum, grid=GRID), tmp_path, workers=0)


def test_code_version_ignores_docstrings_and_comments_but_not_code(tmp_path):
    from sims.runs.sweep import _code_of

    path = tmp_path / "m.py"
    path.write_text('"""Module."""\n\ndef f(x):\n    """Square."""\n    return x * x  # comment\n')
    before = _code_of(path)
    path.write_text('"""Module, edited."""\n\ndef f(x):\n    """Square of x."""\n    # new comment\n    return x * x\n')
    assert _code_of(path) == before
    path.write_text('"""Module."""\n\ndef f(x):\n    """Square."""\n    return x * x * 1.0\n')
    assert _code_of(path) != before


def test_a_sweep_point_is_keyed_by_the_code_it_runs_only():
    from sims.runs.sweep import code_dependencies, code_version
    from sims.studies.collisions import polysemantic_counts

    deps = code_dependencies(polysemantic_counts.__module__)
    assert {"sims.studies.collisions", "sims.dynamics.train", "sims.measure.metrics", "theory.loss"} <= set(deps)
    assert not [d for d in deps if d.split(".")[1:2] in (["ledger"], ["figures"], ["runs"])]
    sweep = Sweep(name="k", point=polysemantic_counts, grid={"m": (8,)})
    assert sweep.identity({"m": 8})["code"] == code_version("sims.studies.collisions") != code_version()
