"""Reading instance workbooks (.xlsx, with python-calamine) and table-form JSON files."""

from __future__ import annotations

import contextlib
import gc
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import deadline, schema
from ..errors import DeadlinePassed, InputError, InputErrors
from ..model import Instance
from .limits import read_json_bytes, scan_workbook, unreadable_cells
from .tables import RawTable, build_instance

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_instance(path: str | Path) -> Instance:
    """Read an instance from a workbook (``.xlsx``) or a table-form JSON file (``.json``)."""
    path = Path(path)
    with _without_cycle_collection():
        if path.suffix.lower() == ".json":
            return read_json(path)
        return read_workbook(path)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a file is read.

    Reading makes millions of small objects and no reference cycles; the collector's
    passes over them took a third of the time of reading the large generated instance
    (10.6 s against 6.9 s) and came as pauses of up to half a second, between which the
    run's deadline cannot be checked. It runs again, as before, once the file is read.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_tables(path: str | Path) -> dict[str, RawTable]:
    """The raw sheets of a workbook or table-form JSON file (for optional sheets such as Sweeps)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return tables_from_rows(_json_document(path)["sheets"])
    return _workbook_tables(path)[0]


def carried_tables(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The sheets of an instance file that the Instance does not hold but a conversion keeps, in table form.

    The Sweeps sheet, by the schema's column names, and every sheet the format does not
    name (an About sheet, an analyst's notes), as it is: its headers and rows, blank rows
    left out, dates and times as ISO texts (table form has no dates).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    known = {s.name.lower(): s for s in schema.SHEETS}
    for name, t in read_tables(path).items():
        sheet = known.get(str(name).strip().lower())
        if sheet is not None and sheet is not schema.SWEEPS:
            continue
        names = {c.name for c in schema.SWEEPS.columns}
        columns = []
        for i, h in enumerate(t.headers):
            if h is None or (isinstance(h, str) and not h.strip()):
                continue
            label = _plain(h) if isinstance(_plain(h), str) else str(_plain(h))
            if sheet is schema.SWEEPS:
                label = label.strip().lower()
                if label not in names:
                    continue
            columns.append((i, label))
        rows = []
        for _, values in t.rows:
            row = {label: _plain(values[i]) if i < len(values) else None for i, label in columns}
            if any(v is not None and v != "" for v in row.values()):
                rows.append(row)
        if rows or sheet is None:
            out[sheet.name if sheet is not None else str(name)] = rows
    return out


def _plain(value: Any) -> Any:
    """A cell as table form holds it: dates and times as ISO texts."""
    import datetime as dt

    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def read_workbook(path: str | Path) -> Instance:
    """Read and validate an instance workbook; raise :class:`InputErrors` naming every bad cell."""
    path = Path(path)
    tables, errors = _workbook_tables(path)
    return build_instance(tables, path.stem, errors)  # a cell reported here (an error value...) is not reported again


def _fail(path: Path, expected: str, got: str) -> InputErrors:
    return InputErrors([InputError(path.name, None, None, expected, got)], str(path))


def _workbook_tables(path: Path) -> tuple[dict[str, RawTable], list[InputError]]:
    if not path.exists():
        raise _fail(path, "an existing file", "no such file")
    if path.is_dir():
        raise _fail(path, "a workbook file", "a folder")
    if path.suffix.lower() not in _WORKBOOK_SUFFIXES:
        raise _fail(path, "an Excel workbook (.xlsx or .xlsm) or a table-form instance (.json)",
                    f"a {path.suffix or 'file without a suffix'} file")
    if not zipfile.is_zipfile(path):
        raise _fail(path, "an Excel workbook (.xlsx)",
                    "a file that is not a workbook (an old .xls, or a password-protected workbook?)")
    scan = scan_workbook(path)  # limits, damage: before anything loads the workbook
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
    except BaseException as exc:  # calamine's own errors for corrupt files; a panic in its Rust code is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _fail(path, "a readable Excel workbook (.xlsx)", f"{type(exc).__name__}: {exc}") from None
    tables, unreadable = {}, []
    for name in names:
        try:
            sheet = deadline.call(lambda name=name: wb.get_sheet_by_name(name), f"reading the {name} sheet")
            tables[name] = _sheet_table(name, sheet.to_python(skip_empty_area=False))
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, DeadlinePassed)):
                raise
            if any(s.name.lower() == name.strip().lower() for s in schema.SHEETS):
                unreadable += _unreadable_sheet(path, scan, name, exc)  # other sheets are ignored anyway
    if unreadable:
        raise InputErrors(unreadable, str(path))
    errors = []
    for sheet, part in scan.sheets.items():
        for cell in part.formulas_without_value:
            if _read_by_planner(tables, sheet, cell):
                errors.append(InputError(sheet, _row_of(cell), _header(tables, sheet, cell),
                                         "a formula with a cached value (open and save the file in Excel)",
                                         "a formula with no cached value", cell=cell))
        for cell, value in part.error_values:
            if _read_by_planner(tables, sheet, cell):
                errors.append(InputError(sheet, _row_of(cell), _header(tables, sheet, cell),
                                         "a value", f"the error value {value}", cell=cell))
    return tables, errors


def _read_by_planner(tables: dict[str, RawTable], sheet: str, cell: str) -> bool:
    """Whether planner reads this cell: a header of a sheet it knows, or a cell under one of its columns.

    Other sheets and columns (an analyst's notes) are ignored, formulas and all.
    """
    known = next((s for s in schema.SHEETS if s.name.lower() == sheet.strip().lower()), None)
    if known is None:
        return False
    header = _header(tables, sheet, cell)
    if _row_of(cell) == 1 or known is schema.UTILITIES:  # wide-form utilities: any column may be a holder's
        return True
    columns = schema.SETTING_KEYS if known is schema.SETTINGS else known.columns
    return header is not None and (header.lower() in {c.name for c in columns} or known is schema.SETTINGS)


def _unreadable_sheet(path: Path, scan, sheet: str, exc: BaseException) -> list[InputError]:
    """The cells that made the reader refuse a sheet, each named; else the sheet and the reader's words."""
    member = scan.members.get(sheet)
    cells = unreadable_cells(path, member) if member else []
    if not cells:
        return [InputError(sheet, None, None, "a sheet the reader can read", f"{type(exc).__name__}: {exc}")]
    return [InputError(sheet, _row_of(cell), None, "a cell a spreadsheet program wrote", problem, cell=cell)
            for cell, problem in cells]


def _sheet_table(name: str, rows: list[list[Any]]) -> RawTable:
    clean = []
    for n, row in enumerate(rows):
        if n % 4096 == 4095:
            deadline.check(f"reading the {name} sheet")
        clean.append([None if v == "" else v for v in row])
    headers = clean[0] if clean else []
    return RawTable(name, headers, [(i + 2, row) for i, row in enumerate(clean[1:])])


def _row_of(cell: str) -> int:
    return int(re.sub(r"[A-Z$]", "", cell))


def _header(tables: dict[str, RawTable], sheet: str, cell: str) -> str | None:
    """The header of a cell's column, when its sheet has one there."""
    table = tables.get(sheet)
    letters = re.sub(r"[0-9$]", "", cell)
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    if table is None or not 0 < index <= len(table.headers) or table.headers[index - 1] is None:
        return None
    return str(table.headers[index - 1]).strip() or None


def formulas_without_value(path: Path) -> list[tuple[str, str]]:
    """The (sheet, cell) of every formula cell that has no cached value (a ``<c>`` with an ``<f>`` and no value)."""
    return [(sheet, cell) for sheet, part in scan_workbook(path).sheets.items() for cell in part.formulas_without_value]


def read_json(path: str | Path) -> Instance:
    """Read an instance in table form: ``{"format": 1, "sheets": {"Sides": [{...}, ...], ...}}``."""
    path = Path(path)
    return build_instance(tables_from_rows(_json_document(path)["sheets"]), path.stem)


def _json_document(path: Path) -> dict:
    if not path.exists():
        raise _fail(path, "an existing file", "no such file")
    if path.is_dir():
        raise _fail(path, "a JSON file", "a folder")
    data = read_json_bytes(path)
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, "a JSON instance in table form (UTF-8 text)", f"bytes that are not UTF-8: {exc}") from None
    except RecursionError:
        raise _fail(path, "a JSON instance in table form", "JSON nested too deeply to read") from None
    except ValueError as exc:  # json.JSONDecodeError, and numbers too long to convert
        raise _fail(path, "a JSON instance in table form", f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sheets"), dict):
        raise _fail(path, 'a JSON object with a "sheets" object', type(doc).__name__)
    return doc


def tables_from_rows(sheets: dict[str, Any]) -> dict[str, RawTable]:
    """Raw tables from table form: sheet name -> list of row objects keyed by header."""
    tables = {}
    for name, rows in sheets.items():
        deadline.check(f"reading the {name} sheet")
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        headers = list(dict.fromkeys(k for r in rows for k in r))
        tables[name] = RawTable(name, headers, [(i + 2, [r.get(h) for h in headers]) for i, r in enumerate(rows)], cells=False)
    return tables
