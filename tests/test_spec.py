"""Every invalid specification raises a ValueError that names the offending field."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sims import Schedule, TrainConfig
from theory import ModelSpec, NoiseSpec

BAD_MODEL = [
    ("n", 0), ("n", -3), ("n", 2.5), ("n", True), ("n", "8"),
    ("m", 0), ("m", 1.0),
    ("l1", -1e-3), ("l1", math.nan), ("l1", math.inf), ("l1", "0.1"),
    ("noise", "bipolar"),
]
BAD_NOISE = [("family", "cauchy"), ("family", None), ("sigma", 0.0), ("sigma", -0.1), ("sigma", math.nan)]
BAD_TRAIN = [
    ("optimizer", "sgd2"), ("lr", 0.0), ("lr", -1.0), ("lr", math.inf), ("steps", -1), ("steps", 1.5),
    ("instances", 0), ("dtype", "float16"), ("betas", (0.9,)), ("betas", (1.0, 0.999)),
    ("betas", [0.9, 0.999]), ("eps", 0.0), ("weight_decay", -0.01), ("record", 10),
]


@pytest.mark.parametrize("field,value", BAD_MODEL)
def test_model_spec_rejects(field, value):
    kwargs = dict(n=4, m=8, l1=0.0)
    kwargs[field] = value
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        ModelSpec(**kwargs)


@pytest.mark.parametrize("field,value", BAD_NOISE)
def test_noise_spec_rejects(field, value):
    kwargs = dict(family="gaussian", sigma=0.1)
    kwargs[field] = value
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        NoiseSpec(**kwargs)


@pytest.mark.parametrize("field,value", BAD_TRAIN)
def test_train_config_rejects(field, value):
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}"):
        TrainConfig(**{field: value})


@pytest.mark.parametrize("kwargs", [{}, {"every": 1, "points": 3}, {"every": 0}, {"points": 1}])
def test_schedule_rejects(kwargs):
    with pytest.raises(ValueError, match="every|points"):
        Schedule(**kwargs)


def test_error_message_states_allowed_range():
    with pytest.raises(ValueError, match=r"l1 must be a finite number in \[0, inf\), got -1"):
        ModelSpec(n=2, m=2, l1=-1)


def test_specs_are_frozen_and_keyword_only():
    spec = ModelSpec(n=2, m=3)
    with pytest.raises(AttributeError):
        spec.n = 4
    with pytest.raises(TypeError):
        ModelSpec(2, 3)


def test_numpy_integers_are_accepted():
    spec = ModelSpec(n=np.int64(3), m=np.int32(5), l1=np.float32(0.5))
    assert (spec.n, spec.m) == (3, 5) and type(spec.n) is int and type(spec.l1) is float


@given(total=st.integers(0, 10**6), points=st.integers(2, 80), every=st.integers(1, 10**5))
def test_schedule_steps_cover_ends_and_are_sorted(total, points, every):
    for sched in (Schedule(points=points), Schedule(every=every)):
        s = sched.steps(total)
        assert s[0] == 0 and s[-1] == total
        assert np.all(np.diff(s) > 0)
    assert len(Schedule(points=points).steps(total)) <= points + 1


