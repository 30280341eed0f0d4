"""Win-set actions (the Actions sheet): chosen within budgets, checked against enumeration.

The oracle (``tests/oracle.py``) lists every combination of action uses and, for each,
every package with its best payments; the planner's MIP must find the same optimum, and
the deal it reports, with its actions, must be feasible when re-evaluated. Hand-made
cases check what each chosen action is reported to buy.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner
from planner.evaluate import Deal, action_effects, evaluate
from planner.io.workbook import write_instance
from planner.model import Action, Group, Side
from planner.objectives import objective_value

from .conftest import examples
from .oracle import best_deal
from .strategies import instances, make, with_actions
from .test_against_oracle import close, describe, report

EXAMPLES = examples(60)


@st.composite
def instances_with_actions(draw, objective: str):
    return draw(with_actions(draw(instances(objective=objective, money=draw(st.booleans())))))


@pytest.mark.parametrize("objective", ["own", "joint", "maxmin"])
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_best_deal_with_actions_equals_enumeration_over_uses_and_packages(data, objective):
    instance = data.draw(instances_with_actions(objective), label="instance")
    expected = best_deal(instance)
    report(describe(expected) + f" actions={expected.actions}")
    result = planner.solve(instance)
    report(f"planner: {result.status} {result.objective_value} {result.deal}")
    if expected.value is None:
        assert result.status == "no_agreement"
        return
    assert result.status == "optimal"
    assert close(result.objective_value, expected.value)
    ev = evaluate(instance, result.deal)
    assert ev.feasible, ev.violations
    value = objective_value(instance, ev.negotiator_utility, objective, instance.home)
    assert close(value, expected.value)


def _softening_case(cost: float, budget: float, shift: float = -2.0):
    """US wants 'hard'; its group labour (reservation 3) values it at 1, so labour blocks it
    unless a campaign (cost ``cost``, reservation shift ``shift``) softens labour (it cannot be
    paid); 'soft' is worth 1 to the US and 4 to labour."""
    inst = make(
        sides=[Side("US", "US", budget=budget), Side("EU", "EU")],
        issues={"tariff": ["hard", "soft"]},
        groups=[Group("labour", "US", "labour", reservation=3.0, payment_cap=0.0)],
        utilities={"US": {("tariff", "hard"): 5, ("tariff", "soft"): 1},
                   "labour": {("tariff", "hard"): 1, ("tariff", "soft"): 4}},
    )
    return inst.replace(actions=(Action("campaign", "US", "labour", cost=cost, reservation_shift=shift),))


def test_a_campaign_is_bought_when_it_pays_for_itself_and_its_report_says_what_it_bought():
    inst = _softening_case(cost=1.0, budget=2.0)
    result = planner.solve(inst)
    assert result.status == "optimal" and result.package == {"tariff": "hard"}
    assert dict(result.deal.actions) == {"campaign": 1}
    assert close(result.objective_value, 5 - 1)  # the campaign's cost comes off the negotiator at payment_cost 1
    (effect,) = action_effects(inst, result.deal)
    assert effect.supporters == ("labour",) and effect.sides == ("US",)
    d = result.to_dict()
    assert d["actions"][0]["supporters_won"] == ["labour"] and d["actions"][0]["sides_won"] == ["US"]
    assert d["groups"]["labour"]["reservation_after_actions"] == 1.0 and d["groups"]["labour"]["reservation"] == 3.0
    assert "wins the support of labour" in d["actions"][0]["sentence"]


@pytest.mark.parametrize("cost, budget, shift", [(5.0, 10.0, -2.0), (1.0, 0.5, -2.0), (1.0, 2.0, -1.0)])
def test_a_campaign_is_not_bought_when_it_costs_too_much_is_unaffordable_or_too_weak(cost, budget, shift):
    inst = _softening_case(cost, budget, shift)
    result = planner.solve(inst)
    assert result.status == "optimal" and result.package == {"tariff": "soft"} and not result.deal.actions
    assert close(result.objective_value, best_deal(inst).value)


def test_an_appeal_to_a_foreign_group_reverberates_and_a_gesture_moves_the_other_negotiator():
    inst = make(
        sides=[Side("US", "US", budget=3.0), Side("EU", "EU", reservation=2.0)],
        issues={"tariff": ["hard", "soft"]},
        groups=[Group("farmers", "EU", "farmers", reservation=2.0)],
        utilities={"US": {("tariff", "hard"): 6, ("tariff", "soft"): 2},
                   "EU": {("tariff", "hard"): 1, ("tariff", "soft"): 3},
                   "farmers": {("tariff", "hard"): 0, ("tariff", "soft"): 3}},
    ).replace(actions=(Action("appeal", "US", "farmers", cost=1.0, utility_shift=2.0),
                       Action("gesture", "US", "EU", cost=0.5, utility_shift=0.5, max_uses=3)))
    result = planner.solve(inst)
    assert result.package == {"tariff": "hard"} and dict(result.deal.actions) == {"appeal": 1, "gesture": 2}
    assert close(result.objective_value, 6 - 1 - 1) and close(result.objective_value, best_deal(inst).value)
    effects = {e.action: e for e in action_effects(inst, result.deal)}
    assert effects["appeal"].supporters == ("farmers",) and effects["appeal"].sides == ("EU",)
    assert close(effects["gesture"].utility, 1.0)


def test_the_evaluator_refuses_actions_beyond_their_uses_or_the_budget():
    inst = _softening_case(cost=1.0, budget=2.0)
    assert evaluate(inst, Deal({"tariff": "hard"}, actions={"campaign": 1})).feasible
    assert not evaluate(inst, Deal({"tariff": "hard"}, actions={"campaign": 2})).feasible
    over = evaluate(inst, Deal({"tariff": "hard"}, payments={"labour": 1.5}, actions={"campaign": 1}))
    assert any("exceed its budget" in v for v in over.violations)
    assert not evaluate(inst, Deal({"tariff": "hard"})).feasible  # labour blocks without the campaign


def test_the_actions_sheet_round_trips_and_the_command_line_reports_the_actions(tmp_path, cli):
    inst = _softening_case(cost=1.0, budget=2.0)
    path = tmp_path / "campaign.xlsx"
    write_instance(inst, path)
    assert planner.read_instance(path).actions == inst.actions
    proc = cli("solve", path, "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["actions"][0]["action"] == "campaign"
    proc = cli("solve", path, "-o", tmp_path / "out.xlsx")
    assert proc.returncode == 0 and "campaign" in proc.stdout and "wins the support of labour" in proc.stdout
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out.xlsx")["Actions"]
    assert [c.value for c in sheet[1]][:3] == ["action", "side", "target"]
    assert sheet.cell(2, 1).value == "campaign"


@pytest.mark.parametrize("column, value, expected", [
    ("target", "nobody", "a group or a side"),
    ("side", "XX", "a side of the Sides sheet"),
    ("max_uses", 1.5, "a whole number"),
    ("cost", -1, ">= 0"),
])
def test_a_bad_action_row_is_named_by_sheet_row_and_column(tmp_path, cli, column, value, expected):
    inst = _softening_case(cost=1.0, budget=2.0)
    path = tmp_path / "bad.json"
    write_instance(inst, path)
    data = json.loads(path.read_text())
    data["sheets"]["Actions"][0][column] = value
    path.write_text(json.dumps(data))
    proc = cli("solve", path, "--no-workbook")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Actions" in proc.stderr and "row 2" in proc.stderr and column in proc.stderr and expected in proc.stderr


def test_a_diagnosis_counts_the_cost_of_actions_in_the_least_budget():
    from planner.analysis.diagnose import diagnose

    inst = _softening_case(cost=1.0, budget=0.5).with_side("US", reservation=2.0)  # only 'hard' with the campaign
    assert best_deal(inst).value is None
    (us, _) = diagnose(inst).budgets
    assert us.target == "US" and close(us.needed, 1.0)
    assert best_deal(inst.with_side("US", budget=us.needed)).value is not None
    assert best_deal(inst.with_side("US", budget=0.99)).value is None
