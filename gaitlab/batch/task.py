"""The unit of work of a batch: analyse one file, write its outputs, return its summary row.

This runs inside the workers (pool processes or Dask workers). A worker writes the file's outputs
itself and returns only a small row, so the parent never holds Analyses and memory stays flat
however many files there are. Every failure is caught here and turned into an error row: one bad
file never stops a batch.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import GaitlabError, InputError, phrasing
from .inputs import BatchInput
from .manifest import manifest_entry
from .outputs import SEVERITIES, Storage, html_name, json_name, manifest_name

__all__ = ["FileTask", "FileResult", "process_file", "error_result", "warm_up"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileTask:
    """Everything a worker needs to process one input (picklable).

    Attributes
    ----------
    item : BatchInput
        The input file.
    storage : Storage or None
        Where to write outputs; None writes nothing (the row is still returned).
    options : dict
        Keyword arguments for the analyzer (``placement``, ``speed_mps``, ``thresholds``...).
    opts_hash : str
        Hash of the options, recorded in the manifest entry.
    html : bool
        Also write the HTML report.
    analyzer : callable, optional
        Replaces :func:`gaitlab.analyze` (same signature; must be picklable for worker processes).
    read_options : dict
        Keywords for :func:`gaitlab.read` (``acc_unit``, ``time_unit``, ``columns``,
        ``decimal_comma``...); the worker reads the file itself, with the side its name says.
    phrasing : {'python', 'cli'}
        The interface error hints are phrased for (the caller's, not the worker's).
    """

    item: BatchInput
    storage: Storage | None
    options: dict[str, Any] = field(default_factory=dict)
    opts_hash: str = ""
    html: bool = False
    analyzer: Callable[..., Any] | None = None
    read_options: dict[str, Any] = field(default_factory=dict)
    phrasing: str = "python"


@dataclass(frozen=True)
class FileResult:
    """What a worker sends back: the summary row plus timings (timings stay out of the table).

    Attributes
    ----------
    row : dict
        The summary-table row (plain JSON types), see :func:`gaitlab.batch.outputs.summary_frame`.
    analyze_s : float
        Time spent in the analyzer (s).
    total_s : float
        Time for the whole task, outputs included (s).
    skipped : bool
        The outputs were up to date; the row comes from the manifest.
    """

    row: dict[str, Any]
    analyze_s: float = 0.0
    total_s: float = 0.0
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.row.get("status") == "ok"


def _scalar(value: Any) -> Any:
    """A summary value as a plain JSON scalar (NaN/inf -> None, numpy -> Python)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def error_result(item: BatchInput, message: str) -> FileResult:
    """The result of a file that could not be processed."""
    return FileResult(row={"file": item.name, "status": "error", "error": message})


def _error_text(exc: BaseException, item: BatchInput) -> str:
    """The error as one line, with the input's batch name instead of its absolute path."""
    if isinstance(exc, InputError) and exc.path is not None:
        exc = InputError(exc.message, path=item.name, line=exc.line, column=exc.column)
    text = str(exc).replace(item.path, item.name)
    if not isinstance(exc, GaitlabError | OSError):
        text = f"{type(exc).__name__}: {text}"
    elif not text.startswith(item.name):
        text = f"{item.name}: {text}"
    return " ".join(text.split())


def _row(item: BatchInput, analysis: Any, outputs: Mapping[str, str | None]) -> dict[str, Any]:
    flags = list(analysis.flags or [])
    counts = {s: 0 for s in SEVERITIES}
    for f in flags:
        if f.get("severity") in counts:
            counts[f["severity"]] += 1
    codes = list(dict.fromkeys(str(f.get("code")) for f in flags))
    inp = analysis.input or {}
    return {
        "file": item.name,
        "status": "ok",
        "error": None,
        "placement": _scalar(inp.get("placement")),
        "fs_hz": _scalar(inp.get("fs_hz")),
        "duration_s": _scalar(inp.get("duration_s")),
        # run metadata (docs/history.md): as the file says (None when unknown), and the user's tags
        "start_time": _scalar(inp.get("start_time")),
        "device": _scalar(inp.get("device")),
        "tags": ";".join(f"{k}={v}" for k, v in sorted((inp.get("tags") or {}).items())) or None,
        "summary": {str(k): _scalar(v) for k, v in analysis.summary.items()},
        **{f"n_{s}": n for s, n in counts.items()},
        "flag_codes": " ".join(codes) if codes else None,
        "flags": " ".join(dict.fromkeys(f"{f.get('severity')}:{f.get('code')}" for f in flags)) or None,
        "report_status": getattr(analysis, "report_status", None),
        "json": outputs.get("json"),
        "html": outputs.get("html"),
    }


def _analyze(task: FileTask) -> Any:
    if task.analyzer is not None:
        return task.analyzer(task.item.path, **task.options)
    from ..analysis import analyze
    from ..io import read
    from ..io.naming import side_from_name

    named = side_from_name(task.item.name)
    if not task.read_options and named is None:
        return analyze(task.item.path, **task.options)  # analyze reads it the same way
    rec = read(task.item.path, placement=task.options.get("placement"), **task.read_options)
    side = rec.side or named  # the file's own side first, then its name (shoe_L.csv)
    return analyze(rec if side == rec.side else rec.replace(side=side), **task.options)


def process_file(task: FileTask) -> FileResult:
    """Analyse one file, write its outputs and manifest entry, and return its summary row.

    Never raises for a problem with the file (or a bug in the analysis): those give an error row.
    """
    item = task.item
    t0 = time.perf_counter()
    try:
        with phrasing(task.phrasing):
            analysis = _analyze(task)
        t_analyze = time.perf_counter() - t0
        # the input's batch name, not its absolute path: outputs must not depend on where data lives
        analysis.input = {**(analysis.input or {}), "path": item.name}
        outputs: dict[str, str | None] = {"json": None, "html": None}
        if task.storage is not None:
            # the same bytes as Analysis.to_json(path) / ``gaitlab analyze --json``
            task.storage.write_bytes(json_name(item.name), (analysis.to_json() + "\n").encode("utf-8"))
            outputs["json"] = json_name(item.name)
            if task.html:
                # no creation time in the page: a batch gives the same bytes every run
                task.storage.write_bytes(html_name(item.name), analysis.to_html(made_at=None).encode("utf-8"))
                outputs["html"] = html_name(item.name)
        row = _row(item, analysis, outputs)
        if task.storage is not None:
            written = [v for v in outputs.values() if v]
            # written last: an entry exists only when every output is complete
            task.storage.write_bytes(manifest_name(item.name),
                                     manifest_entry(item, task.opts_hash, row, written))
    except Exception as exc:  # isolation: any failure of one file becomes its error row
        logger.debug("%s failed", item.name, exc_info=True)
        return FileResult(row=error_result(item, _error_text(exc, item)).row,
                          total_s=time.perf_counter() - t0)
    return FileResult(row=row, analyze_s=t_analyze, total_s=time.perf_counter() - t0)


def warm_up(task: FileTask | None) -> float:
    """Compile (or load from numba's on-disk cache) the analysis kernels by analysing one input
    without writing anything: the batch's own data exercises exactly the kernels it needs.

    Returns the seconds it took; a failure is logged, not raised (the kernels then compile on the
    first file instead).
    """
    t0 = time.perf_counter()
    if task is not None:
        result = process_file(replace(task, storage=None))
        if not result.ok:
            logger.debug("warm-up on %s failed: %s", task.item.name, result.row.get("error"))
    return time.perf_counter() - t0
