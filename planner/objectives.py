"""The objectives: every objective's name and properties, declared once, and its value for a deal.

An objective is what the planner maximises over the ratifiable deals. The deterministic
ones judge Level II in the workbook; the uncertain ones (``expected``, ``robust``) judge it
in the Scenarios and optimise the model of a deterministic *base* objective. What each
maximises is stated with the objective rows (:func:`planner.formulation.rows.add_objective`);
:func:`objective_value` computes it from the negotiators' utilities of a given deal.

Code that needs a fact about an objective asks :data:`OBJECTIVES` (``OBJECTIVES[name].bounded``)
rather than listing names; the command line's choices come from :func:`names`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .model import Instance


@dataclass(frozen=True)
class Objective:
    """The facts about one objective."""

    name: str
    bounded: bool = False
    """The model's objective is the reported value, so HiGHS's bound bounds it."""
    approximated: bool = False
    """The model's objective only approximates the value (the Nash product, by tangents of its
    logarithm): a solving method of its own refines it, and no row can hold the value."""
    boundable: bool = False
    """Package bounding (:mod:`planner.solving.bounding`) can solve it."""
    needs_ideal: bool = False
    """Its value needs each side's ideal utility (solved first), so it depends on everything."""
    reservation_free: bool = False
    """Its value does not depend on the sides' Level-I reservations."""
    uncertain: bool = False
    """Level II is judged in the Scenarios."""
    base: str | None = None
    """For an uncertain objective, the deterministic objective whose model it optimises."""
    expected: bool = False
    """Its value is the home negotiator's expected utility over the Scenarios."""
    floor: float | None = None
    """The least probability of ratification it asks for (``robust``: 1, every scenario)."""


OBJECTIVES: dict[str, Objective] = {o.name: o for o in (
    Objective("own", bounded=True, boundable=True, reservation_free=True),
    Objective("joint", bounded=True, boundable=True, reservation_free=True),
    Objective("nash", approximated=True),
    Objective("maxmin", bounded=True),
    Objective("kalai", needs_ideal=True),
    Objective("expected", uncertain=True, base="own", expected=True),
    Objective("robust", uncertain=True, base="own", floor=1.0),
)}
"""Every objective, in the order the workbook format lists them."""


def names(uncertain: bool = True) -> tuple[str, ...]:
    """The objectives' names (without the uncertain ones when ``uncertain`` is false)."""
    return tuple(o.name for o in OBJECTIVES.values() if uncertain or not o.uncertain)


def of(name: str) -> Objective:
    """The objective called ``name``; an unknown name has no properties (building its model refuses it)."""
    return OBJECTIVES.get(name) or Objective(name)


def base(name: str) -> str:
    """The deterministic objective whose model ``name`` optimises (itself for a deterministic one)."""
    return of(name).base or name


def gains(instance: Instance, utilities: Mapping[str, float]) -> dict[str, float]:
    """``U[s] - R[s]`` with a blank reservation counted as 0."""
    return {s.id: utilities[s.id] - (s.reservation or 0.0) for s in instance.sides}


def objective_value(instance: Instance, utilities: Mapping[str, float], objective: str, home: str,
                    ideal: Mapping[str, float] | None = None) -> float:
    """The value of a deterministic objective for the negotiators' utilities of a deal (``kalai`` needs the ideal point)."""
    if objective == "own":
        return utilities[home]
    if objective == "joint":
        return sum(utilities[s.id] for s in instance.sides)
    g = gains(instance, utilities)
    if objective == "maxmin":
        return min(g.values())
    if objective == "nash":
        return math.prod(g.values()) if all(v > 0 for v in g.values()) else -math.inf
    if objective == "kalai":
        spans = {s.id: ideal[s.id] - (s.reservation or 0.0) for s in instance.sides}
        if any(v < -1e-9 for v in g.values()):
            return -math.inf
        return min((min(1.0, g[s] / spans[s]) for s in spans if spans[s] > 1e-9), default=1.0)
    raise ValueError(f"unknown objective {objective!r}")
