"""An interactive figure over a parameter grid: precomputed frames, static HTML, live widget.

Part of :mod:`mesothermo.widgets` (import :func:`interactive_figure` from there).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .live import cache_key, control_value, live_control
from .slider import Slider, format_value

__all__ = ["InteractiveFigure", "interactive_figure", "MAX_FRAMES", "LIVE_BUDGET", "FRAME_DPI",
           "LIVE_CACHE"]

#: Hard limit on the number of precomputed frames (product of the grid sizes). Chapters should
#: stay near 40 frames so that a page stays under a few MB.
MAX_FRAMES: int = 64

#: Seconds within which a live slider move must answer (DESIGN.md); the frame lookup takes ~1 ms.
LIVE_BUDGET: float = 0.3

#: Resolution of the precomputed frames, dots per inch: that of the book's static figures
#: (``mesothermo.plotting.DPI``), so that a frame one column wide (``plotting.COLUMN_WIDTH``,
#: 6 in) is 768 px, shown at its size in the text column.
FRAME_DPI: int = 128

#: Off-grid frames the live face keeps (least recently used dropped first).
LIVE_CACHE: int = 256

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_counter = itertools.count()


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
        Wall-clock seconds taken to draw, lay out and encode each frame while precomputing
        (0 for a frame reused from an earlier grid point with the same ``key``).
    key : callable or None
        ``key(**values)`` names what a frame depends on: grid points with equal keys share one
        drawing (see :func:`interactive_figure`).
    last_draw_seconds : float or None
        Wall-clock seconds the live widget took to answer its latest slider move.
    live_frames : dict
        PNGs the live face drew off the grid, keyed by the tuple of slider values (the
        :data:`LIVE_CACHE` most recently used are kept); ``live_seconds`` holds how long each
        took to draw.
    """

    def __init__(self, draw: Callable[..., Any], sliders: tuple[Slider, ...],
                 figsize: tuple[float, float] | None, dpi: int = FRAME_DPI,
                 alt: str | None = None, key: Callable[..., Any] | None = None) -> None:
        self.draw = draw
        self.key = key
        self.alt = alt or "Interactive figure"
        self.sliders = sliders
        self.figsize = figsize
        self.dpi = dpi
        self.shape = tuple(len(s) for s in sliders)
        self.frames: list[bytes] = []
        times = []
        drawn: dict[Any, bytes] = {}
        for combo in itertools.product(*(range(n) for n in self.shape)):
            t0 = time.perf_counter()
            if key is None:
                self.frames.append(self._render(combo))
            else:
                k = key(**self._values(combo))
                if k not in drawn:
                    drawn[k] = self._render(combo)
                self.frames.append(drawn[k])
            times.append(time.perf_counter() - t0)
        self.draw_seconds = np.array(times).reshape(self.shape)
        self.last_draw_seconds: float | None = None
        self.live_frames: dict[tuple, bytes] = {}
        self.live_seconds: dict[tuple, float] = {}
        self._widget = None
        digest = hashlib.sha1(b"".join(self.frames)).hexdigest()[:12]
        self.html_id = f"mt-if-{digest}-{next(_counter)}"

    # -- frames ---------------------------------------------------------------------------
    def _values(self, combo: Sequence[int]) -> dict[str, Any]:
        return {s.name: s.values[i] for s, i in zip(self.sliders, combo)}

    def _render(self, combo: Sequence[int]) -> bytes:
        """Draw one grid point into a fresh figure (constrained layout); return its PNG."""
        return self._render_values(self._values(combo))

    def _render_values(self, values: dict[str, Any]) -> bytes:
        """Draw the point ``values`` (on the grid or not) into a fresh figure; return its PNG."""
        import matplotlib as mpl

        figsize = self.figsize or tuple(mpl.rcParams["figure.figsize"])
        fig = Figure(figsize=figsize, layout="constrained")
        try:
            self.draw(fig, **values)
        except Exception as exc:
            exc.add_note(f"(raised by `draw` at {self._shown(values)})")
            raise
        return _png(fig, self.dpi)

    def _shown(self, values: dict[str, Any]) -> str:
        return ", ".join(f"{s.name}={format_value(s, values[s.name])}" for s in self.sliders)

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
        distinct = list(dict.fromkeys(b64))
        if len(distinct) < len(b64):     # each distinct PNG once, and an index per grid point
            where = {f: i for i, f in enumerate(distinct)}
            data["frames"] = distinct
            data["index"] = [where[f] for f in b64]
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
            "img.src='data:image/png;base64,'+d.frames[d.index?d.index[k]:k];"
            "img.alt=root.getAttribute('data-alt')+' at '+alt.join(', ');"
            "root.setAttribute('data-frame',k);}"
            "for(var j=0;j<ins.length;j++){ins[j].addEventListener('input',update);"
            "ins[j].addEventListener('change',update);}})();"
        )
        return (
            f'<div class="mt-interactive" id="{uid}" data-frame="{first}" '
            f'data-alt="{html.escape(self.alt)}" style="max-width:{width}px;margin:0.5em 0;">'
            f'<img class="mt-interactive-frame" src="data:image/png;base64,{b64[first]}" '
            f'width="{width}" height="{height}" style="max-width:100%;height:auto;" '
            f'alt="{html.escape(self.alt)} at {html.escape(shown)}">'
            f'<div class="mt-interactive-controls">{"".join(controls)}</div>'
            f'<script type="application/json" class="mt-interactive-data">{payload}</script>'
            f"<script>{script}</script></div>"
        )

    # -- live widget ----------------------------------------------------------------------
    def widget(self):
        """The live ipywidgets control (built once): a slider per parameter, a status line, the
        image.

        A slider without ``live`` runs over its grid (a ``SelectionSlider``); one with ``live``
        is a ``FloatSlider``, ``FloatLogSlider``, ``IntSlider`` or a finer ``SelectionSlider``.
        Every slider has ``continuous_update=False``. A point on the grid shows its precomputed
        frame; any other point is drawn by ``draw`` (the status line says "computing …" until
        it is done) and cached in ``live_frames``, so coming back to it costs a look-up.
        """
        if self._widget is not None:
            return self._widget
        import ipywidgets as ipw

        image = ipw.Image(value=self.frames[self._flat(self.initial)], format="png",
                          layout=ipw.Layout(max_width="100%", height="auto"))
        status = ipw.HTML(value="", layout=ipw.Layout(min_height="1.6em"))
        controls = [live_control(ipw, s) for s in self.sliders]

        def redraw(_change=None):
            values = {s.name: control_value(s, c) for s, c in zip(self.sliders, controls)}
            t0 = time.perf_counter()
            png = self.live_frame(values, status=status)
            if png is not None:
                image.value = png
            self.last_draw_seconds = time.perf_counter() - t0

        for c in controls:
            c.observe(redraw, names="value")
        self._controls = controls
        self._image = image
        self._status = status
        self._widget = ipw.VBox([*controls, status, image])
        return self._widget

    def live_frame(self, values: dict[str, Any], status: Any = None) -> bytes | None:
        """The PNG for any point: precomputed on the grid, else drawn now and cached.

        Parameters
        ----------
        values : dict
            One value per slider name (grid values, or any value its ``live`` allows).
        status : ipywidgets.HTML, optional
            Shows "computing …" while ``draw`` works, then how long it took when that exceeded
            :data:`LIVE_BUDGET`, or the error ``draw`` raised (the figure then stays as it was
            and None is returned).
        """
        names = [s.name for s in self.sliders]
        if set(values) != set(names):
            raise ValueError(f"`values` needs exactly the slider names {sorted(names)}; "
                             f"got {sorted(values)}.")
        combo = [s.grid_index(values[s.name]) for s in self.sliders]
        if all(i is not None for i in combo):
            if status is not None:
                status.value = ""
            return self.frames[self._flat(combo)]
        key = tuple(cache_key(values[n]) for n in names)
        if key in self.live_frames:
            self.live_frames[key] = self.live_frames.pop(key)     # most recently used last
            if status is not None:
                status.value = ""
            return self.live_frames[key]
        shown = html.escape(self._shown(values))
        if status is not None:
            status.value = f'<span class="mt-computing">computing {shown} …</span>'
        t0 = time.perf_counter()
        try:
            png = self._render_values(values)
        except Exception as exc:  # shown to the reader; the figure keeps its last frame
            if status is not None:
                status.value = (f'<span class="mt-error">could not draw {shown}: '
                                f"{html.escape(type(exc).__name__)}: "
                                f"{html.escape(str(exc))}</span>")
                return None
            raise
        seconds = time.perf_counter() - t0
        self.live_seconds[key] = seconds
        self.live_frames[key] = png
        while len(self.live_frames) > LIVE_CACHE:
            self.live_frames.pop(next(iter(self.live_frames)))
        if status is not None:
            status.value = (f"{shown}: computed in {seconds:.1f} s (cached)"
                            if seconds > LIVE_BUDGET else "")
        return png

    def _describe(self) -> str:
        parts = [f"{s.name} in [{s.labels[0]} … {s.labels[-1]}] ({len(s)} values"
                 + ("" if s.live is None else
                    f"; live: {s.live if isinstance(s.live, str) else len(s.live_values)}")
                 + ")" for s in self.sliders]
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
                       figsize: tuple[float, float] | None = None, *,
                       alt: str | None = None,
                       key: Callable[..., Any] | None = None) -> InteractiveFigure:
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
    alt : str, optional
        Alternative text of the figure for screen readers and text browsers, e.g. "Stationary
        law of the Schlögl model"; the values shown follow it ("... at V = 10, k = 1").
        Defaults to "Interactive figure".
    key : callable, optional
        ``key(**values)`` returns a hashable that names what the frame at ``values`` depends
        on, when some sliders do not matter everywhere (e.g. ``lambda dynamics, dE, w:
        (dynamics, dE, w) if dynamics == "inelastic" else dynamics``). Grid points with equal
        keys are drawn once and share their PNG, which the static page then stores once.
        Without it every grid point is drawn (identical PNGs are still stored once).

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
    if alt is not None and not isinstance(alt, str):
        raise TypeError(f"`alt` must be a str or None; got {type(alt).__name__}.")
    if key is not None and not callable(key):
        raise TypeError(f"`key` must be callable as key(**values) or None; "
                        f"got {type(key).__name__}.")
    return InteractiveFigure(draw, sliders, figsize, alt=alt, key=key)
