"""Figure helpers for chapter 07 (Schlitter's energy exchange): the reader's notebook shows the
computation; the matplotlib lives here.

Every helper draws into axes it is given and labels them (energies in units of the mean
energy scale of the chapter, times in units of 1/w-).
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from . import COLORS

__all__ = ["density_steps", "plot_densities", "plot_entropy", "plot_distance",
           "plot_momentum_densities", "draw_explorer"]


def density_steps(grid, P):
    """(density, edges): the piecewise-constant density :math:`p_k/h` of the cell law ``P``."""
    return np.asarray(P, float) / grid.h, grid.edges


def _stairs(ax, dens, edges, e_max=None, **kw):
    """A piecewise-constant density as one line (cheaper to draw than a StepPatch)."""
    if e_max is not None:
        n = max(1, int(np.searchsorted(edges, e_max, side="left")))  # cells reaching e_max
        dens, edges = dens[:n], edges[: n + 1]
    return ax.plot(np.repeat(edges, 2)[1:-1], np.repeat(dens, 2), **kw)


def plot_densities(ax, grid, laws, labels, e_max=None, colors=None, lw=1.3):
    """Stairs of several cell laws as densities P(E) = p_k / h."""
    colors = colors or COLORS
    for P, lab, c in zip(laws, labels, colors):
        dens, edges = density_steps(grid, P)
        _stairs(ax, dens, edges, e_max, color=c, lw=lw, label=lab)
    ax.set(xlim=(0, e_max or grid.e_max), xlabel="kinetic energy $E$ (energy units)",
           ylabel="density $P(E)$ (1/energy)")
    ax.legend(loc="upper right")


def plot_entropy(ax, t, curves, labels, maxima=None, colors=None):
    """S_E(t) curves, with dotted horizontal lines at the given maxima."""
    colors = colors or COLORS
    for S, lab, c in zip(curves, labels, colors):
        ax.plot(t, S, color=c, label=lab)
    for value, c in zip(maxima or [], colors):
        ax.axhline(value, color=c, ls=":", lw=1)
    ax.set(xlabel="time $t$ (units of $1/w^-$)", ylabel="entropy $S_E/k_B$ (dimensionless)")
    ax.legend(loc="lower right")


def plot_distance(ax, n, mean, err, floor, labels, colors=None):
    """Mean total-variation distance (with standard errors) against N, and the iid floor."""
    colors = colors or COLORS
    for m, e, lab, c in zip(mean, err, labels, colors):
        ax.errorbar(n, m, yerr=e, fmt="o-", color=c, ms=4, capsize=3, label=lab)
    ax.plot(n, floor, "k--", lw=1, label="independent draws (sampling floor)")
    ax.set(xscale="log", yscale="log", xlabel="number of particles $N$",
           ylabel="distance to the grid law (TV)")
    ax.legend(loc="lower left")


def plot_momentum_densities(ax, p, curves, labels, mb, d, colors=None):
    """Momentum densities P1(|p|) against Maxwell–Boltzmann in d dimensions."""
    colors = colors or COLORS
    for f, lab, c in zip(curves, labels, colors):
        ax.plot(p, f, color=c, label=lab)
    ax.plot(p, mb, "k--", lw=1.2, label=f"Maxwell–Boltzmann, $d = {d}$")
    ax.set(xlabel=r"momentum $|\mathbf{p}|$ (units of $\sqrt{m/\beta}$)",
           ylabel=r"$P^{(1)}(\mathbf{p})$ (per unit $d^dp$)")
    ax.legend(loc="upper right")


def draw_explorer(fig, grid, t, P, S, t_show, s_max, stationary, e_max):
    """The chapter's interactive frame: the density at the times ``t_show`` (top, from the
    cell laws ``P`` saved at ``t``) with the stationary law ``stationary`` (dashed), and
    :math:`S_E(t)` (bottom) with its maximum ``s_max``.

    The panels are stacked so that the frame is one text column wide (``COLUMN_WIDTH``, about
    5.6 in tall) with the style's font sizes, legible at a 400 px phone width."""
    ax0, ax1 = fig.subplots(2, 1, height_ratios=(1.15, 1.0))
    for s, c in zip(t_show, COLORS):
        i = int(np.argmin(np.abs(t - s)))
        dens, edges = density_steps(grid, P[i])
        _stairs(ax0, dens, edges, e_max, color=c, lw=1.1, label=f"t = {t[i]:.3g}")
    dens, edges = density_steps(grid, stationary)
    _stairs(ax0, dens, edges, e_max, color="k", lw=0.9, ls="--", label="stationary law")
    ax0.set(xlim=(0, e_max), ylim=(0, None), xlabel="energy $E$ (energy units)",
            ylabel="density $P(E)$ (1/energy)")
    ax0.legend(loc="upper right")
    pos = t > 0
    ax1.plot(t[pos], S[pos], color=COLORS[0], label="entropy")
    ax1.axhline(s_max, color="k", ls=":", lw=1, label="maximum at this mean energy")
    ax1.set(xscale="log", xlabel="time $t$ (units of $1/w^-$)",
            ylabel="$S_E/k_B$ (dimensionless)")
    ax1.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # no mathtext ticks
    ax1.xaxis.set_minor_locator(NullLocator())
    ax1.legend(loc="lower right")
