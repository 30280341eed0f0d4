"""Analysis tables (pandas DataFrames) as styled workbooks, written atomically."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from .atomic import atomic_path
from .styles import fit_widths, freeze_header, write_table


def write_frames(frames: dict[str, pd.DataFrame], path: str | Path) -> None:
    """One sheet per DataFrame: styled header, frozen pane, fitted widths, booleans coloured."""
    save_workbook(frames_workbook(frames), path)


def save_workbook(wb: Workbook, path: str | Path) -> None:
    """Save atomically to an ``.xlsx`` path, every number written exactly.

    openpyxl writes numbers with 16 significant digits, which can change a float's last
    bit (-1.3333333333333333 is read back as -1.333333333333333). While saving, numbers
    are written in Python's shortest round-trip form instead, which Excel reads exactly.
    """
    if Path(path).suffix.lower() != ".xlsx":
        raise ValueError(f"{path}: expected a path ending in .xlsx")
    with atomic_path(path) as tmp, _exact_numbers():
        wb.save(tmp)


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
