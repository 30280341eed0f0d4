"""The Kalai–Smorodinsky objective against enumeration."""

from __future__ import annotations

from hypothesis import given, settings

import planner
from planner.evaluate import evaluate

from .conftest import examples
from .oracle import best_deal
from .strategies import instances
from .test_top import each_package


@settings(max_examples=examples(40), deadline=None)
@given(instance=instances(objective="nash"))  # no payments or transfers: one utility point per package
def test_kalai_equals_enumeration(instance):
    reservation = {s.id: s.reservation or 0.0 for s in instance.sides}
    points = []
    for reduced in each_package(instance):
        utilities = {s: best_deal(reduced, "own", s).value for s in instance.side_ids}
        if None not in utilities.values() and all(utilities[s] >= reservation[s] - 1e-9 for s in utilities):
            points.append(utilities)
    result = planner.solve(instance, objective="kalai")
    if not points:
        assert result.status == "no_agreement"
        return
    ideal = {s: max(p[s] for p in points) for s in instance.side_ids}
    span = {s: ideal[s] - reservation[s] for s in ideal}

    def ks(p):
        return min((min(1.0, (p[s] - reservation[s]) / span[s]) for s in span if span[s] > 1e-9), default=1.0)

    assert result.status == "optimal"
    assert abs(result.objective_value - max(ks(p) for p in points)) <= 1e-6
    assert evaluate(instance, result.deal).feasible
