r"""Scenario blocks: the rows that judge Level II in each scenario of the Scenarios sheet.

The scenario model is the deterministic model of the instance without Level II
(:func:`planner.uncertainty.level_free`: no bodies, no vetoes) plus one block per
scenario, in which the scenario's groups, bodies and vetoes are written with the same
rows as the deterministic model's, switched on by a binary :math:`r_k` (ratified in
scenario :math:`k`). The objectives ``expected`` and ``robust`` and the floor on the
probability of ratification are rows on these binaries.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .. import deadline
from ..model import Instance
from ..uncertainty import no_agreement_utility, scenario_instance, scenarios_of
from .coefficients import negotiator_bounds, standing_bounds, voting_groups
from .rows import add_bodies, add_vetoes, group_utility_expr, reservation_expr
from .thresholds import weight_rhs


def add_scenarios(m, instance: Instance) -> list:
    r"""One block per scenario :math:`k` with a binary :math:`r_k` (ratified in :math:`k`).

    In block :math:`k`, every voting group has a support binary :math:`y_{gk}` with
    :math:`u^k_g \ge r^k_g - M^k_g (1 - y_{gk}) - M^k_g (1 - r_k)`, where :math:`u^k_g` is the
    group's utility in scenario :math:`k` (package, payments and transfers shared by all
    scenarios) and :math:`M^k_g = \max(0, r^k_g - \underline{v}^k_g)`. The bodies and vetoes
    of scenario :math:`k` are the planner's own rows (:func:`~planner.formulation.rows.add_bodies`,
    :func:`~planner.formulation.rows.add_vetoes`) on these
    binaries, so :math:`r_k = 1` forces ratification in :math:`k`, and :math:`r_k = 0`
    frees every group. A scenario with a body no vote can pass has :math:`r_k = 0`.
    A group's utility is one variable :math:`u_g` shared by every scenario whose utilities
    for it are the workbook's (whole-package shifts move its reservation instead), and a
    group that supports every deal in a scenario needs no binary there.
    Returns the new constraints (for a persistent solver).
    """
    m.SCENARIOS = pyo.Set(initialize=range(len(scenarios_of(instance))), ordered=True)
    m.ratified = pyo.Var(m.SCENARIOS, domain=pyo.Binary)
    rows = add_shared_utilities(m, instance)
    m.scenario = pyo.Block(m.SCENARIOS)
    for k, sc in enumerate(scenarios_of(instance)):
        deadline.check("building the scenario blocks")
        case = scenario_instance(instance, sc)
        rows += add_scenario(m, m.scenario[k], case, m.ratified[k], instance)
    return rows


def add_shared_utilities(m, instance: Instance) -> list:
    r""":math:`u_g = v_g(x, z) + e_g p_g + \sum_k \nu_k t_k + \sum_a \mu_a n_a` once per voting group."""
    voting = [g.id for g in instance.groups if g.id in voting_groups(instance)]
    m.group_value = pyo.Var(voting)
    m.group_value_rows = pyo.Constraint(voting, rule=lambda m, g: m.group_value[g] == group_utility_expr(m, instance, g))
    return list(m.group_value_rows.values())


def add_scenario(m, blk, case: Instance, ratified, instance: Instance) -> list:
    members = voting_groups(case)
    voting = [g.id for g in case.groups if g.id in members]
    if any(weight_rhs(b) is None and b.block_min is None for b in case.bodies):
        ratified.fix(0)
        return []
    bounds = {g: standing_bounds(case, g) for g in voting}
    always = {g for g in voting if bounds[g][0] >= case.group(g).reservation}
    undecided = [g for g in voting if g not in always]
    blk.y = pyo.Var(undecided, domain=pyo.Binary)
    big = {g: max(0.0, case.group(g).reservation - bounds[g][0]) for g in undecided}

    def utility(g: str):
        same = g in m.group_value and case.utilities.get(g, {}) == instance.utilities.get(g, {})
        return m.group_value[g] if same else group_utility_expr(m, case, g)

    blk.support_rows = pyo.Constraint(
        undecided, rule=lambda b, g: utility(g)
        >= reservation_expr(m, case, g) - big[g] * (1 - b.y[g]) - big[g] * (1 - ratified))
    blk.support = {g: 1 if g in always else blk.y[g] for g in voting}
    add_bodies(blk, case)
    add_vetoes(blk, case)
    return list(blk.component_data_objects(pyo.Constraint, descend_into=True))


def add_expected_objective(m, instance: Instance, home: str):
    r"""Maximise :math:`\sum_k \pi_k w_k` with :math:`w_k \le U_h + M_1 (1 - r_k)`,
    :math:`w_k \le R^0_h + M_2 r_k` and :math:`U_h \ge R^0_h` (so :math:`w_k` is :math:`U_h`
    when ratified and :math:`R^0_h` when not); returns the objective and the new rows."""
    r0 = no_agreement_utility(instance, home)
    lo, hi = negotiator_bounds(instance, home)
    m1, m2 = max(0.0, r0 - lo), max(0.0, hi - r0)
    probability = [sc.probability for sc in scenarios_of(instance)]
    m.worth = pyo.Var(m.SCENARIOS)
    m.worth_if_ratified = pyo.Constraint(m.SCENARIOS, rule=lambda m, k: m.worth[k] <= m.U[home] + m1 * (1 - m.ratified[k]))
    m.worth_if_not = pyo.Constraint(m.SCENARIOS, rule=lambda m, k: m.worth[k] <= r0 + m2 * m.ratified[k])
    m.worth_offering = pyo.Constraint(expr=m.U[home] >= r0)
    m.expected = pyo.Objective(expr=sum(probability[k] * m.worth[k] for k in m.SCENARIOS), sense=pyo.maximize)
    rows = [m.worth_if_ratified[k] for k in m.SCENARIOS] + [m.worth_if_not[k] for k in m.SCENARIOS] + [m.worth_offering]
    return m.expected, rows


def add_ratification_floor(m, instance: Instance, floor: float):
    r""":math:`\sum_k \pi_k r_k \ge P` (every scenario, :math:`r_k = 1`, when :math:`P` is 1: robust)."""
    probability = [sc.probability for sc in scenarios_of(instance)]
    if floor >= 1.0:
        m.every_scenario = pyo.Constraint(m.SCENARIOS, rule=lambda m, k: m.ratified[k] >= 1)
        return [m.every_scenario[k] for k in m.SCENARIOS]
    m.ratification_floor = pyo.Constraint(expr=sum(probability[k] * m.ratified[k] for k in m.SCENARIOS) >= floor - 1e-9)
    return [m.ratification_floor]
