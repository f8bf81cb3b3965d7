"""Running a batch's tasks on a Dask cluster (``dask.distributed``).

``scheduler='local'`` starts a :class:`distributed.LocalCluster` of single-threaded worker
processes on this machine; any other value is a scheduler address (``tcp://host:8786``) of an
existing cluster. Workers read the inputs and write the outputs themselves, so on a multi-machine
cluster both must be reachable from every worker at the same path or URL: a shared filesystem, or
an object store URL for the outputs (``s3://bucket/prefix``). Every worker needs the same gaitlab
version installed. Tasks are streamed with a bounded number in flight, as in the local pool.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import GaitlabError
from .task import FileResult, FileTask, error_result, process_file, warm_up

__all__ = ["run_dask", "import_distributed"]

logger = logging.getLogger(__name__)

IN_FLIGHT_PER_THREAD = 2
CONNECT_TIMEOUT_S = 20


def import_distributed() -> Any:
    """The ``distributed`` module, or a clear error when the ``dask`` extra is not installed."""
    try:
        import distributed
    except ImportError:
        raise GaitlabError("the Dask backend needs dask[distributed]: pip install 'gaitlab-run[dask]'") from None
    return distributed


def _warm(client: Any, task: FileTask) -> None:
    """Warm the numba cache: one worker first (it compiles and writes the on-disk cache), then the
    others in parallel (on the same machine they load it; elsewhere each machine compiles once)."""
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        return
    client.submit(warm_up, task, workers=[workers[0]], pure=False, allow_other_workers=True).result()
    rest = [client.submit(warm_up, task, workers=[w], pure=False, allow_other_workers=True) for w in workers[1:]]
    client.gather(rest)


def run_dask(
    tasks: Iterable[FileTask], *, scheduler: str, jobs: int | None = None, warm: FileTask | None = None
) -> Iterator[FileResult]:
    """Process ``tasks`` on a Dask cluster, yielding results in completion order.

    Parameters
    ----------
    tasks : iterable of FileTask
        Consumed lazily as tasks complete.
    scheduler : str
        ``'local'`` for a new LocalCluster, or the address of a running scheduler.
    jobs : int, optional
        Worker processes of a LocalCluster (default: CPUs); ignored for an existing cluster.
    warm : FileTask, optional
        A task every worker runs first (without writing outputs), to warm the numba cache.
    """
    distributed = import_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            from .local import default_jobs

            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.WARNING))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S))
            except (OSError, TimeoutError) as exc:
                raise GaitlabError(f"cannot connect to the Dask scheduler at {scheduler!r}: {exc}") from None
        if warm is not None:
            _warm(client, warm)
        info = client.scheduler_info()["workers"]
        threads = sum(int(w.get("nthreads", 1)) for w in info.values()) or 1
        logger.info("Dask cluster %s: %d workers, %d threads", client.scheduler.address, len(info), threads)
        limit = IN_FLIGHT_PER_THREAD * threads
        todo = iter(tasks)
        futures: dict[str, FileTask] = {}
        running = distributed.as_completed()

        def submit_next() -> bool:
            task = next(todo, None)
            if task is None:
                return False
            fut = client.submit(process_file, task, pure=False, key=f"gaitlab-{task.item.name}-{id(task)}")
            futures[fut.key] = task
            running.add(fut)
            return True

        while len(futures) < limit and submit_next():
            pass
        for fut in running:
            task = futures.pop(fut.key)
            try:
                result = fut.result()
            except Exception as exc:  # a worker died (KilledWorker) or the task could not run
                result = error_result(task.item, f"{task.item.name}: Dask task failed: "
                                                 f"{type(exc).__name__}: {exc}")
            fut.release()
            yield result
            submit_next()
