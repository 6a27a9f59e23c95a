"""Figure helpers for the free-energy balance (chapter 04, Ge–Qian Eqs. 5 and 7).

Each helper draws into axes it is given and only plots what the caller computed with
:mod:`mesothermo.thermo`; the style comes from :func:`mesothermo.plotting.use_style`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import COLORS

__all__ = ["plot_balance", "plot_limit", "plot_scaled_errors", "BALANCE_COLORS"]

#: Colours of the three balance terms, the same in every figure of the chapter.
BALANCE_COLORS: dict[str, str] = {"e_p": COLORS[1], "E_in": COLORS[0], "f_d": COLORS[2]}


def plot_balance(ax, b, scale: float = 1.0, skip_first: bool = True, legend: bool = True,
                 ylabel: str = "rate (per unit time)"):
    """The terms of Eq. 5 over time: :math:`e_p`, :math:`E_{in}` and :math:`f_d = e_p - E_{in}`
    (lines) with :math:`-dF/dt` from the generator (open circles) on top of :math:`f_d`.

    Parameters
    ----------
    ax : matplotlib Axes
    b : FreeEnergyBalance
        With times (``b.t``) of shape (T,).
    scale : float
        Every term is divided by it (e.g. the volume :math:`V`).
    skip_first : bool
        Leave out the first time (a point mass at t = 0 has :math:`e_p = \\infty`).
    """
    sl = slice(1, None) if skip_first else slice(None)
    t = np.asarray(b.t)[sl]
    ax.plot(t, np.asarray(b.e_p)[sl] / scale, color=BALANCE_COLORS["e_p"],
            label=r"$e_p$ (entropy production)")
    ax.plot(t, np.asarray(b.E_in)[sl] / scale, color=BALANCE_COLORS["E_in"], ls="--",
            label=r"$E_{in}$ (energy input)")
    ax.plot(t, np.asarray(b.f_d)[sl] / scale, color=BALANCE_COLORS["f_d"],
            label=r"$f_d = e_p - E_{in}$")
    ax.plot(t, -np.asarray(b.dF_dt)[sl] / scale, "o", mfc="white", ms=4,
            color=BALANCE_COLORS["f_d"], label=r"$-dF/dt$ from the generator")
    ax.set(xlabel="time $t$ (units of the rate constants' time)", ylabel=ylabel)
    if legend:
        ax.legend()


def plot_limit(ax, t_macro: np.ndarray, macro: np.ndarray, runs: Mapping[float, tuple],
               ylabel: str, macro_label: str, colors: Sequence[str] | None = None):
    """One intensive balance term for several volumes against its macroscopic limit.

    Parameters
    ----------
    ax : matplotlib Axes
    t_macro, macro : ndarray, shape (K,)
        The limit along the rate-equation path (drawn in black).
    runs : mapping V -> (t, values)
        The mesoscopic term divided by V at each volume.
    ylabel, macro_label : str
    colors : sequence of str, optional
        One per volume (default: the book's cycle from its second colour).
    """
    colors = list(colors) if colors is not None else COLORS[1:]
    for (V, (t, y)), c in zip(runs.items(), colors):
        ax.plot(t, y, color=c, lw=1.4, label=f"$V = {V:g}$")
    ax.plot(t_macro, macro, color="k", lw=2.0, ls="--", label=macro_label)
    ax.set(xlabel="time $t$", ylabel=ylabel)


def plot_scaled_errors(ax, V: np.ndarray, scaled: Mapping[str, np.ndarray],
                       markers: Sequence[str] = ("o", "s", "^", "D", "v")):
    """:math:`V \\times` (error) against :math:`\\ln V`: a flat line is an :math:`O(1/V)`
    error, a line of slope :math:`a` an error :math:`a\\ln V/V`.

    Parameters
    ----------
    ax : matplotlib Axes
    V : ndarray, shape (K,)
    scaled : mapping label -> ndarray of shape (K,)
        :math:`V(\\text{meso}/V - \\text{macro})` for each quantity.
    """
    for (label, y), c, m in zip(scaled.items(), COLORS, markers * 4):
        ax.semilogx(V, y, m + "-", color=c, label=label, lw=1.2)
    ax.set(xlabel="volume $V$", ylabel=r"$V\times$(meso$/V$ $-$ macro)")
    ax.legend()
