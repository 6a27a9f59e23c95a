r"""Goodness-of-fit tests that the chapters and the test suite share.

One job: decide, with a stated level, whether simulated data are consistent with the law the
model says they follow. Each test returns a small named result with the statistic, its p-value
and the sample size (and the degrees of freedom where there are any); the caller chooses the
level :math:`\alpha` and so the false-failure rate of an assertion ``pvalue > alpha``.

- :func:`waiting_time_test` — Ge–Qian assumption (ii), first half: along a path recorded at
  every event, the waiting times scaled by the total propensity of the state left,
  :math:`s_k = a(n_k)(t_{k+1} - t_k)`, are independent Exp(1) (Kolmogorov–Smirnov).
- :func:`channel_choice_test` — assumption (ii), second half: in state :math:`n` the channel
  :math:`c` fires with probability :math:`r_c(n)/a(n)`, independently on every visit (Pearson
  chi-square, state by state, pooled).
- :func:`pooled_chisquare` — integer samples (e.g. copy numbers at a late time, one per
  independent run) against a law on :math:`0, 1, \dots` (Pearson chi-square with neighbouring
  values pooled until every bin expects at least ``min_expected``).

The chi-square approximation needs expected counts of about 5 or more, hence the pooling and the
exclusion of sparsely visited states; the KS test is exact for continuous laws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import check_network, check_positive_real
from .network import Network
from .trajectory import Trajectory

__all__ = ["GoodnessOfFit", "WaitingTimeTest", "ChannelChoiceTest", "waiting_time_test",
           "channel_choice_test", "pooled_chisquare"]


class GoodnessOfFit(NamedTuple):
    """A test's ``statistic``, ``pvalue``, sample ``size`` and degrees of freedom ``dof``."""

    statistic: float
    pvalue: float
    size: int
    dof: int


class WaitingTimeTest(NamedTuple):
    """KS test of scaled waiting times against Exp(1); ``scaled`` holds the :math:`s_k`."""

    statistic: float
    pvalue: float
    size: int
    scaled: np.ndarray


class ChannelChoiceTest(NamedTuple):
    """Pooled chi-square of the channels fired, state by state, against :math:`r_c/a`.

    ``states`` (U, N) are the visited states left by an event, ``observed`` and ``expected``
    (U, 2M) the channel counts, ``usable`` (U,) the states whose every possible channel expects
    at least ``min_expected`` firings, ``fraction_used`` the share of events in those states.
    """

    statistic: float
    pvalue: float
    size: int
    dof: int
    states: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    usable: np.ndarray
    fraction_used: float


def _check_path(net: Network, path, what: str) -> None:
    check_network(net)
    if not isinstance(path, Trajectory):
        raise TypeError(f"`path` must be a mesothermo.Trajectory; got {type(path).__name__}.")
    if path.channel is None:
        raise ValueError(f"{what} needs a path recorded at every event; call simulate(...) "
                         "without `times`.")
    if path.n.shape[1] != net.N or (path.M and path.M != net.M):
        raise ValueError(f"`path` does not belong to `net`: it has {path.n.shape[1]} species "
                         f"and {path.M} reactions, the network {net.N} and {net.M}.")
    if len(path.channel) == 0:
        raise ValueError("`path` has no events to test.")


def _channel_rates(net: Network, path: Trajectory) -> np.ndarray:
    """Propensities of the 2M channels in the state left by each event, (K-1, 2M)."""
    r = net.propensities(path.n[:-1], path.V)
    return np.concatenate([r.plus, r.minus], axis=1)


def waiting_time_test(net: Network, path: Trajectory) -> WaitingTimeTest:
    r"""Kolmogorov–Smirnov test of :math:`s_k = a(n_k)\,(t_{k+1} - t_k)` against Exp(1).

    Under Ge–Qian assumption (ii) the waiting time in state :math:`n` is exponential with rate
    :math:`a(n) = \sum_c r_c(n)`, so the :math:`s_k` are i.i.d. Exp(1) whatever the states.

    Parameters
    ----------
    net : Network
        The network whose propensities are tested (it need not be the one simulated: testing
        another is how the power of the test is checked).
    path : Trajectory
        Recorded at every event.

    Returns
    -------
    WaitingTimeTest
    """
    from scipy.stats import kstest
    _check_path(net, path, "`waiting_time_test`")
    s = _channel_rates(net, path).sum(axis=1) * np.diff(path.t)
    ks = kstest(s, "expon")
    return WaitingTimeTest(float(ks.statistic), float(ks.pvalue), int(s.size), s)


def channel_choice_test(net: Network, path: Trajectory,
                        min_expected: float = 5.0) -> ChannelChoiceTest:
    r"""Pearson chi-square, state by state, of the channels fired against :math:`r_c(n)/a(n)`.

    By the Markov property the choices made on successive visits to the same state are
    independent multinomial draws, so each usable state contributes (number of possible
    channels :math:`-1`) degrees of freedom to one pooled statistic. States where some possible
    channel expects fewer than ``min_expected`` firings are left out.
    """
    from scipy.stats import chi2 as chi2_law
    _check_path(net, path, "`channel_choice_test`")
    min_expected = check_positive_real(min_expected, "min_expected")
    rates = _channel_rates(net, path)
    total = rates.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("`net` gives a state left by an event zero total propensity; the path "
                         "cannot come from it.")
    prob = rates / total
    visited, which = np.unique(path.n[:-1], axis=0, return_inverse=True)
    which = np.ravel(which)
    observed = np.zeros((len(visited), 2 * net.M))
    np.add.at(observed, (which, path.channel), 1)
    expected = np.zeros_like(observed)
    np.add.at(expected, which, prob)
    possible = expected > 0
    usable = np.array([np.all(e[p] >= min_expected) for e, p in zip(expected, possible)])
    safe = np.where(possible, expected, 1.0)
    impossible = (~possible) & (observed > 0)
    terms = np.where(possible, (observed - expected) ** 2 / safe, 0.0)
    chi2 = float(terms[usable].sum())
    dof = int((possible[usable].sum(axis=1) - 1).sum())
    if impossible.any():              # a channel fired where `net` says it cannot
        chi2, pvalue = np.inf, 0.0
    else:
        pvalue = float(chi2_law.sf(chi2, dof)) if dof > 0 else 1.0
    used = float(observed[usable].sum() / observed.sum())
    return ChannelChoiceTest(chi2, pvalue, int(observed[usable].sum()), dof, visited, observed,
                             expected, usable, used)


def pooled_chisquare(samples, law, min_expected: float = 5.0) -> GoodnessOfFit:
    r"""Pearson chi-square of integer samples against the pmf ``law`` on :math:`0, 1, \dots`.

    Neighbouring values are pooled, from 0 upwards, until every bin expects at least
    ``min_expected`` samples; the remainder joins the last bin. ``law`` is normalised over its
    support (a truncated lattice law whose tail mass is negligible).

    Parameters
    ----------
    samples : array_like of int, shape (R,)
        Independent samples, within ``0 .. len(law) - 1``.
    law : array_like, shape (L,)
        Non-negative weights of the values 0 .. L-1.
    min_expected : float
        Smallest expected count per bin.

    Returns
    -------
    GoodnessOfFit
        ``dof`` = number of bins - 1.
    """
    from scipy.stats import chisquare
    try:
        samples = np.asarray(samples)
        law = np.asarray(law, float)
    except (TypeError, ValueError):
        raise TypeError("`samples` must be integers and `law` numbers.") from None
    if samples.ndim != 1 or samples.size == 0 or samples.dtype.kind not in "iu":
        raise ValueError(f"`samples` must be a non-empty 1-D array of integers; got dtype "
                         f"{samples.dtype} and shape {samples.shape}.")
    if law.ndim != 1 or not np.all(np.isfinite(law)) or np.any(law < 0) or law.sum() <= 0:
        raise ValueError("`law` must be a 1-D array of non-negative finite weights with a "
                         "positive sum.")
    min_expected = check_positive_real(min_expected, "min_expected")
    if samples.min() < 0 or samples.max() >= len(law):
        raise ValueError(f"a sample lies outside the support 0..{len(law) - 1} of `law`.")
    observed = np.bincount(samples, minlength=len(law)).astype(float)
    expected = samples.size * law / law.sum()
    obs, exp, o, e = [], [], 0.0, 0.0
    for oi, ei in zip(observed, expected):
        o, e = o + oi, e + ei
        if e >= min_expected:
            obs.append(o)
            exp.append(e)
            o, e = 0.0, 0.0
    if not obs:
        raise ValueError(f"too few samples: no bin reaches {min_expected:g} expected counts.")
    obs[-1] += o
    exp[-1] += e
    if len(obs) < 2:
        raise ValueError("the samples fill only one pooled bin; the test has no degrees of "
                         "freedom (take more samples).")
    result = chisquare(obs, exp)
    return GoodnessOfFit(float(result.statistic), float(result.pvalue), int(samples.size),
                         len(obs) - 1)
