"""`incidental reproduce all --workers N`: whole figures at once in worker processes, the longest first, with
the files of a serial run (``sims.figures.registry.run_reproductions``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sims.cli import main
from sims.figures import registry
from sims.figures.registry import Reproduction, RunOptions, expected_seconds, load_all, run_reproductions
from sims.runs.output import atomic_csv, write_sweep_table
from sims.runs.sweep import Sweep, run_sweep
from sims.studies.collisions import polysemantic_counts
from sims.studies.noise import fourth_norm_curve

# ------------------------------------------------------------------ tiny figures, importable by spawned workers


def tiny_noise(out: Path, options: RunOptions) -> list[Path]:
    """A two-point noise sweep (plain GD with fresh noise each step) and its table."""
    sweep = Sweep(name="tiny-noise", point=fourth_norm_curve, grid={"sigma": (0.1, 0.15)}, seed=options.seed,
                  fixed={"family": "bipolar", "n": 4, "m": 8, "lr": 0.02, "steps": 50, "instances": 2,
                         "points": 3})
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    return [write_sweep_table(Path(out) / "tiny-noise.csv", res.rows)]


def tiny_counts(out: Path, options: RunOptions) -> list[Path]:
    """A two-point AdamW collision count (float32, the numba kernels) and its table."""
    sweep = Sweep(name="tiny-counts", point=polysemantic_counts, grid={"m": (8, 16)}, seed=options.seed,
                  fixed={"n": 8, "l1": 1e-3, "steps": 100, "instances": 3})
    res = run_sweep(sweep, out, workers=options.workers, scheduler=options.scheduler, progress=options.progress)
    return [write_sweep_table(Path(out) / "tiny-counts.csv", res.rows)]


def options_seen(out: Path, options: RunOptions) -> list[Path]:
    """Writes the options the figure was run with."""
    return [atomic_csv(Path(out) / "options.csv", ["workers", "progress", "seed"],
                       [[options.workers, options.progress, options.seed]])]


def fails_on_disk(out: Path, options: RunOptions) -> list[Path]:
    raise OSError(28, "No space left on device")


TINY = {"tiny-noise": Reproduction("tiny-noise", "tiny noise sweep", tiny_noise),
        "tiny-counts": Reproduction("tiny-counts", "tiny collision count", tiny_counts)}


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (sweep results included) by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------- the API


def test_concurrent_figures_write_the_files_of_a_serial_run(tmp_path):
    figures = [*TINY.values(), Reproduction("options", "records its options", options_seen)]
    (tmp_path / "serial").mkdir()
    (tmp_path / "concurrent").mkdir()
    serial = list(run_reproductions(figures, tmp_path / "serial", RunOptions(seed=3)))
    # each concurrent figure runs its sweep in its own process (workers=1) without a progress bar
    busy = RunOptions(seed=3, workers=2, progress=True)
    concurrent = list(run_reproductions(figures, tmp_path / "concurrent", busy, workers=2))
    assert [r.name for r, _, _ in serial] == ["tiny-noise", "tiny-counts", "options"]  # serial: the order given
    assert sorted(r.name for r, _, _ in concurrent) == ["options", "tiny-counts", "tiny-noise"]
    assert all(any(r is f for f in figures) for r, _, _ in concurrent)  # the objects given, whatever the process
    for runs, folder in ((serial, "serial"), (concurrent, "concurrent")):
        for repro, files, seconds in runs:
            assert [f.name for f in files] == [f"{repro.name}.csv"] and seconds >= 0
            assert all(f.parent == tmp_path / folder for f in files)
    a, b = files_of(tmp_path / "serial"), files_of(tmp_path / "concurrent")
    assert len(a) == 3 + 2 + 2  # 3 tables, 2 × 2 sweep points
    assert a["options.csv"] == b"workers,progress,seed\n1,False,3\n"
    assert a == b  # byte for byte: the tables and every sweep point's JSON


def test_longest_first_in_the_registry_order_for_ties(monkeypatch):
    submitted = []

    class Future:
        def __init__(self, result):
            self._result = result

        def result(self):
            return self._result

    class Pool:  # runs each task at once, in the order submitted
        def __init__(self, max_workers, mp_context):
            assert max_workers == 2 and mp_context.get_start_method() == "spawn"

        def submit(self, fn, repro, out, options):
            submitted.append(repro.name)
            return Future((repro.name, [], 0.0))

        def shutdown(self, wait, cancel_futures):
            pass

    monkeypatch.setattr(registry, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(registry, "as_completed", lambda futures: list(futures))
    monkeypatch.setattr(registry, "expected_seconds", lambda *, quick: {"b": 5.0, "c": 9.0} if quick else {})
    figures = [Reproduction(name, "", options_seen) for name in "abcd"]
    list(run_reproductions(figures, "out", RunOptions(quick=True), workers=2))
    assert submitted == ["c", "b", "a", "d"]
    submitted.clear()
    list(run_reproductions(figures, "out", RunOptions(quick=False), workers=2))
    assert submitted == ["a", "b", "c", "d"]


def test_one_figure_a_scheduler_or_one_worker_run_in_this_process(tmp_path, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("no process pool expected")

    monkeypatch.setattr(registry, "ProcessPoolExecutor", no_pool)
    seen = Reproduction("options", "records its options", options_seen)
    [(repro, files, _)] = run_reproductions([seen], tmp_path, RunOptions(workers=2), workers=2)
    assert repro is seen and (tmp_path / "options.csv").read_text().splitlines()[1] == "2,False,0"
    twice = [seen, Reproduction("again", "", options_seen)]
    assert len(list(run_reproductions(twice, tmp_path, RunOptions(scheduler="tcp://x:1"), workers=2))) == 2
    assert len(list(run_reproductions(twice, tmp_path, RunOptions(workers=2), workers=1))) == 2


def test_bad_arguments_are_value_errors_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        run_reproductions(list(TINY.values()), tmp_path, RunOptions(), workers=0)
    with pytest.raises(ValueError, match="unknown reproduction 'nope'"):
        run_reproductions(["sparsity", "nope"], tmp_path, RunOptions())
    assert not list(tmp_path.iterdir())


def test_names_are_looked_up_in_the_registry(tmp_path, monkeypatch):
    seen = Reproduction("options", "records its options", options_seen)
    monkeypatch.setattr(registry, "load_all", lambda: {"options": seen})
    [(repro, files, _)] = run_reproductions(["options"], tmp_path, RunOptions())
    assert repro is seen and files == [tmp_path / "options.csv"]


def test_expected_seconds_cover_every_figure_quick_and_full():
    names = set(load_all())
    quick, full = expected_seconds(quick=True), expected_seconds(quick=False)
    assert set(quick) == set(full) == names
    assert all(0 < quick[k] <= full[k] for k in names)


def test_expected_seconds_ship_with_the_package():
    setup = (Path(__file__).resolve().parents[1] / "setup.cfg").read_text()
    assert re.search(r"^sims\.figures\s*=\s*figure_seconds\.json\s*$", setup, re.MULTILINE), \
        "add 'sims.figures = figure_seconds.json' to [options.package_data] in setup.cfg"


# ---------------------------------------------------------------------------------------------- the CLI


def test_cli_reproduce_all_with_workers_prints_each_figure_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(registry, "load_all", lambda: dict(TINY))
    assert main(["reproduce", "all", "--seed", "2", "--workers", "1", "--out", str(tmp_path / "serial")]) == 0
    serial = capsys.readouterr().out.splitlines()
    assert main(["reproduce", "all", "--seed", "2", "--workers", "2", "--out", str(tmp_path / "concurrent")]) == 0
    concurrent = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in serial] == ["tiny-noise", "tiny-counts"]
    assert sorted(line.split(":")[0] for line in concurrent) == ["tiny-counts", "tiny-noise"]
    for line in concurrent:
        name = line.split(":")[0]
        assert re.fullmatch(rf"{name}: wrote {re.escape(str(tmp_path / 'concurrent' / name))}\.csv \(\d+\.\d s\)",
                            line), line
    assert files_of(tmp_path / "serial") == files_of(tmp_path / "concurrent")


def test_cli_a_failing_figure_in_a_worker_keeps_the_error_conventions(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("INCIDENTAL_DEBUG", raising=False)
    figures = {"disk": Reproduction("disk", "fails", fails_on_disk),
               "options": Reproduction("options", "records its options", options_seen)}
    monkeypatch.setattr(registry, "load_all", lambda: figures)
    assert main(["reproduce", "all", "--workers", "2", "--quiet", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("incidental: error:") and "No space left on device" in err
    assert main(["reproduce", "nope", "--workers", "2", "--out", str(tmp_path)]) == 2
    assert "unknown figure 'nope'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- the real figures


@pytest.mark.slow
def test_two_quick_figures_concurrently_match_a_serial_run(tmp_path):
    names = ["sparsity", "tradeoff"]
    for folder in ("serial", "concurrent"):
        (tmp_path / folder).mkdir()
    serial = list(run_reproductions(names, tmp_path / "serial", RunOptions(quick=True, seed=1)))
    concurrent = list(run_reproductions(names, tmp_path / "concurrent", RunOptions(quick=True, seed=1), workers=2))
    assert sorted(r.name for r, _, _ in concurrent) == names == [r.name for r, _, _ in serial]
    a, b = files_of(tmp_path / "serial"), files_of(tmp_path / "concurrent")
    assert {"sparsity.csv", "sparsity_summary.csv", "sparsity.png", "tradeoff.csv", "tradeoff.png"} <= set(a)
    assert set(a) == set(b) and [k for k in a if a[k] != b[k]] == []  # the PNGs too, and every sweep point
