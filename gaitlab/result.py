"""The result of an analysis: :class:`Analysis`, its data and its exports.

An Analysis is what every output is made from: the per-step table (one row per step, the JSON
schema's columns, :mod:`gaitlab.schema`), the summary, per-minute segments, the gaps, and the
report's evaluation and flags. JSON, HTML, figures and the Jupyter view are all views of the same
object, so they can never disagree. It is built in one place, :func:`gaitlab.analysis.analyze`.

This module holds data and export only: it imports nothing from :mod:`gaitlab.gait` and imports
:mod:`gaitlab.report` only inside the methods that render it (``to_html``, ``plot``), while
``report`` refers to :class:`Analysis` for type hints only, so there is no import cycle.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _jsontext
from ._version import __version__
from .recording import Recording
from .schema import SCHEMA_VERSION, valid_running_mask

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from .report.evaluate import Evaluation

__all__ = ["Analysis"]


def _jsonable(value: Any) -> Any:
    """Plain-JSON form: NaN/inf -> None, numpy scalars -> Python, nested containers walked."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str):
        return value
    try:  # pandas NA / NaT
        import pandas as pd

        if pd.isna(value):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return str(value)


#: Decimals kept in JSON by unit suffix: far below every metric's accuracy (1 us, 0.001 ms,
#: 0.01 mm ...), and short numbers make the files smaller and faster to write and read.
_JSON_DECIMALS = {"_s": 6, "_ms": 3, "_cm": 3, "_m": 4, "_g": 4, "_gps": 2, "_mps": 4, "_pct": 3,
                  "_deg": 3, "_dps": 2, "_spm": 3, "_hz": 6}


def _decimals(name: str) -> int | None:
    for suffix, dec in _JSON_DECIMALS.items():
        if name.endswith(suffix):
            return dec
    return None


def _column_values(col: pd.Series) -> list[Any]:
    """One column as plain JSON values, vectorised: NaN/NA -> None, numpy -> Python scalars."""
    values = col.to_numpy()
    if values.dtype.kind == "f":
        dec = _decimals(str(col.name))
        out = (values if dec is None else np.round(values, dec)).tolist()
        bad = ~np.isfinite(values)
        if bad.any():
            for i in np.flatnonzero(bad):
                out[i] = None
        return out
    if values.dtype.kind in "biu":
        return values.tolist()
    out = values.tolist()
    if all(type(v) is str for v in out):  # labels (side, activity): already plain JSON
        return out
    return [_jsonable(v) for v in out]


def _table(df: pd.DataFrame) -> _jsontext.Records:
    """The table's rows as records of plain JSON values, converted column by column (fast for
    50 000 steps) and kept as columns until written."""
    cols = list(df.columns)
    return _jsontext.Records(cols, [_column_values(df[c]) for c in cols])


#: The tables of the JSON contract: lists of records, one per row.
_TABLES = ("steps", "segments", "gaps")


@dataclass(eq=False)
class Analysis:
    """The result of analysing one recording (or one shoe pair).

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per detected step (waist) or contact (shoe), columns :data:`gaitlab.schema.STEP_COLUMNS` (plus
        per-foot columns for shoes). ``ic_s``/``to_s`` are on the input's own time axis (s).
        ``valid`` is False for steps touching a gap or failing plausibility checks.
    summary : dict
        Run-level metrics (:data:`gaitlab.schema.SUMMARY_KEYS`); a metric that cannot be measured is NaN/None.
    segments : pandas.DataFrame
        Per-minute segments, columns :data:`gaitlab.schema.SEGMENT_COLUMNS`.
    gaps : pandas.DataFrame
        Spans with missing samples, columns ``start_s``, ``end_s``.
    flags : list of dict
        Report flags (``code``, ``severity``, ``message``, ``evidence``, ``source``, ``advice``).
    input : dict
        What was analysed: ``path``, ``format``, ``fs_hz``, ``duration_s``, ``placement``...
    recording : Recording, optional
        The analysed signal, kept for figures (not serialised).
    signals : dict, optional
        Intermediate body-frame signals (e.g. ``t_s``, ``vertical_g``) kept for figures.
    params : dict
        The settings the analysis ran with (public ones only), serialised with the JSON.
    evaluation : gaitlab.report.Evaluation, optional
        The report's rule-by-rule evaluation that produced ``flags`` (evaluated once, by
        :func:`gaitlab.analyze`); the HTML report and figures read it. Not serialised.
    """

    steps: pd.DataFrame
    summary: dict[str, Any]
    segments: pd.DataFrame
    gaps: pd.DataFrame
    input: dict[str, Any]
    flags: list[dict[str, Any]] = field(default_factory=list)
    recording: Recording | None = field(default=None, repr=False)
    signals: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    params: dict[str, Any] = field(default_factory=dict)
    evaluation: Evaluation | None = field(default=None, repr=False)

    # -- convenience ------------------------------------------------------------------------
    @property
    def placement(self) -> str | None:
        return self.input.get("placement")

    @property
    def report_status(self) -> str | None:
        """The report's overall verdict (:data:`gaitlab.schema.REPORT_STATUSES`): ``'flags'``,
        ``'no_flags'`` or ``'not_enough_data'`` (no rule could be evaluated: no flag then does not
        mean a healthy run); None when the analysis was made without the report."""
        if self.evaluation is not None:
            return self.evaluation.status
        return "flags" if self.flags else None

    @property
    def running_steps(self) -> pd.DataFrame:
        """Valid running steps only (the population the running metrics are computed on)."""
        return self.steps[valid_running_mask(self.steps)]

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (schema 1) as plain Python objects; NaN becomes None."""
        head = self._payload()
        for name in _TABLES:
            head[name] = head[name].rows()
        return head

    def _payload(self) -> dict[str, Any]:
        """:meth:`to_dict` with its tables (:data:`_TABLES`) as :class:`._jsontext.Records`."""
        head = _jsonable({
            "schema": SCHEMA_VERSION,
            "gaitlab_version": __version__,
            "input": self.input,
            "summary": self.summary,
        })
        for name in _TABLES:
            head[name] = _table(getattr(self, name))
        head["flags"] = _jsonable(self.flags)
        head["report_status"] = self.report_status
        head["params"] = _jsonable(self.params)
        return head

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None) -> str:
        """Serialise to JSON (schema 1). Writes ``path`` when given; returns the text either way."""
        # json.dumps' text of to_dict(), faster with an indent (the tables go from columns to text)
        text = _jsontext.dumps(self._payload(), indent=indent)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.write("\n")
        return text

    # -- report views (gaitlab.report) -------------------------------------------------------
    def to_html(self, path: str | os.PathLike[str] | None = None, *, made_at: Any = "now") -> str:
        """A self-contained HTML report (inline figures, no network); writes ``path`` if given.

        ``made_at``: the creation time in the footer, ``'now'`` (default), a datetime, or None for
        none (the same analysis then always gives the same bytes; ``gaitlab batch`` uses None)."""
        from .report.html import render_html

        text = render_html(self, made_at=made_at)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def plot(self, kind: str = "overview", **kwargs: Any) -> Figure:
        """A matplotlib Figure (not shown). See :func:`gaitlab.report.figures.plot` for kinds."""
        from .report.figures import plot

        return plot(self, kind, **kwargs)

    def _repr_html_(self) -> str:
        from .report.html import render_summary_html

        return render_summary_html(self)

    def __repr__(self) -> str:
        s = self.summary

        def fmt(key: str, spec: str) -> str:
            v = s.get(key)
            return "n/a" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)

        return (f"Analysis(placement={self.placement!r}, steps={len(self.steps)}, "
                f"cadence={fmt('cadence_spm', '.1f')} spm, gct={fmt('gct_ms', '.0f')} ms, "
                f"vo={fmt('vo_cm', '.1f')} cm, flags={[f['code'] for f in self.flags]})")
