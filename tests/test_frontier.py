"""The Pareto frontier against the non-dominated set of all feasible deals, found by enumeration."""

from __future__ import annotations

from hypothesis import given, settings

from planner.analysis.frontier import pareto_frontier
from planner.evaluate import evaluate

from .oracle import best_deal
from .strategies import instances
from .test_top import each_package


def nondominated(points):
    pts = set(points)
    return {p for p in pts if not any(q != p and q[0] >= p[0] and q[1] >= p[1] for q in pts)}


@settings(max_examples=40, deadline=None)
@given(instance=instances(objective="own", money=False))
def test_frontier_is_the_nondominated_set_of_feasible_deals(instance):
    home, other = instance.side_ids[:2]
    points = []
    for reduced in each_package(instance):
        a, b = best_deal(reduced, "own", home), best_deal(reduced, "own", other)
        if a.value is not None:
            points.append((round(a.value, 6), round(b.value, 6)))
    frontier = pareto_frontier(instance, home, other)
    assert frontier.complete
    got = {(round(p.home_utility, 6), round(p.other_utility, 6)) for p in frontier.points}
    assert got == nondominated(points)
    for p in frontier.points:
        assert evaluate(instance, p.deal).feasible


def test_frontier_command_writes_workbook_chart_and_figures(tmp_path, cli):
    import json
    import shutil
    import zipfile

    from openpyxl import load_workbook

    from .conftest import ROOT

    case = tmp_path / "bonn1978.xlsx"
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", case)
    proc = cli("frontier", case, "--json", tmp_path / "f.json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "f.json").read_text())
    assert doc["complete"] and [(p["U_US"], p["U_FRG"]) for p in doc["frontier"]] == [(9.0, 7.5), (6.25, 8.0)]
    labels = {row["solution"] for row in doc["bargaining"]}
    assert {"Nash", "Kalai–Smorodinsky", "egalitarian", "utilitarian", "best for US", "best for FRG"} <= labels
    out = tmp_path / "bonn1978-frontier.xlsx"
    assert load_workbook(out).sheetnames == ["Frontier", "Bargaining", "Figure"]
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/") for n in z.namelist())
        assert any(n.startswith("xl/media/") for n in z.namelist())
    for suffix in (".png", ".svg"):
        assert (tmp_path / f"bonn1978-frontier{suffix}").stat().st_size > 1000
    assert cli("frontier", case, "--home", "US", "--other", "US").returncode == 2
