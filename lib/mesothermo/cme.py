r"""The chemical master equation on a truncated lattice (finite state projection).

The copy numbers :math:`n \in \mathbb{N}^N` of a network evolve as the continuous-time Markov
chain of Ge–Qian's assumptions (i)–(ii) (each reaction direction fires at rate
:math:`r_{\pm\ell}(n)` with exponential waiting times). Its law :math:`p(n, t)` obeys the
chemical master equation, which the seed uses but does not print (van Kampen 2007, ch. V)

.. math::

    \frac{\partial p(n,t)}{\partial t} = \sum_{\ell=1}^{M} \Big[
        r_{+\ell}(n-\nu_\ell)\,p(n-\nu_\ell,t) - r_{+\ell}(n)\,p(n,t)
      + r_{-\ell}(n+\nu_\ell)\,p(n+\nu_\ell,t) - r_{-\ell}(n)\,p(n,t) \Big],

written here as :math:`\dot p = A p` with the generator :math:`A` (columns index the source
state, rows the target). The lattice is truncated to the box :math:`0 \le n_i \le n^{\max}_i`
and, when the network has conservation laws :math:`\nu L^T = 0`, to the one stoichiometric
compatibility class :math:`\{n : L n = L n_0\}` of a given :math:`n_0`.

Truncation (Munsky and Khammash's finite state projection, J. Chem. Phys. 124, 044104, 2006):
a transition from a state in the box to a state outside it is removed from the off-diagonal
part of :math:`A` and kept in the diagonal, so that probability which would leave the box is
lost. The columns of :attr:`CME.generator` therefore sum to minus the rate of leaving the box,
and :math:`\sum_n p(n,t)` decreases by exactly the integrated boundary outflow
:math:`\int_0^t \sum_n p(n,s)\, r_{\rm out}(n)\, ds` (:meth:`CME.boundary_outflow`). The FSP
solution is a lower bound on the true one, and the lost mass bounds its 1-norm error.

For the stationary law the leak is closed instead (a reflecting boundary): the leaking
transitions are also removed from the diagonal, the truncated chain conserves probability and
has a stationary law, and the outflow that the removed transitions would carry,
:meth:`CME.boundary_outflow` evaluated at that law, is the FSP error rate one should keep
small compared with the typical rates of the chain.

References
----------
B. Munsky and M. Khammash, "The finite state projection algorithm for the solution of the
chemical master equation", J. Chem. Phys. 124, 044104 (2006).
W. K. Grassmann, M. I. Taksar and D. P. Heyman, "Regenerative analysis and steady state
distributions for Markov chains", Oper. Res. 33, 1107 (1985) (the GTH algorithm).
A. H. Al-Mohy and N. J. Higham, "Computing the action of the matrix exponential", SIAM J. Sci.
Comput. 33, 488 (2011) (``expm_multiply``).
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed., Elsevier (2007).
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ._validation import (check_choice, check_counts, check_network, check_species, check_times,
                          check_volume)
from .network import Network

__all__ = ["CME"]

#: Round-off below this multiple of ``max(p)`` is clipped to zero in :meth:`CME.stationary`;
#: larger negative entries mean the solve failed and raise.
_CLIP_RELATIVE = 1e-10
#: Limit on the number of lattice points of the box enumerated when building a CME.
_MAX_BOX = 50_000_000
#: Limit on the band storage (bytes) used by :meth:`CME.log_stationary`.
_MAX_BAND_BYTES = 1_500_000_000
#: Limit on the states for ``evolve(method="dense")``, which holds several S x S float arrays.
_MAX_DENSE_STATES = 10_000


def _check_max_counts(max_counts, N: int) -> np.ndarray:
    """One bound per species (an int applies to all), checked as counts are."""
    if isinstance(max_counts, numbers.Integral) and not isinstance(max_counts, bool):
        max_counts = [int(max_counts)] * N
    return check_counts(max_counts, N, "max_counts")


class CME:
    r"""The chemical master equation of ``net`` at volume ``V`` on a truncated lattice.

    Parameters
    ----------
    net : Network
        Mass-action or general rate laws (the propensities are evaluated with
        ``net._propensities_raw``, so callables work).
    V : float
        Volume, > 0. Propensities follow Kurtz's convention (see :mod:`mesothermo.network`).
    max_counts : int or sequence of int, shape (N,)
        The box :math:`0 \le n_i \le` ``max_counts[i]``; an int applies to every species.
    n0 : sequence of int, shape (N,), optional
        A state in the box. Required when the network has conservation laws: the lattice is
        then the compatibility class :math:`\{n : L n = L n_0\}` within the box, where
        :math:`L` = ``net.conservation_laws()`` (see :attr:`conservation_laws` and
        :attr:`class_totals`). Without conservation laws it is only checked, and the whole
        box is used.

    Attributes
    ----------
    states : ndarray of int, shape (S, N)
        The lattice states, in lexicographic order (last species fastest).
    generator : scipy.sparse.csr_matrix, shape (S, S)
        :math:`A` with :math:`\dot p = A p`; column :math:`n` sums to minus the rate of leaving
        the box from :math:`n` (the FSP leak).
    N_states : int
        :math:`S`.
    max_counts : ndarray of int, shape (N,)
        The box; ``shape = tuple(max_counts + 1)`` is the shape of :meth:`to_grid` arrays.
    conservation_laws : ndarray of int, shape (K, N)
        :math:`L`, the integer basis from :meth:`Network.conservation_laws`.
    class_totals : ndarray of int, shape (K,)
        The conserved totals :math:`L n_0` selecting the class (empty when K = 0).
    stationary_residual, log_stationary_residual : float
        Set by :meth:`stationary` and :meth:`log_stationary` (see there).

    Notes
    -----
    The generator is built without Python loops over states: the propensities of all states
    at once, the targets :math:`n \pm \nu_\ell` by index arithmetic on the box (mixed radix)
    and a sorted lookup to class indices. Targets inside the box always lie in the class
    (:math:`L\nu_\ell = 0`), so the only truncation is by the box.

    Examples
    --------
    >>> import mesothermo as mt
    >>> cme = mt.CME(mt.models.immigration_death(k_in=10, k_out=1), V=1.0, max_counts=60)
    >>> p = cme.stationary()
    >>> round(float(cme.mean(p)[0]), 10)
    10.0
    """

    def __init__(self, net: Network, V: float, max_counts, n0=None):
        self.net = check_network(net)
        self.V = check_volume(V)
        N = net.N
        self.max_counts = _check_max_counts(max_counts, N)
        self.shape = tuple(int(m) + 1 for m in self.max_counts)
        L = net.conservation_laws()
        self.conservation_laws = L
        if n0 is None:
            if L.shape[0] > 0:
                laws = "; ".join(_law_text(row, net.species) for row in L)
                raise ValueError(
                    "`n0` is required: the network has conservation laws (" + laws + "), and "
                    "`n0` selects the compatibility class of the lattice.")
            self.n0 = None
        else:
            n0 = check_counts(n0, N, "n0")
            if np.any(n0 > self.max_counts):
                raise ValueError(f"`n0` must lie in the box 0 <= n <= max_counts = "
                                 f"{self.max_counts.tolist()}; got {n0.tolist()}.")
            self.n0 = n0
        self.class_totals = (L @ self.n0).astype(np.int64) if L.shape[0] else np.zeros(0, np.int64)
        self._strides = np.array([int(np.prod(self.shape[i + 1:], dtype=np.int64))
                                  for i in range(N)], np.int64)
        self.states = self._enumerate()
        self.states.setflags(write=False)
        self._flat = self.states @ self._strides
        self._build()
        self._p_stationary: dict = {}
        self._log_p: dict = {}
        self._edge_cache = None
        self._band_cache = None

    # ------------------------------------------------------------------------------------------
    # construction
    # ------------------------------------------------------------------------------------------
    def _enumerate(self) -> np.ndarray:
        """States of the box, or of the class within the box, sorted lexicographically."""
        L, shape, N = self.conservation_laws, self.shape, self.net.N
        K = L.shape[0]
        if K == 0:
            size = math.prod(shape)
            if size > _MAX_BOX:
                raise ValueError(f"`max_counts` gives a box of {size} states, more than the "
                                 f"limit {_MAX_BOX}; reduce `max_counts`.")
            grids = np.indices(shape, dtype=np.int64).reshape(N, -1).T
            return np.ascontiguousarray(grids)
        # Choose K dependent species with L[:, dep] invertible, minimising the free box size.
        best = None
        for dep in itertools.combinations(range(N), K):
            sub = L[:, dep].astype(float)
            if abs(np.linalg.det(sub)) < 0.5:
                continue
            free = [i for i in range(N) if i not in dep]
            size = math.prod(shape[i] for i in free)
            if best is None or size < best[0]:
                best = (size, list(dep), free)
        size, dep, free = best
        if size > _MAX_BOX:
            raise ValueError(f"`max_counts` gives {size} candidate states in the class, more "
                             f"than the limit {_MAX_BOX}; reduce `max_counts`.")
        free_states = (np.indices([shape[i] for i in free], dtype=np.int64)
                       .reshape(len(free), -1).T)
        rhs = self.class_totals[None, :] - free_states @ L[:, free].T
        dep_vals = np.linalg.solve(L[:, dep].astype(float), rhs.T.astype(float)).T
        dep_int = np.round(dep_vals).astype(np.int64)
        ok = np.all(np.abs(dep_vals - dep_int) < 1e-6, axis=1)
        ok &= np.all((dep_int >= 0) & (dep_int <= self.max_counts[dep]), axis=1)
        states = np.empty((int(ok.sum()), N), np.int64)
        states[:, free] = free_states[ok]
        states[:, dep] = dep_int[ok]
        order = np.lexsort(states.T[::-1])
        return np.ascontiguousarray(states[order])

    def _lookup(self, flat_targets: np.ndarray) -> np.ndarray:
        """Class indices of box flat indices (which must be in the class)."""
        return np.searchsorted(self._flat, flat_targets)

    def _build(self) -> None:
        net, V, states = self.net, self.V, self.states
        S = states.shape[0]
        rp, rm = net._propensities_raw(states, V)
        rp = np.asarray(rp, float).reshape(S, net.M)
        rm = np.asarray(rm, float).reshape(S, net.M)
        if not (np.all(np.isfinite(rp)) and np.all(np.isfinite(rm))):
            raise ValueError("the propensities are not finite on the lattice; check the rate "
                             "constants and `max_counts`.")
        self._rp, self._rm = rp, rm
        rows, cols, vals = [], [], []
        leak = np.zeros(S)
        src = np.arange(S)
        for l in range(net.M):
            for sign, r in ((1, rp[:, l]), (-1, rm[:, l])):
                delta = sign * net.nu[l]
                if not np.any(delta) or not np.any(r > 0):
                    continue  # no move (catalytic / chemostat-only reaction) or never fires
                target = states + delta
                inbox = np.all((target >= 0) & (target <= self.max_counts), axis=1)
                firing = r > 0
                leak += np.where(firing & ~inbox, r, 0.0)
                keep = firing & inbox
                rows.append(self._lookup(self._flat[keep] + delta @ self._strides))
                cols.append(src[keep])
                vals.append(r[keep])
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        vals = np.concatenate(vals) if vals else np.zeros(0)
        off = sp.csr_matrix((vals, (rows, cols)), shape=(S, S))
        off.sum_duplicates()
        inside = np.asarray(off.sum(axis=0)).ravel()  # rate of moving within the lattice
        self._offdiag = off
        self._leak = leak
        self._exit_inside = inside
        self._generator = (off - sp.diags(inside + leak)).tocsr()
        self._generator.sort_indices()

    # ------------------------------------------------------------------------------------------
    # basic properties
    # ------------------------------------------------------------------------------------------
    @property
    def N_states(self) -> int:
        """The number S of lattice states."""
        return int(self.states.shape[0])

    @property
    def generator(self) -> sp.csr_matrix:
        r"""The FSP generator :math:`A` (S, S), CSR: :math:`\dot p = A p`.

        :math:`A_{mn}` is the rate of the jump :math:`n \to m`; :math:`A_{nn}` is minus the total
        rate of leaving :math:`n`, including jumps out of the box, so column :math:`n` sums to
        :math:`-r_{\rm out}(n)`, zero away from the boundary.
        """
        return self._generator

    @property
    def reflecting_generator(self) -> sp.csr_matrix:
        """The generator with the boundary closed (leaking jumps suppressed): columns sum to 0.

        This is the chain whose stationary law :meth:`stationary` returns.
        """
        return (self._offdiag - sp.diags(self._exit_inside)).tocsr()

    @property
    def outflow_rates(self) -> np.ndarray:
        r"""Rate :math:`r_{\rm out}(n)` of jumps leaving the box from each state, shape (S,)."""
        return self._leak.copy()

    @property
    def propensities(self):
        """``(r_plus, r_minus)``, each (S, M): the propensities at every lattice state."""
        return self._rp.copy(), self._rm.copy()

    def __repr__(self) -> str:
        cls = (f", class L n = {self.class_totals.tolist()}" if self.class_totals.size else "")
        return (f"CME(species={list(self.net.species)}, V={self.V:g}, "
                f"max_counts={self.max_counts.tolist()}, S={self.N_states}{cls})")

    def index(self, n) -> int:
        """The lattice index of state ``n`` (shape (N,)), so that ``states[index(n)] == n``."""
        n = check_counts(n, self.net.N, "n")
        if np.any(n > self.max_counts):
            raise ValueError(f"`n` must lie in the box 0 <= n <= max_counts = "
                             f"{self.max_counts.tolist()}; got {n.tolist()}.")
        flat = int(n @ self._strides)
        i = int(np.searchsorted(self._flat, flat))
        if i >= self.N_states or self._flat[i] != flat:
            raise ValueError(f"`n` = {n.tolist()} is not in the compatibility class "
                             f"L n = {self.class_totals.tolist()} of this lattice.")
        return i

    def _check_p(self, p, name: str = "p", finite: bool = True) -> np.ndarray:
        if p is None:
            return self.stationary()
        try:
            arr = np.asarray(p, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`{name}` must be an array of probabilities of shape "
                            f"({self.N_states},).") from None
        if arr.shape != (self.N_states,):
            raise ValueError(f"`{name}` must have shape ({self.N_states},), one value per "
                             f"lattice state; got shape {arr.shape}.")
        if finite and not np.all(np.isfinite(arr)):
            raise ValueError(f"`{name}` must be finite.")
        return arr

    # ------------------------------------------------------------------------------------------
    # stationary law
    # ------------------------------------------------------------------------------------------
    def _anchor(self) -> int:
        """A state near a fixed point of the drift, used to pin the normalisation."""
        drift = (self._rp - self._rm) @ self.net.nu  # (S, N)
        total = (self._rp + self._rm).sum(axis=1) + 1e-300
        return int(np.argmin(np.linalg.norm(drift, axis=1) / total))

    def stationary(self, method: str = "auto") -> np.ndarray:
        r"""The stationary law :math:`p^{ss}` of the truncated chain, shape (S,), summing to 1.

        Solves :math:`A_{\rm refl}\, p = 0` (the master equation at stationarity) with the
        reflecting generator (:attr:`reflecting_generator`: the box is closed instead of
        leaking; the FSP error rate of this choice is :meth:`boundary_outflow` at the result).

        ``"gth"``
            :math:`p = \exp` of :meth:`log_stationary` by the GTH state reduction:
            subtraction-free, so every :math:`p(n)` carries a small *relative* error whatever
            the conditioning of the chain. Exact to round-off for one-step (1-D) chains, and
            the right choice for multistable networks at large volume.
        ``"lu"``
            Sparse LU: the equation of an anchor state :math:`k` near a zero of the drift is
            replaced by :math:`p_k = 1`, the system is factorised by SuperLU
            (``scipy.sparse.linalg.splu``, minimum-degree ordering on :math:`A^T + A`,
            diagonal pivots), and the solution normalised; if the anchor is so improbable
            that the ratios overflow, the solve is repeated anchored at the mode. Seconds for
            250,000 states. Caveat: for a metastable chain (several basins separated by
            barriers with escape rates :math:`\sim e^{-V\Delta\phi}`) the pivots suffer
            cancellation and the relative weights of the basins can be wrong by orders of
            magnitude although the residual is at round-off (the Schlögl model at V = 200:
            upper-basin weight 0.99997 by LU, 1.487e-10 exactly); use ``"gth"`` there. No
            cheap a-posteriori test exposes this, so ``"auto"`` prefers GTH wherever it is
            affordable.
        ``"auto"`` (default)
            ``"gth"`` when its cost :math:`S b^2` (band :math:`b`, see :meth:`log_stationary`)
            is at most 2e8, ``"lu"`` otherwise.

        After the solve, the residual :math:`\lVert A_{\rm refl} p\rVert_1 / \max_n |A_{nn}|`
        is stored in :attr:`stationary_residual` (typically 1e-16–1e-13) and the method in
        :attr:`stationary_method`. Negative LU round-off entries, which must be smaller than
        ``1e-10 * max(p)``, are set to zero (a larger one raises, as does a residual above
        1e-8: the truncated chain is then reducible with several closed classes, and its
        stationary law is not unique).

        Returns
        -------
        ndarray, shape (S,)
            A cached read-only array.
        """
        chosen = self._choose_method(method)
        if chosen in self._p_stationary:
            self.stationary_method = chosen
            return self._p_stationary[chosen]
        A = self.reflecting_generator
        S = self.N_states
        if S == 1:
            p = np.ones(1)
        elif chosen == "gth":
            p = np.exp(self.log_stationary("gth"))
            p /= p.sum()
        else:
            k = self._anchor()
            for _attempt in range(3):
                x = self._solve_pinned(A, k)
                finite = np.isfinite(x)
                if finite.all() and np.max(np.abs(x)) < 1e250:
                    break
                k = int(np.argmax(np.where(finite, np.abs(x), np.inf)))
            p = x / x.sum()
            scale = np.max(np.abs(p))
            neg = p < 0
            if np.any(neg):
                worst = -p[neg].min()
                if worst > _CLIP_RELATIVE * scale:
                    raise RuntimeError(f"the stationary solve returned a negative probability "
                                       f"{-worst:.3g}; the truncated chain may be reducible.")
                p[neg] = 0.0
                p /= p.sum()
        diag = np.max(np.abs(A.diagonal())) or 1.0
        res = float(np.abs(A @ p).sum() / diag)
        if not np.isfinite(res) or res > 1e-8:
            raise RuntimeError(f"the stationary solve has residual {res:.3g} (relative); the "
                               "truncated chain may be reducible (several closed classes).")
        self.stationary_residual = res
        self.stationary_method = chosen
        p.setflags(write=False)
        self._p_stationary[chosen] = p
        return p

    # -- shared pieces of the stationary solvers -------------------------------------------------
    def _edges(self):
        """(target, source, rate) of the positive off-diagonal entries, cached."""
        if self._edge_cache is None:
            off = self._offdiag.tocoo()
            keep = off.data > 0
            self._edge_cache = (off.row[keep].astype(np.int64), off.col[keep].astype(np.int64),
                                off.data[keep])
        return self._edge_cache

    def _band(self):
        """(inverse permutation or None, bandwidth b) of the better state order, cached."""
        if self._band_cache is None:
            tgt, src, _ = self._edges()
            self._band_cache = self._band_order(tgt, src) if tgt.size else (None, 0)
        return self._band_cache

    def _choose_method(self, method: str) -> str:
        check_choice(method, ("auto", "gth", "lu"))
        if method != "auto":
            return method
        S = self.N_states
        if S > 2e8:
            return "lu"
        b = self._band()[1]
        small = S * float(b) ** 2 <= 2e8 and 8 * S * (2 * b + 1) <= _MAX_BAND_BYTES
        return "gth" if small else "lu"

    @staticmethod
    def _solve_pinned(A: sp.csr_matrix, k: int) -> np.ndarray:
        """Solve A x = 0 with equation k replaced by x_k = 1 (sparse LU, diagonal pivots).

        The matrix is a (scaled) M-matrix; SuperLU is run in symmetric mode with diagonal
        pivots on the minimum-degree ordering of A^T + A, which keeps the fill of a 2-D lattice
        at ~60 entries per state and needs no row exchanges (the pivots of an M-matrix are
        positive)."""
        S = A.shape[0]
        d = abs(A[k, k]) or 1.0
        keep = np.ones(S)
        keep[k] = 0.0
        A = sp.diags(keep) @ A + sp.csr_matrix(([d], ([k], [k])), shape=(S, S))
        A.eliminate_zeros()
        b = np.zeros(S)
        b[k] = d
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
            try:
                lu = spla.splu(A.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                               options={"SymmetricMode": True})
            except RuntimeError as err:  # exactly singular
                raise RuntimeError("the pinned stationary system is singular: the truncated "
                                   "chain is reducible (transient states, or several closed "
                                   "classes); method='gth' handles transient states.") from err
            return lu.solve(b)

    def log_stationary(self, method: str = "auto") -> np.ndarray:
        r""":math:`\ln p^{ss}(n)`, shape (S,), resolved far below 1e-300.

        The stationary law of the reflecting chain (as :meth:`stationary`), computed so that no
        probability underflows. Two methods:

        ``"gth"``
            The Grassmann–Taksar–Heyman state reduction on the banded rate matrix (states
            ordered lexicographically or by reverse Cuthill–McKee, whichever gives the smaller
            band :math:`b`). States are eliminated from the last; every intermediate quantity
            is a sum of products of non-negative rates (no subtraction, so each has a small
            relative error), and the back-substitution
            :math:`\ln p_k = \ln\sum_{i<k} p_i \tilde Q_{ik} - \ln \sum_{j<k}\tilde Q_{kj}`
            runs in log space. For a one-step chain (one species, or a one-dimensional class
            with steps between neighbours) :math:`b = 1` and this is exactly the product formula

            .. math::

                \ln p(n+1) - \ln p(n) = \ln r^{\uparrow}(n) - \ln r^{\downarrow}(n+1).

            Cost :math:`O(S b^2)` time, :math:`8 S (2b+1)` bytes.
        ``"lu"``
            Sparse LU (as in :meth:`stationary`) in a scaled basis. With
            :math:`D = \mathrm{diag}(e^{g})` the stationary vector of :math:`D^{-1} A D` is
            :math:`q = e^{-g} p`. A first solve with :math:`g = 0` resolves :math:`p` wherever
            it exceeds 1e-290; :math:`g` is set to :math:`\ln p` there and extended into the
            underflowed tail, neighbour by neighbour, by the local ratio
            :math:`\ln p_j - \ln p_i \approx \ln A_{ji} - \ln A_{ij}` (exact under detailed
            balance and for one-step chains), or, where there is no reverse jump, by the lower
            bound :math:`p_j \ge p_i A_{ji} / |A_{jj}|`; the scaled system is solved again,
            until every :math:`q` lies in [1e-290, 1e290] (two solves in the tested cases,
            the 250,000-state Brusselator included). The LU factors of these M-matrix
            systems (diagonal pivots) give componentwise-accurate solutions in practice: the
            observed relative error of :math:`\ln p` is below 1e-13 against exact laws, and
            the log-space balance residual is checked.

        ``"auto"`` (default) takes ``"gth"`` when :math:`S b^2 \le 2\times 10^8` (about a
        second) and ``"lu"`` otherwise. The LU caveat of :meth:`stationary` (basin weights of
        metastable chains) applies to ``"lu"`` here as well.

        Returns
        -------
        ndarray, shape (S,)
            :math:`\ln p`, normalised (:math:`\sum e^{\ln p} = 1`); :math:`-\infty` at
            states the stationary chain never visits. Relative accuracy of :math:`\ln p`:
            ~1e-13 (tested against the exact log-Poisson down to :math:`p \approx
            10^{-2500}`). The log-space balance residual
            :math:`\max_n |\ln(\text{inflow}_n) - \ln(\text{outflow}_n)|` is stored in
            :attr:`log_stationary_residual`, the method used in :attr:`log_stationary_method`.
        """
        chosen = self._choose_method(method)
        if chosen in self._log_p:
            self.log_stationary_method = chosen
            return self._log_p[chosen]
        S = self.N_states
        if S == 1:
            logp = np.zeros(1)
            self.log_stationary_residual = 0.0
        else:
            tgt, src, rate = self._edges()
            if tgt.size == 0:
                raise RuntimeError("the truncated chain has no transitions; its stationary "
                                   "law is not unique.")
            if chosen == "gth":
                perm, b = self._band()
                logp = self._log_gth(tgt, src, rate, perm, b)
            else:
                logp = self._log_scaled_lu(tgt, src, rate)
            finite = np.isfinite(logp)
            if not finite.any():
                raise RuntimeError("log_stationary failed: no state has positive probability.")
            top = logp[finite].max()
            logp = logp - (top + np.log(np.sum(np.exp(logp[finite] - top))))
            inflow = np.full(S, -np.inf)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.logaddexp.at(inflow, tgt, logp[src] + np.log(rate))
                out = logp + np.log(self._exit_inside)
                res = np.abs(inflow - out)[finite]
            self.log_stationary_residual = float(res.max()) if res.size else 0.0
        self.log_stationary_method = chosen
        logp.setflags(write=False)
        self._log_p[chosen] = logp
        return logp

    def _band_order(self, tgt, src):
        """The state order (natural or reverse Cuthill–McKee) with the smaller bandwidth."""
        from scipy.sparse.csgraph import reverse_cuthill_mckee
        S = self.N_states
        b_nat = int(np.max(np.abs(tgt - src)))
        if b_nat <= 2:
            return None, b_nat
        pattern = sp.csr_matrix((np.ones(tgt.size), (tgt, src)), shape=(S, S))
        perm = reverse_cuthill_mckee((pattern + pattern.T).tocsr(), symmetric_mode=True)
        inv = np.empty(S, np.int64)
        inv[perm] = np.arange(S)
        b_rcm = int(np.max(np.abs(inv[tgt] - inv[src])))
        return (inv, b_rcm) if b_rcm < b_nat else (None, b_nat)

    def _log_gth(self, tgt, src, rate, inv, b) -> np.ndarray:
        S = self.N_states
        nbytes = 8 * S * (2 * b + 1)
        if nbytes > _MAX_BAND_BYTES:
            raise MemoryError(
                f"log_stationary(method='gth') needs {nbytes / 1e9:.1f} GB of band storage "
                f"(S = {S}, band {b}); use method='lu'.")
        if inv is not None:
            tgt, src = inv[tgt], inv[src]
        Q = np.zeros((S, 2 * b + 1))
        np.add.at(Q, (src, tgt - src + b), rate)  # Q[i, j - i + b] = rate i -> j
        logp = _gth_banded_log(Q, b)
        return logp if inv is None else logp[inv]

    def _log_scaled_lu(self, tgt, src, rate) -> np.ndarray:
        S = self.N_states
        exit_ = self._exit_inside
        log_rate = np.log(rate)
        # edges grouped by source, for the frontier sweeps of the extension
        order = np.argsort(src, kind="stable")
        e_src, e_tgt, e_lr = src[order], tgt[order], log_rate[order]
        # ln of the reverse rate j -> i of each edge i -> j (-inf when there is none)
        rev = np.asarray(self._offdiag[e_src, e_tgt]).ravel()
        with np.errstate(divide="ignore"):
            e_rev = np.log(rev)
        indptr = np.searchsorted(e_src, np.arange(S + 1))
        with np.errstate(divide="ignore"):
            log_exit = np.log(exit_)
        g = np.zeros(S)
        lo, hi = np.log(1e-290), np.log(1e290)
        first = True
        for _ in range(30):
            shift = np.clip(g[src] - g[tgt], -700.0, 700.0)
            B = sp.csr_matrix((rate * np.exp(shift), (tgt, src)), shape=(S, S))
            B = (B - sp.diags(exit_)).tocsr()
            k = self._anchor() if first else int(np.argmax(g))
            first = False
            with np.errstate(all="ignore"):
                q = self._solve_pinned(B, k)
                logq = np.log(q)
            trusted = np.isfinite(logq) & (logq >= lo) & (logq <= hi)
            if not trusted[k]:
                raise RuntimeError("log_stationary(method='lu') lost the anchor state.")
            g = np.where(trusted, g + np.where(trusted, logq, 0.0), -np.inf)
            if trusted.all():
                return g
            g = _extend(g, trusted, indptr, e_tgt, e_lr, e_rev, log_exit)
            unreachable = ~np.isfinite(g)
            if unreachable.any():
                g[unreachable] = g[np.isfinite(g)].min() - 700.0
        raise RuntimeError("log_stationary(method='lu') did not converge in 30 scaled solves; "
                           "try method='gth'.")

    # ------------------------------------------------------------------------------------------
    # time evolution
    # ------------------------------------------------------------------------------------------
    def evolve(self, p0, times, method: str = "auto") -> np.ndarray:
        r"""Transient law :math:`p(t) = e^{A t} p_0` at the given times, shape (len(times), S).

        ``p0`` is the law at time 0 (shape (S,), non-negative). The FSP generator is used, so
        probability leaves through the box boundary:

        .. math::

            \sum_n p(n,t) + \int_0^t \sum_n p(n,s)\, r_{\rm out}(n)\,ds = \sum_n p_0(n).

        Parameters
        ----------
        p0 : array_like, shape (S,)
            Initial law, e.g. ``np.eye(cme.N_states)[cme.index(n0)]``.
        times : array_like, shape (T,)
            Non-negative, non-decreasing times.
        method : {"auto", "expm", "dense", "bdf"}
            ``"expm"``: ``scipy.sparse.linalg.expm_multiply`` (Al-Mohy and Higham's truncated
            Taylor method, tolerance 2**-53; the sum is conserved to ~1e-14), whose cost grows
            like :math:`\lVert A\rVert_1 t`, so it suits short times or slow chains.
            ``"dense"``: ``scipy.linalg.expm`` of :math:`A\,\Delta t` for each distinct step
            (scaling and squaring), applied in turn; for S <= 2000 and any stiffness; the sum
            is conserved to ~1e-11 (measured on Schlögl, V = 50, t = 50).
            ``"bdf"``: ``scipy.integrate.solve_ivp`` (BDF, sparse LU of the exact Jacobian,
            ``rtol=1e-10, atol=1e-14``); linear multistep methods keep the linear invariant
            :math:`\sum_n p(n)` exactly, so it is conserved to ~1e-13, and the law agrees with
            the exact exponential to ~1e-9 in the 1-norm. ``"auto"`` takes ``"expm"`` when
            :math:`\lVert A\rVert_1 t_{\max} \le 5000`, else ``"dense"`` when S <= 2000,
            else ``"bdf"``.

        Returns
        -------
        ndarray, shape (T, S)
            Round-off negatives (~1e-17) are set to zero.
        """
        if p0 is None:
            raise TypeError("`p0` must be an array of shape "
                            f"({self.N_states},), the law at time 0.")
        p0 = self._check_p(p0, "p0")
        if np.any(p0 < 0):
            raise ValueError("`p0` must be non-negative (a probability law).")
        t = check_times(times)
        check_choice(method, ("auto", "expm", "dense", "bdf"))
        A = self._generator.tocsc()
        if method == "auto":
            norm = float(np.max(np.abs(A).sum(axis=0))) if self.N_states else 0.0
            if norm * t[-1] <= 5000.0:
                method = "expm"
            elif self.N_states <= 2000:
                method = "dense"
            else:
                method = "bdf"
        if method == "dense" and self.N_states > _MAX_DENSE_STATES:
            raise ValueError(
                f"`method`='dense' needs S x S dense matrices ({8e-9 * self.N_states ** 2:.1f} GB "
                f"each for S = {self.N_states}); it is limited to {_MAX_DENSE_STATES} states. "
                "Use method='expm' or 'bdf' (or 'auto').")
        self.evolve_method = method
        out = np.empty((t.size, self.N_states))
        if method == "bdf" and t[-1] > 0:
            from scipy.integrate import solve_ivp
            sol = solve_ivp(lambda _t, p: A @ p, (0.0, float(t[-1])), p0, method="BDF", jac=A,
                            t_eval=t, rtol=1e-10, atol=1e-14)
            if not sol.success:  # pragma: no cover
                raise RuntimeError(f"evolve(method='bdf') failed: {sol.message}")
            out[:] = sol.y.T
        elif method == "dense":
            from scipy.linalg import expm
            Ad = A.toarray()
            cache: dict = {}
            cur, tcur = p0, 0.0
            for j, tj in enumerate(t):
                if tj > tcur:
                    step = tj - tcur
                    key = float(f"{step:.12g}")  # equal steps (to 1e-12) share one expm
                    if key not in cache:
                        cache[key] = expm(Ad * step)
                    cur = cache[key] @ cur
                    tcur = tj
                out[j] = cur
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
                dt = np.diff(t)
                if t.size > 2 and np.allclose(dt, dt[0], rtol=1e-12, atol=0) and dt[0] > 0:
                    start = (spla.expm_multiply(A, p0, start=0.0, stop=t[0], num=2,
                                                endpoint=True)[-1] if t[0] > 0 else p0)
                    out[:] = spla.expm_multiply(A, start, start=0.0, stop=t[-1] - t[0],
                                                num=t.size, endpoint=True)
                else:
                    cur, tcur = p0, 0.0
                    for j, tj in enumerate(t):
                        if tj > tcur:
                            cur = spla.expm_multiply(A * (tj - tcur), cur)
                            tcur = tj
                        out[j] = cur
        np.maximum(out, 0.0, out=out)  # round-off of order 1e-17 * max
        return out

    # ------------------------------------------------------------------------------------------
    # summaries
    # ------------------------------------------------------------------------------------------
    def marginal(self, i, p=None) -> np.ndarray:
        r"""Marginal law of species ``i`` (index or name), shape (max_counts[i] + 1,).

        :math:`p_i(m) = \sum_{n : n_i = m} p(n)`; ``p=None`` uses :meth:`stationary`.
        """
        i = check_species(i, self.net.species, "i")
        p = self._check_p(p)
        return np.bincount(self.states[:, i], weights=p, minlength=int(self.max_counts[i]) + 1)

    def mean(self, p=None) -> np.ndarray:
        r"""Mean copy numbers :math:`\sum_n n\,p(n)`, shape (N,) (divide by V for x)."""
        p = self._check_p(p)
        return p @ self.states

    def boundary_outflow(self, p=None) -> float:
        r"""Rate at which probability leaves the box, :math:`\sum_n p(n)\,r_{\rm out}(n)`.

        With ``p=None`` (the stationary law of the reflecting chain) this is the FSP error
        rate: the flux that the truncation suppresses. Keep it small compared with the
        chain's typical rates (or the inverse of the time scale of interest).
        """
        p = self._check_p(p)
        return float(p @ self._leak)

    def reaction_flux(self, p=None) -> np.ndarray:
        r"""Net flux of each reaction :math:`J_\ell = \sum_n p(n)\,(r_{+\ell}(n) - r_{-\ell}(n))`,
        shape (M,).

        At a detailed-balanced stationary law every :math:`J_\ell` vanishes (detailed balance,
        whose macroscopic form is Ge–Qian Eq. 9); a nonzero value is the stationary current of
        a driven network.
        """
        p = self._check_p(p)
        return p @ (self._rp - self._rm)

    def mean_first_passage_time(self, target, p0=None):
        r"""Mean first-passage (hitting) time of the set ``target``, by the backward equation.

        The mean time :math:`\tau(n)` for the chain started at :math:`n` to first enter the set
        :math:`T` solves the backward equation, the adjoint of the master equation
        :math:`\dot p = Ap` (van Kampen 2007, ch. XII):

        .. math::

            \sum_{m} A_{mn}\,\tau(m) = -1 \quad (n \notin T), \qquad \tau(n) = 0 \quad (n \in T),

        i.e. :math:`A^T\tau = -1` restricted to the states outside :math:`T`. It is solved
        exactly (one sparse LU, ``scipy.sparse.linalg.spsolve``) with the
        :attr:`reflecting_generator`: the box is closed, not leaking, so a path that would
        leave it stays on the lattice. The seeds print no equation for it; the book uses it
        to test the Arrhenius law :math:`\ln\tau \simeq V\Delta\varphi^{ss}` that follows
        from Ge–Qian Eq. 8, at volumes where simulation cannot wait for a switch.

        For a one-step chain on :math:`0..K` the solution is the classical sum: with
        :math:`\pi_j \propto \prod_{i<j} w_+(i)/w_-(i+1)`, the time to climb from :math:`n_0`
        to :math:`T = \{n \ge m\}` is
        :math:`\tau(n_0) = \sum_{k=n_0}^{m-1} [w_+(k)\pi_k]^{-1}\sum_{j\le k}\pi_j`.

        States from which :math:`T` is not reached with probability one (no path to
        :math:`T`, or a path into a region with none) get :math:`\tau = \infty`. Accuracy is
        limited by conditioning, not cost: the smallest eigenvalue of the restricted
        :math:`A^T` is about :math:`1/\tau`, so the relative error is roughly
        :math:`10^{-16}\,\tau\max_n|A_{nn}|`, and a solve with :math:`\tau\max|A_{nn}|` near
        :math:`10^{16}` has no correct digits.

        Parameters
        ----------
        target : array_like of bool, shape (S,), or callable
            The set :math:`T`: a mask over :attr:`states`, or a function of the states array
            (S, N) returning that mask, e.g. ``lambda n: n[:, 0] >= 40``. Must not be empty.
        p0 : array_like, shape (S,), optional
            A law of the starting state. Default: return :math:`\tau` from every state.

        Returns
        -------
        ndarray, shape (S,), or float
            :math:`\tau(n)` for every lattice state (0 on :math:`T`, ``inf`` where
            :math:`T` is not reached almost surely), in the time unit of the rate constants;
            with ``p0``, the mean :math:`\sum_n p_0(n)\tau(n)`.

        Examples
        --------
        Pure death :math:`X\to\emptyset` at rate :math:`k n`: from :math:`n` to 0 takes
        :math:`\sum_{k=1}^{n} 1/k` on average.

        >>> import mesothermo as mt
        >>> cme = mt.CME(mt.Network.from_string("X -> 0 ; 1"), V=1.0, max_counts=3)
        >>> tau = cme.mean_first_passage_time(lambda n: n[:, 0] == 0)
        >>> round(float(tau[3]), 12)
        1.833333333333
        """
        from scipy.sparse.csgraph import breadth_first_order

        S = self.N_states
        mask = target(self.states) if callable(target) else target
        try:
            mask = np.asarray(mask)
        except (TypeError, ValueError):
            mask = None
        if mask is None or mask.dtype != bool or mask.shape != (S,):
            raise ValueError(f"`target` must be a boolean mask of shape ({S},) over the lattice "
                             "states, or a callable returning one from `states`; got "
                             f"{'shape ' + str(mask.shape) if mask is not None else target!r}"
                             f"{' of dtype ' + str(mask.dtype) if mask is not None else ''}.")
        if not mask.any():
            raise ValueError("`target` is empty: no lattice state is in the target set.")
        if p0 is not None:
            p0 = self._check_p(p0, "p0")
            if np.any(p0 < 0):
                raise ValueError("`p0` must be non-negative (a probability law).")

        def reaching(sources, edges_from):
            """States from which a jump path (along `edges_from`) leads into `sources`."""
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
        # tau is finite where no jump path avoiding T leads to a state that cannot reach T.
        stuck = free & ~reaching(mask, off)
        tau = np.zeros(S)
        good = free.copy()
        if stuck.any():
            leaves_free = sp.diags(free.astype(float)) @ off @ sp.diags(free.astype(float))
            doomed = reaching(stuck, leaves_free) & free
            tau[doomed] = np.inf
            good &= ~doomed
        if good.any():
            AT = self.reflecting_generator.T.tocsr()[good][:, good].tocsc()
            sol = spla.spsolve(AT, -np.ones(int(good.sum())))
            sol = np.atleast_1d(sol)
            if not np.all(np.isfinite(sol)) or np.any(sol < 0):
                raise RuntimeError("the mean first-passage solve failed (non-finite or negative "
                                   "times): the restricted backward equation is too ill-"
                                   "conditioned (tau times the largest rate near 1e16?).")
            tau[good] = sol
        if p0 is None:
            return tau
        on = p0 > 0                    # 0 * inf must not count
        return float(p0[on] @ tau[on])

    def to_grid(self, p) -> np.ndarray:
        """Values on the lattice placed in an array shaped by the box (NaN outside the class).

        ``p`` has shape (S,), any values (``-inf`` from :meth:`log_stationary` included); the
        result has shape ``tuple(max_counts + 1)``, indexed by the copy numbers, e.g.
        ``grid[n_X, n_Y]`` for 2-D plots (``pcolormesh(grid.T)``).
        """
        p = self._check_p(p, finite=False)
        grid = np.full(self.shape, np.nan)
        grid.reshape(-1)[self._flat] = p
        return grid


def _extend(g, known, indptr, e_tgt, e_lr, e_rev, log_exit):
    """Extend ``g`` (ln p where ``known``) to the other states, frontier by frontier.

    Across an edge i -> j with a reverse jump, ln p_j ~ ln p_i + ln A_ji - ln A_ij (the local
    detailed-balance ratio, exact for detailed-balanced and one-step chains); without one, the
    lower bound ln p_j >= ln p_i + ln A_ji - ln|A_jj| (inflow from i alone). The largest
    candidate over the known neighbours is taken."""
    g = g.copy()
    known = known.copy()
    frontier = np.flatnonzero(known)
    while frontier.size:
        starts, stops = indptr[frontier], indptr[frontier + 1]
        lens = stops - starts
        if lens.sum() == 0:
            break
        rep = np.repeat(np.arange(frontier.size), lens)
        edge = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens) + starts[rep]
        j = e_tgt[edge]
        fresh = ~known[j]
        if not fresh.any():
            break
        j, edge, i = j[fresh], edge[fresh], frontier[rep[fresh]]
        cand = g[i] + e_lr[edge] - np.where(np.isfinite(e_rev[edge]), e_rev[edge], log_exit[j])
        new = np.full(g.size, -np.inf)
        np.maximum.at(new, j, cand)
        frontier = np.unique(j)
        g[frontier] = new[frontier]
        known[frontier] = True
    return g


@numba.njit(cache=True)
def _gth_banded_log(Q, b):  # pragma: no cover - compiled
    """GTH state reduction of a banded rate matrix, log-space back-substitution.

    ``Q[i, j - i + b]`` is the rate i -> j (row convention, diagonal ignored); modified in
    place. Returns ln p up to an additive constant.
    """
    S = Q.shape[0]
    s = np.zeros(S)
    for k in range(S - 1, 0, -1):
        lo = max(0, k - b)
        tot = 0.0
        for j in range(lo, k):
            tot += Q[k, j - k + b]
        s[k] = tot
        if tot <= 0.0:
            continue
        for i in range(lo, k):
            qik = Q[i, k - i + b]
            if qik == 0.0:
                continue
            f = qik / tot
            for j in range(lo, k):
                if j != i:
                    qkj = Q[k, j - k + b]
                    if qkj != 0.0:
                        Q[i, j - i + b] += f * qkj
    logp = np.empty(S)
    logp[0] = 0.0
    for k in range(1, S):
        if s[k] <= 0.0:
            # k cannot reach lower states: those are transient (or a separate closed class).
            for i in range(k):
                logp[i] = -np.inf
            logp[k] = 0.0
            continue
        lo = max(0, k - b)
        m = -np.inf
        for i in range(lo, k):
            q = Q[i, k - i + b]
            if q > 0.0 and logp[i] > -np.inf:
                v = logp[i] + np.log(q)
                if v > m:
                    m = v
        if m == -np.inf:
            logp[k] = -np.inf
            continue
        acc = 0.0
        for i in range(lo, k):
            q = Q[i, k - i + b]
            if q > 0.0 and logp[i] > -np.inf:
                acc += np.exp(logp[i] + np.log(q) - m)
        logp[k] = m + np.log(acc) - np.log(s[k])
    return logp


def _law_text(row, species) -> str:
    terms = []
    for c, s in zip(row, species):
        if c:
            terms.append(f"n_{s}" if c == 1 else f"{c} n_{s}")
    return " + ".join(terms).replace("+ -", "- ")
