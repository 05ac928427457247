"""Reading a task network's neurons where the truth is known (``sims.studies.neuron_measures``), the
visualisation engine generalised to a task network's neurons (bias, box bounds; ``sims.dynamics.visualise``)
and facets named by scores (``sims.measure.facets``), the synthetic-task claims and figures."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.data import TaskData
from sims.data.synthetic import synthetic_task
from sims.dynamics.task_train import TaskNetConfig, task_forward, train_task_network
from sims.dynamics.visualise import (
    DIVERSITIES,
    OBJECTIVES,
    VisualisationConfig,
    _evaluate,
    visualise_neurons,
)
from sims.measure.facets import domain_maximum, facets
from sims.studies.neuron_measures import (
    MEASURES,
    digit_facets,
    facet_features,
    feature_truth,
    measure_scores,
    neuron_measures_point,
    orthonormal_task,
    polysemantic_digit_neurons,
    weight_features,
)

from .strategies import seeds

# ------------------------------------------------------------------------------------ the visualisation engine


@pytest.mark.parametrize("objective,diversity,hidden",
                         list(itertools.product(OBJECTIVES, DIVERSITIES, ("linear", "relu"))))
def test_gradient_with_bias_and_bounds_matches_finite_differences(objective, diversity, hidden):
    """∂objective/∂z on a box [l, u] with a bias, against central differences (h = 1e-6; 1e-6 relative, as
    tests/test_visualise.py: far above the O(h²) truncation, far below a formula error)."""
    g = np.random.default_rng(11)
    W, bias = g.normal(size=(5, 4)), g.normal(size=4)
    bounds = (g.uniform(-2, 0, size=5), g.uniform(0.5, 3, size=5))
    cfg = VisualisationConfig(domain="box", objective=objective, diversity=diversity, weight=0.7, hidden=hidden,
                              batch=3)
    Z = g.normal(size=(2, 3, 5))
    neurons = np.array([1, 2])
    _, _, _, _, grad = _evaluate(Z, W, neurons, cfg, gradient=True, bias=bias, bounds=bounds)
    num = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += 1e-6
        Zm[idx] -= 1e-6
        num[idx] = (_evaluate(Zp, W, neurons, cfg, gradient=False, bias=bias, bounds=bounds)[0][idx[0]]
                    - _evaluate(Zm, W, neurons, cfg, gradient=False, bias=bias, bounds=bounds)[0][idx[0]]) / 2e-6
    assert np.allclose(grad, num, rtol=1e-6, atol=1e-7)


def test_default_bounds_and_zero_bias_change_no_number():
    """Backwards compatibility: bounds (0, 1) and a zero bias give bit-identical batches to the plain box."""
    W = np.random.default_rng(0).normal(size=(6, 4))
    cfg = VisualisationConfig(domain="box", diversity="cosine", weight=0.3, steps=40, init_scale=0.5)
    plain = visualise_neurons(W, [0, 3], cfg, rng=2)
    explicit = visualise_neurons(W, [0, 3], cfg, bias=np.zeros(4), bounds=(0.0, 1.0), rng=2)
    assert np.array_equal(plain.inputs, explicit.inputs) and np.array_equal(plain.activation, explicit.activation)
    assert plain.bias is None and plain.bounds is None
    f_plain, f_explicit = facets(plain, W), facets(explicit, W)
    assert f_plain.sets == f_explicit.sets and np.array_equal(f_plain.member, f_explicit.member)


def test_bounded_inputs_stay_in_their_box_and_reach_the_corner():
    """Inputs lie in [l, u] per coordinate; without diversity the pre-activation climbs to the box's maximum
    Σ max(l w, u w) + b (domain_maximum) and never past it: within 5e-3 relative after 1500 steps (the sigmoid
    saturates, so Adam's normalised step shrinks with the gradient and the approach is slow)."""
    g = np.random.default_rng(4)
    W, bias = g.normal(size=(5, 3)), g.normal(size=3)
    low, high = -g.uniform(0.1, 1, size=5), g.uniform(0.1, 2, size=5)
    cfg = VisualisationConfig(domain="box", objective="signed", diversity="none", steps=1500, lr=0.1)
    vis = visualise_neurons(W, None, cfg, bias=bias, bounds=(low, high), rng=0)
    assert np.all(vis.inputs >= low) and np.all(vis.inputs <= high)
    top = domain_maximum(W, np.arange(3), domain="box", objective="signed", bias=bias, bounds=(low, high))
    best = vis.activation.max(axis=1)
    assert np.all(best <= top + 1e-12) and np.allclose(best, top, rtol=5e-3)


@given(seed=seeds, n=st.integers(1, 5), m=st.integers(1, 4))
@settings(max_examples=15)
def test_domain_maximum_with_bias_and_bounds_bounds_every_input(seed, n, m):
    """φ_max with a bias on a box [l, u] is ≥ φ(h_k(x)) at 2000 random inputs of the box and equals φ at the
    stated corner (u where W_ik > 0, else l), for every objective, linear and ReLU."""
    g = np.random.default_rng(seed)
    W, bias = g.normal(size=(n, m)), g.normal(size=m)
    low = g.uniform(-1, 1, size=n)
    high = low + g.uniform(0.1, 2, size=n)
    X = low + (high - low) * g.uniform(size=(2000, n))
    for objective, hidden in itertools.product(OBJECTIVES, ("linear", "relu")):
        top = domain_maximum(W, np.arange(m), domain="box", objective=objective, hidden=hidden, bias=bias,
                             bounds=(low, high))
        pre = X @ W + bias
        h = np.maximum(pre, 0) if hidden == "relu" else pre
        phi = {"signed": h, "square": h * h, "abs": np.abs(h)}[objective]
        assert np.all(phi.max(axis=0) <= top + 1e-12)
    corner = np.where(W > 0, high[:, None], low[:, None])  # (n, m): the maximiser of each neuron
    best = np.einsum("nm,nm->m", corner, W) + bias
    signed = domain_maximum(W, np.arange(m), domain="box", objective="signed", bias=bias, bounds=(low, high))
    assert np.allclose(signed, np.maximum(best, 0))


def test_facets_named_by_scores():
    """With scores, an input is named by its top-scoring rows; inputs that load on nothing join no facet."""
    W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    cfg = VisualisationConfig(diversity="cosine", weight=0.1, steps=300)
    vis = visualise_neurons(W, [0], cfg, rng=0)
    scores = np.zeros((1, 8, 3))
    scores[0, :3, 2] = 1.0                      # inputs 0-2: thing 2
    scores[0, 3:6, 0] = scores[0, 3:6, 1] = 1.0  # inputs 3-5: things 0 and 1 at once
    scores[0, 6:, :] = -1.0                     # inputs 6, 7: nothing
    f = facets(vis, W, scores=scores)
    assert sorted(map(sorted, f.sets[0])) == [[0, 1], [2]]
    assert f.member[0, 6] == f.member[0, 7] == -1 and f.member[0, 0] == f.member[0, 2] != f.member[0, 4]


def test_bad_input_names_the_parameter():
    W = np.ones((3, 2))
    with pytest.raises(ValueError, match="bounds must be None unless"):
        visualise_neurons(W, [0], VisualisationConfig(domain="simplex"), bounds=(0.0, 1.0), rng=0)
    with pytest.raises(ValueError, match="l < u"):
        visualise_neurons(W, [0], VisualisationConfig(domain="box"), bounds=(1.0, 1.0), rng=0)
    with pytest.raises(ValueError, match="bounds must be a pair"):
        visualise_neurons(W, [0], VisualisationConfig(domain="box"), bounds=(0.0, 1.0, 2.0), rng=0)
    with pytest.raises(ValueError, match="bias must be"):
        visualise_neurons(W, [0], bias=np.zeros(3), rng=0)
    vis = visualise_neurons(W, [0], VisualisationConfig(steps=1), rng=0)
    with pytest.raises(ValueError, match="scores must"):
        facets(vis, W, scores=np.zeros((2, 8, 3)))
    with pytest.raises(ValueError, match="d >= k"):
        orthonormal_task(synthetic_task(n_features=4, d=2, p=0.5, samples=10, rng=0))

# ------------------------------------------------------------------------------------------- the truth


@given(seed=seeds, d=st.integers(1, 6), k=st.integers(2, 6), m=st.integers(1, 5))
@settings(max_examples=20)
def test_truth_is_the_networks_response_to_each_isolated_feature(seed, d, k, m):
    """feature_truth equals the drive read off the network's own forward pass (task_forward) at the inputs
    a·e_f and 0: an independent route through the library's network code."""
    g = np.random.default_rng(seed)
    W1, b1 = g.normal(size=(2, d, m)), g.normal(size=(2, m))
    E = g.normal(size=(d, k))
    params = (W1, b1, np.zeros((2, m, 2)), np.zeros((2, 2)))
    hidden, _ = task_forward(params, np.vstack([0.5 * E.T, np.zeros((1, d))]))
    drive = hidden[0][:, :k, :] - hidden[0][:, k:, :]  # (instances, k, m)
    top = drive.max(axis=1, keepdims=True)
    expected = (drive >= 0.5 * top) & (top > 0)
    assert np.array_equal(feature_truth(W1, b1, E), expected)


@given(seed=seeds, d=st.integers(1, 6), k=st.integers(2, 6), m=st.integers(1, 5))
@settings(max_examples=20)
def test_weight_measure_is_exact_without_bias(seed, d, k, m):
    """With b = 0 the drive is a·ReLU(e_fᵀw_k), so the weight-based sets equal the truth for every E,
    orthogonal or in superposition (the law behind the superposition claim's prediction)."""
    g = np.random.default_rng(seed)
    W1 = g.normal(size=(3, d, m))
    E = g.normal(size=(d, k))
    E /= np.linalg.norm(E, axis=0)
    assert np.array_equal(weight_features(W1, E), feature_truth(W1, np.zeros((3, m)), E))


def test_orthonormal_task_keeps_features_and_labels():
    task = synthetic_task(n_features=5, d=7, p=0.3, samples=60, rng=3)
    ortho = orthonormal_task(task)
    assert np.allclose(ortho.directions.T @ ortho.directions, np.eye(5), atol=1e-12)
    assert np.all(np.sum(ortho.directions * task.directions, axis=0) > 0)  # signs kept
    assert np.array_equal(ortho.features_train, task.features_train) and np.array_equal(ortho.y_test, task.y_test)
    assert np.allclose(ortho.X_train, ortho.features_train @ ortho.directions.T)


def test_measure_scores_count_pairs_and_neurons():
    truth = np.zeros((1, 3, 4), dtype=bool)
    truth[0, :2, 0] = True      # neuron 0: features 0, 1
    truth[0, 2, 1] = True       # neuron 1: feature 2
    reported = np.zeros_like(truth)
    reported[0, :, 0] = True    # neuron 0: all three (one false pair)
    reported[0, 0, 2] = reported[0, 1, 2] = True  # neuron 2: two false pairs, falsely polysemantic
    s = measure_scores(truth, {"x": reported})["x"]
    assert (s["features"].true_positive, s["features"].reported, s["features"].actual) == (2, 5, 3)
    assert (s["polysemantic"].true_positive, s["polysemantic"].reported, s["polysemantic"].actual) == (1, 2, 1)


def test_facet_features_of_orthogonal_one_feature_neurons():
    """Neurons reading one orthonormal feature each (+2 on it, −1 on the others, zero bias) encode exactly that
    feature, and their one facet shows it: the maximiser is the corner sign(w_k) of the x-box, whose loadings
    Eᵀx* are largest on e_k (the corner of a rotated box may load on other features too)."""
    E = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]
    W1 = (E @ (2 * np.eye(3) - 1))[None]  # w_k = 2 e_k − Σ_f e_f, in input coordinates
    bounds = (-np.ones(3), np.ones(3))
    shown, fs = facet_features(W1, np.zeros((1, 3)), E, bounds,
                               VisualisationConfig(domain="box", objective="signed", diversity="none", steps=800,
                                                   lr=0.1), rng=0)
    assert fs[0].count.tolist() == [1, 1, 1]
    truth = feature_truth(W1, np.zeros((1, 3)), E)
    assert np.array_equal(truth[0], np.eye(3, dtype=bool))
    assert np.all(shown[0][np.eye(3, dtype=bool)])


def test_point_is_reproducible_and_scores_lie_in_range():
    kwargs = {"n_features": 4, "d": 4, "width": 8, "l1": 0.0, "samples": 400, "steps": 60, "instances": 2}
    a = neuron_measures_point(rng=3, **kwargs)
    b = neuron_measures_point(rng=3, **kwargs)
    assert a == b or all((x == y) or (np.isnan(x) and np.isnan(y)) for x, y in zip(a.values(), b.values()))
    for m in MEASURES:
        for t in ("polysemantic", "features"):
            tp, rep, act = (a[f"{m}_{t}_{s}"] for s in ("true_positive", "reported", "actual"))
            assert 0 <= tp <= min(rep, act) and act == a[f"weights_{t}_actual"]

# ------------------------------------------------------------------------------------------------- digits


def _tiny_network():
    X = np.eye(4)
    data = TaskData(X_train=X, y_train=[0, 1, 2, 3], X_test=X, y_test=[0, 1, 2, 3], n_class=4, description="")
    return data, train_task_network(data, TaskNetConfig(width=6, lr=0.05, steps=100, batch=4, instances=2), rng=0)


def test_polysemantic_digit_neurons_are_ranked_by_class_count():
    data, result = _tiny_network()
    neurons, classes = polysemantic_digit_neurons(result, data.X_train, data.y_train, instance=1)
    counts = classes.sum(axis=0)
    assert np.all(np.diff(counts) <= 0) and len(set(neurons.tolist())) == len(neurons)
    H = result.hidden(data.X_train)[1]
    assert np.all(H[:, neurons].max(axis=0) > 0)  # live only
    with pytest.raises(ValueError, match="instance"):
        polysemantic_digit_neurons(result, data.X_train, data.y_train, instance=2)


def test_digit_facets_name_images_by_prediction_or_nearest_mean():
    """Each image's class is the network's argmax (recomputed here from task_forward) or, with class images,
    the nearest one; facets group kept images by that class."""
    _, result = _tiny_network()
    cfg = VisualisationConfig(domain="box", objective="signed", diversity="cosine", weight=0.3, steps=100)
    out = digit_facets(result, [0, 1, 2], cfg, instance=1, rng=0)
    images = out.visualisation.inputs.reshape(-1, 4)
    _, logits = task_forward(result.params, images)
    assert np.array_equal(out.image_class.ravel(), logits[1].argmax(axis=-1))
    for k, sets in enumerate(out.facets.sets):
        kept = out.facets.member[k] >= 0
        assert set().union(*sets) == set(out.image_class[k][kept].tolist())
    nearest = digit_facets(result, [0], cfg, instance=1, class_images=np.eye(4), rng=0)
    assert np.array_equal(nearest.image_class[0], nearest.visualisation.inputs[0].argmax(axis=-1))
    with pytest.raises(ValueError, match="class_images"):
        digit_facets(result, [0], cfg, class_images=np.eye(3), rng=0)

# ---------------------------------------------------------------------------------- claims and figures




@pytest.mark.slow
def test_reproduce_synthetic_task_quick(tmp_path):
    import csv

    from sims.cli import main

    assert main(["reproduce", "synthetic-task", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with (tmp_path / "synthetic-task.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9 and (tmp_path / "synthetic-task.png").stat().st_size > 0
    assert {r["d"] for r in rows} == {"4", "8", "16"}
    assert all(0.0 <= float(r["weights_features_recall"]) <= 1.0 for r in rows)
    with (tmp_path / "synthetic-task_law.csv").open() as fh:
        law = list(csv.DictReader(fh))
    assert [(r["recipe"], int(r["width"])) for r in law] == [(name, m) for name in ("adamw", "prox-gd")
                                                              for m in (32, 64, 128)]
    for r in law:
        m = int(r["width"])
        assert float(r["toy"]) == pytest.approx(16 * 15 / (4 * m))
        assert float(r["count_over_toy"]) == pytest.approx(float(r["polysemantic_mean"]) / float(r["toy"]))
        assert float(r["polysemantic_mean"]) <= float(r["encoding_mean"]) <= m and r["instances"] == "8"


@pytest.mark.slow
def test_reproduce_digits_facets_quick(tmp_path):
    import csv

    from sims.cli import main

    assert main(["reproduce", "digits-facets", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    with (tmp_path / "digits-facets.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 4 * 8  # two weights × 4 neurons × 8 images
    assert all(r["facet_class"] in ("", r["predicted_class"]) for r in rows)
    assert all(int(r["predicted_class"]) in range(10) for r in rows)
