"""mesothermo.stats and the path quantities of mesothermo.trajectory.

Each statistical assertion states its level: p-values are asserted above 1e-3 (a false failure
in one run in a thousand, with fixed seeds so a run is reproducible), and every test is shown
to have power by rejecting a wrong model at p < 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

import mesothermo as mt
from mesothermo import stats
from mesothermo.trajectory import transition_times

ALPHA = 1e-3


@pytest.fixture(scope="module")
def dimer_path():
    net = mt.Network.from_string("2 A <=> A2 ; 1.0, 2.0")
    return net, mt.simulate(net, [60, 0], t_end=400.0, V=10.0, seed=4)


def test_waiting_times_are_exponential_and_the_test_has_power(dimer_path):
    net, path = dimer_path
    res = stats.waiting_time_test(net, path)
    assert res.size == path.n_events and res.scaled.shape == (path.n_events,)
    assert res.pvalue > ALPHA
    wrong = net.with_constants(k_plus=[1.3])        # propensities 30% off on one channel
    assert stats.waiting_time_test(wrong, path).pvalue < 1e-6


def test_channel_choice_passes_its_own_network_and_rejects_another(dimer_path):
    net, path = dimer_path
    res = stats.channel_choice_test(net, path)
    assert res.pvalue > ALPHA and res.dof > 10 and 0.9 < res.fraction_used <= 1.0
    np.testing.assert_allclose(res.observed.sum(), path.n_events)
    assert stats.channel_choice_test(net.with_constants(k_minus=[3.0]), path).pvalue < 1e-6


def test_pooled_chisquare_level_and_power():
    rng = np.random.default_rng(11)
    law = np.exp(-12.0) * np.cumprod(np.concatenate([[1.0], 12.0 / np.arange(1, 60)]))
    samples = rng.poisson(12.0, size=4000)
    res = stats.pooled_chisquare(samples, law)
    assert res.pvalue > ALPHA and res.size == 4000 and res.dof >= 10
    shifted = np.exp(-12.6) * np.cumprod(np.concatenate([[1.0], 12.6 / np.arange(1, 60)]))
    assert stats.pooled_chisquare(samples, shifted).pvalue < 1e-6
    with pytest.raises(ValueError, match="outside the support"):
        stats.pooled_chisquare([0, 70], law)
    with pytest.raises(ValueError, match="integers"):
        stats.pooled_chisquare([0.5, 1.0], law)
    with pytest.raises(ValueError, match="`min_expected`"):
        stats.pooled_chisquare(samples, law, min_expected=-1)


def test_tests_refuse_sampled_paths_and_foreign_networks(dimer_path):
    net, _ = dimer_path
    sampled = mt.simulate(net, [60, 0], t_end=5.0, V=10.0, seed=1, times=[0.0, 1.0, 5.0])
    with pytest.raises(ValueError, match="every event"):
        stats.waiting_time_test(net, sampled)
    with pytest.raises(TypeError, match="`path` must be a mesothermo.Trajectory"):
        stats.channel_choice_test(net, np.zeros(3))
    other = mt.models.immigration_death()
    path = mt.simulate(other, [0], t_end=5.0, seed=2)
    with pytest.raises(ValueError, match="does not belong to `net`"):
        stats.waiting_time_test(net, path)


def test_net_flux_and_occupation_converge_to_the_cme():
    # a driven unimolecular cycle: nonzero stationary current; the path averages over T = 2000
    net = mt.Network.from_string("A <=> B ; 2, 1\nB <=> C ; 2, 1\nC <=> A ; 2, 1")
    V, T = 1.0, 2000.0
    path = mt.simulate(net, [5, 0, 0], t_end=T, V=V, seed=3)
    cme = mt.CME(net, V, 5, n0=[5, 0, 0])
    law = cme.stationary().p
    J = cme.reaction_flux(law)
    flux = path.net_flux()
    # the empirical flux has standard error ~ sqrt(2 * total firing rate * T_corr / T); the
    # firings of one reaction are ~ 5 * 1.5 per unit time, so 0.2 is > 5 standard errors
    np.testing.assert_allclose(flux, J, atol=0.2)
    assert np.all(J > 1.0) and np.allclose(flux, flux[0], atol=0.2)
    f = path.firings()
    np.testing.assert_array_equal(path.net_flux(per_time=False), f[0] - f[1])
    assert f.sum() == path.n_events
    occ = path.occupation_times()
    assert occ.total == pytest.approx(T, rel=1e-12)
    emp = np.zeros(cme.N_states)
    for s, tm in zip(occ.states, occ.time):
        emp[cme.index(s)] = tm / occ.total
    assert np.abs(emp - law).sum() < 0.05


def test_transition_times_on_a_hand_made_path():
    t = np.arange(10.0)
    x = np.array([0, 1, 0, 1, 2, 2, 1, 0, 1, 2])
    # visits to A = {0} begin at t = 0 (the return at t = 2 is the same visit: B was not
    # reached) and 7; visits to B = {2} at t = 4 and 9: transitions 0 -> 4 and 7 -> 9
    np.testing.assert_array_equal(transition_times(t, x == 0, x == 2), [4.0, 2.0])
    np.testing.assert_array_equal(transition_times(t, x == 2, x == 0), [3.0])
    with pytest.raises(ValueError, match="overlap"):
        transition_times(t, x <= 1, x >= 1)
    with pytest.raises(ValueError, match="`in_b` must be a boolean mask"):
        transition_times(t, x == 0, x)
    path = mt.simulate(mt.models.immigration_death(10, 1), [0], t_end=200.0, seed=5)
    d = path.transition_times(lambda n: n[:, 0] <= 5, lambda n: n[:, 0] >= 15)
    assert d.size > 5 and np.all(d > 0)
