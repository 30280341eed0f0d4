r"""Win-sets: how many packages each side would ratify, and how many every side would.

A side's *win-set* is the set of packages its Level II ratifies when its negotiator may
pay its own groups within its budget and caps (domestic payments; international
transfers are Level-I bargaining and are not counted, nor are the win-set strategies of
the Actions sheet, which are chosen with the deal). The *joint* win-set is the set of
packages every side ratifies. Packages that break a Rule are in no win-set. Shares are
of all packages.

Counting is exact when the packages can be listed (``exact_limit``, default one million):
support without payments is computed for every package at once with numpy, and votes are
decided exactly (:func:`planner.formulation.thresholds.weight_rhs`). A package a side ratifies only
with payments is recognised in two steps: the relaxation of :mod:`planner.solving.bounding` rules
out every package whose cheapest fractional purchase of votes exceeds the budget, and each
remaining candidate is settled exactly: a greedy purchase of votes within budget proves
ratification; otherwise every purchase of the groups the side could buy is tried at once
(up to 16 such groups), or, beyond that, a MIP of that side alone with the package fixed. Beyond
the limit, the counts are estimated from uniformly sampled packages, with Wilson score
intervals; whether the joint win-set is empty is then decided exactly by a MIP.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..formulation.coefficients import holder_linear
from ..formulation.thresholds import count_required, weight_rhs
from ..model import Instance
from ..solving import bounding
from ..solving.options import SolveOptions

EXACT_LIMIT = 1_000_000
CHUNK = 50_000


@dataclass(frozen=True)
class WinsetRow:
    """One line of the win-set table: a side (or ``joint``) and its size."""

    side: str
    packages: float
    share: float
    total: int
    exact: bool
    low: float
    high: float

    def to_dict(self) -> dict:
        return {"side": self.side, "packages": self.packages, "share": self.share, "total_packages": self.total,
                "exact": self.exact, "share_low": self.low, "share_high": self.high}


def joint_winset_empty(instance: Instance, time_limit: float | None = None) -> bool | None:
    """Exactly: is the joint win-set empty? (None when the time limit stopped the proof.) Solved by the
    method ``planner solve`` would choose (the package tree, which proves emptiness by exhausting it)."""
    from ..solving.api import solve

    status = solve(_level_two(instance), objective="own", time_limit=time_limit).status
    return {"no_agreement": True, "optimal": False, "feasible": False}.get(status)


def winset_sizes(instance: Instance, exact_limit: int = EXACT_LIMIT, samples: int = 20_000, seed: int = 0,
                 confidence: float = 0.95) -> pd.DataFrame:
    """The size of each side's win-set and of the joint win-set, one row each.

    Columns: side (a side id, or ``joint``), packages, share, total_packages, exact,
    share_low, share_high (the interval at ``confidence``; equal to share when exact).
    """
    total = instance.package_count
    if total <= exact_limit:
        rows = _exact_rows(instance)
    else:
        rows = _sampled_rows(instance, samples, seed, NormalDist().inv_cdf(0.5 + confidence / 2))
    return pd.DataFrame([r.to_dict() for r in rows])


def _exact_rows(instance: Instance) -> list[WinsetRow]:
    grid = bounding.packages(instance)
    ratified = ratifying(instance, grid)
    total = instance.package_count
    rows = []
    for side, ok in list(ratified.items()) + [("joint", np.logical_and.reduce(list(ratified.values())))]:
        n = int(ok.sum())
        rows.append(WinsetRow(side, n, n / total, total, True, n / total, n / total))
    return rows


def _sampled_rows(instance: Instance, samples: int, seed: int, z: float) -> list[WinsetRow]:
    rng = np.random.default_rng(seed)
    sizes = [len(i.options) for i in instance.issues]
    grid = np.stack([rng.integers(0, k, samples) for k in sizes], axis=1).astype(np.int32)
    keep = bounding.abides(instance, grid)
    ratified = {s: np.zeros(samples, dtype=bool) for s in instance.side_ids}
    for side, ok in ratifying(instance, grid[keep]).items():
        ratified[side][keep] = ok
    total = instance.package_count
    rows = []
    for side, ok in list(ratified.items()) + [("joint", np.logical_and.reduce(list(ratified.values())))]:
        share = float(ok.mean())
        low, high = wilson(int(ok.sum()), samples, z)
        rows.append(WinsetRow(side, share * total, share, total, False, low, high))
    return rows


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval for a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def ratifying(instance: Instance, grid: np.ndarray) -> dict[str, np.ndarray]:
    """For each side, which packages (rows of option indices) it ratifies, paying within its budget."""
    out = {}
    for s in instance.sides:
        ok = np.zeros(len(grid), dtype=bool)
        for start in range(0, len(grid), CHUNK):
            ok[start:start + CHUNK] = _side_ratifies(instance, s.id, grid[start:start + CHUNK])
        out[s.id] = ok
    return out


def _side_ratifies(instance: Instance, side: str, grid: np.ndarray) -> np.ndarray:
    groups = instance.groups_of(side)
    if not groups:
        return np.ones(len(grid), dtype=bool)  # an autonomous negotiator
    column = {g.id: k for k, g in enumerate(instance.groups)}
    gv = np.zeros((len(grid), len(instance.groups)))
    cols = [column[g.id] for g in groups]
    gv[:, cols] = bounding.values(instance, [holder_linear(instance, g.id) for g in groups], grid, [g.id for g in groups])
    r = np.array([g.reservation for g in instance.groups])
    supports = gv >= r[None, :] - 1e-6
    free = _passes(instance, side, supports, column)
    maybe = ~free & _affordable(instance, side, gv, column)
    if maybe.any():
        money = bounding.support_money(instance, gv[maybe], transfers=False)
        bought = np.zeros(int(maybe.sum()), dtype=bool)
        for weighted in (False, True):
            bought |= _greedy_purchase(instance, side, supports[maybe], money, column, weighted)
        free[np.flatnonzero(maybe)[bought]] = True
        maybe[np.flatnonzero(maybe)[bought]] = False
    undecided = np.flatnonzero(maybe)
    if len(undecided):
        money = bounding.support_money(instance, gv[undecided], transfers=False)
        checker = None
        for row, k in enumerate(undecided):
            verdict = _by_subsets(instance, side, supports[k], money[row], column)
            if verdict is None:  # too many groups to try every purchase: a MIP of this side alone
                if checker is None:
                    from ..solving.highs import BuiltModel  # Pyomo only when a MIP decides: the figures import this module

                    checker = BuiltModel(_side_alone(instance, side), "own", side, SolveOptions(method="mip"))
                checker.reset_clock()
                verdict = checker.solve_package(bounding.as_package(instance, grid[k]))[1] is not None
            free[k] = verdict
    return free


SUBSET_LIMIT = 16
"""Most groups whose every purchase is tried directly; beyond, a MIP decides."""


def _by_subsets(instance: Instance, side: str, supports: np.ndarray, money: np.ndarray,
                column: dict[str, int]) -> bool | None:
    """Exactly, for one package: does some affordable purchase of votes ratify? None when too many to try.

    Each group the side can buy costs its least payment; every subset of them is tried at
    once (vectorised), and the package is ratified when a subset within budget passes.
    """
    groups = instance.groups_of(side)
    own = np.array([column[g.id] for g in groups])
    local = {g.id: k for k, g in enumerate(groups)}  # the side's groups only: small trial matrices
    price = money[own]
    buyable = np.flatnonzero((price > 0) & (price < np.inf))
    if len(buyable) > SUBSET_LIMIT:
        return None
    masks = ((np.arange(2 ** len(buyable))[:, None] >> np.arange(len(buyable))[None, :]) & 1).astype(bool)
    trial = np.repeat(supports[own][None, :], len(masks), axis=0)
    trial[:, buyable] |= masks
    cost = masks @ price[buyable]
    return bool(np.any(_passes(instance, side, trial, local) & (cost <= instance.side(side).budget + 1e-9)))


def _passes(instance: Instance, side: str, supports: np.ndarray, column: dict[str, int]) -> np.ndarray:
    """Whether the side ratifies, with no payments, for each package (exact vote rules)."""
    ok = np.ones(len(supports), dtype=bool)
    for b in instance.bodies_of(side):
        cols = np.array([column[m.group] for m in b.members], dtype=int)
        weights = np.array([m.weight for m in b.members])
        yes = supports[:, cols] if len(cols) else np.zeros((len(supports), 0), dtype=bool)
        rho = weight_rhs(b)
        passed = (yes @ weights >= rho) if rho is not None else np.zeros(len(supports), dtype=bool)
        passed &= yes.sum(axis=1) >= count_required(b)
        if b.block_min is not None:
            passed |= (len(cols) - yes.sum(axis=1)) < b.block_min
        ok &= passed
    for g in instance.groups_of(side):
        if g.veto:
            ok &= supports[:, column[g.id]]
    return ok


def _greedy_purchase(instance: Instance, side: str, supports: np.ndarray, money: np.ndarray,
                     column: dict[str, int], weighted: bool) -> np.ndarray:
    """Packages a greedy purchase of votes ratifies within budget: a certificate, never a refusal.

    The side's groups are bought cheapest first (by money, or by money per unit of weight
    in its bodies); ratification only grows with more supporters, so the fewest purchases
    that ratify are found by bisection, and the package is in the win-set when they cost
    no more than the budget.
    """
    own = [column[g.id] for g in instance.groups_of(side)]
    cols = np.array(own)
    price = money[:, cols]
    if weighted:
        weight = np.array([max(sum(m.weight for b in instance.bodies_of(side) for m in b.members if m.group == g.id), 1e-9)
                           for g in instance.groups_of(side)])
        order = np.argsort(price / weight[None, :], axis=1, kind="stable")
    else:
        order = np.argsort(price, axis=1, kind="stable")
    cost = np.cumsum(np.take_along_axis(price, order, axis=1), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(len(own))[None, :].repeat(len(order), axis=0), axis=1)

    def ratified_with(k: np.ndarray) -> np.ndarray:
        with_k = supports.copy()
        with_k[:, cols] |= rank < k[:, None]
        return _passes(instance, side, with_k, column)

    lo = np.zeros(len(price), dtype=int)  # fails with lo purchases (free support fails)
    hi = np.full(len(price), len(own))
    ok_all = ratified_with(hi)
    while True:
        active = ok_all & (hi - lo > 1)
        if not active.any():
            break
        mid = (lo + hi) // 2
        passed = ratified_with(mid)
        hi = np.where(active & passed, mid, hi)
        lo = np.where(active & ~passed, mid, lo)
    spent = cost[np.arange(len(price)), np.maximum(hi - 1, 0)]
    return ok_all & (spent <= instance.side(side).budget + 1e-9)


def _affordable(instance: Instance, side: str, gv: np.ndarray, column: dict[str, int]) -> np.ndarray:
    """Packages the side might ratify with payments: its relaxed cost of votes is within budget."""
    s = instance.side(side)
    if s.budget <= 0:
        return np.zeros(len(gv), dtype=bool)
    money = bounding.support_money(instance, gv, transfers=False)
    return bounding.side_money(instance, side, money, column) <= s.budget + 1e-9


def _level_two(instance: Instance) -> Instance:
    """The instance without Level-I reservations, transfers and actions: ratification alone."""
    return instance.replace(sides=tuple(dataclasses.replace(s, reservation=None) for s in instance.sides), transfers=(),
                            actions=())


def _side_alone(instance: Instance, side: str) -> Instance:
    """The instance reduced to one side with no Level-I reservation and no transfers: its Level II alone."""
    key = ("alone", side)
    if key not in instance._cache:
        holders = {side} | {g.id for g in instance.groups_of(side)}
        level_two = _level_two(instance)
        instance._cache[key] = level_two.replace(
            sides=(level_two.side(side),),
            groups=instance.groups_of(side),
            bodies=instance.bodies_of(side),
            links=tuple(l for l in instance.links if l.holder in holders),
            utilities={h: v for h, v in instance.utilities.items() if h in holders},
            settings=dataclasses.replace(instance.settings, home_side=side, objective="own"),
        )
    return instance._cache[key]
