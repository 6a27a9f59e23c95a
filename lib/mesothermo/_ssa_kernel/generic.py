r"""Compiled kernels of Gillespie's direct method for mass-action networks (numba).

The public entry points live in :mod:`mesothermo.ssa`; this module holds the table-driven
compiled loops (``method="kernel"``, and ``"compiled"`` above 64 channels) and the
random-number generator they share with the generated kernels and the pure-Python reference.

Layout of a network for the kernels
-----------------------------------
Only channels with a positive constant are passed (a channel with constant 0 never fires, so
dropping it changes no path). For kernel channel ``j``:

* ``c[j]``: the constant :math:`c_j = k^{\mathrm{eff}}_j V^{1-\mathrm{order}_j}`, so that the
  propensity is :math:`a_j(n) = c_j \prod_i (n_i)_{m_{ji}}` (falling factorials, Kurtz's
  convention);
* ``r_spec[r_ptr[j]:r_ptr[j+1]]``, ``r_mult[...]``: the reactant species and multiplicities;
* ``d_spec[d_ptr[j]:d_ptr[j+1]]``, ``d_delta[...]``: the species that change and by how much;
* ``dep_idx[dep_ptr[j]:dep_ptr[j+1]]``: the channels whose propensity depends on a species that
  channel ``j`` changes (the dependency graph), so only those are recomputed after ``j`` fires;
* ``chan_id[j]``: the public channel number (``l`` forward, ``M + l`` backward).

Random numbers
--------------
xoshiro256+ (Blackman and Vigna, 2018), kept in four local ``uint64`` words inside the loop; a
double is formed from the upper 53 bits. Two uniforms per event: :math:`u_1\in(0,1]` for the
waiting time :math:`\tau=-\ln u_1/a_0` and :math:`u_2\in[0,1)` for the channel. The state is
passed in explicitly (drawn by the caller from the user's :class:`numpy.random.Generator`),
never taken from global state, and the pure-Python twin :class:`Xoshiro256Plus` produces the same
stream, so the reference implementation can replay a kernel path exactly.

Status codes returned by the kernels: 0 finished, 1 ``max_events`` reached before ``t_end``,
2 the total propensity became non-finite (overflow).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .twin import STATUS_MAX_EVENTS, STATUS_NONFINITE, STATUS_OK, Xoshiro256Plus

__all__ = ["Xoshiro256Plus", "xoshiro_next", "direct_every", "direct_sampled", "direct_ensemble",
           "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]

@njit(cache=True, inline="always")
def xoshiro_next(s0, s1, s2, s3):
    """One xoshiro256+ step on four local words: ``(output, s0, s1, s2, s3)``."""
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    return result, s0, s1, s2, s3


@njit(cache=True, inline="always")
def _propensity(j, n, c, r_ptr, r_spec, r_mult):
    f = 1.0
    for q in range(r_ptr[j], r_ptr[j + 1]):
        v = n[r_spec[q]]
        for m in range(r_mult[q]):
            f *= v - m
    return c[j] * f


@njit(cache=True, inline="always")
def _fire(a, r, n, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta, dep_ptr, dep_idx):
    """Fire the channel j with sum_{i<j} a_i <= r < sum_{i<=j} a_i (the direct method's choice),
    update the counts, recompute the propensities that depend on what changed; return j."""
    acc = 0.0
    sel = -1
    for j in range(a.shape[0]):
        acc += a[j]
        if acc > r:
            sel = j
            break
    if sel < 0:  # r rounded up to a0: take the last channel that can fire
        for j in range(a.shape[0] - 1, -1, -1):
            if a[j] > 0.0:
                sel = j
                break
    for q in range(d_ptr[sel], d_ptr[sel + 1]):
        n[d_spec[q]] += d_delta[q]
    for q in range(dep_ptr[sel], dep_ptr[sel + 1]):
        j = dep_idx[q]
        a[j] = _propensity(j, n, c, r_ptr, r_spec, r_mult)
    return sel


@njit(cache=True)
def direct_sampled(n0, times, t_end, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta,
                   dep_ptr, dep_idx, state, max_events, out):
    """One path recorded at ``times`` into ``out`` (len(times), N).

    Returns ``(n_events, status, t_stop)``; ``state`` (uint64 (4,)) is advanced in place.
    """
    R = c.shape[0]
    K = times.shape[0]
    n = n0.copy()
    a = np.empty(R)
    for j in range(R):
        a[j] = _propensity(j, n, c, r_ptr, r_spec, r_mult)
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    t = 0.0
    k = 0
    events = 0
    status = 0
    while True:
        a0 = 0.0
        for j in range(R):
            a0 += a[j]
        if not a0 < np.inf:  # inf or NaN (NaN cannot arise from counts; kept for safety)
            status = 2
            break
        if a0 <= 0.0:
            break
        x, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        u1 = np.float64(np.int64(x >> np.uint64(11)) + 1) * 1.1102230246251565e-16
        t_new = t - np.log(u1) / a0
        while k < K and times[k] < t_new:
            for i in range(n.shape[0]):
                out[k, i] = n[i]
            k += 1
        if t_new > t_end:
            break
        if events >= max_events:
            status = 1
            break
        x, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        r = np.float64(np.int64(x >> np.uint64(11))) * 1.1102230246251565e-16 * a0
        _fire(a, r, n, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta, dep_ptr, dep_idx)
        t = t_new
        events += 1
    while k < K and status == 0:
        for i in range(n.shape[0]):
            out[k, i] = n[i]
        k += 1
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return events, status, t


@njit(cache=True)
def direct_every(n0, t_end, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta, dep_ptr, dep_idx,
                 chan_id, state, max_events, capacity):
    """One path recorded at every event.

    Returns ``(t (K,), n (K, N), channel (K-1,), status)`` with ``K = events + 1``.
    """
    R = c.shape[0]
    N = n0.shape[0]
    cap = max(capacity, 16)
    ts = np.empty(cap)
    ns = np.empty((cap, N), dtype=np.int64)
    ch = np.empty(cap, dtype=np.int64)
    n = n0.copy()
    ts[0] = 0.0
    ns[0, :] = n
    a = np.empty(R)
    for j in range(R):
        a[j] = _propensity(j, n, c, r_ptr, r_spec, r_mult)
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    t = 0.0
    events = 0
    status = 0
    while True:
        a0 = 0.0
        for j in range(R):
            a0 += a[j]
        if not a0 < np.inf:
            status = 2
            break
        if a0 <= 0.0:
            break
        x, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        u1 = np.float64(np.int64(x >> np.uint64(11)) + 1) * 1.1102230246251565e-16
        t_new = t - np.log(u1) / a0
        if t_new > t_end:
            break
        if events >= max_events:
            status = 1
            break
        x, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        r = np.float64(np.int64(x >> np.uint64(11))) * 1.1102230246251565e-16 * a0
        sel = _fire(a, r, n, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta, dep_ptr, dep_idx)
        t = t_new
        events += 1
        if events + 1 > cap:
            cap2 = 2 * cap
            ts2 = np.empty(cap2)
            ns2 = np.empty((cap2, N), dtype=np.int64)
            ch2 = np.empty(cap2, dtype=np.int64)
            ts2[:cap] = ts
            ns2[:cap] = ns
            ch2[:cap] = ch
            ts, ns, ch, cap = ts2, ns2, ch2, cap2
        ts[events] = t
        for i in range(N):
            ns[events, i] = n[i]
        ch[events - 1] = chan_id[sel]
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return ts[:events + 1].copy(), ns[:events + 1].copy(), ch[:events].copy(), status


@njit(cache=True, parallel=True)
def direct_ensemble(n0, times, t_end, c, r_ptr, r_spec, r_mult, d_ptr, d_spec, d_delta,
                    dep_ptr, dep_idx, states, max_events, out, events, status):
    """``runs`` independent paths in parallel; run ``i`` uses ``states[i]`` only.

    Each run's result depends only on its own generator state, so the output is the same for
    any number of threads.
    """
    runs = states.shape[0]
    for i in prange(runs):
        e, s, _ = direct_sampled(n0, times, t_end, c, r_ptr, r_spec, r_mult, d_ptr, d_spec,
                                 d_delta, dep_ptr, dep_idx, states[i], max_events, out[i])
        events[i] = e
        status[i] = s
