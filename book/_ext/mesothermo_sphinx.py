"""A small Sphinx extension for the book (loaded through `sphinx: local_extensions`).

It removes repeated inline scripts from each page. sphinx-thebe registers its configuration
script (`const THEBE_JS_URL = ...`) with `app.add_js_file` from an event that Sphinx 7.4 runs
after the HTML builder has already copied the registry's scripts, so every page carried the
script twice and the browser stopped at "Identifier 'THEBE_JS_URL' has already been declared".
Identical scripts (same file, attributes and body) are kept once, in their first position; the
list is edited in place, so scripts other handlers add later still reach the page.
"""

from __future__ import annotations


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
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
