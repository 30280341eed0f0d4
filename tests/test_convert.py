"""planner convert keeps every sheet planner reads and the information sheets; xlsx -> json -> xlsx -> json is a
fixed point. planner check prints each body's whole rule."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl

import planner
from planner.analysis.sweeps_sheet import read_studies
from planner.io.workbook import write_tables

from .conftest import ROOT
from .test_names import full_tables


def _source(tmp_path):
    tables = full_tables()
    for row in tables["Groups"]:
        row["notes"] = "a remark"
    path = tmp_path / "case.xlsx"
    write_tables(tables, path)
    book = openpyxl.load_workbook(path)
    about = book.create_sheet("About")
    about.append(["topic", "text", "as of"])
    about.append(["source", "an interview with the negotiators", dt.date(2024, 3, 1)])
    about.append(["status", "illustrative", None])
    book.save(path)
    return path


def test_xlsx_json_xlsx_json_is_a_fixed_point_that_keeps_every_sheet(tmp_path, cli):
    source = _source(tmp_path)
    first, book, second = tmp_path / "a.json", tmp_path / "b.xlsx", tmp_path / "c.json"
    proc = cli("convert", source, first)
    assert proc.returncode == 0 and "Not converted (columns the planner does not read): Groups!" in proc.stdout
    assert cli("convert", first, book).returncode == 0
    assert cli("convert", book, second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    sheets = json.loads(first.read_text())["sheets"]
    for name in ("Sweeps", "Scenarios", "ScenarioChanges", "Actions", "About", "Links", "Rules", "Transfers", "Members"):
        assert sheets.get(name), name
    assert sheets["About"][0] == {"topic": "source", "text": "an interview with the negotiators", "as of": "2024-03-01"}
    original = planner.read_instance(source)
    for path in (first, book, second):
        converted = planner.read_instance(path)
        assert converted.replace(name="x") == original.replace(name="x")
        assert converted.scenarios and converted.actions
        assert read_studies(path, converted) == read_studies(source, original) != []


def test_the_bonn_case_keeps_its_sweeps_and_about_sheet(tmp_path, cli):
    out = tmp_path / "bonn.json"
    assert cli("convert", ROOT / "spreadsheets" / "bonn1978.xlsx", out).returncode == 0
    sheets = json.loads(out.read_text())["sheets"]
    assert len(sheets["Sweeps"]) >= 3 and any("ILLUSTRATIVE" in str(r.get("text")) for r in sheets["About"])


def test_check_prints_each_body_whole_rule(tmp_path, cli):
    proc = cli("check", _source(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "B (>0.5 of the weight and >=0.5 of the members, or fewer than 2 members voting no)" in proc.stdout
    assert "Not read by the planner (2): Groups!" in proc.stdout and "sheet 'About'" in proc.stdout
