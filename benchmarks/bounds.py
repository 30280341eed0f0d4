"""Root bounds on the medium corpus: the LP relaxation, with support cuts, and the deal the local search finds.

    python benchmarks/bounds.py [--corpus ../shared/bench] [--only 30x6x100]

For each instance: the LP relaxation's bound of the planner's MIP (per-group big-M), the
same after the support-cut loop (:mod:`planner.solving.cuts`; cuts added, seconds), the
bound with the package left continuous but every support binary integer (HiGHS, 60 s: its
best bound and the best value it found, with a fractional package; how much of the gap is
due to groups half-supporting), and the best package of the local search
(:mod:`planner.solving.heuristics`), priced exactly with the package fixed, with its seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import highspy  # noqa: E402

import planner  # noqa: E402
from planner.solving.cuts import add_support_cuts  # noqa: E402
from planner.solving.heuristics import starting_packages  # noqa: E402
from planner.solving.highs import BuiltModel  # noqa: E402
from planner.solving.options import SolveOptions  # noqa: E402
from planner.solving.tree import PackageTree  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(ROOT.parent / "shared" / "bench"))
    p.add_argument("--only", default="30x6x100")
    p.add_argument("--time-limit", type=float, default=60.0)
    a = p.parse_args()
    head = ["instance", "LP bound", "with support cuts", "cuts", "s", "package continuous: bound", "its best value",
            "local search: deal", "s"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head), flush=True)
    for path in sorted(Path(a.corpus).glob("*.xlsx")):
        if a.only not in path.stem:
            continue
        inst = planner.read_workbook(path)
        built = BuiltModel(inst, "own", inst.home, SolveOptions(time_limit=a.time_limit))
        lp = built.run(solve_relaxation=True).bound
        t0 = time.perf_counter()
        cuts, bound = add_support_cuts(built, a.time_limit)
        cut_seconds = time.perf_counter() - t0
        highs = built.highs
        columns = built.solver._pyomo_var_to_solver_var_map
        package = [columns[id(built.model.x[k])] for k in built.model.OPTIONS]
        kinds = highs.getLp().integrality_
        highs.changeColsIntegrality(len(package), sorted(package), [highspy.HighsVarType.kContinuous] * len(package))
        built.reset_clock()
        relaxed = built.run()
        highs.changeColsIntegrality(len(package), sorted(package), [kinds[c] for c in sorted(package)])
        t0 = time.perf_counter()
        tree = PackageTree(inst, "own", inst.home)
        best = starting_packages(tree)[0]
        built.reset_clock()
        _, deal = built.solve_package(tree.package(best))
        value = planner.evaluate(inst, deal).negotiator_utility[inst.home] if deal is not None else None
        search_seconds = time.perf_counter() - t0
        print(f"| {path.stem} | {lp:.3f} | {bound:.3f} | {cuts} | {cut_seconds:.2f} | {relaxed.bound:.3f} | "
              f"{relaxed.incumbent:.3f} | {value:.3f} | {search_seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
