"""Interactive figures that work live in Jupyter and, without a kernel, in the HTML book.

A chapter describes its parameters once, as :class:`Slider` objects over grids of values, and
writes one drawing function ``draw(fig, **values)`` that draws into a fresh matplotlib figure.
:func:`interactive_figure` then gives an object that shows up in two ways from the one output:

* **live** (JupyterLab, Notebook): an ipywidgets slider per parameter over the grid, showing
  at every move the frame that ``draw`` made for that grid point when the cell ran (the
  ``application/vnd.jupyter.widget-view+json`` output);
* **static** (the HTML book, nbviewer, any page without a kernel): a labelled
  ``<input type="range">`` per parameter with its value shown beside it, over frames
  precomputed for every point of the grid when the notebook executes, switched by a few lines
  of inline JavaScript (the ``text/html`` output). Nothing is fetched: the frames are
  compressed PNG embedded as ``data:`` URIs.

The book's ``_config.yml`` ranks ``text/html`` above the widget view for the HTML builder, so
the static control is what the book shows; Jupyter ranks the widget view first.

``draw`` should only look things up and plot: do the heavy computation (simulations, master
equations) before, for the whole grid, by calling the library. Both faces show the frames drawn
while the cell ran, so a slider move answers in well under :data:`LIVE_BUDGET` seconds however
long ``draw`` takes (a reader who changes ``draw`` or the data re-runs the cell, which draws the
grid again). The seconds each frame took are kept in ``draw_seconds``.

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

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import numbers
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["Slider", "InteractiveFigure", "interactive_figure", "MAX_FRAMES", "LIVE_BUDGET",
           "FRAME_DPI"]

#: Hard limit on the number of precomputed frames (product of the grid sizes). Chapters should
#: stay near 40 frames so that a page stays under a few MB.
MAX_FRAMES: int = 64

#: Seconds within which a live slider move must answer (DESIGN.md); the frame lookup takes ~1 ms.
LIVE_BUDGET: float = 0.3

#: Resolution of the precomputed frames, dots per inch.
FRAME_DPI: int = 90

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_counter = itertools.count()


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

    Examples
    --------
    >>> Slider("V", [10, 100, 1000], label="volume $V$ (dimensionless)").labels
    ('10', '100', '1000')
    """

    def __init__(self, name: str, values: Sequence[Any], label: str | None = None,
                 fmt: str = "{:g}", *, value: Any = None) -> None:
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

    @property
    def value(self) -> Any:
        """The value shown first."""
        return self.values[self.index]

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return (f"Slider({self.name!r}, {list(self.values)!r}, label={self.label!r}, "
                f"fmt={self.fmt!r})")


def _png(fig: Figure, dpi: int) -> bytes:
    """Render ``fig`` with Agg and return a palette-compressed PNG (256 colours)."""
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    img = Image.fromarray(rgba[..., :3].copy(), mode="RGB")
    img = img.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _label_html(label: str) -> str:
    """Escape ``label`` for HTML, turning ``$...$`` into inline math MathJax typesets."""
    parts = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", label)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append('<span class="math notranslate nohighlight">\\('
                       + html.escape(part) + "\\)</span>")
        else:
            out.append(html.escape(part))
    return "".join(out)


class InteractiveFigure:
    """A figure over a parameter grid, shown live in Jupyter and kernel-free in HTML.

    Made by :func:`interactive_figure`; displaying it (last expression of a cell) shows the
    live widget in Jupyter and the static control in the HTML book.

    Attributes
    ----------
    sliders : tuple of Slider
    shape : tuple of int
        Grid sizes, one per slider; frames are stored in C order (last slider fastest).
    frames : list of bytes
        One PNG per grid point.
    draw_seconds : ndarray, shape ``shape``
        Wall-clock seconds taken to draw, lay out and encode each frame while precomputing.
    last_draw_seconds : float or None
        Wall-clock seconds the live widget took to answer its latest slider move.
    """

    def __init__(self, draw: Callable[..., Any], sliders: tuple[Slider, ...],
                 figsize: tuple[float, float] | None, dpi: int = FRAME_DPI) -> None:
        self.draw = draw
        self.sliders = sliders
        self.figsize = figsize
        self.dpi = dpi
        self.shape = tuple(len(s) for s in sliders)
        self.frames: list[bytes] = []
        times = []
        for combo in itertools.product(*(range(n) for n in self.shape)):
            t0 = time.perf_counter()
            self.frames.append(self._render(combo))
            times.append(time.perf_counter() - t0)
        self.draw_seconds = np.array(times).reshape(self.shape)
        self.last_draw_seconds: float | None = None
        self._widget = None
        digest = hashlib.sha1(b"".join(self.frames)).hexdigest()[:12]
        self.html_id = f"mt-if-{digest}-{next(_counter)}"

    # -- frames ---------------------------------------------------------------------------
    def _values(self, combo: Sequence[int]) -> dict[str, Any]:
        return {s.name: s.values[i] for s, i in zip(self.sliders, combo)}

    def _render(self, combo: Sequence[int]) -> bytes:
        """Draw one grid point into a fresh figure (constrained layout); return its PNG."""
        import matplotlib as mpl

        figsize = self.figsize or tuple(mpl.rcParams["figure.figsize"])
        fig = Figure(figsize=figsize, layout="constrained")
        values = self._values(combo)
        try:
            self.draw(fig, **values)
        except Exception as exc:
            shown = ", ".join(f"{s.name}={s.labels[i]}" for s, i in zip(self.sliders, combo))
            exc.add_note(f"(raised by `draw` at {shown})")
            raise
        return _png(fig, self.dpi)

    def _flat(self, combo: Sequence[int]) -> int:
        return int(np.ravel_multi_index(tuple(combo), self.shape))

    def frame(self, **values: Any) -> bytes:
        """The precomputed PNG for one grid point, given as ``name=value`` per slider."""
        names = {s.name for s in self.sliders}
        if set(values) != names:
            raise ValueError(
                f"`frame` needs exactly the slider names {sorted(names)}; got {sorted(values)}."
            )
        combo = []
        for s in self.sliders:
            matches = [i for i, v in enumerate(s.values) if v == values[s.name]]
            if not matches:
                raise ValueError(f"`{s.name}` must be one of {list(s.values)}; "
                                 f"got {values[s.name]!r}.")
            combo.append(matches[0])
        return self.frames[self._flat(combo)]

    @property
    def initial(self) -> tuple[int, ...]:
        """Grid indices shown first."""
        return tuple(s.index for s in self.sliders)

    # -- static HTML ----------------------------------------------------------------------
    def to_html(self) -> str:
        """Self-contained HTML: the frames, one labelled range input per slider, inline JS."""
        b64 = [base64.b64encode(f).decode("ascii") for f in self.frames]
        first = self._flat(self.initial)
        from PIL import Image

        width, height = Image.open(io.BytesIO(self.frames[first])).size
        data = {"shape": list(self.shape), "labels": [list(s.labels) for s in self.sliders],
                "frames": b64}
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        uid = self.html_id
        shown = ", ".join(f"{s.name} = {s.labels[s.index]}" for s in self.sliders)
        controls = []
        for j, s in enumerate(self.sliders):
            controls.append(
                f'<div class="mt-slider" style="display:flex;align-items:center;gap:0.6em;'
                f'margin:0.2em 0;">'
                f'<label for="{uid}-s{j}" style="min-width:9em;">{_label_html(s.label)}</label>'
                f'<input type="range" id="{uid}-s{j}" data-name="{html.escape(s.name)}" '
                f'min="0" max="{len(s) - 1}" step="1" value="{s.index}" '
                f'style="flex:1 1 auto;max-width:22em;">'
                f'<output for="{uid}-s{j}" style="min-width:4em;font-variant-numeric:'
                f'tabular-nums;">{html.escape(s.labels[s.index])}</output></div>'
            )
        script = (
            "(function(){var root=document.getElementById(" + json.dumps(uid) + ");"
            "if(!root||root.getAttribute('data-ready'))return;root.setAttribute('data-ready','1');"
            "var d=JSON.parse(root.querySelector('script.mt-interactive-data').textContent);"
            "var img=root.querySelector('img.mt-interactive-frame');"
            "var ins=root.querySelectorAll('input[type=range]');"
            "var outs=root.querySelectorAll('output');"
            "function update(){var k=0,alt=[];for(var j=0;j<ins.length;j++){"
            "var i=parseInt(ins[j].value,10);k=k*d.shape[j]+i;outs[j].textContent=d.labels[j][i];"
            "alt.push(ins[j].getAttribute('data-name')+' = '+d.labels[j][i]);}"
            "img.src='data:image/png;base64,'+d.frames[k];"
            "img.alt='Interactive figure at '+alt.join(', ');root.setAttribute('data-frame',k);}"
            "for(var j=0;j<ins.length;j++){ins[j].addEventListener('input',update);"
            "ins[j].addEventListener('change',update);}})();"
        )
        return (
            f'<div class="mt-interactive" id="{uid}" data-frame="{first}" '
            f'style="max-width:{width}px;margin:0.5em 0;">'
            f'<img class="mt-interactive-frame" src="data:image/png;base64,{b64[first]}" '
            f'width="{width}" height="{height}" style="max-width:100%;height:auto;" '
            f'alt="Interactive figure at {html.escape(shown)}">'
            f'<div class="mt-interactive-controls">{"".join(controls)}</div>'
            f'<script type="application/json" class="mt-interactive-data">{payload}</script>'
            f"<script>{script}</script></div>"
        )

    # -- live widget ----------------------------------------------------------------------
    def widget(self):
        """The live ipywidgets control (built once): a slider per parameter and the image."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as ipw

        image = ipw.Image(value=self.frames[self._flat(self.initial)], format="png",
                          layout=ipw.Layout(max_width="100%", height="auto"))
        controls = []
        for s in self.sliders:
            controls.append(ipw.SelectionSlider(
                options=[(lab, i) for i, lab in enumerate(s.labels)], value=s.index,
                description=s.label, continuous_update=True, readout=True,
                style={"description_width": "initial"}, layout=ipw.Layout(width="32em"),
            ))

        def redraw(_change=None):
            combo = [c.value for c in controls]
            t0 = time.perf_counter()
            image.value = self.frames[self._flat(combo)]
            self.last_draw_seconds = time.perf_counter() - t0

        for c in controls:
            c.observe(redraw, names="value")
        self._controls = controls
        self._image = image
        self._widget = ipw.VBox([*controls, image])
        return self._widget

    def _describe(self) -> str:
        parts = [f"{s.name} in [{s.labels[0]} … {s.labels[-1]}] ({len(s)} values)"
                 for s in self.sliders]
        return f"Interactive figure over {', '.join(parts)}: {len(self.frames)} frames"

    def __repr__(self) -> str:
        return f"<{self._describe()}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self._describe(), "text/html": self.to_html()}
        if _in_kernel():
            view = self.widget()._repr_mimebundle_()
            if _WIDGET_VIEW in view:
                bundle[_WIDGET_VIEW] = view[_WIDGET_VIEW]
        return bundle


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets have a front end to talk to)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def interactive_figure(draw: Callable[..., Any], sliders: Slider | Sequence[Slider],
                       figsize: tuple[float, float] | None = None) -> InteractiveFigure:
    """Build a figure with sliders that works live in Jupyter and kernel-free in HTML.

    Every frame of the grid (the product of the sliders' values) is drawn now, when the
    notebook executes, by calling ``draw(fig, **values)`` on a fresh
    :class:`matplotlib.figure.Figure`; the static HTML and the live widget both switch between these
    frames. Put the call as the last expression of a cell.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **values)`` draws into the empty figure ``fig`` (add axes with
        ``fig.add_subplot()`` or ``fig.subplots()``); ``values`` holds one keyword per slider.
        It should only look up precomputed data and plot.
    sliders : Slider or sequence of Slider
        The parameters; names must be distinct, and the number of frames (the product of the
        grid sizes) at most :data:`MAX_FRAMES` (keep it near 40).
    figsize : (float, float), optional
        Figure size in inches; defaults to ``rcParams["figure.figsize"]`` (the book's style).

    Returns
    -------
    InteractiveFigure

    """
    if not callable(draw):
        raise TypeError(f"`draw` must be callable as draw(fig, **values); "
                        f"got {type(draw).__name__}.")
    if isinstance(sliders, Slider):
        sliders = (sliders,)
    if isinstance(sliders, (str, bytes)) or not isinstance(sliders, Sequence):
        raise TypeError(f"`sliders` must be a Slider or a sequence of Slider; "
                        f"got {type(sliders).__name__}.")
    sliders = tuple(sliders)
    if not sliders:
        raise ValueError("`sliders` must hold at least one Slider; got none.")
    for s in sliders:
        if not isinstance(s, Slider):
            raise TypeError(f"`sliders` must hold Slider objects; got {type(s).__name__}.")
    names = [s.name for s in sliders]
    if len(set(names)) != len(names):
        raise ValueError(f"`sliders` must have distinct names; got {names}.")
    n_frames = int(np.prod([len(s) for s in sliders]))
    if n_frames > MAX_FRAMES:
        raise ValueError(
            f"`sliders` span {n_frames} frames, more than MAX_FRAMES = {MAX_FRAMES}; "
            "use coarser grids (about 40 frames keeps a page small)."
        )
    if figsize is not None:
        try:
            w, h = (float(v) for v in figsize)
        except (TypeError, ValueError):
            raise TypeError(f"`figsize` must be a pair of numbers (inches); "
                            f"got {figsize!r}.") from None
        if not (np.isfinite(w) and np.isfinite(h) and w > 0 and h > 0):
            raise ValueError(f"`figsize` must hold two finite numbers > 0; got {figsize!r}.")
        figsize = (w, h)
    return InteractiveFigure(draw, sliders, figsize)
