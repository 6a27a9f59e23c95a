"""One parameter of an interactive figure: its grid of values and what the live face offers.

Part of :mod:`mesothermo.widgets` (import :class:`Slider` from there).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Slider", "LIVE_KINDS", "is_number", "format_value"]


class Slider:
    """One parameter of an interactive figure and the grid of values it may take.

    Parameters
    ----------
    name : str
        The keyword under which ``draw`` receives the value; a Python identifier.
    values : sequence
        The grid: a non-empty 1-D sequence of distinct values (numbers, or any values ``fmt``
        can format), in the order the slider runs through them.
    label : str, optional
        What the control says, with the unit, e.g. ``"rate $r$ (1/s)"``; ``$...$`` is typeset
        as math. Defaults to ``name``.
    fmt : str, default ``"{:g}"``
        Format string for the value shown beside the slider.
    value : optional
        The value shown first; must be one of ``values``. Defaults to the middle of the grid.
    live : {None, "continuous", "log", "integer"} or sequence, optional
        What the live (kernel) face offers between the grid values; the static HTML page always
        offers the grid. ``None`` (default): the grid only. ``"continuous"``: any number between
        the smallest and largest grid value (steps of 1/1000 of the range); ``"log"``: the same
        on a logarithmic scale (positive grids; 1/500 of the decades); ``"integer"``: every
        integer in that range (integer grids); a sequence: exactly those values (a finer grid,
        formatted by ``fmt``). Needs numeric values, and a ``draw`` that works off the grid.

    Examples
    --------
    >>> Slider("V", [10, 100, 1000], label="volume $V$ (dimensionless)").labels
    ('10', '100', '1000')
    >>> Slider("V", [10, 100, 1000], live="integer").live
    'integer'
    """

    def __init__(self, name: str, values: Sequence[Any], label: str | None = None,
                 fmt: str = "{:g}", *, value: Any = None, live: Any = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a str; got {type(name).__name__}.")
        if not name.isidentifier():
            raise ValueError(
                f"`name` must be a Python identifier (it becomes a keyword of `draw`); "
                f"got {name!r}."
            )
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(
                f"`values` must be a sequence (list, tuple or 1-D array); "
                f"got {type(values).__name__}."
            )
        if isinstance(values, np.ndarray):
            if values.ndim != 1:
                raise ValueError(f"`values` must be 1-dimensional; got shape {values.shape}.")
            values = values.tolist()
        values = tuple(values)
        if len(values) == 0:
            raise ValueError("`values` must hold at least one value; got an empty sequence.")
        for v in values:
            if isinstance(v, numbers.Real) and not isinstance(v, bool) and not np.isfinite(v):
                raise ValueError(f"`values` must be finite; got {v}.")
        if label is None:
            label = name
        if not isinstance(label, str):
            raise TypeError(f"`label` must be a str or None; got {type(label).__name__}.")
        if not isinstance(fmt, str):
            raise TypeError(f"`fmt` must be a format string; got {type(fmt).__name__}.")
        try:
            labels = tuple(fmt.format(v) for v in values)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise ValueError(f"`fmt` {fmt!r} cannot format the values: {exc}.") from None
        if len(set(labels)) != len(labels):
            dup = sorted({lab for lab in labels if labels.count(lab) > 1})
            raise ValueError(
                f"`values` must be distinct as shown by `fmt` {fmt!r}; these repeat: {dup}."
            )
        if value is None:
            index = (len(values) - 1) // 2
        else:
            matches = [i for i, v in enumerate(values) if v == value]
            if not matches:
                raise ValueError(f"`value` must be one of `values`; got {value!r}.")
            index = matches[0]
        self.name = name
        self.values = values
        self.label = label
        self.fmt = fmt
        self.labels = labels
        self.index = index
        self.live, self.live_values = check_live(name, values, fmt, live)

    @property
    def value(self) -> Any:
        """The value shown first."""
        return self.values[self.index]

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        live = "" if self.live is None else (
            f", live={self.live!r}" if isinstance(self.live, str)
            else f", live=<{len(self.live_values)} values>")
        return (f"Slider({self.name!r}, {list(self.values)!r}, label={self.label!r}, "
                f"fmt={self.fmt!r}{live})")

    def grid_index(self, value: Any) -> int | None:
        """The index of ``value`` in the grid (numbers equal to 1e-12 relative), else None."""
        for i, v in enumerate(self.values):
            if v == value:
                return i
            if (is_number(v) and is_number(value)
                    and abs(float(v) - float(value)) <= 1e-12 * max(abs(float(v)), 1e-300)):
                return i
        return None


LIVE_KINDS = ("continuous", "log", "integer")


def is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_live(name: str, values: tuple, fmt: str, live: Any) -> tuple[Any, tuple | None]:
    """Validate a Slider's ``live`` argument; return it and the finer grid (if a sequence)."""
    if live is None:
        return None, None
    if isinstance(live, str):
        if live not in LIVE_KINDS:
            raise ValueError(f"`live` must be None, one of {list(LIVE_KINDS)} or a sequence "
                             f"of values; got {live!r}.")
        if not all(is_number(v) for v in values):
            raise TypeError(f"`live`={live!r} needs numeric `values` for slider {name!r}.")
        if len(values) < 2:
            raise ValueError(f"`live`={live!r} needs at least two grid `values` (a range); "
                             f"slider {name!r} has one.")
        if live == "log" and min(values) <= 0:
            raise ValueError(f"`live`='log' needs positive `values`; slider {name!r} has "
                             f"{min(values)!r}.")
        if live == "integer" and not all(float(v).is_integer() for v in values):
            raise ValueError(f"`live`='integer' needs integer `values`; slider {name!r} has "
                             f"{[v for v in values if not float(v).is_integer()]}.")
        return live, None
    if isinstance(live, bytes) or not hasattr(live, "__len__"):
        raise TypeError(f"`live` must be None, a str or a sequence of values; "
                        f"got {type(live).__name__}.")
    finer = tuple(np.asarray(live).tolist()) if isinstance(live, np.ndarray) else tuple(live)
    if len(finer) < 2:
        raise ValueError("`live` as a sequence must hold at least two values.")
    if not all(is_number(v) and np.isfinite(v) for v in finer):
        raise TypeError("`live` as a sequence must hold finite numbers.")
    try:
        shown = [fmt.format(v) for v in finer]
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"`fmt` {fmt!r} cannot format the `live` values: {exc}.") from None
    if len(set(shown)) != len(shown):
        raise ValueError(f"`live` values must be distinct as shown by `fmt` {fmt!r}.")
    return finer, finer



def format_value(s: Slider, value: Any) -> str:
    """``value`` as slider ``s`` shows it (its ``fmt``; ``repr`` if ``fmt`` cannot format it)."""
    try:
        return s.fmt.format(value)
    except (ValueError, TypeError, IndexError, KeyError):
        return repr(value)
