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


# -- the shapes that circulate ------------------------------------------------------------------
def _value(inst, side, issue, option):
    return inst.value(side, issue, option)


def test_genius_reads_only_an_issues_direct_items_as_genius_does():
    """Car-domain style profiles carry similarity functions with items of their own (other evaluations, values not
    in the domain); GENIUS's EvaluatorDiscrete.loadFromXML reads only the issue's direct items, and so does the import.
    The integer issue is scored as EvaluatorInteger does: offset + slope * (v - lowerbound), clipped to [0, 1]."""
    inst = import_genius(DATA / "bike_domain.xml", DATA / "bike_buyer.xml", DATA / "bike_seller.xml")
    assert [i.name for i in inst.issues] == ["Frame", "Colour", "Warranty"]
    assert inst.issue("Warranty").option_ids == ("1", "2", "3")
    buyer = {("Frame", "Steel"): 0.5 * 2 / 8, ("Frame", "Aluminium"): 0.5 * 6 / 8, ("Frame", "Carbon"): 0.5,
             ("Colour", "Red"): 0.2 * 1 / 4, ("Colour", "Black"): 0.2,
             ("Warranty", "1"): 0.3 * 0.3, ("Warranty", "2"): 0.3 * 0.7, ("Warranty", "3"): 0.3 * 1.0}
    seller = {("Frame", "Steel"): 0.6, ("Frame", "Aluminium"): 0.3, ("Frame", "Carbon"): 0.06,
              ("Colour", "Red"): 0.3, ("Colour", "Black"): 0.0,  # evaluation "null" is none; the 7 nested is not read
              ("Warranty", "1"): 0.1, ("Warranty", "2"): 0.05, ("Warranty", "3"): 0.0}
    for side, expected in (("bike_buyer", buyer), ("bike_seller", seller)):
        for (issue, option), v in expected.items():
            assert _value(inst, side, issue, option) == pytest.approx(v), (side, issue, option)
    assert inst.side("bike_buyer").reservation == 0.4 and inst.side("bike_seller").reservation == 0.25


@pytest.mark.parametrize("seller, dealer", [("bike_seller.json", "bike_dealer.json")])
def test_geniusweb_reads_both_serialisations_number_issues_and_missing_reservation_bids(seller, dealer):
    """discreteutils/numberutils (copies of the ANAC domains) and DiscreteValueSetUtilities/NumberValueSetUtilities
    (GeniusWeb's own); a number-valued issue from a range; reservation bids present, absent and null.
    GeniusWeb scores a bid as the sum of weight x value utility, a number value's utility linear between the two ends."""
    inst = import_genius(DATA / "bike_domain.json", DATA / "bike_buyer.json", DATA / seller)
    assert inst.side_ids == ("buyer", "seller")
    buyer = {("Frame", "Steel"): 0.125, ("Colour", "Black"): 0.2, ("Warranty", "1"): 0.3 * 0.3,
             ("Warranty", "2"): 0.3 * 0.65, ("Warranty", "3"): 0.3}
    sell = {("Frame", "Aluminium"): 0.3, ("Colour", "Black"): 0.06, ("Warranty", "1"): 0.1, ("Warranty", "2"): 0.05,
            ("Warranty", "3"): 0.0}
    for side, expected in (("buyer", buyer), ("seller", sell)):
        for (issue, option), v in expected.items():
            assert _value(inst, side, issue, option) == pytest.approx(v), (side, issue, option)
    assert inst.side("buyer").reservation == pytest.approx(0.5 * 0.25 + 0.2 * 0.25 + 0.3 * 0.65)
    assert inst.side("seller").reservation == 0.0  # no reservation bid
    other = import_genius(DATA / "bike_domain.json", DATA / dealer, DATA / seller)
    assert other.side("dealer").reservation == 0.0  # "reservationBid": null
    assert _value(other, "dealer", "Warranty", "2") == pytest.approx(0.2 * 0.45)
    assert _value(other, "dealer", "Colour", "Red") == pytest.approx(0.2)


def test_every_shape_imports_as_a_workbook_the_planner_solves(tmp_path, cli):
    for files in (("bike_domain.xml", "bike_buyer.xml", "bike_seller.xml"),
                  ("bike_domain.json", "bike_buyer.json", "bike_dealer.json")):
        out = tmp_path / f"{files[1]}.xlsx"
        proc = cli("import-genius", *(DATA / f for f in files), "-o", out)
        assert proc.returncode == 0, proc.stderr
        result = planner.solve(planner.read_workbook(out))
        assert result.status in ("optimal", "no_agreement")


def _bad(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("profile, message", [
    ({"issueUtilities": {"Frame": {"discreteutils": {"valueUtilities": {"Steel": "high"}}}}},
     "party1.json: LinearAdditiveUtilitySpace.issueUtilities.Frame.discreteutils.valueUtilities.Steel: a number (got 'high')"),
    ({"issueUtilities": {"Frame": [0.1, 0.2]}},
     "party1.json: LinearAdditiveUtilitySpace.issueUtilities.Frame: an object of value utilities (got a list)"),
    ({"issueWeights": {"Frame": float("nan"), "Colour": 0.2, "Warranty": 0.3}},
     "party1.json: LinearAdditiveUtilitySpace.issueWeights.Frame: a number (got NaN)"),
    ({"issueWeights": {"Frame": float("inf"), "Colour": 0.2, "Warranty": 0.3}},
     "party1.json: LinearAdditiveUtilitySpace.issueWeights.Frame: a number (got Infinity)"),
    ({"issueUtilities": {"Frame": {"someutils": {}}}},
     "party1.json: LinearAdditiveUtilitySpace.issueUtilities.Frame: one of DiscreteValueSetUtilities"),
    ({"reservationBid": {"issuevalues": {"Frame": ["Steel"]}}},
     "party1.json: LinearAdditiveUtilitySpace.reservationBid.issuevalues.Frame: a value (a text) (got a list)"),
])
def test_bad_geniusweb_content_is_a_located_error_with_exit_status_2(tmp_path, cli, profile, message):
    space = json.loads((DATA / "bike_buyer.json").read_text())["LinearAdditiveUtilitySpace"]
    for key, value in profile.items():
        space[key] = {**space[key], **value} if key != "reservationBid" else value
    bad = _bad(tmp_path, "party1.json", json.dumps({"LinearAdditiveUtilitySpace": space}))
    proc = cli("import-genius", DATA / "bike_domain.json", bad, DATA / "bike_seller.json", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("edit, message", [
    (('value="0.5"', 'value="NaN"'), "bike_buyer.xml: issue 'Frame' weight: a number (got 'NaN')"),
    (('evaluation="6"', 'evaluation="six"'), "bike_buyer.xml: issue 'Frame' item 'Aluminium' evaluation: a number"),
    (('<weight index="2" value="0.2"/>', ""), "bike_buyer.xml: issue 'Colour': a <weight index='2'> beside the issue"),
    (('name="Colour"', 'name="Color"'), "bike_buyer.xml: issue 'Color': an issue of the domain"),
])
def test_bad_genius_content_is_a_located_error_with_exit_status_2(tmp_path, cli, edit, message):
    bad = _bad(tmp_path, "bike_buyer.xml", (DATA / "bike_buyer.xml").read_text().replace(*edit, 1))
    proc = cli("import-genius", DATA / "bike_domain.xml", bad, DATA / "bike_seller.xml", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_xml_entities_are_refused(tmp_path, cli):
    """defusedxml: an entity expansion (a billion laughs) is refused before it grows, whatever the expat version."""
    bomb = _bad(tmp_path, "bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<utility_space><reservation value="&b;"/></utility_space>')
    proc = cli("import-genius", DATA / "bike_domain.xml", bomb, DATA / "bike_seller.xml", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and "without entities" in proc.stderr and "Traceback" not in proc.stderr
