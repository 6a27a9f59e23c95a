r"""Compiled event loop of the particle simulations (numba) and its pure-Python twin.

Particles carry integer cell indices :math:`k_i` (energy :math:`E_i \in [k_ih, (k_i+1)h)`, the
offset within the cell never changes). Channel c moves a particle by :math:`\pm m_c` cells
with release rate :math:`w_c` for :math:`k_i \ge m_c`. With :math:`n_c` the number of
particles at :math:`k \ge m_c` and N particles:

* ``exchange = False`` (mean field): each particle takes up at rate :math:`w_c n_c/N` (Eq. 8
  with the empirical :math:`\varphi`) and releases at rate :math:`w_c`; total rate
  :math:`2\sum_c w_c n_c`, half uptakes and half releases;
* ``exchange = True`` (exact pairwise exchange): a particle at :math:`k \ge m_c` passes a quantum
  at rate :math:`w_c` to another particle chosen uniformly; total energy is conserved in every
  event.

Random numbers: xoshiro256+ with the state passed in (four uint64 words, advanced in place),
doubles from the upper 53 bits; per event one uniform in (0, 1] for the waiting time, one for the
channel, then (mean field) one for uptake/release, and uniform integers
:math:`\lfloor uN\rfloor` for the particles (rejection sampling for a particle above the
threshold). The twin :func:`run_python` consumes the same stream in the same order.

Status codes: 0 finished, 1 ``max_events`` reached, 2 no event can happen (frozen).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._xoshiro import Xoshiro256Plus

__all__ = ["run", "run_python", "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_FROZEN"]

STATUS_OK, STATUS_MAX_EVENTS, STATUS_FROZEN = 0, 1, 2
_TWO_M53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _u64(s):
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return result


@njit(cache=True, inline="always")
def _uniform(s):
    return float(_u64(s) >> np.uint64(11)) * _TWO_M53


@njit(cache=True, inline="always")
def _index(s, n):
    i = int(_uniform(s) * n)
    return n - 1 if i >= n else i


@njit(cache=True, inline="always")
def _move(k, i, delta, ms, counts):
    old = k[i]
    new = old + delta
    for c in range(ms.shape[0]):
        counts[c] += (1 if new >= ms[c] else 0) - (1 if old >= ms[c] else 0)
    k[i] = new


@njit(cache=True, inline="always")
def _record(k, out_row):
    top = out_row.shape[0] - 1
    for v in k:
        out_row[v if v < top else top] += 1


@njit(cache=True)
def run(k, ms, ws, times, exchange, state, max_events, out):
    """Advance the particles ``k`` (int64, in place) and record at ``times`` the histogram of
    cell indices into ``out`` (len(times), K + 1; the last column counts k >= K).
    Returns ``(n_events, status)``."""
    N = k.shape[0]
    C = ms.shape[0]
    counts = np.zeros(C, dtype=np.int64)
    for v in k:
        for c in range(C):
            if v >= ms[c]:
                counts[c] += 1
    a = np.zeros(C)
    t = 0.0
    j = 0
    n_events = 0
    while j < times.shape[0] and times[j] <= t:
        _record(k, out[j])
        j += 1
    while j < times.shape[0]:
        total = 0.0
        for c in range(C):
            a[c] = ws[c] * counts[c] * (1.0 if exchange else 2.0)
            total += a[c]
        if exchange and N < 2:
            total = 0.0
        if total <= 0.0:
            while j < times.shape[0]:
                _record(k, out[j])
                j += 1
            return n_events, STATUS_FROZEN
        if n_events >= max_events:
            return n_events, STATUS_MAX_EVENTS
        u1 = float((_u64(state) >> np.uint64(11)) + np.uint64(1)) * _TWO_M53
        t += -math.log(u1) / total
        while j < times.shape[0] and times[j] < t:
            _record(k, out[j])
            j += 1
        if j >= times.shape[0]:
            break
        r = _uniform(state) * total
        sel = C - 1
        acc = 0.0
        for c in range(C):
            acc += a[c]
            if acc > r:
                sel = c
                break
        m = ms[sel]
        if exchange:
            i = _index(state, N)
            while k[i] < m:
                i = _index(state, N)
            q = _index(state, N - 1)
            if q >= i:
                q += 1
            _move(k, i, -m, ms, counts)
            _move(k, q, m, ms, counts)
        else:
            if _uniform(state) < 0.5:
                i = _index(state, N)
                while k[i] < m:
                    i = _index(state, N)
                _move(k, i, -m, ms, counts)
            else:
                _move(k, _index(state, N), m, ms, counts)
        n_events += 1
    return n_events, STATUS_OK


class _Xoshiro(Xoshiro256Plus):
    """The shared pure-Python xoshiro256+ with the kernel's uniform particle index."""

    def index(self, n):
        i = int(self.uniform() * n)
        return n - 1 if i >= n else i


def run_python(k, ms, ws, times, exchange, state, max_events, out):
    """The pure-Python twin of :func:`run` (same arguments, same results, same stream)."""
    rng = _Xoshiro(state)
    N, C = len(k), len(ms)
    counts = [sum(1 for v in k if v >= ms[c]) for c in range(C)]
    top = out.shape[1] - 1

    def record(row):
        for v in k:
            out[row, v if v < top else top] += 1

    def move(i, delta):
        old = int(k[i])
        new = old + delta
        for c in range(C):
            counts[c] += int(new >= ms[c]) - int(old >= ms[c])
        k[i] = new

    t, j, n_events, status = 0.0, 0, 0, STATUS_OK
    while j < len(times) and times[j] <= t:
        record(j)
        j += 1
    while j < len(times):
        a = [ws[c] * counts[c] * (1.0 if exchange else 2.0) for c in range(C)]
        total = 0.0
        for v in a:
            total += v
        if exchange and N < 2:
            total = 0.0
        if total <= 0.0:
            while j < len(times):
                record(j)
                j += 1
            status = STATUS_FROZEN
            break
        if n_events >= max_events:
            status = STATUS_MAX_EVENTS
            break
        u1 = rng.uniform_open0()
        t += -math.log(u1) / total
        while j < len(times) and times[j] < t:
            record(j)
            j += 1
        if j >= len(times):
            break
        r = rng.uniform() * total
        sel, acc = C - 1, 0.0
        for c in range(C):
            acc += a[c]
            if acc > r:
                sel = c
                break
        m = int(ms[sel])
        if exchange:
            i = rng.index(N)
            while k[i] < m:
                i = rng.index(N)
            q = rng.index(N - 1)
            if q >= i:
                q += 1
            move(i, -m)
            move(q, m)
        else:
            if rng.uniform() < 0.5:
                i = rng.index(N)
                while k[i] < m:
                    i = rng.index(N)
                move(i, -m)
            else:
                move(rng.index(N), m)
        n_events += 1
    for w in range(4):
        state[w] = np.uint64(rng.s[w])
    return n_events, status
