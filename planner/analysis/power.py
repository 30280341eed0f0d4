r"""Voting power of the members of each ratifying body, and the pivotal groups of a deal.

The game of a body
------------------
A body :math:`b` with members :math:`N = \{1, \dots, n\}` defines a *simple game*: a
coalition :math:`S \subseteq N` of members voting yes (the others vote no) *wins*,
:math:`v(S) = 1`, when the body passes and every member of the body that is a veto
group (``Group.veto``) is in :math:`S`; otherwise :math:`v(S) = 0`. The rule is the
one :func:`planner.evaluate.body_passes` applies, read as integer quotas:

* weights are read as the rationals :func:`planner.evaluate.exact` stands them for (the
  simplest fraction within float precision, so ``0.6`` is 3/5 and ``18.49`` is
  1849/100), then multiplied by the least common multiple of their denominators and
  divided by the greatest common divisor of the results. Every yes weight is then an
  integer :math:`Y(S) = \sum_{i \in S} a_i` and every comparison of the body's rule is
  exact;
* the weight condition :math:`Y > \theta A` (``more_than``) or :math:`Y \ge \theta A`
  (``at_least``), with :math:`A = \sum_i a_i`, is :math:`Y \ge q_w` for the integer quota
  :math:`q_w = \lfloor \theta A \rfloor + 1` or :math:`\lceil \theta A \rceil`;
* the count condition :math:`|S| \ge c\,n` is :math:`|S| \ge q_c = \lceil c\,n \rceil`
  (0 without ``count_threshold``);
* with ``block_min`` :math:`\beta` the body passes anyway when fewer than :math:`\beta`
  members vote no, :math:`n - |S| < \beta`, that is :math:`|S| \ge q_b = n - \beta + 1`.

So :math:`v(S) = [(Y(S) \ge q_w \wedge |S| \ge q_c) \vee |S| \ge q_b] \wedge [V \subseteq S]`
with :math:`V` the body's veto members. A veto group of the side that is not a member of
the body is not a player of this game: it can block the side's ratification, but the
body's decision only matters when it supports, so it changes no member's power.
:func:`_passes` is the one place this formula is written; the dynamic programme, the
enumeration, the sampler, :meth:`VotingGame.passes` and :func:`pivotal_groups` all use it,
and ``tests/test_power.py`` checks it against :func:`planner.evaluate.body_passes` (plus
the vetoes of :func:`planner.evaluate.side_ratifies`) on every coalition of random bodies;
:func:`pivotal_groups` also checks it against the evaluator's votes on every deal it is given.
Weights are non-negative (the workbook format requires it), so the game is monotone.

The indices
-----------
Member :math:`i` is a *swing* (is *pivotal*) for a coalition :math:`S \subseteq N \setminus \{i\}`
when :math:`v(S \cup \{i\}) = 1` and :math:`v(S) = 0`. With :math:`\eta_i` the number of
such :math:`S`:

* raw Banzhaf: :math:`\beta'_i = \eta_i / 2^{n-1}`, the probability that :math:`i` swings
  when every other member votes yes or no with probability 1/2;
* (normalised) Banzhaf: :math:`\beta_i = \eta_i / \sum_j \eta_j` (NaN when no one ever
  swings, e.g. when every coalition passes);
* Shapley–Shubik: the probability that :math:`i` is the member whose yes vote first makes
  the coalition win when members join in a uniformly random order,

  .. math:: \varphi_i = \sum_{k=0}^{n-1} \frac{k!\,(n-k-1)!}{n!}\, \eta_{i,k},

  with :math:`\eta_{i,k}` the number of swings of :math:`i` for coalitions of size
  :math:`k`.

Exact computation
-----------------
**Dynamic programme** (:func:`exact_indices`, ``algorithm="dp"``). Let :math:`V` be the
veto members (forced into every winning coalition) and :math:`M = N \setminus V` the others, with
:math:`Y_V = \sum_{i\in V} a_i`, :math:`k_V = |V|`. The counting table of :math:`M`,

.. math:: F[k, y] = \#\{T \subseteq M : |T| = k,\ Y(T) = y\},

is the coefficient table of :math:`\prod_{j \in M} (1 + x^{a_j} z)`, built factor by
factor with :math:`F'[k, y] = F[k, y] + F[k-1, y - a_j]` (members of equal weight enter
together: :math:`(1 + x^a z)^m` has coefficients :math:`\binom{m}{j}` at :math:`(j, ja)`).
The table of :math:`M \setminus \{i\}` is obtained by dividing out one factor,

.. math:: G_i[k, y] = F[k, y] - G_i[k-1, y - a_i], \qquad G_i[0, y] = F[0, y],

which is exact in integer arithmetic (int64 when :math:`|M| \le 62`, Python integers
otherwise) and is the same for all members of equal weight. Then, for :math:`i \in M`,

.. math:: \eta_{i,k_V+k} = \sum_y G_i[k, y]\,
          \bigl[w(y + Y_V + a_i, k + k_V + 1) \wedge \neg w(y + Y_V, k + k_V)\bigr],

with :math:`w(Y, s)` the quota rule above, and for a veto member :math:`i \in V` (which swings
exactly when the coalition with it wins) :math:`\eta_{i,k_V-1+k} = \sum_y F[k, y]\, w(y + Y_V, k + k_V)`.
The work is about :math:`(|M| + \#\text{weights}) (|M|+1)(A+1)` table operations: the EU
Council with population shares in hundredths (27 members, :math:`A = 10001`) takes about
0.05 s, a chamber of 649 equal members (a single weight, Python integers) about 0.1 s.

**Enumeration** (``algorithm="enumerate"``): every one of the :math:`2^n` coalitions, for
bodies of at most :data:`ENUMERATE_MAX_MEMBERS` members whose integer weights are too
large for the table (e.g. raw population counts).

Sampling
--------
Beyond :data:`EXACT_MAX_WORK` (``method="auto"``), or with ``method="sample"``,
:func:`sampled_indices` estimates the indices by Monte Carlo with a fixed seed
(deterministic for a seed and a number of samples):

* Banzhaf: :math:`m` coalitions drawn uniformly (every member yes with probability 1/2);
  from each draw and each member :math:`i`, the others' votes form a uniform coalition of
  :math:`N \setminus \{i\}`, and the indicator that :math:`i` swings is a Bernoulli
  variable of mean :math:`\beta'_i`. The normalised index is the ratio of the swing
  counts; its standard error is the delta-method one,
  :math:`\operatorname{se}(\hat\beta_i) = \sqrt{\widehat{\operatorname{Var}}(X_i - \hat\beta_i S)/m} \,/\, \bar S`
  with :math:`S = \sum_j X_j` per draw;
* Shapley–Shubik: :math:`m` uniformly random orders; in each, the member whose arrival
  first makes the coalition win gets the count.

The reported half-width at ``confidence`` :math:`1-\alpha` is :math:`z_{1-\alpha/2}` times
the standard error; for the two Bernoulli means (raw Banzhaf, Shapley–Shubik) the
Agresti–Coull standard error :math:`\sqrt{\tilde p (1 - \tilde p)/(m + z^2)}` with
:math:`\tilde p = (m \hat p + z^2/2)/(m + z^2)` is used, which is never 0 even when no
swing was seen. Each half-width is a per-value (not simultaneous) interval. A
distribution-free alternative for the Bernoulli means is Hoeffding's
:math:`\sqrt{\ln(2/\alpha)/(2m)}`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..evaluate import Deal, evaluate, exact
from ..model import Body, Instance

EXACT_MAX_WORK = 400_000_000
"""Largest estimated number of elementary table operations for ``method="auto"`` to compute exactly
(a Python-integer operation counts as :data:`OBJECT_COST` of them); about a second."""

EXACT_MAX_CELLS = 30_000_000
"""Largest dynamic-programming table (cells) ever allocated."""

OBJECT_COST = 25
"""Relative cost of a table operation on Python integers (tables of more than 62 non-veto members)."""

ENUMERATE_MAX_MEMBERS = 20
"""Largest body computed exactly by enumerating all coalitions when the table is too large."""

DEFAULT_SAMPLES = 20_000
"""Default number of sampled coalitions (and of sampled orders) per body."""

_INT64_SAFE = 2**62
_CHUNK_CELLS = 2_000_000


# -- the game ------------------------------------------------------------------------------
def _passes(yes_weight, yes_count, weight_quota: int, count_quota: int, block_quota: int | None):
    """The body's rule on integer sums: ``(Y >= q_w and k >= q_c) or k >= q_b`` (numpy arrays or scalars)."""
    ok = (yes_weight >= weight_quota) & (yes_count >= count_quota)
    if block_quota is not None:
        ok = ok | (yes_count >= block_quota)
    return ok


@dataclass(frozen=True)
class VotingGame:
    """A body as a simple game on integer weights (see the module's docstring for the rule).

    ``weights[i]`` is member ``groups[i]``'s weight times ``scale`` (an exact integer);
    ``weight_quota``, ``count_quota`` and ``block_quota`` are the smallest integer yes
    weight, yes count, and yes count under ``block_min``, at which the respective
    condition holds (``block_quota`` None without ``block_min``).
    """

    body: str
    side: str
    groups: tuple[str, ...]
    member_weights: tuple[float, ...]
    weights: tuple[int, ...]
    vetoes: tuple[bool, ...]
    scale: Fraction
    weight_quota: int
    count_quota: int
    block_quota: int | None

    @property
    def n(self) -> int:
        return len(self.groups)

    @property
    def total_weight(self) -> int:
        return sum(self.weights)

    def passes_sums(self, yes_weight, yes_count, vetoes_in=True):
        """The rule on integer sums (``vetoes_in``: every veto member votes yes)."""
        return _passes(yes_weight, yes_count, self.weight_quota, self.count_quota, self.block_quota) & vetoes_in

    def passes(self, supporters: Iterable[str] | Mapping[str, bool]) -> bool:
        """Whether the body passes (and its veto members support) when exactly ``supporters`` vote yes."""
        yes = _as_set(supporters)
        inside = [g in yes for g in self.groups]
        y = sum(a for a, s in zip(self.weights, inside) if s)
        k = sum(inside)
        vetoes_in = all(s for s, v in zip(inside, self.vetoes) if v)
        return bool(self.passes_sums(y, k, vetoes_in))


def _as_set(supporters: Iterable[str] | Mapping[str, bool]) -> set[str]:
    if isinstance(supporters, Mapping):
        return {g for g, s in supporters.items() if s}
    return set(supporters)


def voting_game(instance: Instance, body: str | Body) -> VotingGame:
    """The simple game of a body of ``instance`` (its id or the :class:`~planner.model.Body`).

    Weights become integers exactly as described in the module's docstring: each
    member weight ``w`` is read as ``evaluate.exact(w)`` (the same rational the evaluator
    compares), all are multiplied by the least common multiple of their denominators and
    divided by the greatest common divisor of the results. Thresholds are read the same
    way, and the quotas are computed in exact rational arithmetic.
    """
    if isinstance(body, str):
        matches = [b for b in instance.bodies if b.id == body]
        if not matches:
            raise KeyError(f"no body {body!r}; bodies: {', '.join(b.id for b in instance.bodies)}")
        body = matches[0]
    if body.rule not in ("more_than", "at_least"):
        raise ValueError(f"body {body.id!r}: unknown rule {body.rule!r}")
    groups = tuple(m.group for m in body.members)
    if len(set(groups)) != len(groups):
        raise ValueError(f"body {body.id!r} lists a group twice")
    rationals = [exact(m.weight) for m in body.members]
    if any(r < 0 for r in rationals):
        raise ValueError(f"body {body.id!r} has a negative member weight")
    lcm = math.lcm(*(r.denominator for r in rationals)) if rationals else 1
    ints = [int(r * lcm) for r in rationals]
    gcd = math.gcd(*ints) if ints else 0
    scale = Fraction(lcm, gcd) if gcd else Fraction(lcm)
    if gcd:
        ints = [a // gcd for a in ints]
    total = sum(ints)
    need = exact(body.threshold) * total
    weight_quota = math.floor(need) + 1 if body.rule == "more_than" else math.ceil(need)
    n = len(groups)
    count_quota = 0 if body.count_threshold is None else math.ceil(exact(body.count_threshold) * n)
    block_quota = None if body.block_min is None else n - int(body.block_min) + 1
    vetoes = tuple(bool(instance.group(g).veto) for g in groups)
    return VotingGame(
        body=body.id,
        side=body.side,
        groups=groups,
        member_weights=tuple(float(m.weight) for m in body.members),
        weights=tuple(ints),
        vetoes=vetoes,
        scale=scale,
        weight_quota=int(weight_quota),
        count_quota=int(count_quota),
        block_quota=block_quota,
    )


# -- exact indices ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExactPower:
    """Exact indices of a game, member by member (in ``groups`` order).

    ``swings[i][k]`` is :math:`\\eta_{i,k}`, the number of coalitions of size ``k`` of the
    other members for which member ``i`` swings.
    """

    groups: tuple[str, ...]
    swings: tuple[tuple[int, ...], ...]
    algorithm: str

    @property
    def n(self) -> int:
        return len(self.groups)

    @cached_property
    def swing_counts(self) -> tuple[int, ...]:
        return tuple(sum(s) for s in self.swings)

    @cached_property
    def banzhaf_raw(self) -> tuple[Fraction, ...]:
        """:math:`\\eta_i / 2^{n-1}`."""
        return tuple(Fraction(c, 2 ** (self.n - 1)) for c in self.swing_counts)

    @cached_property
    def banzhaf(self) -> tuple[Fraction | None, ...]:
        """:math:`\\eta_i / \\sum_j \\eta_j` (None when no member ever swings)."""
        total = sum(self.swing_counts)
        return tuple(Fraction(c, total) if total else None for c in self.swing_counts)

    @cached_property
    def shapley_shubik(self) -> tuple[Fraction, ...]:
        """:math:`\\sum_k k!(n-k-1)!/n!\\;\\eta_{i,k}`."""
        n = self.n
        fact = [math.factorial(k) for k in range(n + 1)]
        coef = [fact[k] * fact[n - 1 - k] for k in range(n)]
        known: dict[tuple[int, ...], Fraction] = {}  # members of equal weight share their counts
        for row in self.swings:
            if row not in known:
                known[row] = Fraction(sum(c * w for c, w in zip(row, coef) if c), fact[n])
        return tuple(known[row] for row in self.swings)


def dp_work(game: VotingGame) -> tuple[int, int]:
    """Estimated (table operations, table cells) of the dynamic programme for ``game``."""
    free = [a for a, v in zip(game.weights, game.vetoes) if not v]
    m = len(free)
    cells = (m + 1) * (sum(free) + 1)
    counts: dict[int, int] = {}
    for a in free:
        counts[a] = counts.get(a, 0) + 1
    first = max(counts.values(), default=0)
    work = cells * ((m - first) // 2 + 2 * len(counts) + 2)
    if m > 62:
        work *= OBJECT_COST
    return work, cells


def enumerate_work(game: VotingGame) -> int:
    """Estimated operations of enumerating all coalitions (:math:`n 2^n`, more with huge weights)."""
    work = game.n * 2**game.n * 4
    return work * (OBJECT_COST if game.total_weight >= _INT64_SAFE else 1)


def exact_algorithm(game: VotingGame, max_work: float = EXACT_MAX_WORK) -> str | None:
    """``"dp"`` or ``"enumerate"`` when one of them is within ``max_work``, else None."""
    work, cells = dp_work(game)
    if work <= max_work and cells <= EXACT_MAX_CELLS:
        return "dp"
    if game.n <= ENUMERATE_MAX_MEMBERS and enumerate_work(game) <= max_work:
        return "enumerate"
    return None


def exact_indices(game: VotingGame, algorithm: str = "auto") -> ExactPower:
    """Exact swing counts of every member (``algorithm``: ``"dp"``, ``"enumerate"`` or ``"auto"``).

    ``"auto"`` uses the dynamic programme when its table fits (:data:`EXACT_MAX_CELLS`),
    else enumeration up to :data:`ENUMERATE_MAX_MEMBERS` members, and raises
    ``ValueError`` beyond (use :func:`sampled_indices`).
    """
    if algorithm == "auto":
        algorithm = exact_algorithm(game, max_work=math.inf) or ""
        if not algorithm:
            raise ValueError(
                f"body {game.body!r}: too large to compute exactly ({game.n} members, integer weight "
                f"total {game.total_weight}); sample instead"
            )
    if algorithm == "dp":
        _, cells = dp_work(game)
        if cells > EXACT_MAX_CELLS:
            raise ValueError(f"body {game.body!r}: the table would have {cells} cells (limit {EXACT_MAX_CELLS})")
        swings = _dp_swings(game)
    elif algorithm == "enumerate":
        if game.n > 26:
            raise ValueError(f"body {game.body!r}: {game.n} members are too many to enumerate")
        swings = _enumerate_swings(game)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}; use dp, enumerate or auto")
    return ExactPower(game.groups, tuple(tuple(int(c) for c in row) for row in swings), algorithm)


def _dp_swings(game: VotingGame) -> list[list[int]]:
    n = game.n
    if n == 0:
        return []
    veto_idx = [i for i in range(n) if game.vetoes[i]]
    free_idx = [i for i in range(n) if not game.vetoes[i]]
    yv = sum(game.weights[i] for i in veto_idx)
    kv = len(veto_idx)
    m = len(free_idx)
    big = sum(game.weights[i] for i in free_idx)
    dtype = np.int64 if m <= 62 else object

    by_weight: dict[int, int] = {}
    for i in free_idx:
        by_weight[game.weights[i]] = by_weight.get(game.weights[i], 0) + 1
    order = sorted(by_weight.items(), key=lambda t: -t[1])

    # F[k, y]: subsets of the non-veto members with k members and weight y.
    table = np.zeros((m + 1, big + 1), dtype=dtype)
    if order:
        a0, c0 = order[0]
        for j in range(c0 + 1):
            table[j, j * a0] += math.comb(c0, j)
        kmax, ymax = c0, c0 * a0
        for a, c in order[1:]:
            for _ in range(c):
                src = table[: kmax + 1, : ymax + 1].copy()
                table[1 : kmax + 2, a : ymax + a + 1] += src
                kmax, ymax = kmax + 1, ymax + a
    else:
        table[0, 0] = 1

    ks = np.arange(m + 1)[:, None]
    ys = np.arange(big + 1)[None, :]
    q = (game.weight_quota, game.count_quota, game.block_quota)
    swings: list[list[int] | None] = [None] * n

    def row_sums(counts: np.ndarray, mask: np.ndarray) -> list[int]:
        return [int(v) for v in np.where(mask, counts, 0).sum(axis=1)]

    if veto_idx:
        wins = _passes(ys + yv, ks + kv, *q)
        per_k = row_sums(table, wins)
        row = [0] * n
        for k, c in enumerate(per_k):
            if c:
                row[kv - 1 + k] += c
        for i in veto_idx:
            swings[i] = row

    for a, _count in order:
        # divide one factor (1 + x^a z) out of F
        g = np.zeros_like(table)
        g[0] = table[0]
        for k in range(1, m + 1):
            g[k] = table[k]
            if a <= big:
                g[k, a:] -= g[k - 1, : big + 1 - a]
        with_i = _passes(ys + yv + a, ks + kv + 1, *q)
        without_i = _passes(ys + yv, ks + kv, *q)
        per_k = row_sums(g, with_i & ~without_i)
        row = [0] * n
        for k, c in enumerate(per_k):
            if c:
                row[kv + k] += c
        for i in free_idx:
            if game.weights[i] == a:
                swings[i] = row
    return [list(r) for r in swings]


def _enumerate_swings(game: VotingGame) -> list[list[int]]:
    n = game.n
    if n == 0:
        return []
    masks = np.arange(2**n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)
    big = game.total_weight >= _INT64_SAFE
    weights = np.array(game.weights, dtype=object if big else np.int64)
    y = (bits.astype(object) if big else bits.astype(np.int64)) @ weights
    k = bits.sum(axis=1)
    vetoes = np.array(game.vetoes, dtype=bool)
    vetoes_in = bits[:, vetoes].all(axis=1) if vetoes.any() else np.ones(len(masks), dtype=bool)
    wins = game.passes_sums(y, k, vetoes_in).astype(bool)
    out = []
    for i in range(n):
        with_i = masks[bits[:, i]]
        swing = wins[with_i] & ~wins[with_i ^ (1 << i)]
        out.append(np.bincount(k[with_i][swing] - 1, minlength=n).tolist())
    return out


# -- sampled indices -------------------------------------------------------------------------
@dataclass(frozen=True)
class SampledPower:
    """Monte Carlo estimates with standard errors (see the module's docstring), in ``groups`` order."""

    groups: tuple[str, ...]
    samples: int
    seed: int
    banzhaf_raw: tuple[float, ...]
    banzhaf_raw_se: tuple[float, ...]
    banzhaf: tuple[float, ...]
    banzhaf_se: tuple[float, ...]
    shapley_shubik: tuple[float, ...]
    shapley_shubik_se: tuple[float, ...]
    z: float


def sampled_indices(game: VotingGame, samples: int = DEFAULT_SAMPLES, seed: int = 0,
                    confidence: float = 0.95) -> SampledPower:
    """Monte Carlo estimates of the indices from ``samples`` coalitions and ``samples`` orders.

    Deterministic for a given ``seed`` and ``samples``. Standard errors are the
    Agresti–Coull ones at ``confidence`` for raw Banzhaf and Shapley–Shubik, the
    delta-method one for the normalised Banzhaf index.
    """
    if samples < 1:
        raise ValueError("samples must be at least 1")
    n = game.n
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    if n == 0:
        return SampledPower((), samples, seed, (), (), (), (), (), (), z)
    rng = np.random.default_rng(seed)
    big = game.total_weight >= _INT64_SAFE
    weights = np.array(game.weights, dtype=object if big else np.int64)
    vetoes = np.array(game.vetoes, dtype=bool)
    n_veto = int(vetoes.sum())
    chunk = max(1, _CHUNK_CELLS // n)

    # Banzhaf: uniform coalitions; member i's "others" are the draw without i.
    swings = np.zeros(n, dtype=np.int64)
    cross = np.zeros(n, dtype=np.float64)  # sum over draws of X_i * S
    total_sq = 0.0  # sum over draws of S^2
    done = 0
    while done < samples:
        c = min(chunk, samples - done)
        bits = rng.integers(0, 2, size=(c, n), dtype=np.int8).astype(bool)
        bits_w = bits.astype(object) if big else bits.astype(np.int64)
        y = bits_w @ weights
        k = bits.sum(axis=1)
        missing = (~bits & vetoes).sum(axis=1)
        y_others = y[:, None] - bits_w * weights[None, :]
        k_others = k[:, None] - bits
        missing_others = missing[:, None] - (~bits & vetoes)
        others_ok = missing_others == 0
        with_i = game.passes_sums(y_others + weights[None, :], k_others + 1, others_ok)
        without_i = game.passes_sums(y_others, k_others, others_ok & ~vetoes[None, :])
        x = np.asarray(with_i & ~without_i, dtype=bool)
        s = x.sum(axis=1).astype(np.float64)
        swings += x.sum(axis=0)
        cross += s @ x
        total_sq += float(s @ s)
        done += c

    m = float(samples)
    p = swings / m
    raw_se = _agresti_coull_se(swings, m, z)
    mean_s = p.sum()
    if mean_s > 0:
        beta = p / mean_s
        var = p - 2 * beta * (cross / m) + beta**2 * (total_sq / m)
        beta_se = np.sqrt(np.maximum(var, 0.0) / m) / mean_s
    else:
        beta = np.full(n, np.nan)
        beta_se = np.full(n, np.nan)

    # Shapley-Shubik: uniform orders; the member whose arrival first makes the coalition win.
    pivots = np.zeros(n, dtype=np.int64)
    empty_wins = bool(game.passes_sums(0, 0, n_veto == 0))
    done = 0
    base = np.arange(n)
    while done < samples:
        c = min(chunk, samples - done)
        order = rng.permuted(np.broadcast_to(base, (c, n)), axis=1)
        y = np.cumsum(weights[order], axis=1)
        k = np.arange(1, n + 1)[None, :]
        vetoes_in = np.cumsum(vetoes[order], axis=1) == n_veto
        wins = np.asarray(game.passes_sums(y, k, vetoes_in), dtype=bool)
        if not empty_wins:
            has = wins.any(axis=1)
            first = wins.argmax(axis=1)
            pivot = order[np.arange(c), first][has]
            pivots += np.bincount(pivot, minlength=n)
        done += c
    ss = pivots / m
    ss_se = _agresti_coull_se(pivots, m, z)

    def t(a) -> tuple[float, ...]:
        return tuple(float(v) for v in a)

    return SampledPower(game.groups, samples, seed, t(p), t(raw_se), t(beta), t(beta_se), t(ss), t(ss_se), z)


def _agresti_coull_se(successes: np.ndarray, m: float, z: float) -> np.ndarray:
    p_tilde = (successes + z * z / 2) / (m + z * z)
    return np.sqrt(p_tilde * (1 - p_tilde) / (m + z * z))


# -- the tables --------------------------------------------------------------------------------
POWER_COLUMNS = (
    "body", "side", "group", "weight", "veto", "banzhaf", "banzhaf_raw", "shapley_shubik",
    "banzhaf_hw", "banzhaf_raw_hw", "shapley_shubik_hw", "method", "samples",
)


def power_indices(instance: Instance, body: str | Iterable[str] | None = None, method: str = "auto",
                  samples: int = DEFAULT_SAMPLES, seed: int = 0, confidence: float = 0.95,
                  max_work: float = EXACT_MAX_WORK) -> pd.DataFrame:
    """Banzhaf and Shapley–Shubik indices of the members of each body (or of the named ones).

    ``method``: ``"exact"`` (dynamic programme, or enumeration for small bodies with
    unwieldy weights; raises when neither fits), ``"sample"`` (Monte Carlo with ``samples``
    coalitions and orders, seeded by ``seed``), or ``"auto"``: exact when the estimated work
    is at most ``max_work``, else sampled. One row per member, in body then member order,
    with columns :data:`POWER_COLUMNS`:

    ``weight`` the member's weight as in the body; ``veto`` whether it is a veto group;
    ``banzhaf`` the normalised Banzhaf index (NaN when nobody can swing); ``banzhaf_raw``
    the swing probability :math:`\\eta_i/2^{n-1}`; ``shapley_shubik`` the Shapley–Shubik
    index; ``*_hw`` half-widths of the ``confidence`` intervals of sampled values (NaN when
    exact); ``method`` ``"exact"`` or ``"sample"``; ``samples`` 0 when exact.
    """
    if method not in ("auto", "exact", "sample"):
        raise ValueError(f"unknown method {method!r}; use auto, exact or sample")
    if body is None:
        ids = [b.id for b in instance.bodies]
    elif isinstance(body, str):
        ids = [body]
    else:
        ids = list(body)
    rows = []
    for body_id in ids:
        game = voting_game(instance, body_id)
        if method == "sample":
            algorithm = None
        elif method == "exact":
            algorithm = exact_algorithm(game, max_work=math.inf)
            if algorithm is None:
                exact_indices(game)  # raises with the reason
        else:
            algorithm = exact_algorithm(game, max_work=max_work)
        if algorithm is not None:
            res = exact_indices(game, algorithm)
            for i, g in enumerate(game.groups):
                b = res.banzhaf[i]
                rows.append((game.body, game.side, g, game.member_weights[i], game.vetoes[i],
                             float(b) if b is not None else math.nan, float(res.banzhaf_raw[i]),
                             float(res.shapley_shubik[i]), math.nan, math.nan, math.nan, "exact", 0))
        else:
            est = sampled_indices(game, samples, seed, confidence)
            for i, g in enumerate(game.groups):
                rows.append((game.body, game.side, g, game.member_weights[i], game.vetoes[i],
                             est.banzhaf[i], est.banzhaf_raw[i], est.shapley_shubik[i],
                             est.z * est.banzhaf_se[i], est.z * est.banzhaf_raw_se[i],
                             est.z * est.shapley_shubik_se[i], "sample", samples))
    return pd.DataFrame(rows, columns=list(POWER_COLUMNS))


def banzhaf(instance: Instance, body: str) -> dict[str, float]:
    """Exact normalised Banzhaf indices of a body's members (NaN when nobody can swing)."""
    res = exact_indices(voting_game(instance, body))
    return {g: float(b) if b is not None else math.nan for g, b in zip(res.groups, res.banzhaf)}


def shapley_shubik(instance: Instance, body: str) -> dict[str, float]:
    """Exact Shapley–Shubik indices of a body's members."""
    res = exact_indices(voting_game(instance, body))
    return {g: float(v) for g, v in zip(res.groups, res.shapley_shubik)}


PIVOTAL_COLUMNS = (
    "body", "side", "group", "weight", "veto", "supports", "utility", "reservation", "margin",
    "body_passes", "pivotal", "ratified", "side_pivotal",
)


def pivotal_groups(instance: Instance, deal: Deal) -> pd.DataFrame:
    """Who supports ``deal`` in each body, by how much, and whose switch alone would change the outcome.

    Support and utilities come from :func:`planner.evaluate.evaluate` (utility with
    payments and transfers; a group supports at or above its reservation minus the
    evaluator's tolerance). One row per member of each body, columns
    :data:`PIVOTAL_COLUMNS`: ``margin`` is utility minus reservation; ``body_passes``
    whether the body passes with its veto members supporting (the game of
    :func:`voting_game`); ``pivotal`` whether this member's switch alone (support to
    opposition or back, others unchanged) flips ``body_passes``; ``ratified`` whether the
    side ratifies (all its bodies pass and all its veto groups support); ``side_pivotal``
    whether the member's switch alone flips ``ratified``.
    """
    ev = evaluate(instance, deal)
    supports = ev.supports
    games = {b.id: voting_game(instance, b) for b in instance.bodies}

    # integer yes sums of every body under the deal
    sums = {}
    for b_id, game in games.items():
        y = sum(a for g, a in zip(game.groups, game.weights) if supports[g])
        k = sum(1 for g in game.groups if supports[g])
        missing = sum(1 for g, v in zip(game.groups, game.vetoes) if v and not supports[g])
        sums[b_id] = (y, k, missing)
        passed = bool(game.passes_sums(y, k, missing == 0))
        evaluator = ev.votes[b_id].passed and all(supports[g] for g, v in zip(game.groups, game.vetoes) if v)
        if passed != evaluator:  # the quota form must agree with the evaluator's rule
            raise RuntimeError(f"body {b_id!r}: the voting game and the evaluator disagree on this deal")

    def body_outcome(b_id: str, flip: str | None) -> bool:
        game = games[b_id]
        y, k, missing = sums[b_id]
        if flip is not None and flip in game.groups:
            i = game.groups.index(flip)
            sign = -1 if supports[flip] else 1
            y += sign * game.weights[i]
            k += sign
            if game.vetoes[i]:
                missing -= sign
        return bool(game.passes_sums(y, k, missing == 0))

    def side_outcome(side: str, flip: str | None) -> bool:
        bodies_ok = all(body_outcome(b.id, flip) for b in instance.bodies_of(side))
        vetoes_ok = all(supports[g.id] != (g.id == flip) for g in instance.groups_of(side) if g.veto)
        return bodies_ok and vetoes_ok

    rows = []
    for b in instance.bodies:
        game = games[b.id]
        passed = body_outcome(b.id, None)
        ratified = side_outcome(b.side, None)
        if ratified != ev.ratified[b.side]:
            raise RuntimeError(f"side {b.side!r}: the voting games and the evaluator disagree on ratification")
        for g, w, v in zip(game.groups, game.member_weights, game.vetoes):
            group = instance.group(g)
            utility = ev.group_utility[g]
            rows.append((b.id, b.side, g, w, v, bool(supports[g]), utility, group.reservation,
                         utility - group.reservation, passed, body_outcome(b.id, g) != passed, ratified,
                         side_outcome(b.side, g) != ratified))
    return pd.DataFrame(rows, columns=list(PIVOTAL_COLUMNS))
