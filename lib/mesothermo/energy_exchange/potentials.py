r"""Potentials of chapter 08's phase space (Schlitter Eqs. 14–19), as small objects with a value
and a gradient, and the energies of a state.

A particle of mass :math:`m` at :math:`\mathbf x\in\mathbb R^d` with momentum :math:`\mathbf p`
has :math:`H = |\mathbf p|^2/2m + U(\mathbf x)` (U, so that it does not clash with the volume V):

- :class:`Harmonic`, :class:`DoubleWell`, :class:`Free` — the external potential
  :math:`U(\mathbf x)`, its ``value`` and ``gradient`` on arrays of shape (..., d);
- :class:`GaussianPair` — the soft pair repulsion within a system (Eqs. 18–19);
- :func:`energies` — :math:`K`, :math:`U` and :math:`H` per particle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validation import check_positive_real

__all__ = ["Harmonic", "DoubleWell", "Free", "GaussianPair", "EXTERNAL_POTENTIALS", "Energies",
           "energies"]


@dataclass(frozen=True)
class Harmonic:
    r"""Isotropic harmonic well :math:`U(\mathbf x) = \tfrac12 k|\mathbf x|^2`
    (``k = stiffness``)."""

    stiffness: float = 1.0

    def __post_init__(self):
        check_positive_real(self.stiffness, "stiffness")

    def value(self, x) -> np.ndarray:
        """U at positions ``x`` of shape (..., d)."""
        return 0.5 * self.stiffness * np.sum(np.asarray(x, float) ** 2, axis=-1)

    def gradient(self, x) -> np.ndarray:
        r""":math:`\nabla U = k\mathbf x`, shape (..., d)."""
        return self.stiffness * np.asarray(x, float)


@dataclass(frozen=True)
class DoubleWell:
    r"""Double well along the first axis, harmonic across:
    :math:`U = h\,[(x_1/a)^2-1]^2 + \tfrac12 k\sum_{j\ge2}x_j^2`
    (``h = barrier``, ``a = x_min``)."""

    barrier: float = 1.0
    x_min: float = 1.0
    stiffness: float = 1.0

    def __post_init__(self):
        for name in ("barrier", "x_min", "stiffness"):
            check_positive_real(getattr(self, name), name)

    def axis_value(self, x1) -> np.ndarray:
        """The quartic part :math:`h[(x_1/a)^2-1]^2` alone."""
        return self.barrier * ((np.asarray(x1, float) / self.x_min) ** 2 - 1.0) ** 2

    def value(self, x) -> np.ndarray:
        """U at positions ``x`` of shape (..., d)."""
        x = np.asarray(x, float)
        return self.axis_value(x[..., 0]) + 0.5 * self.stiffness * np.sum(x[..., 1:] ** 2, -1)

    def gradient(self, x) -> np.ndarray:
        r""":math:`\nabla U`: :math:`4h[(x_1/a)^2-1]x_1/a^2` along the first axis, :math:`kx_j`
        across."""
        x = np.asarray(x, float)
        g = self.stiffness * x.copy()
        a2 = self.x_min ** 2
        g[..., 0] = 4.0 * self.barrier * (x[..., 0] ** 2 / a2 - 1.0) * x[..., 0] / a2
        return g


@dataclass(frozen=True)
class Free:
    """No external potential, U = 0 (for the velocity-dependent force of Eq. 4)."""

    def value(self, x) -> np.ndarray:
        """U = 0 at positions ``x`` of shape (..., d)."""
        return np.zeros(np.shape(x)[:-1])

    def gradient(self, x) -> np.ndarray:
        """Zero, shape (..., d)."""
        return np.zeros(np.shape(x))


@dataclass(frozen=True)
class GaussianPair:
    r"""Soft repulsion between the particles of a system,
    :math:`u(r) = \epsilon\, e^{-r^2/2\sigma^2}` (``strength`` :math:`\epsilon`, ``width``
    :math:`\sigma`)."""

    strength: float = 1.0
    width: float = 0.3

    def __post_init__(self):
        check_positive_real(self.strength, "strength")
        check_positive_real(self.width, "width")


#: The external potentials the simulation and the Eq. 17 references accept.
EXTERNAL_POTENTIALS = (Harmonic, DoubleWell, Free)


class Energies(NamedTuple):
    """Per-particle kinetic energy ``K``, external potential energy ``U`` and ``H = K + U``."""

    K: np.ndarray
    U: np.ndarray
    H: np.ndarray


def energies(potential, x, p, mass: float = 1.0) -> Energies:
    """:math:`K = |\\mathbf p|^2/2m`, :math:`U(\\mathbf x)`, :math:`H` for arrays (..., d)."""
    K = np.sum(np.asarray(p, float) ** 2, axis=-1) / (2.0 * check_positive_real(mass, "mass"))
    U = potential.value(x)
    return Energies(K, U, K + U)
