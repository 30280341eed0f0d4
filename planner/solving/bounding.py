r"""Package bounding: list the packages, bound each one, and check only the promising ones.

When there are at most 200,000 packages (and at most :math:`10^8` package–group pairs), the
best deal for the ``own`` or ``joint`` objective is found without branching on package
choices:

1. every Rule-abiding package :math:`x` is listed (numpy, in chunks);
2. for each, an upper bound :math:`\bar U(x)` on the objective over all payments and
   transfers is computed from a relaxation (below) in vectorised arithmetic, and packages
   that no side could ratify even in the relaxation are dropped;
3. packages are checked in decreasing order of the bound by solving the model with the
   package fixed (:func:`planner.solving.methods.package_bounding`).

The relaxation, for one package :math:`x`:

* group :math:`g` must be lifted by :math:`d_g = \max(0, r_g - v_g(x) - \tau_g - 10^{-6})`, where
  :math:`\tau_g` is the most that transfers from other sides could add (free to its side);
  its side must pay it at least :math:`d_g/e_g` if its cap and budget allow
  (:math:`e_g \bar p_g \ge d_g`), and cannot win it otherwise;
* a body's weight condition costs at least the cheapest *fractional* purchase of yes weight
  :math:`S^+_b`, the smallest passing subset sum
  (:func:`~planner.formulation.thresholds.passing_weight`; a fractional knapsack by money per
  unit of weight), its count condition at least its :math:`\lceil c_b n_b\rceil` cheapest
  members, and with a blocking minority the body costs the cheaper of that and its
  :math:`n_b - \beta_b + 1` cheapest members;
* a side pays at least the largest of its bodies' bounds and the sum of its veto groups'
  money; the package is dropped when that exceeds the side's budget or leaves its
  negotiator, with every transfer it could receive, below its reservation; otherwise its
  negotiator keeps at most :math:`V_s(x) + \sum_{k\to s}\nu_k T_k - \kappa_s\cdot\text{money}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import objectives
from ..formulation.coefficients import Linear, holder_linear, max_payment, negotiator_linear
from ..formulation.thresholds import count_required, passing_weight
from ..model import Instance

MAX_PACKAGES = 200_000
"""Most packages bounding lists; beyond it (1M packages of the 10x4x20 corpus) the MIP was faster."""
MAX_CELLS = 100_000_000
"""Most packages x groups that bounding lists."""
CHUNK_CELLS = 2_000_000
TOLERANCE = 1e-6


def applicable(instance: Instance, objective: str) -> bool:
    """Whether package bounding can solve this instance for this objective (its relaxation knows no actions)."""
    n = instance.package_count
    small = n <= MAX_PACKAGES and n * max(1, len(instance.groups)) <= MAX_CELLS
    return objectives.of(objective).boundable and not instance.actions and small


def packages(instance: Instance) -> np.ndarray:
    """Every Rule-abiding package as a row of option indices, one column per issue."""
    sizes = [len(i.options) for i in instance.issues]
    grid = np.indices(sizes, dtype=np.int32).reshape(len(sizes), -1).T
    return grid[abides(instance, grid)]


def abides(instance: Instance, grid: np.ndarray) -> np.ndarray:
    """Which packages (rows of option indices) keep every Rule."""
    keep = np.ones(len(grid), dtype=bool)
    position = {i.id: k for k, i in enumerate(instance.issues)}
    for r in instance.rules:
        (ia, oa), (ib, ob) = r.pair
        a = grid[:, position[ia]] == instance.issue(ia).option_ids.index(oa)
        b = grid[:, position[ib]] == instance.issue(ib).option_ids.index(ob)
        keep &= (~a | b) if r.kind == "requires" else ~(a & b)
    return keep


def values(instance: Instance, linears: list[Linear], grid: np.ndarray, holders: list[str] | None = None) -> np.ndarray:
    """Package values, shape (packages, holders), for holders given by their coefficients.

    A holder (named in ``holders``, in the order of ``linears``) whose terms differ so widely
    in magnitude that summing them in order could be off by more than :data:`WIDE` is summed
    with compensation (:func:`rounding`).
    """
    roundings = [rounding(instance, h) for h in holders] if holders is not None else [0.0] * len(linears)
    return _values(instance, linears, grid, roundings)[0]


EPSILON = float(np.finfo(float).eps)
WIDE = 1e-7
"""Rounding that bounding takes into account (a tenth of the support tolerance): beyond it a holder's sums are
compensated and its bounds widened. Below it, rounding is within the tolerance and the win margin of the values it rounds."""


def rounding(instance: Instance, holder: str) -> float:
    r"""A bound on how far a holder's package value, as its coefficients summed term by term, is from the evaluator's.

    With :math:`n` terms (one per issue, one per Link) whose absolute values total at most
    :math:`S = \sum_i \max_o |v_{io}| + \sum |v_{ab}|`, a sum in floating point is within
    :math:`(n + 4)\,\varepsilon S` of the exact one, and the evaluator's is exact to one
    rounding. A negotiator that averages its groups has the weighted terms of all of them
    (its coefficients are sums of weighted group values, rounded before they are summed).
    """
    def size(h: str) -> tuple[int, float]:
        table = instance.utilities.get(h, {})
        links = instance.links_of(h)
        s = sum(max((abs(table.get((i.id, o.id), 0.0)) for o in i.options), default=0.0) for i in instance.issues)
        return len(instance.issues) + len(links), s + sum(abs(l.value) for l in links)

    terms, total = size(holder)
    if holder in instance.side_ids and not instance.has_explicit_utilities(holder):
        groups = [g for g in instance.groups_of(holder) if g.weight > 0]
        weight = sum(g.weight for g in groups)
        for g in groups:
            n, s = size(g.id)
            terms, total = terms + n, total + g.weight / weight * s
    return (terms + 4) * EPSILON * total


def wide(instance: Instance) -> bool:
    """Whether some holder's values differ so widely in magnitude that rounding could exceed :data:`WIDE` (computed once)."""
    if "wide" not in instance._cache:
        holders = (*instance.side_ids, *(g.id for g in instance.groups))
        instance._cache["wide"] = any(rounding(instance, h) > WIDE for h in holders)
    return instance._cache["wide"]


def _values(instance: Instance, linears: list[Linear], grid: np.ndarray,
            roundings: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Package values and the rounding each may carry (0 where it is below :data:`WIDE`).

    Where the rounding could exceed :data:`WIDE` (1e16, 1 and -1e16 on three issues sum to
    0 term by term), the holder's values are summed with Neumaier's compensation, which
    recovers the 1, and bounding widens the holder's bounds by the rounding so that no
    package is dropped or ranked low by it.
    """
    out = np.zeros((len(grid), len(linears)))
    slack = np.array([r if r > WIDE else 0.0 for r in roundings])
    wide = [h for h, r in enumerate(slack) if r > 0]
    carry = np.zeros((len(grid), len(wide)))
    for k, issue in enumerate(instance.issues):
        table = np.array([[lin.options.get((issue.id, o.id), 0.0) for o in issue.options] for lin in linears])
        terms = table[:, grid[:, k]].T
        if wide:
            out[:, wide], carry = _compensated(out[:, wide], carry, terms[:, wide])
            terms[:, wide] = 0.0
        out += terms
    position = {i.id: k for k, i in enumerate(instance.issues)}
    for h, lin in enumerate(linears):
        column = wide.index(h) if h in wide else None
        for ((ia, oa), (ib, ob)), c in lin.pairs.items():
            both = (grid[:, position[ia]] == instance.issue(ia).option_ids.index(oa)) & (
                grid[:, position[ib]] == instance.issue(ib).option_ids.index(ob))
            if column is None:
                out[:, h] += c * both
            else:
                out[:, h], carry[:, column] = _compensated(out[:, h], carry[:, column], c * both)
    if wide:
        out[:, wide] += carry
    return out, np.broadcast_to(slack, out.shape)


def _compensated(total: np.ndarray, carry: np.ndarray, term: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of Neumaier's compensated summation: the new total, and the rounding carried so far."""
    new = total + term
    lost = np.where(np.abs(total) >= np.abs(term), (total - new) + term, (term - new) + total)
    return new, carry + lost


@dataclass(frozen=True)
class Prices:
    """What buying each group's support depends on, one entry per group: its reservation,
    payment efficiency, most lift :math:`e_g \bar p_g` and the most transfers could add."""

    reservation: np.ndarray
    efficiency: np.ndarray
    lift: np.ndarray
    free: np.ndarray


def prices(instance: Instance, transfers: bool = True) -> Prices:
    """The groups' :class:`Prices` (transfers from other sides counted at their most, unless ``transfers`` is false)."""
    return Prices(
        np.array([g.reservation for g in instance.groups], dtype=float),
        np.array([g.payment_efficiency for g in instance.groups], dtype=float),
        np.array([g.payment_efficiency * max_payment(instance, g.id) for g in instance.groups], dtype=float),
        np.array([sum(t.value * t.max_amount for t in instance.transfers if t.to == g.id and transfers)
                  for g in instance.groups], dtype=float),
    )


def support_money(instance: Instance, gv: np.ndarray, transfers: bool = True, priced: Prices | None = None) -> np.ndarray:
    """Least money each group's side must pay for its support, shape (packages, groups); inf: impossible.

    Transfers from other sides may cover part of a group's deficit at no cost to its side
    (they are counted at their most); the rest costs the side that deficit over the group's
    payment efficiency, when its cap and its side's budget allow that much. ``priced``: the
    groups' :func:`prices`, when already known.
    """
    p = priced or prices(instance, transfers)
    deficit = np.maximum(0.0, p.reservation[None, :] - gv - p.free[None, :] - TOLERANCE)  # what the side must cover
    money = np.full(deficit.shape, np.inf)
    buyable = (deficit <= p.lift[None, :] + 1e-12) & (p.lift[None, :] > 0)
    np.divide(deficit, np.where(p.efficiency > 0, p.efficiency, 1.0)[None, :], out=money, where=buyable)
    money[deficit <= 0] = 0.0
    return money


def body_money(body, money: np.ndarray, column: dict[str, int]) -> np.ndarray:
    r"""A lower bound on the money a body's passing costs its side (inf: it cannot pass).

    The weight condition costs at least a fractional knapsack, the count condition the
    :math:`\lceil c\,n \rceil` cheapest members; with a blocking minority the body may
    instead pass on the :math:`n - \beta + 1` cheapest yes votes, whichever is cheaper.
    """
    cols = [column[m.group] for m in body.members]
    both = np.maximum(_weight_money(body, money, column), _cheapest(money[:, cols], count_required(body)))
    if body.block_min is None:
        return both
    return np.minimum(both, _cheapest(money[:, cols], len(cols) - body.block_min + 1))


def _cheapest(money: np.ndarray, k: int) -> np.ndarray:
    """The total of the ``k`` smallest entries of each row (0 for k <= 0)."""
    if k <= 0:
        return np.zeros(money.shape[0])
    if k > money.shape[1]:
        return np.full(money.shape[0], np.inf)
    return np.sort(money, axis=1)[:, :k].sum(axis=1)


def _weight_money(body, cost: np.ndarray, column: dict[str, int]) -> np.ndarray:
    """Fractional-knapsack lower bound on the money the passing yes weight :math:`S^+_b` costs."""
    n = cost.shape[0]
    rho = passing_weight(body)
    members = [(column[m.group], m.weight) for m in body.members if m.weight > 0]
    if rho is None:
        return np.full(n, np.inf)
    if rho <= 0:
        return np.zeros(n)
    if not members:
        return np.full(n, np.inf)
    cols = np.array([c for c, _ in members])
    w = np.array([w for _, w in members])
    c = cost[:, cols]
    if np.all(w == w[0]):
        return _equal_weight_money(c, rho / w[0])
    order = np.argsort(c / w[None, :], axis=1, kind="stable")
    sw = w[order]
    sc = np.take_along_axis(c, order, axis=1)
    cum_w = np.cumsum(sw, axis=1)
    with np.errstate(invalid="ignore"):
        cum_c = np.cumsum(sc, axis=1)
    reach = cum_w >= rho - 1e-12
    ok = reach[:, -1]
    k = np.argmax(reach, axis=1)
    rows = np.arange(n)
    before_w = np.where(k > 0, cum_w[rows, np.maximum(k - 1, 0)], 0.0)
    before_c = np.where(k > 0, cum_c[rows, np.maximum(k - 1, 0)], 0.0)
    need = rho - before_w
    with np.errstate(invalid="ignore"):
        last = np.where(need > 0, need / sw[rows, k] * sc[rows, k], 0.0)
    out = before_c + last
    out[~ok] = np.inf
    return np.nan_to_num(out, nan=np.inf, posinf=np.inf)


def _equal_weight_money(cost: np.ndarray, units: float) -> np.ndarray:
    """The fractional knapsack when every member weighs the same: the cheapest ``units`` members (a fraction of the last)."""
    n = cost.shape[1]
    whole = int(np.floor(units + 1e-12))
    part = units - whole if units - whole > 1e-12 else 0.0
    take = min(n, whole + (1 if part else 0))
    if whole > n or (part and take == n and whole == n):
        return np.full(cost.shape[0], np.inf)
    if take == 0:
        return np.zeros(cost.shape[0])
    cheapest = np.sort(np.partition(cost, take - 1, axis=1)[:, :take], axis=1)
    with np.errstate(invalid="ignore"):
        out = cheapest[:, :whole].sum(axis=1) + (part * cheapest[:, whole] if part else 0.0)
    return np.nan_to_num(out, nan=np.inf, posinf=np.inf)


def side_money(instance: Instance, side: str, money: np.ndarray, column: dict[str, int]) -> np.ndarray:
    """A lower bound on the money the side must pay for ratification: its costliest body, or its vetoes together."""
    paid = np.zeros(money.shape[0])
    for b in instance.bodies_of(side):
        paid = np.maximum(paid, body_money(b, money, column))
    vetoes = [column[g.id] for g in instance.groups_of(side) if g.veto]
    if vetoes:
        paid = np.maximum(paid, money[:, vetoes].sum(axis=1))
    return paid


def upper_bounds(instance: Instance, objective: str, home: str, grid: np.ndarray) -> np.ndarray:
    """An upper bound on the objective for every package; ``-inf`` where no deal can exist."""
    column = {g.id: k for k, g in enumerate(instance.groups)}
    group_lin = [holder_linear(instance, g.id) for g in instance.groups]
    side_lin = [negotiator_linear(instance, s) for s in instance.side_ids]
    group_rounding = [rounding(instance, g.id) for g in instance.groups]
    side_rounding = [rounding(instance, s) for s in instance.side_ids]
    incoming = np.array([sum(t.value * t.max_amount for t in instance.transfers if t.to == s) for s in instance.side_ids])
    out = np.empty(len(grid))
    step = max(1, CHUNK_CELLS // max(1, len(instance.groups)))
    for start in range(0, len(grid), step):
        chunk = grid[start:start + step]
        money = np.zeros((len(chunk), 0))
        if instance.groups:
            gv, slack = _values(instance, group_lin, chunk, group_rounding)
            money = support_money(instance, gv + slack)  # at their most, where rounding may hide part of them
        sv, slack = _values(instance, side_lin, chunk, side_rounding)
        keep = sv + slack + incoming[None, :]
        alive = np.ones(len(chunk), dtype=bool)
        for k, s in enumerate(instance.sides):
            paid = side_money(instance, s.id, money, column)
            alive &= paid <= s.budget + 1e-9
            keep[:, k] -= s.payment_cost * np.where(np.isfinite(paid), paid, 0.0)
            if s.reservation is not None:
                alive &= keep[:, k] >= s.reservation - TOLERANCE
        bound = keep[:, instance.side_ids.index(home)] if objective == "own" else keep.sum(axis=1)
        out[start:start + step] = np.where(alive, bound, -np.inf)
    return out


def ranked(instance: Instance, objective: str, home: str) -> tuple[np.ndarray, np.ndarray]:
    """The packages that may hold a deal, best bound first (ties by listing order), and their bounds."""
    grid = packages(instance)
    ub = upper_bounds(instance, objective, home, grid)
    order = np.argsort(-ub, kind="stable")
    order = order[np.isfinite(ub[order])]
    return grid[order], ub[order]


def as_package(instance: Instance, row: np.ndarray) -> dict[str, str]:
    return {issue.id: issue.options[int(k)].id for issue, k in zip(instance.issues, row)}

