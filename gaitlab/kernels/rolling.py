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

__all__ = ["window_bounds", "rolling_median", "rolling_mean_var"]


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
def rolling_median(values: np.ndarray, order: np.ndarray, start: np.ndarray, end: np.ndarray,
                   min_periods: int) -> np.ndarray:
    """Median of the non-NaN ``values[start[i]:end[i]]`` (NaN below ``min_periods`` values).

    ``order`` holds the indices of the non-NaN values in ascending order of value (e.g.
    ``np.argsort(values)`` without its trailing NaN), computed by the caller: numpy's sort is the
    faster one, and a subset of a column can reuse the column's order. The window is a Fenwick
    tree of counts over the ranks,
    so adding or removing a value and finding the k-th smallest are O(log n): the median is an
    exact order statistic (the mean of the two middle values for an even count), as pandas'.
    """
    n = start.size
    out = np.full(n, np.nan)
    m = values.size
    good = order.size
    rank = np.full(m, -1, dtype=np.int64)
    srt = np.empty(good, dtype=np.float64)
    for r in range(good):
        rank[order[r]] = r
        srt[r] = values[order[r]]
    tree = np.zeros(good + 1, dtype=np.int64)
    top = 1
    while top * 2 <= good:
        top *= 2
    count = 0
    prev_s = 0
    prev_e = 0
    minp = max(min_periods, 1)
    for i in range(n):
        s = start[i]
        e = end[i]
        for j in range(prev_s, min(s, prev_e)):  # left the window (all of it when they do not overlap)
            if rank[j] >= 0:
                _fenwick_add(tree, good, rank[j], -1)
                count -= 1
        for j in range(max(prev_e, s), e):  # entered the window
            if rank[j] >= 0:
                _fenwick_add(tree, good, rank[j], 1)
                count += 1
        prev_s = s
        prev_e = max(prev_e, e)
        if count >= minp:
            mid = count // 2
            hi = srt[_kth(tree, top, good, mid)]
            out[i] = hi if count % 2 else (hi + srt[_kth(tree, top, good, mid - 1)]) / 2
    return out


@njit(cache=True)
def _fenwick_add(tree: np.ndarray, size: int, r: int, delta: int) -> None:
    """Add ``delta`` to the count of rank ``r`` (0-based) in a Fenwick tree of ``size`` ranks."""
    k = r + 1
    while k <= size:
        tree[k] += delta
        k += k & (-k)


@njit(cache=True)
def _kth(tree: np.ndarray, top: int, size: int, k: int) -> int:
    """Rank of the k-th smallest (0-based) value counted in a Fenwick tree (binary lifting)."""
    pos = 0
    rem = k + 1
    step = top
    while step > 0:
        nxt = pos + step
        if nxt <= size and tree[nxt] < rem:
            pos = nxt
            rem -= tree[nxt]
        step //= 2
    return pos


@njit(cache=True)
def rolling_mean_var(values: np.ndarray, start: np.ndarray, end: np.ndarray,
                     min_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample variance (ddof 1) of the non-NaN ``values[start[i]:end[i]]``.

    One pass with pandas' two running accumulators: Kahan-compensated sums for the mean, Welford
    updates (with Kahan compensation) for the variance; a window of one repeated value has
    exactly that mean and variance 0. Windows that do not overlap the previous one start afresh.
    """
    n = start.size
    mean_out = np.full(n, np.nan)
    var_out = np.full(n, np.nan)
    minp = max(min_periods, 1)
    nobs = 0
    neg = 0
    sum_x = 0.0
    s_add = 0.0  # Kahan compensation of the sum, adding / removing
    s_rem = 0.0
    w_mean = 0.0  # Welford running mean and sum of squared deviations
    ssq = 0.0
    w_add = 0.0
    w_rem = 0.0
    same = 0
    prev_v = np.nan
    for i in range(n):
        s = start[i]
        e = end[i]
        if i == 0 or s >= end[i - 1]:
            nobs = 0
            neg = 0
            sum_x = 0.0
            s_add = 0.0
            s_rem = 0.0
            w_mean = 0.0
            ssq = 0.0
            w_add = 0.0
            w_rem = 0.0
            same = 0
            prev_v = values[s] if s < values.size else np.nan
            lo_add = s
        else:
            for j in range(start[i - 1], s):  # left the window
                v = values[j]
                if v == v:
                    nobs -= 1
                    y = -v - s_rem
                    t = sum_x + y
                    s_rem = t - sum_x - y
                    sum_x = t
                    if np.signbit(v):
                        neg -= 1
                    if nobs:
                        prev_mean = w_mean - w_rem
                        y = v - w_rem
                        t = y - w_mean
                        w_rem = t + w_mean - y
                        w_mean = w_mean - t / nobs
                        ssq = ssq - (v - prev_mean) * (v - w_mean)
                    else:
                        w_mean = 0.0
                        ssq = 0.0
            lo_add = end[i - 1]
        for j in range(lo_add, e):  # entered the window
            v = values[j]
            if v == v:
                nobs += 1
                y = v - s_add
                t = sum_x + y
                s_add = t - sum_x - y
                sum_x = t
                if np.signbit(v):
                    neg += 1
                if v == prev_v:
                    same += 1
                else:
                    same = 1
                    prev_v = v
                prev_mean = w_mean - w_add
                y = v - w_add
                t = y - w_mean
                w_add = t + w_mean - y
                w_mean = w_mean + t / nobs
                ssq = ssq + (v - prev_mean) * (v - w_mean)
        if nobs >= minp and nobs > 0:
            if same >= nobs:
                mean_out[i] = prev_v
            else:
                r = sum_x / nobs
                if neg == 0 and r < 0:
                    r = 0.0
                elif neg == nobs and r > 0:
                    r = 0.0
                mean_out[i] = r
            if nobs > 1:
                var_out[i] = 0.0 if same >= nobs else ssq / (nobs - 1.0)
    return mean_out, var_out
