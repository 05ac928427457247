"""Test configuration: hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default: ci).

* ``ci``: derandomized (the same examples every run), bounded examples, no deadline, no database.
* ``dev``: random examples, for local exploration.
* ``thorough``: many more examples.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
