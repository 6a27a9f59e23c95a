"""Run the benchmarks and print their tables of ratios (`make bench`).

    python benchmarks/run.py            # full size: a few million events per SSA run
    python benchmarks/run.py --quick    # tiny size, seconds (used by tests/test_benchmarks.py)

Benchmarks are not tests: they print measured times and ratios, side by side in one run, on
whatever machine runs them. The SSA table compares our compiled kernels with rebop, COPASI
(basico), libRoadRunner and GillesPy2's C++ SSA (benchmark-only extras, each optional:
``pip install -r requirements-bench.txt``) and with a plain-Python loop, and checks by the mean
final state over hundreds of runs that each peer simulated the same model.
The CME table comes from ``benchmarks/cme_bench.py`` when that module is present, and the
table of the chapters' analyses (free-energy balance, energy-exchange grid and particles,
phase-space steps) from ``benchmarks/analyses_bench.py``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
# GillesPy2 builds its C++ solver by calling `scons` from PATH: use this interpreter's bin/
# (the virtual environment's), where `pip install gillespy2` put SCons.
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

import ssa_bench  # noqa: E402


def _optional(name: str):
    """Import the benchmark module ``name`` if it is present (only its own absence is allowed)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--no-gillespy2", action="store_true",
                        help="skip GillesPy2 (its C++ build takes ~10 s per model)")
    parser.add_argument("--skip-peers", nargs="+", default=[], metavar="KEY",
                        help="SSA peers to skip: rebop COPASI RoadRunner GillesPy2")
    parser.add_argument("--no-equivalence", action="store_true",
                        help="skip the SSA model-equivalence check (mean final states)")
    parser.add_argument("--models", nargs="+", default=None,
                        help="SSA models to run (default: all five)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per model")
    parser.add_argument("--no-cme", action="store_true", help="skip the CME benchmark")
    parser.add_argument("--no-analyses", action="store_true",
                        help="skip the analyses benchmark (chapters 04, 07, 08)")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up benchmark (import and first-call times)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    skip_peers = set(args.skip_peers) | ({"GillesPy2"} if args.no_gillespy2 else set())
    print(ssa_bench.run(quick=args.quick, models=args.models, skip=skip_peers,
                        repeats=args.repeats,
                        equivalence=not args.no_equivalence), flush=True)
    for name, skip in (("cme_bench", args.no_cme), ("analyses_bench", args.no_analyses),
                       ("startup_bench", args.no_startup)):
        module = None if skip else _optional(name)
        if module is not None:
            print()
            print(module.run(quick=args.quick), flush=True)
    print(f"\n(benchmarks took {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
