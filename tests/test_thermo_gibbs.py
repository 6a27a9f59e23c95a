"""Tests of mesothermo.thermo.gibbs: standard potentials, the Gibbs function, Eq. 9.

Closed forms at round-off tolerances: every quantity here is a few logarithms and sums of
O(1) numbers, so 1e-13 (a few hundred ulps) is the tolerance unless stated otherwise.
"""

import numpy as np
import pytest

import mesothermo as mt
from mesothermo.thermo.gibbs import (DetailedBalanceError, StandardPotentials,
                                     chemical_potentials, delta_mu, delta_mu_standard,
                                     eq9_residuals, gibbs_function, gibbs_function_seed,
                                     standard_potentials)

TOL = 1e-13


def dimer_equilibrium(kp, km, total):
    """x^eq of 2A <=> A2 on the class x_A + 2 x_A2 = total: kp x_A^2 = km x_A2."""
    K = kp / km
    xa = (-1.0 + np.sqrt(1.0 + 8.0 * K * total)) / (4.0 * K)
    return np.array([xa, K * xa ** 2])


def dimer_class_points(total, rng, size):
    xa2 = rng.uniform(0.02, 0.98, size) * total / 2
    return np.column_stack([total - 2 * xa2, xa2])


# -- standard potentials ----------------------------------------------------------------------
def test_closed_chain_reference_gauge_closed_form():
    net = mt.models.closed_chain(k1=2.0, km1=1.0, k2=0.5, km2=3.0)
    sp = standard_potentials(net, gauge={"A": 0.25})
    expected = [0.25, 0.25 + np.log(1.0 / 2.0), 0.25 + np.log(1.0 / 2.0) + np.log(3.0 / 0.5)]
    np.testing.assert_allclose(sp.mu0, expected, rtol=0, atol=TOL)
    assert sp.mu0[0] == 0.25  # the reference value is set exactly
    assert isinstance(sp, StandardPotentials) and "mu0[A] = 0.25" in sp.gauge
    np.testing.assert_allclose(sp.delta_mu0, [np.log(0.5), np.log(6.0)], rtol=0, atol=TOL)
    assert sp.residual < TOL


def test_orthogonal_gauge_and_gauge_freedom():
    net = mt.models.closed_chain(k1=2.0, km1=1.0, k2=0.5, km2=3.0)
    orth = standard_potentials(net)
    ref = standard_potentials(net, gauge={"C": -1.0})
    L = net.conservation_laws()
    assert np.max(np.abs(L @ orth.mu0)) < TOL
    shift = ref.mu0 - orth.mu0  # a multiple of L = (1, 1, 1)
    np.testing.assert_allclose(shift, shift[0] * L[0], rtol=0, atol=TOL)
    # G changes by c * (L x): constant on every class, different between classes
    rng = np.random.default_rng(5)
    x = rng.uniform(0.1, 2.0, size=(50, 3))
    diff = gibbs_function(net, x, ref) - gibbs_function(net, x, orth)
    np.testing.assert_allclose(diff, shift[0] * x.sum(axis=1), rtol=0, atol=1e-12)


def test_dimerisation_potentials_and_open_system():
    net = mt.models.dimerisation(k_plus=2.0, k_minus=0.5)
    sp = standard_potentials(net)
    # nu = (-2, 1): mu0_A2 - 2 mu0_A = ln(km/kp); orthogonal gauge mu0_A + 2 mu0_A2 = 0
    mA, mA2 = sp.mu0
    assert abs(mA2 - 2 * mA - np.log(0.5 / 2.0)) < TOL and abs(mA + 2 * mA2) < TOL
    # open A <=> B with buffered pools at mutual equilibrium: mu0 unique, x^eq = exp(-mu0)
    a, kin, kout, kp, km = 2.0, 1.5, 0.5, 3.0, 1.0
    op = mt.models.open_isomerisation(a=a, b=a * kp / km, k_in=kin, k_out=kout, k_plus=kp,
                                      k_minus=km)
    sp_open = standard_potentials(op)
    assert sp_open.conservation_laws.shape == (0, 2) and "no conservation" in sp_open.gauge
    x_eq = np.array([a * kin / kout, a * kin / kout * kp / km])
    np.testing.assert_allclose(np.exp(-sp_open.mu0), x_eq, rtol=TOL)
    np.testing.assert_allclose(delta_mu_standard(op), np.log(op.effective_k_minus)
                               - np.log(op.effective_k_plus), rtol=0, atol=TOL)


# -- the Gibbs function against phi^ss and Delta mu ------------------------------------------
@pytest.mark.parametrize("net", [
    mt.models.closed_chain(k1=2.0, km1=1.0, k2=0.5, km2=3.0),
    mt.models.dimerisation(k_plus=2.0, k_minus=0.5),
    mt.models.open_isomerisation(a=2.0, b=6.0, k_in=1.5, k_out=0.5, k_plus=3.0, k_minus=1.0),
    mt.models.schlogl(k4=0.05),  # detailed balanced: k1 a k4 = k2 k3 b
    mt.models.unimolecular_cycle(k_plus=(2.0, 1.0, 0.5), k_minus=(1.0, 3.0, 1.0),
                                 wegscheider=True),
], ids=["chain", "dimer", "open", "schlogl-db", "cycle-wegscheider"])
def test_gradient_is_delta_mu_and_solves_eq6(net):
    rng = np.random.default_rng(11)
    x = rng.uniform(0.05, 3.0, size=(200, net.N))
    grad = chemical_potentials(net, x)
    np.testing.assert_allclose(grad @ net.nu.T, delta_mu(net, x), rtol=0, atol=TOL)
    res = eq9_residuals(net, x, grad)
    assert np.max(np.abs(res.corrected)) < TOL
    # every term of Eq. 6 vanishes separately, so the sum does (relative to the total rate)
    assert np.max(np.abs(mt.kurtz_hu_residual(net, x, grad, relative=True))) < TOL
    # dG/dt = f . grad G = -sigma, with sigma written out from Eq. 7c
    Rp, Rm = net.rates(x)
    sigma = np.sum((Rp - Rm) * np.log(Rp / Rm), axis=-1)
    dG = np.sum(mt.rre_rhs(net, x) * grad, axis=-1)
    np.testing.assert_allclose(dG, -sigma, rtol=1e-12, atol=TOL)


def test_gibbs_is_eq10_on_the_class_for_dimerisation():
    kp, km, total = 2.0, 0.5, 1.7
    net = mt.models.dimerisation(k_plus=kp, k_minus=km)
    x_eq = dimer_equilibrium(kp, km, total)
    x = dimer_class_points(total, np.random.default_rng(3), 100)
    phi = np.sum(x * np.log(x / x_eq) - x + x_eq, axis=-1)  # Eq. 10, closed form
    G = gibbs_function(net, x) - gibbs_function(net, x_eq)
    np.testing.assert_allclose(G, phi, rtol=0, atol=TOL)
    # the seed's form differs by sum_i (x_i - x_eq_i) = x_A2^eq - x_A2: not constant on the class
    G_seed = gibbs_function_seed(net, x) - gibbs_function_seed(net, x_eq)
    np.testing.assert_allclose(G_seed - G, x_eq[1] - x[:, 1], rtol=0, atol=TOL)
    assert np.ptp(G_seed - phi) > 0.1


def test_seed_form_gradient_is_off_by_the_molecule_number_change():
    rng = np.random.default_rng(8)
    for net in (mt.models.dimerisation(2.0, 0.5), mt.models.closed_chain(2.0, 1.0, 0.5, 3.0)):
        x = rng.uniform(0.1, 2.0, size=(30, net.N))
        sp = standard_potentials(net)
        grad_seed = sp.mu0 + np.log(x) + 1.0  # gradient of sum x (mu0 + ln x)
        eps = 1e-6  # central difference of gibbs_function_seed confirms the formula
        fd = np.stack([(gibbs_function_seed(net, x + eps * e) - gibbs_function_seed(net, x - eps * e))
                       / (2 * eps) for e in np.eye(net.N)], axis=-1)
        np.testing.assert_allclose(fd, grad_seed, rtol=0, atol=1e-8)
        off = grad_seed @ net.nu.T - delta_mu(net, x)
        np.testing.assert_allclose(off, np.broadcast_to(net.nu.sum(axis=1), off.shape),
                                   rtol=0, atol=TOL)


def test_eq9_as_printed_fails_at_equilibrium():
    kp, km, total = 2.0, 0.5, 1.7
    net = mt.models.dimerisation(k_plus=kp, k_minus=km)
    x_eq = dimer_equilibrium(kp, km, total)
    res = eq9_residuals(net, x_eq, chemical_potentials(net, x_eq))
    # ln(R+/R-) = 0 and nu . grad G = 0 at x^eq, so printed: 0 - exp(0) = -1
    np.testing.assert_allclose(res.printed, [-1.0], rtol=0, atol=TOL)
    np.testing.assert_allclose(res.corrected, [0.0], rtol=0, atol=TOL)


def test_gibbs_at_zero_concentration_and_shapes():
    net = mt.models.closed_chain()
    sp = standard_potentials(net)
    assert np.isclose(gibbs_function(net, [1.0, 0.0, 0.0], sp), sp.mu0[0] - 1.0, rtol=0,
                      atol=TOL)
    assert gibbs_function(net, np.ones((4, 5, 3))).shape == (4, 5)
    assert delta_mu(net, np.ones((4, 3))).shape == (4, 2)


# -- errors ------------------------------------------------------------------------------------
def test_wegscheider_violation_names_the_cycle():
    net = mt.models.unimolecular_cycle(k_plus=(2.0, 1.0, 1.0))
    with pytest.raises(DetailedBalanceError, match=r"cycle .*A <=> B.*B <=> C.*C <=> A.*0\.693"):
        standard_potentials(net)
    driven = mt.models.driven_cycle(atp=10.0)
    with pytest.raises(ValueError, match="Wegscheider"):
        standard_potentials(driven)


def test_errors_irreversible_zero_constant_general_law():
    with pytest.raises(ValueError, match="irreversible"):
        standard_potentials(mt.models.immigration_death())
    with pytest.raises(ValueError, match="k- > 0"):
        standard_potentials(mt.models.open_isomerisation(a=0.0))
    law = mt.Network([{"reactants": {"A": 1}, "products": {"B": 1}, "k_plus": 1.0,
                       "k_minus": 1.0, "propensity_plus": lambda n, V: n[..., 0]}])
    with pytest.raises(ValueError, match="mass-action"):
        standard_potentials(law)
    with pytest.raises(TypeError, match="`net`"):
        standard_potentials("A <=> B")


def test_gauge_errors():
    chain = mt.models.closed_chain()
    with pytest.raises(ValueError, match="exactly 1 species"):
        standard_potentials(chain, gauge={"A": 0.0, "B": 0.0})
    with pytest.raises(ValueError, match="`gauge` keys"):
        standard_potentials(chain, gauge={"X": 0.0})
    with pytest.raises(ValueError, match=r"`gauge\['A'\]`"):
        standard_potentials(chain, gauge={"A": np.inf})
    with pytest.raises(ValueError, match="'orthogonal'"):
        standard_potentials(chain, gauge="minimal")
    with pytest.raises(TypeError, match="`gauge`"):
        standard_potentials(chain, gauge=0.0)
    with pytest.raises(ValueError, match="exactly 0 species"):
        standard_potentials(mt.models.open_isomerisation(), gauge={"A": 0.0})
    # A <=> B, C <=> D: L = [[1,1,0,0],[0,0,1,1]]; fixing A and B leaves C, D free
    two = mt.Network.from_string("A <=> B ; 1, 2\nC <=> D ; 3, 4")
    with pytest.raises(ValueError, match="singular"):
        standard_potentials(two, gauge={"A": 0.0, "B": 0.0})
    ok = standard_potentials(two, gauge={"A": 0.0, "D": 1.0})
    assert ok.mu0[0] == 0.0 and ok.mu0[3] == 1.0
    with pytest.raises(ValueError, match="`rtol`"):
        standard_potentials(chain, rtol=-1.0)


def test_argument_errors():
    net = mt.models.closed_chain()
    with pytest.raises(ValueError, match="`mu0` must hold 3"):
        gibbs_function(net, [1.0, 1.0, 1.0], mu0=[0.0, 0.0])
    with pytest.raises(TypeError, match="`mu0`"):
        gibbs_function(net, [1.0, 1.0, 1.0], mu0=object())
    with pytest.raises(ValueError, match="`x` must have last axis of length 3"):
        gibbs_function(net, [1.0, 1.0])
    with pytest.raises(ValueError, match="`x` must be non-negative"):
        gibbs_function_seed(net, [1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="`x` must be positive"):
        chemical_potentials(net, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="R\\+ > 0 and R- > 0"):
        delta_mu(net, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="irreversible"):
        delta_mu(mt.models.immigration_death(), [1.0])
    with pytest.raises(ValueError, match="`grad_phi` must have last axis"):
        eq9_residuals(net, [1.0, 1.0, 1.0], [0.0, 0.0])


def test_cycle_affinity_is_the_driving():
    from mesothermo.thermo.gibbs import cycle_affinity

    k = (1.0, 1.0, 2.0, 0.5, 1.0, 1.0)
    K_eq = k[1] * k[3] * k[5] / (k[0] * k[2] * k[4])
    for dmu in (-1.5, 0.0, 2.0):
        net = mt.models.driven_cycle(atp=K_eq * np.exp(dmu), adp=1.0, pi=1.0, k=k)
        np.testing.assert_allclose(cycle_affinity(net), [dmu], rtol=0, atol=TOL)
        x = np.random.default_rng(2).uniform(0.1, 2.0, size=(20, 3))
        np.testing.assert_allclose(cycle_affinity(net, x), np.full((20, 1), dmu), rtol=0,
                                   atol=TOL)
        # at the steady state of a one-cycle network: sigma = J * affinity
        (ss,) = mt.steady_states(net, conserved=[1.0], n_starts=8)
        Rp, Rm = net.rates(ss.x)
        sigma = np.sum((Rp - Rm) * np.log(Rp / Rm))
        assert abs(sigma - (Rp - Rm)[0] * dmu) < 1e-14
    assert cycle_affinity(mt.models.closed_chain()).shape == (0,)
    # Schlogl: kappa = (1, -1), affinity ln(k1 a k4 / (k2 k3 b))
    s = mt.models.schlogl()
    np.testing.assert_allclose(np.abs(cycle_affinity(s)), [np.log(3.0 * 2.95 / (0.6 * 0.25))],
                               rtol=0, atol=TOL)
    with pytest.raises(ValueError, match="irreversible"):
        cycle_affinity(mt.models.immigration_death())
