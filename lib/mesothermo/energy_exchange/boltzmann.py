r"""The Boltzmann law of Schlitter Eq. 17, :math:`P_S \propto e^{-\beta H}`, as a reference for
chapter 08's simulations.

- :func:`sample_boltzmann` — exact samples of Eq. 17;
- :func:`position_cdf`, :func:`energy_cdf` — its marginal CDFs of :math:`x_1` and of :math:`H`;
- :func:`compare_with_eq17` — a snapshot's distances from Eq. 17, marginal by marginal
  (:class:`Eq17Test`);
- :func:`eq17_entropy` — its Gibbs entropy, and :func:`knn_entropy` — the k-nearest-neighbour
  estimate of an ensemble's entropy, to compare with it.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from scipy import special, stats

from .._validation import as_rng, check_positive_int, check_positive_real
from .potentials import DoubleWell, Free, Harmonic, energies

__all__ = ["sample_boltzmann", "position_cdf", "energy_cdf", "Eq17Test", "compare_with_eq17",
           "eq17_entropy", "knn_entropy"]


def _axis_grid(potential: DoubleWell, beta: float, n: int = 20001):
    """Grid, normalised density and CDF of x_1 under exp(-beta U) for the double well."""
    # beyond |x1| = L the Boltzmann factor is below e^-50 of its maximum
    L = potential.x_min * math.sqrt(1.0 + math.sqrt(50.0 / (beta * potential.barrier)))
    g = np.linspace(-L, L, n)
    w = np.exp(-beta * potential.axis_value(g))
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(g))])
    return g, w / cdf[-1], cdf / cdf[-1]


def position_cdf(potential, beta: float = 1.0):
    """CDF of the first coordinate :math:`x_1` under Eq. 17 (a callable)."""
    beta = check_positive_real(beta, "beta")
    if isinstance(potential, Harmonic):
        return stats.norm(scale=1.0 / math.sqrt(beta * potential.stiffness)).cdf
    if isinstance(potential, DoubleWell):
        g, _, cdf = _axis_grid(potential, beta)
        return lambda v: np.interp(v, g, cdf)
    raise ValueError("`potential` has no normalisable Boltzmann factor (Free).")


def energy_cdf(potential, dim: int, beta: float = 1.0):
    r"""CDF of the total energy H under Eq. 17 in ``dim`` dimensions (a callable).

    Harmonic: :math:`H\sim\mathrm{Gamma}(d, 1/\beta)`. Double well: the harmonic directions and
    the momenta give :math:`\mathrm{Gamma}(d-\tfrac12, 1/\beta)`, convolved by quadrature with the
    law of the quartic part.
    """
    beta, d = check_positive_real(beta, "beta"), check_positive_int(dim, "dim")
    if isinstance(potential, Harmonic):
        return stats.gamma(d, scale=1.0 / beta).cdf
    if isinstance(potential, DoubleWell):
        h, vals = _double_well_energy_table(potential, d, beta)
        return lambda v: np.interp(v, h, vals)
    raise ValueError("`potential` has no normalisable Boltzmann factor (Free).")


@functools.lru_cache(maxsize=32)
def _double_well_energy_table(potential: DoubleWell, d: int, beta: float):
    """CDF of H on 2001 energies in [0, 40/beta] (beyond, 1 - CDF < e^-30), by the trapezoid rule
    over 801 points of x_1; the kink of the Gamma CDF at h = U(x_1) limits the error to ~2e-4
    (measured in the tests), far below the KS resolution of any ensemble used here."""
    g, rho, _ = _axis_grid(potential, beta, 801)
    U1 = potential.axis_value(g)
    h = np.linspace(0.0, 40.0 / beta, 2001)
    F = special.gammainc(d - 0.5, np.maximum(beta * (h[:, None] - U1[None, :]), 0.0))
    return h, np.trapezoid(F * rho, g, axis=1)


def sample_boltzmann(potential, n: int, dim: int, beta: float = 1.0, mass: float = 1.0,
                     seed=None):
    """Exact samples ``(x, p)``, each (n, dim), of Eq. 17 :math:`\\propto e^{-\\beta H}`
    (momenta only for ``Free``, positions then 0)."""
    n, d = check_positive_int(n, "n"), check_positive_int(dim, "dim")
    beta, mass = check_positive_real(beta, "beta"), check_positive_real(mass, "mass")
    rng = as_rng(seed)
    p = rng.normal(scale=math.sqrt(mass / beta), size=(n, d))
    if isinstance(potential, Free):
        return np.zeros((n, d)), p
    x = rng.normal(scale=1.0 / math.sqrt(beta * potential.stiffness), size=(n, d))
    if isinstance(potential, DoubleWell):
        g, _, cdf = _axis_grid(potential, beta)
        x[:, 0] = np.interp(rng.random(n), cdf, g)
    return x, p


class Eq17Test(NamedTuple):
    """Distances of a snapshot from Eq. 17 (:func:`compare_with_eq17`).

    ``names``: the checks; ``statistic``: KS distance for the marginals, chi-square for the
    independence of K and U; ``pvalue``: their p-values under Eq. 17 for independent samples;
    ``n``: the sample size.
    """

    names: tuple
    statistic: np.ndarray
    pvalue: np.ndarray
    n: int

    def passes(self, alpha: float) -> bool:
        """True when no check rejects Eq. 17 at level ``alpha`` (Bonferroni over the checks)."""
        return bool(np.all(self.pvalue > alpha / len(self.names)))

    def as_dict(self) -> dict:
        return {k: float(v) for k, v in zip(self.names, self.statistic)}


def compare_with_eq17(potential, x, p, beta: float = 1.0, mass: float = 1.0,
                      bins: int = 5) -> Eq17Test:
    r"""Test independent samples ``x``, ``p`` (n, d) against Eq. 17,
    :math:`P_S\propto e^{-\beta(|\mathbf p|^2/2m + U(\mathbf x))}`.

    Kolmogorov–Smirnov tests of the marginals of :math:`x_1`, :math:`p_1`, of the kinetic energy
    :math:`K\sim\mathrm{Gamma}(d/2, 1/\beta)` and of the total energy H; a chi-square test of the
    independence of K and U on ``bins`` x ``bins`` quantile cells ((bins-1)^2 degrees of freedom).
    For ``Free`` only the momentum checks. The p-values assume independent samples (ensemble
    members at one time, not a time series).
    """
    x, p = np.asarray(x, float), np.asarray(p, float)
    if x.ndim != 2 or x.shape != p.shape:
        raise ValueError(f"`x` and `p` must be arrays of the same shape (n, d); got {x.shape} "
                         f"and {p.shape}.")
    beta, mass = check_positive_real(beta, "beta"), check_positive_real(mass, "mass")
    bins = check_positive_int(bins, "bins", minimum=2)
    n, d = x.shape
    E = energies(potential, x, p, mass)
    names, stat, pval = [], [], []

    def ks(name, sample, cdf):
        r = stats.kstest(sample, cdf)
        names.append(name), stat.append(r.statistic), pval.append(r.pvalue)

    ks("p_1", p[:, 0], stats.norm(scale=math.sqrt(mass / beta)).cdf)
    ks("K", E.K, stats.gamma(0.5 * d, scale=1.0 / beta).cdf)
    if not isinstance(potential, Free):
        ks("x_1", x[:, 0], position_cdf(potential, beta))
        ks("H", E.H, energy_cdf(potential, d, beta))
        qk = np.searchsorted(np.quantile(E.K, np.linspace(0, 1, bins + 1)[1:-1]), E.K)
        qu = np.searchsorted(np.quantile(E.U, np.linspace(0, 1, bins + 1)[1:-1]), E.U)
        table = np.zeros((bins, bins))
        np.add.at(table, (qk, qu), 1)
        if np.all(table.sum(0) > 0) and np.all(table.sum(1) > 0):
            r = stats.chi2_contingency(table, correction=False)
            chi2, pv = r.statistic, r.pvalue
        else:  # ties put the whole sample in fewer cells: a degenerate law, not Eq. 17
            chi2, pv = np.inf, 0.0
        names.append("K-U independence"), stat.append(chi2), pval.append(pv)
    return Eq17Test(tuple(names), np.array(stat), np.array(pval), n)


def eq17_entropy(potential, dim: int, beta: float = 1.0, mass: float = 1.0) -> float:
    r"""Gibbs entropy :math:`-\int P_S\ln P_S\,d^dx\,d^dp` of Eq. 17 (:math:`k_B = 1`)."""
    d = check_positive_int(dim, "dim")
    beta, mass = check_positive_real(beta, "beta"), check_positive_real(mass, "mass")
    s_p = 0.5 * d * (1.0 + math.log(2.0 * math.pi * mass / beta))
    if isinstance(potential, Free):
        raise ValueError("`potential` has no normalisable Boltzmann factor (Free).")
    s_gauss = 0.5 * (1.0 + math.log(2.0 * math.pi / (beta * potential.stiffness)))
    if isinstance(potential, Harmonic):
        return s_p + d * s_gauss
    g, rho, _ = _axis_grid(potential, beta)
    s1 = -np.trapezoid(np.where(rho > 0, rho * np.log(np.where(rho > 0, rho, 1.0)), 0.0), g)
    return s_p + (d - 1) * s_gauss + float(s1)


def knn_entropy(samples, k: int = 4) -> float:
    r"""Kozachenko–Leonenko estimate of :math:`-\int f\ln f` from samples (n, D):
    :math:`\hat S = \psi(n) - \psi(k) + \ln c_D + \frac{D}{n}\sum_i \ln r_{i,k}`, with
    :math:`r_{i,k}` the distance to the k-th nearest neighbour and :math:`c_D` the volume of the
    unit ball. Consistent; its bias for smooth densities shrinks with n (measured in the tests
    on Gaussians)."""
    from scipy.spatial import cKDTree

    z = np.asarray(samples, float)
    if z.ndim != 2 or z.shape[0] <= k:
        raise ValueError(f"`samples` must be an array (n, D) with n > k = {k}; got {z.shape}.")
    k = check_positive_int(k, "k")
    n, D = z.shape
    r = cKDTree(z).query(z, k=k + 1)[0][:, k]
    log_cd = 0.5 * D * math.log(math.pi) - special.gammaln(0.5 * D + 1.0)
    return float(special.digamma(n) - special.digamma(k) + log_cd + D * np.mean(np.log(r)))
