"""The sympy derivations pass their own checks, and their expressions, lambdified, agree with the
numpy code in ``theory`` at hypothesis-drawn points (two independent routes)."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from derivations import REGISTRY, main
from derivations import loss as dloss
from theory import loss, loss_gradient

from .strategies import seeds

N, M, LAM = 3, 3, 0.05


@pytest.mark.parametrize("name", list(REGISTRY))
def test_derivation_check(name):
    c = REGISTRY[name].check()
    assert c.passed, c.detail


def test_command_line_and_latex(tmp_path, capsys):
    tex = tmp_path / "d.tex"
    assert main(["loss", "--check", "--latex", str(tex)]) == 0
    out = capsys.readouterr().out
    assert "loss.forces" in out and "checks passed" in out
    text = tex.read_text()
    assert text.startswith("\\documentclass") and text.count("\\section") == sum(n.startswith("loss.") for n in REGISTRY)
    assert main(["no-such-topic"]) == 2 and "unknown derivation" in capsys.readouterr().err


@pytest.fixture(scope="module")
def network():
    L, W, xi = dloss.derive_network_loss(N, M, noise=True)
    L = L + sp.Rational(LAM).limit_denominator() * sum(sp.Abs(w) for w in W)
    grad = sp.Matrix(N, M, lambda i, k: sp.diff(L, W[i, k]))
    modules = [{"Heaviside": lambda x, h0=0.5: np.heaviside(x, h0)}, "numpy"]
    return (sp.lambdify([list(W), list(xi)], L, modules=modules),
            sp.lambdify([list(W), list(xi)], grad, modules=modules))


@given(seed=seeds)
@settings(max_examples=20)
def test_symbolic_network_loss_and_gradient_match_numpy(network, seed):
    f_loss, f_grad = network
    rng = np.random.default_rng(seed)
    W = rng.normal(0, 0.6, (N, M))
    xi = rng.normal(0, 0.3, M)
    args = (list(W.ravel()), list(xi))
    assert float(f_loss(*args)) == pytest.approx(float(loss(W, l1=LAM, xi=xi)), rel=1e-12)
    np.testing.assert_allclose(np.array(f_grad(*args), dtype=float), loss_gradient(W, l1=LAM, xi=xi),
                               rtol=1e-11, atol=1e-13)


def test_noise_family_kurtosis_matches_theory():
    from derivations.noise_families import derive_family_moments
    from theory import NOISE_FAMILIES

    derived = derive_family_moments()
    for family, kurtosis in NOISE_FAMILIES.items():
        assert float(derived[family][1]) == pytest.approx(kurtosis, abs=1e-15)
