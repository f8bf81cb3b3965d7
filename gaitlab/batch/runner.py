"""Planning and running a batch: inputs -> up-to-date check -> backend -> summary table.

Only the standard library is imported at module level (``import gaitlab.batch`` stays light);
pandas, tqdm and dask are imported when a batch runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .inputs import BatchInput, expand_inputs
from .manifest import load_up_to_date, options_hash
from .outputs import (
    INDEX_HTML,
    SEVERITIES,
    SUMMARY_CSV,
    SUMMARY_PARQUET,
    Storage,
    html_name,
    json_name,
    open_storage,
)
from .task import FileResult, FileTask

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["run", "execute", "BatchOutcome", "BatchStats", "exit_code"]

logger = logging.getLogger(__name__)


@dataclass
class BatchStats:
    """Counts and timings of one batch run (not written into any output file).

    Attributes
    ----------
    n_files, n_ok, n_failed, n_skipped : int
        Input files; analysed (or up to date); failed; skipped because up to date.
    n_steps : int
        Steps found over all successful files (skipped ones included).
    n_flagged : int
        Files with a flag at or above ``fail_on`` (``'warn'`` when ``fail_on`` is None).
    flagged : list of str
        Their names.
    wall_s : float
        Wall time of the whole batch (s).
    analyze_s, task_s : float
        Summed time spent in the analyzer, and in whole tasks (outputs included), over processed
        files (s): ``task_s - analyze_s`` is the batch's own per-file cost.
    """

    n_files: int = 0
    n_ok: int = 0
    n_failed: int = 0
    n_skipped: int = 0
    n_steps: int = 0
    n_flagged: int = 0
    flagged: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    analyze_s: float = 0.0
    task_s: float = 0.0


@dataclass
class BatchOutcome:
    """The summary table and the run's statistics."""

    table: pd.DataFrame
    stats: BatchStats
    fail_on: str | None = None


def exit_code(outcome: BatchOutcome, *, strict: bool = False) -> int:
    """The CLI exit code: 2 if ``strict`` and a file failed, 1 if a file is flagged at or above
    ``fail_on``, else 0."""
    if strict and outcome.stats.n_failed:
        return 2
    if outcome.fail_on is not None and outcome.stats.n_flagged:
        return 1
    return 0


def _validate(jobs: int | None, scheduler: str | None, fail_on: str | None, storage: Storage | None) -> int:
    from .local import default_jobs

    if fail_on is not None and fail_on not in SEVERITIES:
        raise InputError(f"fail_on must be one of {', '.join(SEVERITIES)}, found {fail_on!r}")
    if jobs is None:
        jobs = default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs must be a whole number >= 1, found {jobs!r}")
    if storage is not None and not storage.shared and (jobs > 1 or scheduler is not None):
        raise InputError(f"output location {storage.describe()!r} lives inside this process and cannot be "
                         "shared with worker processes; use a folder, file:// or an object store URL, "
                         "or jobs=1 without a scheduler")
    return jobs


def _check_no_overwrite(items: list[BatchInput], storage: Storage | None, html: bool) -> None:
    """Refuse a layout where an output would overwrite an input (e.g. an input named summary.csv
    in the output folder)."""
    if storage is None or storage.local_path("") is None:
        return
    targets = {os.path.realpath(storage.local_path(n)) for n in (SUMMARY_CSV, SUMMARY_PARQUET, INDEX_HTML)}
    for it in items:
        targets.add(os.path.realpath(storage.local_path(json_name(it.name))))
        if html:
            targets.add(os.path.realpath(storage.local_path(html_name(it.name))))
    clash = [it.name for it in items if os.path.realpath(it.path) in targets]
    if clash:
        raise InputError(f"the batch outputs in {storage.describe()} would overwrite the input(s) "
                         f"{', '.join(clash)}; choose another --out folder")


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="file", desc="gaitlab batch", dynamic_ncols=True)


def _dispatch(tasks: list[FileTask], *, jobs: int, scheduler: str | None,
              warm: FileTask | None) -> Iterator[FileResult]:
    if scheduler is not None:
        from .dask_backend import run_dask

        return run_dask(tasks, scheduler=scheduler, jobs=jobs, warm=warm)
    from .local import run_local

    return run_local(tasks, jobs=jobs, warm=warm)


def execute(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    html: bool = False,
    force: bool = False,
    fail_on: str | None = None,
    progress: bool = True,
    analyzer: Callable[..., Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    **analyze_kwargs: Any,
) -> BatchOutcome:
    """Run a batch and return the summary table with the run's statistics.

    Same parameters as :func:`run`, which returns only the table.
    """
    t0 = time.perf_counter()
    storage = open_storage(out, storage_options) if out is not None else None
    jobs = _validate(jobs, scheduler, fail_on, storage)
    exclude = []
    if storage is not None and storage.local_path("") is not None:
        exclude = [storage.local_path(""), storage.local_path(SUMMARY_CSV), storage.local_path(SUMMARY_PARQUET)]
    items = expand_inputs(paths, exclude=exclude)
    _check_no_overwrite(items, storage, html)
    opts_hash = options_hash(analyze_kwargs, analyzer)
    from ..errors import current_phrasing
    from ..io import OVERRIDES

    # reader keywords (acc_unit=, columns=...) go to gaitlab.read in the worker, the rest to analyze
    read_options = {k: analyze_kwargs.pop(k) for k in list(analyze_kwargs) if k in OVERRIDES}
    if read_options and analyzer is not None:
        raise InputError(f"reader options {sorted(read_options)} need the default analyzer (a custom "
                         "analyzer reads the file itself)")

    stats = BatchStats(n_files=len(items))
    results: dict[str, FileResult] = {}
    tasks: list[FileTask] = []
    for item in items:
        row = None
        if storage is not None and not force:
            row = load_up_to_date(storage, item, opts_hash, html=html)
        if row is not None:
            results[item.name] = FileResult(row=row, skipped=True)
        else:
            tasks.append(FileTask(item=item, storage=storage, options=dict(analyze_kwargs),
                                  opts_hash=opts_hash, html=html, analyzer=analyzer,
                                  read_options=read_options, phrasing=current_phrasing()))
    stats.n_skipped = len(results)
    if stats.n_skipped:
        logger.info("%d of %d files are up to date (use force to redo them)", stats.n_skipped, len(items))

    bar = _progress(len(items), progress)
    redirect = contextlib.nullcontext()
    if bar is not None:
        from tqdm.contrib.logging import logging_redirect_tqdm

        redirect = logging_redirect_tqdm()

    def account(res: FileResult) -> None:
        if res.ok:
            stats.n_ok += 1
            stats.n_steps += int((res.row.get("summary") or {}).get("n_steps") or 0)
        else:
            stats.n_failed += 1
            logger.warning("%s", res.row.get("error"))
        stats.analyze_s += res.analyze_s
        stats.task_s += res.total_s
        if bar is not None:
            bar.update(1)
            bar.set_postfix(steps=stats.n_steps, errors=stats.n_failed, refresh=False)

    try:
        with redirect:
            for res in results.values():
                account(res)
            if tasks:
                # a median-sized input warms each worker's numba cache (an empty or truncated file,
                # the smallest, would fail before reaching the kernels); not needed in-process
                warm = sorted(tasks, key=lambda t: t.item.size)[len(tasks) // 2] if analyzer is None else None
                for res in _dispatch(tasks, jobs=jobs, scheduler=scheduler, warm=warm):
                    results[res.row["file"]] = res
                    account(res)
    finally:
        if bar is not None:
            bar.close()

    from .outputs import summary_frame, write_tables

    table = summary_frame([results[it.name].row for it in items])
    threshold = SEVERITIES.index(fail_on or "warn")
    flagged = False
    for sev in SEVERITIES[threshold:]:
        flagged = flagged | (table[f"n_{sev}"].fillna(0) > 0)
    stats.flagged = [str(n) for n in table.loc[flagged, "file"]] if len(table) else []
    stats.n_flagged = len(stats.flagged)
    if storage is not None:
        write_tables(storage, table)
    stats.wall_s = time.perf_counter() - t0
    table.attrs["batch"] = asdict(stats)
    return BatchOutcome(table=table, stats=stats, fail_on=fail_on)


def run(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    html: bool = False,
    force: bool = False,
    fail_on: str | None = None,
    progress: bool = True,
    analyzer: Callable[..., Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    **analyze_kwargs: Any,
) -> pd.DataFrame:
    """Analyse many recordings; write per-file JSON (and HTML) plus a summary table.

    Parameters
    ----------
    paths : path, glob, or iterable of them
        Files (any suffix), folders (searched recursively for
        :data:`gaitlab.batch.inputs.KNOWN_SUFFIXES`) and glob patterns (``**`` recurses).
    out : path or URL, optional
        Output location: a folder, a ``file://`` URL or any fsspec URL (``s3://bucket/prefix``).
        It gets ``<name>.json`` per input (and ``<name>.html``), ``summary.csv``,
        ``summary.parquet`` and ``index.html`` (layout in :mod:`gaitlab.batch.outputs`). None
        writes nothing and only returns the table.
    jobs : int, optional
        Worker processes (default: the CPUs available); 1 runs in this process. With
        ``scheduler='local'``, the LocalCluster's worker count.
    scheduler : str, optional
        Run on Dask: ``'local'`` (a new LocalCluster) or a scheduler address
        (``'tcp://host:8786'``). Needs the ``dask`` extra.
    html : bool, default False
        Also write each file's HTML report.
    force : bool, default False
        Redo files whose outputs are up to date.
    fail_on : {'info', 'warn', 'alert'}, optional
        Severity at which a file counts as flagged (``table.attrs['batch']['flagged']``); the CLI
        exits 1 when any file is flagged.
    progress : bool, default True
        Show a ``tqdm`` progress bar (files done, steps found, errors).
    analyzer : callable, optional
        Used instead of :func:`gaitlab.analyze`, with the same signature; must be picklable
        (a module-level function) for ``jobs > 1`` or Dask.
    storage_options : mapping, optional
        fsspec options for an ``out`` URL (credentials, endpoint...).
    **analyze_kwargs
        Passed to :func:`gaitlab.analyze` (``placement``, ``speed_mps``, ``thresholds``...);
        :func:`gaitlab.read`'s keywords (``acc_unit``, ``time_unit``, ``columns``,
        ``decimal_comma``, ``fs``) are passed to it for every file.

    Returns
    -------
    pandas.DataFrame
        The summary table, one row per input in name order (see
        :func:`gaitlab.batch.outputs.summary_frame`); ``attrs['batch']`` holds the run's
        :class:`BatchStats` as a dict.

    Raises
    ------
    InputError
        No inputs, a missing input, bad options. A bad *file* never raises: it gets an error row.

    Examples
    --------
    >>> import gaitlab.batch
    >>> table = gaitlab.batch.run("data/", out="results/", jobs=2)          # doctest: +SKIP
    >>> table[["file", "status", "cadence_spm", "gct_ms", "flag_codes"]]    # doctest: +SKIP
    """
    return execute(paths, out=out, jobs=jobs, scheduler=scheduler, html=html, force=force, fail_on=fail_on,
                   progress=progress, analyzer=analyzer, storage_options=storage_options,
                   **analyze_kwargs).table
