"""``planner solve``: the best deal that every side ratifies, its summary, workbook and JSON."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from .. import deadline, objectives
from ..errors import DeadlinePassed, UsageError
from ..solving.methods import choices as method_choices
from .common import (
    EXIT_OK,
    EXIT_SOLVER,
    Command,
    count,
    emit_json,
    known_side,
    non_negative,
    output_beside,
    positive,
    probability,
    say,
)


def arguments(s) -> None:
    s.add_argument("workbook", help="instance workbook (.xlsx) or table-form instance (.json)")
    s.add_argument("--objective", choices=objectives.names(),
                   help="override Settings objective (expected, robust: under the Scenarios)")
    s.add_argument("--min-ratification", type=probability, metavar="P",
                   help="only deals ratified with probability at least P over the Scenarios")
    s.add_argument("--samples", type=count, metavar="N",
                   help="sample N scenarios from Groups reservation_sd (each Scenarios row becomes N)")
    s.add_argument("--seed", type=int, default=0, help="random seed of --samples (default 0)")
    s.add_argument("--home", metavar="SIDE", help="override Settings home_side")
    s.add_argument("--time-limit", type=positive, metavar="SECONDS", help="override Settings time_limit")
    s.add_argument("--mip-gap", type=non_negative, metavar="GAP", help="override Settings mip_gap")
    s.add_argument("-o", "--output", metavar="PATH", help="results workbook (default: <name>-results.xlsx beside the input)")
    s.add_argument("--no-workbook", action="store_true", help="do not write the results workbook")
    s.add_argument("--json", metavar="FILE", help="write the JSON result to FILE, or to standard output with -")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    s.add_argument("--top", type=int, default=1, metavar="K", help="list the K best deals with distinct packages")
    s.add_argument("--method", choices=method_choices(), default="auto",
                   help="auto: the package tree for own/joint, else the MIP; tree, bounding, cuts or mip force one")
    s.add_argument("--log", action="store_true", help="show HiGHS's progress log on standard error")


def _results_path(args) -> Path | None:
    if args.no_workbook:
        return None
    out = output_beside(args, "results")
    if args.json and args.json != "-" and Path(args.json).resolve() == out.resolve():
        raise UsageError(f"--json {args.json}: the same path as the results workbook")
    return out


def run_solve(args) -> int:
    started = time.perf_counter()  # the time limit counts from here: importing the solver, reading and building are part of it
    from ..io.excel_read import read_instance
    from ..report.results_workbook import write_results
    from ..report.terminal import count_text, describe_result, describe_top
    from ..result import top_frame, unread_result
    from ..solving.api import solve, top_deals
    from ..solving.options import SolveOptions

    out = _results_path(args)
    if args.json and args.json != "-" and Path(args.json).resolve() == Path(args.workbook).resolve():
        raise UsageError(f"--json {args.json}: refusing to overwrite the input")
    if args.top < 1:
        raise UsageError(f"--top {args.top}: expected a whole number >= 1")
    try:
        with deadline.until(started + args.time_limit if args.time_limit is not None else None):
            instance = read_instance(args.workbook)
    except DeadlinePassed as exc:  # no instance, so no workbook: the JSON result and a message say why
        note = f"{exc}; no deal was searched for"
        data = unread_result(Path(args.workbook).stem, note, args.objective, args.home, time.perf_counter() - started)
        if args.json and args.json != "-":
            emit_json(data, args.json)
        say(args, f"{args.workbook}: unknown: {note} (--time-limit {args.time_limit:g} s)")
        if args.json == "-":
            emit_json(data, "-")
        return EXIT_SOLVER
    if args.samples:
        from ..uncertainty import with_samples

        if not any(g.reservation_sd for g in instance.groups):
            raise UsageError("--samples: no group has a reservation_sd in the Groups sheet")
        instance = with_samples(instance, args.samples, args.seed)
    if args.home is not None:
        known_side(instance, "--home", args.home)
    limit = args.time_limit if args.time_limit is not None else instance.settings.time_limit
    say(args, f"Solving {args.workbook} ({count_text(instance.package_count)} packages, time limit {limit:g} s) ...")
    options = SolveOptions(log=sys.stderr if args.log else None, method=args.method, deadline=started + limit)
    kwargs = dict(objective=args.objective, home=args.home, time_limit=args.time_limit, mip_gap=args.mip_gap, options=options)
    uncertain = args.min_ratification is not None or objectives.of(args.objective or instance.settings.objective).uncertain
    if uncertain and args.top > 1:
        raise UsageError("--top lists deals under the workbook's own values; it does not combine with scenarios")
    chosen = args.objective or instance.settings.objective
    if args.min_ratification is not None and objectives.of(chosen).needs_ideal:
        raise UsageError(f"--min-ratification: the {chosen} objective is defined by an ideal point without the "
                         "scenarios; use own, joint, maxmin or nash with a ratification floor")
    if uncertain:
        kwargs["min_ratification"] = args.min_ratification
    top, result = top_deals(instance, args.top, **kwargs) if args.top > 1 else ([], solve(instance, **kwargs))
    if result.status == "no_agreement" and not uncertain:
        from ..analysis.deadlock import explain

        why = explain(instance, result.home, args.time_limit, started + limit, str(args.workbook), result.objective)
        result = dataclasses.replace(result, no_agreement=why.to_dict())
    data = result.to_dict()
    if top:
        data["top"] = top_frame(top).to_dict(orient="records")
    if out is not None:  # files first, so that a closed terminal pipe cannot cost them
        write_results(result, out, top)
    if args.json and args.json != "-":
        emit_json(data, args.json)
    text = describe_result(result)
    if top:
        text += "\n\n" + describe_top(top_frame(top))
    say(args, text + (f"\n\nResults workbook: {out}" if out is not None else ""))
    if args.json == "-":
        emit_json(data, "-")
    return EXIT_SOLVER if result.status == "unknown" else EXIT_OK


SOLVE = Command("solve", "find the best deal that every side ratifies", arguments, run_solve)
