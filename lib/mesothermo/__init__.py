"""mesothermo: mesoscopic stochastic kinetics and the chemical thermodynamics that emerges from it.

The library behind the book. Data flow one way: a :class:`Network` feeds the mesoscopic
descriptions (:mod:`~mesothermo.ssa` paths, :mod:`~mesothermo.cme` distributions, solved by
:mod:`~mesothermo.markov`) and the macroscopic one (:mod:`~mesothermo.rre`, Ge–Qian Eq. 4;
:mod:`~mesothermo.lna`), and both feed large deviations (:mod:`~mesothermo.ldp`, Ge–Qian
Eqs. 6, 8, 10), thermodynamics (:mod:`~mesothermo.thermo`, Eqs. 5, 7, 9) and network theory
(:mod:`~mesothermo.crnt`). :mod:`~mesothermo.energy_exchange` is Schlitter's model;
:mod:`~mesothermo.sbml` reads and writes models. :mod:`~mesothermo.stats`,
:mod:`~mesothermo.plotting` and :mod:`~mesothermo.widgets` check and present what the others
compute. The subpackages ``thermo``, ``crnt``, ``energy_exchange``, ``sbml``, ``plotting`` and
``widgets`` are imported on first use (``mt.thermo.sigma(...)``, ``mt.plotting.use_style()``),
and the modules import SciPy's integrators, optimisers, dense linear algebra and statistics
inside the functions that use them, so ``import mesothermo`` costs little more than NumPy,
``scipy.sparse`` and numba (``benchmarks/startup_bench.py`` measures it).
"""

import importlib as _importlib

from . import markov, models, stats
from .cme import CME
from .ldp import (Characteristics, ComplexBalancedRateFunction, RateFunctionSample, Ray,
                  JumpRates, hamiltonian, jump_rates_1d, kurtz_hu_residual, prefactor_1d,
                  rate_function_1d, rate_function_characteristics,
                  rate_function_complex_balanced, rate_function_from_cme, richardson_in_V)
from .network import Network, RatePair, Reaction, ReactionSyntaxError
from .lna import LNAPath, diffusion_matrix, lna_covariance, lna_covariance_path
from .rre import SteadyState, jacobian, rre_rhs, solve_rre, steady_states
from .ssa import simulate, simulate_ensemble
from .trajectory import Occupation, Trajectory, transition_times

__all__ = [
    # networks
    "Network", "Reaction", "RatePair", "ReactionSyntaxError", "models",
    # mesoscopic
    "simulate", "simulate_ensemble", "Trajectory", "Occupation", "transition_times", "CME",
    # macroscopic
    "rre_rhs", "solve_rre", "steady_states", "SteadyState", "jacobian", "diffusion_matrix",
    "lna_covariance", "lna_covariance_path", "LNAPath",
    # large deviations
    "hamiltonian", "kurtz_hu_residual", "jump_rates_1d", "JumpRates",
    "rate_function_from_cme", "richardson_in_V", "rate_function_1d", "prefactor_1d",
    "rate_function_characteristics", "rate_function_complex_balanced",
    "RateFunctionSample", "Characteristics", "Ray", "ComplexBalancedRateFunction",
    # any Markov generator; goodness of fit
    "markov", "stats",
    # thermodynamics, network theory, Schlitter's model, SBML (imported on first use)
    "thermo", "crnt", "energy_exchange", "sbml",
    # presentation (imported on first use)
    "plotting", "widgets",
]
__version__ = "0.1.0"

_LAZY = ("thermo", "crnt", "energy_exchange", "sbml", "plotting", "widgets")


def __getattr__(name):
    """Import the subpackages of :data:`_LAZY` on first access (PEP 562)."""
    if name in _LAZY:
        module = _importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'mesothermo' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
