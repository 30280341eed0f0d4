r"""Exact vote thresholds: the right-hand sides that make weighted majorities exact.

A body's yes weight can only take the values of subset sums of its members' weights, so a
condition "more than (or at least) a share of the weight" is met exactly when the yes
weight reaches the smallest passing subset sum :math:`S^+`. The rows use the midpoint
between :math:`S^+` and the largest failing sum, so that no solver tolerance can flip a
vote; weights and thresholds are read as the fractions they stand for
(:func:`planner.evaluate.exact`). Pyomo-free: package bounding and the win-set counts use
the same thresholds.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache, reduce

from ..evaluate import exact
from ..model import Body

DP_LIMIT = 50_000_000
"""Largest scaled body weight for which the exact strict-majority threshold is computed."""


def weight_rhs(body: Body) -> float | None:
    r"""A right-hand side :math:`\rho` with :math:`Y \ge \rho \iff` the weight condition, for achievable :math:`Y`.

    For ``more_than`` the condition :math:`Y > \theta W` is strict. The yes weight can only
    take the values of subset sums of the members' weights, so the condition is
    :math:`Y \ge S^+` for the smallest achievable sum :math:`S^+` that satisfies it. We
    return the midpoint between :math:`S^+` and the largest achievable sum that fails, so
    that a solver tolerance can neither admit a failing vote nor reject a passing one.
    Returns ``None`` when no vote can pass the weight condition.
    """
    sums = weight_threshold_sums(body)
    return None if sums is None else float((sums[0] + sums[1]) / 2)


def passing_weight(body: Body) -> float | None:
    """:math:`S^+`, the smallest yes weight that passes the weight condition (None: none does)."""
    sums = weight_threshold_sums(body)
    return None if sums is None else float(sums[1])


@lru_cache(maxsize=4096)
def weight_threshold_sums(body: Body) -> tuple[Fraction, Fraction] | None:
    """The largest achievable yes weight that fails the weight condition and the smallest that passes.

    ``(0, 0)`` when every vote passes; ``None`` when none does. When the subset sums are too
    fine-grained to enumerate, the threshold itself with a margin of 1e-9 of the weight.
    """
    weights = [exact(m.weight) for m in body.members if m.weight > 0]
    total = sum(weights, Fraction(0))
    need = exact(body.threshold) * total

    def ok(s: Fraction) -> bool:
        return s > need if body.rule == "more_than" else s >= need

    if not ok(total):
        return None
    if ok(Fraction(0)):
        return Fraction(0), Fraction(0)
    sums = _subset_sums_around(weights, need, body.rule)
    if sums is None:
        margin = Fraction(1, 10**9) * total
        return (need, need + margin) if body.rule == "more_than" else (need - margin, need)
    return sums


def _subset_sums_around(weights: list[Fraction], need: Fraction, rule: str) -> tuple[Fraction, Fraction] | None:
    """The largest achievable yes weight that fails the condition and the smallest that passes.

    Subset sums are enumerated exactly with a big-integer bitset over the weights scaled
    to integers, when the scaled total is at most :data:`DP_LIMIT`; otherwise ``None``.
    """
    scale = reduce(math.lcm, (w.denominator for w in weights), 1)
    ints = [int(w * scale) for w in weights]
    if sum(ints) > DP_LIMIT:
        return None
    bits = 1
    for w in ints:
        bits |= bits << w
    target = need * scale
    # integer sums <= split fail, sums >= split + 1 pass
    split = math.floor(target) if rule == "more_than" else math.ceil(target) - 1
    below = (bits & ((1 << (split + 1)) - 1)).bit_length() - 1
    high = bits >> (split + 1)
    above = split + 1 + (high & -high).bit_length() - 1
    return Fraction(below, scale), Fraction(above, scale)


def count_required(body: Body) -> int:
    """Members that must vote yes for the count condition: :math:`\\lceil c\\,n \\rceil` exactly."""
    if body.count_threshold is None:
        return 0
    return math.ceil(exact(body.count_threshold) * len(body.members))
