"""Terminal renderings of instances and results, from the same plain data as the JSON."""

from __future__ import annotations

import math

from ..formulation.coefficients import voting_groups
from ..model import Instance
from ..result import Result

STATUS_WORDS = {
    "optimal": "optimal (proven within the gap)",
    "feasible": "feasible (time limit reached before the proof; see the gap)",
    "no_agreement": "no agreement: no deal is ratified by every side and meets every negotiator's reservation",
    "unknown": "unknown: the solver stopped before finding a deal or proving there is none",
}


def count_text(n: int) -> str:
    """A count for people: 65,536; beyond 15 digits a power of ten (2^10,000 packages has 3,011
    digits, and Python refuses to print an integer of more than 4,300)."""
    if n < 10**15:
        return f"{n:,}"
    exponent = math.floor(math.log10(n))
    return f"about {n / 10 ** (exponent - 2) / 100:.2f}e{exponent}" if exponent < 300 else f"about 10^{exponent:,}"


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.3f}".rstrip("0").rstrip(".") if abs(x) < 1e12 else f"{x:.3e}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def line(cells) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def describe_instance(instance: Instance) -> str:
    """A short description of an instance (for ``planner check``)."""
    inst = instance
    lines = [
        f"{inst.settings.title or inst.name}: {len(inst.sides)} sides, {len(inst.issues)} issues, "
        f"{count_text(inst.package_count)} packages, {len(inst.groups)} groups, {len(inst.bodies)} bodies",
        f"home side {inst.home}, objective {inst.settings.objective}, time limit {_num(inst.settings.time_limit)} s, "
        f"mip gap {inst.settings.mip_gap:g}",
    ]
    rows = []
    for s in inst.sides:
        groups = inst.groups_of(s.id)
        bodies = ", ".join(f"{b.id} ({body_rule(b)})" for b in inst.bodies_of(s.id)) or "autonomous"
        rows.append([s.id, s.name, str(len(groups)), str(sum(g.veto for g in groups)), bodies, _num(s.reservation),
                     _num(s.budget)])
    lines += [""] + _table(["side", "name", "groups", "vetoes", "bodies", "reservation", "budget"], rows)
    lines += ["", f"{len(inst.links)} links, {len(inst.rules)} rules, {len(inst.transfers)} transfers"]
    return "\n".join(lines)


def body_rule(body) -> str:
    """A body's whole rule in a few words: ``>0.5 of the weight``, with the count threshold and blocking minority."""
    text = f"{'>' if body.rule == 'more_than' else '>='}{body.threshold:g} of the weight"
    if body.count_threshold is not None:
        text += f" and >={body.count_threshold:g} of the members"
    if body.block_min is not None:
        text += f", or fewer than {body.block_min} members voting no"
    return text


def describe_result(result: Result) -> str:
    """The readable summary ``planner solve`` prints."""
    d = result.to_dict()
    inst = result.instance
    lines = [
        f"{d['title'] or d['instance']}: {STATUS_WORDS[d['status']]}",
        f"objective {d['objective']} for home side {d['home_side']}: {_num(d['objective_value'])}"
        + (f"   gap {d['mip_gap']:.2e}" if d["mip_gap"] is not None else "")
        + f"   {d['solve_seconds']:.2f} s",
    ]
    if not result.has_deal:
        if d.get("no_agreement"):
            lines += [""] + d["no_agreement"]["sentences"]
        lines += [f"note: {n}" for n in d["notes"]]
        return "\n".join(lines)
    lines += ["", "Package"]
    lines += _table(
        ["issue", "option"],
        [[inst.issue(i).name, next(o.label for o in inst.issue(i).options if o.id == opt)] for i, opt in d["package"].items()],
    )
    lines += ["", "Negotiators"]
    lines += _table(
        ["side", "utility", "reservation", "ratified"],
        [[s, _num(v["utility"]), _num(v["reservation"]), "yes" if d["ratified"][s] else "NO"]
         for s, v in d["negotiators"].items()],
    )
    if d["bodies"]:
        lines += ["", "Votes"]
        rows = []
        for b, v in d["bodies"].items():
            vote = result.evaluation.votes[b]
            rows.append([b, v["side"], f"{_num(v['yes_weight'])} / {_num(v['total_weight'])}",
                         f"{v['yes_count']} / {v['member_count']}", _num(vote.margin), "passed" if v["passed"] else "FAILED"])
        lines += _table(["body", "side", "yes weight", "yes members", "margin", "result"], rows)
    if d["payments"] or any(t["amount"] for t in d["transfers"]):
        lines += ["", "Side payments"]
        rows = [["payment", p["from"], p["to"], _num(p["amount"])] for p in d["payments"]]
        rows += [["transfer", t["from"], t["to"], _num(t["amount"])] for t in d["transfers"] if t["amount"]]
        lines += _table(["kind", "from", "to", "amount"], rows)
    if d.get("actions"):
        lines += ["", "Actions"] + [f"  {a['sentence']}" for a in d["actions"]]
    if d.get("uncertainty"):
        u = d["uncertainty"]
        chance = u["ratification_probability"]
        lines += ["", f"Ratification over {u['scenarios']} scenarios: {100 * chance['overall']:.1f} % "
                  f"(risk of involuntary defection {100 * (1 - chance['overall']):.1f} %); by side: "
                  + ", ".join(f"{s} {100 * p:.1f} %" for s, p in chance["sides"].items())]
    voting = voting_groups(inst)
    counted = {g: v for g, v in d["groups"].items() if g in voting}
    opposed = [g for g, v in counted.items() if not v["supports"]]
    silent = len(d["groups"]) - len(counted)
    lines += ["", f"{len(counted) - len(opposed)} of {len(counted)} voting groups support the deal"
              + (" in the workbook's own values" if d.get("uncertainty") else "")
              + (f"; opposed: {', '.join(opposed[:12])}{' ...' if len(opposed) > 12 else ''}" if opposed else "")
              + (f" ({silent} {'group that votes' if silent == 1 else 'groups that vote'} in no body not counted)"
                 if silent else "")]
    lines += [f"note: {n}" for n in d["notes"]]
    return "\n".join(lines)


def describe_winsets(instance: Instance, table, joint_empty: bool | None) -> str:
    """The win-set table for the terminal."""
    exact = bool(table["exact"].all())
    lines = [f"{instance.settings.title or instance.name}: win-sets over {count_text(instance.package_count)} packages "
             f"({'exact' if exact else 'estimated from a uniform sample, 95 % intervals'})", ""]
    rows = []
    for r in table.itertuples(index=False):
        share = f"{100 * r.share:.2f} %"
        if not exact:
            share += f" [{100 * r.share_low:.2f}, {100 * r.share_high:.2f}]"
        count = f"{int(r.packages):,}" if exact else f"~{r.packages:,.0f}"
        rows.append([r.side, count, share])
    lines += _table(["side", "packages", "share"], rows)
    if joint_empty is not None:
        lines += ["", "joint win-set empty (exact, by MIP): " + ("yes" if joint_empty else "no")]
    return "\n".join(lines)


def describe_top(frame) -> str:
    """The k best deals for the terminal."""
    return describe_frame(f"The {len(frame)} best deals with distinct packages", frame)


def describe_frame(title: str, frame) -> str:
    """A titled DataFrame as a plain text table."""
    headers = [str(c) for c in frame.columns]
    rows = [[("-" if v != v else _num(v)) if isinstance(v, float) else ("-" if v is None else str(v)) for v in r]
            for r in frame.itertuples(index=False)]  # v != v: NaN, a missing value
    return "\n".join([title] + _table(headers, rows))
