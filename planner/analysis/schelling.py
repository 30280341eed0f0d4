"""Tying hands (the Schelling conjecture): shrink one side's win-set and watch the bargain move.

Putnam's claim: a negotiator whose constituency ratifies less gets more of the joint gain
("my hands are tied"). :func:`tie_hands` shrinks one side's win-set step by step — raising
the thresholds of its bodies, or the reservations of its groups — and at each step reports
the side's win-set size, the bargaining deal (Nash by default) and each negotiator's
utility in it, until agreement breaks down.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..formulation.coefficients import holder_linear
from ..model import Instance
from ..solving.api import solve
from .params import apply
from .winset import winset_sizes

PARAMETERS = ("threshold", "reservation")


def tightened(instance: Instance, side: str, parameter: str, amount: float) -> Instance:
    """The instance with the side's body thresholds raised (to at most 1) or its groups' reservations raised by ``amount``."""
    if parameter == "threshold":
        bodies = tuple(dataclasses.replace(b, threshold=min(1.0, b.threshold + amount)) if b.side == side else b
                       for b in instance.bodies)
        return instance.replace(bodies=bodies)
    if parameter == "reservation":
        return apply(instance, f"Groups[side={side}].reservation+", amount)
    raise ValueError(f"unknown parameter {parameter!r}; use threshold or reservation")


def default_step(instance: Instance, side: str, parameter: str, steps: int) -> float:
    """A step that covers the parameter's useful range in ``steps`` steps."""
    if parameter == "threshold":
        lowest = min((b.threshold for b in instance.bodies_of(side)), default=1.0)
        return max(1e-3, (1.0 - lowest) / steps)
    headroom = [holder_linear(instance, g.id).bounds(instance)[1] - g.reservation for g in instance.groups_of(side)]
    return max(1e-3, max(headroom, default=1.0) / steps)


def tie_hands(instance: Instance, side: str, parameter: str = "threshold", step: float | None = None,
              steps: int = 10, objective: str = "nash", time_limit: float | None = None) -> pd.DataFrame:
    """One row per step: the change, the side's win-set, the bargaining deal and the negotiators' utilities.

    Stops after the first step with no agreement. Columns: step, change, the parameter's
    value where it is one number (the side's single body threshold), winset_packages,
    winset_share, status, objective_value, U_<side> for every side, then the package.
    """
    if side not in instance.side_ids:
        raise ValueError(f"side {side!r} is not a side of the instance")
    if parameter not in PARAMETERS:
        raise ValueError(f"unknown parameter {parameter!r}; use threshold or reservation")
    if parameter == "threshold" and not instance.bodies_of(side):
        raise ValueError(f"side {side!r} has no ratifying body: its negotiator is autonomous")
    if parameter == "reservation" and not instance.groups_of(side):
        raise ValueError(f"side {side!r} has no groups: its negotiator is autonomous")
    step = step if step is not None else default_step(instance, side, parameter, steps)
    rows = []
    for k in range(steps + 1):
        changed = tightened(instance, side, parameter, k * step)
        sizes = winset_sizes(changed).set_index("side")
        result = solve(changed, objective=objective, time_limit=time_limit)
        d = result.to_dict()
        row = {"step": k, "change": k * step}
        if parameter == "threshold" and len(changed.bodies_of(side)) == 1:
            row["threshold"] = changed.bodies_of(side)[0].threshold
        row.update(winset_packages=sizes.loc[side, "packages"], winset_share=sizes.loc[side, "share"],
                   joint_share=sizes.loc["joint", "share"], status=d["status"], objective_value=d["objective_value"])
        row.update({f"U_{s}": d["negotiators"].get(s, {}).get("utility") for s in instance.side_ids})
        row.update(d["package"])
        rows.append(row)
        if not result.has_deal:
            break
    return pd.DataFrame(rows)
