"""Read a folder's files on every core, in file order.

GDAL parses a GeoJSON file while holding Python's GIL, so threads do not help:
an 800-file archive is read by forked worker processes, each taking chunks of
files, and the results come back in file order (so the report reads exactly as
a one-by-one read's). Forking is only done from a process running a single
thread as the kernel counts them (:func:`os_threads`): forking a threaded
process can copy a lock some other thread holds, and native threads count too
(numpy's OpenBLAS pool and pyarrow's allocator thread start at import, so the
CLI has them as well as a Streamlit server). Any other process that asks for
workers (the CLI; the dashboard server reading the dataset it was started on,
once, for everyone) gets them from a fork server instead: a fresh process,
started by fork + exec, kept single-threaded (:mod:`territory._fork_safe`), that
forks the workers with ``territory.io`` already imported. A process running
Python threads reads one by one unless it asks (a user's upload: one session
must not take every core from the others).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

#: Fewer files than this are read in-process: starting workers would cost more than it saves.
MIN_FILES = 16
#: Files per task: small enough to balance two workers and report progress often.
CHUNK = 32
MAX_WORKERS = 4
#: Chunks queued per worker beyond the one the reader waits for.
AHEAD = 2

#: The job a forked worker runs (set before the fork; workers inherit it instead of unpickling it).
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def os_threads() -> int:
    """Threads of this process as the kernel counts them.

    ``threading`` sees only Python's own; numpy's OpenBLAS pool, pyarrow's allocator thread and
    GDAL's run natively, and fork() copies whatever lock one of them holds at that instant
    (CPython 3.12+ warns "This process is multi-threaded, use of fork() may lead to deadlocks").
    """
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no procfs (not Linux): assume the worst, never fork
        return max(2, threading.active_count())


def workers_for(n_items: int, threaded_ok: bool = False) -> int:
    """Worker processes to read ``n_items`` files with: 1 means in-process.

    ``threaded_ok``: a process running Python threads (a server's sessions) may use workers too.
    Native threads alone (the CLI after importing numpy) do not count against it: the workers then
    come from a fork server, as they do for a threaded process.
    """
    if n_items < MIN_FILES:
        return 1
    if threading.active_count() > 1 and not threaded_ok:
        return 1
    method = "fork" if os_threads() == 1 else "forkserver"
    if method not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(cores(), MAX_WORKERS))


def _context() -> multiprocessing.context.BaseContext:
    """Fork only a process running one thread; any other asks a fork server (never forks itself).

    The server imports :mod:`territory._fork_safe` first, so that ``territory.io`` (imported once
    there, not in every worker) starts no native thread in it: it forks every worker.
    """
    if os_threads() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["territory._fork_safe", "territory.io"])
    return ctx


def _run_chunk(start: int, stop: int) -> list[Any]:
    fn, items = _JOB  # type: ignore[misc]
    return [fn(item) for item in items[start:stop]]


def _run_items(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    return [fn(item) for item in items]


def ordered_map(fn: Callable[[Any], Any], items: Sequence[Any], workers: int, chunk: int | None = None) -> Iterator[Any]:
    """``map(fn, items)`` on ``workers`` processes, yielding results in order as they are ready.

    ``chunk``: items per task (default :data:`CHUNK`; 1 when each item is already a chunk).

    Closing the iterator early (a cap was reached) cancels the chunks not yet started.
    ``fn``'s results are pickled back, so it should return plain data; from a threaded
    process ``fn`` and the items are pickled to the workers too. A worker that dies
    raises :class:`concurrent.futures.process.BrokenProcessPool`.
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    global _JOB
    ctx = _context()
    forked = ctx.get_start_method() == "fork"
    if not forked:
        try:
            pickle.dumps(fn)  # a job that cannot travel hangs the pool (CPython's feeder thread) instead of failing
        except Exception:
            yield from map(fn, items)
            return
    if forked:
        _JOB = (fn, items)
    pool = ProcessPoolExecutor(workers, mp_context=ctx)

    step = CHUNK if chunk is None else chunk

    def submit(start: int):
        stop = min(start + step, len(items))
        return pool.submit(_run_chunk, start, stop) if forked else pool.submit(_run_items, fn, items[start:stop])

    starts = iter(range(0, len(items), step))
    pending: deque = deque()
    starting = None if forked else _Starting(pool)
    try:
        if starting is not None:
            # The fork server imports territory.io before it forks a worker (~1.3 s of CPU, as long
            # as a quarter of an 800-file read): read the first chunks here meanwhile, in order.
            while not starting.ready.is_set() and (start := next(starts, None)) is not None:
                yield from _run_items(fn, items[start:start + step])
            starting.wait()
        # A few chunks ahead of the reader, no more: memory stays bounded, and a cap reached
        # at one file stops the reading within a few chunks, as a one-by-one read stops at once.
        for start in itertools.islice(starts, workers * AHEAD):
            pending.append(submit(start))
        _JOB = None  # forked workers (started at the first submit) have their copy
        while pending:
            done = pending.popleft().result()
            start = next(starts, None)
            if start is not None:
                pending.append(submit(start))
            yield from done
    finally:
        _JOB = None
        if starting is not None:
            starting.thread.join()
        pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> None:
    """A no-op task: its result says a worker is running."""


class _Starting:
    """Starts ``pool``'s first worker on a thread (from a fork server that blocks until the server has
    imported territory.io), so the reader can work meanwhile; :meth:`wait` raises what starting raised."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(pool,), name="territory-workers-start", daemon=True)
        self.thread.start()

    def _run(self, pool: ProcessPoolExecutor) -> None:
        try:
            pool.submit(_ready).result()
        except BaseException as exc:  # re-raised in the reader by wait()
            self.error = exc
        finally:
            self.ready.set()

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
