"""Interactive figures that work live in Jupyter and, without a kernel, in the HTML book.

A chapter describes its parameters once, as :class:`Slider` objects over grids of values, and
writes one drawing function ``draw(fig, **values)`` that draws into a fresh matplotlib figure.
:func:`interactive_figure` then gives an object that shows up in two ways from the one output:

* **live** (JupyterLab, Notebook): an ipywidgets slider per parameter (the
  ``application/vnd.jupyter.widget-view+json`` output). Over the grid it shows the frame that
  ``draw`` made for that point when the cell ran. A slider given ``live=`` (``"continuous"``,
  ``"log"``, ``"integer"`` or a finer sequence of values) also reaches the points between the
  grid values: there the live face calls ``draw`` itself (``continuous_update=False``, so once
  per release), shows "computing …" beside the sliders while it works, and caches every frame
  it made, so that a point is computed once;
* **static** (the HTML book, nbviewer, any page without a kernel): a labelled
  ``<input type="range">`` per parameter with its value shown beside it, over frames
  precomputed for every point of the grid when the notebook executes, switched by a few lines
  of inline JavaScript (the ``text/html`` output). Nothing is fetched: the frames are
  compressed PNG embedded as ``data:`` URIs.

The book's ``_config.yml`` ranks ``text/html`` above the widget view for the HTML builder, so
the static control is what the book shows; Jupyter ranks the widget view first.

For the grid, ``draw`` should only look things up and plot: do the heavy computation
(simulations, master equations) before, for the whole grid, by calling the library. Both faces
show the frames drawn while the cell ran, so a move onto a grid point answers in well under
:data:`LIVE_BUDGET` seconds however long ``draw`` takes. When a slider has ``live=``, ``draw``
must also work off the grid: compute what was not precomputed by calling the library (a
function wrapped in :func:`functools.lru_cache` keeps repeated points cheap). The seconds each
grid frame took are kept in ``draw_seconds``; the static HTML page always holds the grid only.

Examples
--------
>>> import numpy as np
>>> from mesothermo.widgets import Slider, interactive_figure
>>> t = np.linspace(0, 5, 200)
>>> def draw(fig, r):
...     ax = fig.add_subplot()
...     ax.plot(t, r * np.exp(-r * t))
>>> fig = interactive_figure(draw, [Slider("r", [0.5, 1, 2], label="rate $r$ (1/s)")])
>>> len(fig.frames)
3
>>> '<input type="range"' in fig.to_html()
True
"""

from .figure import (
    FRAME_DPI,
    LIVE_BUDGET,
    LIVE_CACHE,
    MAX_FRAMES,
    InteractiveFigure,
    interactive_figure,
)
from .slider import Slider

__all__ = ["Slider", "InteractiveFigure", "interactive_figure", "MAX_FRAMES", "LIVE_BUDGET",
           "FRAME_DPI", "LIVE_CACHE"]
