"""Figures of an :class:`~gaitlab.result.Analysis` as matplotlib :class:`~matplotlib.figure.Figure`.

Figures are built with the object-oriented API (``Figure(...)``, never ``pyplot``), so no GUI
backend is needed, nothing is shown, and figures are not kept in pyplot's registry: they are freed
like any other object. Save one with ``fig.savefig("trend.png")``.

Kinds (``plot(analysis, kind)``):

``overview``    cadence, GCT and VO over the run plus left vs right, on one page
``trend``       metrics over the run: per-step points, 60-s rolling median, Garmin zone bands,
                the baseline period and the stretches that raised flags
``balance``     left vs right medians (GCT, step time, impact, VO) with symmetry indices
``early_late``  distributions in the early-run baseline vs the end of the run
``signal``      a few seconds of vertical specific force with detected IC / TO marked
``steps``       distributions of per-step GCT, cadence, VO and flight time
``feet``        shoe: every per-foot metric, left and right side by side (violins of single contacts)

Figures use a fixed layout (margins in inches, :func:`_fixed_layout`) rather than matplotlib's
constrained layout, which took about a third of the time of an HTML report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from ..errors import InputError
from ..gait.metrics import cadence_spm, step_length_m, symmetry_index_pct, vertical_ratio_pct
from .engine import rolling, running_steps
from .evaluate import Evaluation, evaluate_detailed
from .text import number
from .zones import ZONE_ORDER, ZONES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..result import Analysis

__all__ = ["plot", "KINDS", "METRICS", "SHOE_METRICS"]

LEFT_COLOUR, RIGHT_COLOUR = "#1f6fb2", "#d9762b"
LINE_COLOUR = "#222222"
FLAG_COLOURS = {"info": "#9aa5b1", "warn": "#ef8a17", "alert": "#d7263d"}
BASELINE_COLOUR = "#5b8fd6"
#: legend words of the trend's shading (the report's severity words)
SHADE_LABELS = {"baseline": "your baseline (early run)", "info": "flagged: note", "warn": "flagged: worth a look",
                "alert": "flagged: strong pattern"}

#: per-step metrics the trend and distribution figures know: column -> (label, unit)
METRICS: dict[str, tuple[str, str]] = {
    "cadence_spm": ("Cadence", "spm"),
    "gct_ms": ("Ground contact", "ms"),
    "vo_cm": ("Vertical oscillation", "cm"),
    "flight_ms": ("Flight time", "ms"),
    "impact_g": ("Landing impact", "g"),
    "loading_rate_gps": ("Loading rate", "g/s"),
    "braking_mps": ("Speed lost per step", "m/s"),
    "pelvic_tilt_deg": ("Pelvic tilt", "deg"),
    "pelvic_drop_deg": ("Pelvic drop", "deg"),
    "vertical_ratio_pct": ("Vertical ratio", "%"),
    # shoe (per contact)
    "stride_length_m": ("Stride length", "m"),
    "speed_mps": ("Speed", "m/s"),
    "foot_strike_angle_deg": ("Foot-strike angle", "deg"),
    "pronation_deg": ("Pronation", "deg"),
    "pronation_velocity_dps": ("Pronation velocity", "deg/s"),
    "braking_g": ("Braking (foot)", "g"),
    "swing_ms": ("Swing time", "ms"),
    "duty_factor": ("Duty factor", ""),
    "foot_clearance_m": ("Foot clearance", "m"),
}

#: the per-foot metrics of a shoe analysis, in the order the report shows them
SHOE_METRICS: tuple[str, ...] = ("stride_length_m", "speed_mps", "foot_strike_angle_deg", "pronation_deg",
                                 "braking_g", "impact_g", "gct_ms", "flight_ms", "swing_ms", "cadence_spm")


class _Data:
    """Valid running steps of an analysis as arrays, with derived per-step metrics."""

    def __init__(self, analysis: Analysis, evaluation: Evaluation | None) -> None:
        self.analysis = analysis
        self.steps = running_steps(analysis.steps)
        self.t_s = self.steps["ic_s"].to_numpy(dtype=np.float64)
        self.t_min = self.t_s / 60.0
        self._evaluation = evaluation
        side = self.steps["side"].astype(object).to_numpy() if "side" in self.steps.columns else []
        self.left = np.array([s == "L" for s in side], dtype=bool)
        self.right = np.array([s == "R" for s in side], dtype=bool)

    @property
    def evaluation(self) -> Evaluation:
        """The evaluation given, else the analysis' own, else (an Analysis built without a report)
        a new one."""
        if self._evaluation is None:
            self._evaluation = getattr(self.analysis, "evaluation", None) or evaluate_detailed(self.analysis)
        return self._evaluation

    def col(self, name: str) -> np.ndarray:
        s = self.steps
        if name == "cadence_spm" and "step_time_ms" in s.columns:
            return cadence_spm(s["step_time_ms"].to_numpy(dtype=np.float64, na_value=np.nan))
        if name == "vertical_ratio_pct" and name not in s.columns:
            speed = s["speed_mps"].to_numpy(dtype=np.float64, na_value=np.nan) if "speed_mps" in s.columns \
                else np.full(len(s), float(self.analysis.summary.get("speed_mps") or math.nan))
            return vertical_ratio_pct(self.col("vo_cm"), step_length_m(speed, self.col("step_time_ms")))
        if name not in s.columns:
            return np.full(len(s), np.nan)
        return s[name].to_numpy(dtype=np.float64, na_value=np.nan)

    def has(self, name: str) -> bool:
        return bool(np.isfinite(self.col(name)).any())


#: width of every report figure (inches at 100 dpi): one width, so text has one size on the page
WIDTH_IN = 10.0


def _new_figure(width_in: float, height_in: float) -> Figure:
    return Figure(figsize=(width_in, height_in), dpi=100)


def _fixed_layout(fig: Figure, *, left: float = 0.95, right: float = 0.3, top: float = 0.3,
                  bottom: float = 0.55, hspace: float = 0.25, wspace: float = 0.3) -> None:
    """Margins in inches (fixed layout: much faster than constrained layout, same look)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1.0 - right / w, top=1.0 - top / h, bottom=bottom / h,
                        hspace=hspace, wspace=wspace)


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def _draw_trend(ax: Axes, d: _Data, metric: str, *, zones: bool = True, flags: bool = True) -> set[str]:
    """One metric over the run; returns what was shaded (``baseline`` and flag severities) for the legend."""
    label, unit = METRICS.get(metric, (metric, ""))
    values = d.col(metric)
    ax.set_ylabel(f"{label} ({unit})" if unit else label)
    shaded: set[str] = set()
    if not np.isfinite(values).any():
        _empty(ax, f"{label}: not measured")
        return shaded
    ok = np.isfinite(values)
    lo, hi = np.nanpercentile(values, [1, 99])
    pad = 0.15 * (hi - lo) if hi > lo else 1.0
    ylim = (lo - pad, hi + pad)
    scale = ZONES.get(metric)
    if zones and scale is not None:
        edges = (-np.inf, *scale.edges, np.inf)
        bands = ZONE_ORDER[::-1] if scale.lower_is_better else ZONE_ORDER
        for (a, b), zone in zip(zip(edges[:-1], edges[1:], strict=True), bands, strict=True):
            # a colour bar at the right edge, so the zones never hide the baseline / flag shading
            ax.axhspan(max(a, ylim[0] - 1e3), min(b, ylim[1] + 1e3), xmin=0.985, xmax=1.0,
                       color=zone.colour, alpha=0.85, lw=0)
    base = d.evaluation.baseline
    if base is not None:
        ax.axvspan(base["start_s"] / 60.0, base["end_s"] / 60.0, color=BASELINE_COLOUR, alpha=0.12, lw=0)
        shaded.add("baseline")
    if flags:
        for flag in d.analysis.flags or []:
            ev = flag.get("evidence", {})
            related = ev.get("metric") == "composite" or metric in (ev.get("metrics") or {}) \
                or ev.get("metric") == metric
            if not related:
                continue
            for ep in ev.get("episodes") or [ev]:
                if "start_s" in ep and "end_s" in ep:
                    ax.axvspan(ep["start_s"] / 60.0, ep["end_s"] / 60.0,
                               color=FLAG_COLOURS.get(flag["severity"], "#999999"), alpha=0.18, lw=0)
                    shaded.add(str(flag["severity"]))
    ax.scatter(d.t_min[ok], values[ok], s=2, color="#8c99a6", alpha=0.35, lw=0, rasterized=True)
    # 60-s median (what the rules see), lightly averaged for display: quantised per-step values
    # (e.g. GCT at 100 Hz) otherwise make the median jump between neighbouring levels
    smooth = rolling(d.t_s, rolling(d.t_s, values, window_s=60.0, min_periods=10), window_s=20.0,
                     min_periods=1, how="mean")
    ax.plot(d.t_min, smooth, color=LINE_COLOUR, lw=1.6)
    ax.set_ylim(*ylim)
    ax.grid(True, alpha=0.25)
    return shaded


def _draw_balance(ax: Axes, d: _Data) -> None:
    rows = []
    for metric in ("gct_ms", "step_time_ms", "impact_g", "vo_cm", "pelvic_drop_deg", "stride_length_m",
                   "flight_ms", "swing_ms"):
        v = d.col(metric)
        lv, rv = v[d.left], v[d.right]
        if np.isfinite(lv).sum() >= 10 and np.isfinite(rv).sum() >= 10:
            rows.append((metric, float(np.nanmedian(lv)), float(np.nanmedian(rv))))
    if not rows:
        _empty(ax, "left / right not available")
        return
    names = {"step_time_ms": ("Step time", "ms"), **METRICS}
    y = np.arange(len(rows))
    for i, (metric, lv, rv) in enumerate(rows):
        # normalise to the mean of both sides so different units share one axis
        mean = (lv + rv) / 2.0
        ax.barh(i + 0.18, 100.0 * lv / mean - 100.0, height=0.34, color=LEFT_COLOUR,
                label="left" if i == 0 else None)
        ax.barh(i - 0.18, 100.0 * rv / mean - 100.0, height=0.34, color=RIGHT_COLOUR,
                label="right" if i == 0 else None)
        si = symmetry_index_pct(lv, rv)
        label, unit = names.get(metric, (metric, ""))
        ax.text(1.01, i, f"L {number(lv, unit)} / R {number(rv, unit, with_unit=True)}\nSI {si:.1f} %",
                transform=ax.get_yaxis_transform(),
                va="center", fontsize=8)
    ax.set_yticks(y, [names.get(m, (m, ""))[0] for m, _, _ in rows])
    ax.axvline(0, color=LINE_COLOUR, lw=0.8)
    lim = max(3.0, *(symmetry_index_pct(lv, rv) * 0.6 for _, lv, rv in rows))
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("difference from the two-foot mean (%)")
    ax.invert_yaxis()
    # above the axes: inside, it would hide a bar
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False, borderaxespad=0.2)
    ax.grid(True, axis="x", alpha=0.25)


def _early_late_masks(d: _Data) -> tuple[np.ndarray, np.ndarray, str, str]:
    n = len(d.t_s)
    base = d.evaluation.baseline
    if base is not None:
        early = d.t_s <= base["end_s"]
        span = base["end_s"] - base["start_s"]
        late = d.t_s >= d.t_s[-1] - span
        return early, late & ~early, f"early (first {span / 60:.0f} min)", f"late (last {span / 60:.0f} min)"
    third = n // 3
    idx = np.arange(n)
    return idx < third, idx >= n - third, "first third", "last third"


def _draw_early_late(ax: Axes, d: _Data, metric: str) -> None:
    label, unit = METRICS.get(metric, (metric, ""))
    v = d.col(metric)
    if len(v) < 30 or not np.isfinite(v).any():
        _empty(ax, f"{label}: not enough data")
        return
    early, late, le, ll = _early_late_masks(d)
    data = [v[early & np.isfinite(v)], v[late & np.isfinite(v)]]
    if min(len(x) for x in data) < 5:
        _empty(ax, f"{label}: not enough data")
        return
    parts = ax.violinplot(data, showmedians=True, showextrema=False)
    for body, colour in zip(parts["bodies"], ("#5b8fd6", "#ef8a17"), strict=True):
        body.set_facecolor(colour)
        body.set_alpha(0.55)
    parts["cmedians"].set_color(LINE_COLOUR)
    med = [float(np.median(x)) for x in data]
    _clip_ylim(ax, data)
    ax.set_xticks([1, 2], [f"{le}\n{number(med[0], unit, with_unit=True)}",
                           f"{ll}\n{number(med[1], unit, with_unit=True)}"])
    ax.set_title(label, fontsize=10)
    ax.grid(True, axis="y", alpha=0.25)


def _signal_arrays(analysis: Analysis) -> tuple[np.ndarray, np.ndarray, str]:
    sig = analysis.signals or {}
    if "t_s" in sig and "vertical_g" in sig and len(sig["t_s"]):
        return np.asarray(sig["t_s"], float), np.asarray(sig["vertical_g"], float), "vertical specific force (g)"
    rec = analysis.recording
    if rec is not None:
        # without the body-frame signal the magnitude is the closest orientation-free stand-in
        return np.asarray(rec.t, float), np.linalg.norm(np.asarray(rec.acc, float), axis=1), "|acceleration| (g)"
    return np.empty(0), np.empty(0), ""


def _draw_signal(ax: Axes, analysis: Analysis, t0_s: float | None, duration_s: float) -> None:
    t, y, label = _signal_arrays(analysis)
    steps = running_steps(analysis.steps)
    if t.size == 0:
        _empty(ax, "no signal kept with this analysis")
        return
    if t0_s is None:
        ic = steps["ic_s"].to_numpy(dtype=np.float64) if len(steps) else t
        t0_s = float(ic[len(ic) // 2]) - 0.1 if len(ic) else float(t[0])
    win = (t >= t0_s) & (t <= t0_s + duration_s)
    ax.plot(t[win], y[win], color=LINE_COLOUR, lw=1.2)
    ax.axhline(1.0, color="#888888", lw=0.8, ls=":")
    ax.text(t0_s, 1.0, " 1 g", va="bottom", fontsize=8, color="#666666")
    sel = steps[(steps["ic_s"] >= t0_s) & (steps["ic_s"] <= t0_s + duration_s)]
    for ic, to, side in zip(sel["ic_s"], sel["to_s"], sel["side"].astype(object) if "side" in sel else
                            [None] * len(sel), strict=True):
        colour = LEFT_COLOUR if side == "L" else RIGHT_COLOUR if side == "R" else "#555555"
        ax.axvline(ic, color=colour, lw=1.4)
        if np.isfinite(to):
            ax.axvline(to, color=colour, lw=1.2, ls="--")
            ax.axvspan(ic, to, color=colour, alpha=0.08, lw=0)
        if side in ("L", "R"):
            ax.text(ic, 1.0, side, transform=ax.get_xaxis_transform(), va="bottom", ha="center",
                    fontsize=8, color=colour)
    ax.set_xlim(t0_s, t0_s + duration_s)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(label)
    ax.plot([], [], color="#555555", lw=1.4, label="initial contact (IC)")
    ax.plot([], [], color="#555555", lw=1.2, ls="--", label="toe-off (TO)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(True, alpha=0.25)


def _draw_hist(ax: Axes, d: _Data, metric: str) -> None:
    label, unit = METRICS.get(metric, (metric, ""))
    v = d.col(metric)
    v = v[np.isfinite(v)]
    if v.size < 5:
        _empty(ax, f"{label}: not measured")
        return
    lo, hi = np.percentile(v, [0.5, 99.5])
    ax.hist(v, bins=40, range=(lo, hi) if hi > lo else None, color="#5b8fd6", alpha=0.8)
    med = float(np.median(v))
    ax.axvline(med, color=LINE_COLOUR, lw=1.2)
    ax.set_xlabel(f"{label} ({unit})")
    ax.set_title(f"median {number(med, unit, with_unit=True)}", fontsize=9)
    ax.grid(True, alpha=0.25)


def _time_axis(ax: Axes) -> None:
    ax.set_xlabel("time (min)")


# -- the public kinds ---------------------------------------------------------------------------------
def _overview(d: _Data, **_: Any) -> Figure:
    fig = _new_figure(11.0, 7.0)
    grid = fig.add_gridspec(3, 2, width_ratios=(1.7, 1.0))
    axes = [fig.add_subplot(grid[i, 0]) for i in range(3)]
    shaded: set[str] = set()
    for ax, metric in zip(axes, ("cadence_spm", "gct_ms", "vo_cm"), strict=True):
        shaded |= _draw_trend(ax, d, metric)
        ax.sharex(axes[0])
    _time_axis(axes[-1])
    _draw_balance(fig.add_subplot(grid[0:2, 1]), d)
    _draw_early_late(fig.add_subplot(grid[2, 1]), d, "gct_ms")
    _shade_legend(fig, shaded, x_right_in=11.0 - 0.3 - 4.3)
    _fixed_layout(fig, right=1.3, top=0.45, bottom=0.9, hspace=0.6, wspace=0.55)
    return fig


def _shade_legend(fig: Figure, shaded: set[str], x_right_in: float | None = None) -> None:
    """A legend of the trend's shading, top right (or ending ``x_right_in`` inches from the left)."""
    from matplotlib.patches import Patch

    order = [k for k in ("baseline", "info", "warn", "alert") if k in shaded]
    if not order:
        return
    colours = {"baseline": BASELINE_COLOUR, **FLAG_COLOURS}
    handles = [Patch(facecolor=colours[k], alpha=0.3, label=SHADE_LABELS[k]) for k in order]
    fig.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=8.5, frameon=False,
               bbox_to_anchor=((x_right_in / fig.get_size_inches()[0]) if x_right_in is not None
                               else 1.0 - 0.3 / fig.get_size_inches()[0], 1.0))


def _default_trend_metrics(d: _Data) -> list[str]:
    if d.analysis.placement == "shoe":
        pool = ("cadence_spm", "gct_ms", "stride_length_m", "foot_strike_angle_deg", "impact_g")
    else:
        pool = ("cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct", "impact_g", "pelvic_tilt_deg")
    return [m for m in pool if d.has(m)][:4] or ["cadence_spm"]


def _trend(d: _Data, metrics: Sequence[str] | None = None, zones: bool = True, **_: Any) -> Figure:
    if metrics is None:
        metrics = _default_trend_metrics(d)
    fig = _new_figure(WIDTH_IN, 1.0 + 2.0 * len(metrics))
    axes = fig.subplots(len(metrics), 1, sharex=True, squeeze=False)[:, 0]
    shaded: set[str] = set()
    for ax, metric in zip(axes, metrics, strict=True):
        shaded |= _draw_trend(ax, d, metric, zones=zones)
    _time_axis(axes[-1])
    _shade_legend(fig, shaded)
    _fixed_layout(fig, top=0.35, hspace=0.12)
    return fig


def _balance(d: _Data, **_: Any) -> Figure:
    fig = _new_figure(WIDTH_IN, 3.6)
    _draw_balance(fig.add_subplot(), d)
    _fixed_layout(fig, left=1.6, right=1.9, top=0.35)
    return fig


def _early_late(d: _Data, metrics: Sequence[str] | None = None, **_: Any) -> Figure:
    pool = (("gct_ms", "cadence_spm", "stride_length_m", "foot_strike_angle_deg") if d.analysis.placement == "shoe"
            else ("gct_ms", "cadence_spm", "vo_cm", "pelvic_tilt_deg"))
    metrics = list(metrics or [m for m in pool if d.has(m)] or ["gct_ms"])
    # one width whatever the number of panels: the page scales every figure to its width, so a
    # narrower figure would come out with larger text
    fig = _new_figure(WIDTH_IN, 3.4)
    for i, metric in enumerate(metrics):
        _draw_early_late(fig.add_subplot(1, len(metrics), i + 1), d, metric)
    _fixed_layout(fig, left=0.6, bottom=0.75, wspace=0.35)
    return fig


def _signal(d: _Data, t0_s: float | None = None, duration_s: float = 3.0, **_: Any) -> Figure:
    fig = _new_figure(WIDTH_IN, 3.2)
    _draw_signal(fig.add_subplot(), d.analysis, t0_s, duration_s)
    _fixed_layout(fig, top=0.35)
    return fig


def _steps(d: _Data, metrics: Sequence[str] | None = None, **_: Any) -> Figure:
    metrics = list(metrics or ("gct_ms", "cadence_spm", "vo_cm", "flight_ms"))
    cols = 2
    rows = math.ceil(len(metrics) / cols)
    fig = _new_figure(9.0, 2.6 * rows)
    for i, metric in enumerate(metrics):
        _draw_hist(fig.add_subplot(rows, cols, i + 1), d, metric)
    _fixed_layout(fig, left=0.6, hspace=0.6)
    return fig


def _clip_ylim(ax: Axes, data: Sequence[np.ndarray]) -> None:
    """Y range of the 1st-99th percentile: a few start-up strides must not squash the distribution."""
    allv = np.concatenate([np.asarray(x, float) for x in data])
    lo, hi = np.percentile(allv, [1, 99])
    if hi > lo:
        pad = 0.12 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)


def _draw_feet(ax: Axes, d: _Data, metric: str) -> None:
    label, unit = METRICS.get(metric, (metric, ""))
    v = d.col(metric)
    if metric == "pronation_velocity_dps":
        v = np.abs(v)
    data = [v[mask & np.isfinite(v)] for mask in (d.left, d.right)]
    ax.set_title(f"{label} ({unit})" if unit else label, fontsize=9.5)
    if min(len(x) for x in data) < 5:
        _empty(ax, "not measured" if not np.isfinite(v).any() else "too few contacts")
        return
    parts = ax.violinplot(data, showmedians=True, showextrema=False)
    for body, colour in zip(parts["bodies"], (LEFT_COLOUR, RIGHT_COLOUR), strict=True):
        body.set_facecolor(colour)
        body.set_alpha(0.55)
    parts["cmedians"].set_color(LINE_COLOUR)
    med = [float(np.median(x)) for x in data]
    _clip_ylim(ax, data)
    ax.set_xticks([1, 2], [f"left\n{number(med[0], unit)}", f"right\n{number(med[1], unit)}"], fontsize=8.5)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, axis="y", alpha=0.25)


def _feet(d: _Data, metrics: Sequence[str] | None = None, **_: Any) -> Figure:
    metrics = list(metrics or SHOE_METRICS)
    cols = min(5, max(len(metrics), 1))
    rows = math.ceil(len(metrics) / cols)
    fig = _new_figure(WIDTH_IN, 2.5 * rows + 0.2)
    for i, metric in enumerate(metrics):
        _draw_feet(fig.add_subplot(rows, cols, i + 1), d, metric)
    _fixed_layout(fig, left=0.5, right=0.15, bottom=0.5, top=0.35, hspace=0.65, wspace=0.45)
    return fig


KINDS: dict[str, Callable[..., Figure]] = {
    "overview": _overview,
    "trend": _trend,
    "balance": _balance,
    "early_late": _early_late,
    "signal": _signal,
    "steps": _steps,
    "feet": _feet,
}


def plot(analysis: Analysis, kind: str = "overview", *, evaluation: Evaluation | None = None,
         **kwargs: Any) -> Figure:
    """Draw one figure of an analysis.

    Parameters
    ----------
    analysis : Analysis
        Waist or shoe analysis.
    kind : str
        One of :data:`KINDS`: ``overview``, ``trend``, ``balance``, ``early_late``, ``signal``,
        ``steps``, ``feet`` (shoe: every per-foot metric, left and right side by side).
    evaluation : Evaluation, optional
        A ready :func:`~gaitlab.report.evaluate.evaluate_detailed` result (for the baseline period);
        computed when needed and not given.
    **kwargs
        Per kind: ``metrics`` (trend, early_late, steps: per-step column names, see
        :data:`METRICS`), ``zones`` (trend: draw Garmin bands, default True), ``t0_s`` and
        ``duration_s`` (signal: window on the recording's time axis, s; default 3 s from mid-run).

    Returns
    -------
    matplotlib.figure.Figure
        Not shown and not registered with pyplot; ``fig.savefig(path)`` writes it.

    Raises
    ------
    InputError
        Unknown ``kind`` or metric.
    """
    if kind not in KINDS:
        raise InputError(f"unknown figure kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    metrics = kwargs.get("metrics")
    if metrics is not None:
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise InputError(f"unknown metrics {unknown}; valid: {', '.join(METRICS)}")
    _register_notebook_display()
    return KINDS[kind](_Data(analysis, evaluation), **kwargs)


def _register_notebook_display() -> None:
    """Show returned Figures as images in Jupyter without ``%matplotlib inline``.

    Figures are built without pyplot (no GUI, nothing leaks into pyplot's registry), so IPython
    does not know how to display them: register a PNG formatter for ``Figure`` once, only when
    running under IPython.
    """
    import sys

    ipython_mod = sys.modules.get("IPython")
    if ipython_mod is None:
        return
    ip = ipython_mod.get_ipython()
    if ip is None:
        return
    png = ip.display_formatter.formatters["image/png"]
    if Figure in png.type_printers:
        return

    def to_png(fig: Figure) -> bytes:
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()

    png.for_type(Figure, to_png)
