"""sympy derivations that re-derive and check each equation ``theory`` uses.

``python -m derivations [NAME ...] [--check] [--latex FILE]`` shows each derivation's results,
runs its machine check and exits non-zero if any check fails. ``derivations`` imports neither
``theory`` nor ``sims``: the tests lambdify these results and compare them with the numpy code.
"""

from __future__ import annotations

from . import circuit_paths, circuits, collisions, cooccurrence, diversity, loss, noise, noise_families, single_feature, two_features
from ._core import REGISTRY, Check, Derivation
from .cli import main, run_checks, write_latex

__all__ = ["REGISTRY", "Check", "Derivation", "circuit_paths", "circuits", "collisions", "cooccurrence", "diversity", "loss", "noise", "noise_families", "single_feature", "two_features", "main", "run_checks", "write_latex"]
