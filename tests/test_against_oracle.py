"""The planner against the brute-force oracle (``tests/oracle.py``) on random small instances.

For every objective: the planner says ``no_agreement`` exactly when the oracle finds no
deal; otherwise it says ``optimal``, its objective value is the oracle's, and the deal it
reports is feasible and worth that value when re-evaluated by ``planner.evaluate``.
One test goes through the command line and the workbook writer as well.

Runtime: about 900 small solves, under a minute on two cores when this was written
(each solve and oracle call takes some tens of milliseconds; the CLI test about half a
second per example, most of it Python start-up).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import planner
from planner.evaluate import evaluate
from planner.model import Body, Group, Instance, Member
from planner.objectives import objective_value
from planner.solving.options import SolveOptions

from .conftest import examples, run_cli
from .oracle import OracleAnswer, best_deal
from .strategies import instances, make

# Every count scales with PLANNER_TEST_SCALE (conftest.examples).
EXAMPLES_PER_OBJECTIVE = examples(200)
EXAMPLES_OVERRIDE = examples(60)
EXAMPLES_CLI = examples(8)
EXAMPLES_DEEP = examples(40)

SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def close(a: float, b: float) -> bool:
    """Equal within 1e-5 absolute plus 1e-6 relative."""
    return abs(a - b) <= 1e-5 + 1e-6 * abs(b)


def report(message: str) -> None:
    """Attach a message to a failing example (printed by pytest outside Hypothesis)."""
    if currently_in_test_context():
        note(message)
    else:
        print(message)


def describe(expected: OracleAnswer) -> str:
    return (
        f"oracle: value={expected.value} package={expected.package} feasible={expected.feasible} "
        f"payments={expected.payments} transfers={expected.transfers}"
    )


def check_against_oracle(instance: Instance, objective: str | None = None, home: str | None = None,
                         method: str = "auto") -> None:
    """Solve with the planner and compare with the oracle (objective/home override the settings when given).

    ``method`` chooses the planner's algorithm: the MIP, the MIP with support cuts, or for own/joint
    package bounding or the package tree.
    """
    used_objective = objective or instance.settings.objective
    used_home = home or instance.settings.home_side
    expected = best_deal(instance, used_objective, used_home)
    report(describe(expected))
    options = SolveOptions(method=method)
    if objective is None and home is None:
        result = planner.solve(instance, options=options)
    else:
        result = planner.solve(instance, objective=objective, home=home, options=options)
    report(f"planner: status={result.status} value={result.objective_value} deal={result.deal}")

    if expected.value is None:
        # For nash this includes instances whose feasible deals all leave some negotiator
        # no gain over its reservation: the product is taken over deals where every
        # U[s] > R[s] (workbook.md), and there are none.
        assert result.status == "no_agreement"
        assert result.objective_value is None
        return
    assert result.status == "optimal"
    assert result.objective_value is not None
    assert close(result.objective_value, expected.value), (result.objective_value, expected.value)
    ev = evaluate(instance, result.deal)
    assert ev.feasible, ev.violations
    recomputed = objective_value(instance, ev.negotiator_utility, used_objective, used_home)
    assert close(recomputed, expected.value), (recomputed, expected.value)


@pytest.mark.parametrize("method", ["mip", "bounding", "tree", "cuts"])
@settings(max_examples=EXAMPLES_PER_OBJECTIVE, **SETTINGS)
@given(instance=instances(objective="own"))
def test_planner_matches_oracle_own(instance, method):
    check_against_oracle(instance, method=method)


@pytest.mark.parametrize("method", ["mip", "bounding", "tree", "cuts"])
@settings(max_examples=EXAMPLES_PER_OBJECTIVE, **SETTINGS)
@given(instance=instances(objective="joint"))
def test_planner_matches_oracle_joint(instance, method):
    check_against_oracle(instance, method=method)


@pytest.mark.parametrize("objective", ["own", "joint"])
@settings(max_examples=EXAMPLES_DEEP, **SETTINGS)
@given(data=st.data())
def test_package_tree_matches_oracle_on_deeper_trees(objective, data):
    """Five to seven issues, so that partial packages are bounded and pruned at every depth
    (loss budgets, links and Rules decided mid-tree); payments on the smaller ones."""
    money = data.draw(st.booleans())
    instance = data.draw(instances(objective=objective, money=money, issues=(5, 6) if money else (5, 7)))
    check_against_oracle(instance, method="tree")


@pytest.mark.parametrize("method", ["mip", "cuts"])
@settings(max_examples=EXAMPLES_PER_OBJECTIVE, **SETTINGS)
@given(instance=instances(objective="maxmin"))
def test_planner_matches_oracle_maxmin(instance, method):
    check_against_oracle(instance, method=method)


@settings(max_examples=EXAMPLES_PER_OBJECTIVE, **SETTINGS)
@given(instance=instances(objective="nash"))
def test_planner_matches_oracle_nash(instance):
    """Nash instances carry no payments or transfers (the oracle enumerates packages only)."""
    check_against_oracle(instance)


@settings(max_examples=EXAMPLES_OVERRIDE, **SETTINGS)
@given(data=st.data())
def test_planner_objective_and_home_arguments_override_settings(data):
    """``solve(instance, objective=..., home=...)`` answers for those, not for the workbook's settings."""
    objective = data.draw(st.sampled_from(("own", "joint", "maxmin")), label="objective")
    instance = data.draw(instances(objective="own" if objective != "own" else "joint"), label="instance")
    home = data.draw(st.sampled_from(instance.side_ids), label="home")
    check_against_oracle(instance, objective=objective, home=home)


@settings(max_examples=EXAMPLES_CLI, **SETTINGS)
@given(instance=instances())
def test_command_line_matches_oracle(instance):
    """``python -m planner solve WORKBOOK --json OUT`` on a written workbook gives the oracle's answer."""
    from planner.io.workbook import write_instance

    expected = best_deal(instance)
    note(describe(expected))
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "instance.xlsx"
        out = Path(tmp) / "result.json"
        write_instance(instance, book)
        proc = run_cli("solve", book, "--json", out, cwd=Path(tmp))
        assert proc.returncode == 0, proc.stderr
        result = json.loads(out.read_text())
    note(f"json: {result}")
    assert result["format"] == 1
    assert result["objective"] == instance.settings.objective
    assert result["home_side"] == instance.settings.home_side
    if expected.value is None:
        assert result["status"] == "no_agreement"
        assert result["objective_value"] is None
        assert result["package"] == {}
    else:
        assert result["status"] == "optimal"
        assert close(result["objective_value"], expected.value), (result["objective_value"], expected.value)
        assert set(result["package"]) == {i.id for i in instance.issues}


@pytest.mark.parametrize("rule", ["more_than", "at_least"])
@pytest.mark.parametrize("threshold", [0.5, 0.6, 2 / 3, 0.75])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_planner_vote_thresholds_at_the_edge(n, threshold, rule):
    """A body of ``n`` equal members; option ``k`` has exactly ``k`` supporters and gives the
    home negotiator ``n - k``, so the answer is the fewest supporters that pass: the planner
    must decide "exactly threshold x total" as the oracle does (3 of 5 is not more than 0.6)."""
    groups = [Group(f"g{j}", "A", f"g{j}") for j in range(n)]
    utilities = {"A": {("i", f"k{k}"): float(n - k) for k in range(n + 1)}}
    for j in range(n):
        utilities[f"g{j}"] = {("i", f"k{k}"): 1.0 if j < k else -1.0 for k in range(n + 1)}
    members = tuple(Member(g.id, 1.0) for g in groups)
    instance = make(
        ["A", "Z"],
        {"i": [f"k{k}" for k in range(n + 1)]},
        groups,
        utilities,
        bodies=[Body("A_body", "A", members, threshold=threshold, rule=rule)],
    )
    check_against_oracle(instance)
