"""The package's layout holds: imports run one way, private names stay private, and the
commands that do not solve load neither Pyomo nor HiGHS."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from .conftest import ROOT

PACKAGE = ROOT / "planner"


def _modules() -> dict[str, ast.Module]:
    """Every module of the package by its dotted name (a package by its own name), parsed."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return out


def _imports(name: str, tree: ast.Module, modules: set[str]) -> list[tuple[str, str]]:
    """``(module, imported name)`` for every import in the module, at any depth (functions,
    ``TYPE_CHECKING`` blocks), resolved to the package's modules; the name is ``""`` when a
    module is imported whole."""
    is_package = (PACKAGE / name.replace(".", "/").removeprefix("planner/")).is_dir() or name == "planner"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "planner"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "planner":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub, "") if sub in modules else (target, alias.name))
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    names = set(modules)
    graph = {}
    for name, tree in modules.items():
        targets = set()
        for module, _ in _imports(name, tree, names):
            while module not in names:  # `import planner.x.y` of a name inside a module
                module = module.rpartition(".")[0]
            if module != name:
                targets.add(module)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_modules_of_the_package_import_each_other_without_a_cycle():
    graph = _graph()
    assert {"planner.solving.api", "planner.solving.uncertain", "planner.cli"} <= set(graph)
    assert "planner.solving.deterministic" in graph["planner.solving.uncertain"]
    assert _cycles(graph) == []


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_a_private_name_of_another():
    modules = _modules()
    names = set(modules)
    private = [f"{name} imports {target}.{imported}" for name, tree in modules.items()
               for target, imported in _imports(name, tree, names)
               if imported.startswith("_") and not imported.endswith("__") and target != name]
    assert private == []


def test_only_the_highs_wrapper_reaches_into_pyomos_solver_internals():
    internals = ("_solver_model", "_pyomo_var_to_solver_var_map", "_mutable_helpers", "._vars")
    users = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                   if any(word in p.read_text(encoding="utf-8") for word in internals))
    assert users == ["planner/solving/highs.py"]


def _loaded(*args: str) -> set[str]:
    """The top-level packages a fresh ``python -m planner ARGS`` imports (python -X importtime)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "planner", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return {name.split(".")[0] for name in lines[1:]}


def test_the_version_loads_no_library_beyond_the_standard_one():
    loaded = _loaded("--version")
    assert not loaded & {"pyomo", "highspy", "pandas", "numpy", "openpyxl", "matplotlib"}


def test_checking_a_workbook_loads_neither_pyomo_nor_highs():
    loaded = _loaded("check", "spreadsheets/bonn1978.xlsx")
    assert "python_calamine" in loaded or "openpyxl" in loaded  # it did read the workbook
    assert not loaded & {"pyomo", "highspy"}


def test_reports_readers_and_figures_import_without_the_solver():
    code = ("import sys, json; import planner.report.plots, planner.report.terminal, planner.report.results_workbook, "
            "planner.report.analysis_workbooks, planner.io.excel_read, planner.io.workbook, planner.io.template, "
            "planner.analysis.winset, planner.formulation.coefficients, planner.formulation.presolve, "
            "planner.solving.options, planner.solving.methods, planner.uncertainty, planner.objectives; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert not set(json.loads(proc.stdout)) & {"pyomo", "highspy"}


LAYERS = (
    ("planner.cli", "planner.__main__", "planner.batch", "planner.generate", "planner.mathematics", "planner"),
    ("planner.report",),
    ("planner.analysis",),
    ("planner.solving",),
    ("planner.formulation", "planner.io", "planner.processes"),
    ("planner.uncertainty", "planner.result", "planner.exact", "planner.evaluate"),
    ("planner.model", "planner.objectives", "planner.schema", "planner.errors", "planner.deadline"),
)
"""The package's layers, top first, as the README's Layout section shows them."""


def _layer(module: str) -> int:
    """The layer of a module: that of the longest prefix named in :data:`LAYERS`."""
    matches = [(len(prefix), k) for k, names in enumerate(LAYERS) for prefix in names
               if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} belongs to no layer: add it to LAYERS and to the README's Layout"
    return max(matches)[1]


def test_imports_run_down_the_layers():
    upward = [f"{a} imports {b}" for a, targets in sorted(_graph().items()) for b in sorted(targets)
              if _layer(b) < _layer(a)]
    assert upward == []
