"""Frontier time: the planner's frontier (by the package tree) against full enumeration, and on 10^12 packages.

    python benchmarks/frontier.py

For generated two-side instances without side payments (so every package is one point in
utility space) small enough to list, it times the planner's exact frontier
(``pareto_frontier``) and, in the same run, full enumeration: listing every package,
deciding ratification for each (``winset.ratifying``), and filtering the non-dominated
points; it checks the two agree. Then it traces and plots the frontier of a
12-issue x 10-option instance (10^12 packages), where enumeration is impossible.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from planner.analysis.frontier import bargaining_points, pareto_frontier  # noqa: E402
from planner.analysis.winset import ratifying  # noqa: E402
from planner.formulation.coefficients import negotiator_linear  # noqa: E402
from planner.generate import random_instance  # noqa: E402
from planner.report.plots import save_figure, utility_space_figure  # noqa: E402
from planner.solving import bounding  # noqa: E402


def without_payments(instance):
    return instance.replace(sides=tuple(dataclasses.replace(s, budget=0.0) for s in instance.sides))


def enumerated_frontier(instance, home, other):
    grid = bounding.packages(instance)
    ok = np.logical_and.reduce(list(ratifying(instance, grid).values()))
    u = bounding.values(instance, [negotiator_linear(instance, home), negotiator_linear(instance, other)], grid[ok])
    u = np.unique(np.round(u, 9), axis=0)
    order = np.lexsort((-u[:, 1], -u[:, 0]))  # by home utility, then other, descending
    front, best_other = [], -np.inf
    for x, y in u[order]:
        if y > best_other:
            front.append((x, y))
            best_other = y
    return front


def main() -> None:
    print(f"{'instance':22s} {'packages':>16s} {'points':>7s} {'frontier s':>11s} {'enumeration s':>14s}  agree")
    for shape, seed in (((6, 4, 10), 1), ((8, 4, 10), 2), ((10, 4, 10), 3)):
        inst = without_payments(random_instance(*shape, seed))
        t0 = time.perf_counter()
        f = pareto_frontier(inst, "A", "B")
        t1 = time.perf_counter()
        e = enumerated_frontier(inst, "A", "B")
        t2 = time.perf_counter()
        got = [(round(p.home_utility, 6), round(p.other_utility, 6)) for p in f.points]
        agree = got == [(round(x, 6), round(y, 6)) for x, y in e]
        print(f"{inst.name:22s} {inst.package_count:16,d} {len(got):7d} {t1 - t0:11.2f} {t2 - t1:14.2f}  {agree}", flush=True)
    big = random_instance(12, 10, 5, 11)
    t0 = time.perf_counter()
    f = pareto_frontier(big, "A", "B")
    t1 = time.perf_counter()
    points = bargaining_points(big)
    solutions = {k: (r.evaluation.negotiator_utility["A"], r.evaluation.negotiator_utility["B"])
                 for k, r in points.items() if r.has_deal}
    figures = save_figure(utility_space_figure(big, f, solutions), ROOT / "docs" / "figures" / big.name)
    t2 = time.perf_counter()
    print(f"{big.name:22s} {big.package_count:16,d} {len(f.points):7d} {t1 - t0:11.2f} {'(impossible)':>14s}  "
          f"complete={f.complete}; bargaining solutions and figure {t2 - t1:.1f} s: {figures[0].relative_to(ROOT)}")


if __name__ == "__main__":
    main()
