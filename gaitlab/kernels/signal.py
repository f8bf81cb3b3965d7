"""Signal kernels: centred moving means and block-wise rotations (O(n))."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def moving_mean(x: np.ndarray, half_width: int) -> np.ndarray:
    """Centred moving mean of each column of ``x`` over ``2 * half_width + 1`` samples.

    Near the ends the window shrinks to the samples that exist (no padding, no edge bias from
    invented values).

    Parameters
    ----------
    x : ndarray, shape (n, k), float64
    half_width : int
        Half the window length in samples (>= 0).

    Returns
    -------
    ndarray, shape (n, k)
    """
    n, k = x.shape
    out = np.empty((n, k))
    if n == 0:
        return out
    h = max(half_width, 0)
    csum = np.zeros((n + 1, k))
    for i in range(n):
        for j in range(k):
            csum[i + 1, j] = csum[i, j] + x[i, j]
    for i in range(n):
        lo = max(0, i - h)
        hi = min(n, i + h + 1)
        inv = 1.0 / (hi - lo)
        for j in range(k):
            out[i, j] = (csum[hi, j] - csum[lo, j]) * inv
    return out


@njit(cache=True)
def rotate_blocks(x: np.ndarray, rot: np.ndarray, block_starts: np.ndarray) -> np.ndarray:
    """Rotate each block of rows of ``x`` by its own matrix: ``out[i] = rot[b] @ x[i]``.

    Parameters
    ----------
    x : ndarray, shape (n, 3)
        Vectors in the sensor frame.
    rot : ndarray, shape (m, 3, 3)
        One rotation per block; rows are the body axes (forward, left, up) in the sensor frame.
    block_starts : ndarray of int64, shape (m,)
        First row of each block (increasing, ``block_starts[0] == 0``); block ``b`` ends where
        block ``b + 1`` starts, the last one at ``n``.

    Returns
    -------
    ndarray, shape (n, 3)
        The vectors in the body frame (x forward, y left, z up).
    """
    n = x.shape[0]
    m = rot.shape[0]
    out = np.empty((n, 3))
    for b in range(m):
        lo = block_starts[b]
        hi = block_starts[b + 1] if b + 1 < m else n
        for i in range(lo, hi):
            for a in range(3):
                out[i, a] = rot[b, a, 0] * x[i, 0] + rot[b, a, 1] * x[i, 1] + rot[b, a, 2] * x[i, 2]
    return out
