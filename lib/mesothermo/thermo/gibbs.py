r"""The Gibbs function of a detailed-balanced mass-action network, and the seed's printed forms.

Ge and Qian ("Detailed balance and chemical equilibrium") state that for mass-action kinetics
with detailed balance the chemical energy function :math:`\varphi^{ss}` is the Gibbs function,
that :math:`\nu_\ell\cdot\nabla G = \Delta\mu_\ell = \ln(R_{-\ell}/R_{+\ell})` and that
:math:`\Delta\mu^o_\ell = \sum_i \nu_{\ell i}\mu^o_i = \ln(k_{-\ell}/k_{+\ell})` (all in units
of :math:`k_BT`). This module computes these objects and the forms the seed prints:

* :func:`standard_potentials` solves :math:`\nu\,\mu^o = \ln(k_-/k_+)` for the standard
  potentials. It is solvable exactly when Wegscheider's conditions hold (the log-ratios sum
  to zero around every cycle of the reaction graph), and its solution is unique only up to
  :math:`\mu^o \to \mu^o + L^T c` with :math:`L` the conservation laws (``net.nu @ L.T = 0``);
  the gauge fixes :math:`c`.
* :func:`gibbs_function` is :math:`G(x) = \sum_i x_i(\mu^o_i + \ln x_i - 1)`, whose gradient
  :func:`chemical_potentials` is :math:`\mu_i(x) = \mu^o_i + \ln x_i`.
* :func:`gibbs_function_seed` is the seed's printed :math:`\sum_i x_i(\mu^o_i + \ln x_i)`,
  without the :math:`-x_i` term; :func:`eq9_residuals` evaluates Ge–Qian Eq. 9 as printed,
  :math:`\ln(R_+/R_-) = \exp(-\nu\cdot\nabla\varphi)`, and as it should read,
  :math:`\ln(R_+/R_-) = -\nu\cdot\nabla\varphi`. The chapter uses both to show with numbers
  where the printed forms fail.
* :func:`cycle_affinity` is the driving of a network out of equilibrium: the sum of the
  log-ratios :math:`\ln(R_{+\ell}/R_{-\ell})` around each cycle of the stoichiometry, zero for
  every cycle exactly under detailed balance.

Chemostatted species enter through the effective constants (``net.effective_k_plus``,
``net.effective_k_minus``): their (fixed) chemical potentials are absorbed into the
:math:`\mu^o` of the dynamical species, so :math:`G` is the free energy of the open system
(a "dialysis" system, Ge–Qian assumption iv) when the chemostats are mutually at equilibrium.

Why the :math:`-x_i` term matters: :math:`\nabla\sum_i x_i(\mu^o_i+\ln x_i) = \mu^o + \ln x + 1`,
so :math:`\nu_\ell\cdot\nabla G_{\rm seed} = \Delta\mu_\ell + \sum_i\nu_{\ell i}`. The two agree
only for reactions that conserve the number of molecules. Shifting every :math:`\mu^o_i` by
:math:`-1` would repair the seed's form, but that shift is a gauge change only when
:math:`(1,\dots,1)` is a conservation law; otherwise it contradicts the seed's own
:math:`\Delta\mu^o_\ell = \ln(k_{-\ell}/k_{+\ell})`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy

from .._validation import (check_concentrations, check_network, check_positive_real,
                           check_volume_for)
from ..network import Network

__all__ = ["StandardPotentials", "standard_potentials", "gibbs_function", "gibbs_function_seed",
           "chemical_potentials", "delta_mu", "delta_mu_standard", "Eq9Residuals",
           "eq9_residuals", "cycle_affinity", "DetailedBalanceError"]


class DetailedBalanceError(ValueError):
    """The rate constants violate Wegscheider's conditions: no standard potentials exist."""


class StandardPotentials(NamedTuple):
    r"""Standard chemical potentials identified from the rate constants (units of :math:`k_BT`).

    Attributes
    ----------
    mu0 : ndarray, shape (N,)
        :math:`\mu^o_i` of the dynamical species, in the order of ``net.species``.
    delta_mu0 : ndarray, shape (M,)
        :math:`\Delta\mu^o_\ell = \ln(k^{\rm eff}_{-\ell}/k^{\rm eff}_{+\ell})`, the data.
    conservation_laws : ndarray of int, shape (K, N)
        :math:`L`; :math:`\mu^o + L^T c` fits the data equally well for every :math:`c`.
    gauge : str
        How :math:`c` was fixed: ``"orthogonal"`` (:math:`L\mu^o = 0`) or a description of the
        reference values.
    residual : float
        :math:`\max_\ell|\nu_\ell\cdot\mu^o - \Delta\mu^o_\ell|`, round-off when the
        Wegscheider conditions hold.
    """

    mu0: np.ndarray
    delta_mu0: np.ndarray
    conservation_laws: np.ndarray
    gauge: str
    residual: float


class Eq9Residuals(NamedTuple):
    r"""Ge–Qian Eq. 9 as printed and as it should read, per reaction, shape (..., M).

    Attributes
    ----------
    printed : ndarray
        :math:`\ln(R_{+\ell}/R_{-\ell}) - \exp(-\nu_\ell\cdot\nabla\varphi)` (Eq. 9 as printed).
    corrected : ndarray
        :math:`\ln(R_{+\ell}/R_{-\ell}) + \nu_\ell\cdot\nabla\varphi`, i.e. the logarithm of
        :math:`R_{+\ell}/R_{-\ell} = \exp(-\nu_\ell\cdot\nabla\varphi)`.
    """

    printed: np.ndarray
    corrected: np.ndarray


def _log_constant_ratio(net: Network) -> np.ndarray:
    """ln(k_eff_minus / k_eff_plus), shape (M,), after checking that it is finite."""
    net.require_mass_action("The standard potentials (Ge–Qian Eq. 9)")
    net.require_reversible("The standard potentials (Ge–Qian Eq. 9)")
    kp, km = net.effective_k_plus, net.effective_k_minus
    bad = [l for l in range(net.M) if not (kp[l] > 0 and km[l] > 0)]
    if bad:
        raise ValueError(
            "The standard potentials need k+ > 0 and k- > 0 (chemostat concentrations "
            "included) for every reaction; ln(k-/k+) is infinite for: "
            + "; ".join(net.reactions[l].text() for l in bad))
    return np.log(km) - np.log(kp)


def _violated_cycle_text(net: Network, b: np.ndarray) -> str:
    """Describe the Wegscheider cycle that the log-ratios ``b`` violate most."""
    from .. import crnt  # late: crnt is a sibling of thermo, and only needed on failure

    K = np.asarray(crnt.wegscheider_cycles(net))
    sums = K @ b
    c = int(np.argmax(np.abs(sums)))
    terms = [f"{int(m):+d} x ({net.reactions[l].text()})" for l, m in enumerate(K[c]) if m]
    return (f"the cycle {' '.join(terms)} has sum of ln(k+/k-) = {-sums[c]:.6g}, not 0")


def standard_potentials(net: Network, gauge: str | Mapping[str, float] = "orthogonal",
                        rtol: float = 1e-10) -> StandardPotentials:
    r"""Standard potentials :math:`\mu^o` from the rate constants (Ge–Qian, after Eq. 9).

    Solves, in units of :math:`k_BT`,

    .. math::

        \sum_{i=1}^N \nu_{\ell i}\,\mu^o_i = \Delta\mu^o_\ell
        = \ln\frac{k_{-\ell}}{k_{+\ell}}, \qquad \ell = 1, \dots, M,

    with the effective constants (chemostat concentrations folded in). The system
    :math:`\nu\mu^o = \Delta\mu^o` is solvable iff :math:`\Delta\mu^o` is orthogonal to every
    cycle :math:`\kappa` of the stoichiometry (:math:`\kappa\nu = 0`), i.e. iff Wegscheider's
    conditions :math:`\sum_\ell\kappa_\ell\ln(k_{+\ell}/k_{-\ell}) = 0` hold, which for mass
    action is detailed balance. The solution is unique up to :math:`\mu^o + L^T c`
    (:math:`L` = ``net.conservation_laws()``), which changes :math:`G` by :math:`c\cdot Lx`,
    a constant on each compatibility class.

    Parameters
    ----------
    net : Network
        Mass action, every reaction reversible with :math:`k_\pm > 0`.
    gauge : "orthogonal" or mapping {species name: value}
        ``"orthogonal"``: the minimum-norm solution, :math:`L\mu^o = 0`. A mapping fixes the
        potentials of exactly K species (K = number of conservation laws) to the given values;
        the restriction of :math:`L` to their columns must be invertible (e.g. ``{"A": 0.0}``
        for A ⇌ B ⇌ C). Networks without conservation laws have a unique :math:`\mu^o`; then
        only ``"orthogonal"`` or an empty mapping is accepted.
    rtol : float
        Wegscheider's conditions are accepted when
        :math:`\max_\ell|\nu_\ell\cdot\mu^o - \Delta\mu^o_\ell| \le` ``rtol`` ·
        :math:`\max(1, \max_\ell|\Delta\mu^o_\ell|)`. The data carry a rounding error of about
        :math:`\epsilon\,|\ln k|` and the least-squares solve adds
        :math:`\epsilon\,\mathrm{cond}(\nu)\,|\Delta\mu^o|` (:math:`\epsilon = 2.2\times10^{-16}`);
        the default ``1e-10`` leaves a margin of :math:`10^5` over both for the small integer
        stoichiometries of chemistry.

    Returns
    -------
    StandardPotentials

    Raises
    ------
    DetailedBalanceError
        (a ``ValueError``) naming the violated cycle when the conditions fail.

    Examples
    --------
    >>> import mesothermo as mt
    >>> from mesothermo.thermo.gibbs import standard_potentials
    >>> sp = standard_potentials(mt.models.closed_chain(k1=2.0, km1=1.0, k2=1.0, km2=3.0),
    ...                          gauge={"A": 0.0})
    >>> [round(float(v), 6) for v in sp.mu0]   # ln(1/2), then + ln(3/1)
    [0.0, -0.693147, 0.405465]
    """
    check_network(net)
    rtol = check_positive_real(rtol, "rtol")
    b = _log_constant_ratio(net)
    nu = np.asarray(net.nu, float)
    L = net.conservation_laws()
    mu0, *_ = np.linalg.lstsq(nu, b, rcond=None)  # minimum norm: orthogonal to null(nu)
    if L.shape[0]:  # remove the rounding component along L, so that L mu0 = 0 to round-off
        Lf = L.astype(float)
        mu0 = mu0 - Lf.T @ np.linalg.solve(Lf @ Lf.T, Lf @ mu0)
    residual = float(np.max(np.abs(nu @ mu0 - b)))
    if residual > rtol * max(1.0, float(np.max(np.abs(b)))):
        raise DetailedBalanceError(
            "No standard potentials fit ln(k-/k+): Wegscheider's conditions (detailed balance) "
            f"fail; {_violated_cycle_text(net, b)}. Least-squares residual {residual:.3g}.")
    desc = "orthogonal"
    if isinstance(gauge, str):
        if gauge != "orthogonal":
            raise ValueError(f"`gauge` must be 'orthogonal' or a mapping {{species: value}}; "
                             f"got {gauge!r}.")
        if L.shape[0]:
            desc = "orthogonal: L mu0 = 0 for every conservation law L"
        else:
            desc = "none needed (no conservation laws)"
    elif isinstance(gauge, Mapping):
        mu0, desc = _apply_gauge(net, mu0, L, gauge)
    else:
        raise TypeError(f"`gauge` must be 'orthogonal' or a mapping {{species: value}}; got "
                        f"{type(gauge).__name__}.")
    for arr in (mu0, b):
        arr.setflags(write=False)
    return StandardPotentials(mu0, b, L, desc, residual)


def _apply_gauge(net: Network, mu0: np.ndarray, L: np.ndarray,
                 gauge: Mapping[str, float]) -> tuple[np.ndarray, str]:
    """Shift ``mu0`` along L^T so that the named species take the given values."""
    K = L.shape[0]
    if len(gauge) != K:
        raise ValueError(f"`gauge` must fix exactly {K} species (one per conservation law, "
                         f"L = {L.tolist()} over {list(net.species)}); got {len(gauge)}.")
    if K == 0:
        return mu0, "none needed (no conservation laws)"
    cols, values = [], []
    for name, value in gauge.items():
        if not isinstance(name, str) or name not in net.species:
            raise ValueError(f"`gauge` keys must be species of `net` {list(net.species)}; "
                             f"got {name!r}.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not np.isfinite(value):
            raise ValueError(f"`gauge[{name!r}]` must be a finite number; got {value!r}.")
        cols.append(net.species_index(name))
        values.append(float(value))
    A = L[:, cols].astype(float).T  # (K, K): (L^T c)[cols] = A c
    if abs(np.linalg.det(A)) < 0.5:  # integer matrix: singular iff det = 0
        raise ValueError(f"`gauge` species {list(gauge)} do not fix the gauge: the conservation "
                         f"laws L = {L.tolist()} restricted to them are singular; choose "
                         "species that the conservation laws tell apart.")
    c = np.linalg.solve(A, np.array(values) - mu0[cols])
    out = mu0 + L.T.astype(float) @ c
    out[cols] = values  # exact, not round-off close
    desc = "reference: " + ", ".join(f"mu0[{n}] = {v:g}" for n, v in zip(gauge, values))
    return out, desc


def _mu0_for(net: Network, mu0) -> np.ndarray:
    if mu0 is None:
        return np.asarray(standard_potentials(net).mu0)
    if isinstance(mu0, StandardPotentials):
        mu0 = mu0.mu0
    try:
        arr = np.asarray(mu0, float)
    except (TypeError, ValueError):
        raise TypeError(f"`mu0` must be an array of {net.N} standard potentials or a "
                        f"StandardPotentials; got {type(mu0).__name__}.") from None
    if arr.shape != (net.N,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"`mu0` must hold {net.N} finite numbers (one per species "
                         f"{list(net.species)}); got shape {arr.shape}.")
    return arr


def gibbs_function(net: Network, x, mu0=None) -> np.ndarray:
    r"""The Gibbs function of an ideal solution, in units of :math:`k_BT` per volume.

    .. math::

        G(x) = \sum_{i=1}^N x_i\,(\mu^o_i + \ln x_i - 1)

    For a detailed-balanced mass-action network, :math:`G - G(x^{eq})` is
    :math:`\varphi^{ss}` on the compatibility class of :math:`x^{eq}` (Ge–Qian, after Eq. 9,
    with the :math:`-x_i` term that the seed's printed form lacks; compare
    :func:`gibbs_function_seed`). :math:`x_i\ln x_i = 0` at :math:`x_i = 0`.

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
        Concentrations, non-negative.
    mu0 : array_like (N,) or StandardPotentials, optional
        Default: :func:`standard_potentials` ``(net)`` (orthogonal gauge).

    Returns
    -------
    ndarray, shape (...)
    """
    check_network(net)
    x = check_concentrations(x, net.N, "x")
    m = _mu0_for(net, mu0)
    return np.sum(x * (m - 1.0) + xlogy(x, x), axis=-1)


def gibbs_function_seed(net: Network, x, mu0=None) -> np.ndarray:
    r"""The Gibbs function as the seed prints it, :math:`\sum_i x_i(\mu^o_i + \ln x_i)`.

    Ge–Qian's abstract; the text's :math:`G/k_BT = \sum_i x_i(\mu^o_i + k_BT\ln x_i)` is the
    same expression in units :math:`k_BT = 1` (with :math:`k_BT \ne 1` it mixes units). It
    lacks the :math:`-x_i` of :func:`gibbs_function`: the difference :math:`\sum_i x_i` is
    constant on a compatibility class only when every reaction conserves the number of
    molecules. Kept for comparison; the chapter shows where it fails.

    Parameters and returns as :func:`gibbs_function`.
    """
    check_network(net)
    x = check_concentrations(x, net.N, "x")
    m = _mu0_for(net, mu0)
    return np.sum(x * m + xlogy(x, x), axis=-1)


def chemical_potentials(net: Network, x, mu0=None) -> np.ndarray:
    r""":math:`\mu_i(x) = \partial G/\partial x_i = \mu^o_i + \ln x_i` (units of :math:`k_BT`).

    Parameters
    ----------
    net : Network
    x : array_like, shape (..., N)
        Concentrations, positive.
    mu0 : array_like (N,) or StandardPotentials, optional
        As :func:`gibbs_function`.

    Returns
    -------
    ndarray, shape (..., N)
    """
    check_network(net)
    x = check_concentrations(x, net.N, "x")
    if np.any(x <= 0):
        raise ValueError("`x` must be positive: the chemical potential ln x_i is -inf at 0.")
    return _mu0_for(net, mu0) + np.log(x)


def delta_mu(net: Network, x, V: float | None = None) -> np.ndarray:
    r"""The reaction free energies :math:`\Delta\mu_\ell(x) = \ln(R_{-\ell}(x)/R_{+\ell}(x))`.

    In units of :math:`k_BT` (Ge–Qian, after Eq. 9). For a detailed-balanced mass-action
    network it equals :math:`\nu_\ell\cdot\nabla G(x)`; it needs no detailed balance, and for
    general rate laws (pass ``V``) it is evaluated at that volume.

    Parameters
    ----------
    net : Network
        Every reaction reversible.
    x : array_like, shape (..., N)
        Concentrations at which every :math:`R_{\pm\ell} > 0`.
    V : float, optional
        Volume, needed only for general rate laws.

    Returns
    -------
    ndarray, shape (..., M)
    """
    check_network(net)
    net.require_reversible("Delta mu (Ge–Qian Eq. 9)")
    V = check_volume_for(net, V)
    x = check_concentrations(x, net.N, "x")
    Rp, Rm = net.rates(x, V)
    if np.any(Rp <= 0) or np.any(Rm <= 0):
        raise ValueError("`x` must give R+ > 0 and R- > 0 for every reaction (ln(R-/R+) is "
                         "infinite otherwise); some concentration or chemostat is zero.")
    return np.log(Rm) - np.log(Rp)


def delta_mu_standard(net: Network) -> np.ndarray:
    r""":math:`\Delta\mu^o_\ell = \ln(k^{\rm eff}_{-\ell}/k^{\rm eff}_{+\ell})`, shape (M,),
    units of :math:`k_BT` (Ge–Qian, after Eq. 9)."""
    check_network(net)
    return _log_constant_ratio(net)


def eq9_residuals(net: Network, x, grad_phi, V: float | None = None) -> Eq9Residuals:
    r"""Both sides of Ge–Qian Eq. 9, as printed and corrected, at the points ``x``.

    Printed:

    .. math:: \ln\frac{R_{+\ell}(x)}{R_{-\ell}(x)} = \exp(-\nu_\ell\cdot\nabla\varphi(x))

    Corrected (the statement of detailed balance, :math:`R_{+\ell}e^{\nu_\ell\cdot\nabla
    \varphi} = R_{-\ell}`, which makes every term of Eq. 6 and of the cmf, Eq. 7d, vanish):

    .. math:: \frac{R_{+\ell}(x)}{R_{-\ell}(x)} = \exp(-\nu_\ell\cdot\nabla\varphi(x)),
              \quad\text{i.e.}\quad \ln\frac{R_{+\ell}}{R_{-\ell}} + \nu_\ell\cdot\nabla\varphi = 0.

    Parameters
    ----------
    net : Network
        Every reaction reversible.
    x : array_like, shape (..., N)
    grad_phi : array_like, shape (..., N)
        :math:`\nabla\varphi(x)`, e.g. :func:`chemical_potentials` (the gradient of
        :func:`gibbs_function`).
    V : float, optional
        Volume, needed only for general rate laws.

    Returns
    -------
    Eq9Residuals
        ``printed`` and ``corrected``, each of shape (..., M): left side minus right side.
    """
    dmu = delta_mu(net, x, V)  # validates net and x
    g = check_concentrations(grad_phi, net.N, "grad_phi", nonnegative=False)
    proj = g @ np.asarray(net.nu, float).T  # nu_l . grad phi, (..., M)
    log_ratio = -dmu
    return Eq9Residuals(log_ratio - np.exp(-proj), log_ratio + proj)


def cycle_affinity(net: Network, x=None, V: float | None = None) -> np.ndarray:
    r"""The affinities of the cycles of the stoichiometry, in units of :math:`k_BT`.

    .. math::

        \mathcal A_c(x) = \sum_{\ell=1}^M \kappa_{c\ell}\,
            \ln\frac{R_{+\ell}(x)}{R_{-\ell}(x)}
          = -\sum_\ell \kappa_{c\ell}\,\Delta\mu_\ell(x),

    with :math:`\kappa_c` the integer cycle basis of :func:`mesothermo.crnt.wegscheider_cycles`
    (:math:`\sum_\ell\kappa_{c\ell}\nu_\ell = 0`). For mass action the concentrations cancel,
    :math:`\mathcal A_c = \sum_\ell\kappa_{c\ell}\ln(k^{\rm eff}_{+\ell}/k^{\rm eff}_{-\ell})`, the
    quantity in Wegscheider's conditions: the free energy that one turn of the cycle takes from
    the chemostats (Ge–Qian, after Eq. 9: detailed balance iff every affinity vanishes). At a
    steady state of a network with one cycle, every reaction carries the same current
    :math:`J` and :math:`\sigma = J\mathcal A`.

    Parameters
    ----------
    net : Network
        Every reaction reversible.
    x : array_like, shape (..., N), optional
        Where to evaluate the log-ratios. Optional for mass action (the result does not depend
        on it), required for general rate laws (with ``V``).
    V : float, optional
        Volume, needed only for general rate laws.

    Returns
    -------
    ndarray, shape (..., K)
        One affinity per cycle (K = 0 for networks without cycles).

    Examples
    --------
    >>> import mesothermo as mt
    >>> from mesothermo.thermo.gibbs import cycle_affinity
    >>> net = mt.models.driven_cycle(atp=10.0)   # K_eq = 1 for unit constants
    >>> [round(float(a), 6) for a in cycle_affinity(net)]   # ln 10
    [2.302585]
    """
    from .. import crnt  # late: crnt is a sibling of thermo

    check_network(net)
    K = np.asarray(crnt.wegscheider_cycles(net), float)
    if x is None:
        if not net.is_mass_action:
            raise ValueError("`x` is required: with general rate laws the log-ratios "
                             "ln(R+/R-) depend on the concentrations.")
        return K @ (-_log_constant_ratio(net))
    return -delta_mu(net, x, V) @ K.T
