"""The instance workbook's schema, described once.

Every sheet and column of the workbook format (``docs/workbook.md``) is declared here with
its type, default and meaning. The reader checks cells against it, the validation
messages quote it, the template writes its header notes from it and the format
documentation is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import objectives

REQUIRED = object()
"""Marker: the column must be filled on every row."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind`` is one of ``id``, ``text``, ``number``, ``whole``, ``bool`` or ``choice``.
    ``default`` is the value a blank cell takes (``REQUIRED`` when blank is an error,
    ``None`` when blank means "none" or a default derived from other cells, which
    ``default_text`` then describes).
    """

    name: str
    kind: str
    meaning: str
    default: Any = None
    default_text: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def expected(self) -> str:
        """What a valid cell holds, in words, for messages and notes."""
        if self.kind == "id":
            return "an id (text or whole number)"
        if self.kind == "text":
            return "text"
        if self.kind == "bool":
            return "TRUE/FALSE, 1/0, yes/no"
        if self.kind == "choice":
            return " or ".join(repr(c) for c in self.choices)
        word = "a whole number" if self.kind == "whole" else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{word} in [{_num(self.minimum)}, {_num(self.maximum)}]"
        if self.minimum is not None:
            return f"{word} >= {_num(self.minimum)}"
        return word

    def type_text(self) -> str:
        """The type column of the documentation."""
        if self.kind == "choice":
            return " or ".join(f"`{c}`" for c in self.choices)
        if self.kind in ("number", "whole") and self.minimum is not None:
            word = "whole number" if self.kind == "whole" else "number"
            if self.maximum is not None:
                return f"{word} in [{_num(self.minimum)}, {_num(self.maximum)}]"
            return f"{word} >= {_num(self.minimum)}"
        return {"bool": "boolean", "whole": "whole number"}.get(self.kind, self.kind)

    def default_words(self) -> str:
        if self.required:
            return "required"
        if self.default_text:
            return self.default_text
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "TRUE" if self.default else "FALSE"
        return _num(self.default) if isinstance(self.default, (int, float)) else str(self.default)


@dataclass(frozen=True)
class Sheet:
    """One sheet: its columns, whether it must exist, and what it is for."""

    name: str
    required: bool
    meaning: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


_ID = "id"
OBJECTIVES = objectives.names(uncertain=False)
_PAIR = (
    Column("issue_a", _ID, "the first option's issue", REQUIRED),
    Column("option_a", _ID, "the first option", REQUIRED),
    Column("issue_b", _ID, "the second option's issue (a different issue)", REQUIRED),
    Column("option_b", _ID, "the second option", REQUIRED),
)

SIDES = Sheet(
    "Sides",
    True,
    "The negotiating parties. At least two. The first row is the home side unless Settings says otherwise.",
    (
        Column("side", _ID, "a negotiating party (a state, the EU, a union...)", REQUIRED),
        Column("name", "text", "display name", None, "the id"),
        Column(
            "reservation",
            "number",
            "the negotiator's own Level-I reservation: the negotiator rejects any deal that "
            "gives it less negotiator utility than this",
        ),
        Column("budget", "number", "money the negotiator may pay to its own groups (domestic side payments)", 0.0, minimum=0),
        Column("payment_cost", "number", "negotiator utility lost per unit of domestic payment", 1.0, minimum=0),
    ),
)

ISSUES = Sheet(
    "Issues",
    True,
    "The negotiated issues.",
    (
        Column("issue", _ID, "a negotiated issue", REQUIRED),
        Column("name", "text", "display name", None, "the id"),
    ),
)

OPTIONS = Sheet(
    "Options",
    True,
    "The ways of settling each issue. Every issue has at least one option; a package "
    "(a Level-I agreement) chooses exactly one option for every issue.",
    (
        Column("issue", _ID, "an issue of the Issues sheet", REQUIRED),
        Column("option", _ID, "unique within its issue", REQUIRED),
        Column("label", "text", "display name", None, "the id"),
    ),
)

GROUPS = Sheet(
    "Groups",
    True,
    "Each side's domestic groups. A side with no groups is an autonomous negotiator: its "
    "Level II always ratifies.",
    (
        Column("side", _ID, "the constituency the group belongs to", REQUIRED),
        Column("group", _ID, "unique across the workbook, and not a side id", REQUIRED),
        Column("name", "text", "display name", None, "the id"),
        Column("weight", "number", "the group's votes in its side's default body", 1.0, minimum=0),
        Column("reservation", "number", "the group's utility of no agreement", 0.0),
        Column("veto", "bool", "the side ratifies only if this group supports", False),
        Column("payment_cap", "number", "most domestic payment the group may receive", None, "no cap", minimum=0),
        Column("payment_efficiency", "number", "group utility gained per unit of payment received", 1.0, minimum=0),
        Column("reservation_sd", "number", "standard deviation of the reservation, for sampled scenarios (--samples)",
               None, "certain", minimum=0),
    ),
)

BODIES = Sheet(
    "Bodies",
    False,
    "Ratifying institutions. A side that has groups but no row here has one default body, "
    "named after the side, holding all its groups with their weights, with threshold 0.5 "
    "and rule more_than (a simple majority). A side ratifies when every one of its bodies "
    "passes and every veto group of the side supports.",
    (
        Column("side", _ID, "whose ratification this body votes on", REQUIRED),
        Column("body", _ID, "unique across the workbook", REQUIRED),
        Column("threshold", "number", "share of the body's total weight that must vote yes", 0.5, minimum=0, maximum=1),
        Column(
            "rule",
            "choice",
            "how the yes weight is compared with threshold x total weight",
            "more_than",
            choices=("more_than", "at_least"),
        ),
        Column(
            "count_threshold",
            "number",
            "also needed: at least this share of the members, counted one each, vote yes",
            minimum=0,
            maximum=1,
        ),
        Column(
            "block_min",
            "whole",
            "the body passes anyway when fewer than this many members vote no",
            minimum=1,
        ),
    ),
    ("With block_min set, a body passes when (the weight and count conditions hold) or "
     "(fewer than block_min members vote no); this is the EU Council's qualified majority.",),
)

MEMBERS = Sheet(
    "Members",
    False,
    "Who sits in each body. A body listed in Bodies with no Members rows has every group "
    "of its side as a member, with the group's weight.",
    (
        Column("body", _ID, "a body of the Bodies sheet", REQUIRED),
        Column("group", _ID, "a group of the same side", REQUIRED),
        Column("weight", "number", "the group's votes in this body", None, "the group's weight", minimum=0),
    ),
)

UTILITIES = Sheet(
    "Utilities",
    True,
    "What each holder (a group, or a side meaning its negotiator) gets from each option. "
    "Either long form, with exactly the columns holder, issue, option, value, or wide "
    "form: columns issue, option, then one column per holder whose header is the "
    "holder's id.",
    (
        Column("holder", _ID, "a group, or a side (meaning that side's negotiator)", REQUIRED),
        Column("issue", _ID, "an issue", REQUIRED),
        Column("option", _ID, "an option of that issue", REQUIRED),
        Column("value", "number", "the holder's utility when the package contains this option", REQUIRED),
    ),
    (
        "A missing (holder, option) pair is worth 0; in wide form a blank cell is a missing pair.",
        "A side whose negotiator has no rows gets, as negotiator package utility, the "
        "weight-averaged package utility of its groups (option values plus Link values, "
        "before any payment; 0 when it has no groups or all weights are 0).",
    ),
)

LINKS = Sheet(
    "Links",
    False,
    "Issue linkage that is not additive.",
    (
        Column("holder", _ID, "a group or a side", REQUIRED),
        *_PAIR,
        Column("value", "number", "added to the holder's utility when both options are in the package", REQUIRED),
    ),
)

RULES = Sheet(
    "Rules",
    False,
    "Packages that cannot be.",
    (
        Column(
            "kind",
            "choice",
            "requires: option_a only together with option_b; excludes: never both",
            REQUIRED,
            choices=("requires", "excludes"),
        ),
        *_PAIR,
    ),
)

TRANSFERS = Sheet(
    "Transfers",
    False,
    "International side payments.",
    (
        Column("from_side", _ID, "the paying negotiator", REQUIRED),
        Column("to", _ID, "a side, or a group of a side other than from_side", REQUIRED),
        Column("max_amount", "number", "most that may be transferred", REQUIRED, minimum=0),
        Column("cost", "number", "payer's negotiator utility lost per unit", 1.0, minimum=0),
        Column("value", "number", "receiver's utility gained per unit", 1.0, minimum=0),
    ),
)

SETTINGS = Sheet(
    "Settings",
    False,
    "Two columns key, value.",
    (
        Column("key", "text", "a setting's name (below)", REQUIRED),
        Column("value", "text", "its value (blank: the default)", None, "the key's default"),
    ),
)

SWEEPS = Sheet(
    "Sweeps",
    False,
    "Sensitivity studies that `planner sweep WORKBOOK` runs in full (an addition of this planner; "
    "the solver ignores the sheet). One row per parameter; rows with the same sweep id form a grid "
    "of every combination (at most two parameters). Rows of kind tornado form one tornado chart. "
    "home and objective, given on any row of a sweep, apply to the whole sweep.",
    (
        Column("sweep", _ID, "the study's name (its sheet in the results)", REQUIRED),
        Column("parameter", "text", "a parameter name such as Sides[US].budget (see docs/sensitivity.md)", REQUIRED),
        Column("values", "text", "a list 1,2,5 or a range FROM:TO:STEP", None, "from, to, step"),
        Column("from", "number", "first value (with to and step, when values is blank)"),
        Column("to", "number", "last value"),
        Column("step", "number", "step between values", minimum=0),
        Column("kind", "choice", "grid (solve every value) or tornado (move the parameter down and up)",
               "grid", choices=("grid", "tornado")),
        Column("rel", "number", "tornado: the move, as a share of the parameter's value", 0.1, minimum=0),
        Column("home", _ID, "the sweep's home side", None, "Settings home_side"),
        Column("objective", "choice", "the sweep's objective", None, "Settings objective", choices=OBJECTIVES),
    ),
    (
        "A tornado row needs no values: the parameter moves by rel of its value in the "
        "workbook (by rel itself when that value is 0) in both directions.",
    ),
)


SCENARIOS = Sheet(
    "Scenarios",
    False,
    "Possible states of the constituencies, for deciding under uncertainty (objectives "
    "expected and robust, --min-ratification). Probabilities add up to 1. A deal's "
    "probability of ratification is the total probability of the scenarios in which every "
    "side ratifies it.",
    (
        Column("scenario", _ID, "a scenario", REQUIRED),
        Column("probability", "number", "its probability", REQUIRED, minimum=0, maximum=1),
    ),
    ("An addition of this planner to the workbook format. Without it, scenarios can be "
     "sampled from Groups reservation_sd (planner solve --samples N --seed S).",),
)

SCENARIO_CHANGES = Sheet(
    "ScenarioChanges",
    False,
    "How each scenario differs from the workbook, group by group. Groups not named keep "
    "their values.",
    (
        Column("scenario", _ID, "a scenario of the Scenarios sheet", REQUIRED),
        Column("holder", _ID, "a group", REQUIRED),
        Column("reservation_shift", "number", "added to the group's reservation", 0.0),
        Column("weight_factor", "number", "the group's weight (in every body) is multiplied by this", 1.0, minimum=0),
        Column("utility_shift", "number", "added to the group's utility", 0.0),
        Column("issue", _ID, "with option: the shift applies to this option only", None, "every package"),
        Column("option", _ID, "the option of issue whose value shifts", None, "every package"),
    ),
    ("An addition of this planner to the workbook format. Negotiators' utilities do not "
     "change with the scenario.",),
)

ACTIONS = Sheet(
    "Actions",
    False,
    "Win-set strategies a negotiator may buy with its budget: a campaign that softens a "
    "domestic group, an appeal that moves a group of another side (reverberation), a "
    "gesture of goodwill to the other negotiator. The planner chooses how often to take "
    "each, together with the package and the payments.",
    (
        Column("action", _ID, "an action", REQUIRED),
        Column("side", _ID, "the side whose negotiator acts and pays", REQUIRED),
        Column("cost", "number", "paid from the side's budget per use (and lost by its negotiator at its "
               "payment_cost)", 0.0, minimum=0),
        Column("target", _ID, "a group of any side, or a side (its negotiator)", REQUIRED),
        Column("reservation_shift", "number", "added to the target group's reservation per use "
               "(negative softens)", 0.0),
        Column("utility_shift", "number", "added to the target's utility of every deal per use", 0.0),
        Column("max_uses", "whole", "most times the action may be taken", 1, minimum=0),
    ),
    ("An addition of this planner to the workbook format. An action changes how its target "
     "judges a deal, not what the deal is worth to the negotiators: a group's shift does not "
     "enter its negotiator's average utility. A side target takes utility_shift only.",),
)

SETTING_OBJECTIVES = objectives.names()

SETTING_KEYS: tuple[Column, ...] = (
    Column("home_side", _ID, "whose negotiator's gain is maximised", None, "first side"),
    Column("objective", "choice", "own, joint, nash or maxmin; also kalai (Kalai–Smorodinsky), expected and robust "
           "(under the Scenarios), additions of this planner", "own", choices=SETTING_OBJECTIVES),
    Column("time_limit", "number", "solver time limit in seconds", 60.0, minimum=0),
    Column("mip_gap", "number", "relative optimality gap at which the solver stops", 1e-6, minimum=0),
    Column("title", "text", "shown in results", None, "file name"),
)

SHEETS: tuple[Sheet, ...] = (
    SIDES, ISSUES, OPTIONS, GROUPS, BODIES, MEMBERS, UTILITIES, LINKS, RULES, TRANSFERS, SETTINGS, SWEEPS,
    SCENARIOS, SCENARIO_CHANGES, ACTIONS,
)


def sheet(name: str) -> Sheet:
    """The schema of the sheet called ``name`` (case-insensitive)."""
    key = name.strip().lower()
    return next(s for s in SHEETS if s.name.lower() == key)


def setting(key: str) -> Column:
    return next(c for c in SETTING_KEYS if c.name == key)


def render_markdown() -> str:
    """The workbook format for analysts, as Markdown (``docs/workbook.md``)."""
    out = [
        "# The instance workbook",
        "",
        "Generated from `planner/schema.py` by `python -m planner.schema > docs/workbook.md`;",
        "a test checks that this page and the schema agree.",
        "",
        "Sheet names and column headers are matched case-insensitively, ignoring surrounding",
        "spaces; row 1 holds the headers and blank rows are skipped. Columns and sheets not",
        "named here are not read (analysts keep notes); `planner check` lists them, and so does the",
        "Summary sheet of the results workbook. But a header or sheet name that is a *near miss*",
        "of a name on this page is an error that names the cell and the name probably meant",
        "(`Groups!E1: unknown column 'reservaton': did you mean 'reservation'?`): compared without",
        "case, spaces, underscores, hyphens, dots and a trailing unit in brackets, it equals the",
        "name (`Payment Cap`, `Weight (seats)`), is its plural or singular (`Link`), or is one",
        "edit away from it (two for names of more than seven letters; none for names of three",
        "letters or fewer; in wide-form Utilities a holder's id is never a near miss). A column",
        "headed twice is an error too. An id is a non-empty text or whole number compared as text",
        "(`7` and `\"7\"` are the same id); group ids and side ids share one namespace. A blank",
        "optional cell takes the default. A formula is read by its cached value; a formula",
        "with no cached value is an error. Booleans: TRUE/FALSE, 1/0, or the texts",
        "`true/false`, `yes/no`, `1/0` in any case.",
        "",
    ]
    for sh in SHEETS:
        out.append(f"## {sh.name} ({'required' if sh.required else 'optional'})")
        out.append("")
        out.append(sh.meaning)
        out.append("")
        cols = SETTING_KEYS if sh is SETTINGS else sh.columns
        first = "key" if sh is SETTINGS else "column"
        out.append(f"| {first} | type | default | meaning |")
        out.append("| --- | --- | --- | --- |")
        for c in cols:
            out.append(f"| {c.name} | {c.type_text()} | {c.default_words()} | {c.meaning} |")
        out.append("")
        for note in sh.notes:
            out.append(note)
            out.append("")
    out += [
        "## Optional additions",
        "",
        "The planner also reads an instance in *table form* (`.json`, described by the JSON",
        "Schema `docs/instance.schema.json`; `planner convert` turns one form into the other): an object",
        '`{"format": 1, "sheets": {"Sides": [{"side": "US", ...}, ...], ...}}` whose sheets',
        "and columns are the ones above; rows are numbered as in a workbook (the first row",
        "object is row 2). Keys and sheet names follow the rules of a workbook's headers and",
        "sheet names: others are not read and are listed, near misses are errors.",
        "",
    ]
    return "\n".join(out)


NOTES_POLICY = ("Keys other than these are not read (notes) and are listed by planner check; but a key that is a "
                "near miss of one of these (another case or spacing, a plural or singular, an edit or two, a unit in "
                "brackets) is an error, as in a workbook (docs/workbook.md).")


def json_schema() -> dict:
    """The table-form JSON instance (``.json``) as a JSON Schema (``docs/instance.schema.json``).

    Cells are as lenient as in a workbook (an id may be a text or a whole number, a
    number may be written as text, a blank is null); the reader's checks, with located
    messages, remain the authority.
    """
    kinds = {"id": {"type": ["string", "integer"]}, "text": {"type": ["string", "number"]},
             "bool": {"type": ["boolean", "integer", "string"]}, "number": {"type": ["number", "string"]},
             "whole": {"type": ["integer", "number", "string"]}}

    def column(c: Column) -> dict:
        spec = dict(kinds.get(c.kind, {"type": "string"}))
        if c.kind == "choice":
            spec = {"enum": list(c.choices)}
        spec = {**spec, "description": c.meaning}
        return spec if c.required else {"anyOf": [spec, {"type": "null"}], "description": c.meaning}

    def sheet_schema(sh: Sheet) -> dict:
        cols = SETTING_KEYS if sh is SETTINGS else sh.columns
        props = {c.name: column(c) for c in (sh.columns if sh is SETTINGS else cols)}
        return {"type": "array", "description": sh.meaning, "items": {
            "type": "object", "properties": props, "description": NOTES_POLICY,
            "required": [c.name for c in sh.columns if c.required and sh is not UTILITIES]}}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "planner instance (table form)",
        "type": "object",
        "required": ["sheets"],
        "properties": {
            "format": {"const": 1},
            "sheets": {"type": "object", "required": [sh.name for sh in SHEETS if sh.required],
                       "description": NOTES_POLICY.replace("Keys", "Sheet names"),
                       "properties": {sh.name: sheet_schema(sh) for sh in SHEETS}},
        },
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    if sys.argv[1:] == ["--json-schema"]:
        print(json.dumps(json_schema(), indent=1))
    else:
        print(render_markdown(), end="")
