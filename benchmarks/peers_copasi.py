"""COPASI (through basico) as a benchmark peer: its Gillespie direct method.

The model is the stochastic SBML of :mod:`peers_sbml` (one irreversible reaction per channel,
species in amounts, substance unit ``item``, so COPASI's quantity unit is ``#`` and particle
numbers are the counts), loaded with ``basico.load_model_from_string``. The time course is set up
once with ``basico.run_time_course(duration=t_end, intervals=K - 1, method="directMethod",
use_seed=True, seed=..., max_steps=...)`` (that call is the untimed warm-up run). A timed run
sets the seed, initialises the time-course task (``initializeRaw``; COPASI draws its generator
state there) and times only ``processRaw``, the simulation; building and loading the model,
initialising the task and reading the time series are excluded. COPASI does not report the
number of events.
"""

from __future__ import annotations

import numpy as np

try:
    from peers import cpu_time, missing, version
    from peers_sbml import stochastic_sbml
except ImportError:  # pragma: no cover
    from .peers import cpu_time, missing, version
    from .peers_sbml import stochastic_sbml

KEY = "COPASI"
MAX_STEPS = 2_000_000_000  # COPASI's "Max Internal Steps" (default 1e6) caps events per run


def available() -> tuple[bool, str]:
    for module, dist in (("basico", "copasi-basico"), ("COPASI", "python-copasi")):
        why = missing(module, dist)
        if why:
            return False, why
    return True, ""


def label() -> str:
    copasi = version("python-copasi").rsplit(".", 1)[0]
    return f"COPASI {copasi} directMethod (basico {version('copasi-basico')})"


class Runner:
    def __init__(self, bm, t_end: float, times):
        import basico

        times = np.asarray(times, float)
        steps = len(times) - 1
        if steps < 1 or not np.allclose(times, np.linspace(0.0, t_end, steps + 1)):
            raise ValueError("the COPASI runner samples equally spaced points from 0 to t_end")
        self.species = list(bm.net.species)
        self.dm = basico.load_model_from_string(stochastic_sbml(bm))
        basico.run_time_course(duration=float(t_end), intervals=steps, method="directMethod",
                               use_seed=True, seed=1, max_steps=MAX_STEPS, use_numbers=True,
                               model=self.dm)
        self.task = self.dm.getTask("Time-Course")
        self.seed_param = self.task.getMethod().getParameter("Random Seed")
        ts = self.task.getTimeSeries()
        titles = [ts.getTitle(j) for j in range(ts.getNumVariables())]
        self.columns = [titles.index(s) for s in self.species]

    def run(self, seed: int) -> float:
        import COPASI

        self.seed_param.setIntValue(int(seed))
        if not self.task.initializeRaw(COPASI.CCopasiTask.OUTPUT_UI):
            raise RuntimeError("COPASI could not initialise the time course")
        t0 = cpu_time()
        ok = self.task.processRaw(True)
        dt = cpu_time() - t0
        if not ok:
            raise RuntimeError("COPASI's time course failed")
        return dt

    def final(self) -> np.ndarray:
        ts = self.task.getTimeSeries()
        last = ts.getRecordedSteps() - 1
        return np.array([int(round(ts.getData(last, j))) for j in self.columns])

    def events(self) -> None:
        return None

    def close(self) -> None:
        import basico

        basico.remove_datamodel(self.dm)


def prepare(bm, t_end: float, times) -> Runner:
    return Runner(bm, t_end, times)
