"""Voting power (``planner.analysis.power``): the rule, exact and sampled indices, pivotal groups.

The brute force here enumerates every coalition and decides it with the independent vote
rule of ``tests/oracle.py`` (plus the body's veto members), after checking that rule
against ``planner.evaluate.body_passes`` coalition by coalition; the swings and the
Shapley–Shubik values are then counted from their definitions. Known values are worked
out by hand in the comments.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner
from planner.analysis.power import (
    POWER_COLUMNS,
    exact_indices,
    pivotal_groups,
    power_indices,
    sampled_indices,
    shapley_shubik,
    voting_game,
)
from planner.evaluate import Deal, evaluate
from planner.evaluate import body_passes as evaluator_body_passes
from planner.model import Body, Group, Member, Side

from . import oracle
from .conftest import examples
from .strategies import instances, make

COUNCIL = (("DE", 18.49), ("FR", 15.17), ("IT", 13.23), ("ES", 10.78), ("PL", 8.33), ("RO", 4.23), ("NL", 4.01),
           ("BE", 2.62), ("CZ", 2.42), ("PT", 2.36), ("SE", 2.34), ("GR", 2.31), ("HU", 2.13), ("AT", 2.02),
           ("BG", 1.43), ("DK", 1.32), ("FI", 1.25), ("SK", 1.21), ("IE", 1.19), ("HR", 0.86), ("LT", 0.64),
           ("SI", 0.47), ("LV", 0.42), ("EE", 0.30), ("CY", 0.21), ("LU", 0.15), ("MT", 0.12))
"""EU member states and their 2025 population shares (per cent)."""

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 1.0, 1.25, 2.0, 3.0, 1 / 3, 2 / 3, 7.0, 0.15, 18.49)
THRESHOLDS = (0.0, 0.25, 0.5, 0.5, 0.55, 0.6, 0.65, 2 / 3, 0.75, 1.0)
COUNT_THRESHOLDS = (None, None, 0.5, 0.55, 2 / 3, 0.75, 1.0)
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@pytest.fixture(scope="module")
def bench():
    """A generated parliament: a 649-seat chamber of equal members and the EU Council
    (the same bodies as the benchmark corpus's parliament workbooks)."""
    from planner.generate import generate

    return generate("parliament", "medium", 1)


# -- helpers -------------------------------------------------------------------------------
def body_instance(members, threshold=0.5, rule="more_than", count_threshold=None, block_min=None, vetoes=()):
    """An instance whose side A has one body B of the given (group, weight) members."""
    groups = [Group(g, "A", g, 1.0, veto=g in vetoes) for g, _ in members]
    b = Body("B", "A", tuple(Member(g, w) for g, w in members), threshold, rule, count_threshold, block_min)
    return make(["A", "F"], {"i": ["x", "y"]}, groups, bodies=[b])


@st.composite
def bodies(draw, max_members=9):
    n = draw(st.integers(1, max_members))
    members = [(f"g{k}", draw(st.sampled_from(WEIGHTS))) for k in range(n)]
    vetoes = {g for g, _ in members if draw(st.integers(0, 5)) == 0}
    return body_instance(
        members,
        threshold=draw(st.sampled_from(THRESHOLDS)),
        rule=draw(st.sampled_from(("more_than", "at_least"))),
        count_threshold=draw(st.sampled_from(COUNT_THRESHOLDS)),
        block_min=draw(st.sampled_from((None, None) + tuple(range(1, n + 2)))),
        vetoes=vetoes,
    )


def wins_table(instance, body_id="B") -> tuple[list[str], list[bool]]:
    """v(S) for every coalition S (bit k of the index: member k votes yes), by the oracle's rule and the vetoes."""
    body = next(b for b in instance.bodies if b.id == body_id)
    groups = [m.group for m in body.members]
    vetoes = [instance.group(g).veto for g in groups]
    wins = []
    for mask in range(2 ** len(groups)):
        yes = {g for k, g in enumerate(groups) if mask >> k & 1}
        wins.append(oracle.body_passes(body, yes) and all(g in yes for g, v in zip(groups, vetoes) if v))
    return groups, wins


def brute_swings(n: int, wins: list[bool]) -> list[list[int]]:
    """swings[i][k]: coalitions S of size k without i with v(S + i) = 1 and v(S) = 0."""
    out = [[0] * n for _ in range(n)]
    for mask in range(2**n):
        for i in range(n):
            if not mask >> i & 1 and wins[mask | 1 << i] and not wins[mask]:
                out[i][mask.bit_count()] += 1
    return out


def brute_shapley_by_orders(n: int, wins: list[bool]) -> list[Fraction]:
    """The Shapley–Shubik index by its definition: the pivot's share of all n! orders."""
    counts = [0] * n
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        mask = 0
        if wins[0]:
            continue
        for i in order:
            mask |= 1 << i
            if wins[mask]:
                counts[i] += 1
                break
    return [Fraction(c, len(orders)) for c in counts]


def outcome(instance, ev, body_id: str) -> bool:
    """The body's outcome with its veto members, as the evaluator reports it."""
    body = next(b for b in instance.bodies if b.id == body_id)
    return ev.votes[body_id].passed and all(ev.supports[m.group] for m in body.members if instance.group(m.group).veto)


# -- the rule is the evaluator's ---------------------------------------------------------------
@settings(max_examples=examples(150), **SETTINGS)
@given(bodies())
def test_game_rule_is_the_evaluators_rule_on_every_coalition(instance):
    game = voting_game(instance, "B")
    body = instance.bodies[0]
    groups, wins = wins_table(instance)
    for mask, expected in enumerate(wins):
        yes = {g: bool(mask >> k & 1) for k, g in enumerate(groups)}
        vetoes_ok = all(yes[g] for g in groups if instance.group(g).veto)
        assert (evaluator_body_passes(body, yes) and vetoes_ok) == expected
        assert game.passes(yes) == expected


@settings(max_examples=examples(20), **SETTINGS)
@given(bodies(max_members=5))
def test_game_rule_is_the_side_ratification_of_evaluate(instance):
    """Through ``evaluate``: members in S support (reservation 0), the others do not (reservation 1)."""
    game = voting_game(instance, "B")
    groups = list(game.groups)
    deal = Deal({"i": "x"})
    for mask in range(2 ** len(groups)):
        yes = {g for k, g in enumerate(groups) if mask >> k & 1}
        inst = instance
        for g in groups:
            inst = inst.with_group(g, reservation=0.0 if g in yes else 1.0)
        ev = evaluate(inst, deal)
        assert {g for g in groups if ev.supports[g]} == yes
        assert ev.ratified["A"] == game.passes(yes)


# -- exact indices against brute force --------------------------------------------------------------
@settings(max_examples=examples(200), **SETTINGS)
@given(bodies(), st.sampled_from(("dp", "enumerate")))
def test_exact_indices_equal_brute_force(instance, algorithm):
    groups, wins = wins_table(instance)
    n = len(groups)
    swings = brute_swings(n, wins)
    res = exact_indices(voting_game(instance, "B"), algorithm)
    assert res.groups == tuple(groups)
    assert [list(r) for r in res.swings] == swings
    total = sum(map(sum, swings))
    for i in range(n):
        assert res.banzhaf_raw[i] == Fraction(sum(swings[i]), 2 ** (n - 1))
        assert res.banzhaf[i] == (Fraction(sum(swings[i]), total) if total else None)
    if n <= 6:
        assert list(res.shapley_shubik) == brute_shapley_by_orders(n, wins)
    else:
        fact = math.factorial
        assert list(res.shapley_shubik) == [
            sum((Fraction(c * fact(k) * fact(n - k - 1), fact(n)) for k, c in enumerate(row)), Fraction(0))
            for row in swings
        ]
    proper = not wins[0] and wins[-1]
    assert sum(res.shapley_shubik) == (1 if proper else 0)


def test_enumeration_handles_weights_too_fine_for_the_table():
    members = [(f"g{k}", w) for k, w in enumerate((0.1234567, 0.2345671, 0.3456712, 0.4567123, 0.5671234, 0.6712345))]
    instance = body_instance(members, threshold=0.5, count_threshold=0.5, vetoes={"g0"})
    game = voting_game(instance, "B")
    assert exact_indices(game).algorithm == "enumerate"
    with pytest.raises(ValueError):
        exact_indices(game, "dp")
    groups, wins = wins_table(instance)
    assert [list(r) for r in exact_indices(game).swings] == brute_swings(len(groups), wins)


# -- known values ------------------------------------------------------------------------------------
def weighted(weights, quota):
    """The weighted game [quota; weights] (a coalition wins with weight >= quota)."""
    members = [(f"p{k}", float(w)) for k, w in enumerate(weights)]
    return body_instance(members, threshold=quota / sum(weights), rule="at_least")


def test_shapley_shubik_of_4_3_2_1_1():
    # [4; 3, 2, 1, 1] (A=3, B=2, C=D=1), 24 orders. A is pivotal whenever it is not first
    # (any 1 or 2 members before it weigh 1..3 < 4, adding 3 reaches 4..6; all three weigh
    # 4, so with A last the third arrival is pivotal): second or third, 12 orders. A first:
    # the second arrival reaches >= 4 (2 orders each for B, C, D); A last: the third of B,
    # C, D is pivotal (2 orders each). So 12/24, 4/24, 4/24, 4/24.
    res = exact_indices(voting_game(weighted((3, 2, 1, 1), 4), "B"))
    assert res.shapley_shubik == (Fraction(1, 2), Fraction(1, 6), Fraction(1, 6), Fraction(1, 6))
    # Swings: A with every nonempty S of {B,C,D} except {B,C,D}: 6; B with {A}, {C,D};
    # C with {A}, {B,D}; D with {A}, {B,C}: 6, 2, 2, 2 of 2^3.
    assert res.swing_counts == (6, 2, 2, 2)
    assert res.banzhaf == (Fraction(1, 2), Fraction(1, 6), Fraction(1, 6), Fraction(1, 6))


def test_shapley_shubik_of_5_3_2_1_1():
    # [5; 3, 2, 1, 1]: A is pivotal after {B} (2 orders), {C,D}, {B,C}, {B,D} (2 each) and
    # {B,C,D} (6): 14; B after {A}, {A,C}, {A,D}: 6; C only after {A,D}: 2; D after {A,C}: 2.
    res = exact_indices(voting_game(weighted((3, 2, 1, 1), 5), "B"))
    assert res.shapley_shubik == (Fraction(7, 12), Fraction(1, 4), Fraction(1, 12), Fraction(1, 12))
    # Swings: A with {B}, {C,D}, {B,C}, {B,D}, {B,C,D}: 5; B with {A}, {A,C}, {A,D}: 3;
    # C with {A,D}, D with {A,C}: 1 each.
    assert res.swing_counts == (5, 3, 1, 1)
    # the same game written as "more than 4/7 of the weight"
    members = [(f"p{k}", float(w)) for k, w in enumerate((3, 2, 1, 1))]
    strict = exact_indices(voting_game(body_instance(members, threshold=4 / 7, rule="more_than"), "B"))
    assert strict.swings == res.swings


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_symmetric_game_gives_equal_shares(n):
    members = [(f"p{k}", 2.5) for k in range(n)]
    res = exact_indices(voting_game(body_instance(members, threshold=2 / 3, rule="at_least"), "B"))
    assert set(res.banzhaf) == {Fraction(1, n)}
    assert set(res.shapley_shubik) == {Fraction(1, n)}


def test_dictator_has_all_the_power():
    members = [("d", 6.0), ("a", 1.0), ("b", 2.0), ("c", 2.0)]
    res = exact_indices(voting_game(body_instance(members, threshold=0.5), "B"))
    assert res.banzhaf == (1, 0, 0, 0)
    assert res.shapley_shubik == (1, 0, 0, 0)
    assert res.banzhaf_raw == (1, 0, 0, 0)


def test_veto_player():
    # Three equal members, simple majority, and v's support is required. v swings with
    # {a}, {b}, {a,b}: 3; a only with {v}; b only with {v}: Banzhaf 3/5, 1/5, 1/5. In
    # orders, v is pivotal unless it comes first (4 of 6): 2/3, 1/6, 1/6.
    instance = body_instance([("v", 1.0), ("a", 1.0), ("b", 1.0)], vetoes={"v"})
    res = exact_indices(voting_game(instance, "B"))
    assert res.banzhaf == (Fraction(3, 5), Fraction(1, 5), Fraction(1, 5))
    assert res.shapley_shubik == (Fraction(2, 3), Fraction(1, 6), Fraction(1, 6))
    # with every member a veto group the game is unanimity
    everyone = body_instance([("v", 1.0), ("a", 1.0), ("b", 1.0)], vetoes={"v", "a", "b"})
    res = exact_indices(voting_game(everyone, "B"))
    assert res.swing_counts == (1, 1, 1)
    assert res.shapley_shubik == (Fraction(1, 3),) * 3


def test_nobody_has_power_when_every_coalition_passes():
    instance = body_instance([("a", 1.0), ("b", 2.0)], threshold=0.9, block_min=3)  # 2 members never block
    df = power_indices(instance)
    assert df["banzhaf"].isna().all()
    assert (df["banzhaf_raw"] == 0).all() and (df["shapley_shubik"] == 0).all()


def test_649_equal_members_exactly_and_fast(bench):
    game = voting_game(bench, "Commons")
    assert game.n == 649 and set(game.weights) == {1}
    start = time.perf_counter()
    res = exact_indices(game)
    elapsed = time.perf_counter() - start
    # more than half of 649 is 325 yes votes: a member swings when exactly 324 of the 648 others say yes
    assert set(res.banzhaf_raw) == {Fraction(math.comb(648, 324), 2**648)}
    assert set(res.shapley_shubik) == {Fraction(1, 649)}
    assert elapsed < 3.0, elapsed


def test_large_body_with_two_weights_against_closed_form():
    # 40 members of weight 1 and 24 of weight 2 (more than 62 members: Python integers),
    # 88 in all, more than half: a coalition wins with weight >= 45. With t members of
    # weight 2 and u of weight 1 among the others, a weight-1 member swings when 2t + u = 44
    # and a weight-2 member when 2t + u is 43 or 44; the coalition has t + u members.
    members = [(f"a{k}", 1.0) for k in range(40)] + [(f"b{k}", 2.0) for k in range(24)]
    res = exact_indices(voting_game(body_instance(members), "B"))
    ones = [0] * 64
    twos = [0] * 64
    for t in range(25):
        for u in range(41):
            if 2 * t + u == 44 and u <= 39:
                ones[t + u] += math.comb(24, t) * math.comb(39, u)
            if 2 * t + u in (43, 44) and t <= 23:
                twos[t + u] += math.comb(23, t) * math.comb(40, u)
    assert list(res.swings[0]) == ones
    assert list(res.swings[-1]) == twos
    assert sum(res.shapley_shubik) == 1


# -- the EU Council --------------------------------------------------------------------------------------
@pytest.mark.parametrize("pick", [slice(0, 8), slice(19, 27), slice(0, 27, 3)])
@pytest.mark.parametrize("block_min", [2, 4])
def test_council_subset_by_enumeration(pick, block_min):
    members = list(COUNCIL[pick])
    instance = body_instance(members, threshold=0.65, rule="at_least", count_threshold=0.55, block_min=block_min)
    groups, wins = wins_table(instance)
    res = exact_indices(voting_game(instance, "B"), "dp")
    assert [list(r) for r in res.swings] == brute_swings(len(groups), wins)


def test_council_of_the_benchmark_workbook(bench):
    instance = bench
    council = next(b for b in instance.bodies if b.id == "Council")
    assert [(m.group, m.weight) for m in council.members] == list(COUNCIL)
    assert (council.threshold, council.rule, council.count_threshold, council.block_min) == (0.65, "at_least", 0.55, 4)
    game = voting_game(instance, "Council")
    states = [s for s, _ in COUNCIL]

    def passes(opposed):
        yes = {s: s not in opposed for s in states}
        assert evaluator_body_passes(council, yes) == game.passes(yes)
        return game.passes(yes)

    # DE, FR, IT hold 46.89% of the population (so the yes side has only 53.12%), yet three
    # members are fewer than the blocking minority of four: the vote passes.
    assert passes({"DE", "FR", "IT"})
    assert not passes({"DE", "FR", "IT", "ES"})
    # without the blocking-minority clause the three would block
    no_block = instance.with_body("Council", block_min=None)
    assert not voting_game(no_block, "Council").passes({s for s in states if s not in {"DE", "FR", "IT"}})

    start = time.perf_counter()
    df = power_indices(instance, "Council")
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, elapsed
    assert list(df["group"]) == states and (df["method"] == "exact").all()
    assert df["shapley_shubik"].sum() == pytest.approx(1.0, abs=1e-12)
    assert df["banzhaf"].sum() == pytest.approx(1.0, abs=1e-12)
    # a heavier member is never weaker (weight and count conditions both favour weight)
    for column in ("banzhaf", "shapley_shubik"):
        values = df[column].to_numpy()
        assert (np.diff(values) <= 1e-15).all(), column
        assert (values > 0).all()


# -- sampling -----------------------------------------------------------------------------------------------
def medium_body():
    rng = np.random.default_rng(7)
    members = [(f"m{k}", float(w)) for k, w in enumerate(rng.integers(1, 20, size=30))]
    return body_instance(members, threshold=0.6, rule="at_least", count_threshold=0.5, vetoes={"m3"})


def test_sampled_estimates_within_their_stated_bounds():
    instance = medium_body()
    exact = power_indices(instance, method="exact")
    columns = ("banzhaf", "banzhaf_raw", "shapley_shubik")
    wide = power_indices(instance, method="sample", samples=20_000, seed=0, confidence=0.999)
    narrow = power_indices(instance, method="sample", samples=20_000, seed=0, confidence=0.95)
    assert (wide["method"] == "sample").all() and (wide["samples"] == 20_000).all()
    inside = 0
    for c in columns:
        err = (wide[c] - exact[c]).abs()
        assert (err <= wide[f"{c}_hw"]).all(), (c, (err / wide[f"{c}_hw"]).max())
        assert (narrow[c] == wide[c]).all()
        inside += int((err <= narrow[f"{c}_hw"]).sum())
        assert (wide[f"{c}_hw"] > 0).all() and (wide[f"{c}_hw"] < 0.02).all()
    assert inside >= 0.85 * 3 * len(exact)
    assert exact[[f"{c}_hw" for c in columns]].isna().all().all()


def test_sampling_is_deterministic_for_a_seed():
    game = voting_game(medium_body(), "B")
    a = sampled_indices(game, 3000, seed=5)
    b = sampled_indices(game, 3000, seed=5)
    c = sampled_indices(game, 3000, seed=6)
    assert a == b
    assert a.shapley_shubik != c.shapley_shubik


def test_sampled_bounds_are_never_zero():
    # a dictator and three dummies: every estimate is exact (1 or 0), yet no interval is
    # empty of uncertainty (the Agresti-Coull half-width of 0 in m draws is about z^2/(2m))
    members = [("d", 6.0), ("a", 1.0), ("b", 2.0), ("c", 2.0)]
    df = power_indices(body_instance(members, threshold=0.5), method="sample", samples=1000)
    assert list(df["shapley_shubik"]) == [1, 0, 0, 0] and list(df["banzhaf_raw"]) == [1, 0, 0, 0]
    z, m = 1.959963984540054, 1000
    p = z**2 / 2 / (m + z**2)  # the same for 0 and (mirrored) for m successes
    assert df["shapley_shubik_hw"].to_numpy() == pytest.approx([z * math.sqrt(p * (1 - p) / (m + z**2))] * 4)
    assert (df["banzhaf_raw_hw"] > 0).all()


def test_auto_samples_beyond_the_exact_limit():
    rng = np.random.default_rng(3)
    members = [(f"m{k}", round(float(w), 7)) for k, w in enumerate(rng.uniform(0.5, 2.0, size=40))]
    instance = body_instance(members, threshold=0.5)
    with pytest.raises(ValueError):
        power_indices(instance, method="exact")
    df = power_indices(instance, samples=2000)
    assert list(df.columns) == list(POWER_COLUMNS)
    assert (df["method"] == "sample").all()
    assert df["shapley_shubik"].sum() == pytest.approx(1.0)
    # the budget decides: a small body goes to sampling when the budget is tiny
    small = medium_body()
    assert (power_indices(small, max_work=10, samples=500)["method"] == "sample").all()
    assert (power_indices(small)["method"] == "exact").all()


# -- pivotal groups -------------------------------------------------------------------------------------------
def pivot_instance():
    groups = [
        Group("big", "H", "big", 4.0, reservation=0.0),
        Group("mid", "H", "mid", 3.0, reservation=0.0),
        Group("s1", "H", "s1", 2.0, reservation=0.0),
        Group("s2", "H", "s2", 1.0, reservation=0.0),
        Group("vet", "H", "vet", 1.0, reservation=0.0, veto=True),
    ]
    utilities = {"big": {("i", "b"): 2.0}, "mid": {("i", "b"): -1.0}, "s1": {("i", "b"): 1.0},
                 "s2": {("i", "b"): -0.5}, "vet": {("i", "b"): 3.0}, "H": {("i", "b"): 1.0}}
    parliament = Body("parl", "H", tuple(Member(g.id, g.weight) for g in groups), 0.5, "more_than")
    senate = Body("senate", "H", (Member("mid", 1.0), Member("s1", 1.0), Member("s2", 1.0)), 0.5, "more_than")
    return make([Side("H", "H", budget=2.0), "F"], {"i": ["a", "b"]}, groups, utilities,
                bodies=[parliament, senate])


def check_pivots_by_reevaluation(instance, deal, df):
    """Each member's reservation moved past its utility: the outcome changes exactly for the pivotal ones."""
    ev = evaluate(instance, deal)
    for row in df.itertuples():
        assert row.supports == ev.supports[row.group]
        assert row.margin == pytest.approx(ev.group_utility[row.group] - instance.group(row.group).reservation)
        assert row.body_passes == outcome(instance, ev, row.body)
        assert row.ratified == ev.ratified[row.side]
        u = ev.group_utility[row.group]
        moved = instance.with_group(row.group, reservation=u + 1.0 if row.supports else u - 1.0)
        ev2 = evaluate(moved, deal)
        assert ev2.supports[row.group] != row.supports
        assert row.pivotal == (outcome(moved, ev2, row.body) != row.body_passes)
        assert row.side_pivotal == (ev2.ratified[row.side] != row.ratified)


def test_pivotal_groups_on_a_hand_made_deal():
    instance = pivot_instance()
    deal = Deal({"i": "b"}, payments={"s2": 1.0})
    df = pivotal_groups(instance, deal)
    # Parliament (11 votes, more than half: 6): big 4 + s1 2 + s2 1 + vet 1 = 8 say yes
    # (s2 only with its payment: -0.5 + 1). Without big 4 < 6; s1 or s2 alone leave 6 or 7;
    # mid joining changes nothing; vet is a veto group. Senate: s1 and s2 of 3 pass; either
    # one leaving fails it.
    parl = df[df["body"] == "parl"].set_index("group")
    senate = df[df["body"] == "senate"].set_index("group")
    assert parl["supports"].to_dict() == {"big": True, "mid": False, "s1": True, "s2": True, "vet": True}
    assert parl["margin"].to_dict() == pytest.approx({"big": 2.0, "mid": -1.0, "s1": 1.0, "s2": 0.5, "vet": 3.0})
    assert parl["body_passes"].all() and senate["body_passes"].all() and df["ratified"].all()
    assert set(parl.index[parl["pivotal"]]) == {"big", "vet"}
    assert set(senate.index[senate["pivotal"]]) == {"s1", "s2"}
    assert set(df["group"][df["side_pivotal"]]) == {"big", "vet", "s1", "s2"}
    check_pivots_by_reevaluation(instance, deal, df)
    # a failing deal: without the payment s2 opposes; the senate fails, and s2 (or mid) joining saves it
    df = pivotal_groups(instance, Deal({"i": "b"}))
    senate = df[df["body"] == "senate"].set_index("group")
    assert not senate["body_passes"].any() and not df["ratified"].any()
    assert set(senate.index[senate["pivotal"]]) == {"mid", "s2"}
    check_pivots_by_reevaluation(instance, Deal({"i": "b"}), df)


@settings(max_examples=examples(30), **SETTINGS)
@given(instances(money=False), st.data())
def test_pivotal_groups_match_reevaluation_on_random_instances(instance, data):
    package = {i.id: data.draw(st.sampled_from(i.option_ids)) for i in instance.issues}
    deal = Deal(package)
    df = pivotal_groups(instance, deal)
    assert len(df) == sum(len(b.members) for b in instance.bodies)
    check_pivots_by_reevaluation(instance, deal, df)


def test_convenience_functions_and_all_bodies():
    instance = pivot_instance()
    df = power_indices(instance)
    assert list(df["body"].unique()) == ["parl", "senate"]
    assert shapley_shubik(instance, "senate") == pytest.approx({"mid": 1 / 3, "s1": 1 / 3, "s2": 1 / 3})
    with pytest.raises(KeyError):
        power_indices(instance, "nope")


def test_council_table_of_the_docs(bench):
    """docs/power.md shows the Council's exact values; they are what the code computes."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "power.md").read_text(encoding="utf-8")
    df = planner.power_indices(bench, "Council").set_index("group")
    rows = 0
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in df.index:
            weight, b, raw, ss = map(float, cells[1:])
            row = df.loc[cells[0]]
            assert (weight, b, raw, ss) == (row.weight, round(row.banzhaf, 4), round(row.banzhaf_raw, 4),
                                            round(row.shapley_shubik, 4)), cells
            rows += 1
    assert rows == 10


def test_the_power_command_prints_writes_and_refuses_unknown_bodies(tmp_path, cli):
    from openpyxl import load_workbook

    from .conftest import ROOT

    src = ROOT / "spreadsheets" / "bonn1978.xlsx"
    out = tmp_path / "p.xlsx"
    proc = cli("power", src, "--output", out, "--json", tmp_path / "p.json")
    assert proc.returncode == 0, proc.stderr
    assert "us_consumer" in proc.stdout and "Pivotal groups" in proc.stdout
    data = json.loads((tmp_path / "p.json").read_text())
    inst = planner.read_instance(src)
    assert {r["group"] for r in data["power"]} == {m.group for b in inst.bodies for m in b.members}
    for body_id in {b.id for b in inst.bodies}:
        assert abs(sum(r["shapley_shubik"] for r in data["power"] if r["body"] == body_id) - 1) < 1e-9
    assert data["pivotal"] and set(load_workbook(out).sheetnames) == {"Power", "Pivotal"}
    bad = cli("power", src, "--body", "senate", "--no-workbook")
    assert bad.returncode == 2 and "us_senate" in bad.stderr
