"""The registry of input formats: how each is recognised and which reader handles it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import generic, mbientlab, mobiact, movesense, phyphox, polar, shimmer


@dataclass(frozen=True)
class Format:
    """One supported input format.

    Attributes
    ----------
    name : str
        The value of ``meta['format']`` and of ``read(format=...)``.
    description : str
        One line: app or device, what it holds, how it is recognised.
    matches : callable or None
        Header fields -> whether this is the format (None: recognised by magic bytes / JSON).
    """

    name: str
    description: str
    matches: Callable[[list[str]], bool] | None = None


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("generic-csv", "gaitlab CSV: time_s,acc_x_g,acc_y_g,acc_z_g[,gyr_x_dps,...] (units g|mps2|mg)",
           generic.is_generic),
    Format("polar-sensor-logger", "Polar Sensor Logger ACC file: 'Phone timestamp;sensor timestamp [ns];"
           "X [mg];Y [mg];Z [mg]' (+ sibling _GYRO file)", polar.is_polar_acc),
    Format("mbientlab-metabase", "MbientLab MetaBase: 'epoch (ms),time (..),elapsed (s),x-axis (g),...' "
           "(+ sibling Gyroscope file)", mbientlab.is_metabase_acc),
    Format("phyphox", "phyphox 'Acceleration with g': '\"Time (s)\",\"Acceleration x (m/s^2)\",...'",
           phyphox.is_phyphox_acc),
    Format("movesense-showcase-csv", "Movesense Showcase CSV: 'Timestamp,x,y,z' (ms, m/s^2)",
           movesense.is_movesense_csv),
    Format("movesense-showcase-json", 'Movesense Showcase JSON: {"data":[{"acc":{"Timestamp",'
           '"ArrayAcc"}}]}'),
    Format("mobiact", "MobiAct Android logger raw text: '#' comments (Datetime, Activity), '#timestamp(ns),x,y,"
           "z(m/s^2)', '@DATA', rows (+ sibling _gyro_ file in rad/s)", mobiact.is_mobiact_acc),
    Format("shimmer", "Shimmer ConsensysPRO / ShimmerCapture CSV: '[<device>_]Accel_LN_X[_CAL],...' with a "
           "Timestamp column (ms), optional 'sep=' line and units row; LN or WR accel, Gyro in deg/s",
           shimmer.is_shimmer),
    Format("parquet", "Parquet written by gaitlab.io.write (generic columns + metadata)"),
)}

#: Headers that are recognised but cannot be read on their own: (test, message).
COMPANION_HEADERS: tuple[tuple[Callable[[list[str]], bool], str], ...] = (
    (phyphox.is_phyphox_gyro, "a phyphox gyroscope export"),
    (polar.is_polar_gyro, "a Polar Sensor Logger GYRO file"),
    (mbientlab.is_metabase_gyro, "a MbientLab MetaBase gyroscope file"),
    (mobiact.is_mobiact_gyro, "a MobiAct gyroscope file"),
)


def expected_formats() -> str:
    """The list used in 'unknown header' messages."""
    return "; ".join(f"{f.name} ({f.description})" for f in FORMATS.values())
