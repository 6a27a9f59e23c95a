"""Compiled kernels of Gillespie's direct method for mass-action networks.

:mod:`.generic` holds the table-driven numba loops (one compilation for every network) and the
numba xoshiro256+ step; :mod:`.twin` the generator's pure-Python twin and the status codes;
:mod:`.codegen` writes the source of the loops generated for one network structure
(``method="compiled"``) and :mod:`.native` compiles, stores and loads their machine code. The
public entry points live in :mod:`mesothermo.ssa`.

numba is imported when a numba kernel is first used (the names of :mod:`.generic` below are
looked up on first access, PEP 562) or a network's kernel is first compiled: a kernel whose
machine code is stored runs through llvmlite and ctypes alone, so ``import mesothermo`` and the
first cached ``simulate`` do not pay numba's 0.3–0.4 s import.
"""

import importlib as _importlib

from .native import GeneratedKernels, cache_dir, generated_kernels, max_threads
from .twin import STATUS_MAX_EVENTS, STATUS_NONFINITE, STATUS_OK, Xoshiro256Plus

__all__ = ["Xoshiro256Plus", "xoshiro_next", "direct_every", "direct_sampled", "direct_ensemble",
           "generated_kernels", "GeneratedKernels", "cache_dir", "max_threads",
           "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]

_NUMBA_KERNELS = ("xoshiro_next", "direct_every", "direct_sampled", "direct_ensemble")


def __getattr__(name):
    """The numba kernels of :mod:`.generic`, imported (with numba) on first access."""
    if name in _NUMBA_KERNELS:
        value = getattr(_importlib.import_module(".generic", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
