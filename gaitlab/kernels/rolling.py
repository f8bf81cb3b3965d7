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
from numba.cpython.unsafe.numbers import leading_zeros, trailing_zeros
from numba.extending import overload

__all__ = ["window_bounds", "rolling_median", "rolling_median_ranked", "rolling_mean_var", "finite_order",
           "finite_ranks"]


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


def _lowest_bit(x: int) -> int:
    """Position of the lowest set bit of a non-zero uint64 (plain Python; kernels use the CPU's)."""
    x = int(x)
    return (x & -x).bit_length() - 1


def _highest_bit(x: int) -> int:
    """Position of the highest set bit of a non-zero uint64 (plain Python; kernels use the CPU's)."""
    return int(x).bit_length() - 1


@overload(_lowest_bit)
def _lowest_bit_jit(x):  # type: ignore[no-untyped-def]
    def impl(x):  # type: ignore[no-untyped-def]
        return np.int64(trailing_zeros(x))

    return impl


@overload(_highest_bit)
def _highest_bit_jit(x):  # type: ignore[no-untyped-def]
    def impl(x):  # type: ignore[no-untyped-def]
        return np.int64(63 - leading_zeros(x))

    return impl


@njit(cache=True)
def _next_member(words: np.ndarray, r: int) -> int:
    """Smallest rank above ``r`` whose bit is set (the caller knows there is one)."""
    q = r + 1
    w = q >> 6
    sh = np.uint64(q & 63)
    x = (words[w] >> sh) << sh  # words has a spare last word, so w is in range
    while x == 0:
        w += 1
        x = words[w]
    return (w << 6) + _lowest_bit(x)


@njit(cache=True)
def _prev_member(words: np.ndarray, r: int) -> int:
    """Largest rank below ``r`` whose bit is set (the caller knows there is one)."""
    w = r >> 6
    x = words[w] & ((np.uint64(1) << np.uint64(r & 63)) - np.uint64(1))
    while x == 0:
        w -= 1
        x = words[w]
    return (w << 6) + _highest_bit(x)


@njit(cache=True)
def rolling_median(values: np.ndarray, order: np.ndarray, start: np.ndarray, end: np.ndarray,
                   min_periods: int) -> np.ndarray:
    """Median of the non-NaN ``values[start[i]:end[i]]`` (NaN below ``min_periods`` values).

    ``order`` holds the indices of the non-NaN values in ascending order of value
    (:func:`finite_order`), computed by the caller. See :func:`rolling_median_ranked`.
    """
    rank, srt = _ranks(values, order)
    return rolling_median_ranked(rank, srt, start, end, min_periods)


@njit(cache=True)
def _ranks(values: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value's rank in ``order`` (-1 where absent) and the values in that order."""
    rank = np.full(values.size, -1, dtype=np.int64)
    srt = np.empty(order.size, dtype=np.float64)
    for r in range(order.size):
        rank[order[r]] = r
        srt[r] = values[order[r]]
    return rank, srt


@njit(cache=True)
def rolling_median_ranked(rank: np.ndarray, srt: np.ndarray, start: np.ndarray, end: np.ndarray,
                          min_periods: int) -> np.ndarray:
    """Rolling median from each value's rank (:func:`finite_ranks`; -1: left out, e.g. NaN) and the
    values in ascending order (``srt[rank]`` is the value).

    A subset of a series (one side's steps) is rolled with the whole series' ranks, its other
    values' ranks set to -1: no sort of its own. The window is a bit set over the ranks (one bit
    per value) plus the rank of its lower middle value: a value entering or leaving the window
    moves that middle by at most one member, found by scanning the set's 64-bit words, so each
    step costs O(1) in the usual case (the rank gap between neighbouring members of a ~60 s
    window is a word or two). The median is the exact order statistic (the mean of the two
    middle values for an even count), as pandas'.
    """
    n = start.size
    out = np.full(n, np.nan)
    words = np.zeros(srt.size // 64 + 2, dtype=np.uint64)  # a spare word past the last rank
    one = np.uint64(1)
    count = 0
    med = -1  # rank of the tracked member (the lower middle once adjusted); -1: window empty
    below = 0  # members ranked below med
    prev_s = 0
    prev_e = 0
    minp = max(min_periods, 1)
    for i in range(n):
        s = start[i]
        e = end[i]
        for j in range(prev_s, min(s, prev_e)):  # left the window (all of it when they do not overlap)
            r = rank[j]
            if r >= 0:
                words[r >> 6] &= ~(one << np.uint64(r & 63))
                count -= 1
                if count == 0:
                    med = -1
                    below = 0
                elif r < med:
                    below -= 1
                elif r == med:  # track a neighbour instead: the one above when there is one
                    if below < count:
                        med = _next_member(words, r)
                    else:
                        med = _prev_member(words, r)
                        below -= 1
        for j in range(max(prev_e, s), e):  # entered the window
            r = rank[j]
            if r >= 0:
                words[r >> 6] |= one << np.uint64(r & 63)
                count += 1
                if med < 0:
                    med = r
                    below = 0
                elif r < med:
                    below += 1
        prev_s = s
        prev_e = max(prev_e, e)
        if count >= minp:
            lower = (count - 1) // 2  # position of the lower middle value
            while below < lower:
                med = _next_member(words, med)
                below += 1
            while below > lower:
                med = _prev_member(words, med)
                below -= 1
            lo = srt[med]
            out[i] = lo if count % 2 else (srt[_next_member(words, med)] + lo) / 2
    return out


#: digit width of :func:`finite_order`'s radix passes: 6 passes, 2048 counters each (fits L1)
_RADIX_BITS = 11


@njit(cache=True)
def finite_order(values: np.ndarray) -> np.ndarray:
    """Indices of the non-NaN ``values`` in ascending order of value (ties in index order).

    ``np.argsort`` without its trailing NaN, as an LSD radix sort of the values' order-preserving
    64-bit keys (11-bit digits, digits shared by every value skipped): 3-8x numpy's comparison
    sort on a run's ~10^4 steps. -0.0 and 0.0 share a key (they compare equal); +/-inf sort at
    the ends.
    """
    n = values.size
    keys = np.empty(n, dtype=np.uint64)
    idx = np.empty(n, dtype=np.int64)
    top = np.uint64(1) << np.uint64(63)
    m = 0
    for i in range(n):
        v = values[i]
        if v == v:
            u = np.float64(v + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0
            keys[m] = ~u if u & top else u | top  # negatives reversed, below the positives
            idx[m] = i
            m += 1
    nd = (64 + _RADIX_BITS - 1) // _RADIX_BITS
    hist = np.zeros((nd, 1 << _RADIX_BITS), dtype=np.int64)
    digit = np.uint64((1 << _RADIX_BITS) - 1)
    for i in range(m):
        k = keys[i]
        for d in range(nd):
            hist[d, (k >> np.uint64(d * _RADIX_BITS)) & digit] += 1
    keys2 = np.empty(m, dtype=np.uint64)
    idx2 = np.empty(m, dtype=np.int64)
    for d in range(nd):
        h = hist[d]
        shared = False
        for b in range(h.size):
            if h[b] != 0:
                shared = h[b] == m
                break
        if shared:  # every value has this digit: the pass would not move anything
            continue
        pos = 0
        for b in range(h.size):
            c = h[b]
            h[b] = pos
            pos += c
        sh = np.uint64(d * _RADIX_BITS)
        for i in range(m):
            k = keys[i]
            b = (k >> sh) & digit
            p = h[b]
            h[b] = p + 1
            keys2[p] = k
            idx2[p] = idx[i]
        keys, keys2 = keys2, keys
        idx, idx2 = idx2, idx
    return idx[:m].copy()


@njit(cache=True)
def finite_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`finite_order` of ``values``, each value's rank in it (-1 for NaN) and the non-NaN
    values in ascending order: what :func:`rolling_median_ranked` reads, built once per series."""
    order = finite_order(values)
    rank, srt = _ranks(values, order)
    return order, rank, srt


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
