"""Per-block kernels (gaitlab.kernels.blockstats) against their numpy twins (tests/reference/naive_blocks.py):
the decisions are the same, the values agree to rounding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaitlab.gait.mounting import FLIGHT_QUANTILE
from gaitlab.gait.orientation import FLIGHT_BELOW_G, estimate_orientation, step_period
from gaitlab.kernels import blockstats
from gaitlab.synth import simulate_waist

from .reference import naive_blocks


def _rhythm(rng, n, fs, period_s, noise):
    """|f|-like signal: a step rhythm with harmonics, an alternating stride part and noise."""
    t = np.arange(n) / fs
    w = 2 * np.pi / period_s
    x = 1.0 + 0.8 * np.cos(w * t) + 0.3 * np.cos(2 * w * t + 1.0) + 0.1 * np.cos(0.5 * w * t)
    return x + noise * rng.normal(size=n)


@pytest.mark.parametrize("seed", range(40))
def test_step_period_matches_fft_autocorrelation(seed):
    rng = np.random.default_rng(seed)
    fs = float(rng.choice([25.0, 50.0, 100.0]))
    n = int(rng.integers(10, 40) * fs)
    x = _rhythm(rng, n, fs, rng.uniform(0.25, 0.9), rng.choice([0.0, 0.2, 1.0, 3.0]))
    if seed % 10 == 0:
        x = 1.0 + 0.001 * rng.normal(size=n)  # still
    elif seed % 10 == 1:
        x = x[: int(1.4 * fs)]  # too short
    got, want = step_period(x, fs), naive_blocks.step_period(x, fs)
    assert np.isnan(got) == np.isnan(want)
    if np.isfinite(want):
        assert abs(got - want) < 1e-9


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 200), elements=st.floats(-3, 3)), st.integers(0, 40),
       st.integers(0, 60))
def test_lag_products_are_the_ordered_sums(x, lo, extra):
    hi = lo + extra
    got = blockstats._lag_products(x, lo, hi)
    for lag in range(hi + 1):
        s = 0.0
        for i in range(x.size - lag):
            s += x[i] * x[i + lag]
        assert got[lag] == (s if lag >= lo else 0.0)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 60),
              elements=st.sampled_from([-1.0, 0.0, 0.3, 0.39, 0.4, 0.41, 0.9, 2.0]) | st.floats(0.3, 0.5)),
       st.sampled_from([0.1, 0.25, 0.5, 0.9, 0.999]))
def test_quantile_decision_equals_numpy(x, q):
    """The flight test counts instead of sorting: it must decide exactly as np.percentile."""
    level = FLIGHT_BELOW_G
    below = x[x < level]
    above = x[x >= level]
    got = blockstats._quantile_at_least(x.size, q, below.size, below.max() if below.size else -np.inf,
                                        above.min() if above.size else np.inf, False, level)
    assert got == bool(np.percentile(x, 100 * q) >= level)


def test_quantile_decision_nan_is_not_at_least():
    assert not blockstats._quantile_at_least(10, 0.1, 0, -np.inf, 0.5, True, 0.4)
    assert not np.percentile(np.array([0.5] * 9 + [np.nan]), 10) >= 0.4


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(2, 400), elements=st.floats(-2, 2)), st.integers(0, 60), st.data())
def test_sign_score_matches_reference(ap, lag, data):
    fz = data.draw(arrays(np.float64, ap.size, elements=st.floats(-0.5, 3.0)))
    got = blockstats.sign_score(ap, fz, lag, FLIGHT_BELOW_G)
    want = naive_blocks.sign_score(ap, fz, lag, FLIGHT_BELOW_G)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


def _blocks(rec, ori):
    starts = ori.block_starts
    return starts, np.append(starts[1:], rec.acc.shape[0])


@pytest.mark.parametrize("kw", [dict(fs=100.0, seed=1),
                                dict(fs=200.0, seed=2, mounting="random", noise="realistic"),
                                dict(fs=50.0, seed=3, mounting="random")])
def test_block_sign_scores_match_reference(kw):
    rec = simulate_waist(240.0, **kw).recording
    ori = estimate_orientation(rec.acc, rec.fs)
    starts, ends = _blocks(rec, ori)
    dec = max(int(round(rec.fs / 50.0)), 1)
    lags = np.rint(ori.step_period_s * rec.fs / dec).astype(np.int64)
    fwd, up = np.ascontiguousarray(ori.rot[:, 0]), np.ascontiguousarray(ori.rot[:, 2])
    got = blockstats.block_sign_scores(np.ascontiguousarray(rec.acc), starts, ends, dec, fwd, up, lags,
                                       FLIGHT_BELOW_G)
    for j in range(starts.size):
        blk = rec.acc[starts[j]: ends[j]: dec]
        want = naive_blocks.sign_score(blk @ fwd[j], blk @ up[j], lags[j], FLIGHT_BELOW_G)
        assert got[j] == pytest.approx(want, rel=1e-9)
        assert want < 0  # the estimated forward is the one the rule keeps


@pytest.mark.parametrize("kw", [dict(fs=100.0, seed=1),
                                dict(fs=200.0, seed=2, mounting="random", noise="realistic"),
                                dict(fs=100.0, seed=4, mounting="random", walking=((100.0, 160.0),),
                                     standing_s=(30.0, 20.0))])
def test_mounting_features_match_reference(kw):
    rec = simulate_waist(400.0, **kw).recording
    ori = estimate_orientation(rec.acc, rec.fs)
    starts, ends = _blocks(rec, ori)
    # also blocks whose step period is off (stride and step frequencies at other bins)
    period = ori.step_period_s * np.linspace(0.8, 1.3, starts.size)
    for T in (ori.step_period_s, period):
        args = (np.ascontiguousarray(rec.acc), starts, ends, T, np.ascontiguousarray(ori.rot[:, 2]), rec.fs,
                FLIGHT_BELOW_G, FLIGHT_QUANTILE)
        swing, alt, running = blockstats.mounting_features(*args)
        w_swing, w_alt, w_running = naive_blocks.mounting_features(*args)
        np.testing.assert_array_equal(running, w_running)
        np.testing.assert_allclose(swing, w_swing, rtol=1e-12)
        np.testing.assert_allclose(alt, w_alt, rtol=1e-9, atol=1e-14)


def test_mounting_features_of_a_pure_tone():
    """A stride-rhythm tone of amplitude 0.3 g on one axis and a step tone of 1 g on the vertical."""
    fs, T = 100.0, 0.35
    t = np.arange(2000) / fs
    acc = np.zeros((t.size, 3))
    acc[:, 0] = 0.3 * np.cos(np.pi * t / T + 0.4)
    acc[:, 2] = 1.0 + 1.0 * np.cos(2 * np.pi * t / T) + 0.05 * np.cos(np.pi * t / T)
    swing, alt, running = blockstats.mounting_features(
        acc, np.array([0]), np.array([t.size]), np.array([T]), np.array([[0.0, 0.0, 1.0]]), fs,
        FLIGHT_BELOW_G, FLIGHT_QUANTILE)
    assert running[0]  # the vertical force reaches 0 g every step
    # whole periods of the stride tone: 0.3 on x and 0.05 on z (the window is whole periods of 2 T)
    assert swing[0] == pytest.approx(np.hypot(0.3, 0.05), rel=1e-3)
    assert alt[0] == pytest.approx(0.05, rel=1e-2)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 20), st.just(3)), elements=st.floats(-2, 2)), st.data())
def test_row_dots_and_horizontal_units(v, data):
    up = data.draw(arrays(np.float64, v.shape, elements=st.floats(-1, 1)))
    got = blockstats.row_dots(v, up)
    np.testing.assert_array_equal(got, [naive_blocks.dot3(a, b) for a, b in zip(v, up)])
    # numpy's own (BLAS ddot, which may fuse or reorder): within rounding of the summands (|a b| <= 6)
    np.testing.assert_allclose(got, np.array([a @ b for a, b in zip(v, up)]), rtol=0, atol=1e-14)
    ok = np.abs(np.cross(v, up)).sum(axis=1) > 1e-3  # v not along up (else no horizontal part)
    h = blockstats.horizontal_units(v[ok], up[ok])
    want = np.array([naive_blocks.horizontal_unit(a, b) for a, b in zip(v[ok], up[ok])]).reshape(-1, 3)
    np.testing.assert_array_equal(h, want)


@pytest.mark.parametrize("m", [1, 9, 384, 1000, 2000])
def test_scatter3(m):
    s = np.random.default_rng(m).normal(0.0, 0.5, (m, 3)) + [0.0, 0.1, 1.0]
    got = blockstats.scatter3(s)
    np.testing.assert_array_equal(got, naive_blocks.scatter3(s))
    np.testing.assert_allclose(got, s.T @ s, rtol=1e-13)


def test_step_scatters_skip_blocks_too_short_for_their_lag():
    x = np.random.default_rng(0).normal(size=(400, 3))
    starts, ends = np.array([0, 100, 200, 300]), np.array([100, 200, 300, 400])
    cov, ok = blockstats.block_step_scatters(x, starts, ends, 2, np.array([30, 41, 42, 0]), 9)
    # 50 samples a block: lag 41 leaves 9 sums, 42 leaves 8, lag 0 is no step
    np.testing.assert_array_equal(ok, [True, True, False, False])
    s = blockstats.centred_step_sum(x[0:100:2], 30)
    np.testing.assert_array_equal(cov[0], blockstats.scatter3(s))
    assert np.isnan(cov[2]).all()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 300), st.just(3)), elements=st.floats(-40, 40)))
def test_row_norms_are_numpys(x):
    np.testing.assert_array_equal(blockstats.row_norms(x), np.linalg.norm(x, axis=1))


@pytest.mark.parametrize("clear", [[True, False, True, False, False, True, False],
                                   [False, False, True, False, False, False, False],
                                   [False] * 7])
def test_orientation_axes_lend_forward_from_the_nearest_gait_block(clear):
    rng = np.random.default_rng(len(clear) + sum(clear))
    m = 7
    acc = rng.normal(0.0, 0.3, (m * 200, 3)) + [0.0, 0.0, 1.0]
    starts = np.arange(m, dtype=np.int64) * 200
    ends = starts + 200
    ups = rng.normal(0.0, 0.1, (m, 3)) + [0.0, 0.0, 1.0]
    ups /= np.linalg.norm(ups, axis=1)[:, None]
    idx = np.array([0, 2, 3, 5, 6], dtype=np.int64)  # blocks with a covariance
    main = rng.normal(size=(idx.size, 3))
    clear_idx = np.array([clear[b] for b in idx])
    lags = np.full(m, 17, dtype=np.int64)
    rhythm = np.arange(m, dtype=np.int64)
    rot, gait, calib = blockstats.orientation_axes(acc, starts, ends, 1, lags, idx, main, clear_idx, ups,
                                                   ups * 1.01, rhythm, FLIGHT_BELOW_G)
    np.testing.assert_array_equal(gait, clear)
    for b in range(m):
        np.testing.assert_allclose(rot[b] @ rot[b].T, np.eye(3), atol=1e-12)  # orthonormal
        assert np.linalg.det(rot[b]) == pytest.approx(1.0)  # right-handed: left = up x forward
        np.testing.assert_array_equal(rot[b, 2], ups[b])
        d = naive_blocks.nearest_gait(gait, b)
        if gait[b]:
            j = int(np.flatnonzero(idx == b)[0])
            own = naive_blocks.horizontal_unit(main[j], ups[b])
            assert np.array_equal(rot[b, 0], own) or np.array_equal(rot[b, 0], -own)
        elif d is not None:
            np.testing.assert_array_equal(rot[b, 0], naive_blocks.horizontal_unit(rot[d, 0], ups[b]))
        else:  # no gait anywhere: sensor x made horizontal
            x_axis = naive_blocks.horizontal_unit(np.array([1.0, 0.0, 0.0]), ups[b])
            np.testing.assert_array_equal(rot[b, 0], x_axis)
    np.testing.assert_array_equal(calib, [naive_blocks.dot3(u * 1.01, u) for u in ups])


def test_horizontal_unit_of_the_vertical_is_nan():
    up = np.array([[0.0, 0.0, 1.0]])
    assert np.isnan(blockstats.horizontal_units(up * 2.0, up)).all()  # NaN, not an exception


@pytest.mark.parametrize("seed", range(6))
def test_attitude_splits_match_their_twin_and_find_a_planted_re_seat(seed):
    rng = np.random.default_rng(seed)
    n = 6000
    x = rng.normal(0.0, 0.4, (n, 3)) + [0.0, 0.0, 1.0]
    flip = int(rng.integers(2100, 3900))  # inside the second block
    x[flip:, 1:] *= -1.0  # re-seated upside down
    starts, ends = np.array([0, 2000, 4000]), np.array([2000, 4000, 6000])
    args = (100, 25, np.cos(np.radians(30.0)), 0.5, 1.5)
    got = blockstats.attitude_splits(x, starts, ends, *args)
    np.testing.assert_array_equal(got, naive_blocks.attitude_splits(x, starts, ends, *args))
    assert got[0] == -1 and got[2] == -1 and abs(got[1] - flip) <= 25
    # a steady attitude (or a turn well below the limit) is never split
    steady = rng.normal(0.0, 0.4, (n, 3)) + [0.0, 0.3, 1.0]
    assert (blockstats.attitude_splits(steady, starts, ends, *args) == -1).all()
