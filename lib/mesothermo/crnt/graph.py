r"""The complex graph of a reaction network: complexes, linkage classes, deficiency.

Horn and Jackson (1972) and Feinberg (1972, 1979) read a network as a directed graph whose
nodes are the *complexes* (the two sides of every reaction, as vectors
:math:`y \in \mathbb{Z}_{\ge 0}^N` of the dynamical species) and whose edges are the reactions;
a reversible reaction is two edges. Chemostatted species are constants: they are left out of the
complexes and folded into the effective rate constants (as Catalyst's ``network_analysis.jl``
treats constant species), so :math:`A + 2X \to 3X` with buffered A has complexes 2X and 3X.

- *Linkage classes*: the connected components of the graph with directions ignored (:math:`\ell`
  of them).
- *Strong linkage classes*: its strongly connected components; *terminal* ones have no edge
  leaving them (the sinks of the condensation).
- *Weak reversibility*: every edge lies on a directed cycle, i.e. every linkage class is
  strongly connected.
- :math:`s = \operatorname{rank}\nu`, the dimension of the stoichiometric subspace
  :math:`S = \operatorname{span}\{y' - y\}`, computed exactly.
- The *deficiency* :math:`\delta = c - \ell - s \ge 0` (Feinberg 1979, Lecture 4).

The deficiency-zero theorem (Horn 1972; Feinberg 1972, 1987): a weakly reversible network of
deficiency zero is complex balanced for every choice of positive rate constants, with exactly one
positive steady state in each stoichiometric compatibility class, and that state is complex
balanced (:func:`mesothermo.crnt.complex_balance_test`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from .._validation import check_network
from .._linalg import exact_rank

__all__ = ["ComplexGraph", "complex_graph", "complexes", "linkage_classes",
           "strong_linkage_classes", "terminal_strong_linkage_classes", "deficiency",
           "is_weakly_reversible", "deficiency_zero_applies"]


def _label(y: np.ndarray, species: tuple[str, ...]) -> str:
    terms = [name if m == 1 else f"{m}{name}" for name, m in zip(species, y) if m]
    return " + ".join(terms) if terms else "0"


@dataclass(frozen=True, eq=False)
class ComplexGraph:
    """The complex graph of a network and its structural numbers (:func:`complex_graph`).

    Attributes
    ----------
    species : tuple of str
        The dynamical species (chemostats excluded), the columns of :attr:`complexes`.
    complexes : ndarray of int, shape (c, N)
        Complex vectors :math:`y`, in order of first appearance (reactant side, then product
        side, reaction by reaction).
    labels : tuple of str
        Each complex as text, ``"0"`` for the empty complex (e.g. ``"A + 2B"``).
    edges : ndarray of int, shape (E, 2)
        (source, target) complex indices; a reversible reaction gives two edges.
    edge_reaction : ndarray of int, shape (E,)
        The reaction each edge comes from.
    edge_direction : ndarray of int, shape (E,)
        +1 for the forward direction (rate :math:`R_{+\\ell}`), -1 for the backward one.
    incidence : ndarray of int, shape (c, E)
        -1 at the source and +1 at the target of each edge (0 for a loop).
    linkage_classes, strong_linkage_classes, terminal_strong_linkage_classes : tuple of tuple of int
        Complex indices of each class, each sorted; classes ordered by their smallest index.
    s : int
        Rank of the stoichiometric subspace, exact.
    deficiency : int
        :math:`\\delta = c - \\ell - s`.
    weakly_reversible : bool
        Every linkage class strongly connected.
    graph : networkx.DiGraph
        Nodes 0..c-1 (attribute ``label``), one edge per distinct (source, target) pair with
        attribute ``edges`` (the edge indices it carries). Not for mutation.
    """

    species: tuple[str, ...]
    complexes: np.ndarray
    labels: tuple[str, ...]
    edges: np.ndarray
    edge_reaction: np.ndarray
    edge_direction: np.ndarray
    incidence: np.ndarray
    linkage_classes: tuple[tuple[int, ...], ...]
    strong_linkage_classes: tuple[tuple[int, ...], ...]
    terminal_strong_linkage_classes: tuple[tuple[int, ...], ...]
    s: int
    deficiency: int
    weakly_reversible: bool
    graph: Any = field(repr=False)

    @property
    def c(self) -> int:
        """Number of complexes."""
        return self.complexes.shape[0]

    @property
    def l(self) -> int:  # noqa: E743 - the standard symbol
        """Number of linkage classes."""
        return len(self.linkage_classes)

    @property
    def t(self) -> int:
        """Number of terminal strong linkage classes."""
        return len(self.terminal_strong_linkage_classes)

    def __repr__(self) -> str:
        return (f"ComplexGraph(c={self.c}, l={self.l}, s={self.s}, deficiency={self.deficiency}, "
                f"weakly_reversible={self.weakly_reversible}, complexes={list(self.labels)})")


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _classes(components) -> tuple[tuple[int, ...], ...]:
    return tuple(sorted((tuple(sorted(c)) for c in components), key=lambda c: c[0]))


def _build(net) -> ComplexGraph:
    nu_p, nu_m = np.asarray(net.nu_plus), np.asarray(net.nu_minus)
    index: dict[tuple[int, ...], int] = {}
    order: list[tuple[int, ...]] = []

    def node(y) -> int:
        key = tuple(int(v) for v in y)
        if key not in index:
            index[key] = len(order)
            order.append(key)
        return index[key]

    src, tgt, rxn, dirn = [], [], [], []
    for l in range(net.M):
        a, b = node(nu_p[l]), node(nu_m[l])
        src.append(a), tgt.append(b), rxn.append(l), dirn.append(1)
        if net.reversible[l]:
            src.append(b), tgt.append(a), rxn.append(l), dirn.append(-1)
    Y = np.array(order, dtype=np.int64).reshape(len(order), net.N)
    species = tuple(net.species)
    labels = tuple(_label(y, species) for y in Y)
    E = len(src)
    edges = np.column_stack([src, tgt]).astype(np.int64).reshape(E, 2)
    inc = np.zeros((len(order), E), np.int64)
    for e, (a, b) in enumerate(edges):
        inc[a, e] -= 1
        inc[b, e] += 1
    G = nx.DiGraph()
    G.add_nodes_from((i, {"label": lab}) for i, lab in enumerate(labels))
    for e, (a, b) in enumerate(edges.tolist()):
        if G.has_edge(a, b):
            G[a][b]["edges"].append(e)
        else:
            G.add_edge(a, b, edges=[e])
    lcs = _classes(nx.weakly_connected_components(G))
    slcs = _classes(nx.strongly_connected_components(G))
    cond = nx.condensation(G, scc=[set(c) for c in slcs])
    terminal = _classes(cond.nodes[k]["members"] for k in cond.nodes if cond.out_degree(k) == 0)
    s = exact_rank(np.asarray(net.nu))
    return ComplexGraph(species, _ro(Y), labels, _ro(edges), _ro(np.array(rxn, np.int64)),
                        _ro(np.array(dirn, np.int64)), _ro(inc), lcs, slcs, terminal, s,
                        len(order) - len(lcs) - s, len(slcs) == len(lcs), nx.freeze(G))


_CACHE: "weakref.WeakKeyDictionary[Any, ComplexGraph]" = weakref.WeakKeyDictionary()


def complex_graph(net) -> ComplexGraph:
    r"""The complex graph of ``net`` with its linkage classes, rank and deficiency.

    Computed once per network object (networks are immutable) and cached.

    Parameters
    ----------
    net : Network
        Any rate law: the graph depends only on the stoichiometry.

    Returns
    -------
    ComplexGraph

    Examples
    --------
    >>> import mesothermo as mt
    >>> from mesothermo import crnt
    >>> g = crnt.complex_graph(mt.Network.from_string(
    ...     "A <=> 2 A ; 1, 1\nA + B <=> C ; 1, 1\nC <=> B ; 1, 1"))   # Edelstein
    >>> g.c, g.l, g.s, g.deficiency, g.weakly_reversible
    (5, 2, 2, 1, True)
    """
    net = check_network(net)
    try:
        return _CACHE[net]
    except KeyError:
        g = _CACHE[net] = _build(net)
        return g


def complexes(net) -> np.ndarray:
    """The complex vectors of ``net``, shape (c, N) (:attr:`ComplexGraph.complexes`)."""
    return complex_graph(net).complexes


def linkage_classes(net) -> tuple[tuple[int, ...], ...]:
    """Complex indices of each linkage class (connected component, directions ignored)."""
    return complex_graph(net).linkage_classes


def strong_linkage_classes(net) -> tuple[tuple[int, ...], ...]:
    """Complex indices of each strong linkage class (strongly connected component)."""
    return complex_graph(net).strong_linkage_classes


def terminal_strong_linkage_classes(net) -> tuple[tuple[int, ...], ...]:
    """Strong linkage classes with no edge leaving them."""
    return complex_graph(net).terminal_strong_linkage_classes


def deficiency(net) -> int:
    r"""The deficiency :math:`\delta = c - \ell - s` (Feinberg 1979)."""
    return complex_graph(net).deficiency


def is_weakly_reversible(net) -> bool:
    """Whether every linkage class is strongly connected."""
    return complex_graph(net).weakly_reversible


def deficiency_zero_applies(net) -> bool:
    r"""Whether the deficiency-zero theorem applies: weakly reversible and :math:`\delta = 0`.

    Then, for mass action and *every* choice of positive rate constants, each positive
    stoichiometric compatibility class holds exactly one positive steady state, it is complex
    balanced, and Ge–Qian Eq. 10 is the rate function there (Horn 1972; Feinberg 1987,
    Theorem 6.1.1; Anderson, Craciun and Kurtz 2010).
    """
    g = complex_graph(net)
    return g.weakly_reversible and g.deficiency == 0
