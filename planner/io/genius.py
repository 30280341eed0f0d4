r"""Importing bilateral cases from GENIUS (XML) and GeniusWeb (JSON) into instances.

Negotiation researchers keep multi-issue cases as a *domain* (issues and their values)
and one *preference profile* per party (a linear additive utility space). The import makes
an instance with two autonomous negotiators (sides with no groups, so Level II always
ratifies), one issue per domain issue, one option per value, and negotiator utilities
scored as the file's own platform scores them: option value = issue weight x the
value's evaluation.

**GENIUS XML.** The domain's ``<issue name=...>`` elements hold ``<item value=...>``
children (discrete issues), or ``lowerbound`` and ``upperbound`` attributes (integer
issues: one option per whole number). A profile holds, per issue, a ``<weight index=...
value=...>`` beside it, matched by index to an ``<issue index=...>`` of the same parent
(as GENIUS's ``AdditiveUtilitySpace.loadTreeRecursive`` does), and ``<reservation
value=...>`` (default 0). A discrete issue's evaluations are its *direct* ``<item value=...
evaluation=...>`` children, the only ones GENIUS's ``EvaluatorDiscrete.loadFromXML``
reads: profiles that circulate (the ANAC 2011 and 2012 Car domains among them) also carry
a ``<similarity_function><criteria_function>`` block with items of its own, which GENIUS
ignores and so does the import. The evaluation of a value is its evaluation over the
issue's largest (0 when that is below :math:`10^{-5}`), as ``EvaluatorDiscrete.normalize``
computes it; an item with evaluation ``null`` or none is no evaluation. An integer issue's
evaluation is ``offset + slope * (v - lowerbound)`` from its ``<evaluator ftype="linear">``,
clipped to [0, 1] (``EvaluatorInteger``). Real-valued issues have no options to list and
are refused.

**GeniusWeb JSON.** The domain is ``{"name", "issuesValues": {issue: {"values": [...]}}}``
or, for a number-valued issue, ``{issue: {"range": {"low", "high", "step"}}}`` (one option
per value from low to high). A profile is ``{"LinearAdditiveUtilitySpace": {"issueUtilities":
{issue: U}, "issueWeights": {issue: w}, "reservationBid": {"issuevalues": {...}}}}``, where
``U`` is ``{"DiscreteValueSetUtilities": {"valueUtilities": {value: u}}}`` (GeniusWeb's own
serialisation) or ``{"discreteutils": {...}}`` (as in copies of the ANAC domains that
circulate), or ``{"NumberValueSetUtilities": {"lowValue", "lowUtility", "highValue",
"highUtility"}}`` (or ``"numberutils"``): linear between the two values, rounded to 8
decimals, 0 outside them. A value's evaluation is its utility ``u``; the reservation is the
utility of the reservation bid, 0 when there is none (the key absent or null).

Bad content is a located error (exit status 2): the file and the path inside it, e.g.
``party1.json: LinearAdditiveUtilitySpace.issueWeights.food: a number (got NaN)``. XML is
parsed with defusedxml: entities, DTDs and external references are refused. The home side
is the first profile and the objective ``nash``, the usual benchmark of bilateral
bargaining; both can be changed in the workbook's Settings.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from ..errors import InputError, InputErrors
from ..model import Instance, Issue, Option, Settings, Side

MAX_VALUES = 10_000
"""Most options an integer or number-valued issue may list."""
DISCRETE_KEYS = ("DiscreteValueSetUtilities", "discreteutils")
NUMBER_KEYS = ("NumberValueSetUtilities", "numberutils")


@dataclass(frozen=True)
class Domain:
    """Issue name -> its values as option names, in file order; numbers of number-valued issues by option name."""

    issues: dict[str, list[str]]
    numbers: dict[str, dict[str, Decimal]]


@dataclass(frozen=True)
class Profile:
    """A party's linear additive preferences, scored on a domain: issue weights, each value's evaluation, reservation."""

    name: str
    weights: dict[str, float]
    evaluations: dict[str, dict[str, float]]
    reservation: float


def _error(path: Path, expected: str, found: str, where: str = "") -> InputErrors:
    text = f"{where}: {expected} (got {found})" if where else None
    return InputErrors([InputError(path.name, None, None, expected, found, text=text)], str(path))


def _number(path: Path, value: Any, where: str) -> float:
    """A finite number from a JSON value or an XML attribute; a located error otherwise."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise _error(path, "a number", _shown(value), where)
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _error(path, "a number", _shown(value), where) from None
    if not math.isfinite(x):
        raise _error(path, "a number", _shown(value), where)
    return x


def _shown(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "nothing" if value is None else repr(value)


# -- GENIUS XML ---------------------------------------------------------------------------
def _read_xml(path: Path) -> Element:
    try:
        return SafeTree.parse(path).getroot()
    except FileNotFoundError:
        raise _error(path, "an existing file", "no such file") from None
    except ParseError as exc:
        raise _error(path, "a GENIUS XML file", f"invalid XML: {exc}") from None
    except DefusedXmlException as exc:
        raise _error(path, "a GENIUS XML file without entities, DTDs or external references",
                     type(exc).__name__) from None
    except (OSError, UnicodeError) as exc:
        raise _error(path, "a readable GENIUS XML file", f"{type(exc).__name__}: {exc}") from None


def _issue_where(issue: Element) -> str:
    return f"issue {issue.get('name')!r}"


def xml_domain(path: Path) -> Domain:
    """The issues of a GENIUS domain: discrete (its direct items) or integer (its bounds)."""
    root = _read_xml(path)
    issues: dict[str, list[str]] = {}
    for issue in root.iter("issue"):
        name = issue.get("name")
        if not name:
            raise _error(path, "an issue with a name", "an <issue> without one", "issue")
        if name in issues:
            raise _error(path, "each issue once", "a second issue of that name", _issue_where(issue))
        kind = (issue.get("etype") or issue.get("type") or "discrete").lower()
        if kind == "integer":
            low, high = _bounds(path, issue)
            issues[name] = [str(k) for k in range(low, high + 1)]
        elif kind == "discrete":
            values = [item.get("value") for item in issue.findall("item")]
            if not values or any(v is None for v in values):
                raise _error(path, "a discrete issue with <item value=...> children", "none or one without a value",
                             _issue_where(issue))
            issues[name] = values
        else:
            raise _error(path, "a discrete or integer issue (a real-valued issue has no options to list)",
                         repr(kind), _issue_where(issue))
    if not issues:
        raise _error(path, "a GENIUS domain: <issue name=...> elements", "none")
    _distinct(path, issues)
    return Domain(issues, {})


def _distinct(path: Path, issues: dict[str, list[str]]) -> None:
    for issue, values in issues.items():
        twice = sorted(v for v, n in Counter(values).items() if n > 1)
        if twice:
            raise _error(path, "each value of an issue once", ", ".join(map(repr, twice)) + " twice", f"issue {issue!r}")


def _bounds(path: Path, issue: Element) -> tuple[int, int]:
    where = _issue_where(issue)
    low = _number(path, issue.get("lowerbound"), f"{where} lowerbound")
    high = _number(path, issue.get("upperbound"), f"{where} upperbound")
    if not (low.is_integer() and high.is_integer()) or high < low or high - low >= MAX_VALUES:
        raise _error(path, f"whole bounds, lowerbound <= upperbound, at most {MAX_VALUES:,} values",
                     f"{low:g} to {high:g}", where)
    return int(low), int(high)


def xml_profile(path: Path, domain: Domain) -> Profile:
    root = _read_xml(path)
    weights: dict[str, float] = {}
    evaluations: dict[str, dict[str, float]] = {}
    for parent in root.iter():
        given = {w.get("index"): w for w in parent.findall("weight")}
        for issue in parent.findall("issue"):
            name = issue.get("name")
            where = _issue_where(issue)
            if name not in domain.issues:
                raise _error(path, f"an issue of the domain ({', '.join(domain.issues)})", repr(name), where)
            weight = given.get(issue.get("index"))
            if weight is None:
                raise _error(path, f"a <weight index={issue.get('index')!r}> beside the issue", "none", where)
            weights[name] = _number(path, weight.get("value"), f"{where} weight")
            evaluations[name] = _xml_evaluations(path, issue, domain.issues[name])
    missing = [i for i in domain.issues if i not in evaluations]
    if missing:
        raise _error(path, "every issue of the domain", "none for " + ", ".join(map(repr, missing)), "profile")
    reservation = root.find(".//reservation")
    value = _number(path, reservation.get("value"), "reservation value") if reservation is not None else 0.0
    return Profile(path.stem, weights, evaluations, value)


def _xml_evaluations(path: Path, issue: Element, values: list[str]) -> dict[str, float]:
    """Each domain value's evaluation, as GENIUS computes it from the issue's direct children."""
    where = _issue_where(issue)
    kind = (issue.get("etype") or issue.get("type") or "discrete").lower()
    if kind == "integer":
        low, _ = _bounds(path, issue)
        evaluator = issue.find("evaluator")
        slope = _number(path, evaluator.get("slope"), f"{where} evaluator slope") if evaluator is not None else 0.0
        offset = _number(path, evaluator.get("offset"), f"{where} evaluator offset") if evaluator is not None else 0.0
        return {v: min(1.0, max(0.0, offset + slope * (int(v) - low))) for v in values}
    raw = {}
    for item in issue.findall("item"):  # direct children only: a similarity function's items are not GENIUS's evaluations
        text = item.get("evaluation")
        if text is None or text == "null":
            continue
        raw[item.get("value")] = _number(path, text, f"{where} item {item.get('value')!r} evaluation")
    best = max(raw.values(), default=0.0)
    return {v: (raw.get(v, 0.0) / best if best >= 1e-5 else 0.0) for v in values}


# -- GeniusWeb JSON ----------------------------------------------------------------------------
def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _error(path, "an existing file", "no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _error(path, "a GeniusWeb JSON file", f"invalid JSON: {exc}") from None
    except OSError as exc:
        raise _error(path, "a readable GeniusWeb JSON file", f"{type(exc).__name__}: {exc}") from None


def _object(path: Path, value: Any, where: str, what: str = "an object") -> dict:
    if not isinstance(value, dict):
        raise _error(path, what, _shown(value), where)
    return value


def json_domain(path: Path) -> Domain:
    doc = _read_json(path)
    values = doc.get("issuesValues") if isinstance(doc, dict) else None
    if not isinstance(values, dict) or not values:
        raise _error(path, 'a GeniusWeb domain with "issuesValues"', _shown(doc) if not isinstance(doc, dict) else
                     "no issuesValues object")
    issues: dict[str, list[str]] = {}
    numbers: dict[str, dict[str, Decimal]] = {}
    for issue, spec in values.items():
        where = f"issuesValues.{issue}"
        spec = _object(path, spec, where, 'an object with "values" or "range"')
        if "range" in spec:
            numbers[issue] = _range(path, spec["range"], f"{where}.range")
            issues[issue] = list(numbers[issue])
        elif isinstance(spec.get("values"), list) and spec["values"]:
            issues[issue] = [_discrete(path, v, f"{where}.values[{k}]") for k, v in enumerate(spec["values"])]
        else:
            raise _error(path, 'a non-empty "values" list or a "range"', _shown(spec.get("values")), where)
    _distinct(path, issues)
    return Domain(issues, numbers)


def _discrete(path: Path, value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return _decimal_text(Decimal(str(value)))
    raise _error(path, "a value (a text)", _shown(value), where)


def _decimal(path: Path, value: Any, where: str) -> Decimal:
    _number(path, value, where)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _error(path, "a number", _shown(value), where) from None


def _decimal_text(x: Decimal) -> str:
    text = format(x.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _range(path: Path, spec: Any, where: str) -> dict[str, Decimal]:
    spec = _object(path, spec, where, 'an object with "low", "high" and "step"')
    low, high, step = (_decimal(path, spec.get(k), f"{where}.{k}") for k in ("low", "high", "step"))
    if step <= 0 or high < low or (high - low) / step >= MAX_VALUES:
        raise _error(path, f"low <= high and a step > 0 giving at most {MAX_VALUES:,} values",
                     f"low {low}, high {high}, step {step}", where)
    out, x = {}, low
    while x <= high:
        out[_decimal_text(x)] = x
        x += step
    return out


def json_profile(path: Path, domain: Domain) -> Profile:
    doc = _read_json(path)
    space = doc.get("LinearAdditiveUtilitySpace") if isinstance(doc, dict) else None
    if not isinstance(space, dict):
        raise _error(path, 'a GeniusWeb profile with "LinearAdditiveUtilitySpace"', "something else")
    top = "LinearAdditiveUtilitySpace"
    utilities = _object(path, space.get("issueUtilities"), f"{top}.issueUtilities")
    raw_weights = _object(path, space.get("issueWeights"), f"{top}.issueWeights")
    unknown = [i for i in list(utilities) + list(raw_weights) if i not in domain.issues]
    if unknown:
        raise _error(path, f"issues of the domain ({', '.join(domain.issues)})", ", ".join(map(repr, unknown)),
                     f"{top}.issueUtilities")
    weights, evaluations = {}, {}
    for issue, values in domain.issues.items():
        if issue not in raw_weights:
            raise _error(path, "a weight for every issue of the domain", "none", f"{top}.issueWeights.{issue}")
        weights[issue] = _number(path, raw_weights[issue], f"{top}.issueWeights.{issue}")
        spec = utilities.get(issue)
        where = f"{top}.issueUtilities.{issue}"
        if spec is None:
            raise _error(path, "utilities for every issue of the domain", "none", where)
        evaluations[issue] = _value_utilities(path, _object(path, spec, where, "an object of value utilities"), where,
                                              values, domain.numbers.get(issue))
    profile = Profile(str(space.get("name") or path.stem), weights, evaluations, 0.0)
    bid = space.get("reservationBid")
    if bid is None:
        return profile
    chosen = _object(path, _object(path, bid, f"{top}.reservationBid").get("issuevalues") or {},
                     f"{top}.reservationBid.issuevalues")
    total = 0.0
    for issue, value in chosen.items():
        where = f"{top}.reservationBid.issuevalues.{issue}"
        if issue not in domain.issues:
            raise _error(path, "an issue of the domain", repr(issue), where)
        total += option_value(profile, issue, _bid_value(path, value, where, domain.numbers.get(issue)))
    return Profile(profile.name, weights, evaluations, total)


def _bid_value(path: Path, value: Any, where: str, numbers: dict[str, Decimal] | None) -> str:
    if numbers is None:
        return _discrete(path, value, where)
    return _decimal_text(_decimal(path, value, where))


def _value_utilities(path: Path, spec: dict, where: str, values: list[str],
                     numbers: dict[str, Decimal] | None) -> dict[str, float]:
    discrete = next((k for k in DISCRETE_KEYS if k in spec), None)
    number = next((k for k in NUMBER_KEYS if k in spec), None)
    if discrete is not None:
        table = _object(path, _object(path, spec[discrete], f"{where}.{discrete}").get("valueUtilities"),
                        f"{where}.{discrete}.valueUtilities")
        given = {str(v): _number(path, u, f"{where}.{discrete}.valueUtilities.{v}") for v, u in table.items()}
        if numbers is not None:  # a number-valued issue scored by its values' texts
            given = {_decimal_text(Decimal(v)) if _is_number(v) else v: u for v, u in given.items()}
        return {v: given.get(v, 0.0) for v in values}
    if number is not None:
        inner = _object(path, spec[number], f"{where}.{number}")
        low_v, low_u, high_v, high_u = (_decimal(path, inner.get(k), f"{where}.{number}.{k}")
                                        for k in ("lowValue", "lowUtility", "highValue", "highUtility"))
        if high_v <= low_v:
            raise _error(path, "highValue above lowValue", f"{low_v} and {high_v}", f"{where}.{number}")
        out = {}
        for v in values:
            x = numbers[v] if numbers is not None and v in numbers else (Decimal(v) if _is_number(v) else None)
            if x is None or x < low_v or x > high_v:
                out[v] = 0.0
            else:
                u = low_u + (high_u - low_u) * (x - low_v) / (high_v - low_v)
                try:
                    out[v] = float(u.quantize(Decimal("1.00000000"), rounding=ROUND_HALF_UP))
                except InvalidOperation:  # too many digits to round to 8 decimals: a utility far outside [0, 1]
                    out[v] = float(u)
        return out
    keys = ", ".join(DISCRETE_KEYS + NUMBER_KEYS)
    raise _error(path, f"one of {keys}", ", ".join(map(repr, spec)) or "an empty object", where)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


# -- the instance -----------------------------------------------------------------------------
def option_value(profile: Profile, issue: str, value: str) -> float:
    """One value's score: the issue weight times the value's evaluation (0 for a value the profile does not rate)."""
    return profile.weights.get(issue, 0.0) * profile.evaluations.get(issue, {}).get(value, 0.0)


def import_genius(domain: str | Path, profile_a: str | Path, profile_b: str | Path,
                  names: tuple[str, str] | None = None) -> Instance:
    """An instance from a GENIUS (.xml) or GeniusWeb (.json) domain and two profiles."""
    domain, profile_a, profile_b = Path(domain), Path(profile_a), Path(profile_b)
    as_json = domain.suffix.lower() == ".json"
    space = (json_domain if as_json else xml_domain)(domain)
    read = json_profile if as_json else xml_profile
    profiles = [read(profile_a, space), read(profile_b, space)]
    ids = list(names) if names else [_side_id(p.name, k) for k, p in enumerate(profiles)]
    if ids[0] == ids[1]:
        ids = [ids[0] + "_a", ids[1] + "_b"]
    issues = space.issues
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
