"""The brute-force oracle itself, on tiny instances whose answers are worked out by hand.

Each test says in its docstring how the expected answer follows from workbook.md.
"""

from __future__ import annotations

import pytest

from planner.model import Group, Issue, Link, Option, Rule, Side, Transfer

from .oracle import OracleAnswer, best_deal, body_passes
from .strategies import body, make


# -- bodies ------------------------------------------------------------------------------
def test_oracle_more_than_half_is_not_met_by_exactly_half():
    """Two groups of weight 1 split on every package: 1 of 2 is not *more than* half, so
    the default body never passes and there is no agreement; with ``at_least`` it passes."""
    groups = [Group("g1", "A", "g1"), Group("g2", "A", "g2")]
    utilities = {
        "A": {("i", "x"): 3, ("i", "y"): 5},
        "g1": {("i", "x"): 1, ("i", "y"): -1},
        "g2": {("i", "x"): -1, ("i", "y"): 1},
    }
    strict = make(["A", "Z"], {"i": ["x", "y"]}, groups, utilities)
    assert best_deal(strict) == OracleAnswer(None, None, False)
    lenient = make(
        ["A", "Z"], {"i": ["x", "y"]}, groups, utilities, bodies=[body([("g1", 1), ("g2", 1)], rule="at_least")]
    )
    answer = best_deal(lenient)
    assert answer.value == 5 and answer.package == {"i": "y"}


def test_oracle_thresholds_are_the_rationals_typed():
    """0.6 of 5 equal votes is exactly 3: ``more_than`` fails, ``at_least`` passes;
    2/3 of 3 votes is exactly 2 likewise (no float rounding lets 3 votes exceed 0.6 x 5)."""
    five = body([(f"g{k}", 1) for k in range(5)], threshold=0.6)
    yes3 = {"g0", "g1", "g2"}
    assert not body_passes(five, yes3)
    assert body_passes(body([(f"g{k}", 1) for k in range(5)], threshold=0.6, rule="at_least"), yes3)
    assert body_passes(five, yes3 | {"g3"})
    three = body([("a", 1), ("b", 1), ("c", 1)], threshold=2 / 3)
    assert not body_passes(three, {"a", "b"})
    assert body_passes(body([("a", 1), ("b", 1), ("c", 1)], threshold=2 / 3, rule="at_least"), {"a", "b"})


def test_oracle_count_threshold_and_block_min():
    """Weights 5,1,1: {big} has 5/7 > 0.5 but 1 of 3 members < 0.5 x 3, so the count fails;
    {big, s1} has both. block_min 2: passes whenever fewer than 2 vote no, so {s1, s2}
    (weight 2/7) passes though it fails the weight condition; {s1} alone does not."""
    b = body([("big", 5), ("s1", 1), ("s2", 1)], count_threshold=0.5)
    assert not body_passes(b, {"big"})
    assert body_passes(b, {"big", "s1"})
    blocking = body([("big", 5), ("s1", 1), ("s2", 1)], threshold=0.5, block_min=2)
    assert body_passes(blocking, {"s1", "s2"})
    assert not body_passes(blocking, {"s1"})
    assert body_passes(blocking, {"big"})  # 5/7 > 1/2


def test_oracle_zero_total_weight_body():
    """Total weight 0: ``more_than`` needs Y > 0 and never passes; ``at_least`` always does."""
    assert not body_passes(body([("a", 0), ("b", 0)]), {"a", "b"})
    assert body_passes(body([("a", 0), ("b", 0)], rule="at_least"), set())


def test_oracle_veto_player_blocks_a_majority():
    """g1 (weight 3) wants x, the veto group g2 (weight 1) wants y. x: 3/4 passes the body but
    g2 vetoes; y: g2 supports but 1/4 fails. With a second issue, (x, b) gives g2 -1+2 >= 0
    and g1 2+0 >= 0: both support, and A's utility there is 4+1 = 5."""
    groups = [Group("g1", "A", "g1", weight=3), Group("g2", "A", "g2", weight=1, veto=True)]
    utilities = {
        "A": {("i", "x"): 4, ("i", "y"): 10, ("j", "a"): 2, ("j", "b"): 1},
        "g1": {("i", "x"): 2, ("i", "y"): -1, ("j", "b"): 0, ("j", "a"): 0},
        "g2": {("i", "x"): -1, ("i", "y"): 1, ("j", "a"): -1, ("j", "b"): 2},
    }
    one_issue = make(
        ["A", "Z"],
        {"i": ["x", "y"]},
        groups,
        {h: {k: v for k, v in u.items() if k[0] == "i"} for h, u in utilities.items()},
    )
    assert best_deal(one_issue).value is None
    two_issues = make(["A", "Z"], {"i": ["x", "y"], "j": ["a", "b"]}, groups, utilities)
    answer = best_deal(two_issues)
    # (y, a): g1 -1 < 0 and weight 1/4 fails; (y, b): g1 -1, fails; (x, a): g2 -2 vetoes.
    assert answer.value == 5 and answer.package == {"i": "x", "j": "b"}


# -- side payments -----------------------------------------------------------------------
def _pivotal(budget=5.0, cap_g2=None, payment_cost=1.0):
    """A: weights g1 2, g2 1, g3 1 (need > 2 of 4). Package x: only g1 supports; g2 lacks 3
    (efficiency 1: costs 3), g3 lacks 2 (efficiency 0.5: costs 4). Package y: everybody
    supports, A gets 1. A gets 10 from x."""
    groups = [
        Group("g1", "A", "g1", weight=2),
        Group("g2", "A", "g2", weight=1, payment_cap=cap_g2),
        Group("g3", "A", "g3", weight=1, payment_efficiency=0.5),
    ]
    utilities = {
        "A": {("i", "x"): 10, ("i", "y"): 1},
        "g1": {("i", "x"): 1},
        "g2": {("i", "x"): -3},
        "g3": {("i", "x"): -2},
    }
    return make([Side("A", "A", budget=budget, payment_cost=payment_cost), "Z"], {"i": ["x", "y"]}, groups, utilities)


def test_oracle_side_payment_buys_the_cheapest_pivotal_group():
    answer = best_deal(_pivotal())
    assert answer.package == {"i": "x"}
    assert answer.value == pytest.approx(10 - 3)
    assert answer.payments["g2"] == pytest.approx(3) and answer.payments.get("g3", 0) == pytest.approx(0)


def test_oracle_side_payment_cap_forces_the_dearer_group():
    """g2 may receive at most 2 (< 3), so A buys g3 for 4: 10 - 4 = 6."""
    answer = best_deal(_pivotal(cap_g2=2.0))
    assert answer.value == pytest.approx(6) and answer.package == {"i": "x"}


def test_oracle_side_payment_budget_too_small():
    """Budget 3.5 with g2 capped at 2: nobody can be bought, so y (value 1) is best."""
    answer = best_deal(_pivotal(budget=3.5, cap_g2=2.0))
    assert answer.value == pytest.approx(1) and answer.package == {"i": "y"}


def test_oracle_payment_cost_scales_the_negotiators_loss():
    """payment_cost 2: buying g2 costs A 6, so x gives 4 (> 1 from y)."""
    assert best_deal(_pivotal(payment_cost=2.0)).value == pytest.approx(4)


def test_oracle_joint_objective_counts_payments_once():
    """joint = U[A] + U[Z]; Z has no rows and no groups, so U[Z] = 0. Same as own here."""
    inst = _pivotal().with_settings(objective="joint")
    assert best_deal(inst).value == pytest.approx(7)


# -- transfers, Level I, weighted averages, objectives --------------------------------------
def test_oracle_transfer_to_a_foreign_group_and_level_one():
    """B's only group h dislikes x by 2; A may transfer up to 3 to h (cost 1.5, value 1), so
    A transfers 2 (costing it 3) for h's support: U[A] = 10 - 3 = 7 under x, against 2
    under y. B has no rows, so U[B] is h's package utility before money: -2 under x, 0
    under y; a reservation of 1 for B then rules out both packages."""
    base = make(
        ["A", "B"],
        {"i": ["x", "y"]},
        [Group("h", "B", "h")],
        {"A": {("i", "x"): 10, ("i", "y"): 2}, "h": {("i", "x"): -2}},
        transfers=[Transfer("A", "h", 3.0, cost=1.5, value=1.0)],
    )
    answer = best_deal(base)
    assert answer.package == {"i": "x"} and answer.value == pytest.approx(7)
    assert answer.transfers == pytest.approx((2.0,))
    strict = base.with_side("B", reservation=1.0)
    assert best_deal(strict).value is None
    # A transfer of up to 2 to B's negotiator: y gives U[B] = 0 + 2 >= 1 with A paying 1
    # (U[A] = 2 - 1 = 1); x needs h bought (3) and U[B] = -2 + 2 = 0 < 1: impossible.
    helped = strict.replace(transfers=strict.transfers + (Transfer("A", "B", 2.0),))
    answer = best_deal(helped)
    assert answer.package == {"i": "y"} and answer.value == pytest.approx(1)


def test_oracle_weighted_average_negotiator_with_links():
    """B has no Utilities rows: U[B] = (1*g + 3*h)/4 of their package utilities (Links
    included) plus B's own Links. Package (x, a): g = 2 + 1 (link) = 3, h = 1: U[B] = 6/4,
    plus B's link on (x, a) of 0.5: 2.0. joint with A = 1: 3.0."""
    inst = make(
        ["A", "B"],
        {"i": ["x"], "j": ["a"]},
        [Group("g", "B", "g", weight=1, reservation=-10), Group("h", "B", "h", weight=3, reservation=-10)],
        {"A": {("i", "x"): 1}, "g": {("i", "x"): 2}, "h": {("j", "a"): 1}},
        objective="joint",
        links=[Link("g", "i", "x", "j", "a", 1.0), Link("B", "i", "x", "j", "a", 0.5)],
    )
    assert best_deal(inst).value == pytest.approx(3.0)
    assert best_deal(inst, objective="own", home="B").value == pytest.approx(2.0)


def test_oracle_zero_weights_average_to_zero():
    inst = make(
        ["A", "B"],
        {"i": ["x"]},
        [Group("g", "B", "g", weight=0, reservation=-10)],
        {"g": {("i", "x"): 7}},
        bodies=[body([("g", 1)], side="B")],
    )
    assert best_deal(inst, home="B").value == 0


def test_oracle_rules():
    """requires x->b and excludes y/a leave (x, b) and (y, b); A's best is (y, b) = 3."""
    inst = make(
        ["A", "Z"],
        {"i": ["x", "y"], "j": ["a", "b"]},
        utilities={"A": {("i", "x"): 5, ("j", "a"): 5, ("i", "y"): 3}},
        rules=[Rule("requires", "i", "x", "j", "b"), Rule("excludes", "i", "y", "j", "a")],
    )
    answer = best_deal(inst)
    assert answer.value == 5 and answer.package == {"i": "x", "j": "b"}
    both = inst.replace(rules=inst.rules + (Rule("excludes", "i", "x", "j", "b"), Rule("requires", "i", "y", "j", "a")))
    assert best_deal(both).value is None


def test_oracle_maxmin_and_nash():
    """Packages give (U[A], U[B]) = (4, 1), (2, 3), (6, 0); reservations A 1, B blank (0).
    Gains (3, 1), (1, 3), (5, 0): maxmin 1 (tie), nash max(3, 3, -) = 3 with (6, 0)
    excluded since B gains nothing; joint 6."""
    inst = make(
        [Side("A", "A", reservation=1.0), "B"],
        {"i": ["p", "q", "r"]},
        utilities={
            "A": {("i", "p"): 4, ("i", "q"): 2, ("i", "r"): 6},
            "B": {("i", "p"): 1, ("i", "q"): 3, ("i", "r"): 0},
        },
    )
    assert best_deal(inst, "maxmin").value == 1
    assert best_deal(inst, "nash").value == 3
    assert best_deal(inst, "joint").value == 6
    assert best_deal(inst, "own").value == 6
    only_r = inst.replace(issues=(Issue("i", "i", (Option("r", "r"),)),))
    answer = best_deal(only_r, "nash")
    assert answer.value is None and answer.feasible


def test_oracle_maxmin_uses_transfers_to_balance():
    """U = (10, 0) under x; A may give B up to 8 at cost 1, value 1: maxmin balances at 5."""
    inst = make(
        ["A", "B"],
        {"i": ["x"]},
        utilities={"A": {("i", "x"): 10}, "B": {("i", "x"): 0}},
        transfers=[Transfer("A", "B", 8.0)],
    )
    assert best_deal(inst, "maxmin").value == pytest.approx(5)
    assert best_deal(inst, "own").value == pytest.approx(10)
    with pytest.raises(ValueError):
        best_deal(inst, "nash")
