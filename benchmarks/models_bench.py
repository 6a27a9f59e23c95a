"""The models of the SSA benchmarks, with the sizes, end times and sampling they are run at.

Each entry is a :class:`BenchModel`: a network, an initial state, a volume, an end time for the
full benchmark and one for the quick smoke run, and the number of sampling intervals (the
Catalyst.jl paper's SSA benchmarks sample every ``t_end / 50``, so 51 points; we do the same).

The "multistate" model is the 9-species, 18-reaction network of the Catalyst.jl paper's
benchmarks (Loman et al., *PLoS Comput. Biol.* 19, e1011530, 2023; originally Gupta & Mendes,
*Computation* 6, 9, 2018). Its reactions and constants are the BioNetGen 2.7.0 expansion of the
rules in ``Benchmarks/Data/multistate.bngl`` of the repository SciML/Catalyst_PLOS_COMPBIO_2023,
as listed in ``benchmarks/Jumps/Data/multistate.net`` of SciML/SciMLBenchmarks.jl: a receptor R
with a ligand site and an adaptor site, a ligand L, and an adaptor A whose tyrosine Y is
phosphorylated only inside the R.L.A complex. BioNetGen's counts-based constants are per
molecule, which is Kurtz's convention at V = 1, so the network below is the published one
exactly when simulated at ``V = 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import mesothermo as mt

__all__ = ["BenchModel", "multistate", "MULTISTATE_N0", "bench_models"]

# Species of the BioNetGen expansion (multistate.net), in its order:
#   RL   = L(r!1).R(a,l!1)            RA  = A(Y~U,r!1).R(a!1,l)
#   RLA  = A(Y~U).L.R complex         RLAp = A(Y~P).L.R complex
#   RAp  = A(Y~P,r!1).R(a!1,l)        Ap  = A(Y~P,r)
_MULTISTATE = """
# rule R1: R(l) + L(r) <-> R(l!1).L(r!1)   kon = 0.01, koff = 0.1
R + L -> RL ; 0.01
L + RA -> RLA ; 0.01
L + RAp -> RLAp ; 0.01
RL -> R + L ; 0.1
RLA -> L + RA ; 0.1
RLAp -> L + RAp ; 0.1
# rule R2: R(a) + A(r) <-> R(a!1).A(r!1)   kAon = 0.01, kAoff = 0.1
R + A -> RA ; 0.01
A + RL -> RLA ; 0.01
R + Ap -> RAp ; 0.01
RL + Ap -> RLAp ; 0.01
RA -> R + A ; 0.1
RLA -> A + RL ; 0.1
RLAp -> RL + Ap ; 0.1
RAp -> R + Ap ; 0.1
# rule R3: L().R().A(Y~U) -> L().R().A(Y~P)   kAp = 0.01
RLA -> RLAp ; 0.01
# rule R4: A(Y~P) -> A(Y~U)   kAdp = 0.1
RLAp -> RLA ; 0.1
RAp -> RA ; 0.1
Ap -> A ; 0.1
"""

_MULTISTATE_SPECIES = ("R", "L", "A", "RL", "RA", "RLA", "RLAp", "RAp", "Ap")

#: Initial counts R0 = 5360, L0 = 1160, A0 = 5360, every complex 0 (multistate.bngl).
MULTISTATE_N0 = np.array([5360, 1160, 5360, 0, 0, 0, 0, 0, 0], dtype=np.int64)


def multistate() -> mt.Network:
    """The Catalyst.jl benchmark "multistate" network: 9 species, 18 irreversible reactions."""
    return mt.Network.from_string(_MULTISTATE, species=_MULTISTATE_SPECIES)


@dataclass(frozen=True)
class BenchModel:
    name: str
    net: mt.Network
    n0: np.ndarray
    V: float
    t_end: float
    t_end_quick: float
    intervals: int = 50


def bench_models() -> list[BenchModel]:
    """The five benchmark models; full end times give about two million events per run."""
    return [
        BenchModel("immigration-death", mt.models.immigration_death(10.0, 1.0),
                   np.array([1000]), 100.0, 1000.0, 5.0),
        BenchModel("dimerisation", mt.models.dimerisation(1.0, 1.0),
                   np.array([500, 250]), 100.0, 2500.0, 12.0),
        BenchModel("schlogl", mt.models.schlogl(), np.array([370]), 100.0, 250.0, 1.2),
        # open chain at its stationary mean: X_i = V k_in (11 - i) / k
        BenchModel("linear-chain-10", mt.models.linear_chain(10),
                   1000 * np.arange(10, 0, -1), 100.0, 20.0, 0.1),
        BenchModel("multistate", multistate(), MULTISTATE_N0, 1.0, 1000.0, 0.2),
    ]
