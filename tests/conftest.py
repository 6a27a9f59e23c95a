"""Shared fixtures: one book build per test session, and the built HTML served on 127.0.0.1.

The build is the one `make book` left in _build/ when its inputs have not changed since
(tests/book_build.py records a fingerprint of book/, lib/, _config.yml, _toc.yml and
requirements.txt); otherwise the first test that needs it builds the book once.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import book_build  # noqa: E402


def toc_files() -> list[str]:
    """Every file named in _toc.yml (root first), without suffix, relative to the root."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return [str(Path(f).with_suffix("")) for f in files]


def toc_notebooks() -> list[Path]:
    """The notebooks listed in _toc.yml, in reading order."""
    return [ROOT / f"{f}.ipynb" for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


@pytest.fixture(scope="session")
def book():
    """The book build: a dict with returncode, log, seconds; built at most once per session."""
    status = book_build.load_status()
    if status is None:
        status = book_build.build(echo=False)
        status["reused"] = False
    else:
        status["reused"] = True
    return status


@pytest.fixture(scope="session")
def html_dir(book) -> Path:
    path = book_build.HTML
    assert (path / "index.html").exists(), "the book build left no _build/html/index.html"
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@pytest.fixture(scope="session")
def server(html_dir):
    """Serve _build/html on 127.0.0.1 (a free port) for the session; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
