"""A small Sphinx extension for the book (loaded through `sphinx: local_extensions`).

1. On pages that load the ipywidgets HTML manager (pages whose notebook saved widget state), it
   tells require.js where the manager's own files are. The manager (vendored in
   book/_vendor/html-manager/) derives the URL of its font files from its AMD module name,
   ``@jupyter-widgets/html-manager/dist/...``, which without configuration resolves next to
   the page (``book/@jupyter-widgets/...``: 404). A ``require`` configuration placed before
   require.js maps that name to ``_static/html-manager/``, relative to the page's content root.

2. It removes repeated inline scripts from each page. sphinx-thebe registers its configuration
   script (``const THEBE_JS_URL = ...``) with ``app.add_js_file`` from an event that Sphinx 7.4
   runs after the HTML builder has already copied the registry's scripts, so every page carried
   the script twice and the browser stopped at "Identifier 'THEBE_JS_URL' has already been
   declared". Identical scripts (same file, attributes and body) are kept once, in their first
   position; the list is edited in place, so scripts other handlers add later still reach the
   page.

3. It loads MathJax on every page, not only on pages with equations of their own: chapter
   titles may hold math, and the navigation sidebar shows every title on every page (the
   search and index pages would otherwise show raw TeX).
"""

from __future__ import annotations

import json

from sphinx.builders.html._assets import _JavaScript

_REQUIRE_JS = "requirejs/require.js"
_MANAGER_JS = "html-manager/embed-amd.js"


def _configure_requirejs(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    names = [str(getattr(s, "filename", "") or "") for s in scripts]
    if not any(n.endswith(_MANAGER_JS) for n in names):
        return
    where = next((i for i, n in enumerate(names) if n.endswith(_REQUIRE_JS)), None)
    if where is None:
        return
    root = json.dumps(context.get("content_root", ""))
    body = ("var require = {paths: {'@jupyter-widgets/html-manager/dist': "
            f"{root} + '_static/html-manager'}}}};")
    scripts.insert(where, _JavaScript(None, priority=scripts[where].priority, body=body))


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    kept = []
    for script in scripts:
        # an inline script is registered with filename None by some extensions, "" by others
        filename = getattr(script, "filename", str(script)) or ""
        attributes = getattr(script, "attributes", {}) or {}
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _configure_requirejs, priority=901)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
