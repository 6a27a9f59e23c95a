"""Tests of mesothermo.simulate_ensemble on a concurrent.futures executor (process pool, Dask).

The runs' generator states are drawn from the seed before any run starts and each chunk of runs
on a worker uses only its own states, so the result must equal the local ensemble bit for bit,
whatever the executor, the chunk size and the method.
"""

import logging
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import mesothermo as mt
from mesothermo.network import Reaction

TIMES = np.linspace(0.0, 2.0, 5)
RUNS = 200
SEED = 20261202


def linear_death(n, V):
    """A general (callable) rate law, module level so that pickle sends it: 1.5 n."""
    return 1.5 * n[..., 0]


@pytest.fixture(scope="module")
def net():
    return mt.models.brusselator(a=1.0, b=1.5)


@pytest.fixture(scope="module")
def local(net):
    out = mt.simulate_ensemble(net, [20, 30], TIMES, runs=RUNS, V=20.0, seed=SEED)
    # The runs differ from one another (distinct generator states), so an executor that gave
    # every chunk the same states, or put the chunks back out of order, would be caught.
    assert len({row.tobytes() for row in out}) == RUNS
    return out


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2) as ex:
        yield ex


@pytest.mark.parametrize("method", ["compiled", "kernel"])
@pytest.mark.parametrize("chunk_size", [None, 1, 7, RUNS + 5])
def test_process_pool_is_bit_identical(net, local, pool, method, chunk_size):
    got = mt.simulate_ensemble(net, [20, 30], TIMES, runs=RUNS, V=20.0, seed=SEED, method=method,
                               executor=pool, chunk_size=chunk_size)
    assert got.dtype == np.int64 and got.shape == local.shape
    assert np.array_equal(got, local)


def test_dask_local_cluster_is_bit_identical(net, local):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        executor = client.get_executor()
        # Eight tasks (the default chunking is tested with the process pool above): each Dask
        # task costs a scheduler round trip.
        got = mt.simulate_ensemble(net, [20, 30], TIMES, runs=RUNS, V=20.0, seed=SEED,
                                   executor=executor, chunk_size=25)
        assert np.array_equal(got, local)
        # Every chunk ran on a worker process, not in this one.
        assert len(client.scheduler_info()["workers"]) == 2
        # A worker's error comes back with its type and the failing run (each of these runs
        # needs far more than 10 events to reach t = 2).
        with pytest.raises(RuntimeError, match=r"^run 0 of the ensemble.*`max_events`=10 "):
            mt.simulate_ensemble(net, [20, 30], TIMES, runs=4, V=20.0, seed=SEED,
                                 max_events=10, executor=executor, chunk_size=2)


def test_general_rate_law_through_an_executor(pool):
    # method="reference" (a callable rate law) in the workers: same paths as locally.
    net = mt.Network([Reaction({}, {"X": 1}, 10.0),
                      Reaction({"X": 1}, {}, 1.0, propensity_plus=linear_death)])
    times = [0.0, 0.25, 0.5]
    local = mt.simulate_ensemble(net, [0], times, runs=8, seed=3)
    got = mt.simulate_ensemble(net, [0], times, runs=8, seed=3, executor=pool, chunk_size=3)
    assert np.array_equal(got, local)


def test_chunk_size_does_not_change_the_result(net, local):
    with ThreadPoolExecutor(2) as ex:
        for chunk_size in (3, 64):
            got = mt.simulate_ensemble(net, [20, 30], TIMES, runs=RUNS, V=20.0, seed=SEED,
                                       executor=ex, chunk_size=chunk_size)
            assert np.array_equal(got, local)


def test_worker_error_propagates_with_the_failing_run(pool):
    runaway = mt.Network.from_string("X -> 2 X ; 1.0")
    with pytest.raises(RuntimeError, match=r"^run 0 of the ensemble, on an `executor` worker: "
                                           r"`max_events`=1000 events"):
        mt.simulate_ensemble(runaway, [10], [0.0, 100.0], runs=4, seed=1, max_events=1000,
                             executor=pool, chunk_size=2, method="kernel")


def test_unpicklable_rate_law_is_a_clear_type_error(pool):
    law = Reaction({"X": 1}, {}, 1.0, propensity_plus=lambda n, V: 1.0 * n[..., 0])
    net = mt.Network([Reaction({}, {"X": 1}, 10.0), law])
    with pytest.raises(TypeError, match=r"`net` could not be sent to the `executor`'s workers"):
        mt.simulate_ensemble(net, [0], [0.0, 0.5], runs=4, seed=1, executor=pool)


@pytest.mark.parametrize("bad", [object(), "tcp://scheduler:8786", ProcessPoolExecutor])
def test_executor_without_submit_is_a_type_error(net, bad):
    with pytest.raises(TypeError, match=r"`executor` must be a concurrent.futures.Executor"):
        mt.simulate_ensemble(net, [20, 30], TIMES, runs=2, executor=bad)


def test_executor_argument_errors(net, pool):
    with pytest.raises(ValueError, match=r"`n_jobs`=2 sets local threads"):
        mt.simulate_ensemble(net, [20, 30], TIMES, runs=2, n_jobs=2, executor=pool)
    with pytest.raises(ValueError, match=r"`chunk_size` must be an integer >= 1; got 0"):
        mt.simulate_ensemble(net, [20, 30], TIMES, runs=2, executor=pool, chunk_size=0)
    with pytest.raises(TypeError, match=r"`chunk_size` must be an integer >= 1; got float"):
        mt.simulate_ensemble(net, [20, 30], TIMES, runs=2, executor=pool, chunk_size=2.0)
