"""Sparse-LU pieces of :mod:`mesothermo.markov`: the pinned stationary solve and its log-space
rescaling for laws that underflow.

One job: solve :math:`Qp = 0` by SuperLU with one equation replaced by a normalisation, in
linear space (:func:`solve_pinned`) or in a scaled basis that resolves probabilities far below
1e-300 (:func:`log_scaled_lu`, with :func:`extend_log_law` guessing the scale of the tail).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

__all__ = ["solve_pinned", "log_scaled_lu", "extend_log_law"]


def solve_pinned(A: sp.csr_matrix, k: int) -> np.ndarray:
    """Solve A x = 0 with equation k replaced by x_k = 1 (sparse LU, diagonal pivots).

    The matrix is a (scaled) M-matrix; SuperLU runs in symmetric mode with diagonal pivots on
    the minimum-degree ordering of A^T + A, which keeps the fill of a 2-D lattice at ~60
    entries per state and needs no row exchanges (the pivots of an M-matrix are positive)."""
    from scipy.sparse.linalg import splu
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
            lu = splu(A.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                      options={"SymmetricMode": True})
        except RuntimeError as err:  # exactly singular
            raise RuntimeError("the pinned stationary system is singular: the chain is "
                               "reducible (transient states, or several closed classes); "
                               "method='gth' handles transient states.") from err
        return lu.solve(b)


def extend_log_law(g, known, indptr, e_tgt, e_lr, e_rev, log_exit):
    """Extend ``g`` (ln p where ``known``) to the other states, frontier by frontier.

    Across an edge i -> j with a reverse jump, ln p_j ~ ln p_i + ln Q_ji - ln Q_ij (the local
    detailed-balance ratio, exact for detailed-balanced and one-step chains); without one, the
    lower bound ln p_j >= ln p_i + ln Q_ji - ln|Q_jj| (inflow from i alone). The largest
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


def log_scaled_lu(offdiag, exit_, tgt, src, rate, anchor: int) -> np.ndarray:
    """ln p of the stationary law by sparse LU in a scaled basis D^{-1} Q D, D = diag(e^g).

    ``offdiag`` (S, S) holds the rates (``offdiag[j, i]``: i -> j), ``exit_`` their column sums,
    ``(tgt, src, rate)`` the positive ones by edge. A first solve resolves p wherever it exceeds
    1e-290; g is set to ln p there and extended into the underflowed tail by local ratios
    (:func:`extend_log_law`), and the scaled system is solved again until every scaled entry
    lies in [1e-290, 1e290].
    """
    S = offdiag.shape[0]
    order = np.argsort(src, kind="stable")
    e_src, e_tgt, e_lr = src[order], tgt[order], np.log(rate)[order]
    rev = np.asarray(offdiag[e_src, e_tgt]).ravel()   # rate of the reverse jump
    with np.errstate(divide="ignore"):
        e_rev = np.log(rev)
        log_exit = np.log(exit_)
    indptr = np.searchsorted(e_src, np.arange(S + 1))
    g = np.zeros(S)
    lo, hi = np.log(1e-290), np.log(1e290)
    k = anchor
    for _ in range(30):
        shift = np.clip(g[src] - g[tgt], -700.0, 700.0)
        B = sp.csr_matrix((rate * np.exp(shift), (tgt, src)), shape=(S, S))
        B = (B - sp.diags(exit_)).tocsr()
        with np.errstate(all="ignore"):
            q = solve_pinned(B, k)
            logq = np.log(q)
        trusted = np.isfinite(logq) & (logq >= lo) & (logq <= hi)
        if not trusted[k]:
            raise RuntimeError("log_stationary(method='lu') lost the anchor state.")
        g = np.where(trusted, g + np.where(trusted, logq, 0.0), -np.inf)
        if trusted.all():
            return g
        g = extend_log_law(g, trusted, indptr, e_tgt, e_lr, e_rev, log_exit)
        unreachable = ~np.isfinite(g)
        if unreachable.any():
            g[unreachable] = g[np.isfinite(g)].min() - 700.0
        k = int(np.argmax(g))
    raise RuntimeError("log_stationary(method='lu') did not converge in 30 scaled solves; "
                       "try method='gth'.")
