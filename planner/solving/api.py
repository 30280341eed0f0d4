"""The public entry points: ``solve``, ``solve_top`` (and ``top_deals`` for the command line).

``solve`` settles the objective, home side and options (the arguments, else the Settings),
then hands the instance to the deterministic answer or, for an uncertain objective or a
ratification floor, to the uncertain answer. Neither comes back here: the uncertain
answer calls the deterministic one for its starting deals.
"""

from __future__ import annotations

from .. import deadline, objectives
from ..errors import DeadlinePassed
from ..model import Instance
from ..result import Result
from .deterministic import answer, prepare, solve_deterministic
from .options import SolveOptions, settle
from .uncertain import solve_uncertain


def solve(instance: Instance, objective: str | None = None, home: str | None = None,
          time_limit: float | None = None, mip_gap: float | None = None,
          options: SolveOptions | None = None, min_ratification: float | None = None) -> Result:
    """Find the best ratifiable deal for ``objective`` (default: the workbook's Settings).

    Returns a :class:`~planner.result.Result` whose facts are recomputed from the deal.
    The objectives ``expected`` and ``robust``, and ``min_ratification`` with any objective,
    decide under the instance's scenarios (:mod:`planner.uncertainty`).
    """
    objective, home, options = settle(instance, objective, home, options, time_limit, mip_gap)
    if min_ratification is not None and objectives.of(objective).needs_ideal:
        raise ValueError(f"the {objective} objective is defined by an ideal point without the scenarios; "
                         "a ratification floor does not apply to it")
    try:
        with deadline.until(options.deadline):
            if objectives.of(objective).uncertain or min_ratification is not None:
                return solve_uncertain(instance, objective, home, options, min_ratification)
            return solve_deterministic(instance, objective, home, options)
    except DeadlinePassed as exc:
        return out_of_time(instance, objective, home, exc)


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
        with deadline.until(options.deadline):
            built = prepare(instance, objective, home, options)
    except DeadlinePassed as exc:
        built = out_of_time(instance, objective, home, exc)
    if isinstance(built, Result):
        return [], built
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


def out_of_time(instance: Instance, objective: str, home: str, exc: DeadlinePassed) -> Result:
    """The answer when the time limit ended before any solve could run: ``unknown``, saying where it ended."""
    return Result(instance=instance, status="unknown", objective=objective, home=home,
                  notes=(f"{exc}; no deal was searched for",))
