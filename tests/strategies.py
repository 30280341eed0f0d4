"""Hypothesis strategies for small random negotiation instances.

``instances(objective=...)`` builds an :class:`planner.model.Instance` directly from the
model's dataclasses: 2-3 sides, 2-4 issues of 2-3 options (at most 81 packages), 0-5
groups a side, explicit or default bodies, vetoes, links, rules, domestic payments and
transfers on at most ``max_buyable`` groups, Level-I reservations. Reservations are drawn
near values the holder can actually reach, so ties (utility exactly at the reservation)
and both feasible and infeasible instances are common (about half are infeasible; a bit
more with nash). Small enough for ``tests/oracle.py``.

``make`` and ``body`` build hand-made instances for tests with worked answers.
"""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import strategies as st

from planner.model import Action, Body, Group, Instance, Issue, Link, Member, Option, Rule, Settings, Side, Transfer

OBJECTIVES = ("own", "joint", "maxmin", "nash")
THRESHOLDS = (0.5, 2 / 3, 0.6, 0.75)
COUNT_THRESHOLDS = (0.5, 0.6, 2 / 3, 0.75, 0.8)
WEIGHTS = (0.0, 0.5, 1.0, 1.0, 1.0, 1.5, 2.0, 3.0)
MEMBER_WEIGHTS = WEIGHTS + (4.0, 6.0)  # a few heavy members, so that count thresholds bind
AMOUNTS = (0.5, 1.0, 2.0, 3.0, 5.0)
OFFSETS = (0.0, 0.0, 0.0, -0.5, -1.0, 0.5, 1.0)
PAYABLE_OFFSETS = (0.0, 0.5, 1.0, 1.0, 2.0, 3.0)
NASH_OFFSETS = (0.0, -0.5, -1.0, -2.0, -3.0, 1.0)

# A utility value: usually an integer in [-5, 10], sometimes a half-integer.
values = st.one_of(
    st.integers(-5, 10).map(float),
    st.integers(-10, 20).map(lambda v: v / 2),
)


def _package_values(table: dict, links: list[Link], holder: str, issues: list[Issue]) -> list[float]:
    """The holder's package utility (options plus links) for every package, no rules applied."""
    out = []
    for combo in itertools.product(*(i.option_ids for i in issues)):
        package = dict(zip((i.id for i in issues), combo))
        total = sum(table.get((i, o), 0.0) for i, o in package.items())
        total += sum(
            l.value
            for l in links
            if l.holder == holder and package[l.issue_a] == l.option_a and package[l.issue_b] == l.option_b
        )
        out.append(total)
    return out


def _negotiator_values(side, utilities, links, issues, groups, explicit) -> list[float]:
    """A negotiator's package utility for every package (explicit rows or its groups' average)."""
    own = _package_values(utilities.get(side, {}) if explicit else {}, links, side, issues)
    if explicit:
        return own
    mine = [g for g in groups if g.side == side]
    total = sum(g.weight for g in mine)
    if total <= 0:
        return own
    columns = [_package_values(utilities[g.id], links, g.id, issues) for g in mine]
    return [o + sum(g.weight * c[k] for g, c in zip(mine, columns)) / total for k, o in enumerate(own)]


@st.composite
def _reservation_near(draw, reachable: list[float], offsets=None) -> float:
    """A reservation at, or a little off, a value the holder reaches for some package."""
    anchor = draw(st.sampled_from(sorted(set(reachable))))
    return anchor + draw(st.sampled_from(offsets or OFFSETS))


@st.composite
def _utility_table(draw, issues: list[Issue], sparse: bool = True) -> dict:
    table = {}
    for issue in issues:
        for option in issue.options:
            if sparse and draw(st.integers(0, 6)) == 0:
                continue  # a missing pair is worth 0
            table[(issue.id, option.id)] = draw(values)
    return table


@st.composite
def instances(
    draw,
    objective: str | None = None,
    money: bool | None = None,
    max_buyable: int = 3,
    issues: tuple[int, int] = (2, 4),
) -> Instance:
    """A small random Instance.

    ``objective``: one of own, joint, maxmin, nash (drawn when None). ``money``: whether
    domestic payments and transfers may occur (drawn when None; never with nash).
    ``max_buyable``: how many groups at most may receive a payment or a transfer.
    ``issues``: the least and most number of issues.
    """
    if objective is None:
        objective = draw(st.sampled_from(OBJECTIVES))
    if objective == "nash":
        money = False
    elif money is None:
        money = draw(st.integers(0, 2)) > 0

    # -- sides, issues -------------------------------------------------------------------
    side_ids = [f"S{k + 1}" for k in range(draw(st.integers(2, 3)))]
    issue_range = issues
    issues = []
    for k in range(draw(st.integers(*issue_range))):
        n_options = draw(st.integers(2, 3))
        options = tuple(Option(f"o{j + 1}", f"option {j + 1}") for j in range(n_options))
        issues.append(Issue(f"i{k + 1}", f"issue {k + 1}", options))
    option_pairs = [
        ((a.id, oa.id), (b.id, ob.id))
        for a, b in itertools.combinations(issues, 2)
        for oa in a.options
        for ob in b.options
    ]

    # -- groups and their utilities -------------------------------------------------------
    group_sides: dict[str, str] = {}
    for s in side_ids:
        for j in range(draw(st.integers(0, 5))):
            group_sides[f"{s}g{j + 1}"] = s
    holders = list(group_sides) + side_ids

    utilities: dict[str, dict] = {g: draw(_utility_table(issues)) for g in group_sides}
    explicit_negotiator = {}
    for s in side_ids:
        has_groups = any(side == s for side in group_sides.values())
        # A negotiator without rows gets its groups' weighted average (or 0 with no groups).
        explicit_negotiator[s] = draw(st.integers(0, 9)) < (9 if not has_groups else 6)
        if explicit_negotiator[s]:
            table = draw(_utility_table(issues))
            if not table:
                table = {(issues[0].id, issues[0].options[0].id): draw(values)}
            utilities[s] = table

    links = []
    for _ in range(draw(st.integers(0, 3))):
        (ia, oa), (ib, ob) = draw(st.sampled_from(option_pairs))
        links.append(Link(draw(st.sampled_from(holders)), ia, oa, ib, ob, float(draw(st.integers(-3, 5)))))

    rules = []
    for _ in range(draw(st.sampled_from((0, 0, 1, 1, 2)))):
        (ia, oa), (ib, ob) = draw(st.sampled_from(option_pairs))
        rules.append(Rule(draw(st.sampled_from(("requires", "excludes"))), ia, oa, ib, ob))

    # -- who may be bought ----------------------------------------------------------------
    payable: list[str] = []
    if money and group_sides:
        count = draw(st.integers(1, min(max_buyable, len(group_sides))))
        payable = draw(st.permutations(sorted(group_sides)))[:count]

    budgets = {}
    for s in side_ids:
        domestic = any(group_sides[g] == s for g in payable)
        budgets[s] = draw(st.sampled_from(AMOUNTS)) if domestic and draw(st.integers(0, 3)) > 0 else 0.0

    # Equal weights make a yes weight of exactly threshold x total (3 of 5 at 0.6) common.
    equal_weights = {s: draw(st.integers(0, 4)) < 2 for s in side_ids}
    groups = []
    for g, s in group_sides.items():
        reachable = _package_values(utilities[g], links, g, issues)
        if g in payable:
            cap = draw(st.sampled_from((None, None, 1.0, 2.0, 3.0, 5.0)))
        elif budgets[s] > 0:
            cap = 0.0  # keeps the number of buyable groups small
        else:
            cap = draw(st.sampled_from((None, 0.0, 2.0)))  # no budget: the cap does not matter
        groups.append(
            Group(
                g,
                s,
                f"group {g}",
                weight=1.0 if equal_weights[s] else draw(st.sampled_from(WEIGHTS)),
                # a group that may be paid is often just out of reach without money
                reservation=draw(_reservation_near(reachable, PAYABLE_OFFSETS if g in payable else OFFSETS)),
                veto=draw(st.integers(0, 7)) == 0,
                payment_cap=cap,
                payment_efficiency=draw(st.sampled_from((1.0, 1.0, 0.5, 1.5, 2.0))),
            )
        )

    sides = []
    for s in side_ids:
        reservation = None
        # nash needs every U[s] > R[s], rare with blank reservations (R = 0): set them more often
        if draw(st.integers(0, 2)) < (2 if objective == "nash" else 1):
            reachable = _negotiator_values(s, utilities, links, issues, groups, explicit_negotiator[s])
            reservation = draw(_reservation_near(reachable, NASH_OFFSETS if objective == "nash" else OFFSETS))
        sides.append(
            Side(
                s,
                f"side {s}",
                reservation=reservation,
                budget=budgets[s],
                payment_cost=draw(st.sampled_from((1.0, 1.0, 0.5, 2.0, 0.0))),
            )
        )

    transfers = []
    if money:
        for _ in range(draw(st.integers(0, 2))):
            source = draw(st.sampled_from(side_ids))
            receivers = [s for s in side_ids if s != source] + [g for g in payable if group_sides[g] != source]
            transfers.append(
                Transfer(
                    source,
                    draw(st.sampled_from(receivers)),
                    max_amount=draw(st.sampled_from(AMOUNTS)),
                    cost=draw(st.sampled_from((1.0, 1.0, 0.5, 2.0))),
                    value=draw(st.sampled_from((1.0, 1.0, 0.5, 1.5))),
                )
            )

    # -- bodies ---------------------------------------------------------------------------
    bodies = []
    member_weights = st.sampled_from(MEMBER_WEIGHTS)
    for s in side_ids:
        mine = [g for g in groups if g.side == s]
        if not mine:
            continue
        if draw(st.integers(0, 9)) < 4:
            for k in range(draw(st.integers(1, 2))):
                chosen = draw(st.lists(st.sampled_from(mine), min_size=1, max_size=len(mine), unique_by=lambda g: g.id))
                chosen.sort(key=lambda g: g.id)
                members = tuple(
                    Member(g.id, g.weight if equal_weights[s] or draw(st.booleans()) else draw(member_weights))
                    for g in chosen
                )
                bodies.append(
                    Body(
                        f"{s}_B{k + 1}",
                        s,
                        members,
                        threshold=draw(st.sampled_from(THRESHOLDS)),
                        rule=draw(st.sampled_from(("more_than", "at_least"))),
                        count_threshold=draw(st.sampled_from((None, None) + COUNT_THRESHOLDS)),
                        block_min=draw(st.sampled_from((None, None, None, 1, 2, 3))),
                    )
                )
        else:
            bodies.append(Body(s, s, tuple(Member(g.id, g.weight) for g in mine), 0.5, "more_than", default=True))

    settings = Settings(
        home_side=draw(st.sampled_from(side_ids)),
        objective=objective,
        time_limit=30,
        mip_gap=draw(st.sampled_from((0.0, 1e-9))),
        title="t",
    )
    return Instance(
        sides=tuple(sides),
        issues=tuple(issues),
        groups=tuple(groups),
        bodies=tuple(bodies),
        utilities=utilities,
        settings=settings,
        links=tuple(links),
        rules=tuple(rules),
        transfers=tuple(transfers),
        name="t",
    )


# -- hand-made instances ------------------------------------------------------------------
def make(
    sides,
    issues,
    groups=(),
    utilities=None,
    bodies=(),
    objective="own",
    home=None,
    links=(),
    rules=(),
    transfers=(),
) -> Instance:
    """An Instance from short descriptions; sides with groups and no body get the default body.

    ``sides``: Side objects or ids; ``issues``: {issue: [options]}; ``utilities``:
    {holder: {(issue, option): value}}.
    """
    sides = tuple(s if isinstance(s, Side) else Side(s, s) for s in sides)
    issue_objs = tuple(Issue(i, i, tuple(Option(o, o) for o in opts)) for i, opts in issues.items())
    groups = tuple(groups)
    bodies = list(bodies)
    for s in sides:
        mine = [g for g in groups if g.side == s.id]
        if mine and not any(b.side == s.id for b in bodies):
            bodies.append(Body(s.id, s.id, tuple(Member(g.id, g.weight) for g in mine), default=True))
    return Instance(
        sides=sides,
        issues=issue_objs,
        groups=groups,
        bodies=tuple(bodies),
        utilities=utilities or {},
        settings=Settings(home_side=home or sides[0].id, objective=objective, time_limit=30, mip_gap=0.0, title="t"),
        links=tuple(links),
        rules=tuple(rules),
        transfers=tuple(transfers),
    )


def body(members, threshold=0.5, rule="more_than", count_threshold=None, block_min=None, side="A", id="B") -> Body:
    return Body(id, side, tuple(Member(g, w) for g, w in members), threshold, rule, count_threshold, block_min)


@st.composite
def with_actions(draw, instance: Instance, max_actions: int = 3) -> Instance:
    """``instance`` with one to ``max_actions`` random Actions (and budgets to pay for some).

    Targets are groups of any side (campaigns at home, appeals abroad) or negotiators
    (gestures); costs, shifts and uses are small, so that enumerating every combination of
    uses stays cheap for the oracle.
    """
    side_ids = [s.id for s in instance.sides]
    targets = [g.id for g in instance.groups] + side_ids
    actions = []
    for k in range(draw(st.integers(1, max_actions))):
        target = draw(st.sampled_from(targets))
        on_side = target in side_ids
        actions.append(Action(
            f"A{k + 1}",
            draw(st.sampled_from(side_ids)),
            target,
            cost=draw(st.sampled_from((0.0, 0.5, 1.0, 1.0, 2.0))),
            reservation_shift=0.0 if on_side else draw(st.sampled_from((0.0, -0.5, -1.0, -2.0, 1.0))),
            utility_shift=draw(st.sampled_from((0.0, 0.0, 0.5, 1.0, 1.5, -1.0))),
            max_uses=draw(st.sampled_from((0, 1, 1, 2, 3))),
        ))
    extra = {s: draw(st.sampled_from((0.0, 0.0, 1.0, 2.0, 3.0))) for s in side_ids}
    sides = tuple(dataclasses.replace(s, budget=s.budget + extra[s.id]) for s in instance.sides)
    unpaid = {s.id for s in instance.sides if s.budget == 0}  # the new budget is for actions only
    groups = tuple(dataclasses.replace(g, payment_cap=0.0) if g.side in unpaid else g for g in instance.groups)
    return instance.replace(actions=tuple(actions), sides=sides, groups=groups)
