"""How much would a perfect incumbent help? Cold solve against a solve started from the optimum.

    python benchmarks/warm_start.py [--instance ../shared/bench/parliament_s1.xlsx]

Solves once from cold, then builds the model again, hands HiGHS the optimal solution as a
start (highspy's setSolution, through the persistent interface's column map) and solves
again; prints both times and their ratio. This bounds what a primal heuristic could gain.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import highspy  # noqa: E402
import pyomo.environ as pyo  # noqa: E402

import planner  # noqa: E402
from planner.solving.highs import BuiltModel  # noqa: E402
from planner.solving.options import SolveOptions  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instance", default=str(ROOT.parent / "shared" / "bench" / "parliament_s1.xlsx"))
    p.add_argument("--time-limit", type=float, default=120.0)
    a = p.parse_args()
    inst = planner.read_workbook(a.instance)
    cold = BuiltModel(inst, "own", inst.home, SolveOptions(time_limit=a.time_limit))
    t0 = time.perf_counter()
    run = cold.run()
    cold_s = time.perf_counter() - t0
    values = {v.name: v.value for v in cold.model.component_data_objects(pyo.Var)}

    warm = BuiltModel(inst, "own", inst.home, SolveOptions(time_limit=a.time_limit))
    columns = warm.solver._pyomo_var_to_solver_var_map
    start = [0.0] * warm.solver._solver_model.getNumCol()
    for v in warm.model.component_data_objects(pyo.Var):
        if id(v) in columns:
            start[columns[id(v)]] = values[v.name] or 0.0
    solution = highspy.HighsSolution()
    solution.col_value = start
    solution.value_valid = True
    warm.solver._solver_model.setSolution(solution)
    t0 = time.perf_counter()
    run_w = warm.run()
    warm_s = time.perf_counter() - t0
    print(f"{Path(a.instance).stem}: cold {cold_s:.2f} s ({run.incumbent}), from the optimum {warm_s:.2f} s "
          f"({run_w.incumbent}); ratio {warm_s / cold_s:.2f}")


if __name__ == "__main__":
    main()
