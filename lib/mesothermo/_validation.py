"""Argument checks shared by the public functions, in SciPy's voice.

Every public function validates at its top with these helpers, so a reader who passes a
negative volume or a count vector of the wrong length reads a message that names the argument
and says what was expected, never a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["as_rng", "check_choice", "check_network", "register_network_class", "check_volume",
           "check_volume_for",
           "check_positive_real", "check_nonnegative_real", "check_counts", "check_positive_int",
           "check_times", "check_concentrations", "check_point", "check_species", "check_generator"]

#: Counts above this are not exactly representable as float64 integers (2**53).
_MAX_EXACT_COUNT = 2.0 ** 53


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


#: The Network class, registered by :mod:`mesothermo.network` when it is imported, so that this
#: module (which network.py imports) never imports network: the imports go one way. Before the
#: registration no Network can exist, and every argument is refused.
_NETWORK_CLASS: type | None = None


def register_network_class(cls: type) -> None:
    """Called once by :mod:`mesothermo.network` with its :class:`Network`."""
    global _NETWORK_CLASS
    _NETWORK_CLASS = cls


def check_network(net, name: str = "net"):
    """Return ``net`` after checking that it is a :class:`mesothermo.Network`."""
    if _NETWORK_CLASS is None or not isinstance(net, _NETWORK_CLASS):
        raise TypeError(f"`{name}` must be a mesothermo.Network; got {type(net).__name__}.")
    return net


def _scalar(value):
    """A 0-d numeric NumPy array as its Python number (``np.array(2.0)`` counts as a number)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return value.item()
    return value


def check_positive_real(value, name: str) -> float:
    """Return ``value`` as a float after checking that it is a finite number > 0."""
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number > 0; got {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a finite number > 0; got {value}.")
    return value


def check_nonnegative_real(value, name: str, what: str = "number") -> float:
    """Return ``value`` as a float after checking that it is a finite number >= 0.

    ``what`` names the kind of quantity in the message ("rate constant", "concentration").
    """
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number ({what}s must be real numbers >= 0); "
                        f"got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"`{name}` must be a finite {what} >= 0; got {value}.")
    return value


def check_volume(V, name: str = "V") -> float:
    """Return ``V`` as a float after checking that it is a finite number > 0."""
    return check_positive_real(V, name)


def check_volume_for(net, V) -> float | None:
    """``V`` for a concentration-based computation on ``net``: checked when given, required for
    general rate laws (whose R(x) = r(Vx)/V depends on V), ``None`` allowed for mass action."""
    if V is None:
        if not net.is_mass_action:
            raise ValueError("`V` is required: this network has general rate laws, whose "
                             "concentration form R(x) = r(Vx)/V depends on the volume.")
        return None
    return check_volume(V)


def check_choice(value, choices, name: str = "method") -> str:
    """Return ``value`` after checking that it is one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; "
                         f"got {value!r}.")
    return value


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer >= {minimum}; got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}; got {value}.")
    return int(value)


def check_counts(n, N: int, name: str = "n0", batch: bool = False) -> np.ndarray:
    """Return copy numbers as an int64 array of shape (N,) after checking them.

    Counts must be finite, non-negative and integer-valued (``3.0`` is accepted, ``2.5`` is not)
    and below 2**53 (exact in float64). With ``batch=True`` any shape (..., N) is accepted.
    """
    if isinstance(n, Mapping):
        raise TypeError(f"`{name}` must be a sequence of {N} non-negative integers in the order "
                        f"of the network's species; got a {type(n).__name__}.")
    bad_type = TypeError(f"`{name}` must be a sequence of {N} non-negative integers; got "
                         f"{type(n).__name__}.")
    if isinstance(n, (str, bytes)):
        raise bad_type
    try:
        raw = np.asarray(n)
        if raw.dtype.kind not in "iufO":  # bool, str, bytes, datetime, ... are not counts
            raise bad_type
        arr = raw.astype(float)
    except (TypeError, ValueError):
        raise bad_type from None
    if arr.ndim == 0 and N == 1:
        arr = arr.reshape(1)
    if batch:
        if arr.ndim == 0 or arr.shape[-1] != N:
            raise ValueError(f"`{name}` must have last axis of length {N}, one count per "
                             f"species; got shape {arr.shape}.")
    elif arr.shape != (N,):
        raise ValueError(
            f"`{name}` must have shape ({N},), one count per species; got shape {arr.shape}."
        )
    shown = arr.tolist() if arr.size <= 20 else f"an array of shape {arr.shape}"
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite; got {shown}.")
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative; got {shown}.")
    if np.any(arr != np.round(arr)):
        raise ValueError(f"`{name}` must hold integers (copy numbers); got {shown}.")
    if np.any(arr >= _MAX_EXACT_COUNT):
        raise ValueError(f"`{name}` must hold counts below 2**53; got {shown}.")
    return arr.astype(np.int64)


def check_species(i, species, name: str = "i") -> int:
    """Return the index of a species given by position or by name.

    ``i`` is an integer in ``0..N-1`` or one of the names in ``species``.
    """
    species = tuple(species)
    if isinstance(i, str):
        if i not in species:
            raise ValueError(f"`{name}` names an unknown species {i!r}; species are "
                             f"{list(species)}.")
        return species.index(i)
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < len(species):
        raise ValueError(f"`{name}` must be a species index 0..{len(species) - 1} or a name in "
                         f"{list(species)}; got {i!r}.")
    return int(i)


def check_concentrations(x, N: int, name: str = "x", nonnegative: bool = True) -> np.ndarray:
    """Return concentrations as a float array of shape (..., N), finite and non-negative.

    With ``nonnegative=False`` any finite values pass (momenta, gradients: one per species).
    """
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array{' of concentrations' if nonnegative else ''} "
                        f"with last axis {N}.") from None
    if arr.ndim == 0 and N == 1:
        arr = arr.reshape(1)
    if arr.ndim == 0 or arr.shape[-1] != N:
        raise ValueError(
            f"`{name}` must have last axis of length {N} (one per species); got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite.")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative (concentrations).")
    return arr


def check_point(N: int, x, name: str) -> np.ndarray:
    """One point of concentration space: shape (N,), finite, non-negative."""
    x = check_concentrations(x, N, name)
    if x.shape != (N,):
        raise ValueError(f"`{name}` must have shape ({N},), one concentration per species; "
                         f"got shape {x.shape}.")
    return x


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


def check_generator(Q, name: str = "Q"):
    """``Q`` as a CSR float matrix after checking shape, finiteness and the sign of rates.

    The convention of :mod:`mesothermo.markov`: ``Q[j, i]`` is the rate i -> j (>= 0 off the
    diagonal).
    """
    import scipy.sparse as sp  # late: only the Markov solvers need SciPy's sparse matrices

    if not (sp.issparse(Q) or isinstance(Q, np.ndarray)):
        try:
            Q = np.asarray(Q, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`{name}` must be a square scipy.sparse matrix or array of "
                            f"rates; got {type(Q).__name__}.") from None
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1] or Q.shape[0] == 0:
        raise ValueError(f"`{name}` must be a non-empty square matrix; got shape {Q.shape}.")
    try:
        A = sp.csr_matrix(Q, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must hold real numbers.") from None
    A.sum_duplicates()
    if not np.all(np.isfinite(A.data)):
        raise ValueError(f"`{name}` must be finite.")
    coo = A.tocoo()
    off = coo.row != coo.col
    if np.any(coo.data[off] < 0):
        i = int(np.flatnonzero(off & (coo.data < 0))[0])
        raise ValueError(f"`{name}` must have non-negative off-diagonal rates (Q[j, i] is the "
                         f"rate i -> j); got Q[{coo.row[i]}, {coo.col[i]}] = {coo.data[i]:.3g}.")
    return A
