"""Importing bilateral cases from GENIUS (XML) and GeniusWeb (JSON) into instances.

Negotiation researchers keep multi-issue cases as a *domain* (issues and their values)
and one *preference profile* per party (a linear additive utility space). The import makes
an instance with two autonomous negotiators (sides with no groups, so Level II always
ratifies), one issue per domain issue, one option per value, and negotiator utilities
scored as GENIUS scores them:

    value of option o on issue i = weight_i * evaluation_i(o) / max_o' evaluation_i(o')

GENIUS XML: the domain's ``<issue name=...>`` elements hold ``<item value=...>``; a profile
holds, per issue, ``<item value=... evaluation=...>`` and a ``<weight index=... value=...>``
matched to the issue by index, and ``<reservation value=...>`` (default 0). GeniusWeb JSON:
the domain is ``{"name", "issuesValues": {issue: {"values": [...]}}}``; a profile is
``{"LinearAdditiveUtilitySpace": {"issueUtilities": {issue: {"DiscreteValueSetUtilities":
{"valueUtilities": {value: u}}}}, "issueWeights": {issue: w}, "reservationBid":
{"issuevalues": {...}}}}``, whose reservation is the utility of its reservation bid (0 when
absent). The home side is the first profile and the objective ``nash``, the usual
benchmark of bilateral bargaining; both can be changed in the workbook's Settings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..errors import InputError, InputErrors
from ..model import Instance, Issue, Option, Settings, Side


@dataclass(frozen=True)
class Profile:
    """A party's linear additive preferences: issue weights, value evaluations, reservation."""

    name: str
    weights: dict[str, float]
    evaluations: dict[str, dict[str, float]]
    reservation: float


def _error(path: Path, expected: str, found: str) -> InputErrors:
    return InputErrors([InputError(path.name, None, None, expected, found)], str(path))


def _read_xml(path: Path) -> ElementTree.Element:
    try:
        return ElementTree.parse(path).getroot()
    except FileNotFoundError:
        raise _error(path, "an existing file", "no such file") from None
    except ElementTree.ParseError as exc:
        raise _error(path, "a GENIUS XML file", f"invalid XML: {exc}") from None


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _error(path, "an existing file", "no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(path, "a GeniusWeb JSON file", f"invalid JSON: {exc}") from None


# -- GENIUS XML ---------------------------------------------------------------------------
def xml_domain(path: Path) -> dict[str, list[str]]:
    """Issue name -> its values, in file order."""
    root = _read_xml(path)
    issues = {i.get("name"): [item.get("value") for item in i.iter("item")] for i in root.iter("issue")}
    if not issues or any(not name or not values or None in values for name, values in issues.items()):
        raise _error(path, "a GENIUS domain: <issue name=...> elements with <item value=...> children", "none or incomplete")
    return issues


def xml_profile(path: Path) -> Profile:
    root = _read_xml(path)
    index_to_issue = {i.get("index"): i.get("name") for i in root.iter("issue")}
    weights = {index_to_issue.get(w.get("index")): _number(path, w.get("value"), "a weight") for w in root.iter("weight")}
    evaluations = {
        i.get("name"): {item.get("value"): _number(path, item.get("evaluation"), "an evaluation") for item in i.iter("item")}
        for i in root.iter("issue")
    }
    reservation = root.find(".//reservation")
    return Profile(path.stem, {k: v for k, v in weights.items() if k is not None}, evaluations,
                   _number(path, reservation.get("value"), "a reservation value") if reservation is not None else 0.0)


def _number(path: Path, text: str | None, what: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise _error(path, f"{what} that is a number", repr(text)) from None


# -- GeniusWeb JSON ----------------------------------------------------------------------------
def json_domain(path: Path) -> dict[str, list[str]]:
    doc = _read_json(path)
    values = doc.get("issuesValues") if isinstance(doc, dict) else None
    if not isinstance(values, dict) or not values:
        raise _error(path, 'a GeniusWeb domain with "issuesValues"', type(doc).__name__)
    return {issue: list(v.get("values", [])) for issue, v in values.items()}


def json_profile(path: Path) -> Profile:
    doc = _read_json(path)
    space = doc.get("LinearAdditiveUtilitySpace") if isinstance(doc, dict) else None
    if not isinstance(space, dict):
        raise _error(path, 'a GeniusWeb profile with "LinearAdditiveUtilitySpace"', "something else")
    evaluations = {
        issue: {k: float(v) for k, v in u.get("DiscreteValueSetUtilities", {}).get("valueUtilities", {}).items()}
        for issue, u in space.get("issueUtilities", {}).items()
    }
    weights = {k: float(v) for k, v in space.get("issueWeights", {}).items()}
    profile = Profile(space.get("name") or path.stem, weights, evaluations, 0.0)
    bid = (space.get("reservationBid") or {}).get("issuevalues") or {}
    if bid:
        profile = Profile(profile.name, weights, evaluations,
                          sum(option_value(profile, issue, value) for issue, value in bid.items()))
    return profile


# -- the instance -----------------------------------------------------------------------------
def option_value(profile: Profile, issue: str, value: str) -> float:
    """GENIUS's score of one value: the issue weight times its evaluation over the issue's best."""
    evals = profile.evaluations.get(issue, {})
    best = max(evals.values(), default=0.0)
    if best <= 0:
        return 0.0
    return profile.weights.get(issue, 0.0) * evals.get(value, 0.0) / best


def import_genius(domain: str | Path, profile_a: str | Path, profile_b: str | Path,
                  names: tuple[str, str] | None = None) -> Instance:
    """An instance from a GENIUS (.xml) or GeniusWeb (.json) domain and two profiles."""
    domain, profile_a, profile_b = Path(domain), Path(profile_a), Path(profile_b)
    as_json = domain.suffix.lower() == ".json"
    issues = (json_domain if as_json else xml_domain)(domain)
    read = json_profile if as_json else xml_profile
    profiles = [read(profile_a), read(profile_b)]
    ids = list(names) if names else [_side_id(p.name, k) for k, p in enumerate(profiles)]
    if ids[0] == ids[1]:
        ids = [ids[0] + "_a", ids[1] + "_b"]
    for path, profile in zip((profile_a, profile_b), profiles):
        unknown = sorted(set(profile.evaluations) - set(issues))
        if unknown:
            raise _error(path, f"issues of the domain {domain.name}", ", ".join(unknown))
    issue_ids = _unique_slugs(list(issues))
    option_ids = {i: _unique_slugs(values) for i, values in issues.items()}
    inst_issues = tuple(
        Issue(issue_ids[name], name, tuple(Option(option_ids[name][v], v) for v in values)) for name, values in issues.items()
    )
    utilities = {
        side: {(issue_ids[i], option_ids[i][v]): option_value(p, i, v) for i, values in issues.items() for v in values}
        for side, p in zip(ids, profiles)
    }
    sides = tuple(Side(side, p.name, p.reservation) for side, p in zip(ids, profiles))
    title = f"{domain.stem}: {profiles[0].name} vs {profiles[1].name}"
    return Instance(sides, inst_issues, (), (), utilities, Settings(ids[0], "nash", 60.0, 1e-6, title), name=domain.stem)


def _slug(text: str) -> str:
    """An id from a name: spaces and punctuation become underscores."""
    slug = re.sub(r"[^0-9A-Za-z_.-]+", "_", str(text).strip()).strip("_")
    return slug or "x"


def _unique_slugs(names: list[str]) -> dict[str, str]:
    """Each name's id, made unique by a numeric suffix where two names slug alike."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = slug = _slug(name)
        n = 2
        while slug in used:
            slug, n = f"{base}_{n}", n + 1
        used.add(slug)
        out[name] = slug
    return out


def _side_id(name: str, k: int) -> str:
    return _slug(name) or f"party{k + 1}"
