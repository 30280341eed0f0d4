"""The HiGHS model a BuiltModel solves is, at every solve, exactly a fresh export of its Pyomo model.

Changes reach HiGHS only through BuiltModel's methods (the persistent interface does not scan
the model for them), so every path that changes the model is run here with a check before
each HiGHS run: columns (bounds, costs, integrality), rows (bounds, coefficients) and the
objective's sense and offset, matched by name, against a new export of the same model.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from pyomo.contrib.solver.common.factory import SolverFactory

import planner
from planner.analysis.frontier import pareto_frontier
from planner.analysis.sweep import sweep
from planner.solving.highs import BuiltModel
from planner.solving.options import SolveOptions

from .conftest import ROOT


def picture(highs, solver) -> dict:
    """Every number of the HiGHS model, keyed by the Pyomo names of its columns and rows."""
    lp = highs.getLp()
    names = {col: solver._vars[key][0].name for key, col in solver._pyomo_var_to_solver_var_map.items()}
    rows = {row: con.name for con, row in solver._pyomo_con_to_solver_con_map.items()}
    out = {("sense",): int(lp.sense_), ("offset",): lp.offset_}
    for j, name in names.items():
        integral = int(lp.integrality_[j]) if len(lp.integrality_) else 0
        out.update({(name, "lower"): lp.col_lower_[j], (name, "upper"): lp.col_upper_[j],
                    (name, "cost"): lp.col_cost_[j], (name, "integral"): integral})
    for i, name in rows.items():
        out.update({(name, "lower"): lp.row_lower_[i], (name, "upper"): lp.row_upper_[i]})
    matrix = lp.a_matrix_
    colwise = matrix.format_.name == "kColwise"
    for outer in range(len(matrix.start_) - 1):
        for k in range(matrix.start_[outer], matrix.start_[outer + 1]):
            col, row = (outer, matrix.index_[k]) if colwise else (matrix.index_[k], outer)
            out[(rows[row], names[col])] = matrix.value_[k]
    return out


def fresh_picture(model) -> dict:
    """The picture of a new export of ``model``."""
    solver = SolverFactory("highs")
    solver.set_instance(model)
    return picture(solver._solver_model, solver)


@pytest.fixture
def checked(monkeypatch):
    """Check the mirror before every HiGHS run; the list counts the runs checked."""
    runs = []
    real = BuiltModel._run_highs

    def run_checked(self, settings):
        mirrored, fresh = picture(self.highs, self.solver), fresh_picture(self.model)
        assert mirrored.keys() == fresh.keys()
        differ = {k: (mirrored[k], fresh[k]) for k in fresh if not _same(mirrored[k], fresh[k])}
        assert not differ
        runs.append(1)
        return real(self, settings)

    monkeypatch.setattr(BuiltModel, "_run_highs", run_checked)
    return runs


def _same(a: float, b: float) -> bool:
    """Equal, or equal but for rounding."""
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@pytest.fixture(scope="module")
def bonn():
    return planner.read_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")


@pytest.mark.parametrize("objective", ["own", "joint", "maxmin", "kalai", "nash"])
@pytest.mark.parametrize("method", ["mip", "auto"])
def test_every_objective_and_method(bonn, checked, objective, method):
    result = planner.solve(bonn, objective=objective, options=SolveOptions(method=method))
    assert result.status == "optimal" and checked


@pytest.mark.parametrize("method", ["mip", "bounding", "tree"])
def test_top_k_with_no_good_cuts(bonn, checked, method):
    assert len(planner.solve_top(bonn, 3, options=SolveOptions(method=method))) == 3 and checked


def test_frontier(bonn, checked):
    assert pareto_frontier(bonn, max_points=3).points and checked


@pytest.mark.parametrize("name, values", [
    ("Sides[US].budget", [0.0, 0.7, 1.4, 2.0]),
    ("Sides[FRG].reservation", [7.5, 6.75, 3.0]),
    ("Transfers[US->jpn_tanaka_ohira].max_amount", [0.0, 0.5, 1.0]),
])
def test_sweeps_on_one_retargeted_model(bonn, checked, name, values):
    table = sweep(bonn, {name: values}, jobs=1, infer=False)
    assert len(table) == len(values) and checked


def test_retarget_then_run(bonn, checked):
    built = BuiltModel(bonn, "own", "US", SolveOptions(method="mip"))
    for budget in (2.0, 0.0, 1.0):
        built.retarget(bonn.with_side("US", budget=budget))
        assert built.run().has_solution
    assert len(checked) == 3


def test_a_limit_on_a_variable_no_row_uses_changes_the_model_only(bonn, checked):
    free = bonn.replace(transfers=tuple(dataclasses.replace(t, cost=0.0) for t in bonn.transfers))
    inst = free.with_side("JPN", reservation=None)  # the transfer to JPN then enters no row and no objective
    built = BuiltModel(inst, "own", "FRG", SolveOptions(method="mip"))
    assert id(built.model.t[0]) not in built.solver._pyomo_var_to_solver_var_map
    built.retarget(inst.replace(transfers=(dataclasses.replace(inst.transfers[0], max_amount=0.5),) + inst.transfers[1:]))
    assert built.model.t[0].ub == 0.5 and built.run().has_solution and checked


def test_options_of_one_run_do_not_outlive_it(bonn):
    built = BuiltModel(bonn, "own", "US", SolveOptions(method="mip"))
    before = {name: built.highs.getOptionValue(name)[1] for name in ("presolve", "mip_feasibility_tolerance")}
    built.run(presolve="off", mip_feasibility_tolerance=1e-9)
    assert {name: built.highs.getOptionValue(name)[1] for name in before} == before
