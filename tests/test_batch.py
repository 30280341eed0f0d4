"""Batch solving: a mixed folder, fault isolation, time-outs, resume after a kill, conversion round trips."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings

import planner
from planner.generate import random_instance
from planner.io.workbook import write_instance

from .conftest import ROOT, examples
from .strategies import instances

SLOW = ROOT / "instances" / "random_10x4x20_s101.xlsx"  # about a second or more of HiGHS


def _quick(path):
    """A generated instance that reads and solves in a fraction of a second."""
    write_instance(random_instance(6, 3, 12, 7), path)


def _mixed_folder(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", src / "bonn1978.xlsx")
    _quick(src / "sub" / "random.xlsx")
    write_instance(planner.read_instance(ROOT / "spreadsheets" / "bonn1978.xlsx"), src / "sub" / "bonn.json")
    (src / "corrupt.xlsx").write_bytes(b"not a workbook at all")
    from openpyxl import load_workbook

    _quick(src / "invalid.xlsx")
    wb = load_workbook(src / "invalid.xlsx")
    headers = [c.value for c in wb["Groups"][1]]
    wb["Groups"].cell(row=2, column=headers.index("weight") + 1, value="heavy")
    wb.save(src / "invalid.xlsx")
    write_instance(random_instance(30, 6, 100, 1), src / "slow.json")  # HiGHS needs well over a minute
    return src


@pytest.mark.slow
def test_a_mixed_folder_runs_every_good_instance_and_records_every_bad_one(tmp_path, cli):
    src = _mixed_folder(tmp_path)
    out = tmp_path / "out"
    proc = cli("batch", src, "--out", out, "--instance-timeout", "3", "--jobs", "2", "--json", tmp_path / "b.json", "-q")
    assert proc.returncode == 4, proc.stderr
    rows = {r["name"]: r for r in json.loads((tmp_path / "b.json").read_text())["instances"]}
    assert {r["status"] for r in rows.values()} >= {"optimal", "input_error", "timeout"}
    assert rows["corrupt.xlsx"]["status"] == "input_error" and "not a workbook" in rows["corrupt.xlsx"]["error"]
    assert rows["invalid.xlsx"]["status"] == "input_error" and "Groups!" in rows["invalid.xlsx"]["error"]
    assert "[weight]" in rows["invalid.xlsx"]["error"]
    assert rows["slow.json"]["status"] == "timeout"
    for name, path in (("bonn1978.xlsx", src / "bonn1978.xlsx"), ("sub__bonn.json", src / "sub" / "bonn.json"),
                       ("sub__random.xlsx", src / "sub" / "random.xlsx")):
        single = cli("solve", path, "--json", "-", "--no-workbook", "-q")
        mine = json.loads((out / f"{name}.result.json").read_text())
        theirs = json.loads(single.stdout)
        for d in (mine, theirs):
            d.pop("solve_seconds")
        assert mine == theirs
    summary = (out / "summary.csv").read_text()
    assert summary.count("\n") >= 7 and (out / "summary.xlsx").exists()


@pytest.mark.slow
def test_a_batch_killed_part_way_resumes_without_solving_anything_twice(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for k in range(6):
        _quick(src / f"case{k}.xlsx")
    shutil.copy(SLOW, src / "slow.xlsx")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "planner", "batch", str(src), "--out", str(out), "--jobs", "1", "-q"]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.result.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.result.json")}
    assert 2 <= len(first) < 7
    for p in out.glob("*.result.json"):
        json.loads(p.read_text())  # none truncated
    rerun = subprocess.run(command + ["--json", "-"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    rows = json.loads(rerun.stdout)["instances"]
    assert len(rows) == 7 and all(r["status"] == "optimal" for r in rows)
    assert all(p.stat().st_mtime_ns == first[p.name] for p in out.glob("*.result.json") if p.name in first)
    skipped = {r["name"] for r in rows if r.get("skipped")}
    assert skipped >= {name.removesuffix(".result.json") for name in first}
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_changed_inputs_are_solved_again(tmp_path, cli):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", src / "a.xlsx")
    out = tmp_path / "out"
    assert cli("batch", src, "--out", out, "-q").returncode == 0
    again = cli("batch", src, "--out", out, "--json", "-", "-q")
    assert json.loads(again.stdout)["instances"][0]["skipped"] is True
    changed = cli("batch", src, "--out", out, "--objective", "nash", "--json", "-", "-q")
    assert json.loads(changed.stdout)["instances"][0]["skipped"] is False


def test_bad_batch_usage_exits_2(tmp_path, cli):
    proc = cli("batch", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_output_names_stay_inside_and_never_collide(tmp_path):
    from planner.batch import discover, output_names

    for name in ("a/x.xlsx", "a__x.xlsx", "c d/x.xlsx", "c_d/x.xlsx", "A__X.xlsx", "X.json", "x.json", ".hidden/y.json",
                 "b/../e.json", "=1+1.json"):
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text("{}")
    (tmp_path / "more" / "a").mkdir(parents=True)
    (tmp_path / "more" / "a" / "x.xlsx").write_text("{}")  # the same path below a second folder
    sources = discover([tmp_path / "in", tmp_path / "more"])
    names = output_names(sources)
    assert len(sources) == 11 and len({n.lower() for n in names.values()}) == len(sources)
    assert all("/" not in n and "\\" not in n and not n.startswith((".", "=")) for n in names.values())
    first = {s.below: names[s.path] for s in sources if s.path.is_relative_to(tmp_path / "in")}
    assert first["a/x.xlsx"] == "a__x.xlsx" and first["e.json"] == "e.json"  # plain paths read as they are
    assert first["a__x.xlsx"].startswith("a__x.xlsx-")  # not confused with a/x.xlsx
    assert names[(tmp_path / "more" / "a" / "x.xlsx").resolve()].startswith("a__x.xlsx-")  # the second folder's


def test_output_names_depend_only_on_each_files_path_below_the_folder_given(tmp_path):
    """Adding a file beside a subfolder renamed every output when names came from the inputs' common folder."""
    from planner.batch import discover, output_names

    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for name in ("sub/a.json", "sub/b c.json"):
        (src / name).write_text("{}")
    before = {s.below: n for s in discover([src]) for p, n in output_names(discover([src])).items() if p == s.path}
    (src / "new.json").write_text("{}")
    (src / "other" / "deep").mkdir(parents=True)
    (src / "other" / "deep" / "a.json").write_text("{}")
    after = {s.below: n for s in discover([src]) for p, n in output_names(discover([src])).items() if p == s.path}
    assert before == {k: after[k] for k in before} and before["sub/a.json"] == "sub__a.json"
    assert len(set(after.values())) == 4


@settings(max_examples=examples(25), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(instance=instances())
def test_conversion_round_trips_are_lossless(instance, tmp_path_factory):
    folder = tmp_path_factory.mktemp("convert")
    write_instance(instance, folder / "a.json")
    from_json = planner.read_instance(folder / "a.json")
    write_instance(from_json, folder / "b.xlsx")
    from_xlsx = planner.read_instance(folder / "b.xlsx")
    write_instance(from_xlsx, folder / "c.json")
    from_again = planner.read_instance(folder / "c.json")
    assert _meaning(from_xlsx) == _meaning(from_json) == _meaning(from_again)
    assert _meaning(from_json) == _meaning(instance)


def _meaning(instance):
    """The instance up to what carries no meaning: holders without utility rows (a missing
    value is 0 either way) and the order of the bodies."""
    return instance.replace(name="-", utilities={h: dict(v) for h, v in instance.utilities.items() if v},
                            bodies=tuple(sorted(instance.bodies, key=lambda b: b.id)))


def test_convert_command(tmp_path, cli):
    target = tmp_path / "bonn.json"
    assert cli("convert", ROOT / "spreadsheets" / "bonn1978.xlsx", target).returncode == 0
    assert planner.read_instance(target).replace(name="x") == planner.read_instance(
        ROOT / "spreadsheets" / "bonn1978.xlsx").replace(name="x")
    assert cli("convert", ROOT / "spreadsheets" / "bonn1978.xlsx", target).returncode == 2  # exists
    assert cli("convert", target, tmp_path / "x.csv").returncode == 2


def test_the_json_schema_is_current_and_accepts_written_instances(tmp_path):
    from planner import schema

    committed = json.loads((ROOT / "docs" / "instance.schema.json").read_text())
    assert committed == schema.json_schema(), \
        "regenerate with: python -m planner.schema --json-schema > docs/instance.schema.json"
    import jsonschema
    write_instance(planner.read_instance(ROOT / "spreadsheets" / "bonn1978.xlsx"), tmp_path / "bonn.json")
    jsonschema.validate(json.loads((tmp_path / "bonn.json").read_text()), committed)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"format": 1, "sheets": {"Sides": [{"side": [1]}]}}, committed)


@pytest.mark.slow
def test_a_batch_on_a_dask_cluster_equals_the_local_batch(tmp_path, cli):
    distributed = pytest.importorskip("distributed", reason="Dask distributed is the optional cluster engine")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", src / "bonn1978.xlsx")
    shutil.copy(ROOT / "instances" / "parliament_small_s2.json", src / "parliament.json")
    _quick(src / "random.xlsx")
    (src / "corrupt.xlsx").write_bytes(b"not a workbook at all")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster:
        remote = cli("batch", src, "--out", tmp_path / "dask", "--scheduler", cluster.scheduler_address, "--xlsx",
                     "--json", "-", "-q")
    local = cli("batch", src, "--out", tmp_path / "local", "--jobs", "1", "--xlsx", "--json", "-", "-q")
    assert remote.returncode == local.returncode == 4, remote.stderr
    rows = [{k: v for k, v in r.items() if k != "seconds"} for r in json.loads(remote.stdout)["instances"]]
    assert rows == [{k: v for k, v in r.items() if k != "seconds"} for r in json.loads(local.stdout)["instances"]]
    assert [r["status"] for r in rows].count("optimal") == 3
    for name in ("bonn1978.xlsx", "parliament.json", "random.xlsx"):
        mine, theirs = (json.loads((tmp_path / d / f"{name}.result.json").read_text()) for d in ("dask", "local"))
        mine.pop("solve_seconds"), theirs.pop("solve_seconds")
        assert mine == theirs
        assert (tmp_path / "dask" / f"{name}-results.xlsx").stat().st_size > 0


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, cli):
    pytest.importorskip("distributed", reason="Dask distributed is the optional cluster engine")
    proc = cli("batch", ROOT / "spreadsheets" / "bonn1978.xlsx", "--out", tmp_path / "out", "--scheduler",
               "tcp://127.0.0.1:9", "-q")
    assert proc.returncode == 2 and "cannot reach the Dask scheduler" in proc.stderr
