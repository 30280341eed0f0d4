"""Parameters by name, sweeps against fresh solves of directly changed instances, command-line errors."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import planner
from planner.analysis.params import apply
from planner.analysis.sweep import parse_values, sweep
from planner.errors import ParameterError
from planner.model import Member

from .conftest import ROOT, examples
from .oracle import best_deal
from .strategies import instances


@pytest.fixture(scope="module")
def bonn():
    return planner.read_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")


def test_each_name_changes_exactly_its_number(bonn):
    assert apply(bonn, "Sides[US].budget", 3).side("US").budget == 3
    assert apply(bonn, "Groups[frg_fdp].reservation", 4.9).group("frg_fdp").reservation == 4.9
    assert apply(bonn, "Bodies[us_senate].threshold", 0.75).bodies[0].threshold == 0.75
    assert apply(bonn, "Utilities[frg_fdp, oil, partial]", 2.5).value("frg_fdp", "oil", "partial") == 2.5
    assert apply(bonn, "Transfers[US->JPN].max_amount", 2).transfers[0].max_amount == 2
    shifted = apply(bonn, "Groups[side=FRG].reservation+", 0.5)
    for g in bonn.groups:
        assert shifted.group(g.id).reservation == g.reservation + (0.5 if g.side == "FRG" else 0)
    scaled = apply(bonn, "Bodies[frg_bundestag].weight*", 2)
    body = next(b for b in scaled.bodies if b.id == "frg_bundestag")
    original = next(b for b in bonn.bodies if b.id == "frg_bundestag")
    assert [m.weight for m in body.members] == [2 * m.weight for m in original.members]


@pytest.mark.parametrize("name, hint", [
    ("Sides[USA].budget", "Sides[US].budget"),
    ("Bodies[us_senate].threshhold", "Bodies[us_senate].threshold"),
    ("Groups[frg_fdp].weigth", "Groups[frg_fdp].weight"),
    ("Nonsense", ""),
])
def test_unknown_names_are_refused_with_close_matches(bonn, name, hint):
    with pytest.raises(ParameterError) as info:
        apply(bonn, name, 1)
    assert hint in str(info.value)


def test_values_outside_their_range_are_refused(bonn):
    with pytest.raises(ParameterError, match=r"in \[0, 1\]"):
        apply(bonn, "Bodies[us_senate].threshold", 1.5)
    with pytest.raises(ParameterError, match=">= 0"):
        apply(bonn, "Sides[US].budget", -1)


def test_every_point_equals_a_fresh_solve_of_the_directly_changed_instance(bonn):
    budgets = [0.0, 0.5, 1.0, 1.5]
    shifts = [0.0, 0.5]
    table = sweep(bonn, {"Sides[FRG].budget": budgets, "Groups[side=FRG].reservation+": shifts}, objective="nash")
    assert len(table) == len(budgets) * len(shifts)
    for row in table.to_dict(orient="records"):
        direct = bonn.with_side("FRG", budget=row["Sides[FRG].budget"])
        direct = direct.replace(groups=tuple(
            dataclasses.replace(g, reservation=g.reservation + row["Groups[side=FRG].reservation+"]) if g.side == "FRG" else g
            for g in direct.groups))
        fresh = planner.solve(direct, objective="nash")
        assert fresh.status == row["status"]
        if fresh.has_deal:
            assert fresh.objective_value == pytest.approx(row["objective_value"], rel=1e-6)
            options = {k: v for k, v in row.items() if k.startswith("option_")}
            assert {f"option_{i}": o for i, o in fresh.package.items()} == options


def test_scaled_weights_equal_members_changed_by_hand(bonn):
    table = sweep(bonn, scenarios=[{"Bodies[frg_bundestag].weight*": 3.0}])
    body = next(b for b in bonn.bodies if b.id == "frg_bundestag")
    by_hand = bonn.with_body("frg_bundestag", members=tuple(Member(m.group, 3 * m.weight) for m in body.members))
    assert planner.solve(by_hand).objective_value == pytest.approx(table.loc[0, "objective_value"])


def test_value_ranges():
    assert parse_values("0:1:0.25") == [0, 0.25, 0.5, 0.75, 1]
    assert parse_values("1, 2,5") == [1, 2, 5]
    for bad in ("1:0:1", "0:1:0", "a,b"):
        with pytest.raises(ValueError):
            parse_values(bad)


@pytest.mark.slow
def test_sweep_command(tmp_path, cli):
    import shutil

    case = tmp_path / "bonn1978.xlsx"
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", case)
    proc = cli("sweep", case, "--param", "Sides[US].reservation", "--values", "5,9,9.5", "--json", tmp_path / "s.json", "-q")
    assert proc.returncode == 0, proc.stderr
    points = json.loads((tmp_path / "s.json").read_text())["studies"][0]["rows"]
    assert [p["status"] for p in points] == ["optimal", "optimal", "no_agreement"]
    assert (tmp_path / "bonn1978-sweep.xlsx").exists()
    bad = cli("sweep", case, "--param", "Sides[USA].budget", "--values", "1")
    assert bad.returncode == 2 and "Sides[US].budget" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("sweep", case, "--param", "Sides[US].budget", "--values", "3:1:1").returncode == 2


def test_breakpoints_agree_with_a_fine_grid(bonn):
    from planner.analysis.sweep import breakpoints

    found = breakpoints(bonn, "Groups[side=FRG].reservation+", 0.0, 2.0, tolerance=1e-3)
    fine = sweep(bonn, {"Groups[side=FRG].reservation+": [k / 100 for k in range(201)]})
    options = fine.filter(like="option_").fillna("-").astype(str)
    outcome = list(zip(fine["status"], options.agg("|".join, axis=1)))
    changes = [fine.iloc[k, 0] for k in range(1, len(fine)) if outcome[k] != outcome[k - 1]]
    assert len(found) == len(changes)
    for (_, row), change in zip(found.iterrows(), changes):
        assert row["below"] <= change + 1e-9 and change - 0.01 <= row["above"] + 1e-9
        assert row["above"] - row["below"] <= 1e-3


def test_tornado_agrees_with_direct_solves_and_ranks_by_swing(bonn):
    from planner.analysis.sweep import tornado

    params = {"Sides[US].reservation": 5.0, "Groups[frg_fdp].reservation": 4.5, "Sides[JPN].reservation": 4.5}
    table = tornado(bonn, params, rel=0.2, objective="nash")
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    for row in table.to_dict(orient="records"):
        for side in ("low", "high"):
            direct = planner.solve(apply(bonn, row["parameter"], row[side]), objective="nash").objective_value
            assert direct == pytest.approx(row[f"objective_{side}"], rel=1e-6)


def _swept_parameters(instance) -> list[tuple[str, float]]:
    """Parameters of a random instance whose direction is known, with a base value to sweep around."""
    names = [(f"Sides[{s.id}].budget", s.budget) for s in instance.sides]
    names += [(f"Sides[{s.id}].reservation", s.reservation or 0.0) for s in instance.sides]
    names += [(f"Groups[{g.id}].reservation", g.reservation) for g in instance.groups]
    names += [(f"Groups[{g.id}].payment_cap", g.payment_cap or 1.0) for g in instance.groups]
    names += [(f"Groups[side={s.id}].reservation+", 0.0) for s in instance.sides if instance.groups_of(s.id)]
    names += [(f"Bodies[{b.id}].threshold", b.threshold) for b in instance.bodies]
    names += [(f"Transfers[{t.from_side}->{t.to}].max_amount", t.max_amount) for t in instance.transfers]
    return names


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_sweeps_of_random_instances_equal_the_oracle_at_every_point(data):
    """Inferred points, the shared model and starting deals change no answer: each point equals brute force."""
    objective = data.draw(st.sampled_from(("own", "joint", "maxmin", "nash")))
    instance = data.draw(instances(objective=objective))
    names = _swept_parameters(instance)
    if objective == "nash":  # the oracle prices nash deals without money only
        names = [(n, b) for n, b in names if not n.endswith(("budget", "payment_cap", "max_amount"))]
    name, base = data.draw(st.sampled_from(names))
    if name.endswith("threshold"):
        values = sorted({min(1.0, max(0.0, round(base + d, 3))) for d in (-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3)})
    else:
        values = sorted({max(0.0, base + d) if not name.endswith(("reservation", "reservation+")) else base + d
                         for d in (-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3)})
    table = sweep(instance, {name: values})
    note(f"{name} over {values}")
    for row in table.to_dict(orient="records"):
        changed = apply(instance, name, row[name])
        expected = best_deal(changed)
        assert (row["status"] == "optimal") == (expected.value is not None), row
        if expected.value is not None:
            assert row["objective_value"] == pytest.approx(expected.value, abs=1e-5, rel=1e-6), row


@pytest.mark.slow
def test_a_sweep_split_over_processes_equals_one_process(bonn, monkeypatch):
    import planner.analysis.sweep as sweeping

    grid = {"Utilities[frg_fdp, oil, partial]": [0.0, 2.0, 4.0], "Groups[side=FRG].reservation+": [0.0, 0.5, 1.0, 1.5, 2.0]}
    alone = sweep(bonn, grid, objective="nash", jobs=1)
    monkeypatch.setattr(sweeping, "PARALLEL_AFTER_SECONDS", 0.0)
    shared = sweep(bonn, grid, objective="nash", jobs=2)
    assert list(shared.columns) == list(alone.columns)
    assert list(shared["status"]) == list(alone["status"])
    assert shared["objective_value"].fillna(-1).tolist() == pytest.approx(alone["objective_value"].fillna(-1).tolist())


@pytest.mark.slow
def test_the_sweeps_sheet_runs_in_full_with_charts_heat_map_and_tornado(tmp_path, cli):
    """The bundled case's Sweeps sheet: one sheet per study, native charts, a colour-scale heat map, figures."""
    import shutil

    from openpyxl import load_workbook

    case = tmp_path / "bonn1978.xlsx"
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", case)
    before = case.read_bytes()
    proc = cli("sweep", case, "--json", tmp_path / "s.json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert case.read_bytes() == before
    studies = {s["name"]: s for s in json.loads((tmp_path / "s.json").read_text())["studies"]}
    assert set(studies) == {"us_budget", "bundestag_threshold", "budget_x_threshold", "tornado"}
    budget = studies["us_budget"]["rows"]
    assert len(budget) == 61 and studies["budget_x_threshold"]["parameters"] == [
        "Bodies[frg_bundestag].threshold", "Sides[US].budget"]
    for row in (budget[0], budget[-1]):  # the sweep's home side (FRG) comes from the sheet
        direct = planner.solve(apply(planner.read_workbook(case), "Sides[US].budget", row["Sides[US].budget"]), home="FRG")
        assert direct.objective_value == pytest.approx(row["objective_value"])
    wb = load_workbook(tmp_path / "bonn1978-sweep.xlsx")
    assert wb.sheetnames == ["us_budget", "bundestag_threshold", "budget_x_threshold", "tornado"]
    assert len(wb["us_budget"]._charts) == 1 and len(wb["tornado"]._charts) == 1
    assert len(wb["budget_x_threshold"].conditional_formatting) >= 1
    for name in ("us_budget", "budget_x_threshold", "tornado"):
        assert (tmp_path / f"bonn1978-sweep-{name}.png").stat().st_size > 1000


def test_bad_sweeps_sheet_rows_are_located(tmp_path, cli):
    from openpyxl import load_workbook

    case = tmp_path / "bonn1978.xlsx"
    wb = load_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")
    ws = wb["Sweeps"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("parameter") + 1, value="Sides[USA].budget")
    ws.cell(row=3, column=headers.index("from") + 1, value=2)  # from > to
    ws.cell(row=3, column=headers.index("to") + 1, value=1)
    wb.save(case)
    proc = cli("sweep", case)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Sweeps!B2" in proc.stderr and "Sides[US].budget" in proc.stderr
    assert "Sweeps!D3 [to]: a number >= from (2)" in proc.stderr


def test_tornado_from_the_command_line_and_its_errors(tmp_path, cli):
    import shutil

    case = tmp_path / "bonn1978.xlsx"
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", case)
    proc = cli("sweep", case, "--tornado", "Groups[frg_fdp].reservation", "--tornado", "Sides[US].reservation",
               "--rel", "0.2", "--json", "-", "-q", "--no-figures")
    assert proc.returncode == 0, proc.stderr
    (study,) = json.loads(proc.stdout)["studies"]
    assert study["kind"] == "tornado" and len(study["rows"]) == 2
    bad = cli("sweep", case, "--tornado", "Groups[frg_fdpp].reservation")
    assert bad.returncode == 2 and "Groups[frg_fdp].reservation" in bad.stderr


def test_a_range_that_starts_with_a_minus_is_read_as_values(tmp_path):
    from planner.cli import main

    out = tmp_path / "s.json"
    code = main(["sweep", str(ROOT / "spreadsheets" / "bonn1978.xlsx"), "--param", "Groups[side=FRG].reservation+",
                 "--values", "-1:0:0.5", "--json", str(out), "-q", "--no-figures", "-o", str(tmp_path / "s.xlsx")])
    assert code == 0
    rows = json.loads(out.read_text())["studies"][0]["rows"]
    assert [r["Groups[side=FRG].reservation+"] for r in rows] == [-1.0, -0.5, 0.0]


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances(objective="own"), slack=st.sampled_from([0.0, 0.0, 0.5]))
def test_a_point_between_two_stopped_solves_gets_a_feasible_deal_and_a_true_bound(instance, slack):
    """Ends that stopped with a deal and a loose bound (faked from true solves) give the points between
    a deal that is feasible there, a bound no deal there beats (the oracle's optimum), and a gap no
    wider than the ends'. The swept shift of every reservation of a side only shrinks the feasible
    set, so the lowest end is the permissive one."""
    from planner.analysis.sweep import PointSolver

    name = f"Groups[side={instance.groups[0].side if instance.groups else instance.home}].reservation+"
    values = [-2.0, -1.0, -0.5, 0.0, 1.0]
    points = [{name: v} for v in values]
    solver = PointSolver(instance, points, "own", instance.home, planner.SolveOptions())

    def stopped(value):
        result = solver.at({name: value})
        if not result.has_deal:
            return None
        bound = result.objective_value + slack
        return dataclasses.replace(result, status="feasible", objective_bound=bound,
                                   mip_gap=(bound - result.objective_value) / max(abs(result.objective_value), 1e-9))

    ra, rb = stopped(values[0]), stopped(values[-1])
    if ra is None or rb is None:
        return
    for v in values[1:-1]:
        inferred = solver._bounded({name: v}, ra, rb, -1)
        if inferred is None:
            continue
        changed = apply(instance, name, v)
        assert planner.evaluate(changed, inferred.deal).feasible
        truth = best_deal(changed).value
        note(f"{v}: inferred {inferred.objective_value} bound {inferred.objective_bound} truth {truth}")
        assert inferred.objective_value <= truth + 1e-5 and truth <= inferred.objective_bound + 1e-5
        assert inferred.mip_gap <= max(ra.mip_gap, rb.mip_gap) + 1e-9


def _bonn_with_a_trillion_points(tmp_path):
    """Bonn whose first Sweeps row runs from 0 to 1e12 by 1."""
    from openpyxl import load_workbook

    case = tmp_path / "bonn1978.xlsx"
    wb = load_workbook(ROOT / "spreadsheets" / "bonn1978.xlsx")
    ws = wb["Sweeps"]
    headers = [c.value for c in ws[1]]
    for column, value in (("from", 0), ("to", 1e12), ("step", 1)):
        ws.cell(row=2, column=headers.index(column) + 1, value=value)
    wb.save(case)
    return case


def test_an_oversized_sweep_is_refused_with_its_count_before_memory_grows(tmp_path):
    """One Sweeps row from 0 to 1e12 by 1 took 1.7 GB in 30 s with no message."""
    import tracemalloc

    from planner.analysis.sweep import MAX_POINTS, parse_values
    from planner.analysis.sweeps_sheet import read_studies

    case = _bonn_with_a_trillion_points(tmp_path)
    instance = planner.read_instance(case)
    tracemalloc.start()
    try:
        with pytest.raises(planner.InputErrors) as refused:
            read_studies(case, instance)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6, peak
    message = refused.value.message()
    assert "Sweeps!" in message and "[step]" in message and "1,000,000,000,001 points" in message
    with pytest.raises(ValueError, match=f"at most {MAX_POINTS:,}"):
        parse_values(",".join(["1"] * (MAX_POINTS + 1)))
    assert len(parse_values(f"0:{MAX_POINTS - 1}:1")) == MAX_POINTS


@pytest.mark.slow
def test_the_command_line_refuses_oversized_and_unbounded_sweeps(tmp_path, cli):
    case = _bonn_with_a_trillion_points(tmp_path)
    proc = cli("sweep", case, "--no-figures")
    assert proc.returncode == 2 and "1,000,000,000,001 points" in proc.stderr and "Traceback" not in proc.stderr
    grid = cli("sweep", ROOT / "spreadsheets" / "bonn1978.xlsx", "--param", "Sides[US].budget", "--values", "0:1000:1",
               "--param", "Sides[FRG].budget", "--values", "0:1000:1", "--no-figures")
    assert grid.returncode == 2 and "1,002,001 points" in grid.stderr, grid.stderr
    for spec in ("0:inf:1", "nan:1:1", "0:1e400:1"):
        assert cli("sweep", case, "--param", "Sides[US].budget", "--values", spec, "--no-figures").returncode == 2
