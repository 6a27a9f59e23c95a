r"""Entropies of Schlitter's energy law and their rates (Schlitter Eqs. 9–10, A.1–A.8).

All entropies are in units of :math:`k_B` (:math:`k_B = 1`) and are exact for a density that is
uniform within the cells of an :class:`~mesothermo.energy_exchange.EnergyGrid` (which the grid
dynamics preserves):

- :func:`entropy` — :math:`S_E = -\int_0^\infty P\ln P\,dE` (Eq. 9);
- :func:`entropy_rate` — :math:`\dot S_E = -\int \dot P(\ln P + 1)\,dE` (A.1), with
  :math:`\dot P` from the generator (:func:`~mesothermo.energy_exchange.time_derivative`);
- :func:`entropy_production` — the right side of A.6,
  :math:`w^-\varphi\,[\,\mathrm{KL}(P\Vert\tilde P) + \mathrm{KL}(\tilde P\Vert P)\,]` with
  :math:`\tilde P(E) = P(E+\Delta E)/\varphi`, and the exact truncation term that completes it
  on a finite grid;
- :func:`mean_log_energy`, :func:`momentum_entropy` — :math:`\langle\ln E\rangle` and the
  one-particle phase-space entropy :math:`S^{(1)}` (Eq. 10) in :math:`d` dimensions, through
  A.8 generalised: :math:`S^{(1)} = S_E + \tfrac{d-2}{2}\langle\ln 2mE\rangle +
  \ln(S_{d-1}m)`, :math:`S_{d-1} = 2\pi^{d/2}/\Gamma(d/2)` the area of the unit sphere;
- :func:`max_entropy`, :func:`max_entropy_on_grid`, :func:`max_momentum_entropy` — the maxima
  at fixed mean energy.

A.6 on the grid
---------------
With :math:`J_k = w^+p_k - w^-p_{k+m}` the net flux between cells k and k + m, summation by
parts of A.1 gives :math:`\dot S_E = \sum_k J_k\ln(p_k/p_{k+m})`, and with Eq. 8
(:math:`w^+ = w^-\varphi`, :math:`\tilde p_k = p_{k+m}/\varphi`)

.. math::

    \dot S_E = w^-\varphi\sum_k (p_k-\tilde p_k)\ln\frac{p_k}{\tilde p_k}
               - \ln\varphi\sum_k J_k ,

where :math:`\sum_k J_k = (d\langle E\rangle/dt)/\Delta E = 0` by Eq. 8: the "entropy flow"
term :math:`\ln(w^+/w^-)\sum J` vanishes only because the mean energy is fixed. The first sum
is :math:`\mathrm{KL}(P\Vert\tilde P)+\mathrm{KL}(\tilde P\Vert P)` (A.6). On a grid of K
cells, the top m cells leak (uptake leaves the grid), which adds the exact term
:math:`T = w^+\bigl[\,\ln\varphi\sum_{k\ge K-m}p_k + \sum_{k\ge K-m}p_k(\ln(p_k/h)+1)\bigr]`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validation import check_positive_int, check_positive_real
from .master_equation import EnergyGrid, as_quanta, phi, time_derivative

__all__ = ["EntropyProduction", "entropy", "entropy_rate", "entropy_production", "kl",
           "mean_log_energy", "momentum_entropy", "max_entropy", "max_entropy_on_grid",
           "max_momentum_entropy", "sphere_area"]


class EntropyProduction(NamedTuple):
    """The right side of A.6 on the grid and the truncation term that completes it.

    Attributes
    ----------
    a6 : float
        :math:`\\sum_i w_i^-\\varphi_i\\sum_k (p_k-\\tilde p_{i,k})\\ln(p_k/\\tilde p_{i,k})`
        over the cells where :math:`\\tilde p_i` is defined (:math:`k < K - m_i`).
    truncation : float
        The exact contribution of the leaking top cells; ``a6 + truncation`` equals
        :func:`entropy_rate` identically.
    per_quantum : ndarray
        ``a6`` split by quantum.
    """

    a6: float
    truncation: float
    per_quantum: np.ndarray


def _xlogy(x, y):
    """x ln y with 0 ln 0 = 0 (elementwise)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def entropy(grid: EnergyGrid, P) -> np.ndarray:
    """:math:`S_E = -\\sum_k p_k\\ln(p_k/h)` (Eq. 9 for a density uniform within cells);
    ``P`` of shape (..., K). Units of :math:`k_B`; energies in the grid's unit."""
    P = np.asarray(P, float)
    return -_xlogy(P, P / grid.h).sum(axis=-1)


def kl(P, q) -> float:
    """Kullback–Leibler divergence :math:`\\sum_k p_k\\ln(p_k/q_k)` of two laws on the same
    cells (``inf`` if q vanishes where P does not)."""
    P = np.asarray(P, float)
    q = np.asarray(q, float)
    if np.any((q == 0) & (P > 0)):
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(np.where(P > 0, P * np.log(P / np.where(q > 0, q, 1.0)), 0.0)))


def entropy_rate(grid: EnergyGrid, P, dE, w_minus=1.0, rule="eq8") -> float:
    """:math:`\\dot S_E = -\\sum_k \\dot p_k(\\ln(p_k/h) + 1)` (A.1), with :math:`\\dot P` from
    the grid equation (:func:`~mesothermo.energy_exchange.time_derivative`). ``+inf`` when
    probability flows into an empty cell."""
    pdot = time_derivative(grid, P, dE, w_minus, rule)
    P = np.asarray(P, float)
    if np.any((P == 0) & (pdot > 0)):
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(P > 0, np.log(np.where(P > 0, P, 1.0) / grid.h) + 1.0, 0.0)
    return float(-np.sum(pdot * logs))


def entropy_production(grid: EnergyGrid, P, dE, w_minus=1.0) -> EntropyProduction:
    """The right side of A.6 (Eq. 8's rule), with the truncation term; see the module.

    Parameters
    ----------
    grid : EnergyGrid
    P : array_like (K,)
        Cell probabilities (sum <= 1: mass may have leaked).
    dE, w_minus : float or sequence
        Quanta and release rates.

    Returns
    -------
    EntropyProduction
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    P = grid.check_density(P, "P", atol=np.inf)
    fr = np.array([phi(grid, P, v) for v in dEs])
    wp = ws * fr  # Eq. 8
    K = grid.n_cells
    per, trunc = [], 0.0
    for m, wm, wpl, f in zip(ms, ws, wp, fr):
        a, b = P[: K - m], P[m:] / f if f > 0 else np.zeros(K - m)
        if np.any((a > 0) != (b > 0)):
            per.append(math.inf)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(a > 0, (a - b) * np.log(np.where(a > 0, a, 1.0)
                                                          / np.where(b > 0, b, 1.0)), 0.0)
            per.append(float(wm * f * terms.sum()))
        top = P[K - m:]
        if f > 0:
            trunc += wpl * (top.sum() * math.log(f) - entropy(grid, top) + top.sum())
    per = np.array(per)
    return EntropyProduction(float(per.sum()), float(trunc), per)


def mean_log_energy(grid: EnergyGrid, P) -> np.ndarray:
    """:math:`\\langle\\ln E\\rangle` for a density uniform within cells (exact cell averages
    :math:`h^{-1}\\int\\ln E\\,dE`); ``P`` of shape (..., K)."""
    e = grid.edges
    with np.errstate(divide="ignore", invalid="ignore"):
        F = np.where(e > 0, e * np.log(np.where(e > 0, e, 1.0)) - e, 0.0)
    cell_avg = np.diff(F) / grid.h
    return np.asarray(P, float) @ cell_avg


def sphere_area(d: int) -> float:
    """Area :math:`S_{d-1} = 2\\pi^{d/2}/\\Gamma(d/2)` of the unit sphere in d dimensions
    (2 for d = 1: the two points :math:`\\pm 1`)."""
    d = check_positive_int(d, "d")
    return 2.0 * math.pi ** (d / 2) / math.gamma(d / 2)


def momentum_entropy(grid: EnergyGrid, P, d: int = 3, mass: float = 1.0) -> np.ndarray:
    r""":math:`S^{(1)} = -\int P^{(1)}\ln P^{(1)}\,d^dp` (Eq. 10) of the isotropic momentum
    density with energy law ``P``: A.8 in d dimensions,

    .. math::

        S^{(1)} = S_E + \frac{d-2}{2}\langle\ln 2mE\rangle + \ln(S_{d-1}m),

    which for :math:`d = 3` is Schlitter's :math:`S_E + \tfrac12\langle\ln E\rangle +` const.
    """
    d = check_positive_int(d, "d")
    mass = check_positive_real(mass, "mass")
    return (entropy(grid, P) + 0.5 * (d - 2) * (mean_log_energy(grid, P) + math.log(2 * mass))
            + math.log(sphere_area(d) * mass))


def max_entropy(mean: float) -> float:
    """:math:`\\max S_E = 1 + \\ln\\langle E\\rangle` at fixed mean energy, attained by
    :math:`\\beta e^{-\\beta E}` with :math:`\\beta = 1/\\langle E\\rangle` (continuum)."""
    return 1.0 + math.log(check_positive_real(mean, "mean"))


def max_entropy_on_grid(grid: EnergyGrid, mean: float) -> float:
    """The largest :math:`S_E` of a density uniform within the cells (of width h, infinitely
    many) with the given mean: the geometric law :math:`p_k = (1-q)q^k`,
    :math:`q = (\\langle E\\rangle/h - 1/2)/(\\langle E\\rangle/h + 1/2)`.
    It lies below :func:`max_entropy` by about :math:`h^2/(24\\langle E\\rangle^2)`."""
    mean = check_positive_real(mean, "mean")
    x = mean / grid.h
    if x <= 0.5:
        raise ValueError(f"`mean` must exceed half a cell, {grid.h / 2:g}; got {mean:g}.")
    q = (x - 0.5) / (x + 0.5)
    return math.log(grid.h) - math.log1p(-q) - q / (1 - q) * math.log(q)


def max_momentum_entropy(mean: float, d: int = 3, mass: float = 1.0) -> float:
    """:math:`\\max S^{(1)}` at fixed mean energy: the Maxwell–Boltzmann Gaussian with
    :math:`\\beta = d/(2\\langle E\\rangle)`, :math:`S^{(1)} = \\tfrac d2\\ln(2\\pi e m/\\beta)`."""
    mean = check_positive_real(mean, "mean")
    d = check_positive_int(d, "d")
    mass = check_positive_real(mass, "mass")
    beta = d / (2 * mean)
    return 0.5 * d * math.log(2 * math.pi * math.e * mass / beta)
