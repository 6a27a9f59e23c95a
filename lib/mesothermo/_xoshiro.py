"""xoshiro256+ in pure Python: the twin of the generator inside every compiled kernel.

Blackman and Vigna's xoshiro256+ (2018) with its four 64-bit state words passed in explicitly
(drawn by the caller from the user's :class:`numpy.random.Generator`), doubles formed from the
upper 53 bits: the SSA (:mod:`mesothermo._ssa_kernel`), the energy-exchange particles and the
phase-space integrator (:mod:`mesothermo.energy_exchange`) each run it inside their numba loops,
and their pure-Python twins replay those loops from this class, bit for bit
(``tests/test_ssa.py`` checks it against the authors' C code).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Xoshiro256Plus"]

_MASK = (1 << 64) - 1
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


class Xoshiro256Plus:
    """Pure-Python xoshiro256+, bit for bit the generator of the compiled kernels."""

    def __init__(self, state):
        s = [int(v) & _MASK for v in np.asarray(state, dtype=np.uint64)]
        if len(s) != 4 or not any(s):
            raise ValueError("xoshiro256+ needs four 64-bit words, not all zero.")
        self.s = s

    def next_u64(self) -> int:
        """The next 64-bit output (and the state advanced by one step)."""
        s0, s1, s2, s3 = self.s
        result = (s0 + s3) & _MASK
        t = (s1 << 17) & _MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & _MASK
        self.s = [s0, s1, s2, s3]
        return result

    def uniform_open0(self) -> float:
        """A double in (0, 1]: the waiting-time uniform."""
        return float((self.next_u64() >> 11) + 1) * _TWO_M53

    def uniform(self) -> float:
        """A double in [0, 1)."""
        return float(self.next_u64() >> 11) * _TWO_M53

    def exp1(self) -> float:
        """A unit exponential, -ln u with u in (0, 1]."""
        return -math.log(self.uniform_open0())
