"""Input errors that name the sheet, row and column, and what was expected and found."""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class InputError:
    """One problem in the input. ``row`` is the row number as Excel shows it (1 = headers)."""

    sheet: str
    row: int | None
    column: str | None
    expected: str
    found: str = ""
    cell: str | None = None  # e.g. "D7" for workbooks; None for table-form files

    def __str__(self) -> str:
        where = self.sheet
        if self.cell:
            where += f"!{self.cell}"
        elif self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" [{self.column}]"
        text = f"{where}: {self.expected}"
        return text + (f" (got {self.found})" if self.found else "")

    def to_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "expected": self.expected,
            "found": self.found,
            "message": str(self),
        }


class InputErrors(Exception):
    """Bad input: every problem found, each located."""

    def __init__(self, errors: list[InputError], source: str = ""):
        self.errors = list(errors)
        self.source = source
        super().__init__(self.message())

    def message(self) -> str:
        head = f"{self.source}: " if self.source else ""
        n = len(self.errors)
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} in the input:"]
        lines += [f"  {e}" for e in self.errors]
        return "\n".join(lines)


def found(value: object) -> str:
    """How a cell's content is quoted in a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "a blank cell"
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"
