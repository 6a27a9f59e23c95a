r"""Exact integer linear algebra for reaction networks: ranks and integer null-space bases.

The structural numbers of chemical reaction network theory (the rank :math:`s` of the
stoichiometric subspace, the deficiency :math:`\delta = c - \ell - s`, the number of independent
reaction cycles :math:`M - s`) are integers that a floating-point rank can get wrong for large or
ill-scaled stoichiometries. Both functions here row-reduce over the rationals
(:class:`fractions.Fraction`), so the answers are exact. :mod:`mesothermo.network` (conservation
laws) and :mod:`mesothermo.crnt` (ranks, deficiency, Wegscheider cycles) share them.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = ["exact_rank", "integer_null_space"]


def _as_integer_matrix(A, name: str) -> np.ndarray:
    arr = np.asarray(A)
    if arr.ndim != 2:
        raise ValueError(f"`{name}` must be a 2-D integer matrix; got shape {arr.shape}.")
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(f"`{name}` must hold integers; got dtype {arr.dtype}.")
    return arr.astype(np.int64)


def _rref(A: np.ndarray) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form over the rationals and the pivot columns."""
    m, ncols = A.shape
    rows = [[Fraction(int(v)) for v in row] for row in A]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        if r == m:
            break
        p = next((i for i in range(r, m) if rows[i][c] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        piv = rows[r][c]
        rows[r] = [v / piv for v in rows[r]]
        for i in range(m):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        pivots.append(c)
        r += 1
    return rows[:r], pivots


def exact_rank(A) -> int:
    """Rank of an integer matrix, computed exactly (rational row reduction).

    Parameters
    ----------
    A : array_like of int, shape (m, n)

    Returns
    -------
    int
    """
    A = _as_integer_matrix(A, "A")
    return len(_rref(A)[1])


def integer_null_space(A) -> np.ndarray:
    r"""An integer basis of the right null space :math:`\{v : A v = 0\}`.

    One basis vector per free column of the reduced row echelon form (1 in that column, 0 in
    the other free columns), scaled to the smallest integers (coprime entries) with a positive
    first non-zero entry.

    Parameters
    ----------
    A : array_like of int, shape (m, n)

    Returns
    -------
    ndarray of int64, shape (n - rank, n)
        The basis vectors as rows.

    Examples
    --------
    >>> integer_null_space([[1, 1, -2]]).tolist()
    [[1, -1, 0], [2, 0, 1]]
    """
    A = _as_integer_matrix(A, "A")
    ncols = A.shape[1]
    rows, pivots = _rref(A)
    basis = []
    for f in (c for c in range(ncols) if c not in pivots):
        v = [Fraction(0)] * ncols
        v[f] = Fraction(1)
        for i, pc in enumerate(pivots):
            v[pc] = -rows[i][f]
        den = math.lcm(*(x.denominator for x in v))
        ints = [int(x * den) for x in v]
        g = math.gcd(*ints)
        ints = [x // g for x in ints]
        if next(x for x in ints if x != 0) < 0:
            ints = [-x for x in ints]
        basis.append(ints)
    return np.array(basis, dtype=np.int64).reshape(len(basis), ncols)
