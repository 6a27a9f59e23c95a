r"""The complex-balanced rate function, Ge–Qian Eq. 10.

One job: :math:`\varphi^{ss}(x) = \sum_i x_i\ln(x_i/x_i^{ss}) - x_i + x_i^{ss}` for a
complex-balanced mass-action network, after checking complex balance at :math:`x^{ss}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _kinetics
from .._validation import check_concentrations, check_network, check_point, check_positive_real
from ..network import Network

__all__ = ["ComplexBalancedRateFunction", "rate_function_complex_balanced"]


def _complex_balance_defect(net: Network, x: np.ndarray) -> float:
    """max over complexes |inflow - outflow| / total rate, at x (complexes of dynamical species)."""
    Rp, Rm = _kinetics.rates(net, x)
    complexes: dict[tuple, float] = {}
    for l in range(net.M):
        src, dst = tuple(net.nu_plus[l]), tuple(net.nu_minus[l])
        complexes[src] = complexes.get(src, 0.0) - Rp[l] + Rm[l]
        complexes[dst] = complexes.get(dst, 0.0) + Rp[l] - Rm[l]
    total = np.sum(Rp + Rm)
    return max(abs(v) for v in complexes.values()) / max(total, 1e-300)


@dataclass(frozen=True)
class ComplexBalancedRateFunction:
    r"""Ge–Qian Eq. 10, :math:`\varphi^{ss}(x) = \sum_i x_i\ln(x_i/x_i^{ss}) - x_i +
    x_i^{ss}`, as a callable with its gradient :math:`\ln(x_i/x_i^{ss})`.

    Call it with concentrations of shape (..., N) to get :math:`\varphi` of shape (...).
    """

    x_ss: np.ndarray

    def __call__(self, x) -> np.ndarray:
        from scipy.special import xlogy
        x = check_concentrations(x, self.x_ss.size, "x")
        return np.sum(xlogy(x, x) - xlogy(x, self.x_ss) - x + self.x_ss, axis=-1)

    def gradient(self, x) -> np.ndarray:
        """:math:`\\nabla\\varphi = \\ln(x/x^{ss})`, shape (..., N); -inf where x_i = 0."""
        x = check_concentrations(x, self.x_ss.size, "x")
        with np.errstate(divide="ignore"):
            return np.log(x) - np.log(self.x_ss)


def rate_function_complex_balanced(net: Network, x_ss, check: bool = True,
                                   tol: float = 1e-8, x0=None) -> ComplexBalancedRateFunction:
    r"""The rate function of a complex-balanced mass-action network (Ge–Qian Eq. 10).

    .. math::

        \varphi^{ss}(x) = \sum_{i=1}^N x_i\ln\frac{x_i}{x_i^{ss}} - x_i + x_i^{ss}

    (Anderson, Craciun, Gopalkrishnan and Wiuf 2015). For a complex-balanced :math:`x^{ss}`
    the gradient :math:`\ln(x/x^{ss})` solves Eq. 6 exactly: with
    :math:`\nabla\varphi = \ln(x/x^{ss})`, :math:`R_{+\ell}e^{\nu_\ell\cdot\nabla\varphi} =
    R_{+\ell}(x^{ss})\,(x/x^{ss})^{\nu^-_\ell}`, and the sum in Eq. 6 cancels complex by
    complex. With conservation laws :math:`x^{ss}` must be the steady state *in the
    compatibility class* of interest (the design notes' caveat), and :math:`\varphi` is meant
    on that class.

    Parameters
    ----------
    net : Network
        Mass action.
    x_ss : array_like, shape (N,)
        A positive complex-balanced steady state.
    check : bool
        Verify complex balance at ``x_ss``: at every complex (the dynamical-species part of a
        reaction side), inflow equals outflow to ``tol`` times the total rate. Set ``False`` to
        evaluate Eq. 10 for a network where it does not hold (e.g. to show that it fails).
    tol : float
        Relative tolerance of that check.
    x0 : array_like, shape (N,), optional
        A point of the compatibility class on which :math:`\varphi` is meant (e.g. the initial
        concentrations). With conservation laws :math:`L`, Eq. 10 is the rate function of that
        class only when :math:`x^{ss}` is the steady state *of the class*,
        :math:`Lx^{ss} = Lx_0`; the steady state of another class is also complex balanced and
        its Eq. 10 also solves Eq. 6, but it is lifted by a constant on the class of interest.
        Given ``x0``, a mismatch beyond ``tol`` (relative to :math:`|Lx_0|`) raises.

    Returns
    -------
    ComplexBalancedRateFunction
        Callable ``phi(x)`` with ``phi.gradient(x)`` and ``phi.x_ss``.

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> net = mt.models.open_isomerisation(a=2.0, b=0.5)
    >>> (ss,) = mt.steady_states(net)
    >>> phi = mt.rate_function_complex_balanced(net, ss.x)
    >>> float(phi(ss.x))
    0.0
    """
    check_network(net)
    net.require_mass_action("Eq. 10 (the complex-balanced rate function)")
    x_ss = check_point(net.N, x_ss, "x_ss")
    if not isinstance(check, (bool, np.bool_)):
        raise TypeError(f"`check` must be True or False; got {check!r}.")
    tol = check_positive_real(tol, "tol")  # a NaN tol would pass every network unchecked
    if np.any(x_ss <= 0):
        raise ValueError(f"`x_ss` must be positive (complex-balanced steady states are); got "
                         f"{x_ss.tolist()}.")
    if x0 is not None:
        x0 = check_point(net.N, x0, "x0")
        L = net.conservation_laws().astype(float)
        if L.shape[0]:
            gap = np.abs(L @ x_ss - L @ x0)
            scale = max(float(np.max(np.abs(L @ x0))), 1e-300)
            if np.max(gap) > tol * scale:
                raise ValueError(
                    f"`x_ss` = {x_ss.tolist()} is not in the compatibility class of `x0` = "
                    f"{x0.tolist()}: the conserved totals L x differ ({(L @ x_ss).tolist()} vs "
                    f"{(L @ x0).tolist()}); Eq. 10 needs the steady state of the class of "
                    "`x0` (mt.steady_states(net, conserved=L @ x0)).")
    if check:
        defect = _complex_balance_defect(net, x_ss)
        if defect > tol:
            raise ValueError(
                f"`x_ss` = {x_ss.tolist()} is not a complex-balanced steady state of `net` "
                f"(relative complex imbalance {defect:.3g} > tol = {tol:g}), so Eq. 10 does not "
                "solve Eq. 6; pass check=False to evaluate it anyway.")
    x = np.array(x_ss, float)
    x.setflags(write=False)
    return ComplexBalancedRateFunction(x)
