r"""Kinetic-law mathematics: MathML trees read into plain tuples, a small interpreter, and the
expansion that recognises mass action.

libsbml parses the MathML of a kinetic law into an ``ASTNode`` tree. :func:`from_ast` turns it into
a tree of plain tuples (picklable, independent of libsbml) whose leaves are already resolved to
what each identifier means in the model:

``("num", value)``
    a literal number or a constant (``pi``, ``exponentiale``, ``true``, ``avogadro``);
``("param", id, value)``
    a parameter (a local parameter shadows a global one of the same id);
``("species", id, index, form)``
    a dynamical species; ``form`` is ``"amount"`` (its symbol means the amount :math:`n_i`, when
    ``hasOnlySubstanceUnits`` is true) or ``"conc"`` (the concentration :math:`n_i/V`);
``("fixed", id, a, form)``
    a species held fixed (boundary or constant, or changed by no reaction) at concentration
    :math:`a`: its symbol means :math:`a` or the amount :math:`aV`;
``("volume", id)``
    the compartment size :math:`V`;
``("apply", op, children)``
    an operator (``plus``, ``times``, ``power``, ``exp``, ``piecewise``, ``lt``, ...).

:func:`evaluate` interprets the tree on arrays of copy numbers ``n`` (shape ``(..., N)``) at volume
``V``: the kinetic law in substance per time (SBML Level 3 core, section 4.11.7), which the DSMTS
reads as the propensity of the reaction. No ``eval``/``exec``: every operator is a NumPy function
chosen from a fixed table.

:func:`expand` writes a tree as a sum of signed monomials
:math:`c \prod_i \prod_s (n_i - s)^{e_{is}}` when it is one (products of sums are distributed,
powers must be non-negative integers), so the reader can recognise mass action in its
concentration form :math:`V k \prod_i x_i^{\nu_i}` and its amount (falling-factorial) form
:math:`c \prod_i (n_i)_{\nu_i}`, and the writer can print any tree back as an SBML Level 3 formula
(:func:`to_formula`).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["SBMLError", "from_ast", "evaluate", "compile_tree", "expand", "to_formula",
           "names_in"]


class SBMLError(ValueError):
    """An SBML model that mesothermo cannot represent faithfully.

    The message names the SBML element and its id; both are also kept as ``element`` and
    ``sbml_id``.
    """

    def __init__(self, element: str, sbml_id: str | None, reason: str):
        self.element, self.sbml_id = element, sbml_id
        where = f"SBML {element}" + (f" {sbml_id!r}" if sbml_id else "")
        super().__init__(f"{where}: {reason}")


# ---------------------------------------------------------------------------------------------
# libsbml ASTNode -> tuples
# ---------------------------------------------------------------------------------------------
def _ast_tables():
    import libsbml as L

    ops = {
        L.AST_PLUS: "plus", L.AST_MINUS: "minus", L.AST_TIMES: "times", L.AST_DIVIDE: "divide",
        L.AST_POWER: "power", L.AST_FUNCTION_POWER: "power", L.AST_FUNCTION_ROOT: "root",
        L.AST_FUNCTION_ABS: "abs", L.AST_FUNCTION_EXP: "exp", L.AST_FUNCTION_LN: "ln",
        L.AST_FUNCTION_LOG: "log", L.AST_FUNCTION_FLOOR: "floor",
        L.AST_FUNCTION_CEILING: "ceiling", L.AST_FUNCTION_FACTORIAL: "factorial",
        L.AST_FUNCTION_PIECEWISE: "piecewise", L.AST_FUNCTION_MAX: "max",
        L.AST_FUNCTION_MIN: "min", L.AST_FUNCTION_QUOTIENT: "quotient",
        L.AST_FUNCTION_REM: "rem", L.AST_FUNCTION_SIN: "sin", L.AST_FUNCTION_COS: "cos",
        L.AST_FUNCTION_TAN: "tan", L.AST_FUNCTION_SINH: "sinh", L.AST_FUNCTION_COSH: "cosh",
        L.AST_FUNCTION_TANH: "tanh", L.AST_FUNCTION_ARCSIN: "arcsin",
        L.AST_FUNCTION_ARCCOS: "arccos", L.AST_FUNCTION_ARCTAN: "arctan",
        L.AST_RELATIONAL_EQ: "eq", L.AST_RELATIONAL_NEQ: "neq", L.AST_RELATIONAL_LT: "lt",
        L.AST_RELATIONAL_GT: "gt", L.AST_RELATIONAL_LEQ: "leq", L.AST_RELATIONAL_GEQ: "geq",
        L.AST_LOGICAL_AND: "and", L.AST_LOGICAL_OR: "or", L.AST_LOGICAL_NOT: "not",
        L.AST_LOGICAL_XOR: "xor",
    }
    consts = {L.AST_CONSTANT_E: math.e, L.AST_CONSTANT_PI: math.pi, L.AST_CONSTANT_TRUE: 1.0,
              L.AST_CONSTANT_FALSE: 0.0, L.AST_NAME_AVOGADRO: 6.02214076e23}
    numbers = {L.AST_INTEGER, L.AST_REAL, L.AST_REAL_E, L.AST_RATIONAL}
    return L, ops, consts, numbers


def from_ast(node, resolve: Callable[[str], tuple], element: str, sbml_id: str) -> tuple:
    """The tuple tree of a libsbml ``ASTNode``; ``resolve(name)`` gives the leaf of an identifier.

    Raises :class:`SBMLError` naming ``element`` and ``sbml_id`` for what a time-independent rate
    law of copy numbers cannot hold: ``time``, ``delay``, ``rateOf``, unknown functions.
    """
    L, ops, consts, numbers = _ast_tables()

    def walk(a) -> tuple:
        t = a.getType()
        if t in numbers:
            return ("num", float(a.getValue()))
        if t in consts:
            return ("num", consts[t])
        if t == L.AST_NAME:
            return resolve(a.getName())
        if t == L.AST_NAME_TIME:
            raise SBMLError(element, sbml_id, "uses the csymbol 'time'; a rate law r(n, V) "
                            "cannot depend on time explicitly.")
        if t == L.AST_FUNCTION_DELAY:
            raise SBMLError(element, sbml_id, "uses 'delay'; delayed kinetics are not a "
                            "Markov jump process and cannot be represented.")
        if t == L.AST_FUNCTION_RATE_OF:
            raise SBMLError(element, sbml_id, "uses 'rateOf', which cannot be represented.")
        if t == L.AST_FUNCTION:
            raise SBMLError(element, sbml_id, f"calls the unknown function {a.getName()!r} "
                            "(no functionDefinition of that id).")
        if t not in ops:
            raise SBMLError(element, sbml_id, f"uses the MathML element {a.getName()!r} "
                            f"(libsbml type {t}), which the rate-law interpreter does not know.")
        kids = tuple(walk(a.getChild(i)) for i in range(a.getNumChildren()))
        op = ops[t]
        if op == "log" and len(kids) == 1:  # MathML <log/> without <logbase> is base 10
            kids = (("num", 10.0),) + kids
        if op == "root" and len(kids) == 1:
            kids = (("num", 2.0),) + kids
        return ("apply", op, kids)

    return walk(node)


def names_in(tree: tuple) -> set[str]:
    """Identifiers of parameters, species and compartments in ``tree``."""
    if tree[0] == "apply":
        return set().union(*(names_in(k) for k in tree[2])) if tree[2] else set()
    if tree[0] == "num":
        return set()
    return {tree[1]}


# ---------------------------------------------------------------------------------------------
# The interpreter
# ---------------------------------------------------------------------------------------------
def _fold(f):
    def g(*a):
        out = a[0]
        for b in a[1:]:
            out = f(out, b)
        return out
    return g


def _minus(*a):
    return -a[0] if len(a) == 1 else a[0] - a[1]


def _piecewise(*a):
    otherwise = a[-1] if len(a) % 2 else np.nan
    out = otherwise
    for k in range(len(a) - 2 - len(a) % 2, -1, -2):  # first true condition wins
        out = np.where(np.asarray(a[k + 1], bool), a[k], out)
    return out


def _factorial(x):
    from scipy.special import gamma

    return gamma(np.asarray(x, float) + 1.0)


_ADD, _MULTIPLY = _fold(np.add), _fold(np.multiply)
_OPS: dict[str, Callable] = {
    "plus": lambda *a: _ADD(*a) if a else 0.0,
    "times": lambda *a: _MULTIPLY(*a) if a else 1.0,
    "minus": _minus, "divide": np.divide, "power": np.power,
    "root": lambda k, x: np.power(x, 1.0 / np.asarray(k, float)),
    "abs": np.abs, "exp": np.exp, "ln": np.log,
    "log": lambda b, x: np.log(x) / np.log(b),
    "floor": np.floor, "ceiling": np.ceil, "factorial": _factorial, "piecewise": _piecewise,
    "max": _fold(np.maximum), "min": _fold(np.minimum),
    "quotient": lambda a, b: np.trunc(np.divide(a, b)), "rem": np.fmod,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
    "eq": np.equal, "neq": np.not_equal, "lt": np.less, "gt": np.greater,
    "leq": np.less_equal, "geq": np.greater_equal,
    "and": lambda *a: _fold(np.logical_and)(*a) if a else True,
    "or": lambda *a: _fold(np.logical_or)(*a) if a else False,
    "not": np.logical_not, "xor": lambda *a: _fold(np.logical_xor)(*a) if a else False,
}


def evaluate(tree: tuple, n: np.ndarray, V: float):
    """Value of ``tree`` at copy numbers ``n`` (shape ``(..., N)``) in volume ``V``.

    IEEE arithmetic throughout (a division by zero gives inf or nan, never a warning); the
    caller decides what a non-finite rate means. A law evaluated many times (the SSA calls it
    once per event) is better compiled once by :func:`compile_tree`.
    """
    return compile_tree(tree)(n, V)


def compile_tree(tree: tuple) -> Callable[[np.ndarray, float], object]:
    """``tree`` as a function ``f(n, V)`` with the value :func:`evaluate` gives.

    The tree is walked once, into nested closures over the same NumPy operators in the same
    order (so the values are identical, bit for bit); calling ``f`` then costs the operators
    only, not the dispatch on each node's kind.
    """
    body = _closure(tree)

    def law(n, V):
        with np.errstate(divide="ignore", invalid="ignore"):
            return body(n, V)

    return law


def _closure(tree: tuple):
    kind = tree[0]
    if kind in ("num", "param"):
        value = tree[1] if kind == "num" else tree[2]
        return lambda n, V: value
    if kind == "species":
        i = tree[2]
        if tree[3] == "amount":
            return lambda n, V: n[..., i]
        return lambda n, V: n[..., i] / V
    if kind == "fixed":
        a = tree[2]
        return (lambda n, V: a * V) if tree[3] == "amount" else (lambda n, V: a)
    if kind == "volume":
        return lambda n, V: V
    op = _OPS[tree[1]]
    kids = [_closure(k) for k in tree[2]]
    if len(kids) == 1:
        (k0,) = kids
        return lambda n, V: op(k0(n, V))
    if len(kids) == 2:
        k0, k1 = kids
        return lambda n, V: op(k0(n, V), k1(n, V))
    return lambda n, V: op(*[k(n, V) for k in kids])


# ---------------------------------------------------------------------------------------------
# Expansion into signed monomials
# ---------------------------------------------------------------------------------------------
# A monomial is (coefficient, factors) with factors a sorted tuple of ((i, shift), exponent):
# coefficient * prod (n_i - shift) ** exponent, in copy numbers at the model's volume V0.
Monomial = tuple[float, tuple]


def _mul(a: Monomial, b: Monomial) -> Monomial:
    f = dict(a[1])
    for key, e in b[1]:
        f[key] = f.get(key, 0) + e
    return (a[0] * b[0], tuple(sorted(f.items())))


def _collect(terms: list[Monomial]) -> list[Monomial]:
    out: dict[tuple, float] = {}
    for c, f in terms:
        out[f] = out.get(f, 0.0) + c
    return [(c, f) for f, c in out.items() if c != 0.0]


def _const(terms) -> float | None:
    if not terms:
        return 0.0
    if len(terms) == 1 and not terms[0][1]:
        return terms[0][0]
    return None


def _as_shift(terms: list[Monomial]) -> list[Monomial]:
    """a n_i + b  ->  a (n_i - s) with s = -b/a, when s is a positive integer (a falling
    factorial's factor); otherwise the terms unchanged."""
    if len(terms) != 2:
        return terms
    lin = [t for t in terms if t[1] and len(t[1]) == 1 and t[1][0][1] == 1 and t[1][0][0][1] == 0]
    cst = [t for t in terms if not t[1]]
    if len(lin) != 1 or len(cst) != 1:
        return terms
    a, ((i, _), _) = lin[0][0], lin[0][1][0]
    s = -cst[0][0] / a
    if s > 0 and abs(s - round(s)) <= 1e-12 * max(1.0, s):
        return [(a, (((i, float(round(s))), 1),))]
    return terms


def expand(tree: tuple, V0: float, shifts: bool = True) -> list[Monomial] | None:
    r"""``tree`` as a list of monomials :math:`c\prod (n_i - s)^{e}` at volume ``V0``, or None.

    Species in concentration form contribute :math:`n_i/V_0`; a factor :math:`a n_i + b` inside a
    product becomes :math:`a (n_i - s)` when :math:`s = -b/a` is a positive integer (and
    ``shifts``), so that ``P*(P-1)/2`` reads as half the falling factorial :math:`(n_P)_2`.
    """
    kind = tree[0]
    if kind in ("num", "param"):
        return [(tree[-1] if kind == "num" else tree[2], ())]
    if kind == "fixed":
        return [(tree[2] * V0 if tree[3] == "amount" else tree[2], ())]
    if kind == "volume":
        return [(V0, ())]
    if kind == "species":
        return [(1.0 if tree[3] == "amount" else 1.0 / V0, (((tree[2], 0.0), 1),))]
    op, kids = tree[1], tree[2]
    parts = [expand(k, V0, shifts) for k in kids]
    shift = _as_shift if shifts else (lambda terms: terms)
    if any(p is None for p in parts):
        return None
    if op == "plus":
        return _collect([t for p in parts for t in p])
    if op == "minus":
        if len(parts) == 1:
            return [(-c, f) for c, f in parts[0]]
        return _collect(parts[0] + [(-c, f) for c, f in parts[1]])
    if op == "times":
        out = [(1.0, ())]
        for p in parts:
            out = _collect([_mul(a, b) for a in out for b in shift(p)])
        return out
    if op == "divide":
        d = _const(parts[1])
        if d is None or d == 0.0:
            return None
        return [(c / d, f) for c, f in shift(parts[0])]
    if op == "power":
        e = _const(parts[1])
        if e is None or e < 0 or e != int(e) or e > 16:
            return None
        base = shift(parts[0])
        if len(base) == 1:
            c, f = base[0]
            return [(c ** int(e), tuple((k, m * int(e)) for k, m in f))]
        out = [(1.0, ())]
        for _ in range(int(e)):
            out = _collect([_mul(a, b) for a in out for b in base])
        return out
    return None


# ---------------------------------------------------------------------------------------------
# Back to an SBML Level 3 formula
# ---------------------------------------------------------------------------------------------
_INFIX = {"plus": "+", "minus": "-", "times": "*", "divide": "/", "power": "^",
          "eq": "==", "neq": "!=", "lt": "<", "gt": ">", "leq": "<=", "geq": ">=",
          "and": "&&", "or": "||"}
_FUNCS = {"ceiling": "ceil", "arcsin": "asin", "arccos": "acos", "arctan": "atan"}


def _num(v: float) -> str:
    return repr(float(v)) if math.isfinite(v) else ("INF" if v > 0 else "-INF" if v < 0 else "NaN")


def to_formula(tree: tuple, leaf: Callable[[tuple], str]) -> str:
    """An SBML Level 3 infix formula of ``tree``; ``leaf(node)`` prints identifiers."""
    kind = tree[0]
    if kind == "num":
        return _num(tree[1])
    if kind != "apply":
        return leaf(tree)
    op, kids = tree[1], [to_formula(k, leaf) for k in tree[2]]
    if op == "minus" and len(kids) == 1:
        return f"(-{kids[0]})"
    if op == "not":
        return f"(!{kids[0]})"
    if op in _INFIX and len(kids) >= 2:
        return "(" + f" {_INFIX[op]} ".join(kids) + ")"
    if op in ("plus", "times", "and", "or") and len(kids) <= 1:
        unit = {"plus": "0", "times": "1", "and": "true", "or": "false"}[op]
        return kids[0] if kids else unit
    return f"{_FUNCS.get(op, op)}({', '.join(kids)})"
