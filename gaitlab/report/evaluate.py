"""Evaluate the back-strain rules on an :class:`~gaitlab.analysis.Analysis`.

How every rule is judged (the rules themselves are data, in :mod:`gaitlab.report.rules`):

1. Only **valid running steps** count (steps touching a gap, walking and implausible steps are out).
2. Each per-step metric is smoothed by a **centred rolling median over 60 s** of running (a window
   needs >= 20 steps), so one noisy step can never raise a flag.
3. A pattern must **persist**: the rolling median beyond the threshold for >= 60 s of running and
   >= 100 steps (asymmetry: >= 2 min), without a pause longer than 3 s between steps.
4. Rules that compare with the runner's **own baseline** (hard_landing, braking, fatigue_drift,
   posture change, pelvic_drop rise) take the first 10 min of running, or the first third of a
   shorter run (at least 3 min, else the rule is not evaluated). After the baseline, the rolling
   median must lie beyond ``baseline level +/- max(threshold, 2 SD of the baseline's rolling
   median)`` for >= 2 min. With a speed channel, only windows at a similar speed are compared.
5. A rule whose metric was not measured (no gyroscope, no speed, no left/right) is **not
   evaluated**; it never raises a warning for lack of data.

Thresholds in the text above are defaults; see :mod:`gaitlab.report.thresholds`.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .rules import RULES, SEVERITIES, Rule
from .sources import cite
from .thresholds import Thresholds, load_thresholds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..analysis import Analysis

__all__ = ["evaluate", "evaluate_detailed", "Evaluation", "RuleResult", "clock", "rolling", "running_steps"]

logger = logging.getLogger(__name__)


class _NotEvaluated(Exception):
    """Raised by a check when its metric cannot be measured on this analysis."""


@dataclass
class RuleResult:
    """What happened to one rule.

    Attributes
    ----------
    code : str
        Rule code.
    status : {'flag', 'ok', 'not_evaluated'}
    flag : dict or None
        The flag, when raised.
    reason : str
        Why a rule was not evaluated.
    checked : list of str
        Human-readable lines of what was compared (for the report's evidence table).
    """

    code: str
    status: str
    flag: dict[str, Any] | None = None
    reason: str = ""
    checked: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    """All rule results for one analysis (the report's evidence table is built from it)."""

    results: dict[str, RuleResult]
    thresholds: Thresholds
    baseline: dict[str, float] | None
    running_s: float
    n_steps: int

    @property
    def flags(self) -> list[dict[str, Any]]:
        """Raised flags, most severe first (stable within a severity: rule order)."""
        flags = [r.flag for r in self.results.values() if r.flag is not None]
        return sorted(flags, key=lambda f: -SEVERITIES.index(f["severity"]))


def clock(t_s: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a time in seconds on the recording's axis."""
    if not math.isfinite(t_s):
        return "?"
    sign = "-" if t_s < 0 else ""
    total = int(round(abs(t_s)))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


@dataclass(frozen=True)
class _Episode:
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
class _Baseline:
    stop: int  # steps [0, stop) are the baseline
    start_s: float
    end_s: float
    running_s: float


def _finite(x: np.ndarray) -> bool:
    return bool(np.isfinite(x).any())


class _Context:
    """Valid running steps as plain arrays, plus the shared machinery of all rules."""

    def __init__(self, analysis: Analysis, th: Thresholds) -> None:
        self.th = th
        self._summary: Mapping[str, Any] = analysis.summary or {}
        # the waist pipeline measures tilt against standing (absolute) or against the early run
        self.tilt_reference = (getattr(analysis, "params", None) or {}).get("pelvic_tilt_reference")
        self.placement = analysis.input.get("placement") if analysis.input else None
        steps = running_steps(analysis.steps)
        self.steps = steps
        self.n = len(steps)
        self.t_s = steps["ic_s"].to_numpy(dtype=np.float64)
        step_ms = self.col("step_time_ms")
        fallback = np.nanmedian(step_ms) if _finite(step_ms) else np.nan
        self.dur_s = np.where(np.isfinite(step_ms), step_ms, fallback) / 1000.0
        self.cum_s = np.cumsum(np.nan_to_num(self.dur_s))
        self.running_s = float(self.cum_s[-1]) if self.n else 0.0
        side = steps["side"].astype(object).to_numpy() if "side" in steps.columns else np.full(self.n, None)
        self.left = np.array([s == "L" for s in side], dtype=bool)
        self.right = np.array([s == "R" for s in side], dtype=bool)
        if self._summary.get("per_side_reason"):
            # the mounting biases left/right timing and impacts: no rule compares the sides
            self.left[:] = False
            self.right[:] = False
        # a pause (gap, walk break) between valid running steps breaks any pattern
        dt = np.diff(self.t_s) if self.n else np.empty(0)
        self.breaks = np.concatenate([[True], dt > max(self.g("max_step_gap_s"), 0.0)]) if self.n else dt
        self.baseline = self._baseline()
        self.speed_mps = self._speed()

    # -- columns ---------------------------------------------------------------------------
    def g(self, name: str) -> float:
        """A ``general`` setting."""
        return self.th.get_value("general", name)

    def col(self, name: str) -> np.ndarray:
        """A per-step column as float64 (all-NaN when absent)."""
        if name not in self.steps.columns:
            return np.full(self.n, np.nan)
        return self.steps[name].to_numpy(dtype=np.float64, na_value=np.nan)

    def _speed(self) -> np.ndarray:
        speed = self.col("speed_mps")
        if not _finite(speed):
            summary_speed = _summary_value(self._summary, "speed_mps")
            if summary_speed is not None and summary_speed > 0:
                speed = np.full(self.n, summary_speed)
        return speed

    # -- rolling windows and persistence ----------------------------------------------------
    def rolling(self, values: np.ndarray, *, how: str = "median", min_periods: int | None = None) -> np.ndarray:
        """Centred rolling statistic over ``window_s`` of recording time (NaN where too few steps)."""
        mp = int(self.g("min_window_steps")) if min_periods is None else min_periods
        return rolling(self.t_s, values, window_s=self.g("window_s"), min_periods=mp, how=how)

    def rolling_side(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Rolling median of the steps of one side (``mask``), evaluated at every step."""
        mp = max(int(self.g("min_window_steps")) // 2, 2)
        return self.rolling(np.where(mask, values, np.nan), min_periods=mp)

    def episodes(self, cond: np.ndarray, *, min_s: float | None = None,
                 min_steps: int | None = None) -> list[_Episode]:
        """Maximal runs of consecutive steps where ``cond`` holds, long enough to count."""
        min_s = self.g("min_duration_s") if min_s is None else min_s
        min_steps = int(self.g("min_steps")) if min_steps is None else min_steps
        cond = np.asarray(cond, dtype=bool)
        if not cond.any():
            return []
        starts = np.flatnonzero(cond & (self.breaks | ~np.concatenate([[False], cond[:-1]])))
        out: list[_Episode] = []
        for i0 in starts:
            i1 = i0 + 1
            while i1 < self.n and cond[i1] and not self.breaks[i1]:
                i1 += 1
            running_s = float(np.nansum(self.dur_s[i0:i1]))
            if running_s >= min_s and (i1 - i0) >= min_steps:
                end_s = float(self.t_s[i1 - 1] + self.dur_s[i1 - 1])
                out.append(_Episode(int(i0), int(i1), float(self.t_s[i0]), end_s, running_s))
        return out

    # -- the runner's own baseline -------------------------------------------------------------
    def _baseline(self) -> _Baseline | None:
        if self.n == 0:
            return None
        length_s = min(self.g("baseline_s"), self.g("baseline_fraction") * self.running_s)
        if length_s < self.g("baseline_min_s") or length_s <= 0:
            return None
        stop = int(np.searchsorted(self.cum_s, length_s, side="left")) + 1
        stop = min(stop, self.n)
        return _Baseline(stop, float(self.t_s[0]), float(self.t_s[stop - 1] + self.dur_s[stop - 1]),
                         float(self.cum_s[stop - 1]))

    def require_baseline(self) -> _Baseline:
        if self.baseline is None:
            need = min(self.g("baseline_min_s") / self.g("baseline_fraction") if self.g("baseline_fraction") > 0
                       else math.inf, math.inf)
            raise _NotEvaluated(f"needs a baseline of >= {self.g('baseline_min_s') / 60:.0f} min of running "
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
            raise _NotEvaluated("too few baseline steps with this metric")
        level = float(np.nanmedian(ref))
        sd = float(np.nanstd(ref))
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

    def speed_comparable(self, base: _Baseline) -> np.ndarray:
        """Windows at a speed within ``speed_match_pct`` of the baseline's (all True without speed)."""
        if not _finite(self.speed_mps) or np.nanstd(self.speed_mps) == 0:
            return np.ones(self.n, dtype=bool)
        rolled = self.rolling(self.speed_mps)
        ref = float(np.nanmedian(rolled[: base.stop]))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.abs(rolled / ref - 1.0) * 100.0 <= self.g("speed_match_pct")

    def baseline_episodes(self, cond: np.ndarray) -> list[_Episode]:
        return self.episodes(cond, min_s=self.g("baseline_persist_s"))

    def baseline_evidence(self) -> dict[str, float]:
        b = self.require_baseline()
        return {"start_s": round(b.start_s, 2), "end_s": round(b.end_s, 2), "duration_s": round(b.running_s, 1)}


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
        Window length (s of recording time), centred on each step.
    min_periods : int
        Fewest non-NaN values for a result; else NaN.
    how : {'median', 'mean', 'std'}

    Returns
    -------
    ndarray, shape (n,)
    """
    import pandas as pd

    t_s = np.asarray(t_s, dtype=np.float64)
    if t_s.size == 0:
        return np.empty(0)
    idx = pd.to_timedelta(t_s - t_s[0], unit="s")
    roll = pd.Series(np.asarray(values, dtype=np.float64), index=idx).rolling(
        pd.Timedelta(seconds=window_s), center=True, min_periods=max(int(min_periods), 1))
    return getattr(roll, how)().to_numpy(dtype=np.float64, na_value=np.nan)


def _summary_value(summary: Mapping[str, Any], key: str) -> float | None:
    v = summary.get(key) if summary else None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def running_steps(steps: pd.DataFrame) -> pd.DataFrame:
    """Valid running steps sorted by IC time (tolerates a missing ``valid``/``activity`` column)."""
    if steps is None or len(steps) == 0 or "ic_s" not in steps.columns:
        import pandas as pd

        return pd.DataFrame({"ic_s": np.empty(0)})
    keep = np.isfinite(steps["ic_s"].to_numpy(dtype=np.float64, na_value=np.nan))
    if "valid" in steps.columns:
        keep &= steps["valid"].fillna(False).to_numpy(dtype=bool)
    if "activity" in steps.columns:
        act = steps["activity"].astype(object).to_numpy()
        keep &= np.array([a == "running" or a is None or (isinstance(a, float) and math.isnan(a))
                          for a in act], dtype=bool)
    out = steps.loc[keep].sort_values("ic_s", kind="stable").reset_index(drop=True)
    return out


# -- flag assembly ------------------------------------------------------------------------------
def _flag(rule: Rule, severity: str, detail: str, evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "severity": severity,
        "message": f"{detail} {rule.concern}",
        "evidence": evidence,
        "source": cite(rule.articles, rule.research),
        "advice": rule.full_advice,
    }


def _span_text(eps: list[_Episode]) -> str:
    main = max(eps, key=lambda e: e.running_s)
    total = sum(e.running_s for e in eps)
    more = f" ({len(eps)} stretches, {total / 60:.1f} min in all)" if len(eps) > 1 else ""
    return f"from {clock(main.start_s)} to {clock(main.end_s)} ({main.running_s / 60:.1f} min){more}"


def _episode_evidence(eps: list[_Episode]) -> dict[str, Any]:
    main = max(eps, key=lambda e: e.running_s)
    return {**main.as_dict(), "total_duration_s": round(sum(e.running_s for e in eps), 1),
            "episodes": [e.as_dict() for e in eps[:20]]}


def _median(values: np.ndarray, ep: _Episode, mask: np.ndarray | None = None) -> float:
    v = values[ep.i0:ep.i1]
    if mask is not None:
        v = v[mask[ep.i0:ep.i1]]
    return float(np.nanmedian(v)) if _finite(v) else math.nan


@dataclass(frozen=True)
class _Metric:
    """One per-step metric as a rule sees it."""

    key: str
    label: str
    unit: str
    values: np.ndarray
    fmt: str = ".0f"

    def show(self, v: float) -> str:
        return f"{format(v, self.fmt)} {self.unit}".rstrip()


def _absolute(ctx: _Context, rule: Rule, specs: list[tuple[_Metric, dict[str, float], int]],
              checked: list[str]) -> dict[str, Any] | None:
    """Absolute-threshold rules: the rolling median of a metric beyond a limit, per severity.

    ``specs``: (metric, {severity: limit}, direction) with direction +1 (above) or -1 (below).
    The most severe level reached by any metric wins.
    """
    rolled = {m.key: ctx.rolling(m.values) for m, _, _ in specs}
    for m, limits, direction in specs:
        word = "above" if direction > 0 else "below"
        run_median = float(np.nanmedian(m.values)) if _finite(m.values) else math.nan
        lim = ", ".join(f"{s} {word} {m.show(v)}" for s, v in limits.items())
        checked.append(f"{m.label}: run median {m.show(run_median)} ({lim})")
    for severity in reversed(SEVERITIES):
        hits = []
        for m, limits, direction in specs:
            if severity not in limits:
                continue
            r = rolled[m.key]
            with np.errstate(invalid="ignore"):
                cond = r > limits[severity] if direction > 0 else r < limits[severity]
            eps = ctx.episodes(cond)
            if eps:
                hits.append((m, limits[severity], direction, eps))
        if not hits:
            continue
        parts, metrics_ev = [], {}
        for m, limit, direction, eps in hits:
            main = max(eps, key=lambda e: e.running_s)
            value = _median(m.values, main)
            word = "above" if direction > 0 else "below"
            parts.append(f"{m.label} was {m.show(value)} {_span_text(eps)}, {word} the "
                         f"{m.show(limit)} limit.")
            metrics_ev[m.key] = {"label": m.label, "value": round(value, 3), "threshold": limit,
                                 "unit": m.unit, **_episode_evidence(eps)}
        first_key = next(iter(metrics_ev))
        evidence = {"metric": first_key, **metrics_ev[first_key], "metrics": metrics_ev}
        return _flag(rule, severity, " ".join(parts), evidence)
    return None


# -- the checks, one per rule code --------------------------------------------------------------
def _cadence(ctx: _Context) -> _Metric:
    with np.errstate(divide="ignore", invalid="ignore"):
        cad = 60000.0 / ctx.col("step_time_ms")
    return _Metric("cadence_spm", "Cadence", "spm", cad)


def _need(metric: _Metric, what: str) -> _Metric:
    if not _finite(metric.values):
        raise _NotEvaluated(f"{what} was not measured")
    return metric


def _check_low_cadence(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    cad = _need(_cadence(ctx), "step time")
    th = ctx.th
    limits = {s: th.get_value(rule.code, f"{s}_below_spm") for s in ("info", "warn", "alert")}
    flag = _absolute(ctx, rule, [(cad, limits, -1)], checked)
    if flag is not None and flag["severity"] != "info":
        return flag
    # a cadence within the band can still fall well below the runner's own early-run cadence
    if ctx.baseline is None:
        checked.append("Cadence against your own baseline: not evaluated (run too short for a baseline)")
        return flag
    try:
        drop = _check_baseline_rise(ctx, rule, checked, [cad], direction=-1, pct_key="drop_pct")
    except _NotEvaluated as exc:
        checked.append(f"Cadence against your own baseline: not evaluated ({exc})")
        return flag
    return drop or flag


def _vertical_ratio(ctx: _Context) -> _Metric:
    vo_m = ctx.col("vo_cm") / 100.0
    step_m = ctx.col("step_length_m")
    if not _finite(step_m):
        step_m = ctx.speed_mps * ctx.col("step_time_ms") / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        vr = np.where(step_m > 0, 100.0 * vo_m / step_m, np.nan)
    return _Metric("vertical_ratio_pct", "Vertical ratio", "%", vr, ".1f")


def _check_pogo_bounce(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    c = rule.code
    specs = []
    vo = _Metric("vo_cm", "Vertical oscillation", "cm", ctx.col("vo_cm"), ".1f")
    if _finite(vo.values):
        specs.append((vo, {"warn": ctx.th.get_value(c, "vo_warn_cm"), "alert": ctx.th.get_value(c, "vo_alert_cm")}, 1))
    vr = _vertical_ratio(ctx)
    if _finite(vr.values):
        specs.append((vr, {"warn": ctx.th.get_value(c, "vr_warn_pct"), "alert": ctx.th.get_value(c, "vr_alert_pct")}, 1))
    else:
        checked.append("Vertical ratio: not evaluated (needs running speed)")
    if not specs:
        raise _NotEvaluated("vertical oscillation was not measured")
    return _absolute(ctx, rule, specs, checked)


def _check_long_ground_contact(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    c = rule.code
    gct = _need(_Metric("gct_ms", "Ground contact time", "ms", ctx.col("gct_ms")), "ground contact time")
    with np.errstate(divide="ignore", invalid="ignore"):
        df = gct.values / (2.0 * ctx.col("step_time_ms"))
    specs = [(gct, {"warn": ctx.th.get_value(c, "gct_warn_ms"), "alert": ctx.th.get_value(c, "gct_alert_ms")}, 1)]
    if _finite(df):
        specs.append((_Metric("duty_factor", "Duty factor", "", df, ".2f"),
                      {"warn": ctx.th.get_value(c, "duty_factor_warn")}, 1))
    return _absolute(ctx, rule, specs, checked)


def _symmetry_index(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Robinson's symmetry index, % (0 = symmetric): 200 |L - R| / (L + R)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 200.0 * np.abs(left - right) / (left + right)


def _require_sides(ctx: _Context) -> None:
    need = int(ctx.g("min_steps"))
    if ctx.left.sum() < need or ctx.right.sum() < need:
        raise _NotEvaluated(f"needs >= {need} valid running steps attributed to each foot "
                            f"(found {int(ctx.left.sum())} left, {int(ctx.right.sum())} right)")


def _sided_episodes(ctx: _Context, cond: np.ndarray, persist_s: float) -> list[_Episode]:
    need = int(ctx.g("min_steps"))
    eps = ctx.episodes(cond, min_s=persist_s)
    return [e for e in eps if ctx.left[e.i0:e.i1].sum() >= need and ctx.right[e.i0:e.i1].sum() >= need]


def _summary_value_text(ctx: _Context, key: str) -> str | None:
    """A text entry of the summary (None when absent or empty)."""
    v = ctx._summary.get(key) if ctx._summary else None
    return v if isinstance(v, str) and v else None


def _check_asymmetry(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    from ..gait.summary import side_means_ci

    reason = _summary_value_text(ctx, "per_side_reason")
    if reason:
        raise _NotEvaluated(f"left/right differences are not measurable with this mounting: {reason}")
    _require_sides(ctx)
    c = rule.code
    persist_s = ctx.th.get_value(c, "persist_s")
    gct = ctx.col("gct_ms")
    channels = [("gct", "GCT", gct, {"warn": ctx.th.get_value(c, "gct_si_warn_pct"),
                                      "alert": ctx.th.get_value(c, "gct_si_alert_pct")}),
                ("step_time", "Step time", ctx.col("step_time_ms"),
                 {"warn": ctx.th.get_value(c, "step_time_si_warn_pct")}),
                ("impact", "Landing impact", ctx.col("impact_g"), {"warn": ctx.th.get_value(c, "impact_si_warn_pct")})]
    si_series: dict[str, np.ndarray] = {}
    for key, label, values, limits in channels:
        if not (_finite(values[ctx.left]) and _finite(values[ctx.right])):
            checked.append(f"{label} asymmetry: not measured")
            continue
        si_series[key] = _symmetry_index(ctx.rolling_side(values, ctx.left), ctx.rolling_side(values, ctx.right))
        run_si = float(_symmetry_index(np.nanmedian(values[ctx.left]), np.nanmedian(values[ctx.right])))
        checked.append(f"{label} symmetry index: run {run_si:.1f} % "
                       f"({', '.join(f'{s} above {v:g} %' for s, v in limits.items())})")
    if "gct" not in si_series:
        raise _NotEvaluated("ground contact time per foot was not measured")
    for severity in ("alert", "warn"):
        hits = []
        for key, label, values, limits in channels:
            if key not in si_series or severity not in limits:
                continue
            with np.errstate(invalid="ignore"):
                eps = _sided_episodes(ctx, si_series[key] > limits[severity], persist_s)
            if eps:
                hits.append((key, label, values, limits[severity], eps))
        if not hits:
            continue
        parts, metrics_ev = [], {}
        confirmed = []
        for key, label, values, limit, eps in hits:
            main = max(eps, key=lambda e: e.running_s)
            # the flag needs the 95 % interval of the episode's symmetry index above the limit:
            # a difference within the step-to-step noise is not an imbalance
            sl = slice(main.i0, main.i1)
            side = np.where(ctx.left[sl], "L", np.where(ctx.right[sl], "R", None))
            ci = side_means_ci(values[sl], side)
            if not (np.isfinite(ci["si_lo_pct"]) and ci["si_lo_pct"] > limit):
                checked.append(f"{label} symmetry index {ci['si_pct']:.1f} % (95 % interval "
                               f"{ci['si_lo_pct']:.1f}-{ci['si_hi_pct']:.1f} %) does not exclude the "
                               f"{limit:g} % {severity} limit: not flagged")
                continue
            confirmed.append((key, label, values, limit, eps, main, ci))
        for key, label, values, limit, eps, main, ci in confirmed:
            lv, rv = _median(values, main, ctx.left), _median(values, main, ctx.right)
            si = float(_symmetry_index(lv, rv))
            ev = {"label": f"{label} symmetry index", "value": round(si, 2), "threshold": limit, "unit": "%",
                  "left": round(lv, 3),
                  "right": round(rv, 3), **_episode_evidence(eps),
                  "ci95_pct": [round(ci["si_lo_pct"], 2), round(ci["si_hi_pct"], 2)],
                  "left_mean_ci95": [round(ci["left_lo"], 3), round(ci["left_hi"], 3)],
                  "right_mean_ci95": [round(ci["right_lo"], 3), round(ci["right_hi"], 3)],
                  "n_left": ci["n_left"], "n_right": ci["n_right"]}
            text = f"{label} differed between feet by {si:.1f} % (symmetry index) {_span_text(eps)}"
            if key == "gct":
                bal = 100.0 * lv / (lv + rv)
                longer = "left" if lv > rv else "right"
                ev["balance_left_pct"] = round(bal, 2)
                text += (f": balance {max(bal, 100 - bal):.1f} % towards the {longer} foot (left "
                         f"{lv:.0f} ms, right {rv:.0f} ms)")
            parts.append(text + f", above the {limit:g} % limit (95 % interval {ci['si_lo_pct']:.1f}-"
                         f"{ci['si_hi_pct']:.1f} %).")
            metrics_ev[f"{key}_si_pct"] = ev
        if not metrics_ev:
            continue
        first = next(iter(metrics_ev))
        return _flag(rule, severity, " ".join(parts), {"metric": first, **metrics_ev[first], "metrics": metrics_ev})
    return None


def _check_pelvic_drop(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    drop = ctx.col("pelvic_drop_deg")
    if not _finite(drop):
        raise _NotEvaluated("pelvic drop needs a gyroscope on the waist sensor")
    c = rule.code
    parts, metrics_ev = [], {}
    lr_limit = ctx.th.get_value(c, "lr_diff_deg")
    if _finite(drop[ctx.left]) and _finite(drop[ctx.right]):
        diff = np.abs(ctx.rolling_side(drop, ctx.left) - ctx.rolling_side(drop, ctx.right))
        with np.errstate(invalid="ignore"):
            eps = _sided_episodes(ctx, diff > lr_limit, ctx.g("min_duration_s"))
        checked.append(f"Pelvic drop left vs right: run {abs(np.nanmedian(drop[ctx.left]) - np.nanmedian(drop[ctx.right])):.1f}"
                       f" deg apart (warn above {lr_limit:g} deg)")
        if eps:
            main = max(eps, key=lambda e: e.running_s)
            lv, rv = _median(drop, main, ctx.left), _median(drop, main, ctx.right)
            parts.append(f"Pelvic drop differed between left ({lv:.1f} deg) and right ({rv:.1f} deg) stance "
                         f"{_span_text(eps)}, more than the {lr_limit:g} deg limit.")
            metrics_ev["pelvic_drop_lr_diff_deg"] = {"label": "Pelvic drop, left-right difference",
                                                     "value": round(abs(lv - rv), 2), "threshold": lr_limit,
                                                     "unit": "deg", "left": round(lv, 2), "right": round(rv, 2),
                                                     **_episode_evidence(eps)}
    else:
        checked.append("Pelvic drop left vs right: not evaluated (no left/right attribution)")
    if ctx.baseline is not None:
        rolled = ctx.rolling(drop)
        cond, info = ctx.beyond_baseline(rolled, direction=+1, abs_delta=ctx.th.get_value(c, "rise_deg"))
        checked.append(f"Pelvic drop vs baseline {info['level']:.1f} deg: warn above {info['limit']:.1f} deg")
        eps = ctx.baseline_episodes(cond)
        if eps:
            main = max(eps, key=lambda e: e.running_s)
            value = _median(drop, main)
            parts.append(f"Pelvic drop rose to {value:.1f} deg {_span_text(eps)}, from {info['level']:.1f} deg "
                         f"in your first {ctx.baseline.running_s / 60:.0f} min.")
            metrics_ev["pelvic_drop_deg"] = {"label": "Pelvic drop", "value": round(value, 2),
                                             "threshold": round(info["limit"], 2),
                                             "unit": "deg", "baseline": _baseline_ev(ctx, info),
                                             **_episode_evidence(eps)}
    else:
        checked.append("Pelvic drop vs baseline: not evaluated (run too short for a baseline)")
    if not metrics_ev:
        return None
    first = next(iter(metrics_ev))
    return _flag(rule, "warn", " ".join(parts), {"metric": first, **metrics_ev[first], "metrics": metrics_ev})


def _baseline_ev(ctx: _Context, info: Mapping[str, float]) -> dict[str, float]:
    return {**ctx.baseline_evidence(), "level": round(info["level"], 3), "sd": round(info["sd"], 3),
            "min_change": round(info["delta"], 3)}


def _check_baseline_rise(ctx: _Context, rule: Rule, checked: list[str], metrics: list[_Metric], *,
                         direction: int = +1, pct_key: str = "rise_pct") -> dict[str, Any] | None:
    """A change of >= ``pct_key`` % (and >= n SD) against the runner's own baseline, upwards
    (``direction=+1``: hard_landing, braking) or downwards (-1: cadence in low_cadence)."""
    metrics = [m for m in metrics if _finite(m.values)]
    if not metrics:
        raise _NotEvaluated(f"{' and '.join(rule.metrics)} not measured")
    pct_min = ctx.th.get_value(rule.code, pct_key)
    verb, side = ("rose", "above") if direction > 0 else ("fell", "below")
    parts, metrics_ev = [], {}
    for m in metrics:
        cond, info = ctx.beyond_baseline(ctx.rolling(m.values), direction=direction, rel_pct=pct_min)
        checked.append(f"{m.label}: baseline {m.show(info['level'])}, warn {side} {m.show(info['limit'])}")
        eps = ctx.baseline_episodes(cond)
        if not eps:
            continue
        main = max(eps, key=lambda e: e.running_s)
        value = _median(m.values, main)
        pct = 100.0 * (value / info["level"] - 1.0) if info["level"] else math.nan
        parts.append(f"{m.label} {verb} to {m.show(value)} {_span_text(eps)}, {pct:+.0f} % against your own "
                     f"baseline of {m.show(info['level'])} (first {ctx.baseline.running_s / 60:.0f} min).")
        metrics_ev[m.key] = {"label": m.label, "value": round(value, 3), "threshold": round(info["limit"], 3),
                             "unit": m.unit,
                             "change_pct": round(pct, 1), "baseline": _baseline_ev(ctx, info),
                             **_episode_evidence(eps)}
    if not metrics_ev:
        return None
    first = next(iter(metrics_ev))
    return _flag(rule, "warn", " ".join(parts), {"metric": first, **metrics_ev[first], "metrics": metrics_ev})


def _check_hard_landing(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    return _check_baseline_rise(ctx, rule, checked, [
        _Metric("impact_g", "Landing impact", "g", ctx.col("impact_g"), ".2f"),
        _Metric("loading_rate_gps", "Loading rate", "g/s", ctx.col("loading_rate_gps"), ".0f"),
    ])


def _check_braking(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    # speed lost per step is a magnitude; take |.| so either sign convention reads the same
    return _check_baseline_rise(ctx, rule, checked, [
        _Metric("braking_mps", "Speed lost per step", "m/s", np.abs(ctx.col("braking_mps")), ".3f"),
    ])


def _check_posture(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    tilt = _Metric("pelvic_tilt_deg", "Forward pelvic tilt", "deg", ctx.col("pelvic_tilt_deg"), ".1f")
    _need(tilt, "pelvic tilt")
    c = rule.code
    if ctx.tilt_reference == "standing":
        flag = _absolute(ctx, rule, [(tilt, {"warn": ctx.th.get_value(c, "lean_back_below_deg")}, -1)], checked)
        if flag is not None:
            flag["message"] = flag["message"].replace(" was ", " was (leaning back) ", 1)
            return flag
    else:
        checked.append("Leaning back: not evaluated (tilt is measured relative to the early run; "
                       "start the recording with 3 s of standing still to measure it against standing)")
    if ctx.baseline is None:
        checked.append("Posture change: not evaluated (run too short for a baseline)")
        return None
    cond, info = ctx.beyond_baseline(ctx.rolling(tilt.values), direction=0,
                                     abs_delta=ctx.th.get_value(c, "change_deg"))
    checked.append(f"Posture change vs baseline {tilt.show(info['level'])}: warn beyond +/-{info['delta']:.1f} deg")
    eps = ctx.baseline_episodes(cond)
    if not eps:
        return None
    main = max(eps, key=lambda e: e.running_s)
    value = _median(tilt.values, main)
    change = value - info["level"]
    detail = (f"Your pelvic tilt changed by {change:+.1f} deg (to {tilt.show(value)}) {_span_text(eps)}, "
              f"against {tilt.show(info['level'])} in your first {ctx.baseline.running_s / 60:.0f} min.")
    ev = {"label": "Pelvic tilt change", "value": round(change, 2), "tilt_deg": round(value, 2),
          "threshold": round(info["delta"], 2), "unit": "deg", "baseline": _baseline_ev(ctx, info)}
    return _flag(rule, "warn", detail, {"metric": "pelvic_tilt_deg", **ev, **_episode_evidence(eps),
                                        "metrics": {"pelvic_tilt_change_deg": ev}})


def _check_fatigue_drift(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    ctx.require_baseline()
    c = rule.code
    th = ctx.th
    gct = ctx.col("gct_ms")
    candidates: list[tuple[_Metric, np.ndarray, int, dict[str, float]]] = []

    def add(metric: _Metric, rolled: np.ndarray, direction: int, **floor: float) -> None:
        if _finite(rolled):
            candidates.append((metric, rolled, direction, floor))

    add(_Metric("gct_ms", "Ground contact time", "ms", gct), ctx.rolling(gct), +1,
        rel_pct=th.get_value(c, "gct_rise_pct"))
    cad = _cadence(ctx)
    add(cad, ctx.rolling(cad.values), -1, rel_pct=th.get_value(c, "cadence_drop_pct"))
    vo = _Metric("vo_cm", "Vertical oscillation", "cm", ctx.col("vo_cm"), ".1f")
    add(vo, ctx.rolling(vo.values), +1, rel_pct=th.get_value(c, "vo_rise_pct"))
    step_ms = ctx.col("step_time_ms")
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = 100.0 * ctx.rolling(step_ms, how="std") / ctx.rolling(step_ms, how="mean")
    add(_Metric("step_time_cv_pct", "Step-time variability (CV)", "%", cv, ".1f"), cv, +1,
        abs_delta=th.get_value(c, "step_time_cv_rise_pct"))
    if ctx.left.sum() >= ctx.g("min_steps") and ctx.right.sum() >= ctx.g("min_steps"):
        si = _symmetry_index(ctx.rolling_side(gct, ctx.left), ctx.rolling_side(gct, ctx.right))
        add(_Metric("gct_si_pct", "GCT asymmetry", "%", si, ".1f"), si, +1,
            abs_delta=th.get_value(c, "gct_si_rise_pct"))
    tilt = ctx.col("pelvic_tilt_deg")
    add(_Metric("pelvic_tilt_deg", "Forward pelvic tilt", "deg", tilt, ".1f"), ctx.rolling(tilt), +1,
        abs_delta=th.get_value(c, "tilt_rise_deg"))

    need = int(th.get_value(c, "min_metrics"))
    if len(candidates) < need:
        raise _NotEvaluated(f"needs >= {need} measured metrics, found {len(candidates)}")
    conds, infos = [], []
    for metric, rolled, direction, floor in candidates:
        cond, info = ctx.beyond_baseline(rolled, direction=direction, **floor)
        conds.append(cond)
        infos.append(info)
        word = "above" if direction > 0 else "below"
        checked.append(f"{metric.label}: baseline {metric.show(info['level'])}, counts {word} "
                       f"{metric.show(info['limit'])}")
    count = np.sum(conds, axis=0)
    eps = ctx.baseline_episodes(count >= need)
    if not eps:
        return None
    main = max(eps, key=lambda e: e.running_s)
    changed, parts = {}, []
    for (metric, rolled, _direction, _floor), cond, info in zip(candidates, conds, infos):
        if cond[main.i0:main.i1].mean() < 0.5:
            continue
        value = float(np.nanmedian(rolled[main.i0:main.i1]))
        changed[metric.key] = {"label": metric.label, "value": round(value, 3), "baseline": round(info["level"], 3),
                               "baseline_sd": round(info["sd"], 3), "threshold": round(info["limit"], 3),
                               "unit": metric.unit}
        parts.append(f"{metric.label[0].lower()}{metric.label[1:]} {metric.show(info['level'])} -> "
                     f"{metric.show(value)}")
    detail = (f"Late in the run, {_span_text(eps)}, {len(changed)} measures moved beyond the spread of "
              f"your first {ctx.baseline.running_s / 60:.0f} min: {'; '.join(parts)}.")
    evidence = {"metric": "composite", "n_metrics": len(changed), "threshold": need, "metrics": changed,
                "baseline": ctx.baseline_evidence(), **_episode_evidence(eps)}
    return _flag(rule, "warn", detail, evidence)


_CHECKS: dict[str, Callable[[_Context, Rule, list[str]], dict[str, Any] | None]] = {
    "low_cadence": _check_low_cadence,
    "pogo_bounce": _check_pogo_bounce,
    "hard_landing": _check_hard_landing,
    "long_ground_contact": _check_long_ground_contact,
    "asymmetry": _check_asymmetry,
    "fatigue_drift": _check_fatigue_drift,
    "posture": _check_posture,
    "pelvic_drop": _check_pelvic_drop,
    "braking": _check_braking,
}
assert set(_CHECKS) == set(RULES), "every rule needs a check and every check a rule"


def evaluate_detailed(
    analysis: Analysis, thresholds: Thresholds | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> Evaluation:
    """Evaluate every rule and keep the details (status, reasons, what was compared).

    Parameters
    ----------
    analysis : Analysis
        Needs ``steps`` (:data:`~gaitlab.analysis.STEP_COLUMNS`), ``input['placement']`` and
        optionally ``summary['speed_mps']``.
    thresholds : Thresholds, mapping, TOML path or None
        Overrides of the defaults (see :func:`gaitlab.report.thresholds.load_thresholds`).

    Returns
    -------
    Evaluation
    """
    th = load_thresholds(thresholds)
    ctx = _Context(analysis, th)
    results: dict[str, RuleResult] = {}
    too_short = ctx.running_s < ctx.g("min_duration_s") or ctx.n < ctx.g("min_steps")
    for code, rule in RULES.items():
        if too_short:
            results[code] = RuleResult(code, "not_evaluated", reason=(
                f"needs >= {ctx.g('min_duration_s'):.0f} s and >= {ctx.g('min_steps'):.0f} valid running "
                f"steps; found {ctx.running_s:.0f} s, {ctx.n} steps"))
            continue
        if ctx.placement is not None and ctx.placement not in rule.placements:
            results[code] = RuleResult(code, "not_evaluated",
                                       reason=f"not measurable with a {ctx.placement} sensor")
            continue
        checked: list[str] = []
        try:
            flag = _CHECKS[code](ctx, rule, checked)
        except _NotEvaluated as exc:
            results[code] = RuleResult(code, "not_evaluated", reason=str(exc), checked=checked)
            continue
        results[code] = RuleResult(code, "flag" if flag else "ok", flag=flag, checked=checked)
        if flag:
            logger.debug("flag %s (%s): %s", code, flag["severity"], flag["message"])
    baseline = None if ctx.baseline is None else {
        "start_s": ctx.baseline.start_s, "end_s": ctx.baseline.end_s, "duration_s": ctx.baseline.running_s}
    return Evaluation(results, th, baseline, ctx.running_s, ctx.n)


def evaluate(
    analysis: Analysis, thresholds: Thresholds | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """The report flags of an analysis (what :func:`gaitlab.analyze` stores in ``Analysis.flags``).

    Parameters
    ----------
    analysis : Analysis
        A waist or shoe analysis.
    thresholds : Thresholds, mapping, TOML path or None
        Overrides of the default thresholds; unknown keys raise :class:`~gaitlab.errors.InputError`.

    Returns
    -------
    list of dict
        One dict per raised flag, most severe first, with keys ``code``, ``severity`` (``info``,
        ``warn`` or ``alert``), ``message``, ``evidence`` (numbers, where in the run, threshold,
        baseline), ``source`` and ``advice``. Rules that could not be measured are left out.

    Examples
    --------
    >>> import gaitlab
    >>> a = gaitlab.analyze(gaitlab.synth.simulate_waist(duration_s=300, seed=1))  # doctest: +SKIP
    >>> [f["code"] for f in gaitlab.report.evaluate(a)]                          # doctest: +SKIP
    []
    """
    return evaluate_detailed(analysis, thresholds).flags
