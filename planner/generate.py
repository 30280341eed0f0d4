"""Synthetic instances for studies, tests and benchmarks; deterministic for a seed.

Two kinds:

``random``
    Two sides A and B. Every group and both negotiators value every option uniformly in
    [0, 10]; groups have weight 1, reservations near the middle of their utility range and
    a payment cap; each side ratifies in one assembly by 60 % of the weight. Named
    ``random_<issues>x<options>x<groups>_s<seed>`` like the shared benchmark corpus.

``parliament``
    A national parliament of hundreds of members (side ``UK``) organised in parties, whose
    members' utilities are their party's plus individual noise (party discipline with
    rebels), ratifying by simple majority of the seats; and a partner (side ``EU``) of 27
    member states with population weights ratifying by qualified majority: 55 % of the
    members representing 65 % of the population, a blocking minority needing at least four
    members. The parliament's side may compensate members (small caps, cheap money).

Sizes are named ``small``, ``medium`` and ``large`` (see :data:`SIZES`).
"""

from __future__ import annotations

import random
from pathlib import Path

from .model import Body, Group, Instance, Issue, Member, Option, Settings, Side

SIZES = {
    "random": {"small": (10, 4, 20), "medium": (30, 6, 100), "large": (60, 8, 500)},
    "parliament": {"small": (6, 4, 150), "medium": (8, 4, 649), "large": (12, 5, 1000)},
}
"""Per kind and size: (issues, options per issue, groups a side) for ``random``;
(issues, options, seats) for ``parliament``."""

PARTIES = (("gov", 0.49, 0.95), ("opp", 0.40, 0.75), ("nat", 0.055, 0.85), ("lib", 0.02, 0.85),
           ("reg", 0.015, 0.9), ("oth", 0.02, 0.8))
"""Parliament parties: (id prefix, share of the seats, reservation as a share of the party's best)."""

COUNCIL = (("DE", 18.49), ("FR", 15.17), ("IT", 13.23), ("ES", 10.78), ("PL", 8.33), ("RO", 4.23), ("NL", 4.01),
           ("BE", 2.62), ("CZ", 2.42), ("PT", 2.36), ("SE", 2.34), ("GR", 2.31), ("HU", 2.13), ("AT", 2.02),
           ("BG", 1.43), ("DK", 1.32), ("FI", 1.25), ("SK", 1.21), ("IE", 1.19), ("HR", 0.86), ("LT", 0.64),
           ("SI", 0.47), ("LV", 0.42), ("EE", 0.30), ("CY", 0.21), ("LU", 0.15), ("MT", 0.12))
"""The EU Council's members and their 2025 population shares (per cent)."""


def generate(kind: str, size: str = "small", seed: int = 1) -> Instance:
    """One synthetic instance of a kind (``random`` or ``parliament``) and size."""
    if kind not in SIZES:
        raise ValueError(f"unknown kind {kind!r}; use {' or '.join(SIZES)}")
    if size not in SIZES[kind]:
        raise ValueError(f"unknown size {size!r}; use {', '.join(SIZES[kind])}")
    shape = SIZES[kind][size]
    return random_instance(*shape, seed) if kind == "random" else parliament_instance(*shape, seed, size)


def write_generated(kind: str, size: str, seed: int, count: int, out_dir: str | Path, suffix: str = ".xlsx",
                    force: bool = False) -> list[Path]:
    """Write ``count`` instances with seeds ``seed, seed+1, ...`` into ``out_dir``; their paths.

    Raises FileExistsError, before writing anything, when a target exists and not ``force``.
    """
    from .io.workbook import write_instance

    out = Path(out_dir)
    paths = [out / f"{instance_name(kind, size, s)}{suffix}" for s in range(seed, seed + count)]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(map(str, existing)))
    out.mkdir(parents=True, exist_ok=True)
    for s, path in zip(range(seed, seed + count), paths):  # one at a time: 10,000 instances need not fit in memory
        write_instance(generate(kind, size, s), path)
    return paths


def instance_name(kind: str, size: str, seed: int) -> str:
    """The name :func:`generate` gives an instance, without making it."""
    shape = SIZES[kind][size]
    return f"random_{'x'.join(map(str, shape))}_s{seed}" if kind == "random" else f"parliament_{size}_s{seed}"


def _issues(issues: int, options: int) -> tuple[Issue, ...]:
    return tuple(Issue(f"i{i}", f"Issue {i}", tuple(Option(f"o{o}", f"i{i}:o{o}") for o in range(options)))
                 for i in range(issues))


def _uniform_table(rng: random.Random, issues: tuple[Issue, ...]) -> dict:
    return {(i.id, o.id): round(rng.uniform(0, 10), 3) for i in issues for o in i.options}


def random_instance(issues: int, options: int, groups: int, seed: int, sides: tuple[str, ...] = ("A", "B")) -> Instance:
    """A random two-level game of the corpus's shape (deterministic for a seed)."""
    rng = random.Random(seed)
    iss = _issues(issues, options)
    utilities: dict = {}
    grp, bodies = [], []
    for s in sides:
        utilities[s] = _uniform_table(rng, iss)
        members = []
        for g in range(groups):
            gid = f"{s}_g{g:03d}"
            utilities[gid] = _uniform_table(rng, iss)
            mid = 5 * issues
            grp.append(Group(gid, s, gid, 1.0, round(mid + rng.uniform(-0.1, 0.6) * issues, 3), False,
                             round(rng.uniform(0.5, 2.0), 2), 1.0))
            members.append(Member(gid, 1.0))
        bodies.append(Body(f"{s}_assembly", s, tuple(members), 0.6, "at_least"))
    side_objs = tuple(Side(s, f"Side {s}", None, float(groups) / 4, 0.5) for s in sides)
    name = f"random_{issues}x{options}x{groups}_s{seed}"
    return Instance(side_objs, iss, tuple(grp), tuple(bodies), utilities, Settings(sides[0], "own", 60.0, 1e-6, name), name=name)


def parliament_instance(issues: int, options: int, seats: int, seed: int, size: str = "") -> Instance:
    r"""A parliament in parties against a qualified-majority council (deterministic for a seed).

    A party's option values are uniform in [0, 10]; a member's are the party's plus
    :math:`N(0, 1.5^2)`, clipped to [0, 10]. A member's reservation is its party's share of
    the best package's utility (``PARTIES``) with noise, so governing members are harder
    to please than the opposition's. Council members value options around a common centre.
    """
    rng = random.Random(seed)
    iss = _issues(issues, options)
    utilities: dict = {"UK": _uniform_table(rng, iss), "EU": _uniform_table(rng, iss)}
    groups: list[Group] = []
    for prefix, seats_of_party, level in _parties(seats):
        centre = _uniform_table(rng, iss)
        best = sum(max(centre[i.id, o.id] for o in i.options) for i in iss)
        for k in range(seats_of_party):
            gid = f"{prefix}{k:03d}"
            utilities[gid] = {key: round(min(10.0, max(0.0, v + rng.gauss(0, 1.5))), 3) for key, v in centre.items()}
            reservation = round(level * best * rng.uniform(0.85, 1.0), 3)
            groups.append(Group(gid, "UK", gid.capitalize(), 1.0, reservation, False, round(rng.uniform(0, 3), 2), 1.0))
    centre = _uniform_table(rng, iss)
    for state, population in COUNCIL:
        utilities[state] = {key: round(min(10.0, max(0.0, v + rng.gauss(0, 2.0))), 3) for key, v in centre.items()}
        groups.append(Group(state, "EU", state.capitalize(), population, round(5.0 * issues * rng.uniform(0.8, 1.0), 3)))
    bodies = (
        Body("Commons", "UK", tuple(Member(g.id, 1.0) for g in groups if g.side == "UK"), 0.5, "more_than"),
        Body("Council", "EU", tuple(Member(s, p) for s, p in COUNCIL), 0.65, "at_least", count_threshold=0.55, block_min=4),
    )
    sides = (Side("UK", "Side UK", None, 0.1 * seats, 0.2), Side("EU", "Side EU", None, 10.0, 1.0))
    name = f"parliament_{size or seats}_s{seed}"
    return Instance(sides, iss, tuple(groups), bodies, utilities, Settings("UK", "own", 60.0, 1e-6, name), name=name)


def _parties(seats: int) -> list[tuple[str, int, float]]:
    """Seats per party for a parliament of ``seats`` (largest remainders), with reservation levels."""
    quotas = [share * seats for _, share, _ in PARTIES]
    counts = [int(q) for q in quotas]
    for k in sorted(range(len(PARTIES)), key=lambda k: counts[k] - quotas[k])[: seats - sum(counts)]:
        counts[k] += 1
    return [(prefix, n, level) for (prefix, _, level), n in zip(PARTIES, counts)]
