r"""The finite-volume rate function from the CME, and its extrapolation in V (Ge–Qian Eq. 8).

One job: :math:`\varphi_V(x) = -V^{-1}\ln p_V^{ss}(Vx)` on a lattice (shifted to minimum 0 or
not), and Richardson extrapolation of such samples to :math:`1/V \to 0`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_network, check_volume
from ..network import Network

__all__ = ["RateFunctionSample", "rate_function_from_cme", "richardson_in_V"]

class RateFunctionSample(NamedTuple):
    """:math:`\\varphi_V` on the CME lattice: ``x`` (S, N) = states / V, ``phi`` (S,)."""

    x: np.ndarray
    phi: np.ndarray


def rate_function_from_cme(net: Network, V: float, max_counts, n0=None,
                           shift: bool = True) -> RateFunctionSample:
    r"""The finite-volume rate function :math:`\varphi_V(x) = -V^{-1}\ln p_V^{ss}(Vx)`.

    Ge–Qian Eq. 8: :math:`p_V^{ss}(Vx) = \Omega(x)e^{-V\varphi^{ss}(x)}/\Xi(V)`, so
    :math:`\varphi_V = \varphi^{ss} - V^{-1}\ln\Omega + V^{-1}\ln\Xi` converges to
    :math:`\varphi^{ss}` with an error :math:`O(\ln V / V)` (the normalisation
    :math:`\Xi(V) \propto V^{-d/2}` for a nondegenerate minimum, :math:`d` the class dimension).
    With ``shift=True`` (default) ``phi`` is shifted so that its minimum over the lattice is 0,
    as :math:`\varphi^{ss}` is; ``shift=False`` returns :math:`-V^{-1}\ln p_V` itself, whose
    expansion :math:`\varphi^{ss} - V^{-1}\ln\Omega + V^{-1}\ln\Xi` is what Richardson
    extrapolation in :math:`1/V` (:func:`richardson_in_V`) needs.

    The stationary law is computed in log space by :meth:`mesothermo.CME.log_stationary`, so
    probabilities far below 1e-300 (large ``V``) are resolved. States the stationary chain never
    visits get ``inf``. Mind the truncation: the box must hold the bulk of the law (the FSP
    leak is :meth:`mesothermo.CME.boundary_outflow`).

    Parameters
    ----------
    net : Network
    V : float
        Volume, > 0.
    max_counts : int or sequence of int
        The lattice box, as for :class:`mesothermo.CME`.
    n0 : sequence of int, optional
        A state selecting the compatibility class (required with conservation laws).
    shift : bool
        Subtract the minimum over the lattice (default) or not.

    Returns
    -------
    RateFunctionSample
        ``(x, phi)``: concentrations of the lattice states, shape (S, N), and
        :math:`\varphi_V`, shape (S,). Unpacks as a tuple.

    Examples
    --------
    >>> import numpy as np, mesothermo as mt
    >>> x, phi = mt.rate_function_from_cme(mt.models.immigration_death(10, 1), V=50,
    ...                                    max_counts=1500)
    >>> round(float(x[np.argmin(phi), 0]), 1)
    10.0
    """
    from ..cme import CME

    check_network(net)
    V = check_volume(V)
    cme = CME(net, V, max_counts, n0=n0)
    logp = np.asarray(cme.log_stationary().log_p, float)
    with np.errstate(divide="ignore"):
        phi = -logp / V
    finite = np.isfinite(phi)
    if not np.any(finite):
        raise ValueError("the stationary law has no state with positive probability on this "
                         "lattice.")
    if not isinstance(shift, (bool, np.bool_)):
        raise TypeError(f"`shift` must be True or False; got {shift!r}.")
    phi = np.where(finite, phi - (np.min(phi[finite]) if shift else 0.0), np.inf)
    return RateFunctionSample(cme.states / V, phi)


def richardson_in_V(Vs, values) -> np.ndarray:
    r"""Extrapolate samples :math:`f(V_k)` to :math:`1/V 	o 0`, assuming a polynomial in 1/V.

    With :math:`h_k = 1/V_k`, the values are taken to be
    :math:`f(V) = f_\infty + c_1 h + \dots + c_{K-1}h^{K-1} + O(h^K)`, and the unique polynomial
    of degree :math:`K-1` through the :math:`K` samples is evaluated at :math:`h = 0`:

    .. math::

        f_\infty pprox \sum_k w_k f(V_k), \qquad w_k = \prod_{j 
e k}rac{h_j}{h_j - h_k}.

    For :math:`V, 2V, 4V` the weights are :math:`(1, -6, 8)/3`, removing the :math:`1/V` and
    :math:`1/V^2` terms. Terms that are not powers of :math:`1/V` must be removed first: the
    unshifted :math:`-V^{-1}\ln p_V` of a :math:`d`-dimensional class carries
    :math:`	frac d2 V^{-1}\ln V` from the normalisation of Eq. 8 (subtract it, then
    extrapolate). The difference between two extrapolations (e.g. from (V, 2V, 4V) and
    (2V, 4V, 8V)) is a heuristic estimate of the error, not a bound.

    Parameters
    ----------
    Vs : sequence of float, shape (K,)
        Distinct volumes, > 0, K >= 2.
    values : sequence of array_like, K arrays of one shape
        :math:`f(V_k)`, e.g. :math:`-V^{-1}\ln p_V - V^{-1}\ln V` on a common grid.

    Returns
    -------
    ndarray
        :math:`f_\infty`, the shape of one value (non-finite where any sample is).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda V: 2.0 + 3.0 / V - 5.0 / V**2
    >>> round(float(richardson_in_V([10, 20, 40], [f(10), f(20), f(40)])), 12)
    2.0
    """
    try:
        Vs = np.array([check_volume(V, "Vs") for V in Vs], float)
    except TypeError:
        raise TypeError("`Vs` must be a sequence of volumes (numbers > 0).") from None
    if Vs.size < 2 or np.unique(Vs).size != Vs.size:
        raise ValueError(f"`Vs` must hold at least two distinct volumes; got {Vs.tolist()}.")
    try:
        vals = np.array([np.asarray(v, float) for v in values])
    except (TypeError, ValueError):
        raise ValueError("`values` must be arrays of one shape, one per volume.") from None
    if vals.shape[0] != Vs.size:
        raise ValueError(f"`values` must hold one array per volume ({Vs.size}); got "
                         f"{vals.shape[0]}.")
    h = 1.0 / Vs
    w = np.array([np.prod([h[j] / (h[j] - h[k]) for j in range(h.size) if j != k])
                  for k in range(h.size)])
    with np.errstate(invalid="ignore"):
        return np.tensordot(w, vals, axes=1)
