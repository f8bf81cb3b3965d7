"""The shoe pipeline end to end: pairs, single feet, frames, fallbacks, JSON, CLI, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import gaitlab
from gaitlab.errors import InputError
from gaitlab.gait.foot_frame import estimate_foot_frame
from gaitlab.gait.shoe import FootPipeline
from gaitlab.schema import SHOE_COLUMNS, STEP_COLUMNS
from gaitlab.synth import FootMotion, simulate_shoes


@pytest.fixture(scope="module")
def pair():
    return simulate_shoes(24.0, fs=400.0, seed=21, mounting="random", asymmetry_pct=8.0,
                          walking=[(10.0, 4.0)])


@pytest.fixture(scope="module")
def pair_analysis(pair):
    left, right = pair
    return gaitlab.analyze([left.recording, right.recording])


def _truth_flight_ms(left, right) -> tuple[float, float]:
    """Mean true flight (TO of one foot to the next IC of the other) per side, running only."""
    out = {}
    for me, other in ((left, right), (right, left)):
        a, b = me.truth.steps, other.truth.steps
        a = a[a["activity"] == "running"]
        nxt = b["ic_s"].to_numpy()[np.searchsorted(b["ic_s"].to_numpy(), a["ic_s"].to_numpy())
                                   .clip(0, len(b) - 1)]
        out[me.truth.side] = float(np.mean((nxt - a["to_s"].to_numpy())[nxt > a["ic_s"].to_numpy()]) * 1e3)
    return out["L"], out["R"]


def test_pair_table_shape_and_sides(pair_analysis):
    a = pair_analysis
    assert list(a.steps.columns) == list(STEP_COLUMNS) + list(SHOE_COLUMNS)
    assert a.placement == "shoe"
    assert a.steps["vo_cm"].isna().all() and a.steps["braking_mps"].isna().all()
    side = a.steps["side"].to_numpy()
    run = a.steps["activity"].to_numpy() == "running"
    # a pair alternates L, R, L ... while running
    assert (side[1:][run[1:] & run[:-1]] != side[:-1][run[1:] & run[:-1]]).mean() > 0.95
    assert a.input["sides"] == ["L", "R"] and len(a.input["files"]) == 2


def test_pair_summary_against_truth(pair, pair_analysis):
    left, right = pair
    s = pair_analysis.summary
    tl, tr = left.truth.steps, right.truth.steps
    run_l = tl[(tl["activity"] == "running") & tl["valid"]]
    run_r = tr[(tr["activity"] == "running") & tr["valid"]]
    gl, gr = run_l["gct_ms"].mean(), run_r["gct_ms"].mean()
    assert abs(s["gct_ms"] - 0.5 * (gl + gr)) < 5.0
    assert abs(s["gct_balance_left_pct"] - 100 * gl / (gl + gr)) < 0.5
    assert abs(s["gct_si_pct"] - 200 * abs(gl - gr) / (gl + gr)) < 1.5
    fl, fr = _truth_flight_ms(left, right)
    assert abs(s["flight_ms"] - 0.5 * (fl + fr)) < 5.0
    assert abs(s["flight_si_pct"] - 200 * abs(fl - fr) / (fl + fr)) < 4.0
    assert abs(s["cadence_spm"] - left.truth.summary["cadence_spm"]) < 1.5
    assert abs(s["stride_length_m"] - left.truth.summary["stride_length_m"]) < 0.06
    assert abs(s["speed_mps"] - 3.0) < 0.1
    assert s["strike_class"] == "rearfoot"
    assert math.isfinite(s["impact_si_pct"]) and math.isfinite(s["stride_length_si_pct"])
    assert s["walking_s"] > 2.0 and s["running_s"] > 12.0


def test_json_round_trip_has_null_for_unmeasurable(pair_analysis):
    d = json.loads(pair_analysis.to_json())
    assert d["input"]["placement"] == "shoe"
    step = d["steps"][3]
    assert step["vo_cm"] is None and step["side"] in ("L", "R")
    assert d["summary"]["vo_cm"] is None
    assert isinstance(d["summary"]["gct_si_pct"], float)


def test_single_foot(pair):
    left, _ = pair
    a = gaitlab.analyze([left.recording], placement="shoe")
    s = a.summary
    truth = left.truth.summary
    assert (a.steps["side"] == "L").all()
    assert a.steps["flight_ms"].isna().all()
    assert math.isnan(s["gct_balance_left_pct"]) and math.isnan(s["gct_si_pct"])
    assert abs(s["cadence_spm"] - truth["cadence_spm"]) < 1.5
    assert abs(s["stride_time_ms"] - truth["stride_time_ms"]) < 15.0
    # one foot's contacts stand for whole strides: the running time is not halved
    assert abs(s["running_s"] + s["walking_s"] + s["standing_s"] - a.input["duration_s"]) < 0.5


def test_order_gives_sides_when_metadata_is_missing(pair):
    left, right = pair
    a = gaitlab.analyze([right.recording.replace(side=None), left.recording.replace(side=None)])
    assert a.input["sides"] == ["L", "R"]  # order L, R: the first one is taken as left
    with pytest.raises(InputError, match="both shoe recordings"):
        gaitlab.analyze([left.recording, left.recording])


def test_frame_is_recovered_from_a_random_mounting(pair):
    left, _ = pair
    rec = left.recording
    frame = estimate_foot_frame(rec.acc, rec.gyr, rec.fs)
    # f_body = R_mount f_sensor: the rows of R_mount, like those of frame.rot, are the body axes in
    # sensor coordinates
    np.testing.assert_allclose(frame.rot, left.sensor.R_mount, atol=0.05)


def test_axes_override_matches_the_estimate():
    left, _ = simulate_shoes(10.0, fs=200.0, seed=8, mounting="upright")
    auto = FootPipeline().run(left.recording).contacts_
    fixed = FootPipeline(axes="+x,+y,+z").run(left.recording).contacts_
    np.testing.assert_allclose(auto["ic_s"], fixed["ic_s"], atol=2e-3)
    with pytest.raises(InputError):
        FootPipeline(axes="+x,+x,+z").run(left.recording)


@pytest.mark.parametrize("strike", [-7.0, 4.0, 15.0])
def test_accelerometer_only_fallback(strike):
    """No gyroscope: every landing from its impact; toe-off, strike angle, stride length null."""
    left, _ = simulate_shoes(12.0, fs=500.0, seed=4, gyro=False, mounting="random",
                             foot_motion=FootMotion(strike_angle_deg=strike))
    c = FootPipeline().run(left.recording).contacts_
    truth = left.truth.steps
    ok = np.isfinite(c["ic_s"])
    j = np.abs(truth["ic_s"].to_numpy()[:, None] - c["ic_s"][ok][None, :]).argmin(axis=1)
    ic_err = np.abs(c["ic_s"][ok][j] - truth["ic_s"].to_numpy()) * 1e3
    assert (ic_err < 5.0).all(), ic_err  # every landing, a forefoot one before its heel drop too
    # the truth's contacts are all in the table, labelled running; extra ones only at the
    # standing start/end (the foot lifting off and setting down)
    inside = (c["ic_s"] > truth["ic_s"].min() - 0.05) & (c["ic_s"] < truth["ic_s"].max() + 0.05)
    assert inside.sum() == len(truth)
    assert (c["activity"][inside] == "running").all()
    assert np.isnan(c["to_s"]).all() and np.isnan(c["gct_ms"]).all()  # toe-off needs the gyroscope
    assert np.isnan(c["foot_strike_angle_deg"]).all() and np.isnan(c["stride_length_m"]).all()


def test_standing_gives_no_contacts_and_bad_units_are_rejected():
    t = np.arange(2000) / 200.0
    rng = np.random.default_rng(0)
    acc = np.tile([0.0, 0.0, 1.0], (t.size, 1)) + rng.normal(0, 0.002, (t.size, 3))
    gyr = rng.normal(0, 0.5, (t.size, 3))
    rec = gaitlab.Recording(t, acc, gyr, placement="shoe", side="L")
    assert FootPipeline().run(rec).contacts_["ic_s"].size == 0
    with pytest.raises(InputError, match="units"):
        FootPipeline().run(rec.replace(acc=acc * 9.80665))


def test_cli_pair(tmp_path, pair, capsys):
    from gaitlab.cli import main

    left, right = pair
    paths = []
    for run, name in ((left, "L.csv"), (right, "R.csv")):
        p = tmp_path / name
        gaitlab.write(run.recording.slice(0.0, 9.0), p)
        paths.append(str(p))
    out_json = tmp_path / "out.json"
    code = main(["analyze", *paths, "--placement", "shoe", "--json", str(out_json)])
    text = capsys.readouterr().out
    assert code == 0
    assert "stride length" in text and "foot strike" in text
    d = json.loads(out_json.read_text())
    assert d["input"]["placement"] == "shoe" and len(d["input"]["files"]) == 2
    assert {s["side"] for s in d["steps"]} == {"L", "R"}
