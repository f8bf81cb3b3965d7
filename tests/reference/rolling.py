"""Plain-numpy twins of :mod:`gaitlab.kernels.rolling` (the report's rolling windows), for clarity."""

from __future__ import annotations

import numpy as np


def window(t_s: np.ndarray, i: int, window_s: float) -> np.ndarray:
    """Indices of the steps in the centred window of step ``i``: ``t_i - w/2 < t_j <= t_i + w/2``."""
    return np.flatnonzero((t_s > t_s[i] - window_s / 2) & (t_s <= t_s[i] + window_s / 2))


def rolling(t_s: np.ndarray, values: np.ndarray, window_s: float, min_periods: int, how: str) -> np.ndarray:
    out = np.full(t_s.size, np.nan)
    for i in range(t_s.size):
        v = values[window(t_s, i, window_s)]
        v = v[np.isfinite(v)]
        if v.size >= max(min_periods, 1):
            out[i] = {"median": np.median, "mean": np.mean, "std": lambda x: np.std(x, ddof=1) if x.size > 1
                      else np.nan}[how](v)
    return out
