"""Tests of mesothermo.energy_exchange: the exact grid (Schlitter Eqs. 5–8), entropies (Eq. 9,
A.1–A.8), stationary laws (Eq. 11, the comb, Maxwell–Boltzmann in d dimensions) and the
particle simulations (kernel against its twin, agreement with the grid)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammainc

from mesothermo import energy_exchange as ee
from mesothermo import markov


def narrow(grid, e0):
    return ee.uniform_density(grid, e0, e0 + grid.h)


# ---------------------------------------------------------------- grid and Eqs. 7-8

def test_grid_and_divisor_check():
    g = ee.energy_grid(0.5, 4, 20.0)
    assert (g.h, g.n_cells, g.cells(0.5), g.cells(1.25)) == (0.125, 160, 4, 10)
    with pytest.raises(ValueError, match="integer multiple of the cell width"):
        g.cells(0.3)
    with pytest.raises(ValueError, match="`dE` must be a finite number > 0"):
        g.cells(-1.0)
    with pytest.raises(ValueError, match="extend the grid"):
        g.cells(20.0)


def test_density_and_rate_validation():
    g = ee.energy_grid(1.0, 2, 10.0)
    with pytest.raises(ValueError, match="`P0` must have shape"):
        ee.evolve(g, [1.0], [0, 1], 1.0)
    with pytest.raises(ValueError, match="`P0` must sum to 1"):
        ee.evolve(g, np.full(g.n_cells, 1.0), [0, 1], 1.0)
    with pytest.raises(ValueError, match="`w_minus` must be a finite rate >= 0"):
        ee.evolve(g, narrow(g, 2.0), [0, 1], 1.0, w_minus=-1.0)
    with pytest.raises(ValueError, match="`rule` must be one of"):
        ee.evolve(g, narrow(g, 2.0), [0, 1], 1.0, rule="eq9")
    with pytest.raises(TypeError, match="`grid` must be an EnergyGrid"):
        ee.evolve("grid", narrow(g, 2.0), [0, 1], 1.0)


def test_cell_equation_is_the_generator_at_current_rates():
    g = ee.energy_grid(1.0, 3, 12.0)
    rng = np.random.default_rng(0)
    p = rng.random(g.n_cells)
    p /= p.sum()
    wp = ee.uptake_rates(g, p, [1.0, 4 / 3], [1.0, 0.5])
    Q = ee.generator(g, [1.0, 4 / 3], [1.0, 0.5], wp)
    np.testing.assert_allclose(Q @ p, ee.time_derivative(g, p, [1.0, 4 / 3], [1.0, 0.5]),
                               rtol=0, atol=1e-15)
    assert np.allclose(wp, [p[3:].sum(), 0.5 * p[4:].sum()], rtol=1e-15)


def test_eq8_conserves_mass_and_energy_the_sentence_does_not():
    g = ee.energy_grid(1.0, 4, 80.0)
    p0 = narrow(g, 3.0)
    t = np.linspace(0, 20, 21)
    sol = ee.evolve(g, p0, t, 1.0)
    assert np.max(np.abs(sol.mass + sol.leak_mass - 1)) < 1e-13
    assert np.max(np.abs(sol.mean_energy + sol.leak_energy - sol.mean_energy[0])) < 1e-12
    assert sol.leak_mass[-1] < 1e-12
    bad = ee.evolve(g, p0, t, 1.0, rule="sentence")
    assert bad.mean_energy[-1] > 1.5 * bad.mean_energy[0]  # w+ = w-/phi >= w- pumps energy in


def test_fixed_ratio_is_the_linear_generator():
    g = ee.energy_grid(1.0, 2, 30.0)
    p0 = narrow(g, 2.0)
    t = [0.0, 1.0, 3.0]
    sol = ee.evolve(g, p0, t, 1.0, rule=0.6, rtol=1e-12, atol=1e-16)
    ev = markov.evolve(ee.generator(g, 1.0, 1.0, 0.6), p0, t)
    np.testing.assert_allclose(sol.P, ev.p, atol=1e-11)


# ---------------------------------------------------------------- entropy

@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_entropy_never_decreases_and_a6_is_the_rate(seed):
    g = ee.energy_grid(1.0, 2, 40.0)
    rng = np.random.default_rng(seed)
    p0 = np.zeros(g.n_cells)
    p0[:12] = rng.random(12)
    p0 /= p0.sum()
    sol = ee.evolve(g, p0, np.linspace(0, 6, 13), 1.0)
    S = ee.entropy(g, sol.P)
    assert np.all(np.diff(S) > -1e-10)
    for p in sol.P[1:]:
        rate = ee.entropy_rate(g, p, 1.0)
        prod = ee.entropy_production(g, p, 1.0)
        assert prod.a6 >= 0
        assert abs(rate - prod.a6 - prod.truncation) < 1e-12 * max(1.0, abs(rate))


def test_entropy_closed_forms():
    g = ee.EnergyGrid(0.01, 20000)
    mean = 1.3
    geo = ee.geometric_law(g, mean)
    assert abs(ee.mean_energy(g, geo) - mean) < 1e-12
    assert abs(ee.entropy(g, geo) - ee.max_entropy_on_grid(g, mean)) < 1e-12
    gap = ee.max_entropy(mean) - ee.max_entropy_on_grid(g, mean)
    assert 0 < gap and abs(gap / (g.h**2 / (24 * mean**2)) - 1) < 1e-3
    # <ln E> of the exponential law: -gamma + ln <E>, to O(h)
    beta = 1 / mean
    cells = np.exp(-beta * g.edges[:-1]) * (1 - math.exp(-beta * g.h))
    assert abs(ee.mean_log_energy(g, cells) - (-np.euler_gamma + math.log(mean))) < 2e-3
    # S^(1) of 3-D Maxwell-Boltzmann equals the Gaussian entropy (A.8 in 3-D)
    mb = ee.maxwell_boltzmann_cell_masses(g, 1.0, 3)
    assert abs(ee.momentum_entropy(g, mb, 3) - ee.max_momentum_entropy(1.5, 3)) < 1e-4
    assert ee.sphere_area(3) == pytest.approx(4 * math.pi) and ee.sphere_area(1) == 2.0


# ---------------------------------------------------------------- stationary laws

def test_comb_is_stationary_with_one_quantum():
    g = ee.energy_grid(1.0, 4, 110.0)  # tail of the comb beyond the grid ~ phi^110 ~ 1e-17
    p0 = 0.7 * narrow(g, 2.0) + 0.3 * narrow(g, 3.5)
    law = ee.comb_law(g, p0, 1.0)
    assert np.allclose(law.residue_mass, [0.7, 0, 0.3, 0])
    assert abs(ee.mean_energy(g, law.P) - ee.mean_energy(g, p0)) < 1e-9
    pdot = ee.time_derivative(g, law.P / law.P.sum(), 1.0)
    assert np.max(np.abs(pdot)) < 1e-12
    sol = ee.evolve(g, p0, [0, 400.0], 1.0)
    assert np.max(np.abs(sol.P[-1] - law.P)) < 1e-8
    S_end = ee.entropy(g, sol.P[-1])
    assert abs(S_end - ee.entropy(g, law.P)) < 1e-6
    # two of four residues occupied: S_E stalls more than ln 2 - 0.2 below the maximum
    assert S_end < ee.max_entropy_on_grid(g, sol.mean_energy[0]) - 0.5


def test_two_coprime_quanta_reach_the_exponential():
    g = ee.energy_grid(0.25, 1, 60.0)  # quanta of 4 and 5 cells
    p0 = narrow(g, 2.0)
    sol = ee.evolve(g, p0, [0, 300.0], [1.0, 1.25])
    geo = ee.geometric_law(g, sol.mean_energy[0])
    assert np.max(np.abs(sol.P[-1] - geo)) < 1e-8
    assert abs(ee.entropy(g, sol.P[-1]) - ee.max_entropy_on_grid(g, sol.mean_energy[0])) < 1e-8


@pytest.mark.parametrize("d", [1, 2, 3])
def test_maxwell_boltzmann_generator_is_detailed_balanced(d):
    g = ee.energy_grid(0.5, 2, 40.0)
    Q = ee.maxwell_boltzmann_generator(g, [0.5, 0.75], 1.0, d)
    assert np.max(np.abs(np.asarray(Q.sum(axis=0)))) < 1e-14
    pi = ee.maxwell_boltzmann_cell_masses(g, 1.0, d)
    ref = np.diff(gammainc(d / 2, g.edges))
    np.testing.assert_allclose(pi[:30], ref[:30] / ref.sum(), rtol=1e-11)
    st_law = markov.stationary(Q)
    np.testing.assert_allclose(st_law.p, pi, rtol=1e-10)


def test_maxwell_boltzmann_rates_pointwise():
    E = np.array([0.0, 0.5, 1.0, 3.0])
    for d in (1, 2, 3):
        r = ee.maxwell_boltzmann_rates(E, 1.0, 2.0, d, w_minus=0.5)
        assert r.down.tolist() == [0.0, 0.0, 0.5, 0.5]
        # detailed balance with g_d(E) e^(-beta E) at E and E + dE
        Ep = E[1:] + 1.0
        lhs = r.up[1:] * ee.maxwell_boltzmann_energy_density(E[1:], 2.0, d)
        rhs = 0.5 * ee.maxwell_boltzmann_energy_density(Ep, 2.0, d)
        np.testing.assert_allclose(lhs, rhs, rtol=1e-13)
    assert ee.maxwell_boltzmann_rates([1.0], 1.0, 1.0, 2).up[0] == pytest.approx(math.exp(-1))
    with pytest.raises(ValueError, match="`beta` must be a finite number > 0"):
        ee.maxwell_boltzmann_rates([1.0], 1.0, 0.0, 3)
    with pytest.raises(ValueError, match="`d` must be an integer >= 1"):
        ee.maxwell_boltzmann_rates([1.0], 1.0, 1.0, 0)


def test_momentum_density_normalised_and_mb_only_in_2d():
    p = np.linspace(1e-4, 12, 120001)
    dp = p[1] - p[0]
    for d in (1, 2, 3):
        f = ee.momentum_density(p, np.exp(-p**2 / 2), d)  # Eq. 11 with beta = m = 1
        norm = np.sum(f * ee.sphere_area(d) * p ** (d - 1)) * dp
        assert abs(norm - 1) < 1e-3
        mb = ee.maxwell_boltzmann_momentum_density(p, 1.0, d)
        same = np.allclose(f, mb, rtol=1e-12)
        assert same == (d == 2)


# ---------------------------------------------------------------- particles

@pytest.mark.parametrize("mode", ["exchange", "mean_field"])
def test_kernel_equals_python_twin(mode):
    g = ee.energy_grid(1.0, 2, 30.0)
    p0 = ee.uniform_density(g, 2.0, 3.0)
    kw = dict(times=np.linspace(0, 4, 5), dE=[1.0, 1.5], w_minus=[1.0, 0.7], mode=mode, seed=11)
    a = ee.simulate_particles(g, p0, 150, **kw)
    b = ee.simulate_particles(g, p0, 150, method="python", **kw)
    assert a.n_events == b.n_events > 100
    np.testing.assert_array_equal(a.counts, b.counts)


def test_exchange_conserves_energy_in_every_event():
    g = ee.energy_grid(1.0, 2, 60.0)
    run = ee.simulate_particles(g, ee.uniform_density(g, 2.0, 3.0), 500,
                                np.linspace(0, 10, 11), 1.0, seed=2)
    assert np.all(run.counts[:, -1] == 0)
    assert np.all(np.abs(run.energy - run.energy[0]) < 1e-12)


@pytest.mark.parametrize("mode", ["exchange", "mean_field"])
def test_particles_agree_with_grid_within_sampling_error(mode):
    # 20 independent runs of N = 4000: the mean total-variation distance to the grid law
    # against the exact iid floor. Exchange: within 25 % (the standard error of the mean of
    # 20 is ~3 %, so a false failure needs > 8 standard errors; O(1/N) bias ~ 1e-4 absolute).
    # Mean field: larger (its total energy diffuses) but below 3x the floor at t = 3.
    g = ee.energy_grid(1.0, 2, 60.0)
    p0 = ee.uniform_density(g, 2.0, 3.0)
    grid_law = ee.evolve(g, p0, [0, 3.0], 1.0).P[-1]
    N = 4000
    rng = np.random.default_rng(7)
    d = [ee.distance(ee.simulate_particles(g, p0, N, [0, 3.0], 1.0, mode=mode, seed=rng).P[-1],
                     grid_law) for _ in range(20)]
    ratio = np.mean(d) / ee.iid_distance(grid_law, N)
    assert (0.75 < ratio < 1.25) if mode == "exchange" else (0.75 < ratio < 3.0), ratio


def test_collision_uptake_rate_assumptions():
    r = ee.collision_uptake_rate(np.array([1.0, 4.0]), 1.0, 2.0)
    np.testing.assert_allclose(r.per_particle, np.sqrt([1, 4]) * 2.0 * np.exp([-1, -4]))
    np.testing.assert_allclose(r.per_volume, [1, 4] * r.per_particle * 2.0)
    with pytest.raises(ValueError, match="`law` must be one of"):
        ee.collision_uptake_rate(1.0, 1.0, 1.0, law="x")


# ---------------------------------------------------------------- figure helpers

def test_plotting_helpers_draw_labelled_axes():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from mesothermo.plotting import energy_exchange as eeplot

    g = ee.energy_grid(0.5, 2, 10.0)
    p0 = ee.uniform_density(g, 1.0, 1.25)
    sol = ee.evolve(g, p0, [0.0, 0.5, 5.0], 0.5)
    fig = Figure()
    eeplot.draw_explorer(fig, g, sol.t, sol.P, ee.entropy(g, sol.P), [0.5, 5.0], 1.0,
                         ee.comb_law(g, p0, 0.5).P, 5.0)
    ax0, ax1 = fig.axes
    assert ax0.get_xlabel() and ax1.get_ylabel() and ax1.get_xscale() == "log"
    x, y = ax0.lines[0].get_data()
    assert x.size == y.size and abs(np.trapezoid(y, x) - sol.P[1][:20].sum()) < 1e-12
