"""Skipping files whose outputs are up to date.

After a file's outputs are written, its worker writes a small manifest entry
(``.batch/<name>.json``): the input's size and modification time, the gaitlab version, a hash of
the analysis options, the outputs written and the file's summary row. A later batch skips the file
when all of these still match and the outputs exist, and reuses the stored row for the summary.
Failed files have no entry, so they are retried.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from .._version import __version__
from .inputs import BatchInput
from .outputs import Storage, manifest_name

__all__ = ["MANIFEST_VERSION", "options_hash", "manifest_entry", "load_up_to_date"]

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1


def _canonical(value: Any) -> Any:
    """A JSON-able, order-independent form of an option value (for hashing only)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _canonical(value.tolist())
    return repr(value)


def options_hash(options: Mapping[str, Any], analyzer: Callable[..., Any] | None = None) -> str:
    """SHA-256 of everything besides the input that decides a file's outputs.

    A ``thresholds`` option naming a file contributes that file's content, so editing the
    thresholds file redoes the batch.
    """
    payload: dict[str, Any] = {"manifest": MANIFEST_VERSION, "gaitlab": __version__,
                               "options": _canonical(dict(options))}
    thresholds = options.get("thresholds")
    if isinstance(thresholds, str | os.PathLike) and os.path.isfile(thresholds):
        with open(thresholds, "rb") as fh:
            payload["thresholds_sha256"] = hashlib.sha256(fh.read()).hexdigest()
    if analyzer is not None:
        payload["analyzer"] = f"{getattr(analyzer, '__module__', '')}.{getattr(analyzer, '__qualname__', '')}"
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_entry(item: BatchInput, opts_hash: str, row: Mapping[str, Any], outputs: list[str]) -> bytes:
    """The manifest entry of a successfully processed input, as bytes to write."""
    entry = {
        "manifest": MANIFEST_VERSION,
        "gaitlab_version": __version__,
        "options_sha256": opts_hash,
        "input": {"name": item.name, "size": item.size, "mtime_ns": item.mtime_ns},
        "outputs": outputs,
        "row": row,
    }
    return (json.dumps(entry, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")


def load_up_to_date(storage: Storage, item: BatchInput, opts_hash: str, *, html: bool) -> dict[str, Any] | None:
    """The stored summary row of ``item`` if its outputs are up to date, else None."""
    raw = storage.read_bytes(manifest_name(item.name))
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
        fresh = (entry["manifest"] == MANIFEST_VERSION
                 and entry["gaitlab_version"] == __version__
                 and entry["options_sha256"] == opts_hash
                 and entry["input"]["size"] == item.size
                 and entry["input"]["mtime_ns"] == item.mtime_ns)
        row, outputs = entry["row"], list(entry["outputs"])
    except (ValueError, KeyError, TypeError):
        logger.debug("%s: unreadable manifest entry, redoing", item.name)
        return None
    if not fresh or (html and not row.get("html")):
        return None
    for name in outputs:
        if not storage.exists(name):
            return None
        local = storage.local_path(name)
        if local is not None and os.stat(local).st_mtime_ns < item.mtime_ns:
            return None  # the input was touched after the output was written
    return row
