"""``json.dumps(obj, indent=..., allow_nan=False)``, byte for byte, fast for tables of records.

With an indent, :mod:`json` falls back to its pure-Python encoder (the C encoder has no indent):
one generator step per value, ~1.4 s for the 10 000 steps x 60 columns of a 1-hour run. Here a list
of flat records with the same keys in the same order (the step, segment and gap tables) is
encoded column by column (one type dispatch per cell, the lines joined in C); everything else
follows :mod:`json`'s layout rules. A :class:`Records` table is encoded the same way straight from
its columns, without building a dict per row. Anything this module does not recognise (other key types,
subclasses, non-finite floats, cycles) is handed to :func:`json.dumps` itself, so its output and
its errors are :mod:`json`'s own. ``tests/test_jsontext.py`` compares both on the same objects.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["Records", "dumps"]

_STR = json.encoder.encode_basestring_ascii  # json.dumps' default ensure_ascii=True


class _Fallback(Exception):
    """Not in the fast encoder's scope: let :func:`json.dumps` do it."""


def _float(v: float) -> str:
    if v - v != 0.0:  # NaN or +-inf: json.dumps(allow_nan=False) raises; let it
        raise _Fallback
    return float.__repr__(v)


def _bool(v: bool) -> str:
    return "true" if v else "false"


def _none(v: None) -> str:
    return "null"


# exact types only: subclasses (numpy scalars, IntEnum, ...) go the general way
_SCALAR = {float: _float, int: int.__repr__, str: _STR, bool: _bool, type(None): _none}


class Records:
    """A table that :func:`dumps` writes as a list of records ``{key: value, ...}``.

    ``keys`` are the records' keys in order, ``columns`` one list of plain JSON values per key
    (all of one length). The text is that of ``rows()`` (the same list of dicts), made from the
    columns directly.
    """

    __slots__ = ("keys", "columns")

    def __init__(self, keys: list[str], columns: list[list[Any]]) -> None:
        self.keys = keys
        self.columns = columns

    def rows(self) -> list[dict[str, Any]]:
        """The records as dicts."""
        return [dict(zip(self.keys, row, strict=True)) for row in zip(*self.columns, strict=True)]


def _rows(o: Any) -> list[dict[str, Any]]:
    """``default`` hook of :func:`json.dumps`: a :class:`Records` table as its rows."""
    if type(o) is Records:
        return o.rows()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(obj: Any, indent: int | str | None = None) -> str:
    """``json.dumps(obj, indent=indent, allow_nan=False)`` (same text), faster for record lists;
    :class:`Records` tables in ``obj`` are written as their rows."""
    if indent is None:  # json's C encoder already
        return json.dumps(obj, indent=None, allow_nan=False, default=_rows)
    ind = " " * indent if isinstance(indent, int) else str(indent)
    out: list[str] = []
    try:
        _encode(obj, ind, 0, out)
    except (_Fallback, RecursionError):
        return json.dumps(obj, indent=indent, allow_nan=False, default=_rows)
    return "".join(out)


def _encode(o: Any, ind: str, level: int, out: list[str]) -> None:
    fn = _SCALAR.get(type(o))
    if fn is not None:
        out.append(fn(o))
    elif type(o) is dict:
        if not o:
            out.append("{}")
            return
        nl = "\n" + ind * (level + 1)
        sep = "{" + nl
        for k, v in o.items():
            if type(k) is not str:
                raise _Fallback
            out.append(sep + _STR(k) + ": ")
            sep = "," + nl
            _encode(v, ind, level + 1, out)
        out.append("\n" + ind * level + "}")
    elif type(o) is Records:
        lines = _table_lines(o.keys, o.columns, ind, level + 1) if o.columns and o.columns[0] else None
        if lines is None:  # no rows, no keys, or a nested value: as its rows
            _encode(o.rows(), ind, level, out)
            return
        nl = "\n" + ind * (level + 1)
        out.append("[" + nl + ("," + nl).join(lines) + "\n" + ind * level + "]")
    elif type(o) is list or type(o) is tuple:
        if not o:
            out.append("[]")
            return
        nl = "\n" + ind * (level + 1)
        rows = _records(o, ind, level + 1)
        if rows is not None:
            out.append("[" + nl + ("," + nl).join(rows) + "\n" + ind * level + "]")
            return
        sep = "[" + nl
        for v in o:
            out.append(sep)
            sep = "," + nl
            _encode(v, ind, level + 1, out)
        out.append("\n" + ind * level + "]")
    else:
        raise _Fallback


def _records(rows: list | tuple, ind: str, level: int) -> list[str] | None:
    """Each row's text when ``rows`` are non-empty dicts of scalars with the same keys in the same
    order (one table), else None."""
    first = rows[0]
    if type(first) is not dict or not first:
        return None
    keys = list(first)
    for r in rows:
        if type(r) is not dict or list(r) != keys:
            return None
    return _table_lines(keys, [[r[k] for r in rows] for k in keys], ind, level)


def _table_lines(keys: list, columns: list[list], ind: str, level: int) -> list[str] | None:
    """Each record's text from the table's columns (one list of values per key, in order), or
    None when a key is not a string or a column holds a nested or non-plain value."""
    if any(type(k) is not str for k in keys):
        return None
    nl = "\n" + ind * (level + 1)
    texts = []
    for values in columns:
        kinds = set(map(type, values))
        if kinds == {float}:  # the common column: one C-level pass for the check and the text
            if not all(map(math.isfinite, values)):
                raise _Fallback
            texts.append(list(map(float.__repr__, values)))
        elif kinds == {str}:
            texts.append(list(map(_STR, values)))
        elif kinds <= _SCALAR.keys():
            texts.append([_SCALAR[type(v)](v) for v in values])
        else:  # a nested or non-plain value in this column
            return None
    # one %-format per record (the keys' own '%' escaped): the cells are joined in C
    fmt = "{" + ",".join(nl + _STR(k).replace("%", "%%") + ": %s" for k in keys) + "\n" + ind * level + "}"
    return [fmt % row for row in zip(*texts, strict=True)]
