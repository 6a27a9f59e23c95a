"""SSA speed, per event, side by side: mesothermo's kernel, a plain-Python loop, GillesPy2's C++.

All three simulate the same network (same constants, same volume convention, same initial
state) to the same end time with the same sampling (``t_end / 50``, 51 points, as in the
Catalyst.jl paper's SSA benchmarks). Time per event is the best (minimum) CPU time over the
repeats (user + system, of this process and of its children, so GillesPy2's solver process
counts) divided by the number of events: on a shared machine the CPU time, and its minimum over
repeats, are the estimates least disturbed by other processes. Our kernel and the Python loop
count their events; GillesPy2 does not report its count, so its time is divided by the mean event
count of our runs of the same model (all three are exact samplers of the same Markov chain, so
their expected event counts are equal; over millions of events the run-to-run spread is a
fraction of a percent).

GillesPy2's ``SSACSolver`` compiles a C++ program per model with g++ through SCons; the
compilation happens when the solver is built and in a warm-up run, and only the runs after that
are timed. Its mass-action propensities (order <= 2) are ``k``, ``k X``, ``k X Y / vol``,
``k X (X-1) / vol`` times ``vol`` for order 0 — Kurtz's convention, the same as ours — and
third-order reactions (Schlögl's ``3 X -> 2 X``) are given as custom propensities
``c X (X-1) (X-2)`` with our constant ``c = k / V**2``.
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import resource
import shutil
import sys
import time
from dataclasses import dataclass

import numpy as np

import mesothermo as mt

try:  # run as a script from benchmarks/ or imported with benchmarks/ on sys.path
    from models_bench import BenchModel, bench_models
except ImportError:  # pragma: no cover
    from .models_bench import BenchModel, bench_models

__all__ = ["plain_python_ssa", "gillespy2_available", "run"]


def cpu_time() -> float:
    """CPU seconds (user + system) of this process and of its finished children.

    On a shared machine, CPU time is far less disturbed by other processes than wall time.
    GillesPy2 runs its compiled solver as a child process, so the children's share counts.
    """
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


# --------------------------------------------------------------------------------------------
# The plain-Python baseline
# --------------------------------------------------------------------------------------------
def plain_python_ssa(net: mt.Network, n0, t_end: float, V: float, times, seed: int):
    """Gillespie's direct method as a plain Python loop (lists, ``random``, ``math``).

    The same algorithm as the kernel, dependency graph included, so the ratio measures the
    interpreter, not a weaker algorithm. Returns ``(samples (len(times), N), events)``.
    """
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
# GillesPy2
# --------------------------------------------------------------------------------------------
def gillespy2_available() -> tuple[bool, str]:
    """Whether GillesPy2's C++ SSA can be built here, and if not, why."""
    if importlib.util.find_spec("gillespy2") is None:
        return False, "gillespy2 is not installed (pip install -r requirements-bench.txt)"
    _put_venv_bin_on_path()
    if shutil.which("scons") is None:
        return False, "SCons is not on PATH (GillesPy2's C++ solvers are built with it)"
    if shutil.which("g++") is None:
        return False, "g++ is not on PATH (GillesPy2's C++ solvers are compiled with it)"
    return True, ""


def _put_venv_bin_on_path() -> None:
    """GillesPy2 calls ``scons`` from PATH: make it the interpreter's own (the venv's)."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir] + parts)


def gillespy2_model(bm: BenchModel):
    """The benchmark network as a GillesPy2 model with the same propensities."""
    import gillespy2

    net = bm.net
    model = gillespy2.Model(name=bm.name.replace("-", "_"), volume=bm.V)
    sp = {name: gillespy2.Species(name=name, initial_value=int(v), mode="discrete")
          for name, v in zip(net.species, bm.n0)}
    model.add_species(list(sp.values()))
    reactions, params = [], []
    for direction, keff, reac_m, prod_m in (
            ("f", net.effective_k_plus, net.nu_plus, net.nu_minus),
            ("b", net.effective_k_minus, net.nu_minus, net.nu_plus)):
        for l in range(net.M):
            if keff[l] <= 0:
                continue
            name = f"r{l}{direction}"
            reactants = {sp[net.species[i]]: int(reac_m[l, i]) for i in np.flatnonzero(reac_m[l])}
            products = {sp[net.species[i]]: int(prod_m[l, i]) for i in np.flatnonzero(prod_m[l])}
            order = int(reac_m[l].sum())
            if order <= 2:
                p = gillespy2.Parameter(name=f"k_{name}", expression=float(keff[l]))
                params.append(p)
                reactions.append(gillespy2.Reaction(name=name, reactants=reactants,
                                                    products=products, rate=p))
            else:
                const = float(keff[l]) * bm.V ** (1.0 - order)
                terms = [f"{const!r}"]
                for i in np.flatnonzero(reac_m[l]):
                    s = net.species[i]
                    terms += [s if q == 0 else f"({s} - {q})" for q in range(int(reac_m[l, i]))]
                reactions.append(gillespy2.Reaction(name=name, reactants=reactants,
                                                    products=products,
                                                    propensity_function=" * ".join(terms)))
    model.add_parameter(params)
    model.add_reaction(reactions)
    return model


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------
@dataclass
class Row:
    model: str
    N: int
    channels: int
    t_end: float
    events: float
    repeats: int
    ours: float           # method="kernel" (the generic kernel)
    compiled: float       # method="compiled" (generated for the structure; the default)
    python: float
    gillespy2: float | None


def _time_ours(bm: BenchModel, t_end: float, times, repeats: int, method: str):
    # load (or compile) the kernel first, as GillesPy2's compilation is excluded too
    mt.simulate(bm.net, bm.n0, min(t_end, 1e-3), V=bm.V, seed=0, times=[0.0], method=method)
    per_event, events = [], []
    for r in range(repeats):
        t0 = cpu_time()
        tr = mt.simulate(bm.net, bm.n0, t_end, V=bm.V, seed=1000 + r, times=times,
                         method=method)
        dt = cpu_time() - t0
        per_event.append(dt / max(tr.n_events, 1))
        events.append(tr.n_events)
    return min(per_event), float(np.mean(events))


def _time_python(bm: BenchModel, t_end: float, times, repeats: int):
    per_event = []
    for r in range(repeats):
        t0 = cpu_time()
        _, ev = plain_python_ssa(bm.net, bm.n0, t_end, bm.V, times, seed=2000 + r)
        dt = cpu_time() - t0
        per_event.append(dt / max(ev, 1))
    return min(per_event)


def _time_gillespy2(bm: BenchModel, t_end: float, times, repeats: int, events: float):
    from gillespy2 import SSACSolver

    model = gillespy2_model(bm)
    model.timespan(np.asarray(times, float))
    solver = SSACSolver(model=model)        # compiles the C++ program
    solver.run(seed=1)                      # warm-up run, not timed
    walls = []
    for r in range(repeats):
        t0 = cpu_time()
        solver.run(seed=3000 + r)
        walls.append(cpu_time() - t0)
    return min(walls) / max(events, 1.0)


def run(quick: bool = False, models: list[str] | None = None, use_gillespy2: bool = True,
        repeats: int | None = None) -> str:
    """Run the SSA benchmark and return the printed table."""
    selected = [bm for bm in bench_models() if models is None or bm.name in models]
    if models is not None:
        unknown = set(models) - {bm.name for bm in bench_models()}
        if unknown:
            raise ValueError(f"unknown models {sorted(unknown)}; choose from "
                             f"{[bm.name for bm in bench_models()]}")
    repeats = repeats or (1 if quick else 3)
    gp_ok, gp_why = gillespy2_available() if use_gillespy2 else (False, "skipped (--no-gillespy2)")
    rows = []
    for bm in selected:
        t_end = bm.t_end_quick if quick else bm.t_end
        times = np.linspace(0.0, t_end, bm.intervals + 1)
        ours, events = _time_ours(bm, t_end, times, repeats, "kernel")
        compiled, _ = _time_ours(bm, t_end, times, repeats, "compiled")
        py = _time_python(bm, t_end, times, repeats)
        gp = _time_gillespy2(bm, t_end, times, repeats, events) if gp_ok else None
        channels = int(np.count_nonzero(bm.net.effective_k_plus > 0)
                       + np.count_nonzero(bm.net.effective_k_minus > 0))
        rows.append(Row(bm.name, bm.net.N, channels, t_end, events, repeats, ours, compiled, py,
                        gp))
    return format_table(rows, gp_ok, gp_why)


def format_table(rows: list[Row], gp_ok: bool, gp_why: str) -> str:
    head = (f"{'model':<18} {'N':>3} {'ch':>3} {'t_end':>6} {'events':>9} {'rep':>3} |"
            f" {'kernel':>6} {'compl':>6} {'GP2':>6} {'python':>6} |"
            f" {'GP2/kern':>8} {'GP2/comp':>8} {'py/kern':>7} {'py/comp':>7}")
    lines = ["SSA: CPU time per event (ns), best of `rep` runs each, all at equal t_end and "
             "sampling (t_end/50).",
             "kernel = simulate(method='kernel') (generic), compl = method='compiled' (generated "
             "for the structure; the default),",
             "GP2 = GillesPy2 SSACSolver (C++), python = plain-Python direct method; "
             "compilation excluded for all.",
             "'events' is our mean count, also the divisor for GillesPy2 (which reports none).",
             head, "-" * len(head)]

    def ns(v):
        return f"{v * 1e9:6.1f}" if v is not None else f"{'n/a':>6}"

    def ratio(a, b, width):
        return f"{a / b:{width}.1f}" if a is not None else f"{'n/a':>{width}}"

    for r in rows:
        lines.append(f"{r.model:<18} {r.N:>3} {r.channels:>3} {r.t_end:>6g} {r.events:>9.0f} "
                     f"{r.repeats:>3} | {ns(r.ours)} {ns(r.compiled)} {ns(r.gillespy2)} "
                     f"{r.python * 1e9:6.0f} | {ratio(r.gillespy2, r.ours, 8)} "
                     f"{ratio(r.gillespy2, r.compiled, 8)} {ratio(r.python, r.ours, 7)} "
                     f"{ratio(r.python, r.compiled, 7)}")
    lines.append("ratios > 1: ours is faster (targets: GP2/ours >= 1, py/ours >= 50).")
    if not gp_ok:
        lines.append(f"GillesPy2 SSACSolver not measured: {gp_why}.")
    return "\n".join(lines)
