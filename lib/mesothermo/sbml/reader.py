r"""Reading SBML into a :class:`~mesothermo.Network`, by the specification's semantics.

SBML Level 3 core (section 4.11.7) gives a reaction's kinetic law in substance per time: with
species amounts :math:`n` the model's ODEs are :math:`dn_i/dt = \sum_\ell s_{\ell i} f_\ell`, and a
species symbol in a law means its amount when ``hasOnlySubstanceUnits`` is true and its
concentration :math:`n_i/V` otherwise. The DSMTS (Evans, Gillespie & Wilkinson) reads the same law,
with amounts as copy numbers, as the reaction's propensity. In Kurtz's convention (DESIGN.md) a
mass-action propensity is

.. math::

    r_\ell(n) = V k_\ell \prod_i \frac{(n_i)_{\nu_{\ell i}}}{V^{\nu_{\ell i}}},

so a law recognised as :math:`f = c \prod_i (n_i)_{\nu_i}` (amount, falling-factorial form) or
:math:`f = c \prod_i n_i^{\nu_i}` (which includes the concentration form
:math:`V k \prod_i x_i^{\nu_i}`) gets :math:`k = c\,V^{\sum_i \nu_i - 1}` divided by the chemostat
factor :math:`\prod_c a_c^{m_c}`. The falling-factorial form is then the propensity exactly; the
power form with some :math:`\nu_i \ge 2` has the same rate equation (Ge–Qian Eq. 4) and a
propensity equal to it only as :math:`V \to \infty` (the result's ``notes`` say so).

Every other law becomes a general rate law :class:`SBMLRateLaw`, the MathML tree evaluated by
:func:`mesothermo.sbml.mathml.evaluate` at the caller's ``n`` and ``V`` (compartment symbols mean
``V``, concentrations ``n/V``, numbers and parameters stay as written).
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from ..network import Network, Reaction
from .mathml import SBMLError, compile_tree, evaluate, expand, from_ast, to_formula

__all__ = ["SBMLModel", "SBMLRateLaw", "read_sbml"]

#: Packages that never change a model's mathematics (l3v2extendedmath is libsbml's name for
#: the L3V2 core functions max, min, quotient, rem, rateOf).
_HARMLESS_PACKAGES = {"layout", "render", "l3v2extendedmath"}


class SBMLModel(NamedTuple):
    """What :func:`read_sbml` returns.

    Attributes
    ----------
    net : Network
        Species are named by their SBML ids; boundary and constant species that take part in a
        reaction are its chemostats, held at their initial concentration.
    V : float
        The compartment size (1.0, with a note, when the model leaves it unset and nothing uses it).
    n0, x0 : ndarray, shape (N,)
        Initial amounts and concentrations ``n0 / V`` of ``net.species`` (amounts need not be
        integers; round them for a stochastic simulation).
    species_ids, reaction_ids : tuple of str
        SBML ids, in the order of ``net.species`` and ``net.reactions``.
    fixed : dict
        Species held fixed: ``{id: concentration}`` for boundary or constant species and for
        species that no reaction changes (the latter are not in ``net``).
    kinetics : tuple of str
        Per reaction ``"mass action"`` or ``"general"``.
    notes : tuple of str
        What the reader decided that a reader of the model should know.
    model_id : str
    """

    net: Network
    V: float
    n0: np.ndarray
    x0: np.ndarray
    species_ids: tuple
    reaction_ids: tuple
    fixed: dict
    kinetics: tuple
    notes: tuple
    model_id: str


class SBMLRateLaw:
    """A kinetic law read from SBML, as a general rate law ``r(n, V)`` of :class:`Network`.

    Evaluates the MathML tree (no ``eval``): species symbols mean amounts ``n_i`` or
    concentrations ``n_i / V`` as the model declares, the compartment symbol means ``V``.
    ``formula`` shows the law in SBML Level 3 infix syntax.
    """

    def __init__(self, tree: tuple, reaction_id: str):
        self.tree, self.reaction_id = tree, reaction_id
        self._law = compile_tree(tree)

    def __getstate__(self):     # the compiled closures do not pickle; the tree does
        return {"tree": self.tree, "reaction_id": self.reaction_id}

    def __setstate__(self, state):
        self.__init__(state["tree"], state["reaction_id"])

    @property
    def formula(self) -> str:
        return to_formula(self.tree, lambda leaf: leaf[1])

    def __call__(self, n, V: float) -> np.ndarray:
        n = np.asarray(n, float)
        value = self._law(n, V)
        if n.ndim == 1:  # one state (the SSA's case): a float, without broadcasting
            return float(value)
        return np.broadcast_to(np.asarray(value, float), n.shape[:-1])

    def __repr__(self) -> str:
        return f"SBMLRateLaw({self.reaction_id!r}: {self.formula})"


# ---------------------------------------------------------------------------------------------
def _load(path_or_string):
    import libsbml

    if isinstance(path_or_string, bytes):
        path_or_string = path_or_string.decode()
    if isinstance(path_or_string, os.PathLike):
        path_or_string = os.fspath(path_or_string)
    if not isinstance(path_or_string, str):
        raise TypeError("`path_or_string` must be SBML text or the path of an SBML file (str or "
                        f"os.PathLike); got {type(path_or_string).__name__}.")
    if path_or_string.lstrip().startswith("<"):
        doc = libsbml.readSBMLFromString(path_or_string)
    else:
        if not os.path.isfile(path_or_string):
            raise ValueError(f"`path_or_string` is neither SBML text (it does not start with '<') "
                             f"nor an existing file: {path_or_string!r}.")
        doc = libsbml.readSBMLFromFile(path_or_string)
    errs = [doc.getError(i) for i in range(doc.getNumErrors())]
    errs = [e for e in errs if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if errs or doc.getModel() is None:
        msg = "; ".join(f"line {e.getLine()}: {e.getMessage().strip()}" for e in errs[:3])
        raise ValueError(f"`path_or_string` is not valid SBML: {msg or 'no model element'}")
    return libsbml, doc


def _refuse_unrepresentable(libsbml, doc, m) -> None:
    for i in range(doc.getNumPlugins()):
        name = doc.getPlugin(i).getPackageName()
        if name not in _HARMLESS_PACKAGES and doc.getPackageRequired(name):
            raise SBMLError("package", name, "is required by the model and not supported "
                            "(SBML core only).")
    if m.getNumEvents():
        e = m.getEvent(0)
        raise SBMLError("event", e.getId() or e.getMetaId() or "#1",
                        "events change the state discontinuously and cannot be represented.")
    if m.getNumRules():
        r = m.getRule(0)
        kind = r.getElementName()
        raise SBMLError(kind, r.getVariable() or r.getMetaId() or "#1",
                        "rules cannot be represented (only reactions change species, and "
                        "parameters and compartment sizes must be constant).")
    if m.getNumConstraints():
        c = m.getConstraint(0)
        raise SBMLError("constraint", c.getId() or c.getMetaId() or "#1",
                        "constraints (algebraic conditions on the state) cannot be represented.")
    if m.getNumInitialAssignments():
        a = m.getInitialAssignment(0)
        raise SBMLError("initialAssignment", a.getSymbol(),
                        "initial assignments are not supported; give the value directly.")
    if m.isSetConversionFactor():
        raise SBMLError("model", m.getId(), "a conversionFactor is not supported.")


def _volume(m, notes: list) -> tuple[float | None, str]:
    """The one compartment size holding species (None when unset), and its compartment id."""
    used = {m.getSpecies(i).getCompartment() for i in range(m.getNumSpecies())}
    comps = [m.getCompartment(i) for i in range(m.getNumCompartments())]
    sizes = {c.getId(): (c.getSize() if c.isSetSize() else None) for c in comps
             if c.getId() in used}
    if not sizes:
        raise SBMLError("model", m.getId(), "has no species in any compartment.")
    distinct = set(sizes.values())
    if len(distinct) > 1:
        desc = ", ".join(f"{k} = {v}" for k, v in sizes.items())
        raise SBMLError("compartment", next(iter(sizes)),
                        f"the species live in several compartments of different size ({desc}); "
                        "a Network has one volume V.")
    V = distinct.pop()
    if V is not None and not V > 0:
        raise SBMLError("compartment", next(iter(sizes)), f"size must be > 0; got {V}.")
    return V, next(iter(sizes))


def read_sbml(path_or_string, mass_action: bool = True) -> SBMLModel:
    r"""Read an SBML model (Levels 2 and 3 core) into a :class:`Network`.

    Parameters
    ----------
    path_or_string : str or os.PathLike
        SBML text (starting with ``<``) or the path of an SBML file.
    mass_action : bool, optional
        Recognise mass-action laws (default). With ``False`` every law is a general rate law,
        the written law exactly.

    Returns
    -------
    SBMLModel
        ``net``, ``V``, ``n0``, ``x0``, ids, fixed species, per-reaction kinetics, notes.

    Raises
    ------
    SBMLError
        (a ``ValueError``) naming the SBML element and id of what cannot be represented: events,
        rules, constraints, initial assignments, delays, ``time`` in a law, unknown functions,
        several compartments of different size, conversion factors, fast reactions,
        non-integer or variable stoichiometries, required packages.

    Examples
    --------
    >>> from mesothermo.sbml import read_sbml, write_sbml
    >>> import mesothermo as mt
    >>> net = mt.Network.from_string("A + B <=> C ; 2.0, 0.5")
    >>> read_sbml(write_sbml(net, V=10.0, n0=[5, 3, 0])).net.k_plus.tolist()
    [2.0]
    """
    libsbml, doc = _load(path_or_string)
    m = doc.getModel()
    _refuse_unrepresentable(libsbml, doc, m)
    notes: list[str] = []
    V, comp_id = _volume(m, notes)
    V0 = 1.0 if V is None else V
    comp_ids = {m.getCompartment(i).getId() for i in range(m.getNumCompartments())}

    # function definitions are inlined into each law (libsbml's SBMLTransforms.replaceFD)
    fds = m.getListOfFunctionDefinitions()

    params = {}
    for i in range(m.getNumParameters()):
        p = m.getParameter(i)
        params[p.getId()] = p.getValue() if p.isSetValue() else None

    # species: initial amounts; which are fixed
    species = [m.getSpecies(i) for i in range(m.getNumSpecies())]
    in_reactions: set[str] = set()
    reactions = [m.getReaction(i) for i in range(m.getNumReactions())]
    for r in reactions:
        for lst in (r.getListOfReactants(), r.getListOfProducts()):
            for sr in lst:
                in_reactions.add(sr.getSpecies())
    amount, form, fixed = {}, {}, {}
    for s in species:
        sid = s.getId()
        if s.isSetConversionFactor():
            raise SBMLError("species", sid, "a conversionFactor is not supported.")
        form[sid] = "amount" if s.getHasOnlySubstanceUnits() else "conc"
        if s.isSetInitialAmount():
            amount[sid] = s.getInitialAmount()
        elif s.isSetInitialConcentration():
            if V is None:
                raise SBMLError("compartment", comp_id, f"has no size, and species {sid!r} is "
                                "given by its initial concentration.")
            amount[sid] = s.getInitialConcentration() * V
        else:
            raise SBMLError("species", sid, "has neither an initialAmount nor an "
                            "initialConcentration.")
        if not np.isfinite(amount[sid]) or amount[sid] < 0:
            raise SBMLError("species", sid, f"initial amount must be finite and >= 0; got "
                            f"{amount[sid]}.")
        if s.getBoundaryCondition() or s.getConstant() or sid not in in_reactions:
            fixed[sid] = amount[sid] / V0
    dynamic = [s.getId() for s in species if s.getId() not in fixed]
    index = {sid: i for i, sid in enumerate(dynamic)}
    chemostats = {sid: a for sid, a in fixed.items() if sid in in_reactions}
    if V is None:
        notes.append(f"compartment {comp_id!r} has no size; V = 1 is used (no law or initial "
                     "value depends on it).")

    rx, kinetics, rids = [], [], []
    for r in reactions:
        rid = r.getId()
        if r.isSetFast() and r.getFast():
            raise SBMLError("reaction", rid, "fast='true' (rapid equilibrium) is not supported.")
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise SBMLError("reaction", rid, "has no kinetic law.")
        reac, prod = {}, {}
        for side, other, lst in ((reac, prod, r.getListOfReactants()),
                                 (prod, reac, r.getListOfProducts())):
            for sr in lst:
                if doc.getLevel() < 3 and sr.isSetStoichiometryMath():
                    raise SBMLError("speciesReference", sr.getSpecies(),
                                    f"in reaction {rid!r} has a stoichiometryMath.")
                if doc.getLevel() >= 3 and not sr.isSetStoichiometry():
                    raise SBMLError("speciesReference", sr.getId() or sr.getSpecies(),
                                    f"in reaction {rid!r} has no stoichiometry.")
                st = sr.getStoichiometry()
                if not np.isfinite(st) or st != int(st):
                    raise SBMLError("speciesReference", sr.getId() or sr.getSpecies(),
                                    f"in reaction {rid!r} has stoichiometry {st}; a Network "
                                    "needs integers (copy numbers change by whole molecules).")
                # a negative reactant stoichiometry is a product (the net change is what counts)
                dest, st = (side, int(st)) if st >= 0 else (other, -int(st))
                if st:
                    dest[sr.getSpecies()] = dest.get(sr.getSpecies(), 0) + st
        kl = r.getKineticLaw()
        local = {}
        plist = kl.getListOfLocalParameters() if doc.getLevel() >= 3 else kl.getListOfParameters()
        for p in plist:
            local[p.getId()] = p.getValue() if p.isSetValue() else None

        def resolve(name, rid=rid, local=local):
            if name in local or name in params:
                value = local[name] if name in local else params[name]
                if value is None:
                    raise SBMLError("parameter", name, f"used in reaction {rid!r} has no value.")
                return ("param", name, float(value))
            if name in index:
                if form[name] == "conc" and V is None:
                    raise SBMLError("compartment", comp_id, f"has no size, and the kinetic law "
                                    f"of reaction {rid!r} uses the concentration of {name!r}.")
                return ("species", name, index[name], form[name])
            if name in fixed:
                return ("fixed", name, fixed[name], form[name])
            if name in comp_ids:
                if V is None:
                    raise SBMLError("compartment", name, f"has no size and the kinetic law of "
                                    f"reaction {rid!r} uses it.")
                return ("volume", name)
            raise SBMLError("kineticLaw of reaction", rid, f"uses {name!r}, which is not a parameter, "
                            "species or compartment (a reaction or species-reference id as a "
                            "value is not supported).")

        math_ = kl.getMath().deepCopy()
        if fds.size():
            libsbml.SBMLTransforms.replaceFD(math_, fds)
        tree = from_ast(math_, resolve, "kineticLaw of reaction", rid)
        rxn = _recognise(tree, reac, prod, index, chemostats, V0, rid, notes) if mass_action \
            else None
        if rxn is None:
            rxn = _general(tree, reac, prod, r.getReversible(), rid, notes)
            kinetics.append("general")
        else:
            kinetics.append("mass action")
        rx.append(rxn)
        rids.append(rid)
    if not rx:
        raise SBMLError("model", m.getId(), "has no reactions.")
    net = Network(rx, chemostats=chemostats, species=[s for s in dynamic if s in in_reactions])
    n0 = np.array([amount[s] for s in net.species], float)
    for arr in (n0,):
        arr.setflags(write=False)
    x0 = n0 / V0
    x0.setflags(write=False)
    return SBMLModel(net, V0, n0, x0, tuple(net.species), tuple(rids), fixed, tuple(kinetics),
                     tuple(notes), m.getId())


# ---------------------------------------------------------------------------------------------
def _orders(factors) -> tuple[dict, bool] | None:
    """Per species the mass-action order of a monomial, and whether every factor with order >= 2
    is a falling factorial (n)(n-1)...; None when a factor fits neither form."""
    by: dict[int, list] = {}
    for (i, s), e in factors:
        by.setdefault(i, []).append((s, e))
    orders, falling = {}, True
    for i, lst in by.items():
        lst.sort()
        if len(lst) == 1 and lst[0][0] == 0.0:
            orders[i] = lst[0][1]
            falling &= lst[0][1] < 2
        elif all(e == 1 for _, e in lst) and [s for s, _ in lst] == list(range(len(lst))):
            orders[i] = len(lst)
        else:
            return None
    return orders, falling


def _recognise(tree, reac, prod, index, chemostats, V0, rid, notes) -> Reaction | None:
    """A mass-action Reaction when the law is c+ prod (n)_nu+ [- c- prod (n)_nu-], else None."""
    for shifts in (True, False):  # a n + b read as a (n - s) for integer s, then as written
        rxn = _match(expand(tree, V0, shifts), tree, reac, prod, index, chemostats, V0, rid,
                     notes)
        if rxn is not None:
            return rxn
    return None


def _match(terms, tree, reac, prod, index, chemostats, V0, rid, notes) -> Reaction | None:
    if terms is None or not 1 <= len(terms) <= 2:
        return None
    want = {+1: {index[s]: m for s, m in reac.items() if s in index},
            -1: {index[s]: m for s, m in prod.items() if s in index}}
    chem = {+1: {s: m for s, m in reac.items() if s in chemostats},
            -1: {s: m for s, m in prod.items() if s in chemostats}}
    k = {+1: None, -1: None}
    exact = True
    for c, factors in terms:
        sign = 1 if c > 0 else -1
        got = _orders(factors)
        if got is None or got[0] != want[sign] or k[sign] is not None:
            return None
        order = sum(want[sign].values())
        factor = float(np.prod([chemostats[s] ** mm for s, mm in chem[sign].items()]))
        if factor == 0.0:
            return None
        k[sign] = abs(c) * V0 ** (order - 1) / factor
        exact &= got[1]
    if k[+1] is None and k[-1] is None:
        return None
    rxn = Reaction(reac, prod, 0.0 if k[+1] is None else k[+1], k[-1])
    if not _agrees(rxn, tree, index, chemostats, V0, exact):
        notes.append(f"reaction {rid!r}: the law looked like mass action but did not evaluate "
                     "to it; kept as a general rate law.")
        return None
    if not exact:
        notes.append(f"reaction {rid!r}: mass action written with powers n^m (m >= 2); its rate "
                     "equation is exact, its propensity is Kurtz's falling factorial, equal to "
                     "the written law only as V -> infinity.")
    return rxn


def _agrees(rxn, tree, index, chemostats, V0, exact) -> bool:
    """Check the recognised mass-action law against the interpreter at random states: the
    propensity (falling-factorial form) or the V -> infinity rate (power form)."""
    N = len(index)
    net = Network([rxn], chemostats={c: a for c, a in chemostats.items()
                                     if c in rxn.reactants or c in rxn.products} or None)
    cols = [list(index).index(s) for s in net.species]
    rng = np.random.default_rng(20261201)
    n = rng.integers(0, 30, size=(16, N)).astype(float)
    law = np.broadcast_to(np.asarray(evaluate(tree, n, V0), float), n.shape[:-1])
    if exact:
        rp, rm = net.propensities(n[:, cols].astype(np.int64), V0)
    else:
        rp, rm = net.rates(n[:, cols] / V0)
        rp, rm = rp * V0, rm * V0
    model = (rp - rm)[:, 0]
    scale = np.maximum(np.abs(law), np.abs(rp[:, 0]) + np.abs(rm[:, 0]))
    return bool(np.all(np.abs(model - law) <= 1e-9 * scale + 1e-300))


def _signed_terms(tree, top: bool = True) -> list[tuple[int, tuple]]:
    """``tree`` as a signed sum [(sign, term)] of the terms a modeller writes for the two
    directions of a net law f - g: through plus, minus and literal signs, and through a product
    or quotient with one sum none of whose terms is a bare number (so C*(kf*A*B - kr*P) splits,
    but A*(A - 1), a falling factorial, does not). A term whose sign is not visible counts as +."""
    if tree[0] == "num":
        return [(-1 if tree[1] < 0 else 1, ("num", abs(tree[1])))]
    if tree[0] != "apply":
        return [(1, tree)]
    op, kids = tree[1], tree[2]
    if op == "plus":
        return [t for k in kids for t in _signed_terms(k, top)]
    if op == "minus":
        first = _signed_terms(kids[0], top)
        if len(kids) == 1:
            return [(-s, t) for s, t in first]
        return first + [(-s, t) for s, t in _signed_terms(kids[1], top)]
    if op in ("times", "divide"):
        parts = [_signed_terms(k, False) for k in kids]
        if op == "divide":
            parts[1] = [(1, kids[1])] if all(s > 0 for s, _ in parts[1]) else parts[1]
        mixed = [j for j, p in enumerate(parts) if len(p) > 1 and
                 (any(sg < 0 for sg, _ in p) and all(t[0] != "num" for _, t in p))]
        single = [p if len(p) == 1 else [(1, kids[j])] for j, p in enumerate(parts)]
        if len(mixed) != 1 or (op == "divide" and mixed != [0]):
            sign = int(np.prod([p[0][0] for p in single]))
            return [(sign, ("apply", op, tuple(p[0][1] for p in single)))]
        j = mixed[0]
        sign = int(np.prod([p[0][0] for i, p in enumerate(single) if i != j]))
        others = [p[0][1] for p in single]
        return [(sign * sg, ("apply", op, tuple(others[:j]) + (t,) + tuple(others[j + 1:])))
                for sg, t in parts[j]]
    return [(1, tree)]


def _split(tree):
    """(f, g) with ``tree`` = f - g, f and g sums of the terms of each visible sign; or None."""
    terms = _signed_terms(tree)
    pos = [t for s, t in terms if s > 0] or [("num", 0.0)]
    neg = [t for s, t in terms if s < 0]
    if not neg:
        return None
    join = lambda ts: ts[0] if len(ts) == 1 else ("apply", "plus", tuple(ts))  # noqa: E731
    return join(pos), join(neg)


def _general(tree, reac, prod, reversible, rid, notes) -> Reaction:
    """A reaction with the law as general rate law(s), split at visible negative terms."""
    parts = _split(tree)
    if parts is not None and (reversible or parts[0] == ("num", 0.0)):
        notes.append(f"reaction {rid!r}: general law split into its terms of each sign, f - g: "
                     "forward propensity f, backward g.")
        return Reaction(reac, prod, 0.0, None, SBMLRateLaw(parts[0], rid),
                        SBMLRateLaw(parts[1], rid))
    if reversible:
        notes.append(f"reaction {rid!r} is reversible but its law shows no negative term; it is "
                     "the forward propensity (valid while it is >= 0).")
    elif parts is not None:
        notes.append(f"reaction {rid!r} is irreversible and its law has negative terms; it is "
                     "the forward propensity (valid while it is >= 0).")
    return Reaction(reac, prod, 0.0, None, SBMLRateLaw(tree, rid))

