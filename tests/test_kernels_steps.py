"""The per-step and report stages' fast paths (issue #17) against their plain twins.

Each fast path must give the bits the straightforward computation gives: the flight floor kernel
against ``tests/reference/naive.py``, the shared sort of the report's per-side rolling medians
against rolling each side's series on its own, the walking detector's reused low-pass and the
recording path's skipped per-stretch sides against recomputing them.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.gait.sides import chain_ids
from gaitlab.gait.walking import WALK_EDGE_HZ, WALK_SMOOTH_HZ, merge_walking
from gaitlab.kernels import events, filters
from gaitlab.report.engine import RuleContext, rolling
from gaitlab.report.thresholds import load_thresholds
from gaitlab.schema import PLAUSIBLE_WAIST

from .reference import naive


def _flights(rng: np.random.Generator, n_steps: int, fs: float, level: float):
    """A vertical force with ``n_steps`` contacts, flights at ``level`` g (plus noise), and the edges."""
    step = int(0.33 * fs)
    contact = int(0.22 * fs)
    n = n_steps * step + step
    y = level + rng.normal(0.0, 0.02, n)
    ic = np.arange(n_steps) * step + step / 2 + rng.uniform(-0.4, 0.4, n_steps)
    to = ic + contact + rng.uniform(-0.4, 0.4, n_steps)
    for a, b in zip(ic, to, strict=True):
        k = np.arange(int(np.ceil(a)), int(np.floor(b)) + 1)
        y[k] += 2.5 * np.sin(np.pi * (k - a) / (b - a))
    return y, ic, to


@pytest.mark.parametrize("seed", range(8))
def test_flight_floor_levels_match_reference(seed):
    rng = np.random.default_rng(seed)
    fs = [100.0, 200.0, 52.0, 500.0][seed % 4]
    y, ic, to = _flights(rng, 60, fs, rng.choice([0.0, 0.05, -0.12, 0.35, 0.005]))
    # unknown edges, a contact without flight, a sample that is not a number
    ic[rng.integers(1, ic.size, 4)] = np.nan
    to[rng.integers(0, to.size, 4)] = np.nan
    to[5] = ic[6] + 1.0
    if seed % 2:
        y[int(to[20]) + 3] = np.nan
    n_blocks = 1 + seed % 5
    block = np.sort(rng.integers(0, n_blocks, y.size)).astype(np.int32)
    got = events.flight_floor_levels(y, ic, to, block, n_blocks, 4, 0.01, 0.3)
    want = naive.flight_floor_levels(y, ic, to, block, n_blocks, 4, 0.01, 0.3)
    np.testing.assert_array_equal(got, want)


def test_flight_floor_levels_finds_the_floor_and_leaves_small_ones():
    rng = np.random.default_rng(3)
    y, ic, to = _flights(rng, 40, 100.0, 0.08)
    block = np.zeros(y.size, dtype=np.int32)
    level = events.flight_floor_levels(y, ic, to, block, 1, 4, 0.01, 0.3)
    assert level[0] == pytest.approx(0.08, abs=0.01)
    y0, ic0, to0 = _flights(rng, 40, 100.0, 0.0)
    assert events.flight_floor_levels(y0, ic0, to0, block[: y0.size], 1, 4, 0.01, 0.3)[0] == 0.0
    # fewer than 4 flights in the block: no estimate
    assert events.flight_floor_levels(y, ic[:4], to[:4], block, 1, 4, 0.01, 0.3)[0] == 0.0


def test_sosfiltfilt_equals_its_two_passes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=5000).cumsum()
    sos = filters.butter_lowpass_sos(4, 8.0, 100.0)
    got = filters.sosfiltfilt(x, sos, 15)
    ext = np.concatenate((2 * x[0] - x[15:0:-1], x, 2 * x[-1] - x[-2:-17:-1]))
    filters._sos_pass_inplace(ext, sos, False)
    filters._sos_pass_inplace(ext, sos, True)
    np.testing.assert_array_equal(got, ext[15:-15])
    assert filters.lowpass(x[:3], 100.0, 5.0).shape == (3,)


def test_rolling_side_shares_the_column_sort():
    rng = np.random.default_rng(5)
    n = 3000
    t = np.cumsum(rng.uniform(0.3, 0.36, n))
    values = np.round(rng.normal(250.0, 12.0, n), 1)  # rounded: many ties
    values[rng.integers(0, n, 40)] = np.nan
    side = np.where(np.arange(n) % 2 == 0, "L", "R").astype(object)
    side[rng.integers(0, n, 30)] = None
    import pandas as pd

    steps = pd.DataFrame({"ic_s": t, "step_time_ms": np.full(n, 330.0), "gct_ms": values, "side": side,
                          "valid": True, "activity": "running"})
    th = load_thresholds(None)
    ctx = RuleContext(steps, th)
    mp = max(int(th.get_value("general", "min_window_steps")) // 2, 2)
    window_s = th.get_value("general", "window_s")
    for mask in (ctx.left, ctx.right):
        want = rolling(t, np.where(mask, values, np.nan), window_s=window_s, min_periods=mp)
        np.testing.assert_array_equal(ctx.rolling_side(values, mask), want)
    # the column itself, rolled after its sides, is the column's median
    want = rolling(t, values, window_s=window_s, min_periods=int(th.get_value("general", "min_window_steps")))
    np.testing.assert_array_equal(ctx.rolling(values), want)


@pytest.mark.parametrize("dtype", [object, str])
def test_chain_ids_by_activity_label(dtype):
    act = np.array(["running"] * 6 + ["walking"] * 5 + ["running"] * 4, dtype=dtype)
    st = np.array([330.0] * 6 + [550.0] * 5 + [330.0] * 4)
    st[2] = 700.0  # a missed running step (walking steps of 550 ms are not)
    st[-1] = np.nan
    ids = chain_ids(st, act)
    np.testing.assert_array_equal(ids, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])


def test_merge_walking_with_the_callers_lowpass():
    rng = np.random.default_rng(2)
    fs = 100.0
    t = np.arange(0, 40, 1 / fs)
    fz = 1.0 + 0.3 * np.sin(2 * np.pi * 1.8 * t) + rng.normal(0, 0.02, t.size)
    fz[t > 20] = 1.0 + 1.6 * np.maximum(np.sin(2 * np.pi * 1.45 * t[t > 20]), -0.62)
    none = np.empty(0)
    smooth = filters.lowpass(fz, fs, WALK_SMOOTH_HZ, order=2)
    edge = filters.lowpass(fz, fs, WALK_EDGE_HZ, order=2)
    step_ms = PLAUSIBLE_WAIST["step_time_ms"]
    want = merge_walking(fz, fs, none, none, np.zeros(0, dtype=bool), step_ms)
    assert want[0].size > 20
    for given in ((smooth, None), (None, edge), (smooth, edge)):
        got = merge_walking(fz, fs, none, none, np.zeros(0, dtype=bool), step_ms, *given)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n,fs,order", [(5000, 100.0, 2), (5000, 200.0, 4), (40, 100.0, 2), (2, 100.0, 2),
                                        (3000, 20.0, 2)])
def test_lowpass_pair_is_two_lowpasses(n, fs, order):
    x = np.random.default_rng(n).normal(1.0, 0.5, n).cumsum()
    a, b = filters.lowpass_pair(x, fs, WALK_SMOOTH_HZ, WALK_EDGE_HZ, order)
    np.testing.assert_array_equal(a, filters.lowpass(x, fs, WALK_SMOOTH_HZ, order))
    np.testing.assert_array_equal(b, filters.lowpass(x, fs, WALK_EDGE_HZ, order))


def test_recording_path_skips_only_the_per_stretch_sides():
    from gaitlab.gait.segments import split_stretches
    from gaitlab.gait.waist import WaistPipeline
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(60.0, fs=100.0, seed=4).recording
    pipe = WaistPipeline()
    frame = pipe.body_frame(rec, None)
    (st,), _ = split_stretches(rec.t, frame.acc, frame.gyr, rec.fs, frame.extra)
    full, fz = pipe.stretch_steps(st, frame.block_tilt_deg)
    lean, fz2 = pipe.stretch_steps(st, frame.block_tilt_deg, sides=False)
    np.testing.assert_array_equal(fz, fz2)
    assert set(full) == set(lean)
    assert all(s is None for s in lean["side"]) and {"L", "R"} <= set(full["side"])
    for name in full:
        if name != "side":
            np.testing.assert_array_equal(full[name], lean[name])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_prefix_sums_are_numpys(dtype):
    from gaitlab.kernels.stepstats import prefix_sums

    x = np.random.default_rng(1).normal(3.0, 1.0, 100_001).astype(dtype)
    want = np.concatenate(([0.0], np.cumsum(x)))
    got = prefix_sums(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(prefix_sums(np.empty(0)), [0.0])


@pytest.mark.parametrize("n", [0, 1, 7, 130, 1000, 10_001])
def test_summary_mean_is_pandas_mean(n):
    import pandas as pd

    from gaitlab.gait.metrics import _mean

    x = np.random.default_rng(n).normal(250.0, 30.0, n)
    x[::9] = np.nan
    s = pd.Series(x)
    want = s.dropna().mean() if s.notna().any() else np.nan
    got = _mean(s)
    assert (np.isnan(got) and np.isnan(want)) or got == float(want)
    assert _mean(pd.Series(x.astype(np.float32))) == pytest.approx(float(want), rel=1e-6, nan_ok=True)


def test_remove_floor_is_the_numpy_expression():
    rng = np.random.default_rng(4)
    y = rng.normal(1.0, 1.0, 5000)
    level = np.array([0.0, 0.05, -0.12])
    block = np.sort(rng.integers(0, 3, y.size)).astype(np.int32)
    floor = level[block]
    want = (y - floor) / (1.0 - floor)
    np.testing.assert_array_equal(events.remove_floor(y, level, block, np.empty(y.size)), want)
