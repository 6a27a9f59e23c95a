"""Headless Debian Chromium over the built book, served on 127.0.0.1.

Every page is opened at a desktop width (1400 px) and a phone width (400 px). On each: equations
typeset by the vendored MathJax, every image loaded, no request to any host but 127.0.0.1, no
failed request (no 404, favicon included), no script error and no console error, at most
5 MB loaded in all (the page, its scripts, styles, fonts and images); nothing in the text column
wider than its box unless the box scrolls, with the box's left edge reachable (tagged equations
included); one header (no second search bar); and the sidebar toggles work: at 1400 px the
primary toggle collapses the chapter list and opens it again, at 400 px (and at 700 px on a few
pages) the primary toggle opens the chapter list and the secondary toggle opens "On this page".
On the reading page the kernel-free slider changes the figure and the value shown, and every
numbered chapter has an interactive figure each of whose sliders does the same. A screenshot of
every page at both widths, and of the opened sidebars on a phone, goes to _build/screenshots/.
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
DESKTOP, PHONE = 1400, 400
MAX_PAGE_BYTES = 5_000_000
WIDE = 992          # the themes' breakpoint: wider, the primary sidebar is part of the page

# Horizontal overflow in the article column (runs in the page; returns a list of problems).
OVERFLOW_JS = r"""() => {
  // Horizontal overflow in the article column. Every visible element whose box reaches outside
  // the column must sit inside a horizontal scroll box (overflow-x auto/scroll); every scroll or
  // clip box must fit the column (or sit in another scroll box); inside a scroll box no content may
  // start left of the box (unreachable by scrolling) or end beyond it when scrolled fully right;
  // inside a clipping box (overflow-x hidden/clip) no content may reach outside the box.
  const article = document.querySelector("main#main-content article")
    || document.querySelector("article") || document.querySelector("main#main-content")
    || document.querySelector("main");      // the search page has no <article>
  if (!article) return ["no text column (<article> or <main>) on the page"];
  const col = article.getBoundingClientRect();
  const problems = [];
  const kind = (el) => { const o = getComputedStyle(el).overflowX;
    return (o === "auto" || o === "scroll") ? "scroll" : (o === "hidden" || o === "clip") ? "clip" : null; };
  const label = (el) => {
    const m = el.closest(".math, mjx-container, table, pre, .cell_output, .admonition") || el;
    const t = m.textContent.replace(/\s+/g, " ").trim().slice(0, 70);
    const c = (typeof el.className === "string" && el.className) ? "." + el.className.trim().split(/\s+/)[0] : "";
    return `${el.tagName.toLowerCase()}${c} "${t}"`;
  };
  const skip = (el) => el.closest("mjx-assistive-mml, script, style, template, .tooltip, .visually-hidden, .sr-only");
  const boxOf = new Map();
  const nearest = (el) => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) if (kind(a)) return a;
    return null;
  };
  const groups = new Map();   // box (or null) -> its own elements
  for (const el of article.querySelectorAll("*")) {
    if (skip(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.position === "fixed") continue;
    const box = nearest(el);
    if (!groups.has(box)) groups.set(box, []);
    groups.get(box).push(el);
  }
  for (const el of groups.get(null) || []) {
    const r = el.getBoundingClientRect();
    if (r.left < col.left - 1 || r.right > col.right + 1)
      problems.push(`${label(el)} spans [${r.left | 0}, ${r.right | 0}] px, outside the text column [${col.left | 0}, ${col.right | 0}], with no scroll box`);
  }
  for (const [box, els] of groups) {
    if (box === null) continue;
    const k = kind(box);
    const saved = box.scrollLeft;
    box.scrollLeft = 0;
    const b = box.getBoundingClientRect();
    const left = b.left + box.clientLeft, right = left + box.clientWidth;
    let minL = Infinity, maxR = -Infinity;
    for (const el of els) { const r = el.getBoundingClientRect(); minL = Math.min(minL, r.left); maxR = Math.max(maxR, r.right); }
    if (minL < left - 1) problems.push(`${label(box)}: content starts ${Math.round(left - minL)} px left of its box, out of reach of the scroll`);
    if (k === "clip") {
      if (maxR > right + 1) problems.push(`${label(box)}: content ${Math.round(maxR - right)} px wider than its box, which clips instead of scrolling`);
    } else {
      box.scrollLeft = box.scrollWidth;
      let maxR2 = -Infinity;
      for (const el of els) maxR2 = Math.max(maxR2, el.getBoundingClientRect().right);
      if (maxR2 > right + 1) problems.push(`${label(box)}: content ends ${Math.round(maxR2 - right)} px beyond its box even scrolled fully right`);
    }
    box.scrollLeft = saved;
  }
  return problems;
}"""

# Bytes the page loaded: the document and every resource (scripts, styles, fonts, images).
WEIGHT_JS = """() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((s, e) => s + Math.max(e.decodedBodySize || 0, e.transferSize || 0), 0)"""

# Bounding box and visibility of the first element matching a selector (null if none).
BOX_JS = """(sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    return {x: r.x, y: r.y, w: r.width, h: r.height, open: e.open === true,
            shown: cs.display !== 'none' && cs.visibility !== 'hidden' && r.width > 0
                   && r.height > 0 && r.right > 0 && r.left < innerWidth}; }"""


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


def _shot_name(page: str) -> str:
    return page.removesuffix(".html").split("/")[-1]


class PageVisit:
    """Open one page at one width, recording every request, failure, script and console error."""

    def __init__(self, browser, base: str, page: str, width: int = 1280):
        self.base = base
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        # a full-page screenshot of a long chapter takes tens of seconds on a busy 2-core machine
        self.page.set_default_timeout(180_000)
        self.finished: list[str] = []
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("requestfinished", lambda req: self.finished.append(req.url))
        self.page.on("requestfailed", lambda req: self.failed.append(req.url))
        self.page.on("response", lambda res: res.status >= 400 and self.failed.append(
            f"{res.status} {res.url}"))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.console.append(
            msg.text))
        self.page.goto(f"{base}/{page}", wait_until="load")
        try:
            self.page.wait_for_load_state("networkidle", timeout=90_000)
        except Exception:
            # on a busy machine "idle" (no request for 0.5 s) may come late; what matters is
            # that every request the page made has been answered
            pending = set(self.requests) - set(self.finished) - set(self.failed)
            assert not pending, f"requests never answered: {sorted(pending)[:5]}"

    def typeset(self):
        if self.page.locator(".math").count():
            self.page.wait_for_function("() => window.MathJax && MathJax.startup && "
                                        "MathJax.startup.promise", timeout=30_000)
            self.page.evaluate("() => MathJax.startup.promise")

    def box(self, selector: str):
        return self.page.evaluate(BOX_JS, selector)

    def close(self):
        self.context.close()


def _visible_toggle(p, which: str):
    """The visible primary/secondary sidebar toggle button, or None."""
    toggles = p.locator(f"button.{which}-toggle")
    for i in range(toggles.count()):
        if toggles.nth(i).is_visible():
            return toggles.nth(i)
    return None


def _check_sidebars(visit: PageVisit, width: int, shot: str | None = None) -> None:
    p = visit.page
    header = visit.box("#pst-header")
    assert header is None or not header["shown"], (
        "a second header bar (pydata's navbar with its own search field) is shown")
    fields = p.locator(".search-button-field")
    shown = [i for i in range(fields.count()) if fields.nth(i).is_visible()]
    assert len(shown) <= 1, f"{len(shown)} search fields visible"
    toggle = _visible_toggle(p, "primary")
    assert toggle is not None, "no visible primary sidebar toggle"
    if width >= WIDE:
        assert visit.box("#pst-primary-sidebar")["shown"], "the chapter list is not shown"
        toggle.click()
        p.wait_for_timeout(400)
        assert not visit.box("#pst-primary-sidebar")["shown"], (
            "the primary toggle does not collapse the chapter list")
        toggle.click()
        p.wait_for_timeout(400)
        assert visit.box("#pst-primary-sidebar")["shown"], (
            "the primary toggle does not open the chapter list again")
        return
    assert not visit.box("#pst-primary-sidebar")["shown"], "chapter list open before a click"
    toggle.click()
    p.wait_for_timeout(400)
    dialog = visit.box("#pst-primary-sidebar-modal")
    assert dialog is not None and dialog["open"] and dialog["shown"], (
        "the primary toggle does not open the chapter list")
    links = p.locator("#pst-primary-sidebar-modal nav a.reference")
    assert links.count() >= len(toc_files()) - 1 and links.first.is_visible(), (
        "the opened chapter list shows no chapters")
    if shot:
        p.screenshot(path=str(SCREENSHOTS / f"{shot}-{width}-chapters.png"))
    p.keyboard.press("Escape")
    p.wait_for_timeout(300)
    assert not visit.box("#pst-primary-sidebar-modal")["open"], "Escape does not close it"
    secondary = _visible_toggle(p, "secondary")
    if secondary is None:                 # a page without an "On this page" list
        assert p.locator("#pst-secondary-sidebar nav a").count() == 0
        return
    secondary.click()
    p.wait_for_timeout(400)
    dialog = visit.box("#pst-secondary-sidebar-modal")
    assert dialog is not None and dialog["open"] and dialog["shown"], (
        "the secondary toggle does not open 'On this page'")
    assert p.locator("#pst-secondary-sidebar-modal a").first.is_visible()
    if shot:
        p.screenshot(path=str(SCREENSHOTS / f"{shot}-{width}-contents.png"))
    p.keyboard.press("Escape")


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("page", _pages())
def test_page_at_desktop_and_phone_width(browser, server, html_dir, page, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = PageVisit(browser, server, page, width)
    p = visit.page
    try:
        n_math = p.locator(".math").count()
        visit.typeset()
        # the screenshot first, so that a page failing below is still there to look at
        p.screenshot(path=str(SCREENSHOTS / f"{_shot_name(page)}-{width}.png"), full_page=True)
        if n_math:
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
        assert "\\(" not in p.title(), f"raw TeX in the tab title: {p.title()!r}"
        problems = p.evaluate(OVERFLOW_JS)
        assert not problems, f"{page} at {width} px:\n" + "\n".join(problems[:15])
        if page == "book/notation.html":
            # the notation tables fit the column outright, with no scrolling (cards on a phone)
            wide = p.evaluate("""() => { const col = document.querySelector('article')
                .getBoundingClientRect().width; return Array.from(document.querySelectorAll(
                'article table')).map(t => t.scrollWidth).filter(w => w > col + 1); }""")
            assert not wide, f"notation tables wider than the column: {wide}"
            spill = p.evaluate("""() => Array.from(document.querySelectorAll('article td'))
                .filter(td => td.scrollWidth > td.clientWidth + 1)
                .map(td => td.textContent.trim().slice(0, 40))""")
            assert not spill, f"notation cells whose text spills out: {spill}"
        weight = p.evaluate(WEIGHT_JS)
        assert weight <= MAX_PAGE_BYTES, f"{page} loads {weight / 1e6:.2f} MB"
        _check_sidebars(visit, width, _shot_name(page) if width < WIDE else None)
        outside = [u for u in visit.requests
                   if urlparse(u).scheme in ("http", "https", "ws", "wss")
                   and urlparse(u).hostname != "127.0.0.1"]
        assert not outside, f"requests leaving 127.0.0.1: {outside}"
        assert not visit.failed, f"failed requests: {visit.failed}"
        assert not visit.errors, f"script errors: {visit.errors}"
        assert not visit.console, f"console errors: {visit.console}"
    finally:
        visit.close()


@pytest.mark.parametrize("page", ["book/intro.html", f"{READING}.html"])
def test_sidebar_toggles_at_a_tablet_width(browser, server, html_dir, page):
    visit = PageVisit(browser, server, page, 700)
    try:
        visit.typeset()
        _check_sidebars(visit, 700)
        assert not visit.errors and not visit.console, visit.errors + visit.console
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


def _chapter_pages() -> list[str]:
    """The numbered chapters (book/NN_topic): each must carry a working interactive figure."""
    return [p for p in toc_files() if re.fullmatch(r"book/\d\d[a-z]?_\w+", p)]


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
