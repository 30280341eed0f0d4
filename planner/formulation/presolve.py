r"""Presolve: cheap, safe reductions decided from the Instance before the rows are written.

* Groups whose standing (:func:`planner.formulation.coefficients.standing_bounds`) is at or
  above their reservation for every deal are fixed to support; those below it for every
  deal, with every payment, transfer and action they can receive, are fixed to oppose
  (veto groups are never fixed to oppose: the model must then be infeasible by its rows).
* Groups that cannot be paid, receive no transfer and are the target of no action, and
  have the same values, links, reservation and veto, share one support binary.
* Options no Rule-abiding package can hold are fixed to 0 (propagation of ``requires``
  and ``excludes``).

All of it is switched off in the plain formulation (:data:`PLAIN`), the benchmark baseline,
which also uses one global big-M instead of each group's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import deadline
from ..model import Instance, OptionKey
from .coefficients import holder_linear, payable, standing_bounds, transfers_to, voting_groups

SUPPORT_EPSILON = 1e-6
"""Smallest gain over the reservation that the Nash objective counts as positive."""


@dataclass(frozen=True)
class FormulationOptions:
    """How the model is written.

    ``tight_big_m``: one big-M per group from its utility bounds (else one global big-M).
    ``presolve``: fix groups that support every package or none, merge groups that always
    vote alike, and drop options no package can hold.
    """

    tight_big_m: bool = True
    presolve: bool = True


PLAIN = FormulationOptions(tight_big_m=False, presolve=False)


@dataclass(frozen=True)
class GroupPlan:
    """How one group's support enters the model: a constant, or a (possibly shared) binary."""

    fixed: bool | None  # True: supports every package; False: supports none; None: a variable
    representative: str  # the group whose binary this group shares
    big_m: float


def plan_groups(instance: Instance, options: FormulationOptions) -> dict[str, GroupPlan]:
    """Decide, for every group that votes or vetoes, how its support is modelled.

    With presolve, a group whose utility bounds put it always at or above its
    reservation is fixed to support, one always below it is fixed to oppose, and groups
    with the same package values and reservation that cannot be paid share one binary.
    """
    voting = voting_groups(instance)
    plans: dict[str, GroupPlan] = {}
    bounds = {}
    for g in instance.groups:
        if g.id in voting:
            deadline.check("presolving the groups")
            bounds[g.id] = standing_bounds(instance, g.id)
    global_m = max((max(0.0, instance.group(g).reservation - lo) for g, (lo, _) in bounds.items()), default=0.0)
    global_m = max(global_m, 1.0) * 2
    signature_owner: dict[tuple, str] = {}
    for gid, (lo, hi) in bounds.items():
        g = instance.group(gid)
        big_m = max(0.0, g.reservation - lo) if options.tight_big_m else global_m
        fixed = None
        rep = gid
        if options.presolve:
            if lo >= g.reservation:
                fixed = True
            elif hi < g.reservation - SUPPORT_EPSILON and not g.veto:
                fixed = False
            elif not payable(instance, gid) and not transfers_to(instance, gid) and not instance.actions_on(gid):
                lin = holder_linear(instance, gid)
                key = (tuple(sorted(lin.options.items())), tuple(sorted(lin.pairs.items())), g.reservation, g.veto)
                rep = signature_owner.setdefault(key, gid)
        plans[gid] = GroupPlan(fixed, rep, big_m)
    return plans


def pickable_options(instance: Instance) -> set[OptionKey]:
    """Options some Rule-abiding package can hold (cheap propagation of ``requires``/``excludes``).

    An option that requires an option of another issue excludes that issue's other
    options; an option excluded by (or requiring the exclusion of) every remaining option
    of some issue is dropped, and so on until nothing changes; when an issue loses every
    option, no package abides by the Rules and none is pickable.

    Only the options a Rule names are ever looked at: without Rules every option is
    pickable, and the work grows with the Rules, not with the issues (10,000 issues cost
    nothing). An option is checked again only when an issue it conflicts with has lost an
    option. The run's deadline (:mod:`planner.deadline`) is checked as it goes.
    """
    alive = set(instance.option_keys())
    if not instance.rules:
        return alive
    deadline.check("presolving the Rules")
    if any(not issue.options for issue in instance.issues):
        return set()
    conflicts: dict[OptionKey, set[OptionKey]] = {}
    for r in instance.rules:
        a, b = r.pair
        if r.kind == "excludes":
            pairs = [(a, b)]
        else:
            pairs = [(a, (b[0], o.id)) for o in instance.issue(b[0]).options if (b[0], o.id) != b]
        for p, q in pairs:
            conflicts.setdefault(p, set()).add(q)
            conflicts.setdefault(q, set()).add(p)
    watchers: dict[str, set[OptionKey]] = {}  # issue -> the options that conflict with one of its options
    for k, others in conflicts.items():
        for issue in {o[0] for o in others} - {k[0]}:
            watchers.setdefault(issue, set()).add(k)
    pending = sorted(k for k in conflicts if k in alive)
    queued = set(pending)
    checked = 0
    while pending:
        k = pending.pop()
        queued.discard(k)
        checked += 1
        if checked % 1024 == 0:
            deadline.check("presolving the Rules")
        if k not in alive:
            continue
        for issue in sorted({o[0] for o in conflicts[k]} - {k[0]}):
            if all((issue, o.id) not in alive or (issue, o.id) in conflicts[k] for o in instance.issue(issue).options):
                alive.discard(k)
                if not any((k[0], o.id) in alive for o in instance.issue(k[0]).options):
                    return set()
                for w in sorted(watchers.get(k[0], ())):
                    if w in alive and w not in queued:
                        pending.append(w)
                        queued.add(w)
                break
    return alive
