"""Every kind of bad input: exit status 2, a message naming sheet, row and column, no traceback."""

from __future__ import annotations

import hashlib
import json

import pytest
from openpyxl.worksheet.formula import ArrayFormula

import planner
from planner.errors import InputErrors


def change(tables, sheet, row, column, value):
    """Set one cell (row counts data rows from 0) and return the tables."""
    tables[sheet][row][column] = value
    return tables


CASES = {
    "wrong type": (lambda t: change(t, "Groups", 1, "weight", "abc"), "Groups!C3 [weight]", "'abc'"),
    "blank required cell": (lambda t: change(t, "Groups", 2, "group", None), "Groups!B4 [group]", "required"),
    "negative weight": (lambda t: change(t, "Groups", 0, "weight", -1), "Groups!C2 [weight]", ">= 0"),
    "threshold outside [0, 1]": (
        lambda t: {**t, "Bodies": [{"side": "H", "body": "B", "threshold": 1.5}]}, "Bodies!C2 [threshold]", "in [0, 1]"),
    "duplicate id": (lambda t: change(t, "Groups", 2, "group", "g1"), "Groups!B4 [group]", "row 2"),
    "unknown side": (lambda t: change(t, "Groups", 0, "side", "X"), "Groups!A2 [side]", "'X'"),
    "unknown issue": (lambda t: change(t, "Options", 3, "issue", "i9"), "Options!A5 [issue]", "'i9'"),
    "unknown option": (lambda t: change(t, "Utilities", 0, "option", "zz"), "Utilities!C2 [option]", "'zz'"),
    "unknown holder": (lambda t: change(t, "Utilities", 2, "holder", "nobody"), "Utilities!A4 [holder]", "'nobody'"),
    "group id equal to a side id": (lambda t: change(t, "Groups", 0, "group", "F"), "Groups!B2 [group]", "not also a side"),
    "fewer than two sides": (lambda t: {**t, "Sides": t["Sides"][:1]}, "Sides", "at least two sides"),
    "unknown body in Members": (
        lambda t: {**t, "Members": [{"body": "Nope", "group": "g1"}]}, "Members!A2 [body]", "'Nope'"),
    "member of another side": (
        lambda t: {**t, "Groups": t["Groups"] + [{"side": "F", "group": "f1"}],
                   "Bodies": [{"side": "H", "body": "B"}], "Members": [{"body": "B", "group": "f1"}]},
        "Members!B2 [group]", "side 'F'"),
    "bad boolean": (lambda t: change(t, "Groups", 0, "veto", "perhaps"), "Groups!D2 [veto]", "'perhaps'"),
    "bad rule": (lambda t: {**t, "Bodies": [{"side": "H", "body": "B", "rule": "most"}]}, "Bodies!C2 [rule]", "'most'"),
    "link within one issue": (
        lambda t: {**t, "Links": [{"holder": "g1", "issue_a": "i1", "option_a": "a", "issue_b": "i1", "option_b": "b",
                                   "value": 1}]},
        "Links!D2 [issue_b]", "other than issue_a"),
    "transfer to own group": (
        lambda t: {**t, "Transfers": [{"from_side": "H", "to": "g1", "max_amount": 1}]}, "Transfers!B2 [to]", "'g1'"),
    "unknown setting": (lambda t: {**t, "Settings": [{"key": "colour", "value": "red"}]}, "Settings!A2 [key]", "'colour'"),
    "unknown home side": (lambda t: {**t, "Settings": [{"key": "home_side", "value": "Z"}]}, "Settings!B2 [value]", "'Z'"),
    "formula with no cached value": (  # a text "=1+1" is written as text: a real formula is needed
        lambda t: change(t, "Groups", 0, "weight", ArrayFormula("C2", "=1+1")), "Groups!C2", "no cached value"),
    "date where a number belongs": (
        lambda t: change(t, "Groups", 0, "reservation", __import__("datetime").datetime(2024, 1, 1)),
        "Groups!D2 [reservation]", "datetime"),
    "missing required sheet": (lambda t: {k: v for k, v in t.items() if k != "Options"}, "Options", "required"),
}


FAST_CASES = ("wrong type", "blank required cell", "duplicate id", "unknown option")
"""The cases the fast loop runs (each case starts two processes)."""


@pytest.mark.parametrize("name", [n if n in FAST_CASES else pytest.param(n, marks=pytest.mark.slow) for n in CASES])
def test_bad_workbook_is_refused_with_a_located_message(name, tables, workbook, cli):
    mutate, where, detail = CASES[name]
    path = workbook(mutate(tables))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in ("check", "solve"):
        proc = cli(command, path)
        assert proc.returncode == 2, (name, command, proc.stdout, proc.stderr)
        assert where in proc.stderr and detail in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not path.with_name("case-results.xlsx").exists()


def test_all_errors_are_collected_not_only_the_first(tables, workbook):
    change(tables, "Groups", 0, "weight", "heavy")
    change(tables, "Groups", 1, "side", "Q")
    change(tables, "Utilities", 0, "value", "lots")
    with pytest.raises(InputErrors) as info:
        planner.read_workbook(workbook(tables))
    cells = {e.cell for e in info.value.errors}
    assert {"C2", "A3", "D2"} <= cells and len(info.value.errors) == 3


def test_file_that_is_not_a_workbook(tmp_path, cli):
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text")
    proc = cli("solve", path)
    assert proc.returncode == 2 and "not a workbook" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_file(tmp_path, cli):
    proc = cli("check", tmp_path / "nowhere.xlsx")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_corrupt_zip_named_xlsx(tmp_path, cli):
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a spreadsheet")
    proc = cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "broken.xlsx" in proc.stderr


def test_bad_option_values_are_usage_errors(tables, workbook, cli):
    path = workbook(tables)
    for args, needle in (
        (("--time-limit", "-3"), "--time-limit"),
        (("--objective", "greed"), "--objective"),
        (("--home", "Mars"), "--home Mars"),
        (("--output", str(path)), "refusing to overwrite the input"),
        (("--output", "out.txt"), ".xlsx"),
    ):
        proc = cli("solve", path, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_check_json_lists_located_errors(tables, workbook, cli, tmp_path):
    change(tables, "Groups", 0, "weight", "abc")
    out = tmp_path / "check.json"
    proc = cli("check", workbook(tables), "--json", out)
    assert proc.returncode == 2
    doc = json.loads(out.read_text())
    assert doc["valid"] is False
    assert doc["errors"][0]["sheet"] == "Groups" and doc["errors"][0]["row"] == 2 and doc["errors"][0]["column"] == "weight"


def test_table_form_json_errors_name_sheet_row_and_column(tables, tmp_path, cli):
    change(tables, "Groups", 1, "weight", "abc")
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"format": 1, "sheets": tables}))
    proc = cli("check", path)
    assert proc.returncode == 2 and "Groups row 3 [weight]" in proc.stderr


def test_a_flood_of_bad_rows_gives_a_capped_report_counted_by_sheet_and_column(tables, tmp_path, cli):
    """400,000 junk rows in Groups gave an 800,000-line report of 54 MB and took 1.1 GB."""
    from planner.errors import LISTED

    tables["Groups"] += [{"side": f"nowhere{k}", "group": f"junk{k}", "weight": "heavy"} for k in range(30_000)]
    path = tmp_path / "junk.json"
    path.write_text(json.dumps({"format": 1, "sheets": tables}))
    with pytest.raises(InputErrors) as refused:
        planner.read_instance(path)
    exc = refused.value
    assert exc.total == 60_000 and len(exc.errors) == LISTED  # only these are kept whole while reading
    assert exc.counts() == [{"sheet": "Groups", "column": "side", "problems": 30_000},
                            {"sheet": "Groups", "column": "weight", "problems": 30_000 - LISTED}]
    message = exc.message()
    assert len(message.splitlines()) <= LISTED + 5 and len(message) < 20_000
    assert message.startswith("junk: 60,000 problems in the input:") and "Groups [side]: 30,000" in message
    proc = cli("check", path, "--json", "-")
    assert proc.returncode == 2 and len(proc.stderr) < 20_000
    report = json.loads(proc.stdout)
    assert report["problems"] == 60_000 and len(report["errors"]) == LISTED and report["not_listed"] == exc.counts()
