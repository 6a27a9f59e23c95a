r"""Large deviations of the stationary law: the rate function :math:`\varphi^{ss}` and Eq. 6.

For large volume the stationary law of the chemical master equation concentrates as
:math:`p_V(Vx) \asymp e^{-V\varphi^{ss}(x)}` (Ge–Qian Eq. 8). Inserting the WKB form
:math:`p_V(Vx) = e^{-V\varphi(x) + o(V)}` into the master equation, a jump :math:`\pm\nu_\ell`
changes :math:`\ln p` by :math:`\mp\nu_\ell\cdot\nabla\varphi + O(1/V)`, and the leading order
is the stationary Hamilton–Jacobi equation :math:`H(x, \nabla\varphi^{ss}) = 0` with the
Hamiltonian (:math:`\theta` is the variable conjugate to :math:`x`)

.. math::

    H(x, \theta) = \sum_{\ell=1}^M R_{+\ell}(x)\bigl(e^{\nu_\ell\cdot \theta} - 1\bigr)
                 + R_{-\ell}(x)\bigl(e^{-\nu_\ell\cdot \theta} - 1\bigr).

This is the Kurtz–Hu equation, Ge–Qian Eq. 6 (printed with the opposite overall sign). Along a
rate-equation path, convexity and :math:`H(x,0)=0` give :math:`\frac{d}{dt}\varphi^{ss} \le 0`.

The package, one module a job:

* :mod:`.hamiltonian` — :func:`hamiltonian`, Hamilton's equations, :func:`kurtz_hu_residual`;
* :mod:`.from_cme` — :math:`\varphi_V = -V^{-1}\ln p_V` from the CME
  (:func:`rate_function_from_cme`, converging as :math:`O(\ln V/V)`) and
  :func:`richardson_in_V`;
* :mod:`.one_dim` — one species exactly: :func:`jump_rates_1d`, :func:`rate_function_1d`,
  the Eq. 8 prefactor :func:`prefactor_1d`;
* :mod:`.characteristics` — two species by characteristics
  (:func:`rate_function_characteristics`; compiled kernel in ``_characteristics_kernel``);
* :mod:`.complex_balanced` — Eq. 10 (:func:`rate_function_complex_balanced`).
"""

from .characteristics import Characteristics, Ray, rate_function_characteristics
from .complex_balanced import ComplexBalancedRateFunction, rate_function_complex_balanced
from .from_cme import RateFunctionSample, rate_function_from_cme, richardson_in_V
from .hamiltonian import hamilton_equations, hamiltonian, kurtz_hu_residual
from .one_dim import JumpRates, jump_rates_1d, prefactor_1d, rate_function_1d

__all__ = ["hamiltonian", "hamilton_equations", "kurtz_hu_residual", "jump_rates_1d",
           "JumpRates", "rate_function_from_cme", "richardson_in_V", "rate_function_1d",
           "prefactor_1d", "rate_function_characteristics", "rate_function_complex_balanced",
           "RateFunctionSample", "Characteristics", "Ray", "ComplexBalancedRateFunction"]
