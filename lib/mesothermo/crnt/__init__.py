r"""Chemical reaction network theory: complexes, deficiency, detailed and complex balance.

The structure of a mass-action network decides much of its thermodynamics (Ge–Qian, "Kinetics
with complex balance", Eq. 10). This package computes that structure, following Horn and
Jackson (1972) and Feinberg (1979, 1987), with the complex graph held by :mod:`networkx`:

- `mesothermo._linalg` (shared with `network`): exact ranks and integer null-space bases;
- :mod:`~mesothermo.crnt.balance`: Wegscheider's cycle conditions and the detailed-balance test;
- :mod:`~mesothermo.crnt.graph`: complexes, linkage classes (plain, strong, terminal), the rank
  of the stoichiometric subspace, deficiency, weak reversibility, the deficiency-zero theorem;
- :mod:`~mesothermo.crnt.complex_balance`: inflow = outflow at every complex;
- :mod:`~mesothermo.crnt.product_form`: the product-Poisson stationary law of the chemical
  master equation of a complex-balanced network on its lattice (Anderson, Craciun and Kurtz
  2010);
- :mod:`~mesothermo.crnt.summary`: structure, steady states and balance of one network.

Chemostatted species are constants: they are left out of complexes and their concentrations
folded into the effective rate constants (as Catalyst's ``network_analysis.jl`` treats constant
species).
"""

from .balance import (DetailedBalanceTest, WegscheiderTest, detailed_balance_test,
                      wegscheider_cycles, wegscheider_test)
from .complex_balance import ComplexBalanceTest, complex_balance_test, is_complex_balanced
from .graph import (ComplexGraph, complex_graph, complexes, deficiency, deficiency_zero_applies,
                    is_weakly_reversible, linkage_classes, strong_linkage_classes,
                    terminal_strong_linkage_classes)
from .._linalg import exact_rank, integer_null_space
from .product_form import ProductFormLaw, product_form_law
from .summary import NetworkSummary, network_summary

__all__ = ["exact_rank", "integer_null_space",
           "WegscheiderTest", "DetailedBalanceTest", "wegscheider_cycles", "wegscheider_test",
           "detailed_balance_test",
           "ComplexGraph", "complex_graph", "complexes", "linkage_classes",
           "strong_linkage_classes", "terminal_strong_linkage_classes", "deficiency",
           "is_weakly_reversible", "deficiency_zero_applies",
           "ComplexBalanceTest", "complex_balance_test", "is_complex_balanced",
           "ProductFormLaw", "product_form_law", "NetworkSummary", "network_summary"]
