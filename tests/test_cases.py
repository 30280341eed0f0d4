"""The case library (spreadsheets/cases/): each case solves and reproduces the facts it is built on."""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter

import pytest

import planner
from planner.evaluate import Deal, body_passes, evaluate
from planner.model import Body, Member

from . import oracle
from .conftest import ROOT, instance_from

PANAMA = ROOT / "spreadsheets" / "cases" / "panama1978.xlsx"


def test_panama_the_senate_needs_two_thirds_of_those_present_68_passes_and_66_does_not():
    senate = next(b for b in planner.read_instance(PANAMA).bodies if b.id == "senate")
    assert senate.total_weight == 100

    def with_yes(n):
        split = Body(senate.id, senate.side, (Member("yes", n), Member("no", 100 - n)), senate.threshold, senate.rule)
        return body_passes(split, {"yes": True, "no": False})

    assert with_yes(68) and with_yes(67) and not with_yes(66)


def test_panama_the_reservation_buys_the_last_votes_and_the_leadership_reservation_keeps_panama(cli):
    inst = planner.read_instance(PANAMA)
    bare = evaluate(inst, Deal({"intervention": "none"}))
    assert bare.votes["senate"].yes_weight == 66 and not bare.votes["senate"].passed
    alone = evaluate(inst, Deal({"intervention": "deconcini"}))
    assert alone.votes["senate"].passed and not alone.ratified["PAN"]
    proc = cli("solve", PANAMA, "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "optimal" and result["package"] == {"intervention": "deconcini_leadership"}
    assert result["bodies"]["senate"]["yes_weight"] == 68 and all(result["ratified"].values())


def test_panama_about_sheet_cites_its_sources_and_marks_judgement():
    source = json.loads((ROOT / "spreadsheets" / "source" / "panama1978.json").read_text())
    about = " ".join(str(v) for row in source["sheets"]["About"] for v in row.values())
    assert "Article II, Section 2" in about and "68 votes to 32" in about and "ILLUSTRATIVE" in about


EU = ROOT / "spreadsheets" / "cases" / "eu_council_trade.xlsx"


def test_eu_council_three_large_members_alone_cannot_block_four_can():
    council = next(b for b in planner.read_instance(EU).bodies if b.id == "council")
    against = {"DE", "FR", "IT"}
    assert body_passes(council, {m.group: m.group not in against for m in council.members})
    assert not body_passes(council, {m.group: m.group not in against | {"ES"} for m in council.members})
    assert sum(m.weight for m in council.members if m.group in against) > 35  # population enough, members too few


def test_eu_council_a_blocking_minority_shapes_the_package(cli):
    inst = planner.read_instance(EU)
    assert not evaluate(inst, Deal({"agriculture": "full", "investment": "court"})).ratified["EU"]
    proc = cli("solve", EU, "--json", "-", "--no-workbook")
    result = json.loads(proc.stdout)
    assert result["package"] == {"agriculture": "quotas", "investment": "court"} and all(result["ratified"].values())
    power = cli("power", EU, "--no-workbook", "--no-deal", "--json", "-")
    rows = json.loads(power.stdout)["power"]
    assert max(rows, key=lambda r: r["shapley_shubik"])["group"] == "DE"
    assert min(rows, key=lambda r: r["shapley_shubik"])["group"] == "MT"


def test_eu_about_sheet_cites_the_treaty_and_the_population_figures():
    source = json.loads((ROOT / "spreadsheets" / "source" / "eu_council_trade.json").read_text())
    about = " ".join(str(v) for row in source["sheets"]["About"] for v in row.values())
    assert "Article 16(4)" in about and "451,028,881" in about and "ILLUSTRATIVE" in about


# -- Brexit 2019: the Commons after the 2017 election and the Council's Article 50 majority ---------
BREXIT = ROOT / "spreadsheets" / "cases" / "brexit2019.xlsx"
FIRST_VOTE = {"backstop": "uk_wide", "customs": "free_trade_area", "declaration": "as_agreed", "referendum": "none"}
SECOND_VOTE = {**FIRST_VOTE, "backstop": "uk_wide_assured"}
THIRD_VOTE = {**SECOND_VOTE, "declaration": "withdrawal_only"}
SEATS_2017 = {"Conservative": 317, "Labour": 262, "SNP": 35, "Liberal Democrat": 12, "DUP": 10, "Sinn Féin": 7,
              "Plaid Cymru": 4, "Green": 1, "Independent": 1, "Speaker": 1}
"""House of Commons Library, Briefing Paper CBP-7979."""


def _source(case: str) -> dict:
    return json.loads((ROOT / "spreadsheets" / "source" / f"{case}.json").read_text(encoding="utf-8"))["sheets"]


def _about(case: str) -> str:
    return " ".join(str(v) for row in _source(case)["About"] for v in row.values())


def _party() -> dict[str, str]:
    return {g["group"]: g["party"] for g in _source("brexit2019")["Groups"] if g["side"] == "UK"}


def _commons_vote(inst, package):
    """The Commons' yes votes and the Conservatives voting no (members of the body who do not support)."""
    evaluation = evaluate(inst, Deal(package))
    commons = next(b for b in inst.bodies if b.id == "commons")
    party = _party()
    tories_against = sum(m.weight for m in commons.members
                         if party[m.group] == "Conservative" and not evaluation.supports[m.group])
    return evaluation.votes["commons"], tories_against


def _only(tables: dict, keep) -> dict:
    """The table-form instance with only the options ``keep(issue, option)`` accepts."""
    out = copy.deepcopy(tables)
    out.pop("About")
    out["Options"] = [r for r in out["Options"] if keep(r["issue"], r["option"])]
    out["Utilities"] = [r for r in out["Utilities"] if keep(r["issue"], r["option"])]
    return out


def test_brexit_the_commons_has_the_2017_seats_and_a_working_majority_of_320():
    seats = Counter()
    for g in _source("brexit2019")["Groups"]:
        if g["side"] == "UK":
            seats[g["party"]] += g["weight"]
    assert seats == SEATS_2017 and sum(seats.values()) == 650
    inst = planner.read_instance(BREXIT)
    commons = next(b for b in inst.bodies if b.id == "commons")
    non_voting = {g for g, p in _party().items() if p in ("Sinn Féin", "Speaker")} | {"deputy_speaker_con", "deputy_speakers_lab"}
    assert commons.total_weight == 639 and not non_voting & {m.group for m in commons.members}

    def with_yes(n):
        split = Body(commons.id, commons.side, (Member("yes", n), Member("no", 639 - n)), commons.threshold, commons.rule)
        return body_passes(split, {"yes": True, "no": False})

    assert with_yes(320) and not with_yes(319)


def test_brexit_the_three_meaningful_votes_fail_with_the_factions_stated_positions():
    inst = planner.read_instance(BREXIT)
    first, against_first = _commons_vote(inst, FIRST_VOTE)
    assert not first.passed and abs(first.yes_weight - 202) <= 5 and against_first == 118
    second, against_second = _commons_vote(inst, SECOND_VOTE)
    assert not second.passed and abs(second.yes_weight - 242) <= 5 and against_second == 75
    assert not _commons_vote(inst, THIRD_VOTE)[0].passed
    no_deal_receded = inst.with_group("con_late_brexiteers", reservation=6.5)
    third, against_third = _commons_vote(no_deal_receded, THIRD_VOTE)
    assert not third.passed and abs(third.yes_weight - 286) <= 5 and against_third == 34


def test_brexit_no_payment_the_budget_allows_carries_the_first_vote_package():
    tables = _source("brexit2019")
    first_only = instance_from(_only(tables, lambda issue, option: FIRST_VOTE[issue] == option))
    assert oracle.winset_counts(first_only)["UK"] == 0
    assert oracle.winset_counts(instance_from(_only(tables, lambda i, o: True)))["UK"] > 0  # the helper keeps what it should


def test_brexit_what_would_have_passed_the_northern_ireland_backstop_with_money_for_leave_seats(cli):
    inst = planner.read_instance(BREXIT)
    proc = cli("solve", BREXIT, "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    best = oracle.best_deal(inst)
    assert result["status"] == "optimal" and result["objective_value"] == pytest.approx(best.value)
    assert result["package"] == best.package == {**FIRST_VOTE, "backstop": "ni_only"}
    assert [(p["to"], p["amount"]) for p in result["payments"]] == [("lab_leave_seats", pytest.approx(1.0))]
    assert result["bodies"]["commons"]["yes_weight"] == 329 and all(result["ratified"].values())
    time_limited = evaluate(inst, Deal({**FIRST_VOTE, "backstop": "time_limited"}))
    assert time_limited.votes["commons"].passed and not time_limited.ratified["EU"] and not time_limited.level_one["EU"]


def test_brexit_without_the_northern_ireland_backstop_nothing_passes_and_the_cross_party_package_is_one_short():
    red_line = instance_from(_only(_source("brexit2019"), lambda issue, option: option != "ni_only"))
    assert not oracle.best_deal(red_line).feasible
    cross_party = {"backstop": "uk_wide_assured", "customs": "customs_union", "declaration": "rights_guarantees",
                   "referendum": "confirmatory"}
    vote, _ = _commons_vote(planner.read_instance(BREXIT), cross_party)
    assert vote.yes_weight == 319 and not vote.passed


def test_brexit_the_council_concludes_by_the_article_50_majority_and_ireland_alone_cannot_block():
    council = next(b for b in planner.read_instance(BREXIT).bodies if b.id == "council")
    smallest = [m.group for m in sorted(council.members, key=lambda m: m.weight)]

    def passes(against):
        return body_passes(council, {m.group: m.group not in against for m in council.members})

    assert len(council.members) == 27 and council.block_min is None
    assert passes({"IE"}) and passes(set(smallest[:7])) and not passes(set(smallest[:8]))  # 20 of 27 members
    assert not passes({"DE", "FR", "IT", "ES", "PL"})  # 66 % of the population


def test_brexit_about_sheet_cites_its_sources_and_marks_judgement():
    about = _about("brexit2019")
    for fact in ("CBP-7979", "Division 293", "Division 354", "Division 395", "202 votes to 432", "Article 238(3)(b)",
                 "Article 50(4)", "abstentionist", "ILLUSTRATIVE"):
        assert fact in about, fact


# -- Kestrel Bay: a six-party scorable game, five of six including two vetoes -----------------------
KESTREL = ROOT / "spreadsheets" / "cases" / "kestrel_bay.xlsx"
VETOES = {"DEV", "licensing"}


def _kestrel_scores():
    """Each party's score table and BATNA, read from the source (the developer is side DEV)."""
    sheets = _source("kestrel_bay")
    batna = {g["group"]: g["reservation"] for g in sheets["Groups"]}
    batna["DEV"] = next(s["reservation"] for s in sheets["Sides"] if s["side"] == "DEV")
    scores = {p: {} for p in batna}
    for row in sheets["Utilities"]:
        scores[row["holder"]][row["issue"], row["option"]] = row["value"]
    issues = [i["issue"] for i in sheets["Issues"]]
    options = [[o["option"] for o in sheets["Options"] if o["issue"] == i] for i in issues]
    packages = [dict(zip(issues, combo)) for combo in itertools.product(*options)]
    return scores, batna, packages


def _acceptors(scores, batna, package) -> set[str]:
    return {p for p in batna if sum(scores[p].get(pair, 0) for pair in package.items()) >= batna[p]}


def _passes_the_rule(acceptors: set[str]) -> bool:
    return len(acceptors) >= 5 and VETOES <= acceptors


def test_kestrel_the_workbook_encodes_five_of_six_including_both_vetoes():
    scores, batna, packages = _kestrel_scores()
    assert len(batna) == 6 and len(packages) == 432
    inst = planner.read_instance(KESTREL)
    passing = [p for p in packages if _passes_the_rule(_acceptors(scores, batna, p))]
    for package in packages:
        assert evaluate(inst, Deal(package)).feasible == (package in passing), package
    sizes = Counter(len(_acceptors(scores, batna, p)) for p in passing)
    assert (len(passing), sizes[5], sizes[6]) == (49, 31, 18)  # as the About sheet says


def test_kestrel_a_package_that_loses_a_veto_party_fails():
    scores, batna, packages = _kestrel_scores()
    inst = planner.read_instance(KESTREL)
    for veto in VETOES:
        five_without = [p for p in packages if len(a := _acceptors(scores, batna, p)) >= 5 and veto not in a]
        assert five_without, veto
        for package in five_without:
            assert not evaluate(inst, Deal(package)).feasible


def test_kestrel_the_solved_deal_is_the_developers_best_passing_package(cli):
    scores, batna, packages = _kestrel_scores()
    proc = cli("solve", KESTREL, "--json", "-", "--no-workbook")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    acceptors = _acceptors(scores, batna, result["package"])
    assert result["status"] == "optimal" and _passes_the_rule(acceptors) and acceptors == set(batna) - {"trust"}

    def developer(p):
        return sum(scores["DEV"][pair] for pair in p.items())

    passing = [p for p in packages if _passes_the_rule(_acceptors(scores, batna, p))]
    best = max(map(developer, passing))
    assert [p for p in passing if developer(p) == best] == [result["package"]]  # the one best package
    assert result["objective_value"] == best == oracle.best_deal(planner.read_instance(KESTREL)).value
    assert max(map(developer, packages)) == 100 and not _passes_the_rule(_acceptors(scores, batna, max(packages, key=developer)))


def test_kestrel_about_sheet_says_it_is_fictional_and_explains_the_encoding():
    about = _about("kestrel_bay")
    assert "FICTIONAL" in about and "five of six" in about and "veto" in about and "unanimity" in about
