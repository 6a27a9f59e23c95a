"""Small tables for the chapters: formatted numbers, padded cells, no empty index row.

A chapter shows a result as a table when it has a few rows of a few numbers. :func:`table`
formats each column as the reader wants it (a format string per column), pads the cells so
that neighbouring numbers never run together, and hides the index, so no empty header row
appears above the data. :func:`network_table` is the table of one reaction network: its
reactions, rate constants and net changes, with the conservation laws and chemostats in the
caption.

Both return a :class:`pandas.io.formats.style.Styler`, which Jupyter and the HTML book show
as an HTML table (its padding travels with it as a scoped ``<style>``).

Examples
--------
>>> from mesothermo.plotting.tables import table
>>> html = table([("a", 0.25), ("b", 2.95)], ["name", "value"],
...              formats={"value": "{:.2f}"}).to_html()
>>> "0.25" in html and "2.95" in html
True
"""

from __future__ import annotations

import hashlib
import html as _html
from collections.abc import Mapping, Sequence

from .._validation import check_network

__all__ = ["table", "network_table", "CELL_PADDING"]

#: CSS padding of every cell (vertical, horizontal).
CELL_PADDING: str = "0.25em 0.75em"


def _styled(frame, formats: Mapping[str, str] | None, caption: str | None):
    for name, fmt in (formats or {}).items():
        if name not in frame.columns:
            raise ValueError(f"`formats` names the column {name!r}, which the table does not "
                             f"have; columns are {list(frame.columns)}.")
        if not isinstance(fmt, str):
            raise TypeError(f"`formats[{name!r}]` must be a format string such as '{{:.3f}}'; "
                            f"got {type(fmt).__name__}.")
    # a uuid from the content, so that executing the notebook twice gives the same HTML
    digest = hashlib.sha1((frame.to_csv() + str(caption) + repr(formats)).encode()).hexdigest()
    styler = frame.style.hide(axis="index")
    styler.set_uuid(digest[:10])
    if formats:
        styler = styler.format({k: (lambda v, f=f: v if isinstance(v, str) else f.format(v))
                                for k, f in formats.items()})
    styler = styler.set_table_styles([
        {"selector": "th, td", "props": f"padding: {CELL_PADDING}; text-align: right;"},
        {"selector": "th", "props": "font-weight: 600; border-bottom: 1px solid #999;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; "
                                         "padding-bottom: 0.4em;"},
        {"selector": "", "props": "border-collapse: collapse; margin-bottom: 1em;"},
    ])
    if caption is not None:
        styler = styler.set_caption(caption)
    return styler


def table(rows: Sequence[Sequence] | Mapping[str, Sequence], columns: Sequence[str] | None = None,
          formats: Mapping[str, str] | None = None, caption: str | None = None):
    """A small formatted table.

    Parameters
    ----------
    rows : sequence of rows, or mapping of column name to a sequence of values
        The cells, row by row (then give ``columns``), or column by column.
    columns : sequence of str, optional
        Column names when ``rows`` is a sequence of rows.
    formats : mapping of column name to format string, optional
        How to print each column's numbers, e.g. ``{"p-value": "{:.3f}"}``; strings are shown
        as they are. Columns without a format use pandas' default.
    caption : str, optional
        Plain text shown above the table.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    import pandas as pd

    if isinstance(rows, Mapping):
        if columns is not None:
            raise ValueError("`columns` must be None when `rows` is a mapping of columns.")
        frame = pd.DataFrame({str(k): list(v) for k, v in rows.items()})
    else:
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
            raise TypeError(f"`rows` must be a sequence of rows or a mapping of columns; "
                            f"got {type(rows).__name__}.")
        if columns is None:
            raise ValueError("`columns` must name the columns when `rows` is a sequence of rows.")
        rows = [tuple(r) for r in rows]
        bad = [i for i, r in enumerate(rows) if len(r) != len(columns)]
        if bad:
            raise ValueError(f"`rows` must each have {len(columns)} cells, one per column; "
                             f"row {bad[0]} has {len(rows[bad[0]])}.")
        frame = pd.DataFrame(rows, columns=[str(c) for c in columns])
    if caption is not None:
        caption = _html.escape(str(caption))
    return _styled(frame, formats, caption)


def _arrows(text: str) -> str:
    return text.replace("<=>", "⇌").replace("->", "→")


def network_table(net, title: str | None = None):
    """The table of a reaction network: one row per reaction.

    Columns: the reaction number ℓ, the reaction, its rate constants k₊ and k₋ (a dash for an
    irreversible reaction), and the net change ν(s) of each species s when it fires forward.
    The caption gives ``title``, the conservation laws (integer vectors L with L·ν_ℓ = 0 for
    every ℓ) and the chemostat concentrations.

    Parameters
    ----------
    net : Network
    title : str, optional

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    net = check_network(net)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None; got {type(title).__name__}.")
    rows, formats = [], {"k₊": "{:g}", "k₋": "{:g}"}
    for ell, rx in enumerate(net.reactions):
        row = {"ℓ": ell + 1, "reaction": _arrows(rx.text().split(";")[0].strip()),
               "k₊": rx.k_plus, "k₋": rx.k_minus if rx.reversible else "—"}
        row.update({f"ν({s})": int(v) for s, v in zip(net.species, net.nu[ell])})
        rows.append(row)
    laws = [" + ".join((f"{c}·" if c != 1 else "") + f"n({s})"
                       for c, s in zip(law, net.species) if c)
            for law in net.conservation_laws()]
    parts = [] if title is None else [f"<b>{_html.escape(title)}.</b>"]
    parts.append("Conserved: " + _html.escape("; ".join(laws) if laws else "nothing (open)")
                 + ".")
    if net.chemostats:
        parts.append("Chemostats: " + _html.escape(
            ", ".join(f"{c} = {a:g}" for c, a in net.chemostats.items())) + ".")
    import pandas as pd

    return _styled(pd.DataFrame(rows), formats, " ".join(parts))
