"""Invariants of the synthetic shoe (foot) model and the waist + shoes session."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitlab.synth import (
    G_MPS2,
    FootMotion,
    Mounting,
    Truth,
    make_scenario,
    simulate_session,
    simulate_shoes,
)
from gaitlab.synth.foot import strike_class


@pytest.fixture(scope="module")
def pair():
    return simulate_shoes(12.0, 400.0, seed=4, noise="ideal", standing_s=(2.0, 2.0))


def test_pair_alternates_on_common_clock(pair):
    left, right = pair
    ic = np.concatenate([left.truth.steps["ic_s"], right.truth.steps["ic_s"]])
    side = np.concatenate([left.truth.steps["side"], right.truth.steps["side"]])
    order = np.argsort(ic)
    side = side[order]
    assert (side[1:] != side[:-1]).all()
    np.testing.assert_array_equal(left.recording.t, right.recording.t)
    assert left.recording.side == "L" and right.recording.side == "R"
    assert left.recording.placement == "shoe" and left.recording.has_gyro


def test_foot_is_still_and_flat_in_the_zupt_window(pair):
    left, _ = pair
    m = left.model
    tau_s = left.scenario.foot.impact_tau_ms / 1000.0
    for _, row in left.truth.steps.iterrows():
        t = np.linspace(row["flat_start_s"], row["flat_end_s"], 51)[:-1]  # [FF, HO)
        p, v, a = m.kinematics(t)
        np.testing.assert_allclose(v, 0.0, atol=1e-12)
        np.testing.assert_allclose(a, 0.0, atol=1e-12)
        np.testing.assert_allclose(p, np.tile(p[0], (50, 1)), atol=1e-12)
        f, w = m.body_signals(t)
        np.testing.assert_allclose(w, 0.0, atol=1e-9)
        # only the decaying impact ringing remains on the accelerometer
        late = t > row["ic_s"] + 8 * tau_s
        np.testing.assert_allclose(np.linalg.norm(f[late], axis=1), 1.0, atol=0.02)


def test_kinematics_are_consistent_and_c1(pair):
    left, _ = pair
    m = left.model
    t = np.linspace(3.0, 6.0, 300001)
    p, v, a = m.kinematics(t)
    dt = t[1] - t[0]
    np.testing.assert_allclose(np.gradient(p, dt, axis=0), v, atol=2e-3)  # m/s; no position jumps
    dv = np.gradient(v, dt, axis=0)
    # acceleration may jump at phase knots (finite), but velocity is continuous everywhere
    assert np.abs(np.diff(v, axis=0)).max() < 0.01
    assert np.percentile(np.abs(dv - a), 99.5) < 0.05
    th, dth, _ = m.pitch(t)
    np.testing.assert_allclose(np.gradient(th, dt)[1:-1], dth[1:-1], atol=3e-3)  # kinks at knots
    gyr_y = m.body_signals(t[::100])[1][:, 1]
    np.testing.assert_allclose(gyr_y, -np.rad2deg(dth[::100]), atol=1e-9)
    assert p[:, 1].min() >= 0.0  # the sensor never goes below the ground


def test_pitch_truth_and_strike_angle(pair):
    left, _ = pair
    st_ = left.truth.steps
    th = np.rad2deg(left.model.pitch(st_["ic_s"].to_numpy())[0])
    ms = np.rad2deg(left.model.pitch(st_["midstance_s"].to_numpy())[0])
    to = np.rad2deg(left.model.pitch(st_["to_s"].to_numpy())[0])
    np.testing.assert_allclose(th - ms, st_["foot_strike_angle_deg"], atol=1e-9)
    np.testing.assert_allclose(to, left.scenario.foot.toe_off_deg, atol=1e-9)
    assert (st_["strike_class"] == "rearfoot").all()


def test_stride_length_is_midstance_displacement(pair):
    left, _ = pair
    st_ = left.truth.steps
    steady = st_[st_["valid"]]
    p = left.model.kinematics(steady["midstance_s"].to_numpy())[0]
    moved = np.diff(p[:, 0])
    np.testing.assert_allclose(moved, steady["stride_length_m"].to_numpy()[:-1], atol=1e-9)
    np.testing.assert_allclose(steady["stride_length_m"], 3.0 * steady["stride_time_ms"] / 1000, rtol=0.02)


def test_forefoot_strike_scenario():
    left, _ = simulate_shoes(6.0, 200.0, seed=1, foot_motion=FootMotion(strike_angle_deg=-8.0, strike_sd_deg=0.5))
    st_ = left.truth.steps
    assert (st_["strike_class"] == "forefoot").all()
    assert left.truth.summary["foot_strike_angle_deg"] == pytest.approx(-8.0, abs=0.5)


def test_strike_class_boundaries():
    assert list(strike_class(np.array([8.1, 8.0, 0.0, -1.6, -1.7]))) == [
        "rearfoot", "midfoot", "midfoot", "midfoot", "forefoot"]


def test_impact_truth_is_peak_axial_force_after_ic(pair):
    left, _ = pair
    row = left.truth.steps.iloc[4]
    t = np.linspace(row["ic_s"], row["ic_s"] + 0.05, 50001)
    peak = left.model.body_signals(t)[0][:, 2].max()
    assert row["impact_g"] == pytest.approx(peak, abs=5e-3)  # a supremum next to the foot-flat jump
    assert 5.0 < row["impact_g"] < 20.0


@settings(max_examples=8, deadline=None)
@given(st.floats(-180, 180), st.floats(-89, 89), st.floats(-180, 180))
def test_shoe_norms_invariant_under_mounting(yaw, pitch, roll):
    kw = dict(duration_s=3.0, fs=200.0, noise="ideal", seed=9)
    up, _ = simulate_shoes(mounting="upright", **kw)
    rot, _ = simulate_shoes(mounting=Mounting("fixed", euler_deg=(yaw, pitch, roll)), **kw)
    np.testing.assert_allclose(np.linalg.norm(rot.recording.acc, axis=1), np.linalg.norm(up.recording.acc, axis=1),
                               atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(rot.recording.gyr, axis=1), np.linalg.norm(up.recording.gyr, axis=1),
                               atol=1e-9)


def test_session_shares_steps_between_waist_and_shoes():
    sc = make_scenario(15.0, seed=6, asymmetry_pct=4.0, standing_s=(2.0, 0.0))
    s = simulate_session(sc, waist_fs=100.0, shoe_fs=200.0)
    w = s.waist.truth.steps
    for foot, side in ((s.left, "L"), (s.right, "R")):
        ws = w[w["side"] == side]
        common = np.intersect1d(np.round(ws["ic_s"], 9), np.round(foot.truth.steps["ic_s"], 9))
        assert common.size >= min(len(ws), len(foot.truth.steps)) - 1
        fs = foot.truth.steps.set_index(np.round(foot.truth.steps["ic_s"], 9))
        wsi = ws.set_index(np.round(ws["ic_s"], 9))
        np.testing.assert_allclose(fs.loc[common, "gct_ms"], wsi.loc[common, "gct_ms"], rtol=1e-12)
    gl = s.left.truth.summary["gct_ms"]
    gr = s.right.truth.summary["gct_ms"]
    assert 100 * gl / (gl + gr) == pytest.approx(51.0, abs=0.15)


def test_shoe_truth_json_round_trip(tmp_path, pair):
    left, _ = pair
    left.truth.to_json(tmp_path / "l.json")
    back = Truth.from_json(tmp_path / "l.json")
    assert back.placement == "shoe" and back.side == "L"
    np.testing.assert_allclose(back.steps["stride_length_m"], left.truth.steps["stride_length_m"], equal_nan=True)
    assert list(back.steps["strike_class"]) == list(left.truth.steps["strike_class"])


def test_standing_shoe_reads_gravity(pair):
    left, _ = pair
    rec = left.recording
    still = rec.t < 1.0
    np.testing.assert_allclose(rec.acc[still], np.tile([0.0, 0.0, 1.0], (still.sum(), 1)), atol=1e-12)
    assert G_MPS2 == 9.80665
