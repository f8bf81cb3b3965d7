"""Parquet: the generic column layout, with fs/placement/side/meta in the key-value metadata.

Written by :func:`gaitlab.io.write` (key ``gaitlab``: JSON ``{"version", "fs", "placement",
"side", "meta"}``); a Parquet file from elsewhere in the generic column layout reads too.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from ..errors import InputError, option
from ._assemble import Signal
from ._source import Source
from .generic import generic_roles, is_generic, seconds_from_numbers
from .writers import PARQUET_META_KEY


def read_parquet(src: Source, opts: dict[str, Any]) -> tuple[Signal, dict[str, Any]]:
    """A Parquet file as a :class:`Signal` plus the stored Recording fields (fs, placement, side)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(src.data))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read as Parquet: {exc}", path=src.path) from None
    fields = table.column_names
    if not is_generic(fields):
        raise InputError(f"Parquet columns {fields} are not in the generic layout; expected time_s, "
                         "acc_x_g, acc_y_g, acc_z_g[, gyr_x_dps, ...]", path=src.path)
    roles = generic_roles(fields, src.path, None)
    stored: dict[str, Any] = {}
    kv = table.schema.metadata or {}
    if PARQUET_META_KEY in kv:
        try:
            stored = json.loads(kv[PARQUET_META_KEY])
        except ValueError:
            stored = {}

    def col(name: str) -> np.ndarray:
        c = table.column(name)
        if not (pa.types.is_floating(c.type) or pa.types.is_integer(c.type)):
            raise InputError(f"column has type {c.type}; expected numbers", path=src.path, column=name)
        return np.asarray(c.to_numpy(), dtype=np.float64)

    meta = dict(stored.get("meta") or {})
    unit = opts.get("time_unit") or roles.time_unit or "s"
    if unit == "iso":
        raise InputError(f"{option('time_unit', 'iso')} is not supported for Parquet", path=src.path)
    t_raw = table.column(roles.time).to_numpy()
    t_s = seconds_from_numbers(t_raw if np.issubdtype(t_raw.dtype, np.integer) else col(roles.time), unit,
                               meta)
    acc = np.column_stack([col(c) for c in roles.acc])
    gyr = np.column_stack([col(c) for c in roles.gyr]) if roles.gyr else None
    extra = {}
    for c in roles.extra:
        typ = table.column(c).type
        if pa.types.is_floating(typ) or pa.types.is_integer(typ):
            extra[c] = col(c)
    if "format" in meta and meta["format"] != "parquet":
        meta["converted_from"] = meta["format"]
    meta["format"] = "parquet"
    meta.setdefault("units", {"time": unit, "acc": roles.acc_unit, **({"gyr": roles.gyr_unit} if gyr is not None else {})})
    names = {"time": roles.time, **{f"acc_{ax}": c for ax, c in zip("xyz", roles.acc)}}
    sig = Signal(src.path, t_s, acc, opts.get("acc_unit") or roles.acc_unit, gyr, roles.gyr_unit, extra,
                 lambda row: None, names, meta)
    return sig, {k: stored.get(k) for k in ("fs", "placement", "side")}
