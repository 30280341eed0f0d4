"""Batch throughput with 1 and 2 worker processes, and loading JSON instances against workbooks.

    python benchmarks/batch.py [--count 200] [--kind parliament] [--load 1000]

Throughput: ``--count`` generated small instances (``planner generate --kind KIND --size
small``, as JSON), solved by ``planner.batch.run_batch`` with ``jobs=1`` and then
``jobs=2`` into fresh output folders, in the same run. Printed: instances per second of
each, and the speed-up (worker start-up included).

Loading: ``--load`` instance files read with ``planner.read_instance``, once as table-form
JSON and once as workbooks: 10 generated small random instances in each format, each
copied ``--load / 10`` times (the time to read a file depends on its size and shape, not on
which seed made it). Printed: seconds for all of them and per file, and the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import planner  # noqa: E402
from planner.batch import BatchOptions, run_batch  # noqa: E402
from planner.generate import write_generated  # noqa: E402


def throughput(kind: str, count: int, tmp: Path) -> None:
    src = tmp / "instances"
    write_generated(kind, "small", 1, count, src, ".json")
    rates = {}
    for jobs in (1, 2):
        t0 = time.perf_counter()
        summary = run_batch([src], tmp / f"out{jobs}", BatchOptions(), jobs=jobs)
        seconds = time.perf_counter() - t0
        rates[jobs] = count / seconds
        statuses = ", ".join(f"{n} {s}" for s, n in summary["status"].value_counts().items())
        print(f"jobs={jobs}: {count} {kind} small instances in {seconds:.1f} s = {rates[jobs]:.2f} instances/s ({statuses})")
    print(f"speed-up with 2 jobs: {rates[2] / rates[1]:.2f}x")


def loading(count: int, tmp: Path) -> None:
    seconds = {}
    for suffix in (".json", ".xlsx"):
        folder = tmp / f"load{suffix}"
        made = write_generated("random", "small", 1, 10, folder, suffix)
        files = [shutil.copy(p, folder / f"copy{k:04d}-{p.name}") for k in range(count // len(made)) for p in made]
        t0 = time.perf_counter()
        for f in files:
            planner.read_instance(f)
        seconds[suffix] = time.perf_counter() - t0
        each = 1000 * seconds[suffix] / len(files)
        print(f"load {len(files)} {suffix} instances: {seconds[suffix]:.1f} s ({each:.1f} ms each)")
    print(f"JSON loads {seconds['.xlsx'] / seconds['.json']:.1f}x faster than workbooks")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=200, help="instances in the throughput batch")
    p.add_argument("--kind", choices=("random", "parliament"), default="parliament")
    p.add_argument("--load", type=int, default=1000, help="instance files read in the loading comparison")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(a.kind, a.count, Path(tmp))
        loading(a.load, Path(tmp))


if __name__ == "__main__":
    main()
