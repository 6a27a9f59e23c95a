"""Compiled kernels of Gillespie's direct method for mass-action networks.

:mod:`.generic` holds the table-driven numba loops (one compilation for every network) and the
xoshiro256+ generator with its pure-Python twin; :mod:`.codegen` writes the source of the loops
generated for one network structure (``method="compiled"``) and :mod:`.native` compiles, stores
and loads their machine code. The public entry points live in :mod:`mesothermo.ssa`.
"""

from .generic import (STATUS_MAX_EVENTS, STATUS_NONFINITE, STATUS_OK, Xoshiro256Plus,
                      direct_ensemble, direct_every, direct_sampled, xoshiro_next)
from .native import GeneratedKernels, cache_dir, generated_kernels

__all__ = ["Xoshiro256Plus", "xoshiro_next", "direct_every", "direct_sampled", "direct_ensemble",
           "generated_kernels", "GeneratedKernels", "cache_dir",
           "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]
