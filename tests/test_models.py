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
    with pytest.raises(ValueError, match="`k_plus` must hold 3 constants"):
        mt.models.unimolecular_cycle((1.0, 2.0), km)


def test_open_isomerisation_and_brusselator_are_open():
    assert mt.models.open_isomerisation().conservation_laws().shape == (0, 2)
    assert mt.models.brusselator().species == ("X", "Y")
    assert not mt.models.brusselator().reversible.any()
    assert mt.models.brusselator(reverse=0.1).reversible.all()


def test_linear_chain_size():
    net = mt.models.linear_chain(10)
    assert net.N == 10 and net.M == 11
    with pytest.raises(ValueError, match="`n_species` must be an integer >= 2"):
        mt.models.linear_chain(1)
    with pytest.raises(TypeError, match="`n_species` must be an integer"):
        mt.models.linear_chain(2.5)


def test_numpy_scalars_are_accepted_as_constants():
    net = mt.models.schlogl(k4=np.float64(2.5), a=np.float32(2.0))
    assert net.k_minus[1] == 2.5 and net.chemostats["A"] == 2.0
    with pytest.raises(TypeError, match="rate constants must be real numbers"):
        mt.models.isomerisation(k_plus="fast")


@pytest.mark.parametrize("make, exc, match", [
    (lambda: mt.models.immigration_death(k_in=-1.0), ValueError,
     "`k_in` must be a finite rate constant >= 0"),
    (lambda: mt.models.immigration_death(k_out=float("nan")), ValueError,
     "`k_out` must be a finite rate constant >= 0"),
    (lambda: mt.models.schlogl(k3=float("inf")), ValueError, "`k3`"),
    (lambda: mt.models.schlogl(a=-1.0), ValueError, "`a` must be a finite concentration >= 0"),
    (lambda: mt.models.enzyme(p=float("nan")), ValueError, "`p` must be a finite concentration"),
    (lambda: mt.models.brusselator(reverse=-0.1), ValueError, "`reverse`"),
    (lambda: mt.models.brusselator(b="x"), TypeError, "`b` must be a real number"),
    (lambda: mt.models.driven_cycle(k=(1, 1)), ValueError, "`k` must hold 6 constants"),
    (lambda: mt.models.driven_cycle(k=(1, 1, 1, -1, 1, 1)), ValueError, r"`k\[3\]`"),
    (lambda: mt.models.driven_cycle(atp=-2.0), ValueError, "`atp`"),
    (lambda: mt.models.unimolecular_cycle(k_minus=(1.0, float("nan"), 1.0)), ValueError,
     r"`k_minus\[1\]`"),
    (lambda: mt.models.linear_chain(k=-1.0), ValueError, "`k` must be a finite rate constant"),
])
def test_bad_constants_are_rejected_by_keyword(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_wegscheider_reset_needs_positive_backward_constants():
    # k3- = k1+ k2+ k3+ / (k1- k2-) was a bare ZeroDivisionError for k1- = 0.
    with pytest.raises(ValueError, match="`k_minus` must have k_minus\\[0\\], k_minus\\[1\\] > 0"):
        mt.models.unimolecular_cycle(k_minus=(0.0, 1.0, 1.0), wegscheider=True)
    # without the reset a zero backward constant is allowed (the cycle is then driven)
    assert mt.models.unimolecular_cycle(k_minus=(0.0, 1.0, 1.0)).k_minus[0] == 0.0
