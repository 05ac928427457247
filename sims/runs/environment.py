"""What a computation's last bits depend on besides its code and seed: the numerical libraries and the CPU.

The same code and seed give the same numbers on one machine, serial or in workers. Across machines the
rounding of BLAS (OpenBLAS picks a kernel per CPU) and of numba's compiled loops (compiled for the host CPU's
vector instructions) differs, and training amplifies a difference of one unit in the last place over
thousands of steps; ``numerical_environment`` names what has to match for numbers to match bit for bit.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata

__all__ = ["numerical_environment", "worker_threads"]

#: The variables numba, OpenMP, OpenBLAS and MKL read their thread counts from when a process starts.
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_LIBRARIES = ("numpy", "scipy", "numba", "llvmlite", "scikit-learn")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def numerical_environment() -> dict[str, str | None]:
    """The Python and library versions and the CPU the numbers were computed with.

    ``cpu`` is the host CPU as LLVM names it for numba's compiler (e.g. ``"znver4"``, ``"skylake-avx512"``):
    it decides the vector instructions of the compiled kernels and, with the CPU's family, OpenBLAS's kernels.

    Examples
    --------
    >>> from sims.runs.environment import numerical_environment
    >>> env = numerical_environment()
    >>> sorted(env)
    ['cpu', 'llvmlite', 'machine', 'numba', 'numpy', 'python', 'scikit-learn', 'scipy']
    >>> env == numerical_environment()
    True
    """
    import llvmlite.binding

    env = {"python": ".".join(map(str, sys.version_info[:3])), "machine": platform.machine(),
           "cpu": llvmlite.binding.get_host_cpu_name()}
    env.update({name: _version(name) for name in _LIBRARIES})
    return dict(sorted(env.items()))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextmanager
def worker_threads(workers: int) -> Iterator[int]:
    """Within the block, processes started get max(1, cores // workers) threads each for numba and BLAS.

    ``workers`` processes that each start numba's and BLAS's default thread pools (one thread per core) put
    workers × cores spinning threads on the cores: a claim that takes 10 s alone took 45 s beside another on
    2 cores. Processes copy the environment when they start, so a process pool whose workers start inside
    the block (``ProcessPoolExecutor`` starts one per submitted task, up to ``max_workers``) runs them with
    the share; a smaller count already set in the environment is kept. The parent's own thread pools are
    untouched (they are set when they start) and the environment is restored on exit.

    Examples
    --------
    >>> import os
    >>> from sims.runs.environment import worker_threads
    >>> before = os.environ.get("NUMBA_NUM_THREADS")
    >>> with worker_threads(10**6) as threads:
    ...     threads, os.environ["NUMBA_NUM_THREADS"]
    (1, '1')
    >>> os.environ.get("NUMBA_NUM_THREADS") == before
    True
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    threads = max(1, _cores() // workers)
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name, value in saved.items():
        own = int(value) if value is not None and value.isdigit() and int(value) >= 1 else None
        os.environ[name] = str(min(threads, own) if own is not None else threads)
    try:
        yield threads
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
