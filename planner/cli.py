"""The ``planner`` command: parse, call the API, print. Exit codes as in the result format."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from . import __version__
from .errors import InputErrors, UsageError
from .io.limits import (
    CELLS_VARIABLE,
    DEFAULT_CELLS,
    DEFAULT_UNPACKED_MB,
    UNPACKED_VARIABLE,
)
from .processes import environment

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_SOLVER = 0, 1, 2, 3
EXIT_FAILED_SOME = 4
"""planner batch: some instances did not run (the summary says which)."""
ISSUES_URL = "the project's issue tracker"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planner", description="Best ratifiable package deals in two-level games (Putnam, 1988).")
    p.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("solve", help="find the best deal that every side ratifies")
    s.add_argument("workbook", help="instance workbook (.xlsx) or table-form instance (.json)")
    s.add_argument("--objective", choices=("own", "joint", "maxmin", "nash", "kalai", "expected", "robust"),
                   help="override Settings objective (expected, robust: under the Scenarios)")
    s.add_argument("--min-ratification", type=_probability, metavar="P",
                   help="only deals ratified with probability at least P over the Scenarios")
    s.add_argument("--samples", type=_count, metavar="N",
                   help="sample N scenarios from Groups reservation_sd (each Scenarios row becomes N)")
    s.add_argument("--seed", type=int, default=0, help="random seed of --samples (default 0)")
    s.add_argument("--home", metavar="SIDE", help="override Settings home_side")
    s.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="override Settings time_limit")
    s.add_argument("--mip-gap", type=_non_negative, metavar="GAP", help="override Settings mip_gap")
    s.add_argument("-o", "--output", metavar="PATH", help="results workbook (default: <name>-results.xlsx beside the input)")
    s.add_argument("--no-workbook", action="store_true", help="do not write the results workbook")
    s.add_argument("--json", metavar="FILE", help="write the JSON result to FILE, or to standard output with -")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    s.add_argument("--top", type=int, default=1, metavar="K", help="list the K best deals with distinct packages")
    s.add_argument("--method", choices=("auto", "mip", "bounding"), default="auto",
                   help="auto: package bounding for own/joint when packages can be listed, else the MIP")
    s.add_argument("--log", action="store_true", help="show HiGHS's progress log on standard error")

    c = sub.add_parser("check", help="validate a workbook without solving")
    c.add_argument("workbook")
    c.add_argument("--json", metavar="FILE", help="write the check's findings as JSON (- for standard output)")

    w = sub.add_parser("winset", help="how many packages each side, and every side, would ratify")
    w.add_argument("workbook")
    w.add_argument("--exact-limit", type=int, default=1_000_000, metavar="N",
                   help="count exactly up to N packages, else estimate by sampling (default 1,000,000)")
    w.add_argument("--samples", type=int, default=20_000, metavar="N", help="packages sampled beyond the limit")
    w.add_argument("--seed", type=int, default=0, help="random seed of the sample")
    w.add_argument("-o", "--output", metavar="PATH", help="also write the table as a workbook (.xlsx)")
    w.add_argument("--json", metavar="FILE", help="write the table as JSON (- for standard output)")

    f = sub.add_parser("frontier", help="the Pareto frontier of two negotiators and the bargaining solutions")
    f.add_argument("workbook")
    f.add_argument("--home", metavar="SIDE", help="the side on the horizontal axis (default: the home side)")
    f.add_argument("--other", metavar="SIDE", help="the side on the vertical axis (default: the next side)")
    f.add_argument("-o", "--output", metavar="PATH", help="frontier workbook (default: <name>-frontier.xlsx beside the input)")
    f.add_argument("--plot", metavar="BASE", help="figure files BASE.png and BASE.svg (default: beside the workbook)")
    f.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="time limit of each solve")
    f.add_argument("--json", metavar="FILE", help="write the frontier and the solutions as JSON (- for standard output)")

    h = sub.add_parser("schelling", help="tie one side's hands step by step and watch the bargaining deal")
    h.add_argument("workbook")
    h.add_argument("--side", required=True, metavar="SIDE", help="the side whose win-set shrinks")
    h.add_argument("--parameter", choices=("threshold", "reservation"), default="threshold",
                   help="raise its bodies' thresholds, or its groups' reservations (default threshold)")
    h.add_argument("--step", type=_positive, metavar="X", help="change per step (default: the useful range / steps)")
    h.add_argument("--steps", type=int, default=10, metavar="N", help="most steps (default 10); stops at no agreement")
    h.add_argument("--objective", choices=("nash", "kalai", "maxmin", "joint", "own"), default="nash",
                   help="the bargaining solution to follow (default nash)")
    h.add_argument("-o", "--output", metavar="PATH", help="workbook (default: <name>-schelling.xlsx beside the input)")
    h.add_argument("--plot", metavar="BASE", help="figure files BASE.png and BASE.svg (default: beside the workbook)")
    h.add_argument("--json", metavar="FILE", help="write the steps as JSON (- for standard output)")

    v = sub.add_parser("sweep", help="solve at every value of one or two parameters; tornado charts; the Sweeps sheet")
    v.add_argument("workbook")
    v.add_argument("--param", action="append", metavar="NAME",
                   help="a parameter, e.g. 'Sides[US].budget' (twice for a grid); see docs/sensitivity.md")
    v.add_argument("--values", action="append", metavar="SPEC",
                   help="FROM:TO:STEP or a list 1,2,5, one per --param")
    v.add_argument("--tornado", action="append", metavar="NAME",
                   help="a parameter to move down and up by --rel of its value (repeat for each)")
    v.add_argument("--rel", type=_positive, default=0.1, metavar="SHARE", help="tornado move (default 0.1)")
    v.add_argument("--objective", choices=("own", "joint", "maxmin", "nash", "kalai"), help="override Settings objective")
    v.add_argument("--home", metavar="SIDE", help="override Settings home_side")
    v.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="time limit of each solve")
    v.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="worker processes for long sweeps (default 0: one per core)")
    v.add_argument("-o", "--output", metavar="PATH", help="workbook (default: <name>-sweep.xlsx beside the input)")
    v.add_argument("--json", metavar="FILE", help="write the tables as JSON (- for standard output)")
    v.add_argument("--no-figures", action="store_true", help="write no PNG/SVG figures")
    v.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no table")

    b = sub.add_parser("batch", help="solve every instance file under folders, in worker processes; resumable")
    b.add_argument("paths", nargs="+", metavar="PATH", help="instance files (.xlsx, .json) or folders (searched recursively)")
    b.add_argument("--out", required=True, metavar="DIR", help="folder for the results, summary.csv/.xlsx and the manifest")
    b.add_argument("--xlsx", action="store_true", help="also write a results workbook per instance")
    b.add_argument("--jobs", type=int, default=0, metavar="N", help="worker processes (default 0: one per core)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="solve on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786) instead of local processes")
    b.add_argument("--instance-timeout", type=_positive, metavar="SECONDS",
                   help="stop an instance's worker after this long and record a timeout")
    b.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="HiGHS time limit of each solve")
    b.add_argument("--objective", choices=("own", "joint", "maxmin", "nash", "kalai"), help="override Settings objective")
    b.add_argument("--json", metavar="FILE", help="write the summary as JSON (- for standard output)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no table")

    c = sub.add_parser("convert", help="convert an instance between .xlsx and .json (table form)")
    c.add_argument("source")
    c.add_argument("target")
    c.add_argument("--force", action="store_true", help="replace TARGET if it exists")

    d = sub.add_parser("diagnose", help="when there is no agreement: what would make one possible, and what blocks it")
    d.add_argument("workbook")
    d.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="change a parameter first, e.g. Bodies[senate].threshold=0.75 (repeatable)")
    d.add_argument("--home", metavar="SIDE", help="the side whose negotiator checks feasibility (default: the home side)")
    d.add_argument("--weights", choices=("equal", "group"), default="equal",
                   help="cost of softening a group's reservation per unit: equal, or the group's weight")
    d.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="HiGHS time limit of each solve")
    d.add_argument("-o", "--output", metavar="PATH", help="the workbook to write (default: <workbook>-diagnosis.xlsx)")
    d.add_argument("--no-workbook", action="store_true", help="write no workbook")
    d.add_argument("--json", metavar="FILE", help="write the diagnosis as JSON (- for standard output)")
    d.add_argument("-q", "--quiet", action="store_true", help="no summary on the terminal")

    o = sub.add_parser("power", help="Banzhaf and Shapley-Shubik power of each body's members; pivotal groups of the deal")
    o.add_argument("workbook")
    o.add_argument("--body", action="append", metavar="BODY", help="only this body (repeatable; default: every body)")
    o.add_argument("--method", choices=("auto", "exact", "sample"), default="auto",
                   help="exact by dynamic programming, or sampled with an error bound (default: exact when small enough)")
    o.add_argument("--samples", type=_count, default=20_000, metavar="N", help="orderings and coalitions sampled")
    o.add_argument("--seed", type=int, default=0, help="random seed of the samples")
    o.add_argument("--no-deal", action="store_true", help="do not solve for the deal and its pivotal groups")
    o.add_argument("-o", "--output", metavar="PATH", help="the workbook to write (default: <workbook>-power.xlsx)")
    o.add_argument("--no-workbook", action="store_true", help="write no workbook")
    o.add_argument("--json", metavar="FILE", help="write the tables as JSON (- for standard output)")
    o.add_argument("-q", "--quiet", action="store_true", help="no tables on the terminal")

    n = sub.add_parser("generate", help="write synthetic instances (random, or a parliament in parties against a council)")
    n.add_argument("out_dir", metavar="OUT_DIR", help="folder for the instance files (created if missing)")
    n.add_argument("--kind", choices=("random", "parliament"), default="random", help="which family (default random)")
    n.add_argument("--size", choices=("small", "medium", "large"), default="small", help="default small")
    n.add_argument("--seed", type=int, default=1, help="seed of the first instance (default 1)")
    n.add_argument("--count", type=_count, default=1, help="instances to write, seeds SEED, SEED+1, ... (default 1)")
    n.add_argument("--format", choices=("xlsx", "json"), default="xlsx", help="instance workbooks or table-form JSON")
    n.add_argument("--force", action="store_true", help="replace files that exist")
    n.add_argument("--json", metavar="FILE", help="list the files written as JSON (- for standard output)")

    g = sub.add_parser("import-genius", help="a workbook from a GENIUS (.xml) or GeniusWeb (.json) domain and two profiles")
    g.add_argument("domain")
    g.add_argument("profile_a")
    g.add_argument("profile_b")
    g.add_argument("-o", "--output", required=True, metavar="PATH", help="the instance workbook to write (.xlsx or .json)")
    g.add_argument("--names", nargs=2, metavar=("A", "B"), help="side ids for the two parties (default: from the profiles)")
    g.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")

    t = sub.add_parser("template", help="write a blank instance workbook with notes on every column")
    t.add_argument("path")
    t.add_argument("--force", action="store_true", help="replace PATH if it exists")
    for command in sub.choices.values():  # every command reads within the same limits
        command.add_argument("--max-cells", type=_count, metavar="N",
                             help=f"refuse workbooks whose sheets span more cells (default {DEFAULT_CELLS:,}; "
                                  f"env {CELLS_VARIABLE})")
        command.add_argument("--max-unpacked-mb", type=_positive, metavar="MB",
                             help=f"refuse workbooks that unpack, or JSON files larger than this (default {DEFAULT_UNPACKED_MB}; "
                                  f"env {UNPACKED_VARIABLE})")
    return p


def _number(minimum: float, strict: bool):
    """An argparse type: a number above (``strict``) or at least ``minimum``."""
    words = f"a number {'>' if strict else '>='} {minimum:g}"

    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            x = float("nan")
        if not (x > minimum if strict else x >= minimum):
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}")
        return x

    return parse


_positive = _number(0, strict=True)
_non_negative = _number(0, strict=False)


def _probability(text: str) -> float:
    try:
        p = float(text)
    except ValueError:
        p = float("nan")
    if not 0 < p <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1], got {text!r}")
    return p


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _emit_json(data: dict, target: str) -> None:
    from .io.atomic import write_text

    text = json.dumps(data, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        write_text(target, text)


def _say(args, text: str) -> None:
    """Human-readable output: to stdout, or stderr when stdout carries JSON."""
    if getattr(args, "quiet", False):
        return
    stream = sys.stderr if getattr(args, "json", None) == "-" else sys.stdout
    print(text, file=stream)


def _output_beside(args, kind: str) -> Path:
    """``--output``, or ``<name>-<kind>.xlsx`` beside the input; never the input itself."""
    src = Path(args.workbook)
    out = Path(args.output) if args.output else src.with_name(f"{src.stem}-{kind}.xlsx")
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--output {out}: expected a path ending in .xlsx")
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise UsageError(f"--output {out}: refusing to overwrite the input workbook")
    return out


def _side(instance, option: str, side: str) -> str:
    if side not in instance.side_ids:
        raise UsageError(f"{option} {side}: not a side of the workbook (sides: {', '.join(instance.side_ids)})")
    return side


def _results_path(args) -> Path | None:
    if args.no_workbook:
        return None
    out = _output_beside(args, "results")
    if args.json and args.json != "-" and Path(args.json).resolve() == out.resolve():
        raise UsageError(f"--json {args.json}: the same path as the results workbook")
    return out


def cmd_solve(args) -> int:
    from . import (
        SolveOptions,
        read_instance,
        solve,
        top_frame,
        write_results,
    )
    from .io.report import describe_result, describe_top
    from .solving.api import top_deals

    started = time.perf_counter()  # the time limit counts from here: reading and building are part of the solve
    out = _results_path(args)
    if args.json and args.json != "-" and Path(args.json).resolve() == Path(args.workbook).resolve():
        raise UsageError(f"--json {args.json}: refusing to overwrite the input")
    instance = read_instance(args.workbook)
    if args.samples:
        from .uncertainty import with_samples

        if not any(g.reservation_sd for g in instance.groups):
            raise UsageError("--samples: no group has a reservation_sd in the Groups sheet")
        instance = with_samples(instance, args.samples, args.seed)
    if args.home is not None:
        _side(instance, "--home", args.home)
    limit = args.time_limit if args.time_limit is not None else instance.settings.time_limit
    _say(args, f"Solving {args.workbook} ({instance.package_count:,} packages, time limit {limit:g} s) ...")
    options = SolveOptions(log=sys.stderr if args.log else None, method=args.method, deadline=started + limit)
    if args.top < 1:
        raise UsageError(f"--top {args.top}: expected a whole number >= 1")
    kwargs = dict(objective=args.objective, home=args.home, time_limit=args.time_limit, mip_gap=args.mip_gap, options=options)
    uncertain = args.min_ratification is not None or (args.objective or instance.settings.objective) in ("expected", "robust")
    if uncertain and args.top > 1:
        raise UsageError("--top lists deals under the workbook's own values; it does not combine with scenarios")
    if uncertain:
        kwargs["min_ratification"] = args.min_ratification
    top, result = top_deals(instance, args.top, **kwargs) if args.top > 1 else ([], solve(instance, **kwargs))
    data = result.to_dict()
    if top:
        data["top"] = top_frame(top).to_dict(orient="records")
    if out is not None:  # files first, so that a closed terminal pipe cannot cost them
        write_results(result, out, top)
    if args.json and args.json != "-":
        _emit_json(data, args.json)
    text = describe_result(result)
    if top:
        text += "\n\n" + describe_top(top_frame(top))
    _say(args, text + (f"\n\nResults workbook: {out}" if out is not None else ""))
    if args.json == "-":
        _emit_json(data, "-")
    return EXIT_SOLVER if result.status == "unknown" else EXIT_OK


def cmd_check(args) -> int:
    from . import read_instance
    from .io.report import describe_instance

    try:
        instance = read_instance(args.workbook)
    except InputErrors as exc:
        if args.json:
            _emit_json({"valid": False, "errors": [e.to_dict() for e in exc.errors]}, args.json)
        raise
    _say(args, describe_instance(instance))
    _say(args, "\nThe workbook is valid.")
    if args.json:
        _emit_json({"valid": True, "errors": [], "sides": len(instance.sides), "issues": len(instance.issues),
                    "packages": instance.package_count, "groups": len(instance.groups), "bodies": len(instance.bodies)},
                   args.json)
    return EXIT_OK


def cmd_template(args) -> int:
    from .io.template import write_template

    path = Path(args.path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"template {path}: expected a path ending in .xlsx")
    if path.exists() and not args.force:
        raise UsageError(f"template {path}: the file exists (use --force to replace it)")
    write_template(path)
    print(f"Template written to {path}. Fill it in, then run: planner check {path}")
    return EXIT_OK


def cmd_winset(args) -> int:
    from . import read_instance
    from .analysis.winset import joint_winset_empty, winset_sizes
    from .io.frames import write_frames
    from .io.report import describe_winsets

    if args.output and Path(args.output).suffix.lower() != ".xlsx":
        raise UsageError(f"--output {args.output}: expected a path ending in .xlsx")
    instance = read_instance(args.workbook)
    table = winset_sizes(instance, exact_limit=args.exact_limit, samples=args.samples, seed=args.seed)
    empty = None if table["exact"].all() else joint_winset_empty(instance)
    _say(args, describe_winsets(instance, table, empty))
    if args.output:
        write_frames({"Winsets": table}, args.output)
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, "winsets": table.to_dict(orient="records"),
                    "joint_empty": bool(table.set_index("side").loc["joint", "packages"] == 0) if empty is None else empty},
                   args.json)
    return EXIT_OK


def cmd_frontier(args) -> int:
    from . import read_instance
    from .analysis.frontier import bargaining_frame, bargaining_points, pareto_frontier
    from .io.analysis_excel import write_frontier
    from .io.report import describe_frame
    from .plots import save_figure, utility_space_figure

    out = _output_beside(args, "frontier")
    instance = read_instance(args.workbook)
    home = _side(instance, "--home", args.home or instance.home)
    other = _side(instance, "--other", args.other or next(s for s in instance.side_ids if s != home))
    if home == other:
        raise UsageError("--home and --other must be different sides")
    _say(args, f"Tracing the frontier of {home} and {other} ...")
    frontier = pareto_frontier(instance, home, other, time_limit=args.time_limit)
    points = bargaining_points(instance, time_limit=args.time_limit)
    frame, bargaining = frontier.to_frame(instance), bargaining_frame(points, home, other)
    solutions = {k: (r.evaluation.negotiator_utility[home], r.evaluation.negotiator_utility[other])
                 for k, r in points.items() if r.has_deal}
    base = Path(args.plot) if args.plot else out.with_suffix("")
    figures = save_figure(utility_space_figure(instance, frontier, solutions), base)
    write_frontier(frame, bargaining, out, figures[0])
    text = describe_frame(f"Pareto frontier of {home} and {other}: {len(frame)} deals"
                          + ("" if frontier.complete else " (stopped before the end)"), frame)
    text += "\n\n" + describe_frame("Bargaining solutions", bargaining)
    _say(args, text + f"\n\nFrontier workbook: {out}\nFigure: {figures[0]}, {figures[1]}")
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, "home": home, "other": other, "complete": frontier.complete,
                    "frontier": frame.to_dict(orient="records"), "bargaining": bargaining.to_dict(orient="records")},
                   args.json)
    return EXIT_OK


def cmd_schelling(args) -> int:
    from . import read_instance
    from .analysis.schelling import tie_hands
    from .io.frames import write_frames
    from .io.report import describe_frame
    from .plots import save_figure, tying_hands_figure

    out = _output_beside(args, "schelling")
    if args.steps < 1:
        raise UsageError(f"--steps {args.steps}: expected a whole number >= 1")
    instance = read_instance(args.workbook)
    _side(instance, "--side", args.side)
    try:
        table = tie_hands(instance, args.side, args.parameter, args.step, args.steps, args.objective)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    base = Path(args.plot) if args.plot else out.with_suffix("")
    figures = save_figure(tying_hands_figure(table, args.side, args.parameter, instance.side_ids), base)
    write_frames({"Schelling": table}, out)
    _say(args, describe_frame(f"Tying {args.side}'s hands ({args.parameter}, {args.objective} deal)", table)
         + f"\n\nWorkbook: {out}\nFigure: {figures[0]}, {figures[1]}")
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, "side": args.side, "parameter": args.parameter,
                    "objective": args.objective, "steps": _records(table)},
                   args.json)
    return EXIT_OK


def cmd_sweep(args) -> int:
    from tqdm import tqdm

    from . import read_instance
    from .io.analysis_excel import sheet_names, write_sweeps
    from .plots import save_figure, sweep_figure, tornado_figure

    out = _output_beside(args, "sweep")
    instance = read_instance(args.workbook)
    if args.home is not None:
        _side(instance, "--home", args.home)
    studies = _studies(args, instance)
    bar = tqdm(total=sum(s.size() for s in studies), unit="point", file=sys.stderr, disable=args.quiet, desc="sweep")
    tables = []
    try:
        for study in studies:
            before = bar.n

            def advance(done, total, before=before):
                bar.update(before + done - bar.n)

            tables.append(study.run(instance, objective=args.objective, home=args.home, time_limit=args.time_limit,
                                    jobs=args.jobs, progress=advance))
            bar.update(before + study.size() - bar.n)
    finally:
        bar.close()
    entries = [(s.name, s.kind, s.parameters, t) for s, t in zip(studies, tables)]
    write_sweeps(entries, out, instance.side_ids)
    figures = [] if args.no_figures else [
        save_figure(tornado_figure(t) if s.kind == "tornado" else sweep_figure(t, s.parameters, instance.side_ids),
                    out.with_name(f"{out.stem}-{sheet}"))[0]
        for s, t, sheet in zip(studies, tables, sheet_names([s.name for s in studies]))]
    _say(args, "\n\n".join(_describe_study(s, t, instance.side_ids) for s, t in zip(studies, tables))
         + f"\n\nWorkbook: {out}" + "".join(f"\nFigure: {f}" for f in figures))
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, "studies": [
            {"name": s.name, "kind": s.kind, "parameters": s.parameters, "rows": _records(t)}
            for s, t in zip(studies, tables)]}, args.json)
    return EXIT_OK


def _studies(args, instance) -> list:
    """The studies the command line asks for, else the workbook's Sweeps sheet."""
    from .analysis.params import check_values, value_of
    from .analysis.sweep import Study, parse_values
    from .errors import ParameterError
    from .io.sweeps_sheet import read_studies

    studies = []
    if args.param or args.values:
        if len(args.param or ()) != len(args.values or ()) or len(args.param) > 2:
            raise UsageError("give one --values after each --param, for one or two parameters")
        try:
            grid = {name: parse_values(spec) for name, spec in zip(args.param, args.values)}
        except ValueError as exc:
            raise UsageError(f"--values: {exc}") from None
        studies.append(Study("Sweep", "grid", grid=grid))
    if args.tornado:
        studies.append(Study("Tornado", "tornado", moves={name: args.rel for name in args.tornado}))
    try:  # every name and value is checked before the first solve
        for study in studies:
            for name, values in study.grid.items():
                check_values(instance, name, values)
            for name in study.moves:
                if value_of(instance, name) is None:
                    raise ParameterError(f"{name} is blank in the workbook, so a tornado cannot move it")
    except ParameterError as exc:
        raise UsageError(f"--param {exc}") from None
    studies = studies or read_studies(args.workbook, instance)
    if not studies:
        raise UsageError("nothing to sweep: give --param and --values, or --tornado, or add a Sweeps sheet to the workbook")
    return studies


def _describe_study(study, table, sides) -> str:
    from .analysis.sweep import turning_points
    from .io.report import describe_frame

    if study.kind == "tornado":
        shown = table[["parameter", "base", "low", "high", "objective_low", "objective_base", "objective_high", "swing"]]
        return describe_frame(f"Tornado ({len(table)} parameters, largest swing first)", shown)
    columns = study.parameters + ["status", "objective_value"] + [f"U_{s}" for s in sides]
    points = turning_points(table, study.parameters) if len(table) > 25 else table
    title = (f"{study.name}: sweep of {' x '.join(study.parameters)} ({len(table)} points, "
             f"{int(table['inferred'].sum())} proven without a solve)")
    if len(points) < len(table):
        title += "; each line's ends and every change of status or package"
    return describe_frame(title, points[columns + ["package_changed"]])


def _records(table) -> list[dict]:
    return table.astype(object).where(table.notna(), None).to_dict(orient="records")


def cmd_batch(args) -> int:
    from collections import Counter

    from tqdm import tqdm

    from .batch import FAILED, BatchOptions, discover, run_batch
    from .errors import SchedulerUnreachable
    from .io.report import describe_frame

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    files = discover(args.paths, out)
    options = BatchOptions(objective=args.objective, time_limit=args.time_limit,
                           instance_timeout=args.instance_timeout, xlsx=args.xlsx)
    counts: Counter = Counter()
    bar = tqdm(total=len(files), unit="instance", file=sys.stderr, disable=args.quiet, desc="batch")

    def advance(row: dict) -> None:
        counts[row["status"]] += 1
        bar.set_postfix(dict(counts), refresh=False)
        bar.update(1)

    try:
        summary = run_batch(args.paths, out, options, jobs=args.jobs or None, progress=advance, scheduler=args.scheduler)
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
    text = (f"{len(summary)} instances: " + ", ".join(f"{n} {s}" for s, n in summary["status"].value_counts().items())
            + (f" ({skipped} unchanged since the last run, not solved again)" if skipped else "")
            + f"\nSummary: {out / 'summary.csv'}, {out / 'summary.xlsx'}")
    if len(failed):
        shown = failed[["file", "status", "error"]].assign(error=failed["error"].str.replace(r"\s*\n\s*", " ", regex=True))
        text += "\n\n" + describe_frame("Instances that did not run", shown)
    _say(args, text)
    if args.json:
        _emit_json({"format": 1, "instances": _records(summary)}, args.json)
    return EXIT_FAILED_SOME if len(failed) else EXIT_OK


def cmd_convert(args) -> int:
    from . import read_instance
    from .io.workbook import write_instance

    source, target = Path(args.source), Path(args.target)
    for path, what in ((source, "SOURCE"), (target, "TARGET")):
        if path.suffix.lower() not in (".xlsx", ".json"):
            raise UsageError(f"{what} {path}: expected a path ending in .xlsx or .json")
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise UsageError(f"TARGET {target}: refusing to overwrite the source")
    if target.exists() and not args.force:
        raise UsageError(f"TARGET {target}: the file exists (use --force to replace it)")
    write_instance(read_instance(source), target)
    print(f"{source} -> {target}")
    return EXIT_OK


def _with_settings_applied(instance, changes: list[str]):
    """The instance with each ``NAME=VALUE`` of ``--set`` applied."""
    from .analysis.params import apply
    from .errors import ParameterError

    for change in changes:
        name, sep, value = change.rpartition("=")
        try:
            number = float(value) if sep else None
        except ValueError:
            number = None
        if number is None:
            raise UsageError(f"--set {change}: expected NAME=NUMBER")
        try:
            instance = apply(instance, name, number)
        except ParameterError as exc:
            raise UsageError(f"--set {change}: {exc}") from None
    return instance


def cmd_diagnose(args) -> int:
    from tqdm import tqdm

    from . import read_instance
    from .analysis.diagnose import as_dict, diagnose
    from .io.frames import write_frames
    from .solving.options import SolveOptions

    out = None if args.no_workbook else _output_beside(args, "diagnosis")
    instance = _with_settings_applied(read_instance(args.workbook), args.set)
    home = _side(instance, "--home", args.home) if args.home else None
    bar = tqdm(unit=" solves", desc="diagnose", file=sys.stderr, disable=args.quiet)
    try:
        found = diagnose(instance, home=home, weights=args.weights,
                         options=SolveOptions(time_limit=args.time_limit, mip_gap=0.0), progress=lambda: bar.update(1))
    finally:
        bar.close()
    _say(args, f"{instance.settings.title or instance.name}: " + ("agreement is possible" if found.agreement else
         "no agreement") + f" ({found.checks} solves)\n" + "\n".join(f"- {line}" for line in found.sentences()))
    if out is not None:
        write_frames({"Diagnosis": found.frame()}, out)
        _say(args, f"Diagnosis workbook: {out}")
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, **as_dict(found)}, args.json)
    return EXIT_OK


def cmd_power(args) -> int:
    from . import read_instance, solve
    from .analysis.power import pivotal_groups, power_indices
    from .io.frames import write_frames
    from .io.report import describe_frame

    out = None if args.no_workbook else _output_beside(args, "power")
    instance = read_instance(args.workbook)
    known = [b.id for b in instance.bodies]
    for b in args.body or []:
        if b not in known:
            raise UsageError(f"--body {b}: not a body of the workbook (bodies: {', '.join(known)})")
    table = power_indices(instance, body=args.body, method=args.method, samples=args.samples, seed=args.seed)
    frames = {"Power": table}
    shown = table[["body", "group", "weight", "banzhaf", "shapley_shubik", "method"]]
    text = describe_frame("Voting power (Banzhaf normalised, Shapley-Shubik)", shown)
    if not args.no_deal:
        result = solve(instance)
        if result.has_deal:
            pivots = pivotal_groups(instance, result.deal)
            frames["Pivotal"] = pivots
            chosen = pivots[pivots["pivotal"] | pivots["side_pivotal"]]
            text += "\n\n" + describe_frame(f"Pivotal groups of the best deal ({result.status}): their switch alone sinks a vote",
                                             chosen[["body", "group", "supports", "margin", "pivotal", "side_pivotal"]])
        else:
            text += f"\n\nNo deal to examine for pivotal groups ({result.status})."
    _say(args, text)
    if out is not None:
        write_frames(frames, out)
        _say(args, f"Power workbook: {out}")
    if args.json:
        _emit_json({"format": 1, "instance": instance.name, **{k.lower(): _records(v) for k, v in frames.items()}}, args.json)
    return EXIT_OK


def cmd_generate(args) -> int:
    from .generate import SIZES, write_generated

    try:
        paths = write_generated(args.kind, args.size, args.seed, args.count, args.out_dir, f".{args.format}", args.force)
    except FileExistsError as exc:
        raise UsageError(f"{exc} exists (use --force to replace)") from None
    shape = "x".join(map(str, SIZES[args.kind][args.size]))
    _say(args, f"{len(paths)} {args.kind} instance(s) of size {args.size} ({shape}) written to {args.out_dir}:\n"
         + "\n".join(f"  {p.name}" for p in paths))
    if args.json:
        _emit_json({"format": 1, "kind": args.kind, "size": args.size, "files": [str(p) for p in paths]}, args.json)
    return EXIT_OK


def cmd_import_genius(args) -> int:
    from .io.genius import import_genius
    from .io.workbook import write_instance

    out = Path(args.output)
    if out.suffix.lower() not in (".xlsx", ".json"):
        raise UsageError(f"--output {out}: expected a path ending in .xlsx or .json")
    if out.exists() and not args.force:
        raise UsageError(f"--output {out}: the file exists (use --force to replace it)")
    if out.resolve() in {Path(p).resolve() for p in (args.domain, args.profile_a, args.profile_b)}:
        raise UsageError(f"--output {out}: refusing to overwrite an input")
    instance = import_genius(args.domain, args.profile_a, args.profile_b, tuple(args.names) if args.names else None)
    write_instance(instance, out)
    print(f"{instance.settings.title}: {len(instance.issues)} issues, {instance.package_count:,} packages; written to {out}")
    return EXIT_OK


COMMANDS = {"batch": cmd_batch, "convert": cmd_convert, "diagnose": cmd_diagnose, "generate": cmd_generate,
            "power": cmd_power, "import-genius": cmd_import_genius, "frontier": cmd_frontier, "schelling": cmd_schelling,
            "sweep": cmd_sweep, "solve": cmd_solve, "check": cmd_check, "winset": cmd_winset, "template": cmd_template}


def _refuse_overwriting_inputs(args) -> None:
    """No output of any command may be one of its input files (also through a link)."""
    inputs = [Path(getattr(args, name)) for name in ("workbook", "source", "domain", "profile_a", "profile_b")
              if getattr(args, name, None)]
    outputs = [(option, Path(value)) for option, name in (("--output", "output"), ("--json", "json"), ("TARGET", "target"))
               if (value := getattr(args, name, None)) and value != "-"]
    if getattr(args, "plot", None):
        outputs += [("--plot", Path(args.plot).with_suffix(suffix)) for suffix in (".png", ".svg")]
    if args.command == "batch":
        from .batch import MANIFEST, discover, output_names

        files = discover([p for p in args.paths if Path(p).exists()], args.out)
        inputs += files
        out = Path(args.out)
        outputs += [("--out", out / name) for name in ("summary.csv", "summary.xlsx", MANIFEST)]
        for stem in output_names(files).values():
            outputs += [("--out", out / f"{stem}.result.json"), ("--out", out / f"{stem}-results.xlsx")]
    for option, target in outputs:
        for source in inputs:
            if _same_file(target, source):
                raise UsageError(f"{option} {target}: refusing to overwrite the input {source}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _reading_limits(args) -> contextlib.AbstractContextManager[None]:
    """``--max-cells`` and ``--max-unpacked-mb`` as the environment of this run (worker processes inherit it)."""
    given = {CELLS_VARIABLE: args.max_cells, UNPACKED_VARIABLE: args.max_unpacked_mb}
    return environment({name: repr(value) for name, value in given.items() if value is not None})


def _negative_values_attached(argv: list[str]) -> list[str]:
    """``--values -3:0:0.5`` as ``--values=-3:0:0.5``: argparse would read the range as an option."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--values" and arg[:1] == "-" and (arg[1:2].isdigit() or arg[1:2] == "."):
            out[-1] = f"--values={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_negative_values_attached(sys.argv[1:] if argv is None else list(argv)))
    try:
        _refuse_overwriting_inputs(args)
        with _reading_limits(args):
            return COMMANDS[args.command](args)
    except InputErrors as exc:
        print(exc.message(), file=sys.stderr)
        return EXIT_INPUT
    except UsageError as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # the reader went away (e.g. `planner solve X | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted; no output was written", file=sys.stderr)
        return 130
    except Exception:  # a bug: say where it happened and where to report it
        print(traceback.format_exc(), file=sys.stderr)
        print(f"planner: internal error (a bug). Please report it, with the input, on {ISSUES_URL}.", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
