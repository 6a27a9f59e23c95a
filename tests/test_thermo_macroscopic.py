"""Tests of mesothermo.thermo.macroscopic: sigma (Ge–Qian Eq. 7c), cmf (Eq. 7d) and the
balance d phi/dt = cmf - sigma (Eq. 7b)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesothermo as mt
from mesothermo import thermo


def schlogl_slope(net, x):
    """Exact 1-D phi' = ln(W-/W+) (chapter 03), both Schlögl reactions have nu = +1."""
    Rp, Rm = net.rates(x)
    return np.log(Rm.sum(axis=-1, keepdims=True)) - np.log(Rp.sum(axis=-1, keepdims=True))


def test_sigma_closed_form_isomerisation():
    net = mt.models.isomerisation(k_plus=2.0, k_minus=0.5)
    x = np.array([[1.0, 1.0], [0.3, 4.0]])
    Rp, Rm = 2.0 * x[:, 0], 0.5 * x[:, 1]
    np.testing.assert_allclose(thermo.sigma(net, x), (Rp - Rm) * np.log(Rp / Rm), rtol=1e-15)
    # equilibrium R+ = R-: exactly zero
    assert thermo.sigma(net, [1.0, 4.0]) == 0.0


def test_vectorised_shapes_and_broadcast():
    net = mt.models.schlogl()
    rng = np.random.default_rng(3)
    x = rng.uniform(0.05, 5.0, size=(3, 4, 1))
    s = thermo.sigma(net, x)
    assert s.shape == (3, 4)
    flat = np.array([thermo.sigma(net, xi) for xi in x.reshape(-1, 1)])
    np.testing.assert_allclose(s.ravel(), flat, rtol=1e-15)
    g = schlogl_slope(net, x)
    assert thermo.cmf(net, x, g).shape == (3, 4)
    # a single gradient broadcast against many x
    assert thermo.cmf(net, x, [0.1]).shape == (3, 4)


def test_detailed_balance_cmf_vanishes_identically():
    """A detailed-balanced network with phi the Gibbs-type Eq. 10: cmf = 0 at every x."""
    net = mt.models.closed_chain(k1=2.0, km1=1.0, k2=0.5, km2=3.0)
    x_eq = np.array([1.0, 2.0, 1.0 / 3.0])      # R1+ = R1-, R2+ = R2-
    rng = np.random.default_rng(0)
    x = rng.uniform(0.01, 5.0, size=(200, 3))
    c = thermo.cmf(net, x, np.log(x / x_eq))
    s = thermo.sigma(net, x)
    assert np.max(np.abs(c)) <= 1e-13 * np.max(s)
    np.testing.assert_allclose(thermo.free_energy_rate(net, x, np.log(x / x_eq)), -s,
                               rtol=1e-12, atol=1e-14)


def test_driven_cycle_cmf_nonnegative_and_equals_sigma_at_steady_state():
    """The unimolecular cycle off Wegscheider is complex balanced but driven (Eq. 10)."""
    net = mt.models.unimolecular_cycle(k_plus=(3.0, 1.0, 2.0), k_minus=(1.0, 1.0, 0.5))
    total = 3.0
    # steady state of the linear cycle: the null vector of its rate matrix, scaled
    K = np.array([[-(3.0 + 0.5), 1.0, 2.0],
                  [3.0, -(1.0 + 1.0), 1.0],
                  [0.5, 1.0, -(2.0 + 1.0)]])
    w, v = np.linalg.eig(K)
    x_ss = np.real(v[:, np.argmin(np.abs(w))])
    x_ss = total * x_ss / x_ss.sum()
    np.testing.assert_allclose(mt.rre_rhs(net, x_ss), 0.0, atol=1e-13)
    phi = mt.rate_function_complex_balanced(net, x_ss)
    rng = np.random.default_rng(1)
    x = rng.dirichlet(np.ones(3), size=500) * total
    b = thermo.macroscopic_balance(net, x, phi.gradient(x))
    scale = np.max(b.sigma)
    assert np.all(b.sigma >= 0) and np.all(b.cmf >= -1e-13 * scale)
    assert np.all(b.cmf <= b.sigma + 1e-13 * scale)          # d phi/dt <= 0
    assert np.max(np.abs(b.residual)) <= 1e-13 * scale
    # at the driven steady state cmf = sigma > 0 (and d phi/dt = 0)
    at = thermo.macroscopic_balance(net, x_ss, phi.gradient(x_ss))
    assert at.sigma > 0.1
    assert abs(at.cmf - at.sigma) <= 1e-13 * at.sigma
    assert abs(at.dphi_dt) <= 1e-13 * at.sigma


def test_schlogl_exact_slope_gives_nonnegative_cmf_and_wrong_slope_does_not():
    net = mt.models.schlogl()
    x = np.linspace(0.01, 6.0, 2000)[:, None]
    g = schlogl_slope(net, x)
    np.testing.assert_allclose(mt.kurtz_hu_residual(net, x, g, relative=True), 0.0, atol=1e-14)
    c, s = thermo.cmf(net, x, g), thermo.sigma(net, x)
    assert np.all(c >= -1e-13 * s.max()) and np.all(s >= 0)
    # the Schlögl chemostats are not at equilibrium: cmf > 0 away from the steady states
    assert c.max() > 0.1
    # at each steady state cmf = sigma > 0
    for st_ in mt.steady_states(net, x_range=[(0.0, 10.0)]):
        xs = st_.x
        cs, ss = thermo.cmf(net, xs, schlogl_slope(net, xs)), thermo.sigma(net, xs)
        assert ss > 0 and abs(cs - ss) <= 1e-9 * ss
    # a gradient that does not solve Eq. 6 (here the Eq. 10 form about the upper state)
    # breaks the sign somewhere
    wrong = np.log(x / 3.702)
    assert thermo.cmf(net, x, wrong).min() < -0.1


@st.composite
def reversible_networks(draw):
    species = ("A", "B", "C")
    n_rx = draw(st.integers(1, 4))
    reactions = []
    for _ in range(n_rx):
        side = st.dictionaries(st.sampled_from(species), st.integers(1, 2), max_size=2)
        reactants, products = draw(side), draw(side)
        if reactants == products:
            products = {"A": 1} if reactants != {"A": 1} else {"B": 1}
        reactions.append({"reactants": reactants, "products": products,
                          "k_plus": draw(st.floats(0.05, 10.0)),
                          "k_minus": draw(st.floats(0.05, 10.0))})
    return mt.Network(reactions)


@settings(max_examples=60, deadline=None)
@given(net=reversible_networks(), data=st.data())
def test_balance_identity_and_sigma_sign_on_random_networks(net, data):
    N = net.N
    x = np.array(data.draw(st.lists(st.floats(0.05, 5.0), min_size=N, max_size=N)))
    g = np.array(data.draw(st.lists(st.floats(-3.0, 3.0), min_size=N, max_size=N)))
    b = thermo.macroscopic_balance(net, x, g)
    assert b.sigma >= 0
    scale = abs(b.sigma) + abs(b.cmf) + 1e-300
    assert abs(b.residual) <= 1e-12 * scale
    # the rate of phi along Eq. 4 is grad phi . F(x)
    np.testing.assert_allclose(b.dphi_dt, g @ mt.rre_rhs(net, x), rtol=1e-12,
                               atol=1e-12 * scale)


def test_boundary_terms():
    net = mt.models.isomerisation()
    assert thermo.sigma(net, [1.0, 0.0]) == np.inf      # one-sided: +inf
    assert thermo.sigma(net, [0.0, 0.0]) == 0.0         # no flux at all
    assert np.isfinite(thermo.free_energy_rate(net, [1.0, 0.0], [0.0, -3.0]))


def test_errors():
    net = mt.models.isomerisation()
    with pytest.raises(ValueError, match="irreversible"):
        thermo.sigma(mt.models.immigration_death(), [1.0])
    with pytest.raises(ValueError, match="irreversible"):
        thermo.cmf(mt.models.brusselator(), [1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="`x`"):
        thermo.sigma(net, [1.0, -1.0])
    with pytest.raises(ValueError, match="`x`"):
        thermo.sigma(net, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="`grad_phi`"):
        thermo.cmf(net, [1.0, 1.0], [np.nan, 0.0])
    with pytest.raises(ValueError, match="broadcast"):
        thermo.cmf(net, np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(TypeError, match="`net`"):
        thermo.sigma("A <=> B", [1.0, 1.0])
