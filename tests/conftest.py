"""Test configuration: hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default: ci).

* ``ci``: derandomized (the same examples every run), bounded examples, no deadline, no database.
* ``dev``: random examples, for local exploration.
* ``thorough``: many more examples.

Under pytest-xdist (``-n N``) each worker gets its share of the cores for numba and BLAS, as the ledger's and the
sweeps' worker processes do (``sims.runs.environment.worker_threads``): N workers that each start one thread per
core spin N × cores threads on the cores. This file is loaded before any test module imports numpy or numba.
"""

import os

from hypothesis import HealthCheck, settings

if os.environ.get("PYTEST_XDIST_WORKER_COUNT", "").isdigit():
    _threads = str(max(1, len(os.sched_getaffinity(0)) // max(1, int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))
    for _name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)

settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
