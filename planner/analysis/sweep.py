"""Sweeps: solve the instance at every point of a grid of parameter values.

``sweep(instance, {"Sides[US].budget": [0, 1, 2]})`` returns one row per point with the
status, objective value, package, each negotiator's utility, each body's yes share and
margin, the money moved, and whether the package changed from the previous point. Two
parameters make a grid (every combination); ``scenarios=[{...}, ...]`` runs explicit
points. Every row is what ``planner solve`` says of the changed instance; three means
make a sweep faster than solving each point afresh:

- **proven points are not solved.** Along a parameter whose direction is known
  (:func:`planner.analysis.params.direction`), if the feasible set only grows with the
  value and the points ``a < b`` have the same optimal value, then the deal optimal at
  ``a`` is feasible at every point between and none can do better, so it is optimal
  there too (shrinking sets: the deal at ``b``). Lines are solved at their ends and
  split in the middle until the ends agree; the inferred points are re-evaluated
  exactly and marked ``inferred``. Two ends without agreement are both
  ``no_agreement``-proved the same way. When the ends stopped at the time limit with
  deals, the more permissive end's bound holds between them: a point gets the better
  of the ends' deals that is feasible there, with its gap to that bound, when that gap is
  no wider than the ends' own (``PointSolver._bounded``).
- **one model for the whole sweep** when every swept parameter is held in place
  (budgets, Level-I reservations, payment caps, transfer limits): the model is built for
  the most permissive values and re-solved through the persistent HiGHS interface with
  only bounds changed.
- **a start**: each point's search begins from the previous point's deal when it is
  still feasible (package bounding's first candidate, or HiGHS's starting solution), and
  **both cores**: long sweeps are split over processes (``jobs``).
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import pandas as pd

from ..evaluate import evaluate
from ..model import Instance
from ..objectives import objective_value
from ..processes import one_thread_per_worker
from ..result import Result
from ..solving.api import solve
from ..solving.deterministic import answer, prepare
from ..solving.options import SolveOptions, settle
from .params import apply, clamped, direction, in_place, value_of

PARALLEL_AFTER_SECONDS = 4.0
"""A sweep goes parallel when its points, solved one after another, would take longer than this."""


MAX_POINTS = 100_000
"""Most points a sweep may have (a range's values, or a grid's combinations); more are refused
before anything is made, with their count (a row from 0 to 1e12 by 1 once took 1.7 GB in 30 s)."""


def parse_values(text: str) -> list[float]:
    """``0:10:0.5`` (from, to inclusive, step) or ``1,2,5`` (a list) as numbers.

    A range or list of more than :data:`MAX_POINTS` values is refused (ValueError with the
    count), counted before any value is made.
    """
    text = text.strip()
    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if not (math.isfinite(start) and math.isfinite(stop) and step > 0) or stop < start:
                raise ValueError
            n = round((stop - start) / step)
            _check_count(n + 1, repr(text))
            values = [round(start + k * step, 12) for k in range(int(n) + 1)]
            return [v for v in values if v <= stop + 1e-12]
        _check_count(text.count(",") + 1, repr(text))
        return [float(x) for x in text.split(",") if x.strip()]
    except TooManyPoints:
        raise
    except (ValueError, OverflowError):
        raise ValueError(f"expected FROM:TO:STEP with STEP > 0 and TO >= FROM, or a list like 1,2,5 (got {text!r})") from None


class TooManyPoints(ValueError):
    """A sweep of more than :data:`MAX_POINTS` points; ``count`` says how many."""

    def __init__(self, message: str, count: int):
        super().__init__(message)
        self.count = count


def _check_count(count: int, what: str) -> None:
    if count > MAX_POINTS:
        raise TooManyPoints(f"{what} gives {count:,} points; a sweep takes at most {MAX_POINTS:,} "
                            "(take a longer step or a shorter range)", count)


def check_points(grid: Mapping[str, Sequence[float]]) -> None:
    """Refuse a grid whose combinations number more than :data:`MAX_POINTS` (TooManyPoints, with the count)."""
    count = math.prod(len(v) for v in grid.values())
    _check_count(count, "the grid of " + " by ".join(f"{len(v):,} values of {name}" for name, v in grid.items()))


def sweep(instance: Instance, grid: Mapping[str, Sequence[float]] | None = None,
          scenarios: Iterable[Mapping[str, float]] | None = None, objective: str | None = None,
          home: str | None = None, time_limit: float | None = None,
          options: SolveOptions | None = None, progress=None, jobs: int = 1, infer: bool = True) -> pd.DataFrame:
    """Solve every point of a grid (all combinations of the values) or of a list of scenarios.

    ``jobs`` processes share long sweeps (0: one per core); ``infer=False`` solves every
    point even where its answer is already proven. ``progress(done, total)`` is called as
    points finish. Columns: the parameters, status, objective_value, U_<side>,
    yes_share_<body>, margin_<body>, payments_total, transfers_total, option_<issue>,
    inferred (the answer was proven from neighbouring points) and package_changed.
    """
    if (grid is None) == (scenarios is None):
        raise ValueError("give either a grid of parameter values or a list of scenarios")
    if grid is not None:
        check_points(grid)
    points = list(scenarios) if scenarios is not None else [
        dict(zip(grid, combo)) for combo in itertools.product(*grid.values())
    ]
    for point in points:  # every name and value is checked before the first solve
        _changed(instance, point)
    objective, home, options = settle(instance, objective, home, options, time_limit)
    names = list(grid) if grid is not None else sorted({n for p in points for n in p})
    lines = _lines(points, names, objective, along=grid is not None and infer)
    rows = _run(instance, points, lines, objective, home, options, progress, jobs or os.cpu_count() or 1)
    previous: dict[tuple, dict] = {}
    for row in rows:  # compared with the previous point that has the same values of the other parameters
        line = tuple(row[n] for n in names[:-1]) if grid is not None else ()
        package = {k: v for k, v in row.items() if k.startswith("option_")}
        row["package_changed"] = line in previous and package != previous[line]
        previous[line] = package
    return pd.DataFrame(rows)


@dataclass
class _Line:
    """Points that differ only in the last parameter, in increasing order of it."""

    indices: list[int]
    direction: int  # +1 / -1: the feasible set grows / shrinks with the value; 0: solve each point


def _lines(points: list[dict], names: list[str], objective: str, along: bool) -> list[_Line]:
    if not along:
        return [_Line(list(range(len(points))), 0)]
    last = names[-1]
    groups: dict[tuple, list[int]] = {}
    for k, point in enumerate(points):
        groups.setdefault(tuple(point[n] for n in names[:-1]), []).append(k)
    sense = direction(last, objective)
    return [_Line(sorted(ks, key=lambda k: points[k][last]), sense) for ks in groups.values()]


def _segments(lines: list[_Line], pieces: int) -> list[_Line]:
    """The lines cut into about ``pieces`` contiguous parts (for parallel work)."""
    total = sum(len(line.indices) for line in lines)
    size = max(2, math.ceil(total / pieces))
    return [_Line(line.indices[k:k + size], line.direction) for line in lines
            for k in range(0, len(line.indices), size)]


def _run(instance, points, lines, objective, home, options, progress, jobs) -> list[dict]:
    rows: list[dict | None] = [None] * len(points)
    done = 0

    def record(found: dict[int, dict]) -> None:
        nonlocal done
        for k, row in found.items():
            rows[k] = {**points[k], **row}
        done += len(found)
        if progress is not None:
            progress(done, len(points))

    # The first point, solved here, tells how long the whole sweep would take.
    first, rest = lines[0], lines[1:]
    solver = PointSolver(instance, points, objective, home, options)
    t0 = time.perf_counter()
    record(solver.run_line(_Line(first.indices[:1], 0)))
    per_point = time.perf_counter() - t0
    remaining = [line for line in [_Line(first.indices[1:], first.direction)] + rest if line.indices]
    estimate = per_point * sum(len(line.indices) for line in remaining)
    if jobs > 1 and estimate > PARALLEL_AFTER_SECONDS and len(remaining):
        for found in _parallel(instance, points, _segments(remaining, 4 * jobs), objective, home, options, jobs):
            record(found)
    else:
        for line in remaining:
            record(solver.run_line(line))
    return rows


def _parallel(instance, points, segments, objective, home, options, jobs):
    context = get_context("spawn")  # HiGHS keeps threads; a forked copy of them is not safe
    with one_thread_per_worker(), ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_solve_segment, instance, [points[k] for k in seg.indices], seg.direction,
                               objective, home, options) for seg in segments]
        index = {future: seg for seg, future in zip(segments, futures)}
        for future in as_completed(futures):
            seg = index[future]
            yield {seg.indices[j]: row for j, row in future.result().items()}


def _solve_segment(instance, seg_points, sense, objective, home, options) -> dict[int, dict]:
    solver = PointSolver(instance, seg_points, objective, home, options)
    return solver.run_line(_Line(list(range(len(seg_points))), sense))


class PointSolver:
    """Solves points of one sweep; one built model serves them all when every parameter is held in place."""

    def __init__(self, instance: Instance, points: list[dict], objective: str, home: str, options: SolveOptions):
        self.instance, self.points, self.objective, self.home, self.options = instance, points, objective, home, options
        names = {n for p in points for n in p}
        self.shared = None
        if names and all(in_place(n, objective) for n in names):
            shared = prepare(_envelope(instance, points, names, objective), objective, home, options)
            self.shared = None if isinstance(shared, Result) else shared
        self.start = None

    def at(self, point: Mapping[str, float]) -> Result:
        """The answer at one point, starting from the last deal found."""
        inst = _changed(self.instance, point)
        built = self.shared
        if built is not None:
            built.retarget(inst)
        else:
            built = prepare(inst, self.objective, self.home, self.options)
            if isinstance(built, Result):
                return built
        built.start = self.start
        result = answer(built)
        if result.has_deal:
            self.start = result.deal
        return result

    def run_line(self, line: _Line) -> dict[int, dict]:
        """Rows for a line's points: each solved, or proven from its neighbours when the direction allows."""
        solved: dict[int, Result] = {}
        rows: dict[int, dict] = {}

        def solve_at(j: int) -> Result:
            if j not in solved:
                solved[j] = self.at(self.points[line.indices[j]])
                rows[line.indices[j]] = {**_row(solved[j]), "inferred": False}
            return solved[j]

        if line.direction == 0 or len(line.indices) <= 2:
            for j in range(len(line.indices)):
                solve_at(j)
            return rows
        stack = [(0, len(line.indices) - 1)]
        while stack:
            a, b = stack.pop()
            ra, rb = solve_at(a), solve_at(b)
            if b - a < 2:
                continue
            proven = self._between(line, a, b, ra, rb)
            if proven is not None:
                rows.update({line.indices[j]: {**_row(r), "inferred": True} for j, r in proven.items()})
                continue
            mid = (a + b) // 2
            stack += [(mid, b), (a, mid)]
        return rows

    def _between(self, line: _Line, a: int, b: int, ra: Result, rb: Result) -> dict[int, Result] | None:
        """Answers for every point strictly between ``a`` and ``b`` without solving, or None."""
        donor = _donor(ra, rb, line.direction)
        if donor is not False:
            infer = lambda point: self._proven(point, donor)  # noqa: E731
        elif _may_bound(ra, rb, line.direction):
            infer = lambda point: self._bounded(point, ra, rb, line.direction)  # noqa: E731
        else:
            return None
        answers = {}
        for j in range(a + 1, b):
            answers[j] = infer(self.points[line.indices[j]])
            if answers[j] is None:
                return None
        return answers

    def _proven(self, point: Mapping[str, float], donor: Result | None) -> Result | None:
        """The donor's answer at a point, re-evaluated exactly; None if it does not hold there."""
        inst = _changed(self.instance, point)
        if donor is None:
            return Result(instance=inst, status="no_agreement", objective=self.objective, home=self.home,
                          notes=("no agreement at the neighbouring points that enclose this one",))
        ev = evaluate(inst, donor.deal)
        if not ev.feasible:
            return None
        value = objective_value(inst, ev.negotiator_utility, self.objective, self.home)
        if abs(value - donor.objective_value) > 1e-9 * max(1.0, abs(value)):
            return None
        return Result(instance=inst, status="optimal", objective=self.objective, home=self.home, deal=donor.deal,
                      evaluation=ev, objective_value=value, mip_gap=donor.mip_gap, solver=donor.solver,
                      notes=("optimal: the neighbouring points that enclose this one have the same optimal value",))


    def _bounded(self, point: Mapping[str, float], ra: Result, rb: Result, sense: int) -> Result | None:
        """An answer at a point between two ends that both stopped with a deal, as good as theirs; else None.

        The more permissive end's bound holds at every point between (the feasible set only
        shrinks away from it), and each end's deal is checked at the point. The better
        feasible deal is the answer, with gap (bound - value) / |value|; it is given only when
        that gap is no wider than the wider of the ends' gaps (an answer as good as a solve
        of the point would have been, had it stopped like its neighbours).
        """
        if not (ra.has_deal and rb.has_deal) or sense == 0:
            return None
        bound = (rb if sense > 0 else ra).objective_bound
        if bound is None or ra.mip_gap is None or rb.mip_gap is None:
            return None
        inst = _changed(self.instance, point)
        best = None
        for end in (ra, rb):
            ev = evaluate(inst, end.deal)
            if ev.feasible:
                value = objective_value(inst, ev.negotiator_utility, self.objective, self.home)
                if best is None or value > best[0]:
                    best = (value, end, ev)
        if best is None:
            return None
        value, end, ev = best
        gap = max(0.0, bound - value) / max(abs(value), 1e-9)
        if gap > max(ra.mip_gap, rb.mip_gap) + 1e-12:
            return None
        wanted = self.options.mip_gap if self.options.mip_gap is not None else inst.settings.mip_gap
        return Result(instance=inst, status="optimal" if gap <= wanted else "feasible", objective=self.objective,
                      home=self.home, deal=end.deal, evaluation=ev, objective_value=value, mip_gap=gap,
                      solver=end.solver, objective_bound=bound,
                      notes=(f"a neighbouring point's deal; no deal here is worth more than {bound:.6g}, the bound "
                             "proven at the more permissive neighbour",))


def _may_bound(ra: Result, rb: Result, sense: int) -> bool:
    """Whether :meth:`PointSolver._bounded` can succeed between two ends: both have deals and
    the better of them is within the ends' widest gap of the permissive end's bound."""
    if sense == 0 or not (ra.has_deal and rb.has_deal) or ra.mip_gap is None or rb.mip_gap is None:
        return False
    bound = (rb if sense > 0 else ra).objective_bound
    best = max(ra.objective_value, rb.objective_value)
    return bound is not None and max(0.0, bound - best) / max(abs(best), 1e-9) <= max(ra.mip_gap, rb.mip_gap) + 1e-12


def _donor(ra: Result, rb: Result, sense: int):
    """The result whose deal is optimal between two points; None for proven no agreement; False if unproven."""
    if ra.status == rb.status == "no_agreement":
        return None
    if ra.status == rb.status == "optimal" and abs(ra.objective_value - rb.objective_value) <= 1e-9 * max(
            1.0, abs(ra.objective_value)):
        return ra if sense > 0 else rb
    return False


def _envelope(instance: Instance, points: list[dict], names: set[str], objective: str) -> Instance:
    """The instance with every swept parameter at its most permissive value in the sweep."""
    for name in sorted(names):
        values = [p[name] for p in points if name in p]
        instance = apply(instance, name, max(values) if direction(name, objective) > 0 else min(values))
    return instance


def _changed(instance: Instance, point: Mapping[str, float]) -> Instance:
    for name, value in point.items():
        instance = apply(instance, name, value)
    return instance


def _row(result) -> dict:
    d = result.to_dict()
    row = {"status": d["status"], "objective_value": d["objective_value"], "mip_gap": d["mip_gap"]}
    row.update({f"U_{s}": v["utility"] for s, v in d["negotiators"].items()} or
               {f"U_{s}": None for s in result.instance.side_ids})
    for b, v in d["bodies"].items():
        vote = result.evaluation.votes[b]
        row[f"yes_share_{b}"] = v["yes_weight"] / v["total_weight"] if v["total_weight"] else None
        row[f"margin_{b}"] = vote.margin
    row["payments_total"] = sum(p["amount"] for p in d["payments"])
    row["transfers_total"] = sum(t["amount"] for t in d["transfers"])
    row.update({f"option_{i}": o for i, o in d["package"].items()})
    return row


def breakpoints(instance: Instance, name: str, lo: float, hi: float, tolerance: float = 1e-4,
                points: int = 11, objective: str | None = None, home: str | None = None,
                time_limit: float | None = None) -> pd.DataFrame:
    """Where, between ``lo`` and ``hi``, the optimal package or the feasibility changes.

    A grid of ``points`` values finds the intervals where the outcome (status and package)
    differs between neighbours; bisection then narrows each to ``tolerance``. Changes that
    come and go between two grid points are missed: use more points to catch them. Columns:
    below, above (the bracket), status and package on each side.
    """
    if not hi > lo:
        raise ValueError("need hi > lo")
    objective, home, options = settle(instance, objective, home, None, time_limit)
    solver = PointSolver(instance, [{name: lo}, {name: hi}], objective, home, options)

    def outcome(value: float) -> tuple:
        result = solver.at({name: value})
        return result.status, tuple(sorted(result.package.items()))

    grid = [lo + (hi - lo) * k / (points - 1) for k in range(points)]
    outcomes = [outcome(v) for v in grid]
    rows = []
    for (a, oa), (b, ob) in zip(zip(grid, outcomes), zip(grid[1:], outcomes[1:])):
        if oa == ob:
            continue
        while b - a > tolerance:
            mid = (a + b) / 2
            om = outcome(mid)
            if om == oa:
                a = mid
            else:
                b, ob = mid, om
        rows.append({"parameter": name, "below": a, "above": b, "status_below": oa[0], "status_above": ob[0],
                     "package_below": dict(oa[1]), "package_above": dict(ob[1])})
    return pd.DataFrame(rows, columns=["parameter", "below", "above", "status_below", "status_above",
                                       "package_below", "package_above"])


def tornado(instance: Instance, params: Mapping[str, float], rel: float | Mapping[str, float] = 0.1,
            objective: str | None = None, home: str | None = None, time_limit: float | None = None) -> pd.DataFrame:
    """Each parameter moved down and up by ``rel`` of its base value, ranked by the change in the objective.

    ``params`` maps each name to its base value; ``rel`` is one share for all or one per
    name; a base of 0 moves by ``rel`` itself. Columns: parameter, base, low, high,
    objective at low / base / high, swing (the larger absolute change; infinite when
    a move loses the agreement), ranked by swing.
    """
    objective, home, options = settle(instance, objective, home, None, time_limit)
    base = solve(instance, objective=objective, home=home, options=options).objective_value
    rows = []
    for name, value in params.items():
        share = rel[name] if isinstance(rel, Mapping) else rel
        step = abs(value) * share if value else share
        moves = (("low", clamped(name, value - step)), ("high", clamped(name, value + step)))
        solver = PointSolver(instance, [{name: v} for _, v in moves], objective, home, options)
        values = {label: (v, solver.at({name: v}).objective_value) for label, v in moves}
        changes = [abs(o - base) if o is not None and base is not None else float("inf")
                   for _, o in values.values()]
        rows.append({"parameter": name, "base": value, "low": values["low"][0], "high": values["high"][0],
                     "objective_low": values["low"][1], "objective_base": base, "objective_high": values["high"][1],
                     "swing": max(changes)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


@dataclass
class Study:
    """A named sweep (``grid``: parameter -> values) or tornado (``moves``: parameter -> relative move)."""

    name: str
    kind: str = "grid"
    grid: dict[str, list[float]] = field(default_factory=dict)
    moves: dict[str, float] = field(default_factory=dict)
    home: str | None = None
    objective: str | None = None

    @property
    def parameters(self) -> list[str]:
        return list(self.grid or self.moves)

    def size(self) -> int:
        """How many points the study solves at most."""
        return 1 + 2 * len(self.moves) if self.kind == "tornado" else math.prod(len(v) for v in self.grid.values())

    def run(self, instance: Instance, objective: str | None = None, home: str | None = None,
            time_limit: float | None = None, jobs: int = 1, progress=None) -> pd.DataFrame:
        """The study's table: :func:`sweep`'s for a grid, :func:`tornado`'s for a tornado.

        ``objective`` and ``home`` given here override the study's own, which override the Settings'.
        """
        objective, home = objective or self.objective, home or self.home
        if self.kind == "tornado":
            table = tornado(instance, {n: value_of(instance, n) for n in self.moves}, rel=self.moves,
                            objective=objective, home=home, time_limit=time_limit)
            if progress is not None:
                progress(self.size(), self.size())
            return table
        return sweep(instance, self.grid, objective=objective, home=home, time_limit=time_limit, jobs=jobs,
                     progress=progress)


def objective_grid(table: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """A two-parameter sweep's objective as a grid: first parameter down, second across (NaN: no deal)."""
    rows, cols = parameters
    return table.pivot_table(index=rows, columns=cols, values="objective_value", aggfunc="first", dropna=False)


def turning_points(table: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """The rows where the status or the package changes along the last parameter, with each line's ends."""
    lines = table.groupby(parameters[:-1], sort=False) if len(parameters) > 1 else [(None, table)]
    keep = []
    for _, line in lines:
        status_changed = line["status"].ne(line["status"].shift())
        marked = status_changed | line["package_changed"]
        marked.iloc[[0, -1]] = True
        keep.append(line[marked])
    return pd.concat(keep)
