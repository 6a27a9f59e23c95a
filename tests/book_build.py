"""Build the book once and remember the outcome, so that `make test` reuses `make book`'s build.

``python tests/book_build.py`` (what ``make book`` runs) calls::

    jupyter-book build --all -W -n --keep-going .

streams its output, and writes ``_build/book-build.log`` and ``_build/book-build.json`` (exit
status and a fingerprint of every input of the build: book/, lib/, _config.yml, _toc.yml,
requirements.txt). The test suite's session fixture (tests/conftest.py) reuses that build when
the fingerprint still matches, and otherwise builds once itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
LOG = BUILD / "book-build.log"
STATUS = BUILD / "book-build.json"
COMMAND = ["jupyter-book", "build", "--all", "-W", "-n", "--keep-going", "."]
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def _inputs() -> list[Path]:
    files = [ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "requirements.txt"]
    for top in ("book", "lib"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and not (_SKIP_PARTS & set(path.parts)) and path.suffix != ".pyc":
                files.append(path)
    return files


def fingerprint() -> str:
    """SHA-256 over the names and contents of every input of the build."""
    h = hashlib.sha256()
    for path in _inputs():
        if path.exists():
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def load_status() -> dict | None:
    """The recorded build, or None when there is none or its inputs have changed since."""
    if not (STATUS.exists() and LOG.exists() and HTML.is_dir()):
        return None
    status = json.loads(STATUS.read_text())
    if status.get("fingerprint") != fingerprint():
        return None
    status["log"] = LOG.read_text(errors="replace")
    return status


def build(echo: bool = True) -> dict:
    """Run the build, stream and record its output; return the status dict (with the log)."""
    BUILD.mkdir(exist_ok=True)
    # a fresh HTML tree: Sphinx never deletes files an earlier build left (a removed vendored
    # script would otherwise still be served); executed notebooks and doctrees are rebuilt by --all
    shutil.rmtree(HTML, ignore_errors=True)
    stamp = fingerprint()
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    t0 = time.perf_counter()
    lines = []
    with subprocess.Popen(COMMAND, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace") as proc:
        for line in proc.stdout:
            lines.append(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()
    seconds = time.perf_counter() - t0
    log = "".join(lines)
    LOG.write_text(log)
    status = {"returncode": proc.returncode, "fingerprint": stamp, "seconds": round(seconds, 1),
              "command": " ".join(COMMAND)}
    STATUS.write_text(json.dumps(status, indent=1))
    status["log"] = log
    return status


if __name__ == "__main__":
    result = build()
    print(f"\njupyter-book build finished in {result['seconds']} s with exit status "
          f"{result['returncode']}; HTML in {HTML.relative_to(ROOT)}/")
    sys.exit(result["returncode"])
