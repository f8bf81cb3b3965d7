"""Polar Sensor Logger exports (Polar H10, Verity Sense, OH1: ACC and GYRO files).

Polar Sensor Logger (Android app by Jukka Happonen, built on the Polar BLE SDK) writes one
semicolon-separated text file per stream, named ``<device>_<id>_<yyyymmdd>_<hhmmss>_ACC.txt``,
``..._GYRO.txt`` and so on::

    Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]
    2026-04-24T14:10:20.058;599616065136175104;-953;63;425

* ``Phone timestamp``: the phone's local wall-clock time (ISO-8601, no zone); used only for
  ``meta['start_time']`` (the first row).
* ``sensor timestamp [ns]``: the sensor's own clock in nanoseconds (epoch 2000-01-01 per the
  Polar SDK's ``PolarAccelerometerData``); used for the time axis because it is free of the
  phone's Bluetooth arrival jitter.
* ``X/Y/Z [mg]``: acceleration in milli-g including gravity. Gyro file: ``X/Y/Z [dps]``.

The ACC and GYRO files of one session come from the same sensor clock, so the gyroscope is
interpolated onto the accelerometer's time stamps (see ``_assemble.align_gyro``). The GYRO file
is found next to the ACC file by replacing the ``_ACC`` suffix with ``_GYRO``; pass
``gyro_path=`` to choose another.

References
----------
Polar Sensor Logger (Android, Google Play; by Jukka Happonen). Polar BLE SDK,
``polarofficial/polar-ble-sdk``, ``PolarAccelerometerData`` (mG incl. gravity, ns since
2000-01-01). Header as written by Polar-Sensor-Logger-compatible recorders on GitHub (e.g. the
Python "PolarRecorder" README's ``ACC`` example quoted above).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._assemble import Signal, seconds_from_numbers
from ._source import Source
from ._table import Header, read_table

PHONE = "Phone timestamp"
SENSOR = "sensor timestamp [ns]"
ACC_COLS = ("X [mg]", "Y [mg]", "Z [mg]")
GYR_COLS = ("X [dps]", "Y [dps]", "Z [dps]")
_NAME_RE = re.compile(r"^(?P<device>.+?)_(?P<stamp>\d{8}_\d{6})_(?P<stream>ACC|GYRO)\b", re.IGNORECASE)


def is_polar_acc(fields: list[str]) -> bool:
    return SENSOR in fields and all(c in fields for c in ACC_COLS)


def is_polar_gyro(fields: list[str]) -> bool:
    return SENSOR in fields and all(c in fields for c in GYR_COLS)


def sibling_gyro(path: str) -> Path | None:
    """The GYRO file of the same session: ``..._ACC.txt`` -> ``..._GYRO.txt`` (if it exists)."""
    p = Path(path)
    name = re.sub(r"_ACC(?=[._])", "_GYRO", p.name, count=1)
    if name == p.name:
        return None
    cand = p.with_name(name)
    return cand if cand.exists() else None


def read_polar(src: Source, header: Header, opts: dict[str, Any], *, gyro: bool = False) -> Signal:
    """One Polar Sensor Logger ACC (or, with ``gyro=True``, GYRO) file as a :class:`Signal`."""
    cols = GYR_COLS if gyro else ACC_COLS
    types = {SENSOR: "int", **{c: "float" for c in cols}}
    has_phone = PHONE in header.fields
    table = read_table(src.data, header, src.path, types)
    values = np.column_stack([table.columns[c] for c in cols]) if table.n_rows else np.empty((0, 3))
    meta: dict[str, Any] = {"format": "polar-sensor-logger",
                            "units": {"time": "ns", "acc": "mg", **({"gyr": "dps"} if gyro else {})}}
    if has_phone and table.n_rows:
        meta["start_time"] = _first_cell(src.data, header, PHONE)
    m = _NAME_RE.match(Path(src.path).name)
    if m:
        meta["device"] = m.group("device").replace("_", " ")
    names = {"time": SENSOR, **{f"{'gyr' if gyro else 'acc'}_{ax}": c for ax, c in zip("xyz", cols)}}
    t_s = seconds_from_numbers(table.columns[SENSOR], "ns", meta)
    if gyro:
        return Signal(src.path, t_s, None, "mg", values, "dps", {}, table.line_of, names, meta)
    return Signal(src.path, t_s, values, opts.get("acc_unit") or "mg", None, "dps", {}, table.line_of,
                  names, meta)


def _first_cell(data: bytes, header: Header, column: str) -> str | None:
    """The ``column`` cell of the first data row (cheap: no need to parse the whole column)."""
    start = data.find(b"\n", header.offset) + 1
    end = data.find(b"\n", start)
    row = data[start:end if end > 0 else None].decode("utf-8", errors="replace").strip()
    cells = row.split(header.delimiter)
    i = header.fields.index(column)
    if i >= len(cells):
        raise InputError(f"first data row has no {column!r} cell", path=None)
    return cells[i].strip() or None
