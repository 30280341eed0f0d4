"""An independent brute-force oracle for the planner: the best deal by listing every package.

Written from the "Meaning" section of ``docs``/``spec/workbook.md`` alone. It imports only
``planner.model`` (the Instance dataclasses) and none of the planner's own logic, so that a
mistake in the evaluator or the formulation cannot hide behind the same mistake here.

The method, for each package ``x`` that breaks no Rule:

1. Every holder's package utility (option values plus Link values; a negotiator with no
   Utilities rows gets its groups' weight-averaged package utility, plus its own Links).
2. Side payments and transfers to a group change only that group's utility, and every body
   and veto is monotone in the set of supporters. So the groups that support with no money
   at all are *free*; the others that money could reach are *buyable*; and a deal with
   package ``x`` is feasible iff for some subset ``S`` of the buyable groups the supporters
   ``free ∪ S`` ratify every side and the linear program over the amounts (``u_g >= r_g``
   for ``g`` in ``S``, caps, budgets, transfer bounds, Level-I reservations) is feasible.
   The best deal with package ``x`` is the best such LP optimum (scipy ``linprog``).
   A superset of a ratifying subset only adds LP constraints, so only the minimal
   ratifying subsets are solved.
3. The answer is the maximum over packages.

Vote counting is exact (``fractions.Fraction``). Each float is read as the rational an
analyst typed: the simplest fraction within float precision (0.6 is 3/5, ``=2/3`` is 2/3),
so "more than 0.6 of 5 votes" is not met by exactly 3 votes.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog

from planner.model import Body, Instance

TOL = 1e-6
"""A group supports when its utility is at least its reservation minus this (workbook.md)."""

NASH_MIN_GAIN = 1e-6
"""The Nash product counts only deals where every negotiator gains more than this."""

OBJECTIVES = ("own", "joint", "maxmin", "nash")


@dataclass(frozen=True)
class OracleAnswer:
    """The best objective value (None: no eligible deal) and one package achieving it.

    ``feasible`` says whether any feasible deal exists at all; it differs from
    ``value is not None`` only for nash, whose product is taken over deals where every
    negotiator gains more than its reservation.
    """

    value: float | None
    package: dict[str, str] | None
    feasible: bool = False
    payments: dict[str, float] = field(default_factory=dict)
    transfers: tuple[float, ...] = ()
    actions: dict[str, int] = field(default_factory=dict)


def rational(x: float) -> Fraction:
    """The rational a spreadsheet number stands for: the simplest fraction within float precision
    (relative to the number, so that 1e-13 is not 0), else its decimal."""
    simple = Fraction(x).limit_denominator(10**9)
    return simple if abs(simple - Fraction(x)) <= abs(Fraction(x)) * Fraction(1, 10**12) else Fraction(repr(float(x)))


def body_passes(body: Body, supporters: set[str] | frozenset[str]) -> bool:
    """Whether ``body`` passes when exactly the groups in ``supporters`` vote yes."""
    n = len(body.members)
    total = sum((rational(m.weight) for m in body.members), Fraction(0))
    yes = [m for m in body.members if m.group in supporters]
    yes_weight = sum((rational(m.weight) for m in yes), Fraction(0))
    need = rational(body.threshold) * total
    if body.rule == "more_than":
        weight_ok = yes_weight > need
    elif body.rule == "at_least":
        weight_ok = yes_weight >= need
    else:
        raise ValueError(f"unknown rule {body.rule!r}")
    count_ok = body.count_threshold is None or len(yes) >= rational(body.count_threshold) * n
    if weight_ok and count_ok:
        return True
    return body.block_min is not None and (n - len(yes)) < body.block_min


def all_ratify(instance: Instance, supporters: set[str] | frozenset[str]) -> bool:
    """Level II for every side: all its bodies pass and all its veto groups support."""
    if not all(body_passes(b, supporters) for b in instance.bodies):
        return False
    return all(g.id in supporters for g in instance.groups if g.veto)


def _packages(instance: Instance):
    ids = [i.id for i in instance.issues]
    for combo in itertools.product(*(i.option_ids for i in instance.issues)):
        package = dict(zip(ids, combo))
        if all(_rule_holds(r, package) for r in instance.rules):
            yield package


def _rule_holds(rule, package: dict[str, str]) -> bool:
    a = package[rule.issue_a] == rule.option_a
    b = package[rule.issue_b] == rule.option_b
    if rule.kind == "requires":
        return b or not a
    if rule.kind == "excludes":
        return not (a and b)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def _holder_value(instance: Instance, holder: str, package: dict[str, str]) -> float:
    """Option values plus Link values (no money), summed with one rounding (1e16 + 1 - 1e16 is 1)."""
    table = instance.utilities.get(holder, {})
    terms = [table.get((issue, option), 0.0) for issue, option in package.items()]
    for link in instance.links:
        if link.holder == holder and package[link.issue_a] == link.option_a and package[link.issue_b] == link.option_b:
            terms.append(link.value)
    return math.fsum(terms)


def _negotiator_value(instance: Instance, side: str, package: dict[str, str], group_values: dict[str, float]) -> float:
    """A negotiator's package utility before money."""
    own_links = [
        l.value
        for l in instance.links
        if l.holder == side and package[l.issue_a] == l.option_a and package[l.issue_b] == l.option_b
    ]
    if len(instance.utilities.get(side, {})) > 0:
        table = instance.utilities[side]
        return math.fsum([table.get((i, o), 0.0) for i, o in package.items()] + own_links)
    groups = [g for g in instance.groups if g.side == side]
    weight = sum(g.weight for g in groups)
    average = 0.0 if weight <= 0 else math.fsum(g.weight * group_values[g.id] for g in groups) / weight
    return math.fsum([average] + own_links)


class _Money:
    """The continuous variables: one payment per payable group, one amount per usable transfer.

    ``column`` lists them as ("p", group id) or ("t", transfer index) with upper bounds.
    ``negotiator_row[s]`` is the linear effect of the amounts on ``U[s]``;
    ``group_row[g]`` the effect on group ``g``'s utility.
    """

    def __init__(self, instance: Instance):
        self.columns: list[tuple[str, object]] = []
        upper: list[float] = []
        sides = {s.id: s for s in instance.sides}
        for g in instance.groups:
            budget = sides[g.side].budget
            cap = budget if g.payment_cap is None else min(g.payment_cap, budget)
            if cap > 0:
                self.columns.append(("p", g.id))
                upper.append(cap)
        for k, t in enumerate(instance.transfers):
            if t.max_amount > 0:
                self.columns.append(("t", k))
                upper.append(t.max_amount)
        self.upper = np.array(upper, dtype=float)
        n = len(self.columns)
        self.negotiator_row = {s.id: np.zeros(n) for s in instance.sides}
        self.group_row = {g.id: np.zeros(n) for g in instance.groups}
        self.budget_rows: list[tuple[np.ndarray, float]] = []
        group_side = {g.id: g.side for g in instance.groups}
        for j, (kind, ref) in enumerate(self.columns):
            if kind == "p":
                g = instance.group(ref)
                self.group_row[g.id][j] += g.payment_efficiency
                self.negotiator_row[g.side][j] -= sides[g.side].payment_cost
            else:
                t = instance.transfers[ref]
                self.negotiator_row[t.from_side][j] -= t.cost
                if t.to in self.group_row:
                    self.group_row[t.to][j] += t.value
                elif t.to in self.negotiator_row:
                    self.negotiator_row[t.to][j] += t.value
                else:
                    raise ValueError(f"transfer {ref + 1} goes to unknown holder {t.to!r}")
        for s in instance.sides:
            row = np.array([1.0 if kind == "p" and group_side[ref] == s.id else 0.0 for kind, ref in self.columns])
            if row.any():
                self.budget_rows.append((row, s.budget))

    @property
    def count(self) -> int:
        return len(self.columns)

    def reach(self, group: str) -> float:
        """The most utility money can add to a group."""
        row = self.group_row[group]
        return float(np.sum(np.maximum(row, 0.0) * self.upper)) if self.count else 0.0


def _objective(objective: str, utilities: dict[str, float], reservations: dict[str, float], home: str) -> float | None:
    gains = {s: utilities[s] - reservations[s] for s in utilities}
    if objective == "own":
        return utilities[home]
    if objective == "joint":
        return sum(utilities.values())
    if objective == "maxmin":
        return min(gains.values())
    if objective == "nash":
        if all(g > NASH_MIN_GAIN for g in gains.values()):
            return math.prod(gains.values())
        return None
    raise ValueError(f"unknown objective {objective!r}")


def _solve_lp(
    instance: Instance,
    money: _Money,
    objective: str,
    home: str,
    base: dict[str, float],
    group_values: dict[str, float],
    bought: tuple[str, ...],
    reservations: dict[str, float],
) -> tuple[float, np.ndarray] | None:
    """The best amounts for a package when the groups in ``bought`` must support; None if infeasible."""
    n = money.count
    sides = [s.id for s in instance.sides]
    with_m = objective == "maxmin"
    width = n + (1 if with_m else 0)

    def pad(row: np.ndarray, m_coef: float = 0.0) -> np.ndarray:
        return np.append(row, m_coef) if with_m else row

    a_ub: list[np.ndarray] = []
    b_ub: list[float] = []
    for g in bought:  # u_g >= r_g
        a_ub.append(pad(-money.group_row[g]))
        b_ub.append(group_values[g] - instance.group(g).reservation)
    for row, budget in money.budget_rows:
        a_ub.append(pad(row))
        b_ub.append(budget)
    for s in instance.sides:  # Level I: U[s] >= R[s]
        if s.reservation is not None:
            a_ub.append(pad(-money.negotiator_row[s.id]))
            b_ub.append(base[s.id] - s.reservation)
    if objective == "own":
        c = -money.negotiator_row[home]
        constant = base[home]
    elif objective == "joint":
        c = -sum(money.negotiator_row[s] for s in sides)
        constant = sum(base.values())
    elif objective == "maxmin":  # max m  s.t.  m <= U[s] - R[s]
        c = np.zeros(width)
        c[-1] = -1.0
        constant = 0.0
        for s in sides:
            a_ub.append(pad(-money.negotiator_row[s], 1.0))
            b_ub.append(base[s] - reservations[s])
    else:
        raise ValueError(f"objective {objective!r} has no LP here")
    bounds = [(0.0, float(u)) for u in money.upper] + ([(None, None)] if with_m else [])
    res = linprog(
        c,
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        bounds=bounds,
        method="highs",
    )
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    return constant - res.fun, res.x[:n]


def best_deal(instance: Instance, objective: str | None = None, home: str | None = None) -> OracleAnswer:
    """The best value of ``objective`` over all feasible deals, by listing every package.

    With Actions, every combination of their uses is listed too: for fixed uses an action
    is a constant — its cost leaves the acting side's budget and its negotiator's utility
    (at the payment cost), its utility shift minus its reservation shift lowers a target
    group's reservation, and a side target's utility rises by the shift.
    """
    objective = objective or instance.settings.objective
    home = home or instance.settings.home_side
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    best: OracleAnswer = OracleAnswer(None, None, False)
    any_feasible = False
    for uses in itertools.product(*(range(a.max_uses + 1) for a in instance.actions)):
        taken = dict(zip((a.id for a in instance.actions), uses))
        fixed = _with_actions_fixed(instance, taken)
        if fixed is None:
            continue
        case, offset = fixed
        answer = _best_without_actions(case, objective, home, offset)
        any_feasible |= answer.feasible
        if answer.value is not None and (best.value is None or answer.value > best.value + 1e-9):
            best = dataclasses.replace(answer, actions={a: n for a, n in taken.items() if n})
    return dataclasses.replace(best, feasible=any_feasible)


def _with_actions_fixed(instance: Instance, uses: dict[str, int]) -> tuple[Instance, dict[str, float]] | None:
    """The instance with the actions' uses applied as constants, and each negotiator's utility offset.

    None when the actions cost a side more than its budget.
    """
    reservation = {g.id: g.reservation for g in instance.groups}
    spent = {s.id: 0.0 for s in instance.sides}
    offset = {s.id: 0.0 for s in instance.sides}
    for a in instance.actions:
        n = uses[a.id]
        spent[a.side] += a.cost * n
        if a.target in offset:
            offset[a.target] += a.utility_shift * n
        else:
            reservation[a.target] += (a.reservation_shift - a.utility_shift) * n
    if any(spent[s.id] > s.budget + 1e-9 for s in instance.sides):
        return None
    for s in instance.sides:
        offset[s.id] -= s.payment_cost * spent[s.id]
    sides = tuple(dataclasses.replace(s, budget=max(0.0, s.budget - spent[s.id])) for s in instance.sides)
    groups = tuple(dataclasses.replace(g, reservation=reservation[g.id]) for g in instance.groups)
    return dataclasses.replace(instance, sides=sides, groups=groups, actions=(), _cache={}), offset


def _best_without_actions(instance: Instance, objective: str, home: str, offset: dict[str, float]) -> OracleAnswer:
    """The best deal of an instance without actions, each negotiator's utility moved by a constant."""
    money = _Money(instance)
    if objective == "nash" and money.count:
        raise ValueError("the oracle solves nash only for instances without payments or transfers")
    reservations = {s.id: (s.reservation if s.reservation is not None else 0.0) for s in instance.sides}

    best_value: float | None = None
    best: OracleAnswer | None = None
    any_feasible = False
    for package in _packages(instance):
        group_values = {g.id: _holder_value(instance, g.id, package) for g in instance.groups}
        base = {s.id: _negotiator_value(instance, s.id, package, group_values) + offset[s.id] for s in instance.sides}
        free = {g.id for g in instance.groups if group_values[g.id] >= g.reservation - TOL}
        buyable = [
            g.id
            for g in instance.groups
            if g.id not in free and group_values[g.id] + money.reach(g.id) >= g.reservation - TOL
        ]
        ratifying: list[frozenset[str]] = []
        for size in range(len(buyable) + 1):
            for subset in itertools.combinations(buyable, size):
                chosen = frozenset(subset)
                if any(r <= chosen for r in ratifying):
                    continue  # a superset only adds constraints to a smaller LP already solved
                if not all_ratify(instance, free | chosen):
                    continue
                ratifying.append(chosen)
                if money.count == 0:
                    utilities = dict(base)
                    if any(
                        s.reservation is not None and utilities[s.id] < s.reservation - TOL for s in instance.sides
                    ):
                        continue
                    amounts = np.zeros(0)
                else:
                    solved = _solve_lp(instance, money, objective, home, base, group_values, subset, reservations)
                    if solved is None:
                        continue
                    _, amounts = solved
                    utilities = {s: base[s] + float(money.negotiator_row[s] @ amounts) for s in base}
                any_feasible = True
                if money.count:
                    value = solved[0]  # the LP's own optimum (never nash: no money there)
                else:
                    value = _objective(objective, utilities, reservations, home)
                if value is None:
                    continue
                if best_value is None or value > best_value + 1e-9:
                    best_value = value
                    payments = {ref: float(a) for (kind, ref), a in zip(money.columns, amounts) if kind == "p"}
                    transfers = [0.0] * len(instance.transfers)
                    for (kind, ref), a in zip(money.columns, amounts):
                        if kind == "t":
                            transfers[ref] = float(a)
                    best = OracleAnswer(best_value, dict(package), True, payments, tuple(transfers))
    if best is None:
        return OracleAnswer(None, None, any_feasible)
    return OracleAnswer(best.value, best.package, True, best.payments, best.transfers)


def winset_counts(instance: Instance) -> dict[str, int]:
    """Per side, and ``joint``, how many packages the side ratifies paying its own groups within budget.

    Brute force: for each Rule-abiding package and side, the groups that support with no
    money are free; every subset of the others that its payments can reach (the least
    payment lifting a group to its reservation minus 1e-6, within its cap) is tried, and
    the side ratifies when some subset makes its bodies pass and its vetoes support for no
    more than its budget. Transfers and Level-I reservations do not count (Level II only).
    """
    counts = {s.id: 0 for s in instance.sides}
    counts["joint"] = 0
    for package in _packages(instance):
        every = True
        for side in instance.sides:
            ok = _side_ratifies(instance, side, package)
            counts[side.id] += ok
            every &= ok
        counts["joint"] += every
    return counts


def _side_ratifies(instance: Instance, side, package: dict[str, str]) -> bool:
    groups = [g for g in instance.groups if g.side == side.id]
    if not groups:
        return True
    bodies = [b for b in instance.bodies if b.side == side.id]
    free, price = set(), {}
    for g in groups:
        short = g.reservation - TOL - _holder_value(instance, g.id, package)
        if short <= 0:
            free.add(g.id)
        elif side.budget > 0 and g.payment_efficiency > 0:
            need = short / g.payment_efficiency
            if need <= min(side.budget, math.inf if g.payment_cap is None else g.payment_cap) + 1e-12:
                price[g.id] = need
    buyable = sorted(price)
    for size in range(len(buyable) + 1):
        for bought in itertools.combinations(buyable, size):
            if sum(price[g] for g in bought) > side.budget + 1e-9:
                continue
            supporters = free | set(bought)
            if all(body_passes(b, supporters) for b in bodies) and all(g.id in supporters for g in groups if g.veto):
                return True
    return False
