"""Diagnosing deadlock: every change found restores agreement and no smaller change of its kind does.

Checked by the brute-force oracle (``tests/oracle.py``) on random small instances with no
agreement, and on a hand-made case with a known answer.
"""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, assume, given, settings

from planner.analysis.diagnose import diagnose, relax
from planner.model import Group

from . import oracle
from .conftest import examples
from .strategies import body, instances, make

EXAMPLES = examples(15)
STEP = 1e-4
"""How much smaller a change is tried, to show it no longer restores agreement."""


def feasible(instance) -> bool:
    return oracle.best_deal(instance, objective="own").feasible


def least_softening_by_enumeration(instance, weights: str = "equal") -> float | None:
    """min over packages and supporter sets of the weighted reservation shortfalls (instances without money)."""
    voting = sorted({m.group for b in instance.bodies for m in b.members} | {g.id for g in instance.groups if g.veto})
    best = None
    for package in oracle._packages(instance):
        values = {g.id: oracle._holder_value(instance, g.id, package) for g in instance.groups}
        level_one = 0.0
        for s in instance.sides:
            if s.reservation is not None:
                level_one += max(0.0, s.reservation - oracle._negotiator_value(instance, s.id, package, values))
        free = {g for g in voting if values[g] >= instance.group(g).reservation - oracle.TOL}
        others = [g for g in voting if g not in free]
        for size in range(len(others) + 1):
            for chosen in itertools.combinations(others, size):
                if not oracle.all_ratify(instance, free | set(chosen)):
                    continue
                cost = level_one + sum((instance.group(g).weight if weights == "group" else 1.0)
                                       * (instance.group(g).reservation - values[g]) for g in chosen)
                best = cost if best is None else min(best, cost)
    return best


def _body(instance, body_id):
    return next(b for b in instance.bodies if b.id == body_id)


def check(instance, weights: str = "equal") -> None:
    d = diagnose(instance, weights=weights)
    assert not d.agreement
    for c in d.budgets:
        roomy = instance.with_side(c.target, budget=1e6)
        if c.needed is None:
            assert not feasible(roomy)
        else:
            assert c.needed > c.current
            assert feasible(instance.with_side(c.target, budget=c.needed))
            assert not feasible(instance.with_side(c.target, budget=c.needed - STEP))
    for c in d.thresholds:
        field = {"threshold": "threshold", "count_threshold": "count_threshold"}[c.kind]
        extra = {"rule": "at_least"} if field == "threshold" else {}
        if c.needed is None:
            gone = {"threshold": 0.0, "rule": "at_least"} if field == "threshold" else {"count_threshold": None}
            assert not feasible(instance.with_body(c.target, **gone))
        else:
            assert feasible(instance.with_body(c.target, **{field: c.needed}, **extra))
            weightless = field == "threshold" and not any(m.weight for m in _body(instance, c.target).members)
            if not weightless:  # a weightless body's weight condition ignores the threshold
                assert not feasible(instance.with_body(c.target, **{field: c.needed + STEP}, **extra))
    softened = instance
    for c in d.reservations:
        softened = (softened.with_side(c.target, reservation=c.needed) if c.target in instance.side_ids
                    else softened.with_group(c.target, reservation=c.needed))
    if d.reservation_total is not None:
        assert feasible(softened)
    if not instance.transfers and not any(s.budget > 0 for s in instance.sides):
        expected = least_softening_by_enumeration(instance, weights)
        assert (d.reservation_total is None) == (expected is None)
        if expected is not None:
            assert abs(d.reservation_total - expected) <= 1e-6 * max(1.0, expected)
    if d.blocking:
        assert feasible(relax(instance, list(d.blocking)))
        for k in range(len(d.blocking)):
            assert not feasible(relax(instance, list(d.blocking[:k] + d.blocking[k + 1:])))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(instances(objective="own"))
def test_every_diagnosis_restores_agreement_and_no_smaller_change_does(instance):
    assume(not feasible(instance))
    check(instance)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(instances(objective="own", money=False))
def test_softening_weighted_by_group_size_is_least_by_enumeration(instance):
    assume(not feasible(instance))
    check(instance, weights="group")


def test_a_two_member_senate_short_of_two_thirds():
    """Three senators value the treaty 3, 2 and 1 against reservations of 2; two-thirds needed, no money.

    Only two senators support, 2 of 3 < 0.7: the threshold must fall to 2/3, the third senator's
    reservation soften by 1, and the Senate's vote is the single requirement that blocks.
    """
    inst = make(
        sides=["US", "X"],
        issues={"treaty": ["sign", "not"]},
        groups=[Group("s1", "US", "s1", 1.0, 2.0), Group("s2", "US", "s2", 1.0, 2.0), Group("s3", "US", "s3", 1.0, 2.0)],
        utilities={"s1": {("treaty", "sign"): 3}, "s2": {("treaty", "sign"): 2}, "s3": {("treaty", "sign"): 1},
                   "US": {("treaty", "sign"): 1}, "X": {("treaty", "sign"): 1}},
        bodies=[body([("s1", 1), ("s2", 1), ("s3", 1)], 0.7, "at_least", side="US", id="senate")],
    )
    d = diagnose(inst)
    assert [(c.target, round(c.needed, 9)) for c in d.thresholds if c.needed is not None] == [("senate", round(2 / 3, 9))]
    assert [(c.target, c.needed) for c in d.reservations] == [("s3", 1.0)]
    assert [r.target for r in d.blocking] == ["senate"]
    check(inst)


def test_the_diagnose_command_writes_a_sheet_and_json(tmp_path, cli):
    from openpyxl import load_workbook

    from .conftest import ROOT

    src = ROOT / "spreadsheets" / "bonn1978.xlsx"
    out = tmp_path / "d.xlsx"
    proc = cli("diagnose", src, "--set", "Bodies[frg_bundestag].threshold=0.9", "--output", out, "--json", tmp_path / "d.json")
    assert proc.returncode == 0, proc.stderr
    assert "frg_bundestag" in proc.stdout
    data = json.loads((tmp_path / "d.json").read_text())
    assert data["agreement"] is False and data["blocking"] and data["sentences"]
    ws = load_workbook(out)["Diagnosis"]
    assert [c.value for c in ws[1]][:3] == ["kind", "target", "current"] and ws.max_row > 3
