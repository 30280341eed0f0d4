r"""Why a solve found no agreement: the condition that blocks every deal, with its numbers.

"No agreement" has several causes, and an analyst acts differently on each. When a solve
proves that no deal is feasible, :func:`explain` relaxes the conditions of a deal one
family at a time, in this order, and names the first whose relaxation makes a deal
possible (each relaxation keeps the ones before it):

1. **Level-I reservations.** Without the negotiators' reservations, is some deal ratified
   by every side? Then Level II is not the obstacle: the joint win-set is not empty, and
   for each negotiator with a reservation the best utility it can reach in a deal every
   side ratifies is compared with its reservation.
2. **Budgets and payment caps.** Without reservations, and with budgets that never bind and
   no payment caps, is some deal ratified by every side? Then money limits block.
3. **Rules.** And without the Rules? Then the Rules forbid every package every side would
   ratify.
4. Otherwise **the win-sets do not overlap**: no package is ratified by every side, even
   with unlimited payments and without the Rules.

For ``nash`` and ``kalai``, which count only deals that give every negotiator more than
(nash) or at least (kalai) its reservation, a blank one counting as 0, feasible deals are
looked for first: when they exist, that need is what blocks (``gains``), with each
negotiator's best utility in a feasible deal against its reservation.

When the packages can be listed (at most :data:`COUNT_LIMIT`), the size of each side's
win-set and of the joint win-set (:func:`planner.analysis.winset.winset_sizes`) is given
too. Each relaxation is one solve, within the time left to the command; ``planner
diagnose`` goes further (the least budget, softening or threshold change that restores
agreement, and a minimal set of blocking requirements).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from ..formulation.coefficients import holder_linear
from ..model import Instance
from ..solving.api import solve
from ..solving.options import SolveOptions

COUNT_LIMIT = 20_000
"""Most packages for which the win-sets are counted in the explanation."""
AGREEMENT = ("optimal", "feasible")


@dataclass(frozen=True)
class Deadlock:
    """What blocks agreement. ``blocks`` is ``gains``, ``level_one``, ``budgets``, ``rules``, ``win_sets`` or ``None``
    (not determined within the time limit); ``best`` maps each negotiator with a reservation to the best
    utility it reaches in a deal every side ratifies (with ``level_one``); ``winsets`` the win-set sizes."""

    blocks: str | None
    sentences: tuple[str, ...]
    best: dict[str, dict[str, float | None]] = field(default_factory=dict)
    winsets: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result's optional ``no_agreement`` key."""
        out: dict[str, Any] = {"blocks": self.blocks, "sentences": list(self.sentences)}
        if self.best:
            out["best_within_win_sets"] = self.best
        if self.winsets:
            out["winsets"] = self.winsets
        return out


def explain(instance: Instance, home: str | None = None, time_limit: float | None = None,
            deadline: float | None = None, source: str | None = None, objective: str | None = None) -> Deadlock:
    """Why no deal of ``instance`` is feasible (see the module), or, for ``nash`` and ``kalai``, none gives
    every negotiator what the objective needs; ``source`` names the workbook in the pointer to ``planner diagnose``."""
    home = home or instance.settings.home_side
    objective = objective or instance.settings.objective
    limit = time_limit if time_limit is not None else instance.settings.time_limit
    deadline = deadline if deadline is not None else time.perf_counter() + limit
    counts = _winsets(instance)
    where = f" {source}" if source else ""
    pointer = f"planner diagnose{where} says what would make agreement possible."

    def agrees(inst: Instance, side: str = home):
        left = deadline - time.perf_counter()
        if left <= 0.05:
            return None
        return solve(inst, objective="own", home=side, options=SolveOptions(deadline=deadline, time_limit=left, mip_gap=0.0))

    def sentence(found: str) -> Deadlock:
        return Deadlock(found, tuple(lines) + (pointer,), best, counts)

    lines: list[str] = []
    best: dict[str, dict[str, float | None]] = {}
    if counts:
        total = instance.package_count
        sizes = ", ".join(f"{s} {counts[s]:,}" for s in instance.side_ids)
        lines.append(f"Win-sets (packages each side ratifies, with the payments its budget allows): {sizes} "
                     f"of {total:,}; joint win-set {counts['joint']:,}.")
    if objective in GAINS:
        result = agrees(instance)
        if result is None:
            return _undetermined(lines, pointer, best, counts)
        if result.status in AGREEMENT:
            return _gains(instance, objective, home, result, agrees, lines, pointer, counts)
    free = instance.replace(sides=tuple(dataclasses.replace(s, reservation=None) for s in instance.sides))
    reserved = [s for s in instance.sides if s.reservation is not None]
    if reserved:
        result = agrees(free)
        if result is None:
            return _undetermined(lines, pointer, best, counts)
        if result.status in AGREEMENT:
            short = []
            for s in reserved:
                top = agrees(free, s.id) if s.id != home else result
                value = top.objective_value if top is not None and top.status == "optimal" else None
                best[s.id] = {"utility": value, "reservation": s.reservation}
                if value is not None and value < s.reservation:
                    short.append(f"{_name(instance, s.id)} reaches at most {value:.6g} there, below its reservation "
                                 f"{s.reservation:.6g}")
            head = ("The negotiators' Level-I reservations block agreement: deals exist that every side ratifies, "
                    "but none gives every negotiator at least its reservation")
            lines.append(head + (": " + "; ".join(short) + "." if short else
                                 " (each could reach its own reservation, but not all of them in one deal)."))
            return sentence("level_one")
    rich = _unlimited_money(free)
    if rich is not free:
        result = agrees(rich)
        if result is None:
            return _undetermined(lines, pointer, best, counts)
        if result.status in AGREEMENT:
            lines.append("Budgets or payment caps block agreement: no package is ratified by every side with the "
                         "payments the budgets and caps allow, and with unlimited budgets and no caps one would be"
                         + (" (Level-I reservations aside)." if reserved else "."))
            return sentence("budgets")
    if instance.rules:
        result = agrees(rich.replace(rules=()))
        if result is None:
            return _undetermined(lines, pointer, best, counts)
        if result.status in AGREEMENT:
            lines.append(f"The Rules block agreement: the {len(instance.rules)} Rules forbid every package that every "
                         "side would ratify (with unlimited payments).")
            return sentence("rules")
    lines.append("The win-sets do not overlap: no package is ratified by every side, even with unlimited payments"
                 + (" and without the Rules." if instance.rules else "."))
    return sentence("win_sets")


GAINS = {"nash": "more than", "kalai": "at least"}
"""Objectives that count only deals giving every negotiator this much of its reservation (a blank one as 0)."""


def _gains(instance, objective, home, result, agrees, lines, pointer, counts) -> Deadlock:
    """Feasible deals exist, but none gives every negotiator the gain over its reservation the objective needs."""
    best: dict[str, dict[str, float | None]] = {}
    short = []
    for s in instance.sides:
        top = result if s.id == home else agrees(instance, s.id)
        value = top.objective_value if top is not None and top.status == "optimal" else None
        reservation = s.reservation if s.reservation is not None else 0.0
        best[s.id] = {"utility": value, "reservation": reservation}
        if value is not None and (value <= reservation + 1e-6 if objective == "nash" else value < reservation - 1e-6):
            short.append(f"{_name(instance, s.id)} reaches at most {value:.6g}, its reservation being {reservation:.6g}")
    head = (f"Deals are feasible, but {objective} counts only deals that give every negotiator {GAINS[objective]} its "
            "reservation (a blank one counts as 0), and none does")
    lines.append(head + (": " + "; ".join(short) + "." if short else " (each could alone, but not all in one deal)."))
    return Deadlock("gains", tuple(lines) + (pointer,), best, counts)


def _undetermined(lines, pointer, best, counts) -> Deadlock:
    return Deadlock(None, tuple(lines) + ("The time limit ended the search for what blocks agreement.", pointer),
                    best, counts)


def _name(instance: Instance, side: str) -> str:
    name = instance.side(side).name
    return f"{side}'s negotiator" if not name or name == side else f"the negotiator of {name} ({side})"


def _winsets(instance: Instance) -> dict[str, int]:
    """Each side's win-set size and the joint one, when the packages are few enough to count."""
    if instance.package_count > COUNT_LIMIT:
        return {}
    from .winset import winset_sizes

    frame = winset_sizes(instance)
    return {row.side: int(row.packages) for row in frame.itertuples()}


def _unlimited_money(instance: Instance) -> Instance:
    """The instance with no payment caps and budgets that never bind (every group paid all it could need)."""
    groups = tuple(dataclasses.replace(g, payment_cap=None) if g.payment_efficiency > 0 else g for g in instance.groups)
    open_caps = instance.replace(groups=groups)
    sides = []
    for s in instance.sides:
        need = 0.0
        for g in open_caps.groups_of(s.id):
            if g.payment_efficiency > 0:
                lowest = holder_linear(instance, g.id).bounds(instance)[0]
                need += max(0.0, g.reservation - lowest) / g.payment_efficiency
        need += sum(a.cost * a.max_uses for a in instance.actions_of(s.id))
        sides.append(dataclasses.replace(s, budget=max(s.budget, need + 1.0)) if need > 0 else s)
    changed = open_caps.replace(sides=tuple(sides))
    same = all(a == b for a, b in zip(changed.groups, instance.groups)) and all(
        a == b for a, b in zip(changed.sides, instance.sides))
    return instance if same else changed
