"""--time-limit on a hard instance: a deal with its gap, or unknown (exit 3), within the limit
plus a small overhead (the limit counts from the start of ``planner solve``)."""

from __future__ import annotations

import contextlib
import io
import json
import time

import pytest

from planner.cli import main
from planner.generate import random_instance
from planner.io.workbook import write_instance

from .conftest import run_cli

LIMIT = 2.0
OVERHEAD = 1.5
"""Seconds beyond the limit allowed in this process: answering, evaluating and writing (documented: 0.5 s)."""
STARTUP = 4.0
"""Seconds more for a fresh Python process to import planner, Pyomo and HiGHS (about 2 s)."""


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    """A medium random instance (30 issues of 6 options, 100 groups a side): never proven within seconds."""
    path = tmp_path_factory.mktemp("hard") / "medium.json"
    write_instance(random_instance(30, 6, 100, 1), path)
    return path


def _solve(path, *extra):
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["solve", str(path), "--time-limit", str(LIMIT), "--no-workbook", "--json", "-", "-q", *extra])
    return code, json.loads(out.getvalue()), time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--objective", "nash"), ("--objective", "kalai"), ("--top", "3"),
                                   ("--objective", "maxmin")], ids=["own", "nash", "kalai", "top3", "maxmin"])
def test_a_hard_instance_stops_at_the_limit(hard, extra):
    code, data, seconds = _solve(hard, *extra)
    assert seconds <= LIMIT + OVERHEAD, seconds
    assert data["status"] in ("feasible", "unknown", "optimal")
    assert code == (3 if data["status"] == "unknown" else 0)
    if data["status"] == "feasible":
        assert data["mip_gap"] is not None and data["package"]
    if data["status"] == "unknown":
        assert data["package"] == {} and data["objective_value"] is None


def test_kalai_without_an_ideal_point_in_time_is_unknown_not_no_agreement(hard):
    """The ideal point's solves stop at the limit: that proves nothing, so the answer is unknown."""
    code, data, _ = _solve(hard, "--objective", "kalai", "--time-limit", "0.5")
    assert data["status"] == "unknown" and code == 3
    assert any("time limit" in n for n in data["notes"])


@pytest.mark.slow
def test_the_limit_holds_for_a_whole_process(hard):
    started = time.perf_counter()
    proc = run_cli("solve", hard, "--time-limit", LIMIT, "--no-workbook", "--json", "-")
    seconds = time.perf_counter() - started
    assert proc.returncode in (0, 3) and "Traceback" not in proc.stderr
    assert seconds <= LIMIT + OVERHEAD + STARTUP, seconds
    assert json.loads(proc.stdout)["status"] in ("feasible", "unknown", "optimal")
