"""phyphox exports (RWTH Aachen's phone-sensor app): "Acceleration with g" and the gyroscope.

phyphox exports each experiment's raw data as CSV (comma / decimal point by default; also tab-
separated, and semicolon with decimal comma, both handled here), time since the experiment
started in seconds::

    "Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"

* "Acceleration with g" (``Acceleration x (m/s^2)`` ...): the accelerometer's specific force in
  m/s^2, as gaitlab needs it.
* "Acceleration without g" (``Linear Acceleration x (m/s^2)`` ...): the phone's gravity-removed
  estimate. It is **rejected**: it is not specific force (no gravity, so no vertical reference)
  and has been filtered by the phone's sensor fusion.
* Gyroscope ("Gyroscope rotation rate"): ``Gyroscope x (rad/s)`` ..., converted to deg/s.
* The "Absolute ..." magnitude column is ignored.

Accelerometer and gyroscope columns in one file are used together. phyphox names each sensor's
file after the sensor when an experiment records several (``Accelerometer.csv``,
``Gyroscope.csv``); for a file named ``Accelerometer.csv`` the ``Gyroscope.csv`` next to it is
picked up. Both are on the phone's experiment clock, so the gyroscope is interpolated onto the
accelerometer's time stamps. Otherwise pass ``gyro_path=``.

References
----------
phyphox, https://phyphox.org (RWTH Aachen University), experiment export "CSV"; column names as
they appear in public analysis scripts of phyphox exports on GitHub (``Time (s)``,
``Acceleration x (m/s^2)``, ``Linear Acceleration x (m/s^2)``, ``Gyroscope x (rad/s)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._assemble import Signal
from ._source import Source
from ._table import Header, read_table

TIME = "Time (s)"
ACC_COLS = ("Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)")
LINEAR_COLS = ("Linear Acceleration x (m/s^2)", "Linear Acceleration y (m/s^2)", "Linear Acceleration z (m/s^2)")
GYR_COLS = ("Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)")


def is_phyphox_acc(fields: list[str]) -> bool:
    return TIME in fields and all(c in fields for c in ACC_COLS)


def is_phyphox_linear(fields: list[str]) -> bool:
    return TIME in fields and any(c in fields for c in LINEAR_COLS)


def is_phyphox_gyro(fields: list[str]) -> bool:
    return TIME in fields and all(c in fields for c in GYR_COLS) and not is_phyphox_acc(fields)


def reject_linear(src: Source, header: Header, opts: dict[str, Any]) -> Signal:
    raise InputError("this is a phyphox 'Acceleration without g' (linear acceleration) export; gaitlab needs "
                     "specific force including gravity: export the 'Acceleration with g' experiment instead",
                     path=src.path, line=header.line, column=next(c for c in LINEAR_COLS if c in header.fields))


def sibling_gyro(path: str) -> Path | None:
    p = Path(path)
    if p.stem.lower() != "accelerometer":
        return None
    cand = p.with_name("Gyroscope" + p.suffix)
    return cand if cand.exists() else None


def _decimal_comma(data: bytes, header: Header) -> bytes:
    """phyphox's "semicolon, decimal comma" variant -> decimal points (the header has no commas)."""
    if header.delimiter == ";" and b"," in data[header.offset:header.offset + 65536]:
        return data.replace(b",", b".")
    return data


def read_phyphox(src: Source, header: Header, opts: dict[str, Any], *, gyro: bool = False) -> Signal:
    """A phyphox "Acceleration with g" (or, with ``gyro=True``, gyroscope) export as a :class:`Signal`."""
    data = _decimal_comma(src.data, header)
    has_gyr = all(c in header.fields for c in GYR_COLS)
    types = {TIME: "float"}
    if not gyro:
        types.update({c: "float" for c in ACC_COLS})
    if has_gyr:
        types.update({c: "float" for c in GYR_COLS})
    table = read_table(data, header, src.path, types)

    def stack(cols):
        return np.column_stack([table.columns[c] for c in cols]) if table.n_rows else np.empty((0, 3))

    acc = None if gyro else stack(ACC_COLS)
    gyr = stack(GYR_COLS) if has_gyr else None
    names = {"time": TIME, **{f"acc_{ax}": c for ax, c in zip("xyz", ACC_COLS)},
             **({f"gyr_{ax}": c for ax, c in zip("xyz", GYR_COLS)} if has_gyr else {})}
    meta = {"format": "phyphox", "units": {"time": "s", **({} if gyro else {"acc": "mps2"}),
                                           **({"gyr": "rads"} if has_gyr else {})}}
    return Signal(src.path, table.columns[TIME], acc, opts.get("acc_unit") or "mps2", gyr, "rads", {},
                  table.line_of, names, meta)
