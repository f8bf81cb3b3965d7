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
