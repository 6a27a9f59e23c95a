r"""One network's structure and balance in one result: the row of a gallery table.

:func:`network_summary` combines the complex graph (:mod:`~mesothermo.crnt.graph`) with the
steady states of the rate equations (:func:`mesothermo.steady_states`, in one stoichiometric
compatibility class) and tests each positive steady state for detailed balance
(:func:`~mesothermo.crnt.detailed_balance_test`) and complex balance
(:func:`~mesothermo.crnt.complex_balance_test`). Two theorems make the answers checkable:

- Horn (1972): a network with a positive complex-balanced steady state is weakly reversible,
  and then *every* positive steady state is complex balanced, one per class (Horn and Jackson
  1972). So the test is decided by any one positive steady state.
- Feinberg (1972), Horn (1972): weakly reversible with :math:`\delta = 0` implies complex
  balance for every choice of rate constants (the deficiency-zero theorem).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_network
from ..rre import steady_states
from .balance import detailed_balance_test, wegscheider_test
from .complex_balance import complex_balance_test
from .graph import complex_graph

__all__ = ["NetworkSummary", "network_summary"]


class NetworkSummary(NamedTuple):
    """Result of :func:`network_summary`.

    Attributes
    ----------
    c, l, s, deficiency : int
        Complexes, linkage classes, rank of the stoichiometric subspace, :math:`c - l - s`.
    weakly_reversible : bool
    reversible : bool
        Every reaction has a backward direction.
    wegscheider : bool or None
        Wegscheider's conditions hold (``None`` when some reaction is irreversible).
    positive_steady_states : tuple of ndarray
        The positive steady states found in the class (``x > 0`` componentwise).
    detailed_balanced : bool
        Some positive steady state is detailed balanced (False when a reaction is irreversible
        or there is no positive steady state).
    complex_balanced : bool
        Every positive steady state found is complex balanced and there is at least one.
    """

    c: int
    l: int  # noqa: E741 - the standard symbol
    s: int
    deficiency: int
    weakly_reversible: bool
    reversible: bool
    wegscheider: bool | None
    positive_steady_states: tuple
    detailed_balanced: bool
    complex_balanced: bool


def network_summary(net, conserved=None, x_range=None, rtol: float = 1e-8,
                    positive_tol: float = 1e-9, n_starts: int = 64) -> NetworkSummary:
    """Structure, steady states and balance of ``net`` in one compatibility class.

    Parameters
    ----------
    net : Network
        Mass action.
    conserved : array_like, optional
        Conserved totals selecting the class (as for :func:`mesothermo.steady_states`);
        required when the network has conservation laws.
    x_range : optional
        Passed to :func:`mesothermo.steady_states`.
    rtol : float
        Tolerance of the balance tests at each steady state (the steady states come from a
        root finder converged to about 1e-12 relative).
    positive_tol : float
        A steady state counts as positive when every concentration exceeds this.
    n_starts : int
        Starting points of the root finder for several species
        (:func:`mesothermo.steady_states`); a complex-balanced network has one steady state
        per class, so a few suffice there, while multistable ones need more.

    Returns
    -------
    NetworkSummary
    """
    net = check_network(net)
    net.require_mass_action("the network summary")
    g = complex_graph(net)
    found = steady_states(net, x_range=x_range, conserved=conserved, n_starts=n_starts)
    positive = tuple(s.x for s in found if np.all(s.x > positive_tol))
    reversible = bool(np.all(net.reversible))
    weg = wegscheider_test(net).holds if reversible else None
    # Detailed (complex) balance at one positive steady state makes the network detailed
    # (complex) balanced, and then it holds at every positive steady state (Horn–Jackson): both
    # tests ask it of all of them, so that a spurious root shows instead of being outvoted.
    db = reversible and bool(positive) and all(detailed_balance_test(net, x, rtol).holds
                                               for x in positive)
    cb = bool(positive) and all(complex_balance_test(net, x, rtol).holds for x in positive)
    return NetworkSummary(g.c, g.l, g.s, g.deficiency, g.weakly_reversible, reversible, weg,
                          positive, bool(db), cb)
