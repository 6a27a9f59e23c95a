r"""Chemical thermodynamics from stochastic kinetics (Ge–Qian Eqs. 5, 7, 9).

* :mod:`~mesothermo.thermo.macroscopic`: the entropy production rate :math:`\sigma(x)`
  (Eq. 7c), the chemical motive force cmf(x) (Eq. 7d) and :math:`d\varphi^{ss}/dt`
  along the rate equation (Eq. 7b).
* :mod:`~mesothermo.thermo.mesoscopic`: the free energy :math:`F`, entropy production
  :math:`e_p`, energy input :math:`E_{in}` and dissipation :math:`f_d` of a law on a CME
  lattice (Eq. 5).
"""

from . import macroscopic, mesoscopic
from .macroscopic import (MacroscopicBalance, cmf, dphi_dt, free_energy_rate,
                          macroscopic_balance, sigma)
from .mesoscopic import (ChannelEdges, FreeEnergyBalance, balance, channel_edges, channel_fluxes,
                         dissipation, energy_input, entropy_production, free_energy,
                         free_energy_balance)
from .gibbs import (DetailedBalanceError, Eq9Residuals, StandardPotentials, chemical_potentials,
                    cycle_affinity, delta_mu, delta_mu_standard, eq9_residuals, gibbs_function,
                    gibbs_function_seed, standard_potentials)

__all__ = ["macroscopic", "mesoscopic", "sigma", "cmf", "free_energy_rate", "dphi_dt",
           "macroscopic_balance", "MacroscopicBalance",
           "free_energy_balance", "balance", "FreeEnergyBalance", "free_energy",
           "entropy_production", "energy_input", "dissipation", "channel_edges",
           "channel_fluxes", "ChannelEdges",
           # gibbs (chapter 05)
           "DetailedBalanceError", "Eq9Residuals", "StandardPotentials", "chemical_potentials",
           "delta_mu", "delta_mu_standard", "eq9_residuals", "gibbs_function",
           "gibbs_function_seed", "standard_potentials"]
