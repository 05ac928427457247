"""Minibatch indices shared by the engines that train on a data set (``dictionary``, ``task_train``)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def minibatches(N: int, B: int, steps: int, *, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of ``steps`` successive minibatches: each epoch a fresh permutation of range(N) cut into
    N // B batches of B (the remainder of each permutation is dropped)."""
    per_epoch = N // B
    done = 0
    while done < steps:
        perm = rng.permutation(N)
        for j in range(min(per_epoch, steps - done)):
            yield perm[j * B:(j + 1) * B]
        done += per_epoch
