"""Tests of mesothermo.plotting.equilibrium: the figure helpers of chapter 05."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import mesothermo as mt  # noqa: E402
from mesothermo.plotting import equilibrium as eqplot  # noqa: E402


def test_branch_points_flattens_a_sweep():
    params = [0.5, 1.0, 4.0]
    sweeps = [mt.steady_states(mt.models.schlogl(a=a)) for a in params]
    br = eqplot.branch_points(params, sweeps)
    counts = [len(s) for s in sweeps]
    assert br.param.shape == (sum(counts),) and br.x.shape == (sum(counts), 1)
    assert br.param.tolist() == sum(([p] * c for p, c in zip(params, counts)), [])
    assert br.stable.tolist() == [s.stable for ss in sweeps for s in ss]
    # the default Schlogl model (a = 1) is bistable: stable, unstable, stable
    assert br.stable[br.param == 1.0].tolist() == [True, False, True]


def test_branch_points_errors():
    with pytest.raises(ValueError, match="same length"):
        eqplot.branch_points([1.0, 2.0], [[]])
    with pytest.raises(ValueError, match="no steady states"):
        eqplot.branch_points([1.0], [[]])


def test_plot_helpers_draw_what_they_are_given():
    fig = Figure()
    ax = fig.add_subplot()
    eqplot.plot_branches(ax, [0, 1, 2], [1.0, 2.0, 3.0], [True, False, True])
    filled, hollow = ax.lines
    assert filled.get_xdata().tolist() == [0, 2] and hollow.get_xdata().tolist() == [1]
    assert hollow.get_markerfacecolor() == "white"

    net = mt.models.schlogl()
    x = np.geomspace(0.03, 6.0, 200)
    f = mt.rre_rhs(net, x[:, None])[:, 0]
    for scale in ("linear", "log"):
        ax = Figure().add_subplot()
        ax.set_xscale(scale)
        eqplot.plot_flow_1d(ax, x, f, mt.steady_states(net), arrows=5)
        points = [ln for ln in ax.lines if len(ln.get_xdata()) == 1]
        assert len(points) == 3  # the three steady states
        arrows = [a for a in ax.texts]
        assert 1 <= len(arrows) <= 5
        for a in arrows:  # each arrow points along the flow at its position
            (x_head, _), (x_tail, _) = a.xy, a.xyann
            assert np.sign(x_head - x_tail) == np.sign(np.interp(0.5 * (x_head + x_tail), x, f))

    ax = Figure().add_subplot()
    eqplot.slope_guide(ax, np.array([1.0, 10.0]), (1.0, 2.0), 2, label="guide")
    (line,) = ax.lines
    assert np.allclose(line.get_ydata(), [2.0, 200.0]) and line.get_label() == "guide"
