r"""The rate function of a two-species network by the method of characteristics (Eq. 6).

One job: launch rays on the linearised Lagrangian manifold at a stable steady state, integrate
Hamilton's equations along them (compiled kernel for mass action, ``solve_ivp`` otherwise),
refine between neighbouring rays, and interpolate :math:`\varphi^{ss}` between them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import _kinetics
from .._validation import check_network, check_point, check_positive_int, check_positive_real
from .._validation import check_volume_for
from ..network import Network
from ..lna import lna_covariance
from ..rre import steady_states
from ._interpolation import TriangleInterpolator
from .hamiltonian import hamilton_equations

__all__ = ["Ray", "Characteristics", "rate_function_characteristics"]


class Ray(NamedTuple):
    """One characteristic: times ``t`` (K,), ``x`` (K, 2), ``theta`` (K, 2) = grad phi, ``phi`` (K,),
    and its launch ``angle`` on the ellipse (radians)."""

    t: np.ndarray
    x: np.ndarray
    theta: np.ndarray
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
        """All ray points: ``(x (P, 2), theta (P, 2), phi (P,))``, ``x_ss`` (phi = 0) first."""
        x = np.vstack([self.x_ss[None, :]] + [r.x for r in self.rays])
        p = np.vstack([np.zeros((1, 2))] + [r.theta for r in self.rays])
        phi = np.concatenate([[0.0]] + [r.phi for r in self.rays])
        return x, p, phi

    def _interpolant(self):
        if self._interp is None:
            x, p, phi = self.points()
            psi = phi - np.sum(p * x, axis=1)
            self._interp = TriangleInterpolator(x, np.column_stack([phi, psi, p]),
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


def _ray_tracer(net: Network, box, t_max, phi_max, p_max, rtol, atol, V):
    """A function (x0, p0, phi0, angle) -> Ray integrating one characteristic inside ``box``."""
    if net.is_mass_action:
        from ._characteristics_kernel import DP_A, DP_B, DP_E, trace_kernel  # numba
        args = (np.ascontiguousarray(net.effective_k_plus, dtype=float),
                np.ascontiguousarray(net.effective_k_minus, dtype=float),
                np.ascontiguousarray(net.nu_plus, dtype=float),
                np.ascontiguousarray(net.nu_minus, dtype=float),
                np.ascontiguousarray(net.nu, dtype=float),
                np.ascontiguousarray(box[:, 0]), np.ascontiguousarray(box[:, 1]))

        def trace(x0, p0, phi0, angle):
            y0 = np.concatenate([x0, p0, [phi0]])
            T, Y = trace_kernel(y0, *args, float(t_max), float(phi_max), float(p_max),
                                 float(rtol), float(atol), 200000, DP_A, DP_B, DP_E)
            return Ray(T, Y[:, :2].copy(), Y[:, 2:4].copy(), Y[:, 4].copy(), float(angle))
        return trace

    # General rate laws: solve_ivp with terminal events (slower; same equations).
    from scipy.integrate import solve_ivp
    nu = net.nu.astype(float)

    def rhs(t, y):
        dHdp, dHdx = hamilton_equations(net, y[:2], y[2:4], V)
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
        dp[:, i] = (np.interp(levels, ray_b.phi, ray_b.theta[:, i])
                    - np.interp(levels, ray_a.phi, ray_a.theta[:, i]))
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

        \dot x = \partial_\theta H(x, \theta), \qquad \dot \theta = -\partial_x H(x, \theta),
        \qquad \dot\varphi = \theta\cdot\dot x ,

    on the zero-energy surface :math:`H = 0`, with :math:`\theta = \nabla\varphi` along them. They
    leave the stable steady state :math:`x^{ss}` along its unstable manifold (the "uphill"
    fluctuation paths). Near :math:`x^{ss}`, :math:`\varphi \approx \tfrac12\delta x^T C^{-1}
    \delta x` with :math:`C` the linear-noise covariance (:func:`mesothermo.lna_covariance`),
    so rays start on the linearised manifold :math:`\theta = C^{-1}\delta x`,
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
    reaches the boundary of ``box``, ``phi_max``, :math:`|\nu_\ell\cdot \theta| = 50`, or ``t_max``;
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
    check_network(net)
    V = check_volume_for(net, V)
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
    x_ss = check_point(net.N, x_ss, "x_ss")
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
    from scipy.linalg import expm
    J = _kinetics.jacobian(net, x_ss, V)
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
