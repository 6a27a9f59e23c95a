"""rebop (Rust Gillespie direct method) as a benchmark peer.

``rebop.Gillespie().add_reaction(rate, reactants, products)`` with a numeric rate is a law of
mass action whose propensity is ``rate * A * (A - 1) ...`` over the listed reactants (rebop's
docstring: ``add_reaction(4.2, ["A", "A"], ["AA"])`` is ``4.2 * A * (A - 1)``), so ``rate`` is
the channel constant ``c`` of :func:`peers.channels`, third order included. ``run(init, tmax,
nb_steps, rng=seed)`` samples ``nb_steps + 1`` equally spaced points from 0 to ``tmax`` and
returns an ``xarray.Dataset``. Building that result is inside the call (about 2 ms per call
here, as long as thousands of events): to time the simulation only, as for the other peers,
the runner measures the call's fixed cost once, as the best of 5 calls to ``tmax = 1e-9`` (no
event) with the same sampling, and subtracts it from each timed run (``NOTE``). rebop
does not report the number of events.
"""

from __future__ import annotations

import numpy as np

try:
    from peers import channels, cpu_time, missing, version
except ImportError:  # pragma: no cover
    from .peers import channels, cpu_time, missing, version

KEY = "rebop"
NOTE = ("rebop: the fixed cost of one run() call (building its xarray result, best "
                   "of 5 calls to t_end = 1e-9, no event) is subtracted from each timed run")


def available() -> tuple[bool, str]:
    why = missing("rebop", "rebop")
    return (False, why) if why else (True, "")


def label() -> str:
    return f"rebop {version('rebop')} (Rust)"


class Runner:
    def __init__(self, bm, t_end: float, times):
        import rebop

        times = np.asarray(times, float)
        steps = len(times) - 1
        if steps < 1 or not np.allclose(times, np.linspace(0.0, t_end, steps + 1)):
            raise ValueError("rebop samples equally spaced points from 0 to t_end only")
        self.species = list(bm.net.species)
        self.init = {s: int(n) for s, n in zip(self.species, bm.n0)}
        self.t_end, self.steps = float(t_end), steps
        self.sim = rebop.Gillespie()
        for ch in channels(bm.net, bm.V):
            self.sim.add_reaction(ch.c, [s for s, m in ch.reactants.items() for _ in range(m)],
                                  [s for s, m in ch.products.items() for _ in range(m)])
        self.fixed = 0.0
        self.fixed = min(self._call(1e-9, seed) for seed in range(5))
        self.result = None

    def _call(self, t_end: float, seed: int) -> float:
        t0 = cpu_time()
        self.result = self.sim.run(self.init, t_end, self.steps, rng=seed)
        return cpu_time() - t0

    def run(self, seed: int) -> float:
        return max(self._call(self.t_end, seed) - self.fixed, 0.0)

    def final(self) -> np.ndarray:
        return np.array([int(self.result[s].values[-1]) for s in self.species])

    def events(self) -> None:
        return None


def prepare(bm, t_end: float, times) -> Runner:
    return Runner(bm, t_end, times)
