"""The start-up benchmark runs in quick mode and prints its table (a smoke run).

Benchmarks are not tests: no time is asserted here, only that every row is measured (a
positive time, a target and a verdict) and that the summary lines are there.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "startup_bench.py")

ROWS = {
    "import numpy, scipy.sparse": "-",
    "import numpy, scipy.sparse, numba (floor)": "-",
    "import mesothermo": "< 0.6",
    "first mt.simulate, kernel cached": "< 0.1",
    "first mt.simulate, cold compile": "-",
}
#: the cold compile less numba's import (which it took over from `import mesothermo`)
COLD_NET = "  the same less numba import (floor - np)"


def test_quick_run_prints_the_startup_table():
    proc = subprocess.run([sys.executable, SCRIPT, "--quick"], capture_output=True, text=True,
                          timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Start-up in fresh interpreters (best of 2")
    assert lines[1].split() == ["step", "best", "median", "cpu", "process", "target", "met"]
    table = lines[2:lines.index("")]
    found = {}
    for line in table:
        for step in ROWS:
            if line.startswith(step + " "):
                found[step] = line[len(step):].split()
    net = [line for line in table if line.startswith(COLD_NET)]
    assert len(net) == 1 and net[0][len(COLD_NET):].split()[1:] in (["<", "0.9", "yes"],
                                                                    ["<", "0.9", "NO"]), net
    table = [line for line in table if not line.startswith(COLD_NET)]
    assert len(table) == len(ROWS) and sorted(found) == sorted(ROWS), table
    for step, cells in found.items():
        best, median, cpu, process = cells[:4]
        assert 0 < float(best) <= float(median) and float(cpu) > 0, step
        assert process == "-" if "simulate" in step else float(process) > float(best), step
        target, met = " ".join(cells[4:-1]), cells[-1]
        assert target == ROWS[step], step
        assert met == "-" if target == "-" else met in ("yes", "NO"), step
    assert any(line.startswith("import mesothermo beyond numpy + scipy.sparse: ")
               for line in lines)
    assert any("heavy libraries it loaded: " in line for line in lines)
