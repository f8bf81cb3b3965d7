"""The report's rule engine on plain arrays: valid running steps, centred rolling windows,
episodes (persistence) and the runner's own baseline.

The rules' checks (:mod:`.evaluate`) and their message text (:mod:`.text`) are built on it. All
arithmetic is on numpy arrays; the rolling statistics are numba kernels
(:mod:`gaitlab.kernels.rolling`) whose windows are computed once per analysis and shared by every
rule (the report used to spend half of :func:`gaitlab.analyze`'s time in pandas' rolling windows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..gait.metrics import StepColumns
from ..schema import valid_running_mask
from .thresholds import Thresholds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["NotEvaluated", "Episode", "Baseline", "RuleContext", "rolling", "running_steps", "to_ns", "any_finite",
           "summary_value", "summary_text"]


class NotEvaluated(Exception):
    """Raised by a check when its metric cannot be measured on this analysis."""


@dataclass(frozen=True)
class Episode:
    """A stretch of consecutive steps ``[i0, i1)`` where a pattern held."""

    i0: int
    i1: int
    start_s: float
    end_s: float
    running_s: float

    def as_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "duration_s": round(self.running_s, 1), "n_steps": self.i1 - self.i0}


@dataclass(frozen=True)
class Baseline:
    """The runner's own baseline: the first steps of the run (:mod:`.evaluate`, rule 4)."""

    stop: int  # steps [0, stop) are the baseline
    start_s: float
    end_s: float
    running_s: float


def any_finite(x: np.ndarray) -> bool:
    """Whether a metric was measured at all (any finite value)."""
    return bool(np.isfinite(x).any())


class RuleContext:
    """Valid running steps as plain arrays, plus the shared machinery of all rules.

    Parameters
    ----------
    steps : pandas.DataFrame
        A step table; only its valid running steps are used (sorted by IC time).
    th : Thresholds
        The thresholds in force (``general`` settings: window, persistence, baseline).
    placement, speed_mps, tilt_reference
        The placement, the run's speed (m/s) when the table has none, and the pelvic tilt's
        reference ('standing' or 'early_run').
    per_side_reason : str, optional
        Why the mounting biases left/right timing and impacts (the summary's ``per_side_reason``);
        when given, no step counts as left or right, so no rule compares the sides.
    running : ndarray of bool, optional
        :func:`gaitlab.schema.valid_running_mask` of ``steps``, when the caller has it already.
    columns : gaitlab.gait.metrics.StepColumns, optional
        ``steps`` as arrays, when the caller has them already (shared with the summary).
    """

    def __init__(self, steps: pd.DataFrame, th: Thresholds, *, placement: str | None = None,
                 speed_mps: float | None = None, tilt_reference: str | None = None,
                 per_side_reason: str | None = None, running: np.ndarray | None = None,
                 columns: StepColumns | None = None) -> None:
        self.th = th
        self.per_side_reason = per_side_reason or None
        # the waist pipeline measures tilt against standing (absolute) or against the early run
        self.tilt_reference = tilt_reference
        self.placement = placement
        self._run_speed_mps = speed_mps
        # the valid running steps in time order, as rows of the table's column arrays (no table copy)
        if steps is None or len(steps) == 0 or "ic_s" not in steps.columns:
            cols, rows = None, np.empty(0, dtype=np.int64)
        else:
            cols = StepColumns(steps) if columns is None else columns
            rows = np.flatnonzero(cols.running if running is None else running)
            ic = cols.floats("ic_s")[rows]
            if not (np.diff(ic) >= 0).all():  # as running_steps: pipelines emit steps in time order
                rows = rows[np.argsort(ic, kind="stable")]
        self._table, self._running = steps, running
        self._cols, self._rows = cols, rows
        self._columns: dict[str, np.ndarray] = {}
        self.n = rows.size
        self.t_s = self.col("ic_s")
        step_ms = self.col("step_time_ms")
        fallback = np.nanmedian(step_ms) if any_finite(step_ms) else np.nan
        self.dur_s = np.where(np.isfinite(step_ms), step_ms, fallback) / 1000.0
        self.cum_s = np.cumsum(np.nan_to_num(self.dur_s))
        self.running_s = float(self.cum_s[-1]) if self.n else 0.0
        self.left = self._side("L")
        self.right = self._side("R")
        if self.per_side_reason:
            # the mounting biases left/right timing and impacts: no rule compares the sides
            self.left[:] = False
            self.right[:] = False
        # a pause (gap, walk break) between valid running steps breaks any pattern
        dt = np.diff(self.t_s) if self.n else np.empty(0)
        self.breaks = np.concatenate([[True], dt > max(self.g("max_step_gap_s"), 0.0)]) if self.n else dt
        # every rule's rolling window is the same span around the same steps: bounds computed once
        self._bounds = _window_bounds(self.t_s, self.g("window_s")) if self.n else None
        self._rolled_cache = _SeriesCache()
        self._order_cache = _SeriesCache()
        self._speed_ok: np.ndarray | None = None
        self.baseline = self._baseline()
        self.speed_mps = self._speed()

    # -- columns ---------------------------------------------------------------------------
    def g(self, name: str) -> float:
        """A ``general`` setting."""
        return self.th.get_value("general", name)

    @property
    def steps(self) -> pd.DataFrame:
        """The valid running steps as a table (:func:`running_steps`; the rules read :meth:`col`)."""
        return running_steps(self._table, self._running)

    def col(self, name: str) -> np.ndarray:
        """A per-step column as float64 (all-NaN when absent)."""
        if self._cols is None or name not in self._cols:
            return np.full(self.n, np.nan)
        # rules read the same columns many times: each is taken once, handed out as a copy
        if name not in self._columns:
            self._columns[name] = self._cols.floats(name)[self._rows]
        return self._columns[name].copy()

    def _side(self, label: str) -> np.ndarray:
        if self._cols is None or "side" not in self._cols:
            return np.zeros(self.n, dtype=bool)
        return self._cols.is_label("side", label)[self._rows]

    def _speed(self) -> np.ndarray:
        speed = self.col("speed_mps")
        if not any_finite(speed):
            run_speed = summary_value({"speed_mps": self._run_speed_mps}, "speed_mps")
            if run_speed is not None and run_speed > 0:
                speed = np.full(self.n, run_speed)
        return speed

    # -- rolling windows and persistence ----------------------------------------------------
    def rolling(self, values: np.ndarray, *, how: str = "median", min_periods: int | None = None) -> np.ndarray:
        """Centred rolling statistic over ``window_s`` of recording time (NaN where too few steps)."""
        mp = int(self.g("min_window_steps")) if min_periods is None else min_periods
        return self._rolling(np.ascontiguousarray(values, dtype=np.float64), how, mp)

    def _rolling(self, values: np.ndarray, how: str, mp: int, column: np.ndarray | None = None,
                 mask: np.ndarray | None = None) -> np.ndarray:
        """:meth:`rolling`; a median of ``column[mask]`` (``values``) takes its order from the column's."""
        if self._bounds is None:
            return np.empty(0)
        # several rules smooth the same metric: each distinct series is rolled once
        out = self._rolled_cache.get(values, mp, how)
        if out is None:
            if how == "median":
                from ..kernels.rolling import rolling_median_ranked

                # ranks and sorted values of the series (of its column, for one side's values:
                # the other side's ranks left out), built once per series for every rule
                _, rank, srt = self._ranked(values if column is None else column)
                if mask is not None:
                    rank = np.where(mask, rank, -1)
                rolled = rolling_median_ranked(rank, srt, *self._bounds, max(int(mp), 1))
            else:
                rolled = _rolled(values, self._bounds, mp, how)
            out = self._rolled_cache.put(values, rolled, mp, how)
        return out.copy()

    def median(self, values: np.ndarray, mask: np.ndarray | None = None) -> float:
        """Median of the non-NaN ``values`` (of the steps in ``mask``), as :func:`numpy.nanmedian`.

        Read off the series' sorted order, which the rolling windows of the same series share.
        """
        values = np.ascontiguousarray(values, dtype=np.float64)
        order = self._ranked(values)[0]
        if mask is not None:
            order = order[np.asarray(mask, dtype=bool)[order]]
        k = order.size
        if k == 0:
            return math.nan
        hi = values[order[k // 2]]
        return float(hi if k % 2 else (values[order[k // 2 - 1]] + hi) / 2)

    def _ranked(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`gaitlab.kernels.rolling.finite_ranks` of a series, sorted once per analysis."""
        ranked = self._order_cache.get(values)
        if ranked is None:
            from ..kernels.rolling import finite_ranks

            ranked = self._order_cache.put(values, finite_ranks(values))
        return ranked

    def rolling_side(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Rolling median of the steps of one side (``mask``), evaluated at every step."""
        mp = max(int(self.g("min_window_steps")) // 2, 2)
        values = np.ascontiguousarray(values, dtype=np.float64)
        mask = np.asarray(mask, dtype=bool)
        # one side's values in ascending order are the column's with the other side left out:
        # the column is sorted once for both sides (ties in any order give the same medians)
        return self._rolling(np.where(mask, values, np.nan), "median", mp, column=values, mask=mask)

    def episodes(self, cond: np.ndarray, *, min_s: float | None = None,
                 min_steps: int | None = None) -> list[Episode]:
        """Maximal runs of consecutive steps where ``cond`` holds, long enough to count."""
        min_s = self.g("min_duration_s") if min_s is None else min_s
        min_steps = int(self.g("min_steps")) if min_steps is None else min_steps
        cond = np.asarray(cond, dtype=bool)
        if not cond.any():
            return []
        starts = np.flatnonzero(cond & (self.breaks | ~np.concatenate([[False], cond[:-1]])))
        # each episode ends at the next step where the pattern fails or a pause breaks it
        stops = np.append(np.flatnonzero(~cond | self.breaks), self.n)
        ends = stops[np.searchsorted(stops, starts, side="right")]
        out: list[Episode] = []
        for i0, i1 in zip(starts.tolist(), ends.tolist(), strict=True):
            running_s = float(np.nansum(self.dur_s[i0:i1]))
            if running_s >= min_s and (i1 - i0) >= min_steps:
                end_s = float(self.t_s[i1 - 1] + self.dur_s[i1 - 1])
                out.append(Episode(int(i0), int(i1), float(self.t_s[i0]), end_s, running_s))
        return out

    # -- the runner's own baseline -------------------------------------------------------------
    def _baseline(self) -> Baseline | None:
        if self.n == 0:
            return None
        length_s = min(self.g("baseline_s"), self.g("baseline_fraction") * self.running_s)
        if length_s < self.g("baseline_min_s") or length_s <= 0:
            return None
        stop = int(np.searchsorted(self.cum_s, length_s, side="left")) + 1
        stop = min(stop, self.n)
        return Baseline(stop, float(self.t_s[0]), float(self.t_s[stop - 1] + self.dur_s[stop - 1]),
                         float(self.cum_s[stop - 1]))

    def require_baseline(self) -> Baseline:
        if self.baseline is None:
            need = min(self.g("baseline_min_s") / self.g("baseline_fraction") if self.g("baseline_fraction") > 0
                       else math.inf, math.inf)
            raise NotEvaluated(f"needs a baseline of >= {self.g('baseline_min_s') / 60:.0f} min of running "
                                f"(a run of >= {need / 60:.0f} min); this one has {self.running_s / 60:.1f} min")
        return self.baseline

    def beyond_baseline(self, rolled: np.ndarray, *, direction: int, rel_pct: float | None = None,
                        abs_delta: float | None = None) -> tuple[np.ndarray, dict[str, float]]:
        """Steps after the baseline whose rolling value lies beyond the baseline's band.

        Parameters
        ----------
        rolled : ndarray
            Rolling per-step values of one metric.
        direction : {+1, -1, 0}
            +1: a rise counts, -1: a drop counts, 0: either.
        rel_pct, abs_delta : float
            Smallest change that counts, relative to the baseline level (%) or absolute.

        Returns
        -------
        cond : ndarray of bool
        info : dict
            ``level``, ``sd``, ``delta`` (the change that counts) and ``limit`` (level + direction*delta).
        """
        base = self.require_baseline()
        ref = rolled[: base.stop]
        if np.count_nonzero(np.isfinite(ref)) < int(self.g("min_window_steps")):
            raise NotEvaluated("too few baseline steps with this metric")
        ref = ref[~np.isnan(ref)]  # NaN: too few steps in the window (np.nanmedian's work, cheaper)
        level = float(np.median(ref))
        sd = float(np.std(ref))
        floor = abs(level) * rel_pct / 100.0 if rel_pct is not None else float(abs_delta or 0.0)
        delta = max(self.g("baseline_n_sd") * sd, floor)
        with np.errstate(invalid="ignore"):
            if direction > 0:
                cond = rolled > level + delta
            elif direction < 0:
                cond = rolled < level - delta
            else:
                cond = np.abs(rolled - level) > delta
        cond[: base.stop] = False
        cond &= self.speed_comparable(base)
        return cond, {"level": level, "sd": sd, "delta": delta,
                      "limit": level + (direction or 1) * delta}

    def speed_comparable(self, base: Baseline) -> np.ndarray:
        """Windows at a speed within ``speed_match_pct`` of the baseline's (all True without speed)."""
        if base is self.baseline and self._speed_ok is not None:
            return self._speed_ok.copy()  # every baseline rule asks for the same windows
        if not any_finite(self.speed_mps) or np.nanstd(self.speed_mps) == 0:
            ok = np.ones(self.n, dtype=bool)
        else:
            rolled = self.rolling(self.speed_mps)
            ref = float(np.nanmedian(rolled[: base.stop]))
            with np.errstate(invalid="ignore", divide="ignore"):
                ok = np.abs(rolled / ref - 1.0) * 100.0 <= self.g("speed_match_pct")
        if base is self.baseline:
            self._speed_ok = ok.copy()
        return ok

    def baseline_episodes(self, cond: np.ndarray) -> list[Episode]:
        return self.episodes(cond, min_s=self.g("baseline_persist_s"))

    def baseline_evidence(self) -> dict[str, float]:
        b = self.require_baseline()
        return {"start_s": round(b.start_s, 2), "end_s": round(b.end_s, 2), "duration_s": round(b.running_s, 1)}


class _SeriesCache:
    """Results computed from a float64 series, found again by the series' content (and settings).

    A strided sample of the values is the dict key and the full bytes confirm a match: hashing all
    of a 1-hour run's values on every lookup cost as much as a rule's own arithmetic.
    """

    _STRIDE = 64

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], list[tuple[bytes, Any]]] = {}

    def _key(self, values: np.ndarray, extra: tuple[Any, ...]) -> tuple[Any, ...]:
        return (values.size, values[:: self._STRIDE].tobytes(), *extra)

    def get(self, values: np.ndarray, *extra: Any) -> Any:
        candidates = self._entries.get(self._key(values, extra), [])
        if candidates:
            full = values.tobytes()
            for content, result in candidates:
                if content == full:
                    return result
        return None

    def put(self, values: np.ndarray, result: Any, *extra: Any) -> Any:
        self._entries.setdefault(self._key(values, extra), []).append((values.tobytes(), result))
        return result


def to_ns(t_s: np.ndarray) -> np.ndarray:
    """Seconds (float) as int64 nanoseconds, rounded as pandas rounds ``to_timedelta(unit='s')``:
    whole seconds truncated, the fraction rounded to 9 decimals."""
    t_s = np.asarray(t_s, dtype=np.float64)
    base = t_s.astype(np.int64)
    frac = np.round(t_s - base, 9)
    return base * 1_000_000_000 + (frac * 1e9).astype(np.int64)


def _window_bounds(t_s: np.ndarray, window_s: float) -> tuple[np.ndarray, np.ndarray]:
    from ..kernels.rolling import window_bounds

    return window_bounds(to_ns(t_s - t_s[0]), np.int64(to_ns(np.array([window_s]))[0]))


def _finite_order(values: np.ndarray) -> np.ndarray:
    """Indices of the non-NaN values in ascending order of value."""
    from ..kernels.rolling import finite_order

    return finite_order(np.ascontiguousarray(values, dtype=np.float64))


def _rolled(values: np.ndarray, bounds: tuple[np.ndarray, np.ndarray], min_periods: int, how: str) -> np.ndarray:
    from ..kernels import rolling as kr

    values = np.ascontiguousarray(values, dtype=np.float64)
    start, end = bounds
    mp = max(int(min_periods), 1)
    if how == "median":
        return kr.rolling_median(values, _finite_order(values), start, end, mp)
    if how == "mean":
        return kr.rolling_mean_var(values, start, end, mp)[0]
    if how == "std":
        return np.sqrt(np.maximum(kr.rolling_mean_var(values, start, end, mp)[1], 0.0))
    raise ValueError(f"how must be 'median', 'mean' or 'std', found {how!r}")


def rolling(t_s: np.ndarray, values: np.ndarray, *, window_s: float = 60.0, min_periods: int = 20,
            how: str = "median") -> np.ndarray:
    """Centred rolling statistic of per-step values over a time window.

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Step times (s), increasing.
    values : ndarray, shape (n,)
        Per-step values; NaN values are skipped.
    window_s : float
        Window length (s of recording time), centred on each step: the steps with
        ``t - window_s/2 < t_j <= t + window_s/2``.
    min_periods : int
        Fewest non-NaN values for a result; else NaN.
    how : {'median', 'mean', 'std'}

    Returns
    -------
    ndarray, shape (n,)
    """
    t_s = np.asarray(t_s, dtype=np.float64)
    if t_s.size == 0:
        return np.empty(0)
    return _rolled(values, _window_bounds(t_s, window_s), min_periods, how)


def summary_text(summary: Mapping[str, Any] | None, key: str) -> str | None:
    """A non-empty text entry of a summary mapping (e.g. ``per_side_reason``), else None."""
    v = summary.get(key) if summary else None
    return v if isinstance(v, str) and v else None


def summary_value(summary: Mapping[str, Any] | None, key: str) -> float | None:
    """A finite number from a summary mapping, else None (missing, None, NaN, not a number)."""
    v = summary.get(key) if summary else None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def running_steps(steps: pd.DataFrame, running: np.ndarray | None = None) -> pd.DataFrame:
    """Valid running steps (:func:`gaitlab.schema.valid_running_mask`, or ``running`` when the
    caller has that mask already) sorted by IC time."""
    if steps is None or len(steps) == 0 or "ic_s" not in steps.columns:
        import pandas as pd

        return pd.DataFrame({"ic_s": np.empty(0)})
    keep = valid_running_mask(steps) if running is None else running
    run = steps.loc[keep]
    ic = run["ic_s"].to_numpy(dtype=np.float64)
    if not (np.diff(ic) >= 0).all():  # pipelines emit steps in time order: no sort to pay for then
        run = run.sort_values("ic_s", kind="stable")
    return run.reset_index(drop=True)
