r"""Reading and writing SBML (python-libsbml), by the specification's semantics.

:func:`read_sbml` turns an SBML Level 2 or 3 core model into a :class:`~mesothermo.Network` with
its volume and initial state (:class:`SBMLModel`); :func:`write_sbml` writes a network back as
SBML Level 3 Version 2. What a network cannot represent faithfully (events, rules, constraints,
delays, explicit time, several compartments of different size, unknown functions) is refused with
an :class:`SBMLError` naming the SBML element and its id, never imported wrong.

- :mod:`~mesothermo.sbml.reader`: species, compartments, parameters, reactions; mass action
  recognised, other laws kept as :class:`SBMLRateLaw`.
- :mod:`~mesothermo.sbml.writer`: the concentration-form mass-action law, or a law read from SBML.
- :mod:`~mesothermo.sbml.mathml`: MathML trees as tuples, their interpreter and expansion.

References: SBML Level 3 Version 2 Core, section 4.11 (reactions and kinetic laws); the SBML
Test Suite; T. W. Evans, C. S. Gillespie, D. J. Wilkinson, "The SBML discrete stochastic models
test suite", Bioinformatics 24 (2008) 285-286.
"""

from .mathml import SBMLError
from .reader import SBMLModel, SBMLRateLaw, read_sbml
from .writer import write_sbml

__all__ = ["read_sbml", "write_sbml", "SBMLModel", "SBMLRateLaw", "SBMLError"]
