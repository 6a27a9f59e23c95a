r"""Schlitter's energy-exchange master equation on an exact energy grid (Schlitter Eqs. 5–8).

A classical particle of kinetic energy :math:`E \ge 0` takes up a quantum :math:`\Delta E` at
rate :math:`w^+` and releases one at rate :math:`w^-` when :math:`E \ge \Delta E`
(Schlitter Eqs. 5–6). Its energy density :math:`P(E,t)` obeys Eq. 7,

.. math::

    \dot P(E) = -\bigl(w^+ + \Theta w^-\bigr) P(E) + \Theta\, w^+ P(E-\Delta E)
                + w^- P(E+\Delta E), \qquad \Theta = \Theta(E-\Delta E),

and the mean energy is held fixed by Eq. 8,

.. math::

    w^- \int_{\Delta E}^\infty P\,dE = w^+ \int_0^\infty P\,dE
    \quad\Longrightarrow\quad \frac{w^+}{w^-} = \varphi(t) = \int_{\Delta E}^\infty P(E,t)\,dE ,

which makes the equation nonlinear. (The sentence before Eq. 8 defines
:math:`\varphi = w^-/w^+`; that is a typo: :math:`d\langle E\rangle/dt =
\Delta E\,(w^+ - w^-\varphi)` vanishes only for :math:`w^+ = w^-\varphi`. Both readings are
available here as ``rule="eq8"`` and ``rule="sentence"`` so that the chapter can show it.)

The exact grid
--------------
Cut :math:`[0, E_{\max})` into cells of width :math:`h = \Delta E/m`. A shift by
:math:`\pm\Delta E` maps cell :math:`k` onto cell :math:`k \pm m`, and :math:`\Theta` is
constant on every cell, so the cell probabilities :math:`p_k = \int_{kh}^{(k+1)h} P\,dE` obey
*exactly*

.. math::

    \dot p_k = -\bigl(w^+ + [k \ge m]\,w^-\bigr) p_k + [k \ge m]\,w^+ p_{k-m} + w^- p_{k+m}.

Nothing is approximated except the truncation at :math:`E_{\max} = Kh`: uptake from the top
:math:`m` cells leaves the grid. That flux is integrated alongside (``leak_mass``, and the
energy it carries, ``leak_energy``), and Eq. 8 is applied as printed, with
:math:`\int_0^\infty P\,dE` the mass still on the grid, so that *grid + leak* conserves both
probability and energy identically; Runge–Kutta methods preserve such linear invariants to
rounding. A density that is uniform within each cell stays so (the position inside a cell is
never changed by a jump), so entropies computed from the cell masses are exact as well.

Several quanta :math:`\Delta E_i = m_i h` (each an integer number of cells) may act together,
each with its own :math:`w_i^-` and Eq. 8 applied channel by channel,
:math:`w_i^+ = w_i^-\varphi_i`, :math:`\varphi_i = \int_{\Delta E_i}^\infty P\,dE`.

Density-of-states corrected rates
---------------------------------
In :math:`d` dimensions the Maxwell–Boltzmann energy density is
:math:`g_d(E)e^{-\beta E}/Z` with :math:`g_d \propto E^{d/2-1}`; Eq. 7 with constant rates
has the stationary ratio :math:`P(E+\Delta E)/P(E) = w^+/w^-`, which is Maxwell–Boltzmann
only for :math:`d = 2`. :func:`~mesothermo.energy_exchange.maxwell_boltzmann_rates` (module
:mod:`.corrected_rates`) gives the energy-dependent rates that satisfy detailed balance with
respect to :math:`g_d(E)e^{-\beta E}`, and
:func:`~mesothermo.energy_exchange.maxwell_boltzmann_generator` their exact cell version.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .._validation import (check_choice, check_nonnegative_real, check_positive_int,
                           check_positive_real, check_times)
from ._dopri import dopri45

__all__ = ["EnergyGrid", "energy_grid", "EnergyEvolution", "as_quanta", "uniform_density",
           "mean_energy", "phi", "uptake_rates", "time_derivative", "generator", "evolve", "RULES"]

#: The readings of the mean-energy rule: Eq. 8 (w+ = w- phi), the sentence before it
#: (phi = w-/w+, i.e. w+ = w-/phi), or a fixed ratio given as a number (a linear equation).
RULES = ("eq8", "sentence")

#: Relative tolerance within which ``dE / h`` must be an integer.
_DIVISOR_RTOL = 1e-9


@dataclass(frozen=True)
class EnergyGrid:
    """Cells :math:`[kh, (k+1)h)`, :math:`k = 0, \\dots, K-1`, of the energy axis.

    Parameters
    ----------
    h : float
        Cell width (energy units), > 0.
    n_cells : int
        Number of cells :math:`K`; the grid ends at :math:`E_{\\max} = Kh`.
    """

    h: float
    n_cells: int

    def __post_init__(self):
        object.__setattr__(self, "h", check_positive_real(self.h, "h"))
        object.__setattr__(self, "n_cells", check_positive_int(self.n_cells, "n_cells", 2))

    @property
    def edges(self) -> np.ndarray:
        """Cell edges, shape (K + 1,)."""
        return self.h * np.arange(self.n_cells + 1)

    @property
    def centers(self) -> np.ndarray:
        """Mean energy of each cell under a uniform density, :math:`(k + 1/2) h`, shape (K,)."""
        return self.h * (np.arange(self.n_cells) + 0.5)

    @property
    def e_max(self) -> float:
        """Upper end :math:`E_{\\max} = Kh` of the grid."""
        return self.h * self.n_cells

    def cells(self, dE, name: str = "dE") -> int:
        """The number of cells :math:`m = \\Delta E / h` in a quantum; it must be an integer
        between 1 and K - 1 (the grid width must divide the quantum)."""
        dE = check_positive_real(dE, name)
        ratio = dE / self.h
        m = int(round(ratio))
        if m < 1 or abs(ratio - m) > _DIVISOR_RTOL * max(ratio, 1.0):
            raise ValueError(f"`{name}` must be an integer multiple of the cell width "
                             f"h = {self.h:g} (the grid width must divide the quantum); "
                             f"got {name} / h = {ratio:.10g}.")
        if m >= self.n_cells:
            raise ValueError(f"`{name}` = {dE:g} spans {m} cells, the whole grid of "
                             f"{self.n_cells}; extend the grid.")
        return m

    def check_density(self, P, name: str = "P0", atol: float = 1e-9) -> np.ndarray:
        """Return ``P`` as a float array of shape (K,) after checking it is a probability law
        on the cells: finite, >= 0, summing to 1 within ``atol``."""
        try:
            arr = np.asarray(P, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`{name}` must be an array of {self.n_cells} cell probabilities."
                            ) from None
        if arr.shape != (self.n_cells,):
            raise ValueError(f"`{name}` must have shape ({self.n_cells},), one probability per "
                             f"cell of the grid; got shape {arr.shape}.")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"`{name}` must hold finite probabilities >= 0.")
        if abs(arr.sum() - 1.0) > atol:
            raise ValueError(f"`{name}` must sum to 1 (a probability law on the cells); got "
                             f"{arr.sum():.12g}.")
        return arr


def energy_grid(dE: float, m: int, e_max: float) -> EnergyGrid:
    """The grid of cell width :math:`h = \\Delta E/m` covering :math:`[0, E_{\\max}]`.

    Parameters
    ----------
    dE : float
        The quantum :math:`\\Delta E` (> 0); further quanta must be integer multiples of h.
    m : int
        Cells per quantum (>= 1).
    e_max : float
        The grid covers at least :math:`[0, E_{\\max})`: :math:`K = \\lceil E_{\\max}/h\\rceil`.

    Examples
    --------
    >>> g = energy_grid(0.5, 4, 20.0)
    >>> g.h, g.n_cells, g.cells(0.5)
    (0.125, 160, 4)
    """
    dE = check_positive_real(dE, "dE")
    m = check_positive_int(m, "m")
    e_max = check_positive_real(e_max, "e_max")
    h = dE / m
    n = int(math.ceil(e_max / h - 1e-9))
    if n <= m:
        raise ValueError(f"`e_max` must exceed the quantum dE = {dE:g}; got {e_max:g}.")
    return EnergyGrid(h, n)


class EnergyEvolution(NamedTuple):
    """A solution of the grid master equation at the requested times.

    Attributes
    ----------
    t : ndarray (T,)
    P : ndarray (T, K)
        Cell probabilities.
    phi : ndarray (T, n_quanta)
        :math:`\\varphi_i(t)`, the mass at :math:`E \\ge \\Delta E_i` over the mass on the grid.
    w_plus : ndarray (T, n_quanta)
        The uptake rates in force.
    mass : ndarray (T,)
        :math:`\\sum_k p_k` (1 minus ``leak_mass``).
    mean_energy : ndarray (T,)
        :math:`\\sum_k (k+\\tfrac12)h\\,p_k`, the energy on the grid.
    leak_mass, leak_energy : ndarray (T,)
        Probability, and the energy it carried, that left the grid through uptake from the top
        cells, integrated from 0 to t.
    method : str
        The integrator and its tolerances.
    nfev : int
        Right-hand-side evaluations.
    """

    t: np.ndarray
    P: np.ndarray
    phi: np.ndarray
    w_plus: np.ndarray
    mass: np.ndarray
    mean_energy: np.ndarray
    leak_mass: np.ndarray
    leak_energy: np.ndarray
    method: str
    nfev: int


def _readonly(a):
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def as_quanta(grid: EnergyGrid, dE, w_minus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check quanta and release rates; return (dE_i, m_i, w_i^-) as arrays.

    ``dE`` is one quantum or a sequence of them (each an integer number of cells of ``grid``);
    ``w_minus`` one rate >= 0 for all or one per quantum.
    """
    if not isinstance(grid, EnergyGrid):
        raise TypeError(f"`grid` must be an EnergyGrid; got {type(grid).__name__}.")
    dEs = np.atleast_1d(np.asarray(dE, dtype=object))
    if dEs.ndim != 1 or dEs.size == 0:
        raise ValueError("`dE` must be a quantum or a non-empty 1-D sequence of quanta.")
    dEs = [check_positive_real(v, "dE") for v in dEs]
    ms = np.array([grid.cells(v) for v in dEs], dtype=np.int64)
    if isinstance(w_minus, numbers.Real) or np.ndim(w_minus) == 0:
        ws = [check_nonnegative_real(w_minus, "w_minus", "rate")] * len(dEs)
    else:
        ws = [check_nonnegative_real(v, "w_minus", "rate") for v in np.asarray(w_minus).ravel()]
        if len(ws) != len(dEs):
            raise ValueError(f"`w_minus` must be one rate or one per quantum ({len(dEs)}); "
                             f"got {len(ws)}.")
    return np.array(dEs, float), ms, np.array(ws, float)


def _check_rule(rule):
    if isinstance(rule, str):
        return check_choice(rule, RULES, "rule")
    if isinstance(rule, bool) or not isinstance(rule, numbers.Real):
        raise TypeError(f"`rule` must be one of {RULES} or a fixed ratio w+/w- in [0, 1]; "
                        f"got {type(rule).__name__}.")
    value = check_nonnegative_real(rule, "rule", "ratio")
    return value


def uniform_density(grid: EnergyGrid, a: float, b: float) -> np.ndarray:
    """Cell probabilities of the uniform density on :math:`[a, b]` (exact overlaps).

    Examples
    --------
    >>> g = EnergyGrid(0.25, 8)
    >>> uniform_density(g, 0.5, 1.0).tolist()
    [0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0]
    """
    a = check_nonnegative_real(a, "a", "energy")
    b = check_positive_real(b, "b")
    if not b > a:
        raise ValueError(f"`b` must exceed `a`; got a = {a:g}, b = {b:g}.")
    if b > grid.e_max:
        raise ValueError(f"`b` must lie on the grid (<= {grid.e_max:g}); got {b:g}.")
    e = grid.edges
    overlap = np.clip(np.minimum(e[1:], b) - np.maximum(e[:-1], a), 0.0, None)
    return overlap / (b - a)


def mean_energy(grid: EnergyGrid, P) -> np.ndarray:
    """:math:`\\langle E\\rangle = \\sum_k (k+\\tfrac12)h\\,p_k` for a density uniform within
    cells; ``P`` of shape (..., K)."""
    return np.asarray(P, float) @ grid.centers


def phi(grid: EnergyGrid, P, dE) -> np.ndarray:
    """Eq. 8's :math:`\\varphi = \\int_{\\Delta E}^\\infty P\\,dE / \\int_0^\\infty P\\,dE` on the
    grid; ``P`` of shape (..., K)."""
    m = grid.cells(dE)
    P = np.asarray(P, float)
    return P[..., m:].sum(axis=-1) / P.sum(axis=-1)


def _w_plus(P, ms, ws, rule):
    total = P.sum()
    fr = np.array([P[m:].sum() for m in ms]) / total
    if isinstance(rule, str):
        if rule == "eq8":
            return ws * fr, fr
        with np.errstate(divide="ignore"):
            return np.where(fr > 0, ws / np.where(fr > 0, fr, 1.0), np.inf), fr
    return ws * rule, fr


def _rhs(P, ms, ws, rule, centers, dEs):
    """dp/dt, d(leak mass)/dt, d(leak energy)/dt of the grid equation (unvalidated)."""
    wp, _ = _w_plus(P, ms, ws, rule)
    K = P.size
    dp = np.zeros_like(P)
    dlm = 0.0
    dle = 0.0
    for m, wm, wpl, de in zip(ms, ws, wp, dEs):
        dp -= wpl * P
        dp[m:] += wpl * P[:-m]
        rel = wm * P[m:]
        dp[m:] -= rel
        dp[:-m] += rel
        top = P[K - m:]
        dlm += wpl * top.sum()
        dle += wpl * (top @ (centers[K - m:] + de))
    return dp, dlm, dle


def uptake_rates(grid: EnergyGrid, P, dE, w_minus=1.0, rule="eq8") -> np.ndarray:
    """The uptake rates :math:`w_i^+` that ``rule`` gives at the law ``P`` (one per quantum).

    ``rule="eq8"``: :math:`w^+ = w^-\\varphi` (Eq. 8, conserves the mean energy);
    ``rule="sentence"``: :math:`w^+ = w^-/\\varphi` (the sentence before Eq. 8 read literally);
    a number :math:`r`: :math:`w^+ = r\\,w^-` fixed (a linear equation).
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    P = grid.check_density(P, "P", atol=np.inf)
    return _w_plus(P, ms, ws, _check_rule(rule))[0]


def time_derivative(grid: EnergyGrid, P, dE, w_minus=1.0, rule="eq8") -> np.ndarray:
    """The right side of Eq. 7 on the grid, :math:`\\dot p_k`, with the uptake rates from
    ``rule`` (see :func:`uptake_rates`); the leak through the top cells included.

    Returns
    -------
    ndarray (K,)
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    P = grid.check_density(P, "P", atol=np.inf)
    return _rhs(P, ms, ws, _check_rule(rule), grid.centers, dEs)[0]


def generator(grid: EnergyGrid, dE, w_minus, w_plus, truncation: str = "leak") -> sp.csr_matrix:
    """The sparse generator of Eq. 7 at fixed rates (the linear equation at fixed
    :math:`\\varphi`), in :mod:`mesothermo.markov`'s convention: ``Q[j, i]`` the rate of
    cell i -> cell j, :math:`\\dot P = QP`.

    Parameters
    ----------
    grid : EnergyGrid
    dE, w_minus : float or sequence
        The quanta and their release rates (see :func:`as_quanta`).
    w_plus : float or sequence
        Uptake rates, one for all quanta or one per quantum.
    truncation : {"leak", "reflect"}
        ``"leak"``: uptake from the top cells leaves the grid (columns there sum to
        :math:`-w^+`), exactly the equation :func:`evolve` integrates at that instant;
        ``"reflect"``: those jumps are removed, so columns sum to zero.
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    _, _, wps = as_quanta(grid, dE, w_plus)
    check_choice(truncation, ("leak", "reflect"), "truncation")
    K = grid.n_cells
    k = np.arange(K)
    rows, cols, vals = [], [], []
    diag = np.zeros(K)
    for m, wm, wp in zip(ms, ws, wps):
        up_src = k[: K - m]
        rows.append(up_src + m)
        cols.append(up_src)
        vals.append(np.full(up_src.size, wp))
        diag[: K - m] -= wp
        if truncation == "leak":
            diag[K - m:] -= wp
        dn_src = k[m:]
        rows.append(dn_src - m)
        cols.append(dn_src)
        vals.append(np.full(dn_src.size, wm))
        diag[m:] -= wm
    rows.append(k)
    cols.append(k)
    vals.append(diag)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(K, K))


def evolve(grid: EnergyGrid, P0, times, dE, w_minus=1.0, rule="eq8", rtol: float = 1e-10,
           atol: float = 1e-14) -> EnergyEvolution:
    r"""Integrate Eqs. 7–8 on the exact grid (adaptive Dormand–Prince 5(4)).

    The state is the K cell probabilities plus the integrated leak (mass and energy); with
    ``rule="eq8"`` *grid + leak* conserves probability and energy identically, so the
    Runge–Kutta method keeps both to rounding whatever its step (its local error, controlled by
    ``rtol`` and ``atol`` per component, affects only how the law moves). The rates are bounded
    by :math:`2\sum_i w_i^-`, so the system is not stiff and an explicit method suits it; the
    scheme is written with elementwise NumPy (no BLAS threads), about 6 right-hand sides per
    step of length ~1/w^-.

    Parameters
    ----------
    grid : EnergyGrid
    P0 : array_like (K,)
        Initial cell probabilities (sum 1).
    times : array_like
        Non-decreasing output times, from 0 on.
    dE : float or sequence
        The quantum or quanta, each an integer number of cells.
    w_minus : float or sequence, default 1
        Release rates :math:`w_i^-` (>= 0).
    rule : {"eq8", "sentence"} or float
        The mean-energy rule (see :func:`uptake_rates`).
    rtol, atol : float
        Local error tolerances of the integrator (per cell probability).

    Returns
    -------
    EnergyEvolution

    Examples
    --------
    >>> g = energy_grid(1.0, 2, 60.0)
    >>> P0 = uniform_density(g, 3.0, 3.5)
    >>> sol = evolve(g, P0, [0.0, 5.0], 1.0)
    >>> float(abs(sol.mean_energy[-1] + sol.leak_energy[-1] - sol.mean_energy[0])) < 1e-12
    True
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    P0 = grid.check_density(P0)
    t = check_times(times)
    rule = _check_rule(rule)
    rtol = check_positive_real(rtol, "rtol")
    atol = check_positive_real(atol, "atol")
    K = grid.n_cells
    centers = grid.centers

    def f(y):
        dp, dlm, dle = _rhs(y[:K], ms, ws, rule, centers, dEs)
        out = np.empty(K + 2)
        out[:K] = dp
        out[K] = dlm
        out[K + 1] = dle
        return out

    y0 = np.concatenate([P0, [0.0, 0.0]])
    rate = 2.0 * float(ws.sum()) + 1e-300
    Y, nfev = dopri45(f, y0, t, rtol, atol, h0=0.1 / rate)
    P = Y[:, :K]
    fr = np.stack([P[:, m:].sum(axis=1) for m in ms], axis=1) / P.sum(axis=1, keepdims=True)
    wp = np.stack([_w_plus(row, ms, ws, rule)[0] for row in P])
    return EnergyEvolution(
        t=_readonly(t), P=_readonly(P), phi=_readonly(fr), w_plus=_readonly(wp),
        mass=_readonly(P.sum(axis=1)), mean_energy=_readonly(P @ centers),
        leak_mass=_readonly(Y[:, K].copy()), leak_energy=_readonly(Y[:, K + 1].copy()),
        method=f"Dormand-Prince 5(4), rtol={rtol:g}, atol={atol:g}", nfev=nfev)
