"""A researcher's first contact: wall time of `incidental verify --quick` (cold and warm numba cache, serial
and in worker processes) and of the README's test command, printed as a table.

Cold: an empty numba cache folder (``NUMBA_CACHE_DIR`` pointed at a fresh temporary folder), so every
kernel compiles; warm: the same folder again, filled by the cold run. The install is excluded (the venv
that runs this script is used as it is). The compile share of a cold run is (cold − warm)/cold of the
serial runs. Each configuration runs once (a run takes minutes; the spread between repeats on an idle
2-core machine is a few seconds).

    python bench/bench_first_run.py                 # verify: cold/warm × workers 1/2, then the tests
    python bench/bench_first_run.py --skip-tests    # verify only
    python bench/bench_first_run.py --json out.json

Targets (2 cores): verify --quick ≤ 180 s cold, ≤ 120 s warm; the README test command ≤ 300 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, proc.returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the README's test command")
    parser.add_argument("--json", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    rows = []
    verify = [sys.executable, "-m", "sims", "verify", "--quick", "--quiet"]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label, workers in (("cold", 1), ("warm", 1), ("warm", 2)):
            seconds, code = timed([*verify, "--workers", str(workers)], env)
            rows.append({"what": "verify --quick", "cache": label, "workers": workers, "seconds": round(seconds, 1),
                         "exit": code})
            print(f"verify --quick  {label:<4}  workers {workers}  {seconds:7.1f} s  exit {code}", flush=True)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        seconds, code = timed([*verify, "--workers", "2"], env)
        rows.append({"what": "verify --quick", "cache": "cold", "workers": 2, "seconds": round(seconds, 1), "exit": code})
        print(f"verify --quick  cold  workers 2  {seconds:7.1f} s  exit {code}", flush=True)
        if not args.skip_tests:
            seconds, code = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env)
            rows.append({"what": "pytest (README)", "cache": "cold", "workers": 1, "seconds": round(seconds, 1),
                         "exit": code})
            print(f"pytest (README) cold             {seconds:7.1f} s  exit {code}", flush=True)
    serial = {r["cache"]: r["seconds"] for r in rows if r["what"] == "verify --quick" and r["workers"] == 1}
    share = (serial["cold"] - serial["warm"]) / serial["cold"]
    print(f"compile share of a cold serial verify: {share:.0%}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "compile_share": share}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
