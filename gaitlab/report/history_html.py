"""HTML for runs over time: the history page, and the single-run report's "against your recent
runs" and "the watch's view" sections.

Same rules as :mod:`gaitlab.report.html`: one self-contained page, inline CSS, figures as inline
PNG, no scripts, no network (the same Content-Security-Policy), every input text escaped.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..schema import TREND_METRICS
from .htmlkit import _esc, _num
from .text import clock
from .zones import ZONE_SOURCE, ZONES, zone_for

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..result import Analysis
    from ..season import History

__all__ = ["render_history_html", "recent_runs_html", "watch_html", "context_sections"]

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_EXTRA_CSS = """
.verdict-rising, .verdict-falling { font-weight: 650; }
.verdict-rising { color: #2f6fb3; } .verdict-falling { color: #b3562f; }
.verdict-steady, .verdict-usual { color: #5d6878; }
.unusual { font-weight: 650; color: #b3562f; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _f(value: Any, spec: str, unit: str = "") -> str:
    v = _num(value)
    if v is None:
        return "n/a"
    return f"{format(v, spec)}{(' ' + unit) if unit else ''}"


def _png(fig: Figure) -> str:
    from .htmlkit import _figure_png

    try:
        return _figure_png(fig)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def _zone_chip(metric: str, value: Any) -> str:
    v = _num(value)
    zone = None if v is None else zone_for(metric, v)
    if zone is None:
        return ""
    return (f'<span class="swatch" style="background:{zone.colour}"></span> '
            f"{_esc(zone.name)} ({_esc(zone.percentile)})")


def _page(title: str, subtitle: str, body: str) -> str:
    from .htmlkit import _template

    css = _template("report.css") + _EXTRA_CSS
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">\n"
        f"<meta name=\"generator\" content=\"gaitlab {_esc(__version__)}\">\n"
        f"<title>{_esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{_esc(title)}</h1><p class=\"sub\">{_esc(subtitle)}</p></header>\n"
        f"{body}\n"
        f"<footer>Made with gaitlab {_esc(__version__)} on "
        f"{_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}. Methods: docs/history.md.</footer>\n"
        "</main>\n</body>\n</html>\n")


# -- the history page -------------------------------------------------------------------------------
def history_figure(h: History, runner: str) -> Figure:
    """Per metric: each run (dots), the weekly median (line) and, where defined, Garmin's zones."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    runs = h.runs[(h.runs["runner"] == runner) & h.runs["start"].notna()]
    weekly = h.weekly[h.weekly["runner"] == runner] if len(h.weekly) else h.weekly
    keys = [k for k in TREND_METRICS if k in runs and runs[k].notna().any()]
    ncol = 2
    nrow = max(1, math.ceil(len(keys) / ncol))
    fig = Figure(figsize=(10.5, 2.3 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False, sharex=True)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, keys, strict=False):
        label, unit, _ = TREND_METRICS[key]
        y = runs[key]
        scale = ZONES.get(key)
        if scale is not None:
            from .zones import ZONE_ORDER

            lo, hi = float(y.min()), float(y.max())
            pad = max(0.15 * (hi - lo), 1e-6)
            edges = [-math.inf, *scale.edges, math.inf]
            bands = ZONE_ORDER[::-1] if scale.lower_is_better else ZONE_ORDER
            for (a, b), zone in zip(zip(edges[:-1], edges[1:], strict=True), bands, strict=True):
                ax.axhspan(max(a, lo - pad), min(b, hi + pad), color=zone.colour, alpha=0.10, lw=0) \
                    if min(b, hi + pad) > max(a, lo - pad) else None
            ax.set_ylim(lo - pad, hi + pad)
        ax.plot(runs["start"], y, "o", ms=3, color="#7d8896", alpha=0.7, label="run")
        if len(weekly) and key in weekly:
            ax.plot(weekly["week_start"] + _dt.timedelta(days=3.5), weekly[key], "-", lw=2, color="#1d2430",
                    label="weekly median")
        try:
            tr = h.trend(key, runner)
            verdict = tr["verdict"]
        except KeyError:
            verdict = ""
        ax.set_title(f"{label} ({unit}) {('- ' + verdict) if verdict else ''}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    if keys:
        axes.flat[0].legend(fontsize=8, loc="best")
    return fig


def _trend_table(h: History, runner: str) -> str:
    t = h.trends[h.trends["runner"] == runner] if len(h.trends) else h.trends
    rows = []
    for r in t.to_dict("records"):
        _label, unit, fmt = TREND_METRICS[r["metric"]]
        cfmt = fmt.lstrip("+")
        change = (f"{format(r['change_4w'], '+' + cfmt)} ({format(r['change_4w_lo'], '+' + cfmt)} to "
                  f"{format(r['change_4w_hi'], '+' + cfmt)})" if _num(r["change_4w"]) is not None else "n/a")
        slope = (f"{r['slope_per_week']:+.2f} ({r['slope_lo']:+.2f} to {r['slope_hi']:+.2f})"
                 if _num(r["slope_per_week"]) is not None else "n/a")
        rows.append(
            f"<tr><td>{_esc(r['label'])}</td><td class=\"num\">{r['n_runs']}</td>"
            f"<td class=\"num\">{_esc(_f(r['mean_last4w'], cfmt))}</td><td class=\"num\">{_esc(_f(r['mean_prev4w'], cfmt))}</td>"
            f"<td class=\"num\">{_esc(change)}</td><td class=\"num\">{_esc(slope)}</td>"
            f"<td class=\"num\">{_esc(_f(r['noise_sd'], cfmt))}</td>"
            f"<td class=\"verdict-{_esc(r['verdict'].split()[0])}\">{_esc(r['verdict'])}</td>"
            f"<td>{_zone_chip(r['metric'], r['mean_last4w'])}</td><td>{_esc(unit)}</td></tr>")
    if not rows:
        return "<p class=\"note\">No dated runs: trends need start times.</p>"
    return ("<table><thead><tr><th>Metric</th><th class=\"num\">Runs</th><th class=\"num\">Last 4 weeks</th>"
            "<th class=\"num\">4 weeks before</th><th class=\"num\">Change (95 % CI)</th>"
            "<th class=\"num\">Per week (95 % CI)</th><th class=\"num\">Run-to-run noise (SD)</th>"
            "<th>Trend</th><th>Garmin zone (last 4 weeks)</th><th>Unit</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _headline(h: History, runner: str) -> str:
    parts = []
    for key in ("cadence_spm", "gct_ms", "vo_cm", "impact_g"):
        try:
            r = h.trend(key, runner)
        except KeyError:
            continue
        label, unit, fmt = TREND_METRICS[key]
        if _num(r["change_4w"]) is None:
            continue
        lo, hi = r["change_4w_lo"], r["change_4w_hi"]
        word = "up" if lo > 0 else "down" if hi < 0 else None
        if word:
            parts.append(f"{label.lower()} {word} {abs(r['change_4w']):{fmt.lstrip('+')}} {unit}")
        else:
            parts.append(f"{label.lower()} unchanged within run-to-run noise")
    return ("The last 4 weeks against the 4 before: " + "; ".join(parts) + ".") if parts else ""


def _runs_table(h: History, runner: str, limit: int = 15) -> str:
    runs = h.runs[h.runs["runner"] == runner].sort_values("start", ascending=False, na_position="last").head(limit)
    rows = []
    for r in runs.to_dict("records"):
        start = r["start"]
        when = start.strftime("%Y-%m-%d %H:%M") if start is not None and start == start else "unknown date"
        tags = ", ".join(f"{k}={v}" for k, v in (r.get("tags") or {}).items() if k not in ("athlete", "runner"))
        rows.append(f"<tr><td>{_esc(when)}</td><td>{_esc(r['file'])}</td><td>{_esc(tags)}</td>"
                    f"<td class=\"num\">{_esc(_f(r.get('cadence_spm'), '.1f'))}</td>"
                    f"<td class=\"num\">{_esc(_f(r.get('gct_ms'), '.0f'))}</td>"
                    f"<td class=\"num\">{_esc(_f(r.get('vo_cm'), '.1f'))}</td>"
                    f"<td class=\"num\">{_esc(_f(r.get('impact_g'), '.2f'))}</td>"
                    f"<td>{_esc(r.get('flags') or '')}</td></tr>")
    return ("<table><thead><tr><th>Start</th><th>File</th><th>Tags</th><th class=\"num\">Cadence (spm)</th>"
            "<th class=\"num\">GCT (ms)</th><th class=\"num\">VO (cm)</th><th class=\"num\">Impact (g)</th>"
            "<th>Flags</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def render_history_html(h: History, *, figures: bool = True) -> str:
    """The history page: per runner, a headline, the trend table, the figure, the latest runs."""
    n = len(h.runs)
    dated = int(h.runs["start"].notna().sum()) if n else 0
    subtitle = (f"{n} runs, {dated} with a start time, {len(h.runners)} runner{'s' if len(h.runners) != 1 else ''}"
                + (f"; {len(h.skipped)} files skipped (not gaitlab results)" if h.skipped else ""))
    body = []
    for runner in h.runners:
        sub = h.runs[h.runs["runner"] == runner]
        first, last = sub["start"].min(), sub["start"].max()
        span = (f"{first:%d %b %Y} to {last:%d %b %Y}" if first == first and last == last else "dates unknown")
        body.append(f"<section><h2>{_esc(runner)}</h2><p>{len(sub)} runs, {_esc(span)}.</p>")
        head = _headline(h, runner)
        if head:
            body.append(f'<section class="verdict">{_esc(head)}</section>')
        body.append(_trend_table(h, runner))
        body.append("<p class=\"note\">Change: mean of the last 4 weeks minus the 4 weeks before, with a Welch "
                    "95 % interval over runs. Per week: least-squares slope over all dated runs with its 95 % "
                    "interval; a trend is called only when the interval excludes zero. Run-to-run noise: the "
                    "typical difference between consecutive runs (mean square successive difference). Each "
                    "metric is tested on its own at 95 %: where nothing changed, about one page in three still "
                    "shows one metric as rising or falling by chance, so trust a trend that persists as weeks "
                    f"are added. Zones: {_esc(ZONE_SOURCE)}.</p>")
        if figures and dated:
            fig = history_figure(h, runner)
            body.append(f'<figure><img alt="{_esc(runner)} trends" src="data:image/png;base64,{_png(fig)}">'
                        "<figcaption>Each dot is one run; the line is the weekly median; coloured bands are "
                        "Garmin's population zones (red bottom 5 % to purple top 5 %).</figcaption></figure>")
        body.append("<h2>Latest runs</h2>" + _runs_table(h, runner) + "</section>")
    if not h.runners:
        body.append("<p>No gaitlab results found.</p>")
    return _page("Running form over time", subtitle, "\n".join(body))


# -- sections of the single-run report ------------------------------------------------------------


def recent_runs_html(analysis: Analysis) -> str:
    """"Against your recent runs": this run beside the runner's own last N runs and Garmin's zones."""
    ctx = (getattr(analysis, "params", None) or {}).get("recent_runs")
    if not ctx:
        return ""
    n = ctx.get("n_runs", 0)
    head = "<section><h2>Against your recent runs</h2>"
    if not n:
        return head + (f"<p class=\"note\">No earlier runs of {_esc(ctx.get('runner'))} found in "
                       f"{_esc(ctx.get('source') or 'the history')}.</p></section>")
    rows = []
    for key, m in (ctx.get("metrics") or {}).items():
        if key not in TREND_METRICS:
            continue
        label, unit, fmt = TREND_METRICS[key]
        verdict = m.get("verdict", "")
        cls = "unusual" if verdict.endswith("than usual") else "verdict-usual"
        rng = (f"{_f(m.get('lo'), fmt)} to {_f(m.get('hi'), fmt)}" if m.get("lo") is not None else "n/a")
        rows.append(f"<tr><td>{_esc(label)}</td><td class=\"num\">{_esc(_f(m.get('value'), fmt, unit))}</td>"
                    f"<td class=\"num\">{_esc(_f(m.get('median'), fmt, unit))}</td><td class=\"num\">{_esc(rng)}</td>"
                    f"<td class=\"num\">{_esc(_f(m.get('noise_sd'), fmt))}</td>"
                    f"<td class=\"{cls}\">{_esc(verdict)}</td><td>{_zone_chip(key, m.get('value'))}</td></tr>")
    period = ""
    if ctx.get("first") and ctx.get("last"):
        period = f", {ctx['first'][:10]} to {ctx['last'][:10]}"
    return (head + f"<p>This run beside {_esc(ctx.get('runner'))}'s last {n} runs{_esc(period)}. "
            "\"Higher/lower than usual\" means more than two run-to-run SDs from your median; the zones place "
            "the run in Garmin's runner population.</p>"
            "<table><thead><tr><th>Metric</th><th class=\"num\">This run</th><th class=\"num\">Your median</th>"
            "<th class=\"num\">Your usual range</th><th class=\"num\">Run-to-run SD</th><th>Where this run sits</th>"
            "<th>Population zone</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")


def watch_figure(analysis: Analysis) -> Figure | None:
    """gaitlab's per-minute values with the watch's over the same minutes, per metric both have."""
    from matplotlib.figure import Figure

    watch = (analysis.input or {}).get("watch") or {}
    segs = watch.get("segments") or []
    seg = analysis.segments
    keys = [k for k in ("cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct", "gct_balance_left_pct")
            if k in (watch.get("metrics") or []) and k in seg and any(_num(s.get(k)) is not None for s in segs)]
    if not keys or seg.empty:
        return None
    fig = Figure(figsize=(10.5, 2.0 * len(keys)), layout="constrained")
    axes = fig.subplots(len(keys), 1, squeeze=False, sharex=True)[:, 0]
    mid = (seg["start_s"] + seg["end_s"]).to_numpy() / 2.0 / 60.0
    wmid = [(s["start_s"] + s["end_s"]) / 2.0 / 60.0 for s in segs]
    for ax, key in zip(axes, keys, strict=True):
        ax.plot(mid, seg[key], "-o", ms=3, color="#2f6fb3", label="gaitlab")
        ax.plot(wmid, [_num(s.get(key)) if _num(s.get(key)) is not None else math.nan for s in segs], "-s", ms=3,
                color="#ef8a17", label=f"watch ({watch.get('device') or 'FIT'})")
        label, unit, _ = TREND_METRICS[key]
        ax.set_ylabel(f"{label}\n({unit})", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    axes[-1].set_xlabel("time (min)")
    return fig


def watch_html(analysis: Analysis, *, figures: bool = True) -> str:
    """"The watch's view": alignment, per-lap table (gaitlab beside the watch), overlay figure."""
    watch = (analysis.input or {}).get("watch")
    if not watch:
        return ""
    laps = watch.get("laps") or []
    rows = []
    for lap in laps:
        w = lap.get("watch") or {}
        rows.append(
            f"<tr><td>{lap['lap']}</td><td>{_esc(clock(lap['start_s']))}-{_esc(clock(lap['end_s']))}</td>"
            f"<td class=\"num\">{_esc(_f(w.get('distance_m'), '.0f', 'm'))}</td>"
            f"<td class=\"num\">{_esc(_f(w.get('speed_mps'), '.2f', 'm/s'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('cadence_spm'), '.1f'))} / {_esc(_f(w.get('cadence_spm'), '.1f'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('gct_ms'), '.0f'))} / {_esc(_f(w.get('gct_ms'), '.0f'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('vo_cm'), '.1f'))} / {_esc(_f(w.get('vo_cm'), '.1f'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('vertical_ratio_pct'), '.1f'))} / "
            f"{_esc(_f(w.get('vertical_ratio_pct'), '.1f'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('step_length_m'), '.2f'))}</td>"
            f"<td class=\"num\">{_esc(_f(lap.get('impact_g'), '.2f'))}</td></tr>")
    out = ["<section><h2>The watch's view</h2>",
           f"<p>{_esc(watch.get('device') or 'FIT file')} aligned by absolute time ({_esc(watch.get('basis'))}): "
           f"{_esc(_f(watch.get('overlap_s'), '.0f', 's'))} in common; the watch's speed gives step length and "
           f"vertical ratio. Median cadence difference gaitlab - watch: "
           f"{_esc(_f(watch.get('cadence_diff_spm'), '+.1f', 'spm'))}.</p>"]
    if rows:
        out.append("<table><thead><tr><th>Lap</th><th>Time</th><th class=\"num\">Distance</th>"
                   "<th class=\"num\">Speed</th><th class=\"num\">Cadence spm (gaitlab / watch)</th>"
                   "<th class=\"num\">GCT ms</th><th class=\"num\">VO cm</th><th class=\"num\">Vertical ratio %</th>"
                   "<th class=\"num\">Step length m</th><th class=\"num\">Impact g</th></tr></thead><tbody>"
                   + "".join(rows) + "</tbody></table>")
    if figures:
        fig = watch_figure(analysis)
        if fig is not None:
            out.append(f'<figure><img alt="watch overlay" src="data:image/png;base64,{_png(fig)}">'
                       "<figcaption>gaitlab's per-minute values (blue) and the watch's running dynamics over the "
                       "same minutes (orange). Devices differ in how they define contact and oscillation: read "
                       "the shapes together, not the offsets.</figcaption></figure>")
    out.append("</section>")
    return "\n".join(out)


def context_sections(analysis: Analysis, *, figures: bool = True) -> str:
    """Both sections (empty text when the analysis has neither a history nor a watch)."""
    return recent_runs_html(analysis) + watch_html(analysis, figures=figures)
