"""The solver safeguards: presolve-off re-check before no_agreement, and exact re-pricing of deals."""

from __future__ import annotations

import pytest
from pyomo.contrib.solver.common.results import TerminationCondition as TC

import planner
from planner.evaluate import Deal, evaluate
from planner.solving.highs import BuiltModel, Run
from planner.solving.options import SolveOptions

from .conftest import instance_from, small_tables
from .test_known_cases import one_issue, three_groups


def test_an_infeasible_answer_is_rechecked_with_presolve_off(monkeypatch):
    calls = []
    real = BuiltModel._solve

    def presolve_says_infeasible(self, highs_options):
        calls.append(dict(highs_options))
        run = real(self, highs_options)  # the real solve happens either way
        if highs_options.get("presolve") != "off":
            return Run(TC.provenInfeasible, False, None, None, None)
        return run

    monkeypatch.setattr(BuiltModel, "_solve", presolve_says_infeasible)
    result = planner.solve(instance_from(small_tables()), options=planner.SolveOptions(method="mip"))  # one MIP solve
    assert [c.get("presolve") for c in calls] == [None, "off"]
    assert result.status == "optimal" and result.package == {"i1": "b", "i2": "b"}
    assert any("presolve off" in n for n in result.notes)


def _payment_case():
    groups, utils = three_groups({"g1"})
    utils = [u for u in utils if u["holder"] not in ("g2", "g3")] + [
        {"holder": "g2", "issue": "i", "option": "b", "value": -2},
        {"holder": "g3", "issue": "i", "option": "b", "value": -5},
    ]
    return instance_from(one_issue(groups, utils, sides=[{"side": "H", "budget": 3}, {"side": "F"}]))


def test_a_deal_short_of_a_reservation_is_priced_again_exactly():
    inst = _payment_case()
    short = Deal({"i": "b"}, {"g2": 2 - 1e-4})
    assert not evaluate(inst, short).feasible  # g2 is 1e-4 short: the Senate fails
    built = BuiltModel(inst, "own", "H", SolveOptions())
    fixed = built.repriced(short)
    assert fixed.package == {"i": "b"}
    assert fixed.payments["g2"] == pytest.approx(2.0, abs=1e-9)
    assert evaluate(inst, fixed).feasible
    assert all((x.lb, x.ub) == (0, 1) and not x.fixed for x in built.model.x.values())


def test_a_solution_that_does_not_match_its_objective_is_solved_again():
    """After the support cuts' LP relaxations, HiGHS 1.16 returned the right value (13) with a
    solution worth 11; the answer must be the optimum, found again from a cleared solver."""
    from planner.model import Body, Group, Instance, Issue, Link, Member, Option, Settings, Side

    def issue(k: int, n: int) -> Issue:
        return Issue(f"i{k}", f"issue {k}", tuple(Option(f"o{j}", f"option {j}") for j in range(1, n + 1)))

    utilities = {
        "S2g1": {("i1", "o2"): 6.5, ("i2", "o2"): -1.5, ("i3", "o2"): -4.0, ("i4", "o1"): 7.0},
        "S2g2": {("i1", "o1"): -5.0, ("i1", "o2"): 2.0, ("i1", "o3"): -2.0, ("i2", "o1"): 7.0, ("i2", "o3"): -5.0,
                 ("i3", "o1"): 10.0, ("i3", "o3"): 2.0, ("i4", "o1"): -2.0},
        "S1": {("i1", "o1"): -5.0, ("i1", "o2"): 2.0, ("i1", "o3"): -2.0, ("i2", "o3"): -5.0, ("i3", "o1"): 10.0,
               ("i3", "o3"): 2.0, ("i4", "o1"): -2.0},
        "S2": {("i1", "o1"): -5.0, ("i2", "o1"): -2.0, ("i2", "o3"): 5.0, ("i3", "o2"): -1.0, ("i3", "o3"): 7.0,
               ("i4", "o1"): 5.0, ("i4", "o2"): 6.0},
    }
    groups = tuple(Group(g, "S2", g, 1.0, r, False, 0.0, 1.5) for g, r in (("S2g1", 2.5), ("S2g2", 3.5)))
    inst = Instance(
        sides=(Side("S1", "side S1", -0.5, 0.0), Side("S2", "side S2", None, 0.0)),
        issues=(issue(1, 3), issue(2, 3), issue(3, 3), issue(4, 2)), groups=groups,
        bodies=(Body("S2", "S2", (Member("S2g1", 1.0), Member("S2g2", 1.0)), 0.5, "more_than", default=True),),
        utilities=utilities, settings=Settings("S2", "own", 30, 0.0, "t"),
        links=(Link("S2g1", "i2", "o3", "i4", "o1", 5.0),))
    result = planner.solve(inst, options=planner.SolveOptions(method="cuts"))
    assert result.status == "optimal" and result.objective_value == 13.0
    assert result.package == {"i1": "o2", "i2": "o2", "i3": "o3", "i4": "o2"}
