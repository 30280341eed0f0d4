"""Why there is no agreement: the condition named is the one that blocks (checked against the oracle), and
``planner solve`` and its results workbook say it, with the numbers."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings

from planner.analysis.deadlock import explain
from planner.model import Instance

from .conftest import ROOT, examples, instance_from
from .oracle import best_deal
from .strategies import instances

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def _without_reservations(instance: Instance) -> Instance:
    return instance.replace(sides=tuple(dataclasses.replace(s, reservation=None) for s in instance.sides))


def _rich(instance: Instance) -> Instance:
    """No payment caps, and budgets no payment could exhaust."""
    groups = tuple(dataclasses.replace(g, payment_cap=None) for g in instance.groups)
    sides = tuple(dataclasses.replace(s, budget=1e4) for s in instance.sides)
    return instance.replace(groups=groups, sides=sides)


def _feasible(instance: Instance) -> bool:
    return best_deal(instance, "own").feasible


@settings(max_examples=examples(40), **SETTINGS)
@given(instance=instances(objective="own"))
def test_the_condition_named_is_the_first_whose_relaxation_restores_agreement(instance):
    assume(len(instance.groups) <= 6)  # with unlimited money every group is buyable: the oracle tries every purchase
    assume(not _feasible(instance))
    why = explain(instance)
    free = _without_reservations(instance)
    reserved = [s for s in instance.sides if s.reservation is not None]
    assert why.blocks in ("level_one", "budgets", "rules", "win_sets")
    assert (why.blocks == "level_one") == (bool(reserved) and _feasible(free))
    if why.blocks == "level_one":
        for s in reserved:
            best = best_deal(free, "own", s.id).value
            assert why.best[s.id]["utility"] == pytest.approx(best, rel=1e-6, abs=1e-5)
            assert why.best[s.id]["reservation"] == s.reservation
        assert any(why.best[s.id]["utility"] < s.reservation for s in reserved) or "not all of them" in why.sentences[-2]
        return
    rich = _rich(free)
    assert (why.blocks == "budgets") == _feasible(rich)
    if why.blocks == "budgets":
        return
    assert (why.blocks == "rules") == (bool(instance.rules) and _feasible(rich.replace(rules=())))
    assert why.sentences[-1].startswith("planner diagnose")


def _two_sides(group: dict, *, budget: float = 0.0, rules: list | None = None, reservation: float | None = None) -> dict:
    """H (one group g, its body) against F (autonomous); H's negotiator values option b."""
    return {
        "Sides": [{"side": "H", "budget": budget, "reservation": reservation}, {"side": "F"}],
        "Issues": [{"issue": "i"}, {"issue": "j"}],
        "Options": [{"issue": i, "option": o} for i in ("i", "j") for o in ("a", "b")],
        "Groups": [{"side": "H", "group": "g", **group}],
        "Utilities": [{"holder": "H", "issue": "i", "option": "b", "value": 2},
                      {"holder": "g", "issue": "i", "option": "b", "value": 1}],
        "Rules": rules or [],
    }


@pytest.mark.parametrize("case, blocks, words", [
    (_two_sides({"reservation": 1}, reservation=3), "level_one", "reaches at most 2"),
    (_two_sides({"reservation": 3, "payment_cap": 1}, budget=5), "budgets", "payment caps block"),
    (_two_sides({"reservation": 1, "payment_efficiency": 0}, rules=[{"kind": "requires", "issue_a": "i", "option_a": "b",
                                            "issue_b": "j", "option_b": "b"},
                                           {"kind": "excludes", "issue_a": "i", "option_a": "b",
                                            "issue_b": "j", "option_b": "b"}]), "rules", "Rules forbid"),
    (_two_sides({"reservation": 5, "payment_efficiency": 0}), "win_sets", "do not overlap"),
])
def test_each_condition_is_named_with_its_numbers(case, blocks, words):
    why = explain(instance_from(case))
    assert why.blocks == blocks and words in " ".join(why.sentences)
    assert why.winsets["joint"] == (1 if blocks == "level_one" else 0) * 2  # (b, a) and (b, b) pass when g supports


def test_the_tutorial_red_line_names_the_level_one_reservation(tmp_path, cli):
    """The joint win-set holds 2 packages; the UK negotiator reaches 5.5 there, below its red line of 6."""
    book = openpyxl.load_workbook(ROOT / "spreadsheets" / "cases" / "brexit2019.xlsx")
    sides = book["Sides"]
    header = [c.value for c in sides[1]]
    for row in sides.iter_rows(min_row=2):
        if row[header.index("side")].value == "UK":
            row[header.index("reservation")].value = 6
    path = tmp_path / "red-line.xlsx"
    book.save(path)
    out, data = tmp_path / "red-line-results.xlsx", tmp_path / "result.json"
    proc = cli("solve", path, "--output", out, "--json", data)
    assert proc.returncode == 0, proc.stderr
    assert "do not overlap" not in proc.stdout
    assert "Level-I reservations block" in proc.stdout and "joint win-set 2" in proc.stdout
    assert "reaches at most 5.5 there, below its reservation 6" in proc.stdout
    assert f"planner diagnose {path}" in proc.stdout
    why = json.loads(data.read_text())["no_agreement"]
    assert why["blocks"] == "level_one" and why["winsets"] == {"UK": 6, "EU": 36, "joint": 2}
    assert why["best_within_win_sets"]["UK"] == {"utility": 5.5, "reservation": 6.0}
    rows = [r for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)]
    assert ("blocks", "level_one") in [r[:2] for r in rows]
    assert any(r[0] == "why" and "reaches at most 5.5" in r[2] for r in rows)
    assert ("UK", "United Kingdom (May government)", 6, 5.5, 6, -0.5) in [r[:6] for r in rows]
    assert ("joint", "every side", 2) in [r[:3] for r in rows]


def test_nash_without_a_deal_that_gains_for_everyone_says_so():
    """The trade partner reaches exactly its reservation of 2.5: deals are feasible, but the Nash product counts
    only deals where every negotiator gains more than its reservation."""
    import planner

    instance = planner.read_workbook(ROOT / "spreadsheets" / "cases" / "eu_council_trade.xlsx")
    assert planner.solve(instance, objective="nash").status == "no_agreement"
    assert best_deal(instance, "own").feasible
    why = explain(instance, objective="nash")
    assert why.blocks == "gains" and why.best["CAN"] == {"utility": 2.5, "reservation": 2.5}
    assert "reaches at most 2.5, its reservation being 2.5" in " ".join(why.sentences)
