"""Solve time against the number of scenarios, for the expected and robust objectives.

    python benchmarks/scenarios.py [--counts 1 10 50 100] [--time-limit 60] [--sd 1.0]
                                   [--kind random --size small --seed 1]

A generated instance (``planner generate``; default the small random one, 10 issues of 4
options and 20 groups a side) gets a reservation standard deviation ``--sd`` on every
group, and ``planner.uncertainty.with_samples`` draws N equally likely scenarios from it.
For each N the expected-utility and the robust deal are solved with the time limit;
printed: seconds, status, gap, objective value and the deal's probability of ratification.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import planner  # noqa: E402
from planner.generate import generate  # noqa: E402
from planner.uncertainty import with_samples  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50, 100])
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--sd", type=float, default=1.0, help="reservation standard deviation of every group")
    p.add_argument("--kind", default="random")
    p.add_argument("--size", default="small")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    base = generate(a.kind, a.size, a.seed)
    base = base.replace(groups=tuple(dataclasses.replace(g, reservation_sd=a.sd) for g in base.groups))
    print(f"{base.name}: {len(base.groups)} groups, {base.package_count:,} packages, sd {a.sd:g}, limit {a.time_limit:g} s")
    print(f"{'scenarios':>9} {'objective':>9} {'seconds':>8} {'status':>12} {'gap':>8} {'value':>9} {'P(ratified)':>11}")
    for n in a.counts:
        inst = with_samples(base, n, seed=0)
        for objective in ("expected", "robust"):
            t0 = time.perf_counter()
            r = planner.solve(inst, objective=objective, time_limit=a.time_limit)
            seconds = time.perf_counter() - t0
            d = r.to_dict()
            chance = d.get("uncertainty", {}).get("ratification_probability") or {}
            gap = "-" if d["mip_gap"] is None else f"{d['mip_gap']:.1e}"
            value = "-" if d["objective_value"] is None else f"{d['objective_value']:.3f}"
            prob = "-" if not chance else f"{chance['overall']:.3f}"
            print(f"{n:>9} {objective:>9} {seconds:>8.2f} {r.status:>12} {gap:>8} {value:>9} {prob:>11}")


if __name__ == "__main__":
    main()
