r"""Density-of-states corrected rates: Schlitter's exchange with the Maxwell–Boltzmann energy
density :math:`g_d(E)e^{-\beta E}` of d dimensions as its stationary law.

Eq. 7 with constant rates has the stationary ratio :math:`P(E+\Delta E)/P(E) = w^+/w^-`,
an exponential, which is the Maxwell–Boltzmann energy law only for :math:`d = 2` (flat density
of states). :func:`maxwell_boltzmann_rates` gives pointwise rates in detailed balance with
:math:`g_d(E)e^{-\beta E}`; :func:`maxwell_boltzmann_generator` the exact cell version on an
:class:`~mesothermo.energy_exchange.EnergyGrid`, a conservative sparse generator for
:mod:`mesothermo.markov`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.special import gammainc

from .._validation import check_nonnegative_real, check_positive_int, check_positive_real
from .master_equation import EnergyGrid, as_quanta

__all__ = ["RatePair", "maxwell_boltzmann_rates", "maxwell_boltzmann_cell_masses",
           "maxwell_boltzmann_generator"]


def _readonly(a):
    a = np.asarray(a)
    a.setflags(write=False)
    return a


class RatePair(NamedTuple):
    """Energy-dependent jump rates: ``up[i]`` of :math:`E_i \\to E_i + \\Delta E`, ``down[i]``
    of :math:`E_i \\to E_i - \\Delta E` (zero below :math:`\\Delta E`)."""

    up: np.ndarray
    down: np.ndarray



def _check_dimension(d) -> int:
    return check_positive_int(d, "d")


def maxwell_boltzmann_rates(E, dE: float, beta: float, d: int, w_minus: float = 1.0
                            ) -> RatePair:
    r"""Energy-dependent rates whose stationary law is the Maxwell–Boltzmann energy density.

    In :math:`d` dimensions the Maxwell–Boltzmann law of the kinetic energy is

    .. math::

        P^{MB}_d(E) = \frac{\beta^{d/2}}{\Gamma(d/2)}\,E^{d/2-1}e^{-\beta E}
        = \frac{g_d(E)\,e^{-\beta E}}{Z},\qquad g_d(E) \propto E^{d/2-1}

    (the density of states of :math:`E = p^2/2m` in :math:`d` dimensions). Schlitter's
    constant rates (Eq. 7) have the stationary ratio
    :math:`P(E+\Delta E)/P(E) = w^+/w^-`, which is :math:`P^{MB}_d` only for :math:`d = 2`.
    These rates keep the release rate :math:`w^-` (for :math:`E \ge \Delta E`, as Eq. 6) and
    put the density of final states into the uptake,

    .. math::

        w^+(E) = w^-\,e^{-\beta\Delta E}\,\frac{g_d(E+\Delta E)}{g_d(E)}
               = w^-\,e^{-\beta\Delta E}\Bigl(1 + \frac{\Delta E}{E}\Bigr)^{d/2-1},
        \qquad w^-(E) = w^-\,\Theta(E-\Delta E),

    so that detailed balance holds pair by pair,
    :math:`w^+(E)\,P^{MB}_d(E) = w^-(E+\Delta E)\,P^{MB}_d(E+\Delta E)`. For :math:`d = 2`
    they reduce to Schlitter's :math:`w^+ = w^- e^{-\beta\Delta E}`, i.e. Eq. 8's
    :math:`\varphi = e^{-\beta\Delta E}`. For :math:`d = 3` the uptake rate grows like
    :math:`(\Delta E/E)^{1/2}` as :math:`E \to 0` (integrable: a particle at rest is kicked
    up at once); for :math:`d = 1` it vanishes there.

    With one quantum, probability still never moves between energies that differ by a
    non-multiple of :math:`\Delta E`: the stationary law is :math:`P^{MB}_d` only if the
    initial mass of every residue class :math:`E \bmod \Delta E` matches it; use two
    incommensurate quanta (or a spread) to reach :math:`P^{MB}_d` from any start.

    Parameters
    ----------
    E : array_like
        Energies (>= 0) at which to evaluate the rates.
    dE : float
        The quantum (> 0).
    beta : float
        Inverse temperature :math:`1/k_BT` (> 0), fixed (a heat bath: the mean energy relaxes
        to :math:`d/(2\beta)`).
    d : int
        Dimension (>= 1).
    w_minus : float, default 1
        Release rate (>= 0).

    Returns
    -------
    RatePair
        ``up`` (:math:`w^+(E)`, ``inf`` at :math:`E = 0` for :math:`d \ge 3`) and ``down``.

    Examples
    --------
    >>> r = maxwell_boltzmann_rates([0.5, 1.0, 2.0], dE=1.0, beta=1.0, d=3)
    >>> bool(abs(r.up[1] - math.exp(-1) * math.sqrt(2)) < 1e-15), r.down.tolist()
    (True, [0.0, 1.0, 1.0])
    """
    dE = check_positive_real(dE, "dE")
    beta = check_positive_real(beta, "beta")
    d = _check_dimension(d)
    w_minus = check_nonnegative_real(w_minus, "w_minus", "rate")
    try:
        E = np.asarray(E, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("`E` must be an array of energies.") from None
    if not np.all(np.isfinite(E)) or np.any(E < 0):
        raise ValueError("`E` must hold finite energies >= 0.")
    with np.errstate(divide="ignore"):
        ratio = np.where(E > 0, (1.0 + dE / np.where(E > 0, E, 1.0)) ** (d / 2 - 1),
                         np.inf if d > 2 else (1.0 if d == 2 else 0.0))
    up = w_minus * math.exp(-beta * dE) * ratio
    down = np.where(E >= dE, w_minus, 0.0)
    return RatePair(_readonly(up), _readonly(down))


def _mb_log_cell_masses(grid: EnergyGrid, beta: float, d: int) -> np.ndarray:
    r"""ln of the (unnormalised on the grid) Maxwell–Boltzmann cell probabilities, accurate far
    into the tail: cell 0 from the incomplete gamma function, cell k >= 1 as
    :math:`e^{-x_k}x_k^{a-1}/\Gamma(a)\int_0^{\beta h}(1+s/x_k)^{a-1}e^{-s}ds` by 24-point
    Gauss–Legendre (the integrand is analytic there: relative error ~1e-16)."""
    a = d / 2
    x = beta * grid.edges[:-1]
    b = beta * grid.h
    nodes, weights = np.polynomial.legendre.leggauss(24)
    s = 0.5 * b * (nodes + 1.0)
    out = np.empty(grid.n_cells)
    out[0] = math.log(gammainc(a, b))
    xk = x[1:, None]
    integral = 0.5 * b * (((1.0 + s / xk) ** (a - 1.0) * np.exp(-s)) @ weights)
    out[1:] = -x[1:] + (a - 1.0) * np.log(x[1:]) - math.lgamma(a) + np.log(integral)
    return out


def maxwell_boltzmann_cell_masses(grid: EnergyGrid, beta: float, d: int) -> np.ndarray:
    """Exact cell probabilities of :math:`P^{MB}_d` (incomplete gamma function; accurate in the
    tail, see the module), renormalised to the grid; shape (K,).

    Examples
    --------
    >>> g = EnergyGrid(0.5, 200)
    >>> p = maxwell_boltzmann_cell_masses(g, 1.0, 2)   # d = 2: the exponential
    >>> bool(abs(p[3] / p[2] - math.exp(-0.5)) < 1e-14)
    True
    """
    beta = check_positive_real(beta, "beta")
    d = _check_dimension(d)
    lp = _mb_log_cell_masses(grid, beta, d)
    p = np.exp(lp - lp.max())
    return p / p.sum()


def maxwell_boltzmann_generator(grid: EnergyGrid, dE, beta: float, d: int,
                                w_minus=1.0) -> sp.csr_matrix:
    r"""The cell version of :func:`maxwell_boltzmann_rates`: a conservative sparse generator
    (``Q[j, i]`` the rate i -> j, columns sum to zero) whose stationary law is exactly the
    Maxwell–Boltzmann cell probabilities :math:`\pi_k` (:func:`maxwell_boltzmann_cell_masses`).

    Release from cell :math:`k \ge m` at rate :math:`w^-`; uptake from cell k at rate
    :math:`w^-\pi_{k+m}/\pi_k` (detailed balance on every pair of cells; for :math:`h \to 0`
    this is :math:`w^- e^{-\beta\Delta E} g_d(E+\Delta E)/g_d(E)`). Uptake beyond the grid
    is dropped (a reflecting truncation), which leaves detailed balance intact: the law is
    :math:`P^{MB}_d` conditioned on the grid, whose missing tail is
    ``1 - gammainc(d/2, beta * grid.e_max)``. Several quanta (a sequence ``dE``) add.
    Use with :func:`mesothermo.markov.evolve` and :func:`mesothermo.markov.stationary`.
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    beta = check_positive_real(beta, "beta")
    d = _check_dimension(d)
    logpi = _mb_log_cell_masses(grid, beta, d)
    K = grid.n_cells
    k = np.arange(K)
    rows, cols, vals = [], [], []
    diag = np.zeros(K)
    for m, wm in zip(ms, ws):
        src = k[: K - m]
        up = wm * np.exp(logpi[src + m] - logpi[src])
        rows += [src + m, src]
        cols += [src, src + m]
        vals += [up, np.full(src.size, wm)]
        diag[src] -= up
        diag[src + m] -= wm
    rows.append(k)
    cols.append(k)
    vals.append(diag)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(K, K))
