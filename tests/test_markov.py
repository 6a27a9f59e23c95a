"""mesothermo.markov: solvers for any sparse generator, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

import mesothermo as mt
from mesothermo import markov
from mesothermo._gth_kernel import gth_banded_log, gth_banded_log_python


def cycle3(a, b, c):
    """0 -> 1 -> 2 -> 0 at rates a, b, c: p = (bc, ca, ab) / (bc + ca + ab)."""
    return sp.csr_matrix(np.array([[-a, 0.0, c], [a, -b, 0.0], [0.0, b, -c]]))


def birth_death(up, down):
    """One-step chain on 0..K: up[n] = rate n -> n+1 (n < K), down[n] = rate n -> n-1 (n > 0)."""
    K = len(up)
    Q = sp.diags([up, down], [-1, 1], shape=(K + 1, K + 1)).tolil()
    Q.setdiag(-np.asarray(Q.sum(axis=0)).ravel())
    return Q.tocsr()


@pytest.mark.parametrize("method", ["gth", "lu", "auto"])
def test_three_state_cycle_to_1e_14(method):
    a, b, c = 0.3, 2.0, 7.5
    law = markov.stationary(cycle3(a, b, c), method)
    exact = np.array([b * c, c * a, a * b]) / (b * c + c * a + a * b)
    np.testing.assert_allclose(law.p, exact, rtol=1e-14, atol=0)
    assert law.method == ("gth" if method == "auto" else method)
    assert law.residual < 1e-15 and law.outflow is None
    assert not law.p.flags.writeable


@pytest.mark.parametrize("method", ["gth", "lu"])
def test_birth_death_chain_is_the_product_formula(method):
    n = np.arange(60)
    up, down = 4.0 + 0.5 * n, 1.0 + 0.3 * (n + 1)       # up[n]: n -> n+1; down[n]: n+1 -> n
    Q = birth_death(up, down)
    exact = np.concatenate([[1.0], np.cumprod(up / down)])
    exact /= exact.sum()
    law = markov.stationary(Q, method)
    np.testing.assert_allclose(law.p, exact, rtol=1e-13, atol=1e-14 * exact.max())
    # dense generator and a plain array are accepted too
    np.testing.assert_allclose(markov.stationary(Q.toarray(), method).p, law.p, rtol=1e-12)


def test_log_stationary_resolves_a_tail_below_1e_minus_1000():
    # immigration-death as a hand-built chain: Poisson(5) on 0..800, p(800) ~ 1e-1700
    K = 800
    Q = birth_death(np.full(K, 5.0), np.arange(1, K + 1, dtype=float))
    law = markov.log_stationary(Q)
    exact = stats.poisson.logpmf(np.arange(K + 1), 5.0)
    assert law.log_p[-1] < -1700 * np.log(10) + 1000
    np.testing.assert_allclose(law.log_p, exact, rtol=1e-13)
    assert law.residual < 1e-10 and law.method == "gth"
    lu = markov.log_stationary(Q, "lu")
    np.testing.assert_allclose(lu.log_p, exact, rtol=1e-11)


def test_diagonal_is_ignored_by_the_stationary_solver():
    # a leaky diagonal (columns summing below zero) does not change the stationary law
    Q = cycle3(1.0, 2.0, 3.0).tolil()
    Q[0, 0] = -5.0
    np.testing.assert_allclose(markov.stationary(Q.tocsr()).p,
                               markov.stationary(cycle3(1.0, 2.0, 3.0)).p, rtol=1e-15)


def test_compiled_gth_agrees_with_its_python_twin():
    rng = np.random.default_rng(7)
    for S, b in [(40, 1), (60, 3), (50, 7)]:
        Qb = rng.exponential(size=(S, 2 * b + 1))
        Qb[:, b] = 0.0                                         # no self-rates
        for i in range(S):                                     # no rates off the lattice
            for d in range(-b, b + 1):
                if not 0 <= i + d < S:
                    Qb[i, d + b] = 0.0
        Qb[rng.random(Qb.shape) < 0.2] = 0.0                   # some missing rates
        fast = gth_banded_log(Qb.copy(), b)
        slow = gth_banded_log_python(Qb.copy(), b)
        finite = np.isfinite(slow)
        np.testing.assert_array_equal(np.isfinite(fast), finite)
        np.testing.assert_allclose(fast[finite], slow[finite], rtol=1e-12, atol=1e-12)


def test_evolve_against_the_two_state_closed_form():
    a, b = 2.0, 0.5                     # 0 -> 1 at a, 1 -> 0 at b
    Q = sp.csr_matrix(np.array([[-a, b], [a, -b]]))
    t = np.linspace(0.0, 3.0, 31)
    exact1 = a / (a + b) * (1 - np.exp(-(a + b) * t))
    for method in ("expm", "dense", "bdf"):
        run = markov.evolve(Q, [1.0, 0.0], t, method)
        tol = 1e-9 if method == "bdf" else 1e-13
        np.testing.assert_allclose(run.p[:, 1], exact1, rtol=0, atol=tol)
        assert run.method == method
        np.testing.assert_allclose(run.mass_lost, 0.0, atol=1e-12)


def test_evolve_reports_the_probability_lost_through_a_leak():
    # one state decaying at rate 2 out of the state space: mass e^{-2t}
    Q = sp.csr_matrix(np.array([[-2.0]]))
    run = markov.evolve(Q, [1.0], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(run.mass_lost, 1 - np.exp(-2 * np.array([0.0, 0.5, 1.0])),
                               rtol=1e-13)


def test_mean_first_passage_time_of_pure_death():
    # X -> 0 at rate n from n to 0: sum_{k=1}^n 1/k
    K = 6
    Q = birth_death(np.zeros(K), np.arange(1, K + 1, dtype=float))
    tau = markov.mean_first_passage_time(Q, np.arange(K + 1) == 0)
    exact = [0.0] + [sum(1 / k for k in range(1, n + 1)) for n in range(1, K + 1)]
    np.testing.assert_allclose(tau, exact, rtol=1e-14)
    p0 = np.full(K + 1, 1 / (K + 1))
    assert markov.mean_first_passage_time(Q, np.arange(K + 1) == 0, p0) == pytest.approx(
        np.mean(exact), rel=1e-14)


def test_cme_results_carry_their_own_diagnostics():
    # the stale-residual sequence of issue 10: gth, lu, gth must each report their own solve
    cme = mt.CME(mt.models.schlogl(), V=30.0, max_counts=250)
    first = cme.stationary("gth")
    lu = cme.stationary("lu")
    again = cme.stationary("gth")
    assert (first.method, lu.method, again.method) == ("gth", "lu", "gth")
    assert again.residual == first.residual
    chain = markov.stationary(cme.reflecting_generator, "lu", anchor=cme._anchor())
    assert lu.residual == chain.residual
    assert first.outflow == pytest.approx(cme.boundary_outflow(first.p), rel=1e-15)
    assert not hasattr(cme, "stationary_residual") and not hasattr(cme, "stationary_method")


def test_generator_is_checked():
    with pytest.raises(ValueError, match="`Q` must be a non-empty square matrix"):
        markov.stationary(np.ones((2, 3)))
    with pytest.raises(ValueError, match="non-negative off-diagonal rates"):
        markov.stationary(np.array([[-1.0, -1.0], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="`Q` must be finite"):
        markov.stationary(np.array([[-1.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(TypeError, match="`Q` must"):
        markov.stationary("not a matrix")
    with pytest.raises(ValueError, match="`method` must be one of"):
        markov.stationary(cycle3(1, 1, 1), "qr")
    with pytest.raises(ValueError, match=r"`p0` must have shape \(3,\)"):
        markov.evolve(cycle3(1, 1, 1), [1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="`p0` must be non-negative"):
        markov.evolve(cycle3(1, 1, 1), [1.0, -1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="`target` is empty"):
        markov.mean_first_passage_time(cycle3(1, 1, 1), np.zeros(3, bool))
