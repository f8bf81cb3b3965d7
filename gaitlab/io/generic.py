"""The generic CSV (``docs/formats.md``) and explicit column mappings for unknown CSVs.

Header: ``time_s`` then ``acc_x_<u>, acc_y_<u>, acc_z_<u>`` with ``<u>`` = ``g``, ``mps2`` or
``mg``; optional ``gyr_x_dps, gyr_y_dps, gyr_z_dps`` (``_rads`` accepted); any further numeric
column is kept as an ``extra`` channel (e.g. ``speed_mps``). The time column may also be
``time_ms``, ``time_us``, ``time_ns``, or ``time``/``timestamp`` holding ISO-8601 date-times.
Comma-, semicolon- or tab-separated; ``#`` comment lines before the header are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, option
from ._assemble import (
    ACC_UNITS,
    GYR_UNITS,
    TIME_UNITS,
    Signal,
    iso_from_ns,
    parse_datetimes,
    seconds_from_numbers,
)
from ._source import Source
from ._table import Header, TextTable, read_table

_TIME_RE = re.compile(r"^time_(s|ms|us|ns)$")
_TIME_PLAIN = ("time", "timestamp", "datetime")
_ACC_RE = re.compile(r"^acc_([xyz])_(g|mps2|mg)$")
_GYR_RE = re.compile(r"^gyr_([xyz])_(dps|rads)$")
AXES = ("x", "y", "z")
#: Keys accepted in the ``columns=`` override.
ROLE_KEYS = ("time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")


@dataclass
class Roles:
    """Which column plays which part, and in which unit."""

    time: str
    time_unit: str | None  # None: ISO date-times (or numbers needing time_unit=)
    acc: list[str]
    acc_unit: str
    gyr: list[str] | None = None
    gyr_unit: str = "dps"
    extra: list[str] = field(default_factory=list)


def is_generic(fields: list[str]) -> bool:
    """A header in the generic layout: a time column and at least one ``acc_<axis>_<unit>``."""
    has_time = any(_TIME_RE.match(f) or f.lower() in _TIME_PLAIN for f in fields)
    return has_time and any(_ACC_RE.match(f) for f in fields)


def generic_roles(fields: list[str], path: str, line: int | None) -> Roles:
    """Map a generic-layout header to roles; a missing axis or mixed units is an error."""
    time = next((f for f in fields if _TIME_RE.match(f)), None)
    time_unit = _TIME_RE.match(time).group(1) if time else None
    if time is None:
        time = next(f for f in fields if f.lower() in _TIME_PLAIN)
    acc = {m.group(1): (f, m.group(2)) for f in fields if (m := _ACC_RE.match(f))}
    units = {u for _, u in acc.values()}
    if len(units) > 1:
        raise InputError(f"acceleration columns mix units ({', '.join(sorted(units))}); expected one unit "
                         "for all three axes", path=path, line=line)
    (acc_unit,) = units
    missing = [f"acc_{ax}_{acc_unit}" for ax in AXES if ax not in acc]
    if missing:
        raise InputError(f"missing axis column {', '.join(missing)}; expected acc_x_{acc_unit}, "
                         f"acc_y_{acc_unit}, acc_z_{acc_unit}", path=path, line=line)
    gyr = {m.group(1): (f, m.group(2)) for f in fields if (m := _GYR_RE.match(f))}
    gyr_cols, gyr_unit = None, "dps"
    if gyr:
        missing = [f"gyr_{ax}_dps" for ax in AXES if ax not in gyr]
        if missing:
            raise InputError(f"missing axis column {', '.join(missing)}; gyroscope columns must come as "
                             "gyr_x_dps, gyr_y_dps, gyr_z_dps", path=path, line=line)
        gyr_cols = [gyr[ax][0] for ax in AXES]
        gyr_unit = gyr["x"][1]
    used = {time, *(acc[ax][0] for ax in AXES), *(gyr_cols or ())}
    extra = [f for f in fields if f not in used and f]
    return Roles(time, time_unit, [acc[ax][0] for ax in AXES], acc_unit, gyr_cols, gyr_unit, extra)


def mapped_roles(fields: list[str], columns: dict[str, str], path: str, line: int | None) -> Roles:
    """Roles from an explicit ``columns={"time": ..., "acc_x": ..., ...}`` override."""
    unknown = sorted(set(columns) - set(ROLE_KEYS))
    if unknown:
        raise InputError(f"unknown key(s) {unknown} in {option('columns')}; expected {', '.join(ROLE_KEYS)}", path=path)
    need = ["time", "acc_x", "acc_y", "acc_z"]
    missing = [k for k in need if k not in columns]
    if missing:
        raise InputError(f"{option('columns')} must name {', '.join(need)}; missing {', '.join(missing)}", path=path)
    absent = [v for v in columns.values() if v not in fields]
    if absent:
        raise InputError(f"column(s) {', '.join(map(repr, absent))} from {option('columns')} are not in the header "
                         f"({', '.join(map(repr, fields))})", path=path, line=line)
    gyr = [columns[f"gyr_{ax}"] for ax in AXES] if all(f"gyr_{ax}" in columns for ax in AXES) else None
    # units from a generic-style suffix when there is one; acc_unit= overrides
    m = _ACC_RE.match(columns["acc_x"])
    tm = _TIME_RE.match(columns["time"])
    return Roles(columns["time"], tm.group(1) if tm else None, [columns[f"acc_{ax}"] for ax in AXES],
                 m.group(2) if m else "g", gyr, "dps", [])


def read_generic(src: Source, header: Header, opts: dict[str, Any], roles: Roles | None = None,
                 fmt: str = "generic-csv") -> Signal:
    """Read a generic-layout CSV (or any CSV with ``roles`` given) into a :class:`Signal`."""
    path = src.path
    if roles is None:
        roles = generic_roles(header.fields, path, header.line)
    time_unit = opts.get("time_unit") or roles.time_unit
    acc_unit = opts.get("acc_unit") or roles.acc_unit
    if acc_unit not in ACC_UNITS:
        raise InputError(f"acc_unit must be one of {', '.join(ACC_UNITS)}, found {acc_unit!r}", path=path)
    if time_unit not in (None, "iso", *TIME_UNITS):
        raise InputError(f"time_unit must be one of {', '.join((*TIME_UNITS, 'iso'))}, found {time_unit!r}",
                         path=path)
    time_kind = {"ns": "int", "us": "int", None: "str", "iso": "str"}.get(time_unit, "float")
    types = {roles.time: time_kind, **{c: "float" for c in roles.acc}}
    if roles.gyr:
        types.update({c: "float" for c in roles.gyr})
    types.update({c: "auto" for c in roles.extra})
    table = read_table(src.data, header, path, types)
    meta: dict[str, Any] = {"format": fmt}
    t_s = _time_seconds(table, roles.time, time_unit, meta)
    acc = np.column_stack([table.columns[c] for c in roles.acc]) if table.n_rows else np.empty((0, 3))
    gyr = None
    if roles.gyr:
        gyr = np.column_stack([table.columns[c] for c in roles.gyr]) if table.n_rows else np.empty((0, 3))
        if roles.gyr_unit not in GYR_UNITS:
            raise InputError(f"unknown gyroscope unit {roles.gyr_unit!r}", path=path)
    extra = {c: table.columns[c] for c in roles.extra if c in table.columns}
    names = {"time": roles.time, **{f"acc_{ax}": c for ax, c in zip(AXES, roles.acc)}}
    if roles.gyr:
        names.update({f"gyr_{ax}": c for ax, c in zip(AXES, roles.gyr)})
    meta["units"] = {"time": meta.pop("_time_unit"), "acc": acc_unit,
                     **({"gyr": roles.gyr_unit} if roles.gyr else {})}
    return Signal(path, t_s, acc, acc_unit, gyr, roles.gyr_unit, extra, table.line_of, names, meta)


def _time_seconds(table: TextTable, col: str, unit: str | None, meta: dict[str, Any]) -> np.ndarray:
    """Time column -> seconds on the file's clock; ISO date-times set ``meta['start_time']``."""
    values = table.columns[col]
    if unit in TIME_UNITS:
        meta["_time_unit"] = unit
        return seconds_from_numbers(values, unit, meta)
    if values.size == 0:
        meta["_time_unit"] = "iso"
        return np.zeros(0)
    if unit is None:
        import pandas as pd

        as_num = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        if as_num.notna().all():
            raise InputError(f"time column {col!r} holds numbers but does not say their unit; rename it "
                             f"time_s/time_ms/time_us/time_ns or pass {option('time_unit')}", path=table.path,
                             line=table.header.line, column=col)
    ns = parse_datetimes(values, table.path, col, table.line_of)
    meta["_time_unit"] = "iso"
    meta["start_time"] = iso_from_ns(int(ns[0]))
    t_s = seconds_from_numbers(ns, "ns", meta)
    meta.pop("_origin", None)  # absolute start is in start_time
    return t_s
