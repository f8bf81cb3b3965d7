"""The :class:`Analysis` result and :func:`analyze`, the library's main entry point.

An Analysis is what every output is made from: the per-step table (one row per step, the JSON
schema's columns), the summary, per-minute segments, the gaps, and the report's flags. JSON, HTML,
figures and the Jupyter view are all views of the same object, so they can never disagree.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._version import __version__
from .errors import InputError
from .recording import Recording

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["Analysis", "analyze", "SCHEMA_VERSION", "STEP_COLUMNS", "SUMMARY_KEYS", "SEGMENT_COLUMNS"]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

#: Per-step columns, in order. The first ones are the JSON schema's; the rest extend it.
#: Units are in the names; a value that cannot be measured is NaN in the DataFrame, null in JSON.
STEP_COLUMNS: tuple[str, ...] = (
    "ic_s", "to_s", "side", "gct_ms", "flight_ms", "step_time_ms", "vo_cm", "impact_g", "valid",
    "loading_rate_gps", "braking_mps", "pelvic_tilt_deg", "pelvic_drop_deg", "activity",
)

#: Summary keys of schema 1 (always present), then extensions.
SUMMARY_KEYS: tuple[str, ...] = (
    "n_steps", "cadence_spm", "gct_ms", "flight_ms", "vo_cm", "vertical_ratio_pct",
    "gct_balance_left_pct", "step_time_asymmetry_pct", "running_s",
    # extensions
    "n_valid_steps", "duty_factor", "impact_g", "loading_rate_gps", "braking_mps",
    "pelvic_tilt_deg", "pelvic_drop_deg", "speed_mps", "step_length_m", "walking_s", "standing_s",
    "step_time_cv_pct", "step_regularity", "stride_regularity",
)

SEGMENT_COLUMNS: tuple[str, ...] = (
    "start_s", "end_s", "cadence_spm", "gct_ms", "vo_cm", "flight_ms", "n_steps",
    "gct_balance_left_pct", "impact_g", "loading_rate_gps", "braking_mps", "pelvic_tilt_deg",
    "vertical_ratio_pct", "step_time_cv_pct", "running_s",
)


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
    return [_jsonable(v) for v in values.tolist()]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain JSON values (column-wise conversion: fast for 50 000 steps)."""
    cols = list(df.columns)
    columns = [_column_values(df[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*columns, strict=True)]


@dataclass(eq=False)
class Analysis:
    """The result of analysing one recording (or one shoe pair).

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per detected step (waist) or contact (shoe), columns :data:`STEP_COLUMNS` (plus
        per-foot columns for shoes). ``ic_s``/``to_s`` are on the input's own time axis (s).
        ``valid`` is False for steps touching a gap or failing plausibility checks.
    summary : dict
        Run-level metrics (:data:`SUMMARY_KEYS`); a metric that cannot be measured is NaN/None.
    segments : pandas.DataFrame
        Per-minute segments, columns :data:`SEGMENT_COLUMNS`.
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

    # -- convenience ------------------------------------------------------------------------
    @property
    def placement(self) -> str | None:
        return self.input.get("placement")

    @property
    def running_steps(self) -> pd.DataFrame:
        """Valid running steps only (the population the running metrics are computed on)."""
        s = self.steps
        return s[s["valid"] & (s["activity"] == "running")]

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (schema 1) as plain Python objects; NaN becomes None."""
        head = _jsonable({
            "schema": SCHEMA_VERSION,
            "gaitlab_version": __version__,
            "input": self.input,
            "summary": self.summary,
        })
        head["steps"] = _records(self.steps)
        head["segments"] = _records(self.segments)
        head["gaps"] = _records(self.gaps)
        head["flags"] = _jsonable(self.flags)
        head["params"] = _jsonable(self.params)
        return head

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None) -> str:
        """Serialise to JSON (schema 1). Writes ``path`` when given; returns the text either way."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.write("\n")
        return text

    # -- report views (gaitlab.report) -------------------------------------------------------
    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A self-contained HTML report (inline figures, no network); writes ``path`` if given."""
        from .report.html import render_html

        text = render_html(self)
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


def analyze(
    recording: Recording | str | os.PathLike[str] | Sequence[Recording],
    *,
    placement: str | None = None,
    speed_mps: float | None = None,
    axes: str | np.ndarray | None = None,
    thresholds: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    report: bool = True,
    tags: Mapping[str, Any] | None = None,
    speed_from: str | os.PathLike[str] | None = None,
    history: str | os.PathLike[str] | None = None,
    **params: Any,
) -> Analysis:
    """Analyse a running recording: steps, per-step metrics, summary, segments and flags.

    Parameters
    ----------
    recording : Recording, path, or pair of Recordings
        The signal. A path is read with :func:`gaitlab.read`. Two shoe recordings (left, right)
        are analysed as a pair.
    placement : {'waist', 'shoe'}, optional
        Overrides the recording's placement. Unknown placement is inferred from the signal.
    speed_mps : float, optional
        Constant running speed, for vertical ratio and step length. A ``speed_mps`` channel in the
        recording takes precedence per step.
    axes : str or (3, 3) array, optional
        Explicit sensor-to-body axis mapping instead of estimating orientation, e.g.
        ``"+x,+y,+z"`` meaning body forward = sensor +x, left = sensor +y, up = sensor +z.
    thresholds : mapping or path to a TOML file, optional
        Overrides of the report's default thresholds.
    report : bool, default True
        Evaluate the back-strain pattern rules and fill :attr:`Analysis.flags`.
    tags : mapping, optional
        User tags kept in ``input['tags']`` (e.g. ``{"shoe": "Pegasus40", "athlete": "ana"}``), for
        :func:`gaitlab.history` and :func:`gaitlab.compare`.
    speed_from : path, optional
        A watch's FIT file of the same run: its speed, laps and running dynamics are aligned by
        absolute time (:mod:`gaitlab.context`); replaces ``speed_mps``.
    history : path, optional
        A folder of earlier JSON results: the report places this run among the runner's recent runs.
    **params
        Further pipeline settings (see :class:`gaitlab.gait.waist.WaistPipeline`).

    Returns
    -------
    Analysis
    """
    if isinstance(recording, str | os.PathLike):
        from .io import read

        recording = read(recording, placement=placement)
    # -- run context (gaitlab.context, issue #19): tags, start time, watch speed, history ---------
    from .context import finish_context, prepare_context

    ctx, speed_mps = prepare_context(recording, tags=tags, speed_from=speed_from, speed_mps=speed_mps,
                                     history=history, recent_n=params.pop("recent_n", None))
    # -- end run context ---------------------------------------------------------------------------
    if isinstance(recording, Sequence) and not isinstance(recording, str):
        recs = list(recording)
        if len(recs) == 1:
            recording = recs[0]
        else:
            from .gait.shoe import analyze_shoes

            for rec in recs:
                _require_event_rate(rec)
            result = analyze_shoes(recs, speed_mps=speed_mps, axes=axes, **params)
            finish_context(result, ctx)
            return _finish(result, thresholds, report)
    if not isinstance(recording, Recording):
        raise InputError(f"analyze() takes a Recording or a path, not {type(recording).__name__}")
    _require_event_rate(recording)
    place = placement or recording.placement
    if place is None:
        from .gait.placement import infer_placement

        place = infer_placement(recording)
        logger.info("placement not given: inferred %r from the signal", place)
    if place == "shoe":
        from .gait.shoe import analyze_shoes

        result = analyze_shoes([recording], speed_mps=speed_mps, axes=axes, **params)
    elif place == "waist":
        from .gait.waist import WaistPipeline

        result = WaistPipeline(speed_mps=speed_mps, axes=axes, **params).run(recording).analysis_
    else:
        raise InputError(f"placement must be 'waist' or 'shoe', found {place!r}")
    finish_context(result, ctx)
    return _finish(result, thresholds, report)


def _require_event_rate(rec: Any) -> None:
    """Refuse a recording too slow for gait events rather than report steps that cannot be timed."""
    from .recording import event_rate_problem

    problem = event_rate_problem(rec.fs) if isinstance(rec, Recording) else None
    if problem:
        raise InputError(problem, path=rec.meta.get("source"))


def _finish(result: Analysis, thresholds: Any, report: bool) -> Analysis:
    if report:
        from .report import evaluate, load_thresholds

        # kept so the HTML evidence table shows the limits actually applied
        result.params["report_thresholds"] = load_thresholds(thresholds)
        result.flags = evaluate(result, thresholds=result.params["report_thresholds"])
    return result
