"""Writing instances: an Instance (or table form) as an instance workbook or a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .. import schema
from ..model import Instance
from .atomic import write_text
from .frames import save_workbook
from .styles import fit_widths, freeze_header, write_table

Tables = dict[str, list[dict[str, Any]]]


def instance_to_tables(instance: Instance) -> Tables:
    """The instance in table form: sheet name -> rows keyed by the schema's column names."""
    inst = instance
    tables: Tables = {
        "Sides": [_row(name=s.name, side=s.id, reservation=s.reservation, budget=s.budget, payment_cost=s.payment_cost)
                  for s in inst.sides],
        "Issues": [_row(issue=i.id, name=i.name) for i in inst.issues],
        "Options": [_row(issue=i.id, option=o.id, label=o.label) for i in inst.issues for o in i.options],
        "Groups": [
            _row(side=g.side, group=g.id, name=g.name, weight=g.weight, reservation=g.reservation, veto=g.veto,
                 payment_cap=g.payment_cap, payment_efficiency=g.payment_efficiency, reservation_sd=g.reservation_sd)
            for g in inst.groups
        ],
        "Bodies": [
            _row(side=b.side, body=b.id, threshold=b.threshold, rule=b.rule, count_threshold=b.count_threshold,
                 block_min=b.block_min)
            for b in inst.bodies if not b.default
        ],
        "Members": [
            _row(body=b.id, group=m.group, weight=m.weight) for b in inst.bodies if not b.default for m in b.members
        ],
        "Utilities": [
            _row(holder=h, issue=i, option=o, value=v) for h, table in inst.utilities.items() for (i, o), v in table.items()
        ],
        "Links": [
            _row(holder=l.holder, issue_a=l.issue_a, option_a=l.option_a, issue_b=l.issue_b, option_b=l.option_b, value=l.value)
            for l in inst.links
        ],
        "Rules": [
            _row(kind=r.kind, issue_a=r.issue_a, option_a=r.option_a, issue_b=r.issue_b, option_b=r.option_b) for r in inst.rules
        ],
        "Transfers": [
            _row(from_side=t.from_side, to=t.to, max_amount=t.max_amount, cost=t.cost, value=t.value) for t in inst.transfers
        ],
    }
    tables["Scenarios"] = [_row(scenario=sc.id, probability=sc.probability) for sc in inst.scenarios]
    tables["ScenarioChanges"] = [
        _row(scenario=sc.id, holder=c.holder, reservation_shift=c.reservation_shift, weight_factor=c.weight_factor,
             utility_shift=c.utility_shift, issue=c.issue, option=c.option)
        for sc in inst.scenarios for c in sc.changes
    ]
    tables["Actions"] = [
        _row(action=a.id, side=a.side, cost=a.cost, target=a.target, reservation_shift=a.reservation_shift,
             utility_shift=a.utility_shift, max_uses=a.max_uses)
        for a in inst.actions
    ]
    st = inst.settings
    tables["Settings"] = [
        {"key": k, "value": v}
        for k, v in (("home_side", st.home_side), ("objective", st.objective), ("time_limit", st.time_limit),
                     ("mip_gap", st.mip_gap), ("title", st.title))
    ]
    return {k: v for k, v in tables.items() if v or schema.sheet(k).required}


def _row(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def write_instance(instance: Instance, path: str | Path, carried: Tables | None = None) -> None:
    """Write ``instance`` as an instance workbook (``.xlsx``) or table-form JSON (``.json``).

    ``carried`` adds sheets the Instance does not hold (:func:`planner.io.excel_read.carried_tables`:
    Sweeps, an About sheet), after the instance's own.
    """
    tables = {**instance_to_tables(instance), **{k: v for k, v in (carried or {}).items()}}
    if Path(path).suffix.lower() == ".json":
        write_text(path, json.dumps({"format": 1, "sheets": tables}, indent=1) + "\n")
    else:
        write_tables(tables, path)


def write_tables(tables: Tables, path: str | Path) -> None:
    """Write table-form sheets as a workbook, each sheet's columns in the schema's order.

    Sheets the schema does not know (such as an About sheet) are written after the others
    with their columns in first-seen order.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        headers = _headers(name, rows)
        write_table(ws, headers, ([r.get(h) for h in headers] for r in rows))
        freeze_header(ws)
        fit_widths(ws)
    save_workbook(wb, path)


def _headers(name: str, rows: list[dict[str, Any]]) -> list[str]:
    """The columns of a sheet: the schema's first, in its order (matched as the reader matches them), then the others."""
    seen: list[str] = []
    for r in rows:
        seen += [k for k in r if k not in seen]
    known = [s for s in schema.SHEETS if s.name.lower() == str(name).strip().lower()]
    if not known:
        return seen
    given = {str(h).strip().lower(): h for h in reversed(seen)}
    order = [c.name for c in known[0].columns]
    first = [given.get(h, h) for h in order if h in given or known[0].column(h).required]
    return first + [h for h in seen if h not in first]
