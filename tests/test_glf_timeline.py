"""GLF frames through the stream time base: loss, duplicates, reordering, seq and timestamp wraps.

The sequencing itself lives in :mod:`gaitlab.stream.timebase` (shared by every protocol); these
tests pin down that GLF's ``TIMING`` (u32 us of the first sample, u16 seq) drives it correctly.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.stream.protocols import glf
from gaitlab.stream.timebase import Timeline

N = 19  # six-axis samples per frame at MTU 247
ODR_HZ = 416


def _frames(count, *, seq0=0, t0_us=0, true_hz=ODR_HZ):
    """GLF frames of a sensor whose real rate is ``true_hz``; sample k's acc x count is k."""
    out = []
    for i in range(count):
        k = np.arange(i * N, (i + 1) * N)
        acc = np.stack([k % 30000, np.zeros_like(k), np.full_like(k, 2048)], axis=1).astype(np.int16)
        gyr = np.zeros((N, 3), np.int16)
        t_us = (t0_us + round(i * N * 1e6 / true_hz)) % 2**32
        out.append(glf.encode_frame(acc, gyr, seq=(seq0 + i) % 2**16, t0_us=t_us, odr_hz=ODR_HZ,
                                    acc_range_g=16, gyro_range_dps=2000))
    return out


def _run(frames, order=None, reorder_depth=3):
    dec = glf.GlfDecoder()
    tl = Timeline(dec.timing, ODR_HZ, reorder_depth=reorder_depth)
    blocks = []
    for j, i in enumerate(order if order is not None else range(len(frames))):
        blocks += tl.push(dec.feed(frames[i]), arrival_s=0.05 * j)
    blocks += tl.flush()
    t = np.concatenate([b.t_s for b in blocks])
    k = np.concatenate([np.rint(b.acc_g[:, 0] * 32768 / 16) for b in blocks]).astype(int)
    return tl, blocks, t, k


def test_contiguous_stream_gives_exact_times():
    tl, blocks, t, k = _run(_frames(30))
    np.testing.assert_array_equal(k, np.arange(30 * N))
    np.testing.assert_allclose(t, k / ODR_HZ, atol=2e-6)  # t0_us is rounded to 1 us
    assert tl.n_lost == 0 and tl.gaps == [] and tl.n_duplicates == 0


def test_lost_frames_become_one_explicit_gap():
    frames = _frames(30)
    order = [i for i in range(30) if i not in (10, 11)]
    tl, blocks, t, k = _run(frames, order)
    assert tl.n_lost == 2 * N  # samples, never interpolated
    assert len(tl.gaps) == 1
    start, end = tl.gaps[0]
    assert start == pytest.approx((10 * N - 1) / ODR_HZ, abs=2e-6)
    assert end == pytest.approx(12 * N / ODR_HZ, abs=2e-6)
    np.testing.assert_allclose(t, k / ODR_HZ, atol=2e-6)  # samples after the gap keep their true times
    assert not np.isin(np.arange(10 * N, 12 * N), k).any()


def test_duplicates_are_dropped():
    frames = _frames(12)
    tl, blocks, t, k = _run(frames, [0, 1, 2, 3, 3, 4, 5, 5, 5, 6, 7, 8, 9, 10, 11])
    assert tl.n_duplicates == 3
    np.testing.assert_array_equal(k, np.arange(12 * N))


def test_reordered_frames_are_put_back_in_order():
    frames = _frames(20)
    order = list(range(20))
    order[7], order[8] = order[8], order[7]
    tl, blocks, t, k = _run(frames, order)
    np.testing.assert_array_equal(k, np.arange(20 * N))
    assert tl.n_lost == 0 and tl.gaps == []
    assert np.all(np.diff(t) > 0)


def test_sequence_number_wraps_at_65536():
    tl, blocks, t, k = _run(_frames(20, seq0=65530))
    np.testing.assert_array_equal(k, np.arange(20 * N))
    assert tl.n_lost == 0 and tl.gaps == []
    # and a loss spanning the wrap is still counted exactly
    frames = _frames(20, seq0=65530)
    tl, blocks, t, k = _run(frames, [i for i in range(20) if i not in (5, 6, 7)])
    assert tl.n_lost == 3 * N and len(tl.gaps) == 1


def test_timestamp_wraps_at_2_pow_32_us():
    t0 = 2**32 - 5 * round(N * 1e6 / ODR_HZ)  # wraps after 5 frames (71.6 min of sensor uptime)
    tl, blocks, t, k = _run(_frames(20, t0_us=t0))
    np.testing.assert_allclose(np.diff(t), 1 / ODR_HZ, atol=3e-6)
    assert tl.n_lost == 0 and tl.gaps == []


def test_true_rate_is_measured_from_sensor_timestamps():
    true_hz = ODR_HZ * 1.02  # IMU oscillator 2 % fast: nominal rate would drift 20 ms/s
    tl, blocks, t, k = _run(_frames(60, true_hz=true_hz))
    assert tl.period_s == pytest.approx(1 / true_hz, rel=1e-5)
    late = k > 20 * N  # once the estimate has settled
    np.testing.assert_allclose(t[late], k[late] / true_hz, atol=5e-6)
