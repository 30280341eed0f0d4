"""The Pareto frontier against the non-dominated set of all feasible deals, found by enumeration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from planner.analysis.frontier import pareto_frontier
from planner.evaluate import evaluate

from .conftest import examples
from .oracle import best_deal
from .strategies import instances
from .test_top import each_package


def nondominated(points):
    pts = set(points)
    return {p for p in pts if not any(q != p and q[0] >= p[0] and q[1] >= p[1] for q in pts)}


@settings(max_examples=examples(40), deadline=None)
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


@pytest.mark.slow
def test_frontier_on_a_trillion_packages_is_traced_and_plotted(tmp_path):
    """10^12 packages cannot be listed: the frontier still is exact, and no sampled deal lies beyond it."""
    import numpy as np

    from planner.analysis.winset import ratifying
    from planner.formulation.coefficients import negotiator_linear
    from planner.model import Body, Group, Instance, Issue, Member, Option, Settings, Side
    from planner.report.plots import save_figure, utility_space_figure
    from planner.solving import bounding

    rng = np.random.default_rng(5)
    issues = tuple(Issue(f"i{k}", f"i{k}", tuple(Option(f"o{j}", f"o{j}") for j in range(10))) for k in range(12))
    holders = ("A", "B", "a1", "b1")
    utilities = {h: {(i.id, o.id): float(rng.integers(0, 10)) for i in issues for o in i.options} for h in holders}
    groups = (Group("a1", "A", "a1", reservation=60.0), Group("b1", "B", "b1", reservation=60.0))
    bodies = tuple(Body(s, s, (Member(g, 1.0),), default=True) for s, g in (("A", "a1"), ("B", "b1")))
    inst = Instance((Side("A", "A"), Side("B", "B")), issues, groups, bodies, utilities, Settings("A"), name="trillion")
    assert inst.package_count == 10**12
    frontier = pareto_frontier(inst, "A", "B")
    assert frontier.complete and len(frontier.points) > 5
    xs = [p.home_utility for p in frontier.points]
    ys = [p.other_utility for p in frontier.points]
    assert xs == sorted(xs, reverse=True) and ys == sorted(ys) and len(set(ys)) == len(ys)
    grid = np.stack([rng.integers(0, 10, 50_000) for _ in issues], axis=1).astype(np.int32)
    ok = np.logical_and.reduce(list(ratifying(inst, grid).values()))
    sampled = bounding.values(inst, [negotiator_linear(inst, "A"), negotiator_linear(inst, "B")], grid[ok])
    assert len(sampled) > 100
    for x, y in sampled:
        assert any(px >= x - 1e-9 and py >= y - 1e-9 for px, py in zip(xs, ys)), (x, y)
    figures = save_figure(utility_space_figure(inst, frontier, {}), tmp_path / "trillion")
    assert all(f.stat().st_size > 1000 for f in figures)
