"""A small Sphinx extension for the book (loaded through `sphinx: local_extensions`).

1. **Scripts.** It removes repeated inline scripts from each page. sphinx-thebe registers its
   configuration script (``const THEBE_JS_URL = ...``) with ``app.add_js_file`` from an event that
   Sphinx 7.4 runs after the HTML builder has already copied the registry's scripts, so every page
   carried the script twice and the browser stopped at "Identifier 'THEBE_JS_URL' has already been
   declared". Identical scripts (same file, attributes and body) are kept once, in their first
   position; the list is edited in place, so scripts other handlers add later still reach the
   page. It also drops the saved ipywidgets state (``application/vnd.jupyter.widget-state+json``)
   that executing a notebook with a live widget leaves in the notebook's metadata: the book shows
   the kernel-free face of :mod:`mesothermo.widgets`, so the state (and the 3.6 MB widget manager
   that would read it; ``nb_ipywidgets_js: {}`` in _config.yml) is dead weight.

2. **MathJax on every page**, not only on pages with equations of their own (the search page
   shows excerpts of any page, and a section title may hold math).

3. **Plain-text titles.** A page title with math (``... volume $V$``) is kept as typeset math in
   the page's own heading, but everywhere a title is used as text it is plain Unicode: the
   browser tab (``<title>``), the navigation sidebar, previous/next links, and the search index
   (page titles and section titles), through :func:`tex_to_text` (``V\\to\\infty`` -> "V→∞").

4. **Numbering per chapter.** Without section numbers Sphinx numbers figures, equations and
   sphinx-exercise exercises through the whole book (chapter 02's exercises were 7-9). Each
   numbered chapter ``book/NN_topic`` restarts its counters and prefixes them with its number
   NN: "Fig. 2.1", "Exercise 2.3", equation (2.4) (``book/05a_topic``: "Fig. 5a.1"); unnumbered
   pages (intro, notation) count from 1 on their own. Cross-references ({numref}, {ref}, {eq}) use the same numbers.

5. **No fontawesome.js.** pydata-sphinx-theme loads a 1.5 MB script "so that users can add
   custom icons"; the book adds none, and the theme's CSS draws every icon with the Font
   Awesome web fonts. ``templates/static/webpack-macros.html`` (put first on
   ``templates_path``) is the theme's asset macros without it.

6. **Favicon at the site root.** ``html_favicon`` links the icon from every page; a copy at
   ``/favicon.ico`` also answers browsers that ask the root (the ``index.html`` redirect page).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from docutils import nodes

__all__ = ["tex_to_text", "chapter_prefix", "setup"]

_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# --------------------------------------------------------------------------------------------
# 1. scripts


def _clean_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    kept = []
    for script in scripts:
        # an inline script is registered with filename None by some extensions, "" by others
        filename = getattr(script, "filename", str(script)) or ""
        attributes = getattr(script, "attributes", {}) or {}
        if attributes.get("type") == _WIDGET_STATE:
            continue
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


# --------------------------------------------------------------------------------------------
# 3. plain-text titles

_SYMBOLS = {
    "to": "→", "rightarrow": "→", "leftarrow": "←", "rightleftharpoons": "⇌", "infty": "∞",
    "pm": "±", "mp": "∓", "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "asymp": "≍", "propto": "∝",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "ldots": "…",
    "dots": "…", "cdots": "⋯", "ell": "ℓ", "in": "∈", "mid": "∣", "quad": " ", "qquad": " ",
    ",": " ", ";": " ", "!": "", " ": " ", "{": "{", "}": "}", "%": "%", "_": "_", "&": "&",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ln": "ln", "log": "log",
    "exp": "exp", "min": "min", "max": "max", "lim": "lim",
}
# commands whose braced argument is kept as it is (fonts, text)
_KEEP_ARGUMENT = {"mathbf", "boldsymbol", "mathrm", "mathit", "mathcal", "mathsf", "mathtt",
                  "text", "textrm", "textit", "textbf", "operatorname", "mathbb", "bm",
                  "emph", "hat", "bar", "tilde", "vec", "overline", "widehat", "widetilde"}
_DROP = {"left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
         "limits", "nolimits"}
_SUPER = dict(zip("0123456789+-−=()abcdeghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                  "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))
_SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def _braced(tex: str, i: int) -> tuple[str, int]:
    """The group starting at ``tex[i]`` (a braced group or one token) and the index after it."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        depth, j = 0, i
        while j < len(tex):
            if tex[j] == "{":
                depth += 1
            elif tex[j] == "}":
                depth -= 1
                if depth == 0:
                    return tex[i + 1:j], j + 1
            j += 1
        return tex[i + 1:], len(tex)
    if tex[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
        return m.group(0), i + len(m.group(0))
    return tex[i], i + 1


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


def tex_to_text(tex: str) -> str:
    """Plain Unicode text for a short TeX formula, as a page title or tab title shows it.

    Greek letters and common symbols become their Unicode characters, font commands keep their
    argument, sub- and superscripts become Unicode sub/superscript characters where they exist
    (``\\varphi^{ss}`` -> "φˢˢ") and ``_(...)``/``^(...)`` otherwise. Text without TeX comes
    back unchanged.

    >>> tex_to_text(r"V\\to\\infty")
    'V→∞'
    >>> tex_to_text(r"V^{-1/2}")
    'V^(−1/2)'
    """
    out: list[str] = []
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            name = m.group(1)
            i += len(m.group(0))
            if name in _KEEP_ARGUMENT:
                arg, i = _braced(tex, i)
                out.append(tex_to_text(arg))
            elif name == "frac":
                num, i = _braced(tex, i)
                den, i = _braced(tex, i)
                out.append(f"{tex_to_text(num)}/{tex_to_text(den)}")
            elif name in _DROP:
                continue
            else:
                out.append(_SYMBOLS.get(name, name))
        elif c in "^_":
            arg, i = _braced(tex, i + 1)
            arg = tex_to_text(arg).replace("-", "−")
            out.append(_script(arg, _SUPER if c == "^" else _SUB, c))
        elif c in "{}":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _plain_title(node: nodes.Element) -> str:
    parts = []
    for child in node.traverse(include_self=False, descend=True):
        if isinstance(child, nodes.math):
            parts.append(tex_to_text(child.astext()))
        elif isinstance(child, nodes.Text) and not isinstance(child.parent, nodes.math):
            parts.append(str(child))
    return "".join(parts)


def _plain_titles(app, doctree):
    """Replace math in this page's titles as the environment keeps them (not in the page)."""
    env = app.env
    docname = env.docname
    for store in (env.titles, env.longtitles):
        node = store.get(docname)
        if node is not None and any(isinstance(n, nodes.math) for n in node.findall()):
            text = _plain_title(node)
            node.children[:] = [nodes.Text(text)]
    toc = env.tocs.get(docname)
    if toc is not None:
        # the first reference of the page's toc is its title, as the navigation shows it
        for ref in toc.findall(nodes.reference):
            if any(isinstance(n, nodes.math) for n in ref.findall()):
                ref.children[:] = [nodes.Text(_plain_title(ref))]
            break


def _plain_search_titles(app, exception):
    """Section titles in the search index are ``astext()`` of their nodes: TeX without $."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "searchindex.js"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(r"(?s)(Search\.setIndex\()(.*)(\))\s*", text)
    if not m:
        return
    index = json.loads(m.group(2))
    titles = index.get("alltitles", {})
    index["alltitles"] = {}
    for key, places in titles.items():
        plain = tex_to_text(key) if ("\\" in key or re.search(r"[\^_]\{", key)) else key
        index["alltitles"].setdefault(plain, []).extend(places)
    path.write_text(m.group(1) + json.dumps(index, separators=(",", ":"), ensure_ascii=False)
                    + m.group(3), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# 4. numbering per chapter

_CHAPTER = re.compile(r"(?:^|/)(\d+)([a-z]?)_[^/]*$")


def chapter_prefix(docname: str) -> tuple:
    """The number a page's figures are prefixed with: ``book/02_x`` -> (2,), ``05a_y`` -> ("5a",)."""
    m = _CHAPTER.search(docname)
    if not m:
        return ()
    return (f"{int(m.group(1))}{m.group(2)}",) if m.group(2) else (int(m.group(1)),)


def _number_per_chapter(app, env):
    """Renumber figures, tables, code blocks, equations and exercises within each page."""
    for docname, by_type in env.toc_fignumbers.items():
        prefix = chapter_prefix(docname)
        for figtype, numbers in by_type.items():
            order = sorted(numbers, key=lambda fid: tuple(numbers[fid]))
            for k, fid in enumerate(order, start=1):
                numbers[fid] = prefix + (k,)
    return []


# --------------------------------------------------------------------------------------------
# 6. favicon


def _favicon_at_root(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    icon = app.config.html_favicon
    if icon and not re.match(r"\w+://", icon):
        src = Path(app.srcdir) / icon
        if src.exists():
            shutil.copyfile(src, Path(app.outdir) / "favicon.ico")


def _add_templates(app, config):
    config.templates_path = [str(Path(__file__).parent / "templates"), *config.templates_path]


def setup(app):
    app.set_html_assets_policy("always")
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _clean_scripts, priority=900)
    app.connect("doctree-read", _plain_titles, priority=900)
    # after TocTreeCollector assigns the book-wide numbers (priority 500)
    app.connect("env-get-updated", _number_per_chapter, priority=900)
    app.connect("build-finished", _plain_search_titles)
    app.connect("build-finished", _favicon_at_root)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
