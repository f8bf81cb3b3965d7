"""Shimmer CSV exports (ConsensysPRO / Consensys, ShimmerCapture; Shimmer3 IMU units).

Shimmer's software names every signal after the Shimmer Java/Android API's channel names, with
the device (or trial) name in front and the calibration state behind when it exports calibrated
data. Three layouts are read:

* plain: one header row of bare names, e.g. ``Accel_LN_X,Accel_LN_Y,Accel_LN_Z,
  System_Timestamp_Plot_Zeroed`` (calibrated values, ms time stamps from 0);
* "calibrated" Consensys export: an optional first line ``sep=,`` or ``"sep=<TAB>"`` (Excel's
  separator declaration), a header of prefixed names such as ``Shimmer_8D58_Timestamp_Unix_CAL``,
  ``Shimmer_8D58_Accel_LN_X_CAL``, ``Shimmer_8D58_Accel_WR_X_CAL``, ``Shimmer_8D58_Gyro_X_CAL``
  (often with a trailing separator), then a units row (``ms``, ``m/(s^2)``, ``deg/s``; a ``*``
  after a unit marks the device's default calibration), tab- or comma-separated;
* multi-row header (ShimmerCapture, Consensys "multiple header rows"): an optional row with the
  device name in every column, a row of bare signal names (a signal exported raw and calibrated
  appears twice), a row of ``CAL``/``RAW``/``UNCAL`` telling them apart, then the units row
  (:func:`expand_header`).

Signals used (``<device>_`` and ``_CAL`` optional; ``_RAW``/``_UNCAL`` ADC counts never are):

* time, first found of ``Timestamp_Unix`` (ms since the Unix epoch, UTC: also
  ``meta['start_time']``), ``TimestampSync_Unix``, ``Timestamp`` (device clock, ms),
  ``System_Timestamp_Plot_Zeroed`` and ``System_Timestamp_Plot`` (ms; the device clock shifted
  to the PC's, so free of Bluetooth arrival jitter). ``System_Timestamp`` alone (the PC's arrival
  time) is not used.
* acceleration ``Accel_LN_X/Y/Z`` (low-noise, analog, fixed +-2 g) or ``Accel_WR_X/Y/Z`` (wide
  range, digital, +-2..16 g), in m/s^2; see :func:`choose_accel`.
* angular rate ``Gyro_X/Y/Z`` in deg/s.

Without a units row the units are Shimmer's calibrated defaults above (ms, m/(s^2), deg/s).

References
----------
ShimmerResearch, Shimmer-Java-Android-API: ``Configuration.CHANNEL_UNITS`` (``ms``, ``m/(s^2)``,
``deg/s``; ``ACCEL_DEFAULT_CAL_UNIT`` = unit + ``*``) and the ``ObjectClusterSensorName`` channel
names (``Accel_LN_X``, ``Accel_WR_X``, ``Gyro_X``, ``Timestamp``, ``System_Timestamp_Plot_Zeroed``).
Consensys exports as reproduced in public analysis code on GitHub: ``"sep=,"`` then
``S_SeatHead_Timestamp_Unix_CAL,...,S_SeatHead_Gyro_Z_CAL,`` then ``ms,m/(s^2),...,deg/s,``;
``Shimmer_40AC_Accel_LN_X_CAL`` ... with units ``m/(s^2)``, ``deg/s``. Shimmer3 IMU spec sheet:
low-noise accelerometer +-2 g (Kionix KXRB5-2042), wide-range accelerometer +-2/4/8/16 g (ST
LSM303), gyroscope +-250..2000 deg/s.
"""

from __future__ import annotations

import csv
import logging
import re
import warnings
from dataclasses import replace
from datetime import UTC
from typing import Any

import numpy as np

from ..errors import InputError
from ._assemble import ACC_UNITS, Signal, iso_from_ns, seconds_from_numbers
from ._source import Source
from ._table import Header, read_table

log = logging.getLogger(__name__)

#: Time signals, best first (see the module docstring).
TIME_SIGNALS = ("Timestamp_Unix", "TimestampSync_Unix", "Timestamp", "System_Timestamp_Plot_Zeroed",
                "System_Timestamp_Plot")
ACC_SIGNALS = ("Accel_LN", "Accel_WR")
GYR_SIGNAL = "Gyro"
_SIGNAL = re.compile(r"^(?:(?P<device>.+?)_)?(?P<signal>Accel_LN|Accel_WR|Gyro)_(?P<axis>[XYZ])"
                     r"(?:_(?P<kind>CAL|RAW|UNCAL))?$")
_TIME = re.compile(r"^(?:(?P<device>.+?)_)?(?P<signal>" + "|".join(TIME_SIGNALS) + r")"
                   r"(?:_(?P<kind>CAL|RAW|UNCAL))?$")
#: Units-row spellings (a trailing '*' = default calibration) -> gaitlab's unit names.
ACC_UNIT_NAMES = {"m/(s^2)": "mps2", "m/s^2": "mps2", "m/(s2)": "mps2", "g": "g", "mg": "mg"}
GYR_UNIT_NAMES = {"deg/s": "dps", "dps": "dps", "rad/s": "rads"}
TIME_UNIT_NAMES = {"ms": "ms", "s": "s", "us": "us"}
#: Full scale of Shimmer3's low-noise accelerometer (Kionix KXRB5-2042, analog, fixed range), g.
LN_RANGE_G = 2.0
#: Fraction of that range from which LN samples may sit at the rail. A running stride's peak
#: vertical specific force is 2-4 g at the waist and 5-30 g at the foot, so LN
#: clips on most runs; 95 % leaves room for the per-device calibration
#: that moves the rail by a few percent.
LN_NEAR_RANGE = 0.95
#: Samples within this distance (g) of an axis's extreme count as "at the extreme".
FLAT_TOP_G = 0.01
#: A clipped axis: at least this many separate impacts end at the same extreme (a rail) ...
FLAT_TOP_EVENTS = 3
#: ... and stay there: on average at least this many samples per impact (a plateau). Real strides'
#: peaks differ by far more than 0.01 g from step to step, and a curved peak sampled at a
#: running-gait rate has one or two samples within 0.01 g of its top. This only decides a
#: warning, never the data.
FLAT_TOP_SAMPLES = 2.0


def _parse(fields: list[str]) -> dict[tuple[str | None, str, str], str]:
    """(device, signal, axis or '') -> column, for calibrated (or unsuffixed) Shimmer signals."""
    out: dict[tuple[str | None, str, str], str] = {}
    for f in fields:
        m = _SIGNAL.match(f)
        if m and m.group("kind") in (None, "CAL"):
            out.setdefault((m.group("device"), m.group("signal"), m.group("axis")), f)
            continue
        m = _TIME.match(f)
        if m and m.group("kind") in (None, "CAL"):
            out.setdefault((m.group("device"), m.group("signal"), ""), f)
    return out


def _acc_sets(cols: dict[tuple[str | None, str, str], str]) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(device, 'Accel_LN'/'Accel_WR'/'Gyro') -> the three axis columns, where all three exist."""
    out = {}
    for dev, sig, _ in cols:
        axes = tuple(cols.get((dev, sig, ax)) for ax in "XYZ")
        if sig in (*ACC_SIGNALS, GYR_SIGNAL) and all(axes):
            out[(dev, sig)] = axes  # type: ignore[assignment]
    return out


def _time_col(cols: dict[tuple[str | None, str, str], str], device: str | None) -> tuple[str, str] | None:
    """(column, signal) of the best time signal of ``device``."""
    for sig in TIME_SIGNALS:
        for dev in (device, None):  # the device's own clock, else an unprefixed (PC-side) column
            if (dev, sig, "") in cols:
                return cols[(dev, sig, "")], sig
    return None


def is_shimmer(fields: list[str]) -> bool:
    cols = _parse(fields)
    sets = _acc_sets(cols)
    return any(sig in ACC_SIGNALS and _time_col(cols, dev) for dev, sig in sets)


def _row_after(src: Source, offset: int, delimiter: str) -> tuple[int, list[str]] | None:
    """(offset, cells) of the line after the one starting at ``offset`` (None at the end)."""
    nl = src.data.find(b"\n", offset)
    if nl < 0 or nl + 1 >= len(src.data):
        return None
    end = src.data.find(b"\n", nl + 1)
    text = src.data[nl + 1:end if end >= 0 else None].decode("utf-8", errors="replace").strip("\r\n")
    try:
        cells = next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
    except (csv.Error, StopIteration):
        return None
    return nl + 1, [c.strip() for c in cells]


def expand_header(src: Source, header: Header) -> Header | None:
    """The multi-row header of ShimmerCapture / Consensys, as one row of ``<device>_<signal>_<CAL>`` names.

    Layout: an optional row naming the device in every column (``Shimmer_8D58,Shimmer_8D58,...``),
    a row of signal names (a signal exported raw and calibrated appears twice), a row of
    ``CAL``/``RAW``/``UNCAL``, then the units row. None when the file is not laid out so.
    """
    rows = [(header.line, header.offset, header.fields)]
    for _ in range(2):
        nxt = _row_after(src, rows[-1][1], header.delimiter)
        if nxt is None:
            return None
        rows.append((rows[-1][0] + 1, nxt[0], nxt[1]))
    named = [f for f in header.fields if f]
    device = named[0] if named and len(set(named)) == 1 and len(named) > 1 else None
    names_row, kinds_row = (rows[1], rows[2]) if device else (rows[0], rows[1])
    kinds = kinds_row[2]
    if not {k for k in kinds if k} <= {"CAL", "RAW", "UNCAL"} or "CAL" not in kinds:
        return None
    fields = [("_".join(p for p in (device, n, k) if p) if n else "") for n, k in
              zip(names_row[2], kinds + [""] * (len(names_row[2]) - len(kinds)))]
    return Header(fields, header.delimiter, names_row[0], names_row[1], kinds_row[0], kinds_row[1])


def _units_row(src: Source, header: Header) -> tuple[Header, dict[str, str]]:
    """The units row under the header, if there is one: (header that skips it, column -> unit)."""
    nxt = _row_after(src, header.data_offset, header.delimiter)
    if nxt is None:
        return header, {}
    start, cells = nxt
    numeric = 0
    for c in cells:
        try:
            float(c)
            numeric += 1
        except ValueError:
            pass
    if not any(cells) or numeric:
        return header, {}  # a data row
    units = dict(zip(header.fields, cells))
    return replace(header, last_line=header.data_line + 1, last_offset=start), units


def _unit(units: dict[str, str], col: str, table: dict[str, str], default: str, what: str, src: Source,
          line: int) -> str:
    if col not in units:
        return default
    raw = units[col].rstrip("*").strip()  # '*': the device's default calibration, same unit
    if raw not in table:
        raise InputError(f"unknown {what} unit {units[col]!r} in the units row; expected one of "
                         f"{', '.join(sorted(table))}", path=src.path, line=line, column=col)
    return table[raw]


def choose_accel(ln: np.ndarray | None, wr: np.ndarray | None, ln_unit: str) -> tuple[str, str]:
    """Which accelerometer to use: ('Accel_LN' or 'Accel_WR', why).

    The low-noise accelerometer is preferred (less noise, analog, no range setting) unless it
    comes within :data:`LN_NEAR_RANGE` of its +-2 g range on any axis while a wide-range one is
    there: running impacts exceed 2 g at the sacrum and far exceed it at the shoe, and a clipped
    impact is a wrong number (a flattened peak: impact and loading metrics read low), while the
    wide-range sensor's extra noise (milli-g) is far below the gait signal.
    """
    if ln is None:
        return "Accel_WR", "only the wide-range accelerometer is in the file"
    if wr is None:
        return "Accel_LN", "only the low-noise accelerometer is in the file"
    peak_g = float(np.max(np.abs(ln))) * ACC_UNITS[ln_unit] if ln.size else 0.0
    if peak_g >= LN_NEAR_RANGE * LN_RANGE_G:
        return "Accel_WR", (f"the low-noise accelerometer reaches {peak_g:.2f} g, at its +-{LN_RANGE_G:g} g "
                            "range (impacts may be clipped)")
    return "Accel_LN", f"the low-noise accelerometer stays below {peak_g:.2f} g, within its range"


def _flat_top(acc: np.ndarray, unit: str) -> tuple[int, float] | None:
    """(axis, level in g) of a clipped axis: impacts that end flat at one level near the LN range."""
    k = ACC_UNITS[unit]
    for j in range(acc.shape[1]):
        col = acc[:, j] * k
        for level in (col.max(), col.min()):
            at = np.abs(col - level) <= FLAT_TOP_G
            events = int(np.count_nonzero(np.diff(at.astype(np.int8)) == 1)) + int(at[0])
            if (abs(level) >= LN_NEAR_RANGE * LN_RANGE_G and events >= FLAT_TOP_EVENTS
                    and np.count_nonzero(at) >= FLAT_TOP_SAMPLES * events):
                return j, float(level)
    return None


def read_shimmer(src: Source, header: Header, opts: dict[str, Any]) -> Signal:
    """A Shimmer CSV export (any of the layouts above) as a :class:`Signal`."""
    header = expand_header(src, header) or header
    cols = _parse(header.fields)
    sets = _acc_sets(cols)
    devices = sorted({dev or "" for dev, sig in sets if sig in ACC_SIGNALS and _time_col(cols, dev)})
    if not devices:
        raise InputError("no Shimmer accelerometer columns ([<device>_]Accel_LN_X/Y/Z or Accel_WR_X/Y/Z, "
                         "calibrated) with a time column (" + ", ".join(TIME_SIGNALS) + ") in the header",
                         path=src.path, line=header.line)
    if len(devices) != 1:
        shown = ", ".join(repr(d) for d in devices)
        raise InputError(f"this Shimmer export holds accelerometer and time columns of {len(devices)} devices "
                         f"({shown}); analyse one sensor per file (export each device separately)",
                         path=src.path, line=header.line)
    device = devices[0] or None
    found = _time_col(cols, device)
    assert found is not None  # the device filter above
    time_col, time_signal = found
    header, units = _units_row(src, header)
    uline = header.data_line
    acc_cols = {sig: sets[(device, sig)] for sig in ACC_SIGNALS if (device, sig) in sets}
    gyr_cols = sets.get((device, GYR_SIGNAL))
    wanted = [time_col, *(c for axes in acc_cols.values() for c in axes), *(gyr_cols or ())]
    table = read_table(src.data, header, src.path, dict.fromkeys(wanted, "float"))
    time_unit = _unit(units, time_col, TIME_UNIT_NAMES, "ms", "time", src, uline)

    def stack(axes: tuple[str, ...]) -> np.ndarray:
        return np.column_stack([table.columns[c] for c in axes]) if table.n_rows else np.empty((0, 3))

    acc_unit = {sig: _unit(units, axes[0], ACC_UNIT_NAMES, "mps2", "acceleration", src, uline)
                for sig, axes in acc_cols.items()}
    for sig, axes in acc_cols.items():  # one unit per sensor
        for c in axes[1:]:
            if _unit(units, c, ACC_UNIT_NAMES, "mps2", "acceleration", src, uline) != acc_unit[sig]:
                raise InputError(f"the units row gives {axes[0]!r} and {c!r} different units", path=src.path,
                                 line=uline, column=c)
    data = {sig: stack(axes) for sig, axes in acc_cols.items()}
    ln, wr = data.get("Accel_LN"), data.get("Accel_WR")
    chosen, why = choose_accel(ln, wr, acc_unit.get("Accel_LN", "mps2"))
    acc, a_unit = data[chosen], opts.get("acc_unit") or acc_unit[chosen]
    clipped_g = None
    if chosen == "Accel_LN" and (flat := _flat_top(acc, a_unit)) is not None:
        warnings.warn(f"{src.path}: the low-noise accelerometer (nominal +-{LN_RANGE_G:g} g) tops out at "
                      f"{flat[1]:.2f} g on {acc_cols[chosen][flat[0]]} in several stances: readings beyond it "
                      "are cut, so those peaks read low (a step whose impact reaches it has no impact_g); "
                      "record running with the wide-range accelerometer (Accel_WR) enabled",
                      UserWarning, stacklevel=4)
        clipped_g = round(flat[1], 3)
    gyr = stack(gyr_cols) if gyr_cols else None
    gyr_unit = _unit(units, gyr_cols[0], GYR_UNIT_NAMES, "dps", "angular rate", src, uline) if gyr_cols else "dps"
    meta: dict[str, Any] = {"format": "shimmer", "acc_sensor": f"{chosen}: {why}",
                            "units": {"time": time_unit, "acc": acc_unit[chosen],
                                      **({"gyr": gyr_unit} if gyr_cols else {})}}
    if clipped_g is not None:
        meta["acc_clipped_g"] = clipped_g  # the level where impacts are cut (see the warning)
    if device:
        meta["device"] = device.replace("_", " ")
    t_raw = table.columns[time_col]
    if time_signal.endswith("_Unix") and t_raw.size and np.isfinite(t_raw[0]):
        meta["start_time"] = iso_from_ns(int(round(float(t_raw[0]) * 1e6)), UTC)
    names = {"time": time_col, **{f"acc_{ax}": c for ax, c in zip("xyz", acc_cols[chosen])},
             **({f"gyr_{ax}": c for ax, c in zip("xyz", gyr_cols)} if gyr_cols else {})}
    log.debug("%s: Shimmer export, %s", src.path, meta["acc_sensor"])
    t_s = seconds_from_numbers(t_raw, time_unit, meta)
    return Signal(src.path, t_s, acc, a_unit, gyr, gyr_unit, {}, table.line_of, names, meta)
