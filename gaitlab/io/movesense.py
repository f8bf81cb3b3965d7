"""Movesense Showcase app exports (Movesense sensors, ``/Meas/Acc`` and ``/Meas/Gyro``): JSON and CSV.

The sensor sends notifications of several samples at once; each carries the sensor's local time
stamp (milliseconds) of its *first* sample and the samples' x, y, z in m/s^2 (specific force,
gravity included) for ``/Meas/Acc``, in deg/s for ``/Meas/Gyro``. The Showcase app's JSON export
keeps that structure::

    {"data": [{"acc": {"Timestamp": 1234567, "ArrayAcc": [{"x": .., "y": .., "z": ..}, ...]}},
              {"gyro": {"Timestamp": 1234567, "ArrayGyro": [...]}}, ...]}

IMU entries (``/Meas/IMU6``, ``/Meas/IMU9``: one ``Timestamp`` with both ``ArrayAcc`` and
``ArrayGyro``) are read too. The CSV export flattens the same data to one row per sample,
``Timestamp,x,y,z`` (time stamp repeated within a notification). Sample times are
``Timestamp + k * T`` for the k-th sample of a notification, with the sample period ``T`` =
median over notifications of (time-stamp step / samples per notification): the time stamps are
millisecond-rounded, so spacing the samples evenly is more accurate than repeating them.
Acc and gyro share the sensor clock, so the gyroscope is interpolated onto the accelerometer's
sample times.

References
----------
Movesense device API, ``movesense-device-lib`` ``MovesenseCoreLib/resources/movesense-api/meas/
acc.yaml`` (``/Meas/Acc/{SampleRate}``: ``Timestamp`` + ``ArrayAcc`` in m/s^2) and ``gyro.yaml``;
Movesense .NET ``MdsLibrary`` model docs ("Timestamp: local timestamp of first measurement in the
array of readings"). JSON layout ``{"data":[{"acc":{"Timestamp","ArrayAcc"}}]}`` as read by public
analysis scripts of Showcase exports on GitHub. The CSV header layout is inferred from that JSON
structure and has not been checked against an app export.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..errors import InputError
from ._assemble import Signal
from ._source import Source
from ._table import Header, read_table

_CSV_TIME = ("timestamp", "timestamp (ms)", "timestamp [ms]")


def _norm(f: str) -> str:
    return f.strip().lower()


def is_movesense_csv(fields: list[str]) -> bool:
    low = [_norm(f) for f in fields]
    return len(low) >= 4 and low[0] in _CSV_TIME and _axis_columns(fields) is not None


def _axis_columns(fields: list[str]) -> list[str] | None:
    """The x, y, z columns: ``x``/``y``/``z`` or ``ArrayAcc.x`` / ``acc x`` style names."""
    out = []
    for ax in "xyz":
        hit = next((f for f in fields if _norm(f) in (ax, f"arrayacc.{ax}", f"acc {ax}", f"acc_{ax}",
                                                      f"arrayacc {ax}", f"acc{ax}")), None)
        if hit is None:
            return None
        out.append(hit)
    return out


def spread_packet_times(ts_ms: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-sample times (s) from per-notification first-sample stamps (ms) and sample counts.

    Returns
    -------
    t_s : ndarray
        ``ts + k * T`` for the k-th sample of each notification, in seconds.
    period_s : float
        The estimated sample period ``T``.
    """
    ts = np.asarray(ts_ms, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.int64)
    if ts.size >= 2:
        steps = np.diff(ts) / counts[:-1]
        good = steps > 0
        period_ms = float(np.median(steps[good])) if good.any() else float("nan")
        # stamps are whole milliseconds: average over all gap-free notifications instead
        near = good & (np.abs(steps - period_ms) < 0.5 * period_ms)
        if near.any():
            period_ms = float(np.diff(ts)[near].sum() / counts[:-1][near].sum())
    else:
        period_ms = float("nan")
    if not np.isfinite(period_ms):
        period_ms = 0.0  # a single notification: the row checks report the duplicated times
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return (np.repeat(ts - ts[0] if ts.size else ts, counts) + k * period_ms) * 1e-3, period_ms * 1e-3


def read_movesense_csv(src: Source, header: Header, opts: dict[str, Any]) -> Signal:
    """A Movesense Showcase CSV (one row per sample, stamp repeated per notification)."""
    tcol = header.fields[0]
    axes = _axis_columns(header.fields)
    table = read_table(src.data, header, src.path, {tcol: "float", **{c: "float" for c in axes}})
    ts = table.columns[tcol]
    acc = np.column_stack([table.columns[c] for c in axes]) if table.n_rows else np.empty((0, 3))
    if ts.size and np.isfinite(ts).all():
        starts = np.flatnonzero(np.concatenate(([True], ts[1:] != ts[:-1])))
        counts = np.diff(np.concatenate((starts, [ts.size])))
        t_s, _ = spread_packet_times(ts[starts], counts)
        origin = (float(ts[0]), "ms")
    else:
        origin = (0.0, "ms")
        t_s = ts * 1e-3  # non-finite stamps: reported with their line by the row checks
    names = {"time": tcol, **{f"acc_{ax}": c for ax, c in zip("xyz", axes)}}
    meta = {"format": "movesense-showcase-csv", "units": {"time": "ms", "acc": "mps2"}, "_origin": origin}
    return Signal(src.path, t_s, acc, opts.get("acc_unit") or "mps2", None, "dps", {}, table.line_of,
                  names, meta)


def read_movesense_json(src: Source, opts: dict[str, Any]) -> tuple[Signal, Signal | None]:
    """A Movesense Showcase JSON export: the accelerometer and, when present, gyroscope."""
    path = src.path
    try:
        doc = json.loads(src.data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid JSON: {getattr(exc, 'msg', exc)}", path=path, line=line) from None
    entries = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError('expected a Movesense JSON export {"data": [{"acc": {"Timestamp": .., "ArrayAcc": '
                         '[..]}}, ..]}; found no "data" list', path=path)
    acc_parts: list[tuple[float, list]] = []
    gyr_parts: list[tuple[float, list]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(f'"data"[{i}] is not an object', path=path)
        for body in entry.values():
            if not isinstance(body, dict) or "Timestamp" not in body:
                continue
            if "ArrayAcc" in body:
                acc_parts.append((body["Timestamp"], body["ArrayAcc"]))
            if "ArrayGyro" in body:
                gyr_parts.append((body["Timestamp"], body["ArrayGyro"]))
    if not acc_parts:
        raise InputError('no accelerometer entries ("ArrayAcc") in this Movesense JSON export', path=path)
    meta = {"format": "movesense-showcase-json", "units": {"time": "ms", "acc": "mps2"}}
    if gyr_parts:
        meta["units"]["gyr"] = "dps"
    acc_sig = _json_signal(path, acc_parts, "acc", meta)
    acc_sig.acc_unit = opts.get("acc_unit") or "mps2"
    gyr_sig = _json_signal(path, gyr_parts, "gyr", meta) if gyr_parts else None
    return acc_sig, gyr_sig


def _json_signal(path: str, parts: list[tuple[Any, list]], kind: str, meta: dict[str, Any]) -> Signal:
    try:
        ts = np.array([float(p[0]) for p in parts])
        counts = np.array([len(p[1]) for p in parts], dtype=np.int64)
        xyz = np.array([[float(s["x"]), float(s["y"]), float(s["z"])] for p in parts for s in p[1]],
                       dtype=np.float64).reshape(-1, 3)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"malformed {kind} sample in the Movesense JSON ({type(exc).__name__}: {exc}); "
                         'expected {"x": number, "y": number, "z": number}', path=path) from None
    t_s, _ = spread_packet_times(ts, counts)
    meta = {**meta, "units": dict(meta["units"]), "_origin": (float(ts[0]) if ts.size else 0.0, "ms")}
    names = {"time": "Timestamp", **{f"{kind}_{ax}": f"Array{'Acc' if kind == 'acc' else 'Gyro'}.{ax}"
                                     for ax in "xyz"}}
    if kind == "acc":
        return Signal(path, t_s, xyz, "mps2", None, "dps", {}, lambda row: None, names, meta)
    return Signal(path, t_s, None, "mps2", xyz, "dps", {}, lambda row: None, names, meta)
