"""Plain-numpy twins of :mod:`gaitlab.kernels.groups` (per-group sums and counts), for clarity."""

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


def parity_sums(x: np.ndarray, chain: np.ndarray, parity: np.ndarray, n_chains: int):
    """The per-parity ``np.bincount`` calls ``gaitlab.gait.sides`` made before the kernel."""
    ok = np.isfinite(x)
    out = np.zeros((3, 2, n_chains))
    for r, p in enumerate((1.0, -1.0)):
        sel = ok & (parity == p)
        out[0, r] = np.bincount(chain[sel], minlength=n_chains).astype(float)
        out[1, r] = np.bincount(chain[sel], weights=x[sel], minlength=n_chains)
        out[2, r] = np.bincount(chain[sel], weights=x[sel] ** 2, minlength=n_chains)
    return out[0], out[1], out[2]
