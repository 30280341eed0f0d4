"""The package's exceptions, and the located input error they report.

Bad input raises :class:`InputErrors`, whose ``errors`` are :class:`InputError` values
that name the sheet, row and column, and what was expected and found. The command line
turns :class:`InputErrors`, :class:`UsageError` and :class:`ParameterError` into exit
status 2; any other exception is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


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


class CellError(ValueError):
    """A cell that cannot be read as its column's type (the reader reports it as a located InputError)."""


class ParameterError(ValueError):
    """An unknown or malformed parameter name, or a value it cannot take."""


class UsageError(Exception):
    """Bad usage of an option of the command line; exit status 2."""


class OutputBusy(UsageError):
    """Another ``planner batch`` holds the output folder (its lock)."""


class IdealUnknown(Exception):
    """The time limit ended a solve of the ideal point before it found a deal or proved there is none."""


class DeadlinePassed(Exception):
    """The run's time limit ended while it was reading, building or presolving, or left too little
    time for a step that cannot be interrupted (see :mod:`planner.deadline`); the message says which."""


class SchedulerUnreachable(Exception):
    """The Dask scheduler named by ``--scheduler`` could not be reached."""
