"""Where a batch writes: the output location (a folder or an fsspec URL), output names, and the
summary table and index page.

Layout of an output location, for an input named ``a/run.csv`` (see :mod:`gaitlab.batch.inputs`)::

    a/run.csv.json         the Analysis JSON (schema 1, as ``gaitlab analyze --json``)
    a/run.csv.html         the HTML report (with ``--html``)
    .batch/a/run.csv.json  manifest entry: input fingerprint, options hash, summary row
    summary.csv            one row per input file
    summary.parquet        the same table
    index.html             links to every report

Names keep the input's suffix, so ``run.csv`` and ``run.parquet`` side by side do not collide.
Nothing written depends on the wall clock or on where the inputs live: the same inputs give the
same bytes.
"""

from __future__ import annotations

import html
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import GaitlabError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Storage", "LocalStorage", "FsspecStorage", "open_storage",
    "json_name", "html_name", "manifest_name", "SUMMARY_CSV", "SUMMARY_PARQUET", "INDEX_HTML",
    "SEVERITIES", "summary_frame", "index_html", "write_tables",
]

logger = logging.getLogger(__name__)

SUMMARY_CSV = "summary.csv"
SUMMARY_PARQUET = "summary.parquet"
INDEX_HTML = "index.html"
MANIFEST_DIR = ".batch"

#: Flag severities, mildest first (the order ``--fail-on`` compares in).
SEVERITIES: tuple[str, ...] = ("info", "warn", "alert")

#: Summary keys that count things (integer columns); the other metrics are float64.
_COUNT_KEYS = frozenset({"n_steps", "n_valid_steps"})


def json_name(name: str) -> str:
    """Output name of an input's Analysis JSON."""
    return f"{name}.json"


def html_name(name: str) -> str:
    """Output name of an input's HTML report."""
    return f"{name}.html"


def manifest_name(name: str) -> str:
    """Output name of an input's manifest entry."""
    return f"{MANIFEST_DIR}/{name}.json"


# -- storage ------------------------------------------------------------------------------------
class Storage:
    """An output location; names are POSIX paths relative to it. Picklable (sent to workers)."""

    #: Whether worker processes (and machines) can share this location.
    shared: bool = True

    def write_bytes(self, name: str, data: bytes) -> None:
        raise NotImplementedError

    def read_bytes(self, name: str) -> bytes | None:
        """The content of ``name``, or None if it does not exist."""
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def local_path(self, name: str) -> str | None:
        """The local file path of ``name``, if this location is a local folder."""
        return None

    def describe(self, name: str = "") -> str:
        raise NotImplementedError


class LocalStorage(Storage):
    """A local folder (created on first write). Writes are atomic (temporary file + rename), so an
    interrupted batch never leaves a truncated output that looks up to date."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.abspath(os.fspath(root))

    def local_path(self, name: str) -> str:
        return os.path.join(self.root, *name.split("/"))

    def write_bytes(self, name: str, data: bytes) -> None:
        path = self.local_path(name)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def read_bytes(self, name: str) -> bytes | None:
        try:
            with open(self.local_path(name), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return os.path.isfile(self.local_path(name))

    def describe(self, name: str = "") -> str:
        return self.local_path(name) if name else self.root

    def __repr__(self) -> str:
        return f"LocalStorage({self.root!r})"


def _import_fsspec():
    try:
        import fsspec
    except ImportError:
        raise GaitlabError("output URLs need fsspec: pip install 'gaitlab-run[dask]' "
                           "(or give a local folder)") from None
    return fsspec


class FsspecStorage(Storage):
    """Any fsspec URL (``s3://bucket/run1``, ``gcs://...``, ``memory://...``).

    ``memory://`` lives inside one Python process, so it only works for in-process batches
    (``jobs=1`` without a scheduler): worker processes would each write into their own copy.
    """

    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        self.url = url.rstrip("/")
        self.storage_options = dict(storage_options or {})
        self.protocol = url.split("://", 1)[0].lower()
        self.shared = self.protocol != "memory"

    @cached_property
    def _fs_root(self) -> tuple[Any, str]:
        fsspec = _import_fsspec()
        try:
            fs, root = fsspec.core.url_to_fs(self.url, **self.storage_options)
        except (ImportError, ValueError) as exc:  # unknown protocol or missing backend (s3fs...)
            raise GaitlabError(f"cannot open output location {self.url!r}: {exc}") from None
        return fs, root.rstrip("/")

    def __getstate__(self) -> dict[str, Any]:  # the filesystem object is rebuilt in each worker
        state = dict(self.__dict__)
        state.pop("_fs_root", None)
        return state

    def _path(self, name: str) -> str:
        return f"{self._fs_root[1]}/{name}"

    def write_bytes(self, name: str, data: bytes) -> None:
        fs, _ = self._fs_root
        path = self._path(name)
        parent = path.rsplit("/", 1)[0]
        fs.makedirs(parent, exist_ok=True)
        fs.pipe_file(path, data)

    def read_bytes(self, name: str) -> bytes | None:
        fs, _ = self._fs_root
        try:
            return fs.cat_file(self._path(name))
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        fs, _ = self._fs_root
        return bool(fs.isfile(self._path(name)))

    def describe(self, name: str = "") -> str:
        return f"{self.url}/{name}" if name else self.url

    def __repr__(self) -> str:
        return f"FsspecStorage({self.url!r})"


def open_storage(out: str | os.PathLike[str], storage_options: Mapping[str, Any] | None = None) -> Storage:
    """The output location for ``out``: a folder path, ``file://`` URL, or any fsspec URL.

    Local folders and ``file://`` URLs need no extra package; other URLs need fsspec (and the
    protocol's own package, e.g. s3fs for ``s3://``).
    """
    text = os.fspath(out)
    if "://" not in text:
        return LocalStorage(text)
    if text.lower().startswith("file://"):
        if storage_options:
            raise InputError("storage_options do not apply to a local folder (file:// URL)")
        from urllib.parse import unquote, urlparse

        return LocalStorage(unquote(urlparse(text).path))
    return FsspecStorage(text, storage_options)


# -- the summary table --------------------------------------------------------------------------
#: Leading columns of the summary table; the summary metrics follow, then :data:`_TAIL_COLUMNS`.
_HEAD_COLUMNS = ("file", "status", "error", "placement", "fs_hz", "duration_s", "start_time", "device", "tags")
_TAIL_COLUMNS = ("n_info", "n_warn", "n_alert", "flag_codes", "flags", "report_status", "json", "html")
_TEXT_COLUMNS = frozenset({"file", "status", "error", "placement", "flag_codes", "flags", "report_status",
                           "json", "html",
                           "start_time", "device", "tags"})


def _metric_keys(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    from ..schema import SUMMARY_KEYS

    seen = set()
    for r in rows:
        seen.update((r.get("summary") or {}).keys())
    known = [k for k in SUMMARY_KEYS if k in seen]
    return known + sorted(seen - set(known))


def summary_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The summary table: one row per input file, in the given order.

    Parameters
    ----------
    rows : sequence of mapping
        Result rows as :func:`gaitlab.batch.task.process_file` makes them.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``status`` ('ok' or 'error'), ``error`` (message or NA), ``placement``,
        ``fs_hz``, ``duration_s``, ``start_time`` (ISO-8601 as the file says, NA when unknown),
        ``device``, ``tags`` (``key=value`` pairs joined by ``;``), every summary metric (units in the names; NaN when not
        measured or for failed files), ``n_info``/``n_warn``/``n_alert`` (flag counts),
        ``flag_codes`` (space-separated), ``flags`` (``severity:code``, space-separated),
        ``report_status`` (``flags``, ``no_flags`` or ``not_enough_data``: :data:`gaitlab.schema.REPORT`),
        ``json``/``html`` (output names, NA if not written).
    """
    import pandas as pd

    metrics = _metric_keys(rows)
    columns = [*_HEAD_COLUMNS, *metrics, *_TAIL_COLUMNS]
    data: dict[str, list[Any]] = {c: [] for c in columns}
    for r in rows:
        summary = r.get("summary") or {}
        for c in columns:
            data[c].append(summary.get(c) if c in metrics else r.get(c))
    frame = pd.DataFrame(data, columns=columns)
    for c in columns:
        if c in _TEXT_COLUMNS:
            frame[c] = frame[c].astype("string")
        elif c in _COUNT_KEYS or c.startswith("n_"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("Int64")
        else:
            numeric = pd.to_numeric(frame[c], errors="coerce")
            # keep a non-numeric metric (a label) as text rather than silently blanking it
            if numeric.isna().sum() > frame[c].isna().sum():
                frame[c] = frame[c].astype("string")
            else:
                frame[c] = numeric.astype("float64")
    return frame


def _fmt(value: Any, spec: str) -> str:
    try:
        import pandas as pd

        if value is None or pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


#: Characters of an error shown in the index table; the full text opens below it.
ERROR_PREVIEW_CHARS = 140


def _long_text(text: str, limit: int = ERROR_PREVIEW_CHARS) -> str:
    """Escaped text; a long one cut at a word with the whole text in a ``<details>`` below it."""
    esc = html.escape
    if len(text) <= limit:
        return esc(text)
    cut = text.rfind(" ", 0, limit)
    short = text[: cut if cut > limit // 2 else limit].rstrip() + "\u2026"
    return (f'<details title="{esc(text)}"><summary>{esc(short)}</summary>{esc(text)}</details>')


def _flag_badges(rec: Mapping[str, Any]) -> str:
    """Each flag as a badge naming its severity, worst first (``flags``; else the bare codes of a
    table written before severities were recorded)."""
    esc = html.escape
    flags = rec.get("flags")
    if isinstance(flags, str) and flags:
        pairs = [p.partition(":")[::2] for p in flags.split()]
        pairs.sort(key=lambda p: -SEVERITIES.index(p[0]) if p[0] in SEVERITIES else 1)
        return "".join(f'<span class="sev sev-{esc(s)}" title="{esc(s)}">{esc(s)}: {esc(c)}</span>'
                       for s, c in pairs)
    codes = rec.get("flag_codes")
    if isinstance(codes, str) and codes:
        return esc(codes)
    if rec.get("report_status") == "not_enough_data":
        # no flag because nothing could be judged: must not read like a clean run
        return '<span class="sev sev-skip" title="too short or unusual a run to judge">not judged</span>'
    return ""


def index_html(frame: pd.DataFrame, *, title: str = "gaitlab batch") -> str:
    """A self-contained index page: one table row per file, linking its report (HTML if written,
    else JSON). Every file name and message is HTML-escaped and every link URL-quoted."""
    esc = html.escape
    shown = [("n_steps", "steps", "d"), ("cadence_spm", "cadence (spm)", ".1f"), ("gct_ms", "GCT (ms)", ".0f"),
             ("vo_cm", "VO (cm)", ".1f"), ("gct_balance_left_pct", "GCT balance L (%)", ".1f")]
    shown = [s for s in shown if s[0] in frame.columns]
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in shown)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
        ".error{color:#a00}.alert{background:#fdd}.warn{background:#ffd}"
        "td.msg{max-width:40em;overflow-wrap:anywhere}details summary{cursor:pointer}"
        ".sev{display:inline-block;white-space:nowrap;margin:0 .3em .2em 0;padding:0 .35em;border-radius:.3em;"
        "font-size:.9em}.sev-alert{background:#c62828;color:#fff}.sev-warn{background:#f9a825;color:#000}"
        ".sev-info{background:#e0e0e0;color:#000}.sev-skip{background:#fff;color:#555;border:1px dashed #888}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{len(frame)} files, {int((frame['status'] == 'ok').sum())} analysed, "
        f"{int((frame['status'] != 'ok').sum())} failed.</p>",
        f"<table><thead><tr><th>file</th><th>status</th>{head}<th>flags</th></tr></thead><tbody>",
    ]
    from .inputs import natural_key

    for rec in sorted(frame.to_dict("records"), key=lambda r: natural_key(str(r["file"]))):
        target = rec.get("html") if isinstance(rec.get("html"), str) else rec.get("json")
        name = esc(str(rec["file"]))
        cell = f'<a href="{esc(quote(target))}">{name}</a>' if isinstance(target, str) else name
        n_alert, n_warn = rec.get("n_alert"), rec.get("n_warn")
        css = ("error" if rec["status"] != "ok" else "alert" if _fmt(n_alert, "d") not in ("", "0")
               else "warn" if _fmt(n_warn, "d") not in ("", "0") else "")
        status = esc(str(rec["status"]))
        if rec["status"] != "ok":
            status += ": " + _long_text(str(rec.get("error") or ""))
        values = "".join(f"<td>{esc(_fmt(rec.get(k), spec))}</td>" for k, _, spec in shown)
        lines.append(f'<tr class="{css}"><td>{cell}</td><td class="msg">{status}</td>{values}'
                     f"<td>{_flag_badges(rec)}</td></tr>")
    lines += ["</tbody></table>", "</body></html>", ""]
    return "\n".join(lines)


def write_tables(storage: Storage, frame: pd.DataFrame) -> None:
    """Write ``summary.csv``, ``summary.parquet`` and ``index.html`` for ``frame``."""
    plain = frame.copy()
    plain.attrs = {}  # pandas stores attrs in Parquet metadata: keep run statistics out of the file
    storage.write_bytes(SUMMARY_CSV, plain.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    buf = io.BytesIO()
    plain.to_parquet(buf, index=False)
    storage.write_bytes(SUMMARY_PARQUET, buf.getvalue())
    storage.write_bytes(INDEX_HTML, index_html(plain).encode("utf-8"))
    logger.debug("wrote summary tables to %s", storage.describe())
