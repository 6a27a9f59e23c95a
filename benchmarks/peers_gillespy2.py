"""GillesPy2's C++ SSA (``SSACSolver``) as a benchmark peer.

``SSACSolver`` compiles a C++ program per model with g++ through SCons; the compilation happens
when the solver is built and in a warm-up run, and only the runs after that are timed. Each run
starts the compiled program as a child process, so its CPU time (counted by
:func:`peers.cpu_time`) includes that process's start. Its mass-action propensities (order
<= 2) are ``k``, ``k X``, ``k X Y / vol``, ``k X (X-1) / vol`` times ``vol`` for order 0 —
Kurtz's convention, the same as ours — and third-order reactions (Schlögl's ``3 X -> 2 X``)
are given as custom propensities ``c X (X-1) (X-2)`` with our constant ``c = k / V**2``.
GillesPy2 does not report the number of events.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

try:
    from peers import channels, cpu_time, missing, version
except ImportError:  # pragma: no cover
    from .peers import channels, cpu_time, missing, version

KEY = "GillesPy2"


def _put_venv_bin_on_path() -> None:
    """GillesPy2 calls ``scons`` from PATH: make it the interpreter's own (the venv's)."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir] + parts)


def available() -> tuple[bool, str]:
    """Whether GillesPy2's C++ SSA can be built here, and if not, why."""
    why = missing("gillespy2", "gillespy2")
    if why:
        return False, why
    _put_venv_bin_on_path()
    if shutil.which("scons") is None:
        return False, "SCons is not on PATH (GillesPy2's C++ solvers are built with it)"
    if shutil.which("g++") is None:
        return False, "g++ is not on PATH (GillesPy2's C++ solvers are compiled with it)"
    return True, ""


def label() -> str:
    return f"GillesPy2 {version('gillespy2')} (C++)"


def gillespy2_model(bm):
    """The benchmark network as a GillesPy2 model with the same propensities."""
    import gillespy2

    net = bm.net
    model = gillespy2.Model(name=bm.name.replace("-", "_"), volume=bm.V)
    sp = {name: gillespy2.Species(name=name, initial_value=int(v), mode="discrete")
          for name, v in zip(net.species, bm.n0)}
    model.add_species(list(sp.values()))
    reactions, params = [], []
    for ch in channels(net, bm.V):
        reactants = {sp[s]: m for s, m in ch.reactants.items()}
        products = {sp[s]: m for s, m in ch.products.items()}
        if ch.order <= 2:
            # GillesPy2's own mass action, in its volume convention: k = c V^(order - 1)
            p = gillespy2.Parameter(name=f"k_{ch.name}",
                                    expression=float(ch.c * bm.V ** (ch.order - 1)))
            params.append(p)
            reactions.append(gillespy2.Reaction(name=ch.name, reactants=reactants,
                                                products=products, rate=p))
        else:
            terms = [f"{ch.c!r}"]
            for s, m in ch.reactants.items():
                terms += [s if q == 0 else f"({s} - {q})" for q in range(m)]
            reactions.append(gillespy2.Reaction(name=ch.name, reactants=reactants,
                                                products=products,
                                                propensity_function=" * ".join(terms)))
    model.add_parameter(params)
    model.add_reaction(reactions)
    return model


class Runner:
    def __init__(self, bm, t_end: float, times):
        from gillespy2 import SSACSolver

        self.species = list(bm.net.species)
        self.model = gillespy2_model(bm)
        self.model.timespan(np.asarray(times, float))
        self.solver = SSACSolver(model=self.model)  # compiles the C++ program
        self.solver.run(seed=1)                     # warm-up run, not timed
        self.result = None

    def run(self, seed: int) -> float:
        t0 = cpu_time()
        self.result = self.solver.run(seed=int(seed))
        return cpu_time() - t0

    def final(self) -> np.ndarray:
        return np.array([int(round(self.result[0][s][-1])) for s in self.species])

    def events(self) -> None:
        return None


def prepare(bm, t_end: float, times) -> Runner:
    return Runner(bm, t_end, times)
