"""Running a batch's tasks on this machine: in-process (``jobs=1``) or in a process pool.

The pool uses the 'forkserver' start method where the platform has it, else 'spawn': never plain
'fork', which copies the parent's threads' locks (numba's, tqdm's, a Dask client's) in whatever
state they were. Tasks are streamed with at most ``2 * jobs`` in flight, and each worker returns a
small row, so memory does not grow with the number of files. The numba kernels are loaded once, in
the fork server (:mod:`gaitlab.batch._preload`), and inherited by every worker; each worker then
analyses one input of the batch under a lock (the first compiles whatever the preload missed, the
others load it from the cache).

A worker that dies (segfault, out-of-memory kill) breaks the pool; the files that were in flight
are then retried one at a time in a fresh pool, so only the file that kills a worker gets an
error row.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import GaitlabError
from .task import FileResult, FileTask, error_result, process_file, warm_up

__all__ = ["run_local", "default_jobs", "start_method"]

logger = logging.getLogger(__name__)

#: Tasks in flight per worker: enough to keep workers busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """'forkserver' where available (POSIX), else 'spawn'."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def _init_worker(lock: Any, warm: FileTask | None) -> None:
    if warm is not None:
        with lock:  # the first worker compiles and writes the cache; the rest load it
            logger.debug("worker %d warmed up in %.2f s", os.getpid(), warm_up(warm))


#: Imported once by the fork server, so that its workers start with them already loaded (shared
#: copy-on-write pages, no per-worker import time). Names that fail to import are skipped.
FORKSERVER_PRELOAD = ("numpy", "pandas", "pyarrow", "numba",
                      "gaitlab.analysis", "gaitlab.io", "gaitlab.gait.waist", "gaitlab.report",
                      "gaitlab.batch._preload")


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        # imports, then one warm-up analysis (gaitlab.batch._preload: numba's context and cached
        # kernels loaded once, inherited by every worker); no thread is started before it forks
        ctx.set_forkserver_preload(list(FORKSERVER_PRELOAD))
    return ctx


def _new_pool(jobs: int, lock: Any, warm: FileTask | None) -> ProcessPoolExecutor:
    """A started pool; fails fast, with the usual cause, if worker processes cannot start."""
    ctx = _context()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(lock, warm))
    try:
        pool.submit(os.getpid).result()
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        raise GaitlabError(
            "could not start worker processes; when calling gaitlab.batch.run() from a script, put the "
            "call under `if __name__ == '__main__':` (the workers import the main module), or use jobs=1"
        ) from None
    return pool


def run_local(tasks: Iterable[FileTask], *, jobs: int, warm: FileTask | None = None) -> Iterator[FileResult]:
    """Process ``tasks``, yielding results in completion order.

    Parameters
    ----------
    tasks : iterable of FileTask
        Consumed lazily, as workers become free.
    jobs : int
        Worker processes; 1 runs everything in this process (no pool, easy to debug).
    warm : FileTask, optional
        A task each worker runs (without writing outputs) before its first one, to warm the numba
        cache; the workers take turns, so only the first compiles.
    """
    if jobs <= 1:
        for task in tasks:
            yield process_file(task)
        return
    lock = _context().Lock()
    todo = iter(tasks)
    pool = _new_pool(jobs, lock, warm)
    pending: dict[Future[FileResult], FileTask] = {}
    try:
        while True:
            while len(pending) < IN_FLIGHT_PER_WORKER * jobs:
                task = next(todo, None)
                if task is None:
                    break
                pending[pool.submit(process_file, task)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken: list[FileTask] = []
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    broken.append(task)
            if broken:
                # every unfinished future fails with the pool: find the culprit one file at a time
                suspects = broken
                for f, t in pending.items():
                    if f.done() and not f.cancelled() and f.exception() is None:
                        yield f.result()
                    else:
                        suspects.append(t)
                pending.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                logger.warning("a worker process died; retrying %d files one at a time", len(suspects))
                pool = _new_pool(1, lock, warm)
                for task in sorted(suspects, key=lambda t: t.item.name):
                    try:
                        yield pool.submit(process_file, task).result()
                    except BrokenProcessPool:
                        yield error_result(task.item, f"{task.item.name}: the worker process analysing "
                                                      "this file died (crash or out of memory)")
                        pool.shutdown(wait=True)
                        pool = _new_pool(1, lock, warm)
                pool.shutdown(wait=True)
                pool = _new_pool(jobs, lock, warm)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
