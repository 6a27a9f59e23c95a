"""SSA speed per event against the strongest peers, with a check that each simulates our model.

Rows of the table: mesothermo's :func:`~mesothermo.simulate` (the default, ``method="compiled"``:
a loop generated for the network's structure; and ``method="kernel"``, the generic compiled
loop), then each installed peer — rebop (Rust), COPASI's direct method through basico,
libRoadRunner's Gillespie integrator, GillesPy2's C++ ``SSACSolver`` (adapters in
``peers_<name>.py``, each optional: a missing peer is a skipped row with the reason) — and a
plain-Python direct method. Columns: the five models of :mod:`models_bench`.

All simulate the same network (same constants, volume convention, initial state) to the same
end time with the same sampling (``t_end / 50``, 51 points, as in the Catalyst.jl paper's SSA
benchmarks). Time per event is the best (minimum) CPU time over the repeats (user + system, of
this process and of its children, so GillesPy2's solver process counts) divided by the number of
events: on a shared machine the CPU time, and its minimum over repeats, are the estimates least
disturbed by other processes. mesothermo and the Python loop count their own events (each run's
time is divided by its own count); the peers report none, so their best time is divided by the
mean event count of mesothermo's runs of the same model (all are exact samplers of the same
Markov chain, so the expected counts are equal; over millions of events the run-to-run spread is
a fraction of a percent). Only the simulation is timed: model building, SBML loading and
compilation, seeding and reading results are outside the timed span (see each adapter).

Model equivalence: each peer's mean final state over hundreds of runs at a shorter end time
``t_eq`` is compared with mesothermo's, species by species, by
``z = (mean_peer - mean_ours) / sqrt(se_peer**2 + se_ours**2)``; the table prints the first
species' means with their standard errors and the largest ``|z|`` over all species, against a
Bonferroni threshold with a family-wise false-alarm rate of 0.1 % over all the comparisons made.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

import mesothermo as mt

try:  # run as a script from benchmarks/ or imported with benchmarks/ on sys.path
    from models_bench import BenchModel, bench_models
    from peers import cpu_time, peer_modules
except ImportError:  # pragma: no cover
    from .models_bench import BenchModel, bench_models
    from .peers import cpu_time, peer_modules

__all__ = ["plain_python_ssa", "python_model", "python_loop", "run", "measure", "format_table",
           "FAMILY_ALPHA"]

#: Family-wise false-alarm rate of the equivalence check (Bonferroni over all comparisons).
FAMILY_ALPHA = 1e-3
#: Equivalence runs and end time (a fraction of ``t_end_quick``), full and quick.
EQ_RUNS, EQ_FRACTION = 400, 0.5
EQ_RUNS_QUICK, EQ_FRACTION_QUICK = 100, 0.1
SKIPPED_ON_REQUEST = "on request (--skip-peers, --no-gillespy2)"
#: Rows whose failure is an error of this benchmark, not a peer's to report.
OURS = ("default", "kernel", "python")


# --------------------------------------------------------------------------------------------
# The plain-Python baseline
# --------------------------------------------------------------------------------------------
def plain_python_ssa(net: mt.Network, n0, t_end: float, V: float, times, seed: int):
    """Gillespie's direct method as a plain Python loop (lists, ``random``, ``math``).

    The same algorithm as the kernel, dependency graph included, so the ratio measures the
    interpreter, not a weaker algorithm. Returns ``(samples (len(times), N), events)``.
    """
    return python_loop(python_model(net, V), n0, t_end, times, seed)


def python_model(net: mt.Network, V: float) -> tuple:
    """The loop's model: channel constants, reactant and change lists, dependency graph."""
    M = net.M
    c_all = np.concatenate([net.effective_k_plus * V ** (1.0 - net.nu_plus.sum(axis=1)),
                            net.effective_k_minus * V ** (1.0 - net.nu_minus.sum(axis=1))])
    reac_all = np.concatenate([net.nu_plus, net.nu_minus])
    delta_all = np.concatenate([net.nu, -net.nu])
    chans = [j for j in range(2 * M) if c_all[j] > 0]
    c = [float(c_all[j]) for j in chans]
    reac = [[(int(i), int(reac_all[j, i])) for i in np.flatnonzero(reac_all[j])] for j in chans]
    delta = [[(int(i), int(delta_all[j, i])) for i in np.flatnonzero(delta_all[j])]
             for j in chans]
    R = len(chans)
    deps = [[k for k in range(R) if {i for i, _ in reac[k]} & {i for i, _ in delta[j]}]
            for j in range(R)]
    return c, reac, delta, deps


def python_loop(model: tuple, n0, t_end: float, times, seed: int):
    """The direct method on a :func:`python_model`; ``(samples, events)``."""
    c, reac, delta, deps = model
    R = len(c)

    def prop(j, n):
        a = c[j]
        for i, m in reac[j]:
            v = n[i]
            for q in range(m):
                a *= v - q
        return a

    rng = random.Random(seed)
    n = [int(v) for v in n0]
    a = [prop(j, n) for j in range(R)]
    times = [float(s) for s in times]
    out = []
    k, K = 0, len(times)
    t = 0.0
    events = 0
    while True:
        a0 = sum(a)
        if a0 <= 0.0:
            break
        t_new = t - math.log(1.0 - rng.random()) / a0
        while k < K and times[k] < t_new:
            out.append(list(n))
            k += 1
        if t_new > t_end:
            break
        r = rng.random() * a0
        acc = 0.0
        for j in range(R):
            acc += a[j]
            if acc > r:
                break
        for i, d in delta[j]:
            n[i] += d
        for q in deps[j]:
            a[q] = prop(q, n)
        t = t_new
        events += 1
    while k < K:
        out.append(list(n))
        k += 1
    return np.array(out, dtype=np.int64), events


# --------------------------------------------------------------------------------------------
# Runners: mesothermo and the Python loop, with the peers' interface (see peers.py)
# --------------------------------------------------------------------------------------------
class MesoRunner:
    """:func:`mesothermo.simulate` with ``method``; reports its own event count."""

    def __init__(self, bm: BenchModel, t_end: float, times, method: str):
        self.bm, self.t_end, self.times, self.method = bm, t_end, times, method
        # load (or compile) the kernel first: the peers' compilation is excluded too
        mt.simulate(bm.net, bm.n0, min(t_end, 1e-3), V=bm.V, seed=0, times=[0.0],
                    method=method)
        self.tr = None

    def run(self, seed: int) -> float:
        t0 = cpu_time()
        self.tr = mt.simulate(self.bm.net, self.bm.n0, self.t_end, V=self.bm.V, seed=seed,
                              times=self.times, method=self.method)
        return cpu_time() - t0

    def final(self) -> np.ndarray:
        return np.asarray(self.tr.n[-1])

    def events(self) -> int:
        return int(self.tr.n_events)


class PythonRunner:
    """:func:`plain_python_ssa` (model built once, the loop timed); counts its own events."""

    def __init__(self, bm: BenchModel, t_end: float, times):
        self.bm, self.t_end, self.times = bm, t_end, times
        self.model = python_model(bm.net, bm.V)  # model building is not timed
        self.out = None

    def run(self, seed: int) -> float:
        t0 = cpu_time()
        self.out = python_loop(self.model, self.bm.n0, self.t_end, self.times, seed)
        return cpu_time() - t0

    def final(self) -> np.ndarray:
        return self.out[0][-1]

    def events(self) -> int:
        return self.out[1]


@dataclass
class Peer:
    """One row: a key, a label, and how to build a runner (``None`` with a reason if absent)."""

    key: str
    label: str
    prepare: object = None
    why: str = ""
    note: str = ""


def peers(skip: set[str] | frozenset = frozenset()) -> list[Peer]:
    """All rows, mesothermo first; peers not installed (or in ``skip``) without ``prepare``."""
    rows = [Peer("default", "mesothermo simulate(), method='compiled' (the default)",
                 lambda bm, t, ts: MesoRunner(bm, t, ts, "compiled")),
            Peer("kernel", "mesothermo simulate(method='kernel') (generic compiled loop)",
                 lambda bm, t, ts: MesoRunner(bm, t, ts, "kernel"))]
    for mod in peer_modules():
        if mod.KEY in skip:
            rows.append(Peer(mod.KEY, mod.KEY, None, SKIPPED_ON_REQUEST))
            continue
        ok, why = mod.available()
        rows.append(Peer(mod.KEY, mod.label() if ok else mod.KEY, mod.prepare if ok else None,
                         why, getattr(mod, "NOTE", "") if ok else ""))
    rows.append(Peer("python", "plain-Python direct method (same algorithm)", PythonRunner))
    return rows


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------
@dataclass
class ModelResult:
    model: str
    N: int
    channels: int
    t_end: float
    events: float                   # mesothermo's mean count per run
    repeats: int
    t_eq: float
    eq_runs: int
    species: tuple = ()
    ns: dict = field(default_factory=dict)        # key -> ns per event (None: not measured)
    counted: dict = field(default_factory=dict)   # key -> "own" or "ours"
    mean: dict = field(default_factory=dict)      # key -> (mean, se) arrays of the final state
    errors: dict = field(default_factory=dict)    # key -> error text of a failed peer


def _time(runner, repeats: int, seed0: int, ref_events: float | None):
    """Best CPU time per event over ``repeats`` runs, and the event counts of the runs."""
    per_event, counts = [], []
    for r in range(repeats):
        dt = runner.run(seed0 + r)
        ev = runner.events()
        counts.append(ev)
        per_event.append(dt / max(ev if ev is not None else ref_events, 1.0))
    return min(per_event), counts


def _final_states(runner, runs: int, seed0: int) -> tuple[np.ndarray, np.ndarray]:
    finals = np.array([(runner.run(seed0 + r), runner.final())[1] for r in range(runs)],
                      dtype=float)
    return finals.mean(axis=0), finals.std(axis=0, ddof=1) / math.sqrt(runs)


def measure(quick: bool = False, models: list[str] | None = None,
            skip: set[str] | frozenset = frozenset(), repeats: int | None = None,
            equivalence: bool = True) -> tuple[list[ModelResult], list[Peer]]:
    """Time every row on every selected model and run the equivalence check."""
    all_models = bench_models()
    if models is not None:
        unknown = set(models) - {bm.name for bm in all_models}
        if unknown:
            raise ValueError(f"unknown models {sorted(unknown)}; choose from "
                             f"{[bm.name for bm in all_models]}")
    selected = [bm for bm in all_models if models is None or bm.name in models]
    repeats = repeats or (1 if quick else 5)
    eq_runs = EQ_RUNS_QUICK if quick else EQ_RUNS
    rows = peers(skip)
    results = []
    for bm in selected:
        t_end = bm.t_end_quick if quick else bm.t_end
        times = np.linspace(0.0, t_end, bm.intervals + 1)
        t_eq = bm.t_end_quick * (EQ_FRACTION_QUICK if quick else EQ_FRACTION)
        eq_times = np.linspace(0.0, t_eq, bm.intervals + 1)
        channels = int(np.count_nonzero(bm.net.effective_k_plus > 0)
                       + np.count_nonzero(bm.net.effective_k_minus > 0))
        res = ModelResult(bm.name, bm.net.N, channels, t_end, float("nan"), repeats, t_eq,
                          eq_runs if equivalence else 0, tuple(bm.net.species))
        for k, peer in enumerate(rows):
            if peer.prepare is None:
                res.ns[peer.key] = None
                continue
            try:
                best, counts = _time(peer.prepare(bm, t_end, times), repeats, 1000 * (k + 1),
                                     res.events)
                if peer.key == "default":
                    res.events = float(np.mean(counts))
                res.ns[peer.key] = best * 1e9
                res.counted[peer.key] = "ours" if counts[0] is None else "own"
                if equivalence and peer.key != "kernel":  # kernel: the default's paths
                    res.mean[peer.key] = _final_states(peer.prepare(bm, t_eq, eq_times),
                                                       eq_runs, 100_000 * (k + 1))
            except Exception as err:  # a peer that fails is reported, not fatal
                if peer.key in OURS:
                    raise
                res.ns[peer.key] = None
                res.errors[peer.key] = f"{type(err).__name__}: {err}".splitlines()[0][:120]
        results.append(res)
    return results, rows


def z_scores(res: ModelResult, key: str) -> np.ndarray:
    """Per species ``(mean_peer - mean_ours) / sqrt(se_peer^2 + se_ours^2)``.

    A species with no spread in either row (both standard errors 0) scores 0 if the means are
    equal and ``inf`` (a failure) if they differ.
    """
    (m1, s1), (m0, s0) = res.mean[key], res.mean["default"]
    se = np.sqrt(s1 ** 2 + s0 ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (m1 - m0) / se, np.where(m1 == m0, 0.0, np.inf))
    return z


def z_threshold(results: list[ModelResult]) -> tuple[float, int]:
    """Bonferroni bound on ``|z|`` (Student t, ``2 R - 2`` dof) and the number of comparisons."""
    m = sum(res.N for res in results for key in res.mean if key != "default")
    runs = min((res.eq_runs for res in results if res.mean), default=2)
    if m == 0:
        return float("inf"), 0
    return float(stats.t.isf(FAMILY_ALPHA / (2 * m), 2 * runs - 2)), m


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------
SHORT = {"immigration-death": "imm.-death", "dimerisation": "dimeris.", "schlogl": "Schlögl",
         "linear-chain-10": "chain-10", "multistate": "multistate"}


def _cell(v, fmt: str, width: int = 11) -> str:
    return f"{'n/a':>{width}}" if v is None else f"{v:>{width}{fmt}}"


def format_table(results: list[ModelResult], rows: list[Peer], quick: bool = False) -> str:
    """The printed report: models, ns per event, ratios to the default, equivalence."""
    rep = results[0].repeats if results else 0
    lines = [f"SSA: CPU time per event (ns), best of {rep} run(s) per row and model, all at "
             "equal t_end and sampling (t_end/50)" + (" (--quick: tiny sizes, times not "
                                                      "meaningful)" if quick else "") + ".",
             f"{'model':<18}{'N':>3}{'ch':>4}{'t_end':>8}{'events/run':>12}{'t_eq':>8}"
             f"{'eq runs':>8}", "-" * 61]
    for r in results:
        lines.append(f"{r.model:<18}{r.N:>3}{r.channels:>4}{r.t_end:>8g}{r.events:>12.0f}"
                     f"{r.t_eq:>8g}{r.eq_runs:>8}")
    head = f"{'ns/event':<11}" + "".join(f"{SHORT.get(r.model, r.model)[:10]:>11}"
                                         for r in results)
    lines += ["", head, "-" * len(head)]
    for p in rows:
        if p.prepare is None:
            lines.append(f"{p.key:<11}  skipped: {p.why}")
            continue
        lines.append(f"{p.key:<11}" + "".join(_cell(r.ns.get(p.key), ".1f") for r in results))
    lines += ["", f"{'peer/dflt':<11}" + head[11:], "-" * len(head)]
    for p in rows[1:]:
        if p.prepare is None:
            lines.append(f"{p.key:<11}  skipped")
            continue
        cells = [None if r.ns.get(p.key) is None or r.ns.get("default") is None
                 else r.ns[p.key] / r.ns["default"] for r in results]
        lines.append(f"{p.key:<11}" + "".join(_cell(c, ".2f") for c in cells))
    own = [p.key for p in rows if any(r.counted.get(p.key) == "own" for r in results)]
    ours = [p.key for p in rows if any(r.counted.get(p.key) == "ours" for r in results)]
    lines += ["",
              "peer/dflt > 1: mesothermo's default is faster (targets: >= 1 for every peer, >= 50 "
              "for python).",
              "Rows: " + "; ".join(f"{p.key} = {p.label}" for p in rows if p.prepare) + ".",
              f"Events: {', '.join(own)} count their own (each run's time / its count); "
              f"{', '.join(ours) or 'none'} report none and are divided by 'events/run', the "
              "mean count of the default's runs of the same model.",
              "Timed: the simulation call only (CPU time of this process and its children); "
              "excluded: model building, SBML loading and compilation (COPASI, libRoadRunner), "
              "C++ compilation (GillesPy2, whose timed run includes starting its solver "
              "process), our kernel's compilation, seeding, task initialisation and reading "
              "the results."] + [f"{p.note}." for p in rows if p.prepare and p.note]
    for r in results:
        for key, err in r.errors.items():
            lines.append(f"{key} failed on {r.model}: {err}")
    if any(r.mean for r in results):
        lines += [""] + format_equivalence(results, rows)
    return "\n".join(lines)


def format_equivalence(results: list[ModelResult], rows: list[Peer]) -> list[str]:
    bound, m = z_threshold(results)
    lines = ["Model equivalence: final state at t_eq, mean ± standard error over 'runs' "
             "independent runs per row (first species shown); max|z| over all species of "
             "(mean_peer - mean_default) / sqrt(se_peer^2 + se_default^2).",
             f"Pass: max|z| < {bound:.2f}, the Bonferroni bound for {m} comparisons at a "
             f"family-wise false-alarm rate of {FAMILY_ALPHA:.1%} (Student t); the kernel "
             "row is not compared: from the same seed it gives the default's paths "
             "(tests/test_ssa.py).",
             f"{'model':<18}{'t_eq':>7}{'runs':>6}  {'row':<11}{'species':>8}"
             f"{'mean ± se':>22}{'max|z|':>9}  species  pass"]
    for r in results:
        first = True
        for p in rows:
            if p.key not in r.mean:
                continue
            mean, se = r.mean[p.key]
            lead = (f"{r.model:<18}{r.t_eq:>7g}{r.eq_runs:>6}" if first else " " * 31)
            first = False
            text = f"{lead}  {p.key:<11}{r.species[0]:>8}{mean[0]:>13.2f} ± {se[0]:<6.2f}"
            if p.key != "default":
                z = np.abs(z_scores(r, p.key))
                i = int(np.nanargmax(np.where(np.isnan(z), -1.0, z)))
                text += f"{z[i]:>9.2f}  {r.species[i]:<8} {'yes' if z[i] < bound else 'NO'}"
            lines.append(text)
    return lines


def run(quick: bool = False, models: list[str] | None = None,
        skip: set[str] | frozenset = frozenset(), repeats: int | None = None,
        equivalence: bool = True) -> str:
    """Run the SSA benchmark and return the printed report."""
    results, rows = measure(quick, models, skip, repeats, equivalence)
    return format_table(results, rows, quick)
