r"""Steady-state branches of the rate equation in one parameter, their folds and Hopf points,
and limit cycles.

One job: follow the steady states :math:`F(x; \lambda) = 0` of the rate equation (Ge–Qian
Eq. 4), :math:`F(x;\lambda) = \sum_\ell \nu_\ell (R_{+\ell} - R_{-\ell})`, of a one-parameter
family of networks ``family(lam)`` (a rate constant, a chemostat concentration, a driving
:math:`\Delta\mu`), and locate where their number or stability changes.

*Continuation.* Pseudo-arclength (Keller 1977): the branch is a curve :math:`(x(s),
\lambda(s))` with unit tangent :math:`t` spanning the null space of :math:`[J \mid
\partial_\lambda F]`; a step predicts :math:`(x, \lambda) + \Delta s\, t` and corrects by Newton's
method on :math:`F = 0` together with :math:`t\cdot(\text{point} - \text{prediction}) = 0`, so the
curve is followed through folds where :math:`\lambda` turns back. The step size halves when
Newton fails and grows after easy steps. :math:`\partial_\lambda F` is a central difference.

*Bifurcations.* A fold (saddle-node) is where :math:`\det J = 0` and the tangent's
:math:`\lambda` component changes sign; a Hopf point is where a complex pair of eigenvalues of
:math:`J` crosses the imaginary axis. Both are bracketed between branch points and refined by
Brent's method on the arclength between them, each trial point corrected back onto the branch,
to :math:`10^{-10}` in :math:`\lambda`.

*Limit cycles.* :func:`limit_cycle` integrates past a transient and measures the period from
successive crossings of a Poincaré section, interpolated in the dense output.

Only networks without conservation laws are followed (with one, restrict the family to a class
first). Reference: H. B. Keller, "Numerical solution of bifurcation and nonlinear eigenvalue
problems", in *Applications of Bifurcation Theory*, Academic Press (1977); Y. A. Kuznetsov,
*Elements of Applied Bifurcation Theory*, 3rd ed., Springer (2004), ch. 10.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import _kinetics
from ._validation import check_network, check_point, check_positive_real
from .network import Network

__all__ = ["Branch", "BifurcationPoint", "LimitCycle", "continue_branch", "limit_cycle"]


class BifurcationPoint(NamedTuple):
    """A fold or Hopf point: ``kind`` (``"fold"`` or ``"hopf"``), ``param``, ``x`` (N,), and
    for a Hopf point the crossing frequency ``omega`` (Im of the eigenvalue; 0 for a fold)."""

    kind: str
    param: float
    x: np.ndarray
    omega: float


class Branch(NamedTuple):
    """A continued branch: ``param`` (K,), ``x`` (K, N), ``stable`` (K,), ``eigenvalues``
    (K, N) sorted by decreasing real part, and the ``points`` (folds and Hopf points) found."""

    param: np.ndarray
    x: np.ndarray
    stable: np.ndarray
    eigenvalues: np.ndarray
    points: list


class LimitCycle(NamedTuple):
    """A periodic orbit: ``period``, its spread ``period_spread`` over the measured cycles,
    one orbit ``t`` (K,) and ``x`` (K, N) starting on the section, and ``amplitude`` (N,)."""

    period: float
    period_spread: float
    t: np.ndarray
    x: np.ndarray
    amplitude: np.ndarray


class _Family:
    """F(x; lam), its Jacobian in x and its lam-derivative, for ``family(lam)``."""

    def __init__(self, family, V):
        self.family, self.V = family, V

    def net(self, lam: float) -> Network:
        net = self.family(float(lam))
        check_network(net, "family(lam)")
        if net.conservation_laws().shape[0]:
            raise ValueError("`family` returns a network with conservation laws; follow the "
                             "branch within one class instead (no free directions are "
                             "projected out here).")
        return net

    def F(self, x, lam):
        return _kinetics.field(self.net(lam), x, self.V)

    def J(self, x, lam):
        return _kinetics.jacobian(self.net(lam), x, self.V)

    def F_lam(self, x, lam):
        h = 1e-6 * max(1.0, abs(lam))
        return (self.F(x, lam + h) - self.F(x, lam - h)) / (2 * h)


def _tangent(fam: _Family, x, lam, previous=None) -> np.ndarray:
    A = np.column_stack([fam.J(x, lam), fam.F_lam(x, lam)])
    t = np.linalg.svd(A)[2][-1]
    if previous is not None and t @ previous < 0:
        t = -t
    return t / np.linalg.norm(t)


def _correct(fam: _Family, y0, t, y_pred, tol=1e-12, max_iter=20):
    """Newton on F(y) = 0, t . (y - y_pred) = 0; returns y or None."""
    y = y_pred.copy()
    N = y.size - 1
    for _ in range(max_iter):
        x, lam = y[:N], y[N]
        if np.any(x < -1e-12):
            return None
        F = fam.F(np.maximum(x, 0.0), lam)
        g = np.append(F, t @ (y - y_pred))
        if np.max(np.abs(g)) < tol * (1.0 + np.max(np.abs(x))):
            return y
        A = np.vstack([np.column_stack([fam.J(np.maximum(x, 0.0), lam),
                                        fam.F_lam(np.maximum(x, 0.0), lam)]), t])
        try:
            y = y - np.linalg.solve(A, g)
        except np.linalg.LinAlgError:
            return None
    return None


def _stability(fam: _Family, x, lam):
    ev = np.linalg.eigvals(fam.J(x, lam))
    ev = ev[np.argsort(-ev.real)]
    return ev, bool(np.all(ev.real < 0))


def _hopf_test(ev: np.ndarray) -> float | None:
    """Real part of the complex pair with the largest real part (None without a pair)."""
    pair = ev[np.abs(ev.imag) > 1e-9]
    return float(pair.real.max()) if pair.size else None


def continue_branch(family: Callable[[float], Network], x0, lam_range, ds: float = 0.02,
                    max_steps: int = 2000, V: float | None = None) -> Branch:
    r"""Follow the steady states of ``family(lam)`` from ``x0`` across ``lam_range``.

    Parameters
    ----------
    family : callable
        ``lam -> Network`` (the same species, no conservation laws), e.g.
        ``lambda b: mt.models.brusselator(a=1.0, b=b)``.
    x0 : array_like, shape (N,)
        A steady state (or a good guess) of ``family(lam_range[0])``.
    lam_range : (float, float)
        Start and end of the parameter; continuation stops when the branch leaves this
        interval, reaches the boundary of the positive orthant, or after ``max_steps``.
    ds : float
        Initial arclength step (in the joint units of x and lam); adapted between
        ``ds / 1000`` and ``10 ds``.
    V : float, optional
        Volume, for general rate laws.

    Returns
    -------
    Branch
        The points in arclength order, their stability (all eigenvalues of :math:`J` with
        negative real part), and the folds and Hopf points refined to ~1e-10 in lam.

    Examples
    --------
    The irreversible Brusselator loses stability at its Hopf point :math:`b = 1 + a^2`:

    >>> import mesothermo as mt
    >>> br = continue_branch(lambda b: mt.models.brusselator(a=1.0, b=b), [1.0, 1.5],
    ...                      (1.5, 3.0))
    >>> [(p.kind, round(p.param, 8)) for p in br.points]
    [('hopf', 2.0)]
    """
    fam = _Family(family, V)
    lo, hi = (float(v) for v in lam_range)
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo == hi:
        raise ValueError(f"`lam_range` must be two different finite numbers; got {lam_range!r}.")
    ds = check_positive_real(ds, "ds")
    net0 = fam.net(lo)
    x0 = check_point(net0.N, x0, "x0")
    N = net0.N
    # converge onto the branch at lam = lo (Newton in x alone)
    x = x0.astype(float)
    for _ in range(50):
        step = np.linalg.lstsq(fam.J(x, lo), -fam.F(x, lo), rcond=None)[0]
        x = np.maximum(x + step, 0.0)
        if np.max(np.abs(step)) < 1e-13 * (1 + np.max(np.abs(x))):
            break
    if np.max(np.abs(fam.F(x, lo))) > 1e-9 * (1 + np.max(np.abs(x))):
        raise ValueError(f"`x0` = {x0.tolist()} does not converge to a steady state of "
                         f"family({lo:g}).")
    direction = np.sign(hi - lo)
    y = np.append(x, lo)
    t = _tangent(fam, x, lo)
    if t[N] * direction < 0:
        t = -t
    ys, ts = [y], [t]
    h = ds
    for _ in range(int(max_steps)):
        pred = y + h * t
        new = _correct(fam, y, t, pred)
        if new is None:
            h /= 2
            if h < ds / 1000:
                break
            continue
        y_new = new
        t_new = _tangent(fam, y_new[:N], y_new[N], previous=t)
        ys.append(y_new)
        ts.append(t_new)
        y, t = y_new, t_new
        h = min(1.3 * h, 10 * ds)
        if (y[N] - lo) * (y[N] - hi) > 0 or np.any(y[:N] <= 0):
            break
    Y = np.array(ys)
    T = np.array(ts)
    eig, stable = zip(*(_stability(fam, yy[:N], yy[N]) for yy in Y))
    eig = np.array(eig)
    stable = np.array(stable)
    points = _locate(fam, Y, T, eig, N)
    return Branch(param=Y[:, N], x=Y[:, :N], stable=stable, eigenvalues=eig, points=points)


def _locate(fam, Y, T, eig, N) -> list:
    """Folds (sign change of the tangent's lam component) and Hopf points between points."""
    from scipy.optimize import brentq
    out = []

    def on_branch(k, s):
        y = _correct(fam, Y[k], T[k], Y[k] + s * T[k])
        if y is None:
            raise RuntimeError("could not correct a point between two branch points.")
        return y

    for k in range(len(Y) - 1):
        gap = float(T[k] @ (Y[k + 1] - Y[k]))
        if T[k][N] * T[k + 1][N] < 0:
            def g(s, k=k):
                y = on_branch(k, s)
                return float(np.linalg.det(fam.J(y[:N], y[N])))
            if g(0.0) * g(gap) < 0:
                s = brentq(g, 0.0, gap, xtol=1e-13)
                y = on_branch(k, s)
                out.append(BifurcationPoint("fold", float(y[N]), y[:N], 0.0))
        h0, h1 = _hopf_test(eig[k]), _hopf_test(eig[k + 1])
        if h0 is not None and h1 is not None and h0 * h1 < 0:
            def h(s, k=k):
                y = on_branch(k, s)
                v = _hopf_test(_stability(fam, y[:N], y[N])[0])
                return 0.0 if v is None else v
            s = brentq(h, 0.0, gap, xtol=1e-13)
            y = on_branch(k, s)
            ev = _stability(fam, y[:N], y[N])[0]
            pair = ev[np.abs(ev.imag) > 1e-9]
            out.append(BifurcationPoint("hopf", float(y[N]), y[:N], float(np.abs(pair.imag).max())))
    return out


def limit_cycle(net: Network, x0, t_transient: float, n_periods: int = 8,
                section: int = 0, level: float | None = None, rtol: float = 1e-10,
                atol: float = 1e-12, V: float | None = None) -> LimitCycle:
    r"""The periodic orbit reached from ``x0``, its period and amplitude.

    Integrates the rate equation for ``t_transient``, then on until ``n_periods + 1``
    upward crossings of the section :math:`x_{\rm section} = \text{level}` (default: the mean
    of that coordinate over the transient's last half), located by root finding in the DOP853
    dense output. The period is the mean of the crossing intervals, ``period_spread`` their
    range (about ``rtol`` times the period on a converged cycle; a large spread means the
    orbit has not converged or is not periodic).
    """
    from scipy.integrate import solve_ivp
    check_network(net)
    x0 = check_point(net.N, x0, "x0")
    t_transient = check_positive_real(t_transient, "t_transient")
    if int(n_periods) < 2:
        raise ValueError(f"`n_periods` must be at least 2; got {n_periods!r}.")
    if not 0 <= int(section) < net.N:
        raise ValueError(f"`section` must be a species index 0..{net.N - 1}; got {section!r}.")
    i = int(section)

    def rhs(_t, x):
        return _kinetics.field(net, x, V)

    first = solve_ivp(rhs, (0.0, t_transient), x0, method="DOP853", rtol=rtol, atol=atol,
                      dense_output=True)
    if not first.success:
        raise RuntimeError(f"the transient could not be integrated: {first.message}")
    if level is None:
        tt = np.linspace(t_transient / 2, t_transient, 2001)
        level = float(first.sol(tt)[i].mean())

    def cross(_t, x):
        return x[i] - level
    cross.direction = 1.0
    # integrate on in chunks of a quarter of the transient until enough crossings are found
    chunk, start, y, found, pieces = t_transient / 4, t_transient, first.y[:, -1], [], []
    for _ in range(200):
        sol = solve_ivp(rhs, (start, start + chunk), y, method="DOP853", rtol=rtol,
                        atol=atol, dense_output=True, events=cross)
        pieces.append(sol)
        found.extend(sol.t_events[0].tolist())
        start, y = sol.t[-1], sol.y[:, -1]
        if len(found) >= int(n_periods) + 1:
            break
    times = np.array(found)
    if times.size < int(n_periods) + 1:
        raise RuntimeError(f"found {times.size} crossings of x[{i}] = {level:.6g} in "
                           f"{50 * t_transient:g} time units; the orbit may not be periodic.")
    times = times[: int(n_periods) + 1]
    periods = np.diff(times)
    period = float(periods.mean())
    t = np.linspace(times[-2], times[-1], 801)
    x = np.empty((t.size, net.N))
    for piece in pieces:                     # evaluate each time in the chunk that holds it
        inside = (t >= piece.t[0]) & (t <= piece.t[-1])
        if inside.any():
            x[inside] = piece.sol(t[inside]).T
    return LimitCycle(period, float(np.ptp(periods)), t - t[0], x, x.max(axis=0) - x.min(axis=0))
