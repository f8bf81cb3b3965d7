"""The report's rule engine on arrays (gaitlab.report.engine, gaitlab.kernels.rolling).

The rolling windows must stay what the rules were specified with: pandas' centred time-based
rolling window over a Timedelta index (kept here as the reference), and the plain definition
(tests/reference/rolling.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitlab.report.engine import rolling, to_ns

from .reference import rolling as naive


def _pandas(t, v, window_s, min_periods, how):
    idx = pd.to_timedelta(t - t[0], unit="s")
    r = pd.Series(v, index=idx).rolling(pd.Timedelta(seconds=window_s), center=True,
                                         min_periods=max(min_periods, 1))
    return getattr(r, how)().to_numpy(dtype=np.float64, na_value=np.nan)


def _steps(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 700))
    t = 3000.0 * rng.random() + np.cumsum(rng.uniform(0.2, 0.5, n) * (1 + 30 * (rng.random(n) < 0.01)))
    v = rng.normal(230.0, 20.0, n)
    if seed % 2:
        v[rng.random(n) < 0.2] = np.nan      # other side's steps, unmeasured values
    if seed % 3 == 0:
        v[: n // 3] = 231.0                  # runs of equal values
    if seed % 5 == 0:
        v = np.round(v)                      # ties
    return t, v


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("window_s, min_periods", [(60.0, 20), (20.0, 10), (10.0, 2)])
def test_rolling_equals_pandas_time_windows(seed, window_s, min_periods):
    t, v = _steps(seed)
    for how in ("median", "mean"):  # the same arithmetic: bit for bit
        np.testing.assert_array_equal(rolling(t, v, window_s=window_s, min_periods=min_periods, how=how),
                                      _pandas(t, v, window_s, min_periods, how))
    np.testing.assert_allclose(rolling(t, v, window_s=window_s, min_periods=min_periods, how="std"),
                               _pandas(t, v, window_s, min_periods, "std"), rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("seed", range(10))
def test_rolling_equals_the_plain_definition(seed):
    t, v = _steps(seed)
    for how in ("median", "mean", "std"):
        np.testing.assert_allclose(rolling(t, v, window_s=30.0, min_periods=5, how=how),
                                   naive.rolling(t, v, 30.0, 5, how), rtol=1e-9, equal_nan=True)


def test_window_edges_half_open():
    t = np.array([0.0, 10.0, 30.0, 40.0, 60.0])
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # step at 30 s, 60 s window: (0, 60] holds 10, 30, 40, 60 -> mean 3.5
    assert rolling(t, v, window_s=60.0, min_periods=1, how="mean")[2] == pytest.approx(3.5)
    assert rolling(np.empty(0), np.empty(0)).size == 0


def test_seconds_to_nanoseconds_as_pandas():
    rng = np.random.default_rng(0)
    x = np.concatenate([np.sort(rng.uniform(0, 20000, 20000)), [0.1, 0.3, 7e-9, 3599.9999999995]])
    np.testing.assert_array_equal(to_ns(x), pd.to_timedelta(x, unit="s").to_numpy().astype(np.int64))
