r"""Unvalidated kinetic kernels that several modules share: R±, r±, the field, J, D.

One job: evaluate the rate laws of a network and their first derivatives on arrays that the
public functions have already checked. Nothing here validates; every public function of
:mod:`~mesothermo.network`, :mod:`~mesothermo.rre`, :mod:`~mesothermo.cme`,
:mod:`~mesothermo.ssa` and :mod:`~mesothermo.ldp` checks its arguments and then calls these.

The functions take a network object by duck typing (its public attributes ``nu``,
``nu_plus``, ``nu_minus``, ``effective_k_plus``, ``effective_k_minus``, ``is_mass_action`` and,
for general rate laws, each reaction's ``propensity_plus`` / ``propensity_minus``), so this
module sits below :mod:`~mesothermo.network` in the one-way import order.

Mass action in Kurtz's convention (Ge–Qian assumption iii):

.. math::

    r_{\pm\ell}(n) = V k_{\pm\ell} \prod_i \frac{(n_i)_{\nu^\pm_{\ell i}}}{V^{\nu^\pm_{\ell i}}},
    \qquad R_{\pm\ell}(x) = k_{\pm\ell}\prod_i x_i^{\nu^\pm_{\ell i}},

the rate equation (Ge–Qian Eq. 4) :math:`\dot x = F(x) = \sum_\ell \nu_\ell (R_{+\ell} -
R_{-\ell})`, its Jacobian :math:`J = \partial F/\partial x` and the diffusion matrix
:math:`D = \sum_\ell \nu_\ell\nu_\ell^T (R_{+\ell} + R_{-\ell})` of the linear-noise
approximation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["RatePair", "power_product", "falling_product", "propensities", "rates", "field",
           "rate_gradients", "jacobian", "diffusion", "call_law", "stoichiometric_basis"]


class RatePair(NamedTuple):
    """Forward and backward rates of every reaction, each an array of shape (..., M)."""

    plus: np.ndarray
    minus: np.ndarray


def power_product(x: np.ndarray, stoich: np.ndarray) -> np.ndarray:
    """:math:`\\prod_i x_i^{s_{\\ell i}}`, shape (..., M); 0**0 = 1."""
    out = np.ones(x.shape[:-1] + (stoich.shape[0],))
    for l, i in zip(*np.nonzero(stoich)):
        out[..., l] *= x[..., i] ** stoich[l, i]
    return out


def falling_product(n: np.ndarray, stoich: np.ndarray) -> np.ndarray:
    """:math:`\\prod_i (n_i)_{s_{\\ell i}}` with the falling factorial (clipped at 0), (..., M)."""
    out = np.ones(n.shape[:-1] + (stoich.shape[0],))
    for l, i in zip(*np.nonzero(stoich)):
        for j in range(stoich[l, i]):
            out[..., l] *= np.maximum(n[..., i] - j, 0.0)
    return out


def call_law(law, n: np.ndarray, V: float) -> np.ndarray:
    """Evaluate a general rate law over (..., N) states, looping if it does not broadcast."""
    try:
        r = np.asarray(law(n, V), float)
        if r.shape != n.shape[:-1]:
            raise ValueError
    except Exception:
        flat = n.reshape(-1, n.shape[-1])
        r = np.array([float(law(row, V)) for row in flat]).reshape(n.shape[:-1])
    if np.any(~np.isfinite(r)) or np.any(r < 0):
        raise ValueError("a general rate law returned a negative or non-finite rate; rates must "
                         "be finite and >= 0 (Ge–Qian assumption i).")
    return r


def propensities(net, n: np.ndarray, V: float) -> RatePair:
    """:math:`r_{\\pm\\ell}(n)` at copy numbers ``n`` (..., N), each (..., M)."""
    n = np.asarray(n, dtype=float)
    out = []
    for keff, stoich, attr in ((net.effective_k_plus, net.nu_plus, "propensity_plus"),
                               (net.effective_k_minus, net.nu_minus, "propensity_minus")):
        order = stoich.sum(axis=1)
        r = (keff * V ** (1.0 - order)) * falling_product(n, stoich)
        if not net.is_mass_action:
            r = np.array(r, float)
            for l, rx in enumerate(net.reactions):
                law = getattr(rx, attr)
                if law is not None:
                    r[..., l] = call_law(law, n, V)
        out.append(r)
    return RatePair(*out)


def rates(net, x: np.ndarray, V: float | None = None) -> RatePair:
    """:math:`R_{\\pm\\ell}(x)`, each (..., M); negative round-off in ``x`` is clipped to 0.

    Mass action: the :math:`V\\to\\infty` limit (``V`` unused). General rate laws:
    :math:`r_{\\pm\\ell}(Vx)/V` at the given ``V``.
    """
    x = np.maximum(np.asarray(x, float), 0.0)
    if not net.is_mass_action:
        return RatePair(*(r / V for r in propensities(net, V * x, V)))
    return RatePair(net.effective_k_plus * power_product(x, net.nu_plus),
                    net.effective_k_minus * power_product(x, net.nu_minus))


def field(net, x: np.ndarray, V: float | None = None) -> np.ndarray:
    """The rate-equation field :math:`F(x) = \\sum_\\ell \\nu_\\ell(R_{+\\ell} - R_{-\\ell})`."""
    Rp, Rm = rates(net, x, V)
    return (Rp - Rm) @ net.nu


def rate_gradients(net, x: np.ndarray, V: float | None = None) -> RatePair:
    r""":math:`\partial R_{\pm\ell}/\partial x_j`, each of shape (..., M, N).

    Mass action: :math:`\partial_j R_{\pm\ell} = k_{\pm\ell}\,m\,x_j^{m-1}\prod_{i\ne j}
    x_i^{\nu^\pm_{\ell i}}` with :math:`m = \nu^\pm_{\ell j}` (exact, also at :math:`x_j = 0`).
    General rate laws: central differences with step :math:`10^{-6}\max(1, x_j)`.
    """
    x = np.maximum(np.asarray(x, float), 0.0)
    N, M = net.N, net.M
    if net.is_mass_action:
        out = []
        for keff, stoich in ((net.effective_k_plus, net.nu_plus),
                             (net.effective_k_minus, net.nu_minus)):
            g = np.zeros(x.shape[:-1] + (M, N))
            for l in range(M):
                if keff[l] == 0.0:
                    continue
                for j in np.nonzero(stoich[l])[0]:
                    m = stoich[l, j]
                    term = keff[l] * m * x[..., j] ** (m - 1)
                    for i in np.nonzero(stoich[l])[0]:
                        if i != j:
                            term = term * x[..., i] ** stoich[l, i]
                    g[..., l, j] = term
            out.append(g)
        return RatePair(*out)
    gp = np.zeros(x.shape[:-1] + (M, N))
    gm = np.zeros_like(gp)
    for j in range(N):
        h = 1e-6 * np.maximum(1.0, x[..., j])
        lo = np.maximum(x[..., j] - h, 0.0)
        hi = x[..., j] + h
        xl = x.copy()
        xl[..., j] = lo
        xh = x.copy()
        xh[..., j] = hi
        Rl, Rh = rates(net, xl, V), rates(net, xh, V)
        width = (hi - lo)[..., None]
        gp[..., :, j] = (Rh.plus - Rl.plus) / width
        gm[..., :, j] = (Rh.minus - Rl.minus) / width
    return RatePair(gp, gm)


def jacobian(net, x: np.ndarray, V: float | None = None) -> np.ndarray:
    """:math:`J_{ij} = \\partial F_i/\\partial x_j`, shape (..., N, N)."""
    gp, gm = rate_gradients(net, x, V)
    return np.einsum("li,...lj->...ij", net.nu.astype(float), gp - gm)


def diffusion(net, x: np.ndarray, V: float | None = None) -> np.ndarray:
    """:math:`D = \\sum_\\ell \\nu_\\ell\\nu_\\ell^T(R_{+\\ell} + R_{-\\ell})`, shape (..., N, N)."""
    Rp, Rm = rates(net, x, V)
    nu = net.nu.astype(float)
    return np.einsum("li,lj,...l->...ij", nu, nu, Rp + Rm)


def stoichiometric_basis(net) -> np.ndarray:
    """Orthonormal rows (r, N) spanning the stoichiometric subspace span{nu_l}."""
    nu = net.nu.astype(float)
    if not np.any(nu):
        return np.zeros((0, net.N))
    _, s, vt = np.linalg.svd(nu, full_matrices=False)
    r = int(np.sum(s > s[0] * max(nu.shape) * np.finfo(float).eps))
    return vt[:r]
