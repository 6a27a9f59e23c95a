"""mesothermo.bifurcation: branches, folds, Hopf points and limit cycles against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

import mesothermo as mt
from mesothermo import bifurcation as bf


def test_hopf_point_of_the_irreversible_brusselator_is_1_plus_a_squared():
    for a in (1.0, 1.5):
        br = bf.continue_branch(lambda b, a=a: mt.models.brusselator(a=a, b=b), [a, 1.0],
                                (1.2, 1 + a**2 + 1.0))
        (hopf,) = br.points
        assert hopf.kind == "hopf"
        assert hopf.param == pytest.approx(1 + a**2, abs=1e-8)
        assert hopf.omega == pytest.approx(a, rel=1e-8)          # sqrt(det J) = a there
        before, after = br.param < hopf.param, br.param > hopf.param
        assert np.all(br.stable[before]) and not np.any(br.stable[after])


def test_hopf_point_of_the_reversible_brusselator_matches_trace_zero():
    # independent: tr J = 0 along the closed-form steady state x* = (a + r)/(1 + r)
    a, r = 1.0, 0.1

    def net(b):
        return mt.models.brusselator(a=a, b=b, reverse=r)

    def x_star(b):
        x = (a + r) / (1 + r)
        return np.array([x, x * (r * x**2 + b) / (x**2 + r)])
    b_h = brentq(lambda b: np.trace(mt.jacobian(net(b), x_star(b))), 1.5, 4.0, xtol=1e-14)
    br = bf.continue_branch(net, x_star(1.5), (1.5, 3.5))
    (hopf,) = [p for p in br.points if p.kind == "hopf"]
    assert hopf.param == pytest.approx(b_h, abs=1e-8)
    np.testing.assert_allclose(hopf.x, x_star(b_h), atol=1e-8)


def test_schlogl_folds_match_the_closed_form():
    k1, k2, k3, k4, b = 3.0, 0.6, 0.25, 2.95, 1.0
    # steady states: a(x) = (k2 x^3 + k4 x - k3 b) / (k1 x^2); folds where da/dx = 0
    roots = np.roots([k2, 0.0, -k4, 2 * k3 * b])
    x_fold = np.sort(roots[(np.abs(roots.imag) < 1e-12) & (roots.real > 0)].real)
    a_fold = (k2 * x_fold**3 + k4 * x_fold - k3 * b) / (k1 * x_fold**2)

    def family(a):
        return mt.models.schlogl(a=a)
    (low,) = mt.steady_states(family(0.5))
    br = bf.continue_branch(family, low.x, (0.5, 4.0), ds=0.05)
    folds = sorted(p.param for p in br.points if p.kind == "fold")
    np.testing.assert_allclose(folds, np.sort(a_fold), atol=1e-8)
    # three branches: stable, unstable (between the folds), stable
    changes = np.flatnonzero(np.diff(br.stable.astype(int)))
    assert changes.size == 2 and br.stable[0] and br.stable[-1]


def test_limit_cycle_period_near_the_hopf_point_and_on_any_section():
    a, eps = 1.0, 0.01
    net = mt.models.brusselator(a=a, b=1 + a**2 + eps)
    lc = bf.limit_cycle(net, [1.0, 2.0], 100.0)
    # near a Hopf point the period is 2 pi / omega + O(eps)
    assert lc.period == pytest.approx(2 * np.pi / a, rel=5 * eps)
    far = mt.models.brusselator(a=1.0, b=3.0)
    p0 = bf.limit_cycle(far, [1.0, 2.0], 60.0, section=0)
    p1 = bf.limit_cycle(far, [1.0, 2.0], 60.0, section=1)
    assert p0.period_spread < 1e-6 * p0.period
    assert p1.period == pytest.approx(p0.period, rel=1e-6)
    np.testing.assert_allclose(p0.x[0], p0.x[-1], atol=1e-5)   # one closed orbit


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="conservation laws"):
        bf.continue_branch(lambda k: mt.models.isomerisation(k, 1.0), [0.5, 0.5], (1.0, 2.0))
    with pytest.raises(ValueError, match="`lam_range`"):
        bf.continue_branch(lambda b: mt.models.brusselator(b=b), [1.0, 1.5], (1.0, 1.0))
    with pytest.raises(ValueError, match="does not converge"):
        # pure immigration has no steady state at all
        bf.continue_branch(lambda k: mt.Network.from_string(f"0 -> X ; {k}"), [1.0], (1.0, 2.0))
    with pytest.raises(ValueError, match="`n_periods`"):
        bf.limit_cycle(mt.models.brusselator(b=3.0), [1.0, 2.0], 10.0, n_periods=1)
