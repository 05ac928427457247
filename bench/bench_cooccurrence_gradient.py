"""Cost of the co-occurrence training gradient against the one-hot gradient, in the same process.

    python bench/bench_cooccurrence_gradient.py            # (instances, n, m) = (16, 32, 128), (32, 64, 256)

For each size it prints ms per call of theory.loss.data_gradient (the one-hot baseline: one Gram product,
one (n×n)(n×m) product) and of theory.cooccurrence.first_order_loss_gradient (adds the O(n³) three-body
sum), and their ratio. The first-order gradient is the inner loop of every co-occurrence experiment
(sims.dynamics.cooccurrence). Measured on the 2-core dev machine: ratio 12.6 at n = 32 and 35 at n = 64 (51 and 65
with the masked n³ sum it replaced).
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np

from theory.cooccurrence import first_order_loss_gradient
from theory.loss import data_gradient


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'instances':>9} {'n':>4} {'m':>4} {'one-hot ms':>11} {'first-order ms':>15} {'ratio':>6}")
    for I, n, m in ((16, 32, 128), (32, 64, 256)):
        W = rng.normal(0.0, m**-0.5, size=(I, n, m))
        number = max(1, 2000 // (I * n))
        base = min(timeit.repeat(lambda: data_gradient(W), number=number, repeat=args.repeats)) / number
        cooc = min(timeit.repeat(lambda: first_order_loss_gradient(W, 0.01), number=number,
                                 repeat=args.repeats)) / number
        print(f"{I:>9} {n:>4} {m:>4} {base * 1e3:>11.3f} {cooc * 1e3:>15.3f} {cooc / base:>6.2f}")


if __name__ == "__main__":
    main()
