"""From raw tables (a workbook's sheets or a table-form JSON file) to a validated Instance.

Reading happens in two passes. The first checks each cell against the schema
(:mod:`planner.schema`) and converts it; the second checks references between sheets and
builds the :class:`~planner.model.Instance`. Both passes collect every error they can
find, each located by sheet, row and column, and raise them together.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import deadline, schema
from ..errors import CellError, InputError, InputErrors, Problems
from ..model import (
    Action,
    Body,
    Group,
    Instance,
    Issue,
    Link,
    Member,
    Option,
    Rule,
    Scenario,
    ScenarioChange,
    Settings,
    Side,
    Transfer,
)
from ..schema import Column, Sheet
from .names import near_misses, suggestion

_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


@dataclass
class RawTable:
    """A sheet as read: its name in the file, its headers (row 1) and its data rows.

    ``rows`` holds ``(row_number, values)`` with the row number as Excel shows it.
    ``cells`` says whether errors are located by cell address (workbooks) or by row.
    """

    name: str
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]
    cells: bool = True

    def where(self, row: int, col: int, column: str) -> dict:
        return {"sheet": self.name, "row": row, "column": column, "cell": f"{column_letter(col)}{row}" if self.cells else None}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def norm(text: Any) -> str:
    return str(text).strip().lower() if text is not None else ""


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def found(value: Any) -> str:
    """How a cell's content is quoted in a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "a blank cell"
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


# -- cell conversion ------------------------------------------------------------------
def to_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):  # dates, and JSON lists or objects
        raise CellError
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if not text:
        raise CellError
    return text


def to_number(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise CellError
    if isinstance(value, (int, float)):
        try:
            x = float(value)
        except OverflowError as exc:  # a whole number beyond any float (from JSON)
            raise CellError from exc
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError as exc:
            raise CellError from exc
    else:
        raise CellError
    if not math.isfinite(x):
        raise CellError
    return x


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise CellError


def convert(column: Column, value: Any) -> Any:
    """A non-blank cell converted to the column's type, or :class:`CellError`."""
    if column.kind == "id":
        return to_id(value)
    if column.kind == "text":
        if isinstance(value, (list, dict)):  # JSON structures are not texts
            raise CellError
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
    if column.kind == "bool":
        return to_bool(value)
    if column.kind == "choice":
        text = norm(value)
        if text not in column.choices:
            raise CellError
        return text
    x = to_number(value)
    if column.kind == "whole":
        if not x.is_integer():
            raise CellError
        x = int(x)
    if column.minimum is not None and x < column.minimum:
        raise CellError
    if column.maximum is not None and x > column.maximum:
        raise CellError
    return x


# -- pass 1: cells ------------------------------------------------------------------
@dataclass
class Record:
    """A converted row: its values by column name, and where each came from."""

    table: RawTable
    row: int
    values: dict[str, Any]
    positions: dict[str, int]
    raw: list[Any]

    def error(self, column: str, expected: str, got: Any = None, text: str | None = None) -> InputError:
        """An error at this row's ``column``; ``got`` is the raw value (quoted), or ``text`` says what was found."""
        col = self.positions.get(column, 0)
        return InputError(**self.table.where(self.row, col, column), expected=expected,
                          found=text if text is not None else found(got))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


class Reader:
    """Collects errors while converting raw tables."""

    def __init__(self, tables: dict[str, RawTable]):
        self.tables = {norm(name): t for name, t in tables.items()}
        self.errors = Problems()

    def table(self, sh: Sheet) -> RawTable | None:
        t = self.tables.get(sh.name.lower())
        if t is None and sh.required:
            self.errors.append(InputError(sh.name, None, None, f"a sheet named {sh.name} (required)", "no such sheet"))
        return t

    def header_positions(self, t: RawTable) -> dict[str, int]:
        positions: dict[str, int] = {}
        for i, h in enumerate(t.headers):
            key = norm(h)
            if key and key not in positions:
                positions[key] = i
        return positions

    def records(self, sh: Sheet, columns: Iterable[Column] | None = None) -> list[Record]:
        """Every non-blank row of a sheet, converted by the schema."""
        t = self.table(sh)
        if t is None:
            return []
        columns = tuple(columns or sh.columns)
        positions = self.header_positions(t)
        if not any(not all(is_blank(v) for v in values) for _, values in t.rows):
            return []  # a sheet with no rows needs no headers
        missing = [c for c in columns if c.required and c.name not in positions]
        for c in missing:
            self.errors.append(InputError(**t.where(1, len(t.headers), c.name), expected=f"a column headed {c.name}",
                                          found="no such header"))
        if missing:
            return []
        out = []
        for n, (row, values) in enumerate(t.rows):
            if n % 4096 == 4095:
                deadline.check(f"reading the {t.name} sheet")
            if all(is_blank(v) for v in values):
                continue
            rec = Record(t, row, {}, {c.name: positions[c.name] for c in columns if c.name in positions}, values)
            for c in columns:
                rec.values[c.name] = self.cell(rec, c, values)
            out.append(rec)
        return out

    def cell(self, rec: Record, c: Column, values: list[Any]) -> Any:
        pos = rec.positions.get(c.name)
        raw = values[pos] if pos is not None and pos < len(values) else None
        if is_blank(raw):
            if c.required:
                self.errors.append(rec.error(c.name, f"{c.expected()} (required)", raw))
            return None if c.required else c.default
        try:
            return convert(c, raw)
        except CellError:
            self.errors.append(rec.error(c.name, c.expected(), raw))
            return None


def _holder_header(h: Any) -> str | None:
    """A wide-form Utilities header as a holder id (None when it cannot be one)."""
    if isinstance(h, bool):
        return str(h)
    try:
        return to_id(h)
    except CellError:
        return None


# -- pass 2: references ---------------------------------------------------------------
class Builder:
    """Checks references between sheets and builds the Instance."""

    def __init__(self, reader: Reader, name: str):
        self.r = reader
        self.name = name
        self.errors = reader.errors
        self.broken: set[str] = set()  # ids of rows already reported, not reported again where used
        self.ignored: list[str] = []  # columns and sheets not read (notes), each named where it is

    def fail(self, rec: Record, column: str, expected: str, got: Any = None, text: str | None = None) -> None:
        self.errors.append(rec.error(column, expected, got, text))

    def unique(self, records: list[Record], key: Callable[[Record], Any], column: str, what: str) -> list[Record]:
        seen: dict[Any, int] = {}
        out = []
        for rec in records:
            k = key(rec)
            if k is None or (isinstance(k, tuple) and None in k):
                continue
            if k in seen:
                self.fail(rec, column, f"a {what} not used before (row {seen[k]} has it)", rec[column])
                continue
            seen[k] = rec.row
            out.append(rec)
        return out

    def names(self) -> None:
        """Every sheet and column name: one of the format's, a near miss of one (an error), or a note (listed)."""
        known = {sh.name.lower(): sh for sh in schema.SHEETS}
        sheet_names = [sh.name for sh in schema.SHEETS]
        for t in self.r.tables.values():
            sh = known.get(norm(t.name))
            if sh is None:
                near = near_misses(t.name, sheet_names)
                if near:
                    self.errors.append(InputError(
                        str(t.name), None, None, f"a sheet named {near[0]}", repr(str(t.name).strip()),
                        text=suggestion(t.name, near, "sheet") + " (rename it if it is a note)"))
                else:
                    self.ignored.append(f"sheet {str(t.name).strip()!r}")
            elif sh is not schema.UTILITIES:
                self.columns(t, [c.name for c in sh.columns])

    def columns(self, t: RawTable, names: list[str], keep: Callable[[Any], bool] = lambda h: False) -> None:
        """A known sheet's headers: each column of the format once; near misses refused; the others listed.

        ``keep(header)`` says whether a header the format does not name is still read (a holder's
        column of wide-form Utilities).
        """
        seen: dict[str, int] = {}
        lower = {n.lower() for n in names}
        for i, h in enumerate(t.headers):
            where = t.where(1, i, str(h).strip() if not is_blank(h) else "")
            if not t.cells:
                where["row"] = None  # a key of table form: no row holds it
            label = f"{t.name}!{where['cell']}" if t.cells else f"{t.name} key"
            if is_blank(h):
                if any(i < len(v) and not is_blank(v[i]) for _, v in t.rows):
                    self.ignored.append(f"{label} (a column without a header)")
                continue
            n = norm(h)
            if n in lower:
                if n in seen:
                    first = column_letter(seen[n]) + "1" if t.cells else f"key {t.headers[seen[n]]!r}"
                    self.errors.append(InputError(**where, expected=f"one column headed {n} ({first} has it)",
                                                  found="a second one"))
                seen.setdefault(n, i)
                continue
            if keep(h):
                continue
            near = near_misses(h, names)
            if near:
                what = "column" if t.cells else "key"
                self.errors.append(InputError(**where, expected=f"a column headed {near[0]}", found=repr(str(h).strip()),
                                              text=suggestion(h, near, what)))
            else:
                self.ignored.append(f"{label} {str(h).strip()!r}")

    def build(self) -> Instance:
        self.names()
        sides = self.sides()
        issues = self.issues()
        side_ids = {s.id for s in sides}
        groups = self.groups(side_ids)
        group_side = {g.id: g.side for g in groups}
        bodies = self.bodies(sides, groups, group_side)
        options = {(i.id, o.id) for i in issues for o in i.options}
        holders = side_ids | set(group_side)
        utilities = self.utilities(holders, {i.id for i in issues}, options)
        links = self.links(holders, options)
        rules = self.rules(options)
        transfers = self.transfers(side_ids, group_side)
        settings = self.settings(sides)
        scenarios = self.scenarios(set(group_side), options)
        actions = self.actions(side_ids, set(group_side))
        if self.errors:
            raise InputErrors(self.errors, self.name)
        return Instance(
            sides=tuple(sides), issues=tuple(issues), groups=tuple(groups), bodies=tuple(bodies),
            utilities=utilities, settings=settings, links=tuple(links), rules=tuple(rules),
            transfers=tuple(transfers), name=self.name, scenarios=tuple(scenarios),
            actions=tuple(actions), ignored=tuple(self.ignored),
        )

    def actions(self, side_ids: set[str], groups: set[str]) -> list[Action]:
        """Win-set strategies: a known acting side and target; a side target takes no reservation shift."""
        out = []
        for r in self.unique(self.r.records(schema.ACTIONS), lambda r: r["action"], "action", "action id"):
            if r["side"] is not None and r["side"] not in side_ids:
                self.fail(r, "side", "a side of the Sides sheet", r["side"])
            elif r["target"] is not None and r["target"] not in side_ids and r["target"] not in groups:
                self.fail(r, "target", "a group or a side", r["target"])
            elif r["target"] in side_ids and r["reservation_shift"]:
                self.fail(r, "reservation_shift", "blank or 0 for a side target (a negotiator takes utility_shift only)",
                          r["reservation_shift"])
            elif None not in (r["side"], r["target"]):
                out.append(Action(r["action"], r["side"], r["target"], r["cost"], r["reservation_shift"],
                                  r["utility_shift"], r["max_uses"]))
        return out

    def scenarios(self, groups: set[str], options: set[tuple[str, str]]) -> list[Scenario]:
        """Scenarios with their changes; probabilities must add up to 1."""
        recs = self.unique(self.r.records(schema.SCENARIOS), lambda r: r["scenario"], "scenario", "scenario id")
        changes: dict[str, list[ScenarioChange]] = {r["scenario"]: [] for r in recs}
        for c in self.r.records(schema.SCENARIO_CHANGES):
            if c["scenario"] not in changes:
                self.fail(c, "scenario", "a scenario of the Scenarios sheet", c["scenario"])
            elif c["holder"] not in groups:
                self.fail(c, "holder", "a group of the Groups sheet (scenarios change constituencies)", c["holder"])
            elif (c["issue"] is None) != (c["option"] is None):
                self.fail(c, "option" if c["option"] is None else "issue", "both issue and option, or neither")
            elif c["issue"] is not None and (c["issue"], c["option"]) not in options:
                self.fail(c, "option", "an option of that issue", c["option"])
            else:
                changes[c["scenario"]].append(ScenarioChange(c["holder"], c["reservation_shift"], c["weight_factor"],
                                                             c["utility_shift"], c["issue"], c["option"]))
        total = sum(r["probability"] for r in recs if r["probability"] is not None)
        t = self.r.tables.get("scenarios")
        if recs and abs(total - 1.0) > 1e-9 and t.name not in self.errors.sheets:
            self.errors.append(InputError(t.name, None, "probability", "probabilities that add up to 1", f"{total:.10g}"))
        return [Scenario(r["scenario"], r["probability"], tuple(changes[r["scenario"]])) for r in recs]

    def sides(self) -> list[Side]:
        recs = self.unique(self.r.records(schema.SIDES), lambda r: r["side"], "side", "side id")
        sides = [Side(r["side"], r["name"] or r["side"], r["reservation"], r["budget"], r["payment_cost"]) for r in recs]
        t = self.r.tables.get("sides")
        if t is not None and len(sides) < 2 and t.name not in self.errors.sheets:
            self.errors.append(InputError(t.name, None, "side", "at least two sides", f"{len(sides)}"))
        return sides

    def issues(self) -> list[Issue]:
        recs = self.unique(self.r.records(schema.ISSUES), lambda r: r["issue"], "issue", "issue id")
        names = {r["issue"]: r["name"] or r["issue"] for r in recs}
        options: dict[str, list[Option]] = {i: [] for i in names}
        records = self.r.records(schema.OPTIONS)
        for r in self.unique(records, lambda r: (r["issue"], r["option"]), "option", "option id within its issue"):
            if r["issue"] not in options:
                self.fail(r, "issue", "an issue of the Issues sheet", r["issue"])
                continue
            options[r["issue"]].append(Option(r["option"], r["label"] or r["option"]))
        t = self.r.tables.get("issues")
        for rec in recs:
            if not options[rec["issue"]]:
                self.fail(rec, "issue", "an issue with at least one row in Options", text=f"no options for {rec['issue']!r}")
        if t is not None and not recs and t.name not in self.errors.sheets:
            self.errors.append(InputError(t.name, None, "issue", "at least one issue", "none"))
        return [Issue(i, n, tuple(options[i])) for i, n in names.items()]

    def groups(self, side_ids: set[str]) -> list[Group]:
        out = []
        for r in self.unique(self.r.records(schema.GROUPS), lambda r: r["group"], "group", "group id"):
            if r["side"] is not None and r["side"] not in side_ids:
                self.fail(r, "side", "a side of the Sides sheet", r["side"])
                self.broken.add(r["group"])
            elif r["group"] in side_ids:
                self.fail(r, "group", "a group id that is not also a side id", r["group"])
            elif r["side"] is not None:
                out.append(Group(r["group"], r["side"], r["name"] or r["group"], r["weight"], r["reservation"],
                                 r["veto"], r["payment_cap"], r["payment_efficiency"], r["reservation_sd"]))
        return out

    def bodies(self, sides: list[Side], groups: list[Group], group_side: dict[str, str]) -> list[Body]:
        side_ids = {s.id for s in sides}
        recs = []
        for r in self.unique(self.r.records(schema.BODIES), lambda r: r["body"], "body", "body id"):
            if r["side"] not in side_ids:
                self.fail(r, "side", "a side of the Sides sheet", r["side"])
            else:
                recs.append(r)
        explicit_sides = {r["side"] for r in recs}
        defaults = [s.id for s in sides if s.id not in explicit_sides and any(g.side == s.id for g in groups)]
        for r in recs:
            if r["body"] in defaults:
                self.fail(r, "body", f"a body id other than {r['body']!r}, the name of that side's default body", r["body"])
        members: dict[str, list[Member]] = {r["body"]: [] for r in recs}
        body_side = {r["body"]: r["side"] for r in recs}
        weights = {g.id: g.weight for g in groups}
        for m in self.unique(self.r.records(schema.MEMBERS), lambda r: (r["body"], r["group"]), "group", "member of this body"):
            if m["body"] not in members:
                self.fail(m, "body", "a body of the Bodies sheet", m["body"])
            elif m["group"] not in group_side:
                if m["group"] not in self.broken:
                    self.fail(m, "group", "a group of the Groups sheet", m["group"])
            elif group_side[m["group"]] != body_side[m["body"]]:
                self.fail(m, "group", f"a group of side {body_side[m['body']]!r}",
                          text=f"{m['group']!r} of side {group_side[m['group']]!r}")
            else:
                w = m["weight"] if m["weight"] is not None else weights[m["group"]]
                members[m["body"]].append(Member(m["group"], w))
        out = []
        for r in recs:
            ms = members[r["body"]] or [Member(g.id, g.weight) for g in groups if g.side == r["side"]]
            out.append(Body(r["body"], r["side"], tuple(ms), r["threshold"], r["rule"], r["count_threshold"], r["block_min"]))
        for s in defaults:
            out.append(Body(s, s, tuple(Member(g.id, g.weight) for g in groups if g.side == s), default=True))
        return out

    def utilities(self, holders: set[str], issues: set[str], options: set[tuple[str, str]]) -> dict:
        t = self.r.table(schema.UTILITIES)
        if t is None:
            return {}
        heads = set(self.r.header_positions(t))
        names = [c.name for c in schema.UTILITIES.columns]
        long = "holder" in heads or "value" in heads  # long form (a missing one of the two is reported)
        if long:
            self.columns(t, names)
        else:
            self.columns(t, names, keep=lambda h: _holder_header(h) in holders or norm(h) in ("issue", "option"))
        rows = self.long_utilities() if long else self.wide_utilities(t, holders)
        table: dict[str, dict] = {}
        seen: dict[tuple, int] = {}
        for n, (rec, holder, issue, option, value) in enumerate(rows):
            if n % 4096 == 4095:
                deadline.check(f"reading the {t.name} sheet")
            col = "holder" if "holder" in rec.positions else holder
            if holder in self.broken:
                continue
            if holder not in holders:
                self.fail(rec, col, "a group or side id", holder)
            elif issue not in issues:
                self.fail(rec, "issue", "an issue of the Issues sheet", issue)
            elif (issue, option) not in options:
                self.fail(rec, "option", f"an option of issue {issue!r}", option)
            elif (holder, issue, option) in seen:
                self.fail(rec, col, f"one value per holder and option (row {seen[(holder, issue, option)]} has it)", holder)
            else:
                seen[(holder, issue, option)] = rec.row
                table.setdefault(holder, {})[(issue, option)] = value
        return table

    def long_utilities(self):
        for r in self.r.records(schema.UTILITIES):
            if None not in (r["holder"], r["issue"], r["option"], r["value"]):
                yield r, r["holder"], r["issue"], r["option"], r["value"]

    def wide_utilities(self, t: RawTable, holders: set[str]):
        key_cols = schema.UTILITIES.columns[1:3]
        holder_cols = []
        for i, h in enumerate(t.headers):
            if is_blank(h) or norm(h) in ("issue", "option"):
                continue
            hid = _holder_header(h)
            has_numbers = any(i < len(v) and not is_blank(v[i]) for _, v in t.rows)
            if hid in holders:
                holder_cols.append((i, hid))
            elif has_numbers and not near_misses(h, [c.name for c in schema.UTILITIES.columns]):
                near = near_misses(h, sorted(holders), least_edits=1)
                self.errors.append(InputError(
                    **t.where(1, i, str(h)), found=repr(h),
                    expected="a holder id (a group or a side) as the header of a wide-form utility column"
                    + (f" (did you mean {' or '.join(repr(x) for x in near)}?)" if near else "")))
        value_col = schema.UTILITIES.column("value")
        for rec in self.r.records(schema.UTILITIES, key_cols):
            for i, hid in holder_cols:
                raw = rec.raw[i] if i < len(rec.raw) else None
                if is_blank(raw):
                    continue
                rec.positions[hid] = i
                try:
                    value = convert(value_col, raw)
                except CellError:
                    self.fail(rec, hid, value_col.expected(), raw)
                    continue
                if rec["issue"] is not None and rec["option"] is not None:
                    yield rec, hid, rec["issue"], rec["option"], value

    def option_pair(self, r: Record, options: set[tuple[str, str]]) -> bool:
        ok = True
        for i_col, o_col in (("issue_a", "option_a"), ("issue_b", "option_b")):
            if r[i_col] is None or r[o_col] is None:
                ok = False
            elif (r[i_col], r[o_col]) not in options:
                self.fail(r, o_col, f"an option of issue {r[i_col]!r}", r[o_col])
                ok = False
        if ok and r["issue_a"] == r["issue_b"]:
            self.fail(r, "issue_b", "an issue other than issue_a", r["issue_b"])
            ok = False
        return ok

    def links(self, holders: set[str], options: set[tuple[str, str]]) -> list[Link]:
        out = []
        for r in self.r.records(schema.LINKS):
            if r["holder"] is not None and r["holder"] not in holders:
                self.fail(r, "holder", "a group or side id", r["holder"])
            elif self.option_pair(r, options) and r["value"] is not None and r["holder"] is not None:
                out.append(Link(r["holder"], r["issue_a"], r["option_a"], r["issue_b"], r["option_b"], r["value"]))
        return out

    def rules(self, options: set[tuple[str, str]]) -> list[Rule]:
        return [
            Rule(r["kind"], r["issue_a"], r["option_a"], r["issue_b"], r["option_b"])
            for r in self.r.records(schema.RULES)
            if self.option_pair(r, options) and r["kind"] is not None
        ]

    def transfers(self, side_ids: set[str], group_side: dict[str, str]) -> list[Transfer]:
        out = []
        for r in self.r.records(schema.TRANSFERS):
            src, to = r["from_side"], r["to"]
            if src is not None and src not in side_ids:
                self.fail(r, "from_side", "a side of the Sides sheet", src)
            elif to is not None and to not in side_ids and to not in group_side:
                self.fail(r, "to", "a side or a group", to)
            elif to is not None and (to == src or group_side.get(to) == src):
                self.fail(r, "to", "a side or group other than the payer's own", to)
            elif None not in (src, to, r["max_amount"]):
                out.append(Transfer(src, to, r["max_amount"], r["cost"], r["value"]))
        return out

    def settings(self, sides: list[Side]) -> Settings:
        values: dict[str, Any] = {}
        known = {c.name: c for c in schema.SETTING_KEYS}
        for r in self.unique(self.r.records(schema.SETTINGS), lambda r: norm(r["key"]) or None, "key", "setting"):
            key = norm(r["key"])
            if key not in known:
                near = near_misses(r["key"], list(known))
                hint = f" (did you mean {' or '.join(repr(x) for x in near)}?)" if near else ""
                self.fail(r, "key", "one of " + ", ".join(known) + hint, r["key"])
                continue
            raw = r.raw[r.positions["value"]] if "value" in r.positions and r.positions["value"] < len(r.raw) else None
            if is_blank(raw):
                continue  # the key's default
            try:
                values[key] = convert(known[key], raw)
            except CellError:
                self.fail(r, "value", f"{known[key].expected()} for {key}", raw)
        side_ids = [s.id for s in sides]
        home = values.get("home_side") or (side_ids[0] if side_ids else "")
        if side_ids and home not in side_ids:
            rec = next(r for r in self.r.records(schema.SETTINGS) if norm(r["key"]) == "home_side")
            self.fail(rec, "value", "a side of the Sides sheet", home)
        return Settings(
            home_side=home,
            objective=values.get("objective", "own"),
            time_limit=values.get("time_limit", 60.0),
            mip_gap=values.get("mip_gap", 1e-6),
            title=values.get("title") or self.name,
        )


def build_instance(tables: dict[str, RawTable], name: str, errors: list[InputError] | None = None) -> Instance:
    """Validate raw tables and build the Instance; raise :class:`InputErrors` listing every problem."""
    reader = Reader(tables)
    reader.errors.reported(errors or [])
    return Builder(reader, name).build()
