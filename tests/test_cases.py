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
