"""The watch's context (issue #19): a FIT file's speed, laps and running dynamics aligned with an IMU
recording by absolute time. Real FIT files from ../shared/data/real (skipped when absent) and a
FIT file written with a known speed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab.cli import main
from gaitlab.context import align_watch, read_watch, watch_speed_segments
from gaitlab.errors import InputError
from gaitlab.synth import simulate_waist

from .real_support import real_path

FENIX5 = ("exports", "garmin_fit", "garmin-fenix-5-run.fit")
FENIX2 = ("exports", "garmin_fit", "activity-small-fenix2-run.fit")


def imu(duration_s: float, start_time: str | None, *, seed: int = 1, cadence_spm: float = 170.0,
        speed_mps: float = 3.0, fs: float = 100.0):
    """A synthetic waist recording that, like a file export, has a start time and no speed channel."""
    sim = simulate_waist(duration_s, fs=fs, seed=seed, cadence_spm=cadence_spm, speed_mps=speed_mps)
    meta = {k: v for k, v in sim.recording.meta.items() if k != "start_time"}
    if start_time is not None:
        meta["start_time"] = start_time
    return sim, sim.recording.replace(extra={}, meta={**meta, "source": "imu.csv"})


def test_real_fenix5_run_turns_on_vertical_ratio_and_lays_the_watch_over(tmp_path):
    fit = real_path(*FENIX5)
    _, rec = imu(90.0, "2017-06-11T14:34:00+00:00")
    without = gaitlab.analyze(rec, report=False)
    assert np.isnan(without.summary["vertical_ratio_pct"])
    a = gaitlab.analyze(rec, speed_from=fit)
    w = a.input["watch"]
    assert w["basis"] == "utc"
    assert w["offset_s"] == pytest.approx(9.0)  # the watch's first record: 14:34:09 UTC
    assert w["overlap_s"] == pytest.approx(57.0)
    assert {"cadence_spm", "gct_ms", "vo_cm", "vertical_ratio_pct", "gct_balance_left_pct"} <= set(w["metrics"])
    # the step lengths come from the watch's speed (2.3-3.7 m/s in this file) and gaitlab's step times
    s = a.summary
    assert np.isfinite(s["vertical_ratio_pct"]) and np.isfinite(s["step_length_m"])
    run = a.running_steps
    has = run["speed_mps"].notna()
    assert has.sum() > 50 and not has.all()  # before the watch's first record: no speed, no step length
    assert run.loc[has, "speed_mps"].between(0.5, 4.0).all()
    expected = (run.loc[has, "speed_mps"] * run.loc[has, "step_time_ms"] / 1000.0).mean()
    assert s["step_length_m"] == pytest.approx(expected, rel=1e-6)
    assert len(w["laps"]) == 1 and w["laps"][0]["watch"]["distance_m"] == pytest.approx(157.56)
    text = a.to_html()
    assert "The watch&#x27;s view" in text or "The watch's view" in text
    json.loads(a.to_json())


def test_known_speed_from_a_written_fit_gives_the_true_step_length(tmp_path):
    from gaitlab.io.fit import write_fit

    speed, cadence = 3.2, 170.0
    t = np.arange(0, 301, 1.0)
    table = pd.DataFrame({"time_s": t, "speed_mps": np.full(t.size, speed), "cadence_spm": np.full(t.size, cadence)})
    fit = write_fit(table, tmp_path / "watch.fit", start_time=datetime(2024, 5, 1, 6, 0, 0, tzinfo=UTC))
    sim, rec = imu(240.0, "2024-05-01T08:00:30+02:00", cadence_spm=cadence, speed_mps=speed)
    a = gaitlab.analyze(rec, speed_from=fit, report=False)
    assert a.input["watch"]["offset_s"] == pytest.approx(-30.0)
    # truth: step length = speed / step rate = 3.2 m/s / (170/60 steps/s) = 1.129 m
    assert a.summary["step_length_m"] == pytest.approx(speed * 60.0 / cadence, rel=0.01)
    vr_truth = 100.0 * (a.summary["vo_cm"] / 100.0) / (speed * 60.0 / cadence)
    assert a.summary["vertical_ratio_pct"] == pytest.approx(vr_truth, rel=0.01)
    assert abs(a.input["watch"]["cadence_diff_spm"]) < 1.0


def test_naive_start_time_is_read_in_the_watchs_local_time_and_split_by_laps():
    fit = real_path(*FENIX2)
    watch = read_watch(fit)
    assert watch.local_offset is not None and watch.local_offset.total_seconds() == 7200.0
    assert len(watch.laps) == 4
    # a phone export without a zone: 16:47 local = 14:47 UTC; as UTC it would miss the watch entirely
    _, rec = imu(480.0, "2015-08-15T16:47:00", cadence_spm=166.0, fs=50.0)
    a = gaitlab.analyze(rec, speed_from=fit, report=False)
    w = a.input["watch"]
    assert w["basis"] == "naive as watch local time"
    assert w["offset_s"] == pytest.approx(-112.0)  # the watch started at 14:45:08 UTC
    laps = w["laps"]
    assert [lap["lap"] for lap in laps] == [1, 2]
    assert laps[0]["end_s"] == pytest.approx(159.0, abs=1.0)  # lap 1 ends 14:49:39 UTC
    assert sum(lap["n_steps"] for lap in laps) == pytest.approx(a.summary["n_valid_steps"], abs=5)
    assert laps[1]["covered_pct"] < 100.0
    assert np.isfinite(laps[0]["vertical_ratio_pct"])
    # this watch stores no lap average speed: distance / timer time (848.94 m in 270 s)
    assert laps[0]["watch"]["speed_mps"] == pytest.approx(848.94 / 270.0)


def test_alignment_errors_are_clear():
    fit = real_path(*FENIX5)
    _, no_start = imu(60.0, None)
    with pytest.raises(InputError, match="does not say when it started"):
        gaitlab.analyze(no_start, speed_from=fit, report=False)
    _, late = imu(60.0, "2017-06-11T18:00:00+00:00")
    with pytest.raises(InputError, match="do not overlap in time"):
        gaitlab.analyze(late, speed_from=fit, report=False)
    _, ok = imu(60.0, "2017-06-11T14:34:00+00:00")
    with pytest.raises(InputError, match="not both"):
        gaitlab.analyze(ok, speed_from=fit, speed_mps=3.0, report=False)


def test_ambiguous_naive_time_is_refused(tmp_path):
    from gaitlab.io.fit import write_fit

    t = np.arange(0, 4 * 3600, 10.0)
    table = pd.DataFrame({"time_s": t, "speed_mps": np.full(t.size, 3.0)})
    fit = write_fit(table, tmp_path / "long.fit", start_time=datetime(2024, 5, 1, 6, 0, tzinfo=UTC))
    watch = read_watch(fit)
    watch.local_offset = pd.Timedelta(hours=1).to_pytimedelta()  # written files carry no local time
    with pytest.raises(InputError, match="no UTC offset"):
        align_watch(watch, "2024-05-01T07:30:00", 3600.0)
    al = align_watch(watch, "2024-05-01T07:30:00+00:00", 3600.0)
    segs = watch_speed_segments(watch, al, 3600.0)
    # records 10 s apart: each speed holds until the next record, no holes
    assert segs[0][0] == 0.0 and all(b == pytest.approx(c) for (_, b, _), (c, _, _) in zip(segs, segs[1:]))


def test_cli_speed_from(tmp_path, capsys):
    fit = real_path(*FENIX5)
    _, rec = imu(90.0, "2017-06-11T14:34:00+00:00")
    src = tmp_path / "imu.parquet"
    gaitlab.write(rec, src)
    out = tmp_path / "r.json"
    assert main(["analyze", str(src), "--placement", "waist", "--speed-from", str(fit), "--json", str(out)]) == 0
    assert "watch          garmin/fenix5: 57 s in common (utc), 1 laps" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert doc["input"]["watch"]["laps"][0]["lap"] == 1
    assert doc["summary"]["vertical_ratio_pct"] is not None
    assert main(["analyze", str(src), "--speed-from", str(tmp_path / "nope.fit")]) == 2


def test_laps_of_an_off_midline_sensor_carry_no_gct_balance():
    """A belt over one hip biases left/right timing (docs/mounting.md): the per-lap rows say so like
    the summary does (NaN balance), instead of a per-lap GCT balance that is the mounting's."""
    from gaitlab.synth.mounting import simulate_mounted_waist

    fit = real_path(*FENIX2)
    sim = simulate_mounted_waist(480.0, fs=50.0, site="hip_belt_left", seed=2, cadence_spm=166.0)
    meta = {k: v for k, v in sim.recording.meta.items() if k != "start_time"}
    rec = sim.recording.replace(extra={}, meta={**meta, "source": "imu.csv", "start_time": "2015-08-15T16:47:00"})
    a = gaitlab.analyze(rec, speed_from=fit, report=False)
    assert a.input["mounting"] == "off_midline" and np.isnan(a.summary["gct_balance_left_pct"])
    laps = a.input["watch"]["laps"]
    assert laps and all(lap["gct_balance_left_pct"] is None or np.isnan(lap["gct_balance_left_pct"])
                        for lap in laps)
    assert all(np.isfinite(lap["cadence_spm"]) for lap in laps)
