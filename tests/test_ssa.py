"""Tests of mesothermo.ssa: exactness against closed forms, kernel against reference, guards.

Statistical tests use fixed seeds and state their level; each is paired with a check that the
same test rejects a slightly wrong answer, so it has the power to fail.
"""

import math

import numpy as np
import pytest
from scipy import stats

import mesothermo as mt
from mesothermo._ssa_kernel import Xoshiro256Plus
from mesothermo.network import Reaction

LEVEL = 1e-3  # significance level of the chi-square and z tests below


def _chi_square_poisson(samples: np.ndarray, mean: float) -> float:
    """p-value of Pearson's chi-square test of ``samples`` against Poisson(mean).

    Bins are single counts; neighbouring bins are pooled (from each tail inwards) until every
    expected count is >= 5.
    """
    size = len(samples)
    hi = int(max(samples.max(), stats.poisson.ppf(1 - 1e-12, mean))) + 1
    k = np.arange(hi + 1)
    obs = np.bincount(samples, minlength=hi + 1)[: hi + 1].astype(float)
    exp = stats.poisson.pmf(k, mean) * size
    exp[-1] += stats.poisson.sf(hi, mean) * size
    edges_obs, edges_exp = [], []
    o_acc = e_acc = 0.0
    for o, e in zip(obs, exp):
        o_acc += o
        e_acc += e
        if e_acc >= 5:
            edges_obs.append(o_acc)
            edges_exp.append(e_acc)
            o_acc = e_acc = 0.0
    edges_obs[-1] += o_acc
    edges_exp[-1] += e_acc
    chi2 = float(np.sum((np.array(edges_obs) - edges_exp) ** 2 / np.array(edges_exp)))
    return float(stats.chi2.sf(chi2, len(edges_obs) - 1))


# --------------------------------------------------------------------------------------------
# Exactness against closed forms
# --------------------------------------------------------------------------------------------
def test_immigration_death_stationary_law_is_poisson():
    # From n0 = 0 the law at time t is Poisson(V k_in/k_out (1 - e^{-k_out t})); at t = 20 the
    # correction e^{-20} = 2e-9 is far below what 20,000 samples resolve, so this is the
    # long-run (stationary) law Poisson(V k_in / k_out) = Poisson(40).
    k_in, k_out, V = 10.0, 1.0, 4.0
    net = mt.models.immigration_death(k_in=k_in, k_out=k_out)
    samples = mt.simulate_ensemble(net, [0], [20.0], runs=20_000, V=V, seed=20260)[:, 0, 0]
    mean = V * k_in / k_out
    assert _chi_square_poisson(samples, mean) > LEVEL
    # Power: a 3 % error in the mean is rejected at the same level.
    assert _chi_square_poisson(samples, 1.03 * mean) < LEVEL


def test_immigration_death_time_average_of_one_long_path():
    # Ergodicity: the fraction of time one long path spends at n tends to the Poisson law.
    net = mt.models.immigration_death(k_in=10.0, k_out=1.0)
    tr = mt.simulate(net, [0], t_end=4000.0, V=1.0, seed=7)
    dwell = np.diff(np.append(tr.t, 4000.0))
    occupation = np.bincount(tr.n[:, 0], weights=dwell) / 4000.0
    k = np.arange(len(occupation))
    tv = 0.5 * np.abs(occupation - stats.poisson.pmf(k, 10.0)).sum()
    assert tv < 0.03  # total-variation distance; the correlation time is 1, so ~4000 samples


def test_isomerisation_mean_matches_closed_form():
    # A <=> B, closed: n_A(t) ~ Binomial(n, p(t)), p(t) = (k- + k+ e^{-(k+ + k-) t}) / (k+ + k-).
    kp, km, n_tot, runs = 2.0, 1.0, 30, 4000
    net = mt.models.isomerisation(kp, km)
    times = np.array([0.0, 0.1, 0.3, 0.7, 1.5, 4.0])
    ens = mt.simulate_ensemble(net, [n_tot, 0], times, runs=runs, V=3.0, seed=11)
    assert np.all(ens.sum(axis=2) == n_tot)
    p = (km + kp * np.exp(-(kp + km) * times)) / (kp + km)
    mean, sd = n_tot * p, np.sqrt(n_tot * p * (1 - p))
    z = (ens[:, :, 0].mean(axis=0) - mean)[1:] / (sd[1:] / math.sqrt(runs))
    bound = stats.norm.isf(LEVEL / 2 / len(z))  # Bonferroni over the sample times
    assert np.all(np.abs(z) < bound)
    # Power: a 3 % error in k+ moves the transient mean by many standard errors.
    p_wrong = (km + 1.03 * kp * np.exp(-(1.03 * kp + km) * times)) / (1.03 * kp + km)
    z_wrong = (ens[:, :, 0].mean(axis=0) - n_tot * p_wrong)[1:] / (sd[1:] / math.sqrt(runs))
    assert np.max(np.abs(z_wrong)) > bound


# --------------------------------------------------------------------------------------------
# Kernel against reference: the same uniforms give the same path
# --------------------------------------------------------------------------------------------
MODELS = [
    (mt.models.immigration_death(10.0, 1.0), [0], 30.0, 2.0),
    (mt.models.dimerisation(1.0, 0.5), [40, 3], 5.0, 7.0),
    (mt.models.schlogl(), [20], 10.0, 8.0),
    (mt.models.linear_chain(5), [3, 0, 1, 0, 2], 5.0, 2.5),
    (mt.models.brusselator(1.0, 1.5), [4, 2], 5.0, 5.0),
    (mt.models.closed_chain(1.0, 0.5, 2.0, 0.0), [10, 5, 0], 5.0, 1.0),  # a zero constant
    # every firing changes every species: 6 propensities recomputed per event, so the generated
    # kernel draws the next waiting time after the channel choice (no look-ahead)
    (mt.Network.from_string("A + B <=> C ; 1.0, 2.0\nB + C <=> A ; 0.5, 1.0\n"
                            "A + C <=> B ; 0.7, 1.5"), [5, 4, 3], 3.0, 2.0),
]


# The generated kernels compile per structure (a few seconds each on first use), so they are
# checked on the models that exercise each kind of term: zeroth/first order, a chemostat with a
# third-order channel, 2A, and a channel with a zero constant; the first three and the closed
# chain (3 of its 4 constants > 0) choose the channel without branches (<= 4 channels), the
# 10-channel chain and the fully coupled 6-channel network by the chain of comparisons, the last
# without the look-ahead logarithm.
COMPILED = [MODELS[i] + ("compiled",) for i in (0, 1, 2, 3, 5, 6)]


def test_generated_kernel_variants_are_the_ones_the_tests_cover():
    from mesothermo._ssa_kernel import codegen
    from mesothermo.ssa import _kernel_network
    kinds = []
    for net, n0, t_end, V in [MODELS[i] for i in (0, 1, 2, 3, 5, 6)]:
        kn = _kernel_network(net, V)
        deps = [kn.dep_idx[kn.dep_ptr[j]:kn.dep_ptr[j + 1]].tolist() for j in range(len(kn.c))]
        src = codegen.generate_source(kn._reac, kn._delta, deps)
        kinds.append(("sel = np.int64(" in src, "p0, p1, p2, p3 = s0" in src))
    assert kinds == [(True, True)] * 3 + [(False, True), (True, True), (False, False)]


@pytest.mark.parametrize("net, n0, t_end, V, method",
                         [m + ("kernel",) for m in MODELS] + COMPILED)
def test_kernel_equals_reference_event_by_event(net, n0, t_end, V, method):
    a = mt.simulate(net, n0, t_end, V=V, seed=123, method=method)
    b = mt.simulate(net, n0, t_end, V=V, seed=123, method="reference")
    assert a.n_events == b.n_events > 20
    np.testing.assert_array_equal(a.n, b.n)
    np.testing.assert_array_equal(a.channel, b.channel)
    np.testing.assert_allclose(a.t, b.t, rtol=1e-13, atol=0)


@pytest.mark.parametrize("net, n0, t_end, V, method",
                         [m + ("kernel",) for m in MODELS[:3]]
                         + [MODELS[i] + ("compiled",) for i in (1, 3, 6)])
def test_kernel_equals_reference_sampled(net, n0, t_end, V, method):
    times = np.linspace(0, t_end, 17)
    a = mt.simulate(net, n0, t_end, V=V, seed=5, times=times, method=method)
    b = mt.simulate(net, n0, t_end, V=V, seed=5, times=times, method="reference")
    np.testing.assert_array_equal(a.n, b.n)
    assert a.n_events == b.n_events
    ea = mt.simulate_ensemble(net, n0, times, runs=3, V=V, seed=9, method=method)
    eb = mt.simulate_ensemble(net, n0, times, runs=3, V=V, seed=9, method="reference")
    np.testing.assert_array_equal(ea, eb)


def test_compiled_kernel_is_cached_per_structure(tmp_path, monkeypatch):
    # Constants and volume are arguments: one generated module serves a whole parameter sweep.
    from mesothermo._ssa_kernel import native
    monkeypatch.setenv("MESOTHERMO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "_GENERATED", {})
    net = mt.models.schlogl()
    a = mt.simulate(net, [20], 2.0, V=5.0, seed=1, method="compiled", times=[0.0, 2.0])
    b = mt.simulate(net.with_constants(k_plus=[2.0, 0.3]), [20], 2.0, V=9.0, seed=1,
                    method="compiled", times=[0.0, 2.0])
    assert len(native._GENERATED) == 1
    cache = tmp_path / "ssa_kernels"
    assert len(list(cache.glob("mesothermo_ssa_*.py"))) == 1
    assert len(list(cache.glob("mesothermo_ssa_*.sampled.o"))) == 1  # the machine code, stored
    np.testing.assert_array_equal(
        b.n, mt.simulate(net.with_constants(k_plus=[2.0, 0.3]), [20], 2.0, V=9.0, seed=1,
                         times=[0.0, 2.0], method="reference").n)
    assert a.n_events != b.n_events


_FRESH = """
import json, sys, numpy as np, mesothermo as mt
net = mt.models.schlogl()
tr = mt.simulate(net, [20], 3.0, V=5.0, seed=8, times=np.linspace(0, 3, 7))
ev = mt.simulate(net, [20], 3.0, V=5.0, seed=8)
ens = mt.simulate_ensemble(net, [20], np.linspace(0, 3, 7), runs=5, V=5.0, seed=8)
compiled = [m for m in sys.modules if m.startswith("mesothermo_ssa_")]
print(json.dumps(dict(n=tr.n.tolist(), every=ev.channel.tolist(), ens=ens.tolist(),
                      compiled=compiled, numba="numba" in sys.modules)))
"""


def test_stored_kernel_loads_in_a_fresh_process_without_numba(tmp_path):
    # The first process compiles the kernels and stores their machine code; a second one loads
    # it and runs the same paths without importing the generated source, or numba at all.
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ, MESOTHERMO_CACHE_DIR=str(tmp_path))
    first, second = (json.loads(subprocess.run(
        [sys.executable, "-c", _FRESH], env=env, capture_output=True, text=True, check=True,
        timeout=600).stdout) for _ in range(2))
    assert len(first["compiled"]) == 1 and second["compiled"] == []
    assert first["numba"] and not second["numba"]    # stored code runs without importing numba
    net, times = mt.models.schlogl(), np.linspace(0, 3, 7)
    ref = mt.simulate(net, [20], 3.0, V=5.0, seed=8, times=times, method="reference")
    ref_every = mt.simulate(net, [20], 3.0, V=5.0, seed=8, method="reference")
    ref_ens = mt.simulate_ensemble(net, [20], times, runs=5, V=5.0, seed=8, method="reference")
    for run in (first, second):
        assert run["n"] == ref.n.tolist()
        assert run["every"] == ref_every.channel.tolist()
        assert run["ens"] == ref_ens.tolist()


def test_damaged_stored_kernel_is_compiled_again(tmp_path, monkeypatch):
    from mesothermo._ssa_kernel import native
    monkeypatch.setenv("MESOTHERMO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "_GENERATED", {})
    net = mt.models.immigration_death(10.0, 1.0)
    a = mt.simulate(net, [0], 5.0, seed=3, times=[0.0, 5.0])
    (obj,) = (tmp_path / "ssa_kernels").glob("*.sampled.o")
    obj.write_bytes(obj.read_bytes()[:100] + b"damaged")   # LLVM would crash on this object
    monkeypatch.setattr(native, "_GENERATED", {})
    b = mt.simulate(mt.models.immigration_death(10.0, 1.0), [0], 5.0, seed=3, times=[0.0, 5.0])
    np.testing.assert_array_equal(a.n, b.n)
    assert obj.stat().st_size > 107                        # written again, whole


def _advanced(state, draws):
    g = Xoshiro256Plus(state)
    for _ in range(draws):
        g.next_u64()
    return g.s


@pytest.mark.parametrize("method", ["kernel", "compiled"])
def test_kernels_leave_the_generator_where_the_reference_does(method):
    # 2 uniforms per event and one more for the waiting time that passed t_end; an absorbed path
    # draws none after its last event (the compiled kernel's look-ahead uniform is given back).
    from mesothermo import _ssa_kernel
    from mesothermo.ssa import _kernel_network
    state0 = np.array([11, 22, 33, 44], np.uint64)
    for net, n0, expect_extra in ((mt.models.immigration_death(10.0, 1.0), [3], 1),
                                  (mt.Network.from_string("A -> 0 ; 1.0"), [4], 0)):
        kn = _kernel_network(net, 1.0)
        state = state0.copy()
        out = np.empty((2, 1), np.int64)
        n0 = np.array(n0, np.int64)
        if method == "compiled":
            events, status, _ = kn.generated().direct_sampled(n0, np.array([0.0, 50.0]), 50.0,
                                                              kn.c, state, 10**6, out)
        else:
            events, status, _ = _ssa_kernel.direct_sampled(
                n0, np.array([0.0, 50.0]), 50.0, *kn.args(), state, 10**6, out)
        assert status == 0 and events > 0
        assert [int(v) for v in state] == _advanced(state0, 2 * events + expect_extra)


def test_every_event_kernel_resumes_when_its_buffers_fill():
    # The generated every-event kernel fills caller-owned buffers and is called again when they
    # are full; with 16-event buffers a 1,200-event path is many calls, and still the one path.
    from mesothermo.ssa import _kernel_network
    net = mt.models.immigration_death(10.0, 1.0)
    kn = _kernel_network(net, 2.0)
    ref = mt.simulate(net, [0], 30.0, V=2.0, seed=123, method="reference")
    state = np.asarray(mt.ssa._generator_state(np.random.default_rng(123)))
    t, n, ch, status = kn.generated().direct_every(np.array([0]), 30.0, kn.c, kn.chan_id,
                                                  state, 10**6, 16)
    assert status == 0 and len(ch) == ref.n_events > 1000
    np.testing.assert_array_equal(n, ref.n)
    np.testing.assert_array_equal(ch, ref.channel)
    np.testing.assert_array_equal(t, ref.t)
    state = np.asarray(mt.ssa._generator_state(np.random.default_rng(123)))
    t, n, ch, status = kn.generated().direct_every(np.array([0]), 30.0, kn.c, kn.chan_id,
                                                  state, 40, 16)   # the cap holds across calls
    assert status == mt._ssa_kernel.STATUS_MAX_EVENTS and len(ch) == 40
    np.testing.assert_array_equal(ch, ref.channel[:40])


def test_sampled_path_is_the_every_event_path_read_at_the_times():
    net = mt.models.schlogl()
    full = mt.simulate(net, [30], 20.0, V=10.0, seed=42)
    times = np.array([0.0, 0.5, 3.3, 10.0, 19.99, 20.0])
    samp = mt.simulate(net, [30], 20.0, V=10.0, seed=42, times=times)
    idx = np.searchsorted(full.t, times, side="right") - 1
    np.testing.assert_array_equal(samp.n, full.n[idx])
    assert samp.n_events == full.n_events and samp.channel is None
    np.testing.assert_array_equal(samp.t, times)


def test_general_rate_law_reproduces_mass_action_path():
    # The same law written as a callable goes through the reference path and must give the
    # kernel's path from the same seed.
    law = Reaction({"X": 1}, {}, 1.0, propensity_plus=lambda n, V: 1.0 * n[..., 0])
    net_c = mt.Network([Reaction({}, {"X": 1}, 10.0), law])
    net_m = mt.models.immigration_death(10.0, 1.0)
    assert not net_c.is_mass_action
    a = mt.simulate(net_m, [5], 10.0, V=1.0, seed=3)
    b = mt.simulate(net_c, [5], 10.0, V=1.0, seed=3)
    np.testing.assert_array_equal(a.n, b.n)
    np.testing.assert_array_equal(a.channel, b.channel)
    for method in ("kernel", "compiled"):
        with pytest.raises(ValueError, match=f"`method`='{method}' needs mass-action"):
            mt.simulate(net_c, [5], 10.0, method=method)


def test_path_propensities_equal_the_array_form_bit_for_bit():
    # The reference path's per-state evaluator prepares constants once; it must give exactly
    # the floats of _kinetics.propensities (mass-action channels, general laws, both directions).
    from mesothermo import _kinetics
    from mesothermo._ssa_reference import PathPropensities

    hill = Reaction({}, {"A": 1}, 1.0, propensity_plus=lambda n, V: 7.0 * V / (1.0 + n[..., 1]))
    net = mt.Network([hill, Reaction({"A": 2}, {"B": 1}, 0.3, 1.7),
                      Reaction({"A": 1, "B": 1}, {"A": 3}, 0.05, 0.2),
                      Reaction({"B": 3}, {}, 0.01)])
    rng = np.random.default_rng(4)
    for V in (0.5, 3.0, 40.0):
        ev = PathPropensities(net, V)
        for n in rng.integers(0, 30, size=(50, 2)):
            rp, rm = _kinetics.propensities(net, n, V)
            assert ev(n, 0.0) == [float(v) for v in rp] + [float(v) for v in rm]
    bad = mt.Network([Reaction({}, {"A": 1}, 1.0, propensity_plus=lambda n, V: -1.0)])
    with pytest.raises(ValueError, match="negative or non-finite rate"):
        PathPropensities(bad, 1.0)(np.array([0]), 0.5)


def test_xoshiro_twin_matches_reference_vector():
    # First outputs of xoshiro256+ seeded with state (1, 2, 3, 4), from Blackman and Vigna's
    # reference C code (xoshiro256plus.c) compiled with gcc.
    g = Xoshiro256Plus(np.array([1, 2, 3, 4], np.uint64))
    assert [g.next_u64() for _ in range(5)] == [5, 211106232532999, 211106635186183,
                                               9223759065350669058, 9250833439874351877]


# --------------------------------------------------------------------------------------------
# Paths: conservation, channel records, reproducibility, ensembles
# --------------------------------------------------------------------------------------------
def test_dimerisation_conserves_total_monomers():
    net = mt.models.dimerisation(2.0, 1.0)
    tr = mt.simulate(net, [50, 7], 20.0, V=5.0, seed=8)
    assert tr.n_events > 100
    total = tr.n[:, 0] + 2 * tr.n[:, 1]
    assert np.all(total == 64)
    assert np.all(tr.n >= 0)


@pytest.mark.parametrize("net, n0, t_end, V", MODELS)
def test_channel_records_match_increments(net, n0, t_end, V):
    tr = mt.simulate(net, n0, t_end, V=V, seed=31)
    M = net.M
    assert tr.channel.shape == (len(tr.t) - 1,)
    assert np.all((tr.channel >= 0) & (tr.channel < 2 * M))
    signed = np.where(tr.channel[:, None] < M, net.nu[tr.channel % M], -net.nu[tr.channel % M])
    np.testing.assert_array_equal(np.diff(tr.n, axis=0), signed)
    assert np.all(np.diff(tr.t) > 0) and tr.t[0] == 0 and tr.t[-1] <= t_end
    # A channel fires only where its propensity was positive.
    rp, rm = net.propensities(tr.n[:-1], V)
    r = np.concatenate([rp, rm], axis=1)
    assert np.all(r[np.arange(len(tr.channel)), tr.channel] > 0)


def test_reproducible_and_seed_sensitive():
    net = mt.models.schlogl()
    a = mt.simulate(net, [10], 5.0, V=5.0, seed=2026)
    b = mt.simulate(net, [10], 5.0, V=5.0, seed=2026)
    c = mt.simulate(net, [10], 5.0, V=5.0, seed=2027)
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.n, b.n)
    assert len(a.t) != len(c.t) or not np.array_equal(a.t, c.t)
    g1, g2 = np.random.default_rng(4), np.random.default_rng(4)
    np.testing.assert_array_equal(mt.simulate(net, [10], 5.0, seed=g1).n,
                                  mt.simulate(net, [10], 5.0, seed=g2).n)
    ss = np.random.SeedSequence(99)
    np.testing.assert_array_equal(mt.simulate(net, [10], 5.0, seed=ss).n,
                                  mt.simulate(net, [10], 5.0, seed=np.random.SeedSequence(99)).n)


def test_ensemble_independent_of_n_jobs():
    net = mt.models.linear_chain(10)
    times = np.linspace(0, 3, 7)
    e1 = mt.simulate_ensemble(net, [0] * 10, times, runs=37, V=3.0, seed=5, n_jobs=1)
    e2 = mt.simulate_ensemble(net, [0] * 10, times, runs=37, V=3.0, seed=5, n_jobs=2)
    e0 = mt.simulate_ensemble(net, [0] * 10, times, runs=37, V=3.0, seed=5)
    assert e1.shape == (37, 7, 10) and e1.dtype == np.int64
    np.testing.assert_array_equal(e1, e2)
    np.testing.assert_array_equal(e1, e0)
    assert len({e1[i].tobytes() for i in range(37)}) == 37  # runs differ from each other
    np.testing.assert_array_equal(e1[:, 0], 0)


def test_absorbing_state_and_x():
    net = mt.Network.from_string("A -> 0 ; 1.0")
    tr = mt.simulate(net, [5], 1e3, V=2.0, seed=0)
    assert tr.n_events == 5 and tr.n[-1, 0] == 0
    np.testing.assert_array_equal(tr.x, tr.n / 2.0)
    s = mt.simulate(net, [5], 1e3, V=2.0, seed=0, times=[0.0, 1e3])
    np.testing.assert_array_equal(s.n[:, 0], [5, 0])
    assert s.n_events == 5


@pytest.mark.parametrize("method", ["kernel", "compiled", "reference"])
def test_network_that_cannot_fire(method):
    net = mt.Network.from_string("A -> B ; 0")  # no channel has a positive rate
    tr = mt.simulate(net, [3, 0], 1.0, seed=1, method=method)
    assert tr.n_events == 0 and tr.n.tolist() == [[3, 0]] and tr.channel.size == 0
    ens = mt.simulate_ensemble(net, [3, 0], [0.0, 1.0], runs=2, seed=1, method=method)
    assert ens.tolist() == [[[3, 0], [3, 0]]] * 2


def test_compiled_on_a_large_network_falls_back_to_the_generic_kernel():
    net = mt.models.linear_chain(40)  # 80 channels, above the generated-kernel cap of 64
    a = mt.simulate(net, [2] * 40, 1.0, seed=4, method="compiled")
    b = mt.simulate(net, [2] * 40, 1.0, seed=4, method="kernel")
    np.testing.assert_array_equal(a.channel, b.channel)
    np.testing.assert_array_equal(a.n, b.n)


def test_max_events_guard():
    net = mt.Network.from_string("X -> 2 X ; 1.0")  # exponential growth
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate(net, [10], 100.0, seed=1, max_events=1000)
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate(net, [10], 100.0, seed=1, times=[0.0, 100.0], max_events=1000)
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate_ensemble(net, [10], [0.0, 100.0], runs=2, seed=1, max_events=1000)
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate(net, [10], 100.0, seed=1, max_events=50, method="reference")
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate(net, [10], 100.0, seed=1, max_events=1000, method="compiled")
    with pytest.raises(RuntimeError, match="`max_events`"):
        mt.simulate_ensemble(net, [10], [0.0, 100.0], runs=2, seed=1, max_events=1000,
                             method="compiled")


def test_ensemble_runaway_message_has_no_nan_time():
    # the ensemble kernel does not return the stopping time: the message must not read "t=nan"
    net = mt.Network.from_string("X -> 2 X ; 1.0")
    with pytest.raises(RuntimeError, match="`max_events`") as info:
        mt.simulate_ensemble(net, [10], [0.0, 100.0], runs=2, seed=1, max_events=1000)
    assert "nan" not in str(info.value)


def test_n0_as_a_dict_is_refused_with_a_hint():
    NET_ID = mt.models.immigration_death()
    with pytest.raises(TypeError, match="`n0` must be a sequence .* in the order of the network"):
        mt.simulate(NET_ID, {"X": 3}, 1.0)
    with pytest.raises(TypeError, match="`n0` must be a sequence"):
        mt.simulate_ensemble(NET_ID, "3", [0.0, 1.0], runs=2)


def test_negative_or_nonfinite_general_rate_law_is_reported():
    # A degradation law n - 3 is negative below 3 molecules.
    bad = Reaction({"X": 1}, {}, 1.0, propensity_plus=lambda n, V: 1.0 * n[..., 0] - 3.0)
    net = mt.Network([Reaction({}, {"X": 1}, 0.5), bad])
    with pytest.raises(ValueError, match="negative or non-finite"):
        mt.simulate(net, [2], 1e3, seed=1)
    nan_law = Reaction({}, {"X": 1}, 1.0, propensity_plus=lambda n, V: np.nan * n[..., 0] + 1)
    with pytest.raises(ValueError, match="negative or non-finite"):
        mt.simulate(mt.Network([nan_law]), [0], 1.0, seed=1)


# --------------------------------------------------------------------------------------------
# Validation at the public boundary
# --------------------------------------------------------------------------------------------
NET = mt.models.isomerisation(1.0, 1.0)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(V=0.0), ValueError, "`V` must be a finite number > 0"),
    (dict(V=-1.0), ValueError, "`V` must be a finite number > 0"),
    (dict(V=float("nan")), ValueError, "`V` must be a finite number > 0"),
    (dict(V="1"), TypeError, "`V`"),
    (dict(n0=[1, 2, 3]), ValueError, r"`n0` must have shape \(2,\)"),
    (dict(n0=[1, -2]), ValueError, "`n0` must be non-negative"),
    (dict(n0=[1, 2.5]), ValueError, "`n0` must hold integers"),
    (dict(n0=[1, float("nan")]), ValueError, "`n0` must be finite"),
    (dict(t_end=0.0), ValueError, "`t_end` must be a finite number > 0"),
    (dict(t_end=-3.0), ValueError, "`t_end` must be a finite number > 0"),
    (dict(t_end=float("inf")), ValueError, "`t_end` must be a finite number > 0"),
    (dict(t_end=None), TypeError, "`t_end`"),
    (dict(times=[0.0, 2.0, 1.0]), ValueError, "Values in `times` are not properly sorted"),
    (dict(times=[0.0, 20.0]), ValueError, "`times` must lie within"),
    (dict(times=[-1.0, 1.0]), ValueError, "`times` must be finite and non-negative"),
    (dict(seed="abc"), TypeError, "`seed`"),
    (dict(seed=-4), ValueError, "`seed`"),
    (dict(max_events=0), ValueError, "`max_events`"),
    (dict(max_events=2.5), TypeError, "`max_events`"),
    (dict(method="fast"), ValueError, "`method` must be one of"),
])
def test_simulate_rejects_bad_input(kwargs, exc, match):
    args = dict(net=NET, n0=[3, 1], t_end=10.0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        mt.simulate(**args)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(runs=0), ValueError, "`runs` must be an integer >= 1"),
    (dict(runs=2.0), TypeError, "`runs`"),
    (dict(V=-2.0), ValueError, "`V` must be a finite number > 0"),
    (dict(times=[1.0, 0.5]), ValueError, "Values in `times` are not properly sorted"),
    (dict(times=[]), ValueError, "`times` must be a non-empty"),
    (dict(n0=[3]), ValueError, r"`n0` must have shape \(2,\)"),
    (dict(seed=1.5), TypeError, "`seed`"),
    (dict(n_jobs=0), ValueError, "`n_jobs`"),
])
def test_simulate_ensemble_rejects_bad_input(kwargs, exc, match):
    args = dict(net=NET, n0=[3, 1], times=[0.0, 1.0], runs=4)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        mt.simulate_ensemble(**args)


def test_rejects_non_network():
    with pytest.raises(TypeError, match="`net` must be a mesothermo.Network"):
        mt.simulate("A -> B ; 1", [1], 1.0)


def test_method_names_are_listed_when_unknown():
    with pytest.raises(ValueError, match="`method` must be one of 'auto', 'kernel', 'compiled', "
                                         "'reference'; got 'fast'"):
        mt.simulate(mt.models.immigration_death(), [1], 1.0, method="fast")
    with pytest.raises(ValueError, match="`method` must be one of"):
        mt.simulate(mt.models.immigration_death(), [1], 1.0, method=None)
