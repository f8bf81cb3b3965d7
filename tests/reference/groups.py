"""Plain-numpy twin of :mod:`gaitlab.kernels.groups` (per-group sums and counts), for clarity."""

from __future__ import annotations

import numpy as np


def group_sums(values: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    total = np.zeros((values.shape[0], n_groups))
    count = np.zeros((values.shape[0], n_groups), dtype=np.int64)
    for r, row in enumerate(values):
        ok = np.isfinite(row)
        total[r] = np.bincount(group[ok], weights=row[ok], minlength=n_groups)
        count[r] = np.bincount(group[ok], minlength=n_groups)
    return total, count
