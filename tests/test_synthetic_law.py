"""The toy model's 1/m law in a task network with known features (``sims.studies.synthetic_law``): reproducible
points, counts consistent with the truth they are read from, the drive floor, input validation, and the quick
ledger claims (``sims.ledger.synthetic_task``) coming out as the ledger expects.

Every stochastic test uses fixed seeds; no test here is statistical (equalities and inequalities that hold for
every draw)."""

import numpy as np
import pytest
from hypothesis import given, settings

from sims.studies.neuron_measures import feature_truth
from sims.studies.synthetic_law import synthetic_law_networks, synthetic_law_point

from .strategies import seeds

TINY = {"k": 4, "width": 8, "samples": 400, "steps": 60, "instances": 2}


def test_same_seed_same_row_and_another_seed_another():
    a = synthetic_law_point(rng=3, l1=0.01, **TINY)
    b = synthetic_law_point(rng=3, l1=0.01, **TINY)
    c = synthetic_law_point(rng=4, l1=0.01, **TINY)
    assert a == b
    assert a["feature_sets"] != c["feature_sets"] or a["test_accuracy"] != c["test_accuracy"]


@settings(max_examples=5)
@given(seed=seeds)
def test_counts_are_read_off_the_truth(seed):
    out = synthetic_law_networks(rng=seed, l1=0.0, **TINY)
    T = out["truth"]
    assert T.shape == (2, TINY["k"], TINY["width"])
    per_neuron = T.sum(axis=1)
    assert out["polysemantic"].tolist() == (per_neuron >= 2).sum(axis=1).tolist()
    assert out["encoding"].tolist() == (per_neuron >= 1).sum(axis=1).tolist()
    assert out["features_encoded"].tolist() == (T.sum(axis=2) >= 1).sum(axis=1).tolist()
    assert np.allclose(out["neurons_per_feature"], T.sum(axis=2).mean(axis=1))
    assert np.all(out["polysemantic"] <= out["encoding"]) and np.all(out["live"] <= TINY["width"])
    row = synthetic_law_point(rng=seed, l1=0.0, **TINY)
    sizes = np.array([[len(s) for s in net] for net in row["feature_sets"]])
    assert (sizes >= 2).sum(axis=1).tolist() == row["polysemantic"]


def test_truth_is_feature_truth_and_the_floor_only_removes():
    loose = synthetic_law_networks(rng=5, l1=0.0, **TINY)
    floored = synthetic_law_networks(rng=5, l1=0.0, min_drive=0.05, **TINY)
    # the floor keeps a subset of the (feature, neuron) pairs of the same networks
    assert np.all(floored["truth"] <= loose["truth"])
    assert np.all(floored["polysemantic"] <= loose["polysemantic"])
    # a floor above every drive (features have amplitude ½, weights ≪ 100) leaves nothing
    none = synthetic_law_networks(rng=5, l1=0.0, min_drive=100.0, **TINY)
    assert not none["truth"].any() and np.all(np.isnan(none["features_per_neuron"]))
    # feature_truth on a hand-made first layer: neuron 0 reads features 0 and 1, neuron 1 feature 2
    W1 = np.array([[[1.0, 0.0], [0.9, 0.0], [0.0, 1.0], [-1.0, 0.0]]])
    assert feature_truth(W1, np.zeros((1, 2)), np.eye(4))[0].T.astype(int).tolist() == [[1, 1, 0, 0], [0, 0, 1, 0]]


@pytest.mark.parametrize("kwargs,name", [
    ({"k": 1}, "k"), ({"d": 3}, "d"), ({"p": 0.0}, "p"), ({"p": 1.5}, "p"), ({"min_drive": -1.0}, "min_drive"),
    ({"width": 0}, "width"), ({"l1": -0.1}, "l1"), ({"optimizer": "sgd"}, "optimizer"), ({"replicate": -1}, "replicate"),
    ({"l1_warmup": -1}, "l1_warmup"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        synthetic_law_point(rng=0, **{**TINY, "l1": 0.0, **kwargs})
