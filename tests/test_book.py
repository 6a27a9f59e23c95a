"""The book builds with warnings as errors, and every page of _toc.yml is there and clean."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, toc_files

pytestmark = pytest.mark.book


def test_build_succeeds_without_warnings(book):
    log = book["log"]
    # jupyter-book runs Sphinx with -W -n --keep-going: any warning makes the exit status
    # non-zero; the log is searched as well, so that the failure names the warning.
    # Sphinx's format is "file:line: WARNING: message"; the kernel's own "[IPKernelApp]
    # WARNING | ..." start-up notice is not a build warning.
    warnings = [line for line in log.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE): ", line)]
    assert not warnings, "Sphinx warnings:\n" + "\n".join(warnings[:30])
    assert book["returncode"] == 0, log[-3000:]
    assert "build succeeded" in log


@pytest.mark.parametrize("page", toc_files())
def test_page_exists_and_has_no_error_output(book, html_dir, page):
    path = html_dir / f"{page}.html"
    assert path.exists(), f"{path.relative_to(ROOT)} was not built"
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in text
    # myst-nb marks error outputs (and stderr streams) with these classes.
    assert 'class="output traceback' not in text
    assert "output error" not in text
    assert 'class="output stderr' not in text
    # the widgets' kernel-free control replaces the widget view; no widget repr text leaks
    assert not re.search(r"\b(IntSlider|FloatSlider|SelectionSlider|VBox|HBox)\(", text)


def test_every_toc_page_is_in_the_navigation(book, html_dir):
    index = (html_dir / f"{toc_files()[0]}.html").read_text(encoding="utf-8")
    for page in toc_files()[1:]:
        assert f"{page.split('/')[-1]}.html" in index, f"{page} missing from the sidebar"


def test_pages_stay_small(book, html_dir):
    # Interactive figures embed their frames; the HTML of a page stays well under the 5 MB that
    # tests/test_browser.py allows a page with everything it loads.
    for page in toc_files():
        size = (html_dir / f"{page}.html").stat().st_size
        assert size < 4_000_000, f"{page}.html is {size / 1e6:.1f} MB"


def _all_pages(html_dir):
    return [html_dir / f"{p}.html" for p in toc_files()] + [
        html_dir / "search.html", html_dir / "genindex.html"]


def test_static_assets_are_served_from_the_book(book, html_dir):
    vendored = ["_static/mathjax/tex-chtml.js", "_static/mesothermo.css", "favicon.ico"]
    for rel in vendored:
        assert (html_dir / rel).exists(), rel
    for path in _all_pages(html_dir):
        text = path.read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]+src="([^"]+)"', text):
            assert "://" not in src, f"{path.name} loads a script from {src}"
        for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text):
            assert "://" not in href, f"{path.name} loads a stylesheet from {href}"
        assert re.search(r'<link rel="icon" href="[^"]*favicon\.ico', text), (
            f"{path.name} has no favicon link")
        assert "mesothermo.css" in text, f"{path.name} misses the book's stylesheet"


def test_no_widget_manager_and_no_saved_widget_state(book, html_dir):
    # The interactive figures are kernel-free range inputs: no page needs require.js or the
    # ipywidgets HTML manager (3.6 MB), and the widget state executing left in a notebook's
    # metadata is not copied into the page.
    assert not (html_dir / "_static" / "html-manager").exists()
    for path in _all_pages(html_dir):
        text = path.read_text(encoding="utf-8")
        assert "embed-amd.js" not in text and "require.js" not in text, path.name
        assert "application/vnd.jupyter.widget-state+json" not in text, path.name
        assert "application/vnd.jupyter.widget-view+json" not in text, path.name


def test_titles_are_plain_text(book, html_dir):
    # The tab title, the navigation and the search index show titles as text, never raw TeX.
    for path in _all_pages(html_dir):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        assert "\\(" not in title and "$" not in title, f"{path.name}: {title}"
        nav = re.search(r'<nav class="bd-docs-nav.*?</nav>', text, re.S)
        if nav:
            assert "\\(" not in nav.group(0), f"{path.name}: TeX in the navigation"
    index = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(re.fullmatch(r"(?s)Search\.setIndex\((.*)\)\s*", index).group(1))
    for title in list(data["titles"]) + list(data["alltitles"]):
        assert "\\" not in title and "<span" not in title and "^{" not in title, title


def test_numbering_restarts_in_every_chapter(book, html_dir):
    # Figures, exercises and equations are numbered per chapter, prefixed by its number.
    for page in toc_files():
        m = re.search(r"/(\d\d)([a-z]?)_", page)
        if not m:
            continue
        text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        chapter = f"{int(m.group(1))}{m.group(2)}"
        figs = re.findall(r'<span class="caption-number">Fig\. ([\d.]+) </span>', text)
        exercises = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', text)
        exercises += re.findall(r">Exercise ([\d.]+)(?: \(|</)", text)
        for numbers in (figs, exercises):
            for n in numbers:
                assert n.startswith(f"{chapter}."), f"{page}: number {n} not of chapter {chapter}"
        if figs:
            assert figs[0] == f"{chapter}.1", f"{page}: first figure is {figs[0]}"
