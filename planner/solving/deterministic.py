"""The deterministic answer: Level II judged in the workbook, by the method that fits.

``solve_deterministic(instance, objective, home, options) -> Result``: build the model
(for ``kalai``, after each side's ideal point), choose the method
(:func:`planner.solving.methods.choose`), run it, and let the Result builder
(:func:`planner.solving.answer.conclude`) check, tidy and price the deal, with the
workbook's Level II as the judge. Sweeps and ``solve_top`` use :func:`prepare` and
:func:`answer` to solve one built model several times.
"""

from __future__ import annotations

import time
from dataclasses import replace

from .. import objectives
from ..errors import IdealUnknown
from ..evaluate import Deal, evaluate
from ..model import Instance
from ..objectives import objective_value
from ..result import Result
from .answer import Verdict, checked, conclude
from .highs import BuiltModel
from .methods import choose
from .options import SolveOptions


class WorkbookJudge:
    """Judges deals by the workbook's own Level II: the evaluator, with its close calls settled exactly."""

    def __init__(self, built: BuiltModel):
        self.built = built
        self.instance, self.objective = built.instance, built.objective

    def check(self, deal: Deal) -> Verdict:
        built = self.built
        check = checked(built, self.instance, deal, evaluate(self.instance, deal))
        ev = check.evaluation
        value = objective_value(self.instance, ev.negotiator_utility, self.objective, built.home, built.ideal) \
            if ev.feasible else None
        return Verdict(ev, ev.violations, value, check.report())

    def screen(self, deal: Deal) -> float | None:
        ev = evaluate(self.instance, deal)
        if not ev.feasible:
            return None
        return objective_value(self.instance, ev.negotiator_utility, self.objective, self.built.home, self.built.ideal)

    def uncertainty(self, verdict: Verdict | None) -> None:
        return None


def answer(built: BuiltModel) -> Result:
    """Solve the built model by the method that fits and turn its deal into a checked Result.

    Package bounding and the MIP start from ``built.start`` when that deal is feasible.
    """
    return conclude(built, choose(built.instance, built.objective, built.options.method), WorkbookJudge(built))


def solve_deterministic(instance: Instance, objective: str, home: str, options: SolveOptions) -> Result:
    """The best deal for a deterministic objective, Level II judged in the workbook."""
    built = prepare(instance, objective, home, options)
    return built if isinstance(built, Result) else answer(built)


def prepare(instance: Instance, objective: str, home: str, options: SolveOptions) -> BuiltModel | Result:
    """The built model for an objective; for kalai, after the ideal point.

    When kalai has no ideal point, the Result that says so instead: ``no_agreement`` when
    none exists, ``unknown`` when the time limit ended the search. The ideal point's solves
    and the kalai solve share one time limit (a deadline).
    """
    ideal = None
    if objectives.of(objective).needs_ideal:
        if options.deadline is None:
            limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
            options = replace(options, deadline=time.perf_counter() + limit)
        try:
            ideal = ideal_point(instance, options)
        except IdealUnknown as exc:
            return no_ideal(instance, objective, home, exc)
        if ideal is None:
            return no_ideal(instance, objective, home)
    return BuiltModel(instance, objective, home, options, ideal)


def ideal_point(instance: Instance, options: SolveOptions | None = None) -> dict[str, float] | None:
    """Each side's best utility over the deals that give every side at least its reservation.

    A blank reservation counts as 0 here. None when no such deal exists; :class:`~planner.errors.IdealUnknown`
    when the time limit stopped a solve before it knew.
    """
    options = options or SolveOptions()
    rational = instance.replace(sides=tuple(replace(s, reservation=s.reservation or 0.0) for s in instance.sides))
    ideal = {}
    for s in instance.side_ids:
        r = solve_deterministic(rational, "own", s, options)
        if r.status == "unknown":
            raise IdealUnknown(f"the time limit ended the search for side {s}'s ideal utility before it found a deal")
        if not r.has_deal:
            return None
        ideal[s] = r.objective_value
    return ideal


def no_ideal(instance: Instance, objective: str, home: str, unknown: IdealUnknown | None = None) -> Result:
    """No ideal point: proven (no_agreement), or not known within the time limit (``unknown``)."""
    if unknown is not None:
        return Result(instance=instance, status="unknown", objective=objective, home=home, notes=(str(unknown),))
    return Result(instance=instance, status="no_agreement", objective=objective, home=home,
                  notes=("no deal gives every side at least its reservation, so there is no ideal point",))
