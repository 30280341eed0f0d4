"""Hostile and broken files: limits checked before loading, macros never run, links never
followed, formulas not evaluated, every text read as data; refusals name the sheet and cell."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import planner
from planner.errors import InputErrors
from planner.io.limits import Limits, scan_workbook

from .conftest import ROOT, run_cli


def rezip(path: Path, changes: dict[str, bytes | None], target: Path | None = None) -> Path:
    """Copy a workbook with some parts replaced (bytes), added, or removed (None)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for name, data in changes.items():
        if data is None:
            parts.pop(name, None)
        else:
            parts[name] = data
    target = target or path
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member of a sheet, from the workbook's relationships."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', book) or re.search(
        rf'<sheet [^>]*r:id="(rId\d+)"[^>]*name="{sheet}"', book)
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    name = target.group(1)
    return name.lstrip("/") if name.startswith("/") else "xl/" + name


def edit_sheet(path: Path, sheet: str, edit) -> Path:
    member = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(member).decode()
    return rezip(path, {member: edit(xml).encode()})


def peak_memory_mb(*args: str) -> tuple[int, float, str]:
    """Run ``planner ARGS`` in a fresh process; its exit status, peak resident memory (MB) and stderr."""
    code = ("import resource, sys\nfrom planner.cli import main\nrc = main(sys.argv[1:])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)\nsys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    lines = proc.stderr.strip().splitlines()
    return proc.returncode, float(lines[-1]), "\n".join(lines[:-1])


# -- limits ---------------------------------------------------------------------------------
def test_one_far_cell_is_refused_before_loading(tables, workbook):
    """1.5 KB that would make a reader allocate 17 billion cells: refused, naming the sheet and the cell."""
    path = edit_sheet(workbook(tables), "Groups", lambda xml: xml.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))
    assert path.stat().st_size < 20_000
    code, peak, err = peak_memory_mb("solve", str(path), "--no-workbook")
    assert code == 2 and "Traceback" not in err
    assert "Groups:" in err and "XFD1048576" in err and "5,000,000 cells" in err and "--max-cells" in err
    _, baseline, _ = peak_memory_mb("check", str(workbook(tables, "fine.xlsx")))
    assert peak < baseline + 50


def test_a_zip_bomb_is_refused_by_its_declared_size(tables, workbook, tmp_path):
    """A part of 300 MB of spaces is a 300 KB file: refused from the zip directory, nothing inflated."""
    path = workbook(tables)
    member = "xl/worksheets/sheet99.xml"
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in z.infolist():
            out.writestr(info, z.read(info))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(300):
                fh.write(block)
    assert bomb.stat().st_size < 1_000_000
    code, peak, err = peak_memory_mb("check", str(bomb))
    assert code == 2 and "unpacks to at most 256 MB" in err and "declare 314.6 MB" in err
    _, baseline, _ = peak_memory_mb("check", str(path))
    assert peak < baseline + 50


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Patch the uncompressed size of one member, in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = member.encode()
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46: at + 46 + n]) == name:
            struct.pack_into("<I", data, at + 24, size)
            break
        at += 4
    path.write_bytes(bytes(data))


def test_a_part_that_lies_about_its_size_is_stopped_while_inflating(tables, workbook):
    """The directory says 1 KB; the stream inflates to 50 MB: reading stops at the limit."""
    path = workbook(tables)
    member = "xl/media/padding.xml"
    rezip(path, {member: b"<a>" + b" " * 50_000_000 + b"</a>"})
    _lie_about_size(path, member, 1000)
    with pytest.raises(InputErrors) as info:
        scan_workbook(path, Limits(unpacked=5_000_000))
    assert "unpacks to" in str(info.value) or "more than" in str(info.value)
    with pytest.raises(InputErrors) as info:  # within the limit, the lie itself is refused
        scan_workbook(path)
    assert "more than the 1,000 bytes it declares" in str(info.value)
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "declares" in proc.stderr


@pytest.mark.slow
def test_limits_are_configurable_by_option_and_environment(tables, workbook, tmp_path):
    path = workbook(tables)
    proc = run_cli("check", path, "--max-cells", "20")
    assert proc.returncode == 2 and "at most 20 cells" in proc.stderr and "Traceback" not in proc.stderr
    assert re.search(r"  Groups: a workbook whose sheets span at most 20 cells .* spans 4 rows x 3 columns, up to cell C4: "
                     r"31 cells in all", proc.stderr), proc.stderr
    assert run_cli("check", path, "--max-cells", "1000").returncode == 0
    env_proc = subprocess.run([sys.executable, "-m", "planner", "check", str(path)], check=False, capture_output=True, text=True,
                              env={"PYTHONPATH": str(ROOT), "PLANNER_MAX_UNPACKED_MB": "0.001", "PATH": "/usr/bin:/bin"})
    assert env_proc.returncode == 2 and "PLANNER_MAX_UNPACKED_MB" in env_proc.stderr
    bad = subprocess.run([sys.executable, "-m", "planner", "check", str(path)], check=False, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PLANNER_MAX_CELLS": "lots", "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 2 and "environment [PLANNER_MAX_CELLS]" in bad.stderr and "'lots'" in bad.stderr
    doc = tmp_path / "case.json"
    doc.write_text(json.dumps({"format": 1, "sheets": tables}))
    proc = run_cli("check", doc, "--max-cells", "10")
    assert proc.returncode == 2 and "JSON instance of at most 10 cells" in proc.stderr


# -- macros, links, formulas, texts --------------------------------------------------------
def test_macros_are_never_run_and_the_cells_are_read(tables, workbook, tmp_path):
    canary = tmp_path / "macro-ran"
    path = rezip(workbook(tables), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0Sub Workbook_Open(): "
                                    + f'Open "{canary}" For Output As #1: End Sub'.encode()},
                 tmp_path / "case.xlsm")
    proc = run_cli("solve", path, "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["package"] == {"i1": "b", "i2": "b"}
    assert not canary.exists()
    assert scan_workbook(path).macros


def test_external_links_are_never_followed_and_cached_values_are_used(tables, workbook, tmp_path):
    """A weight computed from another (missing) workbook: its cached value is the weight."""
    path = workbook(tables)
    missing = tmp_path / "elsewhere" / "weights.xlsx"
    path = edit_sheet(path, "Groups", lambda xml: re.sub(r'<c r="C2"([^>]*)><v>1</v></c>',
                                                        r'<c r="C2"\1><f>[1]Sheet1!A1</f><v>7</v></c>', xml))
    link = ('<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
            '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            f'Target="file://{missing}" TargetMode="External"/></Relationships>')
    rezip(path, {"xl/externalLinks/externalLink1.xml": link.encode(),
                 "xl/externalLinks/_rels/externalLink1.xml.rels": rels.encode()})
    instance = planner.read_workbook(path)
    assert instance.group("g1").weight == 7
    assert scan_workbook(path).external_links == 1 and not missing.parent.exists()


def test_formulas_are_read_by_their_cached_values_and_error_values_are_refused(tables, workbook):
    path = edit_sheet(workbook(tables), "Groups", lambda xml: re.sub(
        r'<c r="C3"([^>]*)><v>1</v></c>', r'<c r="C3"\1><f>1+1</f><v>2</v></c>', xml))
    assert planner.read_workbook(path).group("g2").weight == 2
    path = edit_sheet(path, "Groups", lambda xml: re.sub(
        r'<c r="C4"[^>]*><v>1</v></c>', r'<c r="C4" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml))
    proc = run_cli("solve", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Groups!C4 [weight]: a value (got the error value #DIV/0!)" in proc.stderr
    assert proc.stderr.count("C4") == 1  # not reported again as a blank cell


def test_formulas_on_sheets_and_columns_planner_ignores_are_ignored(tables, workbook):
    tables["Notes"] = [{"text": "see below", "sum": None}]
    tables["Groups"][0]["comment"] = "a note"
    path = workbook(tables)
    formula = '<row r="9"><c r="B9"><f>NOW()</f></c></row></sheetData>'
    path = edit_sheet(path, "Notes", lambda xml: xml.replace("</sheetData>", formula))
    path = edit_sheet(path, "Groups", lambda xml: re.sub(r'(<c r="J2"[^>]*>)<is><t>a note</t></is>', r'\1<f>1/0</f>', xml))
    assert len(planner.read_workbook(path).groups) == 3


def test_text_that_looks_like_a_formula_is_data_in_and_out(tables, workbook, tmp_path):
    for row in tables["Groups"] + tables["Utilities"]:
        for key in ("group", "holder"):
            if row.get(key) == "g1":
                row[key] = "=HYPERLINK(\"http://example.com\")"
    path = workbook(tables)
    out = tmp_path / "out.xlsx"
    proc = run_cli("solve", path, "--output", out)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "HYPERLINK" in xml
    from openpyxl import load_workbook

    support = load_workbook(out)["Support"]
    cells = [c for row in support.iter_rows() for c in row if c.value == '=HYPERLINK("http://example.com")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_control_characters_in_ids_still_give_a_results_workbook(tables, tmp_path):
    tables["Groups"][0]["name"] = "bell\x07 and escape\x1b"
    doc = tmp_path / "case.json"
    doc.write_text(json.dumps({"format": 1, "sheets": tables}))
    proc = run_cli("solve", doc)
    assert proc.returncode == 0 and (tmp_path / "case-results.xlsx").exists(), proc.stderr


def test_document_type_declarations_are_refused(tables, workbook):
    laughs = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(8)) + "]>")
    path = edit_sheet(workbook(tables), "Sides", lambda xml: laughs + re.sub(r"^<\?xml[^>]*\?>", "", xml))
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "document type declaration" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("name, content, needle", [
    ("case.ods", b"PK\x03\x04", "a .ods file"),
    ("case.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "a .xls file"),
    ("case.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "password-protected"),
    ("case.xlsx", b"", "not a workbook"),
])
def test_files_that_are_not_workbooks(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    proc = run_cli("check", path)
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_damaged_workbooks_are_refused_cleanly(tables, workbook):
    path = workbook(tables)
    data = path.read_bytes()
    central = data.find(b"PK\x01\x02")
    odd_version = data[:central + 6] + bytes([235, 0]) + data[central + 8:]  # "needs zip version 23.5" (found by the fuzzer)
    for k, damaged in enumerate([data[: len(data) // 2], data[:200] + bytes(200) + data[400:],
                                 data[:-30], data.replace(b"PK\x01\x02", b"PK\x01\x03", 1), odd_version]):
        target = path.with_name(f"damaged{k}.xlsx")
        target.write_bytes(damaged)
        proc = run_cli("check", target)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("text, needle", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": 1, "sheets": {"Sides": [{"side": ' + "9" * 5000 + "}]}}", "invalid JSON"),
    (b"\xff\xfe{}".decode("latin-1"), "invalid JSON"),
    ('{"format": 1, "sheets": []}', '"sheets" object'),
], ids=["deep", "long number", "garbage", "sheets not an object"])
def test_hostile_json(tmp_path, text, needle):
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    proc = run_cli("check", path)
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_json_values_of_the_wrong_shape_are_located(tables, tmp_path):
    tables["Groups"][0]["weight"] = [1, 2]
    tables["Groups"][1]["group"] = {"id": "g2"}
    tables["Groups"][2]["weight"] = 10**400
    tables["Sides"][1]["budget"] = float("nan")
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"format": 1, "sheets": tables}))
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    for where in ("Groups row 2 [weight]", "Groups row 3 [group]", "Groups row 4 [weight]", "Sides row 3 [budget]"):
        assert where in proc.stderr


def test_scan_reads_cells_without_references_and_namespace_prefixes(tmp_path):
    """Cells need no r attribute and the main namespace may carry a prefix; the grid is still found."""
    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           '<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>1</x:v></x:c></x:row>'
           '<x:row r="7"><x:c/><x:c/><x:c><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    part = scan_workbook(path).sheets["xl/worksheets/sheet1.xml"]
    assert (part.rows, part.columns) == (7, 3)
    with pytest.raises(InputErrors):
        scan_workbook(path, Limits(cells=20))


@pytest.mark.parametrize("cell, problem", [
    ('<c r="C3" t="s"><v>99999</v></c>', "a reference to shared text '99999'"),
    ('<c r="C3" t="b"><v>2</v></c>', "a boolean written as '2'"),
    ('<c r="C3" t="n"><v>abc</v></c>', "a number written as 'abc'"),
    ('<c r="C3" t="zz"><v>1</v></c>', "a cell of unknown type 'zz'"),
], ids=["shared index", "boolean", "number", "type"])
def test_cells_no_reader_can_read_are_named(tables, workbook, cell, problem):
    path = edit_sheet(workbook(tables), "Groups", lambda xml: re.sub(r'<c r="C3"[^>]*>.*?</c>', cell, xml))
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"Groups!C3: a cell a spreadsheet program wrote (got {problem}" in proc.stderr, proc.stderr
    tables["Notes"] = [{"text": "x"}]
    notes = edit_sheet(workbook(tables, "notes.xlsx"), "Notes",
                       lambda xml: re.sub(r'<c r="A2"[^>]*>.*?</c>', cell.replace("C3", "A2"), xml))
    assert run_cli("check", notes).returncode == 0  # a sheet planner ignores may hold anything
