"""The MobiAct dataset's Android logger: raw text files, one per sensor (``acc``, ``gyro``, ``ori``).

The logger of the MobiAct dataset (BMI lab, Hellenic Mediterranean University; Vavoulas et al.
2016) writes each sensor of a trial to ``<ACTIVITY>_<sensor>_<subject>_<trial>.txt``, e.g.
``JOG_acc_10_1.txt`` and ``JOG_gyro_10_1.txt``::

    #Acceleration force along the x y z axes (including gravity).
    #timestamp(ns),x,y,z(m/s^2)
    #Datetime: 03/07/2013 13:55:19
    ##########################################
    #Activity: 3 - JOG - Jogging - 30s
    #Subject ID: 10
    ...
    @DATA
    2352167833000, -1.541866, 9.787497, -1.043872

* The column names are the ``#timestamp(ns),x,y,z(<unit>)`` comment; ``@DATA`` ends the
  preamble (``_table.find_header`` handles both).
* ``timestamp(ns)``: Android's ``SensorEvent.timestamp``, nanoseconds on the phone's monotonic
  clock (not wall time). The phone delivers samples irregularly (~95 Hz from a 100 Hz request,
  with holes at the start); the rows are read as they are and the analysis works on the real
  time stamps.
* ``x, y, z``: accelerometer ``m/s^2`` including gravity (``z(m/s^2)``); gyroscope file
  ``rad/s`` (``z(rad/s)``), converted to deg/s.
* ``#Datetime: dd/MM/yyyy HH:mm:ss``: the phone's local time at the start, without zone, day
  first (the dataset has ``30/05/2013``); kept as ``meta['start_time']`` (ISO-8601, no zone).
* ``#Activity`` and ``#Subject ID`` are kept as ``meta['activity']`` / ``meta['subject_id']``;
  the name, age, height, weight and gender lines are personal data and are not copied.

Both files carry the same ``SensorEvent`` clock, so the gyroscope is interpolated onto the
accelerometer's time stamps. It is found by replacing ``_acc_`` with ``_gyro_`` in the file name;
pass ``gyro_path=`` to choose another.

References
----------
Vavoulas G., Chatzaki C., Malliotakis T., Pediaditis M., Tsiknakis M. (2016), "The MobiAct
dataset: recognition of activities of daily living using smartphones", ICT4AWE. The layout above
is that of the dataset's raw files (``phone_pocket_jog`` in the project's real-data folder).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._assemble import Signal, seconds_from_numbers
from ._source import Source
from ._table import Header, read_table

log = logging.getLogger(__name__)

TIME = "timestamp(ns)"
#: The unit written into the last column name, and gaitlab's name for it.
ACC_UNIT = ("m/s^2", "mps2")
GYR_UNIT = ("rad/s", "rads")
_LAST = re.compile(r"^z\((?P<unit>[^)]*)\)$")
_DATETIME = re.compile(r"^#\s*Datetime:\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s+"
                       r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})\s*$")
_FIELD = re.compile(r"^#\s*(?P<key>Activity|Subject ID):\s*(?P<value>.*?)\s*$")
#: What the file says about the device: an Android phone running this logger (no model is written).
DEVICE = "Android phone (MobiAct logger)"


def _unit(fields: list[str]) -> str | None:
    if len(fields) != 4 or fields[0] != TIME or fields[1:3] != ["x", "y"]:
        return None
    m = _LAST.match(fields[3])
    return m.group("unit") if m else None


def is_mobiact_acc(fields: list[str]) -> bool:
    return _unit(fields) == ACC_UNIT[0]


def is_mobiact_gyro(fields: list[str]) -> bool:
    return _unit(fields) == GYR_UNIT[0]


def sibling_gyro(path: str) -> Path | None:
    """``JOG_acc_10_1.txt`` -> the ``JOG_gyro_10_1.txt`` next to it, if it exists."""
    p = Path(path)
    name = p.name.replace("_acc_", "_gyro_", 1)
    if name == p.name:
        return None
    cand = p.with_name(name)
    return cand if cand.exists() else None


def preamble_meta(data: bytes, header: Header) -> dict[str, Any]:
    """``start_time``, ``activity`` and ``subject_id`` from the ``#`` lines before the data."""
    meta: dict[str, Any] = {}
    for raw in data[:header.data_offset].decode("utf-8", errors="replace").splitlines():
        line = raw.strip()
        if m := _DATETIME.match(line):
            d, mo, y, hh, mi, ss = (int(m.group(k)) for k in "dmyHMS")
            if 1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mi < 60 and ss < 60:
                meta["start_time"] = f"{y:04d}-{mo:02d}-{d:02d}T{hh:02d}:{mi:02d}:{ss:02d}"
            else:  # metadata only: a date that cannot be read costs the start time, not the data
                log.info("MobiAct Datetime %r is not dd/MM/yyyy HH:mm:ss; start_time not set", line)
        elif m := _FIELD.match(line):
            meta["activity" if m.group("key") == "Activity" else "subject_id"] = m.group("value")
    return meta


def read_mobiact(src: Source, header: Header, opts: dict[str, Any], *, gyro: bool = False) -> Signal:
    """One MobiAct ``acc`` (or, with ``gyro=True``, ``gyro``) file as a :class:`Signal`."""
    if _unit(header.fields) is None:
        raise InputError(f"not a MobiAct header: expected '{TIME},x,y,z(<unit>)', found "
                         f"{header.delimiter.join(header.fields)!r}", path=src.path, line=header.line)
    x, y, z = header.fields[1:]
    table = read_table(src.data, header, src.path, {TIME: "int", x: "float", y: "float", z: "float"})
    values = np.column_stack([table.columns[c] for c in (x, y, z)]) if table.n_rows else np.empty((0, 3))
    kind, unit = ("gyr", GYR_UNIT[1]) if gyro else ("acc", ACC_UNIT[1])
    meta: dict[str, Any] = {"format": "mobiact", "device": DEVICE, "units": {"time": "ns", kind: unit},
                            **preamble_meta(src.data, header)}
    names = {"time": TIME, f"{kind}_x": x, f"{kind}_y": y, f"{kind}_z": z}
    t_s = seconds_from_numbers(table.columns[TIME], "ns", meta)
    if gyro:
        return Signal(src.path, t_s, None, "mps2", values, unit, {}, table.line_of, names, meta)
    return Signal(src.path, t_s, values, opts.get("acc_unit") or unit, None, "dps", {}, table.line_of,
                  names, meta)
