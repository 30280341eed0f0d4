"""Atomic output: write to a temporary file beside the target, then rename over it.

The temporary file is named ``.<target>.<pid>.<random>.tmp`` after the process that writes
it, so that one left behind by a process that was killed while writing (``kill -9`` cannot
be caught) can be told from one being written: :func:`clear_stale` removes the former.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

_TEMPORARY = re.compile(r"^\.(?P<target>.+?)\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{8}\.tmp$")
UNOWNED_AGE = 3600.0
"""Seconds after which a temporary file that names no process (written before names carried one) is stale."""


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto ``target``.

    An interrupted or failed write leaves the target as it was and no temporary file
    (a killed process leaves one, which :func:`clear_stale` removes later).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; outputs get the usual mode
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def clear_stale(folder: str | Path) -> list[Path]:
    """Remove the temporary files that killed processes left in ``folder``; the paths removed.

    A temporary file is stale when the process named in it has ended, or, for one that
    names no process (or on Windows, where no process can be probed without a handle), when
    it is more than :data:`UNOWNED_AGE` seconds old. Files being written by a live process
    are left alone.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = match["pid"]
        try:
            if pid and os.name != "nt":
                stale = not _alive(int(pid))
            else:
                stale = time.time() - entry.stat().st_mtime > UNOWNED_AGE
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (POSIX: signal 0 probes without sending anything)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
