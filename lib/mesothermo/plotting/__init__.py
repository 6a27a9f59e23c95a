"""One figure style for every chapter of the book.

Call :func:`use_style` once at the top of a notebook; draw with :func:`subplots` (or any
matplotlib call) afterwards. The style fixes font sizes, a colour cycle that stays readable for
colour-blind readers and in greyscale print (Okabe & Ito's palette), thin spines on the left
and bottom only, and a constrained layout so labels never overlap. Axis labels are the
chapters' job: every axis names its quantity and its unit, or says "(dimensionless)".

Examples
--------
>>> import numpy as np
>>> from mesothermo import plotting
>>> plotting.use_style()
>>> fig, ax = plotting.subplots()
>>> line = ax.plot(np.arange(3), np.arange(3) ** 2, label="$x^2$")
>>> label = ax.set_xlabel("time $t$ (s)")
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
from cycler import cycler

from ._validation import check_positive_int

__all__ = ["COLORS", "STYLE", "FIGSIZE", "use_style", "subplots"]

#: The colour cycle (Okabe & Ito, "Color Universal Design", 2008): blue, vermilion, bluish
#: green, reddish purple, orange, sky blue, black, yellow.
COLORS: list[str] = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
]

#: Default size of a one-panel figure, in inches (width, height).
FIGSIZE: tuple[float, float] = (6.4, 4.0)

#: The rcParams that :func:`use_style` applies.
STYLE: dict[str, object] = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.grid": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "patch.linewidth": 0.5,
    "image.cmap": "viridis",
    "mathtext.fontset": "dejavusans",
}


def use_style() -> None:
    """Apply the book's figure style (:data:`STYLE`) to matplotlib's global rcParams.

    Call it once at the top of a notebook, after the imports. It is idempotent.
    """
    mpl.rcParams.update(STYLE)


def subplots(nrows: int = 1, ncols: int = 1, **kw):
    """Create a figure and a grid of axes in the book's default size.

    Parameters
    ----------
    nrows, ncols : int
        Grid of panels, each at least 1.
    **kw
        Passed to :func:`matplotlib.pyplot.subplots`; ``figsize`` overrides the default, which
        is :data:`FIGSIZE` for one panel and grows with the grid (3.4 in per extra column up to
        a page width of 10 in, 3.2 in per extra row).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or ndarray of Axes
        As :func:`matplotlib.pyplot.subplots` returns them (squeezed by default).
    """
    nrows, ncols = check_positive_int(nrows, "nrows"), check_positive_int(ncols, "ncols")
    if "figsize" not in kw:
        width = min(FIGSIZE[0] + 3.4 * (ncols - 1), 10.0)
        height = FIGSIZE[1] + 3.2 * (nrows - 1)
        kw["figsize"] = (width, height)
    kw.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, **kw)
