r"""One simulated path of the copy numbers, and the quantities measured along it.

One job: hold a path of the mesoscopic model (:func:`mesothermo.simulate` makes them) and
compute what the chapters read off paths — the net number of firings of each reaction per unit
time, the time spent in each state, and the times of transitions between two sets of states.

For a path recorded at every event these are exact functionals of the jump process: with
:math:`N^\pm_\ell(t)` the numbers of forward and backward firings of reaction :math:`\ell` up to
:math:`t`, the empirical net flux :math:`(N^+_\ell(T) - N^-_\ell(T))/T` converges almost surely
to the stationary flux :math:`\sum_n p^{ss}(n)(r_{+\ell}(n) - r_{-\ell}(n))` (ergodic theorem;
:meth:`mesothermo.CME.reaction_flux` gives the limit), and the occupation time of a state over
:math:`T` converges to :math:`p^{ss}(n)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Trajectory", "Occupation", "transition_times"]


class Occupation(NamedTuple):
    """Time spent in each visited state: ``states`` (U, N), ``time`` (U,), ``total`` (float)."""

    states: np.ndarray
    time: np.ndarray
    total: float


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One simulated path of the copy numbers.

    Attributes
    ----------
    t : ndarray, shape (K,)
        Times: every event time (with ``t[0] = 0``) or the requested sample times.
    n : ndarray of int64, shape (K, N)
        Copy numbers at ``t`` (the state right after all events at or before ``t[k]``).
    V : float
        Volume.
    species : tuple of str
        Species names, the column order of ``n``.
    channel : ndarray of int64, shape (K-1,), or None
        When every event is recorded: the channel of each event, ``l`` for the forward direction
        of reaction ``l`` and ``M + l`` for its backward direction, so that
        ``n[k+1] - n[k] == ±nu[l]``. ``None`` when sampled at given times.
    n_events : int
        Number of events simulated in ``[0, t_end]``.
    M : int
        Number of reactions of the network (channels are ``0 .. 2M - 1``).
    t_end : float or None
        End of the simulated interval (the path stays in its last state from the last event to
        ``t_end``).
    """

    t: np.ndarray
    n: np.ndarray
    V: float
    species: tuple
    channel: np.ndarray | None
    n_events: int
    M: int = 0
    t_end: float | None = None

    @property
    def x(self) -> np.ndarray:
        """Concentrations :math:`x = n / V`, shape (K, N)."""
        return self.n / self.V

    def __repr__(self) -> str:
        kind = "every event" if self.channel is not None else "sampled"
        return (f"Trajectory({len(self.t)} points ({kind}), {self.n_events} events, "
                f"species={list(self.species)}, V={self.V:g}, t=[{self.t[0]:g}, {self.t[-1]:g}])")

    def _require_events(self, what: str) -> None:
        if self.channel is None:
            raise ValueError(f"{what} needs a path recorded at every event; this one was "
                             "sampled at given times. Call simulate(...) without `times`.")

    def _duration(self) -> float:
        end = self.t[-1] if self.t_end is None else self.t_end
        return float(end - self.t[0])

    def firings(self) -> np.ndarray:
        """Numbers of firings of each channel, shape (2, M): forward in row 0, backward in 1."""
        self._require_events("`firings`")
        counts = np.bincount(self.channel, minlength=2 * self.M)
        return counts.reshape(2, self.M)

    def net_flux(self, per_time: bool = True) -> np.ndarray:
        r"""Net firings of each reaction, :math:`N^+_\ell - N^-_\ell`, shape (M,).

        With ``per_time=True`` (default) divided by the length of the path, the empirical
        stationary flux :math:`J_\ell` (compare :meth:`mesothermo.CME.reaction_flux`); a
        non-zero value at stationarity is the current of a driven network.
        """
        f = self.firings()
        net = (f[0] - f[1]).astype(float)
        if not per_time:
            return net
        T = self._duration()
        if T <= 0:
            raise ValueError("the path has zero length; a flux per time is undefined.")
        return net / T

    def occupation_times(self) -> Occupation:
        r"""Time spent in each visited state (exact for a path recorded at every event).

        The holding time of the :math:`k`-th state is :math:`t_{k+1} - t_k`, and of the last
        one :math:`t_{\rm end} - t_K`. Divided by ``total``, this is the empirical law that
        converges to :math:`p^{ss}` (ergodic theorem).
        """
        self._require_events("`occupation_times`")
        end = self.t[-1] if self.t_end is None else self.t_end
        hold = np.diff(np.append(self.t, end))
        states, which = np.unique(self.n, axis=0, return_inverse=True)
        time = np.bincount(np.ravel(which), weights=hold, minlength=len(states))
        return Occupation(states, time, float(hold.sum()))

    def transition_times(self, in_a, in_b) -> np.ndarray:
        """Times from each entry into set A to the next entry into set B along this path.

        ``in_a`` and ``in_b`` are boolean masks over the points of the path, or callables of the
        copy numbers ``n`` (K, N) returning them; see :func:`transition_times`.
        """
        a = in_a(self.n) if callable(in_a) else in_a
        b = in_b(self.n) if callable(in_b) else in_b
        return transition_times(self.t, a, b)


def transition_times(t, in_a, in_b) -> np.ndarray:
    r"""Durations of the transitions A → B of a path sampled at times ``t``.

    Each transition runs from the first sample of a visit to A to the first sample of the next
    visit to B: the first-passage time from (the entry into) A to B, as for the switching time
    between the two cores of a bistable system. Samples in neither set are ignored, so
    excursions out of A that return to A before reaching B belong to the same visit. With a sampled (not every-event) path the entries can be up to one
    sampling interval late, so a duration is accurate to that interval; what is never missed
    is a stay in B that lasts longer than the sampling interval.

    Parameters
    ----------
    t : array_like, shape (K,)
        Non-decreasing times.
    in_a, in_b : array_like of bool, shape (K,)
        Disjoint sets: which samples lie in A and in B.

    Returns
    -------
    ndarray, shape (J,)
        Durations of the completed transitions A → B.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8.0)
    >>> x = np.array([0, 0, 1, 2, 0, 1, 2, 2])
    >>> transition_times(t, x == 0, x == 2).tolist()
    [3.0, 2.0]
    """
    t = np.asarray(t, float)
    a, b = np.asarray(in_a), np.asarray(in_b)
    for name, m in (("in_a", a), ("in_b", b)):
        if m.dtype != bool or m.shape != t.shape:
            raise ValueError(f"`{name}` must be a boolean mask of shape {t.shape}, one value "
                             f"per sample; got {m.dtype} of shape {m.shape}.")
    if t.ndim != 1 or np.any(np.diff(t) < 0):
        raise ValueError("`t` must be a 1-D array of non-decreasing times.")
    if np.any(a & b):
        raise ValueError("`in_a` and `in_b` overlap; the two sets must be disjoint.")
    core = np.where(a, -1, np.where(b, 1, 0))
    inside = np.flatnonzero(core)
    if inside.size == 0:
        return np.zeros(0)
    c = core[inside]
    entries = np.concatenate([[0], np.flatnonzero(np.diff(c)) + 1])  # first sample of a visit
    t_enter, c_enter = t[inside[entries]], c[entries]
    from_a = (c_enter[:-1] == -1) & (c_enter[1:] == 1)   # visits alternate between A and B
    return t_enter[1:][from_a] - t_enter[:-1][from_a]
