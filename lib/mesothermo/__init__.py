"""mesothermo: mesoscopic stochastic kinetics and the chemical thermodynamics that emerges from it.

The library behind the book. Data flow one way: a :class:`Network` feeds the mesoscopic
(:mod:`~mesothermo.ssa`, :mod:`~mesothermo.cme`) and macroscopic (:mod:`~mesothermo.rre`)
descriptions, and both feed large deviations (:mod:`~mesothermo.ldp`).
"""

from . import models
from .network import Network, RatePair, Reaction, ReactionSyntaxError
from .rre import (LNAPath, SteadyState, diffusion_matrix, jacobian, lna_covariance,
                  lna_covariance_path, rre_rhs, solve_rre, steady_states)

__all__ = ["Network", "RatePair", "Reaction", "ReactionSyntaxError", "models"]
__all__ += ["rre_rhs", "solve_rre", "steady_states", "SteadyState", "jacobian",
            "diffusion_matrix", "lna_covariance", "lna_covariance_path", "LNAPath"]
from .ldp import (Characteristics, ComplexBalancedRateFunction, RateFunctionSample,  # noqa: E402
                  Ray, hamiltonian, kurtz_hu_residual, rate_function_1d,
                  rate_function_characteristics, rate_function_complex_balanced,
                  rate_function_from_cme)

__all__ += ["hamiltonian", "kurtz_hu_residual", "rate_function_from_cme", "rate_function_1d",
            "rate_function_characteristics", "rate_function_complex_balanced",
            "RateFunctionSample", "Characteristics", "Ray", "ComplexBalancedRateFunction"]
from .ssa import Trajectory, simulate, simulate_ensemble  # noqa: E402

__all__ += ["Trajectory", "simulate", "simulate_ensemble"]
from .cme import CME  # noqa: E402

__all__ += ["CME"]
from . import plotting, widgets  # noqa: E402

__all__ += ["plotting", "widgets"]
__version__ = "0.1.0"
