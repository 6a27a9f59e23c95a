"""The benchmark script runs at tiny size, and its baselines simulate the same models as ours.

Benchmarks are not tests: no timing is asserted here. These tests check that
``python benchmarks/run.py --quick`` works end to end, that the plain-Python baseline and the
GillesPy2 model are the same Markov chains as the kernel's, and that the Catalyst.jl "multistate"
network has the published structure.
"""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import mesothermo as mt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
sys.path.insert(0, BENCH)

import analyses_bench  # noqa: E402
import models_bench  # noqa: E402
import ssa_bench  # noqa: E402

MODELS = ["immigration-death", "dimerisation", "schlogl", "linear-chain-10", "multistate"]
HAS_GILLESPY2 = importlib.util.find_spec("gillespy2") is not None


def _run(*args: str, timeout: float = 300) -> str:
    proc = subprocess.run([sys.executable, os.path.join(BENCH, "run.py"), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _rows(table: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in table.splitlines()
            if line.split() and line.split()[0] in MODELS}


def test_quick_run_prints_the_ratio_table_without_gillespy2():
    out = _run("--quick", "--no-gillespy2")
    rows = _rows(out)
    assert sorted(rows) == sorted(MODELS)
    for name, cells in rows.items():
        cells = [c for c in cells if c != "|"]
        events, kern, comp, gp2, py = cells[4], cells[6], cells[7], cells[8], cells[9]
        gp2_kern, gp2_comp, py_kern, py_comp = cells[10:14]
        assert int(events) > 1000, name
        assert float(kern) > 0 and float(comp) > 0 and float(py) > 0, name
        assert gp2 == "n/a" and gp2_kern == "n/a" and gp2_comp == "n/a"
        assert float(py_kern) == pytest.approx(float(py) / float(kern), rel=0.05)
        assert float(py_comp) == pytest.approx(float(py) / float(comp), rel=0.05)
    assert "GillesPy2 SSACSolver not measured: skipped" in out


@pytest.mark.skipif(not HAS_GILLESPY2, reason="gillespy2 (benchmark-only extra) not installed")
def test_quick_run_with_gillespy2_builds_and_times_its_cpp_solver():
    # Schlögl needs a custom third-order propensity in GillesPy2: the hardest conversion.
    out = _run("--quick", "--models", "schlogl", "--no-cme")
    cells = [c for c in _rows(out)["schlogl"] if c != "|"]
    assert float(cells[8]) > 0 and float(cells[10]) > 0 and float(cells[11]) > 0
    assert "not measured" not in out


@pytest.mark.skipif(not HAS_GILLESPY2, reason="gillespy2 (benchmark-only extra) not installed")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # GillesPy2's own ast visitor
def test_gillespy2_model_has_our_propensities():
    # Evaluate GillesPy2's propensity expressions (Python syntax) at a state and compare.
    for bm in models_bench.bench_models():
        model = ssa_bench.gillespy2_model(bm)
        n = np.array(bm.n0) + 3
        env = dict(zip(bm.net.species, (int(v) for v in n)))
        env.update({name: float(p.value if hasattr(p, "value") and p.value is not None
                                else p.expression)
                    for name, p in model.listOfParameters.items()})
        env["vol"] = bm.V
        rp, rm = bm.net.propensities(n, bm.V)
        ours = np.concatenate([rp, rm])
        theirs = np.zeros(2 * bm.net.M)
        for name, rxn in model.listOfReactions.items():
            l, direction = int(name[1:-1]), name[-1]
            theirs[l + (0 if direction == "f" else bm.net.M)] = eval(  # noqa: S307
                rxn.propensity_function, {}, env)
        np.testing.assert_allclose(theirs, ours, rtol=1e-12, err_msg=bm.name)


def test_plain_python_baseline_samples_the_same_chain():
    # Immigration-death from 0: the law at t = 10 is Poisson(V k_in / k_out (1 - e^{-10})).
    net = mt.models.immigration_death(10.0, 1.0)
    finals = np.array([ssa_bench.plain_python_ssa(net, [0], 10.0, 1.0, [10.0], seed=s)[0][0, 0]
                       for s in range(600)])
    mean = 10.0 * (1 - np.exp(-10.0))
    z = (finals.mean() - mean) / np.sqrt(mean / len(finals))
    assert abs(z) < stats.norm.isf(0.0005)
    samples, events = ssa_bench.plain_python_ssa(mt.models.dimerisation(), [30, 5], 3.0, 2.0,
                                                 np.linspace(0, 3, 4), seed=1)
    assert samples.shape == (4, 2) and events > 0
    assert np.all(samples[:, 0] + 2 * samples[:, 1] == 40)


def test_multistate_is_the_published_network():
    net = models_bench.multistate()
    assert (net.N, net.M) == (9, 18) and not net.reversible.any()
    # Exactly three conserved totals: receptor, ligand and adaptor molecules.
    idx = {s: i for i, s in enumerate(net.species)}
    totals = np.zeros((3, 9), np.int64)
    for k, group in enumerate([("R", "RL", "RA", "RLA", "RLAp", "RAp"),
                               ("L", "RL", "RLA", "RLAp"),
                               ("A", "RA", "RLA", "RLAp", "RAp", "Ap")]):
        totals[k, [idx[s] for s in group]] = 1
    assert np.all(net.nu @ totals.T == 0)
    L = net.conservation_laws()
    assert L.shape[0] == 3 and np.linalg.matrix_rank(np.vstack([L, totals])) == 3
    n0 = models_bench.MULTISTATE_N0
    tr = mt.simulate(net, n0, 0.5, seed=3, times=[0.0, 0.5])
    np.testing.assert_array_equal(L @ tr.n[1], L @ n0)
    # Reaction by reaction, the BioNetGen 2.7.0 expansion (multistate.net, SciMLBenchmarks.jl):
    # "reactants products constant" with BioNetGen's species numbers 1..9, which are our order.
    published = """1,2 4 0.01; 1,3 5 0.01; 2,5 6 0.01; 4 1,2 0.1; 3,4 6 0.01; 5 1,3 0.1;
        6 2,5 0.1; 6 3,4 0.1; 6 7 0.01; 7 2,8 0.1; 7 4,9 0.1; 7 6 0.1; 2,8 7 0.01; 1,9 8 0.01;
        4,9 7 0.01; 8 1,9 0.1; 8 5 0.1; 9 3 0.1"""

    def vec(field):
        v = np.zeros(9, np.int64)
        for i in field.split(","):
            v[int(i) - 1] += 1
        return tuple(v)

    want = sorted((vec(r), vec(p), float(k)) for r, p, k in
                  (item.split() for item in published.replace("\n", " ").split(";")))
    have = sorted((tuple(net.nu_plus[l]), tuple(net.nu_minus[l]), float(net.k_plus[l]))
                  for l in range(net.M))
    assert have == want


def test_table_mentions_units_and_targets():
    out = ssa_bench.format_table([], False, "gillespy2 is not installed")
    assert "CPU time per event (ns)" in out and "GP2/ours >= 1" in out
    assert "py/ours >= 50" in out and "method='compiled'" in out
    assert re.search(r"not measured: gillespy2 is not installed", out)


def test_analyses_quick_table_and_peers_agree():
    # No timing is asserted: the rows exist, are positive, and each peer computes the same thing.
    rows = analyses_bench.measure(quick=True)
    assert [r["issue"] for r in rows] == [11, 11, 14, 14] + [15] * len(analyses_bench.CASES)
    for r in rows:
        assert r["wall"] > 0 and r["cpu"] >= 0 and r["peer_wall"] > 0, r["row"]
    # free-energy balance: the same sums in another order, relative round-off
    assert rows[0]["agree"] < 1e-10 and rows[1]["agree"] < 1e-10
    # grid: two Dormand-Prince integrations at rtol = 1e-10 of a unit mass; each global error is
    # below (steps ~ 500) x rtol, so their L1 difference is far below 1e-6
    assert rows[2]["agree"] < 1e-6
    # particles: the pure-Python twin replays the kernel's path from the same seed
    assert rows[3]["agree"] == 0
    # Hamiltonian flow: the NumPy loop does the kernel's arithmetic in the same order
    assert rows[4]["agree"] < 1e-12
    table = analyses_bench.format_table(rows, quick=True)
    lines = table.splitlines()
    assert "peer/ours" in lines[1] and "met w/cpu" in lines[1]
    for r in rows:
        line = next(x for x in lines if x.startswith(f"{r['issue']:<6}{r['row']}"))
        assert r["peer"] in line
