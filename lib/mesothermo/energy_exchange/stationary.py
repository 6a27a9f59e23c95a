r"""Stationary laws of Schlitter's energy exchange, honestly (Schlitter Eqs. 11–13, A.7).

- :func:`comb_law` — with one quantum :math:`\Delta E`, a jump never changes
  :math:`E \bmod \Delta E`, so the mass :math:`c(u)` of every residue :math:`u\in[0,\Delta E)` is
  conserved and the stationary law of Eqs. 7–8 is

  .. math::

      P_s(u + j\Delta E) = c(u)\,(1-\varphi)\,\varphi^{\,j},\qquad j = 0, 1, \dots,

  exponential from cell to cell (:math:`P(E+\Delta E) = \varphi P(E)`) times a
  :math:`\Delta E`-periodic profile fixed by the initial density (a "comb"). The mean energy
  fixes :math:`\varphi`: :math:`\langle E\rangle = \langle u\rangle_c + \Delta E\,
  \varphi/(1-\varphi)`. It is :math:`\beta e^{-\beta E}` (Eq. 11) only if
  :math:`c(u) \propto e^{-\beta u}`.
- :func:`geometric_law` — the maximum-entropy law on the grid at fixed mean (reached with two
  quanta whose cell counts are coprime), the grid's version of Eq. 11.
- :func:`maxwell_boltzmann_energy_density`, :func:`density_of_states`,
  :func:`momentum_density`, :func:`maxwell_boltzmann_momentum_density` — in :math:`d`
  dimensions :math:`d^dp = S_{d-1}m(2mE)^{d/2-1}dE`, so an energy density :math:`P(E)` belongs
  to the isotropic momentum density :math:`P^{(1)}(p) = P(E)/(S_{d-1}m\,p^{d-2})` (A.7 for
  :math:`d = 3`: :math:`P/(4\pi mp)`). Eq. 11's exponential is Maxwell–Boltzmann only for
  :math:`d = 2`; in 3-D the Maxwell–Boltzmann energy density is
  :math:`2\beta^{3/2}(E/\pi)^{1/2}e^{-\beta E}`.
- :func:`collision_uptake_rate` — Eqs. 12–13 under stated collision assumptions.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validation import (check_choice, check_nonnegative_real, check_positive_int,
                           check_positive_real)
from .entropy import sphere_area
from .master_equation import EnergyGrid

__all__ = ["CombLaw", "comb_law", "geometric_law", "maxwell_boltzmann_energy_density",
           "density_of_states", "momentum_density", "maxwell_boltzmann_momentum_density",
           "UptakeRate", "collision_uptake_rate"]


class CombLaw(NamedTuple):
    """The single-quantum stationary law.

    Attributes
    ----------
    P : ndarray (K,)
        Cell probabilities :math:`c_r(1-\\varphi)\\varphi^j` on cell :math:`k = r + jm`.
    phi : float
        :math:`\\varphi = P(E \\ge \\Delta E)`, the cell-to-cell ratio.
    beta : float
        :math:`-\\ln\\varphi/\\Delta E`, the inverse temperature of the ratio.
    residue_mass : ndarray (m,)
        The conserved masses :math:`c_r` of the residues :math:`k \\bmod m`.
    tail : float
        Mass of the law beyond the grid (left out of ``P``).
    """

    P: np.ndarray
    phi: float
    beta: float
    residue_mass: np.ndarray
    tail: float


def comb_law(grid: EnergyGrid, P0, dE) -> CombLaw:
    """The stationary law reached from ``P0`` with one quantum ``dE`` (see the module).

    Examples
    --------
    >>> from mesothermo.energy_exchange import EnergyGrid, uniform_density
    >>> g = EnergyGrid(0.25, 400)
    >>> law = comb_law(g, uniform_density(g, 2.0, 2.25), 1.0)   # all mass in residue 0
    >>> law.residue_mass.tolist(), round(law.phi, 12)
    ([1.0, 0.0, 0.0, 0.0], 0.666666666667)
    """
    m = grid.cells(dE)
    P0 = grid.check_density(P0)
    K = grid.n_cells
    k = np.arange(K)
    r = k % m
    c = np.bincount(r, weights=P0, minlength=m)
    x = float((k * P0).sum() - (r * P0).sum()) / m  # mean number of quanta, phi/(1-phi)
    ph = x / (1.0 + x)
    j = k // m
    P = c[r] * (1.0 - ph) * ph ** j
    tail = max(0.0, 1.0 - float(P.sum()))
    beta = -math.log(ph) / float(dE) if 0 < ph < 1 else (math.inf if ph == 0 else 0.0)
    return CombLaw(P, ph, beta, c, tail)


def geometric_law(grid: EnergyGrid, mean: float) -> np.ndarray:
    """The geometric cell law :math:`p_k = (1-q)q^k` with grid mean energy
    :math:`\\sum_k(k+\\tfrac12)h\\,p_k` equal to ``mean``; the maximum of :math:`S_E` among
    densities uniform within cells (restricted to the grid; its tail beyond is
    :math:`q^K`)."""
    mean = check_positive_real(mean, "mean")
    x = mean / grid.h
    if x <= 0.5:
        raise ValueError(f"`mean` must exceed half a cell, {grid.h / 2:g}; got {mean:g}.")
    q = (x - 0.5) / (x + 0.5)
    k = np.arange(grid.n_cells)
    return (1 - q) * q ** k


def _energies(E, name="E"):
    try:
        E = np.asarray(E, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array of numbers.") from None
    if not np.all(np.isfinite(E)) or np.any(E < 0):
        raise ValueError(f"`{name}` must hold finite values >= 0.")
    return E


def maxwell_boltzmann_energy_density(E, beta: float, d: int = 3) -> np.ndarray:
    """:math:`P^{MB}_d(E) = \\beta^{d/2}E^{d/2-1}e^{-\\beta E}/\\Gamma(d/2)`; for d = 2 Eq. 11's
    :math:`\\beta e^{-\\beta E}`, for d = 3 :math:`2\\beta^{3/2}(E/\\pi)^{1/2}e^{-\\beta E}`."""
    E = _energies(E)
    beta = check_positive_real(beta, "beta")
    d = check_positive_int(d, "d")
    a = d / 2
    with np.errstate(divide="ignore"):
        return np.exp(a * math.log(beta) + (a - 1) * np.log(E) - beta * E - math.lgamma(a))


def density_of_states(E, d: int = 3, mass: float = 1.0) -> np.ndarray:
    """:math:`g_d(E) = S_{d-1}\\,m\\,(2mE)^{d/2-1}`: the momentum-space volume per unit energy,
    :math:`d^dp = g_d(E)\\,dE`."""
    E = _energies(E)
    d = check_positive_int(d, "d")
    mass = check_positive_real(mass, "mass")
    with np.errstate(divide="ignore"):
        return sphere_area(d) * mass * (2 * mass * E) ** (d / 2 - 1)


def momentum_density(p, energy_density, d: int = 3, mass: float = 1.0) -> np.ndarray:
    """The isotropic momentum density :math:`P^{(1)}(\\mathbf p) = P(E)/g_d(E)` at
    :math:`|\\mathbf p|` = ``p``, with ``energy_density`` the values :math:`P(E)` at
    :math:`E = p^2/2m` (A.7 for d = 3: :math:`P/(4\\pi m p)`)."""
    p = _energies(p, "p")
    P = np.asarray(energy_density, dtype=float)
    if P.shape != p.shape:
        raise ValueError(f"`energy_density` must have the shape of `p`, {p.shape}; got "
                         f"{P.shape}.")
    return P / density_of_states(p ** 2 / (2 * mass), d, mass)


def maxwell_boltzmann_momentum_density(p, beta: float, d: int = 3,
                                       mass: float = 1.0) -> np.ndarray:
    """:math:`(\\beta/2\\pi m)^{d/2}e^{-\\beta p^2/2m}` (Eq. 17 without a potential)."""
    p = _energies(p, "p")
    beta = check_positive_real(beta, "beta")
    d = check_positive_int(d, "d")
    mass = check_positive_real(mass, "mass")
    return (beta / (2 * math.pi * mass)) ** (d / 2) * np.exp(-beta * p ** 2 / (2 * mass))


class UptakeRate(NamedTuple):
    """Eqs. 12–13 under a collision model (arbitrary units; only ratios are meaningful).

    Attributes
    ----------
    per_particle : ndarray
        :math:`w^+ = \\varphi\\,w^-`, the rate at which one particle takes up a quantum.
    per_volume : ndarray
        :math:`n\\,w^+`, uptake events per unit volume and time.
    phi : ndarray
        The stationary fraction :math:`\\varphi = P(E\\ge\\Delta E)` used.
    """

    per_particle: np.ndarray
    per_volume: np.ndarray
    phi: np.ndarray


def collision_uptake_rate(beta, dE: float, pressure, partner_pressure=None,
                          law: str = "exponential") -> UptakeRate:
    r"""The uptake rate of Eqs. 12–13 from stated assumptions.

    Assumptions: an ideal gas, number density :math:`n = \beta p` (pressure p); hard-sphere
    collisions, so the rate per particle is :math:`z \propto n_{\rm partner}\bar v` with the
    mean speed :math:`\bar v \propto \beta^{-1/2}`; every collision with an excited partner
    can take a quantum, so :math:`w^- \propto z` and, by Eq. 8, :math:`w^+ = \varphi w^-`.
    With Eq. 11's law ``"exponential"`` :math:`\varphi = e^{-\beta\Delta E}`; with the 3-D
    Maxwell–Boltzmann law ``"maxwell_boltzmann"``
    :math:`\varphi = \Gamma(3/2,\beta\Delta E)/\Gamma(3/2)`. Then

    .. math::

        w^+ \propto \beta^{1/2}\,\varphi(\beta)\,p_{\rm partner}, \qquad
        n\,w^+ \propto \beta^{3/2}\varphi(\beta)\,p\,p_{\rm partner},

    second order in pressure per unit volume (Eq. 12 with :math:`p_{\rm partner} = p`,
    Eq. 13 with the inactive majority's :math:`p_i` and an active impurity :math:`p_a`), but
    with powers of :math:`\beta` that differ from the printed :math:`\beta e^{-\beta\Delta E}`,
    which these assumptions do not give. ``partner_pressure`` defaults to ``pressure``.
    """
    from scipy.special import gammaincc

    beta = np.asarray(beta, dtype=float)
    if not np.all(np.isfinite(beta)) or np.any(beta <= 0):
        raise ValueError("`beta` must hold finite numbers > 0.")
    dE = check_nonnegative_real(dE, "dE", "energy")
    pressure = np.asarray(pressure, dtype=float)
    if not np.all(np.isfinite(pressure)) or np.any(pressure < 0):
        raise ValueError("`pressure` must hold finite numbers >= 0.")
    partner = pressure if partner_pressure is None else np.asarray(partner_pressure, float)
    if not np.all(np.isfinite(partner)) or np.any(partner < 0):
        raise ValueError("`partner_pressure` must hold finite numbers >= 0.")
    check_choice(law, ("exponential", "maxwell_boltzmann"), "law")
    ph = np.exp(-beta * dE) if law == "exponential" else gammaincc(1.5, beta * dE)
    per_particle = np.sqrt(beta) * partner * ph
    return UptakeRate(per_particle, beta * pressure * per_particle, ph)
