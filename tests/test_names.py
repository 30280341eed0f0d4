"""Names: a near miss of a header or sheet name of the format is refused with a suggestion; every other unknown
column and sheet is read as a note and listed; no workbook that follows the format is refused."""

from __future__ import annotations

import copy
import json
import string

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import planner
from planner import schema
from planner.errors import InputErrors
from planner.io.names import key, near_misses
from planner.io.workbook import instance_to_tables, write_tables

from .conftest import ROOT, examples, instance_from, small_tables
from .strategies import instances

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def full_tables() -> dict:
    """A valid instance that fills every column of every sheet of the format (table form)."""
    t = small_tables()
    t["Sides"] = [{"side": "H", "name": "Home", "reservation": 0, "budget": 2, "payment_cost": 1},
                  {"side": "F", "name": "Foreign", "reservation": None, "budget": 0, "payment_cost": 1}]
    t["Issues"] = [{"issue": i, "name": i.upper()} for i in ("i1", "i2")]
    t["Options"] = [{"issue": i, "option": o, "label": f"{i}{o}"} for i in ("i1", "i2") for o in ("a", "b")]
    t["Groups"] = [{"side": "H", "group": g, "name": g, "weight": 1, "reservation": 0, "veto": False, "payment_cap": 1,
                    "payment_efficiency": 1, "reservation_sd": 0.5} for g in ("g1", "g2", "g3")]
    t["Bodies"] = [{"side": "H", "body": "B", "threshold": 0.5, "rule": "more_than", "count_threshold": 0.5,
                    "block_min": 2}]
    t["Members"] = [{"body": "B", "group": g, "weight": 1} for g in ("g1", "g2", "g3")]
    t["Links"] = [{"holder": "g1", "issue_a": "i1", "option_a": "b", "issue_b": "i2", "option_b": "b", "value": 1}]
    t["Rules"] = [{"kind": "excludes", "issue_a": "i1", "option_a": "a", "issue_b": "i2", "option_b": "a"}]
    t["Transfers"] = [{"from_side": "F", "to": "H", "max_amount": 1, "cost": 1, "value": 1}]
    t["Settings"] = [{"key": "objective", "value": "own"}]
    t["Sweeps"] = [{"sweep": "s", "parameter": "Sides[H].budget", "values": None, "from": 0, "to": 1, "step": 0.5,
                    "kind": "grid", "rel": 0.1, "home": "H", "objective": "own"}]
    t["Scenarios"] = [{"scenario": "s1", "probability": 1}]
    t["ScenarioChanges"] = [{"scenario": "s1", "holder": "g1", "reservation_shift": 0.5, "weight_factor": 1,
                             "utility_shift": 0, "issue": "i1", "option": "a"}]
    t["Actions"] = [{"action": "a1", "side": "H", "cost": 0.5, "target": "g2", "reservation_shift": -1,
                     "utility_shift": 0, "max_uses": 1}]
    return t


def test_the_full_tables_are_valid_and_read_every_column():
    inst = instance_from(full_tables())
    assert inst.ignored == () and inst.scenarios and inst.actions and inst.links and inst.rules


def _errors(tables: dict) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        instance_from(tables)
    return [str(e) for e in caught.value.errors]


# -- the cases of the issue -------------------------------------------------------------------
def test_the_issue_typos_are_errors_naming_the_cell_and_the_name_meant(tmp_path, cli):
    book = openpyxl.load_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")
    header = {c.value: c for c in book["Groups"][1]}
    header["reservation"].value = "reservaton"
    header["weight"].value = "Weight (seats)"
    book["Links"].title = "Link"
    book["Rules"].title = "Rule"
    path = tmp_path / "typos.xlsx"
    book.save(path)
    proc = cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for line in ("Groups!E1: unknown column 'reservaton': did you mean 'reservation'?",
                 "Groups!D1: unknown column 'Weight (seats)': did you mean 'weight'?",
                 "Link: unknown sheet 'Link': did you mean 'Links'?",
                 "Rule: unknown sheet 'Rule': did you mean 'Rules'?"):
        assert line in proc.stderr, proc.stderr
    data = tmp_path / "check.json"
    cli("check", path, "--json", data)
    errors = json.loads(data.read_text())["errors"]
    (typo,) = [e for e in errors if e["cell"] == "E1"]
    assert typo["sheet"] == "Groups" and typo["found"] == "'reservaton'" and typo["expected"] == "a column headed reservation"


def test_a_misspelt_key_of_table_form_is_refused_too():
    tables = copy.deepcopy(small_tables())
    tables["Groups"][0]["wieght"] = tables["Groups"][0].pop("weight")
    assert "Groups [wieght]: unknown key 'wieght': did you mean 'weight'?" in _errors(tables)
    tables = copy.deepcopy(small_tables())
    tables["Rule"] = []
    assert any("unknown sheet 'Rule': did you mean 'Rules'?" in e for e in _errors(tables))


def test_a_setting_key_typo_suggests_the_key_and_a_column_headed_twice_is_refused():
    tables = copy.deepcopy(small_tables())
    tables["Settings"] = [{"key": "time_limt", "value": 5}]
    assert any("did you mean 'time_limit'?" in e for e in _errors(tables))
    tables = copy.deepcopy(small_tables())
    tables["Groups"][0]["Weight"] = 5  # beside "weight": which one?
    assert any("one column headed weight" in e for e in _errors(tables))


def test_a_misspelt_utilities_column_is_named_in_long_and_wide_form():
    tables = copy.deepcopy(small_tables())
    for row in tables["Utilities"]:
        row["vaule"] = row.pop("value")
    assert any("unknown key 'vaule': did you mean 'value'?" in e for e in _errors(tables))
    wide = copy.deepcopy(small_tables())
    wide["Utilities"] = [{"issue": "i1", "option": "b", "H": 5, "g1": 3, "g2x": 1}]
    errors = _errors(wide)
    assert any("g2x" in e and "did you mean 'g2'?" in e for e in errors)


def test_notes_are_read_as_notes_and_listed_by_check_and_the_results_workbook(tmp_path, cli, workbook):
    tables = copy.deepcopy(small_tables())
    for row in tables["Groups"]:
        row["notes"] = "from the 2019 survey"
    tables["About"] = [{"source": "an interview", "date": "2024"}]
    plain = instance_from(small_tables())
    noted = instance_from(tables)
    assert noted == plain and set(noted.ignored) == {"Groups key 'notes'", "sheet 'About'"}
    path = workbook(tables)
    proc = cli("check", path)
    assert proc.returncode == 0 and "Not read by the planner (2): Groups!D1 'notes'; sheet 'About'" in proc.stdout
    out = tmp_path / "results.xlsx"
    assert cli("solve", path, "--output", out).returncode == 0
    rows = [r[:2] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)]
    assert ("not_read", "Groups!D1 'notes'") in rows and ("not_read", "sheet 'About'") in rows


# -- every near miss of every name of the format --------------------------------------------------
@st.composite
def near_miss(draw, name: str) -> str:
    """A rename of ``name`` that the format does not accept but that is a typo of it."""
    kinds = ["plural", "unit", "case"]
    if "_" in name:
        kinds.append("separator")
    if len(key(name)) >= 4:
        kinds.append("edit")
    kind = draw(st.sampled_from(kinds))
    if kind == "plural":
        return name[:-1] if name.endswith("s") else name + "s"
    if kind == "unit":
        return f"{name} ({draw(st.sampled_from(['seats', 'EUR', '%', 'm', '2024']))})"
    if kind == "case":
        return draw(st.sampled_from([name.replace("_", " ").title(), name.replace("_", "").upper() + " "]))
    if kind == "separator":
        return name.replace("_", draw(st.sampled_from([" ", "-", "", "  ", "."])))
    letters = [k for k, ch in enumerate(name) if ch.isalpha()]
    at = draw(st.sampled_from(letters))
    edit = draw(st.sampled_from(["delete", "insert", "substitute", "swap"]))
    letter = draw(st.sampled_from(string.ascii_lowercase))
    if edit == "delete":
        return name[:at] + name[at + 1:]
    if edit == "insert":
        return name[:at] + letter + name[at:]
    if edit == "substitute":
        return name[:at] + letter + name[at + 1:]
    nxt = at + 1 if at + 1 < len(name) else at - 1
    chars = list(name)
    chars[at], chars[nxt] = chars[nxt], chars[at]
    return "".join(chars)


@settings(max_examples=examples(300), **SETTINGS)
@given(data=st.data())
def test_every_near_miss_of_every_header_is_refused_with_a_suggestion(data):
    sheet = data.draw(st.sampled_from(schema.SHEETS), label="sheet")
    name = data.draw(st.sampled_from([c.name for c in sheet.columns]), label="column")
    renamed = data.draw(near_miss(name), label="renamed")
    others = [c.name for c in sheet.columns]
    assume(renamed.strip().lower() not in others)  # another column of the sheet, or the same one in another case
    tables = full_tables()
    tables[sheet.name] = [{(renamed if k == name else k): v for k, v in row.items()} for row in tables[sheet.name]]
    errors = _errors(tables)
    assert any(f"{sheet.name} [{renamed.strip()}]: unknown key {renamed.strip()!r}: did you mean" in e and repr(name) in e
               for e in errors), errors


@settings(max_examples=examples(150), **SETTINGS)
@given(data=st.data())
def test_every_near_miss_of_an_optional_sheet_is_refused_with_a_suggestion(data):
    sheet = data.draw(st.sampled_from([s for s in schema.SHEETS if not s.required]), label="sheet")
    renamed = data.draw(near_miss(sheet.name), label="renamed")
    assume(renamed.strip().lower() not in [s.name.lower() for s in schema.SHEETS])
    tables = full_tables()
    tables[renamed] = tables.pop(sheet.name)
    errors = _errors(tables)
    assert any(f"unknown sheet {renamed.strip()!r}: did you mean" in e and repr(sheet.name) in e for e in errors), errors


# -- no workbook that follows the format is refused --------------------------------------------
NOTE_WORDS = ("notes", "comment", "source", "remarks", "description", "memo", "date", "author", "status", "x",
              "Notes (2024)", "seats", "party", "coalition", "country", "region", "population", "score", "url", "About",
              "README", "Data", "Sheet1", "Parties", "Summary", "Chart", "Overview", "details", "check", "total")


def _varied(name: str, draw) -> str:
    """The same name as the format matches it: any case, spaces around."""
    cased = "".join(ch.upper() if draw(st.booleans()) else ch for ch in name)
    return draw(st.sampled_from(["", " "])) + cased + draw(st.sampled_from(["", "  "]))


@settings(max_examples=examples(60), **SETTINGS)
@given(instance=instances(), data=st.data())
def test_no_workbook_that_follows_the_format_is_refused(instance, data, tmp_path_factory):
    """Names in any case with spaces around, and notes columns and sheets with other names: read as without them."""
    tables = instance_to_tables(instance)
    varied = {}
    for sheet, rows in tables.items():
        names = {k: _varied(k, data.draw) for row in rows for k in row}
        notes = data.draw(st.lists(st.sampled_from(NOTE_WORDS), max_size=2, unique=True), label=f"notes of {sheet}")
        notes = [n for n in notes if not near_misses(n, [c.name for c in schema.sheet(sheet).columns])
                 and n.lower() not in {c.name for c in schema.sheet(sheet).columns}]
        varied[_varied(sheet, data.draw)] = [{**{names[k]: v for k, v in row.items()}, **{n: "a note" for n in notes}}
                                             for row in rows]
    for extra in data.draw(st.lists(st.sampled_from(NOTE_WORDS), max_size=2, unique=True), label="note sheets"):
        if not near_misses(extra, [s.name for s in schema.SHEETS]) and extra.lower() not in {s.name.lower()
                                                                                                for s in schema.SHEETS}:
            varied[extra] = [{"text": "kept by the analyst"}]
    expected = instance_from(tables)
    assert instance_from(varied) == expected
    if data.draw(st.booleans(), label="as a workbook"):
        folder = tmp_path_factory.mktemp("varied")
        write_tables(varied, folder / "case.xlsx")
        assert planner.read_workbook(folder / "case.xlsx").replace(name="case") == expected
