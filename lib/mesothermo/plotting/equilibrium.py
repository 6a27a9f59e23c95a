"""Figure helpers for chapter 05: detailed balance, the Gibbs function and driven steady states.

Each helper draws into axes it is given, in the book's style (:mod:`mesothermo.plotting`), and
only presents what the library computed: steady-state branches
(:func:`mesothermo.steady_states` over a parameter sweep), one-dimensional flows
(:func:`mesothermo.rre_rhs`), and power laws fitted in the chapter.

Examples
--------
>>> import numpy as np, mesothermo as mt
>>> from mesothermo.plotting import equilibrium as eqplot
>>> params = [0.5, 1.0]
>>> sweeps = [mt.steady_states(mt.models.schlogl(a=a)) for a in params]
>>> branch = eqplot.branch_points(params, sweeps)
>>> branch.param.shape == branch.x.shape == branch.stable.shape
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import COLORS

__all__ = ["BranchPoints", "branch_points", "plot_branches", "plot_flow_1d", "slope_guide"]


class BranchPoints(NamedTuple):
    """Steady states of a one-parameter sweep, flattened: one row per (parameter, state).

    Attributes
    ----------
    param : ndarray, shape (P,)
        The parameter value of each point.
    x : ndarray, shape (P, N)
        The steady state.
    stable : ndarray of bool, shape (P,)
        Its linear stability (:attr:`mesothermo.SteadyState.stable`).
    """

    param: np.ndarray
    x: np.ndarray
    stable: np.ndarray


def branch_points(params: Sequence[float], sweeps: Sequence[Sequence]) -> BranchPoints:
    """Flatten a sweep: ``sweeps[k]`` is the list of :class:`~mesothermo.SteadyState` at
    ``params[k]``.

    Parameters
    ----------
    params : sequence of float, length K
    sweeps : sequence of K sequences of SteadyState

    Returns
    -------
    BranchPoints
    """
    params = list(params)
    sweeps = list(sweeps)
    if len(params) != len(sweeps):
        raise ValueError(f"`params` and `sweeps` must have the same length; got {len(params)} "
                         f"and {len(sweeps)}.")
    p, x, st = [], [], []
    for value, states in zip(params, sweeps):
        for s in states:
            p.append(float(value))
            x.append(np.asarray(s.x, float))
            st.append(bool(s.stable))
    if not p:
        raise ValueError("`sweeps` holds no steady states.")
    return BranchPoints(np.array(p), np.array(x), np.array(st, bool))


def plot_branches(ax, param, values, stable, *, label_stable: str = "stable",
                  label_unstable: str = "unstable", color: str | None = None,
                  ms: float = 2.5):
    """Draw a bifurcation diagram from sweep points: stable filled, unstable hollow.

    Parameters
    ----------
    ax : matplotlib Axes
    param, values : array_like, shape (P,)
        Parameter and the plotted quantity (a concentration, or sigma) at each point.
    stable : array_like of bool, shape (P,)
    label_stable, label_unstable : str
        Legend entries (pass ``""`` to leave one out).
    color : str, optional
        Default: the first colour of the book's cycle.
    ms : float
        Marker size.
    """
    param, values = np.asarray(param, float), np.asarray(values, float)
    stable = np.asarray(stable, bool)
    c = COLORS[0] if color is None else color
    if np.any(stable):
        ax.plot(param[stable], values[stable], "o", ms=ms, color=c, mec="none",
                label=label_stable or None)
    if np.any(~stable):
        ax.plot(param[~stable], values[~stable], "o", ms=ms, color=c, mfc="white",
                mew=0.7, label=label_unstable or None)


def plot_flow_1d(ax, x, f, states=(), *, color: str | None = None, arrows: int = 7):
    r"""The phase portrait of a one-species rate equation :math:`\dot x = f(x)`.

    Draws :math:`f` against :math:`x`, the zero line with arrows in the direction of the flow,
    and the steady states (stable filled, unstable hollow). Set a logarithmic x scale on ``ax``
    before the call to get the arrows spaced and sized for it.

    Parameters
    ----------
    ax : matplotlib Axes
    x, f : array_like, shape (G,)
        Grid and :math:`f(x)` on it.
    states : sequence of SteadyState
    color : str, optional
    arrows : int
        Number of flow arrows along the axis.
    """
    x, f = np.asarray(x, float), np.asarray(f, float)
    c = COLORS[0] if color is None else color
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.plot(x, f, color=c, lw=1.6)
    log_x = ax.get_xscale() == "log"
    if log_x:
        where = np.geomspace(x[x > 0][0], x[-1], arrows + 2)[1:-1]
    else:
        where = np.linspace(x[0], x[-1], arrows + 2)[1:-1]
    span = x[-1] - x[0]
    for xa in where:
        fa = np.interp(xa, x, f)
        if abs(fa) < 1e-12:
            continue
        if log_x:  # the same length on the page wherever the arrow sits
            ratio = (x[-1] / x[x > 0][0]) ** (0.04 * np.sign(fa))
            head, tail = xa * ratio, xa / ratio
        else:
            d = np.sign(fa) * 0.04 * span
            head, tail = xa + d, xa - d
        ax.annotate("", xy=(head, 0), xytext=(tail, 0),
                    arrowprops=dict(arrowstyle="->", color="0.3", lw=1.0))
    for s in states:
        ax.plot(s.x[0], 0.0, "o", ms=7, color=COLORS[1], zorder=5,
                mfc=COLORS[1] if s.stable else "white", mew=1.4)


def slope_guide(ax, x, anchor: tuple[float, float], slope: float, label: str | None = None,
                **kw):
    """A dotted power-law guide :math:`y = y_0 (x/x_0)^{slope}` through ``anchor`` on log axes.

    Parameters
    ----------
    ax : matplotlib Axes
    x : array_like
        Where to draw it.
    anchor : (x0, y0)
    slope : float
    label : str, optional
    **kw
        Passed to ``ax.plot`` (default: black dotted).
    """
    x = np.asarray(x, float)
    x0, y0 = anchor
    kw.setdefault("color", "k")
    kw.setdefault("ls", ":")
    kw.setdefault("lw", 1.2)
    ax.plot(x, y0 * (x / x0) ** slope, label=label, **kw)
