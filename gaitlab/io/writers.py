"""Writers: a :class:`~gaitlab.recording.Recording` to the generic CSV (plain or gzip) or Parquet.

CSV floats are written by Arrow's shortest round-trip formatter, so every float64 reads back
bit-for-bit; the CSV keeps the signal and the ``extra`` channels but not ``fs``/``placement``/
``side``/``meta`` (on reading, ``fs`` is re-estimated from the time stamps, see
:func:`gaitlab.io.read`). Parquet keeps everything: the scalar fields and ``meta`` go into the
file's key-value metadata under the key ``gaitlab``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..recording import ACC_COLUMNS, GYR_COLUMNS, TIME_COLUMN, Recording

__all__ = ["write", "WRITE_FORMATS", "PARQUET_META_KEY", "infer_write_format"]

log = logging.getLogger(__name__)

#: Output formats :func:`write` knows, with the file suffixes that select them.
WRITE_FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "csv.gz": (".csv.gz", ".gz"),
    "parquet": (".parquet", ".pq"),
}

#: Key of the Parquet schema metadata entry holding fs, placement, side and meta (JSON).
PARQUET_META_KEY = b"gaitlab"
PARQUET_META_VERSION = 1
#: gzip level for ``.csv.gz`` output: 1, since full-precision floats barely compress further.
GZIP_LEVEL = 1


def infer_write_format(path: str | os.PathLike[str]) -> str:
    """The output format implied by a file name's suffix (``.csv``, ``.csv.gz``, ``.parquet``)."""
    name = Path(path).name.lower()
    for fmt, suffixes in sorted(WRITE_FORMATS.items(), key=lambda kv: -max(map(len, kv[1]))):
        if name.endswith(suffixes):
            return fmt
    known = ", ".join(s for sfx in WRITE_FORMATS.values() for s in sfx)
    raise InputError(f"cannot tell the output format from the file name; expected a suffix among {known}",
                     path=str(path))


def _columns(rec: Recording) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {TIME_COLUMN: np.asarray(rec.t)}
    for j, name in enumerate(ACC_COLUMNS):
        cols[name] = np.ascontiguousarray(rec.acc[:, j])
    if rec.gyr is not None:
        for j, name in enumerate(GYR_COLUMNS):
            cols[name] = np.ascontiguousarray(rec.gyr[:, j])
    for name, values in rec.extra.items():
        if name in cols:
            raise InputError(f"extra channel {name!r} clashes with a signal column name")
        cols[name] = np.asarray(values)
    return cols


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)  # datetimes, paths...: keep them readable rather than fail the write


def write(rec: Recording, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Write a Recording to the generic CSV (``.csv``, ``.csv.gz``) or to Parquet.

    Parameters
    ----------
    rec : Recording
        The signal: time (s), acceleration (g, sensor frame), optional gyroscope (deg/s), extras.
    path : str or path-like
        Output file; parent directories must exist.
    format : {'csv', 'csv.gz', 'parquet'}, optional
        Output format; inferred from the suffix of ``path`` when omitted.

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    CSV columns are ``time_s, acc_x_g, acc_y_g, acc_z_g[, gyr_x_dps, gyr_y_dps, gyr_z_dps]`` then
    the extra channels, comma-separated, with the shortest decimal that reads back to the same
    float64 (exact round trip of the values). Parquet stores the same columns as float64 plus the
    key-value metadata entry ``gaitlab`` = JSON ``{"version", "fs", "placement", "side", "meta"}``.
    """
    import pyarrow as pa

    if not isinstance(rec, Recording):
        raise TypeError(f"write() needs a Recording, got {type(rec).__name__}")
    fmt = infer_write_format(path) if format is None else format
    if fmt not in WRITE_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; expected one of {', '.join(WRITE_FORMATS)}",
                         path=str(path))
    cols = _columns(rec)
    table = pa.table({k: pa.array(v, type=pa.float64()) for k, v in cols.items()})
    out = Path(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        blob = {"version": PARQUET_META_VERSION, "fs": rec.fs, "placement": rec.placement,
                "side": rec.side, "meta": dict(rec.meta)}
        table = table.replace_schema_metadata(
            {PARQUET_META_KEY: json.dumps(blob, default=_json_default).encode()})
        pq.write_table(table, out, compression="zstd")
    else:
        _write_csv(table, out, gzip=(fmt == "csv.gz"))
    log.debug("wrote %d samples to %s (%s)", rec.n_samples, out, fmt)
    return out


def _write_csv(table, out: Path, *, gzip: bool) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad = [n for n in table.column_names if any(c in n for c in ',"\r\n')]
    if bad:
        raise InputError(f"column name(s) {bad} cannot be written to CSV unquoted")
    header = (",".join(table.column_names) + "\n").encode()
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    if gzip:
        import gzip as gz

        # Arrow's gzip stream cannot set the level; Python's gzip can (see GZIP_LEVEL). mtime=0
        # and no file name in the header: the same recording gives the same bytes every time.
        with open(out, "wb") as raw, gz.GzipFile(filename="", fileobj=raw, mode="wb",
                                                 compresslevel=GZIP_LEVEL, mtime=0) as sink:
            sink.write(header)
            pacsv.write_csv(table, sink, opts)
        return
    with pa.OSFile(str(out), "wb") as sink:
        sink.write(header)
        pacsv.write_csv(table, sink, opts)
