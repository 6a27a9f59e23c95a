"""mesothermo.plotting: one style for every chapter."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from mesothermo import plotting  # noqa: E402


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


def test_lines_take_the_book_colours():
    plotting.use_style()
    fig, ax = plotting.subplots()
    lines = [ax.plot(np.arange(3), k * np.arange(3))[0] for k in range(3)]
    assert [line.get_color().lower() for line in lines] == [c.lower()
                                                            for c in plotting.COLORS[:3]]


@pytest.mark.parametrize("nrows, ncols, size", [
    (1, 1, plotting.FIGSIZE),
    (1, 2, (9.8, 4.0)),
    (2, 1, (6.4, 7.2)),
    (1, 3, (10.0, 4.0)),
])
def test_subplots_default_sizes(nrows, ncols, size):
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
