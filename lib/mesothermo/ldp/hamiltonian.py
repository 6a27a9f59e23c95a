r"""The large-deviation Hamiltonian of the CME and the Kurtz–Hu equation (Ge–Qian Eq. 6).

One job: :math:`H(x, \theta)` (the momentum conjugate to :math:`x` is written
:math:`\theta`; on the zero-energy surface :math:`\theta = \nabla\varphi^{ss}`), Hamilton's
equations, and the residual of Eq. 6 as printed,

.. math::

    H(x, \theta) = \sum_{\ell=1}^M R_{+\ell}(x)\bigl(e^{\nu_\ell\cdot \theta} - 1\bigr)
                  + R_{-\ell}(x)\bigl(e^{-\nu_\ell\cdot \theta} - 1\bigr).

Ge–Qian print Eq. 6 with the opposite overall sign, :math:`-H(x, \nabla\varphi) = 0`: the same
equation. With this sign :math:`H` is convex in :math:`\theta`, :math:`H(x, 0) = 0` and
:math:`\partial_\theta H(x, 0)` is the rate equation (Eq. 4).
"""

from __future__ import annotations

import numpy as np

from .. import _kinetics
from .._validation import check_concentrations, check_network, check_volume_for
from ..network import Network

__all__ = ["hamiltonian", "hamilton_equations", "kurtz_hu_residual", "EXP_LIMIT"]

#: exp(s) is finite for s below ~709.78; past this the Hamiltonian is not representable.
EXP_LIMIT = 700.0


# ---------------------------------------------------------------------------------------------
# The Hamiltonian and Eq. 6
# ---------------------------------------------------------------------------------------------
def _exponent_terms(net: Network, x, theta, V):
    """R±, and nu·theta with an overflow check; shapes (..., M)."""
    Rp, Rm = _kinetics.rates(net, x, V)
    s = theta @ net.nu.T.astype(float)
    big = ((s > EXP_LIMIT) & (Rp > 0)) | ((-s > EXP_LIMIT) & (Rm > 0))
    if np.any(big):
        raise ValueError(
            f"`theta` is too large: |nu_l . theta| reaches {np.max(np.abs(s[big])):.4g} > {EXP_LIMIT:g} "
            "for a reaction with a positive rate, and exp(nu_l . theta) overflows a double. "
            "H grows like exp(|nu . theta|) there; use smaller momenta.")
    return Rp, Rm, s


def _hamiltonian_raw(net: Network, x, theta, V=None) -> np.ndarray:
    Rp, Rm, s = _exponent_terms(net, x, theta, V)
    with np.errstate(over="ignore"):
        # 0 * (e^s - 1) must be 0 even when e^s is huge; rates that vanish drop out.
        tp = np.where(Rp > 0, Rp * np.expm1(np.where(Rp > 0, s, 0.0)), 0.0)
        tm = np.where(Rm > 0, Rm * np.expm1(np.where(Rm > 0, -s, 0.0)), 0.0)
    return np.sum(tp + tm, axis=-1)


def hamilton_equations(net: Network, x, theta, V=None):
    r"""(dH/dtheta, dH/dx), each of shape (N,), at one point (x, theta); unvalidated.

    :math:`\partial_\theta H = \sum_\ell \nu_\ell(R_{+\ell}e^{\nu_\ell\cdot\theta} -
    R_{-\ell}e^{-\nu_\ell\cdot\theta})`, :math:`\partial_x H = \sum_\ell
    (e^{\nu_\ell\cdot\theta} - 1)\nabla R_{+\ell} + (e^{-\nu_\ell\cdot\theta} - 1)\nabla
    R_{-\ell}`.
    """
    Rp, Rm, s = _exponent_terms(net, x, theta, V)
    ep, em = np.exp(s), np.exp(-s)
    nu = net.nu.astype(float)
    dH_dtheta = (Rp * ep - Rm * em) @ nu
    gp, gm = _kinetics.rate_gradients(net, x, V)
    dH_dx = np.expm1(s) @ gp + np.expm1(-s) @ gm
    return dH_dtheta, dH_dx


def _check_x_theta(net: Network, x, theta, name: str):
    x = check_concentrations(x, net.N, "x")
    theta = check_concentrations(theta, net.N, name, nonnegative=False)
    try:
        np.broadcast_shapes(x.shape, theta.shape)
    except ValueError:
        raise ValueError(f"`x` and `{name}` must broadcast; got shapes {x.shape} and "
                         f"{theta.shape}.") from None
    return x, theta


def hamiltonian(net: Network, x, theta, V: float | None = None) -> np.ndarray:
    r"""The large-deviation Hamiltonian of the chemical master equation.

    .. math::

        H(x, \theta) = \sum_{\ell=1}^M R_{+\ell}(x)\bigl(e^{\nu_\ell\cdot \theta} - 1\bigr)
                  + R_{-\ell}(x)\bigl(e^{-\nu_\ell\cdot \theta} - 1\bigr)

    Ge–Qian Eq. 6 (the Kurtz–Hu equation) is :math:`H(x, \nabla\varphi^{ss}) = 0`; the paper
    prints the left side with the opposite sign, :math:`-H`, which is the same equation (see
    :func:`kurtz_hu_residual`). With this sign :math:`H` is convex in :math:`\theta`,
    :math:`H(x, 0) = 0` exactly, and :math:`\partial_\theta H(x, 0)` is the rate equation
    (Eq. 4).

    ``expm1`` keeps :math:`H` accurate for small :math:`\theta`; a momentum with
    :math:`|\nu_\ell\cdot \theta| > 700` on a reaction with a positive rate raises ``ValueError``
    (the exponential overflows a double) instead of returning ``inf``.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    theta : array_like, shape (..., N)
        The conjugate momenta (on the zero-energy surface :math:`\theta = \nabla\varphi`),
        broadcast against ``x``.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (...)
        Units of rate (concentration per unit time).

    Examples
    --------
    Immigration–death: :math:`H = k_{in}(e^\theta - 1) + k_{out}x(e^{-\theta} - 1)` vanishes
    at :math:`\theta = \ln(k_{out}x/k_{in})`.

    >>> import numpy as np, mesothermo as mt
    >>> net = mt.models.immigration_death(k_in=10, k_out=1)
    >>> abs(float(mt.hamiltonian(net, [20.0], [np.log(2.0)]))) < 1e-12
    True
    """
    check_network(net)
    V = check_volume_for(net, V)
    x, theta = _check_x_theta(net, x, theta, "theta")
    x, theta = np.broadcast_arrays(x, theta)
    return _hamiltonian_raw(net, x, theta, V)


def kurtz_hu_residual(net: Network, x, grad_phi, V: float | None = None,
                      relative: bool = False) -> np.ndarray:
    r"""The left side of the Kurtz–Hu equation (Ge–Qian Eq. 6) as printed.

    .. math::

        \sum_{\ell=1}^M R_{+\ell}(x)\bigl[1 - e^{\nu_\ell\cdot\nabla\varphi}\bigr]
        + R_{-\ell}(x)\bigl[1 - e^{-\nu_\ell\cdot\nabla\varphi}\bigr]
        = -H(x, \nabla\varphi)

    It vanishes where :math:`\varphi` solves Eq. 6. Its size is a rate; ``relative=True``
    divides it by the total rate :math:`\sum_\ell R_{+\ell}(x) + R_{-\ell}(x)` at the same
    ``x``, a dimensionless check that is comparable across the state space.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
    grad_phi : array_like, shape (..., N)
        :math:`\nabla\varphi(x)`, broadcast against ``x``.
    V : float, optional
        Volume; needed only for general rate laws.
    relative : bool
        Divide by the total rate at ``x`` (NaN where every rate vanishes).

    Returns
    -------
    ndarray, shape (...)
        A rate (concentration per unit time), or dimensionless with ``relative=True``.

    Examples
    --------
    Eq. 10 for immigration–death, :math:`\varphi' = \ln(x/x^*)`, solves Eq. 6:

    >>> import numpy as np, mesothermo as mt
    >>> net = mt.models.immigration_death(k_in=10, k_out=1)
    >>> x = np.linspace(1, 30, 5)[:, None]
    >>> bool(np.all(np.abs(mt.kurtz_hu_residual(net, x, np.log(x / 10))) < 1e-12))
    True
    """
    check_network(net)
    V = check_volume_for(net, V)
    x, g = _check_x_theta(net, x, grad_phi, "grad_phi")
    x, g = np.broadcast_arrays(x, g)
    res = -_hamiltonian_raw(net, x, g, V)
    if not relative:
        return res
    Rp, Rm = _kinetics.rates(net, x, V)
    total = np.sum(Rp + Rm, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, res / np.where(total > 0, total, 1.0), np.nan)
