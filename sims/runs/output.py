"""Files the package writes: atomically (a temporary name in the same folder, then a rename), so a reader
sees the old file or the whole new one; CSV tables, numpy arrays and matplotlib figures; and the files of
the command line's runs (``incidental train``, ``diagnose``, ``sweep``), so that the CLI only parses
arguments, calls these and prints."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = ["atomic_csv", "atomic_npy", "atomic_npz", "atomic_text", "diagnosis_json", "diagnosis_record",
           "pyplot", "save_figure", "sweep_table", "write_repaired_weights", "write_sweep_table",
           "write_training_run"]


def atomic_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one.

    The text goes to a hidden temporary file next to ``path``, is flushed to disk, then renamed over ``path``
    (the folder must exist). Returns ``path`` as a ``Path``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = atomic_text(Path(d) / "note.txt", "old")
    ...     path = atomic_text(path, "new")
    ...     path.read_text(), sorted(p.name for p in Path(d).iterdir())
    ('new', ['note.txt'])
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())  # the rename must not outrun the data after a crash
    os.replace(tmp, path)
    return path


def _atomic_binary(path: Path, write: Callable) -> Path:
    """``write(fh)`` into a temporary file next to ``path``, then rename it to ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a CSV table (numbers with repr precision) atomically.

    ``header`` is the first line; each row's cells are joined by commas, floats as ``repr(float(x))``, anything
    else as ``str(x)`` (no quoting). Returns ``path`` (written with ``atomic_text``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     print(atomic_csv(Path(d) / "t.csv", ["m", "count"], [[8, 0.1], [16, 1 / 3]]).read_text(), end="")
    m,count
    8,0.1
    16,0.3333333333333333
    """
    def cell(x):
        return repr(float(x)) if isinstance(x, float) else str(x)

    lines = [",".join(header)] + [",".join(cell(x) for x in row) for row in rows]
    return atomic_text(path, "\n".join(lines) + "\n")


def atomic_npy(path: Path, array) -> Path:
    """Write one array in numpy's ``.npy`` format (``numpy.save``) atomically.

    Parameters
    ----------
    path : path-like
        The file to write (its folder must exist); the name is used as given, no ``.npy`` is appended.
    array : array_like

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = atomic_npy(Path(d) / "W.npy", np.eye(2))
    ...     np.load(path).tolist(), sorted(p.name for p in Path(d).iterdir())
    ([[1.0, 0.0], [0.0, 1.0]], ['W.npy'])
    """
    return _atomic_binary(path, lambda fh: np.save(fh, array))


def atomic_npz(path: Path, **arrays) -> Path:
    """Write named arrays to an uncompressed ``.npz`` archive (``numpy.savez``, keys in the order given) atomically.

    Parameters
    ----------
    path : path-like
        The file to write (its folder must exist); the name is used as given.
    **arrays : array_like
        The arrays, by the name they are stored under.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = atomic_npz(Path(d) / "run.npz", W=np.ones((2, 3)), steps=np.arange(3))
    ...     with np.load(path) as data:
    ...         data.files, data["W"].shape
    (['W', 'steps'], (2, 3))
    """
    return _atomic_binary(path, lambda fh: np.savez(fh, **arrays))


# ------------------------------------------------------------------------------------------ training run


def write_training_run(out: Path, result) -> list[Path]:
    """Write a training run as ``incidental train`` does: ``out/weights.npz`` and ``out/history.csv``.

    Parameters
    ----------
    out : path-like
        Folder for the two files (created if missing).
    result : sims.dynamics.train.TrainResult
        The run: initial and final weights ``W0``, ``W`` of shape (instances, n, m), the recorded
        ``steps`` and ``history[name]`` of shape (len(steps), instances).

    Returns
    -------
    list of Path
        ``[out/weights.npz, out/history.csv]``: the archive holds ``W0``, ``W`` and ``steps``; the table has
        the columns ``step, instance`` and the history's names in sorted order, one row per recorded step
        and instance (numbers with repr precision).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from theory import ModelSpec
    >>> from sims.dynamics.schedule import Schedule
    >>> from sims.dynamics.train import TrainConfig, train
    >>> res = train(ModelSpec(n=2, m=3, l1=0.01), TrainConfig(optimizer="gd", lr=0.05, steps=4, instances=2,
    ...                                                       record=Schedule(every=2)), rng=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     weights, history = write_training_run(Path(d) / "run", res)
    ...     with np.load(weights) as saved:
    ...         print(saved.files, saved["W"].shape, saved["steps"].tolist())
    ...     lines = history.read_text().splitlines()
    ['W0', 'W', 'steps'] (2, 2, 3) [0, 2, 4]
    >>> lines[0], len(lines)
    ('step,instance,fourth_norm,l1_norm,loss,polysemantic', 7)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    weights = atomic_npz(out / "weights.npz", W0=result.W0, W=result.W, steps=result.steps)
    names = sorted(result.history)
    instances = np.shape(result.W)[0]
    history = atomic_csv(out / "history.csv", ["step", "instance"] + names,
                         ([step, i] + [float(result.history[k][r, i]) for k in names]
                          for r, step in enumerate(result.steps) for i in range(instances)))
    return [weights, history]


# ------------------------------------------------------------------------------------------- diagnosis


def diagnosis_record(weights, diagnoses: Sequence[Sequence], *, l1: float, p: float, tol: float,
                     repairs: Sequence | None = None) -> dict:
    """The diagnosis of a stack of trained weights as a JSON-ready record (what ``incidental diagnose --json``
    prints).

    Parameters
    ----------
    weights : str or path-like
        Where the weights came from (recorded as a string).
    diagnoses : sequence of sequences of sims.measure.diagnosis.NeuronDiagnosis
        Per instance, ``diagnose(W_instance, ...)``.
    l1, p, tol : float
        The parameters the diagnosis used.
    repairs : sequence of sims.measure.diagnosis.RepairResult, optional
        Per instance, ``repair(W_instance, ...)``; adds each instance's ``"repair"`` entry.

    Returns
    -------
    dict
        ``{"weights", "l1", "p", "tol", "instances": [...]}``, each instance with ``"instance"``,
        ``"one_move_from_better"``, ``"neurons"`` (label, features, weights, best move, its loss change,
        objective and evidence per polysemantic neuron) and, with ``repairs``, ``"repair"`` (losses before
        and after, moves, objective).

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.diagnosis import diagnose, repair
    >>> W = np.array([[0.95, 0, 0, 0], [-0.95, 0, 0, 0], [0, 0.95, 0, 0]])
    >>> rec = diagnosis_record("W.npy", [diagnose(W, p=0.05)], l1=0.0, p=0.05, tol=1e-3,
    ...                        repairs=[repair(W, p=0.05)])
    >>> entry = rec["instances"][0]
    >>> [(n["neuron"], n["label"], n["features"]) for n in entry["neurons"]], entry["repair"]["moves"]
    ([(0, 'incidental', [0, 1])], 1)
    """
    instances = []
    for idx, diags in enumerate(diagnoses):
        entry = {"instance": idx, "one_move_from_better": any(d.strictly_better for d in diags),
                 "neurons": [{"neuron": d.neuron, "label": d.label, "features": list(d.features),
                              "weights": list(d.weights), "move": list(d.move) if d.move else None,
                              "loss_change": d.change, "objective": d.objective, "evidence": d.evidence}
                             for d in diags]}
        if repairs is not None:
            r = repairs[idx]
            entry["repair"] = {"loss_before": r.loss_before, "loss_after": r.loss_after, "moves": r.moves,
                               "objective": r.objective}
        instances.append(entry)
    return {"weights": str(weights), "l1": l1, "p": p, "tol": tol, "instances": instances}


def diagnosis_json(record: Mapping) -> str:
    """The text of a ``diagnosis_record`` as ``incidental diagnose --json`` prints it (indented JSON, no final
    newline).

    Examples
    --------
    >>> print(diagnosis_json({"weights": "W.npy", "l1": 0.0, "p": 0.0, "tol": 0.001, "instances": []}))
    {
      "weights": "W.npy",
      "l1": 0.0,
      "p": 0.0,
      "tol": 0.001,
      "instances": []
    }
    """
    return json.dumps(record, indent=2)


def write_repaired_weights(path: Path, repaired: Sequence, *, stacked: bool) -> Path:
    """Write repaired weights as ``incidental diagnose --repair FILE`` does (``.npy``, atomically, creating
    the folder).

    Parameters
    ----------
    path : path-like
        The file to write.
    repaired : sequence of arrays
        The repaired W of each instance (``RepairResult.W``).
    stacked : bool
        Write the stack (instances, n, m), as for weights read with an instance axis; otherwise the one
        instance's (n, m) array (``repaired`` must then hold exactly one).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as d:
    ...     one = write_repaired_weights(Path(d) / "fixed" / "W.npy", [np.eye(2)], stacked=False)
    ...     two = write_repaired_weights(Path(d) / "fixed" / "Ws.npy", [np.eye(2), np.eye(2)], stacked=True)
    ...     np.load(one).shape, np.load(two).shape
    ((2, 2), (2, 2, 2))
    """
    path = Path(path)
    if not stacked and len(repaired) != 1:
        raise ValueError(f"stacked=False needs exactly one instance, got {len(repaired)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_npy(path, np.stack(repaired) if stacked else repaired[0])


# ----------------------------------------------------------------------------------------------- sweeps


def sweep_table(rows: Sequence[Mapping]) -> tuple[list[str], list[list]]:
    """A sweep's results as one table row per instance: ``(header, rows)``.

    Parameters
    ----------
    rows : sequence of mappings
        ``SweepResult.rows``: each ``{"params": {...}, "result": {...}}``, all with the same keys.

    Returns
    -------
    header : list of str
        The parameter names, ``"instance"``, then the result names (matrix-valued results, lists of
        lists, stay in the per-point JSON only).
    rows : list of lists
        Per point, one row per instance (the length of its longest list-valued result; scalars repeat).

    Examples
    --------
    >>> header, table = sweep_table([{"params": {"a": 0}, "result": {"x": [1.5, 2.5], "y": 3, "M": [[1]]}}])
    >>> header, table
    (['a', 'instance', 'x', 'y'], [[0, 0, 1.5, 3], [0, 1, 2.5, 3]])
    """
    if not rows:
        raise ValueError("a sweep table needs at least one result row")
    params = list(rows[0]["params"])
    values = [k for k, v in rows[0]["result"].items()
              if not (isinstance(v, list) and any(isinstance(x, list) for x in v))]
    table = []
    for row in rows:
        result = row["result"]
        count = max(len(result[k]) if isinstance(result[k], list) else 1 for k in values)
        for i in range(count):
            table.append([row["params"][p] for p in params] + [i]
                         + [result[k][i] if isinstance(result[k], list) else result[k] for k in values])
    return params + ["instance"] + values, table


def write_sweep_table(path: Path, rows: Sequence[Mapping]) -> Path:
    """Write a sweep's results as the CSV table ``incidental sweep`` writes (``DIR/NAME.csv``), atomically.

    Parameters
    ----------
    path : path-like
        The CSV file.
    rows : sequence of mappings
        ``SweepResult.rows`` (see ``sweep_table`` for the layout).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> rows = [{"params": {"b": 0.5, "a": 1}, "result": {"value": 2.0, "draws": [4, 7]}}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     print(write_sweep_table(Path(d) / "demo.csv", rows).read_text(), end="")
    b,a,instance,value,draws
    0.5,1,0,2.0,4
    0.5,1,1,2.0,7
    """
    header, table = sweep_table(rows)
    return atomic_csv(path, header, table)


# ---------------------------------------------------------------------------------------------- figures


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend, or a ValueError naming the extra.

    Examples
    --------
    >>> plt = pyplot()  # needs matplotlib (the ``plot`` extra)
    >>> plt.get_backend().lower()
    'agg'
    """
    try:
        import matplotlib
    except ImportError:
        raise ValueError("figures need matplotlib: pip install 'incidental-polysemanticity[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: Path, *, dpi: int = 120) -> Path:
    """Save a matplotlib figure atomically and close it.

    The format follows the suffix of ``path`` (through a temporary file with the same suffix, then a rename);
    ``dpi`` as ``Figure.savefig``. Returns ``path``.

    Examples
    --------
    >>> import tempfile
    >>> plt = pyplot()
    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = save_figure(fig, Path(d) / "line.png", dpi=50)
    ...     path.read_bytes()[1:4], sorted(p.name for p in Path(d).iterdir())
    (b'PNG', ['line.png'])
    >>> plt.fignum_exists(fig.number)  # closed
    False
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=dpi)
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    os.replace(tmp, path)
    return path
