"""Figure helpers for chapter 08 (particles in phase space, Schlitter Eqs. 14–19).

They draw what :mod:`mesothermo.energy_exchange.phase_space` computed: phase-space densities of
an ensemble with the level sets of Eq. 17, marginal histograms against a reference density, and
the mean drift of the momentum against its speed (Eq. 4).
"""

from __future__ import annotations

import numpy as np

__all__ = ["density_grid", "energy_grid", "phase_panel", "step_density", "drift_panel"]


def density_grid(x, p, extent, bins: int = 60) -> np.ndarray:
    """Histogram of the points ``(x, p)`` on ``extent = (x0, x1, p0, p1)`` as a probability
    density, shape (bins, bins) indexed [p, x] (ready for ``imshow(origin="lower")``)."""
    h, _, _ = np.histogram2d(np.ravel(x), np.ravel(p), bins=bins,
                             range=[extent[:2], extent[2:]])
    area = (extent[1] - extent[0]) * (extent[3] - extent[2]) / bins ** 2
    return h.T / (np.size(x) * area)


def energy_grid(potential, extent, mass: float = 1.0, n: int = 200):
    """``(X, P, H)`` on an n x n grid of ``extent`` for contours of H = p^2/2m + U(x) (1-D)."""
    X, P = np.meshgrid(np.linspace(*extent[:2], n), np.linspace(*extent[2:], n))
    return X, P, P ** 2 / (2 * mass) + potential.value(X[..., None])


def phase_panel(ax, density, extent, contours=None, vmax=None, levels=(0.5, 1.5, 3.0, 5.0),
                title=None):
    """Draw a phase-space density (from :func:`density_grid`) with, optionally, the level sets
    of H (from :func:`energy_grid`, in units of k_BT) on which Eq. 17 is constant."""
    im = ax.imshow(density, origin="lower", extent=extent, aspect="auto", cmap="magma_r",
                   vmin=0, vmax=vmax, interpolation="nearest")
    if contours is not None:
        ax.contour(*contours, levels=list(levels), colors="0.35", linewidths=0.7)
    ax.set(xlabel="position $x$ (length units)", ylabel="momentum $p$ (mass x length / time)")
    if title:
        ax.set_title(title)
    return im


def step_density(ax, sample, bins, **kw):
    """Histogram of ``sample`` on the bin edges ``bins`` as a density, drawn as steps."""
    h, edges = np.histogram(sample, bins=bins, density=True)
    kw.setdefault("lw", 1.4)
    return ax.stairs(h, edges, **kw)


def drift_panel(ax, speed, measured, stderr, curve_speed, curve, label, color,
                curve_label=None):
    """Measured mean drift with error bars (points) and its formula (line) against speed."""
    ax.errorbar(speed, measured, yerr=stderr, fmt="o", ms=3.5, color=color, label=label)
    ax.plot(curve_speed, curve, color=color, lw=1.2, label=curve_label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(xlabel=r"speed $|p|$ before the interval (mass x length / time)",
           ylabel=r"$\langle \Delta p\,\mathrm{sgn}\,p\rangle/\tau$ (force units)")
