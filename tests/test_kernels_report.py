"""The summary and report stages' fast paths (issue #17) against their plain twins.

The segment table's grouped sums against ``tests/reference/groups.py``; the rule engine's run
medians (read off a series' sorted order) against ``np.nanmedian``; its series caches (keyed on a
sample of the values) against computing every series afresh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitlab.kernels.groups import group_sums
from gaitlab.report.engine import RuleContext, rolling
from gaitlab.report.thresholds import load_thresholds

from .reference import groups as ref


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
