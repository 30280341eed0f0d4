"""The results workbook (planner/report/results_workbook.py): content, look, chart and the no-deal cases."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import planner
from planner.io.styles import HEADER_FILL
from planner.model import Body, Group, Instance, Issue, Member, Option, Settings, Side, Transfer
from planner.report.results_workbook import STATUS_WORDS, write_results
from planner.result import Result

SHEETS = ["Summary", "Package", "Support", "Votes", "Payments", "Transfers"]
BONN = Path(__file__).resolve().parents[1] / "spreadsheets" / "source" / "bonn1978.json"
CHART_NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def tiny_instance() -> Instance:
    """Two sides, two issues, three groups; side A must pay its veto group g1 to ratify."""
    groups = (
        Group("g1", "A", "Farmers", weight=2, reservation=1.0, veto=True, payment_cap=2.0),
        Group("g2", "A", "Unions", weight=1, reservation=2.0),
        Group("g3", "B", "Industry", weight=1, reservation=1.5),
    )
    return Instance(
        sides=(Side("A", "Alpha", reservation=1.0, budget=3.0), Side("B", "Beta")),
        issues=(
            Issue("tariff", "Tariff level", (Option("low", "Low tariff"), Option("high", "High tariff"))),
            Issue("quota", "Import quota", (Option("none", "No quota"), Option("q10", "10% quota"))),
        ),
        groups=groups,
        bodies=(
            Body("A", "A", (Member("g1", 2), Member("g2", 1)), default=True),
            Body("B", "B", (Member("g3", 1),), default=True),
        ),
        utilities={
            "A": {("tariff", "low"): 3, ("quota", "none"): 1},
            "B": {("tariff", "high"): 2, ("quota", "q10"): 2},
            "g1": {("tariff", "high"): 2},
            "g2": {("tariff", "low"): 1, ("quota", "none"): 1},
            "g3": {("quota", "q10"): 2},
        },
        settings=Settings(home_side="A", title="Tiny trade deal", mip_gap=0.0),
        transfers=(Transfer("A", "g3", 2.0, cost=1.5, value=0.5),),
        name="tiny",
    )


@pytest.fixture(scope="module")
def solved() -> Result:
    result = planner.solve(tiny_instance())
    assert result.status == "optimal"
    assert result.to_dict()["payments"], "the tiny case is meant to need a domestic payment"
    return result


@pytest.fixture(scope="module")
def book(solved, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("results") / "tiny-results.xlsx"
    write_results(solved, path)
    return path


def rows(path: Path, sheet: str) -> list[dict]:
    """A sheet's data rows as dicts keyed by header (openpyxl)."""
    values = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def summary_items(path: Path) -> dict:
    ws = openpyxl.load_workbook(path)["Summary"]
    out = {}
    for item, value, meaning, *_ in ws.iter_rows(min_row=2, values_only=True):
        if item is None:
            break
        out[item] = (value, meaning)
    return out


def test_sheets_in_order(book):
    assert openpyxl.load_workbook(book).sheetnames == SHEETS


def test_package_sheet_shows_the_reported_package(solved, book):
    inst, package = solved.instance, solved.to_dict()["package"]
    got = {r["issue"]: r for r in rows(book, "Package")}
    assert set(got) == set(package)
    for issue_id, option_id in package.items():
        issue = inst.issue(issue_id)
        assert got[issue_id]["issue_name"] == issue.name
        assert got[issue_id]["option"] == option_id
        assert got[issue_id]["option_label"] == next(o.label for o in issue.options if o.id == option_id)


def test_support_sheet_matches_the_result(solved, book):
    groups = solved.to_dict()["groups"]
    got = {r["group"]: r for r in rows(book, "Support")}
    assert list(got) == list(groups)
    for gid, g in groups.items():
        row, group = got[gid], solved.instance.group(gid)
        assert row["side"] == g["side"]
        assert row["name"] == group.name
        assert row["weight"] == group.weight
        assert row["utility"] == pytest.approx(g["utility"])
        assert row["reservation"] == pytest.approx(g["reservation"])
        assert row["margin"] == pytest.approx(g["utility"] - g["reservation"])
        assert row["supports"] is g["supports"]
        assert row["payment"] == pytest.approx(g["payment"])
        assert row["veto"] is group.veto
    assert {r["supports"] for r in got.values()} == {True, False}  # both colours are exercised


def test_votes_sheet_uses_the_bodies_thresholds(solved, book):
    bodies = {b.id: b for b in solved.instance.bodies}
    reported = solved.to_dict()["bodies"]
    got = rows(book, "Votes")
    assert [r["body"] for r in got] == list(reported)
    for row in got:
        v, body = reported[row["body"]], bodies[row["body"]]
        assert row["yes_weight"] == pytest.approx(v["yes_weight"])
        assert row["total_weight"] == pytest.approx(v["total_weight"])
        assert row["required_weight"] == pytest.approx(body.threshold * v["total_weight"])
        assert row["margin"] == pytest.approx(v["yes_weight"] - body.threshold * v["total_weight"])
        assert (row["yes_count"], row["member_count"], row["passed"]) == (v["yes_count"], v["member_count"], v["passed"])
        assert (row["threshold"], row["rule"]) == (body.threshold, body.rule)


def test_payments_and_transfers(solved, book):
    d = solved.to_dict()
    assert [(r["from"], r["to"], r["amount"]) for r in rows(book, "Payments")] == [
        (p["from"], p["to"], pytest.approx(p["amount"])) for p in d["payments"]
    ]
    transfers = rows(book, "Transfers")
    assert len(transfers) == len(d["transfers"]) == 1
    assert (transfers[0]["from"], transfers[0]["to"]) == ("A", "g3")
    assert transfers[0]["amount"] == pytest.approx(d["transfers"][0]["amount"])
    assert (transfers[0]["cost"], transfers[0]["value"]) == (1.5, 0.5)


def test_summary(solved, book):
    d = solved.to_dict()
    items = summary_items(book)
    assert items["title"][0] == "Tiny trade deal"
    assert items["status"] == ("optimal", STATUS_WORDS["optimal"])
    assert items["objective"][0] == "own"
    assert items["objective_value"][0] == pytest.approx(d["objective_value"])
    assert items["home_side"] == ("A", "Alpha")
    ws = openpyxl.load_workbook(book)["Summary"]
    table = [r for r in ws.iter_rows(values_only=True)]
    start = table.index(("side", "name", "utility", "reservation", "margin", "ratified"))
    negotiators = {r[0]: r for r in table[start + 1 : start + 1 + len(d["negotiators"])]}
    for side, n in d["negotiators"].items():
        assert negotiators[side][2] == pytest.approx(n["utility"])
        assert negotiators[side][5] is d["ratified"][side]
    assert negotiators["A"][3] == 1.0
    assert negotiators["A"][4] == pytest.approx(d["negotiators"]["A"]["utility"] - 1.0)
    assert negotiators["B"][3] is None  # a blank reservation stays blank


def test_calamine_reads_the_same_values(solved, book):
    wb = CalamineWorkbook.from_path(str(book))
    assert wb.sheet_names == SHEETS
    support = wb.get_sheet_by_name("Support").to_python()
    header = support[0]
    groups = solved.to_dict()["groups"]
    for line in support[1:]:
        row = dict(zip(header, line))
        assert row["utility"] == pytest.approx(groups[row["group"]]["utility"])
        assert row["supports"] is groups[row["group"]]["supports"]


def test_native_clustered_bar_chart_on_the_support_sheet(book):
    with zipfile.ZipFile(book) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(z.read(charts[0]))
        sheet_rels = z.read("xl/worksheets/_rels/sheet3.xml.rels").decode()  # Support is the third sheet
    bar = root.find(".//c:barChart", CHART_NS)
    assert bar is not None
    assert bar.find("c:grouping", CHART_NS).get("val") == "clustered"
    series = bar.findall("c:ser", CHART_NS)
    assert len(series) == 2
    refs = [s.find("c:val//c:f", CHART_NS).text for s in series]
    assert all("Support" in r for r in refs)
    assert "drawing" in sheet_rels


def test_look(book):
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        first = ws["A1"]
        assert first.font.b and first.font.color.rgb.endswith("FFFFFF")
        assert first.fill.fgColor.rgb.endswith(HEADER_FILL.fgColor.rgb[-6:])
    support = wb["Support"]
    assert support["E2"].number_format == "0.000"
    assert support["I2"].number_format == "0.00"
    ranges = [str(cf.sqref) for cf in support.conditional_formatting]
    assert "H2:H4" in ranges  # supports
    assert any(str(cf.sqref).startswith("I") for cf in wb["Votes"].conditional_formatting)  # passed
    assert any(str(cf.sqref).startswith("F") for cf in wb["Summary"].conditional_formatting)  # ratified
    assert 8 <= support.column_dimensions["C"].width <= 60


@pytest.mark.parametrize("status, words", [
    ("no_agreement", "No agreement: no deal is ratified by every side"),
    ("unknown", "The solver stopped before finding a deal"),
])
def test_without_a_deal_every_sheet_has_headers_only(tmp_path, status, words):
    inst = tiny_instance()
    result = Result(instance=inst, status=status, objective="own", home="A", notes=("a note",))
    path = tmp_path / "none.xlsx"
    write_results(result, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS
    for name in SHEETS[1:]:
        assert wb[name].max_row == 1, name
        assert wb[name]["A1"].value is not None
    items = summary_items(path)
    assert items["status"][0] == status
    assert items["status"][1].startswith(words)
    assert items["objective_value"][0] is None
    assert "a note" in [c.value for c in wb["Summary"]["A"]]


def test_refuses_other_suffixes_and_writes_atomically(solved, tmp_path):
    for name in ("out.xls", "out.csv", "out"):
        with pytest.raises(ValueError):
            write_results(solved, tmp_path / name)
    target = tmp_path / "again.XLSX"
    target.write_text("old")
    write_results(solved, target)
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.XLSX"]  # no temporary file left


def test_bonn1978_results_workbook(tmp_path):
    result = planner.solve(planner.read_json(BONN))
    path = tmp_path / "bonn.xlsx"
    planner.write_results(result, path)
    d = result.to_dict()
    assert {r["issue"]: r["option"] for r in rows(path, "Package")} == d["package"]
    assert {r["group"]: r["supports"] for r in rows(path, "Support")} == {g: v["supports"] for g, v in d["groups"].items()}
    assert [r["body"] for r in rows(path, "Votes")] == list(d["bodies"])
