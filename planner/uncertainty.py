r"""Deciding under uncertainty about the constituencies: scenarios, ratification risk, expected and robust deals.

Putnam's negotiators are unsure of the other side's win-set, and a deal that fails
ratification (*involuntary defection*) leaves them with no agreement. Scenarios
:math:`k` with probabilities :math:`\pi_k` (the Scenarios and ScenarioChanges sheets, or
samples of normally distributed group reservations) describe what the constituencies
might be like; the negotiators' own utilities do not change with the scenario.

* :func:`ratification` — a deal's probability of ratification, per side and overall:
  :math:`P = \sum_k \pi_k [\text{every side ratifies in } k]`, evaluated exactly.
* ``expected`` — maximise the home negotiator's expected utility
  :math:`\sum_k \pi_k \big(r_k U_h + (1 - r_k) R^0_h\big)`, where :math:`r_k` says the deal
  is ratified in scenario :math:`k` and :math:`R^0_h` is the home negotiator's utility
  of no agreement (its reservation, or 0). Only deals worth at least :math:`R^0_h` to the
  home negotiator are proposed (a worse one would be better not offered).
* ``robust`` — the best deal (for the own objective) that every scenario ratifies.
* ``min_ratification`` :math:`P` — with any objective: :math:`\sum_k \pi_k r_k \ge P`.

Under uncertainty Level II is judged in the scenarios only; the workbook's own values are
the scenarios' starting point, not one more scenario.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time

from .evaluate import Deal, evaluate
from .model import Instance, Member, Scenario, ScenarioChange
from .result import Result

UNCERTAIN_OBJECTIVES = ("expected", "robust")


# -- scenarios -------------------------------------------------------------------------------
def scenarios_of(instance: Instance) -> tuple[Scenario, ...]:
    """The instance's scenarios; an instance without any has one, itself, with probability 1."""
    return instance.scenarios or (Scenario("base", 1.0),)


def scenario_instance(instance: Instance, scenario: Scenario) -> Instance:
    """The instance as it is in ``scenario`` (reservations, weights and group utilities changed)."""
    groups = {g.id: g for g in instance.groups}
    factor: dict[str, float] = {}
    table = {h: dict(v) for h, v in instance.utilities.items()}
    for c in scenario.changes:
        g = groups[c.holder]
        reservation = g.reservation + c.reservation_shift
        if c.utility_shift and c.issue is None:
            reservation -= c.utility_shift  # the same shift on every package
        elif c.utility_shift:
            row = table.setdefault(c.holder, {})
            row[(c.issue, c.option)] = row.get((c.issue, c.option), 0.0) + c.utility_shift
        groups[c.holder] = dataclasses.replace(g, reservation=reservation, weight=g.weight * c.weight_factor)
        factor[c.holder] = factor.get(c.holder, 1.0) * c.weight_factor
    bodies = tuple(
        dataclasses.replace(b, members=tuple(Member(m.group, m.weight * factor.get(m.group, 1.0)) for m in b.members))
        for b in instance.bodies
    )
    return instance.replace(groups=tuple(groups[g.id] for g in instance.groups), bodies=bodies, utilities=table,
                            scenarios=())


def with_samples(instance: Instance, samples: int, seed: int = 0) -> Instance:
    """Scenarios sampled from the groups' ``reservation_sd``: each scenario (or the workbook
    itself) becomes ``samples`` equally likely ones, every such group's reservation shifted
    by an independent :math:`N(0, \\sigma_g^2)` draw (deterministic for a seed)."""
    uncertain = [g for g in instance.groups if g.reservation_sd]
    if samples < 1 or not uncertain:
        return instance
    rng = random.Random(seed)
    out = []
    for base in scenarios_of(instance):
        for k in range(samples):
            shifts = tuple(ScenarioChange(g.id, rng.gauss(0.0, g.reservation_sd)) for g in uncertain)
            out.append(Scenario(f"{base.id}#{k + 1}", base.probability / samples, base.changes + shifts))
    return instance.replace(scenarios=tuple(out))


def ratification(instance: Instance, deal: Deal) -> dict:
    """The deal's probability of ratification: per side, overall, and scenario by scenario (exact)."""
    rows = []
    for sc in scenarios_of(instance):
        ev = evaluate(scenario_instance(instance, sc), deal)
        rows.append({"scenario": sc.id, "probability": sc.probability, "ratified": all(ev.ratified.values()),
                     **{f"ratified_{s}": ok for s, ok in ev.ratified.items()}})

    def chance(key: str) -> float:
        return min(1.0, math.fsum(r["probability"] for r in rows if r[key]))

    return {"overall": chance("ratified"), "sides": {s: chance(f"ratified_{s}") for s in instance.side_ids}, "scenarios": rows}


def no_agreement_utility(instance: Instance, side: str) -> float:
    """A negotiator's utility when no deal is ratified: its reservation, or 0."""
    r = instance.side(side).reservation
    return r if r is not None else 0.0


def expected_utility(instance: Instance, deal: Deal, home: str, probability: float | None = None) -> float:
    r"""The home negotiator's expected utility :math:`P U_h + (1 - P) R^0_h` of proposing ``deal``."""
    p = ratification(instance, deal)["overall"] if probability is None else probability
    u = evaluate(instance, deal).negotiator_utility[home]
    return p * u + (1 - p) * no_agreement_utility(instance, home)


# -- the model's instance ------------------------------------------------------------------
def level_free(instance: Instance) -> Instance:
    """The instance without Level II (no bodies, no vetoes): its scenarios judge ratification."""
    return instance.replace(bodies=(), groups=tuple(dataclasses.replace(g, veto=False) for g in instance.groups),
                            scenarios=())


# -- solving -------------------------------------------------------------------------------------
def solve_uncertain(instance: Instance, objective: str, home: str, options, min_ratification: float | None = None) -> Result:
    """The best deal under the scenarios for ``objective`` (expected, robust, or any other with a floor)."""
    from .formulation.scenarios import add_expected_objective, add_ratification_floor, add_scenarios
    from .solve import BuiltModel, _clean_gap, _status

    base_objective = "own" if objective in UNCERTAIN_OBJECTIVES else objective
    floor = 1.0 if objective == "robust" else min_ratification
    limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
    t0 = time.perf_counter()
    start = starting_deal(instance, objective, home, dataclasses.replace(options, time_limit=START_SHARE * limit), floor)
    options = dataclasses.replace(options, time_limit=max(0.01, limit - (time.perf_counter() - t0)))
    built = BuiltModel(level_free(instance), base_objective, home, options)
    m = built.model
    built.add_rows(add_scenarios(m, instance))
    if floor is not None:
        built.add_rows(add_ratification_floor(m, instance, floor))
    if objective == "expected":
        goal, rows = add_expected_objective(m, instance, home)
        built.add_rows(rows)
        built.use_objective(goal)
    if start is not None:
        built.suggest(start)
    run = built.run()
    status = _status(run)
    deal = built.deal() if run.has_solution else None
    return _result(instance, objective, home, built, status, deal, _clean_gap(run.gap) if deal else None, floor)


START_SHARE = 0.2
"""Share of the time limit spent finding a starting deal for the scenario model."""


def starting_deal(instance: Instance, objective: str, home: str, options, floor: float | None) -> Deal | None:
    """A deal to start the scenario model from: the better, judged exactly under the scenarios,
    of the deterministic optima for the workbook's own constituencies and for a demanding
    reading of them (every group at its highest reservation over the scenarios).

    Solved by the planner's deterministic methods (package bounding where the packages can be
    listed), each within half of ``options.time_limit``. None when neither gives a deal that
    meets the ratification floor.
    """
    from .objectives import objective_value
    from .solve import solve

    base_objective = "own" if objective in UNCERTAIN_OBJECTIVES else objective
    half = dataclasses.replace(options, time_limit=options.time_limit / 2)
    best, best_value = None, -math.inf
    for case in (instance.replace(scenarios=()), demanding(instance)):
        result = solve(case, objective=base_objective, home=home, options=half)
        if not result.has_deal:
            continue
        deal = result.deal
        chance = ratification(instance, deal)["overall"]
        if floor is not None and chance < floor - 1e-9 or evaluate(level_free(instance), deal).violations:
            continue
        if objective == "expected":
            value = expected_utility(instance, deal, home, chance)
        else:
            value = objective_value(instance, evaluate(instance, deal).negotiator_utility, base_objective, home)
        if value > best_value:
            best, best_value = deal, value
    return best


def demanding(instance: Instance) -> Instance:
    """The instance with every group at the highest reservation the scenarios give it (shifts of
    the reservation less shifts of its whole-package utility; option shifts and weights aside)."""
    worst = {g.id: 0.0 for g in instance.groups}
    for sc in instance.scenarios:
        for c in sc.changes:
            shift = c.reservation_shift - (c.utility_shift if c.issue is None else 0.0)
            worst[c.holder] = max(worst[c.holder], shift)
    groups = tuple(dataclasses.replace(g, reservation=g.reservation + worst[g.id]) for g in instance.groups)
    return instance.replace(groups=groups, scenarios=())


def _result(instance: Instance, objective: str, home: str, built, status: str, deal: Deal | None, gap, floor) -> Result:
    """The Result, every fact recomputed from the deal: Level I in the workbook, Level II per scenario."""
    from .objectives import objective_value

    notes = list(built.notes)
    info = None
    value = None
    evaluation = None
    if deal is not None:
        evaluation = evaluate(instance, deal)
        info = ratification(instance, deal)
        holds = not evaluate(level_free(instance), deal).violations  # Rules, payment limits, Level I
        enough = floor is None or info["overall"] >= floor - 1e-9
        if not (holds and enough):
            notes.append("the solver's deal does not hold when checked exactly: "
                         + ("its probability of ratification is below the floor" if holds
                            else "a Rule, Level-I or payment limit fails"))
            status, deal, evaluation, info = "unknown", None, None, None
    if deal is not None:
        if objective == "expected":
            value = expected_utility(instance, deal, home, info["overall"])
        else:
            value = objective_value(instance, evaluation.negotiator_utility, "own" if objective == "robust" else objective, home)
    uncertainty = {
        "scenarios": len(scenarios_of(instance)),
        "min_ratification": floor,
        "ratification_probability": None if info is None else {"overall": info["overall"], "sides": info["sides"]},
        "by_scenario": None if info is None else info["scenarios"],
    }
    return Result(
        instance=instance, status=status, objective=objective, home=home, deal=deal, evaluation=evaluation,
        objective_value=value, mip_gap=gap, solve_seconds=time.perf_counter() - built.started,
        build_seconds=built.build_seconds, notes=tuple(notes),
        solver={"name": "highs", "method": "scenario mip", "threads": built.options.threads,
                "random_seed": built.options.random_seed, "time_limit": built.time_limit, "mip_gap": built.mip_gap},
        uncertainty=uncertainty,
    )
