"""The public API's conventions, read from every public function of theory and sims.

* ``rng=`` is keyword-only wherever it appears (SPEC 7), and accepts an int, a SeedSequence or a Generator.
* Every public name of a package's modules is re-exported by its ``__init__`` (``__all__`` built from them).
"""

import ast
import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def public_functions():
    for path in sorted([*(ROOT / "theory").rglob("*.py"), *(ROOT / "sims").rglob("*.py")]):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                yield path.relative_to(ROOT), node


def test_rng_is_keyword_only_everywhere():
    # exceptions: the validator itself (its argument is the value to check) and the ledger's claim checks,
    # which the ledger calls as check(rng)
    positional = [f"{path}:{node.lineno} {node.name}" for path, node in public_functions()
                  if "rng" in [a.arg for a in node.args.posonlyargs + node.args.args]
                  and path.parts[:2] != ("sims", "ledger") and path != Path("theory/validate.py")]
    assert not positional, positional


@pytest.mark.parametrize("package", ["sims.dynamics", "sims.measure", "sims.studies", "sims.runs"])
def test_package_reexports_every_public_name_of_its_modules(package):
    pkg = importlib.import_module(package)
    folder = Path(pkg.__file__).parent
    for path in sorted(folder.glob("[!_]*.py")):
        module = importlib.import_module(f"{package}.{path.stem}")
        missing = set(module.__all__) - set(pkg.__all__)
        assert not missing, (path.name, missing)
        assert all(getattr(pkg, name) is getattr(module, name) for name in module.__all__)


@pytest.mark.parametrize("rng", [7, np.random.SeedSequence(7), np.random.default_rng(7)],
                         ids=["int", "SeedSequence", "Generator"])
def test_studies_accept_every_kind_of_rng(rng):
    from sims.measure.idealisations import sample_polysemantic_counts
    from sims.studies.mitigations import distinct_argmax_start
    from sims.studies.noise_drift import reduced_ascent_time

    W0 = np.random.default_rng(0).normal(size=(1, 3, 5))
    winners = np.abs(distinct_argmax_start(W0, rng=rng)).argmax(axis=-1)[0]
    assert len(set(winners.tolist())) == 3  # every feature's largest weight on its own neuron
    assert reduced_ascent_time(8, 1.0, rows=4, rng=rng) > 0
    assert np.asarray(sample_polysemantic_counts(4, 8, 10, rng=rng, idealisation="distinct")).size > 0


def test_a_bad_rng_is_a_value_error_naming_it():
    from sims.studies.mitigations import distinct_argmax_start

    with pytest.raises(ValueError, match="rng must be"):
        distinct_argmax_start(np.zeros((1, 2, 3)), rng="seed")


def test_signatures_are_introspectable():
    # every public callable of the re-exporting namespaces has a signature (no C-level surprises)
    import sims

    for name in sims.__all__:
        obj = getattr(sims, name)
        if callable(obj) and not isinstance(obj, type):
            inspect.signature(obj)


@pytest.mark.parametrize("package", ["theory", "sims.dynamics", "sims.measure", "sims.studies", "sims.runs",
                                     "sims.figures"])
def test_every_public_entry_point_has_a_runnable_example(package):
    # the examples themselves run as doctests (setup.cfg: --doctest-modules over theory and sims)
    pkg = importlib.import_module(package)
    missing = [name for name in pkg.__all__
               if (inspect.isfunction(getattr(pkg, name)) or inspect.isclass(getattr(pkg, name)))
               and "Examples" not in (inspect.getdoc(getattr(pkg, name)) or "")]
    assert not missing, missing
