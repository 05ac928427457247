"""Optional tqdm progress bar with a no-op fallback (tqdm is the ``progress`` extra)."""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


class _NoBar:
    def __init__(self, *args, **kwargs):
        pass

    def update(self, n=1):
        pass

    def write(self, line: str) -> None:
        print(line, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress_bar(*, total: int, desc: str, disable: bool = False):
    """A tqdm bar on stderr, or a silent stand-in when disabled or tqdm is not installed.

    Use it as a context manager; ``update(n)`` advances it by n of ``total`` (labelled ``desc``);
    ``write(line)`` prints a line to stdout above the bar (``tqdm.write``), which stays on the last line.

    Examples
    --------
    >>> from sims.runs.progress import progress_bar
    >>> with progress_bar(total=3, desc="demo", disable=True) as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    >>> type(bar).__name__
    '_NoBar'
    >>> with progress_bar(total=2, desc="demo") as bar:  # tqdm on stderr, if installed
    ...     _ = bar.update(2)
    """
    if disable:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False)
    bar.write = lambda line: tqdm.write(line, file=sys.stdout)  # above the bar, on stdout
    return bar
