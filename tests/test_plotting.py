"""mesothermo.plotting: one style for every chapter, and the chapters' small tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

import mesothermo as mt  # noqa: E402
from mesothermo import plotting  # noqa: E402
from mesothermo.plotting import tables  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_colors_are_distinct_valid_colours():
    assert len(plotting.COLORS) >= 6
    rgb = [to_rgb(c) for c in plotting.COLORS]
    assert len(set(rgb)) == len(rgb)


def test_use_style_sets_the_cycle_and_sizes():
    plotting.use_style()
    rc = matplotlib.rcParams
    cycle = [c["color"] for c in rc["axes.prop_cycle"]]
    assert cycle == plotting.COLORS
    assert tuple(rc["figure.figsize"]) == plotting.FIGSIZE
    assert rc["font.size"] == 11
    assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
    plotting.use_style()                       # idempotent
    assert [c["color"] for c in rc["axes.prop_cycle"]] == cycle


def test_a_column_wide_figure_is_drawn_at_the_column_width_of_768_px():
    assert plotting.COLUMN_WIDTH * plotting.DPI == 768
    assert plotting.FIGSIZE[0] == plotting.COLUMN_WIDTH
    plotting.use_style()
    rc = matplotlib.rcParams
    assert rc["figure.dpi"] == rc["savefig.dpi"] == plotting.DPI
    fig, _ = plotting.subplots()
    fig.canvas.draw()
    assert fig.canvas.get_width_height()[0] == 768


def test_text_stays_legible_at_a_400_px_phone_width():
    # at a 400 px viewport the book's text column is about 360 px (measured in Chromium), so a
    # 768 px figure is shown at 360/768 of its size; the smallest text (ticks, legends) must
    # still be at least 8 px tall there (and is 18 px on a desktop)
    plotting.use_style()
    rc = matplotlib.rcParams
    smallest_pt = min(rc["xtick.labelsize"], rc["ytick.labelsize"], rc["legend.fontsize"],
                      rc["font.size"])
    px_at_desktop = smallest_pt / 72 * plotting.DPI
    assert px_at_desktop >= 17.0, px_at_desktop
    assert px_at_desktop * 360 / 768 >= 8.0, px_at_desktop * 360 / 768


def test_lines_take_the_book_colours():
    plotting.use_style()
    fig, ax = plotting.subplots()
    lines = [ax.plot(np.arange(3), k * np.arange(3))[0] for k in range(3)]
    assert [line.get_color().lower() for line in lines] == [c.lower()
                                                            for c in plotting.COLORS[:3]]


@pytest.mark.parametrize("nrows, ncols, size", [
    (1, 1, plotting.FIGSIZE),
    (1, 2, (6.0, 2.9)),
    (2, 1, (6.0, 7.5)),
    (1, 3, (6.0, 2.5)),
    (2, 4, (6.0, 5.0)),
])
def test_subplots_default_sizes_are_one_column_wide(nrows, ncols, size):
    fig, axes = plotting.subplots(nrows, ncols)
    assert tuple(fig.get_size_inches()) == pytest.approx(size)
    assert np.size(axes) == nrows * ncols
    assert fig.get_layout_engine() is not None


def test_subplots_passes_keywords():
    fig, axes = plotting.subplots(1, 2, figsize=(5, 2), sharey=True)
    assert tuple(fig.get_size_inches()) == pytest.approx((5, 2))
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[1])


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                      (True, TypeError)])
def test_subplots_rejects_bad_grid(bad, exc):
    with pytest.raises(exc, match="`nrows` must be an integer >= 1"):
        plotting.subplots(bad, 1)


# -- tables ---------------------------------------------------------------------------------
def test_table_formats_pads_and_has_no_index_row():
    html = tables.table([("a", 0.251234), ("b", 2.95)], ["name", "value"],
                        formats={"value": "{:.2f}"}, caption="two <rows>").to_html()
    assert ">0.25<" in html and ">2.95<" in html and "0.251234" not in html
    assert f"padding: {tables.CELL_PADDING}" in html
    assert html.count("<tr>") == 3                     # header + two rows: no index-name row
    assert "row_heading" not in html                   # the index is hidden
    assert "two &lt;rows&gt;" in html                  # the caption is escaped


def test_table_from_columns_and_is_deterministic():
    a = tables.table({"x": [1.0, 2.0], "y": ["u", "v"]}, formats={"x": "{:.1e}"}).to_html()
    b = tables.table({"x": [1.0, 2.0], "y": ["u", "v"]}, formats={"x": "{:.1e}"}).to_html()
    assert a == b and "1.0e+00" in a


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(rows=[(1, 2)], columns=["a"]), ValueError, "`rows` must each have 1 cells"),
    (dict(rows=[(1,)]), ValueError, "`columns` must name the columns"),
    (dict(rows={"a": [1]}, columns=["a"]), ValueError, "`columns` must be None"),
    (dict(rows=3), TypeError, "`rows` must be a sequence"),
    (dict(rows=[(1,)], columns=["a"], formats={"b": "{:g}"}), ValueError, "column 'b'"),
    (dict(rows=[(1,)], columns=["a"], formats={"a": 3}), TypeError, "`formats\\['a'\\]`"),
])
def test_table_rejects_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tables.table(**kwargs)


def test_network_table_lists_reactions_constants_changes_and_laws():
    net = mt.Network.from_string("2 A <=> A2 ; 1, 0.5\nA -> 0 ; 0.25")
    html = tables.network_table(net, "Dimers").to_html()
    assert "2 A ⇌ A2" in html and "A → 0" in html
    assert ">0.25<" in html and ">0.5<" in html and ">—<" in html
    assert ">-2<" in html and ">1<" in html                       # ν(A), ν(A2) of reaction 1
    assert "<b>Dimers.</b>" in html and "Conserved: nothing (open)." in html
    closed = tables.network_table(mt.Network.from_string("2 A <=> A2 ; 1, 1")).to_html()
    assert "n(A) + 2·n(A2)" in closed
    open_net = mt.models.schlogl()
    assert "Chemostats: A = 1, B = 1." in tables.network_table(open_net).to_html()


def test_network_table_rejects_bad_input():
    with pytest.raises(TypeError, match="`net` must be a mesothermo.Network"):
        tables.network_table("A -> B ; 1")
    with pytest.raises(TypeError, match="`title` must be a str"):
        tables.network_table(mt.models.schlogl(), 3)
