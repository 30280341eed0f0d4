"""The analysis commands: ``winset``, ``frontier``, ``schelling``, ``sweep``, ``diagnose`` and ``power``."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import objectives
from ..errors import UsageError
from .common import EXIT_OK, Command, count, emit_json, known_side, output_beside, positive, records, say


# -- winset ----------------------------------------------------------------------------------------
def winset_arguments(w) -> None:
    w.add_argument("workbook")
    w.add_argument("--exact-limit", type=int, default=1_000_000, metavar="N",
                   help="count exactly up to N packages, else estimate by sampling (default 1,000,000)")
    w.add_argument("--samples", type=int, default=20_000, metavar="N", help="packages sampled beyond the limit")
    w.add_argument("--seed", type=int, default=0, help="random seed of the sample")
    w.add_argument("-o", "--output", metavar="PATH", help="also write the table as a workbook (.xlsx)")
    w.add_argument("--json", metavar="FILE", help="write the table as JSON (- for standard output)")


def run_winset(args) -> int:
    from ..analysis.winset import joint_winset_empty, winset_sizes
    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import write_frames
    from ..report.terminal import describe_winsets

    if args.output and Path(args.output).suffix.lower() != ".xlsx":
        raise UsageError(f"--output {args.output}: expected a path ending in .xlsx")
    instance = read_instance(args.workbook)
    table = winset_sizes(instance, exact_limit=args.exact_limit, samples=args.samples, seed=args.seed)
    empty = None if table["exact"].all() else joint_winset_empty(instance)
    say(args, describe_winsets(instance, table, empty))
    if args.output:
        write_frames({"Winsets": table}, args.output)
    if args.json:
        emit_json({"format": 1, "instance": instance.name, "winsets": table.to_dict(orient="records"),
                   "joint_empty": bool(table.set_index("side").loc["joint", "packages"] == 0) if empty is None else empty},
                  args.json)
    return EXIT_OK


# -- frontier --------------------------------------------------------------------------------------
def frontier_arguments(f) -> None:
    f.add_argument("workbook")
    f.add_argument("--home", metavar="SIDE", help="the side on the horizontal axis (default: the home side)")
    f.add_argument("--other", metavar="SIDE", help="the side on the vertical axis (default: the next side)")
    f.add_argument("-o", "--output", metavar="PATH", help="frontier workbook (default: <name>-frontier.xlsx beside the input)")
    f.add_argument("--plot", metavar="BASE", help="figure files BASE.png and BASE.svg (default: beside the workbook)")
    f.add_argument("--time-limit", type=positive, metavar="SECONDS", help="time limit of each solve")
    f.add_argument("--json", metavar="FILE", help="write the frontier and the solutions as JSON (- for standard output)")


def run_frontier(args) -> int:
    from ..analysis.frontier import bargaining_frame, bargaining_points, pareto_frontier
    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import write_frontier
    from ..report.plots import save_figure, utility_space_figure
    from ..report.terminal import describe_frame

    out = output_beside(args, "frontier")
    instance = read_instance(args.workbook)
    home = known_side(instance, "--home", args.home or instance.home)
    other = known_side(instance, "--other", args.other or next(s for s in instance.side_ids if s != home))
    if home == other:
        raise UsageError("--home and --other must be different sides")
    say(args, f"Tracing the frontier of {home} and {other} ...")
    traced = pareto_frontier(instance, home, other, time_limit=args.time_limit)
    points = bargaining_points(instance, time_limit=args.time_limit)
    frame, bargaining = traced.to_frame(instance), bargaining_frame(points, home, other)
    solutions = {k: (r.evaluation.negotiator_utility[home], r.evaluation.negotiator_utility[other])
                 for k, r in points.items() if r.has_deal}
    base = Path(args.plot) if args.plot else out.with_suffix("")
    figures = save_figure(utility_space_figure(instance, traced, solutions), base)
    write_frontier(frame, bargaining, out, figures[0])
    text = describe_frame(f"Pareto frontier of {home} and {other}: {len(frame)} deals"
                          + ("" if traced.complete else " (stopped before the end)"), frame)
    text += "\n\n" + describe_frame("Bargaining solutions", bargaining)
    say(args, text + f"\n\nFrontier workbook: {out}\nFigure: {figures[0]}, {figures[1]}")
    if args.json:
        emit_json({"format": 1, "instance": instance.name, "home": home, "other": other, "complete": traced.complete,
                   "frontier": frame.to_dict(orient="records"), "bargaining": bargaining.to_dict(orient="records")},
                  args.json)
    return EXIT_OK


# -- schelling -------------------------------------------------------------------------------------
def schelling_arguments(h) -> None:
    h.add_argument("workbook")
    h.add_argument("--side", required=True, metavar="SIDE", help="the side whose win-set shrinks")
    h.add_argument("--parameter", choices=("threshold", "reservation"), default="threshold",
                   help="raise its bodies' thresholds, or its groups' reservations (default threshold)")
    h.add_argument("--step", type=positive, metavar="X", help="change per step (default: the useful range / steps)")
    h.add_argument("--steps", type=int, default=10, metavar="N", help="most steps (default 10); stops at no agreement")
    h.add_argument("--objective", choices=objectives.names(uncertain=False), default="nash",
                   help="the bargaining solution to follow (default nash)")
    h.add_argument("-o", "--output", metavar="PATH", help="workbook (default: <name>-schelling.xlsx beside the input)")
    h.add_argument("--plot", metavar="BASE", help="figure files BASE.png and BASE.svg (default: beside the workbook)")
    h.add_argument("--json", metavar="FILE", help="write the steps as JSON (- for standard output)")


def run_schelling(args) -> int:
    from ..analysis.schelling import tie_hands
    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import write_frames
    from ..report.plots import save_figure, tying_hands_figure
    from ..report.terminal import describe_frame

    out = output_beside(args, "schelling")
    if args.steps < 1:
        raise UsageError(f"--steps {args.steps}: expected a whole number >= 1")
    instance = read_instance(args.workbook)
    known_side(instance, "--side", args.side)
    try:
        table = tie_hands(instance, args.side, args.parameter, args.step, args.steps, args.objective)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    base = Path(args.plot) if args.plot else out.with_suffix("")
    figures = save_figure(tying_hands_figure(table, args.side, args.parameter, instance.side_ids), base)
    write_frames({"Schelling": table}, out)
    say(args, describe_frame(f"Tying {args.side}'s hands ({args.parameter}, {args.objective} deal)", table)
        + f"\n\nWorkbook: {out}\nFigure: {figures[0]}, {figures[1]}")
    if args.json:
        emit_json({"format": 1, "instance": instance.name, "side": args.side, "parameter": args.parameter,
                   "objective": args.objective, "steps": records(table)},
                  args.json)
    return EXIT_OK


# -- sweep -----------------------------------------------------------------------------------------
def sweep_arguments(v) -> None:
    v.add_argument("workbook")
    v.add_argument("--param", action="append", metavar="NAME",
                   help="a parameter, e.g. 'Sides[US].budget' (twice for a grid); see docs/sensitivity.md")
    v.add_argument("--values", action="append", metavar="SPEC",
                   help="FROM:TO:STEP or a list 1,2,5, one per --param")
    v.add_argument("--tornado", action="append", metavar="NAME",
                   help="a parameter to move down and up by --rel of its value (repeat for each)")
    v.add_argument("--rel", type=positive, default=0.1, metavar="SHARE", help="tornado move (default 0.1)")
    v.add_argument("--objective", choices=objectives.names(uncertain=False), help="override Settings objective")
    v.add_argument("--home", metavar="SIDE", help="override Settings home_side")
    v.add_argument("--time-limit", type=positive, metavar="SECONDS", help="time limit of each solve")
    v.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="worker processes for long sweeps (default 0: one per core)")
    v.add_argument("-o", "--output", metavar="PATH", help="workbook (default: <name>-sweep.xlsx beside the input)")
    v.add_argument("--json", metavar="FILE", help="write the tables as JSON (- for standard output)")
    v.add_argument("--no-figures", action="store_true", help="write no PNG/SVG figures")
    v.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no table")


def run_sweep(args) -> int:
    from tqdm import tqdm

    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import sheet_names, write_sweeps
    from ..report.plots import save_figure, sweep_figure, tornado_figure

    out = output_beside(args, "sweep")
    instance = read_instance(args.workbook)
    if args.home is not None:
        known_side(instance, "--home", args.home)
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
    say(args, "\n\n".join(_describe_study(s, t, instance.side_ids) for s, t in zip(studies, tables))
        + f"\n\nWorkbook: {out}" + "".join(f"\nFigure: {f}" for f in figures))
    if args.json:
        emit_json({"format": 1, "instance": instance.name, "studies": [
            {"name": s.name, "kind": s.kind, "parameters": s.parameters, "rows": records(t)}
            for s, t in zip(studies, tables)]}, args.json)
    return EXIT_OK


def _studies(args, instance) -> list:
    """The studies the command line asks for, else the workbook's Sweeps sheet."""
    from ..analysis.params import check_values, value_of
    from ..analysis.sweep import Study, check_points, parse_values
    from ..analysis.sweeps_sheet import read_studies
    from ..errors import ParameterError

    studies = []
    if args.param or args.values:
        if len(args.param or ()) != len(args.values or ()) or len(args.param) > 2:
            raise UsageError("give one --values after each --param, for one or two parameters")
        try:
            grid = {name: parse_values(spec) for name, spec in zip(args.param, args.values)}
            check_points(grid)
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
    from ..analysis.sweep import turning_points
    from ..report.terminal import describe_frame

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


# -- diagnose --------------------------------------------------------------------------------------
def diagnose_arguments(d) -> None:
    d.add_argument("workbook")
    d.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="change a parameter first, e.g. Bodies[senate].threshold=0.75 (repeatable)")
    d.add_argument("--home", metavar="SIDE", help="the side whose negotiator checks feasibility (default: the home side)")
    d.add_argument("--weights", choices=("equal", "group"), default="equal",
                   help="cost of softening a group's reservation per unit: equal, or the group's weight")
    d.add_argument("--time-limit", type=positive, metavar="SECONDS", help="HiGHS time limit of each solve")
    d.add_argument("-o", "--output", metavar="PATH", help="the workbook to write (default: <workbook>-diagnosis.xlsx)")
    d.add_argument("--no-workbook", action="store_true", help="write no workbook")
    d.add_argument("--json", metavar="FILE", help="write the diagnosis as JSON (- for standard output)")
    d.add_argument("-q", "--quiet", action="store_true", help="no summary on the terminal")


def _with_settings_applied(instance, changes: list[str]):
    """The instance with each ``NAME=VALUE`` of ``--set`` applied."""
    from ..analysis.params import apply
    from ..errors import ParameterError

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


def run_diagnose(args) -> int:
    from tqdm import tqdm

    from ..analysis.diagnose import as_dict, diagnose
    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import write_frames
    from ..solving.options import SolveOptions

    out = None if args.no_workbook else output_beside(args, "diagnosis")
    instance = _with_settings_applied(read_instance(args.workbook), args.set)
    home = known_side(instance, "--home", args.home) if args.home else None
    bar = tqdm(unit=" solves", desc="diagnose", file=sys.stderr, disable=args.quiet)
    try:
        found = diagnose(instance, home=home, weights=args.weights,
                         options=SolveOptions(time_limit=args.time_limit, mip_gap=0.0), progress=lambda: bar.update(1))
    finally:
        bar.close()
    say(args, f"{instance.settings.title or instance.name}: " + ("agreement is possible" if found.agreement else
        "no agreement") + f" ({found.checks} solves)\n" + "\n".join(f"- {line}" for line in found.sentences()))
    if out is not None:
        write_frames({"Diagnosis": found.frame()}, out)
        say(args, f"Diagnosis workbook: {out}")
    if args.json:
        emit_json({"format": 1, "instance": instance.name, **as_dict(found)}, args.json)
    return EXIT_OK


# -- power -----------------------------------------------------------------------------------------
def power_arguments(o) -> None:
    o.add_argument("workbook")
    o.add_argument("--body", action="append", metavar="BODY", help="only this body (repeatable; default: every body)")
    o.add_argument("--method", choices=("auto", "exact", "sample"), default="auto",
                   help="exact by dynamic programming, or sampled with an error bound (default: exact when small enough)")
    o.add_argument("--samples", type=count, default=20_000, metavar="N", help="orderings and coalitions sampled")
    o.add_argument("--seed", type=int, default=0, help="random seed of the samples")
    o.add_argument("--no-deal", action="store_true", help="do not solve for the deal and its pivotal groups")
    o.add_argument("-o", "--output", metavar="PATH", help="the workbook to write (default: <workbook>-power.xlsx)")
    o.add_argument("--no-workbook", action="store_true", help="write no workbook")
    o.add_argument("--json", metavar="FILE", help="write the tables as JSON (- for standard output)")
    o.add_argument("-q", "--quiet", action="store_true", help="no tables on the terminal")


def run_power(args) -> int:
    from ..analysis.power import pivotal_groups, power_indices
    from ..io.excel_read import read_instance
    from ..report.analysis_workbooks import write_frames
    from ..report.terminal import describe_frame
    from ..solving.api import solve

    out = None if args.no_workbook else output_beside(args, "power")
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
    say(args, text)
    if out is not None:
        write_frames(frames, out)
        say(args, f"Power workbook: {out}")
    if args.json:
        emit_json({"format": 1, "instance": instance.name, **{k.lower(): records(v) for k, v in frames.items()}}, args.json)
    return EXIT_OK


WINSET = Command("winset", "how many packages each side, and every side, would ratify", winset_arguments, run_winset)
FRONTIER = Command("frontier", "the Pareto frontier of two negotiators and the bargaining solutions",
                   frontier_arguments, run_frontier)
SCHELLING = Command("schelling", "tie one side's hands step by step and watch the bargaining deal",
                    schelling_arguments, run_schelling)
SWEEP = Command("sweep", "solve at every value of one or two parameters; tornado charts; the Sweeps sheet",
                sweep_arguments, run_sweep)
DIAGNOSE = Command("diagnose", "when there is no agreement: what would make one possible, and what blocks it",
                   diagnose_arguments, run_diagnose)
POWER = Command("power", "Banzhaf and Shapley-Shubik power of each body's members; pivotal groups of the deal",
                power_arguments, run_power)
