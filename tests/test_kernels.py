"""Numba kernels against their plain-Python twins (tests/reference/naive.py) and exact cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaitlab.kernels import events, filters, integrate, signal, stepstats

from .reference import naive

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(2, 300), elements=finite), finite, st.booleans())
def test_level_crossings_match_reference(x, level, rising):
    got = events.level_crossings(x, level, rising)
    want = naive.level_crossings(x, level, rising)
    np.testing.assert_allclose(got, want)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 80), st.just(3)), elements=finite), st.integers(0, 10))
def test_moving_mean_matches_reference(x, h):
    np.testing.assert_allclose(signal.moving_mean(x, h), naive.moving_mean(x, h), atol=1e-9)


def test_rotate_blocks_matches_reference():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 3))
    q, _ = np.linalg.qr(rng.normal(size=(3, 3, 3)))
    starts = np.array([0, 120, 333], dtype=np.int64)
    np.testing.assert_allclose(signal.rotate_blocks(x, q, starts), naive.rotate_blocks(x, q, starts), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(3, 400), elements=st.floats(-1, 3, allow_nan=False)))
def test_find_humps_matches_reference(ys):
    got = events.find_humps(ys, 1.0, 0.9, 1.15)
    want = naive.find_humps(ys, 1.0, 0.9, 1.15)
    for g, w in zip(got[:3], want[:3], strict=True):
        np.testing.assert_allclose(g, w)
    assert (np.isnan(got[3]) and np.isnan(want[3])) or got[3] == pytest.approx(want[3])


def test_find_humps_at_the_start_of_the_data():
    """What came before the first sample is unknown: a smoothed signal that starts between the
    re-arm level and the crossing level (it reaches back over the first contact's rise), or above
    the crossing level, still gives the first hump; contact_edges then decides from the signal."""
    stance = np.concatenate([np.linspace(0.95, 2.0, 20), np.linspace(2.0, 0.0, 40), np.zeros(30)])
    up, down, _, _ = events.find_humps(stance, 1.0, 0.9, 1.15)
    assert up.size == 1 and 0.0 < up[0] < 2.0 and 20.0 < down[0] < 40.0
    up, down, _, _ = events.find_humps(stance[5:], 1.0, 0.9, 1.15)  # starts at 1.2 g
    assert up.size == 1 and up[0] == 0.0
    up, _, _, _ = events.find_humps(np.concatenate([np.full(10, 1.05), np.full(10, 0.5), stance]), 1.0, 0.9, 1.15)
    assert up.size == 1 and up[0] > 19.0  # a start above the level that never reaches min_peak is no hump


def test_first_contact_after_a_start_above_the_floor_level():
    """A recording that starts on the foot of a loading edge held above the floor level (an export's
    low-pass lifts it tens of ms before the contact), with a dip inside that foot: the edge is fitted
    from the first sample, not from the dip, so the contact is measured (REAL DATA, trial12 cut to
    start 22 ms before a contact: 0.24-0.25 g for 30 ms)."""
    fs = 500.0
    foot = np.array([0.25, 0.25, 0.24, 0.245, 0.25, 0.25, 0.26, 0.28])
    tc = int(0.22 * fs)
    stance = 2.6 * np.sin(np.pi * np.arange(tc) / tc) + 0.25
    flight = np.zeros(int(0.1 * fs))
    y = np.concatenate([foot, stance, flight, 0.25 + stance, flight])
    ys = filters.lowpass(y, fs, 5.0, order=2)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, to, amp, vb, va, rise, first_above = events.contact_edges(y, up, down, 0.2, 1.3, 0.5)
    assert up.size == 2 and first_above[0] == 0.0 and np.isfinite(ic[0]) and np.isfinite(to[0])


def test_find_humps_ignores_noise_while_standing():
    rng = np.random.default_rng(0)
    ys = 1.0 + rng.normal(0, 0.02, 5000)
    up, down, peak, open_up = events.find_humps(ys, 1.0, 0.9, 1.15)
    assert up.size == 0 and np.isnan(open_up)


def test_vertical_oscillation_matches_reference():
    rng = np.random.default_rng(3)
    fs = 200.0
    t = np.arange(4000) / fs
    fz = 1.0 + 1.2 * np.sin(2 * np.pi * 2.9 * t) + rng.normal(0, 0.05, t.size)
    ic = np.arange(0.3, 19.0, 1 / 2.9) * fs
    ic[7] = np.nan
    np.testing.assert_allclose(integrate.vertical_oscillation(fz, ic, fs),
                               naive.vertical_oscillation(fz, ic, fs), atol=1e-9, equal_nan=True)


def _half_sine_train(fs, tc, tf, n_steps, amp_scale=1.0):
    """Ideal spring-mass vertical force (running_science 4.1): 0 in flight, a half sine in contact."""
    T = tc + tf
    t = np.arange(int((n_steps * T + 0.5) * fs)) / fs
    f = np.zeros_like(t)
    ics = 0.2 + np.arange(n_steps) * T
    A = (math.pi / 2) * T / tc * amp_scale
    for ic in ics:
        m = (t >= ic) & (t < ic + tc)
        f[m] = A * np.sin(math.pi * (t[m] - ic) / tc)
    return t, f, ics


@pytest.mark.parametrize("fs", [100.0, 200.0, 1000.0])
def test_contact_edges_recover_ideal_contacts(fs):
    """On the ideal half-sine model the edge fit recovers IC and TO (to a fraction of a sample)."""
    tc, tf = 0.25, 0.10
    t, f, ics = _half_sine_train(fs, tc, tf, 20)
    ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, to, amp, vb, va, n, first = events.contact_edges(f, up, down, 0.2, 1.3, 0.5)
    ok = np.isfinite(ic)
    assert ok.sum() >= 18
    got_ic, got_to = ic[ok] / fs, to[ok] / fs
    j = np.searchsorted(ics, got_ic - 0.05)
    assert np.max(np.abs(got_to - (ics[j] + tc))) < 0.2 / fs + 1e-4  # falling edge: exact up to the fit
    assert np.max(np.abs(got_ic - ics[j])) < 0.75 / fs  # rising edge: within the sample bracket
    np.testing.assert_allclose(amp[ok], (math.pi / 2) * (tc + tf) / tc, rtol=0.01)


@pytest.mark.parametrize("fs", [100.0, 500.0])
def test_amplitude_is_the_active_peak_not_an_impact_still_falling(fs):
    """A short stance with a tall impact peak (4.17 m/s downhill heel striking: ~190 ms, an impact
    of 3 g over the half sine's rise): the window the amplitude is taken from opens where the
    impact is still falling. The amplitude is the half sine's peak, not that fall's first sample."""
    tc, tf = 0.19, 0.14
    t, f, ics = _half_sine_train(fs, tc, tf, 20)
    for ic in ics:
        tau = t - ic
        m = (tau >= 0) & (tau < 0.075)
        f[m] += 3.0 * 0.5 * (1.0 - np.cos(2.0 * math.pi * tau[m] / 0.075))
    ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, to, amp, vb, va, n, first = events.contact_edges(f, up, down, 0.2, 1.3, 0.5)
    ok = np.isfinite(to)
    assert ok.sum() >= 18
    np.testing.assert_allclose(amp[ok], (math.pi / 2) * (tc + tf) / tc, rtol=0.02)


def _toe_off_with_a_shoulder(fs: float):
    """Half-sine contacts whose fall, from 0.5 g down, lingers: to 0.2 g over 25 ms, then to 0 g over
    10 ms (the sacrum after the force plate's toe-off on level and uphill running). Sampled on a
    grid offset from the contacts by a third of a 100 Hz sample, so the two rates' grids differ."""
    tc, tf = 0.25, 0.12
    T = tc + tf
    t = np.arange(int((20 * T + 0.5) * fs)) / fs + 1.0 / 300.0
    f = np.zeros_like(t)
    ics = 0.2 + np.arange(20) * T
    A = (math.pi / 2) * T / tc
    t_half = tc - math.asin(0.5 / A) * tc / math.pi  # the half sine reaches 0.5 g here
    for ic in ics:
        tau = t - ic
        m = (tau >= 0) & (tau < t_half)
        f[m] = A * np.sin(math.pi * tau[m] / tc)
        m = (tau >= t_half) & (tau < t_half + 0.025)
        f[m] = 0.5 - 0.3 * (tau[m] - t_half) / 0.025
        m = (tau >= t_half + 0.025) & (tau < t_half + 0.035)
        f[m] = 0.2 - 0.2 * (tau[m] - t_half - 0.025) / 0.010
    return t, f


def test_toe_off_does_not_move_with_the_sample_rate():
    """Where the fall lingers below mid-edge (a shoulder the half-sine fit cannot follow), toe-off
    comes from the edge's floor-level crossing, interpolated: the same at 100 and 500 Hz. On the
    sample grid it was a sample past the first sample below the floor level: 2 ms at 500 Hz, 10 ms
    at 100 Hz."""
    got = []
    for fs in (100.0, 500.0):
        t, f = _toe_off_with_a_shoulder(fs)
        ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
        up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
        to = events.contact_edges(f, up, down, 0.2, 1.3, 0.5)[1]
        got.append(t[0] + to[np.isfinite(to)] / fs)
    assert got[0].size == got[1].size >= 18
    assert np.max(np.abs(got[0] - got[1])) < 1.5e-3, (got[0] - got[1]) * 1e3


def _spike_rebound_train(fs: float, spike_g: float, dip_g: float, dip_lag: int):
    """Half-sine contacts, each starting with a soft-tissue spike of one sample (``spike_g``) and,
    ``dip_lag`` samples later, a rebound dip (``dip_g``) before the force's main rise."""
    tc, tf = 0.36, 0.03
    t, f, ics = _half_sine_train(fs, tc, tf, 20)
    for ic in ics:
        i = int(np.ceil(ic * fs))
        f[i] = spike_g
        f[i + 1: i + dip_lag] = np.minimum(f[i + 1: i + dip_lag], 0.1)
        f[i + dip_lag] = dip_g
    return f, ics


@pytest.mark.parametrize(("dip_g", "rebound", "at_spike"), [(-0.4, 5, True), (-0.4, 0, False), (-0.1, 5, False)])
def test_a_spike_sampled_below_the_valley_limit_marks_the_contact_when_a_recoil_follows(dip_g, rebound, at_spike):
    """At 100 Hz a contact's soft-tissue spike may be sampled at 0.35 g only (below the 0.5 g valley
    limit) before its rebound dips below the short flight's floor: with the rebound window the
    contact is at the spike; without it, or when the dip is no recoil (above -0.2 g), the edge
    starts from the dip, ~20 ms later."""
    fs = 100.0
    f, ics = _spike_rebound_train(fs, 0.35, dip_g, 2)
    ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, *_ = events.contact_edges(f, up, down, 0.2, 1.3, 0.5, rebound)
    ok = np.isfinite(ic)
    assert ok.sum() >= 15
    err = ic[ok] / fs - ics[np.searchsorted(ics, ic[ok] / fs - 0.05)]
    if at_spike:
        assert np.all(np.abs(err) <= 1.0 / fs), err
    else:
        assert np.all(err >= 1.5 / fs), err


def test_flight_apex_is_midway_through_the_flight():
    fs = 200.0
    tc, tf = 0.25, 0.10
    t, f, ics = _half_sine_train(fs, tc, tf, 20)
    ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, to, *_ = events.contact_edges(f, up, down, 0.2, 1.3, 0.5)
    apex = integrate.flight_apex(f, down, to, fs)
    ok = np.isfinite(apex)
    assert ok.sum() >= 15
    expected = (to[ok] / fs) + tf / 2
    np.testing.assert_allclose(apex[ok] / fs, expected, atol=0.3 / fs)


def test_vertical_oscillation_matches_closed_form():
    """VO of the ideal model: g T tc / (2 pi) - g tc^2 / 8 + g tf^2 / 8 (running_science 4.1)."""
    fs, tc, tf = 1000.0, 0.25, 0.10
    t, f, ics = _half_sine_train(fs, tc, tf, 12)
    g = 9.80665
    T = tc + tf
    vo_true = (g * T * tc / (2 * math.pi) - g * tc**2 / 8 + g * tf**2 / 8) * 100
    vo = integrate.vertical_oscillation(f, ics * fs, fs)
    np.testing.assert_allclose(vo[1:-2], vo_true, rtol=0.005)


def test_stride_angle_range_of_a_known_oscillation():
    fs = 200.0
    T = 0.35
    t = np.arange(int(20 * fs)) / fs
    drop_amp = 4.0  # deg: roll = 4 sin(2 pi t / (2T)), rate its derivative
    rate = drop_amp * (2 * np.pi / (2 * T)) * np.cos(2 * np.pi * t / (2 * T))
    ic = (np.arange(1, 50) * T) * fs
    to = ic + 0.25 * fs
    rng_deg = integrate.stride_angle_range(rate, ic, to, fs)
    # over a contact of 0.25 s the roll moves between sin values at the contact's ends/extremes
    ok = np.isfinite(rng_deg)
    assert ok.sum() > 40
    phase0 = 2 * np.pi * ic[ok] / fs / (2 * T)
    phase1 = 2 * np.pi * to[ok] / fs / (2 * T)
    grid = np.linspace(0, 1, 200)
    expect = np.array([np.ptp(drop_amp * np.sin(a + (b - a) * grid)) for a, b in zip(phase0, phase1, strict=True)])
    np.testing.assert_allclose(rng_deg[ok], expect, atol=0.05)


def test_step_statistics_braking_and_lateral():
    fs = 500.0
    tc, tf, P = 0.25, 0.10, 0.4
    t, fz, ics = _half_sine_train(fs, tc, tf, 10)
    fx = np.zeros_like(t)
    fy = np.zeros_like(t)
    for k, ic in enumerate(ics):
        m = (t >= ic) & (t < ic + tc)
        w = math.pi / tc
        fx[m] = -P * np.sin(2 * w * (t[m] - ic))  # braking then propulsion
        fy[m] = (1 if k % 2 == 0 else -1) * 0.1 * np.sin(w * (t[m] - ic))
    impact, rate, brake, lat = stepstats.step_statistics(fz, fz, fx, fy, ics * fs, (ics + tc) * fs, fs, 0.05)
    g = 9.80665
    np.testing.assert_allclose(brake[:-2], P * g * tc / math.pi, rtol=0.02)  # running_science 4.2
    assert (np.sign(lat[:-2]) == np.where(np.arange(8) % 2 == 0, 1, -1)).all()
    assert np.all(impact[:-2] > 0) and np.all(rate[:-2] > 0)


@pytest.mark.parametrize("order,fc,fs", [(2, 5.0, 200.0), (4, 20.0, 100.0), (2, 5.0, 50.0), (6, 30.0, 1000.0)])
def test_zero_phase_filter_matches_scipy(order, fc, fs):
    from scipy.signal import butter

    rng = np.random.default_rng(0)
    x = rng.normal(size=3000).cumsum()
    sos = filters.butter_lowpass_sos(order, fc, fs)
    ref = butter(order, fc, fs=fs, output="sos")
    pad = 3 * (2 * sos.shape[0] + 1)
    np.testing.assert_allclose(filters.sosfiltfilt(x, sos, pad), naive.sosfiltfilt(x, ref, pad), atol=1e-9)


def test_filter_design_rejects_bad_cutoff():
    with pytest.raises(ValueError, match="cut-off"):
        filters.butter_lowpass_sos(2, 60.0, 100.0)
    with pytest.raises(ValueError, match="order"):
        filters.butter_lowpass_sos(3, 10.0, 100.0)


@pytest.mark.parametrize("seed", range(6))
def test_loading_edge_onsets_match_reference(seed):
    rng = np.random.default_rng(seed)
    fs = [100.0, 200.0, 500.0][seed % 3]
    tc, tf = 0.25, 0.09
    t, f, ics = _half_sine_train(fs, tc, tf, 12)
    # heel-strike bumps and noise, so the edges have impact peaks, shoulders and noisy slopes
    for ic in ics:
        tau = t - ic
        on = (tau >= 0) & (tau < 0.05)
        f[on] += rng.uniform(0.0, 2.0) * np.sin(np.pi * tau[on] / 0.05) ** 2
    f += rng.normal(0.0, 0.03, f.size)
    ys = filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    _, _, amp, _, _, _, first = events.contact_edges(f, up, down, 0.2, 1.3, 0.5)
    got = events.loading_edge_onsets(f, first, amp, 0.5, 0.25, 0.5)
    want = naive.loading_edge_onsets(f, first, amp, 0.5, 0.25, 0.5, events.PEAK_DROP_G, events.SLOPE_FRAC)
    np.testing.assert_allclose(got, want, atol=1e-9, equal_nan=True)
    assert np.isfinite(got).sum() >= 8


def test_loading_edge_onset_of_a_ramp_is_its_start():
    """A straight loading ramp from 0 g (no filter) is extended back exactly to where it starts."""
    y = np.zeros(200)
    start = 50.3
    i = np.arange(200)
    y = np.where(i > start, 0.08 * (i - start), 0.0)
    y = np.minimum(y, 2.0)
    y[80:] = 2.0 - 0.01 * (i[80:] - 80)  # the peak, then down
    got = events.loading_edge_onsets(y, np.array([53.0]), np.array([2.0]), 0.5, 0.25, 0.5)
    assert got[0] == pytest.approx(start, abs=1e-6)


def test_edge_whose_foot_precedes_the_recording_is_measured():
    """REAL DATA case (trial18 of the force-plate set): the export's zero-phase low-pass lifts the
    loading edge's foot to ~0.25 g 50 ms before the contact, so a recording cut there starts above
    the floor level with no flight sample. The contact is still measured from its edge, as it is
    when the flight before it is recorded (the pipeline then marks the step invalid: no flight is
    visible before it)."""
    fs, tc, tf = 500.0, 0.25, 0.10
    t, f, ics = _half_sine_train(fs, tc, tf, 8)
    # a tall, short impact on each landing, then a 10 Hz zero-phase low-pass: the foot of each
    # edge rises well before the contact, as on the real export
    for ic in ics:
        tau = t - ic
        on = (tau >= 0) & (tau < 0.03)
        f[on] += 3.0 * np.sin(np.pi * tau[on] / 0.03) ** 2
    f = filters.sosfiltfilt(f, filters.butter_lowpass_sos(4, 10.0, fs), 60)
    k = 2
    start = int(np.argmax((t > ics[k] - 0.1) & (f >= 0.21)))  # first sample above the floor level
    assert ics[k] - t[start] >= 0.02  # the contact starts well after the cut
    y = np.ascontiguousarray(f[start:])
    ys = filters.sosfiltfilt(y, filters.butter_lowpass_sos(2, 5.0, fs), 15)
    up, down, _, _ = events.find_humps(ys, 1.0, 0.9, 1.15)
    ic, to, amp, vb, _, n_rise, first = events.contact_edges(y, up, down, 0.2, 1.3, 0.5)
    assert first[0] == 0.0 and vb[0] == pytest.approx(y[0]) and n_rise[0] >= 3
    got = events.loading_edge_onsets(y, first, amp, 0.5, 0.25, 0.5)
    # the loading-edge fit on the same filtered signal with the whole flight visible
    ref_edges = events.contact_edges(f, *events.find_humps(
        filters.sosfiltfilt(f, filters.butter_lowpass_sos(2, 5.0, fs), 15), 1.0, 0.9, 1.15)[:2], 0.2, 1.3, 0.5)
    ref = events.loading_edge_onsets(f, ref_edges[6], ref_edges[2], 0.5, 0.25, 0.5)
    want = ref[np.argmin(np.abs(ref - (ics[k] * fs)))] - start
    assert got[0] == pytest.approx(want, abs=1e-6)  # as when the whole flight is recorded
