"""Optional tqdm progress bar with a no-op fallback (tqdm is the ``progress`` extra)."""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


class _NoBar:
    def __init__(self, *args, **kwargs):
        pass

    def update(self, n=1):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress_bar(*, total: int, desc: str, disable: bool = False):
    """A tqdm bar on stderr, or a silent stand-in when disabled or tqdm is not installed."""
    if disable:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False)
