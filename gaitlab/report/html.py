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
from .text import clock
from .zones import ZONE_SOURCE, zone_for

if TYPE_CHECKING:  # pragma: no cover

    from ..result import Analysis

__all__ = ["render_html", "render_summary_html", "HEADLINE"]

#: headline metrics: summary key -> (label, unit, number format)
HEADLINE: dict[str, tuple[str, str, str]] = {
    "cadence_spm": ("Cadence", "spm", ".0f"),
    "gct_ms": ("Ground contact time", "ms", ".0f"),
    "vo_cm": ("Vertical oscillation", "cm", ".1f"),
    "vertical_ratio_pct": ("Vertical ratio", "%", ".1f"),
    "gct_balance_left_pct": ("GCT balance", "", ".1f"),
}

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


def _headline_value(key: str, value: float) -> str:
    label, unit, fmt = HEADLINE[key]
    if key == "gct_balance_left_pct":
        side = "L" if value >= 50.0 else "R"
        return f"{max(value, 100.0 - value):.1f}<small>% {side}</small>"
    return f"{format(value, fmt)}<small>{_esc(unit)}</small>"


def _cards(summary: Mapping[str, Any]) -> str:
    out = []
    for key, (label, _unit, _fmt) in HEADLINE.items():
        value = _num(summary.get(key))
        if value is None:
            if key == "vertical_ratio_pct":
                continue  # needs speed; say nothing rather than show an empty card
            body = '<div class="value">n/a</div><div class="zone">not measured</div>'
        else:
            zone = zone_for(key, value)
            chip = "" if zone is None else (
                f'<span class="swatch" style="background:{zone.colour}"></span>'
                f"Garmin zone: {zone.name} ({_esc(zone.percentile)})")
            body = f'<div class="value">{_headline_value(key, value)}</div><div class="zone">{chip}</div>'
        out.append(f'<div class="card"><div class="label">{_esc(label)}</div>{body}</div>')
    running = _num(summary.get("running_s"))
    n_steps = summary.get("n_valid_steps", summary.get("n_steps"))
    if running is not None:
        out.append(f'<div class="card"><div class="label">Running time</div><div class="value">'
                   f"{clock(running)}<small>min</small></div><div class=\"zone\">{_esc(n_steps)} valid steps"
                   f"</div></div>")
    return "\n".join(out)


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
        unit = m.get("unit", "")
        parts = [f"{_fmt(m.get('value'))} {unit}".strip()]
        if m.get("left") is not None and m.get("right") is not None:
            parts.append(f"left {_fmt(m['left'])}, right {_fmt(m['right'])}")
        base = m.get("baseline")
        if isinstance(base, Mapping):
            parts.append(f"your baseline {_fmt(base.get('level'))} {unit} (SD {_fmt(base.get('sd'))})".strip())
        elif base is not None:
            parts.append(f"your baseline {_fmt(base)} {unit}".strip())
        if m.get("threshold") is not None:
            parts.append(f"limit {_fmt(m['threshold'])} {unit}".strip())
        rows.append((str(m.get("label", key)), "; ".join(parts)))
    return rows


def _fmt(value: Any) -> str:
    f = _num(value)
    if f is None:
        return str(value)
    return f"{f:.3g}" if abs(f) < 1000 else f"{f:.0f}"


def _sources_html(code: str) -> str:
    rule = RULES.get(code)
    if rule is None:
        return ""
    articles = "; ".join(f"{_esc(ARTICLES[k])}" for k in rule.articles)
    research = "; ".join(_esc(RESEARCH[k].citation) for k in rule.research)
    return f'<div class="sources"><b>Articles:</b> {articles}<br><b>Research:</b> {research}</div>'


def _flags_html(flags: Sequence[Mapping[str, Any]]) -> str:
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
     "on the right edge shows Garmin's zones; the blue strip is your baseline; orange and red strips "
     "mark flagged stretches."),
    ("balance", {}, "Left versus right: how far each foot is from the two-foot mean, with the "
     "symmetry index (SI, 0 % = perfectly even)."),
    ("early_late", {}, "Early versus late in the run: the spread of single steps."),
    ("signal", {"duration_s": 3.0}, "Three seconds of the sensor's vertical signal with each detected "
     "initial contact (solid line) and toe-off (dashed line); shaded = foot on the ground."),
)


def _figures_html(analysis: Analysis, evaluation: Evaluation) -> str:
    from .figures import plot

    out = []
    for kind, kw, caption in _FIGURES:
        fig = plot(analysis, kind, evaluation=evaluation, **kw)
        out.append(f'<figure><img alt="{_esc(kind)} figure" src="data:image/png;base64,{_figure_png(fig)}">'
                   f"<figcaption>{_esc(caption)}</figcaption></figure>")
    return "\n".join(out)


def _subtitle(analysis: Analysis) -> tuple[str, str]:
    inp = analysis.input or {}
    path = inp.get("path")
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


def _verdict(flags: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    counts = {s: sum(1 for f in flags if f.get("severity") == s) for s in ("alert", "warn", "info")}
    if counts["alert"] or counts["warn"]:
        n = counts["alert"] + counts["warn"]
        cls = "has-alert" if counts["alert"] else "has-warn"
        titles = ", ".join(RULES[f["code"]].title.lower() if f.get("code") in RULES else str(f.get("code"))
                           for f in flags if f.get("severity") in ("alert", "warn"))
        return cls, (f"<b>{n} pattern{'s' if n > 1 else ''} worth a look:</b> {_esc(titles)}. Each comes "
                     "with what was measured, where in the run, and what to try.")
    extra = f" ({counts['info']} note{'s' if counts['info'] > 1 else ''} below)" if counts["info"] else ""
    return "", f"<b>No form pattern to flag in this run</b>{extra}: steady running within the limits we check."


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


def render_html(analysis: Analysis, *, thresholds: Any = None, figures: bool = True) -> str:
    """The full, self-contained HTML report of an analysis.

    Parameters
    ----------
    analysis : Analysis
        Waist or shoe analysis.
    thresholds : mapping or TOML path, optional
        Thresholds for the evidence table (and the flags, when the analysis carries none).
    figures : bool, default True
        Include the figures (inline PNG). Without them the page renders in milliseconds.

    Returns
    -------
    str
        The HTML document (UTF-8 text). It makes no network requests and needs no JavaScript.
    """
    evaluation, flags = _resolve(analysis, thresholds)
    name, subtitle = _subtitle(analysis)
    verdict_class, verdict = _verdict(flags)
    footer = (f"Made with gaitlab {_esc(__version__)} on "
              f"{_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}. "
              "Thresholds and sources: see docs/report.md.")
    return Template(_template("report.html")).substitute(
        version=_esc(__version__),
        title=_esc(f"Running form report: {name}"),
        css=_template("report.css"),
        subtitle=_esc(subtitle),
        verdict_class=verdict_class,
        verdict=verdict,
        cards=_cards(analysis.summary or {}),
        context=_context_html(analysis, figures),
        zones_note=_esc(f"Colours: {ZONE_SOURCE}. Purple is the top 5 % of Garmin runners, red the bottom "
                        "5 %; a zone is where you sit in that population, not a health verdict."),
        flags=_flags_html(flags),
        figures=_figures_html(analysis, evaluation) if figures else "<p class=\"note\">Figures left out.</p>",
        evidence=_evidence_table(evaluation, flags),
        disclaimer=DISCLAIMER,
        footer=footer,
    )


def _context_html(analysis: Analysis, figures: bool) -> str:
    """Runs over time (issue #19): "against your recent runs" and the watch's view, when present."""
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
    else:
        flag_html = '<p style="margin:4px 0 0">No form pattern flagged.</p>'
    return (f'<div class="gaitlab-summary" style="font-size:13px;max-width:720px">'
            f"<b>gaitlab analysis</b> <span style=\"color:#5d6878\">{_esc(subtitle)}</span>"
            f'<table style="border-collapse:collapse;margin-top:4px"><tr><th style="text-align:left">Metric</th>'
            f'<th style="text-align:right">Value</th><th style="text-align:left">Garmin zone</th></tr>'
            f"{''.join(rows)}</table><div style=\"margin-top:6px\"><b>Flags</b>{flag_html}</div>"
            f'<div style="color:#5d6878;margin-top:4px">Not medical advice. <code>.to_html()</code> '
            f"gives the full report.</div></div>")
