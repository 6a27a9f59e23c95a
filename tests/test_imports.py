"""Every module imports on its own, in a fresh interpreter, whatever was imported before."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import mesothermo

MODULES = sorted(m.name for m in pkgutil.walk_packages(mesothermo.__path__, "mesothermo."))


#: The one-way import order of DESIGN.md, low to high; a module may import (at module level)
#: only from its own layer's private helpers or from lower layers.
LAYERS = [
    {"_validation", "_kinetics", "_linalg", "_gth_kernel", "_markov_lu", "_lattice", "_ssa_kernel",
     "_ssa_reference", "_xoshiro"},
    {"network", "reaction"},
    {"models", "rre", "lna", "bifurcation", "markov", "trajectory", "ssa", "cme", "crnt"},
    {"ldp", "thermo", "energy_exchange", "sbml"},
    {"stats", "plotting", "widgets"},
]


def _layer(module: str) -> int:
    top = module.split(".")[1]
    for k, names in enumerate(LAYERS):
        if top in names:
            return k
    raise AssertionError(f"{module} is in no layer of DESIGN.md's import order")


def test_module_level_imports_go_one_way():
    import ast
    import pathlib
    root = pathlib.Path(mesothermo.__file__).parent
    wrong = []
    for name in MODULES:
        rel = name.split(".")[1:]
        path = root.joinpath(*rel)
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:                      # module level only: late imports are free
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            targets = [".".join(base + ([node.module] if node.module else []))]
            if node.module is None:
                targets = [".".join(base + [a.name]) for a in node.names]
            for target in targets:
                if target == "mesothermo" or target.split(".")[1] == name.split(".")[1]:
                    continue                        # the package itself, or its own submodules
                if _layer(target) > _layer(name) or (_layer(target) == _layer(name) == 3):
                    wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_every_module_imports_in_any_order():
    # two fresh interpreters: all modules in sorted and in reverse order (a cycle would fail
    # whichever module is imported first)
    lines = [f"import {m}" for m in MODULES]
    assert {"import mesothermo.markov", "import mesothermo.stats",
            "import mesothermo.ldp.hamiltonian", "import mesothermo._kinetics"} <= set(lines)
    for order in (lines, lines[::-1]):
        subprocess.run([sys.executable, "-c", "\n".join(order)], check=True, timeout=600)
    for first in ("mesothermo.ldp.characteristics", "mesothermo.stats", "mesothermo.cme"):
        subprocess.run([sys.executable, "-c", f"import {first}"], check=True, timeout=600)


def test_no_private_name_crosses_a_module_boundary():
    import ast
    import pathlib
    root = pathlib.Path(mesothermo.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(root)}: from {node.module} "
                                         f"import {alias.name}")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                    not node.attr.startswith("__") and isinstance(node.value, ast.Name) and \
                    node.value.id in {"net", "cme", "rre", "ldp", "ssa", "network"}:
                offenders.append(f"{path.relative_to(root)}:{node.lineno}: "
                                 f"{node.value.id}.{node.attr}")
    assert not offenders, offenders


def test_validation_never_imports_network():
    # the latent cycle of issue 10: _validation is below network in the import order
    import ast
    import pathlib
    src = (pathlib.Path(mesothermo.__file__).parent / "_validation.py").read_text()
    imported = [n.module for n in ast.walk(ast.parse(src))
                if isinstance(n, ast.ImportFrom) and n.module]
    assert not [m for m in imported if "network" in m], imported


def test_import_leaves_presentation_and_heavy_scipy_for_first_use():
    # a fresh interpreter, so that what other tests imported cannot hide an eager import
    heavy = ["matplotlib", "ipywidgets", "scipy.integrate", "scipy.optimize", "scipy.linalg",
             "scipy.stats", "scipy.sparse.linalg", "numba"]
    code = f"""
import json, sys
import mesothermo as mt
loaded = {{"import": [m for m in {heavy!r} if m in sys.modules]}}
listed = "plotting" in dir(mt) and "widgets" in dir(mt) and "thermo" in dir(mt)
from mesothermo.widgets import Slider
from mesothermo import plotting
ok = listed and mt.widgets.Slider is Slider and mt.plotting is plotting
ok = ok and all(getattr(mt, name) is not None for name in mt.__all__)
loaded["use"] = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps([ok, loaded]))
"""
    proc = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=600)
    ok, loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded["import"] == [], loaded
    assert ok
    # first use imports them (ipywidgets only when a live slider is shown): the check above
    # can fail
    assert "matplotlib" in loaded["use"], loaded
