r"""Compiled phase-space integrator for :mod:`mesothermo.energy_exchange.phase_space` (numba);
its pure-Python twin is :mod:`._phase_space_twin`.

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

Layout of the compiled part, for speed (measured in ``benchmarks/analyses_bench.py``): the state
is handled as flat (M * d,) arrays; each potential has its own force routine, picked once per
force evaluation by ``_forces`` (no particle loop tests the potential's type); the jump process
has one routine for Schlitter's constant rates and one for the power-law rates (with the power
code in the same loop, the constant-rate loop ran several times slower); each half step of **I**
computes every kinetic energy once, in the pass that also makes the mean-energy rule's reduction
(for constant rates a count of the particles above ``e``). The arithmetic is the same, operation
by operation, as in the twin.

Random numbers: xoshiro256+ (Blackman and Vigna, 2018) with its four state words passed in
explicitly, never global state; ``_phase_space_twin.Xoshiro`` is the same generator in pure
Python, and ``_phase_space_twin.run_python`` replays :func:`run` path by path
(``tests/test_phase_space.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["run", "HAMILTONIAN", "LANGEVIN", "INELASTIC", "FIXED",
           "MEAN_ENERGY", "PAIRWISE", "FREE", "HARMONIC", "DOUBLE_WELL"]

HAMILTONIAN, LANGEVIN, INELASTIC = 0, 1, 2
FIXED, MEAN_ENERGY, PAIRWISE = 0, 1, 2
FREE, HARMONIC, DOUBLE_WELL = 0, 1, 2

_TWO_M53 = 1.0 / 9007199254740992.0


@njit(cache=True)
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


@njit(cache=True)
def _uniform(s):
    return float(_next(s) >> np.uint64(11)) * _TWO_M53


@njit(cache=True)
def _exp1(s):
    return -math.log(float((_next(s) >> np.uint64(11)) + np.uint64(1)) * _TWO_M53)


@njit(cache=True)
def _normal(s):
    u1 = float((_next(s) >> np.uint64(11)) + np.uint64(1)) * _TWO_M53
    u2 = _uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# one force routine per potential, on the flat (M * d,) views of x and f; `_forces` picks one
# per call (once per time step), so no particle loop tests the potential's type
@njit(cache=True)
def _force_free(x, f, d, prm):
    for j in range(x.size):
        f[j] = 0.0


@njit(cache=True)
def _force_harmonic(x, f, d, prm):
    k = prm[0]
    for j in range(x.size):
        f[j] = -k * x[j]


@njit(cache=True)
def _force_double_well(x, f, d, prm):
    k, h = prm[0], prm[1]
    a2 = prm[2] * prm[2]
    if d == 1:
        for j in range(x.size):
            y = x[j] * x[j] / a2 - 1.0
            f[j] = -4.0 * h * y * x[j] / a2
        return
    for j in range(x.size):
        f[j] = -k * x[j]
    for j in range(0, x.size, d):
        y = x[j] * x[j] / a2 - 1.0
        f[j] = -4.0 * h * y * x[j] / a2


@njit(cache=True)
def _pair_forces(x, f, d, n_sys, pair_eps, pair_sigma):
    M = x.size // d
    n = M // n_sys
    inv2s2 = 0.5 / (pair_sigma * pair_sigma)
    c = pair_eps / (pair_sigma * pair_sigma)
    for g in range(n_sys):
        for i in range(g * n, (g + 1) * n):
            for j in range(i + 1, (g + 1) * n):
                r2 = 0.0
                for k in range(d):
                    r2 += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k])
                w = c * math.exp(-r2 * inv2s2)
                for k in range(d):
                    fk = w * (x[i * d + k] - x[j * d + k])
                    f[i * d + k] += fk
                    f[j * d + k] -= fk


@njit(cache=True)
def _forces(x, f, d, kind, prm, n_sys, pair_eps, pair_sigma):
    if kind == HARMONIC:
        _force_harmonic(x, f, d, prm)
    elif kind == DOUBLE_WELL:
        _force_double_well(x, f, d, prm)
    else:
        _force_free(x, f, d, prm)
    if pair_eps != 0.0:
        _pair_forces(x, f, d, n_sys, pair_eps, pair_sigma)


@njit(cache=True, inline="always")
def _kinetic(p, i, d, mass):
    K = 0.0
    for k in range(i * d, (i + 1) * d):
        K += p[k] * p[k]
    return K / (2.0 * mass)


@njit(cache=True)
def _rate_up(K, e, w_up, a, b):
    r = w_up
    if a != 0.0:
        r *= ((K + e) / e) ** a
    if b != 0.0:
        r *= (K / e) ** b
    return r


@njit(cache=True)
def _rate_down(K, e, w_down, a, b):
    if K <= e:
        return 0.0
    r = w_down
    if a != 0.0:
        r *= ((K - e) / e) ** a
    if b != 0.0:
        r *= (K / e) ** b
    return r


@njit(cache=True)
def _set_kinetic(p, i, d, K_old, K_new, mass, s):
    if K_old > 0.0:
        scale = math.sqrt(K_new / K_old)
        for k in range(i * d, (i + 1) * d):
            p[k] *= scale
    else:  # at rest: a uniformly random direction
        norm = 0.0
        for k in range(i * d, (i + 1) * d):
            p[k] = _normal(s)
            norm += p[k] * p[k]
        scale = math.sqrt(2.0 * mass * K_new / norm)
        for k in range(i * d, (i + 1) * d):
            p[k] *= scale


@njit(cache=True, error_model="numpy")
def _pairwise(p, d, tau, mass, n_sys, e, w_down, sys_clock, s, counts):
    """Exact exchange for ``tau`` by uniformisation (bound n w_- per system)."""
    n = p.size // d // n_sys
    bound = n * w_down
    if bound <= 0.0:
        return
    n_ex = 0
    for g in range(n_sys):
        rem = tau
        while bound * rem >= sys_clock[g]:
            rem -= sys_clock[g] / bound
            sys_clock[g] = _exp1(s)
            i = g * n + min(int(_uniform(s) * n), n - 1)
            Ki = _kinetic(p, i, d, mass)
            if Ki <= e or n < 2:
                continue
            j = g * n + min(int(_uniform(s) * (n - 1)), n - 2)
            if j >= i:
                j += 1
            Kj = _kinetic(p, j, d, mass)
            _set_kinetic(p, i, d, Ki, Ki - e, mass, s)
            _set_kinetic(p, j, d, Kj, Kj + e, mass, s)
            n_ex += 1
        sys_clock[g] -= bound * rem
    counts[0] += n_ex
    counts[1] += n_ex


@njit(cache=True, error_model="numpy")
def _jumps_constant(p, d, K, tau, mass, rule, n_sys, e, w_up, w_down, clock, s, counts):
    """The jump process of I for ``tau`` at frozen positions with Schlitter's constant rates,
    FIXED or MEAN_ENERGY rule. Per system, one pass stores each kinetic energy in ``K`` and counts
    the particles above ``e`` (Eq. 8's phi, the rule's only reduction); the event pass reuses
    ``K``.
    Kept apart from :func:`_jumps_power`: with the power-law code in the same loop, the
    compiled loop is several times slower even when every exponent is zero."""
    n = K.size // n_sys
    n_up = 0
    n_dn = 0
    for g in range(n_sys):
        lo, hi = g * n, (g + 1) * n
        n_above = 0
        for i in range(lo, hi):
            Ki = _kinetic(p, i, d, mass)
            K[i] = Ki
            n_above += Ki > e
        up = w_up
        if rule == MEAN_ENERGY:  # lambda w_+ = phi w_- (phi: the fraction with K > dE)
            up = (n_above * w_down) / n * w_up
        for i in range(lo, hi):
            K0 = K[i]
            Ki = K0
            rem = tau
            c = clock[i]
            while True:
                a_dn = w_down if Ki > e else 0.0
                tot = up + a_dn
                if tot * rem < c:
                    c -= tot * rem
                    break
                rem -= c / tot
                c = _exp1(s)
                if _uniform(s) * tot < up:
                    Ki += e
                    n_up += 1
                else:
                    Ki -= e
                    n_dn += 1
            clock[i] = c
            if Ki != K0:
                _set_kinetic(p, i, d, K0, Ki, mass, s)
    counts[0] += n_up
    counts[1] += n_dn


@njit(cache=True, error_model="numpy")
def _jumps_power(p, d, K, tau, mass, rule, n_sys, e, w_up, w_down, pw, clock, s, counts):
    """As :func:`_jumps_constant`, for rates times powers of the energies (``pw``)."""
    n = K.size // n_sys
    a1, b1, a2, b2 = pw[0], pw[1], pw[2], pw[3]
    n_up = 0
    n_dn = 0
    for g in range(n_sys):
        lo, hi = g * n, (g + 1) * n
        num = 0.0
        den = 0.0
        for i in range(lo, hi):
            Ki = _kinetic(p, i, d, mass)
            K[i] = Ki
            if rule == MEAN_ENERGY:
                num += _rate_down(Ki, e, w_down, a2, b2)
                den += _rate_up(Ki, e, 1.0, a1, b1)
        up = (num / den if den > 0.0 else 0.0) * w_up if rule == MEAN_ENERGY else w_up
        for i in range(lo, hi):
            K0 = K[i]
            Ki = K0
            rem = tau
            c = clock[i]
            while True:
                a_up = _rate_up(Ki, e, up, a1, b1)
                a_dn = _rate_down(Ki, e, w_down, a2, b2)
                tot = a_up + a_dn
                if tot * rem < c:
                    c -= tot * rem
                    break
                rem -= c / tot
                c = _exp1(s)
                if a_up == math.inf or _uniform(s) * tot < a_up:
                    Ki += e
                    n_up += 1
                else:
                    Ki -= e
                    n_dn += 1
            clock[i] = c
            if Ki != K0:
                _set_kinetic(p, i, d, K0, Ki, mass, s)
    counts[0] += n_up
    counts[1] += n_dn


@njit(cache=True)
def _inelastic(p, d, K, tau, mass, rule, power, n_sys, e, w_up, w_down, pw, clock, sys_clock,
               s, counts):
    """Schlitter's operator I for ``tau``: the routine for the rule and the rate law."""
    if rule == PAIRWISE:
        _pairwise(p, d, tau, mass, n_sys, e, w_down, sys_clock, s, counts)
    elif power:
        _jumps_power(p, d, K, tau, mass, rule, n_sys, e, w_up, w_down, pw, clock, s, counts)
    else:
        _jumps_constant(p, d, K, tau, mass, rule, n_sys, e, w_up, w_down, clock, s, counts)


@njit(cache=True)
def _record(xs, ps, r, x, p):
    # element by element: slice assignment compiles numba's string-formatting error path,
    # which took a third of the first compile
    M, d = xs.shape[1], xs.shape[2]
    for i in range(M):
        for k in range(d):
            xs[r, i, k] = x[i * d + k]
            ps[r, i, k] = p[i * d + k]


@njit(cache=True)
def run(x, p, mass, dt, rec_steps, kind, prm, n_sys, pair_eps, pair_sigma, dyn, friction, kT,
        rule, e, w_up, w_down, pw, clock, sys_clock, s, xs, ps, counts):
    """Advance ``x``, ``p`` (M, d) in place for ``rec_steps[-1]`` steps, recording the state
    after step ``rec_steps[r]`` into ``xs[r]``, ``ps[r]``. ``clock`` (M,), ``sys_clock``
    (n_sys,), ``s`` (uint64 (4,)) and ``counts`` (int64 (2,): uptakes, releases) are advanced in
    place."""
    M, d = x.shape
    xf = x.reshape(M * d)
    pf = p.reshape(M * d)
    f = np.empty(M * d)
    K = np.empty(M)
    power = pw[0] != 0.0 or pw[1] != 0.0 or pw[2] != 0.0 or pw[3] != 0.0
    _forces(xf, f, d, kind, prm, n_sys, pair_eps, pair_sigma)
    c = math.exp(-friction * dt)
    sig = math.sqrt((1.0 - c * c) * mass * kT)
    h = 0.5 * dt
    r = 0
    n_rec = rec_steps.shape[0]
    while r < n_rec and rec_steps[r] == 0:
        _record(xs, ps, r, xf, pf)
        r += 1
    for step in range(1, rec_steps[n_rec - 1] + 1):
        if dyn == INELASTIC:
            _inelastic(pf, d, K, h, mass, rule, power, n_sys, e, w_up, w_down, pw, clock,
                       sys_clock, s, counts)
        if dyn == LANGEVIN:
            for j in range(M * d):
                pf[j] += h * f[j]
            for j in range(M * d):
                xf[j] += h * pf[j] / mass
                pf[j] = c * pf[j] + sig * _normal(s)
                xf[j] += h * pf[j] / mass
        else:
            for j in range(M * d):
                pf[j] += h * f[j]
                xf[j] += dt * pf[j] / mass
        _forces(xf, f, d, kind, prm, n_sys, pair_eps, pair_sigma)
        for j in range(M * d):
            pf[j] += h * f[j]
        if dyn == INELASTIC:
            _inelastic(pf, d, K, h, mass, rule, power, n_sys, e, w_up, w_down, pw, clock,
                       sys_clock, s, counts)
        while r < n_rec and rec_steps[r] == step:
            _record(xs, ps, r, xf, pf)
            r += 1
