"""Invariants of the synthetic waist generator (running_science.md §4.5) and its scenario layers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitlab.errors import InputError
from gaitlab.synth import (
    G_MPS2,
    CadenceChange,
    Fatigue,
    Gaps,
    Mounting,
    Segments,
    SensorModel,
    Timing,
    Truth,
    WaistMotion,
    make_scenario,
    simulate_waist,
)
from gaitlab.synth.schedule import build_schedule
from gaitlab.synth.waist import CONTACT, FLIGHT, WaistModel

G = G_MPS2
#: anti-alias FIR only: no noise, no quantisation
SENSOR_NO_NOISE = SensorModel(antialias=True)


def _model(**kw) -> WaistModel:
    sc = make_scenario(**kw)
    return WaistModel(build_schedule(sc), sc)


def _stride_grid(m: WaistModel, i: int, n: int = 40001) -> np.ndarray:
    s = m.schedule
    return np.linspace(s.ic_s[i], s.ic_s[i + 2], n)


@pytest.fixture(scope="module")
def steady() -> WaistModel:
    return _model(duration_s=12.0, step_cv_pct=0.0)


@pytest.fixture(scope="module")
def varied() -> WaistModel:
    # unequal steps: asymmetry plus step-time variability (B_i != 0)
    return _model(duration_s=12.0, step_cv_pct=3.0, asymmetry_pct=8.8, seed=5)


@pytest.fixture(scope="module")
def heel_slope() -> WaistModel:
    # heel-strike bump in the ground force, varying from step to step, landing 2 cm below take-off
    motion = WaistMotion(heel_impact_g=2.0, heel_impact_ms=45.0, force_shape_cv_pct=20.0, landing_offset_cm=-2.0)
    return _model(duration_s=12.0, step_cv_pct=2.0, asymmetry_pct=5.0, seed=7, waist_motion=motion)


@pytest.mark.parametrize("which", ["steady", "heel_slope"])
def test_mean_vertical_is_1g_over_strides(which, request):
    m = request.getfixturevalue(which)
    for i in range(10, 20):
        t = _stride_grid(m, i)
        span = t[-1] - t[0]
        s = m.schedule
        # the mean over a stride is g plus the stride's change of vertical velocity over its span
        f, v, _ = m.vertical(t)
        expected = 1.0 + (v[-1] - v[0]) / span / G
        assert np.trapezoid(f, t) / span / G == pytest.approx(expected, abs=1e-6)
        assert s.n_steps > 20


def test_heel_strike_bump_is_in_the_ground_force_and_varies(heel_slope):
    m = heel_slope
    s = m.schedule
    contacts = np.flatnonzero(m._p_kind == CONTACT)[5:30]
    d = m._p_d[contacts]
    f_peak = m.vertical(m._p_start[contacts] + d / 2, force_only=True)
    f_after = m.vertical(m._p_start[contacts] + d, force_only=True)
    assert np.all(f_peak > f_after)  # an impact peak, then the dip before the active peak
    assert np.std(m._p_I[contacts]) / np.mean(m._p_I[contacts]) > 0.1  # step-to-step variation
    # the bump starts with zero slope: the force builds up at contact
    early = m.vertical(m._p_start[contacts] + 1e-4, force_only=True)
    assert np.all(early < 0.05 * G)
    assert s.n_steps > 20


def test_landing_is_lower_than_take_off_downhill(heel_slope):
    m = heel_slope
    s = m.schedule
    i = np.arange(5, 25)
    z_to = m.vertical(s.to_s[i])[2]
    z_ic = m.vertical(s.ic_s[i + 1])[2]
    tf = s.ic_s[i + 1] - s.to_s[i]
    expected = np.maximum(-0.02, -0.9 * G * tf**2 / 2)
    np.testing.assert_allclose(z_ic - z_to, expected, atol=1e-9)
    # so the flight apex is not midway: IC = 2 apex - TO would be early
    v_to = m.vertical(s.to_s[i])[1]
    apex = s.to_s[i] + v_to / G
    assert np.all(2 * apex - s.to_s[i] < s.ic_s[i + 1] - 0.005)


def test_mean_vertical_is_1g_and_horizontal_0_over_strides(steady):
    for i in range(10, 20):
        t = _stride_grid(steady, i)
        f_z = steady.vertical(t, force_only=True)
        f_x, f_y = steady.horizontal(t)
        span = t[-1] - t[0]
        assert np.trapezoid(f_z, t) / span / G == pytest.approx(1.0, abs=1e-6)
        assert abs(np.trapezoid(f_x, t) / span) / G < 1e-6
        assert abs(np.trapezoid(f_y, t) / span) / G < 1e-6


def test_ml_impulse_cancels_with_unequal_steps(varied):
    for i in range(10, 20):
        t = _stride_grid(varied, i)
        f_y = varied.horizontal(t)[1]
        assert abs(np.trapezoid(f_y, t) / (t[-1] - t[0])) / G < 1e-6


@pytest.mark.parametrize("which", ["steady", "varied", "heel_slope"])
def test_zero_g_in_flight_and_ground_never_pulls(which, request):
    m = request.getfixturevalue(which)
    kind, start, dur = m._p_kind, m._p_start, m._p_dur
    flights = np.flatnonzero(kind == FLIGHT)[5:40]
    t = (start[flights, None] + dur[flights, None] * np.linspace(0.01, 0.99, 50)).ravel()
    assert np.all(m.vertical(t, force_only=True) == 0.0)
    contacts = np.flatnonzero(kind == CONTACT)
    t = (start[contacts, None] + dur[contacts, None] * np.linspace(0, 1, 201)).ravel()
    assert m.vertical(t, force_only=True).min() >= -1e-9


@pytest.mark.parametrize("which", ["steady", "varied", "heel_slope"])
def test_height_closes_per_stride(which, request):
    m = request.getfixturevalue(which)
    s = m.schedule
    z_ic = m.vertical(s.ic_s)[2]
    assert np.abs(z_ic[2:] - z_ic[:-2]).max() < 1e-6
    # independent check: integrate the force twice numerically (Simpson) over three strides
    from scipy.integrate import cumulative_simpson

    i, per_step = 12, 4000
    # a grid with a node exactly on every IC
    t = np.concatenate([np.linspace(s.ic_s[k], s.ic_s[k + 1], per_step + 1)[:-1] for k in range(i, i + 6)]
                       + [s.ic_s[i + 6: i + 7]])
    f, v, _z = m.vertical(t)
    vel = v[0] + cumulative_simpson(f - G, x=t, initial=0.0)
    height = cumulative_simpson(vel, x=t, initial=0.0)
    for k in (2, 4, 6):
        assert abs(height[k * per_step] - height[0]) < 1e-6


@pytest.mark.parametrize("tc_ms,cadence", [(250.0, 171.4), (210.0, 180.0), (290.0, 160.0)])
def test_vo_and_fmax_closed_forms(tc_ms, cadence):
    run = simulate_waist(8.0, 100.0, gct_ms=tc_ms, cadence_spm=cadence, step_cv_pct=0.0, noise="ideal")
    T, tc = 60.0 / cadence, tc_ms / 1000.0
    tf = T - tc
    vo = G * T * tc / (2 * math.pi) - G * tc**2 / 8 + G * tf**2 / 8
    steps = run.truth.steps
    np.testing.assert_allclose(steps["vo_cm"], vo * 100, atol=1e-4)
    m = run.model
    ic = run.schedule.ic_s[5]
    t = np.linspace(ic, ic + tc, 20001)
    fmax = m.vertical(t, force_only=True).max() / G
    assert fmax == pytest.approx(math.pi / 2 * (1 + tf / tc), rel=1e-6)
    # the worked default of running_science.md §4.1
    if tc_ms == 250.0:
        assert steps["vo_cm"].mean() == pytest.approx(7.22, abs=0.005)
        assert fmax == pytest.approx(2.20, abs=0.005)


def test_braking_truth_is_p_tc_over_pi():
    run = simulate_waist(8.0, 100.0, step_cv_pct=2.0, motion=WaistMotion(braking_g=0.35))
    steps = run.truth.steps
    expected = 0.35 * G * steps["gct_ms"] / 1000 / math.pi
    np.testing.assert_allclose(steps["braking_mps"], expected, rtol=1e-9)
    # and it is what the AP force really removes from IC to its zero crossing
    m, i = run.model, 7
    ic, tc = run.schedule.ic_s[i], run.schedule.tc_s[i]
    t = np.linspace(ic, ic + tc / 2, 20001)
    lost = -np.trapezoid(m.horizontal(t)[0], t)
    assert lost == pytest.approx(m.braking_mps()[i], rel=1e-6)


def test_determinism_for_a_seed():
    kw = dict(duration_s=10.0, fs=100.0, noise="realistic", mounting="random", gyro=True, gaps=2,
              step_cv_pct=3.0)
    a, b = simulate_waist(seed=7, **kw), simulate_waist(seed=7, **kw)
    c = simulate_waist(seed=8, **kw)
    assert a.recording == b.recording
    assert a.truth.steps.equals(b.truth.steps)
    assert not np.array_equal(a.recording.acc[:500], c.recording.acc[:500])


@pytest.mark.parametrize("delta", [0.0, 1.6, 3.2, 8.8])
def test_asymmetry_truth_matches_delta(delta):
    run = simulate_waist(20.0, 100.0, asymmetry_pct=delta, step_cv_pct=0.0, noise="ideal")
    s = run.truth.summary
    assert s["gct_balance_left_pct"] == pytest.approx(50.0 * (1 + delta / 200.0), abs=1e-6)
    assert s["gct_symmetry_index_pct"] == pytest.approx(delta, abs=1e-4)
    assert s["step_time_asymmetry_pct"] == pytest.approx(0.0, abs=1e-6)  # flights absorb it
    steps = run.truth.steps
    assert (steps["side"].to_numpy()[1:] != steps["side"].to_numpy()[:-1]).all()


def test_fatigue_drifts_as_claimed():
    run = simulate_waist(300.0, 50.0, fatigue=Fatigue(gct_rise_pct=6.0, cadence_drop_pct=4.0, lean_rise_deg=4.0),
                         step_cv_pct=1.0, noise="ideal")
    st_ = run.truth.steps
    early, late = st_[st_["ic_s"] < 30], st_[st_["ic_s"] > 270]
    assert late["gct_ms"].mean() / early["gct_ms"].mean() == pytest.approx(1.06 * (1 - 0.005) / (1 + 0.0005), abs=0.01)
    assert late["cadence_spm"].mean() / early["cadence_spm"].mean() == pytest.approx(0.96, abs=0.01)
    assert late["pelvic_tilt_deg"].mean() - early["pelvic_tilt_deg"].mean() == pytest.approx(3.6, abs=0.1)


def test_cadence_change_ramps_to_new_value():
    run = simulate_waist(60.0, 50.0, cadence_changes=[CadenceChange(20.0, 180.0, ramp_steps=20)],
                         step_cv_pct=0.0, noise="ideal")
    st_ = run.truth.steps
    assert st_[st_["ic_s"] < 19]["cadence_spm"].to_numpy() == pytest.approx(171.4, abs=1e-6)
    assert st_[st_["ic_s"] > 30]["cadence_spm"].to_numpy() == pytest.approx(180.0, abs=1e-6)
    ramp = st_[(st_["ic_s"] > 20) & (st_["ic_s"] < 26)]["cadence_spm"].to_numpy()
    assert np.all(np.diff(ramp) > 0) and ramp[0] < 175


def test_walking_has_double_support_and_no_flight():
    run = simulate_waist(40.0, 100.0, walking=[(10.0, 15.0)], standing_s=(3.0, 3.0), noise="ideal")
    st_ = run.truth.steps
    walk = st_[st_["activity"] == "walking"]
    assert len(walk) > 20
    assert (walk["duty_factor"] > 0.5).all() and walk["flight_ms"].isna().all()
    assert (walk["gct_ms"] > walk["step_time_ms"]).all()
    t = np.linspace(walk["ic_s"].iloc[0], walk["ic_s"].iloc[-1], 50000)
    assert run.model.vertical(t, force_only=True).min() / G > 0.3  # never 0 g
    s = run.truth.summary
    assert s["walking_s"] == pytest.approx(15.0, abs=1.0)
    assert s["standing_s"] == pytest.approx(6.0, abs=1.0)


def test_standing_reads_one_g():
    run = simulate_waist(20.0, 100.0, standing_s=(4.0, 4.0), noise="ideal", mounting="random", gyro=True)
    rec = run.recording
    still = rec.t < 3.0
    np.testing.assert_allclose(np.linalg.norm(rec.acc[still], axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(rec.gyr[still], 0.0, atol=1e-9)
    assert rec.extra["speed_mps"][still].max() == 0.0
    assert run.truth.steps["ic_s"].min() >= 4.0 - 1e-9


def test_gaps_remove_samples_and_mark_steps():
    run = simulate_waist(60.0, 100.0, gaps=Gaps(n=3, duration_s=(0.5, 1.0), packet_loss_pct=0.5), seed=3)
    rec, truth = run.recording, run.truth
    assert rec.n_samples < 6000
    np.testing.assert_allclose(rec.gaps, truth.gaps)
    steps = truth.steps
    assert steps["in_gap"].sum() >= 3
    assert not steps.loc[steps["in_gap"], "valid"].any()
    for a, b in truth.gaps:
        hit = (steps["ic_s"] < b) & (steps["ic_s"] + steps["step_time_ms"] / 1000 > a)
        assert steps.loc[hit, "in_gap"].all()


def test_clock_ppm_and_jitter():
    ppm = 50.0
    a = simulate_waist(30.0, 100.0, noise="ideal")
    b = simulate_waist(30.0, 100.0, noise="ideal", timing=Timing(clock_ppm=ppm, jitter_ms=3.0))
    n = min(len(a.truth.steps), len(b.truth.steps))
    np.testing.assert_allclose(b.truth.steps["ic_s"][:n], a.truth.steps["ic_s"][:n] * (1 + ppm * 1e-6), rtol=1e-12)
    dev = b.recording.extra["device_time_s"]
    np.testing.assert_allclose(dev, np.arange(dev.size) / 100.0)
    assert np.all(np.diff(b.recording.t) > 0)
    jitter = b.recording.t - dev
    assert 0.5e-3 < jitter.std() < 4.5e-3


def _stride_mean_body(run, i0: int, n_steps: int) -> np.ndarray:
    s = run.schedule
    t = np.linspace(s.ic_s[i0], s.ic_s[i0 + n_steps], 200001)
    return run.model.specific_force_body(t).mean(axis=0)


def _recorded_mean(run, i0: int, n_steps: int) -> np.ndarray:
    s, rec = run.schedule, run.recording
    sel = (rec.t >= s.ic_s[i0]) & (rec.t < s.ic_s[i0 + n_steps])
    return rec.acc[sel].mean(axis=0)


def test_realistic_sensor_is_scaled_biased_rotated_body_force():
    run = simulate_waist(30.0, 200.0, noise="realistic", mounting="random", seed=11)
    acc = run.recording.acc
    lsb = 32.0 / 2**16
    np.testing.assert_allclose(acc / lsb, np.round(acc / lsb), atol=1e-9)
    i0 = int(np.searchsorted(run.schedule.ic_s, 5.0))
    sen = run.sensor
    expected = (sen.R_mount.T @ _stride_mean_body(run, i0, 40)) * sen.acc_scale + sen.acc_bias_g
    np.testing.assert_allclose(_recorded_mean(run, i0, 40), expected, atol=3e-3)
    # the ideal mean over whole strides is gravity seen through the pelvic tilt (mean |f| = 1 g)
    ideal = _stride_mean_body(run, i0, 40)
    assert np.linalg.norm(ideal) == pytest.approx(1.0, abs=0.01)
    tilt = math.degrees(math.atan2(-ideal[0], ideal[2]))
    assert tilt == pytest.approx(run.truth.summary["pelvic_tilt_deg"], abs=0.5)


def test_fir_decimation_keeps_stride_means():
    run = simulate_waist(20.0, 100.0, noise="clean")
    i0 = int(np.searchsorted(run.schedule.ic_s, 2.0))
    np.testing.assert_allclose(_recorded_mean(run, i0, 40), _stride_mean_body(run, i0, 40), atol=2e-3)


def test_ml_points_to_stance_side_in_body_frame():
    run = simulate_waist(10.0, 200.0, noise="ideal", motion=WaistMotion(ml_impact_g=0.0))
    m, s = run.model, run.schedule
    for i in range(5, 15):
        t = np.linspace(s.ic_s[i], s.ic_s[i] + s.tc_s[i], 201)
        f_y = m.specific_force_body(t)[:, 1].mean()
        assert np.sign(f_y) == s.side[i]  # +y = left for a left stance


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(-180, 180), st.floats(-89, 89), st.floats(-180, 180))
def test_norm_and_truth_invariant_under_mounting(yaw, pitch, roll):
    kw = dict(duration_s=4.0, fs=100.0, noise="ideal", gyro=True, seed=2)
    up = simulate_waist(mounting="upright", **kw)
    rot = simulate_waist(mounting=Mounting("fixed", euler_deg=(yaw, pitch, roll)), **kw)
    np.testing.assert_allclose(np.linalg.norm(rot.recording.acc, axis=1), np.linalg.norm(up.recording.acc, axis=1),
                               atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(rot.recording.gyr, axis=1), np.linalg.norm(up.recording.gyr, axis=1),
                               atol=1e-9)
    R = rot.sensor.R_mount
    np.testing.assert_allclose(rot.recording.acc @ R.T, up.recording.acc, atol=1e-12)
    assert rot.truth.steps.equals(up.truth.steps)


def test_truth_json_round_trip(tmp_path):
    run = simulate_waist(20.0, 100.0, walking=[(8.0, 5.0)], gaps=1, standing_s=(2.0, 0.0))
    path = tmp_path / "truth.json"
    run.truth.to_json(path)
    back = Truth.from_json(path)
    assert back.placement == "waist"
    assert list(back.steps.columns) == list(run.truth.steps.columns)
    for c in run.truth.steps.columns:
        a, b = run.truth.steps[c].to_numpy(), back.steps[c].to_numpy()
        if a.dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=1e-15, equal_nan=True)
        else:
            assert list(a) == list(b), c
    assert back.summary["cadence_spm"] == pytest.approx(run.truth.summary["cadence_spm"], rel=1e-15)
    np.testing.assert_allclose(back.gaps, run.truth.gaps)
    assert back.params["scenario"]["seed"] == 0


@pytest.mark.parametrize("kw,match", [
    (dict(gct_ms=400.0, cadence_spm=180.0), "walking, not running"),
    (dict(cadence_spm=20.0), "cadence_spm"),
    (dict(standing_s=(40.0, 40.0)), "standing"),
])
def test_bad_scenarios_raise_input_error(kw, match):
    with pytest.raises(InputError, match=match):
        simulate_waist(60.0, 100.0, **kw)


def test_bad_options_raise_input_error():
    with pytest.raises(InputError, match="noise"):
        simulate_waist(5.0, noise="loud")
    with pytest.raises(InputError, match="mounting"):
        simulate_waist(5.0, mounting="sideways")
    with pytest.raises(InputError, match="fs"):
        simulate_waist(5.0, fs=1.0)


def test_bw_crossing_lag_matches_running_science():
    """§4.1 worked default: the F = BW up-crossing comes (tc/pi) asin(mg/Fmax) = 37.6 ms after IC, and
    the effective contact (time above 1 g) is 175 ms."""
    run = simulate_waist(6.0, 200.0, step_cv_pct=0.0, noise="ideal")
    s, m = run.schedule, run.model
    i = 6
    t = np.linspace(s.ic_s[i], s.ic_s[i] + s.tc_s[i], 250001)
    above = m.vertical(t, force_only=True) > G
    up, down = t[np.argmax(above)], t[len(above) - 1 - np.argmax(above[::-1])]
    assert (up - s.ic_s[i]) * 1e3 == pytest.approx(37.6, abs=0.05)
    assert (down - up) * 1e3 == pytest.approx(175.0, abs=0.5)


@pytest.mark.parametrize("fs", [50.0, 1600.0])
def test_samples_sit_on_their_time_stamps(fs):
    """Ideal sampling returns the model at t; the anti-alias FIR adds no delay (linear phase, centred)."""
    quiet = WaistMotion(impact_g=0.0, ml_impact_g=0.0)
    ideal = simulate_waist(3.0, fs, noise="ideal", motion=quiet, gyro=True)
    rec = ideal.recording
    np.testing.assert_allclose(rec.acc, ideal.model.specific_force_body(rec.t), atol=1e-12)
    np.testing.assert_allclose(rec.gyr, ideal.model.angular_velocity_body(rec.t), atol=1e-6)
    clean = simulate_waist(3.0, fs, noise=SENSOR_NO_NOISE, motion=quiet)
    err = clean.recording.acc - rec.acc
    assert np.abs(err).max() < (0.08 if fs == 50.0 else 0.01)  # only the low-pass, no time shift
    # a one-sample shift would be far larger than the filter error
    shifted = np.abs(clean.recording.acc[1:] - rec.acc[:-1]).max()
    assert shifted > 2 * np.abs(err).max()


def test_standing_in_the_middle_splits_the_run():
    run = simulate_waist(40.0, 100.0, segments=Segments(standing=((15.0, 6.0),)), noise="ideal")
    st_ = run.truth.steps
    assert not ((st_["ic_s"] > 15.0) & (st_["ic_s"] < 21.0)).any()
    assert (st_["ic_s"] < 15.0).any() and (st_["ic_s"] > 21.0).any()
    rec = run.recording
    still = (rec.t > 16.0) & (rec.t < 20.5)
    np.testing.assert_allclose(np.linalg.norm(rec.acc[still], axis=1), 1.0, atol=1e-12)
    assert run.truth.summary["standing_s"] == pytest.approx(6.0, abs=0.7)


def test_pelvic_drop_and_peak_force_truth():
    run = simulate_waist(10.0, 100.0, step_cv_pct=0.0, noise="ideal",
                         motion=WaistMotion(roll_deg=5.0, roll_asymmetry_deg=2.0))
    s = run.truth.summary
    # contact (250 ms) is longer than half a step (175 ms): the roll passes its extreme in stance
    assert s["pelvic_drop_left_deg"] == pytest.approx(6.0, abs=1e-3)
    assert s["pelvic_drop_right_deg"] == pytest.approx(4.0, abs=1e-3)
    steps = run.truth.steps
    assert (steps["peak_g"] >= steps["impact_g"] - 1e-12).all()
    assert steps["peak_g"].mean() == pytest.approx(2.2, abs=0.15)  # Fmax seen through the pelvis rotation


def test_export_filter_is_zero_phase_and_clips():
    raw = simulate_waist(20.0, fs=500.0, seed=3, noise=SENSOR_NO_NOISE,
                         motion=WaistMotion(heel_impact_g=2.0, impact_g=0.3))
    exp = simulate_waist(20.0, fs=500.0, seed=3, noise=SENSOR_NO_NOISE, export_lowpass_hz=20.0,
                         export_clip_floor_g=0.0, motion=WaistMotion(heel_impact_g=2.0, impact_g=0.3))
    a, b = raw.recording.acc, exp.recording.acc
    assert b[:, 2].min() == 0.0 and a[:, 2].min() < 0.0
    # zero phase: no lag between raw and exported vertical signals; the edges are less steep
    x = a[1000:-1000, 2] - a[1000:-1000, 2].mean()
    y = b[1000:-1000, 2] - b[1000:-1000, 2].mean()
    lags = np.arange(-10, 11)
    corr = [np.dot(np.roll(y, k), x) for k in lags]
    assert lags[int(np.argmax(corr))] == 0
    assert np.diff(b[:, 2]).max() < 0.8 * np.diff(a[:, 2]).max()
    assert exp.truth.params["export"] == {"lowpass_hz": 20.0, "clip_floor_g": 0.0}
    pd_testing = pytest.importorskip("pandas").testing
    pd_testing.assert_frame_equal(raw.truth.steps, exp.truth.steps)
