"""Analysis tables (pandas DataFrames) as styled workbooks, written atomically."""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from .atomic import atomic_path
from .styles import fit_widths, freeze_header, write_table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet program may take for the start of a formula in a CSV cell."""


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV, every text cell that a spreadsheet program would take for a formula neutralised.

    A text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (an id such
    as ``=HYPERLINK("http://...")``) is written with a leading apostrophe, as the usual
    guidance on CSV injection asks, so that Excel or LibreOffice shows it as text and runs
    nothing; numbers (negative ones included) are written as numbers. Lines end in CR LF
    (RFC 4180), so that a text holding a carriage return is quoted like one holding a line feed.
    """
    out = frame.copy()
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            out[c] = frame[c].astype(object).map(_neutral)
    return out.to_csv(index=False, lineterminator="\r\n")


def _neutral(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def save_workbook(wb: Workbook, path: str | Path) -> None:
    """Save atomically to an ``.xlsx`` path, every number written exactly, the same bytes every time.

    openpyxl writes numbers with 16 significant digits, which can change a float's last
    bit (-1.3333333333333333 is read back as -1.333333333333333). While saving, numbers
    are written in Python's shortest round-trip form instead, which Excel reads exactly.

    A workbook carries dates: its document properties (created, modified) and each zip
    entry's time. They are set to :func:`document_time` (1980-01-01, or ``SOURCE_DATE_EPOCH``
    when set), so the same content gives the same bytes whenever it is written.
    """
    from openpyxl.writer.excel import ExcelWriter

    if Path(path).suffix.lower() != ".xlsx":
        raise ValueError(f"{path}: expected a path ending in .xlsx")
    when = document_time()
    wb.properties.created = wb.properties.modified = when
    with atomic_path(path) as tmp, _exact_numbers():
        archive = _DatedZip(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        archive.date_time = when.timetuple()[:6]
        ExcelWriter(wb, archive).save()  # openpyxl's own save would stamp the time of saving


def document_time() -> datetime.datetime:
    """The date written into workbooks: ``SOURCE_DATE_EPOCH`` (seconds, UTC) when set, else 1980-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        when = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).replace(tzinfo=None)
        return max(when, datetime.datetime(1980, 1, 1))
    return datetime.datetime(1980, 1, 1)


class _DatedZip(zipfile.ZipFile):
    """A zip file whose entries carry one fixed date (``date_time``)."""

    date_time = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """A file on disk (openpyxl's worksheets) as an entry with the fixed date, not the file's."""
        with open(filename, "rb") as fh:
            self.writestr(arcname if arcname is not None else os.path.basename(filename), fh.read(), compress_type, compresslevel)


@contextlib.contextmanager
def _exact_numbers():
    from openpyxl.cell import _writer

    loose = _writer.safe_string

    def exact(value):
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        return loose(value)

    _writer.safe_string = exact
    try:
        yield
    finally:
        _writer.safe_string = loose


def frames_workbook(frames: dict[str, pd.DataFrame]) -> Workbook:
    """A workbook with one styled sheet per DataFrame."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(name)
        headers = [str(c) for c in frame.columns]
        rows = ([_plain(v) for v in row] for row in frame.itertuples(index=False))
        booleans = [c for c in frame.columns if frame[c].dtype == bool]
        write_table(ws, headers, rows, booleans=booleans)
        freeze_header(ws)
        fit_widths(ws)
    return wb


def _plain(value):
    """numpy scalars as Python values and missing values (NaN) as blank cells, for openpyxl."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value
