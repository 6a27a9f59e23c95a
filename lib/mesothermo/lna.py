r"""The linear-noise approximation: Gaussian fluctuations about the rate equation.

One job: Kurtz's central limit (van Kampen 2007, ch. X) for the mesoscopic model. The scaled
fluctuation :math:`\xi = \sqrt{V}\,(x_V - x)` is asymptotically Gaussian with covariance
:math:`C(t)` solving

.. math::

    \frac{dC}{dt} = J C + C J^T + D, \qquad
    D = \sum_\ell \nu_\ell \nu_\ell^T (R_{+\ell} + R_{-\ell}),

with :math:`J` the Jacobian of the rate equation (Ge–Qian Eq. 4, :func:`mesothermo.jacobian`);
at a stable steady state the stationary :math:`C` solves the Lyapunov equation
:math:`J C + C J^T + D = 0`, and the stationary variance of :math:`n` is :math:`V C`. With
conservation laws, :math:`J` and :math:`D` are restricted to the stoichiometric subspace (an
orthonormal basis from the SVD of ``net.nu``), where stability and the Lyapunov equation are
well posed, and the result is mapped back.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _kinetics
from ._validation import check_network, check_point, check_positive_real, check_times
from ._validation import check_concentrations, check_volume_for
from .network import Network

__all__ = ["diffusion_matrix", "lna_covariance", "lna_covariance_path", "LNAPath"]


def diffusion_matrix(net: Network, x, V: float | None = None) -> np.ndarray:
    r"""The linear-noise diffusion matrix :math:`D(x) = \sum_\ell \nu_\ell \nu_\ell^T
    (R_{+\ell}(x) + R_{-\ell}(x))`.

    Every reaction event, forward or backward, moves :math:`n` by :math:`\pm\nu_\ell`; ``D`` is
    the rate of growth of the covariance of :math:`\sqrt{V}\,x` that these jumps produce.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (..., N, N)
        Symmetric, positive semi-definite.
    """
    check_network(net)
    V = check_volume_for(net, V)
    x = check_concentrations(x, net.N, "x")
    return _kinetics.diffusion(net, x, V)


def lna_covariance(net: Network, x_ss, V: float | None = None) -> np.ndarray:
    r"""Stationary linear-noise covariance at a stable steady state.

    Solves the Lyapunov equation :math:`J C + C J^T + D = 0` at :math:`x^{ss}` with
    :func:`scipy.linalg.solve_continuous_lyapunov`. ``C`` is the covariance of
    :math:`\sqrt{V}(x_V - x^{ss})`: the stationary covariance of the copy numbers is
    approximately :math:`V C`. With conservation laws the equation is solved on the
    stoichiometric subspace (see the module docstring), so ``C`` is singular and
    :math:`L C = 0`: the conserved totals do not fluctuate.

    Parameters
    ----------
    net : Network
    x_ss : array_like, shape (N,)
        A steady state (e.g. from :func:`steady_states`); checked: :math:`|f(x^{ss})|` must be
        below :math:`10^{-6}` times the largest rate there.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    ndarray, shape (N, N)

    Examples
    --------
    Immigration–death: the stationary law is Poisson, variance = mean, so :math:`C = k_{in}/k_{out}`.

    >>> import mesothermo as mt
    >>> float(mt.lna_covariance(mt.models.immigration_death(10, 2), [5.0])[0, 0])
    5.0
    """
    from scipy import linalg
    check_network(net)
    V = check_volume_for(net, V)
    x = check_point(net.N, x_ss, "x_ss")
    Rp, Rm = _kinetics.rates(net, x, V)
    f = _kinetics.field(net, x, V)
    scale = np.max(Rp + Rm, initial=0.0)
    if np.max(np.abs(f)) > 1e-6 * max(scale, 1e-300):
        raise ValueError(f"`x_ss` must be a steady state of the rate equations; there dx/dt = "
                         f"{f.tolist()} (use mt.steady_states for accurate steady states).")
    Q = _kinetics.stoichiometric_basis(net)
    Jr = Q @ _kinetics.jacobian(net, x, V) @ Q.T
    Dr = Q @ _kinetics.diffusion(net, x, V) @ Q.T
    ev = np.linalg.eigvals(Jr)
    if ev.size and np.max(ev.real) >= 0:
        raise ValueError(f"`x_ss` must be a stable steady state (the stationary linear-noise "
                         f"covariance exists only there); the Jacobian eigenvalues are "
                         f"{np.round(ev, 6).tolist()}.")
    Cr = linalg.solve_continuous_lyapunov(Jr, -Dr)
    C = Q.T @ Cr @ Q
    return 0.5 * (C + C.T)


class LNAPath(NamedTuple):
    """The rate-equation path and its linear-noise covariance along it.

    ``x`` has shape (T, N); ``C`` has shape (T, N, N) and is the covariance of
    :math:`\\sqrt{V}(x_V(t) - x(t))`.
    """

    x: np.ndarray
    C: np.ndarray


def lna_covariance_path(net: Network, x0, times, C0=None, rtol: float = 1e-10,
                        atol: float = 1e-12, V: float | None = None) -> LNAPath:
    r"""Linear-noise covariance along a rate-equation trajectory.

    Integrates jointly (``LSODA``, from :math:`t = 0`)

    .. math::

        \frac{dx}{dt} = f(x), \qquad \frac{dC}{dt} = J(x) C + C J(x)^T + D(x),

    with :math:`f` Ge–Qian Eq. 4. ``C`` is the covariance of :math:`\sqrt{V}(x_V - x)` (van
    Kampen's linear-noise approximation), so the copy-number covariance is about :math:`V C`.

    Parameters
    ----------
    net : Network
    x0 : array_like, shape (N,)
        Initial concentrations at :math:`t = 0`.
    times : array_like, shape (T,)
        Output times, non-negative, non-decreasing.
    C0 : array_like, shape (N, N), optional
        Initial covariance (symmetric, positive semi-definite); default 0 (a deterministic
        start, :math:`n(0) = V x_0` exactly).
    rtol, atol : float
        Tolerances for ``solve_ivp``.
    V : float, optional
        Volume; needed only for general rate laws.

    Returns
    -------
    LNAPath
        ``(x, C)`` with shapes (T, N) and (T, N, N); unpacks as a tuple.
    """
    from scipy.integrate import solve_ivp
    check_network(net)
    V = check_volume_for(net, V)
    x0 = check_point(net.N, x0, "x0")
    times = check_times(times, "times")
    rtol, atol = check_positive_real(rtol, "rtol"), check_positive_real(atol, "atol")
    N = net.N
    if C0 is None:
        C0 = np.zeros((N, N))
    else:
        C0 = np.asarray(C0, float)
        if C0.shape != (N, N):
            raise ValueError(f"`C0` must have shape ({N}, {N}); got {C0.shape}.")
        if not np.all(np.isfinite(C0)) or not np.allclose(C0, C0.T, rtol=1e-10, atol=1e-14):
            raise ValueError("`C0` must be a finite symmetric matrix.")
        if np.min(np.linalg.eigvalsh(C0)) < -1e-10 * max(1.0, np.max(np.abs(C0))):
            raise ValueError("`C0` must be positive semi-definite (a covariance).")
    y0 = np.concatenate([x0, C0.ravel()])

    def rhs(t, y):
        x = y[:N]
        C = y[N:].reshape(N, N)
        J = _kinetics.jacobian(net, x, V)
        dC = J @ C + C @ J.T + _kinetics.diffusion(net, x, V)
        return np.concatenate([_kinetics.field(net, x, V), dC.ravel()])

    if times[-1] == 0.0:
        Y = np.tile(y0, (times.size, 1))
    else:
        sol = solve_ivp(rhs, (0.0, times[-1]), y0, method="LSODA", t_eval=times, rtol=rtol,
                        atol=atol)
        if not sol.success:
            raise RuntimeError(f"the linear-noise equations could not be integrated to "
                               f"t = {times[-1]:g}: {sol.message}")
        Y = sol.y.T
    x = Y[:, :N].copy()
    C = Y[:, N:].reshape(-1, N, N)
    C = 0.5 * (C + np.swapaxes(C, 1, 2))
    return LNAPath(x, C)
