"""Drawing the complex graph of a reaction network (chapter 06).

One panel per network: each linkage class laid out on its own (two complexes on a line, more on
a circle, classes side by side), complexes as labelled boxes coloured by strong linkage class
(terminal strong linkage classes drawn with a thick border), and every reaction direction as an
arrow; the two directions of a reversible reaction are two arcs bent apart. Layouts are
deterministic (no random seed), so a rebuilt book draws the same picture.

Examples
--------
>>> import mesothermo as mt
>>> from mesothermo import crnt, plotting
>>> from mesothermo.plotting.complex_graph import draw_complex_graph
>>> fig, ax = plotting.subplots()
>>> pos = draw_complex_graph(crnt.complex_graph(mt.models.unimolecular_cycle()), ax)
>>> sorted(pos)
[0, 1, 2]
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from . import COLORS

__all__ = ["complex_graph_layout", "draw_complex_graph"]


def complex_graph_layout(g, gap: float = 0.6) -> dict[int, np.ndarray]:
    """Positions of the complexes: each linkage class on its own, classes left to right.

    Parameters
    ----------
    g : mesothermo.crnt.ComplexGraph
    gap : float
        Horizontal space between neighbouring classes (a class is about 2 units wide).

    Returns
    -------
    dict of int to ndarray of shape (2,)
    """
    pos: dict[int, np.ndarray] = {}
    x0 = 0.0
    for lc in g.linkage_classes:
        nodes = list(lc)
        n = len(nodes)
        if n == 1:
            local = {nodes[0]: np.array([0.0, 0.0])}
        elif n == 2:
            local = {nodes[0]: np.array([-1.0, 0.0]), nodes[1]: np.array([1.0, 0.0])}
        else:
            # follow the graph round the circle where it is a chain or a cycle
            sub = g.graph.subgraph(nodes).to_undirected()
            order = nodes
            if max(d for _, d in sub.degree()) <= 2:
                ends = [v for v, d in sub.degree() if d == 1]
                start = ends[0] if ends else nodes[0]
                order = list(nx.dfs_preorder_nodes(sub, start))
            angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
            local = {v: np.array([np.cos(a), np.sin(a)]) for v, a in zip(order, angles)}
        xs = np.array([p[0] for p in local.values()])
        shift = x0 - xs.min()
        for v, p in local.items():
            pos[v] = p + np.array([shift, 0.0])
        x0 = shift + xs.max() + gap + 1.0
    return pos


def draw_complex_graph(g, ax, fontsize: float = 10.0, rad: float = 0.18) -> dict[int, np.ndarray]:
    """Draw the complex graph ``g`` into ``ax`` (axes hidden, aspect equal).

    Parameters
    ----------
    g : mesothermo.crnt.ComplexGraph
        From :func:`mesothermo.crnt.complex_graph`.
    ax : matplotlib.axes.Axes
    fontsize : float
        Size of the complex labels, points (10 pt stays legible at a 400 px phone width).
    rad : float
        Curvature of the arcs of reversible reactions (matplotlib ``arc3`` radius).

    Returns
    -------
    dict of int to ndarray
        The positions used (:func:`complex_graph_layout`).
    """
    pos = complex_graph_layout(g)
    G = g.graph
    slc_of = {v: k for k, slc in enumerate(g.strong_linkage_classes) for v in slc}
    terminal = {v for t in g.terminal_strong_linkage_classes for v in t}
    pairs = {(a, b) for a, b in G.edges() if a != b}
    two_way = [(a, b) for a, b in pairs if (b, a) in pairs]
    one_way = [(a, b) for a, b in pairs if (b, a) not in pairs]
    common = dict(ax=ax, arrows=True, arrowstyle="-|>", arrowsize=12, width=1.2,
                  edge_color="0.25", node_size=1500, min_source_margin=6, min_target_margin=6)
    nx.draw_networkx_edges(G, pos, edgelist=one_way, **common)
    nx.draw_networkx_edges(G, pos, edgelist=two_way, connectionstyle=f"arc3,rad={rad}",
                           **common)
    for v, (x, y) in pos.items():
        colour = COLORS[slc_of[v] % 6]
        ax.text(x, y, g.labels[v], ha="center", va="center", fontsize=fontsize, zorder=3,
                bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=colour,
                          lw=2.6 if v in terminal else 1.2))
    xy = np.array(list(pos.values()))
    ax.set_xlim(xy[:, 0].min() - 0.7, xy[:, 0].max() + 0.7)
    ax.set_ylim(xy[:, 1].min() - 0.6, xy[:, 1].max() + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return pos
