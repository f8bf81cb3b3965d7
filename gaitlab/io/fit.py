"""Garmin FIT activity files: the watch's per-record running dynamics as a table (and back).

>>> from gaitlab.io.fit import read_fit
>>> watch = read_fit("activity.fit")                                   # doctest: +SKIP
>>> watch[["time_s", "cadence_spm", "gct_ms", "vo_cm"]].describe()     # doctest: +SKIP

A Garmin watch (with an HRM-Pro / Running Dynamics Pod, or wrist-based running dynamics) stores
one ``record`` message about every second. :func:`read_fit` turns them into a pandas DataFrame
with gaitlab's unit-suffixed names, so the watch's numbers can be laid over gaitlab's per-minute
:attr:`~gaitlab.analysis.Analysis.segments`. :func:`write_fit` writes such a table as a minimal
FIT activity (what a watch would record), for demos and tests.

Field mapping (FIT profile ``record`` message, values after the profile's scale):

================================  ======================================  ===========================
FIT field (unit)                  column                                  conversion
================================  ======================================  ===========================
``timestamp`` (s since 1989 UTC)  ``timestamp`` (UTC), ``time_s``         ``time_s`` from the first record
``cadence`` + ``fractional_cadence``  ``cadence_spm``                     ``2 * (cadence + fractional)``
  (rpm), else ``cadence256`` (rpm)
``vertical_oscillation`` (mm)     ``vo_cm``                               ``/ 10``
``stance_time`` (ms)              ``gct_ms``                              as is
``stance_time_balance`` (%)       ``gct_balance_left_pct``                as is (left share)
``vertical_ratio`` (%)            ``vertical_ratio_pct``                  as is
``step_length`` (mm)              ``step_length_m``                       ``/ 1000``
``enhanced_speed``, else          ``speed_mps``                           as is
  ``speed`` (m/s)
================================  ======================================  ===========================

**Cadence.** For running, FIT's ``cadence`` is in "rpm" of one foot, i.e. *strides* per minute
(Garmin Connect doubles it for display), with the fraction in ``fractional_cadence`` (1/128 rpm);
Connect IQ apps and some older devices write ``cadence256`` (1/256 rpm) instead. gaitlab counts
*steps* per minute (both feet), so ``cadence_spm = 2 * strides/min``. For a sport whose cadence is
not a step rate (cycling: crank rpm), ``cadence_spm`` is NaN and a warning is logged.

**GCT balance.** ``stance_time_balance`` is read as the left foot's share of the ground contact
time, the way Garmin Connect labels it ("49.8 % L"), which is gaitlab's ``gct_balance_left_pct``.

A field the record does not carry (no pod, the watch stopped, an invalid value) is NaN, never 0.
A watch's ``cadence`` of 0 while standing still is a measurement and stays 0.

**Library choice.** FIT is decoded and encoded with Garmin's own FIT SDK for Python
(``garmin-fit-sdk``, the ``notebook`` extra) rather than ``fitdecode`` (reads only), ``fitparse``
(unmaintained since 2020) or ``fit-tool`` (a community fork of a package its author withdrew):
it is the reference implementation, released by Garmin with every profile revision (so new
record fields decode without waiting for a third party), it both reads and writes (``Encoder``),
checks the header and file CRCs, expands components (``speed`` -> ``enhanced_speed``) and
compressed timestamps, has no dependencies, and decodes a one-hour file (3600 records) in ~0.4 s
against ~5 s for ``fit-tool``. Its licence is Garmin's FIT Protocol License, not an OSI licence:
it is an optional dependency installed from PyPI by the user, never vendored, so gaitlab itself
stays MIT.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_fit", "write_fit", "FIT_COLUMNS", "FIT_METRICS"]

logger = logging.getLogger(__name__)

#: Metric columns of :func:`read_fit`, in order: column -> (FIT field, factor FIT value -> column).
#: Cadence and speed need more than a factor and are handled apart.
FIT_METRICS: dict[str, tuple[str, float]] = {
    "cadence_spm": ("cadence", 2.0),
    "vo_cm": ("vertical_oscillation", 0.1),
    "gct_ms": ("stance_time", 1.0),
    "gct_balance_left_pct": ("stance_time_balance", 1.0),
    "vertical_ratio_pct": ("vertical_ratio", 1.0),
    "step_length_m": ("step_length", 0.001),
    "speed_mps": ("enhanced_speed", 1.0),
}

#: Columns of the DataFrame :func:`read_fit` returns.
FIT_COLUMNS: tuple[str, ...] = ("time_s", "timestamp", *FIT_METRICS)

#: Sports whose FIT cadence counts strides (one foot), so that steps/min = 2 x cadence.
_STEP_SPORTS = frozenset({"running", "walking", "hiking", "generic", "training", "transition", "multisport"})

#: FIT files start with a 12- or 14-byte header whose bytes 8-11 read ".FIT".
_FIT_SIGNATURE = b".FIT"


def _sdk():
    try:
        import garmin_fit_sdk
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading and writing FIT files needs Garmin's FIT SDK: pip install garmin-fit-sdk "
                          "(or pip install 'gaitlab-run[notebook]')") from exc
    return garmin_fit_sdk


def _number(value: Any) -> float:
    """A decoded field value as float; absent/invalid (None) or non-numeric -> NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _cadence_spm(record: Mapping[str, Any]) -> float:
    """Steps/min from one record: 2 x (cadence + fractional_cadence), else 2 x cadence256."""
    whole = _number(record.get("cadence"))
    if math.isfinite(whole):
        frac = _number(record.get("fractional_cadence"))
        return 2.0 * (whole + (frac if math.isfinite(frac) else 0.0))
    return 2.0 * _number(record.get("cadence256"))


def _speed_mps(record: Mapping[str, Any]) -> float:
    speed = _number(record.get("enhanced_speed"))
    return speed if math.isfinite(speed) else _number(record.get("speed"))


def _decode(data: bytes, path: str) -> dict[str, list[dict[str, Any]]]:
    """All messages of a FIT file, by kind (``record_mesgs``, ``session_mesgs``, ...)."""
    if len(data) < 12 or data[8:12] != _FIT_SIGNATURE:
        found = data[8:12] if len(data) >= 12 else f"{len(data)} bytes in all"
        raise InputError(f"not a FIT file: expected the signature '.FIT' in bytes 8-11 of the header, "
                         f"found {found!r}", path=path)
    sdk = _sdk()
    decoder = sdk.Decoder(sdk.Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read(merge_heart_rates=False)
    if errors:
        # the SDK stops at the first problem (CRC mismatch, truncation, bad definition): report it
        raise InputError(f"corrupt FIT file: {errors[0]}", path=path)
    return messages


def _sport(messages: Mapping[str, list[dict[str, Any]]]) -> str | None:
    for kind in ("session_mesgs", "sport_mesgs"):
        for mesg in messages.get(kind, []):
            sport = mesg.get("sport")
            if sport is not None:
                return str(sport)
    return None


def read_fit(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the per-record running dynamics of a Garmin FIT activity file.

    Parameters
    ----------
    path : str or path-like
        A FIT activity file (``.fit``), as a watch or Garmin Connect's "Export Original" writes it.

    Returns
    -------
    pandas.DataFrame
        One row per ``record`` message, in file order, columns :data:`FIT_COLUMNS`:
        ``time_s`` (s since the first record), ``timestamp`` (UTC), ``cadence_spm`` (steps/min,
        both feet), ``vo_cm`` (cm), ``gct_ms`` (ms), ``gct_balance_left_pct`` (%, left share),
        ``vertical_ratio_pct`` (%), ``step_length_m`` (m), ``speed_mps`` (m/s). A field a record
        lacks is NaN. ``attrs`` holds ``source``, ``format`` ('fit'), ``start_time`` (ISO-8601 UTC),
        ``sport`` and ``device`` (manufacturer/product, when the file says).

    Raises
    ------
    InputError
        Not a FIT file, a corrupt one (CRC mismatch, truncated), no ``record`` messages, or a
        record without a timestamp.
    FileNotFoundError
        No such file.

    Notes
    -----
    FIT timestamps have 1-s resolution. Records keep the file's order; a paused watch simply
    has no records for the pause, so ``time_s`` jumps.
    """
    import numpy as np
    import pandas as pd

    where = str(path)
    data = Path(path).read_bytes()
    messages = _decode(data, where)
    records = messages.get("record_mesgs", [])
    if not records:
        kinds = sorted(k.removesuffix("_mesgs") for k in messages)
        raise InputError("no 'record' messages: this FIT file holds no per-second activity data (found "
                         f"{', '.join(kinds) or 'no messages'}); expected an activity file", path=where)
    stamps = [r.get("timestamp") for r in records]
    missing = [i for i, s in enumerate(stamps) if not isinstance(s, datetime)]
    if missing:
        raise InputError(f"record message {missing[0] + 1} of {len(records)} has no timestamp; expected "
                         "every record to carry one", path=where)
    timestamp = pd.DatetimeIndex(pd.to_datetime(stamps, utc=True))
    columns: dict[str, Any] = {
        "time_s": (timestamp - timestamp[0]).total_seconds().to_numpy(dtype=np.float64),
        "timestamp": timestamp,
    }
    for column, (field, factor) in FIT_METRICS.items():
        if column == "cadence_spm":
            values = [_cadence_spm(r) for r in records]
        elif column == "speed_mps":
            values = [_speed_mps(r) for r in records]
        else:
            values = [_number(r.get(field)) * factor for r in records]
        columns[column] = np.asarray(values, dtype=np.float64)
    sport = _sport(messages)
    if sport is not None and sport not in _STEP_SPORTS:
        logger.warning("%s: sport %r: its FIT cadence is not a step rate, so cadence_spm is NaN", where, sport)
        columns["cadence_spm"] = np.full(len(records), np.nan)
    frame = pd.DataFrame(columns, columns=list(FIT_COLUMNS))
    file_id = (messages.get("file_id_mesgs") or [{}])[0]
    device = "/".join(str(file_id[k]) for k in ("manufacturer", "product") if file_id.get(k) is not None)
    frame.attrs.update({"source": where, "format": "fit", "start_time": timestamp[0].isoformat(),
                        "sport": sport, "device": device or None})
    logger.debug("%s: %d FIT records over %.0f s", where, len(frame), frame["time_s"].iloc[-1])
    return frame


def _fit_fields(row: Mapping[str, float]) -> dict[str, Any]:
    """One table row -> FIT ``record`` fields (profile units); NaN columns are left out."""
    out: dict[str, Any] = {}
    spm = row.get("cadence_spm", math.nan)
    if math.isfinite(spm):
        strides = spm / 2.0
        out["cadence"] = int(strides)
        out["fractional_cadence"] = strides - int(strides)
    for column, (field, factor) in FIT_METRICS.items():
        value = row.get(column, math.nan)
        if column != "cadence_spm" and math.isfinite(value):
            out[field] = value / factor
    return out


def write_fit(table: pd.DataFrame, path: str | os.PathLike[str], *, start_time: datetime | None = None,
              sport: str = "running") -> Path:
    """Write a table of per-second metrics as a FIT activity file, the way a watch records a run.

    The inverse of :func:`read_fit`: ``time_s`` plus any of the metric columns of
    :data:`FIT_METRICS` (missing columns and NaN values are left out of the records).

    Parameters
    ----------
    table : pandas.DataFrame
        ``time_s`` (s, whole seconds: FIT timestamps have 1-s resolution) and metric columns.
    path : str or path-like
        The ``.fit`` file to write.
    start_time : datetime, optional
        Absolute time of ``time_s == 0`` (timezone-aware; default 2024-01-01 00:00 UTC).
    sport : str, default 'running'
        The session's FIT sport.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InputError
        No ``time_s`` column, or times that are not increasing after rounding to whole seconds.
    """
    import numpy as np

    if "time_s" not in table.columns:
        raise InputError(f"write_fit needs a 'time_s' column; found {list(table.columns)}")
    t_s = np.round(table["time_s"].to_numpy(dtype=np.float64))
    if len(t_s) == 0 or not np.all(np.isfinite(t_s)) or np.any(np.diff(t_s) <= 0):
        raise InputError("write_fit needs finite time_s values that increase by at least 1 s "
                         "(FIT timestamps are whole seconds)")
    start = start_time if start_time is not None else datetime(2024, 1, 1, tzinfo=UTC)
    if start.tzinfo is None:
        raise InputError("start_time must be timezone-aware (FIT time stamps are UTC)")
    sdk = _sdk()
    num = sdk.Profile["mesg_num"]
    metrics = [c for c in FIT_METRICS if c in table.columns]
    values = {c: table[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in metrics}
    stamps = [start + timedelta(seconds=float(t)) for t in t_s]
    end = stamps[-1]
    elapsed_s = float(t_s[-1] - t_s[0])

    enc = sdk.Encoder()
    enc.write_mesg({"mesg_num": num["FILE_ID"], "type": "activity", "manufacturer": "development",
                    "product": 0, "serial_number": 1, "time_created": stamps[0]})
    enc.write_mesg({"mesg_num": num["EVENT"], "timestamp": stamps[0], "event": "timer", "event_type": "start"})
    for i, stamp in enumerate(stamps):
        fields = _fit_fields({c: float(values[c][i]) for c in metrics})
        enc.write_mesg({"mesg_num": num["RECORD"], "timestamp": stamp, **fields})
    enc.write_mesg({"mesg_num": num["EVENT"], "timestamp": end, "event": "timer", "event_type": "stop_all"})
    totals = {"timestamp": end, "start_time": stamps[0], "total_elapsed_time": elapsed_s,
              "total_timer_time": elapsed_s}
    enc.write_mesg({"mesg_num": num["LAP"], **totals, "sport": sport})
    enc.write_mesg({"mesg_num": num["SESSION"], **totals, "sport": sport, "first_lap_index": 0, "num_laps": 1})
    enc.write_mesg({"mesg_num": num["ACTIVITY"], "timestamp": end, "total_timer_time": elapsed_s,
                    "num_sessions": 1, "type": "manual", "event": "activity", "event_type": "stop"})
    out = Path(path)
    out.write_bytes(enc.close())
    return out
