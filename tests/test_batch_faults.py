"""Batches under faults: killed workers and parents, limits set too low, two batches on one
folder, new files, stale temporary files, the empty case, a long record, formula-like texts."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from planner.batch import FAILED, JOURNAL, MANIFEST, Record, output_lock, write_summary
from planner.cli import main
from planner.errors import OutputBusy
from planner.generate import random_instance
from planner.io.atomic import clear_stale, write_text
from planner.io.workbook import write_instance

from .conftest import ROOT

psutil = pytest.importorskip("psutil", reason="psutil (installed with the test extra's distributed) finds the workers")


def _batch(*args, env: dict | None = None) -> subprocess.Popen:
    """``planner batch ARGS`` in a process of its own (and a session of its own, to be killed alone)."""
    return subprocess.Popen([sys.executable, "-m", "planner", "batch", *map(str, args), "-q"], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _rows(proc: subprocess.Popen) -> tuple[int, dict]:
    """The exit status and the summary's rows by name (none when the batch was refused; its message in ``proc.message``)."""
    stdout, stderr = proc.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    proc.message = stderr
    return proc.returncode, {r["name"]: r for r in json.loads(stdout)["instances"]} if stdout.strip() else {}


def _worker_of(proc: subprocess.Popen, busy_seconds: float = 1.5, wait: float = 120):
    """The batch's worker process, once it has spent ``busy_seconds`` of CPU (importing and solving)."""
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for child in parent.children():
            with contextlib.suppress(psutil.Error):
                if "resource_tracker" not in " ".join(child.cmdline()) and sum(child.cpu_times()[:2]) > busy_seconds:
                    return child
        time.sleep(0.05)
    raise AssertionError("no worker got busy")


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    """A folder with one medium random instance: HiGHS works on it until the time limit (4 s)."""
    folder = tmp_path_factory.mktemp("hard")
    write_instance(random_instance(30, 6, 100, 1), folder / "medium.json")
    return folder


def _quick(folder: Path, count: int, seed: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        write_instance(random_instance(3, 2, 3, seed + k), folder / f"case{seed + k:03d}.json")


@pytest.mark.slow
def test_a_worker_killed_by_a_signal_is_recorded_and_the_next_run_tries_it_again(hard, tmp_path):
    out = tmp_path / "out"
    command = (hard, "--out", out, "--jobs", 1, "--time-limit", 4, "--retries", 0, "--json", "-")
    proc = _batch(*command)
    _worker_of(proc).kill()  # as the out-of-memory killer would
    code, rows = _rows(proc)
    assert code == 4 and rows["medium.json"]["status"] == "crashed" and "-9" in rows["medium.json"]["error"]
    code, rows = _rows(_batch(*command))
    assert code == 0, rows
    assert rows["medium.json"]["status"] in ("optimal", "feasible", "unknown") and not rows["medium.json"]["skipped"]
    entry = json.loads((out / MANIFEST).read_text())["medium.json"]
    assert [h["status"] for h in entry["history"]] == ["crashed"]  # the history is kept
    assert not (out / JOURNAL).exists()


@pytest.mark.slow
def test_a_crash_is_tried_again_in_the_same_run(hard, tmp_path):
    out = tmp_path / "out"
    proc = _batch(hard, "--out", out, "--jobs", 1, "--time-limit", 4, "--retries", 1, "--json", "-")
    _worker_of(proc).kill()
    code, rows = _rows(proc)
    assert code == 0 and rows["medium.json"]["status"] in ("optimal", "feasible", "unknown")
    assert rows["medium.json"]["attempts"] == 2


@pytest.mark.slow
def test_an_input_error_under_a_reading_limit_too_low_is_solved_once_the_limit_is_raised(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _quick(src, 2)
    command = (src, "--out", out, "--jobs", 1, "--json", "-")
    code, rows = _rows(_batch(*command, "--max-cells", 10))
    assert code == 4 and {r["status"] for r in rows.values()} == {"input_error"}
    assert "--max-cells" in rows["case000.json"]["error"]
    code, rows = _rows(_batch(*command, env={"PLANNER_MAX_CELLS": "10"}))  # the same limit: the outcome stands
    assert code == 4 and all(r["skipped"] for r in rows.values())
    code, rows = _rows(_batch(*command))
    assert code == 0 and {r["status"] for r in rows.values()} == {"optimal"} and not any(r["skipped"] for r in rows.values())
    code, rows = _rows(_batch(*command, "--max-cells", 10))  # a result stands whatever the limits
    assert code == 0 and all(r["skipped"] for r in rows.values())


@pytest.mark.slow
def test_two_batches_on_one_output_folder_lose_nothing(hard, tmp_path):
    out = tmp_path / "out"
    _quick(tmp_path / "a", 12, 0)
    (tmp_path / "a" / "slow.json").write_bytes((hard / "medium.json").read_bytes())  # last, 4 s
    _quick(tmp_path / "b", 12, 100)
    first = _batch(tmp_path / "a", "--out", out, "--jobs", 1, "--time-limit", 4, "--json", "-")
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.result.json"))) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    code, _ = _rows(second := _batch(tmp_path / "b", "--out", out, "--jobs", 1, "--time-limit", 4, "--json", "-"))
    assert first.poll() is None, "the first batch was still running"
    assert code == 2 and "another planner batch" in second.message and "wait for it to end" in second.message
    code, rows = _rows(first)
    assert code == 0 and len(rows) == 13
    code, rows = _rows(_batch(tmp_path / "b", "--out", out, "--jobs", 1, "--time-limit", 4, "--json", "-"))
    assert code == 0 and len(rows) == 12
    manifest = json.loads((out / MANIFEST).read_text())
    assert len(manifest) == 25 and all(e["row"]["status"] not in FAILED for e in manifest.values())
    assert len(list(out.glob("*.result.json"))) == 25


def test_a_second_batch_on_a_held_output_folder_is_refused_with_a_clear_message(tmp_path):
    with output_lock(tmp_path), pytest.raises(OutputBusy, match=rf"another planner batch \(process {os.getpid()}\)"):
        with output_lock(tmp_path):
            pass
    with output_lock(tmp_path):  # released when the first ends
        pass


@pytest.mark.slow
def test_adding_a_file_beside_a_subfolder_leaves_the_other_outputs_alone(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _quick(src / "sub", 2)
    command = (src, "--out", out, "--jobs", 1, "--json", "-")
    assert _rows(_batch(*command))[0] == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.result.json")}
    assert set(before) == {"sub__case000.json.result.json", "sub__case001.json.result.json"}
    _quick(src, 1, 7)
    code, rows = _rows(_batch(*command))
    assert code == 0 and rows["sub__case000.json"]["skipped"] and rows["sub__case001.json"]["skipped"]
    assert not rows["case007.json"]["skipped"]
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.result.json")}
    assert after == {**before, "case007.json.result.json": after["case007.json.result.json"]}  # no stale, none renamed


@pytest.mark.slow
def test_workers_end_with_their_parent(hard, tmp_path):
    out = tmp_path / "out"
    proc = _batch(hard, "--out", out, "--jobs", 1, "--time-limit", 6)
    worker = _worker_of(proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone = time.monotonic() + 2
    while time.monotonic() < gone and worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE:
        time.sleep(0.05)
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
    time.sleep(7)  # the instance would be solved by now
    assert not list(out.glob("*.result.json")) and not list(out.glob(".*.tmp"))


def test_temporary_files_of_killed_writers_are_cleared_and_those_being_written_kept(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(ended.stdout)
    stale = tmp_path / f".x.result.json.{dead}.abcd1234.tmp"
    stale.write_text("{half")
    live = tmp_path / f".y.result.json.{os.getpid()}.abcd1234.tmp"
    live.write_text("{being written")
    unowned = tmp_path / ".z.result.json.abcd1234.tmp"  # written before names carried the writer
    unowned.write_text("{")
    os.utime(unowned, (time.time() - 7200, time.time() - 7200))
    mine = tmp_path / "notes.tmp"
    mine.write_text("the user's")
    assert sorted(p.name for p in clear_stale(tmp_path)) == sorted([stale.name, unowned.name])
    assert live.exists() and mine.exists()
    write_text(tmp_path / "a.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.json", live.name, mine.name])


@pytest.mark.slow
def test_no_temporary_file_survives_the_next_run(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _quick(src, 1)
    out.mkdir()
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for name in ("case000.json.result.json", "summary.csv", "manifest.json"):  # a batch killed while writing each
        (out / f".{name}.{int(ended.stdout)}.q1w2e3r4.tmp").write_text("half")
    assert _rows(_batch(src, "--out", out, "--jobs", 1, "--json", "-"))[0] == 0
    assert not list(out.glob(".*.tmp"))


def test_a_batch_that_finds_nothing_to_solve_says_why(tmp_path):
    _quick(tmp_path / "in", 2)
    for argv, why in ((["batch", tmp_path / "in", "--out", tmp_path / "in"], "lies inside the output folder"),
                      (["batch", ".", "--out", "."], "lies inside the output folder"),
                      (["batch", tmp_path / "empty", "--out", tmp_path / "out"], "no instance files")):
        (tmp_path / "empty").mkdir(exist_ok=True)
        err = io.StringIO()
        cwd = os.getcwd()
        os.chdir(tmp_path / "in")
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main([str(a) for a in argv])
        finally:
            os.chdir(cwd)
        assert code == 2 and why in err.getvalue() and "Traceback" not in err.getvalue(), err.getvalue()


def test_recording_an_instance_costs_the_same_at_the_ten_thousandth_as_at_the_first(tmp_path):
    """The whole manifest was written again after every instance: 46.6 s of writing for 2,000."""
    record = Record(tmp_path)
    entry = {"hash": "0" * 64, "options": {}, "reading": {}, "history": [],
             "row": {"file": "x" * 60, "status": "optimal", "objective_value": 1.5, "seconds": 0.1}}
    spans = []
    for block in range(10):
        started = time.perf_counter()
        for k in range(1_000):
            record.add(f"case{block * 1_000 + k:05d}.json", entry)
        spans.append(time.perf_counter() - started)
    assert not (tmp_path / MANIFEST).exists() and (tmp_path / JOURNAL).exists()  # only the journal grows
    assert spans[-1] < 3 * spans[0] + 0.05, spans
    record.close()
    assert len(json.loads((tmp_path / MANIFEST).read_text())) == 10_000 and not (tmp_path / JOURNAL).exists()


def test_a_journal_left_by_a_killed_batch_is_folded_into_the_manifest(tmp_path):
    record = Record(tmp_path)
    record.add("a.json", {"hash": "1", "row": {"status": "optimal"}})
    record.add("b.json", {"hash": "2", "row": {"status": "optimal"}})
    record._stream.write('["c.json", {"hash": "3", "ro')  # killed in the middle of a line
    record._stream.flush()
    again = Record(tmp_path)
    assert sorted(again.entries) == ["a.json", "b.json"]
    assert sorted(json.loads((tmp_path / MANIFEST).read_text())) == ["a.json", "b.json"]
    assert not (tmp_path / JOURNAL).exists()


def test_formula_like_texts_are_neutralised_in_the_summary_csv(tmp_path):
    rows = [{"file": "=cmd|' /C calc'!A0.json", "name": "@SUM(1+1)", "hash": "+1", "status": "optimal",
             "objective_value": -3.5, "ratified": '=HYPERLINK("http://x"),B', "seconds": 0.1, "error": "\t-2",
             "U_A": -1.0}, {"file": "\r=1", "name": "plain", "hash": "-", "status": "input_error", "error": "fine"}]
    from planner.batch import summary_frame

    write_summary(summary_frame(rows), tmp_path)
    cells = list(csv.reader((tmp_path / "summary.csv").open(newline="")))
    texts = [c for row in cells for c in row if c and not _number(c)]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in texts), texts
    assert "'=HYPERLINK(\"http://x\"),B" in cells[1] and "-3.5" in cells[1]  # numbers stay numbers
    assert pd.read_csv(tmp_path / "summary.csv")["name"].tolist() == ["'@SUM(1+1)", "plain"]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
