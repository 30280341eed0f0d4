"""The case library (spreadsheets/cases/): each case solves and reproduces the facts it is built on."""

from __future__ import annotations

import json

import planner
from planner.evaluate import Deal, body_passes, evaluate
from planner.model import Body, Member

from .conftest import ROOT

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
