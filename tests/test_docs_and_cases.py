"""The documentation and the bundled workbooks agree with their sources."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import planner
from planner import schema
from planner.io.workbook import instance_to_tables

from .conftest import ROOT, run_cli


def test_workbook_doc_is_generated_from_the_schema():
    doc = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert doc == schema.render_markdown(), "regenerate with: python -m planner.schema > docs/workbook.md"
    for sheet in schema.SHEETS:
        for col in sheet.columns if sheet is not schema.SETTINGS else schema.SETTING_KEYS:
            assert f"| {col.name} |" in doc


def test_model_doc_is_generated_from_the_docstrings():
    from planner import mathematics
    from planner.formulation import rows

    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert doc == mathematics.render_markdown(), "regenerate with: python -m planner.mathematics > docs/model.md"
    documented = {family.__name__ for _, family in rows.FAMILIES} | {"add_objective"}
    # add_tangent is the Nash method's cut, documented with the objective and the method
    defined = {name for name in vars(rows) if name.startswith("add_")} - {"add_tangent"}
    assert defined == documented, "every constraint family has its place in rows.FAMILIES"


def _build_module():
    spec = importlib.util.spec_from_file_location("build", ROOT / "spreadsheets" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_workbooks_hold_what_their_sources_say(tmp_path):
    built = _build_module().build(tmp_path)
    for path in built:
        committed = ROOT / "spreadsheets" / path.relative_to(tmp_path)
        assert committed.exists(), f"{committed} is missing: run python spreadsheets/build.py"
        if path.name != "template.xlsx":
            fresh, bundled = planner.read_workbook(path), planner.read_workbook(committed)
            assert instance_to_tables(fresh) == instance_to_tables(bundled)


def test_bonn_case_has_an_about_sheet_that_says_the_utilities_are_illustrative():
    source = json.loads((ROOT / "spreadsheets" / "source" / "bonn1978.json").read_text())
    about = " ".join(str(v) for row in source["sheets"]["About"] for v in row.values()).lower()
    assert "illustrative" in about and "putnam" in about and "1% of gnp" in about


def test_readme_first_command_solves_the_bundled_case(tmp_path):
    # the README's first command, minus the install: planner solve spreadsheets/bonn1978.xlsx
    src = ROOT / "spreadsheets" / "bonn1978.xlsx"
    case = tmp_path / "bonn1978.xlsx"
    case.write_bytes(src.read_bytes())
    before = hashlib.sha256(case.read_bytes()).hexdigest()
    proc = run_cli("solve", case)
    assert proc.returncode == 0, proc.stderr
    assert "optimal" in proc.stdout and "Package" in proc.stdout and "Votes" in proc.stdout
    assert (tmp_path / "bonn1978-results.xlsx").exists()
    assert hashlib.sha256(case.read_bytes()).hexdigest() == before
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && planner solve spreadsheets/bonn1978.xlsx" in readme
    assert 'pip install ".[test]" && python -m pytest -q' in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install ".[test]" && python -m pytest -q' in ci


def test_every_test_the_reliability_page_names_exists():
    """docs/reliability.md lists its promises with the tests that check them; none may be a dead reference."""
    import ast
    import re

    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", doc))
    assert len(named) >= 40
    for path, name in sorted(named):
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"{path}::{name} is named in docs/reliability.md but does not exist"
