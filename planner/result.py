"""The answer to a solve, as plain data that every writer (JSON, Excel, terminal) renders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .evaluate import Deal, Evaluation, action_effects, reservation
from .model import Instance

FORMAT = 1
STATUSES = ("optimal", "feasible", "no_agreement", "unknown")
AMOUNT_EPSILON = 1e-9


SIGNIFICANT = 15
"""Significant digits of every number a result reports: all a double holds as a decimal, so that
tiny and huge numbers keep their precision (rounding to 9 decimals reported a weight of 1e-13 as
0), while float noise in the last bits (0.30000000000000004) is left out."""


def clean(x: float | None, digits: int = SIGNIFICANT) -> float | None:
    """A number for reporting: ``digits`` significant digits, no ``-0.0``; infinities and NaN as they are."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return x
    y = float(f"{x:.{digits}g}")
    return 0.0 if y == 0 else y


@dataclass(frozen=True)
class Result:
    """A solve's outcome. ``deal`` and ``evaluation`` are ``None`` unless a deal was found.

    Every fact about the deal in :meth:`to_dict` comes from ``evaluation``, which
    :func:`planner.evaluate.evaluate` computed from the instance and the deal.
    """

    instance: Instance
    status: str
    objective: str
    home: str
    deal: Deal | None = None
    evaluation: Evaluation | None = None
    objective_value: float | None = None
    mip_gap: float | None = None
    solve_seconds: float = 0.0
    build_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    solver: dict[str, Any] = field(default_factory=dict)
    uncertainty: dict[str, Any] | None = None
    exact_check: dict[str, Any] | None = None  # close calls settled in exact arithmetic (planner.exact)
    objective_bound: float | None = None  # no deal is worth more (the value when optimal; HiGHS's bound when stopped)
    no_agreement: dict[str, Any] | None = None  # what blocks agreement (planner.analysis.deadlock), with no_agreement

    @property
    def has_deal(self) -> bool:
        return self.deal is not None and self.status in ("optimal", "feasible")

    @property
    def package(self) -> dict[str, str]:
        return dict(self.deal.package) if self.has_deal else {}

    def payments(self) -> list[dict]:
        if not self.has_deal:
            return []
        return [
            {"from": g.side, "to": g.id, "amount": clean(self.deal.payments.get(g.id, 0.0))}
            for g in self.instance.groups
            if self.deal.payments.get(g.id, 0.0) > AMOUNT_EPSILON
        ]

    def transfers(self) -> list[dict]:
        if not self.has_deal:
            return []
        return [
            {"from": t.from_side, "to": t.to, "amount": clean(self.deal.transfer(k))}
            for k, t in enumerate(self.instance.transfers)
        ]

    def actions(self) -> list[dict]:
        """The actions the deal takes and what each buys (``actions`` key; an addition to format 1)."""
        if not self.has_deal:
            return []
        return [
            {"action": e.action, "side": self.instance.action(e.action).side, "target": e.target, "uses": e.uses,
             "cost": clean(e.cost), "utility_added": clean(e.utility), "supporters_won": list(e.supporters),
             "bodies_won": list(e.bodies), "sides_won": list(e.sides), "sentence": e.sentence}
            for e in action_effects(self.instance, self.deal, self.evaluation)
        ]

    def shifted_reservations(self) -> dict[str, float]:
        """Groups whose reservation the deal's actions moved, with the reservation they judged the deal by."""
        if not self.has_deal:
            return {}
        moved = {a.target for a in self.instance.actions if a.reservation_shift and self.deal.uses(a.id)}
        return {g.id: reservation(self.instance, self.deal, g.id) for g in self.instance.groups if g.id in moved}

    def to_dict(self) -> dict[str, Any]:
        """The JSON result (format 1 of ``result.md``)."""
        inst, ev = self.instance, self.evaluation
        out: dict[str, Any] = {
            "format": FORMAT,
            "instance": inst.name,
            "title": inst.settings.title,
            "status": self.status,
            "objective": self.objective,
            "objective_value": clean(self.objective_value) if self.has_deal else None,
            "home_side": self.home,
            "package": self.package,
            "payments": self.payments(),
            "transfers": self.transfers(),
            "negotiators": {},
            "groups": {},
            "bodies": {},
            "ratified": {},
            "mip_gap": clean(self.mip_gap),
            "solve_seconds": round(self.solve_seconds, 3),
        }
        if self.has_deal and ev is not None:
            out["negotiators"] = {
                s.id: {"utility": clean(ev.negotiator_utility[s.id]), "reservation": s.reservation} for s in inst.sides
            }
            out["groups"] = {
                g.id: {
                    "side": g.side,
                    "utility": clean(ev.group_utility[g.id]),
                    "reservation": g.reservation,
                    "supports": ev.supports[g.id],
                    "payment": clean(self.deal.payments.get(g.id, 0.0)),
                }
                for g in inst.groups
            }
            out["bodies"] = {
                b: {
                    "side": v.side,
                    "yes_weight": clean(v.yes_weight),
                    "total_weight": clean(v.total_weight),
                    "yes_count": v.yes_count,
                    "member_count": v.member_count,
                    "passed": v.passed,
                }
                for b, v in ev.votes.items()
            }
            out["ratified"] = dict(ev.ratified)
            if inst.actions:
                out["actions"] = self.actions()
                for g, r in self.shifted_reservations().items():
                    out["groups"][g]["reservation_after_actions"] = clean(r)
        if self.uncertainty is not None:
            out["uncertainty"] = _clean_tree(self.uncertainty) if self.has_deal else {**self.uncertainty, "by_scenario": None}
        if self.exact_check is not None and self.has_deal:
            out["exact_check"] = self.exact_check
        if self.no_agreement is not None and self.status == "no_agreement":
            out["no_agreement"] = _clean_tree(self.no_agreement)
        out["notes"] = list(self.notes)
        out["solver"] = dict(self.solver)
        return out


def unread_result(name: str, note: str, objective: str | None = None, home: str | None = None,
                  seconds: float = 0.0) -> dict[str, Any]:
    """The JSON result of a run whose time limit ended before its instance was read: ``unknown``,
    with every key of the format (``objective`` and ``home_side`` as the command gave them, or null)."""
    return {"format": FORMAT, "instance": name, "title": None, "status": "unknown", "objective": objective,
            "objective_value": None, "home_side": home, "package": {}, "payments": [], "transfers": [], "negotiators": {},
            "groups": {}, "bodies": {}, "ratified": {}, "mip_gap": None, "solve_seconds": round(seconds, 3),
            "notes": [note], "solver": {}}


def _clean_tree(data):
    """Numbers in nested dicts and lists rounded as :func:`clean` does."""
    if isinstance(data, dict):
        return {k: _clean_tree(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean_tree(v) for v in data]
    return clean(data) if isinstance(data, float) else data


def top_frame(results: list[Result]) -> pd.DataFrame:
    """The k best deals as a table: rank, objective value, one column per issue, supporters, payments."""
    rows = []
    for rank, r in enumerate(results, start=1):
        d = r.to_dict()
        row = {"rank": rank, "objective_value": d["objective_value"], "status": d["status"]}
        row.update(d["package"])
        row["supporters"] = sum(g["supports"] for g in d["groups"].values())
        row["payments"] = clean(sum(p["amount"] for p in d["payments"]))
        row["transfers"] = clean(sum(t["amount"] for t in d["transfers"]))
        rows.append(row)
    return pd.DataFrame(rows)
