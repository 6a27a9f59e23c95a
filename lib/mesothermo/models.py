r"""The named example networks that the chapters and the tests share.

Each function returns a :class:`~mesothermo.network.Network` built from reaction text, with the
rate constants as keyword arguments. Concentrations and rate constants are in consistent but
arbitrary units (the seeds' theory is scale-free: time in units of 1/k, concentrations in units
of the volume's inverse), so the defaults are chosen to make the chapters' phenomena visible at
volumes that a laptop simulates in seconds.
"""

from __future__ import annotations

from .network import Network


def _c(value) -> str:
    """A rate constant as reaction text: plain float repr, so NumPy scalars work too."""
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        raise TypeError(f"rate constants must be real numbers; got {value!r}.") from None

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
    return Network.from_string(f"0 -> X ; {_c(k_in)}\nX -> 0 ; {_c(k_out)}")


def isomerisation(k_plus: float = 1.0, k_minus: float = 1.0) -> Network:
    r"""The closed isomerisation :math:`A \rightleftharpoons B`.

    :math:`n_A + n_B` is conserved; the stationary law in that class is binomial with success
    probability :math:`k_+/(k_+ + k_-)` for B.
    """
    return Network.from_string(f"A <=> B ; {_c(k_plus)}, {_c(k_minus)}")


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
    return Network.from_string(
        f"Ach <=> A ; {_c(k_in)}, {_c(k_out)}\nA <=> B ; {_c(k_plus)}, {_c(k_minus)}\n"
        f"B <=> Bch ; {_c(k_out)}, {_c(k_in)}",
        chemostats={"Ach": a, "Bch": b})


def closed_chain(k1: float = 1.0, km1: float = 1.0, k2: float = 1.0, km2: float = 1.0) -> Network:
    r"""The closed chain :math:`A \rightleftharpoons B \rightleftharpoons C` (one conservation
    law, :math:`n_A+n_B+n_C`), detailed balanced for every choice of constants."""
    return Network.from_string(f"A <=> B ; {_c(k1)}, {_c(km1)}\nB <=> C ; {_c(k2)}, {_c(km2)}")


def dimerisation(k_plus: float = 1.0, k_minus: float = 1.0) -> Network:
    r"""Dimerisation :math:`2A \rightleftharpoons A_2` (closed; :math:`n_A + 2 n_{A_2}` conserved).

    Its mesoscopic forward rate :math:`r_+ = k_+ n_A(n_A-1)/V` differs from the concentration
    form :math:`V k_+ (n_A/V)^2` by :math:`k_+ n_A / V`, negligible only at large :math:`n_A`.
    """
    return Network.from_string(f"2 A <=> A2 ; {_c(k_plus)}, {_c(k_minus)}")


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
        f"A + 2 X <=> 3 X ; {_c(k1)}, {_c(k2)}\nB <=> X ; {_c(k3)}, {_c(k4)}",
        chemostats={"A": a, "B": b})


def brusselator(a: float = 1.0, b: float = 1.5, reverse: float | None = None) -> Network:
    r"""The Brusselator: :math:`A\to X`, :math:`2X+Y\to 3X`, :math:`B+X\to Y+D`, :math:`X\to E`,
    with A and B buffered at concentrations ``a`` and ``b`` and all forward constants 1.

    The steady state :math:`(a, b/a)` is stable for :math:`b < 1 + a^2` and a limit cycle appears
    beyond (Prigogine and Lefever, *J. Chem. Phys.* 48, 1695, 1968). With ``reverse`` set, every
    reaction gets that backward constant (D and E then count as buffered at concentration 1), so
    that thermodynamic quantities are finite; the network is not complex balanced.
    """
    if reverse is None:
        return Network.from_string(
            "A -> X ; 1\n2 X + Y -> 3 X ; 1\nB + X -> Y + D ; 1\nX -> E ; 1",
            chemostats={"A": a, "B": b, "D": 1.0, "E": 1.0})
    r = reverse
    return Network.from_string(
        f"A <=> X ; 1, {_c(r)}\n2 X + Y <=> 3 X ; 1, {_c(r)}\nB + X <=> Y + D ; 1, {_c(r)}\n"
        f"X <=> E ; 1, {_c(r)}",
        chemostats={"A": a, "B": b, "D": 1.0, "E": 1.0})


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
    k1p, k1m, k2p, k2m, k3p, k3m = (float(v) for v in k)
    return Network.from_string(
        f"E1 + ATP <=> E2 ; {_c(k1p)}, {_c(k1m)}\nE2 <=> E3 + ADP ; {_c(k2p)}, {_c(k2m)}\n"
        f"E3 <=> E1 + Pi ; {_c(k3p)}, {_c(k3m)}",
        chemostats={"ATP": atp, "ADP": adp, "Pi": pi})


def enzyme(s: float = 1.0, p: float = 0.1, k1: float = 1.0, km1: float = 1.0, k2: float = 1.0,
           km2: float = 1.0) -> Network:
    r"""Reversible enzyme kinetics :math:`S + E \rightleftharpoons C \rightleftharpoons E + P`
    with substrate S and product P buffered at ``s`` and ``p``.

    The enzyme total :math:`n_E + n_C` is conserved; the system is at equilibrium iff
    :math:`p/s = k_1k_2/(k_{-1}k_{-2})` (the Haldane relation).
    """
    return Network.from_string(
        f"S + E <=> C ; {_c(k1)}, {_c(km1)}\nC <=> E + P ; {_c(k2)}, {_c(km2)}",
        chemostats={"S": s, "P": p})


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
    kp = [float(v) for v in k_plus]
    km = [float(v) for v in k_minus]
    if len(kp) != 3 or len(km) != 3:
        raise ValueError("`k_plus` and `k_minus` must each hold three constants.")
    if wegscheider:
        km[2] = kp[0] * kp[1] * kp[2] / (km[0] * km[1])
    return Network.from_string(
        f"A <=> B ; {_c(kp[0])}, {_c(km[0])}\nB <=> C ; {_c(kp[1])}, {_c(km[1])}\n"
        f"C <=> A ; {_c(kp[2])}, {_c(km[2])}")


def linear_chain(n_species: int = 10, k_in: float = 10.0, k: float = 1.0,
                 k_out: float = 1.0) -> Network:
    r"""An open linear chain :math:`\emptyset\to X_1 \rightleftharpoons X_2 \rightleftharpoons
    \dots \rightleftharpoons X_n \to \emptyset`, a standard SSA benchmark (n = 10 by default)."""
    if n_species < 2:
        raise ValueError(f"`n_species` must be >= 2; got {n_species}.")
    lines = [f"0 -> X1 ; {_c(k_in)}"]
    lines += [f"X{i} <=> X{i + 1} ; {_c(k)}, {_c(k)}" for i in range(1, n_species)]
    lines.append(f"X{n_species} -> 0 ; {_c(k_out)}")
    return Network.from_string("\n".join(lines))
