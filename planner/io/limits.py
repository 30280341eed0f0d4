"""Limits on what planner reads, and a safe scan of a workbook before anything loads it.

A workbook is a zip archive of XML parts. A few kilobytes of zip can unpack to gigabytes
(a *zip bomb*), and a single cell at ``XFD1048576`` makes a spreadsheet reader allocate
the whole grid of 17 billion cells. Before the reader (python-calamine) sees a workbook,
:func:`scan_workbook` checks it part by part with bounded memory:

* the sizes the zip directory declares must add up to at most the unpacked limit;
* every part is then actually decompressed, chunk by chunk, and counted: reading stops
  as soon as the unpacked limit is passed, and a part that unpacks to more than its
  declared size is refused as damaged;
* every XML part is parsed as a stream (expat, no DTD allowed), and the cells of every
  sheet are located: the grid a sheet spans (its last row times its last column, which is
  what a reader allocates) must keep the whole workbook within the cell limit.

The same pass finds the formulas that have no cached value and the cells that hold an
error value (``#DIV/0!``, ``#REF!``...), which are input errors naming the cell. Macros
(``vbaProject.bin``) and external links are parts that planner never reads or runs.

Table-form JSON instances are held to the same limits (:func:`read_json_bytes`).

The limits come from the environment (:data:`CELLS_VARIABLE`, :data:`UNPACKED_VARIABLE`)
or the command line's ``--max-cells`` and ``--max-unpacked-mb``; defaults
:data:`DEFAULT_CELLS` and :data:`DEFAULT_UNPACKED_MB`.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from .. import deadline
from ..errors import InputError, InputErrors
from .tables import column_letter

DEFAULT_CELLS = 5_000_000
"""Most cells a workbook's sheets may span together (the largest generated instance spans 1.9 million)."""
DEFAULT_UNPACKED_MB = 256
"""Most megabytes (10^6 bytes) of unpacked XML a workbook, or of text a JSON instance, may hold."""
CELLS_VARIABLE = "PLANNER_MAX_CELLS"
UNPACKED_VARIABLE = "PLANNER_MAX_UNPACKED_MB"
MAX_PARTS = 10_000
"""Most parts (zip members) a workbook may have; Excel writes a few dozen."""
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CHUNK = 1 << 20

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@dataclass(frozen=True)
class Limits:
    """How much planner reads: cells spanned by all sheets, and bytes of unpacked text."""

    cells: int = DEFAULT_CELLS
    unpacked: int = DEFAULT_UNPACKED_MB * 1_000_000

    def describe(self) -> str:
        return f"{self.cells:,} cells and {self.unpacked / 1e6:g} MB unpacked"


def current() -> Limits:
    """The limits in force: the environment's, else the defaults.

    A malformed value is bad input (exit status 2), named by its variable.
    """
    return Limits(cells=_from_env(CELLS_VARIABLE, DEFAULT_CELLS, 1),
                  unpacked=int(_from_env(UNPACKED_VARIABLE, DEFAULT_UNPACKED_MB, 1e-6) * 1_000_000))


def _from_env(name: str, default: float, minimum: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = float("nan")
    if not (minimum <= value < 1e15):
        raise InputErrors([InputError("environment", None, name, f"a number >= {minimum:g}", repr(text))], name)
    return int(value) if name == CELLS_VARIABLE else value


def _over(path: Path, what: str, found: str, sheet: str | None = None, cells: bool = False) -> InputErrors:
    option, variable = ("--max-cells", CELLS_VARIABLE) if cells else ("--max-unpacked-mb", UNPACKED_VARIABLE)
    expected = f"{what} (the limit of {option} or {variable}; raise it if the file is trusted)"
    return InputErrors([InputError(sheet or path.name, None, None, expected, found)], str(path))


def _damaged(path: Path, found: str) -> InputErrors:
    return InputErrors([InputError(path.name, None, None, "an undamaged Excel workbook (.xlsx)", found)], str(path))


# -- the scan ---------------------------------------------------------------------------
@dataclass
class PartScan:
    """What the scan found in one XML part: the grid its cells span, and cells to report."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    formulas_without_value: list[str] = field(default_factory=list)
    error_values: list[tuple[str, str]] = field(default_factory=list)

    @property
    def area(self) -> int:
        return self.rows * self.columns

    @property
    def farthest(self) -> str:
        """The corner of the grid the sheet spans, e.g. ``D481``."""
        return f"{column_letter(self.columns - 1)}{self.rows}"


@dataclass
class WorkbookScan:
    """A workbook checked against the limits. ``sheets`` maps sheet names to their parts' scans."""

    unpacked: int
    sheets: dict[str, PartScan]
    hidden: list[str]
    macros: bool
    external_links: int
    members: dict[str, str] = field(default_factory=dict)  # sheet name -> its part in the zip

    @property
    def area(self) -> int:
        return sum(s.area for s in self.sheets.values())


def scan_workbook(path: str | Path, limits: Limits | None = None) -> WorkbookScan:
    """Check a workbook against ``limits`` (default :func:`current`) without loading it.

    Raises :class:`InputErrors` naming the file (or the sheet) when a limit is passed or
    the package is damaged; memory use stays bounded whatever the file holds.
    """
    path = Path(path)
    limits = limits or current()
    if path.stat().st_size > limits.unpacked:
        raise _over(path, f"a workbook file of at most {limits.unpacked / 1e6:g} MB",
                    f"a file of {path.stat().st_size / 1e6:.1f} MB")
    try:
        with zipfile.ZipFile(path) as z:
            return _scan(path, z, limits)
    except InputErrors:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, struct.error, zlib.error, ValueError,
            NotImplementedError, RuntimeError, KeyError, IndexError, OverflowError) as exc:  # what a damaged zip directory raises
        raise _damaged(path, f"{type(exc).__name__}: {exc}") from None


def _scan(path: Path, z: zipfile.ZipFile, limits: Limits) -> WorkbookScan:
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise _damaged(path, f"{len(infos):,} parts (spreadsheet programs write a few dozen; at most {MAX_PARTS:,} are read)")
    declared = sum(i.file_size for i in infos)
    if declared > limits.unpacked:
        raise _over(path, f"a workbook that unpacks to at most {limits.unpacked / 1e6:g} MB",
                    f"its parts declare {declared / 1e6:,.1f} MB")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _damaged(path, f"an encrypted part ({info.filename})")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(path, f"part {info.filename} compressed by method {info.compress_type}, "
                                 "which spreadsheet programs do not use")
    budget = [limits.unpacked]
    names, hidden = _book(z, path, budget)
    scans: dict[str, PartScan] = {}
    area = 0
    for info in infos:
        chunks = _unpacked(z, info, path, budget)
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            for _ in chunks:  # counted, not parsed: media, printer settings, vbaProject.bin
                pass
            continue
        part = _scan_xml(chunks, path, info.filename)
        if part.cells:
            sheet = names.get(info.filename, info.filename)
            scans[sheet] = part
            area += part.area
            if area > limits.cells:
                raise _over(path, f"a workbook whose sheets span at most {limits.cells:,} cells",
                            f"this sheet spans {part.rows:,} rows x {part.columns:,} columns, up to cell {part.farthest}: "
                            f"{area:,} cells in all", sheet, cells=True)
    lower = [n.lower() for n in z.namelist()]
    macros = any(n.endswith("vbaproject.bin") for n in lower)
    external = sum(1 for n in lower if n.startswith("xl/externallinks/") and n.endswith(".xml"))
    return WorkbookScan(limits.unpacked - budget[0], scans, hidden, macros, external, {v: k for k, v in names.items()})


def _unpacked(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: list[int]):
    """The decompressed bytes of one part, chunk by chunk, charged to ``budget``.

    Reads the raw compressed data (as much as the directory says) and inflates it with a
    bound on every step, so that a part whose stream unpacks to more than its declared
    size is noticed, however it lies about its size.
    """
    fp = z.fp
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise _damaged(path, f"a bad local header for part {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0

    def charge(data: bytes) -> bytes:
        nonlocal produced
        produced += len(data)
        budget[0] -= len(data)
        if budget[0] < 0:
            raise _over(path, "a workbook that unpacks to at most the unpacked limit",
                        f"more than that once part {info.filename} is unpacked")
        if produced > info.file_size:
            raise _damaged(path, f"part {info.filename} unpacks to more than the {info.file_size:,} bytes it declares")
        return data

    while left > 0:
        raw = fp.read(min(CHUNK, left))
        if not raw:
            raise _damaged(path, f"part {info.filename} is cut short")
        left -= len(raw)
        if inflate is None:
            yield charge(raw)
            continue
        data = inflate.decompress(raw, CHUNK)
        while True:
            if data:
                yield charge(data)
            if not inflate.unconsumed_tail:
                break
            data = inflate.decompress(inflate.unconsumed_tail, CHUNK)
    if inflate is not None:
        tail = inflate.flush(CHUNK)
        if tail:
            yield charge(tail)
    if produced != info.file_size:
        raise _damaged(path, f"part {info.filename} unpacks to {produced:,} bytes, not the {info.file_size:,} it declares")


def _read_part(z: zipfile.ZipFile, name: str, path: Path, budget: list[int]) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    return b"".join(_unpacked(z, info, path, budget))


def _xml(data: bytes | None):
    if data is None:
        return None
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None


def _book(z: zipfile.ZipFile, path: Path, budget: list[int]) -> tuple[dict[str, str], list[str]]:
    """Part name -> sheet name (from the workbook part and its relationships), and the hidden sheets."""
    book = _xml(_read_part(z, "xl/workbook.xml", path, budget))
    rels = _xml(_read_part(z, "xl/_rels/workbook.xml.rels", path, budget))
    if book is None:
        return {}, []
    sheets = list(book.iter(f"{{{_NS['m']}}}sheet"))
    hidden = [s.get("name", "?") for s in sheets if s.get("state") in ("hidden", "veryHidden")]
    if rels is None:
        return {}, hidden
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_NS['rel']}}}Relationship")}
    out = {}
    for s in sheets:
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[member] = s.get("name", "?")
    return out, hidden


class _Refused(Exception):
    """Raised inside an expat handler to stop parsing."""


def _scan_xml(chunks, path: Path, member: str) -> PartScan:
    """Stream-parse one XML part: where its cells lie, formulas with no cached value, error values.

    Only element starts are handled for ordinary cells (a cell counts once it has a value,
    a formula or an inline string); a formula or error cell gets end and text handlers
    until it closes, to see whether it carries a cached value.
    """
    part = PartScan()
    names: dict[str, str] = {}
    columns: dict[str, int] = {}
    parser = expat.ParserCreate()  # names as written ("c", "x:c"): readers match local names too
    parser.buffer_text = True
    row_number = col_number = 0
    cell: tuple[int, int] | None = None
    watched: dict | None = None  # a formula or error cell being followed to its end

    def start(name: str, attrs: dict) -> None:
        nonlocal row_number, col_number, cell, watched
        tag = names.get(name)
        if tag is None:
            tag = names[name] = name.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            if ref is not None:
                letters = ref.rstrip("0123456789")
                col = columns.get(letters)
                if col is None:
                    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
                        raise _Refused(f"a cell reference {ref[:20]!r} in {member}")
                    col = columns[letters] = _column_number(letters.upper())
                digits = ref[len(letters):]
                if not 0 < len(digits) <= 7:
                    raise _Refused(f"a cell reference {ref[:20]!r} in {member}")
                row = int(digits)
            else:
                col, row = col_number + 1, max(row_number, 1)
            if row > EXCEL_ROWS or col > EXCEL_COLUMNS or row < 1:
                raise _Refused(f"a cell beyond Excel's grid ({ref or row}) in {member}")
            cell, col_number = (row, col), col
            if attrs.get("t") == "e":
                watched = {"cell": cell, "formula": False, "value": False, "error": True, "text": []}
                parser.EndElementHandler = end
        elif tag == "row":
            r = attrs.get("r")
            row_number = int(r) if r is not None and r.isdigit() and len(r) < 9 else row_number + 1
            col_number = 0
        elif cell is not None and tag in ("v", "is", "f"):
            row, col = cell
            if row > part.rows:  # noqa: PLR1730  (faster than max() on millions of cells)
                part.rows = row
            if col > part.columns:  # noqa: PLR1730
                part.columns = col
            if tag == "f":
                if watched is None or watched["cell"] != cell:
                    watched = {"cell": cell, "formula": True, "value": False, "error": False, "text": []}
                    parser.EndElementHandler = end
                watched["formula"] = True
            elif watched is not None and watched["cell"] == cell:
                if tag == "is":
                    watched["value"] = True
                else:
                    parser.CharacterDataHandler = watched["text"].append

    def end(name: str) -> None:
        nonlocal watched, cell
        tag = names.get(name) or name.rpartition(":")[2]
        if tag == "v":
            parser.CharacterDataHandler = None
            if "".join(watched["text"]).strip():
                watched["value"] = True
        elif tag == "c":
            row, col = watched["cell"]
            address = column_letter(col - 1) + str(row)
            if watched["formula"] and not watched["value"]:
                part.formulas_without_value.append(address)
            elif watched["error"]:
                part.error_values.append((address, "".join(watched["text"]).strip() or "an error"))
            watched, cell = None, None
            parser.EndElementHandler = None
            parser.CharacterDataHandler = None

    def doctype(*_args) -> None:
        raise _Refused(f"a document type declaration in {member} (spreadsheet programs write none)")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        for chunk in chunks:
            deadline.check(f"checking the workbook's part {member}")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as exc:
        raise _damaged(path, str(exc)) from None
    except expat.ExpatError as exc:
        raise _damaged(path, f"malformed XML in {member}: {exc}") from None
    part.cells = part.rows and part.columns and 1  # a part with cells; its grid is what counts
    return part


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# -- cells a reader cannot read ------------------------------------------------------------------
_TYPES = {None, "n", "s", "b", "d", "e", "str", "inlineStr"}


def unreadable_cells(path: str | Path, member: str, most: int = 5) -> list[tuple[str, str]]:
    """Up to ``most`` cells of one sheet part that no reader can convert, each with what is wrong.

    Used after the reader refused a sheet, to name the cell: a shared-string index beyond
    the table, a boolean other than 0 or 1, a number that is no number, an unknown type.
    Reads the part with the same limits as :func:`scan_workbook` (which has passed).
    """
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        budget = [current().unpacked]
        shared = _read_part(z, "xl/sharedStrings.xml", path, budget)
        strings = len(re.findall(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]", shared)) if shared is not None else 0
        data = _read_part(z, member, path, budget)
    if data is None:
        return []
    found: list[tuple[str, str]] = []
    cell: dict | None = None
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def start(name: str, attrs: dict) -> None:
        nonlocal cell
        tag = name.rpartition(":")[2]
        if tag == "c":
            cell = {"ref": attrs.get("r", "?"), "t": attrs.get("t"), "v": None}
        elif tag == "v" and cell is not None:
            cell["v"] = ""
            parser.CharacterDataHandler = lambda text: cell.__setitem__("v", cell["v"] + text)

    def end(name: str) -> None:
        nonlocal cell
        tag = name.rpartition(":")[2]
        if tag == "v":
            parser.CharacterDataHandler = None
        elif tag == "c" and cell is not None:
            problem = _unreadable(cell["t"], (cell["v"] or "").strip(), cell["v"] is not None, strings)
            if problem and len(found) < most:
                found.append((cell["ref"], problem))
            cell = None

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass
    return found


def _unreadable(kind: str | None, value: str, has_value: bool, strings: int) -> str:
    if kind not in _TYPES:
        return f"a cell of unknown type {kind!r}"
    if not has_value or not value:
        return ""
    if kind == "s" and not (value.isdigit() and int(value) < strings):
        return f"a reference to shared text {value!r}, which the workbook does not hold"
    if kind == "b" and value not in ("0", "1"):
        return f"a boolean written as {value!r}"
    if kind in (None, "n"):
        try:
            float(value)
        except ValueError:
            return f"a number written as {value!r}"
    return ""


# -- table-form JSON ----------------------------------------------------------------------
def read_json_bytes(path: Path, limits: Limits | None = None) -> bytes:
    """The bytes of a JSON instance, refused before parsing when over the limits.

    Every cell of table form is one ``"header": value`` member, so its separators bound
    the cells (over-counting separators inside texts).
    """
    limits = limits or current()
    size = path.stat().st_size
    if size > limits.unpacked:
        raise _over(path, f"a JSON instance of at most {limits.unpacked / 1e6:g} MB", f"{size / 1e6:,.1f} MB")
    data = path.read_bytes()
    values = max(data.count(b":"), data.count(b","))
    if values > limits.cells:
        raise _over(path, f"a JSON instance of at most {limits.cells:,} cells", f"about {values:,} values", cells=True)
    return data
