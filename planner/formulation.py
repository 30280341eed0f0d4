r"""The mixed-integer program: ``build_model(instance, objective, home) -> ConcreteModel``.

Notation. Issues :math:`i`, options :math:`o \in O_i`, package binaries :math:`x_{io}`;
link products :math:`z_{ab} = x_a x_b`; groups :math:`g` with package value
:math:`v_g(x, z)`, reservation :math:`r_g`, payment :math:`p_g` and support binary
:math:`y_g`; transfers :math:`t_k`; bodies :math:`b` with members :math:`m \in M_b` of
weight :math:`w_{bm}`; sides :math:`s` with negotiator utility :math:`U_s` and
reservation :math:`R_s`. Each ``_add_<family>`` function states its family's mathematics.

Support is modelled one way only (:math:`y_g = 1 \Rightarrow u_g \ge r_g`): every
ratification condition is monotone in support, so an optimal solution never gains by
leaving a supporting group at :math:`y_g = 0`, and the reported facts are recomputed from
the deal by :mod:`planner.evaluate` anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache, reduce

import pyomo.environ as pyo

from .evaluate import exact
from .model import Body, Instance, OptionKey

SUPPORT_EPSILON = 1e-6
"""Smallest gain over the reservation that the Nash objective counts as positive."""

DP_LIMIT = 50_000_000
"""Largest scaled body weight for which the exact strict-majority threshold is computed."""


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


# -- coefficients and bounds ------------------------------------------------------------
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


# -- exact vote thresholds ----------------------------------------------------------------
def weight_rhs(body: Body) -> float | None:
    r"""A right-hand side :math:`\rho` with :math:`Y \ge \rho \iff` the weight condition, for achievable :math:`Y`.

    For ``more_than`` the condition :math:`Y > \theta W` is strict. The yes weight can only
    take the values of subset sums of the members' weights, so the condition is
    :math:`Y \ge S^+` for the smallest achievable sum :math:`S^+` that satisfies it. We
    return the midpoint between :math:`S^+` and the largest achievable sum that fails, so
    that a solver tolerance can neither admit a failing vote nor reject a passing one.
    Returns ``None`` when no vote can pass the weight condition.
    """
    sums = weight_threshold_sums(body)
    return None if sums is None else float((sums[0] + sums[1]) / 2)


def passing_weight(body: Body) -> float | None:
    """:math:`S^+`, the smallest yes weight that passes the weight condition (None: none does)."""
    sums = weight_threshold_sums(body)
    return None if sums is None else float(sums[1])


@lru_cache(maxsize=4096)
def weight_threshold_sums(body: Body) -> tuple[Fraction, Fraction] | None:
    """The largest achievable yes weight that fails the weight condition and the smallest that passes.

    ``(0, 0)`` when every vote passes; ``None`` when none does. When the subset sums are too
    fine-grained to enumerate, the threshold itself with a margin of 1e-9 of the weight.
    """
    weights = [exact(m.weight) for m in body.members if m.weight > 0]
    total = sum(weights, Fraction(0))
    need = exact(body.threshold) * total

    def ok(s: Fraction) -> bool:
        return s > need if body.rule == "more_than" else s >= need

    if not ok(total):
        return None
    if ok(Fraction(0)):
        return Fraction(0), Fraction(0)
    sums = _subset_sums_around(weights, need, body.rule)
    if sums is None:
        margin = Fraction(1, 10**9) * total
        return (need, need + margin) if body.rule == "more_than" else (need - margin, need)
    return sums


def _subset_sums_around(weights: list[Fraction], need: Fraction, rule: str) -> tuple[Fraction, Fraction] | None:
    """The largest achievable yes weight that fails the condition and the smallest that passes.

    Subset sums are enumerated exactly with a big-integer bitset over the weights scaled
    to integers, when the scaled total is at most :data:`DP_LIMIT`; otherwise ``None``.
    """
    scale = reduce(math.lcm, (w.denominator for w in weights), 1)
    ints = [int(w * scale) for w in weights]
    if sum(ints) > DP_LIMIT:
        return None
    bits = 1
    for w in ints:
        bits |= bits << w
    target = need * scale
    # integer sums <= split fail, sums >= split + 1 pass
    split = math.floor(target) if rule == "more_than" else math.ceil(target) - 1
    below = (bits & ((1 << (split + 1)) - 1)).bit_length() - 1
    high = bits >> (split + 1)
    above = split + 1 + (high & -high).bit_length() - 1
    return Fraction(below, scale), Fraction(above, scale)


def count_required(body: Body) -> int:
    """Members that must vote yes for the count condition: :math:`\\lceil c\\,n \\rceil` exactly."""
    if body.count_threshold is None:
        return 0
    return math.ceil(exact(body.count_threshold) * len(body.members))
# -- presolve ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupPlan:
    """How one group's support enters the model: a constant, or a (possibly shared) binary."""

    fixed: bool | None  # True: supports every package; False: supports none; None: a variable
    representative: str  # the group whose binary this group shares
    big_m: float


def payable(instance: Instance, group: str) -> bool:
    g = instance.group(group)
    side = instance.side(g.side)
    return side.budget > 0 and g.payment_efficiency > 0 and (g.payment_cap is None or g.payment_cap > 0)


def max_payment(instance: Instance, group: str) -> float:
    g = instance.group(group)
    if not payable(instance, group):
        return 0.0
    cap = instance.side(g.side).budget
    return min(cap, g.payment_cap) if g.payment_cap is not None else cap


def _transfers_to(instance: Instance, holder: str) -> list[int]:
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
        instance.transfers[k].value * instance.transfers[k].max_amount for k in _transfers_to(instance, group)
    )
    for a in instance.actions_on(group):
        lo += min(0.0, a.softening) * a.max_uses
        hi += max(0.0, a.softening) * a.max_uses
    return lo, hi


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
            elif not payable(instance, gid) and not _transfers_to(instance, gid) and not instance.actions_on(gid):
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


# -- model -----------------------------------------------------------------------------------
def build_model(instance: Instance, objective: str | None = None, home: str | None = None,
                options: FormulationOptions = FormulationOptions(),
                ideal: dict[str, float] | None = None) -> pyo.ConcreteModel:
    """The Pyomo model of ``instance`` for an objective (default: the Settings').

    The model carries ``m.objective_name``, ``m.home`` and, for ``nash``, the gain
    variables ``m.gain`` and log bounds ``m.log_gain`` that :mod:`planner.solve` refines
    with tangent cuts. ``kalai`` needs each side's ideal utility (``ideal``).
    """
    objective = objective or instance.settings.objective
    home = home or instance.settings.home_side
    m = pyo.ConcreteModel(name=instance.name)
    m.objective_name = objective
    m.home = home
    _add_packages(m, instance, options)
    _add_rules(m, instance)
    _add_links(m, instance)
    _add_actions(m, instance)
    _add_payments(m, instance)
    _add_transfers(m, instance)
    _add_support(m, instance, options)
    _add_bodies(m, instance)
    _add_vetoes(m, instance)
    _add_negotiators(m, instance)
    _add_level_one(m, instance)
    _add_objective(m, instance, objective, home, ideal)
    return m


def _add_packages(m, instance: Instance, options: FormulationOptions) -> None:
    r"""One option per issue: :math:`\sum_{o \in O_i} x_{io} = 1` for every issue :math:`i`.

    With presolve, options no Rule-abiding package can hold are fixed to 0.
    """
    keys = list(instance.option_keys())
    m.OPTIONS = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.x = pyo.Var(m.OPTIONS, domain=pyo.Binary)
    m.one_option = pyo.Constraint(
        [i.id for i in instance.issues], rule=lambda m, i: sum(m.x[i, o.id] for o in instance.issue(i).options) == 1
    )
    if options.presolve:
        alive = pickable_options(instance)
        for k in keys:
            if k not in alive:
                m.x[k].fix(0)


def _add_rules(m, instance: Instance) -> None:
    r"""Rules: ``requires`` :math:`x_a \le x_b`; ``excludes`` :math:`x_a + x_b \le 1`."""
    m.rules = pyo.ConstraintList()
    for r in instance.rules:
        a, b = r.pair
        m.rules.add(m.x[a] <= m.x[b] if r.kind == "requires" else m.x[a] + m.x[b] <= 1)


def _add_links(m, instance: Instance) -> None:
    r"""Link products :math:`z_{ab} = x_a x_b`, linearised exactly:
    :math:`z \le x_a,\; z \le x_b,\; z \ge x_a + x_b - 1,\; 0 \le z \le 1`.
    """
    pairs = sorted({l.pair for l in instance.links})
    m.PAIRS = pyo.Set(initialize=pairs, dimen=4, ordered=True) if pairs else pyo.Set(initialize=[], dimen=4)
    m.z = pyo.Var(m.PAIRS, bounds=(0, 1))
    m.pair_index = {p: (p[0][0], p[0][1], p[1][0], p[1][1]) for p in pairs}
    m.link_upper_a = pyo.Constraint(m.PAIRS, rule=lambda m, ia, oa, ib, ob: m.z[ia, oa, ib, ob] <= m.x[ia, oa])
    m.link_upper_b = pyo.Constraint(m.PAIRS, rule=lambda m, ia, oa, ib, ob: m.z[ia, oa, ib, ob] <= m.x[ib, ob])
    m.link_lower = pyo.Constraint(
        m.PAIRS, rule=lambda m, ia, oa, ib, ob: m.z[ia, oa, ib, ob] >= m.x[ia, oa] + m.x[ib, ob] - 1
    )


def _linear_expr(m, lin: Linear):
    terms = [c * m.x[k] for k, c in lin.options.items() if c]
    terms += [c * m.z[m.pair_index[p]] for p, c in lin.pairs.items() if c]
    return sum(terms) if terms else 0.0


def _add_actions(m, instance: Instance) -> None:
    r"""Win-set actions: uses :math:`n_a \in \{0, \dots, \bar n_a\}` (integer).

    Each use costs :math:`c_a` of the acting side's budget, adds :math:`\mu_a` to the
    target's utility and :math:`\rho_a` to a target group's reservation (see
    :func:`_add_payments`, :func:`group_utility_expr`, :func:`reservation_expr`).
    """
    ids = [a.id for a in instance.actions]
    m.ACTIONS = pyo.Set(initialize=ids, ordered=True)
    m.n = pyo.Var(m.ACTIONS, domain=pyo.NonNegativeIntegers, bounds=lambda m, a: (0, instance.action(a).max_uses))


def _action_cost(m, instance: Instance, side: str):
    return sum(a.cost * m.n[a.id] for a in instance.actions_of(side) if a.cost)


def _add_payments(m, instance: Instance) -> None:
    r"""Domestic payments :math:`0 \le p_g \le \text{cap}_g` and budgets
    :math:`\sum_{g \in s} p_g + \sum_{a \text{ of } s} c_a n_a \le B_s`.

    Only groups that can be paid (a budget, a positive efficiency and cap) get a variable.
    :math:`B_s` is a mutable parameter, so a sweep can change it without rebuilding.
    """
    paid = [g.id for g in instance.groups if payable(instance, g.id)]
    m.PAID = pyo.Set(initialize=paid, ordered=True)
    m.p = pyo.Var(m.PAID, bounds=lambda m, g: (0, max_payment(instance, g)))
    spenders = {instance.group(g).side for g in paid} | {a.side for a in instance.actions if a.cost}
    sides = sorted(spenders, key=instance.side_ids.index)
    m.budget_limit = pyo.Param(sides, mutable=True, initialize={s: instance.side(s).budget for s in sides})
    m.budget = pyo.Constraint(
        sides, rule=lambda m, s: sum(m.p[g] for g in paid if instance.group(g).side == s)
        + _action_cost(m, instance, s) <= m.budget_limit[s]
    )


def _add_transfers(m, instance: Instance) -> None:
    r"""International transfers :math:`0 \le t_k \le T_k`."""
    m.TRANSFERS = pyo.RangeSet(0, len(instance.transfers) - 1) if instance.transfers else pyo.Set(initialize=[])
    m.t = pyo.Var(m.TRANSFERS, bounds=lambda m, k: (0, instance.transfers[k].max_amount))


def _received(m, instance: Instance, holder: str):
    return sum(instance.transfers[k].value * m.t[k] for k in _transfers_to(instance, holder))


def _shifted(m, instance: Instance, holder: str):
    return sum(a.utility_shift * m.n[a.id] for a in instance.actions_on(holder) if a.utility_shift)


def group_utility_expr(m, instance: Instance, group: str):
    r""":math:`u_g = v_g(x, z) + e_g p_g + \sum_{k \to g} \nu_k t_k + \sum_{a \to g} \mu_a n_a`."""
    g = instance.group(group)
    pay = g.payment_efficiency * m.p[group] if group in m.PAID else 0.0
    return _linear_expr(m, holder_linear(instance, group)) + pay + _received(m, instance, group) + _shifted(m, instance, group)


def reservation_expr(m, instance: Instance, group: str):
    r"""A group's reservation after actions: :math:`\tilde r_g = r_g + \sum_{a \to g} \rho_a n_a`."""
    shift = sum(a.reservation_shift * m.n[a.id] for a in instance.actions_on(group) if a.reservation_shift)
    return instance.group(group).reservation + shift


def _add_support(m, instance: Instance, options: FormulationOptions) -> None:
    r"""Support: :math:`u_g \ge \tilde r_g - M_g (1 - y_g)` with :math:`M_g = r_g - \underline{s}_g`.

    :math:`\underline{s}_g` is the least of :math:`u_g - (\tilde r_g - r_g)` over all deals
    (:func:`standing_bounds`: payments and transfers only add). With presolve, :math:`y_g` is a
    constant for groups that always or never support, and groups that always vote alike share one binary. ``m.support[g]`` is the
    expression (0, 1 or a binary) that bodies and vetoes use.
    """
    plans = plan_groups(instance, options)
    reps = sorted({p.representative for p in plans.values() if p.fixed is None}, key=[g.id for g in instance.groups].index)
    m.VOTERS = pyo.Set(initialize=reps, ordered=True)
    m.y = pyo.Var(m.VOTERS, domain=pyo.Binary)
    m.support_rows = pyo.Constraint(
        m.VOTERS,
        rule=lambda m, g: group_utility_expr(m, instance, g) >= reservation_expr(m, instance, g) - plans[g].big_m * (1 - m.y[g]),
    )
    m.support = {g: (1 if p.fixed else 0) if p.fixed is not None else m.y[p.representative] for g, p in plans.items()}
    m.group_plans = plans


def _add_bodies(m, instance: Instance) -> None:
    r"""Bodies. Yes weight :math:`Y_b = \sum_m w_{bm} y_m`, yes count :math:`N_b = \sum_m y_m`.

    Without ``block_min``: :math:`Y_b \ge \rho_b` and :math:`N_b \ge \lceil c_b n_b \rceil`,
    where :math:`\rho_b` (:func:`weight_rhs`) makes strict majorities exact.
    With ``block_min`` :math:`\beta_b`, a binary :math:`a_b` chooses which condition holds:
    :math:`Y_b \ge \rho_b a_b`, :math:`N_b \ge \lceil c_b n_b\rceil a_b` and
    :math:`N_b \ge (n_b - \beta_b + 1)(1 - a_b)` (fewer than :math:`\beta_b` vote no).
    A body no vote can pass makes the model infeasible (no agreement).
    """
    m.bodies = pyo.ConstraintList()
    block = [b.id for b in instance.bodies if b.block_min is not None and b.block_min <= len(b.members)]
    m.BLOCKABLE = pyo.Set(initialize=block, ordered=True)
    m.a = pyo.Var(m.BLOCKABLE, domain=pyo.Binary)
    for b in instance.bodies:
        if b.block_min is not None and b.block_min > len(b.members):
            continue  # fewer than block_min members: never enough "no" votes to block it
        rho = weight_rhs(b)
        need = count_required(b)
        scale = max((mem.weight for mem in b.members), default=0.0) or 1.0  # weights of 1e-13 or 1e13 become O(1) for HiGHS
        rho = rho / scale if rho is not None else None
        yes_w = sum((mem.weight / scale) * m.support[mem.group] for mem in b.members if mem.weight > 0)
        yes_n = sum(m.support[mem.group] for mem in b.members)
        on = m.a[b.id] if b.id in block else 1
        if rho is None:
            if b.id in block:
                m.bodies.add(m.a[b.id] == 0)
            else:
                m.bodies.add(_infeasible(m))
        elif rho > 0:
            _at_least(m, m.bodies, yes_w, rho * on)
        if need > 0:
            _at_least(m, m.bodies, yes_n, need * on)
        if b.id in block:
            _at_least(m, m.bodies, yes_n, (len(b.members) - b.block_min + 1) * (1 - m.a[b.id]))


def _at_least(m, rows, lhs, rhs) -> None:
    """Add ``lhs >= rhs``; when both are constants, add nothing or, if it fails, an infeasible row."""
    if isinstance(lhs, (int, float)) and isinstance(rhs, (int, float)):
        if lhs < rhs:
            rows.add(_infeasible(m))
        return
    rows.add(lhs >= rhs)


def _infeasible(m):
    if not hasattr(m, "never"):
        m.never = pyo.Var(bounds=(0, 0))
    return m.never >= 1


def _add_vetoes(m, instance: Instance) -> None:
    r"""Veto groups: :math:`y_g = 1` for every veto group :math:`g`."""
    m.vetoes = pyo.ConstraintList()
    for g in instance.groups:
        if g.veto:
            _at_least(m, m.vetoes, m.support[g.id], 1)


def _add_negotiators(m, instance: Instance) -> None:
    r"""Negotiator utilities
    :math:`U_s = V_s(x,z) + \sum_{k \to s} \nu_k t_k + \sum_{a \to s} \mu_a n_a
    - c_s (\sum_{g \in s} p_g + \sum_{a \text{ of } s} c_a n_a) - \sum_{k: s \to} \kappa_k t_k`."""
    def utility(s: str):
        side = instance.side(s)
        spent = sum(m.p[g.id] for g in instance.groups_of(s) if g.id in m.PAID) + _action_cost(m, instance, s)
        paid_out = sum(t.cost * m.t[k] for k, t in enumerate(instance.transfers) if t.from_side == s and t.cost)
        value = _linear_expr(m, negotiator_linear(instance, s)) + _received(m, instance, s) + _shifted(m, instance, s)
        return value - side.payment_cost * spent - paid_out

    m.SIDES = pyo.Set(initialize=instance.side_ids, ordered=True)
    m.U = pyo.Expression(m.SIDES, rule=lambda m, s: utility(s))


def _add_level_one(m, instance: Instance) -> None:
    r"""Level-I reservations: :math:`U_s \ge R_s` for every side with a reservation (:math:`R_s` mutable)."""
    sides = [s.id for s in instance.sides if s.reservation is not None]
    m.level_one_limit = pyo.Param(sides, mutable=True, initialize={s: instance.side(s).reservation for s in sides})
    m.level_one = pyo.Constraint(sides, rule=lambda m, s: m.U[s] >= m.level_one_limit[s])


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


def _add_objective(m, instance: Instance, objective: str, home: str, ideal: dict[str, float] | None = None) -> None:
    r"""Objectives.

    * own: :math:`\max U_h`; joint: :math:`\max \sum_s U_s`;
    * maxmin: :math:`\max \mu` with :math:`\mu \le U_s - R_s`;
    * kalai (Kalai–Smorodinsky): :math:`\max \mu` with :math:`U_s - R_s \ge \mu (I_s - R_s)`,
      :math:`0 \le \mu \le 1`, for the ideal utilities :math:`I_s` (each side's best over the
      deals that give every side at least its reservation);
    * nash: :math:`\max \sum_s \lambda_s` with gains :math:`d_s = U_s - R_s \ge \epsilon` and
      :math:`\lambda_s \le \ln a + (d_s - a)/a` for tangent points :math:`a` (an outer
      approximation of :math:`\ln d_s` that :mod:`planner.solve` refines until the
      bound and the true product agree).
    """
    reservation = {s.id: (s.reservation or 0.0) for s in instance.sides}
    if objective == "own":
        m.obj = pyo.Objective(expr=m.U[home], sense=pyo.maximize)
    elif objective == "joint":
        m.obj = pyo.Objective(expr=sum(m.U[s] for s in m.SIDES), sense=pyo.maximize)
    elif objective == "maxmin":
        m.mu = pyo.Var()
        m.maxmin = pyo.Constraint(m.SIDES, rule=lambda m, s: m.mu <= m.U[s] - reservation[s])
        m.obj = pyo.Objective(expr=m.mu, sense=pyo.maximize)
    elif objective == "kalai":
        if ideal is None:
            raise ValueError("the kalai objective needs each side's ideal utility")
        m.mu = pyo.Var(bounds=(0, 1))
        m.kalai = pyo.Constraint(
            m.SIDES, rule=lambda m, s: m.U[s] - reservation[s] >= m.mu * max(0.0, ideal[s] - reservation[s])
        )
        m.obj = pyo.Objective(expr=m.mu, sense=pyo.maximize)
    elif objective == "nash":
        upper = {s: max(negotiator_bounds(instance, s)[1] - reservation[s], 2 * SUPPORT_EPSILON) for s in instance.side_ids}
        m.gain = pyo.Var(m.SIDES, bounds=lambda m, s: (SUPPORT_EPSILON, upper[s]))
        m.gain_def = pyo.Constraint(m.SIDES, rule=lambda m, s: m.gain[s] == m.U[s] - reservation[s])
        m.log_gain = pyo.Var(m.SIDES, bounds=lambda m, s: (None, math.log(upper[s])))
        m.tangents = pyo.ConstraintList()
        for s in instance.side_ids:
            for a in _initial_tangent_points(upper[s]):
                add_tangent(m, s, a)
        m.obj = pyo.Objective(expr=sum(m.log_gain[s] for s in m.SIDES), sense=pyo.maximize)
    else:
        raise ValueError(f"unknown objective {objective!r}; use own, joint, maxmin, nash or kalai")


def _initial_tangent_points(upper: float, n: int = 12) -> Iterable[float]:
    lo = SUPPORT_EPSILON
    ratio = (upper / lo) ** (1 / (n - 1))
    return [lo * ratio**k for k in range(n)]


def add_tangent(m, side: str, a: float):
    r"""Add the cut :math:`\lambda_s \le \ln a + d_s / a - 1` and return it."""
    return m.tangents.add(m.log_gain[side] <= math.log(a) + m.gain[side] / a - 1)
