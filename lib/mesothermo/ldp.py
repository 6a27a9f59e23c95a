r"""Large deviations of the stationary law: the rate function :math:`\varphi^{ss}` and Eq. 6.

For large volume the stationary law of the chemical master equation concentrates as
:math:`p_V(Vx) \asymp e^{-V\varphi^{ss}(x)}` (Ge–Qian Eq. 8). Inserting the WKB form
:math:`p_V(Vx) = e^{-V\varphi(x) + o(V)}` into the master equation, a jump :math:`\pm\nu_\ell`
changes :math:`\ln p` by :math:`\mp\nu_\ell\cdot\nabla\varphi + O(1/V)`, and the leading order
is the stationary Hamilton–Jacobi equation :math:`H(x, \nabla\varphi^{ss}) = 0` with the
Hamiltonian

.. math::

    H(x, p) = \sum_{\ell=1}^M R_{+\ell}(x)\bigl(e^{\nu_\ell\cdot p} - 1\bigr)
              + R_{-\ell}(x)\bigl(e^{-\nu_\ell\cdot p} - 1\bigr).

This is the Kurtz–Hu equation, Ge–Qian Eq. 6, which is printed with the opposite overall sign,
:math:`\sum_\ell R_{+\ell}[1 - e^{\nu_\ell\cdot\nabla\varphi}] + R_{-\ell}[1 -
e^{-\nu_\ell\cdot\nabla\varphi}] = 0`, i.e. :math:`-H(x,\nabla\varphi) = 0`: the same
equation. The sign chosen here makes :math:`H` convex in :math:`p` with :math:`H(x, 0) = 0`
and :math:`\partial H/\partial p\,(x, 0) = \sum_\ell \nu_\ell(R_{+\ell} - R_{-\ell})`, the
rate equation (Eq. 4). Along a rate-equation path, convexity and :math:`H(x,0)=0` give
:math:`\frac{d}{dt}\varphi^{ss} = \nabla\varphi\cdot\partial_pH(x,0) \le H(x,\nabla\varphi) -
H(x,0) = 0`: the first emergent law.

The module computes :math:`\varphi^{ss}` four ways:

* from the CME stationary law at finite :math:`V`, :math:`\varphi_V = -V^{-1}\ln p_V`
  (:func:`rate_function_from_cme`), which converges as :math:`O(\ln V/V)` (the prefactor
  :math:`\Omega(x)` of Eq. 8 and the normalisation contribute :math:`V^{-1}\ln` terms);
* exactly in one dimension (:func:`rate_function_1d`);
* by the method of characteristics of :math:`H` in two dimensions
  (:func:`rate_function_characteristics`);
* in closed form for complex-balanced mass-action networks, Eq. 10
  (:func:`rate_function_complex_balanced`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.spatial import Delaunay, cKDTree
from scipy.special import roots_legendre, xlogy

from ._validation import (check_concentrations, check_nonnegative_real, check_positive_int,
                          check_positive_real, check_volume)
from .network import Network
from .rre import (_check_network, _check_point, _jacobian_raw, _rate_gradients, _rates_raw,
                  _volume_for, lna_covariance, steady_states)

__all__ = ["hamiltonian", "kurtz_hu_residual", "jump_rates_1d", "JumpRates",
           "rate_function_from_cme", "rate_function_1d",
           "rate_function_characteristics", "rate_function_complex_balanced",
           "RateFunctionSample", "Characteristics", "Ray", "ComplexBalancedRateFunction"]

#: exp(s) is finite for s below ~709.78; past this the Hamiltonian is not representable.
_EXP_LIMIT = 700.0


# ---------------------------------------------------------------------------------------------
# The Hamiltonian and Eq. 6
# ---------------------------------------------------------------------------------------------
def _exponent_terms(net: Network, x, p, V):
    """R±, and nu·p with an overflow check; shapes (..., M)."""
    Rp, Rm = _rates_raw(net, x, V)
    s = p @ net.nu.T.astype(float)
    big = ((s > _EXP_LIMIT) & (Rp > 0)) | ((-s > _EXP_LIMIT) & (Rm > 0))
    if np.any(big):
        raise ValueError(
            f"`p` is too large: |nu_l . p| reaches {np.max(np.abs(s[big])):.4g} > {_EXP_LIMIT:g} "
            "for a reaction with a positive rate, and exp(nu_l . p) overflows a double. "
            "H grows like exp(|nu . p|) there; use smaller momenta.")
    return Rp, Rm, s


def _hamiltonian_raw(net: Network, x, p, V=None) -> np.ndarray:
    Rp, Rm, s = _exponent_terms(net, x, p, V)
    with np.errstate(over="ignore"):
        # 0 * (e^s - 1) must be 0 even when e^s is huge; rates that vanish drop out.
        tp = np.where(Rp > 0, Rp * np.expm1(np.where(Rp > 0, s, 0.0)), 0.0)
        tm = np.where(Rm > 0, Rm * np.expm1(np.where(Rm > 0, -s, 0.0)), 0.0)
    return np.sum(tp + tm, axis=-1)


def _hamilton_equations(net: Network, x, p, V=None):
    """(dH/dp, dH/dx), each of shape (N,), at one point (x, p)."""
    Rp, Rm, s = _exponent_terms(net, x, p, V)
    ep, em = np.exp(s), np.exp(-s)
    nu = net.nu.astype(float)
    dHdp = (Rp * ep - Rm * em) @ nu
    gp, gm = _rate_gradients(net, x, V)
    dHdx = np.expm1(s) @ gp + np.expm1(-s) @ gm
    return dHdp, dHdx


def _check_xp(net: Network, x, p, pname: str):
    x = check_concentrations(x, net.N, "x")
    p = check_concentrations(p, net.N, pname, nonnegative=False)
    try:
        np.broadcast_shapes(x.shape, p.shape)
    except ValueError:
        raise ValueError(f"`x` and `{pname}` must broadcast; got shapes {x.shape} and "
                         f"{p.shape}.") from None
    return x, p


def hamiltonian(net: Network, x, p, V: float | None = None) -> np.ndarray:
    r"""The large-deviation Hamiltonian of the chemical master equation.

    .. math::

        H(x, p) = \sum_{\ell=1}^M R_{+\ell}(x)\bigl(e^{\nu_\ell\cdot p} - 1\bigr)
                  + R_{-\ell}(x)\bigl(e^{-\nu_\ell\cdot p} - 1\bigr)

    Ge–Qian Eq. 6 (the Kurtz–Hu equation) is :math:`H(x, \nabla\varphi^{ss}) = 0`; the paper
    prints the left side with the opposite sign, :math:`-H`, which is the same equation (see
    :func:`kurtz_hu_residual`). With this sign :math:`H` is convex in :math:`p`,
    :math:`H(x, 0) = 0` exactly, and :math:`\partial_p H(x, 0)` is the rate equation (Eq. 4).

    ``expm1`` keeps :math:`H` accurate for small :math:`p`; a momentum with
    :math:`|\nu_\ell\cdot p| > 700` on a reaction with a positive rate raises ``ValueError``
    (the exponential overflows a double) instead of returning ``inf``.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    p : array_like, shape (..., N)
        Momenta (conjugate to ``x``; on the zero-energy surface :math:`p = \nabla\varphi`),
        broadcast against ``x``.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (...)
        Units of rate (concentration per unit time).

    Examples
    --------
    Immigration–death: :math:`H = k_{in}(e^p - 1) + k_{out}x(e^{-p} - 1)` vanishes at
    :math:`p = \ln(k_{out}x/k_{in})`.

    >>> import numpy as np, mesothermo as mt
    >>> net = mt.models.immigration_death(k_in=10, k_out=1)
    >>> abs(float(mt.hamiltonian(net, [20.0], [np.log(2.0)]))) < 1e-12
    True
    """
    _check_network(net)
    V = _volume_for(net, V)
    x, p = _check_xp(net, x, p, "p")
    x, p = np.broadcast_arrays(x, p)
    return _hamiltonian_raw(net, x, p, V)


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
    _check_network(net)
    V = _volume_for(net, V)
    x, g = _check_xp(net, x, grad_phi, "grad_phi")
    x, g = np.broadcast_arrays(x, g)
    res = -_hamiltonian_raw(net, x, g, V)
    if not relative:
        return res
    Rp, Rm = _rates_raw(net, x, V)
    total = np.sum(Rp + Rm, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, res / np.where(total > 0, total, 1.0), np.nan)


# ---------------------------------------------------------------------------------------------
# From the CME
# ---------------------------------------------------------------------------------------------
class RateFunctionSample(NamedTuple):
    """:math:`\\varphi_V` on the CME lattice: ``x`` (S, N) = states / V, ``phi`` (S,)."""

    x: np.ndarray
    phi: np.ndarray


def rate_function_from_cme(net: Network, V: float, max_counts, n0=None) -> RateFunctionSample:
    r"""The finite-volume rate function :math:`\varphi_V(x) = -V^{-1}\ln p_V^{ss}(Vx)`.

    Ge–Qian Eq. 8: :math:`p_V^{ss}(Vx) = \Omega(x)e^{-V\varphi^{ss}(x)}/\Xi(V)`, so
    :math:`\varphi_V = \varphi^{ss} - V^{-1}\ln\Omega + V^{-1}\ln\Xi` converges to
    :math:`\varphi^{ss}` with an error :math:`O(\ln V / V)` (the normalisation
    :math:`\Xi(V) \propto V^{-d/2}` for a nondegenerate minimum, :math:`d` the class dimension).
    ``phi`` is shifted so that its minimum over the lattice is 0, as :math:`\varphi^{ss}` is.

    The stationary law is computed in log space by :meth:`mesothermo.CME.log_stationary`, so
    probabilities far below 1e-300 (large ``V``) are resolved. States the stationary chain never
    visits get ``inf``. Mind the truncation: the box must hold the bulk of the law (the FSP
    leak is :meth:`mesothermo.CME.boundary_outflow`).

    Parameters
    ----------
    net : Network
    V : float
        Volume, > 0.
    max_counts : int or sequence of int
        The lattice box, as for :class:`mesothermo.CME`.
    n0 : sequence of int, optional
        A state selecting the compatibility class (required with conservation laws).

    Returns
    -------
    RateFunctionSample
        ``(x, phi)``: concentrations of the lattice states, shape (S, N), and
        :math:`\varphi_V`, shape (S,). Unpacks as a tuple.

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> x, phi = mt.rate_function_from_cme(mt.models.immigration_death(10, 1), V=50,
    ...                                    max_counts=1500)
    >>> round(float(x[np.argmin(phi), 0]), 1)
    10.0
    """
    from .cme import CME

    _check_network(net)
    V = check_volume(V)
    cme = CME(net, V, max_counts, n0=n0)
    logp = np.asarray(cme.log_stationary().log_p, float)
    with np.errstate(divide="ignore"):
        phi = -logp / V
    finite = np.isfinite(phi)
    if not np.any(finite):
        raise ValueError("the stationary law has no state with positive probability on this "
                         "lattice.")
    phi = np.where(finite, phi - np.min(phi[finite]), np.inf)
    return RateFunctionSample(cme.states / V, phi)


# ---------------------------------------------------------------------------------------------
# One dimension, exactly
# ---------------------------------------------------------------------------------------------
class JumpRates(NamedTuple):
    r""":math:`W_+` (``up``) and :math:`W_-` (``down``) of a one-step chain, each shape (K,)."""

    up: np.ndarray
    down: np.ndarray


def _jumps_1d(nu: np.ndarray, Rp: np.ndarray, Rm: np.ndarray):
    """The jumps of a 1-D chain and their rates: (jumps (J,), rates (K, J)), nu = 0 dropped."""
    jumps = np.concatenate([nu, -nu])
    rates = np.concatenate([Rp, Rm], axis=-1)
    keep = jumps != 0
    return jumps[keep], rates[:, keep]


def _up_down(jumps: np.ndarray, rates: np.ndarray) -> JumpRates:
    """Total rates of the +1 and of the -1 jumps (the caller checks that there are no others)."""
    return JumpRates(np.sum(rates[:, jumps == 1], axis=1), np.sum(rates[:, jumps == -1], axis=1))


def jump_rates_1d(net: Network, x, V: float | None = None) -> JumpRates:
    r"""The rates :math:`W_\pm(x)` of the up and down jumps of a one-species, one-step network.

    Collecting the reactions by the direction in which they move :math:`x` (every
    :math:`\nu_\ell \in \{-1, 0, +1\}`),

    .. math::

        W_+(x) = \sum_{\ell:\,\nu_\ell=+1} R_{+\ell}(x) + \sum_{\ell:\,\nu_\ell=-1} R_{-\ell}(x),
        \qquad
        W_-(x) = \sum_{\ell:\,\nu_\ell=-1} R_{+\ell}(x) + \sum_{\ell:\,\nu_\ell=+1} R_{-\ell}(x).

    These are the rates of the 1-D form of the Kurtz–Hu equation (Ge–Qian Eq. 6):
    :math:`H = W_+(e^p - 1) + W_-(e^{-p} - 1)`, whose non-zero root
    :math:`\varphi^{ss\prime} = \ln(W_-/W_+)` :func:`rate_function_1d` integrates.

    With ``V`` given, the same sums of the *mesoscopic* propensities at :math:`n = Vx`, divided
    by :math:`V`: :math:`w_\pm(Vx)/V = W_\pm(x) + a_\pm(x)/V + O(V^{-2})`, which for mass
    action carries the falling factorials (:meth:`Network.propensities`) and for general rate
    laws is :math:`R_{\pm\ell}(x)` at that volume. :math:`Vx` need not be an integer (the
    falling factorials are evaluated as polynomials, clipped at 0).

    Parameters
    ----------
    net : Network
        One species, every :math:`|\nu_\ell| \le 1`.
    x : array_like, shape (K,) or (K, 1)
        Concentrations, non-negative.
    V : float, optional
        Volume. ``None`` (mass action only): the limits :math:`W_\pm(x)`.

    Returns
    -------
    JumpRates
        ``(up, down)``, each shape (K,), concentration per unit time. Unpacks as a tuple.

    Examples
    --------
    Immigration–death: :math:`W_+ = k_{in}`, :math:`W_- = k_{out}x`.

    >>> import mesothermo as mt
    >>> W = mt.jump_rates_1d(mt.models.immigration_death(k_in=10, k_out=1), [5.0, 20.0])
    >>> W.up.tolist(), W.down.tolist()
    ([10.0, 10.0], [5.0, 20.0])
    """
    _check_network(net)
    if net.N != 1:
        raise ValueError(f"`net` must have one species for W+-; it has {net.N} "
                         f"({list(net.species)}).")
    xg = _grid_1d(x, "x")
    nu = net.nu[:, 0]
    if np.any(np.abs(nu) > 1):
        raise ValueError(f"`net` is not one-step: the stoichiometric changes are "
                         f"{nu.tolist()}, and W+- are defined only for jumps of +-1.")
    if V is None:
        V = _volume_for(net, V)
        Rp, Rm = _rates_raw(net, xg[:, None], V)
    else:
        V = check_volume(V)
        Rp, Rm = (r / V for r in net._propensities_raw(V * xg[:, None], V))
    return _up_down(*_jumps_1d(nu, Rp, Rm))


def _grid_1d(x, name: str) -> np.ndarray:
    """Concentrations of one species as shape (K,): from a scalar, (K,) or (K, 1); checked."""
    try:
        xg = np.asarray(x, float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array of concentrations; got {x!r}.") from None
    if xg.ndim == 2 and xg.shape[1] == 1:
        xg = xg[:, 0]
    if xg.ndim == 0:
        xg = xg.reshape(1)
    if xg.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (or shape (K, 1)); got shape {xg.shape}.")
    check_concentrations(xg[:, None], 1, name)
    return xg


def _slope_1d(net: Network, x: np.ndarray, V) -> np.ndarray:
    r"""phi'(x) at points x (K,): the non-zero root p of H(x, p) = 0 (p = 0 where f(x) = 0)."""
    nu = net.nu[:, 0]
    Rp, Rm = _rates_raw(net, x[:, None], V)
    jumps, rates = _jumps_1d(nu, Rp, Rm)
    if set(np.unique(jumps).tolist()) <= {-1, 1}:
        up, down = _up_down(jumps, rates)
        bad = (up <= 0) & (down <= 0)
        if np.any(bad):
            raise ValueError(f"both the up and the down rates vanish at x = {x[bad][0]:g}; "
                             "phi is not defined there.")
        with np.errstate(divide="ignore"):
            return np.log(down) - np.log(up)
    # General jumps: the non-zero root of the convex h(p) = sum_j w_j (e^{j p} - 1).
    f = rates @ jumps
    out = np.zeros(x.size)
    for sign in (1.0, -1.0):
        # f > 0: root at p < 0 (search along -p); f < 0: root at p > 0.
        idx = np.nonzero(np.sign(f) == sign)[0]
        if idx.size == 0:
            continue
        w, j = rates[idx], jumps * (-sign)        # h(q) with q = -sign * p > 0
        has_back = np.any((w > 0) & (j > 0), axis=1)
        if not np.all(has_back):
            k = idx[~has_back][0]
            raise ValueError(f"at x = {x[k]:g} no reaction moves x {'down' if sign > 0 else 'up'}"
                             "; phi' is infinite there.")
        q = np.ones(idx.size)
        for _ in range(200):                       # find q with h(q) > 0 (right of the root)
            hq = np.sum(w * np.expm1(j * q[:, None]), axis=1)
            if np.all(hq > 0):
                break
            q = np.where(hq > 0, q, 2 * q)
        for _ in range(100):                       # Newton from the right: monotone for convex h
            e = np.exp(np.clip(j * q[:, None], -_EXP_LIMIT, _EXP_LIMIT))
            h = np.sum(w * (e - 1), axis=1)
            dh = np.sum(w * j * e, axis=1)
            step = h / dh
            q = q - step
            if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(q))):
                break
        out[idx] = -sign * q
    return out


def rate_function_1d(net: Network, x_grid, x_ref: float, V: float | None = None,
                     nodes: int = 16) -> np.ndarray:
    r"""The exact rate function of a one-species network (Ge–Qian Eq. 6 in one dimension).

    In one dimension Eq. 6 is a scalar equation for :math:`\varphi'(x)`. With jumps
    :math:`\pm 1` only, write :math:`W_+(x)` for the total rate of the events that raise
    :math:`x` by one unit (:math:`R_{+\ell}` of reactions with :math:`\nu_\ell = +1`,
    :math:`R_{-\ell}` of those with :math:`\nu_\ell = -1`) and :math:`W_-(x)` for those that
    lower it. Then :math:`H = W_+(e^{p}-1) + W_-(e^{-p}-1) = (e^{p}-1)(W_+ - W_-e^{-p})`, whose
    non-zero root is

    .. math::

        \varphi^{ss\,\prime}(x) = \ln\frac{W_-(x)}{W_+(x)} .

    For larger jumps the non-zero root of the convex :math:`p\mapsto H(x,p)` is found by a
    monotone Newton iteration. The slope is integrated by composite Gauss–Legendre quadrature
    (``nodes`` points on every interval of the grid, which also handles the integrable
    :math:`\ln x` singularity at a boundary where :math:`W_-` vanishes), and the result is
    fixed by :math:`\varphi(x_{ref}) = 0`. Choose ``x_ref`` at the global minimum (a stable
    steady state) to get :math:`\varphi^{ss}` with minimum 0; for a bistable network the two
    wells differ in depth and the deeper one is the global minimum.

    Parameters
    ----------
    net : Network
        One species, no conservation law.
    x_grid : array_like, shape (K,) or (K, 1)
        Concentrations (non-negative); any order.
    x_ref : float
        Where :math:`\varphi = 0`.
    V : float, optional
        Volume; needed only for general rate laws.
    nodes : int
        Gauss–Legendre nodes per grid interval.

    Returns
    -------
    ndarray, shape (K,)
        :math:`\varphi^{ss}` on ``x_grid``, dimensionless per unit volume (concentration units).

    Examples
    --------
    Immigration–death: :math:`\varphi = x\ln(x/x^*) - x + x^*` (Eq. 10).

    >>> import numpy as np, mesothermo as mt
    >>> x = np.linspace(1, 20, 5)
    >>> phi = mt.rate_function_1d(mt.models.immigration_death(10, 1), x, x_ref=10.0)
    >>> bool(np.allclose(phi, x * np.log(x / 10) - x + 10, atol=1e-12))
    True
    """
    _check_network(net)
    V = _volume_for(net, V)
    if net.N != 1:
        raise ValueError(f"`net` must have one species for the 1-D rate function; it has "
                         f"{net.N} ({list(net.species)}). Use rate_function_characteristics "
                         "for two species.")
    if not np.any(net.nu):
        raise ValueError("`net` does not change x (every nu is 0).")
    xg = _grid_1d(x_grid, "x_grid")
    if xg.size == 0:
        raise ValueError("`x_grid` must hold at least one concentration; got an empty array.")
    x_ref = check_nonnegative_real(x_ref, "x_ref", "concentration")
    nodes = check_positive_int(nodes, "nodes", minimum=2)
    pts, inverse = np.unique(np.concatenate([xg, [float(x_ref)]]), return_inverse=True)
    t, w = roots_legendre(int(nodes))
    # Sub-intervals: phi' may behave like ln x near x = 0 (a rate vanishes there), so an
    # interval [0, b] is graded geometrically towards 0 and one with b/a > 2 is split
    # geometrically; Gauss-Legendre is then accurate to rounding on every piece.
    sub_a, sub_b, owner = [], [], []
    for k, (lo, hi) in enumerate(zip(pts[:-1], pts[1:])):
        if lo == 0.0:
            edges = hi * np.concatenate([[0.0], 2.0 ** np.arange(-60, 1)])
        elif hi / lo > 2.0:
            edges = np.geomspace(lo, hi, int(np.ceil(np.log2(hi / lo))) + 1)
        else:
            edges = np.array([lo, hi])
        sub_a.append(edges[:-1])
        sub_b.append(edges[1:])
        owner.append(np.full(edges.size - 1, k))
    a = np.concatenate(sub_a) if sub_a else np.zeros(0)
    b = np.concatenate(sub_b) if sub_b else np.zeros(0)
    owner = np.concatenate(owner) if owner else np.zeros(0, int)
    half = 0.5 * (b - a)
    qx = (0.5 * (a + b))[:, None] + half[:, None] * t[None, :]
    slope = _slope_1d(net, qx.ravel(), V).reshape(qx.shape)
    sub = half * np.sum(w * slope, axis=1)
    if not np.all(np.isfinite(sub)):
        k = np.nonzero(~np.isfinite(sub))[0][0]
        raise ValueError(f"phi' is not integrable on [{a[k]:g}, {b[k]:g}] (a rate vanishes on "
                         "an open interval there).")
    pieces = np.bincount(owner, weights=sub, minlength=pts.size - 1)
    Phi = np.concatenate([[0.0], np.cumsum(pieces)])
    Phi = Phi - Phi[inverse[-1]]
    return Phi[inverse[:-1]]


# ---------------------------------------------------------------------------------------------
# Two dimensions: characteristics of H
# ---------------------------------------------------------------------------------------------
class _TriangleInterpolator:
    """Piecewise-linear interpolation on the Delaunay triangulation of scattered 2-D points.

    Point location by a k-d tree over triangle centroids and vectorised barycentric
    coordinates (no per-triangle LAPACK calls, which are slow under a threaded BLAS on a busy
    machine). Points closer than 1/2000 of the box to an earlier point are merged first.
    Queries outside the triangulation give NaN.
    """

    def __init__(self, pts: np.ndarray, values: np.ndarray, scale: np.ndarray):
        cell = np.floor(pts / scale * 2000.0).astype(np.int64)
        _, keep = np.unique(cell, axis=0, return_index=True)
        keep = np.union1d(keep, [0])
        self.pts, self.values = pts[keep], values[keep]
        simplices = Delaunay(self.pts).simplices
        P = self.pts[simplices]
        a = P[:, 1] - P[:, 0]
        b = P[:, 2] - P[:, 0]
        det = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        ok = np.abs(det) > 1e-13 * np.prod(scale)
        self.simplices, self.origin = simplices[ok], P[ok, 0]
        a, b, det = a[ok], b[ok], det[ok]
        # inverse of the 2x2 matrix with columns a, b
        self.inv = np.stack([np.stack([b[:, 1], -b[:, 0]], -1),
                             np.stack([-a[:, 1], a[:, 0]], -1)], 1) / det[:, None, None]
        self.tree = cKDTree(P[ok].mean(axis=1))

    def __call__(self, q: np.ndarray) -> np.ndarray:
        out = np.full((q.shape[0], self.values.shape[1]), np.nan)
        todo = np.nonzero(np.all(np.isfinite(q), axis=1))[0]
        n_tri = self.simplices.shape[0]
        for k in (8, 64, 512):
            if todo.size == 0:
                break
            k = min(k, n_tri)
            _, cand = self.tree.query(q[todo], k=k)
            cand = cand.reshape(todo.size, k)
            d = q[todo, None, :] - self.origin[cand]                   # (n, k, 2)
            lam = np.einsum("nkij,nkj->nki", self.inv[cand], d)         # (n, k, 2)
            l0 = 1.0 - lam.sum(-1)
            inside = (lam[..., 0] >= -1e-10) & (lam[..., 1] >= -1e-10) & (l0 >= -1e-10)
            found = inside.any(axis=1)
            if np.any(found):
                rows = np.nonzero(found)[0]
                j = np.argmax(inside[rows], axis=1)
                tri = cand[rows, j]
                w = np.column_stack([l0[rows, j], lam[rows, j, 0], lam[rows, j, 1]])
                out[todo[rows]] = np.einsum("nk,nkv->nv", w, self.values[self.simplices[tri]])
            todo = todo[~found]
            if k == n_tri:
                break
        return out


class Ray(NamedTuple):
    """One characteristic: times ``t`` (K,), ``x`` (K, 2), ``p`` (K, 2) = grad phi, ``phi`` (K,),
    and its launch ``angle`` on the ellipse (radians)."""

    t: np.ndarray
    x: np.ndarray
    p: np.ndarray
    phi: np.ndarray
    angle: float


@dataclass
class Characteristics:
    r"""The rate function of a two-species network by characteristics (see
    :func:`rate_function_characteristics`).

    Attributes
    ----------
    x_ss : ndarray, shape (2,)
        The stable steady state the rays leave.
    covariance : ndarray, shape (2, 2)
        Its linear-noise covariance :math:`C` (the launch ellipse is
        :math:`\tfrac12 \delta x^T C^{-1}\delta x = r^2/2`).
    rays : list of Ray
        Ordered by launch angle.
    box : ndarray, shape (2, 2)
        Rays stop on leaving ``box[i, 0] <= x_i <= box[i, 1]``.

    Notes
    -----
    Every ray carries the exact values :math:`(x, \nabla\varphi, \varphi)` of one
    characteristic, and :math:`H = 0` along it to the integration tolerance. The interpolants
    :meth:`phi` and :meth:`grad_phi` (on the Delaunay triangulation of all ray points) are trustworthy where rays do not cross: where two rays reach the same point with
    different :math:`\varphi` (a caustic) the true :math:`\varphi^{ss}` is the smaller value and
    the linear interpolant mixes both. Outside the convex hull of the rays the result is NaN.
    """

    x_ss: np.ndarray
    covariance: np.ndarray
    rays: list
    box: np.ndarray
    _interp: object = field(default=None, repr=False)

    def points(self):
        """All ray points: ``(x (P, 2), p (P, 2), phi (P,))``, with ``x_ss`` (phi = 0) first."""
        x = np.vstack([self.x_ss[None, :]] + [r.x for r in self.rays])
        p = np.vstack([np.zeros((1, 2))] + [r.p for r in self.rays])
        phi = np.concatenate([[0.0]] + [r.phi for r in self.rays])
        return x, p, phi

    def _interpolant(self):
        if self._interp is None:
            x, p, phi = self.points()
            psi = phi - np.sum(p * x, axis=1)
            self._interp = _TriangleInterpolator(x, np.column_stack([phi, psi, p]),
                                                 self.box[:, 1] - self.box[:, 0])
        return self._interp

    def _eval(self, x):
        x = np.asarray(x, float)
        if x.ndim == 0 or x.shape[-1] != 2:
            raise ValueError(f"`x` must have last axis of length 2; got shape {x.shape}.")
        q = x.reshape(-1, 2)
        v = self._interpolant()(q)
        # Gradient-enhanced interpolation: with barycentric weights w_i on a Delaunay triangle,
        # the linear interpolant sum w_i phi_i and the Taylor average sum w_i (phi_i +
        # p_i . (q - x_i)) err by equal and opposite amounts for a quadratic phi, so their mean
        # is exact for quadratics (error O(h^3) for ray spacing h). p is interpolated linearly.
        phi = 0.5 * (v[:, 0] + v[:, 1] + np.sum(v[:, 2:] * q, axis=1))
        return np.column_stack([phi, v[:, 2:]]).reshape(x.shape[:-1] + (3,))

    def phi(self, x) -> np.ndarray:
        """Interpolated :math:`\\varphi^{ss}` at points ``x`` (..., 2); NaN outside the rays.

        Gradient-enhanced (exact for quadratic :math:`\\varphi`) on the Delaunay triangulation
        of the ray points."""
        return self._eval(x)[..., 0]

    def grad_phi(self, x) -> np.ndarray:
        """Interpolated :math:`\\nabla\\varphi^{ss}` (the ray momenta, piecewise linear) at
        ``x`` (..., 2)."""
        return self._eval(x)[..., 1:]

    def on_grid(self, x1, x2) -> np.ndarray:
        """:math:`\\varphi^{ss}` on the grid ``x1`` (n1,) by ``x2`` (n2,), shape (n2, n1), ready
        for ``contour(x1, x2, Z)``."""
        X1, X2 = np.meshgrid(np.asarray(x1, float), np.asarray(x2, float))
        return self.phi(np.stack([X1, X2], axis=-1))


def _launch(Cinv, B, x_ss, angle):
    """Launch point: dx = B u(angle) on the linearised Lagrangian manifold p = C^{-1} dx."""
    u = np.array([np.cos(angle), np.sin(angle)])
    dx = B @ u
    p0 = Cinv @ dx
    return x_ss + dx, p0, 0.5 * float(dx @ p0)


@njit(cache=True)
def _ham_rhs_2d(y, kp, km, Np, Nm, nu, out):  # pragma: no cover - compiled
    """Hamilton's equations for y = (x1, x2, p1, p2, phi), mass action, x > 0.

    R = k exp(nu± . ln x), dR/dx_j = R nu±_j / x_j; exponents clipped at the overflow limit.
    """
    x0 = max(y[0], 1e-300)
    x1 = max(y[1], 1e-300)
    lx0, lx1 = np.log(x0), np.log(x1)
    p0, p1 = y[2], y[3]
    d0 = 0.0
    d1 = 0.0
    g0 = 0.0
    g1 = 0.0
    for l in range(kp.size):
        rp = kp[l] * np.exp(Np[l, 0] * lx0 + Np[l, 1] * lx1) if kp[l] > 0 else 0.0
        rm = km[l] * np.exp(Nm[l, 0] * lx0 + Nm[l, 1] * lx1) if km[l] > 0 else 0.0
        s = nu[l, 0] * p0 + nu[l, 1] * p1
        s = min(max(s, -700.0), 700.0)
        a = rp * np.exp(s) - rm * np.exp(-s)
        d0 += nu[l, 0] * a
        d1 += nu[l, 1] * a
        b = rp * np.expm1(s)
        c = rm * np.expm1(-s)
        g0 += b * Np[l, 0] + c * Nm[l, 0]
        g1 += b * Np[l, 1] + c * Nm[l, 1]
    out[0] = d0
    out[1] = d1
    out[2] = -g0 / x0
    out[3] = -g1 / x1
    out[4] = p0 * d0 + p1 * d1


# Dormand–Prince 5(4) coefficients (Hairer, Nørsett and Wanner, Table II.5.2).
_DP_A = np.array([
    [0, 0, 0, 0, 0, 0],
    [1 / 5, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]], dtype=np.float64)
_DP_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
_DP_E = _DP_B - np.array([5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200,
                          187 / 2100, 1 / 40])


@njit(cache=True)
def _trace_kernel(y0, kp, km, Np, Nm, nu, lo, hi, t_max, phi_max, p_max, rtol, atol,
                  max_steps, A, B, E):  # pragma: no cover - compiled
    """Adaptive Dormand–Prince 5(4) along one characteristic; records every accepted step.

    Stops at t_max, phi >= phi_max, |nu . p| >= p_max, or at the box boundary: a step that
    would leave the box is halved until it is below 1e-10 t_max, so rays end on the boundary.
    Returns (T (k,), Y (k, 5)).
    """
    n = 5
    T = np.empty(max_steps)
    Y = np.empty((max_steps, n))
    K = np.empty((7, n))
    y = y0.copy()
    t = 0.0
    T[0] = t
    Y[0] = y
    k = 1
    _ham_rhs_2d(y, kp, km, Np, Nm, nu, K[0])
    h = 1e-4 * t_max
    tmp = np.empty(n)
    ynew = np.empty(n)
    while k < max_steps and t < t_max:
        h = min(h, t_max - t)
        for i in range(1, 7):
            for j in range(n):
                acc = 0.0
                for m in range(i):
                    acc += A[i, m] * K[m, j]
                tmp[j] = y[j] + h * acc
            _ham_rhs_2d(tmp, kp, km, Np, Nm, nu, K[i])
        for j in range(n):
            acc = 0.0
            for m in range(6):
                acc += B[m] * K[m, j]
            ynew[j] = y[j] + h * acc
        _ham_rhs_2d(ynew, kp, km, Np, Nm, nu, K[6])
        err = 0.0
        for j in range(n):
            acc = 0.0
            for m in range(7):
                acc += E[m] * K[m, j]
            sc = atol + rtol * max(abs(y[j]), abs(ynew[j]))
            err += (h * acc / sc) ** 2
        err = np.sqrt(err / n)
        if not np.isfinite(err) or err > 1.0:
            h *= 0.2 if not np.isfinite(err) else max(0.2, 0.9 * err ** -0.2)
            if h < 1e-14 * t_max:
                break
            continue
        if ynew[0] < lo[0] or ynew[0] > hi[0] or ynew[1] < lo[1] or ynew[1] > hi[1]:
            if h > 1e-10 * t_max:
                h *= 0.5
                continue
            break
        stop = ynew[4] >= phi_max
        for l in range(nu.shape[0]):
            if abs(nu[l, 0] * ynew[2] + nu[l, 1] * ynew[3]) >= p_max:
                stop = True
        t += h
        y[:] = ynew
        K[0] = K[6]
        T[k] = t
        Y[k] = y
        k += 1
        if stop:
            break
        h *= min(5.0, 0.9 * max(err, 1e-10) ** -0.2)
    return T[:k].copy(), Y[:k].copy()


def _ray_tracer(net: Network, box, t_max, phi_max, p_max, rtol, atol, V):
    """A function (x0, p0, phi0, angle) -> Ray integrating one characteristic inside ``box``."""
    if net.is_mass_action:
        args = (np.ascontiguousarray(net.effective_k_plus, dtype=float),
                np.ascontiguousarray(net.effective_k_minus, dtype=float),
                np.ascontiguousarray(net.nu_plus, dtype=float),
                np.ascontiguousarray(net.nu_minus, dtype=float),
                np.ascontiguousarray(net.nu, dtype=float),
                np.ascontiguousarray(box[:, 0]), np.ascontiguousarray(box[:, 1]))

        def trace(x0, p0, phi0, angle):
            y0 = np.concatenate([x0, p0, [phi0]])
            T, Y = _trace_kernel(y0, *args, float(t_max), float(phi_max), float(p_max),
                                 float(rtol), float(atol), 200000, _DP_A, _DP_B, _DP_E)
            return Ray(T, Y[:, :2].copy(), Y[:, 2:4].copy(), Y[:, 4].copy(), float(angle))
        return trace

    # General rate laws: solve_ivp with terminal events (slower; same equations).
    nu = net.nu.astype(float)

    def rhs(t, y):
        dHdp, dHdx = _hamilton_equations(net, y[:2], y[2:4], V)
        return np.concatenate([dHdp, -dHdx, [y[2:4] @ dHdp]])

    events = []
    for i in range(2):
        for side in (0, 1):
            def ev(t, y, i=i, side=side):
                return (y[i] - box[i, 0]) if side == 0 else (box[i, 1] - y[i])
            ev.terminal = True
            events.append(ev)

    def ev_phi(t, y):
        return phi_max - y[4]

    def ev_p(t, y):
        return p_max - np.max(np.abs(nu @ y[2:4]))
    ev_phi.terminal = ev_p.terminal = True
    events += [ev_phi, ev_p]

    def trace(x0, p0, phi0, angle):
        y0 = np.concatenate([x0, p0, [phi0]])
        sol = solve_ivp(rhs, (0.0, t_max), y0, method="DOP853", rtol=rtol, atol=atol,
                        events=events, dense_output=True)
        if sol.status == -1:
            raise RuntimeError(f"a characteristic (launch angle {angle:.4f}) could not be "
                               f"integrated: {sol.message}")
        # the solver's steps, each refined by 3 interior points of the dense output
        ts = sol.t
        if ts.size > 1:
            ts = np.append((ts[:-1, None] + np.diff(ts)[:, None] * np.arange(4) / 4).ravel(),
                           ts[-1])
        Y = sol.sol(ts).T
        Y[:, :2] = np.clip(Y[:, :2], box[:, 0], box[:, 1])   # the event point, to rounding
        return Ray(ts, Y[:, :2].copy(), Y[:, 2:4].copy(), Y[:, 4].copy(), float(angle))
    return trace


def _gap(ray_a: Ray, ray_b: Ray, scale: np.ndarray):
    """Separation of two neighbouring rays over their common phi range.

    Returns the largest distance between them at equal phi (scaled by the box size) and the
    largest curvature mismatch |(p_b - p_a) . (x_b - x_a)| (phi units), which is about 8 times
    the error of linear interpolation across the gap for a quadratic phi.
    """
    top = min(ray_a.phi[-1], ray_b.phi[-1])
    bottom = max(ray_a.phi[0], ray_b.phi[0])
    if top <= bottom:
        return np.inf, np.inf
    levels = np.linspace(bottom, top, 64)
    dx = np.empty((levels.size, 2))
    dp = np.empty((levels.size, 2))
    for i in range(2):
        dx[:, i] = (np.interp(levels, ray_b.phi, ray_b.x[:, i])
                    - np.interp(levels, ray_a.phi, ray_a.x[:, i]))
        dp[:, i] = (np.interp(levels, ray_b.phi, ray_b.p[:, i])
                    - np.interp(levels, ray_a.phi, ray_a.p[:, i]))
    dist = float(np.max(np.sqrt(np.sum((dx / scale) ** 2, axis=1))))
    # the ends: rays that stop far apart (e.g. on different sides of the box) leave a gap
    dist = max(dist, float(np.sqrt(np.sum(((ray_a.x[-1] - ray_b.x[-1]) / scale) ** 2))))
    mismatch = float(np.max(np.abs(np.sum(dx * dp, axis=1))))
    return dist, mismatch


def rate_function_characteristics(net: Network, x_ss=None, n_rays: int = 48,
                                  t_max: float | None = None, box=None,
                                  phi_max: float = np.inf, radius: float = 1e-3,
                                  spread: float = 0.5, max_gap: float = 0.1,
                                  phi_tol: float | None = None, max_rays: int = 400,
                                  rtol: float = 1e-9, atol: float = 1e-12,
                                  V: float | None = None) -> Characteristics:
    r"""The rate function of a two-species network by the method of characteristics.

    :math:`\varphi^{ss}` solves :math:`H(x, \nabla\varphi) = 0` (Ge–Qian Eq. 6). Its
    characteristics are the solutions of Hamilton's equations

    .. math::

        \dot x = \partial_p H(x, p), \qquad \dot p = -\partial_x H(x, p), \qquad
        \dot\varphi = p\cdot\dot x ,

    on the zero-energy surface :math:`H = 0`, with :math:`p = \nabla\varphi` along them. They
    leave the stable steady state :math:`x^{ss}` along its unstable manifold (the "uphill"
    fluctuation paths). Near :math:`x^{ss}`, :math:`\varphi \approx \tfrac12\delta x^T C^{-1}
    \delta x` with :math:`C` the linear-noise covariance (:func:`mesothermo.lna_covariance`),
    so rays start on the linearised manifold :math:`p = C^{-1}\delta x`,
    :math:`\varphi = \tfrac12\delta x^T C^{-1}\delta x`, where :math:`H = O(|\delta x|^3)`.

    *Launch curve.* Linearised, the rays obey :math:`\dot{\delta x} = A\,\delta x` with
    :math:`A = -C J^T C^{-1}` (eigenvalues :math:`-\lambda(J)`), so rays launched evenly on a
    small ellipse bunch exponentially along the fastest-growing direction. Instead, the ellipse
    :math:`\delta x = s\,L_C(\cos\theta, \sin\theta)` (:math:`C = L_C L_C^T`, ``s = spread``) is
    carried backwards by this flow for the time :math:`T = \ln(s/r)/|\mathrm{Re}\,\lambda|_{\min}`
    that shrinks its slowest direction to ``radius`` :math:`r`; the rays launched there reach
    the ``spread`` ellipse evenly in :math:`\theta`.

    *Integration and refinement.* Each ray is integrated by an adaptive Dormand–Prince 5(4)
    scheme (compiled with numba for mass action; ``solve_ivp`` for general rate laws) until it
    reaches the boundary of ``box``, ``phi_max``, :math:`|\nu_\ell\cdot p| = 50`, or ``t_max``;
    every accepted step is kept. Between neighbouring rays a ray at the mid angle is added,
    worst gap first, while they are further apart at equal :math:`\varphi` (or at their ends)
    than ``max_gap`` times the box size, or while their curvature mismatch
    :math:`|(p_b - p_a)\cdot(x_b - x_a)|` exceeds ``phi_tol``, up to ``max_rays`` rays.

    *Accuracy.* On the rays, :math:`\varphi` is as accurate as the integration (``rtol``) and
    the launch (:math:`O(r^3)`); for complex-balanced networks it matches Eq. 10 to about
    :math:`10^{-8}`. Between rays, :meth:`Characteristics.phi` interpolates with the ray
    gradients (exact for quadratics); the error grows where rays are sparse: near the edges of
    the box and along separatrices of the ray family, which refinement reaches only
    geometrically. Where rays cross (caustics, possible for networks that are not complex
    balanced) the interpolant is not trustworthy.

    Parameters
    ----------
    net : Network
        Two species, no conservation law.
    x_ss : array_like, shape (2,), optional
        The stable steady state; by default the unique stable one found by
        :func:`mesothermo.steady_states` in ``box``.
    n_rays : int
        Initial number of rays (equally spaced launch angles :math:`\theta`).
    t_max : float, optional
        Integration time per ray; default :math:`T + 40/|\mathrm{Re}\,\lambda|_{\min}`
        (:math:`\lambda`: eigenvalues of the Jacobian at :math:`x^{ss}`), ample for a ray to
        leave the box.
    box : array_like (2, 2), optional
        ``[[lo1, hi1], [lo2, hi2]]``; default ``[x_ss/20, 3 x_ss]`` per species.
    phi_max : float
        Stop a ray when :math:`\varphi` exceeds this.
    radius : float
        The largest launch radius :math:`r` (Mahalanobis units, launch
        :math:`\varphi \le r^2/2`).
    spread : float
        Radius (Mahalanobis units) of the ellipse the rays cross evenly spread.
    max_gap : float
        Target largest distance between neighbouring rays, as a fraction of the box size.
    phi_tol : float, optional
        Target curvature mismatch between neighbouring rays (units of :math:`\varphi`);
        default :math:`10^{-3}\sum_i x^{ss}_i`.
    max_rays : int
        Cap on the number of rays.
    rtol, atol : float
        Tolerances of the ray integration.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    Characteristics
        The rays and interpolants ``phi(x)``, ``grad_phi(x)``, ``on_grid(x1, x2)``, trustworthy
        where rays do not cross (see :class:`Characteristics`).
    """
    _check_network(net)
    V = _volume_for(net, V)
    if net.N != 2:
        raise ValueError(f"`net` must have two species for characteristics in the plane; it "
                         f"has {net.N}. Use rate_function_1d for one species.")
    if net.conservation_laws().shape[0]:
        raise ValueError("`net` has a conservation law, so its dynamics is one-dimensional on "
                         "each compatibility class; characteristics need two free dimensions.")
    n_rays = check_positive_int(n_rays, "n_rays", minimum=4)
    max_rays = check_positive_int(max_rays, "max_rays", minimum=4)
    radius, spread, max_gap, rtol, atol = (
        check_positive_real(val, name) for name, val in (
            ("radius", radius), ("spread", spread), ("max_gap", max_gap), ("rtol", rtol),
            ("atol", atol)))
    if not (isinstance(phi_max, numbers.Real) and phi_max > 0):
        raise ValueError(f"`phi_max` must be a number > 0; got {phi_max!r}.")
    if box is not None:
        box = np.asarray(box, float)
        if box.shape != (2, 2) or not np.all(np.isfinite(box)) or np.any(box[:, 0] < 0) or \
                np.any(box[:, 1] <= box[:, 0]):
            raise ValueError("`box` must be [[lo1, hi1], [lo2, hi2]] with 0 <= lo < hi; got "
                             f"{box.tolist()}.")
    if x_ss is None:
        stable = [s for s in steady_states(net, x_range=box, V=V) if s.stable]
        if len(stable) != 1:
            raise ValueError(f"`x_ss` is required: found {len(stable)} stable steady states "
                             f"{[s.x.tolist() for s in stable]}; pass the one to launch from.")
        x_ss = stable[0].x
    x_ss = _check_point(net, x_ss, "x_ss")
    if np.any(x_ss <= 0):
        raise ValueError(f"`x_ss` must be positive (an interior steady state); got "
                         f"{x_ss.tolist()}.")
    C = lna_covariance(net, x_ss, V=V)         # also checks steady and stable
    Cinv = np.linalg.inv(C)
    Lc = np.linalg.cholesky(C)
    if box is None:
        box = np.column_stack([x_ss / 20.0, 3.0 * x_ss])
    if np.any(x_ss <= box[:, 0]) or np.any(x_ss >= box[:, 1]):
        raise ValueError(f"`box` must contain `x_ss` = {x_ss.tolist()} in its interior.")
    if t_max is not None:
        t_max = check_positive_real(t_max, "t_max")
    scale = box[:, 1] - box[:, 0]
    if phi_tol is None:
        phi_tol = 1e-3 * float(np.sum(x_ss))
    else:
        phi_tol = check_positive_real(phi_tol, "phi_tol")
    # Launch curve: the circle of Mahalanobis radius `spread` (dx = spread L_C u) carried
    # backwards by the linearised uphill flow d(dx)/dt = A dx, A = -C J^T C^{-1}, for the time T
    # that shrinks its slowest direction to `radius`. Forward, the rays then reach the circle
    # evenly spread in angle instead of bunching along the fastest-growing direction.
    J = _jacobian_raw(net, x_ss, V)
    lam = np.abs(np.linalg.eigvals(J).real)
    T = np.log(spread / radius) / np.min(lam) if spread > radius else 0.0
    B = C @ expm(J.T * T) @ Cinv @ (spread * Lc)
    if t_max is None:
        t_max = T + 40.0 / np.min(lam)
    trace = _ray_tracer(net, box, t_max, phi_max, 50.0, rtol, atol, V)

    def make(angle):
        x0, p0, phi0 = _launch(Cinv, B, x_ss, angle)
        return trace(x0, p0, phi0, angle)

    angles = list(np.linspace(0.0, 2 * np.pi, int(n_rays), endpoint=False))
    rays = [make(a) for a in angles]
    while len(rays) < max_rays:
        flagged = []                      # (badness, new angle); worst gaps refined first
        for i in range(len(rays)):
            a, b = rays[i], rays[(i + 1) % len(rays)]
            dist, mismatch = _gap(a, b, scale)
            hi = b.angle if i + 1 < len(rays) else b.angle + 2 * np.pi
            bad = max(dist / max_gap, mismatch / phi_tol)
            if bad > 1.0 and hi - a.angle > 1e-9:
                flagged.append((bad, 0.5 * (a.angle + hi) % (2 * np.pi)))
        if not flagged:
            break
        flagged.sort(key=lambda f: -f[0])
        new = [f[1] for f in flagged[:max_rays - len(rays)]]
        rays = sorted(rays + [make(a) for a in new], key=lambda r: r.angle)
    return Characteristics(x_ss=np.array(x_ss), covariance=C, rays=rays, box=box)


# ---------------------------------------------------------------------------------------------
# Complex balance: Eq. 10
# ---------------------------------------------------------------------------------------------
def _complex_balance_defect(net: Network, x: np.ndarray) -> float:
    """max over complexes |inflow - outflow| / total rate, at x (complexes of dynamical species)."""
    Rp, Rm = _rates_raw(net, x)
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
        x = check_concentrations(x, self.x_ss.size, "x")
        return np.sum(xlogy(x, x) - xlogy(x, self.x_ss) - x + self.x_ss, axis=-1)

    def gradient(self, x) -> np.ndarray:
        """:math:`\\nabla\\varphi = \\ln(x/x^{ss})`, shape (..., N); -inf where x_i = 0."""
        x = check_concentrations(x, self.x_ss.size, "x")
        with np.errstate(divide="ignore"):
            return np.log(x) - np.log(self.x_ss)


def rate_function_complex_balanced(net: Network, x_ss, check: bool = True,
                                   tol: float = 1e-8) -> ComplexBalancedRateFunction:
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
    _check_network(net)
    net.require_mass_action("Eq. 10 (the complex-balanced rate function)")
    x_ss = _check_point(net, x_ss, "x_ss")
    if not isinstance(check, (bool, np.bool_)):
        raise TypeError(f"`check` must be True or False; got {check!r}.")
    tol = check_positive_real(tol, "tol")  # a NaN tol would pass every network unchecked
    if np.any(x_ss <= 0):
        raise ValueError(f"`x_ss` must be positive (complex-balanced steady states are); got "
                         f"{x_ss.tolist()}.")
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
