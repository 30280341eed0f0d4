"""One deadline for a whole run: ``--time-limit`` covers reading, building, presolve and every
solve, and a run returns within a second of it (the large generated instance; 10,000 issues)."""

from __future__ import annotations

import contextlib
import io
import json
import random
import time

import pytest

from planner import deadline
from planner.cli import main
from planner.errors import DeadlinePassed
from planner.formulation.presolve import pickable_options
from planner.generate import generate, random_instance
from planner.io.workbook import write_instance
from planner.model import Rule

SLACK = 1.0
"""Seconds a run may take beyond its time limit (measured from the command's start, in this process)."""


def _solve(path, limit, *extra) -> tuple[int, dict, float, str]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["solve", str(path), "--time-limit", str(limit), "--no-workbook", "--json", "-", *extra])
    return code, json.loads(out.getvalue()), time.perf_counter() - started, err.getvalue()


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """The large generated instance (``planner generate --kind random --size large``), as a workbook and as JSON."""
    folder = tmp_path_factory.mktemp("large")
    instance = generate("random", "large", 1)
    write_instance(instance, folder / "large.json")
    write_instance(instance, folder / "large.xlsx")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_the_large_instance_returns_within_a_second_of_its_time_limit(large, suffix):
    code, data, seconds, err = _solve(large / f"large{suffix}", 5)
    assert seconds <= 5 + SLACK, seconds
    assert code == 3 and data["status"] == "unknown" and "Traceback" not in err
    assert data["package"] == {} and data["objective_value"] is None
    assert any("time limit" in n for n in data["notes"]), data["notes"]


@pytest.mark.slow
def test_a_time_limit_that_ends_while_reading_gives_an_unknown_result_saying_so(large):
    code, data, seconds, err = _solve(large / "large.xlsx", 1)
    assert seconds <= 1 + SLACK, seconds
    assert code == 3 and data["status"] == "unknown" and data["instance"] == "large"
    assert data["notes"] == [n for n in data["notes"] if "the time limit ended while" in n and "reading" in n
                             or "checking the workbook" in n] != []
    assert {"format", "status", "objective", "objective_value", "home_side", "package", "payments", "transfers",
            "negotiators", "groups", "bodies", "ratified", "mip_gap", "solve_seconds"} <= set(data)
    assert "unknown: the time limit ended while" in err


@pytest.mark.slow
def test_ten_thousand_issues_with_a_ten_second_limit_return_within_eleven_seconds(tmp_path):
    path = tmp_path / "wide.json"
    write_instance(random_instance(10_000, 2, 5, 1), path)
    code, data, seconds, err = _solve(path, 10)
    assert seconds <= 10 + SLACK, seconds
    assert "Traceback" not in err
    assert data["status"] in ("optimal", "feasible", "unknown")
    assert code == (3 if data["status"] == "unknown" else 0)
    if data["status"] == "unknown":
        assert "unknown: " in err  # the summary says why: the time limit, before a deal or a proof
    else:
        assert len(data["package"]) == 10_000


def test_a_count_of_packages_too_long_to_print_is_written_as_a_power_of_ten(tmp_path):
    """4^10,000 has 6,021 digits; Python refuses to print integers of more than 4,300."""
    from planner.report.terminal import count_text

    assert count_text(65_536) == "65,536"
    assert count_text(4**10_000) == "about 10^6,020"
    assert count_text(2**60) == "about 1.15e18"
    path = tmp_path / "wide.json"
    write_instance(random_instance(10_000, 4, 1, 1), path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", str(path), "--json", "-"]) == 0
    assert json.loads(out.getvalue())["packages"] is None  # beyond any float


# -- the presolve of Rules ------------------------------------------------------------------------
def _reference(instance) -> set:
    """The propagation pickable_options computes, by its definition: repeat until nothing changes."""
    alive = set(instance.option_keys())
    conflicts = {k: set() for k in alive}
    for r in instance.rules:
        a, b = r.pair
        if r.kind == "excludes":
            conflicts[a].add(b)
            conflicts[b].add(a)
        else:
            for o in instance.issue(b[0]).options:
                if (b[0], o.id) != b:
                    conflicts[a].add((b[0], o.id))
                    conflicts[(b[0], o.id)].add(a)
    changed = True
    while changed:
        changed = False
        for k in sorted(alive):
            for issue in instance.issues:
                if issue.id != k[0] and all((issue.id, o.id) not in alive or (issue.id, o.id) in conflicts[k]
                                            for o in issue.options):
                    alive.discard(k)
                    changed = True
                    break
    return alive


def test_pickable_options_propagates_the_rules_as_defined():
    rng = random.Random(19)
    for seed in range(600):
        instance = random_instance(rng.randint(1, 5), rng.randint(1, 3), 1, seed)
        keys = list(instance.option_keys())
        rules = [Rule(rng.choice(("requires", "excludes")), *rng.choice(keys), *rng.choice(keys))
                 for _ in range(rng.randint(0, 8))]
        instance = instance.replace(rules=tuple(rules))
        assert pickable_options(instance) == _reference(instance), rules


def test_pickable_options_costs_nothing_without_rules_and_little_with_a_few():
    """It was quadratic in the issues even without Rules: 40 s for 4,000 issues."""
    wide = random_instance(10_000, 4, 1, 1)
    started = time.perf_counter()
    assert len(pickable_options(wide)) == 40_000
    # o0 of every even issue requires two options of the next issue: it can never be picked
    rules = tuple(Rule("requires", f"i{k}", "o0", f"i{k + 1}", o) for k in range(0, 2_000, 2) for o in ("o1", "o2"))
    assert len(pickable_options(wide.replace(rules=rules))) == 40_000 - 1_000
    assert time.perf_counter() - started < 2.0


def test_pickable_options_stops_at_the_deadline():
    wide = random_instance(2_000, 4, 1, 1)
    rules = tuple(Rule("excludes", f"i{k}", "o0", f"i{k + 1}", "o0") for k in range(1_999))
    with deadline.until(time.perf_counter() - 1), pytest.raises(DeadlinePassed, match="presolving the Rules"):
        pickable_options(wide.replace(rules=rules * 5))


# -- the deadline itself --------------------------------------------------------------------------
def test_the_earlier_of_two_deadlines_holds_and_none_means_none():
    now = time.perf_counter()
    assert deadline.at() is None and deadline.left() is None
    deadline.check("nothing")  # no deadline: every check passes
    with deadline.until(now + 100):
        with deadline.until(now + 200):
            assert deadline.at() == now + 100
        with deadline.until(None):
            assert deadline.at() == now + 100
        with deadline.until(now - 1), pytest.raises(DeadlinePassed, match="the time limit ended while testing"):
            deadline.check("testing")
    assert deadline.at() is None


def test_a_step_that_cannot_check_is_given_up_on_at_the_deadline_or_not_started():
    assert deadline.call(lambda: 7, "adding") == 7
    with deadline.until(time.perf_counter() + 0.2):
        started = time.perf_counter()
        with pytest.raises(DeadlinePassed, match="sleeping"):
            deadline.call(lambda: time.sleep(3), "sleeping")
        assert time.perf_counter() - started < 1.0
    with deadline.until(time.perf_counter() + 60):
        with pytest.raises(ZeroDivisionError):
            deadline.call(lambda: 1 / 0, "dividing")  # its own exception comes through
        with pytest.raises(DeadlinePassed, match="left too little time to wait an hour"):
            deadline.ahead(3600, "wait an hour")
        deadline.ahead(0.0, "do nothing")
