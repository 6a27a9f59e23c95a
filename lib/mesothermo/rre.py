r"""The macroscopic description: rate equations, their steady states and Jacobian.

Kurtz's law of large numbers (Ge–Qian, Kurtz 1972): as the volume :math:`V\to\infty` the
concentrations :math:`x(t) = n(t)/V` of the Markov jump process follow the rate equations

.. math::

    \frac{dx_i}{dt} = \sum_{\ell=1}^M \nu_{\ell i}\,\bigl(R_{+\ell}(x) - R_{-\ell}(x)\bigr)
    \qquad \text{(Ge–Qian Eq. 4)}.

Their central limit, the linear-noise approximation, is :mod:`mesothermo.lna`.

Networks with conservation laws :math:`L n = \text{const}` (rows of
:meth:`Network.conservation_laws`) move only inside a stoichiometric compatibility class. Their
Jacobian is singular along the conserved directions; this module restricts :math:`J` and
:math:`D` to the stoichiometric subspace :math:`S = \operatorname{span}\{\nu_\ell\}` (an
orthonormal basis from the singular value decomposition of ``net.nu``), where stability and the
Lyapunov equation are well posed.

All functions take concentrations ``x`` of shape (..., N) in the order of ``net.species``. For
networks with general rate laws (callables ``r(n, V)``) the concentration rates
:math:`R(x) = r(Vx)/V` depend on the volume: pass ``V``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kinetics
from ._validation import (check_concentrations, check_network, check_point, check_positive_int,
                          check_positive_real, check_times, check_volume_for)
from .network import Network

__all__ = ["rre_rhs", "solve_rre", "steady_states", "SteadyState", "jacobian"]


# ---------------------------------------------------------------------------------------------
# Rate equations
# ---------------------------------------------------------------------------------------------
def rre_rhs(net: Network, x, V: float | None = None) -> np.ndarray:
    r"""The right-hand side of the rate equations (Ge–Qian Eq. 4).

    .. math::

        f_i(x) = \sum_{\ell=1}^M \nu_{\ell i}\,\bigl(R_{+\ell}(x) - R_{-\ell}(x)\bigr)

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (..., N)
        :math:`dx/dt`, concentration per unit time.

    Examples
    --------
    >>> import mesothermo as mt
    >>> mt.rre_rhs(mt.models.immigration_death(k_in=10, k_out=1), [4.0])
    array([6.])
    """
    check_network(net)
    V = check_volume_for(net, V)
    x = check_concentrations(x, net.N, "x")
    return _kinetics.field(net, x, V)


def solve_rre(net: Network, x0, times, rtol: float = 1e-10, atol: float = 1e-12,
              method: str = "LSODA", V: float | None = None) -> np.ndarray:
    r"""Solve the rate equations (Ge–Qian Eq. 4) from ``x0`` at time 0.

    Uses :func:`scipy.integrate.solve_ivp` with the analytic Jacobian (:func:`jacobian`); the
    default ``LSODA`` switches automatically between non-stiff and stiff (BDF) steps, so fast
    and slow reactions together are handled. Round-off that makes a concentration slightly
    negative is clipped to 0 inside the rate laws.

    Parameters
    ----------
    net : Network
    x0 : array_like, shape (N,)
        Initial concentrations at :math:`t = 0`, non-negative.
    times : array_like, shape (T,)
        Output times, non-negative and non-decreasing (``0`` returns ``x0``).
    rtol, atol : float
        Tolerances passed to ``solve_ivp``.
    method : str
        Any ``solve_ivp`` method (``"LSODA"``, ``"Radau"``, ``"BDF"``, ``"DOP853"``, ...).
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (T, N)
        :math:`x(t)` at ``times``.

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> x = mt.solve_rre(mt.models.immigration_death(10, 1), [0.0], [0.0, 1.0])
    >>> bool(np.isclose(x[1, 0], 10 * (1 - np.exp(-1))))
    True
    """
    from scipy.integrate import solve_ivp
    check_network(net)
    V = check_volume_for(net, V)
    x0 = check_point(net.N, x0, "x0")
    times = check_times(times, "times")
    rtol, atol = check_positive_real(rtol, "rtol"), check_positive_real(atol, "atol")
    if times[-1] == 0.0:
        return np.tile(x0, (times.size, 1))
    sol = solve_ivp(lambda t, y: _kinetics.field(net, y, V), (0.0, times[-1]), x0, method=method,
                    t_eval=times, rtol=rtol, atol=atol,
                    jac=lambda t, y: _kinetics.jacobian(net, y, V))
    if not sol.success:
        raise RuntimeError(f"the rate equations could not be integrated to t = {times[-1]:g}: "
                           f"{sol.message}")
    return sol.y.T.copy()


# ---------------------------------------------------------------------------------------------
# Steady states
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SteadyState:
    """A steady state of the rate equations and its linear stability.

    Attributes
    ----------
    x : ndarray, shape (N,)
        Concentrations with :math:`f(x) = 0` (Ge–Qian Eq. 4).
    stable : bool
        True when every eigenvalue has a negative real part (asymptotically stable within its
        compatibility class).
    eigenvalues : ndarray, shape (r,)
        Eigenvalues of the Jacobian restricted to the stoichiometric subspace (``r`` = rank of
        ``net.nu``; the zero eigenvalues of conserved directions are left out), sorted by real
        part, largest first.
    """

    x: np.ndarray
    stable: bool
    eigenvalues: np.ndarray

    def __repr__(self) -> str:
        xs = np.array2string(self.x, precision=6)
        return (f"SteadyState(x={xs}, stable={self.stable}, "
                f"eigenvalues={np.array2string(self.eigenvalues, precision=4)})")


def _classify(net: Network, x: np.ndarray, V) -> SteadyState:
    Q = _kinetics.stoichiometric_basis(net)
    J = _kinetics.jacobian(net, x, V)
    ev = np.linalg.eigvals(Q @ J @ Q.T) if Q.shape[0] else np.zeros(0)
    ev = ev[np.argsort(-ev.real, kind="stable")]
    if np.all(np.abs(ev.imag) <= 1e-14 * (1 + np.abs(ev.real))):
        ev = ev.real
    x = np.array(x, float)
    x.setflags(write=False)
    return SteadyState(x, bool(ev.size and np.all(ev.real < 0)), ev)


def _check_range(x_range, N: int) -> np.ndarray | None:
    """Return bounds of shape (N, 2) or None."""
    if x_range is None:
        return None
    try:
        arr = np.asarray(x_range, float)
    except (TypeError, ValueError):
        raise TypeError(f"`x_range` must be (low, high) or one (low, high) per species; got "
                        f"{x_range!r}.") from None
    if arr.shape == (2,):
        arr = np.tile(arr, (N, 1))
    if arr.shape != (N, 2):
        raise ValueError(f"`x_range` must be (low, high) or one (low, high) per species, shape "
                         f"({N}, 2); got shape {arr.shape}.")
    if np.any(np.isnan(arr)) or not np.all(np.isfinite(arr[:, 0])) or np.any(arr[:, 0] < 0) \
            or np.any(arr[:, 1] <= arr[:, 0]):
        raise ValueError("`x_range` must have 0 <= low < high, low finite, for every species; "
                         f"got {arr.tolist()}.")
    return arr


def _require_finite_range(bounds, why: str) -> None:
    if bounds is not None and not np.all(np.isfinite(bounds)):
        raise ValueError(f"`x_range` must be finite here ({why}); got {bounds.tolist()}.")


def _polynomial_rhs(net: Network) -> np.ndarray:
    """Coefficients c_k (increasing powers) of the 1-D mass-action rhs f(x) = sum_k c_k x^k."""
    deg = int(max(net.nu_plus.max(initial=0), net.nu_minus.max(initial=0)))
    c = np.zeros(deg + 1)
    nu = net.nu[:, 0]
    for l in range(net.M):
        c[net.nu_plus[l, 0]] += nu[l] * net.effective_k_plus[l]
        c[net.nu_minus[l, 0]] -= nu[l] * net.effective_k_minus[l]
    return c


def _steady_states_1d(net: Network, bounds, V) -> list[np.ndarray]:
    from scipy import optimize
    if net.is_mass_action:
        c = _polynomial_rhs(net)
        if not np.any(c):
            raise ValueError("every concentration is a steady state of this network (its rate "
                             "equation is dx/dt = 0).")
        c = np.trim_zeros(c, "b")
        poly = np.polynomial.Polynomial(c)
        dpoly = poly.deriv()
        roots = poly.roots() if c.size > 1 else np.zeros(0)
        scale = max(1.0, *(abs(r) for r in roots)) if roots.size else 1.0
        out = []
        for r in roots:
            if abs(r.imag) > 1e-7 * scale:
                continue
            xr = r.real
            for _ in range(3):  # Newton polish against the companion-matrix round-off
                d = dpoly(xr)
                if d == 0:
                    break
                step = poly(xr) / d
                if not np.isfinite(step):
                    break
                xr -= step
            if xr < -1e-10 * scale:
                continue
            out.append(max(xr, 0.0))
        if bounds is not None:
            out = [v for v in out if bounds[0, 0] <= v <= bounds[0, 1]]
        return [np.array([v]) for v in out]
    # General rate laws: bracket sign changes on a fine grid, then Brent.
    if bounds is None:
        raise ValueError("`x_range` is required for a network with general rate laws (its "
                         "steady states are found by bracketing on that range).")
    _require_finite_range(bounds, "general rate laws are bracketed on a grid over it")
    grid = np.linspace(bounds[0, 0], bounds[0, 1], 4001)
    f = _kinetics.field(net, grid[:, None], V)[:, 0]
    out = [grid[i] for i in np.nonzero(f == 0)[0]]
    for i in np.nonzero(np.sign(f[:-1]) * np.sign(f[1:]) < 0)[0]:
        out.append(optimize.brentq(lambda s: _kinetics.field(net, np.array([s]), V)[0],
                                   grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps))
    return [np.array([v]) for v in out]


def _steady_states_nd(net: Network, bounds, conserved, V, n_starts: int) -> list[np.ndarray]:
    from scipy import optimize
    N = net.N
    _require_finite_range(bounds, "the starting points are drawn from it")
    L = net.conservation_laws().astype(float)
    Q = _kinetics.stoichiometric_basis(net)
    box = np.tile([0.0, 10.0], (N, 1)) if bounds is None else bounds
    from scipy.stats import qmc
    starts = qmc.scale(qmc.Sobol(d=N, scramble=True, seed=0).random(n_starts),
                       box[:, 0], box[:, 1])
    if L.shape[0]:
        G = L @ L.T
        starts = starts - (np.linalg.solve(G, (starts @ L.T - conserved).T).T @ L)
        starts = np.maximum(starts, 0.0)

    def fun(x):
        return np.concatenate([Q @ _kinetics.field(net, x, V), L @ x - conserved])

    def jac(x):
        return np.vstack([Q @ _kinetics.jacobian(net, x, V), L])

    found: list[np.ndarray] = []
    for s in starts:
        sol = optimize.root(fun, s, jac=jac, method="hybr", options={"xtol": 1e-13})
        x = sol.x
        if not np.all(np.isfinite(x)):
            continue
        scale = 1.0 + np.max(np.abs(x))
        if np.min(x) < -1e-9 * scale:
            continue
        x = np.maximum(x, 0.0)
        Rp, Rm = _kinetics.rates(net, x, V)
        rate_scale = 1e-300 + np.max(np.abs(Rp) + np.abs(Rm), initial=0.0)
        if np.max(np.abs(_kinetics.field(net, x, V))) > 1e-9 * max(rate_scale, 1e-12) or (
                L.shape[0] and np.max(np.abs(L @ x - conserved)) > 1e-9 * scale):
            continue
        if any(np.all(np.abs(x - y) <= 1e-7 * (1.0 + np.abs(y))) for y in found):
            continue
        found.append(x)
    if bounds is not None:
        found = [x for x in found if np.all(x >= bounds[:, 0] - 1e-12)
                 and np.all(x <= bounds[:, 1] + 1e-12)]
    return found


def steady_states(net: Network, x_range=None, conserved=None, V: float | None = None,
                  n_starts: int = 64) -> list[SteadyState]:
    r"""Steady states :math:`f(x) = 0` of the rate equations (Ge–Qian Eq. 4), with stability.

    *One species, mass action:* :math:`f` is a polynomial, :math:`f(x) = \sum_\ell \nu_\ell
    (k^{\rm eff}_{+\ell} x^{\nu^+_\ell} - k^{\rm eff}_{-\ell} x^{\nu^-_\ell})`; **all** its
    non-negative real roots are returned (companion-matrix roots polished by Newton steps), so
    nothing is missed. One species with general rate laws: every sign change of :math:`f` on a
    4001-point grid over ``x_range`` is refined by Brent's method.

    *Several species:* :func:`scipy.optimize.root` from ``n_starts`` scrambled-Sobol starting
    points (seed 0, reproducible) in the box ``x_range`` (default ``[0, 10]`` per species).
    With conservation laws :math:`L x = T` (``L = net.conservation_laws()``), ``conserved``
    gives the totals :math:`T` (concentration units) and the solve is restricted to that
    compatibility class: the equations are :math:`Q f(x) = 0` (``Q``: orthonormal basis of the
    stoichiometric subspace) together with :math:`L x = T`. Several starts can still miss a
    steady state with a tiny basin; widen ``x_range`` or raise ``n_starts`` if in doubt.

    Parameters
    ----------
    net : Network
    x_range : (low, high) or array_like (N, 2), optional
        Only steady states inside this box are returned; for several species it is also the box
        of starting points.
    conserved : array_like, shape (K,), optional
        Conserved totals :math:`L x`, one per row of ``net.conservation_laws()``; required when
        the network has conservation laws (the steady states depend on the class).
    V : float, optional
        Volume; needed only for general rate laws.
    n_starts : int
        Starting points for several species.

    Returns
    -------
    list of SteadyState
        Sorted by ``x`` (lexicographically).

    Examples
    --------
    >>> import mesothermo as mt
    >>> [round(float(s.x[0]), 4) for s in mt.steady_states(mt.models.schlogl())]
    [0.0935, 1.2041, 3.7024]
    >>> [s.stable for s in mt.steady_states(mt.models.schlogl())]
    [True, False, True]
    """
    check_network(net)
    V = check_volume_for(net, V)
    bounds = _check_range(x_range, net.N)
    n_starts = check_positive_int(n_starts, "n_starts")
    L = net.conservation_laws()
    if L.shape[0]:
        if conserved is None:
            raise ValueError(
                f"`conserved` is required: this network has {L.shape[0]} conservation law(s) "
                f"L x = T with L = {L.tolist()} (species {list(net.species)}); pass the totals T "
                "of the compatibility class.")
        try:
            T = np.asarray(conserved, float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"`conserved` must be an array of {L.shape[0]} totals; got "
                            f"{conserved!r}.") from None
        if T.shape != (L.shape[0],) or not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError(f"`conserved` must hold {L.shape[0]} finite totals >= 0, one per "
                             f"row of net.conservation_laws(); got {conserved!r}.")
    else:
        if conserved is not None:
            raise ValueError("`conserved` was given, but this network has no conservation laws.")
        T = np.zeros(0)
    if net.N == 1 and not L.shape[0]:
        xs = _steady_states_1d(net, bounds, V)
    else:
        xs = _steady_states_nd(net, bounds, T, V, int(n_starts))
    xs = sorted(xs, key=lambda v: tuple(v))
    unique: list[np.ndarray] = []
    for x in xs:
        if not unique or np.any(np.abs(x - unique[-1]) > 1e-9 * (1 + np.abs(x))):
            unique.append(x)
    return [_classify(net, x, V) for x in unique]


# ---------------------------------------------------------------------------------------------
# Jacobian, diffusion matrix, linear noise
# ---------------------------------------------------------------------------------------------
def jacobian(net: Network, x, V: float | None = None) -> np.ndarray:
    r"""Jacobian :math:`J_{ij} = \partial f_i/\partial x_j` of the rate equations (Ge–Qian Eq. 4).

    .. math::

        J_{ij}(x) = \sum_\ell \nu_{\ell i}\left(\frac{\partial R_{+\ell}}{\partial x_j}
                    - \frac{\partial R_{-\ell}}{\partial x_j}\right),\qquad
        \frac{\partial R_{\pm\ell}}{\partial x_j} = k^{\rm eff}_{\pm\ell}\,\nu^\pm_{\ell j}\,
        x_j^{\nu^\pm_{\ell j}-1}\prod_{i\ne j} x_i^{\nu^\pm_{\ell i}}

    exactly for mass action (also at :math:`x_j = 0`); by central differences for general rate
    laws.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (..., N, N)
    """
    check_network(net)
    V = check_volume_for(net, V)
    x = check_concentrations(x, net.N, "x")
    return _kinetics.jacobian(net, x, V)
