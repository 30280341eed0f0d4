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
    bounds = {g.id: standing_bounds(instance, g.id) for g in instance.groups if g.id in voting}
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
    options; an option excluded by (or requiring the exclusion of) every option of some
    issue is dropped; this is repeated until nothing changes.
    """
    alive = set(instance.option_keys())
    conflicts: dict[OptionKey, set[OptionKey]] = {k: set() for k in alive}
    for r in instance.rules:
        a, b = r.pair
        if r.kind == "excludes":
            conflicts[a].add(b)
            conflicts[b].add(a)
        else:
            for o in instance.issue(b[0]).options:
                if (b[0], o.id) != b:
                    conflicts[a].add((b[0], o.id))
                    conflicts[(b[0], o.id)].add(a)
    changed = True
    while changed:
        changed = False
        for k in list(alive):
            for issue in instance.issues:
                if issue.id == k[0]:
                    continue
                if all((issue.id, o.id) not in alive or (issue.id, o.id) in conflicts[k] for o in issue.options):
                    alive.discard(k)
                    changed = True
                    break
    return alive
