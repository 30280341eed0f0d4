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

This module holds the facts of a deal under scenarios (Pyomo-free); the scenario blocks of
the model are :mod:`planner.formulation.scenarios`, and the uncertain answer is
:mod:`planner.solving.uncertain`.
"""

from __future__ import annotations

import dataclasses
import math
import random

from .evaluate import Deal, evaluate
from .model import Instance, Member, Scenario, ScenarioChange


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


# -- instances the uncertain answer solves -----------------------------------------------------
def level_free(instance: Instance) -> Instance:
    """The instance without Level II (no bodies, no vetoes): its scenarios judge ratification."""
    return instance.replace(bodies=(), groups=tuple(dataclasses.replace(g, veto=False) for g in instance.groups),
                            scenarios=())


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
