"""Tying hands: the spatial example with a known answer, and the sweep against fresh solves."""

from __future__ import annotations

import math

import pytest

import planner
from planner.analysis.schelling import tie_hands, tightened
from planner.model import Body, Group, Instance, Issue, Member, Option, Settings, Side

GRID = [round(k / 100, 2) for k in range(101)]


def spatial(l: float) -> Instance:
    """One issue x in [0, 1] (status quo 0); executive at 0.4 and foreign side at 1 with quadratic utilities;
    a legislature with ideal point l that accepts exactly [0, 2l]."""
    options = tuple(Option(f"x{k:03d}", str(x)) for k, x in enumerate(GRID))
    issue = Issue("x", "x", options)
    utilities = {
        "H": {("x", o.id): -(x - 0.4) ** 2 for o, x in zip(options, GRID)},
        "F": {("x", o.id): -(x - 1.0) ** 2 for o, x in zip(options, GRID)},
        "L": {("x", o.id): -(x - l) ** 2 for o, x in zip(options, GRID)},
    }
    sides = (Side("H", "executive", reservation=-0.16), Side("F", "foreign", reservation=-1.0))
    legislature = Group("L", "H", "legislature", reservation=-(l ** 2))
    body = Body("H", "H", (Member("L", 1.0),), default=True)
    return Instance(sides, (issue,), (legislature,), (body,), utilities, Settings("H", "nash"), name=f"spatial_{l}")


def chosen_x(result) -> float:
    return float(result.instance.issue("x").options[int(result.package["x"][1:])].label)


@pytest.mark.parametrize("l", [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4])
def test_nash_outcome_follows_min_half_and_twice_the_legislature(l):
    result = planner.solve(spatial(l), objective="nash")
    assert result.status == "optimal"
    assert chosen_x(result) == pytest.approx(min(0.5, 2 * l), abs=1e-9)


def test_tightening_the_legislature_moves_the_nash_deal_as_theory_says():
    base = spatial(0.3)
    table = tie_hands(base, "H", "reservation", step=0.01, steps=12)
    for row in table.itertuples(index=False):
        reservation = -(0.3 ** 2) + row.change
        half_width = math.sqrt(max(0.0, -reservation))
        accepted = [x for x in GRID if -(x - 0.3) ** 2 >= reservation - 1e-6]
        assert row.winset_packages == len(accepted)
        products = {x: (0.16 - (x - 0.4) ** 2) * (1 - (x - 1) ** 2) for x in accepted}
        products = {x: p for x, p in products.items() if 0.16 - (x - 0.4) ** 2 > 1e-6 and 1 - (x - 1) ** 2 > 1e-6}
        if not products:
            assert row.status == "no_agreement"
            continue
        best = max(products, key=products.get)
        assert row.status == "optimal"
        assert float(base.issue("x").options[int(row.x[1:])].label) == best
        assert 0.3 + half_width >= best - 1e-9
    # the executive first gains from tied hands (the deal moves from 0.5 towards its ideal 0.4)
    executive = list(table["U_H"])
    assert max(executive) > executive[0] + 1e-6


def test_each_step_equals_a_fresh_solve_of_the_changed_instance():
    from .conftest import ROOT

    bonn = planner.read_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")
    table = tie_hands(bonn, "FRG", "threshold", step=0.1, steps=5)
    assert table["winset_packages"].is_monotonic_decreasing
    assert table["status"].iloc[-1] == "no_agreement" or len(table) == 6
    for row in table.itertuples(index=False):
        fresh = planner.solve(tightened(bonn, "FRG", "threshold", row.change), objective="nash")
        assert fresh.status == row.status
        if fresh.has_deal:
            assert fresh.objective_value == pytest.approx(row.objective_value, rel=1e-6)


def test_schelling_command(tmp_path, cli):
    import json
    import shutil

    from .conftest import ROOT

    case = tmp_path / "bonn1978.xlsx"
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", case)
    proc = cli("schelling", case, "--side", "FRG", "--parameter", "reservation", "--step", "0.25", "--steps", "6",
               "--json", tmp_path / "s.json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "s.json").read_text())["steps"]
    assert rows[0]["winset_packages"] == 8 and rows[-1]["status"] == "no_agreement"
    assert (tmp_path / "bonn1978-schelling.xlsx").exists() and (tmp_path / "bonn1978-schelling.png").exists()
    assert cli("schelling", case, "--side", "Mars").returncode == 2
