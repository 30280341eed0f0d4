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
