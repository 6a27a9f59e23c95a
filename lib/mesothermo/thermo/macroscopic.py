r"""The macroscopic free-energy balance: Ge–Qian Eqs. 7b–7d.

In the limit :math:`V\to\infty` the intensive mesoscopic balance terms converge (Ge–Qian
Eqs. 7a, 7c, 7d) to functions of the concentrations :math:`x` on the rate-equation path
:math:`\dot x = F(x) = \sum_\ell \nu_\ell (R_{+\ell} - R_{-\ell})` (Eq. 4):

.. math::

    \sigma(x) &= \sum_{\ell=1}^M (R_{+\ell} - R_{-\ell})
                 \ln\frac{R_{+\ell}}{R_{-\ell}} \;\ge 0, \qquad \text{(7c)}\\
    \mathrm{cmf}(x) &= \sum_{\ell=1}^M (R_{+\ell} - R_{-\ell})
                 \ln\Bigl(\frac{R_{+\ell}}{R_{-\ell}}\,
                 e^{\nu_\ell\cdot\nabla\varphi^{ss}}\Bigr), \qquad \text{(7d)}

and the chemical energy :math:`\varphi^{ss}` changes along the path at the rate

.. math::

    \frac{d\varphi^{ss}}{dt} = \nabla\varphi^{ss}\cdot F(x)
        = \sum_\ell (R_{+\ell} - R_{-\ell})\,\nu_\ell\cdot\nabla\varphi^{ss}
        = \mathrm{cmf}(x) - \sigma(x). \qquad \text{(7b)}

The last equality is algebra (subtract 7c from 7d), for any :math:`\nabla\varphi`. What needs
:math:`\varphi^{ss}` to solve the Kurtz–Hu equation (Eq. 6) is the sign
:math:`\mathrm{cmf}\ge 0` (derived in :func:`cmf` from :math:`\ln z \ge 1 - 1/z`). Hence
:math:`d\varphi^{ss}/dt = \mathrm{cmf} - \sigma` with both terms non-negative, and, because
:math:`d\varphi^{ss}/dt \le 0` (chapter 03), :math:`0 \le \mathrm{cmf}\le\sigma`.

All functions are vectorised over ``x`` of shape (..., N) and need every reaction reversible:
:math:`\ln(R_+/R_-)` is infinite for an irreversible one, and they raise a ``ValueError``
naming it (``Network.require_reversible``). Where both rates of a reaction vanish its term is
0; where exactly one vanishes (on the boundary of the orthant) the term is :math:`+\infty`.

References
----------
H. Ge and H. Qian, "Mesoscopic kinetic basis of macroscopic chemical thermodynamics: a
mathematical theory", arXiv:1601.03159 (2016), Eqs. 4, 6, 7b–d.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_concentrations, check_network, check_volume_for
from ..network import Network

__all__ = ["sigma", "cmf", "free_energy_rate", "dphi_dt", "MacroscopicBalance",
           "macroscopic_balance"]


class MacroscopicBalance(NamedTuple):
    """The terms of Ge–Qian Eq. 7b at concentrations ``x`` (each of shape ``x.shape[:-1]``).

    ``residual`` is ``dphi_dt - (cmf - sigma)``: zero up to round-off (Eq. 7b is an identity in
    :math:`\\nabla\\varphi`); the science is in the signs of ``sigma`` and ``cmf``.
    """

    sigma: np.ndarray
    cmf: np.ndarray
    dphi_dt: np.ndarray
    residual: np.ndarray


def _rates(net: Network, x, V, what: str):
    """Checked (x, R+, R-) for a thermodynamic function ``what``."""
    check_network(net)
    net.require_reversible(what)
    V = check_volume_for(net, V)
    x = check_concentrations(x, net.N, "x")
    Rp, Rm = net.rates(x, V)
    return x, np.asarray(Rp, float), np.asarray(Rm, float)


def _log_ratio(Rp: np.ndarray, Rm: np.ndarray) -> np.ndarray:
    """ln(R+/R-) with ln(0/0) = 0 (the term's flux is 0 then) and +-inf at a one-sided zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(Rp) - np.log(Rm)
    return np.where((Rp == 0) & (Rm == 0), 0.0, out)


def _reaction_sum(flux: np.ndarray, log_term: np.ndarray) -> np.ndarray:
    """sum_l flux_l * log_term_l with 0 * (anything) = 0 (a vanishing flux carries nothing)."""
    with np.errstate(invalid="ignore"):
        terms = np.where(flux == 0, 0.0, flux * log_term)
    return np.sum(terms, axis=-1)


def _grad_shift(net: Network, x: np.ndarray, grad_phi) -> tuple[np.ndarray, np.ndarray]:
    """(x, s) broadcast, with s_l = nu_l . grad_phi of shape (..., M)."""
    g = check_concentrations(grad_phi, net.N, "grad_phi", nonnegative=False)
    try:
        shape = np.broadcast_shapes(x.shape, g.shape)
    except ValueError:
        raise ValueError(f"`x` and `grad_phi` must broadcast; got shapes {x.shape} and "
                         f"{g.shape}.") from None
    g = np.broadcast_to(g, shape)
    return shape, g @ net.nu.T.astype(float)


def sigma(net: Network, x, V: float | None = None) -> np.ndarray:
    r"""Macroscopic entropy production rate, Ge–Qian Eq. 7c.

    .. math::

        \sigma(x) = \sum_{\ell=1}^M \bigl(R_{+\ell}(x) - R_{-\ell}(x)\bigr)
                    \ln\frac{R_{+\ell}(x)}{R_{-\ell}(x)} \;\ge\; 0

    Each term is :math:`(a-b)\ln(a/b)\ge 0`; :math:`\sigma = 0` exactly where every reaction is
    at equilibrium, :math:`R_{+\ell} = R_{-\ell}` (detailed balance).

    Parameters
    ----------
    net : Network
        Every reaction reversible.
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (...)
        Per unit volume and time (:math:`k_BT` = 1); ``inf`` where exactly one rate of a
        reaction vanishes.

    Raises
    ------
    ValueError
        If a reaction is irreversible (its log-ratio is infinite everywhere).

    Examples
    --------
    :math:`A \rightleftharpoons B` with :math:`k_\pm = 1` at :math:`x = (2, 1)`:
    :math:`(2 - 1)\ln 2`.

    >>> import numpy as np, mesothermo as mt
    >>> from mesothermo import thermo
    >>> round(float(thermo.sigma(mt.models.isomerisation(), [2.0, 1.0])), 12)
    0.69314718056
    """
    x, Rp, Rm = _rates(net, x, V, "sigma (Ge–Qian Eq. 7c)")
    return _reaction_sum(Rp - Rm, _log_ratio(Rp, Rm))


def cmf(net: Network, x, grad_phi, V: float | None = None) -> np.ndarray:
    r"""Chemical motive force, Ge–Qian Eq. 7d, given :math:`\nabla\varphi^{ss}` at ``x``.

    .. math::

        \mathrm{cmf}(x) = \sum_{\ell=1}^M \bigl(R_{+\ell}(x) - R_{-\ell}(x)\bigr)
            \Bigl[\ln\frac{R_{+\ell}(x)}{R_{-\ell}(x)} + \nu_\ell\cdot\nabla\varphi^{ss}(x)\Bigr]

    When :math:`\nabla\varphi^{ss}` solves the Kurtz–Hu equation (Eq. 6), cmf :math:`\ge 0`.
    With :math:`s_\ell = \nu_\ell\cdot\nabla\varphi^{ss}` and :math:`z_\ell = R_{+\ell}
    e^{s_\ell}/R_{-\ell}`, each term is :math:`R_{+\ell}\ln z_\ell + R_{-\ell}\ln(1/z_\ell)`,
    and :math:`\ln z \ge 1 - 1/z` bounds it below by
    :math:`(R_{+\ell} - R_{-\ell}e^{-s_\ell}) + (R_{-\ell} - R_{+\ell}e^{s_\ell})`:

    .. math::

        \mathrm{cmf}(x) \ge \sum_{\ell=1}^M R_{+\ell}\bigl(1 - e^{s_\ell}\bigr)
                           + R_{-\ell}\bigl(1 - e^{-s_\ell}\bigr) = 0,

    the last sum being Eq. 6's left side. For a gradient that does not solve Eq. 6 the sign
    can fail. Under detailed balance (:math:`\ln(R_{+\ell}/R_{-\ell}) =
    -\nu_\ell\cdot\nabla\varphi` for every reaction, Eq. 9 with its typo corrected) every
    bracket vanishes and cmf :math:`\equiv 0`.

    Parameters
    ----------
    net : Network
        Every reaction reversible.
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    grad_phi : array_like, shape (..., N)
        :math:`\nabla\varphi^{ss}(x)`, broadcast against ``x``.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (broadcast of ``x.shape[:-1]`` and ``grad_phi.shape[:-1]``)

    Examples
    --------
    Detailed balance: :math:`A\rightleftharpoons B`, :math:`\varphi` the Gibbs function of
    Eq. 10 with :math:`x^{eq} = (1, 1)`, :math:`\nabla\varphi = \ln(x/x^{eq})`.

    >>> import numpy as np, mesothermo as mt
    >>> from mesothermo import thermo
    >>> x = np.array([2.0, 0.5])
    >>> abs(float(thermo.cmf(mt.models.isomerisation(), x, np.log(x)))) < 1e-15
    True
    """
    x, Rp, Rm = _rates(net, x, V, "cmf (Ge–Qian Eq. 7d)")
    shape, s = _grad_shift(net, x, grad_phi)
    Rp, Rm = np.broadcast_to(Rp, shape[:-1] + (net.M,)), np.broadcast_to(Rm, shape[:-1] + (net.M,))
    return _reaction_sum(Rp - Rm, _log_ratio(Rp, Rm) + s)


def free_energy_rate(net: Network, x, grad_phi, V: float | None = None) -> np.ndarray:
    r"""Rate of change of :math:`\varphi^{ss}` along the rate equation, the left side of Eq. 7b.

    .. math::

        \frac{d\varphi^{ss}}{dt} = \nabla\varphi^{ss}(x)\cdot F(x)
            = \sum_{\ell=1}^M \bigl(R_{+\ell} - R_{-\ell}\bigr)\,\nu_\ell\cdot\nabla\varphi^{ss}
            = \mathrm{cmf}(x) - \sigma(x),

    with :math:`F` the right side of the rate equation (Ge–Qian Eq. 4). Computed from the first
    sum (no logarithms), so it is finite wherever the rates and the gradient are, and can be
    compared with :func:`cmf` minus :func:`sigma`.

    Parameters
    ----------
    net : Network
        Every reaction reversible (as for :func:`cmf` and :func:`sigma`).
    x : array_like, shape (..., N)
    grad_phi : array_like, shape (..., N)
        :math:`\nabla\varphi^{ss}(x)`, broadcast against ``x``.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (broadcast of the leading shapes)

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> from mesothermo import thermo
    >>> net, x = mt.models.isomerisation(), np.array([2.0, 0.5])
    >>> bool(np.isclose(thermo.free_energy_rate(net, x, np.log(x)), -thermo.sigma(net, x)))
    True
    """
    x, Rp, Rm = _rates(net, x, V, "free_energy_rate (Ge–Qian Eq. 7b)")
    shape, s = _grad_shift(net, x, grad_phi)
    return np.sum((Rp - Rm) * s, axis=-1)


#: The left side of Eq. 7b under the name the issue uses.
dphi_dt = free_energy_rate


def macroscopic_balance(net: Network, x, grad_phi, V: float | None = None) -> MacroscopicBalance:
    r"""All terms of Ge–Qian Eq. 7b at ``x``: :math:`\sigma`, cmf, :math:`d\varphi/dt` and the
    residual :math:`d\varphi/dt - (\mathrm{cmf} - \sigma)`.

    Parameters are those of :func:`cmf`. See :class:`MacroscopicBalance`.
    """
    s = sigma(net, x, V)
    c = cmf(net, x, grad_phi, V)
    d = free_energy_rate(net, x, grad_phi, V)
    s, c, d = np.broadcast_arrays(s, c, d)
    return MacroscopicBalance(s, c, d, d - (c - s))
