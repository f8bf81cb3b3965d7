"""Run metadata: when a run started, on which device, and the user's tags (shoe, athlete...).

These go into :attr:`gaitlab.analysis.Analysis.input` as new schema-1 keys (``start_time``,
``device``, ``tags``), so a folder of JSON results can be laid out over weeks
(:mod:`gaitlab.season`) and grouped by shoe (:mod:`gaitlab.comparison`).

The start time is only ever what the file says (FIT, an app export with absolute time stamps,
Parquet metadata written by gaitlab); when the file does not say, it is ``None``. A file's
modification time is *not* a start time (copying a file changes it), so it is never used.

>>> parse_tags(["shoe=Pegasus40", "athlete=ana"])
{'athlete': 'ana', 'shoe': 'Pegasus40'}
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .errors import InputError

__all__ = ["parse_tags", "check_tags", "start_time_of", "parse_start_time", "as_utc", "RUNNER_TAGS", "week_of"]

logger = logging.getLogger(__name__)

#: Tags that name the runner, in the order :mod:`gaitlab.season` looks for them.
RUNNER_TAGS: tuple[str, ...] = ("athlete", "runner")

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def check_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """Validate user tags: keys like ``shoe`` or ``session_type``, values non-empty text.

    Numbers are kept as their text (``{"insole": 2}`` -> ``{"insole": "2"}``); keys are sorted
    so the same tags always serialise the same way.

    Raises
    ------
    InputError
        A key that is not a name, or an empty / multi-line value.
    """
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InputError(f"tags must be a mapping such as {{'shoe': 'Pegasus40'}}, found {type(tags).__name__}")
    out: dict[str, str] = {}
    for key, value in tags.items():
        key = str(key)
        if not _KEY_RE.match(key):
            raise InputError(f"tag name {key!r} must start with a letter and hold only letters, digits, "
                             "'_', '.' or '-' (e.g. shoe, session_type)")
        if value is None or isinstance(value, Mapping | list | tuple | set):
            raise InputError(f"tag {key!r} needs one text value, found {value!r}")
        text = str(value).strip()
        if not text or "\n" in text:
            raise InputError(f"tag {key!r} needs a non-empty one-line value, found {value!r}")
        out[key] = text
    return dict(sorted(out.items()))


def parse_tags(items: Iterable[str] | None) -> dict[str, str]:
    """``["shoe=Pegasus40", ...]`` (the CLI's repeatable ``--tag KEY=VALUE``) -> a tag dict.

    Raises
    ------
    InputError
        An item without ``=``, or a key given twice.
    """
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        if not sep:
            raise InputError(f"--tag {item!r}: expected KEY=VALUE, e.g. --tag shoe=Pegasus40")
        key = key.strip()
        if key in out:
            raise InputError(f"--tag {key!r} given twice ({out[key]!r} and {value.strip()!r})")
        out[key] = value
    return check_tags(out)


def parse_start_time(text: Any) -> datetime | None:
    """An ISO-8601 start time as a ``datetime`` (aware when the text has an offset); None if absent
    or unreadable (logged: a start time that cannot be read is unknown, not guessed)."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return text
    try:
        value = str(text).strip().replace("Z", "+00:00")
        return datetime.fromisoformat(value)
    except ValueError:
        logger.warning("start time %r is not ISO-8601: treated as unknown", text)
        return None


def start_time_of(meta: Mapping[str, Any] | None) -> str | None:
    """The recording's start time as the file states it (ISO-8601 text), or None.

    Naive times (no UTC offset) stay naive: Polar's phone time and ISO time columns without a zone
    are the device's wall clock, whose zone the file does not say (see
    :func:`gaitlab.context.align_watch` for how that is resolved against a watch).
    """
    if not meta:
        return None
    dt = parse_start_time(meta.get("start_time"))
    return None if dt is None else dt.isoformat()


def week_of(start: datetime) -> str:
    """ISO week label (``'2024-W07'``) of a start time, on the runner's own wall clock (a time with an
    offset is taken in that offset: a Sunday-evening run belongs to that Sunday's week)."""
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def as_utc(start: datetime, naive_offset: timedelta | None = None) -> datetime | None:
    """``start`` in UTC; a naive time needs ``naive_offset`` (local - UTC), else None."""
    if start.tzinfo is not None:
        return start.astimezone(UTC)
    if naive_offset is None:
        return None
    return start.replace(tzinfo=timezone(naive_offset)).astimezone(UTC)
