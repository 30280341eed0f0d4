"""Sweeps: solve the instance at every point of a grid of parameter values.

``sweep(instance, {"Sides[US].budget": [0, 1, 2]})`` returns one row per point with the
status, objective value, package, each negotiator's utility, each body's yes share and
margin, the money moved, and whether the package changed from the previous point. Two
parameters make a grid (every combination); ``scenarios=[{...}, ...]`` runs explicit
points. Each point is a fresh solve of the changed instance, so every row is exactly what
``planner solve`` says of that instance.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Mapping, Sequence

import pandas as pd

from ..model import Instance
from ..solve import SolveOptions, solve
from .params import apply


def parse_values(text: str) -> list[float]:
    """``0:10:0.5`` (from, to inclusive, step) or ``1,2,5`` (a list) as numbers."""
    text = text.strip()
    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            n = int(round((stop - start) / step))
            values = [round(start + k * step, 12) for k in range(n + 1)]
            return [v for v in values if v <= stop + 1e-12]
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"expected FROM:TO:STEP with STEP > 0 and TO >= FROM, or a list like 1,2,5 (got {text!r})") from None


def sweep(instance: Instance, grid: Mapping[str, Sequence[float]] | None = None,
          scenarios: Iterable[Mapping[str, float]] | None = None, objective: str | None = None,
          home: str | None = None, time_limit: float | None = None,
          options: SolveOptions | None = None, progress=None) -> pd.DataFrame:
    """Solve every point of a grid (all combinations of the values) or of a list of scenarios."""
    if (grid is None) == (scenarios is None):
        raise ValueError("give either a grid of parameter values or a list of scenarios")
    points = list(scenarios) if scenarios is not None else [
        dict(zip(grid, combo)) for combo in itertools.product(*grid.values())
    ]
    changed = [_changed(instance, point) for point in points]  # every name and value is checked first
    rows, previous = [], None
    for point, inst in zip(points, changed):
        result = solve(inst, objective=objective, home=home, time_limit=time_limit, options=options)
        row = {**point, **_row(result)}
        row["package_changed"] = previous is not None and result.package != previous
        previous = result.package
        rows.append(row)
        if progress is not None:
            progress(len(rows), len(points))
    return pd.DataFrame(rows)


def _changed(instance: Instance, point: Mapping[str, float]) -> Instance:
    for name, value in point.items():
        instance = apply(instance, name, value)
    return instance


def _row(result) -> dict:
    d = result.to_dict()
    row = {"status": d["status"], "objective_value": d["objective_value"]}
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


def _outcome(instance: Instance, name: str, value: float, objective, home, time_limit) -> tuple:
    result = solve(apply(instance, name, value), objective=objective, home=home, time_limit=time_limit)
    return result.status, tuple(sorted(result.package.items()))


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
    grid = [lo + (hi - lo) * k / (points - 1) for k in range(points)]
    outcomes = [_outcome(instance, name, v, objective, home, time_limit) for v in grid]
    rows = []
    for (a, oa), (b, ob) in zip(zip(grid, outcomes), zip(grid[1:], outcomes[1:])):
        if oa == ob:
            continue
        while b - a > tolerance:
            mid = (a + b) / 2
            om = _outcome(instance, name, mid, objective, home, time_limit)
            if om == oa:
                a = mid
            else:
                b, ob = mid, om
        rows.append({"parameter": name, "below": a, "above": b, "status_below": oa[0], "status_above": ob[0],
                     "package_below": dict(oa[1]), "package_above": dict(ob[1])})
    return pd.DataFrame(rows, columns=["parameter", "below", "above", "status_below", "status_above",
                                       "package_below", "package_above"])


def tornado(instance: Instance, params: Mapping[str, float], rel: float = 0.1, objective: str | None = None,
            home: str | None = None, time_limit: float | None = None) -> pd.DataFrame:
    """Each parameter moved down and up by ``rel`` of its base value, ranked by the change in the objective.

    ``params`` maps each name to its base value. Columns: parameter, base, low, high,
    objective at low / base / high, swing (the larger absolute change), ranked by swing.
    """
    base = solve(instance, objective=objective, home=home, time_limit=time_limit).objective_value
    rows = []
    for name, value in params.items():
        step = abs(value) * rel if value else rel
        values = {}
        for label, v in (("low", value - step), ("high", value + step)):
            r = solve(apply(instance, name, v), objective=objective, home=home, time_limit=time_limit)
            values[label] = (v, r.objective_value)
        changes = [abs(o - base) if o is not None and base is not None else float("inf")
                   for _, o in values.values()]
        rows.append({"parameter": name, "base": value, "low": values["low"][0], "high": values["high"][0],
                     "objective_low": values["low"][1], "objective_base": base, "objective_high": values["high"][1],
                     "swing": max(changes)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
