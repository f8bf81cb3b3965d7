"""``json.dumps(obj, indent=..., allow_nan=False)``, byte for byte, fast for tables of records.

With an indent, :mod:`json` falls back to its pure-Python encoder (the C encoder has no indent):
one generator step per value, ~1.4 s for the 10 000 steps x 60 columns of a 1-hour run. Here a list
of flat records with the same keys in the same order (the step, segment and gap tables) is
encoded column by column (one type dispatch per cell, the lines joined in C); everything else
follows :mod:`json`'s layout rules. Anything this module does not recognise (other key types,
subclasses, non-finite floats, cycles) is handed to :func:`json.dumps` itself, so its output and
its errors are :mod:`json`'s own. ``tests/test_jsontext.py`` compares both on the same objects.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps"]

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


def dumps(obj: Any, indent: int | str | None = None) -> str:
    """``json.dumps(obj, indent=indent, allow_nan=False)`` (same text), faster for record lists."""
    if indent is None:  # json's C encoder already
        return json.dumps(obj, indent=None, allow_nan=False)
    ind = " " * indent if isinstance(indent, int) else str(indent)
    out: list[str] = []
    try:
        _encode(obj, ind, 0, out)
    except (_Fallback, RecursionError):
        return json.dumps(obj, indent=indent, allow_nan=False)
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
    if any(type(k) is not str for k in keys):
        return None
    for r in rows:
        if type(r) is not dict or list(r) != keys:
            return None
    nl = "\n" + ind * (level + 1)
    cells = []
    for j, k in enumerate(keys):
        head = ("{" if j == 0 else ",") + nl + _STR(k) + ": "
        values = [r[k] for r in rows]
        kinds = set(map(type, values))
        if kinds == {float}:  # the common column: one C-level pass for the check and the text
            if not all(map(math.isfinite, values)):
                raise _Fallback
            text = map(float.__repr__, values)
        elif kinds <= _SCALAR.keys():
            text = (_SCALAR[type(v)](v) for v in values)
        else:  # a nested or non-plain value in this column
            return None
        cells.append([head + t for t in text])
    close = "\n" + ind * level + "}"
    return ["".join(row) + close for row in zip(*cells, strict=True)]
