"""Solve times and proven gaps on the shared corpus and on generated instances, against a plain MIP.

    python benchmarks/solve_corpus.py [--time-limit 60] [--only parliament] [--corpus ../shared/bench]
                                      [--method auto] [--no-plain] [--seeds 1 2 3]

For each instance, in one run: the planner as it runs by default (``--method auto``: the
package tree for own and joint, with its neighbourhoods and the MIP with support cuts when
the tree cannot finish) and a plain MIP (one global big-M, no presolve, no cuts) of the same
instance, each with the same time limit, one thread and a fixed seed. Printed as a Markdown
table: status, deal value, proven bound, gap and total seconds (reading excluded, building
included) of each, and the ratios planner / plain of the seconds and of the gaps. Where
another solver's best deal is known (the shared corpus, from the issue tracker's
measurements), the table says whether the planner's deal reaches it.

The generated instances are ``planner.generate.random_instance`` of 16x5x40 and 20x5x60
(``--seeds``, three by default) and the medium 30x6x100 of seed 103.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.formulation.presolve import PLAIN  # noqa: E402
from planner.generate import random_instance  # noqa: E402
from planner.solving.options import SolveOptions  # noqa: E402

BEST_KNOWN = {
    "random_30x6x100_s1": 218.099,  # Gurobi 13, 120 s
    "random_30x6x100_s2": 224.619,  # SCIP, 120 s
    "random_30x6x100_s3": 217.686,  # Gurobi 13, 120 s
}
"""The best deals other solvers found on the medium corpus (one thread, 120 s)."""


def measure(instance, options: SolveOptions, time_limit: float):
    t0 = time.perf_counter()
    r = planner.solve(instance, time_limit=time_limit, options=options)
    return r, time.perf_counter() - t0


def gap(r) -> float | None:
    """The proven relative gap: 0 when optimal, else (bound - value) / |value| (None without both)."""
    if r.status == "optimal":
        return 0.0
    if r.objective_value is None or r.objective_bound is None:
        return None
    return max(0.0, (r.objective_bound - r.objective_value) / max(1e-10, abs(r.objective_value)))


def cells(r, total: float) -> list[str]:
    g = gap(r)
    value = "-" if r.objective_value is None else f"{r.objective_value:.3f}"
    bound = "-" if r.objective_bound is None else f"{r.objective_bound:.3f}"
    return [r.status, value, bound, "-" if g is None else f"{100 * g:.2f} %", f"{total:.2f}"]


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    if b == 0:
        return "-" if a else "1.00"
    return f"{a / b:.2f}"


def cases(corpus: Path, seeds: list[int]):
    if corpus.is_dir():
        for path in sorted(corpus.glob("*.xlsx")):
            yield path.stem, lambda path=path: planner.read_workbook(path)
    else:
        print(f"(no corpus at {corpus}; generated instances only)", file=sys.stderr)
    for shape in ((16, 5, 40), (20, 5, 60)):
        for seed in seeds:
            name = f"generated {shape[0]}x{shape[1]}x{shape[2]} s{seed}"
            yield name, lambda shape=shape, seed=seed: random_instance(*shape, seed)
    yield "generated 30x6x100 s103", lambda: random_instance(30, 6, 100, 103)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--corpus", default=str(ROOT.parent / "shared" / "bench"))
    p.add_argument("--only", default="", help="substring of the instance names to run")
    p.add_argument("--method", default="auto", help="the planner's --method (default auto)")
    p.add_argument("--no-plain", action="store_true", help="skip the plain MIP")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="seeds of the generated mid-size instances")
    a = p.parse_args()
    head = ["instance", "planner: method", "status", "value", "bound", "gap", "s",
            "plain MIP: status", "value", "bound", "gap", "s", "planner / plain: s", "gap", "best known reached"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head), flush=True)
    for name, load in cases(Path(a.corpus), a.seeds):
        if a.only not in name:
            continue
        inst = load()
        r, total = measure(inst, SolveOptions(method=a.method), a.time_limit)
        row = [name, r.solver["method"], *cells(r, total)]
        if a.no_plain:
            row += ["-"] * 7
        else:
            rp, total_p = measure(inst, SolveOptions(method="mip", formulation=PLAIN), a.time_limit)
            row += [*cells(rp, total_p), ratio(total, total_p), ratio(gap(r), gap(rp))]
        known = BEST_KNOWN.get(name)
        reached = "-" if known is None or r.objective_value is None else (
            f"yes ({known})" if r.objective_value >= known - 1e-6 else f"no ({known})")
        row.append(reached)
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
