"""Power of the ledger's z tests: the closed form against simulated tests, and the minimal sample size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.measure.statistics import instances_for_power, z_test_power


@pytest.mark.parametrize("sided", ["two", "greater"])
@pytest.mark.parametrize("shift", [0.0, 2.0, 4.0])
def test_power_matches_simulated_tests(shift, sided):
    """200 000 simulated z statistics: the rejection rate lies within 5 binomial SE of the formula
    (false failure 5.7e-7 per case)."""
    z = np.random.default_rng(7).normal(shift, 1.0, size=200_000)
    rejected = np.abs(z) > 2.5 if sided == "two" else z > 2.5
    p = z_test_power(shift, 2.5, sided=sided)
    assert abs(rejected.mean() - p) <= 5 * np.sqrt(max(p * (1 - p), 1e-6) / z.size)


@given(effect=st.floats(0.05, 2.0), sd=st.floats(0.1, 3.0), threshold=st.floats(1.0, 5.0),
       power=st.floats(0.5, 0.99))
@settings(max_examples=50)
def test_instances_for_power_is_the_smallest_sufficient_size(effect, sd, threshold, power):
    k = instances_for_power(effect, sd, threshold, power=power)
    assert z_test_power(effect * np.sqrt(k) / sd, threshold) >= power
    assert k == 1 or z_test_power(effect * np.sqrt(k - 1) / sd, threshold) < power


def test_bad_power_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="sided"):
        z_test_power(1.0, 3.0, sided="less")
    with pytest.raises(ValueError, match="effect must be non-zero"):
        instances_for_power(0.0, 1.0, 3.0)
