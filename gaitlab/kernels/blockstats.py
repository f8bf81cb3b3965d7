"""Per-block sums for orientation: column means and the centred step-periodic signal.

The sums run over the rows in order, as numpy sums along axis 0 of a C-contiguous (n, 3) array,
so the results are the same bits as ``x[a:b].mean(axis=0)`` and
``s - s.mean(axis=0)`` with ``s = x[:-lag] + x[lag:]``, without numpy's per-call overhead (the
orientation loop makes a few of these per 20-s block).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["column_mean", "centred_step_sum"]


@njit(cache=True)
def column_mean(x: np.ndarray, a: int, b: int) -> np.ndarray:
    """Mean of rows ``[a, b)`` of ``x`` (n, 3), summed in row order."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    for i in range(a, b):
        s0 += x[i, 0]
        s1 += x[i, 1]
        s2 += x[i, 2]
    n = b - a
    out = np.empty(3)
    out[0] = s0 / n
    out[1] = s1 / n
    out[2] = s2 / n
    return out


@njit(cache=True)
def centred_step_sum(x: np.ndarray, lag: int) -> np.ndarray:
    """``s = x[:-lag] + x[lag:]`` minus its column means (row-order sums), shape (n - lag, 3)."""
    m = x.shape[0] - lag
    s = np.empty((m, 3))
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    for i in range(m):
        v0 = x[i, 0] + x[i + lag, 0]
        v1 = x[i, 1] + x[i + lag, 1]
        v2 = x[i, 2] + x[i + lag, 2]
        s[i, 0] = v0
        s[i, 1] = v1
        s[i, 2] = v2
        t0 += v0
        t1 += v1
        t2 += v2
    t0 /= m
    t1 /= m
    t2 /= m
    for i in range(m):
        s[i, 0] -= t0
        s[i, 1] -= t1
        s[i, 2] -= t2
    return s
