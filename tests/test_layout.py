"""Layering, read from the source (every import statement, including those inside functions).

* ``theory`` is pure: no ``sims``, no ``derivations``, no I/O, plotting or compiling library.
* ``derivations`` imports neither ``theory`` nor ``sims`` (an independent route).
* ``sims`` is a stack of role subpackages that import one way, lower to higher:
  measure → dynamics → studies → runs → figures → ledger → the top-level modules (``cli``); a module may
  import its own layer and the layers below it, never above, and no subpackage imports the top-level
  ``sims`` namespace. Engines, measurements and studies do no I/O and draw nothing. Only the ledger
  (which runs the derivations as claims) and the CLI see ``derivations``.
* No import cycle among the modules of ``sims``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIMS = ROOT / "sims"
LAYERS = ("data", "measure", "dynamics", "studies", "runs", "figures", "ledger", "")  # "": sims/*.py
NO_IO = {"matplotlib", "tqdm", "dask", "json", "csv", "pathlib", "os", "shutil", "pickle"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT):
    """Absolute names of every module ``path`` imports (relative imports resolved), at any depth."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            if node.module is None:  # from . import a, b: each name is a module
                yield from (f"{prefix}.{alias.name}" for alias in node.names)
            else:
                yield prefix


def sims_files():
    return sorted(SIMS.rglob("*.py"))


def layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (SIMS / parts[1]).is_dir()) else ""


def test_every_sims_file_is_in_a_known_layer():
    unknown = [p for p in sims_files() if layer(module_name(p)) not in LAYERS]
    assert not unknown, unknown


@pytest.mark.parametrize("folder,forbidden", [
    ("theory", {"sims", "derivations", "matplotlib", "tqdm", "dask", "json", "pathlib", "os", "numba"}),
    ("derivations", {"theory", "sims"}),
])
def test_forbidden_imports(folder, forbidden):
    offenders = [(p.name, name) for p in sorted((ROOT / folder).rglob("*.py")) for name in imports(p)
                 if name.split(".")[0] in forbidden]
    assert not offenders, offenders


@pytest.mark.parametrize("path", sims_files(), ids=lambda p: str(p.relative_to(SIMS)))
def test_sims_imports_point_down_the_layers(path):
    here = layer(module_name(path))
    rank = LAYERS.index(here)
    bad = []
    for name in imports(path):
        top = name.split(".")[0]
        if top == "sims":
            if name == "sims" and here != "":
                bad.append(name)  # the top-level namespace imports every layer
            elif name != "sims" and LAYERS.index(layer(name)) > rank:
                bad.append(f"{name} (layer {layer(name) or 'top'} above {here or 'top'})")
        elif top == "derivations" and here not in ("ledger", ""):
            bad.append(name)
        elif top in NO_IO and here in ("measure", "dynamics", "studies"):
            bad.append(f"{name} (I/O in {here})")
    assert not bad, bad


def test_no_import_cycle():
    graph = {module_name(p): {n for n in imports(p) if n.startswith("sims.")} for p in sims_files()}
    # "from .x import y" names the package x or the module x; keep edges to known modules only
    graph = {a: {b for b in bs if b in graph} for a, bs in graph.items()}
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                # a package's __init__ re-exporting its own modules is not a cycle unless a module imports it back
                raise AssertionError(" -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_layout_checker_sees_a_violation(tmp_path):
    # a relative import inside a function, from a low layer to a high one, is resolved and ranked
    bad = tmp_path / "sims" / "measure" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from ..figures.registry import load_all\n    from . import metrics\n")
    names = list(imports(bad, tmp_path))
    assert names == ["sims.figures.registry", "sims.measure.metrics"]
    assert LAYERS.index(layer(names[0])) > LAYERS.index(layer(module_name(bad, tmp_path)))
