"""Tests of mesothermo.rre: rate equations (Ge–Qian Eq. 4), steady states, linear noise."""

import numpy as np
import pytest

import mesothermo as mt
from mesothermo import _kinetics
from mesothermo import lna, rre


def test_rhs_is_eq4_for_schlogl():
    # dx/dt = k1 a x^2 - k2 x^3 + k3 b - k4 x (the model's docstring)
    net = mt.models.schlogl(k1=3, k2=0.6, k3=0.25, k4=2.95, a=2.0, b=0.5)
    x = np.linspace(0, 5, 11)[:, None]
    expected = 3 * 2 * x**2 - 0.6 * x**3 + 0.25 * 0.5 - 2.95 * x
    np.testing.assert_allclose(rre.rre_rhs(net, x), expected, rtol=1e-14, atol=1e-14)


def test_solve_rre_isomerisation_matches_closed_form():
    # A <=> B: a(t) = a_eq + (a0 - a_eq) exp(-(k+ + k-) t), a_eq = T k-/(k+ + k-).
    kp, km = 2.0, 0.5
    net = mt.models.isomerisation(kp, km)
    x0 = np.array([3.0, 1.0])
    t = np.linspace(0, 5, 51)
    x = rre.solve_rre(net, x0, t)
    T = x0.sum()
    a_eq = T * km / (kp + km)
    a = a_eq + (x0[0] - a_eq) * np.exp(-(kp + km) * t)
    assert x.shape == (51, 2)
    np.testing.assert_allclose(x[:, 0], a, rtol=0, atol=1e-8)
    np.testing.assert_allclose(x[:, 1], T - a, rtol=0, atol=1e-8)


def test_solve_rre_stiff_methods_agree():
    # Fast and slow reactions (rates 1e4 and 1): LSODA and Radau reach the same state.
    net = mt.Network.from_string("A <=> B ; 1e4, 1e4\nB -> C ; 1")
    t = [0.0, 0.5, 2.0]
    x1 = rre.solve_rre(net, [1.0, 0.0, 0.0], t)
    x2 = rre.solve_rre(net, [1.0, 0.0, 0.0], t, method="Radau")
    np.testing.assert_allclose(x1, x2, atol=1e-8)
    # B -> C at rate k x_B with x_B ~ (1 - x_C)/2 after the fast equilibration
    np.testing.assert_allclose(x1[-1, 2], 1 - np.exp(-0.5 * 2.0), atol=1e-4)
    np.testing.assert_allclose(rre.solve_rre(net, [1.0, 0.0, 0.0], [0.0])[0], [1, 0, 0])


def test_schlogl_three_steady_states_two_stable():
    states = rre.steady_states(mt.models.schlogl())
    assert len(states) == 3
    assert [s.stable for s in states] == [True, False, True]
    x = np.array([s.x[0] for s in states])
    np.testing.assert_allclose(x, [0.0935, 1.204, 3.702], atol=6e-4)
    # roots to rounding: the cubic vanishes there relative to its terms
    np.testing.assert_allclose(rre.rre_rhs(mt.models.schlogl(), x[:, None])[:, 0], 0, atol=1e-13)
    # the eigenvalue is f'(x)
    for s in states:
        assert s.eigenvalues.shape == (1,)
        np.testing.assert_allclose(s.eigenvalues[0],
                                   rre.jacobian(mt.models.schlogl(), s.x)[0, 0])


def test_schlogl_monostable_and_range_filter():
    one = rre.steady_states(mt.models.schlogl(k3=1.0))
    assert len(one) == 1 and one[0].stable
    inner = rre.steady_states(mt.models.schlogl(), x_range=(0.5, 2.0))
    assert len(inner) == 1 and not inner[0].stable


def test_steady_states_with_conservation_law():
    net = mt.models.dimerisation(k_plus=1.0, k_minus=2.0)
    states = rre.steady_states(net, conserved=[5.0])   # x_A + 2 x_A2 = 5
    assert len(states) == 1 and states[0].stable
    a, a2 = states[0].x
    np.testing.assert_allclose([a + 2 * a2, a * a - 2 * a2], [5.0, 0.0], atol=1e-12)
    assert states[0].eigenvalues.shape == (1,)  # conserved direction left out


def test_brusselator_steady_state_and_hopf():
    stable = rre.steady_states(mt.models.brusselator(a=1.0, b=1.5))
    assert len(stable) == 1 and stable[0].stable
    np.testing.assert_allclose(stable[0].x, [1.0, 1.5], atol=1e-10)
    unstable = rre.steady_states(mt.models.brusselator(a=1.0, b=2.5))
    assert len(unstable) == 1 and not unstable[0].stable
    np.testing.assert_allclose(unstable[0].x, [1.0, 2.5], atol=1e-10)


@pytest.mark.parametrize("model", [mt.models.schlogl(), mt.models.brusselator(1.0, 2.0),
                                   mt.models.dimerisation(), mt.models.driven_cycle(),
                                   mt.Network.from_string("2 A + B <=> 3 C ; 1.3, 0.7\n"
                                                          "C -> A ; 2")])
def test_jacobian_matches_finite_differences(model):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(0.2, 3.0, model.N)
        J = rre.jacobian(model, x)
        h = 1e-6
        fd = np.empty_like(J)
        for j in range(model.N):
            e = np.zeros(model.N)
            e[j] = h
            fd[:, j] = (rre.rre_rhs(model, x + e) - rre.rre_rhs(model, x - e)) / (2 * h)
        np.testing.assert_allclose(J, fd, rtol=1e-7, atol=1e-7)


def test_jacobian_exact_at_zero_and_broadcast():
    net = mt.Network.from_string("X -> 0 ; 2\n0 -> X ; 1\n2 X -> 3 X ; 1.5")
    np.testing.assert_allclose(rre.jacobian(net, [0.0]), [[-2.0]])   # d(1.5 x^2)/dx = 0 at 0
    J = rre.jacobian(net, np.array([[0.0], [1.0], [2.0]]))
    assert J.shape == (3, 1, 1)
    np.testing.assert_allclose(J[:, 0, 0], -2 + 3.0 * np.array([0, 1, 2]))


def test_diffusion_matrix():
    net = mt.models.isomerisation(2.0, 0.5)
    x = np.array([1.0, 4.0])
    D = lna.diffusion_matrix(net, x)
    s = 2.0 * 1.0 + 0.5 * 4.0
    np.testing.assert_allclose(D, [[s, -s], [-s, s]])


def test_lna_immigration_death_is_poisson():
    # Poisson: variance of n = mean = V k_in/k_out, so C = var(sqrt(V) x_V) = k_in/k_out.
    for k_in, k_out in [(10.0, 1.0), (3.0, 7.0)]:
        net = mt.models.immigration_death(k_in, k_out)
        (ss,) = rre.steady_states(net)
        C = lna.lna_covariance(net, ss.x)
        np.testing.assert_allclose(C, [[k_in / k_out]], rtol=1e-12)


def test_lna_closed_isomerisation_is_binomial_on_its_class():
    # n_B ~ Binomial(n_T, q), q = k+/(k+ + k-): var(n_B)/V = T q (1 - q); n_A = n_T - n_B.
    kp, km, T = 2.0, 1.0, 3.0
    net = mt.models.isomerisation(kp, km)
    (ss,) = rre.steady_states(net, conserved=[T])
    C = lna.lna_covariance(net, ss.x)
    q = kp / (kp + km)
    v = T * q * (1 - q)
    np.testing.assert_allclose(C, [[v, -v], [-v, v]], rtol=1e-12)
    np.testing.assert_allclose(net.conservation_laws() @ C, 0, atol=1e-12)


def test_lna_path_immigration_death_closed_form():
    # From n(0) = V x0 exactly: n(t) = Binomial(n0, e^{-kt}) + Poisson(m(t)), so
    # C(t) = x0 e^{-kt}(1 - e^{-kt}) + (k_in/k)(1 - e^{-kt}).
    k_in, k, x0 = 10.0, 2.0, 1.0
    net = mt.models.immigration_death(k_in, k)
    t = np.linspace(0, 4, 9)
    x, C = lna.lna_covariance_path(net, [x0], t)
    e = np.exp(-k * t)
    np.testing.assert_allclose(x[:, 0], k_in / k + (x0 - k_in / k) * e, atol=1e-9)
    np.testing.assert_allclose(C[:, 0, 0], x0 * e * (1 - e) + (k_in / k) * (1 - e), atol=1e-8)
    # approaches the stationary Lyapunov solution
    path = lna.lna_covariance_path(mt.models.brusselator(1.0, 1.5), [1.0, 1.5], [0.0, 60.0])
    np.testing.assert_allclose(path.C[-1], lna.lna_covariance(mt.models.brusselator(1.0, 1.5),
                                                              [1.0, 1.5]), rtol=1e-6)


def test_lna_lyapunov_residual_schlogl():
    net = mt.models.schlogl()
    for s in rre.steady_states(net):
        if not s.stable:
            with pytest.raises(ValueError, match="stable steady state"):
                lna.lna_covariance(net, s.x)
            continue
        C = lna.lna_covariance(net, s.x)
        J, D = rre.jacobian(net, s.x), lna.diffusion_matrix(net, s.x)
        np.testing.assert_allclose(J @ C + C @ J.T + D, 0, atol=1e-12 * np.abs(D).max())


def test_bad_input_errors():
    net = mt.models.immigration_death()
    with pytest.raises(ValueError, match="`x0` must be non-negative"):
        rre.solve_rre(net, [-1.0], [0, 1])
    with pytest.raises(ValueError, match="`x0` must have"):
        rre.solve_rre(net, [1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match="not properly sorted"):
        rre.solve_rre(net, [1.0], [0, 2, 1])
    with pytest.raises(ValueError, match="`times` must be finite and non-negative"):
        rre.solve_rre(net, [1.0], [0, np.inf])
    with pytest.raises(ValueError, match="`rtol`"):
        rre.solve_rre(net, [1.0], [0, 1], rtol=-1)
    with pytest.raises(TypeError, match="`net` must be a mesothermo.Network"):
        rre.rre_rhs("0 -> X ; 1", [1.0])
    with pytest.raises(ValueError, match="`conserved` is required"):
        rre.steady_states(mt.models.isomerisation())
    with pytest.raises(ValueError, match="no conservation laws"):
        rre.steady_states(net, conserved=[1.0])
    with pytest.raises(ValueError, match="`x_range`"):
        rre.steady_states(net, x_range=(2.0, 1.0))
    with pytest.raises(ValueError, match="must be a steady state"):
        lna.lna_covariance(net, [3.0])
    with pytest.raises(ValueError, match="`C0` must have shape"):
        lna.lna_covariance_path(net, [1.0], [0, 1], C0=np.eye(2))
    with pytest.raises(ValueError, match="positive semi-definite"):
        lna.lna_covariance_path(net, [1.0], [0, 1], C0=[[-1.0]])


def test_general_rate_law_needs_volume_and_brackets():
    # Hill-type production with linear decay: r+(n) = V (3 x^2/(1 + x^2) + 0.05), r-(n) = n.
    rx = [{"reactants": {}, "products": {"X": 1}, "k_plus": 0.0,
           "propensity_plus": lambda n, V: V * 3 * (n[..., 0] / V) ** 2
           / (1 + (n[..., 0] / V) ** 2) + 0.05 * V},
          {"reactants": {"X": 1}, "products": {}, "k_plus": 1.0}]
    net = mt.Network(rx)
    with pytest.raises(ValueError, match="`V` is required"):
        rre.rre_rhs(net, [1.0])
    with pytest.raises(ValueError, match="`x_range` is required"):
        rre.steady_states(net, V=100.0)
    states = rre.steady_states(net, x_range=(0, 10), V=100.0)
    f = rre.rre_rhs(net, np.array([[s.x[0]] for s in states]), V=100.0)
    np.testing.assert_allclose(f, 0, atol=1e-10)
    assert [s.stable for s in states] == [True, False, True]


def test_steady_states_x_range_checks():
    # An infinite upper bound is a plain filter for one species with mass action ...
    xs = [s.x[0] for s in rre.steady_states(mt.models.schlogl(), x_range=(1.0, np.inf))]
    np.testing.assert_allclose(xs, [1.2041, 3.7024], atol=1e-4)
    # ... but starting points and bracketing grids need a finite box (was: silently no states)
    with pytest.raises(ValueError, match="`x_range` must be finite here"):
        rre.steady_states(mt.models.brusselator(), x_range=(0.0, np.inf))
    with pytest.raises(TypeError, match="`x_range` must be"):
        rre.steady_states(mt.models.schlogl(), x_range="wide")
    with pytest.raises(ValueError, match="`x_range`"):
        rre.steady_states(mt.models.schlogl(), x_range=(-np.inf, 1.0))
    with pytest.raises(TypeError, match="`conserved` must be an array of 1 totals"):
        rre.steady_states(mt.models.isomerisation(), conserved="ten")
    with pytest.raises(TypeError, match="`n_starts` must be an integer"):
        rre.steady_states(mt.models.brusselator(), n_starts=2.5)


def test_tolerances_and_rates_are_checked_by_name():
    net = mt.models.immigration_death()
    with pytest.raises(TypeError, match="`atol` must be a real number"):
        rre.solve_rre(net, [1.0], [0, 1], atol="tight")
    with pytest.raises(ValueError, match="`rtol` must be a finite number > 0"):
        lna.lna_covariance_path(net, [1.0], [0, 1], rtol=float("nan"))
    # the rates used here are the network's own R±(x)
    x = np.array([[0.5], [2.0]])
    np.testing.assert_array_equal(_kinetics.rates(net, x).plus, net.rates(x).plus)
