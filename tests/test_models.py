"""Tests of mesothermo.models: each named network has the structure its docstring states."""

import numpy as np
import pytest

import mesothermo as mt


def cycle_ratio(net):
    """prod k+_eff / prod k-_eff around a cycle whose reactions sum to zero net change."""
    return np.prod(net.effective_k_plus) / np.prod(net.effective_k_minus)


def test_schlogl_is_bistable_at_the_defaults():
    net = mt.models.schlogl()
    k1a, k2 = net.effective_k_plus[0], net.effective_k_minus[0]
    k3b, k4 = net.effective_k_plus[1], net.effective_k_minus[1]
    roots = np.sort(np.roots([-k2, k1a, -k4, k3b]).real)
    np.testing.assert_allclose(roots, [0.0935, 1.204, 3.702], atol=5e-4)


def test_driven_cycle_equilibrium_condition():
    k = (2.0, 1.0, 3.0, 0.5, 1.5, 4.0)
    K_eq = (1.0 * 0.5 * 4.0) / (2.0 * 3.0 * 1.5)
    eq = mt.models.driven_cycle(atp=K_eq * 0.3 * 2.0, adp=0.3, pi=2.0, k=k)
    assert cycle_ratio(eq) == pytest.approx(1.0, rel=1e-14)
    driven = mt.models.driven_cycle(atp=10 * K_eq, adp=1.0, pi=1.0, k=k)
    assert cycle_ratio(driven) == pytest.approx(10.0, rel=1e-14)
    assert np.all(driven.nu.sum(axis=0) == 0)  # the three steps close a cycle


def test_unimolecular_cycle_wegscheider():
    kp, km = (1.0, 2.0, 3.0), (0.5, 0.25, 7.0)
    assert cycle_ratio(mt.models.unimolecular_cycle(kp, km, wegscheider=True)) == pytest.approx(1)
    assert cycle_ratio(mt.models.unimolecular_cycle(kp, km)) == pytest.approx(6.0 / 0.875)
    with pytest.raises(ValueError, match="three constants"):
        mt.models.unimolecular_cycle((1.0, 2.0), km)


def test_open_isomerisation_and_brusselator_are_open():
    assert mt.models.open_isomerisation().conservation_laws().shape == (0, 2)
    assert mt.models.brusselator().species == ("X", "Y")
    assert not mt.models.brusselator().reversible.any()
    assert mt.models.brusselator(reverse=0.1).reversible.all()


def test_linear_chain_size():
    net = mt.models.linear_chain(10)
    assert net.N == 10 and net.M == 11
    with pytest.raises(ValueError, match="`n_species` must be >= 2"):
        mt.models.linear_chain(1)


def test_numpy_scalars_are_accepted_as_constants():
    net = mt.models.schlogl(k4=np.float64(2.5), a=np.float32(2.0))
    assert net.k_minus[1] == 2.5 and net.chemostats["A"] == 2.0
    with pytest.raises(TypeError, match="rate constants must be real numbers"):
        mt.models.isomerisation(k_plus="fast")
