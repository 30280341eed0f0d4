"""No loss: no command writes over its input (also through a link), a batch's outputs never
replace its inputs, and every output is written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from pathlib import Path

import pytest

import planner
from planner.cli import main
from planner.io.atomic import write_text

from .conftest import ROOT


def _run(*argv) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tables, workbook, tmp_path):
    xlsx = workbook(tables)
    doc = tmp_path / "case.json"
    doc.write_text(json.dumps({"format": 1, "sheets": tables}))
    return xlsx, doc


def _commands(xlsx: Path, doc: Path) -> list[tuple]:
    """Every command with every option that names a file, pointed at the command's input."""
    out = []
    for path in (xlsx, doc):
        for command, extra in (("solve", ()), ("frontier", ()), ("schelling", ("--side", "H")),
                               ("sweep", ("--param", "Sides[H].budget", "--values", "0,1")), ("diagnose", ()),
                               ("power", ()), ("winset", ()), ("check", ())):
            if path.suffix == ".xlsx" and command != "check":
                out.append((command, path, *extra, "--output", path))
            out.append((command, path, *extra, "--json", path))
    out += [("convert", xlsx, xlsx, "--force"), ("convert", doc, doc, "--force"),
            ("batch", doc, "--out", doc.parent, "--json", doc)]
    return out


def test_no_command_writes_over_its_input(inputs):
    xlsx, doc = inputs
    before = {p: _digest(p) for p in inputs}
    commands = _commands(xlsx, doc)
    assert {c[0] for c in commands} >= {"solve", "frontier", "schelling", "sweep", "diagnose", "power", "winset", "check",
                                        "convert", "batch"}
    for argv in commands:
        code, err = _run(*argv)
        assert code == 2 and "refusing to overwrite the input" in err and "Traceback" not in err, (argv, err)
    assert {p: _digest(p) for p in inputs} == before


def test_a_link_to_the_input_is_the_input(inputs, tmp_path):
    xlsx, doc = inputs
    (tmp_path / "alias.xlsx").symlink_to(xlsx)
    os.link(doc, tmp_path / "hard.json")
    before = _digest(xlsx), _digest(doc)
    assert _run("solve", xlsx, "--output", tmp_path / "alias.xlsx")[0] == 2
    assert _run("solve", doc, "--json", tmp_path / "hard.json", "--no-workbook")[0] == 2
    assert _run("convert", xlsx, tmp_path / "alias.xlsx", "--force")[0] == 2
    assert (_digest(xlsx), _digest(doc)) == before


def test_the_results_workbook_goes_beside_the_input_not_over_it(inputs):
    xlsx, doc = inputs
    before = _digest(xlsx)
    assert _run("solve", xlsx)[0] == 0 and _run("solve", doc)[0] == 0
    assert _digest(xlsx) == before
    assert xlsx.with_name("case-results.xlsx").exists()
    # the results workbook of a file named like a results workbook is a new file too
    renamed = xlsx.with_name("case-results.xlsx")
    assert _run("solve", renamed)[0] == 2  # a results workbook is not an instance; it is left alone
    assert not renamed.with_name("case-results-results.xlsx").exists()


def test_a_batch_never_replaces_an_input_with_its_outputs(inputs, tmp_path):
    xlsx, doc = inputs
    out = tmp_path / "runs"
    out.mkdir()
    trap = out / "summary.xlsx"
    trap.write_bytes(xlsx.read_bytes())
    before = _digest(trap)
    code, err = _run("batch", trap, doc, "--out", out, "-q")
    assert code == 2 and "refusing to overwrite the input" in err and _digest(trap) == before
    code, _ = _run("batch", xlsx, doc, "--out", out, "-q")
    assert code == 0 and _digest(trap) != before  # an ordinary run writes its summary there


def test_outputs_are_written_atomically(tmp_path, monkeypatch):
    """A write that fails half-way leaves the old file as it was and no temporary file."""
    target = tmp_path / "result.json"
    target.write_text("old")
    real = Path.write_text

    def half(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", half)
    with pytest.raises(OSError):
        write_text(target, "new and much longer content")
    monkeypatch.undo()
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["result.json"]

    from openpyxl.writer import excel

    result = planner.solve(planner.read_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx"))
    book = tmp_path / "results.xlsx"
    planner.write_results(result, book)
    before = _digest(book)

    def broken(self):
        self._archive.writestr("xl/partial.xml", "<half")
        raise OSError("disk full")

    monkeypatch.setattr(excel.ExcelWriter, "save", broken)
    with pytest.raises(OSError):
        planner.write_results(result, book)
    assert _digest(book) == before and sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "results.xlsx"]
