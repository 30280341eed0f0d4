"""The same input and options give the same bytes: JSON results (but solve_seconds) whatever
--jobs, on repeated runs and across processes with different hash seeds; workbooks too,
whose dates are fixed."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

import planner
from planner.io.frames import document_time
from planner.io.workbook import write_instance

from .conftest import ROOT, instance_from
from .fuzz import rich_tables


def _without_seconds(text: str) -> str:
    data = json.loads(text)
    data.pop("solve_seconds")
    return json.dumps(data, indent=2)


def _batch(src, out, jobs: int, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run([sys.executable, "-m", "planner", "batch", str(src), "--out", str(out), "--jobs", str(jobs), "-q"],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_results_are_the_same_bytes_whatever_the_jobs_and_the_process(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "spreadsheets" / "bonn1978.xlsx", src / "bonn1978.xlsx")
    shutil.copy(ROOT / "instances" / "parliament_small_s2.json", src / "parliament.json")
    write_instance(instance_from(rich_tables(), "rich"), src / "rich.json")
    from planner.generate import random_instance

    write_instance(random_instance(6, 3, 8, 5).with_settings(objective="nash"), src / "random_nash.json")
    _batch(src, tmp_path / "one", 1, "1")
    _batch(src, tmp_path / "two", 2, "2")
    names = sorted(p.name for p in (tmp_path / "one").glob("*.result.json"))
    assert len(names) == 4
    for name in names:
        one, two = ((tmp_path / d / name).read_text() for d in ("one", "two"))
        assert _without_seconds(one) == _without_seconds(two), name
        assert json.loads(one)["status"] == "optimal"
    # the same bytes from planner solve in this process, twice
    for _ in range(2):
        from planner.cli import main

        target = tmp_path / "solo.json"
        assert main(["solve", str(src / "rich.json"), "--json", str(target), "--no-workbook", "-q"]) == 0
        assert _without_seconds(target.read_text()) == _without_seconds((tmp_path / "one" / "rich.json.result.json").read_text())


@pytest.mark.slow
def test_workbooks_are_the_same_bytes_whenever_they_are_written(tmp_path):
    result = planner.solve(instance_from(rich_tables(), "rich"))
    result = dataclasses.replace(result, solve_seconds=0.0, build_seconds=0.0)
    planner.write_results(result, tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip entries have a resolution of two seconds
    planner.write_results(result, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core
    source = ROOT / "spreadsheets" / "source" / "bonn1978.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for target in ("c.xlsx", "d.xlsx"):
        subprocess.run([sys.executable, "-m", "planner", "convert", str(source), str(tmp_path / target)], env=env,
                       check=True, capture_output=True, timeout=120)
    assert (tmp_path / "c.xlsx").read_bytes() == (tmp_path / "d.xlsx").read_bytes()
    assert planner.read_workbook(tmp_path / "c.xlsx").settings.title


def test_the_document_time_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert document_time().year == 2023
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert document_time().year == 1980
