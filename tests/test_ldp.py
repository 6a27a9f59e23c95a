"""Tests of mesothermo.ldp: the Hamiltonian, the Kurtz–Hu equation (Ge–Qian Eq. 6), the rate
function from the CME (Eq. 8), in 1-D exactly, in 2-D by characteristics, and Eq. 10."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesothermo as mt
from mesothermo import ldp

SPECIES = ("A", "B", "C")


# ---------------------------------------------------------------------------------------------
# Random small mass-action networks
# ---------------------------------------------------------------------------------------------
@st.composite
def networks(draw):
    n_rx = draw(st.integers(1, 4))
    reactions = []
    for _ in range(n_rx):
        side = st.dictionaries(st.sampled_from(SPECIES), st.integers(1, 2), max_size=2)
        reactants, products = draw(side), draw(side)
        kp = draw(st.floats(0.01, 10.0))
        km = draw(st.one_of(st.none(), st.floats(0.01, 10.0)))
        reactions.append({"reactants": reactants, "products": products, "k_plus": kp,
                          "k_minus": km})
    if not any(r["reactants"] or r["products"] for r in reactions):
        reactions[0]["products"] = {"A": 1}
    return mt.Network(reactions)


@settings(max_examples=60, deadline=None)
@given(net=networks(), data=st.data())
def test_hamiltonian_zero_at_p0_convex_and_gives_eq4(net, data):
    N = net.N
    x = np.array(data.draw(st.lists(st.floats(0.0, 5.0), min_size=N, max_size=N)))
    p = np.array(data.draw(st.lists(st.floats(-2.0, 2.0), min_size=N, max_size=N)))
    d = np.array(data.draw(st.lists(st.floats(-1.0, 1.0), min_size=N, max_size=N)))
    # H(x, 0) = 0 exactly
    assert mt.hamiltonian(net, x, np.zeros(N)) == 0.0
    # convex in p: second difference along any direction is >= 0 up to rounding
    h = 0.1
    Hs = mt.hamiltonian(net, x, np.array([p + h * d, p, p - h * d]))
    second = Hs[0] - 2 * Hs[1] + Hs[2]
    assert second >= -1e-10 * (np.abs(Hs).sum() + 1.0)
    # dH/dp at p = 0 is the rate equation (Ge–Qian Eq. 4)
    eps = 1e-6
    grad = np.array([(mt.hamiltonian(net, x, eps * e) - mt.hamiltonian(net, x, -eps * e))
                     / (2 * eps) for e in np.eye(N)])
    f = mt.rre_rhs(net, x)
    np.testing.assert_allclose(grad, f, rtol=1e-6, atol=1e-6 * (1 + np.abs(f).max()))
    # the Kurtz–Hu residual is Eq. 6 as printed, i.e. -H
    np.testing.assert_allclose(mt.kurtz_hu_residual(net, x, p), -Hs[1], rtol=1e-15, atol=0)


def test_hamiltonian_broadcast_and_overflow_guard():
    net = mt.models.immigration_death(10, 1)
    x = np.linspace(1, 20, 7)[:, None]
    H = mt.hamiltonian(net, x, [0.3])
    np.testing.assert_allclose(H[:, 0] if H.ndim == 2 else H,
                               10 * np.expm1(0.3) + x[:, 0] * np.expm1(-0.3), rtol=1e-14)
    with pytest.raises(ValueError, match="overflows a double"):
        mt.hamiltonian(net, [1.0], [800.0])
    # a vanishing rate does not trigger the guard: at x = 0 the death channel is off
    assert np.isfinite(mt.hamiltonian(net, [0.0], [-800.0]))
    with pytest.raises(ValueError, match="`theta` must have last axis of length 1"):
        mt.hamiltonian(net, [1.0], [[0.1, 0.2]])


# ---------------------------------------------------------------------------------------------
# One dimension
# ---------------------------------------------------------------------------------------------
def test_1d_immigration_death_is_eq10_and_solves_eq6():
    k_in, k_out = 10.0, 2.0
    net = mt.models.immigration_death(k_in, k_out)
    xs = k_in / k_out
    x = np.linspace(0.0, 25.0, 251)
    phi = mt.rate_function_1d(net, x, x_ref=xs)
    eq10 = mt.rate_function_complex_balanced(net, [xs])
    np.testing.assert_allclose(phi, eq10(x[:, None]), rtol=0, atol=1e-12)
    # Eq. 6 with the exact slope ln(x/x*): zero to rounding, relative to the total rate
    xi = x[1:, None]
    res = mt.kurtz_hu_residual(net, xi, eq10.gradient(xi))
    assert np.max(np.abs(res) / (k_in + k_out * xi[:, 0])) < 1e-14


def test_1d_general_jumps_root_solve():
    # 0 -> 2X (jump +2), X -> 0: phi' is the non-zero root of 5(e^{2p}-1) + x(e^{-p}-1) = 0
    net = mt.Network.from_string("0 -> 2 X ; 5\nX -> 0 ; 1")
    x = np.linspace(0.5, 30.0, 60)
    slope = ldp.one_dim._slope_1d(net, x, None)
    res = mt.kurtz_hu_residual(net, x[:, None], slope[:, None])
    assert np.max(np.abs(res) / (5 + x)) < 1e-13
    (ss,) = mt.steady_states(net)
    phi = mt.rate_function_1d(net, x, x_ref=float(ss.x[0]))
    assert ss.x[0] == pytest.approx(10.0) and np.all(phi >= -1e-12)
    # closed form: e^{p} = u solves 5u^3 - (5 + x)u + x = 0, i.e. u = 1 or 5u^2 + 5u - x = 0
    u = (-5 + np.sqrt(25 + 20 * x)) / 10
    np.testing.assert_allclose(slope, np.log(u), atol=1e-13)


def test_1d_schlogl_wells_and_barrier():
    net = mt.models.schlogl()
    lo, mid, hi = (s.x[0] for s in mt.steady_states(net))
    x = np.linspace(0.01, 6.0, 2000)
    phi = mt.rate_function_1d(net, np.concatenate([x, [lo, mid, hi]]), x_ref=lo)
    phi_lo, phi_mid, phi_hi = phi[-3:]
    assert phi_lo == 0.0
    # minima at the stable states, the maximum between them at the unstable one
    assert phi_mid > phi_hi > 0 and phi_mid > phi_lo
    assert np.all(phi[:-3][(x > mid)] >= phi_hi - 1e-12)
    assert np.all(phi[:-3][(x < mid)] >= phi_lo - 1e-12)
    assert np.max(phi[:-3][(x > lo) & (x < hi)]) <= phi_mid + 1e-12


def test_1d_errors():
    with pytest.raises(ValueError, match="one species"):
        mt.rate_function_1d(mt.models.open_isomerisation(), [1.0, 2.0], 1.0)
    net = mt.models.immigration_death()
    with pytest.raises(ValueError, match="`x_ref`"):
        mt.rate_function_1d(net, [1.0, 2.0], -1.0)
    with pytest.raises(ValueError, match="non-negative"):
        mt.rate_function_1d(net, [-1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="no reaction moves x down"):
        mt.rate_function_1d(mt.Network.from_string("0 -> 2 X ; 1"), [1.0, 2.0], 1.0)


def test_jump_rates_1d_schlogl_closed_form_and_the_slope():
    # W+ = k1 a x^2 + k3 b, W- = k2 x^3 + k4 x; phi' = ln(W-/W+) is rate_function_1d's slope
    net = mt.models.schlogl(k1=3.0, k2=0.6, k3=0.25, k4=2.95)
    x = np.linspace(0.0, 6.0, 61)
    W = mt.jump_rates_1d(net, x)
    assert isinstance(W, mt.JumpRates)
    np.testing.assert_allclose(W.up, 3.0 * x**2 + 0.25, rtol=1e-15, atol=0)
    np.testing.assert_allclose(W.down, 0.6 * x**3 + 2.95 * x, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ldp.one_dim._slope_1d(net, x[1:], None),
                               np.log(W.down[1:] / W.up[1:]), rtol=1e-15, atol=1e-15)
    up, down = mt.jump_rates_1d(net, x[:, None])          # (K, 1) input, tuple unpacking
    np.testing.assert_array_equal(up, W.up)


def test_jump_rates_1d_with_volume_are_the_propensities():
    # w+-(n)/V at n = Vx, with the falling factorials: a_+ = -k1 a x, a_- = -3 k2 x^2 at O(1/V)
    net, V = mt.models.schlogl(), 50.0
    n = np.arange(0, 301)
    w = mt.jump_rates_1d(net, n / V, V=V)
    rp, rm = net.propensities(n[:, None], V)
    assert net.nu[:, 0].tolist() == [1, 1]                 # both forward directions add one X
    np.testing.assert_allclose(w.up, (rp[:, 0] + rp[:, 1]) / V, rtol=1e-14, atol=0)
    np.testing.assert_allclose(w.down, (rm[:, 0] + rm[:, 1]) / V, rtol=1e-14, atol=0)
    V_big, x = 1e6, np.arange(1, 51) / 10
    W, w = mt.jump_rates_1d(net, x), mt.jump_rates_1d(net, x, V=V_big)
    np.testing.assert_allclose(V_big * (w.up - W.up), -3.0 * x, rtol=1e-6)
    np.testing.assert_allclose(V_big * (w.down - W.down), -3 * 0.6 * x**2, rtol=1e-5)


def test_jump_rates_1d_errors():
    with pytest.raises(ValueError, match="one species"):
        mt.jump_rates_1d(mt.models.open_isomerisation(), [1.0])
    with pytest.raises(ValueError, match="not one-step"):
        mt.jump_rates_1d(mt.Network.from_string("0 -> X ; 1\n2 X -> 0 ; 1"), [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        mt.jump_rates_1d(mt.models.immigration_death(), [-1.0])


def test_kurtz_hu_residual_relative_to_the_total_rate():
    net = mt.models.brusselator(a=1.0, b=1.5, reverse=0.1)
    rng = np.random.default_rng(3)
    x, g = rng.uniform(0.1, 3.0, (40, 2)), rng.normal(size=(40, 2))
    Rp, Rm = net.rates(x)
    np.testing.assert_allclose(mt.kurtz_hu_residual(net, x, g, relative=True),
                               mt.kurtz_hu_residual(net, x, g) / (Rp + Rm).sum(-1),
                               rtol=1e-15, atol=0)
    # NaN where no reaction runs (pure death at x = 0)
    death = mt.Network.from_string("X -> 0 ; 1")
    res = mt.kurtz_hu_residual(death, [[0.0], [2.0]], [[0.3], [0.3]], relative=True)
    assert np.isnan(res[0]) and res[1] == pytest.approx(-np.expm1(-0.3))


# ---------------------------------------------------------------------------------------------
# From the CME (Eq. 8)
# ---------------------------------------------------------------------------------------------
def test_cme_rate_function_converges_like_lnV_over_V():
    # Poisson: -ln p/V = phi(x) + ln(2 pi V x)/(2V) + O(1/V^2) (Stirling), so after the shift
    # to min 0 the error on 0 <= x <= 30 is at most ln(2 pi V 30)/(2V) < ln(V)/V at V = 1000.
    net = mt.models.immigration_death(10, 1)
    errs = {}
    for V in (100, 1000):
        x, phi = mt.rate_function_from_cme(net, V, max_counts=40 * V)
        assert x.shape == (40 * V + 1, 1) and phi.shape == (40 * V + 1,)
        assert phi.min() == 0.0
        exact = mt.rate_function_complex_balanced(net, [10.0])(x)
        m = x[:, 0] <= 30
        errs[V] = np.max(np.abs(phi - exact)[m])
    assert errs[1000] < np.log(1000) / 1000
    assert errs[1000] < errs[100] / 5      # roughly (ln V / V): ratio 6.7 for 100 -> 1000


# ---------------------------------------------------------------------------------------------
# Two dimensions by characteristics, against Eq. 10
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("net", [
    mt.models.open_isomerisation(a=2.0, b=0.5),                        # driven, coupled
    mt.Network.from_string("0 -> X ; 10\nX -> 0 ; 1\n0 -> Y ; 10\nY -> 0 ; 4"),  # slow/fast
])
def test_characteristics_match_eq10(net):
    (ss,) = mt.steady_states(net)
    ch = mt.rate_function_characteristics(net, ss.x)
    eq10 = mt.rate_function_complex_balanced(net, ss.x)
    x, p, phi = ch.points()
    # on the rays: as accurate as the integration (rtol 1e-9) and the O(r^3) launch
    assert np.max(np.abs(phi - eq10(x))) < 1e-6
    assert np.max(np.abs(p - eq10.gradient(x))) < 1e-5
    assert np.max(np.abs(mt.hamiltonian(net, x, p))) < 1e-6
    # between the rays, on a grid where phi <= 2: the gradient-enhanced interpolant
    g1 = np.linspace(*ch.box[0], 60)
    g2 = np.linspace(*ch.box[1], 60)
    X = np.stack(np.meshgrid(g1, g2), axis=-1)
    Z = ch.on_grid(g1, g2)
    E = eq10(X)
    m = (E <= 2.0)
    assert np.isfinite(Z[m]).mean() > 0.95            # the rays cover the level set
    m &= np.isfinite(Z)
    assert np.max(np.abs(Z - E)[m]) < 5e-4
    # Kurtz–Hu residual of the interpolated gradient, relative to the total rate
    G = ch.grad_phi(X[m])
    total = np.sum(np.add(*net.rates(X[m])), axis=-1)
    assert np.max(np.abs(mt.kurtz_hu_residual(net, X[m], G)) / total) < 2e-2


def test_characteristics_errors():
    with pytest.raises(ValueError, match="two species"):
        mt.rate_function_characteristics(mt.models.schlogl())
    with pytest.raises(ValueError, match="conservation law"):
        mt.rate_function_characteristics(mt.models.isomerisation())
    net = mt.models.open_isomerisation()
    with pytest.raises(ValueError, match="steady state"):
        mt.rate_function_characteristics(net, [2.0, 2.0])
    with pytest.raises(ValueError, match="`box` must contain"):
        mt.rate_function_characteristics(net, [1.0, 1.0], box=[[2, 3], [2, 3]])


# ---------------------------------------------------------------------------------------------
# Eq. 10
# ---------------------------------------------------------------------------------------------
def test_eq10_solves_kurtz_hu_for_nonlinear_complex_balanced_network():
    # 0 <=> A, 2A <=> B: deficiency 4 - 2 - 2 = 0, weakly reversible -> complex balanced.
    net = mt.Network.from_string("0 <=> A ; 2, 1\n2 A <=> B ; 1, 3")
    (ss,) = mt.steady_states(net)
    phi = mt.rate_function_complex_balanced(net, ss.x)
    assert phi(ss.x) == 0.0
    x = np.random.default_rng(0).uniform(0.05, 6.0, (200, 2))
    res = mt.kurtz_hu_residual(net, x, phi.gradient(x))
    total = np.sum(np.add(*net.rates(x)), axis=-1)
    assert np.max(np.abs(res) / total) < 1e-14
    assert np.all(phi(x) > 0)


def test_eq10_refuses_a_network_that_is_not_complex_balanced():
    net = mt.models.schlogl()
    x_lo = mt.steady_states(net)[0].x
    with pytest.raises(ValueError, match="not a complex-balanced steady state"):
        mt.rate_function_complex_balanced(net, x_lo)
    phi = mt.rate_function_complex_balanced(net, x_lo, check=False)
    x = np.linspace(0.2, 5, 20)[:, None]
    res = mt.kurtz_hu_residual(net, x, phi.gradient(x))
    assert np.max(np.abs(res)) > 1e-2          # Eq. 10 does not solve Eq. 6 here
    with pytest.raises(ValueError, match="positive"):
        mt.rate_function_complex_balanced(mt.models.immigration_death(), [0.0])


def test_eq10_tolerance_and_flag_are_checked():
    # A NaN tol made the complex-balance check pass for any network (defect > nan is False).
    net = mt.models.brusselator(reverse=1.0)
    with pytest.raises(ValueError, match="`tol` must be a finite number > 0"):
        mt.rate_function_complex_balanced(net, [1.0, 1.0], tol=float("nan"))
    with pytest.raises(ValueError, match="`tol`"):
        mt.rate_function_complex_balanced(net, [1.0, 1.0], tol=-1e-8)
    with pytest.raises(TypeError, match="`check` must be True or False"):
        mt.rate_function_complex_balanced(net, [1.0, 1.0], check="no")


def test_1d_and_characteristics_arguments_named():
    net = mt.models.immigration_death()
    with pytest.raises(TypeError, match="`x_grid` must be an array"):
        mt.rate_function_1d(net, ["a", "b"], 1.0)
    with pytest.raises(ValueError, match="`x_grid` must hold at least one"):
        mt.rate_function_1d(net, [], 1.0)
    with pytest.raises(ValueError, match=r"`x_grid` must be 1-D"):
        mt.rate_function_1d(net, np.ones((2, 2)), 1.0)
    with pytest.raises(TypeError, match="`x` must be an array"):
        mt.jump_rates_1d(net, "five")
    with pytest.raises(ValueError, match="`x` must be non-negative"):
        mt.jump_rates_1d(net, [-1.0])
    with pytest.raises(TypeError, match="`x_ref` must be a real number"):
        mt.rate_function_1d(net, [1.0, 2.0], "10")
    with pytest.raises(ValueError, match="`nodes` must be an integer >= 2"):
        mt.rate_function_1d(net, [1.0, 2.0], 1.0, nodes=1)
    two = mt.models.open_isomerisation()
    with pytest.raises(ValueError, match="`n_rays` must be an integer >= 4"):
        mt.rate_function_characteristics(two, [1.0, 1.0], n_rays=2)
    with pytest.raises(ValueError, match="`radius` must be a finite number > 0"):
        mt.rate_function_characteristics(two, [1.0, 1.0], radius=float("nan"))
    with pytest.raises(ValueError, match="`t_max` must be a finite number > 0"):
        mt.rate_function_characteristics(two, [1.0, 1.0], t_max=-1.0)
    with pytest.raises(TypeError, match="`phi_tol`"):
        mt.rate_function_characteristics(two, [1.0, 1.0], phi_tol="small")


def test_momenta_are_checked_like_concentrations_but_may_be_negative():
    net = mt.models.open_isomerisation()
    assert np.isfinite(mt.hamiltonian(net, [1.0, 1.0], [-0.5, 0.5]))
    with pytest.raises(TypeError, match=r"`theta` must be an array with last axis 2\."):
        mt.hamiltonian(net, [1.0, 1.0], ["a", "b"])
    with pytest.raises(ValueError, match="`grad_phi` must have last axis of length 2"):
        mt.kurtz_hu_residual(net, [1.0, 1.0], [0.1])
    with pytest.raises(ValueError, match="`theta` must be finite"):
        mt.hamiltonian(net, [1.0, 1.0], [np.inf, 0.0])


# -- issue 10: the package's new pieces ----------------------------------------------------------
def test_richardson_in_V_removes_the_polynomial_terms():
    f = lambda V: 1.5 + 2.0 / V - 7.0 / V**2 + 0.3 / V**3      # noqa: E731
    Vs = [10.0, 20.0, 40.0, 80.0]
    assert mt.richardson_in_V(Vs, [f(V) for V in Vs]) == pytest.approx(1.5, abs=1e-12)
    # three points leave the 1/V^3 term: error 0.3 * |sum w_k / V_k^3| exactly
    w3 = mt.richardson_in_V(Vs[:3], [1.0 / V**3 for V in Vs[:3]])
    assert mt.richardson_in_V(Vs[:3], [f(V) for V in Vs[:3]]) == pytest.approx(1.5 + 0.3 * w3,
                                                                                abs=1e-13)
    np.testing.assert_allclose(mt.richardson_in_V([20, 40, 80], [np.full(3, 1 / V) for V in
                                                                  (20, 40, 80)]), 0.0, atol=1e-15)
    with pytest.raises(ValueError, match="two distinct volumes"):
        mt.richardson_in_V([10, 10], [1.0, 2.0])
    with pytest.raises(ValueError, match="one array per volume"):
        mt.richardson_in_V([10, 20], [1.0])


def test_prefactor_1d_predicts_the_exact_birth_death_law():
    # Schlögl: -ln p_V(Vx) - V phi(x) must equal -ln Omega(x) + const + O(1/V); the O(1)
    # remainder after removing ln Omega shrinks like 1/V (measured: halves with V doubled).
    net = mt.models.schlogl()
    x = np.linspace(0.3, 4.5, 15)
    phi = mt.rate_function_1d(net, x, x_ref=x[0])
    lnO = mt.prefactor_1d(net, x, x_ref=x[0])
    rest = {}
    for V in (100.0, 200.0, 400.0):
        sample = mt.rate_function_from_cme(net, V, int(6 * V), shift=False)
        n = np.rint(x * V).astype(int)
        r = V * sample.phi[n] - V * phi + lnO
        rest[V] = np.max(np.abs(r - r[0]))
    assert rest[400.0] < 0.6 * rest[200.0] < 0.36 * rest[100.0]
    assert rest[400.0] < 0.02
    # first-order network: Omega = (W+ W-)^(-1/2) exactly
    idn = mt.models.immigration_death(10, 1)
    np.testing.assert_allclose(mt.prefactor_1d(idn, [5.0, 20.0], 10.0),
                               -0.5 * np.log([0.5, 2.0]), rtol=1e-13)
    with pytest.raises(ValueError, match="one species"):
        mt.prefactor_1d(mt.models.brusselator(), [1.0], 1.0)


def test_rate_function_from_cme_unshifted_is_minus_log_p_over_V():
    net, V = mt.models.immigration_death(10, 1), 5.0
    x, phi = mt.rate_function_from_cme(net, V, 200, shift=False)
    from scipy import stats as sps
    np.testing.assert_allclose(phi, -sps.poisson.logpmf(np.arange(201), 50.0) / V, rtol=1e-12)
    with pytest.raises(TypeError, match="`shift`"):
        mt.rate_function_from_cme(net, V, 200, shift="no")


def test_characteristics_kernel_agrees_with_its_twin_and_with_solve_ivp():
    from scipy.integrate import solve_ivp

    from mesothermo.ldp import _characteristics_kernel as ck
    from mesothermo.ldp.hamiltonian import hamilton_equations
    net = mt.models.brusselator(a=1.0, b=1.5, reverse=0.1)
    args = [np.ascontiguousarray(a, dtype=float) for a in
            (net.effective_k_plus, net.effective_k_minus, net.nu_plus, net.nu_minus, net.nu)]
    lo, hi = np.array([0.05, 0.05]), np.array([4.0, 4.0])
    y0 = np.array([1.1, 1.2, 0.05, -0.03, 0.0])
    common = (*args, lo, hi, 3.0, np.inf, 50.0, 1e-11, 1e-13, 100000, ck.DP_A, ck.DP_B, ck.DP_E)
    T, Y = ck.trace_kernel(y0, *common)
    Tp, Yp = ck.trace_python(y0, *common)
    np.testing.assert_allclose(T, Tp, rtol=1e-13, atol=0)
    np.testing.assert_allclose(Y, Yp, rtol=1e-12, atol=1e-14)

    def rhs(t, y):
        dth, dx = hamilton_equations(net, y[:2], y[2:4])
        return np.concatenate([dth, -dx, [y[2:4] @ dth]])
    ref = solve_ivp(rhs, (0.0, T[-1]), y0, method="DOP853", rtol=1e-12, atol=1e-14,
                    dense_output=True)
    # both integrators at tolerances near 1e-11: they agree to ~1e-9 along the ray
    np.testing.assert_allclose(Y, ref.sol(T).T, rtol=0, atol=1e-8)
    # and the kernel's right-hand side is the Python Hamiltonian's, point by point
    out = np.empty(5)
    ck.ham_rhs_2d(y0, *args, out)
    np.testing.assert_allclose(out, rhs(0.0, y0), rtol=1e-13)


def test_eq10_refuses_the_steady_state_of_another_class():
    net = mt.models.isomerisation(2.0, 0.5)           # A <=> B, A + B conserved
    phi = mt.rate_function_complex_balanced(net, [0.2, 0.8], x0=[1.0, 0.0])
    assert float(phi([0.2, 0.8])) == 0.0
    with pytest.raises(ValueError, match="not in the compatibility class of `x0`"):
        mt.rate_function_complex_balanced(net, [0.4, 1.6], x0=[1.0, 0.0])
