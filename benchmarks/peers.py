"""Peer SSA simulators of the benchmark: the shared interface, the channel list, the registry.

Every peer simulates the benchmark network as the same continuous-time Markov chain as
:func:`mesothermo.simulate`: one channel per direction of each reaction with a positive
constant, with the propensity (Kurtz's convention, Ge–Qian assumption iii)

.. math::

    a_j(n) = c_j \\prod_i (n_i)_{m_{ji}}, \\qquad c_j = k_j V^{1 - \\sum_i m_{ji}},

where :math:`(n)_m = n (n-1) \\cdots (n-m+1)` is the falling factorial, :math:`m_{ji}` the
reactant counts and :math:`k_j` the effective constant (chemostat concentrations included).
For ``2 A -> ...`` this is :math:`k\\,n(n-1)/V`, with no factor 1/2. :func:`channels` lists
``(c_j, reactants, products)``; each peer adapter (``peers_<name>.py``) turns it into the peer's
own model and must reproduce exactly these propensities (the equivalence check of
``ssa_bench`` tests it by the mean final state over hundreds of runs).

An adapter module provides ``KEY`` (a short column label), ``available() -> (bool, reason)``,
``label() -> str`` (name and version) and ``prepare(bm, t_end, times) -> runner``, where the
runner has ``run(seed) -> float``, which simulates one path and returns the CPU seconds
(:func:`cpu_time`) of the simulation proper (model building, compilation, seeding and reading
the result are outside the timed span), ``final() -> ndarray`` (the state at ``t_end`` of the
last run, in ``net.species`` order) and ``events() -> int | None`` (the number of firings of the
last run, or ``None`` when the peer does not report it).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import resource
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Channel", "channels", "cpu_time", "peer_modules", "version", "missing"]

#: The adapter modules, in the order of the table's rows.
PEER_MODULES = ("peers_rebop", "peers_copasi", "peers_roadrunner", "peers_gillespy2")


def cpu_time() -> float:
    """CPU seconds (user + system) of this process and of its finished children.

    On a shared machine, CPU time is far less disturbed by other processes than wall time.
    GillesPy2 runs its compiled solver as a child process, so the children's share counts.
    """
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


@dataclass(frozen=True)
class Channel:
    """One reaction channel: ``a(n) = c * prod_i falling(n_i, reactants[i])``."""

    name: str
    c: float
    reactants: dict[str, int]
    products: dict[str, int]

    @property
    def order(self) -> int:
        return sum(self.reactants.values())


def channels(net, V: float) -> list[Channel]:
    """The channels with positive constant, forward directions first (mesothermo's order)."""
    out = []
    for direction, keff, reac_m, prod_m in (
            ("f", net.effective_k_plus, net.nu_plus, net.nu_minus),
            ("b", net.effective_k_minus, net.nu_minus, net.nu_plus)):
        for l in range(net.M):
            if keff[l] <= 0:
                continue
            reac = {net.species[i]: int(reac_m[l, i]) for i in np.flatnonzero(reac_m[l])}
            prod = {net.species[i]: int(prod_m[l, i]) for i in np.flatnonzero(prod_m[l])}
            order = sum(reac.values())
            out.append(Channel(f"r{l}{direction}", float(keff[l]) * V ** (1.0 - order),
                               reac, prod))
    return out


def propensity(ch: Channel, state: dict[str, int]) -> float:
    """``a(n)`` of one channel at a state given as ``{species: count}``."""
    a = ch.c
    for s, m in ch.reactants.items():
        for q in range(m):
            a *= state[s] - q
    return a


def version(dist: str) -> str:
    """The installed version of a distribution, or ``"?"``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def missing(module: str, dist: str) -> str | None:
    """Why ``module`` cannot be imported (``None`` when it can)."""
    if importlib.util.find_spec(module) is None:
        return f"{dist} is not installed (pip install -r requirements-bench.txt)"
    return None


def peer_modules() -> list:
    """The adapter modules (each imports its peer only when used)."""
    mods = []
    for name in PEER_MODULES:
        try:
            mods.append(importlib.import_module(name))
        except ImportError:  # imported as benchmarks.peers
            mods.append(importlib.import_module(f"{__package__}.{name}"))
    return mods
