"""The optional Sweeps sheet: sensitivity studies stored in the instance workbook."""

from __future__ import annotations

from pathlib import Path

from .. import schema
from ..errors import InputErrors, ParameterError
from ..io.excel_read import read_tables
from ..io.tables import Reader, Record
from ..model import Instance
from .params import check_values, value_of
from .sweep import MAX_POINTS, Study, TooManyPoints, check_points, parse_values

MAX_GRID_PARAMETERS = 2
TOO_MANY = f"a sweep of at most {MAX_POINTS:,} points (a longer step or a shorter range)"


def read_studies(path: str | Path, instance: Instance) -> list[Study]:
    """The studies of the workbook's Sweeps sheet, in order; [] without one. Raises located InputErrors."""
    reader = Reader(read_tables(path))
    studies: dict[str, Study] = {}
    for rec in reader.records(schema.SWEEPS):
        if rec["sweep"] is None or rec["parameter"] is None:
            continue
        kind = rec["kind"] or "grid"
        study = studies.setdefault(rec["sweep"], Study(rec["sweep"], kind))
        if study.kind != kind:
            reader.errors.append(rec.error("kind", f"{study.kind!r}, like the sweep's first row", rec["kind"]))
            continue
        if not _settle(study, rec, instance, reader):
            continue
        name = rec["parameter"].strip()
        if not _known(instance, name, rec, reader):
            continue
        if name in study.grid or name in study.moves:
            reader.errors.append(rec.error("parameter", "each parameter once per sweep", name))
        elif kind == "tornado":
            _add_move(study, instance, name, rec, reader)
        elif len(study.grid) == MAX_GRID_PARAMETERS:
            reader.errors.append(rec.error("sweep", f"at most {MAX_GRID_PARAMETERS} parameters per grid", rec["sweep"]))
        else:
            values = _values(rec, reader)
            if values is not None and _valid_values(instance, name, values, rec, reader) and _few_enough(study, name, values,
                                                                                                       rec, reader):
                study.grid[name] = values
    if reader.errors:
        raise InputErrors(reader.errors, str(path))
    return [s for s in studies.values() if s.grid or s.moves]


def _settle(study: Study, rec: Record, instance: Instance, reader: Reader) -> bool:
    """Take the row's home and objective for the sweep; refuse a second, different one."""
    for column in ("home", "objective"):
        value = rec[column]
        if value is None:
            continue
        if column == "home" and value not in instance.side_ids:
            reader.errors.append(rec.error("home", f"a side ({', '.join(instance.side_ids)})", value))
            return False
        if getattr(study, column) not in (None, value):
            reader.errors.append(rec.error(column, f"{getattr(study, column)!r}, as on the sweep's other rows", value))
            return False
        setattr(study, column, value)
    return True


def _known(instance: Instance, name: str, rec: Record, reader: Reader) -> bool:
    try:
        value_of(instance, name)
        return True
    except ParameterError as exc:
        reader.errors.append(rec.error("parameter", "a parameter of this workbook", text=str(exc)))
        return False


def _add_move(study: Study, instance: Instance, name: str, rec: Record, reader: Reader) -> None:
    if value_of(instance, name) is None:
        reader.errors.append(rec.error("parameter", "a parameter with a value in the workbook (a tornado moves it)",
                                       text=f"{name} is blank"))
        return
    study.moves[name] = rec["rel"] if rec["rel"] is not None else 0.1


def _values(rec: Record, reader: Reader) -> list[float] | None:
    if rec["values"] is not None:
        try:
            return parse_values(str(rec["values"]))
        except TooManyPoints as exc:
            reader.errors.append(rec.error("values", TOO_MANY, text=f"{exc.count:,} values"))
            return None
        except ValueError as exc:
            reader.errors.append(rec.error("values", "a list 1,2,5 or a range FROM:TO:STEP", text=str(exc)))
            return None
    start, stop, step = rec["from"], rec["to"], rec["step"]
    if None in (start, stop, step):
        reader.errors.append(rec.error("values", "values, or all of from, to and step", text="blank"))
        return None
    if step <= 0:
        reader.errors.append(rec.error("step", "a number > 0", step))
        return None
    if stop < start:
        reader.errors.append(rec.error("to", f"a number >= from ({start:g})", stop))
        return None
    try:
        return parse_values(f"{start!r}:{stop!r}:{step!r}")
    except TooManyPoints as exc:
        reader.errors.append(rec.error("step", TOO_MANY, text=f"from {start:g} to {stop:g} by {step:g}: {exc.count:,} points"))
        return None
    except ValueError:  # numbers beyond any range
        reader.errors.append(rec.error("step", "a range between finite numbers", text=f"from {start!r} to {stop!r}"))
        return None


def _few_enough(study: Study, name: str, values: list[float], rec: Record, reader: Reader) -> bool:
    """A grid's combinations within the bound, counted before any is made."""
    try:
        check_points({**study.grid, name: values})
        return True
    except TooManyPoints as exc:
        column = "values" if rec["values"] is not None else "step"
        reader.errors.append(rec.error(column, TOO_MANY, text=f"{exc.count:,} points with the sweep's other parameter"))
        return False


def _valid_values(instance: Instance, name: str, values: list[float], rec: Record, reader: Reader) -> bool:
    try:
        check_values(instance, name, values)
        return True
    except ParameterError as exc:
        column = "values" if rec["values"] is not None else "from"
        reader.errors.append(rec.error(column, "values the parameter can take", text=str(exc)))
        return False
