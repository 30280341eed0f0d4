"""Exact re-checks of a deal in rational arithmetic.

:func:`planner.evaluate.evaluate` decides every fact about a deal in floating point, with
the tolerance of the workbook format (a group supports a deal when its utility is at least
its reservation minus 1e-6). Two things can make such a verdict wrong or fragile: the
floating-point sums themselves (at magnitudes of 1e9 and beyond, or when large terms
cancel, rounding exceeds the tolerance), and the solver, whose own tolerances let it
propose deals that clear a reservation, a cap or a budget by less than the tolerance.

:func:`check` recomputes every condition of a deal that involves a sum — each group's
support, each negotiator's Level-I reservation, payment caps, budgets and transfer limits —
in exact rational arithmetic (:class:`fractions.Fraction`). Every number is taken as the
decimal it prints as (``repr``), which is the number the workbook shows: 0.1 + 0.2 is
exactly 0.3 here. Votes are already decided exactly by the evaluator once supports are
known. A *close call* is a condition whose exact margin lies within the tolerance; for
those, and for any condition on which floating point and exact arithmetic disagree, the
result carries an ``exact_check`` (an optional key of the JSON result, documented in
``docs/reliability.md``), and the exact verdict is the one reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from .evaluate import SUPPORT_TOLERANCE, Deal, Evaluation, side_ratifies, vote
from .model import Instance

TOLERANCE = Fraction(repr(SUPPORT_TOLERANCE))
"""The workbook format's tolerance, exactly (1/10^6)."""


def q(x: Any) -> Fraction:
    """The exact rational value of a number as it prints (an input cell, an amount of the deal)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(float(x)))


@dataclass(frozen=True)
class Condition:
    """One condition of a deal, exactly: ``value >= threshold - tolerance`` (``margin = value - threshold``).

    ``kind`` is support (a group), level_one (a negotiator), cap (a group's payment),
    budget (a side's spending), or transfer (a transfer row, numbered from 1).
    """

    kind: str
    holder: str
    margin: Fraction
    float_holds: bool
    float_margin: float = 0.0

    @property
    def holds(self) -> bool:
        return self.margin >= -TOLERANCE

    @property
    def holds_without_tolerance(self) -> bool:
        return self.margin >= 0

    @property
    def close(self) -> bool:
        """Within the tolerance of its threshold, and not a plain tie (0 in floating point and exactly)."""
        return abs(self.margin) <= TOLERANCE and not (self.margin == 0 and self.float_margin == 0)

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.kind, "holder": self.holder, "margin": float(self.margin), "holds": self.holds,
                "holds_without_tolerance": self.holds_without_tolerance, "float_verdict": self.float_holds}


@dataclass(frozen=True)
class ExactCheck:
    """The exact verdict on a deal: its conditions, and the evaluation with exact verdicts in it."""

    conditions: tuple[Condition, ...]
    evaluation: Evaluation

    @property
    def agrees(self) -> bool:
        """Floating point and exact arithmetic reach the same verdict on every condition."""
        return all(c.holds == c.float_holds for c in self.conditions)

    @property
    def noteworthy(self) -> tuple[Condition, ...]:
        """The close calls and the disagreements."""
        return tuple(c for c in self.conditions if c.close or c.holds != c.float_holds)

    def report(self) -> dict[str, Any] | None:
        """The ``exact_check`` key of the result: None when no condition is a close call."""
        shown = self.noteworthy
        if not shown:
            return None
        return {
            "arithmetic": "rational, on the decimals of the input and of the deal",
            "tolerance": float(TOLERANCE),
            "agrees": self.agrees,
            "close_calls": [c.to_dict() for c in shown],
        }


# -- exact utilities ----------------------------------------------------------------------
def _package_value(instance: Instance, holder: str, package) -> Fraction:
    table = instance.utilities.get(holder, {})
    total = sum((q(table[(i, o)]) for i, o in package.items() if (i, o) in table), Fraction(0))
    return total + sum((q(l.value) for l in instance.links_of(holder)
                        if package.get(l.issue_a) == l.option_a and package.get(l.issue_b) == l.option_b), Fraction(0))


def _action_shift(instance: Instance, deal: Deal, holder: str) -> Fraction:
    return sum((q(a.utility_shift) * deal.uses(a.id) for a in instance.actions_on(holder)), Fraction(0))


def _payment(deal: Deal, group: str) -> Fraction:
    return q(deal.payments.get(group, 0))


def _transfer(deal: Deal, k: int) -> Fraction:
    return q(deal.transfer(k))


def group_utility(instance: Instance, deal: Deal, group: str) -> Fraction:
    g = instance.group(group)
    received = sum((q(t.value) * _transfer(deal, k) for k, t in enumerate(instance.transfers) if t.to == group), Fraction(0))
    return (_package_value(instance, group, deal.package) + q(g.payment_efficiency) * _payment(deal, group) + received
            + _action_shift(instance, deal, group))


def reservation(instance: Instance, deal: Deal, group: str) -> Fraction:
    shift = sum((q(a.reservation_shift) * deal.uses(a.id) for a in instance.actions_on(group)), Fraction(0))
    return q(instance.group(group).reservation) + shift


def spending(instance: Instance, deal: Deal, side: str) -> Fraction:
    paid = sum((_payment(deal, g.id) for g in instance.groups_of(side)), Fraction(0))
    return paid + sum((q(a.cost) * deal.uses(a.id) for a in instance.actions_of(side)), Fraction(0))


def negotiator_utility(instance: Instance, deal: Deal, side: str) -> Fraction:
    s = instance.side(side)
    if instance.has_explicit_utilities(side):
        table = instance.utilities[side]
        base = sum((q(table[(i, o)]) for i, o in deal.package.items() if (i, o) in table), Fraction(0))
    else:
        groups = instance.groups_of(side)
        total = sum((q(g.weight) for g in groups), Fraction(0))
        base = (sum((q(g.weight) * _package_value(instance, g.id, deal.package) for g in groups), Fraction(0)) / total
                if total > 0 else Fraction(0))
    links = sum((q(l.value) for l in instance.links_of(side)
                 if deal.package.get(l.issue_a) == l.option_a and deal.package.get(l.issue_b) == l.option_b), Fraction(0))
    value = base + links - q(s.payment_cost) * spending(instance, deal, side) + _action_shift(instance, deal, side)
    for k, t in enumerate(instance.transfers):
        if t.to == side:
            value += q(t.value) * _transfer(deal, k)
        if t.from_side == side:
            value -= q(t.cost) * _transfer(deal, k)
    return value


# -- the check ----------------------------------------------------------------------------
ROUNDING = 1e-14
"""A bound on floating point's relative error in the evaluator's sums (a few hundred terms at 2^-53 each, with room)."""


def _group_magnitude(instance: Instance, deal: Deal, group: str) -> tuple[float, float]:
    """The sum of the absolute values of a group's utility terms, and of its reservation's."""
    g = instance.group(group)
    table = instance.utilities.get(group, {})
    size = sum(abs(table.get((i, o), 0.0)) for i, o in deal.package.items())
    size += sum(abs(l.value) for l in instance.links_of(group))
    size += abs(g.payment_efficiency * deal.payments.get(group, 0.0))
    size += sum(abs(t.value * deal.transfer(k)) for k, t in enumerate(instance.transfers) if t.to == group)
    acts = instance.actions_on(group)
    size += sum(abs(a.utility_shift * deal.uses(a.id)) for a in acts)
    return size, abs(g.reservation) + sum(abs(a.reservation_shift * deal.uses(a.id)) for a in acts)


def _needs_exact(margin: float, magnitude: float) -> bool:
    """Whether a floating-point margin could be a close call or wrong: within the tolerance plus rounding."""
    return abs(margin) <= SUPPORT_TOLERANCE + ROUNDING * (1.0 + magnitude)


def check(instance: Instance, deal: Deal, evaluation: Evaluation) -> ExactCheck:
    """The conditions of ``deal`` that floating point cannot settle beyond doubt, exactly; and
    ``evaluation`` with the exact verdicts in it.

    A condition is computed exactly when its floating-point margin lies within the
    tolerance plus a bound on rounding; beyond that band floating point is certainly
    right and the condition is no close call. When floating point and exact arithmetic
    agree, the evaluation returned is ``evaluation`` itself; otherwise supports, votes,
    ratification, Level-I verdicts and violations are those of exact arithmetic.
    """
    from .evaluate import reservation as float_reservation
    from .evaluate import spending as float_spending

    tol = SUPPORT_TOLERANCE
    conditions: list[Condition] = []
    supports = dict(evaluation.supports)
    sizes = {}
    for g in instance.groups:
        size, res_size = sizes[g.id] = _group_magnitude(instance, deal, g.id)
        float_margin = evaluation.group_utility[g.id] - float_reservation(instance, deal, g.id)
        if _needs_exact(float_margin, size + res_size):
            margin = group_utility(instance, deal, g.id) - reservation(instance, deal, g.id)
            conditions.append(Condition("support", g.id, margin, evaluation.supports[g.id], float_margin))
            supports[g.id] = margin >= -TOLERANCE
        p = deal.payments.get(g.id, 0.0)
        if g.payment_cap is not None and p > 0 and _needs_exact(g.payment_cap - p, g.payment_cap + p):
            conditions.append(Condition("cap", g.id, q(g.payment_cap) - _payment(deal, g.id), p <= g.payment_cap + tol,
                                        g.payment_cap - p))
    level_one = dict(evaluation.level_one)
    for s in instance.sides:
        paid = float_spending(instance, deal, s.id)
        if s.reservation is not None:
            groups = instance.groups_of(s.id)
            size = (max((sizes[g.id][0] for g in groups), default=0.0) + sum(abs(l.value) for l in instance.links_of(s.id))
                    + sum(abs(v) for v in instance.utilities.get(s.id, {}).values()) + abs(s.payment_cost * paid)
                    + sum(abs(t.value) + abs(t.cost) for t in instance.transfers) * max(deal.transfers, default=0.0)
                    + sum(abs(a.utility_shift) * a.max_uses for a in instance.actions_on(s.id)) + abs(s.reservation))
            float_margin = evaluation.negotiator_utility[s.id] - s.reservation
            if _needs_exact(float_margin, size * max(1, len(groups))):
                margin = negotiator_utility(instance, deal, s.id) - q(s.reservation)
                conditions.append(Condition("level_one", s.id, margin, evaluation.level_one[s.id], float_margin))
                level_one[s.id] = margin >= -TOLERANCE
        if paid > 0 and _needs_exact(s.budget - paid, s.budget + paid * (1 + len(instance.groups_of(s.id)))):
            conditions.append(Condition("budget", s.id, q(s.budget) - spending(instance, deal, s.id), paid <= s.budget + tol,
                                        s.budget - paid))
    for k, t in enumerate(instance.transfers):
        amount = deal.transfer(k)
        if amount != 0 and _needs_exact(t.max_amount - amount, t.max_amount + abs(amount)):
            conditions.append(Condition("transfer", str(k + 1), q(t.max_amount) - _transfer(deal, k),
                                        amount <= t.max_amount + tol, t.max_amount - amount))
    result = ExactCheck(tuple(conditions), evaluation)
    if result.agrees:
        return result
    return replace(result, evaluation=_with_verdicts(instance, evaluation, supports, level_one, result.conditions))


def _with_verdicts(instance: Instance, ev: Evaluation, supports: dict, level_one: dict, conditions) -> Evaluation:
    """The evaluation with exact supports (and the votes and ratification they give) and Level-I verdicts."""
    votes = {b.id: vote(b, supports) for b in instance.bodies}
    ratified = {s.id: side_ratifies(instance, s.id, supports, votes) for s in instance.sides}
    limits = {"cap": "payment to {} is outside [0, cap]", "budget": "payments and actions of {} exceed its budget",
              "transfer": "transfer {} is outside [0, max_amount]"}
    kept = [v for v in ev.violations if not v.startswith(("side ", "negotiator ", "payment to ", "payments and actions of ",
                                                           "transfer "))]
    kept += sorted({limits[c.kind].format(c.holder) for c in conditions if c.kind in limits and not c.holds})
    kept += [f"side {s} does not ratify" for s, ok in ratified.items() if not ok]
    kept += [f"negotiator {s} is below its reservation" for s, ok in level_one.items() if not ok]
    return replace(ev, supports=supports, votes=votes, ratified=ratified, level_one=level_one, violations=tuple(kept))
