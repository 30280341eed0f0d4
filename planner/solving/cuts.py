r"""Support cuts, separated from the LP relaxation on the persistent model.

The support row :math:`u_g \ge \tilde r_g - M_g(1 - y_g)` lets a group half-support: at
:math:`y_g = 1/2` it asks for half of :math:`M_g`. The support cuts of
:func:`planner.formulation.rows.add_support_cut` are the rows of the convex hull of one
group's support over the package simplices; this module finds the ones the LP relaxation's
point :math:`(x^*, y^*, w^*)` violates.

For a group and an issue :math:`i`, the left side's contribution
:math:`\sum_o (v_{gio} - \pi_i)^+ x^*_{io} + \pi_i y^*_g` is convex and piecewise linear in
:math:`\pi_i`; it is least where the options worth more than :math:`\pi_i` hold at most
:math:`y^*_g` of the issue and those worth at least :math:`\pi_i` at least :math:`y^*_g`:
:math:`\pi_i` is the value at which the options, taken from the group's best down, reach the
mass :math:`y^*_g` (a weighted quantile). With these thresholds the left side is the least
over every cut of the group, so the point violates some cut of the group exactly when it
violates this one. Each round solves the LP relaxation, adds every group's most violated
cut, and stops when no cut is violated by more than a tolerance, when the bound moves by
less than :data:`STALL` over three rounds, or at its time or round limit.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..formulation.rows import add_support_cut, support_cut_parts
from .highs import BuiltModel

ROUNDS = 50
"""Most rounds of the cut loop."""
STALL = 1e-4
"""Relative movement of the LP bound over three rounds below which the loop stops."""
VIOLATION = 1e-6
"""Least violation (relative to the group's reservation scale) of a cut worth adding."""


def add_support_cuts(built: BuiltModel, seconds: float) -> tuple[int, float | None]:
    """Run the cut loop for at most ``seconds``; the number of cuts added and the last LP bound.

    HiGHS's solution and basis are dropped at the end (:meth:`~planner.solving.highs.BuiltModel.forget`).
    """
    m, inst = built.model, built.instance
    voters = list(m.VOTERS)
    if not voters:
        return 0, None
    keys = list(m.OPTIONS)
    issue_ids = [i.id for i in inst.issues]
    position = {i: k for k, i in enumerate(issue_ids)}
    issue_of = np.array([position[i] for i, _ in keys])
    parts = {g: support_cut_parts(m, inst, g) for g in voters}
    values = np.array([[parts[g][0][k] for k in keys] for g in voters])
    least = np.array([parts[g][2] for g in voters])
    reservation = np.array([inst.group(g).reservation for g in voters])
    scale = VIOLATION * np.maximum(1.0, np.abs(values).sum(axis=1) + np.abs(reservation))
    until = built.remaining() - seconds
    added, bounds = 0, []
    for _ in range(ROUNDS):
        if built.remaining() <= until:
            break
        run = built.run(solve_relaxation=True)
        if not run.has_solution or run.bound is None:
            break
        bounds.append(run.bound)
        if len(bounds) > 3 and abs(bounds[-4] - bounds[-1]) <= STALL * max(1.0, abs(bounds[-1])):
            break
        x = np.array([m.x[k].value or 0.0 for k in keys])
        y = np.array([m.y[g].value or 0.0 for g in voters])
        rest = np.array([pyo.value(parts[g][1]) for g in voters])
        thresholds = _thresholds(values, issue_of, len(issue_ids), x, y)
        lhs = (np.maximum(0.0, values - thresholds[:, issue_of]) * x[None, :]).sum(axis=1)
        lhs += (thresholds.sum(axis=1) + least - reservation) * y + rest - least
        violated = np.flatnonzero(lhs < -scale)
        if not len(violated):
            break
        rows = [add_support_cut(m, inst, voters[v], dict(zip(issue_ids, thresholds[v])), parts[voters[v]])
                for v in violated]
        built.add_rows(rows)
        added += len(rows)
    built.forget()
    return added, bounds[-1] if bounds else None


def _thresholds(values: np.ndarray, issue_of: np.ndarray, issues: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For every group and issue, the value at which the group's options, best first, reach the mass y (groups x issues)."""
    out = np.zeros((len(values), issues))
    for i in range(issues):
        cols = np.flatnonzero(issue_of == i)
        v = values[:, cols]
        order = np.argsort(-v, axis=1, kind="stable")
        sorted_v = np.take_along_axis(v, order, axis=1)
        mass = np.cumsum(x[cols][order], axis=1)
        reached = mass >= y[:, None] - 1e-12
        k = np.where(reached.any(axis=1), np.argmax(reached, axis=1), len(cols) - 1)
        out[:, i] = sorted_v[np.arange(len(values)), k]
    return out
