r"""One species: the jump rates :math:`W_\pm`, the exact rate function and the Eq. 8 prefactor.

One job: the one-dimensional large deviations of a one-species network, where Ge–Qian Eq. 6 is
a scalar equation for :math:`\varphi^{ss\prime}(x)`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _kinetics
from .._validation import (check_concentrations, check_network, check_nonnegative_real,
                           check_positive_int, check_volume, check_volume_for)
from ..network import Network
from .hamiltonian import EXP_LIMIT

__all__ = ["JumpRates", "jump_rates_1d", "rate_function_1d", "prefactor_1d"]

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
    check_network(net)
    if net.N != 1:
        raise ValueError(f"`net` must have one species for W+-; it has {net.N} "
                         f"({list(net.species)}).")
    xg = _grid_1d(x, "x")
    nu = net.nu[:, 0]
    if np.any(np.abs(nu) > 1):
        raise ValueError(f"`net` is not one-step: the stoichiometric changes are "
                         f"{nu.tolist()}, and W+- are defined only for jumps of +-1.")
    if V is None:
        V = check_volume_for(net, V)
        Rp, Rm = _kinetics.rates(net, xg[:, None], V)
    else:
        V = check_volume(V)
        Rp, Rm = (r / V for r in _kinetics.propensities(net, V * xg[:, None], V))
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
    Rp, Rm = _kinetics.rates(net, x[:, None], V)
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
            e = np.exp(np.clip(j * q[:, None], -EXP_LIMIT, EXP_LIMIT))
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
    check_network(net)
    V = check_volume_for(net, V)
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
    return _integral_from(lambda q: _slope_1d(net, q, V), xg, float(x_ref), int(nodes),
                          "phi'")


def _integral_from(f, xg: np.ndarray, x_ref: float, nodes: int, what: str) -> np.ndarray:
    r""":math:`\int_{x_{ref}}^{x} f` at every point of ``xg`` by composite Gauss–Legendre.

    Sub-intervals: ``f`` may behave like ln x near x = 0 (a rate vanishes there), so an
    interval [0, b] is graded geometrically towards 0 and one with b/a > 2 is split
    geometrically; Gauss–Legendre is then accurate to rounding on every piece.
    """
    pts, inverse = np.unique(np.concatenate([xg, [x_ref]]), return_inverse=True)
    from scipy.special import roots_legendre
    t, w = roots_legendre(nodes)
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
    values = f(qx.ravel()).reshape(qx.shape)
    sub = half * np.sum(w * values, axis=1)
    if not np.all(np.isfinite(sub)):
        k = np.nonzero(~np.isfinite(sub))[0][0]
        raise ValueError(f"{what} is not integrable on [{a[k]:g}, {b[k]:g}] (a rate vanishes "
                         "on an open interval there).")
    pieces = np.bincount(owner, weights=sub, minlength=pts.size - 1)
    Phi = np.concatenate([[0.0], np.cumsum(pieces)])
    Phi = Phi - Phi[inverse[-1]]
    return Phi[inverse[:-1]]


def _first_order_rates(net: Network, x: np.ndarray) -> JumpRates:
    r""":math:`a_\pm(x)` of :math:`w_\pm(Vx)/V = W_\pm(x) + a_\pm(x)/V + O(V^{-2})`, mass action.

    :math:`(Vx)_m/V^m = x^m - \binom m2 x^{m-1}/V + O(V^{-2})`, so a reaction direction with
    reactant stoichiometry :math:`m` and effective constant :math:`k` contributes
    :math:`-k\binom m2 x^{m-1}`.
    """
    out = []
    for keff, stoich in ((net.effective_k_plus, net.nu_plus[:, 0]),
                         (net.effective_k_minus, net.nu_minus[:, 0])):
        m = stoich.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            powm1 = np.where(m >= 1, x[:, None] ** np.maximum(m - 1, 0), 0.0)
        out.append(-keff * 0.5 * m * (m - 1) * powm1)
    return _up_down(*_jumps_1d(net.nu[:, 0], out[0], out[1]))


def prefactor_1d(net: Network, x_grid, x_ref: float, nodes: int = 16) -> np.ndarray:
    r"""The prefactor :math:`\ln\Omega(x) - \ln\Omega(x_{ref})` of Ge–Qian Eq. 8, one species.

    Eq. 8 writes :math:`p_V^{ss}(Vx) \simeq \Omega(x)\,e^{-V\varphi^{ss}(x)}/\Xi(V)` without
    giving :math:`\Omega`. For a one-step chain the exact product formula
    :math:`\ln p(n+1) - \ln p(n) = \ln w_+(n) - \ln w_-(n+1)`, expanded with
    :math:`w_\pm(Vx)/V = W_\pm(x) + a_\pm(x)/V + O(V^{-2})` and summed by Euler–Maclaurin, gives
    the next order after :math:`\varphi^{ss}`:

    .. math::

        \ln\Omega(x) = -\tfrac12\ln\bigl(W_+(x)W_-(x)\bigr)
            + \int^x \Bigl(\frac{a_+}{W_+} - \frac{a_-}{W_-}\Bigr)\,dy ,

    so that :math:`-\ln p_V(Vx) = V\varphi^{ss}(x) - \ln\Omega(x) + \text{const} + O(1/V)`.
    Kurtz's falling factorials make :math:`a_\pm \ne 0` for reactions of order two and more;
    without them only the first term remains. Integrated by the same composite Gauss–Legendre
    quadrature as :func:`rate_function_1d`.

    Parameters
    ----------
    net : Network
        Mass action, one species, jumps of :math:`\pm 1`.
    x_grid : array_like, shape (K,) or (K, 1)
        Positive concentrations where both :math:`W_\pm > 0`.
    x_ref : float
        Where the result is 0 (the prefactor is defined up to a constant, absorbed in
        :math:`\Xi`).
    nodes : int
        Gauss–Legendre nodes per grid interval.

    Returns
    -------
    ndarray, shape (K,)
        :math:`\ln\Omega(x) - \ln\Omega(x_{ref})` (dimensionless).

    Examples
    --------
    Immigration–death (first order: :math:`a_\pm = 0`): :math:`\Omega \propto x^{-1/2}`,
    Stirling's prefactor of the Poisson law.

    >>> import numpy as np, mesothermo as mt
    >>> net = mt.models.immigration_death(10, 1)
    >>> x = np.array([5.0, 20.0])
    >>> np.round(mt.prefactor_1d(net, x, x_ref=10.0), 12).tolist() == np.round(
    ...     -0.5 * np.log(x / 10), 12).tolist()
    True
    """
    check_network(net)
    net.require_mass_action("the Eq. 8 prefactor (its first-order rates a+-)")
    if net.N != 1:
        raise ValueError(f"`net` must have one species for the 1-D prefactor; it has {net.N}.")
    nu = net.nu[:, 0]
    if np.any(np.abs(nu) > 1):
        raise ValueError(f"`net` is not one-step: the stoichiometric changes are "
                         f"{nu.tolist()}; the prefactor formula needs jumps of +-1.")
    xg = _grid_1d(x_grid, "x_grid")
    x_ref = check_nonnegative_real(x_ref, "x_ref", "concentration")
    nodes = check_positive_int(nodes, "nodes", minimum=2)

    def log_rates(q):
        W = jump_rates_1d(net, q)
        with np.errstate(divide="ignore"):
            return -0.5 * (np.log(W.up) + np.log(W.down))

    def integrand(q):
        W, a = jump_rates_1d(net, q), _first_order_rates(net, q)
        with np.errstate(divide="ignore", invalid="ignore"):
            return a.up / W.up - a.down / W.down

    both = np.concatenate([xg, [x_ref]])
    ends = log_rates(both)
    if not np.all(np.isfinite(ends)):
        bad = both[~np.isfinite(ends)][0]
        raise ValueError(f"W+ or W- vanishes at x = {bad:g}; the prefactor is not defined "
                         "there.")
    return (ends[:-1] - ends[-1]) + _integral_from(integrand, xg, float(x_ref), int(nodes),
                                                   "the prefactor integrand")
