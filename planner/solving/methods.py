r"""The solving methods: each searches a built model for its best deal, and each is declared once here.

A method is a function ``search(built) -> Outcome`` over a :class:`~planner.solving.highs.BuiltModel`:
it may solve the model many times (fixing packages, adding cuts) and returns a status, a
deal and HiGHS's relative gap. What it returns is not yet an answer: the Result builder
(:func:`planner.solving.answer.conclude`) checks the deal exactly, tidies and reprices it,
and computes every reported fact.

:data:`METHODS` lists the methods a deterministic solve chooses from
(:func:`choose`), and the command line's ``--method`` choices are :func:`choices`. A new
method is a ``search`` function (here, or in a module of its own beside this one) and one
:class:`Method` entry in :data:`METHODS`: its ``choice`` makes it a ``--method`` value,
``automatic`` lets ``--method auto`` take it, ``applies`` says where it can run and
``only_for`` names objectives that only it can solve.

This module is imported by the command line for the choices: numpy, Pyomo and HiGHS are
imported inside the searches, when a method runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import objectives
from ..evaluate import Deal, evaluate
from ..model import Instance
from ..objectives import objective_value

if TYPE_CHECKING:
    from .highs import BuiltModel

NASH_TOLERANCE = 1e-6
"""Smallest relative gap on the Nash product that the outer approximation is asked to close."""


@dataclass(frozen=True)
class Outcome:
    """What a search found: the status, the deal (None without one) and HiGHS's relative gap."""

    status: str
    deal: Deal | None
    gap: float | None


def _anywhere(instance: Instance, objective: str) -> bool:
    return True


@dataclass(frozen=True)
class Method:
    """A solving method, as the result's ``solver.method`` names it."""

    name: str
    search: Callable[[BuiltModel], Outcome]
    choice: str | None = None
    """The ``--method`` value that asks for it (None: chosen by the objective, or by the caller)."""
    automatic: bool = False
    """``--method auto`` takes it where it applies."""
    applies: Callable[[Instance, str], bool] = _anywhere
    """Whether it can solve an instance for an objective."""
    only_for: tuple[str, ...] = ()
    """Objectives that only this method solves, whatever ``--method`` says."""
    bound_holds: bool = False
    """After its search, HiGHS's bound (``built.bound``) bounds a bounded objective."""


# -- one MIP ------------------------------------------------------------------------------
def one_mip(built: BuiltModel, checked: bool = True) -> Outcome:
    """One MIP solve, from ``built.start`` when that deal is feasible; HiGHS's bound is kept in ``built.bound``.

    Where utilities differ so widely in magnitude that HiGHS's tolerances cannot resolve
    them (:func:`~planner.solving.bounding.wide`; HiGHS refuses coefficients of
    :math:`10^{15}` or more outright), the MIP's word is not taken: when package bounding
    applies (and ``checked``), it checks the answer, starting from the MIP's deal;
    otherwise the answer is only a deal found (:func:`_doubted`).
    """
    from . import bounding

    if not bounding.wide(built.instance):
        return _one_mip(built)
    if not (checked and _bounding_applies(built.instance, built.objective)):
        return _doubted(built, _one_mip(built))
    if built.complete:
        outcome = _one_mip(built)
        if outcome.deal is not None and evaluate(built.instance, outcome.deal).feasible:
            built.start = outcome.deal
    built.notes.append("utilities differ too widely in magnitude for the solver's tolerances: "
                       + ("package bounding checked the MIP's answer" if built.complete else
                          "HiGHS refuses coefficients of 1e15 or more, and package bounding searched instead"))
    return package_bounding(built)


def _doubted(built: BuiltModel, outcome: Outcome) -> Outcome:
    """A proof HiGHS gave on utilities too far apart in magnitude for its tolerances is not claimed:
    an optimum is only a deal found, and no agreement is unknown."""
    if outcome.status not in ("optimal", "no_agreement"):
        return outcome
    built.notes.append("utilities differ too widely in magnitude for the solver's tolerances to prove "
                       + ("the deal optimal" if outcome.deal else "that no deal exists"))
    built.bound = None
    return Outcome("feasible" if outcome.deal else "unknown", outcome.deal, None)


def _one_mip(built: BuiltModel) -> Outcome:
    if built.start is not None and evaluate(built.instance, built.start).feasible:
        built.suggest(built.start)
    run = built.run()
    built.bound = run.bound if run.bound is not None and math.isfinite(run.bound) else None
    if not run.has_solution:
        return Outcome(run.status, None, None)
    return Outcome(run.status, built.deal(), run.relative_gap)


# -- the MIP with support cuts --------------------------------------------------------------
def mip_with_cuts(built: BuiltModel) -> Outcome:
    """The support cuts the LP relaxation violates (:mod:`planner.solving.cuts`), added in rounds
    for at most a fifth of the time left, then one MIP solve of the strengthened model."""
    from . import bounding
    from .cuts import add_support_cuts

    if bounding.wide(built.instance) and _bounding_applies(built.instance, built.objective):
        return one_mip(built)  # the cuts come from HiGHS's relaxation, which such magnitudes strain: bounding decides
    added, _ = add_support_cuts(built, CUT_SHARE * built.remaining())
    if added:
        built.notes.append(f"{added} support cuts were added to the model before the MIP")
    return one_mip(built)


CUT_SHARE = 0.2
"""Most share of the time left that the cut loop may take before the MIP."""


# -- the Nash outer approximation -----------------------------------------------------------
def nash_outer_approximation(built: BuiltModel) -> Outcome:
    r"""Maximise :math:`\sum_s \ln(U_s - R_s)` exactly by outer approximation.

    Each round solves the MIP whose objective bounds :math:`\ln d_s` from above by
    tangents; the MIP's bound is an upper bound on the best log-product. The deal found is
    priced exactly; when the bound and the best exact value agree within the gap (at least
    :math:`10^{-6}`) the answer is optimal, otherwise tangents at the deal's gains are
    added and the persistent solver re-solves. The tangents are enforced with feasibility
    tolerance :math:`10^{-9}`: with HiGHS's default :math:`10^{-6}` the MIP overstates the
    logs and the loop stalls. The answer is the true optimum over deals within the gap, not
    an approximation of the product. When no deal gives every side a positive gain, there
    is no agreement. Where utilities differ too widely in magnitude for HiGHS's tolerances,
    no proof is claimed (:func:`_doubted`).
    """
    from . import bounding

    outcome = _nash(built)
    return _doubted(built, outcome) if bounding.wide(built.instance) else outcome


def _nash(built: BuiltModel) -> Outcome:
    import pyomo.environ as pyo

    from ..formulation.rows import add_tangent
    from .highs import TIGHT

    m, inst = built.model, built.instance
    best: tuple[float, Deal] | None = None
    tol = max(built.mip_gap, NASH_TOLERANCE)
    upper = math.inf
    for _ in range(built.options.nash_iterations):
        run = built.run(**TIGHT)  # the default 1e-6 tolerance would let the MIP overstate log gains
        if not run.has_solution:
            if run.infeasible and best is None:
                return Outcome("no_agreement", None, None)
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
            return Outcome("optimal", best[1], 0.0 if upper <= best[0] else -math.expm1(best[0] - upper))
        if not run.converged:
            break
        built.add_rows([add_tangent(m, s, max(pyo.value(m.gain[s]), 1e-12)) for s in inst.side_ids])
    if best is None:
        return Outcome("unknown", None, None)
    return Outcome("feasible", best[1], -math.expm1(best[0] - upper) if math.isfinite(upper) else None)


# -- package bounding -----------------------------------------------------------------------
def package_bounding(built: BuiltModel) -> Outcome:
    """Check packages in decreasing order of their bound (:mod:`planner.solving.bounding`) until none can win.

    Each check solves the model with the package fixed (the persistent HiGHS instance only
    sees bound changes). When the next bound is no better than the best deal, that deal is
    optimal; when no package survives the bounds or every check is infeasible, there is no
    agreement. Should the checks run out (2,000 packages, or the time limit), the full MIP
    gets the remaining time and the better deal is kept.

    When no money can move and HiGHS refused the model (coefficients of :math:`10^{15}` or
    more) or its utilities differ too widely in magnitude for HiGHS's tolerances, a
    package's only deal is the package itself, and the evaluator checks it exactly.
    """
    from . import bounding
    from .tree import starting_deal

    inst = built.instance
    grid, bounds = built.ranking()
    best = starting_deal(built)
    exactly = _checked_exactly(built)
    for n, (row, bound) in enumerate(zip(grid, bounds)):
        package = bounding.as_package(inst, row)
        if built.package_key(package) in built.excluded:
            continue
        if best is not None and bound <= best[0] + _win_margin(best[0], built.mip_gap):
            return Outcome("optimal", best[1], _relative_gap(bound, best[0]))
        if exactly and built.remaining() <= 0.05:
            built.notes.append(f"package bounding checked {n} of {len(grid)} packages before the time limit")
            return Outcome("feasible", best[1], _relative_gap(bound, best[0])) if best else Outcome("unknown", None, None)
        if not exactly and (n >= built.options.max_package_checks or built.remaining() <= 0.05):
            built.notes.append(f"package bounding checked {n} of {len(grid)} packages; the MIP finished the search")
            return _better(built, best, one_mip(built, checked=False))
        deal = Deal(package, {}, (0.0,) * len(inst.transfers)) if exactly else built.solve_package(package)[1]
        if deal is None:
            continue
        deal, ev = (deal, evaluate(inst, deal)) if exactly else built.judged(deal)
        if not ev.feasible:
            continue
        value = objective_value(inst, ev.negotiator_utility, built.objective, built.home, built.ideal)
        if best is None or value > best[0]:
            best = (value, deal)
    return Outcome("optimal", best[1], 0.0) if best is not None else Outcome("no_agreement", None, None)


def _checked_exactly(built: BuiltModel) -> bool:
    """Whether packages are checked by the evaluator: no money can move (a package's one deal is the package), and
    HiGHS refused the model or its utilities differ too widely in magnitude for its tolerances."""
    from . import bounding

    m = built.model
    money = len(m.PAID) or len(m.TRANSFERS) or len(m.ACTIONS)
    return not money and (not built.complete or bounding.wide(built.instance))


def _bounding_applies(instance: Instance, objective: str) -> bool:
    from . import bounding

    return bounding.applicable(instance, objective)


def _win_margin(value: float, gap: float) -> float:
    return max(1e-9, gap) * max(1.0, abs(value))


def _relative_gap(bound: float, value: float) -> float:
    return max(0.0, (bound - value) / max(1e-10, abs(value)))


def _better(built: BuiltModel, best: tuple[float, Deal] | None, mip: Outcome) -> Outcome:
    """The MIP's outcome, unless bounding's best deal is better (then feasible, with the MIP's gap)."""
    if best is None or mip.status == "optimal":
        return mip
    if mip.deal is not None:
        ev = evaluate(built.instance, mip.deal)
        value = objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal)
        if ev.feasible and value >= best[0]:
            return mip
    return Outcome("feasible", best[1], mip.gap)


# -- the package tree -----------------------------------------------------------------------
def package_tree(built: BuiltModel) -> Outcome:
    """Branch and bound over partial packages (:mod:`planner.solving.tree`); HiGHS checks the complete ones.

    1. The local search's best packages (:mod:`planner.solving.heuristics`, at most a tenth
       of the time, when there are more than :data:`SEARCH_ABOVE` packages) start a tree
       search; an exhausted tree proves its best deal optimal (or that there is none).
    2. A tree that would not finish in time (judged once 5 % of the time has passed, from the
       share of packages it has settled) hands its best deal to trees over neighbourhoods
       (:func:`~planner.solving.tree.search_neighbourhoods`) for a quarter of the time left;
    3. the tree then starts again from the improved deal, which prunes far more, with the
       same judgement after a tenth of the time left;
    4. should it still not finish, the MIP with support cuts (:func:`mip_with_cuts`) searches
       from the best deal for the rest.

    The answer is the best deal found, bounded by the smallest bound proven (the tree's
    largest open bound, HiGHS's bound).
    Where utilities differ too widely in magnitude for its float bounds (as in :func:`one_mip`),
    package bounding decides when it applies, and otherwise the tree's answer claims no proof.
    """
    from . import bounding

    if bounding.wide(built.instance):  # utilities too far apart in magnitude for the tree's float bounds
        if _bounding_applies(built.instance, built.objective):
            return one_mip(built)
        return _doubted(built, _package_tree(built))
    return _package_tree(built)


def _package_tree(built: BuiltModel) -> Outcome:
    from .heuristics import starting_packages
    from .tree import PackageTree, search_neighbourhoods, search_tree

    tree = PackageTree(built.instance, built.objective, built.home)
    time_left = built.remaining()
    starts = []
    if math.prod(max(1, len(o)) for o in tree.options) > SEARCH_ABOVE:
        starts = starting_packages(tree, stop=lambda: built.remaining() < (1 - HEURISTIC_SHARE) * time_left)
    found = search_tree(built, tree, patience=FIRST_PATIENCE * time_left, starts=starts)
    bounds = [found.bound]
    if not found.exhausted and found.best is not None:
        best = search_neighbourhoods(built, found.best, NEIGHBOURHOOD_SHARE * built.remaining())
        found = search_tree(built, tree, patience=TREE_PATIENCE * built.remaining(), best=best)
        bounds.append(found.bound)
    if found.exhausted:
        built.bound = found.best[0] if found.best is not None else None
        if found.best is None:
            return Outcome("no_agreement", None, None)
        return Outcome("optimal", found.best[1], 0.0)
    built.notes.append(f"the package tree settled {100 * found.resolved:.3g}% of the packages; the MIP with "
                       "support cuts searched on from its best deal")
    if found.best is not None:
        built.start = found.best[1]
    mip = mip_with_cuts(built)
    bounds = [b for b in bounds + [built.bound] if b is not None and math.isfinite(b)]
    built.bound = min(bounds) if bounds else None
    best = _better(built, found.best, mip)
    if best.deal is None or best.status == "optimal":
        return best
    ev = evaluate(built.instance, best.deal)
    value = objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal)
    gap = _relative_gap(built.bound, value) if built.bound is not None else None
    optimal = built.bound is not None and built.bound <= value + _win_margin(value, built.mip_gap)
    return Outcome("optimal" if optimal else "feasible", best.deal, gap)


SEARCH_ABOVE = 200_000
"""Packages beyond which the local search looks for starting deals; below, the tree alone is quicker."""
HEURISTIC_SHARE = 0.1
"""Most share of the time limit the local search for starting packages may take."""
FIRST_PATIENCE = 0.05
"""Share of the time limit after which the first tree, if it would not finish, hands over."""
NEIGHBOURHOOD_SHARE = 0.25
"""Share of the time left that trees over neighbourhoods of the best deal get."""
TREE_PATIENCE = 0.1
"""Share of the time left after which the second tree, if it would not finish, hands over to the MIP."""


def _tree_applies(instance: Instance, objective: str) -> bool:
    return objectives.of(objective).boundable and not instance.actions


# -- the registry ---------------------------------------------------------------------------
MIP = Method("mip", one_mip, choice="mip", bound_holds=True)
CUTS = Method("mip with support cuts", mip_with_cuts, choice="cuts", bound_holds=True)
PACKAGE_TREE = Method("package tree", package_tree, choice="tree", automatic=True, applies=_tree_applies,
                      bound_holds=True)
PACKAGE_BOUNDING = Method("package bounding", package_bounding, choice="bounding", applies=_bounding_applies)
NASH = Method("nash outer approximation", nash_outer_approximation, only_for=("nash",))
SCENARIO_MIP = Method("scenario mip", one_mip)
"""One MIP of the scenario model (:mod:`planner.solving.uncertain`); never chosen here."""

METHODS: tuple[Method, ...] = (NASH, PACKAGE_BOUNDING, PACKAGE_TREE, CUTS, MIP)
"""The methods a deterministic solve chooses from, in order of preference."""


def choices() -> tuple[str, ...]:
    """The ``--method`` values: ``auto`` and every method's choice."""
    return ("auto",) + tuple(m.choice for m in METHODS if m.choice)


def choose(instance: Instance, objective: str, requested: str) -> Method:
    """The method that solves ``objective``: the one it needs, else the one requested (or, for
    ``auto``, the first automatic one) where it applies, else the MIP."""
    allowed = choices()
    if requested not in allowed:
        raise ValueError(f"unknown method {requested!r}; use {', '.join(allowed[:-1])} or {allowed[-1]}")
    for method in METHODS:
        if objective in method.only_for:
            return method
    for method in METHODS:
        wanted = method.choice is not None and (requested == method.choice or requested == "auto" and method.automatic)
        if wanted and method.applies(instance, objective):
            return method
    return MIP
