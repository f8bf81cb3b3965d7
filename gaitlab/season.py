"""A runner's history: many JSON results laid out over weeks, with trends and run-to-run noise.

>>> import gaitlab
>>> h = gaitlab.history("results/")                 # doctest: +SKIP
>>> h.runs[["start", "runner", "cadence_spm"]]      # one row per run   # doctest: +SKIP
>>> h.trends                                        # per runner and metric  # doctest: +SKIP
>>> h.to_html("history.html")                       # doctest: +SKIP

Input: the JSON results (schema 1) that ``gaitlab analyze --json`` and ``gaitlab batch`` write,
anywhere under a folder. Only the head (``input``, ``summary``) and the tail (``segments``, ``flags``)
of each file are read, never the per-step table, so a season of thousands of runs loads in seconds
(see docs/history.md for the measured time).

The runner is the ``athlete`` (or ``runner``) tag; untagged runs form one runner, ``"(untagged)"``.
A run is placed in time by its ``input.start_time`` (what the recording's file says); a run with
no start time is listed but left out of the weekly trends (never given an invented date).

Trends
------
* **per week**: the median of each metric over that week's runs (ISO weeks, on the runner's wall
  clock);
* **slope**: ordinary least squares of run values on time (per week), with a 95 % t interval
  (runs are the independent units); "rising"/"falling" only when the interval excludes 0;
* **last 4 weeks vs the 4 before**: difference of means with a Welch interval;
* **run-to-run noise**: ``sqrt(mean(diff(y)^2) / 2)`` over runs in time order (the mean square
  successive difference, von Neumann et al. 1941): the typical difference between one run and the
  next, insensitive to a slow trend such as a cadence raised over weeks;
* **late-run drift**: per run, from the per-minute segments: the last third of the running
  minutes against the first third (the first minute left out as the warm-up), as cadence change
  (spm) and contact-time change (%).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .runmeta import RUNNER_TAGS, parse_start_time, week_of
from .schema import TREND_METRICS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .result import Analysis

__all__ = ["history", "History", "load_result", "find_results", "recent_runs", "TREND_METRICS",
           "RECENT_N", "UNTAGGED", "mssd_sd", "late_drift"]

logger = logging.getLogger(__name__)

#: Default number of earlier runs the single-run report compares with.
RECENT_N = 10

#: Runner name of runs without an athlete/runner tag.
UNTAGGED = "(untagged)"

#: Segments count as running minutes when at least this many seconds of them were running.
_RUNNING_SEGMENT_S = 30.0
#: Fewest running minutes for a late-run drift (a third of them on each side, after the warm-up).
_MIN_DRIFT_SEGMENTS = 7

_HEAD_BYTES = 16_384
_TAIL_BYTES = 65_536
_SEGMENTS_KEY = re.compile(rb'"segments"\s*:')
_STEPS_KEY = re.compile(rb'"steps"\s*:\s*\[')  # the key, not a tag value that happens to read "steps"


# -- reading results ------------------------------------------------------------------------------
def find_results(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """JSON result files under ``source`` (a folder, searched recursively, a file, or several).

    Batch bookkeeping (``.batch/``) and hidden folders are skipped.
    """
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*.json")):
                if any(part.startswith(".") for part in f.relative_to(p).parts[:-1]):
                    continue
                out.append(f)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or folder", path=str(p))
    return out


def _read_tail(fh: Any, size: int, steps_at: int) -> bytes | None:
    """The bytes from the top-level ``"segments"`` key to the end, reading back from the end."""
    want = _TAIL_BYTES
    while True:
        start = max(size - want, steps_at)
        fh.seek(start)
        tail = fh.read()
        m = _SEGMENTS_KEY.search(tail)
        if m is not None:
            before = tail[:m.start()]
            # the first "segments" key after a cut inside the steps is the top-level one; a cut that
            # fell after it would show the later keys before this match
            if start == steps_at or (b'"flags"' not in before and b'"gaps"' not in before):
                return tail[m.start():]
            return None
        if start == steps_at:
            return None
        want *= 4


def load_result(path: str | os.PathLike[str], *, steps: bool = False) -> dict[str, Any]:
    """One JSON result (schema 1) without its per-step table (unless ``steps=True``).

    Returns
    -------
    dict
        The JSON's keys; ``steps`` is ``[]`` unless asked for. ``_path`` is the file.

    Raises
    ------
    InputError
        Not JSON, or not a gaitlab result (no ``schema`` / ``summary``).
    """
    where = str(path)
    doc: dict[str, Any] | None = None
    if not steps:
        try:
            with open(where, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                head = fh.read(_HEAD_BYTES)
                m = _STEPS_KEY.search(head)
                while m is None and len(head) < size:
                    head += fh.read(_HEAD_BYTES * 4)
                    m = _STEPS_KEY.search(head)
                at = -1 if m is None else m.start()
                if at >= 0 and len(head) < size:
                    tail = _read_tail(fh, size, at)
                    if tail is not None:
                        doc = json.loads(head[:at] + b'"steps": [], ' + tail)
                        if not isinstance(doc.get("segments"), list):
                            doc = None
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            doc = None  # an unusual layout (hand-written, re-indented): read it whole below
    if doc is None:
        try:
            with open(where, encoding="utf-8") as fh:
                doc = json.load(fh)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", path=where, line=exc.lineno, column=exc.colno) from None
        except UnicodeDecodeError:
            raise InputError("not a UTF-8 JSON file", path=where) from None
        if not steps and isinstance(doc, dict):
            doc["steps"] = []
    if not isinstance(doc, dict) or "schema" not in doc or not isinstance(doc.get("summary"), dict):
        raise InputError("not a gaitlab result (expected a JSON object with 'schema' and 'summary', as "
                         "gaitlab analyze --json writes)", path=where)
    doc["_path"] = where
    return doc


# -- per-run values -------------------------------------------------------------------------------
def _finite(x: Any) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return math.nan
    return f if math.isfinite(f) else math.nan


def late_drift(segments: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Late-run drift from per-minute segments: ``cadence_drift_spm`` (late - early) and
    ``gct_drift_pct`` (100 (late / early - 1)); NaN with fewer than 7 running minutes.

    Early = the first third of the running minutes after the first one (warm-up), late = the last
    third; each side's value is the median over its minutes.
    """
    run = [s for s in segments if _finite(s.get("running_s")) >= _RUNNING_SEGMENT_S]
    out = {"cadence_drift_spm": math.nan, "gct_drift_pct": math.nan}
    if len(run) < _MIN_DRIFT_SEGMENTS:
        return out
    body = run[1:]
    k = len(body) // 3
    early, late = body[:k], body[-k:]

    def med(rows: Sequence[Mapping[str, Any]], key: str) -> float:
        v = np.array([_finite(r.get(key)) for r in rows])
        v = v[np.isfinite(v)]
        return float(np.median(v)) if v.size else math.nan

    out["cadence_drift_spm"] = med(late, "cadence_spm") - med(early, "cadence_spm")
    g0 = med(early, "gct_ms")
    out["gct_drift_pct"] = 100.0 * (med(late, "gct_ms") / g0 - 1.0) if g0 > 0 else math.nan
    return out


def _runner_of(tags: Mapping[str, Any]) -> str:
    for key in RUNNER_TAGS:
        if tags.get(key):
            return str(tags[key])
    return UNTAGGED


def _run_row(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    inp = doc.get("input") or {}
    summary = doc.get("summary") or {}
    tags = inp.get("tags") or {}
    start = parse_start_time(inp.get("start_time"))
    local = None if start is None else start.replace(tzinfo=None)  # the runner's wall clock
    row: dict[str, Any] = {
        "file": name, "runner": _runner_of(tags), "start_time": inp.get("start_time"),
        "start": local, "week": None if start is None else week_of(start),
        "device": inp.get("device"), "placement": inp.get("placement"), "tags": dict(tags),
        "duration_s": _finite(inp.get("duration_s")),
    }
    for key in ("running_s", "n_valid_steps", "speed_mps", "step_length_m", *TREND_METRICS):
        if key in summary:
            row[key] = _finite(summary.get(key))
    for key in TREND_METRICS:
        row.setdefault(key, math.nan)
    row.update(late_drift(doc.get("segments") or []))
    for key, value in summary.items():  # every other numeric summary key (shock attenuation...)
        if key not in row and isinstance(value, int | float) and not isinstance(value, bool):
            row[key] = _finite(value)
    row["flags"] = " ".join(str(f.get("code")) for f in doc.get("flags") or [] if f.get("severity") != "info")
    return row


def _runs_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    keys = sorted({k for r in rows for k in r["tags"]})
    for k in keys:
        frame[f"tag_{k}"] = pd.array([r["tags"].get(k) for r in rows], dtype="string")
    frame["start"] = pd.to_datetime(frame["start"])
    # a waist and a shoe sensor measure differently (contact time, impact): never one trend line
    frame.insert(2, "athlete", frame["runner"])
    mixed = frame.groupby("athlete")["placement"].transform(lambda p: p.fillna("?").nunique() > 1)
    frame.loc[mixed, "runner"] = frame.loc[mixed, "athlete"] + " (" + frame.loc[mixed, "placement"].fillna("?") + ")"
    return frame.sort_values(["runner", "start", "file"], na_position="last", kind="stable").reset_index(drop=True)


# -- statistics -----------------------------------------------------------------------------------
def mssd_sd(values: Sequence[float]) -> float:
    """Run-to-run noise: ``sqrt(mean(diff(y)^2) / 2)`` of values in time order (NaN with < 3).

    For independent runs around a slowly moving level it estimates the SD of one run about that
    level, without the trend inflating it (von Neumann, Kent, Bellinson & Hart 1941).
    """
    y = np.asarray(values, dtype=np.float64)
    y = y[np.isfinite(y)]
    if y.size < 3:
        return math.nan
    return float(np.sqrt(np.mean(np.diff(y) ** 2) / 2.0))


def _t_crit(df: float, conf: float = 0.95) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + conf / 2.0, df))


def _slope(days: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """OLS slope per week and its 95 % CI (NaN with < 4 runs or < 14 days)."""
    ok = np.isfinite(days) & np.isfinite(y)
    x, y = days[ok] / 7.0, y[ok]
    if x.size < 4 or np.ptp(x) < 2.0:
        return math.nan, math.nan, math.nan
    xc = x - x.mean()
    sxx = float(np.sum(xc ** 2))
    b = float(np.sum(xc * (y - y.mean())) / sxx)
    resid = y - y.mean() - b * xc
    se = math.sqrt(float(np.sum(resid ** 2)) / (x.size - 2) / sxx)
    h = _t_crit(x.size - 2) * se
    return b, b - h, b + h


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``b`` minus mean of ``a`` with a 95 % Welch interval (NaN with < 2 runs a side)."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return math.nan, math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    d = float(b.mean() - a.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d, d
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    h = _t_crit(df) * se
    return d, d - h, d + h


def _trend_rows(runs: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    rows = []
    for runner, g in runs.groupby("runner", sort=True):
        dated = g[g["start"].notna()].sort_values("start")
        if dated.empty:
            continue
        t = dated["start"]
        days = ((t - t.iloc[0]) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)
        age = ((t.iloc[-1] - t) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)
        last4, prev4 = age < 28.0, (age >= 28.0) & (age < 56.0)
        for key, (label, unit, _fmt) in TREND_METRICS.items():
            y = dated[key].to_numpy(dtype=np.float64)
            n = int(np.isfinite(y).sum())
            if n == 0:
                continue
            slope, lo, hi = _slope(days, y)
            change, clo, chi = _welch(y[prev4], y[last4])
            verdict = "too few runs"
            if math.isfinite(slope):
                verdict = "rising" if lo > 0 else "falling" if hi < 0 else "steady"
            rows.append({
                "runner": runner, "metric": key, "label": label, "unit": unit, "n_runs": n,
                "first": t.iloc[0], "last": t.iloc[-1],
                "mean_last4w": float(np.nanmean(y[last4])) if np.isfinite(y[last4]).any() else math.nan,
                "mean_prev4w": float(np.nanmean(y[prev4])) if np.isfinite(y[prev4]).any() else math.nan,
                "change_4w": change, "change_4w_lo": clo, "change_4w_hi": chi,
                "slope_per_week": slope, "slope_lo": lo, "slope_hi": hi,
                "change_over_period": slope * float(np.ptp(days[np.isfinite(y)])) / 7.0
                if math.isfinite(slope) else math.nan,
                "noise_sd": mssd_sd(y), "verdict": verdict,
            })
    return rows


# -- the History object ---------------------------------------------------------------------------
@dataclass
class History:
    """Runs over time (see the module docstring).

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per result: ``file``, ``runner`` (the athlete, with the placement in brackets when
        the athlete has both waist and shoe results: their trends are kept apart), ``athlete``,
        ``start_time`` (as the file says), ``start``
        (wall-clock datetime, NaT when unknown), ``week``, ``device``, ``placement``, ``tags``
        (dict) and ``tag_<key>`` columns, the :data:`TREND_METRICS` and other summary metrics,
        ``flags`` (warn/alert codes).
    weekly : pandas.DataFrame
        Per runner and ISO week: ``n_runs`` and the median of each trend metric.
    trends : pandas.DataFrame
        Per runner and metric: slope per week with 95 % CI, last 4 weeks vs the 4 before (with
        Welch 95 % CI), run-to-run noise SD and a verdict (``rising``/``falling``/``steady``).
    skipped : list of (file, reason)
        Files that are not gaitlab results.
    load_s : float
        Seconds spent reading the files.
    """

    runs: pd.DataFrame
    weekly: pd.DataFrame
    trends: pd.DataFrame
    skipped: list[tuple[str, str]] = field(default_factory=list)
    load_s: float = 0.0

    @property
    def runners(self) -> list[str]:
        return sorted(self.runs["runner"].unique()) if len(self.runs) else []

    def trend(self, metric: str, runner: str | None = None) -> dict[str, Any]:
        """The trend row of ``metric`` (for one runner; the only one when omitted)."""
        t = self.trends[self.trends["metric"] == metric]
        if runner is not None:
            t = t[t["runner"] == runner]
        if len(t) != 1:
            raise KeyError(f"{len(t)} trend rows for {metric!r} (runner {runner!r}); runners: {self.runners}")
        return t.iloc[0].to_dict()

    def to_html(self, path: str | os.PathLike[str] | None = None, *, figures: bool = True) -> str:
        """A self-contained HTML page (inline figures, no scripts, no network); writes ``path``."""
        from .report.history_html import render_history_html

        text = render_history_html(self, figures=figures)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def __repr__(self) -> str:
        return (f"History({len(self.runs)} runs, runners={self.runners}, "
                f"weeks={self.weekly['week'].nunique() if len(self.weekly) else 0})")


def _weekly(runs: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    dated = runs[runs["week"].notna()]
    cols = ["runner", "week", "n_runs", *TREND_METRICS]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    g = dated.groupby(["runner", "week"], sort=True)
    out = g[list(TREND_METRICS)].median()
    out.insert(0, "n_runs", g.size())
    out.insert(0, "week_start", g["start"].min().dt.normalize())
    return out.reset_index()


def history(source: str | os.PathLike[str] | Iterable[Any], *, runner: str | None = None,
            tags: Mapping[str, str] | None = None) -> History:
    """Build a runner's (or several runners') history from JSON results.

    Parameters
    ----------
    source : folder, file(s), or loaded results
        Where the JSON results are (searched recursively), or a list of paths / result dicts /
        :class:`~gaitlab.analysis.Analysis` objects.
    runner : str, optional
        Keep only this runner (``athlete``/``runner`` tag; ``"(untagged)"`` for the rest).
    tags : mapping, optional
        Keep only runs with these tag values, e.g. ``{"session": "easy"}``.

    Returns
    -------
    History
    """
    import time

    t0 = time.perf_counter()
    rows, skipped = [], []
    for item, name in _iter_docs(source, skipped):
        rows.append(_run_row(item, name))
    runs = _runs_frame(rows)
    if len(runs) and runner is not None:
        runs = runs[(runs["athlete"] == runner) | (runs["runner"] == runner)].reset_index(drop=True)
    for k, v in (tags or {}).items():
        col = f"tag_{k}"
        runs = runs[runs[col] == str(v)].reset_index(drop=True) if col in runs else runs.iloc[0:0]
    if runs.empty:
        import pandas as pd

        return History(runs=runs, weekly=pd.DataFrame(), trends=pd.DataFrame(), skipped=skipped,
                       load_s=time.perf_counter() - t0)
    import pandas as pd

    out = History(runs=runs, weekly=_weekly(runs), trends=pd.DataFrame(_trend_rows(runs)), skipped=skipped)
    out.load_s = time.perf_counter() - t0
    undated = int(runs["start"].isna().sum())
    if undated:
        logger.info("%d of %d runs have no start time: listed, but not in the weekly trends", undated, len(runs))
    return out


def _iter_docs(source: Any, skipped: list[tuple[str, str]]) -> Iterable[tuple[Mapping[str, Any], str]]:
    items: list[Any]
    if isinstance(source, str | os.PathLike):
        items = list(find_results(source))
        base = Path(source) if Path(source).is_dir() else None
    else:
        items, base = list(source), None
    for item in items:
        if isinstance(item, Mapping):
            yield item, str(item.get("_path") or (item.get("input") or {}).get("path") or "result")
            continue
        if hasattr(item, "to_dict") and hasattr(item, "summary"):
            d = {"input": item.input, "summary": item.summary, "segments": item.segments.to_dict("records"),
                 "flags": item.flags}
            yield d, str((item.input or {}).get("path") or "analysis")
            continue
        p = Path(item)
        if p.is_dir():
            yield from _iter_docs(p, skipped)
            continue
        try:
            doc = load_result(p)
        except InputError as exc:
            skipped.append((str(p), exc.message))
            logger.debug("skipped %s: %s", p, exc)
            continue
        name = str(p.relative_to(base)) if base is not None else str(p)
        yield doc, name


# -- against your recent runs (the single-run report) --------------------------------------------
def recent_runs(analysis: Analysis, source: Any, *, n: int | None = None) -> dict[str, Any]:
    """Where ``analysis`` sits among the same runner's last ``n`` runs in ``source``.

    The runner is the analysis' ``athlete``/``runner`` tag; earlier = started before this run (all
    runs when this run's start time is unknown: the latest ``n`` by date). The run itself (same
    start time and device, or the same file name) is left out.

    Returns
    -------
    dict
        ``runner``, ``n_runs``, ``source``, ``first``/``last`` (dates) and ``metrics``: per headline
        metric ``value`` (this run), ``median``, ``lo``/``hi`` (10th-90th percentile, min-max with
        fewer than 10 runs), ``noise_sd`` (run-to-run), ``z`` ((value - median) / noise), ``rank_pct``
        (share of recent runs below this one) and ``verdict`` ("usual", "higher than usual",
        "lower than usual": beyond 2 run-to-run SDs; "too few runs" below 3).
    """
    n = RECENT_N if n is None else int(n)
    if n < 1:
        raise InputError(f"the number of recent runs must be at least 1, found {n}")
    inp = analysis.input or {}
    tags = inp.get("tags") or {}
    me = _runner_of(tags)
    h = history(source, runner=me)
    runs = h.runs
    if len(runs) and inp.get("placement"):
        runs = runs[runs["placement"] == inp["placement"]]  # a waist run against waist runs only
    out: dict[str, Any] = {"runner": me, "source": str(source) if isinstance(source, str | os.PathLike) else None,
                           "n_requested": n, "n_runs": 0, "metrics": {}}
    if runs.empty:
        return out
    this_start = parse_start_time(inp.get("start_time"))
    this_local = None if this_start is None else this_start.replace(tzinfo=None)
    name = os.path.basename(str(inp.get("path") or ""))
    same = runs["file"].map(lambda f: bool(name) and os.path.basename(str(f)).startswith(name))
    if this_local is not None:
        same |= (runs["start"] == this_local) & (runs["device"].fillna("") == (inp.get("device") or ""))
        earlier = runs[(runs["start"] < this_local) & ~same]
    else:
        earlier = runs[runs["start"].notna() & ~same]
    earlier = earlier.sort_values("start").tail(n)
    out["n_runs"] = len(earlier)
    if earlier.empty:
        return out
    out["first"] = earlier["start"].iloc[0].isoformat()
    out["last"] = earlier["start"].iloc[-1].isoformat()
    summary = analysis.summary or {}
    for key in ("cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct", "gct_balance_left_pct", "impact_g"):
        y = earlier[key].to_numpy(dtype=np.float64)
        y = y[np.isfinite(y)]
        value = _finite(summary.get(key))
        m: dict[str, Any] = {"value": value, "n": int(y.size)}
        if y.size == 0 or not math.isfinite(value):
            m["verdict"] = "not measured"
            out["metrics"][key] = m
            continue
        lo, hi = (np.percentile(y, [10, 90]) if y.size >= 10 else (y.min(), y.max()))
        noise = mssd_sd(y)
        med = float(np.median(y))
        m.update({"median": med, "lo": float(lo), "hi": float(hi), "noise_sd": noise,
                  "rank_pct": 100.0 * float(np.mean(y < value))})
        if y.size < 3 or not math.isfinite(noise):
            m["z"], m["verdict"] = math.nan, "too few runs"
        elif noise == 0:
            m["z"], m["verdict"] = math.nan, "usual" if value == med else "no spread in recent runs"
        else:
            m["z"] = (value - med) / noise
            m["verdict"] = ("higher than usual" if m["z"] > 2 else "lower than usual" if m["z"] < -2
                            else "usual")
        out["metrics"][key] = m
    return out
