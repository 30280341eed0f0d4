"""What a given deal means: utilities, support, votes, ratification and feasibility.

This module is the single source of truth for every fact the planner reports about a
deal. It follows the "Meaning" section of the workbook format word by word and never
looks at a solver's variables. Every utility is its terms (and exact products) summed
with one rounding (``math.fsum``), so values of very different magnitudes do not swallow
one another, and
vote thresholds are compared in exact rational arithmetic, so a strict majority at
exactly half the weight is decided exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from .model import Body, Instance

SUPPORT_TOLERANCE = 1e-6
"""A group supports a deal when its utility is at least its reservation minus this."""


@dataclass(frozen=True)
class Deal:
    """A Level-I agreement: one option per issue, plus side payments and win-set actions.

    ``payments`` maps a group to the domestic payment it receives from its negotiator;
    ``transfers`` holds one amount per row of the instance's Transfers, in order;
    ``actions`` maps an action of the Actions sheet to how many times it is taken.
    """

    package: Mapping[str, str]
    payments: Mapping[str, float] = field(default_factory=dict)
    transfers: tuple[float, ...] = ()
    actions: Mapping[str, int] = field(default_factory=dict)

    def transfer(self, k: int) -> float:
        return self.transfers[k] if k < len(self.transfers) else 0.0

    def uses(self, action: str) -> int:
        return self.actions.get(action, 0)

    def without(self, action: str) -> Deal:
        """The same deal with one action not taken."""
        return Deal(self.package, self.payments, self.transfers, {a: n for a, n in self.actions.items() if a != action})


@dataclass(frozen=True)
class BodyVote:
    body: str
    side: str
    yes_weight: float
    total_weight: float
    yes_count: int
    member_count: int
    passed: bool

    @property
    def margin(self) -> float:
        """Yes weight minus the weight the threshold asks for (negative: short by that much)."""
        return self.yes_weight - self.required_weight

    required_weight: float = 0.0


@dataclass(frozen=True)
class Evaluation:
    """Everything that follows from a deal."""

    negotiator_utility: dict[str, float]
    group_utility: dict[str, float]
    supports: dict[str, bool]
    votes: dict[str, BodyVote]
    ratified: dict[str, bool]
    level_one: dict[str, bool]
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """Every Rule and payment limit holds, every side ratifies and every Level-I reservation is met."""
        return not self.violations


# -- utilities -------------------------------------------------------------------------
# Every utility is a sum of terms (option values, Link values, payments, transfers, shifts),
# rounded once (math.fsum), with each product of two numbers kept exactly as two floats
# (Dekker's product): summed term by term, 1e16 + 1 - 1e16 would be 0, and a package worth
# exactly a group's reservation could be reported as short of it.
_SPLIT = 134217729.0  # 2**27 + 1: splits a float's 53-bit significand into two halves


def _product(a: float, b: float) -> tuple[float, float]:
    """``a * b`` as two floats whose sum is exactly the product (Dekker); the rounded product where splitting overflows."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    if not (math.isfinite(ca) and math.isfinite(cb) and math.isfinite(p)):
        return p, 0.0
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _products(pairs) -> list[float]:
    """The exact parts of every product ``a * b`` of the pairs."""
    return [part for a, b in pairs for part in _product(a, b)]


def package_value(instance: Instance, holder: str, package: Mapping[str, str]) -> float:
    """A holder's option values plus its Link values for a package (no payments)."""
    return math.fsum(_package_terms(instance, holder, package))


def _package_terms(instance: Instance, holder: str, package: Mapping[str, str]) -> list[float]:
    terms = [instance.value(holder, i, o) for i, o in package.items()]
    return terms + _link_terms(instance, holder, package)


def _link_terms(instance: Instance, holder: str, package: Mapping[str, str]) -> list[float]:
    return [l.value for l in instance.links_of(holder)
            if package.get(l.issue_a) == l.option_a and package.get(l.issue_b) == l.option_b]


def link_value(instance: Instance, holder: str, package: Mapping[str, str]) -> float:
    return math.fsum(_link_terms(instance, holder, package))


def negotiator_package_value(instance: Instance, side: str, package: Mapping[str, str]) -> float:
    """A negotiator's package utility before payments: explicit rows, or its groups' weighted average.

    .. math:: V_s(x) = \\sum_i v_{s,i,x_i} + L_s(x) \\quad\\text{or}\\quad
              \\frac{\\sum_g w_g (v_g(x) + L_g(x))}{\\sum_g w_g} + L_s(x)
    """
    return math.fsum(_negotiator_package_terms(instance, side, package))


def _negotiator_package_terms(instance: Instance, side: str, package: Mapping[str, str]) -> list[float]:
    if instance.has_explicit_utilities(side):
        base = [instance.value(side, i, o) for i, o in package.items()]
    else:
        base = [_weighted_group_average(instance, side, package)]
    return base + _link_terms(instance, side, package)


def _weighted_group_average(instance: Instance, side: str, package: Mapping[str, str]) -> float:
    groups = instance.groups_of(side)
    total = math.fsum(g.weight for g in groups)
    if total <= 0:
        return 0.0
    weighted = ((g.weight, v) for g in groups if g.weight for v in _package_terms(instance, g.id, package))
    return math.fsum(_products(weighted)) / total


def group_utility(instance: Instance, deal: Deal, group: str) -> float:
    """Package value, plus payment times efficiency, transfers received and actions' utility shifts."""
    g = instance.group(group)
    pairs = [(t.value, deal.transfer(k)) for k, t in enumerate(instance.transfers) if t.to == group]
    pairs.append((g.payment_efficiency, deal.payments.get(group, 0.0)))
    pairs += _shift_pairs(instance, deal, group)
    return math.fsum(_package_terms(instance, group, deal.package) + _products(pairs))


def action_shift(instance: Instance, deal: Deal, holder: str) -> float:
    """What the deal's actions add to a holder's utility."""
    return math.fsum(_products(_shift_pairs(instance, deal, holder)))


def _shift_pairs(instance: Instance, deal: Deal, holder: str) -> list[tuple[float, float]]:
    return [(a.utility_shift, float(deal.uses(a.id))) for a in instance.actions_on(holder)]


def reservation(instance: Instance, deal: Deal, group: str) -> float:
    r"""A group's reservation after the deal's actions: :math:`r_g + \sum_a \rho_a n_a`."""
    shifts = _products((a.reservation_shift, float(deal.uses(a.id))) for a in instance.actions_on(group))
    return math.fsum([instance.group(group).reservation, *shifts])


def spending(instance: Instance, deal: Deal, side: str) -> float:
    """What a side's negotiator spends from its budget: payments to its groups and the cost of its actions."""
    paid = [deal.payments.get(g.id, 0.0) for g in instance.groups_of(side)]
    return math.fsum(paid + _products((a.cost, float(deal.uses(a.id))) for a in instance.actions_of(side)))


def negotiator_utility(instance: Instance, deal: Deal, side: str) -> float:
    s = instance.side(side)
    pairs = _shift_pairs(instance, deal, side) + [(-s.payment_cost, spending(instance, deal, side))]
    for k, t in enumerate(instance.transfers):
        amount = deal.transfer(k)
        if t.to == side:
            pairs.append((t.value, amount))
        if t.from_side == side:
            pairs.append((-t.cost, amount))
    return math.fsum(_negotiator_package_terms(instance, side, deal.package) + _products(pairs))


# -- votes -----------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def exact(x: float) -> Fraction:
    """The rational number a weight or threshold stands for.

    The simplest fraction within a relative 1e-12 of the float (so ``0.6`` is 3/5 and
    ``=2/3`` is 2/3), else the decimal the float prints as (so a weight of 1e-13 is not
    taken for 0). Votes are then compared in exact arithmetic: "more than half" of 4
    equal votes is never met by 2.
    """
    x = float(x)
    simple = Fraction(x).limit_denominator(1_000_000)
    if abs(simple - Fraction(x)) <= Fraction(1, 10**12) * abs(Fraction(x)):
        return simple
    return Fraction(repr(x))


def body_passes(body: Body, yes: Mapping[str, bool]) -> bool:
    """Whether a body passes, given which of its members vote yes (exact arithmetic).

    The weight condition is ``Y > θW`` (``more_than``) or ``Y >= θW`` (``at_least``); the
    count condition ``n_yes >= c·n``; with ``block_min`` the body passes anyway when
    fewer than ``block_min`` members vote no.
    """
    yes_weight = sum((exact(m.weight) for m in body.members if yes[m.group]), Fraction(0))
    total = sum((exact(m.weight) for m in body.members), Fraction(0))
    need = exact(body.threshold) * total
    weight_ok = yes_weight > need if body.rule == "more_than" else yes_weight >= need
    n = len(body.members)
    n_yes = sum(1 for m in body.members if yes[m.group])
    count_ok = body.count_threshold is None or n_yes >= exact(body.count_threshold) * n
    if weight_ok and count_ok:
        return True
    return body.block_min is not None and (n - n_yes) < body.block_min


def vote(body: Body, supports: Mapping[str, bool]) -> BodyVote:
    yes_weight = sum(m.weight for m in body.members if supports[m.group])
    total = body.total_weight
    return BodyVote(
        body=body.id,
        side=body.side,
        yes_weight=yes_weight,
        total_weight=total,
        yes_count=sum(1 for m in body.members if supports[m.group]),
        member_count=len(body.members),
        passed=body_passes(body, supports),
        required_weight=body.threshold * total,
    )


def side_ratifies(instance: Instance, side: str, supports: Mapping[str, bool], votes: Mapping[str, BodyVote]) -> bool:
    """Level II: every body of the side passes and every veto group supports."""
    bodies_pass = all(votes[b.id].passed for b in instance.bodies_of(side))
    vetoes_pass = all(supports[g.id] for g in instance.groups_of(side) if g.veto)
    return bodies_pass and vetoes_pass


# -- the whole deal ----------------------------------------------------------------------
def evaluate(instance: Instance, deal: Deal) -> Evaluation:
    """Recompute every fact about ``deal`` from ``instance`` by the workbook format's rules."""
    gu = {g.id: group_utility(instance, deal, g.id) for g in instance.groups}
    supports = {g.id: gu[g.id] >= reservation(instance, deal, g.id) - SUPPORT_TOLERANCE for g in instance.groups}
    votes = {b.id: vote(b, supports) for b in instance.bodies}
    nu = {s.id: negotiator_utility(instance, deal, s.id) for s in instance.sides}
    ratified = {s.id: side_ratifies(instance, s.id, supports, votes) for s in instance.sides}
    level_one = {
        s.id: s.reservation is None or nu[s.id] >= s.reservation - SUPPORT_TOLERANCE for s in instance.sides
    }
    violations = _violations(instance, deal) + tuple(
        f"side {s} does not ratify" for s, ok in ratified.items() if not ok
    ) + tuple(f"negotiator {s} is below its reservation" for s, ok in level_one.items() if not ok)
    return Evaluation(nu, gu, supports, votes, ratified, level_one, violations)


def _violations(instance: Instance, deal: Deal) -> tuple[str, ...]:
    out = []
    for issue in instance.issues:
        if deal.package.get(issue.id) not in issue.option_ids:
            out.append(f"issue {issue.id} has no valid option")
    out += [f"rule {r.kind} {r.option_a}/{r.option_b} is broken" for r in instance.rules if not r.holds(deal.package)]
    tol = SUPPORT_TOLERANCE
    for g in instance.groups:
        p = deal.payments.get(g.id, 0.0)
        if p < -tol or (g.payment_cap is not None and p > g.payment_cap + tol):
            out.append(f"payment to {g.id} is outside [0, cap]")
    for s in instance.sides:
        if spending(instance, deal, s.id) > s.budget + tol:
            out.append(f"payments and actions of {s.id} exceed its budget")
    known = {a.id: a for a in instance.actions}
    for a, n in deal.actions.items():
        if a not in known:
            out.append(f"action {a} is not in the Actions sheet")
        elif n != int(n) or not 0 <= n <= known[a].max_uses:
            out.append(f"action {a} is taken {n} times, not a whole number in [0, {known[a].max_uses}]")
    for k, t in enumerate(instance.transfers):
        if not -tol <= deal.transfer(k) <= t.max_amount + tol:
            out.append(f"transfer {k + 1} is outside [0, max_amount]")
    return tuple(out)


# -- what actions buy ---------------------------------------------------------------------
@dataclass(frozen=True)
class ActionEffect:
    """What one action of a deal buys: the facts that change when it alone is not taken.

    ``supporters`` lose their support, ``bodies`` fail and ``sides`` stop ratifying
    without it; ``utility`` is the target's utility it adds (a negotiator's when the
    target is a side).
    """

    action: str
    uses: int
    cost: float
    target: str
    utility: float
    supporters: tuple[str, ...]
    bodies: tuple[str, ...]
    sides: tuple[str, ...]

    @property
    def sentence(self) -> str:
        a = f"{self.action} ({self.uses} use{'s' if self.uses != 1 else ''}, cost {self.cost:.4g})"
        if not (self.supporters or self.bodies or self.sides):
            return f"{a}: adds {self.utility:.4g} to {self.target}'s utility; the deal ratifies without it."
        won = f"wins the support of {', '.join(self.supporters)}" if self.supporters else "changes no vote"
        lost = [f"{_plural('body', self.bodies)} {', '.join(self.bodies)} would fail"] if self.bodies else []
        lost += [f"{_plural('side', self.sides)} {', '.join(self.sides)} would not ratify"] if self.sides else []
        return f"{a}: {won}; without it {' and '.join(lost) or 'nothing fails'}."


def _plural(word: str, items: tuple) -> str:
    return word if len(items) == 1 else ("bodies" if word == "body" else word + "s")


def action_effects(instance: Instance, deal: Deal, evaluation: Evaluation | None = None) -> list[ActionEffect]:
    """For each action the deal takes, what it buys (recomputed by evaluating the deal without it)."""
    ev = evaluation or evaluate(instance, deal)
    out = []
    for a in instance.actions:
        n = deal.uses(a.id)
        if not n:
            continue
        alone = evaluate(instance, deal.without(a.id))
        before = ev.negotiator_utility if a.target in ev.negotiator_utility else ev.group_utility
        after = alone.negotiator_utility if a.target in alone.negotiator_utility else alone.group_utility
        out.append(ActionEffect(
            a.id, n, a.cost * n, a.target, before[a.target] - after[a.target],
            tuple(g for g, yes in ev.supports.items() if yes and not alone.supports[g]),
            tuple(b for b, v in ev.votes.items() if v.passed and not alone.votes[b].passed),
            tuple(s for s, yes in ev.ratified.items() if yes and not alone.ratified[s]),
        ))
    return out
