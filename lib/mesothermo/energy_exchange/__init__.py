"""Schlitter's QM/MM energy-exchange model: its master equation, entropies, stationary laws
and particle simulations (Schlitter Eqs. 5–13, A.1–A.8).

Modules, one job each:

- :mod:`.master_equation` — the exact energy grid, Eqs. 5–8 with the mean-energy rule, several
  quanta, the linear generator at fixed rates;
- :mod:`.corrected_rates` — the density-of-states corrected rates
  (:func:`maxwell_boltzmann_rates`), whose stationary law is Maxwell–Boltzmann in d dimensions;
- :mod:`.entropy` — :math:`S_E` (Eq. 9), its production (A.6), :math:`S^{(1)}` (Eq. 10, A.8);
- :mod:`.stationary` — the single-quantum "comb", the exponential, Maxwell–Boltzmann in d
  dimensions, the momentum density (A.7), Eqs. 12–13;
- :mod:`.particles` — mean-field and exact pairwise exchange simulations;
- chapter 08, phase space (Eqs. 14–19): :mod:`.potentials` — the potentials and the energies of a
  state; :mod:`.phase_space` — the simulation of R, R + D and R + I (:func:`simulate_phase_space`)
  and the rates of I; :mod:`.boltzmann` — Eq. 17's law as a reference (sampler, CDFs, test,
  entropies).
"""

from .master_equation import (RULES, EnergyEvolution, EnergyGrid, as_quanta, energy_grid, evolve,
                              generator, mean_energy, phi, time_derivative, uniform_density,
                              uptake_rates)
from .corrected_rates import (RatePair, maxwell_boltzmann_cell_masses,
                              maxwell_boltzmann_generator, maxwell_boltzmann_rates)
from .entropy import (EntropyProduction, entropy, entropy_production, entropy_rate, kl,
                      max_entropy, max_entropy_on_grid, max_momentum_entropy, mean_log_energy,
                      momentum_entropy, sphere_area)
from .stationary import (CombLaw, UptakeRate, collision_uptake_rate, comb_law, density_of_states,
                         geometric_law, maxwell_boltzmann_energy_density,
                         maxwell_boltzmann_momentum_density, momentum_density)
from .particles import ParticleRun, distance, iid_distance, simulate_particles
from .potentials import (EXTERNAL_POTENTIALS, DoubleWell, Energies, Free, GaussianPair,
                         Harmonic, energies)
from .boltzmann import (Eq17Test, compare_with_eq17, energy_cdf, eq17_entropy, knn_entropy,
                        position_cdf, sample_boltzmann)
from .phase_space import (DYNAMICS, EXCHANGES, PhaseSpaceRun, PowerRates, inelastic_drift,
                          power_law_rates, rate_law, simulate_phase_space)
from . import boltzmann, phase_space, potentials  # noqa: F401  (the chapter 08 modules)

__all__ = ["RULES", "EnergyEvolution", "EnergyGrid", "RatePair", "as_quanta", "energy_grid",
           "evolve", "generator", "maxwell_boltzmann_cell_masses", "maxwell_boltzmann_generator",
           "maxwell_boltzmann_rates", "mean_energy", "phi", "time_derivative", "uniform_density",
           "uptake_rates",
           "EntropyProduction", "entropy", "entropy_production", "entropy_rate", "kl",
           "max_entropy", "max_entropy_on_grid", "max_momentum_entropy", "mean_log_energy",
           "momentum_entropy", "sphere_area",
           "CombLaw", "UptakeRate", "collision_uptake_rate", "comb_law", "density_of_states",
           "geometric_law", "maxwell_boltzmann_energy_density",
           "maxwell_boltzmann_momentum_density", "momentum_density",
           "ParticleRun", "distance", "iid_distance", "simulate_particles",
           "EXTERNAL_POTENTIALS", "DoubleWell", "Energies", "Free", "GaussianPair", "Harmonic",
           "energies",
           "Eq17Test", "compare_with_eq17", "energy_cdf", "eq17_entropy", "knn_entropy",
           "position_cdf", "sample_boltzmann",
           "DYNAMICS", "EXCHANGES", "PhaseSpaceRun", "PowerRates", "inelastic_drift",
           "power_law_rates", "rate_law", "simulate_phase_space"]
