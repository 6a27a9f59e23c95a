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
only for :math:`d = 2`. :func:`maxwell_boltzmann_rates` gives the energy-dependent rates that
satisfy detailed balance with respect to :math:`g_d(E)e^{-\beta E}`, and
:func:`maxwell_boltzmann_generator` their exact cell version.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.special import gammainc

from .._validation import (check_choice, check_nonnegative_real, check_positive_int,
                           check_positive_real, check_times)

__all__ = ["EnergyGrid", "energy_grid", "EnergyEvolution", "RatePair", "as_quanta",
           "uniform_density", "mean_energy", "phi", "uptake_rates", "time_derivative",
           "generator", "evolve", "maxwell_boltzmann_rates", "maxwell_boltzmann_cell_masses",
           "maxwell_boltzmann_generator", "RULES"]

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

    def check_density(self, p, name: str = "p0", atol: float = 1e-9) -> np.ndarray:
        """Return ``p`` as a float array of shape (K,) after checking it is a probability law
        on the cells: finite, >= 0, summing to 1 within ``atol``."""
        try:
            arr = np.asarray(p, dtype=float)
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


class RatePair(NamedTuple):
    """Energy-dependent jump rates: ``up[i]`` of :math:`E_i \\to E_i + \\Delta E`, ``down[i]``
    of :math:`E_i \\to E_i - \\Delta E` (zero below :math:`\\Delta E`)."""

    up: np.ndarray
    down: np.ndarray


class EnergyEvolution(NamedTuple):
    """A solution of the grid master equation at the requested times.

    Attributes
    ----------
    t : ndarray (T,)
    p : ndarray (T, K)
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
    p: np.ndarray
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


def mean_energy(grid: EnergyGrid, p) -> np.ndarray:
    """:math:`\\langle E\\rangle = \\sum_k (k+\\tfrac12)h\\,p_k` for a density uniform within
    cells; ``p`` of shape (..., K)."""
    return np.asarray(p, float) @ grid.centers


def phi(grid: EnergyGrid, p, dE) -> np.ndarray:
    """Eq. 8's :math:`\\varphi = \\int_{\\Delta E}^\\infty P\\,dE / \\int_0^\\infty P\\,dE` on the
    grid; ``p`` of shape (..., K)."""
    m = grid.cells(dE)
    p = np.asarray(p, float)
    return p[..., m:].sum(axis=-1) / p.sum(axis=-1)


def _w_plus(p, ms, ws, rule):
    total = p.sum()
    fr = np.array([p[m:].sum() for m in ms]) / total
    if isinstance(rule, str):
        if rule == "eq8":
            return ws * fr, fr
        with np.errstate(divide="ignore"):
            return np.where(fr > 0, ws / np.where(fr > 0, fr, 1.0), np.inf), fr
    return ws * rule, fr


def _rhs(p, ms, ws, rule, centers, dEs):
    """dp/dt, d(leak mass)/dt, d(leak energy)/dt of the grid equation (unvalidated)."""
    wp, _ = _w_plus(p, ms, ws, rule)
    K = p.size
    dp = np.zeros_like(p)
    dlm = 0.0
    dle = 0.0
    for m, wm, wpl, de in zip(ms, ws, wp, dEs):
        dp -= wpl * p
        dp[m:] += wpl * p[:-m]
        rel = wm * p[m:]
        dp[m:] -= rel
        dp[:-m] += rel
        top = p[K - m:]
        dlm += wpl * top.sum()
        dle += wpl * (top @ (centers[K - m:] + de))
    return dp, dlm, dle


def uptake_rates(grid: EnergyGrid, p, dE, w_minus=1.0, rule="eq8") -> np.ndarray:
    """The uptake rates :math:`w_i^+` that ``rule`` gives at the law ``p`` (one per quantum).

    ``rule="eq8"``: :math:`w^+ = w^-\\varphi` (Eq. 8, conserves the mean energy);
    ``rule="sentence"``: :math:`w^+ = w^-/\\varphi` (the sentence before Eq. 8 read literally);
    a number :math:`r`: :math:`w^+ = r\\,w^-` fixed (a linear equation).
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    p = grid.check_density(p, "p", atol=np.inf)
    return _w_plus(p, ms, ws, _check_rule(rule))[0]


def time_derivative(grid: EnergyGrid, p, dE, w_minus=1.0, rule="eq8") -> np.ndarray:
    """The right side of Eq. 7 on the grid, :math:`\\dot p_k`, with the uptake rates from
    ``rule`` (see :func:`uptake_rates`); the leak through the top cells included.

    Returns
    -------
    ndarray (K,)
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    p = grid.check_density(p, "p", atol=np.inf)
    return _rhs(p, ms, ws, _check_rule(rule), grid.centers, dEs)[0]


def generator(grid: EnergyGrid, dE, w_minus, w_plus, truncation: str = "leak") -> sp.csr_matrix:
    """The sparse generator of Eq. 7 at fixed rates (the linear equation at fixed
    :math:`\\varphi`), in :mod:`mesothermo.markov`'s convention: ``Q[j, i]`` the rate of
    cell i -> cell j, :math:`\\dot p = Qp`.

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


# Dormand–Prince 5(4) (Hairer, Nørsett & Wanner, Solving ODEs I, 2nd ed., Table 5.2): written out
# with elementwise NumPy so that no BLAS call (whose threads thrash on a busy machine) is made.
_DP_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_DP_A = ((),
         (1 / 5,),
         (3 / 40, 9 / 40),
         (44 / 45, -56 / 15, 32 / 9),
         (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
         (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
         (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_DP_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


def _dopri45(f, y0, t_out, rtol, atol, h0):
    """Adaptive Dormand–Prince 5(4), stepping exactly onto every output time (unvalidated).
    Returns (Y of shape (len(t_out), n), number of f evaluations)."""
    Y = np.empty((t_out.size, y0.size))
    Y[0] = y0
    t, y = float(t_out[0]), y0.copy()
    k1 = f(y)
    nfev, h = 1, h0
    for i in range(1, t_out.size):
        t_end = float(t_out[i])
        while t < t_end:
            last = t + h >= t_end * (1 - 1e-14) or t + h >= t_end
            step = t_end - t if last else h
            ks = [k1]
            for s in range(1, 7):
                ys = y.copy()
                for a, k in zip(_DP_A[s], ks):
                    if a:
                        ys += (step * a) * k
                ks.append(f(ys))
            nfev += 6
            err = np.zeros_like(y)
            for e, k in zip(_DP_E, ks):
                if e:
                    err += (step * e) * k
            scale = atol + rtol * np.maximum(np.abs(y), np.abs(ys))
            norm = math.sqrt(float(np.mean((err / scale) ** 2)))
            if norm <= 1.0:
                t = t_end if last else t + step
                y, k1 = ys, ks[6]  # FSAL: stage 7 is f at the new point
                fac = 5.0 if norm == 0 else min(5.0, 0.9 * norm ** -0.2)
                if not last or fac < 1:
                    h = step * max(0.2, fac)
            else:
                h = step * max(0.2, 0.9 * norm ** -0.2)
        Y[i] = y
    return Y, nfev


def evolve(grid: EnergyGrid, p0, times, dE, w_minus=1.0, rule="eq8", rtol: float = 1e-10,
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
    p0 : array_like (K,)
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
    >>> p0 = uniform_density(g, 3.0, 3.5)
    >>> sol = evolve(g, p0, [0.0, 5.0], 1.0)
    >>> float(abs(sol.mean_energy[-1] + sol.leak_energy[-1] - sol.mean_energy[0])) < 1e-12
    True
    """
    dEs, ms, ws = as_quanta(grid, dE, w_minus)
    p0 = grid.check_density(p0)
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

    y0 = np.concatenate([p0, [0.0, 0.0]])
    rate = 2.0 * float(ws.sum()) + 1e-300
    Y, nfev = _dopri45(f, y0, t, rtol, atol, h0=0.1 / rate)
    P = Y[:, :K]
    fr = np.stack([P[:, m:].sum(axis=1) for m in ms], axis=1) / P.sum(axis=1, keepdims=True)
    wp = np.stack([_w_plus(row, ms, ws, rule)[0] for row in P])
    return EnergyEvolution(
        t=_readonly(t), p=_readonly(P), phi=_readonly(fr), w_plus=_readonly(wp),
        mass=_readonly(P.sum(axis=1)), mean_energy=_readonly(P @ centers),
        leak_mass=_readonly(Y[:, K].copy()), leak_energy=_readonly(Y[:, K + 1].copy()),
        method=f"Dormand-Prince 5(4), rtol={rtol:g}, atol={atol:g}", nfev=nfev)


# --------------------------------------------------------------------------------------------
# Density-of-states corrected rates
# --------------------------------------------------------------------------------------------

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
