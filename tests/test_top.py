"""The K best deals with distinct packages against enumeration by the oracle."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner
from planner.evaluate import evaluate
from planner.solving.options import SolveOptions

from .oracle import best_deal
from .strategies import instances


def each_package(instance):
    """The instance restricted to each package in turn (every issue keeps one option)."""
    for combo in itertools.product(*(i.options for i in instance.issues)):
        yield instance.replace(issues=tuple(dataclasses.replace(i, options=(o,)) for i, o in zip(instance.issues, combo)))


def package_values(instance, objective, home):
    """The oracle's best value for every package (None where the package has no eligible deal)."""
    out = {}
    for reduced in each_package(instance):
        answer = best_deal(reduced, objective, home)
        if answer.value is not None:
            out[tuple(i.options[0].id for i in reduced.issues)] = answer.value
    return out


def check_top(instance, objective, method, k=4):
    home = instance.settings.home_side
    expected = sorted(package_values(instance, objective, home).values(), reverse=True)[:k]
    results = planner.solve_top(instance, k, objective=objective, options=SolveOptions(method=method))
    got = [r.objective_value for r in results]
    assert len(got) == len(expected), (got, expected)
    for a, b in zip(got, expected):
        assert abs(a - b) <= 1e-5 + 1e-6 * abs(b), (got, expected)
    packages = [tuple(r.package.values()) for r in results]
    assert len(set(packages)) == len(packages)
    for r in results:
        assert r.status == "optimal" and evaluate(instance, r.deal).feasible


@pytest.mark.parametrize("method", ["mip", "bounding", "tree"])
@settings(max_examples=25, deadline=None)
@given(instance=instances(objective="own"))
def test_top_k_own_equals_enumeration(instance, method):
    check_top(instance, "own", method)


@settings(max_examples=15, deadline=None)
@given(instance=instances(objective="nash"), objective=st.sampled_from(("nash", "maxmin", "joint")))
def test_top_k_other_objectives_equal_enumeration(instance, objective):
    check_top(instance, objective, "auto", k=3)


def test_top_on_the_command_line(tables, workbook, cli):
    import json

    proc = cli("solve", workbook(tables), "--top", "3", "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # H's win-set holds (b,b), worth 10 to H, and the status quo (a,a), worth 0: only two deals exist
    assert [(row["rank"], row["objective_value"], row["i1"], row["i2"]) for row in doc["top"]] == [
        (1, 10, "b", "b"), (2, 0, "a", "a")]
    assert doc["top"][0]["objective_value"] == doc["objective_value"]
    assert cli("solve", workbook(tables), "--top", "0").returncode == 2
