"""Solving an instance with HiGHS: the model goes to HiGHS through Pyomo's persistent interface.

``solve(instance) -> Result``: build the model, solve it, map the solver's status onto
the result format's (optimal, feasible, no_agreement, unknown), read back the deal with
binaries rounded, and let :func:`planner.evaluate.evaluate` recompute every fact. Two
safeguards from experience with HiGHS: an "infeasible" or error answer is re-checked with
HiGHS's presolve off before ``no_agreement`` is reported, and a deal that holds only
within the solver's tolerances is priced again with tight tolerances.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition as TC

from . import bounding, exact
from .errors import IdealUnknown
from .evaluate import Deal, evaluate
from .formulation.coefficients import max_payment
from .formulation.presolve import FormulationOptions
from .formulation.rows import add_tangent, build_model
from .model import Instance
from .objectives import objective_value
from .result import AMOUNT_EPSILON, Result

_INFEASIBLE = {TC.provenInfeasible, TC.locallyInfeasible, TC.infeasibleOrUnbounded}
_STOPPED = {TC.maxTimeLimit, TC.iterationLimit, TC.interrupted, TC.objectiveLimit, TC.minStepLength}
NASH_TOLERANCE = 1e-6
"""Smallest relative gap on the Nash product that the outer approximation is asked to close."""
TIGHT = {"mip_feasibility_tolerance": 1e-9, "primal_feasibility_tolerance": 1e-9}
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


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings. ``None`` for time_limit / mip_gap means: the workbook's Settings."""

    time_limit: float | None = None
    mip_gap: float | None = None
    threads: int = 1
    random_seed: int = 0
    formulation: FormulationOptions = FormulationOptions()
    nash_iterations: int = 500
    method: str = "auto"  # "mip", "bounding" (own/joint, listable packages) or "auto": bounding where it applies
    max_package_checks: int = 2000
    log: object = None  # a stream for HiGHS's progress log (e.g. sys.stderr), or None for silence
    deadline: float | None = None  # a time.perf_counter() by which every solve of the run stops (planner solve: start + limit)


@dataclass
class _Run:
    termination: object
    has_solution: bool
    bound: float | None
    incumbent: float | None
    gap: float | None


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
        self.model = build_model(instance, objective, home, options.formulation, ideal)
        self.time_limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
        self.mip_gap = options.mip_gap if options.mip_gap is not None else instance.settings.mip_gap
        self.solver = SolverFactory("highs")
        self.solver.set_instance(self.model)
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
        """Packages and their bounds, best first (:func:`planner.bounding.ranked`), computed once."""
        if self._ranking is None:
            self._ranking = bounding.ranked(self.instance, self.objective, self.home)
        return self._ranking

    def reset_clock(self) -> None:
        """Start the time limit afresh (for a series of separate solves on one model)."""
        self.started = time.perf_counter()

    def remaining(self) -> float:
        now = time.perf_counter()
        left = self.time_limit - (now - self.started)
        if self.options.deadline is not None:
            left = min(left, self.options.deadline - now)
        return max(0.01, left)

    # -- solving ------------------------------------------------------------------------
    def run(self, **highs_options) -> _Run:
        """One HiGHS solve; on an infeasible or error answer, once more with presolve off.

        ``highs_options`` (HiGHS option names) hold for this solve only.
        """
        res = self._solve(highs_options)
        if res.termination in _INFEASIBLE or res.termination == TC.error or res.termination == TC.unknown:
            retry = self._solve({**highs_options, "presolve": "off"})
            if retry.termination != res.termination:
                self.notes.append(
                    f"HiGHS with presolve reported {res.termination.name}; with presolve off: {retry.termination.name}"
                )
            res = retry
        return res

    def _solve(self, highs_options: dict) -> _Run:
        """One HiGHS run; when it finds a solution, the model's variables hold it."""
        self._run_highs(highs_options)
        highs = self.highs
        termination = _TERMINATION.get(highs.getModelStatus(), TC.unknown)
        has = _info(highs, "primal_solution_status") == _FEASIBLE and termination not in _INFEASIBLE
        if has:
            self._load_solution()
        return _Run(termination, has, _bound(highs, termination), _info(highs, "objective_function_value") if has else None,
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

    def solve_package(self, package: dict[str, str], **highs_options) -> tuple[_Run, Deal | None]:
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

    def tidied(self, deal: Deal, value: float) -> Deal:
        """The same package and objective value with the least money moved.

        An optimal deal may carry payments that change nothing for the objective (another
        side paying a group that already supports). With the package fixed and the
        objective held at its optimum, this re-solve minimises total payments and transfers
        and the actions' uses (each at its cost plus one).
        """
        m = self.model
        if self.objective == "nash" or not (len(m.PAID) or len(m.TRANSFERS) or len(m.ACTIONS)):
            return deal
        slack = 1e-7 * max(1.0, abs(value))
        m.keep_value = pyo.Constraint(expr=m.obj.expr >= value - slack)
        actions = sum((self.instance.action(a).cost + 1) * m.n[a] for a in m.ACTIONS)
        m.least_money = pyo.Objective(expr=sum(m.p[g] for g in m.PAID) + sum(m.t[k] for k in m.TRANSFERS) + actions)
        self.add_rows([m.keep_value])
        self.use_objective(m.least_money)
        try:
            _, out = self.solve_package(dict(deal.package))
        finally:
            self.use_objective(m.obj)  # first: the row's variables then keep their HiGHS columns throughout
            self.drop_row(m.keep_value)
            m.del_component(m.least_money)
        return out if out is not None else deal

    def repriced(self, deal: Deal) -> Deal:
        """The best payments for the deal's package, found again with tight tolerances."""
        _, out = self.solve_package(dict(deal.package), **TIGHT)
        self.notes.append("the deal held only within the solver's tolerance; payments were priced again with tolerance 1e-9")
        return out if out is not None else deal


def _limits(m) -> tuple[list, list, list, list]:
    """The model's budget and Level-I parameters with their rows, and its payment and transfer variables, keyed."""
    budgets = [(s, m.budget_limit[s], m.budget[s]) for s in m.budget_limit]
    reservations = [(s, m.level_one_limit[s], m.level_one[s]) for s in m.level_one_limit]
    return budgets, reservations, list(m.p.items()), list(m.t.items())


def _configure(highs: highspy.Highs, log, settings: dict) -> None:
    """Set HiGHS's options for every solve of a model; its progress log goes to the stream ``log`` (None: off)."""
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


def solve(instance: Instance, objective: str | None = None, home: str | None = None,
          time_limit: float | None = None, mip_gap: float | None = None,
          options: SolveOptions | None = None, min_ratification: float | None = None) -> Result:
    """Find the best ratifiable deal for ``objective`` (default: the workbook's Settings).

    Returns a :class:`~planner.result.Result` whose facts are recomputed from the deal.
    The objectives ``expected`` and ``robust``, and ``min_ratification`` with any objective,
    decide under the instance's scenarios (:mod:`planner.uncertainty`).
    """
    objective, home, options = settle(instance, objective, home, options, time_limit, mip_gap)
    if objective in ("expected", "robust") or min_ratification is not None:
        from .uncertainty import solve_uncertain

        return solve_uncertain(instance, objective, home, options, min_ratification)
    try:
        built = prepare(instance, objective, home, options)
    except IdealUnknown as exc:
        return no_ideal(instance, objective, home, exc)
    if built is None:
        return no_ideal(instance, objective, home)
    return answer(built)


def solve_top(instance: Instance, k: int, objective: str | None = None, home: str | None = None,
              time_limit: float | None = None, mip_gap: float | None = None,
              options: SolveOptions | None = None) -> list[Result]:
    """The ``k`` best deals with distinct packages, best first (fewer when fewer exist).

    The first is :func:`solve`'s answer; each next one is the best deal whose package
    differs from all found before (a no-good cut on the package, or for package bounding
    the next packages in bound order). The time limit covers the whole search.
    """
    return top_deals(instance, k, objective, home, time_limit, mip_gap, options)[0]


def top_deals(instance: Instance, k: int, objective: str | None = None, home: str | None = None,
              time_limit: float | None = None, mip_gap: float | None = None,
              options: SolveOptions | None = None) -> tuple[list[Result], Result]:
    """:func:`solve_top`'s deals, and the first answer, which says why when there is no deal
    (so that a caller needs no second solve for the status)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    objective, home, options = settle(instance, objective, home, options, time_limit, mip_gap)
    try:
        built = prepare(instance, objective, home, options)
    except IdealUnknown as exc:
        return [], no_ideal(instance, objective, home, exc)
    if built is None:
        return [], no_ideal(instance, objective, home)
    results: list[Result] = []
    first = None
    for _ in range(k):
        result = answer(built)
        first = first or result
        if not result.has_deal:
            break
        results.append(result)
        built.exclude(result.package)
    return results, first


def _tidy(built: BuiltModel, deal: Deal, evaluation):
    """Keep the tidied deal when it is feasible, worth the same (within 1e-6) and moves less money."""
    value = objective_value(built.instance, evaluation.negotiator_utility, built.objective, built.home, built.ideal)
    tidy = built.tidied(deal, value)
    if tidy is deal:
        return deal, evaluation
    ev = evaluate(built.instance, tidy)
    tidy_value = (objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal)
                  if ev.feasible else None)
    saved = _money(built.instance, deal) - _money(built.instance, tidy)
    if tidy_value is not None and tidy_value >= value - 1e-6 * max(1.0, abs(value)) and saved > 1e-6:
        return tidy, ev
    return deal, evaluation


def _money(instance: Instance, deal: Deal) -> float:
    """Payments and transfers, and each action use at its cost plus one (so free actions not needed are dropped)."""
    actions = sum((instance.action(a).cost + 1) * n for a, n in deal.actions.items())
    return sum(deal.payments.values()) + sum(deal.transfers) + actions


def ideal_point(instance: Instance, options: SolveOptions | None = None) -> dict[str, float] | None:
    """Each side's best utility over the deals that give every side at least its reservation.

    A blank reservation counts as 0 here. None when no such deal exists; :class:`IdealUnknown`
    when the time limit stopped a solve before it knew.
    """
    rational = instance.replace(sides=tuple(replace(s, reservation=s.reservation or 0.0) for s in instance.sides))
    ideal = {}
    for s in instance.side_ids:
        r = solve(rational, objective="own", home=s, options=options)
        if r.status == "unknown":
            raise IdealUnknown(f"the time limit ended the search for side {s}'s ideal utility before it found a deal")
        if not r.has_deal:
            return None
        ideal[s] = r.objective_value
    return ideal


def prepare(instance: Instance, objective: str, home: str, options: SolveOptions) -> BuiltModel | None:
    """The model for an objective; for kalai, after the ideal point (None when it does not exist).

    The ideal point's solves and the kalai solve share one time limit (a deadline).
    """
    ideal = None
    if objective == "kalai":
        if options.deadline is None:
            limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
            options = replace(options, deadline=time.perf_counter() + limit)
        ideal = ideal_point(instance, options)
        if ideal is None:
            return None
    return BuiltModel(instance, objective, home, options, ideal)


def no_ideal(instance: Instance, objective: str, home: str, unknown: IdealUnknown | None = None) -> Result:
    """No ideal point: proven (no_agreement), or not known within the time limit (``unknown``)."""
    if unknown is not None:
        return Result(instance=instance, status="unknown", objective=objective, home=home, notes=(str(unknown),))
    return Result(instance=instance, status="no_agreement", objective=objective, home=home,
                  notes=("no deal gives every side at least its reservation, so there is no ideal point",))


def settle(instance: Instance, objective: str | None, home: str | None, options: SolveOptions | None,
           time_limit: float | None = None, mip_gap: float | None = None) -> tuple[str, str, SolveOptions]:
    """The objective, home side and options a solve uses: the arguments given, else the Settings'."""
    options = options or SolveOptions()
    options = replace(options, time_limit=time_limit if time_limit is not None else options.time_limit,
                      mip_gap=mip_gap if mip_gap is not None else options.mip_gap)
    return objective or instance.settings.objective, _home(instance, home), options


def _home(instance: Instance, home: str | None) -> str:
    home = home or instance.settings.home_side
    if home not in instance.side_ids:
        raise ValueError(f"home side {home!r} is not a side of the instance ({', '.join(instance.side_ids)})")
    return home


def answer(built: BuiltModel) -> Result:
    """Solve the built model and turn its deal into a Result checked by the evaluator.

    Package bounding starts from ``built.start`` when that deal is feasible.
    """
    instance, objective, home, options = built.instance, built.objective, built.home, built.options
    method = _method(instance, objective, options.method)
    notes_before = len(built.notes)
    if method == "nash outer approximation":
        status, deal, gap = _solve_nash(built)
    elif method == "package bounding":
        status, deal, gap = _solve_by_bounding(built)
    else:
        status, deal, gap = _solve_once(built)
    checked = _checked(built, deal) if deal is not None else None
    if checked is not None and checked.evaluation.feasible:
        tidied, _ = _tidy(built, deal, checked.evaluation)
        if tidied is not deal and (tidy_checked := _checked(built, tidied)).evaluation.feasible:
            deal, checked = tidied, tidy_checked
    if checked is not None and not checked.evaluation.feasible:
        deal = built.repriced(deal)
        checked = _checked(built, deal)
        if not checked.evaluation.feasible:
            built.notes.append("the solver's deal is not feasible when checked exactly: "
                               + "; ".join(checked.evaluation.violations))
            status, deal, checked = "unknown", None, None
    evaluation = checked.evaluation if checked is not None else None
    value = objective_value(instance, evaluation.negotiator_utility, objective, home, built.ideal) if evaluation else None
    bound = value if status == "optimal" else built.bound if method == "mip" and objective in BOUNDED else None
    return Result(
        instance=instance, status=status, objective=objective, home=home, deal=deal, evaluation=evaluation,
        objective_value=value, mip_gap=gap if deal is not None else None,
        solve_seconds=time.perf_counter() - built.started, build_seconds=built.build_seconds,
        notes=tuple(built.notes[notes_before:]),
        solver={"name": "highs", "method": method, "threads": options.threads, "random_seed": options.random_seed,
                "time_limit": built.time_limit, "mip_gap": built.mip_gap},
        exact_check=checked.report() if checked is not None else None,
        objective_bound=bound if deal is not None else None,
    )


BOUNDED = ("own", "joint", "maxmin")
"""Objectives whose MIP objective is the reported objective value, so HiGHS's bound bounds it."""


def _checked(built: BuiltModel, deal: Deal) -> exact.ExactCheck:
    """The evaluator's verdict on a deal, its close calls settled in exact arithmetic (:mod:`planner.exact`)."""
    checked = exact.check(built.instance, deal, evaluate(built.instance, deal))
    note = ("floating point and exact arithmetic disagreed on "
            + ", ".join(f"{c.kind} of {c.holder}" for c in checked.conditions if c.holds != c.float_holds)
            + "; the exact verdicts are reported")
    if not checked.agrees and note not in built.notes:
        built.notes.append(note)
    return checked


def _method(instance: Instance, objective: str, requested: str) -> str:
    """Which algorithm solves this objective: the Nash loop, package bounding or the MIP."""
    if requested not in ("auto", "mip", "bounding"):
        raise ValueError(f"unknown method {requested!r}; use auto, mip or bounding")
    if objective == "nash":
        return "nash outer approximation"
    if requested != "mip" and bounding.applicable(instance, objective):
        return "package bounding"
    return "mip"


def _status(run: _Run) -> str:
    if run.termination == TC.convergenceCriteriaSatisfied and run.has_solution:
        return "optimal"
    if run.termination in _INFEASIBLE:
        return "no_agreement"
    return "feasible" if run.has_solution else "unknown"


def _solve_once(built: BuiltModel) -> tuple[str, Deal | None, float | None]:
    """One MIP solve, from ``built.start`` when that deal is feasible; HiGHS's bound is kept in ``built.bound``."""
    if built.start is not None and evaluate(built.instance, built.start).feasible:
        built.suggest(built.start)
    run = built.run()
    built.bound = run.bound if run.bound is not None and math.isfinite(run.bound) else None
    status = _status(run)
    if not run.has_solution:
        return status, None, None
    return status, built.deal(), _clean_gap(run.gap)


def _clean_gap(gap: float | None) -> float | None:
    """HiGHS's relative gap, or None when it has none to give (infinite)."""
    return max(0.0, gap) if gap is not None and math.isfinite(gap) else None


def _solve_nash(built: BuiltModel) -> tuple[str, Deal | None, float | None]:
    r"""Maximise :math:`\sum_s \ln(U_s - R_s)` exactly by outer approximation.

    Each round solves the MIP whose objective bounds :math:`\ln d_s` from above by
    tangents; the MIP's bound is an upper bound on the best log-product. The deal found is
    priced exactly; when the bound and the best exact value agree within the gap the
    answer is optimal, otherwise tangents at the deal's gains are added and the MIP is
    solved again (the persistent solver keeps the model).
    """
    m, inst = built.model, built.instance
    best: tuple[float, Deal] | None = None
    tol = max(built.mip_gap, NASH_TOLERANCE)
    upper = math.inf
    for _ in range(built.options.nash_iterations):
        run = built.run(**TIGHT)  # the default 1e-6 tolerance would let the MIP overstate log gains
        if not run.has_solution:
            if run.termination in _INFEASIBLE and best is None:
                return "no_agreement", None, None
            break
        upper = run.bound if run.bound is not None else run.incumbent
        deal = built.deal()
        ev = evaluate(inst, deal)
        product = objective_value(inst, ev.negotiator_utility, "nash", built.home)
        if ev.feasible and product > 0:
            value = math.log(product)
            if best is None or value > best[0]:
                best = (value, deal)
        if best is not None and upper - best[0] <= tol:
            return "optimal", best[1], 0.0 if upper <= best[0] else -math.expm1(best[0] - upper)
        if run.termination != TC.convergenceCriteriaSatisfied:
            break
        built.add_rows([add_tangent(m, s, max(pyo.value(m.gain[s]), 1e-12)) for s in inst.side_ids])
    if best is None:
        return "unknown", None, None
    return "feasible", best[1], -math.expm1(best[0] - upper) if math.isfinite(upper) else None


def _solve_by_bounding(built: BuiltModel) -> tuple[str, Deal | None, float | None]:
    """Check packages in decreasing order of their bound (:mod:`planner.bounding`) until none can win.

    Each check solves the model with the package fixed. When the next bound is no better
    than the best deal, that deal is optimal; when no package survives the bounds or every
    check is infeasible, there is no agreement. Should the checks run out (too many, or the
    time limit), the full MIP gets the remaining time and the better deal is kept.
    """
    inst = built.instance
    grid, bounds = built.ranking()
    best = _start(built)
    for n, (row, bound) in enumerate(zip(grid, bounds)):
        package = bounding.as_package(inst, row)
        if built.package_key(package) in built.excluded:
            continue
        if best is not None and bound <= best[0] + _win_margin(best[0], built.mip_gap):
            return "optimal", best[1], _relative_gap(bound, best[0])
        if n >= built.options.max_package_checks or built.remaining() <= 0.05:
            built.notes.append(f"package bounding checked {n} of {len(grid)} packages; the MIP finished the search")
            return _better(built, best, _solve_once(built))
        run, deal = built.solve_package(package)
        if deal is None:
            continue
        ev = evaluate(inst, deal)
        if not ev.feasible:
            deal = built.repriced(deal)
            ev = evaluate(inst, deal)
            if not ev.feasible:
                continue
        value = objective_value(inst, ev.negotiator_utility, built.objective, built.home, built.ideal)
        if best is None or value > best[0]:
            best = (value, deal)
    return ("optimal", best[1], 0.0) if best is not None else ("no_agreement", None, None)


def _start(built: BuiltModel) -> tuple[float, Deal] | None:
    """The starting deal (for example the previous point of a sweep), when it is feasible here."""
    if built.start is None:
        return None
    ev = evaluate(built.instance, built.start)
    if not ev.feasible:
        return None
    return objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal), built.start


def _win_margin(value: float, gap: float) -> float:
    return max(1e-9, gap) * max(1.0, abs(value))


def _relative_gap(bound: float, value: float) -> float:
    return max(0.0, (bound - value) / max(1e-10, abs(value)))


def _better(built: BuiltModel, best, mip: tuple[str, Deal | None, float | None]):
    status, deal, gap = mip
    if best is None or status == "optimal":
        return mip
    if deal is not None:
        ev = evaluate(built.instance, deal)
        value = objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal)
        if ev.feasible and value >= best[0]:
            return mip
    return "feasible", best[1], gap
