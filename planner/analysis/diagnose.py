r"""Diagnosing deadlock: what it would take to make agreement possible, and what blocks it.

When no deal is ratified by every side, :func:`diagnose` answers four questions, each by
an exact optimisation on a relaxed copy of the instance, and checks every answer by
applying it to the instance and solving again:

* **Budgets.** For each side :math:`s`, the least budget with which agreement is possible,
  :math:`B_s^* = \min \sum_{g \in s} p_g` over all feasible deals when :math:`s`'s budget
  does not bind (it is raised to what every payment could ever usefully be). The extra
  budget is :math:`\max(0, B_s^* - B_s)`.
* **Reservations.** The least total softening of reservations,
  :math:`\min \sum_h c_h \delta_h` where :math:`\delta_h \ge 0` lowers holder :math:`h`'s
  reservation (every voting or veto group, and every negotiator with a Level-I
  reservation). It is modelled as a free transfer of :math:`\delta_h` utility to
  :math:`h` (cost 0 to anyone), so the planner's own formulation is reused unchanged.
  :math:`c_h` is 1 (``weights="equal"``) or the group's weight (``weights="group"``,
  softening a large group costs more); negotiators always cost 1 per unit.
* **Thresholds.** For each body :math:`b`, the largest weight threshold at which
  agreement is possible, :math:`\theta_b^* = \max Y_b / W_b` over the deals that satisfy
  everything except :math:`b`'s weight condition (likewise the count threshold).
* **What blocks.** A minimal set of requirements (a group's support, a body's vote, a
  Rule, a negotiator's Level-I reservation) whose relaxation restores agreement: relaxing
  all of them does, and keeping any one of them does not. Found by QuickXplain
  (Junker, 2004), which needs :math:`O(k \log(n/k))` feasibility checks for a set of
  :math:`k` out of :math:`n` requirements.

Every number reported is recomputed from the deal found (never read from solver
variables), and every change is applied and solved again before it is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from ..evaluate import SUPPORT_TOLERANCE, Deal, evaluate, reservation
from ..formulation.coefficients import holder_linear, negotiator_bounds, voting_groups
from ..model import Instance, Transfer
from ..solving.api import solve
from ..solving.highs import BuiltModel
from ..solving.options import SolveOptions

AGREEMENT = ("optimal", "feasible")
THRESHOLD_SLACK = 1e-9
"""A threshold found is checked at itself and shown to fail this much above it."""


@dataclass(frozen=True)
class Change:
    """One change that makes agreement possible (``needed`` None: no such change of this kind)."""

    kind: str  # "budget", "reservation", "threshold", "count_threshold"
    target: str
    current: float | None
    needed: float | None
    sentence: str

    @property
    def change(self) -> float | None:
        if self.needed is None or self.current is None:
            return None
        return self.needed - self.current


@dataclass(frozen=True)
class Requirement:
    """One requirement that can be relaxed: a group's support, a body's vote, a Rule or a Level-I reservation."""

    kind: str  # "group", "body", "rule", "level_one"
    target: str
    label: str


@dataclass(frozen=True)
class Diagnosis:
    agreement: bool
    budgets: tuple[Change, ...] = ()
    reservations: tuple[Change, ...] = ()
    reservation_total: float | None = None
    thresholds: tuple[Change, ...] = ()
    blocking: tuple[Requirement, ...] = ()
    checks: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def sentences(self) -> list[str]:
        """The diagnosis as sentences an analyst can act on."""
        if self.agreement:
            return ["Agreement is already possible: there is nothing to diagnose."]
        out = [c.sentence for c in self.budgets]
        if self.reservation_total is None:
            out.append("No softening of reservations alone makes agreement possible.")
        else:
            parts = ", ".join(f"{c.target} by {-c.change:.4g}" for c in self.reservations)
            out.append(f"Agreement becomes possible if reservations soften by {self.reservation_total:.4g} in all: {parts}.")
        out += [c.sentence for c in self.thresholds]
        if len(self.blocking) == 1:
            out.append(f"This requirement alone blocks every deal; relax it and agreement is possible: {self.blocking[0].label}.")
        elif self.blocking:
            names = "; ".join(r.label for r in self.blocking)
            out.append(f"These {len(self.blocking)} requirements together block every deal (relax all of them "
                       f"and agreement is possible; keep any one and it is not): {names}.")
        return out + list(self.notes)

    def frame(self) -> pd.DataFrame:
        """One row per change and per blocking requirement: kind, target, current, needed, change, sentence."""
        rows = [{"kind": c.kind, "target": c.target, "current": c.current, "needed": c.needed, "change": c.change,
                 "sentence": c.sentence} for c in self.budgets + self.reservations + self.thresholds]
        rows += [{"kind": f"blocks ({r.kind})", "target": r.target, "current": None, "needed": None, "change": None,
                  "sentence": r.label} for r in self.blocking]
        return pd.DataFrame(rows, columns=["kind", "target", "current", "needed", "change", "sentence"])


def diagnose(instance: Instance, home: str | None = None, weights: str = "equal",
             options: SolveOptions | None = None, progress: Callable[[], None] | None = None) -> Diagnosis:
    """What would make agreement possible in ``instance``, and what blocks it (see the module).

    ``progress()`` is called after every solve (a diagnosis takes a few dozen).
    """
    if weights not in ("equal", "group"):
        raise ValueError(f"weights must be 'equal' or 'group', not {weights!r}")
    options = options or SolveOptions(mip_gap=0.0)
    home = home or instance.settings.home_side
    checker = _Checker(home, options, progress)
    if checker.agrees(instance):
        return Diagnosis(True, checks=checker.count)
    budgets = tuple(least_budget(instance, s.id, checker) for s in instance.sides)
    reservations, total = least_softening(instance, weights, checker)
    thresholds = tuple(c for b in instance.bodies for c in least_thresholds(instance, b.id, checker))
    blocking = blocking_requirements(instance, checker)
    return Diagnosis(False, budgets, reservations, total, thresholds, blocking, checker.count, tuple(checker.notes))


class _Checker:
    """Solves feasibility questions and optimisations over relaxed copies of an instance, and counts them."""

    def __init__(self, home: str, options: SolveOptions, progress: Callable[[], None] | None = None):
        self.home, self.options = home, options
        self.count = 0
        self.notes: list[str] = []
        self.progress = progress

    def _counted(self) -> None:
        self.count += 1
        if self.progress is not None:
            self.progress()

    def agrees(self, instance: Instance) -> bool:
        """Whether some deal is ratified by every side (a solve for the home negotiator)."""
        self._counted()
        result = solve(instance, objective="own", home=self.home, options=self.options)
        if result.status == "unknown":
            self.notes.append("a feasibility check ended without an answer (time limit); it was counted as no agreement")
        return result.status in AGREEMENT

    def optimum(self, instance: Instance, objective: Callable, sense=pyo.minimize) -> Deal | None:
        """The deal that optimises ``objective(model)`` over the feasible deals of ``instance`` (None: none)."""
        self._counted()
        built = BuiltModel(instance, "own", self.home, self.options)
        m = built.model
        m.diagnosis = pyo.Objective(expr=objective(m), sense=sense)
        built.use_objective(m.diagnosis)
        run = built.run()
        if not run.has_solution:
            return None
        deal, ev = built.judged(built.deal())
        return deal if ev.feasible else None


# -- budgets ------------------------------------------------------------------------------
def least_budget(instance: Instance, side: str, checker: _Checker) -> Change:
    r"""The least budget of ``side`` with which agreement is possible
    (:math:`\min \sum_{g\in s} p_g + \sum_{a \text{ of } s} c_a n_a`)."""
    current = instance.side(side).budget
    roomy = instance.with_side(side, budget=_useful_budget(instance, side))
    paid = [g.id for g in instance.groups_of(side)]
    actions = instance.actions_of(side)
    deal = checker.optimum(roomy, lambda m: sum(m.p[g] for g in paid if g in m.PAID)
                           + sum(a.cost * m.n[a.id] for a in actions))
    name = instance.side(side).name or side
    if deal is None:
        return Change("budget", side, current, None, f"No budget of {name} alone makes agreement possible.")
    needed = _least_payments(roomy, deal, side)
    if needed <= current or not checker.agrees(instance.with_side(side, budget=needed)):
        checker.notes.append(f"the least budget found for {name} ({needed:.6g}) did not check out; it is not reported")
        return Change("budget", side, current, None, f"No budget change of {name} alone was confirmed.")
    return Change("budget", side, current, needed,
                  f"Agreement becomes possible if {name}'s budget rises from {current:.4g} to {needed:.4g} "
                  f"(+{needed - current:.4g}).")


def _least_payments(instance: Instance, deal: Deal, side: str) -> float:
    r"""What the deal's paid supporters on ``side`` need, exactly: :math:`\sum_g \max(0, \tilde r_g - u^0_g) / e_g`,
    where :math:`u^0_g` is the group's utility without its payment (solver tolerances removed), plus
    the cost of the side's actions in the deal."""
    ev = evaluate(instance, deal)
    total = sum(a.cost * deal.uses(a.id) for a in instance.actions_of(side))
    for g in instance.groups_of(side):
        paid = deal.payments.get(g.id, 0.0)
        if paid > 0 and ev.supports[g.id]:
            without = ev.group_utility[g.id] - g.payment_efficiency * paid
            total += max(0.0, reservation(instance, deal, g.id) - without) / g.payment_efficiency
    return total


def _useful_budget(instance: Instance, side: str) -> float:
    """A budget that never binds: every group paid up to its cap or to the most it could need."""
    total = 0.0
    for g in instance.groups_of(side):
        if g.payment_efficiency <= 0 or (g.payment_cap is not None and g.payment_cap <= 0):
            continue
        lowest = holder_linear(instance, g.id).bounds(instance)[0]
        need = max(0.0, g.reservation - lowest) / g.payment_efficiency
        total += min(need, g.payment_cap) if g.payment_cap is not None else need
    total += sum(a.cost * a.max_uses for a in instance.actions_of(side))
    return max(total, instance.side(side).budget) + 1.0


# -- reservations -----------------------------------------------------------------------------
def least_softening(instance: Instance, weights: str, checker: _Checker) -> tuple[tuple[Change, ...], float | None]:
    r"""The least weighted softening of reservations, :math:`\min \sum_h c_h \delta_h`; per holder changed."""
    holders = _softenable(instance)
    cost = {h: _softening_cost(instance, h, weights) for h in holders}
    shifts = _least_shifts(instance, holders, cost, checker)
    if shifts is None:
        return (), None
    tiny = {h for h, d in shifts.items() if d <= NEGLIGIBLE}
    if tiny:  # an optimum that leans on a holder by a hair: is there one as cheap without it?
        spared = _least_shifts(instance, {h: v for h, v in holders.items() if h not in tiny}, cost, checker)
        if spared is not None and _total(spared, cost) <= _total(shifts, cost) + NEGLIGIBLE:
            shifts = spared
    softened = _soften(instance, shifts)
    if not checker.agrees(softened):
        checker.notes.append("the softening of reservations found did not check out; it is not reported")
        return (), None
    changes = tuple(
        Change("reservation", h, _reservation(instance, h), _reservation(instance, h) - d,
               f"Soften {h}'s reservation from {_reservation(instance, h):.4g} to {_reservation(instance, h) - d:.4g}.")
        for h, d in shifts.items()
    )
    return changes, _total(shifts, cost)


NEGLIGIBLE = 1e-5
"""A softening this small, when an optimum as cheap does without it, is an accident of the solver's vertex."""


def _least_shifts(instance: Instance, holders: dict[str, float], cost: dict[str, float],
                  checker: _Checker) -> dict[str, float] | None:
    """The reservation shifts of a least weighted softening of ``holders`` (free transfers of utility), or None."""
    extra = tuple(Transfer(instance.side_ids[0], h, span, 0.0, 1.0) for h, span in holders.items())
    first = len(instance.transfers)
    relaxed = instance.replace(transfers=instance.transfers + extra)
    deal = checker.optimum(relaxed, lambda m: sum(cost[h] * m.t[first + k] for k, h in enumerate(holders)))
    if deal is None:
        return None
    base = Deal(deal.package, deal.payments, deal.transfers[:first], deal.actions)
    return _shortfalls(instance, relaxed, deal, base, holders)


def _total(shifts: dict[str, float], cost: dict[str, float]) -> float:
    return sum(cost[h] * d for h, d in shifts.items())


def _softenable(instance: Instance) -> dict[str, float]:
    """Holders whose reservation matters, with the most their reservation could usefully fall."""
    voting = voting_groups(instance)
    spans = {g.id: max(0.0, g.reservation - holder_linear(instance, g.id).bounds(instance)[0])
             for g in instance.groups if g.id in voting}
    for s in instance.sides:
        if s.reservation is not None:
            spans[s.id] = max(0.0, s.reservation - _lowest_utility(instance, s.id))
    return {h: span for h, span in spans.items() if span > 0}


def _lowest_utility(instance: Instance, side: str) -> float:
    return negotiator_bounds(instance, side)[0]


def _softening_cost(instance: Instance, holder: str, weights: str) -> float:
    if weights == "group" and holder not in instance.side_ids:
        return instance.group(holder).weight
    return 1.0


def _reservation(instance: Instance, holder: str) -> float:
    return instance.side(holder).reservation if holder in instance.side_ids else instance.group(holder).reservation


def _shortfalls(instance: Instance, relaxed: Instance, deal: Deal, base: Deal, holders: dict[str, float]) -> dict[str, float]:
    """How far below its reservation each holder the relaxed deal relies on is without the free transfers."""
    with_help = evaluate(relaxed, deal)
    without = evaluate(instance, base)
    shifts = {}
    for h in holders:
        if h in instance.side_ids:
            short = _reservation(instance, h) - without.negotiator_utility[h]
        elif with_help.supports[h]:
            short = _reservation(instance, h) - without.group_utility[h]
        else:
            continue
        if short > SUPPORT_TOLERANCE:  # below it, the holder already counts as satisfied
            shifts[h] = short
    return shifts


def _soften(instance: Instance, shifts: dict[str, float]) -> Instance:
    for h, d in shifts.items():
        if h in instance.side_ids:
            instance = instance.with_side(h, reservation=instance.side(h).reservation - d)
        else:
            instance = instance.with_group(h, reservation=instance.group(h).reservation - d)
    return instance


# -- thresholds -----------------------------------------------------------------------------------
def least_thresholds(instance: Instance, body: str, checker: _Checker) -> list[Change]:
    r"""The largest weight (and count) threshold of ``body`` at which agreement is possible."""
    b = next(x for x in instance.bodies if x.id == body)
    out = [_threshold(instance, b, "threshold", checker)]
    if b.count_threshold is not None:
        out.append(_threshold(instance, b, "count_threshold", checker))
    return out


def _threshold(instance: Instance, b, which: str, checker: _Checker) -> Change:
    by_weight = which == "threshold"
    current = b.threshold if by_weight else b.count_threshold
    free = instance.with_body(b.id, **({"threshold": 0.0, "rule": "at_least"} if by_weight else {"count_threshold": None}))
    weight = {m.group: (m.weight if by_weight else 1.0) for m in b.members}
    deal = checker.optimum(free, lambda m: sum(weight[g] * m.support[g] for g in weight if weight[g] > 0),
                           sense=pyo.maximize)
    what = "threshold" if by_weight else "count threshold"
    if deal is None:
        return Change(which, b.id, current, None, f"No change of {b.id}'s {what} alone makes agreement possible.")
    supports = evaluate(free, deal).supports
    total = sum(weight.values())
    if total <= 0:  # a weightless body: its weight condition holds under at_least whatever the threshold
        return _weightless(instance, b, checker)
    share = sum(w for g, w in weight.items() if supports[g]) / total
    changes = {"threshold": share, "rule": "at_least"} if by_weight else {"count_threshold": share}
    if not checker.agrees(instance.with_body(b.id, **changes)):
        checker.notes.append(f"the {what} found for {b.id} ({share:.6g}) did not check out; it is not reported")
        return Change(which, b.id, current, None, f"No change of {b.id}'s {what} alone was confirmed.")
    return Change(which, b.id, current, share,
                  f"Agreement becomes possible if {b.id}'s {what} falls from {current:.4g} to {share:.4g} "
                  f"(at least that share{' of the weight' if by_weight else ' of the members'} voting yes).")


def _weightless(instance: Instance, b, checker: _Checker) -> Change:
    if b.rule == "more_than" and checker.agrees(instance.with_body(b.id, rule="at_least")):
        return Change("threshold", b.id, b.threshold, b.threshold,
                      f"{b.id}'s members have no weight: it can pass only if its rule becomes at_least.")
    return Change("threshold", b.id, b.threshold, None, f"{b.id}'s members have no weight; its threshold does not matter.")


# -- what blocks ------------------------------------------------------------------------------------
def requirements(instance: Instance) -> list[Requirement]:
    """Every requirement a deal must meet that :func:`relax` can lift, in a fixed order."""
    out = [Requirement("level_one", s.id, f"{s.name or s.id}'s Level-I reservation ({s.reservation:g})")
           for s in instance.sides if s.reservation is not None]
    out += [Requirement("body", b.id, f"body {b.id} ({b.side}) must pass") for b in instance.bodies]
    out += [Requirement("group", g.id, f"group {g.id} ({g.side}{', veto' if g.veto else ''}) must support")
            for g in instance.groups if g.veto]
    out += [Requirement("rule", str(k), f"Rule: {r.issue_a}={r.option_a} {r.kind} {r.issue_b}={r.option_b}")
            for k, r in enumerate(instance.rules)]
    voting = {m.group for b in instance.bodies for m in b.members}
    out += [Requirement("group", g.id, f"group {g.id} ({g.side}) wants at least {g.reservation:g}")
            for g in instance.groups if g.id in voting and not g.veto]
    return out


def relax(instance: Instance, lifted: list[Requirement]) -> Instance:
    """A copy of ``instance`` with the requirements lifted (a group then supports every deal)."""
    rules = {int(r.target) for r in lifted if r.kind == "rule"}
    if rules:
        instance = instance.replace(rules=tuple(r for k, r in enumerate(instance.rules) if k not in rules))
    for r in lifted:
        if r.kind == "level_one":
            instance = instance.with_side(r.target, reservation=None)
        elif r.kind == "body":
            instance = instance.with_body(r.target, threshold=0.0, rule="at_least", count_threshold=None, block_min=None)
        elif r.kind == "group":
            lowest = holder_linear(instance, r.target).bounds(instance)[0]
            instance = instance.with_group(r.target, reservation=min(instance.group(r.target).reservation, lowest - 1.0),
                                           veto=False)
    return instance


def blocking_requirements(instance: Instance, checker: _Checker) -> tuple[Requirement, ...]:
    """A minimal set of requirements whose relaxation restores agreement (QuickXplain)."""
    every = requirements(instance)
    if not checker.agrees(relax(instance, every)):
        checker.notes.append("even with every requirement relaxed there is no agreement (payment limits or Rules)")
        return ()

    def quick(base: list[Requirement], candidates: list[Requirement], changed: bool) -> list[Requirement]:
        if changed and checker.agrees(relax(instance, base)):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        x2 = quick(base + first, second, True)
        x1 = quick(base + x2, first, bool(x2))
        return x1 + x2

    return tuple(quick([], every, False))


def as_dict(diagnosis: Diagnosis) -> dict:
    """The diagnosis as plain data (the ``--json`` document's body)."""
    return {
        "agreement": diagnosis.agreement,
        "sentences": diagnosis.sentences(),
        "changes": [dataclasses.asdict(c) | {"change": c.change}
                    for c in diagnosis.budgets + diagnosis.reservations + diagnosis.thresholds],
        "reservation_total": diagnosis.reservation_total,
        "blocking": [dataclasses.asdict(r) for r in diagnosis.blocking],
        "checks": diagnosis.checks,
        "notes": list(diagnosis.notes),
    }
