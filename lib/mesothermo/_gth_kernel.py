"""The Grassmann–Taksar–Heyman state reduction on a banded rate matrix, compiled, and its twin.

One job: given the rates of a continuous-time Markov chain stored by band
(``Q[i, j - i + b]`` is the rate i -> j for ``|i - j| <= b``, row convention, diagonal
ignored), return :math:`\\ln p` of its stationary law up to an additive constant. States are
eliminated from the last; every intermediate quantity is a sum of products of non-negative
rates (no subtraction), and the back-substitution

.. math::

    \\ln p_k = \\ln \\sum_{i<k} p_i \\tilde Q_{ik} - \\ln \\sum_{j<k} \\tilde Q_{kj}

runs in log space, so probabilities far below 1e-300 are resolved with a small relative error.

:func:`gth_banded_log` is the numba kernel :mod:`mesothermo.markov` calls;
:func:`gth_banded_log_python` is the same algorithm in plain Python/NumPy, which the tests
compare with it (``tests/test_markov.py``).

Reference: W. K. Grassmann, M. I. Taksar and D. P. Heyman, "Regenerative analysis and steady
state distributions for Markov chains", Oper. Res. 33, 1107 (1985).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["gth_banded_log", "gth_banded_log_python"]


@numba.njit(cache=True)
def gth_banded_log(Q, b):  # pragma: no cover - compiled
    """GTH reduction of the banded rates ``Q`` (modified in place); ln p up to a constant."""
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


def gth_banded_log_python(Q: np.ndarray, b: int) -> np.ndarray:
    """The Python twin of :func:`gth_banded_log` (same operations, NumPy slices per state)."""
    Q = np.array(Q, dtype=float)
    S = Q.shape[0]
    s = np.zeros(S)
    for k in range(S - 1, 0, -1):
        lo = max(0, k - b)
        js = np.arange(lo, k)
        row_k = Q[k, js - k + b]                  # rates k -> j, j < k
        tot = float(row_k.sum())
        s[k] = tot
        if tot <= 0.0:
            continue
        for i in range(lo, k):
            qik = Q[i, k - i + b]
            if qik == 0.0:
                continue
            others = js != i
            Q[i, js[others] - i + b] += (qik / tot) * row_k[others]
    logp = np.empty(S)
    logp[0] = 0.0
    for k in range(1, S):
        if s[k] <= 0.0:
            logp[:k] = -np.inf
            logp[k] = 0.0
            continue
        lo = max(0, k - b)
        terms = [logp[i] + math.log(Q[i, k - i + b]) for i in range(lo, k)
                 if Q[i, k - i + b] > 0.0 and logp[i] > -np.inf]
        if not terms:
            logp[k] = -np.inf
            continue
        m = max(terms)
        logp[k] = m + math.log(sum(math.exp(v - m) for v in terms)) - math.log(s[k])
    return logp
