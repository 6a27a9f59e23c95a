"""Argument checks shared by the public functions, in SciPy's voice.

Every public function validates at its top with these helpers, so a reader who passes a
negative volume or a count vector of the wrong length reads a message that names the argument
and says what was expected, never a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_rng", "check_volume", "check_counts", "check_positive_int", "check_times",
           "check_concentrations"]


def as_rng(seed) -> np.random.Generator:
    """Normalise a seed argument to a :class:`numpy.random.Generator`.

    ``None`` gives fresh OS entropy, an integer or ``SeedSequence`` a reproducible generator, and a
    ``Generator`` is returned unchanged. This is the one helper every module uses.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(seed, numbers.Integral) and seed < 0:
            raise ValueError(f"`seed` must be a non-negative integer; got {seed}.")
        return np.random.default_rng(seed)
    raise TypeError(
        "`seed` must be None, a non-negative integer, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator; got {type(seed).__name__}."
    )


def check_volume(V, name: str = "V") -> float:
    """Return ``V`` as a float after checking that it is a finite number > 0."""
    if isinstance(V, bool) or not isinstance(V, numbers.Real):
        raise TypeError(f"`{name}` must be a real number > 0; got {type(V).__name__}.")
    V = float(V)
    if not np.isfinite(V) or V <= 0:
        raise ValueError(f"`{name}` must be a finite number > 0; got {V}.")
    return V


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer >= {minimum}; got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}; got {value}.")
    return int(value)


def check_counts(n, N: int, name: str = "n0") -> np.ndarray:
    """Return copy numbers as an int64 array of shape (N,) after checking them.

    Counts must be finite, non-negative and integer-valued (``3.0`` is accepted, ``2.5`` is not).
    """
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a sequence of {N} non-negative integers.") from None
    if arr.ndim == 0 and N == 1:
        arr = arr.reshape(1)
    if arr.shape != (N,):
        raise ValueError(
            f"`{name}` must have shape ({N},), one count per species; got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite; got {arr.tolist()}.")
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative; got {arr.tolist()}.")
    if np.any(arr != np.round(arr)):
        raise ValueError(f"`{name}` must hold integers (copy numbers); got {arr.tolist()}.")
    return arr.astype(np.int64)


def check_concentrations(x, N: int, name: str = "x") -> np.ndarray:
    """Return concentrations as a float array of shape (..., N), finite and non-negative."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array of concentrations with last axis {N}.") from None
    if arr.ndim == 0 and N == 1:
        arr = arr.reshape(1)
    if arr.ndim == 0 or arr.shape[-1] != N:
        raise ValueError(
            f"`{name}` must have last axis of length {N} (one per species); got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite.")
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative (concentrations).")
    return arr


def check_times(times, name: str = "times") -> np.ndarray:
    """Return sample times as a 1-D float array: finite, non-negative and non-decreasing."""
    try:
        t = np.asarray(times, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a 1-D array of times.") from None
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-dimensional array; got shape {t.shape}.")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"`{name}` must be finite and non-negative.")
    if np.any(np.diff(t) < 0):
        raise ValueError(f"Values in `{name}` are not properly sorted.")
    return t
