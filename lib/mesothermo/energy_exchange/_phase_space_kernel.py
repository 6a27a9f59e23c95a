r"""Compiled phase-space integrator for :mod:`mesothermo.energy_exchange.phase_space` (numba),
and its pure-Python twin.

One time step of length ``dt`` for every particle of the ensemble (Strang splitting):

* ``INELASTIC``: the jump process of Schlitter's operator **I** (Eq. 15) for ``dt/2`` at frozen
  positions, velocity Verlet for ``dt`` (the flow **R**), **I** for ``dt/2`` again;
* ``LANGEVIN``: BAOAB (Leimkuhler and Matthews, 2013): half kick, half drift, the exact
  Ornstein–Uhlenbeck solution of the friction–diffusion part **D** for ``dt``, half drift, half
  kick;
* ``HAMILTONIAN``: velocity Verlet alone (**R**).

The jump process is simulated exactly while positions are frozen: each particle carries an
exponential clock (its remaining integrated hazard), so a particle draws random numbers only when
it jumps. A jump changes the kinetic energy :math:`K = |\mathbf p|^2/2m` by :math:`\pm\Delta E` and
keeps the direction of :math:`\mathbf p` (a particle at rest gets a uniformly random direction).
Rates, for kinetic energy ``K`` and ``e = delta_e``,

.. math::
    w_\uparrow(K) = \lambda\, w_+ \Bigl(\frac{K+e}{e}\Bigr)^{a_\uparrow}
        \Bigl(\frac{K}{e}\Bigr)^{b_\uparrow},\qquad
    w_\downarrow(K) = w_-\,\Theta(K-e) \Bigl(\frac{K-e}{e}\Bigr)^{a_\downarrow}
        \Bigl(\frac{K}{e}\Bigr)^{b_\downarrow},

all exponents 0 for Schlitter's constant rates. The ``rule`` sets :math:`\lambda`:
``FIXED`` (1), ``MEAN_ENERGY`` (Schlitter Eq. 8 generalised: in each system and each half step,
:math:`\lambda w_+ \sum_i (\dots)_\uparrow = \sum_i w_\downarrow(K_i)`, so the expected energy
change vanishes; for constant rates :math:`\lambda w_+ = \varphi w_-`), or ``PAIRWISE`` (exact
exchange: a particle of a system releases a quantum at rate :math:`w_-\Theta(K-e)` and a uniformly
chosen other particle of the same system takes it up; simulated by uniformisation with the bound
:math:`n w_-` per system; constant rates only).

Random numbers: xoshiro256+ (Blackman and Vigna, 2018) with its four state words passed in
explicitly, never global state; :class:`Xoshiro` is the same generator in pure Python, and
:func:`run_python` replays :func:`run` path by path (``tests/test_phase_space.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["run", "run_python", "Xoshiro", "HAMILTONIAN", "LANGEVIN", "INELASTIC", "FIXED",
           "MEAN_ENERGY", "PAIRWISE", "FREE", "HARMONIC", "DOUBLE_WELL"]

HAMILTONIAN, LANGEVIN, INELASTIC = 0, 1, 2
FIXED, MEAN_ENERGY, PAIRWISE = 0, 1, 2
FREE, HARMONIC, DOUBLE_WELL = 0, 1, 2

_MASK = (1 << 64) - 1
_TWO_M53 = 1.0 / 9007199254740992.0


# ---------------------------------------------------------------------------------------------
# compiled
# ---------------------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _next(s):
    result = s[0] + s[3]
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = (s[3] << np.uint64(45)) | (s[3] >> np.uint64(19))
    return result


@njit(cache=True, inline="always")
def _uniform(s):
    return float(_next(s) >> np.uint64(11)) * _TWO_M53


@njit(cache=True, inline="always")
def _exp1(s):
    return -math.log(float((_next(s) >> np.uint64(11)) + np.uint64(1)) * _TWO_M53)


@njit(cache=True, inline="always")
def _normal(s):
    u1 = float((_next(s) >> np.uint64(11)) + np.uint64(1)) * _TWO_M53
    u2 = _uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def _forces(x, f, kind, prm, n_sys, pair_eps, pair_sigma):
    M, d = x.shape
    for i in range(M):
        for k in range(d):
            f[i, k] = 0.0
        if kind == HARMONIC:
            for k in range(d):
                f[i, k] = -prm[0] * x[i, k]
        elif kind == DOUBLE_WELL:
            a2 = prm[2] * prm[2]
            y = x[i, 0] * x[i, 0] / a2 - 1.0
            f[i, 0] = -4.0 * prm[1] * y * x[i, 0] / a2
            for k in range(1, d):
                f[i, k] = -prm[0] * x[i, k]
    if pair_eps != 0.0:
        n = M // n_sys
        inv2s2 = 0.5 / (pair_sigma * pair_sigma)
        c = pair_eps / (pair_sigma * pair_sigma)
        for g in range(n_sys):
            for i in range(g * n, (g + 1) * n):
                for j in range(i + 1, (g + 1) * n):
                    r2 = 0.0
                    for k in range(d):
                        r2 += (x[i, k] - x[j, k]) * (x[i, k] - x[j, k])
                    w = c * math.exp(-r2 * inv2s2)
                    for k in range(d):
                        fk = w * (x[i, k] - x[j, k])
                        f[i, k] += fk
                        f[j, k] -= fk


@njit(cache=True, inline="always")
def _rate_up(K, e, w_up, pw):
    r = w_up
    if pw[0] != 0.0:
        r *= ((K + e) / e) ** pw[0]
    if pw[1] != 0.0:
        r *= (K / e) ** pw[1]
    return r


@njit(cache=True, inline="always")
def _rate_down(K, e, w_down, pw):
    if K <= e:
        return 0.0
    r = w_down
    if pw[2] != 0.0:
        r *= ((K - e) / e) ** pw[2]
    if pw[3] != 0.0:
        r *= (K / e) ** pw[3]
    return r


@njit(cache=True)
def _set_kinetic(p, i, K_old, K_new, mass, s):
    d = p.shape[1]
    if K_old > 0.0:
        scale = math.sqrt(K_new / K_old)
        for k in range(d):
            p[i, k] *= scale
    else:  # at rest: a uniformly random direction
        norm = 0.0
        for k in range(d):
            p[i, k] = _normal(s)
            norm += p[i, k] * p[i, k]
        scale = math.sqrt(2.0 * mass * K_new / norm)
        for k in range(d):
            p[i, k] *= scale


@njit(cache=True)
def _inelastic(p, tau, mass, rule, n_sys, e, w_up, w_down, pw, clock, sys_clock, s, counts):
    M, d = p.shape
    n = M // n_sys
    if rule == PAIRWISE:
        bound = n * w_down
        if bound <= 0.0:
            return
        for g in range(n_sys):
            rem = tau
            while bound * rem >= sys_clock[g]:
                rem -= sys_clock[g] / bound
                sys_clock[g] = _exp1(s)
                i = g * n + min(int(_uniform(s) * n), n - 1)
                Ki = 0.0
                for k in range(d):
                    Ki += p[i, k] * p[i, k]
                Ki /= 2.0 * mass
                if Ki <= e or n < 2:
                    continue
                j = g * n + min(int(_uniform(s) * (n - 1)), n - 2)
                if j >= i:
                    j += 1
                Kj = 0.0
                for k in range(d):
                    Kj += p[j, k] * p[j, k]
                Kj /= 2.0 * mass
                _set_kinetic(p, i, Ki, Ki - e, mass, s)
                _set_kinetic(p, j, Kj, Kj + e, mass, s)
                counts[0] += 1
                counts[1] += 1
            sys_clock[g] -= bound * rem
        return
    for g in range(n_sys):
        lam = 1.0
        if rule == MEAN_ENERGY:
            num = 0.0
            den = 0.0
            for i in range(g * n, (g + 1) * n):
                K = 0.0
                for k in range(d):
                    K += p[i, k] * p[i, k]
                K /= 2.0 * mass
                num += _rate_down(K, e, w_down, pw)
                den += _rate_up(K, e, 1.0, pw)
            lam = num / den if den > 0.0 else 0.0
        for i in range(g * n, (g + 1) * n):
            K0 = 0.0
            for k in range(d):
                K0 += p[i, k] * p[i, k]
            K0 /= 2.0 * mass
            K = K0
            rem = tau
            while True:
                a_up = _rate_up(K, e, lam * w_up, pw)
                a_dn = _rate_down(K, e, w_down, pw)
                tot = a_up + a_dn
                if tot * rem < clock[i]:
                    clock[i] -= tot * rem
                    break
                rem -= clock[i] / tot
                clock[i] = _exp1(s)
                if a_up == math.inf or _uniform(s) * tot < a_up:
                    K += e
                    counts[0] += 1
                else:
                    K -= e
                    counts[1] += 1
            if K != K0:
                _set_kinetic(p, i, K0, K, mass, s)


@njit(cache=True)
def run(x, p, mass, dt, rec_steps, kind, prm, n_sys, pair_eps, pair_sigma, dyn, friction, kT,
        rule, e, w_up, w_down, pw, clock, sys_clock, s, xs, ps, counts):
    """Advance ``x``, ``p`` (M, d) in place for ``rec_steps[-1]`` steps, recording the state
    after step ``rec_steps[r]`` into ``xs[r]``, ``ps[r]``. ``clock`` (M,), ``sys_clock``
    (n_sys,), ``s`` (uint64 (4,)) and ``counts`` (int64 (2,): uptakes, releases) are advanced in
    place."""
    M, d = x.shape
    f = np.empty((M, d))
    _forces(x, f, kind, prm, n_sys, pair_eps, pair_sigma)
    c = math.exp(-friction * dt)
    sig = math.sqrt((1.0 - c * c) * mass * kT)
    r = 0
    n_rec = rec_steps.shape[0]
    while r < n_rec and rec_steps[r] == 0:
        xs[r] = x
        ps[r] = p
        r += 1
    for step in range(1, rec_steps[n_rec - 1] + 1):
        if dyn == INELASTIC:
            _inelastic(p, 0.5 * dt, mass, rule, n_sys, e, w_up, w_down, pw, clock, sys_clock,
                       s, counts)
        for i in range(M):
            for k in range(d):
                p[i, k] += 0.5 * dt * f[i, k]
        if dyn == LANGEVIN:
            for i in range(M):
                for k in range(d):
                    x[i, k] += 0.5 * dt * p[i, k] / mass
                    p[i, k] = c * p[i, k] + sig * _normal(s)
                    x[i, k] += 0.5 * dt * p[i, k] / mass
        else:
            for i in range(M):
                for k in range(d):
                    x[i, k] += dt * p[i, k] / mass
        _forces(x, f, kind, prm, n_sys, pair_eps, pair_sigma)
        for i in range(M):
            for k in range(d):
                p[i, k] += 0.5 * dt * f[i, k]
        if dyn == INELASTIC:
            _inelastic(p, 0.5 * dt, mass, rule, n_sys, e, w_up, w_down, pw, clock, sys_clock,
                       s, counts)
        while r < n_rec and rec_steps[r] == step:
            xs[r] = x
            ps[r] = p
            r += 1


# ---------------------------------------------------------------------------------------------
# pure-Python twin (same arithmetic, same random stream, written with Python floats and lists)
# ---------------------------------------------------------------------------------------------
class Xoshiro:
    """Pure-Python xoshiro256+, bit for bit the generator of the compiled kernel."""

    def __init__(self, state):
        self.s = [int(v) & _MASK for v in np.asarray(state, dtype=np.uint64)]
        if len(self.s) != 4 or not any(self.s):
            raise ValueError("xoshiro256+ needs four 64-bit words, not all zero.")

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (s0 + s3) & _MASK
        t = (s1 << 17) & _MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & _MASK
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self) -> float:
        return float(self.next() >> 11) * _TWO_M53

    def exp1(self) -> float:
        return -math.log(float((self.next() >> 11) + 1) * _TWO_M53)

    def normal(self) -> float:
        u1 = float((self.next() >> 11) + 1) * _TWO_M53
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
        lam = 1.0
        if rule == MEAN_ENERGY:
            rates = [_py_rates(_py_kinetic(p[i], mass), e, 1.0, w_down, pw) for i in idx]
            den = sum(r[0] for r in rates)
            lam = sum(r[1] for r in rates) / den if den > 0.0 else 0.0
        for i in idx:
            K0 = K = _py_kinetic(p[i], mass)
            rem = tau
            while True:
                a_up, a_dn = _py_rates(K, e, lam * w_up, w_down, pw)
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
