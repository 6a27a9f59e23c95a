"""libRoadRunner as a benchmark peer: its Gillespie integrator.

The model is the stochastic SBML of :mod:`peers_sbml` (one irreversible reaction per channel,
amounts, the falling-factorial law), loaded and compiled by ``roadrunner.RoadRunner(sbml)``;
``r.integrator = "gillespie"`` with ``variable_step_size = False``, so ``r.simulate(0, t_end, K)``
records the state at the ``K`` equally spaced sample times. A timed run resets the model to its
initial state and sets the integrator's seed (untimed), then times only ``simulate``; loading
and compiling the SBML is excluded. libRoadRunner does not report the number of events.
"""

from __future__ import annotations

import numpy as np

try:
    from peers import cpu_time, missing, version
    from peers_sbml import stochastic_sbml
except ImportError:  # pragma: no cover
    from .peers import cpu_time, missing, version
    from .peers_sbml import stochastic_sbml

KEY = "RoadRunner"


def available() -> tuple[bool, str]:
    why = missing("roadrunner", "libroadrunner")
    return (False, why) if why else (True, "")


def label() -> str:
    return f"libRoadRunner {version('libroadrunner')} gillespie"


class Runner:
    def __init__(self, bm, t_end: float, times):
        import roadrunner

        times = np.asarray(times, float)
        self.points = len(times)
        if self.points < 2 or not np.allclose(times, np.linspace(0.0, t_end, self.points)):
            raise ValueError("the libRoadRunner runner samples equally spaced points from 0 "
                             "to t_end")
        self.t_end = float(t_end)
        self.rr = roadrunner.RoadRunner(stochastic_sbml(bm))
        self.rr.setIntegrator("gillespie")
        self.rr.integrator.variable_step_size = False
        self.rr.timeCourseSelections = list(bm.net.species)  # amounts, in our order
        self.result = None

    def run(self, seed: int) -> float:
        self.rr.reset()
        self.rr.integrator.seed = int(seed)
        t0 = cpu_time()
        self.result = self.rr.simulate(0.0, self.t_end, self.points)
        return cpu_time() - t0

    def final(self) -> np.ndarray:
        return np.rint(np.asarray(self.result)[-1]).astype(np.int64)

    def events(self) -> None:
        return None


def prepare(bm, t_end: float, times) -> Runner:
    return Runner(bm, t_end, times)
