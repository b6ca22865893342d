"""The import graph follows the data flow: no cycles, no upward imports.

Layers, lowest first (a module may import its own layer and the ones below):

    shared       sim.paths, sim.errors, sim.atomic, sim.events, sim.scenario_types, sim.progress
    model        sim.model.*, sim.kernel.*  (the Mesa model and its compiled day kernel; load no
                                            scenario or posterior)
    scenarios    sim.scenarios              (reads scenario files into the model's input types)
    results      sim.results.*              (stores studies; never runs a model)
    experiments  sim.experiments.*          (builds and runs models, designs, executors, batches)
    reporting    sim.reporting.*            (reads studies; reruns one stored run for a figure)
    viz          sim.viz.*                  (the interactive single-run page: runs one model)
    api          sim                        (the public names, imported lazily)

`calibration.extraction` (articles -> events) uses the shared layer only; the rest of
`calibration` sits beside reporting and may use anything in `sim` but the reporting layer's
figures and report (its tables writer is shared). `sim` never imports `calibration`. Every
import counts, including those inside functions: a lazy import is still a dependency. Only
imports under `if TYPE_CHECKING:` are left out: they are never executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
PACKAGES = ("sim", "calibration")

LAYERS = {
    "shared": 0, "model": 1, "scenarios": 2, "results": 3, "experiments": 4, "reporting": 5,
    "calibration": 5, "viz": 5, "api": 6,
}  # fmt: skip
SHARED = {"sim.paths", "sim.errors", "sim.atomic", "sim.events", "sim.scenario_types", "sim.progress"}
#: What the reporting layer may use from experiments: one stored run again, never a study.
REPORTING_MAY_RUN = {"sim.experiments.runs"}
#: What calibration may use from the reporting layer: the one Markdown table writer.
CALIBRATION_MAY_USE = {"sim.reporting.tables"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[module_name(path)] = path
    return modules


MODULES = project_modules()


def imports_of(name: str) -> set[str]:
    """Project modules `name` imports anywhere in its file (top level or inside functions)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _executed_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from pkg import mod` imports the module pkg.mod when it is one
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `import a.b.c` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _executed_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (type hints only, never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name: str) -> str:
    if name == "sim":
        return "api"
    if name in SHARED:
        return "shared"
    if name.startswith("calibration.extraction"):
        return "shared"  # articles -> events needs nothing of the model
    if name.startswith("calibration"):
        return "calibration"
    if name == "sim.kernel" or name.startswith("sim.kernel."):
        return "model"  # the compiled day kernel: the model's rules over arrays
    for part in ("model", "scenarios", "results", "experiments", "reporting", "viz"):
        if name == f"sim.{part}" or name.startswith(f"sim.{part}."):
            return part
    raise AssertionError(f"{name}: module outside the declared layers; add it to tests/test_layers.py")


def test_every_module_has_a_layer():
    for name in MODULES:
        layer(name)


def test_no_import_cycles():
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(MODULES):
        if name not in state:
            visit(name)


def _allowed(source: str, target: str) -> bool:
    s, t = layer(source), layer(target)
    if s == "shared" and source.startswith("calibration.extraction"):
        return t == "shared"
    if source.startswith("sim") and target.startswith("calibration"):
        return False
    if s == "reporting" and t == "experiments":
        return target in REPORTING_MAY_RUN
    if s == "calibration" and t == "reporting":
        return target in CALIBRATION_MAY_USE
    if s == "calibration" and t == "api":
        return False
    return LAYERS[t] <= LAYERS[s]


def test_no_upward_imports():
    upward = sorted(
        f"{source} ({layer(source)}) imports {target} ({layer(target)})"
        for source, targets in GRAPH.items()
        for target in targets
        if not _allowed(source, target)
    )
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_the_checker_sees_imports_inside_functions():
    # the graph must not miss a lazy import: the model once loaded scenarios inside __init__
    text = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sim.model.model import X\n"
            "def f():\n    from sim.scenarios import load_scenario\n")
    names = {n.module for n in _executed_nodes(ast.parse(text)) if isinstance(n, ast.ImportFrom)}
    assert names == {"typing", "sim.scenarios"}
    assert not _allowed("sim.model.model", "sim.scenarios")
    assert not _allowed("sim.results.store", "sim.experiments.runs")
    assert not _allowed("sim.reporting.report", "sim.experiments.batch")
    assert _allowed("sim.experiments.batch", "sim.results.store")
