"""The HTML form report and the compact Jupyter summary.

:func:`render_html` returns one self-contained page: inline CSS, figures as inline base64 PNG, no
scripts and no external requests (a Content-Security-Policy forbids them, so even a stray URL in
input text cannot load anything). Every piece of text that comes from the input (file name,
metadata, flag text) is HTML-escaped.

Which flags are shown: the analysis' own ``flags`` (what :func:`gaitlab.analyze` evaluated, with
the thresholds it was given), or, when the analysis carries none, a fresh evaluation with
``thresholds`` (defaults when omitted). The evidence table lists every rule with what was compared.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Mapping, Sequence
from string import Template
from typing import TYPE_CHECKING, Any

from .._version import __version__
from .evaluate import Evaluation, evaluate_detailed
from .htmlkit import _esc, _figure_png, _num, _template
from .rules import RULES, SEE_A_PROFESSIONAL
from .sources import ARTICLES, RESEARCH
from .text import clock, number
from .zones import ZONE_SOURCE, zone_for

if TYPE_CHECKING:  # pragma: no cover

    from ..result import Analysis

__all__ = ["render_html", "render_summary_html", "HEADLINE", "SHOE_HEADLINE", "FOOT_TABLE", "HOW_JUDGED"]

#: headline metrics: summary key -> (label, unit, number format)
HEADLINE: dict[str, tuple[str, str, str]] = {
    "cadence_spm": ("Cadence", "spm", ".0f"),
    "gct_ms": ("Ground contact time", "ms", ".0f"),
    "vo_cm": ("Vertical oscillation", "cm", ".1f"),
    "vertical_ratio_pct": ("Vertical ratio", "%", ".1f"),
    "gct_balance_left_pct": ("GCT balance", "", ".1f"),
}

#: headline metrics of a shoe analysis (no vertical oscillation: a foot sensor cannot measure it)
SHOE_HEADLINE: dict[str, tuple[str, str, str]] = {
    "cadence_spm": ("Cadence", "spm", ".0f"),
    "gct_ms": ("Ground contact time", "ms", ".0f"),
    "stride_length_m": ("Stride length", "m", ".2f"),
    "speed_mps": ("Speed", "m/s", ".2f"),
    "strike_class": ("Foot strike", "", ""),
    "gct_balance_left_pct": ("GCT balance", "", ".1f"),
}

#: the shoe report's per-foot table: step/contact column -> (label, unit); each foot's mean over its
#: valid running contacts (the summary's definition), the pair's value and the symmetry index
FOOT_TABLE: dict[str, tuple[str, str]] = {
    "stride_length_m": ("Stride length", "m"),
    "speed_mps": ("Speed", "m/s"),
    "strike_class": ("Foot strike", ""),
    "foot_strike_angle_deg": ("Foot-strike angle (toe up +)", "deg"),
    "pronation_deg": ("Pronation (roll in stance)", "deg"),
    "pronation_velocity_dps": ("Pronation velocity (peak)", "deg/s"),
    "braking_g": ("Braking of the foot (peak)", "g"),
    "impact_g": ("Landing impact", "g"),
    "loading_rate_gps": ("Loading rate", "g/s"),
    "gct_ms": ("Ground contact time", "ms"),
    "flight_ms": ("Flight time", "ms"),
    "swing_ms": ("Swing time", "ms"),
    "stride_time_ms": ("Stride time", "ms"),
    "cadence_spm": ("Cadence", "spm"),
    "duty_factor": ("Duty factor", ""),
    "foot_clearance_m": ("Foot clearance (highest point)", "m"),
}

#: how every pattern is judged, inline so the page explains itself to whoever receives it
HOW_JUDGED = (
    "Only valid running steps count (steps at gaps, walking and implausible steps are left out). Each "
    "metric is smoothed with a rolling 60-second median, so one odd step never raises a flag, and a "
    "pattern must hold for at least 60 s of running and 100 steps (left-right imbalance: 2 min). Patterns "
    "that compare with your own baseline use your first 10 minutes of running (the first third of a "
    "shorter run, at least 3 min). A pattern the sensor cannot measure is marked \u201cnot evaluated\u201d, "
    "never counted as fine. Every limit and its source is listed in the evidence table below."
)

SEVERITY_WORD = {"info": "note", "warn": "worth a look", "alert": "strong pattern"}

DISCLAIMER = (
    "<p><b>This report is not medical advice.</b> It describes how you ran, measured by one "
    "sensor, and compares it with published running-form research and with your own early-run "
    "baseline. The patterns are <i>associated with</i> extra load on the back in mostly small "
    "studies; none of them shows that anything is wrong with you, and running itself is good for "
    "most backs.</p>"
    f"<p>{html.escape(SEE_A_PROFESSIONAL)}</p>"
    "<p>Sensor metrics differ between devices and mounting positions: compare your runs with each "
    "other, measured the same way, rather than with someone else's numbers.</p>"
)


def _headline_value(key: str, value: float, table: Mapping[str, tuple[str, str, str]]) -> str:
    label, unit, fmt = table[key]
    if key == "gct_balance_left_pct":
        side = "L" if value >= 50.0 else "R"
        return f"{max(value, 100.0 - value):.1f}<small>% {side}</small>"
    return f"{format(value, fmt)}<small>{_esc(unit)}</small>"


def _strike_card(summary: Mapping[str, Any]) -> str:
    cls = summary.get("strike_class")
    if not cls:
        return '<div class="value">n/a</div><div class="zone">not measured</div>'
    angle = _num(summary.get("foot_strike_angle_deg"))
    share = _num(summary.get(f"{cls}_pct"))
    detail = ", ".join(x for x in (f"{angle:.1f}\u00b0 at landing" if angle is not None else "",
                                   f"{share:.0f} % of contacts" if share is not None else "") if x)
    return f'<div class="value">{_esc(cls)}</div><div class="zone">{_esc(detail)}</div>'


def _cards(summary: Mapping[str, Any], placement: str | None = None) -> str:
    table = SHOE_HEADLINE if placement == "shoe" else HEADLINE
    out = []
    for key, (label, _unit, _fmt) in table.items():
        value = _num(summary.get(key))
        if key == "strike_class":
            body = _strike_card(summary)
        elif value is None:
            if key in ("vertical_ratio_pct", "speed_mps"):
                continue  # needs speed; say nothing rather than show an empty card
            if key == "gct_balance_left_pct" and placement == "shoe":
                continue  # one shoe sensor: the balance needs both feet
            body = '<div class="value">n/a</div><div class="zone">not measured</div>'
        else:
            zone = zone_for(key, value)
            chip = "" if zone is None else (
                f'<span class="swatch" style="background:{zone.colour}"></span>'
                f"Garmin zone: {zone.name} ({_esc(zone.percentile)})")
            body = (f'<div class="value">{_headline_value(key, value, table)}</div>'
                    f'<div class="zone">{chip}</div>')
        out.append(f'<div class="card" data-metric="{_esc(key)}"><div class="label">{_esc(label)}</div>'
                   f"{body}</div>")
    running = _num(summary.get("running_s"))
    n_steps = summary.get("n_valid_steps", summary.get("n_steps"))
    if running is not None:
        what = "contacts" if placement == "shoe" else "steps"
        out.append(f'<div class="card" data-metric="running_s"><div class="label">Running time</div>'
                   f'<div class="value">{clock(running)}<small>min</small></div><div class="zone">'
                   f"{_esc(n_steps)} valid {what}</div></div>")
    return "\n".join(out)


def _notes_html(summary: Mapping[str, Any]) -> str:
    """The summary's plain-text notes (no gyroscope on a shoe, clipped impacts), shown under the cards."""
    notes = [summary.get(k) for k in ("no_gyro_note", "impact_note")]
    return "".join(f'<p class="note summary-note">{_esc(n)}</p>' for n in notes if isinstance(n, str) and n)


def _side_values(steps: Any, column: str, side: str | None) -> Any:
    """A column over the valid running contacts of one foot (``side`` 'L'/'R'), or of all (None)."""
    import numpy as np

    from ..gait.metrics import cadence_spm
    from ..schema import valid_running_mask

    keep = valid_running_mask(steps)
    if side is not None:
        keep &= (steps["side"].astype(object).to_numpy() == side) if "side" in steps.columns \
            else np.zeros(len(steps), dtype=bool)
    if column == "cadence_spm":
        if "step_time_ms" not in steps.columns:
            return np.empty(0)
        return cadence_spm(steps["step_time_ms"].to_numpy(dtype=float, na_value=np.nan)[keep])
    if column not in steps.columns:
        return np.empty(0)
    values = steps[column].to_numpy()[keep]
    if column == "strike_class":
        return values
    v = np.asarray(values, dtype=float)
    return np.abs(v) if column == "pronation_velocity_dps" else v


def _foot_value(values: Any, column: str, unit: str) -> str:
    import numpy as np

    if column == "strike_class":
        names = [v for v in values if isinstance(v, str) and v]
        if not names:
            return "n/a"
        top = max(sorted(set(names)), key=names.count)
        return f"{top} ({100.0 * names.count(top) / len(names):.0f} %)"
    v = values[np.isfinite(values)] if len(values) else values
    if not len(v):
        return "n/a"
    if column == "cadence_spm":
        # the summary's definition: 60000 / mean step time, not the mean of per-step cadences
        return number(60000.0 / float(np.mean(60000.0 / v)), unit)
    return number(float(np.mean(v)), unit)


def _feet_table(analysis: Analysis) -> str:
    """Shoe: one row per metric, the left and right foot side by side, the pair and the difference
    (a single shoe sensor: one column, its foot's contacts)."""
    import numpy as np

    from ..gait.metrics import symmetry_index_pct

    steps = analysis.steps
    summary = analysis.summary or {}
    pair = _both_feet(analysis)
    if not pair:
        side = (analysis.input or {}).get("side") or next(
            (s for s in ("L", "R") if "side" in steps.columns and (steps["side"] == s).any()), None)
        header = {"L": "Left", "R": "Right"}.get(str(side), "This foot")
    rows = []
    for column, (label, unit) in FOOT_TABLE.items():
        if not pair:
            value = _foot_value(_side_values(steps, column, None), column, unit)
            if value != "n/a":
                rows.append(f'<tr data-metric="{_esc(column)}"><td>{_esc(label)}</td>'
                            f'<td class="num">{_esc(value)}</td><td>{_esc(unit)}</td></tr>')
            continue
        lv, rv = _side_values(steps, column, "L"), _side_values(steps, column, "R")
        left, right = _foot_value(lv, column, unit), _foot_value(rv, column, unit)
        if left == "n/a" and right == "n/a":
            continue
        both = summary.get(column)
        if column == "strike_class":
            both_txt = str(both) if both else "n/a"
            diff_txt = ""
        else:
            if _num(both) is None:  # not a summary key (e.g. foot clearance): all contacts of both feet
                both = _foot_value(np.concatenate([lv, rv]), column, unit)
            both_txt = number(both, unit) if _num(both) is not None else "n/a"
            lf, rf = _num(left), _num(right)
            diff_txt = ""
            if lf is not None and rf is not None:
                if unit == "deg":
                    # angles cross zero: a ratio of them means nothing, the difference does
                    diff_txt = f"{number(lf - rf, unit, with_unit=True)} (L \u2212 R)"
                elif column != "speed_mps":
                    si = _num(symmetry_index_pct(lf, rf))
                    diff_txt = f"SI {si:.1f} %" if si is not None else ""
        rows.append(f'<tr data-metric="{_esc(column)}"><td>{_esc(label)}</td><td class="num">{_esc(left)}</td>'
                    f'<td class="num">{_esc(right)}</td><td class="num">{_esc(both_txt)}</td>'
                    f'<td class="num">{_esc(diff_txt)}</td><td>{_esc(unit)}</td></tr>')
    if not rows:
        return ""
    if not pair:
        return ("<section><h2>The foot</h2>"
                f'<table class="feet"><thead><tr><th>Metric</th><th class="num">{_esc(header)}</th>'
                "<th>Unit</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
                '<p class="note">Means over the valid running contacts (foot strike: the most frequent type '
                "and its share). One shoe sensor: analyse a left/right pair for each foot side by side.</p>"
                "</section>")
    return ("<section><h2>Each foot</h2>"
            '<table class="feet"><thead><tr><th>Metric</th><th class="num">Left</th><th class="num">Right</th>'
            '<th class="num">Both</th><th class="num">Difference</th><th>Unit</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>"
            '<p class="note">Means over each foot\u2019s valid running contacts (foot strike: the most '
            "frequent type and its share). Difference: the symmetry index (SI, the left-right difference as "
            "a percentage of their mean, 0 % = even); for angles, left minus right in degrees.</p></section>")


def _evidence_rows(ev: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if "start_s" in ev and "end_s" in ev:
        where = f"{clock(ev['start_s'])} to {clock(ev['end_s'])} of the recording"
        if ev.get("duration_s") is not None:
            where += f" ({float(ev['duration_s']) / 60:.1f} min, {ev.get('n_steps', '?')} steps)"
        if len(ev.get("episodes") or []) > 1:
            where += f"; {len(ev['episodes'])} stretches, {float(ev['total_duration_s']) / 60:.1f} min in all"
        rows.append(("When", where))
    for key, m in (ev.get("metrics") or {}).items():
        if not isinstance(m, Mapping):
            continue
        unit = str(m.get("unit", ""))
        parts = [_fmt(m.get("value"), unit)]
        if m.get("left") is not None and m.get("right") is not None:
            side_unit = str(m.get("side_unit", unit))
            parts.append(f"left {_fmt(m['left'], side_unit)}, right {_fmt(m['right'], side_unit)}")
        base = m.get("baseline")
        if isinstance(base, Mapping):
            parts.append(f"your baseline {_fmt(base.get('level'), unit)} (SD {_fmt(base.get('sd'), unit)})")
        elif base is not None:
            parts.append(f"your baseline {_fmt(base, unit)}")
        if m.get("threshold") is not None:
            parts.append(f"limit {_fmt(m['threshold'], unit)}")
        rows.append((str(m.get("label", key)), "; ".join(parts)))
    return rows


def _fmt(value: Any, unit: str = "") -> str:
    """A number at its unit's meaningful precision, with the unit (``0.498 deg`` -> ``0.5 deg``)."""
    f = _num(value)
    if f is None:
        return str(value)
    return number(f, unit, with_unit=True)


def _sources_html(code: str) -> str:
    rule = RULES.get(code)
    if rule is None:
        return ""
    articles = "; ".join(f"{_esc(ARTICLES[k])}" for k in rule.articles)
    research = "; ".join(_esc(RESEARCH[k].citation) for k in rule.research)
    return f'<div class="sources"><b>Articles:</b> {articles}<br><b>Research:</b> {research}</div>'


def _flags_html(flags: Sequence[Mapping[str, Any]], evaluation: Evaluation | None = None) -> str:
    if not flags and evaluation is not None and evaluation.status == "not_enough_data":
        return ('<div class="flag notjudged"><h3><span class="badge skip">not judged</span>'
                "No pattern could be checked</h3><p>There was not enough valid running in this recording "
                "for any of the patterns (see the evidence table below). The absence of flags says nothing "
                "about your form.</p></div>")
    if not flags:
        return ('<div class="flag" style="border-left-color: var(--ok)"><h3><span class="badge ok">ok</span>'
                "No form pattern held long enough to flag</h3><p>Every rule we could measure stayed "
                "within its limits for this run (see the evidence table below).</p></div>")
    out = []
    for f in flags:
        sev = str(f.get("severity", "info"))
        sev_class = sev if sev in ("info", "warn", "alert") else "info"
        code = str(f.get("code", ""))
        rule = RULES.get(code)
        title = rule.title if rule else code
        rows = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in _evidence_rows(f.get("evidence") or {}))
        out.append(
            f'<article class="flag {sev_class}"><h3><span class="badge {sev_class}">{_esc(sev)}</span>'
            f'{_esc(title)} <span class="code">{_esc(code)}</span></h3>'
            f"<p>{_esc(f.get('message', ''))}</p>"
            f'<p class="advice"><b>What to try:</b> {_esc(f.get("advice", ""))}</p>'
            f"<dl>{rows}</dl>{_sources_html(code)}</article>")
    return "\n".join(out)


def _evidence_table(evaluation: Evaluation, flags: Sequence[Mapping[str, Any]]) -> str:
    flagged = {f.get("code"): f for f in flags}
    body = []
    for code, result in evaluation.results.items():
        rule = RULES[code]
        if code in flagged:
            sev = str(flagged[code].get("severity", "info"))
            status = f'<span class="badge {_esc(sev)}">{_esc(sev)}</span>'
        elif result.status == "not_evaluated":
            status = '<span class="badge skip">not evaluated</span>'
        else:
            status = '<span class="badge ok">within limits</span>'
        lines = list(result.checked)
        if result.status == "not_evaluated":
            lines.insert(0, f"Not evaluated: {result.reason}")
        detail = "<ul>" + "".join(f"<li>{_esc(x)}</li>" for x in lines) + "</ul>" if lines else ""
        body.append(f"<tr><td><b>{_esc(rule.title)}</b><br><span class=\"code\">{_esc(code)}</span></td>"
                    f"<td>{status}</td><td>{detail}</td><td>{_esc(rule.persistence)}</td></tr>")
    base = evaluation.baseline
    base_text = ("Your baseline: " + (f"{clock(base['start_s'])} to {clock(base['end_s'])} "
                                      f"({base['duration_s'] / 60:.1f} min of running)." if base else
                                      "this run is too short for a baseline, so rules that compare "
                                      "with it were not evaluated."))
    return ("<table><thead><tr><th>Pattern</th><th>Result</th><th>What was compared</th>"
            "<th>How long it must hold</th></tr></thead><tbody>" + "\n".join(body) + "</tbody></table>"
            f'<p class="note">Only valid running steps count; each value is a rolling 60-s median. '
            f"{_esc(base_text)}</p>")


_FIGURES = (
    ("trend", {}, "Metrics over the run: dots are single steps, the line the 60-s median. The colour bar "
     "on the right edge shows Garmin's zones; shaded stretches are your baseline and where a flag held "
     "(see the legend above the plot: grey a note, orange worth a look, red a strong pattern)."),
    ("feet", {}, "Each foot side by side: the spread of single contacts of the left (blue) and right "
     "(orange) foot, with each foot's median under it."),
    ("balance", {}, "Left versus right: how far each foot is from the two-foot mean, with the "
     "symmetry index (SI, 0 % = perfectly even)."),
    ("early_late", {}, "Early versus late in the run: the spread of single steps."),
    ("signal", {"duration_s": 3.0}, "Three seconds of the sensor's vertical signal with each detected "
     "initial contact (solid line) and toe-off (dashed line); shaded = foot on the ground."),
)


def _figure_kinds(analysis: Analysis, evaluation: Evaluation) -> list[str]:
    """The report's figures for this analysis: the per-foot figure for shoes only; for a run too
    short to judge, only the signal (the other figures would be empty frames)."""
    if evaluation.status == "not_enough_data":
        return ["signal"]
    kinds = ["trend", "balance", "early_late", "signal"]
    if analysis.placement == "shoe" and _both_feet(analysis):
        kinds.insert(1, "feet")
    return kinds


def _both_feet(analysis: Analysis) -> bool:
    """Whether both feet have valid running contacts (a pair; one shoe sensor has one foot)."""
    from ..schema import valid_running_mask

    steps = analysis.steps
    if "side" not in steps.columns:
        return False
    side = steps["side"].astype(object).to_numpy()[valid_running_mask(steps)]
    return bool((side == "L").sum() >= 5 and (side == "R").sum() >= 5)


def _figures_html(analysis: Analysis, evaluation: Evaluation) -> str:
    from .figures import plot

    out = []
    wanted = _figure_kinds(analysis, evaluation)
    for kind, kw, caption in _FIGURES:
        if kind not in wanted:
            continue
        fig = plot(analysis, kind, evaluation=evaluation, **kw)
        out.append(f'<figure data-kind="{_esc(kind)}"><img alt="{_esc(kind)} figure" src="data:image/png;base64,{_figure_png(fig)}">'
                   f"<figcaption>{_esc(caption)}</figcaption></figure>")
    return "\n".join(out)


def _subtitle(analysis: Analysis) -> tuple[str, str]:
    inp = analysis.input or {}
    path = inp.get("path")
    files = [f for f in inp.get("files") or [] if isinstance(f, Mapping) and f.get("path")]
    if len(files) > 1:
        # a shoe pair: both files, each with its foot
        words = {"L": "left", "R": "right"}
        name = " + ".join(f"{os.path.basename(str(f['path']))}"
                          + (f" ({words[f['side']]})" if f.get("side") in words else "") for f in files)
    else:
        name = os.path.basename(str(path)) if path else "unnamed recording"
    parts = [name]
    meta = getattr(analysis.recording, "meta", None) or {}
    for key in ("device", "start_time"):
        if meta.get(key):
            parts.append(str(meta[key]))
    duration = _num(inp.get("duration_s"))
    if duration is not None:
        parts.append(f"{clock(duration)} recorded")
    if inp.get("placement"):
        parts.append(f"{inp['placement']} sensor")
    mounting = {"midline": "on the midline", "off_midline": "off the midline (side of the hip or a pocket)",
                "thigh": "on the thigh", "chest": "on the chest"}.get(str(inp.get("mounting")))
    if mounting:
        parts.append(f"worn {mounting}")
    fs = _num(inp.get("fs_hz"))
    if fs is not None:
        parts.append(f"{fs:g} Hz")
    return name, " \u00b7 ".join(parts)


def _verdict(flags: Sequence[Mapping[str, Any]], evaluation: Evaluation | None = None) -> tuple[str, str]:
    counts = {s: sum(1 for f in flags if f.get("severity") == s) for s in ("alert", "warn", "info")}
    if counts["alert"] or counts["warn"]:
        n = counts["alert"] + counts["warn"]
        cls = "has-alert" if counts["alert"] else "has-warn"
        titles = ", ".join(RULES[f["code"]].title.lower() if f.get("code") in RULES else str(f.get("code"))
                           for f in flags if f.get("severity") in ("alert", "warn"))
        return cls, (f"<b>{n} pattern{'s' if n > 1 else ''} worth a look:</b> {_esc(titles)}. Each comes "
                     "with what was measured, where in the run, and what to try.")
    if evaluation is not None and evaluation.status == "not_enough_data":
        if evaluation.too_short:
            reason = next(iter(evaluation.results.values())).reason
            why = f"This run is too short to judge ({_esc(reason.split(': ', 1)[-1])})."
        else:
            why = "None of the patterns could be measured with this recording (see the evidence table)."
        return "not-judged", (f"<b>Not enough data to judge this run.</b> {why} No pattern was checked, so "
                              "no flag here does not mean all is well: record at least a few minutes of "
                              "steady running (10 minutes or more for the comparisons with your own "
                              "baseline).")
    extra = f" ({counts['info']} note{'s' if counts['info'] > 1 else ''} below)" if counts["info"] else ""
    if evaluation is None:
        return "", f"<b>No form pattern to flag in this run</b>{extra}: steady running within the limits we check."
    n_ok, n_all = len(evaluation.evaluated), len(evaluation.results)
    skipped = (f"; {n_all - n_ok} could not be measured with this recording" if n_ok < n_all else "")
    return "", (f"<b>No form pattern to flag in this run</b>{extra}: the {n_ok} of {n_all} patterns we "
                f"could check stayed within their limits{skipped}.")


def _resolve(analysis: Analysis, thresholds: Any) -> tuple[Evaluation, list[dict[str, Any]]]:
    """The analysis' own evaluation (:func:`gaitlab.analyze` evaluated the rules once), or a new one
    when other thresholds are asked for or the analysis was built without a report."""
    evaluation = getattr(analysis, "evaluation", None)
    if thresholds is not None or evaluation is None:
        if thresholds is None:
            thresholds = (getattr(analysis, "params", None) or {}).get("report_thresholds")
        evaluation = evaluate_detailed(analysis, thresholds)
    flags = list(analysis.flags) if analysis.flags else evaluation.flags
    return evaluation, flags


def render_html(analysis: Analysis, *, thresholds: Any = None, figures: bool = True,
                made_at: _dt.datetime | str | None = "now") -> str:
    """The full, self-contained HTML report of an analysis.

    Parameters
    ----------
    analysis : Analysis
        Waist or shoe analysis.
    thresholds : mapping or TOML path, optional
        Thresholds for the evidence table (and the flags, when the analysis carries none).
    figures : bool, default True
        Include the figures (inline PNG). Without them the page renders in milliseconds.
    made_at : datetime, 'now' or None, default 'now'
        The creation time in the footer: the current local time, a given time, or None for none
        (then the same analysis always gives the same bytes, as ``gaitlab batch`` needs).

    Returns
    -------
    str
        The HTML document (UTF-8 text). It makes no network requests and needs no JavaScript.
    """
    evaluation, flags = _resolve(analysis, thresholds)
    name, subtitle = _subtitle(analysis)
    verdict_class, verdict = _verdict(flags, evaluation)
    when = _dt.datetime.now().astimezone() if made_at == "now" else made_at
    stamp = f" on {when.strftime('%Y-%m-%d %H:%M')}" if isinstance(when, _dt.datetime) else ""
    footer = (f"Made with gaitlab {_esc(__version__)}{stamp}, open-source running-gait analysis. Every "
              "threshold and its source is listed in the evidence table and under each flag.")
    placement = analysis.placement if hasattr(analysis, "placement") else (analysis.input or {}).get("placement")
    summary = analysis.summary or {}
    return Template(_template("report.html")).substitute(
        version=_esc(__version__),
        title=_esc(f"Running form report: {name}"),
        css=_template("report.css"),
        subtitle=_esc(subtitle),
        verdict_class=verdict_class,
        verdict=verdict,
        cards=_cards(summary, placement),
        notes=_notes_html(summary),
        feet=_feet_table(analysis) if placement == "shoe" else "",
        context=_context_html(analysis, figures),
        zones_note=_esc(f"Colours: {ZONE_SOURCE}. Purple is the top 5 % of Garmin runners, red the bottom "
                        "5 %; a zone is where you sit in that population, not a health verdict."),
        flags=_flags_html(flags, evaluation),
        figures=_figures_html(analysis, evaluation) if figures else "<p class=\"note\">Figures left out.</p>",
        how_judged=_esc(HOW_JUDGED),
        evidence=_evidence_table(evaluation, flags),
        disclaimer=DISCLAIMER,
        footer=footer,
    )


def _context_html(analysis: Analysis, figures: bool) -> str:
    """Runs over time (docs/history.md): "against your recent runs" and the watch's view, when present."""
    from .history_html import context_sections

    return context_sections(analysis, figures=figures)


def render_summary_html(analysis: Analysis) -> str:
    """A compact HTML table for Jupyter (``Analysis._repr_html_``): headline metrics and flags.

    Returns
    -------
    str
        An HTML fragment (a ``<div>``) with inline styles only.
    """
    summary = analysis.summary or {}
    name, subtitle = _subtitle(analysis)
    rows = []
    for key, (label, unit, fmt) in HEADLINE.items():
        value = _num(summary.get(key))
        if value is None:
            text, zone_html = "n/a", ""
        else:
            if key == "gct_balance_left_pct":
                text = f"{max(value, 100 - value):.1f} % {'L' if value >= 50 else 'R'}"
            else:
                text = f"{format(value, fmt)} {unit}"
            zone = zone_for(key, value)
            zone_html = "" if zone is None else (
                f'<span style="display:inline-block;width:10px;height:10px;border-radius:2px;'
                f'background:{zone.colour};margin-right:4px"></span>{_esc(zone.name)}')
        rows.append(f"<tr><td>{_esc(label)}</td><td style=\"text-align:right\">{_esc(text)}</td>"
                    f"<td>{zone_html}</td></tr>")
    flags = list(analysis.flags or [])
    colours = {"info": "#6b7a8c", "warn": "#d9730d", "alert": "#c81d34"}
    if flags:
        items = "".join(
            f'<li><b style="color:{colours.get(str(f.get("severity")), "#6b7a8c")}">{_esc(f.get("severity"))}</b> '
            f"<code>{_esc(f.get('code'))}</code>: {_esc(f.get('message', ''))}</li>" for f in flags)
        flag_html = f'<ul style="margin:4px 0 0;padding-left:18px">{items}</ul>'
    elif getattr(analysis, "report_status", None) == "not_enough_data":
        flag_html = ('<p style="margin:4px 0 0"><b>Not judged:</b> not enough valid running for any '
                     "pattern (no flag here does not mean all is well).</p>")
    else:
        flag_html = '<p style="margin:4px 0 0">No form pattern flagged.</p>'
    return (f'<div class="gaitlab-summary" style="font-size:13px;max-width:720px">'
            f"<b>gaitlab analysis</b> <span style=\"color:#5d6878\">{_esc(subtitle)}</span>"
            f'<table style="border-collapse:collapse;margin-top:4px"><tr><th style="text-align:left">Metric</th>'
            f'<th style="text-align:right">Value</th><th style="text-align:left">Garmin zone</th></tr>'
            f"{''.join(rows)}</table><div style=\"margin-top:6px\"><b>Flags</b>{flag_html}</div>"
            f'<div style="color:#5d6878;margin-top:4px">Not medical advice. <code>.to_html()</code> '
            f"gives the full report.</div></div>")
