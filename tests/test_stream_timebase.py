"""Timeline (sensor timestamps -> sample times, loss, duplicates, reorder) and ClockFit."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.stream.packets import ImuPacket, Timing
from gaitlab.stream.protocols import glf, gsp, pmd
from gaitlab.stream.timebase import ClockFit, Timeline


def _packets(timing: Timing, t_true: np.ndarray, n: int, *, clock0_s: float = 0.0, seq0: int = 0):
    """Packets as a sensor would stamp them: ticks of the first/last sample, wrapping counters."""
    out = []
    for j, k in enumerate(range(0, len(t_true) - n + 1, n)):
        ref = t_true[k] if timing.ref == "first" else t_true[k + n - 1]
        ticks = int(round((ref + clock0_s) / timing.tick_s))
        if timing.wrap_ticks:
            ticks %= timing.wrap_ticks
        seq = (seq0 + j) % timing.seq_wrap if timing.seq_wrap else None
        acc = np.column_stack([np.arange(k, k + n), np.zeros(n), np.ones(n)]).astype(float)
        out.append(ImuPacket(ticks, acc, seq=seq))
    return out


def _run(tl: Timeline, packets, order=None):
    blocks = []
    for i in (order if order is not None else range(len(packets))):
        blocks += tl.push(packets[i], arrival_s=float(i))
    blocks += tl.flush()
    t = np.concatenate([b.t_s for b in blocks])
    idx = np.concatenate([b.acc_g[:, 0] for b in blocks]).astype(int)
    return blocks, t, idx


def test_glf_wrap_and_one_lost_frame():
    fs, n = 200.0, 38
    t_true = np.arange(38 * 100) / fs
    pk = _packets(glf.TIMING, t_true, n, clock0_s=2**32 * 1e-6 - 3.0, seq0=65530)  # both counters wrap
    del pk[40]
    tl = Timeline(glf.TIMING, fs)
    blocks, t, idx = _run(tl, pk)
    assert tl.n_lost == n and len(tl.gaps) == 1 and tl.n_duplicates == 0
    np.testing.assert_allclose(t, t_true[idx], atol=1e-6)  # every kept sample at its true time
    gap = tl.gaps[0]
    assert gap == pytest.approx((t_true[40 * n - 1], t_true[41 * n]), abs=1e-6)
    assert sum(b.lost_before for b in blocks) == n


def test_duplicates_and_swaps_restore_order_without_gaps():
    fs, n = 200.0, 19
    t_true = np.arange(n * 50) / fs
    pk = _packets(glf.TIMING, t_true, n)
    order = list(range(len(pk)))
    order[10], order[11] = order[11], order[10]  # reordered pair
    order.insert(20, 19)  # a duplicate
    tl = Timeline(glf.TIMING, fs)
    _, t, idx = _run(tl, pk, order)
    np.testing.assert_array_equal(idx, np.arange(len(t_true)))
    assert tl.n_lost == 0 and tl.gaps == [] and tl.n_duplicates == 1 and tl.n_reordered == 1
    assert np.all(np.diff(t) > 0)


def test_packet_later_than_reorder_depth_is_a_gap_not_a_splice():
    fs, n = 100.0, 10
    t_true = np.arange(n * 30) / fs
    pk = _packets(glf.TIMING, t_true, n)
    order = [i for i in range(len(pk)) if i != 5] + [5]  # packet 5 arrives far too late
    tl = Timeline(glf.TIMING, fs, reorder_depth=3)
    _, t, idx = _run(tl, pk, order)
    assert tl.n_late == 1 and tl.n_lost == n and len(tl.gaps) == 1
    assert 5 * n not in idx and np.all(np.diff(t) > 0)


def test_polar_spreads_samples_between_frame_timestamps_and_tracks_true_rate():
    # nominal 200 Hz, true 203 Hz (IMU oscillator off by 1.5 %): no false loss, period learned
    true_fs, n = 203.0, 36
    t_true = np.arange(n * 60) / true_fs
    pk = _packets(pmd.TIMING, t_true, n, clock0_s=7e8)
    tl = Timeline(pmd.TIMING, 200.0)
    blocks, t, idx = _run(tl, pk)
    assert tl.n_lost == 0 and tl.gaps == []
    assert tl.period_s == pytest.approx(1 / true_fs, rel=1e-6)
    # Polar SDK convention: frame 2's samples at prev_ts + (i + 1) * (ts - prev_ts) / n
    prev, cur = pk[1].ticks, pk[2].ticks
    origin = pk[0].ticks - (n - 1) * 5_000_000  # first frame: spread back at the nominal period
    expect = ((prev - origin) + np.arange(1, n + 1) * (cur - prev) / n) * 1e-9
    np.testing.assert_allclose(blocks[2].t_s, expect, atol=1e-9)
    np.testing.assert_allclose(np.diff(t[n:]), 1 / true_fs, rtol=1e-6)


def test_gsp_millisecond_stamps_give_times_within_a_millisecond():
    fs, n = 208.0, 16
    t_true = np.arange(n * 100) / fs
    pk = _packets(gsp.TIMING, t_true, n, clock0_s=2**32 * 1e-3 - 2.0)  # u32 ms wraps mid-stream
    del pk[30:32]
    tl = Timeline(gsp.TIMING, fs)
    _, t, idx = _run(tl, pk)
    assert tl.n_lost == 2 * n
    err = t - t_true[idx] - (t[0] - t_true[idx[0]])
    assert np.abs(err).max() < 1e-3


def test_reconnect_segment_marks_the_disconnected_span():
    fs, n = 200.0, 38
    t_true = np.arange(n * 80) / fs
    pk = _packets(glf.TIMING, t_true, n, seq0=100)
    tl = Timeline(glf.TIMING, fs)
    out = []
    for p in pk[:30]:
        out += tl.push(p, 0.0)
    out += tl.new_segment(host_elapsed_s=1.5)
    for j, p in enumerate(pk[45:]):  # firmware restarted its frame counter after the reconnect
        out += tl.push(ImuPacket(p.ticks, p.acc_g, seq=j), 2.0)
    out += tl.flush()
    assert len(tl.gaps) == 1 and tl.n_lost == 15 * n
    assert tl.gaps[0] == pytest.approx((t_true[30 * n - 1], t_true[45 * n]), abs=1e-6)


def test_clock_fit_follows_lower_envelope():
    rng = np.random.default_rng(3)
    sensor = np.arange(0, 300, 0.2)  # 5 packets/s for 5 min
    drift = 1 + 50e-6  # sensor clock 50 ppm slow relative to the host
    true_host = 1.7e9 + 12.5 + drift * sensor
    delay = 0.005 + rng.exponential(0.015, sensor.size)
    burst = rng.random(sensor.size) < 0.05
    delay[burst] += rng.uniform(0.05, 0.5, burst.sum())  # connection-event / OS bursts
    fit = ClockFit()
    for s, h in zip(sensor, true_host + delay):
        fit.add(s, h)
    fit.refit()
    assert fit.drift_ppm == pytest.approx(50, abs=10)
    resid = fit.to_host(sensor) - true_host
    assert np.abs(resid).max() < 0.008  # within the 5 ms minimum delay plus a few ms
    naive = np.polyfit(sensor, true_host + delay, 1)
    assert np.abs(np.polyval(naive, sensor) - true_host).mean() > 0.02  # what a plain fit would do
