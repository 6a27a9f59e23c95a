"""One reaction: its complexes, rate constants or rate laws, and its text form and parser.

One job: the :class:`Reaction` record and the reaction text format of
:meth:`mesothermo.Network.from_string` (``2 A + B <=> C ; k+, k-``), parsed by a small scanner
that reports the line and column of what it expected (:class:`ReactionSyntaxError`). No
``eval``: names, integers and numbers are matched by regular expressions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

__all__ = ["RateLaw", "Reaction", "ReactionSyntaxError", "complex_text", "parse_line",
           "is_species_name", "as_reaction"]

RateLaw = Callable[[np.ndarray, float], np.ndarray]


class ReactionSyntaxError(ValueError):
    """A reaction text that does not parse; the message names the line and column."""


@dataclass(frozen=True)
class Reaction:
    """One reaction, possibly reversible.

    Parameters
    ----------
    reactants, products : mapping of species name to positive integer coefficient
        ``{}`` is the empty complex ``0``.
    k_plus : float
        Forward rate constant, finite and >= 0.
    k_minus : float or None
        Backward rate constant; ``None`` makes the reaction irreversible.
    propensity_plus, propensity_minus : callable, optional
        General rate laws ``r(n, V)`` (Ge–Qian assumption i allows any non-negative function of
        ``n``). ``n`` has shape (..., N) in the network's species order, and the callable returns
        an array of shape (...,). When given they replace mass action for that direction, and
        ``k_plus``/``k_minus`` only label the reaction.
    """

    reactants: Mapping[str, int]
    products: Mapping[str, int]
    k_plus: float
    k_minus: float | None = None
    propensity_plus: RateLaw | None = field(default=None, compare=False)
    propensity_minus: RateLaw | None = field(default=None, compare=False)

    @property
    def reversible(self) -> bool:
        return self.k_minus is not None or self.propensity_minus is not None

    def text(self) -> str:
        """The reaction in the book's text format, e.g. ``2 A <=> A2 ; 1, 0.5``."""
        arrow = "<=>" if self.reversible else "->"
        consts = _fmt(self.k_plus) + (f", {_fmt(self.k_minus)}" if self.k_minus is not None else "")
        return f"{complex_text(self.reactants)} {arrow} {complex_text(self.products)} ; {consts}"


def _fmt(v) -> str:
    return "law" if v is None else f"{v:g}"


def complex_text(c: Mapping[str, int]) -> str:
    if not c:
        return "0"
    return " + ".join(name if m == 1 else f"{m} {name}" for name, m in c.items())


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class _LineScanner:
    """A cursor over one line of reaction text that reports errors by line and column."""

    def __init__(self, text: str, lineno: int):
        self.text, self.lineno, self.pos = text, lineno, 0

    def error(self, expected: str, pos: int | None = None) -> ReactionSyntaxError:
        pos = self.pos if pos is None else pos
        rest = self.text[pos:].strip()
        found = f"found {rest[:12]!r}" if rest else "found end of line"
        return ReactionSyntaxError(
            f"line {self.lineno}, column {pos + 1}: expected {expected}; {found}\n"
            f"    {self.text}\n    {' ' * pos}^"
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def match(self, pattern: re.Pattern) -> str | None:
        self.skip_space()
        m = pattern.match(self.text, self.pos)
        if m is None:
            return None
        self.pos = m.end()
        return m.group(0)

    def literal(self, *options: str) -> str | None:
        self.skip_space()
        for opt in options:
            if self.text.startswith(opt, self.pos):
                self.pos += len(opt)
                return opt
        return None

    def complex(self) -> dict[str, int]:
        """complex := '0' | term ('+' term)* ; term := [integer] name."""
        self.skip_space()
        start = self.pos
        coeff = self.match(_INT)
        if coeff is not None:
            name = self.match(_NAME)
            if name is None:
                if coeff == "0":
                    return {}
                raise self.error("a species name after the coefficient")
            return self._more_terms({name: int(coeff)}, start, coeff)
        name = self.match(_NAME)
        if name is None:
            raise self.error("a species name, a coefficient or '0' (the empty complex)")
        return self._more_terms({name: 1}, start, None)

    def _more_terms(self, terms: dict[str, int], start: int, coeff) -> dict[str, int]:
        if coeff is not None and int(coeff) == 0:
            raise self.error("a positive stoichiometric coefficient", start)
        while self.literal("+") is not None:
            self.skip_space()
            cstart = self.pos
            c = self.match(_INT)
            name = self.match(_NAME)
            if name is None:
                raise self.error("a species name after '+'")
            m = 1 if c is None else int(c)
            if m == 0:
                raise self.error("a positive stoichiometric coefficient", cstart)
            terms[name] = terms.get(name, 0) + m
        return terms

    def constant(self) -> float:
        self.skip_space()
        start = self.pos
        tok = self.match(_NUMBER)
        if tok is None:
            raise self.error("a rate constant (a number)")
        value = float(tok)
        if not math.isfinite(value) or value < 0:
            raise self.error("a finite rate constant >= 0", start)
        return value


def parse_line(line: str, lineno: int) -> Reaction | None:
    code = line.split("#", 1)[0].rstrip()
    if not code.strip():
        return None
    s = _LineScanner(code, lineno)
    reactants = s.complex()
    arrow = s.literal("<=>", "->")
    if arrow is None:
        raise s.error("'->' or '<=>'")
    products = s.complex()
    if s.literal(";") is None:
        raise s.error("';' followed by the rate constant(s)")
    k_plus = s.constant()
    k_minus = None
    if s.literal(",") is not None:
        if arrow == "->":
            raise s.error("end of line: an irreversible reaction '->' takes one rate constant",
                          s.pos - 1)
        k_minus = s.constant()
    elif arrow == "<=>":
        raise s.error("',' and the backward constant: a reversible reaction takes k+, k-")
    if not s.at_end():
        raise s.error("end of line")
    return Reaction(reactants, products, k_plus, k_minus)


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


def is_species_name(name) -> bool:
    """Whether ``name`` is a valid species name (a letter or underscore, then word characters)."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def as_reaction(r, i: int) -> Reaction:
    """``reactions[i]`` (a :class:`Reaction` or a dict of its fields) checked and normalised."""
    if isinstance(r, Mapping):
        unknown = set(r) - {"reactants", "products", "k_plus", "k_minus", "propensity_plus",
                            "propensity_minus"}
        if unknown:
            raise ValueError(f"`reactions[{i}]` has unknown keys {sorted(unknown)}.")
        r = Reaction(r.get("reactants", {}), r.get("products", {}), r.get("k_plus", 0.0),
                     r.get("k_minus"), r.get("propensity_plus"), r.get("propensity_minus"))
    if not isinstance(r, Reaction):
        raise TypeError(f"`reactions[{i}]` must be a Reaction or a dict; got "
                        f"{type(r).__name__}.")
    for side in ("reactants", "products"):
        comp = getattr(r, side)
        if not isinstance(comp, Mapping):
            raise TypeError(f"`reactions[{i}].{side}` must map species names to integers.")
        for name, m in comp.items():
            if not is_species_name(name):
                raise ValueError(f"`reactions[{i}].{side}` has an invalid species name "
                                 f"{name!r}.")
            if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m <= 0:
                raise ValueError(f"`reactions[{i}].{side}[{name!r}]` must be a positive "
                                 f"integer; got {m!r}.")
    for kname in ("k_plus", "k_minus"):
        k = getattr(r, kname)
        if k is None and kname == "k_minus":
            continue
        if isinstance(k, bool) or not isinstance(k, (int, float, np.floating, np.integer)):
            raise TypeError(f"`reactions[{i}].{kname}` must be a number; got {k!r}.")
        if not math.isfinite(k) or k < 0:
            raise ValueError(f"`reactions[{i}].{kname}` must be finite and >= 0; got {k}.")
    for pname in ("propensity_plus", "propensity_minus"):
        f = getattr(r, pname)
        if f is not None and not callable(f):
            raise TypeError(f"`reactions[{i}].{pname}` must be callable r(n, V).")
    return Reaction(dict(r.reactants), dict(r.products), float(r.k_plus),
                    None if r.k_minus is None else float(r.k_minus),
                    r.propensity_plus, r.propensity_minus)
