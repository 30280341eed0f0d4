"""The package tree and the support cuts beyond the oracle's reach: reruns, time limits, bounds.

The oracle comparisons are in ``test_against_oracle.py`` (every method, every objective it
serves). Here: a rerun gives the same answer; a time limit is honoured within a second with
an honest status, a deal and a bound above it; the local search and the neighbourhoods only
ever hand on deals that the evaluator accepts.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import planner
from planner.evaluate import evaluate
from planner.generate import random_instance
from planner.solving.heuristics import score, starting_packages
from planner.solving.highs import BuiltModel
from planner.solving.options import SolveOptions
from planner.solving.tree import PackageTree


def _answer(result) -> dict:
    d = result.to_dict()
    d.pop("solve_seconds")
    return d


def test_a_rerun_gives_the_same_deal_and_bound():
    inst = random_instance(10, 4, 20, 101)
    first = planner.solve(inst, options=SolveOptions(method="tree"))
    second = planner.solve(inst, options=SolveOptions(method="tree"))
    assert first.status == "optimal" and first.solver["method"] == "package tree"
    assert _answer(first) == _answer(second)
    assert first.objective_bound == second.objective_bound == first.objective_value


@pytest.mark.slow
@pytest.mark.parametrize("method", ["tree", "cuts"])
def test_the_time_limit_is_honoured_with_an_honest_status(method):
    """Generated 16x5x40 (seed 1) takes the tree several seconds to prove; with 2 s it stops."""
    inst = random_instance(16, 5, 40, 1)
    t0 = time.perf_counter()
    result = planner.solve(inst, time_limit=2, options=SolveOptions(method=method))
    assert time.perf_counter() - t0 <= 3.0
    assert result.status in ("feasible", "optimal", "unknown")
    if result.has_deal:
        assert evaluate(inst, result.deal).feasible
        assert result.objective_bound is not None and result.objective_bound >= result.objective_value - 1e-9
        if result.status == "feasible":
            assert result.mip_gap is not None and result.mip_gap > 0


@pytest.mark.slow
def test_the_tree_proves_a_generated_16x5x40_with_a_deal_at_least_the_mips():
    """Generated 16x5x40 (seed 2): the tree proves it within 30 s; its deal is at least the MIP's."""
    inst = random_instance(16, 5, 40, 2)
    tree = planner.solve(inst, time_limit=30, options=SolveOptions(method="tree"))
    mip = planner.solve(inst, time_limit=30, options=SolveOptions(method="mip"))
    assert tree.status == "optimal"
    assert mip.objective_value is None or mip.objective_value <= tree.objective_value + 1e-6
    if mip.objective_bound is not None:
        assert mip.objective_bound >= tree.objective_value - 1e-6  # HiGHS's bound never cuts below the optimum


def test_starting_packages_are_ratifiable_in_the_relaxation_and_ranked():
    inst = random_instance(12, 4, 30, 7)
    tree = PackageTree(inst, "own", inst.home)
    found = starting_packages(tree)
    assert found, "the local search found no package"
    scores = [float(score(tree, p[None, :])[0]) for p in found]
    assert all(np.isfinite(scores)) and scores == sorted(scores, reverse=True)
    # each score is the relaxation's bound: no deal on that package is worth more
    built = BuiltModel(inst, "own", inst.home, SolveOptions())
    for picks, bound in list(zip(found, scores))[:3]:
        _, deal = built.solve_package(tree.package(picks))
        if deal is not None:
            ev = evaluate(inst, deal)
            assert not ev.feasible or ev.negotiator_utility[inst.home] <= bound + 1e-6
