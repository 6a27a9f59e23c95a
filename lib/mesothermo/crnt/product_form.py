r"""The product-form stationary law of a complex-balanced network (Anderson, Craciun, Kurtz 2010).

If the rate equations of a mass-action network have a complex-balanced positive steady state
:math:`x^{ss}`, the chemical master equation (Kurtz's mass-action convention, Ge–Qian assumption
iii) has the stationary law

.. math::

    p^{ss}_V(n) = \frac{1}{Z_\Gamma} \prod_{i=1}^N \frac{(V x_i^{ss})^{n_i}}{n_i!}
    \, e^{-V x_i^{ss}}, \qquad n \in \Gamma,

a product of Poisson laws with means :math:`V x^{ss}` restricted to the lattice :math:`\Gamma`
(the stoichiometric compatibility class of the initial state; with no conservation law, the whole
orthant, :math:`Z_\Gamma = 1`). Anderson, Craciun and Kurtz, *Bull. Math. Biol.* 72, 1947 (2010),
Theorem 4.1. By Stirling's formula :math:`-V^{-1}\ln p^{ss}_V(Vx) \to \sum_i x_i\ln(x_i/x_i^{ss})
- x_i + x_i^{ss}` up to the class normalisation, which is Ge–Qian Eq. 10; here :math:`x^{ss}`
must be the steady state *of that class*.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats
from scipy.special import gammaln, logsumexp, xlogy

from .._validation import check_concentrations, check_positive_real
from ..cme import CME
from .complex_balance import complex_balance_test

__all__ = ["ProductFormLaw", "product_form_law"]


class ProductFormLaw(NamedTuple):
    """Result of :func:`product_form_law`.

    Attributes
    ----------
    p : ndarray, shape (S,)
        The restricted product-Poisson law on ``cme.states``, summing to 1.
    log_p : ndarray, shape (S,)
        Its logarithm, computed in log space (finite far below the float64 underflow of ``p``).
    means : ndarray, shape (N,)
        The Poisson means :math:`V x^{ss}`.
    outside_box : float
        With no conservation law: the mass :math:`1 - \\prod_i P(\\mathrm{Poisson}(V x_i^{ss}) \\le
        n^{\\max}_i)` that the untruncated law puts outside the box (the truncation error of
        comparing with the CME on the box). NaN with conservation laws (the class law is
        normalised on the class within the box).
    """

    p: np.ndarray
    log_p: np.ndarray
    means: np.ndarray
    outside_box: float


def product_form_law(cme: CME, x_ss, check: bool = True, rtol: float = 1e-8) -> ProductFormLaw:
    r"""The product-Poisson law with means :math:`V x^{ss}` on the lattice of ``cme``.

    .. math::

        \ln p(n) = \sum_i \big[n_i \ln(V x^{ss}_i) - \ln n_i!\big] - \ln Z,
        \qquad Z = \sum_{n \in \Gamma} \prod_i \frac{(V x_i^{ss})^{n_i}}{n_i!}

    over the states :math:`\Gamma` of ``cme`` (the box, or the compatibility class of ``cme.n0``
    within it). For a complex-balanced :math:`x^{ss}` this is the stationary law of the master
    equation (Anderson, Craciun and Kurtz 2010), up to the truncation of the box.

    Parameters
    ----------
    cme : CME
        The master equation; its network must be mass action.
    x_ss : array_like, shape (N,)
        Concentrations > 0: a complex-balanced steady state, in the class of ``cme.n0`` when the
        network has conservation laws.
    check : bool
        Verify complex balance at ``x_ss`` (:func:`mesothermo.crnt.complex_balance_test` at
        ``rtol``); ``False`` gives the product-Poisson law anyway, e.g. to measure how far a
        non-complex-balanced network's stationary law is from it.
    rtol : float
        Tolerance of that check.

    Returns
    -------
    ProductFormLaw

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> from mesothermo import crnt
    >>> cme = mt.CME(mt.models.immigration_death(k_in=10, k_out=1), V=1.0, max_counts=60)
    >>> law = crnt.product_form_law(cme, [10.0])
    >>> bool(np.max(np.abs(law.p - cme.stationary().p)) < 1e-12)
    True
    """
    if not isinstance(cme, CME):
        raise TypeError(f"`cme` must be a mesothermo.CME; got {type(cme).__name__}.")
    net = cme.net
    net.require_mass_action("the product-form (product-Poisson) law")
    x_ss = check_concentrations(x_ss, net.N, "x_ss")
    if x_ss.ndim != 1 or np.any(x_ss <= 0):
        raise ValueError(f"`x_ss` must be one positive state of shape ({net.N},); got "
                         f"{x_ss.tolist()}.")
    if not isinstance(check, (bool, np.bool_)):
        raise TypeError(f"`check` must be True or False; got {check!r}.")
    rtol = check_positive_real(rtol, "rtol")
    if check:
        test = complex_balance_test(net, x_ss, rtol)
        if not test.holds:
            worst = np.max(np.abs(test.residual) / (test.inflow + test.outflow))
            raise ValueError(
                f"`x_ss` = {x_ss.tolist()} is not complex balanced (largest relative imbalance "
                f"at a complex {worst:.3g} > rtol = {rtol:g}); the product-Poisson law is then "
                "not stationary. Pass check=False to build it anyway.")
    means = cme.V * x_ss
    n = np.asarray(cme.states, float)
    w = np.sum(xlogy(n, means) - gammaln(n + 1.0), axis=1)
    log_p = w - logsumexp(w)
    if cme.conservation_laws.shape[0]:
        outside = float("nan")
    else:
        tails = stats.poisson.sf(np.asarray(cme.max_counts), means)   # P(n_i > max_i)
        outside = float(-np.expm1(np.sum(np.log1p(-tails))))
    for a in (log_p, means):
        a.setflags(write=False)
    p = np.exp(log_p)
    p.setflags(write=False)
    return ProductFormLaw(p, log_p, means, outside)
