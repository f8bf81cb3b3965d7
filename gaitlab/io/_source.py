"""Loading a file's bytes: gzip by magic bytes, Parquet by magic bytes, empty and binary files.

Everything here works on the whole file in memory: the readers hand the bytes to Arrow's
multithreaded CSV parser, which is much faster than streaming line by line, and a 3-hour 200 Hz
recording is only about 100 MB of text.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import warnings
import zlib
from dataclasses import dataclass

from ..errors import InputError, MissingFileError

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
#: How much of a text file is checked for NUL bytes and UTF-8 validity.
SNIFF_BYTES = 64 * 1024
_BLANK = re.compile(rb"\s*\Z")


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.xls)
#: Garmin FIT files start with a 12- or 14-byte header whose bytes 8-11 read ".FIT".
FIT_SIGNATURE = b".FIT"
_EXPORT_HINT = "export the sheet as CSV (File > Save As > CSV) and read that"


def _other_file(raw: bytes) -> str | None:
    """What a binary file people often try is (spreadsheets, zip archives, a watch's FIT file), with
    what to do instead."""
    if raw[8:12] == FIT_SIGNATURE and raw[:1] in (b"\x0c", b"\x0e"):
        # a watch's activity: speed, heart rate and running-dynamics summaries, no accelerometer samples
        return ("this is a Garmin FIT activity file: it holds a watch's speed and running-dynamics summaries, "
                "not the accelerometer samples gaitlab analyses. Analyse the sensor's recording and give this "
                "file as its --speed-from (speed_from= in Python); gaitlab.io.read_fit reads it as a table")
    if raw.startswith(OLE_MAGIC):
        return f"this is an Excel workbook (.xls), not CSV text: {_EXPORT_HINT}"
    if not raw.startswith(ZIP_MAGIC):
        return None
    names = raw[:SNIFF_BYTES] + raw[-SNIFF_BYTES:]  # member names: local headers and central directory
    if b"xl/" in names:
        return f"this is an Excel workbook (.xlsx), not CSV text: {_EXPORT_HINT}"
    if b"opendocument.spreadsheet" in names:
        return f"this is a LibreOffice/OpenOffice spreadsheet (.ods), not CSV text: {_EXPORT_HINT}"
    return "this is a zip archive, not CSV text: unzip it and read the recording inside"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes; a missing file is a :class:`~gaitlab.errors.MissingFileError`."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise MissingFileError(os.fspath(path)) from None
    except IsADirectoryError:
        raise InputError("this is a folder, not a recording file", path=os.fspath(path)) from None


@dataclass(frozen=True)
class Source:
    """A file's content, decompressed.

    Attributes
    ----------
    path : str
        The path as the caller gave it (used in every error message).
    data : bytes
        The (decompressed) content; a leading UTF-8 byte-order mark is removed.
    kind : {'text', 'parquet'}
        What the magic bytes say.
    compressed : bool
        Whether the file was gzip-compressed.
    """

    path: str
    data: bytes
    kind: str
    compressed: bool


def load(path: str | os.PathLike[str]) -> Source:
    """Read a file into memory and classify it (text or Parquet), decompressing gzip.

    Raises
    ------
    InputError
        Empty file, corrupt gzip stream, or binary content that is not Parquet.
    MissingFileError
        No such file (an InputError and a FileNotFoundError).
    PermissionError
        As :func:`open` raises it.
    """
    shown = os.fspath(path)
    raw = read_bytes(path)
    compressed = raw[:2] == GZIP_MAGIC
    if compressed:
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raw = _gunzip_cut(raw, shown)
        except (OSError, zlib.error) as exc:
            raise InputError(f"the file starts like gzip but cannot be decompressed ({exc})",
                             path=shown) from None
    if raw[:4] == PARQUET_MAGIC:
        return Source(shown, raw, "parquet", compressed)
    if (other := _other_file(raw)) is not None:
        raise InputError(other, path=shown)
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    raw = _strip_nul_padding(raw, shown)
    if _BLANK.match(raw):  # scans only leading whitespace (no copy of a large file)
        raise InputError("the file is empty; expected a header line followed by data rows", path=shown)
    head = raw[:SNIFF_BYTES]
    if b"\x00" in head:
        raise InputError("this looks like a binary file (it contains NUL bytes), not CSV text or Parquet",
                         path=shown)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a cut inside a multi-byte character at the sniff boundary is fine
        if exc.start < len(head) - 4:
            line = head[: exc.start].count(b"\n") + 1
            raise InputError(f"byte 0x{head[exc.start]:02x} is not valid UTF-8 text; this looks like a "
                             "binary file or an unsupported text encoding", path=shown, line=line) from None
    return Source(shown, raw, "text", compressed)


def _strip_nul_padding(raw: bytes, path: str) -> bytes:
    """Drop the NUL bytes a recorder leaves at the end of a preallocated file it never filled.

    SD-card loggers reserve the file's size up front and write rows into it; a crash or power loss
    leaves the unwritten tail as NUL bytes. The rows before are intact, so they are kept (with a
    warning naming the line); NUL bytes anywhere else still mean a binary file.
    """
    if not raw.endswith(b"\x00"):
        return raw
    text = raw.rstrip(b"\x00")
    if not text.strip() or b"\x00" in text[-SNIFF_BYTES:]:
        return raw  # all NUL, or NUL inside the content: not padding
    line = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
    warnings.warn(f"{path}:{line}: the file ends in {len(raw) - len(text)} NUL byte(s) after line {line} (a "
                  "recorder that stopped before filling its preallocated file); read up to there",
                  UserWarning, stacklevel=3)
    return _drop_cut_line(text, path, "where the NUL padding starts")


def _gunzip_cut(raw: bytes, path: str) -> bytes:
    """A gzip stream that stops early (a recorder that crashed while writing ``.csv.gz``).

    Everything before the cut decompresses correctly (deflate is sequential); only the end-of-stream
    checksum is missing. The text is kept with a warning; its partial last row is then dropped as
    for a plain CSV. A stream that is damaged, not just cut, stays an error.
    """
    d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        text = d.decompress(raw)
    except zlib.error as exc:
        raise InputError(f"the file starts like gzip but cannot be decompressed ({exc})", path=path) from None
    if not text:
        raise InputError("the gzip stream ends before any data could be decompressed (cut file)", path=path)
    warnings.warn(f"{path}: the gzip stream ends early at byte {len(raw)} (the recorder stopped while "
                  f"writing: no end-of-stream marker); read the {len(text)} bytes of text before the cut",
                  UserWarning, stacklevel=3)
    return _drop_cut_line(text, path, "where the gzip stream ends")


def _drop_cut_line(text: bytes, path: str, where: str) -> bytes:
    """Text known to be cut (no end marker, NUL padding): a last line without line end is partial.

    Even when its cells still parse, a number may have lost digits (``1.05432`` -> ``1.0``), so it
    is dropped, naming its line.
    """
    if not text or text.endswith(b"\n"):
        return text
    cut = text.rfind(b"\n")
    if cut < 0:
        return text  # a header at most: the later checks say what is missing
    line = text.count(b"\n") + 1
    warnings.warn(f"{path}:{line}: last line is incomplete (the file is cut {where}, inside this line); "
                  f"read up to line {line - 1}, ignoring line {line}", UserWarning, stacklevel=4)
    return text[:cut + 1]
