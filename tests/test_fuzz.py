"""A short fuzz of the reader and ``planner solve`` (``tests/fuzz.py``; the long one is ``benchmarks/fuzz.py``).

Every mutated workbook or JSON instance must end in a valid result (exit 0 or 3, a deal the
evaluator finds feasible) or a located error (exit 2): never a traceback, never exit 1,
and the input file is never changed. About 350 cases in this process and a few as real
processes; under a minute on two cores.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, note, settings

from . import fuzz
from .conftest import examples, run_cli

SETTINGS = {"deadline": None, "derandomize": True, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]}


@settings(max_examples=examples(250), **SETTINGS)
@given(case=fuzz.cases())
def test_mutated_inputs_end_in_a_result_or_a_located_error(case, tmp_path_factory):
    outcome = fuzz.run_case(case, tmp_path_factory.mktemp("fuzz"), time_limit=5, workbook=len(case.mutations) % 2 == 0)
    note(f"{outcome.kind} exit {outcome.code}: {outcome.why}\n{outcome.stderr[-3000:]}")
    assert outcome.kind in ("valid", "clean"), outcome.why


@settings(max_examples=examples(100), **SETTINGS)
@given(case=fuzz.cases(forms=("xlsx",), max_mutations=6))
def test_heavily_mutated_workbooks(case, tmp_path_factory):
    outcome = fuzz.run_case(case, tmp_path_factory.mktemp("fuzz"), time_limit=5)
    note(f"{outcome.kind} exit {outcome.code}: {outcome.why}\n{outcome.stderr[-3000:]}")
    assert outcome.kind in ("valid", "clean"), outcome.why


CASES_AS_PROCESSES = [
    fuzz.Case("rich", "xlsx", [fuzz.Mutation("set_cell", {"sheet": 3, "row": 1, "column": 3, "value": "NaN"}),
                               fuzz.Mutation("merge", {"sheet": 3, "row": 0, "col": 0, "h": 2, "w": 2}, "workbook")]),
    fuzz.Case("bonn", "xlsx", [fuzz.Mutation("error_value", {"sheet": 3, "row": 5, "col": 0, "error": "#REF!"}, "bytes")]),
    fuzz.Case("bonn", "xlsx", [fuzz.Mutation("hide", {"sheet": 0, "state": "veryHidden"}, "workbook"),
                               fuzz.Mutation("cached_formula", {"sheet": 4, "row": 2, "col": 0}, "bytes")]),
    fuzz.Case("small", "json", [fuzz.Mutation("set_cell", {"sheet": 0, "row": 0, "column": 0, "value": " H\\u200b "}),
                                fuzz.Mutation("json_shape", {"how": "row_not_object", "sheet": 3, "row": 1, "value": [1]})]),
    fuzz.Case("generated1", "xlsx", [fuzz.Mutation("flip", {"position": 0.5, "count": 4}, "bytes")]),
]


@pytest.mark.slow
def test_fuzz_cases_as_real_processes(tmp_path):
    """The same judgement on a command run as a user runs it: a separate process, exit status and stderr."""
    for k, case in enumerate(CASES_AS_PROCESSES):
        folder = tmp_path / f"case{k}"
        folder.mkdir()
        path, tables = fuzz.write_case(case, folder)
        before = path.read_bytes()
        proc = run_cli("solve", path, "--json", folder / "r.json", "--time-limit", "5")
        assert proc.returncode in (0, 2, 3) and "Traceback" not in proc.stderr, (case, proc.stderr)
        if proc.returncode == 2:
            assert fuzz.located(proc.stderr, path, tables) == "", (case, proc.stderr)
        else:
            assert fuzz.check_result(json.loads((folder / "r.json").read_text()), path, proc.returncode) == ""
        assert path.read_bytes() == before
