"""The watch's context: a Garmin FIT file's speed, distance and laps aligned with an IMU recording.

A waist or shoe IMU does not know how fast the runner went; the watch
on the wrist does. ``gaitlab analyze run.csv --speed-from watch.fit`` (``speed_from=`` in Python)
puts the two on one time axis by **absolute time**, which

* turns on vertical ratio and step length (the watch's speed per second, as speed segments),
* splits the run by the watch's laps (gaitlab's metrics per lap next to the watch's own), and
* lays the watch's running dynamics (cadence, GCT, VO, vertical ratio, balance, from an HRM-Pro,
  Running Dynamics Pod or the wrist), where the file has them, over gaitlab's per-minute values.

How the clocks meet
-------------------
The FIT ``record`` time stamps are UTC (1-s resolution, a watch's GPS-disciplined clock). The IMU
recording's start time is what its file says (:func:`gaitlab.runmeta.start_time_of`):

* with a UTC offset (MetaBase exports, ISO time columns with a zone, FIT): used as it is;
* without one (Polar Sensor Logger's phone time, ISO columns without a zone): it is a wall clock in
  an unknown zone. Two readings are possible: UTC, or the watch's own local time (the FIT
  ``activity`` message's ``local_timestamp`` gives the watch's offset from UTC, and the runner
  carried both devices in the same place). The one under which the recordings overlap is used;
  if both do (a long recording, a small offset) the alignment is ambiguous and refused: give the
  start time with its offset.
* unknown: refused with a clear error (nothing to align by; never a guess).

Phone and watch clocks agree to about a second (network and GPS time), less than one FIT record.
As a check, the watch's cadence is compared with gaitlab's over the same minutes
(``input['watch']['cadence_diff_spm']``): a median difference of more than a few spm means the
clocks or the devices disagree.

Result keys (schema 1, new keys only): ``input['watch']`` = ``{path, device, sport, start_time,
offset_s, basis, overlap_s, laps: [...], segments: [...], cadence_diff_spm}``; ``offset_s`` is
the watch's first record on the recording's time axis (s).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, option
from .runmeta import as_utc, parse_start_time

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .result import Analysis

__all__ = ["Watch", "read_watch", "align_watch", "Alignment", "watch_speed_segments", "watch_context",
           "RunContext", "prepare_context", "finish_context", "MIN_OVERLAP_S", "WATCH_METRICS"]

logger = logging.getLogger(__name__)

#: Shortest overlap (s) worth aligning: ten 1-s watch records, enough for a speed and a lap share.
MIN_OVERLAP_S = 10.0

#: A watch record more than this after the previous one means the watch was paused (auto-pause):
#: its speed is not carried across the hole (s). Garmin's "smart recording" writes a record only
#: when something changes; on real Garmin FIT files consecutive records of
#: a moving watch are up to 9 s apart, so 10 s separates smart-recording spacing from a pause.
MAX_RECORD_GAP_S = 10.0

#: Watch columns (gaitlab names, from :func:`gaitlab.io.read_fit`) laid over gaitlab's metrics.
WATCH_METRICS: tuple[str, ...] = ("cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct",
                                  "gct_balance_left_pct", "step_length_m", "speed_mps")

#: FIT epoch (1989-12-31 00:00 UTC): ``local_timestamp`` counts seconds from it on the local clock.
_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)

#: FIT lap fields -> (gaitlab name, factor). Cadence is strides/min for running (as in gaitlab.io.fit).
_LAP_FIELDS = {"avg_stance_time": ("gct_ms", 1.0), "avg_vertical_oscillation": ("vo_cm", 0.1),
               "avg_vertical_ratio": ("vertical_ratio_pct", 1.0), "avg_step_length": ("step_length_m", 0.001),
               "avg_stance_time_balance": ("gct_balance_left_pct", 1.0)}


@dataclass
class Watch:
    """A FIT activity as gaitlab needs it for context.

    Attributes
    ----------
    path : str
        The FIT file.
    records : pandas.DataFrame
        :func:`gaitlab.io.read_fit`'s table (``timestamp`` UTC, ``time_s``, metric columns) plus
        ``distance_m`` (the watch's cumulative distance, m; NaN where absent).
    laps : list of dict
        ``start`` / ``end`` (UTC datetimes), ``distance_m``, ``speed_mps`` and the watch's lap
        averages (:data:`_LAP_FIELDS`, ``cadence_spm``) where the file has them.
    local_offset : timedelta or None
        The watch's local time minus UTC (from the ``activity`` message), when the file says.
    device, sport : str or None
    """

    path: str
    records: pd.DataFrame
    laps: list[dict[str, Any]] = field(default_factory=list)
    local_offset: timedelta | None = None
    device: str | None = None
    sport: str | None = None

    @property
    def start(self) -> datetime:
        return self.records["timestamp"].iloc[0].to_pydatetime()

    @property
    def end(self) -> datetime:
        return self.records["timestamp"].iloc[-1].to_pydatetime()


def _num(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _fit_extras(messages: dict[str, list[dict[str, Any]]]) -> tuple[list[float], list[dict[str, Any]],
                                                                     timedelta | None]:
    """Per-record distance, laps and the local-time offset: the parts of a FIT file that
    :func:`gaitlab.io.read_fit` (the running-dynamics table) does not carry."""
    distance = [_num(r.get("distance")) for r in messages.get("record_mesgs", [])]
    laps = []
    for lap in messages.get("lap_mesgs", []):
        start, elapsed = lap.get("start_time"), _num(lap.get("total_elapsed_time"))
        if not isinstance(start, datetime) or not math.isfinite(elapsed):
            continue
        row: dict[str, Any] = {"start": start, "end": start + timedelta(seconds=elapsed),
                               "distance_m": _num(lap.get("total_distance")),
                               "speed_mps": _num(lap.get("enhanced_avg_speed", lap.get("avg_speed")))}
        timer = _num(lap.get("total_timer_time"))
        if not math.isfinite(row["speed_mps"]) and math.isfinite(row["distance_m"]) and timer > 0:
            row["speed_mps"] = row["distance_m"] / timer  # older watches store no lap average speed
        cad = _num(lap.get("avg_running_cadence", lap.get("avg_cadence")))
        frac = _num(lap.get("avg_fractional_cadence"))
        row["cadence_spm"] = 2.0 * (cad + (frac if math.isfinite(frac) else 0.0))
        for fit_name, (name, factor) in _LAP_FIELDS.items():
            row[name] = _num(lap.get(fit_name)) * factor
        laps.append(row)
    laps.sort(key=lambda r: r["start"])
    offset = None
    for act in messages.get("activity_mesgs", []):
        local, stamp = act.get("local_timestamp"), act.get("timestamp")
        if isinstance(local, int | float):  # seconds since the FIT epoch, as the profile stores it
            local = _FIT_EPOCH + timedelta(seconds=float(local))
        if isinstance(local, datetime) and isinstance(stamp, datetime):
            # local_timestamp is the local wall clock (decoded as if it were UTC); round the
            # difference to the quarter hour (every real UTC offset is a multiple of 15 min)
            diff = (local.replace(tzinfo=stamp.tzinfo) - stamp).total_seconds()
            offset = timedelta(minutes=15 * round(diff / 900.0))
    return distance, laps, offset


def read_watch(path: str | os.PathLike[str]) -> Watch:
    """Read a FIT activity for :func:`align_watch`: records (speed, distance, running dynamics) and laps.

    Raises
    ------
    InputError
        Not a FIT file, corrupt, no records (see :func:`gaitlab.io.read_fit`).
    """
    from .io.fit import decode_fit, fit_table

    where = str(path)
    messages = decode_fit(where)
    records = fit_table(messages, where)
    distance, laps, offset = _fit_extras(messages)
    records = records.copy()
    records["distance_m"] = np.asarray(distance, dtype=np.float64) if len(distance) == len(records) \
        else np.full(len(records), np.nan)
    return Watch(path=where, records=records, laps=laps, local_offset=offset,
                 device=records.attrs.get("device"), sport=records.attrs.get("sport"))


@dataclass(frozen=True)
class Alignment:
    """How the watch sits on the recording's time axis.

    Attributes
    ----------
    offset_s : float
        Time of the watch's first record on the recording's axis (s): record ``i`` is at
        ``offset_s + records.time_s[i]``.
    basis : str
        ``'utc'`` (both clocks absolute), ``'naive as UTC'`` or ``'naive as watch local time'``.
    overlap_s : float
        Seconds during which both recorded.
    """

    offset_s: float
    basis: str
    overlap_s: float

    def on_recording(self, watch_time_s: np.ndarray) -> np.ndarray:
        """Watch ``time_s`` values -> the recording's time axis (s)."""
        return self.offset_s + np.asarray(watch_time_s, dtype=np.float64)


def _overlap(offset_s: float, watch_len_s: float, duration_s: float) -> float:
    return min(duration_s, offset_s + watch_len_s) - max(0.0, offset_s)


def align_watch(watch: Watch, start_time: Any, duration_s: float, *, source: str | None = None) -> Alignment:
    """Put a watch's records on a recording's time axis by absolute time.

    Parameters
    ----------
    watch : Watch
    start_time : str or datetime or None
        The recording's start time (``Analysis.input['start_time']`` / ``Recording.meta``).
    duration_s : float
        The recording's length (s).
    source : str, optional
        The recording's name, for error messages.

    Raises
    ------
    InputError
        Unknown start time; no overlap of at least :data:`MIN_OVERLAP_S`; an ambiguous naive time.
    """
    start = parse_start_time(start_time)
    what = source or "the recording"
    if start is None:
        raise InputError(f"--speed-from needs the IMU recording's absolute start time to align it with "
                         f"{os.path.basename(watch.path)}, but {what} does not say when it started "
                         "(use an export with absolute time stamps, e.g. an ISO-8601 time column)")
    watch_len = float(watch.records["time_s"].iloc[-1])
    if start.tzinfo is not None:
        candidates = [("utc", as_utc(start))]
    else:
        candidates = [("naive as UTC", as_utc(start, timedelta(0)))]
        if watch.local_offset is not None and watch.local_offset != timedelta(0):
            candidates.append(("naive as watch local time", as_utc(start, watch.local_offset)))
    fits = []
    for basis, utc in candidates:
        offset = (watch.start - utc).total_seconds()
        fits.append((basis, offset, _overlap(offset, watch_len, duration_s)))
    good = [f for f in fits if f[2] >= MIN_OVERLAP_S]
    span = (f"watch {watch.start:%Y-%m-%d %H:%M:%S} to {watch.end:%H:%M:%S} UTC; {what} starts "
            f"{start.isoformat()} and lasts {duration_s:.0f} s")
    if not good:
        best = max(fits, key=lambda f: f[2])
        raise InputError(f"the watch file {os.path.basename(watch.path)} and {what} do not overlap in time "
                         f"(at least {MIN_OVERLAP_S:.0f} s needed, found {max(best[2], 0.0):.0f} s): {span}")
    if len(good) > 1:
        raise InputError(f"{what}'s start time {start.isoformat()} has no UTC offset and the watch file "
                         f"overlaps it both as UTC and as the watch's local time: give the start time with "
                         f"its offset (e.g. {start.isoformat()}+01:00) to align them ({span})")
    basis, offset, overlap = good[0]
    logger.info("watch %s aligned (%s): first record at %.1f s on the recording, %.0f s overlap",
                os.path.basename(watch.path), basis, offset, overlap)
    return Alignment(offset_s=float(offset), basis=basis, overlap_s=float(overlap))


def watch_speed_segments(watch: Watch, alignment: Alignment, duration_s: float) -> tuple[tuple[float, float, float], ...]:
    """The watch's speed as ``(start_s, end_s, speed_mps)`` segments on the recording's axis.

    Each record's speed holds until the next record (at most :data:`MAX_RECORD_GAP_S`: a paused
    watch says nothing about the pause). Speeds outside the running range of
    :func:`gaitlab.gait.speed.parse_speed` (standing, GPS dropouts) give no segment, so those
    steps get no step length rather than a wrong one.
    """
    from .gait.speed import _RANGE

    t = alignment.on_recording(watch.records["time_s"].to_numpy(dtype=np.float64))
    v = watch.records["speed_mps"].to_numpy(dtype=np.float64)
    nxt = np.append(t[1:], t[-1] + 1.0)
    end = np.minimum(nxt, t + MAX_RECORD_GAP_S)
    end = np.where(nxt - t > MAX_RECORD_GAP_S, t + 1.0, end)
    a, b = np.clip(t, 0.0, duration_s), np.clip(end, 0.0, duration_s)
    ok = np.isfinite(v) & (v >= _RANGE[0]) & (v <= _RANGE[1]) & (b > a)
    return tuple((float(x), float(y), float(s)) for x, y, s in zip(a[ok], b[ok], v[ok], strict=True))


def _window_means(t: np.ndarray, values: dict[str, np.ndarray], start: float, end: float) -> dict[str, float]:
    sel = (t >= start) & (t < end)
    out = {}
    for k, v in values.items():
        x = v[sel]
        x = x[np.isfinite(x)]
        out[k] = float(x.mean()) if x.size else math.nan
    return out


def _lap_rows(analysis: Analysis, watch: Watch, alignment: Alignment) -> list[dict[str, Any]]:
    from .gait.metrics import summarize

    steps = analysis.steps
    duration = float(analysis.input.get("duration_s") or 0.0)
    rows = []
    for i, lap in enumerate(watch.laps):
        a = (lap["start"] - watch.start).total_seconds() + alignment.offset_s
        b = (lap["end"] - watch.start).total_seconds() + alignment.offset_s
        lo, hi = max(a, 0.0), min(b, duration)
        if hi - lo <= 0:
            continue
        sub = steps[(steps["ic_s"] >= lo) & (steps["ic_s"] < hi)]
        # the mounting's reason (off the midline: left/right not measurable) holds for every lap
        s = summarize(sub, duration_s=hi - lo, per_side_reason=analysis.summary.get("per_side_reason"))
        row = {"lap": i + 1, "start_s": lo, "end_s": hi, "covered_pct": 100.0 * (hi - lo) / max(b - a, 1e-9),
               "n_steps": int(s.get("n_valid_steps") or 0)}
        for key in ("cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct", "step_length_m", "impact_g",
                    "gct_balance_left_pct", "speed_mps"):
            row[key] = s.get(key)
        row["watch"] = {k: v for k, v in lap.items() if k not in ("start", "end")}
        rows.append(row)
    return rows


def watch_context(analysis: Analysis, watch: Watch, alignment: Alignment) -> dict[str, Any]:
    """The ``input['watch']`` entry: alignment, laps (gaitlab's metrics per lap beside the watch's)
    and the watch's per-segment running dynamics (on gaitlab's segment windows)."""
    rec = watch.records
    t = alignment.on_recording(rec["time_s"].to_numpy(dtype=np.float64))
    present = [c for c in WATCH_METRICS if c in rec.columns and rec[c].notna().any()]
    values = {c: rec[c].to_numpy(dtype=np.float64) for c in present}
    segments = []
    diffs = []
    for seg in analysis.segments.to_dict("records"):
        w = _window_means(t, values, float(seg["start_s"]), float(seg["end_s"]))
        segments.append({"start_s": seg["start_s"], "end_s": seg["end_s"], **w})
        ours = seg.get("cadence_spm")
        if ours is not None and math.isfinite(float(ours)) and math.isfinite(w.get("cadence_spm", math.nan)):
            diffs.append(float(ours) - w["cadence_spm"])
    cadence_diff = float(np.median(diffs)) if diffs else math.nan
    if diffs and abs(cadence_diff) > 10.0:
        logger.warning("gaitlab's cadence and the watch's differ by %.0f spm (median over %d minutes): check "
                       "that the watch file belongs to this run and that both clocks were right",
                       cadence_diff, len(diffs))
    return {
        "path": watch.path, "device": watch.device, "sport": watch.sport,
        "start_time": watch.start.isoformat(), "offset_s": alignment.offset_s, "basis": alignment.basis,
        "overlap_s": alignment.overlap_s, "metrics": present, "laps": _lap_rows(analysis, watch, alignment),
        "segments": segments, "cadence_diff_spm": cadence_diff,
    }


# -- the hook in gaitlab.analyze -----------------------------------------------------------------
@dataclass
class RunContext:
    """What :func:`gaitlab.analyze` adds around the pipeline: run metadata, the watch, the history."""

    tags: dict[str, str] = field(default_factory=dict)
    start_time: str | None = None
    device: str | None = None
    source: str | None = None
    duration_s: float = 0.0
    watch: Watch | None = None
    alignment: Alignment | None = None
    history: Any = None
    recent_n: int | None = None


def prepare_context(recording: Any, *, tags: Any = None, speed_from: Any = None, speed_mps: Any = None,
                    history: Any = None, recent_n: int | None = None) -> tuple[RunContext, Any]:
    """Before the pipeline: read tags and start time; with ``speed_from``, align the watch and
    return its speed segments in place of ``speed_mps``.

    Parameters
    ----------
    recording : Recording or sequence of Recording
        What is analysed (the first of a shoe pair gives the start time).
    tags : mapping, optional
    speed_from : path, optional
        A FIT activity of the same run.
    speed_mps : optional
        The user's own speed; giving both is refused.
    history : path, optional
        A folder of JSON results: the report places this run among the runner's recent ones.
    recent_n : int, optional
        How many recent runs (default :data:`gaitlab.season.RECENT_N`).

    Returns
    -------
    (RunContext, speed) : the context and the speed to hand to the pipeline.
    """
    from .runmeta import check_tags, start_time_of

    first = recording[0] if isinstance(recording, list | tuple) else recording
    meta = getattr(first, "meta", None) or {}
    ctx = RunContext(tags=check_tags(tags), start_time=start_time_of(meta), device=meta.get("device"),
                     source=meta.get("source"), duration_s=float(getattr(first, "duration_s", 0.0)),
                     history=history, recent_n=recent_n)
    if speed_from is not None:
        if speed_mps is not None:
            raise InputError(f"give the speed either as a number ({option('speed_mps')}) or from a watch file "
                             f"({option('speed_from')}), not both")
        if "speed_mps" in (getattr(first, "extra", None) or {}):
            logger.warning("the recording has its own speed channel, which takes precedence over the watch's "
                           "speed for step length and vertical ratio")
        ctx.watch = read_watch(speed_from)
        name = os.path.basename(str(ctx.source)) if ctx.source else None
        ctx.alignment = align_watch(ctx.watch, ctx.start_time, ctx.duration_s, source=name)
        segs = watch_speed_segments(ctx.watch, ctx.alignment, ctx.duration_s)
        if not segs:
            logger.warning("%s: the watch recorded no running speed during this recording: vertical ratio and "
                           "step length stay unmeasured", os.path.basename(str(speed_from)))
        speed_mps = segs or None
    return ctx, speed_mps


def finish_context(result: Analysis, ctx: RunContext) -> None:
    """After the pipeline: new ``input`` keys ``start_time``, ``device``, ``tags`` (and ``watch``);
    with a history, ``params['recent_runs']`` for the report's "against your recent runs"."""
    inp = result.input if result.input is not None else {}
    inp["start_time"] = ctx.start_time
    if inp.get("device") is None:
        files = inp.get("files") or []
        inp["device"] = ctx.device or next((f.get("device") for f in files if f.get("device")), None)
    inp["tags"] = dict(ctx.tags)
    if ctx.watch is not None and ctx.alignment is not None:
        inp["watch"] = watch_context(result, ctx.watch, ctx.alignment)
    result.input = inp
    if ctx.history is not None:
        from .season import recent_runs

        result.params["recent_runs"] = recent_runs(result, ctx.history, n=ctx.recent_n)
