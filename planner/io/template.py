"""A blank instance workbook for analysts, written from the schema (``planner/schema.py``).

Sheets and headers are the schema's; every header cell carries a note with the column's
type, default and meaning; drop-down lists offer the allowed words (booleans, choices)
and the ids already typed on the Sides, Issues, Bodies and Groups sheets. A README sheet
comes first. Nothing here restates the format: change the schema and the template follows.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import schema
from ..schema import Column, Sheet
from .frames import save_workbook
from .styles import MAX_WIDTH, TITLE_FONT, fit_widths, freeze_header, write_header

ROWS = 1000
"""Drop-down lists and checks cover rows 2..ROWS of every sheet."""

REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("Groups", "side"): ("Sides", "side"),
    ("Bodies", "side"): ("Sides", "side"),
    ("Transfers", "from_side"): ("Sides", "side"),
    ("Options", "issue"): ("Issues", "issue"),
    ("Utilities", "issue"): ("Issues", "issue"),
    ("Links", "issue_a"): ("Issues", "issue"),
    ("Links", "issue_b"): ("Issues", "issue"),
    ("Rules", "issue_a"): ("Issues", "issue"),
    ("Rules", "issue_b"): ("Issues", "issue"),
    ("Members", "body"): ("Bodies", "body"),
    ("Members", "group"): ("Groups", "group"),
}
"""Columns whose cells name an id of another sheet: (sheet, column) -> (sheet, id column).

Holders (Utilities, Links) and Transfers' ``to`` name a side *or* a group, which one list
cannot offer, so they get no drop-down.
"""

SETTING_REFERENCES = {"home_side": ("Sides", "side")}

COMMENT_AUTHOR = "planner"


def write_template(path: str | Path) -> None:
    """Write a blank instance workbook to ``path``, atomically."""
    wb = Workbook()
    _readme(wb.active)
    for sh in schema.SHEETS:
        ws = wb.create_sheet(sh.name)
        if sh is schema.SETTINGS:
            _settings_sheet(ws, sh)
        else:
            _data_sheet(ws, sh)
        freeze_header(ws)
    save_workbook(wb, path)


# -- sheets ------------------------------------------------------------------------------
def _data_sheet(ws: Worksheet, sh: Sheet) -> None:
    """Headers with notes, and one drop-down or check per column that has one."""
    write_header(ws, [c.name for c in sh.columns])
    for index, column in enumerate(sh.columns, start=1):
        ws.cell(row=1, column=index).comment = _note(column)
        letter = get_column_letter(index)
        validation = _validation(column, REFERENCES.get((sh.name, column.name)))
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{ROWS}")
        ws.column_dimensions[letter].width = _width(column)


def _settings_sheet(ws: Worksheet, sh: Sheet) -> None:
    """Headers ``key, value, meaning``; one row per setting, its value left blank."""
    headers = [c.name for c in sh.columns] + ["meaning"]
    write_header(ws, headers)
    for index, column in enumerate(sh.columns, start=1):
        ws.cell(row=1, column=index).comment = _note(column)
    ws.cell(row=1, column=len(headers)).comment = _comment("Notes for people; the planner ignores this column.")
    for row, key in enumerate(schema.SETTING_KEYS, start=2):
        ws.cell(row=row, column=1, value=key.name).comment = _note(key)
        ws.cell(row=row, column=3, value=f"{key.meaning} (default: {key.default_words()})")
        validation = _validation(key, SETTING_REFERENCES.get(key.name))
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"B{row}")
    fit_widths(ws)
    ws.column_dimensions["B"].width = 20


def _readme(ws: Worksheet) -> None:
    """Plain-language instructions, one paragraph a row."""
    ws.title = "README"
    lines = _readme_lines()
    ws.cell(row=1, column=1, value=lines[0]).font = TITLE_FONT
    for row, text in enumerate(lines[1:], start=2):
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if text.startswith(tuple(f"{sh.name} (" for sh in schema.SHEETS)) or text in _README_HEADINGS:
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 110


_README_HEADINGS = ("How to fill it in", "The sheets", "How to run the planner")


def _readme_lines() -> list[str]:
    lines = [
        "Negotiation planner: instance workbook",
        "This workbook describes one negotiation (a two-level game): the sides, the issues "
        "and their options, each side's domestic groups and ratifying bodies, what every "
        "group and negotiator gets from each option, and the side payments allowed. The "
        "planner finds the best package deal that every side can ratify at home.",
        "",
        "How to fill it in",
        "Row 1 of every sheet holds the column headers; keep them. Each later row is one record. "
        "Hover over a header to read what the column means, its type and its default. A blank "
        "optional cell takes the default. Cells with a drop-down list offer the allowed values "
        "or the ids typed on another sheet.",
        "The first row of the Sides sheet is the home side (the side whose negotiator's gain is "
        "maximised), unless the home_side setting on the Settings sheet names another side.",
        "Optional sheets may stay empty, or be deleted. Extra columns (notes) and extra sheets, "
        "this README included, are ignored by the planner.",
        "",
        "The sheets",
    ]
    for sh in schema.SHEETS:
        lines.append(f"{sh.name} ({'required' if sh.required else 'optional'}): {sh.meaning}")
        lines.extend(sh.notes)
    lines += [
        "",
        "How to run the planner",
        "Save this workbook (for example as my_case.xlsx), then in a terminal:",
        "planner check my_case.xlsx   checks the workbook and lists every problem by sheet, row and column.",
        "planner solve my_case.xlsx   finds the best ratifiable deal and reports it "
        "(or says there is no agreement, and which condition blocks it).",
    ]
    return lines


# -- notes and drop-downs ------------------------------------------------------------------
def _note(column: Column) -> Comment:
    return _comment(f"{column.name}\ntype: {column.type_text()}\ndefault: {column.default_words()}\n{column.meaning}")


def _comment(text: str) -> Comment:
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 300
    comment.height = 40 + 15 * (1 + len(text) // 45 + text.count("\n"))
    return comment


def _validation(column: Column, target: tuple[str, str] | None) -> DataValidation | None:
    """The drop-down list or number check for a column (``target``: the sheet and id column
    it refers to), or None when it has none."""
    if target is not None:
        return _list(_id_range(*target), strict=False)
    if column.kind == "bool":
        return _list('"TRUE,FALSE"')
    if column.kind == "choice":
        return _list('"' + ",".join(column.choices) + '"')
    if column.kind in ("number", "whole") and column.minimum is not None:
        return _bounds(column)
    return None


def _list(formula: str, strict: bool = True) -> DataValidation:
    """A drop-down. ``strict`` rejects other values; lists of ids only warn (ids may be typed first)."""
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorStyle="stop" if strict else "warning",
        errorTitle="Not in the list", error="Choose a value from the list.",
    )


def _bounds(column: Column) -> DataValidation:
    kind = "whole" if column.kind == "whole" else "decimal"
    if column.maximum is not None:
        dv = DataValidation(type=kind, operator="between", formula1=_num(column.minimum), formula2=_num(column.maximum))
    else:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_num(column.minimum))
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = f"Not {column.type_text()}"
    dv.error = f"{column.name} must be {column.expected()}."
    return dv


def _id_range(sheet_name: str, column_name: str) -> str:
    """``Sides!$A$2:$A$1000``: the id column of another sheet, found in the schema."""
    index = [c.name for c in schema.sheet(sheet_name).columns].index(column_name)
    letter = get_column_letter(index + 1)
    where = sheet_name if sheet_name.isidentifier() else quote_sheetname(sheet_name)
    return f"{where}!${letter}$2:${letter}${ROWS}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _width(column: Column) -> float:
    return min(MAX_WIDTH, max(12, len(column.name) + 4))

