"""The results workbook for analysts: the reported deal as styled Excel tables and a chart.

Every row comes from :meth:`planner.result.Result.to_dict` (the facts about the deal, as
the evaluator computed them) plus the instance (display names, labels, weights,
thresholds). Nothing here looks at a solver. Sheets, in order: Summary, Package,
Support, Votes, Payments, Transfers, and Actions when the instance has any. Without a deal (``no_agreement`` or ``unknown``)
every sheet is still written and the others carry headers only; Summary says why: with
``no_agreement``, which condition blocks (:mod:`planner.analysis.deadlock`), each side's
win-set size and, where reservations block, the best utility each negotiator reaches in a
deal every side ratifies against its reservation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..io.frames import save_workbook
from ..io.styles import AMOUNT, COUNT, UTILITY, fit_widths, freeze_header, write_table
from ..model import Instance
from ..result import Result, clean, top_frame

STATUS_WORDS = {
    "optimal": "A deal was found and proven optimal within the mip_gap.",
    "feasible": "A deal was found, but the time limit stopped the solver before it proved the deal "
    "optimal; mip_gap says how far from proven it may be.",
    "no_agreement": "No agreement: no deal is ratified by every side while giving every negotiator at least "
    "its reservation, within the budgets and the Rules.",
    "unknown": "The solver stopped before finding a deal: the time limit ended the search before it "
    "found a deal or proved that none exists.",
}

BLOCKS_WORDS = {
    "gains": "the objective's need: feasible deals exist, but none gives every negotiator the gain it counts",
    "level_one": "the negotiators' Level-I reservations: the joint win-set is not empty",
    "budgets": "the budgets or payment caps: with more money a package would be ratified by every side",
    "rules": "the Rules: they forbid every package every side would ratify",
    "win_sets": "the win-sets do not overlap, even with unlimited payments",
    None: "not determined within the time limit",
}

OBJECTIVE_WORDS = {
    "own": "maximise the home negotiator's utility",
    "joint": "maximise the sum of the negotiators' utilities",
    "maxmin": "maximise the smallest gain over reservation (utility - reservation)",
    "nash": "maximise the product of the gains over reservation (Nash bargaining)",
}

SUMMARY_HEADERS = ("item", "value", "meaning")
SUMMARY_FORMATS = {"objective_value": UTILITY, "solve_seconds": "0.000"}  # mip_gap stays General: 1e-6 must show
NEGOTIATOR_HEADERS = ("side", "name", "utility", "reservation", "margin", "ratified")
DEADLOCK_HEADERS = ("side", "name", "win_set", "best_utility", "reservation", "margin")
PACKAGE_HEADERS = ("issue", "issue_name", "option", "option_label")
SUPPORT_HEADERS = ("side", "group", "name", "weight", "utility", "reservation", "margin", "supports", "payment", "veto")
VOTES_HEADERS = (
    "body", "side", "yes_weight", "total_weight", "required_weight", "margin",
    "yes_count", "member_count", "passed", "threshold", "rule",
)
PAYMENTS_HEADERS = ("from", "to", "amount")
TRANSFERS_HEADERS = ("from", "to", "amount", "cost", "value")
ACTIONS_HEADERS = ("action", "side", "target", "uses", "cost", "utility_added", "supporters_won", "bodies_won",
                   "sides_won", "what_it_bought")


def write_results(result: Result, path: str | Path, top: Sequence[Result] = ()) -> None:
    """Write the results workbook for ``result`` to ``path`` (an ``.xlsx``), atomically.

    With ``top`` (the k best deals, from :func:`planner.solve_top`), a Top sheet lists them.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the results workbook must be an .xlsx file (got {path.name!r})")
    data, instance = result.to_dict(), result.instance
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb.create_sheet("Summary"), data, instance)
    _package(wb.create_sheet("Package"), data, instance)
    _support(wb.create_sheet("Support"), data, instance)
    _votes(wb.create_sheet("Votes"), data, instance)
    _payments(wb.create_sheet("Payments"), data)
    _transfers(wb.create_sheet("Transfers"), data, instance)
    if instance.actions:
        _actions(wb.create_sheet("Actions"), data)
    if top:
        frame = top_frame(list(top))
        write_table(wb.create_sheet("Top"), list(frame.columns), frame.itertuples(index=False))
    for ws in wb.worksheets:
        freeze_header(ws)
        fit_widths(ws)
    save_workbook(wb, path)


# -- sheets ------------------------------------------------------------------------------
def _summary(ws: Worksheet, data: dict, instance: Instance) -> None:
    """The run in a few lines, each negotiator against its reservation, and any notes."""
    last = write_table(ws, SUMMARY_HEADERS, _summary_rows(data, instance))
    for item, value, meaning in ws.iter_rows(min_row=2, max_row=last, max_col=3):
        value.number_format = SUMMARY_FORMATS.get(item.value, "General")
        meaning.alignment = Alignment(wrap_text=True, vertical="top")
    why = data.get("no_agreement")
    if why:
        last = write_table(ws, DEADLOCK_HEADERS, _deadlock_rows(why, instance),
                           formats={"best_utility": UTILITY, "reservation": UTILITY, "margin": UTILITY, "win_set": COUNT},
                           start_row=last + 2)
    else:
        last = write_table(
            ws, NEGOTIATOR_HEADERS, _negotiator_rows(data, instance),
            formats={"utility": UTILITY, "reservation": UTILITY, "margin": UTILITY},
            booleans=("ratified",), start_row=last + 2,
        )
    write_table(ws, ("note",), [(n,) for n in data.get("notes", [])], start_row=last + 2)


def _summary_rows(data: dict, instance: Instance) -> list[tuple[Any, Any, str]]:
    status, objective, home = data["status"], data["objective"], data["home_side"]
    has_deal = data["objective_value"] is not None
    home_name = _side_name(instance, home)
    why = data.get("no_agreement")
    reasons = [("blocks", why["blocks"], BLOCKS_WORDS.get(why["blocks"], ""))] if why else []
    reasons += [("why", None, line) for line in why["sentences"]] if why else []
    return [
        ("title", data.get("title") or data["instance"], ""),
        ("instance", data["instance"], ""),
        ("status", status, STATUS_WORDS.get(status, "") + (" The rows below say which condition blocks." if why else "")),
        ("objective", objective, OBJECTIVE_WORDS.get(objective, "")),
        ("objective_value", data["objective_value"], "the objective's value for the reported deal" if has_deal else "no deal"),
        ("home_side", home, home_name if home_name != home else ""),
        ("mip_gap", data["mip_gap"], "relative gap between the deal and the best bound when the solver stopped"),
        ("solve_seconds", data["solve_seconds"], "time spent solving"),
        *reasons,
        *[("not_read", item, "a column or sheet of the input that the planner does not read (a note)")
          for item in instance.ignored],
    ]


def _deadlock_rows(why: dict, instance: Instance) -> list[tuple]:
    """Each side's win-set size and, where reservations block, the best utility its negotiator reaches in a deal
    every side ratifies against its reservation; then the joint win-set."""
    sizes, best = why.get("winsets", {}), why.get("best_within_win_sets", {})
    rows = []
    for s in instance.sides:
        b = best.get(s.id, {})
        utility, reservation = b.get("utility"), s.reservation
        margin = None if utility is None or reservation is None else clean(utility - reservation)
        rows.append((s.id, s.name, sizes.get(s.id), utility, reservation, margin))
    if "joint" in sizes:
        rows.append(("joint", "every side", sizes["joint"], None, None, None))
    return rows


def _negotiator_rows(data: dict, instance: Instance) -> list[tuple]:
    rows = []
    for side, n in data["negotiators"].items():
        utility, reservation = n["utility"], n["reservation"]
        margin = None if reservation is None or utility is None else clean(utility - reservation)
        rows.append((side, _side_name(instance, side), utility, reservation, margin, data["ratified"].get(side)))
    return rows


def _package(ws: Worksheet, data: dict, instance: Instance) -> None:
    """The chosen option of every issue, in the instance's issue order."""
    rows = []
    for issue in instance.issues:
        option = data["package"].get(issue.id)
        if option is None:
            continue
        label = next((o.label for o in issue.options if o.id == option), option)
        rows.append((issue.id, issue.name, option, label))
    write_table(ws, PACKAGE_HEADERS, rows)


def _support(ws: Worksheet, data: dict, instance: Instance) -> None:
    """Every group's utility against its reservation, and a bar chart of the two."""
    rows = []
    for gid, g in data["groups"].items():
        group = instance.group(gid)
        reservation = g.get("reservation_after_actions", g["reservation"])
        margin = clean(g["utility"] - reservation)
        rows.append((g["side"], gid, group.name, group.weight, g["utility"], reservation, margin, g["supports"], g["payment"],
                     group.veto))
    formats = {"weight": UTILITY, "utility": UTILITY, "reservation": UTILITY, "margin": UTILITY, "payment": AMOUNT}
    last = write_table(ws, SUPPORT_HEADERS, rows, formats, booleans=("supports",))
    if rows:
        _support_chart(ws, last)


def _support_chart(ws: Worksheet, last: int) -> None:
    """A clustered bar chart: for each group, its utility beside its reservation."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Group utility against reservation"
    chart.y_axis.title = "utility"
    chart.x_axis.title = "group"
    chart.x_axis.delete = False  # openpyxl hides axes by default; analysts need the labels
    chart.y_axis.delete = False
    col = {name: i + 1 for i, name in enumerate(SUPPORT_HEADERS)}
    for name in ("utility", "reservation"):
        chart.add_data(Reference(ws, min_col=col[name], min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col["group"], min_row=2, max_row=last))
    chart.width = max(16, 1.6 * (last - 1))
    chart.height = 9
    ws.add_chart(chart, f"{get_column_letter(len(SUPPORT_HEADERS) + 2)}2")


def _votes(ws: Worksheet, data: dict, instance: Instance) -> None:
    """Every body's vote on the deal: yes weight against the weight its threshold asks for."""
    bodies = {b.id: b for b in instance.bodies}
    rows = []
    for bid, v in data["bodies"].items():
        body = bodies[bid]
        required = clean(body.threshold * v["total_weight"])
        rows.append((
            bid, v["side"], v["yes_weight"], v["total_weight"], required, clean(v["yes_weight"] - required),
            v["yes_count"], v["member_count"], v["passed"], body.threshold, body.rule,
        ))
    formats = {
        "yes_weight": UTILITY, "total_weight": UTILITY, "required_weight": UTILITY, "margin": UTILITY,
        "yes_count": COUNT, "member_count": COUNT, "threshold": UTILITY,
    }
    write_table(ws, VOTES_HEADERS, rows, formats, booleans=("passed",))


def _payments(ws: Worksheet, data: dict) -> None:
    """Domestic side payments: a negotiator to one of its groups."""
    rows = [(p["from"], p["to"], p["amount"]) for p in data["payments"]]
    write_table(ws, PAYMENTS_HEADERS, rows, {"amount": AMOUNT})


def _actions(ws: Worksheet, data: dict) -> None:
    """The win-set actions the deal takes and what each buys."""
    rows = [(a["action"], a["side"], a["target"], a["uses"], a["cost"], a["utility_added"],
             ", ".join(a["supporters_won"]), ", ".join(a["bodies_won"]), ", ".join(a["sides_won"]), a["sentence"])
            for a in data.get("actions", [])]
    write_table(ws, ACTIONS_HEADERS, rows, {"cost": AMOUNT, "utility_added": UTILITY})


def _transfers(ws: Worksheet, data: dict, instance: Instance) -> None:
    """International side payments with the payer's cost and the receiver's value per unit."""
    reported = data["transfers"]
    rows = []
    for k, t in enumerate(reported):
        terms = _transfer_terms(instance, t, k, len(reported))
        rows.append((t["from"], t["to"], t["amount"], terms.cost if terms else None, terms.value if terms else None))
    write_table(ws, TRANSFERS_HEADERS, rows, {"amount": AMOUNT, "cost": UTILITY, "value": UTILITY})


# -- helpers -----------------------------------------------------------------------------
def _transfer_terms(instance: Instance, reported: dict, k: int, n_reported: int):
    """The instance's Transfers row of the k-th reported transfer.

    The result lists one transfer per row, in order; should it leave zero amounts out
    (result.md allows that), fall back to the first row with the same payer and receiver.
    """
    if n_reported == len(instance.transfers):
        return instance.transfers[k]
    return next((t for t in instance.transfers if t.from_side == reported["from"] and t.to == reported["to"]), None)


def _side_name(instance: Instance, side: str) -> str:
    return next((s.name for s in instance.sides if s.id == side), side)

