r"""Writing a :class:`~mesothermo.Network` as SBML Level 3 Version 2 core.

One compartment of size :math:`V`; each dynamical species with its initial amount and
``hasOnlySubstanceUnits="false"`` (its symbol in a law is the concentration :math:`x_i`); each
chemostat a boundary, constant species at its concentration :math:`a_c`. A mass-action reaction
gets local parameters ``kf`` (and ``kr``) and the concentration-form law

.. math::

    f = V k_+ \prod_c a_c^{m^+_c} \prod_i x_i^{\nu^+_i} - V k_- \prod_c a_c^{m^-_c}
        \prod_i x_i^{\nu^-_i},

the SBML reading of Ge–Qian Eq. 4 (``read_sbml`` recognises it and returns the same constants).
A general rate law can be written only when it came from SBML (:class:`SBMLRateLaw`): its tree is
printed back with amounts written as ``x * V``; a Python callable has no SBML form.
"""

from __future__ import annotations

import os

import numpy as np

from .._validation import check_network, check_volume
from .mathml import to_formula
from .reader import SBMLRateLaw

__all__ = ["write_sbml"]


def _check_amounts(n0, N: int) -> np.ndarray:
    try:
        arr = np.asarray(n0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`n0` must be an array of {N} initial amounts; got "
                        f"{type(n0).__name__}.") from None
    if arr.shape != (N,):
        raise ValueError(f"`n0` must have shape ({N},), one amount per species; got shape "
                         f"{arr.shape}.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"`n0` must hold finite amounts >= 0; got {arr.tolist()}.")
    return arr


def _check_id(value, name: str) -> str:
    import re

    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"`{name}` must be an SBML identifier (a letter or '_', then letters, "
                         f"digits or '_'); got {value!r}.")
    return value


def write_sbml(net, V: float, n0, path=None, *, model_id: str = "mesothermo_model",
               reaction_ids=None) -> str:
    """Write ``net`` in a vessel of volume ``V`` with initial amounts ``n0`` as SBML.

    Parameters
    ----------
    net : Network
        Mass action, or general rate laws read from SBML.
    V : float
        Compartment size, > 0.
    n0 : array_like, shape (N,)
        Initial amounts of ``net.species`` (copy numbers or substance), >= 0.
    path : str or os.PathLike, optional
        Also write the text to this file.
    model_id : str, optional
    reaction_ids : sequence of str, optional
        SBML ids of the reactions (default ``R1``, ``R2``, ...).

    Returns
    -------
    str
        The SBML Level 3 Version 2 document.
    """
    import libsbml

    net = check_network(net)
    V = check_volume(V)
    n0 = _check_amounts(n0, net.N)
    model_id = _check_id(model_id, "model_id")
    if reaction_ids is None:
        reaction_ids = [f"R{l + 1}" for l in range(net.M)]
    reaction_ids = list(reaction_ids)
    if len(reaction_ids) != net.M or len(set(reaction_ids)) != net.M:
        raise ValueError(f"`reaction_ids` must hold {net.M} distinct ids; got {reaction_ids}.")
    for j, rid in enumerate(reaction_ids):
        _check_id(rid, f"reaction_ids[{j}]")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike; got {type(path).__name__}.")
    taken = set(net.species) | set(net.chemostats) | set(reaction_ids)
    comp = "compartment"
    while comp in taken:
        comp += "_"

    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId(model_id)
    c = m.createCompartment()
    c.setId(comp)
    c.setSize(V)
    c.setConstant(True)
    c.setSpatialDimensions(3)
    for sid, amount in zip(net.species, n0):
        s = m.createSpecies()
        s.setId(sid), s.setCompartment(comp), s.setInitialAmount(float(amount))
        s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    for sid, a in net.chemostats.items():
        s = m.createSpecies()
        s.setId(sid), s.setCompartment(comp), s.setInitialConcentration(float(a))
        s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(True), s.setConstant(True)

    for l, rxn in enumerate(net.reactions):
        r = m.createReaction()
        r.setId(reaction_ids[l])
        r.setReversible(bool(net.reversible[l]))
        for side, make in ((rxn.reactants, r.createReactant), (rxn.products, r.createProduct)):
            for sid, mult in side.items():
                sr = make()
                sr.setSpecies(sid), sr.setStoichiometry(float(mult)), sr.setConstant(True)
        kl = r.createKineticLaw()
        if rxn.propensity_plus is None and rxn.propensity_minus is None:
            formula = _mass_action_formula(rxn, comp, kl, net.k_plus[l], net.k_minus[l])
        else:
            formula = _general_formula(net, l, rxn, comp, kl)
        ast = libsbml.parseL3Formula(formula)
        if ast is None:  # pragma: no cover - our own printer's output
            raise RuntimeError(f"could not parse the generated law {formula!r}: "
                               f"{libsbml.getLastParseL3Error()}")
        kl.setMath(ast)
    text = libsbml.writeSBMLToString(doc)
    if path is not None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return text


def _monomial(comp: str, k: str, side) -> str:
    return " * ".join([comp, k] + [s if mult == 1 else f"{s}^{mult}" for s, mult in side.items()])


def _mass_action_formula(rxn, comp, kl, kp, km) -> str:
    p = kl.createLocalParameter()
    p.setId("kf"), p.setValue(float(kp))
    formula = _monomial(comp, "kf", rxn.reactants)
    if rxn.k_minus is not None:
        q = kl.createLocalParameter()
        q.setId("kr"), q.setValue(float(km))
        formula += " - " + _monomial(comp, "kr", rxn.products)
    return formula


def _general_formula(net, l, rxn, comp, kl) -> str:
    laws = [rxn.propensity_plus, rxn.propensity_minus]
    if rxn.propensity_plus is None or (rxn.propensity_minus is None and rxn.k_minus is not None):
        laws = None
    if laws is None or any(f is not None and not isinstance(f, SBMLRateLaw) for f in laws):
        raise ValueError(f"`net` reaction {l} ({rxn.text()}) has a general rate law given as a "
                         "Python callable, which SBML cannot carry; only mass-action laws and "
                         "laws read by read_sbml can be written.")
    params: dict[str, float] = {}

    def leaf(node) -> str:
        kind, sid = node[0], node[1]
        if kind == "volume":
            return comp
        if kind == "param":
            params[sid] = node[2]
            return sid
        if kind == "species" and sid not in net.species:
            raise ValueError(f"`net` reaction {l}: its law uses species {sid!r}, which is not in "
                             f"the network (species {list(net.species)}).")
        if kind == "fixed" and sid not in net.chemostats:
            params[sid] = node[2]  # a species held fixed outside the network: its concentration
        form = node[3]
        return sid if form == "conc" else f"({sid} * {comp})"

    parts = [to_formula(f.tree, leaf) for f in laws if f is not None]
    for pid, value in params.items():
        p = kl.createLocalParameter()
        p.setId(pid), p.setValue(float(value))
    return parts[0] if len(parts) == 1 else f"{parts[0]} - {parts[1]}"
