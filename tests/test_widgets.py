"""mesothermo.widgets: one description, a live ipywidgets control and a kernel-free HTML one."""

from __future__ import annotations

import base64
import io
import json
import re
import time

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")

from mesothermo import plotting  # noqa: E402
from mesothermo.widgets import (  # noqa: E402
    LIVE_BUDGET,
    MAX_FRAMES,
    InteractiveFigure,
    Slider,
    interactive_figure,
)

T = np.linspace(0.0, 5.0, 50)


def cheap_draw(fig, r, V=1.0):
    ax = fig.add_subplot()
    ax.plot(T, V * r * np.exp(-r * T))
    ax.set_ylim(0, 10)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("rate (1/s)")


@pytest.fixture(scope="module")
def two_sliders():
    plotting.use_style()
    return interactive_figure(cheap_draw, [Slider("r", [0.5, 1.0, 2.0], label="rate $r$ (1/s)"),
                                           Slider("V", [1, 2], label="volume", fmt="{:d}")])


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" class="mt-interactive-data">(.*?)</script>',
                  html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_one_frame_per_grid_point(two_sliders):
    f = two_sliders
    assert f.shape == (3, 2)
    assert len(f.frames) == 6
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in f.frames)
    assert len({bytes(png) for png in f.frames}) == 6          # every frame differs
    sizes = {Image.open(io.BytesIO(png)).size for png in f.frames}
    assert len(sizes) == 1                                    # same pixel size throughout
    assert f.draw_seconds.shape == (3, 2)


def test_frames_follow_the_draw_function():
    calls = []

    def draw(fig, a, b):
        calls.append((a, b))
        fig.add_subplot().plot([0, 1], [a, b])

    f = interactive_figure(draw, [Slider("a", [1, 2]), Slider("b", [3, 4, 5])])
    # every grid point drawn once, in C order (last slider fastest), before any re-draw
    assert calls[:6] == [(1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5)]
    assert f.frame(a=2, b=4) == f.frames[4]
    with pytest.raises(ValueError, match="`a` must be one of"):
        f.frame(a=7, b=4)
    with pytest.raises(ValueError, match="slider names"):
        f.frame(a=1)


def test_html_is_self_contained_and_holds_all_frames(two_sliders):
    f = two_sliders
    html = f.to_html()
    assert html.count('<input type="range"') == 2
    assert "://" not in html.replace("data:image/png;base64,", "")   # no external fetch
    data = _data(html)
    assert data["shape"] == [3, 2]
    assert [base64.b64decode(s) for s in data["frames"]] == f.frames
    assert data["labels"] == [["0.5", "1", "2"], ["1", "2"]]
    # the initial frame (middle of each grid unless told) is the <img>, its values are shown
    first = f.frames[f.initial[0] * 2 + f.initial[1]]
    src = re.search(r'<img class="mt-interactive-frame" src="data:image/png;base64,([^"]+)"',
                    html).group(1)
    assert base64.b64decode(src) == first
    assert re.findall(r"<output[^>]*>([^<]*)</output>", html) == ["1", "1"]
    # labels: the text escaped, $...$ turned into inline math for MathJax
    assert r'rate <span class="math notranslate nohighlight">\(r\)</span> (1/s)' in html
    assert ">volume</label>" in html


def test_mimebundle_outside_a_kernel_is_html_and_text(two_sliders):
    bundle = two_sliders._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert "6 frames" in bundle["text/plain"]
    assert "Slider(" not in bundle["text/plain"]


def test_mimebundle_inside_a_kernel_adds_the_widget_view(two_sliders, monkeypatch):
    import mesothermo.widgets.figure as w

    monkeypatch.setattr(w, "_in_kernel", lambda: True)
    bundle = two_sliders._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == two_sliders.widget().model_id
    assert "text/html" in bundle


def test_live_widget_redraws_on_slider_move(two_sliders):
    import ipywidgets as ipw

    f = two_sliders
    box = f.widget()
    assert isinstance(box, ipw.VBox)
    sliders = [c for c in box.children if isinstance(c, ipw.SelectionSlider)]
    image = [c for c in box.children if isinstance(c, ipw.Image)][0]
    assert [s.description for s in sliders] == ["rate $r$ (1/s)", "volume"]
    assert [lab for lab, _ in sliders[0].options] == ["0.5", "1", "2"]
    assert _decode(image.value).shape == _decode(f.frames[0]).shape
    sliders[0].value = 2              # r = 2
    sliders[1].value = 1              # V = 2
    # the live widget shows the frame that draw made for (r=2, V=2) when the figure was built
    assert image.value == f.frame(r=2.0, V=2)
    assert np.array_equal(_decode(image.value), _decode(f.frames[2 * f.shape[1] + 1]))
    assert f.last_draw_seconds is not None


def test_live_slider_answers_within_budget_even_for_a_slow_draw():
    # a draw that burns 0.4 s of CPU per frame: the slider still answers at once, because it
    # shows the frames drawn when the figure was built instead of calling draw again
    def slow(fig, r):
        t0 = time.process_time()
        while time.process_time() - t0 < 0.4:   # burn CPU, not sleep
            pass
        fig.add_subplot().plot([0, 1], [0, r])

    f = interactive_figure(slow, Slider("r", [1, 2]))
    assert f.draw_seconds.min() >= 0.4
    slider = [c for c in f.widget().children if hasattr(c, "options")][0]
    t0 = time.process_time()
    slider.value = 0
    slider.value = 1
    assert (time.process_time() - t0) / 2 < LIVE_BUDGET / 10


def test_draw_errors_name_the_grid_point():
    def bad(fig, r):
        if r == 2:
            raise ZeroDivisionError("boom")
        fig.add_subplot()

    with pytest.raises(ZeroDivisionError) as info:
        interactive_figure(bad, Slider("r", [1, 2]))
    assert "r=2" in "".join(getattr(info.value, "__notes__", []))


def test_slider_defaults_and_repr():
    s = Slider("k", np.array([0.1, 0.2, 0.4]))
    assert s.label == "k" and s.values == (0.1, 0.2, 0.4) and s.value == 0.2
    assert s.labels == ("0.1", "0.2", "0.4")
    assert Slider("k", [1, 2, 3], value=3).index == 2
    assert repr(s).startswith("Slider('k'")
    assert len(s) == 3


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((1, [1]), {}, TypeError, "`name` must be a str"),
    (("not a name", [1]), {}, ValueError, "Python identifier"),
    (("k", 3), {}, TypeError, "`values` must be a sequence"),
    (("k", "abc"), {}, TypeError, "`values` must be a sequence"),
    (("k", []), {}, ValueError, "at least one value"),
    (("k", np.ones((2, 2))), {}, ValueError, "1-dimensional"),
    (("k", [1, np.nan]), {}, ValueError, "finite"),
    (("k", [1.0, 1.0000001]), {}, ValueError, "distinct"),
    (("k", [1.5, 2.5]), {"fmt": "{:d}"}, ValueError, "cannot format"),
    (("k", [1, 2]), {"fmt": 3}, TypeError, "`fmt`"),
    (("k", [1, 2]), {"label": 3}, TypeError, "`label`"),
    (("k", [1, 2]), {"value": 5}, ValueError, "`value` must be one of"),
])
def test_slider_rejects_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Slider(*args, **kwargs)


def test_interactive_figure_rejects_bad_input():
    s = Slider("r", [1, 2])
    with pytest.raises(TypeError, match="`draw` must be callable"):
        interactive_figure("draw", s)
    with pytest.raises(TypeError, match="`sliders` must be a Slider"):
        interactive_figure(cheap_draw, "r")
    with pytest.raises(TypeError, match="hold Slider objects"):
        interactive_figure(cheap_draw, [s, 3])
    with pytest.raises(ValueError, match="at least one Slider"):
        interactive_figure(cheap_draw, [])
    with pytest.raises(ValueError, match="distinct names"):
        interactive_figure(cheap_draw, [s, Slider("r", [3, 4])])
    with pytest.raises(ValueError, match="MAX_FRAMES"):
        interactive_figure(cheap_draw, [Slider("r", list(range(MAX_FRAMES + 1)))])
    with pytest.raises(TypeError, match="`figsize`"):
        interactive_figure(cheap_draw, s, figsize=3)
    with pytest.raises(ValueError, match="`figsize`"):
        interactive_figure(cheap_draw, s, figsize=(0, 3))


def test_figsize_sets_the_frame_size():
    f = interactive_figure(cheap_draw, Slider("r", [1, 2]), figsize=(4, 3))
    assert isinstance(f, InteractiveFigure)
    assert Image.open(io.BytesIO(f.frames[0])).size == (4 * f.dpi, 3 * f.dpi)


def test_frames_are_compressed(two_sliders):
    # 256-colour palette PNG: a simple frame stays far below an RGB screenshot of it
    for png in two_sliders.frames:
        assert len(png) < 40_000
        assert Image.open(io.BytesIO(png)).mode == "P"


# -- the live face off the grid (issue 18, item 16) ------------------------------------------

def _live_parts(f):
    import ipywidgets as ipw

    box = f.widget()
    controls = [c for c in box.children if isinstance(c, ipw.widgets.widget_description
                                                       .DescriptionWidget)
                and not isinstance(c, (ipw.HTML, ipw.Image))]
    status = [c for c in box.children if isinstance(c, ipw.HTML)][0]
    image = [c for c in box.children if isinstance(c, ipw.Image)][0]
    return controls, status, image


def counting_draw(calls, seen_status=None, holder=None):
    def draw(fig, V, k):
        calls.append((V, k))
        if seen_status is not None and holder:
            seen_status.append(holder[0]._status.value)
        ax = fig.add_subplot()
        ax.plot(T, k * np.exp(-T / V))
        ax.set_title(f"V={V}, k={k}")
    return draw


def test_live_slider_off_the_grid_draws_a_new_frame_and_caches_it():
    import ipywidgets as ipw

    calls, seen, holder = [], [], []
    f = interactive_figure(counting_draw(calls, seen, holder),
                           [Slider("V", [10, 20, 40], live="integer"),
                            Slider("k", [0.5, 1.0, 2.0], live="continuous")])
    holder.append(f)
    assert len(calls) == 9                         # the grid, drawn when the cell runs
    (cv, ck), status, image = _live_parts(f)
    assert isinstance(cv, ipw.IntSlider) and (cv.min, cv.max, cv.step) == (10, 40, 1)
    assert isinstance(ck, ipw.FloatSlider) and (ck.min, ck.max) == (0.5, 2.0)
    assert not cv.continuous_update and not ck.continuous_update
    grid_pngs = set(f.frames)
    cv.value = 37                                  # off the grid: computed now
    assert calls[-1] == (37, 1.0)
    assert len(calls) == 10
    assert seen[-1].startswith('<span class="mt-computing">computing V=37')
    assert image.value not in grid_pngs
    assert image.value == f.live_frames[(37.0, 1.0)]
    # nothing left to report, or (on a busy machine) how long the point took beyond the budget
    assert status.value == "" or "computed in" in status.value
    # the new frame is what draw makes for V = 37 (not a neighbour's frame)
    assert image.value == f._render_values({"V": 37, "k": 1.0})
    calls.pop()
    ck.value = 1.37                                # a second off-grid point
    assert calls[-1] == (37, 1.37) and len(calls) == 11
    cv.value = 20
    assert calls[-1] == (20, 1.37) and len(calls) == 12
    ck.value = 1.0                                 # back on the grid: precomputed, no draw
    assert image.value == f.frame(V=20, k=1.0) and len(calls) == 12
    cv.value = 37                                  # cached: no new draw
    assert image.value == f.live_frames[(37.0, 1.0)] and len(calls) == 12


def test_live_status_reports_slow_points_and_draw_errors():
    def draw(fig, r):
        if r == 3.7:
            raise KeyError("no data for r")
        t0 = time.process_time()
        while r == 1.5 and time.process_time() - t0 < 1.2 * LIVE_BUDGET:
            pass
        fig.add_subplot().plot([0, 1], [0, r])

    f = interactive_figure(draw, Slider("r", [1.0, 2.0, 3.0, 4.0], live=[1.0, 1.5, 2.0, 3.7],
                                        value=2.0))
    (c,), status, image = _live_parts(f)
    assert [lab for lab, _ in c.options] == ["1", "1.5", "2", "3", "3.7", "4"]
    c.value = 1.5
    assert "computed in" in status.value and f.live_seconds[(1.5,)] > LIVE_BUDGET
    before = image.value
    c.value = 3.7
    assert "could not draw r=3.7" in status.value and "KeyError" in status.value
    assert image.value == before                   # the figure keeps its last frame


def test_log_live_slider_and_live_frame_api():
    import ipywidgets as ipw

    f = interactive_figure(lambda fig, V: fig.add_subplot().plot([0, 1], [0, V]),
                           Slider("V", [10, 100, 1000], live="log"))
    (c,), _, _ = _live_parts(f)
    assert isinstance(c, ipw.FloatLogSlider) and (c.min, c.max) == (1.0, 3.0)
    assert f.live_frame({"V": 100}) == f.frame(V=100)
    assert f.live_frame({"V": 100.0 * (1 + 1e-14)}) == f.frame(V=100)   # on the grid
    png = f.live_frame({"V": 37.0})
    assert png not in f.frames and f.live_frames[(37.0,)] == png
    with pytest.raises(ValueError, match="slider names"):
        f.live_frame({"W": 3})


@pytest.mark.parametrize("values, live, exc, match", [
    ([1, 2], "smooth", ValueError, "`live` must be None, one of"),
    (["a", "b"], "continuous", TypeError, "needs numeric `values`"),
    ([1], "integer", ValueError, "at least two grid `values`"),
    ([0, 1], "log", ValueError, "positive `values`"),
    ([1, 2.5], "integer", ValueError, "integer `values`"),
    ([1, 2], 3, TypeError, "`live` must be None, a str or a sequence"),
    ([1, 2], [1], ValueError, "at least two values"),
    ([1, 2], [1, "x"], TypeError, "finite numbers"),
    ([1, 2], [1.0, 1.0000001], ValueError, "distinct as shown"),
])
def test_slider_rejects_bad_live(values, live, exc, match):
    fmt = "{}" if isinstance(values[0], str) else "{:g}"
    with pytest.raises(exc, match=match):
        Slider("k", values, fmt=fmt, live=live)


def test_static_html_keeps_the_grid_with_a_live_slider():
    f = interactive_figure(lambda fig, V: fig.add_subplot().plot([0, 1], [0, V]),
                           Slider("V", [10, 20, 40], live="integer"))
    data = _data(f.to_html())
    assert data["labels"] == [["10", "20", "40"]] and len(data["frames"]) == 3
    assert "live: integer" in repr(f)


def test_alt_text_and_frame_resolution():
    from mesothermo.widgets import FRAME_DPI

    assert FRAME_DPI == plotting.DPI            # frames as sharp as the static figures
    f = interactive_figure(lambda fig, V: fig.add_subplot().plot([0, 1], [0, V]),
                           Slider("V", [10, 20]), figsize=(plotting.COLUMN_WIDTH, 3.0),
                           alt="Line of slope V")
    assert Image.open(io.BytesIO(f.frames[0])).size[0] == round(plotting.COLUMN_WIDTH
                                                                 * plotting.DPI)
    html = f.to_html()
    assert 'alt="Line of slope V at V = 10"' in html and 'data-alt="Line of slope V"' in html
    with pytest.raises(TypeError, match="`alt`"):
        interactive_figure(lambda fig, V: None, Slider("V", [1, 2]), alt=3)


def test_docstring_examples_run():
    import doctest

    import mesothermo.widgets as w
    import mesothermo.widgets.slider as ws

    for module in (w, ws):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_key_draws_equal_frames_once_and_the_page_stores_them_once():
    calls = []

    def draw(fig, mode, q):
        calls.append((mode, q))
        fig.add_subplot().plot([0, 1], [0, q if mode == 1 else -1])

    f = interactive_figure(draw, [Slider("mode", [0, 1]), Slider("q", [1, 2, 3])],
                           key=lambda mode, q: (mode, q) if mode == 1 else mode)
    assert calls == [(0, 1), (1, 1), (1, 2), (1, 3)]     # mode 0 drawn once
    assert f.frames[0] is f.frames[1] is f.frames[2]
    assert len({bytes(png) for png in f.frames}) == 4
    assert f.frame(mode=0, q=3) == f.frames[0]
    data = _data(f.to_html())
    assert len(data["frames"]) == 4 and data["index"] == [0, 0, 0, 1, 2, 3]
    assert [base64.b64decode(data["frames"][i]) for i in data["index"]] == f.frames
    assert "d.index?d.index[k]:k" in f.to_html()
    # without duplicates the payload keeps one frame per grid point and no index
    g = interactive_figure(draw, [Slider("mode", [1]), Slider("q", [1, 2])])
    assert "index" not in _data(g.to_html())
    with pytest.raises(TypeError, match="`key` must be callable"):
        interactive_figure(draw, [Slider("mode", [1]), Slider("q", [1, 2])], key=3)
