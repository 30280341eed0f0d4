"""The negotiation instance: sides, issues, groups, bodies, utilities and side payments.

An :class:`Instance` is immutable. Derive changed copies with :meth:`Instance.replace`,
:meth:`Instance.with_settings`, :meth:`Instance.with_group`, :meth:`Instance.with_side`,
:meth:`Instance.with_body` and :meth:`Instance.with_utility`. It knows nothing of Excel
or Pyomo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

OptionKey = tuple[str, str]
"""An option, named by (issue, option)."""


@dataclass(frozen=True)
class Side:
    id: str
    name: str
    reservation: float | None = None
    budget: float = 0.0
    payment_cost: float = 1.0


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Issue:
    id: str
    name: str
    options: tuple[Option, ...]

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)


@dataclass(frozen=True)
class Group:
    id: str
    side: str
    name: str
    weight: float = 1.0
    reservation: float = 0.0
    veto: bool = False
    payment_cap: float | None = None
    payment_efficiency: float = 1.0
    reservation_sd: float | None = None


@dataclass(frozen=True)
class Member:
    group: str
    weight: float


@dataclass(frozen=True)
class Body:
    """A ratifying institution. ``default`` marks the body implied for a side with no Bodies rows."""

    id: str
    side: str
    members: tuple[Member, ...]
    threshold: float = 0.5
    rule: str = "more_than"
    count_threshold: float | None = None
    block_min: int | None = None
    default: bool = False

    @property
    def total_weight(self) -> float:
        return sum(m.weight for m in self.members)


@dataclass(frozen=True)
class Link:
    holder: str
    issue_a: str
    option_a: str
    issue_b: str
    option_b: str
    value: float

    @property
    def pair(self) -> tuple[OptionKey, OptionKey]:
        return (self.issue_a, self.option_a), (self.issue_b, self.option_b)


@dataclass(frozen=True)
class Rule:
    kind: str  # "requires" or "excludes"
    issue_a: str
    option_a: str
    issue_b: str
    option_b: str

    @property
    def pair(self) -> tuple[OptionKey, OptionKey]:
        return (self.issue_a, self.option_a), (self.issue_b, self.option_b)

    def holds(self, package: Mapping[str, str]) -> bool:
        a = package.get(self.issue_a) == self.option_a
        b = package.get(self.issue_b) == self.option_b
        return (not a or b) if self.kind == "requires" else not (a and b)


@dataclass(frozen=True)
class Transfer:
    from_side: str
    to: str
    max_amount: float
    cost: float = 1.0
    value: float = 1.0


@dataclass(frozen=True)
class ScenarioChange:
    """How a scenario differs for one group: its reservation shifted, its weight scaled,
    its utility shifted (for one option when ``issue`` and ``option`` are given, else for
    every package)."""

    holder: str
    reservation_shift: float = 0.0
    weight_factor: float = 1.0
    utility_shift: float = 0.0
    issue: str | None = None
    option: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One possible state of the constituencies, with its probability."""

    id: str
    probability: float
    changes: tuple[ScenarioChange, ...] = ()


@dataclass(frozen=True)
class Action:
    """A win-set strategy a side's negotiator may buy: a campaign at home, an appeal abroad, a gesture.

    Each use costs ``cost`` from the acting side's budget (and its negotiator's utility, at
    the side's ``payment_cost``), adds ``utility_shift`` to the target's utility of every
    deal and ``reservation_shift`` to a target group's reservation. At most ``max_uses``
    uses. The target is a group of any side, or a side (its negotiator; utility only).
    """

    id: str
    side: str
    target: str
    cost: float = 0.0
    reservation_shift: float = 0.0
    utility_shift: float = 0.0
    max_uses: int = 1

    @property
    def softening(self) -> float:
        """What one use adds to the target's utility over its reservation."""
        return self.utility_shift - self.reservation_shift


@dataclass(frozen=True)
class Settings:
    home_side: str
    objective: str = "own"
    time_limit: float = 60.0
    mip_gap: float = 1e-6
    title: str = ""


def _freeze(utilities: Mapping[str, Mapping[OptionKey, float]]) -> Mapping[str, Mapping[OptionKey, float]]:
    return MappingProxyType({h: MappingProxyType(dict(v)) for h, v in utilities.items()})


def _unpickle_instance(fields: dict) -> Instance:
    return Instance(**fields)


@dataclass(frozen=True)
class Instance:
    """One negotiation. ``utilities[holder][(issue, option)]`` is an option's value (missing = 0)."""

    sides: tuple[Side, ...]
    issues: tuple[Issue, ...]
    groups: tuple[Group, ...]
    bodies: tuple[Body, ...]
    utilities: Mapping[str, Mapping[OptionKey, float]]
    settings: Settings
    links: tuple[Link, ...] = ()
    rules: tuple[Rule, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    name: str = "instance"
    scenarios: tuple[Scenario, ...] = ()
    actions: tuple[Action, ...] = ()
    ignored: tuple[str, ...] = field(default=(), compare=False)
    """Columns and sheets of the input that the reader did not read (notes), each named where it was."""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "utilities", _freeze(self.utilities))

    def __reduce__(self):
        """Pickle as plain data (for worker processes); the cache is rebuilt on demand."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "_cache"}
        fields["utilities"] = {h: dict(v) for h, v in self.utilities.items()}
        return _unpickle_instance, (fields,)

    # -- derived copies ------------------------------------------------------------
    def replace(self, **changes) -> Instance:
        """A copy with some fields replaced (``dataclasses.replace``)."""
        changes.setdefault("_cache", {})
        return dataclasses.replace(self, **changes)

    def with_settings(self, **changes) -> Instance:
        """A copy with settings changed, e.g. ``with_settings(objective="nash")``."""
        return self.replace(settings=dataclasses.replace(self.settings, **changes))

    def with_side(self, side: str, **changes) -> Instance:
        return self.replace(sides=_replace_one(self.sides, side, changes))

    def with_group(self, group: str, **changes) -> Instance:
        """A copy with a group changed; a new weight also applies in its side's default body."""
        bodies = self.bodies
        if "weight" in changes:
            weight = float(changes["weight"])
            bodies = tuple(
                dataclasses.replace(b, members=tuple(Member(m.group, weight) if m.group == group else m for m in b.members))
                if b.default else b
                for b in bodies
            )
        return self.replace(groups=_replace_one(self.groups, group, changes), bodies=bodies)

    def with_body(self, body: str, **changes) -> Instance:
        return self.replace(bodies=_replace_one(self.bodies, body, changes))

    def with_utility(self, holder: str, issue: str, option: str, value: float) -> Instance:
        table = {h: dict(v) for h, v in self.utilities.items()}
        table.setdefault(holder, {})[(issue, option)] = float(value)
        return self.replace(utilities=table)

    # -- look-ups ------------------------------------------------------------------
    @cached_property
    def side_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sides)

    def side(self, side_id: str) -> Side:
        return self._index("side", self.sides)[side_id]

    def group(self, group_id: str) -> Group:
        return self._index("group", self.groups)[group_id]

    def issue(self, issue_id: str) -> Issue:
        return self._index("issue", self.issues)[issue_id]

    def groups_of(self, side_id: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.side == side_id)

    def bodies_of(self, side_id: str) -> tuple[Body, ...]:
        return tuple(b for b in self.bodies if b.side == side_id)

    def option_keys(self) -> Iterator[OptionKey]:
        for issue in self.issues:
            for option in issue.options:
                yield issue.id, option.id

    def value(self, holder: str, issue: str, option: str) -> float:
        return self.utilities.get(holder, {}).get((issue, option), 0.0)

    def action(self, action_id: str) -> Action:
        return self._index("action", self.actions)[action_id]

    def actions_on(self, holder: str) -> tuple[Action, ...]:
        """The actions that target a group or a negotiator."""
        return tuple(a for a in self.actions if a.target == holder)

    def actions_of(self, side_id: str) -> tuple[Action, ...]:
        """The actions a side's negotiator may take."""
        return tuple(a for a in self.actions if a.side == side_id)

    def links_of(self, holder: str) -> tuple[Link, ...]:
        return tuple(l for l in self.links if l.holder == holder)

    def has_explicit_utilities(self, side_id: str) -> bool:
        return bool(self.utilities.get(side_id))

    @property
    def home(self) -> str:
        return self.settings.home_side

    @property
    def package_count(self) -> int:
        n = 1
        for issue in self.issues:
            n *= len(issue.options)
        return n

    def _index(self, key: str, items: Iterable) -> dict:
        cache = self._cache.setdefault(key, None)
        if cache is None:
            cache = self._cache[key] = {x.id: x for x in items}
        return cache


def _replace_one(items: tuple, item_id: str, changes: dict) -> tuple:
    if not any(x.id == item_id for x in items):
        raise KeyError(item_id)
    return tuple(dataclasses.replace(x, **changes) if x.id == item_id else x for x in items)
