r"""Package tree search: branch and bound over partial packages, for the own and joint objectives.

Package bounding (:mod:`planner.solving.bounding`) lists every package; beyond a few hundred
thousand packages it cannot. The tree fixes the issues one at a time, in a fixed order, and
bounds each *partial* package — its first :math:`k` issues fixed — by a relaxation of
everything the free issues could still bring, in vectorised numpy over blocks of partial
packages. A partial package whose bound cannot beat the best deal found is dropped with every
package below it; a complete package that survives is checked by solving the model with the
package fixed, as package bounding does. When the tree is exhausted the best deal is optimal
(within ``mip_gap``); when the time limit stops it, the largest bound still open bounds every
deal it has not seen.

**The bound of a partial package.** Let :math:`F` be the fixed issues and :math:`R` the free
ones, :math:`c_{io}` the objective's coefficient of option :math:`o` (the home negotiator's
package value for ``own``, the sum of the negotiators' for ``joint``) and
:math:`\ell_{io} = \max_{o'} c_{io'} - c_{io} \ge 0` the objective's *loss* when issue
:math:`i` takes :math:`o`. The objective is at most

.. math:: \bar C = c_F + \sum_{i \in R} \max_o c_{io} + \beta,

where :math:`c_F` is the fixed issues' value and :math:`\beta` counts the links not yet
decided at their best and every transfer the objective's sides could receive. A deal better
than the best one found, worth :math:`z`, leaves a *loss budget* :math:`\Lambda = \bar C - z`:
its free issues lose at most :math:`\sum_{i \in R} \ell_{i x_i} \le \Lambda`. So a group
:math:`g` gains from the free issues at most

.. math:: \gamma_g(\Lambda) = \max\Big\{\sum_{i\in R} v_{g i x_i} : \sum_{i \in R}\ell_{i x_i} \le \Lambda\Big\}
          \le \min_{\theta \in \Theta}\Big(\theta\Lambda + \sum_{i \in R}\max_o\,(v_{gio} - \theta\,\ell_{io})\Big)

(weak Lagrangian duality, for a grid :math:`\Theta \ni 0` of multipliers; the sums over
:math:`R` are suffix sums computed once for the issue order), plus its undecided links at
their best. With :math:`v_{gF} + \gamma_g` as the group's most, package bounding's relaxation
prices each side's ratification: deficits bought at the group's payment efficiency within
its cap, the cheapest fractional purchase of each body's passing weight, the cheapest members
for counts and blocking minorities, veto groups together (:func:`planner.solving.bounding.side_money`).
A partial package is dropped when a side cannot afford its ratification, when a negotiator
stays below its Level-I reservation even with every transfer it could receive, or when the
objective's bound less the money the objective's sides must pay,
:math:`\bar C - \sum_s \kappa_s\,\underline{m}_s`, does not beat :math:`z` by more than the gap.

At a complete package the loss budget no longer matters and the bound is package bounding's.
Rules are checked as soon as both of their issues are fixed, and options no Rule-abiding
package can hold are never tried. The issues are fixed in decreasing order of the
objective's spread over their options, so that the loss budget binds early. Floating-point
sums get a margin proportional to the magnitudes summed, so rounding cannot drop a package
that could win. The search is depth-first, most promising children first, and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..evaluate import Deal, evaluate
from ..formulation.coefficients import Linear, holder_linear, negotiator_linear
from ..formulation.presolve import pickable_options
from ..model import Instance
from ..objectives import objective_value
from . import bounding

THETAS = np.concatenate([[0.0], np.geomspace(1 / 8, 8, 7)])
"""The multipliers :math:`\\Theta`, in units of the instance's typical gain of a group per unit of loss."""
CELLS = 3_000_000
"""Most partial packages x groups x multipliers bounded at once (memory)."""
ROUNDING = 1e-12
"""Margin per term and per unit of magnitude of a floating-point sum."""
UNKNOWN_LOSS = 1e300
"""The loss budget before any deal is known (every multiplier but 0 is then useless)."""


@dataclass
class Block:
    """Partial packages with their first ``level`` issues (in the tree's order) fixed; one row each."""

    level: int
    picks: np.ndarray  # (n, level) the option of each fixed issue, as its column among the options tried there
    groups: np.ndarray  # (n, G) the groups' values of the fixed issues and decided links
    sides: np.ndarray  # (n, S) the negotiators' values of the fixed issues and decided links
    bound: np.ndarray  # (n,) the objective's bound

    def __len__(self) -> int:
        return len(self.bound)

    def rows(self, keep) -> Block:
        return Block(self.level, self.picks[keep], self.groups[keep], self.sides[keep], self.bound[keep])


class PackageTree:
    """The tree's arrays for one instance, objective and home side: per issue (in the tree's
    order) the options tried and every holder's values, and the suffix sums of the bounds."""

    def __init__(self, instance: Instance, objective: str, home: str, allowed: dict[int, int] | None = None):
        """``allowed`` fixes issues (by index) to one option each (by index): the tree of a neighbourhood."""
        self.instance, self.objective, self.home = instance, objective, home
        sides = instance.side_ids
        self.objective_sides = np.array([objective != "own" or s == home for s in sides])
        group_lin = [holder_linear(instance, g.id) for g in instance.groups]
        side_lin = [negotiator_linear(instance, s) for s in sides]
        allowed = allowed or {}
        self.order = _issue_order(instance, [lin for lin, on in zip(side_lin, self.objective_sides) if on], set(allowed))
        alive = pickable_options(instance)
        self.options = [[j for j, o in enumerate(instance.issues[i].options)
                         if (instance.issues[i].id, o.id) in alive and allowed.get(i, j) == j] for i in self.order]
        self.group_values = [self._values(group_lin, k) for k in range(len(self.order))]
        self.side_values = [self._values(side_lin, k) for k in range(len(self.order))]
        self.group_links = self._links(group_lin)
        self.side_links = self._links(side_lin)
        self.rules = self._rules()
        self.incoming = np.array([sum(t.value * t.max_amount for t in instance.transfers if t.to == s) for s in sides])
        self.budget = np.array([s.budget for s in instance.sides])
        self.payment_cost = np.array([s.payment_cost for s in instance.sides])
        self.level_one = [(k, s.reservation) for k, s in enumerate(instance.sides) if s.reservation is not None]
        self.column = {g.id: k for k, g in enumerate(instance.groups)}
        self.prices = bounding.prices(instance)
        self._suffixes(group_lin, side_lin)

    @property
    def depth(self) -> int:
        return len(self.order)

    def objective_values(self, k: int) -> np.ndarray:
        """The objective's coefficient of each option tried at level ``k``."""
        return self.side_values[k][self.objective_sides].sum(axis=0)

    def package(self, picks: np.ndarray) -> dict[str, str]:
        """The package of a complete row of picks."""
        issues = self.instance.issues
        return {issues[i].id: issues[i].options[self.options[k][int(j)]].id for k, (i, j) in enumerate(zip(self.order, picks))}

    def complete(self, picks: np.ndarray) -> Block:
        """Complete packages (rows of picks) with their groups' and negotiators' values; Rules not checked."""
        n, G, S = len(picks), len(self.instance.groups), len(self.instance.side_ids)
        groups, sides = np.zeros((n, G)), np.zeros((n, S))
        for k in range(self.depth):
            groups += self.group_values[k].T[picks[:, k]]
            sides += self.side_values[k].T[picks[:, k]]
            for h, ka, ja, jb, value in self.group_links[k]:
                groups[:, h] += value * ((picks[:, ka] == ja) & (picks[:, k] == jb))
            for h, ka, ja, jb, value in self.side_links[k]:
                sides[:, h] += value * ((picks[:, ka] == ja) & (picks[:, k] == jb))
        return Block(self.depth, picks, groups, sides, np.full(n, np.inf))

    def abides(self, picks: np.ndarray) -> np.ndarray:
        """Which complete packages (rows of picks) keep every Rule."""
        keep = np.ones(len(picks), dtype=bool)
        for k in range(self.depth):
            for kind, ka, ja, jb, earlier_first in self.rules[k]:
                keep &= _keeps(kind, picks[:, ka] == ja, picks[:, k] == jb, earlier_first)
        return keep

    # -- the arrays -----------------------------------------------------------------------
    def _values(self, linears: list[Linear], k: int) -> np.ndarray:
        issue = self.instance.issues[self.order[k]]
        keys = [(issue.id, issue.options[j].id) for j in self.options[k]]
        out = np.zeros((len(linears), len(keys)))
        for h, lin in enumerate(linears):
            out[h] = [lin.options.get(key, 0.0) for key in keys]
        return out

    def _option(self, issue: str, option: str) -> tuple[int, int]:
        """The level of an issue and the column of one of its options there (-1: never tried)."""
        k = self.order.index([i.id for i in self.instance.issues].index(issue))
        j = self.instance.issue(issue).option_ids.index(option)
        return k, self.options[k].index(j) if j in self.options[k] else -1

    def _links(self, linears: list[Linear]) -> list[list[tuple[int, int, int, int, float]]]:
        """Per level, the links decided there: (holder, earlier level, its option's column, this level's column, value)."""
        out: list[list] = [[] for _ in self.order]
        for h, lin in enumerate(linears):
            for (a, b), value in lin.pairs.items():
                (ka, ja), (kb, jb) = sorted((self._option(*a), self._option(*b)))
                if ja >= 0 and jb >= 0 and value:
                    out[kb].append((h, ka, ja, jb, value))
        return out

    def _rules(self) -> list[list[tuple[str, int, int, int, bool]]]:
        """Per level, the Rules decided there: (kind, earlier level, its column, this level's column, whether
        the earlier issue holds the rule's first option)."""
        out: list[list] = [[] for _ in self.order]
        for r in self.instance.rules:
            a, b = self._option(*r.pair[0]), self._option(*r.pair[1])
            (ka, ja), (kb, jb) = sorted((a, b))
            out[kb].append((r.kind, ka, ja, jb, a <= b))
        return out

    def _suffixes(self, group_lin: list[Linear], side_lin: list[Linear]) -> None:
        """Sums over the free issues (index k: levels k and after) of what bounds the free part."""
        n, G, S = self.depth, len(self.instance.groups), len(self.instance.side_ids)
        self.loss = [(c.max() - c) if c.size else c for c in (self.objective_values(k) for k in range(n))]
        self.thetas = THETAS * _scale(self.group_values, self.loss)
        self.objective_best = np.zeros(n + 1)
        self.side_best = np.zeros((S, n + 1))
        self.lagrange = np.zeros((len(self.thetas), G, n + 1))
        self.group_link_best = np.zeros((G, n + 1))
        self.side_link_best = np.zeros((S, n + 1))
        for k in range(n - 1, -1, -1):
            gv, sv = self.group_values[k], self.side_values[k]
            self.objective_best[k] = self.objective_best[k + 1] + (self.objective_values(k).max() if sv.size else 0.0)
            self.side_best[:, k] = self.side_best[:, k + 1] + (sv.max(axis=1) if sv.size else 0.0)
            if gv.size:
                step = (gv[None, :, :] - self.thetas[:, None, None] * self.loss[k][None, None, :]).max(axis=2)
            else:
                step = 0.0
            self.lagrange[:, :, k] = self.lagrange[:, :, k + 1] + step
            self.group_link_best[:, k] = self.group_link_best[:, k + 1]
            self.side_link_best[:, k] = self.side_link_best[:, k + 1]
            for h, *_, value in self.group_links[k]:
                self.group_link_best[h, k] += max(0.0, value)
            for h, *_, value in self.side_links[k]:
                self.side_link_best[h, k] += max(0.0, value)
        terms = n + 2
        group_size = np.array([_magnitude(lin) + abs(g.reservation) for lin, g in zip(group_lin, self.instance.groups)])
        side_size = np.array([_magnitude(lin) for lin in side_lin]) + self.incoming
        self.group_margin = ROUNDING * terms * group_size
        self.objective_margin = ROUNDING * terms * float(side_size[self.objective_sides].sum())
        self.side_margin = ROUNDING * terms * side_size

    # -- growing and bounding --------------------------------------------------------------
    def root(self) -> Block:
        G, S = len(self.instance.groups), len(self.instance.side_ids)
        return Block(0, np.zeros((1, 0), dtype=np.int16), np.zeros((1, G)), np.zeros((1, S)), np.array([np.inf]))

    def children(self, block: Block, best: float | None) -> Block:
        """Every Rule-abiding child of the block's partial packages whose bound exceeds ``best``, best bound first."""
        k = block.level
        m = len(self.options[k])
        n = len(block)
        column = np.tile(np.arange(m, dtype=np.int16), n)
        parent = np.repeat(np.arange(n), m)
        picks = np.concatenate([block.picks[parent], column[:, None]], axis=1)
        groups = block.groups[parent] + self.group_values[k].T[column]
        sides = block.sides[parent] + self.side_values[k].T[column]
        keep = np.ones(len(column), dtype=bool)
        for h, ka, ja, jb, value in self.group_links[k]:
            groups[:, h] += value * ((picks[:, ka] == ja) & (column == jb))
        for h, ka, ja, jb, value in self.side_links[k]:
            sides[:, h] += value * ((picks[:, ka] == ja) & (column == jb))
        for kind, ka, ja, jb, earlier_first in self.rules[k]:
            keep &= _keeps(kind, picks[:, ka] == ja, column == jb, earlier_first)
        child = Block(k + 1, picks[keep], groups[keep], sides[keep], np.empty(int(keep.sum())))
        child.bound = self.bound(child, best)
        alive = child.bound > -np.inf if best is None else child.bound > best
        child = child.rows(alive)
        return child.rows(np.argsort(-child.bound, kind="stable"))

    def bound(self, block: Block, best: float | None) -> np.ndarray:
        """The objective's bound of each partial package (-inf where no deal below it exists), for
        deals worth more than ``best`` (None: any deal)."""
        k = block.level
        fixed = block.sides[:, self.objective_sides].sum(axis=1)
        most = (fixed + self.objective_best[k] + self.side_link_best[self.objective_sides, k].sum()
                + self.incoming[self.objective_sides].sum() + self.objective_margin)
        out = np.full(len(block), -np.inf)
        rows = np.arange(len(block)) if best is None else np.flatnonzero(most > best)
        if not len(rows):
            return out
        most, sides = most[rows], block.sides[rows]
        budget = np.full(len(rows), UNKNOWN_LOSS) if best is None else most - best
        gain = (self.lagrange[:, :, k][:, None, :] + self.thetas[:, None, None] * budget[None, :, None]).min(axis=0)
        standing = block.groups[rows] + gain + self.group_link_best[:, k][None, :] + self.group_margin[None, :]
        money = bounding.support_money(self.instance, standing, priced=self.prices)
        alive = np.ones(len(rows), dtype=bool)
        spent = np.zeros(len(rows))
        for s, side in enumerate(self.instance.side_ids):
            paid = bounding.side_money(self.instance, side, money, self.column)
            alive &= paid <= self.budget[s] + 1e-9
            paid = np.where(np.isfinite(paid), paid, 0.0)
            if self.objective_sides[s]:
                spent += self.payment_cost[s] * paid
            for t, reservation in self.level_one:
                if t == s:
                    keeps = (sides[:, s] + self.side_best[s, k] + self.side_link_best[s, k] + self.incoming[s]
                             - self.payment_cost[s] * paid + self.side_margin[s])
                    alive &= keeps >= reservation - bounding.TOLERANCE
        out[rows] = np.where(alive, most - spent, -np.inf)
        return out


def _keeps(kind: str, a: np.ndarray, b: np.ndarray, earlier_first: bool) -> np.ndarray:
    """Whether a Rule holds, given whether its earlier and later options are chosen."""
    if kind == "excludes":
        return ~(a & b)
    return ~(a & ~b) if earlier_first else ~(b & ~a)


def _issue_order(instance: Instance, objective: list[Linear], fixed: set[int] = frozenset()) -> list[int]:
    """The ``fixed`` issues first, then the others by the objective's spread over their options, widest
    first (ties: the workbook's order)."""

    def spread(i: int) -> float:
        issue = instance.issues[i]
        values = [sum(lin.options.get((issue.id, o.id), 0.0) for lin in objective) for o in issue.options]
        return max(values) - min(values)

    return sorted(range(len(instance.issues)), key=lambda i: (i not in fixed, -spread(i), i))


def _scale(group_values: list[np.ndarray], losses: list[np.ndarray]) -> float:
    """The typical gain of a group over an issue per unit of the objective's loss over it."""
    gains = [float(np.median(v.max(axis=1) - v.min(axis=1))) for v in group_values if v.size]
    spreads = [float(loss.max()) for loss in losses if loss.size]
    g = float(np.median(gains)) if gains else 0.0
    ell = float(np.median(spreads)) if spreads else 0.0
    return g / ell if g > 0 and ell > 0 else 1.0


def _magnitude(lin: Linear) -> float:
    return sum(abs(v) for v in lin.options.values()) + sum(abs(v) for v in lin.pairs.values())


# -- the search ------------------------------------------------------------------------------
@dataclass
class Search:
    """Where a tree search ended: the best deal and its value, the bound on every deal it has not seen."""

    best: tuple[float, Deal] | None
    bound: float  # no deal the search has not seen is worth more (-inf: none is left)
    exhausted: bool
    resolved: float  # the share of all packages the search has settled


START_CHECKS = 5
"""Most starting packages (from :mod:`planner.solving.heuristics`) priced before the tree starts."""


def search_tree(built, tree: PackageTree, patience: float | None = None, best: tuple[float, Deal] | None = None,
                seconds: float | None = None, starts: list[np.ndarray] = ()) -> Search:
    """Search the tree of ``built``'s instance; complete packages are checked on the built model with the package fixed.

    The best deal starts as ``best`` when given, else as the better of ``built.start`` (when
    feasible) and the best of the first :data:`START_CHECKS` ``starts`` (complete packages,
    rows of picks). ``built.excluded`` (packages
    already reported) are skipped. The search stops at the time limit (or after ``seconds``)
    and, once ``patience`` seconds have passed, as soon as the share of packages it has
    settled so far projects that it would not finish in the time left; it then reports the
    largest bound still open.
    """
    began = built.remaining() if seconds is None else min(seconds, built.remaining())
    offset = began - built.remaining()  # the time left for this search is remaining() plus this

    def left() -> float:
        return built.remaining() + offset

    if best is None:
        best = starting_deal(built)
    else:
        starts = ()
    for picks in starts[:START_CHECKS]:
        best = _better_of(built, tree, picks, best)
    with np.errstate(over="ignore"):  # beyond 1e308 packages a node's share is 0
        weight = 1.0 / np.cumprod([1.0] + [max(1, len(o)) for o in tree.options])  # one node's share, per level
    stack = [tree.root()]
    resolved = 0.0
    groups = max(1, len(built.instance.groups))
    while stack:
        spent = began - left()
        if left() <= 0.05 or patience is not None and spent > patience and spent / max(resolved, 1e-12) > began:
            bound = max(float(b.bound.max()) for b in stack if len(b))
            return Search(best, bound if best is None else max(bound, best[0]), False, resolved)
        block = stack.pop()
        threshold = _threshold(built, best)
        if threshold is not None and block.level < tree.depth:
            alive = block.bound > threshold
            resolved += float((~alive).sum()) * weight[block.level]
            block = block.rows(alive)
        if not len(block):
            continue
        if block.level == tree.depth:
            for n, (picks, bound) in enumerate(zip(block.picks, block.bound)):
                threshold = _threshold(built, best)
                if threshold is not None and bound <= threshold:
                    resolved += (len(block) - n) * weight[tree.depth]
                    break
                if left() <= 0.05:
                    stack.append(block.rows(slice(n, None)))  # open when the time is up
                    break
                resolved += weight[tree.depth]
                best = _better_of(built, tree, picks, best)
            continue
        width = max(1, len(tree.options[block.level]))
        size = max(1, CELLS // (groups * len(tree.thetas) * width))
        if len(block) > size:
            stack.extend(block.rows(slice(s, s + size)) for s in reversed(range(0, len(block), size)))
            continue
        child = tree.children(block, threshold)
        resolved += (len(block) * width - len(child)) * weight[block.level + 1]
        if len(child):
            stack.append(child)
    return Search(best, -np.inf if best is None else best[0], True, 1.0)


NEIGHBOURHOOD = 8
"""Issues freed in the first neighbourhood; one more after a neighbourhood searched to the end
within :data:`NEIGHBOURHOOD_SECONDS`, one fewer after one that was not."""
NEIGHBOURHOOD_SECONDS = 1.0


def search_neighbourhoods(built, best: tuple[float, Deal], seconds: float) -> tuple[float, Deal]:
    """Improve a deal by trees over neighbourhoods: all issues but a few fixed at the deal's options.

    Each neighbourhood frees a seeded random choice of issues and is searched with the best
    deal as the bar to beat, for at most :data:`NEIGHBOURHOOD_SECONDS`; the number of issues
    freed grows while neighbourhoods are searched to the end and shrinks when they are not.
    Returns the best deal found within ``seconds``.
    """
    inst = built.instance
    until = built.remaining() - seconds
    rng = np.random.default_rng(0)
    size = NEIGHBOURHOOD
    while built.remaining() - until > 0.1 and size >= 1:
        chosen = dict(best[1].package)
        free = set(rng.choice(len(inst.issues), size=min(size, len(inst.issues)), replace=False).tolist())
        allowed = {k: inst.issues[k].option_ids.index(chosen[i.id]) for k, i in enumerate(inst.issues) if k not in free}
        tree = PackageTree(inst, built.objective, built.home, allowed)
        found = search_tree(built, tree, best=best, seconds=min(NEIGHBOURHOOD_SECONDS, built.remaining() - until))
        if found.best is not None and found.best[0] > best[0]:
            best = found.best
        size = size + 1 if found.exhausted else size - 1
        if size >= len(inst.issues):
            break
    return best


def _threshold(built, best: tuple[float, Deal] | None) -> float | None:
    """What a deal must exceed to matter: the best value plus the gap (None before any deal)."""
    if best is None:
        return None
    return best[0] + max(1e-9, built.mip_gap) * max(1.0, abs(best[0]))


def starting_deal(built) -> tuple[float, Deal] | None:
    """The starting deal (for example the previous point of a sweep), when it is feasible here."""
    if built.start is None:
        return None
    ev = evaluate(built.instance, built.start)
    if not ev.feasible:
        return None
    return objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal), built.start


def _better_of(built, tree: PackageTree, picks: np.ndarray, best: tuple[float, Deal] | None) -> tuple[float, Deal] | None:
    """The better of ``best`` and the complete package ``picks`` checked by HiGHS (a package already
    reported, in ``built.excluded``, is skipped)."""
    package = tree.package(picks)
    if built.package_key(package) in built.excluded:
        return best
    found = _checked_value(built, package)
    return found if found is not None and (best is None or found[0] > best[0]) else best


def _checked_value(built, package: dict[str, str]) -> tuple[float, Deal] | None:
    """The best deal with the package fixed and its value, when there is one that the evaluator accepts."""
    _, deal = built.solve_package(package)
    if deal is None:
        return None
    deal, ev = built.judged(deal)
    if not ev.feasible:
        return None
    return objective_value(built.instance, ev.negotiator_utility, built.objective, built.home, built.ideal), deal
