"""Tests of mesothermo.plotting.free_energy: the chapter 04 figure helpers draw what they are
given (the numbers come from mesothermo.thermo)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import mesothermo as mt  # noqa: E402
from mesothermo import thermo  # noqa: E402
from mesothermo.plotting import free_energy as fe  # noqa: E402


def test_plot_balance_draws_the_four_series_scaled():
    cme = mt.CME(mt.models.schlogl(), V=5.0, max_counts=40)
    p0 = np.zeros(cme.N_states)
    p0[cme.index([10])] = 1.0
    ev = cme.chain.evolve(p0, np.linspace(0, 1, 6), method="dense")
    b = thermo.free_energy_balance(cme, ev, floor=1e-300)
    fig, ax = mt.plotting.subplots()
    fe.plot_balance(ax, b, scale=5.0)
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_ydata(), b.e_p[1:] / 5.0)
    np.testing.assert_allclose(lines[3].get_ydata(), -b.dF_dt[1:] / 5.0)
    assert ax.get_xlabel().startswith("time")
    assert len(ax.get_legend().get_texts()) == 4


def test_plot_limit_and_scaled_errors():
    fig, (a1, a2) = mt.plotting.subplots(1, 2)
    t = np.linspace(0, 1, 5)
    fe.plot_limit(a1, t, t ** 2, {10: (t, t), 100: (t, 2 * t)}, ylabel="y", macro_label="m")
    assert [ln.get_label() for ln in a1.get_lines()] == ["$V = 10$", "$V = 100$", "m"]
    V = np.array([10.0, 100.0, 1000.0])
    fe.plot_scaled_errors(a2, V, {"a": np.ones(3), "b": np.log(V)})
    assert a2.get_xscale() == "log" and len(a2.get_lines()) == 2
    np.testing.assert_allclose(a2.get_lines()[1].get_ydata(), np.log(V))
