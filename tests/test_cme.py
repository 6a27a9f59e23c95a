"""Tests of mesothermo.cme against closed forms (Poisson, binomial, product laws)."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats
from scipy.integrate import simpson

import mesothermo as mt
from mesothermo.cme import CME


def two_immigration_death(a=2.0, b=3.0):
    return mt.Network.from_string(f"0 -> X ; {a}\nX -> 0 ; 1\n0 -> Y ; {b}\nY -> 0 ; 1")


# -- stationary laws against closed forms ------------------------------------------------------
def test_immigration_death_is_poisson_to_1e_10():
    # Poisson(V k_in / k_out) = Poisson(50) at V = 5; the box ends where the tail is < 1e-40.
    net = mt.models.immigration_death(k_in=10, k_out=1)
    cme = CME(net, V=5.0, max_counts=200)
    law = cme.stationary()
    p = law.p
    exact = stats.poisson.pmf(np.arange(201), 50.0)
    assert np.max(np.abs(p - exact)) < 1e-10
    assert abs(p.sum() - 1) < 1e-14
    assert law.residual < 1e-12
    assert law.outflow == cme.boundary_outflow() < 1e-30
    assert cme.boundary_outflow() < 1e-30
    np.testing.assert_allclose(cme.mean(), [50.0], rtol=1e-12)


def test_bistable_schlogl_matches_the_product_formula():
    # Two basins separated by a barrier: p spans 1e-43..1e-2. The default (GTH) must give every
    # p(n) to a small relative error; the 1-D chain has the exact product formula.
    net, V = mt.models.schlogl(), 200.0
    cme = CME(net, V=V, max_counts=1200)
    law = cme.stationary()
    p = law.p
    assert law.method == "gth" and law.log_p is not None
    n = np.arange(1201)[:, None]
    rp, rm = net.propensities(n, V)
    up, down = rp.sum(axis=1), rm.sum(axis=1)
    exact = np.concatenate([[0.0], np.cumsum(np.log(up[:-1]) - np.log(down[1:]))])
    exact -= np.log(np.sum(np.exp(exact - exact.max()))) + exact.max()
    np.testing.assert_allclose(np.log(p), exact, rtol=0, atol=1e-11)
    # the weight of the upper basin (beyond the unstable state 1.204 V), 1.5e-10, to 1e-10
    upper = n[:, 0] > 241
    assert p[upper].sum() == pytest.approx(np.exp(exact[upper]).sum(), rel=1e-10)
    assert 1e-11 < p[upper].sum() < 1e-9


def test_closed_isomerisation_is_binomial():
    k_plus, k_minus, total = 2.0, 0.5, 40
    cme = CME(mt.models.isomerisation(k_plus, k_minus), V=3.0, max_counts=total, n0=[total, 0])
    assert cme.N_states == total + 1
    assert np.all(cme.states.sum(axis=1) == total)
    np.testing.assert_array_equal(cme.class_totals, [total])
    p = cme.stationary().p
    exact = stats.binom.pmf(cme.states[:, 1], total, k_plus / (k_plus + k_minus))
    assert np.max(np.abs(p - exact)) < 1e-14
    np.testing.assert_allclose(cme.marginal("B"), stats.binom.pmf(np.arange(total + 1), total,
                                                                   0.8), atol=1e-14)
    # detailed balance: the net flux of the only reaction vanishes
    assert abs(cme.reaction_flux()[0]) < 1e-12


def test_dimerisation_stays_in_its_class():
    net = mt.models.dimerisation(k_plus=1.0, k_minus=2.0)
    cme = CME(net, V=10.0, max_counts=[41, 20], n0=[41, 0])
    L = net.conservation_laws()
    np.testing.assert_array_equal(L, [[1, 2]])
    assert np.all(cme.states @ L.T == 41)
    assert cme.N_states == 21  # n_A2 = 0..20, n_A = 41 - 2 n_A2
    # no probability leaves: the class is finite and inside the box
    np.testing.assert_allclose(np.asarray(cme.generator.sum(axis=0)).ravel(), 0.0, atol=1e-12)
    p = cme.stationary().p
    # detailed balance in the class: p(n_A - 2, n_A2 + 1) / p(n) = r+(n) / r-(n - nu)
    i, j = cme.index([41, 0]), cme.index([39, 1])
    rp, rm = net.propensities([41, 0], 10.0).plus[0], net.propensities([39, 1], 10.0).minus[0]
    assert p[j] / p[i] == pytest.approx(rp / rm, rel=1e-12)
    with pytest.raises(ValueError, match="compatibility class"):
        cme.index([40, 0])


def test_two_species_product_law_and_grid():
    net = two_immigration_death(2.0, 3.0)
    cme = CME(net, V=1.0, max_counts=[30, 40])
    p = cme.stationary().p
    exact = stats.poisson.pmf(cme.states[:, 0], 2.0) * stats.poisson.pmf(cme.states[:, 1], 3.0)
    assert np.max(np.abs(p - exact)) < 1e-14
    grid = cme.to_grid(p)
    assert grid.shape == (31, 41)
    n = cme.states[123]
    assert grid[n[0], n[1]] == p[123]
    np.testing.assert_allclose(cme.marginal(1), stats.poisson.pmf(np.arange(41), 3.0),
                               atol=1e-14)


def test_to_grid_is_nan_outside_the_class():
    cme = CME(mt.models.isomerisation(), V=1.0, max_counts=[5, 5], n0=[3, 2])
    grid = cme.to_grid(cme.stationary().p)
    assert grid.shape == (6, 6)
    inside = np.add.outer(np.arange(6), np.arange(6)) == 5
    assert np.all(np.isfinite(grid[inside])) and np.all(np.isnan(grid[~inside]))


def test_general_rate_law_matches_equivalent_mass_action():
    # A Michaelis-Menten-free check: a callable that reproduces linear death exactly.
    rx = [mt.Reaction({}, {"X": 1}, 10.0),
          mt.Reaction({"X": 1}, {}, 1.0, propensity_plus=lambda n, V: 1.0 * n[..., 0])]
    law = CME(mt.Network(rx), V=1.0, max_counts=60).stationary().p
    ma = CME(mt.models.immigration_death(10, 1), V=1.0, max_counts=60).stationary().p
    assert np.max(np.abs(law - ma)) < 1e-15


# -- the generator ----------------------------------------------------------------------------
def test_generator_columns_sum_to_zero_away_from_the_boundary():
    net = mt.models.brusselator(a=1.0, b=1.5, reverse=0.1)
    cme = CME(net, V=5.0, max_counts=[30, 30])
    A = cme.generator
    assert sp.issparse(A) and A.format == "csr" and A.shape == (961, 961)
    colsum = np.asarray(A.sum(axis=0)).ravel()
    interior = np.all(cme.states + 3 <= 30, axis=1)  # no jump of size <= 3 leaves the box
    scale = np.abs(A.diagonal())
    assert np.all(np.abs(colsum[interior]) <= 1e-13 * scale[interior])
    # at the boundary the columns sum to minus the leak, which is positive there
    np.testing.assert_allclose(colsum, -cme.outflow_rates, atol=1e-12)
    assert np.all(cme.outflow_rates[cme.states[:, 0] == 30] > 0)
    refl = np.asarray(cme.reflecting_generator.sum(axis=0)).ravel()
    assert np.max(np.abs(refl)) < 1e-12
    # off-diagonal entries sum the propensities of the channels making the same jump:
    # 2X + Y -> 3X and the reverse of B + X -> Y + D both move (n_X, n_Y) by (+1, -1)
    n = np.array([4, 7])
    i = cme.index(n)
    rp, rm = net.propensities(n, 5.0)
    j = cme.index(n + net.nu[1])
    assert A[j, i] == pytest.approx(rp[1] + rm[2], rel=1e-15)
    assert A[i, i] == pytest.approx(-(rp.sum() + rm.sum()), rel=1e-15)


# -- log_stationary ----------------------------------------------------------------------------
def test_log_stationary_resolves_the_poisson_tail_to_1e_minus_1000():
    # Poisson(1000) at V = 100; at n = 6000 ln p = -5755.8 (p ~ 1e-2500).
    cme = CME(mt.models.immigration_death(10, 1), V=100.0, max_counts=6000)
    lp = cme.log_stationary().log_p
    exact = stats.poisson.logpmf(np.arange(6001), 1000.0)
    assert exact[-1] < -1000 * np.log(10.0)
    rel = np.abs(lp - exact) / np.maximum(np.abs(exact), 1.0)
    assert np.max(rel) < 1e-11
    assert np.all(np.isfinite(lp))


@pytest.mark.parametrize("method", ["gth", "lu"])
def test_log_stationary_two_dimensional_tail(method):
    # product of Poisson(2) and Poisson(3); the far corner has p ~ 1e-339, below double range
    cme = CME(two_immigration_death(2.0, 3.0), V=1.0, max_counts=[130, 130])
    lp = cme.log_stationary(method).log_p
    exact = stats.poisson.logpmf(cme.states[:, 0], 2.0) + stats.poisson.logpmf(cme.states[:, 1],
                                                                               3.0)
    assert exact.min() < -330 * np.log(10.0)
    rel = np.abs(lp - exact) / np.maximum(np.abs(exact), 1.0)
    assert np.max(rel) < 1e-12


def test_log_stationary_agrees_with_stationary_for_a_driven_network():
    net = mt.models.brusselator(a=1.0, b=1.5, reverse=0.1)
    cme = CME(net, V=10.0, max_counts=[50, 50])
    p, lp = cme.stationary().p, cme.log_stationary().log_p
    big = p > 1e-12 * p.max()
    np.testing.assert_allclose(lp[big], np.log(p[big]), rtol=0, atol=1e-8)
    # log-space balance: ln(inflow) = ln(outflow) at every state
    A = cme.reflecting_generator.tocoo()
    off = A.row != A.col
    inflow = np.full(cme.N_states, -np.inf)
    np.logaddexp.at(inflow, A.row[off], lp[A.col[off]] + np.log(A.data[off]))
    outflow = lp + np.log(-A.diagonal())
    assert np.max(np.abs(inflow - outflow)) < 1e-10
    assert cme.log_stationary().residual < 1e-10


def test_log_stationary_methods_agree_far_in_a_driven_tail():
    net = mt.models.brusselator(a=1.0, b=1.5, reverse=0.1)
    cme = CME(net, V=40.0, max_counts=[520, 60])  # band ~60 after reordering: GTH is cheap
    gth, lu = cme.log_stationary("gth").log_p, cme.log_stationary("lu").log_p
    assert gth.min() < -720  # p below 1e-312 at large n_X: the LU path needs its rescaling
    np.testing.assert_allclose(lu, gth, rtol=1e-11)
    with pytest.raises(ValueError, match="`method` must be one of"):
        cme.log_stationary("dense").log_p
    with pytest.raises(ValueError, match="`method` must be one of"):
        cme.stationary("dense").p


# -- evolve -------------------------------------------------------------------------------------
def test_evolve_conserves_probability_with_the_leak_accounted():
    cme = CME(mt.models.immigration_death(10, 1), V=1.0, max_counts=15)  # a leaky box
    p0 = np.zeros(cme.N_states)
    p0[cme.index([5])] = 1.0
    t = np.linspace(0.0, 5.0, 2001)
    run = cme.evolve(p0, t)
    P = run.p
    assert P.shape == (2001, 16)
    lost = 1.0 - P.sum(axis=1)
    np.testing.assert_allclose(run.mass_lost, lost, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(run.t, t)
    assert lost[-1] > 0.1  # the truncation is felt
    rate = np.array([cme.boundary_outflow(pt) for pt in P])
    integrated = np.array([simpson(rate[: k + 1], x=t[: k + 1]) if k else 0.0
                           for k in range(0, 2001, 200)])
    np.testing.assert_allclose(lost[::200], integrated, atol=1e-9)


def test_evolve_closed_class_conserves_mass_and_relaxes():
    cme = CME(mt.models.isomerisation(1.0, 2.0), V=1.0, max_counts=20, n0=[20, 0])
    p0 = np.zeros(cme.N_states)
    p0[cme.index([20, 0])] = 1.0
    times = [0.0, 0.1, 0.7, 30.0]  # uneven: stepped by differences
    P = cme.evolve(p0, times).p
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-13)
    np.testing.assert_array_equal(P[0], p0)
    # the mean of B follows 20 k+/(k+ + k-) (1 - exp(-(k+ + k-) t))
    for t, pt in zip(times, P):
        assert cme.mean(pt)[1] == pytest.approx(20 / 3 * (1 - np.exp(-3 * t)), rel=1e-10,
                                                abs=1e-12)
    np.testing.assert_allclose(P[-1], cme.stationary().p, atol=1e-13)
    # starting later than 0 and equal spacing give the same answers
    Q = cme.evolve(p0, [0.7, 1.2, 1.7]).p
    np.testing.assert_allclose(Q[0], P[2], atol=1e-14)


def test_evolve_dense_refuses_a_lattice_too_large_for_dense_matrices():
    # 101 x 101 = 10,201 states: one dense 10k x 10k float64 matrix is 0.8 GB, expm needs several
    net = mt.Network.from_string("0 <=> X ; 1, 1\n0 <=> Y ; 1, 1")
    cme = CME(net, 1.0, 100)
    p0 = np.eye(cme.N_states)[0]
    with pytest.raises(ValueError, match="`method`='dense' needs S x S dense matrices"):
        cme.evolve(p0, [0.0, 1.0], method="dense").p


def test_evolve_methods_agree_on_a_stiff_bistable_chain():
    # Schlögl at V = 20: ||A||_1 t ~ 1e5, too stiff for expm_multiply at this horizon.
    cme = CME(mt.models.schlogl(), V=20.0, max_counts=220)  # stationary outflow ~ 1e-30
    p0 = np.zeros(cme.N_states)
    p0[cme.index([25])] = 1.0  # near the unstable state 1.204 V
    times = np.linspace(0.0, 40.0, 21)
    run = cme.evolve(p0, times)
    assert run.method == "dense"
    dense = run.p
    bdf = cme.evolve(p0, times, method="bdf").p
    np.testing.assert_allclose(np.abs(bdf - dense).sum(axis=1), 0.0, atol=1e-8)
    np.testing.assert_allclose(bdf.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(dense.sum(axis=1), 1.0, atol=1e-10)
    short = cme.evolve(p0, [0.0, 0.01, 0.02], method="expm").p
    np.testing.assert_allclose(short, cme.evolve(p0, [0.0, 0.01, 0.02], method="dense").p,
                               atol=1e-12)
    with pytest.raises(ValueError, match="`method` must be one of"):
        cme.evolve(p0, times, method="euler").p


# -- fluxes -------------------------------------------------------------------------------------
def test_reaction_flux_vanishes_only_at_chemostat_equilibrium():
    eq = CME(mt.models.driven_cycle(atp=1.0, adp=1.0, pi=1.0), V=1.0, max_counts=4,
             n0=[4, 0, 0])
    assert np.max(np.abs(eq.reaction_flux())) < 1e-12
    driven = CME(mt.models.driven_cycle(atp=10.0, adp=1.0, pi=1.0), V=1.0, max_counts=4,
                 n0=[4, 0, 0])
    J = driven.reaction_flux()
    assert J[0] > 0.1
    np.testing.assert_allclose(J, J[0], rtol=1e-10)  # one cycle current through all three


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("V, msg", [(-1.0, "`V` must be a finite number > 0"),
                                    (0.0, "`V` must be a finite number > 0"),
                                    (float("nan"), "`V`")])
def test_bad_volume(V, msg):
    with pytest.raises(ValueError, match=msg):
        CME(mt.models.immigration_death(), V, 10)


@pytest.mark.parametrize("mc", [-1, [3, 4], [2.5], [np.nan]])
def test_bad_max_counts(mc):
    with pytest.raises(ValueError, match="`max_counts`"):
        CME(mt.models.immigration_death(), 1.0, mc)


def test_max_counts_type():
    with pytest.raises(TypeError, match="`max_counts`"):
        CME(mt.models.immigration_death(), 1.0, "ten")
    with pytest.raises(TypeError, match="`net`"):
        CME("0 -> X ; 1", 1.0, 10)


def test_n0_required_and_checked():
    net = mt.models.dimerisation()
    with pytest.raises(ValueError, match="`n0` is required.*n_A \\+ 2 n_A2"):
        CME(net, 1.0, [10, 5])
    with pytest.raises(ValueError, match="`n0` must lie in the box"):
        CME(net, 1.0, [10, 5], n0=[11, 0])
    with pytest.raises(ValueError, match="`n0`"):
        CME(net, 1.0, [10, 5], n0=[1, 2, 3])
    with pytest.raises(ValueError, match="`n0`"):
        CME(net, 1.0, [10, 5], n0=[-1, 2])


def test_p_shape_and_species_checked():
    cme = CME(mt.models.immigration_death(), 1.0, 30)
    with pytest.raises(ValueError, match=r"`p` must have shape \(31,\)"):
        cme.mean(np.ones(30) / 30)
    with pytest.raises(ValueError, match="`p0` must have shape"):
        cme.evolve(np.ones(5), [0, 1])
    with pytest.raises(ValueError, match="`p0` must be non-negative"):
        cme.evolve(-np.ones(31), [0, 1])
    with pytest.raises(ValueError, match="`times`"):
        cme.evolve(cme.stationary().p, [1.0, 0.5])
    with pytest.raises(ValueError, match="unknown species 'Y'"):
        cme.marginal("Y")
    with pytest.raises(ValueError, match="`i`"):
        cme.marginal(3)
    with pytest.raises(ValueError, match="`n` must lie in the box"):
        cme.index([31])


def test_marginal_species_by_name_index_and_numpy_integer():
    cme = CME(mt.models.isomerisation(2.0, 0.5), V=1.0, max_counts=10, n0=[10, 0])
    np.testing.assert_array_equal(cme.marginal("B"), cme.marginal(1))
    np.testing.assert_array_equal(cme.marginal(np.int64(1)), cme.marginal(1))
    with pytest.raises(ValueError, match=r"`i` names an unknown species 'C'; species are"):
        cme.marginal("C")
    with pytest.raises(ValueError, match="`i` must be a species index 0..1"):
        cme.marginal(True)


def test_to_grid_takes_log_probabilities():
    # log_stationary is -inf where the chain never goes; to_grid must place it, not refuse it
    cme = CME(mt.Network.from_string("X -> 0 ; 1"), V=1.0, max_counts=3)
    grid = cme.to_grid(cme.log_stationary().log_p)
    np.testing.assert_array_equal(grid, [0.0, -np.inf, -np.inf, -np.inf])
    with pytest.raises(ValueError, match="`p` must be finite"):
        cme.mean(np.array([1.0, np.nan, 0.0, 0.0]))


def test_max_counts_bool_is_a_type_error():
    with pytest.raises(TypeError, match="`max_counts`"):
        CME(mt.models.immigration_death(), 1.0, True)


def test_exported_from_package():
    assert mt.CME is CME


# -- mean first-passage times (backward equation) ----------------------------------------------
def _one_step_rates(cme):
    """w+(n), w-(n) of a one-species one-step chain on its lattice, and ln pi(n) (unnormalised)."""
    rp, rm = cme.propensities
    nu = cme.net.nu[:, 0]
    up = rp[:, nu == 1].sum(1) + rm[:, nu == -1].sum(1)
    down = rp[:, nu == -1].sum(1) + rm[:, nu == 1].sum(1)
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(up[:-1]) - np.log(down[1:]))])
    return up, down, log_pi


@pytest.mark.parametrize("net, V, K", [(mt.models.schlogl(), 10.0, 80),
                                       (mt.models.immigration_death(k_in=10, k_out=1), 3.0, 90)])
def test_mean_first_passage_time_matches_the_birth_death_formula(net, V, K):
    # tau(n0 -> {n >= m}) = sum_{k=n0}^{m-1} sum_{j<=k} pi_j / (w+_k pi_k), and downwards with the
    # reflecting wall at K: tau(n0 -> {n <= j}) = sum_{k=j+1}^{n0} sum_{i>=k} pi_i / (w-_k pi_k).
    cme = CME(net, V=V, max_counts=K)
    up, down, log_pi = _one_step_rates(cme)
    lo, hi = int(0.1 * K), int(0.4 * K)
    tau_up = cme.mean_first_passage_time(cme.states[:, 0] >= hi)
    tau_down = cme.mean_first_passage_time(lambda n: n[:, 0] <= lo)
    for n0 in range(0, hi):
        exact = sum(np.exp(np.logaddexp.reduce(log_pi[:k + 1]) - log_pi[k]) / up[k]
                    for k in range(n0, hi))
        assert abs(tau_up[n0] / exact - 1) < 1e-10, (n0, tau_up[n0], exact)
    for n0 in range(lo + 1, K + 1):
        exact = sum(np.exp(np.logaddexp.reduce(log_pi[k:]) - log_pi[k]) / down[k]
                    for k in range(lo + 1, n0 + 1))
        assert abs(tau_down[n0] / exact - 1) < 1e-10, (n0, tau_down[n0], exact)
    assert np.all(tau_up[hi:] == 0) and np.all(tau_down[:lo + 1] == 0)


def test_mean_first_passage_time_solves_the_backward_equation_in_two_dimensions():
    cme = CME(two_immigration_death(), V=2.0, max_counts=(25, 30))
    target = (cme.states[:, 0] + cme.states[:, 1]) >= 18
    tau = cme.mean_first_passage_time(target)
    assert np.all(tau[target] == 0) and np.all(tau[~target] > 0)
    lhs = cme.reflecting_generator.T @ tau
    np.testing.assert_allclose(lhs[~target], -1.0, rtol=0, atol=1e-11 * tau.max())
    p0 = cme.stationary().p
    assert cme.mean_first_passage_time(target, p0=p0) == pytest.approx(p0 @ tau, rel=1e-14)


def test_mean_first_passage_time_is_infinite_where_the_target_is_not_reached():
    # Pure death X -> 0 (rate n): from n > 2 the chain passes 2 surely, after sum_{k=3}^n 1/k;
    # from n < 2 it never gets there.
    cme = CME(mt.Network.from_string("X -> 0 ; 1"), V=1.0, max_counts=6)
    tau = cme.mean_first_passage_time(cme.states[:, 0] == 2)
    exact = [np.inf, np.inf, 0.0] + [sum(1 / k for k in range(3, n + 1)) for n in range(3, 7)]
    np.testing.assert_allclose(tau, exact, rtol=1e-14)
    # Linear birth and death, n = 0 absorbing: from 1..3 the chain can reach 4, but it can also
    # fall into 0 first, so the mean time to 4 is infinite; with immigration it is finite.
    cme = CME(mt.Network.from_string("X -> 2 X ; 1\nX -> 0 ; 1"), V=1.0, max_counts=4)
    tau = cme.mean_first_passage_time(lambda n: n[:, 0] == 4)
    assert np.all(np.isinf(tau[:4])) and tau[4] == 0
    p0 = np.zeros(cme.N_states)
    p0[[2, 4]] = 0.5
    assert cme.mean_first_passage_time(lambda n: n[:, 0] == 4, p0=p0) == np.inf
    cme = CME(mt.Network.from_string("0 -> X ; 1\nX -> 2 X ; 1\nX -> 0 ; 1"), V=1.0,
              max_counts=4)
    tau = cme.mean_first_passage_time(lambda n: n[:, 0] == 4)
    assert np.all(np.isfinite(tau)) and np.all(tau[:4] > 0)
    p0[[2, 4]] = 0.0, 1.0   # starting on the target: no time, even with inf elsewhere
    cme = CME(mt.Network.from_string("X -> 2 X ; 1\nX -> 0 ; 1"), V=1.0, max_counts=4)
    assert cme.mean_first_passage_time(lambda n: n[:, 0] == 4, p0=p0) == 0.0


def test_mean_first_passage_time_checks_its_arguments():
    cme = CME(mt.models.immigration_death(k_in=10, k_out=1), V=1.0, max_counts=30)
    with pytest.raises(ValueError, match="empty"):
        cme.mean_first_passage_time(np.zeros(cme.N_states, bool))
    with pytest.raises(ValueError, match="boolean mask"):
        cme.mean_first_passage_time(np.ones(5, bool))
    with pytest.raises(ValueError, match="boolean mask"):
        cme.mean_first_passage_time(cme.states[:, 0])          # integers, not a mask
    with pytest.raises(ValueError, match="non-negative"):
        cme.mean_first_passage_time(cme.states[:, 0] >= 20, p0=-np.ones(cme.N_states))
