"""Naming the numbers of a workbook, and changing them: the parameters of sensitivity studies.

A parameter is written the way an analyst points at a cell:

==========================================  ===============================================
``Sides[US].budget``                        a side's budget, reservation or payment_cost
``Groups[energy].reservation``              a group's weight, reservation, payment_cap or
                                            payment_efficiency
``Bodies[Senate].threshold``                a body's threshold, count_threshold or block_min
``Utilities[energy, oil, full]``            one utility value (holder, issue, option)
``Transfers[US->FRG].max_amount``           a transfer's max_amount, cost or value (the
                                            first transfer from US to FRG)
``Actions[campaign].cost``                  an action's cost, reservation_shift,
                                            utility_shift or max_uses
``Groups[side=US].reservation+``            shift every reservation of a side's groups by
                                            the value
``Bodies[Senate].weight*``                  scale every member's weight in a body by the value
==========================================  ===============================================

Names are matched exactly (ids as in the workbook); an unknown name is refused with the
closest names that exist.

Two properties of a parameter let sweeps work faster without changing any answer:

- its *direction* (:func:`direction`): +1 when raising it only enlarges the set of
  ratifiable deals (a budget, a payment cap, a transfer limit, a payment efficiency, a
  blocking minority), -1 when raising it only shrinks that set (a reservation, a
  threshold), and the objective does not depend on it. Then two points with the same
  optimal value have it at every value between them (:mod:`planner.analysis.sweep`);
- whether the model holds it *in place* (:func:`in_place`): budgets and Level-I
  reservations as mutable parameters, payment caps and transfer limits as variable
  bounds, so one built model serves every point.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from .. import objectives
from ..errors import ParameterError
from ..model import Instance, Member

SIDE_FIELDS = ("budget", "reservation", "payment_cost")
GROUP_FIELDS = ("weight", "reservation", "payment_cap", "payment_efficiency")
BODY_FIELDS = ("threshold", "count_threshold", "block_min")
TRANSFER_FIELDS = ("max_amount", "cost", "value")
ACTION_FIELDS = ("cost", "reservation_shift", "utility_shift", "max_uses")

_NAME = re.compile(r"^\s*(\w+)\s*\[(.+)\]\s*(?:\.\s*(\w+)\s*([+*]?))?\s*$")


_GROWS = {("Sides", "budget"), ("Groups", "payment_cap"), ("Groups", "payment_efficiency"),
          ("Bodies", "block_min"), ("Transfers", "max_amount"), ("Actions", "max_uses")}
_SHRINKS = {("Groups", "reservation"), ("Bodies", "threshold"), ("Bodies", "count_threshold")}
_IN_PLACE = {("Sides", "budget"), ("Groups", "payment_cap"), ("Transfers", "max_amount")}


def parameter_names(instance: Instance) -> list[str]:
    """Every single parameter of the instance (patterns aside), for listing and suggestions."""
    names = [f"Sides[{s.id}].{f}" for s in instance.sides for f in SIDE_FIELDS]
    names += [f"Groups[{g.id}].{f}" for g in instance.groups for f in GROUP_FIELDS]
    names += [f"Groups[side={s.id}].reservation+" for s in instance.sides if instance.groups_of(s.id)]
    names += [f"Bodies[{b.id}].{f}" for b in instance.bodies for f in BODY_FIELDS]
    names += [f"Bodies[{b.id}].weight*" for b in instance.bodies]
    names += [f"Utilities[{h}, {i}, {o}]" for h in instance.utilities for (i, o) in instance.utilities[h]]
    names += [f"Transfers[{t.from_side}->{t.to}].{f}" for t in instance.transfers for f in TRANSFER_FIELDS]
    names += [f"Actions[{a.id}].{f}" for a in instance.actions for f in ACTION_FIELDS]
    return names


def apply(instance: Instance, name: str, value: float) -> Instance:
    """The instance with parameter ``name`` set to (or shifted / scaled by) ``value``."""
    match = _NAME.match(name)
    if not match:
        raise _unknown(instance, name)
    sheet, key, field, op = match.group(1), match.group(2).strip(), match.group(3), match.group(4) or ""
    handler = {"Sides": _sides, "Groups": _groups, "Bodies": _bodies, "Utilities": _utilities,
               "Transfers": _transfers, "Actions": _actions}.get(sheet)
    if handler is None:
        raise _unknown(instance, name)
    return handler(instance, name, key, field, op, float(value))


def check_values(instance: Instance, name: str, values) -> None:
    """Raise :class:`ParameterError` unless the parameter exists and can take every value."""
    for v in values:
        apply(instance, name, v)


def value_of(instance: Instance, name: str) -> float | None:
    """The parameter's value in the instance (0 for a shift, 1 for a scale; None when blank)."""
    match = _NAME.match(name)
    if not match:
        raise _unknown(instance, name)
    sheet, key, field, op = match.group(1), match.group(2).strip(), match.group(3), match.group(4) or ""
    if op:
        apply(instance, name, 0.0 if op == "+" else 1.0)  # checks the name
        return 0.0 if op == "+" else 1.0
    if sheet == "Utilities":
        parts = [p.strip() for p in key.split(",")]
        apply(instance, name, 0.0)
        return instance.value(*parts)
    fields = {"Sides": SIDE_FIELDS, "Groups": GROUP_FIELDS, "Bodies": BODY_FIELDS, "Transfers": TRANSFER_FIELDS,
              "Actions": ACTION_FIELDS}
    items = {"Sides": {s.id: s for s in instance.sides}, "Groups": {g.id: g for g in instance.groups},
             "Bodies": {b.id: b for b in instance.bodies}, "Actions": {a.id: a for a in instance.actions},
             "Transfers": {f"{t.from_side}->{t.to}": t for t in reversed(instance.transfers)}}
    key = key.replace(" ", "") if sheet == "Transfers" else key
    item = items.get(sheet, {}).get(key)
    if item is None or field not in fields.get(sheet, ()):
        raise _unknown(instance, name)
    return getattr(item, field)


def clamped(name: str, value: float) -> float:
    """The nearest value the parameter can take (thresholds in [0, 1], limits and weights >= 0)."""
    sheet, field = _sheet_field(name)
    if field in ("threshold", "count_threshold"):
        return min(1.0, max(0.0, value))
    if field == "block_min":
        return float(max(1, round(value)))
    if field == "max_uses":
        return float(max(0, round(value)))
    if sheet == "Utilities" or field in ("reservation", "reservation_shift", "utility_shift"):
        return value
    return max(0.0, value)


def _sheet_field(name: str) -> tuple[str, str | None]:
    match = _NAME.match(name)
    return (match.group(1), match.group(3)) if match else ("", None)


def direction(name: str, objective: str) -> int:
    """+1 if raising the parameter only adds ratifiable deals, -1 if it only removes them, else 0.

    Nonzero only when the objective's value does not depend on the parameter (never for
    ``kalai``, whose ideal point depends on everything).
    """
    key = _sheet_field(name)
    goal = objectives.of(objective)
    if goal.needs_ideal:
        return 0
    if key in _GROWS:
        return 1
    if key in _SHRINKS:
        return -1
    if key == ("Sides", "reservation") and goal.reservation_free:
        return -1
    return 0


def in_place(name: str, objective: str) -> bool:
    """Whether a built model can take a new value of the parameter without being rebuilt."""
    key = _sheet_field(name)
    goal = objectives.of(objective)
    if goal.needs_ideal:
        return False
    return key in _IN_PLACE or (key == ("Sides", "reservation") and goal.reservation_free)


def _unknown(instance: Instance, name: str) -> ParameterError:
    close = difflib.get_close_matches(name, parameter_names(instance), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see planner.analysis.params for the forms)"
    return ParameterError(f"unknown parameter {name!r}{hint}")


def _need(instance, name, ok: bool) -> None:
    if not ok:
        raise _unknown(instance, name)


def _non_negative(name: str, field: str, value: float) -> None:
    if value < 0:
        raise ParameterError(f"{name}: {field} must be >= 0 (got {value:g})")


def _sides(instance, name, key, field, op, value):
    _need(instance, name, key in instance.side_ids and field in SIDE_FIELDS and not op)
    if field != "reservation":
        _non_negative(name, field, value)
    return instance.with_side(key, **{field: value})


def _groups(instance, name, key, field, op, value):
    if key.startswith("side=") and field == "reservation" and op == "+":
        side = key[5:].strip()
        _need(instance, name, side in instance.side_ids)
        groups = tuple(dataclasses.replace(g, reservation=g.reservation + value) if g.side == side else g
                       for g in instance.groups)
        return instance.replace(groups=groups)
    _need(instance, name, key in {g.id for g in instance.groups} and field in GROUP_FIELDS and not op)
    if field != "reservation":
        _non_negative(name, field, value)
    return instance.with_group(key, **{field: value})


def _actions(instance, name, key, field, op, value):
    _need(instance, name, key in {a.id for a in instance.actions} and field in ACTION_FIELDS and not op)
    if field in ("cost", "max_uses"):
        _non_negative(name, field, value)
    if field == "max_uses":
        if value != int(value):
            raise ParameterError(f"{name}: max_uses must be a whole number (got {value:g})")
        value = int(value)
    if field == "reservation_shift" and key in {a.id for a in instance.actions if a.target in instance.side_ids}:
        raise ParameterError(f"{name}: an action on a negotiator takes no reservation_shift")
    actions = tuple(dataclasses.replace(a, **{field: value}) if a.id == key else a for a in instance.actions)
    return instance.replace(actions=actions)


def _bodies(instance, name, key, field, op, value):
    _need(instance, name, key in {b.id for b in instance.bodies})
    if field == "weight" and op == "*":
        _non_negative(name, "the scale", value)
        body = next(b for b in instance.bodies if b.id == key)
        return instance.with_body(key, members=tuple(Member(m.group, m.weight * value) for m in body.members))
    _need(instance, name, field in BODY_FIELDS and not op)
    if field == "block_min":
        if value < 1 or not float(value).is_integer():
            raise ParameterError(f"{name}: block_min must be a whole number >= 1 (got {value:g})")
        return instance.with_body(key, block_min=int(value))
    if not 0 <= value <= 1:
        raise ParameterError(f"{name}: {field} must be in [0, 1] (got {value:g})")
    return instance.with_body(key, **{field: value})


def _utilities(instance, name, key, field, op, value):
    parts = [p.strip() for p in key.split(",")]
    _need(instance, name, len(parts) == 3 and field is None)
    holder, issue, option = parts
    known = set(instance.side_ids) | {g.id for g in instance.groups}
    _need(instance, name, holder in known and (issue, option) in set(instance.option_keys()))
    return instance.with_utility(holder, issue, option, value)


def _transfers(instance, name, key, field, op, value):
    src, _, dst = key.partition("->")
    matches = [k for k, t in enumerate(instance.transfers) if t.from_side == src.strip() and t.to == dst.strip()]
    _need(instance, name, bool(matches) and field in TRANSFER_FIELDS and not op)
    _non_negative(name, field, value)
    k = matches[0]
    transfers = list(instance.transfers)
    transfers[k] = dataclasses.replace(transfers[k], **{field: value})
    return instance.replace(transfers=tuple(transfers))
