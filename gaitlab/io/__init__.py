"""Reading and writing recordings: the generic CSV, app exports, Parquet.

>>> import gaitlab.io
>>> rec = gaitlab.io.read("run.csv.gz", placement="waist")        # doctest: +SKIP
>>> gaitlab.io.write(rec, "run.parquet")                          # doctest: +SKIP

Supported input formats are listed in :data:`FORMATS` (and ``docs/formats.md``): the generic
CSV (plain or gzip), Parquet, Polar Sensor Logger, MbientLab MetaBase, phyphox, Movesense
Showcase (CSV and JSON), the MobiAct Android logger's raw text, Shimmer Consensys/ShimmerCapture CSV. Every reader goes through the same checks (``_assemble``), so bad input
always gets a typed :class:`~gaitlab.errors.InputError` naming file, line and column.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from ..errors import InputError, option
from ..recording import Recording
from ._assemble import Signal, finish
from ._source import Source, load
from ._table import Header, find_header
from .fit import read_fit as read_fit  # Garmin FIT running dynamics (a table, not a Recording)
from .formats import COMPANION_HEADERS, FORMATS, Format, expected_formats
from .writers import WRITE_FORMATS, write

__all__ = ["read", "write", "FORMATS", "Format", "WRITE_FORMATS", "OVERRIDES"]

#: Keyword overrides :func:`read` accepts.
OVERRIDES = ("time_unit", "acc_unit", "fs", "side", "columns", "gyro_path", "decimal_comma")
_COLUMNS_HINT = {"time": "...", "acc_x": "...", "acc_y": "...", "acc_z": "..."}


def read(path: str | os.PathLike[str], placement: str | None = None, format: str = "auto",
         **overrides: Any) -> Recording:
    """Read a recording from a file, recognising its format.

    Parameters
    ----------
    path : str or path-like
        The file: generic CSV (``.csv``/``.csv.gz``; gzip is detected by its magic bytes),
        Parquet, or an app export (see :data:`FORMATS`).
    placement : {'waist', 'shoe'}, optional
        Where the sensor was worn; None (or ``'auto'``) = unknown, the analysis decides.
    format : str, default 'auto'
        A key of :data:`FORMATS` to skip recognition.
    **overrides
        ``time_unit`` ('s', 'ms', 'us', 'ns', 'iso'), ``acc_unit`` ('g', 'mps2', 'mg'), ``fs``
        (nominal Hz), ``side`` ('L'/'R'), ``columns`` (``{"time": .., "acc_x": .., "acc_y": ..,
        "acc_z": ..[, "gyr_x": .., ...]}`` for an unknown CSV header), ``gyro_path`` (the
        gyroscope file of an app that writes one file per sensor), ``decimal_comma`` (True: numbers
        are written ``0,5``, as spreadsheets in European locales export them; detected by itself
        when fields are separated by ``;`` or tabs).

    Returns
    -------
    Recording
        Time in seconds from the first sample (``t[0] == 0``), acceleration in g (specific force,
        sensor frame), angular rate in deg/s. ``meta`` holds ``source``, ``format``, ``units``
        and, when the file says, ``device`` and ``start_time`` (ISO-8601); ``t0_s`` is the
        file's first time stamp when it was not 0 and no absolute start is known.

    Raises
    ------
    InputError
        Anything wrong with the content, with file, line (header = line 1) and column.
    FileNotFoundError
        No such file.

    Notes
    -----
    ``fs`` is estimated as ``1 / median(interval)`` rounded to 9 significant digits unless the
    file (Parquet) or ``fs=`` gives it. A separate gyroscope file is aligned to the
    accelerometer's time stamps by linear interpolation, and only for files of one app, whose
    time stamps come from one clock (see ``docs/formats.md``).
    """
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise TypeError(f"read() got unexpected keyword(s) {unknown}; accepted: {', '.join(OVERRIDES)}")
    if placement == "auto":
        placement = None
    if format != "auto" and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; expected 'auto' or one of {', '.join(FORMATS)}")
    src = load(path)
    fs = overrides.get("fs")
    side = overrides.get("side")
    gyro: Signal | None = None
    if src.kind == "parquet" or format == "parquet":
        from .parquet import read_parquet

        if src.kind != "parquet":
            raise InputError("format='parquet' but the file does not start with the Parquet magic bytes",
                             path=src.path)
        sig, stored = read_parquet(src, overrides)
        fs = fs if fs is not None else stored.get("fs")
        side = side if side is not None else stored.get("side")
        placement = placement if placement is not None else stored.get("placement")
    elif format == "movesense-showcase-json" or (format == "auto" and src.data.lstrip()[:1] in (b"{", b"[")):
        from .movesense import read_movesense_json

        sig, gyro = read_movesense_json(src, overrides)
    else:
        header = _with_decimal(find_header(src.data, src.path), overrides)
        sig, name = _read_text(src, header, format, overrides)
        gyro_path = overrides.get("gyro_path")
        if gyro_path is None and sig.gyr is None:
            gyro_path = _sibling_gyro(name, src.path)
        if gyro_path is not None:
            gyro = _read_gyro_file(gyro_path, name, overrides)
    if overrides.get("gyro_path") is not None and gyro is None:
        raise InputError(f"{option('gyro_path')} applies only to app exports that write one file per sensor",
                         path=src.path)
    return finish(sig, placement=placement, side=side, fs=fs, gyro=gyro)


def _with_decimal(header: Header, opts: dict[str, Any]) -> Header:
    """The header with the decimal mark ``decimal_comma=True`` asks for."""
    return dataclasses.replace(header, decimal=",") if opts.get("decimal_comma") else header


def _read_text(src: Source, header: Header, format: str, opts: dict[str, Any]) -> tuple[Signal, str]:
    from . import generic, mbientlab, mobiact, movesense, phyphox, polar, shimmer

    fields = header.fields
    if opts.get("columns"):
        roles = generic.mapped_roles(fields, dict(opts["columns"]), src.path, header.line)
        return generic.read_generic(src, header, opts, roles, fmt="mapped-csv"), "mapped-csv"
    if format == "auto":
        if phyphox.is_phyphox_linear(fields):
            phyphox.reject_linear(src, header, opts)
        fmt = next((f for f in FORMATS.values() if f.matches and f.matches(fields)), None)
        if fmt is None and (multi := shimmer.expand_header(src, header)) is not None \
                and shimmer.is_shimmer(multi.fields):
            fmt = FORMATS["shimmer"]  # ShimmerCapture's device / signal / CAL rows
        if fmt is None:
            for test, what in COMPANION_HEADERS:
                if test(fields):
                    raise InputError(f"this is {what}, which holds no accelerometer data; read the "
                                     "accelerometer file instead (the gyroscope file next to it is picked "
                                     f"up), or pass this one as {option('gyro_path')}", path=src.path, line=header.line)
            shown = header.delimiter.join(fields)
            if len(shown) > 120:
                shown = shown[:117] + "..."
            raise InputError(f"unrecognised header {shown!r}; expected one of: {expected_formats()}; or "
                             f"pass {option('columns', _COLUMNS_HINT)}",
                             path=src.path, line=header.line)
        name = fmt.name
    else:
        name = format
    readers = {
        "generic-csv": generic.read_generic,
        "polar-sensor-logger": polar.read_polar,
        "mbientlab-metabase": mbientlab.read_metabase,
        "phyphox": phyphox.read_phyphox,
        "movesense-showcase-csv": movesense.read_movesense_csv,
        "mobiact": mobiact.read_mobiact,
        "shimmer": shimmer.read_shimmer,
    }
    return readers[name](src, header, opts), name


def _sibling_gyro(name: str, path: str) -> Path | None:
    from . import mbientlab, mobiact, phyphox, polar

    finder = {"polar-sensor-logger": polar.sibling_gyro, "mbientlab-metabase": mbientlab.sibling_gyro,
              "phyphox": phyphox.sibling_gyro, "mobiact": mobiact.sibling_gyro}.get(name)
    return None if finder is None else finder(path)


def _read_gyro_file(path: str | os.PathLike[str], acc_format: str, opts: dict[str, Any]) -> Signal:
    """The gyroscope file of a two-file app export; it must be the same app (one clock)."""
    from . import mbientlab, mobiact, phyphox, polar

    src = load(path)
    if src.kind != "text":
        raise InputError("expected a text gyroscope export", path=src.path)
    header = _with_decimal(find_header(src.data, src.path), opts)
    kinds = (("polar-sensor-logger", polar.is_polar_gyro, polar.read_polar),
             ("mbientlab-metabase", mbientlab.is_metabase_gyro, mbientlab.read_metabase),
             ("phyphox", phyphox.is_phyphox_gyro, phyphox.read_phyphox),
             ("mobiact", mobiact.is_mobiact_gyro, mobiact.read_mobiact))
    for name, test, reader in kinds:
        if test(header.fields):
            if name != acc_format:
                raise InputError(f"the gyroscope file is a {name} export but the accelerometer file is "
                                 f"{acc_format}; they do not share a clock, so they cannot be aligned",
                                 path=src.path)
            return reader(src, header, opts, gyro=True)
    raise InputError(f"unrecognised gyroscope header {header.fields}; expected a Polar Sensor Logger GYRO, "
                     "MbientLab MetaBase gyroscope, phyphox gyroscope or MobiAct gyro export", path=src.path,
                     line=header.line)
