"""The benchmark script runs at tiny size, and its baselines and peers simulate our models.

Benchmarks are not tests: no timing is asserted here. These tests check that
``python benchmarks/run.py --quick`` works end to end with every installed peer (and prints a
skipped row with its reason for every other), that the peers' models have our propensities
(exactly, where the peer can evaluate them: the SBML file, libRoadRunner, COPASI, GillesPy2),
that the quick run's model-equivalence check passes and has the power to catch a convention
error, that the plain-Python baseline samples the same chain, and that the Catalyst.jl
"multistate" network has the published structure.
"""

import importlib.util
import os
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
import peers  # noqa: E402
import peers_copasi  # noqa: E402
import peers_gillespy2  # noqa: E402
import peers_roadrunner  # noqa: E402
import peers_sbml  # noqa: E402
import ssa_bench  # noqa: E402

MODELS = ["immigration-death", "dimerisation", "schlogl", "linear-chain-10", "multistate"]
ROWS = ["default", "kernel", "rebop", "COPASI", "RoadRunner", "GillesPy2", "python"]
HAS_GILLESPY2 = importlib.util.find_spec("gillespy2") is not None
HAS_ROADRUNNER = peers_roadrunner.available()[0]
HAS_COPASI = peers_copasi.available()[0]
AVAILABLE = {mod.KEY: mod.available() for mod in peers.peer_modules()}


def _run(*args: str, timeout: float = 300) -> str:
    proc = subprocess.run([sys.executable, os.path.join(BENCH, "run.py"), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _block(out: str, title: str) -> dict[str, list[str]]:
    """The rows of the block whose header line starts with ``title``, by their first word."""
    lines = out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(title))
    rows = {}
    for line in lines[i + 2:]:
        if not line.strip():
            break
        rows[line.split()[0]] = line.split()[1:]
    return rows


@pytest.fixture(scope="module")
def quick_out() -> str:
    # GillesPy2 compiles C++ per model (~10 s each): measured in its own test below.
    return _run("--quick", "--no-gillespy2", "--no-analyses", "--no-startup")  # own test


def test_quick_run_prints_every_row_measured_or_skipped(quick_out):
    ns = _block(quick_out, "ns/event")
    ratio = _block(quick_out, "peer/dflt")
    assert list(ns) == ROWS and list(ratio) == ROWS[1:]
    for key in ROWS:
        if key == "GillesPy2" or (key in AVAILABLE and not AVAILABLE[key][0]):
            assert ns[key][0] == "skipped:" and ratio[key] == ["skipped"], key
            why = ssa_bench.SKIPPED_ON_REQUEST if key == "GillesPy2" else AVAILABLE[key][1]
            assert f"{key:<11}  skipped: {why}" in quick_out
            continue
        assert len(ns[key]) == len(MODELS), key
        for j, cell in enumerate(ns[key]):
            assert float(cell) > 0, (key, MODELS[j])
            if key != "default":
                assert float(ratio[key][j]) == pytest.approx(
                    float(cell) / float(ns["default"][j]), rel=0.01, abs=0.006), (key, j)
    models = _block(quick_out, "model ")
    assert list(models) == MODELS
    for name, cells in models.items():
        assert int(cells[3]) > 1000, name            # events per run
    assert "peer/dflt > 1: mesothermo's default is faster" in quick_out


def test_quick_run_equivalence_check_passes_for_every_measured_row(quick_out):
    lines = quick_out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("Model equivalence"))
    bound = float(lines[i + 1].split("max|z| < ")[1].split(",")[0])
    # Bonferroni over (rows compared) x (species): N = 1 + 2 + 1 + 10 + 9 = 23 per row
    compared = [k for k in ROWS if k not in ("default", "kernel", "GillesPy2")
                and AVAILABLE.get(k, (True,))[0]]
    m = 23 * len(compared)
    assert f"for {m} comparisons" in lines[i + 1]
    assert bound == pytest.approx(stats.t.isf(ssa_bench.FAMILY_ALPHA / (2 * m),
                                              2 * ssa_bench.EQ_RUNS_QUICK - 2), abs=0.006)
    seen = {}
    model = None
    for line in lines[i + 3:]:
        if not line.strip():
            break
        parts = line.split()
        if parts[0] in MODELS:
            model, parts = parts[0], parts[3:]
        seen.setdefault(model, []).append(parts[0])
        if parts[0] != "default":
            assert parts[-1] == "yes" and float(parts[-3]) < bound, (model, parts)
    assert list(seen) == MODELS
    for model, keys in seen.items():
        assert keys == ["default"] + compared, model


def test_cme_line_states_the_3_s_target(quick_out):
    assert "target at 250,000 states: < 3 s, not measured at this size" in quick_out


def test_peers_skipped_on_request_are_rows_with_the_reason():
    # In process (run.py's --skip-peers passes the same set): one model, no equivalence runs.
    out = ssa_bench.run(quick=True, models=["immigration-death"], equivalence=False,
                        skip={"rebop", "COPASI", "RoadRunner", "GillesPy2"})
    ns = _block(out, "ns/event")
    for key in ("rebop", "COPASI", "RoadRunner", "GillesPy2"):
        assert " ".join(ns[key]) == f"skipped: {ssa_bench.SKIPPED_ON_REQUEST}", key
    assert float(ns["default"][0]) > 0 and float(ns["python"][0]) > 0
    assert "Model equivalence" not in out
    with pytest.raises(ValueError, match="unknown models"):
        ssa_bench.measure(quick=True, models=["no-such-model"])


def test_a_missing_peer_is_reported_with_the_reason():
    assert peers.missing("no_such_peer_module", "no-such-peer") == (
        "no-such-peer is not installed (pip install -r requirements-bench.txt)")
    assert peers.missing("numpy", "numpy") is None
    res = ssa_bench.ModelResult("schlogl", 1, 4, 1.0, 100.0, 1, 0.1, 0, ("X",),
                                ns={"default": 20.0, "absent": None})
    rows = [ssa_bench.Peer("default", "ours", object()),
            ssa_bench.Peer("absent", "absent", None, "absent-peer is not installed")]
    table = ssa_bench.format_table([res], rows)
    assert "absent       skipped: absent-peer is not installed" in table
    assert "CPU time per event (ns)" in table and "targets: >= 1 for every peer" in table


def test_channels_are_our_propensities():
    for bm in models_bench.bench_models():
        rng = np.random.default_rng(7)
        for _ in range(3):
            n = np.asarray(bm.n0) + rng.integers(0, 5, bm.net.N)
            rp, rm = bm.net.propensities(n, bm.V)
            ours = np.concatenate([rp, rm])
            ours = ours[np.concatenate([bm.net.effective_k_plus,
                                        bm.net.effective_k_minus]) > 0]
            state = dict(zip(bm.net.species, (int(v) for v in n)))
            theirs = [peers.propensity(ch, state) for ch in peers.channels(bm.net, bm.V)]
            np.testing.assert_allclose(theirs, ours, rtol=1e-13, err_msg=bm.name)


def test_stochastic_sbml_reads_back_as_the_benchmark_network():
    # read_sbml recognises the falling-factorial amount form as mass action.
    for bm in models_bench.bench_models():
        model = mt.sbml.read_sbml(peers_sbml.stochastic_sbml(bm))
        assert model.V == bm.V and list(model.net.species) == list(bm.net.species)
        np.testing.assert_array_equal(model.n0, bm.n0)
        n = np.asarray(bm.n0) + 3
        ours = np.sort(np.concatenate(bm.net.propensities(n, bm.V)))
        theirs = np.sort(np.concatenate(model.net.propensities(n, model.V)))
        np.testing.assert_allclose(theirs[theirs > 0], ours[ours > 0], rtol=1e-13,
                                   err_msg=bm.name)


def _states(bm):
    rng = np.random.default_rng(11)
    return [np.asarray(bm.n0) + rng.integers(0, 7, bm.net.N) for _ in range(2)]


@pytest.mark.skipif(not HAS_ROADRUNNER, reason="libroadrunner (benchmark-only) not installed")
def test_roadrunner_evaluates_our_propensities():
    import roadrunner

    for bm in models_bench.bench_models():
        rr = roadrunner.RoadRunner(peers_sbml.stochastic_sbml(bm))
        chans = peers.channels(bm.net, bm.V)
        assert list(rr.model.getReactionIds()) == [ch.name for ch in chans]
        for n in _states(bm):
            for s, v in zip(bm.net.species, n):
                rr.setValue(s, float(v))
            state = dict(zip(bm.net.species, (int(v) for v in n)))
            np.testing.assert_allclose(rr.getReactionRates(),
                                       [peers.propensity(ch, state) for ch in chans],
                                       rtol=1e-12, err_msg=bm.name)


@pytest.mark.skipif(not HAS_COPASI, reason="copasi-basico (benchmark-only) not installed")
def test_copasi_evaluates_our_propensities():
    import basico

    for bm in models_bench.bench_models():
        dm = basico.load_model_from_string(peers_sbml.stochastic_sbml(bm))
        try:
            chans = {ch.name: ch for ch in peers.channels(bm.net, bm.V)}
            for n in _states(bm):
                for s, v in zip(bm.net.species, n):
                    basico.set_species(s, initial_particle_number=float(v), model=dm)
                dm.getModel().applyInitialValues()
                flux = basico.get_reactions(model=dm)["particle_flux"]
                state = dict(zip(bm.net.species, (int(v) for v in n)))
                assert sorted(flux.index) == sorted(chans), bm.name
                np.testing.assert_allclose(
                    [flux[name] for name in chans],
                    [peers.propensity(ch, state) for ch in chans.values()],
                    rtol=1e-12, err_msg=bm.name)
        finally:
            basico.remove_datamodel(dm)


def test_equivalence_check_catches_a_convention_error():
    # A Python loop with the chemists' k n (n-1) / (2V) for 2 A -> A2 (half our propensity)
    # must fail the check that the correct loop passes, at the quick run's size.
    bm = next(b for b in models_bench.bench_models() if b.name == "dimerisation")
    t_eq = bm.t_end_quick * ssa_bench.EQ_FRACTION_QUICK
    times = np.linspace(0.0, t_eq, bm.intervals + 1)
    runs = ssa_bench.EQ_RUNS_QUICK
    res = ssa_bench.ModelResult(bm.name, 2, 2, t_eq, 0.0, 1, t_eq, runs, bm.net.species)
    res.mean["default"] = ssa_bench._final_states(
        ssa_bench.MesoRunner(bm, t_eq, times, "compiled"), runs, 1)
    right = ssa_bench.PythonRunner(bm, t_eq, times)
    res.mean["right"] = ssa_bench._final_states(right, runs, 10_000)
    wrong = ssa_bench.PythonRunner(bm, t_eq, times)
    c, reac, delta, deps = wrong.model
    wrong.model = ([c[0] / 2] + c[1:], reac, delta, deps)
    res.mean["wrong"] = ssa_bench._final_states(wrong, runs, 20_000)
    bound, m = ssa_bench.z_threshold([res])
    assert m == 4
    assert np.max(np.abs(ssa_bench.z_scores(res, "right"))) < bound
    assert np.min(np.abs(ssa_bench.z_scores(res, "wrong"))) > 2 * bound


@pytest.mark.skipif(not HAS_GILLESPY2, reason="gillespy2 (benchmark-only extra) not installed")
def test_quick_run_with_gillespy2_builds_and_times_its_cpp_solver():
    # Schlögl needs a custom third-order propensity in GillesPy2: the hardest conversion.
    out = _run("--quick", "--models", "schlogl", "--no-cme", "--no-analyses", "--no-startup",
               "--skip-peers", "rebop", "COPASI", "RoadRunner")
    assert float(_block(out, "ns/event")["GillesPy2"][0]) > 0
    assert float(_block(out, "peer/dflt")["GillesPy2"][0]) > 0
    assert "GillesPy2 failed" not in out


@pytest.mark.skipif(not HAS_GILLESPY2, reason="gillespy2 (benchmark-only extra) not installed")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # GillesPy2's own ast visitor
def test_gillespy2_model_has_our_propensities():
    # Evaluate GillesPy2's propensity expressions (Python syntax) at a state and compare.
    for bm in models_bench.bench_models():
        model = peers_gillespy2.gillespy2_model(bm)
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
