r"""Continuous-time Markov chains on finitely many states, given by a sparse generator.

One job: the numerical linear algebra of a master equation :math:`\dot p = Q p`, whatever the
chain describes (the chemical master equation of :mod:`mesothermo.cme`, Schlitter's energy
master equation of :mod:`mesothermo.energy_exchange`, or a chain written by hand).

Convention (stated once, used everywhere in the library): ``Q`` is an (S, S) matrix with
:math:`Q_{ji} \ge 0` the rate of the jump :math:`i \to j` (columns index the source state, rows
the target) and :math:`Q_{ii} = -\sum_{j \ne i} Q_{ji}` minus the rate of leaving :math:`i`, so
that columns sum to zero and :math:`\dot p = Q p` conserves :math:`\sum_i p_i`. A column may sum
to less than zero (probability leaving the state space, as in the finite state projection):
:func:`evolve` honours that leak, while the stationary and first-passage solvers use only the
off-diagonal rates (the leak closed).

- :func:`stationary` — the stationary law :math:`Qp = 0`, by GTH state reduction (log space,
  subtraction-free) or sparse LU; a :class:`StationaryLaw` with the method and its residual.
- :func:`log_stationary` — :math:`\ln p` resolved far below 1e-300 (GTH or scaled LU).
- :func:`evolve` — :math:`p(t) = e^{Qt} p_0` (Krylov-free truncated Taylor, dense
  exponentials or BDF); an :class:`Evolution` with the probability lost through any leak.
- :func:`mean_first_passage_time` — the backward equation :math:`Q^T\tau = -1` off a target set.

:class:`MarkovChain` holds one generator and caches what the solvers share (the rates by edge,
the band ordering, each method's result), for callers such as :class:`mesothermo.CME` that ask
several questions of one chain; the functions above are one-shot wrappers around it.

References
----------
W. K. Grassmann, M. I. Taksar and D. P. Heyman, Oper. Res. 33, 1107 (1985) (GTH).
A. H. Al-Mohy and N. J. Higham, SIAM J. Sci. Comput. 33, 488 (2011) (``expm_multiply``).
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed. (2007), ch. V, XII.
QuantEcon.py, ``quantecon/markov/gth_solve.py`` (the model for one generic solver).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._markov_lu import log_scaled_lu, solve_pinned
from ._validation import check_choice, check_generator, check_times

__all__ = ["StationaryLaw", "Evolution", "MarkovChain", "stationary", "log_stationary",
           "evolve", "mean_first_passage_time"]

#: Round-off below this multiple of ``max(p)`` is clipped to zero after an LU solve; larger
#: negative entries mean the solve failed and raise.
_CLIP_RELATIVE = 1e-10
#: Limit on the band storage (bytes) of the GTH reduction.
_MAX_BAND_BYTES = 1_500_000_000
#: Limit on the states for ``evolve(method="dense")``, which holds several S x S float arrays.
_MAX_DENSE_STATES = 10_000
#: ``method="auto"`` takes GTH when its cost S b^2 is at most this (about a second).
_GTH_COST = 2e8


class StationaryLaw(NamedTuple):
    """The stationary law of a chain and how it was computed.

    Attributes
    ----------
    p : ndarray, shape (S,)
        The law, summing to 1 (read-only).
    log_p : ndarray, shape (S,) or None
        :math:`\\ln p` where the solver computed it in log space (``-inf`` at states the
        stationary chain never visits); ``None`` for the linear-space LU solve.
    method : str
        ``"gth"`` or ``"lu"``.
    residual : float
        For :func:`stationary`: :math:`\\lVert Q p\\rVert_1 / \\max_i |Q_{ii}|` (typically
        1e-16–1e-13). For :func:`log_stationary`: the log-space balance residual
        :math:`\\max_i |\\ln \\mathrm{inflow}_i - \\ln \\mathrm{outflow}_i|`.
    outflow : float or None
        For a truncated lattice (:class:`mesothermo.CME`), the rate at which the truncation
        would let probability leave at this law (the FSP error rate); ``None`` otherwise.
    """

    p: np.ndarray
    log_p: np.ndarray | None
    method: str
    residual: float
    outflow: float | None = None


class Evolution(NamedTuple):
    """A transient law :math:`p(t) = e^{Qt}p_0` at the requested times.

    Attributes
    ----------
    t : ndarray, shape (T,)
    p : ndarray, shape (T, S)
        Round-off negatives (~1e-17) set to zero.
    method : str
        ``"expm"``, ``"dense"`` or ``"bdf"``.
    mass_lost : ndarray, shape (T,)
        :math:`\\sum_i p_i(0) - \\sum_i p_i(t)`: the probability that left through columns
        summing to less than zero (the FSP leak), plus the integrator's round-off.
    """

    t: np.ndarray
    p: np.ndarray
    method: str
    mass_lost: np.ndarray


class MarkovChain:
    r"""One generator :math:`Q` and the solvers that share its preparation.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (S, S)
        The generator in the module's convention (``Q[j, i]`` = rate i -> j). Only the
        off-diagonal rates enter :meth:`stationary`, :meth:`log_stationary` and
        :meth:`mean_first_passage_time`; :meth:`evolve` uses ``Q`` as given, diagonal included.

    Examples
    --------
    A three-state cycle 0 -> 1 -> 2 -> 0 with rates a, b, c has :math:`p \propto (bc, ca, ab)`:

    >>> import numpy as np, scipy.sparse as sp
    >>> a, b, c = 1.0, 2.0, 4.0
    >>> Q = sp.csr_matrix(np.array([[-a, 0, c], [a, -b, 0], [0, b, -c]]))
    >>> MarkovChain(Q).stationary().p.round(6).tolist()
    [0.571429, 0.285714, 0.142857]
    """

    def __init__(self, Q):
        self.Q = check_generator(Q)
        S = self.Q.shape[0]
        off = self.Q - sp.diags(self.Q.diagonal())
        off = sp.csr_matrix(off)
        off.eliminate_zeros()
        self._offdiag = off
        self._exit = np.asarray(off.sum(axis=0)).ravel()          # rate of leaving, in the chain
        self._conservative = (off - sp.diags(self._exit)).tocsr()
        self.S = S
        self._edge_cache = None
        self._band_cache = None
        self._cache: dict = {}

    # -- shared preparation ---------------------------------------------------------------------
    @property
    def conservative_generator(self) -> sp.csr_matrix:
        """``Q`` with its diagonal replaced by minus the off-diagonal column sums (no leak)."""
        return self._conservative

    def edges(self):
        """``(target, source, rate)`` of the positive off-diagonal rates (cached)."""
        if self._edge_cache is None:
            coo = self._offdiag.tocoo()
            keep = coo.data > 0
            self._edge_cache = (coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64),
                                coo.data[keep])
        return self._edge_cache

    def band(self):
        """``(inverse permutation or None, bandwidth b)`` of the better state order (cached).

        The natural order or reverse Cuthill–McKee, whichever gives the smaller band.
        """
        if self._band_cache is None:
            from scipy.sparse.csgraph import reverse_cuthill_mckee
            tgt, src, _ = self.edges()
            if tgt.size == 0:
                self._band_cache = (None, 0)
                return self._band_cache
            b_nat = int(np.max(np.abs(tgt - src)))
            if b_nat <= 2:
                self._band_cache = (None, b_nat)
                return self._band_cache
            S = self.S
            pattern = sp.csr_matrix((np.ones(tgt.size), (tgt, src)), shape=(S, S))
            perm = reverse_cuthill_mckee((pattern + pattern.T).tocsr(), symmetric_mode=True)
            inv = np.empty(S, np.int64)
            inv[perm] = np.arange(S)
            b_rcm = int(np.max(np.abs(inv[tgt] - inv[src])))
            self._band_cache = (inv, b_rcm) if b_rcm < b_nat else (None, b_nat)
        return self._band_cache

    def choose_method(self, method: str) -> str:
        """Resolve ``"auto"``: GTH when :math:`S b^2 \\le 2\\times10^8` and the band fits."""
        check_choice(method, ("auto", "gth", "lu"))
        if method != "auto":
            return method
        if self.S > _GTH_COST:
            return "lu"
        b = self.band()[1]
        small = self.S * float(b) ** 2 <= _GTH_COST and 8 * self.S * (2 * b + 1) <= _MAX_BAND_BYTES
        return "gth" if small else "lu"

    # -- stationary law -------------------------------------------------------------------------
    def stationary(self, method: str = "auto", anchor: int | None = None) -> StationaryLaw:
        r"""The stationary law of the chain (leak closed): :math:`Q p = 0`, :math:`\sum p = 1`.

        ``"gth"``: :math:`p = \exp` of :meth:`log_stationary` by GTH state reduction —
        subtraction-free, so every :math:`p_i` carries a small *relative* error whatever the
        conditioning; exact to round-off for one-step chains; the right choice for multistable
        chains. ``"lu"``: the equation of state ``anchor`` (default 0) is replaced by
        :math:`p_k = 1` and the system factorised by SuperLU (minimum-degree ordering on
        :math:`Q^T + Q`, diagonal pivots), then normalised; if the ratios overflow, the solve
        is repeated anchored at the largest entry. Caveat: for a metastable chain the pivots
        suffer cancellation and basin weights can be wrong by orders of magnitude at a
        round-off residual; use ``"gth"`` there. ``"auto"``: GTH when affordable.

        Raises ``RuntimeError`` when the residual exceeds 1e-8 or LU returns a negative entry
        above ``1e-10 * max(p)``: the chain is then reducible (several closed classes) and its
        stationary law is not unique.
        """
        chosen = self.choose_method(method)
        key = ("p", chosen, anchor)
        if key in self._cache:
            return self._cache[key]
        A = self._conservative
        log_p = None
        if self.S == 1:
            p = np.ones(1)
        elif chosen == "gth":
            log_p = self.log_stationary("gth").log_p
            p = np.exp(log_p)
            p /= p.sum()
        else:
            k = 0 if anchor is None else int(anchor)
            for _attempt in range(3):
                x = solve_pinned(A, k)
                finite = np.isfinite(x)
                if finite.all() and np.max(np.abs(x)) < 1e250:
                    break
                k = int(np.argmax(np.where(finite, np.abs(x), np.inf)))
            p = x / x.sum()
            neg = p < 0
            if np.any(neg):
                worst = -p[neg].min()
                if worst > _CLIP_RELATIVE * np.max(np.abs(p)):
                    raise RuntimeError(f"the stationary solve returned a negative probability "
                                       f"{-worst:.3g}; the chain may be reducible.")
                p[neg] = 0.0
                p /= p.sum()
        diag = np.max(np.abs(A.diagonal())) or 1.0
        res = float(np.abs(A @ p).sum() / diag)
        if not np.isfinite(res) or res > 1e-8:
            raise RuntimeError(f"the stationary solve has residual {res:.3g} (relative); the "
                               "chain may be reducible (several closed classes).")
        p.setflags(write=False)
        law = StationaryLaw(p=p, log_p=log_p, method=chosen, residual=res)
        self._cache[key] = law
        return law

    def log_stationary(self, method: str = "auto", anchor: int | None = None) -> StationaryLaw:
        r""":math:`\ln p` of the stationary law, resolved far below 1e-300.

        ``"gth"``: GTH reduction on the banded rates (natural or RCM order, band :math:`b`),
        log-space back-substitution; for a one-step chain this is exactly the product formula
        :math:`\ln p_{n+1} - \ln p_n = \ln r^\uparrow(n) - \ln r^\downarrow(n+1)`. Cost
        :math:`O(S b^2)` time, :math:`8S(2b+1)` bytes. ``"lu"``: sparse LU in a scaled basis
        :math:`D^{-1}QD`, :math:`D = \mathrm{diag}(e^g)`, with :math:`g` set to :math:`\ln p`
        where a solve resolves it and extended into the underflowed tail by local ratios,
        re-solved until every scaled entry lies in [1e-290, 1e290] (two solves in the tested
        cases). The result's ``residual`` is the log-space balance residual.
        """
        chosen = self.choose_method(method)
        key = ("log", chosen, anchor)
        if key in self._cache:
            return self._cache[key]
        S = self.S
        if S == 1:
            logp, res = np.zeros(1), 0.0
        else:
            tgt, src, rate = self.edges()
            if tgt.size == 0:
                raise RuntimeError("the chain has no transitions; its stationary law is not "
                                   "unique.")
            if chosen == "gth":
                logp = self._log_gth(tgt, src, rate)
            else:
                logp = self._log_scaled_lu(tgt, src, rate, 0 if anchor is None else int(anchor))
            finite = np.isfinite(logp)
            if not finite.any():
                raise RuntimeError("log_stationary failed: no state has positive probability.")
            top = logp[finite].max()
            logp = logp - (top + np.log(np.sum(np.exp(logp[finite] - top))))
            inflow = np.full(S, -np.inf)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.logaddexp.at(inflow, tgt, logp[src] + np.log(rate))
                out = logp + np.log(self._exit)
                r = np.abs(inflow - out)[finite]
            res = float(r.max()) if r.size else 0.0
        logp.setflags(write=False)
        p = np.exp(logp)
        p.setflags(write=False)
        law = StationaryLaw(p=p, log_p=logp, method=chosen, residual=res)
        self._cache[key] = law
        return law

    def _log_gth(self, tgt, src, rate) -> np.ndarray:
        from ._gth_kernel import gth_banded_log  # numba: imported when first needed
        inv, b = self.band()
        S = self.S
        nbytes = 8 * S * (2 * b + 1)
        if nbytes > _MAX_BAND_BYTES:
            raise MemoryError(f"the GTH reduction needs {nbytes / 1e9:.1f} GB of band storage "
                              f"(S = {S}, band {b}); use method='lu'.")
        if inv is not None:
            tgt, src = inv[tgt], inv[src]
        Qb = np.zeros((S, 2 * b + 1))
        np.add.at(Qb, (src, tgt - src + b), rate)  # Qb[i, j - i + b] = rate i -> j
        logp = gth_banded_log(Qb, b)
        return logp if inv is None else logp[inv]

    def _log_scaled_lu(self, tgt, src, rate, anchor: int) -> np.ndarray:
        return log_scaled_lu(self._offdiag, self._exit, tgt, src, rate, anchor)

    # -- time evolution -------------------------------------------------------------------------
    def evolve(self, p0, times, method: str = "auto") -> Evolution:
        r"""The transient law :math:`p(t) = e^{Qt}p_0` at ``times`` (``Q`` as given, leak kept).

        ``"expm"``: ``scipy.sparse.linalg.expm_multiply`` (truncated Taylor, tolerance
        2**-53), cost growing like :math:`\lVert Q\rVert_1 t`. ``"dense"``: ``scipy.linalg.expm``
        of :math:`Q\Delta t` per distinct step, for S <= 10,000 and any stiffness.
        ``"bdf"``: ``solve_ivp`` (BDF with the exact sparse Jacobian, ``rtol=1e-10,
        atol=1e-14``), which keeps the linear invariant :math:`\sum p` exactly. ``"auto"``:
        expm when :math:`\lVert Q\rVert_1 t_{\max} \le 5000`, else dense when S <= 2000, else
        BDF.
        """
        return _evolve(self.Q, p0, times, method)

    # -- first passage --------------------------------------------------------------------------
    def mean_first_passage_time(self, target, p0=None):
        r"""Mean first-passage time :math:`\tau` into the set ``target``: the backward equation.

        :math:`\sum_j Q_{ji}\tau_j = -1` for :math:`i \notin T`, :math:`\tau_i = 0` on
        :math:`T` (:math:`Q^T\tau = -1` off :math:`T`), solved by one sparse LU with the
        leak closed. States from which :math:`T` is not reached almost surely get ``inf``.
        The relative error is roughly :math:`10^{-16}\tau\max_i|Q_{ii}|`.

        Parameters
        ----------
        target : array_like of bool, shape (S,)
            The set :math:`T`; must not be empty.
        p0 : array_like, shape (S,), optional
            A law of the starting state: return :math:`\sum_i p_0(i)\tau_i` instead.

        Returns
        -------
        ndarray, shape (S,), or float
        """
        from scipy.sparse.csgraph import breadth_first_order
        from scipy.sparse.linalg import spsolve

        S = self.S
        try:
            mask = np.asarray(target)
        except (TypeError, ValueError):
            mask = None
        if mask is None or mask.dtype != bool or mask.shape != (S,):
            got = (f"shape {mask.shape} of dtype {mask.dtype}" if mask is not None
                   else repr(target))
            raise ValueError(f"`target` must be a boolean mask of shape ({S},) over the "
                             f"states; got {got}.")
        if not mask.any():
            raise ValueError("`target` is empty: no state is in the target set.")
        if p0 is not None:
            p0 = _check_law(p0, S, "p0")

        def reaching(sources, edges_from):
            """States from which a jump path (along ``edges_from``) leads into ``sources``."""
            coo = edges_from.tocoo()           # coo[m, n]: a jump n -> m; as a graph, m -> n
            src = np.flatnonzero(sources)
            G = sp.csr_matrix((np.ones(coo.nnz + src.size),
                               (np.concatenate([coo.row, np.full(src.size, S)]),
                                np.concatenate([coo.col, src]))), shape=(S + 1, S + 1))
            found = np.zeros(S + 1, bool)
            found[breadth_first_order(G, S, directed=True, return_predecessors=False)] = True
            return found[:S]

        off = self._offdiag
        free = ~mask
        stuck = free & ~reaching(mask, off)
        tau = np.zeros(S)
        good = free.copy()
        if stuck.any():
            keep = sp.diags(free.astype(float))
            doomed = reaching(stuck, keep @ off @ keep) & free
            tau[doomed] = np.inf
            good &= ~doomed
        if good.any():
            AT = self._conservative.T.tocsr()[good][:, good].tocsc()
            sol = np.atleast_1d(spsolve(AT, -np.ones(int(good.sum()))))
            if not np.all(np.isfinite(sol)) or np.any(sol < 0):
                raise RuntimeError("the mean first-passage solve failed (non-finite or negative "
                                   "times): the restricted backward equation is too ill-"
                                   "conditioned (tau times the largest rate near 1e16?).")
            tau[good] = sol
        if p0 is None:
            return tau
        on = p0 > 0                    # 0 * inf must not count
        return float(p0[on] @ tau[on])


# -- one-shot functions ------------------------------------------------------------------------
def stationary(Q, method: str = "auto", anchor: int | None = None) -> StationaryLaw:
    """The stationary law of the generator ``Q``; see :meth:`MarkovChain.stationary`."""
    return MarkovChain(Q).stationary(method, anchor)


def log_stationary(Q, method: str = "auto", anchor: int | None = None) -> StationaryLaw:
    """:math:`\\ln p` of the stationary law of ``Q``; see :meth:`MarkovChain.log_stationary`."""
    return MarkovChain(Q).log_stationary(method, anchor)


def evolve(Q, p0, times, method: str = "auto") -> Evolution:
    """:math:`p(t) = e^{Qt}p_0` at ``times``; see :meth:`MarkovChain.evolve`."""
    return _evolve(check_generator(Q), p0, times, method)


def mean_first_passage_time(Q, target, p0=None):
    """Mean first-passage times into ``target``; see :meth:`MarkovChain.mean_first_passage_time`."""
    return MarkovChain(Q).mean_first_passage_time(target, p0)


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _evolve(Q: sp.csr_matrix, p0, times, method: str) -> Evolution:
    """The body of :meth:`MarkovChain.evolve` (``Q`` already checked)."""
    S = Q.shape[0]
    p0 = _check_law(p0, S, "p0")
    t = check_times(times)
    check_choice(method, ("auto", "expm", "dense", "bdf"))
    A = Q.tocsc()
    S = S
    if method == "auto":
        norm = float(np.max(np.abs(A).sum(axis=0)))
        method = ("expm" if norm * t[-1] <= 5000.0 else "dense" if S <= 2000 else "bdf")
    if method == "dense" and S > _MAX_DENSE_STATES:
        raise ValueError(
            f"`method`='dense' needs S x S dense matrices ({8e-9 * S ** 2:.1f} GB each for "
            f"S = {S}); it is limited to {_MAX_DENSE_STATES} states. Use method='expm' or "
            "'bdf' (or 'auto').")
    out = np.empty((t.size, S))
    if method == "bdf" and t[-1] > 0:
        from scipy.integrate import solve_ivp
        sol = solve_ivp(lambda _t, p: A @ p, (0.0, float(t[-1])), p0, method="BDF", jac=A,
                        t_eval=t, rtol=1e-10, atol=1e-14)
        if not sol.success:  # pragma: no cover
            raise RuntimeError(f"evolve(method='bdf') failed: {sol.message}")
        out[:] = sol.y.T
    elif method == "bdf":
        out[:] = p0
    elif method == "dense":
        from scipy.linalg import expm
        Ad = A.toarray()
        cache: dict = {}
        cur, tcur = p0, 0.0
        for j, tj in enumerate(t):
            if tj > tcur:
                key = float(f"{tj - tcur:.12g}")  # equal steps (to 1e-12) share one expm
                if key not in cache:
                    cache[key] = expm(Ad * (tj - tcur))
                cur = cache[key] @ cur
                tcur = tj
            out[j] = cur
    else:
        from scipy.sparse.linalg import expm_multiply
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
            dt = np.diff(t)
            if t.size > 2 and np.allclose(dt, dt[0], rtol=1e-12, atol=0) and dt[0] > 0:
                start = (expm_multiply(A, p0, start=0.0, stop=t[0], num=2,
                                       endpoint=True)[-1] if t[0] > 0 else p0)
                out[:] = expm_multiply(A, start, start=0.0, stop=t[-1] - t[0], num=t.size,
                                       endpoint=True)
            else:
                cur, tcur = p0, 0.0
                for j, tj in enumerate(t):
                    if tj > tcur:
                        cur = expm_multiply(A * (tj - tcur), cur)
                        tcur = tj
                    out[j] = cur
    np.maximum(out, 0.0, out=out)  # round-off of order 1e-17 * max
    return Evolution(t=t, p=out, method=method, mass_lost=p0.sum() - out.sum(axis=1))


def _check_law(p, S: int, name: str) -> np.ndarray:
    if p is None:
        raise TypeError(f"`{name}` must be an array of shape ({S},), a probability law.")
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array of probabilities of shape ({S},).") from None
    if arr.shape != (S,):
        raise ValueError(f"`{name}` must have shape ({S},), one value per state; got shape "
                         f"{arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite.")
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative (a probability law).")
    return arr
