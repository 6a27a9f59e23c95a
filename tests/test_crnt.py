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


# -- the complex graph against published deficiencies -------------------------------------------
EDELSTEIN = "A <=> 2 A ; 1, 1\nA + B <=> C ; 1, 1\nC <=> B ; 1, 1"


def _numbers(net):
    g = crnt.complex_graph(net)
    return g.c, g.l, g.s, g.deficiency, g.weakly_reversible


@pytest.mark.parametrize("text, chemostats, expected", [
    # Edelstein's network (Edelstein 1970): deficiency one, weakly reversible, the standard
    # bistable deficiency-one example (CatalystNetworkAnalysis documents the same numbers)
    (EDELSTEIN, None, (5, 2, 2, 1, True)),
    # Michaelis-Menten E + S <=> C -> E + P: deficiency zero, not weakly reversible
    ("E + S <=> C ; 1, 1\nC -> E + P ; 1", None, (3, 1, 2, 0, False)),
    # the reversible triangle A <=> B <=> C <=> A: δ = 3 - 1 - 2 = 0 (Horn 1972)
    ("A <=> B ; 1, 1\nB <=> C ; 1, 1\nC <=> A ; 1, 1", None, (3, 1, 2, 0, True)),
    # the examples of Feinberg, Foundations of Chemical Reaction Network Theory (2019), as
    # worked in Catalyst's CRN-theory tutorial: 7 complexes, 2 linkage classes, rank 5, δ = 0
    # (C -> D + E has no way back: not weakly reversible)
    ("A + B <=> C ; 1, 1\nC -> D + E ; 1\nD + E <=> F ; 1, 1\n2 A <=> B + G ; 1, 1\n"
     "B + G -> H ; 1\nH -> 2 A ; 1", None, (7, 2, 5, 0, False)),
    # ... weakly reversible but not reversible, δ = 0
    ("A <=> B ; 1, 1\nA + C -> D ; 1\nD -> B + E ; 1\nB + E -> A + C ; 1", None,
     (5, 2, 3, 0, True)),
    # ... δ = 0, not weakly reversible (no positive steady state for any constants)
    ("A <=> 2 B ; 1, 1\nA + C <=> D ; 1, 1\nB + E -> C + D ; 1", None, (6, 3, 3, 0, False)),
    # ... the deficiency-one-theorem example: δ = 1 (linkage-class deficiencies 0 and 1; C has
    # no incoming reaction, so not weakly reversible)
    ("A <=> 2 B ; 1, 1\nC -> 2 D ; 1\n2 D -> C + E ; 1\nC + E <=> E + 2 D ; 1, 1", None,
     (6, 2, 3, 1, False)),
])
def test_structural_numbers_match_published_values(text, chemostats, expected):
    assert _numbers(mt.Network.from_string(text, chemostats=chemostats)) == expected


def test_chemostats_are_left_out_of_complexes():
    # Schlögl with A, B buffered: complexes 2X, 3X, 0, X (not A + 2X ...); deficiency one
    g = crnt.complex_graph(mt.models.schlogl())
    assert g.labels == ("2X", "3X", "0", "X")
    assert (g.c, g.l, g.s, g.deficiency, g.weakly_reversible) == (4, 2, 1, 1, True)
    # Brusselator: 0 -> X -> Y, X -> 0, 2X + Y -> 3X; not weakly reversible, deficiency one
    b = crnt.complex_graph(mt.models.brusselator())
    assert b.labels == ("0", "X", "2X + Y", "3X", "Y")
    assert (b.c, b.l, b.s, b.deficiency, b.weakly_reversible) == (5, 2, 2, 1, False)
    assert b.strong_linkage_classes == ((0, 1), (2,), (3,), (4,))
    assert b.terminal_strong_linkage_classes == ((3,), (4,))


def test_incidence_edges_and_cache():
    net = mt.Network.from_string("A -> B ; 1\nB <=> C ; 2, 3")
    g = crnt.complex_graph(net)
    assert crnt.complex_graph(net) is g        # computed once per network
    np.testing.assert_array_equal(g.edges, [[0, 1], [1, 2], [2, 1]])
    np.testing.assert_array_equal(g.edge_reaction, [0, 1, 1])
    np.testing.assert_array_equal(g.edge_direction, [1, 1, -1])
    np.testing.assert_array_equal(g.incidence, [[-1, 0, 0], [1, -1, 1], [0, 1, -1]])
    # the net change of each edge is Y^T times its incidence column
    sign = g.edge_direction[:, None]
    np.testing.assert_array_equal(g.incidence.T @ g.complexes, sign * net.nu[g.edge_reaction])
    assert g.strong_linkage_classes == ((0,), (1, 2))
    assert g.terminal_strong_linkage_classes == ((1, 2),)
    assert not crnt.is_weakly_reversible(net) and crnt.deficiency(net) == 0
    assert not crnt.deficiency_zero_applies(net)
    assert crnt.deficiency_zero_applies(mt.models.unimolecular_cycle())
    assert crnt.linkage_classes(net) == ((0, 1, 2),)
    with pytest.raises(TypeError, match="`net` must be a mesothermo.Network"):
        crnt.complex_graph(None)


def test_irreversible_cycle_is_weakly_reversible():
    net = mt.Network.from_string("A -> B ; 1\nB -> C ; 1\nC -> A ; 1")
    assert _numbers(net) == (3, 1, 2, 0, True)
    assert crnt.deficiency_zero_applies(net)


# -- complex balance ---------------------------------------------------------------------------
def test_irreversible_cycle_is_complex_balanced_but_not_detailed_balanced():
    # A -> B -> C -> A at rates 1, 2, 4: x = (4, 2, 1) t balances every complex (in = out = 4t)
    net = mt.Network.from_string("A -> B ; 1\nB -> C ; 2\nC -> A ; 4")
    res = crnt.complex_balance_test(net, [4.0, 2.0, 1.0])
    assert res.holds
    np.testing.assert_array_equal(res.inflow, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(res.residual, 0.0)
    off = crnt.complex_balance_test(net, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(off.residual, [4 - 1, 1 - 2, 2 - 4])
    assert not off.holds and not crnt.is_complex_balanced(net, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="irreversible"):
        crnt.detailed_balance_test(net, [4.0, 2.0, 1.0])


def test_wegscheider_violating_cycle_is_complex_balanced_at_its_steady_state():
    kp, km = (1.0, 2.0, 3.0), (1.0, 1.0, 1.0)
    net = mt.models.unimolecular_cycle(kp, km)
    (ss,) = mt.steady_states(net, conserved=[3.0])
    assert crnt.complex_balance_test(net, ss.x, rtol=1e-12).holds
    assert not crnt.detailed_balance_test(net, ss.x).holds
    # detailed balance implies complex balance
    db = mt.models.unimolecular_cycle(kp, km, wegscheider=True)
    (eq,) = mt.steady_states(db, conserved=[3.0])
    assert crnt.detailed_balance_test(db, eq.x, rtol=1e-10).holds
    assert crnt.complex_balance_test(db, eq.x, rtol=1e-12).holds


def test_schlogl_is_complex_balanced_only_on_the_wegscheider_locus():
    # deficiency one, one species: complex balance needs k1 a / k2 = k3 b / k4 = x
    k1, k2, k3, k4 = 3.0, 0.6, 0.25, 2.95
    for a, expect in ((k2 * k3 / (k1 * k4), True), (1.0, False)):
        net = mt.models.schlogl(k1, k2, k3, k4, a=a, b=1.0)
        tests = [crnt.is_complex_balanced(net, s.x) for s in mt.steady_states(net) if s.x[0] > 0]
        assert tests and all(t == expect for t in tests)


def test_complex_balance_test_validates_input():
    with pytest.raises(ValueError, match="`x`"):
        crnt.complex_balance_test(mt.models.isomerisation(), [1.0])
    with pytest.raises(ValueError, match="`rtol`"):
        crnt.complex_balance_test(mt.models.isomerisation(), [1.0, 1.0], rtol=-1.0)
    law = mt.Network([mt.Reaction({"X": 1}, {}, 1.0, propensity_plus=lambda n, V: n[..., 0])])
    with pytest.raises(ValueError, match="needs mass-action kinetics"):
        crnt.complex_balance_test(law, [1.0])


# -- product-form stationary laws (Anderson, Craciun and Kurtz 2010, Theorem 4.1) ---------------
def test_product_poisson_law_of_an_open_unimolecular_network():
    # 0 <=> A <=> B <=> 0 (deficiency zero, weakly reversible), no conservation law: the CME
    # law on the box equals the product of Poissons with means V x_ss up to the box's tail mass
    net = mt.Network.from_string("0 <=> A ; 2, 1\nA <=> B ; 1, 3\nB <=> 0 ; 1, 0.5")
    (ss,) = mt.steady_states(net)
    assert crnt.deficiency_zero_applies(net)
    cme = mt.CME(net, V=4.0, max_counts=[45, 30])
    law = crnt.product_form_law(cme, ss.x)
    p = cme.stationary().p
    np.testing.assert_allclose(law.means, 4.0 * ss.x, rtol=1e-14)
    assert law.outside_box < 1e-12
    # the reflecting box perturbs the law by at most of the order of the tail mass
    assert np.max(np.abs(p - law.p)) < 1e-11
    assert abs(law.p.sum() - 1.0) < 1e-14


def test_product_form_law_restricted_to_the_class_is_multinomial():
    from scipy import stats
    net = mt.models.unimolecular_cycle((1.0, 2.0, 3.0), (1.0, 1.0, 1.0))
    total, V = 30, 10.0
    (ss,) = mt.steady_states(net, conserved=[total / V])
    cme = mt.CME(net, V=V, max_counts=total, n0=[total, 0, 0])
    law = crnt.product_form_law(cme, ss.x)
    assert np.isnan(law.outside_box)
    multinomial = stats.multinomial.pmf(cme.states, total, ss.x / ss.x.sum())
    np.testing.assert_allclose(law.p, multinomial, rtol=1e-12, atol=0)
    assert np.max(np.abs(cme.stationary().p - law.p)) < 1e-14
    # x_ss of another class gives the same law on this class (it differs by a factor constant
    # on the class), so the restricted law cannot tell classes apart; Eq. 10 can (chapter 06)
    other = crnt.product_form_law(cme, 2.0 * ss.x)
    np.testing.assert_allclose(other.p, law.p, rtol=1e-12)


def test_product_form_law_checks_complex_balance_and_arguments():
    net = mt.models.schlogl()            # not complex balanced at its steady states
    cme = mt.CME(net, V=5.0, max_counts=60)
    xs = mt.steady_states(net)[0].x
    with pytest.raises(ValueError, match="not complex balanced"):
        crnt.product_form_law(cme, xs)
    law = crnt.product_form_law(cme, xs, check=False)
    assert law.p.shape == (61,)
    with pytest.raises(TypeError, match="`cme` must be a mesothermo.CME"):
        crnt.product_form_law(net, xs)
    with pytest.raises(ValueError, match="`x_ss` must be one positive state"):
        crnt.product_form_law(cme, [0.0])
    with pytest.raises(TypeError, match="`check` must be True or False"):
        crnt.product_form_law(cme, xs, check="no")


# -- network summary and drawing -----------------------------------------------------------------
def test_network_summary_of_a_driven_cycle_and_of_michaelis_menten():
    sm = crnt.network_summary(mt.models.driven_cycle(atp=10.0), conserved=[1.0])
    assert (sm.c, sm.l, sm.s, sm.deficiency, sm.weakly_reversible) == (3, 1, 2, 0, True)
    assert sm.reversible and sm.wegscheider is False
    assert len(sm.positive_steady_states) == 1
    assert sm.complex_balanced and not sm.detailed_balanced
    mm = mt.Network.from_string("E + S <=> C ; 1, 1\nC -> E + P ; 1")
    L = mm.conservation_laws()
    sm = crnt.network_summary(mm, conserved=L @ np.array([1.0, 1.0, 0.0, 0.0]))
    assert sm.positive_steady_states == () and not sm.complex_balanced
    assert sm.wegscheider is None and not sm.detailed_balanced
    # at chemical equilibrium the driven cycle is detailed balanced
    eq = crnt.network_summary(mt.models.driven_cycle(), conserved=[1.0])
    assert eq.wegscheider and eq.detailed_balanced and eq.complex_balanced


def test_draw_complex_graph_places_each_linkage_class_apart():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mesothermo.plotting.complex_graph import complex_graph_layout, draw_complex_graph
    g = crnt.complex_graph(mt.Network.from_string(EDELSTEIN))
    pos = complex_graph_layout(g)
    assert set(pos) == set(range(g.c))
    # classes do not overlap horizontally: every x of the first class left of the second's
    first, second = g.linkage_classes
    assert max(pos[v][0] for v in first) < min(pos[v][0] for v in second)
    fig, ax = plt.subplots()
    assert draw_complex_graph(g, ax).keys() == pos.keys()
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(g.labels)
    assert complex_graph_layout(g)[3].tolist() == pos[3].tolist()      # deterministic
    plt.close(fig)


@pytest.mark.parametrize("module", ["_linalg", "crnt.balance", "crnt.graph",
                                    "crnt.complex_balance", "crnt.product_form"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"mesothermo.{module}")
    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0
