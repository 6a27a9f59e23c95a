r"""Particle simulations of Schlitter's energy exchange, two ways (Schlitter Eqs. 5–8).

N particles on the cells of an :class:`~mesothermo.energy_exchange.EnergyGrid` (a jump moves a
particle by :math:`m = \Delta E/h` cells; where it sits inside its cell never changes):

* ``mode="mean_field"``: each particle releases a quantum at rate :math:`w^-` (when
  :math:`E \ge \Delta E`) and takes one up at rate :math:`w^-\hat\varphi`, with
  :math:`\hat\varphi` the current fraction of particles above :math:`\Delta E` (Eq. 8 with the
  empirical law). Uptake and release are independent events: the total energy is conserved
  only on average and diffuses, by :math:`\pm\Delta E` at total rate
  :math:`2w^-N\hat\varphi`, so the mean energy per particle wanders by
  :math:`\Delta E\sqrt{2w^-\varphi t/N}`.
* ``mode="exchange"``: a particle above :math:`\Delta E` passes a quantum, at rate
  :math:`w^-`, to another particle chosen uniformly (one particle's release is another's
  uptake); each particle then takes up at rate :math:`w^-(N\hat\varphi)/(N-1)`, and the total
  energy is conserved in every event.

As :math:`N\to\infty` the empirical law of both converges to the solution of Eqs. 7–8
(propagation of chaos); :func:`distance` measures it. The event loop is compiled
(:mod:`._particles_kernel`) and has a pure-Python twin (``method="python"``) that replays the
same path from the same seed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validation import as_rng, check_choice, check_positive_int, check_times
from . import _particles_kernel as _pk
from .master_equation import EnergyGrid, as_quanta

__all__ = ["ParticleRun", "simulate_particles", "distance", "iid_distance"]


class ParticleRun(NamedTuple):
    """Histograms of a particle simulation at the requested times.

    Attributes
    ----------
    t : ndarray (T,)
    counts : ndarray (T, K + 1) of int
        Particles per cell; the last column counts particles beyond the grid.
    P : ndarray (T, K)
        Fractions per cell (``counts[:, :K] / N``).
    energy : ndarray (T,)
        Mean cell energy :math:`\\sum_k (k+\\frac12)h\\,\\hat p_k` (particles beyond the grid
        excluded).
    n_particles : int
    n_events : int
    status : int
        0 finished, 1 ``max_events`` reached, 2 nothing can happen any more.
    mode, method : str
    """

    t: np.ndarray
    counts: np.ndarray
    P: np.ndarray
    energy: np.ndarray
    n_particles: int
    n_events: int
    status: int
    mode: str
    method: str


def _state(rng: np.random.Generator) -> np.ndarray:
    s = rng.integers(0, 2**64, size=4, dtype=np.uint64, endpoint=False)
    if not s.any():
        s[0] = np.uint64(0x9E3779B97F4A7C15)
    return s


def simulate_particles(grid: EnergyGrid, P0, n_particles: int, times, dE, w_minus=1.0,
                       mode: str = "exchange", seed=None, method: str = "kernel",
                       max_events: int = 10**9) -> ParticleRun:
    """Simulate N particles exchanging quanta, exactly (an event-driven Gillespie loop).

    Parameters
    ----------
    grid : EnergyGrid
    P0 : array_like (K,)
        Initial cell law; the N starting cells are drawn from it.
    n_particles : int
        N (>= 2 for ``mode="exchange"``).
    times : array_like
        Non-decreasing recording times from 0.
    dE, w_minus : float or sequence
        Quanta (integer numbers of cells) and their release rates.
    mode : {"exchange", "mean_field"}
        See the module.
    seed : None, int, SeedSequence or Generator
    method : {"kernel", "python"}
        The compiled loop or its pure-Python twin (identical paths).
    max_events : int
        Safety cap on the number of events.

    Returns
    -------
    ParticleRun
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    P0 = grid.check_density(P0)
    N = check_positive_int(n_particles, "n_particles", 2 if mode == "exchange" else 1)
    t = check_times(times)
    check_choice(mode, ("exchange", "mean_field"), "mode")
    check_choice(method, ("kernel", "python"), "method")
    max_events = check_positive_int(max_events, "max_events", 0)
    rng = as_rng(seed)
    K = grid.n_cells
    k = rng.choice(K, size=N, p=P0 / P0.sum()).astype(np.int64)
    state = _state(rng)
    out = np.zeros((t.size, K + 1), dtype=np.int64)
    run = _pk.run if method == "kernel" else _pk.run_python
    n_events, status = run(k, ms.astype(np.int64), ws.astype(np.float64), t, mode == "exchange",
                           state, max_events, out)
    P = out[:, :K] / N
    return ParticleRun(t, out, P, P @ grid.centers, N, int(n_events), int(status), mode,
                       method)


def distance(p_hat, P) -> np.ndarray:
    """Total-variation distance :math:`\\tfrac12\\sum_k|\\hat p_k - p_k|` (last axis)."""
    return 0.5 * np.abs(np.asarray(p_hat, float) - np.asarray(P, float)).sum(axis=-1)


def iid_distance(P, n: int) -> float:
    """The expected total-variation distance of the empirical law of ``n`` independent draws
    from ``P`` (exact: the binomial mean absolute deviation, summed over cells), the sampling
    floor against which :func:`distance` is read. It falls like :math:`n^{-1/2}`."""
    from scipy.stats import binom

    n = check_positive_int(n, "n")
    P = np.asarray(P, float)
    P = P[P > 0]
    total = 0.0
    for pk in P:
        mu = n * pk
        half = 12 * math.sqrt(mu + 1)
        lo, hi = max(0, int(mu - half - 1)), min(n, int(mu + half + 2))
        j = np.arange(lo, hi + 1)
        total += float(np.sum(binom.pmf(j, n, pk) * np.abs(j - mu))) / n
    return 0.5 * total
