"""Files the package writes: atomically (a temporary name in the same folder, then a rename), so a reader
sees the old file or the whole new one; CSV tables and matplotlib figures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["atomic_csv", "atomic_text", "pyplot", "save_figure"]


def atomic_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())  # the rename must not outrun the data after a crash
    os.replace(tmp, path)
    return path


def atomic_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a CSV table (numbers with repr precision) atomically."""
    def cell(x):
        return repr(float(x)) if isinstance(x, float) else str(x)

    lines = [",".join(header)] + [",".join(cell(x) for x in row) for row in rows]
    return atomic_text(path, "\n".join(lines) + "\n")


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend, or a ValueError naming the extra."""
    try:
        import matplotlib
    except ImportError:
        raise ValueError("figures need matplotlib: pip install 'incidental-polysemanticity[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: Path, *, dpi: int = 120) -> Path:
    """Save a matplotlib figure atomically and close it."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=dpi)
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    os.replace(tmp, path)
    return path
