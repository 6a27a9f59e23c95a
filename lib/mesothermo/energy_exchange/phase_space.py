r"""Particles in phase space: Schlitter's integral operator **I** against Langevin's **D**
(Schlitter Eqs. 14–19).

A particle of mass :math:`m` at :math:`\mathbf x\in\mathbb R^d` with physical momentum
:math:`\mathbf p` moves in an external potential :math:`U(\mathbf x)` (written U so that it does
not clash with the volume V), :math:`H = |\mathbf p|^2/2m + U(\mathbf x)`. Three dynamics for an
ensemble (:func:`simulate_phase_space`):

* ``"hamiltonian"``: the flow **R** alone (Liouville part of Eqs. 14 and 16), velocity Verlet;
* ``"langevin"``: **R + D** (Eq. 14, the Klein–Kramers equation), BAOAB, whose positional law is
  exactly Eq. 17's in a harmonic well;
* ``"inelastic"``: **R + I** (Eq. 16): between velocity-Verlet steps, random events of the
  operator **I** of Eq. 15 change the kinetic energy :math:`K` by :math:`\pm\Delta E` and keep
  the direction of :math:`\mathbf p`; uptake at rate :math:`w_+`, release at rate
  :math:`w_-\Theta(K-\Delta E)`. With ``exchange="fixed"`` both rates are given; with
  ``"mean_energy"`` :math:`w_+ = \varphi w_-`, :math:`\varphi` the ensemble's fraction with
  :math:`K > \Delta E` (Eq. 8); with ``"pairwise"`` one particle's release is another's uptake, so
  the total energy changes by no quantum at all. ``rate_powers`` multiplies the rates by powers of
  the energies (density-of-states-corrected rates, chapter 07).

The potentials are in :mod:`.potentials`; Eq. 17's law :math:`P_S \propto e^{-\beta H}`, its
sampler and the test of a snapshot against it (``compare_with_eq17``) are in :mod:`.boltzmann`.
With ``pair_potential`` the particles of each of ``n_systems`` systems interact, for
Eqs. 18–19. :func:`inelastic_drift` is the mean force of **I** (Eq. 4); :func:`rate_law` and
:func:`power_law_rates` express energy-dependent rates in the kernel's power family.

The compiled kernel (``_phase_space_kernel``) runs the loops; its pure-Python twin
(``_phase_space_twin``, ``method="python"``) replays the same path from the same seed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validation import (as_rng, check_choice, check_nonnegative_real, check_positive_int,
                           check_positive_real)
from . import _phase_space_kernel as _k
from . import _phase_space_twin as _twin
from .boltzmann import sample_boltzmann
from .potentials import EXTERNAL_POTENTIALS, DoubleWell, GaussianPair, Harmonic

__all__ = ["PhaseSpaceRun", "simulate_phase_space", "inelastic_drift", "PowerRates", "rate_law",
           "power_law_rates", "DYNAMICS", "EXCHANGES"]

DYNAMICS = ("inelastic", "langevin", "hamiltonian")
EXCHANGES = ("fixed", "mean_energy", "pairwise")
_DYN = {"hamiltonian": _k.HAMILTONIAN, "langevin": _k.LANGEVIN, "inelastic": _k.INELASTIC}
_RULE = {"fixed": _k.FIXED, "mean_energy": _k.MEAN_ENERGY, "pairwise": _k.PAIRWISE}


def _kernel_args(potential):
    """The kernel's potential code and parameters (stiffness, barrier, x_min)."""
    if isinstance(potential, Harmonic):
        return _k.HARMONIC, np.array([potential.stiffness, 0.0, 1.0])
    if isinstance(potential, DoubleWell):
        return _k.DOUBLE_WELL, np.array([potential.stiffness, potential.barrier, potential.x_min])
    return _k.FREE, np.zeros(3)


class PhaseSpaceRun(NamedTuple):
    """Result of :func:`simulate_phase_space`.

    ``x``, ``p``: (len(t), M, d) positions and momenta at the times ``t`` (M particles, the
    systems one after another); ``n_up``, ``n_down``: inelastic uptakes and releases.
    """

    t: np.ndarray
    x: np.ndarray
    p: np.ndarray
    n_up: int
    n_down: int
    dynamics: str
    dt: float
    mass: float


def _state(arr, M, d, name):
    a = np.asarray(arr, dtype=float)
    if a.shape == (d,):
        a = np.broadcast_to(a, (M, d))
    if a.shape != (M, d):
        raise ValueError(f"`{name}` must have shape ({d},) or ({M}, {d}); got {a.shape}.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"`{name}` must be finite.")
    return np.ascontiguousarray(a, dtype=float).copy()


def simulate_phase_space(potential, n_particles: int, t_end: float, dynamics: str = "inelastic",
                         dim: int = 1, *, dt: float = 0.02, times=None, mass: float = 1.0,
                         beta: float = 1.0, friction: float = 1.0, delta_e: float = 0.5,
                         w_minus: float = 1.0, w_plus: float | None = None,
                         exchange: str = "mean_energy", rate_powers=(0.0, 0.0, 0.0, 0.0),
                         pair_potential: GaussianPair | None = None, n_systems: int = 1,
                         x0=None, p0=None, seed=None, method: str = "kernel") -> PhaseSpaceRun:
    r"""Simulate an ensemble under **R** (Hamiltonian), **R + D** (Langevin, Eq. 14) or
    **R + I** (Schlitter Eq. 16; Eq. 18 with ``pair_potential``).

    Parameters
    ----------
    potential : Harmonic, DoubleWell or Free
        The external potential U(x).
    n_particles : int
        Particles per system (``n_systems`` systems are simulated; without a pair potential the
        M = n_particles * n_systems particles are independent but for the exchange rule, which
        acts within each system: ``"mean_energy"`` uses the system's fraction above ΔE).
    t_end : float
        Final time; the run takes ``round(t_end / dt)`` steps of ``dt``.
    dynamics : {"inelastic", "langevin", "hamiltonian"}
    dim : int
        Dimension d of space (1, 2, 3, ...).
    times : array_like, optional
        Recording times, multiples of ``dt`` in [0, t_end]; default ``[0, t_end]``.
    beta : float
        :math:`1/k_BT` of the Langevin bath and of the default initial law (Eq. 17).
    friction : float
        :math:`\varsigma` of Eq. 14 (Langevin only).
    delta_e, w_minus, w_plus : float
        The quantum :math:`\Delta E` and the rates of Eq. 15; ``w_plus`` only for
        ``exchange="fixed"`` (for which :math:`\beta = \ln(w_-/w_+)/\Delta E`).
    exchange : {"fixed", "mean_energy", "pairwise"}
        How :math:`w_+` is set (see the module docstring); ``"pairwise"`` needs constant rates.
    rate_powers : 4 floats (a_up, b_up, a_down, b_down)
        Rates times :math:`((K+\Delta E)/\Delta E)^{a_\uparrow}(K/\Delta E)^{b_\uparrow}` (uptake)
        and :math:`((K-\Delta E)/\Delta E)^{a_\downarrow}(K/\Delta E)^{b_\downarrow}` (release).
    pair_potential : GaussianPair, optional
        Pair interaction within each system.
    x0, p0 : array_like (d,) or (M, d), optional
        Initial state; default a sample of Eq. 17 at ``beta`` (without the pair potential).
    seed : None, int, SeedSequence or Generator
    method : {"kernel", "python"}
        The compiled kernel or its pure-Python twin (same path for the same seed; slow).

    Returns
    -------
    PhaseSpaceRun
    """
    if not isinstance(potential, EXTERNAL_POTENTIALS):
        raise TypeError("`potential` must be a Harmonic, DoubleWell or Free potential; "
                        f"got {type(potential).__name__}.")
    n = check_positive_int(n_particles, "n_particles")
    n_sys = check_positive_int(n_systems, "n_systems")
    d = check_positive_int(dim, "dim")
    t_end = check_positive_real(t_end, "t_end")
    dt = check_positive_real(dt, "dt")
    mass = check_positive_real(mass, "mass")
    beta = check_positive_real(beta, "beta")
    friction = check_nonnegative_real(friction, "friction")
    delta_e = check_positive_real(delta_e, "delta_e")
    w_minus = check_nonnegative_real(w_minus, "w_minus", "rate")
    check_choice(dynamics, DYNAMICS, "dynamics")
    check_choice(exchange, EXCHANGES, "exchange")
    check_choice(method, ("kernel", "python"), "method")
    if exchange == "fixed":
        if w_plus is None:
            raise ValueError('`w_plus` is required for exchange="fixed".')
        w_plus = check_nonnegative_real(w_plus, "w_plus", "rate")
    elif w_plus is not None:
        raise ValueError(f'`w_plus` is set by the exchange rule {exchange!r}; pass '
                         'exchange="fixed" to give it.')
    pw = np.asarray(rate_powers, dtype=float)
    if pw.shape != (4,) or not np.all(np.isfinite(pw)):
        raise ValueError(f"`rate_powers` must be 4 finite numbers; got {rate_powers!r}.")
    if exchange == "pairwise" and np.any(pw != 0):
        raise ValueError('exchange="pairwise" needs constant rates: `rate_powers` must be zero.')
    if pair_potential is not None and not isinstance(pair_potential, GaussianPair):
        raise TypeError("`pair_potential` must be a GaussianPair or None; "
                        f"got {type(pair_potential).__name__}.")
    n_steps = int(round(t_end / dt))
    if times is None:
        steps = np.array([0, n_steps])
    else:
        tt = np.asarray(times, dtype=float)
        steps = np.rint(tt / dt).astype(np.int64)
        if (tt.ndim != 1 or tt.size == 0 or np.any(np.abs(steps * dt - tt) > 1e-9 * (1 + tt))
                or np.any(np.diff(steps) < 0) or steps[0] < 0 or steps[-1] > n_steps):
            raise ValueError("`times` must be a sorted 1-D array of multiples of `dt` in "
                             f"[0, t_end]; got {times!r}.")
    rng = as_rng(seed)
    M = n * n_sys
    if x0 is None or p0 is None:
        xs0, ps0 = sample_boltzmann(potential, M, d, beta, mass, seed=rng)
    x = xs0 if x0 is None else _state(x0, M, d, "x0")
    p = ps0 if p0 is None else _state(p0, M, d, "p0")
    state = rng.integers(1, 2 ** 63, size=4, dtype=np.uint64)
    clock = rng.exponential(size=M)
    sys_clock = rng.exponential(size=n_sys)
    xs = np.empty((steps.size, M, d))
    ps = np.empty((steps.size, M, d))
    counts = np.zeros(2, dtype=np.int64)
    kind, prm = _kernel_args(potential)
    eps, sig = ((float(pair_potential.strength), float(pair_potential.width)) if pair_potential
                else (0.0, 1.0))  # floats: one compiled specialisation of the kernel
    run = _k.run if method == "kernel" else _twin.run_python
    run(x, p, mass, dt, steps.astype(np.int64), kind, prm, n_sys, eps, sig, _DYN[dynamics],
        friction, 1.0 / beta, _RULE[exchange], delta_e, 1.0 if w_plus is None else w_plus,
        w_minus, pw, clock, sys_clock, state, xs, ps, counts)
    for a in (xs, ps):
        a.flags.writeable = False
    return PhaseSpaceRun(steps * dt, xs, ps, int(counts[0]), int(counts[1]), dynamics, dt, mass)


def inelastic_drift(p_abs, delta_e: float, w_plus: float, w_minus: float,
                    mass: float = 1.0) -> np.ndarray:
    r"""Mean rate of change of :math:`|\mathbf p|` from the events of **I** (Eq. 4 on average):

    .. math::
        \frac{\langle d|\mathbf p|\rangle}{dt} = w_+\bigl(\sqrt{p^2+2m\Delta E}-p\bigr)
        - w_-\,\Theta(p^2-2m\Delta E)\bigl(p-\sqrt{p^2-2m\Delta E}\bigr).

    Positive for slow particles (only uptake possible), negative for fast ones: a
    velocity-dependent force with a sign that changes, unlike Langevin's :math:`-\varsigma p`.
    """
    q = np.asarray(p_abs, float)
    de = check_positive_real(delta_e, "delta_e")
    two_m_de = 2.0 * check_positive_real(mass, "mass") * de
    up = check_nonnegative_real(w_plus, "w_plus", "rate") * (np.sqrt(q ** 2 + two_m_de) - q)
    down = np.where(q ** 2 > two_m_de, q - np.sqrt(np.maximum(q ** 2 - two_m_de, 0.0)), 0.0)
    return up - check_nonnegative_real(w_minus, "w_minus", "rate") * down


class PowerRates(NamedTuple):
    """A rate law of the kernel's power family (:func:`power_law_rates`): ``w_plus``,
    ``w_minus``, ``rate_powers`` for :func:`simulate_phase_space`, and the largest relative
    ``residual`` of the fit."""

    w_plus: float
    w_minus: float
    rate_powers: tuple
    residual: float


def rate_law(K, delta_e: float, w_plus: float, w_minus: float, rate_powers=(0, 0, 0, 0)):
    r"""The uptake and release rates (up, down) the kernel uses at kinetic energies ``K``:
    :math:`w_+((K+\Delta E)/\Delta E)^{a_\uparrow}(K/\Delta E)^{b_\uparrow}` and
    :math:`w_-\Theta(K-\Delta E)((K-\Delta E)/\Delta E)^{a_\downarrow}
    (K/\Delta E)^{b_\downarrow}`."""
    K = np.asarray(K, float)
    e = check_positive_real(delta_e, "delta_e")
    a1, b1, a2, b2 = (float(v) for v in rate_powers)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = w_plus * ((K + e) / e) ** a1 * (K / e) ** b1
        down = np.where(K > e, w_minus * (np.abs(K - e) / e) ** a2 * (K / e) ** b2, 0.0)
    return up, down


def power_law_rates(rates, delta_e: float, k_max: float = 20.0) -> PowerRates:
    r"""Express an energy-dependent rate law in the kernel's power family.

    ``rates(K)`` returns ``(up, down)`` arrays (e.g. a partial of chapter 07's
    ``maxwell_boltzmann_rates``). The logarithms of the rates are fitted by least squares in
    :math:`\ln((K\pm\Delta E)/\Delta E)` and :math:`\ln(K/\Delta E)` on
    :math:`\Delta E < K \le` ``k_max`` :math:`\Delta E`; ``residual`` is the largest relative
    difference between the fitted and the given rates on that grid (rounding, ~1e-14, when the
    law is in the family; raise beyond 1e-9).
    """
    e = check_positive_real(delta_e, "delta_e")
    K = e * np.linspace(1.05, check_positive_real(k_max, "k_max"), 400)
    up, down = (np.asarray(r, float) for r in rates(K))
    fits = []
    for r, shift in ((up, 1.0), (down, -1.0)):
        A = np.column_stack([np.ones_like(K), np.log((K + shift * e) / e), np.log(K / e)])
        fits.append(np.linalg.lstsq(A, np.log(r), rcond=None)[0])
    (c1, a1, b1), (c2, a2, b2) = fits
    powers = tuple(float(np.round(v, 12)) for v in (a1, b1, a2, b2))
    fu, fd = rate_law(K, e, math.exp(c1), math.exp(c2), powers)
    res = float(max(np.max(np.abs(fu / up - 1)), np.max(np.abs(fd / down - 1))))
    if res > 1e-9:
        raise ValueError(f"`rates` is not of the form w (K + dE)^a K^b: relative residual "
                         f"{res:.1e} of the best power-law fit.")
    return PowerRates(math.exp(c1), math.exp(c2), powers, res)
