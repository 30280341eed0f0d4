"""Solve times on the shared corpus and on generated instances, against a plain formulation.

    python benchmarks/solve_corpus.py [--time-limit 60] [--only parliament] [--corpus ../shared/bench]

For each instance: Pyomo build time, solve time (HiGHS plus, for package bounding, the
listing and bounding), total, status, gap and method of the planner as it runs by default
(package bounding where packages can be listed, else its MIP: per-group big-M, presolve)
and, in the same run, of a plain MIP (one global big-M, no presolve) of the same
instance; then the ratio of totals.
One thread, fixed seed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import planner  # noqa: E402
from planner.formulation.presolve import PLAIN, FormulationOptions  # noqa: E402
from planner.generate import random_instance  # noqa: E402
from planner.solving.options import SolveOptions  # noqa: E402


def measure(instance, formulation, time_limit):
    t0 = time.perf_counter()
    method = "auto" if formulation == FormulationOptions() else "mip"  # the plain baseline is the plain MIP
    r = planner.solve(instance, time_limit=time_limit, options=SolveOptions(formulation=formulation, method=method))
    total = time.perf_counter() - t0
    return r, total


def row(name, variant, r, total):
    gap = "-" if r.mip_gap is None else f"{100 * r.mip_gap:.2f}%"
    value = "-" if r.objective_value is None else f"{r.objective_value:.3f}"
    print(f"{name:24s} {variant:8s} {r.build_seconds:8.2f} {r.solve_seconds:8.2f} {total:8.2f}  {r.status:12s} {gap:>8s} "
          f"{value:>10s}  {r.solver['method']}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--corpus", default=str(ROOT.parent / "shared" / "bench"))
    p.add_argument("--only", default="", help="substring of the instance names to run")
    p.add_argument("--no-plain", action="store_true", help="skip the plain formulation")
    a = p.parse_args()
    cases = []
    corpus = Path(a.corpus)
    if corpus.is_dir():
        for path in sorted(corpus.glob("*.xlsx")):
            cases.append((path.stem, lambda path=path: planner.read_workbook(path)))
    else:
        print(f"(no corpus at {corpus}; generated instances only)")
    for shape, seed in (((10, 4, 20), 101), ((16, 5, 40), 102), ((30, 6, 100), 103)):
        inst = random_instance(*shape, seed)
        cases.append((inst.name, lambda inst=inst: inst))
    print(f"{'instance':24s} {'variant':8s} {'build s':>8s} {'solve s':>8s} {'total s':>8s}  {'status':12s} {'gap':>8s} "
          f"{'value':>10s}  method")
    for name, load in cases:
        if a.only not in name:
            continue
        t0 = time.perf_counter()
        inst = load()
        print(f"{name:24s} read     {time.perf_counter() - t0:8.2f} s", flush=True)
        r, total = measure(inst, FormulationOptions(), a.time_limit)
        row(name, "planner", r, total)
        if not a.no_plain:
            rp, total_p = measure(inst, PLAIN, a.time_limit)
            row(name, "plain", rp, total_p)
            print(f"{'':24s} ratio planner/plain total: {total / total_p:.2f}", flush=True)


if __name__ == "__main__":
    main()
