"""Tests of chapter 08's modules of mesothermo.energy_exchange (Schlitter Eqs. 14-19): potentials,
phase_space with its compiled kernel and the kernel's pure-Python twin, boltzmann (Eq. 17).

Statistical checks use independent ensemble members at one time and the level ALPHA = 1e-3 per
test (Bonferroni over the checks of one snapshot), so each fails by chance with probability at
most 1e-3; every seed is fixed, so a run is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from mesothermo import energy_exchange as ee

ALPHA = 1e-3


def _hot_start(pot, n, d, shift, seed):
    """Eq. 17 at beta = 1 with every kinetic energy raised by `shift` (H mod dE unchanged when
    shift is a multiple of dE)."""
    x, p = ee.sample_boltzmann(pot, n, d, 1.0, seed=seed)
    K = ee.energies(pot, x, p).K
    return x, p * np.sqrt((K + shift) / K)[:, None]


# --- the kernel and its twin ------------------------------------------------------------------
@pytest.mark.parametrize("kw", [
    dict(dynamics="hamiltonian", potential=ee.DoubleWell(), dim=2),
    dict(dynamics="langevin", potential=ee.Harmonic(2.0), dim=3),
    dict(dynamics="inelastic", exchange="mean_energy", potential=ee.Harmonic(), dim=1),
    dict(dynamics="inelastic", exchange="pairwise", potential=ee.DoubleWell(), dim=2),
    dict(dynamics="inelastic", exchange="fixed", w_plus=0.7, potential=ee.Harmonic(), dim=3,
         rate_powers=(0.5, -0.5, 0.0, 0.0)),
    dict(dynamics="inelastic", exchange="fixed", w_plus=0.7, potential=ee.Free(), dim=2,
         rate_powers=(0.5, -0.5, 0.3, 0.2), p0=[0.0, 0.0]),  # at rest: infinite uptake rate
    dict(dynamics="inelastic", exchange="fixed", w_plus=0.7, potential=ee.DoubleWell(), dim=1,
         rate_powers=(-0.5, 0.5, 0.3, 0.2)),
    dict(dynamics="inelastic", exchange="fixed", w_plus=0.5, potential=ee.Harmonic(), dim=2,
         pair_potential=ee.GaussianPair(1, 0.5), n_systems=2),  # an int strength is coerced
    # w_- not an integer: the mean-energy count times w_- is not a sum of equal terms
    dict(dynamics="inelastic", exchange="mean_energy", potential=ee.DoubleWell(), dim=2,
         w_minus=2.7, n_systems=2),
    dict(dynamics="inelastic", exchange="mean_energy", potential=ee.Harmonic(), dim=3,
         w_minus=2.7, rate_powers=(0.5, -0.5, 0.0, 0.0)),
])
def test_kernel_and_python_twin_agree_path_by_path(kw):
    kw = dict(kw)
    pot = kw.pop("potential")
    common = dict(dt=0.05, times=[0.0, 0.5, 1.5], delta_e=0.4, w_minus=3.0, seed=11)
    common.update(kw)
    a = ee.simulate_phase_space(pot, 6, 1.5, method="kernel", **common)
    b = ee.simulate_phase_space(pot, 6, 1.5, method="python", **common)
    assert (a.n_up, a.n_down) == (b.n_up, b.n_down)
    if kw["dynamics"] == "inelastic":
        assert a.n_up + a.n_down > 0  # the events were exercised
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.p, b.p, rtol=0, atol=1e-12)


# --- the integrators --------------------------------------------------------------------------
def test_verlet_energy_error_is_second_order():
    """Velocity Verlet: the energy error of R alone scales as dt^2 (measured order 2 +- 0.1)."""
    pot = ee.DoubleWell(barrier=1.0)
    x0, p0 = ee.sample_boltzmann(pot, 200, 2, 1.0, seed=3)
    H0 = ee.energies(pot, x0, p0).H
    errs = []
    for dt in (0.04, 0.02, 0.01):
        r = ee.simulate_phase_space(pot, 200, 4.0, "hamiltonian", 2, dt=dt, x0=x0, p0=p0, seed=0)
        errs.append(np.max(np.abs(ee.energies(pot, r.x[-1], r.p[-1]).H - H0)))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(order - 2) < 0.1), order


def test_langevin_reaches_eq17_in_a_harmonic_well():
    """BAOAB is exact for the positional law of a harmonic well; from a cold start, after 15
    relaxation times, the snapshot passes every check of Eq. 17 at ALPHA."""
    pot = ee.Harmonic(stiffness=2.0)
    r = ee.simulate_phase_space(pot, 5000, 15.0, "langevin", 3, dt=0.05, beta=0.5,
                                friction=2.0, x0=[1.0, 0.0, 0.0], p0=[0.0, 0.0, 0.0], seed=5)
    test = ee.compare_with_eq17(pot, r.x[-1], r.p[-1], beta=0.5)
    assert test.passes(ALPHA), test
    # moments within ensemble error (5 standard errors)
    K = ee.energies(pot, r.x[-1], r.p[-1]).K
    assert abs(K.mean() - 1.5 / 0.5) < 5 * K.std() / math.sqrt(K.size)


def test_hamiltonian_flow_keeps_eq17_and_does_not_create_it():
    pot = ee.DoubleWell()
    r = ee.simulate_phase_space(pot, 5000, 10.0, "hamiltonian", 1, seed=8)
    assert ee.compare_with_eq17(pot, r.x[-1], r.p[-1]).passes(ALPHA)
    rng = np.random.default_rng(1)
    x0, p0 = 1.0 + 0.1 * rng.normal(size=(2000, 1)), 0.5 + 0.1 * rng.normal(size=(2000, 1))
    cold = ee.simulate_phase_space(pot, 2000, 10.0, "hamiltonian", 1, x0=x0, p0=p0, seed=8)
    assert not ee.compare_with_eq17(pot, cold.x[-1], cold.p[-1]).passes(ALPHA)


# --- the inelastic operator I -----------------------------------------------------------------
def test_inelastic_kick_keeps_direction_and_changes_kinetic_energy_by_one_quantum():
    """Free particles (U = 0): p changes only by events of I. Over a step short enough that at
    most one event happens for most particles, every particle's K changed by a multiple of dE
    and the direction of p is unchanged."""
    de = 0.37
    r = ee.simulate_phase_space(ee.Free(), 4000, 0.02, dim=3, dt=0.01, delta_e=de, w_minus=20.0,
                                exchange="fixed", w_plus=8.0, seed=2)
    K0, K1 = (ee.energies(ee.Free(), r.x[i], r.p[i]).K for i in (0, 1))
    jumps = (K1 - K0) / de
    assert np.max(np.abs(jumps - np.rint(jumps))) < 1e-12
    assert np.count_nonzero(np.rint(jumps)) > 500  # events happened
    u0 = r.p[0] / np.linalg.norm(r.p[0], axis=1, keepdims=True)
    u1 = r.p[1] / np.linalg.norm(r.p[1], axis=1, keepdims=True)
    assert np.max(np.abs(u1 - u0)) < 1e-12
    assert r.n_up > 0 and r.n_down > 0


def test_pairwise_exchange_conserves_total_energy_exactly():
    pot = ee.Free()
    r = ee.simulate_phase_space(pot, 500, 2.0, dim=2, dt=0.05, exchange="pairwise",
                                w_minus=2.0, n_systems=3, times=[0.0, 1.0, 2.0], seed=4)
    E = ee.energies(pot, r.x, r.p).K.reshape(3, 3, 500).sum(axis=2)  # (times, systems)
    assert r.n_up == r.n_down > 1000
    np.testing.assert_allclose(E, np.broadcast_to(E[0], E.shape), rtol=1e-12)


def test_mean_energy_rule_keeps_the_mean_energy():
    """Eq. 8: w+ = phi w- makes the expected energy change zero. Ensemble mean of H after a
    run is within 5 standard errors of its start (the events' random walk)."""
    pot = ee.Harmonic()
    x0, p0 = _hot_start(pot, 20000, 2, 1.0, seed=1)
    r = ee.simulate_phase_space(pot, 20000, 5.0, dim=2, dt=0.05, delta_e=0.5, w_minus=2.0,
                                x0=x0, p0=p0, seed=6)
    H = ee.energies(pot, r.x, r.p).H
    events = r.n_up + r.n_down
    # each event moves the total by +-dE: the mean by at most dE sqrt(events) / M (1 sd)
    assert abs(H[-1].mean() - H[0].mean()) < 5 * 0.5 * math.sqrt(events) / 20000
    assert r.n_up > 0.8 * r.n_down


def test_total_energy_mod_quantum_is_invariant():
    """R conserves H and I moves it by +-dE: H mod dE is invariant up to the integrator's
    O(dt^2) energy error (the comb in H survives the flow)."""
    pot, de = ee.DoubleWell(), 0.5
    x0, p0 = ee.sample_boltzmann(pot, 1000, 1, 1.0, seed=1)
    devs = []
    for dt in (0.004, 0.002):
        r = ee.simulate_phase_space(pot, 1000, 5.0, dim=1, dt=dt, delta_e=de, w_minus=2.0,
                                    exchange="fixed", w_plus=1.0, x0=x0, p0=p0, seed=6)
        H = ee.energies(pot, r.x, r.p).H
        dq = (H[1] - H[0]) / de
        assert r.n_up + r.n_down > 1000
        devs.append(np.max(np.abs(dq - np.rint(dq))))
    # what is left is the integrator's O(dt^2) energy error (its order is measured above):
    # small, and smaller at the smaller step (paths differ, so the ratio is not exactly 4)
    assert devs[1] < 1e-3 and devs[1] < devs[0], devs


@pytest.mark.parametrize("d", [1, 2, 3])
def test_corrected_rates_keep_eq17_and_constant_rates_do_so_only_in_two_dimensions(d):
    """Starting from Eq. 17 itself: density-of-states rates keep it (every check passes at
    ALPHA); Schlitter's constant rates keep it in d = 2 only."""
    pot, de, beta = ee.Harmonic(), 0.5, 1.0
    w_m = 2.0
    g = d / 2 - 1
    corrected = ee.simulate_phase_space(pot, 6000, 8.0, dim=d, dt=0.05, delta_e=de,
                                        w_minus=w_m, exchange="fixed",
                                        w_plus=w_m * math.exp(-beta * de),
                                        rate_powers=(g, -g, 0, 0), seed=20 + d)
    assert ee.compare_with_eq17(pot, corrected.x[-1], corrected.p[-1], beta).passes(ALPHA)
    const = ee.simulate_phase_space(pot, 6000, 8.0, dim=d, dt=0.05, delta_e=de, w_minus=w_m,
                                    exchange="fixed", w_plus=w_m * math.exp(-beta * de),
                                    seed=30 + d)
    assert ee.compare_with_eq17(pot, const.x[-1], const.p[-1], beta).passes(ALPHA) == (d == 2)


def test_rate_law_and_power_fit():
    law = lambda K: ee.rate_law(K, 0.5, 0.3, 2.0, (0.5, -0.5, 0.25, 0.0))  # noqa: E731
    fit = ee.power_law_rates(law, 0.5)
    assert fit.residual < 1e-12
    assert np.allclose(fit.rate_powers, (0.5, -0.5, 0.25, 0.0), atol=1e-12)
    assert abs(fit.w_plus - 0.3) < 1e-12 and abs(fit.w_minus - 2.0) < 1e-12
    up, down = ee.rate_law([0.2, 0.6], 0.5, 1.0, 1.0)
    assert up.tolist() == [1.0, 1.0] and down.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="`rates` is not of the form"):
        ee.power_law_rates(lambda K: (np.exp(-K), np.ones_like(K)), 0.5)


def test_inelastic_drift_formula_and_sign_change():
    p = np.array([0.1, 1.0, 3.0])
    dr = ee.inelastic_drift(p, 0.5, w_plus=0.6, w_minus=1.0)
    exact = (0.6 * (np.sqrt(p ** 2 + 1) - p)
             - np.where(p ** 2 > 1, p - np.sqrt(np.maximum(p ** 2 - 1, 0)), 0))
    np.testing.assert_allclose(dr, exact, rtol=1e-14)
    assert dr[0] > 0 and dr[2] < 0


# --- Eq. 17 references ------------------------------------------------------------------------
@pytest.mark.parametrize("pot", [ee.Harmonic(1.5), ee.DoubleWell(barrier=2.0, x_min=1.2)])
@pytest.mark.parametrize("d", [1, 3])
def test_eq17_sampler_and_cdfs_agree(pot, d):
    x, p = ee.sample_boltzmann(pot, 20000, d, beta=0.8, seed=d)
    assert ee.compare_with_eq17(pot, x, p, beta=0.8).passes(ALPHA)
    # and the test has power: the wrong temperature is rejected
    assert not ee.compare_with_eq17(pot, x, p, beta=0.7).passes(ALPHA)


def test_energy_cdf_of_double_well_against_quadrature_in_one_dimension():
    """H = K + U(x) in 1-D: P(H <= h) = int rho(x) F_K(h - U(x)) dx with K ~ Gamma(1/2), by the
    trapezoid rule on 200001 points (error < 1e-6) against the library's table (< 3e-4)."""
    pot = ee.DoubleWell(barrier=2.0)
    g = np.linspace(-4, 4, 200001)
    w = np.exp(-pot.axis_value(g))
    cdf = ee.energy_cdf(pot, 1)
    for h in (0.3, 1.3, 2.0, 4.0):
        ref = np.trapezoid(w * special.gammainc(0.5, np.maximum(h - pot.axis_value(g), 0)), g)
        assert abs(cdf(h) - ref / np.trapezoid(w, g)) < 3e-4


def test_eq17_entropy_and_knn_estimator_on_gaussians():
    """Harmonic Eq. 17 is Gaussian: closed form S = d (1 + ln(2 pi / (beta omega))). The k-NN
    estimator (k = 4) on n samples of a 2-D phase space has a standard error of about
    1.3 sqrt(1/n) and a bias below 0.01 (both measured over 10 seeds at n = 5000 and 20000);
    the tolerance is that bias plus 4 standard errors."""
    pot = ee.Harmonic(stiffness=4.0)
    for d in (1, 2):
        exact = d * (1 + math.log(2 * math.pi / (1.0 * 2.0)))
        assert abs(ee.eq17_entropy(pot, d) - exact) < 1e-12
    for pot, n in ((pot, 20000), (ee.DoubleWell(), 40000)):
        x, p = ee.sample_boltzmann(pot, n, 1, seed=9)
        tol = 0.01 + 4 * 1.3 / math.sqrt(n)
        assert abs(ee.knn_entropy(np.hstack([x, p])) - ee.eq17_entropy(pot, 1)) < tol


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kw, exc, match", [
    (dict(potential="harmonic"), TypeError, "`potential` must be"),
    (dict(dynamics="brownian"), ValueError, "`dynamics` must be one of"),
    (dict(exchange="fixed"), ValueError, "`w_plus` is required"),
    (dict(w_plus=0.5), ValueError, "`w_plus` is set by the exchange rule"),
    (dict(exchange="pairwise", rate_powers=(0.5, 0, 0, 0)), ValueError, "constant rates"),
    (dict(rate_powers=(1, 2)), ValueError, "`rate_powers` must be 4"),
    (dict(delta_e=-1.0), ValueError, "`delta_e` must be"),
    (dict(n_particles=0), ValueError, "`n_particles` must be"),
    (dict(times=[0.0, 0.013]), ValueError, "`times` must be"),
    (dict(x0=np.zeros((3, 2))), ValueError, "`x0` must have shape"),
    (dict(pair_potential=1.0), TypeError, "`pair_potential` must be"),
    (dict(seed=-1), ValueError, "`seed`"),
])
def test_errors(kw, exc, match):
    args = dict(potential=ee.Harmonic(), n_particles=4, t_end=1.0)
    args.update(kw)
    with pytest.raises(exc, match=match):
        ee.simulate_phase_space(**args)


def test_potential_and_helper_errors():
    with pytest.raises(ValueError, match="`stiffness`"):
        ee.Harmonic(-1.0)
    with pytest.raises(ValueError, match="`width`"):
        ee.GaussianPair(1.0, 0.0)
    with pytest.raises(ValueError, match="Free"):
        ee.position_cdf(ee.Free())
    with pytest.raises(ValueError, match="same shape"):
        ee.compare_with_eq17(ee.Harmonic(), np.zeros((3, 1)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="`samples`"):
        ee.knn_entropy(np.zeros((3, 2)), k=4)


def test_potential_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    for pot in (ee.Harmonic(1.7), ee.DoubleWell(1.3, 0.8, 2.0)):
        h = 1e-6
        fd = np.stack([(pot.value(x + h * e) - pot.value(x - h * e)) / (2 * h)
                       for e in np.eye(3)], axis=-1)
        np.testing.assert_allclose(pot.gradient(x), fd, rtol=1e-6, atol=1e-7)


def test_every_call_shares_one_compiled_specialisation():
    """Arguments reach the kernel with fixed types (floats, C-contiguous arrays), so one compiled
    specialisation serves every call: a new one would cost a full compile (seconds)."""
    from mesothermo.energy_exchange import _phase_space_kernel as kernel

    for kw in (dict(potential=ee.Free(), x0=[0.0, 1.0], p0=[[1, 2]] * 3, dim=2),
               dict(potential=ee.Harmonic(2), pair_potential=ee.GaussianPair(2, 1), dim=1,
                    dynamics="langevin", mass=2, beta=1),
               dict(potential=ee.DoubleWell(), exchange="fixed", w_plus=1, w_minus=2,
                    rate_powers=[1, 0, 0, 0], delta_e=1, dim=3)):
        ee.simulate_phase_space(n_particles=3, t_end=0.1, seed=1, **kw)
    assert len(kernel.run.signatures) == 1, kernel.run.signatures
