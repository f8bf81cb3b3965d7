"""Runs over time (issue #19): run metadata in the Analysis/JSON/batch, the fast JSON reader, the
history's weekly trends on generated seasons with known trends, and "against your recent runs"."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

import gaitlab
from gaitlab.cli import main
from gaitlab.errors import InputError
from gaitlab.runmeta import check_tags, parse_tags, week_of
from gaitlab.season import history, late_drift, load_result, mssd_sd, recent_runs
from gaitlab.synth import simulate_waist

from .history_support import BASE, make_result, season, write_json


@pytest.fixture(scope="module")
def small_analysis():
    sim = simulate_waist(150.0, fs=100.0, seed=4, cadence_spm=172.0)
    rec = sim.recording.replace(meta={**sim.recording.meta, "start_time": "2024-05-02T18:00:00+02:00",
                                      "source": "evening.csv", "device": "Movesense 123"})
    return gaitlab.analyze(rec, tags={"shoe": "Pegasus40", "athlete": "ana"})


# -- run metadata -----------------------------------------------------------------------------------
def test_tags_parse_and_validate():
    assert parse_tags(["shoe=Pegasus 40", "athlete=ana", "insole=2"]) == {
        "athlete": "ana", "insole": "2", "shoe": "Pegasus 40"}
    assert check_tags({"km": 10}) == {"km": "10"}
    for bad in (["shoe"], ["=x"], ["shoe=a", "shoe=b"], ["shoe="], ["bad key=x"]):
        with pytest.raises(InputError):
            parse_tags(bad)
    with pytest.raises(InputError):
        check_tags({"shoe": ["a", "b"]})


def test_analysis_carries_start_time_device_tags(small_analysis, tmp_path):
    inp = small_analysis.input
    assert inp["start_time"] == "2024-05-02T18:00:00+02:00"
    assert inp["device"] == "Movesense 123"
    assert inp["tags"] == {"athlete": "ana", "shoe": "Pegasus40"}
    doc = json.loads(small_analysis.to_json())
    assert doc["schema"] == 1
    assert doc["input"]["tags"]["shoe"] == "Pegasus40"
    # the schema-1 keys are all still there
    assert {"path", "format", "fs_hz", "duration_s", "placement"} <= set(doc["input"])


def test_unknown_start_time_is_null_never_invented():
    sim = simulate_waist(40.0, fs=100.0, seed=2)
    rec = sim.recording.replace(meta={k: v for k, v in sim.recording.meta.items() if k != "start_time"})
    a = gaitlab.analyze(rec, report=False)
    assert a.input["start_time"] is None
    assert json.loads(a.to_json())["input"]["start_time"] is None
    assert a.input["tags"] == {}


def test_start_time_from_an_iso_time_column(tmp_path):
    sim = simulate_waist(40.0, fs=100.0, seed=3)
    t = sim.recording.t
    stamps = (np.datetime64("2024-06-01T06:30:00") + (t * 1e9).astype("timedelta64[ns]")).astype(str)
    acc = sim.recording.acc
    lines = ["time,acc_x_g,acc_y_g,acc_z_g"] + [f"{s}Z,{a:.5f},{b:.5f},{c:.5f}" for s, (a, b, c) in zip(stamps, acc)]
    path = tmp_path / "iso.csv"
    path.write_text("\n".join(lines) + "\n")
    a = gaitlab.analyze(path, placement="waist", report=False, tags={"athlete": "bo"})
    assert a.input["start_time"].startswith("2024-06-01T06:30:00")


def test_cli_tags_and_batch_summary_columns(tmp_path, capsys):
    sim = simulate_waist(40.0, fs=100.0, seed=5)
    rec = sim.recording.replace(meta={**sim.recording.meta, "start_time": "2024-06-01T06:30:00+00:00"})
    src = tmp_path / "in" / "run.parquet"
    src.parent.mkdir()
    gaitlab.write(rec, src)
    out = tmp_path / "a.json"
    assert main(["analyze", str(src), "--placement", "waist", "--tag", "shoe=Pegasus40", "--tag", "athlete=ana",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["input"]["tags"] == {"athlete": "ana", "shoe": "Pegasus40"}
    assert doc["input"]["start_time"] == "2024-06-01T06:30:00+00:00"
    assert "started        2024-06-01T06:30:00+00:00" in capsys.readouterr().out
    assert main(["analyze", str(src), "--tag", "shoe"]) == 2
    assert main(["batch", str(src.parent), "--out", str(tmp_path / "b"), "-j", "1", "--no-progress",
                 "--tag", "shoe=Clifton9"]) == 0
    import pandas as pd

    table = pd.read_csv(tmp_path / "b" / "summary.csv")
    assert list(table.columns[6:9]) == ["start_time", "device", "tags"]
    assert table.loc[0, "tags"] == "shoe=Clifton9"
    assert table.loc[0, "start_time"] == "2024-06-01T06:30:00+00:00"
    written = json.loads((tmp_path / "b" / "run.parquet.json").read_text())
    assert written["input"]["tags"] == {"shoe": "Clifton9"}


# -- the fast reader -------------------------------------------------------------------------------
@pytest.mark.parametrize("indent", [None, 1, 2])
def test_load_result_skips_steps_but_equals_the_full_parse(small_analysis, tmp_path, indent):
    path = tmp_path / "r.json"
    path.write_text(small_analysis.to_json(indent=indent) + "\n")
    full = json.loads(path.read_text())
    light = load_result(path)
    assert light["steps"] == [] and len(full["steps"]) > 100
    for key in ("input", "summary", "segments", "gaps", "flags", "params", "schema"):
        assert light[key] == full[key], key
    assert load_result(path, steps=True)["steps"] == full["steps"]


def test_load_result_odd_layouts_and_errors(tmp_path):
    rng = np.random.default_rng(0)
    doc = make_result(rng, start=None, means={"cadence_spm": 170, "gct_ms": 250, "vo_cm": 9, "impact_g": 2.5,
                                             "loading_rate_gps": 90}, minutes=2)
    # keys in another order: "segments" before "steps" (a re-serialised file)
    odd = {k: doc[k] for k in ("schema", "segments", "input", "summary", "flags", "gaps", "params", "steps")}
    p = write_json(odd, tmp_path / "odd.json")
    assert load_result(p)["segments"] == doc["segments"]
    # a tag whose value reads "steps", and flag evidence with a "segments" key, do not confuse the reader
    doc["input"]["tags"] = {"session": "steps", "segments": "x"}
    p = write_json(doc, tmp_path / "tagged.json", indent=1)
    light = load_result(p)
    assert light["input"]["tags"] == {"session": "steps", "segments": "x"}
    assert light["segments"] == doc["segments"] and light["flags"] == doc["flags"] and light["steps"] == []
    (tmp_path / "bad.json").write_text('{"schema": 1, "summary": ')
    with pytest.raises(InputError, match="not JSON"):
        load_result(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"name": "not a result"}')
    with pytest.raises(InputError, match="not a gaitlab result"):
        load_result(tmp_path / "other.json")


# -- trends on generated seasons --------------------------------------------------------------------
def test_cadence_raised_5_spm_over_6_weeks_shows_as_a_trend(tmp_path):
    season(tmp_path / "ana", seed=1, trend={"cadence_spm": 5.0}, tags={"athlete": "ana"})
    h = history(tmp_path)
    assert len(h.runs) == 24 and h.runners == ["ana"]
    assert h.weekly["week"].nunique() == 6
    cad = h.trend("cadence_spm")
    assert cad["verdict"] == "rising"
    # truth: 5 spm over 41 days = 0.85 spm/week; the interval covers it
    assert cad["slope_lo"] <= 5.0 / (41 / 7) <= cad["slope_hi"]
    assert 2.0 < cad["change_over_period"] < 8.0
    # run-to-run noise recovered despite the trend (generated SD 2 spm, plus the step-level part)
    assert 1.4 < cad["noise_sd"] < 2.8
    assert h.trend("gct_ms")["verdict"] == "steady"


def test_no_trend_is_called_steady_most_of_the_time(tmp_path):
    """Specificity: without a trend, 'rising'/'falling' is a false alarm (5 % per metric expected)."""
    false = 0
    for seed in range(12):
        season(tmp_path / f"s{seed}", seed=100 + seed, tags={"athlete": f"r{seed}"}, minutes=3)
    h = history(tmp_path)
    verdicts = h.trends[h.trends["metric"].isin(["cadence_spm", "gct_ms", "vo_cm", "impact_g"])]["verdict"]
    false = int((verdicts != "steady").sum())
    assert len(verdicts) == 48
    assert false <= 6  # 48 tests at 5 %: 2.4 expected; 6 has a binomial tail probability < 5 %


def test_history_lists_undated_runs_but_keeps_them_out_of_trends(tmp_path):
    season(tmp_path, seed=2, weeks=2, runs_per_week=3, tags={"athlete": "ana"})
    rng = np.random.default_rng(3)
    doc = make_result(rng, start=None, means={"cadence_spm": 170, "gct_ms": 250, "vo_cm": 9, "impact_g": 2.5,
                                             "loading_rate_gps": 90}, tags={"athlete": "ana"}, minutes=2)
    write_json(doc, tmp_path / "undated.json")
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    h = history(tmp_path)
    assert len(h.runs) == 7
    assert h.runs["start"].isna().sum() == 1
    assert h.trend("cadence_spm")["n_runs"] == 6
    assert [Path(p).name for p, _ in h.skipped] == ["notes.json"]


def test_late_drift_and_mssd():
    segs = [{"running_s": 60.0, "cadence_spm": 170.0 - (i >= 8) * 4.0, "gct_ms": 250.0 * (1 + 0.08 * (i >= 8))}
            for i in range(12)]
    d = late_drift(segs)
    assert d["cadence_drift_spm"] == pytest.approx(-4.0)
    assert d["gct_drift_pct"] == pytest.approx(8.0)
    assert np.isnan(late_drift(segs[:5])["cadence_drift_spm"])
    y = 0.5 * np.arange(200) + np.random.default_rng(0).normal(0, 2.0, 200)  # strong trend, SD 2
    assert mssd_sd(y) == pytest.approx(2.0, rel=0.15)


def test_week_label_uses_the_runners_wall_clock():
    from gaitlab.runmeta import parse_start_time

    # Sunday 23:30 in UTC+2 is Sunday for the runner (Monday would start the next ISO week)
    assert week_of(parse_start_time("2024-03-10T23:30:00+02:00")) == "2024-W10"
    assert week_of(datetime(2024, 3, 11, 0, 30)) == "2024-W11"


def test_history_cli(tmp_path, capsys):
    season(tmp_path / "res", seed=1, trend={"cadence_spm": 5.0}, tags={"athlete": "ana"}, minutes=3)
    html = tmp_path / "h.html"
    assert main(["history", str(tmp_path / "res"), "--html", str(html), "--csv", str(tmp_path / "runs.csv")]) == 0
    out = capsys.readouterr().out
    assert "24 runs" in out and "rising" in out
    text = html.read_text()
    assert "data:image/png;base64," in text and "Content-Security-Policy" in text
    assert main(["history", str(tmp_path / "missing")]) == 2


# -- against your recent runs --------------------------------------------------------------------------
def test_recent_runs_places_the_run_among_the_runners_last_runs(tmp_path, small_analysis):
    base = {"cadence_spm": 160.0, "gct_ms": 280.0, "vo_cm": 8.0, "impact_g": 1.5, "loading_rate_gps": 60.0}
    season(tmp_path, seed=7, weeks=3, runs_per_week=4, tags={"athlete": "ana"}, base=base,
           start=datetime(2024, 3, 4, 7, 0), minutes=3)
    season(tmp_path / "other", seed=8, weeks=3, runs_per_week=4, tags={"athlete": "bo"},
           start=datetime(2024, 3, 4, 7, 0), minutes=3)
    ctx = recent_runs(small_analysis, tmp_path, n=10)
    assert ctx["runner"] == "ana" and ctx["n_runs"] == 10
    cad = ctx["metrics"]["cadence_spm"]
    # this run: ~172 spm against ~160 with a 2 spm run-to-run SD
    assert cad["verdict"] == "higher than usual" and cad["rank_pct"] == 100.0
    a = gaitlab.analyze(small_analysis.recording, tags=small_analysis.input["tags"], history=tmp_path)
    assert a.params["recent_runs"]["n_runs"] == 10
    text = a.to_html()
    assert "Against your recent runs" in text and "higher than usual" in text
    json.loads(a.to_json())  # serialisable
    # a run dated before every run in the history has no earlier runs
    early = gaitlab.analyze(small_analysis.recording.replace(
        meta={**small_analysis.recording.meta, "start_time": "2023-01-01T08:00:00+00:00"}),
        tags={"athlete": "ana"}, history=tmp_path, report=False)
    assert early.params["recent_runs"]["n_runs"] == 0
    from gaitlab.report.html import render_html

    assert "No earlier runs" in render_html(early, figures=False)


def test_waist_and_shoe_results_of_one_runner_are_separate_series(tmp_path):
    season(tmp_path / "w", seed=1, weeks=2, runs_per_week=2, tags={"athlete": "ana"}, minutes=2)
    rng = np.random.default_rng(2)
    for k in range(3):
        doc = make_result(rng, start=datetime(2024, 3, 5 + k, 7), means={**BASE, "impact_g": 9.0},
                          tags={"athlete": "ana"}, minutes=2, placement="shoe")
        write_json(doc, tmp_path / "s" / f"shoe{k}.json")
    h = history(tmp_path)
    assert h.runners == ["ana (shoe)", "ana (waist)"]
    assert h.trend("impact_g", "ana (waist)")["n_runs"] == 4
    assert len(history(tmp_path, runner="ana").runs) == 7
