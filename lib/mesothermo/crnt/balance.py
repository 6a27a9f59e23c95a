r"""Detailed balance: Wegscheider's cycle conditions and the test at a state.

A mass-action network with every reaction reversible is *detailed balanced* at :math:`x > 0`
when every reaction is at equilibrium on its own,

.. math::

    R_{+\ell}(x) = R_{-\ell}(x), \qquad \ell = 1,\dots,M,

the condition behind Ge–Qian Eq. 9 (:math:`\ln(R_{+\ell}/R_{-\ell}) = 0` for every
:math:`\ell`, so the chemical motive force vanishes). A positive detailed-balanced state exists
iff Wegscheider's conditions hold (Wegscheider 1901; Feinberg 1989; Schuster and Schuster 1989):
for every reaction cycle :math:`c \in \ker \nu^T` (integer :math:`c` with
:math:`\sum_\ell c_\ell \nu_\ell = 0`)

.. math::

    \sum_\ell c_\ell \ln\frac{k_{+\ell}}{k_{-\ell}} = 0,

with the *effective* constants (chemostat concentrations folded in,
:attr:`Network.effective_k_plus`). Taking logarithms of :math:`R_{+\ell}=R_{-\ell}` gives
:math:`\nu_\ell\cdot\ln x = \ln(k_{+\ell}/k_{-\ell})`, solvable iff the right side is orthogonal
to :math:`\ker\nu^T`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_concentrations, check_network, check_positive_real
from .._linalg import integer_null_space

__all__ = ["WegscheiderTest", "DetailedBalanceTest", "wegscheider_cycles", "wegscheider_test",
           "detailed_balance_test"]


class WegscheiderTest(NamedTuple):
    """Result of :func:`wegscheider_test`.

    Attributes
    ----------
    cycles : ndarray of int, shape (K, M)
        The integer cycle basis of :func:`wegscheider_cycles`.
    log_ratios : ndarray, shape (K,)
        :math:`\\sum_\\ell c_{k\\ell}\\ln(k_{+\\ell}/k_{-\\ell})` per cycle (effective constants).
    tolerances : ndarray, shape (K,)
        ``rtol`` times :math:`\\sum_\\ell |c_{k\\ell}|(|\\ln k_{+\\ell}| + |\\ln k_{-\\ell}|)`,
        the round-off scale of each sum.
    holds : bool
        Every ``|log_ratios[k]| <= tolerances[k]`` (vacuously true when K = 0).
    """

    cycles: np.ndarray
    log_ratios: np.ndarray
    tolerances: np.ndarray
    holds: bool


class DetailedBalanceTest(NamedTuple):
    """Result of :func:`detailed_balance_test`.

    Attributes
    ----------
    residual : ndarray, shape (M,)
        :math:`\\ln(R_{+\\ell}(x)/R_{-\\ell}(x))`; 0 where both rates vanish, :math:`\\pm\\infty`
        where only one does.
    holds : bool
        Every ``|residual[l]| <= rtol``.
    """

    residual: np.ndarray
    holds: bool


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def wegscheider_cycles(net) -> np.ndarray:
    r"""An integer basis of the reaction cycles :math:`\{c : \sum_\ell c_\ell \nu_\ell = 0\}`.

    The right null space of the stoichiometric matrix :math:`\nu^T` (shape N x M; ``net.nu`` is
    its transpose, M x N), computed exactly and scaled to the smallest integers per row with a
    positive first entry. There are :math:`K = M - s` of them, :math:`s =
    \operatorname{rank}\nu`.

    Parameters
    ----------
    net : Network

    Returns
    -------
    ndarray of int64, shape (K, M)

    Examples
    --------
    >>> import mesothermo as mt
    >>> from mesothermo import crnt
    >>> crnt.wegscheider_cycles(mt.models.unimolecular_cycle()).tolist()
    [[1, 1, 1]]
    """
    net = check_network(net)
    return _readonly(integer_null_space(np.asarray(net.nu).T))


def wegscheider_test(net, rtol: float = 1e-10) -> WegscheiderTest:
    r"""Wegscheider's conditions: does a positive detailed-balanced state exist?

    .. math::

        \sum_\ell c_{k\ell}\ln\frac{k_{+\ell}}{k_{-\ell}} = 0 \quad\text{for every cycle } c_k

    with the effective constants :math:`k_{\pm\ell}\prod_c a_c^{m^\pm_{\ell c}}` (chemostats
    folded in). Detailed balance (Ge–Qian Eq. 9 with zero chemical motive force) is possible
    iff these hold.

    Parameters
    ----------
    net : Network
        Mass action, every reaction reversible.
    rtol : float
        Relative tolerance: cycle :math:`k` passes when :math:`|\sum_\ell c_{k\ell}\ln(k_+/k_-)|
        \le` ``rtol`` :math:`\sum_\ell |c_{k\ell}|(|\ln k_{+\ell}|+|\ln k_{-\ell}|)` (the sum's
        round-off scale).

    Returns
    -------
    WegscheiderTest

    Raises
    ------
    ValueError
        For an irreversible reaction (its log-ratio is infinite), a general rate law, or a zero
        effective constant.
    """
    net = check_network(net)
    net.require_mass_action("the Wegscheider test")
    net.require_reversible("the Wegscheider test")
    rtol = check_positive_real(rtol, "rtol")
    kp, km = np.asarray(net.effective_k_plus), np.asarray(net.effective_k_minus)
    zero = np.flatnonzero((kp == 0) | (km == 0))
    if zero.size:
        raise ValueError("the Wegscheider test needs non-zero effective rate constants (with "
                         "chemostats folded in); zero for: "
                         + "; ".join(net.reactions[l].text() for l in zero))
    C = wegscheider_cycles(net)
    lp, lm = np.log(kp), np.log(km)
    ratios = C @ (lp - lm) if C.size else np.zeros(0)
    tol = rtol * (np.abs(C) @ (np.abs(lp) + np.abs(lm))) if C.size else np.zeros(0)
    return WegscheiderTest(C, _readonly(np.asarray(ratios, float)),
                           _readonly(np.asarray(tol, float)), bool(np.all(np.abs(ratios) <= tol)))


def detailed_balance_test(net, x, rtol: float = 1e-10) -> DetailedBalanceTest:
    r"""Is every reaction at equilibrium at :math:`x`? The residual
    :math:`\ln(R_{+\ell}(x)/R_{-\ell}(x))`, shape (M,).

    Parameters
    ----------
    net : Network
        Mass action, every reaction reversible.
    x : array_like, shape (N,)
        Concentrations, >= 0.
    rtol : float
        Every :math:`|\ln(R_+/R_-)| \le` ``rtol`` (a relative agreement of :math:`R_\pm`).

    Returns
    -------
    DetailedBalanceTest
    """
    net = check_network(net)
    net.require_mass_action("the detailed-balance test")
    net.require_reversible("the detailed-balance test")
    x = check_concentrations(x, net.N, "x")
    if x.ndim != 1:
        raise ValueError(f"`x` must be one state of shape ({net.N},); got shape {x.shape}.")
    rtol = check_positive_real(rtol, "rtol")
    Rp, Rm = net.rates(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = np.log(Rp) - np.log(Rm)
    res = np.where((Rp == 0) & (Rm == 0), 0.0, res)
    return DetailedBalanceTest(_readonly(res), bool(np.all(np.abs(res) <= rtol)))
