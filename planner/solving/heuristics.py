r"""Starting deals: a local search over complete packages, in vectorised numpy.

A search that proves optimality prunes with the best deal it knows; the better that deal
from the start, the less it explores. This module finds good packages quickly, without
HiGHS, and leaves their pricing to the caller.

Each start is the package that maximises, issue by issue, a mix
:math:`\lambda\,\hat c_{io} + (1 - \lambda)\,\hat p_{io}` of the objective's coefficient
:math:`c_{io}` and the option's *popularity*
:math:`p_{io} = \sum_b \sum_{g \in b} w_{bg} v_{gio} / W_b` (the weight-averaged value over
every body's members), each scaled to :math:`[0, 1]` on the issue, for
:math:`\lambda \in \{1, 0.9, \dots, 0\}`. From each start, a steepest ascent changes one
issue at a time to the best of all its neighbours, scored lexicographically: a package the
relaxation of package bounding deems ratifiable scores its bound; any other scores minus
its *shortfall*, the utility its cheapest would-be supporters still lack after every
payment and transfer they could get, priced like package bounding's money. Each ascent stops at a
local optimum; the best local optimum is then perturbed (a few issues changed at random,
with a fixed seed) and climbed again, a fixed number of times. It is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .bounding import body_money
from .tree import Block, PackageTree

MIXES = np.linspace(1.0, 0.0, 11)
"""The weights :math:`\\lambda` of the objective in the starting packages."""
STEPS = 200
"""Most moves of one ascent."""
KICKS = 60
"""Most perturbations of the best local optimum (two to four issues changed at random, seeded), each followed by an ascent."""
STALL = 15
"""Perturbations in a row that find nothing better, after which the search stops."""
INFEASIBLE = -1e200
"""Scores below this (times one plus the shortfall) mark packages the relaxation deems unratifiable."""


def starting_packages(tree: PackageTree, stop: Callable[[], bool] = lambda: False) -> list[np.ndarray]:
    """Local optima of the ascent from every start, then of up to :data:`KICKS` perturbations of the best
    one; those the relaxation deems ratifiable, best first, distinct.
    ``stop`` ends the search early when it says so (checked between moves)."""
    found: dict[tuple, float] = {}

    def climb(start: np.ndarray) -> tuple[np.ndarray, float]:
        picks, value = ascend(tree, start, stop)
        if value > INFEASIBLE:
            found[tuple(int(j) for j in picks)] = value
        return picks, value

    best = max((climb(start) for start in [_mixed(tree, mix) for mix in MIXES]),
               key=lambda found_: found_[1], default=None)
    rng = np.random.default_rng(0)
    sizes = np.array([len(o) for o in tree.options])
    movable = np.flatnonzero(sizes > 1)
    stalled = 0
    for _ in range(KICKS if best is not None and len(movable) else 0):
        if stalled >= STALL or stop():
            break
        stalled += 1
        kicked = best[0].copy()
        for k in rng.choice(movable, size=min(len(movable), int(rng.integers(2, 5))), replace=False):
            kicked[k] = rng.integers(0, sizes[k])
        picks, value = climb(kicked)
        if value > best[1]:
            best, stalled = (picks, value), 0
    ranked = sorted(found.items(), key=lambda item: -item[1])
    return [np.array(p, dtype=np.int16) for p, _ in ranked]


def ascend(tree: PackageTree, picks: np.ndarray, stop: Callable[[], bool] = lambda: False) -> tuple[np.ndarray, float]:
    """Steepest ascent from a package by one-issue changes; the local optimum (or where ``stop`` ended it) and its score."""
    picks = np.asarray(picks, dtype=np.int16)
    current = float(score(tree, picks[None, :])[0])
    for _ in range(STEPS):
        if stop():
            break
        neighbours = _neighbours(tree, picks)
        if not len(neighbours):
            break
        scores = score(tree, neighbours)
        best = int(np.argmax(scores))
        if scores[best] <= current + 1e-12 * max(1.0, abs(current)):
            break
        picks, current = neighbours[best], float(scores[best])
    return picks, current


def score(tree: PackageTree, picks: np.ndarray) -> np.ndarray:
    """The ascent's score of complete packages (rows of picks); Rule-breaking ones score -inf."""
    block = tree.complete(picks)
    bound = tree.bound(block, None)
    out = np.where(np.isfinite(bound), bound, INFEASIBLE * (1 + _shortfall(tree, block)))
    return np.where(tree.abides(picks), out, -np.inf)


def _shortfall(tree: PackageTree, block: Block) -> np.ndarray:
    """How far each package is from ratification: the utility its bodies' and vetoes' cheapest
    supporters still lack after every payment and transfer they could get, priced like money by
    package bounding's relaxation (a fractional knapsack of weight, the cheapest members for
    counts), over the groups' typical reservation."""
    inst = tree.instance
    if not inst.groups:
        return np.zeros(len(block))
    p = tree.prices
    lacking = np.maximum(0.0, p.reservation[None, :] - block.groups - p.free[None, :] - p.lift[None, :])
    out = np.zeros(len(block))
    for body in inst.bodies:
        out += np.nan_to_num(body_money(body, lacking, tree.column), posinf=1e100)
    vetoes = [tree.column[g.id] for g in inst.groups if g.veto]
    if vetoes:
        out += lacking[:, vetoes].sum(axis=1)
    return out / (1.0 + float(np.mean(np.abs(p.reservation))))


def _neighbours(tree: PackageTree, picks: np.ndarray) -> np.ndarray:
    """Every package that differs from ``picks`` on one issue."""
    rows = []
    for k, options in enumerate(tree.options):
        for j in range(len(options)):
            if j != picks[k]:
                row = picks.copy()
                row[k] = j
                rows.append(row)
    return np.array(rows, dtype=np.int16).reshape(len(rows), tree.depth)


def _mixed(tree: PackageTree, mix: float) -> np.ndarray:
    """The package that maximises the mix of the objective's coefficients and the options' popularity."""
    inst = tree.instance
    popularity = np.zeros(len(inst.groups))
    for body in inst.bodies:
        total = sum(m.weight for m in body.members) or 1.0
        for m in body.members:
            popularity[tree.column[m.group]] += m.weight / total
    picks = np.zeros(tree.depth, dtype=np.int16)
    for k in range(tree.depth):
        if not len(tree.options[k]):
            continue
        value = mix * _unit(tree.objective_values(k)) + (1 - mix) * _unit(popularity @ tree.group_values[k])
        picks[k] = int(np.argmax(value))
    return picks


def _unit(values: np.ndarray) -> np.ndarray:
    spread = values.max() - values.min() if values.size else 0.0
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)
