r"""The mesoscopic free-energy balance on a CME lattice: Ge–Qian Eq. 5.

For a law :math:`p(n)` on the lattice of a :class:`~mesothermo.CME` and a positive reference
law :math:`\pi` (the stationary law), each reaction *channel* :math:`\ell` and lattice edge
:math:`n \to n+\nu_\ell` carries the probability fluxes

.. math::

    J^+_\ell(n) = p(n)\,r_{+\ell}(n), \qquad J^-_\ell(n) = p(n+\nu_\ell)\,r_{-\ell}(n+\nu_\ell).

Channels are not merged: two reactions with the same jump are two channels, each with its own
fluxes. With them (Ge and Qian 2010; Esposito and Van den Broeck 2010)

.. math::

    F &= \sum_n p\ln\frac{p}{\pi}\;\ge 0, \\
    e_p &= \sum_{n,\ell}(J^+_\ell - J^-_\ell)\ln\frac{J^+_\ell}{J^-_\ell}\;\ge 0, \\
    E_{in} &= \sum_{n,\ell}(J^+_\ell - J^-_\ell)
        \ln\frac{\pi(n)\,r_{+\ell}(n)}{\pi(n+\nu_\ell)\,r_{-\ell}(n+\nu_\ell)}, \\
    f_d &= e_p - E_{in} = \sum_{n,\ell}(J^+_\ell - J^-_\ell)
        \ln\frac{p(n)\,\pi(n+\nu_\ell)}{p(n+\nu_\ell)\,\pi(n)},

and the balance (Eq. 5) :math:`dF/dt = E_{in} - e_p = -f_d`, where
:math:`dF/dt = \sum_n (Qp)(n)\ln(p(n)/\pi(n))` is computed from the generator :math:`Q`, not
from the edge sums. Signs: :math:`e_p \ge 0` term by term, :math:`(a-b)\ln(a/b) \ge 0`. For
the other two write :math:`u = p/\pi`, :math:`A = \pi(n)r_{+\ell}(n)`,
:math:`B = \pi(m)r_{-\ell}(m)` with :math:`m = n+\nu_\ell`. Then
:math:`\ln z \ge 1 - 1/z` bounds each edge term of :math:`f_d`,
:math:`(u_nA - u_mB)\ln(u_n/u_m)`, and of :math:`E_{in}`, :math:`(u_nA - u_mB)\ln(A/B)`,
from below by :math:`(A - B)(u_n - u_m)`; summed over the edges this is
:math:`-\sum_n u(n)\,(Q\pi)(n)`, zero when :math:`\pi` is stationary. So :math:`f_d \ge 0` and
:math:`E_{in} \ge 0`, and both need :math:`\pi` to be the stationary law of this chain.
Under detailed balance *per channel*,
:math:`\pi(n)r_{+\ell}(n) = \pi(n+\nu_\ell)r_{-\ell}(n+\nu_\ell)` for every :math:`\ell`, every
log vanishes and :math:`E_{in} = 0` for every :math:`p`.

The chain is the truncated lattice with its boundary closed (the reflecting generator, whose
stationary law :meth:`CME.stationary` returns): a channel edge whose far end lies outside the
box is not part of it. A reaction that changes no species (:math:`\nu_\ell = 0`, e.g. a
futile hydrolysis by a catalyst) is a self-loop: it is absent from the generator but produces
entropy, :math:`e_p` and :math:`E_{in}` both count it, and Eq. 5 still holds.

Zeros: :math:`0\ln 0 = 0` in :math:`F`; an edge with :math:`J^+ = J^- = 0` contributes nothing.
A channel edge with exactly one of the two *rates* zero is not microscopically reversible
(Ge–Qian assumption i) and is refused. An edge with both rates positive but :math:`p = 0` at one
end and :math:`p > 0` at the other has :math:`e_p = f_d = +\infty` and :math:`dF/dt = -\infty`
(e.g. a point mass at :math:`t = 0`: its entropy grows like :math:`-t\ln t`); these are
returned as ``inf``. A numerically evolved law carries round-off of either sign in its tails
(clipped to zero by the solvers), so pass ``floor`` (e.g. 1e-300) to read every entry below
it as ``floor``: each edge touched changes by at most about
:math:`\max(p_{\rm tail})\,r\,\ln(1/\mathrm{floor})`, negligible when the tails are at
round-off.

References
----------
H. Ge and H. Qian, "Physical origins of entropy production, free energy dissipation, and their
mathematical representations", Phys. Rev. E 81, 051133 (2010).
M. Esposito and C. Van den Broeck, "Three faces of the second law. I. Master equation
formulation", Phys. Rev. E 82, 011143 (2010).
H. Ge and H. Qian, arXiv:1601.03159 (2016), Eq. 5.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .._validation import check_nonnegative_real, check_times
from ..cme import CME

__all__ = ["ChannelEdges", "FreeEnergyBalance", "channel_edges", "channel_fluxes",
           "free_energy", "entropy_production", "energy_input", "dissipation", "balance",
           "free_energy_balance"]


class ChannelEdges(NamedTuple):
    """The channel edges :math:`n \\to n + \\nu_\\ell` of a CME lattice (E edges).

    Attributes
    ----------
    source, target : ndarray of int, shape (E,)
        Lattice indices of :math:`n` and :math:`n+\\nu_\\ell` (equal for a reaction that
        changes no species).
    channel : ndarray of int, shape (E,)
        The reaction :math:`\\ell` (``-1`` for edges of merged channels).
    rate_plus, rate_minus : ndarray, shape (E,)
        :math:`r_{+\\ell}(n)` and :math:`r_{-\\ell}(n+\\nu_\\ell)`, both > 0.
    """

    source: np.ndarray
    target: np.ndarray
    channel: np.ndarray
    rate_plus: np.ndarray
    rate_minus: np.ndarray


class FreeEnergyBalance(NamedTuple):
    r"""The terms of Ge–Qian Eq. 5 for a law (or a sequence of laws) on a CME lattice.

    Every field is an array of shape (T,) over the saved times, or shape () for one law.

    Attributes
    ----------
    t : ndarray
        The times (NaN when none were given).
    F : ndarray
        :math:`F = \sum_n p\ln(p/\pi)`, the relative entropy (free energy, :math:`k_BT = 1`).
    dF_dt : ndarray
        :math:`\sum_n (Qp)(n)\ln(p(n)/\pi(n))` from the reflecting generator :math:`Q`.
    e_p : ndarray
        Entropy production rate.
    E_in : ndarray
        Energy input rate (the housekeeping heat).
    f_d : ndarray
        Free-energy dissipation rate :math:`e_p - E_{in}`, computed from its own edge sum.
    residual : ndarray
        :math:`dF/dt - (E_{in} - e_p)`, Eq. 5's defect (0 where both sides are the same
        infinity).
    scale : ndarray
        The round-off scale of ``residual``: the fluxes (and :math:`|Q|p`) times the sizes of
        the logarithms they multiply, summed. Every log carries an error of about
        :math:`\epsilon|\ln|` and every flux difference about :math:`\epsilon` times the
        fluxes, so ``residual`` is round-off when it is below ~1e-13 of ``scale``.
    leak : ndarray
        :math:`\sum_n p(n)\,r_{out}(n)`, the rate at which the finite-state-projection box
        would let probability escape (the closed box suppresses it; keep it small).
    """

    t: np.ndarray
    F: np.ndarray
    dF_dt: np.ndarray
    e_p: np.ndarray
    E_in: np.ndarray
    f_d: np.ndarray
    residual: np.ndarray
    scale: np.ndarray
    leak: np.ndarray


# ---------------------------------------------------------------------------------------------
# the channel edges of a lattice
# ---------------------------------------------------------------------------------------------
_EDGE_CACHE: "weakref.WeakKeyDictionary[CME, dict]" = weakref.WeakKeyDictionary()


def _check_cme(cme) -> CME:
    if not isinstance(cme, CME):
        raise TypeError(f"`cme` must be a mesothermo.CME; got {type(cme).__name__}.")
    return cme


def _lattice_lookup(cme: CME):
    """(flat index of each state, strides): states are sorted lexicographically, so their
    mixed-radix flat indices are increasing and a searchsorted finds any state."""
    shape = np.asarray(cme.max_counts, np.int64) + 1
    strides = np.ones(shape.size, np.int64)
    for i in range(shape.size - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return cme.states @ strides, strides


def channel_edges(cme: CME, merge_channels: bool = False) -> ChannelEdges:
    r"""Every channel edge :math:`n \to n+\nu_\ell` with both ends on the lattice.

    Parameters
    ----------
    cme : CME
        Its network must have every reaction reversible.
    merge_channels : bool
        Sum the rates of channels that join the same pair of states (the coarse description
        by the Markov chain alone, which cannot tell two reactions with the same jump apart).
        The default keeps channels apart, as Eq. 5 needs.

    Returns
    -------
    ChannelEdges
        Edges where both rates vanish are left out. Cached per ``cme``.

    Raises
    ------
    ValueError
        If a reaction is irreversible, or a channel has exactly one of
        :math:`r_{+\ell}(n)`, :math:`r_{-\ell}(n+\nu_\ell)` zero (not microscopically
        reversible there, Ge–Qian assumption i).
    """
    cme = _check_cme(cme)
    key = bool(merge_channels)
    cache = _EDGE_CACHE.setdefault(cme, {})
    if key in cache:
        return cache[key]
    net = cme.net
    net.require_reversible("the mesoscopic free-energy balance (Ge–Qian Eq. 5)")
    flat, strides = _lattice_lookup(cme)
    rp, rm = cme.propensities
    states, top = cme.states, np.asarray(cme.max_counts)
    S = states.shape[0]
    parts = []
    for l in range(net.M):
        nu = np.asarray(net.nu[l], np.int64)
        tgt_state = states + nu
        inbox = np.all((tgt_state >= 0) & (tgt_state <= top), axis=1)
        src = np.flatnonzero(inbox)
        tflat = flat[src] + int(nu @ strides)
        pos = np.searchsorted(flat, tflat)
        pos = np.minimum(pos, S - 1)
        onlat = flat[pos] == tflat                 # in the compatibility class too
        src, tgt = src[onlat], pos[onlat]
        a, b = rp[src, l], rm[tgt, l]
        live = (a > 0) | (b > 0)
        one_sided = live & ((a == 0) | (b == 0))
        if np.any(one_sided):
            k = int(np.flatnonzero(one_sided)[0])
            raise ValueError(
                f"channel {l} ({net.reactions[l].text()}) is not microscopically reversible on "
                f"the edge n = {states[src[k]].tolist()} -> {states[tgt[k]].tolist()}: "
                f"r+(n) = {a[k]:.3g}, r-(n + nu) = {b[k]:.3g}; Eq. 5 needs both positive or "
                "both zero (Ge–Qian assumption i).")
        parts.append((src[live], tgt[live], np.full(int(live.sum()), l), a[live], b[live]))
    src, tgt, ch, a, b = (np.concatenate([q[i] for q in parts]) for i in range(5))
    if merge_channels:
        swap = src > tgt                           # orient each pair low -> high
        src, tgt = np.where(swap, tgt, src), np.where(swap, src, tgt)
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        pair, inv = np.unique(src * S + tgt, return_inverse=True)
        a, b = np.bincount(inv, a, pair.size), np.bincount(inv, b, pair.size)
        src, tgt, ch = pair // S, pair % S, np.full(pair.size, -1)
    edges = ChannelEdges(*(np.ascontiguousarray(v) for v in (src, tgt, ch, a, b)))
    for v in edges:
        v.setflags(write=False)
    cache[key] = edges
    return edges


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------
def _check_p(cme: CME, p, floor: float, mass_tol: float):
    """(t or None, p of shape (T, S), single?) from an array or an Evolution-like object."""
    t = getattr(p, "t", None)
    p = getattr(p, "p", p)
    S = cme.N_states
    try:
        arr = np.array(p, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`p` must be an array of probabilities of shape ({S},) or (T, {S}), "
                        "or an Evolution.") from None
    single = arr.ndim == 1
    if arr.ndim not in (1, 2) or arr.shape[-1] != S:
        raise ValueError(f"`p` must have shape ({S},) or (T, {S}), one value per lattice state; "
                         f"got shape {arr.shape}.")
    arr = arr.reshape(-1, S)
    if not np.all(np.isfinite(arr)):
        raise ValueError("`p` must be finite.")
    if np.any(arr < 0):
        raise ValueError(f"`p` must be non-negative (a probability law); its smallest entry is "
                         f"{arr.min():.3g}. Clip round-off with np.maximum(p, 0).")
    mass = arr.sum(axis=1)
    bad = np.abs(mass - 1.0) > mass_tol
    if np.any(bad):
        raise ValueError(f"`p` must sum to 1 on the lattice (within `mass_tol` = {mass_tol:g}); "
                         f"a law sums to {mass[bad][0]:.12g}. Is it a law on this lattice?")
    if floor > 0:
        np.maximum(arr, floor, out=arr)
    if t is not None:
        t = check_times(np.atleast_1d(t), "p.t")
        if t.size != arr.shape[0]:
            raise ValueError(f"`p.t` has {t.size} times for {arr.shape[0]} laws.")
    return t, arr, single


def _check_log_pi(cme: CME, pi) -> np.ndarray:
    """ln pi of shape (S,), finite, from a StationaryLaw-like object (its ``log_p`` when
    present) or an array of probabilities (default: ``cme.log_stationary()``)."""
    S = cme.N_states
    if pi is None:
        pi = cme.log_stationary()
        return np.asarray(getattr(pi, "log_p", pi), float)
    log_p = getattr(pi, "log_p", None)
    if log_p is not None:
        arr = np.asarray(log_p, float)
        if arr.shape != (S,):
            raise ValueError(f"`pi.log_p` must have shape ({S},); got {arr.shape}.")
        if np.any(np.isnan(arr)) or np.any(arr == np.inf):
            raise ValueError("`pi.log_p` must be finite or -inf.")
    else:
        try:
            raw = np.asarray(getattr(pi, "p", pi), dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`pi` must be an array of shape ({S},), the reference (stationary) "
                            "law, or a StationaryLaw.") from None
        if raw.shape != (S,):
            raise ValueError(f"`pi` must have shape ({S},), one value per lattice state; got "
                             f"shape {raw.shape}.")
        if not np.all(np.isfinite(raw)) or np.any(raw < 0):
            raise ValueError("`pi` must be finite and non-negative (a probability law).")
        with np.errstate(divide="ignore"):
            arr = np.log(raw)
    if not np.all(np.isfinite(arr)):
        raise ValueError("`pi` must be positive on every lattice state (ln pi is needed); "
                         f"{int(np.sum(~np.isfinite(arr)))} states have pi = 0. If it "
                         "underflowed, pass a law with `log_p` (cme.log_stationary()).")
    return arr


# ---------------------------------------------------------------------------------------------
# the balance
# ---------------------------------------------------------------------------------------------
def _edge_sum(j: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    """Sum over edges of j*L with 0*anything = 0, along the last axis."""
    with np.errstate(invalid="ignore"):
        terms = np.where(j == 0, 0.0, j * log_ratio)
    return terms.sum(axis=-1)


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p)


def balance(cme: CME, p, pi=None, *, floor: float = 0.0, mass_tol: float = 1e-8,
            merge_channels: bool = False) -> FreeEnergyBalance:
    r"""All terms of Ge–Qian Eq. 5, :math:`dF/dt = E_{in} - e_p`, for laws on ``cme``'s lattice.

    See the module docstring for the definitions and why :math:`e_p, E_{in}, f_d \ge 0`.
    Vectorised over the lattice's channel edges and over the laws.

    Parameters
    ----------
    cme : CME
        The lattice and its rates; every reaction reversible.
    p : array_like, shape (S,) or (T, S), or an Evolution
        Laws on the lattice: non-negative, each summing to 1 within ``mass_tol``. An object
        with fields ``t`` and ``p`` (``CME.evolve``'s result) supplies the times.
    pi : array_like, shape (S,), or a StationaryLaw, optional
        The reference law, positive on the lattice; for the signs of :math:`E_{in}` it must be
        the stationary law of the closed lattice. A result with ``log_p`` is used in log space
        (no underflow). Default: ``cme.log_stationary()``.
    floor : float
        Entries of ``p`` below it are read as ``floor`` (default 0: none). Use a tiny value
        (1e-300) for numerically evolved laws, whose tails are round-off clipped at 0; see the
        module docstring.
    mass_tol : float
        Allowed :math:`|\sum_n p(n) - 1|`.
    merge_channels : bool
        Merge channels with the same jump (see :func:`channel_edges`): the balance of the
        Markov chain alone, which misses the energy input of a vessel driven through two
        reactions with one jump.

    Returns
    -------
    FreeEnergyBalance
        ``t, F, dF_dt, e_p, E_in, f_d, residual, scale, leak``.

    Examples
    --------
    At the stationary law of a closed, detailed-balanced network every rate vanishes.

    >>> import numpy as np, mesothermo as mt
    >>> from mesothermo import thermo
    >>> cme = mt.CME(mt.models.isomerisation(2.0, 1.0), V=1.0, max_counts=10, n0=[10, 0])
    >>> b = thermo.balance(cme, cme.stationary().p)
    >>> bool(abs(b.e_p) < 1e-12 and abs(b.E_in) < 1e-12 and abs(b.dF_dt) < 1e-12)
    True
    """
    cme = _check_cme(cme)
    floor = check_nonnegative_real(floor, "floor")
    mass_tol = check_nonnegative_real(mass_tol, "mass_tol")
    edges = channel_edges(cme, merge_channels)
    t, P, single = _check_p(cme, p, floor, mass_tol)
    lpi = _check_log_pi(cme, pi)
    src, tgt, a, b = edges.source, edges.target, edges.rate_plus, edges.rate_minus
    lp = _log(P)                                               # (T, S), -inf at p = 0
    Jp, Jm = P[:, src] * a, P[:, tgt] * b                      # (T, E)
    j = Jp - Jm
    lrate = np.log(a) - np.log(b)
    with np.errstate(invalid="ignore"):
        lp_edge = lp[:, src] - lp[:, tgt]                      # nan where both p = 0 (j = 0)
    e_p = _edge_sum(j, lp_edge + lrate)
    E_in = _edge_sum(j, (lpi[src] - lpi[tgt] + lrate)[None, :])
    f_d = _edge_sum(j, lp_edge - (lpi[src] - lpi[tgt])[None, :])
    with np.errstate(invalid="ignore"):
        F = np.where(P > 0, P * (lp - lpi), 0.0).sum(axis=1)
    Q = cme.reflecting_generator
    QP = (Q @ P.T).T                                           # (T, S)
    with np.errstate(invalid="ignore"):
        dterms = np.where(QP == 0, 0.0, QP * (lp - lpi))
    dF = dterms.sum(axis=1)
    rhs = E_in - e_p
    with np.errstate(invalid="ignore"):
        residual = np.where(np.isinf(dF) & (dF == rhs), 0.0, dF - rhs)
    # round-off scale: every log is ln p - ln pi or a rate log with an error ~eps |ln|, and
    # every flux difference (and Qp) an error ~eps times the fluxes it subtracts
    alp = np.where(P > 0, np.abs(lp), 0.0)
    alpi, alr = np.abs(lpi), np.abs(np.log(a)) + np.abs(np.log(b))
    edge_mag = (Jp + Jm) * (alp[:, src] + alp[:, tgt] + (alpi[src] + alpi[tgt] + alr)[None, :])
    node_mag = (abs(Q) @ P.T).T * (alp + alpi)
    scale = edge_mag.sum(axis=1) + node_mag.sum(axis=1)
    leak = P @ cme.outflow_rates
    if t is None:
        t = np.full(P.shape[0], np.nan)
    out = [t, F, dF, e_p, E_in, f_d, residual, scale, leak]
    if single:
        out = [np.asarray(v[0]) for v in out]
    return FreeEnergyBalance(*out)


#: The name used by the chapters' brief; the same function.
free_energy_balance = balance


def free_energy(cme: CME, p, pi=None, **kwargs) -> np.ndarray:
    r""":math:`F = \sum_n p(n)\ln(p(n)/\pi(n))` (Ge–Qian's :math:`F^{(meso)}`, :math:`k_BT=1`).

    Arguments as :func:`balance`; shape (T,) or ().
    """
    return balance(cme, p, pi, **kwargs).F


def entropy_production(cme: CME, p, pi=None, **kwargs) -> np.ndarray:
    r""":math:`e_p = \sum_{n,\ell}(J^+_\ell - J^-_\ell)\ln(J^+_\ell/J^-_\ell) \ge 0` (Eq. 5).

    Arguments as :func:`balance` (``pi`` is not used by :math:`e_p` itself).
    """
    return balance(cme, p, pi, **kwargs).e_p


def energy_input(cme: CME, p, pi=None, **kwargs) -> np.ndarray:
    r""":math:`E_{in} = \sum_{n,\ell}(J^+_\ell - J^-_\ell)\ln\frac{\pi(n)r_{+\ell}(n)}
    {\pi(n+\nu_\ell)r_{-\ell}(n+\nu_\ell)}` (Eq. 5), :math:`\ge 0` for stationary :math:`\pi`.

    Arguments as :func:`balance`.
    """
    return balance(cme, p, pi, **kwargs).E_in


def dissipation(cme: CME, p, pi=None, **kwargs) -> np.ndarray:
    r""":math:`f_d = e_p - E_{in} = -dF/dt \ge 0` (Eq. 5), from its own edge sum.

    Arguments as :func:`balance`.
    """
    return balance(cme, p, pi, **kwargs).f_d


def channel_fluxes(cme: CME, p, merge_channels: bool = False):
    r"""The probability fluxes :math:`(J^+_\ell(n), J^-_\ell(n))` on every channel edge.

    Returns ``(edges, J_plus, J_minus)`` with :class:`ChannelEdges` ``edges`` and fluxes of
    shape (E,) or (T, E) matching ``p``.
    """
    cme = _check_cme(cme)
    edges = channel_edges(cme, merge_channels)
    _, P, single = _check_p(cme, p, 0.0, np.inf)
    Jp, Jm = P[:, edges.source] * edges.rate_plus, P[:, edges.target] * edges.rate_minus
    return (edges, Jp[0], Jm[0]) if single else (edges, Jp, Jm)
