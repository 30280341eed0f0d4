"""Reading instance workbooks (.xlsx, with python-calamine) and table-form JSON files."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..model import Instance
from .errors import InputError, InputErrors
from .tables import RawTable, build_instance

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_instance(path: str | Path) -> Instance:
    """Read an instance from a workbook (``.xlsx``) or a table-form JSON file (``.json``)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_json(path)
    return read_workbook(path)


def read_tables(path: str | Path) -> dict[str, RawTable]:
    """The raw sheets of a workbook or table-form JSON file (for optional sheets such as Sweeps)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return tables_from_rows(_json_document(path)["sheets"])
    return _workbook_tables(path)[0]


def read_workbook(path: str | Path) -> Instance:
    """Read and validate an instance workbook; raise :class:`InputErrors` naming every bad cell."""
    path = Path(path)
    tables, errors = _workbook_tables(path)
    return build_instance(tables, path.stem, errors)


def _fail(path: Path, expected: str, got: str) -> InputErrors:
    return InputErrors([InputError(path.name, None, None, expected, got)], str(path))


def _workbook_tables(path: Path) -> tuple[dict[str, RawTable], list[InputError]]:
    if not path.exists():
        raise _fail(path, "an existing file", "no such file")
    if path.is_dir():
        raise _fail(path, "a workbook file", "a folder")
    if not zipfile.is_zipfile(path):
        raise _fail(path, "an Excel workbook (.xlsx)", "a file that is not a workbook")
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        tables = {name: _sheet_table(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names}
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise _fail(path, "a readable Excel workbook (.xlsx)", f"{type(exc).__name__}: {exc}") from None
    errors = [
        InputError(sheet, _row_of(cell), None, "a formula with a cached value (open and save the file in Excel)", "a formula with no cached value", cell=cell)
        for sheet, cell in formulas_without_value(path)
    ]
    return tables, errors


def _sheet_table(name: str, rows: list[list[Any]]) -> RawTable:
    clean = [[None if v == "" else v for v in row] for row in rows]
    headers = clean[0] if clean else []
    return RawTable(name, headers, [(i + 2, row) for i, row in enumerate(clean[1:])])


def _row_of(cell: str) -> int:
    return int(re.sub(r"[A-Z$]", "", cell))


def formulas_without_value(path: Path) -> list[tuple[str, str]]:
    """The (sheet, cell) of every formula cell that has no cached value.

    Reads the sheet XML directly: a ``<c>`` element with an ``<f>`` child and no (or an
    empty) ``<v>`` child is a formula Excel never calculated.
    """
    out: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as z:
        for sheet, member in _sheet_members(z):
            with z.open(member) as fh:
                for _, el in ElementTree.iterparse(fh, events=("end",)):
                    if el.tag != f"{{{_NS['m']}}}c":
                        continue
                    f = el.find("m:f", _NS)
                    if f is not None:
                        v = el.find("m:v", _NS)
                        is_ = el.find("m:is", _NS)
                        if (v is None or not (v.text or "").strip()) and is_ is None:
                            out.append((sheet, el.get("r", "?")))
                    el.clear()
    return out


def _sheet_members(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out = []
    for s in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if member in z.namelist():
            out.append((s.get("name", "?"), member))
    return out


def read_json(path: str | Path) -> Instance:
    """Read an instance in table form: ``{"format": 1, "sheets": {"Sides": [{...}, ...], ...}}``."""
    path = Path(path)
    return build_instance(tables_from_rows(_json_document(path)["sheets"]), path.stem)


def _json_document(path: Path) -> dict:
    if not path.exists():
        raise _fail(path, "an existing file", "no such file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, "a JSON instance in table form", f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sheets"), dict):
        raise _fail(path, 'a JSON object with a "sheets" object', type(doc).__name__)
    return doc


def tables_from_rows(sheets: dict[str, Any]) -> dict[str, RawTable]:
    """Raw tables from table form: sheet name -> list of row objects keyed by header."""
    tables = {}
    for name, rows in sheets.items():
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        headers: list[str] = []
        for r in rows:
            headers += [k for k in r if k not in headers]
        tables[name] = RawTable(name, list(headers), [(i + 2, [r.get(h) for h in headers]) for i, r in enumerate(rows)], cells=False)
    return tables
