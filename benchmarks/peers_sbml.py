"""The benchmark network as SBML for stochastic simulators (COPASI, libRoadRunner).

:func:`mesothermo.sbml.write_sbml` writes the deterministic reading of the network: reversible
reactions with a *net* concentration-form law ``V k_+ x^2 - V k_- x^3``. A stochastic simulator
evaluates that law as the propensity, which is a different Markov chain: one channel firing at
the net rate instead of two opposite channels, and ``k n^2 / V`` instead of the exact
``k n (n - 1) / V``. For the peers we therefore write the stochastic model itself: one
irreversible reaction per channel of :func:`peers.channels`, species in amounts
(``hasOnlySubstanceUnits="true"``, substance unit ``item``, so counts are molecule numbers and
COPASI's particle-number factor is 1), and the law ``c * X * (X - 1) * ...``, the falling
factorial of the propensity. :func:`mesothermo.sbml.read_sbml` recognises that form as mass
action, which the tests use to check that the file is the benchmark network.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

try:
    from peers import channels
except ImportError:  # pragma: no cover
    from .peers import channels

__all__ = ["stochastic_sbml"]


def _ci(name: str) -> str:
    return f"<ci> {escape(name)} </ci>"


def _law(ch) -> str:
    factors = [_ci("c")]
    for s, m in ch.reactants.items():
        for q in range(m):
            factors.append(_ci(s) if q == 0 else
                           f"<apply><minus/>{_ci(s)}<cn type=\"integer\"> {q} </cn></apply>")
    body = factors[0] if len(factors) == 1 else "<apply><times/>" + "".join(factors) + "</apply>"
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{body}</math>'


def _refs(tag: str, counts: dict[str, int]) -> str:
    if not counts:
        return ""
    items = "".join(f'<speciesReference species="{s}" stoichiometry="{m}" constant="true"/>'
                    for s, m in counts.items())
    return f"<{tag}>{items}</{tag}>"


def stochastic_sbml(bm, model_id: str = "bench") -> str:
    """SBML L3V2 text of ``bm`` (a ``BenchModel``) with one irreversible reaction per channel."""
    net, V = bm.net, float(bm.V)
    species = "".join(
        f'<species id="{s}" compartment="cell" initialAmount="{int(n)}" '
        f'hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>'
        for s, n in zip(net.species, bm.n0))
    reactions = "".join(
        f'<reaction id="{ch.name}" reversible="false">'
        f'{_refs("listOfReactants", ch.reactants)}{_refs("listOfProducts", ch.products)}'
        f'<kineticLaw>{_law(ch)}<listOfLocalParameters>'
        f'<localParameter id="c" value="{ch.c!r}"/></listOfLocalParameters></kineticLaw>'
        f'</reaction>'
        for ch in channels(net, V))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">'
            f'<model id="{model_id}" substanceUnits="item" timeUnits="second" '
            'extentUnits="item">'
            f'<listOfCompartments><compartment id="cell" spatialDimensions="3" size="{V!r}" '
            'constant="true"/></listOfCompartments>'
            f'<listOfSpecies>{species}</listOfSpecies>'
            f'<listOfReactions>{reactions}</listOfReactions></model></sbml>\n')
