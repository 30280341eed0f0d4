"""Hand-made cases whose answers are worked out on paper."""

from __future__ import annotations

import pytest

import planner
from planner.evaluate import evaluate

from .conftest import instance_from, small_tables


def solved(tables, **kw):
    result = planner.solve(instance_from(tables), **kw)
    if result.has_deal:
        assert evaluate(result.instance, result.deal).feasible
    return result


def one_issue(groups, utilities, bodies=(), members=(), sides=None, transfers=()):
    """Side H (home) with groups; side F autonomous; one issue with options a (status quo) and b."""
    tables = {
        "Sides": sides or [{"side": "H"}, {"side": "F"}],
        "Issues": [{"issue": "i"}],
        "Options": [{"issue": "i", "option": "a"}, {"issue": "i", "option": "b"}],
        "Groups": list(groups),
        "Utilities": list(utilities),
    }
    if bodies:
        tables["Bodies"] = list(bodies)
    if members:
        tables["Members"] = list(members)
    if transfers:
        tables["Transfers"] = list(transfers)
    return tables


def three_groups(supporters_of_b, weights=(1, 1, 1), **group_extra):
    """H prefers b (10) to a (5); groups g1..g3 like b (+1) if listed, else dislike it (-1)."""
    groups = [{"side": "H", "group": f"g{k}", "weight": w, **group_extra.get(f"g{k}", {})} for k, w in zip((1, 2, 3), weights)]
    utils = [{"holder": "H", "issue": "i", "option": "a", "value": 5}, {"holder": "H", "issue": "i", "option": "b", "value": 10}]
    utils += [{"holder": f"g{k}", "issue": "i", "option": "b", "value": 1 if f"g{k}" in supporters_of_b else -1}
              for k in (1, 2, 3)]
    return groups, utils


@pytest.mark.parametrize(
    "threshold, rule, expected",
    [(0.5, "more_than", "b"), (2 / 3, "at_least", "a"), (0.6, "at_least", "b"), (0.6, "more_than", "a")],
)
def test_simple_majority_versus_two_thirds(threshold, rule, expected):
    # three of five equal members support b: a simple majority, not two thirds
    groups = [{"side": "H", "group": f"g{k}"} for k in range(5)]
    utils = [{"holder": "H", "issue": "i", "option": "a", "value": 5}, {"holder": "H", "issue": "i", "option": "b", "value": 10}]
    utils += [{"holder": f"g{k}", "issue": "i", "option": "b", "value": 1 if k < 3 else -1} for k in range(5)]
    body = [{"side": "H", "body": "Senate", "threshold": threshold, "rule": rule}]
    r = solved(one_issue(groups, utils, body))
    assert r.status == "optimal"
    assert r.package == {"i": expected}
    assert r.objective_value == (10 if expected == "b" else 5)


def test_veto_player_blocks_the_package_a_majority_wants():
    groups, utils = three_groups({"g1", "g2"}, g3={"veto": True})
    r = solved(one_issue(groups, utils))
    assert r.package == {"i": "a"}
    groups, utils = three_groups({"g1", "g2"}, g1={"veto": True})
    assert solved(one_issue(groups, utils)).package == {"i": "b"}


@pytest.mark.parametrize("budget, expected_value", [(3, 8.0), (1, 5.0)])
def test_side_payment_buys_the_pivotal_group(budget, expected_value):
    # only g1 likes b; g2 is 2 short of its reservation under b: paying 2 makes a majority
    groups, utils = three_groups({"g1"})
    utils = [u for u in utils if u["holder"] not in ("g2", "g3")] + [
        {"holder": "g2", "issue": "i", "option": "b", "value": -2},
        {"holder": "g3", "issue": "i", "option": "b", "value": -5},
    ]
    sides = [{"side": "H", "budget": budget, "payment_cost": 1}, {"side": "F"}]
    r = solved(one_issue(groups, utils, sides=sides))
    assert r.objective_value == pytest.approx(expected_value, abs=1e-6)
    if budget == 3:
        assert r.package == {"i": "b"}
        assert r.to_dict()["payments"] == [{"from": "H", "to": "g2", "amount": 2.0}]
        assert r.to_dict()["groups"]["g2"]["supports"] is True


def test_linkage_passes_a_package_neither_issue_passes_alone():
    r = solved(small_tables())
    assert r.package == {"i1": "b", "i2": "b"}
    assert r.objective_value == 10
    votes = r.to_dict()["bodies"]["H"]
    assert votes["yes_count"] == 2 and votes["passed"]
    # each reform alone fails: forbid the joint package and the best is the status quo
    t = small_tables()
    t["Rules"] = [{"kind": "excludes", "issue_a": "i1", "option_a": "b", "issue_b": "i2", "option_b": "b"}]
    assert solved(t).package == {"i1": "a", "i2": "a"}


@pytest.mark.parametrize("weights", [(1, 1, 1, 1), (0.5, 1.5, 1, 1)])
@pytest.mark.parametrize("rule, passes", [("more_than", False), ("at_least", True)])
def test_strict_majority_at_exactly_half_the_weight(weights, rule, passes):
    # g1 and g2 (exactly half the weight) support b; g3, g4 oppose
    groups = [{"side": "H", "group": f"g{k}", "weight": w} for k, w in zip((1, 2, 3, 4), weights)]
    utils = [{"holder": "H", "issue": "i", "option": "b", "value": 10}, {"holder": "H", "issue": "i", "option": "a", "value": 5}]
    utils += [{"holder": f"g{k}", "issue": "i", "option": "b", "value": 1 if k <= 2 else -1} for k in (1, 2, 3, 4)]
    body = [{"side": "H", "body": "B", "threshold": 0.5, "rule": rule}]
    r = solved(one_issue(groups, utils, body))
    assert r.package == {"i": "b" if passes else "a"}


def test_blocking_minority_passes_a_body_that_misses_its_threshold():
    # five members, one supports b: weight condition fails, but only... 4 vote no
    groups = [{"side": "H", "group": f"g{k}"} for k in range(5)]
    utils = [{"holder": "H", "issue": "i", "option": "b", "value": 10}]
    utils += [{"holder": f"g{k}", "issue": "i", "option": "b", "value": 1 if k < 3 else -1} for k in range(5)]
    for block_min, expected in ((3, "b"), (2, "a")):
        body = [{"side": "H", "body": "Council", "threshold": 0.8, "rule": "at_least", "block_min": block_min}]
        assert solved(one_issue(groups, utils, body)).package == {"i": expected}, block_min


def test_count_threshold_is_needed_as_well_as_weight():
    groups = [{"side": "H", "group": "big", "weight": 10}, {"side": "H", "group": "s1"}, {"side": "H", "group": "s2"}]
    utils = [{"holder": "H", "issue": "i", "option": "b", "value": 10},
             {"holder": "big", "issue": "i", "option": "b", "value": 1}]
    utils += [{"holder": s, "issue": "i", "option": "b", "value": -1} for s in ("s1", "s2")]
    body = [{"side": "H", "body": "B", "threshold": 0.5, "count_threshold": 0.5}]
    assert solved(one_issue(groups, utils, body)).package == {"i": "a"}
    body[0]["count_threshold"] = 0.3
    assert solved(one_issue(groups, utils, body)).package == {"i": "b"}


def _split_case():
    """One issue; H gets 10 from b and F nothing, H may transfer up to 10 to F (reservations 0)."""
    sides = [{"side": "H", "reservation": 0}, {"side": "F", "reservation": 0}]
    utils = [{"holder": "H", "issue": "i", "option": "b", "value": 10}, {"holder": "F", "issue": "i", "option": "a", "value": -1}]
    return one_issue([], utils, sides=sides, transfers=[{"from_side": "H", "to": "F", "max_amount": 10}])


@pytest.mark.parametrize("objective, value, transfer", [("nash", 25.0, 5.0), ("maxmin", 5.0, 5.0), ("own", 10.0, 0.0)])
def test_transferable_utility_is_split_as_bargaining_theory_says(objective, value, transfer):
    r = solved(_split_case(), objective=objective, mip_gap=0)
    assert r.status == "optimal"
    assert r.package == {"i": "b"}
    assert r.objective_value == pytest.approx(value, rel=1e-6)
    assert r.deal.transfers[0] == pytest.approx(transfer, abs=1e-2)  # the product is flat at its top


def test_nash_picks_the_largest_product_not_the_largest_sum():
    sides = [{"side": "H"}, {"side": "F"}]
    options = {"a": (5, 1), "b": (3, 2), "c": (2, 2.5)}  # products 5, 6, 5; sums 6, 5, 4.5
    t = one_issue([], [], sides=sides)
    t["Options"] = [{"issue": "i", "option": o} for o in options]
    t["Utilities"] = [{"holder": s, "issue": "i", "option": o, "value": v[k]}
                      for o, v in options.items() for k, s in enumerate("HF")]
    assert solved(t, objective="nash").package == {"i": "b"}
    assert solved(t, objective="joint").package == {"i": "a"}
    assert solved(t, objective="maxmin").package == {"i": "c"}


def test_no_overlap_of_win_sets_is_no_agreement():
    groups, utils = three_groups(set())
    utils = [u if u["holder"] == "H" else {**u, "option": "a"} for u in utils] + [
        {"holder": "g1", "issue": "i", "option": "b", "value": -1}
    ]
    sides = [{"side": "H", "reservation": 7}, {"side": "F"}]  # H's Level I rejects a, its groups reject b
    r = solved(one_issue(groups, [u for u in utils if u["holder"] == "H"] + [
        {"holder": g, "issue": "i", "option": "b", "value": -1} for g in ("g1", "g2", "g3")], sides=sides))
    assert r.status == "no_agreement"
    assert r.to_dict()["package"] == {} and r.to_dict()["objective_value"] is None


def test_derived_instances_change_what_they_say():
    base = instance_from(small_tables())
    heavier = base.with_group("g3", weight=5)  # g3 now outweighs g1 and g2 together in the default body
    assert heavier.bodies[0].members[2].weight == 5 and base.bodies[0].members[2].weight == 1
    assert planner.solve(base).package == {"i1": "b", "i2": "b"}
    assert planner.solve(heavier).package == {"i1": "a", "i2": "a"}
    assert planner.solve(base.with_settings(home_side="F")).home == "F"


@pytest.mark.parametrize("method", ["mip", "bounding", "tree"])
def test_no_money_moves_that_the_objective_does_not_need(method):
    """Every payment and transfer of the reported Bonn deal is needed: without it, the deal fails or is worth less."""
    from .conftest import ROOT

    inst = planner.read_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")
    r = planner.solve(inst, options=planner.SolveOptions(method=method))
    deal = r.deal
    for group, amount in deal.payments.items():
        without = planner.Deal(deal.package, {**deal.payments, group: 0.0}, deal.transfers)
        ev = evaluate(inst, without)
        assert not ev.feasible or ev.negotiator_utility[inst.home] < r.objective_value - 1e-9, (group, amount)
    for k, amount in enumerate(deal.transfers):
        if amount > 0:
            moved = list(deal.transfers)
            moved[k] = 0.0
            ev = evaluate(inst, planner.Deal(deal.package, deal.payments, tuple(moved)))
            assert not ev.feasible or ev.negotiator_utility[inst.home] < r.objective_value - 1e-9, (k, amount)
