"""The numba-free pieces the kernels share: their status codes and the pure-Python twin of their
random-number generator (xoshiro256+, Blackman and Vigna 2018), bit for bit the stream of the
compiled loops, so that the reference implementation replays a kernel path exactly and a cached
kernel runs without importing numba.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Xoshiro256Plus", "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]

STATUS_OK, STATUS_MAX_EVENTS, STATUS_NONFINITE = 0, 1, 2

_MASK = (1 << 64) - 1
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


class Xoshiro256Plus:
    """Pure-Python xoshiro256+, bit-for-bit the generator of the compiled kernels."""

    def __init__(self, state):
        s = [int(v) & _MASK for v in np.asarray(state, dtype=np.uint64)]
        if len(s) != 4 or not any(s):
            raise ValueError("xoshiro256+ needs four 64-bit words, not all zero.")
        self.s = s

    def next_u64(self) -> int:
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
        """A double in [0, 1): the channel-selection uniform."""
        return float(self.next_u64() >> 11) * _TWO_M53
