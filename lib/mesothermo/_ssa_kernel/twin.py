"""The numba-free pieces the kernels share: their status codes and the pure-Python twin of their
random-number generator (:class:`mesothermo._xoshiro.Xoshiro256Plus`), so that the reference
implementation replays a kernel path exactly and a cached kernel runs without importing numba.
"""

from __future__ import annotations

from .._xoshiro import Xoshiro256Plus

__all__ = ["Xoshiro256Plus", "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]

STATUS_OK, STATUS_MAX_EVENTS, STATUS_NONFINITE = 0, 1, 2
