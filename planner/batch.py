"""Batch solving: folders of instance files, in worker processes, nothing lost.

``run_batch(paths, out_dir)`` solves every ``.xlsx`` and ``.json`` instance under the
paths, each in a long-lived worker process (one HiGHS thread each), and writes per
instance ``<name>.result.json`` (the result format) and, on request, a results workbook;
then ``summary.csv`` and ``summary.xlsx``. A bad file, a solver failure, a worker that
dies and an instance over ``instance_timeout`` are recorded with their reason and never
stop the batch: the parent kills a worker that overruns and starts a fresh one.

``manifest.json`` in the output folder records, for every finished instance, its input's
content hash and the options; running the same batch again skips those and redoes
changed ones. Every file is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from multiprocessing.connection import wait
from pathlib import Path

import pandas as pd

from .errors import SchedulerUnreachable
from .io.atomic import write_bytes, write_text
from .processes import one_thread_per_worker

SUFFIXES = (".xlsx", ".json")
FAILED = ("input_error", "solver_error", "crashed", "timeout")
"""Summary statuses of instances that did not run to a result."""
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BatchOptions:
    """What every instance is solved with; part of the manifest, so a change re-solves."""

    objective: str | None = None
    time_limit: float | None = None
    instance_timeout: float | None = None
    xlsx: bool = False


@dataclass(frozen=True)
class Task:
    path: str
    name: str
    digest: str


def discover(paths: Iterable[str | Path], out_dir: str | Path | None = None) -> list[Path]:
    """Instance files under the paths (folders recursively), sorted, without duplicates.

    Files inside ``out_dir`` (a batch's own outputs, when it lies within a searched
    folder) are not instances.
    """
    found: dict[Path, None] = {}
    outputs = Path(out_dir).resolve() if out_dir is not None else None
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))
                        and (outputs is None or not f.resolve().is_relative_to(outputs))):
                    found.setdefault(f.resolve())
        else:
            found.setdefault(p.resolve())
    return list(found)


def output_names(files: list[Path]) -> dict[Path, str]:
    """A safe, distinct output stem per input: its path below the common folder, joined by '__'.

    Only letters, digits, ``-``, ``_`` and ``.`` remain, so a name never leaves the output
    folder; two inputs that would still collide get a short hash of their full path.
    """
    if not files:
        return {}
    common = Path(os.path.commonpath([f.parent for f in files]))
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for f in files:
        rel = f.relative_to(common)
        stem = "__".join(rel.parts[:-1] + (rel.name,))
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip(".") or "instance"
        if stem.lower() in taken:
            stem = f"{stem}-{hashlib.sha256(str(f).encode()).hexdigest()[:8]}"
        taken.add(stem.lower())
        names[f] = stem
    return names


def digest(path: Path) -> str:
    """The SHA-256 of the file's bytes ("missing" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def solve_file(task: Task, out_dir: str, options: BatchOptions) -> dict:
    """Solve one instance file and write its outputs; the summary row (never raises for bad input)."""
    row, outputs = solve_outputs(task, task.path, options)
    for name, data in outputs.items():
        write_bytes(Path(out_dir) / name, data)
    return row


def solve_outputs(task: Task, source: str, options: BatchOptions) -> tuple[dict, dict[str, bytes]]:
    """Solve the instance in ``source`` (the file of ``task``, or a copy of it); its row and output files.

    The outputs (file name -> bytes) are the result JSON and, with ``options.xlsx``, the
    results workbook; nothing is written here.
    """
    from . import read_instance, solve, write_results
    from .errors import InputErrors

    row = {"file": task.path, "name": task.name, "hash": task.digest}
    t0 = time.perf_counter()
    try:
        instance = read_instance(source)
    except InputErrors as exc:
        message = exc.message().replace(str(source), task.path)
        return {**row, "status": "input_error", "error": message, "seconds": time.perf_counter() - t0}, {}
    try:
        result = solve(instance, objective=options.objective, time_limit=options.time_limit)
    except Exception as exc:  # a solver failure is this instance's, not the batch's
        return {**row, "status": "solver_error", "error": f"{type(exc).__name__}: {exc}",
                "seconds": time.perf_counter() - t0}, {}
    data = result.to_dict()
    outputs = {f"{task.name}.result.json": (json.dumps(data, indent=2) + "\n").encode()}
    if options.xlsx:
        outputs[f"{task.name}-results.xlsx"] = _workbook_bytes(lambda path: write_results(result, path))
    row.update(status=data["status"], objective_value=data["objective_value"], error=None,
               seconds=time.perf_counter() - t0,
               ratified=",".join(s for s, ok in data["ratified"].items() if ok) if data.get("ratified") else "")
    for side, v in (data.get("negotiators") or {}).items():
        row[f"U_{side}"] = v["utility"]
    return row, outputs


def _workbook_bytes(write: Callable[[Path], None]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        return path.read_bytes()


def _worker(conn, out_dir: str, options: BatchOptions) -> None:
    from . import solve  # noqa: F401  (imported before "ready", so a time-out counts solving only)

    conn.send("ready")
    while True:  # ends when the parent stops it (or exits: the worker is a daemon)
        conn.send(solve_file(conn.recv(), out_dir, options))


class _Slot:
    """One worker process and the task it is on."""

    def __init__(self, context, out_dir: str, options: BatchOptions):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, out_dir, options), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.task: Task | None = None
        self.started = 0.0

    def give(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(1)
        self.conn.close()


def run_batch(paths: Iterable[str | Path], out_dir: str | Path, options: BatchOptions = BatchOptions(),
              jobs: int | None = None, progress: Callable[[dict], None] | None = None,
              scheduler: str | None = None) -> pd.DataFrame:
    """Solve every instance under ``paths`` into ``out_dir``; the summary (one row per instance).

    Instances finished earlier with the same content and options are taken from the
    manifest, not solved again. ``progress(row)`` is called as each instance finishes.
    With ``scheduler`` (a Dask scheduler's address) the instances are solved on that
    cluster's workers instead of ``jobs`` local processes (:func:`_dispatch_dask`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = discover(paths, out)
    names = output_names(files)
    manifest = _read_manifest(out)
    fingerprint = asdict(options)
    rows: dict[str, dict] = {}
    todo: list[Task] = []
    for f in files:
        task = Task(str(f), names[f], digest(f))
        done = manifest.get(task.name)
        if done and done["hash"] == task.digest and done["options"] == fingerprint and _outputs_exist(out, done["row"]):
            rows[task.name] = {**done["row"], "file": task.path, "skipped": True}
            if progress is not None:
                progress(rows[task.name])
        else:
            todo.append(task)

    def finish(row: dict) -> None:
        rows[row["name"]] = row
        manifest[row["name"]] = {"hash": row["hash"], "options": fingerprint, "row": row}
        write_text(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        if progress is not None:
            progress(row)

    try:
        if scheduler is not None:
            _dispatch_dask(todo, out, options, scheduler, finish)
        else:
            _dispatch(todo, out, options, jobs or os.cpu_count() or 1, finish)
    finally:
        summary = summary_frame([rows[names[f]] for f in files if names[f] in rows])
        write_summary(summary, out)
    return summary


def _dispatch(todo: list[Task], out: Path, options: BatchOptions, jobs: int, finish) -> None:
    with one_thread_per_worker():
        _dispatch_local(todo, out, options, jobs, finish)


def _dispatch_local(todo: list[Task], out: Path, options: BatchOptions, jobs: int, finish) -> None:
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(todo))
    slots = [_Slot(context, str(out), options) for _ in range(min(jobs, len(todo)))]
    try:
        while any(s.task for s in slots) or queue:
            for s in slots:
                if s.ready and s.task is None and queue:
                    s.give(queue.pop())
            ready = wait([s.conn for s in slots] + [s.process.sentinel for s in slots], timeout=0.2)
            for k, s in enumerate(slots):
                message = _receive(s) if s.conn in ready else None
                if message == "ready":
                    s.ready = True
                elif isinstance(message, dict):
                    s.task = None
                    finish(message)
                elif s.task is not None or not s.process.is_alive():
                    overrun = (s.task is not None and options.instance_timeout is not None
                               and time.monotonic() - s.started > options.instance_timeout)
                    if overrun or not s.process.is_alive():
                        if s.task is not None:
                            finish(_failure(s, options, overrun))
                        s.stop()
                        slots[k] = _Slot(context, str(out), options)
    finally:
        for s in slots:
            s.stop()


def _receive(slot: _Slot):
    try:
        return slot.conn.recv()
    except (EOFError, OSError):
        return None


def _failure(slot: _Slot, options: BatchOptions, overrun: bool) -> dict:
    if overrun:
        return _timeout(slot.task, options, time.monotonic() - slot.started)
    return _crash(slot.task, f"the worker process ended (exit code {slot.process.exitcode})", time.monotonic() - slot.started)


def _timeout(task: Task, options: BatchOptions, seconds: float) -> dict:
    return _failed(task, "timeout", f"timeout: stopped after {options.instance_timeout:g} s", seconds)


def _crash(task: Task, why: str, seconds: float | None = None) -> dict:
    return _failed(task, "crashed", f"crashed: {why}", seconds)


def _failed(task: Task, status: str, error: str, seconds: float | None = None) -> dict:
    return {"file": task.path, "name": task.name, "hash": task.digest, "status": status, "error": error, "seconds": seconds}


def _dispatch_dask(todo: list[Task], out: Path, options: BatchOptions, address: str, finish) -> None:
    """Solve the tasks on a Dask distributed cluster; outputs come back and are written here.

    Each task carries its input's bytes, so workers need no shared file system (only
    planner installed). A worker that dies is replaced by Dask and its task retried; a
    task whose workers keep dying is recorded as crashed. The per-instance time-out is
    enforced inside the worker as HiGHS's time limit (a cluster task cannot be killed
    alone); an instance that overruns it is recorded as a timeout.
    """
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise SchedulerUnreachable("Dask distributed is not installed (pip install distributed)") from exc
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        futures = {}
        for task in todo:
            try:
                data = Path(task.path).read_bytes()
            except OSError as exc:
                finish(_failed(task, "input_error", f"{task.path}: cannot read the file ({exc.strerror})"))
                continue
            futures[client.submit(solve_copy, task, data, options, key=f"planner-{task.name}-{task.digest[:16]}")] = task
        for future in as_completed(futures, loop=client.loop):
            task = futures.pop(future)
            try:
                row, outputs = future.result()
            except Exception as exc:  # KilledWorker, or an error outside solve_outputs' own handling
                row, outputs = _crash(task, f"on the Dask cluster: {type(exc).__name__}: {exc}"), {}
            for name, data in outputs.items():
                write_bytes(out / name, data)
            finish(row)


def solve_copy(task: Task, data: bytes, options: BatchOptions) -> tuple[dict, dict[str, bytes]]:
    """Solve an instance sent as bytes (a cluster worker may not see the client's files)."""
    capped = options
    if options.instance_timeout is not None:
        capped = replace(options, time_limit=min(options.time_limit or math.inf, options.instance_timeout))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / Path(task.path).name
        source.write_bytes(data)
        row, outputs = solve_outputs(task, str(source), capped)
    if options.instance_timeout is not None and row["seconds"] > options.instance_timeout:
        return _timeout(task, options, row["seconds"]), {}
    return row, outputs


def _outputs_exist(out: Path, row: dict) -> bool:
    return row.get("status") in FAILED or (out / f"{row['name']}.result.json").exists()


def _read_manifest(out: Path) -> dict:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


SUMMARY_COLUMNS = ["file", "name", "hash", "status", "objective_value", "ratified", "seconds", "error"]


def summary_frame(rows: list[dict]) -> pd.DataFrame:
    """One row per instance: the fixed columns, each side's negotiator utility (U_<side>), and
    ``skipped`` (unchanged since an earlier run, taken from the manifest)."""
    frame = pd.DataFrame(rows)
    for c in SUMMARY_COLUMNS + ["skipped"]:
        if c not in frame:
            frame[c] = None
    frame["skipped"] = frame["skipped"].astype(object).where(frame["skipped"].notna(), False).astype(bool)
    utilities = sorted(c for c in frame.columns if c.startswith("U_"))
    return frame[SUMMARY_COLUMNS[:6] + utilities + SUMMARY_COLUMNS[6:] + ["skipped"]]


def write_summary(summary: pd.DataFrame, out: Path) -> None:
    """``summary.csv`` and ``summary.xlsx`` (with a bar chart of the status counts)."""
    from openpyxl.chart import BarChart, Reference

    from .io.frames import frames_workbook, save_workbook

    with_counts = summary["status"].value_counts().rename_axis("status").reset_index(name="instances")
    write_text(out / "summary.csv", summary.to_csv(index=False))
    wb = frames_workbook({"Summary": summary, "Statuses": with_counts})
    ws = wb["Statuses"]
    if len(with_counts):
        chart = BarChart()
        chart.title = "Instances by status"
        chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(with_counts) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(with_counts) + 1))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        ws.add_chart(chart, "D2")
    save_workbook(wb, out / "summary.xlsx")
