"""Adaptive Dormand–Prince 5(4) for the grid master equation (private to energy_exchange).

Written out with elementwise NumPy so that no BLAS call is made: on a busy machine OpenBLAS
threads thrash (SciPy's ``solve_ivp`` spent 9 s instead of 1.2 s on a 10^4-vector because of
the matrix product in its error norm).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["dopri45"]

# Dormand–Prince 5(4) (Hairer, Nørsett & Wanner, Solving ODEs I, 2nd ed., Table 5.2): written out
# with elementwise NumPy so that no BLAS call (whose threads thrash on a busy machine) is made.
_DP_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_DP_A = ((),
         (1 / 5,),
         (3 / 40, 9 / 40),
         (44 / 45, -56 / 15, 32 / 9),
         (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
         (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
         (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_DP_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


def dopri45(f, y0, t_out, rtol, atol, h0):
    """Adaptive Dormand–Prince 5(4), stepping exactly onto every output time (unvalidated).
    Returns (Y of shape (len(t_out), n), number of f evaluations)."""
    Y = np.empty((t_out.size, y0.size))
    Y[0] = y0
    t, y = float(t_out[0]), y0.copy()
    k1 = f(y)
    nfev, h = 1, h0
    for i in range(1, t_out.size):
        t_end = float(t_out[i])
        while t < t_end:
            last = t + h >= t_end * (1 - 1e-14) or t + h >= t_end
            step = t_end - t if last else h
            ks = [k1]
            for s in range(1, 7):
                ys = y.copy()
                for a, k in zip(_DP_A[s], ks):
                    if a:
                        ys += (step * a) * k
                ks.append(f(ys))
            nfev += 6
            err = np.zeros_like(y)
            for e, k in zip(_DP_E, ks):
                if e:
                    err += (step * e) * k
            scale = atol + rtol * np.maximum(np.abs(y), np.abs(ys))
            norm = math.sqrt(float(np.mean((err / scale) ** 2)))
            if norm <= 1.0:
                t = t_end if last else t + step
                y, k1 = ys, ks[6]  # FSAL: stage 7 is f at the new point
                fac = 5.0 if norm == 0 else min(5.0, 0.9 * norm ** -0.2)
                if not last or fac < 1:
                    h = step * max(0.2, fac)
            else:
                h = step * max(0.2, 0.9 * norm ** -0.2)
        Y[i] = y
    return Y, nfev
