r"""The rows: ``build_model(instance, objective, home) -> ConcreteModel``, one function per constraint family.

planner writes each instance as a mixed-integer program in Pyomo and solves it with
HiGHS. The reported facts are then recomputed from the deal by ``planner/evaluate.py``,
which follows the workbook format's "Meaning" section directly. Each
``add_<family>(m, instance, ...)`` of ``planner/formulation/rows.py`` adds one family of
variables and constraints to the model ``m`` and states its mathematics in its docstring
(``docs/model.md`` is made from them); the attributes a built model carries are listed in
:mod:`planner.formulation`.

Notation. Issues :math:`i`, options :math:`o \in O_i`; groups :math:`g` with package value
:math:`v_g(x, z)`, utility :math:`u_g` and reservation :math:`r_g`; bodies :math:`b` with
members :math:`m` of weight :math:`w_{bm}`; sides :math:`s` with negotiator utility
:math:`U_s`, Level-I reservation :math:`R_s` and budget :math:`B_s`; the home side :math:`h`.
The variables:

| symbol | meaning |
| --- | --- |
| :math:`x_{io} \in \{0,1\}` | option :math:`o` is chosen on issue :math:`i` |
| :math:`z_{ab} \in [0,1]` | both options :math:`a` and :math:`b` are chosen (one per linked pair) |
| :math:`p_g \in [0, \bar p_g]` | domestic payment to group :math:`g`; :math:`\bar p_g = \min(\text{cap}_g, B_s)` |
| :math:`t_k \in [0, T_k]` | international transfer :math:`k` |
| :math:`y_g \in \{0,1\}` | group :math:`g` supports (only for groups that vote or veto) |
| :math:`n_a \in \{0, \dots, \bar n_a\}` | uses of action :math:`a` (Actions sheet; integer) |
| :math:`a_b \in \{0,1\}` | body :math:`b` passes by its rule, not by a failed blocking minority |
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pyomo.environ as pyo

from .. import deadline
from ..model import Instance
from .coefficients import (
    Linear,
    holder_linear,
    max_payment,
    negotiator_bounds,
    negotiator_linear,
    payable,
    transfers_to,
)
from .presolve import SUPPORT_EPSILON, FormulationOptions, pickable_options, plan_groups
from .thresholds import count_required, weight_rhs


def build_model(instance: Instance, objective: str | None = None, home: str | None = None,
                options: FormulationOptions | None = None,
                ideal: dict[str, float] | None = None) -> pyo.ConcreteModel:
    """The Pyomo model of ``instance`` for an objective (default: the Settings').

    The model carries ``m.objective_name``, ``m.home`` and, for ``nash``, the gain
    variables ``m.gain`` and log bounds ``m.log_gain`` that
    :func:`planner.solving.methods.nash_outer_approximation` refines with tangent cuts.
    ``kalai`` needs each side's ideal utility (``ideal``).
    """
    objective = objective or instance.settings.objective
    home = home or instance.settings.home_side
    options = options or FormulationOptions()
    deadline.check("building the model")
    m = pyo.ConcreteModel(name=instance.name)
    m.objective_name = objective
    m.home = home
    add_packages(m, instance, options)
    add_rules(m, instance)
    add_links(m, instance)
    add_actions(m, instance)
    add_payments(m, instance)
    add_transfers(m, instance)
    add_support(m, instance, options)
    add_bodies(m, instance)
    add_vetoes(m, instance)
    add_negotiators(m, instance)
    add_level_one(m, instance)
    add_objective(m, instance, objective, home, ideal)
    return m


def add_packages(m, instance: Instance, options: FormulationOptions) -> None:
    r""":math:`\sum_{o \in O_i} x_{io} = 1` for every issue :math:`i`: a package picks one option per issue.

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


def add_rules(m, instance: Instance) -> None:
    r"""requires: :math:`x_a \le x_b`; excludes: :math:`x_a + x_b \le 1`."""
    m.rules = pyo.ConstraintList()
    for r in instance.rules:
        a, b = r.pair
        m.rules.add(m.x[a] <= m.x[b] if r.kind == "requires" else m.x[a] + m.x[b] <= 1)


def add_links(m, instance: Instance) -> None:
    r""":math:`z_{ab} \le x_a`, :math:`z_{ab} \le x_b`, :math:`z_{ab} \ge x_a + x_b - 1`: the product
    :math:`z_{ab} = x_a x_b` of two linked options, exact at binary :math:`x`."""
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


def add_actions(m, instance: Instance) -> None:
    r"""Uses :math:`n_a \in \{0, \dots, \bar n_a\}` (integer) of each action of the Actions sheet.

    An action :math:`a` of side :math:`s` on target :math:`h` costs :math:`c_a` per use, adds
    :math:`\mu_a` (utility_shift) to :math:`h`'s utility and, for a group, :math:`\rho_a`
    (reservation_shift) to its reservation. So :math:`u_g` gains :math:`\sum_{a \to g} \mu_a n_a`,
    the support row compares it with :math:`\tilde r_g = r_g + \sum_{a \to g} \rho_a n_a`, and
    :math:`M_g` uses the least of :math:`u_g - (\tilde r_g - r_g)` (an action with
    :math:`\mu_a < \rho_a` can lower it). A negotiator gains :math:`\sum_{a \to s} \mu_a n_a`
    and loses :math:`c_s \sum_{a \text{ of } s} c_a n_a` at its payment cost. A group's shifts
    do not enter its negotiator's averaged :math:`V_s`. Package bounding knows no actions and
    is not used when there are any.
    """
    ids = [a.id for a in instance.actions]
    m.ACTIONS = pyo.Set(initialize=ids, ordered=True)
    m.n = pyo.Var(m.ACTIONS, domain=pyo.NonNegativeIntegers, bounds=lambda m, a: (0, instance.action(a).max_uses))


def _action_cost(m, instance: Instance, side: str):
    return sum(a.cost * m.n[a.id] for a in instance.actions_of(side) if a.cost)


def add_payments(m, instance: Instance) -> None:
    r""":math:`0 \le p_g \le \bar p_g` and :math:`\sum_{g \in s} p_g + \sum_{a \text{ of } s} c_a n_a \le B_s`:
    payments and the actions a side takes share its budget.

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


def add_transfers(m, instance: Instance) -> None:
    r""":math:`0 \le t_k \le T_k` for every international transfer (its bound is its limit)."""
    m.TRANSFERS = pyo.RangeSet(0, len(instance.transfers) - 1) if instance.transfers else pyo.Set(initialize=[])
    m.t = pyo.Var(m.TRANSFERS, bounds=lambda m, k: (0, instance.transfers[k].max_amount))


def _received(m, instance: Instance, holder: str):
    return sum(instance.transfers[k].value * m.t[k] for k in transfers_to(instance, holder))


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


def add_support(m, instance: Instance, options: FormulationOptions) -> None:
    r""":math:`y_g = 1 \Rightarrow u_g \ge \tilde r_g`, written :math:`u_g \ge \tilde r_g - M_g (1 - y_g)`
    with the group's own :math:`M_g = r_g - \underline{s}_g`.

    A group's utility is :math:`u_g = v_g(x, z) + e_g p_g + \sum_{k \to g} \nu_k t_k + \sum_{a \to g} \mu_a n_a`,
    where :math:`v_g(x, z) = \sum_{io} v_{gio} x_{io} + \sum_{ab} c_{gab} z_{ab}` is its option and link
    values. :math:`\underline{s}_g` is the least of :math:`u_g - (\tilde r_g - r_g)` over all deals
    (:func:`~planner.formulation.coefficients.standing_bounds`: the smallest package value, since
    payments and transfers only add). Support is modelled one way only: every ratification
    condition is monotone in support, so an optimal solution never gains by leaving a
    supporting group at :math:`y_g = 0`, and the reported facts are recomputed from the deal
    anyway. With presolve, :math:`y_g` is a constant for groups that always or never support,
    and groups that always vote alike share one binary. ``m.support[g]`` is the expression
    (0, 1 or a binary) that bodies and vetoes use.
    """
    plans = plan_groups(instance, options)
    order = {g.id: k for k, g in enumerate(instance.groups)}
    reps = sorted({p.representative for p in plans.values() if p.fixed is None}, key=order.__getitem__)
    m.VOTERS = pyo.Set(initialize=reps, ordered=True)
    m.y = pyo.Var(m.VOTERS, domain=pyo.Binary)
    m.support_rows = pyo.Constraint(m.VOTERS)
    for g in reps:  # the longest family to write (a term per option and group): the deadline is checked as it goes
        deadline.check("building the model")
        m.support_rows[g] = group_utility_expr(m, instance, g) >= reservation_expr(m, instance, g) - plans[g].big_m * (1 - m.y[g])
    m.support = {g: (1 if p.fixed else 0) if p.fixed is not None else m.y[p.representative] for g, p in plans.items()}
    m.group_plans = plans


def support_cut_parts(m, instance: Instance, group: str) -> tuple[dict, object, float]:
    r"""The parts of a group's support cuts (:func:`add_support_cut`): its value :math:`v_{gio}` of
    every (issue, option), the expression
    :math:`w_g = u_g - \sum_{io} v_{gio} x_{io} - (\tilde r_g - r_g)` and its least value :math:`\underline w_g`."""
    lin = holder_linear(instance, group)
    values = {k: lin.options.get(k, 0.0) for k in instance.option_keys()}
    g = instance.group(group)
    pay = g.payment_efficiency * m.p[group] if group in m.PAID else 0.0
    shift = sum(a.softening * m.n[a.id] for a in instance.actions_on(group) if a.softening)
    rest = _linear_expr(m, Linear(pairs=lin.pairs)) + pay + _received(m, instance, group) + shift
    least = sum(min(0.0, v) for v in lin.pairs.values()) + sum(min(0.0, a.softening) * a.max_uses
                                                              for a in instance.actions_on(group))
    return values, rest, least


def add_support_cut(m, instance: Instance, group: str, thresholds: dict[str, float], parts=None):
    r"""A support cut of a group that has a binary, for thresholds :math:`\pi_i` (one per issue); returns the row.

    .. math:: \sum_{io} (v_{gio} - \pi_i)^+ x_{io} + \Big(\sum_i \pi_i + \underline w_g - r_g\Big) y_g
              + w_g - \underline w_g \ge 0,

    where :math:`w_g = u_g - \sum_{io} v_{gio} x_{io} - (\tilde r_g - r_g) \ge \underline w_g` is the
    rest of the group's standing (links, payment, transfers, the actions' softening).
    Valid for every :math:`\pi`: with :math:`y_g = 0` every term is non-negative; with
    :math:`y_g = 1` and one option per issue, :math:`(v_{gio} - \pi_i)^+ + \pi_i \ge v_{gio}`
    for the chosen option, so the left side is at least :math:`u_g - \tilde r_g \ge 0`.
    For :math:`\pi_i = \min_o v_{gio}` it is the support row itself; over all :math:`\pi`
    these rows describe the convex hull of the group's support over the package simplices
    (the package disaggregated per group), without its extra variables. They are separated,
    not written in advance (:mod:`planner.solving.cuts`).
    """
    values, rest, least = parts or support_cut_parts(m, instance, group)
    if not hasattr(m, "support_cuts"):
        m.support_cuts = pyo.ConstraintList()
    terms = [(v - thresholds[i]) * m.x[i, o] for (i, o), v in values.items() if v > thresholds[i]]
    constant = sum(thresholds.values()) + least - instance.group(group).reservation
    return m.support_cuts.add(sum(terms) + constant * m.y[group] + rest - least >= 0)


def add_bodies(m, instance: Instance) -> None:
    r""":math:`Y_b \ge \rho_b` and :math:`N_b \ge \lceil c_b n_b \rceil`, with yes weight :math:`Y_b = \sum_m w_{bm} y_m`
    and yes count :math:`N_b = \sum_m y_m` of the :math:`n_b` members.

    The right-hand side :math:`\rho_b` makes the threshold exact
    (:func:`~planner.formulation.thresholds.weight_rhs`): the yes weight can take only
    subset-sum values of the members' weights, so :math:`Y > \theta W` (more_than) or
    :math:`Y \ge \theta W` (at_least) is equivalent to :math:`Y \ge S^+` for the smallest passing
    subset sum :math:`S^+`; :math:`\rho_b` is the midpoint between :math:`S^+` and the largest
    failing subset sum, so no solver tolerance can flip a vote. Subset sums are enumerated
    exactly (a big-integer bitset over weights scaled to integers). Weights and thresholds
    are read as the simplest fraction within :math:`10^{-12}` of the number written (0.6 is
    3/5; ``=2/3`` is 2/3), so "more than 0.6" of five equal votes needs four. Each body's
    weights are scaled by its largest for HiGHS, so that weights of :math:`10^{-13}` or
    :math:`10^{13}` become of order 1.

    With ``block_min`` :math:`\beta_b` the body passes when the weight and count conditions
    hold *or* fewer than :math:`\beta_b` members vote no; a binary :math:`a_b` chooses:
    :math:`Y_b \ge \rho_b a_b`, :math:`N_b \ge \lceil c_b n_b\rceil a_b` and
    :math:`N_b \ge (n_b - \beta_b + 1)(1 - a_b)`. A body no vote can pass makes the model
    infeasible (no agreement).
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


def add_vetoes(m, instance: Instance) -> None:
    r""":math:`y_g = 1` for every veto group :math:`g`."""
    m.vetoes = pyo.ConstraintList()
    for g in instance.groups:
        if g.veto:
            _at_least(m, m.vetoes, m.support[g.id], 1)


def add_negotiators(m, instance: Instance) -> None:
    r""":math:`U_s = V_s(x,z) + \sum_{k \to s} \nu_k t_k + \sum_{a \to s} \mu_a n_a
    - c_s (\sum_{g \in s} p_g + \sum_{a \text{ of } s} c_a n_a) - \sum_{k: s \to} \kappa_k t_k`.

    :math:`V_s` is the negotiator's own option and link values or, without Utilities rows,
    the weight-averaged package value of its groups
    (:func:`~planner.formulation.coefficients.negotiator_linear`); it receives transfers at
    their value :math:`\nu_k`, pays its payments and actions at its payment cost :math:`c_s`,
    and the transfers it makes at their cost :math:`\kappa_k`.
    """
    def utility(s: str):
        side = instance.side(s)
        spent = sum(m.p[g.id] for g in instance.groups_of(s) if g.id in m.PAID) + _action_cost(m, instance, s)
        paid_out = sum(t.cost * m.t[k] for k, t in enumerate(instance.transfers) if t.from_side == s and t.cost)
        value = _linear_expr(m, negotiator_linear(instance, s)) + _received(m, instance, s) + _shifted(m, instance, s)
        return value - side.payment_cost * spent - paid_out

    m.SIDES = pyo.Set(initialize=instance.side_ids, ordered=True)
    m.U = pyo.Expression(m.SIDES, rule=lambda m, s: utility(s))


def add_level_one(m, instance: Instance) -> None:
    r""":math:`U_s \ge R_s` for every side with a Level-I reservation (:math:`R_s` a mutable parameter)."""
    sides = [s.id for s in instance.sides if s.reservation is not None]
    m.level_one_limit = pyo.Param(sides, mutable=True, initialize={s: instance.side(s).reservation for s in sides})
    m.level_one = pyo.Constraint(sides, rule=lambda m, s: m.U[s] >= m.level_one_limit[s])


def add_objective(m, instance: Instance, objective: str, home: str, ideal: dict[str, float] | None = None) -> None:
    r"""The objective ``m.obj`` (maximised); a blank reservation :math:`R_s` counts as 0 here.

    * own: :math:`\max U_h`; joint: :math:`\max \sum_s U_s`;
    * maxmin: :math:`\max \mu` with :math:`\mu \le U_s - R_s`;
    * kalai (Kalai–Smorodinsky): :math:`\max \mu` with :math:`U_s - R_s \ge \mu (I_s - R_s)`,
      :math:`0 \le \mu \le 1`, for the ideal utilities :math:`I_s` (each side's best over the
      deals that give every side at least its reservation, solved first);
    * nash: maximise :math:`\prod_s (U_s - R_s)` over deals with every :math:`U_s - R_s > 0`. The
      product is replaced by :math:`\sum_s \ln d_s` with gains :math:`d_s = U_s - R_s \ge 10^{-6}`,
      and :math:`\ln d_s` by variables :math:`\lambda_s` below tangents
      :math:`\lambda_s \le \ln a + d_s/a - 1` at points :math:`a` spread over the gain's range: an
      outer approximation that the Nash method refines until the bound and the true product
      agree.
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


FAMILIES = (
    ("Packages", add_packages),
    ("Rules", add_rules),
    ("Links", add_links),
    ("Negotiators", add_negotiators),
    ("Support", add_support),
    ("Support cuts", add_support_cut),
    ("Bodies", add_bodies),
    ("Vetoes", add_vetoes),
    ("Payments", add_payments),
    ("Transfers", add_transfers),
    ("Actions", add_actions),
    ("Level I", add_level_one),
)
"""The constraint families, as ``docs/model.md`` shows them (the objective is shown on its own)."""
