"""Budget sweeps: the naive loop, planner's sweep, a persistent Pyomo loop and a raw highspy loop.

    python benchmarks/sweep.py [--points 200] [--sample 20] [--jobs 2] [--only bonn1978]

For each instance, a sweep of one side's budget over ``--points`` values, timed four ways
in the same run:

- naive: change the instance, build the model and solve it from cold, point by point,
  in one process (``planner.solve`` on each changed instance);
- planner: ``planner.sweep`` (proven points skipped, one persistent model, starting
  deals, ``--jobs`` processes);
- pyomo: one persistent Pyomo model solved as a MIP at every point, only the budget
  and payment bounds changed (no package bounding, no evaluation): the solver loop
  planner's sweep stands on (``BuiltModel.retarget`` and ``BuiltModel.run``; the model
  goes to HiGHS once, when it is built, outside the timing like raw's export);
- raw: the same MIP, exported once to HiGHS and re-solved with ``changeRowBounds`` /
  ``changeColBounds`` only: what HiGHS alone costs.

The naive, pyomo and raw loops are timed on ``--sample`` evenly spaced points of the
sweep (points per second is a rate; the sample says how many were solved), planner's
sweep on all of them. A loop over the sample that takes well under a second is repeated
and its best pass counted, with garbage collection off, as ``timeit`` does. Printed: points
per second of each and the ratios planner/naive and (pyomo - raw)/raw, Pyomo's overhead per
re-solve; how many of planner's points were inferred rather than solved; and, over the
sample points, the mean objective value and mean gap that the naive loop and planner's
sweep report (where a time limit stops the solves, a faster sweep must not report worse
deals or wider gaps).
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import highspy  # noqa: E402

import planner  # noqa: E402
from planner.analysis.params import apply  # noqa: E402
from planner.formulation.coefficients import max_payment  # noqa: E402
from planner.solving.highs import BuiltModel  # noqa: E402
from planner.solving.options import SolveOptions  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench"
CASES = [  # instance, swept budget, home side, top value, per-point time limit
    (ROOT / "spreadsheets" / "bonn1978.xlsx", "US", "FRG", 3.0, 60.0),
    (BENCH / "parliament_s1.xlsx", "UK", None, 120.0, 60.0),
    (BENCH / "random_10x4x20_s1.xlsx", "A", None, 4.0, 60.0),
    (BENCH / "random_30x6x100_s1.xlsx", "A", None, 6.0, 5.0),
    (ROOT / "instances" / "random_10x4x20_s101.xlsx", "A", None, 4.0, 60.0),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--sample", type=int, default=20, help="points timed in the naive, pyomo and raw loops")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--only", help="run only the instances whose file name contains this")
    a = p.parse_args()
    print(f"{'instance':<26} {'points':>6} {'naive/s':>8} {'planner/s':>9} {'pyomo/s':>8} {'raw/s':>8} "
          f"{'planner/naive':>13} {'pyomo overhead':>14}  inferred  limit  {'value naive/planner':>19}  "
          f"{'gap naive/planner':>17}")
    for path, side, home, top, limit in CASES:
        if not path.exists() or (a.only and a.only not in path.name):
            continue
        inst = planner.read_instance(path).with_settings(time_limit=limit)
        home = home or inst.settings.home_side
        inst = inst.with_settings(home_side=home)
        name = f"Sides[{side}].budget"
        values = [top * k / (a.points - 1) for k in range(a.points)]
        sample = values[:: max(1, math.ceil(len(values) / a.sample))]
        naive_results = {}
        naive = _rate(lambda v, inst=inst, name=name, out=naive_results: out.__setitem__(v, planner.solve(apply(inst, name, v))),
                      sample)
        t0 = time.perf_counter()
        table = planner.sweep(inst, {name: values}, jobs=a.jobs)
        swept = len(values) / (time.perf_counter() - t0)
        pyomo_rate, raw_rate = _solver_loops(apply(inst, name, top), side, sample)
        at_sample = table[table[name].isin(sample)]
        value = (_mean(r.objective_value for r in naive_results.values()), _mean(at_sample["objective_value"]))
        gap = (_mean(r.mip_gap for r in naive_results.values()), _mean(at_sample["mip_gap"]))
        print(f"{path.stem:<26} {len(values):>6} {naive:>8.2f} {swept:>9.2f} {pyomo_rate:>8.2f} {raw_rate:>8.2f} "
              f"{swept / naive:>12.1f}x {raw_rate / pyomo_rate - 1:>13.0%}  {int(table['inferred'].sum()):>8}  "
              f"{limit:>4g}s  {value[0]:>9.4g} / {value[1]:<7.4g}  {gap[0]:>7.2%} / {gap[1]:<7.2%}")


def _mean(values) -> float:
    """The mean of the numbers given (None, a point without a deal, counts as nan)."""
    numbers = [math.nan if v is None else float(v) for v in values]
    return sum(numbers) / len(numbers) if numbers else math.nan


def _rate(step, values, budget: float = 1.0, most: int = 7) -> float:
    """Points per second over ``values``: the best of repeated passes while they fit in
    ``budget`` seconds (at most ``most``), with garbage collection off, as ``timeit`` does;
    a slow loop is timed once."""
    best = math.inf
    spent = 0.0
    for _ in range(most):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            for v in values:
                step(v)
            seconds = time.perf_counter() - t0
        finally:
            gc.enable()
        best, spent = min(best, seconds), spent + seconds
        if spent + seconds > budget:
            break
    return len(values) / best


def _solver_loops(envelope, side: str, values) -> tuple[float, float]:
    """Points per second of the persistent Pyomo MIP loop and of the raw highspy loop."""
    built = BuiltModel(envelope, "own", envelope.settings.home_side, SolveOptions(method="mip"))
    m = built.model

    def pyomo_step(v):
        built.retarget(envelope.with_side(side, budget=v))
        built.run()

    pyomo_rate = _rate(pyomo_step, values)
    highs = built.highs
    rows, cols = built.solver._pyomo_con_to_solver_con_map, built.solver._pyomo_var_to_solver_var_map
    budget_row = rows[m.budget[side]] if side in m.budget else None
    paid = [(cols[id(m.p[g])], g) for g in m.PAID]
    with tempfile.TemporaryDirectory() as tmp:
        model_file = str(Path(tmp) / "sweep.mps")
        highs.setOptionValue("output_flag", False)
        highs.writeModel(model_file)
        raw = highspy.Highs()
        raw.setOptionValue("output_flag", False)
        raw.readModel(model_file)
    for option, value in (("threads", 1), ("random_seed", 0), ("mip_rel_gap", built.mip_gap),
                          ("time_limit", built.time_limit)):
        raw.setOptionValue(option, value)

    def raw_step(v):
        changed = envelope.with_side(side, budget=v)
        if budget_row is not None:
            raw.changeRowBounds(budget_row, -highspy.kHighsInf, v)
        for col, g in paid:
            raw.changeColBounds(col, 0.0, max_payment(changed, g))
        raw.run()

    return pyomo_rate, _rate(raw_step, values)


if __name__ == "__main__":
    main()
