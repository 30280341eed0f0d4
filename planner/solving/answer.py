"""The Result builder: every path's deal checked, tidied and priced the same way.

Whatever method found a deal, and whether Level II is judged in the workbook or in the
Scenarios, the deal is reported only after three steps (:func:`conclude`, which turns a
method's :class:`~planner.solving.methods.Outcome` into a :class:`~planner.result.Result`
with a *judge* that says what a deal is worth and whether it may be reported):

1. the exact re-check: the deal is read back with binaries rounded and payments clipped
   to their bounds (:meth:`~planner.solving.highs.BuiltModel.deal`), and the judge
   recomputes every fact from it, close calls settled in rational arithmetic
   (:mod:`planner.exact`);
2. the tidy step: among deals of the same package and value, the one that moves the least
   money (:func:`tidied`), kept when it is feasible, worth as much and saves money;
3. the reprice: a deal that fails the check is priced again with tight tolerances
   (:meth:`~planner.solving.highs.BuiltModel.repriced`), and a deal that still fails is
   never reported (status ``unknown``, with a note that says why).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import pyomo.environ as pyo

from .. import exact, objectives
from ..evaluate import Deal, Evaluation
from ..model import Instance
from ..result import Result
from .highs import BuiltModel
from .methods import Method


@dataclass(frozen=True)
class Verdict:
    """A judge's word on a deal, exactly: its evaluation, whether it may be reported, and its value."""

    evaluation: Evaluation
    violations: tuple[str, ...]
    value: float | None  # the objective's value; None when the deal may not be reported
    exact_check: dict[str, Any] | None  # the result's exact_check key
    uncertainty: dict[str, Any] | None = None  # the result's uncertainty key

    @property
    def feasible(self) -> bool:
        return not self.violations


class Judge(Protocol):
    """What a path decides about deals: their exact verdict, a floating-point screen, the uncertainty key.

    ``instance`` and ``objective`` are what the answer speaks of (for a scenario model, built
    without Level II for a base objective: the workbook's instance and the objective asked for).
    """

    instance: Instance
    objective: str

    def check(self, deal: Deal) -> Verdict:
        """The exact verdict (close calls settled in rational arithmetic)."""

    def screen(self, deal: Deal) -> float | None:
        """The deal's value when it is feasible in floating point, else None (cheap: before an exact check)."""

    def uncertainty(self, verdict: Verdict | None) -> dict[str, Any] | None:
        """The result's uncertainty key (None for a deterministic answer)."""


def checked(built: BuiltModel, instance: Instance, deal: Deal, evaluation: Evaluation) -> exact.ExactCheck:
    """The evaluation with its close calls settled exactly; a note when floating point and exact arithmetic disagreed."""
    check = exact.check(instance, deal, evaluation)
    note = ("floating point and exact arithmetic disagreed on "
            + ", ".join(f"{c.kind} of {c.holder}" for c in check.conditions if c.holds != c.float_holds)
            + "; the exact verdicts are reported")
    if not check.agrees and note not in built.notes:
        built.notes.append(note)
    return check


def conclude(built: BuiltModel, method: Method, judge: Judge) -> Result:
    """Run ``method`` on the built model and turn its deal into a Result the judge has checked."""
    instance, home, options = built.instance, built.home, built.options
    notes_before = len(built.notes)
    outcome = method.search(built)
    status, deal, gap = outcome.status, outcome.deal, outcome.gap
    verdict = judge.check(deal) if deal is not None else None
    if verdict is not None and verdict.feasible:
        tidy = tidied(built, deal, verdict.value)
        if tidy is not deal:
            tidy_value = judge.screen(tidy)
            value = verdict.value
            saved = money(instance, deal) - money(instance, tidy)
            if tidy_value is not None and tidy_value >= value - 1e-6 * max(1.0, abs(value)) and saved > 1e-6:
                tidy_verdict = judge.check(tidy)
                if tidy_verdict.feasible:
                    deal, verdict = tidy, tidy_verdict
    if verdict is not None and not verdict.feasible:
        deal = built.repriced(deal)
        verdict = judge.check(deal)
        if not verdict.feasible:
            built.notes.append("the solver's deal is not feasible when checked exactly: " + "; ".join(verdict.violations))
            status, deal, verdict = "unknown", None, None
    value = verdict.value if verdict is not None else None
    bounded = method.bound_holds and objectives.of(judge.objective).bounded
    bound = value if status == "optimal" else built.bound if bounded else None
    return Result(
        instance=judge.instance, status=status, objective=judge.objective, home=home,
        deal=deal, evaluation=verdict.evaluation if verdict is not None else None,
        objective_value=value, mip_gap=gap if deal is not None else None,
        solve_seconds=time.perf_counter() - built.started, build_seconds=built.build_seconds,
        notes=tuple(built.notes[notes_before:]),
        solver={"name": "highs", "method": method.name, "threads": options.threads, "random_seed": options.random_seed,
                "time_limit": built.time_limit, "mip_gap": built.mip_gap},
        exact_check=verdict.exact_check if verdict is not None else None,
        objective_bound=bound if deal is not None else None,
        uncertainty=judge.uncertainty(verdict),
    )


def tidied(built: BuiltModel, deal: Deal, value: float) -> Deal:
    """The same package and objective value with the least money moved.

    An optimal deal may carry payments that change nothing for the objective (another
    side paying a group that already supports). With the package fixed and the goal held
    at its value, this re-solve minimises total payments and transfers and the actions'
    uses (each at its cost plus one). An objective the model only approximates cannot be
    held, and its deal is kept as it is, as is a deal found when the time limit has passed.
    """
    m = built.model
    if objectives.of(built.objective).approximated or not (len(m.PAID) or len(m.TRANSFERS) or len(m.ACTIONS)):
        return deal
    if built.time_left() <= 0:  # the time limit holds for the whole run: the deal is reported as the search left it
        return deal
    slack = 1e-7 * max(1.0, abs(value))
    m.keep_value = pyo.Constraint(expr=built.goal.expr >= value - slack)
    actions = sum((built.instance.action(a).cost + 1) * m.n[a] for a in m.ACTIONS)
    m.least_money = pyo.Objective(expr=sum(m.p[g] for g in m.PAID) + sum(m.t[k] for k in m.TRANSFERS) + actions)
    built.add_rows([m.keep_value])
    built.use_objective(m.least_money)
    try:
        _, out = built.solve_package(dict(deal.package))
    finally:
        built.use_objective(built.goal)  # first: the row's variables then keep their HiGHS columns throughout
        built.drop_row(m.keep_value)
        m.del_component(m.least_money)
    return out if out is not None else deal


def money(instance: Instance, deal: Deal) -> float:
    """Payments and transfers, and each action use at its cost plus one (so free actions not needed are dropped)."""
    actions = sum((instance.action(a).cost + 1) * n for a, n in deal.actions.items())
    return sum(deal.payments.values()) + sum(deal.transfers) + actions
