r"""The Pareto frontier of two negotiators' utilities over the feasible deals.

For sides :math:`h` (home) and :math:`o` (other), the frontier is the set of
non-dominated points :math:`(U_h, U_o)` of feasible deals (every side ratifies, every
Level-I reservation holds). It is traced exactly by the epsilon-constraint method on one
persistent model, from the home side's best deal towards the other's:

1. lexicographic maximum: maximise :math:`U_h`, then :math:`U_o` with :math:`U_h` held at
   its maximum; that is the first point;
2. require :math:`U_o \ge U_o^{\text{last}} + \delta` (a mutable bound) and repeat step 1;
   stop when no deal meets it.

Each point costs two solves: where the package tree applies (no Actions), each is a
``planner solve`` of the own objective with the floors as Level-I reservations, by the
package tree (:mod:`planner.solving.tree`); otherwise two MIPs on one persistent model.
When the deals are finitely many points in utility space (no payments or transfers can
trade utility continuously) every non-dominated point is found.
With continuous side payments the frontier holds segments; the method then returns
points :math:`\delta` apart along them and stops at ``max_points``, saying so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from ..evaluate import SUPPORT_TOLERANCE, Deal
from ..model import Instance
from ..result import Result
from ..solving.highs import TIGHT, BuiltModel
from ..solving.options import SolveOptions

BIG = 1e12


@dataclass(frozen=True)
class FrontierPoint:
    deal: Deal
    home_utility: float
    other_utility: float


@dataclass(frozen=True)
class Frontier:
    home: str
    other: str
    points: tuple[FrontierPoint, ...]
    complete: bool  # False when max_points or the time limit stopped the trace

    def to_frame(self, instance: Instance) -> pd.DataFrame:
        rows = []
        for p in self.points:
            row = {f"U_{self.home}": p.home_utility, f"U_{self.other}": p.other_utility}
            row.update(p.deal.package)
            rows.append(row)
        return pd.DataFrame(rows, columns=[f"U_{self.home}", f"U_{self.other}"] + [i.id for i in instance.issues])


def pareto_frontier(instance: Instance, home: str | None = None, other: str | None = None,
                    delta: float = 1e-6, max_points: int = 1000, time_limit: float | None = None) -> Frontier:
    """Trace the frontier of (U_home, U_other); with more than two sides, projected on the two named."""
    home = home or instance.settings.home_side
    other = other or next(s for s in instance.side_ids if s != home)
    if home == other or {home, other} - set(instance.side_ids):
        raise ValueError(f"need two different sides of the instance, got {home!r} and {other!r}")
    if not instance.actions:
        return _frontier_by_tree(instance, home, other, delta, max_points, time_limit)
    built = BuiltModel(instance, "own", home, SolveOptions(time_limit=time_limit, method="mip"))
    m = built.model
    m.other_floor = pyo.Param(mutable=True, initialize=-BIG)
    m.home_floor = pyo.Param(mutable=True, initialize=-BIG)
    m.other_row = pyo.Constraint(expr=m.U[other] >= m.other_floor)
    m.home_row = pyo.Constraint(expr=m.U[home] >= m.home_floor)
    built.add_rows([m.other_row, m.home_row])
    m.other_obj = pyo.Objective(expr=m.U[other], sense=pyo.maximize)
    m.other_obj.deactivate()
    points: list[FrontierPoint] = []
    while len(points) < max_points:
        point = _lexicographic_max(built, home, other)
        if point is None:
            return Frontier(home, other, tuple(points), built.remaining() > 0.05)
        if points and point.other_utility <= points[-1].other_utility:
            return Frontier(home, other, tuple(points), False)  # no progress: numerical trouble, say so
        points.append(point)
        built.set_params([(m.other_floor, m.other_row, point.other_utility + delta * max(1.0, abs(point.other_utility)))])
    return Frontier(home, other, tuple(points), False)


def _frontier_by_tree(instance: Instance, home: str, other: str, delta: float, max_points: int,
                      time_limit: float | None) -> Frontier:
    """The frontier by lexicographic maxima, each solve an own objective with Level-I floors, by the package tree.

    The floors are Level-I reservations, which the evaluator accepts within its tolerance
    (:data:`~planner.evaluate.SUPPORT_TOLERANCE`), so they step by at least ten times that.
    """
    from ..solving.api import solve

    limit = time_limit if time_limit is not None else instance.settings.time_limit
    options = SolveOptions(deadline=time.perf_counter() + limit)

    def floored(case: Instance, side: str, floor: float) -> Instance:
        reservation = case.side(side).reservation
        return case.with_side(side, reservation=floor if reservation is None else max(reservation, floor))

    points: list[FrontierPoint] = []
    case = instance
    while len(points) < max_points:
        first = solve(case, objective="own", home=home, options=options)
        if first.status != "optimal":
            return Frontier(home, other, tuple(points), first.status == "no_agreement")
        best_home = first.objective_value
        second = solve(floored(case, home, best_home - 1e-7 * max(1.0, abs(best_home))), objective="own", home=other,
                       options=options)
        if second.status != "optimal":
            return Frontier(home, other, tuple(points), False)
        utility = second.evaluation.negotiator_utility  # a floor changes no utility
        point = FrontierPoint(second.deal, utility[home], utility[other])
        if points and point.other_utility <= points[-1].other_utility:
            return Frontier(home, other, tuple(points), False)
        points.append(point)
        step = max(delta, 10 * SUPPORT_TOLERANCE)  # a deal within the evaluator's tolerance of the floor meets it
        case = floored(instance, other, point.other_utility + step * max(1.0, abs(point.other_utility)))
    return Frontier(home, other, tuple(points), False)


def _lexicographic_max(built: BuiltModel, home: str, other: str) -> FrontierPoint | None:
    """The deal with the largest U_home and, among those, the largest U_other; None if none is feasible."""
    m = built.model
    first = built.run(**TIGHT)  # the floor's step is 1e-6: HiGHS's default tolerance would blur it
    if not first.has_solution:
        return None
    best_home = pyo.value(m.U[home])
    built.set_params([(m.home_floor, m.home_row, best_home - 1e-7 * max(1.0, abs(best_home)))])
    built.use_objective(m.other_obj)
    try:
        second = built.run(**TIGHT)
        deal = built.deal() if second.has_solution else None
    finally:
        built.use_objective(m.obj)
        built.set_params([(m.home_floor, m.home_row, -BIG)])
    if deal is None:
        return None
    deal, ev = built.judged(deal)
    return FrontierPoint(deal, ev.negotiator_utility[home], ev.negotiator_utility[other])


BARGAINING = (
    ("Nash", "nash"),
    ("Kalai–Smorodinsky", "kalai"),
    ("egalitarian", "maxmin"),
    ("utilitarian", "joint"),
)


def bargaining_points(instance: Instance, time_limit: float | None = None) -> dict[str, Result]:
    """The bargaining solutions over the feasible deals, and each side's own best deal.

    Keys: Nash, Kalai–Smorodinsky, egalitarian (maxmin), utilitarian (joint), and
    ``best for <side>`` (the own objective with that side at home). Values are Results
    (status ``no_agreement`` where a solution does not exist).
    """
    from ..solving.api import solve

    out = {label: solve(instance, objective=objective, time_limit=time_limit) for label, objective in BARGAINING}
    for s in instance.side_ids:
        out[f"best for {s}"] = solve(instance, objective="own", home=s, time_limit=time_limit)
    return out


def bargaining_frame(points: dict, home: str, other: str) -> pd.DataFrame:
    """One row per bargaining solution: its utilities for the two sides, status and package."""
    rows = []
    for label, r in points.items():
        d = r.to_dict()
        u = d["negotiators"]
        rows.append({"solution": label, "status": d["status"], f"U_{home}": u.get(home, {}).get("utility"),
                     f"U_{other}": u.get(other, {}).get("utility"), "objective": d["objective"],
                     "objective_value": d["objective_value"], **d["package"]})
    return pd.DataFrame(rows)
