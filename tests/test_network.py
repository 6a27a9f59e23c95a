"""Tests of mesothermo.network: parsing, stoichiometry, rate laws, conservation laws, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesothermo as mt
from mesothermo.network import Reaction


# --- parsing and structure -------------------------------------------------------------------
def test_design_example_parses():
    net = mt.Network.from_string("""
        X -> 2 X ; 0.1          # irreversible: one constant
        X -> 0   ; 0.11         # 0 is the empty complex
        A + B <=> C ; 1.0, 0.5  # reversible: k+, k-
        S + X -> 2 S ; 1        # S is buffered
    """, chemostats={"S": 2.0})
    assert net.species == ("X", "A", "B", "C")
    assert net.nu.tolist() == [[1, 0, 0, 0], [-1, 0, 0, 0], [0, -1, -1, 1], [-1, 0, 0, 0]]
    assert net.nu_plus.tolist() == [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]]
    assert net.nu_minus.tolist() == [[2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    np.testing.assert_array_equal(net.k_plus, [0.1, 0.11, 1.0, 1.0])
    np.testing.assert_array_equal(net.k_minus, [0, 0, 0.5, 0])
    np.testing.assert_array_equal(net.reversible, [False, False, True, False])
    # S appears once as reactant and twice as product: factors a^1 forward, none backward
    np.testing.assert_array_equal(net.effective_k_plus, [0.1, 0.11, 1.0, 2.0])
    assert net.chemostats == {"S": 2.0}
    assert net.M == 4 and net.N == 4


def test_coefficients_without_space_and_repeated_names():
    a = mt.Network.from_string("2A -> A2 ; 1")
    b = mt.Network.from_string("A + A -> A2 ; 1")
    np.testing.assert_array_equal(a.nu_plus, b.nu_plus)
    np.testing.assert_array_equal(a.nu, [[-2, 1]])


def test_scientific_notation_constants():
    net = mt.Network.from_string("A <=> B ; 1e-3, 2.5E2")
    np.testing.assert_array_equal(net.k_plus, [1e-3])
    np.testing.assert_array_equal(net.k_minus, [250.0])


def test_programmatic_constructor_matches_text():
    text = mt.Network.from_string("A + B <=> C ; 1, 0.5\nC -> 0 ; 2")
    prog = mt.Network([
        {"reactants": {"A": 1, "B": 1}, "products": {"C": 1}, "k_plus": 1, "k_minus": 0.5},
        Reaction({"C": 1}, {}, 2.0),
    ])
    assert prog.species == text.species
    np.testing.assert_array_equal(prog.nu, text.nu)
    np.testing.assert_array_equal(prog.k_minus, text.k_minus)


# --- parser errors ---------------------------------------------------------------------------
MALFORMED = [
    ("A -> ; 1", "line 1, column 6: expected a species name"),
    ("A => B ; 1", "line 1, column 3: expected '->' or '<=>'"),
    ("A -> B", "line 1, column 7: expected ';'"),
    ("A <=> B ; 1", "expected ',' and the backward constant"),
    ("A -> B ; 1, 2", "irreversible reaction '->' takes one rate constant"),
    ("A -> B ; -1", "line 1, column 10: expected a finite rate constant >= 0"),
    ("2 -> A ; 1", "expected a species name after the coefficient"),
    ("A + -> B ; 1", "expected a species name after '+'"),
    ("A -> B ; 1 x", "line 1, column 12: expected end of line"),
    ("0A -> B ; 1", "expected a positive stoichiometric coefficient"),
    ("A -> B ; x", "expected a rate constant (a number)"),
    ("-> B ; 1", "line 1, column 1: expected a species name"),
    ("A <=> B ; 1,", "expected a rate constant"),
]


@pytest.mark.parametrize("line, message", MALFORMED)
def test_parser_errors_name_line_and_column(line, message):
    with pytest.raises(mt.ReactionSyntaxError) as err:
        mt.Network.from_string(line)
    assert message in str(err.value)


def test_parser_error_reports_the_right_line():
    with pytest.raises(ValueError, match=r"line 3, column 3: expected '->' or '<=>'"):
        mt.Network.from_string("# header\nA -> B ; 1\nB ~> C ; 1")


def test_empty_text_and_wrong_type():
    with pytest.raises(ValueError, match="holds no reactions"):
        mt.Network.from_string("# only a comment\n\n")
    with pytest.raises(TypeError, match="`text` must be a str"):
        mt.Network.from_string(42)


def test_chemostat_errors():
    with pytest.raises(ValueError, match=r"`chemostats` names 'Z', which appears in no reaction"):
        mt.Network.from_string("A -> B ; 1", chemostats={"Z": 1.0})
    with pytest.raises(TypeError, match=r"`chemostats` must be a mapping \{name: concentration\}"):
        mt.Network.from_string("A -> B ; 1", chemostats=["A"])
    with pytest.raises(ValueError, match=r"`chemostats\['A'\]` must be a finite concentration"):
        mt.Network.from_string("A -> B ; 1", chemostats={"A": -1.0})
    with pytest.raises(ValueError, match=r"`chemostats\['A'\]` must be a finite concentration"):
        mt.Network.from_string("A -> B ; 1", chemostats={"A": float("nan")})
    with pytest.raises(TypeError, match=r"`chemostats\['A'\]` must be a real number"):
        mt.Network.from_string("A -> B ; 1", chemostats={"A": "2.0"})
    with pytest.raises(TypeError, match=r"`chemostats\['A'\]` must be a real number"):
        mt.Network.from_string("A -> B ; 1", chemostats={"A": True})
    # NumPy scalars and 0-d arrays are numbers
    assert mt.Network.from_string("A -> B ; 1", chemostats={"A": np.array(2.0)}).chemostats == {
        "A": 2.0}


def test_programmatic_errors():
    with pytest.raises(ValueError, match=r"`reactions\[0\].k_plus` must be finite and >= 0"):
        mt.Network([Reaction({"A": 1}, {}, float("nan"))])
    with pytest.raises(ValueError, match=r"`reactions\[0\].reactants\['A'\]` must be a positive"):
        mt.Network([Reaction({"A": 0}, {}, 1.0)])
    with pytest.raises(TypeError, match=r"`reactions\[0\]` must be a Reaction or a dict"):
        mt.Network([("A", "B")])
    with pytest.raises(ValueError, match="at least one reaction"):
        mt.Network([])


# --- rate laws -------------------------------------------------------------------------------
def test_propensities_against_hand_computation():
    net = mt.Network.from_string("""
        0 -> X ; 2.0
        X -> 0 ; 0.5
        2 X <=> Y ; 3.0, 0.25
        3 X -> Z ; 1.5
        X + Y -> Z ; 4.0
    """)
    V = 2.0
    n = np.array([5, 3, 1])
    r = net.propensities(n, V)
    expected_plus = [
        V * 2.0,                       # 0 -> X: V k
        0.5 * 5,                       # X -> 0: k n
        3.0 * 5 * 4 / V,               # 2X: k n(n-1)/V
        1.5 * 5 * 4 * 3 / V**2,        # 3X: k n(n-1)(n-2)/V^2
        4.0 * 5 * 3 / V,               # X+Y: k n_X n_Y / V
    ]
    np.testing.assert_allclose(r.plus, expected_plus, rtol=1e-15)
    np.testing.assert_allclose(r.minus, [0, 0, 0.25 * 3, 0, 0], rtol=1e-15)
    # falling factorials vanish when there are too few molecules
    r1 = net.propensities([2, 0, 0], V)
    assert r1.plus[3] == 0.0 and r1.plus[2] == 3.0 * 2 * 1 / V


def test_chemostats_enter_rates_as_concentration_factors():
    net = mt.models.schlogl(k1=3.0, k2=0.6, k3=0.25, k4=2.95, a=2.0, b=4.0)
    V, n = 10.0, np.array([7])
    r = net.propensities(n, V)
    np.testing.assert_allclose(r.plus, [3.0 * 2.0 * 7 * 6 / V, 0.25 * 4.0 * V], rtol=1e-15)
    np.testing.assert_allclose(r.minus, [0.6 * 7 * 6 * 5 / V**2, 2.95 * 7], rtol=1e-15)


@pytest.mark.parametrize("model", [mt.models.schlogl, mt.models.dimerisation,
                                   mt.models.brusselator, mt.models.linear_chain])
def test_rates_are_the_large_volume_limit_of_propensities(model):
    net = model()
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 3.0, size=net.N)
    R = net.rates(x)
    errors = []
    for V in (1e2, 1e4, 1e6):
        n = np.round(V * x)
        r = net.propensities(n, V)
        Rx = net.rates(n / V)  # compare at the same lattice point
        errors.append(np.max(np.abs(r.plus / V - Rx.plus) + np.abs(r.minus / V - Rx.minus)))
    # the falling-factorial correction is O(1/V): each hundredfold volume cuts it a hundredfold
    # (for first-order networks such as the linear chain it is zero up to rounding)
    assert errors[1] <= errors[0] / 50 + 1e-12 and errors[2] <= errors[1] / 50 + 1e-12
    assert errors[2] < 1e-4 * (1 + np.max(R.plus))


def test_rates_vectorise_over_leading_axes():
    net = mt.models.dimerisation(2.0, 0.5)
    x = np.array([[1.0, 2.0], [3.0, 0.5]])
    R = net.rates(x)
    np.testing.assert_allclose(R.plus, [[2.0], [18.0]])
    np.testing.assert_allclose(R.minus, [[1.0], [0.25]])


def test_general_rate_law_michaelis_menten():
    def mm(n, V):
        n = np.asarray(n, float)
        return V * 2.0 * (n[..., 0] / V) / (0.5 + n[..., 0] / V)

    net = mt.Network([Reaction({"S": 1}, {"P": 1}, 0.0, propensity_plus=mm)])
    assert not net.is_mass_action
    r = net.propensities([10, 0], 5.0)
    np.testing.assert_allclose(r.plus, [5.0 * 2.0 * 2.0 / 2.5])
    with pytest.raises(ValueError, match="`V` is required"):
        net.rates([1.0, 0.0])
    np.testing.assert_allclose(net.rates([2.0, 0.0], V=5.0).plus, [2.0 * 2.0 / 2.5])
    with pytest.raises(ValueError, match="needs mass-action kinetics"):
        net.require_mass_action("the Kurtz–Hu Hamiltonian")


def test_general_rate_law_that_does_not_broadcast_is_looped():
    net = mt.Network([Reaction({"A": 1}, {}, 0.0, propensity_plus=lambda n, V: float(n[0]) ** 2)])
    r = net.propensities(np.array([[1], [2], [3]]), 1.0)
    np.testing.assert_allclose(r.plus[:, 0], [1, 4, 9])


def test_negative_general_rate_is_rejected():
    net = mt.Network([Reaction({"A": 1}, {}, 0.0, propensity_plus=lambda n, V: -1.0 + 0 * n[..., 0])])
    with pytest.raises(ValueError, match="negative or non-finite rate"):
        net.propensities([3], 1.0)


def test_irreversible_reactions_are_flagged_for_thermodynamics():
    net = mt.models.immigration_death()
    with pytest.raises(ValueError, match="needs every reaction reversible"):
        net.require_reversible("the entropy production rate sigma")
    mt.models.isomerisation().require_reversible("sigma")  # no error


@pytest.mark.parametrize("bad, exc, msg", [
    (0.0, ValueError, "`V` must be a finite number > 0"),
    (-1.0, ValueError, "`V` must be a finite number > 0"),
    (float("nan"), ValueError, "`V` must be a finite number > 0"),
    ("1", TypeError, "`V` must be a real number"),
])
def test_propensities_reject_bad_volume(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        mt.models.dimerisation().propensities([1, 1], bad)


@pytest.mark.parametrize("bad, msg", [
    ([1], r"`n` must have shape \(2,\)"),
    ([1, -1], "`n` must be non-negative"),
    ([1.5, 1], "`n` must hold integers"),
    ([np.nan, 1], "`n` must be finite"),
])
def test_propensities_reject_bad_counts(bad, msg):
    with pytest.raises(ValueError, match=msg):
        mt.models.dimerisation().propensities(bad, 1.0)


def test_rates_reject_bad_concentrations():
    net = mt.models.dimerisation()
    with pytest.raises(ValueError, match="`x` must have last axis of length 2"):
        net.rates([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="`x` must be non-negative"):
        net.rates([1.0, -2.0])


@pytest.mark.parametrize("bad, exc", [(-1.0, ValueError), (0.0, ValueError),
                                      (float("nan"), ValueError), ("1", TypeError)])
def test_rates_reject_a_bad_volume_also_for_mass_action(bad, exc):
    # V is optional for mass action, but a V that is given is checked, not silently ignored.
    with pytest.raises(exc, match="`V`"):
        mt.models.dimerisation().rates([1.0, 1.0], V=bad)


@pytest.mark.parametrize("bad, exc, msg", [
    (np.array([[1.0, np.inf]]), ValueError, "`n` must be finite"),
    (np.array([[1, -1], [2, 2]]), ValueError, "`n` must be non-negative"),
    (np.array([[1.5, 1.0]]), ValueError, "`n` must hold integers"),
    (np.ones((3, 3)), ValueError, "`n` must have last axis of length 2"),
    (np.array([["a", "b"]]), TypeError, "`n` must be a sequence"),
    ("5", TypeError, "`n` must be a sequence"),
    ({"A": 1, "A2": 0}, TypeError, "`n` must be a sequence .* in the order of the network"),
])
def test_propensities_reject_bad_batched_and_typed_counts(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        mt.models.dimerisation().propensities(bad, 1.0)


def test_with_constants_rejects_non_numbers_by_name():
    net = mt.models.isomerisation(1.0, 2.0)
    with pytest.raises(TypeError, match=r"`k_plus\[0\]` must be a real number"):
        net.with_constants(k_plus={0: "fast"})
    with pytest.raises(ValueError, match=r"`k_minus\[0\]` must be a finite rate constant >= 0"):
        net.with_constants(k_minus={0: float("nan")})
    with pytest.raises(TypeError, match="`k_plus` must be an array of 1 rate constants"):
        net.with_constants(k_plus=["fast"])


def test_species_index_unknown_name():
    net = mt.models.schlogl()
    assert net.species_index("X") == 0
    with pytest.raises(ValueError, match=r"unknown species 'A'.*chemostatted: \['A', 'B'\]"):
        net.species_index("A")


# --- immutability and with_constants --------------------------------------------------------
def test_with_constants_returns_a_new_network():
    net = mt.models.isomerisation(1.0, 2.0)
    new = net.with_constants(k_plus=[3.0], k_minus={0: 4.0})
    np.testing.assert_array_equal(net.k_plus, [1.0])
    np.testing.assert_array_equal(new.k_plus, [3.0])
    np.testing.assert_array_equal(new.k_minus, [4.0])
    sch = mt.models.schlogl().with_constants(chemostats={"A": 2.0})
    assert sch.chemostats == {"A": 2.0, "B": 1.0}
    with pytest.raises(ValueError):
        net.nu[0, 0] = 5  # read-only
    with pytest.raises(ValueError, match=r"`k_plus` must have shape \(1,\)"):
        net.with_constants(k_plus=[1.0, 2.0])
    with pytest.raises(ValueError, match="`k_minus` must be finite and >= 0"):
        net.with_constants(k_minus=[-1.0])
    with pytest.raises(ValueError, match="not a chemostat of this network"):
        net.with_constants(chemostats={"A": 1.0})
    # a backward constant for an irreversible reaction is refused, not silently dropped
    idd = mt.models.immigration_death()
    with pytest.raises(ValueError, match=r"`k_minus\[1\]` = 2 is given for the irreversible"):
        idd.with_constants(k_minus={1: 2.0})
    assert idd.with_constants(k_minus=[0.0, 0.0]).k_minus.tolist() == [0.0, 0.0]


def test_repr_and_html():
    net = mt.models.enzyme()
    text = repr(net)
    assert "S + E <=> C ; 1, 1" in text and "chemostats" in text
    html = net._repr_html_()
    assert html.startswith("<table>") and "Chemostatted: S = 1" in html


# --- conservation laws -----------------------------------------------------------------------
def test_conservation_laws_of_named_models():
    assert mt.models.dimerisation().conservation_laws().tolist() == [[1, 2]]
    assert mt.models.closed_chain().conservation_laws().tolist() == [[1, 1, 1]]
    assert mt.models.immigration_death().conservation_laws().shape == (0, 1)
    assert mt.models.enzyme().conservation_laws().tolist() == [[1, 1]]


@st.composite
def random_networks(draw):
    n_species = draw(st.integers(1, 5))
    n_reactions = draw(st.integers(1, 6))
    names = [f"S{i}" for i in range(n_species)]
    reactions = []
    for _ in range(n_reactions):
        side = lambda: {names[i]: draw(st.integers(1, 3))  # noqa: E731
                        for i in draw(st.sets(st.integers(0, n_species - 1), max_size=3))}
        r, p = side(), side()
        if not r and not p:
            r = {names[0]: 1}
        reactions.append(Reaction(r, p, draw(st.floats(0, 10)), draw(st.floats(0, 10))))
    return mt.Network(reactions)


@settings(max_examples=200, deadline=None)
@given(random_networks())
def test_conservation_laws_span_the_left_null_space(net):
    L = net.conservation_laws()
    assert L.dtype.kind == "i"
    assert np.all(net.nu @ L.T == 0)
    # a basis: full row rank, and its size is N - rank(nu)
    rank = np.linalg.matrix_rank(net.nu.astype(float)) if net.M else 0
    assert L.shape[0] == net.N - rank
    if L.shape[0]:
        assert np.linalg.matrix_rank(L.astype(float)) == L.shape[0]
        assert all(math.gcd(*map(int, row)) == 1 for row in L)


@settings(max_examples=100, deadline=None)
@given(random_networks(), st.floats(1.0, 1e3))
def test_propensities_are_finite_and_nonnegative(net, V):
    rng = np.random.default_rng(1)
    n = rng.integers(0, 20, size=(7, net.N))
    r = net.propensities(n, V)
    assert r.plus.shape == (7, net.M)
    assert np.all(np.isfinite(r.plus)) and np.all(r.plus >= 0)
    assert np.all(np.isfinite(r.minus)) and np.all(r.minus >= 0)
