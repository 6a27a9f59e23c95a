"""Every notebook of _toc.yml runs under nbval; every notebook under book/ is in _toc.yml and
is committed without outputs.

nbval runs in lax mode (``--nbval-lax``): every cell executes and must not raise, and outputs are
compared only in cells marked ``# NBVAL_CHECK_OUTPUT``; tests/nbval_sanitize.cfg normalises the
outputs that legitimately vary (widget model ids, memory addresses, embedded frames) in those.
New chapters are picked up from _toc.yml without any change here.

The notebooks run two at a time (the machine's two cores; each kernel single-threaded in its
BLAS, so two do not oversubscribe), started together when the first notebook test runs; each
test then waits for its own notebook's result. ``MESOTHERMO_NBVAL_JOBS`` overrides the count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, toc_files, toc_notebooks

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _book_notebooks():
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)


def _run_nbval(notebook):
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
           "--nbval-sanitize-with", str(SANITIZE), "--nbval-cell-timeout", "300",
           "--rootdir", str(ROOT), "-o", "addopts=", str(notebook.relative_to(ROOT))]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def nbval_runs(request):
    """The selected notebooks submitted to a pool of two workers; {path: future}."""
    jobs = int(os.environ.get("MESOTHERMO_NBVAL_JOBS", min(2, os.cpu_count() or 1)))
    selected = [item.callspec.params["notebook"] for item in request.session.items
                if getattr(item, "originalname", None) == "test_notebook_runs_under_nbval"]
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {nb: pool.submit(_run_nbval, nb) for nb in selected}
    yield futures
    pool.shutdown(wait=True)


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.name)
def test_notebook_runs_under_nbval(notebook, nbval_runs):
    proc = nbval_runs[notebook].result()
    assert proc.returncode == 0, (
        f"nbval failed on {notebook.name}:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")


def test_every_notebook_is_in_the_toc():
    listed = {str(p.relative_to(ROOT)) for p in toc_notebooks()}
    missing = [str(p.relative_to(ROOT)) for p in _book_notebooks()
               if str(p.relative_to(ROOT)) not in listed]
    assert not missing, f"notebooks missing from _toc.yml: {missing}"


def test_toc_entries_exist():
    for entry in toc_files():
        assert any((ROOT / f"{entry}{suffix}").exists() for suffix in (".md", ".ipynb")), entry


@pytest.mark.parametrize("notebook", _book_notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{notebook.name}: cell {i} has outputs"
        assert cell.get("execution_count") is None, f"{notebook.name}: cell {i} has a count"
    assert "widgets" not in nb.get("metadata", {}), f"{notebook.name} carries widget state"
