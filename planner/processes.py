"""Worker processes that share the machine's cores without oversubscribing them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables (inherited by processes started inside); restore them on leaving."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def one_thread_per_worker() -> contextlib.AbstractContextManager[None]:
    """Processes started inside run numpy's linear algebra on one thread each.

    Each worker already solves with one HiGHS thread; without this, OpenBLAS (or MKL)
    would start a thread per core in every worker, and two workers on two cores would
    fight over them (a batch of small instances ran 1.3x faster with two workers instead
    of 1.8x). Variables the user has set are kept; the parent's environment is restored
    on leaving.
    """
    return environment({k: os.environ.get(k, "1") for k in THREAD_VARIABLES})
