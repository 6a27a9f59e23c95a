r"""Gillespie's direct method in plain Python: the path for general rate laws and the yardstick.

:func:`reference_path` runs the algorithm of :mod:`mesothermo.ssa` on the same xoshiro256+
uniforms as the compiled kernels, in the same order, with the same floating-point operations,
so that a seed gives the same path event by event whichever method runs it (tested in
``tests/test_ssa.py``). Its propensities :math:`r_{\pm\ell}(n)` come from
:class:`PathPropensities`, which evaluates exactly what :meth:`Network.propensities` does for
one state (Kurtz's mass action :math:`c_\ell\prod_i (n_i)_{\nu_{\ell i}}` with
:math:`c_\ell = k_\ell V^{1-\mathrm{order}_\ell}`, or the reaction's own law) but with the
constants and the falling-factorial pattern prepared once per path, in plain floats: the
array version costs about 0.1 ms per event in NumPy's per-call overheads, which is most of
a general-law ensemble's time (DSMTS case 00035 of the SBML tests).

:func:`raise_status` turns the kernels' status codes into the errors ``simulate`` raises.
"""

from __future__ import annotations

import math

import numpy as np

from . import _ssa_kernel as _k

__all__ = ["PathPropensities", "raise_status", "reference_path"]


def raise_status(status: int, max_events: int, t: float, t_end: float) -> None:
    """Raise the error of a kernel status; ``t`` is NaN when the stopping time is unknown."""
    when = f" by t={t:.6g}" if math.isfinite(t) else ""
    at = f" at t={t:.6g}" if math.isfinite(t) else ""
    if status == _k.STATUS_MAX_EVENTS:
        raise RuntimeError(
            f"`max_events`={max_events} events were simulated{when}, before `t_end`="
            f"{t_end:g}: the path runs away (counts growing without bound?) or needs a larger "
            "`max_events`.")
    if status == _k.STATUS_NONFINITE:
        raise FloatingPointError(
            f"the total propensity became non-finite{at} (overflow of the mass-action "
            "rates): the counts grew beyond what float64 can rate; check the constants and `V`.")


class PathPropensities:
    """The :math:`2M` propensities of ``net`` at volume ``V``, one state at a time.

    ``self(n, t)`` returns ``[r_{+1}(n), ..., r_{+M}(n), r_{-1}(n), ..., r_{-M}(n)]`` as floats,
    bit-identical to :func:`mesothermo._kinetics.propensities` (same constants, same products in
    the same order), and raises ``ValueError`` naming the channel, time and state when one is
    negative or not finite.
    """

    def __init__(self, net, V: float) -> None:
        self.channels = []    # per channel: ("mass", c, ((species, stoichiometry), ...)) or
        #                       ("law", callable, None)
        for keff, stoich, attr in ((net.effective_k_plus, net.nu_plus, "propensity_plus"),
                                   (net.effective_k_minus, net.nu_minus, "propensity_minus")):
            c = keff * V ** (1.0 - stoich.sum(axis=1))        # as _kinetics.propensities
            for l, rx in enumerate(net.reactions):
                law = getattr(rx, attr)
                if law is not None:
                    self.channels.append(("law", law, None))
                else:
                    pattern = tuple((int(i), int(stoich[l, i])) for i in np.nonzero(stoich[l])[0])
                    self.channels.append(("mass", float(c[l]), pattern))
        self.V = V
        self.has_laws = any(kind == "law" for kind, _, _ in self.channels)

    def __call__(self, n: np.ndarray, t: float) -> list[float]:
        x = n.astype(float)
        counts = x.tolist()
        a = []
        for kind, c, pattern in self.channels:
            if kind == "mass":
                prod = 1.0
                for i, s in pattern:
                    for j in range(s):
                        prod *= max(counts[i] - j, 0.0)
                a.append(c * prod)
                continue
            try:
                v = float(np.asarray(c(x, self.V), float))
            except ValueError as err:
                raise ValueError(f"propensities at t={t:.6g}, n={n.tolist()} are invalid: "
                                 f"{err}") from err
            if not (math.isfinite(v) and v >= 0.0):
                raise ValueError(
                    f"propensities at t={t:.6g}, n={n.tolist()} are invalid: a general rate "
                    "law returned a negative or non-finite rate; rates must be finite and >= 0 "
                    "(Ge–Qian assumption i).")
            a.append(v)
        for j, v in enumerate(a):
            if not (math.isfinite(v) and v >= 0.0):
                raise ValueError(f"the propensity of channel {j} became "
                                 f"{'negative' if v < 0 else v} ({v}) at t={t:.6g}, "
                                 f"n={n.tolist()}; propensities must be finite and >= 0.")
        return a


def reference_path(net, n0, t_end, V, state, times, max_events):
    """Plain-Python direct method from ``n0`` to ``t_end`` with the xoshiro256+ ``state``.

    Returns ``(t, n, channel, events)``: every event when ``times`` is None (``channel`` the
    index ``0 .. 2M-1`` of each firing), else the counts at ``times`` (``channel`` None).
    """
    gen = _k.Xoshiro256Plus(state)
    delta = np.concatenate([net.nu, -net.nu])
    propensities = PathPropensities(net, V)
    n = n0.copy()
    t = 0.0
    events = 0
    every = times is None
    ts, ns, chs = ([0.0], [n.copy()], []) if every else (None, None, None)
    out = None if every else np.empty((len(times), net.N), np.int64)
    k = 0
    K = 0 if every else len(times)
    while True:
        a = propensities(n, t)
        a0 = 0.0
        for v in a:
            a0 += v
        if not a0 < math.inf:
            raise FloatingPointError(f"the total propensity became non-finite at t={t:.6g}.")
        if a0 <= 0.0:
            break
        t_new = t - math.log(gen.uniform_open0()) / a0
        while k < K and times[k] < t_new:
            out[k] = n
            k += 1
        if t_new > t_end:
            break
        if events >= max_events:
            raise_status(_k.STATUS_MAX_EVENTS, max_events, t, t_end)
        r = gen.uniform() * a0
        acc = 0.0
        sel = -1
        for j, v in enumerate(a):
            acc += v
            if acc > r:
                sel = j
                break
        if sel < 0:
            sel = max(j for j, v in enumerate(a) if v > 0.0)
        n = n + delta[sel]
        if (n < 0).any():
            raise ValueError(f"channel {sel} fired at t={t_new:.6g} and drove a count negative "
                             f"({n.tolist()}): a general rate law must vanish when its reactants "
                             "are absent.")
        t = t_new
        events += 1
        if every:
            ts.append(t)
            ns.append(n.copy())
            chs.append(sel)
    if every:
        return (np.array(ts), np.array(ns, dtype=np.int64).reshape(-1, net.N),
                np.array(chs, dtype=np.int64), events)
    while k < K:
        out[k] = n
        k += 1
    return times.copy(), out, None, events
