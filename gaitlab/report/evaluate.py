"""The back-strain rules' checks, and their evaluation on a step table or an :class:`~gaitlab.Analysis`.

This module holds one check per rule and the evaluation loop; the rolling windows, episodes and
baselines are the rule engine's (:mod:`.engine`, plain arrays), the sentences :mod:`.text`'s.

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

from ..gait.metrics import cadence_spm, duty_factor, masked_means_ci, step_length_m, vertical_ratio_pct
from ..gait.metrics import symmetry_index_pct as _symmetry_index
from .engine import Episode, summary_text, summary_value
from .engine import Episode as _Episode
from .engine import NotEvaluated as _NotEvaluated
from .engine import RuleContext as _Context
from .engine import any_finite as _finite
from .rules import RULES, SEVERITIES, Rule
from .text import episode_evidence as _episode_evidence
from .text import flag as _flag
from .text import span_text as _span_text
from .thresholds import Thresholds, load_thresholds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..gait.metrics import StepColumns
    from ..result import Analysis

__all__ = ["evaluate", "evaluate_detailed", "evaluate_steps", "Evaluation", "RuleResult"]

logger = logging.getLogger(__name__)

#: How the reason of every rule starts when the run is too short for any of them.
TOO_SHORT_PREFIX = "run too short to judge: every pattern needs at least"


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

    @property
    def evaluated(self) -> list[str]:
        """Codes of the rules that could be evaluated (status ``ok`` or ``flag``)."""
        return [code for code, r in self.results.items() if r.status != "not_evaluated"]

    @property
    def too_short(self) -> bool:
        """True when the run had too little valid running for any rule (every rule gives that reason)."""
        return all(r.reason.startswith(TOO_SHORT_PREFIX) for r in self.results.values())

    @property
    def status(self) -> str:
        """The overall verdict (:data:`gaitlab.schema.REPORT_STATUSES`): ``flags``, ``no_flags``, or
        ``not_enough_data`` when no rule could be evaluated (so "no flag" must not read as healthy)."""
        if self.flags:
            return "flags"
        return "no_flags" if self.evaluated else "not_enough_data"


def _median(values: np.ndarray, ep: Episode, mask: np.ndarray | None = None) -> float:
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
        run_median = ctx.median(m.values) if _finite(m.values) else math.nan
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
    return _Metric("cadence_spm", "Cadence", "spm", cadence_spm(ctx.col("step_time_ms")))


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
    step_m = ctx.col("step_length_m")
    if not _finite(step_m):
        step_m = step_length_m(ctx.speed_mps, ctx.col("step_time_ms"))
    vr = vertical_ratio_pct(ctx.col("vo_cm"), step_m)
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
    # Only the contact time itself can raise this flag. Duty factor (GCT / stride time) also rises
    # with a quick cadence: 261 ms at 184 spm is a duty factor of 0.40 while the contact sits in
    # Garmin's blue/green zone, so a high duty factor alone is not "long contact". It is reported as
    # supporting evidence when the contact time is beyond its limit.
    c = rule.code
    gct = _need(_Metric("gct_ms", "Ground contact time", "ms", ctx.col("gct_ms")), "ground contact time")
    df = _Metric("duty_factor", "Duty factor", "", duty_factor(gct.values, ctx.col("step_time_ms")), ".2f")
    df_limit = ctx.th.get_value(c, "duty_factor_warn")
    flag = _absolute(ctx, rule, [(gct, {"warn": ctx.th.get_value(c, "gct_warn_ms"),
                                        "alert": ctx.th.get_value(c, "gct_alert_ms")}, 1)], checked)
    if not _finite(df.values):
        return flag
    checked.append(f"Duty factor: run median {df.show(float(np.nanmedian(df.values)))} (above {df_limit:g} is "
                   "named as supporting evidence; it never raises this flag alone)")
    if flag is None:
        return flag
    ev = flag["evidence"]
    # the flagged stretch (evidence times are rounded to 0.01 s)
    within = (ctx.t_s >= ev["start_s"] - 0.01) & (ctx.t_s <= ev["end_s"] + 0.01)
    value = float(np.nanmedian(df.values[within])) if _finite(df.values[within]) else math.nan
    if math.isfinite(value):
        ev["metrics"]["duty_factor"] = {"label": "Duty factor", "value": round(value, 3), "threshold": df_limit,
                                        "unit": ""}
        if value > df_limit:
            detail, concern = flag["message"].split(rule.concern)[0].rstrip(), rule.concern
            flag["message"] = (f"{detail} Contact also took {100 * value:.0f} % of each stride (duty factor "
                               f"{value:.2f}, above {df_limit:g}). {concern}")
    return flag


def _require_sides(ctx: _Context) -> None:
    need = int(ctx.g("min_steps"))
    if ctx.left.sum() < need or ctx.right.sum() < need:
        raise _NotEvaluated(f"needs >= {need} valid running steps attributed to each foot "
                            f"(found {int(ctx.left.sum())} left, {int(ctx.right.sum())} right)")


def _sided_episodes(ctx: _Context, cond: np.ndarray, persist_s: float) -> list[_Episode]:
    need = int(ctx.g("min_steps"))
    eps = ctx.episodes(cond, min_s=persist_s)
    return [e for e in eps if ctx.left[e.i0:e.i1].sum() >= need and ctx.right[e.i0:e.i1].sum() >= need]


#: unit of the per-foot values behind each symmetry index (the flag's ``left`` / ``right``)
_SIDE_UNITS = {"gct": "ms", "step_time": "ms", "impact": "g"}

#: Added to a left/right flag from a waist sensor. REAL DATA (``benchmarks/validate_real.py``,
#: "left / right": 16 sacral force-plate trials of one runner): the sacrum does not respond to both
#: feet alike, so one foot's toe-off read up to 30 ms earlier or later than the other's against the
#: plate (8.8 ms on average), and the GCT symmetry index was 4.3 points off on average (12.8 at
#: worst), more than the 3.2 % warn limit.
WAIST_PER_FOOT_NOTE = ("A waist sensor times both feet through the pelvis, which does not respond to them alike: "
                       "on real running one foot's contact time read up to 30 ms longer or shorter than the "
                       "other's against a force plate. Check an imbalance with a sensor on each shoe before "
                       "acting on it.")


def _check_asymmetry(ctx: _Context, rule: Rule, checked: list[str]) -> dict[str, Any] | None:
    reason = ctx.per_side_reason
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
        run_si = float(_symmetry_index(ctx.median(values, ctx.left), ctx.median(values, ctx.right)))
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
            ci = masked_means_ci(values[sl], ctx.left[sl], ctx.right[sl])
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
                  "side_unit": _SIDE_UNITS[key], "left": round(lv, 3),
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
        if ctx.placement == "waist" and metrics_ev.keys() & {"gct_si_pct", "step_time_si_pct"}:
            parts.append(WAIST_PER_FOOT_NOTE)
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
        checked.append(f"Pelvic drop left vs right: run {abs(ctx.median(drop, ctx.left) - ctx.median(drop, ctx.right)):.1f}"
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
    measured = [m for m in metrics if _finite(m.values)]
    if not measured:
        raise _NotEvaluated(f"{' and '.join(m.label.lower() for m in metrics)} not measured with this sensor")
    metrics = measured
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


def evaluate_steps(
    steps: pd.DataFrame, *, placement: str | None = None, speed_mps: float | None = None,
    tilt_reference: str | None = None, per_side_reason: str | None = None,
    thresholds: Thresholds | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    running: np.ndarray | None = None, columns: StepColumns | None = None,
) -> Evaluation:
    """Evaluate every rule on a step table and keep the details (status, reasons, what was compared).

    This is what :func:`gaitlab.analyze` calls, once per analysis (the result is stored on the
    :class:`~gaitlab.Analysis` and the HTML report and figures read it); the live analyzers call
    it on their recent steps.

    Parameters
    ----------
    steps : pandas.DataFrame
        Per-step table (:data:`gaitlab.schema.STEP_COLUMNS`, optionally ``speed_mps``).
    placement : {'waist', 'shoe'}, optional
        Rules not measurable with this placement are not evaluated.
    speed_mps : float, optional
        The run's speed (m/s) when the table has no ``speed_mps`` column.
    tilt_reference : {'standing', 'early_run'}, optional
        What the pelvic tilt was measured against (absolute posture rules need 'standing').
    per_side_reason : str, optional
        Why the mounting makes left/right differences unmeasurable (the summary's
        ``per_side_reason``): then no rule compares the sides.
    thresholds : Thresholds, mapping, TOML path or None
        Overrides of the defaults (see :func:`gaitlab.report.thresholds.load_thresholds`).
    running : ndarray of bool, optional
        :func:`gaitlab.schema.valid_running_mask` of ``steps``, when the caller has it already.
    columns : gaitlab.gait.metrics.StepColumns, optional
        ``steps`` as arrays, when the caller has them already.

    Returns
    -------
    Evaluation
    """
    th = load_thresholds(thresholds)
    ctx = _Context(steps, th, placement=placement, speed_mps=speed_mps, tilt_reference=tilt_reference,
                   per_side_reason=per_side_reason, running=running, columns=columns)
    results: dict[str, RuleResult] = {}
    too_short = ctx.running_s < ctx.g("min_duration_s") or ctx.n < ctx.g("min_steps")
    for code, rule in RULES.items():
        if too_short:
            results[code] = RuleResult(code, "not_evaluated", reason=(
                f"{TOO_SHORT_PREFIX} {ctx.g('min_duration_s'):.0f} s and {ctx.g('min_steps'):.0f} valid "
                f"running steps; found {ctx.running_s:.0f} s, {ctx.n} steps"))
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


def evaluate_detailed(
    analysis: Analysis, thresholds: Thresholds | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> Evaluation:
    """:func:`evaluate_steps` on an :class:`~gaitlab.Analysis` (its steps, placement, speed, tilt reference).

    Parameters
    ----------
    analysis : Analysis
        Needs ``steps`` (:data:`gaitlab.schema.STEP_COLUMNS`), ``input['placement']`` and
        optionally ``summary['speed_mps']`` and ``summary['per_side_reason']``.
    thresholds : Thresholds, mapping, TOML path or None
        Overrides of the defaults (see :func:`gaitlab.report.thresholds.load_thresholds`).

    Returns
    -------
    Evaluation
    """
    params = getattr(analysis, "params", None) or {}
    return evaluate_steps(analysis.steps, placement=analysis.input.get("placement") if analysis.input else None,
                          speed_mps=summary_value(analysis.summary, "speed_mps"),
                          tilt_reference=params.get("pelvic_tilt_reference"),
                          per_side_reason=summary_text(analysis.summary, "per_side_reason"), thresholds=thresholds)


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
