r"""Chemical reaction network theory: complexes, deficiency, detailed and complex balance.

The structure of a mass-action network decides much of its thermodynamics (Ge–Qian, "Kinetics
with complex balance", Eq. 10). This package computes that structure, following Horn and
Jackson (1972) and Feinberg (1979, 1987), with the complex graph held by :mod:`networkx`:

- :mod:`~mesothermo.crnt.linalg`: exact ranks and integer null-space bases;
- :mod:`~mesothermo.crnt.balance`: Wegscheider's cycle conditions and the detailed-balance test.

Chemostatted species are constants: they are left out of complexes and their concentrations
folded into the effective rate constants (as Catalyst's ``network_analysis.jl`` treats constant
species).
"""

from .balance import (DetailedBalanceTest, WegscheiderTest, detailed_balance_test,
                      wegscheider_cycles, wegscheider_test)
from .linalg import exact_rank, integer_null_space

__all__ = ["exact_rank", "integer_null_space",
           "WegscheiderTest", "DetailedBalanceTest", "wegscheider_cycles", "wegscheider_test",
           "detailed_balance_test"]
