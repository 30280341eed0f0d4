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
    result = planner.solve(instance_from(small_tables()))
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
