"""Issue #18, the report as a runner meets it: verdicts that cannot be misread (too short a run,
long contact on duty factor alone, internal column names), the shoe pair's report, and the small
things (unit precision, figure widths, legend, footer, deterministic batch pages, notes, live line)."""

from __future__ import annotations

import base64
import json
import re
import struct

import numpy as np
import pytest

import gaitlab
from gaitlab.commands.analyze import summary_lines
from gaitlab.report import evaluate, evaluate_detailed
from gaitlab.report.html import FOOT_TABLE, render_html
from gaitlab.schema import REPORT_STATUSES, SHOE_COLUMNS, STEP_COLUMNS, SUMMARY_KEYS, describe
from gaitlab.synth import simulate_waist

from .test_report_support import make_analysis


def _png_widths(page: str) -> dict[str, int]:
    """Pixel width of each figure of a report page, by figure kind (from the PNG header)."""
    out = {}
    for kind, b64 in re.findall(r'<figure data-kind="([a-z_]+)"><img alt="[^"]*" src="data:image/png;base64,([^"]+)"',
                                page):
        head = base64.b64decode(b64[:64])
        out[kind] = struct.unpack(">I", head[16:20])[0]
    return out


# -- verdicts -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def short_run():
    """A 5-second recording: far too short for any rule."""
    return gaitlab.analyze(simulate_waist(5.0, fs=100.0, seed=3).recording)


def test_too_short_run_is_not_judged_anywhere(short_run):
    a = short_run
    assert a.flags == []
    assert a.report_status == "not_enough_data" and a.report_status in REPORT_STATUSES
    assert all(r.status == "not_evaluated" for r in a.evaluation.results.values())
    d = json.loads(a.to_json())
    assert d["report_status"] == "not_enough_data"
    assert describe("report_status").meaning.startswith("'flags'")
    page = render_html(a, figures=False)
    assert 'class="verdict not-judged"' in page and "Not enough data to judge this run" in page
    assert "No form pattern to flag" not in page and "within the limits" not in page
    assert "badge ok" not in page  # nothing is shown as fine
    from gaitlab.report.html import render_summary_html

    assert "Not judged" in render_summary_html(a) and "No form pattern flagged" not in render_summary_html(a)
    lines = "\n".join(summary_lines(a))
    assert "flags: none" not in lines and "not judged" in lines and "found 5 s" in lines


def test_too_short_run_draws_no_empty_figures(short_run):
    page = render_html(short_run)
    assert list(_png_widths(page)) == ["signal"]


def test_status_of_a_judged_run():
    ok = make_analysis(400.0, noise=0.5)
    ok.evaluation = evaluate_detailed(ok)
    ok.flags = ok.evaluation.flags
    assert ok.report_status == "no_flags"
    assert json.loads(ok.to_json())["report_status"] == "no_flags"
    page = render_html(ok, figures=False)
    assert "No form pattern to flag" in page and 'class="verdict not-judged"' not in page
    n = len(ok.evaluation.evaluated)
    assert f"the {n} of 9 patterns we could check" in page
    flagged = make_analysis(400.0, gct_ms=300.0, cadence_spm=170.0)
    flagged.evaluation = evaluate_detailed(flagged)
    flagged.flags = flagged.evaluation.flags
    assert flagged.report_status == "flags"
    without = make_analysis(400.0)
    assert without.report_status is None  # analysed without the report


def test_long_contact_never_fires_on_duty_factor_alone():
    # 261 ms (Garmin blue/green) at 184 spm: duty factor 261 / (2 * 326) = 0.40, above 0.40 half the time
    a = make_analysis(400.0, gct_ms=268.0, cadence_spm=184.0, noise=0.3)
    ev = evaluate_detailed(a)
    assert ev.results["long_ground_contact"].status == "ok"
    assert any("never raises this flag alone" in line for line in ev.results["long_ground_contact"].checked)
    # long contact itself still flags, with the duty factor as supporting evidence
    b = make_analysis(400.0, gct_ms=300.0, cadence_spm=170.0, noise=0.3)
    flag = next(f for f in evaluate(b) if f["code"] == "long_ground_contact")
    assert flag["evidence"]["metric"] == "gct_ms"
    assert flag["evidence"]["metrics"]["duty_factor"]["value"] > 0.40
    assert "duty factor" in flag["message"]


_INTERNAL = [c for c in (*STEP_COLUMNS, *SHOE_COLUMNS, *SUMMARY_KEYS) if "_" in c]


@pytest.mark.parametrize("kwargs", [
    dict(braking_mps=None, impact_g=None, loading_rate_gps=None, vo_cm=None, sides=False),
    dict(placement="shoe", vo_cm=None, braking_mps=None),
])
def test_rule_texts_use_plain_words(kwargs):
    ev = evaluate_detailed(make_analysis(700.0, **kwargs))
    texts = [r.reason for r in ev.results.values()] + [x for r in ev.results.values() for x in r.checked]
    leaks = [(t, c) for t in texts for c in _INTERNAL if re.search(rf"\b{c}\b", t)]
    assert not leaks, leaks
    assert any("not measur" in t for t in texts)


# -- the shoe pair --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shoe_pair():
    from gaitlab.io.naming import read_pair

    recs = read_pair(["sample_data/shoe_R.csv.gz", "sample_data/shoe_L.csv.gz"])
    return gaitlab.analyze(recs, placement="shoe")


@pytest.fixture(scope="module")
def shoe_page(shoe_pair):
    return render_html(shoe_pair, made_at=None)


def test_shoe_report_names_both_files_and_shows_each_foot(shoe_pair, shoe_page):
    page = shoe_page
    assert "shoe_L.csv.gz (left) + shoe_R.csv.gz (right)" in page
    for key in ("cadence_spm", "gct_ms", "stride_length_m", "speed_mps", "strike_class"):
        assert f'data-metric="{key}"' in page[:page.index("Each foot")]
    assert "Vertical oscillation" not in page[:page.index("What we noticed")]  # no n/a VO card
    table = page[page.index("<h2>Each foot</h2>"):page.index("</table>", page.index("<h2>Each foot</h2>"))]
    for column in ("stride_length_m", "speed_mps", "strike_class", "foot_strike_angle_deg", "pronation_deg",
                   "braking_g", "impact_g", "gct_ms", "flight_ms", "swing_ms", "cadence_spm"):
        assert column in FOOT_TABLE
        row = re.search(rf'<tr data-metric="{column}">(.*?)</tr>', table)
        assert row, column
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[1] != "n/a" and cells[2] != "n/a", (column, cells)
    # left and right are each foot's own contacts: the table's GCT matches the summary's per-side means
    s = shoe_pair.summary
    gct = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r'<tr data-metric="gct_ms">(.*?)</tr>', table).group(1))
    assert (gct[1], gct[2]) == (f"{s['gct_left_ms']:.0f}", f"{s['gct_right_ms']:.0f}")


def test_single_shoe_report_shows_its_foot():
    a = gaitlab.analyze("sample_data/shoe_L.csv.gz", placement="shoe")
    page = render_html(a, made_at=None)
    rows = re.findall(r'<tr data-metric="([a-z_]+)">', page)
    assert {"stride_length_m", "strike_class", "pronation_deg", "gct_ms", "cadence_spm"} <= set(rows)
    assert list(_png_widths(page)) == ["trend", "balance", "early_late", "signal"]  # no empty per-foot figure
    assert 'data-metric="gct_balance_left_pct"' not in page


def test_shoe_report_figures(shoe_page):
    widths = _png_widths(shoe_page)
    assert list(widths) == ["trend", "feet", "balance", "early_late", "signal"]
    # one width for every figure: the page scales each to its column, so text keeps one size
    assert len(set(widths.values())) == 1, widths


def test_feet_figure_draws_every_shoe_metric(shoe_pair):
    from gaitlab.report.figures import SHOE_METRICS, plot

    fig = plot(shoe_pair, "feet")
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(SHOE_METRICS)
    for ax in fig.axes:
        assert len(ax.collections) >= 2, ax.get_title()  # a violin per foot, none empty
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks[0].startswith("left") and ticks[1].startswith("right")


def test_shoe_notes_shown_in_report_and_terminal(shoe_pair):
    s = {**shoe_pair.summary, "no_gyro_note": "Without a gyroscope: no foot strike angle.",
         "impact_note": "3 contacts clipped: impact_g is a lower bound."}
    import copy

    noted = copy.copy(shoe_pair)
    noted.summary = s
    lines = summary_lines(noted)
    assert any("Without a gyroscope" in x for x in lines) and any("3 contacts clipped" in x for x in lines)
    from gaitlab.report.html import _notes_html

    html = _notes_html(s)
    assert "Without a gyroscope" in html and "3 contacts clipped" in html
    assert _notes_html(shoe_pair.summary) == ""


def test_waist_impact_note_shown_in_terminal(short_run):
    """A waist run's clipped impacts are noted under the impact line, as a shoe's are."""
    import copy

    noted = copy.copy(short_run)
    noted.summary = {**short_run.summary, "impact_note": "14 contacts clipped at the accelerometer's range"}
    lines = summary_lines(noted)
    at = next(i for i, x in enumerate(lines) if x.startswith("  impact "))
    assert "14 contacts clipped" in lines[at + 1]
    assert not any("contacts clipped" in x for x in summary_lines(short_run))


def test_live_shoe_line_shows_stride_and_strike():
    from types import SimpleNamespace

    from gaitlab.commands.stream import live_line

    update = SimpleNamespace(line=lambda: "t=1.0s cadence=176", speed_mps=None)
    shoe = SimpleNamespace(summary=lambda: {"stride_length_median_m": 2.34, "speed_median_mps": 3.41,
                                            "foot_strike_angle_median_deg": 12.2, "strike_class": "rearfoot"})
    line = live_line(update, shoe)
    assert "stride_m=2.34" in line and "speed=3.41" in line and "strike=rearfoot(+12deg)" in line
    waist = SimpleNamespace(summary=lambda: {"cadence_median_spm": 176.0})
    assert live_line(update, waist) == "t=1.0s cadence=176"
    assert live_line(update, None) == "t=1.0s cadence=176"


# -- smaller things ----------------------------------------------------------------------------------------
def test_numbers_at_their_units_precision():
    from gaitlab.report.html import _fmt

    assert _fmt(0.498, "deg") == "0.5 deg"
    assert _fmt(261.4, "ms") == "261 ms" and _fmt(2.3456, "g") == "2.35 g" and _fmt(0.4123, "") == "0.41"


def test_trend_legend_names_every_shading():
    from gaitlab.report.figures import plot

    a = make_analysis(660.0, gct_si_pct=5.0, cadence_spm=lambda t: np.where(t > 400, 166.0, 178.0),
                      speed_mps=3.1)
    a.evaluation = evaluate_detailed(a)
    a.flags = a.evaluation.flags
    sev = {f["severity"] for f in a.flags if f["code"] == "low_cadence"}
    assert sev
    fig = plot(a, "trend", metrics=["cadence_spm"])
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "your baseline (early run)" in labels
    words = {"info": "flagged: note", "warn": "flagged: worth a look", "alert": "flagged: strong pattern"}
    assert all(words[s] in labels for s in sev)


def test_page_explains_itself_and_badges_do_not_wrap(shoe_page):
    assert "docs/report.md" not in shoe_page
    assert "rolling 60-second median" in shoe_page  # how patterns are judged, inline
    assert re.search(r"\.badge \{[^}]*white-space: nowrap", shoe_page)


def test_made_at_none_gives_identical_bytes(shoe_pair, shoe_page):
    assert render_html(shoe_pair, made_at=None) == shoe_page
    assert re.search(r"Made with gaitlab [^<]* on \d{4}-\d\d-\d\d", render_html(shoe_pair, figures=False))
    assert not re.search(r" on \d{4}-\d\d-\d\d", shoe_page)


def test_batch_html_is_byte_identical(tmp_path):
    from gaitlab.cli import main

    src = tmp_path / "in"
    src.mkdir()
    sim = simulate_waist(90.0, fs=50.0, seed=4)
    gaitlab.io.write(sim.recording, src / "run.csv")
    for i in range(2):
        assert main(["batch", str(src), "--out", str(tmp_path / f"out{i}"), "--html", "--jobs", "1",
                     "--no-progress"]) == 0
    names = [sorted(p.relative_to(tmp_path / f"out{i}") for p in (tmp_path / f"out{i}").rglob("*.html"))
             for i in range(2)]
    assert names[0] == names[1] and any(p.name != "index.html" for p in names[0])
    for rel in names[0]:
        page = (tmp_path / "out0" / rel).read_bytes()
        assert page == (tmp_path / "out1" / rel).read_bytes(), rel
        assert not re.search(rb" on \d{4}-\d\d-\d\d \d\d:\d\d", page), rel  # no creation time
