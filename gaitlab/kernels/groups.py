"""Sums and counts of per-step values within groups of steps (the per-minute segment table).

One pass over the steps for every metric at once: numpy's ``bincount`` takes one metric (and
one boolean selection of its finite values) per call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["group_sums"]


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
