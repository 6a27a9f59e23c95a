"""Tests of mesothermo.thermo.mesoscopic: the free-energy balance of Ge–Qian Eq. 5 on a CME
lattice, per reaction channel."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

import mesothermo as mt
from mesothermo import thermo
from mesothermo.thermo import mesoscopic as meso


def point_mass(cme, n):
    p = np.zeros(cme.N_states)
    p[cme.index(n)] = 1.0
    return p


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------
def test_equilibrium_of_isomerisation_everything_vanishes():
    cme = mt.CME(mt.models.isomerisation(2.0, 1.0), V=1.0, max_counts=30, n0=[30, 0])
    b = meso.balance(cme, cme.log_stationary())
    assert b.F == 0.0 or abs(b.F) < 1e-14
    for v in (b.dF_dt, b.e_p, b.E_in, b.f_d):
        assert abs(v) < 1e-12


def _multinomial_log(states, q):
    T = states[0].sum()
    return gammaln(T + 1) - gammaln(states + 1).sum(axis=1) + states @ np.log(q)


def test_driven_cycle_multinomial_laws_give_the_macroscopic_terms_exactly():
    """Unimolecular cycle: a multinomial law Mult(T, x/c) stays multinomial along Eq. 4, and
    F = V phi(x) (Eq. 10), e_p = V sigma(x), E_in = V cmf(x), dF/dt = V dphi/dt, exactly."""
    kp, km = (3.0, 1.0, 2.0), (1.0, 1.0, 0.5)
    net = mt.models.unimolecular_cycle(k_plus=kp, k_minus=km)
    V, c = 20.0, 1.5
    T = int(V * c)
    cme = mt.CME(net, V, max_counts=T, n0=[T, 0, 0])
    pi = cme.log_stationary()
    q_ss = np.exp(pi.log_p) @ cme.states / T                 # the stationary single-molecule law
    x_ss = c * q_ss
    np.testing.assert_allclose(mt.rre_rhs(net, x_ss), 0.0, atol=1e-12)
    phi = mt.rate_function_complex_balanced(net, x_ss)
    for x in ([0.9, 0.4, 0.2], [0.1, 0.2, 1.2]):
        x = np.array(x)
        p = np.exp(_multinomial_log(cme.states, x / c))
        b = meso.balance(cme, p, pi)
        g = phi.gradient(x)
        mb = thermo.macroscopic_balance(net, x, g)
        np.testing.assert_allclose(b.F, V * phi(x), rtol=1e-10)
        np.testing.assert_allclose(b.e_p, V * mb.sigma, rtol=1e-10)
        np.testing.assert_allclose(b.E_in, V * mb.cmf, rtol=1e-10)
        np.testing.assert_allclose(b.dF_dt, V * mb.dphi_dt, rtol=1e-10)
        assert abs(b.residual) <= 1e-14 * b.scale
        assert b.E_in > 0 and b.e_p > b.E_in


def test_detailed_balance_energy_input_vanishes_for_every_law():
    """Schlögl at Wegscheider's condition k1 a k4 = k2 k3 b is detailed balanced channel by
    channel (falling factorials included): E_in = 0 whatever p."""
    net = mt.models.schlogl(k4=0.6 * 0.25 / 3.0)
    cme = mt.CME(net, V=10.0, max_counts=120)
    rng = np.random.default_rng(5)
    P = rng.dirichlet(np.full(cme.N_states, 0.3), size=20)
    b = meso.balance(cme, P, cme.log_stationary())
    assert np.all(np.abs(b.E_in) <= 1e-12 * b.scale)
    assert np.all(b.e_p > 0) and np.all(b.dF_dt < 0)
    np.testing.assert_allclose(b.f_d, b.e_p, rtol=1e-12)


def test_driven_schlogl_stationary_channels_matter():
    """At the stationary law: E_in = e_p > 0 and dF/dt = 0 per channel; merging the two
    channels of the one-step chain (a reversible Markov chain) loses all of it."""
    cme = mt.CME(mt.models.schlogl(), V=20.0, max_counts=160)
    pi = cme.log_stationary()
    b = meso.balance(cme, pi, pi)
    assert b.e_p > 1.0
    assert abs(b.E_in - b.e_p) <= 1e-12 * b.e_p
    assert abs(b.F) < 1e-12 and abs(b.dF_dt) < 1e-12 * b.e_p
    m = meso.balance(cme, pi, pi, merge_channels=True)
    assert abs(m.e_p) < 1e-12 * b.e_p and abs(m.E_in) < 1e-12 * b.e_p


def test_reaction_without_net_change_is_a_self_loop_that_produces_entropy():
    """E + S <=> E + P with S, P buffered changes no species; at the Poisson stationary law of
    0 <=> E its entropy production is <n_E> (2 - 1) ln 2 (and it is E_in as well)."""
    net = mt.Network.from_string("0 <=> E ; 1, 1\nE + S <=> E + P ; 2, 1",
                                 chemostats={"S": 1.0, "P": 1.0})
    V = 5.0
    cme = mt.CME(net, V, max_counts=80)
    pi = cme.log_stationary()
    mean = float(np.exp(pi.log_p) @ cme.states[:, 0])
    b = meso.balance(cme, pi, pi)
    np.testing.assert_allclose(b.e_p, mean * np.log(2.0), rtol=1e-12)
    np.testing.assert_allclose(b.E_in, b.e_p, rtol=1e-12)
    assert abs(b.dF_dt) < 1e-12


def test_edges_rebuild_the_reflecting_generator():
    net = mt.models.brusselator(reverse=0.2)
    cme = mt.CME(net, V=4.0, max_counts=[15, 15])
    e = meso.channel_edges(cme)
    S = cme.N_states
    off = (sp.csr_matrix((e.rate_plus, (e.target, e.source)), shape=(S, S))
           + sp.csr_matrix((e.rate_minus, (e.source, e.target)), shape=(S, S)))
    Q = cme.reflecting_generator
    ref = Q - sp.diags(Q.diagonal())
    assert abs(off - ref).max() <= 1e-12 * abs(ref).max()
    # A <=> X and X <=> E share the jump +-(1, 0): merging them loses entropy production
    b1 = meso.balance(cme, np.full(S, 1.0 / S))
    b2 = meso.balance(cme, np.full(S, 1.0 / S), merge_channels=True)
    assert b2.e_p < b1.e_p
    np.testing.assert_allclose(b2.dF_dt, b1.dF_dt, rtol=1e-12)
    # merging changes nothing when every channel has its own jump (the cycle)
    cyc = mt.CME(mt.models.unimolecular_cycle(k_plus=(3, 1, 2)), V=1.0, max_counts=12,
                 n0=[12, 0, 0])
    u = np.full(cyc.N_states, 1.0 / cyc.N_states)
    c1, c2 = meso.balance(cyc, u), meso.balance(cyc, u, merge_channels=True)
    np.testing.assert_allclose([c1.e_p, c1.E_in], [c2.e_p, c2.E_in], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# the identity and the signs on random networks and laws
# ---------------------------------------------------------------------------------------------
@st.composite
def small_reversible_cme(draw):
    species = ("A", "B")
    n_rx = draw(st.integers(1, 3))
    reactions = []
    for _ in range(n_rx):
        side = st.dictionaries(st.sampled_from(species), st.integers(1, 2), max_size=2)
        reactants, products = draw(side), draw(side)
        if reactants == products:
            products = {} if reactants else {"A": 1}
        reactions.append({"reactants": reactants, "products": products,
                          "k_plus": draw(st.floats(0.1, 5.0)),
                          "k_minus": draw(st.floats(0.1, 5.0))})
    net = mt.Network(reactions)
    V = draw(st.sampled_from([1.0, 2.5]))
    L = net.conservation_laws()
    n0 = [draw(st.integers(0, 6)) for _ in range(net.N)]
    if L.shape[0] and sum(n0) == 0:
        n0[0] = 3
    return mt.CME(net, V, max_counts=8, n0=n0 if L.shape[0] else None)


@settings(max_examples=40, deadline=None)
@given(cme=small_reversible_cme(), seed=st.integers(0, 2**32 - 1))
def test_identity_and_signs_for_random_laws(cme, seed):
    if cme.N_states < 2 or meso.channel_edges(cme).source.size == 0:
        return
    try:
        pi = cme.stationary()
    except RuntimeError:       # several closed classes: no unique pi
        return
    if np.any(pi.p <= 0):
        return
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(cme.N_states), size=4)
    b = meso.balance(cme, P, pi.p)
    tol = 1e-12 * b.scale
    assert np.all(np.abs(b.residual) <= tol)
    assert np.all(b.e_p >= 0) and np.all(b.F >= -1e-14)
    # E_in >= 0 and f_d >= 0 need pi stationary; its residual enters through Q pi
    slack = 1e-9 * b.scale
    assert np.all(b.E_in >= -slack) and np.all(b.f_d >= -slack)
    np.testing.assert_allclose(b.f_d, -b.dF_dt, rtol=1e-9, atol=1e-12 * b.scale.max())


# ---------------------------------------------------------------------------------------------
# zeros, floors, shapes
# ---------------------------------------------------------------------------------------------
def test_point_mass_has_infinite_entropy_production_but_finite_energy_input():
    cme = mt.CME(mt.models.schlogl(), V=10.0, max_counts=80)
    p = point_mass(cme, [20])
    b = meso.balance(cme, p)
    assert b.e_p == np.inf and b.f_d == np.inf and b.dF_dt == -np.inf
    assert b.residual == 0.0 and np.isfinite(b.E_in) and b.E_in > 0
    np.testing.assert_allclose(b.F, -cme.log_stationary().log_p[cme.index([20])], rtol=1e-14)
    # with a floor every term is finite, e_p of order r ln(1/floor)
    bf = meso.balance(cme, p, floor=1e-300)
    assert np.isfinite(bf.e_p) and abs(bf.residual) <= 1e-13 * bf.scale


def test_evolution_input_and_shapes():
    cme = mt.CME(mt.models.schlogl(), V=10.0, max_counts=60)
    ev = cme.chain.evolve(point_mass(cme, [20]), np.linspace(0, 1, 5), method="dense")
    b = meso.balance(cme, ev, floor=1e-300)
    assert b.F.shape == (5,) and np.array_equal(b.t, ev.t)
    assert np.all(np.diff(b.F) < 0)
    one = meso.balance(cme, ev.p[2], floor=1e-300)
    assert one.F.shape == () and np.isnan(one.t)
    np.testing.assert_allclose(one.e_p, b.e_p[2], rtol=1e-14)
    for f, name in ((meso.free_energy, "F"), (meso.entropy_production, "e_p"),
                    (meso.energy_input, "E_in"), (meso.dissipation, "f_d")):
        np.testing.assert_allclose(f(cme, ev.p, floor=1e-300), getattr(b, name), rtol=1e-14)
    edges, Jp, Jm = meso.channel_fluxes(cme, ev.p)
    assert Jp.shape == (5, edges.source.size) == Jm.shape
    assert meso.free_energy_balance is meso.balance


def test_errors():
    cme = mt.CME(mt.models.schlogl(), V=5.0, max_counts=30)
    S = cme.N_states
    with pytest.raises(TypeError, match="`cme`"):
        meso.balance("cme", np.ones(3))
    with pytest.raises(ValueError, match="`p` must have shape"):
        meso.balance(cme, np.ones(S + 1) / (S + 1))
    with pytest.raises(ValueError, match="non-negative"):
        meso.balance(cme, np.r_[-0.1, 1.1, np.zeros(S - 2)])
    with pytest.raises(ValueError, match="sum to 1"):
        meso.balance(cme, np.full(S, 0.5 / S))
    with pytest.raises(ValueError, match="finite"):
        meso.balance(cme, np.full(S, np.nan))
    with pytest.raises(ValueError, match="`pi` must be positive"):
        meso.balance(cme, np.full(S, 1.0 / S), np.r_[1.0, np.zeros(S - 1)])
    with pytest.raises(ValueError, match="`pi` must have shape"):
        meso.balance(cme, np.full(S, 1.0 / S), np.ones(3))
    with pytest.raises(ValueError, match="`floor`"):
        meso.balance(cme, np.full(S, 1.0 / S), floor=-1.0)
    with pytest.raises(ValueError, match="irreversible"):
        meso.balance(mt.CME(mt.models.immigration_death(), 1.0, 20), np.full(21, 1 / 21))
    # a general rate law that vanishes on one side of an edge only
    law = mt.Network([{"reactants": {}, "products": {"X": 1}, "k_plus": 1.0, "k_minus": 1.0,
                       "propensity_minus": lambda n, V: np.where(n[..., 0] >= 2, n[..., 0],
                                                                 0.0)}])
    c2 = mt.CME(law, 1.0, 10)
    with pytest.raises(ValueError, match="not microscopically reversible"):
        meso.balance(c2, np.full(11, 1 / 11))
