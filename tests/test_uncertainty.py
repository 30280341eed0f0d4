"""Deciding under uncertainty: expected, robust and chance-constrained deals against brute force.

The brute force below lists every package and judges ratification scenario by scenario
from the workbook's meaning (oracle helpers only), applying each scenario's changes itself.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner
from planner.model import Body, Group, Instance, Issue, Member, Option, Scenario, ScenarioChange, Settings, Side
from planner.uncertainty import ratification, with_samples

from . import oracle
from .conftest import examples
from .strategies import instances, with_actions


@st.composite
def uncertain_instances(draw):
    inst = draw(instances(objective="own", money=False))
    keys = [(i.id, o.id) for i in inst.issues for o in i.options]
    weights = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    scenarios = []
    for k, w in enumerate(weights):
        changes = []
        for g in inst.groups:
            if draw(st.booleans()):
                key = draw(st.sampled_from([None] + keys))
                changes.append(ScenarioChange(
                    g.id, draw(st.sampled_from([0.0, -1.0, 1.0, -2.5, 2.0])), draw(st.sampled_from([1.0, 1.0, 0.5, 2.0, 0.0])),
                    draw(st.sampled_from([0.0, 1.0, -1.5])), *(key or (None, None))))
        scenarios.append(Scenario(f"s{k}", w / sum(weights), tuple(changes)))
    return inst.replace(scenarios=tuple(scenarios))


def _scenario_values(instance, scenario, package):
    """Group values, reservations and bodies in a scenario, applied here from the sheet's meaning."""
    values = {g.id: oracle._holder_value(instance, g.id, package) for g in instance.groups}
    reservation = {g.id: g.reservation for g in instance.groups}
    factor = {g.id: 1.0 for g in instance.groups}
    for c in scenario.changes:
        reservation[c.holder] += c.reservation_shift
        factor[c.holder] *= c.weight_factor
        if c.issue is None or package[c.issue] == c.option:
            values[c.holder] += c.utility_shift
    bodies = tuple(Body(b.id, b.side, tuple(Member(m.group, m.weight * factor[m.group]) for m in b.members),
                        b.threshold, b.rule, b.count_threshold, b.block_min) for b in instance.bodies)
    return values, reservation, bodies


def brute_force(instance, objective, floor=None):
    """The best value of ``objective`` over packages and action uses (money-free otherwise),
    judging each package's ratification probability scenario by scenario."""
    best = None
    for uses in itertools.product(*(range(a.max_uses + 1) for a in instance.actions)):
        fixed = oracle._with_actions_fixed(instance, dict(zip((a.id for a in instance.actions), uses)))
        if fixed is not None:
            value = _best_package(*fixed, objective, floor)
            best = value if best is None or (value is not None and value > best) else best
    return best


def _best_package(instance, offset, objective, floor):
    home = instance.settings.home_side
    r0 = instance.side(home).reservation or 0.0
    best = None
    for package in oracle._packages(instance):
        base = {g.id: oracle._holder_value(instance, g.id, package) for g in instance.groups}
        u = {s.id: oracle._negotiator_value(instance, s.id, package, base) + offset[s.id] for s in instance.sides}
        if any(s.reservation is not None and u[s.id] < s.reservation - oracle.TOL for s in instance.sides):
            continue
        p = 0.0
        for sc in instance.scenarios:
            values, reservation, bodies = _scenario_values(instance, sc, package)
            supporters = {g for g in values if values[g] >= reservation[g] - oracle.TOL}
            if oracle.all_ratify(instance.replace(bodies=bodies), supporters):
                p += sc.probability
        if objective == "expected":
            if u[home] < r0 - oracle.TOL:
                continue
            value = p * u[home] + (1 - p) * r0
        else:
            if p < (1.0 if objective == "robust" else floor) - 1e-9:
                continue
            value = u[home]
        best = value if best is None else max(best, value)
    return best


SETTINGS = settings(max_examples=examples(60), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(uncertain_instances(), st.sampled_from(["expected", "robust", "floor"]))
def test_uncertain_deals_equal_brute_force_over_packages_and_scenarios(instance, objective):
    floor = 0.5 if objective == "floor" else None
    result = planner.solve(instance, objective="own" if floor else objective, min_ratification=floor)
    expected = brute_force(instance, objective, floor)
    assert result.has_deal == (expected is not None), (result.status, expected)
    if expected is None:
        assert result.status == "no_agreement"
        return
    assert result.objective_value == pytest.approx(expected, abs=1e-6)
    truth = ratification(instance, result.deal)
    reported = result.to_dict()["uncertainty"]["ratification_probability"]
    assert reported["overall"] == pytest.approx(truth["overall"], abs=1e-9)
    values = [_ratified(instance, sc, result.package) for sc in instance.scenarios]
    assert truth["overall"] == pytest.approx(math.fsum(sc.probability for sc, ok in zip(instance.scenarios, values) if ok))


@SETTINGS
@given(st.data(), st.sampled_from(["expected", "robust"]))
def test_uncertain_deals_with_actions_equal_brute_force_over_uses_packages_and_scenarios(data, objective):
    instance = data.draw(uncertain_instances().flatmap(lambda inst: with_actions(inst, max_actions=2)))
    result = planner.solve(instance, objective=objective)
    expected = brute_force(instance, objective)
    assert result.has_deal == (expected is not None), (result.status, expected)
    if expected is not None:
        assert result.objective_value == pytest.approx(expected, abs=1e-6)
        truth = ratification(instance, result.deal)["overall"]
        assert truth == pytest.approx(result.to_dict()["uncertainty"]["ratification_probability"]["overall"])
        assert objective != "robust" or truth == pytest.approx(1.0)


def _ratified(instance, scenario, package) -> bool:
    values, reservation, bodies = _scenario_values(instance, scenario, package)
    return oracle.all_ratify(instance.replace(bodies=bodies), {g for g in values if values[g] >= reservation[g] - oracle.TOL})


def take_it_or_leave_it(scenarios: int, offers: int = 41) -> Instance:
    """Home proposes x in [0, 1] and keeps 1 - x; the other side's ratifier accepts when x >= its
    reservation, uniform on [0, 1] as equally likely scenarios at the midpoints of equal cells."""
    grid = [k / (offers - 1) for k in range(offers)]
    issue = Issue("offer", "offer", tuple(Option(f"x{k}", f"{v:g}") for k, v in enumerate(grid)))
    utilities = {"H": {("offer", f"x{k}"): 1 - v for k, v in enumerate(grid)},
                 "O": {("offer", f"x{k}"): v for k, v in enumerate(grid)},
                 "ratifier": {("offer", f"x{k}"): v for k, v in enumerate(grid)}}
    cases = tuple(Scenario(f"r{k}", 1 / scenarios, (ScenarioChange("ratifier", (k + 0.5) / scenarios),))
                  for k in range(scenarios))
    return Instance((Side("H", "H"), Side("O", "O")), (issue,), (Group("ratifier", "O", "ratifier"),),
                    (Body("O", "O", (Member("ratifier", 1.0),), default=True),), utilities, Settings("H"),
                    scenarios=cases, name="take_it_or_leave_it")


def test_take_it_or_leave_it_against_a_uniform_reservation_offers_one_half():
    result = planner.solve(take_it_or_leave_it(40), objective="expected")
    offer = float(result.deal and result.instance.issue("offer").options[int(result.package["offer"][1:])].label)
    risk = result.to_dict()["uncertainty"]["ratification_probability"]["overall"]
    assert abs(offer - 0.5) <= 0.05 and abs(risk - 0.5) <= 0.05
    assert result.objective_value == pytest.approx(offer * (1 - offer), abs=0.02)


def test_sampled_scenarios_are_deterministic_and_equally_likely():
    inst = planner.read_instance(planner_root() / "spreadsheets" / "bonn1978.xlsx")
    inst = inst.replace(groups=tuple(g.__class__(**{**g.__dict__, "reservation_sd": 0.5}) for g in inst.groups))
    a, b = with_samples(inst, 30, seed=3), with_samples(inst, 30, seed=3)
    assert a.scenarios == b.scenarios and len(a.scenarios) == 30
    assert math.fsum(sc.probability for sc in a.scenarios) == pytest.approx(1.0)
    assert with_samples(inst, 30, seed=4).scenarios != a.scenarios


def planner_root():
    from .conftest import ROOT

    return ROOT


def test_the_command_line_solves_under_scenarios_from_the_workbook(tmp_path, cli):
    from planner.io.workbook import write_instance

    path = tmp_path / "tioli.xlsx"
    write_instance(take_it_or_leave_it(10, 11), path)
    back = planner.read_instance(path)
    assert back.scenarios == take_it_or_leave_it(10, 11).scenarios
    proc = cli("solve", path, "--objective", "expected", "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["uncertainty"]["scenarios"] == 10 and 0 < data["uncertainty"]["ratification_probability"]["overall"] < 1
    floor = cli("solve", path, "--min-ratification", "0.9", "--json", "-", "--no-workbook")
    assert json.loads(floor.stdout)["uncertainty"]["ratification_probability"]["overall"] >= 0.9
    bad = cli("solve", path, "--min-ratification", "1.5", "--no-workbook")
    assert bad.returncode == 2
    kalai = cli("solve", path, "--objective", "kalai", "--min-ratification", "0.9", "--no-workbook")
    assert kalai.returncode == 2 and "ideal point" in kalai.stderr and "Traceback" not in kalai.stderr


def test_a_suggested_deal_is_the_incumbent_when_highs_may_not_search():
    from planner.solving.highs import BuiltModel
    from planner.solving.options import SolveOptions

    inst = planner.read_instance(planner_root() / "spreadsheets" / "bonn1978.xlsx")
    best = planner.solve(inst, options=SolveOptions(method="mip"))
    built = BuiltModel(inst, "own", inst.home, SolveOptions(time_limit=30))
    built.suggest(best.deal)
    run = built.run(mip_max_nodes=0, mip_heuristic_effort=0.0, presolve="off")
    assert run.has_solution and run.incumbent >= best.objective_value - 1e-6


def test_the_starting_deal_meets_the_floor_and_is_no_better_than_the_optimum():
    from planner.solving.options import SolveOptions
    from planner.solving.uncertain import starting_deal
    from planner.uncertainty import expected_utility

    inst = take_it_or_leave_it(20)
    start = starting_deal(inst, "robust", "H", SolveOptions(time_limit=10), 1.0)
    assert ratification(inst, start)["overall"] == pytest.approx(1.0)
    expected = starting_deal(inst, "expected", "H", SolveOptions(time_limit=10), None)
    assert expected_utility(inst, expected, "H") <= planner.solve(inst, objective="expected").objective_value + 1e-9


@pytest.mark.parametrize("objective, floor", [("expected", None), ("own", 0.8)])
def test_an_answer_under_scenarios_moves_no_money_its_objective_does_not_need(objective, floor):
    """The scenario answer goes through the same tidy step as the deterministic one: dropping
    any payment of the deal costs value or the ratification floor."""
    import dataclasses

    from planner.evaluate import Deal
    from planner.uncertainty import expected_utility

    bonn = planner.read_instance(planner_root() / "spreadsheets" / "bonn1978.xlsx")
    spread = tuple(dataclasses.replace(g, reservation_sd=0.5) if k % 3 == 0 else g for k, g in enumerate(bonn.groups))
    inst = with_samples(bonn.replace(groups=spread), 6, seed=3)
    result = planner.solve(inst, objective=objective, min_ratification=floor)
    assert result.status == "optimal"

    def worth(deal):
        if floor is not None and ratification(inst, deal)["overall"] < floor - 1e-9:
            return -math.inf
        if objective == "expected":
            return expected_utility(inst, deal, inst.home)
        return planner.evaluate(inst, deal).negotiator_utility[inst.home]

    for group in result.deal.payments:
        without = Deal(result.deal.package, {g: p for g, p in result.deal.payments.items() if g != group},
                       result.deal.transfers, result.deal.actions)
        assert worth(without) < result.objective_value - 1e-9, f"the payment to {group} buys nothing"
