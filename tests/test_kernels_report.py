"""The summary and report stages' fast paths (issue #17) against their plain twins.

The segment table's grouped sums and the side signatures' per-parity sums against
``tests/reference/groups.py``; the rule engine's run medians (read off a series' sorted order)
against ``np.nanmedian``; its series caches (keyed on a sample of the values) against computing
every series afresh; the rolling median (a bit set over the ranks) against the plain definition
(``tests/reference/rolling.py``) and the radix order against ``np.argsort``; the table read once
as arrays (:class:`StepColumns`) against the DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitlab.gait.metrics import StepColumns, _segment_index, segment_table, summarize
from gaitlab.kernels.groups import group_sums, parity_sums
from gaitlab.kernels.rolling import (
    _highest_bit,
    _lowest_bit,
    finite_order,
    finite_ranks,
    rolling_median,
    rolling_median_ranked,
)
from gaitlab.kernels.select import median_of_common
from gaitlab.report import evaluate_steps
from gaitlab.report.engine import RuleContext, _window_bounds, rolling
from gaitlab.report.thresholds import load_thresholds

from .reference import groups as ref
from .reference import rolling as naive


def test_group_sums_are_bincounts_of_the_finite_values():
    rng = np.random.default_rng(17)
    m, n_groups = 5000, 37
    values = rng.normal(200.0, 30.0, size=(6, m))
    values[rng.random(values.shape) < 0.05] = np.nan
    values[0, 10] = np.inf  # infinite values are left out like NaN
    values[3] = np.nan  # a metric never measured
    group = np.sort(rng.integers(0, n_groups, size=m))
    group[group == 5] = 6  # an empty group
    total, count = group_sums(values, group, n_groups)
    want_total, want_count = ref.group_sums(values, group, n_groups)
    np.testing.assert_array_equal(count, want_count)
    np.testing.assert_array_equal(total, want_total)  # same order of additions: the same bits
    assert count[:, 5].sum() == 0 and count[3].sum() == 0


def test_group_sums_of_no_steps():
    total, count = group_sums(np.empty((2, 0)), np.empty(0, dtype=np.int64), 3)
    assert total.shape == (2, 3) and not total.any() and not count.any()


def _context(n: int, seed: int) -> tuple[RuleContext, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.3, 0.36, n))
    values = np.round(rng.normal(250.0, 12.0, n), 1)  # rounded: many ties
    values[rng.integers(0, n, n // 50)] = np.nan
    side = np.where(np.arange(n) % 2 == 0, "L", "R").astype(object)
    side[rng.integers(0, n, n // 80)] = None
    steps = pd.DataFrame({"ic_s": t, "step_time_ms": np.full(n, 330.0), "gct_ms": values, "side": side,
                          "valid": True, "activity": "running"})
    return RuleContext(steps, load_thresholds(None)), values


@pytest.mark.parametrize("n, seed", [(1, 0), (2, 1), (501, 2), (800, 3), (3001, 4)])
def test_run_median_is_nanmedian(n, seed):
    ctx, values = _context(n, seed)
    assert ctx.median(values) == pytest.approx(np.nanmedian(values), rel=0, abs=0, nan_ok=True)
    for mask in (ctx.left, ctx.right):
        want = np.nanmedian(values[mask]) if np.isfinite(values[mask]).any() else np.nan
        assert ctx.median(values, mask) == pytest.approx(want, rel=0, abs=0, nan_ok=True)
    assert np.isnan(ctx.median(np.full(n, np.nan)))


def test_series_cache_tells_apart_series_with_the_same_sample():
    ctx, values = _context(3000, 5)
    other = values.copy()
    other[1::64] += 5.0  # the same values at every 64th step (the cache's key), others not
    th = ctx.th
    window_s = th.get_value("general", "window_s")
    mp = int(th.get_value("general", "min_window_steps"))
    for v in (values, other, values):  # the second lookup of `values` hits the cache
        np.testing.assert_array_equal(ctx.rolling(v), rolling(ctx.t_s, v, window_s=window_s, min_periods=mp))
    assert ctx.median(other) == np.nanmedian(other)


def test_parity_sums_are_the_bincounts_per_parity():
    rng = np.random.default_rng(23)
    m, n_chains = 4000, 29
    x = rng.normal(0.0, 3.0, m)
    x[rng.random(m) < 0.05] = np.nan
    x[7] = np.inf  # infinite values are left out like NaN
    chain = np.sort(rng.integers(0, n_chains, m))
    chain[chain == 4] = 5  # an empty chain
    parity = np.where(rng.random(m) < 0.5, 1.0, -1.0)
    got = parity_sums(x, chain, parity, n_chains)
    want = ref.parity_sums(x, chain, parity, n_chains)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)  # same order of additions: the same bits
    assert got[0][:, 4].sum() == 0


def _series(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.2, 0.5, n) * (1 + 40 * (rng.random(n) < 0.01)))  # a few pauses
    v = rng.normal(230.0, 20.0, n)
    if seed % 2:
        v = np.round(v / 10.0) * 10.0  # few distinct values: many ties
    v[rng.random(n) < rng.uniform(0.0, 0.4)] = np.nan
    return t, v


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("window_s", [1.0, 7.0, 60.0, 600.0])
def test_rolling_median_equals_the_plain_definition(seed, window_s):
    t, v = _series(seed, int(np.random.default_rng(seed).integers(1, 900)))
    start, end = _window_bounds(t, window_s)
    for mp in (1, 3, 20):
        got = rolling_median(v, finite_order(v), start, end, mp)
        np.testing.assert_array_equal(got, naive.rolling(t, v, window_s, mp, "median"))


def test_rolling_median_of_one_side_with_the_column_order():
    # the rule engine rolls one side's values with the whole column's order (the other side left out)
    t, v = _series(3, 2000)
    side = np.arange(v.size) % 2 == 0
    order = finite_order(v)
    start, end = _window_bounds(t, 60.0)
    want = naive.rolling(t, np.where(side, v, np.nan), 60.0, 10, "median")
    np.testing.assert_array_equal(rolling_median(np.where(side, v, np.nan), order[side[order]], start, end, 10), want)
    # or with the column's ranks, the other side's left out (no order of the subset at all)
    got_order, rank, srt = finite_ranks(v)
    np.testing.assert_array_equal(got_order, order)
    np.testing.assert_array_equal(srt, v[order])
    np.testing.assert_array_equal(rolling_median_ranked(np.where(side, rank, -1), srt, start, end, 10), want)


@pytest.mark.parametrize("seed", range(6))
def test_finite_order_sorts_as_argsort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 5000))
    v = rng.normal(0.0, 1.0, n) * 10.0 ** rng.integers(-300, 300)
    if seed % 2:
        v = np.round(v * 4.0)  # ties
    v[rng.random(n) < 0.2] = np.nan
    if n > 8:
        v[:8] = [np.inf, -np.inf, 0.0, -0.0, 5e-324, -5e-324, np.nan, 1.0]
    order = finite_order(v)
    want = np.argsort(v, kind="stable")[: np.count_nonzero(~np.isnan(v))]
    assert order.size == want.size
    np.testing.assert_array_equal(v[order], v[want])  # the same values in ascending order
    # ties keep their index order (-0.0 and 0.0 are a tie: they compare equal)
    keys = v[order]
    tie = keys[1:] == keys[:-1]
    assert (order[1:][tie] > order[:-1][tie]).all()


def test_bit_positions_in_plain_python():
    # the kernels' bit scans use CPU instructions; these are their plain-Python definitions
    for x in (1, 2, 3, 12, 1 << 40, (1 << 63) | 5, (1 << 64) - 1):
        assert _lowest_bit(np.uint64(x)) == (x & -x).bit_length() - 1
        assert _highest_bit(np.uint64(x)) == x.bit_length() - 1


def _table(seed: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = 3000
    side = np.where(np.arange(n) % 2 == 0, "L", "R").astype(object)
    side[rng.integers(0, n, 40)] = None
    activity = np.where(rng.random(n) < 0.9, "running", "walking").astype(object)
    cols = {"ic_s": np.cumsum(rng.uniform(0.3, 0.36, n)), "to_s": np.full(n, np.nan), "side": side,
            "step_time_ms": np.round(rng.normal(330.0, 9.0, n)), "gct_ms": rng.normal(240.0, 15.0, n),
            "flight_ms": rng.normal(90.0, 10.0, n), "vo_cm": rng.normal(8.0, 1.0, n),
            "impact_g": rng.normal(2.5, 0.3, n), "valid": rng.random(n) < 0.95,
            "loading_rate_gps": rng.normal(60.0, 5.0, n), "braking_mps": rng.normal(0.05, 0.01, n),
            "pelvic_tilt_deg": rng.normal(10.0, 1.0, n), "pelvic_drop_deg": np.full(n, np.nan),
            "activity": activity, "speed_mps": np.full(n, 3.1)}
    cols["gct_ms"][rng.integers(0, n, 60)] = np.nan
    return pd.DataFrame(cols), cols


@pytest.mark.parametrize("seed", [0, 1])
def test_step_columns_from_arrays_read_as_the_table(seed):
    steps, cols = _table(seed)
    from_table, from_arrays = StepColumns(steps), StepColumns(steps, cols)
    np.testing.assert_array_equal(from_table.running, from_arrays.running)
    for name in ("ic_s", "gct_ms", "step_time_ms", "speed_mps"):
        np.testing.assert_array_equal(from_table.floats(name), from_arrays.floats(name))
        assert not from_arrays.floats(name).flags.writeable and cols[name].flags.writeable
    for name, label in (("side", "L"), ("side", "R"), ("activity", "walking"), ("activity", "running")):
        np.testing.assert_array_equal(from_table.is_label(name, label), from_arrays.is_label(name, label))
    assert not StepColumns(steps).is_label("no_such_column", "L").any()
    # the summary, the segments and every rule's result read the same from either
    kw = dict(duration_s=1000.0)
    assert repr(summarize(steps, **kw)) == repr(summarize(steps, columns=from_arrays, **kw))
    pd.testing.assert_frame_equal(segment_table(steps), segment_table(steps, columns=from_arrays))
    a, b = evaluate_steps(steps), evaluate_steps(steps, columns=from_arrays)
    assert {c: (r.status, r.reason, r.checked, r.flag) for c, r in a.results.items()} == \
        {c: (r.status, r.reason, r.checked, r.flag) for c, r in b.results.items()}


def test_rule_context_sorts_steps_out_of_time_order():
    steps, cols = _table(2)
    shuffled = steps.iloc[np.random.default_rng(0).permutation(len(steps))].reset_index(drop=True)
    th = load_thresholds(None)
    a, b = RuleContext(steps, th), RuleContext(shuffled, th)
    np.testing.assert_array_equal(a.t_s, b.t_s)
    np.testing.assert_array_equal(a.col("gct_ms"), b.col("gct_ms"))
    np.testing.assert_array_equal(a.left, b.left)
    pd.testing.assert_frame_equal(a.steps, b.steps)


@pytest.mark.parametrize("seed", range(4))
def test_segment_index_is_np_unique(seed):
    rng = np.random.default_rng(seed)
    seg = rng.integers(-2, 40, int(rng.integers(1, 400)))
    for s in (np.sort(seg), seg):  # in time order (no sort needed) and not
        keys, inverse = _segment_index(s)
        want_keys, want_inverse = np.unique(s, return_inverse=True)
        np.testing.assert_array_equal(keys, want_keys)
        np.testing.assert_array_equal(inverse, want_inverse)
        assert inverse.dtype == want_inverse.dtype


def _intervals(kind: int, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == 0:  # a regular timeline: a handful of distinct intervals, ulps apart
        return np.diff(np.arange(n + 1) / rng.choice([50.0, 100.0, 128.0, 200.0]))
    if kind == 1:  # mostly one interval, some another, a few gaps
        return rng.choice([0.01, 0.0100000001, 0.5, 0.009], n, p=[0.49, 0.2, 0.01, 0.3])
    if kind == 2:  # two values, the median often between them (an even count)
        return rng.choice([1.0, 2.0], n)
    return rng.normal(0.01, 1e-4, n)  # jittered timestamps: all distinct (np.median itself)


@pytest.mark.parametrize("seed", range(8))
def test_median_of_common_is_np_median(seed):
    rng = np.random.default_rng(seed)
    for kind in range(4):
        for n in (1, 127, 128, 129, 5000, int(rng.integers(200, 30000))):
            x = _intervals(kind, n, rng)
            if seed == 3 and n > 200:
                x[n // 2] = np.nan  # NaN: NaN, as np.median
            med = np.median(x)
            got = median_of_common(x)
            assert got == med or (np.isnan(got) and np.isnan(med))
            c = float(med) if np.isfinite(med) else 0.01
            got_dev = median_of_common(x, c)
            want_dev = np.median(np.abs(x - c))
            assert got_dev == want_dev or (np.isnan(got_dev) and np.isnan(want_dev))
