"""The uncertain answer: Level II judged in the Scenarios.

``solve_uncertain(instance, objective, home, options, min_ratification) -> Result``: the
model of the instance without Level II (:func:`planner.uncertainty.level_free`) gets one
block per scenario (:mod:`planner.formulation.scenarios`), a floor on the probability of
ratification and, for ``expected``, the expected-utility objective. It starts from the
better of two deterministic answers (:func:`starting_deal`), and the Result builder
(:func:`planner.solving.answer.conclude`) checks, tidies and prices its deal with the
Scenarios as the judge: Level I and the Rules in the workbook, Level II per scenario.
"""

from __future__ import annotations

import dataclasses
import math
import time

from .. import exact, objectives
from ..evaluate import Deal, evaluate
from ..formulation.scenarios import add_expected_objective, add_ratification_floor, add_scenarios
from ..model import Instance
from ..objectives import objective_value
from ..result import Result
from ..uncertainty import demanding, expected_utility, level_free, ratification, scenarios_of
from .answer import Verdict, checked, conclude
from .deterministic import solve_deterministic
from .highs import BuiltModel
from .methods import SCENARIO_MIP
from .options import SolveOptions

START_SHARE = 0.2
"""Share of the time limit spent finding a starting deal for the scenario model."""


class ScenarioJudge:
    """Judges deals under the Scenarios: the Rules, payment limits and Level I in the workbook
    (close calls settled exactly), Level II by the probability of ratification over the scenarios."""

    def __init__(self, instance: Instance, objective: str, home: str, floor: float | None, built: BuiltModel | None = None):
        self.instance, self.objective, self.home, self.floor, self.built = instance, objective, home, floor, built
        self.free = level_free(instance)
        self.base = objectives.base(objective)

    def _value(self, deal: Deal, utilities, chance: float) -> float:
        if objectives.of(self.objective).expected:
            return expected_utility(self.instance, deal, self.home, chance)
        return objective_value(self.instance, utilities, self.base, self.home)

    def _enough(self, chance: float) -> bool:
        return self.floor is None or chance >= self.floor - 1e-9

    def check(self, deal: Deal) -> Verdict:
        check = checked(self.built, self.instance, deal, evaluate(self.instance, deal))
        limits = exact.check(self.free, deal, evaluate(self.free, deal)).evaluation.violations
        info = ratification(self.instance, deal)
        violations = limits + (() if self._enough(info["overall"]) else
                               ("its probability of ratification is below the floor",))
        value = None if violations else self._value(deal, check.evaluation.negotiator_utility, info["overall"])
        return Verdict(check.evaluation, violations, value, check.report(), self._uncertainty(info))

    def screen(self, deal: Deal) -> float | None:
        chance = ratification(self.instance, deal)["overall"]
        if not self._enough(chance) or evaluate(self.free, deal).violations:
            return None
        return self._value(deal, evaluate(self.instance, deal).negotiator_utility, chance)

    def uncertainty(self, verdict: Verdict | None) -> dict:
        return verdict.uncertainty if verdict is not None else self._uncertainty(None)

    def _uncertainty(self, info: dict | None) -> dict:
        return {
            "scenarios": len(scenarios_of(self.instance)),
            "min_ratification": self.floor,
            "ratification_probability": None if info is None else {"overall": info["overall"], "sides": info["sides"]},
            "by_scenario": None if info is None else info["scenarios"],
        }


def solve_uncertain(instance: Instance, objective: str, home: str, options: SolveOptions,
                    min_ratification: float | None = None) -> Result:
    """The best deal under the scenarios for ``objective`` (expected, robust, or any other with a floor)."""
    goal = objectives.of(objective)
    floor = goal.floor if goal.floor is not None else min_ratification
    limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
    t0 = time.perf_counter()
    start = starting_deal(instance, objective, home, dataclasses.replace(options, time_limit=START_SHARE * limit), floor)
    options = dataclasses.replace(options, time_limit=max(0.01, limit - (time.perf_counter() - t0)))
    built = BuiltModel(level_free(instance), objectives.base(objective), home, options)
    m = built.model
    built.add_rows(add_scenarios(m, instance))
    if floor is not None:
        built.add_rows(add_ratification_floor(m, instance, floor))
    if goal.expected:
        expected, rows = add_expected_objective(m, instance, home)
        built.add_rows(rows)
        built.set_goal(expected)
    built.start = start
    return conclude(built, SCENARIO_MIP, ScenarioJudge(instance, objective, home, floor, built))


def starting_deal(instance: Instance, objective: str, home: str, options: SolveOptions, floor: float | None) -> Deal | None:
    """A deal to start the scenario model from: the better, judged under the scenarios, of the
    deterministic optima for the workbook's own constituencies and for a demanding reading of
    them (every group at its highest reservation over the scenarios, :func:`planner.uncertainty.demanding`).

    Solved by the planner's deterministic methods (the package tree for own and joint), each
    within half of ``options.time_limit``. None when neither gives a deal that
    meets the ratification floor.
    """
    judge = ScenarioJudge(instance, objective, home, floor)
    half = dataclasses.replace(options, time_limit=options.time_limit / 2)
    best, best_value = None, -math.inf
    for case in (instance.replace(scenarios=()), demanding(instance)):
        result = solve_deterministic(case, objectives.base(objective), home, half)
        if not result.has_deal:
            continue
        value = judge.screen(result.deal)
        if value is not None and value > best_value:
            best, best_value = result.deal, value
    return best
