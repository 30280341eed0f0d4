"""The big-M support rows against the convex hull of each group's support, at one time limit.

    python benchmarks/support_hull.py [--time-limit 30] [--instance PATH]

The hull disaggregates the package per group, :math:`x = x^1_g + x^0_g` with
:math:`\\sum_o x^1_{g,io} = y_g`, :math:`x^1_g \\le x` and
:math:`v_g \\cdot x^1_g + e_g p_g \\ge r_g y_g` (payments only to supporters,
:math:`p_g \\le \\bar p_g y_g`): each group's own disjunction is then exact in the LP
relaxation. Printed for both models: seconds, HiGHS's status, best deal value and bound.
Default instance: ``../shared/bench/random_30x6x100_s1.xlsx`` when present, else the
generated 30x6x100 random instance (seed 1).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyomo.environ as pyo  # noqa: E402
from pyomo.contrib.solver.common.factory import SolverFactory  # noqa: E402

import planner  # noqa: E402
from planner.formulation.coefficients import holder_linear, max_payment  # noqa: E402
from planner.formulation.rows import build_model  # noqa: E402
from planner.generate import random_instance  # noqa: E402

CORPUS = ROOT.parent / "shared" / "bench" / "random_30x6x100_s1.xlsx"


def hull(m, instance) -> None:
    """Replace the big-M support rows by each group's disaggregated (convex hull) rows."""
    m.support_rows.deactivate()
    voters, keys = list(m.VOTERS), list(m.OPTIONS)
    m.x1 = pyo.Var(voters, keys, bounds=(0, 1))
    m.hull = pyo.ConstraintList()
    for g in voters:
        group, lin = instance.group(g), holder_linear(instance, g)
        for k in keys:
            m.hull.add(m.x1[g, k] <= m.x[k])
        for issue in instance.issues:
            m.hull.add(sum(m.x1[g, issue.id, o.id] for o in issue.options) == m.y[g])
        pay = 0.0
        if g in m.PAID:
            m.hull.add(m.p[g] <= max_payment(instance, g) * m.y[g])
            pay = group.payment_efficiency * m.p[g]
        m.hull.add(sum(c * m.x1[g, k] for k, c in lin.options.items()) + pay >= group.reservation * m.y[g])


def run(m, limit: float):
    solver = SolverFactory("highs")
    solver.config.time_limit = limit
    solver.highs_options = {"threads": 1, "random_seed": 0}
    t0 = time.perf_counter()
    r = solver.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    return time.perf_counter() - t0, r.termination_condition.name, r.incumbent_objective, r.objective_bound


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--time-limit", type=float, default=30.0)
    p.add_argument("--instance", type=Path, default=CORPUS if CORPUS.exists() else None)
    a = p.parse_args()
    instance = planner.read_instance(a.instance) if a.instance else random_instance(30, 6, 100, 1)
    print(f"{instance.name}: {len(instance.groups)} groups, limit {a.time_limit:g} s")
    print(f"{'model':<8} {'columns':>8} {'seconds':>8} {'status':>16} {'deal':>9} {'bound':>9}")
    for name in ("big-M", "hull"):
        m = build_model(instance)
        if name == "hull":
            hull(m, instance)
        columns = sum(1 for _ in m.component_data_objects(pyo.Var))
        seconds, status, deal, bound = run(m, a.time_limit)
        deal_text = f"{deal:.2f}" if deal is not None else "-"
        print(f"{name:<8} {columns:>8} {seconds:>8.1f} {status:>16} {deal_text:>9} {bound:>9.2f}")


if __name__ == "__main__":
    main()
