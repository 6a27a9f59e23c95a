r"""The lattice of a truncated chemical master equation: the states of a box or of one class.

One job: enumerate, without Python loops over states, the copy-number vectors of the box
:math:`0 \le n_i \le n^{\max}_i`, or of the stoichiometric compatibility class
:math:`\{n : Ln = Ln_0\}` within it, and the jump rates between them, for
:class:`mesothermo.CME`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.sparse as sp

__all__ = ["lattice_states", "jump_rates", "MAX_BOX"]

#: Limit on the number of lattice points of the box enumerated when building a CME.
MAX_BOX = 50_000_000


def lattice_states(L: np.ndarray, shape: tuple, max_counts: np.ndarray,
                   class_totals: np.ndarray) -> np.ndarray:
    """States of the box ``0 <= n < shape``, or of the class ``L n = class_totals`` within it.

    Sorted lexicographically (last species fastest). With K conservation laws, K dependent
    species with ``L[:, dep]`` invertible are chosen to minimise the free box, and their counts
    solved for (kept where integral and inside the box).
    """
    N = len(shape)
    K = L.shape[0]
    if K == 0:
        size = math.prod(shape)
        if size > MAX_BOX:
            raise ValueError(f"`max_counts` gives a box of {size} states, more than the "
                             f"limit {MAX_BOX}; reduce `max_counts`.")
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
    if size > MAX_BOX:
        raise ValueError(f"`max_counts` gives {size} candidate states in the class, more "
                         f"than the limit {MAX_BOX}; reduce `max_counts`.")
    free_states = (np.indices([shape[i] for i in free], dtype=np.int64)
                   .reshape(len(free), -1).T)
    rhs = class_totals[None, :] - free_states @ L[:, free].T
    dep_vals = np.linalg.solve(L[:, dep].astype(float), rhs.T.astype(float)).T
    dep_int = np.round(dep_vals).astype(np.int64)
    ok = np.all(np.abs(dep_vals - dep_int) < 1e-6, axis=1)
    ok &= np.all((dep_int >= 0) & (dep_int <= max_counts[dep]), axis=1)
    states = np.empty((int(ok.sum()), N), np.int64)
    states[:, free] = free_states[ok]
    states[:, dep] = dep_int[ok]
    order = np.lexsort(states.T[::-1])
    return np.ascontiguousarray(states[order])


def jump_rates(states: np.ndarray, flat: np.ndarray, strides: np.ndarray,
               max_counts: np.ndarray, nu: np.ndarray, rp: np.ndarray, rm: np.ndarray):
    """The off-diagonal rates between lattice states and the rate of leaving the box.

    ``states`` (S, N) sorted, ``flat = states @ strides`` their mixed-radix box indices,
    ``rp``/``rm`` (S, M) the propensities there. Returns ``(offdiag, leak)``: the CSR matrix
    with ``offdiag[j, i]`` the rate i -> j (channels with the same jump summed) and, per state,
    the total rate of the jumps that leave the box (the finite-state-projection leak). Targets
    inside the box lie in the class, since ``L nu_l = 0``.
    """
    S = states.shape[0]
    rows, cols, vals = [], [], []
    leak = np.zeros(S)
    src = np.arange(S)
    for l in range(nu.shape[0]):
        for sign, r in ((1, rp[:, l]), (-1, rm[:, l])):
            delta = sign * nu[l]
            if not np.any(delta) or not np.any(r > 0):
                continue  # no move (catalytic / chemostat-only reaction) or never fires
            target = states + delta
            inbox = np.all((target >= 0) & (target <= max_counts), axis=1)
            firing = r > 0
            leak += np.where(firing & ~inbox, r, 0.0)
            keep = firing & inbox
            rows.append(np.searchsorted(flat, flat[keep] + delta @ strides))
            cols.append(src[keep])
            vals.append(r[keep])
    rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    vals = np.concatenate(vals) if vals else np.zeros(0)
    off = sp.csr_matrix((vals, (rows, cols)), shape=(S, S))
    off.sum_duplicates()
    return off, leak
