r"""Exact stochastic simulation of the mesoscopic model: Gillespie's direct method.

The copy-number vector :math:`n(t)` of a reaction network in a vessel of volume :math:`V` is a
continuous-time Markov chain (Ge–Qian assumptions i–iv: each reaction direction fires after an
exponential waiting time with rate :math:`r_{\pm\ell}(n)`), whose probability law obeys the
chemical master equation (:mod:`mesothermo.cme`); as :math:`V\to\infty`, :math:`n(t)/V`
follows the rate equation (Ge–Qian Eq. 4, Kurtz 1972). Its jumps are the :math:`2M` channels
:math:`n \to n \pm \nu_\ell` with propensities :math:`r_{\pm\ell}(n)`
(:meth:`Network.propensities`, Kurtz's convention). Gillespie's direct method (Gillespie,
*J. Phys. Chem.* 81, 2340, 1977) samples its paths exactly: from state :math:`n` at time
:math:`t`, with :math:`a_0(n) = \sum_\ell \left(r_{+\ell}(n) + r_{-\ell}(n)\right)`,

.. math::

    \tau = -\frac{\ln u_1}{a_0(n)}, \qquad
    j = \min\Big\{ j : \sum_{i\le j} a_i(n) > u_2\, a_0(n) \Big\},

with :math:`u_1, u_2` independent uniforms, and the path jumps to :math:`n + \nu_j` at
:math:`t+\tau`.

Three implementations, all consuming the same uniforms in the same order:

* ``method="kernel"``: a compiled numba loop
  (:mod:`mesothermo._ssa_kernel`) with per-channel constants
  :math:`c_j = k_j V^{1-\mathrm{order}_j}`, propensities from falling factorials, updated only
  for the channels that depend on the species that changed (a dependency graph), an inline
  xoshiro256+ generator seeded explicitly from the caller's generator, and recording only at the
  requested sample times. It is compiled once for all networks.
* ``method="compiled"`` (the default for mass action): the same loop generated and compiled for
  one network structure (:mod:`mesothermo._ssa_kernel.codegen`), with every count and
  propensity in a local variable and every update written out (as GillesPy2 and BioNetGen
  compile a model); the next waiting time's logarithm is taken before the channel is chosen,
  and networks of up to four channels choose it without a branch. Two to three times as fast
  per event as the generic kernel. The first use of a structure costs a compilation of about a
  second; its machine code is stored on disk (``$MESOTHERMO_CACHE_DIR``, by default
  ``~/.cache/mesothermo``) and later sessions load it in milliseconds, without numba's
  dispatcher (:mod:`mesothermo._ssa_kernel.native`); rate constants and ``V`` stay arguments,
  so a parameter sweep compiles once. Networks with more than 64 channels run the generic
  kernel instead. Measured side by side with rebop 0.9 (Rust) on the five models of
  ``benchmarks/`` (issue 17): 1.3–1.6x rebop's speed on the one- to four-channel models, about
  4x on the 18–20-channel ones.
* ``method="reference"``: the same algorithm in plain Python over
  :meth:`Network.propensities`. It is the path for general rate laws (callables) and the
  yardstick the compiled kernels are tested against.

Because all three perform the same floating-point operations on the same uniforms, the same
seed gives the same path, event by event, whichever method runs it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from . import _ssa_kernel as _k
from ._ssa_reference import raise_status, reference_path
from ._validation import (as_rng, check_choice, check_counts, check_network, check_positive_int,
                          check_positive_real, check_times, check_volume)
from .network import Network
from .trajectory import Trajectory, transition_times

if TYPE_CHECKING:  # annotations only
    from concurrent.futures import Executor

__all__ = ["Trajectory", "simulate", "simulate_ensemble", "transition_times"]

_METHODS = ("auto", "kernel", "compiled", "reference")


# ---------------------------------------------------------------------------------------------
# Validation and set-up
# ---------------------------------------------------------------------------------------------
def _check_method(method: str, net: Network) -> str:
    check_choice(method, _METHODS)
    if method == "auto":
        return "compiled" if net.is_mass_action else "reference"
    if method in ("kernel", "compiled") and not net.is_mass_action:
        raise ValueError(f"`method`={method!r} needs mass-action kinetics; this network has "
                         "general rate laws (propensity callables): use method='reference' or "
                         "'auto'.")
    return method


def _generator_state(rng: np.random.Generator, size=None) -> np.ndarray:
    """Explicit xoshiro256+ state words drawn from the user's generator (never all zero)."""
    shape = (4,) if size is None else (size, 4)
    s = rng.integers(0, 2**64, size=shape, dtype=np.uint64, endpoint=False)
    s = s.reshape(-1, 4)
    zero = ~s.any(axis=1)
    s[zero, 0] = np.uint64(0x9E3779B97F4A7C15)
    return s[0] if size is None else s


class _KernelNetwork:
    """The arrays the compiled kernels need, for one network at one volume."""

    def __init__(self, net: Network, V: float):
        order_p = net.nu_plus.sum(axis=1)
        order_m = net.nu_minus.sum(axis=1)
        # Same expression, same rounding, as _kinetics.propensities.
        c_all = np.concatenate([net.effective_k_plus * V ** (1.0 - order_p),
                                net.effective_k_minus * V ** (1.0 - order_m)])
        keep = np.flatnonzero(c_all > 0)
        reac = np.concatenate([net.nu_plus, net.nu_minus])[keep]     # (R, N)
        delta = np.concatenate([net.nu, -net.nu])[keep]               # (R, N)
        self.chan_id = keep.astype(np.int64)
        self.c = np.ascontiguousarray(c_all[keep], dtype=np.float64)
        self.r_ptr, self.r_spec, self.r_mult = _csr(reac)
        self.d_ptr, self.d_spec, self.d_delta = _csr(delta)
        # Dependency graph: channel k must be recomputed after j fires when j changes a species
        # that k consumes.
        depends = ((delta != 0).astype(np.int64) @ (reac != 0).astype(np.int64).T) > 0
        self.dep_ptr, self.dep_idx, _ = _csr(depends)
        self._reac, self._delta, self._generated = reac, delta, None

    def args(self):
        return (self.c, self.r_ptr, self.r_spec, self.r_mult, self.d_ptr, self.d_spec,
                self.d_delta, self.dep_ptr, self.dep_idx)

    def generated(self):
        """The kernels generated for this network structure (method="compiled").

        A network none of whose channels can fire has nothing to generate, and one with more
        than ``_MAX_GENERATED_CHANNELS`` channels is served better by the table-driven loop: for
        both, the generic kernels stand in (same paths either way).
        """
        if not 0 < len(self.c) <= _MAX_GENERATED_CHANNELS:
            return _GenericAsGenerated(self)
        if self._generated is None:
            deps = [self.dep_idx[self.dep_ptr[j]:self.dep_ptr[j + 1]].tolist()
                    for j in range(len(self.c))]
            self._generated = _k.generated_kernels(self._reac, self._delta, deps)
        return self._generated

    def kernels(self, method: str):
        """The kernels of ``method`` ("compiled" or "kernel") behind one calling convention."""
        return self.generated() if method == "compiled" else _GenericAsGenerated(self)


#: Above this many channels method="compiled" runs the generic kernel: the generated code grows
#: with the channels times their dependents, and numba's compiler recurses along the chain.
_MAX_GENERATED_CHANNELS = 64


class _GenericAsGenerated:
    """The generic kernels behind the calling convention of the generated ones."""

    def __init__(self, kn: _KernelNetwork):
        self.kn = kn

    def direct_sampled(self, n0, times, t_end, c, state, max_events, out):
        return _k.direct_sampled(n0, times, t_end, *self.kn.args(), state, max_events, out)

    def direct_every(self, n0, t_end, c, chan_id, state, max_events, capacity):
        return _k.direct_every(n0, t_end, *self.kn.args(), chan_id, state, max_events, capacity)

    def direct_ensemble(self, n0, times, t_end, c, states, max_events, out, events, status,
                        threads=None):
        _generic_ensemble(self.kn, n0, times, t_end, states, max_events, out, events, status,
                          threads)


def _generic_ensemble(kn, n0, times, t_end, states, max_events, out, events, status, threads):
    """The generic parallel kernel on ``threads`` of numba's threads (all of them if None)."""
    import numba

    old = numba.get_num_threads()
    limit = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(limit if threads is None else min(threads, limit))
    try:
        _k.direct_ensemble(n0, times, t_end, *kn.args(), states, max_events, out, events, status)
    finally:
        numba.set_num_threads(old)


_KERNEL_CACHE: "weakref.WeakKeyDictionary[Network, dict]" = weakref.WeakKeyDictionary()


def _kernel_network(net: Network, V: float) -> _KernelNetwork:
    """The kernel arrays of ``net`` at volume ``V``, cached (networks are immutable)."""
    per_net = _KERNEL_CACHE.setdefault(net, {})
    kn = per_net.get(V)
    if kn is None:
        if len(per_net) >= 16:
            per_net.clear()
        kn = per_net[V] = _KernelNetwork(net, V)
    return kn


def _csr(mat: np.ndarray):
    rows, cols = np.nonzero(mat)
    ptr = np.zeros(mat.shape[0] + 1, np.int64)
    ptr[1:] = np.cumsum(np.bincount(rows, minlength=mat.shape[0]))
    return ptr, cols.astype(np.int64), mat[rows, cols].astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
def simulate(net: Network, n0, t_end: float, V: float = 1.0, seed=None, times=None,
             max_events: int = 10**8, method: str = "auto") -> Trajectory:
    r"""Simulate one exact path of the mesoscopic model (Gillespie's direct method).

    The path is a sample of the Markov chain of Ge–Qian assumptions (i)–(iii), whose law obeys
    the chemical master equation, with jumps :math:`n\to n\pm\nu_\ell` at rates

    .. math::

        r_{\pm\ell}(n) = V k_{\pm\ell} \prod_i \frac{(n_i)_{\nu^\pm_{\ell i}}}{V^{\nu^\pm_{\ell i}}}

    (Kurtz's convention, Ge–Qian assumption iii), or the network's general rate laws. Waiting
    times are :math:`\tau = -\ln u_1 / a_0(n)` and the channel is chosen with probability
    :math:`a_j(n)/a_0(n)` (Gillespie 1977).

    Parameters
    ----------
    net : Network
    n0 : array_like of int, shape (N,)
        Initial copy numbers, non-negative integers.
    t_end : float
        End time, finite and > 0.
    V : float, optional
        Volume, finite and > 0 (default 1).
    seed : None, int, SeedSequence or Generator, optional
        Source of randomness, normalised by :func:`mesothermo._validation.as_rng`. The same seed
        gives the same path.
    times : array_like, shape (K,), optional
        Sample times, sorted, within ``[0, t_end]``. When given, the path is recorded only there.
        When omitted, every event is recorded.
    max_events : int, optional
        Cap on the number of events (default 1e8): a guard against runaway growth.
    method : {"auto", "kernel", "compiled", "reference"}
        ``"kernel"``: the compiled loop (mass action only); ``"compiled"``: a loop generated and
        compiled for this network structure (mass action; faster per event, about a second to
        compile on first use, its machine code cached on disk and loaded in milliseconds by
        later sessions); ``"reference"``: plain Python, also for general rate laws; ``"auto"``
        picks ``"compiled"`` for mass action and ``"reference"`` otherwise. The same seed gives
        the same path with every method.

    Returns
    -------
    Trajectory
        ``t`` (K,), ``n`` (K, N), ``x`` = n / V, ``channel`` (K-1,) when every event is recorded.

    Raises
    ------
    RuntimeError
        When ``max_events`` events are reached before ``t_end``.
    ValueError
        When a general rate law returns a negative or non-finite propensity.

    Examples
    --------
    >>> import mesothermo as mt
    >>> net = mt.models.immigration_death(k_in=10, k_out=1)
    >>> tr = mt.simulate(net, [0], t_end=5.0, V=2.0, seed=1, times=[0, 1, 5])
    >>> tr.n.shape
    (3, 1)
    """
    net = check_network(net)
    n0 = check_counts(n0, net.N, "n0")
    t_end = check_positive_real(t_end, "t_end")
    V = check_volume(V)
    if times is not None:
        times = np.ascontiguousarray(check_times(times))
        if times[-1] > t_end:
            raise ValueError(f"`times` must lie within [0, t_end]; the last is {times[-1]:g} > "
                             f"`t_end`={t_end:g}.")
    max_events = check_positive_int(max_events, "max_events")
    method = _check_method(method, net)
    rng = as_rng(seed)
    state = _generator_state(rng)

    if method == "reference":
        return _simulate_reference(net, n0, t_end, V, state, times, max_events)

    kn = _kernel_network(net, V)
    if times is None:
        t, n, ch, status = kn.kernels(method).direct_every(n0, t_end, kn.c, kn.chan_id, state,
                                                           max_events, 1024)
        raise_status(status, max_events, t[-1], t_end)
        return Trajectory(t, n, V, net.species, ch, len(ch), net.M, float(t_end))
    out = np.empty((len(times), net.N), np.int64)
    events, status, t_stop = kn.kernels(method).direct_sampled(n0, times, t_end, kn.c, state,
                                                               max_events, out)
    raise_status(status, max_events, t_stop, t_end)
    return Trajectory(times.copy(), out, V, net.species, None, int(events), net.M, float(t_end))


def simulate_ensemble(net: Network, n0, times, runs: int, V: float = 1.0, seed=None,
                      n_jobs: int | None = None, max_events: int = 10**8,
                      method: str = "auto", executor: Executor | None = None,
                      chunk_size: int | None = None) -> np.ndarray:
    r"""Simulate ``runs`` independent exact paths sampled at ``times``, in parallel.

    Each run is a path of Gillespie's direct method (see :func:`simulate`) from the same
    ``n0``; run ``i`` draws from its own generator, whose state is drawn from ``seed`` before the
    runs start, so the result is the same for any ``n_jobs``, any ``executor`` and any
    ``chunk_size``.

    Parameters
    ----------
    net : Network
    n0 : array_like of int, shape (N,)
    times : array_like, shape (K,)
        Sample times, sorted, non-negative; the runs end at ``times[-1]``.
    runs : int
        Number of paths, >= 1.
    V : float, optional
        Volume, > 0.
    seed : None, int, SeedSequence or Generator, optional
    n_jobs : int, optional
        Threads for the compiled kernel (default: all cores). General rate laws run serially
        in Python. Not with ``executor``, whose workers are then the parallelism.
    max_events : int, optional
        Cap on events per run.
    method : {"auto", "kernel", "compiled", "reference"}
        As in :func:`simulate`; the result does not depend on it.
    executor : concurrent.futures.Executor, optional
        Spread the runs over this executor's workers instead of local threads: a
        ``ProcessPoolExecutor``, or a Dask cluster's ``distributed.Client(...).get_executor()``
        (any object with ``submit(fn, *args)`` returning a future). The runs are cut into
        chunks of ``chunk_size``; each chunk is one task that receives the network, ``n0``,
        ``times``, ``V`` and its runs' generator states, simulates its runs one after another on
        one core, and returns their counts, which are put back in run order: the result is
        bit-identical to the local one for the same seed. The workers need mesothermo
        installed. A worker compiles the kernel on its first chunk of a network structure, or
        loads it from its disk cache (``$MESOTHERMO_CACHE_DIR``): local processes share the
        cache of this machine, a Dask worker on another machine compiles there once (a few
        seconds) and caches it on its own disk. General rate laws must pickle (module-level
        functions; Dask's cloudpickle also sends lambdas).
    chunk_size : int, optional
        Runs per task with ``executor`` (default ``ceil(runs / 64)``: at most 64 tasks, enough
        to balance a few dozen workers; larger clusters want smaller chunks). Ignored without
        ``executor``.

    Returns
    -------
    ndarray of int64, shape (runs, len(times), N)

    Raises
    ------
    TypeError
        When ``executor`` has no ``submit`` method, or the network cannot be pickled for it.
    RuntimeError, FloatingPointError, ValueError
        As :func:`simulate`; from an executor's worker with the number of the failing run.

    Examples
    --------
    >>> import mesothermo as mt
    >>> net = mt.models.isomerisation(1.0, 2.0)
    >>> mt.simulate_ensemble(net, [10, 0], [0.0, 1.0], runs=4, seed=0).shape
    (4, 2, 2)

    On a Dask cluster (``from distributed import Client``; ``client = Client(address)``):
    ``mt.simulate_ensemble(net, n0, times, runs, seed=1, executor=client.get_executor())``.
    """
    net = check_network(net)
    n0 = check_counts(n0, net.N, "n0")
    times = np.ascontiguousarray(check_times(times))
    runs = check_positive_int(runs, "runs")
    V = check_volume(V)
    if n_jobs is not None:
        n_jobs = check_positive_int(n_jobs, "n_jobs")
    max_events = check_positive_int(max_events, "max_events")
    method = _check_method(method, net)
    if executor is not None:
        _check_executor(executor, n_jobs)
    if chunk_size is not None:
        chunk_size = check_positive_int(chunk_size, "chunk_size")
    rng = as_rng(seed)
    states = _generator_state(rng, runs)
    t_end = float(times[-1])

    if executor is not None:
        return _ensemble_on_executor(executor, chunk_size or -(-runs // 64), net, n0, times, V,
                                     states, max_events, method)
    out = np.empty((runs, len(times), net.N), np.int64)
    if method == "reference":
        for i in range(runs):
            out[i] = reference_path(net, n0, t_end, V, states[i], times, max_events)[1]
        return out

    kn = _kernel_network(net, V)
    events = np.zeros(runs, np.int64)
    status = np.zeros(runs, np.int64)
    # compiled: stored machine code on Python threads (numba not needed); kernel: numba's threads
    kn.kernels(method).direct_ensemble(n0, times, t_end, kn.c, states, max_events, out, events,
                                       status, threads=n_jobs)
    bad = np.flatnonzero(status)
    if bad.size:
        raise_status(int(status[bad[0]]), max_events, float("nan"), t_end)
    return out


def _check_executor(executor, n_jobs) -> None:
    if isinstance(executor, type) or not callable(getattr(executor, "submit", None)):
        raise TypeError(
            "`executor` must be a concurrent.futures.Executor instance (an object with a "
            "`submit` method), e.g. ProcessPoolExecutor() or distributed.Client(...)"
            f".get_executor(); got {executor!r}.")
    if n_jobs is not None:
        raise ValueError(f"`n_jobs`={n_jobs} sets local threads; with `executor` its workers run "
                         "the runs (one core per chunk): pass one or the other.")


def _ensemble_on_executor(executor, size, net, n0, times, V, states, max_events, method):
    """Submit the runs in chunks of ``size`` to ``executor``; their counts, in run order."""
    import pickle

    runs = len(states)
    out = np.empty((runs, len(times), net.N), np.int64)
    futures = []
    try:
        for lo in range(0, runs, size):
            futures.append(executor.submit(_ensemble_chunk, net, n0, times, V,
                                           states[lo:lo + size], max_events, method, lo))
        for lo, fut in zip(range(0, runs, size), futures):
            try:
                out[lo:lo + size] = fut.result()
            except (pickle.PicklingError, AttributeError, TypeError) as err:
                if "pickl" not in str(err).lower():
                    raise
                raise TypeError(f"`net` could not be sent to the `executor`'s workers ({err}); "
                                "a general rate law must be a module-level function for "
                                "pickle (Dask's executor also sends lambdas).") from err
    finally:
        for fut in futures:
            fut.cancel()
    return out


def _ensemble_chunk(net, n0, times, V, states, max_events, method, first):
    """One executor task: runs ``first, first + 1, ...`` with ``states``, one after another.

    Each run calls the single-path kernel with its own state, as the local ensemble kernel does
    for each run, so the counts are the local ones. No parallel kernel runs here: the executor's
    workers are the parallelism, and a forked worker must not start OpenMP threads.
    """
    t_end = float(times[-1])
    out = np.empty((len(states), len(times), net.N), np.int64)
    kn = None if method == "reference" else _kernel_network(net, V)
    for i in range(len(states)):
        try:
            if kn is None:
                out[i] = reference_path(net, n0, t_end, V, states[i], times, max_events)[1]
                continue
            _, status, t_stop = kn.kernels(method).direct_sampled(n0, times, t_end, kn.c,
                                                                  states[i], max_events, out[i])
            raise_status(int(status), max_events, t_stop, t_end)
        except (RuntimeError, FloatingPointError, ValueError) as err:
            raise type(err)(f"run {first + i} of the ensemble, on an `executor` worker: "
                            f"{err}") from None
    return out


def _simulate_reference(net, n0, t_end, V, state, times, max_events) -> Trajectory:
    t, n, ch, events = reference_path(net, n0, t_end, V, state, times, max_events)
    return Trajectory(t, n, V, net.species, ch, int(events), net.M, float(t_end))
