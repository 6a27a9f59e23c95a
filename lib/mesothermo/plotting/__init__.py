"""One figure style for every chapter of the book, and the chapters' figure helpers.

The package holds the style (here) and one module of figure helpers per topic
(``plotting.<topic>``), so that notebooks show the computation and not the matplotlib.

Call :func:`use_style` once at the top of a notebook; draw with :func:`subplots` (or any
matplotlib call) afterwards. Figures are one text column wide: :data:`COLUMN_WIDTH` inches at
:data:`DPI` dots per inch is the 768 px at which the HTML book shows them, so nothing is scaled
down on a desktop (10-pt text is 18 px there) and on a 400 px phone, where the column is about
360 px wide, the smallest text is still about 8 px tall. Multi-panel figures keep the column
width and get shorter rows. The style fixes font sizes, a colour cycle that stays readable for
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

from .._validation import check_positive_int

__all__ = ["COLORS", "STYLE", "FIGSIZE", "COLUMN_WIDTH", "DPI", "use_style", "subplots"]

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

#: Width of the book's text column in inches. With :data:`DPI` a figure of this width is drawn
#: at 768 pixels, the width at which the HTML book shows it, so it is never scaled down on a
#: desktop; on a 400 px phone (a text column of about 360 px) it is shown at 47% of its size,
#: and the font sizes of :data:`STYLE` (at least 10 pt, i.e. 18 px drawn) stay at about 8 px.
COLUMN_WIDTH: float = 6.0

#: Dots per inch of every figure (inline PNG and saved files): ``COLUMN_WIDTH * DPI = 768``.
DPI: int = 128

#: Default size of a one-panel figure, in inches (width, height).
FIGSIZE: tuple[float, float] = (COLUMN_WIDTH, 3.75)

#: Height in inches of one row of panels, by the number of columns (1, 2, 3 or more): the
#: panels of a wider grid are narrower, so they are drawn less tall.
_ROW_HEIGHT: tuple[float, float, float] = (FIGSIZE[1], 2.9, 2.5)

#: The rcParams that :func:`use_style` applies.
STYLE: dict[str, object] = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "savefig.pad_inches": 0.03,      # a tight bounding box stays within a few px of 768
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "legend.handlelength": 1.6,
    "legend.borderaxespad": 0.3,
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
    """Create a figure and a grid of axes sized for the text column.

    Parameters
    ----------
    nrows, ncols : int
        Grid of panels, each at least 1.
    **kw
        Passed to :func:`matplotlib.pyplot.subplots`; ``figsize`` overrides the default. The
        default is one column wide (:data:`COLUMN_WIDTH`, 768 px at :data:`DPI`) whatever the
        number of columns, and ``nrows`` times a row height of 3.75 in for one column, 2.9 in
        for two and 2.5 in for three or more. A figure wider than the column is shown scaled
        down, and its text shrinks with it.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or ndarray of Axes
        As :func:`matplotlib.pyplot.subplots` returns them (squeezed by default).
    """
    nrows, ncols = check_positive_int(nrows, "nrows"), check_positive_int(ncols, "ncols")
    if "figsize" not in kw:
        kw["figsize"] = (COLUMN_WIDTH, nrows * _ROW_HEIGHT[min(ncols, 3) - 1])
    kw.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, **kw)
