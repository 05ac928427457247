"""Figures: one module per figure reproduction (``incidental reproduce NAME``), each plotting a sweep's
results and writing its PNG and CSV; ``registry`` holds the registry the modules add themselves to, and
``load_all`` discovers them (importing this package imports only the registry).
"""

from . import registry as _registry
from .registry import *  # noqa: F403

__all__ = [*_registry.__all__]
