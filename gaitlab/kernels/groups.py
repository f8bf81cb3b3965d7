"""Sums and counts of per-step values within groups of steps (the per-minute segment table, the
per-chain side signatures).

One pass over the steps for every metric at once: numpy's ``bincount`` takes one metric (and
one boolean selection of its finite values) per call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["group_sums", "parity_sums"]


@njit(cache=True)
def group_sums(values: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of the finite values of each row of ``values`` within each group.

    Parameters
    ----------
    values : ndarray of float64, shape (k, m)
        ``k`` metrics of ``m`` steps; NaN and infinite values are left out.
    group : ndarray of int64, shape (m,)
        Each step's group, ``0 <= group < n_groups``.
    n_groups : int

    Returns
    -------
    total : ndarray of float64, shape (k, n_groups)
        Sums, added in step order (the bits of ``np.bincount(group[ok], weights=values[ok])``).
    count : ndarray of int64, shape (k, n_groups)
    """
    k, m = values.shape
    total = np.zeros((k, n_groups))
    count = np.zeros((k, n_groups), dtype=np.int64)
    for j in range(m):
        g = group[j]
        for r in range(k):
            v = values[r, j]
            if math.isfinite(v):
                total[r, g] += v
                count[r, g] += 1
    return total, count


@njit(cache=True)
def parity_sums(x: np.ndarray, chain: np.ndarray, parity: np.ndarray,
                n_chains: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, sum and sum of squares of the finite ``x`` of each chain, per step parity.

    Parameters
    ----------
    x : ndarray of float64, shape (m,)
    chain : ndarray of int64, shape (m,)
        Each step's chain, ``0 <= chain < n_chains``.
    parity : ndarray of float64, shape (m,)
        +1 or -1 per step (other values are left out).
    n_chains : int

    Returns
    -------
    count, total, squares : ndarray of float64, shape (2, n_chains)
        Row 0: the +1 steps, row 1: the -1 steps; sums added in step order (the bits of
        ``np.bincount(chain[sel], weights=x[sel])`` and of ``weights=x[sel] ** 2``).
    """
    count = np.zeros((2, n_chains))
    total = np.zeros((2, n_chains))
    squares = np.zeros((2, n_chains))
    for j in range(x.size):
        v = x[j]
        if not math.isfinite(v):
            continue
        if parity[j] == 1.0:
            r = 0
        elif parity[j] == -1.0:
            r = 1
        else:
            continue
        g = chain[j]
        count[r, g] += 1.0
        total[r, g] += v
        squares[r, g] += v * v
    return count, total, squares
