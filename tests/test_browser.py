"""Headless Debian Chromium over the built book, served on 127.0.0.1.

On every page: equations typeset by the vendored MathJax, every image loaded, no request to
any host but 127.0.0.1, no failed request, no traceback; on the reading page the kernel-free
slider changes the figure and the value shown, and every numbered chapter has an interactive
figure each of whose sliders does the same. Screenshots go to _build/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT, toc_files

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Quiet, network-free flags measured on this machine (../shared/BOOK-OFFLINE.md).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run"]
SCREENSHOTS = ROOT / "_build" / "screenshots"
READING = "book/00_reading"


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), ("Debian's chromium is missing: `apt-get install -y chromium "
                               "chromium-driver` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _pages() -> list[str]:
    """Every HTML page of the book: the toc pages, the index redirect, search and genindex."""
    return [f"{p}.html" for p in toc_files()] + ["index.html", "search.html", "genindex.html"]


class PageVisit:
    """Open one page, recording every request, failure and script error."""

    def __init__(self, browser, base: str, page: str):
        self.base = base
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("requestfailed", lambda req: self.failed.append(req.url))
        self.page.on("response", lambda res: res.status >= 400 and self.failed.append(
            f"{res.status} {res.url}"))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(f"{base}/{page}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


@pytest.mark.parametrize("page", _pages())
def test_page_renders_offline(browser, server, html_dir, page):
    visit = PageVisit(browser, server, page)
    p = visit.page
    try:
        n_math = p.locator(".math").count()
        if n_math:
            # wait for MathJax (vendored under _static/mathjax) to finish typesetting
            p.wait_for_function("() => window.MathJax && MathJax.startup && "
                                "MathJax.startup.promise", timeout=30_000)
            p.evaluate("() => MathJax.startup.promise")
            n_typeset = p.locator("mjx-container").count()
            assert n_typeset >= n_math, f"{n_typeset} typeset of {n_math} math elements"
            assert p.locator("mjx-merror").count() == 0, "MathJax reports a TeX error"
            raw = p.locator(".math:not(:has(mjx-container))").count()
            assert raw == 0, f"{raw} math elements left as raw TeX"
        # every image has loaded with a non-zero size
        p.evaluate("""() => Promise.all(Array.from(document.images).map(img => img.complete
            ? null : new Promise(r => { img.onload = img.onerror = r; })))""")
        broken = p.evaluate("""() => Array.from(document.images)
            .filter(img => !(img.naturalWidth > 0)).map(img => img.src.slice(0, 80))""")
        assert not broken, f"images that did not load: {broken}"
        text = p.inner_text("body")
        assert "Traceback" not in text
        assert not re.search(r"\b(IntSlider|FloatSlider|SelectionSlider|VBox)\(", text)
        outside = [u for u in visit.requests
                   if urlparse(u).scheme in ("http", "https", "ws", "wss")
                   and urlparse(u).hostname != "127.0.0.1"]
        assert not outside, f"requests leaving 127.0.0.1: {outside}"
        assert not visit.failed, f"failed requests: {visit.failed}"
        assert not visit.errors, f"script errors: {visit.errors}"
    finally:
        visit.close()


def test_reading_page_slider_changes_figure(browser, server, html_dir):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = PageVisit(browser, server, f"{READING}.html")
    p = visit.page
    try:
        widget = p.locator(".mt-interactive").first
        assert widget.count() == 1, "no kernel-free interactive figure on the reading page"
        # no live-widget placeholder left beside it
        assert p.locator("script[type='application/vnd.jupyter.widget-view+json']").count() == 0
        assert p.locator(".jupyter-widgets").count() == 0
        slider = widget.locator("input[type=range]")
        shown = widget.locator("output")
        img = widget.locator("img.mt-interactive-frame")
        assert slider.count() == 1
        label = widget.locator("label").inner_text()
        assert "rate" in label
        src0, value0 = img.get_attribute("src"), shown.inner_text()
        maximum = int(slider.get_attribute("max"))
        assert maximum >= 2
        widget.scroll_into_view_if_needed()
        p.evaluate("() => MathJax.startup.promise")
        p.screenshot(path=str(SCREENSHOTS / "00_reading-figure-before.png"))
        slider.fill(str(maximum))           # drag to the last grid value
        src1, value1 = img.get_attribute("src"), shown.inner_text()
        assert src1 != src0, "moving the slider did not change the figure"
        assert value1 != value0, "moving the slider did not change the value shown"
        assert value1 == "4", value1
        assert p.evaluate("(el) => el.naturalWidth", img.element_handle()) > 0
        slider.fill("0")
        assert shown.inner_text() == "0.25"
        assert img.get_attribute("src") not in (src0, src1)
        slider.fill(str(maximum))
        widget.scroll_into_view_if_needed()
        p.screenshot(path=str(SCREENSHOTS / "00_reading-figure.png"))
        p.evaluate("() => window.scrollTo(0, 0)")
        p.screenshot(path=str(SCREENSHOTS / "00_reading.png"), full_page=True)
        assert not visit.errors, visit.errors
    finally:
        visit.close()


def test_screenshots_of_the_front_pages(browser, server, html_dir):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page in toc_files()[:2]:
        visit = PageVisit(browser, server, f"{page}.html")
        try:
            if visit.page.locator(".math").count():
                visit.page.wait_for_function("() => window.MathJax && MathJax.startup && "
                                             "MathJax.startup.promise", timeout=30_000)
                visit.page.evaluate("() => MathJax.startup.promise")
            name = page.split("/")[-1]
            out = SCREENSHOTS / f"{name}.png"
            visit.page.screenshot(path=str(out), full_page=True)
            assert out.stat().st_size > 10_000
        finally:
            visit.close()


def _chapter_pages() -> list[str]:
    """The numbered chapters (book/NN_topic): each must carry a working interactive figure."""
    return [p for p in toc_files() if re.fullmatch(r"book/\d\d_\w+", p)]


@pytest.mark.parametrize("page", _chapter_pages())
def test_every_chapter_slider_moves_its_figure(browser, server, html_dir, page):
    """Each kernel-free slider of a chapter changes the figure and the value shown beside it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = PageVisit(browser, server, f"{page}.html")
    p = visit.page
    try:
        widgets = p.locator(".mt-interactive")
        assert widgets.count() >= 1, f"{page} has no kernel-free interactive figure"
        for w in range(widgets.count()):
            widget = widgets.nth(w)
            img = widget.locator("img.mt-interactive-frame")
            sliders = widget.locator("input[type=range]")
            outputs = widget.locator("output")
            assert sliders.count() >= 1 and outputs.count() == sliders.count()
            for k in range(sliders.count()):
                slider, shown = sliders.nth(k), outputs.nth(k)
                slider.fill("0")
                src0, value0 = img.get_attribute("src"), shown.inner_text()
                slider.fill(slider.get_attribute("max"))
                src1, value1 = img.get_attribute("src"), shown.inner_text()
                assert src1 != src0, f"{page}: slider {k} of figure {w} does not move the figure"
                assert value1 != value0, f"{page}: slider {k} of figure {w} shows no new value"
                assert p.evaluate("(el) => el.naturalWidth", img.element_handle()) > 0
        widgets.first.scroll_into_view_if_needed()
        if p.locator(".math").count():
            p.evaluate("() => MathJax.startup.promise")
        p.screenshot(path=str(SCREENSHOTS / f"{page.split('/')[-1]}-figure.png"))
        assert not visit.errors, visit.errors
    finally:
        visit.close()
