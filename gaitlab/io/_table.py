"""Delimited text tables, parsed fast and reported precisely.

Arrow's CSV reader does the parsing (multithreaded, no per-row Python). It does not know line
numbers, so when it fails, or when a later check finds a bad row, the line is recovered from the
row index by one vectorised pass over the bytes (newline positions, blank lines skipped the same
way Arrow skips them). The header is line 1 of the file plus any preamble lines before it.
"""

from __future__ import annotations

import csv
import logging
import math
import re
import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..errors import InputError, option

log = logging.getLogger(__name__)

#: Delimiters tried, in order of preference when the header line contains several of them.
DELIMITERS = (",", ";", "\t")
#: Lines scanned for a header (after blank and '#' comment lines).
MAX_PREAMBLE_LINES = 50
#: A number written with a decimal comma (``0,5``, ``-9,81``): a European spreadsheet export.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
#: Cells Arrow reads as null in numeric columns; they become NaN and are reported as such.
NULL_TOKENS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
               "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null")


@dataclass(frozen=True)
class Header:
    """The header line of a delimited text file.

    Attributes
    ----------
    fields : list of str
        Column names, stripped of quotes and surrounding spaces.
    delimiter : str
        The field separator.
    line : int
        1-based line number of the header.
    offset : int
        Byte offset of the header line's first byte.
    last_line, last_offset : int or None
        The line (1-based) and byte offset of the last line before the data rows when that is
        not the header itself: a units row under the header (Shimmer), or the ``@DATA`` marker
        under a header written as a ``#`` comment (MobiAct). None: the data follow the header.
    decimal : str
        The decimal mark of the numbers: ``'.'``, or ``','`` (European spreadsheet exports).
    """

    fields: list[str]
    delimiter: str
    line: int
    offset: int
    last_line: int | None = None
    last_offset: int | None = None
    decimal: str = "."

    @property
    def data_line(self) -> int:
        """The line just before the first data row (the header, or the line that closes it)."""
        return self.line if self.last_line is None else self.last_line

    @property
    def data_offset(self) -> int:
        """Byte offset of that line: parsing starts there and skips it."""
        return self.offset if self.last_offset is None else self.last_offset


#: A first line declaring the separator, as Excel and Shimmer Consensys write it: ``sep=,`` or
#: ``"sep=<TAB>"`` (also the two characters backslash-t).
_SEP_LINE = re.compile(r'^"?sep=(?P<d>\\t|[^"\r\n])"?\r?$', re.IGNORECASE)
#: A line that ends a header given as a '#' comment (MobiAct's Android logger writes
#: ``#timestamp(ns),x,y,z(m/s^2)`` among its comments, then ``@DATA``, then the rows).
DATA_MARKER = "@DATA"


def find_header(data: bytes, path: str) -> Header:
    """Locate the header: the first line that is neither blank nor a ``#`` comment.

    Two layouts around it are recognised. A first line ``sep=X`` (Excel's separator declaration,
    written by Shimmer Consensys) is skipped and fixes the delimiter. A line ``@DATA`` means the
    header was written as a ``#`` comment above it (MobiAct): the last comment line with as many
    fields as the first data row is the header, and the data start after ``@DATA``.
    """
    pos = 0
    forced: str | None = None
    comments: list[tuple[int, int, str]] = []  # (line, offset, text) of '#' lines
    for line_no in range(1, MAX_PREAMBLE_LINES + 2):
        end = data.find(b"\n", pos)
        raw = data[pos:] if end < 0 else data[pos:end]
        line_text = raw.decode("utf-8", errors="replace")
        text = line_text.strip()
        sep = _SEP_LINE.match(line_text.lstrip(" ")) if forced is None and not comments else None
        if sep:
            forced = "\t" if sep.group("d") == "\\t" else sep.group("d")
        elif text.upper() == DATA_MARKER:
            return _commented_header(data, path, comments, line_no, pos, end)
        elif text and not text.startswith("#"):
            delimiter = forced or max(DELIMITERS, key=lambda d: (text.count(d), -DELIMITERS.index(d)))
            text = _keep_trailing_tabs(data, end, line_text, text, delimiter)
            try:
                fields = next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
            except csv.Error as exc:  # e.g. a lone carriage return inside the header line
                raise InputError(f"the header line cannot be parsed as delimited text: {exc}",
                                 path=path, line=line_no) from None
            return Header([f.strip() for f in fields], delimiter, line_no, pos)
        elif text:
            comments.append((line_no, pos, text))
        if end < 0:
            break
        pos = end + 1
    raise InputError("no header line found (only blank or '#' comment lines)", path=path)


def _keep_trailing_tabs(data: bytes, end: int, line_text: str, text: str, delimiter: str) -> str:
    """A tab-separated header that ends in tabs, as do the rows (Consensys): keep the empty fields.

    ``strip()`` removes trailing tabs with the whitespace; when the first data row has as many
    tabs as the unstripped header, they are separators of an empty last column and are kept.
    """
    full = line_text.lstrip(" ").rstrip(" \r")
    if delimiter != "\t" or not full.endswith("\t"):
        return text
    pos = end + 1 if end >= 0 else len(data)
    while pos < len(data):
        nxt_end = data.find(b"\n", pos)
        row = data[pos:nxt_end if nxt_end >= 0 else None].decode("utf-8", errors="replace").rstrip("\r")
        if row.strip():
            return full.lstrip("\t") if row.count("\t") == full.count("\t") else text
        pos = len(data) if nxt_end < 0 else nxt_end + 1
    return text


def _commented_header(data: bytes, path: str, comments: list[tuple[int, int, str]], marker_line: int,
                      marker_offset: int, marker_end: int) -> Header:
    """The header of a file whose column names are a ``#`` comment above an ``@DATA`` line."""
    first = ""
    pos = marker_end + 1 if marker_end >= 0 else len(data)
    while pos < len(data) and not first:
        end = data.find(b"\n", pos)
        first = data[pos:end if end >= 0 else None].decode("utf-8", errors="replace").strip()
        pos = len(data) if end < 0 else end + 1
    delimiter = max(DELIMITERS, key=lambda d: (first.count(d), -DELIMITERS.index(d)))
    n = first.count(delimiter) + 1
    for line_no, offset, text in reversed(comments):
        names = text.lstrip("#").strip()
        if delimiter in names and names.count(delimiter) + 1 == n:
            fields = next(csv.reader([names], delimiter=delimiter, skipinitialspace=True))
            return Header([f.strip() for f in fields], delimiter, line_no, offset, marker_line, marker_offset)
    raise InputError(f"the {DATA_MARKER!r} line ends a '#' comment header, but no comment line above it "
                     f"lists the {n} columns of the data rows (separated by {delimiter!r})",
                     path=path, line=marker_line)


@dataclass
class TextTable:
    """Columns parsed from a delimited text file, with the row -> line mapping.

    Attributes
    ----------
    path : str
        File path as given, for messages.
    header : Header
        The header line.
    columns : dict of str to numpy.ndarray
        Parsed columns by header name: float64, int64, or object (str) arrays.
    """

    path: str
    header: Header
    columns: dict[str, np.ndarray]
    _body: bytes = field(repr=False)  # the bytes from the line before the data rows on

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @cached_property
    def _row_lines(self) -> np.ndarray:
        lines, blank, _ = _line_index(self._body)
        data_idx = np.flatnonzero(~blank[1:]) + 1  # physical line indices of data rows (header = 0)
        return self.header.data_line + data_idx

    def line_of(self, row: int) -> int:
        """1-based file line of data row ``row`` (0-based, as parsed)."""
        lines = self._row_lines
        return int(lines[row]) if 0 <= row < lines.size else self.header.data_line + 1 + row


def _line_index(body: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start offsets, blank flags and newline positions of every physical line of ``body``."""
    arr = np.frombuffer(body, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [arr.size]))
    if starts[-1] == arr.size:  # the file ends with a newline: no final partial line
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    first = arr[np.minimum(starts, max(arr.size - 1, 0))] if arr.size else np.zeros(0, np.uint8)
    blank = (length == 0) | ((length == 1) & (first == 13))
    return starts, blank, nl


def _cell_is_whole(value: str, kind: str) -> bool:
    """Whether one cell of an unterminated last line holds a complete value of its kind."""
    value = value.strip().strip('"')
    if not value or value in NULL_TOKENS:
        return False
    if kind == "int":
        return value.lstrip("+-").isdigit()
    if kind == "float":
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    if kind == "str":  # an ISO date-time cut short no longer parses
        import pandas as pd

        return not pd.isna(pd.to_datetime(value, format="ISO8601", errors="coerce"))
    return True


def _decimals(cell: str) -> int:
    """Digits after the decimal point of a plain number cell (0 without one; exponents: 0)."""
    if "e" in cell.lower() or "." not in cell:
        return 0
    return len(cell.rsplit(".", 1)[1])


def _drop_truncated_last_line(body: bytes, header: Header, path: str, types: dict[str, str]) -> bytes:
    """A logger that crashed or lost power leaves a partial last row: drop it with a warning.

    Only a last line without a line end can be partial. It is kept when it has every field and
    each needed cell is a whole value (the file may just lack a final newline); otherwise it is
    dropped, naming its line. Damaged rows inside the file stay errors.
    """
    if body.endswith(b"\n"):
        return body
    cut = body.rfind(b"\n")
    if cut < 0:
        return body  # only the header
    last = body[cut + 1:]
    text = last.decode("utf-8", errors="replace").rstrip("\r")
    if not text.strip():
        return body
    try:
        cells = next(csv.reader([text], delimiter=header.delimiter, skipinitialspace=True))
    except csv.Error:
        cells = []
    if len(cells) > len(header.fields):
        return body  # too many fields is damage, not a cut: reported as a ragged row
    line = header.data_line + body[:cut + 1].count(b"\n")
    if len(cells) < len(header.fields):
        why = f"{len(cells)} of {len(header.fields)} fields"
    else:
        by_name = dict(zip(header.fields, cells))
        cut_cols = [c for c, kind in types.items() if c in by_name and not _cell_is_whole(by_name[c], kind)]
        if cut_cols:
            why = f"column {cut_cols[0]} holds {by_name[cut_cols[0]].strip()!r}"
        else:
            # only the last cell can lose characters and keep the field count; a logger writes a
            # fixed number of decimals, so fewer than in the row above means digits were lost
            # (1.05432 -> 1.0), a wrong number that still parses
            prev_start = body.rfind(b"\n", 0, cut) + 1
            prev = body[prev_start:cut].decode("utf-8", errors="replace").rstrip("\r")
            prev_last = prev.rsplit(header.delimiter, 1)[-1].strip()
            last_cell = cells[-1].strip()
            if _decimals(last_cell) >= _decimals(prev_last) or header.fields[-1] not in types:
                return body
            why = (f"column {header.fields[-1]} holds {last_cell!r}, fewer decimals than the "
                   f"{prev_last!r} above it")
    msg = (f"{path}:{line}: last line is incomplete ({why}, no line end: the recorder stopped mid-write or "
           f"the file is still being written); read up to line {line - 1}, ignoring line {line}")
    warnings.warn(msg, UserWarning, stacklevel=4)
    return body[:cut + 1]


def _check_no_repeated_header(body: bytes, header: Header, path: str) -> None:
    """A header line again inside the data: a recorder that restarted and appended to the file."""
    first = body[: body.find(b"\n")] if b"\n" in body else body
    first = first.rstrip(b"\r")
    if not first:
        return
    pos = body.find(b"\n" + first, len(first))
    while pos >= 0:
        end = pos + 1 + len(first)
        if end == len(body) or body[end:end + 1] in (b"\n", b"\r"):
            line = header.data_line + body[:pos + 1].count(b"\n")
            raise InputError(f"the header line repeats here (first on line {header.data_line}): the recorder "
                             "restarted and appended a new recording to this file; split the file at this "
                             "line and analyse each part", path=path, line=line)
        pos = body.find(b"\n" + first, pos + 1)


def read_table(data: bytes, header: Header, path: str, types: dict[str, str]) -> TextTable:
    """Parse the columns named in ``types`` from the delimited text ``data``.

    Parameters
    ----------
    data : bytes
        Whole file content (decompressed).
    header : Header
        As found by :func:`find_header`.
    path : str
        For messages.
    types : dict
        Header name -> ``'float'``, ``'int'``, ``'str'``, or ``'auto'`` (kept as float64 when Arrow
        infers a numeric type, left out otherwise: extra channels).

    Raises
    ------
    InputError
        A row with the wrong number of fields, or a cell that is not a number, with its line
        and column.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    missing = [c for c in types if c not in header.fields]
    if missing:
        raise InputError(f"missing column(s) {', '.join(map(repr, missing))}; header has "
                         f"{', '.join(map(repr, header.fields))}", path=path, line=header.line)
    body = _drop_truncated_last_line(data[header.data_offset:], header, path, types)
    _check_no_repeated_header(body, header, path)
    arrow_types = {"float": pa.float64(), "int": pa.int64(), "str": pa.string()}
    # column_names from our own header parse: Arrow then skips the header row
    read_opts = pacsv.ReadOptions(column_names=_unique(header.fields), skip_rows=1,
                                  block_size=1 << 24)
    parse_opts = pacsv.ParseOptions(delimiter=header.delimiter, ignore_empty_lines=True)
    conv = pacsv.ConvertOptions(include_columns=list(types),
                                column_types={c: arrow_types[k] for c, k in types.items() if k != "auto"},
                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                decimal_point=header.decimal)
    table = TextTable(path, header, {}, body)
    try:
        parsed = pacsv.read_csv(pa.py_buffer(body), read_opts, parse_opts, conv)
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "columns, got" in text or "Expected" in text and "columns" in text:
            raise _ragged_row_error(table) from None
        if "conversion error" in text or "invalid value" in text:
            err = _bad_cell_error(table, types, read_opts, parse_opts)
            if getattr(err, "decimal_comma", False) and header.delimiter != "," and header.decimal == ".":
                # ';' or tab between fields and '0,5' in them: unambiguous, a spreadsheet's decimal commas
                log.info("%s: numbers written with decimal commas (%r); read as such", path, err.value)
                return read_table(data, replace(header, decimal=","), path, types)
            raise err from None
        raise InputError(f"cannot parse as delimited text: {text}", path=path) from None
    cols: dict[str, np.ndarray] = {}
    for name, kind in types.items():
        col = parsed.column(name)
        if kind == "auto":
            if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
                cols[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
            else:
                log.debug("%s: column %r is not numeric (%s); not kept", path, name, col.type)
        elif kind == "float":
            cols[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)  # nulls -> NaN
        elif kind == "int":
            if col.null_count:
                row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
                raise InputError("empty cell; expected an integer", path=path, line=table.line_of(row),
                                 column=name)
            cols[name] = col.to_numpy()
        else:
            cols[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    table.columns = cols
    return table


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out


def _ragged_row_error(table: TextTable) -> InputError:
    body, header = table._body, table.header
    starts, blank, nl = _line_index(body)
    arr = np.frombuffer(body, dtype=np.uint8)
    delim_pos = np.flatnonzero(arr == ord(header.delimiter))
    counts = np.bincount(np.searchsorted(nl, delim_pos), minlength=starts.size)[: starts.size] + 1
    bad = ~blank & (counts != len(header.fields))
    bad[0] = False
    if not bad.any():
        return InputError("rows do not have the same number of fields as the header", path=table.path)
    i = int(np.argmax(bad))
    return InputError(f"expected {len(header.fields)} fields separated by {header.delimiter!r} "
                      f"(as in the header), found {counts[i]}", path=table.path,
                      line=header.data_line + i)


def _bad_cell_error(table: TextTable, types: dict[str, str], read_opts, parse_opts) -> InputError:
    """Find the first cell Arrow could not convert, by re-reading the columns as text."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    numeric = [c for c, k in types.items() if k in ("float", "int")]
    conv = pacsv.ConvertOptions(include_columns=numeric, column_types={c: pa.string() for c in numeric},
                                strings_can_be_null=False)
    raw = pacsv.read_csv(pa.py_buffer(table._body), read_opts, parse_opts, conv)
    best: tuple[int, str, str, str] | None = None
    for name in numeric:
        col = pc.utf8_trim_whitespace(raw.column(name))
        if types[name] == "int":
            ok = pc.match_substring_regex(col, r"^[+-]?\d+$").to_numpy(zero_copy_only=False)
            want = "an integer"
        else:
            s = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
            if table.header.decimal != ".":
                s = s.str.replace(table.header.decimal, ".", regex=False)
            ok = (pd.to_numeric(s, errors="coerce").notna() | s.isin(NULL_TOKENS)).to_numpy()
            want = "a number"
        bad = np.flatnonzero(~ok)
        if bad.size and (best is None or bad[0] < best[0]):
            best = (int(bad[0]), name, str(col[int(bad[0])].as_py()), want)
    if best is None:
        return InputError("a cell could not be converted to a number", path=table.path)
    row, name, value, want = best
    comma = want == "a number" and table.header.decimal == "." and bool(_DECIMAL_COMMA.match(value.strip()))
    hint = ""
    if comma:
        hint = (f"; it looks like a decimal comma (a spreadsheet set to a European locale): pass "
                f"{option('decimal_comma', True)}, or export with '.' as the decimal mark")
    err = InputError(f"{value!r} is not {want}{hint}", path=table.path, line=table.line_of(row), column=name)
    err.decimal_comma, err.value = comma, value  # read_table retries unambiguous cases
    return err
