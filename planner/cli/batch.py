"""``planner batch``: solve every instance file under folders, in worker processes or on a cluster."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import objectives
from ..errors import UsageError
from .common import EXIT_FAILED_SOME, EXIT_OK, Command, emit_json, non_negative_count, positive, records, say


def arguments(b) -> None:
    b.add_argument("paths", nargs="+", metavar="PATH", help="instance files (.xlsx, .json) or folders (searched recursively)")
    b.add_argument("--out", required=True, metavar="DIR", help="folder for the results, summary.csv/.xlsx and the manifest")
    b.add_argument("--xlsx", action="store_true", help="also write a results workbook per instance")
    b.add_argument("--jobs", type=int, default=0, metavar="N", help="worker processes (default 0: one per core)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="solve on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786) instead of local processes")
    b.add_argument("--instance-timeout", type=positive, metavar="SECONDS",
                   help="stop an instance's worker after this long and record a timeout")
    b.add_argument("--time-limit", type=positive, metavar="SECONDS",
                   help="time limit of each instance, from reading it to its last solve (default: its Settings)")
    b.add_argument("--retries", type=non_negative_count, default=1, metavar="N",
                   help="try an instance whose worker crashed or timed out up to N more times in this run (default 1; "
                        "every later run tries it again anyway)")
    b.add_argument("--objective", choices=objectives.names(uncertain=False), help="override Settings objective")
    b.add_argument("--json", metavar="FILE", help="write the summary as JSON (- for standard output)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no table")


def files(args) -> tuple[list[Path], list[tuple[str, Path]]]:
    """The instance files a batch reads, and every file it writes into ``--out``."""
    from ..batch import JOURNAL, LOCK, MANIFEST, discover, output_names

    sources = discover([p for p in args.paths if Path(p).exists()], args.out)
    out = Path(args.out)
    outputs = [("--out", out / name) for name in ("summary.csv", "summary.xlsx", MANIFEST, JOURNAL, LOCK)]
    for stem in output_names(sources).values():
        outputs += [("--out", out / f"{stem}.result.json"), ("--out", out / f"{stem}-results.xlsx")]
    return [s.path for s in sources], outputs


def _nothing_to_solve(args, out: Path) -> UsageError:
    """Why no instance was found: none under the paths, or every one inside ``--out``."""
    from ..batch import discover

    paths = ", ".join(args.paths)
    inside = discover(args.paths)
    if inside:
        return UsageError(f"--out {out}: every instance file under {paths} ({len(inside):,}) lies inside the output "
                          "folder, whose files are taken for the batch's own outputs; give an output folder that holds "
                          f"no inputs (for example --out {out / 'runs'})")
    return UsageError(f"no instance files (.xlsx or .json) under {paths}")


def run_batch(args) -> int:
    from collections import Counter

    from tqdm import tqdm

    from ..batch import FAILED, BatchOptions, discover
    from ..batch import run_batch as solve_instances
    from ..errors import OutputBusy, SchedulerUnreachable
    from ..report.terminal import describe_frame

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    found = discover(args.paths, out)
    if not found:
        raise _nothing_to_solve(args, out)
    options = BatchOptions(objective=args.objective, time_limit=args.time_limit,
                           instance_timeout=args.instance_timeout, xlsx=args.xlsx)
    counts: Counter = Counter()
    bar = tqdm(total=len(found), unit="instance", file=sys.stderr, disable=args.quiet, desc="batch")

    def advance(row: dict) -> None:
        counts[row["status"]] += 1
        bar.set_postfix(dict(counts), refresh=False)
        bar.update(1)

    try:
        summary = solve_instances(args.paths, out, options, jobs=args.jobs or None, progress=advance, scheduler=args.scheduler,
                                  retries=args.retries)
    except OutputBusy:
        bar.close()
        raise
    except SchedulerUnreachable as exc:
        bar.close()
        raise UsageError(f"--scheduler: {exc}") from None
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: {sum(counts.values())} instances finished this run and are kept in {out}; "
              "run the same command again to resume", file=sys.stderr)
        return 130
    bar.close()
    failed = summary[summary["status"].isin(FAILED)]
    skipped = int(summary["skipped"].sum())
    retried = int((summary["attempts"] > 1).sum())
    text = (f"{len(summary)} instances: " + ", ".join(f"{n} {s}" for s, n in summary["status"].value_counts().items())
            + (f" ({skipped} unchanged since the last run, not solved again)" if skipped else "")
            + (f"; {retried} tried again after a crash or time-out" if retried else "")
            + f"\nSummary: {out / 'summary.csv'}, {out / 'summary.xlsx'}")
    if len(failed):
        shown = failed[["file", "status", "error"]].assign(error=failed["error"].str.replace(r"\s*\n\s*", " ", regex=True))
        text += "\n\n" + describe_frame("Instances that did not run", shown)
    say(args, text)
    if args.json:
        emit_json({"format": 1, "instances": records(summary)}, args.json)
    return EXIT_FAILED_SOME if len(failed) else EXIT_OK


BATCH = Command("batch", "solve every instance file under folders, in worker processes; resumable", arguments, run_batch,
                files)
