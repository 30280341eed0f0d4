"""The package's exceptions, and the located input error they report.

Bad input raises :class:`InputErrors`, whose ``errors`` are :class:`InputError` values
that name the sheet, row and column, and what was expected and found. The command line
turns :class:`InputErrors`, :class:`UsageError` and :class:`ParameterError` into exit
status 2 and :class:`SolverRefused` into exit status 3; any other exception is a bug.
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
    text: str | None = None  # the message after the location, when expected/found do not say it well

    def __str__(self) -> str:
        where = self.sheet
        if self.cell:
            where += f"!{self.cell}"
        elif self.row is not None:
            where += f" row {self.row}"
        if self.column and not (self.text and self.cell):
            where += f" [{self.column}]"
        if self.text:
            return f"{where}: {self.text}"
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


LISTED = 100
"""Problems an error report lists in full; the rest are counted by sheet and column."""
COUNTED = 30
"""Sheet and column pairs the counts of the problems not listed name; the rest are summed."""


class Problems:
    """Problems found while reading, kept within bounded memory.

    The first :data:`LISTED` are kept whole; of the others only a count per sheet and
    column is kept (400,000 bad rows made an 800,000-line report of 54 MB). Iterating gives
    the problems kept; ``len()`` counts them all. :meth:`reported` takes problems already
    located on cells (a formula with no cached value, an error value): later problems on
    those cells are not reported again.
    """

    def __init__(self, errors: list[InputError] | None = None, listed: int = LISTED):
        self.listed: list[InputError] = []
        self.not_listed: dict[tuple[str, str | None], int] = {}
        self.sheets: set[str] = set()
        self.limit = listed
        self._total = 0
        self._cells: set[tuple[str, str]] = set()
        self.extend(errors or [])

    def append(self, error: InputError) -> None:
        if error.cell is not None and (error.sheet, error.cell) in self._cells:
            return
        self._total += 1
        self.sheets.add(error.sheet)
        if len(self.listed) < self.limit:
            self.listed.append(error)
        else:
            key = (error.sheet, error.column)
            self.not_listed[key] = self.not_listed.get(key, 0) + 1

    def extend(self, errors) -> None:
        for error in errors:
            self.append(error)

    def reported(self, errors: list[InputError]) -> None:
        """Add problems already located on cells; later problems on the same cells are left out."""
        self.extend(errors)
        self._cells.update((e.sheet, e.cell) for e in errors if e.cell is not None)

    def __len__(self) -> int:
        return self._total

    def __bool__(self) -> bool:
        return self._total > 0

    def __iter__(self):
        return iter(self.listed)


class InputErrors(Exception):
    """Bad input: every problem found, each located; beyond the first :data:`LISTED`, counted.

    ``errors`` are the problems listed in full, ``total`` counts them all and
    ``not_listed`` maps (sheet, column) to the number of the others.
    """

    def __init__(self, errors: list[InputError] | Problems, source: str = ""):
        problems = errors if isinstance(errors, Problems) else Problems(errors)
        self.errors = list(problems.listed)
        self.total = len(problems)
        self.not_listed = dict(problems.not_listed)
        self.source = source
        super().__init__(self.message())

    def message(self) -> str:
        head = f"{self.source}: " if self.source else ""
        n = self.total
        lines = [f"{head}{n:,} problem{'s' if n != 1 else ''} in the input:"]
        lines += [f"  {e}" for e in self.errors]
        if self.not_listed:
            lines.append(f"  ... and {n - len(self.errors):,} more, not listed, by sheet and column:")
            counts = self.counts()
            for c in counts[:COUNTED]:
                where = c["sheet"] + (f" [{c['column']}]" if c["column"] else "")
                lines.append(f"    {where}: {c['problems']:,}")
            if len(counts) > COUNTED:
                lines.append(f"    {len(counts) - COUNTED:,} other columns: {sum(c['problems'] for c in counts[COUNTED:]):,}")
        return "\n".join(lines)

    def counts(self) -> list[dict]:
        """The problems not listed, by sheet and column, most first."""
        return [{"sheet": sheet, "column": column, "problems": n}
                for (sheet, column), n in sorted(self.not_listed.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))]


class CellError(ValueError):
    """A cell that cannot be read as its column's type (the reader reports it as a located InputError)."""


class ParameterError(ValueError):
    """An unknown or malformed parameter name, or a value it cannot take."""


class UsageError(Exception):
    """Bad usage of an option of the command line; exit status 2."""


class OutputBusy(UsageError):
    """Another ``planner batch`` holds the output folder (its lock)."""


class SolverRefused(Exception):
    """HiGHS cannot take the model (coefficients beyond what it accepts); exit status 3, with the reason."""


class IdealUnknown(Exception):
    """The time limit ended a solve of the ideal point before it found a deal or proved there is none."""


class DeadlinePassed(Exception):
    """The run's time limit ended while it was reading, building or presolving, or left too little
    time for a step that cannot be interrupted (see :mod:`planner.deadline`); the message says which."""


class SchedulerUnreachable(Exception):
    """The Dask scheduler named by ``--scheduler`` could not be reached."""
