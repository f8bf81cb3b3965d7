"""MbientLab MetaBase exports (MetaMotion / MetaWear boards: accelerometer and gyroscope CSVs).

MetaBase writes one comma-separated file per sensor, e.g.
``MetaWear_2019-06-19T13.37.50.384_D5D3E0B6F0A2_Accelerometer.csv`` and ``..._Gyroscope.csv``::

    epoch (ms),time (-13:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)

* ``epoch (ms)``: Unix time of the sample in milliseconds (the board's clock, set from the phone
  on connect); used for the time axis and ``meta['start_time']``.
* ``time (<UTC offset>)``: the same instant as local time; its header carries the UTC offset,
  which ``start_time`` keeps.
* ``elapsed (s)``: seconds since the first sample (ignored; redundant).
* ``x-axis (g)`` ...: specific force in g. Gyroscope file: ``x-axis (deg/s)`` ...

Some third-party writers of this layout spell the first column ``epoc (ms)``; it is accepted.
Both files carry the board's clock, so the gyroscope is interpolated onto the accelerometer's
time stamps. The gyroscope file is found by replacing ``Accelerometer`` with ``Gyroscope`` in the
file name (any version suffix after it may differ); pass ``gyro_path=`` to choose another.

References
----------
MbientLab MetaBase app (iOS/Android) CSV export; the header is reproduced verbatim by public
parsers and recorders on GitHub (e.g. MetaWear Android loggers writing
``"epoch (ms),time (-13:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)"``, and MbientLab's own
MetaWear Node.js example ``CSV_HEADER_ROOT = "epoch (ms),time (%s),elapsed (s),"``).
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ._assemble import Signal, iso_from_ns, seconds_from_numbers
from ._source import Source
from ._table import Header, read_table

ACC_COLS = ("x-axis (g)", "y-axis (g)", "z-axis (g)")
GYR_COLS = ("x-axis (deg/s)", "y-axis (deg/s)", "z-axis (deg/s)")
_EPOCH_RE = re.compile(r"^epoch? \(ms\)$")
_LOCAL_RE = re.compile(r"^(?:time|timestamp) \((?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})\)$")
_MAC_RE = re.compile(r"(?<![0-9A-Fa-f])([0-9A-Fa-f]{12})(?![0-9A-Fa-f])")


def _epoch_col(fields: list[str]) -> str | None:
    return next((f for f in fields if _EPOCH_RE.match(f)), None)


def is_metabase_acc(fields: list[str]) -> bool:
    return _epoch_col(fields) is not None and all(c in fields for c in ACC_COLS)


def is_metabase_gyro(fields: list[str]) -> bool:
    return _epoch_col(fields) is not None and all(c in fields for c in GYR_COLS)


def sibling_gyro(path: str) -> Path | None:
    """``..._Accelerometer[...].csv`` -> the ``..._Gyroscope[...].csv`` next to it, if any."""
    p = Path(path)
    if "Accelerometer" not in p.name:
        return None
    exact = p.with_name(p.name.replace("Accelerometer", "Gyroscope", 1))
    if exact.exists():
        return exact
    prefix = p.name.split("Accelerometer", 1)[0]
    found = sorted(p.parent.glob(f"{glob_escape(prefix)}Gyroscope*.csv*"))
    return found[0] if found else None


def glob_escape(s: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", s)


def read_metabase(src: Source, header: Header, opts: dict[str, Any], *, gyro: bool = False) -> Signal:
    """One MetaBase accelerometer (or, with ``gyro=True``, gyroscope) CSV as a :class:`Signal`."""
    epoch = _epoch_col(header.fields)
    cols = GYR_COLS if gyro else ACC_COLS
    table = read_table(src.data, header, src.path, {epoch: "float", **{c: "float" for c in cols}})
    values = np.column_stack([table.columns[c] for c in cols]) if table.n_rows else np.empty((0, 3))
    epoch_ms = table.columns[epoch]
    meta: dict[str, Any] = {"format": "mbientlab-metabase",
                            "units": {"time": "ms", **({"gyr": "dps"} if gyro else {"acc": "g"})}}
    if table.n_rows and np.isfinite(epoch_ms[0]):
        tz = None
        for f in header.fields:
            if m := _LOCAL_RE.match(f):
                sign = -1 if m.group("sign") == "-" else 1
                tz = timezone(sign * timedelta(hours=int(m.group("h")), minutes=int(m.group("m"))))
        meta["start_time"] = iso_from_ns(int(round(float(epoch_ms[0]) * 1e6)), tz)
    if mac := _MAC_RE.search(Path(src.path).name):
        meta["device"] = f"MetaWear {mac.group(1).upper()}"
    names = {"time": epoch, **{f"{'gyr' if gyro else 'acc'}_{ax}": c for ax, c in zip("xyz", cols)}}
    t_s = seconds_from_numbers(epoch_ms, "ms", meta)
    if gyro:
        return Signal(src.path, t_s, None, "g", values, "dps", {}, table.line_of, names, meta)
    return Signal(src.path, t_s, values, opts.get("acc_unit") or "g", None, "dps", {}, table.line_of,
                  names, meta)
