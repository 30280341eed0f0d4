"""The command line as a user and a script meet it: summary, JSON, results workbook, exit codes."""

from __future__ import annotations

import json

from openpyxl import load_workbook

SPEC_KEYS = {"format", "instance", "status", "objective", "objective_value", "home_side", "package", "payments",
             "transfers", "negotiators", "groups", "bodies", "ratified", "mip_gap", "solve_seconds"}


def test_json_result_has_the_spec_keys_and_is_reproducible(tables, workbook, cli):
    path = workbook(tables)
    runs = []
    for _ in range(2):
        proc = cli("solve", path, "--json", "-", "--no-workbook")
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(proc.stdout))  # nothing but JSON on standard output
        assert "Package" in proc.stderr  # the summary went to standard error
    first, second = runs
    assert SPEC_KEYS <= set(first)
    assert first["format"] == 1 and first["status"] == "optimal"
    assert first["package"] == {"i1": "b", "i2": "b"}
    assert first["ratified"] == {"H": True, "F": True}
    assert first["bodies"]["H"]["yes_count"] == 2 and first["bodies"]["H"]["passed"] is True
    for run in runs:
        run.pop("solve_seconds")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_overrides_change_the_objective_and_home(tables, workbook, cli):
    tables["Utilities"].append({"holder": "F", "issue": "i1", "option": "a", "value": 7})
    path = workbook(tables)
    own = json.loads(cli("solve", path, "--json", "-", "--no-workbook").stdout)
    foreign = json.loads(cli("solve", path, "--json", "-", "--no-workbook", "--home", "F").stdout)
    joint = json.loads(cli("solve", path, "--json", "-", "--no-workbook", "--objective", "joint").stdout)
    assert own["home_side"] == "H" and foreign["home_side"] == "F"
    assert foreign["package"]["i1"] == "a" and foreign["objective_value"] == 7
    assert joint["objective"] == "joint" and joint["objective_value"] == 10  # 10 + 0 beats 0 + 7 + 0


def test_results_workbook_holds_the_deal_and_input_is_unchanged(tables, workbook, cli, tmp_path):
    path = workbook(tables)
    before = path.read_bytes()
    out = tmp_path / "out" / "res.xlsx"
    js = tmp_path / "res.json"
    proc = cli("solve", path, "--output", out, "--json", js)
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == before
    result = json.loads(js.read_text())
    wb = load_workbook(out)
    assert wb.sheetnames[:6] == ["Summary", "Package", "Support", "Votes", "Payments", "Transfers"]
    package_cells = {str(c.value) for row in wb["Package"].iter_rows() for c in row}
    assert set(result["package"].values()) <= package_cells
    assert not list(tmp_path.glob("out/.*.tmp"))


def test_no_agreement_is_exit_zero_with_an_empty_package(tables, workbook, cli):
    tables["Sides"][0]["reservation"] = 100  # H's negotiator wants more than any deal gives
    proc = cli("solve", workbook(tables), "--json", "-", "--no-workbook")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["status"] == "no_agreement" and doc["package"] == {} and doc["objective_value"] is None


def test_template_then_check(tmp_path, cli):
    path = tmp_path / "blank.xlsx"
    proc = cli("template", path)
    assert proc.returncode == 0 and path.exists()
    assert cli("template", path).returncode == 2  # refuses to overwrite without --force
    proc = cli("check", path)
    assert proc.returncode == 2 and "Sides" in proc.stderr and "Traceback" not in proc.stderr


def test_a_closed_pipe_is_not_a_crash(tables, workbook):
    import subprocess
    import sys

    from .conftest import ROOT

    path = workbook(tables)
    proc = subprocess.run(f'"{sys.executable}" -m planner solve "{path}" | head -1', shell=True, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert path.with_name("case-results.xlsx").exists()
