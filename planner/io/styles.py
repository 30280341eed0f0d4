"""Shared look of the workbooks the planner writes (results and template).

One header style, one way of writing a table, one way of fitting column widths and of
colouring TRUE/FALSE cells, so that every workbook an analyst gets from the planner
looks the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill(fill_type="solid", start_color="1F3864", end_color="1F3864")
HEADER_ALIGNMENT = Alignment(vertical="center")
TITLE_FONT = Font(bold=True, size=14, color="1F3864")

TRUE_FILL = PatternFill(fill_type="solid", start_color="C6EFCE", end_color="C6EFCE")
TRUE_FONT = Font(color="006100")
FALSE_FILL = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
FALSE_FONT = Font(color="9C0006")

UTILITY = "0.000"
"""Number format of utilities, weights, reservations, margins and thresholds."""
AMOUNT = "0.00"
"""Number format of money: payments and transfers."""
COUNT = "0"

MIN_WIDTH = 8
MAX_WIDTH = 60


def style_header(ws: Worksheet, row: int, n_columns: int, first_column: int = 1) -> None:
    """Bold white on dark blue for the header cells of one table."""
    for col in range(first_column, first_column + n_columns):
        cell = ws.cell(row=row, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def put(ws: Worksheet, row: int, col: int, value: Any):
    """Write one value into a cell as data: a text is never a formula, and characters a
    workbook cannot hold (control characters) become U+FFFD."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula stays text
    else:
        cell.value = value
    return cell


def write_header(ws: Worksheet, headers: Sequence[str], row: int = 1) -> None:
    """Write and style a header row starting in column A."""
    for col, name in enumerate(headers, start=1):
        put(ws, row, col, name)
    style_header(ws, row, len(headers))


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[str, str] | None = None,
    booleans: Iterable[str] = (),
    start_row: int = 1,
) -> int:
    """Write a styled table: header at ``start_row``, one row per record; return the last row used.

    ``formats`` maps a header to a number format for its column's data cells;
    ``booleans`` names the TRUE/FALSE columns, coloured green and red.
    """
    write_header(ws, headers, start_row)
    last = start_row
    for last, values in enumerate(rows, start=start_row + 1):
        for col, value in enumerate(values, start=1):
            put(ws, last, col, value)
    for name, fmt in (formats or {}).items():
        col = headers.index(name) + 1
        for r in range(start_row + 1, last + 1):
            ws.cell(row=r, column=col).number_format = fmt
    for name in booleans:
        col = get_column_letter(headers.index(name) + 1)
        colour_booleans(ws, f"{col}{start_row + 1}:{col}{max(last, start_row + 1)}")
    return last


def colour_booleans(ws: Worksheet, cell_range: str) -> None:
    """Conditional formatting: TRUE cells green, FALSE cells red."""
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=["TRUE"], fill=TRUE_FILL, font=TRUE_FONT))
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=["FALSE"], fill=FALSE_FILL, font=FALSE_FONT))


def freeze_header(ws: Worksheet, row: int = 1) -> None:
    """Keep the header row in view while scrolling."""
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def fit_widths(ws: Worksheet, minimum: int = MIN_WIDTH, maximum: int = MAX_WIDTH) -> None:
    """Set every used column's width to its longest cell text, within [minimum, maximum]."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _text_width(cell.value, cell.number_format))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(minimum, min(maximum, width + 2))


def _text_width(value: Any, number_format: str) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, float) and number_format in (UTILITY, AMOUNT):
        return len(f"{value:.{len(number_format) - 2}f}")
    return max(len(line) for line in str(value).splitlines() or [""])
