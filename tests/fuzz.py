"""A fuzzer for planner's input: mutations of valid instances, and a check of every run.

A *case* is a valid instance in table form (sheet -> rows), a list of mutations, and a
format: a workbook (``.xlsx``) or a table-form JSON file. Mutations act on the tables
(wrong types, blanks, deleted and duplicated rows and sheets, swapped and renamed
columns, huge and tiny numbers, NaN and infinity texts, Unicode and whitespace in ids,
dates where numbers belong), on the openpyxl workbook before it is saved (formulas,
merged cells, hidden sheets, date formats on numbers, far-away cells), and on the saved
bytes (formulas with cached values, error values, damaged and truncated files).

:func:`run_case` writes the case to a file, runs ``planner solve`` on it in this process
(:func:`planner.cli.main`) and sorts the outcome: ``valid`` (exit 0 or 3 with a result
that follows the result format, whose deal the evaluator finds feasible), ``clean``
(exit 2 with every problem located by sheet, and by row or cell where it names one) or
``crash`` (anything else: a traceback, exit 1, an exception, a bad result, a changed
input). ``tests/test_fuzz.py`` runs a short fuzz; ``benchmarks/fuzz.py`` the long one.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import io
import json
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from planner import schema

# -- base instances -----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


def small_tables() -> dict:
    from .conftest import small_tables as make

    return make()


def rich_tables() -> dict:
    """Every optional sheet: bodies with count thresholds and blocking minorities, members,
    links, rules, transfers, payments and settings."""
    t = small_tables()
    t["Sides"] = [{"side": "H", "name": "Home", "budget": 2, "payment_cost": 1, "reservation": 1},
                  {"side": "F", "name": "Foreign", "reservation": 0}]
    t["Groups"] = [
        {"side": "H", "group": "g1", "weight": 2, "reservation": 0, "payment_cap": 1},
        {"side": "H", "group": "g2", "weight": 1.5, "reservation": 1, "veto": False},
        {"side": "H", "group": "g3", "weight": 1, "reservation": 0.5, "payment_efficiency": 2},
        {"side": "F", "group": "f1", "weight": 1, "reservation": 0},
        {"side": "F", "group": "f2", "weight": 1, "reservation": -1, "veto": True},
    ]
    t["Bodies"] = [{"side": "H", "body": "parliament", "threshold": 0.5, "rule": "more_than", "count_threshold": 0.6},
                   {"side": "F", "body": "council", "threshold": 2 / 3, "rule": "at_least", "block_min": 2}]
    t["Members"] = [{"body": "parliament", "group": "g1"}, {"body": "parliament", "group": "g2", "weight": 3},
                    {"body": "parliament", "group": "g3"}, {"body": "council", "group": "f1"},
                    {"body": "council", "group": "f2"}]
    t["Utilities"] = t["Utilities"] + [
        {"holder": "f1", "issue": "i1", "option": "a", "value": 2}, {"holder": "f2", "issue": "i2", "option": "b", "value": 1},
        {"holder": "F", "issue": "i1", "option": "a", "value": 4}, {"holder": "F", "issue": "i2", "option": "a", "value": 1},
    ]
    t["Links"] = [{"holder": "g3", "issue_a": "i1", "option_a": "b", "issue_b": "i2", "option_b": "b", "value": 2.5}]
    t["Rules"] = [{"kind": "excludes", "issue_a": "i1", "option_a": "a", "issue_b": "i2", "option_b": "a"}]
    t["Transfers"] = [{"from_side": "H", "to": "F", "max_amount": 3, "cost": 1, "value": 1},
                      {"from_side": "F", "to": "g2", "max_amount": 1}]
    t["Settings"] = [{"key": "home_side", "value": "H"}, {"key": "objective", "value": "own"},
                     {"key": "time_limit", "value": 30}, {"key": "mip_gap", "value": 0}, {"key": "title", "value": "Rich case"}]
    return t


def bonn_tables() -> dict:
    return json.loads((ROOT / "spreadsheets" / "source" / "bonn1978.json").read_text(encoding="utf-8"))["sheets"]


def generated_tables(seed: int) -> dict:
    from planner.generate import random_instance
    from planner.io.workbook import instance_to_tables

    return instance_to_tables(random_instance(3, 3, 4, seed))


BASES: dict[str, Callable[[], dict]] = {
    "small": small_tables, "rich": rich_tables, "bonn": bonn_tables,
    "generated1": lambda: generated_tables(1), "generated2": lambda: generated_tables(2),
}
_BASE_CACHE: dict[str, dict] = {}


def base(name: str) -> dict:
    if name not in _BASE_CACHE:
        _BASE_CACHE[name] = BASES[name]()
    return copy.deepcopy(_BASE_CACHE[name])


# -- hostile values -----------------------------------------------------------------------
TEXTS = ["abc", "", " ", "   ", "NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e309", "1e-400",
         "0x10", "1_000", "1,5", "１２", "TRUE", "yes", "perhaps", "+1", "-0", " 7 ", "7.0", "\u200b", "g1\u200b", "ｇ1",
         "é", "e\u0301", "\U0001f600", "\u202eabc", "tab\there", "line\nbreak", "x" * 5000, "None", "null",
         "more_than", "at_least", "requires", "excludes", "own", "nash", "kalai", "maxmin", "expected", "robust",
         "H", "F", "g1", "g2", "i1", "a", "b", "US", "FRG", "A", "B", "1", "0", "2", "-1", "0.5", "1/3", "50%"]
NUMBERS = [0, -1, 1, 2, 0.5, 2 / 3, 1 / 3, 1e308, -1e308, 1e-308, 5e-324, 1e15, 1e16, -1e16, 1e9, 1e-9, 1e-3,
           1e20, 10**20, 2**63, -2**63, 0.1 + 0.2, 3.0000000000000004, 0.49999999999999994]
SPECIAL = [None, True, False, float("nan"), float("inf"), float("-inf"),
           dt.datetime(2024, 1, 1), dt.date(1999, 12, 31), dt.time(12, 30), dt.timedelta(days=2)]
JSON_ONLY = [[1, 2], {"a": 1}, [], {}, 10**400, -(10**400), [[["deep"]]]]


def values(json_form: bool) -> st.SearchStrategy:
    pool = TEXTS + NUMBERS + SPECIAL + (JSON_ONLY if json_form else [])
    return st.one_of(st.sampled_from(pool), st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(max_size=12))


# -- mutations of the tables --------------------------------------------------------------
@dataclass
class Mutation:
    """One change to a case; ``stage`` says where it acts: tables, workbook (openpyxl) or bytes."""

    kind: str
    args: dict = field(default_factory=dict)
    stage: str = "tables"

    def __repr__(self) -> str:
        shown = {k: (v if not isinstance(v, str) or len(v) < 40 else v[:37] + "...") for k, v in self.args.items()}
        return f"{self.kind}{shown}"


def _sheet_names(tables: dict) -> list[str]:
    return list(tables)


def _pick(seq, k: int):
    return seq[k % len(seq)] if seq else None


def apply_table_mutation(tables: dict, m: Mutation) -> dict:
    """Apply one table-stage mutation; indices are taken modulo what exists, so every mutation applies."""
    a = m.args
    names = _sheet_names(tables)
    sheet = _pick(names, a.get("sheet", 0))
    rows = tables.get(sheet) if sheet is not None else None
    if not isinstance(rows, list):
        rows = None
    if m.kind == "set_cell" and rows:
        row = _pick(rows, a["row"])
        if isinstance(row, dict):
            keys = list(row) + [col.name for sh in schema.SHEETS if sh.name == sheet for col in sh.columns]
            row[_pick(keys, a["column"]) if keys else "x"] = a["value"]
    elif m.kind == "delete_row" and rows:
        del rows[a["row"] % len(rows)]
    elif m.kind == "duplicate_row" and rows:
        rows.insert(a["row"] % len(rows), copy.deepcopy(rows[a["row"] % len(rows)]))
    elif m.kind == "blank_row" and rows is not None:
        rows.insert(a["row"] % (len(rows) + 1), {k: None for k in (rows[0] if rows and isinstance(rows[0], dict) else {"x": 1})})
    elif m.kind == "delete_sheet" and sheet is not None:
        del tables[sheet]
    elif m.kind == "duplicate_sheet" and sheet is not None:
        tables[a["name"](sheet)] = copy.deepcopy(tables[sheet])
    elif m.kind == "rename_sheet" and sheet is not None:
        new = a["name"](sheet)
        tables = {(new if k == sheet else k): v for k, v in tables.items()}
    elif m.kind == "empty_sheet" and sheet is not None:
        header = rows[0] if rows and isinstance(rows[0], dict) else {}
        tables[sheet] = [] if a.get("headerless") else [{k: None for k in header}]
    elif m.kind in ("swap_columns", "rename_column", "delete_column") and rows:
        keys = list(dict.fromkeys(k for r in rows if isinstance(r, dict) for k in r))
        if keys:
            x, y = _pick(keys, a["a"]), _pick(keys, a["b"])
            for r in rows:
                if not isinstance(r, dict):
                    continue
                if m.kind == "swap_columns":
                    r[x], r[y] = r.get(y), r.get(x)
                elif m.kind == "rename_column" and x in r:
                    r[a["name"](x)] = r.pop(x)
                elif m.kind == "delete_column":
                    r.pop(x, None)
    elif m.kind == "add_column" and rows:
        for r in rows:
            if isinstance(r, dict):
                r[a["name"]] = a["value"]
    elif m.kind == "wide_utilities" and isinstance(tables.get("Utilities"), list):
        wide: dict[tuple, dict] = {}
        for r in tables["Utilities"]:
            if isinstance(r, dict):
                wide.setdefault((r.get("issue"), r.get("option")), {"issue": r.get("issue"), "option": r.get("option")})[
                    str(r.get("holder"))] = r.get("value")
        tables["Utilities"] = list(wide.values())
    elif m.kind == "scale" and rows:
        for r in rows:
            if isinstance(r, dict) and isinstance(r.get(a["column"]), (int, float)) and not isinstance(r.get(a["column"]), bool):
                r[a["column"]] = r[a["column"]] * a["factor"]
    elif m.kind == "set_setting":
        settings = tables.setdefault("Settings", [])
        if isinstance(settings, list):
            settings.append({"key": a["key"], "value": a["value"]})
    elif m.kind == "json_shape":
        if a["how"] == "rows_not_list" and sheet is not None:
            tables[sheet] = {"0": rows}
        elif a["how"] == "row_not_object" and rows:
            rows[a["row"] % len(rows)] = a["value"]
    return tables


SHEET_NAMES = st.sampled_from([
    str.lower, str.upper, lambda s: f" {s} ", lambda s: s + "2", lambda s: s[:-1] or "x", lambda s: "Notes",
    lambda s: s + "\u200b",
])
HEADER_NAMES = st.sampled_from([str.upper, lambda s: f" {s} ", lambda s: s + "_", lambda s: s.title(), lambda s: "",
                                lambda s: s.replace("_", " ")])


def table_mutations(json_form: bool) -> st.SearchStrategy[Mutation]:
    i = st.integers(0, 1000)
    cell = st.builds(lambda s, r, c, v: Mutation("set_cell", {"sheet": s, "row": r, "column": c, "value": v}),
                     i, i, i, values(json_form))
    blank = st.builds(lambda s, r, c, v: Mutation("set_cell", {"sheet": s, "row": r, "column": c, "value": v}),
                      i, i, i, st.sampled_from([None, "", " ", "\t"]))
    rows = st.builds(lambda k, s, r: Mutation(k, {"sheet": s, "row": r}),
                     st.sampled_from(["delete_row", "duplicate_row", "blank_row"]), i, i)
    sheets = st.one_of(
        st.builds(lambda s: Mutation("delete_sheet", {"sheet": s}), i),
        st.builds(lambda s, n: Mutation("duplicate_sheet", {"sheet": s, "name": n}), i, SHEET_NAMES),
        st.builds(lambda s, n: Mutation("rename_sheet", {"sheet": s, "name": n}), i, SHEET_NAMES),
        st.builds(lambda s, h: Mutation("empty_sheet", {"sheet": s, "headerless": h}), i, st.booleans()),
    )
    columns = st.one_of(
        st.builds(lambda k, s, x, y: Mutation(k, {"sheet": s, "a": x, "b": y}),
                  st.sampled_from(["swap_columns", "delete_column"]), i, i, i),
        st.builds(lambda s, x, n: Mutation("rename_column", {"sheet": s, "a": x, "b": 0, "name": n}), i, i, HEADER_NAMES),
        st.builds(lambda s, n, v: Mutation("add_column", {"sheet": s, "name": n, "value": v}), i,
                  st.sampled_from(["notes", "Weight", "value", " side", "", "holder"]), values(json_form)),
    )
    numeric = st.builds(lambda s, c, f: Mutation("scale", {"sheet": s, "column": c, "factor": f}), i,
                        st.sampled_from(["weight", "value", "reservation", "budget", "threshold", "max_amount", "payment_cap"]),
                        st.sampled_from([1e9, 1e-9, 1e15, 1e-300, 1e300, -1, 0, 0.5, 1 / 3]))
    settings = st.builds(lambda k, v: Mutation("set_setting", {"key": k, "value": v}),
                         st.sampled_from(["objective", "home_side", "time_limit", "mip_gap", "title", "colour", " Objective "]),
                         st.one_of(st.sampled_from(["own", "joint", "maxmin", "nash", "kalai", "expected", "robust", "F", "H",
                                                    "US", 1e-300, 0, -5, 1e300, 0.5]), values(json_form)))
    options = [cell, cell, blank, rows, sheets, columns, numeric, settings, st.just(Mutation("wide_utilities"))]
    if json_form:
        options.append(st.builds(lambda h, s, r, v: Mutation("json_shape", {"how": h, "sheet": s, "row": r, "value": v}),
                                 st.sampled_from(["rows_not_list", "row_not_object"]), i, i, values(True)))
    return st.one_of(*options)


# -- mutations of the workbook and of its bytes -------------------------------------------
def workbook_mutations() -> st.SearchStrategy[Mutation]:
    i = st.integers(0, 1000)
    return st.one_of(
        st.builds(lambda s, r, c, h, w: Mutation("merge", {"sheet": s, "row": r, "col": c, "h": h, "w": w}, "workbook"),
                  i, i, i, st.integers(1, 3), st.integers(1, 3)),
        st.builds(lambda s, how: Mutation("hide", {"sheet": s, "state": how}, "workbook"), i,
                  st.sampled_from(["hidden", "veryHidden"])),
        st.builds(lambda s, r, c, f: Mutation("formula", {"sheet": s, "row": r, "col": c, "formula": f}, "workbook"),
                  i, i, i, st.sampled_from(["=1+1", "=SUM(A1:A3)", "=NOW()", "=A1", "=[1]Sheet1!A1", '=HYPERLINK("http://x")'])),
        st.builds(lambda s, r, c, t: Mutation("text_formula", {"sheet": s, "row": r, "col": c, "text": t}, "workbook"),
                  i, i, i, st.sampled_from(["=1+1", "=cmd|' /C calc'!A0", "+2", "@SUM(1)"])),
        st.builds(lambda s, r, c, f: Mutation("number_format", {"sheet": s, "row": r, "col": c, "format": f}, "workbook"),
                  i, i, i, st.sampled_from(["yyyy-mm-dd", "hh:mm", "0%", "@", "[h]:mm:ss", "0.00E+00"])),
        st.builds(lambda s, r, c, v: Mutation("far_cell", {"sheet": s, "row": r, "col": c, "value": v}, "workbook"),
                  i, st.integers(2, 3000), st.integers(1, 60), st.sampled_from([1, "x", None, "=1"])),
        st.builds(lambda n: Mutation("notes_sheet", {"rows": n}, "workbook"), st.integers(0, 50)),
        st.builds(lambda s, r, c: Mutation("cached_formula", {"sheet": s, "row": r, "col": c}, "bytes"), i, i, i),
        st.builds(lambda s, r, c, e: Mutation("error_value", {"sheet": s, "row": r, "col": c, "error": e}, "bytes"),
                  i, i, i, st.sampled_from(["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?"])),
        st.builds(lambda f: Mutation("truncate", {"fraction": f}, "bytes"), st.floats(0, 1)),
        st.builds(lambda p, n: Mutation("flip", {"position": p, "count": n}, "bytes"), st.floats(0, 1), st.integers(1, 8)),
        st.builds(lambda k: Mutation("drop_part", {"part": k}, "bytes"), i),
        st.just(Mutation("add_macros", {}, "bytes")),
        st.just(Mutation("doctype", {}, "bytes")),
        st.builds(lambda s, r, how: Mutation("cell_xml", {"sheet": s, "row": r, "how": how}, "bytes"), i, i,
                  st.sampled_from(["shared_index", "bool_two", "number_text", "bad_date", "duplicate", "unsorted",
                                   "no_ref", "wide_ref", "empty_value", "garbage_type"])),
    )


def _target(wb, a):
    ws = wb.worksheets[a["sheet"] % len(wb.worksheets)]
    rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
    return ws, 1 + a["row"] % rows, 1 + a["col"] % cols


def apply_workbook_mutation(wb, m: Mutation) -> None:
    from openpyxl.cell.cell import MergedCell

    if not wb.worksheets:
        return
    a = m.args
    if m.kind == "merge":
        ws, r, c = _target(wb, {**a, "col": a["col"]})
        ws.merge_cells(start_row=r, start_column=c, end_row=r + a["h"] - 1, end_column=c + a["w"])
    elif m.kind == "hide":
        ws = wb.worksheets[a["sheet"] % len(wb.worksheets)]
        if sum(w.sheet_state == "visible" for w in wb.worksheets) > 1:
            ws.sheet_state = a["state"]
    elif m.kind == "formula":
        ws, r, c = _target(wb, a)
        if not isinstance(ws.cell(r, c), MergedCell):
            ws.cell(r, c).value = a["formula"]
    elif m.kind == "text_formula":
        ws, r, c = _target(wb, a)
        cell = ws.cell(r, c)
        if not isinstance(cell, MergedCell):
            cell.value = a["text"]
            cell.data_type = "s"  # text that looks like a formula, stored as text
    elif m.kind == "number_format":
        ws, r, c = _target(wb, a)
        ws.cell(r, c).number_format = a["format"]
    elif m.kind == "far_cell":
        ws = wb.worksheets[a["sheet"] % len(wb.worksheets)]
        if not isinstance(ws.cell(a["row"], a["col"]), MergedCell):
            ws.cell(a["row"], a["col"]).value = a["value"]
    elif m.kind == "notes_sheet":
        ws = wb.create_sheet("Notes")
        for k in range(a["rows"]):
            ws.append([f"note {k}", k, None, "=1"])


_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"( t="n")?><v>([^<]*)</v></c>')


def apply_bytes_mutation(data: bytes, m: Mutation) -> bytes:
    a = m.args
    if m.kind == "truncate":
        return data[: int(len(data) * a["fraction"])]
    if m.kind == "flip":
        out = bytearray(data)
        start = int(len(out) * a["position"])
        for k in range(a["count"]):
            if start + k < len(out):
                out[start + k] ^= 0xFF
        return bytes(out)
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    except Exception:  # noqa: BLE001  (an earlier mutation damaged it: leave it so)
        return data
    sheets = sorted(n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if m.kind in ("cached_formula", "error_value") and sheets:
        name = sheets[a["sheet"] % len(sheets)]
        cells = list(_CELL.finditer(parts[name]))
        if cells:
            hit = cells[a["row"] % len(cells)]
            if m.kind == "cached_formula":
                new = b'<c r="%s"><f>0+%s</f><v>%s</v></c>' % (hit.group(1), hit.group(3) or b"0", hit.group(3))
            else:
                new = b'<c r="%s" t="e"><f>1/0</f><v>%s</v></c>' % (hit.group(1), a["error"].encode())
            parts[name] = parts[name][: hit.start()] + new + parts[name][hit.end():]
    elif m.kind == "cell_xml" and sheets:
        name = sheets[a["sheet"] % len(sheets)]
        xml = parts[name]
        cells = list(re.finditer(rb'<c r="([A-Z]+)([0-9]+)"([^>]*)>(.*?)</c>', xml))
        if cells:
            hit = cells[a["row"] % len(cells)]
            ref, attrs, body = hit.group(1) + hit.group(2), hit.group(3), hit.group(4)
            new = {
                "shared_index": b'<c r="%s" t="s"><v>99999</v></c>' % ref,
                "bool_two": b'<c r="%s" t="b"><v>2</v></c>' % ref,
                "number_text": b'<c r="%s" t="n"><v>abc</v></c>' % ref,
                "bad_date": b'<c r="%s" t="d"><v>not-a-date</v></c>' % ref,
                "duplicate": hit.group(0) * 2,
                "unsorted": hit.group(0),
                "no_ref": b"<c%s>%s</c>" % (attrs, body),
                "wide_ref": b'<c r="XFD%s"%s>%s</c>' % (hit.group(2), attrs, body),
                "empty_value": b'<c r="%s"%s><v></v></c>' % (ref, attrs),
                "garbage_type": b'<c r="%s" t="zz"><v>1</v></c>' % ref,
            }[a["how"]]
            xml = xml[: hit.start()] + new + xml[hit.end():]
            if a["how"] == "unsorted":  # the first row moved to the end
                rows = list(re.finditer(rb"<row [^>]*>.*?</row>", xml))
                if len(rows) > 1:
                    first = rows[0]
                    xml = xml[: first.start()] + xml[first.end(): rows[-1].end()] + first.group(0) + xml[rows[-1].end():]
            parts[name] = xml
    elif m.kind == "drop_part" and parts:
        del parts[sorted(parts)[a["part"] % len(parts)]]
    elif m.kind == "add_macros":
        parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"Sub AutoOpen(): Shell \"calc\": End Sub" * 10
    elif m.kind == "doctype" and sheets:
        name = sheets[0]
        head = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        parts[name] = head + re.sub(rb"^<\?xml[^>]*\?>", b"", parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


# -- cases --------------------------------------------------------------------------------
@dataclass
class Case:
    base: str
    form: str  # "xlsx" or "json"
    mutations: list[Mutation]
    options: tuple[str, ...] = ()  # extra options of planner solve

    def __repr__(self) -> str:
        return f"Case({self.base}, {self.form}, {self.mutations}, {list(self.options)})"


SOLVE_OPTIONS = st.sampled_from([(), (), (), ("--objective", "joint"), ("--objective", "maxmin"), ("--objective", "nash"),
                                 ("--objective", "kalai"), ("--top", "2"), ("--method", "mip"), ("--home", "F"),
                                 ("--time-limit", "0.001"), ("--mip-gap", "0.5")])


@st.composite
def cases(draw, forms: tuple[str, ...] = ("xlsx", "json"), max_mutations: int = 4) -> Case:
    form = draw(st.sampled_from(forms))
    json_form = form == "json"
    kinds = table_mutations(json_form) if json_form else st.one_of(table_mutations(False), workbook_mutations())
    return Case(draw(st.sampled_from(sorted(BASES))), form, draw(st.lists(kinds, min_size=0, max_size=max_mutations)),
                draw(SOLVE_OPTIONS))


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell_value(value: Any) -> Any:
    """A value openpyxl can write: other types as their text, XML-illegal characters dropped."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    if isinstance(value, (bool, int, float, dt.date, dt.time, dt.timedelta)) or value is None:
        return value
    return _ILLEGAL.sub("", str(value))


def write_case(case: Case, folder: Path) -> tuple[Path, dict]:
    """The case as a file in ``folder``; also the mutated tables."""
    tables = base(case.base)
    for m in case.mutations:
        if m.stage == "tables":
            tables = apply_table_mutation(tables, m)
    if case.form == "json":
        path = folder / "case.json"
        path.write_text(json.dumps({"format": 1, "sheets": tables}, default=str), encoding="utf-8")
        return path, tables
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        title = _ILLEGAL.sub("", str(name)).strip()[:31] or "Sheet"
        for ch in "[]:*?/\\":
            title = title.replace(ch, "_")
        while title.lower() in (t.lower() for t in wb.sheetnames):
            title = (title[:28] + "_x")[:31]
        ws = wb.create_sheet(title)
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        headers = list(dict.fromkeys(k for r in rows for k in r))
        ws.append([_cell_value(h) for h in headers])
        for r in rows:
            ws.append([_cell_value(r.get(h)) for h in headers])
    if not wb.worksheets:
        wb.create_sheet("Empty")
    for m in case.mutations:
        if m.stage == "workbook":
            apply_workbook_mutation(wb, m)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    suffix = ".xlsx"
    for m in case.mutations:
        if m.stage == "bytes":
            data = apply_bytes_mutation(data, m)
            suffix = ".xlsm" if m.kind == "add_macros" else suffix
    path = folder / f"case{suffix}"
    path.write_bytes(data)
    return path, tables


# -- running and judging ------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str  # "valid", "clean" or "crash"
    code: int | None
    why: str = ""
    stderr: str = ""


_LINE = re.compile(r"^  (?P<sheet>.+?)(?:!(?P<cell>[A-Z]{1,3}[0-9]+)| row (?P<row>[0-9]+))?(?: \[(?P<column>[^\]]*)\])?: \S")


_COUNT = re.compile(r"^    (?:.+? \[[^\]]*\]|.+?|[\d,]+ other columns): [\d,]+$")


def _sheets_in_file(path: Path) -> set[str]:
    """The sheets of the file as written (a mutation may add one, such as a copy of a sheet); none if unreadable."""
    if path.suffix.lower() != ".xlsx":
        return set()
    try:
        from python_calamine import CalamineWorkbook

        return {str(n).strip().lower() for n in CalamineWorkbook.from_path(str(path)).sheet_names}
    except BaseException as exc:  # a damaged file: its problems are named otherwise
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return set()


def located(stderr: str, path: Path, tables: dict) -> str:
    """Why an exit-2 message is not located ('' when every problem names its sheet, row or cell)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "no message"
    if lines[0].startswith("planner solve: --"):
        return ""  # a bad option, named (such as --home with a side the file does not have)
    if lines[0].startswith("planner "):
        return f"a usage error for a file argument: {lines[0]}"
    if not re.search(r"\d+ problems? in the input:$", lines[0]):
        return f"unexpected first line {lines[0]!r}"
    known = {str(k).strip().lower() for k in tables} | {s.name.lower() for s in schema.SHEETS}
    known |= {"environment", path.name.lower(), "notes", "empty"} | _sheets_in_file(path)
    problems = lines[1:]
    if not problems:
        return "no problems listed"
    more = next((k for k, line in enumerate(problems) if re.match(r"^  \.\.\. and [\d,]+ more, not listed", line)), None)
    if more is not None:  # beyond the problems listed, counts by sheet and column
        for line in problems[more + 1:]:
            m = _COUNT.match(line)
            if m is None:
                return f"a count not by sheet and column {line!r}"
        problems = problems[:more]
    for line in problems:
        m = _LINE.match(line)
        if m is None:
            return f"unlocated problem {line!r}"
        sheet = m.group("sheet").strip().lower()
        if sheet not in known and not any(sheet[:31] == k[:31] for k in known) and not sheet.startswith("xl/"):
            return f"unknown sheet in {line!r}"
    return ""


def check_result(data: dict, path: Path, code: int) -> str:
    """Why a result is not valid ('' when it follows the result format and its deal is feasible)."""
    import planner
    from planner.evaluate import Deal, evaluate
    from planner.result import STATUSES

    need = ("format", "instance", "status", "objective", "objective_value", "home_side", "package", "payments",
            "transfers", "negotiators", "groups", "bodies", "ratified", "mip_gap", "solve_seconds")
    missing = [k for k in need if k not in data]
    if missing:
        return f"result lacks {missing}"
    if data["status"] not in STATUSES:
        return f"status {data['status']!r}"
    if (code == 3) != (data["status"] == "unknown"):
        return f"exit {code} with status {data['status']}"
    text = json.dumps(data)
    if "NaN" in text or "Infinity" in text:
        return "NaN or Infinity in the JSON result"
    if data["status"] not in ("optimal", "feasible"):
        return "" if data["package"] == {} and data["objective_value"] is None else "a package without a deal"
    instance = planner.read_instance(path)
    payments = {p["to"]: p["amount"] for p in data["payments"]}
    transfers = tuple(t["amount"] for t in data["transfers"])
    ev = evaluate(instance, Deal(data["package"], payments, transfers))
    if not ev.feasible:
        return f"the reported deal is not feasible: {ev.violations}"
    for g, facts in data["groups"].items():
        if facts["supports"] != ev.supports[g]:
            return f"group {g} supports={facts['supports']} but the evaluator says {ev.supports[g]}"
    if not all(data["ratified"].values()):
        return "a deal that some side does not ratify"
    if not isinstance(data["objective_value"], (int, float)) or not math.isfinite(data["objective_value"]):
        return f"objective value {data['objective_value']!r}"
    return ""


def run_case(case: Case, folder: Path, time_limit: float = 10.0, workbook: bool = False) -> Outcome:
    """Write the case, run ``planner solve`` on it in this process, and judge the outcome."""
    from planner.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    path, tables = write_case(case, folder)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out_json = folder / "result.json"
    out_json.unlink(missing_ok=True)
    argv = ["solve", str(path), "--json", str(out_json), "--time-limit", str(time_limit), "-q", *case.options]
    argv += ["--output", str(folder / "out-results.xlsx")] if workbook else ["--no-workbook"]
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Outcome("crash", None, f"{type(exc).__name__} escaped main: {exc}", stderr.getvalue())
    err = stderr.getvalue()
    if hashlib.sha256(path.read_bytes()).hexdigest() != before:
        return Outcome("crash", code, "the input file changed", err)
    if "Traceback" in err or code not in (0, 2, 3):
        return Outcome("crash", code, "traceback or exit code", err)
    if code == 2:
        why = located(err, path, tables)
        return Outcome("crash" if why else "clean", code, why, err)
    if not out_json.exists():
        return Outcome("crash", code, "no JSON result", err)
    try:
        why = check_result(json.loads(out_json.read_text(encoding="utf-8")), path, code)
    except Exception as exc:  # noqa: BLE001
        why = f"checking the result failed: {type(exc).__name__}: {exc}"
    return Outcome("crash" if why else "valid", code, why, err)
