"""The long fuzz: many mutated workbooks and JSON instances through ``planner solve``.

    python benchmarks/fuzz.py [--cases 10000] [--seed 0] [--crashes DIR] [--json FILE]

Cases come from the Hypothesis strategy of ``tests/fuzz.py`` (mutations of valid instances:
wrong types, blanks, deleted and duplicated rows and sheets, swapped and renamed columns,
huge and tiny numbers, NaN and infinity texts, Unicode and whitespace in ids, formulas with
and without cached values, error values, merged cells, hidden sheets, dates where numbers
belong, far-away cells, damaged and truncated files, macros, DTDs), each run in this process
through ``planner.cli.main`` with a 5 s time limit; every fifth writes a results workbook
too. Each outcome is sorted as in the tests: a valid result (exit 0 or 3, a deal the
evaluator finds feasible), a clean error (exit 2, every problem located) or a crash
(anything else). Crashing cases are saved under ``--crashes`` with their stderr. Printed at
the end, and written to ``--json``: cases tried, clean errors, valid results, crashes, and
the time taken. The README's "Reliability" section quotes the last run.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from tests import fuzz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crashes", default="fuzz-crashes", help="folder for crashing cases (default fuzz-crashes)")
    parser.add_argument("--json", help="write the counts as JSON")
    args = parser.parse_args()

    counts: collections.Counter = collections.Counter()
    codes: collections.Counter = collections.Counter()
    crashes = Path(args.crashes)
    work = Path(tempfile.mkdtemp(prefix="planner-fuzz-"))
    started = time.perf_counter()

    @settings(max_examples=args.cases, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(fuzz.cases())
    def run(case: fuzz.Case) -> None:
        n = sum(counts.values())
        try:
            outcome = fuzz.run_case(case, work / "case", time_limit=5, workbook=n % 5 == 0)
        except Exception:  # noqa: BLE001  (a fault of the fuzzer's own writing is recorded, not fatal)
            outcome = fuzz.Outcome("fuzzer_error", None, traceback.format_exc())
        counts[outcome.kind] += 1
        codes[outcome.code] += 1
        if outcome.kind in ("crash", "fuzzer_error"):
            target = crashes / f"case{n:05d}"
            target.mkdir(parents=True, exist_ok=True)
            for f in (work / "case").glob("case.*"):
                shutil.copy(f, target / f.name)
            (target / "report.txt").write_text(f"{case!r}\n\n{outcome.why}\n\n{outcome.stderr}", encoding="utf-8")
        if (n + 1) % 500 == 0:
            print(f"{n + 1} cases: {dict(counts)}", file=sys.stderr, flush=True)

    hypothesis_seed(args.seed)(run)()
    shutil.rmtree(work, ignore_errors=True)
    summary = {"cases": sum(counts.values()), "valid_results": counts["valid"], "clean_errors": counts["clean"],
               "crashes": counts["crash"], "fuzzer_errors": counts["fuzzer_error"],
               "exit_codes": {str(k): v for k, v in sorted(codes.items(), key=lambda kv: str(kv[0]))},
               "seconds": round(time.perf_counter() - started, 1), "seed": args.seed}
    print(json.dumps(summary, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
