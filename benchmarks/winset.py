"""Win-set counting time: exact counts on the shared corpus's listable instances and the Bonn case.

    python benchmarks/winset.py [--corpus ../shared/bench]

Prints, per instance, the packages, each side's and the joint win-set size, and the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.analysis.winset import winset_sizes  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(ROOT.parent / "shared" / "bench"))
    a = p.parse_args()
    paths = [ROOT / "spreadsheets" / "bonn1978.xlsx"]
    corpus = Path(a.corpus)
    if corpus.is_dir():
        paths += [corpus / f"{n}.xlsx" for n in ("random_10x4x20_s1", "parliament_s1")]
    for path in paths:
        inst = planner.read_workbook(path)
        t0 = time.perf_counter()
        table = winset_sizes(inst, exact_limit=2_000_000).set_index("side")
        seconds = time.perf_counter() - t0
        sizes = ", ".join(f"{s} {int(n):,}" for s, n in table["packages"].items())
        print(f"{path.stem:20s} {inst.package_count:>12,d} packages  {sizes}  exact in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
