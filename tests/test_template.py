"""The blank instance workbook (planner/io/template.py): driven by the schema, with notes and drop-downs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import planner
from planner import schema
from planner.errors import InputErrors
from planner.io.excel_read import read_workbook
from planner.io.styles import HEADER_FILL
from planner.io.template import write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def wb(template):
    return openpyxl.load_workbook(template)


def headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def validations(ws) -> dict[str, str]:
    """First cell of each validated range -> its list formula (or type for number checks)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0]] = dv.formula1 if dv.type == "list" else f"{dv.type} {dv.operator} {dv.formula1}"
    return out


def test_readme_first_then_every_schema_sheet(wb):
    assert wb.sheetnames == ["README"] + [sh.name for sh in schema.SHEETS]


def test_every_schema_column_has_a_header_with_a_note(wb):
    for sh in schema.SHEETS:
        ws = wb[sh.name]
        assert headers(ws)[: len(sh.columns)] == [c.name for c in sh.columns]
        for index, column in enumerate(sh.columns, start=1):
            note = ws.cell(row=1, column=index).comment
            assert note is not None, (sh.name, column.name)
            for part in (column.type_text(), column.default_words(), column.meaning):
                assert part in note.text, (sh.name, column.name, part)


def test_utilities_in_long_form(wb):
    assert headers(wb["Utilities"]) == ["holder", "issue", "option", "value"]


def test_settings_one_row_per_key_with_a_blank_value(wb):
    ws = wb["Settings"]
    assert headers(ws)[:2] == ["key", "value"]
    keys = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(schema.SETTING_KEYS))]
    assert keys == [k.name for k in schema.SETTING_KEYS]
    assert all(ws.cell(row=r, column=2).value is None for r in range(2, 2 + len(keys)))
    assert ws.max_row == 1 + len(keys)
    objective_row = 2 + keys.index("objective")
    assert validations(ws)[f"B{objective_row}"] == '"' + ",".join(schema.SETTING_OBJECTIVES) + '"'
    assert validations(ws)[f"B{2 + keys.index('home_side')}"].endswith("$A$2:$A$1000")


def test_drop_down_lists(wb):
    groups = validations(wb["Groups"])
    assert groups["F2"] == '"TRUE,FALSE"'  # veto
    assert groups["A2"] == "Sides!$A$2:$A$1000"  # side
    assert groups["D2"] == "decimal greaterThanOrEqual 0"  # weight >= 0
    bodies = validations(wb["Bodies"])
    assert bodies["D2"] == '"more_than,at_least"'
    assert bodies["A2"] == "Sides!$A$2:$A$1000"
    assert bodies["C2"] == "decimal between 0"  # threshold in [0, 1]
    assert validations(wb["Rules"])["A2"] == '"requires,excludes"'
    assert validations(wb["Transfers"])["A2"] == "Sides!$A$2:$A$1000"  # from_side
    assert validations(wb["Members"])["A2"] == "Bodies!$B$2:$B$1000"
    cells = (("Options", "A2"), ("Utilities", "B2"), ("Links", "B2"), ("Links", "D2"), ("Rules", "B2"), ("Rules", "D2"))
    for sheet, cell in cells:
        assert validations(wb[sheet])[cell] == "Issues!$A$2:$A$1000", (sheet, cell)


def test_headers_styled_and_frozen(wb):
    for sh in schema.SHEETS:
        ws = wb[sh.name]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws["A1"].fill.fgColor.rgb.endswith(HEADER_FILL.fgColor.rgb[-6:])
        assert ws.column_dimensions["A"].width >= 8


def test_readme_explains_the_sheets_and_the_commands(wb):
    text = "\n".join(str(c.value) for c in wb["README"]["A"] if c.value)
    for sh in schema.SHEETS:
        assert sh.meaning in text
    assert "first row of the Sides sheet is the home side" in text
    assert "planner check" in text and "planner solve" in text


def test_blank_template_is_reported_not_crashed(template):
    with pytest.raises(InputErrors) as info:
        read_workbook(template)
    sheets = {e.sheet for e in info.value.errors}
    assert "Sides" in sheets
    assert "at least two sides" in str(info.value)


def test_filled_template_reads_and_solves(tmp_path, template):
    wb = openpyxl.load_workbook(template)
    fill = {
        "Sides": [["A", "Alpha", None, 2], ["B", "Beta"]],
        "Issues": [["tariff", "Tariff level"], ["quota"]],
        "Options": [["tariff", "low"], ["tariff", "high"], ["quota", "none"], ["quota", "q10"]],
        "Groups": [["A", "g1", "Farmers", 2, 1, True], ["A", "g2"], ["B", "g3"]],
        "Utilities": [["A", "tariff", "low", 3], ["B", "quota", "q10", 2], ["g1", "tariff", "high", 2],
                      ["g3", "quota", "q10", 1]],
    }
    for sheet, records in fill.items():
        for row, values in enumerate(records, start=2):
            for col, value in enumerate(values, start=1):
                wb[sheet].cell(row=row, column=col, value=value)
    settings = {"home_side": "A", "objective": "joint", "time_limit": 10, "mip_gap": 0, "title": "filled"}
    ws = wb["Settings"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=2, value=settings[ws.cell(row=row, column=1).value])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    inst = read_workbook(path)
    assert inst.side_ids == ("A", "B")
    assert inst.group("g1").veto and inst.group("g1").weight == 2
    assert inst.settings.objective == "joint" and inst.settings.title == "filled"
    assert planner.solve(inst).status in ("optimal", "no_agreement")


def test_written_atomically(tmp_path):
    target = tmp_path / "t.xlsx"
    target.write_text("old")
    write_template(target)
    assert openpyxl.load_workbook(target).sheetnames[0] == "README"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_the_bundled_template_has_every_sheet_and_column_of_the_schema(wb):
    """spreadsheets/template.xlsx is rebuilt by ``python spreadsheets/build.py`` whenever the schema changes."""
    bundled = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "spreadsheets" / "template.xlsx")
    assert bundled.sheetnames == wb.sheetnames
    for name in wb.sheetnames:
        assert headers(bundled[name]) == headers(wb[name]), name
