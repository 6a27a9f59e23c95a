r"""The named example networks that the chapters and the tests share.

Each function returns a :class:`~mesothermo.network.Network` built from reaction text, with the
rate constants as keyword arguments. Concentrations and rate constants are in consistent but
arbitrary units (the seeds' theory is scale-free: time in units of 1/k, concentrations in units
of the volume's inverse), so the defaults are chosen to make the chapters' phenomena visible at
volumes that a laptop simulates in seconds.
"""

from __future__ import annotations

import math

from ._validation import check_nonnegative_real, check_positive_int
from .network import Network


def _c(value, name: str) -> str:
    """Rate constant ``name`` as reaction text, checked (finite, >= 0) under its keyword.

    Plain float repr, so NumPy scalars work too.
    """
    return repr(check_nonnegative_real(value, name, "rate constant"))


def _conc(value, name: str) -> float:
    """A chemostat concentration, checked (finite, >= 0) under its keyword ``name``."""
    return check_nonnegative_real(value, name, "concentration")


def _constants(values, name: str, count: int) -> list[float]:
    """``count`` rate constants from a sequence, each checked as ``name[i]``."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"`{name}` must be a sequence of {count} rate constants; got "
                        f"{type(values).__name__}.")
    if len(values) != count:
        raise ValueError(f"`{name}` must hold {count} constants; got {len(values)}.")
    return [check_nonnegative_real(v, f"{name}[{i}]", "rate constant")
            for i, v in enumerate(values)]

__all__ = [
    "immigration_death", "isomerisation", "closed_chain", "dimerisation", "schlogl",
    "brusselator", "driven_cycle", "open_isomerisation", "enzyme", "unimolecular_cycle",
    "linear_chain",
]


def immigration_death(k_in: float = 10.0, k_out: float = 1.0) -> Network:
    r"""Immigration–death, :math:`\emptyset \to X` at :math:`k_{in}`, :math:`X \to \emptyset`
    at :math:`k_{out}` (irreversible, both).

    The stationary law is Poisson with mean :math:`V k_{in}/k_{out}`; the rate equation is
    :math:`\dot x = k_{in} - k_{out} x` (Ge–Qian Eq. 4).
    """
    return Network.from_string(f"0 -> X ; {_c(k_in, 'k_in')}\nX -> 0 ; {_c(k_out, 'k_out')}")


def isomerisation(k_plus: float = 1.0, k_minus: float = 1.0) -> Network:
    r"""The closed isomerisation :math:`A \rightleftharpoons B`.

    :math:`n_A + n_B` is conserved; the stationary law in that class is binomial with success
    probability :math:`k_+/(k_+ + k_-)` for B.
    """
    return Network.from_string(f"A <=> B ; {_c(k_plus, 'k_plus')}, {_c(k_minus, 'k_minus')}")


def open_isomerisation(a: float = 1.0, b: float = 1.0, k_in: float = 1.0, k_out: float = 1.0,
                       k_plus: float = 1.0, k_minus: float = 1.0) -> Network:
    r"""The open :math:`A \rightleftharpoons B` exchanging with buffered pools
    :math:`A_{ch} \rightleftharpoons A` and :math:`B \rightleftharpoons B_{ch}`.

    The pools are held at concentrations ``a`` and ``b``. The pools are at mutual chemical
    equilibrium (a dialysis system, Ge–Qian assumption iv) when
    :math:`b/a = (k_{in} k_+ k_{out}) / (k_{out} k_- k_{in})`, i.e. when
    :math:`b/a = k_+/k_-` for equal exchange constants; otherwise a net flux
    :math:`A_{ch}\to A\to B\to B_{ch}` is sustained.
    """
    kin, kout = _c(k_in, "k_in"), _c(k_out, "k_out")
    return Network.from_string(
        f"Ach <=> A ; {kin}, {kout}\nA <=> B ; {_c(k_plus, 'k_plus')}, {_c(k_minus, 'k_minus')}\n"
        f"B <=> Bch ; {kout}, {kin}",
        chemostats={"Ach": _conc(a, "a"), "Bch": _conc(b, "b")})


def closed_chain(k1: float = 1.0, km1: float = 1.0, k2: float = 1.0, km2: float = 1.0) -> Network:
    r"""The closed chain :math:`A \rightleftharpoons B \rightleftharpoons C` (one conservation
    law, :math:`n_A+n_B+n_C`), detailed balanced for every choice of constants."""
    return Network.from_string(f"A <=> B ; {_c(k1, 'k1')}, {_c(km1, 'km1')}\n"
                               f"B <=> C ; {_c(k2, 'k2')}, {_c(km2, 'km2')}")


def dimerisation(k_plus: float = 1.0, k_minus: float = 1.0) -> Network:
    r"""Dimerisation :math:`2A \rightleftharpoons A_2` (closed; :math:`n_A + 2 n_{A_2}` conserved).

    Its mesoscopic forward rate :math:`r_+ = k_+ n_A(n_A-1)/V` differs from the concentration
    form :math:`V k_+ (n_A/V)^2` by :math:`k_+ n_A / V`, negligible only at large :math:`n_A`.
    """
    return Network.from_string(f"2 A <=> A2 ; {_c(k_plus, 'k_plus')}, {_c(k_minus, 'k_minus')}")


def schlogl(k1: float = 3.0, k2: float = 0.6, k3: float = 0.25, k4: float = 2.95,
            a: float = 1.0, b: float = 1.0) -> Network:
    r"""Schlögl's model: :math:`A + 2X \rightleftharpoons 3X`, :math:`B \rightleftharpoons X`,
    with A and B buffered at concentrations ``a`` and ``b``.

    Rate equation (Ge–Qian Eq. 4):
    :math:`\dot x = k_1 a x^2 - k_2 x^3 + k_3 b - k_4 x`. The defaults (:math:`k_1a=3, k_2=0.6,
    k_3b=0.25, k_4=2.95`) make it bistable: stable states near 0.0935 and 3.702, an unstable one
    near 1.204 (the real roots of the cubic).
    (Schlögl, *Z. Physik* 253, 147, 1972; the model's stochastic thermodynamics is studied by
    Vellela and Qian, *J. R. Soc. Interface* 6, 925, 2009.)
    The pools are in equilibrium with each other, and the model detailed balanced, only when
    :math:`k_1 a k_4 = k_2 k_3 b` (Wegscheider: :math:`a/b = k_2k_3/(k_1k_4)`).
    """
    return Network.from_string(
        f"A + 2 X <=> 3 X ; {_c(k1, 'k1')}, {_c(k2, 'k2')}\n"
        f"B <=> X ; {_c(k3, 'k3')}, {_c(k4, 'k4')}",
        chemostats={"A": _conc(a, "a"), "B": _conc(b, "b")})


def brusselator(a: float = 1.0, b: float = 1.5, reverse: float | None = None) -> Network:
    r"""The Brusselator: :math:`A\to X`, :math:`2X+Y\to 3X`, :math:`B+X\to Y+D`, :math:`X\to E`,
    with A and B buffered at concentrations ``a`` and ``b`` and all forward constants 1.

    The steady state :math:`(a, b/a)` is stable for :math:`b < 1 + a^2` and a limit cycle appears
    beyond (Prigogine and Lefever, *J. Chem. Phys.* 48, 1695, 1968). With ``reverse`` set, every
    reaction gets that backward constant (D and E then count as buffered at concentration 1), so
    that thermodynamic quantities are finite; the network is not complex balanced.
    """
    chemostats = {"A": _conc(a, "a"), "B": _conc(b, "b"), "D": 1.0, "E": 1.0}
    if reverse is None:
        return Network.from_string(
            "A -> X ; 1\n2 X + Y -> 3 X ; 1\nB + X -> Y + D ; 1\nX -> E ; 1",
            chemostats=chemostats)
    r = _c(reverse, "reverse")
    return Network.from_string(
        f"A <=> X ; 1, {r}\n2 X + Y <=> 3 X ; 1, {r}\nB + X <=> Y + D ; 1, {r}\n"
        f"X <=> E ; 1, {r}",
        chemostats=chemostats)


def driven_cycle(atp: float = 1.0, adp: float = 1.0, pi: float = 1.0,
                 k: tuple[float, float, float, float, float, float] = (1, 1, 1, 1, 1, 1)
                 ) -> Network:
    r"""A chemostatted three-state cycle, the skeleton of an ATPase:
    :math:`E_1 + \mathrm{ATP} \rightleftharpoons E_2`,
    :math:`E_2 \rightleftharpoons E_3 + \mathrm{ADP}`,
    :math:`E_3 \rightleftharpoons E_1 + \mathrm{Pi}`, with ATP, ADP and Pi buffered.

    ``k = (k1+, k1-, k2+, k2-, k3+, k3-)``. The cycle's affinity (in units of :math:`k_BT`) is
    :math:`\ln\frac{k_{1+}k_{2+}k_{3+}[\mathrm{ATP}]}{k_{1-}k_{2-}k_{3-}[\mathrm{ADP}][\mathrm{Pi}]}`;
    it vanishes, and with it the stationary current around the cycle, exactly when the
    chemostats are at chemical equilibrium, :math:`[\mathrm{ATP}]/([\mathrm{ADP}][\mathrm{Pi}])
    = K_{eq} = k_{1-}k_{2-}k_{3-}/(k_{1+}k_{2+}k_{3+})`. The enzyme total
    :math:`n_1+n_2+n_3` is conserved.
    """
    k1p, k1m, k2p, k2m, k3p, k3m = (repr(v) for v in _constants(k, "k", 6))
    return Network.from_string(
        f"E1 + ATP <=> E2 ; {k1p}, {k1m}\nE2 <=> E3 + ADP ; {k2p}, {k2m}\n"
        f"E3 <=> E1 + Pi ; {k3p}, {k3m}",
        chemostats={"ATP": _conc(atp, "atp"), "ADP": _conc(adp, "adp"), "Pi": _conc(pi, "pi")})


def enzyme(s: float = 1.0, p: float = 0.1, k1: float = 1.0, km1: float = 1.0, k2: float = 1.0,
           km2: float = 1.0) -> Network:
    r"""Reversible enzyme kinetics :math:`S + E \rightleftharpoons C \rightleftharpoons E + P`
    with substrate S and product P buffered at ``s`` and ``p``.

    The enzyme total :math:`n_E + n_C` is conserved; the system is at equilibrium iff
    :math:`p/s = k_1k_2/(k_{-1}k_{-2})` (the Haldane relation).
    """
    return Network.from_string(
        f"S + E <=> C ; {_c(k1, 'k1')}, {_c(km1, 'km1')}\nC <=> E + P ; {_c(k2, 'k2')}, "
        f"{_c(km2, 'km2')}",
        chemostats={"S": _conc(s, "s"), "P": _conc(p, "p")})


def unimolecular_cycle(k_plus=(1.0, 1.0, 1.0), k_minus=(1.0, 1.0, 1.0),
                       wegscheider: bool = False) -> Network:
    r"""The reversible unimolecular cycle :math:`A\rightleftharpoons B\rightleftharpoons C
    \rightleftharpoons A`.

    Detailed balance holds iff Wegscheider's condition
    :math:`k_{1+}k_{2+}k_{3+} = k_{1-}k_{2-}k_{3-}` does. With ``wegscheider=True`` the last
    backward constant is reset to :math:`k_{1+}k_{2+}k_{3+}/(k_{1-}k_{2-})` so that it holds;
    otherwise the constants are used as given. Either way the network is complex balanced
    (deficiency zero, weakly reversible; Horn and Jackson 1972).
    """
    kp = _constants(k_plus, "k_plus", 3)
    km = _constants(k_minus, "k_minus", 3)
    if wegscheider:
        if km[0] * km[1] == 0:
            raise ValueError(f"`k_minus` must have k_minus[0], k_minus[1] > 0 for "
                             f"`wegscheider`=True (k3- = k1+ k2+ k3+ / (k1- k2-)); got {km}.")
        km[2] = kp[0] * kp[1] * kp[2] / (km[0] * km[1])
        if not math.isfinite(km[2]):
            raise ValueError(f"`wegscheider`=True needs k3- = k1+ k2+ k3+ / (k1- k2-), which "
                             f"overflows for `k_plus`={kp}, `k_minus`={km[:2]}.")
    return Network.from_string(
        f"A <=> B ; {kp[0]!r}, {km[0]!r}\nB <=> C ; {kp[1]!r}, {km[1]!r}\n"
        f"C <=> A ; {kp[2]!r}, {km[2]!r}")


def linear_chain(n_species: int = 10, k_in: float = 10.0, k: float = 1.0,
                 k_out: float = 1.0) -> Network:
    r"""An open linear chain :math:`\emptyset\to X_1 \rightleftharpoons X_2 \rightleftharpoons
    \dots \rightleftharpoons X_n \to \emptyset`, a standard SSA benchmark (n = 10 by default)."""
    n_species = check_positive_int(n_species, "n_species", minimum=2)
    kk = _c(k, "k")
    lines = [f"0 -> X1 ; {_c(k_in, 'k_in')}"]
    lines += [f"X{i} <=> X{i + 1} ; {kk}, {kk}" for i in range(1, n_species)]
    lines.append(f"X{n_species} -> 0 ; {_c(k_out, 'k_out')}")
    return Network.from_string("\n".join(lines))
