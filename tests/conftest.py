"""Shared fixtures: small instances in table form, written as real workbooks, and a CLI runner."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.io.workbook import write_tables

ROOT = Path(__file__).resolve().parents[1]

FAST_SCALE = 0.2
"""The share of the property tests' examples the fast loop (``-m "not slow"``) draws."""


def pytest_configure(config):
    """Register the ``slow`` marker's meaning, and scale the fast loop's property tests.

    ``python -m pytest -m "not slow"`` leaves out the tests marked slow and draws
    :data:`FAST_SCALE` of every property test's examples, unless ``PLANNER_TEST_SCALE`` is
    set (e.g. 20 for a long hunt before a release).
    """
    if "not slow" in (config.getoption("markexpr") or "") and "PLANNER_TEST_SCALE" not in os.environ:
        os.environ["PLANNER_TEST_SCALE"] = str(FAST_SCALE)


def examples(n: int) -> int:
    """``n`` property-test examples scaled by ``PLANNER_TEST_SCALE`` (at least one)."""
    return max(1, int(n * float(os.environ.get("PLANNER_TEST_SCALE", "1"))))


def small_tables() -> dict:
    """A valid two-side instance: H with three groups in one body, F autonomous."""
    return {
        "Sides": [{"side": "H", "name": "Home"}, {"side": "F", "name": "Foreign"}],
        "Issues": [{"issue": "i1"}, {"issue": "i2"}],
        "Options": [
            {"issue": "i1", "option": "a"}, {"issue": "i1", "option": "b"},
            {"issue": "i2", "option": "a"}, {"issue": "i2", "option": "b"},
        ],
        "Groups": [
            {"side": "H", "group": "g1", "weight": 1},
            {"side": "H", "group": "g2", "weight": 1},
            {"side": "H", "group": "g3", "weight": 1},
        ],
        "Utilities": [
            {"holder": "H", "issue": "i1", "option": "b", "value": 5},
            {"holder": "H", "issue": "i2", "option": "b", "value": 5},
            {"holder": "g1", "issue": "i1", "option": "b", "value": 3},
            {"holder": "g1", "issue": "i2", "option": "b", "value": -1},
            {"holder": "g2", "issue": "i1", "option": "b", "value": -1},
            {"holder": "g2", "issue": "i2", "option": "b", "value": 3},
            {"holder": "g3", "issue": "i1", "option": "b", "value": -1},
            {"holder": "g3", "issue": "i2", "option": "b", "value": -1},
        ],
    }


@pytest.fixture
def tables():
    return copy.deepcopy(small_tables())


@pytest.fixture
def workbook(tmp_path):
    """Write table-form sheets as a real .xlsx and return its path."""

    def write(tables: dict, name: str = "case.xlsx") -> Path:
        path = tmp_path / name
        write_tables(tables, path)
        return path

    return write


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m planner ARGS`` as a user would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


@pytest.fixture
def cli():
    return run_cli


def solve_json(path: Path, *extra: str) -> dict:
    proc = run_cli("solve", path, "--json", "-", "--no-workbook", *extra)
    assert proc.returncode in (0, 3), proc.stderr
    return json.loads(proc.stdout)


def instance_from(tables: dict, name: str = "case"):
    """Build an Instance from table form, as the JSON reader does."""
    from planner.io.excel_read import tables_from_rows
    from planner.io.tables import build_instance

    return build_instance(tables_from_rows(copy.deepcopy(tables)), name)
