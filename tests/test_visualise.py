"""Feature visualisation with diversity (``sims.dynamics.visualise``), its diversity terms (``theory.diversity``,
``derivations.diversity``) and the facets read off it (``sims.measure.facets``)."""

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.diversity import activation_symbols, derive_cosine_power_gradient
from sims.dynamics.visualise import (
    DIVERSITIES,
    DOMAINS,
    OBJECTIVES,
    VisualisationConfig,
    _evaluate,
    visualise_neurons,
)
from sims.measure.facets import domain_maximum, facets, precision_recall
from theory.diversity import cosine_diversity, gram_diversity

from .strategies import seeds


def lucent_gram_diversity(H: np.ndarray) -> float:
    """lucent's ``objectives.diversity`` transcribed literally (numpy for torch), with its sign flipped back:
    per example the Gram matrix over positions (here one position), l2-normalised over both axes (eps 1e-12),
    then Σ_i Σ_{j≠i} ⟨G_i, G_j⟩, divided by the batch size."""
    B = H.shape[0]
    flattened = H.reshape(B, H.shape[1], 1)  # (batch, channels, positions)
    grams = flattened @ np.swapaxes(flattened, 1, 2)
    grams = grams / np.maximum(np.sqrt(np.sum(grams**2, axis=(1, 2), keepdims=True)), 1e-12)
    return sum(sum(float(np.sum(grams[i] * grams[j])) for j in range(B) if j != i) for i in range(B)) / B


@given(seed=seeds, B=st.integers(2, 6), m=st.integers(1, 7))
def test_gram_diversity_is_lucents_term_and_sign_blind(seed, B, m):
    """Derivation diversity.gram-is-cosine-squared, evaluated: lucent's literal Gram term × B equals
    Σ_{a≠b} cos²(h_a, h_b) (theory.diversity.gram_diversity); flipping the sign of any example changes nothing,
    while the cosine term changes."""
    g = np.random.default_rng(seed)
    H = g.normal(size=(B, m))
    assert np.isclose(lucent_gram_diversity(H) * B, gram_diversity(H), rtol=1e-12, atol=1e-12)
    flips = g.choice([-1.0, 1.0], size=(B, 1))
    assert np.isclose(gram_diversity(H * flips), gram_diversity(H), rtol=1e-12, atol=1e-12)
    U = H / np.linalg.norm(H, axis=1, keepdims=True)
    assert np.isclose(cosine_diversity(H), np.sum(U.sum(0) ** 2) - B, rtol=1e-10, atol=1e-10)


def test_cosine_power_gradient_matches_the_engine():
    """The sympy gradient of cos^p (derivations.diversity) lambdified at random points equals the engine's
    gradient of S (one pair, so ∂S/∂h_a = 2 ∂c^p/∂h_a)."""
    from sims.dynamics.visualise import _diversity_and_gradient
    m = 3
    ha, hb = activation_symbols("a", m), activation_symbols("b", m)
    na, nb = sp.sqrt((ha.T * ha)[0]), sp.sqrt((hb.T * hb)[0])
    c = (ha.T * hb)[0] / (na * nb)
    assert all(r == 0 for r in derive_cosine_power_gradient(m)["residuals"])
    g = np.random.default_rng(3)
    for p, kind in ((1, "cosine"), (2, "gram")):
        grad = sp.lambdify(list(ha) + list(hb), [sp.diff(c**p, a) for a in ha])
        for _ in range(5):
            H = g.normal(size=(2, m))
            _, dS = _diversity_and_gradient(H[None], kind)
            assert np.allclose(dS[0, 0], 2 * np.array(grad(*H[0], *H[1])), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("domain,objective,diversity,hidden",
                         list(itertools.product(DOMAINS, OBJECTIVES, DIVERSITIES, ("linear", "relu"))))
def test_every_gradient_matches_finite_differences(domain, objective, diversity, hidden):
    """∂objective/∂z of every domain × objective × diversity × hidden layer against central differences
    (h = 1e-6; agreement to 1e-6 relative, far above the O(h²) truncation and below any formula error)."""
    g = np.random.default_rng(7)
    W = g.normal(size=(5, 4))
    neurons = np.array([0, 3])
    cfg = VisualisationConfig(domain=domain, objective=objective, diversity=diversity, weight=0.7, hidden=hidden,
                              batch=3)
    Z = g.normal(size=(2, 3, 5))
    _, _, _, _, grad = _evaluate(Z, W, neurons, cfg, gradient=True)
    num = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += 1e-6
        Zm[idx] -= 1e-6
        num[idx] = (_evaluate(Zp, W, neurons, cfg, gradient=False)[0][idx[0]]
                    - _evaluate(Zm, W, neurons, cfg, gradient=False)[0][idx[0]]) / 2e-6
    assert np.allclose(grad, num, rtol=1e-6, atol=1e-7)


def test_domains_hold_their_inputs():
    """Simplex inputs are non-negative and sum to 1, box inputs lie in [0, 1], sphere inputs have unit norm."""
    W = np.random.default_rng(0).normal(size=(6, 4))
    for domain, check in (("simplex", lambda X: np.all(X >= 0) and np.allclose(X.sum(-1), 1)),
                          ("box", lambda X: np.all((X >= 0) & (X <= 1))),
                          ("sphere", lambda X: np.allclose(np.linalg.norm(X, axis=-1), 1))):
        vis = visualise_neurons(W, None, VisualisationConfig(domain=domain, steps=20, init_scale=1.0), rng=1)
        assert vis.inputs.shape == (4, 8, 6) and check(vis.inputs)


def test_reproducible_and_vectorised_over_neurons():
    """Same seed, same numbers (int, SeedSequence, Generator); a neuron's batch is what it would be alone
    given the same initial z (blocks are independent)."""
    W = np.random.default_rng(0).normal(size=(6, 4))
    cfg = VisualisationConfig(steps=30, init_scale=0.5)
    a = visualise_neurons(W, [1, 2], cfg, rng=5)
    b = visualise_neurons(W, [1, 2], cfg, rng=np.random.SeedSequence(5))
    c = visualise_neurons(W, [1, 2], cfg, rng=np.random.default_rng(5))
    assert np.array_equal(a.inputs, b.inputs) and np.array_equal(a.inputs, c.inputs)
    Z = np.random.default_rng(5).normal(0, 0.5, size=(2, 8, 6))
    alone = VisualisationConfig(steps=0)
    assert np.array_equal(_evaluate(Z[1:], W, np.array([2]), alone, gradient=True)[4],
                          _evaluate(Z, W, np.array([1, 2]), alone, gradient=True)[4][1:])


def test_bad_input_names_the_parameter():
    W = np.ones((3, 2))
    with pytest.raises(ValueError, match="domain"):
        VisualisationConfig(domain="cube")
    with pytest.raises(ValueError, match="weight"):
        VisualisationConfig(weight=-1.0)
    with pytest.raises(ValueError, match="neurons"):
        visualise_neurons(W, [2], rng=0)
    with pytest.raises(ValueError, match="W must"):
        visualise_neurons(np.ones(3), rng=0)


@given(seed=seeds, n=st.integers(2, 6), m=st.integers(1, 4))
@settings(max_examples=15)
def test_domain_maximum_bounds_every_input(seed, n, m):
    """φ_max (closed form per domain) is ≥ φ(h_k(x)) at 2000 random inputs of the domain and is attained at
    the stated maximiser (a vertex, a corner or ±W_k/‖W_k‖)."""
    g = np.random.default_rng(seed)
    W = g.normal(size=(n, m))
    Y = g.normal(size=(2000, n))
    draws = {"simplex": g.dirichlet(np.ones(n) * 0.3, size=2000), "box": g.uniform(size=(2000, n)),
             "sphere": Y / np.linalg.norm(Y, axis=1, keepdims=True)}
    for domain, X in draws.items():
        for objective in OBJECTIVES:
            top = domain_maximum(W, np.arange(m), domain=domain, objective=objective)
            h = X @ W
            phi = {"signed": h, "square": h * h, "abs": np.abs(h)}[objective]
            assert np.all(phi.max(axis=0) <= top + 1e-12)
    simplex_top = domain_maximum(W, np.arange(m), domain="simplex", objective="square")
    assert np.allclose(simplex_top, np.max(W * W, axis=0))


def test_facets_of_a_hand_built_model():
    """Neuron 0 holds feature 0 (+) and feature 1 (−), neuron 1 feature 2 only, neuron 2 is dead. With h² and
    cosine diversity at weight 0.1: two facets {0}, {1} on neuron 0, one facet {2} on neuron 1, none on the
    dead neuron; the signed objective sees only the + feature; precision and recall count what they should."""
    W = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    cfg = VisualisationConfig(diversity="cosine", weight=0.1, steps=300)
    f = facets(visualise_neurons(W, None, cfg, rng=0), W)
    assert [sorted(map(sorted, s)) for s in f.sets] == [[[0], [1]], [[2]], []]
    signed = facets(visualise_neurons(W, [0], VisualisationConfig(objective="signed", diversity="cosine",
                                                                  weight=0.1, steps=300), rng=0), W)
    assert [sorted(map(sorted, s)) for s in signed.sets] == [[[0]]]
    pr = precision_recall(f.polysemantic, [True, False, False])
    assert (pr.precision, pr.recall) == (1.0, 1.0)
    assert np.isnan(precision_recall([False], [False]).precision)
