"""Tests of mesothermo.crnt: exact linear algebra, Wegscheider cycles, detailed balance."""

import numpy as np
import pytest

import mesothermo as mt
from mesothermo import crnt


# -- exact linear algebra ----------------------------------------------------------------------
def test_integer_null_space_is_exact_and_primitive():
    A = np.array([[2, 4, -6], [1, 2, -3]])
    B = crnt.integer_null_space(A)
    assert B.shape == (2, 3)
    np.testing.assert_array_equal(A @ B.T, 0)
    assert crnt.exact_rank(A) == 1
    for row in B:
        assert np.gcd.reduce(row) == 1 and row[np.flatnonzero(row)[0]] > 0
    # a rank that float SVD misjudges: rows differing by 1 in 1e17 are independent
    big = np.array([[10**17, 1], [10**17 + 1, 1]], dtype=np.int64)
    assert crnt.exact_rank(big) == 2


def test_linalg_rejects_non_integer_matrices():
    with pytest.raises(TypeError, match="`A` must hold integers"):
        crnt.exact_rank([[0.5, 1.0]])
    with pytest.raises(ValueError, match="`A` must be a 2-D"):
        crnt.integer_null_space([1, 2])


# -- Wegscheider cycles and detailed balance ---------------------------------------------------
def test_cycle_basis_of_the_unimolecular_cycle_and_schlogl():
    np.testing.assert_array_equal(crnt.wegscheider_cycles(mt.models.unimolecular_cycle()),
                                  [[1, 1, 1]])
    # Schlögl: both reactions make one X, so the cycle is "first forward, second backward"
    np.testing.assert_array_equal(crnt.wegscheider_cycles(mt.models.schlogl()), [[1, -1]])
    # open isomerisation A_ch <=> A <=> B <=> B_ch: M = 3, s = 2, one cycle through the pools
    net = mt.models.open_isomerisation()
    C = crnt.wegscheider_cycles(net)
    np.testing.assert_array_equal(C, [[1, 1, 1]])
    np.testing.assert_array_equal(C @ net.nu, 0)
    # a closed chain A <=> B <=> C has no cycle: an empty (0, M) basis, Wegscheider vacuous
    chain = mt.models.closed_chain()
    assert crnt.wegscheider_cycles(chain).shape == (0, 2)
    assert crnt.wegscheider_test(chain).holds


def test_wegscheider_log_ratio_is_the_cycle_affinity():
    kp, km = (1.0, 2.0, 3.0), (1.0, 1.0, 0.5)
    res = crnt.wegscheider_test(mt.models.unimolecular_cycle(kp, km))
    assert res.log_ratios[0] == pytest.approx(np.log(6.0 / 0.5), rel=1e-15)
    assert not res.holds
    ok = crnt.wegscheider_test(mt.models.unimolecular_cycle(kp, km, wegscheider=True))
    assert ok.holds and abs(ok.log_ratios[0]) < 1e-15


def test_wegscheider_uses_effective_constants():
    # Schlögl is detailed balanced iff k1 a k4 = k2 k3 b: the chemostats enter the test
    k1, k2, k3, k4, b = 3.0, 0.6, 0.25, 2.95, 1.0
    a_eq = k2 * k3 * b / (k1 * k4)
    assert crnt.wegscheider_test(mt.models.schlogl(k1, k2, k3, k4, a=a_eq, b=b)).holds
    res = crnt.wegscheider_test(mt.models.schlogl(k1, k2, k3, k4, a=1.0, b=b))
    assert res.log_ratios[0] == pytest.approx(np.log(k1 * 1.0 / k2) - np.log(k3 * b / k4),
                                              rel=1e-14)


def test_wegscheider_refuses_irreversible_reactions_and_zero_constants():
    with pytest.raises(ValueError, match="irreversible: A -> B"):
        crnt.wegscheider_test(mt.Network.from_string("A -> B ; 1\nB <=> A ; 1, 1"))
    with pytest.raises(ValueError, match="non-zero effective rate constants"):
        crnt.wegscheider_test(mt.models.schlogl(a=0.0))
    with pytest.raises(TypeError, match="`net` must be a mesothermo.Network"):
        crnt.wegscheider_cycles("A -> B")
    with pytest.raises(ValueError, match="`rtol` must be a finite number > 0"):
        crnt.wegscheider_test(mt.models.isomerisation(), rtol=float("nan"))


def test_detailed_balance_at_the_equilibrium_of_a_closed_isomerisation():
    net = mt.models.isomerisation(2.0, 0.5)
    res = crnt.detailed_balance_test(net, [1.0, 4.0])
    assert res.holds and res.residual.shape == (1,) and res.residual[0] == 0.0
    off = crnt.detailed_balance_test(net, [1.0, 1.0])
    assert not off.holds and off.residual[0] == pytest.approx(np.log(2.0 / 0.5), rel=1e-15)
    # both rates zero: balanced; one zero: infinite
    dimer = mt.models.dimerisation(1.0, 1.0)
    assert crnt.detailed_balance_test(dimer, [0.0, 0.0]).holds
    assert crnt.detailed_balance_test(dimer, [1.0, 0.0]).residual[0] == np.inf


def test_detailed_balance_test_validates_x():
    net = mt.models.isomerisation()
    with pytest.raises(ValueError, match="`x`"):
        crnt.detailed_balance_test(net, [1.0, -1.0])
    with pytest.raises(ValueError, match="`x` must be one state"):
        crnt.detailed_balance_test(net, [[1.0, 1.0]])
    with pytest.raises(ValueError, match="irreversible"):
        crnt.detailed_balance_test(mt.models.immigration_death(), [1.0])
