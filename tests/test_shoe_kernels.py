"""Foot kernels against slow, obvious numpy twins and exact synthetic motions."""

from __future__ import annotations

import numpy as np

from gaitlab.kernels import foot as kf


def _naive_jerk(acc):
    out = np.zeros(acc.shape[0])
    out[1:-1] = np.linalg.norm(acc[2:] - 2 * acc[1:-1] + acc[:-2], axis=1)
    return out


def _naive_peaks(w, min_h, hw, rel, rel_hw):
    cand = [i for i in range(1, w.size - 1)
            if w[i] >= min_h and w[i] > w[i - 1] and w[i] >= w[i + 1]
            and w[i] == w[max(0, i - hw): i + hw + 1].max()
            and np.argmax(w[max(0, i - hw): i + hw + 1]) == i - max(0, i - hw)]
    out = []
    for i in cand:
        top = max(w[j] for j in cand if abs(j - i) <= rel_hw)
        if w[i] >= rel * top:
            out.append(i)
    return np.array(out, dtype=np.int64)


def test_jerk_norm_matches_numpy_twin_including_nan():
    rng = np.random.default_rng(0)
    acc = rng.normal(size=(500, 3))
    acc[100, 1] = np.nan
    got = kf.jerk_norm(acc)
    want = _naive_jerk(acc)
    np.testing.assert_allclose(got, want, equal_nan=True)
    assert np.isnan(got[99:102]).all() and np.isfinite(got[:99]).all()


def test_swing_peaks_matches_twin():
    rng = np.random.default_rng(1)
    t = np.arange(4000) / 200.0
    w = 600 * np.sin(2 * np.pi * t / 0.7) + 250 * np.sin(2 * np.pi * t / 0.7 * 3) + rng.normal(0, 5, t.size)
    got = kf.swing_peaks(w, 100.0, 60, 0.5, 200)
    want = _naive_peaks(w, 100.0, 60, 0.5, 200)
    np.testing.assert_array_equal(got, want)
    # one peak per 0.7 s period
    assert abs(np.median(np.diff(got)) - 140) <= 1


def _quat_to_mat(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def _rot(axis, ang):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(ang) * k + (1 - np.cos(ang)) * k @ k


def test_zupt_recovers_a_rotating_translating_sensor():
    """A sensor that moves 1.8 m forward and 0.1 m left while pitching and rolling, still at both
    ends, tilted at rest: the strapdown integration returns the exact horizontal distance."""
    fs = 1000.0
    n = 701
    t = np.arange(n) / fs
    T = t[-1]
    s = t / T
    shape = 10 * s**3 - 15 * s**4 + 6 * s**5  # min-jerk: zero velocity and acceleration at both ends
    dshape = (30 * s**2 - 60 * s**3 + 30 * s**4) / T
    ddshape = (60 * s - 180 * s**2 + 120 * s**3) / T**2
    disp = np.array([1.8, 0.1, 0.0])
    a_world = ddshape[:, None] * disp
    # orientation: constant mounting tilt, then pitch and roll excursions that return to zero
    mount = _rot([1, 2, 0.5], 0.4)
    pitch = 1.0 * np.sin(np.pi * s) ** 2
    roll = 0.3 * np.sin(2 * np.pi * s) * np.sin(np.pi * s)
    R = np.array([_rot([0, 1, 0], p) @ _rot([1, 0, 0], r) @ mount for p, r in zip(pitch, roll, strict=True)])
    f_world = a_world / 9.80665 + np.array([0, 0, 1.0])
    acc = np.einsum("nji,nj->ni", R, f_world)  # R^T f
    # body angular rate from finite differences of R (R_dot = R [w]x in the body frame)
    dR = np.gradient(R, 1 / fs, axis=0)
    W = np.einsum("nji,njk->nik", R, dR)
    gyr = np.degrees(np.column_stack([W[:, 2, 1], W[:, 0, 2], W[:, 1, 0]]))
    grav = acc[:1]  # at rest at the first sample only (min-jerk starts accelerating at once)
    length, dz, top = kf.zupt_strides(acc, gyr, np.array([0]), np.array([n - 1]), grav, fs)
    assert abs(length[0] - np.hypot(1.8, 0.1)) < 0.01
    assert abs(dz[0]) < 0.01
    assert shape[-1] == 1.0 and dshape[0] == dshape[-1] == 0.0  # at rest at both ends


def test_zupt_removes_linear_velocity_drift():
    """A constant accelerometer bias integrates to a velocity ramp; zero velocity at both ends
    removes it, so a still sensor with a bias travels (almost) nowhere."""
    fs = 500.0
    n = 400
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    acc[:, 0] += 0.05  # 50 mg bias forward
    gyr = np.zeros((n, 3))
    length, dz, _ = kf.zupt_strides(acc, gyr, np.array([0]), np.array([n - 1]), np.array([[0.0, 0.0, 1.0]]), fs)
    assert length[0] < 1e-6 and abs(dz[0]) < 1e-9


def test_contact_statistics_strike_angle_is_the_integrated_pitch():
    fs = 400.0
    n = 400
    t = np.arange(n) / fs
    w = np.zeros(n)
    ic, mid = 100.0, 160.0
    # the foot rotates toe-down by 12 deg between IC and mid-stance, flat at mid-stance
    seg = (t >= ic / fs) & (t < (ic + 40) / fs)
    w[seg] = -12.0 / (40 / fs)
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    acc[102, 2] = 6.0
    acc[110, 0] = -2.5
    roll = np.zeros(n)
    out = kf.contact_statistics(acc, w, roll, np.array([ic]), np.array([220.0]), np.array([mid]), fs, 0.05)
    impact, rate, brake, strike, rx, rv = (x[0] for x in out)
    assert impact == 6.0 and brake == 2.5
    assert abs(strike - 12.0) < 12.0 / 40  # one sample of the ramp
    assert rate > 0 and rx == 0.0 and rv == 0.0


# -- event kernels against the plain-Python twins (tests/reference/naive.py) -------------------
def _foot_signals(gyro: bool, seed: int = 4):
    from gaitlab.gait.foot_frame import estimate_foot_frame
    from gaitlab.gait.shoe import _norm, _to_foot
    from gaitlab.kernels.signal import moving_mean
    from gaitlab.synth import simulate_shoes

    left, _ = simulate_shoes(20.0, fs=200.0, seed=seed, mounting="random", noise="realistic", gyro=gyro,
                             walking=((8.0, 14.0),))
    rec = left.recording
    fr = estimate_foot_frame(rec.acc, rec.gyr, rec.fs)
    acc = _to_foot(rec.acc, fr.rot) / fr.gravity_g
    gyr = None if rec.gyr is None else _to_foot(rec.gyr, fr.rot)
    return rec.fs, acc, gyr, _norm, moving_mean


def test_contact_events_matches_twin():
    from tests.reference import naive

    fs, acc, gyr, _norm, moving_mean = _foot_signals(True)
    w = np.ascontiguousarray(-gyr[:, 1])
    gn = _norm(gyr)
    gn_s = moving_mean(gn[:, None], 3)[:, 0]
    w_s = moving_mean(w[:, None], 8)[:, 0]
    ms = kf.swing_peaks(w_s, 100.0, 50, 0.45, 200)
    d2 = kf.jerk_norm(acc)
    an = _norm(acc)
    args = (w, gn_s, gn, an, d2, ms, 50.0, 0.2, 12, 5, 4.0)
    got = kf.contact_events(*args)
    want = naive.foot_contact_events(*args)
    for g, x in zip(got, want, strict=True):
        np.testing.assert_allclose(g, x, equal_nan=True)
    assert np.isfinite(got[0]).sum() >= 20
    ok = np.isfinite(got[4])
    assert (got[1][ok] >= got[4][ok]).all()  # the toes' release comes after the push-off minimum


def test_acc_only_kernels_match_twins():
    from gaitlab.gait.shoe import FLAT_DEV_G, IMPACT_SPACING, _stride_period
    from tests.reference import naive

    fs, acc, _, _norm, moving_mean = _foot_signals(False)
    an = _norm(acc)
    an_s = moving_mean(an[:, None], 2)[:, 0]
    dev = np.abs(an_s - 1.0) + moving_mean(np.abs(an - an_s)[:, None], 2)[:, 0]
    d2 = kf.jerk_norm(acc)
    e = moving_mean(d2[:, None], 2)[:, 0]
    period = _stride_period(e, fs, 0.5, 2.6)
    thr = 4.0 * float(np.median(e))
    imp = kf.impact_peaks(e, period, IMPACT_SPACING, thr)
    np.testing.assert_array_equal(imp, naive.foot_impact_peaks(e, period, IMPACT_SPACING, thr))
    assert imp.size >= 20 and np.all(np.diff(imp) > IMPACT_SPACING * period[imp[1:]] * 0.5)
    got = kf.acc_only_events(d2, dev, imp, 12, 4.0, 520, FLAT_DEV_G)
    want = naive.foot_acc_only_events(d2, dev, imp, 12, 4.0, 520, FLAT_DEV_G)
    for g, x in zip(got, want, strict=True):
        np.testing.assert_allclose(g, x, equal_nan=True)
