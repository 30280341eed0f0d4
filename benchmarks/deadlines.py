"""How far past its time limit ``planner solve`` returns, on instances that take longer to read and build.

    python benchmarks/deadlines.py [--repeat 1]

Writes the large generated instance (``planner generate --kind random --size large``: 60
issues of 8 options, 500 groups a side) as a workbook and as JSON, and 10,000 issues of 2
options with 5 groups a side as JSON, then solves each with several limits, each run in a
fresh process as a user would (``python -m planner solve FILE --time-limit
S --no-workbook --json -``). Printed per run: the limit, the seconds from starting the process
to its end (Python's start-up included), how far past the limit that is, the status and the
note that says where the time ran out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.generate import generate, random_instance  # noqa: E402
from planner.io.workbook import write_instance  # noqa: E402


def solve(path: Path, limit: float) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "planner", "solve", str(path), "--time-limit", str(limit), "--no-workbook",
                           "--json", "-", "-q"], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        raise SystemExit(f"planner solve exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return seconds, json.loads(proc.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=1, help="runs of each file and limit")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        large = generate("random", "large", 1)
        runs = []
        for suffix in (".xlsx", ".json"):
            write_instance(large, folder / f"large{suffix}")
            runs += [(folder / f"large{suffix}", limit) for limit in (5, 8, 12)]
        write_instance(random_instance(10_000, 2, 5, 1), folder / "issues10000.json")
        runs.append((folder / "issues10000.json", 10))
        print("| file | limit s | process ended after s | past the limit s | status | where the time ran out |")
        print("| --- | ---: | ---: | ---: | --- | --- |")
        for path, limit in runs:
            for _ in range(a.repeat):
                seconds, data = solve(path, limit)
                note = next((n for n in data["notes"] if "time limit" in n), "")
                print(f"| {path.name} | {limit} | {seconds:.2f} | {seconds - limit:+.2f} | {data['status']} | {note} |",
                      flush=True)


if __name__ == "__main__":
    main()
