r"""The model's coefficients and bounds, computed from the Instance without Pyomo.

A holder's package value is linear in the package binaries :math:`x_{io}` and the link
products :math:`z_{ab}` (:class:`Linear`); its bounds over all packages give the big-M
constants, the presolve's verdicts and package bounding's relaxation. These functions are
shared by the rows (:mod:`planner.formulation.rows`), package bounding, the win-set
counts, the figures and the terminal report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Instance, OptionKey


@dataclass(frozen=True)
class Linear:
    """A holder's package value as coefficients on options and on linked option pairs."""

    options: dict[OptionKey, float] = field(default_factory=dict)
    pairs: dict[tuple[OptionKey, OptionKey], float] = field(default_factory=dict)

    def scaled(self, factor: float) -> Linear:
        return Linear({k: factor * v for k, v in self.options.items()}, {k: factor * v for k, v in self.pairs.items()})

    def plus(self, other: Linear) -> Linear:
        opts, pairs = dict(self.options), dict(self.pairs)
        for k, v in other.options.items():
            opts[k] = opts.get(k, 0.0) + v
        for k, v in other.pairs.items():
            pairs[k] = pairs.get(k, 0.0) + v
        return Linear(opts, pairs)

    def bounds(self, instance: Instance) -> tuple[float, float]:
        """Lower and upper bounds over all packages (issue by issue, links at their worst/best)."""
        lo = hi = 0.0
        for issue in instance.issues:
            vals = [self.options.get((issue.id, o.id), 0.0) for o in issue.options]
            lo += min(vals)
            hi += max(vals)
        lo += sum(min(0.0, v) for v in self.pairs.values())
        hi += sum(max(0.0, v) for v in self.pairs.values())
        return lo, hi


def holder_linear(instance: Instance, holder: str) -> Linear:
    """Option and link coefficients of a holder's own rows (Utilities and Links)."""
    opts = {k: v for k, v in instance.utilities.get(holder, {}).items() if v != 0}
    pairs: dict = {}
    for link in instance.links_of(holder):
        pairs[link.pair] = pairs.get(link.pair, 0.0) + link.value
    return Linear(opts, pairs)


def negotiator_linear(instance: Instance, side: str) -> Linear:
    r"""Package value of a side's negotiator: explicit rows, else :math:`\sum_g w_g v_g / \sum_g w_g`; plus its links."""
    own_links = Linear(pairs=holder_linear(instance, side).pairs)
    if instance.has_explicit_utilities(side):
        return Linear(dict(instance.utilities[side])).plus(own_links)
    groups = instance.groups_of(side)
    total = sum(g.weight for g in groups)
    average = Linear()
    if total > 0:
        for g in groups:
            if g.weight > 0:
                average = average.plus(holder_linear(instance, g.id).scaled(g.weight / total))
    return average.plus(own_links)


def negotiator_bounds(instance: Instance, side: str) -> tuple[float, float]:
    """Bounds on a negotiator's utility over all deals."""
    lo, hi = negotiator_linear(instance, side).bounds(instance)
    s = instance.side(side)
    hi += sum(t.value * t.max_amount for t in instance.transfers if t.to == side)
    for a in instance.actions_on(side):
        lo += min(0.0, a.utility_shift) * a.max_uses
        hi += max(0.0, a.utility_shift) * a.max_uses
    lo -= s.payment_cost * s.budget + sum(t.cost * t.max_amount for t in instance.transfers if t.from_side == side)
    return lo, hi


def payable(instance: Instance, group: str) -> bool:
    """Whether the group can be paid: its side has a budget, and its efficiency and cap are positive."""
    g = instance.group(group)
    side = instance.side(g.side)
    return side.budget > 0 and g.payment_efficiency > 0 and (g.payment_cap is None or g.payment_cap > 0)


def max_payment(instance: Instance, group: str) -> float:
    r"""The most the group can be paid: :math:`\bar p_g = \min(\text{cap}_g, B_s)` (0 when it cannot be paid)."""
    g = instance.group(group)
    if not payable(instance, group):
        return 0.0
    cap = instance.side(g.side).budget
    return min(cap, g.payment_cap) if g.payment_cap is not None else cap


def transfers_to(instance: Instance, holder: str) -> list[int]:
    """The Transfers rows (by index) that can add to the holder's utility."""
    return [k for k, t in enumerate(instance.transfers) if t.to == holder and t.value > 0 and t.max_amount > 0]


def voting_groups(instance: Instance) -> set[str]:
    """Groups whose support matters: members of a body, and veto groups."""
    return {m.group for b in instance.bodies for m in b.members} | {g.id for g in instance.groups if g.veto}


def standing_bounds(instance: Instance, group: str) -> tuple[float, float]:
    r"""Bounds on :math:`u_g - (\tilde r_g - r_g)` over all deals: the group's utility less what actions add to its reservation.

    Payments and transfers only raise it; an action moves it by its softening
    :math:`\sigma_a = \mu_a - \rho_a` (utility shift less reservation shift) per use.
    The group supports exactly when this standing is at least :math:`r_g`.
    """
    g = instance.group(group)
    lo, hi = holder_linear(instance, group).bounds(instance)
    hi += g.payment_efficiency * max_payment(instance, group) + sum(
        instance.transfers[k].value * instance.transfers[k].max_amount for k in transfers_to(instance, group)
    )
    for a in instance.actions_on(group):
        lo += min(0.0, a.softening) * a.max_uses
        hi += max(0.0, a.softening) * a.max_uses
    return lo, hi
