"""One deadline for a whole run: reading, building, presolve and every solve stop at it.

``planner solve --time-limit S`` counts from the start of the command. The deadline is held
in a context variable (:func:`until`), so that the readers, the formulation and the
presolve check it (:func:`check`) without every function between the command and them
passing it on. A check that finds the deadline passed raises
:class:`~planner.errors.DeadlinePassed`, which says what was being done; the solve turns it
into an ``unknown`` answer. HiGHS gets the time left as its own limit.

A step that cannot check the deadline itself either runs through :func:`call` — native
code that touches nothing else, such as the workbook reader's parsing of a sheet, runs in a
helper thread when a deadline is set, so that the run can give up on it at the deadline
(the step still finishes in the background, and its result is dropped) — or is not started
when less time is left than it is expected to take (:func:`ahead`): Pyomo's hand-over of a
built model to HiGHS redirects the process's output while it runs, so it must not be left
running aside.

Without a deadline (the default, and the Python API unless ``SolveOptions.deadline`` is
set) every check passes and :func:`call` runs its function directly.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar, copy_context
from typing import TypeVar

from .errors import DeadlinePassed

_AT: ContextVar[float | None] = ContextVar("planner_deadline", default=None)
T = TypeVar("T")


@contextlib.contextmanager
def until(at: float | None) -> Iterator[None]:
    """Run the block under a deadline (a ``time.perf_counter()`` value; None: none).

    An enclosing deadline that comes earlier still holds.
    """
    outer = _AT.get()
    effective = at if outer is None else outer if at is None else min(at, outer)
    token = _AT.set(effective)
    try:
        yield
    finally:
        _AT.reset(token)


def at() -> float | None:
    """The deadline in force (a ``time.perf_counter()`` value), or None."""
    return _AT.get()


def left() -> float | None:
    """Seconds left before the deadline (negative once passed), or None without one."""
    deadline = _AT.get()
    return None if deadline is None else deadline - time.perf_counter()


def check(doing: str) -> None:
    """Raise :class:`~planner.errors.DeadlinePassed` when the deadline has passed; ``doing`` says
    what the run was doing (``"reading the Utilities sheet"``)."""
    deadline = _AT.get()
    if deadline is not None and time.perf_counter() >= deadline:
        raise DeadlinePassed(f"the time limit ended while {doing}")


def ahead(seconds: float, step: str) -> None:
    """Raise :class:`~planner.errors.DeadlinePassed` when less than ``seconds`` are left: a step
    that cannot be interrupted and is expected to take that long is not started."""
    remaining = left()
    if remaining is not None and remaining < seconds:
        raise DeadlinePassed(f"the time limit left too little time to {step}")


def call(function: Callable[[], T], doing: str) -> T:
    """``function()``, given up on at the deadline when it has not returned by then.

    For steps that cannot check the deadline themselves. With a deadline, the function
    runs in a daemon thread (in a copy of this context) and the caller waits at most until
    the deadline; its exception, if any, is raised here.
    """
    deadline = _AT.get()
    if deadline is None:
        return function()
    check(doing)
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    worker = threading.Thread(target=copy_context().run, args=(run,), daemon=True, name="planner-deadline")
    worker.start()
    worker.join(max(0.0, deadline - time.perf_counter()))
    if not outcome:
        raise DeadlinePassed(f"the time limit ended while {doing}")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
