"""Compiled Hamilton's equations and adaptive Dormand–Prince 5(4) for 2-D characteristics.

One job: integrate one characteristic of the mass-action Hamiltonian
(:mod:`mesothermo.ldp.hamiltonian`) fast. :func:`trace_python` is the same integrator in plain
Python, which ``tests/test_ldp.py`` compares with :func:`trace_kernel`, and both are compared
with ``scipy.integrate.solve_ivp`` on the same Hamiltonian system.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["ham_rhs_2d", "trace_kernel", "trace_python", "DP_A", "DP_B", "DP_E"]


@njit(cache=True)
def ham_rhs_2d(y, kp, km, Np, Nm, nu, out):  # pragma: no cover - compiled
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
DP_A = np.array([
    [0, 0, 0, 0, 0, 0],
    [1 / 5, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]], dtype=np.float64)
DP_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
DP_E = DP_B - np.array([5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200,
                          187 / 2100, 1 / 40])


@njit(cache=True)
def trace_kernel(y0, kp, km, Np, Nm, nu, lo, hi, t_max, phi_max, p_max, rtol, atol,
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
    ham_rhs_2d(y, kp, km, Np, Nm, nu, K[0])
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
            ham_rhs_2d(tmp, kp, km, Np, Nm, nu, K[i])
        for j in range(n):
            acc = 0.0
            for m in range(6):
                acc += B[m] * K[m, j]
            ynew[j] = y[j] + h * acc
        ham_rhs_2d(ynew, kp, km, Np, Nm, nu, K[6])
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


def trace_python(y0, kp, km, Np, Nm, nu, lo, hi, t_max, phi_max, p_max, rtol, atol, max_steps,
                 A, B, E):
    """The Python twin of :func:`trace_kernel`: the same integrator, interpreted line by line.

    (The interpreted source of the compiled loop, ``trace_kernel.py_func``; it calls the
    right-hand side through :func:`ham_rhs_2d`, whose own check against the Python Hamiltonian
    is in ``tests/test_ldp.py``.)
    """
    return trace_kernel.py_func(np.asarray(y0, float), kp, km, Np, Nm, nu, lo, hi, t_max,
                                phi_max, p_max, rtol, atol, max_steps, A, B, E)
