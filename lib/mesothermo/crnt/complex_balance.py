r"""Complex balance (Horn and Jackson 1972): inflow equals outflow at every complex.

A state :math:`x > 0` of a mass-action network is *complex balanced* when, at every complex
:math:`y` of the complex graph (:mod:`mesothermo.crnt.graph`),

.. math::

    \sum_{e:\ \mathrm{target}(e) = y} J_e(x) \;=\; \sum_{e:\ \mathrm{source}(e) = y} J_e(x),

where :math:`J_e` is :math:`R_{+\ell}(x)` on the forward edge of reaction :math:`\ell` and
:math:`R_{-\ell}(x)` on its backward edge. In matrix form :math:`A_{\rm inc} J(x) = 0`; since
:math:`\nu^T = Y^T A_{\rm inc}` up to the edge directions, a complex-balanced state is a steady
state of the rate equations (Ge–Qian Eq. 4). Detailed balance (each reaction balanced on its own,
:mod:`mesothermo.crnt.balance`) is the special case in which the two edges of every reversible
reaction cancel; complex balance is strictly wider (the irreversible cycle
:math:`A\to B\to C\to A`, the reversible cycle with Wegscheider's condition violated).

For a complex-balanced network the stationary law of the chemical master equation is a product
of Poisson laws restricted to the compatibility class (Anderson, Craciun and Kurtz 2010; see
:func:`mesothermo.crnt.product_form_law`) and Ge–Qian Eq. 10 is the rate function
(:func:`mesothermo.rate_function_complex_balanced`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_concentrations, check_network, check_positive_real
from .graph import complex_graph

__all__ = ["ComplexBalanceTest", "complex_balance_test", "is_complex_balanced"]


class ComplexBalanceTest(NamedTuple):
    """Result of :func:`complex_balance_test`.

    Attributes
    ----------
    inflow, outflow : ndarray, shape (c,)
        Total rate of the edges entering and leaving each complex at ``x``.
    residual : ndarray, shape (c,)
        ``inflow - outflow``.
    holds : bool
        ``|residual| <= rtol * (inflow + outflow)`` at every complex.
    """

    inflow: np.ndarray
    outflow: np.ndarray
    residual: np.ndarray
    holds: bool


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def complex_balance_test(net, x, rtol: float = 1e-8) -> ComplexBalanceTest:
    r"""Inflow and outflow at every complex at :math:`x` (Horn–Jackson complex balance).

    .. math::

        \mathrm{in}_y(x) = \sum_{e \to y} J_e(x), \qquad
        \mathrm{out}_y(x) = \sum_{y \to e} J_e(x)

    with :math:`J_e = R_{\pm\ell}(x)` the rate of the edge's reaction direction
    (``net.rates``, chemostats folded in).

    Parameters
    ----------
    net : Network
        Mass action (complex balance is a property of mass-action rates).
    x : array_like, shape (N,)
        Concentrations, >= 0.
    rtol : float
        Relative tolerance per complex: :math:`|\mathrm{in}_y - \mathrm{out}_y| \le`
        ``rtol`` :math:`(\mathrm{in}_y + \mathrm{out}_y)`. A steady state found to relative
        accuracy :math:`\varepsilon` carries rate errors of order (reaction order) times
        :math:`\varepsilon`, so ``rtol`` should exceed that.

    Returns
    -------
    ComplexBalanceTest

    Examples
    --------
    >>> import mesothermo as mt
    >>> from mesothermo import crnt
    >>> net = mt.Network.from_string("A -> B ; 1\nB -> C ; 2\nC -> A ; 4")
    >>> crnt.complex_balance_test(net, [4.0, 2.0, 1.0]).holds   # each complex: in 4 = out 4
    True
    """
    net = check_network(net)
    net.require_mass_action("the complex-balance test")
    x = check_concentrations(x, net.N, "x")
    if x.ndim != 1:
        raise ValueError(f"`x` must be one state of shape ({net.N},); got shape {x.shape}.")
    rtol = check_positive_real(rtol, "rtol")
    g = complex_graph(net)
    Rp, Rm = net.rates(x)
    J = np.where(g.edge_direction > 0, Rp[g.edge_reaction], Rm[g.edge_reaction])
    inflow = np.zeros(g.c)
    outflow = np.zeros(g.c)
    np.add.at(inflow, g.edges[:, 1], J)
    np.add.at(outflow, g.edges[:, 0], J)
    res = inflow - outflow
    return ComplexBalanceTest(_ro(inflow), _ro(outflow), _ro(res),
                              bool(np.all(np.abs(res) <= rtol * (inflow + outflow))))


def is_complex_balanced(net, x, rtol: float = 1e-8) -> bool:
    """Whether ``x`` is a complex-balanced state of ``net`` (:func:`complex_balance_test`)."""
    return complex_balance_test(net, x, rtol).holds
