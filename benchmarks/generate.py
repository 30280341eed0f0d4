"""Synthetic instances like the shared corpus: ``random_<issues>x<options>x<groups>_s<seed>``.

    python benchmarks/generate.py --issues 10 --options 4 --groups 20 --seed 1 -o instances/

Two sides A and B; each side's groups have random option values in [0, 10], weights 1,
reservations near the middle of their utility range, and one assembly voting by 60 %.
Negotiators have their own utilities. Written as instance workbooks.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.model import Body, Group, Instance, Issue, Member, Option, Settings, Side  # noqa: E402
from planner.io.workbook import write_instance  # noqa: E402


def random_instance(issues: int, options: int, groups: int, seed: int, sides: tuple[str, ...] = ("A", "B")) -> Instance:
    """A random two-level game of the corpus's shape (deterministic for a seed)."""
    rng = random.Random(seed)
    iss = tuple(Issue(f"i{i}", f"Issue {i}", tuple(Option(f"o{o}", f"i{i}:o{o}") for o in range(options))) for i in range(issues))
    utilities: dict = {}
    grp, bodies = [], []
    for s in sides:
        utilities[s] = {(i.id, o.id): round(rng.uniform(0, 10), 3) for i in iss for o in i.options}
        members = []
        for g in range(groups):
            gid = f"{s}_g{g:03d}"
            values = {(i.id, o.id): round(rng.uniform(0, 10), 3) for i in iss for o in i.options}
            utilities[gid] = values
            mid = 5 * issues
            grp.append(Group(gid, s, gid, 1.0, round(mid + rng.uniform(-0.1, 0.6) * issues, 3), False,
                             round(rng.uniform(0.5, 2.0), 2), 1.0))
            members.append(Member(gid, 1.0))
        bodies.append(Body(f"{s}_assembly", s, tuple(members), 0.6, "at_least"))
    side_objs = tuple(Side(s, f"Side {s}", None, float(groups) / 4, 0.5) for s in sides)
    name = f"random_{issues}x{options}x{groups}_s{seed}"
    return Instance(side_objs, iss, tuple(grp), tuple(bodies), utilities, Settings(sides[0], "own", 60.0, 1e-6, name), name=name)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--issues", type=int, default=10)
    p.add_argument("--options", type=int, default=4)
    p.add_argument("--groups", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--out", default="instances")
    a = p.parse_args()
    inst = random_instance(a.issues, a.options, a.groups, a.seed)
    path = Path(a.out) / f"{inst.name}.xlsx"
    write_instance(inst, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
