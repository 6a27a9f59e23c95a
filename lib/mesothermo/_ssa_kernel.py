r"""Compiled kernels of Gillespie's direct method for mass-action networks (numba).

The public entry points live in :mod:`mesothermo.ssa`; this module holds only the compiled inner
loops and the random-number generator they share with the pure-Python reference.

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

__all__ = ["Xoshiro256Plus", "direct_every", "direct_sampled", "direct_ensemble",
           "STATUS_OK", "STATUS_MAX_EVENTS", "STATUS_NONFINITE"]

STATUS_OK, STATUS_MAX_EVENTS, STATUS_NONFINITE = 0, 1, 2

_MASK = (1 << 64) - 1
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


class Xoshiro256Plus:
    """Pure-Python xoshiro256+, bit-for-bit the generator of the compiled kernels."""

    def __init__(self, state):
        s = [int(v) & _MASK for v in np.asarray(state, dtype=np.uint64)]
        if len(s) != 4 or not any(s):
            raise ValueError("xoshiro256+ needs four 64-bit words, not all zero.")
        self.s = s

    def next_u64(self) -> int:
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

    def uniform_open0(self) -> float:
        """A double in (0, 1]: the waiting-time uniform."""
        return float((self.next_u64() >> 11) + 1) * _TWO_M53

    def uniform(self) -> float:
        """A double in [0, 1): the channel-selection uniform."""
        return float(self.next_u64() >> 11) * _TWO_M53


@njit(cache=True, inline="always")
def _xoshiro(s0, s1, s2, s3):
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
        x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
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
        x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
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
        x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
        u1 = np.float64(np.int64(x >> np.uint64(11)) + 1) * 1.1102230246251565e-16
        t_new = t - np.log(u1) / a0
        if t_new > t_end:
            break
        if events >= max_events:
            status = 1
            break
        x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
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


# ---------------------------------------------------------------------------------------------
# Kernels generated per network structure (method="compiled")
# ---------------------------------------------------------------------------------------------
# The generic kernels above read the network from CSR arrays, and chasing those indices costs
# more per event than the random numbers and the logarithm together. For long runs a kernel
# written out for one network structure (the stoichiometry of its channels; the constants stay
# arguments) keeps every count and propensity in a local variable and every update in straight
# code, like a hand-written simulator. It performs the same floating-point operations in the same
# order as the generic kernel (left-to-right a0, the same products, the same uniforms), so the
# paths are identical; only the speed differs. Its source is written once to a cache directory
# and numba caches its machine code beside it, so a structure compiles once per machine.

_CODEGEN_VERSION = "2"
_GENERATED: dict = {}


def _cache_dir() -> str:
    import os
    import tempfile

    root = os.environ.get("MESOTHERMO_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "mesothermo")
    path = os.path.join(root, "ssa_kernels")
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".probe{os.getpid()}")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError:
        path = os.path.join(tempfile.gettempdir(), "mesothermo-ssa-kernels")
        os.makedirs(path, exist_ok=True)
    return path


def _falling_expr(j: int, reac_row) -> str:
    """``c_j * ((n_i * (n_i - 1.0)) * n_k)``: the factors multiplied first, then the constant."""
    factors = []
    for i in np.flatnonzero(reac_row):
        for o in range(int(reac_row[i])):
            factors.append(f"n_{i}" if o == 0 else f"(n_{i} - {float(o)!r})")
    if not factors:
        return f"c_{j}"
    prod = factors[0]
    for f in factors[1:]:
        prod = f"({prod} * {f})"
    return f"c_{j} * {prod}"


def _generate_source(reac: np.ndarray, delta: np.ndarray, deps) -> str:
    R, N = reac.shape
    exprs = [_falling_expr(j, reac[j]) for j in range(R)]
    lines: list[str] = []

    def w(indent: int, text: str) -> None:
        lines.append(" " * indent + text)

    def prologue() -> None:
        for j in range(R):
            w(4, f"c_{j} = c[{j}]")
        for i in range(N):
            w(4, f"n_{i} = np.float64(n0[{i}])")
        for j in range(R):
            w(4, f"a_{j} = {exprs[j]}")
        w(4, "s0, s1, s2, s3 = state[0], state[1], state[2], state[3]")
        w(4, "t = 0.0")
        w(4, "events = 0")
        w(4, "status = 0")

    def head_of_step() -> None:
        w(8, "a0 = " + " + ".join(f"a_{j}" for j in range(R)))
        w(8, "if not a0 < np.inf:")
        w(12, "status = 2")
        w(12, "break")
        w(8, "if a0 <= 0.0:")
        w(12, "break")
        w(8, "x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)")
        w(8, "u1 = np.float64(np.int64(x >> np.uint64(11)) + 1) * 1.1102230246251565e-16")
        w(8, "t_new = t - np.log(u1) / a0")

    def fire(every: bool) -> None:
        w(8, "if t_new > t_end:")
        w(12, "break")
        w(8, "if events >= max_events:")
        w(12, "status = 1")
        w(12, "break")
        w(8, "x, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)")
        w(8, "r = np.float64(np.int64(x >> np.uint64(11))) * 1.1102230246251565e-16 * a0")

        def update(j: int, ind: int) -> None:
            for i in np.flatnonzero(delta[j]):
                w(ind, f"n_{i} += {float(delta[j, i])!r}")
            for q in deps[j]:
                w(ind, f"a_{q} = {exprs[q]}")
            if every:
                w(ind, f"sel = {j}")

        # a flat elif chain (no nesting, so any number of channels fits Python's indentation)
        w(8, "acc = a_0")
        for j in range(R):
            test = "acc > r" if j == 0 else f"(acc := acc + a_{j}) > r"
            w(8, f"{'if' if j == 0 else 'elif'} {test}:")
            update(j, 12)
        # r rounded up to a0: the last channel that can fire (as in the generic kernel)
        w(8, "else:")
        for j in range(R - 1, -1, -1):
            w(12, f"{'if' if j == R - 1 else 'elif'} a_{j} > 0.0:")
            update(j, 16)
        w(12, "else:")
        w(16, "break")
        w(8, "t = t_new")
        w(8, "events += 1")

    def store(indent: int, row: str) -> None:
        for i in range(N):
            w(indent, f"out[{row}, {i}] = np.int64(n_{i})")

    w(0, "# Generated by mesothermo._ssa_kernel; do not edit.")
    w(0, "import numpy as np")
    w(0, "from numba import njit, prange")
    w(0, "from mesothermo._ssa_kernel import _xoshiro")
    w(0, "")
    w(0, "")
    w(0, "@njit(cache=True)")
    w(0, "def direct_sampled(n0, times, t_end, c, state, max_events, out):")
    prologue()
    w(4, "k = 0")
    w(4, "K = times.shape[0]")
    w(4, "next_t = times[0] if K > 0 else np.inf")
    w(4, "while True:")
    head_of_step()
    w(8, "if next_t < t_new:")
    w(12, "while k < K and times[k] < t_new:")
    store(16, "k")
    w(16, "k += 1")
    w(12, "next_t = times[k] if k < K else np.inf")
    fire(every=False)
    w(4, "while k < K and status == 0:")
    store(8, "k")
    w(8, "k += 1")
    w(4, "state[0], state[1], state[2], state[3] = s0, s1, s2, s3")
    w(4, "return events, status, t")
    w(0, "")
    w(0, "")
    w(0, "@njit(cache=True)")
    w(0, "def direct_every(n0, t_end, c, chan_id, state, max_events, capacity):")
    prologue()
    w(4, "cap = max(capacity, 16)")
    w(4, "ts = np.empty(cap)")
    w(4, f"out = np.empty((cap, {N}), dtype=np.int64)")
    w(4, "ch = np.empty(cap, dtype=np.int64)")
    w(4, "ts[0] = 0.0")
    store(4, "0")
    w(4, "sel = 0")
    w(4, "while True:")
    head_of_step()
    fire(every=True)
    w(8, "if events + 1 > cap:")
    w(12, "cap2 = 2 * cap")
    w(12, "ts2 = np.empty(cap2)")
    w(12, f"out2 = np.empty((cap2, {N}), dtype=np.int64)")
    w(12, "ch2 = np.empty(cap2, dtype=np.int64)")
    w(12, "ts2[:cap] = ts")
    w(12, "out2[:cap] = out")
    w(12, "ch2[:cap] = ch")
    w(12, "ts, out, ch, cap = ts2, out2, ch2, cap2")
    w(8, "ts[events] = t")
    store(8, "events")
    w(8, "ch[events - 1] = chan_id[sel]")
    w(4, "state[0], state[1], state[2], state[3] = s0, s1, s2, s3")
    w(4, "return ts[:events + 1].copy(), out[:events + 1].copy(), ch[:events].copy(), status")
    w(0, "")
    w(0, "")
    w(0, "@njit(cache=True, parallel=True)")
    w(0, "def direct_ensemble(n0, times, t_end, c, states, max_events, out, events, status):")
    w(4, "for i in prange(states.shape[0]):")
    w(8, "e, s, _ = direct_sampled(n0, times, t_end, c, states[i], max_events, out[i])")
    w(8, "events[i] = e")
    w(8, "status[i] = s")
    return "\n".join(lines) + "\n"


def generated_kernels(reac: np.ndarray, delta: np.ndarray, deps):
    """The module of kernels generated for one network structure (compiled once, cached).

    ``reac`` and ``delta`` are the (R, N) reactant and net-change matrices of the kept channels,
    ``deps[j]`` the ascending list of channels to recompute after channel ``j`` fires.
    """
    import hashlib
    import importlib.util
    import os
    import sys

    src = _generate_source(reac, delta, deps)
    key = hashlib.sha256((_CODEGEN_VERSION + src).encode()).hexdigest()[:20]
    mod = _GENERATED.get(key)
    if mod is not None:
        return mod
    name = f"mesothermo_ssa_{key}"
    path = os.path.join(_cache_dir(), name + ".py")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            fh.write(src)
        os.replace(tmp, path)   # atomic: concurrent writers write the same text
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod     # numba's cache re-imports the module by name
    spec.loader.exec_module(mod)
    _GENERATED[key] = mod
    return mod
