"""The HiGHS wrapper: a built model and the HiGHS model that mirrors it.

This module is the only one that reaches into Pyomo's persistent HiGHS interface beyond
its public calls (the HiGHS object, the column of each variable, the helpers that push a
changed parameter): everything else changes the model and runs HiGHS through
:class:`BuiltModel`. Two safeguards from experience with HiGHS live here: an
"infeasible" or error answer is re-checked with HiGHS's presolve off (:meth:`BuiltModel.run`),
and a deal that holds only within the solver's tolerances can be priced again with tight
tolerances (:meth:`BuiltModel.repriced`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition as TC

from .. import deadline
from ..errors import SolverRefused
from ..evaluate import Deal, Evaluation, evaluate
from ..formulation.coefficients import max_payment
from ..formulation.rows import build_model
from ..model import Instance
from ..result import AMOUNT_EPSILON
from . import bounding
from .options import SolveOptions

_INFEASIBLE = {TC.provenInfeasible, TC.locallyInfeasible, TC.infeasibleOrUnbounded}
TIGHT = {"mip_feasibility_tolerance": 1e-9, "primal_feasibility_tolerance": 1e-9}
"""HiGHS's tolerances for a solve that must not lean on the default 1e-6."""
_STATUS = highspy.HighsModelStatus
_TERMINATION = {
    _STATUS.kOptimal: TC.convergenceCriteriaSatisfied, _STATUS.kInfeasible: TC.provenInfeasible,
    _STATUS.kUnboundedOrInfeasible: TC.infeasibleOrUnbounded, _STATUS.kUnbounded: TC.unbounded,
    _STATUS.kObjectiveBound: TC.objectiveLimit, _STATUS.kObjectiveTarget: TC.objectiveLimit,
    _STATUS.kTimeLimit: TC.maxTimeLimit, _STATUS.kIterationLimit: TC.iterationLimit,
    _STATUS.kSolutionLimit: TC.iterationLimit,
    **dict.fromkeys((_STATUS.kLoadError, _STATUS.kModelError, _STATUS.kPresolveError, _STATUS.kSolveError,
                     _STATUS.kPostsolveError), TC.error),
}
"""HiGHS's model status as a termination condition, as Pyomo's HiGHS interface maps it; any other is unknown."""
_FEASIBLE = 2
"""HiGHS's ``primal_solution_status`` when it holds a feasible solution."""


@dataclass
class Run:
    """One HiGHS run: how it ended, and what it found."""

    termination: object
    has_solution: bool
    bound: float | None
    incumbent: float | None
    gap: float | None

    @property
    def infeasible(self) -> bool:
        """HiGHS proved that no solution exists (or could not tell infeasible from unbounded)."""
        return self.termination in _INFEASIBLE

    @property
    def converged(self) -> bool:
        """HiGHS ended by its own criteria (optimal within the gap), not a limit."""
        return self.termination == TC.convergenceCriteriaSatisfied

    @property
    def status(self) -> str:
        """The result format's status for a single solve."""
        if self.converged and self.has_solution:
            return "optimal"
        if self.infeasible:
            return "no_agreement"
        return "feasible" if self.has_solution else "unknown"

    @property
    def relative_gap(self) -> float | None:
        """HiGHS's relative gap, or None when it has none to give (infinite)."""
        return max(0.0, self.gap) if self.gap is not None and math.isfinite(self.gap) else None


class BuiltModel:
    """A built model and the HiGHS model that mirrors it, for one instance and objective.

    Pyomo's persistent HiGHS interface exports the model once, as part of building it, and
    translates each later change of rows, objective and parameters. Every change goes
    through a method here that hands it to HiGHS at once (:meth:`set_params`,
    :meth:`set_bounds`, :meth:`add_rows`, :meth:`drop_row`, :meth:`use_objective`), so the
    model is never scanned for changes; variable bounds go to HiGHS's columns directly.
    Changes made to :attr:`model` in any other way after it is built do not reach HiGHS.
    Solves run HiGHS directly and copy its solution into the model's variables: a re-solve
    costs little beyond HiGHS's own time.
    """

    def __init__(self, instance: Instance, objective: str, home: str, options: SolveOptions,
                 ideal: dict[str, float] | None = None):
        self.instance, self.objective, self.home, self.options, self.ideal = instance, objective, home, options, ideal
        t0 = time.perf_counter()
        with deadline.until(options.deadline):
            self.model = build_model(instance, objective, home, options.formulation, ideal)
        self.time_limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
        self.mip_gap = options.mip_gap if options.mip_gap is not None else instance.settings.mip_gap
        self.solver = SolverFactory("highs")
        handover = time.perf_counter()
        with deadline.until(options.deadline):  # Pyomo's hand-over cannot be interrupted (nor run aside: it redirects
            deadline.ahead(handover - t0, "hand the model to HiGHS")  # the process's output), and takes about as long as building
        self.complete = _load(self.solver, self.model)
        """HiGHS holds every row of the model; when not, nothing may be solved (:class:`~planner.errors.SolverRefused`)."""
        self.handover_seconds = time.perf_counter() - handover
        _configure(self.highs, options.log, {"mip_rel_gap": self.mip_gap, "threads": options.threads,
                                             "random_seed": options.random_seed})
        self.build_seconds = time.perf_counter() - t0
        self._limits = _limits(self.model)
        self.notes: list[str] = []
        self.started = time.perf_counter()
        self.excluded: set[tuple[str, ...]] = set()
        self._ranking = None
        self.start: Deal | None = None
        self.bound: float | None = None  # HiGHS's bound on the objective after the last MIP solve
        self.goal = self.model.obj  # the objective the answer optimises (tidying holds it; see set_goal)
        self.active_objective = self.model.obj

    @property
    def highs(self) -> highspy.Highs:
        """The HiGHS model that mirrors :attr:`model`."""
        return self.solver._solver_model

    # -- changing the model (each change reaches HiGHS at once) ---------------------------
    def set_params(self, values: list[tuple[object, object, float]]) -> None:
        """Give mutable parameters ``(param, row, value)`` their values, in the model and in HiGHS.

        ``row`` is the constraint that holds the parameter; when the value changes, HiGHS gets
        that row's bounds and coefficients anew.
        """
        helpers = self.solver._mutable_helpers
        for param, row, value in values:
            if param.value != value:
                param.set_value(value)
                for helper in helpers[row]:
                    helper.update()

    def set_bounds(self, bounds: list[tuple[object, float, float]]) -> None:
        """Give variables ``(var, lower, upper)`` bounds, in the model and in HiGHS's columns.

        A variable no row or objective uses is no column of HiGHS; it changes in the model only.
        """
        columns = self.solver._pyomo_var_to_solver_var_map
        sent = []
        for var, lower, upper in bounds:
            var.setlb(lower)
            var.setub(upper)
            if id(var) in columns:
                sent.append((columns[id(var)], lower, upper))
        if sent:
            cols, lowers, uppers = zip(*sent)
            self.highs.changeColsBounds(len(sent), np.array(cols, dtype=np.int32), np.array(lowers, dtype=float),
                                        np.array(uppers, dtype=float))

    def add_rows(self, rows: list) -> None:
        """Hand HiGHS constraints just added to the model."""
        self.solver.add_constraints(rows)

    def drop_row(self, row) -> None:
        """Remove a (scalar) constraint from HiGHS and delete it from the model."""
        self.solver.remove_constraints([row])
        self.model.del_component(row)

    def use_objective(self, objective) -> None:
        """Make ``objective`` the model's only active objective, in the model and in HiGHS."""
        for other in list(self.model.component_data_objects(pyo.Objective, active=True)):
            other.deactivate()
        objective.activate()
        self.solver.set_objective(objective)
        self.active_objective = objective

    def set_goal(self, objective) -> None:
        """Make ``objective`` the one the answer optimises (in place of ``m.obj``), and active."""
        self.goal = objective
        self.use_objective(objective)

    def retarget(self, instance: Instance) -> None:
        """Point the model at an instance that differs only in limits it holds as bounds or parameters.

        Budgets :math:`B_s` and Level-I reservations :math:`R_s` are mutable parameters;
        payment caps and transfer limits are variable bounds. The built instance must allow
        at least as much as ``instance`` (budgets, caps and limits no smaller; the same
        sides with a reservation), so that its big-M constants and presolve stay valid.
        """
        budgets, reservations, payments, transfers = self._limits
        self.set_params([(param, row, instance.side(s).budget) for s, param, row in budgets]
                        + [(param, row, instance.side(s).reservation) for s, param, row in reservations])
        self.set_bounds([(var, 0, max_payment(instance, g)) for g, var in payments]
                        + [(var, 0, instance.transfers[k].max_amount) for k, var in transfers])
        self.instance = instance
        self._ranking = None
        self.reset_clock()

    def package_key(self, package) -> tuple[str, ...]:
        return tuple(package[i.id] for i in self.instance.issues)

    def exclude(self, package) -> None:
        """Forbid a package from now on: a no-good cut :math:`\\sum_{(i,o) \\in x} x_{io} \\le |I| - 1`."""
        m = self.model
        self.excluded.add(self.package_key(package))
        if not hasattr(m, "no_good"):
            m.no_good = pyo.ConstraintList()
        cut = sum(m.x[i.id, package[i.id]] for i in self.instance.issues) <= len(self.instance.issues) - 1
        self.add_rows([m.no_good.add(cut)])

    def ranking(self):
        """Packages and their bounds, best first (:func:`planner.solving.bounding.ranked`), computed once."""
        if self._ranking is None:
            self._ranking = bounding.ranked(self.instance, self.objective, self.home)
        return self._ranking

    def reset_clock(self) -> None:
        """Start the time limit afresh (for a series of separate solves on one model)."""
        self.started = time.perf_counter()

    def time_left(self) -> float:
        """Seconds left of the time limit and the deadline (negative once passed)."""
        now = time.perf_counter()
        left = self.time_limit - (now - self.started)
        if self.options.deadline is not None:
            left = min(left, self.options.deadline - now)
        return left

    def remaining(self) -> float:
        """The time limit of the next HiGHS run: the time left, and at least 10 ms."""
        return max(0.01, self.time_left())

    def forget(self) -> None:
        """Drop HiGHS's solution and basis of earlier runs.

        After LP relaxations of the model were solved and rows were added, HiGHS 1.16's MIP
        presolve has returned a solution that did not match its own objective value (a
        freshly loaded copy of the same model solved correctly); starting the MIP from a
        cleared solver avoids it.
        """
        self.highs.clearSolver()

    # -- solving ------------------------------------------------------------------------
    def run(self, **highs_options) -> Run:
        """One HiGHS solve; on an infeasible or error answer, once more with presolve off.
        ``highs_options`` (HiGHS option names) hold for this solve only.

        HiGHS's presolve has been seen to call feasible models of this kind infeasible, so
        before ``no_agreement`` is reported, and after any error status, the model is solved
        again with presolve off, and that answer is used (the result's ``notes`` say so).
        """
        if not self.complete:
            raise SolverRefused(REFUSED)
        res = self._solve(highs_options)
        if res.infeasible or res.termination == TC.error or res.termination == TC.unknown:
            retry = self._solve({**highs_options, "presolve": "off"})
            if retry.termination != res.termination:
                self.notes.append(
                    f"HiGHS with presolve reported {res.termination.name}; with presolve off: {retry.termination.name}"
                )
            res = retry
        return res

    def _solve(self, highs_options: dict, retry: bool = True) -> Run:
        """One HiGHS run; when it finds a solution, the model's variables hold it.

        A solution whose objective, computed from the model, differs from the value HiGHS
        reports (seen after LP relaxations of a model with added rows, :meth:`forget`) is
        solved again once from a cleared solver.

        Under a deadline, HiGHS is not started when less time is left than handing it the
        model took: its presolve, which takes about as long on these models (a second on
        the large generated instance), does not look at the time limit, so the run would
        end that much past the deadline. The run then ends as if at its time limit.
        """
        if self.options.deadline is not None and self.options.deadline - time.perf_counter() < self.handover_seconds:
            note = "the time limit left too little time to start HiGHS on this model"
            if note not in self.notes:
                self.notes.append(note)
            return Run(TC.maxTimeLimit, False, None, None, None)
        self._run_highs(highs_options)
        highs = self.highs
        termination = _TERMINATION.get(highs.getModelStatus(), TC.unknown)
        has = _info(highs, "primal_solution_status") == _FEASIBLE and termination not in _INFEASIBLE
        if has:
            self._load_solution()
            reported = _info(highs, "objective_function_value")
            if abs(pyo.value(self.active_objective.expr) - reported) > 1e-6 * max(1.0, abs(reported)) and retry:
                self.notes.append("HiGHS's solution did not match its objective value; it was solved again from a cleared solver")
                self.forget()
                return self._solve(highs_options, retry=False)
        return Run(termination, has, _bound(highs, termination), _info(highs, "objective_function_value") if has else None,
                    float(_info(highs, "mip_gap")) if has else None)

    def _run_highs(self, highs_options: dict) -> None:
        """Run HiGHS within the time left, with ``highs_options`` for this run only."""
        highs = self.highs
        former = {name: highs.getOptionValue(name)[1] for name in highs_options}
        for name, value in {"time_limit": self.remaining(), **highs_options}.items():
            highs.setOptionValue(name, value)
        try:
            highs.run()
        finally:
            for name, value in former.items():
                highs.setOptionValue(name, value)

    def _load_solution(self) -> None:
        """Copy HiGHS's solution into the model's variables (those HiGHS holds as columns)."""
        values = self.highs.getSolution().col_value
        variables = self.solver._vars
        for key, column in self.solver._pyomo_var_to_solver_var_map.items():
            variables[key][0].set_value(values[column], skip_validation=True)

    # -- reading the deal back ----------------------------------------------------------
    def deal(self) -> Deal:
        m = self.model
        package = {}
        for issue in self.instance.issues:
            package[issue.id] = max(issue.options, key=lambda o: pyo.value(m.x[issue.id, o.id], exception=False) or 0.0).id
        payments = {g: _amount(m.p[g]) for g in m.PAID}
        transfers = tuple(_amount(m.t[k]) for k in range(len(self.instance.transfers)))
        uses = {a: round(pyo.value(m.n[a], exception=False) or 0.0) for a in m.ACTIONS}
        return Deal(package, {g: a for g, a in payments.items() if a > 0}, transfers, {a: n for a, n in uses.items() if n})

    def suggest(self, deal: Deal) -> None:
        """Give HiGHS ``deal`` as a starting solution for the next run (package, payments,
        transfers and actions; HiGHS completes the other variables or drops the start)."""
        m = self.model
        values = [(m.x[i.id, o.id], float(deal.package.get(i.id) == o.id)) for i in self.instance.issues for o in i.options]
        values += [(m.p[g], deal.payments.get(g, 0.0)) for g in m.PAID]
        values += [(m.t[k], deal.transfer(k)) for k in m.TRANSFERS]
        values += [(m.n[a], float(deal.uses(a))) for a in m.ACTIONS]
        columns = self.solver._pyomo_var_to_solver_var_map
        known = [(columns[id(var)], value) for var, value in values if id(var) in columns]
        index = np.array([c for c, _ in known], dtype=np.int32)
        self.highs.setSolution(len(known), index, np.array([v for _, v in known], dtype=np.float64))

    def solve_package(self, package: dict[str, str], **highs_options) -> tuple[Run, Deal | None]:
        """Solve with the package fixed (only its bounds change in HiGHS); the deal, if any."""
        m = self.model
        free = [m.x[k] for k in m.OPTIONS if not m.x[k].fixed]
        chosen = set(package.items())
        self.set_bounds([(x, 1, 1) if x.index() in chosen else (x, 0, 0) for x in free])
        try:
            run = self.run(**highs_options)
            return run, (self.deal() if run.has_solution else None)
        finally:
            self.set_bounds([(x, 0, 1) for x in free])

    def repriced(self, deal: Deal) -> Deal:
        """The best payments for the deal's package, found again with the package fixed and
        HiGHS's feasibility tolerances at :math:`10^{-9}` (a deal that held only within the
        default :math:`10^{-6}`). A model HiGHS refused is not solved: the deal is returned as it is."""
        if not self.complete:
            return deal
        _, out = self.solve_package(dict(deal.package), **TIGHT)
        self.notes.append("the deal held only within the solver's tolerance; payments were priced again with tolerance 1e-9")
        return out if out is not None else deal

    def judged(self, deal: Deal) -> tuple[Deal, Evaluation]:
        """The deal and the evaluator's verdict on it; a deal the evaluator refuses (one that held only
        within the solver's tolerance) is priced again first (:meth:`repriced`)."""
        ev = evaluate(self.instance, deal)
        if not ev.feasible:
            deal = self.repriced(deal)
            ev = evaluate(self.instance, deal)
        return deal, ev


def _limits(m) -> tuple[list, list, list, list]:
    """The model's budget and Level-I parameters with their rows, and its payment and transfer variables, keyed."""
    budgets = [(s, m.budget_limit[s], m.budget[s]) for s in m.budget_limit]
    reservations = [(s, m.level_one_limit[s], m.level_one[s]) for s in m.level_one_limit]
    return budgets, reservations, list(m.p.items()), list(m.t.items())


def _load(solver, model) -> bool:
    """Hand the model to HiGHS; whether HiGHS took every row of it.

    HiGHS refuses rows with a coefficient of :math:`10^{15}` or more (its option
    ``large_matrix_value``; raising it lets HiGHS crash on such models) and Pyomo does not
    check what HiGHS answers: a utility of 1e16 would leave HiGHS a model without its rows,
    whose optimum is another model's. Such a model is never solved (:meth:`BuiltModel.run`).
    """
    solver.set_instance(model)
    return solver._solver_model.getNumRow() == len(solver._pyomo_con_to_solver_con_map)


REFUSED = ("HiGHS refuses coefficients of 1e15 or more, and this instance's utilities (or their sums) reach that "
           "size, so the MIP cannot solve it. Rescale the utilities; or, with no payments, transfers or actions, "
           "package bounding checks every package exactly (objectives own and joint).")


def _configure(highs: highspy.Highs, log, settings: dict) -> None:
    """Set HiGHS's options for every solve of a model; its progress log goes to the stream ``log`` (None: off).

    """
    for name, value in settings.items():
        highs.setOptionValue(name, value)
    highs.setOptionValue("output_flag", log is not None)
    if log is not None:
        highs.cbLogging += lambda event: log.write(event.message)


def _info(highs: highspy.Highs, name: str):
    """One value of HiGHS's information on its last run."""
    return highs.getInfoValue(name)[1]


def _bound(highs: highspy.Highs, termination) -> float | None:
    """The bound HiGHS proved on the objective: the MIP's dual bound, or an LP's optimal value."""
    if _info(highs, "mip_node_count") != -1:
        return _info(highs, "mip_dual_bound")
    optimal = termination == TC.convergenceCriteriaSatisfied and _info(highs, "primal_solution_status") == _FEASIBLE
    return _info(highs, "objective_function_value") if optimal else None


def _amount(var) -> float:
    v = pyo.value(var, exception=False) or 0.0
    lo, hi = var.lb, var.ub
    v = min(max(v, lo if lo is not None else v), hi if hi is not None else v)
    return 0.0 if abs(v) < AMOUNT_EPSILON else v
