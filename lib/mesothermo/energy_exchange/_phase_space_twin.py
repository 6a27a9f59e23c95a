r"""Pure-Python twin of the compiled phase-space integrator :mod:`._phase_space_kernel`.

Same arguments, same arithmetic operation by operation, same random stream (xoshiro256+ in
Python integers), written with Python floats and lists: :func:`run_python` replays
``_phase_space_kernel.run`` path by path from the same state words (``method="python"`` of
:func:`~mesothermo.energy_exchange.simulate_phase_space`; ``tests/test_phase_space.py`` checks
that they agree). Slow; for tests and for reading.
"""

from __future__ import annotations

import math

import numpy as np

from .._xoshiro import Xoshiro256Plus
from ._phase_space_kernel import (DOUBLE_WELL, HARMONIC, INELASTIC, LANGEVIN, MEAN_ENERGY,
                                  PAIRWISE)

__all__ = ["run_python", "Xoshiro"]

class Xoshiro(Xoshiro256Plus):
    """The shared pure-Python xoshiro256+ with the kernel's normal draw (Box–Muller, one per
    call: two outputs, the cosine branch)."""

    def normal(self) -> float:
        u1 = self.uniform_open0()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _py_forces(x, kind, prm, n_sys, pair_eps, pair_sigma):
    M, d = len(x), len(x[0])
    f = []
    for xi in x:
        if kind == HARMONIC:
            fi = [-prm[0] * v for v in xi]
        elif kind == DOUBLE_WELL:
            a2 = prm[2] * prm[2]
            fi = [-4.0 * prm[1] * (xi[0] * xi[0] / a2 - 1.0) * xi[0] / a2]
            fi += [-prm[0] * v for v in xi[1:]]
        else:
            fi = [0.0] * d
        f.append(fi)
    if pair_eps != 0.0:
        n = M // n_sys
        for g in range(n_sys):
            for i in range(g * n, (g + 1) * n):
                for j in range(i + 1, (g + 1) * n):
                    diff = [x[i][k] - x[j][k] for k in range(d)]
                    r2 = 0.0
                    for v in diff:
                        r2 += v * v
                    w = pair_eps / (pair_sigma * pair_sigma) * math.exp(
                        -r2 * (0.5 / (pair_sigma * pair_sigma)))
                    for k in range(d):
                        f[i][k] += w * diff[k]
                        f[j][k] -= w * diff[k]
    return f


def _py_pow(b, x):
    if not x:
        return 1.0
    return math.inf if b == 0.0 and x < 0 else b ** x


def _py_rates(K, e, w_up, w_down, pw):
    up = w_up * _py_pow((K + e) / e, pw[0]) * _py_pow(K / e, pw[1])
    if K <= e:
        return up, 0.0
    return up, w_down * _py_pow((K - e) / e, pw[2]) * _py_pow(K / e, pw[3])


def _py_kinetic(pi, mass):
    return sum(v * v for v in pi) / (2.0 * mass)


def _py_set(pi, K_old, K_new, mass, g):
    if K_old > 0.0:
        scale = math.sqrt(K_new / K_old)
        return [v * scale for v in pi]
    q = [g.normal() for _ in pi]
    scale = math.sqrt(2.0 * mass * K_new / sum(v * v for v in q))
    return [v * scale for v in q]


def _py_inelastic(p, tau, mass, rule, n_sys, e, w_up, w_down, pw, clock, sys_clock, g, counts):
    n = len(p) // n_sys
    for sy in range(n_sys):
        idx = range(sy * n, (sy + 1) * n)
        if rule == PAIRWISE:
            bound = n * w_down
            if bound <= 0.0:
                return
            rem = tau
            while bound * rem >= sys_clock[sy]:
                rem -= sys_clock[sy] / bound
                sys_clock[sy] = g.exp1()
                i = sy * n + min(int(g.uniform() * n), n - 1)
                Ki = _py_kinetic(p[i], mass)
                if Ki <= e or n < 2:
                    continue
                j = sy * n + min(int(g.uniform() * (n - 1)), n - 2)
                j += j >= i
                Kj = _py_kinetic(p[j], mass)
                p[i] = _py_set(p[i], Ki, Ki - e, mass, g)
                p[j] = _py_set(p[j], Kj, Kj + e, mass, g)
                counts[0] += 1
                counts[1] += 1
            sys_clock[sy] -= bound * rem
            continue
        up = w_up
        if rule == MEAN_ENERGY and any(pw):
            rates = [_py_rates(_py_kinetic(p[i], mass), e, 1.0, w_down, pw) for i in idx]
            den = sum(r[0] for r in rates)
            up = (sum(r[1] for r in rates) / den if den > 0.0 else 0.0) * w_up
        elif rule == MEAN_ENERGY:  # constant rates: lambda w_+ = phi w_-
            up = sum(_py_kinetic(p[i], mass) > e for i in idx) * w_down / n * w_up
        for i in idx:
            K0 = K = _py_kinetic(p[i], mass)
            rem = tau
            while True:
                a_up, a_dn = _py_rates(K, e, up, w_down, pw)
                tot = a_up + a_dn
                if tot * rem < clock[i]:
                    clock[i] -= tot * rem
                    break
                rem -= clock[i] / tot
                clock[i] = g.exp1()
                if a_up == math.inf or g.uniform() * tot < a_up:
                    K += e
                    counts[0] += 1
                else:
                    K -= e
                    counts[1] += 1
            if K != K0:
                p[i] = _py_set(p[i], K0, K, mass, g)


def run_python(x, p, mass, dt, rec_steps, kind, prm, n_sys, pair_eps, pair_sigma, dyn, friction,
               kT, rule, e, w_up, w_down, pw, clock, sys_clock, s, xs, ps, counts):
    """The pure-Python twin of :func:`run`: same arguments, same in-place results."""
    X, P = x.tolist(), p.tolist()
    clk, sclk = clock.tolist(), sys_clock.tolist()
    cnt = [int(counts[0]), int(counts[1])]
    g = Xoshiro(s)
    prm, pw = [float(v) for v in prm], [float(v) for v in pw]
    f = _py_forces(X, kind, prm, n_sys, pair_eps, pair_sigma)
    c = math.exp(-friction * dt)
    sig = math.sqrt((1.0 - c * c) * mass * kT)
    steps = [int(v) for v in rec_steps]
    r = 0
    while r < len(steps) and steps[r] == 0:
        xs[r], ps[r] = X, P
        r += 1
    for step in range(1, steps[-1] + 1):
        if dyn == INELASTIC:
            _py_inelastic(P, 0.5 * dt, mass, rule, n_sys, e, w_up, w_down, pw, clk, sclk, g, cnt)
        for i in range(len(X)):
            Pi = [P[i][k] + 0.5 * dt * f[i][k] for k in range(len(P[i]))]
            if dyn == LANGEVIN:
                Xi = list(X[i])
                for k in range(len(Xi)):
                    Xi[k] += 0.5 * dt * Pi[k] / mass
                    Pi[k] = c * Pi[k] + sig * g.normal()
                    Xi[k] += 0.5 * dt * Pi[k] / mass
            else:
                Xi = [X[i][k] + dt * Pi[k] / mass for k in range(len(Pi))]
            X[i], P[i] = Xi, Pi
        f = _py_forces(X, kind, prm, n_sys, pair_eps, pair_sigma)
        for i in range(len(X)):
            P[i] = [P[i][k] + 0.5 * dt * f[i][k] for k in range(len(P[i]))]
        if dyn == INELASTIC:
            _py_inelastic(P, 0.5 * dt, mass, rule, n_sys, e, w_up, w_down, pw, clk, sclk, g, cnt)
        while r < len(steps) and steps[r] == step:
            xs[r], ps[r] = X, P
            r += 1
    x[:], p[:] = X, P
    clock[:], sys_clock[:] = clk, sclk
    s[:] = np.array(g.s, dtype=np.uint64)
    counts[:] = cnt
