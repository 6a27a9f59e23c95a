r"""Chemical reaction networks: species, reactions, stoichiometry and rate laws.

A network has :math:`N` species and :math:`M` reactions (Ge–Qian, "The description of the
mathematical model"). Reaction :math:`\ell` reads

.. math::

    \nu^{+}_{\ell 1} X_1 + \dots + \nu^{+}_{\ell N} X_N
    \;\underset{k_{-\ell}}{\overset{k_{+\ell}}{\rightleftharpoons}}\;
    \nu^{-}_{\ell 1} X_1 + \dots + \nu^{-}_{\ell N} X_N ,

with reactant stoichiometry :math:`\nu^+` (``nu_plus``), product stoichiometry :math:`\nu^-`
(``nu_minus``) and net change :math:`\nu_{\ell i} = \nu^-_{\ell i} - \nu^+_{\ell i}` (``nu``).

Mass action in Kurtz's convention (the one the seeds use): with copy numbers :math:`n` in a
vessel of volume :math:`V`,

.. math::

    r_{\pm\ell}(n) = V k_{\pm\ell} \prod_i \frac{(n_i)_{\nu^\pm_{\ell i}}}{V^{\nu^\pm_{\ell i}}},
    \qquad (n)_m = n(n-1)\cdots(n-m+1),

so that :math:`R_{\pm\ell}(x) = \lim_{V\to\infty} r_{\pm\ell}(Vx)/V
= k_{\pm\ell}\prod_i x_i^{\nu^\pm_{\ell i}}` (Ge–Qian assumption iii).

Chemostatted (buffered) species are held at fixed concentrations :math:`a_c`. They are not
dynamical species: they are absent from :attr:`Network.species` and enter each rate law as the
factor :math:`\prod_c a_c^{m_{\ell c}}`, the same at every volume. (A buffered pool of
:math:`V a_c` molecules contributes :math:`(V a_c)_m / V^m \to a_c^m`; the buffer is taken as
infinitely large, so the factor is exactly :math:`a_c^m`.) The propensities then scale with
:math:`V` exactly as those of the dynamical species do.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import numpy as np

from . import _kinetics
from ._kinetics import RatePair
from ._linalg import integer_null_space
from .reaction import Reaction, ReactionSyntaxError, as_reaction, complex_text, parse_line
from ._validation import (check_concentrations, check_counts, check_nonnegative_real,
                          check_volume, check_volume_for, register_network_class)

__all__ = ["Network", "Reaction", "RatePair", "ReactionSyntaxError"]

class Network:
    """An immutable chemical reaction network with mass-action or general rate laws.

    Parameters
    ----------
    reactions : sequence of :class:`Reaction` or of dicts with the same keys
    chemostats : mapping of species name to concentration, optional
        Buffered species held at these concentrations (>= 0, finite). They must appear in some
        reaction; they are not among :attr:`species`.
    species : sequence of str, optional
        The order of the dynamical species; by default the order of first appearance.

    Examples
    --------
    >>> import mesothermo as mt
    >>> net = mt.Network.from_string("0 -> X ; 10\\nX -> 0 ; 1")
    >>> net.species, net.nu.tolist()
    (('X',), [[1], [-1]])
    """

    def __init__(self, reactions: Sequence[Reaction | Mapping], chemostats: Mapping | None = None,
                 species: Sequence[str] | None = None):
        rxns = tuple(as_reaction(r, i) for i, r in enumerate(reactions))
        if not rxns:
            raise ValueError("`reactions` must hold at least one reaction.")
        if chemostats is not None and not isinstance(chemostats, Mapping):
            raise TypeError(f"`chemostats` must be a mapping {{name: concentration}}; got "
                            f"{type(chemostats).__name__}.")
        chemostats = dict(chemostats or {})
        names_seen: list[str] = []
        for r in rxns:
            for name in list(r.reactants) + list(r.products):
                if name not in names_seen:
                    names_seen.append(name)
        for c, a in chemostats.items():
            if not isinstance(c, str):
                raise TypeError(f"`chemostats` keys must be species names (str); got {c!r}.")
            if c not in names_seen:
                raise ValueError(f"`chemostats` names {c!r}, which appears in no reaction; "
                                 f"species are {names_seen}.")
            chemostats[c] = check_nonnegative_real(a, f"chemostats[{c!r}]", "concentration")
        dynamic = [s for s in names_seen if s not in chemostats]
        if species is not None:
            species = tuple(species)
            if sorted(species) != sorted(dynamic):
                raise ValueError(f"`species` must list exactly the non-chemostatted species "
                                 f"{dynamic}; got {list(species)}.")
            dynamic = list(species)
        self._reactions = rxns
        self._species = tuple(dynamic)
        self._chemostats = dict(chemostats)
        idx = {s: i for i, s in enumerate(self._species)}
        cidx = {c: j for j, c in enumerate(self._chemostats)}
        M, N, C = len(rxns), len(self._species), len(self._chemostats)
        nu_p, nu_m = np.zeros((M, N), np.int64), np.zeros((M, N), np.int64)
        ch_p, ch_m = np.zeros((M, C), np.int64), np.zeros((M, C), np.int64)
        for l, r in enumerate(rxns):
            for name, m in r.reactants.items():
                if name in idx:
                    nu_p[l, idx[name]] += m
                else:
                    ch_p[l, cidx[name]] += m
            for name, m in r.products.items():
                if name in idx:
                    nu_m[l, idx[name]] += m
                else:
                    ch_m[l, cidx[name]] += m
        for a in (nu_p, nu_m, ch_p, ch_m):
            a.setflags(write=False)
        self._nu_plus, self._nu_minus = nu_p, nu_m
        self._chem_plus, self._chem_minus = ch_p, ch_m
        self._nu = nu_m - nu_p
        self._nu.setflags(write=False)
        kp = np.array([r.k_plus for r in rxns], float)
        km = np.array([0.0 if r.k_minus is None else r.k_minus for r in rxns], float)
        a = np.array(list(self._chemostats.values()), float)
        with np.errstate(divide="ignore"):
            fp = np.prod(a ** ch_p, axis=1) if C else np.ones(M)
            fm = np.prod(a ** ch_m, axis=1) if C else np.ones(M)
        self._k_plus, self._k_minus = kp, km
        self._keff_plus, self._keff_minus = kp * fp, km * fm
        self._reversible = np.array([r.reversible for r in rxns], bool)
        self._mass_action = all(r.propensity_plus is None and r.propensity_minus is None
                                for r in rxns)
        for arr in (kp, km, self._keff_plus, self._keff_minus, self._reversible):
            arr.setflags(write=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_string(cls, text: str, chemostats: Mapping[str, float] | None = None,
                    species: Sequence[str] | None = None) -> "Network":
        """Parse reactions, one per line: ``A + B <=> C ; k+, k-`` or ``X -> 0 ; k``.

        ``0`` is the empty complex, integer coefficients precede names (``2 A`` or ``2A``),
        ``#`` starts a comment, blank lines are ignored. A malformed line raises
        :class:`ReactionSyntaxError` (a ``ValueError``) naming its line and column.
        """
        if not isinstance(text, str):
            raise TypeError(f"`text` must be a str of reactions; got {type(text).__name__}.")
        rxns = [r for i, line in enumerate(text.splitlines(), 1)
                if (r := parse_line(line, i)) is not None]
        if not rxns:
            raise ValueError("`text` holds no reactions (only blank lines or comments).")
        return cls(rxns, chemostats=chemostats, species=species)

    def with_constants(self, k_plus=None, k_minus=None, chemostats=None) -> "Network":
        """A new network with some rate constants or chemostat concentrations replaced.

        ``k_plus``/``k_minus`` are arrays of shape (M,) or mappings ``{reaction index: value}``;
        ``chemostats`` is a mapping ``{name: concentration}`` updating the current ones. An
        irreversible reaction keeps no backward constant: giving it a non-zero one raises.
        """
        kp = self._replace(self._k_plus, k_plus, "k_plus")
        km = self._replace(self._k_minus, k_minus, "k_minus")
        for l, r in enumerate(self._reactions):
            if r.k_minus is None and km[l] != 0:
                raise ValueError(f"`k_minus[{l}]` = {km[l]:g} is given for the irreversible "
                                 f"reaction {r.text()!r}, which has no backward direction; "
                                 "leave it 0 (or rebuild the network with '<=>').")
        rx = [Reaction(r.reactants, r.products, kp[l],
                       km[l] if r.k_minus is not None else None,
                       r.propensity_plus, r.propensity_minus)
              for l, r in enumerate(self._reactions)]
        ch = dict(self._chemostats)
        if chemostats is not None:
            if not isinstance(chemostats, Mapping):
                raise TypeError("`chemostats` must be a mapping {name: concentration}.")
            for c in chemostats:
                if c not in ch:
                    raise ValueError(f"`chemostats` names {c!r}, which is not a chemostat of this "
                                     f"network; chemostats are {list(ch)}.")
            ch.update(chemostats)
        return Network(rx, chemostats=ch, species=self._species)

    def _replace(self, current: np.ndarray, new, name: str) -> np.ndarray:
        out = np.array(current, float)
        if new is None:
            return out
        if isinstance(new, Mapping):
            for l, v in new.items():
                if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 0 <= l < self.M:
                    raise ValueError(f"`{name}` keys must be reaction indices 0..{self.M - 1}; "
                                     f"got {l!r}.")
                out[l] = check_nonnegative_real(v, f"{name}[{l}]", "rate constant")
        else:
            try:
                arr = np.asarray(new, float)
            except (TypeError, ValueError):
                raise TypeError(f"`{name}` must be an array of {self.M} rate constants or a "
                                f"mapping {{reaction index: value}}; got {new!r}.") from None
            if arr.shape != (self.M,):
                raise ValueError(f"`{name}` must have shape ({self.M},); got {arr.shape}.")
            out = arr.copy()
        if not np.all(np.isfinite(out)) or np.any(out < 0):
            raise ValueError(f"`{name}` must be finite and >= 0; got {out.tolist()}.")
        return out

    # -- structure ----------------------------------------------------------------------------
    @property
    def species(self) -> tuple[str, ...]:
        """Names of the N dynamical species (chemostatted species excluded)."""
        return self._species

    @property
    def reactions(self) -> tuple[Reaction, ...]:
        return self._reactions

    @property
    def chemostats(self) -> dict[str, float]:
        """Buffered species and their fixed concentrations."""
        return dict(self._chemostats)

    @property
    def N(self) -> int:
        return len(self._species)

    @property
    def M(self) -> int:
        return len(self._reactions)

    @property
    def nu(self) -> np.ndarray:
        r"""Net stoichiometry :math:`\nu_{\ell i} = \nu^-_{\ell i} - \nu^+_{\ell i}`, shape (M, N)."""
        return self._nu

    @property
    def nu_plus(self) -> np.ndarray:
        """Reactant stoichiometry of the forward direction, shape (M, N)."""
        return self._nu_plus

    @property
    def nu_minus(self) -> np.ndarray:
        """Product stoichiometry of the forward direction, shape (M, N)."""
        return self._nu_minus

    @property
    def chemostat_plus(self) -> np.ndarray:
        """Stoichiometry of chemostatted species among the reactants, shape (M, C)."""
        return self._chem_plus

    @property
    def chemostat_minus(self) -> np.ndarray:
        """Stoichiometry of chemostatted species among the products, shape (M, C)."""
        return self._chem_minus

    @property
    def k_plus(self) -> np.ndarray:
        """Forward rate constants, shape (M,)."""
        return self._k_plus

    @property
    def k_minus(self) -> np.ndarray:
        """Backward rate constants, shape (M,); 0 for irreversible reactions."""
        return self._k_minus

    @property
    def effective_k_plus(self) -> np.ndarray:
        r"""Forward constants times the chemostat factor :math:`\prod_c a_c^{m^+_{\ell c}}`."""
        return self._keff_plus

    @property
    def effective_k_minus(self) -> np.ndarray:
        r"""Backward constants times the chemostat factor :math:`\prod_c a_c^{m^-_{\ell c}}`."""
        return self._keff_minus

    @property
    def reversible(self) -> np.ndarray:
        """Boolean mask, shape (M,): which reactions have a backward direction."""
        return self._reversible

    @property
    def is_mass_action(self) -> bool:
        """True when no reaction carries a general rate law."""
        return self._mass_action

    def species_index(self, name: str) -> int:
        """Position of species ``name`` in :attr:`species`."""
        if name not in self._species:
            raise ValueError(f"unknown species {name!r}; species are {list(self._species)}"
                             + (f" (chemostatted: {list(self._chemostats)})"
                                if self._chemostats else "") + ".")
        return self._species.index(name)

    def require_mass_action(self, what: str) -> None:
        """Raise a clear error when a mass-action-only computation meets a general rate law."""
        if not self._mass_action:
            raise ValueError(f"{what} needs mass-action kinetics; this network has reactions with "
                             "general rate laws (propensity callables).")

    def require_reversible(self, what: str) -> None:
        """Raise a clear error when a thermodynamic quantity meets an irreversible reaction."""
        bad = [l for l in range(self.M) if not self._reversible[l]]
        if bad:
            raise ValueError(
                f"{what} needs every reaction reversible (its log-ratio ln(R+/R-) is infinite "
                f"otherwise); irreversible: " + "; ".join(self._reactions[l].text() for l in bad))

    # -- rate laws ----------------------------------------------------------------------------
    def rates(self, x, V: float | None = None) -> RatePair:
        r"""Concentration-based rates :math:`R_{\pm\ell}(x)` (Ge–Qian assumption iii, Eq. 4).

        For mass action :math:`R_{\pm\ell}(x) = k_{\pm\ell}\prod_c a_c^{m^\pm_{\ell c}}
        \prod_i x_i^{\nu^\pm_{\ell i}}`, the :math:`V\to\infty` limit of
        :math:`r_{\pm\ell}(Vx)/V`. For general rate laws pass ``V``; the result is
        :math:`r_{\pm\ell}(Vx)/V` at that volume.

        Parameters
        ----------
        x : array_like, shape (..., N)
            Concentrations, non-negative.
        V : float, optional
            Volume, needed only for general rate laws.

        Returns
        -------
        RatePair
            ``plus`` and ``minus``, each of shape (..., M).
        """
        x = check_concentrations(x, self.N, "x")
        return _kinetics.rates(self, x, check_volume_for(self, V))

    def propensities(self, n, V: float) -> RatePair:
        r"""Mesoscopic rates :math:`r_{\pm\ell}(n)` in a vessel of volume ``V`` (Ge–Qian
        assumption iii, in Kurtz's mass-action convention).

        .. math::

            r_{\pm\ell}(n) = V k_{\pm\ell} \prod_c a_c^{m^\pm_{\ell c}}
                             \prod_i \frac{(n_i)_{\nu^\pm_{\ell i}}}{V^{\nu^\pm_{\ell i}}}

        Parameters
        ----------
        n : array_like of int, shape (N,) or (..., N)
            Copy numbers, non-negative integers.
        V : float
            Volume, > 0.

        Returns
        -------
        RatePair
            ``plus`` and ``minus``, each of shape (..., M), events per unit time.
        """
        V = check_volume(V)
        try:
            batch = np.ndim(n) > 1
        except ValueError:  # ragged: check_counts reports it
            batch = False
        arr = check_counts(n, self.N, "n", batch=batch)
        return _kinetics.propensities(self, arr, V)

    # -- conservation -------------------------------------------------------------------------
    def conservation_laws(self) -> np.ndarray:
        r"""An integer basis :math:`L` (K, N) of the conservation laws: :math:`\nu L^T = 0`.

        Each row :math:`L_k` gives a conserved total :math:`L_k \cdot n`. Computed in exact
        rational arithmetic (reduced row echelon form over :class:`fractions.Fraction`), then
        each basis vector is scaled to coprime integers with a positive leading entry.
        """
        return integer_null_space(self._nu)

    # -- display ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [r.text() for r in self._reactions]
        ch = f", chemostats={self._chemostats}" if self._chemostats else ""
        body = "\n    ".join(lines)
        return f"Network(species={list(self._species)}{ch},\n    {body}\n)"

    def _repr_html_(self) -> str:
        rows = []
        for l, r in enumerate(self._reactions):
            arrow = "&#8652;" if r.reversible else "&#8594;"
            km = "" if r.k_minus is None else f"{r.k_minus:g}"
            kp = "law" if r.propensity_plus is not None else f"{r.k_plus:g}"
            rows.append(
                f"<tr><td>{l + 1}</td><td style='text-align:right'>"
                f"{html.escape(complex_text(r.reactants))}</td><td>{arrow}</td>"
                f"<td style='text-align:left'>{html.escape(complex_text(r.products))}</td>"
                f"<td>{kp}</td><td>{km}</td></tr>")
        ch = ""
        if self._chemostats:
            ch = ("<p>Chemostatted: " + ", ".join(f"{html.escape(c)} = {a:g}"
                                                  for c, a in self._chemostats.items()) + "</p>")
        return ("<table><thead><tr><th>&#8467;</th><th>reactants</th><th></th><th>products</th>"
                "<th>k<sub>+</sub></th><th>k<sub>&minus;</sub></th></tr></thead><tbody>"
                + "".join(rows) + f"</tbody></table><p>Species: {html.escape(', '.join(self._species))}"
                f"</p>{ch}")


register_network_class(Network)
