"""What a computation's last bits depend on besides its code and seed: the numerical libraries and the CPU.

The same code and seed give the same numbers on one machine, serial or in workers. Across machines the
rounding of BLAS (OpenBLAS picks a kernel per CPU) and of numba's compiled loops (compiled for the host CPU's
vector instructions) differs, and training amplifies a difference of one unit in the last place over
thousands of steps; ``numerical_environment`` names what has to match for numbers to match bit for bit.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["numerical_environment"]

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
