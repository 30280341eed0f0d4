"""A batch of many small instances: is each instance's overhead, and the memory, the same at the end as at the start?

    python benchmarks/batch_scale.py [--count 10000] [--jobs 2] [--shape 4 3 6] [--keep DIR]

Writes ``--count`` generated random instances (``planner.generate.random_instance`` with
``--shape`` issues, options and groups a side, seeds 1..count; table-form JSON) into a
folder, then runs ``planner batch FOLDER --out OUT --jobs JOBS -q`` as a user would, in a
process of its own. Every quarter of a second it reads how many instances the batch has recorded
(the lines of ``manifest.journal``) and the resident memory of the batch process and of its
workers. Then it runs the same command again, which must skip every instance.

Printed: the seconds for each block of a tenth of the instances, and the CPU seconds the
batch process itself spent on it (its overhead: a batch whose bookkeeping grows with the
instances recorded spends more block by block, whatever else loads the machine), the
parent's and the largest worker's memory at each tenth, the seconds from the last instance recorded to the
end (folding the journal into the manifest, the summaries), and the second run's time.
The instances are tiny (milliseconds of HiGHS each), so that the batch's own overhead,
not the solver, is what is measured. Needs psutil (installed with the test extra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from planner.generate import random_instance  # noqa: E402
from planner.io.workbook import write_instance  # noqa: E402


def lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return 0


def memory(proc: psutil.Process) -> tuple[float, float, float]:
    """Resident MB of the process and of its largest child (a worker), and the process's own CPU seconds."""
    try:
        own = proc.memory_info().rss / 1e6
        cpu = sum(proc.cpu_times()[:2])
        children = [c.memory_info().rss / 1e6 for c in proc.children() if c.is_running()]
    except psutil.Error:
        return 0.0, 0.0, 0.0
    return own, max(children, default=0.0), cpu


def run(command: list[str], journal: Path, count: int) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(proc.pid)
    samples = []  # (seconds, instances recorded, parent MB, largest worker MB, parent CPU seconds)
    while proc.poll() is None:
        samples.append((time.perf_counter() - started, lines(journal), *memory(watched)))
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"planner batch exited {proc.returncode}:\n{proc.stderr.read()[-3000:]}")
    most = max((s[1] for s in samples), default=0)
    samples = [s for s in samples if s[1] or s is samples[0]]  # the journal is gone once folded into the manifest
    first = next((s[0] for s in samples if s[1] > 0), seconds)
    last = next((s[0] for s in samples if s[1] == most), seconds)
    return {"seconds": seconds, "samples": samples, "first_at": first, "recorded_at": last}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--shape", type=int, nargs=3, default=(4, 3, 6), metavar=("ISSUES", "OPTIONS", "GROUPS"))
    p.add_argument("--keep", metavar="DIR", help="write the instances and outputs here (default: a temporary folder)")
    a = p.parse_args()
    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="batch_scale"))
    src, out = tmp / "instances", tmp / "out"
    try:
        t0 = time.perf_counter()
        src.mkdir(parents=True, exist_ok=True)
        for seed in range(1, a.count + 1):
            path = src / f"case{seed:05d}.json"
            if not path.exists():
                write_instance(random_instance(*a.shape, seed), path)
        print(f"{a.count:,} instances of {a.shape[0]} issues x {a.shape[1]} options, {a.shape[2]} groups a side "
              f"written in {time.perf_counter() - t0:.0f} s")
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "planner", "batch", str(src), "--out", str(out), "--jobs", str(a.jobs), "-q"]
        first = run(command, out / "manifest.journal", a.count)
        samples = first["samples"]
        print(f"planner batch --jobs {a.jobs}: {first['seconds']:.0f} s, {a.count / first['seconds']:.1f} instances/s "
              f"(cpu count {os.cpu_count()})")
        print(f"start-up (finding and hashing the files, starting the workers): {first['first_at']:.1f} s")
        print("\n| instances recorded | seconds for the last tenth | batch process CPU s for it | batch process MB "
              "| largest worker MB |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        tenth = a.count // 10
        previous = next(s for s in samples if s[0] >= first["first_at"])
        for k in range(1, 11):
            at = next((s for s in samples if s[1] >= k * tenth), samples[-1])
            worker = max((s[3] for s in samples if previous[0] <= s[0] <= at[0]), default=0.0)  # largest while it ran
            print(f"| {k * tenth:,} | {at[0] - previous[0]:.1f} | {at[4] - previous[4]:.2f} | {at[2]:.0f} | {worker:.0f} |")
            previous = at
        print(f"\nafter the last instance was recorded: {first['seconds'] - first['recorded_at']:.1f} s "
              "(the journal folded into the manifest, summary.csv and summary.xlsx)")
        print(f"peak: batch process {max(s[2] for s in samples):.0f} MB, worker {max(s[3] for s in samples):.0f} MB")
        print(f"manifest.json: {(out / 'manifest.json').stat().st_size / 1e6:.1f} MB")
        again = run(command, out / "manifest.journal", 0)
        print(f"the same command again (every instance skipped): {again['seconds']:.1f} s")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
