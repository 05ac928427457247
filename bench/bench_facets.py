"""Wall time of feature visualisation for every neuron of a trained model, both diversity terms (target ≤ 10 s).

A prox-GD toy model at n = 64, m = 256 (λ = 0.2, lr 0.01, 8000 steps); every one of its 256 neurons visualised
at once (``sims.dynamics.visualise.visualise_neurons``: B = 8, 512 Adam steps, lucent's defaults) with the Gram
and with the cosine diversity term, then read as facets. Target: both terms together ≤ 10 s on 2 cores.

    python bench/bench_facets.py [--repeats R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sims.dynamics.visualise import VisualisationConfig, visualise_neurons
from sims.measure.facets import facets
from sims.studies.feature_visualisation import trained_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    W = trained_weights(n=64, m=256, recipe="prox-gd", instances=1, rng=0)[0]
    live = int(np.count_nonzero(np.any(W != 0, axis=0)))
    print(f"n = 64, m = 256 ({live} live neurons), B = 8, 512 Adam steps, every neuron")
    totals = []
    for r in range(args.repeats):
        total = 0.0
        for diversity in ("gram", "cosine"):
            start = time.perf_counter()
            f = facets(visualise_neurons(W, None, VisualisationConfig(diversity=diversity, weight=0.3), rng=r), W)
            seconds = time.perf_counter() - start
            total += seconds
            print(f"  repeat {r}: {diversity:6s} {seconds:6.2f} s  ({int(f.polysemantic.sum())} neurons with ≥ 2 facets)")
        totals.append(total)
        print(f"  repeat {r}: both terms {total:6.2f} s (target ≤ 10 s)")
    print(f"best of {args.repeats}: {min(totals):.2f} s")


if __name__ == "__main__":
    main()
