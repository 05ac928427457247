"""Layering: theory is pure (no sims, no I/O libraries); sims never imports derivations, and
derivations imports neither theory nor sims (an independent route)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(folder):
    for path in sorted((ROOT / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                yield path.name, {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path.name, {node.module.split(".")[0]}


@pytest.mark.parametrize("folder,forbidden", [
    ("theory", {"sims", "derivations", "matplotlib", "tqdm", "dask", "json", "pathlib", "os", "numba"}),
    ("sims", {"derivations"}),
    ("derivations", {"theory", "sims"}),
])
def test_forbidden_imports(folder, forbidden):
    # the comparison layer (the ledger's claims) and the CLI may see every package
    allowed = {"cli.py"} | {p.name for p in (ROOT / "sims").glob("claims*.py")} if folder == "sims" else set()
    offenders = [(name, mods & forbidden) for name, mods in imported_modules(folder)
                 if mods & forbidden and name not in allowed]
    assert not offenders, offenders
