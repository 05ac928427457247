"""Module-level sweep point functions for the tests (worker processes import them by name)."""

import os
import time
from pathlib import Path

import numpy as np


def noisy_sum(*, rng, a, b, delay=0.0):
    """A cheap point whose value depends on its parameters and its own random stream."""
    time.sleep(delay)
    return {"value": float(a + b + rng.normal()), "draws": rng.integers(0, 1000, size=3)}


def dies_once(*, rng, a, b, marker):
    """Like noisy_sum, but the first call with a == 0 kills its own process (a worker dying mid-task)."""
    if a == 0 and not Path(marker).exists():
        Path(marker).write_text("killed")
        os.kill(os.getpid(), 9)
    return noisy_sum(rng=rng, a=a, b=b)


def rows_equal(r1, r2):
    return [row["params"] for row in r1] == [row["params"] for row in r2] and all(
        np.array_equal(x["result"]["draws"], y["result"]["draws"]) and x["result"]["value"] == y["result"]["value"]
        for x, y in zip(r1, r2))
