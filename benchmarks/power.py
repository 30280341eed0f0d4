"""Time of the exact voting-power indices on the large bodies of a generated parliament.

    python benchmarks/power.py [--size medium] [--repeat 5]

``planner.analysis.power.power_indices`` on the 27-member EU Council (population weights,
55 % / 65 % / blocking minority of four) and on the chamber of equal members (649 when
medium), each the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.analysis.power import power_indices  # noqa: E402
from planner.generate import generate  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="medium", choices=("small", "medium", "large"))
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    instance = generate("parliament", a.size, 1)
    for body in instance.bodies:
        best = float("inf")
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            table = power_indices(instance, body.id, method="exact")
            best = min(best, time.perf_counter() - t0)
        print(f"{body.id:<8} {len(body.members):>5} members  exact Banzhaf and Shapley-Shubik in {best:.3f} s "
              f"(largest Shapley-Shubik {table['shapley_shubik'].max():.4f})")


if __name__ == "__main__":
    main()
