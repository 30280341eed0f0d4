"""GENIUS and GeniusWeb import: scored as GENIUS does, written as a workbook the planner solves."""

from __future__ import annotations

import itertools
import json
import math

import pytest

import planner
from planner.evaluate import negotiator_package_value
from planner.io.genius import import_genius

from .conftest import ROOT

DATA = ROOT / "tests" / "data" / "genius"


def test_xml_values_are_weight_times_evaluation_over_the_issue_best():
    inst = import_genius(DATA / "party_domain.xml", DATA / "party_a.xml", DATA / "party_b.xml")
    assert inst.side_ids == ("party_a", "party_b") and not inst.groups
    assert [i.name for i in inst.issues] == ["Food", "Music"]
    assert inst.value("party_a", "Food", "Finger-Food") == pytest.approx(0.75 * 4 / 8)
    assert inst.value("party_a", "Music", "MP3") == pytest.approx(0.25 * 1 / 5)
    assert inst.value("party_b", "Food", "Catering") == pytest.approx(0.4 * 1 / 10)
    assert inst.side("party_a").reservation == 0.3 and inst.side("party_b").reservation == 0.2
    # every package's utility is GENIUS's: best package worth 1 to each party
    best = max(negotiator_package_value(inst, "party_a", dict(zip(("Food", "Music"), combo)))
               for combo in itertools.product(["Chips_and_Nuts", "Finger-Food", "Catering"], ["MP3", "Band"]))
    assert best == pytest.approx(1.0)


def test_json_and_xml_give_the_same_case():
    xml = import_genius(DATA / "party_domain.xml", DATA / "party_a.xml", DATA / "party_b.xml")
    web = import_genius(DATA / "party_domain.json", DATA / "party_a.json", DATA / "party_b.json")
    for side in xml.side_ids:
        for issue, option in xml.option_keys():
            assert web.value(side, issue, option) == pytest.approx(xml.value(side, issue, option))
    # GeniusWeb's reservation is the utility of the reservation bid: Finger-Food + MP3 for party_a
    assert web.side("party_a").reservation == pytest.approx(0.75 * 0.5 + 0.25 * 0.2)
    assert web.side("party_b").reservation == 0.0


def test_import_command_writes_a_workbook_the_planner_solves(tmp_path, cli):
    out = tmp_path / "party.xlsx"
    proc = cli("import-genius", DATA / "party_domain.xml", DATA / "party_a.xml", DATA / "party_b.xml", "-o", out)
    assert proc.returncode == 0, proc.stderr
    result = planner.solve(planner.read_workbook(out))
    inst = result.instance
    # the Nash bargaining solution over the 6 packages, by hand
    products = {}
    for combo in itertools.product(*(i.option_ids for i in inst.issues)):
        package = dict(zip((i.id for i in inst.issues), combo))
        gains = [negotiator_package_value(inst, s.id, package) - s.reservation for s in inst.sides]
        if all(g > 0 for g in gains):
            products[combo] = math.prod(gains)
    assert result.objective == "nash"
    assert result.objective_value == pytest.approx(max(products.values()), rel=1e-6)
    assert cli("import-genius", DATA / "party_domain.xml", DATA / "party_a.xml", DATA / "party_b.xml", "-o", out).returncode == 2


def test_bad_genius_files_are_clear_errors(tmp_path, cli):
    broken = tmp_path / "broken.xml"
    broken.write_text("<utility_space><issue")
    proc = cli("import-genius", broken, DATA / "party_a.xml", DATA / "party_b.xml", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and "invalid XML" in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"something": 1}))
    proc = cli("import-genius", DATA / "party_domain.json", bad, DATA / "party_b.json", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and "LinearAdditiveUtilitySpace" in proc.stderr
