"""Side attribution, asymmetry with its uncertainty, and mounting awareness (issue 13).

Synthetic runs with exact truth (gaitlab.synth and gaitlab.synth.mounting): a healthy runner seen by
a sensor on the sacrum, on a hip belt (15 cm to the side of a rolling pelvis, near-leg impacts
x1.5) and in a front pocket with a phone's clock; an asymmetric runner on the sacrum.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gaitlab
from gaitlab.gait.metrics import side_means_ci
from gaitlab.gait.mounting import infer_mounting, stride_half_steps
from gaitlab.gait.orientation import _sign_score, estimate_orientation
from gaitlab.gait.sides import assign_sides, chain_ids
from gaitlab.kernels.walking import walking_contacts
from gaitlab.recording import Recording
from gaitlab.synth import simulate_waist
from gaitlab.synth.mounting import SITES, OffsetSensorModel, simulate_mounted_waist
from gaitlab.validation import match_events

from .reference import naive_walking

#: long enough for the asymmetry rule (>= 2 min and >= 100 steps per side)
RUN_S = 180.0


def _side_accuracy(analysis, truth) -> float:
    s, t = analysis.steps, truth.steps
    di, ri = match_events(s["ic_s"].to_numpy(), t["ic_s"].to_numpy(), 0.05)
    return float(np.mean(s["side"].to_numpy(dtype=object)[di] == t["side"].to_numpy(dtype=object)[ri]))


def _asymmetry_flags(analysis) -> list[dict]:
    return [f for f in analysis.flags if f["code"] == "asymmetry"]


@pytest.fixture(scope="module")
def hip_belt_runs():
    return {site: simulate_mounted_waist(RUN_S, fs=100.0, site=site, seed=3, noise="realistic",
                                         mounting="tilted")
            for site in ("hip_belt_left", "hip_belt_right")}


@pytest.mark.parametrize("site", ["hip_belt_left", "hip_belt_right"])
def test_hip_belt_healthy_runner_no_asymmetry_flag_no_side_swap(hip_belt_runs, site):
    run = hip_belt_runs[site]
    a = gaitlab.analyze(run.recording)
    assert a.input["mounting"] == "off_midline"
    assert "midline" in a.input["per_side_reason"]
    # per-side metrics are not measurable with this mounting: null with the reason, never a flag
    assert not _asymmetry_flags(a)
    assert math.isnan(a.summary["gct_balance_left_pct"])
    assert math.isnan(a.summary["step_time_asymmetry_pct"])
    assert math.isnan(a.summary["gct_left_ms"]) and a.summary["per_side_reason"]
    assert a.segments["gct_balance_left_pct"].isna().all()
    js = a.to_dict()
    assert js["input"]["mounting"] == "off_midline" and js["summary"]["gct_balance_left_pct"] is None
    # sides still right for every step (labels never swap) and cadence exact
    assert _side_accuracy(a, run.truth) == 1.0
    assert abs(a.summary["cadence_spm"] - run.truth.summary["cadence_spm"]) < 0.5


def test_hip_belt_step_times_are_half_strides(hip_belt_runs):
    """Off the midline single step times alternate short-long; half strides are unbiased."""
    run = hip_belt_runs["hip_belt_left"]
    a = gaitlab.analyze(run.recording, report=False)
    r = a.running_steps
    ci = side_means_ci(r["step_time_ms"], r["side"])
    assert ci["si_pct"] < 1.0  # truth: 0 (a symmetric runner)


def test_sacrum_healthy_runner_ci_and_no_flag():
    run = simulate_waist(RUN_S, fs=100.0, seed=4, noise="realistic", mounting="tilted")
    a = gaitlab.analyze(run.recording)
    assert a.input["mounting"] == "midline" and a.input["per_side_reason"] is None
    assert not _asymmetry_flags(a)
    s = a.summary
    for name in ("gct", "step_time", "impact"):
        unit = {"gct": "ms", "step_time": "ms", "impact": "g"}[name]
        lo, mid, hi = s[f"{name}_left_ci_lo_{unit}"], s[f"{name}_left_{unit}"], s[f"{name}_left_ci_hi_{unit}"]
        assert lo < mid < hi
        assert s[f"{name}_si_ci_lo_pct"] <= 1.5  # a symmetric runner: the interval reaches ~0
    truth = run.truth.steps[run.truth.steps["valid"] & (run.truth.steps["activity"] == "running")]
    for side, key in (("L", "step_time_left_ms"), ("R", "step_time_right_ms")):
        want = truth.loc[truth["side"] == side, "step_time_ms"].mean()
        half = s[key] - s[key.replace("_ms", "_ci_lo_ms")]
        assert abs(s[key] - want) <= half + 1.0  # the interval (plus 1 ms timing floor) holds the truth
    assert _side_accuracy(a, run.truth) == 1.0


def test_asymmetric_runner_flag_carries_its_interval():
    run = simulate_waist(RUN_S, fs=100.0, seed=5, asymmetry_pct=10.0, noise="clean")
    a = gaitlab.analyze(run.recording)
    flags = _asymmetry_flags(a)
    assert flags, a.flags
    ev = flags[0]["evidence"]
    lo, hi = ev["ci95_pct"]
    assert lo > ev["threshold"] and lo <= ev["value"] <= hi
    assert "95 % interval" in flags[0]["message"]


def test_side_labels_do_not_swap_across_gaps():
    run = simulate_waist(RUN_S, fs=100.0, seed=6, gaps=6, noise="realistic", mounting="tilted")
    a = gaitlab.analyze(run.recording, report=False)
    assert len(a.gaps) >= 3
    assert _side_accuracy(a, run.truth) == 1.0


def test_pocket_phone_timing_cadence():
    """A phone held in a front pocket: jittered host timestamps, exact cadence, no standing.

    (Its face points forwards like a midline device's, and without the thigh's swing its step
    alternation is mild: it may pass as midline, see docs/mounting.md.)"""
    run = simulate_mounted_waist(RUN_S, fs=100.0, site="pocket_left", seed=7, noise="realistic")
    assert "device_time_s" in run.recording.extra  # jittered host timestamps
    a = gaitlab.analyze(run.recording, report=False)
    assert abs(a.summary["cadence_spm"] - run.truth.summary["cadence_spm"]) < 0.5
    assert a.summary["standing_s"] < 1.0
    assert _side_accuracy(a, run.truth) == 1.0


def test_device_face_sideways_means_side_of_hip(hip_belt_runs):
    a = gaitlab.analyze(hip_belt_runs["hip_belt_right"].recording, report=False)
    assert a.input["mounting_face_sideways"] > 0.95
    mid = gaitlab.analyze(simulate_waist(60.0, fs=100.0, seed=12).recording, report=False)
    assert mid.input["mounting_face_sideways"] < 0.3


def test_offset_sensor_lever_arm_is_exact():
    """A sensor at r on the pelvis reads f + dw/dt x r + w x (w x r); nothing at r = 0."""
    run = simulate_waist(10.0, fs=100.0, seed=8)
    model = run.model
    t = np.linspace(2.0, 8.0, 2001)
    mid = OffsetSensorModel(model, SITES["sacrum"])
    np.testing.assert_allclose(mid.specific_force_body(t), model.specific_force_body(t), atol=1e-12)
    side = OffsetSensorModel(model, SITES["hip_belt_left"])
    lever = side.lever_g(t)
    # pelvic roll moves a sensor 15 cm to the side up and down: a vertical stride-rhythm force
    assert 0.03 < np.abs(lever[:, 2]).max() < 1.0
    # the lever force of a rigid rotation integrates to the velocity of r x w: periodic, zero mean
    assert abs(lever[:, 2].mean()) < 0.01


def test_thigh_swing_is_recognised():
    """Gravity swinging +-30 deg at the stride rhythm in the sensor frame: a thigh, not the trunk."""
    run = simulate_waist(60.0, fs=100.0, seed=9)
    rec = run.recording
    f_stride = run.truth.summary["cadence_spm"] / 120.0
    ang = np.deg2rad(30.0) * np.sin(2 * np.pi * f_stride * rec.t)
    c, s = np.cos(ang), np.sin(ang)
    acc = rec.acc.copy()
    x, z = acc[:, 0].copy(), acc[:, 2].copy()
    acc[:, 0], acc[:, 2] = c * x + s * z, -s * x + c * z  # pitch rotation of the sensor
    thigh = Recording(rec.t, acc, None, fs=rec.fs, placement="waist")
    ori = estimate_orientation(thigh.acc, thigh.fs)
    assert infer_mounting(thigh.acc, thigh.fs, ori).kind == "thigh"
    ori0 = estimate_orientation(rec.acc, rec.fs)
    assert infer_mounting(rec.acc, rec.fs, ori0).kind == "midline"
    a = gaitlab.analyze(thigh, report=False)
    assert a.input["mounting"] == "thigh"
    assert a.steps["gct_ms"].isna().all() and math.isnan(a.summary["vo_cm"])


def test_walking_forward_sign_follows_the_pendulum():
    """Walking couples forward force and the rise of the vertical force the other way round."""
    fs = 100.0
    t = np.arange(0, 20, 1 / fs)
    T = 0.55  # walking step (s)
    ph = 2 * np.pi * t / T
    fz = 1.0 + 0.25 * np.cos(ph)  # highest at double support (IC), lowest at mid-stance
    ap = -0.15 * np.sin(ph)  # braking after IC (vertical falling), propelling while it rises
    assert _sign_score(ap, fz, int(T * fs)) < 0  # true forward: not flipped
    run_fz = np.clip(2.5 * np.sin(ph), 0, None)  # running: flight at 0 g, braking while rising
    run_ap = -0.4 * np.sin(2 * ph) * (run_fz > 0)
    assert _sign_score(run_ap, run_fz, int(T * fs)) < 0


def test_chain_breaks_and_signature_keep_labels():
    """A chain after a missed step follows the other chains' per-side signature, not its noise."""
    rng = np.random.default_rng(0)
    n = 400
    true_left = np.arange(n) % 2 == 0
    st_ms = np.full(n, 350.0)
    st_ms[200] = 700.0  # a missed contact: the alternation is lost here
    keep = np.ones(n, dtype=bool)
    keep[201] = False  # drop one step so the parity after the break is shifted
    impact = np.where(true_left, 4.3, 2.8) + rng.normal(0, 0.3, n)  # sensor over the left hip
    ev = np.where(true_left, 1.0, -1.0) * 0.2 + rng.normal(0, 1.0, n)  # weak lateral evidence
    ev[202:] *= -1.0  # ... which even points the wrong way after the break
    st_k, imp_k, ev_k, tl_k = st_ms[keep], impact[keep], ev[keep], true_left[keep]
    act = np.full(st_k.size, "running", dtype=object)
    chain = chain_ids(st_k, act)
    assert chain.max() == 1
    side = assign_sides(ev_k, chain, [imp_k])
    got_left = side == "L"
    assert np.mean(got_left == tl_k) in (0.0, 1.0)  # consistent labels: one run-wide choice
    assert np.all(got_left[chain == 0] == tl_k[chain == 0]) == np.all(got_left[chain == 1] == tl_k[chain == 1])


def test_stride_half_steps():
    t = np.array([0.0, 0.30, 0.72, 1.02, 1.44])
    nxt = np.append(t[1:], np.nan)
    st_ms = (nxt - t) * 1e3
    out = stride_half_steps(t, nxt, st_ms)
    np.testing.assert_allclose(out[:3], [360.0, 360.0, 360.0])
    assert math.isnan(out[-1])


def test_side_means_ci_widens_with_correlation():
    rng = np.random.default_rng(1)
    x = rng.normal(250, 10, 400)
    side = np.where(np.arange(400) % 2 == 0, "L", "R")
    ci = side_means_ci(x, side)
    assert ci["left_lo"] < ci["left"] < ci["left_hi"] and ci["si_lo_pct"] <= ci["si_pct"] <= ci["si_hi_pct"]
    drift = x + np.repeat(rng.normal(0, 15, 40), 10)  # slow pace changes: correlated steps
    wide = side_means_ci(drift, side)
    assert (wide["left_hi"] - wide["left_lo"]) > (ci["left_hi"] - ci["left_lo"])


def test_paired_symmetry_sees_an_alternation_through_pace_drift():
    """Step times alternating short-long by 20 % while the pace drifts (a pocket phone on a jog whose
    pace changes): the per-side means carry the drift, the within-pair differences do not."""
    from gaitlab.gait.metrics import paired_symmetry_ci

    rng = np.random.default_rng(3)
    n = 80
    side = np.where(np.arange(n) % 2 == 0, "L", "R")
    base = 360.0 + np.repeat(rng.normal(0.0, 40.0, n // 8), 8)  # pace changes every 4 strides
    x = base * np.where(side == "L", 1.1, 0.9) + rng.normal(0.0, 15.0, n)
    use = np.ones(n, dtype=bool)
    paired = paired_symmetry_ci(x, side, use)
    unpaired = side_means_ci(x, side)
    assert paired["n_pairs"] == n // 2
    assert paired["si_lo_pct"] > 14.0 and paired["si_lo_pct"] > unpaired["si_lo_pct"] + 5.0, (paired, unpaired)
    # a symmetric runner with the same drift shows no alternation
    even = base + rng.normal(0.0, 15.0, n)
    assert paired_symmetry_ci(even, side, use)["si_lo_pct"] < 3.0
    # pairs are consecutive steps of opposite sides, both used, and do not overlap
    use[10] = False
    gap = paired_symmetry_ci(x, side, use)
    assert gap["n_pairs"] == n // 2 - 1


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(10, 400), elements=st.floats(0.0, 2.5, allow_nan=False)),
       st.integers(3, 30), st.integers(31, 120))
def test_walking_contacts_match_reference(x, lo, hi):
    smooth = np.convolve(x, np.ones(5) / 5, mode="same")
    slope = np.ascontiguousarray(np.append(np.diff(x), 0.0))
    busy = np.zeros(x.size, dtype=bool)
    busy[: x.size // 7] = True
    got = walking_contacts(smooth, slope, busy, lo, hi, 0.1, 3)
    want = naive_walking.walking_contacts(smooth, slope, busy, lo, hi, 0.1, 3)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1])


def test_remount_starts_a_new_group_and_sides_stay_right():
    """The sensor turned round halfway (a re-mount): a new mounting group, sides still right."""
    from gaitlab.gait.mounting import remount_groups

    a = simulate_waist(60.0, fs=100.0, seed=10)
    b = simulate_waist(60.0, fs=100.0, seed=11)
    turn = np.diag([-1.0, -1.0, 1.0])  # 180 deg about the vertical
    t = np.concatenate((a.recording.t, b.recording.t + 60.0))
    acc = np.vstack((a.recording.acc, b.recording.acc @ turn.T))
    rec = Recording(t, acc, None, fs=100.0, placement="waist")
    ori = estimate_orientation(rec.acc, rec.fs)
    truth_ic = np.concatenate((a.truth.steps["ic_s"], b.truth.steps["ic_s"] + 60.0))
    groups = remount_groups(ori, rec.t, truth_ic)
    assert groups[0] == 0 and groups[-1] == 1 and np.all(np.diff(groups) >= 0)
    res = gaitlab.analyze(rec, report=False)
    s = res.steps
    truth_side = np.concatenate((a.truth.steps["side"], b.truth.steps["side"])).astype(object)
    di, ri = match_events(s["ic_s"].to_numpy(), truth_ic, 0.05)
    assert np.mean(s["side"].to_numpy(dtype=object)[di] == truth_side[ri]) >= 0.99
