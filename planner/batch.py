"""Batch solving: folders of instance files, in worker processes, nothing lost.

``run_batch(paths, out_dir)`` solves every ``.xlsx`` and ``.json`` instance under the paths,
each in a long-lived worker process (one HiGHS thread each), and writes per instance
``<name>.result.json`` (the result format) and, on request, a results workbook; then
``summary.csv`` and ``summary.xlsx``. A bad file, a solver failure, a worker that dies and
an instance over ``instance_timeout`` are recorded with their reason and never stop the
batch: the parent kills a worker that overruns and starts a fresh one.

Names. An instance's output name is its path below the folder given on the command line
(``sub/a.xlsx`` gives ``sub__a.xlsx``; a file given by itself, its file name), so adding or
removing other files never renames it. A path that this would not render faithfully
(characters other than letters, digits, ``.``, ``-`` and ``_``, or ``__`` within a part)
gets a short hash of itself; the same path found below two folders given, the later one a
hash of its full path. Names never leave the output folder and never collide.

The record. ``manifest.json`` holds, for every instance finished, its input's content hash,
the options, the reading limits, its summary row and the history of its failed attempts.
While a batch runs, each instance finished is appended to ``manifest.journal`` (one line,
the same cost for the 10,000th as for the first); when the batch ends, or when the next one
starts after a batch was killed, the journal is folded into the manifest.

What runs again. An instance whose recorded outcome still stands is skipped: a result for
the same content and options, or an ``input_error`` for the same content read within the
same limits. A ``crashed``, ``timeout`` or ``solver_error`` instance runs again on every
later run, since its cause may have gone (memory, load, a fixed bug); within a run, a crash
or time-out is tried again up to ``retries`` times, after the other instances.

One batch at a time. A batch holds a lock on its output folder (``.planner-batch.lock``);
a second batch on the same folder is refused (:class:`~planner.errors.OutputBusy`) rather
than let the two overwrite each other's record. Under the lock, temporary files left by
killed processes are removed (:func:`planner.io.atomic.clear_stale`).

Workers. Each worker is started so that it ends with its parent (on Linux the kernel
kills it when the parent dies, however the parent died; elsewhere it checks every half
second), so a killed batch leaves no process writing results it will not record.
A hand-written pool is kept rather than ``concurrent.futures`` or pebble: a worker that
dies breaks a ``ProcessPoolExecutor`` for every task, and neither library ends its workers
with a parent that is killed; here a crash costs only the instance in progress.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from multiprocessing.connection import wait
from pathlib import Path, PurePosixPath

import pandas as pd

from . import deadline
from .errors import DeadlinePassed, OutputBusy, SchedulerUnreachable
from .io.atomic import clear_stale, write_bytes, write_text
from .processes import one_thread_per_worker

SUFFIXES = (".xlsx", ".json")
FAILED = ("input_error", "solver_error", "crashed", "timeout")
"""Summary statuses of instances that did not run to a result."""
RETRIED = ("solver_error", "crashed", "timeout")
"""Failures whose cause may have gone: tried again on every later run."""
RETRIED_AT_ONCE = ("crashed", "timeout")
"""Failures tried again within the run, up to ``retries`` times."""
MANIFEST = "manifest.json"
JOURNAL = "manifest.journal"
LOCK = ".planner-batch.lock"
HISTORY = 20
"""Failed attempts kept per instance in the manifest."""


@dataclass(frozen=True)
class BatchOptions:
    """What every instance is solved with; part of the manifest, so a change re-solves."""

    objective: str | None = None
    time_limit: float | None = None
    instance_timeout: float | None = None
    xlsx: bool = False


@dataclass(frozen=True)
class Source:
    """An instance file found: its resolved path, and its path below the folder given (posix
    form; the file's name when the file itself was given)."""

    path: Path
    below: str


@dataclass(frozen=True)
class Task:
    path: str
    name: str
    digest: str


# -- the instances and their names ----------------------------------------------------------------
def discover(paths: Iterable[str | Path], out_dir: str | Path | None = None) -> list[Source]:
    """Instance files under the paths (folders recursively), in order, without duplicates.

    Files inside ``out_dir`` (a batch's own outputs, when it lies within a searched
    folder) are not instances.
    """
    found: dict[Path, Source] = {}
    outputs = Path(out_dir).resolve() if out_dir is not None else None
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))
                        and (outputs is None or not f.resolve().is_relative_to(outputs))):
                    found.setdefault(f.resolve(), Source(f.resolve(), f.relative_to(p).as_posix()))
        else:
            found.setdefault(p.resolve(), Source(p.resolve(), p.name))
    return list(found.values())


_PLAIN_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def output_names(sources: list[Source]) -> dict[Path, str]:
    """A safe, distinct output stem per instance, from its path below the folder given.

    The parts of the path joined by ``__``; when a part holds other characters than
    letters, digits, ``.``, ``-`` and ``_``, or ``__``, or starts with a dot, the characters
    are replaced and a short hash of the path is added (so ``a b.xlsx`` and ``a_b.xlsx``
    stay apart). A name already taken (the same path below two folders given; names that
    differ only in case) gets a hash of the file's full path. A name depends on no other
    file unless they would collide.
    """
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for s in sources:
        parts = PurePosixPath(s.below).parts
        stem = "__".join(parts)
        if not all(_PLAIN_PART.fullmatch(part) and "__" not in part for part in parts):
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "instance"
            stem = f"{stem}-{_short_hash(s.below)}"
        while stem.lower() in taken:
            stem = f"{stem}-{_short_hash(str(s.path))}"
        taken.add(stem.lower())
        names[s.path] = stem
    return names


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def digest(path: Path) -> str:
    """The SHA-256 of the file's bytes ("missing" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def reading_fingerprint() -> dict:
    """The limits files are read within (:mod:`planner.io.limits`): an input error under other limits is tried again."""
    from .io.limits import current

    return asdict(current())


# -- solving one instance (in a worker) -------------------------------------------------------------
def solve_file(task: Task, out_dir: str, options: BatchOptions) -> dict:
    """Solve one instance file and write its outputs; the summary row (never raises for bad input)."""
    row, outputs = solve_outputs(task, task.path, options)
    for name, data in outputs.items():
        write_bytes(Path(out_dir) / name, data)
    return row


def solve_outputs(task: Task, source: str, options: BatchOptions) -> tuple[dict, dict[str, bytes]]:
    """Solve the instance in ``source`` (the file of ``task``, or a copy of it); its row and output files.

    The outputs (file name -> bytes) are the result JSON and, with ``options.xlsx``, the
    results workbook; nothing is written here. ``options.time_limit`` counts from the start,
    as ``planner solve``'s does: reading, building and every solve share it.
    """
    from . import read_instance, solve, write_results
    from .errors import InputErrors
    from .result import unread_result
    from .solving.options import SolveOptions

    row = {"file": task.path, "name": task.name, "hash": task.digest}
    t0 = time.perf_counter()
    try:
        with deadline.until(t0 + options.time_limit if options.time_limit is not None else None):
            instance = read_instance(source)
    except InputErrors as exc:
        message = exc.message().replace(str(source), task.path)
        return {**row, "status": "input_error", "error": message, "seconds": time.perf_counter() - t0}, {}
    except DeadlinePassed as exc:
        data = unread_result(Path(task.path).stem, f"{exc}; no deal was searched for", options.objective,
                             seconds=time.perf_counter() - t0)
        return _solved(row, data, t0), {f"{task.name}.result.json": _json_bytes(data)}
    limit = options.time_limit if options.time_limit is not None else instance.settings.time_limit
    try:
        result = solve(instance, objective=options.objective, time_limit=options.time_limit,
                       options=SolveOptions(deadline=t0 + limit))
    except Exception as exc:  # a solver failure is this instance's, not the batch's
        return {**row, "status": "solver_error", "error": f"{type(exc).__name__}: {exc}",
                "seconds": time.perf_counter() - t0}, {}
    data = result.to_dict()
    outputs = {f"{task.name}.result.json": _json_bytes(data)}
    if options.xlsx:
        outputs[f"{task.name}-results.xlsx"] = _workbook_bytes(lambda path: write_results(result, path))
    return _solved(row, data, t0), outputs


def _solved(row: dict, data: dict, t0: float) -> dict:
    row = {**row, "status": data["status"], "objective_value": data["objective_value"], "error": None,
           "seconds": time.perf_counter() - t0,
           "ratified": ",".join(s for s, ok in data["ratified"].items() if ok) if data.get("ratified") else ""}
    for side, v in (data.get("negotiators") or {}).items():
        row[f"U_{side}"] = v["utility"]
    return row


def _json_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()


def _workbook_bytes(write: Callable[[Path], None]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        return path.read_bytes()


# -- the batch ---------------------------------------------------------------------------------------
def run_batch(paths: Iterable[str | Path], out_dir: str | Path, options: BatchOptions = BatchOptions(),
              jobs: int | None = None, progress: Callable[[dict], None] | None = None,
              scheduler: str | None = None, retries: int = 1) -> pd.DataFrame:
    """Solve every instance under ``paths`` into ``out_dir``; the summary (one row per instance).

    Instances whose recorded outcome still stands are taken from the manifest, not solved
    again (see the module's docstring); a crash or time-out is tried again up to
    ``retries`` times in this run. ``progress(row)`` is called as each instance finishes.
    With ``scheduler`` (a Dask scheduler's address) the instances are solved on that
    cluster's workers instead of ``jobs`` local processes (:func:`_dispatch_dask`).
    Raises :class:`~planner.errors.OutputBusy` when another batch is writing to ``out_dir``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        clear_stale(out)
        sources = discover(paths, out)
        names = output_names(sources)
        batch = _Batch(out, options, reading_fingerprint(), retries, progress)
        todo = [task for task in (Task(str(s.path), names[s.path], digest(s.path)) for s in sources)
                if not batch.settled(task)]
        try:
            if scheduler is not None:
                _dispatch_dask(todo, out, options, scheduler, batch.finish)
            elif todo:
                _dispatch(todo, out, options, jobs or os.cpu_count() or 1, batch.finish)
        finally:
            batch.record.close()
            clear_stale(out)
            summary = summary_frame([batch.rows[names[s.path]] for s in sources if names[s.path] in batch.rows])
            write_summary(summary, out)
    return summary


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this batch; :class:`~planner.errors.OutputBusy` when another holds it.

    The lock is the operating system's (``flock``; on Windows ``msvcrt.locking``) on
    ``.planner-batch.lock``, so it ends with the process that holds it, however it ends.
    """
    handle = open(out / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 (held open for the batch)
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip()
            raise OutputBusy(f"another planner batch{f' (process {holder})' if holder.isdigit() else ''} is writing to "
                             f"{out}; wait for it to end, or give another --out")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


class Record:
    """The manifest and its journal: what every instance ended with, as of the last instance finished.

    ``entries`` maps output names to ``{"hash", "options", "reading", "row", "history"}``.
    :meth:`add` appends one line to the journal; :meth:`close` folds the journal into the
    manifest (atomically) and removes it. A journal found on opening, left by a batch that
    was killed, is folded in at once; a last line cut short by the kill is ignored.
    """

    def __init__(self, out: Path):
        self.manifest, self.journal = out / MANIFEST, out / JOURNAL
        self.entries = _read_manifest(self.manifest)
        self._stream = None
        self._changed = False
        if self.journal.exists():
            self._changed = _replay(self.journal, self.entries) > 0
            self.close()

    def add(self, name: str, entry: dict) -> None:
        self.entries[name] = entry
        if self._stream is None:
            self._stream = open(self.journal, "a", encoding="utf-8")  # noqa: SIM115 (open until close())
        self._stream.write(json.dumps([name, entry], separators=(",", ":")) + "\n")
        self._stream.flush()
        self._changed = True

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._changed:
            write_text(self.manifest, json.dumps(self.entries, indent=1) + "\n")
            self._changed = False
        self.journal.unlink(missing_ok=True)


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _replay(journal: Path, entries: dict) -> int:
    """Apply the journal's lines to ``entries``; how many were read (up to a line cut short)."""
    n = 0
    try:
        with open(journal, encoding="utf-8") as lines:
            for line in lines:
                try:
                    name, entry = json.loads(line)
                except (ValueError, TypeError):
                    break
                entries[name] = entry
                n += 1
    except OSError:
        pass
    return n


class _Batch:
    """One run's bookkeeping: which instances stand as recorded, attempts, retries, the rows."""

    def __init__(self, out: Path, options: BatchOptions, reading: dict, retries: int, progress):
        self.out, self.options, self.reading, self.retries, self.progress = out, options, reading, retries, progress
        self.fingerprint = asdict(options)
        self.record = Record(out)
        self.rows: dict[str, dict] = {}
        self.attempts: dict[str, int] = {}
        self.failures: dict[str, list[dict]] = {}

    def settled(self, task: Task) -> bool:
        """Whether the recorded outcome stands (then its row is this run's, marked skipped)."""
        done = self.record.entries.get(task.name)
        if not isinstance(done, dict) or not isinstance(done.get("row"), dict) or done.get("hash") != task.digest:
            return False
        status = done["row"].get("status")
        if status in RETRIED:
            return False
        if status == "input_error":
            stands = done.get("reading") == self.reading
        else:
            stands = done.get("options") == self.fingerprint and self._outputs_exist(task.name)
        if stands:
            self.rows[task.name] = {**done["row"], "file": task.path, "skipped": True, "attempts": 0}
            if self.progress is not None:
                self.progress(self.rows[task.name])
        return stands

    def _outputs_exist(self, name: str) -> bool:
        wanted = [f"{name}.result.json"] + ([f"{name}-results.xlsx"] if self.options.xlsx else [])
        return all((self.out / f).exists() for f in wanted)

    def finish(self, task: Task, row: dict) -> bool:
        """Record an attempt at ``task``; False when it is to run again (a crash or time-out with retries left)."""
        n = self.attempts[task.name] = self.attempts.get(task.name, 0) + 1
        if row["status"] in FAILED:
            self.failures.setdefault(task.name, []).append({"status": row["status"], "error": row.get("error")})
            if row["status"] in RETRIED_AT_ONCE and n <= self.retries:
                return False
        row = {**row, "attempts": n}
        previous = self.record.entries.get(task.name)
        history = (previous.get("history", []) if isinstance(previous, dict) else []) + self.failures.pop(task.name, [])
        self.record.add(task.name, {"hash": task.digest, "options": self.fingerprint, "reading": self.reading,
                                    "row": row, "history": history[-HISTORY:]})
        self.rows[task.name] = row
        if self.progress is not None:
            self.progress(row)
        return True


# -- local worker processes -------------------------------------------------------------------------
def _dispatch(todo: list[Task], out: Path, options: BatchOptions, jobs: int, finish) -> None:
    with one_thread_per_worker():
        _dispatch_local(todo, out, options, jobs, finish)


def _worker(conn, out_dir: str, options: BatchOptions, parent: int) -> None:
    _end_with_parent(parent)
    from . import solve  # noqa: F401  (imported before "ready", so a time-out counts solving only)

    conn.send("ready")
    while True:  # ends when the parent stops it, or dies
        conn.send(solve_file(conn.recv(), out_dir, options))


def _end_with_parent(parent: int) -> None:
    """End this process when the process ``parent`` ends, however it ends.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``); a
    parent that died before that was set is noticed at once. Elsewhere a thread checks
    every half second.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="planner-parent-watch").start()


class _Slot:
    """One worker process and the task it is on."""

    def __init__(self, context, out_dir: str, options: BatchOptions):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, out_dir, options, os.getpid()), daemon=True)
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


def _dispatch_local(todo: list[Task], out: Path, options: BatchOptions, jobs: int, finish) -> None:
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(todo))  # popped from the end; a task to try again goes to the front, after the others
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
                    task, s.task = s.task, None
                    if not finish(task, message):
                        queue.insert(0, task)
                elif s.task is not None or not s.process.is_alive():
                    overrun = (s.task is not None and options.instance_timeout is not None
                               and time.monotonic() - s.started > options.instance_timeout)
                    if overrun or not s.process.is_alive():
                        task = s.task
                        failure = _failure(s, options, overrun) if task is not None else None
                        s.stop()
                        clear_stale(out)  # what the worker was writing when it was killed
                        if failure is not None and not finish(task, failure):
                            queue.insert(0, task)
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


# -- a Dask cluster ------------------------------------------------------------------------------------
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
        attempt: dict[str, int] = {}

        def submit(task: Task, data: bytes):
            attempt[task.name] = attempt.get(task.name, 0) + 1
            key = f"planner-{task.name}-{task.digest[:16]}-{attempt[task.name]}"
            future = client.submit(solve_copy, task, data, options, key=key)
            futures[future] = (task, data)
            return future

        for task in todo:
            try:
                data = Path(task.path).read_bytes()
            except OSError as exc:
                finish(task, _failed(task, "input_error", f"{task.path}: cannot read the file ({exc.strerror})"))
                continue
            submit(task, data)
        running = as_completed(list(futures), loop=client.loop)
        for future in running:
            task, data = futures.pop(future)
            try:
                row, outputs = future.result()
            except Exception as exc:  # KilledWorker, or an error outside solve_outputs' own handling
                row, outputs = _crash(task, f"on the Dask cluster: {type(exc).__name__}: {exc}"), {}
            for name, content in outputs.items():
                write_bytes(out / name, content)
            if not finish(task, row):
                running.add(submit(task, data))


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


# -- the summary ---------------------------------------------------------------------------------------
SUMMARY_COLUMNS = ["file", "name", "hash", "status", "objective_value", "ratified", "seconds", "error"]


def summary_frame(rows: list[dict]) -> pd.DataFrame:
    """One row per instance: the fixed columns, each side's negotiator utility (U_<side>),
    ``attempts`` (attempts this run: more than 1 after a crash or time-out was tried again; 0
    when skipped) and ``skipped`` (its recorded outcome stands, taken from the manifest)."""
    frame = pd.DataFrame(rows)
    for c in SUMMARY_COLUMNS + ["attempts", "skipped"]:
        if c not in frame:
            frame[c] = None
    frame["skipped"] = frame["skipped"].astype(object).where(frame["skipped"].notna(), False).astype(bool)
    frame["attempts"] = frame["attempts"].astype(object).where(frame["attempts"].notna(), 0).astype(int)
    utilities = sorted(c for c in frame.columns if c.startswith("U_"))
    return frame[SUMMARY_COLUMNS[:6] + utilities + SUMMARY_COLUMNS[6:] + ["attempts", "skipped"]]


def write_summary(summary: pd.DataFrame, out: Path) -> None:
    """``summary.csv`` (formula-like texts neutralised) and ``summary.xlsx`` (with a bar chart of the status counts)."""
    from openpyxl.chart import BarChart, Reference

    from .io.frames import csv_text, frames_workbook, save_workbook

    with_counts = summary["status"].value_counts().rename_axis("status").reset_index(name="instances")
    write_bytes(out / "summary.csv", csv_text(summary).encode("utf-8"))  # bytes: its CR LF left as they are
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
