"""The book builds with warnings as errors, and every page of _toc.yml is there and clean."""

from __future__ import annotations

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
    # Interactive figures embed their frames; a page should stay under a few MB.
    for page in toc_files():
        size = (html_dir / f"{page}.html").stat().st_size
        assert size < 4_000_000, f"{page}.html is {size / 1e6:.1f} MB"


def test_static_assets_are_served_from_the_book(book, html_dir):
    vendored = ["_static/mathjax/tex-chtml.js", "_static/requirejs/require.js",
                "_static/html-manager/embed-amd.js"]
    for rel in vendored:
        assert (html_dir / rel).exists(), rel
    for page in toc_files():
        text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]+src="([^"]+)"', text):
            assert "://" not in src, f"{page}.html loads a script from {src}"
        for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text):
            assert "://" not in href, f"{page}.html loads a stylesheet from {href}"
