"""HTML report, Jupyter summary and figures (no browser needed; see test_report_browser.py)."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from gaitlab.errors import InputError
from gaitlab.report import evaluate
from gaitlab.report.figures import KINDS, plot
from gaitlab.report.html import render_html, render_summary_html
from gaitlab.report.zones import zone_for

from .test_report_support import make_analysis, ramp

EVIL = '<img src=x onerror="alert(1)">&run".csv'


@pytest.fixture(scope="module")
def flagged():
    a = make_analysis(660.0, gct_si_pct=5.0, gct_ms=ramp(220.0, 660.0, 230.0, 254.0),
                      cadence_spm=ramp(220.0, 660.0, 178.0, 170.5), speed_mps=3.1, path=f"/data/{EVIL}")
    a.flags = evaluate(a)
    return a


@pytest.fixture(scope="module")
def small():
    a = make_analysis(240.0, gct_si_pct=5.0)
    a.flags = evaluate(a)
    return a


@pytest.fixture(scope="module")
def page(flagged):
    return render_html(flagged)


def test_flags_and_advice_are_in_the_page(flagged, page):
    assert {f["code"] for f in flagged.flags} == {"asymmetry", "fatigue_drift"}
    for f in flagged.flags:
        assert f'class="flag {f["severity"]}"' in page
        assert f["code"] in page
    assert "What to try" in page and "Not medical advice" in page
    assert "associated with" in page
    assert "Garmin" in page and "percentile" in page  # whose zones
    assert "Left-right imbalance" in page and "Form fading late in the run" in page


def test_input_text_is_escaped(page, flagged):
    assert EVIL not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;run&quot;.csv" in page
    summary = render_summary_html(flagged)
    assert "<img src=x" not in summary and "&lt;img" in summary


def test_page_is_self_contained(page):
    # every src/href is inline data; no scripts; a CSP forbids anything else
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert refs and all(r.startswith("data:image/png;base64,") for r in refs)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page
    assert page.count("<img ") == 4  # trend, balance, early/late, signal


def test_evidence_table_lists_every_rule(page):
    from gaitlab.report import RULES

    table = page[page.index("Evidence: every pattern we checked"):]
    for code in RULES:
        assert code in table
    assert "not evaluated" in table  # no gyroscope: pelvic drop / posture
    assert "gyroscope" in table


def test_clean_run_page_says_so():
    a = make_analysis(300.0)
    a.flags = evaluate(a)
    page = render_html(a, figures=False)
    assert "No form pattern to flag" in page
    assert "class=\"flag warn\"" not in page


def test_report_evaluates_when_analysis_has_no_flags():
    a = make_analysis(cadence_spm=158.0)  # flags not filled (as with analyze(report=False))
    page = render_html(a, figures=False)
    assert "low_cadence" in page and 'class="flag warn"' in page


def test_to_html_writes_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr("gaitlab.report.html._FIGURES", ())  # figures are tested elsewhere
    small = make_analysis(120.0, signals=False)
    out = tmp_path / "report.html"
    text = small.to_html(out)
    assert out.read_text(encoding="utf-8") == text


def test_jupyter_summary(flagged):
    text = flagged._repr_html_()
    assert text.startswith("<div") and "Cadence" in text and "asymmetry" in text
    assert "Not medical advice" in text


@pytest.mark.parametrize("metric, value, zone", [
    ("cadence_spm", 185, "purple"), ("cadence_spm", 178, "blue"), ("cadence_spm", 168, "green"),
    ("cadence_spm", 158, "orange"), ("cadence_spm", 150, "red"),
    ("gct_ms", 210, "purple"), ("gct_ms", 230, "blue"), ("gct_ms", 260, "green"), ("gct_ms", 290, "orange"),
    ("gct_ms", 320, "red"), ("vo_cm", 7.0, "blue"), ("vo_cm", 12.0, "red"), ("vertical_ratio_pct", 8.0, "green"),
    ("gct_balance_left_pct", 50.5, "green"), ("gct_balance_left_pct", 48.5, "orange"),
    ("gct_balance_left_pct", 53.0, "red"), ("flight_ms", 100, None), ("cadence_spm", float("nan"), None),
])
def test_garmin_zones(metric, value, zone):
    z = zone_for(metric, value)
    assert (z.name if z else None) == zone


# -- figures --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_figure_kind_draws(small, kind):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    fig = plot(small, kind)
    assert isinstance(fig, Figure) and fig.axes
    assert plt.get_fignums() == before  # not registered with pyplot
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    assert rgba[..., :3].std() > 10  # something was drawn


def test_signal_figure_marks_contacts(flagged):
    fig = plot(flagged, "signal", t0_s=600.0, duration_s=2.0)  # signals from the half-sine model
    ax = fig.axes[0]
    ic = flagged.steps["ic_s"].to_numpy()
    n_ic = int(((ic >= 600.0) & (ic <= 602.0)).sum())
    vlines = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and np.ptp(ln.get_xdata()) == 0]
    assert len(vlines) == 2 * n_ic and n_ic >= 5  # one IC and one TO line per step
    assert ax.get_xlim() == (600.0, 602.0)


def test_analysis_plot_and_bad_kind(flagged):
    assert flagged.plot("balance").axes
    with pytest.raises(InputError, match="valid kinds"):
        plot(flagged, "pie")
    with pytest.raises(InputError, match="unknown metrics"):
        plot(flagged, "trend", metrics=["gct"])


def test_figures_degrade_without_data():
    a = make_analysis(120.0, sides=False, vo_cm=None, signals=False)
    for kind in KINDS:
        assert plot(a, kind).axes


def test_report_package_stays_light():
    import subprocess

    code = ("import sys, gaitlab.report; "
            "bad = [m for m in ('matplotlib', 'gaitlab.report.figures') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
