"""Centred rolling statistics of per-step values over a time window (the report's rule engine).

Steps are irregular in time, so a window is a span of time, not a count of steps: for step ``i``
it holds the steps ``j`` with ``t_i - w/2 < t_j <= t_i + w/2`` (both ends closed when ``w`` is an
odd number of nanoseconds), on an int64 nanosecond axis. These are the windows of pandas'
``Series.rolling(Timedelta(w), center=True)`` over a Timedelta index, and the statistics are
computed as pandas computes them (the median as the exact order statistic; the mean and the
variance by the same add/remove updates with Kahan compensation), so the report's numbers do not
depend on which implementation ran. ``tests/test_report_engine.py`` compares the two.

NaN values are skipped; a window with fewer than ``min_periods`` values gives NaN.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["window_bounds", "rolling_median", "rolling_mean", "rolling_var"]


@njit(cache=True)
def window_bounds(t_ns: np.ndarray, window_ns: np.int64) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` index bounds of the centred time window around each point.

    Parameters
    ----------
    t_ns : ndarray of int64, shape (n,)
        Times (ns), non-decreasing.
    window_ns : int
        Window length (ns).
    """
    n = t_ns.size
    start = np.empty(n, dtype=np.int64)
    end = np.empty(n, dtype=np.int64)
    half = window_ns // 2
    odd = window_ns % 2 == 1
    s = 0
    e = 0
    for i in range(n):
        lo = t_ns[i] - half  # first time inside: > lo (even window), >= lo (odd window)
        hi = t_ns[i] + half  # last time inside: <= hi
        while s < i and (t_ns[s] < lo or (t_ns[s] == lo and not odd)):
            s += 1
        if e < s:
            e = s
        while e < n and t_ns[e] <= hi:
            e += 1
        start[i] = s
        end[i] = e
    return start, end


@njit(cache=True)
def rolling_median(values: np.ndarray, start: np.ndarray, end: np.ndarray, min_periods: int) -> np.ndarray:
    """Median of the non-NaN ``values[start[i]:end[i]]`` (NaN below ``min_periods`` values).

    The window's values are kept sorted; each step removes the values that left and inserts the
    ones that entered (windows move forward only), O(window) per step.
    """
    n = start.size
    out = np.full(n, np.nan)
    buf = np.empty(values.size, dtype=np.float64)
    k = 0  # values held, sorted in buf[:k]
    prev_s = 0
    prev_e = 0
    for i in range(n):
        s = start[i]
        e = end[i]
        if i == 0 or s >= prev_e:
            k = 0
            prev_s = s
            prev_e = s
        for j in range(prev_s, s):  # left the window
            v = values[j]
            if v == v:
                pos = np.searchsorted(buf[:k], v)
                for m in range(pos, k - 1):
                    buf[m] = buf[m + 1]
                k -= 1
        for j in range(prev_e, e):  # entered the window
            v = values[j]
            if v == v:
                pos = np.searchsorted(buf[:k], v)
                for m in range(k, pos, -1):
                    buf[m] = buf[m - 1]
                buf[pos] = v
                k += 1
        prev_s = s
        prev_e = e
        if k >= max(min_periods, 1):
            mid = k // 2
            out[i] = buf[mid] if k % 2 else (buf[mid] + buf[mid - 1]) / 2
    return out


@njit(cache=True)
def rolling_mean(values: np.ndarray, start: np.ndarray, end: np.ndarray, min_periods: int) -> np.ndarray:
    """Mean of the non-NaN ``values[start[i]:end[i]]`` (running Kahan-compensated sums)."""
    n = start.size
    out = np.full(n, np.nan)
    minp = max(min_periods, 1)
    nobs = 0
    neg = 0
    sum_x = 0.0
    comp_add = 0.0
    comp_rem = 0.0
    same = 0
    prev_v = np.nan
    for i in range(n):
        s = start[i]
        e = end[i]
        if i == 0 or s >= end[i - 1]:
            nobs = 0
            neg = 0
            sum_x = 0.0
            comp_add = 0.0
            comp_rem = 0.0
            same = 0
            prev_v = values[s] if s < values.size else np.nan
            lo_add = s
        else:
            for j in range(start[i - 1], s):
                v = values[j]
                if v == v:
                    nobs -= 1
                    y = -v - comp_rem
                    t = sum_x + y
                    comp_rem = t - sum_x - y
                    sum_x = t
                    if np.signbit(v):
                        neg -= 1
            lo_add = end[i - 1]
        for j in range(lo_add, e):
            v = values[j]
            if v == v:
                nobs += 1
                y = v - comp_add
                t = sum_x + y
                comp_add = t - sum_x - y
                sum_x = t
                if np.signbit(v):
                    neg += 1
                if v == prev_v:
                    same += 1
                else:
                    same = 1
                    prev_v = v
        if nobs >= minp and nobs > 0:
            if same >= nobs:
                out[i] = prev_v
            else:
                r = sum_x / nobs
                if neg == 0 and r < 0:
                    r = 0.0
                elif neg == nobs and r > 0:
                    r = 0.0
                out[i] = r
    return out


@njit(cache=True)
def rolling_var(values: np.ndarray, start: np.ndarray, end: np.ndarray, min_periods: int) -> np.ndarray:
    """Sample variance (ddof 1) of the non-NaN ``values[start[i]:end[i]]`` (Welford updates)."""
    n = start.size
    out = np.full(n, np.nan)
    minp = max(min_periods, 1)
    nobs = 0.0
    mean_x = 0.0
    ssq = 0.0
    comp_add = 0.0
    comp_rem = 0.0
    same = 0
    prev_v = np.nan
    for i in range(n):
        s = start[i]
        e = end[i]
        if i == 0 or s >= end[i - 1]:
            nobs = 0.0
            mean_x = 0.0
            ssq = 0.0
            comp_add = 0.0
            comp_rem = 0.0
            same = 0
            prev_v = values[s] if s < values.size else np.nan
            lo_add = s
        else:
            for j in range(start[i - 1], s):
                v = values[j]
                if v == v:
                    nobs -= 1.0
                    if nobs:
                        prev_mean = mean_x - comp_rem
                        y = v - comp_rem
                        t = y - mean_x
                        comp_rem = t + mean_x - y
                        mean_x = mean_x - t / nobs
                        ssq = ssq - (v - prev_mean) * (v - mean_x)
                    else:
                        mean_x = 0.0
                        ssq = 0.0
            lo_add = end[i - 1]
        for j in range(lo_add, e):
            v = values[j]
            if v == v:
                if v == prev_v:
                    same += 1
                else:
                    same = 1
                    prev_v = v
                nobs += 1.0
                prev_mean = mean_x - comp_add
                y = v - comp_add
                t = y - mean_x
                comp_add = t + mean_x - y
                mean_x = mean_x + t / nobs
                ssq = ssq + (v - prev_mean) * (v - mean_x)
        if nobs >= minp and nobs > 1.0:
            if same >= nobs:
                out[i] = 0.0
            else:
                out[i] = ssq / (nobs - 1.0)
    return out
